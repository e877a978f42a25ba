/**
 * A native reader of the table of contents (TOC) of pg_dump's archive formats: the custom format
 * (`pg_dump -Fc`, a file or a stream) and the `toc.dat` of the directory format (`pg_dump -Fd`;
 * the tar format's `toc.dat` has the same layout). It gives every entry with its full text
 * (definition, DROP and COPY statements), which `pg_restore --list` does not print.
 *
 * Layout, as read from PostgreSQL's sources (src/bin/pg_dump, as of PostgreSQL 18):
 *  - pg_backup_archiver.c ReadHead: "PGDMP", format version bytes major/minor/rev, intSize,
 *    offSize, format (1 = custom; 3 = tar, also written into a directory's toc.dat), compression
 *    (an int level before format 1.15, a byte algorithm from 1.15), the creation time as seven
 *    ints (struct tm), then the database name, the server's and pg_dump's version strings.
 *  - pg_backup_archiver.c ReadToc: an int count, then per entry dumpId, hadDumper, tableoid and
 *    oid (as strings), tag, desc, section, defn, dropStmt, copyStmt, namespace, tablespace,
 *    tableam (1.14+), relkind (1.16+, an int holding a char), owner, the obsolete "withOids"
 *    string, the dependencies (strings ending with a NULL string), and the format's extra:
 *    pg_backup_custom.c _ReadExtraToc (ReadOffset: a flag byte and offSize bytes) or
 *    pg_backup_directory.c / pg_backup_tar.c _ReadExtraToc (a file name string).
 *  - ReadInt: a sign byte (non-zero = negative) and intSize bytes, least significant first.
 *    ReadStr: an int length (negative = NULL) and that many bytes, no terminator.
 *  - Archive format versions (pg_backup_archiver.h K_VERS_*): 1.12 separate BLOB entries
 *    (pg_dump 9.0), 1.13 changed search_path behaviour (2018), 1.14 tableam (pg_dump 12 to 15),
 *    1.15 compression algorithm in the header (pg_dump 16), 1.16 BLOB METADATA entries, several
 *    BLOBS entries, relkind (pg_dump 17 and 18).
 *
 * This reader supports archive format versions 1.12 to 1.16 (checked against real archives of
 * pg_dump 15, 17 and 18 by __tests__/integration/toc.test.ts). It refuses what pg_restore refuses
 * (bad magic, dumpId <= 0, bad data offset flags, unreadable ENCODING/STDSTRINGS entries), and
 * is stricter only where an archive cannot have come from pg_dump: unknown section numbers, a
 * negative entry count, integer size 0, integers beyond 32 bits, NULL tag/desc/OID strings, OIDs
 * or dependencies that are not numbers. Such archives are refused with an {@link ArchiveTocError}
 * rather than half understood. Hostile input is bounded by {@link TocLimits}: no declared length
 * or count is allocated before its bytes have arrived.
 */
import { createReadStream } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import type { Readable } from 'node:stream'
import { plural } from '../log.js'

// ---------------------------------------------------------------------------------------------
// types

/** `custom` (pg_dump -Fc) or `directory`: the toc.dat of pg_dump -Fd (and of -Ft). */
export type ArchiveFormat = 'custom' | 'directory'

/** pg_compress_algorithm (src/common/compression.h), by its value in the header. */
export type CompressionAlgorithm = 'none' | 'gzip' | 'lz4' | 'zstd'

/** teSection (pg_backup.h): SECTION_NONE = 1, PRE_DATA, DATA, POST_DATA. */
export type TocSection = 'none' | 'pre-data' | 'data' | 'post-data'

/**
 * Where a custom archive's entry keeps its data (K_OFFSET_* in pg_backup_archiver.h):
 * `set` at `dataOffset`; `not-set` when pg_dump wrote to a pipe and could not go back to fill
 * the offsets in (the data blocks follow the TOC in TOC order); `no-data` for entries without
 * data.
 */
export type DataState = 'not-set' | 'set' | 'no-data'

export interface ArchiveVersion {
  major: number
  minor: number
  rev: number
}

/** The archive header (WriteHead/ReadHead in pg_backup_archiver.c). */
export interface ArchiveHeader {
  /** Version of the archive FORMAT (not of pg_dump), e.g. 1.14.0 for pg_dump 12–15. */
  version: ArchiveVersion
  /** The version as `pg_restore --list` prints it ("Dump Version"): "1.14-0". */
  versionText: string
  /** Size in bytes of an integer in the archive (4 from every known pg_dump). */
  intSize: number
  /** Size in bytes of a file offset in the archive (8 on 64-bit builds). */
  offSize: number
  format: ArchiveFormat
  /** The format byte itself: 1 (custom) or 3 (archTar: a directory's or tar's toc.dat). */
  formatCode: number
  compression: {
    /** Of the table data; the TOC itself is never compressed. `unknown` for a newer code. */
    algorithm: CompressionAlgorithm | 'unknown'
    /** pg_compress_algorithm value (format 1.15+), or 1 (gzip) / 0 (none) from the level. */
    code: number
    /** zlib level (-1 = default) for formats before 1.15; absent from 1.15 on. */
    level?: number
  }
  /**
   * When the dump started, as the dumping machine's local time (struct tm fields, made human:
   * month 1–12, full year). `isdst` is tm_isdst.
   */
  created: {
    year: number
    month: number
    day: number
    hour: number
    minute: number
    second: number
    isdst: number
  }
  /** Name of the dumped database. */
  databaseName: string | null
  /** `server_version` of the dumped server, e.g. "13.23". */
  serverVersion: string | null
  /** Version of the pg_dump that wrote the archive, e.g. "15.18 (Debian 15.18-0+deb12u1)". */
  pgDumpVersion: string | null
}

/** The custom format's extra (pg_backup_custom.c _ReadExtraToc). */
export interface CustomEntryExtra {
  format: 'custom'
  dataState: DataState
  /** Byte offset of the entry's data block in the archive; 0 unless `dataState` is `set`. */
  dataOffset: number
  /** Where in the archive the entry's data offset flag is (a flag byte, then offSize bytes). */
  flagAt?: number
}

/** The directory (and tar) format's extra (pg_backup_directory.c _ReadExtraToc). */
export interface DirectoryEntryExtra {
  format: 'directory'
  /** The data file's name inside the directory ("1234.dat", "blobs_12.toc"); null for none. */
  filename: string | null
}

/** One TOC entry (struct _tocEntry in pg_backup_archiver.h, as ReadToc fills it). */
export interface TocEntry {
  /** The entry's id (> 0): the first number of a `pg_restore --list` line. */
  dumpId: number
  /** Whether pg_dump had a data dumper for it (TABLE DATA, BLOBS, ...). */
  hadDumper: boolean
  /** OID of the system catalog holding the object (e.g. 1259 = pg_class); 0 for none. */
  tableoid: number
  /** The object's OID in that catalog; 0 for none. */
  oid: number
  /** The object's name as pg_restore --list prints it (unquoted; may contain anything). */
  tag: string
  /** The kind of entry: "TABLE", "TABLE DATA", "INDEX", "ACL", "COMMENT", ... */
  desc: string
  section: TocSection
  /** SQL that creates the object (or a comment, or for BLOB METADATA a list of OIDs). */
  defn: string | null
  /** SQL that drops it (what pg_restore --clean runs). */
  dropStmt: string | null
  /** The COPY ... FROM stdin; statement that precedes the entry's data. */
  copyStmt: string | null
  /** Schema; null or "" for objects outside schemas. */
  namespace: string | null
  /** Tablespace; "" = the database's default; null when not applicable. */
  tablespace: string | null
  /** Table access method (format 1.14+; null before). */
  tableam: string | null
  /** pg_class.relkind ("r", "p", "v", ...) from format 1.16 on; null before and for non-relations. */
  relkind: string | null
  owner: string | null
  /** The obsolete WITH OIDS flag (the string "true"); always false from current pg_dump. */
  withOids: boolean
  /** dumpIds this entry depends on. */
  dependencies: number[]
  extra: CustomEntryExtra | DirectoryEntryExtra
  /** Byte offset of this entry's record in the archive (or toc.dat). */
  tocOffset: number
}

