/**
 * What a backup of a managed service holds that acts on what the PROVIDER owns in the new
 * project/instance (a user's policy on Supabase's storage.objects, a function in RDS's
 * rdsadmin_util, an extension only the provider's superuser may create), found in a new-user
 * trial: pg_restore by hand fails on those statements, ignores them and restores every row; the
 * action failed and rolled everything back. Now: a permissive policy on the provider's table, a
 * function in its schema, an extension the role may not create are left out and listed (log,
 * job summary, the not-restored output); a RESTRICTIVE policy is refused (fail-closed). Also:
 * the advice of a load failure fits its error (the owner named), the failure names the entry of
 * the failed statement with only its own DETAIL/HINT, and an event trigger whose backup owner
 * is no superuser in the target stays the restoring role's (create-roles never makes superusers).
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import type { TableChecksum } from '../../dev/fixtures.js'
import { type TestServer, startPostgres } from '../../dev/postgres.js'
import { ownerInTarget } from '../../src/modes/restore.js'
import type { VerifyResult } from '../../src/modes/verify.js'
import { restoreSummaryMarkdown, verifySummaryMarkdown } from '../../src/summary.js'
import type { BackupOptions, BackupSource } from '../../src/types.js'
import { useHarness } from '../support/harness.js'
import { testBackupInputs, testRestoreInputs } from '../support/inputs.js'
import { installProbeExtension } from '../support/probe-extension.js'
import { logOf } from '../support/log-capture.js'
import {
  type ManagedDatabase,
  actionRoundTrip,
  checksumDifferences,
  managedChecksums,
  dumpByHand,
  rdsLikeSource,
  rdsLikeTarget,
  restoreByHand,
  supabaseLikeSource,
  supabaseLikeTarget
} from '../support/managed.js'

let supabase: TestServer
let rdsSource: TestServer
let rdsInstance: TestServer
let fresh: TestServer
const harness = useHarness({ name: 'managed-provider' })
const { actionBackup, actionRestore } = actionRoundTrip(harness, 'provider')

beforeAll(async () => {
  ;[supabase, rdsSource, rdsInstance, fresh] = await Promise.all([
    startPostgres(),
    startPostgres(),
    startPostgres(),
    startPostgres()
  ])
}, 120_000)

afterAll(async () => {
  await Promise.all([supabase, rdsSource, rdsInstance, fresh].map(s => s?.stop()))
})

async function failure(p: Promise<unknown>): Promise<Error | undefined> {
  return p.then(
    () => undefined,
    (e: Error) => e
  )
}

async function policies(db: ManagedDatabase, table: string): Promise<string[]> {
  const rows = await db.instance.admin.query<{ name: string }>(
    db.database,
    `SELECT polname::text AS name FROM pg_policy WHERE polrelid = '${table}'::regclass ORDER BY 1`
  )
  return rows.map(r => r.name)
}

// the trial's new project: storage's tables belong to supabase_admin, whom postgres cannot act as
async function newProject(): Promise<ManagedDatabase> {
  const target = await supabaseLikeTarget(supabase)
  await target.instance.admin.query(
    target.database,
    'ALTER TABLE storage.objects OWNER TO supabase_admin; ALTER TABLE storage.buckets OWNER TO supabase_admin'
  )
  return target
}

const UPLOADS =
  'POLICY "user uploads" on storage.objects — owned by supabase_admin in the target; create it as that role'

describe("Supabase: a user policy on storage.objects (the provider's table)", () => {
  let source: ManagedDatabase
  let sourceSums: Record<string, TableChecksum>

  beforeAll(async () => {
    source = await supabaseLikeSource(supabase)
    // made in the dashboard's SQL editor (as supabase_admin), as Supabase's storage guide does
    await source.instance.admin.query(
      source.database,
      `CREATE POLICY "user uploads" ON storage.objects FOR INSERT TO authenticated WITH CHECK (owner = auth.uid())`
    )
    sourceSums = await managedChecksums(source)
  }, 60_000)

  for (const format of ['custom', 'plain'] as const) {
    it(`the action (${format}): every row arrives; the policy is not restored, and named with the fix in the log, the summary and the result`, async () => {
      const backup = await actionBackup(
        source.url,
        format === 'plain' ? { format: 'plain', compression: 'gzip' } : {}
      )
      const target = await newProject()
      const result = await actionRestore(target, backup)
      expect(checksumDifferences(sourceSums, await managedChecksums(target))).toEqual([])
      expect(await policies(target, 'storage.objects')).toEqual([])
      // the backup's GRANT/REVOKE on the provider's objects are not among them: the new project
      // gives what they give (trial u55 L2; a target that differs: the describe after this one)
      expect(result.notRestored).toEqual([UPLOADS])
      const md = restoreSummaryMarkdown(result)
      expect(md).toContain('> [!WARNING]')
      expect(md).toContain(UPLOADS)
      expect(md).not.toMatch(/GRANT.{0,2}REVOKE statements? on the provider.{0,6}s objects/)
    })
  }

  it("a failure's advice names the owner in the target of what the error is about", async () => {
    const target = await newProject()
    const client = new pg.Client({ connectionString: target.url })
    await client.connect()
    try {
      expect(await ownerInTarget(client, 'psql: ERROR:  must be owner of table objects')).toBe(
        'In the target, table storage.objects belongs to "supabase_admin": run the backup\'s statement on it as that role (on a managed service: the provider\'s dashboard or SQL editor), or leave it out of the backup.'
      )
      expect(
        await ownerInTarget(client, 'psql: ERROR:  must be owner of extension citext')
      ).toMatch(/^In the target, extension citext belongs to "supabase_admin"/)
      expect(
        await ownerInTarget(client, 'psql: ERROR:  permission denied for schema storage')
      ).toMatch(
        /^In the target, the schema storage belongs to "supabase_admin": .*exclude-schemas: storage/
      )
      // a script's own DROP (pg_dump --clean, as Supabase's guide dumps): dump without --clean
      // (trial u34 F5)
      for (const statement of [
        'DROP TABLE IF EXISTS "storage"."objects";',
        'ALTER TABLE IF EXISTS storage.objects DROP CONSTRAINT IF EXISTS objects_bucket_id_fkey;'
      ])
        expect(
          await ownerInTarget(client, 'psql: ERROR:  must be owner of table objects', statement)
        ).toMatch(
          /^In the target, table storage\.objects belongs to "supabase_admin", and the backup's script drops it before creating it \(pg_dump --clean [^)]*\): make the dump without --clean/
        )
      expect(await ownerInTarget(client, 'psql: ERROR:  must be owner of table nosuch')).toBe(
        undefined
      )
    } finally {
      await client.end()
    }
    // PostgreSQL 15's public belongs to pg_database_owner, not a role one logs in as: the
    // database's owner is named instead (a Neon app role restoring into neondb_owner's database)
    const server = harness.server
    const plain = await server.createDatabase()
    await server.query(
      'postgres',
      `DO $$BEGIN CREATE ROLE shop_owner NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END$$;`
    )
    await server.query('postgres', `ALTER DATABASE ${plain} OWNER TO shop_owner`)
    const own = new pg.Client({ connectionString: server.url(plain) })
    await own.connect()
    try {
      expect(await ownerInTarget(own, 'psql: ERROR:  permission denied for schema public')).toMatch(
        /^In the target, the schema public belongs to "pg_database_owner", which stands for the database's owner, "shop_owner": restore as "shop_owner" .*GRANT CREATE ON SCHEMA public TO postgres;/
      )
    } finally {
      await own.end()
      await server.dropDatabase(plain)
    }
  })

  it("a RESTRICTIVE policy on the provider's table is refused naming it and the owner; target unchanged", async () => {
    const restrictive = await supabaseLikeSource(supabase)
    await restrictive.instance.admin.query(
      restrictive.database,
      `CREATE POLICY "no private" ON storage.objects AS RESTRICTIVE FOR SELECT TO anon USING (bucket_id <> 'private')`
    )
    const backup = await actionBackup(restrictive.url)
    const target = await newProject()
    const before = await managedChecksums(target)
    const error = await failure(actionRestore(target, backup))
    expect(error?.message).toMatch(
      /CREATE POLICY "no private" ON storage\.objects AS RESTRICTIVE .* — a RESTRICTIVE row-level security policy on storage\.objects, which belongs to "supabase_admin" in the target .*Create the policy in the target as "supabase_admin"/
    )
    expect(await managedChecksums(target)).toEqual(before)
    expect(await policies(target, 'storage.objects')).toEqual([])
  })
})

// the backup's GRANT/REVOKE on the provider's objects, left out: said only where they would change
// the target's privileges (trial u55 L2: 15 statements on auth and storage warned of in every
// Supabase-to-Supabase restore, both projects set up by the same provider)
describe("Supabase: the backup's GRANT/REVOKE on the provider's objects against the target's privileges", () => {
  const ACL_NOTE = /GRANT\/REVOKE statements? on the provider's objects/
  let same: ManagedDatabase
  let granted: ManagedDatabase

  beforeAll(async () => {
    same = await supabaseLikeSource(supabase)
    // one grant of the source's the new project lacks
    granted = await supabaseLikeSource(supabase)
    await granted.instance.admin.query(
      granted.database,
      'GRANT SELECT ON TABLE auth.users TO authenticated'
    )
  }, 60_000)

  const options = (format: 'custom' | 'plain') =>
    format === 'plain' ? { format: 'plain' as const, compression: 'gzip' as const } : {}

  for (const format of ['custom', 'plain'] as const) {
    it(`${format}: a new project that gives what the source gave: no warning of them, one line in the log`, async () => {
      const backup = await actionBackup(same.url, options(format))
      const target = await supabaseLikeTarget(supabase)
      const { lines, result } = await logOf(() => actionRestore(target, backup))
      expect(result.warnings).toEqual([])
      expect(result.notRestored ?? []).toEqual([])
      expect(lines).toMatch(
        /^\d+ GRANT\/REVOKE statements on the provider's objects left out: the target's privileges on them are already what they set$/m
      )
      expect(restoreSummaryMarkdown(result)).not.toMatch(ACL_NOTE)
    })

    it(`${format}: one grant the target lacks (SELECT on auth.users): warned, naming that object only (its 3 statements)`, async () => {
      const backup = await actionBackup(granted.url, options(format))
      const target = await supabaseLikeTarget(supabase)
      const result = await actionRestore(target, backup)
      const acl =
        "3 GRANT/REVOKE statements on the provider's objects in auth (tables and sequences: auth.users) — they exist in the target, owned by the provider, and keep the privileges they have there, not the backup's; grant them as their owner if the backup's are needed"
      expect(result.warnings).toEqual([`Not restored — ${acl}.`])
      expect(result.notRestored).toEqual([acl])
    })
  }

  it('a table-level REVOKE where the target grants that role some of its columns: warned (it would revoke them too: attacker a91 F2)', async () => {
    const target = await supabaseLikeTarget(supabase)
    await target.instance.admin.query(
      target.database,
      'GRANT SELECT (id, email) ON TABLE auth.users TO anon'
    )
    const file = path.join(harness.work, 'revoke-columns.sql')
    writeFileSync(
      file,
      'CREATE TABLE public.notes (id int PRIMARY KEY);\nREVOKE SELECT ON TABLE auth.users FROM anon;\n'
    )
    const result = await actionRestore(target, { kind: 'file', path: file })
    expect(result.notRestored).toEqual([
      expect.stringMatching(
        /^1 GRANT\/REVOKE statement on the provider's objects in auth \(tables and sequences: auth\.users\)/
      )
    ])
  })
})

describe("RDS: a function in rdsadmin's schema, an extension only rdsadmin may create", () => {
  let source: ManagedDatabase
  let sourceSums: Record<string, TableChecksum>

  beforeAll(async () => {
    source = await rdsLikeSource(rdsSource)
    await source.instance.admin.query(
      source.database,
      `CREATE SCHEMA rdsadmin_util AUTHORIZATION rdsadmin;
       CREATE FUNCTION rdsadmin_util.heartbeat() RETURNS integer LANGUAGE sql AS 'SELECT 1';
       COMMENT ON FUNCTION rdsadmin_util.heartbeat() IS 'the provider''s';
       GRANT USAGE ON SCHEMA rdsadmin_util TO postgres;
       CREATE EXTENSION pg_stat_statements;`
    )
    sourceSums = await managedChecksums(source)
  }, 60_000)

  async function newInstance(): Promise<ManagedDatabase> {
    const target = await rdsLikeTarget(rdsInstance)
    await target.instance.admin.query(
      target.database,
      `CREATE SCHEMA rdsadmin_util AUTHORIZATION rdsadmin;
       CREATE FUNCTION rdsadmin_util.version() RETURNS text LANGUAGE sql AS 'SELECT ''1''';
       GRANT USAGE ON SCHEMA rdsadmin_util TO postgres;`
    )
    return target
  }

  it('by hand, pg_restore --no-owner --no-privileges: exits 1 on them, every table arrives', async () => {
    const file = `${harness.tempRoot}/rds-provider.dump`
    await dumpByHand(source, file)
    const target = await newInstance()
    const result = await restoreByHand(file, target, { tool: 'pg_restore' })
    expect(result.code).toBe(1)
    expect(new Set(result.errors)).toEqual(
      new Set([
        'schema "rdsadmin_util" already exists',
        'permission denied for schema rdsadmin_util',
        'function rdsadmin_util.heartbeat() does not exist',
        'permission denied to create extension "pg_stat_statements"',
        'extension "pg_stat_statements" does not exist'
      ])
    )
    expect(checksumDifferences(sourceSums, result.checksums)).toEqual([])
  })

  it('the action, default inputs: every table arrives; the function and the extension are not restored, each named with the fix', async () => {
    const backup = await actionBackup(source.url)
    const target = await newInstance()
    const result = await actionRestore(target, backup)
    expect(checksumDifferences(sourceSums, await managedChecksums(target))).toEqual([])
    expect(result.notRestored).toEqual(
      expect.arrayContaining([
        'FUNCTION rdsadmin_util.heartbeat — schema "rdsadmin_util" belongs to rdsadmin in the target, where postgres may not create objects; create it as that role',
        'EXTENSION pg_stat_statements — postgres may not create it in the target (not a trusted extension); enable it there first (Supabase: Dashboard → Database → Extensions; elsewhere CREATE EXTENSION "pg_stat_statements" as the provider\'s admin role — Neon: a role made in its console or API (a member of neon_superuser; owning the database is not enough); RDS: a member of rds_superuser — or a superuser)'
      ])
    )
    // the backup's GRANT USAGE ON SCHEMA rdsadmin_util TO postgres, left out: the instance gives
    // it already, so no word of it (trial u55 L2)
    expect(result.notRestored).toHaveLength(2)
    const functions = await target.instance.admin.query<{ name: string }>(
      target.database,
      `SELECT proname::text AS name FROM pg_proc WHERE pronamespace = 'rdsadmin_util'::regnamespace`
    )
    expect(functions).toEqual([{ name: 'version' }])
  })

  // the advice names the owner of what the error is about, read from the target
  it("a schema of another role (no provider's), allow-non-empty: true: the failure names its owner in the target and what to do; target unchanged", async () => {
    const own = await rdsLikeTarget(rdsSource)
    await own.instance.admin.query(
      own.database,
      `CREATE ROLE ops_owner NOLOGIN;
       CREATE SCHEMA ops AUTHORIZATION ops_owner;
       GRANT USAGE, CREATE ON SCHEMA ops TO postgres;`
    )
    await own.instance.userQuery(
      own.database,
      `CREATE TABLE ops.jobs (id int PRIMARY KEY); INSERT INTO ops.jobs VALUES (1)`
    )
    const backup = await actionBackup(own.url)
    const target = await rdsLikeTarget(rdsInstance)
    await target.instance.admin.query(
      target.database,
      `CREATE ROLE ops_owner NOLOGIN; CREATE SCHEMA ops AUTHORIZATION ops_owner;`
    )
    const before = await managedChecksums(target)
    const error = await failure(actionRestore(target, backup, { allowNonEmpty: true }))
    expect(error?.message).toMatch(/permission denied for schema ops/)
    expect(error?.message).toContain(
      'The restoring role may not create objects in the schema ops of the target (it lacks CREATE on it). In the target, the schema ops belongs to "ops_owner"'
    )
    expect(error?.message).not.toMatch(/keep no-owner and no-privileges true/)
    expect(await managedChecksums(target)).toEqual(before)
  })
})

describe('an object the backup gives to a role that may not create in its schema in the target (trial u29 F1, u43 F1)', () => {
  it("no-owner: auto: an owner PostgreSQL refuses when it comes (pg_restore by hand fails on it) is set at the end of the load, once the backup's own GRANT gave its role CREATE on the schema (trial u51 F1, F3); the rows are restored, the other owners are set", async () => {
    const source = await rdsLikeTarget(rdsSource)
    await source.instance.admin.query(
      source.database,
      `DO $$BEGIN CREATE ROLE billing_u29 NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END$$;
       GRANT billing_u29 TO postgres;
       GRANT CREATE ON SCHEMA public TO billing_u29;`
    )
    await source.instance.userQuery(
      source.database,
      `CREATE TABLE public.invoices (id int PRIMARY KEY); INSERT INTO public.invoices VALUES (1), (2);
       ALTER TABLE public.invoices OWNER TO billing_u29;
       CREATE SCHEMA billing AUTHORIZATION billing_u29;
       CREATE TABLE billing.plans (id int); INSERT INTO billing.plans VALUES (7);
       ALTER TABLE billing.plans OWNER TO billing_u29;
       CREATE SCHEMA mine;
       GRANT CREATE ON SCHEMA mine TO billing_u29;
       CREATE TABLE mine.notes (id int);
       ALTER TABLE mine.notes OWNER TO billing_u29;`
    )
    const backup = await actionBackup(source.url)
    const target = await rdsLikeTarget(rdsInstance)
    await target.instance.admin.query(
      target.database,
      `DO $$BEGIN CREATE ROLE billing_u29 NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END$$;
       GRANT billing_u29 TO postgres;`
    )
    const { lines } = await logOf(() => actionRestore(target, backup))
    // public and mine: billing_u29 lacks CREATE there when the owners come (mine: the backup's
    // schema, still the restoring role's; its GRANTs come later): set at the end of the load,
    // after the backup's GRANTs gave it (trial u51 F1, F3); billing: its own
    expect(lines).toContain(
      '2 owners of the backup (ALTER … OWNER TO) were set at the end of the load, in its transaction'
    )
    expect(lines).toContain(
      '"billing_u29" on the schema "mine"; "billing_u29" on the schema "public"'
    )
    expect(lines).not.toMatch(/^- owner not set: "billing_u29"/m)
    expect(
      await target.instance.userQuery(
        target.database,
        `SELECT c.relnamespace::regnamespace::text || '.' || c.relname AS t, pg_get_userbyid(c.relowner) AS owner,
                (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %s', c.oid::regclass), false, true, '')))[1]::text::int AS n
           FROM pg_class c WHERE c.relname IN ('invoices', 'plans', 'notes') AND c.relkind = 'r' ORDER BY 1`
      )
    ).toEqual([
      { t: 'billing.plans', owner: 'billing_u29', n: 1 },
      { t: 'mine.notes', owner: 'billing_u29', n: 0 },
      { t: 'public.invoices', owner: 'billing_u29', n: 2 }
    ])
  })

  it("a schema the backup gives to another role: an object's owner outside that role's privileges is set at the end of the load (the backup grants it CREATE there), a member's is set (attacker a69 F5: the whole restore failed)", async () => {
    const roles = `DO $$BEGIN
         CREATE ROLE ops_a69 NOLOGIN; CREATE ROLE ops_member_a69 NOLOGIN; CREATE ROLE outsider_a69 NOLOGIN;
       EXCEPTION WHEN duplicate_object THEN NULL; END$$;
       GRANT ops_a69 TO ops_member_a69;
       GRANT ops_a69, ops_member_a69, outsider_a69 TO postgres;`
    const source = await rdsLikeTarget(rdsSource)
    await source.instance.admin.query(source.database, roles)
    await source.instance.userQuery(
      source.database,
      `CREATE SCHEMA shared AUTHORIZATION ops_a69;
       GRANT USAGE, CREATE ON SCHEMA shared TO outsider_a69;
       CREATE TABLE shared.outside (id int); INSERT INTO shared.outside VALUES (1);
       ALTER TABLE shared.outside OWNER TO outsider_a69;
       CREATE TABLE shared.inside (id int); INSERT INTO shared.inside VALUES (2);
       ALTER TABLE shared.inside OWNER TO ops_member_a69;`
    )
    const backup = await actionBackup(source.url)
    const target = await rdsLikeTarget(rdsInstance)
    await target.instance.admin.query(target.database, roles)
    const { lines } = await logOf(() => actionRestore(target, backup))
    // outsider_a69 lacks CREATE on shared when its owner comes: the backup's GRANT gives it
    // later in the load, and the owner is set at its end (trial u51 F1)
    expect(lines).toContain('"outsider_a69" on the schema "shared"')
    expect(lines).not.toMatch(/^- owner not set: "outsider_a69"/m)
    expect(
      await target.instance.userQuery(
        target.database,
        `SELECT c.relname AS t, pg_get_userbyid(c.relowner) AS owner,
                has_schema_privilege('outsider_a69', 'shared', 'CREATE') AS granted
           FROM pg_class c WHERE c.relnamespace = 'shared'::regnamespace AND c.relkind = 'r' ORDER BY 1`
      )
    ).toEqual([
      { t: 'inside', owner: 'ops_member_a69', granted: true },
      { t: 'outside', owner: 'outsider_a69', granted: true }
    ])
  })
})

describe('a failure names the entry of the failed statement, with its own DETAIL and HINT only', () => {
  it('a WARNING with a HINT of an earlier statement (CREATE PUBLICATION, wal_level) is not taken for the error', async () => {
    const server = harness.server
    const db = await server.createDatabase()
    // the materialized view's query fails on the restored rows: its REFRESH, after the
    // publication in pg_dump's order, fails; a large object keeps the load on psql
    await server.query(
      db,
      `CREATE TABLE t (x int);
       CREATE MATERIALIZED VIEW mv AS SELECT 1 / (count(*)::int - 2) AS q FROM t;
       INSERT INTO t VALUES (1), (2);
       CREATE PUBLICATION pub_all FOR TABLE t;
       SELECT lo_from_bytea(0, 'blob');`
    )
    await harness.backup(testBackupInputs(server.url(db), { artifactName: 'attribution' }))
    const backup: BackupSource = {
      kind: 'artifact',
      name: 'attribution',
      runId: 'current',
      repository: harness.backend.repository,
      token: harness.backend.githubToken
    }
    const target = await server.createDatabase()
    const error = await failure(harness.restore(testRestoreInputs(server.url(target), backup)))
    expect(error?.message).toMatch(/division by zero/)
    expect(error?.message).toMatch(/in the archive's entry MATERIALIZED VIEW DATA public\.mv/)
    expect(error?.message).not.toMatch(/PUBLICATION|wal_level/)
  })
})

describe('an event trigger whose owner is no superuser in the target (create-roles)', () => {
  let backup: BackupSource

  beforeAll(async () => {
    const server = harness.server
    const db = await server.createDatabase()
    await server.query(
      db,
      `DO $$ BEGIN CREATE ROLE et_admin SUPERUSER NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
       CREATE TABLE items (id int PRIMARY KEY); INSERT INTO items VALUES (1), (2);
       CREATE FUNCTION public.on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;
       CREATE EVENT TRIGGER watch_ddl ON ddl_command_end EXECUTE FUNCTION public.on_ddl();
       ALTER EVENT TRIGGER watch_ddl OWNER TO et_admin;`
    )
    await harness.backup(
      testBackupInputs(server.url(db), { artifactName: 'evtrig', globals: true })
    )
    backup = {
      kind: 'artifact',
      name: 'evtrig',
      runId: 'current',
      repository: harness.backend.repository,
      token: harness.backend.githubToken
    }
  }, 120_000)

  it("restore, create-roles: true, into a new server: every row arrives; the event trigger stays the restoring role's, listed", async () => {
    const db = await fresh.createDatabase()
    const result = await harness.restore(
      testRestoreInputs(fresh.url(db), backup, { createRoles: true, noOwner: false })
    )
    expect(result.roles?.created).toContain('et_admin')
    const rows = await fresh.query<{ n: string; owner: string }>(
      db,
      `SELECT (SELECT count(*)::text FROM items) AS n,
              (SELECT pg_get_userbyid(evtowner)::text FROM pg_event_trigger WHERE evtname = 'watch_ddl') AS owner`
    )
    expect(rows).toEqual([{ n: '2', owner: fresh.user }])
    expect(result.skipped.map(g => g.reason)).toContain(
      `owner not set: "et_admin" is not a superuser in the target, and the owner of an event trigger must be one (it stays ${fresh.user}'s)`
    )
  })

  it('verify, create-roles: true, on a new server: passes; the owner difference is listed as expected', async () => {
    const db = await fresh.createDatabase()
    const result = await harness.verify(
      testRestoreInputs(fresh.url(db), backup, {
        mode: 'verify',
        createRoles: true,
        noOwner: false
      })
    )
    const differences = result.equality.comparison?.differences ?? []
    const trigger = differences.filter(d => d.object.includes('watch_ddl'))
    expect(trigger).toEqual([
      expect.objectContaining({
        what: `is owned by ${fresh.user}, in the backup by et_admin`,
        expectedBecause: expect.stringMatching(/ALTER … OWNER/) as unknown as string
      })
    ])
  })
})

describe("verify into a newer project: the provider's table has a column the backup's has not", () => {
  let source: ManagedDatabase
  let backup: BackupSource

  beforeAll(async () => {
    source = await supabaseLikeSource(supabase)
    backup = await actionBackup(source.url)
  }, 60_000)

  /** A new project of a newer platform version: auth.users with one more column (u8 F7). */
  async function newerProject(): Promise<ManagedDatabase> {
    const target = await newProject()
    await target.instance.admin.query(
      target.database,
      "ALTER TABLE auth.users ADD COLUMN phone_hint text DEFAULT 'n/a'"
    )
    return target
  }

  it('its rows are compared on the backup’s columns: equal, the extra one named', async () => {
    const scratch = await newerProject()
    // (the comparison, whether or not verify passed on everything else)
    const result = await harness
      .verify(testRestoreInputs(scratch.url, backup, { mode: 'verify' }))
      .catch((e: { details?: { equality: VerifyResult['equality'] } }) => e.details!)
    const data = (result.equality.comparison?.differences ?? []).filter(
      d => d.object === 'TABLE DATA auth.users'
    )
    expect(data).toEqual([
      expect.objectContaining({
        expectedBecause: expect.stringMatching(
          /^the restored table has 1 column the backup's has not \(phone_hint\), which the restore filled with their defaults; on the backup's \d+ columns its \d+ rows are equal to the backup's$/
        ) as unknown as string
      })
    ])
  })

  it("fails where a row differs on the backup's columns too, naming the extra column", async () => {
    const scratch = await newerProject()
    const error = await failure(
      harness.verify(testRestoreInputs(scratch.url, backup, { mode: 'verify' }), {
        beforeCompare: async () => {
          await scratch.instance.admin.query(
            scratch.database,
            "UPDATE auth.users SET email = 'changed@example.com' WHERE email IS NOT NULL AND ctid = (SELECT min(ctid) FROM auth.users WHERE email IS NOT NULL)"
          )
        }
      })
    )
    expect(error?.message).toMatch(
      /TABLE DATA auth\.users differs: .*; the restored table has 1 column the backup's has not \(phone_hint\), and on the backup's columns alone the rows differ too/
    )
  })
})

