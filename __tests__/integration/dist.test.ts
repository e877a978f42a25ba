/**
 * The bundled action (dist/index.js) run the way the runner runs it: a Node 24 child process
 * with INPUT_* variables, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, against a real server and
 * the loopback artifact backend.
 */
import { beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { type ArtifactBackend, unzipEntries } from '../../dev/artifact-backend.js'
import { rowCounts, seedSample } from '../../dev/fixtures.js'
import { parseOutputs, runnerStep } from '../../dev/runner.js'
import { type TestServer, freePort } from '../../dev/postgres.js'
import { useHarness } from '../support/harness.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const DIST = path.join(root, 'dist/index.js')

const harness = useHarness({ name: 'dist-test' })
let server: TestServer
let backend: ArtifactBackend
let database: string
let work: string

beforeAll(async () => {
  if (!existsSync(DIST)) throw new Error('dist/index.js is missing: run npm run package')
  ;({ server, backend, work } = harness)
  database = await server.createDatabase('app_db')
  await seedSample(server, database)
}, 60_000)

interface RunResult {
  code: number | null
  stdout: string
  stderr: string
  outputs: Record<string, string>
  summary: string
  ms: number
  runnerTemp: string
}

/** Runs dist/index.js like the runner: INPUT_<NAME> (upper-case, dashes kept) for each input. */
function runAction(inputs: Record<string, string>): Promise<RunResult> {
  const dir = mkdtempSync(path.join(work, 'run-'))
  const { env, workspace, runnerTemp, outputFile, summaryFile } = runnerStep(
    dir,
    backend.env(),
    inputs
  )
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DIST], { env, cwd: workspace })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', d => (stdout += d))
    child.stderr.on('data', d => (stderr += d))
    child.on('error', reject)
    child.on('close', code =>
      resolve({
        code,
        stdout,
        stderr,
        outputs: parseOutputs(readFileSync(outputFile, 'utf8')),
        summary: readFileSync(summaryFile, 'utf8'),
        ms: Date.now() - started,
        runnerTemp
      })
    )
  })
}

function expectNoSecret(result: RunResult): void {
  for (const text of [
    result.stdout,
    result.stderr,
    result.summary,
    JSON.stringify(result.outputs)
  ]) {
    expect(text).not.toContain(server.password)
    expect(text).not.toContain(encodeURIComponent(server.password))
  }
}

it('runs on Node 24, like the runner (runs.using: node24)', () => {
  expect(process.versions.node.split('.')[0]).toBe('24')
  expect(readFileSync(path.join(root, 'action.yml'), 'utf8')).toMatch(/using: node24/)
})

describe('a backup run', () => {
  let result: RunResult

  beforeAll(async () => {
    result = await runAction({ 'database-url': server.url(database), 'retention-days': '5' })
  }, 120_000)

  it('exits 0 and sets every output from what it uploaded', async () => {
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' })
    const stored = backend.findArtifact('database-backup.zip', backend.currentRunId)!
    expect(stored).toBeDefined()
    const o = result.outputs
    expect(o['artifact-id']).toBe(String(stored.id))
    expect(o['artifact-name']).toBe('database-backup.zip')
    expect(o['artifact-digest']).toBe(stored.digest)
    expect(o['artifact-url']).toBe(
      `https://github.com/${backend.repository}/actions/runs/${backend.currentRunId}/artifacts/${stored.id}`
    )
    const entries = await unzipEntries(stored.bytes)
    const dump = entries.get(o['file-name'])!
    expect(dump).toBeDefined()
    expect(o['size-bytes']).toBe(String(dump.length))
    expect(o.sha256).toBe(createHash('sha256').update(dump).digest('hex'))
    expect(o['server-version']).toBe(server.version)
    expect(o['pg-dump-version']).toMatch(/^\d+\.\d+/)
    expect(Number(o['duration-seconds'])).toBeGreaterThan(0)
    const manifest = JSON.parse(entries.get('manifest.json')!.toString())
    const counts = await rowCounts(server, database)
    const tables = manifest.rowCounts.tables as Array<{
      schema: string
      name: string
      rows: number
    }>
    // the tables with data (not the partitioned parent, not the materialized view), each with
    // the rows the database holds; counted first, as an empty list would prove nothing
    const counted = Object.fromEntries(tables.map(t => [`${t.schema}.${t.name}`, t.rows]))
    expect(Object.keys(counted)).toHaveLength(Object.keys(counts).length - 2)
    expect(counts).toMatchObject(counted)
    const days = (stored.expiresAt!.getTime() - Date.now()) / 86_400_000
    expect(days).toBeGreaterThan(4.9)
    expect(days).toBeLessThan(5.1)
  })

  it('writes a job summary and masks the password', () => {
    expect(result.summary).toContain('Database backup')
    expect(result.summary).toContain(result.outputs['file-name'])
    // (workflow commands escape % as %25)
    expect(result.stdout).toContain(`::add-mask::${server.password.replace(/%/g, '%25')}\n`)
    expectNoSecret({ ...result, stdout: result.stdout.replace(/::add-mask::.*\n/g, '') })
  })

  it('leaves no temporary files behind', () => {
    expect(readdirSync(result.runnerTemp)).toEqual([])
  })
})

