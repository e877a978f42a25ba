/**
 * `npm run bench`: the action side by side with plain pg_dump / pg_restore, on this machine,
 * loopback only. Not part of `npm test`.
 *
 *  1. starts a throw-away PostgreSQL 15 cluster (startPostgres from dev/postgres.ts)
 *     and generates a database of about `--size-mb` on disk, server-side in SQL: customers,
 *     orders, events, documents and attachments mixing text (words of a small vocabulary, md5
 *     chains), jsonb, numeric, timestamps, uuids and incompressible bytea (sha256 blocks) —
 *     deterministic (setseed). `--keep` keeps the generated cluster and reuses it next time.
 *  2. runs, in each of `--reps` repetitions and in an order rotated per repetition:
 *       - `pg_dump -Fc -Z0 > /dev/null` (the limit: the server and pg_dump alone),
 *       - `pg_dump -Fc` to a file (pg_dump's own gzip),
 *       - `pg_dump -Fp | gzip -6` to a file,
 *       - `pg_dump -Fc -Z0 | zstd -3 -T1` to a file (a reference: what one zstd thread allows),
 *       - the action's backup (dist/index.js run as the runner runs it, uploading to the loopback
 *         artifact backend of dev/artifact-backend.ts) for zstd (the default level
 *         3, and level 1), gzip and none,
 *     then the restore of that repetition's zstd artifact into fresh databases, alternating:
 *       - the action's restore (mode restore, run-id current),
 *       - `pg_restore` of the same archive, decompressed beforehand, from local disk.
 *     Before each variant it flushes dirty pages, checkpoints, and waits for the machine to be
 *     idle (others may share it); the action runs from a copy of dist/ taken at the start.
 *  3. prints medians, ratios, file sizes, the action's peak RSS (VmHWM), its time per phase (from
 *     the ::group:: lines as they arrive), the CPU seconds of each kind of process (from /proc)
 *     and the targets of the issue; writes the same tables into README.md between
 *     <!-- bench:start --> and <!-- bench:end --> (unless --no-readme).
 *
 * Everything it starts is stopped and its temporary directories removed, on success, failure
 * and Ctrl-C alike. Credentials reach every client through the environment, never argv.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  closeSync,
  createWriteStream,
  existsSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync
} from 'node:fs'
import { chmod, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import readline from 'node:readline'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import zlib from 'node:zlib'
import pg from 'pg'
import {
  type ArtifactBackend,
  startArtifactBackend,
  unzipEntries
} from '../dev/artifact-backend.js'
import { parseOutputs, runnerStep, unescapeCommandData } from '../dev/runner.js'
import { type TestServer, quoteLiteral, startPostgres } from '../dev/postgres.js'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const DIST = path.join(ROOT, 'dist', 'index.js')
/** The copy of dist/ this run uses (others may rebuild dist/ meanwhile); set in main(). */
let actionEntry = DIST
const README = path.join(ROOT, 'README.md')
const PG_MAJOR = 15
const PG_BIN = `/usr/lib/postgresql/${PG_MAJOR}/bin`
const PG_DUMP = path.join(PG_BIN, 'pg_dump')
const PG_RESTORE = path.join(PG_BIN, 'pg_restore')
const DATABASE = 'bench'
const ARTIFACT = 'bench-backup'
/** Bump when the generated data changes: a kept cluster of another version is regenerated. */
const GENERATOR_VERSION = 1
const MARK_START = '<!-- bench:start -->'
const MARK_END = '<!-- bench:end -->'
const TARGETS = { vsRaw: 1.2, vsFc: 0.45, restore: 1.2, rssMb: 128 }
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
const started = performance.now()

// ---------------------------------------------------------------------------------------------
// options

const USAGE = `Usage: npm run bench -- [--size-mb N] [--reps N] [--keep] [--keep-dir DIR] [--no-readme]

  --size-mb N     size of the generated database on disk (default 500)
  --reps N        repetitions; every variant runs once per repetition (default 3)
  --keep          keep the generated cluster (in --keep-dir) and reuse it on the next run
  --keep-dir DIR  where --keep keeps it (default ${path.join(os.tmpdir(), 'pg-backup-bench-cluster')})
  --no-readme     do not write the results into README.md`

interface Options {
  sizeMb: number
  reps: number
  keepDir?: string
  readme: boolean
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      'size-mb': { type: 'string', default: '500' },
      reps: { type: 'string', default: '3' },
      keep: { type: 'boolean', default: false },
      'keep-dir': { type: 'string' },
      'no-readme': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false }
    },
    strict: true
  })
  if (values.help) {
    console.log(USAGE)
    process.exit(0)
  }
  const sizeMb = Number(values['size-mb'])
  const reps = Number(values.reps)
  if (!Number.isInteger(sizeMb) || sizeMb < 20) throw new Error('--size-mb: a whole number ≥ 20')
  if (!Number.isInteger(reps) || reps < 1) throw new Error('--reps: a whole number ≥ 1')
  const keep = values.keep || values['keep-dir'] !== undefined
  return {
    sizeMb,
    reps,
    keepDir: keep
      ? path.resolve(values['keep-dir'] ?? path.join(os.tmpdir(), 'pg-backup-bench-cluster'))
      : undefined,
    readme: !values['no-readme']
  }
}

// ---------------------------------------------------------------------------------------------
// output and cleanup

const say = (line = ''): void => console.log(line)
const clock = (): string => `${((performance.now() - started) / 1000).toFixed(0)} s`
const errorText = (error: unknown): string =>
  error instanceof Error ? error.message : String(error ?? 'unknown error')

const cleanups: { label: string; run: () => Promise<void> | void; sync?: () => void }[] = []
const children = new Set<ChildProcess>()
let cleaning: Promise<void> | undefined
let cleanedUp = false
let interrupted: NodeJS.Signals | undefined

function onCleanup(label: string, run: () => Promise<void> | void, sync?: () => void): void {
  cleanups.push({ label, run, sync })
}

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
    for (const task of [...cleanups].reverse()) {
      try {
        await task.run()
      } catch (error) {
        console.error(`  cleanup: ${task.label} failed: ${errorText(error)}`)
      }
    }
    cleanedUp = true
  })()
  return cleaning
}

process.on('exit', () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
  if (cleanedUp) return
  for (const task of [...cleanups].reverse()) {
    try {
      task.sync?.()
    } catch {
      // best effort
    }
  }
})

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    const code = 128 + (signal === 'SIGHUP' ? 1 : signal === 'SIGINT' ? 2 : 15)
    if (interrupted) process.exit(code)
    interrupted = signal
    console.error(`\n${signal}: stopping the server and cleaning up…`)
    void cleanup().finally(() => process.exit(code))
  })
}

// ---------------------------------------------------------------------------------------------
// processes

interface Ran {
  code: number | null
  signal: NodeJS.Signals | null
  seconds: number
  stderr: string
}

type StdioEntry = 'ignore' | 'pipe' | number | Readable

/** Runs a program to its end; stdout goes where `stdout` says, stderr is kept (last 16 KB). */
function run(
  cmd: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; stdin?: StdioEntry; stdout?: StdioEntry; cwd?: string } = {}
): { child: ChildProcess; done: Promise<Ran> } {
  const t0 = performance.now()
  const child = spawn(cmd, args, {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: [options.stdin ?? 'ignore', options.stdout ?? 'ignore', 'pipe']
  })
  children.add(child)
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-16384)))
  const done = new Promise<Ran>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => {
      children.delete(child)
      resolve({ code, signal, seconds: (performance.now() - t0) / 1000, stderr })
    })
  })
  return { child, done }
}

