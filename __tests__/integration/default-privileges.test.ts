/**
 * The target's default privileges (ALTER DEFAULT PRIVILEGES of the restoring role) do not reach
 * the objects a restore creates: pg_dump writes each object's privileges relative to the
 * hard-wired default (acldefault), so a new Supabase project's `… FOR ROLE postgres IN SCHEMA
 * public GRANT ALL ON TABLES TO anon, …` made a table the source had closed to anon
 * (`revoke all on table public.documents from anon`) readable and writable by anon again after
 * the restore. In one transaction the restore sets those default privileges aside after BEGIN
 * and reinstates them before COMMIT (default-privileges.ts): the restored ACLs are the source's,
 * the target's default privileges stay as they were. Without one it warns and changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { type TestServer, startPostgres } from '../../dev/postgres.js'
import { useHarness } from '../support/harness.js'
import { testBackupInputs, testRestoreInputs } from '../support/inputs.js'
import {
  type ManagedDatabase,
  actionRoundTrip,
  neonLikeSource,
  neonLikeTarget,
  runCapture,
  supabaseLikeSource,
  supabaseLikeTarget
} from '../support/managed.js'
import type { BackupSource } from '../../src/types.js'

let supabase: TestServer
let neon: TestServer
const harness = useHarness({ name: 'default-privileges' })
const { actionBackup, actionRestore } = actionRoundTrip(harness, 'defacl')

beforeAll(async () => {
  ;[supabase, neon] = await Promise.all([startPostgres(), startPostgres()])
}, 120_000)

afterAll(async () => {
  await Promise.all([supabase, neon].map(s => s?.stop()))
})

/** Lines the engine logs while `fn` runs (the action's log goes to stdout through @actions/core). */
async function logOf<T>(fn: () => Promise<T>): Promise<{ lines: string; result: T }> {
  const written: string[] = []
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    written.push(String(chunk))
    return true
  })
  try {
    const result = await fn()
    return { lines: written.join(''), result }
  } finally {
    spy.mockRestore()
  }
}

/** `acl` (an aclitem[] expression; NULL: acldefault(`type`, `owner`)) as sorted rows of text. */
const EXPLODED = (acl: string, type: string, owner: string): string =>
  `COALESCE((SELECT string_agg(i, ',' ORDER BY i COLLATE "C") FROM (SELECT concat_ws(':', CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(x.grantee)::text END, pg_get_userbyid(x.grantor)::text, x.privilege_type, x.is_grantable) AS i
     FROM aclexplode(COALESCE(${acl}, acldefault((${type})::"char", ${owner}))) x) e), '')`

/**
 * The ACL of every table, view, sequence and function in the schemas the app made (public,
 * supabase_migrations): sorted aclexplode rows with role names (a NULL ACL as its acldefault).
 */
async function acls(db: ManagedDatabase): Promise<Record<string, string>> {
  const rows = await db.instance.admin.query<{ object: string; acl: string }>(
    db.database,
    `SELECT c.relkind::text || ' ' || n.nspname || '.' || c.relname AS object,
            ${EXPLODED('c.relacl', "CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END", 'c.relowner')} AS acl
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname IN ('public', 'supabase_migrations') AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
     UNION ALL
     SELECT 'function ' || p.oid::regprocedure::text, ${EXPLODED('p.proacl', "'f'", 'p.proowner')}
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname IN ('public', 'supabase_migrations')
        AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
     ORDER BY 1`
  )
  return Object.fromEntries(rows.map(r => [r.object, r.acl]))
}

/** pg_default_acl as the catalog holds it (the ACL arrays as text, in their own order). */
async function defaultAcls(db: ManagedDatabase): Promise<string[]> {
  const rows = await db.instance.admin.query<{ row: string }>(
    db.database,
    `SELECT concat_ws(' ', defaclrole::regrole::text, CASE WHEN defaclnamespace = 0 THEN '-' ELSE defaclnamespace::regnamespace::text END, defaclobjtype, defaclacl::text) AS row
       FROM pg_default_acl ORDER BY 1`
  )
  return rows.map(r => r.row)
}

async function documentsAcl(db: ManagedDatabase): Promise<string> {
  const rows = await db.instance.admin.query<{ acl: string }>(
    db.database,
    "SELECT relacl::text AS acl FROM pg_class WHERE oid = 'public.documents'::regclass"
  )
  return rows[0].acl
}

