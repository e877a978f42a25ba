/**
 * readPipeInPipeSizedChunks (storage/artifact-zip.ts): while a live upload runs, the artifact
 * client's one createReadStream of our pipe reads PIPE_SIZE at a time instead of 8 MiB; any
 * other path, a second open, and everything after restore() get what they ask for.
 */
import fs, { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { readPipeInPipeSizedChunks } from '../../src/storage/artifact-zip.js'
import { PIPE_SIZE } from '../../src/storage/fifo.js'

const CLIENT_READ = 8 * 1024 * 1024

let work: string
/** The streams readSize opened: their files are removed only once they have closed. */
const closed: Promise<void>[] = []
beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'pipe-reads-'))
})
afterAll(async () => {
  await Promise.all(closed)
  rmSync(work, { recursive: true, force: true })
})

/** The read size a stream opened as the client opens it gets, closed at once. */
function readSize(file: string, highWaterMark = CLIENT_READ): number {
  const stream = fs.createReadStream(file, { highWaterMark })
  closed.push(new Promise(resolve => stream.once('close', () => resolve())))
  const size = stream.readableHighWaterMark
  stream.destroy()
  return size
}

test('only the first client-sized open of that path is changed, and restore() puts fs back', () => {
  const pipe = path.join(work, 'backup.zip')
  const other = path.join(work, 'other.zip')
  for (const file of [pipe, other]) writeFileSync(file, 'zip')
  const original = fs.createReadStream
  const restore = readPipeInPipeSizedChunks(pipe)
  try {
    expect(readSize(other)).toBe(CLIENT_READ)
    expect(readSize(pipe, 64 * 1024)).toBe(64 * 1024)
    // the same path written otherwise (the client may resolve it)
    expect(readSize(path.join(work, '.', 'backup.zip'))).toBe(PIPE_SIZE)
    expect(readSize(pipe)).toBe(CLIENT_READ)
    expect(fs.createReadStream).toBe(original)
  } finally {
    restore()
  }
  expect(fs.createReadStream).toBe(original)
})

test('restore() without a read of the pipe puts fs back', () => {
  const pipe = path.join(work, 'unread.zip')
  writeFileSync(pipe, 'zip')
  const original = fs.createReadStream
  const restore = readPipeInPipeSizedChunks(pipe)
  expect(fs.createReadStream).not.toBe(original)
  restore()
  expect(fs.createReadStream).toBe(original)
  expect(readSize(pipe)).toBe(CLIENT_READ)
})