function ok(what: string, ran: Ran): Ran {
  if (ran.code === 0) return ran
  const status = ran.signal ? `signal ${ran.signal}` : `exit code ${ran.code}`
  throw new Error(`${what} failed with ${status}: ${ran.stderr.trim().slice(-2000)}`)
}

/** The command line that runs a server program as the OS user owning the cluster. */
function asServerUser(cmd: string, args: string[]): [string, string[]] {
  return isRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args]
}

/** The environment without anything libpq or Node would pick up. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('PG') || key.startsWith('NODE_') || key.startsWith('npm_')) continue
    env[key] = value
  }
  env.LC_ALL = 'C'
  return env
}

async function pgCtl(server: TestServer, args: string[]): Promise<void> {
  const [cmd, argv] = asServerUser(path.join(server.binDir, 'pg_ctl'), args)
  ok(
    `pg_ctl ${args[0]}`,
    await run(cmd, argv, { env: cleanEnv(), cwd: path.dirname(server.dataDir) }).done
  )
}

/** Flushes dirty pages (ours and the server's) so one variant's writes do not bill the next. */
async function settle(server: TestServer): Promise<void> {
  spawnSync('sync')
  await server.query('postgres', 'CHECKPOINT')
  spawnSync('sync')
}

// ---------------------------------------------------------------------------------------------
// the database

const WORDS = (
  'account address agent alpha amber answer apple april archive area arrow atlas autumn ' +
  'balance banner basket battery beacon berry binder blue border bottle branch bridge bright ' +
  'bronze budget cable camera canvas carbon cargo castle cedar center chapter charge cherry ' +
  'circle client cloud coast cobalt column comet copper corner cotton credit crystal current ' +
  'delta desert design detail dinner direct doctor domain dragon driver eagle echo editor ' +
  'elder ember engine estate event fabric falcon field filter finance flower forest fossil ' +
  'frame garden gather ginger glacier global golden granite harbor harvest hazel helmet ' +
  'horizon hunter island ivory jacket jungle kernel kettle ladder lagoon lantern laser ledger ' +
  'lemon letter linen market marble meadow medal melody method metro mirror module monitor ' +
  'motion native nectar needle network noble north number ocean office olive orange orbit ' +
  'order output oxygen paddle palace panel paper parcel pencil pepper planet pocket portal ' +
  'prairie profile quarter quartz radar rapid raven record region remote ribbon river rocket ' +
  'saddle salmon sample season secret sensor shadow signal silver socket spiral spring ' +
  'station stone summer system tablet talent temple thunder ticket timber token tower travel ' +
  'tunnel unit valley vector velvet venture violet vision voyage wallet window winter yellow'
).split(' ')

/** Session-local helpers (pg_temp): they vanish with the session and never reach a dump. */
const HELPERS = `
CREATE FUNCTION pg_temp.words(n integer) RETURNS text LANGUAGE sql VOLATILE AS $f$
  SELECT string_agg(('{${WORDS.join(',')}}'::text[])[1 + floor(random() * ${WORDS.length})::int], ' ')
  FROM generate_series(1, n)
$f$;
CREATE FUNCTION pg_temp.pick(choices text[]) RETURNS text LANGUAGE sql VOLATILE AS $f$
  SELECT choices[1 + floor(random() * cardinality(choices))::int]
$f$;
-- incompressible bytes: sha256 blocks of a counter
CREATE FUNCTION pg_temp.noise(seed bigint, len integer) RETURNS bytea LANGUAGE sql IMMUTABLE AS $f$
  SELECT substring(string_agg(sha256(int8send(seed * 1000 + g)), ''::bytea ORDER BY g) FROM 1 FOR len)
  FROM generate_series(1, (len + 31) / 32) AS g
$f$;`

const SCHEMA = `
CREATE TABLE customers (
  id bigint PRIMARY KEY,
  name text NOT NULL,
  email text NOT NULL,
  country char(2) NOT NULL,
  created_at timestamptz NOT NULL,
  balance numeric(14, 2) NOT NULL,
  profile jsonb NOT NULL
);
CREATE TABLE documents (
  id bigint PRIMARY KEY,
  title text NOT NULL,
  body text NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE TABLE orders (
  id bigint PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customers (id),
  placed_at timestamptz NOT NULL,
  status text NOT NULL,
  total numeric(14, 2) NOT NULL,
  items jsonb NOT NULL
);
CREATE INDEX orders_customer_id_idx ON orders (customer_id);
CREATE TABLE events (
  id bigint PRIMARY KEY,
  at timestamptz NOT NULL,
  kind text NOT NULL,
  session_id uuid NOT NULL,
  trace text NOT NULL,
  payload jsonb NOT NULL
);
CREATE INDEX events_at_idx ON events (at);
CREATE TABLE attachments (
  id bigint PRIMARY KEY,
  document_id bigint NOT NULL REFERENCES documents (id),
  sha256 text NOT NULL,
  mime text NOT NULL,
  data bytea NOT NULL
);`

/** Rows per table for one unit of scale (≈ 85 KB on disk). */
const PER_UNIT = { customers: 10, documents: 15, orders: 40, events: 100, attachments: 3 }

