/**
 * The TOC reader (src/postgres/toc.ts) on synthetic archives written by
 * support/archive-writer.ts for every archive format version it supports (1.12–1.16), in the
 * custom and directory layouts; hostile input (truncation at every byte, huge declared lengths
 * and counts, impossible values, byte flips); and the streaming form's contract (reads only the
 * TOC, leaves the rest of the stream readable, or destroys it). What real pg_dump versions write
 * is checked against pg_restore in __tests__/integration/toc.test.ts.
 */
import { describe, expect, it } from '@jest/globals'
import { PassThrough, Readable } from 'node:stream'
import {
  isPgDumpLargeObjectEntry,
  ArchiveTocError,
  type ArchiveToc,
  dataEntries,
  entryKinds,
  parseArchiveToc,
  readArchiveToc,
  parseCopyColumns,
  copyColumns
} from '../../src/postgres/toc.js'
import { ArchiveWriter, type SyntheticEntry, writeArchive } from '../support/archive-writer.js'
import { tocEntry } from '../support/toc-entry.js'

const SPECIAL: SyntheticEntry[] = [
  { dumpId: 3514, tag: 'ENCODING', desc: 'ENCODING', defn: "SET client_encoding = 'UTF8';\n" },
  {
    dumpId: 3515,
    tag: 'STDSTRINGS',
    desc: 'STDSTRINGS',
    defn: "SET standard_conforming_strings = 'on';\n"
  },
  {
    dumpId: 3516,
    tag: 'SEARCHPATH',
    desc: 'SEARCHPATH',
    defn: "SELECT pg_catalog.set_config('search_path', '', false);\n"
  }
]

const RICH: SyntheticEntry[] = [
  ...SPECIAL,
  {
    dumpId: 7,
    tableoid: 2615,
    oid: 16387,
    tag: 'Audit Log',
    desc: 'SCHEMA',
    defn: 'CREATE SCHEMA "Audit Log";\n',
    dropStmt: 'DROP SCHEMA "Audit Log";\n'
  },
  {
    dumpId: 215,
    tableoid: 1259,
    oid: 4294967295,
    tag: 'Événements ✓',
    desc: 'TABLE',
    defn: 'CREATE TABLE "Audit Log"."Événements ✓" (id integer);\n',
    dropStmt: 'DROP TABLE "Audit Log"."Événements ✓";\n',
    namespace: 'Audit Log',
    tablespace: '',
    tableam: 'heap',
    relkind: 'r'.charCodeAt(0),
    dependencies: [7, 12, 2147483647]
  },
  {
    dumpId: 3345,
    hadDumper: 1,
    oid: 16390,
    tag: 'Événements ✓',
    desc: 'TABLE DATA',
    section: 3,
    copyStmt: 'COPY "Audit Log"."Événements ✓" (id) FROM stdin;\n',
    namespace: 'Audit Log',
    owner: null,
    dependencies: [215],
    dataState: 2,
    dataOffset: 2 ** 40 + 5,
    filename: '3345.dat'
  },
  {
    dumpId: 3346,
    hadDumper: 1,
    tag: 'BLOBS',
    desc: 'BLOBS',
    section: 3,
    dataState: 1,
    filename: 'blobs_3346.toc'
  },
  {
    dumpId: 3347,
    tag: 'invoice_seq',
    desc: 'SEQUENCE SET',
    section: 3,
    defn: "SELECT pg_catalog.setval('public.invoice_seq', 4242, true);\n",
    namespace: 'public'
  },
  {
    dumpId: 3348,
    tag: 'TABLE "Événements ✓"',
    desc: 'COMMENT',
    section: 1,
    defn: "COMMENT ON TABLE x IS 'it''s\nmulti-line';\n",
    withOids: 'true',
    dependencies: ['215']
  },
  {
    dumpId: 3349,
    tag: 'orders_pkey',
    desc: 'CONSTRAINT',
    section: 4,
    defn: 'ALTER TABLE ONLY public.orders ADD CONSTRAINT orders_pkey PRIMARY KEY (id);\n'
  }
]

