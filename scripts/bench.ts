/**
 * `npm run bench`: the action side by side with plain pg_dump / pg_restore, on this machine,
 * loopback only. Not part of `npm test`. It checks the goals of issue 19 (and issue 17's cost of
 * verify) and prints them as a table: each goal, the measured value, met or missed.
 *
 *  1. starts a throw-away PostgreSQL 15 cluster per size (`--size-mb 500`, or `500,4096` for
 *     both sizes; startPostgres from dev/postgres.ts) and generates, server-side in SQL:
 *       - 'bench', a database of about that size: customers, orders, events, documents and
 *         attachments mixing text (words of a small vocabulary, md5 chains), jsonb, numeric,
 *         timestamps, uuids and incompressible bytea (sha256 blocks) — deterministic (setseed);
 *       - 'bench_schema', a schema-heavy database: 250 tables in 10 schemas, each with an
 *         identity, a primary key, a foreign key, a check, two indexes, two comments, a view and
 *         a function, 50 rows each (about 3,000 archive entries, little data).
 *     `--keep` keeps the generated clusters and reuses them next time.
 *  2. runs, in each of `--reps` repetitions and in an order rotated per repetition, the parts
 *     `--only` names (default: backup,restore,verify,schema,jobs):
 *       backup   `pg_dump -Fc -Z0 > /dev/null`, the hand pipeline `pg_dump -Fc -Z0 | zstd -3 -T0
 *                > file` (the reference, 1.00), the same with `-T1`, and the action's backup
 *                (dist/index.js run as the runner runs it, uploading to the loopback artifact
 *                backend of dev/artifact-backend.ts, which runs in a process of its own:
 *                scripts/bench-backend.ts, so its CPU time is counted apart);
 *       restore  `pg_restore --single-transaction` of the same archive from local disk (1.00)
 *                against the action's restore of its artifact (with its peak disk use);
 *       verify   the action's verify of the same artifact, against its restore (issue 17: 1.5×);
 *       schema   the same restore pair on 'bench_schema', and the pair with jobs 2 (`pg_restore
 *                -j 2` against the action with jobs: 2; first size only);
 *       jobs     directory format with jobs 1, 2 and 4: `pg_dump -Fd -j N` + tar + zstd against
 *                the action's backup, `pg_restore -j N` against its restore (first size only);
 *       compression (not by default) `pg_dump -Fc`, `pg_dump -Fp | gzip -6`, and the action
 *                with zstd level 1, gzip and none.
 *     Before each variant it flushes dirty pages, checkpoints, and waits for the machine to be
 *     idle (others may share it; `--no-wait` does not); the action runs from a copy of dist/
 *     taken at the start.
 *  3. prints medians, ratios, sizes, the action's peak RSS (VmHWM) and peak disk, its time per
 *     phase (from the ::group:: lines as they arrive), the CPU seconds of each kind of process
 *     (from /proc), and the goals table; writes the same tables into README.md between
 *     <!-- bench:start --> and <!-- bench:end --> (unless --no-readme).
 *
 * Everything it starts is stopped and its temporary directories removed, on success, failure
 * and Ctrl-C alike; a variant that fails stops the run with its error. Credentials reach every
 * client through the environment, never argv.
 */
