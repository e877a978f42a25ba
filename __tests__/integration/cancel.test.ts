/**
 * A cancelled run, as the runner cancels it: it signals the action's own Node process (SIGINT,
 * then SIGTERM ~7.5 s later; a timeout likewise), never the programs the action started, which
 * run in process groups of their own. The action (src/index.ts, run as the runner runs it, see
 * dev/runner.ts) must stop its children first — a psql that merely saw its input end would
 * commit what it had — then fail with a clear message and a job summary, leaving no temporary
 * file and no child behind. Asserted on what came back: the target's rows and keys, the server's
 * sessions, the backend's artifacts, RUNNER_TEMP.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import { createWriteStream, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { finished } from 'node:stream/promises'
import pg from 'pg'
import type { ArtifactBackend } from '../../dev/artifact-backend.js'
import { tableChecksums } from '../../dev/fixtures.js'
import type { TestServer } from '../../dev/postgres.js'
import { useHarness } from '../support/harness.js'
import { type ActionProcess, startActionProcess } from '../support/step.js'

/** Rows of the big table: enough for a load of several seconds. */
const ROWS = 1_000_000

const harness = useHarness({ name: 'cancel-test' })
let server: TestServer
let backend: ArtifactBackend
let work: string
let source: string
/** pg_dump's plain output of `source`. */
let plainFile: string
/** pg_dump's custom archive of `source`, for a parallel restore. */
let customFile: string

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

beforeAll(async () => {
  ;({ server, backend, work } = harness)
  source = await server.createDatabase('shop')
  await server.query(
    source,
    `CREATE TABLE public.customer (id integer PRIMARY KEY, name text NOT NULL UNIQUE);
     INSERT INTO public.customer SELECT i, 'customer ' || i FROM generate_series(1, 1000) i;
     CREATE TABLE public.orders (
       id integer PRIMARY KEY,
       customer_id integer NOT NULL REFERENCES public.customer (id),
       note text NOT NULL CHECK (note <> '')
     ) WITH (autovacuum_enabled = off);
     INSERT INTO public.orders
       SELECT i, 1 + i % 1000, md5(i::text) FROM generate_series(1, ${ROWS}) i;`
  )
  plainFile = path.join(work, 'shop.sql')
  const dump = spawn(path.join(server.binDir, 'pg_dump'), ['--no-owner'], {
    env: server.env(source),
    stdio: ['ignore', 'pipe', 'inherit']
  })
  const out = createWriteStream(plainFile)
  dump.stdout!.pipe(out)
  const code = await new Promise(resolve => dump.on('close', resolve))
  await finished(out)
  expect(code).toBe(0)
  customFile = path.join(work, 'shop.dump')
  await pgDumpTo(source, customFile, ['-Fc', '-Z0'])
}, 300_000)

/** pg_dump --no-owner of `database` with `args` into `file` (a directory with -Fd). */
async function pgDumpTo(database: string, file: string, args: string[]): Promise<void> {
  const dump = spawn(
    path.join(server.binDir, 'pg_dump'),
    ['--no-owner', ...args, `--file=${file}`],
    { env: server.env(database), stdio: ['ignore', 'ignore', 'inherit'] }
  )
  expect(await new Promise(resolve => dump.on('close', resolve))).toBe(0)
}

/** The action restoring into `target` (`inputs` added), once its load copies rows (of `table`). */
async function restoreCopying(
  target: string,
  inputs: Record<string, string>,
  table?: string
): Promise<ActionProcess> {
  const step = startActionProcess(harness, {
    mode: 'restore',
    'database-url': server.url(target),
    ...inputs
  })
  await waitUntil(
    `the load to copy ${table ?? 'rows'}`,
    async () => (await sessions(target, table ? `COPY ${table} %` : 'COPY %')) > 0,
    step
  )
  return step
}

/** The step's ::error:: annotations. */
function errorLines(step: ActionProcess): string[] {
  return step
    .stdout()
    .split('\n')
    .filter(l => l.startsWith('::error::'))
}

/** Waits until no session is left on `database` (the server rolled the load back). */
async function sessionsEnded(database: string): Promise<void> {
  await waitUntil(
    'the load sessions to end',
    async () => (await sessions(database)) === 0,
    undefined,
    20_000
  )
}

