/**
 * Passwords pasted into a URL without percent-encoding: the action (src/index.ts as the runner
 * starts it) and the command line fail with a percent-encoding message, and no piece of 4 or more
 * characters of the password reaches anything they print or write: the log (workflow commands
 * other than ::add-mask::, which the runner consumes), stderr, the job summary, the outputs.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseOutputs, runnerStep } from '../../dev/runner.js'

const ROOT = path.resolve(import.meta.dirname, '../..')
const TSX = path.join(ROOT, 'node_modules/.bin/tsx')

let work: string
beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'url-secrets-'))
})
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** [URL, the password its author meant]; hosts are loopback ports nothing listens on. */
const URLS: Array<[string, string]> = [
  ['postgresql://app:Pa@2025#xK@127.0.0.1:9/db', 'Pa@2025#xK'],
  ['postgresql://app:Pa@2025#xK@db.example.invalid/db?sslmode=require', 'Pa@2025#xK'],
  ['postgresql://app:Qz7/Lm9@127.0.0.1:9/db', 'Qz7/Lm9'],
  ['postgresql://app:Ab@12?Cd34@127.0.0.1:9/db', 'Ab@12?Cd34'],
  ['postgresql://deploy:Zx9@Qw#7/Lp?Rt@127.0.0.1:9/postgres?pgbouncer=true', 'Zx9@Qw#7/Lp?Rt'],
  ['postgres://u:Hq2@@127.0.0.1:9/db', 'Hq2@'],
  ['postgresql://app:sEcr@9tQv@127.0.0.1:9/db?application_name=nightly@ci', 'sEcr@9tQv']
]

interface Run {
  code: number | null
  texts: string[]
}

function spawnCollect(
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string
): Promise<Run & { stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, args, { env, cwd })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', d => (stdout += d))
    child.stderr.on('data', d => (stderr += d))
    child.on('error', reject)
    child.on('close', code => resolve({ code, stdout, stderr, texts: [] }))
  })
}

async function runAction(url: string): Promise<Run> {
  const dir = mkdtempSync(path.join(work, 'run-'))
  const step = runnerStep(dir, {}, { 'database-url': url, 'connect-timeout-seconds': '2' })
  const r = await spawnCollect([path.join(ROOT, 'src/index.ts')], step.env, step.workspace)
  // what the runner shows: every line but the ::add-mask:: commands it consumes
  const log = r.stdout
    .split('\n')
    .filter(line => !line.startsWith('::add-mask::'))
    .join('\n')
  return {
    code: r.code,
    texts: [
      log,
      r.stderr,
      readFileSync(step.summaryFile, 'utf8'),
      JSON.stringify(parseOutputs(readFileSync(step.outputFile, 'utf8')))
    ]
  }
}

async function runCli(url: string): Promise<Run> {
  const r = await spawnCollect(
    [path.join(ROOT, 'src/cli.ts'), 'backup', '--output-dir', path.join(work, 'out')],
    { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: url },
    work
  )
  return { code: r.code, texts: [r.stdout, r.stderr] }
}

function pieces(password: string): string[] {
  const out: string[] = []
  for (let i = 0; i + 4 <= password.length; i++) out.push(password.slice(i, i + 4))
  return out
}