import { type ChildProcess, fork, spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  type Dirent,
  closeSync,
  existsSync,
  lstatSync,
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
import type { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import pg from 'pg'
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
const SCHEMA_DATABASE = 'bench_schema'
const ARTIFACT = 'bench-backup'
/** Bump when the generated data changes: a kept cluster of another version is regenerated. */
const GENERATOR_VERSION = 2
const MARK_START = '<!-- bench:start -->'
const MARK_END = '<!-- bench:end -->'
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
const started = performance.now()

// ---------------------------------------------------------------------------------------------
// options

/** `--only` names: what each part of the benchmark measures. */
const SECTIONS = ['backup', 'restore', 'verify', 'schema', 'jobs', 'compression'] as const
type Section = (typeof SECTIONS)[number]
const DEFAULT_SECTIONS: Section[] = ['backup', 'restore', 'verify', 'schema', 'jobs']

const USAGE = `Usage: npm run bench -- [--size-mb N[,N…]] [--reps N] [--only PARTS] [--keep]
                        [--keep-dir DIR] [--no-readme] [--no-wait]

  --size-mb N[,N…]  size of the generated database on disk, in MB (default 500); several sizes
                    run one after the other and are compared (e.g. 500,4096: the ratios and the
                    peak RSS at both sizes); schema and jobs run at the first size only
  --reps N[,N…]     repetitions; every variant runs once per repetition (default 3); one number
                    per size (e.g. --size-mb 500,4096 --reps 3,1: medians of 3 at 500 MB, one
                    run at 4 GB) or one for all
  --only PARTS      comma-separated parts to run (default ${DEFAULT_SECTIONS.join(',')}):
                      backup       raw dump, the hand pipeline (zstd -T0 and -T1), the action
                      restore      pg_restore --single-transaction vs the action's restore
                      verify       the action's verify vs its restore
                      schema       restore of a schema-heavy database (~3,000 archive entries)
                      jobs         directory format with jobs 1, 2, 4 (backup and restore)
                      compression  pg_dump -Fc, pg_dump -Fp | gzip, the action with zstd
                                   level 1, gzip and none
  --keep            keep the generated clusters (in --keep-dir) and reuse them on the next run
  --keep-dir DIR    where --keep keeps them (default ${path.join(os.tmpdir(), 'pg-backup-bench-cluster')})
  --no-readme       do not write the results into README.md
  --no-wait         do not wait for an idle machine before each variant (quicker on a busy
                    machine, for trying changes; the numbers are then not worth publishing)

BENCH_LOG_DIR (environment): each run of the action writes its log there (what it did, phase by phase).
BENCH_NODE_OPTIONS (environment) is added to the action's NODE_OPTIONS, e.g. to profile it:
  BENCH_NODE_OPTIONS='--cpu-prof --cpu-prof-dir=/tmp/prof' npm run bench -- --only backup …

The published numbers: npm run bench -- --size-mb 500,4096 (on an idle machine; about an hour).`

interface Options {
  sizes: number[]
  /** Repetitions at each size (options.sizes[i]). */
  reps: number[]
  only: Set<Section>
  keepDir?: string
  readme: boolean
  wait: boolean
}

/** "3 repetitions", or per size: "3 repetitions at 500 MB, 1 at 4096 MB". */
function repetitions(options: Options): string {
  const [first] = options.reps
  if (options.reps.every(n => n === first)) return `${first} repetitions`
  return options.sizes
    .map((size, i) => `${options.reps[i]}${i === 0 ? ' repetitions' : ''} at ${size} MB`)
    .join(', ')
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      'size-mb': { type: 'string', default: '500' },
      reps: { type: 'string', default: '3' },
      only: { type: 'string', default: DEFAULT_SECTIONS.join(',') },
      keep: { type: 'boolean', default: false },
      'keep-dir': { type: 'string' },
      'no-readme': { type: 'boolean', default: false },
      'no-wait': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false }
    },
    strict: true,
    allowPositionals: false
  })
  if (values.help) {
    console.log(USAGE)
    process.exit(0)
  }
  const sizes = values['size-mb'].split(',').map(x => Number(x.trim()))
  const reps = values.reps.split(',').map(x => Number(x.trim()))
  if (sizes.some(n => !Number.isInteger(n) || n < 20))
    throw new Error(`--size-mb ${values['size-mb']}: whole numbers ≥ 20, separated by commas`)
  if (new Set(sizes).size !== sizes.length)
    throw new Error(`--size-mb ${values['size-mb']}: each size once`)
  if (
    reps.some(n => !Number.isInteger(n) || n < 1) ||
    (reps.length !== 1 && reps.length !== sizes.length)
  )
    throw new Error(
      `--reps ${values.reps}: a whole number ≥ 1, or one per size (${sizes.length}), separated by commas`
    )
  const parts = values.only
    .split(',')
    .map(x => x.trim())
    .filter(Boolean)
  const unknown = parts.filter(x => !(SECTIONS as readonly string[]).includes(x))
  if (unknown.length > 0 || parts.length === 0)
    throw new Error(
      `--only ${values.only}: ${unknown.length > 0 ? `unknown ${unknown.join(', ')}` : 'empty'}; the parts are ${SECTIONS.join(', ')}`
    )
  const keep = values.keep || values['keep-dir'] !== undefined
  return {
    sizes,
    reps: sizes.map((_, i) => reps[reps.length === 1 ? 0 : i]),
    only: new Set(parts as Section[]),
    keepDir: keep
      ? path.resolve(values['keep-dir'] ?? path.join(os.tmpdir(), 'pg-backup-bench-cluster'))
      : undefined,
    readme: !values['no-readme'],
    wait: !values['no-wait']
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

// An error nobody waits for (a database client whose server is being stopped, say): after a
// signal it is part of stopping; otherwise it fails the run, after the same cleanup.
process.on('uncaughtException', error => {
  if (interrupted) return void console.error(`  (while stopping: ${errorText(error)})`)
  console.error(`\n✗ ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
  void cleanup().finally(() => process.exit(1))
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

/** Schemas × tables of the schema-heavy database; each table brings about 12 archive entries. */
const SCHEMA_HEAVY = { schemas: 10, tables: 25, rows: 50 }

/**
 * The schema-heavy database: thousands of objects, little data. Each table has an identity
 * (a sequence), a primary key, a check, a foreign key to the table before it, a unique and a
 * plain index, comments on the table and a column, a view and a SQL function over it.
 */
async function generateSchemaHeavy(server: TestServer): Promise<void> {
  const t0 = performance.now()
  await server.createDatabase(SCHEMA_DATABASE)
  await server.query(
    SCHEMA_DATABASE,
    `DO $do$
DECLARE
  s int;
  t int;
  sch text;
  tbl text;
BEGIN
  FOR s IN 1..${SCHEMA_HEAVY.schemas} LOOP
    sch := 'app' || s;
    EXECUTE format('CREATE SCHEMA %I', sch);
    FOR t IN 1..${SCHEMA_HEAVY.tables} LOOP
      tbl := format('%I.%I', sch, 't' || t);
      EXECUTE format('CREATE TABLE %s (
        id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        parent_id bigint,
        code text NOT NULL CHECK (length(code) <= 40),
        amount numeric(12, 2) NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT ''2026-01-01 00:00:00+00'',
        note text)', tbl);
      IF t > 1 THEN
        EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I FOREIGN KEY (parent_id) REFERENCES %I.%I (id)',
          tbl, 't' || t || '_parent_fk', sch, 't' || (t - 1));
      END IF;
      EXECUTE format('CREATE UNIQUE INDEX %I ON %s (code)', 't' || t || '_code_key', tbl);
      EXECUTE format('CREATE INDEX %I ON %s (created_at, amount)', 't' || t || '_created_idx', tbl);
      EXECUTE format('COMMENT ON TABLE %s IS %L', tbl, 'table ' || t || ' of schema ' || sch);
      EXECUTE format('COMMENT ON COLUMN %s.code IS %L', tbl, 'the code of a row of ' || tbl);
      EXECUTE format('CREATE VIEW %I.%I AS SELECT id, code, amount FROM %s WHERE amount > 0',
        sch, 'v' || t, tbl);
      EXECUTE format('CREATE FUNCTION %I.%I(p bigint) RETURNS numeric LANGUAGE sql STABLE AS %L',
        sch, 'total_' || t, format('SELECT coalesce(sum(amount), 0) FROM %s WHERE parent_id = p', tbl));
      EXECUTE format('INSERT INTO %s (parent_id, code, amount, note)
        SELECT NULL, ''c'' || g, g * 1.5, repeat(''note '', 1 + g %% 7)
        FROM generate_series(1, ${SCHEMA_HEAVY.rows}) AS g', tbl);
    END LOOP;
  END LOOP;
END
$do$`
  )
  await server.query(SCHEMA_DATABASE, 'VACUUM (FREEZE, ANALYZE)')
  say(`  '${SCHEMA_DATABASE}' generated in ${((performance.now() - t0) / 1000).toFixed(0)} s`)
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

/** Our own CPU and that of our reaped descendants. */
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
let waitForIdle = true

async function quiet(): Promise<void> {
  if (!waitForIdle) return
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
  /** the loopback artifact backend's own process */
  backend: number
  /** this process (the benchmark itself) */
  bench: number
  /** the rest of the machine's busy time meanwhile: kernel threads, other people's processes */
  other: number
}

// ---------------------------------------------------------------------------------------------
// the variants

interface Sample {
  seconds: number
  bytes?: number
  /** the action's peak RSS (VmHWM, KB), and the peaks of its heap and Buffers (KB) */
  peakKb?: number
  heapKb?: number
  externalKb?: number
  /** the action's restore: the peak of the files it kept under RUNNER_TEMP and the workspace */
  diskBytes?: number
  /** the action: seconds per phase */
  phases?: Map<string, number>
  cpu?: Cpu
}

const JOBS = [1, 2, 4] as const
type Jobs = (typeof JOBS)[number]

type BackupVariant =
  'raw' | 'zstdCli' | 'zstdCli1' | 'zstd' | 'fc' | 'plainGzip' | 'zstd1' | 'gzip' | 'none'
type RestoreVariant = 'pgRestore' | 'pgRestoreZstd' | 'restoreAction' | 'verifyAction'
type SchemaVariant =
  'schemaBackup' | 'schemaPgRestore' | 'schemaRestore' | 'schemaPgRestore2' | 'schemaRestore2'
type JobsVariant =
  `jobsDump${Jobs}` | `jobsBackup${Jobs}` | `jobsPgRestore${Jobs}` | `jobsRestore${Jobs}`
type Variant = BackupVariant | RestoreVariant | SchemaVariant | JobsVariant

const LABELS: Record<BackupVariant | RestoreVariant | SchemaVariant, string> = {
  raw: '`pg_dump -Fc -Z0 > /dev/null` (what the server can produce)',
  zstdCli: '`pg_dump -Fc -Z0 | zstd -3 -T0 > file` (the hand pipeline: the reference)',
  zstdCli1: '`pg_dump -Fc -Z0 | zstd -3 -T1 > file` (one zstd thread)',
  zstd: '**action backup** (dump, zstd, checks, sha256, zip, upload)',
  fc: '`pg_dump -Fc` to a file (gzip in pg_dump)',
  plainGzip: '`pg_dump -Fp | gzip -6` to a file',
  zstd1: 'action backup, zstd, compression-level 1',
  gzip: 'action backup, gzip',
  none: 'action backup, none',
  pgRestore: '`pg_restore --single-transaction` of the same archive from local disk (reference)',
  pgRestoreZstd:
    '`zstd -dc file.zst | pg_restore --single-transaction` (by hand from the compressed archive)',
  restoreAction: '**action restore** of its artifact (fetch, digests, load, row counts)',
  verifyAction: 'action verify (restore into a scratch database, dump it, compare)',
  schemaBackup: 'schema-heavy: action backup',
  schemaPgRestore: 'schema-heavy: `pg_restore --single-transaction` from local disk (reference)',
  schemaRestore: 'schema-heavy: **action restore** of its artifact',
  schemaPgRestore2: 'schema-heavy: `pg_restore -j 2` from local disk',
  schemaRestore2: 'schema-heavy: action restore with jobs: 2 (single-transaction: false)'
}
const label = (v: Variant): string => (v in LABELS ? LABELS[v as keyof typeof LABELS] : v)

const ACTION_BACKUPS: BackupVariant[] = ['zstd', 'zstd1', 'gzip', 'none']
const HAND_BACKUPS: BackupVariant[] = ['raw', 'zstdCli', 'zstdCli1', 'fc', 'plainGzip']

/** Above this size the uncompressed backup ('none') is left out: the loopback backend keeps every
 * artifact in one Buffer, and cannot finalize one of ~4 GB. */
const NONE_MAX_MB = 2048

function backupVariants(sizeMb: number, only: Set<Section>): BackupVariant[] {
  const list: BackupVariant[] = []
  if (only.has('backup')) list.push('raw', 'zstdCli', 'zstdCli1', 'zstd')
  if (only.has('compression')) {
    list.push('fc', 'plainGzip', 'zstd1', 'gzip')
    if (sizeMb <= NONE_MAX_MB) list.push('none')
  }
  return list
}

const PHASE_HEADERS: Partial<Record<Variant, string>> = {
  zstd: 'backup',
  zstd1: 'backup zstd 1',
  gzip: 'backup gzip',
  none: 'backup none',
  restoreAction: 'restore',
  verifyAction: 'verify',
  schemaRestore: 'restore, schema-heavy',
  schemaRestore2: 'restore, schema-heavy, jobs 2'
}

/** Runs `fn` and adds what it cost in CPU, per kind of process. */
async function measured(
  server: TestServer,
  backend: Backend | undefined,
  fn: () => Promise<Sample>
): Promise<Sample> {
  await settle(server)
  await quiet()
  const m0 = machineBusy()
  const b0 = benchCpu()
  const s0 = serverCpu(server)
  const l0 = backend?.cpu() ?? 0
  const sample = await fn()
  // the backends of the variant exit just after their clients: count them once reaped
  let s1 = serverCpu(server)
  for (let i = 0; i < 30 && [...s1.children].some(pid => !s0.children.has(pid)); i++) {
    await sleep(100)
    s1 = serverCpu(server)
  }
  const m1 = machineBusy()
  const b1 = benchCpu()
  const loopback = backend ? backend.cpu() - l0 : 0
  const server1 = s1.cpu - s0.cpu
  const clients = b1.children - b0.children
  const bench = b1.own - b0.own
  sample.cpu = {
    server: server1,
    clients,
    node: sample.cpu?.node,
    backend: loopback,
    bench,
    other: Math.max(0, m1 - m0 - server1 - clients - bench - loopback)
  }
  return sample
}

async function rawDump(server: TestServer, database = DATABASE): Promise<Sample> {
  const devNull = openSync('/dev/null', 'w')
  try {
    const args = ['--no-password', '--format=custom', '--compress=0']
    const ran = ok(
      'pg_dump -Fc -Z0',
      await run(PG_DUMP, args, { env: server.env(database), stdout: devNull }).done
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

/** `producer | compressor > file` through an OS pipe, as a shell runs it. */
async function piped(
  producer: [string, string[], NodeJS.ProcessEnv?],
  compressor: [string, string[]],
  file: string
): Promise<{ seconds: number; bytes: number }> {
  const out = openSync(file, 'w', 0o600)
  const t0 = performance.now()
  try {
    const first = run(producer[0], producer[1], { env: producer[2], stdout: 'pipe' })
    // the child gets the pipe itself: the bytes never pass through this process
    const second = run(compressor[0], compressor[1], { stdin: first.child.stdout!, stdout: out })
    first.child.stdout!.destroy()
    const [a, b] = await Promise.all([first.done, second.done])
    ok(`${path.basename(producer[0])} ${producer[1].join(' ')}`, a)
    ok(compressor.flat().join(' '), b)
  } finally {
    closeSync(out)
  }
  const seconds = (performance.now() - t0) / 1000
  const { size } = await stat(file)
  return { seconds, bytes: size }
}

async function pipedDump(
  server: TestServer,
  dumpArgs: string[],
  compressor: [string, string[]],
  file: string
): Promise<Sample> {
  const result = await piped(
    [PG_DUMP, ['--no-password', ...dumpArgs], server.env(DATABASE)],
    compressor,
    file
  )
  await rm(file, { force: true })
  return result
}

/** By hand, directory format: `pg_dump -Fd -Z0 -j N`, then `tar -c | zstd -3 -T0 > file`. */
async function directoryDump(server: TestServer, dir: string, jobs: Jobs): Promise<Sample> {
  const out = path.join(dir, `hand-j${jobs}.dir`)
  const file = path.join(dir, `hand-j${jobs}.tar.zst`)
  const t0 = performance.now()
  try {
    const args = ['--no-password', '--format=directory', '--compress=0', `--file=${out}`]
    if (jobs > 1) args.push(`--jobs=${jobs}`)
    ok(`pg_dump -Fd -j ${jobs}`, await run(PG_DUMP, args, { env: server.env(DATABASE) }).done)
    const { bytes } = await piped(
      ['tar', ['-cf', '-', '-C', out, '.']],
      ['zstd', ['-3', '-T0', '-q', '-c']],
      file
    )
    return { seconds: (performance.now() - t0) / 1000, bytes }
  } finally {
    await rm(out, { recursive: true, force: true })
    await rm(file, { force: true })
  }
}

/** The options the action's restore uses; with jobs (directory format) no single transaction. */
function pgRestoreArgs(database: string, jobs?: Jobs): string[] {
  return [
    '--no-password',
    '--exit-on-error',
    ...(jobs === undefined ? ['--single-transaction'] : jobs > 1 ? [`--jobs=${jobs}`] : []),
    '--no-owner',
    '--no-privileges',
    `--dbname=${database}`
  ]
}

async function pgRestore(
  server: TestServer,
  archive: string,
  database: string,
  jobs?: Jobs
): Promise<Sample> {
  const args = [...pgRestoreArgs(database, jobs), archive]
  const ran = ok('pg_restore', await run(PG_RESTORE, args, { env: server.env(database) }).done)
  return { seconds: ran.seconds }
}

/**
 * By hand from the compressed archive, as the action's restore reads it (its peak disk stays the
 * compressed size): `zstd -dc file.zst | pg_restore --single-transaction`. What decompressing on
 * the way costs pg_restore by itself, apart from what the action adds.
 */
async function pgRestoreZstd(
  server: TestServer,
  compressed: string,
  database: string
): Promise<Sample> {
  const t0 = performance.now()
  const zstd = run('zstd', ['-q', '-d', '-c', compressed], { stdout: 'pipe' })
  const restore = run(PG_RESTORE, pgRestoreArgs(database), {
    env: server.env(database),
    stdin: zstd.child.stdout!
  })
  // pg_restore holds the pipe's reading end now: this process's copy would keep zstd's close
  zstd.child.stdout!.destroy()
  const [decoded, restored] = await Promise.all([zstd.done, restore.done])
  ok('pg_restore', restored)
  ok('zstd -d', decoded)
  return { seconds: (performance.now() - t0) / 1000 }
}

// ---------------------------------------------------------------------------------------------
// the loopback artifact backend, in its own process (scripts/bench-backend.ts)

interface Backend {
  pid: number
  env(): Record<string, string>
  /** CPU seconds the backend's process has used so far */
  cpu(): number
  /** the newest artifact `name`'s dump, decompressed into `file` */
  extract(
    name: string,
    file: string
  ): Promise<{ zipBytes: number; rawSizeBytes: number; entry: string }>
  close(): Promise<void>
}

async function startBackend(): Promise<Backend> {
  const child = fork(path.join(ROOT, 'scripts', 'bench-backend.ts'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc']
  })
  children.add(child)
  const pending = new Map<number, { resolve: (m: Reply) => void; reject: (e: Error) => void }>()
  interface Reply {
    id?: number
    type?: string
    ok?: boolean
    error?: string
    env?: Record<string, string>
    [key: string]: unknown
  }
  let nextId = 1
  let exited = false
  const gone = (why: string): void => {
    exited = true
    children.delete(child)
    for (const p of pending.values()) p.reject(new Error(`the loopback backend ${why}`))
    pending.clear()
  }
  child.on('exit', (code, signal) => gone(`exited (${signal ?? `code ${code}`})`))
  const ready = await new Promise<Reply>((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', () => reject(new Error('the loopback backend exited before it was ready')))
    child.once('message', (m: Reply) => (m.type === 'ready' ? resolve(m) : reject(new Error('?'))))
  })
  child.on('message', (m: Reply) => {
    const p = m.id !== undefined ? pending.get(m.id) : undefined
    if (!p) return
    pending.delete(m.id!)
    if (m.ok) p.resolve(m)
    else p.reject(new Error(`the loopback backend: ${m.error}`))
  })
  const request = (message: Record<string, unknown>): Promise<Reply> =>
    new Promise((resolve, reject) => {
      if (exited) return reject(new Error('the loopback backend is gone'))
      const id = nextId++
      pending.set(id, { resolve, reject })
      child.send({ id, ...message })
    })
  const pid = child.pid!
  return {
    pid,
    env: () => ({ ...ready.env }),
    cpu: () => ticks(procStat(pid), 11, 12),
    extract: async (name, file) => {
      const r = await request({ op: 'extract', name, file })
      return {
        zipBytes: Number(r.zipBytes),
        rawSizeBytes: Number(r.rawSizeBytes),
        entry: String(r.entry)
      }
    },
    close: async () => {
      if (exited) return
      const closed = new Promise<void>(resolve => child.once('exit', () => resolve()))
      await request({ op: 'close' }).catch(() => undefined)
      await Promise.race([closed, sleep(10_000)])
      if (!exited) child.kill('SIGKILL')
    }
  }
}

// ---------------------------------------------------------------------------------------------
// the action, as the runner runs it

const STATS_MARK = 'BENCH_STATS '
/**
 * Preloaded into the action's Node (NODE_OPTIONS=--import data:…): as it exits, it prints its
 * peak RSS and CPU time to stderr, and the peaks of its V8 heap and of the memory outside it
 * (Buffers), sampled every 50 ms — where the peak RSS comes from. The peak is VmHWM, not
 * resourceUsage().maxRSS: Linux carries ru_maxrss over an execve, so a child of a big parent
 * would report the parent's peak.
 */
const STATS_HOOK = String.raw`const fs = process.getBuiltinModule('node:fs')
let heap = 0, external = 0
const sample = () => {
  const m = process.memoryUsage()
  heap = Math.max(heap, m.heapTotal)
  external = Math.max(external, m.external)
}
setInterval(sample, 50).unref()
process.on('exit', () => {
  sample()
  let hwm = 0
  try { hwm = Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]) } catch {}
  const u = process.resourceUsage()
  process.stderr.write('\n${STATS_MARK}' + JSON.stringify({ hwm, heap: heap >> 10, external: external >> 10, cpu: (u.userCPUTime + u.systemCPUTime) / 1e6 }) + '\n')
})`

interface ActionRun {
  code: number | null
  seconds: number
  outputs: Record<string, string>
  peakKb?: number
  /** the peaks of its V8 heap and of the memory outside the heap (Buffers), KB */
  heapKb?: number
  externalKb?: number
  /** the peak of the files under RUNNER_TEMP and the workspace (with watchDisk) */
  diskBytes?: number
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
    return 'Fetch the backup (download, loopback; its digests checked on the way)'
  return title
}

/** Bytes of the files below `dir` (0 when it is gone). */
function treeBytes(dir: string): number {
  let total = 0
  let entries: Dirent[]
  try {
    entries = readdirSync(dir, { withFileTypes: true })
  } catch {
    return 0
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name)
    try {
      if (entry.isDirectory()) total += treeBytes(full)
      else total += lstatSync(full).size
    } catch {
      // removed meanwhile
    }
  }
  return total
}

async function runAction(
  backend: Backend,
  inputs: Record<string, string>,
  dir: string,
  options: { watchDisk?: boolean } = {}
): Promise<ActionRun> {
  const { env, workspace, runnerTemp, outputFile } = runnerStep(dir, backend.env(), inputs, {
    workflow: 'bench',
    extraEnv: {
      NODE_OPTIONS: `--import=data:text/javascript,${encodeURIComponent(STATS_HOOK)}${process.env.BENCH_NODE_OPTIONS ? ` ${process.env.BENCH_NODE_OPTIONS}` : ''}`
    }
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
      log.push(`## ${at().toFixed(2)} ${unescapeCommandData(data)}`)
    } else if (name === 'endgroup') close()
    else if (name === 'debug' && process.env.BENCH_LOG_DIR)
      log.push(`${at().toFixed(2)} debug: ${unescapeCommandData(data)}`)
    else if (name === 'error' || name === 'warning')
      log.push(`${name}: ${unescapeCommandData(data)}`)
  })
  // the action's own files (the downloaded backup, anything it unpacks), sampled every 50 ms
  let diskBytes: number | undefined
  const sampleDisk = (): void => {
    diskBytes = Math.max(diskBytes ?? 0, treeBytes(runnerTemp) + treeBytes(workspace))
  }
  const watcher = options.watchDisk ? setInterval(sampleDisk, 50) : undefined
  let ran: Ran
  try {
    ran = await done
  } finally {
    if (watcher) clearInterval(watcher)
  }
  close()
  if (firstGroup !== undefined) phases.set(STARTUP, firstGroup)
  phases.set(OUTSIDE, Math.max(0, ran.seconds - grouped - (firstGroup ?? 0)))
  const marked = new RegExp(`\\n?${STATS_MARK}(\\{.*\\})\\n?`)
  const stats = marked.exec(ran.stderr)
  const parsed = stats
    ? (JSON.parse(stats[1]) as { hwm: number; heap: number; external: number; cpu: number })
    : undefined
  const stderr = ran.stderr.replace(marked, '').trim()
  if (stderr) log.push(...stderr.split('\n').map(l => `stderr: ${l}`))
  // BENCH_LOG_DIR: each run's log (its groups, messages and stderr) kept, to see what it did
  if (process.env.BENCH_LOG_DIR) {
    const name = `${inputs.mode ?? 'action'}-${new Date().toISOString().replace(/[:.]/g, '-')}.log`
    await writeFile(path.join(process.env.BENCH_LOG_DIR, name), log.join('\n') + '\n')
  }
  return {
    code: ran.code,
    seconds: ran.seconds,
    outputs: parseOutputs(await readFile(outputFile, 'utf8')),
    peakKb: parsed?.hwm || undefined,
    heapKb: parsed?.heap,
    externalKb: parsed?.external,
    diskBytes,
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

/** Files besides the backup a restore writes (a passfile, pg_restore -L lists): up to 1 MiB. */
const SMALL_FILES_BYTES = 1024 * 1024
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`
const secs = (s: number): string => s.toFixed(2)

function progress(variant: Variant, sample: Sample): void {
  const parts = [`    ${variant.padEnd(16)} ${secs(sample.seconds).padStart(7)} s`]
  if (sample.bytes !== undefined) parts.push(mb(sample.bytes))
  if (sample.peakKb) parts.push(`peak RSS ${(sample.peakKb / 1024).toFixed(0)} MB`)
  if (sample.diskBytes !== undefined) parts.push(`peak disk ${mb(sample.diskBytes)}`)
  if (sample.cpu) {
    const c = sample.cpu
    parts.push(
      `CPU s: server ${c.server.toFixed(1)}, clients ${c.clients.toFixed(1)}${c.node !== undefined ? ` (action's Node ${c.node.toFixed(1)})` : ''}, backend ${c.backend.toFixed(1)}, bench ${c.bench.toFixed(1)}, other ${c.other.toFixed(1)}`
    )
  }
  say(parts.join('  '))
}

interface Repetition {
  server: TestServer
  rep: number
  dir: string
  only: Set<Section>
  sizeMb: number
  record(variant: Variant, sample: Sample): void
  /** what the restore rows restored: the artifact's size and its uncompressed archive's */
  archive(info: { zipBytes: number; rawSizeBytes: number }): void
}

/** The action's run as a sample: time, size, peak RSS and disk, phases, its own CPU. */
function actionSample(result: ActionRun, bytes?: number): Sample {
  return {
    seconds: result.seconds,
    bytes,
    peakKb: result.peakKb,
    heapKb: result.heapKb,
    externalKb: result.externalKb,
    diskBytes: result.diskBytes,
    phases: result.phases,
    cpu: { server: 0, clients: 0, backend: 0, bench: 0, other: 0, node: result.nodeCpu }
  }
}

/** The action's backup of `database` into `backend` as artifact `name`. */
async function actionBackup(
  server: TestServer,
  backend: Backend,
  workDir: string,
  inputs: Record<string, string>,
  database = DATABASE,
  name = ARTIFACT
): Promise<Sample> {
  try {
    const result = actionOk(
      `the action (backup of ${database}, ${JSON.stringify(inputs)})`,
      await runAction(
        backend,
        {
          'database-url': server.url(database),
          'artifact-name': name,
          'install-client': 'false',
          ...inputs
        },
        workDir
      )
    )
    return actionSample(result, Number(result.outputs['size-bytes']))
  } finally {
    await rm(workDir, { recursive: true, force: true })
  }
}

/** The action's restore (or verify) of artifact `name` into `database`. */
async function actionRestore(
  server: TestServer,
  backend: Backend,
  workDir: string,
  database: string,
  options: { verify?: boolean; jobs?: Jobs; name?: string } = {}
): Promise<Sample> {
  const what = options.verify ? 'verify' : 'restore'
  try {
    const result = actionOk(
      `the action (${what} into ${database})`,
      await runAction(
        backend,
        {
          mode: what,
          [options.verify ? 'verify-database-url' : 'database-url']: server.url(database),
          'artifact-name': options.name ?? ARTIFACT,
          'run-id': 'current',
          'install-client': 'false',
          ...(options.jobs !== undefined
            ? { jobs: String(options.jobs), 'single-transaction': 'false' }
            : {})
        },
        workDir,
        { watchDisk: true }
      )
    )
    return actionSample(result)
  } finally {
    await rm(workDir, { recursive: true, force: true })
  }
}

/** A fresh, empty database for one restore; dropped when the repetition ends. */
async function freshDatabase(server: TestServer, name: string, list: string[]): Promise<string> {
  await server.dropDatabase(name).catch(() => undefined)
  await server.createDatabase(name)
  list.push(name)
  return name
}

const rotate = <T>(list: T[], by: number): T[] => {
  const shift = list.length > 0 ? by % list.length : 0
  return [...list.slice(shift), ...list.slice(0, shift)]
}

/**
 * Backups in an order rotated per repetition (the action's zstd backup goes into a backend of
 * its own, kept for the restores), then the restores of that artifact, alternating.
 */
async function mainRepetition(r: Repetition): Promise<void> {
  const { server, rep, dir, only } = r
  const needArtifact = only.has('restore') || only.has('verify')
  const backups = backupVariants(r.sizeMb, only)
  if (needArtifact && !backups.includes('zstd')) backups.push('zstd')
  const timedZstd = only.has('backup')
  let zstdBackend: Backend | undefined
  const databases: string[] = []
  try {
    for (const variant of rotate(backups, rep)) {
      if (interrupted) throw new Error('interrupted')
      const backend = ACTION_BACKUPS.includes(variant) ? await startBackend() : undefined
      try {
        const sample = await measured(server, backend, async () => {
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
            case 'zstdCli1':
              return pipedDump(
                server,
                ['--format=custom', '--compress=0'],
                ['zstd', ['-3', variant === 'zstdCli' ? '-T0' : '-T1', '-q', '-c']],
                path.join(dir, 'cli.dump.zst')
              )
            default:
              return actionBackup(server, backend!, path.join(dir, `backup-${variant}`), {
                compression: variant === 'zstd1' ? 'zstd' : variant,
                ...(variant === 'zstd1' ? { 'compression-level': '1' } : {})
              })
          }
        })
        if (variant !== 'zstd' || timedZstd) {
          r.record(variant, sample)
          progress(variant, sample)
        } else say(`    (the action's backup for the restores: ${secs(sample.seconds)} s, untimed)`)
        if (variant === 'zstd' && needArtifact) zstdBackend = backend
      } finally {
        if (backend && backend !== zstdBackend) await backend.close()
      }
    }
    if (!needArtifact) return

    // the same archive for pg_restore, decompressed beforehand (untimed)
    const dumpFile = path.join(dir, 'archive.dump')
    r.archive(await zstdBackend!.extract(ARTIFACT, dumpFile))
    // and compressed again as the artifact holds it, for the pipeline by hand (untimed)
    const compressedFile = `${dumpFile}.zst`
    ok('zstd', await run('zstd', ['-3', '-T0', '-q', '-f', dumpFile, '-o', compressedFile]).done)
    const restores: RestoreVariant[] = [
      'pgRestore',
      'pgRestoreZstd',
      'restoreAction',
      ...(only.has('verify') ? ['verifyAction' as const] : [])
    ]
    for (const variant of rep % 2 === 0 ? restores : [...restores].reverse()) {
      if (interrupted) throw new Error('interrupted')
      const database = await freshDatabase(server, `${variant.toLowerCase()}_${rep + 1}`, databases)
      const sample = await measured(server, zstdBackend, () =>
        variant === 'pgRestore'
          ? pgRestore(server, dumpFile, database)
          : variant === 'pgRestoreZstd'
            ? pgRestoreZstd(server, compressedFile, database)
            : actionRestore(server, zstdBackend!, path.join(dir, 'restore'), database, {
                verify: variant === 'verifyAction'
              })
      )
      r.record(variant, sample)
      progress(variant, sample)
      // untimed: the next restore starts from the same disk use
      await server.dropDatabase(database)
    }
    await rm(dumpFile, { force: true })
    await rm(compressedFile, { force: true })
  } finally {
    await zstdBackend?.close()
    for (const database of databases) await server.dropDatabase(database).catch(() => undefined)
  }
}

