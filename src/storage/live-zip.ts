/**
 * Following the artifact's zip while the client downloads it, so that the load of its dump can
 * begin before the download ends (restore.ts: the overlapped restore). Only the action's own
 * shape is followed: the zip's first entry stored (not compressed), its content a zstd stream.
 *
 * What may reach the load before the download ended and was checked whole is bounded twice:
 *  - only bytes known to lie inside the entry's zstd frames ({@link ZstdFrameScanner}: the
 *    frames' and blocks' headers announce where they end), never what follows them in the zip
 *    (a data descriptor, the manifest, the central directory), whatever its size;
 *  - the load's own PipedFeed holds the last 64 KiB it was given until the input ends, which
 *    {@link LiveEntry} lets happen only once everything was checked (release): zstd cannot
 *    decode the archive's end, so pg_restore cannot commit, before.
 * What was passed on is hashed (sha256, CRC-32) as it goes: the restore compares that with the
 * manifest of the downloaded zip, so the bytes loaded are the dump the manifest describes even
 * if the file was written twice (a retry of the client).
 */
import { createHash } from 'node:crypto'
import { type FileHandle, open } from 'node:fs/promises'
import { Readable } from 'node:stream'
import zlib from 'node:zlib'

const ZSTD_MAGIC = 0xfd2fb528
const SKIPPABLE_MASK = 0xfffffff0
const SKIPPABLE_MAGIC = 0x184d2a50

/**
 * Reads a zstd stream's frame and block headers as its bytes arrive (none is decoded): `known` is
 * how many of the bytes seen are announced by a header seen as part of a frame; `ended` says the
 * bytes after the last whole frame are no frame (the end of the stream, or what zstd refuses).
 */
export class ZstdFrameScanner {
  /** Bytes seen. */
  seen = 0
  /** Bytes known to lie inside the frames. */
  known = 0
  ended = false
  private step: 'magic' | 'descriptor' | 'frameHeader' | 'block' | 'skippableSize' = 'magic'
  private want = 4
  private header: number[] = []
  private skip = 0
  private afterSkip: 'block' | 'magic' = 'magic'
  private checksum = false

  push(chunk: Buffer): void {
    let i = 0
    while (i < chunk.length && !this.ended) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i)
        i += n
        this.seen += n
        this.skip -= n
        if (this.skip === 0) this.begin(this.afterSkip)
        continue
      }
      this.header.push(chunk[i++])
      this.seen++
      if (this.header.length === this.want) this.parse(Buffer.from(this.header))
    }
    // bytes after the end are seen, never known
    if (this.ended) this.seen += chunk.length - i
  }

  private begin(step: ZstdFrameScanner['step']): void {
    this.step = step
    this.want = step === 'block' ? 3 : step === 'descriptor' ? 1 : 4
    this.header = []
  }

  private parse(h: Buffer): void {
    switch (this.step) {
      case 'magic': {
        const magic = h.readUInt32LE(0)
        if (magic === ZSTD_MAGIC) {
          this.known = this.seen
          return this.begin('descriptor')
        }
        if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
          this.known = this.seen
          return this.begin('skippableSize')
        }
        this.ended = true
        return
      }
      case 'skippableSize': {
        const size = h.readUInt32LE(0)
        this.known = this.seen + size
        this.afterSkip = 'magic'
        if (size === 0) return this.begin('magic')
        this.skip = size
        return
      }
      case 'descriptor': {
        const d = h[0]
        // the reserved bit set: not a frame zstd reads
        if (d & 0x08) {
          this.ended = true
          return
        }
        const single = (d & 0x20) !== 0
        this.checksum = (d & 0x04) !== 0
        const fcs = [single ? 1 : 0, 2, 4, 8][d >> 6]
        const rest = (single ? 0 : 1) + [0, 1, 2, 4][d & 3] + fcs
        this.known = this.seen + rest
        if (rest === 0) return this.begin('block')
        this.step = 'frameHeader'
        this.want = rest
        this.header = []
        return
      }
      case 'frameHeader':
        this.known = this.seen
        return this.begin('block')
      case 'block': {
        const b = h[0] | (h[1] << 8) | (h[2] << 16)
        const last = (b & 1) === 1
        const type = (b >> 1) & 3
        if (type === 3) {
          this.ended = true
          return
        }
        const size = type === 1 ? 1 : b >>> 3
        const content = size + (last && this.checksum ? 4 : 0)
        this.known = this.seen + content
        this.afterSkip = last ? 'magic' : 'block'
        if (content === 0) return this.begin(this.afterSkip)
        this.skip = content
        this.header = []
        return
      }
    }
  }
}