describe('a password pasted without percent-encoding', () => {
  it.each(URLS)(
    '%s: the action fails with the fix and prints no piece of the password',
    async (url, password) => {
      const run = await runAction(url)
      expect(run.code).not.toBe(0)
      const all = run.texts.join('\n')
      expect(all).toMatch(/Input 'database-url': cannot be read as written/)
      expect(all).toMatch(/@ → %40, # → %23, \/ → %2F, \? → %3F/)
      for (const piece of pieces(password)) {
        for (const text of run.texts) expect(text).not.toContain(piece)
      }
    },
    60_000
  )

  it.each(URLS.slice(0, 3))(
    '%s: the command line too',
    async (url, password) => {
      const run = await runCli(url)
      expect(run.code).toBe(2)
      expect(run.texts.join('\n')).toMatch(
        /Environment variable DATABASE_URL: cannot be read as written/
      )
      for (const piece of pieces(password)) {
        for (const text of run.texts) expect(text).not.toContain(piece)
      }
    },
    60_000
  )
})

describe('a password whose pieces are words of the explanation', () => {
  it('masks the password, not the words: the percent-encoding explanation reaches the log whole', async () => {
    const password = 'pass#word@x'
    const run = await runAction(`postgresql://app:${password}@127.0.0.1:9/db`)
    expect(run.code).not.toBe(0)
    // the runner's log as the runner shows it: workflow commands escape '%' as %25
    const log = run.texts[0].replace(/%25/g, '%')
    expect(log).toContain(
      'Percent-encode the user name and password in the URL: @ → %40, # → %23, / → %2F, ? → %3F, : → %3A, % → %25 (postgresql://user:p%40ss%23word@host:5432/dbname;'
    )
    for (const text of run.texts) {
      for (const secret of [password, 'pass#word', 'pass%23word', '#word@x', 'word@x']) {
        expect(text).not.toContain(secret)
      }
    }
  }, 60_000)
})

describe('the URL an ORM hands out (command line)', () => {
  it('runs with Prisma-only parameters left out, naming them all in one notice', async () => {
    const run = await runCli(
      'postgresql://app:pw@127.0.0.1:9/db?connection_limit=1&pool_timeout=10&schema=public&socket_timeout=30&connect_timeout=2'
    )
    const log = run.texts.join('\n')
    expect(log).toMatch(
      /Environment variable DATABASE_URL: left out connection_limit, pool_timeout, schema, socket_timeout — parameters of ORMs/
    )
    expect(log).toMatch(/give --schemas public/)
    // and it went on to connect (nothing listens there)
    expect(log).toMatch(
      /Environment variable DATABASE_URL: could not connect to app@127\.0\.0\.1:9\/db: nothing accepts connections/
    )
  }, 60_000)

  it('treats pgbouncer=true as the transaction pooler, and names every unknown parameter at once', async () => {
    const pooled = await runCli(
      'postgresql://app:pw@127.0.0.1:9/db?pgbouncer=true&connection_limit=1'
    )
    expect(pooled.texts.join('\n')).toMatch(
      /Environment variable DATABASE_URL: has pgbouncer=true .*directUrl/
    )
    const unknown = await runCli(
      'postgresql://app:pw@127.0.0.1:9/db?frobnicate=1&connection_limit=1&zzz=2'
    )
    expect(unknown.texts.join('\n')).toMatch(
      /Environment variable DATABASE_URL: has parameters that libpq \(pg_dump, psql\) does not know: frobnicate, zzz\./
    )
  }, 60_000)
})

describe("libpq's keyword/value form, malformed after password= (a10 #12)", () => {
  it.each([
    ["host=127.0.0.1 port=9 user=app password='Kx9 Wv4pLmQz dbname=db", 'Kx9 Wv4pLmQz'],
    ['host=127.0.0.1 port=9 user=app password=Kx9 Wv4pLmQz dbname=db', 'Kx9 Wv4pLmQz'],
    ['host=127.0.0.1 port=9 user=app password=Kx9 Wv4pLmQz=x dbname=db', 'Kx9 Wv4pLmQz=x']
  ])(
    '%s: the action fails with the quoting rule and prints no piece of the password',
    async (text, password) => {
      const run = await runAction(text)
      expect(run.code).not.toBe(0)
      const all = run.texts.join('\n')
      expect(all).toMatch(/Input 'database-url': has\b/)
      expect(all).toMatch(/written in single quotes/)
      for (const piece of pieces(password)) {
        for (const text of run.texts) expect(text).not.toContain(piece)
      }
    },
    60_000
  )
})
