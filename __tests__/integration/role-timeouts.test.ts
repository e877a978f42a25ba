/**
 * A role (or database, or the URL's options) with short timeouts, as managed services and
 * hardened setups set them: pg_dump and pg_restore turn statement_timeout,
 * idle_in_transaction_session_timeout (and 17+ transaction_timeout) off in their sessions, and
 * so do the action's own sessions — a restore's row counts after its commit, a backup's snapshot
 * transaction. A restore whose load committed no longer fails at "Verify row counts" with the
 * server's bare "canceling statement due to statement timeout" (trial u12 F5, found on the
 * way); the backup still says what the role sets.
 */
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { beforeAll, describe, expect, it } from '@jest/globals'
import type { TestServer } from '../../dev/postgres.js'
import { parseDatabaseUrl } from '../../src/postgres/connection.js'
import { connect } from '../../src/postgres/session.js'
import { useHarness } from '../support/harness.js'
import { logOf } from '../support/log-capture.js'
import { testBackupInputs, testRestoreInputs } from '../support/inputs.js'

const harness = useHarness({ name: 'role-timeouts' })
let server: TestServer
let source: string
let dump: string
const PASSWORD = 'timed-pass-8642'

beforeAll(async () => {
  server = harness.server
  source = await server.createDatabase('timeouts_src')
  await server.query(
    'postgres',
    `DO $$BEGIN CREATE ROLE timed LOGIN PASSWORD '${PASSWORD}'; EXCEPTION WHEN duplicate_object THEN NULL; END$$;
     ALTER ROLE timed SET statement_timeout = '40ms';
     ALTER ROLE timed SET idle_in_transaction_session_timeout = '200ms';`
  )
  await server.query(
    source,
    `CREATE TABLE public.events (id bigint PRIMARY KEY, body text);
     INSERT INTO public.events SELECT g, repeat('e', 100) FROM generate_series(1, 1500000) g;
     GRANT SELECT ON public.events TO timed;`
  )
  dump = path.join(harness.work, 'events.dump')
  execFileSync(path.join(server.binDir, 'pg_dump'), ['-Fc', '--no-owner', '-f', dump, source], {
    env: server.env(source)
  })
}, 120_000)

const asTimed = (database: string) => server.url(database, { user: 'timed', password: PASSWORD })

describe("the action's own sessions, as a role with statement_timeout 40ms and idle_in_transaction_session_timeout 200ms", () => {
  it('run a statement longer than 40ms, and stay idle in a transaction past 200ms', async () => {
    const client = await connect(parseDatabaseUrl(asTimed(source)), 10)
    try {
      const slept = await client.query<{ done: string }>("SELECT pg_sleep(0.3), 'slept' AS done")
      expect(slept.rows[0].done).toBe('slept')
      await client.query('BEGIN')
      await new Promise(resolve => setTimeout(resolve, 500))
      const after = await client.query<{ statement: string; idle: string }>(
        `SELECT current_setting('statement_timeout') AS statement,
                current_setting('idle_in_transaction_session_timeout') AS idle`
      )
      expect(after.rows).toEqual([{ statement: '0', idle: '0' }])
      await client.query('COMMIT')
    } finally {
      await client.end()
    }
  })

  it('a restore commits and its row counts are taken (they failed after the commit)', async () => {
    const target = await server.createDatabase()
    await server.query('postgres', `ALTER DATABASE "${target}" OWNER TO timed`)
    const result = await harness.restore(
      testRestoreInputs(asTimed(target), { kind: 'file', path: dump })
    )
    expect(result.tables.map(t => `${t.schema}.${t.name}=${t.rows}`)).toEqual([
      'public.events=1500000'
    ])
    const rows = await server.query<{ n: string }>(
      target,
      'SELECT count(*)::text AS n FROM public.events'
    )
    expect(rows).toEqual([{ n: '1500000' }])
  }, 120_000)

  it('a backup counts its rows exactly, and says what the role sets', async () => {
    const { lines, result } = await logOf(() =>
      harness.backup(testBackupInputs(asTimed(source), { artifactName: 'timed' }))
    )
    expect(lines).toContain(
      "The server sets statement_timeout=40ms, idle_in_transaction_session_timeout=200ms; both are turned off for the dump's sessions."
    )
    expect(result.manifest.rowCounts.tables.map(t => `${t.name}=${t.rows}`)).toEqual([
      'events=1500000'
    ])
  }, 120_000)
})

describe("a URL whose options set statement_timeout to 1 ms (attacker a36 A3: the connect's first read was cut, reported as 'no answer')", () => {
  // (%20: libpq reads a "+" in a URI as itself, not as a space)
  const oneMs = (database: string): string =>
    `${asTimed(database)}${asTimed(database).includes('?') ? '&' : '?'}options=-c%20statement_timeout%3D1`

  it("connects and turns it off, as pg_restore's sessions do (again when the 1 ms cut its first try); a backup fails only where pg_dump by hand does, in the server's words", async () => {
    const client = await connect(parseDatabaseUrl(oneMs(source)), 10)
    try {
      const { rows } = await client.query<{ statement: string; reset: string }>(
        `SELECT current_setting('statement_timeout') AS statement,
                (SELECT reset_val FROM pg_catalog.pg_settings WHERE name = 'statement_timeout') AS reset`
      )
      expect(rows).toEqual([{ statement: '0', reset: '1' }])
    } finally {
      await client.end()
    }
    // pg_dump by hand with that URL: its first query (set_config of search_path, before its own
    // SET statement_timeout = 0) runs under the 1 ms — cut on this machine, though a fast enough
    // server may finish it. The action's backup does as pg_dump does: fails with the server's
    // words where pg_dump fails, succeeds where it succeeds (its pg_dump is the same program).
    let byHand: string | undefined
    try {
      execFileSync(path.join(server.binDir, 'pg_dump'), ['--schema-only', '-d', oneMs(source)], {
        env: { PATH: process.env.PATH },
        stdio: 'pipe'
      })
    } catch (e) {
      byHand = String((e as { stderr?: Buffer }).stderr ?? e)
    }
    const error = await harness
      .backup(testBackupInputs(oneMs(source), { artifactName: 'one-ms' }))
      .then(
        () => undefined,
        (e: unknown) => e as Error
      )
    if (byHand !== undefined && error) {
      expect(byHand).toMatch(/canceling statement due to/)
      expect(error.message).toMatch(/canceling statement due to/)
    }
    // never the connect's "no answer from the host" (attacker a36 A3)
    expect(error?.message ?? '').not.toMatch(/no answer/)
  }, 60_000)
})
