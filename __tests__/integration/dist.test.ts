/**
 * The bundled action (dist/index.js) run the way the runner runs it: a Node 24 child process
 * with INPUT_* variables, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, against a real server and
 * the loopback artifact backend.
 */
import { beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs'
import http from 'node:http'
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

/** A monitoring service on loopback that records every ping: path, method and body. */
interface Monitor {
  url: string
  pings: Array<{ method: string; path: string; body: string }>
  close(): Promise<void>
}

async function startMonitor(answer: 'ok' | 'error' | 'hang'): Promise<Monitor> {
  const pings: Monitor['pings'] = []
  const hanging: http.ServerResponse[] = []
  const server = http.createServer((req, res) => {
    let body = ''
    req.on('data', d => (body += d))
    req.on('end', () => {
      pings.push({ method: req.method ?? '', path: req.url ?? '', body })
      if (answer === 'hang') return void hanging.push(res)
      res.writeHead(answer === 'ok' ? 200 : 500).end(answer === 'ok' ? 'OK' : 'down')
    })
  })
  const port = await freePort()
  await new Promise<void>(resolve => server.listen(port, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${port}/ping/0b1c-check?rid=7`,
    pings,
    close: () => {
      for (const res of hanging) res.destroy()
      server.closeAllConnections()
      return new Promise(resolve => server.close(() => resolve()))
    }
  }
}

describe("heartbeat-url: pings a dead man's switch", () => {
  beforeEach(() => void backend.newRun())

  it('a backup pings /start, then the URL itself with what it made; never a secret', async () => {
    const monitor = await startMonitor('ok')
    try {
      const result = await runAction({
        'database-url': server.url(database),
        'heartbeat-url': monitor.url
      })
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' })
      expect(monitor.pings.map(p => `${p.method} ${p.path}`)).toEqual([
        'POST /ping/0b1c-check/start?rid=7',
        'POST /ping/0b1c-check?rid=7'
      ])
      expect(monitor.pings[1].body).toContain(`backup ok: ${result.outputs['file-name']}`)
      expect(monitor.pings[1].body).toContain(`${result.outputs['size-bytes']} bytes`)
      for (const p of monitor.pings) expect(p.body).not.toContain(server.password)
      // the ping URL may hold the check's key: masked
      expect(result.stdout).toContain(`::add-mask::${monitor.url}`)
    } finally {
      await monitor.close()
    }
  }, 120_000)

  it('a failed run pings /fail with the error, also when another input is bad', async () => {
    const monitor = await startMonitor('ok')
    try {
      const result = await runAction({
        'database-url': server.url(database, { password: 'wrong-Pa55' }),
        'heartbeat-url': monitor.url
      })
      expect(result.code).toBe(1)
      expect(monitor.pings.map(p => p.path)).toEqual([
        '/ping/0b1c-check/start?rid=7',
        '/ping/0b1c-check/fail?rid=7'
      ])
      expect(monitor.pings[1].body).toMatch(
        /^backup failed after \d+ s: Input 'database-url': could not connect/
      )
      expect(monitor.pings[1].body).not.toContain('wrong-Pa55')
      monitor.pings.length = 0
      const bad = await runAction({
        'database-url': server.url(database),
        format: 'zip',
        'heartbeat-url': monitor.url
      })
      expect(bad.code).toBe(1)
      expect(monitor.pings.map(p => p.path)).toEqual([
        '/ping/0b1c-check/start?rid=7',
        '/ping/0b1c-check/fail?rid=7'
      ])
      expect(monitor.pings[1].body).toContain("Input 'format': 'zip' is not one of")
    } finally {
      await monitor.close()
    }
  }, 120_000)

  it.each([
    ['answers 500 (retried, then a warning)', 'error' as const],
    ['never answers (bounded, then a warning)', 'hang' as const]
  ])(
    'a monitor that %s never fails the backup',
    async (_label, answer) => {
      const monitor = await startMonitor(answer)
      try {
        const result = await runAction({
          'database-url': server.url(database),
          'heartbeat-url': monitor.url
        })
        expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' })
        expect(backend.findArtifact('database-backup.zip', backend.currentRunId)).toBeDefined()
        expect(result.stdout).toMatch(
          /::warning::Heartbeat: the success ping to heartbeat-url failed/
        )
        const paths = new Set(monitor.pings.map(p => p.path))
        expect([...paths]).toEqual(['/ping/0b1c-check/start?rid=7', '/ping/0b1c-check?rid=7'])
        if (answer === 'error') expect(monitor.pings.length).toBeGreaterThan(2)
        // two pings of at most 10 s each, the start one beside the backup
        expect(result.ms).toBeLessThan(40_000)
      } finally {
        await monitor.close()
      }
    },
    120_000
  )

  it('a heartbeat-url that is not an http(s) URL fails the step, naming the input', async () => {
    const result = await runAction({
      'database-url': server.url(database),
      'heartbeat-url': 'ftp://hc-ping.example/abc'
    })
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(/::error::Input 'heartbeat-url': must be an http\(s\) URL/)
  })
})

describe('what changed since the previous backup (manifest read by range requests)', () => {
  let changing: string

  beforeAll(async () => {
    changing = await server.createDatabase('changing_db')
    await seedSample(server, changing)
  }, 60_000)

  async function backupOf(extra: Record<string, string> = {}): Promise<RunResult> {
    backend.newRun()
    return runAction({
      'database-url': server.url(changing),
      'artifact-name': 'changing-backup',
      'github-token': backend.githubToken,
      ...extra
    })
  }

  it("compares rows and tables with the previous run's backup; fail-on-row-loss fails the step, keeping the backup", async () => {
    const first = await backupOf()
    expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: '' })
    expect(first.stdout).toMatch(
      /No comparison with the previous backup: this is the first backup named 'changing-backup' in [^ ]+ \(no earlier one was found\)\./
    )
    expect(first.stdout).not.toMatch(/Check artifact-name/)

    await server.query(
      changing,
      'DELETE FROM sales.price_history WHERE ctid <> (SELECT min(ctid) FROM sales.price_history)'
    )
    await server.query(changing, 'DROP TABLE public.session_cache')
    await server.query(
      changing,
      'CREATE TABLE public.added (id int); INSERT INTO public.added VALUES (1), (2)'
    )
    const second = await backupOf()
    expect({ code: second.code, stderr: second.stderr }).toEqual({ code: 0, stderr: '' })
    const stored = backend.findArtifact('changing-backup.zip', backend.currentRunId)!
    const manifest = JSON.parse((await unzipEntries(stored.bytes)).get('manifest.json')!.toString())
    const previousRun = backend.runs().at(-2)!.runId
    expect(manifest.changes).toMatchObject({
      previous: { runId: String(previousRun) },
      appeared: ['public.added'],
      vanished: ['public.session_cache'],
      shrunk: [{ table: 'sales.price_history', before: 4, after: 1 }],
      rowLossPercent: 50
    })
    expect(manifest.changes.rowsDelta).toBe(2 - 3 - 3)
    expect(second.stdout).toMatch(/::warning::.*public\.session_cache/)
    expect(second.stdout).toMatch(
      /::warning::sales\.price_history lost 75%25 of its rows since the previous backup \(4 → 1; threshold 50%25\)/
    )
    expect(second.summary).toContain('Since the previous backup')
    // storage arithmetic: the live artifacts of the name, and size × retention
    expect(second.summary).toMatch(
      /Artifact storage: 1 backup\(s\) of this name before this one, [\d.]+ [KM]i?B; with a backup a day kept 30 days, about [\d.]+ [KM]i?B/
    )
    expect(second.summary).toContain('public.added')
    // the comparison read parts of the previous zip (206), never its whole blob (200)
    const blobReads = backend.requests.filter(r => r.endpoint === 'blob:get')
    expect(blobReads.length).toBeGreaterThan(0)
    expect(blobReads.map(r => r.status)).toEqual(blobReads.map(() => 206))

    await server.query(changing, 'DELETE FROM sales.orders')
    const third = await backupOf({ 'fail-on-row-loss': 'true', 'row-loss-threshold': '90' })
    expect(third.code).toBe(1)
    expect(third.stdout).toMatch(
      /::error::.*the backup was made and kept, but compared with the previous one: .*sales\.orders lost 100%25 of its rows/
    )
    expect(backend.findArtifact('changing-backup.zip', backend.currentRunId)).toBeDefined()
    expect(third.summary).toContain('Database backup')
  }, 240_000)

  it('without a token there is no comparison and no error', async () => {
    const result = await backupOf({ 'github-token': '' })
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' })
    expect(result.stdout).not.toContain('Compare with the previous backup')
  }, 120_000)
})

describe('mode: check — is the newest backup fresh and whole? (manifest only)', () => {
  const name = 'checked-backup'

  async function checkRun(extra: Record<string, string>): Promise<RunResult> {
    return runAction({
      mode: 'check',
      'artifact-name': name,
      'github-token': backend.githubToken,
      ...extra
    })
  }

  it('passes on a fresh backup, with its time and age in the outputs; no database-url needed', async () => {
    backend.newRun()
    const made = await runAction({ 'database-url': server.url(database), 'artifact-name': name })
    expect(made.code).toBe(0)
    const backupRun = backend.currentRunId
    backend.newRun()
    const result = await checkRun({})
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' })
    const stored = backend.findArtifact(`${name}.zip`, backupRun)!
    expect(result.outputs['restored-from']).toBe(`artifact ${stored.id} (run ${backupRun})`)
    expect(Date.parse(result.outputs['backup-created-at'])).toBeLessThanOrEqual(Date.now())
    expect(Number(result.outputs['backup-age-seconds'])).toBeLessThan(120)
    expect(result.outputs.sha256).toBe(made.outputs.sha256)
    expect(result.summary).toContain('Backup check: fresh')
    // only ranges of the zip were read, never the whole blob
    const reads = backend.requests.filter(r => r.endpoint === 'blob:get')
    expect(reads.map(r => r.status)).toEqual(reads.map(() => 206))
  }, 120_000)

  it('fails on a backup older than max-age, naming its run and time; verify with max-age restores nothing', async () => {
    await new Promise(resolve => setTimeout(resolve, 2_100))
    const result = await checkRun({ 'max-age': '2s' })
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(
      /::error::the newest backup \(artifact \d+ \(run \d+\)\) was made .*Z, \d+s ago: older than max-age \(2s\)/
    )
    const scratch = await server.createDatabase('check_scratch')
    const verified = await runAction({
      mode: 'verify',
      'verify-database-url': server.url(scratch),
      'artifact-name': name,
      'github-token': backend.githubToken,
      'max-age': '2s'
    })
    expect(verified.code).toBe(1)
    expect(verified.stdout).toMatch(/::error::the newest backup .* older than max-age \(2s\)/)
    const tables = await server.query(
      scratch,
      "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
    )
    expect(tables).toEqual([{ n: 0 }])
  }, 120_000)

  it('fails when there is no backup, or when its sizes do not add up', async () => {
    const none = await checkRun({ 'artifact-name': 'never-made' })
    expect(none.code).toBe(1)
    expect(none.stdout).toMatch(
      /::error::no artifact named 'never-made\.zip' or 'never-made' exists/
    )

    const real = backend.findArtifact(`${name}.zip`)!
    const manifest = JSON.parse((await unzipEntries(real.bytes)).get('manifest.json')!.toString())
    manifest.file.sizeBytes = real.size * 10
    manifest.createdAt = new Date().toISOString()
    await backend.seedArtifact({
      name: 'lying-backup.zip',
      files: { [manifest.file.name]: 'short', 'manifest.json': JSON.stringify(manifest) }
    })
    const lying = await checkRun({ 'artifact-name': 'lying-backup' })
    expect(lying.code).toBe(1)
    expect(lying.stdout).toMatch(
      /::error::the newest backup .* does not look whole: the artifact \(\d+ bytes\) is smaller than the file its manifest describes/
    )
  }, 120_000)

  it('max-age that is not a duration names the input', async () => {
    const result = await checkRun({ 'max-age': 'yesterday' })
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(/::error::Input 'max-age': 'yesterday' is not a duration/)
  })
})

describe('roles through dist/index.js: globals: true, then create-roles: true (issue 20 item 4)', () => {
  it("backs up the cluster's roles beside the dump and creates the missing ones on restore; owner and grant come back; the summary gives each phase's time", async () => {
    const source = await server.createDatabase('roles_src')
    await server.query(
      'postgres',
      `CREATE ROLE dist_owner LOGIN; CREATE ROLE dist_reader NOLOGIN; GRANT dist_reader TO dist_owner;`
    )
    await server.query(
      source,
      `CREATE TABLE public.ledger (id int PRIMARY KEY, note text);
       INSERT INTO public.ledger VALUES (1, 'one'), (2, 'two');
       ALTER TABLE public.ledger OWNER TO dist_owner;
       GRANT SELECT ON public.ledger TO dist_reader;`
    )
    const name = 'roles-backup'
    const made = await runAction({
      'database-url': server.url(source),
      'artifact-name': name,
      globals: 'true'
    })
    expect({ code: made.code, stderr: made.stderr }).toEqual({ code: 0, stderr: '' })
    // dist_owner, dist_reader and the server's own (postgres, …)
    expect(Number(made.outputs['roles-backed-up'])).toBeGreaterThanOrEqual(3)
    const entries = await unzipEntries(
      backend.findArtifact(`${name}.zip`, backend.currentRunId)!.bytes
    )
    const globals = [...entries.keys()].find(k => k.endsWith('.globals.sql'))!
    expect(entries.get(globals)!.toString()).toMatch(/CREATE ROLE dist_owner;/)
    expect(entries.get(globals)!.toString()).not.toMatch(/PASSWORD/)
    expect(made.summary).toMatch(/\| Phase \| s \|/)

    // the roles go away (with what they own in the source), as on a new server
    await server.query(source, 'DROP OWNED BY dist_owner, dist_reader')
    await server.query('postgres', 'DROP ROLE dist_owner; DROP ROLE dist_reader')
    const target = await server.createDatabase('roles_target')
    const restored = await runAction({
      mode: 'restore',
      'database-url': server.url(target),
      'artifact-name': name,
      'github-token': backend.githubToken,
      'create-roles': 'true',
      'no-owner': 'false',
      'no-privileges': 'false'
    })
    expect({ code: restored.code, stderr: restored.stderr }).toEqual({ code: 0, stderr: '' })
    expect(restored.outputs['roles-created']).toMatch(/dist_owner/)
    expect(restored.outputs['roles-created']).toMatch(/dist_reader/)
    const [row] = await server.query<{
      owner: string
      reads: boolean
      member: boolean
      rows: number
    }>(
      target,
      `SELECT pg_get_userbyid(c.relowner) AS owner,
              has_table_privilege('dist_reader', 'public.ledger', 'SELECT') AS reads,
              pg_has_role('dist_owner', 'dist_reader', 'MEMBER') AS member,
              (SELECT count(*)::int FROM public.ledger) AS rows
         FROM pg_class c WHERE c.oid = 'public.ledger'::regclass`
    )
    expect(row).toEqual({ owner: 'dist_owner', reads: true, member: true, rows: 2 })
    expect(restored.summary).toMatch(/\| Roles created \| 2: /)
    expect(restored.summary).toMatch(/\| Phase \| s \|/)
    expectNoSecret(restored)
  }, 180_000)
})