/** A parsed header and table of contents. */
export interface ArchiveToc {
  header: ArchiveHeader
  entries: TocEntry[]
  /** The encoding the ENCODING entry names (e.g. "UTF8"); null when there is none. */
  encoding: string | null
  /** How the entries' text was decoded: a WHATWG encoding label, or "latin1" (byte = char). */
  textDecoding: string
  /** standard_conforming_strings from the STDSTRINGS entry; null when there is none. */
  standardConformingStrings: boolean | null
  /** The SEARCHPATH entry's statement; null when there is none. */
  searchPath: string | null
  /**
   * Bytes the header and TOC take: in a custom archive, where the data blocks start (the
   * archive's dataStart in pg_backup_custom.c); in a toc.dat, normally the file's length.
   */
  end: number
}

/**
 * Bounds on what an archive may make this reader hold; an archive beyond them is refused with
 * an {@link ArchiveTocError} whose `problem` is `limit`. The defaults are far above what pg_dump
 * writes for real databases.
 */
export interface TocLimits {
  /** Most entries (default 10,000,000). */
  maxEntries?: number
  /** Longest string, in bytes (default 256 MiB; PostgreSQL's own values stop at 1 GB). */
  maxStringBytes?: number
  /** Most dependencies of one entry (default 1,000,000). */
  maxDependencies?: number
  /** Most bytes of header plus TOC (default 1 GiB). */
  maxTocBytes?: number
}

export const DEFAULT_TOC_LIMITS: Readonly<Required<TocLimits>> = Object.freeze({
  maxEntries: 10_000_000,
  maxStringBytes: 256 * 1024 * 1024,
  maxDependencies: 1_000_000,
  maxTocBytes: 1024 * 1024 * 1024
})

/**
 * A data file of a directory archive as pg_dump names it (`1234.dat`, `blobs.toc`,
 * `blobs_1234.toc`, and the large objects' `blob_16384.dat` in a blobs TOC): a plain name in the
 * archive's folder, never a path.
 */
export const DATA_FILE_NAME = /^[A-Za-z0-9_]+\.(?:dat|toc)$/

/** What is wrong with an archive an {@link ArchiveTocError} refuses. */
export type ArchiveTocProblem =
  /** the input ends inside the header or TOC */
  | 'truncated'
  /** no "PGDMP" magic */
  | 'not-an-archive'
  /** an archive format version this reader does not know */
  | 'unsupported-version'
  /** a format byte other than custom or tar/directory */
  | 'unsupported-format'
  /** beyond a {@link TocLimits} bound */
  | 'limit'
  /** a value pg_dump cannot have written */
  | 'invalid'

/** A malformed, unsupported or over-limit archive. The message names what and at which byte. */
export class ArchiveTocError extends Error {
  /**
   * @param problem what kind of problem
   * @param offset byte offset in the archive (or toc.dat) where the offending item starts
   */
  constructor(
    message: string,
    readonly problem: ArchiveTocProblem,
    readonly offset: number
  ) {
    super(message)
    this.name = 'ArchiveTocError'
  }
}

// ---------------------------------------------------------------------------------------------
// constants from the PostgreSQL sources

const MAGIC = 'PGDMP'
/** Oldest and newest archive format versions (major 1) this reader knows. */
const MIN_MINOR = 12
const MAX_MINOR = 16
const FORMAT_CUSTOM = 1 // archCustom
const FORMAT_TAR = 3 // archTar: also what a directory archive's toc.dat says
/** ReadHead refuses larger integers ("sanity check on integer size"). */
const MAX_INT_SIZE = 32
const SECTIONS: Record<number, TocSection> = {
  1: 'none',
  2: 'pre-data',
  3: 'data',
  4: 'post-data'
}
const DATA_STATES: Record<number, DataState> = { 1: 'not-set', 2: 'set', 3: 'no-data' }
const ALGORITHMS: CompressionAlgorithm[] = ['none', 'gzip', 'lz4', 'zstd']
const INT32_MAX = 0x7fffffff
const OID_MAX = 0xffffffff

/**
 * PostgreSQL encoding names (pg_enc2name_tbl in src/common/encnames.c) and the WHATWG label
 * TextDecoder knows them by. Missing ones (MULE_INTERNAL, EUC_TW, JOHAB) and SQL_ASCII / LATIN1
 * are decoded byte = character ("latin1"), which keeps every ASCII byte where it is.
 */
const DECODERS: Record<string, string> = {
  UTF8: 'utf-8',
  UNICODE: 'utf-8',
  LATIN2: 'iso-8859-2',
  LATIN3: 'iso-8859-3',
  LATIN4: 'iso-8859-4',
  LATIN5: 'iso-8859-9',
  LATIN6: 'iso-8859-10',
  LATIN7: 'iso-8859-13',
  LATIN8: 'iso-8859-14',
  LATIN9: 'iso-8859-15',
  LATIN10: 'iso-8859-16',
  ISO88595: 'iso-8859-5',
  ISO88596: 'iso-8859-6',
  ISO88597: 'iso-8859-7',
  ISO88598: 'iso-8859-8',
  WIN866: 'ibm866',
  WIN874: 'windows-874',
  WIN1250: 'windows-1250',
  WIN1251: 'windows-1251',
  WIN1252: 'windows-1252',
  WIN1253: 'windows-1253',
  WIN1254: 'windows-1254',
  WIN1255: 'windows-1255',
  WIN1256: 'windows-1256',
  WIN1257: 'windows-1257',
  WIN1258: 'windows-1258',
  KOI8R: 'koi8-r',
  KOI8U: 'koi8-u',
  EUCJP: 'euc-jp',
  EUCJIS2004: 'euc-jp',
  EUCKR: 'euc-kr',
  UHC: 'euc-kr',
  EUCCN: 'gbk',
  GBK: 'gbk',
  GB18030: 'gb18030',
  SJIS: 'shift_jis',
  SHIFTJIS2004: 'shift_jis',
  BIG5: 'big5'
}

// ---------------------------------------------------------------------------------------------
// the parser: synchronous reads over the bytes at hand; NeedMore when they run out

/**
 * Thrown (not an error) when the bytes at hand end: the driver either has no more (truncated)
 * or rewinds to the start of the item (header, count or entry) and retries once `upTo` bytes
 * (an absolute offset) are at hand.
 */
class NeedMore {
  constructor(
    /** Bytes the read wanted. */
    readonly needed: number,
    /** Bytes there were from the read's position. */
    readonly available: number,
    /** Absolute offset the bytes must reach. */
    readonly upTo: number
  ) {}
}

const EMPTY = Buffer.alloc(0)

interface Cursor {
  /** Bytes at hand; `buf[pos]` is the archive's byte `base + pos`. */
  buf: Buffer
  pos: number
  base: number
}

interface TextDecoding {
  label: string
  /** Decodes buf[start, end). */
  decode(buf: Buffer, start: number, end: number): string
}

const UTF8: TextDecoding = {
  label: 'utf-8',
  decode: (buf, start, end) => buf.toString('utf8', start, end)
}
const LATIN1: TextDecoding = {
  label: 'latin1',
  decode: (buf, start, end) => buf.toString('latin1', start, end)
}