/** Sessions on `database` whose query matches `like` (default: any). */
async function sessions(database: string, like = '%', application = '%'): Promise<number> {
  const rows = await server.query<{ n: string }>(
    'postgres',
    `SELECT count(*)::text AS n FROM pg_stat_activity
      WHERE datname = $1 AND query LIKE $2 AND application_name LIKE $3 AND pid <> pg_backend_pid()`,
    [database, like, application]
  )
  return Number(rows[0].n)
}

/** Polls `probe` until it holds; fails after `ms`, or when `step` ended first (with its log). */
async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  step?: ActionProcess,
  ms = 120_000
): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await probe())) {
    if (Date.now() > deadline || (step && step.child.exitCode !== null)) {
      throw new Error(`${what}: did not happen\n${step?.stdout() ?? ''}`)
    }
    await sleep(20)
  }
}

/** The keys and checks of the database's tables: name, kind and definition. */
async function constraints(database: string): Promise<string[]> {
  const rows = await server.query<{ c: string }>(
    database,
    `SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) AS c
       FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1`
  )
  return rows.map(r => r.c)
}

/** Our own processes (any parent) whose command line mentions `text`. */
function processesMentioning(text: string): string[] {
  const found: string[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0')
      if (argv.some(a => a.includes(text))) found.push(`${entry} ${argv.join(' ')}`)
    } catch {
      // gone
    }
  }
  return found
}

/** A copy of `source`, loaded by psql itself. */
async function fullCopy(): Promise<string> {
  const copy = await server.createDatabase()
  const psql = spawn(
    path.join(server.binDir, 'psql'),
    ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', plainFile],
    {
      env: server.env(copy),
      stdio: ['ignore', 'ignore', 'inherit']
    }
  )
  expect(await new Promise(resolve => psql.on('close', resolve))).toBe(0)
  return copy
}

async function expectCancelled(step: ActionProcess, signal: string, target: string): Promise<void> {
  expect(await step.exited).toBe(1)
  const errors = errorLines(step)
  expect(errors).toEqual([expect.stringContaining(`the run was cancelled (${signal})`)])
  // the annotation says what the target was left with, not only that the programs stopped
  expect(errors[0]).toMatch(
    /one transaction, which was not committed: the target keeps what it held before/
  )
  expect(step.summary()).toMatch(
    new RegExp(`❌ Database restore failed[^]*cancelled \\(${signal}\\)`)
  )
  expect(step.summary()).toMatch(/one transaction, which was not committed/)
  // psql's session ends (the server rolls its transaction back), no file of the backup is left
  await sessionsEnded(target)
  expect(processesMentioning(step.runnerTemp)).toEqual([])
  expect(readdirSync(step.runnerTemp)).toEqual([])
}

describe('a restore cancelled mid-load keeps the target exactly as it was', () => {
  it.each([
    ['SIGINT', then('SIGTERM', 400)],
    ['SIGTERM', undefined]
  ] as const)(
    'a plain restore into an empty database, signalled %s: no table is created',
    async (signal, later) => {
      const target = await server.createDatabase()
      const step = await restoreCopying(target, { 'backup-file': plainFile })
      await sleep(300) // rows are on their way
      step.child.kill(signal)
      if (later) setTimeout(() => step.child.kill(later.signal), later.ms)
      await expectCancelled(step, signal, target)
      expect(
        await server.query(
          target,
          "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace"
        )
      ).toEqual([])
    },
    300_000
  )

  it.each([['SIGINT'], ['SIGTERM']] as const)(
    'clean: true over a full copy, signalled %s: every row and key is as before',
    async signal => {
      const target = await fullCopy()
      const before = { rows: await tableChecksums(server, target), keys: await constraints(target) }
      expect(before.rows['public.orders'].rows).toBe(ROWS)
      const step = await restoreCopying(target, { 'backup-file': plainFile, clean: 'true' })
      await sleep(300)
      step.child.kill(signal)
      await expectCancelled(step, signal, target)
      expect(await tableChecksums(server, target)).toEqual(before.rows)
      expect(await constraints(target)).toEqual(before.keys)
    },
    300_000
  )
})