/** A custom or directory archive of `minor` holding RICH, with data after the TOC. */
function richArchive(minor: number, formatCode = 1): Buffer {
  return writeArchive({
    minor,
    formatCode,
    compression: minor >= 15 ? 3 : -1,
    entries: RICH,
    trailing: Buffer.from('\x01data blocks after the TOC')
  })
}

function catchError(fn: () => unknown): ArchiveTocError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(ArchiveTocError)
    return error as ArchiveTocError
  }
  throw new Error('expected an ArchiveTocError')
}

const tocLength = (buf: Buffer): number => buf.length - 'data blocks after the TOC'.length - 1

describe('parseArchiveToc on each archive format version', () => {
  it.each([12, 13, 14, 15, 16])('reads format 1.%i, custom layout', minor => {
    const buf = richArchive(minor)
    const toc = parseArchiveToc(buf)
    expect(toc.header).toEqual({
      version: { major: 1, minor, rev: 0 },
      versionText: `1.${minor}-0`,
      intSize: 4,
      offSize: 8,
      format: 'custom',
      formatCode: 1,
      compression:
        minor >= 15 ? { algorithm: 'zstd', code: 3 } : { algorithm: 'gzip', code: 1, level: -1 },
      created: { year: 2026, month: 1, day: 2, hour: 3, minute: 4, second: 5, isdst: 0 },
      databaseName: 'shop',
      serverVersion: '15.18',
      pgDumpVersion: '15.18'
    })
    expect(toc.end).toBe(tocLength(buf))
    expect(toc.entries.map(e => e.dumpId)).toEqual(RICH.map(e => e.dumpId))
    expect(toc.encoding).toBe('UTF8')
    expect(toc.textDecoding).toBe('utf-8')
    expect(toc.standardConformingStrings).toBe(true)
    expect(toc.searchPath).toBe("SELECT pg_catalog.set_config('search_path', '', false);\n")

    const table = toc.entries[4]
    expect(table).toEqual({
      dumpId: 215,
      hadDumper: false,
      tableoid: 1259,
      oid: 4294967295,
      tag: 'Événements ✓',
      desc: 'TABLE',
      section: 'pre-data',
      defn: 'CREATE TABLE "Audit Log"."Événements ✓" (id integer);\n',
      dropStmt: 'DROP TABLE "Audit Log"."Événements ✓";\n',
      copyStmt: null,
      namespace: 'Audit Log',
      tablespace: '',
      // not in the archive before 1.14 / 1.16
      tableam: minor >= 14 ? 'heap' : null,
      relkind: minor >= 16 ? 'r' : null,
      owner: 'postgres',
      withOids: false,
      dependencies: [7, 12, 2147483647],
      extra: { format: 'custom', dataState: 'no-data', dataOffset: 0, flagAt: expect.any(Number) },
      tocOffset: expect.any(Number)
    })
    expect(buf.readInt8(table.tocOffset)).toBe(0) // the sign byte of dumpId 215
    expect(buf.readUInt32LE(table.tocOffset + 1)).toBe(215)

    const data = toc.entries[5]
    expect(data).toMatchObject({
      hadDumper: true,
      section: 'data',
      defn: '',
      owner: null,
      copyStmt: 'COPY "Audit Log"."Événements ✓" (id) FROM stdin;\n',
      extra: { format: 'custom', dataState: 'set', dataOffset: 2 ** 40 + 5 }
    })
    expect(toc.entries[6].extra).toEqual({
      format: 'custom',
      dataState: 'not-set',
      dataOffset: 0,
      flagAt: expect.any(Number)
    })
    // where a restore writes an offset in (load.ts fillDataOffsets): the flag byte, then the
    // offset, least significant byte first
    for (const e of toc.entries) {
      const extra = e.extra as { flagAt: number; dataState: string; dataOffset: number }
      expect(buf[extra.flagAt]).toBe({ 'not-set': 1, set: 2, 'no-data': 3 }[extra.dataState])
      let offset = 0
      for (let i = 7; i >= 0; i--) offset = offset * 256 + buf[extra.flagAt + 1 + i]
      expect(offset).toBe(extra.dataOffset)
    }
    expect(toc.entries[8]).toMatchObject({
      section: 'none',
      withOids: true,
      dependencies: [215],
      defn: "COMMENT ON TABLE x IS 'it''s\nmulti-line';\n"
    })
    expect(toc.entries[9].section).toBe('post-data')
  })

  it.each([12, 14, 16])('reads format 1.%i, directory layout (toc.dat)', minor => {
    const buf = richArchive(minor, 3)
    const toc = parseArchiveToc(buf)
    expect(toc.header.format).toBe('directory')
    expect(toc.header.formatCode).toBe(3)
    expect(toc.entries.map(e => e.extra)).toEqual(
      RICH.map(e => ({ format: 'directory', filename: e.filename ?? null }))
    )
    expect(toc.end).toBe(tocLength(buf))
  })

  it('reads a revision, compression none, other integer and offset sizes', () => {
    const buf = writeArchive({
      minor: 14,
      rev: 7,
      intSize: 8,
      offSize: 4,
      compression: 0,
      entries: [{ dumpId: 1, dataState: 2, dataOffset: 0xfffffff0 }]
    })
    const toc = parseArchiveToc(buf)
    expect(toc.header).toMatchObject({
      version: { major: 1, minor: 14, rev: 7 },
      versionText: '1.14-7',
      intSize: 8,
      offSize: 4,
      compression: { algorithm: 'none', code: 0, level: 0 }
    })
    expect(toc.entries[0].extra).toEqual({
      format: 'custom',
      dataState: 'set',
      dataOffset: 0xfffffff0,
      flagAt: expect.any(Number)
    })
    expect(buf.readUInt32LE((toc.entries[0].extra as { flagAt: number }).flagAt + 1)).toBe(
      0xfffffff0
    )
  })

  it('names compression algorithms of format 1.15+, and codes it does not know', () => {
    const algorithm = (code: number): unknown =>
      parseArchiveToc(writeArchive({ minor: 15, compression: code, entries: [] })).header
        .compression
    expect(algorithm(0)).toEqual({ algorithm: 'none', code: 0 })
    expect(algorithm(1)).toEqual({ algorithm: 'gzip', code: 1 })
    expect(algorithm(2)).toEqual({ algorithm: 'lz4', code: 2 })
    expect(algorithm(9)).toEqual({ algorithm: 'unknown', code: 9 })
  })

  it('keeps NULL strings apart from empty ones', () => {
    const toc = parseArchiveToc(
      writeArchive({
        minor: 14,
        formatCode: 3,
        databaseName: null,
        serverVersion: '',
        entries: [
          {
            dumpId: 1,
            defn: null,
            dropStmt: '',
            namespace: '',
            tablespace: null,
            owner: null,
            filename: ''
          }
        ]
      })
    )
    expect(toc.header.databaseName).toBeNull()
    expect(toc.header.serverVersion).toBe('')
    expect(toc.entries[0]).toMatchObject({
      defn: null,
      dropStmt: '',
      namespace: '',
      tablespace: null,
      owner: null,
      extra: { format: 'directory', filename: null }
    })
    expect(toc.encoding).toBeNull()
    expect(toc.standardConformingStrings).toBeNull()
    expect(toc.searchPath).toBeNull()
  })
})

