import { describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { discard } from '../../src/pipeline/decode.js'
import {
  dataTablesInList,
  majorOfVersion,
  parseArchiveHeader,
  pgRestoreMajorForFormat,
  readArchiveHeader
} from '../../src/postgres/archive.js'
import {
  CopyScanner,
  parseCopyStatement,
  parsePlainDumpVersions
} from '../../src/postgres/plain-sql.js'
import { buildPgDumpArgs, explainDumpFailure } from '../../src/postgres/dump.js'
import { InputError, describeForInputs } from '../../src/inputs.js'

describe('parseCopyStatement', () => {
  it.each([
    ['COPY public.users (id, name) FROM stdin;', { schema: 'public', name: 'users' }],
    ['COPY "Audit Log".events (id) FROM stdin;', { schema: 'Audit Log', name: 'events' }],
    ['COPY public."Order""Items" (id) FROM stdin;', { schema: 'public', name: 'Order"Items' }],
    ['COPY sales."MixedCase" FROM stdin;', { schema: 'sales', name: 'MixedCase' }]
  ])('%s', (line, expected) => {
    expect(parseCopyStatement(line)).toEqual(expected)
  })
})

describe('CopyScanner', () => {
  it('finds COPY lines split across chunks of any size', async () => {
    const dump =
      '--\n-- PostgreSQL database dump\n--\nSET x = 1;\n' +
      'COPY public.a (id) FROM stdin;\n1\n2\n\\.\n\n' +
      'COPY "Audit Log"."Big Table" (id, t) FROM stdin;\n' +
      '1\tCOPY not a statement\n\\.\n\nCOPY public.b (id) FROM stdin;\n\\.\n'
    for (const size of [1, 2, 3, 5, 7, 64, 4096]) {
      const chunks: Buffer[] = []
      const bytes = Buffer.from(dump)
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size))
      const scanner = new CopyScanner()
      await pipeline(Readable.from(chunks), scanner, discard())
      expect(scanner.tables).toEqual([
        { schema: 'public', name: 'a' },
        { schema: 'Audit Log', name: 'Big Table' },
        { schema: 'public', name: 'b' }
      ])
    }
  })

  it('finds the tables of pg_dump --inserts and --column-inserts, each once (trial u22 F2)', async () => {
    const dump =
      "SET x = 1;\nINSERT INTO public.a VALUES (1, 'INSERT INTO public.z VALUES (9)');\n" +
      "INSERT INTO public.a VALUES (2, 'x');\n" +
      'INSERT INTO "Audit Log"."Big Table" (id, t) VALUES (1, \'a\'), (2, \'b\');\n' +
      "-- INSERT INTO public.c VALUES (1);\nSELECT 'INSERT INTO public.d VALUES (1)';\n" +
      'INSERT INTO public.b VALUES (1);\n' +
      'INSERT INTO public."a\nb" VALUES (1);\nCOPY public."c\nd" (id) FROM stdin;\n1\n\\.\n'
    for (const size of [1, 3, 64, 4096]) {
      const chunks: Buffer[] = []
      const bytes = Buffer.from(dump)
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size))
      const scanner = new CopyScanner()
      await pipeline(Readable.from(chunks), scanner, discard())
      expect(scanner.tables).toEqual([
        { schema: 'public', name: 'a' },
        { schema: 'Audit Log', name: 'Big Table' },
        { schema: 'public', name: 'b' },
        // a quoted name with a line break (attacker a35 A4: read as public.a)
        { schema: 'public', name: 'a\nb' },
        { schema: 'public', name: 'c\nd' }
      ])
    }
  })
})

describe('dataTablesInList', () => {
  it('matches unquoted names with spaces against the known tables', () => {
    const lines = [
      ';',
      '; Archive created at 2026-11-23 22:00:00 UTC',
      '215; 1259 16390 TABLE public users postgres',
      '3345; 0 16390 TABLE DATA public users postgres',
      '3346; 0 16400 TABLE DATA Audit Log events log postgres',
      '3347; 0 16410 TABLE DATA Audit Log events postgres',
      '3348; 0 16420 SEQUENCE SET public users_id_seq postgres'
    ]
    const known = [
      { schema: 'public', name: 'users' },
      { schema: 'Audit Log', name: 'events' },
      { schema: 'Audit Log', name: 'events log' }
    ]
    expect(dataTablesInList(lines, known)).toEqual([
      { schema: 'public', name: 'users' },
      { schema: 'Audit Log', name: 'events log' },
      { schema: 'Audit Log', name: 'events' }
    ])
  })
})