/** The client wrote the zip again from its start (it retries a failed download that way). */
export class RewrittenError extends Error {
  override name = 'RewrittenError'
}

const READ_BYTES = 256 * 1024
/** Below this much room left in its slab, a read takes a new slab (see follow). */
const MIN_READ_BYTES = 64 * 1024
const POLL_MS = 5

/**
 * The first entry of a zip being downloaded, followed: {@link stream} gives its bytes as they
 * are written, within what the scanner knows to be its zstd frames; {@link finish} (the download
 * ended; the entry's range from the central directory) gives the rest and their hashes;
 * {@link release} ends the stream (everything was checked); {@link fail} fails it instead.
 */
export class LiveEntry {
  private readonly scanner = new ZstdFrameScanner()
  private readonly hash = createHash('sha256')
  private crc = 0
  /** Bytes passed on. */
  passed = 0
  /** The client wrote the zip again from its start (a retry) while it was followed. */
  rewritten = false
  private length: number | undefined
  private error: Error | undefined
  private released = false
  private wake: (() => void) | undefined
  private finished:
    | { resolve: (result: { sha256: string; crc32: number }) => void; reject: (e: Error) => void }
    | undefined
  private state: 'waiting' | 'started' | 'abandoned' | 'closed' = 'waiting'
  private onStart: (() => void) | undefined
  private readonly starting = new Promise<void>(resolve => {
    this.onStart = resolve
  })

  constructor(
    readonly file: string,
    /** Where the entry's content begins in the zip. */
    readonly offset: number
  ) {}

  /** The entry's bytes, as they arrive; once. `meter` counts them (progress). */
  stream(meter?: { bytes: number }): Readable {
    if (this.state !== 'waiting') {
      const stream = new Readable({ read: () => undefined })
      stream.destroy(new LiveEntryNotTaken('the download ended before the load read it'))
      return stream
    }
    this.state = 'started'
    this.onStart?.()
    // bytes, not objects: a Readable.from of objects would buffer 16 reads (4 MiB) ahead
    return Readable.from(this.follow(meter), { objectMode: false, highWaterMark: READ_BYTES })
  }

  /** Resolves once the stream was taken. */
  started(): Promise<void> {
    return this.starting
  }

  /**
   * Whether the load reads the stream: false (and no stream is given any more) when it has not
   * begun to.
   */
  claim(): boolean {
    if (this.state === 'waiting') this.state = 'abandoned'
    return this.state === 'started' || this.state === 'closed'
  }

  /**
   * The download ended: the entry's content is `length` bytes. Resolves with the sha256 and
   * CRC-32 of all of it, once it was passed on (the stream must be read); rejects when the
   * stream stopped first.
   */
  finish(length: number): Promise<{ sha256: string; crc32: number }> {
    if (this.state === 'closed')
      return Promise.reject(new LiveEntryNotTaken('the load stopped reading'))
    if (this.passed > length) {
      const error = new Error(
        `the zip's first entry is ${length} bytes, but its zstd frames run beyond (${this.passed} bytes were read)`
      )
      this.fail(error)
      return Promise.reject(error)
    }
    this.length = length
    const done = new Promise<{ sha256: string; crc32: number }>((resolve, reject) => {
      this.finished = { resolve, reject }
    })
    this.poke()
    return done
  }

  /** The zip's CRC-32 for the entry, given with {@link release}. */
  expectedCrc32: number | undefined

  /** Everything was checked (`crc32`: the zip's for the entry): the stream ends. */
  release(crc32: number): void {
    this.expectedCrc32 = crc32
    this.released = true
    this.poke()
  }