describe('bad input exits 1 with one clear message naming the input', () => {
  // each case in a workflow run of its own, so that no artifact name is taken already
  beforeEach(() => void backend.newRun())

  const cases: Array<[string, () => Record<string, string>, RegExp]> = [
    ['missing URL', () => ({}), /Input 'database-url': is required/],
    [
      'malformed URL',
      () => ({ 'database-url': 'mysql://root:pw@db/app' }),
      /Input 'database-url': is not a PostgreSQL URL/
    ],
    [
      'wrong password',
      () => ({ 'database-url': server.url(database, { password: 'wrong-Pa55' }) }),
      /Input 'database-url': could not connect to .*password authentication failed/
    ],
    [
      'unknown mode',
      () => ({ 'database-url': server.url(database), mode: 'archive' }),
      /Input 'mode': 'archive' is not one of/
    ],
    [
      'unknown format',
      () => ({ 'database-url': server.url(database), format: 'zip' }),
      /Input 'format': 'zip' is not one of/
    ],
    [
      'unknown compression',
      () => ({ 'database-url': server.url(database), compression: 'lz4' }),
      /Input 'compression': 'lz4' is not one of/
    ],
    [
      'retention-days 0',
      () => ({ 'database-url': server.url(database), 'retention-days': '0' }),
      /Input 'retention-days': 0 is out of range/
    ],
    [
      'retention-days abc',
      () => ({ 'database-url': server.url(database), 'retention-days': 'abc' }),
      /Input 'retention-days': 'abc' is not a whole number/
    ],
    [
      'a table filter matching nothing',
      () => ({
        'database-url': server.url(database),
        tables: 'public.nope',
        'artifact-name': 'filtered'
      }),
      /Input 'tables': the pattern 'public.nope' matches no table/
    ]
  ]

  it.each(cases)(
    '%s',
    async (_label, inputs, message) => {
      const before = backend.artifacts().length
      const result = await runAction(inputs())
      expect(result.code).toBe(1)
      const errors = result.stdout.split('\n').filter(l => l.startsWith('::error::'))
      expect(errors).toHaveLength(1)
      expect(errors[0]).toMatch(message)
      expect(result.summary).toContain('failed')
      expectNoSecret({ ...result, stdout: result.stdout.replace(/::add-mask::.*\n/g, '') })
      expect(backend.artifacts().length).toBe(before)
    },
    60_000
  )

  it('an unreachable host fails within ~15 s', async () => {
    // a loopback port that accepts TCP connections and never answers: a silent host
    const port = await freePort()
    const silent = net.createServer(() => undefined).listen(port, '127.0.0.1')
    try {
      const result = await runAction({
        'database-url': `postgresql://u:Secr3t-pw@127.0.0.1:${port}/db`
      })
      expect(result.code).toBe(1)
      expect(result.stdout).toMatch(
        /::error::Input 'database-url': could not connect to .*no answer .* within 10 s/
      )
      expect(result.ms).toBeLessThan(15_000)
      expect(result.stdout.replace(/::add-mask::.*\n/g, '')).not.toContain('Secr3t-pw')
    } finally {
      silent.close()
    }
  }, 30_000)

  it('nothing listening fails at once', async () => {
    const port = await freePort()
    const result = await runAction({ 'database-url': `postgresql://u:pw@127.0.0.1:${port}/db` })
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(
      /::error::Input 'database-url': could not connect to .*nothing accepts connections/
    )
  })
})