function decodingFor(encoding: string): TextDecoding {
  const key = encoding.toUpperCase().replace(/[^A-Z0-9]/g, '')
  const label = DECODERS[key]
  if (label === 'utf-8') return UTF8
  if (!label) return LATIN1
  try {
    const decoder = new TextDecoder(label)
    return { label, decode: (buf, start, end) => decoder.decode(buf.subarray(start, end)) }
  } catch {
    return LATIN1 // a Node built without full ICU
  }
}

class TocParser {
  private intSize = 4
  private offSize = 8
  private minor = 0
  private decoding: TextDecoding = UTF8
  /** What is being read, for error messages. */
  private field = 'magic'
  private entry = -1
  private entryCount = 0
  private dumpId: number | undefined
  private itemStart = 0

  constructor(
    private readonly cursor: Cursor,
    private readonly limits: Required<TocLimits>
  ) {}

  get offset(): number {
    return this.cursor.base + this.cursor.pos
  }

  /** Where in the archive the parser is, for messages. */
  private where(): string {
    if (this.entry < 0) return `header field ${this.field}`
    const id = this.dumpId === undefined ? '' : ` (dumpId ${this.dumpId})`
    return `entry ${this.entry + 1} of ${this.entryCount}${id}, field ${this.field}`
  }

  fail(problem: ArchiveTocProblem, what: string, offset = this.itemStart): ArchiveTocError {
    return new ArchiveTocError(
      `pg_dump archive: ${what} (${this.where()}, at byte ${offset})`,
      problem,
      offset
    )
  }

  /** The error for an input that ended where `need` wanted more. */
  truncated(need: NeedMore): ArchiveTocError {
    return this.fail(
      'truncated',
      `the input ends inside the table of contents: ${need.needed} bytes needed, ${need.available} left`,
      need.upTo - need.needed
    )
  }

  /** Consumes `n` bytes; returns the position of the first in `cursor.buf`. */
  private take(n: number): number {
    const { cursor } = this
    if (this.offset + n > this.limits.maxTocBytes) {
      throw this.fail(
        'limit',
        `the header and table of contents would exceed ${this.limits.maxTocBytes} bytes (maxTocBytes)`
      )
    }
    const available = cursor.buf.length - cursor.pos
    if (available < n) throw new NeedMore(n, available, this.offset + n)
    const at = cursor.pos
    cursor.pos += n
    return at
  }

  private byte(field: string): number {
    this.field = field
    this.itemStart = this.offset
    return this.cursor.buf[this.take(1)]
  }

  /** ReadInt: sign byte, then intSize bytes least significant first; refuses > 32 bits. */
  private int(field: string): number {
    this.field = field
    const start = (this.itemStart = this.offset)
    const at = this.take(1 + this.intSize)
    const { buf } = this.cursor
    let value = 0
    for (let i = this.intSize; i >= 1; i--) value = value * 256 + buf[at + i]
    if (value > INT32_MAX) {
      throw this.fail('invalid', `integer ${value} is out of range`, start)
    }
    return buf[at] !== 0 ? -value : value
  }

  /** ReadStr: an int length (negative = NULL), then the bytes. */
  private str(field: string): string | null {
    const start = this.offset
    const length = this.int(field)
    if (length < 0) return null
    if (length > this.limits.maxStringBytes) {
      throw this.fail(
        'limit',
        `a string of ${length} bytes exceeds the limit of ${this.limits.maxStringBytes} (maxStringBytes)`,
        start
      )
    }
    const at = this.take(length)
    this.itemStart = start
    return this.decoding.decode(this.cursor.buf, at, at + length)
  }

  private requiredStr(field: string): string {
    const value = this.str(field)
    if (value === null) throw this.fail('invalid', `${field} is NULL`)
    return value
  }

  /** An OID written as a decimal string ("%u"). */
  private oid(field: string): number {
    const text = this.requiredStr(field)
    const value = /^\d{1,10}$/.test(text) ? Number(text) : NaN
    if (!(value <= OID_MAX)) {
      throw this.fail('invalid', `${field} ${JSON.stringify(text.slice(0, 40))} is not an OID`)
    }
    return value
  }

  /**
   * Runs `read` from the cursor; when the bytes at hand run out, rewinds to where it started,
   * yields the shortfall for the driver to fill (or to call truncation), and runs it again.
   */
  private *item<T>(read: () => T): Generator<NeedMore, T, void> {
    for (;;) {
      const mark = this.cursor.pos
      try {
        return read()
      } catch (error) {
        if (!(error instanceof NeedMore)) throw error
        this.cursor.pos = mark
        yield error
      }
    }
  }

  /** The header, then the entries one by one, each read whole or retried. */
  *parse(): Generator<NeedMore, ArchiveToc, void> {
    const header = yield* this.item(() => this.header())
    const toc: ArchiveToc = {
      header,
      entries: [],
      encoding: null,
      textDecoding: this.decoding.label,
      standardConformingStrings: null,
      searchPath: null,
      end: 0
    }
    const count = yield* this.item(() => this.int('entry count'))
    if (count < 0) throw this.fail('invalid', `the entry count ${count} is negative`)
    if (count > this.limits.maxEntries) {
      throw this.fail(
        'limit',
        `${plural(count, 'entry', 'entries')} exceed the limit of ${this.limits.maxEntries} (maxEntries)`
      )
    }
    this.entryCount = count
    /** Where each entry ID was seen (the entry's index). */
    const seen = new Map<number, number>()
    for (let i = 0; i < count; i++) {
      this.entry = i
      const entry = yield* this.item(() => {
        this.dumpId = undefined
        return this.tocEntry(header.format)
      })
      // pg_dump gives every entry an ID of its own; pg_restore keeps the last entry of an ID for
      // its dependencies but restores every entry a list names by ID: an entry hidden behind
      // another of the same ID would run unread by whatever checks the archive entry by ID
      const first = seen.get(entry.dumpId)
      if (first !== undefined)
        throw this.fail(
          'invalid',
          `entry ID ${entry.dumpId} is given twice (entries ${first + 1} and ${i + 1}): pg_dump never writes that, and pg_restore would restore both where a list names the ID`
        )
      seen.set(entry.dumpId, i)
      toc.entries.push(entry)
      this.special(toc, entry)
    }
    toc.textDecoding = this.decoding.label
    toc.end = this.offset
    return toc
  }

