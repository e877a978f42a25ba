/**
 * Verify into a scratch database that held objects before the restore (a new managed project:
 * the provider's extension, its grant to the restoring role, a schema and table of its own; user
 * trial 6, F9): what the database had before, and the restore left as it was, differs from the
 * backup as expected (listed, never failing); what changed after the recording still fails.
 * Real PostgreSQL, the real artifact client through the loopback backend.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import type { TestServer } from '../../dev/postgres.js'
import type { BackupSource, RestoreOptions } from '../../src/types.js'
import { PREEXISTING_REASON } from '../../src/postgres/compare.js'
import { useHarness } from '../support/harness.js'
import { testRestoreInputs } from '../support/inputs.js'
import { useInProcessStep } from '../support/step.js'

const harness = useHarness({ name: 'verify-preexisting' })
const runStep = useInProcessStep(harness)
let server: TestServer

beforeAll(async () => {
  server = harness.server
  const source = await server.createDatabase('pre_src')
  await server.query(
    source,
    `CREATE EXTENSION postgres_fdw;
     CREATE SERVER loop FOREIGN DATA WRAPPER postgres_fdw OPTIONS (dbname 'postgres');
     CREATE TABLE public.items (id integer PRIMARY KEY, name text);
     INSERT INTO public.items SELECT i, 'item ' || i FROM generate_series(1, 20) i;`
  )
  const step = await runStep({ 'database-url': server.url(source), 'artifact-name': 'pre' })
  expect(step.error).toBeUndefined()
}, 120_000)

/** A "new project": the provider's extension with a grant to app, a schema and table of its own. */
async function newProject(): Promise<string> {
  const scratch = await server.createDatabase()
  await server.query(
    scratch,
    `ALTER DATABASE ${scratch} OWNER TO ${server.appUser};
     CREATE EXTENSION postgres_fdw;
     GRANT USAGE ON FOREIGN DATA WRAPPER postgres_fdw TO ${server.appUser};
     CREATE SCHEMA platform;
     CREATE TABLE platform.settings (k text PRIMARY KEY, v text);
     INSERT INTO platform.settings VALUES ('plan', 'free');
     GRANT USAGE ON SCHEMA platform TO ${server.appUser};
     GRANT SELECT ON platform.settings TO ${server.appUser};`
  )
  return scratch
}

const asApp = (database: string): string =>
  server.url(database, { user: server.appUser, password: server.appPassword })

describe('verify into a database that held objects before the restore', () => {
  it("passes: the provider's grant, schema and table are listed as there before, the backup's data all equal", async () => {
    const scratch = await newProject()
    const step = await runStep({
      mode: 'verify',
      'verify-database-url': asApp(scratch),
      'artifact-name': 'pre',
      'github-token': harness.backend.githubToken
    })
    expect(step.error).toBeUndefined()
    const reason = PREEXISTING_REASON.replace(/[()]/g, '\\$&')
    // the log: each such difference under the one reason, never a warning
    expect(step.stdout).toMatch(
      new RegExp(
        `differences?, expected because ${reason}: [^\\n]*ACL on FOREIGN DATA WRAPPER postgres_fdw`
      )
    )
    expect(step.stdout).not.toMatch(/::warning::ACL on FOREIGN DATA WRAPPER/)
    // counted apart from the manifest's objects, named
    expect(step.stdout).toMatch(
      /The restored copy holds 2 tables \(manifest 1; 1 the scratch database's own\)/
    )
    expect(step.stdout).toMatch(
      /^2 objects of the restored copy were there before the restore and are not the backup's [^\n]*: platform\.settings, platform\.settings_pkey\.$/m
    )
    // its row, too: the table's data as it was
    expect(step.stdout).not.toMatch(/::warning::TABLE DATA platform\.settings/)
    // the summary lists them
    expect(step.summary).toMatch(
      /differs, expected because the database restored into had it before the restore/
    )
    expect(step.summary).toMatch(
      /ACL on FOREIGN DATA WRAPPER postgres_fdw is in the restored database only/
    )
    // the tables counted: the one of the backup, and the one that was there before, named
    expect(step.stdout).toMatch(
      /^Of the 2 tables in the restored copy, 1 is the backup's tables whose rows were counted above; the other 1 is not among them [^\n]*: platform\.settings \(there before the restore\)\.$/m
    )
    const [{ n }] = await server.query<{ n: number }>(
      scratch,
      'SELECT count(*)::int AS n FROM public.items'
    )
    expect(n).toBe(20)
  }, 180_000)

  it('fails on what changed after the recording: a comment put on the table that was there before', async () => {
    const scratch = await newProject()
    const latest: BackupSource = {
      kind: 'artifact',
      name: 'pre',
      runId: 'latest',
      repository: harness.backend.repository,
      token: harness.backend.githubToken
    }
    const inputs: RestoreOptions = testRestoreInputs(asApp(scratch), latest, { mode: 'verify' })
    const error = (await harness
      .verify(inputs, {
        beforeCompare: async () => {
          await server.query(scratch, `COMMENT ON TABLE platform.settings IS 'changed'`)
        }
      })
      .catch((e: Error) => e)) as Error
    expect(error).toBeInstanceOf(harness.engine.verifyEngine.VerifyError)
    expect(error.message).toMatch(
      /COMMENT on TABLE settings in schema platform is in the restored database only/
    )
    // what was there before and stayed as it was does not fail it
    expect(error.message).not.toMatch(/FOREIGN DATA WRAPPER/)
  }, 180_000)
})