/**
 * A project's public schema (one table with a row) dumped as a dashboard does: `pg_dump
 * --no-owner --no-privileges --schema=public`, a plain script that names no owner and grants
 * nothing. Returns its path.
 */
async function grantFreeScript(): Promise<string> {
  const src = await supabaseLikeTarget(supabase)
  await src.instance.userQuery(
    src.database,
    "CREATE TABLE public.notes (id int PRIMARY KEY, body text); INSERT INTO public.notes VALUES (1, 'a')"
  )
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'noacl-')), 'public.sql')
  const dumped = await runCapture(
    path.join(supabase.binDir, 'pg_dump'),
    ['--no-owner', '--no-privileges', '--schema=public', `--file=${file}`, src.url],
    src.env
  )
  expect(dumped.code).toBe(0)
  return file
}

describe('Supabase: the action’s backup restored into a new project', () => {
  let source: ManagedDatabase
  let backup: BackupSource
  let sourceAcls: Record<string, string>

  beforeAll(async () => {
    source = await supabaseLikeSource(supabase)
    sourceAcls = await acls(source)
    backup = await actionBackup(source.url)
  }, 120_000)

  it('the source closed public.documents to anon; the new project’s default privileges would open it', async () => {
    expect(await documentsAcl(source)).not.toMatch(/anon=/)
    expect(sourceAcls['r public.documents']).not.toMatch(/anon/)
    const target = await supabaseLikeTarget(supabase)
    expect(await defaultAcls(target)).toContain(
      'postgres public r {postgres=arwdDxt/postgres,anon=arwdDxt/postgres,authenticated=arwdDxt/postgres,service_role=arwdDxt/postgres}'
    )
  })

  it("documents keeps anon out; every table, sequence and function has the source's ACL; the target's default privileges are byte-identical; logged", async () => {
    const target = await supabaseLikeTarget(supabase)
    const defaultsBefore = await defaultAcls(target)
    const { lines } = await logOf(() => actionRestore(target, backup))
    expect(await documentsAcl(target)).not.toMatch(/anon=/)
    expect(await acls(target)).toEqual(sourceAcls)
    expect(await defaultAcls(target)).toEqual(defaultsBefore)
    expect(lines.split('\n').find(l => l.includes('are set aside'))).toMatch(
      /^The target's default privileges of postgres \(.*tables in schema public: \{postgres=arwdDxt\/postgres,anon=arwdDxt\/postgres,[^)]*\) are set aside while the backup's objects are created, so they get the backup's own privileges, and are restored before COMMIT\.$/
    )
  })

  it('format plain: the same', async () => {
    const plain = await actionBackup(source.url, { format: 'plain' })
    const target = await supabaseLikeTarget(supabase)
    const defaultsBefore = await defaultAcls(target)
    await actionRestore(target, plain)
    expect(await acls(target)).toEqual(sourceAcls)
    expect(await defaultAcls(target)).toEqual(defaultsBefore)
  })

  it.each([
    ['in one transaction', {}],
    // without one they are not set aside: PUBLIC's EXECUTE is given back after the load (a74 F8)
    ['single-transaction: false', { singleTransaction: false }]
  ])(
    "a global default-privilege row of the restoring role (REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC): the backup's functions keep PUBLIC's EXECUTE as in the source; the row stays (%s)",
    async (_name, overrides) => {
      const target = await supabaseLikeTarget(supabase)
      await target.instance.userQuery(
        target.database,
        'ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC'
      )
      const defaultsBefore = await defaultAcls(target)
      expect(defaultsBefore).toContain('postgres - f {postgres=X/postgres}')
      expect(sourceAcls['function handle_new_user()']).toMatch(
        /(^|,)PUBLIC:postgres:EXECUTE:f(,|$)/
      )
      const result = await actionRestore(target, backup, overrides)
      expect(await acls(target)).toEqual(sourceAcls)
      expect(await defaultAcls(target)).toEqual(defaultsBefore)
      if ('singleTransaction' in overrides)
        expect(result.warnings.join('\n')).toMatch(
          /take EXECUTE on new functions from PUBLIC[^\n]*given back after the load: [^\n]*GRANT EXECUTE ON ROUTINE public\.handle_new_user\(\) TO PUBLIC;/
        )
    }
  )

  it("a new project where postgres already owns a table elsewhere (the net proves postgres's default privileges unchanged): the restore passes; set aside and granted again, they count as unchanged", async () => {
    const target = await supabaseLikeTarget(supabase)
    await target.instance.userQuery(
      target.database,
      'CREATE SCHEMA app_private; CREATE TABLE app_private.keep (id int)'
    )
    const defaultsBefore = await defaultAcls(target)
    const { lines } = await logOf(() => actionRestore(target, backup))
    expect(lines).toMatch(/the restore's transaction ends with the check that none of them/)
    expect(await acls(target)).toEqual(sourceAcls)
    expect(await defaultAcls(target)).toEqual(defaultsBefore)
  })

  it("a script that names no owner and grants nothing (pg_dump --no-owner --no-privileges of the public schema, a dashboard's dump): its objects get the target's default privileges, as with psql by hand — said in a warning (trial u57 F1: they were left the owner's alone, anon got permission denied, without a word)", async () => {
    const file = await grantFreeScript()
    const target = await supabaseLikeTarget(supabase)
    const defaultsBefore = await defaultAcls(target)
    const { lines, result } = await logOf(() => actionRestore(target, { kind: 'file', path: file }))
    // its rows go into public.notes only: no provider's table is said to take them (trial u57 F2)
    expect(lines).toMatch(/The target holds [^\n]* the backup does not own/)
    expect(lines).not.toMatch(/empty tables? of the provider's/)
    const [reach] = await target.instance.admin.query<{ anon: boolean; authenticated: boolean }>(
      target.database,
      "SELECT has_table_privilege('anon', 'public.notes', 'SELECT') AS anon, has_table_privilege('authenticated', 'public.notes', 'INSERT') AS authenticated"
    )
    expect(reach).toEqual({ anon: true, authenticated: true })
    expect(await defaultAcls(target)).toEqual(defaultsBefore)
    expect(result.warnings.join('\n')).toMatch(
      /The backup names no owner and grants no privileges \(made with pg_dump --no-owner --no-privileges\?\): its objects get what the target's default privileges of postgres give \([^\n]*anon=arwdDxt\/postgres[^\n]*\), as with psql by hand\./
    )
  })

  it("a hand-written script (a seed or a migration: no pg_dump header) with a GRANT of its own: its objects get the target's default privileges besides it, as with psql by hand (trial u59 F1: set aside, a seed's tables were left the owner's alone)", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'seed-')), 'seed.sql')
    writeFileSync(
      file,
      `CREATE TABLE public.categories (id serial PRIMARY KEY, name text);
CREATE TABLE public.tags (id int, label text);
GRANT SELECT ON public.tags TO anon;
INSERT INTO public.categories (name) VALUES ('work');
`
    )
    const target = await supabaseLikeTarget(supabase)
    const defaultsBefore = await defaultAcls(target)
    const { result } = await logOf(() => actionRestore(target, { kind: 'file', path: file }))
    const [reach] = await target.instance.admin.query<{
      categories: boolean
      tags: boolean
      sequence: boolean
    }>(
      target.database,
      `SELECT has_table_privilege('authenticated', 'public.categories', 'INSERT') AS categories,
              has_table_privilege('authenticated', 'public.tags', 'SELECT') AS tags,
              has_sequence_privilege('authenticated', 'public.categories_id_seq', 'USAGE') AS sequence`
    )
    expect(reach).toEqual({ categories: true, tags: true, sequence: true })
    expect(await defaultAcls(target)).toEqual(defaultsBefore)
    expect(result.warnings.join('\n')).toMatch(
      /The SQL script is not pg_dump's \(it lacks its "-- PostgreSQL database dump" header\): as with psql by hand, its objects get what the target's default privileges of postgres give/
    )
  })

  it("such a script with an ALTER DEFAULT PRIVILEGES of its own is not one that grants nothing: no warning that says its objects get only the target's default privileges (attacker a93 F1: it named anon's, the script gave PUBLIC everything)", async () => {
    const file = await grantFreeScript()
    const script = readFileSync(file, 'utf8')
    writeFileSync(
      file,
      script.replace(
        'SET default_table_access_method = heap;',
        'SET default_table_access_method = heap;\nALTER DEFAULT PRIVILEGES GRANT ALL ON TABLES TO PUBLIC;'
      )
    )
    const target = await supabaseLikeTarget(supabase)
    const result = await actionRestore(target, { kind: 'file', path: file })
    const [reach] = await target.instance.admin.query<{ public: boolean }>(
      target.database,
      "SELECT has_table_privilege('public', 'public.notes', 'TRUNCATE') AS public"
    )
    expect(reach.public).toBe(true)
    // as psql by hand: the script's own default privileges reach its tables; the target's are
    // set aside (a script with privilege statements gets its own, as any pg_dump script does)
    const [anon] = await target.instance.admin.query<{ anon: boolean }>(
      target.database,
      "SELECT has_table_privilege('anon', 'public.notes', 'TRUNCATE') AS anon"
    )
    expect(anon.anon).toBe(true) // through PUBLIC
    expect(result.warnings.join('\n')).not.toMatch(/names no owner and grants no privileges/)
  })

  it("no-privileges: true: as before, the target's default privileges apply (anon gets documents), and stay", async () => {
    const target = await supabaseLikeTarget(supabase)
    const defaultsBefore = await defaultAcls(target)
    const { lines } = await logOf(() => actionRestore(target, backup, { noPrivileges: true }))
    expect(await documentsAcl(target)).toMatch(/anon=arwdDxt\/postgres/)
    expect(await defaultAcls(target)).toEqual(defaultsBefore)
    expect(lines).not.toMatch(/are set aside/)
  })

  it.each([
    ['single-transaction: false', { singleTransaction: false }],
    ['jobs: 2', { singleTransaction: false, jobs: 2 }]
  ])(
    "%s: not set aside, and what they gave roles the backup never names for an object is revoked after the load — documents keeps anon out, every ACL the source's (trials u44 F1, u45 F4); pg_default_acl is not changed",
    async (_label, overrides) => {
      const target = await supabaseLikeTarget(supabase)
      const defaultsBefore = await defaultAcls(target)
      const result = await actionRestore(target, backup, overrides)
      expect(await defaultAcls(target)).toEqual(defaultsBefore)
      expect(await documentsAcl(target)).not.toMatch(/anon=/)
      expect(await acls(target)).toEqual(sourceAcls)
      expect(result.warnings.join('\n')).toMatch(
        /revoked after the load: .*REVOKE ALL ON TABLE public\.documents FROM "anon"/
      )
    }
  )

  it('single-transaction: false, the revoke\'s edges (attacker a73 F1–F4): a column grant of the source kept, a routine named "g(x", a quoted table, PUBLIC\'s EXECUTE kept, a global default row\'s grants revoked too; a table named "x TO anon" and an aggregate of no arguments (a74 F9, F1)', async () => {
    const edges = await supabaseLikeSource(supabase)
    await edges.instance.userQuery(
      edges.database,
      `create table public.colgrant (a int, b int);
       revoke all on public.colgrant from anon, authenticated;
       grant select (a) on public.colgrant to anon;
       create function public."g(x"(integer) returns int language sql as 'select 1';
       create table public."T 1" (a int);
       revoke all on public."T 1" from anon, authenticated;
       create table public."x TO anon" (a int);
       revoke all on public."x TO anon" from anon, authenticated;
       create aggregate public.agg0(*) (sfunc = int8inc, stype = int8, initcond = '0');
       revoke all on function public.agg0() from anon, authenticated;`
    )
    const edgesAcls = await acls(edges)
    const columnAcl = (db: ManagedDatabase) =>
      db.instance.admin.query(
        db.database,
        "SELECT attname::text, attacl::text FROM pg_attribute WHERE attrelid = 'public.colgrant'::regclass AND attnum > 0 ORDER BY attnum"
      )
    const edgesColumns = await columnAcl(edges)
    const edgesBackup = await actionBackup(edges.url)
    const target = await supabaseLikeTarget(supabase)
    await target.instance.userQuery(
      target.database,
      `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO PUBLIC;
       ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO service_role;`
    )
    const result = await actionRestore(target, edgesBackup, { singleTransaction: false })
    expect(await columnAcl(target)).toEqual(edgesColumns)
    expect(await acls(target)).toEqual(edgesAcls)
    expect(result.warnings.join('\n')).toMatch(/REVOKE ALL ON TABLE public\."T 1" FROM "anon"/)
  })

  it('single-transaction: false: a role the backup grants some privileges keeps only those (attacker a74 F2); a schema and a type the source closed stay closed (a74 F3); public is left as the target has it', async () => {
    const src = await supabaseLikeSource(supabase)
    await src.instance.userQuery(
      src.database,
      `create table public.partial (a int);
       revoke all on public.partial from anon, authenticated;
       grant select on public.partial to anon;
       create schema app;
       create type app.mood as enum ('ok', 'bad');
       revoke all on type app.mood from public;`
    )
    const srcAcls = await acls(src)
    const srcBackup = await actionBackup(src.url)
    const target = await supabaseLikeTarget(supabase)
    await target.instance.userQuery(
      target.database,
      `ALTER DEFAULT PRIVILEGES GRANT USAGE ON SCHEMAS TO anon;
       ALTER DEFAULT PRIVILEGES GRANT USAGE ON TYPES TO anon;`
    )
    const publicBefore = await target.instance.admin.query<{ acl: string }>(
      target.database,
      "SELECT nspacl::text AS acl FROM pg_namespace WHERE nspname = 'public'"
    )
    const result = await actionRestore(target, srcBackup, { singleTransaction: false })
    expect(await acls(target)).toEqual(srcAcls)
    const [closed] = await target.instance.admin.query<{
      app: string
      mood: string
      public: string
    }>(
      target.database,
      `SELECT (SELECT nspacl::text FROM pg_namespace WHERE nspname = 'app') AS app,
              (SELECT typacl::text FROM pg_type WHERE typname = 'mood') AS mood,
              (SELECT nspacl::text FROM pg_namespace WHERE nspname = 'public') AS public`
    )
    expect(closed.app ?? '').not.toMatch(/anon=/)
    expect(closed.mood).not.toMatch(/anon=|(^|[{,])=U/)
    // public is not the load's (pg_dump does not create it): as the target had it
    expect(closed.public).toEqual(publicBefore[0].acl)
    const warning = result.warnings.join('\n')
    expect(warning).toMatch(/REVOKE [A-Z, ]*INSERT[A-Z, ]* ON TABLE public\.partial FROM "anon";/)
    expect(warning).toMatch(/REVOKE ALL ON SCHEMA app FROM "anon";/)
    expect(warning).toMatch(/REVOKE ALL ON TYPE app\.mood FROM "anon";/)
    expect(await acls(target)).toEqual(srcAcls)
  })

  it("single-transaction: false with tables: the target's own table of a name the backup has (not selected) keeps the privileges the target gave it", async () => {
    const target = await supabaseLikeTarget(supabase)
    await actionRestore(target, backup)
    await target.instance.userQuery(target.database, 'GRANT ALL ON public.documents TO anon')
    await actionRestore(target, backup, {
      singleTransaction: false,
      clean: true,
      cleanDropDependents: true,
      tables: ['todos', 'todos_id_seq']
    })
    expect(await documentsAcl(target)).toMatch(/anon=arwdDxt\/postgres/)
  })

  it('single-transaction: false: a warning names the default privileges and the objects they reach; pg_default_acl is not changed', async () => {
    const target = await supabaseLikeTarget(supabase)
    const defaultsBefore = await defaultAcls(target)
    const result = await actionRestore(target, backup, { singleTransaction: false })
    expect(await defaultAcls(target)).toEqual(defaultsBefore)
    const warning = result.warnings.find(w => w.startsWith("The target's default privileges"))
    expect(warning).toMatch(
      /^The target's default privileges of postgres \(.*tables in schema public: \{[^}]*anon=arwdDxt\/postgres[^}]*\}.*\) apply to the objects the backup creates \(.*TABLE public\.documents.*\), on top of the backup's own privileges: .*Without a single transaction \(single-transaction: false\) the restore does not set them aside .*single-transaction: true .*REVOKE/
    )
  })

  it('verify into a new project: no ACL difference on public.documents', async () => {
    const scratch = await supabaseLikeTarget(supabase)
    const result = await harness.verify(testRestoreInputs(scratch.url, backup, { mode: 'verify' }))
    const differences = (result.equality.comparison?.differences ?? []).filter(d =>
      d.object.includes('documents')
    )
    expect(differences).toEqual([])
  })
})

