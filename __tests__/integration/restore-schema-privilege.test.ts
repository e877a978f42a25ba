/**
 * A restoring role without CREATE on the target database (no superuser, not its owner) cannot
 * create the backup's schemas: pg_restore by hand fails at the first CREATE SCHEMA ("permission
 * denied for database"), after what ran before it. An archive's restore is refused before anything
 * runs, naming the schemas and the ways past it (GRANT CREATE ON DATABASE, the owner, schemas
 * made first with allow-non-empty), whatever jobs says; a plain script's load fails with the same
 * advice. Each way the message names then restores every row.
 */
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { beforeAll, describe, expect, it } from '@jest/globals'
import type { TestServer } from '../../dev/postgres.js'
import { useHarness } from '../support/harness.js'
import { testRestoreInputs } from '../support/inputs.js'

const harness = useHarness({ name: 'restore-schema-privilege' })
let server: TestServer
let custom: string
let plain: string
const PASSWORD = 'visitor-pass-1357'

beforeAll(async () => {
  server = harness.server
  const db = await server.createDatabase('schema_privilege_src')
  await server.query(
    'postgres',
    `DO $$BEGIN CREATE ROLE visitor LOGIN PASSWORD '${PASSWORD}'; EXCEPTION WHEN duplicate_object THEN NULL; END$$;`
  )
  await server.query(
    db,
    `CREATE SCHEMA billing;
     CREATE SCHEMA "Audit Trail";
     CREATE TABLE billing.invoices (id integer PRIMARY KEY, total numeric);
     CREATE TABLE "Audit Trail".events (id integer PRIMARY KEY, invoice integer REFERENCES billing.invoices);
     INSERT INTO billing.invoices SELECT g, g * 1.5 FROM generate_series(1, 50) g;
     INSERT INTO "Audit Trail".events SELECT g, g FROM generate_series(1, 50) g;`
  )
  custom = path.join(harness.work, 'schemas.dump')
  plain = path.join(harness.work, 'schemas.sql')
  const pgDump = path.join(server.binDir, 'pg_dump')
  execFileSync(pgDump, ['-Fc', '--no-owner', '-f', custom, db], { env: server.env(db) })
  execFileSync(pgDump, ['-Fp', '--no-owner', '-f', plain, db], { env: server.env(db) })
}, 60_000)

const asVisitor = (database: string) =>
  server.url(database, { user: 'visitor', password: PASSWORD })
const failure = (run: Promise<unknown>) =>
  run.then(
    () => undefined,
    (e: unknown) => e as Error
  )
const schemasOf = async (database: string) =>
  (
    await server.query<{ name: string }>(
      database,
      `SELECT nspname AS name FROM pg_namespace
        WHERE nspname NOT LIKE 'pg\\_%' AND nspname NOT IN ('information_schema', 'public')
        ORDER BY 1`
    )
  ).map(r => r.name)
const rowsOf = async (database: string) =>
  server.query<{ invoices: string; events: string }>(
    database,
    `SELECT (SELECT count(*) FROM billing.invoices)::text AS invoices,
            (SELECT count(*) FROM "Audit Trail".events)::text AS events`
  )