  private header(): ArchiveHeader {
    this.field = 'magic'
    this.itemStart = this.offset
    const at = this.take(MAGIC.length)
    if (this.cursor.buf.toString('latin1', at, at + MAGIC.length) !== MAGIC) {
      throw this.fail('not-an-archive', `the input does not start with "${MAGIC}"`)
    }
    const versionStart = this.offset
    const major = this.byte('version major')
    const minor = this.byte('version minor')
    // ReadHead reads a revision byte for any version above 1.0
    const rev = major > 1 || (major === 1 && minor > 0) ? this.byte('version rev') : 0
    if (major !== 1 || minor < MIN_MINOR || minor > MAX_MINOR) {
      this.itemStart = versionStart
      throw this.fail(
        'unsupported-version',
        `archive format ${major}.${minor} is not supported: this reader knows ` +
          `1.${MIN_MINOR} (pg_dump 9.0) to 1.${MAX_MINOR} (pg_dump 17 and 18); use pg_restore for it`
      )
    }
    this.minor = minor
    const intSize = this.byte('intSize')
    if (intSize < 1 || intSize > MAX_INT_SIZE) {
      throw this.fail('invalid', `integer size ${intSize} is not between 1 and ${MAX_INT_SIZE}`)
    }
    this.intSize = intSize
    this.offSize = this.byte('offSize')
    const formatCode = this.byte('format')
    if (formatCode !== FORMAT_CUSTOM && formatCode !== FORMAT_TAR) {
      throw this.fail(
        'unsupported-format',
        `format code ${formatCode} is neither custom (${FORMAT_CUSTOM}) nor a directory's toc.dat (${FORMAT_TAR})`
      )
    }
    let compression: ArchiveHeader['compression']
    if (minor >= 15) {
      const code = this.byte('compression algorithm')
      compression = { algorithm: ALGORITHMS[code] ?? 'unknown', code }
    } else {
      const level = this.int('compression level')
      compression = { algorithm: level !== 0 ? 'gzip' : 'none', code: level !== 0 ? 1 : 0, level }
    }
    const second = this.int('created (tm_sec)')
    const minute = this.int('created (tm_min)')
    const hour = this.int('created (tm_hour)')
    const day = this.int('created (tm_mday)')
    const month = this.int('created (tm_mon)') + 1
    const year = this.int('created (tm_year)') + 1900
    const isdst = this.int('created (tm_isdst)')
    const databaseName = this.str('database name')
    const serverVersion = this.str('server version')
    const pgDumpVersion = this.str('pg_dump version')
    return {
      version: { major, minor, rev },
      versionText: `${major}.${minor}-${rev}`,
      intSize,
      offSize: this.offSize,
      format: formatCode === FORMAT_CUSTOM ? 'custom' : 'directory',
      formatCode,
      compression,
      created: { year, month, day, hour, minute, second, isdst },
      databaseName,
      serverVersion,
      pgDumpVersion
    }
  }

  private tocEntry(format: ArchiveFormat): TocEntry {
    const tocOffset = this.offset
    const dumpId = this.int('dumpId')
    // ReadToc: "entry ID %d out of range -- perhaps a corrupt TOC"
    if (dumpId <= 0) throw this.fail('invalid', `entry ID ${dumpId} is out of range`)
    this.dumpId = dumpId
    const hadDumper = this.int('hadDumper') !== 0
    const tableoid = this.oid('tableoid')
    const oid = this.oid('oid')
    const tag = this.requiredStr('tag')
    const desc = this.requiredStr('desc')
    const sectionCode = this.int('section')
    const section = SECTIONS[sectionCode]
    if (!section) throw this.fail('invalid', `section ${sectionCode} is not 1 to 4`)
    const defn = this.str('defn')
    const dropStmt = this.str('dropStmt')
    const copyStmt = this.str('copyStmt')
    const namespace = this.str('namespace')
    const tablespace = this.str('tablespace')
    const tableam = this.minor >= 14 ? this.str('tableam') : null
    let relkind: string | null = null
    if (this.minor >= 16) {
      const code = this.int('relkind')
      if (code < 0 || code > 255) throw this.fail('invalid', `relkind ${code} is not a char`)
      relkind = code === 0 ? null : String.fromCharCode(code)
    }
    const owner = this.str('owner')
    const withOids = this.requiredStr('withOids') === 'true'
    const dependencies: number[] = []
    for (;;) {
      const dep = this.str('dependencies')
      if (dep === null) break
      if (dependencies.length >= this.limits.maxDependencies) {
        throw this.fail(
          'limit',
          `more than ${this.limits.maxDependencies} dependencies (maxDependencies)`
        )
      }
      const id = /^\d{1,10}$/.test(dep) ? Number(dep) : NaN
      if (!(id > 0 && id <= INT32_MAX)) {
        throw this.fail('invalid', `dependency ${JSON.stringify(dep.slice(0, 40))} is not a dumpId`)
      }
      dependencies.push(id)
    }
    let extra: CustomEntryExtra | DirectoryEntryExtra
    if (format === 'custom') {
      const flagAt = this.offset
      const state = this.byte('data offset flag')
      const dataState = DATA_STATES[state]
      if (!dataState) throw this.fail('invalid', `unexpected data offset flag ${state}`)
      this.field = 'data offset'
      const start = (this.itemStart = this.offset)
      const at = this.take(this.offSize)
      const { buf } = this.cursor
      let dataOffset = 0
      for (let i = this.offSize - 1; i >= 0; i--) {
        if (i >= 8 && buf[at + i] !== 0) {
          throw this.fail('invalid', 'the data offset is too large', start)
        }
        dataOffset = dataOffset * 256 + buf[at + i]
      }
      if (!Number.isSafeInteger(dataOffset)) {
        throw this.fail('invalid', `data offset ${dataOffset} is too large`, start)
      }
      extra = { format: 'custom', dataState, dataOffset, flagAt }
    } else {
      const start = this.offset
      const filename = this.str('filename')
      // pg_restore opens <folder>/<filename>: pg_dump writes <id>.dat and blobs[_<id>].toc
      if (filename && !DATA_FILE_NAME.test(filename))
        throw this.fail(
          'invalid',
          `the data file name ${JSON.stringify(filename.slice(0, 60))} is not a plain file name in the archive's folder (pg_dump writes <id>.dat and blobs.toc): pg_restore would read a file outside the backup`,
          start
        )
      extra = { format: 'directory', filename: filename ? filename : null }
    }
    return {
      dumpId,
      hadDumper,
      tableoid,
      oid,
      tag,
      desc,
      section,
      defn,
      dropStmt,
      copyStmt,
      namespace,
      tablespace,
      tableam,
      relkind,
      owner,
      withOids,
      dependencies,
      extra,
      tocOffset
    }
  }

  /** ReadToc's processEncodingEntry / processStdStringsEntry / processSearchPathEntry. */
  private special(toc: ArchiveToc, entry: TocEntry): void {
    this.field = 'defn'
    this.itemStart = entry.tocOffset
    if (entry.desc === 'ENCODING') {
      // "SET client_encoding = 'UTF8';"
      const match = /'([^']*)'/.exec(entry.defn ?? '')
      if (!match) throw this.fail('invalid', `invalid ENCODING item: ${entry.defn}`)
      toc.encoding = match[1]
      this.decoding = decodingFor(match[1])
    } else if (entry.desc === 'STDSTRINGS') {
      const at = (entry.defn ?? '').indexOf("'")
      const rest = at < 0 ? '' : (entry.defn ?? '').slice(at)
      if (rest.startsWith("'on'")) toc.standardConformingStrings = true
      else if (rest.startsWith("'off'")) toc.standardConformingStrings = false
      else throw this.fail('invalid', `invalid STDSTRINGS item: ${entry.defn}`)
    } else if (entry.desc === 'SEARCHPATH') {
      toc.searchPath = entry.defn
    }
  }
}

function withDefaults(limits: TocLimits | undefined): Required<TocLimits> {
  return { ...DEFAULT_TOC_LIMITS, ...limits }
}

// ---------------------------------------------------------------------------------------------
// drivers

/**
 * Parses the header and table of contents at the start of `archive`: a whole custom-format
 * archive (or just its beginning), or a directory archive's toc.dat. Bytes after the TOC (the
 * custom format's data blocks) are not looked at; `end` says where they start.
 *
 * @throws ArchiveTocError when the bytes are not a supported pg_dump archive, end inside the
 *   TOC (`truncated`), or exceed `limits`.
 */
export function parseArchiveToc(archive: Uint8Array, limits?: TocLimits): ArchiveToc {
  const buf = Buffer.isBuffer(archive)
    ? archive
    : Buffer.from(archive.buffer, archive.byteOffset, archive.byteLength)
  const cursor: Cursor = { buf, pos: 0, base: 0 }
  const parser = new TocParser(cursor, withDefaults(limits))
  const step = parser.parse().next()
  if (!step.done) throw parser.truncated(step.value)
  return step.value
}

