/**
 * Upgrade day and moving day across majors, on real servers (embedded 17 and 18) with the real
 * 17 and 18 clients (support/clients.ts):
 *  1. pg_restore is chosen by the archive's FORMAT version, not by its pg_dump's major: pg_dump
 *     18 writes format 1.16, which pg_restore 17 reads by hand, and so does the action.
 *  2. pg_dump 18 --statistics into 17: the STATISTICS DATA entries (the planner's statistics,
 *     not data) are left out with a notice (pg_restore --no-statistics, or the gate for an older
 *     pg_restore), as pg_restore --no-statistics by hand; a failing entry is named right.
 *  3. A backup of 18 into 17: said up front (a warning naming both versions) and in the error of
 *     the load that fails; in verify too.
 *  4. The comparison with the previous backup says when that backup came from another server
 *     and major; the restore's result and summary name the backup's server beside the target's.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { Writable } from 'node:stream'
import { runTool, tableChecksums } from '../../dev/fixtures.js'
import { type TestServer, startPostgres } from '../../dev/postgres.js'
import { type Log, actionLog, useLog } from '../../src/log.js'
import { ScriptGate } from '../../src/postgres/script-gate.js'
import { restoreSummaryMarkdown } from '../../src/summary.js'
import type { BackupSource } from '../../src/types.js'
import { provisionedClient } from '../support/clients.js'
import { embeddedBinDir } from '../support/embedded.js'
import { useHarness } from '../support/harness.js'
import { comparingRuns, testBackupInputs, testRestoreInputs } from '../support/inputs.js'

const harness = useHarness({ name: 'restore-version', postgres: false })
let v17: TestServer
let v18: TestServer
const notices: string[] = []

function clientOf(major: number) {
  const client = provisionedClient(major)
  if ('missing' in client) throw new Error(client.missing)
  return client
}

const SHOP = `CREATE TABLE public.customers (id integer PRIMARY KEY, name text NOT NULL);
  INSERT INTO public.customers SELECT g, 'c' || g FROM generate_series(1, 300) g;
  CREATE TABLE public.orders (id integer PRIMARY KEY, customer integer REFERENCES public.customers, total numeric);
  INSERT INTO public.orders SELECT g, 1 + g % 300, g * 1.5 FROM generate_series(1, 500) g;
  CREATE INDEX orders_customer ON public.orders (customer);
  ANALYZE;`

/** pg_dump `major` -Fc of `database` on `server`, with `args`. */
async function dumpWith(
  major: number,
  server: TestServer,
  database: string,
  name: string,
  args: string[] = []
): Promise<string> {
  const file = path.join(harness.work, name)
  await runTool(
    path.join(clientOf(major).binDir, 'pg_dump'),
    ['-Fc', ...args, '-f', file],
    server.env(database)
  )
  return file
}

const file = (p: string): BackupSource => ({ kind: 'file', path: p })

let shop18: string
let sourceChecksums: Awaited<ReturnType<typeof tableChecksums>>

beforeAll(async () => {
  ;[v17, v18] = await Promise.all([
    startPostgres({ binDir: embeddedBinDir(17) }),
    startPostgres({ binDir: embeddedBinDir(18) })
  ])
  // the real 17 and 18 clients on PATH, as on a runner that has them
  process.env.PATH = [clientOf(17).binDir, clientOf(18).binDir, process.env.PATH].join(
    path.delimiter
  )
  shop18 = await v18.createDatabase('shop18')
  await v18.query(shop18, SHOP)
  sourceChecksums = await tableChecksums(v18, shop18)
  const capture: Log = {
    ...actionLog,
    info: () => undefined,
    debug: () => undefined,
    warning: () => undefined,
    notice: m => notices.push(m),
    group: (_name, fn) => fn(),
    progress: () => undefined
  }
  useLog(capture)
}, 120_000)

afterAll(async () => {
  useLog(actionLog)
  await Promise.all([v17?.stop(), v18?.stop()])
})