describe('text decoding follows the ENCODING entry', () => {
  it.each([
    ['LATIN1', 'latin1', 'latin1', 'café naïve'],
    ['SQL_ASCII', 'latin1', 'latin1', 'bytes \u00e9\u00ff as they are'],
    ['WIN1251', 'windows-1251', 'windows-1251', 'Привет'],
    ['LATIN2', 'iso-8859-2', 'iso-8859-2', 'Łódź'],
    ['EUC_JP', 'euc-jp', 'euc-jp', '日本語'],
    ['MULE_INTERNAL', 'latin1', 'latin1', 'x\u00e9']
  ])('%s', (encoding, label, writerEncoding, text) => {
    const bytes = encodeAs(writerEncoding, text)
    const toc = parseArchiveToc(
      writeArchive({
        minor: 14,
        entries: [
          {
            dumpId: 1,
            tag: 'ENCODING',
            desc: 'ENCODING',
            defn: `SET client_encoding = '${encoding}';\n`
          },
          { dumpId: 2, tag: bytes, defn: bytes }
        ]
      })
    )
    expect(toc.encoding).toBe(encoding)
    expect(toc.textDecoding).toBe(label)
    expect(toc.entries[1].tag).toBe(text)
    expect(toc.entries[1].defn).toBe(text)
  })
})

