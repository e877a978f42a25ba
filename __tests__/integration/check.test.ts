/**
 * mode: check from the sources (src/main.ts run(), as the runner runs it) and from the command
 * line (src/cli.ts): with signing-key the newest backup's manifest must be signed with that key
 * (unsigned, mis-signed and altered manifests fail, naming the run); the max-age error names the
 * run once. Against a real server and the loopback artifact backend.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { type ArtifactBackend, unzipEntries } from '../../dev/artifact-backend.js'
import { seedSample } from '../../dev/fixtures.js'
import type { TestServer } from '../../dev/postgres.js'
import { useHarness } from '../support/harness.js'
import { type Step, useInProcessStep } from '../support/step.js'
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { createS3Client } from '../../src/storage/s3.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const harness = useHarness({ name: 'check-test', s3Buckets: ['checked'] })
// the S3 server's credentials, which the harness put in the environment
const runStep = useInProcessStep(harness, () =>
  Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('AWS_')))
)
const KEY = 'c0ffee'.repeat(6) + 'a1b2'
const OTHER_KEY = 'beef'.repeat(10)
let server: TestServer
let backend: ArtifactBackend
let database: string

beforeAll(async () => {
  ;({ server, backend } = harness)
  database = await server.createDatabase('check_db')
  await seedSample(server, database)
}, 60_000)

/** A backup of the sample database as artifact `name`, in a run of its own: its artifact and run. */
async function backupAs(
  name: string,
  extra: Record<string, string> = {}
): Promise<{ id: number; runId: number }> {
  const made = await runStep({
    'database-url': server.url(database),
    'artifact-name': name,
    ...extra
  })
  expect(made.error).toBeUndefined()
  const stored = backend.findArtifact(`${name}.zip`, backend.currentRunId)!
  return { id: stored.id, runId: backend.currentRunId }
}

const checkOf = (name: string, extra: Record<string, string> = {}): Promise<Step> =>
  runStep({ mode: 'check', 'artifact-name': name, 'github-token': backend.githubToken, ...extra })

describe('mode: check with signing-key', () => {
  let signed: { id: number; runId: number }

  beforeAll(async () => {
    signed = await backupAs('signed-backup', { 'signing-key': KEY })
  }, 120_000)

  it('passes on a backup signed with the key, after checking its signature', async () => {
    const step = await checkOf('signed-backup', { 'signing-key': KEY })
    expect(step.error).toBeUndefined()
    expect(step.outputs['backup-checked']).toBe(`artifact ${signed.id} (run ${signed.runId})`)
    expect(step.outputs['restored-from']).toBe(step.outputs['backup-checked'])
    expect(step.stdout).toContain('The manifest is signed with this signing-key')
    expect(step.summary).toContain('Backup check: fresh')
    expect(step.summary).toMatch(/\| Check the signature \| \d+\.\d \|/)
    expect(step.summary).not.toContain(KEY)
  })

  it('fails under another key, naming the artifact and its run', async () => {
    const step = await checkOf('signed-backup', { 'signing-key': OTHER_KEY })
    expect(step.error?.message).toBe(
      `the newest backup (artifact ${signed.id} (run ${signed.runId}))'s signature does not match its manifest under this signing-key: it was signed with another key, or its manifest or signature was changed. The check fails: a restore with this signing-key would refuse this backup.`
    )
    expect(step.summary).toContain('Database check failed')
    expect(step.outputs).toEqual({})
  })

  it('fails on an unsigned backup, naming the artifact and its run', async () => {
    const unsigned = await backupAs('unsigned-backup')
    const plain = await checkOf('unsigned-backup')
    expect(plain.error).toBeUndefined()
    const step = await checkOf('unsigned-backup', { 'signing-key': KEY })
    expect(step.error?.message).toMatch(
      new RegExp(
        `^the newest backup \\(artifact ${unsigned.id} \\(run ${unsigned.runId}\\)\\) is not signed \\(no manifest\\.json\\.sig beside its manifest\\); with signing-key set only backups signed with that key count .* The check fails`
      )
    )
  }, 120_000)

  it('fails on a signed manifest that was altered (its signature kept)', async () => {
    const real = backend.findArtifact('signed-backup.zip', signed.runId)!
    const entries = await unzipEntries(real.bytes)
    const manifest = JSON.parse(entries.get('manifest.json')!.toString()) as {
      file: { name: string }
      rowCounts: { totalRows: number }
    }
    expect(entries.get('manifest.json.sig')!.toString()).toMatch(/^hmac-sha256-v1:[0-9a-f]{64}\n$/)
    manifest.rowCounts.totalRows += 1
    backend.newRun()
    const seeded = await backend.seedArtifact({
      name: 'altered-backup.zip',
      files: {
        [manifest.file.name]: entries.get(manifest.file.name)!,
        'manifest.json': JSON.stringify(manifest, null, 2),
        'manifest.json.sig': entries.get('manifest.json.sig')!
      }
    })
    const step = await checkOf('altered-backup', { 'signing-key': KEY })
    expect(step.error?.message).toMatch(
      new RegExp(
        `^the newest backup \\(artifact ${seeded.id} \\(run \\d+\\)\\)'s signature does not match its manifest`
      )
    )
  }, 60_000)
})