describe('Neon: a target whose restoring role has default privileges WITH GRANT OPTION', () => {
  let source: ManagedDatabase
  let backup: BackupSource
  let sourceAcls: Record<string, string>

  beforeAll(async () => {
    source = await neonLikeSource(neon)
    sourceAcls = await acls(source)
    backup = await actionBackup(source.url)
  }, 120_000)

  it("the restored ACLs are the source's; the role's default privileges keep their grant options", async () => {
    // the same cluster: the source's roles (app_readonly) exist
    const target = await neonLikeTarget(neon)
    await target.instance.userQuery(
      target.database,
      `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO neon_superuser WITH GRANT OPTION;
       ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE ON SEQUENCES TO neon_superuser WITH GRANT OPTION;
       ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON SEQUENCES TO neon_superuser`
    )
    const defaultsBefore = await defaultAcls(target)
    expect(defaultsBefore).toContain(
      'neondb_owner public r {neon_superuser=a*r*w*d*D*x*t*/neondb_owner}'
    )
    expect(Object.values(sourceAcls).join()).not.toMatch(/neon_superuser/)
    await actionRestore(target, backup)
    expect(await acls(target)).toEqual(sourceAcls)
    // the backup's own ALTER DEFAULT PRIVILEGES (SELECT ON TABLES TO app_readonly) adds to them
    expect(await defaultAcls(target)).toEqual(
      defaultsBefore.map(r =>
        r === 'neondb_owner public r {neon_superuser=a*r*w*d*D*x*t*/neondb_owner}'
          ? 'neondb_owner public r {neon_superuser=a*r*w*d*D*x*t*/neondb_owner,app_readonly=r/neondb_owner}'
          : r
      )
    )
  })
  it('single-transaction: false with clean: a schema of the backup the target had is dropped and created again by the load, and what the default privileges gave on it is taken back too (attacker a77 F1)', async () => {
    await source.instance.userQuery(
      source.database,
      `CREATE SCHEMA IF NOT EXISTS closed; CREATE TABLE IF NOT EXISTS closed.c1 (a int);`
    )
    const closedBackup = await actionBackup(source.url)
    const target = await neonLikeTarget(neon)
    await actionRestore(target, closedBackup)
    await target.instance.userQuery(
      target.database,
      'ALTER DEFAULT PRIVILEGES GRANT ALL ON SCHEMAS TO app_readonly'
    )
    const closed = () =>
      target.instance.admin.query<{ oid: string; acl: string | null }>(
        target.database,
        "SELECT oid::text AS oid, nspacl::text AS acl FROM pg_namespace WHERE nspname = 'closed'"
      )
    const [before] = await closed()
    const result = await actionRestore(target, closedBackup, {
      singleTransaction: false,
      clean: true
    })
    const [after] = await closed()
    expect(after.oid).not.toEqual(before.oid)
    expect(after.acl ?? '').not.toMatch(/app_readonly=/)
    expect(result.warnings.join('\n')).toMatch(/REVOKE ALL ON SCHEMA closed FROM "app_readonly";/)
  })
})