describe("a terminal's Ctrl-C passed on again by npm run or tsx (SIGINT twice within ms)", () => {
  it('is one cancel: its sessions are seen to end before it says so, the target keeps what it held (trial u12 F3)', async () => {
    const target = await server.createDatabase()
    const step = await restoreCopying(target, { 'backup-file': plainFile })
    await sleep(300)
    step.child.kill('SIGINT')
    await sleep(15)
    step.child.kill('SIGINT')
    await expectCancelled(step, 'SIGINT', target)
    // a second cancel would end at once, before its sessions were seen to end ("they end once
    // the server notices the cut")
    expect(errorLines(step)[0]).not.toMatch(/once the server notices the cut/)
    expect(
      await server.query(
        target,
        "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace"
      )
    ).toEqual([])
  }, 300_000)
})

describe('a parallel restore cancelled mid-load says what it left', () => {
  it('jobs: 2, SIGTERM while the data loads: the programs stop and the error says the target may hold part of the backup', async () => {
    const target = await server.createDatabase()
    const step = await restoreCopying(target, {
      'backup-file': customFile,
      jobs: '2',
      'single-transaction': 'false'
    })
    step.child.kill('SIGTERM')
    expect(await step.exited).toBe(1)
    const errors = errorLines(step)
    expect(errors).toEqual([
      expect.stringMatching(
        /the run was cancelled \(SIGTERM\)[^]*may hold part of the backup[^]*Restore again with clean: true/
      )
    ])
    expect(step.summary()).toMatch(/may hold part of the backup/)
    await sessionsEnded(target)
    expect(processesMentioning(step.runnerTemp)).toEqual([])
    expect(readdirSync(step.runnerTemp)).toEqual([])
  }, 300_000)
})

describe('a directory archive loaded by pg_restore -d from disk: what a cancel says of its commit', () => {
  /**
   * pg_dump -Fd of two tables of many rows: public.a's data restores first, public.b's last;
   * public.a is the larger, so that its COPY is still running when the signal comes on a busy
   * machine (a fresh-clone CI saw public.a's 600,000 rows copied before the signal).
   */
  let directory: string
  beforeAll(async () => {
    const database = await server.createDatabase('two_tables')
    await server.query(
      database,
      `CREATE TABLE public.a (id integer PRIMARY KEY, note text NOT NULL);
       INSERT INTO public.a SELECT i, md5(i::text) FROM generate_series(1, 2000000) i;
       CREATE TABLE public.b (id integer PRIMARY KEY, note text NOT NULL);
       INSERT INTO public.b SELECT i, md5(i::text) FROM generate_series(1, 600000) i;`
    )
    directory = path.join(work, 'two-tables.dir')
    await pgDumpTo(database, directory, ['-Fd', '-Z0'])
  }, 300_000)

  it.each([
    ['public.a', 'before its last data entry', /one transaction, which was not committed/],
    // its COMMIT due once the statements left ran: the server's word on its transaction decides
    // — rolled back (attacker a30 A2) — also when its session ends the moment pg_restore is
    // killed (it is frozen while the cancel reads its transaction's ID; before, a session gone
    // first left nothing to ask: "may hold the restored data")
    ['public.b', 'in its last data entry', /one transaction, which was not committed/]
  ] as const)(
    'SIGTERM while it copies %s (%s): the error says so',
    async (table, _when, said) => {
      const target = await server.createDatabase()
      const step = await restoreCopying(target, { 'backup-file': directory }, table)
      // in public.b: a moment for its COPY to be under way; in public.a: at once
      if (table === 'public.b') await sleep(300)
      step.child.kill('SIGTERM')
      expect(await step.exited).toBe(1)
      expect(step.stdout()).toContain('Loading with pg_restore -d directly')
      const errors = errorLines(step)
      expect(errors).toEqual([expect.stringContaining('the run was cancelled (SIGTERM)')])
      expect(errors[0]).toMatch(said)
      expect(step.summary()).toMatch(said)
      await sessionsEnded(target)
      expect(processesMentioning(step.runnerTemp)).toEqual([])
    },
    300_000
  )
})

describe('a backup cancelled mid-dump leaves nothing behind', () => {
  it('directory format with 2 jobs, SIGINT: no artifact, no pg_dump worker, no temporary file', async () => {
    const name = `cancelled-${Math.random().toString(36).slice(2, 8)}`
    // a session holds a lock pg_dump waits for: pg_dump is certainly still running when the
    // signal comes (on an idle machine the whole dump took less than the test's pauses)
    const holder = new pg.Client({ connectionString: server.url(source) })
    await holder.connect()
    await holder.query('BEGIN; LOCK TABLE public.orders IN ACCESS EXCLUSIVE MODE')
    try {
      await cancelDirectoryBackup(name)
    } finally {
      await holder.end().catch(() => undefined)
    }
  }, 300_000)
})