describe('mode: check with signing-key, newest under an S3 prefix', () => {
  const s3 = (prefix: string): Record<string, string> => ({
    's3-uri': `s3://checked/${prefix}/`,
    's3-endpoint': harness.s3.endpoint
  })
  const backupTo = async (prefix: string, extra: Record<string, string> = {}): Promise<string> => {
    const made = await runStep({
      'database-url': server.url(database),
      artifact: 'false',
      ...s3(prefix),
      ...extra
    })
    expect(made.error).toBeUndefined()
    expect(made.outputs['s3-uri']).toMatch(new RegExp(`^s3://checked/${prefix}/`))
    return made.outputs['s3-uri']
  }

  it('passes signed with the key; fails under another key and when unsigned, naming the object', async () => {
    const signedUri = await backupTo('signed', { 'signing-key': KEY })
    const ok = await runStep({ mode: 'check', ...s3('signed'), 'signing-key': KEY })
    expect(ok.error).toBeUndefined()
    expect(ok.outputs['backup-checked']).toBe(signedUri)
    expect(ok.stdout).toContain('The manifest is signed with this signing-key')

    const other = await runStep({ mode: 'check', ...s3('signed'), 'signing-key': OTHER_KEY })
    expect(other.error?.message).toBe(
      `the newest backup (${signedUri})'s signature does not match its manifest under this signing-key: it was signed with another key, or its manifest or signature was changed. The check fails: a restore with this signing-key would refuse this backup.`
    )

    const unsignedUri = await backupTo('unsigned')
    const plain = await runStep({ mode: 'check', ...s3('unsigned') })
    expect(plain.error).toBeUndefined()
    const unsigned = await runStep({ mode: 'check', ...s3('unsigned'), 'signing-key': KEY })
    expect(unsigned.error?.message).toContain(
      `the newest backup (${unsignedUri}) is not signed (no manifest.json.sig beside its manifest)`
    )
  }, 120_000)
})