/** `text` in a legacy encoding (TextEncoder only does UTF-8), through a table of all byte values. */
function encodeAs(label: string, text: string): Buffer {
  if (label === 'latin1') return Buffer.from(text, 'latin1')
  const table = new Map<string, number[]>()
  const decoder = new TextDecoder(label)
  for (let b = 0; b < 256; b++) table.set(decoder.decode(Uint8Array.of(b)), [b])
  for (let a = 0xa1; a <= 0xfe && label === 'euc-jp'; a++)
    for (let b = 0xa1; b <= 0xfe; b++) table.set(decoder.decode(Uint8Array.of(a, b)), [a, b])
  const out: number[] = []
  for (const ch of text) {
    const bytes = table.get(ch)
    if (!bytes) throw new Error(`cannot encode ${ch} as ${label}`)
    out.push(...bytes)
  }
  return Buffer.from(out)
}

describe('refuses what pg_dump cannot have written, naming it and the byte', () => {
  const base = { minor: 14, entries: [{ dumpId: 1 }] }

  it('not an archive: a plain dump, an empty input', () => {
    const plain = Buffer.from('--\n-- PostgreSQL database dump\n--\n')
    let error = catchError(() => parseArchiveToc(plain))
    expect(error.problem).toBe('not-an-archive')
    expect(error.offset).toBe(0)
    expect(error.message).toBe(
      'pg_dump archive: the input does not start with "PGDMP" (header field magic, at byte 0)'
    )
    error = catchError(() => parseArchiveToc(Buffer.alloc(0)))
    expect(error.problem).toBe('truncated')
  })

  it.each([
    [1, 11],
    [1, 17],
    [2, 0],
    [0, 9]
  ])('format version %i.%i', (major, minor) => {
    const error = catchError(() => parseArchiveToc(writeArchive({ ...base, major, minor })))
    expect(error.problem).toBe('unsupported-version')
    expect(error.offset).toBe(5)
    expect(error.message).toContain(`archive format ${major}.${minor} is not supported`)
    expect(error.message).toContain('use pg_restore')
  })

  it.each([0, 2, 4, 5, 255])('format code %i', formatCode => {
    const error = catchError(() => parseArchiveToc(writeArchive({ ...base, formatCode })))
    expect(error.problem).toBe('unsupported-format')
    expect(error.offset).toBe(10)
  })

  it.each([0, 33])('integer size %i', intSize => {
    const buf = writeArchive({ ...base, intSize: 4 })
    buf[8] = intSize
    const error = catchError(() => parseArchiveToc(buf))
    expect(error.problem).toBe('invalid')
    expect(error.message).toContain(`integer size ${intSize}`)
    expect(error.offset).toBe(8)
  })

  it('an integer beyond 32 bits', () => {
    const buf = writeArchive({ ...base, intSize: 8, entries: [{ dumpId: 2 ** 33 }] })
    const error = catchError(() => parseArchiveToc(buf))
    expect(error.problem).toBe('invalid')
    expect(error.message).toMatch(
      /^pg_dump archive: integer 8589934592 is out of range \(entry 1 of 1, field dumpId, at byte \d+\)$/
    )
  })

  it.each<[string, Partial<SyntheticEntry> & { count?: number }, string]>([
    ['a negative count', { count: -3 }, 'the entry count -3 is negative'],
    ['dumpId 0', { dumpId: 0 }, 'entry ID 0 is out of range'],
    ['a negative dumpId', { dumpId: -5 }, 'entry ID -5 is out of range'],
    ['section 0', { section: 0 }, 'section 0 is not 1 to 4'],
    ['section 5', { section: 5 }, 'section 5 is not 1 to 4'],
    ['a NULL tag', { tag: null }, 'tag is NULL'],
    ['a NULL desc', { desc: null }, 'desc is NULL'],
    ['a NULL oid', { oid: null }, 'oid is NULL'],
    ['a non-numeric oid', { oid: '12abc' }, 'oid "12abc" is not an OID'],
    ['an oid beyond 32 bits', { tableoid: '4294967296' }, 'tableoid "4294967296" is not an OID'],
    ['a NULL withOids', { withOids: null }, 'withOids is NULL'],
    ['a dependency that is no dumpId', { dependencies: ['x1'] }, 'dependency "x1" is not a dumpId'],
    ['dependency 0', { dependencies: [0] }, 'dependency "0" is not a dumpId'],
    ['data offset flag 0', { dataState: 0 }, 'unexpected data offset flag 0'],
    ['data offset flag 4', { dataState: 4 }, 'unexpected data offset flag 4']
  ])('%s', (_name, change, message) => {
    const { count, ...entry } = change
    const buf = writeArchive({ minor: 14, count, entries: [{ dumpId: 9, ...entry }] })
    const error = catchError(() => parseArchiveToc(buf))
    expect(error.problem).toBe('invalid')
    expect(error.message).toContain(message)
    expect(error.message).toMatch(/at byte \d+\)$/)
    expect(error.offset).toBeGreaterThan(0)
    expect(error.offset).toBeLessThan(buf.length)
  })

  it('an entry ID given twice, wherever the second comes (attacker a23 A1)', () => {
    for (const ids of [
      [9, 9],
      [3, 7, 3],
      [1, 2, 4, 2]
    ]) {
      const buf = writeArchive({ minor: 14, entries: ids.map(dumpId => ({ dumpId })) })
      const error = catchError(() => parseArchiveToc(buf))
      const first = ids.indexOf(ids[ids.length - 1]) + 1
      expect(error.problem).toBe('invalid')
      expect(error.message).toContain(
        `entry ID ${ids[ids.length - 1]} is given twice (entries ${first} and ${ids.length})`
      )
    }
    // every ID its own: read
    expect(
      parseArchiveToc(writeArchive({ minor: 14, entries: [{ dumpId: 2 }, { dumpId: 1 }] })).entries
    ).toHaveLength(2)
  })

  it('relkind beyond a char (1.16)', () => {
    const buf = writeArchive({ minor: 16, entries: [{ dumpId: 1, relkind: 300 }] })
    expect(catchError(() => parseArchiveToc(buf)).message).toContain('relkind 300 is not a char')
  })

  it('a data offset beyond 8 bytes, or beyond 2^53', () => {
    let buf = writeArchive({
      minor: 14,
      offSize: 9,
      entries: [{ dumpId: 1, dataOffset: 2n ** 64n }]
    })
    expect(catchError(() => parseArchiveToc(buf)).message).toContain('the data offset is too large')
    buf = writeArchive({ minor: 14, entries: [{ dumpId: 1, dataOffset: 2n ** 60n }] })
    expect(catchError(() => parseArchiveToc(buf)).message).toContain('is too large')
  })

  it('ENCODING and STDSTRINGS entries pg_restore would refuse', () => {
    let buf = writeArchive({
      minor: 14,
      entries: [
        { dumpId: 1, tag: 'ENCODING', desc: 'ENCODING', defn: 'SET client_encoding = UTF8;' }
      ]
    })
    expect(catchError(() => parseArchiveToc(buf)).message).toContain('invalid ENCODING item')
    buf = writeArchive({
      minor: 14,
      entries: [
        {
          dumpId: 1,
          tag: 'x',
          desc: 'STDSTRINGS',
          defn: "SET standard_conforming_strings = 'maybe';"
        }
      ]
    })
    expect(catchError(() => parseArchiveToc(buf)).message).toContain('invalid STDSTRINGS item')
    buf = writeArchive({
      minor: 14,
      entries: [
        {
          dumpId: 1,
          tag: 'x',
          desc: 'STDSTRINGS',
          defn: "SET standard_conforming_strings = 'off';"
        }
      ]
    })
    expect(parseArchiveToc(buf).standardConformingStrings).toBe(false)
  })
})

