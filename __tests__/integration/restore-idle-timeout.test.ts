/**
 * A managed service's role with a short idle_in_transaction_session_timeout (Supabase and Neon set
 * one on pooled roles): the restore loads while the artifact downloads, so its load session may
 * wait for bytes inside its one transaction where pg_restore or psql by hand from a local file
 * would not. The loader's environment turns that timeout off from the session's start (a psql
 * with it stays in its transaction past the role's 1s; the role's statement_timeout is kept), and
 * the restore of a slowly downloaded backup commits with the source's data, through pg_restore -d
 * and through the script gate into psql. (pg_restore's own header sets the timeout to 0 after its
 * BEGIN as well: those two restores guard the whole path, the psql case the setting itself.)
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import pg from 'pg'
import path from 'node:path'
import { runTool, tableChecksums } from '../../dev/fixtures.js'
import type { TestServer } from '../../dev/postgres.js'
import type { RestoreOptions } from '../../src/types.js'
import { loaderSettings } from '../../src/postgres/load.js'
import { useHarness } from '../support/harness.js'
import { logOf } from '../support/log-capture.js'
import { currentRunArtifact, seedLiveSized } from '../support/sources.js'
import { testBackupInputs, testRestoreInputs } from '../support/inputs.js'

const harness = useHarness({ name: 'restore-idle-timeout' })
let server: TestServer
let source: string

/** Bytes per second the backend sends the download at: some 6 s for the dump. */
const PACE = 5_000_000

beforeAll(async () => {
  server = harness.server
  source = await server.createDatabase('idle_src')
  // a zstd dump of some 30 MB: the restore loads it while the rest downloads
  await seedLiveSized(server, source)
  await harness.backup(testBackupInputs(server.url(source), { artifactName: 'idle' }))
  await server.query(
    'postgres',
    `ALTER ROLE ${server.appUser} SET idle_in_transaction_session_timeout = '1s';
     ALTER ROLE ${server.appUser} SET statement_timeout = '17min'`
  )
}, 600_000)

describe('a role whose idle_in_transaction_session_timeout is 1s, the artifact downloaded slowly', () => {
  it("the precondition: the role's session idle in a transaction past 1s is ended", async () => {
    const db = await server.createDatabase()
    const client = new pg.Client({
      connectionString: server.url(db, { user: server.appUser, password: server.appPassword })
    })
    const errors: string[] = []
    client.on('error', (e: Error) => errors.push(e.message))
    await client.connect()
    try {
      await client.query('BEGIN')
      await new Promise(resolve => setTimeout(resolve, 2500))
      await client.query('SELECT 1').catch((e: Error) => errors.push(e.message))
      expect(errors.join('\n')).toMatch(/idle-in-transaction timeout/)
    } finally {
      await client.end().catch(() => undefined)
    }
  })

  it("a psql with the loader's environment and first statements stays in its transaction past 1s; the role's statement_timeout is kept; nothing in the options startup parameter (a stock PgBouncer refuses it: trial u45 F2)", async () => {
    const db = await server.createDatabase()
    const connection = harness.engine.connections.parseDatabaseUrl(
      server.url(db, { user: server.appUser, password: server.appPassword })
    )
    const env = harness.engine.restoreEngine.restoreEnvironment(connection, {
      connectTimeoutSeconds: 10,
      lockTimeoutMs: 30_000
    })
    expect(env.PGOPTIONS ?? '').not.toMatch(/-c/)
    const first = loaderSettings({ lockTimeoutMs: 30_000 }, env).join('\n')
    // idle in its transaction for 2.5 s (psql's \! runs on the client), as a load waiting for bytes
    const out = await runTool(
      path.join(server.binDir, 'psql'),
      ['-X', '-At', '-v', 'ON_ERROR_STOP=1'],
      env,
      `${first}
BEGIN;
SELECT 1;
\\! sleep 2.5
SELECT current_setting('idle_in_transaction_session_timeout'), current_setting('statement_timeout'), current_setting('lock_timeout');
COMMIT;
`
    )
    expect(out.trim().split('\n')).toEqual(['SET', 'SET', 'BEGIN', '1', '0|17min|30s', 'COMMIT'])
  })

  /** A restore as app of the slowly downloaded artifact into `target`, its log's lines. */
  async function restoreSlowly(target: string, overrides: Partial<RestoreOptions> = {}) {
    harness.backend.faults.paceNextDownload(1, PACE)
    return logOf(() =>
      harness.restore(
        testRestoreInputs(
          server.url(target, { user: server.appUser, password: server.appPassword }),
          currentRunArtifact(harness.backend, 'idle'),
          overrides
        )
      )
    )
  }

  it('into an empty database (pg_restore -d): commits the source data, loaded as it downloaded', async () => {
    const target = await server.createDatabase()
    await server.query('postgres', `ALTER DATABASE ${target} OWNER TO ${server.appUser}`)
    // no owners or grants to leave out: the archive goes straight into pg_restore -d
    const { lines } = await restoreSlowly(target, { noOwner: true, noPrivileges: true })
    expect(lines).toMatch(/checked and loaded as it downloads/)
    expect(lines).not.toMatch(/Loading through the script gate/)
    expect(await tableChecksums(server, target)).toEqual(await tableChecksums(server, source))
  }, 300_000)

  it("with allow-non-empty next to the target's table (the script gate into psql): commits, the target's rows kept", async () => {
    const target = await server.createDatabase()
    await server.query('postgres', `ALTER DATABASE ${target} OWNER TO ${server.appUser}`)
    await server.query(
      target,
      `CREATE TABLE public.mine (x int); INSERT INTO public.mine VALUES (1), (2);
       ALTER TABLE public.mine OWNER TO ${server.appUser};`
    )
    const { lines } = await restoreSlowly(target, { allowNonEmpty: true })
    expect(lines).toMatch(/checked and loaded as it downloads/)
    expect(lines).toMatch(/Loading through the script gate into psql/)
    const { 'public.mine': mine, ...restored } = await tableChecksums(server, target)
    expect(restored).toEqual(await tableChecksums(server, source))
    expect(mine).toBeDefined()
    expect(await server.query(target, 'SELECT x FROM public.mine ORDER BY x')).toEqual([
      { x: 1 },
      { x: 2 }
    ])
  }, 300_000)
})
