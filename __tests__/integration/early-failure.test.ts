/**
 * psql failing at its first statement (an archive turned into a script by pg_restore and fed to
 * psql; once on the `clean` path, whose drops the action now checks before psql starts) while
 * pg_restore is still writing: the writes pending on psql's
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
/** The same with a large object: restored through psql (pg_restore -f - into psql). */
let archiveThroughPsql: string

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
  // a large object keeps a restore on the gated psql path (pg_restore -d writes large objects
  // through calls the gate never reads)
  await server.query(source, "SELECT lo_from_bytea(0, '\\x6869'::bytea)")
  const withLargeObject = await harness.backup(
    testBackupInputs(server.url(source), { compression: 'none', compressionLevel: 0 }),
    { outputDirectory: path.join(harness.work, 'backups-lo') }
  )
  archiveThroughPsql = withLargeObject.localPath!
}, 180_000)

it(`the loader refusing the first statement of a restore fails with its error (psql and pg_restore -d), ${RUNS} runs in ${RUNS}`, async () => {
  const target = await server.createDatabase()
  // the target's event trigger refuses every DDL statement: the restore's first CREATE fails
  // (a read-only target is refused before the load now, by the target check)
  await server.query(
    target,
    `CREATE SCHEMA guard;
     CREATE FUNCTION guard.refuse() RETURNS event_trigger LANGUAGE plpgsql
       AS $$BEGIN RAISE EXCEPTION 'refused by the target''s event trigger'; END$$;
     CREATE EVENT TRIGGER refuse_ddl ON ddl_command_start EXECUTE FUNCTION guard.refuse();`
  )
  const uncaught: unknown[] = []
  const record = (error: unknown): void => void uncaught.push(error)
  process.on('uncaughtException', record)
  try {
    for (let run = 0; run < RUNS; run++) {
      // every other run through psql (pg_restore is still writing the script when psql fails:
      // the race this test is about); the others load directly (pg_restore -d fails itself).
      // The target holds objects of its own (the event trigger's function and schema): in one
      // transaction the restore ends with the check that they are unchanged, which only the
      // psql path leaves room for; without one, pg_restore -d loads (and stops at the error)
      const psql = run % 2 === 1
      const failure = await harness
        .restore(
          testRestoreInputs(
            server.url(target),
            { kind: 'file', path: psql ? archiveThroughPsql : archive },
            psql ? {} : { singleTransaction: false }
          )
        )
        .then(
          () => new Error('the restore succeeded'),
          (error: Error) => error
        )
      expect({ psql, message: failure.message }).toEqual({
        psql,
        message: expect.stringMatching(
          psql
            ? /psql exited with code \d+: .*refused by the target's event trigger/
            : /pg_restore exited with code \d+: .*refused by the target's event trigger/
        )
      })
      expect(failure.message).not.toMatch(/ECANCELED|EPIPE/)
    }
  } finally {
    process.off('uncaughtException', record)
  }
  expect(uncaught).toEqual([])
  expect(readdirSync(harness.tempRoot)).toEqual([])
  expect(await server.query(target, "SELECT to_regclass('public.orders') AS t")).toEqual([
    { t: null }
  ])
}, 300_000)
