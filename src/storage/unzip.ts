/**
 * Reading a zip — an artifact as uploaded (the action's own: entries stored, not compressed), or
 * as a user downloads it from the Actions page — with yauzl: its entries from the central
 * directory, a stored entry as the byte range it is (so a backup is read in place, never copied
 * out), any entry read back with its CRC-32 checked at the end (yauzl checks sizes, not CRCs).
 */
import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { type FileHandle, mkdir, open, statfs } from 'node:fs/promises'
import path from 'node:path'
import { type Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import zlib from 'node:zlib'
import type yauzl from 'yauzl'
import { CheckError } from '../errors.js'
import { type BackupFile, discard, openRaw } from '../pipeline/decode.js'
import { DigestStage } from '../pipeline/digest.js'
import { plural } from '../log.js'
import { scavengeEvery } from '../memory.js'

/** A zip that is not what an artifact or a user's zip of a backup is: the backup fails a check. */
export class ZipError extends CheckError {
  override name = 'ZipError'
}

export interface ZipEntry {
  /** Its path inside the zip ('/' separated; a folder's ends with '/'). */
  name: string
  isDirectory: boolean
  /** Bytes of its content (uncompressed), as the zip declares them: reading stops beyond. */
  size: number
  /** Bytes it takes in the zip. */
  compressedSize: number
  crc32: number
  /** Where a stored (not compressed) entry's content lies in the zip file. */
  range?: { offset: number; length: number }
}

export interface OpenZip {
  readonly file: string
  readonly entries: ZipEntry[]
  /** The entry's content, which fails at its end unless its size and CRC-32 are right. */
  read(entry: ZipEntry): Promise<Readable>
  close(): void
}

const STORED = 0

function unreadable(error: unknown): ZipError {
  if (error instanceof ZipError) return error
  // yauzl's checks of the entries' names: a path that leaves the zip's folder (attacker a41 F5)
  const named =
    /^(invalid relative path|absolute path|invalid characters in fileName): (.*)$/s.exec(
      (error as Error)?.message ?? ''
    )
  if (named)
    return new ZipError(
      `the zip holds an entry named '${named[2]}', a path ${named[1] === 'invalid characters in fileName' ? 'with characters no zip of a backup has' : 'outside the folder it unpacks into'} (which neither GitHub's artifacts nor a zip of a backup hold): the zip is forged; nothing was read from it`
    )
  return new ZipError(
    `the zip could not be read (corrupted or truncated?): ${(error as Error)?.message ?? error}`
  )
}

/** Opens a zip and lists its entries; a stored entry with the byte range of its content. */
export async function openZip(file: string): Promise<OpenZip> {
  // loaded when a zip is read (restore), not by every run that imports this module
  const { default: yauzlLib } = await import('yauzl')
  let zip: yauzl.ZipFile
  try {
    zip = await yauzlLib.openPromise(file, { lazyEntries: true, autoClose: false })
  } catch (error) {
    throw unreadable(error)
  }
  const entries: ZipEntry[] = []
  const raw = new Map<ZipEntry, yauzl.Entry>()
  // where each entry's bytes lie: a zip whose entries share bytes is a bomb (or a forgery)
  const spans: Array<{ name: string; start: number; end: number }> = []
  try {
    for await (const found of zip.eachEntry()) {
      const entry: ZipEntry = {
        name: found.fileName,
        isDirectory: found.fileName.endsWith('/'),
        size: found.uncompressedSize,
        compressedSize: found.compressedSize,
        crc32: found.crc32
      }
      if (!entry.isDirectory && found.compressionMethod === STORED) {
        if (found.compressedSize !== found.uncompressedSize) {
          throw new ZipError(`the entry ${entry.name} has inconsistent sizes`)
        }
      }
      if (!entry.isDirectory) {
        const { fileDataStart } = await zip.readLocalFileHeaderPromise(found, { minimal: true })
        if (found.compressionMethod === STORED) {
          entry.range = { offset: fileDataStart, length: found.compressedSize }
        }
        spans.push({
          name: entry.name,
          start: found.relativeOffsetOfLocalHeader,
          end: fileDataStart + found.compressedSize
        })
      }
      if (entries.some(e => e.name === entry.name)) {
        // unzip tools disagree on which of two same-named entries they take: the check and the
        // restore must read the same bytes as a user's own tools would
        throw new ZipError(`the zip holds two entries named ${entry.name}: it is forged`)
      }
      entries.push(entry)
      raw.set(entry, found)
    }
    refuseOverlaps(spans)
  } catch (error) {
    zip.close()
    throw unreadable(error)
  }
  return {
    file,
    entries,
    async read(entry) {
      const content = entry.range
        ? openRaw({ path: file, range: entry.range }, { highWaterMark: 256 * 1024 })
        : await zip.openReadStreamPromise(raw.get(entry)!).catch((error: unknown) => {
            throw unreadable(error)
          })
      const checked = checkEntry(entry)
      content.on('error', error =>
        checked.destroy(
          // yauzl stops an entry that inflates beyond the size it declares
          /too many bytes/i.test((error as Error)?.message) ? overflow(entry) : unreadable(error)
        )
      )
      return content.pipe(checked)
    },
    close: () => zip.close()
  }
}

/** Refuses entries whose bytes overlap (one deflate stream read as many entries: a zip bomb). */
function refuseOverlaps(spans: Array<{ name: string; start: number; end: number }>): void {
  const sorted = [...spans].sort((a, b) => a.start - b.start)
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].start < sorted[i - 1].end) {
      throw new ZipError(
        `the entries ${sorted[i - 1].name} and ${sorted[i].name} share bytes: the zip is forged (a zip bomb?); nothing was extracted`
      )
    }
  }
}

