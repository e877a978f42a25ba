/**
 * Where a table's rows end, as psql reads them (attacker a59 F1, high). pg_restore -d sends an
 * archive's data block to the server as COPY data: the rows end where the block ends, and the
 * server ignores what follows a "\." line in them. The restore's gated path loads the script
 * `pg_restore -f -` writes into psql, which ends the rows at the first line "\." and runs the
 * lines after it as SQL: a block that holds such a line before its end made psql run statements
 * pg_restore -d never would (a DO block's COPY … TO PROGRAM as a superuser, a CREATE TABLE in a
 * data-only restore, rows for another table). pg_dump writes "\." only as the block's last line
 * ("\.\n\n\n": a backslash in a value is written "\\"), so the check is exact: each data block of
 * an entry with a COPY statement holds one "\." line, followed only by line breaks to the
 * block's end, and nothing else. Read before the load (every format: a custom archive's blocks,
 * compressed or not; a directory's or tar's data files), so that a refusal comes before anything
 * runs; the direct load (pg_restore -d) needs none of it.
 */
import { once } from 'node:events'
import { open } from 'node:fs/promises'
import { createReadStream, existsSync } from 'node:fs'
import path from 'node:path'
import { PassThrough, type Readable, type Writable } from 'node:stream'
import zlib from 'node:zlib'
import { plural } from '../log.js'
import { type Child, findProgram, startChild } from '../process.js'
import { ArchiveError } from './archive.js'
import { ArchiveCompareError, type ChunkSource, ByteReader, chunksOf } from './compare.js'
import { type ArchiveToc, ArchiveTocError, type TocEntry, readArchiveTocFromChunks } from './toc.js'

const BLK_DATA = 1
const BLK_BLOBS = 3

/** "\n\.": a line that begins with "\." (a value's backslash is "\\" in COPY text). */
const NEEDLE = Buffer.from('\n\\.')

/** What a scan found wrong: where, and how. */
export interface CopyEndProblem {
  /** The byte of the block's data (decoded) where it is. */
  at: number
  what: 'early' | 'unended'
}

/**
 * psql's end-of-data lines ("\.\n", "\.\r\n": handleCopyIn) in one block of COPY text, fed in
 * pieces as they come. {@link end} says whether the block is as pg_dump writes it: exactly one
 * such line, and after it nothing but line breaks (pg_dump writes "\.\n\n\n").
 */
export class CopyEndScan {
  /** Bytes of the data seen. */
  private seen = 0
  /** The end-of-data line was read. */
  private ended = false
  /**
   * How much of an end-of-data line the current line has shown so far ('' at a line's start,
   * '\\', '\\.', '\\.\r'); undefined once it cannot be one.
   */
  private prefix: string | undefined = ''
  problem: CopyEndProblem | undefined

  /** Reads bytes [start, end) of `chunk`; stops at the first problem. */
  feed(chunk: Buffer, start = 0, end = chunk.length): void {
    if (this.problem || end <= start) return
    // a whole line at a line's start that is not the end line (pg_dump -Z0 stores each row as a
    // chunk of its own): one native search that stops at the row's line break
    if (
      this.prefix === '' &&
      chunk.indexOf(10, start) === end - 1 &&
      !(chunk[start] === 92 && chunk[start + 1] === 46)
    ) {
      this.seen += end - start
      return
    }
    // a view of the range: a search never reads past it (a row of a 64 KiB chunk)
    if (start !== 0 || end !== chunk.length) {
      chunk = chunk.subarray(start, end)
      end -= start
      start = 0
    }
    const base = this.seen
    this.seen += end
    let i = 0
    while (i < end) {
      if (this.ended) {
        // after the end line: line breaks only
        for (; i < end; i++) {
          if (chunk[i] !== 10 && chunk[i] !== 13) {
            this.problem = { at: base + i, what: 'early' }
            return
          }
        }
        return
      }
      if (this.prefix !== undefined) {
        const b = chunk[i++]
        const p = this.prefix
        if (b === 10 && (p === '\\.' || p === '\\.\r')) {
          this.ended = true
          this.prefix = undefined
        } else if (b === 10) this.prefix = ''
        else if (p === '' && b === 92) this.prefix = '\\'
        else if (p === '\\' && b === 46) this.prefix = '\\.'
        else if (p === '\\.' && b === 13) this.prefix = '\\.\r'
        else this.prefix = undefined
        continue
      }
      // the next line that begins with "\.", by a native search
      const found = chunk.indexOf(NEEDLE, i)
      if (found >= 0 && found + NEEDLE.length <= end) {
        this.prefix = '\\.'
        i = found + NEEDLE.length
        continue
      }
      // none whole in [i, end): a line break among its last bytes may begin one
      const lastBreak = chunk.lastIndexOf(10, end - 1)
      if (lastBreak >= i && lastBreak >= end - NEEDLE.length) {
        this.prefix = ''
        i = lastBreak + 1
        continue
      }
      return
    }
  }

