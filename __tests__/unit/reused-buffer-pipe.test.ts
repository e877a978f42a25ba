/**
 * reusedBufferPipe (storage/fifo.ts): a child writes into it, this process reads every byte in
 * order, through one buffer of 64 KiB reused for every read, and the work directory of its named
 * pipe is gone at once.
 */
import { describe, expect, it } from '@jest/globals'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startChild } from '../../src/process.js'
import { reusedBufferPipe } from '../../src/storage/fifo.js'

describe('reusedBufferPipe', () => {
  it("reads a child's output whole and in order, into one buffer, and leaves no file behind", async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'reused-pipe-'))
    try {
      const file = path.join(root, 'input')
      const bytes = randomBytes(3 * 1024 * 1024 + 17)
      writeFileSync(file, bytes)
      const pipe = await reusedBufferPipe(root)
      expect(pipe).toBeDefined()
      // the named pipe's directory is removed once both ends are open
      expect(readdirSync(root)).toEqual(['input'])
      const child = startChild('cat', [file], { stdout: pipe!.writer })
      pipe!.closeWriter()
      const read = createHash('sha256')
      const buffers = new Set<ArrayBufferLike>()
      let total = 0
      let largest = 0
      let reads = 0
      for (let chunk = await pipe!.next(); chunk !== null; chunk = await pipe!.next()) {
        // a slow reader: the chunk is hashed after a wait (nothing may overwrite it before the
        // next call, however much the writer has written meanwhile)
        if (reads++ % 3 === 0) await new Promise(resolve => setTimeout(resolve, 2))
        read.update(chunk)
        buffers.add(chunk.buffer)
        total += chunk.length
        largest = Math.max(largest, chunk.length)
      }
      await child.done
      pipe!.close()
      expect(total).toBe(bytes.length)
      expect(read.digest('hex')).toBe(createHash('sha256').update(bytes).digest('hex'))
      expect(buffers.size).toBe(1)
      expect(largest).toBeLessThanOrEqual(64 * 1024)
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })

  it('ends at once when the writer never started (null, not a wait)', async () => {
    const pipe = await reusedBufferPipe()
    expect(pipe).toBeDefined()
    pipe!.closeWriter()
    expect(await pipe!.next()).toBeNull()
    pipe!.close()
  })
})