describe('a backup cancelled while it counts rows (SQL only, no program running) stops', () => {
  it('SIGTERM while counting waits for a lock: exit 1, the cancel named, no artifact kept, the count session ends', async () => {
    const database = await server.createDatabase('counted')
    await server.query(
      database,
      'CREATE TABLE public.t (id integer PRIMARY KEY); INSERT INTO public.t SELECT generate_series(1, 100)'
    )
    const name = `counting-${Math.random().toString(36).slice(2, 8)}`
    // first holds public.t; pg_dump queues behind it, then second's ACCESS EXCLUSIVE behind
    // pg_dump: once first lets go pg_dump dumps, exits, second gets the lock, and the count
    // (after the dump, for a plain script) waits for it, with no program of the run left
    const first = new pg.Client({ connectionString: server.url(database) })
    const second = new pg.Client({ connectionString: server.url(database) })
    await first.connect()
    await second.connect()
    try {
      await first.query('BEGIN; LOCK TABLE public.t IN ACCESS EXCLUSIVE MODE')
      const step = startActionProcess(harness, {
        mode: 'backup',
        'database-url': server.url(database),
        'artifact-name': name,
        format: 'plain',
        'lock-timeout': '2min'
      })
      await waitUntil(
        'pg_dump to wait for public.t',
        async () => /pg_dump waits for a lock on public\.t/.test(step.stdout()),
        step
      )
      await second.query('BEGIN')
      const locked = second.query('LOCK TABLE public.t IN ACCESS EXCLUSIVE MODE')
      await waitUntil('the second lock to queue', async () => (await waiting(database)) > 1, step)
      await first.query('COMMIT')
      await locked
      await waitUntil(
        'the count to wait for public.t',
        async () => /Counting public\.t waits for a lock/.test(step.stdout()),
        step
      )
      step.child.kill('SIGTERM')
      // the lock is let go at once: a run that ignored the cancel would now count, upload and pass
      await sleep(200)
      await second.query('COMMIT')
      expect(await step.exited).toBe(1)
      expect(errorLines(step)).toEqual([expect.stringContaining('the run was cancelled (SIGTERM)')])
      expect(step.summary()).toMatch(/❌ Database backup failed[^]*cancelled \(SIGTERM\)/)
      expect(
        backend.artifacts().filter(a => a.name.startsWith(name) && a.finalized && !a.deleted)
      ).toEqual([])
      expect(readdirSync(step.runnerTemp)).toEqual([])
      await first.end()
      await second.end()
      await sessionsEnded(database)
    } finally {
      await first.end().catch(() => undefined)
      await second.end().catch(() => undefined)
    }
  }, 300_000)
})

/** Sessions on `database` waiting for a lock. */
async function waiting(database: string): Promise<number> {
  const rows = await server.query<{ n: string }>(
    'postgres',
    `SELECT count(*)::text AS n FROM pg_stat_activity
      WHERE datname = $1 AND wait_event_type = 'Lock'`,
    [database]
  )
  return Number(rows[0].n)
}

/** A directory backup with 2 jobs, signalled SIGINT while pg_dump runs: nothing is left. */
async function cancelDirectoryBackup(name: string): Promise<void> {
  const step = startActionProcess(harness, {
    mode: 'backup',
    'database-url': server.url(source),
    'artifact-name': name,
    format: 'directory',
    jobs: '2'
  })
  // pg_dump's workers write the tables' files into the run's directory in RUNNER_TEMP
  const dumped = (): number =>
    processesMentioning(step.runnerTemp).filter(p => / --jobs=2 /.test(p)).length
  await waitUntil('pg_dump to run', async () => dumped() > 0, step)
  await sleep(700)
  expect(dumped()).toBeGreaterThan(0)
  step.child.kill('SIGINT')
  expect(await step.exited).toBe(1)
  expect(step.stdout()).toMatch(/::error::the run was cancelled \(SIGINT\)/)
  expect(step.summary()).toMatch(/❌ Database backup failed[^]*cancelled \(SIGINT\)/)
  await waitUntil(
    'the pg_dump sessions to end',
    async () => (await sessions(source, '%', 'pg_dump')) === 0,
    undefined,
    20_000
  )
  expect(processesMentioning(step.runnerTemp)).toEqual([])
  expect(readdirSync(step.runnerTemp)).toEqual([])
  expect(
    backend.artifacts().filter(a => a.name.startsWith(name) && a.finalized && !a.deleted)
  ).toEqual([])
}