describe('dataTablesInList by OID', () => {
  const known = [
    { schema: 'public', name: 'a\nb', oid: 16390 },
    { schema: 'public', name: 'a b', oid: 16400 },
    { schema: 'public', name: 'evil\n::error::x', oid: 16410 },
    { schema: 'public', name: 'c\rd', oid: 16420 }
  ]

  it('matches each TABLE DATA line by its OID, not by the name pg_restore printed (a line break as a space)', () => {
    const lines = [
      ';',
      '3345; 0 16400 TABLE DATA public a b postgres',
      '3346; 0 16390 TABLE DATA public a b postgres',
      '3347; 0 16410 TABLE DATA public evil ::error::x postgres',
      '3348; 0 16420 TABLE DATA public c d postgres'
    ]
    expect(dataTablesInList(lines, known)).toEqual([
      { schema: 'public', name: 'a b' },
      { schema: 'public', name: 'a\nb' },
      { schema: 'public', name: 'evil\n::error::x' },
      { schema: 'public', name: 'c\rd' }
    ])
  })

  it('gives a TABLE DATA entry that matches no known table to its caller (a table created since the catalog read); a foreign table is left out', () => {
    const foreign = [
      '215; 1259 16500 FOREIGN TABLE public remote postgres',
      '3349; 0 16500 TABLE DATA public remote postgres'
    ]
    const missed: string[][] = []
    expect(dataTablesInList(foreign, known, m => missed.push(m))).toEqual([])
    expect(missed).toEqual([])
    expect(
      dataTablesInList(['3350; 0 16600 TABLE DATA public x y postgres'], known, m => missed.push(m))
    ).toEqual([])
    expect(missed).toEqual([['public x y postgres (OID 16600)']])
  })
})

describe('buildPgDumpArgs', () => {
  const none = {
    tables: [],
    excludeTables: [],
    excludeTableData: [],
    schemas: [],
    excludeSchemas: []
  }

  it('writes uncompressed custom archives for the pipeline to compress', () => {
    expect(
      buildPgDumpArgs({ format: 'custom', filters: none, extraArgs: [], snapshotId: 'S-1' })
    ).toEqual(['--no-password', '--format=custom', '--compress=0', '--snapshot=S-1'])
  })

  it('passes filters as separate arguments, strict about names', () => {
    const args = buildPgDumpArgs({
      format: 'plain',
      filters: { ...none, tables: ['public."My Table"'], excludeTableData: ['logs'] },
      extraArgs: ['--no-owner']
    })
    expect(args).toEqual([
      '--no-password',
      '--format=plain',
      '--table=public."My Table"',
      '--exclude-table-data=logs',
      '--strict-names',
      '--no-owner'
    ])
  })

  it('dumps directories in parallel', () => {
    expect(
      buildPgDumpArgs({
        format: 'directory',
        filters: none,
        extraArgs: [],
        directory: '/t/d',
        jobs: 2
      })
    ).toEqual(['--no-password', '--format=directory', '--compress=0', '--file=/t/d', '--jobs=2'])
  })
})

