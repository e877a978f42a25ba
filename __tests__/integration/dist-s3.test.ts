/**
 * The bundled action (dist/index.js) run as the runner runs it, with s3-uri and the default
 * `artifact: true` (issue 14.4: "both" hung at "Upload artifact" above a few KB): both copies
 * complete, at several MB (above the artifact client's 8 MiB block and S3's 5 MiB part).
 */
import { beforeAll, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { GetObjectCommand } from '@aws-sdk/client-s3'
import { type ArtifactBackend, unzipEntries } from '../../dev/artifact-backend.js'
import { parseOutputs, runnerStep } from '../../dev/runner.js'
import type { TestServer } from '../../dev/postgres.js'
import { S3RVER_CREDENTIALS, type S3TestServer } from '../support/s3-server.js'
import { useHarness } from '../support/harness.js'
import { createS3Client } from '../../src/storage/s3.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const DIST = path.join(root, 'dist/index.js')

const harness = useHarness({ name: 'dist-s3-test', s3Buckets: ['backups'] })
let server: TestServer
let backend: ArtifactBackend
let s3server: S3TestServer
let database: string
let work: string

beforeAll(async () => {
  if (!existsSync(DIST)) throw new Error('dist/index.js is missing: run npm run package')
  ;({ server, backend, work, s3: s3server } = harness)
  database = await server.createDatabase('noise_db')
  await server.query(
    database,
    `CREATE TABLE public.noise AS
       SELECT g AS id, md5(random()::text) || md5(random()::text) || md5(random()::text) AS payload
         FROM generate_series(1, 250000) g`
  )
}, 120_000)

function runAction(inputs: Record<string, string>) {
  const dir = mkdtempSync(path.join(work, 'run-'))
  const step = runnerStep(dir, backend.env(), inputs, {
    extraEnv: {
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true'
    }
  })
  const started = Date.now()
  return new Promise<{
    code: number | null
    stdout: string
    ms: number
    outputs: Record<string, string>
  }>((resolve, reject) => {
    const child = spawn(process.execPath, [DIST], { env: step.env, cwd: step.workspace })
    let stdout = ''
    child.stdout.on('data', d => (stdout += d))
    child.stderr.on('data', d => (stdout += d))
    child.on('error', reject)
    // the hang waited for the client's 300 s stall watchdog: stop well before
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000)
    child.on('close', code => {
      clearTimeout(timer)
      resolve({
        code,
        stdout,
        ms: Date.now() - started,
        outputs: parseOutputs(readFileSync(step.outputFile, 'utf8'))
      })
    })
  })
}

it('s3-uri with the default artifact: true writes both copies of a dump of several MB', async () => {
  const result = await runAction({
    'database-url': server.url(database),
    'artifact-name': 'both-dist',
    's3-uri': 's3://backups/dist/',
    's3-endpoint': s3server.endpoint,
    's3-force-path-style': 'true'
  })
  expect({ code: result.code, tail: result.stdout.slice(-3000) }).toMatchObject({ code: 0 })
  const stored = backend.findArtifact('both-dist.zip', backend.currentRunId)
  expect(stored).toBeDefined()
  const entries = await unzipEntries(stored!.bytes)
  const dump = entries.get(result.outputs['file-name'])!
  expect(dump.length).toBeGreaterThan(8 * 1024 * 1024)
  const key = result.outputs['s3-uri'].replace('s3://backups/', '')
  const client = createS3Client({ endpoint: s3server.endpoint, forcePathStyle: true })
  const out = await client.send(new GetObjectCommand({ Bucket: 'backups', Key: key }))
  const fromS3 = Buffer.from(await out.Body!.transformToByteArray())
  expect(fromS3.equals(dump)).toBe(true)
  expect(createHash('sha256').update(dump).digest('hex')).toBe(result.outputs.sha256)
}, 240_000)

it('signing-key through dist/index.js: masked, never printed, and the artifact carries the signature', async () => {
  const key = `sk-${'0123456789abcdef'.repeat(3)}`
  const result = await runAction({
    'database-url': server.url(database),
    'artifact-name': 'signed-dist',
    'signing-key': key
  })
  expect({ code: result.code, tail: result.stdout.slice(-3000) }).toMatchObject({ code: 0 })
  expect(result.stdout).toContain(`::add-mask::${key}\n`)
  expect(result.stdout.replace(/::add-mask::.*\n/g, '')).not.toContain(key)
  expect(JSON.stringify(result.outputs)).not.toContain(key)
  const stored = backend.findArtifact('signed-dist.zip', backend.currentRunId)!
  const entries = await unzipEntries(stored.bytes)
  expect(entries.get('manifest.json.sig')?.toString()).toMatch(/^hmac-sha256-v1:[0-9a-f]{64}\n$/)
  for (const bytes of entries.values()) expect(bytes.includes(Buffer.from(key))).toBe(false)
}, 240_000)