export interface ReadArchiveTocOptions extends TocLimits {
  /**
   * Destroy the stream once the TOC is read, or when reading it fails (default false: leave it
   * paused, positioned at the first byte after the TOC, for the caller to go on reading).
   */
  destroy?: boolean
}

/** The TOC read from a stream, and the exact bytes it took (the archive's first `end` bytes). */
export interface StreamedToc {
  toc: ArchiveToc
  bytes: Buffer
}

/**
 * Reads the header and TOC from the start of a stream carrying a custom-format archive (or a
 * toc.dat), already decoded (decrypted, decompressed). It reads only what the TOC needs: chunk
 * bytes past the TOC are pushed back (`unshift`), so that, unless `destroy` is set, the stream
 * is left paused at the first data block and can be piped on (write `bytes` first to hand the
 * whole archive to pg_restore). pg_dump writes the TOC first also to a pipe, with data offsets
 * `not-set`. The stream must yield Buffers (no encoding set) and must not be flowing.
 *
 * @throws ArchiveTocError as {@link parseArchiveToc}; a stream that ends inside the TOC is
 *   `truncated`. A stream error rejects with that error.
 */
export async function readArchiveToc(
  readable: Readable,
  options: ReadArchiveTocOptions = {}
): Promise<StreamedToc> {
  const { destroy = false, ...limits } = options
  try {
    const { toc, all } = await readTocFrom(() => nextChunk(readable), limits)
    const rest = all.subarray(toc.end)
    if (destroy) readable.destroy()
    else if (rest.length > 0) readable.unshift(rest)
    return { toc, bytes: all.subarray(0, toc.end) }
  } catch (error) {
    if (destroy) readable.destroy()
    throw error
  }
}

/**
 * The first `length` bytes of a stream (fewer if it ends before), leaving it paused just after
 * them (the rest of the last chunk pushed back), as {@link readArchiveToc} leaves it after the
 * TOC: the same TOC read again, to compare with the bytes a first read parsed.
 */
export async function readStreamHead(readable: Readable, length: number): Promise<Buffer> {
  const chunks: Buffer[] = []
  let have = 0
  while (have < length) {
    const chunk = await nextChunk(readable)
    if (chunk === null) break
    chunks.push(chunk)
    have += chunk.length
  }
  const all = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)
  if (all.length > length) readable.unshift(all.subarray(length))
  return all.subarray(0, length)
}

/**
 * Reads the header and TOC from chunks that are valid only until the next is asked for (a pipe
 * read into one buffer, reused): what it keeps it copies. Returns the TOC and a copy of the
 * bytes after it in the last chunk read (where the data blocks start).
 *
 * @throws ArchiveTocError as {@link readArchiveToc}.
 */
export async function readArchiveTocFromChunks(
  next: () => Promise<Buffer | null>,
  limits: TocLimits = {}
): Promise<{ toc: ArchiveToc; rest: Buffer }> {
  const { toc, all } = await readTocFrom(async () => {
    const chunk = await next()
    return chunk && Buffer.from(chunk)
  }, limits)
  return { toc, rest: all.subarray(toc.end) }
}

/** The TOC from chunks that `pull` gives (and this keeps until the TOC is read), and all of them. */
async function readTocFrom(
  pull: () => Promise<Buffer | null>,
  limits: TocLimits
): Promise<{ toc: ArchiveToc; all: Buffer }> {
  const cursor: Cursor = { buf: EMPTY, pos: 0, base: 0 }
  const parser = new TocParser(cursor, withDefaults(limits))
  const steps = parser.parse()
  const received: Buffer[] = []
  const pending: Buffer[] = []
  let pendingBytes = 0
  let step = steps.next()
  while (!step.done) {
    const need = step.value
    while (cursor.base + cursor.buf.length + pendingBytes < need.upTo) {
      const chunk = await pull()
      if (chunk === null) {
        const available = cursor.base + cursor.buf.length + pendingBytes - (need.upTo - need.needed)
        throw parser.truncated(new NeedMore(need.needed, available, need.upTo))
      }
      received.push(chunk)
      pending.push(chunk)
      pendingBytes += chunk.length
    }
    cursor.buf = Buffer.concat([cursor.buf.subarray(cursor.pos), ...pending])
    cursor.base += cursor.pos
    cursor.pos = 0
    pending.length = 0
    pendingBytes = 0
    step = steps.next()
  }
  return { toc: step.value, all: received.length === 1 ? received[0] : Buffer.concat(received) }
}

/** The next chunk of a paused stream; null at its end. */
function nextChunk(readable: Readable): Promise<Buffer | null> {
  const first = readChunk(readable)
  if (first !== null) return Promise.resolve(first)
  if (readable.readableEnded) return Promise.resolve(null)
  if (readable.destroyed) {
    return Promise.reject(readable.errored ?? new Error('the stream was destroyed'))
  }
  return new Promise((resolve, reject) => {
    const done = (): void => {
      readable.off('readable', onReadable)
      readable.off('end', onEnd)
      readable.off('error', onError)
      readable.off('close', onClose)
    }
    const onReadable = (): void => {
      let chunk: Buffer | null
      try {
        chunk = readChunk(readable)
      } catch (error) {
        done()
        reject(error)
        return
      }
      if (chunk === null) return // 'end' follows
      done()
      resolve(chunk)
    }
    const onEnd = (): void => {
      done()
      resolve(null)
    }
    const onError = (error: Error): void => {
      done()
      reject(error)
    }
    const onClose = (): void => {
      done()
      reject(readable.errored ?? new Error('the stream closed before the end of the TOC'))
    }
    readable.on('readable', onReadable)
    readable.on('end', onEnd)
    readable.on('error', onError)
    readable.on('close', onClose)
  })
}

function readChunk(readable: Readable): Buffer | null {
  const chunk: unknown = readable.read()
  if (chunk === null) return null
  if (Buffer.isBuffer(chunk)) return chunk
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length)
  throw new TypeError('readArchiveToc needs a stream of bytes (Buffers), without an encoding')
}

/**
 * The TOC of an archive on disk: a custom-format file (only its header and TOC are read, however
 * large the file) or a directory-format archive (its toc.dat).
 *
 * @throws ArchiveTocError as {@link parseArchiveToc}; the file system's error (ENOENT, ...) when
 *   the file or the directory's toc.dat cannot be read.
 */
export async function readArchiveTocFile(file: string, limits?: TocLimits): Promise<ArchiveToc> {
  if ((await stat(file)).isDirectory()) {
    return parseArchiveToc(await readFile(path.join(file, 'toc.dat')), limits)
  }
  const { toc } = await readArchiveToc(createReadStream(file), { ...limits, destroy: true })
  return toc
}

// ---------------------------------------------------------------------------------------------
// helpers

/** The entries that carry or set data, by kind, in TOC order. */
export interface DataEntries {
  /** TABLE DATA: one per table whose rows the archive holds (namespace = schema, tag = table). */
  tables: TocEntry[]
  /**
   * BLOBS: the large objects' data. Before pg_dump 17 one entry, tagged "BLOBS" (with a BLOB
   * entry per large object in pre-data); from 17 one per batch of large objects with the same
   * owner and privileges, tagged with its OID or "first..last" (with a BLOB METADATA entry).
   */
  largeObjects: TocEntry[]
  /** SEQUENCE SET: sequences whose value the archive sets. */
  sequences: TocEntry[]
  /** MATERIALIZED VIEW DATA: REFRESH statements (the rows are not in the archive). */
  materializedViews: TocEntry[]
}

const entriesOf = (toc: ArchiveToc | readonly TocEntry[]): readonly TocEntry[] =>
  'header' in toc ? toc.entries : toc

