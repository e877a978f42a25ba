import { describe, expect, it } from '@jest/globals'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import {
  CopyScanner,
  dataTablesInList,
  discard,
  parseCopyStatement
} from '../../src/postgres/archive.js'
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

  it('says when pg_dump was killed', () => {
    expect(explainDumpFailure(null, 'SIGKILL', '').message).toBe('pg_dump was killed by SIGKILL')
  })
})