function overflow(entry: ZipEntry): ZipError {
  return new ZipError(
    `the entry ${entry.name} inflates to more than the ${entry.size} bytes the zip declares for it: the zip is forged (a zip bomb?); reading stopped there`
  )
}

/** Bytes of an entry read between two minor collections (see memory.ts). */
const READ_SCAVENGE_BYTES = 4 * 1024 * 1024

/**
 * A pass-through that fails as soon as the entry grows beyond its declared size, and at the end
 * unless its size and CRC-32 are right.
 */
function checkEntry(entry: ZipEntry): Transform {
  let crc = 0
  let bytes = 0
  // every read is a Buffer of its own, garbage once passed on: collected every few MiB
  const scavenge = scavengeEvery(READ_SCAVENGE_BYTES)
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length
      if (bytes > entry.size) return callback(overflow(entry))
      crc = zlib.crc32(chunk, crc)
      scavenge(chunk.length)
      callback(null, chunk)
    },
    flush(callback) {
      if (bytes !== entry.size) {
        return callback(
          new ZipError(`the zip ends inside its entry ${entry.name}: it is truncated`)
        )
      }
      if (crc >>> 0 !== entry.crc32 >>> 0) {
        return callback(
          new ZipError(`the entry ${entry.name} fails its CRC-32 check: the zip is corrupted`)
        )
      }
      callback()
    }
  })
}

/**
 * Sees a zip's bytes as they are written (a download) and takes the sha256 and CRC-32 of its
 * first entry's content on the way, when that entry is stored (the action's own artifacts: the
 * dump comes first), so that the restore need not read the dump a second time to check it. The
 * content's end is known only from the central directory, once the zip is whole: the last
 * {@link HEAD_WINDOW} bytes are held back from the hashes until then (what follows the dump in
 * the action's zip — the manifest, a signature, the roles file, the central directory — is far
 * smaller; a zip whose tail is larger is read a second time instead). They are held as a copy in
 * one ring buffer, never as the chunks pushed: a chunk is the caller's again once push returns
 * (it may reuse it), and the download's chunks die young (no chunk outlives a minor collection
 * because the window still pointed at it).
 */
export class ZipHeadObserver {
  private head: Buffer = Buffer.alloc(0)
  private dataStart: number | undefined
  private refused = false
  /** The last bytes seen (at most HEAD_WINDOW), not hashed yet: `held` bytes from `oldest`. */
  private ring: Buffer | undefined
  private oldest = 0
  private held = 0
  private hashed = 0
  /** Every byte seen, for the caller to check against the file written. */
  seen = 0
  private readonly hash = createHash('sha256')
  private crc = 0

  push(chunk: Buffer): void {
    this.seen += chunk.length
    if (this.refused) return
    if (this.dataStart === undefined) {
      this.head = Buffer.concat([this.head, chunk])
      if (this.head.length < LOCAL_HEADER) return
      if (this.head.readUInt32LE(0) !== LOCAL_SIGNATURE || this.head.readUInt16LE(8) !== STORED) {
        this.refused = true
        return
      }
      const start = LOCAL_HEADER + this.head.readUInt16LE(26) + this.head.readUInt16LE(28)
      if (this.head.length < start) return
      this.dataStart = start
      chunk = this.head.subarray(start)
      this.head = Buffer.alloc(0)
    }
    const ring = (this.ring ??= Buffer.allocUnsafe(HEAD_WINDOW))
    // what no longer fits in the window is hashed: the oldest held bytes, then the chunk's start
    const excess = this.held + chunk.length - HEAD_WINDOW
    if (excess > 0) {
      const fromRing = Math.min(excess, this.held)
      this.takeHeld(fromRing)
      const fromChunk = excess - fromRing
      if (fromChunk > 0) {
        this.take(chunk.subarray(0, fromChunk))
        chunk = chunk.subarray(fromChunk)
      }
    }
    // the rest of the chunk is copied in after the held bytes (wrapping around)
    let at = (this.oldest + this.held) % HEAD_WINDOW
    let from = 0
    while (from < chunk.length) {
      const copied = chunk.copy(
        ring,
        at,
        from,
        from + Math.min(chunk.length - from, HEAD_WINDOW - at)
      )
      from += copied
      this.held += copied
      at = (at + copied) % HEAD_WINDOW
    }
  }