describe('limits: declared sizes are never allocated', () => {
  /** An archive whose one entry's defn claims `length` bytes and has only a few. */
  function claiming(length: number): Buffer {
    const w = new ArchiveWriter()
    const head = writeArchive({ minor: 14, count: 1, entries: [] })
    w.raw(head).int(1).int(0).str('0').str('0').str('t').str('TABLE').int(2)
    w.int(length).raw('CREATE TABLE t ();')
    return w.toBuffer()
  }

  it('a string longer than maxStringBytes is refused before it is read', () => {
    const buf = claiming(0x7fffffff)
    const error = catchError(() => parseArchiveToc(buf))
    expect(error.problem).toBe('limit')
    expect(error.offset).toBe(buf.length - 'CREATE TABLE t ();'.length - 5)
    expect(error.message).toBe(
      `pg_dump archive: a string of 2147483647 bytes exceeds the limit of 268435456 (maxStringBytes) (entry 1 of 1 (dumpId 1), field defn, at byte ${error.offset})`
    )
    expect(catchError(() => parseArchiveToc(claiming(100), { maxStringBytes: 99 })).problem).toBe(
      'limit'
    )
  })

  it('a string within the limit but past the input is truncation, not an allocation', () => {
    const before = process.memoryUsage().arrayBuffers
    const error = catchError(() => parseArchiveToc(claiming(200 * 1024 * 1024)))
    expect(error.problem).toBe('truncated')
    expect(error.message).toContain('209715200 bytes needed, 18 left')
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 1024 * 1024)
  })

  it('the entry count, dependencies and total size have bounds', () => {
    let buf = writeArchive({ minor: 14, count: 2147483647, entries: [] })
    let error = catchError(() => parseArchiveToc(buf))
    expect(error.problem).toBe('limit')
    expect(error.message).toContain('2147483647 entries exceed the limit of 10000000 (maxEntries)')
    buf = writeArchive({ minor: 14, entries: [{ dumpId: 1 }, { dumpId: 2 }] })
    expect(catchError(() => parseArchiveToc(buf, { maxEntries: 1 })).problem).toBe('limit')
    expect(parseArchiveToc(buf, { maxEntries: 2 }).entries).toHaveLength(2)

    buf = writeArchive({ minor: 14, entries: [{ dumpId: 1, dependencies: [1, 2, 3] }] })
    error = catchError(() => parseArchiveToc(buf, { maxDependencies: 2 }))
    expect(error.message).toContain('more than 2 dependencies (maxDependencies)')

    error = catchError(() => parseArchiveToc(buf, { maxTocBytes: buf.length - 1 }))
    expect(error.problem).toBe('limit')
    expect(error.message).toContain(`would exceed ${buf.length - 1} bytes (maxTocBytes)`)
    expect(parseArchiveToc(buf, { maxTocBytes: buf.length }).end).toBe(buf.length)
  })
})