describe('verify into a project whose provider bookkeeping table holds rows of its own (trial u29 F3)', () => {
  let source: ManagedDatabase
  let backup: BackupSource

  beforeAll(async () => {
    source = await supabaseLikeSource(supabase)
    backup = await actionBackup(source.url)
  }, 60_000)

  /**
   * A scratch project whose realtime.schema_migrations rows are its own (inserted_at = now(), as
   * the platform writes them): the restore keeps them and leaves the backup's out.
   */
  async function scratchProject(): Promise<ManagedDatabase> {
    const target = await newProject()
    await target.instance.admin.query(
      target.database,
      "UPDATE realtime.schema_migrations SET inserted_at = now()::timestamp(0) + interval '1 day'"
    )
    return target
  }

  it('passes: the kept table is left out of the comparison, named as an expected difference (log, result, summary)', async () => {
    const scratch = await scratchProject()
    // the runner's log (@actions/core writes it to stdout)
    const logged: string[] = []
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation(((chunk: unknown) => {
      logged.push(String(chunk))
      return true
    }) as typeof process.stdout.write)
    const result = await harness
      .verify(testRestoreInputs(scratch.url, backup, { mode: 'verify' }))
      .finally(() => spy.mockRestore())
    expect(result.kept).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          schema: 'realtime',
          name: 'schema_migrations',
          targetRows: 4,
          backupRows: 4
        })
      ])
    )
    const data = (result.equality.comparison?.differences ?? []).filter(
      d => d.object === 'TABLE DATA realtime.schema_migrations'
    )
    expect(data).toEqual([
      expect.objectContaining({
        expectedBecause:
          "the restore kept the target's 4 rows of realtime.schema_migrations, a provider table that held rows; the backup's 4 rows were not loaded, as a restore into this project would do"
      })
    ])
    // every expected data difference is a kept table's: nothing else was let through
    const keptNames = new Set(result.kept.map(t => `TABLE DATA ${t.schema}.${t.name}`))
    const dataExpected = (result.equality.comparison?.differences ?? []).filter(
      d => d.object.startsWith('TABLE DATA ') && d.expectedBecause
    )
    for (const d of dataExpected) expect(keptNames.has(d.object)).toBe(true)
    const md = verifySummaryMarkdown(result)
    expect(md).toContain(
      "differs, expected because the restore kept the target's 4 rows of realtime.schema_migrations, a provider table that held rows; the backup's 4 rows were not loaded, as a restore into this project would do: 1"
    )
    expect(md).toContain("The rows of the platform's migration bookkeeping (")
    expect(md).toMatch(
      /migration bookkeeping \([^)]*realtime\.schema_migrations[^)]*\) are the scratch project's, not the backup's/
    )
    expect(md).toMatch(
      /\| Table data \(sha256 of the COPY text\) \| \d+ \| \d+ \| 1 \(all expected\) \| 0 \|/
    )
    expect(logged.join('')).toMatch(/Tables: \d+ compared, \d+ equal, 1 differ \(all expected\)\./)
    expect(logged.join('')).toMatch(
      /TABLE DATA realtime\.schema_migrations differs: .* — expected because the restore kept the target's 4 rows of realtime\.schema_migrations/
    )
  })

  it('fails where a table the restore did not keep differs, naming it (not the kept one)', async () => {
    const scratch = await scratchProject()
    const error = await failure(
      harness.verify(testRestoreInputs(scratch.url, backup, { mode: 'verify' }), {
        beforeCompare: async () => {
          await scratch.instance.userQuery(
            scratch.database,
            "UPDATE public.todos SET task = 'changed after the restore' WHERE id = (SELECT min(id) FROM public.todos)"
          )
        }
      })
    )
    expect(error?.message).toMatch(
      /the restored database differs from the backup: TABLE DATA public\.todos differs/
    )
    expect(error?.message).not.toMatch(/realtime\.schema_migrations/)
  })

  it("fails where the restore kept a table that is no platform's bookkeeping: a schema a superuser made for the app (re-attack a46 F1)", async () => {
    const server = harness.server
    const role = `a46_app_${Math.random().toString(36).slice(2, 8)}`
    await server.query('postgres', `CREATE ROLE ${role} LOGIN PASSWORD 'a46-app-pw-7c1e'`)
    const databases: string[] = []
    for (const rows of [
      "INSERT INTO app.t SELECT g, 'backup-' || g FROM generate_series(1, 5) g",
      "INSERT INTO app.t VALUES (99, 'scratch-stale')"
    ]) {
      const database = await server.createDatabase()
      databases.push(database)
      await server.query(
        database,
        `ALTER DATABASE ${database} OWNER TO ${role};
         CREATE SCHEMA app; CREATE TABLE app.t (id int PRIMARY KEY, v text);
         GRANT USAGE ON SCHEMA app TO ${role};
         GRANT SELECT, INSERT, UPDATE, DELETE ON app.t TO ${role};
         ${rows};`
      )
    }
    const [from, scratch] = databases
    const as = (database: string) =>
      server.url(database, { user: role, password: 'a46-app-pw-7c1e' })
    const name = `a46-${role}`
    await harness.backup(testBackupInputs(as(from), { artifactName: name }))
    const error = await failure(
      harness.verify(
        testRestoreInputs(
          as(scratch),
          {
            kind: 'artifact',
            name,
            runId: 'current',
            repository: harness.backend.repository,
            token: harness.backend.githubToken
          },
          { mode: 'verify' }
        )
      )
    )
    // its 5 rows of the backup would never load: the scratch is refused as not empty (before
    // a46 F1's restore side: "TABLE DATA app.t differs", and before that it passed)
    expect(error?.message).toMatch(
      /is not empty where the backup goes: app\.t \(schema "app" of "postgres"\) holds 1 row and the backup loads 5 rows into it/
    )
  })
})