function then(signal: NodeJS.Signals, ms: number) {
  return { signal, ms }
}

describe('a restore cancelled while the server runs a statement of it (u6 F16)', () => {
  it('SIGTERM during a long statement: its server session is ended before the step says so', async () => {
    const target = await server.createDatabase()
    const file = path.join(work, 'sleepy.sql')
    writeFileSync(file, 'CREATE TABLE public.t (id integer);\nSELECT pg_catalog.pg_sleep(120);\n')
    const step = startActionProcess(harness, {
      mode: 'restore',
      'database-url': server.url(target),
      'backup-file': file
    })
    await waitUntil(
      'the load to run its long statement',
      async () => (await sessions(target, '%pg_sleep%')) > 0,
      step
    )
    step.child.kill('SIGTERM')
    expect(await step.exited).toBe(1)
    // at once, not once the server noticed: the step ended after its sessions did
    expect(await sessions(target)).toBe(0)
    const errors = errorLines(step)
    expect(errors).toEqual([expect.stringContaining('the run was cancelled (SIGTERM)')])
    expect(errors[0]).toMatch(/none is left running, 1 session of it on the server ended,/)
    // the whole script (its COMMIT too) sat in psql's pipe: the server, asked once the session
    // ended, says its transaction was rolled back (attacker a30 A2: "may hold the restored data")
    expect(errors[0]).toMatch(/one transaction, which was not committed/)
    expect(errors[0]).not.toMatch(/may hold the restored data/)
    expect(step.summary()).toMatch(/1 session of it on the server ended/)
    expect(
      await server.query(
        target,
        "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace"
      )
    ).toEqual([])
  }, 300_000)
})

describe('a restore cancelled while its session waits for psql (the whole script in the pipe)', () => {
  it('SIGTERM while psql prints results: not committed, and said so', async () => {
    // each SELECT's result (200 kB) keeps psql busy printing while its session waits for the
    // next statement; the whole script, COMMIT too, sits in psql's pipe. Killed, psql's session
    // ends by itself at once, before a new session could read its transaction's ID (CI run of
    // 8edcc14: "may hold the restored data" of a load the server rolled back)
    const target = await server.createDatabase()
    const file = path.join(work, 'printing.sql')
    writeFileSync(
      file,
      'CREATE TABLE public.t (id integer);\nINSERT INTO public.t VALUES (1);\n' +
        "SELECT pg_catalog.repeat('x', 200000) AS filler;\n".repeat(400)
    )
    const step = startActionProcess(harness, {
      mode: 'restore',
      'database-url': server.url(target),
      'backup-file': file
    })
    await waitUntil(
      'psql to run the SELECTs',
      async () => (await sessions(target, '%filler%')) > 0,
      step
    )
    await sleep(100)
    step.child.kill('SIGTERM')
    await expectCancelled(step, 'SIGTERM', target)
    expect(errorLines(step)[0]).not.toMatch(/may hold the restored data/)
    expect(
      await server.query(
        target,
        "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace"
      )
    ).toEqual([])
  }, 300_000)
})

describe('a second signal a moment after the first (Ctrl-C, then SIGTERM: attacker a41 F3)', () => {
  it('its sessions are still ended before the step says so, and the message says so', async () => {
    const target = await server.createDatabase()
    const file = path.join(work, 'sleepy-twice.sql')
    writeFileSync(file, 'CREATE TABLE public.t (id integer);\nSELECT pg_catalog.pg_sleep(120);\n')
    const step = startActionProcess(harness, {
      mode: 'restore',
      'database-url': server.url(target),
      'backup-file': file
    })
    await waitUntil(
      'the load to run its long statement',
      async () => (await sessions(target, '%pg_sleep%')) > 0,
      step
    )
    step.child.kill('SIGINT')
    await sleep(50)
    step.child.kill('SIGTERM')
    expect(await step.exited).toBe(1)
    // at once: the session running pg_sleep was ended before the step ended
    expect(await sessions(target)).toBe(0)
    const errors = errorLines(step)
    expect(errors).toEqual([expect.stringContaining('the run was cancelled (SIGINT)')])
    expect(errors[0]).toMatch(/1 session of it on the server ended/)
    expect(errors[0]).not.toMatch(/once the server notices the cut/)
    expect(
      await server.query(
        target,
        "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace"
      )
    ).toEqual([])
  }, 300_000)
})