/** One INSERT per table; $1..$2 the new ids, $3 the highest id the foreign key may point at. */
const INSERTS: Record<keyof typeof PER_UNIT, string> = {
  customers: `
INSERT INTO customers
SELECT i,
  initcap(pg_temp.words(1)) || ' ' || initcap(pg_temp.words(1)),
  substr(md5(i::text), 1, 10) || '@' || pg_temp.pick('{example.com,mail.example.org,corp.example.net}'),
  pg_temp.pick('{US,DE,FR,GB,NL,BR,IN,JP,CA,ES}'),
  timestamptz '2019-01-01 00:00:00+00' + i * interval '41 seconds' + random() * interval '40 seconds',
  round((random() * 20000 - 2000)::numeric, 2),
  jsonb_build_object(
    'plan', pg_temp.pick('{free,free,free,pro,pro,team,enterprise}'),
    'newsletter', random() < 0.3,
    'tags', to_jsonb(string_to_array(pg_temp.words(1 + floor(random() * 4)::int), ' ')),
    'address', jsonb_build_object(
      'street', initcap(pg_temp.words(2)) || ' ' || (1 + floor(random() * 300)::int),
      'city', initcap(pg_temp.words(1)),
      'zip', lpad(floor(random() * 99999)::int::text, 5, '0')),
    'locale', pg_temp.pick('{en-US,en-GB,de-DE,fr-FR,pt-BR,ja-JP}'))
FROM generate_series($1::bigint, $2::bigint) AS g(i)`,
  documents: `
INSERT INTO documents
SELECT i,
  initcap(pg_temp.words(3 + floor(random() * 6)::int)),
  pg_temp.words(20 + floor(random() * 280)::int),
  timestamptz '2021-01-01 00:00:00+00' + i * interval '7 minutes' + random() * interval '6 minutes'
FROM generate_series($1::bigint, $2::bigint) AS g(i)`,
  orders: `
INSERT INTO orders
SELECT i,
  1 + floor(random() * $3::bigint)::bigint,
  timestamptz '2020-01-01 00:00:00+00' + i * interval '9 seconds' + random() * interval '8 seconds',
  pg_temp.pick('{delivered,delivered,delivered,delivered,shipped,paid,pending,cancelled,refunded}'),
  (SELECT coalesce(sum((e ->> 'price')::numeric * (e ->> 'qty')::int), 0) FROM jsonb_array_elements(x.items) AS e),
  x.items
FROM generate_series($1::bigint, $2::bigint) AS g(i),
LATERAL (
  SELECT jsonb_agg(jsonb_build_object(
    'sku', 'SKU-' || lpad(floor(random() * 50000)::int::text, 6, '0'),
    'name', initcap(pg_temp.words(2)),
    'qty', 1 + floor(random() * 4)::int,
    'price', round((1 + random() * 199)::numeric, 2))) AS items
  FROM generate_series(1, 1 + floor(random() * 5)::int + (i * 0)::int)
) AS x`,
  events: `
INSERT INTO events
SELECT i,
  timestamptz '2023-01-01 00:00:00+00' + i * interval '1.3 seconds',
  pg_temp.pick('{page_view,page_view,page_view,page_view,click,click,search,add_to_cart,checkout,login,logout,error}'),
  md5('session' || (i / 25))::uuid,
  md5(i::text) || md5(md5(i::text) || 'trace'),
  jsonb_build_object(
    'path', '/' || pg_temp.pick('{products,cart,search,account,blog,help}') || '/' || floor(random() * 5000)::int,
    'ip', '10.' || floor(random() * 256)::int || '.' || floor(random() * 256)::int || '.' || floor(random() * 256)::int,
    'ua', pg_temp.pick('{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36","Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15","Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148","Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0"}'),
    'ms', floor(random() * random() * 2000)::int,
    'ok', random() > 0.02,
    'ref', CASE WHEN random() < 0.3 THEN 'https://' || pg_temp.pick('{www.google.com,news.example.com,t.co,duckduckgo.com}') || '/' END)
FROM generate_series($1::bigint, $2::bigint) AS g(i)`,
  attachments: `
INSERT INTO attachments
SELECT i, 1 + floor(random() * $3::bigint)::bigint, encode(sha256(d.data), 'hex'),
  pg_temp.pick('{image/png,image/jpeg,application/pdf,application/octet-stream}'), d.data
FROM generate_series($1::bigint, $2::bigint) AS g(i),
LATERAL (SELECT 512 + floor(random() * 7680)::int + (i * 0)::int AS len) AS l,
LATERAL (SELECT pg_temp.noise(i, l.len) AS data) AS d`
}

async function databaseBytes(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ n: string }>(
    'SELECT pg_database_size(current_database())::text AS n'
  )
  return Number(rows[0].n)
}

/** Generates the database in one session, chunk by chunk, until it reaches `sizeMb` on disk. */
async function generate(server: TestServer, sizeMb: number): Promise<void> {
  const t0 = performance.now()
  await server.createDatabase(DATABASE)
  const client = new pg.Client({ connectionString: server.url(DATABASE) })
  await client.connect()
  try {
    await client.query(HELPERS)
    await client.query(SCHEMA)
    await client.query('SELECT setseed(0.4242)')
    const target = sizeMb * 1024 * 1024
    const empty = await databaseBytes(client)
    const next = { customers: 1, documents: 1, orders: 1, events: 1, attachments: 1 }
    let bytes = empty
    let units = 0
    // first chunk: 1/20 of the target at an estimated 85 KB per unit; then measured
    let chunk = Math.max(1, Math.round(target / 20 / 85_000))
    while (bytes < target * 0.995) {
      for (const table of Object.keys(PER_UNIT) as (keyof typeof PER_UNIT)[]) {
        const first = next[table]
        const last = first + PER_UNIT[table] * chunk - 1
        const parent = table === 'orders' ? next.customers - 1 : next.documents - 1
        const params = INSERTS[table].includes('$3') ? [first, last, parent] : [first, last]
        await client.query(INSERTS[table], params)
        next[table] = last + 1
      }
      units += chunk
      bytes = await databaseBytes(client)
      const perUnit = (bytes - empty) / units
      const missing = Math.max(0, target - bytes)
      chunk = Math.max(1, Math.min(Math.ceil(missing / perUnit), Math.round(64e6 / perUnit)))
      const line = `  ${(bytes / 1024 / 1024).toFixed(0)} of ${sizeMb} MB  (${((performance.now() - t0) / 1000).toFixed(0)} s)`
      if (process.stdout.isTTY) process.stdout.write(`\r${line}\x1b[K`)
      else say(line)
    }
    if (process.stdout.isTTY) process.stdout.write('\n')
    // hint bits, visibility map and statistics now, so no variant pays for them
    await client.query('VACUUM (FREEZE, ANALYZE)')
  } finally {
    await client.end()
  }
  say(`  generated in ${((performance.now() - t0) / 1000).toFixed(0)} s`)
}

interface KeptMeta {
  generator: number
  sizeMb: number
  major: number
  /** the superuser password of the kept cluster (a throw-away local cluster) */
  password: string
}

/** Stops the server, copies its data directory into `keepDir`, and starts it again. */
async function keepCluster(server: TestServer, keepDir: string, sizeMb: number): Promise<void> {
  await server.query('postgres', 'CHECKPOINT')
  await pgCtl(server, ['stop', '-D', server.dataDir, '-m', 'fast', '-w', '-t', '120'])
  await mkdir(keepDir, { recursive: true, mode: 0o700 })
  await chmod(keepDir, 0o700)
  const data = path.join(keepDir, 'data')
  const partial = path.join(keepDir, 'data.partial')
  await rm(partial, { recursive: true, force: true })
  ok('cp -a', await run('cp', ['-a', server.dataDir, partial]).done)
  await rm(path.join(keepDir, 'meta.json'), { force: true })
  await rm(data, { recursive: true, force: true })
  await rename(partial, data)
  const meta: KeptMeta = {
    generator: GENERATOR_VERSION,
    sizeMb,
    major: server.major,
    password: server.password
  }
  await writeFile(path.join(keepDir, 'meta.json'), JSON.stringify(meta), { mode: 0o600 })
  await startAgain(server)
  say(`  kept the cluster in ${keepDir} (reused by the next --keep run of the same size)`)
}

async function readKept(keepDir: string, sizeMb: number): Promise<KeptMeta | undefined> {
  try {
    const meta = JSON.parse(await readFile(path.join(keepDir, 'meta.json'), 'utf8')) as KeptMeta
    if (!existsSync(path.join(keepDir, 'data', 'PG_VERSION'))) return undefined
    if (meta.generator !== GENERATOR_VERSION || meta.sizeMb !== sizeMb) return undefined
    if (meta.major !== PG_MAJOR || typeof meta.password !== 'string') return undefined
    return meta
  } catch {
    return undefined
  }
}

/** Swaps the kept data directory into the fresh cluster, then gives its superuser our password. */
async function reuseCluster(server: TestServer, keepDir: string, meta: KeptMeta): Promise<void> {
  const t0 = performance.now()
  await pgCtl(server, ['stop', '-D', server.dataDir, '-m', 'fast', '-w', '-t', '120'])
  // this cluster's settings (port, socket directory) go with the kept data
  const conf = await readFile(path.join(server.dataDir, 'postgresql.conf'))
  await rm(server.dataDir, { recursive: true, force: true })
  ok('cp -a', await run('cp', ['-a', path.join(keepDir, 'data'), server.dataDir]).done)
  await writeFile(path.join(server.dataDir, 'postgresql.conf'), conf)
  await startAgain(server)
  const client = new pg.Client({
    host: server.host,
    port: server.port,
    user: server.user,
    password: meta.password,
    database: 'postgres'
  })
  await client.connect()
  try {
    await client.query(`ALTER ROLE ${server.user} PASSWORD ${quoteLiteral(server.password)}`)
  } finally {
    await client.end()
  }
  say(`  reused the cluster kept in ${keepDir} (${((performance.now() - t0) / 1000).toFixed(0)} s)`)
}

