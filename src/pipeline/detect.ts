/**
 * Recognising a backup by its content, not its name: the compression by magic bytes, then the
 * dump format from the first decompressed bytes (custom archive, directory tar, or SQL text).
 */
import { createReadStream } from 'node:fs'
import { open } from 'node:fs/promises'
import type { Compression } from '../inputs.js'
import { createDecompressor, detectCompression } from './compress.js'

export type DetectedFormat = 'custom' | 'plain' | 'directory-tar'

export class FormatError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'FormatError'
  }
}

async function readStart(file: string, bytes: number): Promise<Buffer> {
  const handle = await open(file, 'r')
  try {
    const buffer = Buffer.alloc(bytes)
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0)
    return buffer.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
}

/** The first `bytes` bytes of the decompressed content. */
export async function decompressedStart(
  file: string,
  compression: Compression,
  bytes = 8192
): Promise<Buffer> {
  const chunks: Buffer[] = []
  let total = 0
  const source = createReadStream(file)
  const decompressor = createDecompressor(compression)
  const stream = decompressor ? source.pipe(decompressor) : source
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      chunks.push(chunk)
      total += chunk.length
      if (total >= bytes) break
    }
  } catch (error) {
    throw new FormatError(
      `the ${compression} data cannot be decompressed: ${(error as Error).message}`
    )
  } finally {
    source.destroy()
    decompressor?.destroy()
  }
  return Buffer.concat(chunks).subarray(0, bytes)
}

export function detectFormat(start: Buffer): DetectedFormat | undefined {
  if (start.subarray(0, 5).toString('latin1') === 'PGDMP') return 'custom'
  if (start.length >= 262 && start.subarray(257, 262).toString('latin1') === 'ustar') {
    return 'directory-tar'
  }
  if (start.length === 0) return undefined
  // SQL text: no NUL bytes, and valid UTF-8 apart from a character cut at the end
  if (start.includes(0)) return undefined
  const text = start.toString('utf8')
  const replacement = (text.match(/\uFFFD/g) ?? []).length
  if (replacement > 3) return undefined
  return 'plain'
}

export interface Detected {
  compression: Compression
  format: DetectedFormat
}

/** Compression and format of a backup file, by content. */
export async function detectBackup(file: string): Promise<Detected> {
  const magic = await readStart(file, 16)
  if (magic.length === 0) throw new FormatError('the backup file is empty')
  const compression = detectCompression(magic)
  if (compression === 'unknown-compressed') {
    throw new FormatError(
      'the backup file is compressed with bzip2 or xz, which is not supported; decompress it first (or recompress with gzip or zstd).'
    )
  }
  const format = detectFormat(await decompressedStart(file, compression))
  if (!format) {
    throw new FormatError(
      'the backup is neither a pg_dump archive (custom or directory format) nor an SQL script; is it the right file?'
    )
  }
  return { compression, format }
}
