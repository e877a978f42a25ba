/**
 * A session-mode pool of few server connections in front of the server (PgBouncer with
 * default_pool_size/max_db_connections 1 or 2, or max_client_conn 2, as a nearly full Supabase or
 * Neon pool). A restore goes through where pg_restore by hand does (trial u36 F2): it holds one
 * session of its own during the load (pg_restore's is the other), none with a pool of one (no
 * room for a second session of its own at the start), none with jobs > 1 where the pool has room
 * for exactly `jobs` (pg_restore -j by hand's). Where a client still finds no room, the
 * error names that cause first (the pooler's FATAL), how many sessions the action held and the
 * limit the run needs; a restore whose loader never connected says nothing was kept, never "may
 * have committed" (trial u26 F1). Skipped where PgBouncer is not installed
 * (scripts/provision-test-deps.sh installs it).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import net from 'node:net'
import pg from 'pg'
import path from 'node:path'
import { freePort } from '../../dev/postgres.js'
import type { BackupSource } from '../../src/types.js'
import { capturedLog } from '../support/direct-load.js'
import { useHarness } from '../support/harness.js'
import { testBackupInputs, testRestoreInputs } from '../support/inputs.js'

const PGBOUNCER = '/usr/sbin/pgbouncer'
const present = existsSync(PGBOUNCER)
if (!present) {
  console.warn(
    `pool-limits: skipped — PgBouncer is not installed (${PGBOUNCER}; scripts/provision-test-deps.sh installs the Debian package pgbouncer)`
  )
}
const describeWithPgbouncer = present ? describe : describe.skip

const harness = useHarness({ name: 'pool-limits' })
const ROLE = 'pool_user'
const PASSWORD = 'pool-pass-1357'
let db: string
let dir: string
const pids: number[] = []

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0

/** Starts a PgBouncer in session mode in front of the harness's server, with `settings`. */
async function startPool(name: string, settings: Record<string, string | number>): Promise<number> {
  const port = await freePort()
  const ini = path.join(dir, `${name}.ini`)
  const lines = [
    '[databases]',
    `* = host=127.0.0.1 port=${harness.server.port}`,
    '[pgbouncer]',
    'listen_addr = 127.0.0.1',
    `listen_port = ${port}`,
    `unix_socket_dir = ${dir}`,
    'auth_type = scram-sha-256',
    `auth_file = ${path.join(dir, 'userlist.txt')}`,
    'pool_mode = session',
    // not `options`: a stock PgBouncer refuses it, and the action must need it nowhere (u45 F2)
    'ignore_startup_parameters = extra_float_digits,search_path,statement_timeout',
    `logfile = ${path.join(dir, `${name}.log`)}`,
    `pidfile = ${path.join(dir, `${name}.pid`)}`,
    ...Object.entries(settings).map(([k, v]) => `${k} = ${v}`)
  ]
  writeFileSync(ini, `${lines.join('\n')}\n`, { mode: 0o644 })
  const [cmd, args] = isRoot
    ? ['runuser', ['-u', 'postgres', '--', PGBOUNCER, '-d', ini]]
    : [PGBOUNCER, ['-d', ini]]
  const started = spawnSync(cmd, args, { encoding: 'utf8' })
  if (started.status !== 0) throw new Error(`pgbouncer failed: ${started.stderr}`)
  for (let i = 0; i < 100; i++) {
    const open = await new Promise<boolean>(resolve => {
      const socket = net.connect(port, '127.0.0.1')
      socket.once('connect', () => (socket.destroy(), resolve(true)))
      socket.once('error', () => resolve(false))
    })
    const pidFile = path.join(dir, `${name}.pid`)
    if (open && existsSync(pidFile)) {
      pids.push(Number(readFileSync(pidFile, 'utf8').trim()))
      return port
    }
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  throw new Error(`pgbouncer ${name} did not start`)
}

const url = (port: number, database = db) =>
  `postgresql://${ROLE}:${PASSWORD}@127.0.0.1:${port}/${database}?sslmode=disable`

const failure = (run: Promise<unknown>) =>
  run.then(
    () => undefined,
    (e: unknown) => e as Error
  )

const source = (name: string): BackupSource => ({
  kind: 'artifact',
  name,
  runId: 'current',
  repository: harness.backend.repository,
  token: harness.backend.githubToken
})

/** A database the pool's role owns, empty. */
async function target(): Promise<string> {
  const name = await harness.server.createDatabase()
  await harness.server.query('postgres', `ALTER DATABASE "${name}" OWNER TO ${ROLE}`)
  return name
}

const tablesIn = async (database: string): Promise<number> =>
  Number(
    (
      await harness.server.query<{ n: string }>(
        database,
        "SELECT count(*)::text AS n FROM pg_tables WHERE schemaname = 'shop'"
      )
    )[0].n
  )

beforeAll(async () => {
  if (!present) return
  dir = mkdtempSync('/tmp/pool-limits-pgb-')
  chmodSync(dir, 0o755)
  // PgBouncer runs as the server's OS user (it refuses root): its log and pid file are written here
  if (isRoot) {
    const id = (flag: string) =>
      Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim())
    chownSync(dir, id('-u'), id('-g'))
  }
  writeFileSync(path.join(dir, 'userlist.txt'), `"${ROLE}" "${PASSWORD}"\n`, { mode: 0o644 })
  await harness.server.query(
    'postgres',
    `DO $$BEGIN CREATE ROLE ${ROLE} LOGIN SUPERUSER PASSWORD '${PASSWORD}'; EXCEPTION WHEN duplicate_object THEN NULL; END$$;`
  )
  db = await harness.server.createDatabase('pool_src')
  await harness.server.query(
    db,
    `CREATE SCHEMA shop;
     CREATE TABLE shop.a (id integer PRIMARY KEY, body text);
     CREATE TABLE shop.b (id integer PRIMARY KEY, a integer REFERENCES shop.a);
     INSERT INTO shop.a SELECT g, 'a' FROM generate_series(1, 500) g;
     INSERT INTO shop.b SELECT g, g FROM generate_series(1, 500) g;`
  )
  // the artifacts the restores read, made directly (no pool)
  await harness.backup(
    testBackupInputs(harness.server.url(db), { artifactName: 'pool-custom', format: 'custom' })
  )
  await harness.backup(
    testBackupInputs(harness.server.url(db), { artifactName: 'pool-plain', format: 'plain' })
  )
}, 120_000)