describe('an empty target the archive could be loaded into by pg_restore -d itself', () => {
  it("the gated path is taken (the default privileges set aside): the table has the source's ACL", async () => {
    const server = harness.server
    const role = `defacl_reader_${Date.now()}`
    await server.query('postgres', `CREATE ROLE ${role} NOLOGIN`)
    const sourceDb = await server.createDatabase()
    await server.query(sourceDb, 'CREATE TABLE public.t (id int); INSERT INTO t VALUES (1)')
    await harness.backup(testBackupInputs(server.url(sourceDb), { artifactName: 'defacl-direct' }))
    const backup: BackupSource = {
      kind: 'artifact',
      name: 'defacl-direct',
      runId: 'current',
      repository: harness.backend.repository,
      token: harness.backend.githubToken
    }
    const target = await server.createDatabase()
    await server.query(
      target,
      `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO ${role}`
    )
    const { lines } = await logOf(() =>
      harness.restore(testRestoreInputs(server.url(target), backup))
    )
    const [row] = await server.query<{ acl: string | null; defaults: string }>(
      target,
      "SELECT (SELECT relacl::text FROM pg_class WHERE oid = 'public.t'::regclass) AS acl, (SELECT string_agg(defaclacl::text, ',') FROM pg_default_acl) AS defaults"
    )
    expect(row).toEqual({ acl: null, defaults: `{${role}=r/postgres}` })
    expect(lines).toMatch(
      /Loading through the script gate into psql: the restoring role has default privileges \(ALTER DEFAULT PRIVILEGES\) that would reach the backup's objects/
    )
  })
})
