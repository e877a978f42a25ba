/**
 * verify's scratch dump split between two pg_dumps (compare-split.ts): which tables the second
 * takes, the patterns that name them exactly, and the merge of the two digests into the one a
 * single pg_dump gives: equal where the data is equal, the first differing rows named where a
 * table the second pg_dump wrote differs, and a split that went wrong refused.
 */
import { describe, expect, it } from '@jest/globals'
import {
  type ArchiveDigest,
  type DigestBy,
  compareArchives,
  digestArchiveChunks,
  tableDataEqual
} from '../../src/postgres/compare.js'
import {
  SPLIT_MAX_TABLES,
  balanceTables,
  mergeSplitDigests,
  splitDumpArgs,
  tablePattern
} from '../../src/postgres/compare-split.js'
import { type SyntheticEntry, writeArchive } from '../support/archive-writer.js'

const MB = 1024 * 1024

describe('balanceTables', () => {
  it('gives the second pg_dump the largest tables, each to the side with less so far', () => {
    const tables = [
      { schema: 'public', name: 'small', bytes: 10 * MB },
      { schema: 'public', name: 'big', bytes: 400 * MB },
      { schema: 'public', name: 'mid', bytes: 300 * MB },
      { schema: 'public', name: 'mid2', bytes: 200 * MB }
    ]
    // big (400) to the second; mid (300) and mid2 (500 in all) to the first; small to the second
    expect(balanceTables(tables, 64 * MB)).toEqual([
      { schema: 'public', name: 'big' },
      { schema: 'public', name: 'small' }
    ])
  })

  it('takes none when the second share would be under the minimum', () => {
    const tables = [
      { schema: 'public', name: 'a', bytes: 30 * MB },
      { schema: 'public', name: 'b', bytes: 20 * MB }
    ]
    expect(balanceTables(tables, 64 * MB)).toEqual([])
    expect(balanceTables(tables, 30 * MB)).toEqual([{ schema: 'public', name: 'a' }])
    expect(balanceTables([], 0)).toEqual([])
  })

  it(`takes at most ${SPLIT_MAX_TABLES} tables, the rest going to the first pg_dump`, () => {
    const tables = Array.from({ length: 3 * SPLIT_MAX_TABLES }, (_, i) => ({
      schema: 's',
      name: `t${i}`,
      bytes: MB
    }))
    const taken = balanceTables(tables, 1)
    expect(taken).toHaveLength(SPLIT_MAX_TABLES)
    expect(new Set(taken.map(t => t.name)).size).toBe(SPLIT_MAX_TABLES)
  })
})

describe('tablePattern and splitDumpArgs', () => {
  it('quote every name (wildcards, dots, quotes and capitals literal)', () => {
    expect(tablePattern({ schema: 'My "odd" schema', name: 'T.*?$x' })).toBe(
      '"My ""odd"" schema"."T.*?$x"'
    )
    expect(splitDumpArgs([{ schema: 'a', name: 'b' }])).toEqual({
      main: ['--exclude-table-data="a"."b"'],
      data: ['--data-only', '--table="a"."b"']
    })
    expect(splitDumpArgs([])).toEqual({ main: [], data: ['--data-only'] })
  })
})

/** pg_dump's int (sign byte, then 4 bytes least significant first). */
const int4 = (n: number): Buffer => {
  const b = Buffer.alloc(5)
  b.writeUInt32LE(Math.abs(n), 1)
  b[0] = n < 0 ? 1 : 0
  return b
}

/** A data block as pg_dump -Z0 writes it: type 1, the dumpId, each row a chunk, 0. */
const dataBlock = (dumpId: number, rows: string[]): Buffer =>
  Buffer.concat([
    Buffer.from([1]),
    int4(dumpId),
    ...rows.flatMap(c => [int4(Buffer.byteLength(c)), Buffer.from(c)]),
    int4(0)
  ])

const rowsOf = (n: number, changed?: number): string[] => [
  ...Array.from({ length: n }, (_, i) =>
    i + 1 === changed ? `${i + 1}\tCHANGED\n` : `${i + 1}\trow\n`
  ),
  '\\.\n\n\n'
]

interface Item {
  desc: string
  tag: string
  defn?: string
  /** TABLE DATA: its rows. */
  rows?: string[]
}

/** An uncompressed custom archive of `items` (dumpIds 1…), as pg_dump -Fc -Z0 writes one. */
async function digestOf(items: Item[], by: DigestBy): Promise<ArchiveDigest> {
  const entries: SyntheticEntry[] = items.map((item, i) => ({
    dumpId: i + 1,
    desc: item.desc,
    tag: item.tag,
    namespace: 'public',
    owner: 'app',
    defn: item.defn ?? (item.rows ? '' : `-- ${item.desc} ${item.tag}`),
    section: item.rows ? 3 : 2,
    dataState: item.rows ? 1 : 3
  }))
  const trailing = Buffer.concat(
    items.flatMap((item, i) => (item.rows ? [dataBlock(i + 1, item.rows)] : []))
  )
  const bytes = writeArchive({ minor: 15, entries, trailing })
  let given = false
  return digestArchiveChunks(
    {
      next: async () => {
        if (given) return null
        given = true
        return bytes
      }
    },
    by
  )
}