  /** The block ended: its problem, if any (none for a block as pg_dump writes it). */
  end(): CopyEndProblem | undefined {
    if (!this.problem && !this.ended) this.problem = { at: this.seen, what: 'unended' }
    return this.problem
  }
}

/** pg_dump's compression of a block or file, by the archive's header or the file's suffix. */
type Compression = 'none' | 'gzip' | 'zlib' | 'zstd' | 'lz4'

/**
 * A decoder of one compressed block or file: bytes in (`write`, copies it may keep), its output
 * to `out` as it comes; `end` waits for the last of it and gives the decoding error, if any (the
 * output then stopped where this decoder stopped, which is not where pg_restore, decoding in
 * pieces of its own size, stops: attacker a61 F1).
 */
function decoder(
  compression: Exclude<Compression, 'none'>,
  out: (chunk: Buffer) => void
): { write(chunk: Buffer): Promise<void>; end(): Promise<Error | undefined> } {
  let writable: Writable
  let output: Readable
  let child: Child | undefined
  if (compression === 'lz4') {
    const lz4 = findProgram('lz4')
    if (!lz4) throw lz4Refusal()
    const input = new PassThrough()
    child = startChild(lz4, ['-d', '-c', '-q'], { stdin: input })
    writable = input
    output = child.stdout
  } else {
    const stream =
      compression === 'zstd'
        ? zlib.createZstdDecompress()
        : compression === 'gzip'
          ? zlib.createGunzip()
          : zlib.createInflate()
    writable = stream
    output = stream
  }
  output.on('data', out)
  const ended: Promise<Error | undefined> = (async () => {
    await once(output, 'end')
    await child?.done
  })().then(
    () => undefined,
    (error: Error) => error
  )
  return {
    write: async chunk => {
      if (!writable.write(chunk)) await Promise.race([once(writable, 'drain'), ended])
    },
    end: async () => {
      writable.end()
      return ended
    }
  }
}

/**
 * The entries whose data pg_restore writes after a COPY statement, by dump ID; but `skip`'s
 * (a parallel restore's entries that pg_restore -d loads itself: never read by psql).
 */
function copyEntries(toc: ArchiveToc, skip?: ReadonlySet<number>): Map<number, TocEntry> {
  return new Map(
    toc.entries
      .filter(e => (e.copyStmt ?? '') !== '' && !skip?.has(e.dumpId))
      .map(e => [e.dumpId, e])
  )
}

function entryName(entry: TocEntry): string {
  return `${entry.desc} ${entry.namespace ? `${entry.namespace}.` : ''}${entry.tag}`.replace(
    /[\r\n]+/g,
    ' '
  )
}

