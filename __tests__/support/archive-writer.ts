/**
 * Synthetic pg_dump archive headers and TOCs for unit tests of src/postgres/toc.ts: a writer
 * that follows WriteHead / WriteToc / WriteInt / WriteStr / WriteOffset (pg_backup_archiver.c)
 * and the custom and directory formats' _WriteExtraToc, for any archive format version 1.12 to
 * 1.16, with every field settable, including values pg_dump never writes (for the hostile-input
 * tests).
 *
 * These archives check that the reader follows the layout as read from the PostgreSQL sources;
 * they do not replace real archives: what real pg_dump versions write is checked by
 * __tests__/integration/toc.test.ts.
 */

import { parseArchiveToc } from '../../src/postgres/toc.js'

export interface SyntheticEntry {
  dumpId: number
  hadDumper?: number
  /** Written as strings, like pg_dump's "%u"; a string here is written as is. */
  tableoid?: number | string | null
  oid?: number | string | null
  /** Strings are written in the archive's `encoding`; Buffers as they are. */
  tag?: string | Buffer | null
  desc?: string | null
  /** teSection number: 1 none, 2 pre-data, 3 data, 4 post-data. */
  section?: number
  defn?: string | Buffer | null
  dropStmt?: string | null
  copyStmt?: string | null
  namespace?: string | null
  tablespace?: string | null
  tableam?: string | null
  /** An int holding a char code (format 1.16+); 0 for none. */
  relkind?: number
  owner?: string | null
  withOids?: string | null
  dependencies?: (number | string)[]
  /** custom format: K_OFFSET_* flag (1 not set, 2 set, 3 no data) and offset. */
  dataState?: number
  dataOffset?: number | bigint
  /** directory format: file name ("" for none). */
  filename?: string | null
}

export interface SyntheticArchive {
  minor: number
  major?: number
  rev?: number
  intSize?: number
  offSize?: number
  /** 1 custom, 3 tar (directory toc.dat), or anything else. */
  formatCode?: number
  /** 1.15+: algorithm byte; before: the level int. */
  compression?: number
  created?: [number, number, number, number, number, number, number]
  databaseName?: string | null
  serverVersion?: string | null
  pgDumpVersion?: string | null
  entries: SyntheticEntry[]
  /** Overrides the entry count written. */
  count?: number
  /** Bytes after the TOC (a custom archive's data blocks). */
  trailing?: Buffer
  /** Encoding of the strings (default utf8). */
  encoding?: BufferEncoding
}

export class ArchiveWriter {
  private readonly parts: Buffer[] = []
  constructor(
    private readonly intSize = 4,
    private readonly encoding: BufferEncoding = 'utf8'
  ) {}

  byte(value: number): this {
    this.parts.push(Buffer.from([value & 0xff]))
    return this
  }

  raw(bytes: Buffer | string): this {
    this.parts.push(typeof bytes === 'string' ? Buffer.from(bytes, this.encoding) : bytes)
    return this
  }

  /** WriteInt: sign byte, then intSize bytes least significant first. */
  int(value: number): this {
    const out = Buffer.alloc(1 + this.intSize)
    out[0] = value < 0 ? 1 : 0
    let magnitude = BigInt(Math.abs(value))
    for (let i = 1; i <= this.intSize; i++) {
      out[i] = Number(magnitude & 0xffn)
      magnitude >>= 8n
    }
    this.parts.push(out)
    return this
  }

  /** WriteStr: length (-1 for NULL) and the bytes. */
  str(value: string | Buffer | null | undefined): this {
    if (value === null || value === undefined) return this.int(-1)
    const bytes = Buffer.isBuffer(value) ? value : Buffer.from(value, this.encoding)
    return this.int(bytes.length).raw(bytes)
  }

  /** WriteOffset: flag byte, then offSize bytes least significant first. */
  offset(flag: number, value: number | bigint, offSize: number): this {
    this.byte(flag)
    let v = BigInt(value)
    for (let i = 0; i < offSize; i++) {
      this.byte(Number(v & 0xffn))
      v >>= 8n
    }
    return this
  }

  get length(): number {
    return this.parts.reduce((sum, p) => sum + p.length, 0)
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.parts)
  }
}

