/**
 * A new-user trial's restore days (README: Supabase), on a Supabase-like project (PostgreSQL 15,
 * the restoring role `postgres` no superuser), with the action's own backups from the loopback
 * artifact backend:
 *  - F11: the schema came from migrations (supabase db push: the tables exist, empty), then the
 *    data of the action's own archive: `data-only: true` loads only its rows (pg_restore
 *    --data-only) into those tables, in one transaction — every row and the identity sequence
 *    arrive; a table with rows, a table or column the target lacks, a plain SQL backup are
 *    refused before anything runs, named; foreign keys across three tables whose names sort
 *    against their order load.
 *  - F6: a new project where one user signed up (auth.users holds a row): the backup's auth.users
 *    rows are withheld (the provider's table keeps the target's rows), and the app's foreign key
 *    onto it would fail the load without saying why: refused before the load, naming the rows
 *    withheld, the key and what to do.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { runTool, tableChecksums } from '../../dev/fixtures.js'
import { type TestServer, startPostgres } from '../../dev/postgres.js'
import type { TableChecksum } from '../../dev/fixtures.js'
import { embeddedBinDir } from '../support/embedded.js'
import { useHarness } from '../support/harness.js'
import { logOf } from '../support/log-capture.js'
import { testBackupInputs, testRestoreInputs } from '../support/inputs.js'
import {
  type ManagedDatabase,
  SUPABASE_APP_SQL,
  actionRoundTrip,
  checksumDifferences,
  managedChecksums,
  supabaseLikeSource,
  supabaseLikeTarget
} from '../support/managed.js'
import type { BackupOptions, BackupSource, RestoreOptions } from '../../src/types.js'

let supabase: TestServer
const harness = useHarness({ name: 'data-only-into-migrated' })
const { actionBackup, actionRestore } = actionRoundTrip(harness, 'migrated')

beforeAll(async () => {
  supabase = await startPostgres()
}, 120_000)

afterAll(async () => {
  await supabase?.stop()
})

async function failure(p: Promise<unknown>): Promise<Error | undefined> {
  return p.then(
    () => undefined,
    (e: Error) => e
  )
}

/** A new project whose schema came from the app's migrations (supabase db push): tables empty. */
async function migratedProject(): Promise<ManagedDatabase> {
  const target = await supabaseLikeTarget(supabase)
  await target.instance.userQuery(target.database, SUPABASE_APP_SQL)
  return target
}

async function count(db: ManagedDatabase, table: string): Promise<number> {
  const [row] = await db.instance.admin.query<{ n: string }>(
    db.database,
    `SELECT count(*)::text AS n FROM ${table}`
  )
  return Number(row.n)
}

/** The id the next row of the provider's auth.refresh_tokens takes (bigserial). */
async function nextTokenId(db: ManagedDatabase): Promise<string> {
  const [row] = await db.instance.admin.query<{ id: string }>(
    db.database,
    "INSERT INTO auth.refresh_tokens (token) VALUES ('next-token') RETURNING id::text AS id"
  )
  return row.id
}

/** The tables whose rows the backup's data holds, as checksums (the provider's bookkeeping aside). */
function appTables(sums: Record<string, TableChecksum>): Record<string, TableChecksum> {
  return Object.fromEntries(
    Object.entries(sums).filter(([k]) =>
      /^(public|supabase_migrations)\.|^auth\.(users|audit_log_entries)$|^storage\.(buckets|objects)$/.test(
        k
      )
    )
  )
}