describe('explainDumpFailure', () => {
  it('names the tables input when a pattern matches nothing', () => {
    const error = describeForInputs(
      explainDumpFailure(
        1,
        null,
        'pg_dump: error: no matching tables were found for pattern "nope"\n'
      )
    )
    expect(error).toBeInstanceOf(InputError)
    expect(error.message).toMatch(/^Input 'tables': the pattern 'nope' matches no table/)
  })

  it('permission denied: names the table as the failed query does (quoted), and the inputs that leave it out', () => {
    const message = explainDumpFailure(
      1,
      null,
      'pg_dump: error: query failed: ERROR:  permission denied for table Secrets\npg_dump: detail: Query was: LOCK TABLE "Vault"."Secrets" IN ACCESS SHARE MODE\n'
    ).message
    expect(message).toContain(
      `Leave it out with 'exclude-tables: "Vault"."Secrets"' (or its whole schema with 'exclude-schemas: "Vault"'), or let the role read it: GRANT SELECT ON "Vault"."Secrets" TO <role>`
    )
    // without the query: the bare name
    expect(
      explainDumpFailure(1, null, 'ERROR:  permission denied for sequence s\n').message
    ).toContain(
      "may not read sequence s, which the backup includes. Leave it out with 'exclude-tables: s', or"
    )
    // the error's bare name, written as SQL and pg_dump's patterns need it: capitals, keywords
    expect(
      explainDumpFailure(1, null, 'ERROR:  permission denied for table Orders\n').message
    ).toContain(`'exclude-tables: "Orders"', or let the role read it: GRANT SELECT ON "Orders" TO`)
    expect(
      explainDumpFailure(1, null, 'ERROR:  permission denied for schema user\n').message
    ).toContain(
      `Leave it out with 'exclude-schemas: "user"' (or back up only the schemas you need with 'schemas'), or let the role use it: GRANT USAGE ON SCHEMA "user" TO <role>`
    )
  })

  it("permission denied on a name with spaces or quotes: the whole name, as the server printed it (a fix helper's leftover)", () => {
    const spaced = explainDumpFailure(
      1,
      null,
      'pg_dump: error: query failed: ERROR:  permission denied for table my table\npg_dump: detail: Query was: LOCK TABLE public."my table" IN ACCESS SHARE MODE\n'
    ).message
    expect(spaced).toContain(
      `may not read table public."my table", which the backup includes. Leave it out with 'exclude-tables: public."my table"'`
    )
    expect(
      explainDumpFailure(1, null, 'ERROR:  permission denied for schema my schema\n').message
    ).toContain(`'exclude-schemas: "my schema"'`)
    const quoted = explainDumpFailure(
      1,
      null,
      'pg_dump: error: query failed: ERROR:  permission denied for table we"ird\npg_dump: detail: Query was: LOCK TABLE public."we""ird" IN ACCESS SHARE MODE\n'
    ).message
    expect(quoted).toContain(`GRANT SELECT ON public."we""ird" TO <role>`)
  })

  it('says when pg_dump was killed', () => {
    expect(explainDumpFailure(null, 'SIGKILL', '').message).toBe('pg_dump was killed by SIGKILL')
  })
})

/**
 * A real custom-format archive: `pg_dump -Fc` 15.18 (Debian) of database "tiny db" on a
 * PostgreSQL 13.23 server (table t with two rows), 1964 bytes.
 */
