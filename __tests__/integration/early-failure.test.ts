/**
 * psql failing at its first statement on the `clean` path (an archive turned into a script by
 * pg_restore and fed to psql) while pg_restore is still writing: the writes pending on psql's
 * stdin are cancelled (EPIPE, or ECANCELED once Node destroyed the pipe). That was an intermittent
 * uncaught `Error: write ECANCELED` (a few runs in twenty, issue 14.7); it must always end as
 * psql's own error, through the normal failure path, leaving nothing running or on disk.
 */
import { beforeAll, expect, it } from '@jest/globals'
import { readdirSync } from 'node:fs'
import path from 'node:path'
import type { TestServer } from '../../dev/postgres.js'
import { useHarness } from '../support/harness.js'
import { testBackupInputs, testRestoreInputs } from '../support/inputs.js'

const RUNS = 12

const harness = useHarness({ name: 'early-failure-test' })
let server: TestServer
let archive: string

beforeAll(async () => {
  server = harness.server
  const source = await server.createDatabase('shop')
  await server.query(
    source,
    `CREATE TABLE public.orders (id integer PRIMARY KEY, note text NOT NULL);
     INSERT INTO public.orders SELECT i, md5(i::text) || md5((i + 1)::text)
       FROM generate_series(1, 300000) i;`
  )
  const out = path.join(harness.work, 'backups')
  const made = await harness.backup(
    testBackupInputs(server.url(source), { compression: 'none', compressionLevel: 0 }),
    { outputDirectory: out }
  )
  archive = made.localPath!
}, 180_000)

it(`psql refusing the first statement of a clean restore fails with psql's error, ${RUNS} runs in ${RUNS}`, async () => {
  const target = await server.createDatabase()
  await server.query(target, 'CREATE TABLE public.orders (id integer)')
  // every transaction of the target is read-only: psql's first DROP fails
  await server.query(
    'postgres',
    `ALTER DATABASE "${target}" SET default_transaction_read_only = on`
  )
  const uncaught: unknown[] = []
  const record = (error: unknown): void => void uncaught.push(error)
  process.on('uncaughtException', record)
  try {
    for (let run = 0; run < RUNS; run++) {
      const failure = await harness
        .restore(
          testRestoreInputs(server.url(target), { kind: 'file', path: archive }, { clean: true })
        )
        .then(
          () => new Error('the restore succeeded'),
          (error: Error) => error
        )
      expect(failure.message).toMatch(/psql exited with code \d+: .*read-only transaction/)
      expect(failure.message).not.toMatch(/ECANCELED|EPIPE/)
    }
  } finally {
    process.off('uncaughtException', record)
  }
  expect(uncaught).toEqual([])
  expect(readdirSync(harness.tempRoot)).toEqual([])
  expect(await server.query(target, 'SELECT count(*)::int AS n FROM public.orders')).toEqual([
    { n: 0 }
  ])
}, 300_000)
