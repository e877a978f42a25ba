/**
 * Long-term copies through the engine: backups streamed to a real S3-protocol server (s3rver on
 * loopback) with the real AWS SDK, tagged by the retention tier of the run's date, and restored
 * from it — the object given, or the newest under the prefix; and one pass into both the
 * workflow artifact (the real client, the loopback backend) and S3.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import {
  GetObjectCommand,
  GetObjectTaggingCommand,
  ListObjectsV2Command,
  PutObjectCommand
} from '@aws-sdk/client-s3'
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { S3TestServer } from '../support/s3-server.js'
import { seedSample, tableChecksums } from '../../dev/fixtures.js'
import type { TestServer } from '../../dev/postgres.js'
import type { BackupOptions, RestoreOptions } from '../../src/types.js'
import type { Manifest } from '../../src/manifest.js'
import { type ArtifactBackend, unzipEntries } from '../../dev/artifact-backend.js'
import { useHarness } from '../support/harness.js'
import { itWhen, tmpfsMissing } from '../support/preconditions.js'
import { testBackupInputs, testRestoreInputs } from '../support/inputs.js'
import { createS3Client } from '../../src/storage/s3.js'

const harness = useHarness({ name: 's3-backup-test', s3Buckets: ['backups'] })
let server: TestServer
let s3server: S3TestServer
let source: string
let tempRoot: string
let tinyTemp: string | undefined
let backend: ArtifactBackend

/** Why the 1 MiB tmpfs cannot be mounted here; the tests that need it are then skipped with it. */
const noTmpfs = tmpfsMissing()
const itWithTmpfs = itWhen(noTmpfs)

/** A 1 MiB tmpfs as the temporary directory: any temporary dump file would not fit. */
function mountTinyTemp(): string | undefined {
  if (noTmpfs) return undefined
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tiny-temp-'))
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], {
    encoding: 'utf8'
  })
  if (mounted.status !== 0) {
    rmSync(dir, { recursive: true, force: true })
    throw new Error(`mount -t tmpfs worked for the probe, not now: ${mounted.stderr}`)
  }
  return dir
}

beforeAll(async () => {
  ;({ server, s3: s3server, backend, tempRoot } = harness)
  source = await server.createDatabase('shop')
  await seedSample(server, source)
  // ~12 MB of dump data that compresses to several MB: far more than the tiny temp dir holds
  await server.query(
    source,
    `CREATE TABLE public.big AS
       SELECT g AS id, md5(g::text) || md5((g * 7)::text) || md5((g * 13)::text) AS payload
         FROM generate_series(1, 150000) g`
  )
  tinyTemp = mountTinyTemp()
}, 60_000)

afterAll(async () => {
  if (tinyTemp) {
    spawnSync('umount', [tinyTemp])
    rmSync(tinyTemp, { recursive: true, force: true })
  }
})

const s3 = () => ({
  bucket: 'backups',
  prefix: 'prod/',
  endpoint: s3server.endpoint,
  forcePathStyle: true
})

function backupInputs(overrides: Partial<BackupOptions> = {}): BackupOptions {
  return testBackupInputs(server.url(source), {
    s3: s3(),
    artifact: false,
    retentionSchedule: { daily: 7, weekly: 30, monthly: 365 },
    ...overrides
  })
}

async function runBackup(date: Date, overrides: Partial<BackupOptions> = {}, temp = tempRoot) {
  return harness.backup(backupInputs(overrides), { tempRoot: temp, now: () => date })
}

async function objectBytes(key: string): Promise<Buffer> {
  const client = createS3Client({ endpoint: s3server.endpoint, forcePathStyle: true })
  const out = await client.send(new GetObjectCommand({ Bucket: 'backups', Key: key }))
  return Buffer.from(await out.Body!.transformToByteArray())
}

async function tags(key: string): Promise<Record<string, string>> {
  const client = createS3Client({ endpoint: s3server.endpoint, forcePathStyle: true })
  const out = await client.send(new GetObjectTaggingCommand({ Bucket: 'backups', Key: key }))
  return Object.fromEntries((out.TagSet ?? []).map(t => [t.Key!, t.Value!]))
}

function restoreInputs(target: string, s3Source: RestoreOptions['source']): RestoreOptions {
  return testRestoreInputs(server.url(target), s3Source)
}

