/**
 * The backup's zip, written as it streams: entries stored (the dump is compressed already), the
 * dump's entry streamed (its CRC-32 and sizes in a data descriptor after it), the small files
 * after it whole. Byte for byte the zip archiver 7 (zip-stream, compress-commons) writes for the
 * same entries and date — the layout every backup so far has, which the restore reads (yauzl,
 * a stored entry read in place) — with ZIP64 records where archiver puts them (an entry or an
 * offset beyond 4 GiB). What it saves: archiver's chain of stream hops (readable-stream, in
 * JavaScript) and its JavaScript CRC-32; this one is node:zlib's, and every byte of the dump
 * takes one hop, from the entry's writable to the zip's readable.
 */
import { Readable, Writable } from 'node:stream'
import zlib from 'node:zlib'

const SIG_LFH = 0x04034b50
const SIG_DD = 0x08074b50
const SIG_CFH = 0x02014b50
const SIG_EOCD = 0x06054b50
const SIG_ZIP64_EOCD = 0x06064b50
const SIG_ZIP64_EOCD_LOC = 0x07064b50
const ZIP64_MAGIC = 0xffffffff
const ZIP64_MAGIC_SHORT = 0xffff
const ZIP64_EXTRA_ID = 0x0001
const MIN_VERSION_INITIAL = 10
const MIN_VERSION_DATA_DESCRIPTOR = 20
const MIN_VERSION_ZIP64 = 45
/** Made by: Unix (3), version 4.5. */
const VERSION_MADE_BY = (3 << 8) | 45
const FLAG_DATA_DESCRIPTOR = 0x0008
const FLAG_UTF8 = 0x0800
/** -rw-r--r--, a regular file; and the DOS archive bit. */
const EXTERNAL_ATTRIBUTES = (((0o100000 | 0o644) << 16) | 0o40) >>> 0

interface Entry {
  name: Buffer
  flags: number
  versionNeeded: number
  dosTime: number
  crc: number
  size: number
  offset: number
}

/** A date as MS-DOS date and time (UTC, 2-second steps), clamped as archiver clamps it. */
export function dosDateTime(date: Date): number {
  const year = date.getUTCFullYear()
  if (year < 1980) return 2162688
  if (year >= 2044) return 2141175677
  return (
    (((year - 1980) << 25) |
      ((date.getUTCMonth() + 1) << 21) |
      (date.getUTCDate() << 16) |
      (date.getUTCHours() << 11) |
      (date.getUTCMinutes() << 5) |
      Math.floor(date.getUTCSeconds() / 2)) >>>
    0
  )
}

function eight(buffer: Buffer, value: number, at: number): void {
  buffer.writeUInt32LE(value % 0x100000000, at)
  buffer.writeUInt32LE(Math.floor(value / 0x100000000), at + 4)
}

export class ZipWriter {
  /** The zip's bytes, as they are written. */
  readonly output: Readable
  private offset = 0
  private readonly entries: Entry[] = []
  /** The entry being streamed: no other entry is written until it ended. */
  private streaming?: Promise<void>
  /** The write waiting for the reader of `output` to take more. */
  private waiting?: (error?: Error | null) => void
  private done = false

  constructor(private readonly date: () => Date = () => new Date()) {
    this.output = new Readable({
      read: () => {
        const waiting = this.waiting
        this.waiting = undefined
        waiting?.()
      },
      destroy: (error, callback) => {
        this.done = true
        const waiting = this.waiting
        this.waiting = undefined
        waiting?.(error ?? new Error('the zip was closed before its end'))
        callback(error)
      }
    })
  }

  /** Bytes written into the zip so far. */
  get bytes(): number {
    return this.offset
  }