const schema: Item[] = [
  { desc: 'TABLE', tag: 'big' },
  { desc: 'TABLE', tag: 'small' },
  { desc: 'SEQUENCE', tag: 'big_id_seq' },
  { desc: 'SEQUENCE SET', tag: 'big_id_seq' }
]

/** The backup: one dump of everything. */
const whole = (by: DigestBy): Promise<ArchiveDigest> =>
  digestOf(
    [
      ...schema,
      { desc: 'TABLE DATA', tag: 'big', rows: rowsOf(100) },
      { desc: 'TABLE DATA', tag: 'small', rows: rowsOf(3) }
    ],
    by
  )

/** The scratch database dumped by two: everything but big's data, and big's data (changed at `row`). */
const split = (by: DigestBy, row?: number): Promise<[ArchiveDigest, ArchiveDigest]> =>
  Promise.all([
    digestOf([...schema, { desc: 'TABLE DATA', tag: 'small', rows: rowsOf(3) }], by),
    // a data-only dump of big also writes its sequence's value and the session entries
    digestOf(
      [
        { desc: 'ENCODING', tag: 'ENCODING', defn: "SET client_encoding = 'UTF8';\n" },
        { desc: 'SEQUENCE SET', tag: 'big_id_seq' },
        { desc: 'TABLE DATA', tag: 'big', rows: rowsOf(100, row) }
      ],
      by
    )
  ])

const big = [{ schema: 'public', name: 'big' }]

describe('mergeSplitDigests', () => {
  it('gives what one dump gives: every entry and table equal, nothing twice', async () => {
    for (const by of ['blocks', 'rows'] as const) {
      const backup = await whole(by)
      const [main, data] = await split(by)
      const merged = mergeSplitDigests(main, data, big)
      expect(tableDataEqual(backup, merged)).toBe(true)
      const c = compareArchives(backup, merged)
      expect(c.differences).toEqual([])
      expect(c.tablesCompared).toBe(2)
      expect(c.tablesEqual).toBe(2)
      expect(c.objectsCompared).toBe(4)
      expect(c.objectsEqual).toBe(4)
      // big's data under a dumpId of its own, past main's
      const bigData = merged.toc.entries.filter(e => e.desc === 'TABLE DATA' && e.tag === 'big')
      expect(bigData).toHaveLength(1)
      expect(bigData[0].dumpId).toBe(6)
      expect(merged.blocks.get(6)).toEqual(data.blocks.get(3))
      expect(merged.toc.entries.filter(e => e.desc === 'SEQUENCE SET')).toHaveLength(1)
    }
  })

  it('names the first differing rows of a table the second pg_dump wrote', async () => {
    const [main, data] = await split('blocks', 40)
    expect(tableDataEqual(await whole('blocks'), mergeSplitDigests(main, data, big))).toBe(false)
    const [mainRows, dataRows] = await split('rows', 40)
    const c = compareArchives(await whole('rows'), mergeSplitDigests(mainRows, dataRows, big))
    expect(c.tablesEqual).toBe(1)
    expect(c.differences).toEqual([
      {
        object: 'TABLE DATA public.big',
        what: 'differs: 100 rows restored, 100 in the backup; the first difference is in rows 33–48'
      }
    ])
  })

  it('refuses a split that went wrong, naming the table', async () => {
    const [main, data] = await split('blocks')
    const backup = await whole('blocks')
    const schemaOnly = await digestOf(schema, 'blocks')
    const byRows = await whole('rows')
    // the first dump wrote the data it was to leave out
    expect(() => mergeSplitDigests(backup, data, big)).toThrow(
      /without the data of 1 tables wrote the data of public\.big/
    )
    // the second wrote no data for a table it was given, or data of another
    const small = [{ schema: 'public', name: 'small' }]
    expect(() => mergeSplitDigests(schemaOnly, data, [...big, ...small])).toThrow(
      /data-only dump of the scratch database wrote no data for public\.small$/
    )
    expect(() => mergeSplitDigests(main, schemaOnly, big)).toThrow(/wrote no data for public\.big$/)
    expect(() => mergeSplitDigests(schemaOnly, data, small)).toThrow(
      /data-only dump of 1 tables of the scratch database wrote the data of public\.big/
    )
    expect(() => mergeSplitDigests(main, data, big)).not.toThrow()
    expect(() => mergeSplitDigests(main, byRows, big)).toThrow(/do not merge/)
  })
})
