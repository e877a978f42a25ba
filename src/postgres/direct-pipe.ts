/**
 * The direct load of a zstd-compressed custom archive stored in a zip (an artifact, or a zip the
 * user gives) with the decoded bytes kept out of this process: `zstd -d` writes straight into
 * `pg_restore -d`'s stdin (an OS pipe, as `zstd -dc file | pg_restore -d …` by hand), and only the
 * compressed bytes pass through here, on their way from the zip to zstd. At the 4 GB bench size
 * that is 1.3 GB through this process instead of 1.3 GB in and 4 GB twice out and in again.
 *
 * The promises of the load through this process (load.ts DirectFeed) stay:
 *  - pg_restore runs nothing but what was checked: no compressed byte reaches zstd before the
 *    ones it decodes into the archive's header and TOC were decoded here too (node:zlib) and found
 *    byte for byte the ones the check read;
 *  - nothing commits unless the whole input is the one checked: the last
 *    {@link DIRECT_PIPE_HOLD_BACK} compressed bytes reach zstd only once every byte was read and
 *    its CRC-32 equals the zip's for the entry (the CRC the download or the zip check verified,
 *    with the sha256 against the manifest): zstd cannot write the archive's last bytes before, and
 *    pg_restore commits only after its last data block (load.ts checks that it restores it);
 *  - a failure of either child, or of the read, stops both (the transaction is rolled back).
 * Used only where all of that holds: see {@link pipedInput}; the rest goes through DirectFeed.
 */
import { Transform, type TransformCallback, type Writable } from 'node:stream'
import zlib from 'node:zlib'
import { type BackupFile, type Decoding, chain, firstBytes, openRaw } from '../pipeline/decode.js'
import { findZstdCommand } from '../pipeline/compress.js'
import { SCAVENGE_BYTES, scavengeEvery } from '../memory.js'
import { type Child, startChild } from '../process.js'
import { reusedBufferPipe } from '../storage/fifo.js'
import { type ArchiveDigestTap, chunksOf, scavenging } from './compare.js'

/** Compressed bytes held back from zstd until the whole entry was read and its CRC-32 matched. */
export const DIRECT_PIPE_HOLD_BACK = 64 * 1024

/** The most compressed bytes read to decode the archive's head (its header and TOC) here. */
const MAX_HEAD_INPUT = 256 * 1024 * 1024

/** What a piped direct load needs: the zstd CLI, and a stored zip entry with its CRC-32. */
export interface PipedInput {
  zstd: string
  file: BackupFile & { range: { offset: number; length: number }; crc32: number }
}

/**
 * The archive can be loaded by `zstd -d | pg_restore -d` (no byte of the decoded archive through
 * this process): compressed with zstd, not encrypted, a stored entry of a zip whose CRC-32 was
 * checked, and the zstd CLI installed. Verify's digest of the decoded archive then reads a second
 * `zstd -d` of the same compressed bytes ({@link SideDecoder}).
 */
export function pipedInput(archive: {
  file: BackupFile
  decoding: Decoding
}): PipedInput | undefined {
  const { file, decoding } = archive
  if (decoding.compression !== 'zstd' || decoding.decryption) return undefined
  if (!file.range || file.crc32 === undefined) return undefined
  const zstd = findZstdCommand()
  if (!zstd) return undefined
  return { zstd, file: file as PipedInput['file'] }
}

/**
 * Whether the entry's start decodes here (node:zlib, one zstd frame) to `tocBytes`: the check
 * the load's PipedFeed makes before zstd gets a byte. Where it cannot (the head spread over
 * several frames, a skippable frame first, a format the zstd CLI reads and node:zlib does not)
 * the load takes the path through this process instead, which reads what the CLI decodes.
 */
export async function headDecodesHere(file: BackupFile, tocBytes: Buffer): Promise<boolean> {
  const head = await firstBytes(
    chain(openRaw(file), zlib.createZstdDecompress()),
    tocBytes.length
  ).catch(() => undefined)
  return head !== undefined && head.equals(tocBytes)
}

/**
 * The last `holdBack` bytes of a stream, held: each chunk goes on (`pass`) once enough bytes came
 * after it; `release` passes the rest (the input ended and was checked).
 */
export class HeldEnd {
  private chunks: Buffer[] = []
  private length = 0

  constructor(
    private readonly holdBack: number,
    private readonly pass: (chunk: Buffer) => void
  ) {}

  add(chunk: Buffer): void {
    this.chunks.push(chunk)
    this.length += chunk.length
    while (this.chunks.length > 0 && this.length - this.chunks[0].length >= this.holdBack) {
      const first = this.chunks.shift()!
      this.length -= first.length
      this.pass(first)
    }
  }