const PG_DUMP_15_ARCHIVE = Buffer.from(
  [
    'UEdETVABDgAECAEBAQAAAAArAAAAACUAAAAAFgAAAAAXAAAAAAoAAAAAfgAAAAAAAAAAAAcAAAB0aW55IGRiAAUAAAAxMy4y',
    'MwAeAAAAMTUuMTggKERlYmlhbiAxNS4xOC0wK2RlYjEydTEpAAkAAAAAbQsAAAAAAAAAAAEAAAAwAAEAAAAwAAgAAABFTkNP',
    'RElORwAIAAAARU5DT0RJTkcAAgAAAAAeAAAAU0VUIGNsaWVudF9lbmNvZGluZyA9ICdVVEY4JzsKAQEAAAABAQAAAAEBAAAA',
    'AQEAAAABAQAAAAEBAAAAAAUAAABmYWxzZQEBAAAAAwAAAAAAAAAAAG4LAAAAAAAAAAABAAAAMAABAAAAMAAKAAAAU1REU1RS',
    'SU5HUwAKAAAAU1REU1RSSU5HUwACAAAAACgAAABTRVQgc3RhbmRhcmRfY29uZm9ybWluZ19zdHJpbmdzID0gJ29uJzsKAQEA',
    'AAABAQAAAAEBAAAAAQEAAAABAQAAAAEBAAAAAAUAAABmYWxzZQEBAAAAAwAAAAAAAAAAAG8LAAAAAAAAAAABAAAAMAABAAAA',
    'MAAKAAAAU0VBUkNIUEFUSAAKAAAAU0VBUkNIUEFUSAACAAAAADgAAABTRUxFQ1QgcGdfY2F0YWxvZy5zZXRfY29uZmlnKCdz',
    'ZWFyY2hfcGF0aCcsICcnLCBmYWxzZSk7CgEBAAAAAQEAAAABAQAAAAEBAAAAAQEAAAABAQAAAAAFAAAAZmFsc2UBAQAAAAMA',
    'AAAAAAAAAABwCwAAAAAAAAAABAAAADEyNjIABQAAADE2Mzg1AAcAAAB0aW55IGRiAAgAAABEQVRBQkFTRQACAAAAAHEAAABD',
    'UkVBVEUgREFUQUJBU0UgInRpbnkgZGIiIFdJVEggVEVNUExBVEUgPSB0ZW1wbGF0ZTAgRU5DT0RJTkcgPSAnVVRGOCcgTE9D',
    'QUxFX1BST1ZJREVSID0gbGliYyBMT0NBTEUgPSAnQy5VVEYtOCc7CgAZAAAARFJPUCBEQVRBQkFTRSAidGlueSBkYiI7CgEB',
    'AAAAAQEAAAABAQAAAAEBAAAAAAgAAABwb3N0Z3JlcwAFAAAAZmFsc2UBAQAAAAMAAAAAAAAAAAAEAAAAAAAAAAAABAAAADI2',
    'MTUABAAAADIyMDAABgAAAHB1YmxpYwAGAAAAU0NIRU1BAAIAAAAAMgAAAC0tICpub3QqIGNyZWF0aW5nIHNjaGVtYSwgc2lu',
    'Y2UgaW5pdGRiIGNyZWF0ZXMgaXQKADIAAAAtLSAqbm90KiBkcm9wcGluZyBzY2hlbWEsIHNpbmNlIGluaXRkYiBjcmVhdGVz',
    'IGl0CgEBAAAAAQEAAAABAQAAAAEBAAAAAAgAAABwb3N0Z3JlcwAFAAAAZmFsc2UBAQAAAAMAAAAAAAAAAABxCwAAAAAAAAAA',
    'AQAAADAAAQAAADAADQAAAFNDSEVNQSBwdWJsaWMAAwAAAEFDTAABAAAAAFEAAABSRVZPS0UgVVNBR0UgT04gU0NIRU1BIHB1',
    'YmxpYyBGUk9NIFBVQkxJQzsKR1JBTlQgQUxMIE9OIFNDSEVNQSBwdWJsaWMgVE8gUFVCTElDOwoBAQAAAAEBAAAAAQEAAAAB',
    'AQAAAAEBAAAAAAgAAABwb3N0Z3JlcwAFAAAAZmFsc2UAAQAAADQBAQAAAAMAAAAAAAAAAADIAAAAAAAAAAAABAAAADEyNTkA',
    'BQAAADE2Mzg2AAEAAAB0AAUAAABUQUJMRQACAAAAAD8AAABDUkVBVEUgVEFCTEUgcHVibGljLnQgKAogICAgaWQgaW50ZWdl',
    'ciBOT1QgTlVMTCwKICAgIHYgdGV4dAopOwoAFQAAAERST1AgVEFCTEUgcHVibGljLnQ7CgEBAAAAAAYAAABwdWJsaWMAAAAA',
    'AAAEAAAAaGVhcAAIAAAAcG9zdGdyZXMABQAAAGZhbHNlAAEAAAA0AQEAAAADAAAAAAAAAAAAagsAAAABAAAAAAEAAAAwAAUA',
    'AAAxNjM4NgABAAAAdAAKAAAAVEFCTEUgREFUQQADAAAAAQEAAAABAQAAAAAiAAAAQ09QWSBwdWJsaWMudCAoaWQsIHYpIEZS',
    'T00gc3RkaW47CgAGAAAAcHVibGljAQEAAAABAQAAAAAIAAAAcG9zdGdyZXMABQAAAGZhbHNlAAMAAAAyMDABAQAAAAEAAAAA',
    'AAAAAADnCgAAAAAAAAAABAAAADI2MDYABQAAADE2MzkzAAgAAAB0IHRfcGtleQAKAAAAQ09OU1RSQUlOVAAEAAAAAEYAAABB',
    'TFRFUiBUQUJMRSBPTkxZIHB1YmxpYy50CiAgICBBREQgQ09OU1RSQUlOVCB0X3BrZXkgUFJJTUFSWSBLRVkgKGlkKTsKADIA',
    'AABBTFRFUiBUQUJMRSBPTkxZIHB1YmxpYy50IERST1AgQ09OU1RSQUlOVCB0X3BrZXk7CgEBAAAAAAYAAABwdWJsaWMAAAAA',
    'AAEBAAAAAAgAAABwb3N0Z3JlcwAFAAAAZmFsc2UAAwAAADIwMAEBAAAAAwAAAAAAAAAAAQBqCwAAABkAAAB4nDPkzM9L5TLi',
    'LCnP54rR4+LiAgAmUQPOAAAAAAA='
  ].join(''),
  'base64'
)