describe('backup to object storage', () => {
  const sunday = new Date('2026-11-22T02:00:00Z')
  const first = new Date('2026-12-01T02:00:00Z')
  const weekday = new Date('2026-12-02T02:00:00Z')
  let sundayKey: string

  it('streams a dump larger than the temporary directory straight to S3, tagged weekly on a Sunday', async () => {
    // (on the 1 MiB tmpfs when it can be mounted: see the next test)
    const result = await runBackup(sunday, {}, tinyTemp ?? tempRoot)
    expect(result.artifact).toBeUndefined()
    expect(result.s3Uri).toBe('s3://backups/prod/shop/2026/11/shop-20261122T020000Z.dump.zst')
    sundayKey = 'prod/shop/2026/11/shop-20261122T020000Z.dump.zst'
    const bytes = await objectBytes(sundayKey)
    expect(bytes.length).toBeGreaterThan(2 * 1024 * 1024) // larger than the 1 MiB temp dir
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(result.manifest.file.sha256)
    const manifest = JSON.parse((await objectBytes(`${sundayKey}.manifest.json`)).toString())
    expect(manifest.file.sha256).toBe(result.manifest.file.sha256)
    expect(manifest.retention).toEqual({ tier: 'weekly', days: 30 })
    expect(await tags(sundayKey)).toEqual({ retention: 'weekly' })
    expect(await tags(`${sundayKey}.manifest.json`)).toEqual({ retention: 'weekly' })
  })

  itWithTmpfs('that backup ran with a 1 MiB temporary directory, and left it empty', () => {
    expect(tinyTemp).toBeDefined()
    expect(readdirSync(tinyTemp!)).toEqual([])
  })

  itWithTmpfs(
    'the same backup through a temporary file fails on that small disk (the control)',
    async () => {
      const error = await runBackup(
        weekday,
        { s3: s3(), artifact: false, format: 'directory' },
        tinyTemp!
      ).catch(e => e)
      expect(String(error?.message)).toMatch(/disk is full|no space left|ENOSPC/i)
      expect(readdirSync(tinyTemp!)).toEqual([])
    }
  )

  it('tags the 1st of the month monthly and a weekday daily', async () => {
    const monthly = await runBackup(first)
    const daily = await runBackup(weekday, { format: 'plain', compression: 'gzip' })
    expect(monthly.manifest.retention?.tier).toBe('monthly')
    expect(daily.manifest.retention?.tier).toBe('daily')
    expect(await tags('prod/shop/2026/12/shop-20261201T020000Z.dump.zst')).toEqual({
      retention: 'monthly'
    })
    expect(await tags('prod/shop/2026/12/shop-20261202T020000Z.sql.gz')).toEqual({
      retention: 'daily'
    })
  })

  it('restores a given object, and the newest backup under the prefix', async () => {
    const expected = await tableChecksums(server, source)
    const one = await server.createDatabase()
    const given = await harness.restore(
      restoreInputs(one, {
        kind: 's3',
        bucket: 'backups',
        key: sundayKey,
        prefix: '',
        settings: s3()
      })
    )
    expect(given.restoredFrom).toBe(`s3://backups/${sundayKey}`)
    expect(await tableChecksums(server, one)).toEqual(expected)

    const two = await server.createDatabase()
    const newest = await harness.restore(
      restoreInputs(two, { kind: 's3', bucket: 'backups', prefix: 'prod/', settings: s3() })
    )
    // newest by the manifests' createdAt: Dec 2 (the plain gzip one)
    expect(newest.restoredFrom).toBe('s3://backups/prod/shop/2026/12/shop-20261202T020000Z.sql.gz')
    expect(await tableChecksums(server, two)).toEqual(expected)
  })

  it('a failed dump leaves no object and no pending upload', async () => {
    const client = createS3Client({ endpoint: s3server.endpoint, forcePathStyle: true })
    const before = await client.send(new ListObjectsV2Command({ Bucket: 'backups' }))
    const error = await runBackup(new Date('2026-12-03T02:00:00Z'), {
      filters: {
        tables: ['public.nope'],
        excludeTables: [],
        excludeTableData: [],
        schemas: [],
        excludeSchemas: []
      }
    }).catch(e => e)
    expect(String(error?.message)).toMatch(/Input 'tables'/)
    const after = await client.send(new ListObjectsV2Command({ Bucket: 'backups' }))
    expect((after.Contents ?? []).map(o => o.Key)).toEqual((before.Contents ?? []).map(o => o.Key))
    expect(await s3server.pendingUploads('backups')).toEqual([])
  })
})