async function startAgain(server: TestServer): Promise<void> {
  const log = path.join(path.dirname(server.dataDir), 'server.log')
  await pgCtl(server, ['start', '-D', server.dataDir, '-l', log, '-w', '-t', '120'])
}

// ---------------------------------------------------------------------------------------------
// CPU accounting, from /proc: what each variant costs the server, the clients, and us

const TICKS_PER_SECOND = (() => {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })
  return Number(r.stdout?.trim()) || 100
})()

/** Fields of /proc/<pid>/stat after the command name: [state, ppid, …, utime at 11, …]. */
function procStat(pid: number | 'self'): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return text.slice(text.lastIndexOf(')') + 2).split(' ')
  } catch {
    return undefined
  }
}

const ticks = (fields: string[] | undefined, ...at: number[]): number =>
  fields ? at.reduce((sum, i) => sum + Number(fields[i]), 0) / TICKS_PER_SECOND : 0

/** Our own CPU (the loopback backend lives here) and that of our reaped descendants. */
function benchCpu(): { own: number; children: number } {
  const self = procStat('self')
  return { own: ticks(self, 11, 12), children: ticks(self, 13, 14) }
}

/** The server's CPU: postmaster, its reaped backends, and the children alive now. */
function serverCpu(server: TestServer): { cpu: number; children: Set<number> } {
  const children = new Set<number>()
  let postmaster: number
  try {
    postmaster = Number(
      readFileSync(path.join(server.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]
    )
  } catch {
    return { cpu: 0, children }
  }
  let cpu = ticks(procStat(postmaster), 11, 12, 13, 14)
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const fields = procStat(Number(entry))
    if (fields && Number(fields[1]) === postmaster) {
      cpu += ticks(fields, 11, 12)
      children.add(Number(entry))
    }
  }
  return { cpu, children }
}

/** CPU seconds the whole machine spent busy so far (all cores; from /proc/stat). */
function machineBusy(): number {
  try {
    const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/)
    const [user, nice, system, , , irq, softirq, steal] = fields.map(Number)
    return (user + nice + system + irq + softirq + (steal || 0)) / TICKS_PER_SECOND
  } catch {
    return 0
  }
}

const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

/**
 * Waits (up to a minute) until the machine is nearly idle, so that others' work — a build or
 * a test run on the same cores — disturbs the next measurement as little as possible.
 */
async function quiet(): Promise<void> {
  const t0 = performance.now()
  for (;;) {
    const before = machineBusy()
    await sleep(500)
    const cores = (machineBusy() - before) / 0.5
    if (cores < 0.25) break
    if (performance.now() - t0 > 60_000) {
      say(`    (the machine is still busy, ${cores.toFixed(1)} cores: measuring anyway)`)
      return
    }
  }
  const waited = (performance.now() - t0) / 1000
  if (waited > 2)
    say(`    (waited ${waited.toFixed(0)} s for other work on this machine to finish)`)
}

interface Cpu {
  /** PostgreSQL's processes */
  server: number
  /** every process we started, with its descendants (pg_dump, gzip, the action, …) */
  clients: number
  /** the action's own Node process (from inside it) */
  node?: number
  /** this process: mostly the loopback artifact backend */
  bench: number
  /** the rest of the machine's busy time meanwhile: kernel threads, other people's processes */
  other: number
}

// ---------------------------------------------------------------------------------------------
// the variants

interface Sample {
  seconds: number
  bytes?: number
  /** the action's peak RSS (VmHWM, KB) */
  peakKb?: number
  /** the action: seconds per phase */
  phases?: Map<string, number>
  cpu?: Cpu
}

type BackupVariant = 'raw' | 'fc' | 'plainGzip' | 'zstdCli' | 'zstd' | 'zstd1' | 'gzip' | 'none'
type RestoreVariant = 'restoreAction' | 'pgRestore' | 'verifyAction'
type Variant = BackupVariant | RestoreVariant

const LABELS: Record<Variant, string> = {
  raw: '`pg_dump -Fc -Z0 > /dev/null` (the limit)',
  fc: '`pg_dump -Fc` to a file (gzip in pg_dump)',
  plainGzip: '`pg_dump -Fp | gzip -6` to a file',
  zstdCli: '`pg_dump -Fc -Z0 | zstd -3 -T1` to a file (reference)',
  zstd: '**action backup, zstd** (default, level 3)',
  zstd1: 'action backup, zstd, compression-level 1',
  gzip: 'action backup, gzip',
  none: 'action backup, none',
  pgRestore: '`pg_restore` of the decompressed .dump from local disk',
  restoreAction: '**action restore** (zstd artifact, run-id current)',
  verifyAction: 'action verify (restore, then the scratch database dumped and compared)'
}
const ACTION_BACKUPS: BackupVariant[] = ['zstd', 'zstd1', 'gzip', 'none']
const RESTORES: RestoreVariant[] = ['restoreAction', 'pgRestore', 'verifyAction']

/** Above this size the uncompressed backup ('none') is left out: the loopback backend keeps every
 * artifact in one Buffer, and cannot finalize one of ~4 GB. */
const NONE_MAX_MB = 2048

function backupVariants(sizeMb: number): BackupVariant[] {
  const zstdCli = spawnSync('zstd', ['--version'], { stdio: 'ignore' }).status === 0
  const actions = ACTION_BACKUPS.filter(v => v !== 'none' || sizeMb <= NONE_MAX_MB)
  return ['raw', 'fc', 'plainGzip', ...(zstdCli ? ['zstdCli' as const] : []), ...actions]
}

const PHASE_HEADERS: Partial<Record<Variant, string>> = {
  zstd: 'backup zstd',
  zstd1: 'backup zstd 1',
  gzip: 'backup gzip',
  none: 'backup none',
  restoreAction: 'restore',
  verifyAction: 'verify'
}

/** Runs `fn` and adds what it cost in CPU, per kind of process. */
async function measured(server: TestServer, fn: () => Promise<Sample>): Promise<Sample> {
  await quiet()
  const m0 = machineBusy()
  const b0 = benchCpu()
  const s0 = serverCpu(server)
  const sample = await fn()
  // the backends of the variant exit just after their clients: count them once reaped
  let s1 = serverCpu(server)
  for (let i = 0; i < 30 && [...s1.children].some(pid => !s0.children.has(pid)); i++) {
    await sleep(100)
    s1 = serverCpu(server)
  }
  const m1 = machineBusy()
  const b1 = benchCpu()
  const server1 = s1.cpu - s0.cpu
  const clients = b1.children - b0.children
  const bench = b1.own - b0.own
  sample.cpu = {
    server: server1,
    clients,
    node: sample.cpu?.node,
    bench,
    other: Math.max(0, m1 - m0 - server1 - clients - bench)
  }
  return sample
}