afterAll(async () => {
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0)
      return true
    } catch {
      return false
    }
  }
  for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGTERM')
  // each writes its log as it stops: the directory goes once they are gone
  for (let i = 0; i < 100 && pids.some(alive); i++) {
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  if (dir) rmSync(dir, { recursive: true, force: true, maxRetries: 5 })
})

/** The rows of the source's tables, as restored into `database` (md5 of each table's rows in key order). */
const rowsOf = async (database: string): Promise<string[]> =>
  (
    await harness.server.query<{ t: string }>(
      database,
      `SELECT 'a ' || count(*) || ' ' || md5(string_agg(id || ':' || body, ',' ORDER BY id)) AS t FROM shop.a
       UNION ALL
       SELECT 'b ' || count(*) || ' ' || md5(string_agg(id || ':' || a, ',' ORDER BY id)) FROM shop.b`
    )
  ).map(r => r.t)

describeWithPgbouncer(
  'a PgBouncer that refuses the startup parameter "options" (its stock settings: trial u45 F2)',
  () => {
    it("restore goes through, one transaction and jobs 2 (the loader's settings in SQL, not at login); database-url's own options are refused as by hand, named", async () => {
      const port = await startPool('stock', {
        default_pool_size: 5,
        ignore_startup_parameters: 'extra_float_digits'
      })
      for (const overrides of [{}, { jobs: 2 }]) {
        const into = await target()
        const result = await harness.restore(
          testRestoreInputs(url(port, into), source('pool-custom'), overrides)
        )
        expect(result.rowsRestored).toBe(1000)
        expect(await rowsOf(into)).toEqual(await rowsOf(db))
      }
      const into = await target()
      const error = await failure(
        harness.restore(
          testRestoreInputs(
            `${url(port, into)}&options=${encodeURIComponent('-c work_mem=8MB')}`,
            source('pool-custom')
          )
        )
      )
      expect(error?.message).toMatch(/unsupported startup parameter/)
      expect(error?.message).not.toMatch(/stays/)
      expect(await tablesIn(into)).toBe(0)
    }, 120_000)
  }
)