function refusal(entry: TocEntry, problem: CopyEndProblem): ArchiveError {
  const name = entryName(entry)
  const how =
    problem.what === 'early'
      ? `hold a line "\\." with more after it (byte ${problem.at} of its data): pg_dump writes that line only as the rows' last (a backslash in a value is "\\\\"), and psql, which this restore loads through, ends the rows there and runs what follows as SQL, where pg_restore -d sends it to the server as rows, which it ignores`
      : `do not end with the line "\\." pg_dump writes after them: psql, which this restore loads through, would read what follows them in the script (the next entries' statements) as rows`
  return new ArchiveError(
    `the rows of the archive's entry ${name} ${how}. The archive was changed after pg_dump wrote it. Nothing was restored. Restore a backup pg_dump wrote.`
  )
}

function lz4Refusal(): ArchiveError {
  return new ArchiveError(
    "the archive's data is compressed with lz4 and the lz4 program is not installed: the restore reads every table's rows before loading them through psql (to find where they end), and cannot. Nothing was restored. Install lz4 (apt-get install lz4), or dump with --compress=gzip or zstd."
  )
}

/** How many tables' rows were read, for the log. */
export interface CopyEndsChecked {
  blocks: number
  /** A walk of a custom archive's blocks: where each starts, by dump ID (the first of an ID). */
  starts?: ReadonlyMap<number, number>
  /** A walk of a custom archive's blocks: its table of contents. */
  toc?: ArchiveToc
}

/**
 * Scans one entry's rows: `each` hands every piece of the stored (maybe compressed) bytes to
 * the function it is given, awaiting it (a piece is the callee's to keep only when it copies).
 */
async function scanEntry(
  entry: TocEntry,
  compression: Compression,
  each: (take: (piece: Buffer) => Promise<void>) => Promise<void>
): Promise<void> {
  const scan = new CopyEndScan()
  if (compression === 'none') {
    await each(piece => {
      scan.feed(piece)
      return Promise.resolve()
    })
  } else {
    const decode = decoder(compression, chunk => scan.feed(chunk))
    await each(piece => (scan.problem ? Promise.resolve() : decode.write(piece)))
    const failed = await decode.end()
    // rows that do not decode: pg_restore writes what it decoded of them before it fails, and
    // psql may run that (a line "\." in it) before the load stops
    if (failed && !scan.problem)
      throw new ArchiveError(
        `the rows of the archive's entry ${entryName(entry)} cannot be decompressed (${compression}: ${failed.message}): pg_restore would write part of them into the script before it failed. Nothing was restored. Restore a backup pg_dump wrote.`
      )
  }
  const problem = scan.end()
  if (problem) throw refusal(entry, problem)
}

/**
 * A custom archive's data blocks (its decoded bytes from `source`, from the start): each COPY
 * entry's rows as pg_dump writes them, else an {@link ArchiveError} naming the entry.
 */
