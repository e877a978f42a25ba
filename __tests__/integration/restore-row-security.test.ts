/**
 * A table with FORCE ROW LEVEL SECURITY (as a provider's storage.objects) refuses even an empty
 * COPY from a restoring role without BYPASSRLS (a restore loads with row_security off, as
 * pg_restore does): the error names the table and what to do (user trial 6, F7). Through the
 * real artifact client and the loopback backend; the target is asserted unchanged.
 */
import { beforeAll, expect, it } from '@jest/globals'
import type { TestServer } from '../../dev/postgres.js'
import { useHarness } from '../support/harness.js'
import { useInProcessStep } from '../support/step.js'

const harness = useHarness({ name: 'restore-row-security' })
const runStep = useInProcessStep(harness)
let server: TestServer

beforeAll(async () => {
  server = harness.server
  const source = await server.createDatabase('rls_src')
  await server.query(
    source,
    `CREATE SCHEMA storage;
     CREATE TABLE storage.objects (id integer PRIMARY KEY, owner text);
     ALTER TABLE storage.objects ENABLE ROW LEVEL SECURITY;
     ALTER TABLE storage.objects FORCE ROW LEVEL SECURITY;
     CREATE POLICY own ON storage.objects USING (owner = current_user);
     CREATE TABLE public.items (id integer PRIMARY KEY);
     INSERT INTO public.items SELECT generate_series(1, 10);`
  )
  const step = await runStep({ 'database-url': server.url(source), 'artifact-name': 'rls' })
  expect(step.error).toBeUndefined()
}, 120_000)

it('restoring as a role without BYPASSRLS: the error names the table, BYPASSRLS and how to leave it out; nothing kept', async () => {
  const target = await server.createDatabase()
  await server.query('postgres', `ALTER DATABASE ${target} OWNER TO ${server.appUser}`)
  // the provider's table, as a new project has it: another owner, row-level security on
  await server.query(
    target,
    `CREATE SCHEMA storage;
     CREATE TABLE storage.objects (id integer PRIMARY KEY, owner text);
     ALTER TABLE storage.objects ENABLE ROW LEVEL SECURITY;
     ALTER TABLE storage.objects FORCE ROW LEVEL SECURITY;
     CREATE POLICY own ON storage.objects USING (owner = current_user);
     GRANT USAGE ON SCHEMA storage TO ${server.appUser};
     GRANT ALL ON storage.objects TO ${server.appUser};`
  )
  const step = await runStep({
    mode: 'restore',
    'database-url': server.url(target, { user: server.appUser, password: server.appPassword }),
    'artifact-name': 'rls',
    'github-token': harness.backend.githubToken,
    'allow-non-empty': 'true'
  })
  const message = step.error?.message ?? ''
  expect(message).toMatch(/row-level security policy for table "objects"/)
  expect(message).toMatch(
    /The table storage\.objects has row-level security[^]*BYPASSRLS[^]*exclude-schemas on the backup step[^]*'schemas'/
  )
  expect(message).toMatch(/Nothing was kept/)
  const [{ n }] = await server.query<{ n: number }>(
    target,
    "SELECT count(*)::int AS n FROM pg_class WHERE relnamespace = 'public'::regnamespace"
  )
  expect(n).toBe(0)
}, 120_000)