describe("a restore cancelled after its load moved the target's own sequence back (attacker a30 A2)", () => {
  it('SIGINT during a later statement: the sequence is set forward again once its session ended, and said', async () => {
    const target = await server.createDatabase()
    await server.query(
      target,
      `CREATE SCHEMA billing; CREATE SEQUENCE billing.invoice_no; SELECT setval('billing.invoice_no', 100);`
    )
    const file = path.join(work, 'moves-back.sql')
    // a name no text check reads (a query over pg_class), then a long statement to cancel in
    writeFileSync(
      file,
      `CREATE TABLE public.newt (id integer);
SELECT pg_catalog.setval(c.oid, 5, true) FROM pg_catalog.pg_class c WHERE c.relkind = 'S';
SELECT pg_catalog.pg_sleep(120);
`
    )
    const step = startActionProcess(harness, {
      mode: 'restore',
      'database-url': server.url(target),
      'backup-file': file
    })
    await waitUntil(
      'the load to have moved the sequence back and sleep',
      async () => (await sessions(target, '%pg_sleep%')) > 0,
      step
    )
    const [moved] = await server.query<{ v: string }>(
      target,
      'SELECT last_value::text AS v FROM billing.invoice_no'
    )
    expect(moved.v).toBe('5')
    step.child.kill('SIGINT')
    expect(await step.exited).toBe(1)
    const errors = errorLines(step)
    expect(errors[0]).toMatch(/the run was cancelled \(SIGINT\)/)
    expect(errors[0]).toMatch(
      /set it forward again: billing\.invoice_no \(from 100 before the restore, to 5\): it hands out 101 next/
    )
    expect(
      await server.query<{ n: string }>(
        target,
        'SELECT (CASE WHEN is_called THEN last_value + 1 ELSE last_value END)::text AS n FROM billing.invoice_no'
      )
    ).toEqual([{ n: '101' }])
    expect(await server.query(target, "SELECT to_regclass('public.newt')::text AS t")).toEqual([
      { t: null }
    ])
  }, 300_000)
})