describe('hostile input never escapes as anything but ArchiveTocError', () => {
  const archives = [12, 14, 15, 16].flatMap(minor => [richArchive(minor), richArchive(minor, 3)])

  it('truncated at every byte of the header and TOC', () => {
    for (const buf of archives) {
      const end = tocLength(buf)
      for (let cut = 0; cut < end; cut++) {
        const error = catchError(() => parseArchiveToc(buf.subarray(0, cut)))
        expect(error.problem).toBe('truncated')
        expect(error.offset).toBeLessThanOrEqual(cut)
      }
      expect(parseArchiveToc(buf.subarray(0, end)).end).toBe(end)
    }
  })

  it('random byte flips', () => {
    let seed = 12345
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff
      return seed % n
    }
    let refused = 0
    for (let round = 0; round < 4000; round++) {
      const buf = Buffer.from(archives[round % archives.length])
      for (let flips = 1 + random(3); flips > 0; flips--) buf[random(buf.length)] ^= 1 << random(8)
      try {
        parseArchiveToc(buf, { maxStringBytes: 1 << 20 })
      } catch (error) {
        if (!(error instanceof ArchiveTocError)) throw error
        refused++
      }
    }
    expect(refused).toBeGreaterThan(100)
  })
})

describe('readArchiveToc: reading the TOC from a stream', () => {
  const archive = richArchive(14)
  const end = tocLength(archive)

  function chunked(buf: Buffer, size: number): Readable {
    const chunks: Buffer[] = []
    for (let i = 0; i < buf.length; i += size) chunks.push(buf.subarray(i, i + size))
    return Readable.from(chunks, { objectMode: false })
  }

  async function drain(readable: Readable): Promise<Buffer> {
    const chunks: Buffer[] = []
    for await (const chunk of readable) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks)
  }

  it.each([1, 2, 3, 7, 64, 4096, 1 << 20])(
    'in chunks of %i bytes: the same TOC, its bytes, and the rest left in the stream',
    async size => {
      const stream = chunked(archive, size)
      const { toc, bytes } = await readArchiveToc(stream)
      expect(toc).toEqual(parseArchiveToc(archive))
      expect(bytes.equals(archive.subarray(0, end))).toBe(true)
      expect(stream.destroyed).toBe(false)
      const rest = await drain(stream)
      expect(rest.toString('latin1')).toBe('\x01data blocks after the TOC')
    }
  )

  it('can be piped on after the TOC', async () => {
    const stream = chunked(archive, 100)
    const { bytes } = await readArchiveToc(stream)
    const sink = new PassThrough()
    sink.write(bytes)
    stream.pipe(sink)
    expect((await drain(sink)).equals(archive)).toBe(true)
  })

  it('destroys the stream when asked, after the TOC or a failure', async () => {
    let stream = chunked(archive, 10)
    await readArchiveToc(stream, { destroy: true })
    expect(stream.destroyed).toBe(true)
    stream = chunked(Buffer.from('not an archive'), 10)
    await expect(readArchiveToc(stream, { destroy: true })).rejects.toMatchObject({
      problem: 'not-an-archive'
    })
    expect(stream.destroyed).toBe(true)
  })

  it('a stream that ends inside the TOC is truncated, at every cut', async () => {
    for (let cut = 0; cut < end; cut += 1 + (cut % 5)) {
      const error = await readArchiveToc(chunked(archive.subarray(0, cut), 7)).catch(e => e)
      expect(error).toBeInstanceOf(ArchiveTocError)
      expect((error as ArchiveTocError).problem).toBe('truncated')
    }
  })

  it('an empty or already ended stream is truncated', async () => {
    const empty = Readable.from([])
    await expect(readArchiveToc(empty)).rejects.toMatchObject({ problem: 'truncated', offset: 0 })
    await expect(readArchiveToc(empty)).rejects.toMatchObject({ problem: 'truncated' })
  })

  it('a failing stream rejects with its own error', async () => {
    const stream = new PassThrough()
    stream.write(archive.subarray(0, 50))
    setImmediate(() => stream.destroy(new Error('decompression failed')))
    await expect(readArchiveToc(stream)).rejects.toThrow('decompression failed')
  })

  it('refuses a stream of strings', async () => {
    const stream = new PassThrough()
    stream.setEncoding('utf8')
    stream.end(archive)
    await expect(readArchiveToc(stream)).rejects.toThrow(TypeError)
  })

  it('holds only what arrived when a string claims more', async () => {
    const w = new ArchiveWriter()
    w.raw(writeArchive({ minor: 14, count: 1, entries: [] }))
    w.int(1)
      .int(0)
      .str('0')
      .str('0')
      .str('t')
      .str('TABLE')
      .int(2)
      .int(200 * 1024 * 1024)
    const stream = new PassThrough()
    const before = process.memoryUsage().arrayBuffers
    const reading = readArchiveToc(stream)
    stream.write(w.toBuffer())
    for (let i = 0; i < 16; i++) stream.write(Buffer.alloc(64 * 1024, 0x41))
    stream.end()
    const error = (await reading.catch(e => e)) as ArchiveTocError
    expect(error.problem).toBe('truncated')
    expect(error.message).toContain('209715200 bytes needed, 1048576 left')
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(32 * 1024 * 1024)
  })
})