export async function checkCustomArchiveRows(
  source: ChunkSource,
  /**
   * pg_restore reads the archive from a file it can seek in (a path: jobs > 1): it goes to the
   * offsets the TOC gives, which must then be where this read found the blocks. From a pipe it
   * reads in order, as this does, and the offsets do not count (an archive whose TOC was
   * rewritten keeps stale ones).
   */
  seekable = false,
  /** Only walk the blocks (their starts), the rows not scanned: customDataStarts. */
  rowsToo = true,
  /** Entries whose rows are not scanned (copyEntries). */
  skip?: ReadonlySet<number>
): Promise<CopyEndsChecked> {
  const { toc, rest } = await readArchiveTocFromChunks(() => source.next())
  const algorithm = toc.header.compression.algorithm
  const compression: Compression =
    algorithm === 'gzip' ? 'zlib' : algorithm === 'zstd' || algorithm === 'lz4' ? algorithm : 'none'
  const entries = copyEntries(toc, skip)
  const intSize = toc.header.intSize
  const reader = new ByteReader(source, rest, toc.end)
  let blocks = 0
  /** Where each block starts, by dump ID (the first of an ID: pg_restore reads that one). */
  const starts = new Map<number, number>()
  const length = async (): Promise<number> => {
    const len = reader.intNow(intSize) ?? (await reader.int(intSize))
    if (len < 0) throw new ArchiveError('a data chunk of the archive has a negative length')
    return len
  }
  /** A block's chunks, each handed to `take` (a view valid until the next read), or skipped. */
  const chunks = async (take?: (piece: Buffer) => Promise<void>): Promise<void> => {
    for (let len = await length(); len !== 0; len = await length()) {
      if (!take) {
        if (!reader.skipNow(len)) await reader.skip(len)
        continue
      }
      // copied as they are read: a source may reuse its buffer for the next read
      const pieces: Buffer[] = []
      await reader.pass(len, (chunk, start, end) =>
        pieces.push(Buffer.from(chunk.subarray(start, end)))
      )
      for (const piece of pieces) await take(piece)
    }
  }
  // the entries with data: once each one's block was read, pg_restore reads no further (a file
  // padded after its last block restores by hand: attacker a75 F3)
  const withData = new Set(
    toc.entries.flatMap(e =>
      e.extra.format === 'custom' && e.extra.dataState !== 'no-data' ? [e.dumpId] : []
    )
  )
  let unseen = withData.size
  while (!(unseen === 0 && withData.size > 0) && !(await reader.atEnd())) {
    const at = reader.position()
    const type = await reader.byte()
    const id = await reader.int(intSize)
    if (!starts.has(id)) {
      starts.set(id, at)
      if (withData.has(id)) unseen--
    }
    const entry = rowsToo ? entries.get(id) : undefined
    if (type === BLK_DATA && entry && compression === 'none') {
      // uncompressed (pg_dump -Z0: a chunk per row): read in place, no await per row
      blocks++
      const scan = new CopyEndScan()
      const feed = (chunk: Buffer, start: number, end: number): void => scan.feed(chunk, start, end)
      for (let len = await length(); len !== 0; len = await length())
        if (!reader.passNow(len, feed)) await reader.pass(len, feed)
      const problem = scan.end()
      if (problem) throw refusal(entry, problem)
    } else if (type === BLK_DATA && entry) {
      blocks++
      await scanEntry(entry, compression, take => chunks(take))
    } else if (type === BLK_DATA) {
      await chunks()
    } else if (type === BLK_BLOBS) {
      for (let oid = await reader.int(intSize); oid !== 0; oid = await reader.int(intSize))
        await chunks()
    } else {
      throw new ArchiveError(
        `the archive holds a data block of unknown type ${type} (dump ID ${id}), which pg_dump never writes`
      )
    }
  }
  // pg_restore reading a file seeks to the offset the TOC gives an entry's data (and reads on
  // from there): each must be where this read found that entry's block (attacker a60 F1: an
  // offset into a block of an ID no entry has, holding a block of rows this read skipped)
  for (const entry of seekable ? toc.entries : []) {
    if (entry.extra.format !== 'custom' || entry.extra.dataState !== 'set') continue
    if (starts.get(entry.dumpId) !== entry.extra.dataOffset)
      throw new ArchiveError(
        `the archive's table of contents puts the data of its entry ${entryName(entry)} at byte ${entry.extra.dataOffset}, where ${starts.has(entry.dumpId) ? `its block does not start (it starts at byte ${starts.get(entry.dumpId)})` : 'the archive holds no block of it'}: pg_dump never writes that, and pg_restore would read other bytes than this check. The archive was changed after pg_dump wrote it. Nothing was restored. Restore a backup pg_dump wrote.`
      )
  }
  // the starts for a walk of the blocks only (customDataStarts)
  return rowsToo ? { blocks } : { blocks, starts, toc }
}

/**
 * A custom archive (its decoded stream, destroyed after) read to its end, its blocks walked: a
 * file cut inside a block, or after one, is refused (trial u46: a pg_dump -Fc file cut inside a
 * table's data passed pg_restore --list and the check, and failed in the load with what came
 * before loaded). Every entry with data has its block: pg_restore looks for it (by its offset, or
 * reading on) and fails where it is not.
 *
 * @throws ArchiveError naming what is missing.
 */