describe('a restore cancelled while the server finishes its COMMIT (attacker a36 A4)', () => {
  it('SIGTERM while its COMMIT waits for a synchronous standby: the server, asked once the session ended, says it committed, and so does the step', async () => {
    const target = await server.createDatabase()
    const file = path.join(work, 'waits-at-commit.sql')
    writeFileSync(
      file,
      'CREATE TABLE public.t (id integer);\nINSERT INTO public.t VALUES (1), (2);\n'
    )
    // every COMMIT that wrote in the target waits for a standby that never comes (the test
    // server runs with synchronous_commit off: on for the target)
    await server.query('postgres', `ALTER DATABASE ${target} SET synchronous_commit = on`)
    await server.query('postgres', "ALTER SYSTEM SET synchronous_standby_names = 'ghost'")
    await server.query('postgres', 'SELECT pg_catalog.pg_reload_conf()')
    try {
      await sleep(300)
      const step = startActionProcess(harness, {
        mode: 'restore',
        'database-url': server.url(target),
        'backup-file': file
      })
      await waitUntil(
        'the load to wait at its COMMIT',
        async () => {
          const [row] = await server.query<{ n: string }>(
            'postgres',
            "SELECT count(*)::text AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event = 'SyncRep'",
            [target]
          )
          return row.n !== '0'
        },
        step
      )
      step.child.kill('SIGTERM')
      expect(await step.exited).toBe(1)
      const errors = errorLines(step)
      expect(errors).toEqual([expect.stringContaining('the run was cancelled (SIGTERM)')])
      expect(errors[0]).toMatch(
        /The load had been committed when the run was cancelled: the target holds the restored data; what follows the load \(its row counts checked against the backup's\) was cut short, so it is unchecked, not failed\./
      )
      expect(errors[0]).not.toMatch(/may hold|not committed/)
      expect(step.summary()).toMatch(/The load had been committed when the run was cancelled/)
    } finally {
      await server.query('postgres', 'ALTER SYSTEM RESET synchronous_standby_names')
      await server.query('postgres', 'SELECT pg_catalog.pg_reload_conf()')
    }
    // as the server says: committed locally
    expect(await server.query(target, 'SELECT count(*)::int AS n FROM public.t')).toEqual([
      { n: 2 }
    ])
  }, 120_000)
})

describe('the loader killed after the last of its input (attacker a37 F2)', () => {
  /**
   * A table whose index is slow to build (its expression sleeps a little per row): the post-data
   * section runs for seconds after pg_restore read the whole archive (the held-back end released:
   * the commit "sent"), its session still in the one transaction.
   */
  let slowFile: string
  beforeAll(async () => {
    const database = await server.createDatabase('slow_index')
    await server.query(
      database,
      `CREATE FUNCTION public.slow(integer) RETURNS integer LANGUAGE sql IMMUTABLE
         AS 'SELECT $1 + (SELECT 0 FROM pg_catalog.pg_sleep(0.002))';
       CREATE TABLE public.big (id integer PRIMARY KEY, v integer NOT NULL);
       INSERT INTO public.big SELECT i, i FROM generate_series(1, 20000) i;
       CREATE INDEX big_v_idx ON public.big (public.slow(v));`
    )
    slowFile = path.join(work, 'slow-index.dump')
    await pgDumpTo(database, slowFile, ['-Fc'])
  }, 120_000)

  /** The action restoring the slow index's backup into a new database, once it builds the index. */
  async function restoreBuildingIndex(): Promise<{ target: string; step: ActionProcess }> {
    const target = await server.createDatabase()
    const step = startActionProcess(harness, {
      mode: 'restore',
      'database-url': server.url(target),
      'backup-file': slowFile
    })
    await waitUntil(
      'the load to build the index',
      async () => (await sessions(target, 'CREATE INDEX big_v_idx%')) > 0,
      step
    )
    return { target, step }
  }

  it.each([['SIGKILL'], ['SIGTERM']] as const)(
    'pg_restore %s while it builds an index: no session of the load runs on, the target empty, and what is said holds',
    async signal => {
      const { target, step } = await restoreBuildingIndex()
      const loaders = processesMentioning(step.runnerTemp).filter(p =>
        / \S*pg_restore /.test(` ${p.split(' ').slice(1).join(' ')} `)
      )
      expect(loaders).toHaveLength(1)
      process.kill(Number(loaders[0].split(' ')[0]), signal)
      expect(await step.exited).toBe(1)
      const errors = errorLines(step)
      expect(errors).toHaveLength(1)
      if (signal === 'SIGKILL') {
        // its session ran on, in the one transaction: ended, and the server's word asked
        expect(errors[0]).toContain('pg_restore was killed by SIGKILL')
        expect(errors[0]).toMatch(
          /Nothing was kept: the restore ran in one transaction, which was rolled back/
        )
      } else {
        // pg_restore cancels its statement and exits itself ("terminated by user"): its session
        // is gone with its transaction's ID, and the COMMIT it may have sent is not known
        expect(errors[0]).toContain('pg_restore: terminated by user')
        expect(errors[0]).toMatch(/Nothing was kept|may have committed/)
      }
      // no session of the load runs on once the action exited
      expect(await sessions(target)).toBe(0)
      expect(
        await server.query(target, `SELECT count(*)::int AS n FROM pg_class WHERE relname = 'big'`)
      ).toEqual([{ n: 0 }])
    },
    120_000
  )

  it('the action itself killed (SIGKILL) while pg_restore builds the index: pg_restore ends with it, nothing is committed (attacker a41 F4)', async () => {
    const { target, step } = await restoreBuildingIndex()
    step.child.kill('SIGKILL')
    await step.exited
    // the index would take some 40 s more, then pg_restore would commit the whole backup with
    // none of the checks after the load: the kernel's SIGTERM (setpriv --pdeathsig) ends it now
    await waitUntil(
      'pg_restore and its session to end',
      async () =>
        processesMentioning(step.runnerTemp).length === 0 && (await sessions(target)) === 0,
      undefined,
      15_000
    )
    expect(
      await server.query(target, `SELECT count(*)::int AS n FROM pg_class WHERE relname = 'big'`)
    ).toEqual([{ n: 0 }])
  }, 120_000)
})
