/**
 * The backup's stream: source → count (→ inspect) → compress → encrypt → sha256 → gate → sinks.
 * Written once and teed to every sink (a local file, the artifact's zip, an S3 upload), paced by
 * the slowest; the gate holds the end back until the dump is known to be whole, so no sink
 * completes (no upload finishes, no file is final) for a dump that is not.
 */
import { type Duplex, type Readable, Transform, Writable } from 'node:stream'
import { finished, pipeline } from 'node:stream/promises'
import { EngineError } from '../errors.js'
import type { Compression, EncryptionKeys } from '../types.js'
import { createCompressor } from './compress.js'
import { DigestStage } from './digest.js'
import { createEncryptor } from './encrypt.js'
import { CountingStage } from './progress.js'
import { scavengeEvery } from '../memory.js'

/** Where the backup's bytes go. */
export interface Sink {
  /** Takes the bytes; ended once the stream is whole, destroyed when it failed. */
  readonly writable: Writable
  /**
   * Settles once the sink holds everything it took (e.g. the upload completed), with the number
   * of bytes it holds when it can tell (checked against what was sent).
   */
  readonly stored: Promise<number | undefined>
  /** Called once, when the dump's first bytes arrive (a live upload starts then). */
  begin?(): void
  /** The directory written to, for the message when the disk is full. */
  readonly directory?: string
  /** What it means that the sink holds `held` bytes when `sent` were sent. */
  mismatch?(held: number, sent: number): string
}

export interface BackupStreamOptions {
  compression: Compression
  compressionLevel: number
  encryption?: EncryptionKeys
  /**
   * See the dump's bytes as they pass, before compression (scanners, pg_restore --list, the
   * archive's walk), in this order.
   */
  inspector?: Duplex | Duplex[]
  /**
   * The source is compressed already (pg_dump writes straight into the compressor child, so the
   * dump's raw bytes never pass through this process): no compressor stage, and `inspector`
   * sees the compressed bytes.
   */
  precompressed?: boolean
  /** Runs before the end of the stream reaches the sinks; a rejection fails the stream. */
  beforeEnd?: () => Promise<void>
}

/** What was written: the dump's bytes, and the file's (compressed, encrypted) bytes and sha256. */
export interface Written {
  rawBytes: number
  fileBytes: number
  sha256: string
}

export class BackupError extends EngineError {
  override name = 'BackupError'
}

/** Counts the dump's raw bytes: a stage they pass, or (precompressed) a count read elsewhere. */
export type RawCount = CountingStage | { readonly bytes: number }

/** Streams `source` (counted by `raw`) into every sink; resolves once each one holds it all. */
export async function streamBackup(
  source: Readable,
  raw: RawCount,
  sinks: Sink[],
  options: BackupStreamOptions
): Promise<Written> {
  const digest = new DigestStage()
  const stages: Duplex[] = raw instanceof CountingStage ? [raw] : []
  // the sinks begin with pg_dump's first bytes: a dump that fails at once uploads nothing (nor
  // the empty frame, 9 to 13 bytes, a compressor writes for no input)
  if (sinks.some(sink => sink.begin)) {
    const first = options.precompressed ? EMPTY_FRAME_MAX + 1 : 1
    stages.push(onFirstBytes(first, () => sinks.forEach(sink => sink.begin?.())))
  }
  if (options.inspector) stages.push(...[options.inspector].flat())
  const compressor = options.precompressed
    ? undefined
    : createCompressor(options.compression, options.compressionLevel)
  if (compressor) stages.push(compressor)
  if (options.encryption) stages.push(createEncryptor(options.encryption))
  stages.push(digest)
  if (options.beforeEnd) stages.push(gate(options.beforeEnd))
  const tee = new Tee(sinks)
  const [streamed, ...stored] = await Promise.allSettled([
    pipeline([source, ...stages, tee]),
    ...sinks.map(sink => sink.stored)
  ])
  if (tee.failed) {
    // a sink gave up (an upload refused, a disk full): its own error says why
    const index = sinks.indexOf(tee.failed.sink)
    const own = stored[index]
    throw explainWriteError(own.status === 'rejected' ? own.reason : tee.failed.error, sinks)
  }
  // the dump's own failure explains more than the aborts of the sinks it caused
  if (streamed.status === 'rejected') throw explainWriteError(streamed.reason, sinks)
  for (const [index, result] of stored.entries()) {
    if (result.status === 'rejected') throw result.reason
    const held = result.value
    if (held !== undefined && held !== digest.bytes) {
      throw new BackupError(
        sinks[index].mismatch?.(held, digest.bytes) ??
          `a destination holds ${held} bytes but ${digest.bytes} were written.`
      )
    }
  }
  return { rawBytes: raw.bytes, fileBytes: digest.bytes, sha256: digest.digest() }
}