describe('pg_restore chosen by the archive format (u7 F11)', () => {
  it('pg_restore 17 (pg-bin-dir) restores a pg_dump 18 archive (format 1.16) into 17, as by hand', async () => {
    const dump = await dumpWith(18, v18, shop18, 'by18.dump', ['--no-statistics'])
    expect(readFileSync(dump).subarray(0, 7)).toEqual(Buffer.from([...Buffer.from('PGDMP'), 1, 16]))
    const target = await v17.createDatabase()
    const result = await harness.restore(
      testRestoreInputs(v17.url(target), file(dump), { pgBinDir: clientOf(17).binDir })
    )
    expect(result.clientVersion).toMatch(/^17\./)
    expect(await tableChecksums(v17, target)).toEqual(sourceChecksums)
    expect(result.warnings).toContainEqual(
      expect.stringMatching(
        /^The archive was written by pg_dump 18; restoring it with the older pg_restore 17\.\d+ .*, which reads its archive format as pg_restore by hand does \(archive format 1\.16, which pg_restore 17 and newer read\)/
      )
    )
  })

  it('postgres-version: 17 restores it too', async () => {
    const dump = path.join(harness.work, 'by18.dump')
    const target = await v17.createDatabase()
    const result = await harness.restore(
      testRestoreInputs(v17.url(target), file(dump), { postgresVersion: 17 })
    )
    expect(result.clientVersion).toMatch(/^17\./)
    expect(await tableChecksums(v17, target)).toEqual(sourceChecksums)
  })
})

describe('pg_dump 18 --statistics into 17 (u7 F10)', () => {
  let stats: string
  beforeAll(async () => {
    stats = await dumpWith(18, v18, shop18, 'stats18.dump', ['--statistics'])
  }, 60_000)

  it.each([18, 17])(
    'with pg_restore %i: the STATISTICS DATA entries are left out with a notice, the data restored',
    async major => {
      notices.length = 0
      const target = await v17.createDatabase()
      const result = await harness.restore(
        testRestoreInputs(v17.url(target), file(stats), { pgBinDir: clientOf(major).binDir })
      )
      expect(result.clientVersion).toMatch(new RegExp(`^${major}\\.`))
      expect(await tableChecksums(v17, target)).toEqual(sourceChecksums)
      const notice = notices.find(n => n.includes('STATISTICS DATA'))
      expect(notice).toMatch(
        /^Left out: \d+ STATISTICS DATA entries of the backup \(pg_dump 18 --statistics\): the planner's statistics, not data, which PostgreSQL 17 cannot load/
      )
      expect(notice).toContain('ANALYZE')
      const count = Number(/^Left out: (\d+)/.exec(notice!)![1])
      // customers, orders, their two primary keys, the index
      expect(count).toBeGreaterThanOrEqual(5)
      expect(notice!.includes('pg_restore --no-statistics')).toBe(major >= 18)
    }
  )

  it('into 18 the statistics are restored (nothing left out)', async () => {
    notices.length = 0
    const target = await v18.createDatabase()
    await harness.restore(testRestoreInputs(v18.url(target), file(stats)))
    expect(notices.filter(n => n.includes('STATISTICS DATA'))).toEqual([])
    const [row] = await v18.query<{ n: number }>(
      target,
      "SELECT reltuples::int AS n FROM pg_class WHERE relname = 'orders'"
    )
    expect(row.n).toBe(500)
  })

  it('a statement of a STATISTICS DATA entry is named by that entry, not the one before it', async () => {
    const script = await runTool(
      path.join(clientOf(18).binDir, 'pg_restore'),
      ['-f', '-', stats],
      process.env
    )
    const gate = new ScriptGate({ psqlMajor: 18, serverMajor: 18, source: 'test' })
    let out = ''
    await pipeline(
      Readable.from([Buffer.from(script)]),
      gate,
      new Writable({
        write(chunk: Buffer, _e, cb) {
          out += chunk.toString('utf8')
          cb()
        }
      })
    )
    const line = out.split('\n').findIndex(l => l.includes('pg_restore_relation_stats(')) + 1
    expect(line).toBeGreaterThan(0)
    expect(gate.entryAt(line)).toMatch(/^STATISTICS DATA public\.\w+$/)
  })
})