describeWithPgbouncer('a pool of two server connections (query_wait_timeout)', () => {
  it('restore: goes through, as pg_restore by hand does (one session of its own during the load)', async () => {
    const port = await startPool('p2', {
      default_pool_size: 2,
      max_db_connections: 2,
      query_wait_timeout: 3
    })
    for (const format of ['custom', 'plain'] as const) {
      const into = await target()
      const result = await harness.restore(
        testRestoreInputs(
          url(port, into),
          source(format === 'custom' ? 'pool-custom' : 'pool-plain')
        )
      )
      expect(result.rowsRestored).toBe(1000)
      expect(await rowsOf(into)).toEqual(await rowsOf(db))
    }
  }, 120_000)

  it("jobs 2 where the pool's queue holds the third login: goes through, the wait said; jobs 3 refused naming the pool (attacker a70 F6)", async () => {
    const port = await startPool('p2q', {
      default_pool_size: 2,
      max_db_connections: 2,
      query_wait_timeout: 30
    })
    const into = await target()
    const lines = await capturedLog(() =>
      harness.restore(
        testRestoreInputs(url(port, into), source('pool-custom'), {
          jobs: 2,
          connectTimeoutSeconds: 2
        })
      )
    )
    expect(lines).toMatch(
      /Room for 2 sessions of this role at once, not one more \(no answer within 2 s[^)]*\)[^\n]*Finding that out took [2-9]\.\d s \(the last login waited for an answer until connect-timeout\); a pool of 3 connections, or a lower connect-timeout, shortens it\./
    )
    expect(await rowsOf(into)).toEqual(await rowsOf(db))
    const refused = await target()
    const error = await harness
      .restore(
        testRestoreInputs(url(port, refused), source('pool-custom'), {
          jobs: 3,
          connectTimeoutSeconds: 2
        })
      )
      .then(
        () => undefined,
        (e: Error) => e
      )
    expect(error?.message).toMatch(
      /jobs: 3 loads with 3 sessions at once, and the connection pooler had room for only 2 of this role's \(no answer within 2 s[^)]*\)[^]*Restore with jobs: 2, or make room for 3 sessions: raise the pool's size/
    )
    expect(await tablesIn(refused)).toBe(0)
  }, 120_000)
})

describeWithPgbouncer('verify through a pool of two, and of one (attacker a63 F4)', () => {
  it("verifies: its record of the scratch database on the restore's session, its dump after the restore's sessions end", async () => {
    for (const [name, size] of [
      ['v2', 2],
      ['v1', 1]
    ] as const) {
      const port = await startPool(name, {
        default_pool_size: size,
        max_db_connections: size,
        query_wait_timeout: 3
      })
      const scratch = await target()
      const result = await harness.verify(
        testRestoreInputs(url(port, scratch), source('pool-custom'), { mode: 'verify' })
      )
      expect(result.tables.map(t => t.rows)).toEqual([500, 500])
      expect(await rowsOf(scratch)).toEqual(await rowsOf(db))
    }
  }, 180_000)
})

