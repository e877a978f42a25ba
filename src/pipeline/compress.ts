/**
 * Compression stages, off the event loop. zstd runs as the `zstd` command-line tool in a child
 * process when it is installed (GitHub's runners have it): multi-threaded (-T0), and its memory is
 * not the action's; otherwise in zlib's thread pool (Node 24). gzip runs in zlib's thread pool.
 */
import { spawn } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import path from 'node:path'
import { Duplex, PassThrough, Transform } from 'node:stream'
import zlib from 'node:zlib'
import type { Compression } from '../types.js'

/** 256 KiB chunks: few hand-offs between pg_dump, the thread pool and the file, little memory. */
const CHUNK = 256 * 1024

let zstdCommand: string | null | undefined

/** The zstd CLI on PATH, looked up once; null when there is none. */
export function findZstdCommand(env: NodeJS.ProcessEnv = process.env): string | null {
  if (zstdCommand !== undefined) return zstdCommand
  const exe = process.platform === 'win32' ? 'zstd.exe' : 'zstd'
  zstdCommand = null
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue
    const candidate = path.join(dir, exe)
    try {
      accessSync(candidate, constants.X_OK)
      zstdCommand = candidate
      break
    } catch {
      // not here
    }
  }
  return zstdCommand
}

export function compressionExtension(compression: Compression): string {
  return compression === 'zstd' ? '.zst' : compression === 'gzip' ? '.gz' : ''
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

/** Which compression a file starts with, by its magic bytes. */
export function detectCompression(head: Buffer): Compression | 'unknown-compressed' {
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd'
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip'
  if (head.length >= 3 && head.toString('latin1', 0, 3) === 'BZh') return 'unknown-compressed'
  if (head.length >= 6 && head.toString('latin1', 0, 6) === '\xfd7zXZ\x00') {
    return 'unknown-compressed'
  }
  return 'none'
}

/**
 * A child process used as a transform: bytes in on stdin, out on stdout. Its output ends only
 * once it exited 0, so a failing compressor can never pass for a complete stream.
 */
function childProcessStage(command: string, args: string[]): Duplex {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('INPUT_')) env[key] = value // the runner's copies of the inputs
  }
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env, windowsHide: true })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4096)))
  const exited = new Promise<Error | undefined>(resolve => {
    child.on('error', error => resolve(new Error(`could not run ${command}: ${error.message}`)))
    child.on('close', (code, signal) =>
      resolve(
        code === 0
          ? undefined
          : new Error(
              `${command} ${signal ? `was killed by ${signal}` : `exited with code ${code}`}: ${stderr.trim()}`
            )
      )
    )
  })
  const output = new Transform({
    transform: (chunk, _encoding, callback) => callback(null, chunk),
    flush: callback => void exited.then(error => callback(error))
  })
  child.stdout.on('error', error => output.destroy(error))
  child.stdout.pipe(output)
  // writes go through a pass-through, so that a child that died is reported by its exit status
  // rather than by the EPIPE of the next write
  const input = new PassThrough()
  input.pipe(child.stdin)
  const duplex = Duplex.from({ writable: input, readable: output })
  child.stdin.on('error', error => {
    void exited.then(failure => duplex.destroy(failure ?? error))
  })
  void exited.then(error => {
    if (error) duplex.destroy(error)
  })
  duplex.on('close', () => {
    if (child.exitCode === null) child.kill()
  })
  return duplex
}
