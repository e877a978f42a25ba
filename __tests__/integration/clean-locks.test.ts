/**
 * clean: true over a target of many tables (user trial 6, F6): clean's drops run in the restore's
 * one transaction and hold a lock on every object dropped, so a big schema overflows the server's
 * lock table ("out of shared memory"). The error keeps PostgreSQL's HINT (max_locks_per_transaction)
 * and gives advice that matches it, not the managed-service advice of a drop refused for its
 * owner. The backup goes through the real artifact client and the loopback backend.
 */
import { beforeAll, expect, it } from '@jest/globals'
import pg from 'pg'
import type { TestServer } from '../../dev/postgres.js'
import { useHarness } from '../support/harness.js'
import { useInProcessStep } from '../support/step.js'

const harness = useHarness({ name: 'clean-locks' })
const runStep = useInProcessStep(harness)
let server: TestServer

/** Tables of the backup: each with a key and a TOAST table, four locks to drop it. */
const TABLES = 1500
const SCHEMA = `DO $$BEGIN FOR i IN 1..${TABLES} LOOP
  EXECUTE format('CREATE TABLE public.t%s (id integer PRIMARY KEY, note text)', i);
END LOOP; END$$;`

beforeAll(async () => {
  server = harness.server
  const source = await server.createDatabase('many_src')
  await server.query(source, SCHEMA)
  const step = await runStep({ 'database-url': server.url(source), 'artifact-name': 'many' })
  expect(step.error).toBeUndefined()
}, 300_000)

it("clean: true over more tables than the server's lock table holds: PostgreSQL's HINT and advice that fits, nothing changed", async () => {
  const [{ locks }] = await server.query<{ locks: number }>(
    'postgres',
    "SELECT current_setting('max_locks_per_transaction')::int * current_setting('max_connections')::int AS locks"
  )
  expect(locks).toBeLessThan(TABLES * 4)
  const target = await server.createDatabase()
  await server.query(target, SCHEMA)
  await server.query(target, 'INSERT INTO public.t1 VALUES (1, $1)', ['kept'])
  const step = await runStep({
    mode: 'restore',
    'database-url': server.url(target),
    'artifact-name': 'many',
    'github-token': harness.backend.githubToken,
    clean: 'true'
  })
  const message = step.error?.message ?? ''
  expect(message).toMatch(/out of shared memory/)
  expect(message).toMatch(/HINT: You might need to increase max_locks_per_transaction/)
  expect(message).toMatch(/lock table[^]*Restore into an empty database without clean/)
  expect(message).not.toMatch(/provider|exclude-schema/)
  expect(step.summary).toMatch(/max_locks_per_transaction/)
  // nothing was changed
  expect(await server.query(target, 'SELECT id, note FROM public.t1')).toEqual([
    { id: 1, note: 'kept' }
  ])
  const [{ n }] = await server.query<{ n: number }>(
    target,
    "SELECT count(*)::int AS n FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'"
  )
  expect(n).toBe(TABLES)
}, 300_000)

it("clean while the application keeps inserting: the backup's rows all there, the other sessions' rows said, not a damaged backup (trial u65 F1)", async () => {
  const source = await server.createDatabase('orders_src')
  await server.query(
    source,
    "CREATE TABLE public.orders (id serial PRIMARY KEY, note text); INSERT INTO public.orders (note) SELECT 'backup' FROM generate_series(1, 2000)"
  )
  const backup = await runStep({ 'database-url': server.url(source), 'artifact-name': 'orders' })
  expect(backup.error).toBeUndefined()
  const target = await server.createDatabase()
  const restore = (clean: boolean) =>
    runStep({
      mode: 'restore',
      'database-url': server.url(target),
      'artifact-name': 'orders',
      'github-token': harness.backend.githubToken,
      ...(clean ? { clean: 'true' } : {})
    })
  expect((await restore(false)).error).toBeUndefined()
  // the application: one session inserting without a pause, which waits on the restore's locks
  const app = new pg.Client({ connectionString: server.url(target) })
  await app.connect()
  let running = true
  let inserted = 0
  const writer = (async () => {
    while (running) {
      try {
        await app.query("INSERT INTO public.orders (note) VALUES ('app')")
        inserted++
      } catch {
        // the table between its drop and its creation
      }
    }
  })()
  await new Promise(resolve => setTimeout(resolve, 200))
  const step = await restore(true)
  running = false
  await writer
  await app.end()
  expect(step.error).toBeUndefined()
  const [{ backup: fromBackup, other }] = await server.query<{ backup: number; other: number }>(
    target,
    "SELECT count(*) FILTER (WHERE note = 'backup')::int AS backup, count(*) FILTER (WHERE note = 'app')::int AS other FROM public.orders"
  )
  expect(fromBackup).toBe(2000)
  expect(inserted).toBeGreaterThan(0)
  // the rows written since the restore's COMMIT and counted with it are named as such
  expect(step.stdout).toMatch(
    /public\.orders \(\d+ rows: the backup's 2000 and \d+ written by other sessions\)[^]*Stop the application's writers before restoring over its database/
  )
  expect(step.stdout).not.toMatch(/not what its manifest says/)
  expect(other).toBeGreaterThan(0)
}, 120_000)
