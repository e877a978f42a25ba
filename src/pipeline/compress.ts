/**
 * Compression stages, off the event loop. zstd runs as the `zstd` command-line tool in a child
 * process when it is installed (GitHub's runners have it): multi-threaded (-T0), and its memory is
 * not the action's; otherwise in zlib's thread pool (Node 24). gzip runs in zlib's thread pool.
 */
import { Duplex, PassThrough } from 'node:stream'
import zlib from 'node:zlib'
import { checkedOutput, findProgram, startChild } from '../process.js'
import type { Compression } from '../types.js'

/** 256 KiB chunks: few hand-offs between pg_dump, the thread pool and the file, little memory. */
const CHUNK = 256 * 1024

let zstdCommand: string | null | undefined

/** The zstd CLI on PATH, looked up once; null when there is none. */
export function findZstdCommand(env: NodeJS.ProcessEnv = process.env): string | null {
  zstdCommand ??= findProgram('zstd', env) ?? null
  return zstdCommand
}

export function hasNativeZstd(): boolean {
  return typeof (zlib as { createZstdCompress?: unknown }).createZstdCompress === 'function'
}

/** A stage that compresses; undefined for 'none'. */
export function createCompressor(
  compression: Compression,
  level: number,
  options: { zstdCommand?: string | null } = {}
): Duplex | undefined {
  switch (compression) {
    case 'none':
      return undefined
    case 'gzip':
      return zlib.createGzip({ level, chunkSize: CHUNK })
    case 'zstd': {
      const cli = options.zstdCommand !== undefined ? options.zstdCommand : findZstdCommand()
      if (cli) return childProcessStage(cli, ['-q', '-c', `-${level}`, '-T0'])
      if (hasNativeZstd()) {
        return zlib.createZstdCompress({
          chunkSize: CHUNK,
          params: { [zlib.constants.ZSTD_c_compressionLevel]: level }
        })
      }
      throw new Error(
        'zstd compression needs Node 22.15+ or the zstd command; install zstd, or use compression: gzip.'
      )
    }
  }
}

/** A stage that decompresses; undefined for 'none'. */
export function createDecompressor(compression: Compression): Duplex | undefined {
  switch (compression) {
    case 'none':
      return undefined
    case 'gzip':
      return zlib.createGunzip({ chunkSize: CHUNK })
    case 'zstd':
      if (hasNativeZstd()) return zlib.createZstdDecompress({ chunkSize: CHUNK })
      return childProcessStage('zstd', ['-q', '-d', '-c'])
  }
}

/**
 * `zstd -d` as a child process stage, when the zstd CLI is installed (else undefined): the
 * decompression runs outside this process, which then only reads the decoded bytes (for a stream
 * this process has to read anyway, such as a plain script on its way through the restore's gate).
 */
export function createZstdCliDecompressor(): Duplex | undefined {
  const cli = findZstdCommand()
  return cli ? childProcessStage(cli, ['-q', '-d', '-c']) : undefined
}

/** Which compression a file starts with, by its magic bytes. */
export function detectCompression(head: Buffer): Compression | 'unknown-compressed' {
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd'
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip'
  return unreadCompression(head) ? 'unknown-compressed' : 'none'
}

/**
 * A compression the action does not read, by its magic bytes: bzip2 ("BZh" and the block size
 * digit), xz, lz4 (the frame format, and the legacy one `lz4 -l` writes). Undefined otherwise.
 */
export function unreadCompression(head: Buffer): 'bzip2' | 'xz' | 'lz4' | undefined {
  if (head.length >= 4 && /^BZh[1-9]$/.test(head.toString('latin1', 0, 4))) return 'bzip2'
  if (head.length >= 6 && head.toString('latin1', 0, 6) === '\xfd7zXZ\x00') return 'xz'
  if (head.length >= 4 && [0x184d2204, 0x184c2102].includes(head.readUInt32LE(0))) return 'lz4'
  return undefined
}

/**
 * A child process used as a transform: bytes in on stdin, out on stdout. Its output ends only
 * once it exited 0, so a failing compressor can never pass for a complete stream; a child that
 * stops reading is reported by its exit status, not by the broken pipe (process.ts).
 */
function childProcessStage(command: string, args: string[]): Duplex {
  // the stage's input reaches the child through a stream of its own: when the child stops
  // reading, that one is given up, while the stage's input only stops flowing (the exit status
  // then fails the stage, rather than the broken pipe)
  const input = new PassThrough()
  const toChild = new PassThrough()
  input.pipe(toChild)
  const child = startChild(command, args, { stdin: toChild })
  const duplex = Duplex.from({ writable: input, readable: checkedOutput(child) })
  child.done.catch((error: Error) => duplex.destroy(error))
  // the stream was given up (a failure elsewhere): the child goes too
  duplex.on('close', () => child.kill())
  return duplex
}