describe('mode: check on S3 looks at the stored objects, not only the manifest', () => {
  const s3 = (prefix: string): Record<string, string> => ({
    's3-uri': `s3://checked/${prefix}/`,
    's3-endpoint': harness.s3.endpoint
  })
  const keyOf = (uri: string): string => uri.slice('s3://checked/'.length)
  const aws = (): Record<string, string> =>
    Object.fromEntries(
      Object.entries(process.env).filter((e): e is [string, string] => e[0].startsWith('AWS_'))
    )

  it('fails (exit 3) on an empty, truncated or missing dump or globals file, naming the object; restore fails before downloading it', async () => {
    const made = await runStep({
      'database-url': server.url(database),
      artifact: 'false',
      globals: 'true',
      ...s3('objects')
    })
    expect(made.error).toBeUndefined()
    const uri = made.outputs['s3-uri']
    const client = createS3Client({ endpoint: harness.s3.endpoint, forcePathStyle: true })
    const read = async (key: string): Promise<Buffer> => {
      const out = await client.send(new GetObjectCommand({ Bucket: 'checked', Key: key }))
      return Buffer.from(await out.Body!.transformToByteArray())
    }
    const put = (key: string, body: Buffer): Promise<unknown> =>
      client.send(new PutObjectCommand({ Bucket: 'checked', Key: key, Body: body }))
    const dump = await read(keyOf(uri))
    const manifest = JSON.parse((await read(`${keyOf(uri)}.manifest.json`)).toString()) as {
      file: { name: string; sizeBytes: number }
      globals?: { name: string; sizeBytes: number }
    }
    expect(manifest.file.sizeBytes).toBe(dump.length)
    const whole = await runStep({ mode: 'check', ...s3('objects') })
    expect(whole.error).toBeUndefined()

    await put(keyOf(uri), dump.subarray(0, Math.floor(dump.length / 2)))
    const truncated = await runStep({ mode: 'check', ...s3('objects') })
    expect(truncated.error?.message).toContain('does not look whole')
    expect(truncated.error?.message).toContain(
      `the dump ${uri} is ${Math.floor(dump.length / 2)} bytes, but its manifest records ${dump.length} bytes (truncated)`
    )
    // restore: fails before the download, naming the object and its manifest
    const target = await server.createDatabase('check_truncated_restore')
    const restored = await runStep({
      mode: 'restore',
      'database-url': server.url(target),
      'backup-uri': uri,
      's3-endpoint': harness.s3.endpoint
    })
    expect(restored.error?.message).toContain(
      `${uri} is ${Math.floor(dump.length / 2)} bytes, but its manifest (${uri}.manifest.json) records ${dump.length}: the object is truncated. Nothing was restored.`
    )

    await put(keyOf(uri), Buffer.alloc(0))
    const empty = await runStep({ mode: 'check', ...s3('objects') })
    expect(empty.error?.message).toContain(`the dump ${uri} is empty (0 bytes)`)

    await client.send(new DeleteObjectCommand({ Bucket: 'checked', Key: keyOf(uri) }))
    const missing = await runStep({ mode: 'check', ...s3('objects') })
    expect(missing.error?.message).toContain(
      `does not look whole: the dump ${uri} is missing (its manifest is there); a restore of it would fail`
    )
    // the command line: exit 3, as a failed check
    const cli = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(
        path.join(root, 'node_modules/.bin/tsx'),
        [
          path.join(root, 'src/cli.ts'),
          'check',
          '--s3-uri',
          's3://checked/objects/',
          '--s3-endpoint',
          harness.s3.endpoint
        ],
        { cwd: harness.work, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...aws() } }
      )
      let stderr = ''
      child.stderr.on('data', d => (stderr += d))
      child.on('error', reject)
      child.on('close', code => resolve({ code, stderr }))
    })
    expect(cli.code).toBe(3)
    expect(cli.stderr).toContain(`the dump ${uri} is missing`)

    // the dump back; its globals file (globals: true) truncated
    await put(keyOf(uri), dump)
    expect(manifest.globals?.name.startsWith(manifest.file.name)).toBe(true)
    const globalsKey = `${keyOf(uri)}${manifest.globals!.name.slice(manifest.file.name.length)}`
    await put(globalsKey, (await read(globalsKey)).subarray(0, 10))
    const globals = await runStep({ mode: 'check', ...s3('objects') })
    expect(globals.error?.message).toContain(
      `the roles (globals) file s3://checked/${globalsKey} is 10 bytes, but its manifest records ${manifest.globals!.sizeBytes} bytes`
    )
  }, 180_000)
})

describe('max-age', () => {
  it('the error names the newest backup and its run once', async () => {
    const made = await backupAs('aging-backup')
    await new Promise(resolve => setTimeout(resolve, 2_100))
    const step = await checkOf('aging-backup', { 'max-age': '2s' })
    const message = step.error?.message ?? ''
    expect(message).toMatch(
      new RegExp(
        `^the newest backup \\(artifact ${made.id} \\(run ${made.runId}\\)\\) was made \\S+Z, \\d+s ago: older than max-age \\(2s\\)\\.`
      )
    )
    expect(message.split(`run ${made.runId}`)).toHaveLength(2)
  }, 120_000)
})

