/**
 * What a user trial found the action refusing or miscounting where pg_restore or psql by hand
 * succeed: a data-only backup of partitioned tables whose serial or identity sequence belongs to
 * the parent (pg_dump writes the rows under the partitions), in every format pg_dump writes.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import path from 'node:path'
import { runTool, tableChecksums } from '../../dev/fixtures.js'
import type { TestServer } from '../../dev/postgres.js'
import { type Log, actionLog, useLog } from '../../src/log.js'
import type { RestoreOptions } from '../../src/types.js'
import { useHarness } from '../support/harness.js'
import { testRestoreInputs } from '../support/inputs.js'

const harness = useHarness({ name: 'restore-user-trial' })
let server: TestServer

const lines: string[] = []
const capture: Log = {
  ...actionLog,
  info: m => void lines.push(m),
  warning: m => void lines.push(`warning: ${m}`),
  notice: m => void lines.push(`notice: ${m}`),
  debug: () => undefined,
  group: async (_name, fn) => fn(),
  progressStyle: 'lines',
  progress: () => undefined
}

beforeAll(() => {
  server = harness.server
  useLog(capture)
})
afterAll(() => useLog(actionLog))

function restore(target: string, file: string, overrides: Partial<RestoreOptions> = {}) {
  return harness.restore(
    testRestoreInputs(server.url(target), { kind: 'file', path: file }, overrides)
  )
}

const failure = (p: Promise<unknown>): Promise<Error | undefined> =>
  p.then(
    () => undefined,
    (e: unknown) => e as Error
  )

async function pgDump(database: string, file: string, args: string[]): Promise<string> {
  const out = path.join(harness.work, file)
  await runTool(path.join(server.binDir, 'pg_dump'), [...args, '-f', out], server.env(database))
  return out
}

async function psql(database: string, sql: string): Promise<void> {
  await runTool(
    path.join(server.binDir, 'psql'),
    ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', server.url(database)],
    server.env(database),
    sql
  )
}

describe('a data-only backup of partitioned tables with serial and identity columns', () => {
  const SCHEMA = `CREATE SCHEMA app;
    CREATE TABLE app.events (id bigserial, at date NOT NULL) PARTITION BY RANGE (at);
    CREATE TABLE app.events_2025 PARTITION OF app.events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
    CREATE TABLE app.events_2026 PARTITION OF app.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
    CREATE TABLE app.hits (id bigint GENERATED ALWAYS AS IDENTITY, at date NOT NULL) PARTITION BY LIST (at);
    CREATE TABLE app.hits_a PARTITION OF app.hits FOR VALUES IN ('2025-02-02');
    CREATE TABLE app.hits_b PARTITION OF app.hits DEFAULT;
    CREATE TABLE app.base (id serial, v text);
    CREATE TABLE app.child (w text) INHERITS (app.base);`
  let source: string
  let schemaSql: string
  beforeAll(async () => {
    source = await server.createDatabase('trial_partitions_src')
    await psql(
      source,
      `${SCHEMA}
       INSERT INTO app.events (at) VALUES ('2025-02-02'), ('2025-03-03'), ('2026-04-04');
       INSERT INTO app.hits (at) VALUES ('2025-02-02'), ('2025-05-05');
       INSERT INTO app.child (v, w) VALUES ('x', 'y'), ('z', 'w');`
    )
    schemaSql = await runTool(
      path.join(server.binDir, 'pg_dump'),
      ['--schema-only', '--no-owner', '--no-privileges'],
      server.env(source)
    )
  }, 60_000)

  async function migrated(extra = ''): Promise<string> {
    const target = await server.createDatabase()
    await psql(target, schemaSql + extra)
    return target
  }

  const next = (db: string) =>
    server.query(
      db,
      `SELECT (SELECT last_value::int FROM app.events_id_seq) AS events,
              (SELECT last_value::int FROM app.hits_id_seq) AS hits,
              (SELECT last_value::int FROM app.base_id_seq) AS base`
    )

  it.each([
    ['custom archive', 'parts.dump', ['-Fc']],
    ['plain script', 'parts.sql', ['-Fp']],
    ['plain script with --inserts', 'parts-ins.sql', ['-Fp', '--inserts']],
    ['directory archive', 'parts.dir', ['-Fd']]
  ])(
    '%s with allow-non-empty: loads as pg_restore -1 / psql -f by hand do, sets the parents’ sequences',
    async (_kind, name, args) => {
      const file = await pgDump(source, name, [...args, '--data-only'])
      const target = await migrated()
      lines.length = 0
      await restore(target, file, { allowNonEmpty: true })
      expect(await tableChecksums(server, target)).toEqual(await tableChecksums(server, source))
      expect(await next(target)).toEqual([{ events: 3, hits: 2, base: 2 }])
      expect(lines.join('\n')).toMatch(
        /sets 3 sequences of theirs: app\.base_id_seq, app\.events_id_seq, app\.hits_id_seq/
      )
      await server.dropDatabase(target)
    },
    60_000
  )

  it('a partition the backup does not fill holds rows: the parent’s sequence is refused, naming the parent; nothing changed', async () => {
    const file = await pgDump(source, 'parts2.dump', ['-Fc', '--data-only'])
    // the target's own partition, which the backup knows nothing of, holds a row
    const target = await migrated(
      `CREATE TABLE app.events_2027 PARTITION OF app.events FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');
       INSERT INTO app.events (at) VALUES ('2027-06-06');`
    )
    lines.length = 0
    const error = await failure(restore(target, file, { allowNonEmpty: true }))
    expect(error?.message).toMatch(
      /app\.events_id_seq \(it belongs to app\.events, which holds rows\)/
    )
    expect(await server.query(target, 'SELECT count(*)::int AS n FROM app.events')).toEqual([
      { n: 1 }
    ])
    await server.dropDatabase(target)
  })
})

describe('a pg_dump --clean --if-exists script restored again', () => {
  it('with allow-non-empty: its own DROPs run first, so the CREATEs of what they dropped run too, as under psql -f by hand', async () => {
    const source = await server.createDatabase('trial_clean_src')
    await psql(
      source,
      `CREATE SCHEMA app;
       CREATE EXTENSION citext SCHEMA app;
       CREATE TABLE app.users (id serial PRIMARY KEY, email app.citext);
       INSERT INTO app.users (email) VALUES ('Ada@example.com'), ('bob@example.com');
       CREATE PUBLICATION pub FOR TABLE app.users;`
    )
    const file = await pgDump(source, 'clean.sql', ['-Fp', '--clean', '--if-exists'])
    const target = await server.createDatabase()
    await restore(target, file)
    // a second run: refused without allow-non-empty, loads the same with it
    expect((await failure(restore(target, file)))?.message).toMatch(/is not empty/)
    await server.query(target, "INSERT INTO app.users (email) VALUES ('extra@example.com')")
    await restore(target, file, { allowNonEmpty: true })
    expect(await tableChecksums(server, target)).toEqual(await tableChecksums(server, source))
    expect(
      await server.query(
        target,
        `SELECT e.extname, n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
          WHERE e.extname = 'citext'`
      )
    ).toEqual([{ extname: 'citext', nspname: 'app' }])
    expect(await server.query(target, 'SELECT pubname FROM pg_publication')).toEqual([
      { pubname: 'pub' }
    ])
    await server.dropDatabase(target)
    await server.dropDatabase(source)
  }, 60_000)
})