/** The schema-heavy database: the action's backup, then pg_restore and the action's restore. */
async function schemaRepetition(r: Repetition): Promise<void> {
  const { server, rep, dir } = r
  const backend = await startBackend()
  const databases: string[] = []
  try {
    const backup = await measured(server, backend, () =>
      actionBackup(server, backend, path.join(dir, 'schema-backup'), {}, SCHEMA_DATABASE)
    )
    r.record('schemaBackup', backup)
    progress('schemaBackup', backup)
    const dumpFile = path.join(dir, 'schema.dump')
    await backend.extract(ARTIFACT, dumpFile)
    // jobs 2: each small table's data and indexes its own unit of work (a per-object cost)
    const variants: SchemaVariant[] = [
      'schemaPgRestore',
      'schemaRestore',
      'schemaPgRestore2',
      'schemaRestore2'
    ]
    for (const variant of rep % 2 === 0 ? variants : [...variants].reverse()) {
      if (interrupted) throw new Error('interrupted')
      const database = await freshDatabase(server, `${variant.toLowerCase()}_${rep + 1}`, databases)
      const jobs = variant.endsWith('2') ? 2 : undefined
      const sample = await measured(server, backend, () =>
        variant.startsWith('schemaPgRestore')
          ? pgRestore(server, dumpFile, database, jobs)
          : actionRestore(server, backend, path.join(dir, 'schema-restore'), database, { jobs })
      )
      r.record(variant, sample)
      progress(variant, sample)
      // untimed: the next restore starts from the same disk use
      await server.dropDatabase(database)
    }
    await rm(dumpFile, { force: true })
  } finally {
    await backend.close()
    for (const database of databases) await server.dropDatabase(database).catch(() => undefined)
  }
}