async function rawDump(server: TestServer): Promise<Sample> {
  const devNull = openSync('/dev/null', 'w')
  try {
    const args = ['--no-password', '--format=custom', '--compress=0']
    const ran = ok(
      'pg_dump -Fc -Z0',
      await run(PG_DUMP, args, { env: server.env(DATABASE), stdout: devNull }).done
    )
    return { seconds: ran.seconds }
  } finally {
    closeSync(devNull)
  }
}

async function fcDump(server: TestServer, file: string): Promise<Sample> {
  const args = ['--no-password', '--format=custom', `--file=${file}`]
  const ran = ok('pg_dump -Fc', await run(PG_DUMP, args, { env: server.env(DATABASE) }).done)
  const { size } = await stat(file)
  await rm(file, { force: true })
  return { seconds: ran.seconds, bytes: size }
}

/** `pg_dump … | compressor … > file` through an OS pipe, as a shell runs it. */
async function pipedDump(
  server: TestServer,
  dumpArgs: string[],
  compressor: [string, string[]],
  file: string
): Promise<Sample> {
  const out = openSync(file, 'w', 0o600)
  const t0 = performance.now()
  try {
    const dump = run(PG_DUMP, ['--no-password', ...dumpArgs], {
      env: server.env(DATABASE),
      stdout: 'pipe'
    })
    // the child gets the pipe itself: the bytes never pass through this process
    const compress = run(compressor[0], compressor[1], { stdin: dump.child.stdout!, stdout: out })
    dump.child.stdout!.destroy()
    const [d, c] = await Promise.all([dump.done, compress.done])
    ok(`pg_dump ${dumpArgs.join(' ')}`, d)
    ok(compressor.flat().join(' '), c)
  } finally {
    closeSync(out)
  }
  const seconds = (performance.now() - t0) / 1000
  const { size } = await stat(file)
  await rm(file, { force: true })
  return { seconds, bytes: size }
}

async function pgRestore(server: TestServer, file: string, database: string): Promise<Sample> {
  // the options the action's restore uses
  const args = [
    '--no-password',
    '--exit-on-error',
    '--single-transaction',
    '--no-owner',
    '--no-privileges',
    `--dbname=${database}`,
    file
  ]
  const ran = ok('pg_restore', await run(PG_RESTORE, args, { env: server.env(database) }).done)
  return { seconds: ran.seconds }
}

// ---------------------------------------------------------------------------------------------
// the action, as the runner runs it

const STATS_MARK = 'BENCH_STATS '
/**
 * Preloaded into the action's Node (NODE_OPTIONS=--import data:…): as it exits, it prints its
 * peak RSS and CPU time to stderr. The peak is VmHWM, not resourceUsage().maxRSS: Linux carries
 * ru_maxrss over an execve, so a child of a big parent would report the parent's peak.
 */
const STATS_HOOK = String.raw`const fs = process.getBuiltinModule('node:fs')
process.on('exit', () => {
  let hwm = 0
  try { hwm = Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]) } catch {}
  const u = process.resourceUsage()
  process.stderr.write('\n${STATS_MARK}' + JSON.stringify({ hwm, cpu: (u.userCPUTime + u.systemCPUTime) / 1e6 }) + '\n')
})`

interface ActionRun {
  code: number | null
  seconds: number
  outputs: Record<string, string>
  peakKb?: number
  nodeCpu?: number
  phases: Map<string, number>
  log: string[]
}

const STARTUP = 'Node start-up, inputs (before the first group)'
const OUTSIDE = 'Outside groups (snapshot, summary, exit)'

function phaseName(title: string): string {
  if (title.startsWith('Connect to ')) return 'Connect'
  if (title.startsWith('Dump to ')) return 'Dump → compress → sha256 → zip → upload (overlapped)'
  if (title.startsWith('Upload artifact')) return 'Finish the upload (manifest, finalize)'
  if (title === 'Fetch the backup')
    return 'Fetch the backup (download, loopback; copy the dump out)'
  return title
}

async function runAction(
  backend: ArtifactBackend,
  inputs: Record<string, string>,
  dir: string
): Promise<ActionRun> {
  const { env, workspace, outputFile } = runnerStep(dir, backend.env(), inputs, {
    workflow: 'bench',
    extraEnv: { NODE_OPTIONS: `--import=data:text/javascript,${encodeURIComponent(STATS_HOOK)}` }
  })

  const t0 = performance.now()
  const at = (): number => (performance.now() - t0) / 1000
  const { child, done } = run(process.execPath, [actionEntry], {
    env,
    cwd: workspace,
    stdout: 'pipe'
  })
  // the ::group:: lines, timed as they arrive (core writes to a pipe synchronously)
  const phases = new Map<string, number>()
  const log: string[] = []
  let open: { name: string; since: number } | undefined
  let firstGroup: number | undefined
  let grouped = 0
  const close = (): void => {
    if (!open) return
    const took = at() - open.since
    phases.set(open.name, (phases.get(open.name) ?? 0) + took)
    grouped += took
    open = undefined
  }
  const lines = readline.createInterface({ input: child.stdout!, crlfDelay: Infinity })
  lines.on('line', raw => {
    const command = /^::([a-z-]+)(?: [^:]*)?::(.*)$/.exec(raw)
    if (!command) return void log.push(raw)
    const [, name, data] = command
    if (name === 'group') {
      close()
      firstGroup ??= at()
      open = { name: phaseName(unescapeCommandData(data)), since: at() }
      log.push(`## ${unescapeCommandData(data)}`)
    } else if (name === 'endgroup') close()
    else if (name === 'error' || name === 'warning')
      log.push(`${name}: ${unescapeCommandData(data)}`)
  })
  const ran = await done
  close()
  if (firstGroup !== undefined) phases.set(STARTUP, firstGroup)
  phases.set(OUTSIDE, Math.max(0, ran.seconds - grouped - (firstGroup ?? 0)))
  const marked = new RegExp(`\\n?${STATS_MARK}(\\{.*\\})\\n?`)
  const stats = marked.exec(ran.stderr)
  const parsed = stats ? (JSON.parse(stats[1]) as { hwm: number; cpu: number }) : undefined
  const stderr = ran.stderr.replace(marked, '').trim()
  if (stderr) log.push(...stderr.split('\n').map(l => `stderr: ${l}`))
  return {
    code: ran.code,
    seconds: ran.seconds,
    outputs: parseOutputs(await readFile(outputFile, 'utf8')),
    peakKb: parsed?.hwm || undefined,
    nodeCpu: parsed?.cpu,
    phases,
    log
  }
}

function actionOk(what: string, result: ActionRun): ActionRun {
  if (result.code === 0) return result
  throw new Error(`${what} exited with code ${result.code}:\n${result.log.slice(-30).join('\n')}`)
}

async function ensureDist(): Promise<void> {
  if (existsSync(DIST)) return
  say('dist/index.js is missing: npm run package')
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

/**
 * Copies dist/ into `root` once it has not changed for a few seconds: every run of the action
 * in this benchmark uses that same bundle even if dist/ is rebuilt meanwhile.
 */
async function snapshotDist(root: string): Promise<{ entry: string; sha256: string }> {
  const distDir = path.dirname(DIST)
  const copy = path.join(root, 'dist')
  for (let attempt = 0; ; attempt++) {
    const before = await stat(DIST)
    const age = Date.now() - before.mtimeMs
    if (age < 5000 && attempt < 60) {
      await sleep(Math.max(1000, 5000 - age))
      continue
    }
    await rm(copy, { recursive: true, force: true })
    ok('cp -r dist', await run('cp', ['-r', distDir, copy]).done)
    const after = await stat(DIST)
    if (after.mtimeMs === before.mtimeMs && after.size === before.size) break
    if (attempt >= 60) throw new Error('dist/index.js keeps changing; try again later')
  }
  const entry = path.join(copy, 'index.js')
  const sha256 = createHash('sha256')
    .update(await readFile(entry))
    .digest('hex')
  return { entry, sha256 }
}

/** The commit, and whether the working tree differs from it. */
function gitDescription(): string {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' })
  if (head.status !== 0) return 'no git commit'
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'src', 'dist'], {
    cwd: ROOT,
    encoding: 'utf8'
  })
  return `commit ${head.stdout.trim()}${dirty.stdout?.trim() ? ' with uncommitted changes in src/ or dist/' : ''}`
}

