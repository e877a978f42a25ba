/**
 * live-zip.ts: the zstd frame scanner never counts a byte after the frames as theirs (whatever
 * follows: a zip's data descriptor, manifest, central directory), however the bytes are cut into
 * chunks; LiveEntry follows a file being written, passes on only the frames' bytes until the
 * entry's length is known, hashes what it passed, and ends only once released.
 */
import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import zlib from 'node:zlib'
import {
  LiveEntry,
  LiveEntryNotTaken,
  ZstdFrameScanner,
  storedFirstEntry
} from '../../src/storage/live-zip.js'

function zstd(data: Buffer, args: string[] = []): Buffer {
  const run = spawnSync('zstd', ['-q', '-c', ...args], { input: data, maxBuffer: 1 << 28 })
  expect(run.status).toBe(0)
  return run.stdout
}

/** Text that compresses (raw, RLE and compressed blocks all occur). */
function sample(bytes: number): Buffer {
  const parts: Buffer[] = []
  for (let i = 0; parts.length * 64 < bytes; i++) {
    parts.push(
      i % 7 === 0 ? randomBytes(64) : Buffer.from(`${i}\t${'x'.repeat(i % 50)}\n`.padEnd(64, 'y'))
    )
  }
  return Buffer.concat(parts).subarray(0, bytes)
}

function scan(stream: Buffer, cut: number): ZstdFrameScanner {
  const scanner = new ZstdFrameScanner()
  for (let i = 0; i < stream.length; i += cut) scanner.push(stream.subarray(i, i + cut))
  return scanner
}

describe('ZstdFrameScanner', () => {
  const one = zstd(sample(3_000_000))
  const checked = zstd(sample(500_000), ['--check'])
  const skippable = Buffer.alloc(12)
  skippable.writeUInt32LE(0x184d2a53, 0)
  skippable.writeUInt32LE(4, 4)
  const frames = Buffer.concat([one, skippable, checked, zstd(Buffer.alloc(0))])
  const trailer = Buffer.concat([Buffer.from([0x50, 0x4b, 0x07, 0x08]), randomBytes(5000)])

  it.each([1, 7, 4096, 1 << 20])('knows exactly the frames, in chunks of %i bytes', cut => {
    const alone = scan(frames, cut)
    expect(alone.known).toBe(frames.length)
    const followed = scan(Buffer.concat([frames, trailer]), cut)
    expect(followed.known).toBe(frames.length)
    expect(followed.ended).toBe(true)
    expect(followed.seen).toBe(frames.length + trailer.length)
  })

  it('never knows more than it saw the headers of: a prefix is known at most to its blocks', () => {
    for (const cut of [10, 1000, 100_000, one.length - 1]) {
      const scanner = scan(one.subarray(0, cut), 1 << 20)
      expect(scanner.known).toBeLessThanOrEqual(one.length)
      expect(scanner.ended).toBe(false)
    }
  })

  it('ends at bytes that are no frame', () => {
    const scanner = scan(Buffer.from('not zstd at all'), 3)
    expect(scanner.known).toBe(0)
    expect(scanner.ended).toBe(true)
  })
})

describe('storedFirstEntry', () => {
  it('reads the first local header of a stored entry, waits for more, refuses others', () => {
    const header = Buffer.alloc(30)
    header.writeUInt32LE(0x04034b50, 0)
    header.writeUInt16LE(4, 26)
    header.writeUInt16LE(2, 28)
    const head = Buffer.concat([header, Buffer.from('a.gz'), Buffer.alloc(2)])
    expect(storedFirstEntry(head.subarray(0, 20))).toBe('wait')
    expect(storedFirstEntry(head.subarray(0, 33))).toBe('wait')
    expect(storedFirstEntry(head)).toEqual({ offset: 36, name: 'a.gz' })
    const deflated = Buffer.from(head)
    deflated.writeUInt16LE(8, 8)
    expect(storedFirstEntry(deflated)).toBeUndefined()
  })
})

