/**
 * Reading a backup back: the one way to open its content, decrypted (age) when encrypted and
 * decompressed, from a file or from a byte range inside one (a stored entry of a zip).
 */
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import path from 'node:path'
import { type Duplex, Readable, Transform, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { type Child, ChildProcessError, type StartOptions, startChild } from '../process.js'
import type { Compression, DecryptionKeys } from '../types.js'
import { createDecompressor, findZstdCommand } from './compress.js'
import { createDecryptor } from './encrypt.js'

/** A backup file on disk: a whole file, or `length` bytes from `offset` inside one. */
export interface BackupFile {
  path: string
  range?: { offset: number; length: number }
  /** What it is called (an entry's name inside a zip); default the file's name. */
  name?: string
  /** Counts the bytes read of it by the latest pass over it (for progress reports), when given. */
  meter?: { bytes: number }
  /** A stored zip entry: the CRC-32 the zip gives for its bytes (checked when it was opened). */
  crc32?: number
  /**
   * A stored zip entry still downloading (storage/live-zip.ts LiveEntry): only the piped direct
   * load reads it, through `stream`; `expectedCrc32` is the zip's CRC-32 for it, once checked.
   */
  live?: { stream(meter?: { bytes: number }): Readable; readonly expectedCrc32?: number }
}

/** The backup file's name, for messages. */
export function fileName(file: BackupFile): string {
  return file.name ?? path.basename(file.path)
}

/** How the file's bytes became the dump: what to undo, in which order. */
export interface Decoding {
  compression: Compression
  /** Present when the file is age-encrypted. */
  decryption?: DecryptionKeys
}

/** Fresh stages for one pass over the file (streams cannot be reused). */
export function decodingStages(decoding: Decoding): Duplex[] {
  const stages: Duplex[] = []
  if (decoding.decryption) stages.push(createDecryptor(decoding.decryption))
  const decompressor = createDecompressor(decoding.compression)
  if (decompressor) stages.push(decompressor)
  return stages
}

/** The file's raw bytes (still encrypted, compressed). */
export function openRaw(file: BackupFile, options: { highWaterMark?: number } = {}): Readable {
  const range = file.range
  if (range && range.length === 0) return Readable.from([])
  const stream = createReadStream(file.path, {
    start: range?.offset,
    end: range ? range.offset + range.length - 1 : undefined,
    highWaterMark: options.highWaterMark
  })
  const meter = file.meter
  if (!meter) return stream
  // a pass over the file counts from its start: a restore that reads it again (a check, then
  // the load) showed the sum of its passes ("23.0 MB of 10.5 MB": trial u45 F7)
  let first = true
  return chain(
    stream,
    new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        if (first) meter.bytes = 0
        first = false
        meter.bytes += chunk.length
        callback(null, chunk)
      }
    })
  )
}

/** The dump inside the file: decrypted and decompressed as `decoding` says, then `more` stages. */
export function openDecoded(file: BackupFile, decoding: Decoding, ...more: Duplex[]): Readable {
  return chain(openRaw(file), ...decodingStages(decoding), ...more)
}

/**
 * `program args` reading the decoded backup on its stdin. A zstd-compressed backup, with the zstd
 * CLI installed, is decoded by `zstd -d` writing straight into the program's stdin (a pipe between
 * the two children: this process carries only the compressed bytes, decrypted first when
 * encrypted); anything else is decoded here (openDecoded). `done` settles once both exited: zstd
 * stopped by the broken pipe (Node's stdio pipes are socket pairs: "Connection reset by peer")
 * means the program stopped reading, and its own exit decides (tar stops at the end-of-archive
 * blocks; the file's digest was checked before); any other failure of zstd (a damaged frame) is
 * the one reported, the program then only lost its input. kill() stops both.
 */
export function startDecoded(
  program: string,
  args: string[],
  file: BackupFile,
  decoding: Decoding,
  options: Omit<StartOptions, 'stdin'> = {}
): Child {
  const zstdPath = decoding.compression === 'zstd' ? findZstdCommand() : null
  if (!zstdPath)
    return startChild(program, args, { ...options, stdin: openDecoded(file, decoding) })
  const reader = startChild(program, args, { ...options, stdin: 'pipe' })
  if (!reader.stdin) return reader // not started (the run is cancelled)
  const compressed = decoding.decryption
    ? chain(openRaw(file), createDecryptor(decoding.decryption))
    : openRaw(file)
  const zstd = startChild(zstdPath, ['-q', '-d', '-c'], { stdin: compressed, stdout: reader.stdin })
  // zstd holds the pipe's writing end now: the program's input ends when zstd's output does
  reader.stdin.destroy()
  const done = Promise.allSettled([reader.done, zstd.done]).then(([read, unpacked]) => {
    if (unpacked.status === 'rejected') {
      const error = unpacked.reason as ChildProcessError
      const brokenPipe =
        error instanceof ChildProcessError &&
        (error.signal === 'SIGPIPE' ||
          /write error.*(broken pipe|connection reset)/i.test(error.stderr))
      if (!brokenPipe) throw error
    }
    if (read.status === 'rejected') throw read.reason
  })
  done.catch(() => undefined)
  return {
    stdout: reader.stdout,
    stdin: null,
    pid: reader.pid,
    done,
    stderr: () => reader.stderr(),
    kill: (signal?: NodeJS.Signals): void => {
      zstd.kill(signal)
      reader.kill(signal)
    }
  }
}

/**
 * `source` through `stages`, as one readable: the last stage. A failure anywhere fails it;
 * destroying it (its reader stopped) stops the others.
 */
export function chain(source: Readable, ...stages: Duplex[]): Readable {
  if (stages.length === 0) return source
  const last = stages[stages.length - 1]
  pipeline([source, ...stages]).catch((error: Error) => last.destroy(error))
  return last
}

/** Reads a whole stream and discards it (for checks that only need to see the bytes pass). */
export function discard(): Writable {
  return new Writable({ write: (_chunk, _encoding, callback) => callback() })
}

/** The backup file's size in bytes. */
export async function sizeOf(file: BackupFile): Promise<number> {
  return file.range ? file.range.length : (await stat(file.path)).size
}

/** The first `bytes` raw bytes of the file (fewer when it is shorter). */
export function readStart(file: BackupFile, bytes: number): Promise<Buffer> {
  return firstBytes(openRaw(file), bytes)
}

/** The first `bytes` bytes of a stream (fewer when it is shorter); the stream is closed. */
export async function firstBytes(stream: Readable, bytes: number): Promise<Buffer> {
  const chunks: Buffer[] = []
  let total = 0
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      chunks.push(chunk)
      total += chunk.length
      if (total >= bytes) break
    }
  } finally {
    stream.destroy()
  }
  return Buffer.concat(chunks).subarray(0, bytes)
}