export async function checkCustomArchiveWhole(stream: Readable): Promise<void> {
  let walked: CopyEndsChecked
  try {
    walked = await checkCustomArchiveRows(chunksOf(stream), false, false)
  } catch (error) {
    // the stream's own failure (decompression, decryption) is the caller's to word
    if (!(error instanceof ArchiveCompareError || error instanceof ArchiveTocError)) throw error
    const message = (error as Error).message
    throw new ArchiveError(
      /ends inside/.test(message)
        ? "the archive is cut short (truncated): it ends inside a table's data. Nothing was restored (pg_restore would fail on it too, after loading what came before). Restore a whole backup: download or copy it again, and compare its size with the original's."
        : `the archive's data blocks cannot be read to the end (${message}): it is corrupted or truncated, and pg_restore would fail on it too. Nothing was restored.`,
      { cause: error }
    )
  } finally {
    stream.destroy()
  }
  const missing = walked.toc!.entries.filter(
    e =>
      e.extra.format === 'custom' &&
      e.extra.dataState !== 'no-data' &&
      !walked.starts!.has(e.dumpId)
  )
  if (missing.length > 0)
    throw new ArchiveError(
      `the archive is cut short (truncated): it ends after the data of ${plural(walked.starts!.size, 'entry', 'entries')}, before that of ${missing.length === 1 ? 'its entry' : `${missing.length} of its entries`} ${missing
        .slice(0, 5)
        .map(entryName)
        .join(
          ', '
        )}${missing.length > 5 ? ', …' : ''}, which pg_restore looks for and fails without. Nothing was restored. Restore a whole backup: download or copy it again, and compare its size with the original's.`
    )
}

/**
 * Where each data block of a custom archive (a file) starts, by dump ID: its blocks walked, the
 * rows not read (a chunk's length, then past it).
 */
export async function customDataStarts(file: string): Promise<ReadonlyMap<number, number>> {
  const stream = createReadStream(file, { highWaterMark: 1024 * 1024 })
  try {
    return (await checkCustomArchiveRows(chunksOf(stream), false, false)).starts!
  } finally {
    stream.destroy()
  }
}

/** A directory archive's data files (`dir`, its TOC read): each COPY entry's rows checked. */
export async function checkDirectoryRows(
  dir: string,
  toc: ArchiveToc,
  skip?: ReadonlySet<number>
): Promise<CopyEndsChecked> {
  let blocks = 0
  for (const entry of copyEntries(toc, skip).values()) {
    const name = entry.extra.format === 'directory' ? entry.extra.filename : null
    if (!name) continue
    const present = (
      [
        ['', 'none'],
        ['.gz', 'gzip'],
        ['.zst', 'zstd'],
        ['.lz4', 'lz4']
      ] as const
    ).filter(([suffix]) => existsSync(path.join(dir, name + suffix)))
    // pg_dump writes one; pg_restore takes one of several by its own order, which differs
    // between majors (attacker a60 F2: 17 read the .lz4 where this read the .zst)
    if (present.length > 1)
      throw new ArchiveError(
        `the directory archive holds the data of its entry ${entryName(entry)} in ${present.length} files (${present.map(([suffix]) => name + suffix).join(', ')}): pg_dump writes one, and pg_restore would read one of them by an order of its own. Nothing was restored. Restore a backup pg_dump wrote.`
      )
    const found = present[0]
    // a file pg_restore would not find fails the load the same way
    if (!found) continue
    blocks++
    await scanEntry(entry, found[1], async take => {
      for await (const chunk of createReadStream(path.join(dir, name + found[0]), {
        highWaterMark: 1024 * 1024
      }))
        await take(chunk as Buffer)
    })
  }
  return { blocks }
}

/** The bytes of a tar member read at a time (checkTarRows). */
const TAR_READ = 1024 * 1024

/**
 * A tar-format archive's data members (`file`, checked by plainTarMembers: regular files named
 * in the name field), each COPY entry's rows checked.
 */