describe('a backup of a newer major into an older server (u7 F1, F5)', () => {
  let dump: string
  beforeAll(async () => {
    const newer = await v18.createDatabase('uses18')
    await v18.query(
      newer,
      `CREATE TABLE public.ids (id uuid PRIMARY KEY DEFAULT uuidv7(), n integer);
       INSERT INTO public.ids (n) SELECT g FROM generate_series(1, 10) g;`
    )
    dump = await dumpWith(18, v18, newer, 'uses18.dump')
  }, 60_000)

  it('restore: the error names both versions and what fails', async () => {
    const target = await v17.createDatabase()
    const error = await harness.restore(testRestoreInputs(v17.url(target), file(dump))).then(
      () => undefined,
      (e: Error) => e
    )
    expect(error?.message).toMatch(/uuidv7\(\) does not exist/)
    expect(error?.message).toMatch(
      /Note: the backup was taken from PostgreSQL 18\.\d+ \(its archive header\); the target runs 17\.\d+: objects using features 17 lacks fail/
    )
    expect(error?.message).toContain('Restore into a server of PostgreSQL 18 or newer')
    // one major apart: "added in PostgreSQL 18", not "18–18" (trial u27 F4)
    expect(error?.message).toContain('options added in PostgreSQL 18:')
  })

  it('an error no major causes (a policy TO a role the target lacks) gets no upgrade advice (trial u36 F4)', async () => {
    const source = await v18.createDatabase('policy18')
    await v18.query(
      source,
      `DO $$ BEGIN CREATE ROLE only_on_18 NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
       CREATE TABLE public.notes (id int PRIMARY KEY);
       ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;
       CREATE POLICY readers ON public.notes AS RESTRICTIVE FOR SELECT TO only_on_18, postgres USING (true);`
    )
    const policyDump = await dumpWith(18, v18, source, 'policy18.dump')
    const target = await v17.createDatabase()
    const error = await harness.restore(testRestoreInputs(v17.url(target), file(policyDump))).then(
      () => undefined,
      (e: Error) => e
    )
    expect(error?.message).toMatch(/applies to role "only_on_18", which the target lacks/)
    // the line of a script the user never sees comes with the archive's entry (trial u36 F5)
    expect(error?.message).toMatch(
      /^the archive's entry POLICY public\.notes readers, checked before the load: /
    )
    expect(error?.message).not.toContain('Restore into a server of PostgreSQL 18')
  })

  it('restore of a backup that uses no newer feature: a warning up front, the data restored', async () => {
    const dump18 = path.join(harness.work, 'by18.dump')
    const target = await v17.createDatabase()
    const result = await harness.restore(testRestoreInputs(v17.url(target), file(dump18)))
    expect(await tableChecksums(v17, target)).toEqual(sourceChecksums)
    expect(result.warnings).toContainEqual(
      expect.stringMatching(
        /^The backup was taken from PostgreSQL 18\.\d+ \(its archive header\); the target runs 17\.\d+: objects using features 17 lacks fail/
      )
    )
    expect(result.backupServerVersion).toMatch(/^18\./)
  })

  it('verify on an older scratch server: the error names verify-database-url and the major to use', async () => {
    const scratch = await v17.createDatabase()
    const error = await harness
      .verify({ ...testRestoreInputs(v17.url(scratch), file(dump)), mode: 'verify' })
      .then(
        () => undefined,
        (e: Error) => e
      )
    expect(error?.message).toMatch(
      /the backup was taken from PostgreSQL 18\.\d+ \(its archive header\); verify-database-url runs 17\.\d+: .*services: postgres: image: postgres:18/
    )
  })
})

describe('a move to another server and major (u7 F7, F14)', () => {
  it('the comparison with the previous backup says so; the restore names both servers', async () => {
    const shop17 = await v17.createDatabase('shop17')
    await v17.query(shop17, SHOP)
    // two workflow runs: the second backup compares with the first run's
    const backend = harness.backend
    const { changes, nextRun } = comparingRuns(backend)
    nextRun()
    await harness.backup(testBackupInputs(v17.url(shop17), { artifactName: 'prod', changes }))
    nextRun()
    const second = await harness.backup(
      testBackupInputs(v18.url(shop18), { artifactName: 'prod', changes })
    )
    const moved = second.manifest.changes?.moved
    expect(moved).toMatch(
      new RegExp(
        `^the previous backup came from another database and another major: PostgreSQL 17\\.\\d+, shop17@127\\.0\\.0\\.1:${v17.port} → 18\\.\\d+, shop18@127\\.0\\.0\\.1:${v18.port} \\(a major upgrade\\)`
      )
    )
    const target = await v18.createDatabase()
    const result = await harness.restore(
      testRestoreInputs(v18.url(target), {
        kind: 'artifact',
        name: 'prod',
        runId: 'current',
        repository: backend.repository,
        token: backend.githubToken
      })
    )
    expect(result.backupServerVersion).toBe(second.manifest.server.version)
    const summary = restoreSummaryMarkdown(result)
    expect(summary).toContain(`| Backup of server | PostgreSQL ${second.manifest.server.version} |`)
    expect(summary).toContain(`| Target server | ${result.serverVersion} |`)
  })
})
