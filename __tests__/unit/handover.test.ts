/**
 * handOverOnRead (storage/artifact-zip.ts): while a live upload runs, the artifact client's one
 * createReadStream of the zip's path returns the zip's own stream (what it reads is what the
 * backup wrote, not the empty file of that name); any other path, a second open, and
 * everything after restore() get the file.
 */
import fs, { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { text } from 'node:stream/consumers'
import { handOverOnRead } from '../../src/storage/artifact-zip.js'

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