// ---------------------------------------------------------------------------------------------
// one repetition

interface Repetition {
  server: TestServer
  rep: number
  dir: string
  backups: BackupVariant[]
  record(variant: Variant, sample: Sample): void
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`
const secs = (s: number): string => s.toFixed(2)

function progress(variant: Variant, sample: Sample): void {
  const parts = [`    ${variant.padEnd(13)} ${secs(sample.seconds).padStart(7)} s`]
  if (sample.bytes !== undefined) parts.push(mb(sample.bytes))
  if (sample.peakKb) parts.push(`peak RSS ${(sample.peakKb / 1024).toFixed(0)} MB`)
  if (sample.cpu) {
    const c = sample.cpu
    parts.push(
      `CPU s: server ${c.server.toFixed(1)}, clients ${c.clients.toFixed(1)}${c.node !== undefined ? ` (action's Node ${c.node.toFixed(1)})` : ''}, bench ${c.bench.toFixed(1)}, other ${c.other.toFixed(1)}`
    )
  }
  say(parts.join('  '))
}

/** Backups in an order rotated per repetition, then both restores of this repetition's archive. */
async function repetition(r: Repetition): Promise<{ rawArchiveBytes: number }> {
  const { server, rep, dir } = r
  const shift = rep % r.backups.length
  const order = [...r.backups.slice(shift), ...r.backups.slice(0, shift)]
  let zstdBackend: ArtifactBackend | undefined
  const databases: string[] = []
  try {
    for (const variant of order) {
      if (interrupted) throw new Error('interrupted')
      await settle(server)
      const sample = await measured(server, async () => {
        switch (variant) {
          case 'raw':
            return rawDump(server)
          case 'fc':
            return fcDump(server, path.join(dir, 'fc.dump'))
          case 'plainGzip':
            return pipedDump(
              server,
              ['--format=plain'],
              ['gzip', ['-6']],
              path.join(dir, 'plain.sql.gz')
            )
          case 'zstdCli':
            return pipedDump(
              server,
              ['--format=custom', '--compress=0'],
              ['zstd', ['-3', '-T1', '-q', '-c']],
              path.join(dir, 'cli.dump.zst')
            )
          default: {
            const backend = await startArtifactBackend()
            const workDir = path.join(dir, `backup-${variant}`)
            try {
              const result = actionOk(
                `the action (backup, ${variant})`,
                await runAction(
                  backend,
                  {
                    'database-url': server.url(DATABASE),
                    'artifact-name': ARTIFACT,
                    compression: variant === 'zstd1' ? 'zstd' : variant,
                    ...(variant === 'zstd1' ? { 'compression-level': '1' } : {}),
                    'install-client': 'false'
                  },
                  workDir
                )
              )
              if (variant === 'zstd') zstdBackend = backend
              return {
                seconds: result.seconds,
                bytes: Number(result.outputs['size-bytes']),
                peakKb: result.peakKb,
                phases: result.phases,
                cpu: { server: 0, clients: 0, bench: 0, other: 0, node: result.nodeCpu }
              }
            } finally {
              if (backend !== zstdBackend) await backend.close()
              await rm(workDir, { recursive: true, force: true })
            }
          }
        }
      })
      r.record(variant, sample)
      progress(variant, sample)
    }

    // the same archive for pg_restore, decompressed beforehand (untimed)
    const artifact = zstdBackend!.findArtifact(`${ARTIFACT}.zip`)
    if (!artifact) throw new Error('the zstd backup left no artifact in the backend')
    const entries = await unzipEntries(artifact.bytes)
    const manifest = JSON.parse(entries.get('manifest.json')!.toString('utf8')) as {
      file: { name: string }
      rawSizeBytes: number
    }
    const dumpFile = path.join(dir, 'archive.dump')
    await pipeline(
      Readable.from([entries.get(manifest.file.name)!]),
      zlib.createZstdDecompress(),
      createWriteStream(dumpFile, { mode: 0o600 })
    )
    entries.clear()

    for (const variant of rep % 2 === 0 ? RESTORES : [...RESTORES].reverse()) {
      if (interrupted) throw new Error('interrupted')
      const database = `${variant === 'pgRestore' ? 'pg_restore' : variant === 'verifyAction' ? 'action_verify' : 'action_restore'}_${rep + 1}`
      await server.createDatabase(database)
      databases.push(database)
      await settle(server)
      const sample = await measured(server, async () => {
        if (variant === 'pgRestore') return pgRestore(server, dumpFile, database)
        const workDir = path.join(dir, 'restore')
        try {
          const verifying = variant === 'verifyAction'
          const result = actionOk(
            `the action (${verifying ? 'verify' : 'restore'})`,
            await runAction(
              zstdBackend!,
              {
                mode: verifying ? 'verify' : 'restore',
                [verifying ? 'verify-database-url' : 'database-url']: server.url(database),
                'artifact-name': ARTIFACT,
                'run-id': 'current',
                'install-client': 'false'
              },
              workDir
            )
          )
          return {
            seconds: result.seconds,
            peakKb: result.peakKb,
            phases: result.phases,
            cpu: { server: 0, clients: 0, bench: 0, other: 0, node: result.nodeCpu }
          }
        } finally {
          await rm(workDir, { recursive: true, force: true })
        }
      })
      r.record(variant, sample)
      progress(variant, sample)
    }
    return { rawArchiveBytes: manifest.rawSizeBytes }
  } finally {
    await zstdBackend?.close()
    for (const database of databases) await server.dropDatabase(database).catch(() => undefined)
  }
}

// ---------------------------------------------------------------------------------------------
// statistics and tables

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
const times = (x: number): string => `${x.toFixed(2)}×`

interface Summary {
  seconds: number
  min: number
  max: number
  bytes?: number
  peakKb?: number
}

function summarise(samples: Sample[]): Summary {
  const seconds = samples.map(s => s.seconds)
  const bytes = samples.map(s => s.bytes).filter((b): b is number => b !== undefined)
  const peaks = samples.map(s => s.peakKb).filter((r): r is number => r !== undefined)
  return {
    seconds: median(seconds),
    min: Math.min(...seconds),
    max: Math.max(...seconds),
    bytes: bytes.length > 0 ? median(bytes) : undefined,
    peakKb: peaks.length > 0 ? Math.max(...peaks) : undefined
  }
}

interface Table {
  header: string[]
  rows: string[][]
  align: ('l' | 'r')[]
}

function markdown(table: Table): string {
  const esc = (c: string): string => c.replace(/\|/g, '\\|')
  return [
    `| ${table.header.map(esc).join(' | ')} |`,
    `|${table.align.map(a => (a === 'r' ? '---:' : '---')).join('|')}|`,
    ...table.rows.map(r => `| ${r.map(esc).join(' | ')} |`)
  ].join('\n')
}

function plain(table: Table): string {
  const strip = (c: string): string => c.replace(/`|\*\*/g, '')
  const widths = table.header.map((h, i) =>
    Math.max(strip(h).length, ...table.rows.map(r => strip(r[i]).length))
  )
  const line = (cells: string[]): string =>
    cells
      .map((c, i) =>
        table.align[i] === 'r' ? strip(c).padStart(widths[i]) : strip(c).padEnd(widths[i])
      )
      .join('  ')
  return [
    line(table.header),
    widths.map(w => '─'.repeat(w)).join('  '),
    ...table.rows.map(line)
  ].join('\n')
}

