/**
 * The target's own foreign keys between tables a restore fills (a provider's tables, a data-only
 * load's), owned by a role the restoring role is not, so it can neither defer nor disable them,
 * and the backup's rows in an order by name that breaks them (c1's rows before p2's): the
 * restore loads p2's rows first — an archive in passes of pg_restore, a plain script in parts —
 * where pg_restore or psql by hand fails on the key (trial u14 F1). A plain script's block moves
 * only past other COPY blocks and when it names its schema: a SET between its place and its new
 * one (search_path, client_encoding) would send its rows elsewhere or read them otherwise
 * (attacker a24 A1, A2) — there the script's order stays, and the key refuses the rows.
 */
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { beforeAll, describe, expect, it } from '@jest/globals'
import type { TestServer } from '../../dev/postgres.js'
import type { RestoreOptions } from '../../src/types.js'
import { useHarness } from '../support/harness.js'
import { testRestoreInputs } from '../support/inputs.js'

const harness = useHarness({ name: 'restore-load-order' })
let server: TestServer
let source: string
const PASSWORD = 'restorer-pass-2468'

/** The target's tables: c1 references p2, both owned by `prov`; the restorer may only write them. */
const TARGET_SQL = `
CREATE SCHEMA s2 AUTHORIZATION restorer;
CREATE TABLE s2.c1 (id integer, p_id integer, v text);
ALTER TABLE s2.c1 OWNER TO restorer;
CREATE TABLE public.p2 (id integer PRIMARY KEY, v text);
CREATE TABLE public.c1 (id integer PRIMARY KEY, p_id integer NOT NULL REFERENCES public.p2 (id), v text);
ALTER TABLE public.p2 OWNER TO prov;
ALTER TABLE public.c1 OWNER TO prov;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON public.p2, public.c1 TO restorer;
`

beforeAll(async () => {
  server = harness.server
  await server.query(
    'postgres',
    `DO $$BEGIN CREATE ROLE restorer LOGIN PASSWORD '${PASSWORD}'; EXCEPTION WHEN duplicate_object THEN NULL; END$$;
     DO $$BEGIN CREATE ROLE prov; EXCEPTION WHEN duplicate_object THEN NULL; END$$;`
  )
  source = await server.createDatabase('order_src')
  await server.query(
    source,
    `CREATE TABLE public.p2 (id integer PRIMARY KEY, v text);
     CREATE TABLE public.c1 (id integer PRIMARY KEY, p_id integer NOT NULL, v text);
     INSERT INTO public.p2 SELECT g, 'p' || g FROM generate_series(1, 20) g;
     INSERT INTO public.c1 SELECT g, 1 + g % 20, 'café ' || g FROM generate_series(1, 200) g;`
  )
}, 60_000)

async function target(): Promise<string> {
  const db = await server.createDatabase()
  await server.query(db, TARGET_SQL)
  return db
}

function dump(name: string, args: string[]): string {
  const file = path.join(harness.work, name)
  execFileSync(path.join(server.binDir, 'pg_dump'), [...args, '-f', file, source], {
    env: server.env(source)
  })
  return file
}

function restore(database: string, file: string, overrides: Partial<RestoreOptions> = {}) {
  return harness.restore(
    testRestoreInputs(
      server.url(database, { user: 'restorer', password: PASSWORD }),
      { kind: 'file', path: file },
      overrides
    )
  )
}

async function rows(database: string): Promise<Record<string, string>> {
  const [r] = await server.query<Record<string, string>>(
    database,
    `SELECT (SELECT count(*) FROM public.p2)::text AS p2, (SELECT count(*) FROM public.c1)::text AS c1,
            (SELECT count(*) FROM s2.c1)::text AS s2_c1,
            (SELECT count(*) FROM public.c1 WHERE v LIKE 'café %')::text AS cafe`
  )
  return r
}

const failure = (run: Promise<unknown>) =>
  run.then(
    () => undefined,
    (e: unknown) => e as Error
  )