describe('archive headers', () => {
  it('reads which server and which pg_dump wrote a real archive', () => {
    expect(PG_DUMP_15_ARCHIVE.length).toBe(1964)
    expect(parseArchiveHeader(PG_DUMP_15_ARCHIVE)).toEqual({
      formatVersion: '1.14.0',
      format: 'custom',
      intSize: 4,
      offSize: 8,
      compression: 'gzip',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/),
      database: 'tiny db',
      serverVersion: '13.23',
      serverMajor: 13,
      pgDumpVersion: '15.18 (Debian 15.18-0+deb12u1)',
      pgDumpMajor: 15
    })
  })

  it('reads a file, and a directory archive through its toc.dat', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'archive-header-'))
    try {
      writeFileSync(path.join(dir, 'a.dump'), PG_DUMP_15_ARCHIVE)
      mkdirSync(path.join(dir, 'd'))
      writeFileSync(path.join(dir, 'd/toc.dat'), PG_DUMP_15_ARCHIVE)
      expect((await readArchiveHeader(path.join(dir, 'a.dump'))).pgDumpMajor).toBe(15)
      expect((await readArchiveHeader(path.join(dir, 'd'))).serverMajor).toBe(13)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('reads the compression byte of format 1.15 (pg_dump 16+) headers', () => {
    const int = (n: number): number[] => [n < 0 ? 1 : 0, Math.abs(n) & 0xff, 0, 0, 0]
    const str = (s: string): number[] => [...int(Buffer.byteLength(s)), ...Buffer.from(s)]
    const bytes = Buffer.from([
      ...Buffer.from('PGDMP'),
      1,
      16,
      0, // format 1.16
      4,
      8,
      5, // int size, offset size, directory format
      3, // zstd
      ...int(7),
      ...int(6),
      ...int(5),
      ...int(4),
      ...int(3),
      ...int(124),
      ...int(0),
      ...str('app'),
      ...str('18.4'),
      ...str('18.4 (Ubuntu 18.4-1.pgdg24.04+1)')
    ])
    expect(parseArchiveHeader(bytes)).toEqual({
      formatVersion: '1.16.0',
      format: 'directory',
      intSize: 4,
      offSize: 8,
      compression: 'zstd',
      createdAt: '2024-04-04 05:06:07',
      database: 'app',
      serverVersion: '18.4',
      serverMajor: 18,
      pgDumpVersion: '18.4 (Ubuntu 18.4-1.pgdg24.04+1)',
      pgDumpMajor: 18
    })
  })

  it('rejects what is not an archive header', () => {
    expect(() => parseArchiveHeader(Buffer.from('--\n-- PostgreSQL database dump\n'))).toThrow(
      /not a pg_dump archive header: it does not start with "PGDMP"/
    )
    expect(() => parseArchiveHeader(PG_DUMP_15_ARCHIVE.subarray(0, 60))).toThrow(
      /not a pg_dump archive header: (it ends early|a string runs past its end)/
    )
  })

  it('reads the versions of a plain dump', () => {
    const text =
      '--\n-- PostgreSQL database dump\n--\n\n-- Dumped from database version 13.23\n-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)\n\nSET x = 1;\n'
    expect(parsePlainDumpVersions(text)).toEqual({
      serverVersion: '13.23',
      pgDumpVersion: '15.18 (Debian 15.18-0+deb12u1)'
    })
    expect(majorOfVersion('15.18 (Debian 15.18-0+deb12u1)')).toBe(15)
    expect(majorOfVersion('17beta2')).toBe(17)
    expect(majorOfVersion('')).toBeUndefined()
  })
})

describe('pgRestoreMajorForFormat: pg_restore reads by the archive format, not the pg_dump (u7 F11)', () => {
  it.each([
    ['1.14.0', 12],
    ['1.15.0', 16],
    ['1.16.0', 17],
    ['1.17.0', undefined]
  ])('format %s: pg_restore %s and newer', (format, major) => {
    expect(pgRestoreMajorForFormat(format)).toBe(major)
  })
})
