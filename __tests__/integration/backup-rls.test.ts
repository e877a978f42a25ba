/**
 * A managed service's role (no BYPASSRLS) backs up tables under row-level security (user trial
 * u6): pg_dump refuses them, and with --enable-row-security dumps only the rows the role can
 * see. The action explains the refusal, and never lets a filtered backup pass for a whole one:
 * the log, the job summary and the manifest name the filtered tables, and so does the restore.
 * Also: a large object the role may not read (advice; what was uploaded then deleted), and what
 * a backup leaves out (its summary lists it).
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import type { TestServer } from '../../dev/postgres.js'
import {
  describeAftermath,
  backupSummaryMarkdown,
  restoreSummaryMarkdown
} from '../../src/summary.js'
import { useHarness } from '../support/harness.js'
import { currentRunArtifact } from '../support/sources.js'
import { NO_FILTERS, testBackupInputs, testRestoreInputs } from '../support/inputs.js'

const harness = useHarness({ name: 'backup-rls' })
let server: TestServer
let db: string
const PASSWORD = 'rls-pass-2468'

beforeAll(async () => {
  server = harness.server
  db = await server.createDatabase('rls_src')
  await server.query(
    'postgres',
    `DO $$BEGIN CREATE ROLE rls_dumper LOGIN NOBYPASSRLS PASSWORD '${PASSWORD}'; EXCEPTION WHEN duplicate_object THEN NULL; END$$;`
  )
  await server.query(
    db,
    `GRANT CREATE ON SCHEMA public TO rls_dumper;
     SET ROLE rls_dumper;
     -- its own table, FORCE: the owner's rows are filtered too (it sees none)
     CREATE TABLE public.orders (id integer PRIMARY KEY);
     INSERT INTO public.orders SELECT generate_series(1, 100);
     CREATE POLICY nobody ON public.orders USING (false);
     ALTER TABLE public.orders ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
     -- its own table, not forced: the owner sees every row
     CREATE TABLE public.own (id integer PRIMARY KEY);
     INSERT INTO public.own SELECT generate_series(1, 7);
     CREATE POLICY nobody ON public.own USING (false);
     ALTER TABLE public.own ENABLE ROW LEVEL SECURITY;
     CREATE TABLE public.plain (id integer PRIMARY KEY);
     INSERT INTO public.plain SELECT generate_series(1, 5);
     RESET ROLE;
     -- another role's table: the policy shows the role 20 of 40 rows
     CREATE TABLE public.profiles (id integer PRIMARY KEY);
     INSERT INTO public.profiles SELECT generate_series(1, 40);
     GRANT SELECT ON public.profiles TO rls_dumper;
     CREATE POLICY visible ON public.profiles FOR SELECT TO rls_dumper USING (id <= 20);
     ALTER TABLE public.profiles ENABLE ROW LEVEL SECURITY;`
  )
}, 60_000)

const asDumper = (database = db) => server.url(database, { user: 'rls_dumper', password: PASSWORD })

const rows = (m: {
  rowCounts: { tables: Array<{ schema: string; name: string; rows: number | null }> }
}) => m.rowCounts.tables.map(t => `${t.schema}.${t.name}=${t.rows}`)

describe('row-level security that applies to the dumping role', () => {
  it('without --enable-row-security: fails as pg_dump does, and says the ways past it', async () => {
    const error = await harness
      .backup(testBackupInputs(asDumper(), { artifactName: 'rls-refused' }))
      .then(
        () => undefined,
        (e: unknown) => e as Error
      )
    expect(error?.message).toMatch(/query would be affected by row-level security policy/)
    expect(error?.message).toMatch(
      /Row-level security policies apply to the role in database-url on table public\.(orders|profiles),[^]*BYPASSRLS[^]*NO FORCE ROW LEVEL SECURITY[^]*'exclude-table-data: public\.(orders|profiles)'[^]*--enable-row-security/
    )
  })

  it('with --enable-row-security: the filtered tables are named in the manifest and the summary, and the restore says so', async () => {
    const name = 'rls-filtered'
    const result = await harness.backup(
      testBackupInputs(asDumper(), {
        artifactName: name,
        pgDumpArgs: ['--enable-row-security']
      })
    )
    // what the role could see: orders none of 100, profiles 20 of 40; own and plain whole
    expect(rows(result.manifest)).toEqual([
      'public.orders=0',
      'public.own=7',
      'public.plain=5',
      'public.profiles=20'
    ])
    expect(result.manifest.rowSecurity).toEqual({
      role: 'rls_dumper',
      tables: [
        { schema: 'public', name: 'orders' },
        { schema: 'public', name: 'profiles' }
      ]
    })
    const summary = backupSummaryMarkdown(result)
    expect(summary).toContain('2 tables filtered by row-level security')
    expect(summary).toMatch(
      /Row-level security filtered this backup[^]*rls_dumper[^]*public\.orders, public\.profiles[^]*only those rls_dumper can see/
    )
    expect(summary).not.toMatch(/\(exact, in the dump's snapshot\)/)

    const target = await server.createDatabase()
    const restored = await harness.restore(
      testRestoreInputs(server.url(target), currentRunArtifact(harness.backend, name))
    )
    expect(restored.manifest?.rowSecurity?.tables.map(t => t.name)).toEqual(['orders', 'profiles'])
    expect(restoreSummaryMarkdown(restored)).toMatch(
      /Row-level security filtered this backup[^]*public\.orders, public\.profiles/
    )
  })

  it('the superuser with --role=rls_dumper: counted and checked as that role, as pg_dump dumps (attacker a98 F2: the manifest said 40 rows, the dump held 20); a role it may not act as fails before the dump, named', async () => {
    await server.query('postgres', 'GRANT rls_dumper TO CURRENT_USER')
    const result = await harness.backup(
      testBackupInputs(server.url(db), {
        artifactName: 'rls-role',
        pgDumpArgs: ['--role=rls_dumper', '--enable-row-security']
      })
    )
    expect(rows(result.manifest)).toEqual([
      'public.orders=0',
      'public.own=7',
      'public.plain=5',
      'public.profiles=20'
    ])
    expect(result.manifest.rowSecurity?.role).toBe('rls_dumper')
    // restored, the copy holds what the manifest says
    const target = await server.createDatabase()
    await harness.restore(
      testRestoreInputs(server.url(target), currentRunArtifact(harness.backend, 'rls-role'))
    )
    expect(
      await server.query(target, 'SELECT (SELECT count(*)::int FROM public.profiles) AS n')
    ).toEqual([{ n: 20 }])
    const refused = await harness
      .backup(
        testBackupInputs(asDumper(), {
          artifactName: 'rls-role-denied',
          pgDumpArgs: ['--rol=postgres']
        })
      )
      .catch((e: Error) => e)
    expect((refused as Error).message).toMatch(
      /^pg-dump-args sets --role=postgres, and the role in database-url may not act as it \(SET ROLE: permission denied to set role "postgres"\)/
    )
  })

  it('a role that bypasses it (the superuser) gets whole tables and no rowSecurity', async () => {
    const result = await harness.backup(
      testBackupInputs(server.url(db), {
        artifactName: 'rls-whole',
        pgDumpArgs: ['--enable-row-security']
      })
    )
    expect(rows(result.manifest)).toEqual([
      'public.orders=100',
      'public.own=7',
      'public.plain=5',
      'public.profiles=40'
    ])
    expect(result.manifest.rowSecurity).toBeUndefined()
    expect(backupSummaryMarkdown(result)).not.toMatch(/row-level security/i)
  })

  it("a filtered table others reference: the restore's foreign-key error says the backup was filtered, and how to back up whole (trial u23 F2)", async () => {
    const fk = await server.createDatabase('rls_fk_src')
    await server.query(
      fk,
      `GRANT CREATE ON SCHEMA public TO rls_dumper;
       SET ROLE rls_dumper;
       CREATE TABLE public.documents (id integer PRIMARY KEY);
       INSERT INTO public.documents SELECT generate_series(1, 10);
       CREATE TABLE public.attachments (id integer PRIMARY KEY, doc integer REFERENCES public.documents);
       INSERT INTO public.attachments SELECT g, g FROM generate_series(1, 10) g;
       CREATE POLICY nobody ON public.documents USING (false);
       ALTER TABLE public.documents ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
       RESET ROLE;`
    )
    const name = 'rls-filtered-fk'
    await harness.backup(
      testBackupInputs(asDumper(fk), { artifactName: name, pgDumpArgs: ['--enable-row-security'] })
    )
    const target = await server.createDatabase()
    const error = await harness
      .restore(testRestoreInputs(server.url(target), currentRunArtifact(harness.backend, name)))
      .then(
        () => undefined,
        (e: Error) => e
      )
    expect(error?.message).toMatch(
      /violates foreign key constraint[^]*Note: the backup was made with row-level security on \(pg_dump --enable-row-security as role rls_dumper\): public\.documents holds only the rows that role could see[^]*BYPASSRLS/
    )
    expect(
      await server.query(
        target,
        "SELECT count(*)::int AS n FROM pg_class WHERE relname = 'attachments'"
      )
    ).toEqual([{ n: 0 }])
  })
})

describe('a large object the role may not read', () => {
  it('names --no-large-objects and GRANT SELECT ON LARGE OBJECT; what was uploaded is said to be deleted', async () => {
    const other = await server.createDatabase()
    // rows enough (~40 MB, several upload blocks once compressed) that the upload has begun
    // when pg_dump reaches the large object, however loaded the machine (a CI run saw none)
    await server.query(
      other,
      `CREATE TABLE public.notes (id integer PRIMARY KEY, body text);
       INSERT INTO public.notes SELECT i, md5(i::text) || md5((-i)::text) FROM generate_series(1, 600000) i;
       GRANT SELECT ON public.notes TO rls_dumper;
       SELECT lo_from_bytea(0, 'not for rls_dumper');`
    )
    const name = 'lo-denied'
    const error = await harness
      .backup(testBackupInputs(asDumper(other), { artifactName: name }))
      .then(
        () => undefined,
        (e: unknown) => e as Error & { undone?: string }
      )
    expect(error?.message).toMatch(/permission denied for large object (\d+)/)
    const oid = /permission denied for large object (\d+)/.exec(error!.message)![1]
    expect(error?.message).toContain(
      `Leave the large objects out with --no-large-objects in pg-dump-args (--no-blobs before pg_dump 16), or let the role read it: GRANT SELECT ON LARGE OBJECT ${oid} TO <role>, as its owner`
    )
    // an artifact was uploaded while the dump was written, then deleted: the summary says that
    const uploaded = harness.backend.artifacts().filter(a => a.name.startsWith(name))
    expect(uploaded.length).toBeGreaterThan(0)
    expect(uploaded.every(a => a.deleted)).toBe(true)
    expect(error?.undone).toMatch(
      new RegExp(
        `An artifact '${name}\\.zip' \\(id \\d+\\) holding the partial dump was uploaded while it was written, then deleted`
      )
    )
    expect(describeAftermath({ mode: 'backup', undone: error!.undone })).not.toMatch(
      /Nothing was uploaded/
    )

    // as the error advises: whole but for the large objects, and the summary says they are left out
    const result = await harness.backup(
      testBackupInputs(asDumper(other), {
        artifactName: 'lo-left-out',
        pgDumpArgs: ['--no-blobs']
      })
    )
    expect(rows(result.manifest)).toEqual(['public.notes=600000'])
    expect(backupSummaryMarkdown(result)).toMatch(/\| Left out \| large objects \(--no-blobs\) \|/)
  })
})

describe('what a backup leaves out', () => {
  it('is listed in its summary and in the restore summary; no github-token: the skipped comparison is noted', async () => {
    const name = 'left-out'
    const result = await harness.backup(
      testBackupInputs(server.url(db), {
        artifactName: name,
        filters: {
          ...NO_FILTERS,
          excludeTables: ['public.plain'],
          excludeTableData: ['public.profiles']
        },
        pgDumpArgs: ['--no-blobs']
      })
    )
    const summary = backupSummaryMarkdown(result)
    expect(summary).toContain(
      '| Left out | tables public.plain (exclude-tables); the rows of public.profiles (exclude-table-data); large objects (--no-blobs) |'
    )
    expect(summary).toMatch(
      /Not compared with the previous backup: github-token is empty[^]*permissions\\?: actions\\?: read/
    )
    const whole = await harness.backup(
      testBackupInputs(server.url(db), { artifactName: 'nothing-left-out' })
    )
    expect(backupSummaryMarkdown(whole)).toContain('| Left out | nothing |')

    const target = await server.createDatabase()
    const restored = await harness.restore(
      testRestoreInputs(server.url(target), currentRunArtifact(harness.backend, name))
    )
    expect(restoreSummaryMarkdown(restored)).toContain(
      'Left out of the backup (so not restored): tables public.plain (exclude-tables); the rows of public.profiles (exclude-table-data); large objects (--no-blobs).'
    )
  })
})