/** Sorts the data section's entries ({@link DataEntries}) out of a TOC. */
export function dataEntries(toc: ArchiveToc | readonly TocEntry[]): DataEntries {
  const entries = entriesOf(toc)
  const result: DataEntries = { tables: [], largeObjects: [], sequences: [], materializedViews: [] }
  for (const entry of entries) {
    if (entry.desc === 'TABLE DATA') result.tables.push(entry)
    else if (entry.desc === 'BLOBS') result.largeObjects.push(entry)
    else if (entry.desc === 'SEQUENCE SET') result.sequences.push(entry)
    else if (entry.desc === 'MATERIALIZED VIEW DATA') result.materializedViews.push(entry)
  }
  return result
}

/** The kinds (desc) of entries present, each with its number of entries, in order of first appearance. */
export function entryKinds(toc: ArchiveToc | readonly TocEntry[]): Map<string, number> {
  const entries = entriesOf(toc)
  const kinds = new Map<string, number>()
  for (const entry of entries) kinds.set(entry.desc, (kinds.get(entry.desc) ?? 0) + 1)
  return kinds
}

/** An identifier as pg_dump's fmtId writes it: lower-case bare, or double-quoted. */
const PG_DUMP_IDENT = String.raw`(?:"(?:[^"]|"")*"|[a-z_][a-z0-9_]*)`
const PG_DUMP_COPY = new RegExp(
  String.raw`^COPY (${PG_DUMP_IDENT})\.(${PG_DUMP_IDENT}) (?:\(${PG_DUMP_IDENT}(?:, ${PG_DUMP_IDENT})*\) )?FROM stdin;\n$`
)

/**
 * A TABLE DATA entry's COPY statement as pg_dump writes it: the table and its columns, each as
 * pg_dump's fmtId wrote it (usable in SQL as they are); undefined for any other statement.
 */
export function parseCopyColumns(
  copyStmt: string | null
): { table: string; columns: string[] } | undefined {
  const m = copyStmt === null ? null : PG_DUMP_COPY.exec(copyStmt)
  if (!m) return undefined
  const list = /\((.*)\) FROM stdin;\n$/s.exec(copyStmt!.slice(`COPY ${m[1]}.${m[2]} `.length))
  const columns = list ? (list[1].match(new RegExp(PG_DUMP_IDENT, 'g')) ?? []) : []
  return { table: `${m[1]}.${m[2]}`, columns }
}

const unquoteIdent = (id: string): string =>
  id.startsWith('"') ? id.slice(1, -1).replace(/""/g, '"') : id

/**
 * Whether a TABLE DATA entry is exactly what pg_dump writes for a table's rows, so that
 * `pg_restore -d` sends nothing for it but its COPY statement and the data block as COPY data:
 *  - it had a data dumper, and carries no SQL of its own (defn and dropStmt empty) — pg_restore
 *    counts an entry with a dumper as both schema and data and runs its defn before the COPY
 *    (pg_backup_archiver.c, _tocEntryRequired), and an entry without one runs only its defn;
 *  - its COPY statement is `COPY <schema>.<table> (<columns>) FROM stdin;` naming the entry's own
 *    namespace and tag (the names compared once unquoted, not as text), nothing before or after.
 */
export function isPgDumpDataEntry(entry: TocEntry): boolean {
  if (entry.desc !== 'TABLE DATA' || !entry.hadDumper) return false
  if ((entry.defn ?? '') !== '' || (entry.dropStmt ?? '') !== '') return false
  if (entry.copyStmt === null || entry.namespace === null) return false
  const m = PG_DUMP_COPY.exec(entry.copyStmt)
  return m !== null && unquoteIdent(m[1]) === entry.namespace && unquoteIdent(m[2]) === entry.tag
}

/** A TABLE DATA entry whose COPY statement loads its rows elsewhere than into its own table. */
export interface CopyTargetMismatch {
  entry: TocEntry
  /** The entry's own table: its namespace and tag. */
  own: { schema: string; name: string }
  /**
   * The table its COPY statement names, unquoted (an unqualified name in the entry's namespace,
   * where pg_restore's search_path puts it); undefined when the statement names none as pg_dump
   * writes a name.
   */
  copied?: { schema: string; name: string }
}

/** `COPY <schema>.<table> ` or `COPY <table> `, each name as pg_dump's fmtId writes it. */
const COPY_HEAD = new RegExp(String.raw`^COPY (${PG_DUMP_IDENT})(?:\.(${PG_DUMP_IDENT}))?(?= )`)

/**
 * The first TABLE DATA entry whose COPY statement names a table other than the entry's own
 * (namespace and tag, compared once unquoted, whatever bytes they hold); undefined when there is
 * none. pg_dump builds an entry's tag and its COPY statement from the same table (pg_dump.c
 * dumpTableData: `COPY <fmtQualifiedDumpable(tbinfo)> …`), with one exception: with
 * --load-via-partition-root a partition's COPY names its root (getRootTableInfo), which is
 * accepted when the archive's own TABLE ATTACH statements (or, before pg_dump 12, the partition's
 * CREATE TABLE … PARTITION OF) make that table an ancestor of the entry's (partitionParents: by
 * their statements, not their dependency lists). So too where those statements make it the
 * parent of the entry's table, or of one of its ancestors, and the archive has no TABLE entry of it
 * (targetParents: pg_dump -t <partition> --load-via-partition-root writes the partition's CREATE
 * TABLE and its ATTACH to the root it leaves out, a table of the target's): that holds only by the
 * target, checked before anything runs (copiesIntoRootsNotRestored). Nor is an entry where the
 * archive defines neither table (definedTables: pg_dump --data-only --load-via-partition-root writes no CREATE
 * TABLE and no ATTACH): that holds only by the target, checked before anything runs
 * (copiesIntoRootsNotRestored). Any other entry was altered, or written by something else:
 * pg_restore would load its rows into the other table (attacker a87 F3: public.t's rows went into
 * the target's victim.e, and the run said "0 rows").
 */
export function copyTargetMismatch(
  toc: ArchiveToc | readonly TocEntry[]
): CopyTargetMismatch | undefined {
  const entries = entriesOf(toc)
  const ancestors = ancestorsBy(partitionParents(entries))
  const targetParents = targetParentsBy(entries, ancestors)
  const defined = definedTables(entries)
  for (const entry of entries) {
    const copy = copyOf(entry)
    if (!copy) continue
    const { own, copied } = copy
    if (!copied) return { entry, own }
    if (sameTable(copied, own)) continue
    if (ancestors(own).has(tableKey(copied))) continue
    if (targetParents(own).has(tableKey(copied))) continue
    if (!defined.has(tableKey(own)) && !defined.has(tableKey(copied))) continue
    return { entry, own, copied }
  }
  return undefined
}

/**
 * The tables the archive's entries define (JSON [schema, name] keys): each TABLE entry's, and each
 * TABLE ATTACH entry's partition (its namespace and tag). A data entry whose COPY names another
 * table where the archive defines neither (pg_dump --data-only --load-via-partition-root: no
 * CREATE TABLE, no ATTACH PARTITION, a partition's COPY naming its root) says nothing by the
 * archive of how the two relate: it holds only where the target's relation of the COPY's name is
 * a partitioned table with the entry's table among its partitions (copiesIntoRootsNotRestored,
 * the restore's check of the target).
 */
function definedTables(entries: readonly TocEntry[]): Set<string> {
  return new Set(
    entries
      .filter(e => e.desc === 'TABLE' || e.desc === 'TABLE ATTACH')
      .map(e => tableKey(tableOf(e)))
  )
}

/**
 * A data entry whose COPY names its partition root (copyTargetMismatch's exception) that the
 * restore does not itself make that table's partitioned ancestor before the rows load.
 */