  release(): void {
    for (const chunk of this.chunks) this.pass(chunk)
    this.chunks = []
    this.length = 0
  }
}

/** Why the piped input was given up: for the load's error message. */
export class PipedInputError extends Error {
  constructor(
    message: string,
    readonly kind: 'head' | 'crc'
  ) {
    super(message)
    this.name = 'PipedInputError'
  }
}

/**
 * The compressed entry on its way to `zstd -d`: held back until its start decodes (here, with
 * node:zlib) to exactly `tocBytes`, and its last `holdBack` bytes until it ended with the CRC-32
 * `crc32`. `onRelease` is called as the held-back end is passed on.
 */
export class PipedFeed extends Transform {
  private pending: Buffer[] = []
  private pendingLength = 0
  private headChecked = false
  private decoder?: zlib.ZstdDecompress
  private decoded: Buffer[] = []
  private decodedLength = 0
  private headDone?: () => void
  /** The input's callback while the decoder takes its chunk (backpressure during the head). */
  private waiting?: TransformCallback
  private readonly tail: HeldEnd
  private crc = 0
  // the chunks it passes are garbage once zstd read them (see memory.ts)
  private readonly scavenge = scavengeEvery(SCAVENGE_BYTES)

  constructor(
    private readonly tocBytes: Buffer,
    /** The entry's CRC-32, or where to ask for it once the input ended (a live download's). */
    private readonly crc32: number | (() => number),
    holdBack = DIRECT_PIPE_HOLD_BACK,
    private readonly onRelease?: () => void
  ) {
    super()
    this.tail = new HeldEnd(holdBack, chunk => this.push(chunk))
    this.decoder = zlib.createZstdDecompress()
    this.decoder.on('data', (chunk: Buffer) => this.decodedHead(chunk))
    this.decoder.on('error', () => this.headFailed())
    this.decoder.on('end', () => this.headFailed())
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.crc = zlib.crc32(chunk, this.crc)
    this.scavenge(chunk.length)
    if (this.headChecked) {
      this.hold(chunk)
      return callback()
    }
    this.pending.push(chunk)
    this.pendingLength += chunk.length
    if (this.pendingLength > MAX_HEAD_INPUT) {
      return callback(this.changed(`its first ${MAX_HEAD_INPUT} bytes do not decode to it`))
    }
    // the next chunk comes once the decoder took this one (or the head was decided)
    this.waiting = callback
    this.decoder!.write(chunk, () => this.takeNext())
  }

  private takeNext(): void {
    const waiting = this.waiting
    this.waiting = undefined
    waiting?.()
  }

  override _flush(callback: TransformCallback): void {
    const finish = (): void => {
      if (!this.headChecked) return callback(this.changed('the archive ends before it'))
      const crc32 = typeof this.crc32 === 'function' ? this.crc32() : this.crc32
      if (this.crc >>> 0 !== crc32 >>> 0) {
        return callback(
          new PipedInputError(
            `the backup's bytes changed since they were checked (CRC-32 ${(this.crc >>> 0).toString(16)} ≠ ${(crc32 >>> 0).toString(16)})`,
            'crc'
          )
        )
      }
      // zstd may write the archive's end, and pg_restore commit, once it has these bytes
      this.onRelease?.()
      this.tail.release()
      callback()
    }
    if (this.headChecked || !this.decoder) return finish()
    this.headDone = finish
    this.decoder.end()
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.decoder?.destroy()
    this.decoder = undefined
    this.waiting = undefined
    callback(error)
  }

  private decodedHead(chunk: Buffer): void {
    if (this.headChecked || !this.decoder) return
    this.decoded.push(chunk)
    this.decodedLength += chunk.length
    if (this.decodedLength < this.tocBytes.length) return
    const head = Buffer.concat(this.decoded).subarray(0, this.tocBytes.length)
    this.decoded = []
    const decoder = this.decoder
    this.decoder = undefined
    decoder.removeAllListeners('end')
    decoder.removeAllListeners('data')
    decoder.on('error', () => undefined)
    decoder.destroy()
    if (!head.equals(this.tocBytes)) {
      this.destroy(this.changed('its header and table of contents differ'))
      return
    }
    this.headChecked = true
    const pending = this.pending
    this.pending = []
    this.pendingLength = 0
    for (const chunk of pending) this.hold(chunk)
    this.takeNext()
    const done = this.headDone
    this.headDone = undefined
    done?.()
  }

  /** The decoder ended or failed before the head was decoded whole. */
  private headFailed(): void {
    if (this.headChecked || !this.decoder) return
    this.decoder = undefined
    const done = this.headDone
    this.headDone = undefined
    if (done) done()
    else this.destroy(this.changed('its start does not decode to it'))
  }