/**
 * How often the tee collects the young generation: less often than memory.ts's 4 MiB, because
 * the sinks keep chunks longer than that — the artifact client gathers 8 MiB of them for a block
 * before it copies them (and S3's upload its parts). A chunk that lives through two collections
 * is moved to the old generation, where it is freed only by a full collection: with a collection
 * every 4 MiB, half the chunks were, and the Buffers grew with the backup's size. Measured on a
 * 300 MB live upload (loopback backend, 40 MB/s): every 4 MiB, Buffers' peak 68–77 MB and the
 * process 1.9 CPU s; every 12 MiB, 45–46 MB and 1.1–1.2 CPU s; every 16 MiB, 43–45 MB.
 */
const BACKUP_SCAVENGE_BYTES = 12 * 1024 * 1024

/** Writes every chunk to every sink, waiting for the slowest; fails when one of them fails. */
class Tee extends Writable {
  failed?: { sink: Sink; error: Error }
  // the compressed chunks are garbage once every sink took them (see memory.ts)
  private readonly scavenge = scavengeEvery(BACKUP_SCAVENGE_BYTES)

  constructor(private readonly sinks: Sink[]) {
    super()
    for (const sink of sinks) {
      sink.writable.on('error', (error: Error) => {
        if (this.destroyed) return // destroyed by the tee itself, after a failure upstream
        this.failed ??= { sink, error }
        this.destroy(error)
      })
    }
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.scavenge(chunk.length)
    let waiting = 1
    const drained = (): void => {
      if (--waiting === 0) callback()
    }
    for (const sink of this.sinks) {
      if (!sink.writable.write(chunk)) {
        waiting++
        sink.writable.once('drain', drained)
      }
    }
    drained()
  }

  override _final(callback: (error?: Error | null) => void): void {
    for (const sink of this.sinks) sink.writable.end()
    Promise.all(this.sinks.map(sink => finished(sink.writable, { readable: false }))).then(
      () => callback(),
      callback
    )
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (error) for (const sink of this.sinks) sink.writable.destroy(error)
    callback(error)
  }
}

/** A pass-through stage that holds the end of the stream until `check` passes (else fails it). */
function gate(check: () => Promise<void>): Transform {
  return new Transform({
    transform: (chunk, _encoding, callback) => callback(null, chunk),
    flush: callback => {
      check().then(
        () => callback(),
        error => callback(error as Error)
      )
    }
  })
}

/** More than a compressor's output for no input: a zstd or gzip frame of nothing. */
const EMPTY_FRAME_MAX = 64

/** A pass-through stage that calls `callback` once, when `count` bytes have passed. */
function onFirstBytes(count: number, callback: () => void): Transform {
  let seen = 0
  return new Transform({
    transform: (chunk: Buffer, _encoding, done) => {
      if (seen < count) {
        seen += chunk.length
        if (seen >= count) callback()
      }
      done(null, chunk)
    }
  })
}

function explainWriteError(error: unknown, sinks: Sink[]): Error {
  const err = error as NodeJS.ErrnoException
  const directory = sinks.find(sink => sink.directory)?.directory
  if ((err?.code === 'ENOSPC' || err?.code === 'EDQUOT') && directory) {
    return new BackupError(
      `the disk is full: no space left while writing the dump to ${directory}. Free space on the runner (a GitHub-hosted runner has ~14 GB free), exclude large tables' data (exclude-table-data), or use a larger runner. Nothing was uploaded.`
    )
  }
  return err instanceof Error ? err : new Error(String(error))
}