export interface CopyIntoRoot {
  entry: TocEntry
  /** The entry's own table: its namespace and tag. */
  own: { schema: string; name: string }
  /** The table its COPY statement names: an ancestor by the archive's statements. */
  root: { schema: string; name: string }
  /** The restore creates the root (its TABLE entry is loaded). */
  createsRoot: boolean
  /** The restore creates the entry's own table (its TABLE entry is loaded). */
  createsOwn: boolean
  /**
   * The archive's statements make the root an ancestor of the entry's table (false: the archive
   * defines neither table, as pg_dump --data-only --load-via-partition-root writes it).
   */
  linked: boolean
  /**
   * The archive's statements make the root the parent of the entry's table (or of one of its
   * ancestors) where the archive has no TABLE entry of the root (targetParents: pg_dump -t
   * <partition> --load-via-partition-root), and the restore runs them: it creates the entry's
   * table and attaches it (up) to the target's root, which must be a partitioned table.
   */
  attaches: boolean
  /**
   * With `attaches`: the tables the restore attaches to the root (the entry's own, or the
   * ancestor of it whose ATTACH names the root).
   */
  attachedTables?: TableName[]
  /**
   * With `attaches`: the loaded entries that attach them (their TABLE ATTACH entries, and their
   * TABLE entries: CREATE TABLE … PARTITION OF before pg_dump 12).
   */
  attachEntries?: number[]
}

/**
 * Of the TABLE DATA entries a restore loads (`loaded`: the dumpIds of the entries it runs, as
 * pg_restore --table / --schema / --data-only select them), those whose COPY names another table
 * that copyTargetMismatch accepts as the entry's partition root by the archive's statements, but
 * that the loaded entries do not make its ancestor: the root's TABLE entry, and a chain of
 * partition links from the entry's table up to it (TABLE ATTACH entries, or before pg_dump 12 a
 * CREATE TABLE … PARTITION OF), all among those the restore runs. pg_restore runs the COPY as it
 * stands whatever the selection (attacker a89 F3: with --tables child, an ATTACH naming auth.users
 * as child's parent, not restored, still vouched for child's COPY into the target's plain
 * auth.users); such an entry holds only where the target's own relation of that name is a
 * partitioned table with the entry's table among its partitions (the restore's check of the
 * target: restore.ts). So too, whatever the restore selects, each loaded entry whose COPY names
 * another table where the archive defines neither (definedTables: pg_dump --data-only
 * --load-via-partition-root; `linked` false). And each loaded entry whose COPY names the parent
 * its archive's links end at, a table the archive has no TABLE entry of (targetParents: pg_dump -t
 * <partition> --load-via-partition-root): `attaches` where the restore runs the entry's TABLE
 * entry and those links (the target's root must then be a partitioned table); otherwise, as above,
 * the entry's table must already be among the target's root's partitions. Entries whose COPY
 * names no table, or another table that is no ancestor where the archive defines either, are
 * copyTargetMismatch's.
 */
export function copiesIntoRootsNotRestored(
  toc: ArchiveToc | readonly TocEntry[],
  loaded: ReadonlySet<number>
): CopyIntoRoot[] {
  const entries = entriesOf(toc)
  const inArchive = ancestorsBy(partitionParents(entries))
  const restored = ancestorsBy(partitionParents(entries, loaded))
  const toTarget = targetParentsBy(entries, inArchive)
  const restoredToTarget = targetParentsBy(entries, restored, loaded)
  const outside = partitionParents(entries, loaded, 'outside')
  const defined = definedTables(entries)
  const created = new Set(
    entries.filter(e => e.desc === 'TABLE' && loaded.has(e.dumpId)).map(e => tableKey(tableOf(e)))
  )
  const out: CopyIntoRoot[] = []
  for (const entry of entries) {
    if (!loaded.has(entry.dumpId)) continue
    const copy = copyOf(entry)
    if (!copy?.copied || sameTable(copy.copied, copy.own)) continue
    const { own, copied: root } = copy
    const viaTarget = toTarget(own).has(tableKey(root))
    const linked = viaTarget || inArchive(own).has(tableKey(root))
    if (!linked && (defined.has(tableKey(own)) || defined.has(tableKey(root)))) continue
    if (created.has(tableKey(root)) && restored(own).has(tableKey(root))) continue
    const attaches =
      viaTarget && created.has(tableKey(own)) && restoredToTarget(own).has(tableKey(root))
    out.push({
      entry,
      own,
      root,
      createsRoot: created.has(tableKey(root)),
      createsOwn: created.has(tableKey(own)),
      linked,
      attaches,
      ...(attaches ? attachedBy(entries, loaded, own, root, restored, outside) : {})
    })
  }
  return out
}

/**
 * The tables a restore attaches to the target's `root` for the entry of `own` (its own, or the
 * ancestor whose link names the root), and the loaded entries that attach them.
 */
function attachedBy(
  entries: readonly TocEntry[],
  loaded: ReadonlySet<number>,
  own: TableName,
  root: TableName,
  restored: (own: TableName) => Set<string>,
  outside: Map<string, Set<string>>
): { attachedTables: TableName[]; attachEntries: number[] } {
  const keys = [tableKey(own), ...restored(own)].filter(t => outside.get(t)?.has(tableKey(root)))
  const attached = new Set(keys)
  return {
    attachedTables: keys.map(t => {
      const [schema, name] = JSON.parse(t) as [string, string]
      return { schema, name }
    }),
    attachEntries: entries
      .filter(
        e =>
          (e.desc === 'TABLE ATTACH' || e.desc === 'TABLE') &&
          loaded.has(e.dumpId) &&
          attached.has(tableKey(tableOf(e)))
      )
      .map(e => e.dumpId)
  }
}

/**
 * The parents that a table's partition links end at where the archive has no TABLE entry of them
 * (JSON [schema, name] keys): the table's own, and its ancestors' by `ancestors`, each link as
 * partitionParents reads it (pg_dump's ATTACH naming the entry's own table as the partition, or a
 * TABLE entry's CREATE TABLE <itself> PARTITION OF <parent>), its partition a table the archive
 * has a TABLE entry of. pg_dump -t <partition> --load-via-partition-root writes such a link to
 * the root it leaves out: a table of the target's, whose relation the restore checks. With
 * `loaded`: only the links, and the TABLE entries of their partitions, among those.
 */
function targetParentsBy(
  entries: readonly TocEntry[],
  ancestors: (own: TableName) => Set<string>,
  loaded?: ReadonlySet<number>
): (own: TableName) => Set<string> {
  const links = partitionParents(entries, loaded, 'outside')
  return own => {
    const found = new Set<string>()
    for (const table of [tableKey(own), ...ancestors(own)])
      for (const p of links.get(table) ?? []) found.add(p)
    return found
  }
}

export type TableName = { schema: string; name: string }
const tableKey = (t: TableName): string => JSON.stringify([t.schema, t.name])
const sameTable = (a: TableName, b: TableName): boolean =>
  a.schema === b.schema && a.name === b.name
const tableOf = (e: TocEntry): TableName => ({ schema: e.namespace ?? '', name: e.tag })

/**
 * A TABLE DATA entry's own table and the table its COPY statement names, unquoted (an
 * unqualified name in the entry's namespace, where pg_restore's search_path puts it; undefined
 * when the statement names none as pg_dump writes a name); undefined for any other entry, or one
 * without a COPY statement.
 */
function copyOf(entry: TocEntry): { own: TableName; copied?: TableName } | undefined {
  if (entry.desc !== 'TABLE DATA' || (entry.copyStmt ?? '') === '') return undefined
  const own = tableOf(entry)
  const m = COPY_HEAD.exec(entry.copyStmt!)
  if (!m) return { own }
  const copied =
    m[2] === undefined
      ? { schema: own.schema, name: unquoteIdent(m[1]) }
      : { schema: unquoteIdent(m[1]), name: unquoteIdent(m[2]) }
  return { own, copied }
}