  /**
   * An entry whose content is streamed: write it, then end it (its data descriptor follows).
   * Destroyed with an error (the dump failed), it aborts the zip: see abort().
   */
  entry(fileName: string): Writable {
    if (this.streaming) throw new Error('one streamed entry at a time')
    const entry = this.begin(fileName, FLAG_DATA_DESCRIPTOR, MIN_VERSION_DATA_DESCRIPTOR)
    this.push(this.localHeader(entry))
    let settle!: () => void
    this.streaming = new Promise(resolve => (settle = resolve))
    return new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        if (this.done) return callback(new Error('the zip was aborted'))
        entry.crc = zlib.crc32(chunk, entry.crc)
        entry.size += chunk.length
        if (this.push(chunk)) callback()
        else this.waiting = callback
      },
      final: callback => {
        this.push(this.dataDescriptor(entry))
        this.entries.push(entry)
        settle()
        callback()
      },
      destroy: (error, callback) => {
        if (error) this.abort()
        callback(error)
      }
    })
  }

  /** A whole entry (written once the streamed one, if any, has ended). */
  add(fileName: string, data: Buffer | string): void {
    const content = typeof data === 'string' ? Buffer.from(data) : data
    const write = (): void => {
      const entry = this.begin(fileName, 0, MIN_VERSION_INITIAL)
      entry.crc = zlib.crc32(content)
      entry.size = content.length
      this.push(this.localHeader(entry))
      this.push(content)
      this.entries.push(entry)
    }
    this.after(write)
  }

  /** Writes the central directory and ends the zip (once the streamed entry has ended). */
  finalize(): void {
    this.after(() => {
      const centralOffset = this.offset
      for (const entry of this.entries) this.push(this.centralHeader(entry))
      const centralLength = this.offset - centralOffset
      const zip64 =
        this.entries.length > ZIP64_MAGIC_SHORT ||
        centralLength > ZIP64_MAGIC ||
        centralOffset > ZIP64_MAGIC
      if (zip64) this.push(this.zip64End(centralOffset, centralLength))
      this.push(this.end(centralOffset, centralLength, zip64))
      this.done = true
      this.output.push(null)
    })
  }

  /** Stops writing: the zip's output ends where it is (an incomplete zip). */
  abort(): void {
    if (this.done) return
    this.done = true
    const waiting = this.waiting
    this.waiting = undefined
    if (!this.output.destroyed) this.output.push(null)
    waiting?.()
  }

  private after(write: () => void): void {
    const run = (): void => {
      if (!this.done) write()
    }
    if (this.streaming) void this.streaming.then(run)
    else run()
  }

  private push(chunk: Buffer): boolean {
    if (this.done) return true
    this.offset += chunk.length
    return this.output.push(chunk)
  }

  private begin(fileName: string, flags: number, versionNeeded: number): Entry {
    const name = Buffer.from(fileName)
    return {
      name,
      flags: flags | (name.length !== fileName.length ? FLAG_UTF8 : 0),
      versionNeeded,
      dosTime: dosDateTime(this.date()),
      crc: 0,
      size: 0,
      offset: this.offset
    }
  }

  private localHeader(entry: Entry): Buffer {
    const header = Buffer.alloc(30 + entry.name.length)
    header.writeUInt32LE(SIG_LFH, 0)
    header.writeUInt16LE(entry.versionNeeded, 4)
    header.writeUInt16LE(entry.flags, 6)
    header.writeUInt16LE(0, 8) // stored
    header.writeUInt32LE(entry.dosTime, 10)
    if (!(entry.flags & FLAG_DATA_DESCRIPTOR)) {
      header.writeUInt32LE(entry.crc >>> 0, 14)
      header.writeUInt32LE(entry.size, 18)
      header.writeUInt32LE(entry.size, 22)
    }
    header.writeUInt16LE(entry.name.length, 26)
    header.writeUInt16LE(0, 28)
    entry.name.copy(header, 30)
    return header
  }

  private dataDescriptor(entry: Entry): Buffer {
    const zip64 = entry.size > ZIP64_MAGIC
    const descriptor = Buffer.alloc(zip64 ? 24 : 16)
    descriptor.writeUInt32LE(SIG_DD, 0)
    descriptor.writeUInt32LE(entry.crc >>> 0, 4)
    if (zip64) {
      eight(descriptor, entry.size, 8)
      eight(descriptor, entry.size, 16)
    } else {
      descriptor.writeUInt32LE(entry.size, 8)
      descriptor.writeUInt32LE(entry.size, 12)
    }
    return descriptor
  }

  private centralHeader(entry: Entry): Buffer {
    const zip64 = entry.size > ZIP64_MAGIC || entry.offset > ZIP64_MAGIC
    const extra = zip64 ? 28 : 0
    const header = Buffer.alloc(46 + entry.name.length + extra)
    header.writeUInt32LE(SIG_CFH, 0)
    header.writeUInt16LE(VERSION_MADE_BY, 4)
    header.writeUInt16LE(zip64 ? MIN_VERSION_ZIP64 : entry.versionNeeded, 6)
    header.writeUInt16LE(entry.flags, 8)
    header.writeUInt16LE(0, 10) // stored
    header.writeUInt32LE(entry.dosTime, 12)
    header.writeUInt32LE(entry.crc >>> 0, 16)
    header.writeUInt32LE(zip64 ? ZIP64_MAGIC : entry.size, 20)
    header.writeUInt32LE(zip64 ? ZIP64_MAGIC : entry.size, 24)
    header.writeUInt16LE(entry.name.length, 28)
    header.writeUInt16LE(extra, 30)
    // comment length, disk number, internal attributes: 0
    header.writeUInt32LE(EXTERNAL_ATTRIBUTES, 38)
    header.writeUInt32LE(zip64 ? ZIP64_MAGIC : entry.offset, 42)
    entry.name.copy(header, 46)
    if (zip64) {
      const at = 46 + entry.name.length
      header.writeUInt16LE(ZIP64_EXTRA_ID, at)
      header.writeUInt16LE(24, at + 2)
      eight(header, entry.size, at + 4)
      eight(header, entry.size, at + 12)
      eight(header, entry.offset, at + 20)
    }
    return header
  }

  private zip64End(centralOffset: number, centralLength: number): Buffer {
    const record = Buffer.alloc(56 + 20)
    record.writeUInt32LE(SIG_ZIP64_EOCD, 0)
    eight(record, 44, 4)
    record.writeUInt16LE(MIN_VERSION_ZIP64, 12)
    record.writeUInt16LE(MIN_VERSION_ZIP64, 14)
    eight(record, this.entries.length, 24)
    eight(record, this.entries.length, 32)
    eight(record, centralLength, 40)
    eight(record, centralOffset, 48)
    record.writeUInt32LE(SIG_ZIP64_EOCD_LOC, 56)
    eight(record, centralOffset + centralLength, 64)
    record.writeUInt32LE(1, 72)
    return record
  }

  private end(centralOffset: number, centralLength: number, zip64: boolean): Buffer {
    const record = Buffer.alloc(22)
    record.writeUInt32LE(SIG_EOCD, 0)
    const count = zip64 ? ZIP64_MAGIC_SHORT : this.entries.length
    record.writeUInt16LE(count, 8)
    record.writeUInt16LE(count, 10)
    record.writeUInt32LE(zip64 ? ZIP64_MAGIC : centralLength, 12)
    record.writeUInt32LE(zip64 ? ZIP64_MAGIC : centralOffset, 16)
    return record
  }
}