describe('helpers', () => {
  const toc: ArchiveToc = parseArchiveToc(richArchive(16))

  it('dataEntries sorts out the data section', () => {
    const data = dataEntries(toc)
    expect(data.tables.map(e => [e.namespace, e.tag])).toEqual([['Audit Log', 'Événements ✓']])
    expect(data.largeObjects.map(e => e.dumpId)).toEqual([3346])
    expect(data.sequences.map(e => e.tag)).toEqual(['invoice_seq'])
    expect(data.materializedViews).toEqual([])
    expect(dataEntries(toc.entries)).toEqual(data)
  })

  it('entryKinds counts the kinds in order of appearance', () => {
    expect([...entryKinds(toc)]).toEqual([
      ['ENCODING', 1],
      ['STDSTRINGS', 1],
      ['SEARCHPATH', 1],
      ['SCHEMA', 1],
      ['TABLE', 1],
      ['TABLE DATA', 1],
      ['BLOBS', 1],
      ['SEQUENCE SET', 1],
      ['COMMENT', 1],
      ['CONSTRAINT', 1]
    ])
  })
})

describe('parseCopyColumns', () => {
  it("reads a TABLE DATA entry's table and columns as pg_dump's fmtId wrote them", () => {
    expect(parseCopyColumns('COPY auth.users (id, "Email", "a, b", phone) FROM stdin;\n')).toEqual({
      table: 'auth.users',
      columns: ['id', '"Email"', '"a, b"', 'phone']
    })
    expect(parseCopyColumns('COPY "my.s"."T(x)" ("(", id) FROM stdin;\n')).toEqual({
      table: '"my.s"."T(x)"',
      columns: ['"("', 'id']
    })
    expect(parseCopyColumns('COPY public.t FROM stdin;\n')).toEqual({
      table: 'public.t',
      columns: []
    })
    expect(parseCopyColumns('COPY public.t (a) FROM stdin; SELECT 1;\n')).toBeUndefined()
    expect(parseCopyColumns(null)).toBeUndefined()
  })
})