interface Results {
  machine: string
  tables: Table[]
  targets: string[]
}

function results(
  samples: Map<Variant, Sample[]>,
  backups: BackupVariant[],
  machine: string
): Results {
  const s = Object.fromEntries([...samples].map(([v, list]) => [v, summarise(list)])) as Record<
    Variant,
    Summary
  >
  const raw = s.raw.seconds
  const fc = s.fc.seconds
  const fcBytes = s.fc.bytes!
  const peakCell = (x: Summary): string =>
    x.peakKb !== undefined ? `${(x.peakKb / 1024).toFixed(0)} MB` : '—'
  const range = (x: Summary): string => `${secs(x.min)}–${secs(x.max)}`
  const backupTable: Table = {
    header: [
      'Backup',
      'Median s',
      'Range s',
      '× raw dump',
      '× `pg_dump -Fc`',
      'File',
      'File × `-Fc`',
      'Peak RSS'
    ],
    align: ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    rows: backups.map(v => [
      LABELS[v],
      secs(s[v].seconds),
      range(s[v]),
      times(s[v].seconds / raw),
      times(s[v].seconds / fc),
      s[v].bytes !== undefined ? mb(s[v].bytes) : '—',
      s[v].bytes !== undefined ? times(s[v].bytes / fcBytes) : '—',
      peakCell(s[v])
    ])
  }
  const restoreTable: Table = {
    header: ['Restore', 'Median s', 'Range s', '× `pg_restore`', 'Peak RSS'],
    align: ['l', 'r', 'r', 'r', 'r'],
    rows: (['pgRestore', 'restoreAction', 'verifyAction'] as const).map(v => [
      v === 'verifyAction'
        ? `${LABELS[v]}: ${times(s[v].seconds / s.restoreAction.seconds)} the action restore (target 1.5×)`
        : LABELS[v],
      secs(s[v].seconds),
      range(s[v]),
      times(s[v].seconds / s.pgRestore.seconds),
      peakCell(s[v])
    ])
  }

  // the action's time per phase (medians)
  const actionBackups = backups.filter(v => ACTION_BACKUPS.includes(v))
  const phaseColumns: Variant[] = [...actionBackups, 'restoreAction']
  const names: string[] = []
  for (const v of phaseColumns)
    for (const sample of samples.get(v) ?? [])
      for (const name of sample.phases?.keys() ?? []) if (!names.includes(name)) names.push(name)
  const ordered = [STARTUP, ...names.filter(n => n !== STARTUP && n !== OUTSIDE), OUTSIDE]
  const phaseCell = (v: Variant, name: string): string => {
    const values = (samples.get(v) ?? []).map(x => x.phases?.get(name))
    return values.every(x => x === undefined) ? '' : secs(median(values.map(x => x ?? 0)))
  }
  const phaseTable: Table = {
    header: ['Phase of the action (median s)', ...phaseColumns.map(v => PHASE_HEADERS[v] ?? v)],
    align: ['l', ...phaseColumns.map(() => 'r' as const)],
    rows: [
      ...ordered.map(name => [name, ...phaseColumns.map(v => phaseCell(v, name))]),
      ['**Total** (process start to exit)', ...phaseColumns.map(v => secs(s[v].seconds))]
    ]
  }

  // CPU seconds per kind of process (medians)
  const cpuMedian = (v: Variant, pick: (c: Cpu) => number | undefined): number | undefined => {
    const values = (samples.get(v) ?? [])
      .map(x => (x.cpu ? pick(x.cpu) : undefined))
      .filter((x): x is number => x !== undefined)
    return values.length > 0 ? median(values) : undefined
  }
  const cell = (x: number | undefined): string => (x === undefined ? '—' : x.toFixed(1))
  const cpuTable: Table = {
    header: [
      'CPU seconds (median)',
      'Wall s',
      'PostgreSQL server',
      'pg_dump / pg_restore / gzip / zstd',
      "action's Node",
      'loopback backend',
      'Cores busy',
      'Other (kernel, others)'
    ],
    align: ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    rows: [...backups, 'pgRestore' as const, 'restoreAction' as const].map(v => {
      const node = cpuMedian(v, c => c.node)
      const tools = cpuMedian(v, c => c.clients - (c.node ?? 0))
      const busy = cpuMedian(v, c => c.server + c.clients + c.bench)
      const isAction = node !== undefined
      return [
        LABELS[v],
        secs(s[v].seconds),
        cell(cpuMedian(v, c => c.server)),
        cell(tools),
        cell(node),
        isAction ? cell(cpuMedian(v, c => c.bench)) : '—',
        busy === undefined ? '—' : (busy / s[v].seconds).toFixed(2),
        cell(cpuMedian(v, c => c.other))
      ]
    })
  }

  const vsRaw = s.zstd.seconds / raw
  const vsFc = s.zstd.seconds / fc
  const restore = s.restoreAction.seconds / s.pgRestore.seconds
  const peakMb =
    Math.max(...[...actionBackups, 'restoreAction' as const].map(v => s[v].peakKb ?? Infinity)) /
    1024
  const mark = (met: boolean): string => (met ? '✅ met' : '❌ not met')
  const targets = [
    `- Backup (zstd, the default) ≤ ${TARGETS.vsRaw.toFixed(2)} × raw dump: ${times(vsRaw)} — ${mark(vsRaw <= TARGETS.vsRaw)}`,
    `  (with \`compression-level: 1\`: ${times(s.zstd1.seconds / raw)}, a file of ${mb(s.zstd1.bytes!)}, ${times(s.zstd1.bytes! / fcBytes)} of \`pg_dump -Fc\`'s)`,
    `- Backup (zstd, the default) ≤ ${TARGETS.vsFc.toFixed(2)} × \`pg_dump -Fc\`: ${times(vsFc)} — ${mark(vsFc <= TARGETS.vsFc)}`,
    `- Backup file no larger than \`pg_dump -Fc\`'s: ${mb(s.zstd.bytes!)} vs ${mb(fcBytes)} (${times(s.zstd.bytes! / fcBytes)}) — ${mark(s.zstd.bytes! <= fcBytes)}`,
    `- Restore ≤ ${TARGETS.restore.toFixed(2)} × \`pg_restore\` from local disk: ${times(restore)} — ${mark(restore <= TARGETS.restore)}`,
    `- Peak RSS of the action ≤ ${TARGETS.rssMb} MB: ${peakMb.toFixed(0)} MB, the largest of its backups and restores — ${mark(peakMb <= TARGETS.rssMb)}`
  ]
  return { machine, tables: [backupTable, restoreTable, phaseTable, cpuTable], targets }
}

// ---------------------------------------------------------------------------------------------
// README