describe("a schema a superuser (a DBA) made for the app, whose tables the app's role writes (attacker a46 F1, a47, the restore)", () => {
  const password = 'a46-restore-pw-3f9d'
  /** A database owned by `role`, with schema `schema` (of postgres) and `setup`. */
  async function appDatabase(role: string, setup: string, schema = 'app'): Promise<string> {
    const server = harness.server
    const database = await server.createDatabase()
    await server.query(
      database,
      `ALTER DATABASE ${database} OWNER TO ${role};
       CREATE SCHEMA ${schema}; GRANT USAGE ON SCHEMA ${schema} TO ${role};
       CREATE TABLE ${schema}.t (id int PRIMARY KEY, v text);
       CREATE TABLE ${schema}.ro (id int PRIMARY KEY);
       CREATE TABLE ${schema}.wo (id int PRIMARY KEY);
       ${setup}`
    )
    return database
  }
  const rows = async (database: string, table: string): Promise<string[]> =>
    (await harness.server.query(database, `SELECT id::text AS id FROM ${table} ORDER BY id`)).map(
      r => String(r.id)
    )
  /** A fresh login role, and the URL of a database as it. */
  async function appRole(): Promise<{ role: string; as: (database: string) => string }> {
    const role = `a46_r_${Math.random().toString(36).slice(2, 8)}`
    await harness.server.query('postgres', `CREATE ROLE ${role} LOGIN PASSWORD '${password}'`)
    return { role, as: database => harness.server.url(database, { user: role, password }) }
  }
  /** Backs `url` up as artifact `name`; the source to restore it from. */
  async function backUp(url: string, options: Partial<BackupOptions> = {}) {
    const name = `a46r-${Math.random().toString(36).slice(2, 8)}`
    await harness.backup(testBackupInputs(url, { artifactName: name, ...options }))
    return {
      kind: 'artifact',
      name,
      runId: 'current',
      repository: harness.backend.repository,
      token: harness.backend.githubToken
    } as const
  }

  it('a table there that holds rows, one the role may not write, one it may not read: refused naming each with its fix, nothing changed; done as it says, every row arrives', async () => {
    const server = harness.server
    const { role, as } = await appRole()
    const from = await appDatabase(
      role,
      `GRANT SELECT ON app.t, app.ro, app.wo TO ${role};
       INSERT INTO app.t SELECT g, 'backup-' || g FROM generate_series(1, 5) g;
       INSERT INTO app.ro VALUES (1), (2), (3), (4);
       INSERT INTO app.wo VALUES (7);`
    )
    const into = await appDatabase(
      role,
      `GRANT SELECT, INSERT, UPDATE, DELETE ON app.t TO ${role};
       GRANT SELECT ON app.ro TO ${role};
       GRANT INSERT ON app.wo TO ${role};
       INSERT INTO app.t VALUES (99, 'target-own');`
    )
    const source = await backUp(as(from))
    const error = await failure(harness.restore(testRestoreInputs(as(into), source)))
    expect(error?.message).toContain(
      `app.t (schema "app" of "postgres") holds 1 row and the backup loads 5 rows into it`
    )
    expect(error?.message).toContain('DELETE FROM app.t;')
    expect(error?.message).toContain(
      `may not read app.wo (schema "app" of "postgres"; the backup's 1 row) in the target`
    )
    expect(error?.message).toContain(`GRANT SELECT ON app.wo TO ${role};`)
    expect(error?.message).toContain(
      `may not write app.ro (schema "app" of "postgres"; the backup's 4 rows), where the backup has rows`
    )
    expect(error?.message).toContain(`GRANT INSERT ON app.ro TO ${role};`)
    expect(error?.message).toMatch(/Nothing was changed\.$/)
    expect(await rows(into, 'app.t')).toEqual(['99'])
    expect(await rows(into, 'app.ro')).toEqual([])
    // done as the error says: every row of the backup arrives
    await server.query(
      into,
      `DELETE FROM app.t; GRANT SELECT ON app.wo TO ${role}; GRANT INSERT ON app.ro TO ${role};`
    )
    await harness.restore(testRestoreInputs(as(into), source))
    expect(await rows(into, 'app.t')).toEqual(['1', '2', '3', '4', '5'])
    expect(await rows(into, 'app.ro')).toEqual(['1', '2', '3', '4'])
    expect(await rows(into, 'app.wo')).toEqual(['7'])
  })

  it('a plain SQL script: the same refusal advises a backup without the table, not the archive-only tables / schemas (attacker a80 F11)', async () => {
    const { role, as } = await appRole()
    const from = await appDatabase(
      role,
      `GRANT SELECT ON app.t, app.ro, app.wo TO ${role}; INSERT INTO app.ro VALUES (1), (2);`
    )
    const into = await appDatabase(role, `GRANT SELECT ON app.ro TO ${role};`)
    const source = await backUp(as(from), { format: 'plain' })
    const error = await failure(harness.restore(testRestoreInputs(as(into), source)))
    expect(error?.message).toContain(
      `may not write app.ro (schema "app" of "postgres"; the backup's 2 rows), where the backup has rows`
    )
    expect(error?.message).toContain(
      "or make a backup without it (this plain SQL script restores whole: the backup's exclude-tables or exclude-schemas"
    )
    expect(error?.message).not.toContain("('tables' / 'schemas' naming the rest)")
    expect(await rows(into, 'app.ro')).toEqual([])
  })

  it("data-only is refused as for the role's own schemas; allow-non-empty adds the backup's rows to the target's, as pg_restore does (attacker a47 F1: both kept the target's and exited 0)", async () => {
    const { role, as } = await appRole()
    const grants = `GRANT SELECT, INSERT, DELETE ON app.t, app.ro, app.wo TO ${role};`
    const from = await appDatabase(
      role,
      `${grants} INSERT INTO app.t SELECT g, 'backup-' || g FROM generate_series(1, 5) g;`
    )
    const source = await backUp(as(from))
    for (const options of [{ dataOnly: true }, { dataOnly: true, allowNonEmpty: true }]) {
      const into = await appDatabase(role, `${grants} INSERT INTO app.t VALUES (99, 'target-own');`)
      const error = await failure(harness.restore(testRestoreInputs(as(into), source, options)))
      expect(error?.message).toContain(
        `app.t (schema "app" of "postgres") holds 1 row and the backup loads 5 rows into it`
      )
      expect(error?.message).toContain(
        "data-only loads the backup's rows only into tables that hold none"
      )
      expect(await rows(into, 'app.t')).toEqual(['99'])
    }
    const into = await appDatabase(role, `${grants} INSERT INTO app.t VALUES (99, 'target-own');`)
    const result = await harness.restore(
      testRestoreInputs(as(into), source, { allowNonEmpty: true })
    )
    expect(await rows(into, 'app.t')).toEqual(['1', '2', '3', '4', '5', '99'])
    expect(result.kept).toEqual([])
  })

  it('a manifest that counts the table empty only by estimate does not let it through (attacker a47 F2)', async () => {
    const server = harness.server
    const { role, as } = await appRole()
    const grants = `GRANT SELECT, INSERT, DELETE ON app.t, app.ro, app.wo TO ${role};`
    const from = await appDatabase(role, `${grants} ANALYZE app.t;`)
    await server.query(
      from,
      "INSERT INTO app.t SELECT g, 'backup-' || g FROM generate_series(1, 5) g"
    )
    const source = await backUp(as(from), { rowCounts: 'estimate' })
    const into = await appDatabase(role, `${grants} INSERT INTO app.t VALUES (99, 'target-own');`)
    const error = await failure(harness.restore(testRestoreInputs(as(into), source)))
    expect(error?.message).toMatch(
      /app\.t \(schema "app" of "postgres"\) holds 1 row and the backup loads rows into it/
    )
    expect(await rows(into, 'app.t')).toEqual(['99'])
  })

  it("a DBA's schema called auth with the app's migrations table is no platform's bookkeeping: refused, not kept (attacker a47 F4)", async () => {
    const { role, as } = await appRole()
    const setup = (rows: string) =>
      `CREATE TABLE auth.migrations (id int PRIMARY KEY);
       GRANT SELECT, INSERT, DELETE ON ALL TABLES IN SCHEMA auth TO ${role}; ${rows}`
    const from = await appDatabase(
      role,
      setup('INSERT INTO auth.migrations SELECT generate_series(1, 5);'),
      'auth'
    )
    const source = await backUp(as(from))
    const into = await appDatabase(role, setup('INSERT INTO auth.migrations VALUES (99);'), 'auth')
    const error = await failure(harness.restore(testRestoreInputs(as(into), source)))
    expect(error?.message).toContain(
      'auth.migrations (schema "auth" of "postgres") holds 1 row and the backup loads 5 rows into it'
    )
    expect(await rows(into, 'auth.migrations')).toEqual(['99'])
  })

  it('the advice grants USAGE on the schema too where the role lacks it (attacker a47 F6)', async () => {
    const { role, as } = await appRole()
    const from = await appDatabase(
      role,
      `GRANT SELECT ON ALL TABLES IN SCHEMA app TO ${role}; INSERT INTO app.wo VALUES (7);`
    )
    const source = await backUp(as(from))
    const into = await appDatabase(
      role,
      `REVOKE USAGE ON SCHEMA app FROM ${role}; GRANT INSERT ON app.wo TO ${role};`
    )
    const error = await failure(harness.restore(testRestoreInputs(as(into), source)))
    expect(error?.message).toContain(`GRANT USAGE ON SCHEMA app TO ${role}; GRANT`)
  })

  it('allow-non-empty with a plain script of INSERTs (pg_dump --inserts, supabase db dump --data-only) adds its rows as with COPY (attacker a48 F1: rolled back as a change of the target)', async () => {
    const server = harness.server
    const { role, as } = await appRole()
    const grants = `GRANT SELECT, INSERT, DELETE ON app.t, app.ro, app.wo TO ${role};`
    const from = await appDatabase(
      role,
      `${grants} INSERT INTO app.t SELECT g, 'backup-' || g FROM generate_series(1, 5) g;`
    )
    const script = path.join(harness.work, `inserts-${role}.sql`)
    execFileSync(
      path.join(server.binDir, 'pg_dump'),
      ['--data-only', '--inserts', '--table=app.t', '-f', script],
      { env: server.env(from) }
    )
    const into = await appDatabase(role, `${grants} INSERT INTO app.t VALUES (99, 'target-own');`)
    await harness.restore(
      testRestoreInputs(as(into), { kind: 'file', path: script }, { allowNonEmpty: true })
    )
    expect(await rows(into, 'app.t')).toEqual(['1', '2', '3', '4', '5', '99'])
  })

  it('column grants on every column count as the table’s (attacker a48 F2: refused as "may not write")', async () => {
    const { role, as } = await appRole()
    const from = await appDatabase(
      role,
      `GRANT SELECT ON app.t, app.ro, app.wo TO ${role};
       INSERT INTO app.t SELECT g, 'backup-' || g FROM generate_series(1, 5) g;`
    )
    const source = await backUp(as(from))
    const into = await appDatabase(
      role,
      `GRANT SELECT (id, v), INSERT (id, v) ON app.t TO ${role};
       GRANT SELECT, INSERT ON app.ro, app.wo TO ${role};`
    )
    await harness.restore(testRestoreInputs(as(into), source))
    expect(await rows(into, 'app.t')).toEqual(['1', '2', '3', '4', '5'])
  })

  it("allow-non-empty: rows of the backup a target's trigger drops fail the row counts (attacker a48 F3: a warning blamed another session)", async () => {
    const { role, as } = await appRole()
    const grants = `GRANT SELECT, INSERT, DELETE ON app.t, app.ro, app.wo TO ${role};`
    const from = await appDatabase(
      role,
      `${grants} INSERT INTO app.t SELECT g, CASE WHEN g % 2 = 0 THEN 'dup' ELSE 'b' || g END FROM generate_series(1, 6) g;`
    )
    const source = await backUp(as(from))
    const into = await appDatabase(
      role,
      `${grants} INSERT INTO app.t VALUES (99, 'dup');
       CREATE FUNCTION app.no_dup() RETURNS trigger LANGUAGE plpgsql AS
         $$BEGIN IF EXISTS (SELECT 1 FROM app.t WHERE v = NEW.v) THEN RETURN NULL; END IF; RETURN NEW; END$$;
       CREATE TRIGGER no_dup BEFORE INSERT ON app.t FOR EACH ROW EXECUTE FUNCTION app.no_dup();`
    )
    const error = await failure(
      harness.restore(testRestoreInputs(as(into), source, { allowNonEmpty: true }))
    )
    expect(error?.message).toContain(
      "app.t has 4 rows, 1 of its own before the restore and 6 of the backup's make 7"
    )
  })

  it("allow-non-empty: the row counts' line counts the manifest's rows, and says the target's own apart (trial u57 F4: 48 rows said to match the manifest's 46)", async () => {
    const { role, as } = await appRole()
    const grants = `GRANT SELECT, INSERT, DELETE ON app.t, app.ro, app.wo TO ${role};`
    const from = await appDatabase(
      role,
      `${grants} INSERT INTO app.t SELECT g, 'b' || g FROM generate_series(1, 6) g;`
    )
    const source = await backUp(as(from))
    const into = await appDatabase(role, `${grants} INSERT INTO app.t VALUES (98, 'x'), (99, 'y');`)
    const { lines } = await logOf(() =>
      harness.restore(testRestoreInputs(as(into), source, { allowNonEmpty: true }))
    )
    expect(await rows(into, 'app.t')).toHaveLength(8)
    expect(lines).toMatch(
      /match the manifest's row counts \(6 rows\)\. Besides, app\.t holds 2 rows of the target's own\./
    )
  })

  it("a role named like the platform's owning a DBA's auth.migrations gives it no bookkeeping status (attacker a48 F5)", async () => {
    const server = harness.server
    const { role, as } = await appRole()
    const owner = `supabase_${role}_admin`
    await server.query('postgres', `CREATE ROLE ${owner} NOLOGIN`)
    const setup = (rows: string) =>
      `CREATE TABLE auth.migrations (id int PRIMARY KEY);
       ALTER TABLE auth.migrations OWNER TO ${owner};
       GRANT SELECT, INSERT, DELETE ON ALL TABLES IN SCHEMA auth TO ${role}; ${rows}`
    const from = await appDatabase(
      role,
      setup('INSERT INTO auth.migrations SELECT generate_series(1, 5);'),
      'auth'
    )
    const source = await backUp(as(from))
    const into = await appDatabase(role, setup('INSERT INTO auth.migrations VALUES (99);'), 'auth')
    const error = await failure(harness.restore(testRestoreInputs(as(into), source)))
    expect(error?.message).toContain(
      'auth.migrations (schema "auth" of "postgres") holds 1 row and the backup loads 5 rows into it'
    )
  })

  it("an extension's configuration table holding the extension's own rows: the backup's rows are added to them, as pg_restore adds them (attacker a47 F3: refused, and its DELETE advice wiped the extension's rows)", async () => {
    const server = harness.server
    if (!installProbeExtension(server.binDir)) return
    const { role, as } = await appRole()
    const databases: string[] = []
    for (const mine of [true, false]) {
      const database = await server.createDatabase()
      databases.push(database)
      await server.query(
        database,
        `ALTER DATABASE ${database} OWNER TO ${role};
         CREATE SCHEMA ext; CREATE EXTENSION pgbk16_probe SCHEMA ext;
         GRANT USAGE ON SCHEMA ext TO ${role}; GRANT SELECT, INSERT ON ext.ext_settings TO ${role};
         ${mine ? "INSERT INTO ext.ext_settings VALUES ('mine', '3', false);" : ''}`
      )
    }
    const [from, into] = databases
    const source = await backUp(as(from))
    await harness.restore(testRestoreInputs(as(into), source))
    const settings = await server.query(into, 'SELECT key FROM ext.ext_settings ORDER BY key')
    expect(settings.map(r => String(r.key))).toEqual(['a', 'b', 'mine'])
  })

  it("an extension's configuration table holding rows of the target's users (its dump condition selects them: a pg_cron job): held as any table's rows, the DELETE advice keeping the extension's own (attacker a48 F4)", async () => {
    const server = harness.server
    if (!installProbeExtension(server.binDir)) return
    const { role, as } = await appRole()
    const databases: string[] = []
    for (const row of ["('mine', '3', false)", "('theirs', '4', false)"]) {
      const database = await server.createDatabase()
      databases.push(database)
      await server.query(
        database,
        `ALTER DATABASE ${database} OWNER TO ${role};
         CREATE SCHEMA ext; CREATE EXTENSION pgbk16_probe SCHEMA ext;
         GRANT USAGE ON SCHEMA ext TO ${role}; GRANT SELECT, INSERT ON ext.ext_settings TO ${role};
         INSERT INTO ext.ext_settings VALUES ${row};`
      )
    }
    const [from, into] = databases
    const source = await backUp(as(from))
    const error = await failure(harness.restore(testRestoreInputs(as(into), source)))
    expect(error?.message).toContain(
      'ext.ext_settings (schema "ext" of "postgres"; an extension\'s configuration table) holds 1 row of its users (WHERE NOT builtin) and the backup loads'
    )
    expect(error?.message).toContain('DELETE FROM ext.ext_settings WHERE NOT builtin;')
    // nothing changed; restored next to them with allow-non-empty, as pg_restore adds them
    const keys = async () =>
      (await server.query(into, 'SELECT key FROM ext.ext_settings ORDER BY key')).map(r =>
        String(r.key)
      )
    expect(await keys()).toEqual(['a', 'b', 'theirs'])
    await harness.restore(testRestoreInputs(as(into), source, { allowNonEmpty: true }))
    expect(await keys()).toEqual(['a', 'b', 'mine', 'theirs'])
  })
})
