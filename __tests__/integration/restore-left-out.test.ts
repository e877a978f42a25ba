/**
 * An extension the restoring role may not create is left out (as pg_restore by hand carries on
 * past "permission denied to create extension"); when the load then fails on what depends on it,
 * the failure names the left-out extension as its root cause and what to do, instead of only the
 * dependent's "foreign-data wrapper … does not exist" (user trial 6, F4). Through the real
 * artifact client and the loopback backend; the target is asserted unchanged.
 */
import { beforeAll, expect, it } from '@jest/globals'
import { useHarness } from '../support/harness.js'
import { useInProcessStep } from '../support/step.js'
import {
  appOwnedTarget,
  backUpSource,
  publicRelations,
  restoreAsApp
} from '../support/app-target.js'

const harness = useHarness({ name: 'restore-left-out' })
const runStep = useInProcessStep(harness)

beforeAll(async () => {
  await backUpSource(harness, runStep, {
    name: 'fdw_src',
    artifact: 'fdw',
    sql: `CREATE EXTENSION postgres_fdw;
     CREATE SERVER loop FOREIGN DATA WRAPPER postgres_fdw OPTIONS (dbname 'postgres');
     CREATE TABLE public.items (id integer PRIMARY KEY);
     INSERT INTO public.items SELECT generate_series(1, 10);`
  })
}, 120_000)

it('the dependent fails: the error names the left-out extension as the root cause; nothing kept', async () => {
  const target = await appOwnedTarget(harness)
  const step = await restoreAsApp(harness, runStep, target, 'fdw')
  const message = step.error?.message ?? ''
  expect(message).toMatch(/foreign-data wrapper "postgres_fdw" does not exist/)
  expect(message).toMatch(
    /Root cause: the backup's EXTENSION postgres_fdw was left out \(app may not create it in the target[^]*Have the extension enabled in the target first/
  )
  expect(message).toMatch(/Nothing was kept/)
  expect(await publicRelations(harness, target)).toBe(0)
}, 120_000)