describe("the target's keys order the load", () => {
  it.each([
    ['a data-only custom archive, data-only: true', ['-Fc', '--data-only'], { dataOnly: true }],
    [
      'a data-only custom archive, data-only with jobs: 2',
      ['-Fc', '--data-only'],
      { dataOnly: true, jobs: 2, singleTransaction: false }
    ],
    ['a data-only plain script, allow-non-empty', ['-Fp', '--data-only'], { allowNonEmpty: true }]
  ])(
    '%s: every row arrives, p2 before c1 (by hand: the key refuses c1)',
    async (_what, args, overrides) => {
      const file = dump(`order-${args.join('')}-${Object.keys(overrides).join('')}.dump`, args)
      const db = await target()
      await restore(db, file, overrides)
      expect(await rows(db)).toEqual({ p2: '20', c1: '200', s2_c1: '0', cafe: '200' })
      // by hand, as the restoring role: the key refuses c1's rows, which come first
      const byHand = await target()
      const tool = args[0] === '-Fp' ? 'psql' : 'pg_restore'
      const env = { ...server.env(byHand), PGUSER: 'restorer', PGPASSWORD: PASSWORD }
      const run = () =>
        execFileSync(
          path.join(server.binDir, tool),
          tool === 'psql'
            ? ['-X', '-1', '-v', 'ON_ERROR_STOP=1', '-f', file, '-d', byHand]
            : ['--data-only', '--single-transaction', '--exit-on-error', '-d', byHand, file],
          { env, stdio: 'pipe' }
        )
      expect(run).toThrow(/violates foreign key constraint "c1_p_id_fkey"/)
    }
  )
})

describe("a plain script's block moves only past COPY blocks, with its schema named (attacker a24)", () => {
  /** c1's rows, then `between`, then p2's: a script by hand, not pg_dump's. */
  function script(name: string, between: string, copy = 'COPY public.c1'): string {
    const file = path.join(harness.work, name)
    writeFileSync(
      file,
      [
        "SET client_encoding = 'UTF8';",
        'SET standard_conforming_strings = on;',
        'SET search_path = public;',
        '',
        `${copy} (id, p_id, v) FROM stdin;`,
        '1\t1\tcafé 1',
        '2\t1\tcafé 2',
        '\\.',
        '',
        between,
        '',
        'COPY public.p2 (id, v) FROM stdin;',
        '1\tp',
        '\\.',
        ''
      ].join('\n')
    )
    return file
  }

  it.each([
    ['SET search_path between (its rows would go to s2.c1)', 'SET search_path = s2;', 'COPY c1'],
    [
      'SET client_encoding between (its text would read as LATIN1)',
      "SET client_encoding = 'LATIN1';",
      undefined
    ],
    ['a COPY that does not name its schema', '', 'COPY c1'],
    ['another statement between', 'SELECT 1;', undefined]
  ])(
    '%s: the script loads in its own order; the key refuses it, nothing is kept',
    async (_what, between, copy) => {
      const file = script(
        `moved-${between.length}-${copy ?? ''}.sql`.replace(/\s/g, ''),
        between,
        copy
      )
      const db = await target()
      const error = await failure(restore(db, file, { allowNonEmpty: true }))
      expect(error?.message).toMatch(/violates foreign key constraint "c1_p_id_fkey"/)
      expect(await rows(db)).toEqual({ p2: '0', c1: '0', s2_c1: '0', cafe: '0' })
    }
  )

  it('two COPY blocks for the waiting table: both move (attacker a25 A2)', async () => {
    const file = path.join(harness.work, 'twice.sql')
    writeFileSync(
      file,
      [
        'COPY public.c1 (id, p_id, v) FROM stdin;',
        '1\t1\tcafé 1',
        '\\.',
        'COPY public.c1 (id, p_id, v) FROM stdin;',
        '2\t1\tcafé 2',
        '3\t1\tcafé 3',
        '\\.',
        'COPY public.p2 (id, v) FROM stdin;',
        '1\tp',
        '\\.',
        ''
      ].join('\n')
    )
    const db = await target()
    const result = await restore(db, file, { allowNonEmpty: true })
    expect(await rows(db)).toEqual({ p2: '1', c1: '3', s2_c1: '0', cafe: '3' })
    // the report counts the table once, with its rows (a25 A3: "3 tables, 6 rows")
    expect(result.tables.map(t => `${t.schema}.${t.name}`).sort()).toEqual([
      'public.c1',
      'public.p2'
    ])
    expect(result.rowsRestored).toBe(4)
  })

  it('only COPY blocks between, the schema named: moved, the text as written', async () => {
    const file = script('moved-plain.sql', '')
    const db = await target()
    await restore(db, file, { allowNonEmpty: true })
    expect(await rows(db)).toEqual({ p2: '1', c1: '2', s2_c1: '0', cafe: '2' })
  })
})