describeWithPgbouncer('a pooler that admits two clients (max_client_conn = 2)', () => {
  it('restore: goes through (its monitor ends before the load, the loader takes its place)', async () => {
    const port = await startPool('mc', { max_client_conn: 2, default_pool_size: 20 })
    const into = await target()
    await harness.restore(testRestoreInputs(url(port, into), source('pool-custom')))
    expect(await rowsOf(into)).toEqual(await rowsOf(db))
  }, 120_000)

  // two tables whose rows each take a second to load (a CHECK that sleeps 10 ms a row): the
  // loaders' sessions overlap for sure (with 500 quick rows, a busy machine could finish one
  // table before the other's loader connected, and the restore went through or not by that)
  const slowSource = async (): Promise<string> => {
    const slow = await harness.server.createDatabase('pool_slow')
    await harness.server.query(
      slow,
      `CREATE SCHEMA shop;
       CREATE FUNCTION shop.slow_ok(integer) RETURNS boolean LANGUAGE plpgsql
         AS $$BEGIN PERFORM pg_sleep(0.01); RETURN true; END$$;
       CREATE TABLE shop.a (id integer PRIMARY KEY CHECK (shop.slow_ok(id)));
       CREATE TABLE shop.b (id integer PRIMARY KEY CHECK (shop.slow_ok(id)));
       CREATE TABLE shop.c (id integer PRIMARY KEY CHECK (shop.slow_ok(id)));
       INSERT INTO shop.a SELECT g FROM generate_series(1, 100) g;
       INSERT INTO shop.b SELECT g FROM generate_series(1, 100) g;
       INSERT INTO shop.c SELECT g FROM generate_series(1, 100) g;`
    )
    await harness.backup(
      testBackupInputs(harness.server.url(slow), { artifactName: 'pool-slow', format: 'custom' })
    )
    return slow
  }
  const ids = async (database: string): Promise<string> =>
    (
      await harness.server.query<{ t: string }>(
        database,
        `SELECT (SELECT count(*) FROM shop.a) || ' ' || (SELECT count(*) FROM shop.b) || ' ' || (SELECT count(*) FROM shop.c) AS t`
      )
    )[0].t

  it("restore with jobs 2: goes through, as pg_restore -j 2 by hand (two sessions at once): the action's own ends during the load", async () => {
    const slow = await slowSource()
    const port = await startPool('mc2', { max_client_conn: 2, default_pool_size: 20 })
    const into = await target()
    const lines = await capturedLog(() =>
      harness.restore(
        testRestoreInputs(url(port, into), source('pool-slow'), {
          jobs: 2,
          singleTransaction: false
        })
      )
    )
    expect(lines).toMatch(
      /Room for 2 sessions of this role at once, not one more \(.*no more connections allowed.*\): the action's own session ends while the backup loads/
    )
    expect(await ids(into)).toBe('100 100 100')
    expect(await ids(into)).toBe(await ids(slow))

    // jobs 3 needs three at once: refused before anything changes (pg_restore -j 3 by hand
    // creates the tables, then fails)
    const into3 = await target()
    const error = await failure(
      harness.restore(
        testRestoreInputs(url(port, into3), source('pool-slow'), {
          jobs: 3,
          singleTransaction: false
        })
      )
    )
    expect(error?.message).toMatch(
      /^jobs: 3 loads with 3 sessions at once, and the connection pooler had room for only 2 of this role's \(.*no more connections allowed \(max_client_conn\).*\): nothing was restored\. Restore with jobs: 2, or make room for 3 sessions: raise the pooler's client limit \(max_client_conn; Supavisor: the pool size\), or close other clients of the pool\.$/
    )
    expect(await tablesIn(into3)).toBe(0)
  }, 120_000)
})