/** A table's ancestors (JSON [schema, name] keys) by partitionParents' links, memoized. */
function ancestorsBy(parents: Map<string, Set<string>>): (own: TableName) => Set<string> {
  const memo = new Map<string, Set<string>>()
  return own => {
    const start = tableKey(own)
    const known = memo.get(start)
    if (known) return known
    const found = new Set<string>()
    const next = [start]
    while (next.length > 0)
      for (const p of parents.get(next.pop()!) ?? [])
        if (!found.has(p)) {
          found.add(p)
          next.push(p)
        }
    memo.set(start, found)
    return found
  }
}

/**
 * pg_dump's TABLE ATTACH statement (pg_dump.c dumpTableAttach): the parent, then the partition,
 * each as fmtQualifiedDumpable writes it, then its bound.
 */
const PG_DUMP_ATTACH = new RegExp(
  String.raw`^ALTER TABLE ONLY (${PG_DUMP_IDENT})\.(${PG_DUMP_IDENT}) ATTACH PARTITION (${PG_DUMP_IDENT})\.(${PG_DUMP_IDENT}) `
)
/** A partition's CREATE TABLE as pg_dump before its TABLE ATTACH entries writes it. */
const PG_DUMP_PARTITION_OF = new RegExp(
  String.raw`^CREATE (?:UNLOGGED )?TABLE (${PG_DUMP_IDENT})\.(${PG_DUMP_IDENT}) PARTITION OF (${PG_DUMP_IDENT})\.(${PG_DUMP_IDENT})(?=[\s(])`
)

/**
 * Each partition's parents (JSON [schema, name] keys), by what the archive's entries run, not
 * their dependency lists (attacker a88: an ATTACH entry with no statement, or one naming other
 * tables, made any TABLE entry it depended on an "ancestor"): a TABLE ATTACH entry whose
 * statement is pg_dump's `ALTER TABLE ONLY <parent> ATTACH PARTITION <partition> …`, the
 * partition the entry's own table (namespace and tag), or a TABLE entry whose statement is
 * `CREATE TABLE <itself> PARTITION OF <parent>` (pg_dump before its ATTACH entries); the parent a
 * TABLE entry of the archive. Names compared once unquoted. With `loaded`: only the links of the
 * entries among those (what a restore runs). With 'outside': instead the links whose parent is no
 * TABLE entry of the archive (a table of the target's: targetParentsBy), the partition one (among
 * `loaded`, when given).
 */
function partitionParents(
  entries: readonly TocEntry[],
  loaded?: ReadonlySet<number>,
  parentsOf: 'archive' | 'outside' = 'archive'
): Map<string, Set<string>> {
  const key = (schema: string, name: string): string => JSON.stringify([schema, name])
  const tables = new Set(
    entries.filter(e => e.desc === 'TABLE').map(e => key(e.namespace ?? '', e.tag))
  )
  const partitions = new Set(
    entries
      .filter(e => e.desc === 'TABLE' && (!loaded || loaded.has(e.dumpId)))
      .map(e => key(e.namespace ?? '', e.tag))
  )
  const parents = new Map<string, Set<string>>()
  for (const e of entries) {
    if (loaded && !loaded.has(e.dumpId)) continue
    const m =
      e.desc === 'TABLE ATTACH'
        ? PG_DUMP_ATTACH.exec(e.defn ?? '')
        : e.desc === 'TABLE'
          ? PG_DUMP_PARTITION_OF.exec(e.defn ?? '')
          : null
    if (!m) continue
    // ATTACH: parent, then partition; PARTITION OF: partition, then parent
    const [p, c] = e.desc === 'TABLE ATTACH' ? [1, 3] : [3, 1]
    const child = key(unquoteIdent(m[c]), unquoteIdent(m[c + 1]))
    const parent = key(unquoteIdent(m[p]), unquoteIdent(m[p + 1]))
    if (child !== key(e.namespace ?? '', e.tag) || parent === child) continue
    if (
      parentsOf === 'archive' ? !tables.has(parent) : tables.has(parent) || !partitions.has(child)
    )
      continue
    parents.set(child, (parents.get(child) ?? new Set()).add(parent))
  }
  return parents
}

/**
 * An entry of large objects as pg_dump writes it in the data section: BLOBS (their bytes, written
 * by pg_restore's own lo_open/lowrite; no SQL of the entry's) and, from pg_dump 17, BLOB METADATA
 * (the OIDs, one per line, from which pg_restore writes lo_create and the owner: no SQL either).
 * Neither changes how a table's rows read: table data may move past them (trial u23 F3: an
 * archive with large objects loaded in its own order, the log saying the entry was not pg_dump's).
 */
export function isPgDumpLargeObjectEntry(entry: TocEntry): boolean {
  if (entry.section !== 'data') return false
  if (entry.desc === 'BLOBS')
    return entry.hadDumper && (entry.defn ?? '') === '' && (entry.dropStmt ?? '') === ''
  if (entry.desc === 'BLOB METADATA')
    return (
      !entry.hadDumper &&
      /^(?:\d+\n)+$/.test(entry.defn ?? '') &&
      ['', '-- dummy'].includes((entry.dropStmt ?? '').trim()) &&
      (entry.copyStmt ?? '') === ''
    )
  return false
}

/**
 * The columns a pg_dump COPY statement names, in order (`COPY s.t (a, "B") FROM stdin;` gives
 * a, B); undefined for a statement pg_dump does not write that way.
 */
export function copyColumns(copyStmt: string | null): string[] | undefined {
  // the list after the table's name, never a " (" inside a quoted name (attacker a73 F8: a table
  // named "orders (old)" was read as having the columns old, …)
  return parseCopyColumns(copyStmt)?.columns.map(unquoteIdent)
}

/** A foreign key as an archive's FK CONSTRAINT entry adds it. */
export interface ArchiveForeignKey {
  schema: string
  table: string
  name: string
  references: { schema: string; name: string }
}

const PG_DUMP_FK = new RegExp(
  String.raw`^ALTER TABLE (?:ONLY )?(${PG_DUMP_IDENT})\.(${PG_DUMP_IDENT})\s+ADD CONSTRAINT (${PG_DUMP_IDENT}) FOREIGN KEY \([^)]*\) REFERENCES (${PG_DUMP_IDENT})\.(${PG_DUMP_IDENT})\(`
)

/**
 * The foreign key an FK CONSTRAINT entry adds, read from its SQL as pg_dump writes it
 * (`ALTER TABLE ONLY s.t ADD CONSTRAINT c FOREIGN KEY (…) REFERENCES s2.t2(…)`); undefined for
 * another entry or SQL written otherwise.
 */
export function archiveForeignKey(entry: TocEntry): ArchiveForeignKey | undefined {
  if (entry.desc !== 'FK CONSTRAINT' || entry.defn === null) return undefined
  return foreignKeyStatement(entry.defn)
}

/**
 * The foreign key a statement adds as pg_dump writes it (an FK CONSTRAINT entry's SQL, a plain
 * script's `ALTER TABLE ONLY s.t ADD CONSTRAINT c FOREIGN KEY (…) REFERENCES s2.t2(…)`).
 */
export function foreignKeyStatement(sql: string): ArchiveForeignKey | undefined {
  const m = PG_DUMP_FK.exec(sql)
  if (!m) return undefined
  return {
    schema: unquoteIdent(m[1]),
    table: unquoteIdent(m[2]),
    name: unquoteIdent(m[3]),
    references: { schema: unquoteIdent(m[4]), name: unquoteIdent(m[5]) }
  }
}