/**
 * Directory format with 1, 2 and 4 jobs: by hand (`pg_dump -Fd -j N`, tar, zstd) against the
 * action's backup (format directory, jobs N); then `pg_restore -j N` of the action's archive,
 * unpacked on local disk, against the action's restore (jobs N, single-transaction false).
 */
async function jobsRepetition(r: Repetition): Promise<void> {
  const { server, rep, dir } = r
  const restoreBackend = await startBackend()
  const databases: string[] = []
  try {
    for (const jobs of rotate([...JOBS], rep)) {
      const pair: JobsVariant[] = [`jobsDump${jobs}`, `jobsBackup${jobs}`]
      for (const variant of rep % 2 === 0 ? pair : [...pair].reverse()) {
        if (interrupted) throw new Error('interrupted')
        // the first action backup (jobs 1 in the first repetition) is the one the restores read
        const keep = variant.startsWith('jobsBackup') && jobs === JOBS[0]
        const backend = variant.startsWith('jobsBackup')
          ? keep
            ? restoreBackend
            : await startBackend()
          : undefined
        try {
          const sample = await measured(server, backend, () =>
            variant.startsWith('jobsDump')
              ? directoryDump(server, dir, jobs)
              : actionBackup(server, backend!, path.join(dir, `backup-j${jobs}`), {
                  format: 'directory',
                  jobs: String(jobs)
                })
          )
          r.record(variant, sample)
          progress(variant, sample)
        } finally {
          if (backend && !keep) await backend.close()
        }
      }
    }
    // the directory archive, unpacked for pg_restore (untimed)
    const tarFile = path.join(dir, 'directory.tar')
    const unpacked = path.join(dir, 'directory.dir')
    await restoreBackend.extract(ARTIFACT, tarFile)
    await mkdir(unpacked)
    ok('tar -xf', await run('tar', ['-xf', tarFile, '-C', unpacked]).done)
    await rm(tarFile, { force: true })
    for (const jobs of rotate([...JOBS], rep)) {
      const pair: JobsVariant[] = [`jobsPgRestore${jobs}`, `jobsRestore${jobs}`]
      for (const variant of rep % 2 === 0 ? pair : [...pair].reverse()) {
        if (interrupted) throw new Error('interrupted')
        const database = await freshDatabase(
          server,
          `${variant.toLowerCase()}_${rep + 1}`,
          databases
        )
        const sample = await measured(server, restoreBackend, () =>
          variant.startsWith('jobsPgRestore')
            ? pgRestore(server, unpacked, database, jobs)
            : actionRestore(server, restoreBackend, path.join(dir, 'restore-jobs'), database, {
                jobs
              })
        )
        r.record(variant, sample)
        progress(variant, sample)
        // untimed: the next restore starts from the same disk use
        await server.dropDatabase(database)
      }
    }
    await rm(unpacked, { recursive: true, force: true })
  } finally {
    await restoreBackend.close()
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
  heapKb?: number
  externalKb?: number
  diskBytes?: number
}

function summarise(samples: Sample[]): Summary {
  const seconds = samples.map(s => s.seconds)
  const bytes = samples.map(s => s.bytes).filter((b): b is number => b !== undefined)
  const peaks = samples.map(s => s.peakKb).filter((r): r is number => r !== undefined)
  const disks = samples.map(s => s.diskBytes).filter((d): d is number => d !== undefined)
  const most = (pick: (s: Sample) => number | undefined): number | undefined => {
    const values = samples.map(pick).filter((x): x is number => x !== undefined)
    return values.length > 0 ? Math.max(...values) : undefined
  }
  return {
    seconds: median(seconds),
    min: Math.min(...seconds),
    max: Math.max(...seconds),
    bytes: bytes.length > 0 ? median(bytes) : undefined,
    peakKb: peaks.length > 0 ? Math.max(...peaks) : undefined,
    diskBytes: disks.length > 0 ? Math.max(...disks) : undefined,
    heapKb: most(x => x.heapKb),
    externalKb: most(x => x.externalKb)
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

interface SizeRun {
  sizeMb: number
  dbBytes: number
  /** the zstd artifact the restores read, and its uncompressed custom archive */
  zipBytes?: number
  rawArchiveBytes?: number
  samples: Map<Variant, Sample[]>
}

interface SchemaInfo {
  tables: number
  entries: number
  dbBytes: number
}

interface Results {
  tables: { title: string; table: Table }[]
  goals: Table
}

const TARGETS = { backup: 1.1, restore: 1.1, schema: 1.1, verify: 1.5, rssMb: 128, rssGrowth: 1.1 }

function results(runs: SizeRun[], schema: SchemaInfo | undefined, only: Set<Section>): Results {
  const tables: { title: string; table: Table }[] = []
  const goals: string[][] = []
  const mark = (met: boolean): string => (met ? '✅ met' : '❌ missed')
  /** A goal's row; a missed one says where, as measured, the time or memory went. */
  const goal = (what: string, measured: string, met: boolean | undefined, why = ''): void =>
    void goals.push([
      what,
      measured,
      met === undefined ? 'reported' : mark(met),
      met === false ? why : ''
    ])
  /** The action's largest phases (medians) and its Node's CPU seconds. */
  const whereTime = (run: SizeRun, v: Variant, reference?: string): string => {
    const list = run.samples.get(v) ?? []
    const names = [...new Set(list.flatMap(x => [...(x.phases?.keys() ?? [])]))]
    const phases = names
      .map(n => [n, median(list.map(x => x.phases?.get(n) ?? 0))] as const)
      .filter(([, t]) => t >= 0.05)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
    const node = list.map(x => x.cpu?.node).filter((x): x is number => x !== undefined)
    return [
      phases.length > 0 ? phases.map(([n, t]) => `${n}: ${secs(t)} s`).join('; ') : '',
      reference ?? '',
      node.length > 0 ? `the action's Node used ${median(node).toFixed(1)} CPU s` : ''
    ]
      .filter(Boolean)
      .join('; ')
  }
  /**
   * The machine's CPU budget: how busy the reference kept the cores, and the CPU seconds the
   * action's run used beyond it, by whom. With every core busy, extra CPU seconds are wall
   * seconds (divided by the cores): the least the action can take on this machine.
   */
  const cpuBudget = (run: SizeRun, v: Variant, reference: Variant): string => {
    const medianOf = (w: Variant, pick: (c: Cpu) => number | undefined): number | undefined => {
      const values = (run.samples.get(w) ?? [])
        .map(x => (x.cpu ? pick(x.cpu) : undefined))
        .filter((n): n is number => n !== undefined)
      return values.length > 0 ? median(values) : undefined
    }
    const total = (c: Cpu): number => c.server + c.clients + c.backend
    const ref = medianOf(reference, total)
    const act = medianOf(v, total)
    const refWall = median((run.samples.get(reference) ?? []).map(x => x.seconds))
    if (ref === undefined || act === undefined || !refWall) return ''
    const cores = os.cpus().length
    const part = (name: string, pick: (c: Cpu) => number | undefined): string => {
      const a = medianOf(v, pick) ?? 0
      const r = medianOf(reference, pick) ?? 0
      return Math.abs(a - r) >= 0.05 ? `${name} ${a - r >= 0 ? '+' : ''}${(a - r).toFixed(1)}` : ''
    }
    const extra = act - ref
    // however the work overlaps, N cores need at least CPU s / N of wall time for it
    const least = act / cores
    return `CPU budget: the reference kept ${(ref / refWall).toFixed(2)} of ${cores} cores busy (${ref.toFixed(1)} CPU s); the action's run used ${act.toFixed(1)} CPU s (${[
      part('server', c => c.server),
      part("the action's Node", c => c.node ?? 0),
      part('its programs', c => c.clients - (c.node ?? 0)),
      part('loopback backend', c => c.backend)
    ]
      .filter(Boolean)
      .join(
        ', '
      )}: ${extra >= 0 ? '+' : ''}${extra.toFixed(1)} CPU s), which ${cores} cores run in no less than ${secs(least)} s: ${times(least / refWall)} the reference`
  }
  const whereMemory = (x: Summary): string => {
    if (x.heapKb === undefined || x.externalKb === undefined || x.peakKb === undefined) return ''
    const rest = Math.max(0, x.peakKb - x.heapKb - x.externalKb)
    return `at their peaks: V8 heap ${(x.heapKb / 1024).toFixed(0)} MB, Buffers (outside the heap) ${(x.externalKb / 1024).toFixed(0)} MB; the rest (code, the bundle, native) about ${(rest / 1024).toFixed(0)} MB`
  }
  const sizeName = (run: SizeRun): string =>
    run.sizeMb >= 1024
      ? `${(run.sizeMb / 1024).toFixed(run.sizeMb % 1024 ? 1 : 0)} GB`
      : `${run.sizeMb} MB`
  const many = runs.length > 1
  const at = (run: SizeRun): string => (many ? ` (${sizeName(run)})` : '')
  const peakCell = (x: Summary | undefined): string =>
    x?.peakKb !== undefined ? `${(x.peakKb / 1024).toFixed(0)} MB` : '—'
  const range = (x: Summary): string => `${secs(x.min)}–${secs(x.max)}`

  const perRun = runs.map(run => {
    const s = new Map<Variant, Summary>()
    for (const [v, list] of run.samples) s.set(v, summarise(list))
    return { run, s }
  })

  for (const { run, s } of perRun) {
    const get = (v: Variant): Summary | undefined => s.get(v)
    const hand = get('zstdCli')
    const raw = get('raw')

    // backup
    const backups = [
      ...HAND_BACKUPS.slice(0, 3),
      'zstd' as const,
      ...HAND_BACKUPS.slice(3),
      'zstd1' as const,
      'gzip' as const,
      'none' as const
    ].filter(v => s.has(v))
    if (backups.length > 0) {
      tables.push({
        title: `Backup${at(run)}`,
        table: {
          header: [
            'Backup',
            'Median s',
            'Range s',
            '× hand pipeline',
            '× raw dump',
            'File',
            'Peak RSS'
          ],
          align: ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
          rows: backups.map(v => {
            const x = get(v)!
            return [
              label(v),
              secs(x.seconds),
              range(x),
              hand ? times(x.seconds / hand.seconds) : '—',
              raw ? times(x.seconds / raw.seconds) : '—',
              x.bytes !== undefined ? mb(x.bytes) : '—',
              peakCell(x)
            ]
          })
        }
      })
    }
    const zstd = get('zstd')
    if (zstd && hand) {
      const ratio = zstd.seconds / hand.seconds
      goal(
        `Backup ≤ ${TARGETS.backup.toFixed(2)}× \`pg_dump -Fc -Z0 | zstd -3 -T0 > file\`${at(run)}`,
        `${times(ratio)} (${secs(zstd.seconds)} s vs ${secs(hand.seconds)} s)`,
        ratio <= TARGETS.backup,
        [
          whereTime(run, 'zstd', `the hand pipeline: ${secs(hand.seconds)} s`),
          cpuBudget(run, 'zstd', 'zstdCli')
        ]
          .filter(Boolean)
          .join('; ')
      )
    }

    // restore and verify
    const pgr = get('pgRestore')
    const pgrZstd = get('pgRestoreZstd')
    const restore = get('restoreAction')
    const verify = get('verifyAction')
    if (pgr && restore) {
      const rows: string[][] = [pgr, pgrZstd, restore, verify]
        .map(
          (x, i) =>
            [
              x,
              (['pgRestore', 'pgRestoreZstd', 'restoreAction', 'verifyAction'] as const)[i]
            ] as const
        )
        .filter(([x]) => x !== undefined)
        .map(([x, v]) => [
          label(v),
          secs(x!.seconds),
          range(x!),
          times(x!.seconds / pgr.seconds),
          v === 'pgRestore' || v === 'pgRestoreZstd' ? '—' : times(x!.seconds / restore.seconds),
          peakCell(x),
          x!.diskBytes !== undefined
            ? mb(x!.diskBytes)
            : v === 'pgRestore' && run.rawArchiveBytes !== undefined
              ? `${mb(run.rawArchiveBytes)} (the archive)`
              : v === 'pgRestoreZstd' && run.zipBytes !== undefined
                ? `${mb(run.zipBytes)} (compressed)`
                : '—'
        ])
      tables.push({
        title: `Restore${at(run)}`,
        table: {
          header: [
            'Restore',
            'Median s',
            'Range s',
            '× `pg_restore`',
            '× action restore',
            'Peak RSS',
            'Peak disk (own files)'
          ],
          align: ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
          rows
        }
      })
      const ratio = restore.seconds / pgr.seconds
      goal(
        `Restore ≤ ${TARGETS.restore.toFixed(2)}× \`pg_restore --single-transaction\` from local disk${at(run)}`,
        `${times(ratio)} (${secs(restore.seconds)} s vs ${secs(pgr.seconds)} s)`,
        ratio <= TARGETS.restore,
        [
          whereTime(run, 'restoreAction', `\`pg_restore\` alone: ${secs(pgr.seconds)} s`),
          // the action reads the compressed artifact (its peak-disk goal): so does this pipeline
          pgrZstd
            ? `by hand from the compressed archive (\`zstd -dc | pg_restore\`): ${secs(pgrZstd.seconds)} s, ${times(pgrZstd.seconds / pgr.seconds)} the reference; the action ${times(restore.seconds / pgrZstd.seconds)} that`
            : '',
          cpuBudget(run, 'restoreAction', 'pgRestore')
        ]
          .filter(Boolean)
          .join('; ')
      )
      const disk = restore.diskBytes
      if (disk !== undefined && run.zipBytes !== undefined)
        goal(
          `Restore's peak disk ≤ the compressed backup (besides what pg_restore needs)${at(run)}`,
          `${mb(disk)} of its own files vs an artifact of ${mb(run.zipBytes)}${disk > run.zipBytes ? ` (+${Math.ceil((disk - run.zipBytes) / 1024)} KiB)` : ''}`,
          // the action's small files (connection file, -L lists, logs) count as what pg_restore needs
          disk <= run.zipBytes + SMALL_FILES_BYTES,
          run.rawArchiveBytes !== undefined
            ? `${times(disk / run.zipBytes)} the artifact; the uncompressed archive is ${mb(run.rawArchiveBytes)}`
            : ''
        )
      if (verify) {
        const v = verify.seconds / restore.seconds
        goal(
          `Verify ≤ ${TARGETS.verify.toFixed(2)}× the action's restore (issue 17)${at(run)}`,
          `${times(v)} (${secs(verify.seconds)} s vs ${secs(restore.seconds)} s)`,
          v <= TARGETS.verify,
          whereTime(run, 'verifyAction')
        )
      }
    }
    for (const [v, name] of [
      ['zstd', 'backup'],
      ['restoreAction', 'restore'],
      ['verifyAction', 'verify']
    ] as const) {
      const x = get(v)
      const peak = x?.peakKb
      if (x && peak !== undefined)
        goal(
          `Peak RSS of the action's ${name} ≤ ${TARGETS.rssMb} MB${at(run)}`,
          `${(peak / 1024).toFixed(0)} MB`,
          peak / 1024 <= TARGETS.rssMb,
          whereMemory(x)
        )
    }
  }

  // sizes side by side, and how the peak RSS grows with the size
  if (many) {
    const cell = (x: number | undefined, f: (n: number) => string): string =>
      x === undefined || !Number.isFinite(x) ? '—' : f(x)
    const ratio = (s: Map<Variant, Summary>, a: Variant, b: Variant): number | undefined =>
      s.has(a) && s.has(b) ? s.get(a)!.seconds / s.get(b)!.seconds : undefined
    const rss = (s: Map<Variant, Summary>, v: Variant): number | undefined =>
      s.get(v)?.peakKb !== undefined ? s.get(v)!.peakKb! / 1024 : undefined
    tables.push({
      title: 'Sizes',
      table: {
        header: [
          'Database',
          'Custom archive',
          'Backup × hand',
          'Restore × `pg_restore`',
          'Verify × restore',
          'RSS backup',
          'RSS restore',
          'RSS verify'
        ],
        align: ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
        rows: perRun.map(({ run, s }) => [
          `${sizeName(run)} (${mb(run.dbBytes)} on disk)`,
          cell(run.rawArchiveBytes, mb),
          cell(ratio(s, 'zstd', 'zstdCli'), times),
          cell(ratio(s, 'restoreAction', 'pgRestore'), times),
          cell(ratio(s, 'verifyAction', 'restoreAction'), times),
          cell(rss(s, 'zstd'), n => `${n.toFixed(0)} MB`),
          cell(rss(s, 'restoreAction'), n => `${n.toFixed(0)} MB`),
          cell(rss(s, 'verifyAction'), n => `${n.toFixed(0)} MB`)
        ])
      }
    })
    const first = perRun[0]
    const last = perRun[perRun.length - 1]
    for (const [v, name] of [
      ['zstd', 'backup'],
      ['restoreAction', 'restore'],
      ['verifyAction', 'verify']
    ] as const) {
      const a = rss(first.s, v)
      const b = rss(last.s, v)
      if (a === undefined || b === undefined) continue
      goal(
        `Peak RSS of the ${name} flat from ${sizeName(first.run)} to ${sizeName(last.run)} (≤ +10%)`,
        `${a.toFixed(0)} → ${b.toFixed(0)} MB (${b >= a ? '+' : ''}${(b - a).toFixed(0)} MB, ${times(b / a)})`,
        b <= a * TARGETS.rssGrowth,
        `${sizeName(first.run)}: ${whereMemory(first.s.get(v)!)}; ${sizeName(last.run)}: ${whereMemory(last.s.get(v)!)}`
      )
    }
  }

  const firstS = perRun[0]?.s ?? new Map<Variant, Summary>()

  // the schema-heavy database
  const spr = firstS.get('schemaPgRestore')
  const sr = firstS.get('schemaRestore')
  const spr2 = firstS.get('schemaPgRestore2')
  const sr2 = firstS.get('schemaRestore2')
  if (schema && spr && sr) {
    const sb = firstS.get('schemaBackup')
    tables.push({
      title: `Schema-heavy database: ${schema.tables} tables, ${schema.entries.toLocaleString('en-US')} archive entries, ${mb(schema.dbBytes)} on disk`,
      table: {
        header: ['Schema-heavy', 'Median s', 'Range s', '× `pg_restore`', 'Peak RSS'],
        align: ['l', 'r', 'r', 'r', 'r'],
        rows: [
          ...(sb ? [[label('schemaBackup'), secs(sb.seconds), range(sb), '', peakCell(sb)]] : []),
          [label('schemaPgRestore'), secs(spr.seconds), range(spr), '1.00×', '—'],
          [
            label('schemaRestore'),
            secs(sr.seconds),
            range(sr),
            times(sr.seconds / spr.seconds),
            peakCell(sr)
          ],
          ...(spr2 && sr2
            ? [
                [label('schemaPgRestore2'), secs(spr2.seconds), range(spr2), '1.00×', '—'],
                [
                  label('schemaRestore2'),
                  secs(sr2.seconds),
                  range(sr2),
                  times(sr2.seconds / spr2.seconds),
                  peakCell(sr2)
                ]
              ]
            : [])
        ]
      }
    })
    const ratio = sr.seconds / spr.seconds
    goal(
      `Restore ≤ ${TARGETS.schema.toFixed(2)}× \`pg_restore\` on a schema-heavy database (${schema.entries.toLocaleString('en-US')} entries)`,
      `${times(ratio)} (${secs(sr.seconds)} s vs ${secs(spr.seconds)} s)`,
      ratio <= TARGETS.schema,
      perRun[0]
        ? [
            whereTime(
              perRun[0].run,
              'schemaRestore',
              `\`pg_restore\` alone: ${secs(spr.seconds)} s`
            ),
            cpuBudget(perRun[0].run, 'schemaRestore', 'schemaPgRestore')
          ]
            .filter(Boolean)
            .join('; ')
        : ''
    )
    // the memory goal holds for every restore, not only those of much data: thousands of
    // statements pass the gate (psql-lexer.ts) and the archive's TOC is read whole
    for (const [x, name] of [
      [sb, 'backup'],
      [sr, 'restore']
    ] as const) {
      if (x?.peakKb !== undefined)
        goal(
          `Peak RSS of the action's ${name} ≤ ${TARGETS.rssMb} MB on the schema-heavy database`,
          `${(x.peakKb / 1024).toFixed(0)} MB`,
          x.peakKb / 1024 <= TARGETS.rssMb,
          whereMemory(x)
        )
    }
  }

  // directory format, jobs 1/2/4
  if (firstS.has('jobsDump1') || firstS.has('jobsPgRestore1')) {
    const rows: string[][] = []
    for (const [kind, hand, action] of [
      ['backup', 'jobsDump', 'jobsBackup'],
      ['restore', 'jobsPgRestore', 'jobsRestore']
    ] as const) {
      const base = firstS.get(`${action}1`)
      for (const jobs of JOBS) {
        const h = firstS.get(`${hand}${jobs}`)
        const a = firstS.get(`${action}${jobs}`)
        if (!h || !a) continue
        rows.push([
          `${kind}, jobs ${jobs}`,
          secs(h.seconds),
          secs(a.seconds),
          times(a.seconds / h.seconds),
          base ? times(a.seconds / base.seconds) : '—',
          peakCell(a),
          a.diskBytes !== undefined ? mb(a.diskBytes) : '—'
        ])
      }
      const one = firstS.get(`${action}1`)
      const four = firstS.get(`${action}4`)
      if (one && four)
        goal(
          `Directory format, jobs 4 vs jobs 1: the action's ${kind} scales`,
          `${times(four.seconds / one.seconds)} the time of jobs 1 (by hand: ${cellRatio(firstS, `${hand}4`, `${hand}1`)})`,
          undefined
        )
    }
    tables.push({
      title: `Directory format, jobs 1/2/4${many ? ` (${sizeName(runs[0])})` : ''}`,
      table: {
        header: [
          'Directory format',
          'By hand s',
          'Action s',
          '× by hand',
          '× action jobs 1',
          'Peak RSS',
          'Peak disk (own files)'
        ],
        align: ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
        rows
      }
    })
  }

  // the action's time per phase and the CPU per kind of process, per size
  for (const { run, s } of perRun) {
    const phaseColumns = (
      [
        'zstd',
        'zstd1',
        'gzip',
        'none',
        'restoreAction',
        'verifyAction',
        'schemaRestore'
      ] as Variant[]
    ).filter(v => (run.samples.get(v) ?? []).some(x => x.phases))
    if (phaseColumns.length > 0) {
      const names: string[] = []
      for (const v of phaseColumns)
        for (const sample of run.samples.get(v) ?? [])
          for (const name of sample.phases?.keys() ?? [])
            if (!names.includes(name)) names.push(name)
      const ordered = [STARTUP, ...names.filter(n => n !== STARTUP && n !== OUTSIDE), OUTSIDE]
      const phaseCell = (v: Variant, name: string): string => {
        const values = (run.samples.get(v) ?? []).map(x => x.phases?.get(name))
        return values.every(x => x === undefined) ? '' : secs(median(values.map(x => x ?? 0)))
      }
      tables.push({
        title: `Phases of the action${at(run)}`,
        table: {
          header: [
            'Phase of the action (median s)',
            ...phaseColumns.map(v => PHASE_HEADERS[v] ?? v)
          ],
          align: ['l', ...phaseColumns.map(() => 'r' as const)],
          rows: [
            ...ordered.map(name => [name, ...phaseColumns.map(v => phaseCell(v, name))]),
            ['**Total** (process start to exit)', ...phaseColumns.map(v => secs(s.get(v)!.seconds))]
          ]
        }
      })
    }

    const cpuMedian = (v: Variant, pick: (c: Cpu) => number | undefined): number | undefined => {
      const values = (run.samples.get(v) ?? [])
        .map(x => (x.cpu ? pick(x.cpu) : undefined))
        .filter((x): x is number => x !== undefined)
      return values.length > 0 ? median(values) : undefined
    }
    const cell = (x: number | undefined): string => (x === undefined ? '—' : x.toFixed(1))
    const cpuRows = [...run.samples.keys()].filter(v => !v.startsWith('jobs'))
    tables.push({
      title: `CPU seconds${at(run)}`,
      table: {
        header: [
          'CPU seconds (median)',
          'Wall s',
          'PostgreSQL server',
          'pg_dump / pg_restore / tar / zstd / gzip',
          "action's Node",
          'loopback backend (own process)',
          'Cores busy',
          'Other (kernel, others)'
        ],
        align: ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
        rows: cpuRows.map(v => {
          const node = cpuMedian(v, c => c.node)
          const tools = cpuMedian(v, c => c.clients - (c.node ?? 0))
          const busy = cpuMedian(v, c => c.server + c.clients + c.backend + c.bench)
          return [
            label(v),
            secs(s.get(v)!.seconds),
            cell(cpuMedian(v, c => c.server)),
            cell(tools),
            cell(node),
            node !== undefined ? cell(cpuMedian(v, c => c.backend)) : '—',
            busy === undefined ? '—' : (busy / s.get(v)!.seconds).toFixed(2),
            cell(cpuMedian(v, c => c.other))
          ]
        })
      }
    })
  }

  if (!only.has('backup') && (only.has('restore') || only.has('verify')))
    say('  (the action backup the restores read was not timed: add backup to --only to time it)')
  return {
    tables,
    goals: {
      header: ['Goal', 'Measured', 'Result', 'Where it goes, when missed (measured)'],
      align: ['l', 'l', 'l', 'l'],
      rows: goals
    }
  }
}

function cellRatio(s: Map<Variant, Summary>, a: Variant, b: Variant): string {
  return s.has(a) && s.has(b) ? times(s.get(a)!.seconds / s.get(b)!.seconds) : '—'
}

// ---------------------------------------------------------------------------------------------
// README

/** The prose above the generated tables when README.md has no Performance section yet. */
const PERFORMANCE_INTRO = `\`npm run bench\` (not part of \`npm test\`; \`npm run bench -- --help\` lists its options)
measures the goals of issue 19 and the cost of verify (issue 17) on this machine, loopback only.
See the README's Performance section for what it runs.`

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

/** Starts the server of one size and makes sure its databases exist (generated or kept). */
async function prepareServer(
  root: string,
  options: Options,
  sizeMb: number,
  withSchema: boolean
): Promise<{ server: TestServer; dbBytes: number; schema?: SchemaInfo }> {
  const server = await startPostgres({ major: PG_MAJOR })
  onCleanup(`stop the ${sizeMb} MB server`, () => server.stop())
  say(`  PostgreSQL ${server.version} on ${server.host}:${server.port}, data in ${server.dataDir}`)
  const keepDir = options.keepDir ? path.join(options.keepDir, `${sizeMb}mb`) : undefined
  const kept = keepDir ? await readKept(keepDir, sizeMb) : undefined
  if (kept && keepDir) await reuseCluster(server, keepDir, kept)
  else {
    await generate(server, sizeMb)
    await generateSchemaHeavy(server)
    if (keepDir) await keepCluster(server, keepDir, sizeMb)
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
  let schema: SchemaInfo | undefined
  if (withSchema) {
    const [info] = await server.query<{ tables: string; size: string }>(
      SCHEMA_DATABASE,
      `SELECT count(*)::text AS tables, pg_database_size(current_database())::text AS size
       FROM pg_class WHERE relkind = 'r' AND relnamespace::regnamespace::text LIKE 'app%'`
    )
    const entries = await countEntries(server, root)
    schema = { tables: Number(info.tables), entries, dbBytes: Number(info.size) }
    say(
      `  '${SCHEMA_DATABASE}': ${schema.tables} tables, ${schema.entries.toLocaleString('en-US')} archive entries, ${mb(schema.dbBytes)} on disk`
    )
  }
  return { server, dbBytes, schema }
}

/** The number of entries in a custom archive of the schema-heavy database. */
async function countEntries(server: TestServer, dir: string): Promise<number> {
  const file = path.join(dir, 'schema-count.dump')
  try {
    ok(
      'pg_dump of the schema-heavy database',
      await run(PG_DUMP, ['--no-password', '--format=custom', '--compress=0', `--file=${file}`], {
        env: server.env(SCHEMA_DATABASE)
      }).done
    )
    const list = run(PG_RESTORE, ['--list', file], { stdout: 'pipe' })
    let text = ''
    list.child.stdout!.setEncoding('utf8').on('data', (d: string) => (text += d))
    ok('pg_restore --list', await list.done)
    return text.split('\n').filter(line => line.trim() && !line.startsWith(';')).length
  } finally {
    await rm(file, { force: true })
  }
}

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
  if (spawnSync('zstd', ['--version'], { stdio: 'ignore' }).status !== 0)
    throw new Error('zstd is missing: the hand pipeline needs it (apt-get install zstd)')
  const only = options.only
  waitForIdle = options.wait
  say(
    `PostgreSQL backup action: benchmark (${options.sizes.map(s => `${s} MB`).join(', ')}; ${repetitions(options)}; ${[...only].join(', ')})`
  )
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

  const runs: SizeRun[] = []
  let schema: SchemaInfo | undefined
  let version = ''
  const mainSections = ['backup', 'restore', 'verify', 'compression'].some(x =>
    only.has(x as Section)
  )
  for (const [index, sizeMb] of options.sizes.entries()) {
    const first = index === 0
    const extras = first && (only.has('schema') || only.has('jobs'))
    if (!mainSections && !extras) continue
    say(
      `\n[${index + 1}/${options.sizes.length}] ${sizeMb} MB: PostgreSQL ${PG_MAJOR}  (+${clock()})`
    )
    const prepared = await prepareServer(root, options, sizeMb, first && only.has('schema'))
    const { server } = prepared
    version = server.version
    schema ??= prepared.schema
    const sizeRun: SizeRun = { sizeMb, dbBytes: prepared.dbBytes, samples: new Map() }
    runs.push(sizeRun)
    say('  warm-up (untimed): pg_dump -Fc -Z0 > /dev/null')
    await rawDump(server)
    if (only.has('compression') && sizeMb > NONE_MAX_MB)
      say(
        `  (no uncompressed backup above ${NONE_MAX_MB} MB: the loopback backend holds artifacts in memory)`
      )
    try {
      for (let rep = 0; rep < options.reps[index]; rep++) {
        say(`  repetition ${rep + 1}/${options.reps[index]}  (+${clock()})`)
        const dir = path.join(root, `${sizeMb}-rep${rep + 1}`)
        await mkdir(dir)
        const r: Repetition = {
          server,
          rep,
          dir,
          only,
          sizeMb,
          record: (v, sample) =>
            void sizeRun.samples.set(v, [...(sizeRun.samples.get(v) ?? []), sample]),
          archive: info => {
            sizeRun.zipBytes = info.zipBytes
            sizeRun.rawArchiveBytes = info.rawSizeBytes
          }
        }
        try {
          if (mainSections) await mainRepetition(r)
          if (first && only.has('schema')) await schemaRepetition(r)
          if (first && only.has('jobs')) await jobsRepetition(r)
        } finally {
          await rm(dir, { recursive: true, force: true })
        }
      }
    } finally {
      await server.stop()
    }
  }

  say(`\nResults  (+${clock()})`)
  const cpu = os.cpus()[0]?.model.replace(/\s+/g, ' ').trim() ?? 'unknown CPU'
  const describe = (run: SizeRun): string =>
    `${mb(run.dbBytes)} on disk${run.rawArchiveBytes !== undefined ? ` (${mb(run.rawArchiveBytes)} as an uncompressed custom archive)` : ''}`
  const machine =
    `${os.availableParallelism()} cores (${cpu}), ${(os.totalmem() / 1024 ** 3).toFixed(0)} GB RAM, ` +
    `${os.type()} ${os.release()}, Node ${process.version}, PostgreSQL ${version}; ` +
    `database of ${runs.map(describe).join(' and of ')} (${Object.keys(PER_UNIT).sort().join(', ')}); ` +
    `${repetitions(options)}, medians, variants alternating; the loopback artifact backend in its own process; ` +
    `the action at ${source}; ${new Date().toISOString().slice(0, 10)}.`
  const out = results(runs, schema, only)
  say(`\n${machine}`)
  for (const { title, table } of out.tables) say(`\n${title}\n${plain(table)}`)
  say(`\nGoals\n${plain(out.goals)}`)
  say(
    `\nload average at the end: ${os
      .loadavg()
      .map(l => l.toFixed(2))
      .join(' ')}`
  )

  if (options.readme) {
    const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`
    const section = [
      MARK_START,
      `Measured by \`${command}\` on ${machine}`,
      '',
      '**Goals** (issue 19; verify: issue 17)',
      '',
      markdown(out.goals),
      '',
      ...out.tables.flatMap(({ title, table }) => [`**${title}**`, '', markdown(table), '']),
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