describe('Supabase: the data of the action’s own archive into a project whose schema came from migrations (F11)', () => {
  let source: ManagedDatabase
  let sourceSums: Record<string, TableChecksum>
  let backup: BackupSource

  beforeAll(async () => {
    source = await supabaseLikeSource(supabase)
    sourceSums = appTables(await managedChecksums(source))
    backup = await actionBackup(source.url)
  }, 120_000)

  it('without data-only: refused as before (the tables exist), saying data-only loads the rows into them (trial u23 F1); with allow-non-empty too', async () => {
    const target = await migratedProject()
    const error = await failure(actionRestore(target, backup))
    expect(error?.message).toMatch(/is not empty/)
    expect(error?.message).toMatch(
      /Every table whose rows the backup holds is here and empty \(\d+ tables: a schema the app's migrations made\?\): to load only the backup's rows into them, keeping the target's tables, keys and triggers as they are, set 'data-only: true'\. Set 'clean: true'/
    )
    const next = await failure(actionRestore(target, backup, { allowNonEmpty: true }))
    expect(next?.message).toMatch(
      /whose names are taken .*set 'data-only: true'\. Set 'clean: true'/
    )
    expect(await count(target, 'auth.users')).toBe(0)
    // a table with a row: no such advice (data-only would refuse it)
    await target.instance.admin.query(
      target.database,
      "INSERT INTO auth.users (id, email) VALUES ('00000000-0000-0000-0000-00000000000a', 'early@example.com')"
    )
    const taken = await failure(actionRestore(target, backup))
    expect(taken?.message).toMatch(/is not empty/)
    expect(taken?.message).not.toMatch(/data-only/)
  })

  it('data-only: every row arrives in one transaction; the identity sequence is set, and a sequence of no table, as pg_restore --data-only sets it', async () => {
    const target = await migratedProject()
    const { lines } = await logOf(() => actionRestore(target, backup, { dataOnly: true }))
    expect(checksumDifferences(sourceSums, appTables(await managedChecksums(target)))).toEqual([])
    // the tables' rows before the load, not what it loads (trial u46: "(0 rows)" read as loading none)
    expect(lines).toMatch(
      /data-only: true — loading the backup's rows into the target's tables \(their rows now\): [^\n]*public\.todos \(empty now\)/
    )
    expect(lines).not.toMatch(/into the target's tables[^\n]*\(0 rows\)/)
    expect(await count(target, 'public.todos')).toBe(4)
    expect(await count(target, 'auth.users')).toBe(3)
    expect(await count(target, 'public.profiles')).toBe(3)
    // todos' identity sequence was set with its table: the next row gets id 5
    const [next] = await target.instance.admin.query<{ id: string }>(
      target.database,
      "INSERT INTO public.todos (user_id, task) SELECT id, 'next one' FROM auth.users LIMIT 1 RETURNING id::text"
    )
    expect(next.id).toBe('5')
    // the provider's auth.refresh_tokens, empty in the new project, got its rows and its
    // sequence with them: the next token takes id 2, not 1 again (trial u15 F1)
    expect(await nextTokenId(target)).toBe('2')
    // invoice_number_seq belongs to no table (the app calls nextval): set as in the source, as
    // pg_restore --data-only sets it (left at the migrations' 1000, the app would hand out
    // invoice numbers 1000 to 1042 a second time)
    const [seq] = await target.instance.admin.query<{ v: string; called: boolean }>(
      target.database,
      'SELECT last_value::text AS v, is_called AS called FROM public.invoice_number_seq'
    )
    expect(seq).toEqual({ v: '1042', called: true })
    // the target's trigger on auth.users is enabled again (it was off while the rows loaded)
    const [trigger] = await target.instance.admin.query<{ enabled: string }>(
      target.database,
      "SELECT tgenabled AS enabled FROM pg_trigger WHERE tgname = 'on_auth_user_created'"
    )
    expect(trigger.enabled).toBe('O')
    const [fk] = await target.instance.admin.query<{ deferrable: boolean }>(
      target.database,
      "SELECT condeferrable AS deferrable FROM pg_constraint WHERE conname = 'todos_user_id_fkey'"
    )
    expect(fk.deferrable).toBe(false)
  })

  it("data-only: a sequence the target's use moved past the backup's keeps its value (never moved back): of no table, of a table it fills, and one the load's own rows advanced", async () => {
    // the app handed out invoice numbers up to 5000; todos' identity had reached 100 (rows deleted)
    const target = await migratedProject()
    await target.instance.userQuery(
      target.database,
      `SELECT setval('public.invoice_number_seq', 5000);
       SELECT setval(pg_get_serial_sequence('public.todos', 'id'), 100);`
    )
    await actionRestore(target, backup, { dataOnly: true })
    const position = async (sequence: string) =>
      (
        await target.instance.admin.query<{ v: string; called: boolean }>(
          target.database,
          `SELECT last_value::text AS v, is_called AS called FROM ${sequence}`
        )
      )[0]
    expect(await position('public.invoice_number_seq')).toEqual({ v: '5000', called: true })
    const [next] = await target.instance.admin.query<{ id: string }>(
      target.database,
      "INSERT INTO public.todos (user_id, task) SELECT id, 'next one' FROM auth.users LIMIT 1 RETURNING id::text"
    )
    expect(next.id).toBe('101')
    expect(await count(target, 'public.todos')).toBe(5)

    // a column of the target's own takes invoice numbers as the backup's rows load (its default):
    // 1040 before the load, 1044 after its 4 rows, past the backup's 1042 — kept at 1044 (a20 A1)
    const fed = await migratedProject()
    await fed.instance.userQuery(
      fed.database,
      `ALTER TABLE public.todos ADD COLUMN invoice_no bigint DEFAULT nextval('public.invoice_number_seq');
       SELECT setval('public.invoice_number_seq', 1040);`
    )
    await actionRestore(fed, backup, { dataOnly: true })
    const [after] = await fed.instance.admin.query<{ v: string; taken: string }>(
      fed.database,
      `SELECT (SELECT last_value::text FROM public.invoice_number_seq) AS v,
              (SELECT string_agg(invoice_no::text, ',' ORDER BY invoice_no) FROM public.todos) AS taken`
    )
    expect(after).toEqual({ v: '1044', taken: '1041,1042,1043,1044' })
  })

  it('data-only: a table of the target with rows is refused before anything runs, named with its rows (allow-non-empty too)', async () => {
    const target = await migratedProject()
    await target.instance.userQuery(
      target.database,
      "INSERT INTO supabase_migrations.schema_migrations VALUES ('20240501090000', NULL, 'profiles')"
    )
    for (const overrides of [{ dataOnly: true }, { dataOnly: true, allowNonEmpty: true }]) {
      const error = await failure(actionRestore(target, backup, overrides))
      expect(error?.message).toMatch(
        /data-only: true loads the backup's rows only into tables that hold none, .* not empty: supabase_migrations\.schema_migrations \(1 row\)\. Nothing was changed/
      )
    }
    expect(await count(target, 'auth.users')).toBe(0)
    expect(await count(target, 'public.todos')).toBe(0)
    // Supabase's migration history: the advice to restore the other tables alone is not given,
    // as auth.schema_migrations has its name (pg_restore --table would take both)
    const error = await failure(actionRestore(target, backup, { dataOnly: true }))
    expect(error?.message).not.toMatch(/restore those alone/)
  })

  it('data-only: the TRUNCATE it advises for a table with rows names the tables that reference it, and runs (u10 F3)', async () => {
    const target = await migratedProject()
    await target.instance.userQuery(
      target.database,
      `INSERT INTO supabase_migrations.schema_migrations VALUES ('20240501090000', NULL, 'profiles');
       CREATE TABLE public.migration_notes (version text REFERENCES supabase_migrations.schema_migrations);
       INSERT INTO public.migration_notes VALUES ('20240501090000');`
    )
    const error = await failure(actionRestore(target, backup, { dataOnly: true }))
    const advised = /\(TRUNCATE ([^:)]+)[:)]/.exec(error?.message ?? '')?.[1]
    expect(advised).toBe('supabase_migrations.schema_migrations, public.migration_notes')
    // a table the backup does not fill: its rows no backup holds, said before the TRUNCATE (trial u47 F8)
    expect(error?.message).toMatch(
      /To replace their rows, public\.migration_notes must be emptied too, which the backup does not fill: it references them by a foreign key, so a TRUNCATE of them empties it as well, rows no backup holds — save what you need of it first, then empty them all \(TRUNCATE /
    )
    // with tables: never named in the tables value (the restore refuses a table the backup lacks)
    const withTables = await failure(
      actionRestore(target, backup, { dataOnly: true, tables: ['schema_migrations'] })
    )
    expect(withTables?.message).toMatch(/must be emptied too, which the backup does not fill/)
    expect(withTables?.message).not.toMatch(/tables: [^)]*migration_notes/)
    // the advice, followed, works (TRUNCATE of the first table alone fails on the reference)
    await target.instance.userQuery(target.database, `TRUNCATE ${advised}`)
    await actionRestore(target, backup, { dataOnly: true })
    expect(await count(target, 'public.todos')).toBe(4)
  })

  it("data-only with jobs: 2 (single-transaction: false, as pg_restore --data-only --jobs): every row arrives, auth's tables after auth.users by the target's keys, the sequences set (u13 F3)", async () => {
    const target = await migratedProject()
    // without one transaction the target's triggers fire as the rows load (as pg_restore
    // --data-only by hand): the app's trigger would make profiles twice, so it goes first (the
    // warning of a data-only restore says so)
    await target.instance.admin.query(
      target.database,
      'DROP TRIGGER on_auth_user_created ON auth.users'
    )
    await actionRestore(target, backup, { dataOnly: true, jobs: 2, singleTransaction: false })
    expect(checksumDifferences(sourceSums, appTables(await managedChecksums(target)))).toEqual([])
    for (const t of ['auth.identities', 'auth.sessions', 'auth.refresh_tokens'])
      expect([t, await count(target, t)]).toEqual([t, await count(source, t)])
    const [next] = await target.instance.admin.query<{ id: string }>(
      target.database,
      "INSERT INTO public.todos (user_id, task) SELECT id, 'next one' FROM auth.users LIMIT 1 RETURNING id::text"
    )
    expect(next.id).toBe('5')
    expect(await nextTokenId(target)).toBe('2')
    // a table that holds rows is refused before anything runs, as with jobs: 1
    const held = await migratedProject()
    await held.instance.userQuery(
      held.database,
      "INSERT INTO supabase_migrations.schema_migrations VALUES ('20240501090000', NULL, 'profiles')"
    )
    const error = await failure(
      actionRestore(held, backup, { dataOnly: true, jobs: 2, singleTransaction: false })
    )
    expect(error?.message).toMatch(
      /supabase_migrations\.schema_migrations \(1 row\)\. Nothing was changed/
    )
    expect(await count(held, 'auth.users')).toBe(0)
  })

  it('data-only: a table the target lacks, or a column of the backup it lacks, is refused before anything runs, named', async () => {
    const missing = await migratedProject()
    await missing.instance.userQuery(missing.database, 'DROP TABLE public.documents')
    const noTable = await failure(actionRestore(missing, backup, { dataOnly: true }))
    expect(noTable?.message).toMatch(
      /has no table public\.documents, whose rows the backup holds \(data-only creates no tables\).*Nothing was changed/
    )
    expect(await count(missing, 'auth.users')).toBe(0)

    const narrower = await migratedProject()
    await narrower.instance.userQuery(
      narrower.database,
      'ALTER TABLE public.documents DROP COLUMN body; ALTER TABLE public.todos ADD COLUMN note text NOT NULL'
    )
    const noColumn = await failure(actionRestore(narrower, backup, { dataOnly: true }))
    expect(noColumn?.message).toContain(
      "public.documents: the target lacks the backup's column body"
    )
    expect(noColumn?.message).toContain(
      "public.todos: the target's column note is NOT NULL without a default and not in the backup"
    )
    // the way to a dropped column's values (trial u65 F4): a copy restored beside the target
    expect(noColumn?.message).toMatch(
      /If a migration dropped or renamed a column whose values you want back: restore the whole backup into a new, empty database \(no setting\), then copy them over/
    )
    expect(noTable?.message).not.toMatch(/If a migration dropped or renamed a column/)
    expect(await count(narrower, 'auth.users')).toBe(0)
    // an extra column with a default is fine (COPY with a column list leaves it to its default)
    const wider = await migratedProject()
    await wider.instance.userQuery(
      wider.database,
      'ALTER TABLE public.todos ADD COLUMN priority int NOT NULL DEFAULT 3'
    )
    await actionRestore(wider, backup, { dataOnly: true })
    expect(await count(wider, 'public.todos WHERE priority = 3')).toBe(4)
  })

  it('a plain data-only script (pg_dump --data-only, as supabase db dump --data-only) with allow-non-empty: its sequences set as psql -f sets them, that of no table too (never moved back)', async () => {
    const script = await actionBackup(source.url, { format: 'plain', pgDumpArgs: ['--data-only'] })
    const target = await migratedProject()
    // its trigger would write a profile for each user the script loads (psql -f fails on the
    // script's own profiles then): off while the rows load, as for an archive (trial u20 F2)
    await actionRestore(target, script, { allowNonEmpty: true })
    expect(await count(target, 'public.todos')).toBe(4)
    expect(checksumDifferences(sourceSums, appTables(await managedChecksums(target)))).toEqual([])
    const [trigger] = await target.instance.admin.query<{ enabled: string }>(
      target.database,
      "SELECT tgenabled AS enabled FROM pg_trigger WHERE tgname = 'on_auth_user_created'"
    )
    expect(trigger.enabled).toBe('O')
    const [seq] = await target.instance.admin.query<{ v: string; called: boolean }>(
      target.database,
      'SELECT last_value::text AS v, is_called AS called FROM public.invoice_number_seq'
    )
    expect(seq).toEqual({ v: '1042', called: true })
    const [next] = await target.instance.admin.query<{ id: string }>(
      target.database,
      "INSERT INTO public.todos (user_id, task) SELECT id, 'next one' FROM auth.users LIMIT 1 RETURNING id::text"
    )
    expect(next.id).toBe('5')
  })

  it('data-only with a plain SQL backup: refused, saying what to do instead', async () => {
    const plain = await actionBackup(source.url, { format: 'plain', compression: 'gzip' })
    const target = await migratedProject()
    const error = await failure(actionRestore(target, plain, { dataOnly: true }))
    expect(error?.message).toMatch(/this backup is an SQL script/)
    expect(error?.message).toMatch(/allow-non-empty: true/)
    expect(await count(target, 'auth.users')).toBe(0)
  })
})

describe("data-only: the target's trigger on a table the restoring role does not own (u9 F9)", () => {
  it('fires as the rows load; the duplicate its rows make is explained by the trigger, with what to do', async () => {
    const source = await supabaseLikeSource(supabase)
    const backup = await actionBackup(source.url)
    const target = await migratedProject()
    // auth.users of a role the restoring role is no member of (a current Supabase project)
    await target.instance.admin.query(
      target.database,
      'ALTER TABLE auth.users OWNER TO supabase_admin; GRANT ALL ON auth.users TO postgres'
    )
    const error = await failure(actionRestore(target, backup, { dataOnly: true }))
    expect(error?.message).toMatch(/duplicate key value violates unique constraint/)
    expect(error?.message).toMatch(
      /Note: the target's 1 trigger auth\.users on_auth_user_created fired as the rows loaded .*Drop it before the restore, as its table's owner/
    )
    expect(await count(target, 'auth.users')).toBe(0)
    expect(await count(target, 'public.profiles')).toBe(0)
    // auth.users alone (tables): the trigger's profiles land in a table the backup does not
    // load, which the net finds changed — the trigger is named, not the backup (trial u14 F5)
    const alone = await migratedProject()
    await alone.instance.admin.query(
      alone.database,
      'ALTER TABLE auth.users OWNER TO supabase_admin; GRANT ALL ON auth.users TO postgres'
    )
    const net = await failure(
      actionRestore(alone, backup, { dataOnly: true, tables: ['users'], schemas: ['auth'] })
    )
    expect(net?.message).toMatch(
      /changed objects of the target that the backup does not own .*Note: the target's 1 trigger auth\.users on_auth_user_created fired as the rows loaded .*the target's doing, not the backup's/
    )
    expect(await count(alone, 'auth.users')).toBe(0)
    expect(await count(alone, 'public.profiles')).toBe(0)
  })

  it('a plain data-only script with allow-non-empty: the same note names the trigger, not the rows (trial u20 F2)', async () => {
    const source = await supabaseLikeSource(supabase)
    const script = await actionBackup(source.url, { format: 'plain', pgDumpArgs: ['--data-only'] })
    const target = await migratedProject()
    await target.instance.admin.query(
      target.database,
      'ALTER TABLE auth.users OWNER TO supabase_admin; GRANT ALL ON auth.users TO postgres'
    )
    const error = await failure(actionRestore(target, script, { allowNonEmpty: true }))
    expect(error?.message).toMatch(/duplicate key value violates unique constraint/)
    expect(error?.message).toMatch(
      /Note: the target's 1 trigger auth\.users on_auth_user_created fired as the rows loaded .*Drop it before the restore, as its table's owner/
    )
    expect(await count(target, 'auth.users')).toBe(0)
    expect(await count(target, 'public.profiles')).toBe(0)
  })
})

describe('F6: a new project where one user signed up already', () => {
  it('refused before the load as not empty where the backup goes (auth.users holds a row), saying what to do', async () => {
    const source = await supabaseLikeSource(supabase)
    const backup = await actionBackup(source.url)
    const target = await supabaseLikeTarget(supabase)
    await target.instance.admin.query(
      target.database,
      "INSERT INTO auth.users (id, email) VALUES ('0b1c2d3e-0000-4000-8000-000000000001', 'early@bird.com')"
    )
    const error = await failure(actionRestore(target, backup))
    expect(error?.message).toContain(
      'auth.users (schema "auth" of "supabase_admin") holds 1 row and the backup loads 3 rows into it'
    )
    // the project the backup came from (the same users) restores the app's own schemas; any
    // other takes the target's users deleted first (u15 F2)
    expect(error?.message).toMatch(
      /DELETE FROM auth\.users;.* if they are the backup's own rows \(the project or database it came from\), restore your own schemas only \(schemas: public\)/
    )
    // nothing ran: the app's tables were not created
    const [tables] = await target.instance.admin.query<{ n: string }>(
      target.database,
      "SELECT count(*)::text AS n FROM pg_tables WHERE schemaname = 'public'"
    )
    expect(tables.n).toBe('0')
    // deleting the sign-up, as the message says: the restore goes through
    await target.instance.admin.query(target.database, 'DELETE FROM auth.users')
    await actionRestore(target, backup)
    expect(await count(target, 'public.todos')).toBe(4)
    expect(await count(target, 'auth.users')).toBe(3)
  })
})

describe('data-only: foreign keys across three tables whose names sort against their order', () => {
  it('loads them all in one transaction (the keys checked at its end, set back as they were)', async () => {
    const server = harness.server
    const src = await server.createDatabase('fk_order_src')
    const schema = `CREATE TABLE public.c_parent (id int PRIMARY KEY, name text);
      CREATE TABLE public.b_middle (id int PRIMARY KEY, parent int NOT NULL REFERENCES public.c_parent);
      CREATE TABLE public.a_child (id serial PRIMARY KEY, middle int NOT NULL REFERENCES public.b_middle);`
    await server.query(
      src,
      `${schema}
       INSERT INTO public.c_parent SELECT g, 'p' || g FROM generate_series(1, 5) g;
       INSERT INTO public.b_middle SELECT g, 1 + g % 5 FROM generate_series(1, 10) g;
       INSERT INTO public.a_child (middle) SELECT 1 + g % 10 FROM generate_series(1, 20) g;`
    )
    await harness.backup(testBackupInputs(server.url(src), { artifactName: 'fk-order' }))
    const backup: BackupSource = {
      kind: 'artifact',
      name: 'fk-order',
      runId: 'current',
      repository: harness.backend.repository,
      token: harness.backend.githubToken
    }
    const target = await server.createDatabase('fk_order_target')
    await runTool(
      path.join(server.binDir, 'psql'),
      ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', server.url(target), '-c', schema],
      server.env(target)
    )
    const { lines } = await logOf(() =>
      harness.restore(testRestoreInputs(server.url(target), backup, { dataOnly: true }))
    )
    expect(await tableChecksums(server, target)).toEqual(await tableChecksums(server, src))
    // the keys it defers ask no order of the rows: the log says so, and nothing after it says
    // otherwise (trial u56 L1: "does not matter", then the load moved the rows for those keys)
    expect(lines).toMatch(
      /2 foreign keys between the tables it loads are checked at the end of the load \(deferred, then set back\), so the order of the archive's tables does not matter/
    )
    expect(lines).not.toMatch(
      /in another order than the archive's|load after the tables they reference/
    )
    const [seq] = await server.query<{ v: string }>(
      target,
      'SELECT last_value::text AS v FROM public.a_child_id_seq'
    )
    expect(seq.v).toBe('20')
    const keys = await server.query<{ deferrable: boolean }>(
      target,
      "SELECT condeferrable AS deferrable FROM pg_constraint WHERE contype = 'f'"
    )
    expect(keys).toEqual([{ deferrable: false }, { deferrable: false }])
  })
})

describe('data-only into a Prisma-migrated database whose _prisma_migrations holds its history (trial u60 F2)', () => {
  it('is refused with the advice to restore the other tables alone, first; that advice, followed, loads them and keeps the history', async () => {
    const server = harness.server
    const src = await server.createDatabase('prisma_src')
    const schema = `CREATE TABLE public._prisma_migrations (id text PRIMARY KEY, migration_name text);
      CREATE TABLE public."User" (id serial PRIMARY KEY, email text);
      CREATE TABLE public.posts (id serial PRIMARY KEY, author int REFERENCES public."User");`
    await server.query(
      src,
      `${schema}
       INSERT INTO public._prisma_migrations VALUES ('m1', '0001_init');
       INSERT INTO public."User" (email) SELECT 'u' || g || '@x' FROM generate_series(1, 5) g;
       INSERT INTO public.posts (author) SELECT 1 + g % 5 FROM generate_series(1, 9) g;`
    )
    const backup = await actionBackup(server.url(src))
    const target = await server.createDatabase('prisma_target')
    await server.query(
      target,
      `${schema} INSERT INTO public._prisma_migrations VALUES ('m1', '0001_init'), ('m2', '0002_more');`
    )
    const error = await failure(
      harness.restore(testRestoreInputs(server.url(target), backup, { dataOnly: true }))
    )
    const advised =
      /not empty: public\._prisma_migrations \(2 rows\)\. Nothing was changed \(allow-non-empty does not change this\)\. To keep the rows of public\._prisma_migrations as the target has it \(a migration history, written by the target's migrations\) and load the backup's into the empty tables only, restore those alone: tables: ([^ ]+) \(with their sequences\);/.exec(
        error?.message ?? ''
      )?.[1]
    expect(advised?.split(',').sort()).toEqual(['User', 'User_id_seq', 'posts', 'posts_id_seq'])
    await harness.restore(
      testRestoreInputs(server.url(target), backup, {
        dataOnly: true,
        tables: advised!.split(',')
      })
    )
    expect(
      await server.query(
        target,
        `SELECT (SELECT count(*)::int FROM public.posts) AS posts, (SELECT count(*)::int FROM public._prisma_migrations) AS history,
           (SELECT last_value::int FROM public."User_id_seq") AS seq`
      )
    ).toEqual([{ posts: 9, history: 2, seq: 5 }])
  })
})

describe("the target's triggers on a partitioned table the rows load into (a33 A7)", () => {
  const schema = `CREATE TABLE public.event_log (event int, at_table text);
    CREATE TABLE public.events (id int, kind text) PARTITION BY RANGE (id);
    CREATE TABLE public.events_low PARTITION OF public.events FOR VALUES FROM (0) TO (100);
    CREATE TABLE public.events_high PARTITION OF public.events FOR VALUES FROM (100) TO (200);
    CREATE FUNCTION public.log_event() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO public.event_log VALUES (NEW.id, TG_TABLE_NAME); RETURN NEW; END $$;
    CREATE TRIGGER audit AFTER INSERT ON public.events FOR EACH ROW EXECUTE FUNCTION public.log_event();`

  async function triggerStates(db: string): Promise<Record<string, string>> {
    const rows = await harness.server.query<{ t: string; e: string }>(
      db,
      "SELECT c.relname AS t, g.tgenabled AS e FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid WHERE g.tgname = 'audit'"
    )
    return Object.fromEntries(rows.map(r => [r.t, r.e]))
  }

  it('off while the rows load, each set back as it was: a partition whose copy of the trigger was disabled keeps it disabled (plain script via the partition root, and an archive)', async () => {
    const server = harness.server
    const src = await server.createDatabase('part_trigger_src')
    await server.query(
      src,
      `${schema}
       INSERT INTO public.events SELECT g, 'k' || g FROM generate_series(1, 199, 7) g;`
    )
    const cases: Array<{
      name: string
      backup: Partial<BackupOptions>
      restore: Partial<RestoreOptions>
    }> = [
      {
        name: 'part-trigger-plain',
        backup: { format: 'plain', pgDumpArgs: ['--data-only', '--load-via-partition-root'] },
        restore: { allowNonEmpty: true }
      },
      {
        name: 'part-trigger-archive',
        backup: { pgDumpArgs: ['--load-via-partition-root'] },
        restore: { dataOnly: true }
      }
    ]
    for (const c of cases) {
      const made = await harness.backup(
        testBackupInputs(server.url(src), { artifactName: c.name, ...c.backup })
      )
      // the plain script's COPY into the root: the manifest counts the root with its partitions
      // (attacker a35 A3: FROM ONLY counted 0), once; the archive's entries are the partitions'
      const counted = Object.fromEntries(made.manifest.rowCounts.tables.map(t => [t.name, t.rows]))
      expect(counted).toEqual(
        c.name === 'part-trigger-plain'
          ? { event_log: 29, events: 29 }
          : { event_log: 29, events_low: 15, events_high: 14 }
      )
      const target = await server.createDatabase(`${c.name.replace(/-/g, '_')}_target`)
      await runTool(
        path.join(server.binDir, 'psql'),
        ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', server.url(target), '-c', schema],
        server.env(target)
      )
      // the target's own choice: the high partition's copy of the trigger is off
      await server.query(target, 'ALTER TABLE public.events_high DISABLE TRIGGER audit')
      const before = await triggerStates(target)
      expect(before).toEqual({ events: 'O', events_low: 'O', events_high: 'D' })
      const backup: BackupSource = {
        kind: 'artifact',
        name: c.name,
        runId: 'current',
        repository: harness.backend.repository,
        token: harness.backend.githubToken
      }
      const result = await harness.restore(testRestoreInputs(server.url(target), backup, c.restore))
      // counted where the rows are, the partitions (attacker a34 A4: the parent's "0 rows")
      expect(result.rowsRestored).toBe(58)
      expect(Object.fromEntries(result.tables.map(t => [t.name, t.rows]))).toMatchObject({
        event_log: 29,
        events_low: 15,
        events_high: 14
      })
      // every row, and the log as the source's (its rows written once, by the source's trigger)
      expect(await tableChecksums(server, target)).toEqual(await tableChecksums(server, src))
      expect(await triggerStates(target)).toEqual(before)
    }
  })
})

describe('allow-non-empty with a plain script: what the restoring role cannot see or the script turns on', () => {
  /**
   * A new database owned by the login role `role` (no superuser), created if need be: the
   * database's name and the role's URL to it.
   */
  async function ownedBy(role: string, database: string): Promise<{ db: string; url: string }> {
    const server = harness.server
    const password = `${role}-pw`
    await server.query(
      'postgres',
      `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${role}') THEN
         CREATE ROLE ${role} LOGIN PASSWORD '${password}'; END IF; END $$;`
    )
    const db = await server.createDatabase(database)
    await server.query(db, `ALTER DATABASE ${database} OWNER TO ${role}`)
    return { db, url: server.url(db, { user: role, password }) }
  }
  it('a table whose rows row-level security hides from the restoring role is not taken as empty: refused, its rows kept (attacker a34 A1), partitioned or not', async () => {
    const server = harness.server
    const role = 'rls_restorer'
    await server.query(
      'postgres',
      `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'rls_keeper') THEN
         CREATE ROLE rls_keeper; END IF; END $$;`
    )
    const { db, url } = await ownedBy(role, 'rls_hidden_target')
    await server.query(
      db,
      `CREATE TABLE public.vault (id int, v text) PARTITION BY LIST (id);
       CREATE TABLE public.vault_a PARTITION OF public.vault FOR VALUES IN (1, 2, 3);
       CREATE TABLE public.vault_b PARTITION OF public.vault DEFAULT;
       CREATE TABLE public.flat (id int, v text);
       INSERT INTO public.vault VALUES (2, 'precious-a'), (77, 'precious-b');
       INSERT INTO public.flat VALUES (1, 'precious-flat');
       ALTER TABLE public.vault OWNER TO rls_keeper;
       ALTER TABLE public.vault_a OWNER TO rls_keeper;
       ALTER TABLE public.vault_b OWNER TO rls_keeper;
       ALTER TABLE public.flat OWNER TO rls_keeper;
       GRANT SELECT, INSERT, DELETE ON public.vault, public.flat TO ${role};
       ALTER TABLE public.vault ENABLE ROW LEVEL SECURITY;
       ALTER TABLE public.flat ENABLE ROW LEVEL SECURITY;
       CREATE POLICY ins ON public.vault FOR INSERT TO ${role} WITH CHECK (true);
       CREATE POLICY del ON public.vault FOR DELETE TO ${role} USING (true);
       CREATE POLICY ins ON public.flat FOR INSERT TO ${role} WITH CHECK (true);
       CREATE POLICY del ON public.flat FOR DELETE TO ${role} USING (true);`
    )
    for (const table of ['public.vault', 'public.flat']) {
      const script = path.join(harness.work, `rls-${table.slice(7)}.sql`)
      writeFileSync(
        script,
        `INSERT INTO ${table} (id, v) VALUES (3, 'from-backup');\nDELETE FROM ${table};\n`
      )
      const error = await failure(
        harness.restore(
          testRestoreInputs(url, { kind: 'file', path: script }, { allowNonEmpty: true })
        )
      )
      expect(error?.message).toMatch(
        new RegExp(
          `${table.replace('.', '\\.')} \\(row-level security is on for the restoring role, whose policies may hide rows, so whether it is empty cannot be told\\).*[Rr]estore as a role that row-level security does not filter on ${table.replace('.', '\\.')}`
        )
      )
    }
    const rows = await server.query<{ t: string; v: string }>(
      db,
      "SELECT 'vault' AS t, v FROM public.vault UNION ALL SELECT 'flat', v FROM public.flat ORDER BY 1, 2"
    )
    expect(rows).toEqual([
      { t: 'flat', v: 'precious-flat' },
      { t: 'vault', v: 'precious-a' },
      { t: 'vault', v: 'precious-b' }
    ])
  })

  it("a provider's table whose rows the restoring role cannot count (row-level security, no SELECT) is not taken as empty: a script's DELETE there is rolled back (attacker a35 A1, A2)", async () => {
    const server = harness.server
    const role = 'prov_restorer'
    const { db, url } = await ownedBy(role, 'prov_hidden_target')
    // the provider's schema: a superuser's, which the restoring role cannot act as
    await server.query(
      db,
      `CREATE SCHEMA auth;
       GRANT USAGE ON SCHEMA auth TO ${role};
       CREATE TABLE auth.users (id int, email text);
       INSERT INTO auth.users VALUES (1, 'precious@example.com');
       GRANT SELECT, INSERT, DELETE ON auth.users TO ${role};
       ALTER TABLE auth.users ENABLE ROW LEVEL SECURITY;
       CREATE POLICY ins ON auth.users FOR INSERT TO ${role} WITH CHECK (true);
       CREATE POLICY del ON auth.users FOR DELETE TO ${role} USING (true);
       CREATE TABLE auth.sessions (id int);
       INSERT INTO auth.sessions VALUES (7);
       GRANT INSERT, DELETE ON auth.sessions TO ${role};`
    )
    for (const [table, columns] of [
      ['auth.users', "(id, email) VALUES (3, 'from-backup')"],
      ['auth.sessions', '(id) VALUES (3)']
    ]) {
      const script = path.join(harness.work, `prov-${table.slice(5)}.sql`)
      writeFileSync(script, `INSERT INTO ${table} ${columns};\nDELETE FROM ${table};\n`)
      const error = await failure(
        harness.restore(
          testRestoreInputs(url, { kind: 'file', path: script }, { allowNonEmpty: true })
        )
      )
      expect(error?.message).toMatch(
        new RegExp(
          `changed objects of the target that the backup does not own — ${table.replace('.', '\\.')}`
        )
      )
    }
    expect(
      await server.query(
        db,
        "SELECT (SELECT string_agg(email, ',') FROM auth.users) AS users, (SELECT string_agg(id::text, ',') FROM auth.sessions) AS sessions"
      )
    ).toEqual([{ users: 'precious@example.com', sessions: '7' }])
  })

  it("a provider's table found empty: the backup's rows may go in, but a script's DELETE or TRUNCATE there (rows another session committed meanwhile) is rolled back (attacker a35b A1)", async () => {
    const server = harness.server
    const role = 'prov_appender'
    const { db, url } = await ownedBy(role, 'prov_empty_target')
    await server.query(
      db,
      `CREATE SCHEMA auth;
       GRANT USAGE ON SCHEMA auth TO ${role};
       CREATE TABLE auth.users (id int, email text);
       GRANT SELECT, INSERT, DELETE, TRUNCATE ON auth.users TO ${role};`
    )
    for (const [name, text] of [
      ['delete', "INSERT INTO auth.users VALUES (3, 'from-backup');\nDELETE FROM auth.users;\n"],
      ['truncate', "INSERT INTO auth.users VALUES (3, 'from-backup');\nTRUNCATE auth.users;\n"]
    ]) {
      const script = path.join(harness.work, `prov-empty-${name}.sql`)
      writeFileSync(script, text)
      const error = await failure(
        harness.restore(
          testRestoreInputs(url, { kind: 'file', path: script }, { allowNonEmpty: true })
        )
      )
      expect(error?.message).toMatch(
        /auth\.users: (?:1 row deleted by the restore's own transaction|truncated or rewritten)|TRUNCATE/
      )
    }
    // an honest script's rows arrive
    const honest = path.join(harness.work, 'prov-empty-honest.sql')
    writeFileSync(honest, 'COPY auth.users (id, email) FROM stdin;\n1\ta@example.com\n\\.\n')
    await harness.restore(
      testRestoreInputs(url, { kind: 'file', path: honest }, { allowNonEmpty: true })
    )
    expect(await server.query(db, 'SELECT id, email FROM auth.users')).toEqual([
      { id: 1, email: 'a@example.com' }
    ])
  })

  it("pg_dump --data-only --disable-triggers: the script's ENABLE TRIGGER ALL is set back, the target's disabled and replica-only triggers stay so (attacker a34 A3)", async () => {
    const server = harness.server
    const schema = `CREATE TABLE public.notes (id int PRIMARY KEY, body text);
      CREATE TABLE public.note_log (id int, what text);
      CREATE FUNCTION public.note_logged() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN INSERT INTO public.note_log VALUES (NEW.id, TG_NAME); RETURN NEW; END $$;
      CREATE TRIGGER fires AFTER INSERT ON public.notes FOR EACH ROW EXECUTE FUNCTION public.note_logged();
      CREATE TRIGGER off AFTER INSERT ON public.notes FOR EACH ROW EXECUTE FUNCTION public.note_logged();
      CREATE TRIGGER replica AFTER INSERT ON public.notes FOR EACH ROW EXECUTE FUNCTION public.note_logged();
      CREATE TRIGGER always AFTER INSERT ON public.notes FOR EACH ROW EXECUTE FUNCTION public.note_logged();`
    const src = await server.createDatabase('trigger_states_src')
    await server.query(src, `${schema} INSERT INTO public.notes VALUES (1, 'a'), (2, 'b');`)
    const script = path.join(harness.work, 'disable-triggers.sql')
    await runTool(
      path.join(server.binDir, 'pg_dump'),
      ['--data-only', '--disable-triggers', '-t', 'public.notes', '-f', script, server.url(src)],
      server.env(src)
    )
    expect(readFileSync(script, 'utf8')).toMatch(/ENABLE TRIGGER ALL/)
    const target = await server.createDatabase('trigger_states_target')
    await server.query(
      target,
      `${schema}
       ALTER TABLE public.notes DISABLE TRIGGER off;
       ALTER TABLE public.notes ENABLE REPLICA TRIGGER replica;
       ALTER TABLE public.notes ENABLE ALWAYS TRIGGER always;`
    )
    const states = (db: string) =>
      server.query<{ name: string; enabled: string }>(
        db,
        "SELECT tgname AS name, tgenabled AS enabled FROM pg_trigger WHERE tgrelid = 'public.notes'::regclass ORDER BY 1"
      )
    const before = await states(target)
    expect(before).toEqual([
      { name: 'always', enabled: 'A' },
      { name: 'fires', enabled: 'O' },
      { name: 'off', enabled: 'D' },
      { name: 'replica', enabled: 'R' }
    ])
    await harness.restore(
      testRestoreInputs(server.url(target), { kind: 'file', path: script }, { allowNonEmpty: true })
    )
    expect(await server.query(target, 'SELECT id, body FROM public.notes ORDER BY id')).toEqual([
      { id: 1, body: 'a' },
      { id: 2, body: 'b' }
    ])
    expect(await server.query(target, 'SELECT count(*)::int AS n FROM public.note_log')).toEqual([
      { n: 0 }
    ])
    expect(await states(target)).toEqual(before)
  })
})

describe("before PostgreSQL 15 a partition's copy of a trigger is internal (attacker a34 A2)", () => {
  let old: TestServer
  beforeAll(async () => {
    old = await startPostgres({ binDir: embeddedBinDir(14) })
  }, 120_000)
  afterAll(async () => {
    await old?.stop()
  })

  it("a plain script's rows through the partition root: the target's trigger is off while they load (reached through the parent), on again after, restoring as the owner without superuser", async () => {
    expect(old.major).toBe(14)
    const db = await old.createDatabase('old_part_target')
    await old.query(
      db,
      `ALTER DATABASE old_part_target OWNER TO ${old.appUser};
       GRANT CREATE ON SCHEMA public TO ${old.appUser};
       SET ROLE ${old.appUser};
       CREATE TABLE public.event_log (event int, at_table text);
       CREATE TABLE public.events (id int, kind text) PARTITION BY RANGE (id);
       CREATE TABLE public.events_low PARTITION OF public.events FOR VALUES FROM (0) TO (100);
       CREATE TABLE public.events_high PARTITION OF public.events FOR VALUES FROM (100) TO (200);
       CREATE FUNCTION public.log_event() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN INSERT INTO public.event_log VALUES (NEW.id, TG_TABLE_NAME); RETURN NEW; END $$;
       CREATE TRIGGER audit AFTER INSERT ON public.events FOR EACH ROW EXECUTE FUNCTION public.log_event();
       RESET ROLE;`
    )
    const states = (): Promise<Array<{ t: string; e: string }>> =>
      old.query<{ t: string; e: string }>(
        db,
        "SELECT c.relname AS t, g.tgenabled AS e FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid WHERE g.tgname = 'audit' ORDER BY 1"
      )
    const before = await states()
    expect(before).toHaveLength(3)
    const script = path.join(harness.work, 'old-via-root.sql')
    writeFileSync(script, 'COPY public.events (id, kind) FROM stdin;\n1\ta\n150\tb\n\\.\n')
    await harness.restore(
      testRestoreInputs(
        old.url(db, { user: old.appUser, password: old.appPassword }),
        { kind: 'file', path: script },
        { allowNonEmpty: true }
      )
    )
    expect(await old.query(db, 'SELECT id, kind FROM public.events ORDER BY id')).toEqual([
      { id: 1, kind: 'a' },
      { id: 150, kind: 'b' }
    ])
    expect(await old.query(db, 'SELECT count(*)::int AS n FROM public.event_log')).toEqual([
      { n: 0 }
    ])
    expect(await states()).toEqual(before)
  })
})

describe('what a restore without a single transaction left when it stopped before its indexes and keys (trial u43 F17)', () => {
  it.each([
    ['custom', '-Fc'],
    ['tar', '-Ft'] // attacker a72 F2: the hint never came for a tar or directory archive
  ])(
    '%s: the refusal points at clean first, data-only only for tables made so; clean then restores it whole',
    async (format, flag) => {
      const server = harness.server
      const db = await server.createDatabase()
      await server.query(
        db,
        `CREATE TABLE public.items (id int PRIMARY KEY, name text UNIQUE);
         CREATE TABLE public.notes (id int PRIMARY KEY, item int REFERENCES public.items);
         INSERT INTO public.items VALUES (1, 'a'), (2, 'b'); INSERT INTO public.notes VALUES (1, 1);`
      )
      const file = path.join(harness.work, `half-restored.${format}`)
      await runTool(path.join(server.binDir, 'pg_dump'), [flag, '-f', file, db], server.env(db))
      // the tables as the failed run left them: created, not filled, no index or key yet
      const target = await server.createDatabase()
      await runTool(
        path.join(server.binDir, 'pg_restore'),
        ['--section=pre-data', '-d', target, file],
        server.env(target)
      )
      const source = { kind: 'file' as const, path: file }
      const error = await failure(harness.restore(testRestoreInputs(server.url(target), source)))
      expect(error?.message).toMatch(
        /none has the indexes or keys the backup gives them \(2 tables with some in the backup: public\.items, public\.notes\): what a restore without a single transaction .* leaves when it stops before its indexes and keys\. If so, restore again with 'clean: true'/
      )
      expect(error?.message).not.toMatch(/a schema the app's migrations made\?/)
      await harness.restore(testRestoreInputs(server.url(target), source, { clean: true }))
      expect(await tableChecksums(server, target)).toEqual(await tableChecksums(server, db))
      const keys = await server.query<{ n: string }>(
        target,
        "SELECT count(*)::text AS n FROM pg_constraint WHERE connamespace = 'public'::regnamespace"
      )
      expect(keys).toEqual([{ n: '4' }])
    }
  )
})