const PERFORMANCE_INTRO = `\`npm run bench\` (not part of \`npm test\`; about 8 minutes on 2 cores) generates a
PostgreSQL 15 database of about 500 MB (\`--size-mb\`; text, jsonb, numeric, timestamps and
incompressible bytea) on a throw-away local server and runs, in each of 3 repetitions
(\`--reps\`) and alternating: \`pg_dump -Fc -Z0 > /dev/null\` (the limit), \`pg_dump -Fc\`,
\`pg_dump -Fp | gzip -6\`, \`pg_dump -Fc -Z0 | zstd -3 -T1\` (for reference), and the action's
backup (\`dist/index.js\` run as the runner runs it, uploading to a loopback fake of GitHub's
artifact service: the upload reads the zip while the dump is written) with zstd at the default
level 3 and at level 1, gzip and none; then the action's restore of the zstd artifact
against \`pg_restore\` of the same archive from local disk, each into a fresh database. Peak RSS
is the action process's VmHWM, its phases come from its \`::group::\` lines as they arrive, CPU
seconds from /proc. \`--keep\` keeps the generated cluster for the next run, \`--no-readme\`
leaves this section alone. Uploads and downloads go over loopback: on a runner they take longer.`

async function writeReadme(section: string): Promise<void> {
  const text = await readFile(README, 'utf8')
  const start = text.indexOf(MARK_START)
  const end = text.indexOf(MARK_END)
  let next: string
  if (start >= 0 && end > start) {
    next = text.slice(0, start) + section + text.slice(end + MARK_END.length)
  } else {
    const develop = text.indexOf('\n## Develop')
    const block = `\n## Performance\n\n${PERFORMANCE_INTRO}\n\n${section}\n`
    next =
      develop >= 0
        ? `${text.slice(0, develop)}${block}${text.slice(develop)}`
        : `${text.trimEnd()}\n${block}`
  }
  await writeFile(README, next)
}

// ---------------------------------------------------------------------------------------------
// main

async function main(): Promise<void> {
  const options = parseOptions()
  const nodeMajor = Number(process.versions.node.split('.')[0])
  if (nodeMajor < 24) {
    throw new Error(
      `this runs on Node ${process.version}, but the action runs on Node 24: use \`npm run bench\`, which puts the \`node\` devDependency (Node 24) first on PATH.`
    )
  }
  for (const tool of [PG_DUMP, PG_RESTORE]) {
    if (!existsSync(tool)) throw new Error(`${tool} is missing: install postgresql-${PG_MAJOR}`)
  }
  say(`PostgreSQL backup action: benchmark (${options.sizeMb} MB, ${options.reps} repetitions)`)
  say(
    `load average at the start: ${os
      .loadavg()
      .map(l => l.toFixed(2))
      .join(' ')}`
  )
  await ensureDist()

  const root = await mkdtemp(path.join(os.tmpdir(), 'pg-backup-bench-'))
  onCleanup(
    'remove the temporary directory',
    () => rm(root, { recursive: true, force: true }),
    () => rmSync(root, { recursive: true, force: true })
  )
  const dist = await snapshotDist(root)
  actionEntry = dist.entry
  const source = gitDescription()
  say(`the action: dist/index.js sha256 ${dist.sha256.slice(0, 12)}…, ${source}`)

  say(`\n[1/3] PostgreSQL ${PG_MAJOR} and the database '${DATABASE}'  (+${clock()})`)
  const server = await startPostgres({ major: PG_MAJOR })
  onCleanup('stop the server', () => server.stop())
  say(`  PostgreSQL ${server.version} on ${server.host}:${server.port}, data in ${server.dataDir}`)
  const kept = options.keepDir ? await readKept(options.keepDir, options.sizeMb) : undefined
  if (kept && options.keepDir) await reuseCluster(server, options.keepDir, kept)
  else {
    await generate(server, options.sizeMb)
    if (options.keepDir) await keepCluster(server, options.keepDir, options.sizeMb)
  }
  const [{ size }] = await server.query<{ size: string }>(
    DATABASE,
    'SELECT pg_database_size(current_database())::text AS size'
  )
  const tables = await server.query<{ name: string; rows: string; bytes: string }>(
    DATABASE,
    `SELECT c.relname AS name, c.reltuples::bigint::text AS rows, pg_total_relation_size(c.oid)::text AS bytes
     FROM pg_class c WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace ORDER BY c.relname`
  )
  const dbBytes = Number(size)
  say(`  '${DATABASE}': ${mb(dbBytes)} on disk`)
  for (const t of tables) {
    say(`    ${t.name.padEnd(12)} ${t.rows.padStart(9)} rows  ${mb(Number(t.bytes))}`)
  }

  say(`\n[2/3] ${options.reps} repetitions, variants alternating  (+${clock()})`)
  say('  warm-up (untimed): pg_dump -Fc -Z0 > /dev/null')
  await rawDump(server)
  const backups = backupVariants(options.sizeMb)
  if (!backups.includes('none'))
    say(
      `  (no uncompressed backup above ${NONE_MAX_MB} MB: the loopback backend holds artifacts in memory)`
    )
  const samples = new Map<Variant, Sample[]>()
  let rawArchiveBytes = 0
  for (let rep = 0; rep < options.reps; rep++) {
    say(`  repetition ${rep + 1}/${options.reps}  (+${clock()})`)
    const dir = path.join(root, `rep${rep + 1}`)
    await mkdir(dir)
    try {
      ;({ rawArchiveBytes } = await repetition({
        server,
        rep,
        dir,
        backups,
        record: (v, sample) => void samples.set(v, [...(samples.get(v) ?? []), sample])
      }))
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }

  say(`\n[3/3] Results  (+${clock()})`)
  const cpu = os.cpus()[0]?.model.replace(/\s+/g, ' ').trim() ?? 'unknown CPU'
  const machine =
    `${os.availableParallelism()} cores (${cpu}), ${(os.totalmem() / 1024 ** 3).toFixed(0)} GB RAM, ` +
    `${os.type()} ${os.release()}, Node ${process.version}, PostgreSQL ${server.version}; ` +
    `database of ${mb(dbBytes)} on disk (${tables.map(t => t.name).join(', ')}), ` +
    `${mb(rawArchiveBytes)} as an uncompressed custom archive; ${options.reps} repetitions, ` +
    `medians, variants alternating; the action at ${source}; ${new Date().toISOString().slice(0, 10)}.`
  const out = results(samples, backups, machine)
  say(`\n${machine}`)
  for (const table of out.tables) say(`\n${plain(table)}`)
  say('\nTargets:')
  for (const t of out.targets) say(t.replace(/`/g, ''))
  say(
    `\nload average at the end: ${os
      .loadavg()
      .map(l => l.toFixed(2))
      .join(' ')}`
  )

  if (options.readme) {
    const section = [
      MARK_START,
      `Measured by \`npm run bench\` on ${machine}`,
      '',
      ...out.tables.flatMap(t => [markdown(t), '']),
      'Targets:',
      '',
      ...out.targets,
      MARK_END
    ].join('\n')
    await writeReadme(section)
    say('\nREADME.md: ## Performance updated.')
  }
  say(`\nDone in ${clock()}.`)
}

let failed = false
try {
  await main()
} catch (error) {
  failed = true
  if (!interrupted) console.error(`\n✗ ${errorText(error)}`)
}
await cleanup()
process.exit(interrupted ? 130 : failed ? 1 : 0)