describe('backup to the artifact and to object storage at once', () => {
  it('writes the dump once and tees it to both, behind the same checks', async () => {
    const date = new Date('2026-12-04T02:00:00Z')
    const result = await runBackup(
      date,
      { artifact: true, artifactName: 'both', retentionSchedule: undefined },
      tinyTemp ?? tempRoot
    )
    expect(result.s3Uri).toBe('s3://backups/prod/shop/2026/12/shop-20261204T020000Z.dump.zst')
    // the artifact: the zip with the dump and its manifest
    const stored = backend.findArtifact('both.zip', backend.currentRunId)
    expect(stored).toBeDefined()
    const entries = await unzipEntries(stored!.bytes)
    const manifest = JSON.parse(entries.get('manifest.json')!.toString('utf8')) as Manifest
    const fromArtifact = entries.get(manifest.file.name)!
    // the same bytes in both places, several MB of them, as the manifest describes them
    const fromS3 = await objectBytes('prod/shop/2026/12/shop-20261204T020000Z.dump.zst')
    expect(fromArtifact.length).toBeGreaterThan(2 * 1024 * 1024)
    expect(fromS3.equals(fromArtifact)).toBe(true)
    const sha256 = createHash('sha256').update(fromS3).digest('hex')
    expect(sha256).toBe(manifest.file.sha256)
    expect(sha256).toBe(result.manifest.file.sha256)
    const s3Manifest = JSON.parse(
      (
        await objectBytes('prod/shop/2026/12/shop-20261204T020000Z.dump.zst.manifest.json')
      ).toString()
    )
    expect(s3Manifest.file).toEqual(manifest.file)
    if (tinyTemp) expect(readdirSync(tinyTemp)).toEqual([])
  })

  it('completes both at more than one artifact upload block (≥ 8 MiB of dump, issue 14.4)', async () => {
    // random hex: about half of it survives compression, so the dump is well above the artifact
    // client's 8 MiB block and the S3 client's 5 MiB part (a few KB used to hang "Upload artifact")
    const large = await server.createDatabase('large')
    await server.query(
      large,
      `CREATE TABLE public.noise AS
         SELECT g AS id, md5(random()::text) || md5(random()::text) || md5(random()::text) AS payload
           FROM generate_series(1, 250000) g`
    )
    const date = new Date('2026-12-05T02:00:00Z')
    const started = Date.now()
    const result = await harness.backup(
      testBackupInputs(server.url(large), {
        s3: s3(),
        artifact: true,
        artifactName: 'both-large',
        retentionSchedule: undefined
      }),
      { tempRoot: tinyTemp ?? tempRoot, now: () => date }
    )
    const stored = backend.findArtifact('both-large.zip', backend.currentRunId)
    expect(stored).toBeDefined()
    const entries = await unzipEntries(stored!.bytes)
    const manifest = JSON.parse(entries.get('manifest.json')!.toString('utf8')) as Manifest
    const fromArtifact = entries.get(manifest.file.name)!
    const fromS3 = await objectBytes(result.s3Uri!.replace('s3://backups/', ''))
    expect(fromArtifact.length).toBeGreaterThan(8 * 1024 * 1024)
    expect(fromS3.equals(fromArtifact)).toBe(true)
    expect(createHash('sha256').update(fromS3).digest('hex')).toBe(manifest.file.sha256)
    // well inside the client's 300 s stall watchdog that the hang ran into
    expect(Date.now() - started).toBeLessThan(120_000)
  }, 240_000)
})

describe('signed backups in object storage (signing-key, issue 14.2 ★)', () => {
  const KEY = 's'.repeat(40)
  it('the signature is stored beside the manifest; the key restores it, a changed manifest is refused', async () => {
    const date = new Date('2026-12-06T02:00:00Z')
    const result = await harness.backup(
      testBackupInputs(server.url(source), {
        s3: { ...s3(), prefix: 'signed/' },
        artifact: false,
        signingKey: KEY
      }),
      { tempRoot, now: () => date }
    )
    const key = result.s3Uri!.replace('s3://backups/', '')
    const signature = (await objectBytes(`${key}.manifest.json.sig`)).toString()
    expect(signature).toMatch(/^hmac-sha256-v1:[0-9a-f]{64}\n$/)
    const expected = await tableChecksums(server, source)
    // the newest under the prefix and the object by name, with the key
    for (const from of [
      { kind: 's3' as const, bucket: 'backups', prefix: 'signed/', settings: s3() },
      { kind: 's3' as const, bucket: 'backups', key, prefix: '', settings: s3() }
    ]) {
      const target = await server.createDatabase()
      await harness.restore({ ...restoreInputs(target, from), signingKey: KEY })
      expect(await tableChecksums(server, target)).toEqual(expected)
    }
    // whoever can write the prefix changes the manifest (whitespace is enough): refused
    const manifest = (await objectBytes(`${key}.manifest.json`)).toString()
    const client = createS3Client({ endpoint: s3server.endpoint, forcePathStyle: true })
    await client.send(
      new PutObjectCommand({
        Bucket: 'backups',
        Key: `${key}.manifest.json`,
        Body: manifest.replace('\n', '\n ')
      })
    )
    const target = await server.createDatabase()
    const error = (await harness
      .restore({
        ...restoreInputs(target, {
          kind: 's3',
          bucket: 'backups',
          key,
          prefix: '',
          settings: s3()
        }),
        signingKey: KEY
      })
      .catch((e: Error) => e)) as Error
    expect(error.name).toBe('SignatureError')
    expect(error.message).toMatch(/signature does not match/)
    expect(await tableChecksums(server, target)).toEqual({})
  }, 120_000)
})
