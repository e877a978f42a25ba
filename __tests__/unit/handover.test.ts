/**
 * handOverOnRead (storage/artifact-zip.ts): while a live upload runs, the artifact client's one
 * createReadStream of the zip's path returns the zip's own stream (what it reads is what the
 * backup wrote, not the empty file of that name); any other path, a second open, and
 * everything after restore() get the file.
 */
import fs, { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createHash } from 'node:crypto'
import { Readable, Transform } from 'node:stream'
import { text } from 'node:stream/consumers'
import { handOverOnRead, lowerBufferOfReader } from '../../src/storage/artifact-zip.js'
import { ZipWriter } from '../../src/storage/zip-writer.js'

const CLIENT_READ = 8 * 1024 * 1024

let work: string
beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'handover-'))
})
afterAll(() => {
  rmSync(work, { recursive: true, force: true })
})

/** What a stream opened as the client opens it reads. */
function readAsClient(file: string): Promise<string> {
  return text(fs.createReadStream(file, { highWaterMark: CLIENT_READ }))
}

test('only the first open of that path reads the stream, and fs is put back then', async () => {
  const zip = path.join(work, 'backup.zip')
  const other = path.join(work, 'other.zip')
  writeFileSync(zip, '')
  writeFileSync(other, 'other bytes')
  const original = fs.createReadStream
  const handover = handOverOnRead(
    zip,
    Readable.from([Buffer.from('the zip, '), Buffer.from('live')])
  )
  try {
    expect(await readAsClient(other)).toBe('other bytes')
    expect(handover.taken()).toBe(false)
    // the same path written otherwise (the client may resolve it)
    expect(await readAsClient(path.join(work, '.', 'backup.zip'))).toBe('the zip, live')
    expect(handover.taken()).toBe(true)
    expect(fs.createReadStream).toBe(original)
    expect(await readAsClient(zip)).toBe('')
  } finally {
    handover.restore()
  }
  expect(fs.createReadStream).toBe(original)
})

test('restore() without a read puts fs back, and the stream was not taken', async () => {
  const zip = path.join(work, 'unread.zip')
  writeFileSync(zip, 'file bytes')
  const original = fs.createReadStream
  const handover = handOverOnRead(zip, Readable.from(['stream bytes']))
  expect(fs.createReadStream).not.toBe(original)
  handover.restore()
  expect(fs.createReadStream).toBe(original)
  expect(handover.taken()).toBe(false)
  expect(await readAsClient(zip)).toBe('file bytes')
})

test('the client’s 8 MiB upload stream holds at most 256 KiB of the zip each side, and gets it all', async () => {
  // as @actions/artifact's WaterMarkedUploadStream, piped from the zip, read later
  const upload = (): Transform =>
    new Transform({ highWaterMark: CLIENT_READ, transform: (c, _e, cb) => cb(null, c) })
  const chunk = Buffer.alloc(64 * 1024, 7)
  const held = async (lowered: boolean) => {
    const zip = new ZipWriter(() => new Date('2026-01-02T03:04:05Z'))
    if (lowered) lowerBufferOfReader(zip.output, 256 * 1024)
    const client = upload()
    zip.output.pipe(client)
    const entry = zip.entry('dump')
    let writes = 0
    const pending = (async () => {
      for (let i = 0; i < 256; i++) {
        writes++
        if (!entry.write(chunk)) await new Promise(resolve => entry.once('drain', resolve))
      }
      entry.end()
      zip.finalize()
    })()
    await new Promise(resolve => setTimeout(resolve, 100))
    const holding = client.writableLength + client.readableLength
    const hash = createHash('sha256')
    for await (const c of client) hash.update(c as Buffer)
    await pending
    return { holding, writes, bytes: zip.bytes, sha256: hash.digest('hex') }
  }
  const lowered = await held(true)
  const original = await held(false)
  expect(original.holding).toBeGreaterThan(8 * 1024 * 1024)
  expect(lowered.holding).toBeLessThanOrEqual(2 * 256 * 1024 + chunk.length)
  // the same zip either way, and every byte of it read
  expect(lowered.bytes).toBe(original.bytes)
  expect(lowered.sha256).toBe(original.sha256)
  expect(lowered.writes).toBe(256)
})