  private hold(chunk: Buffer): void {
    this.tail.add(chunk)
  }

  private changed(how: string): PipedInputError {
    return new PipedInputError(
      `the archive's table of contents changed between its check and its load: ${how}`,
      'head'
    )
  }
}

/**
 * The compressed bytes on their way to the load's `zstd -d`, copied to a second writer (a
 * {@link SideDecoder}'s zstd) chunk for chunk: the next chunk is taken once the copy was written
 * (the slower reader sets the pace). Placed after the {@link PipedFeed}, it copies exactly what
 * the load's zstd gets, held-back end included, and ends the copy only where the feed ended
 * (the whole entry read, its CRC-32 matched). A copy that failed or was dropped stops being
 * written; the load goes on.
 */
export class SideCopy extends Transform {
  private side?: Writable
  private waiting?: TransformCallback

  constructor(side: Writable) {
    super()
    this.side = side
    const gone = (): void => this.stopCopying()
    side.on('error', gone)
    side.on('close', gone)
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.push(chunk)
    const side = this.side
    if (!side) return callback()
    if (side.write(chunk)) return callback()
    this.waiting = callback
    side.once('drain', () => this.release())
  }

  override _flush(callback: TransformCallback): void {
    // the copy's end is given (and what it still buffers written): no longer this stage's
    const side = this.side
    this.side = undefined
    side?.end()
    callback()
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // the input failed or the load stopped: the copy is not ended as if whole
    const side = this.side
    this.stopCopying()
    side?.destroy()
    callback(error)
  }

  /** Stops copying (the side's reader is gone); a chunk waiting for it goes on. */
  stopCopying(): void {
    this.side = undefined
    this.release()
  }

  private release(): void {
    const waiting = this.waiting
    this.waiting = undefined
    waiting?.()
  }
}

/**
 * Verify's digest beside the piped load: a second `zstd -d` fed a {@link SideCopy} of the very
 * compressed bytes the load's zstd decodes into pg_restore, its output read here (into one
 * reused buffer: fifo.ts) by the digest only; this process never writes the decoded archive.
 * The digest counts (`tap.confirm()`) only once this zstd ended without error and the load
 * succeeded: zstd decodes the same input to the same bytes, so they are the bytes pg_restore
 * loaded. A digest that fails stops this zstd and the copy; the load goes on, and verify reads
 * the backup again for its comparison.
 */
export class SideDecoder {
  private constructor(
    private readonly child: Child,
    readonly copy: SideCopy,
    private readonly digesting: Promise<boolean>
  ) {}

  static async start(zstd: string, tap: ArchiveDigestTap, tempRoot: string): Promise<SideDecoder> {
    const pipe = await reusedBufferPipe(tempRoot)
    let child: Child
    try {
      child = startChild(zstd, ['-q', '-d', '-c'], { stdin: 'pipe', stdout: pipe?.writer })
    } catch (error) {
      pipe?.close()
      throw error
    }
    pipe?.closeWriter()
    const copy = new SideCopy(child.stdin!)
    // the pipe's chunks are views of one reused buffer: no garbage to collect (its stdout's are,
    // where no pipe can be made). A scavenge per 4 MiB decoded (three or four per 4 MiB
    // compressed) would find the compressed chunks the load and this copy still hold twice, and
    // promote them to the old generation, where their 256 KiB outside the heap wait for a full
    // collection (verify's RSS grew by 50 MB during the load at 500 MB)
    const source = pipe ?? scavenging(chunksOf(child.stdout))
    const digesting = tap.digestFrom(source).then(
      () => true,
      () => {
        // nothing reads zstd's output any more: it is stopped, and the copy with it
        copy.stopCopying()
        child.kill()
        return false
      }
    )
    const closing = digesting.finally(() => pipe?.close())
    return new SideDecoder(child, copy, closing)
  }

  /**
   * Whether the digest read the whole output of a zstd that ended without error; when not,
   * why (the digest's error, or zstd's).
   */
  async whole(): Promise<true | string> {
    const [digested, exited] = await Promise.allSettled([this.digesting, this.child.done])
    if (digested.status === 'fulfilled' && !digested.value) return 'the digest failed'
    if (exited.status === 'rejected') {
      return `the second zstd failed: ${(exited.reason as Error).message}`
    }
    return true
  }

  /** The load failed: zstd is stopped (and waited for). */
  async stop(): Promise<void> {
    this.copy.stopCopying()
    this.child.kill()
    await Promise.allSettled([this.digesting, this.child.done])
  }
}
