/**
 * An extension the restoring role may not create is left out (as pg_restore by hand carries on
 * past "permission denied to create extension"); when the load then fails on what depends on it,
 * the failure names the left-out extension as its root cause and what to do, instead of only the
 * dependent's "foreign-data wrapper … does not exist" (user trial 6, F4). Through the real
 * artifact client and the loopback backend; the target is asserted unchanged.
 */
import { beforeAll, expect, it } from '@jest/globals'
import type { TestServer } from '../../dev/postgres.js'
import { useHarness } from '../support/harness.js'
import { useInProcessStep } from '../support/step.js'

const harness = useHarness({ name: 'restore-left-out' })
const runStep = useInProcessStep(harness)
let server: TestServer

beforeAll(async () => {
  server = harness.server
  const source = await server.createDatabase('fdw_src')
  await server.query(
    source,
    `CREATE EXTENSION postgres_fdw;
     CREATE SERVER loop FOREIGN DATA WRAPPER postgres_fdw OPTIONS (dbname 'postgres');
     CREATE TABLE public.items (id integer PRIMARY KEY);
     INSERT INTO public.items SELECT generate_series(1, 10);`
  )
  const step = await runStep({ 'database-url': server.url(source), 'artifact-name': 'fdw' })
  expect(step.error).toBeUndefined()
}, 120_000)

it('the dependent fails: the error names the left-out extension as the root cause; nothing kept', async () => {
  const target = await server.createDatabase()
  await server.query('postgres', `ALTER DATABASE ${target} OWNER TO ${server.appUser}`)
  const step = await runStep({
    mode: 'restore',
    'database-url': server.url(target, { user: server.appUser, password: server.appPassword }),
    'artifact-name': 'fdw',
    'github-token': harness.backend.githubToken
  })
  const message = step.error?.message ?? ''
  expect(message).toMatch(/foreign-data wrapper "postgres_fdw" does not exist/)
  expect(message).toMatch(
    /Root cause: the backup's EXTENSION postgres_fdw was left out \(app may not create it in the target[^]*Have the extension enabled in the target first/
  )
  expect(message).toMatch(/Nothing was kept/)
  const [{ n }] = await server.query<{ n: number }>(
    target,
    "SELECT count(*)::int AS n FROM pg_class WHERE relnamespace = 'public'::regnamespace"
  )
  expect(n).toBe(0)
}, 120_000)
