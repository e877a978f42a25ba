/**
 * Compression stages. zstd and gzip run in zlib's thread pool, off the event loop; where the
 * runtime's zlib lacks zstd, the `zstd` command-line tool runs as a child process instead.
 */
import { spawn } from 'node:child_process'
import { Duplex } from 'node:stream'
import zlib from 'node:zlib'
import type { Compression } from '../inputs.js'

/** 1 MiB chunks: fewer, larger hand-offs between pg_dump, the thread pool and the file. */
const CHUNK = 1024 * 1024

export function compressionExtension(compression: Compression): string {
  return compression === 'zstd' ? '.zst' : compression === 'gzip' ? '.gz' : ''
}

export function hasNativeZstd(): boolean {
  return typeof (zlib as { createZstdCompress?: unknown }).createZstdCompress === 'function'
}

/** A stage that compresses; undefined for 'none'. */
export function createCompressor(compression: Compression, level: number): Duplex | undefined {
  switch (compression) {
    case 'none':
      return undefined
    case 'gzip':
      return zlib.createGzip({ level, chunkSize: CHUNK })
    case 'zstd':
      if (hasNativeZstd()) {
        return zlib.createZstdCompress({
          chunkSize: CHUNK,
          params: { [zlib.constants.ZSTD_c_compressionLevel]: level }
        })
      }
      return childProcessStage('zstd', ['-q', '-c', `-${level}`, '-T0'])
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

/** A child process used as a transform: bytes in on stdin, out on stdout; fails on non-zero exit. */
function childProcessStage(command: string, args: string[]): Duplex {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4096)))
  const duplex = Duplex.from({ writable: child.stdin, readable: child.stdout })
  child.on('error', error =>
    duplex.destroy(new Error(`could not run ${command}: ${error.message}`))
  )
  child.on('close', code => {
    if (code !== 0 && code !== null) {
      duplex.destroy(new Error(`${command} exited with code ${code}: ${stderr.trim()}`))
    }
  })
  duplex.on('close', () => {
    if (child.exitCode === null) child.kill()
  })
  return duplex
}