describeWithPgbouncer('a pool of one server connection', () => {
  let port: number
  beforeAll(async () => {
    port = await startPool('p1', {
      default_pool_size: 1,
      max_db_connections: 1,
      query_wait_timeout: 3
    })
  })

  it("backup: no room for pg_dump's session beside the action's: its own ends during the dump, as pg_dump by hand, and the rows are counted after", async () => {
    let result: Awaited<ReturnType<typeof harness.backup>> | undefined
    const lines = await capturedLog(async () => {
      result = await harness.backup(
        testBackupInputs(url(port), { artifactName: 'pool-one', format: 'custom' })
      )
    })
    expect(lines).toContain(
      "No room for pg_dump's session beside the action's own (query_wait_timeout)"
    )
    expect(result?.manifest.rowCounts).toMatchObject({
      method: 'exact',
      sameSnapshot: false,
      totalRows: 1000
    })
    // and it restores, through the same pool, to the source's rows
    const into = await target()
    await harness.restore(testRestoreInputs(url(port, into), source('pool-one')))
    expect(await rowsOf(into)).toEqual(await rowsOf(db))
  }, 120_000)

  it('restore: no room for a second session (query_wait_timeout): one session of its own, none during the load, as pg_restore by hand', async () => {
    for (const format of ['custom', 'plain'] as const) {
      const into = await target()
      const lines = await capturedLog(() =>
        harness.restore(
          testRestoreInputs(
            url(port, into),
            source(format === 'custom' ? 'pool-custom' : 'pool-plain')
          )
        )
      )
      expect(lines).toContain('there was no room for a second (query_wait_timeout)')
      expect(await rowsOf(into)).toEqual(await rowsOf(db))
    }
  }, 120_000)

  it('restore: with no session to watch the load, lock-timeout still bounds it (the gated path carries it: attacker a63 F2)', async () => {
    const into = await target()
    // another session is creating the backup's schema: the load's CREATE SCHEMA waits for it
    const locker = new pg.Client({ connectionString: harness.server.url(into) })
    await locker.connect()
    try {
      await locker.query('BEGIN; CREATE SCHEMA shop')
      const started = Date.now()
      let error: Error | undefined
      const lines = await capturedLog(async () => {
        error = await failure(
          harness.restore(
            testRestoreInputs(url(port, into), source('pool-custom'), { lockTimeoutMs: 2000 })
          )
        )
      })
      expect(error?.message).toMatch(/lock/)
      expect(lines).toContain("no session of the action's own watches the load's lock waits")
      expect(Date.now() - started).toBeLessThan(30_000)
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined)
      await locker.end()
    }
    expect(await tablesIn(into)).toBe(0)
  }, 120_000)

  it("restore: a connect timeout shorter than the pool's queue is read as no room for a second session too", async () => {
    const slow = await startPool('p1slow', {
      default_pool_size: 1,
      max_db_connections: 1,
      query_wait_timeout: 30
    })
    const into = await target()
    const lines = await capturedLog(() =>
      harness.restore(
        testRestoreInputs(url(slow, into), source('pool-custom'), { connectTimeoutSeconds: 2 })
      )
    )
    expect(lines).toContain('there was no room for a second (no answer within 2 s')
    expect(await rowsOf(into)).toEqual(await rowsOf(db))
  }, 120_000)

  it('restore: a load that fails is still explained, and nothing is kept', async () => {
    const into = await target()
    // the target's event trigger refuses the backup's tables: the load fails at the first one
    await harness.server.query(
      into,
      `CREATE FUNCTION public.no_tables() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'no tables today'; END$$;
       CREATE EVENT TRIGGER no_tables ON ddl_command_start WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION public.no_tables();`
    )
    const error = await failure(
      harness.restore(testRestoreInputs(url(port, into), source('pool-custom')))
    )
    expect(error?.message).toContain('no tables today')
    expect(error?.message).toContain('Nothing was kept')
    expect(await tablesIn(into)).toBe(0)
    const [{ n }] = await harness.server.query<{ n: number }>(
      into,
      "SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = 'shop'"
    )
    expect(n).toBe(0)
  }, 120_000)
})