describe('a manifest dated later than it can have been made (attacker a41 F1)', () => {
  it('2099, or after GitHub stored the artifact: the check fails, naming the date; never a negative age', async () => {
    const made = await backupAs('dated-backup')
    const real = backend.findArtifact('dated-backup.zip', made.runId)!
    const entries = await unzipEntries(real.bytes)
    const manifest = JSON.parse(entries.get('manifest.json')!.toString()) as {
      file: { name: string }
      createdAt: string
    }
    for (const [name, createdAt, message] of [
      [
        'future-backup',
        '2099-01-01T00:00:00.000Z',
        /says it was made 2099-01-01T00:00:00\.000Z, after GitHub stored it \(\S+Z\): its manifest's date is wrong/
      ],
      [
        'late-backup',
        new Date(Date.now() + 60_000).toISOString(),
        /says it was made \S+Z, after GitHub stored it \(\S+Z\): its manifest's date is wrong/
      ]
    ] as const) {
      backend.newRun()
      const seeded = await backend.seedArtifact({
        name: `${name}.zip`,
        files: {
          [manifest.file.name]: entries.get(manifest.file.name)!,
          'manifest.json': JSON.stringify({ ...manifest, createdAt }, null, 2)
        }
      })
      if (name === 'late-backup')
        backend.patchArtifact(seeded.id, { createdAt: new Date(Date.now() - 30 * 60_000) })
      const step = await checkOf(name, { 'max-age': '2d' })
      expect(step.error?.message).toMatch(message)
      expect(step.outputs['backup-age-seconds'] ?? '0').not.toMatch(/^-/)
    }
    // the honest one passes, with its age
    const honest = await checkOf('dated-backup', { 'max-age': '2d' })
    expect(honest.error).toBeUndefined()
    expect(Number(honest.outputs['backup-age-seconds'])).toBeGreaterThanOrEqual(0)
  }, 120_000)
})

