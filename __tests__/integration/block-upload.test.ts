/**
 * The artifact's blocks from reused buffers (src/storage/block-upload.ts), driven through the
 * REAL @actions/artifact client against the loopback backend (dev/artifact-backend.ts): what the
 * backend stores is compared byte for byte with what was uploaded — several blocks and a partial
 * last one, blocks that arrive out of order, a block the storage refuses once (retried), an
 * upload the storage refuses (fails, and the client's own uploadStream is back).
 */
import crypto from 'node:crypto'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { DefaultArtifactClient } from '@actions/artifact'
import { BlockBlobClient } from '@azure/storage-blob'
import { startArtifactBackend, type ArtifactBackend } from '../../dev/artifact-backend.js'
import {
  blockId,
  blockSize,
  SMALL_BLOCK,
  uploadStreamInBlocks,
  withBlockUpload
} from '../../src/storage/block-upload.js'

let backend: ArtifactBackend
let client: DefaultArtifactClient
let tmp: string
const savedEnv = { ...process.env }
const realStdoutWrite = process.stdout.write.bind(process.stdout)
const sha256 = (b: Buffer): string => crypto.createHash('sha256').update(b).digest('hex')

beforeAll(async () => {
  backend = await startArtifactBackend({ repository: 'octo-org/octo-repo' })
  Object.assign(process.env, backend.env())
  delete process.env.GITHUB_TOKEN
  process.env.ACTIONS_ARTIFACT_UPLOAD_CONCURRENCY = '2'
  const mod = await import('@actions/artifact')
  client = new mod.DefaultArtifactClient()
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'block-upload-test-'))
  if (!process.env.ARTIFACT_TEST_VERBOSE) {
    process.stdout.write = (() => true) as typeof process.stdout.write
  }
})

afterAll(async () => {
  process.stdout.write = realStdoutWrite
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key]
  Object.assign(process.env, savedEnv)
  await backend?.close()
  if (tmp) await fs.rm(tmp, { recursive: true, force: true })
})

/** Uploads `data` as the zip `name` (skipArchive: stored as it is) through withBlockUpload. */
async function upload(name: string, data: Buffer): Promise<{ id?: number; digest?: string }> {
  const dir = await fs.mkdtemp(path.join(tmp, 'up-'))
  const file = path.join(dir, name)
  await fs.writeFile(file, data)
  return withBlockUpload(() => {
    // the client's uploads go through this module's blocks while the upload runs
    expect(BlockBlobClient.prototype.uploadStream).toBe(uploadStreamInBlocks)
    return client.uploadArtifact(name, [file], dir, { skipArchive: true })
  })
}

describe('block upload from reused buffers', () => {
  test('three blocks, the last one partial and the first one stored last: the stored bytes are the file', async () => {
    const data = crypto.randomBytes(2 * SMALL_BLOCK + 12345)
    backend.faults.delayNext('blob:stageBlock', 1, 1500)
    const result = await upload('blocks.zip', data)
    const stored = backend.findArtifact('blocks.zip')
    if (!stored) throw new Error('not stored')
    expect(stored.blockCount).toBe(3)
    expect(stored.blocksReceivedOutOfOrder).toBe(true)
    expect(stored.bytes.equals(data)).toBe(true)
    expect(stored.digest).toBe(sha256(data))
    expect(result.digest).toBe(sha256(data))
    expect(BlockBlobClient.prototype.uploadStream).not.toBe(uploadStreamInBlocks)
  })

  test('exactly one block: no empty block after it', async () => {
    const data = crypto.randomBytes(SMALL_BLOCK)
    await upload('one.zip', data)
    const stored = backend.findArtifact('one.zip')
    expect(stored?.blockCount).toBe(1)
    expect(stored?.bytes.equals(data)).toBe(true)
  })

  test('blocks of 4 MiB, whatever the client asks (8 MiB): 16 MiB held with 3 uploading', async () => {
    const data = crypto.randomBytes(8 * 1024 * 1024 + 1)
    await upload('small-blocks.zip', data)
    const stored = backend.findArtifact('small-blocks.zip')
    expect(stored?.blockCount).toBe(3)
    expect(stored?.bytes.equals(data)).toBe(true)
  })

  test('a block refused once (503) is sent again; the stored bytes are whole', async () => {
    const data = crypto.randomBytes(SMALL_BLOCK + 1024 * 1024)
    backend.faults.failNext('blob:stageBlock', 1, 503)
    await upload('retried.zip', data)
    expect(backend.faults.pending()).toBe(0)
    const stored = backend.findArtifact('retried.zip')
    expect(stored?.bytes.equals(data)).toBe(true)
  })

  test('blocks the storage keeps refusing fail the upload; the client’s own uploadStream is back', async () => {
    const original = BlockBlobClient.prototype.uploadStream
    backend.faults.failNext('blob:stageBlock', 20, 403)
    await expect(upload('refused.zip', crypto.randomBytes(1024))).rejects.toThrow()
    expect(backend.findArtifact('refused.zip')?.finalized ?? false).toBe(false)
    expect(BlockBlobClient.prototype.uploadStream).toBe(original)
  })

  test("past 25,000 blocks the client's size: a blob's 50,000 blocks still hold ~293 GiB", () => {
    const eight = 8 * 1024 * 1024
    expect([0, 24_999, 25_000, 49_999].map(i => blockSize(i, eight))).toEqual([
      SMALL_BLOCK,
      SMALL_BLOCK,
      eight,
      eight
    ])
    // a client asking for less than 4 MiB gets what it asks
    expect(blockSize(0, 1024 * 1024)).toBe(1024 * 1024)
    let capacity = 0
    for (let i = 0; i < 50_000; i++) capacity += blockSize(i, eight)
    expect(capacity / 1024 ** 3).toBeGreaterThan(290)
  })

  test('block IDs have one length whatever the index, as the service asks', () => {
    const prefix = crypto.randomUUID()
    const ids = [0, 7, 12345, 999999].map(index => blockId(prefix, index))
    expect(new Set(ids.map(id => Buffer.from(id, 'base64').length))).toEqual(new Set([48]))
    expect(Buffer.from(ids[2], 'base64').toString()).toBe(`${prefix}${'12345'.padStart(12, '0')}`)
  })
})
