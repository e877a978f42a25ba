/**
 * pg_dump fails on a table (or schema) the connected role may not read, as it does by hand
 * ("permission denied for table secrets": Supabase's vault.secrets for the postgres role). The
 * action's error says how to leave it out (the exclude-tables / exclude-schemas inputs) or to
 * GRANT the role (by its name) what it needs; with the input it suggests, the backup succeeds.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import type { TestServer } from '../../dev/postgres.js'
import { useHarness } from '../support/harness.js'
import { NO_FILTERS, testBackupInputs } from '../support/inputs.js'

const harness = useHarness({ name: 'backup-permission' })
let server: TestServer
let db: string
const PASSWORD = 'dumper-pass-5678'

beforeAll(async () => {
  server = harness.server
  db = await server.createDatabase('permission_src')
  await server.query(
    'postgres',
    `DO $$BEGIN CREATE ROLE dumper LOGIN PASSWORD '${PASSWORD}'; EXCEPTION WHEN duplicate_object THEN NULL; END$$;`
  )
  await server.query(
    db,
    `CREATE TABLE public.notes (id integer PRIMARY KEY, body text);
     INSERT INTO public.notes VALUES (1, 'one'), (2, 'two');
     GRANT SELECT ON public.notes TO dumper;
     CREATE SCHEMA vault;
     CREATE TABLE vault.secrets (id integer, secret text);
     INSERT INTO vault.secrets VALUES (1, 'not for dumper');
     GRANT USAGE ON SCHEMA vault TO dumper;`
  )
}, 60_000)

const asDumper = () => server.url(db, { user: 'dumper', password: PASSWORD })

describe('a table the role may not read', () => {
  it('fails as pg_dump by hand does, saying how to leave it out (exclude-tables, exclude-schemas) or to GRANT SELECT; nothing uploaded', async () => {
    const name = 'denied-table'
    const error = await harness.backup(testBackupInputs(asDumper(), { artifactName: name })).then(
      () => undefined,
      (e: unknown) => e as Error
    )
    expect(error?.message).toContain('permission denied for table secrets')
    expect(error?.message).toContain(
      'The role dumper may not read this of what the backup includes (pg_dump stops at the first one; by hand too): table vault.secrets. Nothing was uploaded. Let it read them, as their owner: GRANT SELECT ON vault.secrets TO dumper — or leave that table out (exclude-tables: vault.secrets), or its schema whole (exclude-schemas: vault), if no table the backup keeps needs it (a foreign key onto a table left out fails the restore).'
    )
    expect(harness.backend.artifacts().filter(a => a.name === name)).toEqual([])
  })

  it.each([
    ['exclude-tables: vault.secrets', { ...NO_FILTERS, excludeTables: ['vault.secrets'] }],
    ['exclude-schemas: vault', { ...NO_FILTERS, excludeSchemas: ['vault'] }]
  ])('with %s, as the error advises: backed up without it', async (_label, filters) => {
    const result = await harness.backup(
      testBackupInputs(asDumper(), {
        artifactName: `advised-${filters.excludeTables.length}`,
        filters
      })
    )
    expect(result.manifest.rowCounts.tables.map(t => `${t.schema}.${t.name}=${t.rows}`)).toEqual([
      'public.notes=2'
    ])
  })
})

describe('several tables and sequences the role may not read (trial u49 F1: one per run, four runs)', () => {
  it('names them all at once — a partition with its table, a sequence with its column — with one GRANT to the role itself', async () => {
    const many = await server.createDatabase()
    await server.query(
      many,
      `CREATE TABLE public.notes (id integer); GRANT SELECT ON public.notes TO dumper;
       CREATE TABLE public.skus (code text PRIMARY KEY);
       CREATE TABLE public.audit_log (id integer);
       CREATE TABLE public.customers (id integer GENERATED ALWAYS AS IDENTITY, name text);
       GRANT SELECT ON public.customers TO dumper;
       CREATE TABLE public.events (at date, what text) PARTITION BY RANGE (at);
       CREATE TABLE public.events_2024 PARTITION OF public.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
       GRANT SELECT ON public.events TO dumper;
       CREATE TABLE public.left_out (id integer);`
    )
    const error = await harness
      .backup(
        testBackupInputs(server.url(many, { user: 'dumper', password: PASSWORD }), {
          artifactName: 'denied-many',
          filters: { ...NO_FILTERS, excludeTables: ['public.left_out'] }
        })
      )
      .then(
        () => undefined,
        (e: unknown) => e as Error
      )
    expect(error?.message).toContain(
      'The role dumper may not read these 4 of what the backup includes (pg_dump stops at the first one; by hand too): table public.audit_log, public.customers_id_seq (the sequence of public.customers.id: it goes with its table, grant it), public.events_2024 (a partition of public.events: a grant on that table does not reach it for pg_dump), table public.skus. Nothing was uploaded. Let it read them, as their owner: GRANT SELECT ON public.audit_log, public.customers_id_seq, public.events_2024, public.skus TO dumper — or leave those tables out (exclude-tables: public.audit_log,public.skus), if no table the backup keeps needs them'
    )
    // the grant it gives is enough
    await server.query(
      many,
      'GRANT SELECT ON public.audit_log, public.customers_id_seq, public.events_2024, public.skus TO dumper'
    )
    const result = await harness.backup(
      testBackupInputs(server.url(many, { user: 'dumper', password: PASSWORD }), {
        artifactName: 'granted-many',
        filters: { ...NO_FILTERS, excludeTables: ['public.left_out'] }
      })
    )
    expect(result.manifest.rowCounts.tables.length).toBeGreaterThanOrEqual(5)
  })
})

describe('a schema the role may not use', () => {
  it('names exclude-schemas and GRANT USAGE', async () => {
    const other = await server.createDatabase()
    await server.query(
      other,
      `CREATE TABLE public.notes (id integer); GRANT SELECT ON public.notes TO dumper;
       CREATE SCHEMA hidden; CREATE TABLE hidden.t (id integer);`
    )
    const error = await harness
      .backup(
        testBackupInputs(server.url(other, { user: 'dumper', password: PASSWORD }), {
          artifactName: 'denied-schema'
        })
      )
      .then(
        () => undefined,
        (e: unknown) => e as Error
      )
    expect(error?.message).toContain('permission denied for schema hidden')
    // its tables listed with the schema's USAGE first: the GRANT given is enough (attacker a81 F8)
    expect(error?.message).toContain(
      'The role dumper may not read this of what the backup includes (pg_dump stops at the first one; by hand too): table hidden.t. Nothing was uploaded. Let it read them, as their owner: GRANT USAGE ON SCHEMA hidden TO dumper; GRANT SELECT ON hidden.t TO dumper — or leave that table out (exclude-tables: hidden.t), or its schema whole (exclude-schemas: hidden)'
    )
    await server.query(
      other,
      'GRANT USAGE ON SCHEMA hidden TO dumper; GRANT SELECT ON hidden.t TO dumper'
    )
    await harness.backup(
      testBackupInputs(server.url(other, { user: 'dumper', password: PASSWORD }), {
        artifactName: 'granted-schema'
      })
    )
    await server.dropDatabase(other)
  })
})