describe('the command line: postgres-backup-action check', () => {
  function cli(
    args: string[],
    env: Record<string, string>
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(
        path.join(root, 'node_modules/.bin/tsx'),
        [path.join(root, 'src/cli.ts'), ...args],
        {
          cwd: harness.work,
          env: { PATH: process.env.PATH, HOME: process.env.HOME, ...backend.env(), ...env }
        }
      )
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', d => (stdout += d))
      child.stderr.on('data', d => (stderr += d))
      child.on('error', reject)
      child.on('close', code => resolve({ code, stdout, stderr }))
    })
  }

  it('finds the newest artifact with GITHUB_TOKEN, checks its age and its signature', async () => {
    const made = await backupAs('cli-checked', { 'signing-key': KEY })
    const fresh = await cli(['check', '--artifact-name', 'cli-checked', '--max-age', '1h'], {
      GITHUB_TOKEN: backend.githubToken,
      BACKUP_SIGNING_KEY: KEY
    })
    expect({ code: fresh.code, stderr: fresh.stderr }).toEqual({ code: 0, stderr: '' })
    expect(fresh.stdout).toContain(`✔ Fresh: artifact ${made.id} (run ${made.runId}), made `)
    expect(fresh.stdout).toContain('The manifest is signed with this BACKUP_SIGNING_KEY')
    expect(fresh.stdout).not.toContain(backend.githubToken)

    const misSigned = await cli(['check', '--artifact-name', 'cli-checked'], {
      GITHUB_TOKEN: backend.githubToken,
      BACKUP_SIGNING_KEY: OTHER_KEY
    })
    expect(misSigned.code).toBe(3)
    expect(misSigned.stderr).toContain(
      `✖ the newest backup (artifact ${made.id} (run ${made.runId}))'s signature does not match`
    )

    await new Promise(resolve => setTimeout(resolve, 2_100))
    const stale = await cli(['check', '--artifact-name', 'cli-checked', '--max-age', '2s'], {
      GITHUB_TOKEN: backend.githubToken
    })
    expect(stale.code).toBe(3)
    expect(stale.stderr).toMatch(
      new RegExp(
        `✖ the newest backup \\(artifact ${made.id} \\(run ${made.runId}\\)\\) was made .* older than --max-age \\(2s\\)`
      )
    )
  }, 120_000)

  it('no backup under the name or the prefix: exit 3, as a stale one (backups stopped or never ran)', async () => {
    const artifact = await cli(['check', '--artifact-name', 'never-made'], {
      GITHUB_TOKEN: backend.githubToken
    })
    expect(artifact.code).toBe(3)
    expect(artifact.stderr).toMatch(/no artifact named 'never-made\S*' .*exists in /)
    const aws = Object.fromEntries(
      Object.entries(process.env).filter((e): e is [string, string] => e[0].startsWith('AWS_'))
    )
    const s3 = await cli(
      ['check', '--s3-uri', 's3://checked/nothing-here/', '--s3-endpoint', harness.s3.endpoint],
      aws
    )
    expect(s3.code).toBe(3)
    expect(s3.stderr).toContain('no backup found under s3://checked/nothing-here/')
    const named = await cli(
      [
        'check',
        '--backup-uri',
        's3://checked/nothing-here/shop.dump',
        '--s3-endpoint',
        harness.s3.endpoint
      ],
      aws
    )
    expect({ code: named.code, stderr: named.stderr }).toEqual({
      code: 3,
      stderr: expect.stringContaining('nothing-here/shop.dump.manifest.json')
    })
  }, 60_000)

  it('restores a backup in S3 (--s3-uri, as the action does); --run-id names the way that works; check without options names --s3-uri', async () => {
    const aws = Object.fromEntries(
      Object.entries(process.env).filter((e): e is [string, string] => e[0].startsWith('AWS_'))
    )
    const made = await runStep({
      'database-url': server.url(database),
      artifact: 'false',
      's3-uri': 's3://checked/cli-restore/',
      's3-endpoint': harness.s3.endpoint
    })
    expect(made.error).toBeUndefined()
    const target = await server.createDatabase('cli_s3_restored')
    const restored = await cli(
      ['restore', '--s3-uri', 's3://checked/cli-restore/', '--s3-endpoint', harness.s3.endpoint],
      { ...aws, DATABASE_URL: server.url(target) }
    )
    expect({ code: restored.code, stderr: restored.stderr }).toEqual({ code: 0, stderr: '' })
    expect(restored.stdout).toContain(`✔ Restored ${made.outputs['s3-uri']}: `)
    const counted = await server.query(
      target,
      'SELECT count(*)::int AS n FROM pg_class WHERE relkind = $1 AND relnamespace = $2::regnamespace',
      ['r', 'public']
    )
    expect((counted[0] as { n: number }).n).toBeGreaterThan(0)

    const byRun = await cli(['restore', '--run-id', '5'], { DATABASE_URL: server.url(target) })
    expect(byRun.code).toBe(2)
    expect(byRun.stderr).toContain(
      "--run-id: restore on the command line does not download a workflow's artifact. Download it first: gh run download <run-id>"
    )
    expect(byRun.stderr).toContain('--backup-uri s3://bucket/key')

    const bare = await cli(['check'], {})
    expect(bare.code).toBe(2)
    expect(bare.stderr).toContain('--s3-uri s3://bucket/prefix/')
  }, 120_000)

  it('restore --help gives each option its first sentence; --help-all the whole description', async () => {
    const short = await cli(['restore', '--help'], {})
    const all = await cli(['restore', '--help-all'], {})
    expect({ short: short.code, all: all.code }).toEqual({ short: 0, all: 0 })
    expect(short.stdout).toMatch(/--backup-uri/)
    expect(short.stdout).toMatch(/\(--help-all\)/)
    expect(short.stdout.split('\n').length).toBeLessThan(120)
    expect(all.stdout.split('\n').length).toBeGreaterThan(short.stdout.split('\n').length + 60)
    expect(all.stdout).not.toMatch(/\(--help-all\)/)
  }, 60_000)

  it('takes the token from GITHUB_TOKEN only; its help lists its options', async () => {
    const given = await cli(['check', '--github-token', 'x'], {})
    expect(given.code).toBe(2)
    expect(given.stderr).toContain('give it in the environment variable GITHUB_TOKEN')
    const help = await cli(['check', '--help'], {})
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/--max-age/)
    expect(help.stdout).toMatch(/--artifact-name/)
    expect(help.stdout).toMatch(/--s3-uri/)
    expect(help.stdout).toMatch(/GITHUB_TOKEN\s+\(github-token, check only\)/)
  }, 60_000)
})
