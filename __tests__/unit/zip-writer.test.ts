/**
 * ZipWriter (storage/zip-writer.ts), the backup's zip: the same bytes archiver writes for the
 * same entries and date (the layout of every backup so far), ZIP64 included; read back by the
 * restore's reader (yauzl) and accepted by `unzip -t`.
 */
import archiver from 'archiver'
import { spawnSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { PassThrough, type Readable, type Writable } from 'node:stream'
import { ZipWriter, dosDateTime } from '../../src/storage/zip-writer.js'
import { extractZip, openZip } from '../../src/storage/unzip.js'

let work: string
beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'zip-writer-test-'))
})
afterAll(() => rmSync(work, { recursive: true, force: true }))

const DATE = new Date('2026-03-04T05:06:07Z')

interface Case {
  /** the streamed entry: its name and chunks */
  dump: { name: string; chunks: () => Iterable<Buffer> }
  /** whole entries after it */
  files: [string, Buffer | string][]
}

/** Hashes (and, when `keep`, collects) what a readable gives. */
function consume(readable: Readable, keep: boolean) {
  const hash = createHash('sha256')
  const chunks: Buffer[] = []
  let bytes = 0
  readable.on('data', (chunk: Buffer) => {
    hash.update(chunk)
    bytes += chunk.length
    if (keep) chunks.push(chunk)
  })
  return new Promise<{ sha256: string; bytes: number; data: Buffer }>((resolve, reject) => {
    readable.on('end', () =>
      resolve({ sha256: hash.digest('hex'), bytes, data: Buffer.concat(chunks) })
    )
    readable.on('error', reject)
  })
}

async function writeAll(writable: Writable, chunks: Iterable<Buffer>): Promise<void> {
  for (const chunk of chunks) {
    if (!writable.write(chunk)) await new Promise(resolve => writable.once('drain', resolve))
  }
  await new Promise<void>((resolve, reject) => {
    writable.once('error', reject)
    writable.end(resolve)
  })
}

/** As artifact-zip.ts used archiver until now. */
async function withArchiver(c: Case, keep = true) {
  const zip = archiver('zip', { store: true })
  const out = new PassThrough()
  zip.pipe(out)
  const result = consume(out, keep)
  const entry = new PassThrough()
  zip.append(entry, { name: c.dump.name, store: true, date: DATE })
  await writeAll(entry, c.dump.chunks())
  for (const [name, data] of c.files) zip.append(data, { name, store: true, date: DATE })
  await zip.finalize()
  return result
}

async function withWriter(c: Case, keep = true) {
  const zip = new ZipWriter(() => DATE)
  const result = consume(zip.output, keep)
  await writeAll(zip.entry(c.dump.name), c.dump.chunks())
  for (const [name, data] of c.files) zip.add(name, data)
  zip.finalize()
  const done = await result
  expect(done.bytes).toBe(zip.bytes)
  return done
}

const data = randomBytes(3 * 1024 * 1024 + 17)
function* chunksOf(buffer: Buffer, size: number): Iterable<Buffer> {
  for (let at = 0; at < buffer.length; at += size) yield buffer.subarray(at, at + size)
}

const ordinary: Case = {
  dump: { name: 'nightly.dump.zst', chunks: () => chunksOf(data, 65536) },
  files: [
    ['globals.sql', Buffer.from('CREATE ROLE app;\n')],
    ['manifest.json', '{"schemaVersion":1}\n'],
    ['empty', Buffer.alloc(0)]
  ]
}