  /** The stream fails with `error` (the load is stopped before it can commit). */
  fail(error: Error): void {
    this.error ??= error
    this.poke()
  }

  private poke(): void {
    const wake = this.wake
    this.wake = undefined
    wake?.()
  }

  private pause(): Promise<void> {
    return new Promise(resolve => {
      const timer = setTimeout(() => {
        this.wake = undefined
        resolve()
      }, POLL_MS)
      this.wake = () => {
        clearTimeout(timer)
        resolve()
      }
    })
  }

  private async *follow(meter?: { bytes: number }): AsyncGenerator<Buffer> {
    let handle: FileHandle | undefined
    // reads go into a slab, one after the other; each chunk passed on is a view of its own bytes
    // in it, never written again: a slab is garbage once its chunks were, and a chunk given while
    // the download is slower than the load (a few KiB per poll) does not hold a whole read buffer
    // of its own (256 KiB outside the heap for every such chunk in flight)
    let slab: Buffer | undefined
    let used = 0
    try {
      handle = await open(this.file, 'r')
      for (;;) {
        if (this.error) throw this.error
        if (this.length !== undefined && this.passed === this.length) {
          if (this.finished) {
            this.finished.resolve({ sha256: this.hash.digest('hex'), crc32: this.crc >>> 0 })
            this.finished = undefined
          }
          if (this.released) return
          await this.pause()
          continue
        }
        if (!slab || slab.length - used < MIN_READ_BYTES) {
          // (unpooled: a slab is freed with its chunks, not with Node's shared pool)
          slab = Buffer.allocUnsafeSlow(READ_BYTES)
          used = 0
        }
        const room = slab.length - used
        // the length as it was when the read was asked: finish() may give it while the read is
        // under way, and a read asked before it may come back empty at the file's current end
        const length = this.length
        const want = length === undefined ? room : Math.min(room, length - this.passed)
        const { bytesRead } = await handle.read(slab, used, want, this.offset + this.passed)
        const read = slab.subarray(used, used + bytesRead)
        if (length === undefined) {
          const fresh = this.passed + bytesRead - this.scanner.seen
          if (fresh > 0) this.scanner.push(read.subarray(bytesRead - fresh))
          if (bytesRead === 0 && (await handle.stat()).size < this.offset + this.scanner.seen) {
            this.rewritten = true
            throw new RewrittenError('the downloaded zip was written again from its start')
          }
        } else if (bytesRead === 0) {
          throw new Error(
            `the zip ends inside its first entry (${this.passed} of ${this.length} bytes)`
          )
        }
        const give = Math.min(bytesRead, (this.length ?? this.scanner.known) - this.passed)
        if (give <= 0) {
          // (the length came during the read: read again at once, its poke was before the pause)
          if (length === undefined && this.length !== undefined) continue
          await this.pause()
          continue
        }
        const chunk = read.subarray(0, give)
        used += give
        this.hash.update(chunk)
        this.crc = zlib.crc32(chunk, this.crc)
        this.passed += give
        if (meter) meter.bytes += give
        yield chunk
      }
    } finally {
      this.state = 'closed'
      this.finished?.reject(this.error ?? new LiveEntryNotTaken('the load stopped reading'))
      this.finished = undefined
      await handle?.close()
    }
  }
}

/** The load did not read the entry while it downloaded (or stopped): the caller reads it whole. */
export class LiveEntryNotTaken extends Error {
  override name = 'LiveEntryNotTaken'
}

/** The zip's first local header: where its first entry's content begins, when it is stored. */
export function storedFirstEntry(
  head: Buffer
): { offset: number; name: string } | 'wait' | undefined {
  if (head.length < 30) return 'wait'
  if (head.readUInt32LE(0) !== 0x04034b50 || head.readUInt16LE(8) !== 0) return undefined
  const nameLength = head.readUInt16LE(26)
  const offset = 30 + nameLength + head.readUInt16LE(28)
  if (head.length < offset) return 'wait'
  return { offset, name: head.subarray(30, 30 + nameLength).toString('utf8') }
}
