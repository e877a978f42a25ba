/**
 * A table with FORCE ROW LEVEL SECURITY (as a provider's storage.objects) refuses even an empty
 * COPY from a restoring role without BYPASSRLS (a restore loads with row_security off, as
 * pg_restore does): the error names the table and what to do (user trial 6, F7). Through the
 * real artifact client and the loopback backend; the target is asserted unchanged.
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

const harness = useHarness({ name: 'restore-row-security' })
const runStep = useInProcessStep(harness)

/** The provider's table, as a new project has it: row-level security on, forced. */
const STORAGE_OBJECTS = `CREATE SCHEMA storage;
     CREATE TABLE storage.objects (id integer PRIMARY KEY, owner text);
     ALTER TABLE storage.objects ENABLE ROW LEVEL SECURITY;
     ALTER TABLE storage.objects FORCE ROW LEVEL SECURITY;
     CREATE POLICY own ON storage.objects USING (owner = current_user);`

beforeAll(async () => {
  await backUpSource(harness, runStep, {
    name: 'rls_src',
    artifact: 'rls',
    sql: `${STORAGE_OBJECTS}
     CREATE TABLE public.items (id integer PRIMARY KEY);
     INSERT INTO public.items SELECT generate_series(1, 10);`
  })
}, 120_000)

it('restoring as a role without BYPASSRLS: the error names the table, BYPASSRLS and how to leave it out; nothing kept', async () => {
  const { server } = harness
  const target = await appOwnedTarget(harness)
  // the provider's table in the target: another owner (the superuser)
  await server.query(
    target,
    `${STORAGE_OBJECTS}
     GRANT USAGE ON SCHEMA storage TO ${server.appUser};
     GRANT ALL ON storage.objects TO ${server.appUser};`
  )
  const step = await restoreAsApp(harness, runStep, target, 'rls', { 'allow-non-empty': 'true' })
  const message = step.error?.message ?? ''
  expect(message).toMatch(/row-level security policy for table "objects"/)
  expect(message).toMatch(
    /The table storage\.objects has row-level security[^]*BYPASSRLS[^]*exclude-schemas on the backup step[^]*'schemas'/
  )
  // a role that owns such a table lifts FORCE instead (u10 F4: BYPASSRLS needs a superuser)
  expect(message).toMatch(
    /If the restoring role owns storage\.objects, lift FORCE for the restore \(ALTER TABLE storage\.objects NO FORCE ROW LEVEL SECURITY/
  )
  expect(message).toMatch(/Nothing was kept/)
  expect(await publicRelations(harness, target)).toBe(0)
}, 120_000)
