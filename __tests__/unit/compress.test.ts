import { describe, expect, it } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import zlib from 'node:zlib'
import {
  createCompressor,
  createDecompressor,
  detectCompression,
  findZstdCommand
} from '../../src/pipeline/compress.js'

/** Half random, half repetitive: something both compressors have work to do on. */
const input = Buffer.concat([randomBytes(300_000), Buffer.alloc(700_000, 'row of text\n')])

async function through(stage: NodeJS.ReadWriteStream, data: Buffer): Promise<Buffer> {
  const chunks: Buffer[] = []
  const sink = new Writable({
    write: (chunk: Buffer, _e, callback) => {
      chunks.push(chunk)
      callback()
    }
  })
  const pieces = []
  for (let i = 0; i < data.length; i += 65536) pieces.push(data.subarray(i, i + 65536))
  await pipeline(Readable.from(pieces), stage, sink)
  return Buffer.concat(chunks)
}

describe('compression stages', () => {
  it('finds the zstd command on PATH (CI installs it)', () => {
    expect(findZstdCommand()).toMatch(/zstd$/)
  })

  it.each([
    ['zstd via the zstd command', () => createCompressor('zstd', 3)],
    ['zstd via zlib (no zstd command)', () => createCompressor('zstd', 3, { zstdCommand: null })],
    ['gzip via zlib', () => createCompressor('gzip', 6)]
  ])('%s round-trips and is recognised by its magic bytes', async (_label, make) => {
    const compressed = await through(make()!, input)
    expect(compressed.length).toBeLessThan(input.length / 2)
    const algorithm = detectCompression(compressed)
    expect(algorithm === 'zstd' || algorithm === 'gzip').toBe(true)
    const back = await through(createDecompressor(algorithm as 'zstd' | 'gzip')!, compressed)
    expect(back.equals(input)).toBe(true)
    // and the standard decoders read it too
    const std =
      algorithm === 'zstd' ? zlib.zstdDecompressSync(compressed) : zlib.gunzipSync(compressed)
    expect(std.equals(input)).toBe(true)
  })

  it('a compressor process that fails fails the stream (never a short file that passes)', async () => {
    // a compressor that exits 1 (here /bin/false in zstd's place): the stage must reject
    const stage = createCompressor('zstd', 3, { zstdCommand: '/bin/false' })
    await expect(through(stage!, input)).rejects.toThrow(/false exited with code 1/)
  })

  it('none is no stage at all', () => {
    expect(createCompressor('none', 0)).toBeUndefined()
    expect(createDecompressor('none')).toBeUndefined()
  })
})