describe('copyColumns', () => {
  it('reads the list after the table, not a " (" inside its quoted name (attacker a73 F8)', () => {
    expect(copyColumns('COPY public."we""ird (t).x" (id, v) FROM stdin;\n')).toEqual(['id', 'v'])
    expect(copyColumns('COPY public."orders (old)" FROM stdin;\n')).toEqual([])
    expect(copyColumns('COPY s."T" ("A b", c) FROM stdin;\n')).toEqual(['A b', 'c'])
    expect(copyColumns('COPY s.t (a) FROM stdin; SELECT 1;\n')).toBeUndefined()
  })
})

describe('isPgDumpLargeObjectEntry', () => {
  const data = { section: 'data' as const }
  it("pg_dump's BLOBS and (17+) BLOB METADATA entries, as pg_dump 15, 17 and 18 write them", () => {
    expect(
      isPgDumpLargeObjectEntry(tocEntry('BLOBS', null, '16416', { ...data, hadDumper: true }))
    ).toBe(true)
    expect(
      isPgDumpLargeObjectEntry(
        tocEntry('BLOB METADATA', null, '16416', {
          ...data,
          defn: '16416\n16417\n',
          dropStmt: '-- dummy'
        })
      )
    ).toBe(true)
  })
  it('not one with SQL of its own, elsewhere than the data section, or of another kind', () => {
    for (const entry of [
      tocEntry('BLOBS', null, '1', { ...data, hadDumper: true, defn: 'DELETE FROM t;' }),
      tocEntry('BLOB METADATA', null, '1', {
        ...data,
        defn: "SELECT pg_catalog.lo_create('1');\n"
      }),
      tocEntry('BLOB METADATA', null, '1', { ...data, defn: '1\n', dropStmt: 'DROP TABLE t;' }),
      tocEntry('BLOB METADATA', null, '1', { defn: '1\n', dropStmt: '-- dummy' }),
      tocEntry('BLOB', null, '1', { ...data, defn: "SELECT pg_catalog.lo_create('1');\n" }),
      tocEntry('TABLE DATA', 'public', 't')
    ])
      expect(isPgDumpLargeObjectEntry(entry)).toBe(false)
  })
})