  /** Takes no more hashes (someone else does): the bytes are only counted. */
  stop(): void {
    this.refused = true
    this.ring = undefined
    this.head = Buffer.alloc(0)
  }

  /**
   * The sha256 and CRC-32 of the `length` bytes at `offset`, when they are the first entry's
   * content as seen; undefined otherwise (then read it again). Once.
   */
  result(offset: number, length: number): { sha256: string; crc32: number } | undefined {
    if (this.refused || this.dataStart !== offset) return undefined
    this.refused = true
    const need = length - this.hashed
    if (need < 0 || need > this.held) return undefined
    this.takeHeld(need)
    this.ring = undefined
    return { sha256: this.hash.digest('hex'), crc32: this.crc >>> 0 }
  }

  /** Hashes the `bytes` oldest held bytes and lets them go. */
  private takeHeld(bytes: number): void {
    const ring = this.ring!
    while (bytes > 0) {
      const part = Math.min(bytes, HEAD_WINDOW - this.oldest)
      this.take(ring.subarray(this.oldest, this.oldest + part))
      this.oldest = (this.oldest + part) % HEAD_WINDOW
      this.held -= part
      bytes -= part
    }
  }

  private take(chunk: Buffer): void {
    this.hash.update(chunk)
    this.crc = zlib.crc32(chunk, this.crc)
    this.hashed += chunk.length
  }
}

const LOCAL_SIGNATURE = 0x04034b50
const LOCAL_HEADER = 30
/** How much of a downloaded zip's tail is held back from the head entry's hashes. */
export const HEAD_WINDOW = 4 * 1024 * 1024

/** What saw a zip's first entry as it was written: its hashes, when `offset`/`length` are it. */
export interface SeenEntry {
  result(offset: number, length: number): { sha256: string; crc32: number } | undefined
}

/** Zips whose head entry was seen as they were written, by path (see ZipHeadObserver). */
const seenZips = new Map<string, SeenEntry>()

/** `file`'s bytes were seen by `observer` as they were written; hashEntry uses what it saw. */
export function zipSeen(file: string, observer: SeenEntry): void {
  seenZips.set(path.resolve(file), observer)
}

/**
 * Reads an entry to its end, checking it; returns the sha256 of its content. A stored first
 * entry whose bytes were seen as the zip was downloaded (zipSeen) is not read again: its CRC-32
 * and sha256 were taken then.
 */
export async function hashEntry(zip: OpenZip, entry: ZipEntry): Promise<string> {
  const observer = seenZips.get(path.resolve(zip.file))
  seenZips.delete(path.resolve(zip.file))
  const seen = entry.range && observer?.result(entry.range.offset, entry.range.length)
  if (seen && entry.size === entry.range!.length) {
    if (seen.crc32 !== entry.crc32 >>> 0) {
      throw new ZipError(`the entry ${entry.name} fails its CRC-32 check: the zip is corrupted`)
    }
    return seen.sha256
  }
  if (entry.range && entry.size === entry.range.length) return hashStored(zip.file, entry)
  const digest = new DigestStage()
  await pipeline(await zip.read(entry), digest, discard())
  return digest.digest()
}

/** Bytes of the one buffer {@link hashStored} reads into. */
const STORED_READ_BYTES = 256 * 1024

/**
 * A stored entry's sha256, its CRC-32 checked: its byte range read into one buffer, reused for
 * every read (a read stream allocates a Buffer per read, garbage that V8 lets grow by some 64 MB
 * before it collects; this reads a dump of gigabytes in 256 KiB).
 */