describe('ZipWriter', () => {
  it('writes the bytes archiver writes for the same entries and date', async () => {
    const ours = await withWriter(ordinary)
    const theirs = await withArchiver(ordinary)
    expect(ours.data.length).toBe(theirs.data.length)
    expect(ours.data.equals(theirs.data)).toBe(true)
  })

  it('the same with a name that is not ASCII and an empty streamed entry', async () => {
    const c: Case = {
      dump: { name: 'sauvegarde-été.dump', chunks: () => [] },
      files: [['manifest.json', '{}']]
    }
    expect((await withWriter(c)).data.equals((await withArchiver(c)).data)).toBe(true)
  })

  it('is read back by the restore (yauzl, stored entries in place) and by unzip -t', async () => {
    const file = path.join(work, 'backup.zip')
    writeFileSync(file, (await withWriter(ordinary)).data)
    const zip = await openZip(file)
    try {
      expect(zip.entries.map(e => [e.name, e.size, e.range !== undefined])).toEqual([
        ['nightly.dump.zst', data.length, true],
        ['globals.sql', 17, true],
        ['manifest.json', 20, true],
        ['empty', 0, true]
      ])
    } finally {
      zip.close()
    }
    const out = path.join(work, 'out')
    await extractZip(file, out)
    expect(readFileSync(path.join(out, 'nightly.dump.zst')).equals(data)).toBe(true)
    expect(readFileSync(path.join(out, 'manifest.json'), 'utf8')).toBe('{"schemaVersion":1}\n')
    const test = spawnSync('unzip', ['-t', file], { encoding: 'utf8' })
    expect(test.stdout).toMatch(/No errors detected/)
    expect(test.status).toBe(0)
  })

  it('a flipped byte inside the dump fails the reader’s CRC-32 check', async () => {
    const zip = (await withWriter(ordinary)).data
    zip[zip.indexOf(data.subarray(0, 64)) + 4096] ^= 1
    const file = path.join(work, 'flipped.zip')
    writeFileSync(file, zip)
    await expect(extractZip(file, path.join(work, 'flipped'))).rejects.toThrow(/CRC-32/)
    expect(spawnSync('unzip', ['-t', file]).status).not.toBe(0)
  })

  it('paces the writer by its reader: a write waits until the zip is read', async () => {
    const zip = new ZipWriter(() => DATE)
    const entry = zip.entry('x')
    const chunk = Buffer.alloc(1024 * 1024)
    let written = 0
    for (let i = 0; i < 8 && entry.write(chunk); i++) written++
    await new Promise(resolve => setTimeout(resolve, 20))
    // nothing read the output: only what fits its buffer went in
    expect(zip.bytes).toBeLessThan(3 * 1024 * 1024)
    const read = consume(zip.output, false)
    entry.end()
    zip.finalize()
    expect((await read).bytes).toBe(zip.bytes)
    expect(written).toBeLessThan(8)
  })

  it('an entry destroyed with an error ends the zip where it is; nothing more is written', async () => {
    const zip = new ZipWriter(() => DATE)
    const read = consume(zip.output, true)
    const entry = zip.entry('x')
    entry.on('error', () => undefined) // the dump's pipeline sees it
    entry.write(Buffer.from('partial'), () => entry.destroy(new Error('pg_dump failed')))
    zip.add('manifest.json', '{}')
    zip.finalize()
    const { data: partial } = await read
    expect(partial.subarray(-7).toString()).toBe('partial')
    expect(partial.length).toBe(30 + 1 + 7)
  })

  it('abort() ends the output where it is, without a central directory', async () => {
    const zip = new ZipWriter(() => DATE)
    const read = consume(zip.output, true)
    const entry = zip.entry('x')
    entry.write(Buffer.from('partial'))
    zip.abort()
    const { data: partial } = await read
    expect(partial.subarray(-7).toString()).toBe('partial')
  })

  it('dosDateTime clamps as archiver does', () => {
    expect(dosDateTime(new Date('1970-01-01T00:00:00Z'))).toBe(2162688)
    expect(dosDateTime(new Date('2050-01-01T00:00:00Z'))).toBe(2141175677)
  })

  // 4 GiB through both writers: the ZIP64 data descriptor and central directory records
  it('writes archiver’s ZIP64 records for an entry beyond 4 GiB', async () => {
    const zeros = Buffer.alloc(1024 * 1024)
    const huge: Case = {
      dump: {
        name: 'big.dump',
        *chunks() {
          for (let i = 0; i < 4097; i++) yield zeros
        }
      },
      files: [['manifest.json', '{}']]
    }
    const ours = await withWriter(huge, false)
    const theirs = await withArchiver(huge, false)
    expect(ours.bytes).toBe(theirs.bytes)
    expect(ours.bytes).toBeGreaterThan(2 ** 32)
    expect(ours.sha256).toBe(theirs.sha256)
  }, 240_000)
})