describe('a role whose CONNECTION LIMIT is 1 (no pooler)', () => {
  it('backup and restore go through, as pg_dump and pg_restore by hand do', async () => {
    const role = 'one_session'
    await harness.server.query(
      'postgres',
      `DO $$BEGIN CREATE ROLE ${role} LOGIN PASSWORD '${PASSWORD}' CONNECTION LIMIT 1; EXCEPTION WHEN duplicate_object THEN NULL; END$$;
       GRANT pg_read_all_data TO ${role};`
    )
    const direct = (database: string) =>
      `postgresql://${role}:${PASSWORD}@127.0.0.1:${harness.server.port}/${database}?sslmode=disable`
    const lines = await capturedLog(() =>
      harness.backup(testBackupInputs(direct(db), { artifactName: 'conn-limit-one' }))
    )
    expect(lines).toMatch(
      /No room for pg_dump's session beside the action's own \(.*too many connections for role "one_session"/
    )
    const into = await harness.server.createDatabase()
    await harness.server.query('postgres', `ALTER DATABASE "${into}" OWNER TO ${role}`)
    const restored = await capturedLog(() =>
      harness.restore(testRestoreInputs(direct(into), source('conn-limit-one')))
    )
    expect(restored).toMatch(
      /there was no room for a second \(.*too many connections for role "one_session"/
    )
    expect(await rowsOf(into)).toEqual(await rowsOf(db))
    // jobs 2 needs two sessions at once: refused before anything changes (attacker a64 F4)
    const other = await harness.server.createDatabase()
    await harness.server.query('postgres', `ALTER DATABASE "${other}" OWNER TO ${role}`)
    const refused = await failure(
      harness.restore(
        testRestoreInputs(direct(other), source('conn-limit-one'), {
          jobs: 2,
          singleTransaction: false
        })
      )
    )
    expect(refused?.message).toMatch(
      /^jobs: 2 loads with 2 sessions at once, and the server had room for only one of this role's \(.*too many connections for role "one_session".*\): nothing was restored/
    )
    expect(await tablesIn(other)).toBe(0)
  }, 120_000)
})

describeWithPgbouncer('a pool of three server connections', () => {
  it('restore succeeds through it', async () => {
    const port = await startPool('p3', { default_pool_size: 3, max_db_connections: 3 })
    const into = await target()
    await harness.restore(testRestoreInputs(url(port, into), source('pool-custom')))
    expect(await tablesIn(into)).toBe(2)
  }, 120_000)
})

describeWithPgbouncer(
  'a pool in transaction mode on a port the URL checks cannot tell (trial u35 F1)',
  () => {
    it("a backup leaves the pool's server connections with the database's own settings, not the action's", async () => {
      const source = await harness.server.createDatabase('pool_tx')
      await harness.server.query(
        'postgres',
        `ALTER DATABASE ${source} SET statement_timeout = '7min'`
      )
      await harness.server.query(
        source,
        'CREATE TABLE public.orders (id integer PRIMARY KEY); INSERT INTO public.orders VALUES (1)'
      )
      const port = await startPool('tx', { pool_mode: 'transaction', default_pool_size: 4 })
      await harness.backup(
        testBackupInputs(url(port, source), { artifactName: 'pool-tx', format: 'custom' })
      )
      // every server connection the pool holds, each taken by a transaction of its own
      const [{ n }] = await harness.server.query<{ n: number }>(
        'postgres',
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = '${source}' AND usename = '${ROLE}'`
      )
      expect(n).toBeGreaterThan(0)
      const clients = Array.from(
        { length: n },
        () => new pg.Client({ connectionString: url(port, source) })
      )
      try {
        for (const c of clients) await c.connect()
        const seen: Array<{ path: string; timeout: string; pid: number }> = []
        for (const c of clients) {
          await c.query('BEGIN')
          const { rows } = await c.query<{ path: string; timeout: string; pid: number }>(
            "SELECT current_setting('search_path') AS path, current_setting('statement_timeout') AS timeout, pg_backend_pid() AS pid"
          )
          seen.push(rows[0])
        }
        expect(new Set(seen.map(r => r.pid)).size).toBe(n)
        for (const r of seen) expect([r.path, r.timeout]).toEqual(['"$user", public', '7min'])
        // and the app's own query finds its table
        for (const c of clients) await c.query('COMMIT')
        const { rows } = await clients[0].query<{ n: number }>(
          'SELECT count(*)::int AS n FROM orders'
        )
        expect(rows[0].n).toBe(1)
      } finally {
        for (const c of clients) await c.end().catch(() => undefined)
      }
    }, 120_000)
  }
)