export async function checkTarRows(
  file: string,
  toc: ArchiveToc,
  skip?: ReadonlySet<number>
): Promise<CopyEndsChecked> {
  const byName = new Map<string, TocEntry>()
  for (const entry of copyEntries(toc, skip).values())
    if (entry.extra.format === 'directory' && entry.extra.filename)
      byName.set(entry.extra.filename, entry)
  const handle = await open(file, 'r')
  let blocks = 0
  try {
    const header = Buffer.alloc(512)
    for (let at = 0; ;) {
      const { bytesRead } = await handle.read(header, 0, 512, at)
      if (bytesRead < 512 || header.every(b => b === 0)) break
      const field = (from: number, length: number): string => {
        const raw = header.subarray(from, from + length)
        const nul = raw.indexOf(0)
        return raw.subarray(0, nul < 0 ? length : nul).toString('latin1')
      }
      const size = tarMemberSize(header)
      // (plainTarMembers refused such a member before)
      if (size === undefined) break
      const entry = byName.get(field(0, 100))
      if (entry) {
        blocks++
        const from = at + 512
        // read by the handle itself: a stream per member left a close listener on it each
        // (Node's MaxListenersExceededWarning in the log past 10 tables: attacker a71 F3)
        await scanEntry(entry, 'none', async take => {
          for (let done = 0; done < size;) {
            const chunk = Buffer.allocUnsafe(Math.min(TAR_READ, size - done))
            const { bytesRead } = await handle.read(chunk, 0, chunk.length, from + done)
            if (bytesRead === 0) break
            await take(chunk.subarray(0, bytesRead))
            done += bytesRead
          }
        })
      }
      at += 512 + Math.ceil(size / 512) * 512
    }
  } finally {
    await handle.close()
  }
  return { blocks }
}

/**
 * A tar header's member size as pg_restore reads it (read_tar_number, src/port/tar.c: base-256
 * when the field's first byte is exactly 0x80, else the octal digits it starts with) — and
 * undefined where tar would read another: anything but octal digits from the field's start,
 * then spaces or NULs (attacker a60 F3: "\t<octal>" was N bytes to tar and the checks, 0 to
 * pg_restore, which then read the member's bytes as the next header), or a first byte with
 * the high bit set but not 0x80.
 */
export function tarMemberSize(header: Buffer): number | undefined {
  const field = header.subarray(124, 136)
  if (field[0] === 0x80) {
    const size = Number(field.subarray(1).reduce((n, b) => n * 256n + BigInt(b), 0n))
    return Number.isSafeInteger(size) ? size : undefined
  }
  const text = field.toString('latin1')
  if (!/^[0-7]+[ \0]*$/.test(text)) return undefined
  return parseInt(text, 8)
}

/**
 * {@link checkCustomArchiveRows} of a stream of the decoded archive (destroyed after);
 * `seekable`: the file pg_restore will read is the one streamed.
 */
export async function checkCustomArchiveStream(
  stream: Readable,
  seekable = false,
  skip?: ReadonlySet<number>
): Promise<CopyEndsChecked> {
  try {
    return await checkCustomArchiveRows(chunksOf(stream), seekable, true, skip)
  } catch (error) {
    if (error instanceof ArchiveError) throw error
    const message = (error as Error).message
    throw new ArchiveError(
      /ends inside a data block/.test(message)
        ? "the archive is cut short (truncated): it ends inside a table's data. Nothing was restored (pg_restore would fail on it too, after loading what came before). Restore a whole backup."
        : `the archive's data blocks cannot be read to the end to check where each table's rows end (${message}); pg_restore would fail on them too. Nothing was restored.`,
      { cause: error }
    )
  } finally {
    stream.destroy()
  }
}

/** The log's line for a check that passed. */
export function checkedRowsNote(checked: CopyEndsChecked, seconds: number): string {
  return `The rows of ${plural(checked.blocks, 'table')} end where pg_dump ends them (read before the load through psql, which ends a table's rows at their first "\\." line; ${seconds.toFixed(1)} s).`
}