/** A header and TOC as pg_dump's WriteHead + WriteToc would write them. */
export function writeArchive(archive: SyntheticArchive): Buffer {
  const {
    minor,
    major = 1,
    rev = 0,
    intSize = 4,
    offSize = 8,
    formatCode = 1,
    compression = 0,
    created = [5, 4, 3, 2, 0, 126, 0],
    databaseName = 'shop',
    serverVersion = '15.18',
    pgDumpVersion = '15.18'
  } = archive
  const w = new ArchiveWriter(intSize, archive.encoding)
  w.raw('PGDMP').byte(major).byte(minor).byte(rev).byte(intSize).byte(offSize).byte(formatCode)
  if (minor >= 15) w.byte(compression)
  else w.int(compression)
  for (const field of created) w.int(field)
  w.str(databaseName).str(serverVersion).str(pgDumpVersion)
  w.int(archive.count ?? archive.entries.length)
  for (const e of archive.entries) writeEntry(w, e, { minor, offSize, formatCode })
  if (archive.trailing) w.raw(archive.trailing)
  return w.toBuffer()
}

function writeEntry(
  w: ArchiveWriter,
  e: SyntheticEntry,
  at: { minor: number; offSize: number; formatCode: number }
): void {
  const text = (v: number | string | null | undefined, fallback: string): string | null =>
    v === undefined ? fallback : v === null ? null : String(v)
  w.int(e.dumpId)
  w.int(e.hadDumper ?? 0)
  w.str(text(e.tableoid, '0'))
  w.str(text(e.oid, '0'))
  w.str(e.tag === undefined ? `tag${e.dumpId}` : e.tag)
  w.str(e.desc === undefined ? 'TABLE' : e.desc)
  w.int(e.section ?? 2)
  w.str(e.defn === undefined ? '' : e.defn)
  w.str(e.dropStmt === undefined ? '' : e.dropStmt)
  w.str(e.copyStmt ?? null)
  w.str(e.namespace ?? null)
  w.str(e.tablespace ?? null)
  if (at.minor >= 14) w.str(e.tableam ?? null)
  if (at.minor >= 16) w.int(e.relkind ?? 0)
  w.str(e.owner === undefined ? 'postgres' : e.owner)
  w.str(e.withOids === undefined ? 'false' : e.withOids)
  for (const dep of e.dependencies ?? []) w.str(String(dep))
  w.str(null)
  if (at.formatCode === 1) w.offset(e.dataState ?? 3, e.dataOffset ?? 0, at.offSize)
  else w.str(e.filename ?? '')
}

/**
 * A real archive (custom) or toc.dat (directory) with its TOC rewritten by `patch`: every field
 * kept as read unless the patch changes it, the bytes after the TOC (data blocks) as they are.
 * Without a change it writes the same bytes (tests check that).
 */
export function rewriteArchiveToc(
  archive: Buffer,
  patch: (entries: SyntheticEntry[]) => SyntheticEntry[]
): Buffer {
  const toc = parseArchiveToc(archive)
  const h = toc.header
  const sections = { none: 1, 'pre-data': 2, data: 3, 'post-data': 4 } as const
  const states = { 'not-set': 1, set: 2, 'no-data': 3 } as const
  const entries: SyntheticEntry[] = toc.entries.map(e => ({
    dumpId: e.dumpId,
    hadDumper: e.hadDumper ? 1 : 0,
    tableoid: e.tableoid,
    oid: e.oid,
    tag: e.tag,
    desc: e.desc,
    section: sections[e.section],
    defn: e.defn,
    dropStmt: e.dropStmt,
    copyStmt: e.copyStmt,
    namespace: e.namespace,
    tablespace: e.tablespace,
    tableam: e.tableam,
    relkind: e.relkind ? e.relkind.charCodeAt(0) : 0,
    owner: e.owner,
    withOids: e.withOids ? 'true' : 'false',
    dependencies: e.dependencies,
    ...(e.extra.format === 'custom'
      ? { dataState: states[e.extra.dataState], dataOffset: e.extra.dataOffset }
      : { filename: e.extra.filename ?? '' })
  }))
  const c = h.created
  return writeArchive({
    minor: h.version.minor,
    major: h.version.major,
    rev: h.version.rev,
    intSize: h.intSize,
    offSize: h.offSize,
    formatCode: h.formatCode,
    compression: h.compression.level ?? h.compression.code,
    created: [c.second, c.minute, c.hour, c.day, c.month - 1, c.year - 1900, c.isdst],
    databaseName: h.databaseName,
    serverVersion: h.serverVersion,
    pgDumpVersion: h.pgDumpVersion,
    entries: patch(entries),
    trailing: archive.subarray(toc.end)
  })
}