describe('LiveEntry', () => {
  it('passes on the frames as the file grows, the rest once finished, and ends when released', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'live-zip-'))
    try {
      const file = path.join(dir, 'a.zip')
      const prefix = randomBytes(100)
      const content = zstd(sample(2_000_000))
      const after = randomBytes(3000)
      writeFileSync(file, prefix)
      const entry = new LiveEntry(file, prefix.length)
      const got: Buffer[] = []
      let ended = false
      const reading = (async () => {
        for await (const chunk of entry.stream()) got.push(Buffer.from(chunk as Buffer))
        ended = true
      })()
      for (let i = 0; i < content.length; i += 65536) {
        appendFileSync(file, content.subarray(i, i + 65536))
        await new Promise(resolve => setTimeout(resolve, 2))
      }
      appendFileSync(file, after)
      // (a loaded machine: wait for the follower to catch up, then a little more)
      const total = (): number => got.reduce((sum, c) => sum + c.length, 0)
      for (const until = Date.now() + 20_000; total() < content.length && Date.now() < until;)
        await new Promise(resolve => setTimeout(resolve, 10))
      await new Promise(resolve => setTimeout(resolve, 100))
      // everything known to be the frames, nothing after them
      expect(Buffer.concat(got).equals(content)).toBe(true)
      const result = await entry.finish(content.length)
      expect(result).toEqual({
        sha256: createHash('sha256').update(content).digest('hex'),
        crc32: zlib.crc32(content) >>> 0
      })
      await new Promise(resolve => setTimeout(resolve, 50))
      expect(ended).toBe(false)
      entry.release(result.crc32)
      await reading
      expect(ended).toBe(true)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('fails its stream on fail(), and when the file is written again from its start', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'live-zip-'))
    try {
      const file = path.join(dir, 'a.zip')
      const content = zstd(sample(1_000_000))
      writeFileSync(file, content.subarray(0, 300_000))
      const entry = new LiveEntry(file, 0)
      const reading = (async () => {
        for await (const _ of entry.stream()) void _
      })()
      // written again only once the follower read past what the new start holds (a fixed wait
      // let a loaded machine truncate it first: then the follower rightly waits for more)
      while (entry.passed <= 1000) await new Promise(resolve => setTimeout(resolve, 5))
      writeFileSync(file, content.subarray(0, 1000))
      await expect(reading).rejects.toThrow('written again from its start')

      const failed = new LiveEntry(file, 0)
      const stopped = (async () => {
        for await (const _ of failed.stream()) void _
      })()
      failed.fail(new Error('the manifest is wrong'))
      await expect(stopped).rejects.toThrow('the manifest is wrong')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('a download far ahead of a stalled load is never held up, and the follower reads only what the load takes', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'live-zip-'))
    try {
      const file = path.join(dir, 'a.zip')
      const content = zstd(sample(24_000_000), ['-1'])
      expect(content.length).toBeGreaterThan(16 * 256 * 1024)
      writeFileSync(file, '')
      const entry = new LiveEntry(file, 0)
      const stream = entry.stream()
      const hash = createHash('sha256')
      let taken = 0
      stream.on('data', (chunk: Buffer) => {
        hash.update(chunk)
        taken += chunk.length
      })
      // the load stalls at once (pg_restore busy): nothing more is taken
      stream.pause()
      // the download writes the whole file meanwhile, in the client's chunks, and ends
      for (let i = 0; i < content.length; i += 65536) {
        appendFileSync(file, content.subarray(i, i + 65536))
        if (i % (1 << 20) === 0) await new Promise(resolve => setTimeout(resolve, 1))
      }
      await new Promise(resolve => setTimeout(resolve, 300))
      // what the follower read and holds for the stalled load: its stream's buffer, a read or two
      expect(entry.passed - taken).toBeLessThanOrEqual(3 * 256 * 1024)
      expect(entry.passed).toBeLessThan(content.length / 4)
      // the load goes on: every byte arrives, once
      const ended = new Promise(resolve => stream.on('end', resolve))
      stream.resume()
      const result = await entry.finish(content.length)
      entry.release(result.crc32)
      await ended
      expect(taken).toBe(content.length)
      expect(hash.digest('hex')).toBe(createHash('sha256').update(content).digest('hex'))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('a download slower than the load: its small chunks share read buffers, none is written over', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'live-zip-'))
    try {
      const file = path.join(dir, 'a.zip')
      const content = zstd(sample(6_000_000))
      writeFileSync(file, '')
      const entry = new LiveEntry(file, 0)
      const stream = entry.stream()
      // the chunks as given, all held (as a stalled pipe would): none may change afterwards
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      const ended = new Promise(resolve => stream.on('end', resolve))
      for (let i = 0; i < content.length; i += 10_000) {
        appendFileSync(file, content.subarray(i, i + 10_000))
        await new Promise(resolve => setTimeout(resolve, 1))
      }
      const result = await entry.finish(content.length)
      entry.release(result.crc32)
      await ended
      expect(Buffer.concat(chunks).equals(content)).toBe(true)
      // memory outside the heap the chunks hold: about their bytes, not a 256 KiB read each
      const held = new Set(chunks.map(chunk => chunk.buffer))
      const heldBytes = [...held].reduce((sum, buffer) => sum + buffer.byteLength, 0)
      expect(chunks.length).toBeGreaterThan(held.size)
      expect(heldBytes).toBeLessThanOrEqual(2 * content.length + 256 * 1024)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('the length given while a read is under way: a read that found no more bytes is no truncation', async () => {
    // finish() comes from the download while the follower's read is in flight; that read was
    // asked before the length was known and may come back empty at the file's current end
    const dir = mkdtempSync(path.join(os.tmpdir(), 'live-zip-'))
    try {
      const content = zstd(sample(200_000))
      for (let round = 0; round < 200; round++) {
        const file = path.join(dir, `${round}.zip`)
        writeFileSync(file, content)
        const entry = new LiveEntry(file, 0)
        const got: Buffer[] = []
        const reading = (async () => {
          for await (const chunk of entry.stream()) got.push(chunk as Buffer)
        })()
        // at every moment of the follower's reads, from before its first to after its last
        for (let i = 0; i < round % 20; i++) await new Promise(resolve => setImmediate(resolve))
        const result = await entry.finish(content.length)
        entry.release(result.crc32)
        await reading
        expect(Buffer.concat(got).equals(content)).toBe(true)
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('a stream taken after the file is whole still waits for release; one never taken is given up', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'live-zip-'))
    try {
      const file = path.join(dir, 'a.zip')
      const content = zstd(sample(500_000))
      writeFileSync(file, Buffer.concat([content, randomBytes(1000)]))
      const late = new LiveEntry(file, 0)
      const starting = late.started()
      const got: Buffer[] = []
      const reading = (async () => {
        for await (const chunk of late.stream()) got.push(Buffer.from(chunk as Buffer))
      })()
      await starting
      expect(late.claim()).toBe(true)
      const result = await late.finish(content.length)
      late.release(result.crc32)
      await reading
      expect(Buffer.concat(got).equals(content)).toBe(true)

      const never = new LiveEntry(file, 0)
      expect(never.claim()).toBe(false)
      const refused = (async () => {
        for await (const _ of never.stream()) void _
      })()
      await expect(refused).rejects.toBeInstanceOf(LiveEntryNotTaken)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