describe('an archive, as a role without CREATE on the database', () => {
  it.each([
    ['in one transaction', {}],
    ['jobs 2, no single transaction', { jobs: 2, singleTransaction: false }]
  ])(
    '%s: refused before anything runs, naming the schemas and the ways past it',
    async (_label, overrides) => {
      const target = await server.createDatabase()
      const error = await failure(
        harness.restore(
          testRestoreInputs(asVisitor(target), { kind: 'file', path: custom }, overrides)
        )
      )
      expect(error?.message).toContain(
        `the backup creates 2 schemas the target database '${target}' lacks ("Audit Trail", billing), and visitor may not create schemas there: it lacks CREATE on the database`
      )
      expect(error?.message).toContain(`GRANT CREATE ON DATABASE ${target} TO visitor;`)
      expect(error?.message).toContain('restore with allow-non-empty: true.')
      expect(error?.message).toContain('Nothing was restored.')
      expect(await schemasOf(target)).toEqual([])
    }
  )

  it('a backup with tables in public too (PostgreSQL 15: no CREATE on it for others): one refusal names both grants, and with both it restores (trial u45 F8: a second run failed on public)', async () => {
    const source = await server.createDatabase()
    await server.query(
      source,
      `CREATE SCHEMA billing; CREATE TABLE billing.invoices (id integer PRIMARY KEY);
       CREATE TABLE public.notes (id integer PRIMARY KEY); INSERT INTO public.notes VALUES (1), (2);`
    )
    const file = path.join(harness.work, 'with-public.dump')
    execFileSync(path.join(server.binDir, 'pg_dump'), ['-Fc', '--no-owner', '-f', file, source], {
      env: server.env(source)
    })
    const target = await server.createDatabase()
    const error = await failure(
      harness.restore(testRestoreInputs(asVisitor(target), { kind: 'file', path: file }))
    )
    expect(error?.message).toContain(`GRANT CREATE ON DATABASE ${target} TO visitor;`)
    expect(error?.message).toContain(
      'It lacks CREATE on the schema public too, where the backup creates objects (the load would fail there next, "permission denied for schema"): GRANT CREATE ON SCHEMA public TO visitor; as the schema\'s owner (pg_database_owner: the database\'s owner).'
    )
    await server.query(
      target,
      `GRANT CREATE ON DATABASE "${target}" TO visitor; GRANT CREATE ON SCHEMA public TO visitor`
    )
    await harness.restore(testRestoreInputs(asVisitor(target), { kind: 'file', path: file }))
    expect(await server.query(target, 'SELECT count(*)::int AS n FROM public.notes')).toEqual([
      { n: 2 }
    ])
  })

  it('once granted CREATE on the database, as the message says: every row restored', async () => {
    const target = await server.createDatabase()
    await server.query(target, `GRANT CREATE ON DATABASE "${target}" TO visitor`)
    await harness.restore(testRestoreInputs(asVisitor(target), { kind: 'file', path: custom }))
    expect(await rowsOf(target)).toEqual([{ invoices: '50', events: '50' }])
  })

  it('with the schemas made first for it and allow-non-empty, as the message says: every row restored', async () => {
    const target = await server.createDatabase()
    await server.query(
      target,
      'CREATE SCHEMA billing AUTHORIZATION visitor; CREATE SCHEMA "Audit Trail" AUTHORIZATION visitor;'
    )
    await harness.restore(
      testRestoreInputs(asVisitor(target), { kind: 'file', path: custom }, { allowNonEmpty: true })
    )
    expect(await rowsOf(target)).toEqual([{ invoices: '50', events: '50' }])
  })
})

describe('clean over the schemas the role owns, without CREATE on the database (attacker a22 A1)', () => {
  it.each([
    ['in one transaction', {}],
    ['jobs 2, no single transaction', { jobs: 2, singleTransaction: false }]
  ])(
    '%s: refused before clean drops anything; the schemas and their rows stay',
    async (_label, overrides) => {
      const target = await server.createDatabase()
      await server.query(
        target,
        `CREATE SCHEMA billing AUTHORIZATION visitor;
         CREATE SCHEMA "Audit Trail" AUTHORIZATION visitor;
         SET ROLE visitor;
         CREATE TABLE billing.invoices (id integer PRIMARY KEY, total numeric);
         INSERT INTO billing.invoices VALUES (42, 1);
         RESET ROLE;`
      )
      const error = await failure(
        harness.restore(
          testRestoreInputs(
            asVisitor(target),
            { kind: 'file', path: custom },
            { clean: true, ...overrides }
          )
        )
      )
      expect(error?.message).toContain(
        `the backup creates 2 schemas the target database '${target}' lacks or that clean drops first (2) ("Audit Trail", billing), and visitor may not create schemas there`
      )
      expect(error?.message).toContain('Nothing was restored.')
      expect(await schemasOf(target)).toEqual(['Audit Trail', 'billing'])
      expect(await server.query<{ id: number }>(target, 'SELECT id FROM billing.invoices')).toEqual(
        [{ id: 42 }]
      )
    }
  )
})

describe('a plain script, as a role without CREATE on the database', () => {
  it('fails at its CREATE SCHEMA as psql does, with the same advice; nothing left', async () => {
    const target = await server.createDatabase()
    const error = await failure(
      harness.restore(testRestoreInputs(asVisitor(target), { kind: 'file', path: plain }))
    )
    expect(error?.message).toContain(`permission denied for database ${target}`)
    expect(error?.message).toContain(
      `The restoring role may not create schemas (nor publications) in the database ${target}: it lacks CREATE on it.`
    )
    expect(await schemasOf(target)).toEqual([])
  })
})