async function hashStored(file: string, entry: ZipEntry): Promise<string> {
  const { offset, length } = entry.range!
  const hash = createHash('sha256')
  let crc = 0
  const buffer = Buffer.allocUnsafe(Math.min(STORED_READ_BYTES, Math.max(1, length)))
  let handle: FileHandle
  try {
    handle = await open(file, 'r')
  } catch (error) {
    throw unreadable(error)
  }
  try {
    for (let done = 0; done < length;) {
      const want = Math.min(buffer.length, length - done)
      const { bytesRead } = await handle.read(buffer, 0, want, offset + done)
      if (bytesRead === 0) {
        throw new ZipError(`the zip ends inside its entry ${entry.name}: it is truncated`)
      }
      const chunk = buffer.subarray(0, bytesRead)
      hash.update(chunk)
      crc = zlib.crc32(chunk, crc)
      done += bytesRead
    }
  } catch (error) {
    throw unreadable(error)
  } finally {
    await handle.close()
  }
  if (crc >>> 0 !== entry.crc32 >>> 0) {
    throw new ZipError(`the entry ${entry.name} fails its CRC-32 check: the zip is corrupted`)
  }
  return hash.digest('hex')
}

/** A stored entry as a backup file read in place: its byte range in the zip. */
export function entryFile(zip: OpenZip, entry: ZipEntry): BackupFile | undefined {
  return (
    entry.range && {
      path: zip.file,
      range: entry.range,
      name: path.posix.basename(entry.name),
      crc32: entry.crc32 >>> 0
    }
  )
}

/**
 * An entry (or the entries to extract together) that inflates more than this many times its
 * size in the zip, and to more than {@link RATIO_FLOOR} bytes, is refused when no manifest says how large it is: pg_dump's
 * archives are compressed already, and even a plain script of repetitive rows stays far below
 * (deflate itself cannot exceed about 1032:1).
 */
export const MAX_RATIO = 200
const RATIO_FLOOR = 64 * 1024 * 1024

/**
 * Before anything of `entries` is written into `directory`: refuses an entry that would inflate
 * out of proportion (a zip bomb) and entries that would not fit in the space free there. The
 * sizes checked are the ones the zip declares, which is also as far as reading lets them grow.
 */
export async function checkExtraction(entries: ZipEntry[], directory: string): Promise<void> {
  for (const entry of entries) {
    if (entry.isDirectory || entry.size <= RATIO_FLOOR) continue
    if (entry.size > entry.compressedSize * MAX_RATIO) {
      throw new ZipError(
        `the entry ${entry.name} would inflate from ${entry.compressedSize} to ${entry.size} bytes (more than ${MAX_RATIO} times): refused as a zip bomb; nothing was extracted. If it is a genuine backup, unzip it yourself and give the file as backup-file`
      )
    }
  }
  const files = entries.filter(e => !e.isDirectory)
  const total = files.reduce((sum, e) => sum + e.size, 0)
  // many entries, each below the floor, add up as much as one large one
  const packed = files.reduce((sum, e) => sum + e.compressedSize, 0)
  if (total > RATIO_FLOOR && total > packed * MAX_RATIO) {
    throw new ZipError(
      `the zip's ${plural(files.length, 'entry', 'entries')} would inflate from ${packed} to ${total} bytes together (more than ${MAX_RATIO} times): refused as a zip bomb; nothing was extracted. If it is a genuine backup, unzip it yourself and give the file as backup-file`
    )
  }
  await mkdir(directory, { recursive: true })
  const fs = await statfs(directory)
  const free = fs.bavail * fs.bsize
  if (total > free) {
    throw new ZipError(
      `the zip would unpack to ${total} bytes, more than the ${free} bytes free in ${directory}; nothing was extracted (a zip bomb, or a runner without the room: free disk space, point RUNNER_TEMP at a larger disk, or restore from S3)`
    )
  }
}

/** Writes an entry's content to `target` (mode 0600), checked; returns its sha256. */
export async function extractEntry(zip: OpenZip, entry: ZipEntry, target: string): Promise<string> {
  const digest = new DigestStage()
  await mkdir(path.dirname(target), { recursive: true })
  await pipeline(await zip.read(entry), digest, createWriteStream(target, { mode: 0o600 }))
  return digest.digest()
}

/**
 * Extracts `zipFile` into `directory`; refuses entries that would land outside it. Returns the
 * sha256 of every file as it was written (so no second pass is needed to check it).
 */
export async function extractZip(zipFile: string, directory: string): Promise<Map<string, string>> {
  const root = path.resolve(directory)
  await mkdir(root, { recursive: true })
  const zip = await openZip(zipFile)
  const written = new Map<string, string>()
  try {
    await checkExtraction(zip.entries, root)
    for (const entry of zip.entries) {
      const target = path.resolve(root, entry.name)
      if (target !== root && !target.startsWith(root + path.sep)) {
        throw new ZipError(`the zip holds an entry outside its folder: ${entry.name}`)
      }
      if (entry.isDirectory) await mkdir(target, { recursive: true })
      else written.set(path.relative(root, target), await extractEntry(zip, entry, target))
    }
  } finally {
    zip.close()
  }
  return written
}
