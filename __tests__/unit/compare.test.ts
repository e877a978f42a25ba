/**
 * compareArchives on hand-made digests: what differs is named, placed (the first differing
 * 16-row range) and explained only by what the restore's settings say.
 */
import { describe, expect, it } from '@jest/globals'
import {
  type ArchiveDigest,
  type BlockDigest,
  MAX_SEGMENTS,
  RowDigest,
  SEGMENT_ROWS,
  compareArchives,
  digestArchiveAlongside
} from '../../src/postgres/compare.js'
import type { ArchiveToc, TocEntry } from '../../src/postgres/toc.js'
import { tocEntry } from '../support/toc-entry.js'

/** An entry of an archive with data blocks (dataState 'set'), its defn a comment; see tocEntry. */
const entry = (
  desc: string,
  namespace: string | null,
  tag: string,
  more: Partial<TocEntry> = {}
): TocEntry =>
  tocEntry(desc, namespace, tag, {
    hadDumper: false,
    section: 'pre-data',
    defn: `-- ${desc} ${tag}`,
    owner: 'alice',
    extra: { format: 'custom', dataState: 'set', dataOffset: 0 },
    ...more
  })

function archive(entries: TocEntry[], blocks: Array<[TocEntry, BlockDigest]> = []): ArchiveDigest {
  const toc = { header: { databaseName: 'db' }, entries } as unknown as ArchiveToc
  return { toc, blocks: new Map(blocks.map(([e, b]) => [e.dumpId, b])) }
}

const rows = (n: number, differAt?: number): BlockDigest => {
  const segments = Array.from({ length: Math.ceil(n / SEGMENT_ROWS) }, (_, i) =>
    differAt !== undefined && Math.floor((differAt - 1) / SEGMENT_ROWS) === i ? 'x' : `s${i}`
  )
  return {
    sha256: differAt === undefined ? 'same' : 'other',
    count: n,
    segments,
    segmentRows: SEGMENT_ROWS
  }
}

describe('compareArchives', () => {
  it('names a table whose data differs and the 16-row range of the first difference', () => {
    const a = entry('TABLE DATA', 'public', 't', { defn: '' })
    const b = entry('TABLE DATA', 'public', 't', { defn: '' })
    const c = compareArchives(archive([a], [[a, rows(100)]]), archive([b], [[b, rows(100, 40)]]))
    expect(c.tablesCompared).toBe(1)
    expect(c.tablesEqual).toBe(0)
    expect(c.differences).toEqual([
      {
        object: 'TABLE DATA public.t',
        what: 'differs: 100 rows restored, 100 in the backup; the first difference is in rows 33–48'
      }
    ])
  })

  it('pairs entries of one tag by definition (overloaded operators) and names the missing one', () => {
    const ours = [
      entry('OPERATOR', 's', '+++', { defn: 'CREATE OPERATOR s.+++ (LEFTARG = integer)' }),
      entry('OPERATOR', 's', '+++', { defn: 'CREATE OPERATOR s.+++ (LEFTARG = text)' })
    ]
    const theirs = [
      entry('OPERATOR', 's', '+++', { defn: 'CREATE OPERATOR s.+++ (LEFTARG = text)' })
    ]
    const c = compareArchives(archive(ours), archive(theirs))
    expect(c.objectsCompared).toBe(2)
    expect(c.objectsEqual).toBe(1)
    expect(c.differences.map(d => `${d.object} ${d.what}`)).toEqual([
      'OPERATOR s.+++ is missing from the restored database'
    ])
  })

  it('explains owners and ACLs only as the restore settings say', () => {
    const ours = [entry('TABLE', 'public', 't'), entry('ACL', 'public', 'TABLE t')]
    const theirs = [entry('TABLE', 'public', 't', { owner: 'postgres' })]
    const unexplained = compareArchives(archive(ours), archive(theirs))
    expect(unexplained.differences.every(d => d.expectedBecause === undefined)).toBe(true)
    expect(unexplained.differences.map(d => `${d.object} ${d.what}`)).toEqual([
      'TABLE public.t is owned by postgres, in the backup by alice',
      'ACL on TABLE t in schema public is missing from the restored database'
    ])
    const explained = compareArchives(archive(ours), archive(theirs), {
      ownersNotRestored: 'no-owner: true',
      privilegesNotRestored: 'no-privileges: true'
    })
    expect(explained.differences.map(d => d.expectedBecause)).toEqual([
      'no-owner: true',
      'no-privileges: true'
    ])
  })

  it('lists an object only the restored database has', () => {
    const c = compareArchives(archive([]), archive([entry('EVENT TRIGGER', null, 'sneaky')]))
    expect(c.differences).toEqual([
      {
        object: 'EVENT TRIGGER sneaky',
        what: 'is in the restored database only',
        expectedBecause: undefined
      }
    ])
  })

  it('explains an entry the restore left out by design with its reason, nothing else', () => {
    const ours = [
      entry('PUBLICATION', null, 'pub', {
        defn: "CREATE PUBLICATION pub\nFOR ALL TABLES WITH (publish = 'insert');\n"
      }),
      entry('COLLATION', 'public', 'c', { defn: 'CREATE COLLATION public.c (provider = libc);' })
    ]
    const c = compareArchives(archive(ours), archive([]), {
      skippedStatements: [
        {
          reason: 'needs superuser',
          text: "CREATE PUBLICATION pub FOR ALL TABLES WITH (publish = 'insert');"
        }
      ]
    })
    expect(c.differences.map(d => [d.object, d.expectedBecause])).toEqual([
      ['PUBLICATION pub', 'the restore left it out by design (needs superuser)'],
      ['COLLATION public.c', undefined]
    ])
  })

  it('keeps at most MAX_SEGMENTS digests per table, and still places a difference', () => {
    const digest = (lines: number, changed?: number): BlockDigest => {
      const d = new RowDigest()
      // in uneven slices, lines split across them
      let text = ''
      for (let i = 1; i <= lines; i++) {
        text += i === changed ? `${i}\tCHANGED\n` : `${i}\trow\n`
        if (text.length > 7777) {
          d.update(Buffer.from(text.slice(0, 5000)))
          text = text.slice(5000)
        }
      }
      d.update(Buffer.from(`${text}\\.\n\n\n`))
      return d.finish()
    }
    const rows = SEGMENT_ROWS * MAX_SEGMENTS * 3 + 5
    const a = digest(rows)
    expect(a.count).toBe(rows)
    expect(a.segments.length).toBeLessThanOrEqual(MAX_SEGMENTS)
    expect(a.segmentRows).toBe(SEGMENT_ROWS * 4)
    expect(digest(rows)).toEqual(a)
    const t = (): TocEntry => entry('TABLE DATA', 'public', 'big', { defn: '' })
    const [x, y] = [t(), t()]
    const changed = compareArchives(
      archive([x], [[x, a]]),
      archive([y], [[y, digest(rows, 150_000)]])
    )
    expect(changed.differences[0].what).toBe(
      `differs: ${rows} rows restored, ${rows} in the backup; the first difference is in rows 149953–150016`
    )
    // fewer rows: the finer digests folded to the coarser ones' segments; the first 16000 equal
    const short = digest(SEGMENT_ROWS * 1000)
    expect(short.segmentRows).toBe(SEGMENT_ROWS)
    const fewer = compareArchives(archive([x], [[x, a]]), archive([y], [[y, short]]))
    expect(fewer.differences[0].what).toBe(
      `differs: 16000 rows restored, ${rows} in the backup; the first difference is in rows 16001–16064`
    )
  })
})

describe("compareArchives: materialized views' contents", () => {
  /** parent ← child (inheritance), a view over the parent, mv over the view, mv2 over mv. */
  function schema(): { entries: TocEntry[]; data: Record<string, TocEntry> } {
    const parent = entry('TABLE', 'public', 'parent')
    const child = entry('TABLE', 'public', 'child', { dependencies: [parent.dumpId] })
    const other = entry('TABLE', 'public', 'other')
    const view = entry('VIEW', 'public', 'v', { dependencies: [parent.dumpId] })
    const mv = entry('MATERIALIZED VIEW', 'public', 'mv', { dependencies: [view.dumpId] })
    const mvData = entry('MATERIALIZED VIEW DATA', 'public', 'mv', { dependencies: [mv.dumpId] })
    const mv2 = entry('MATERIALIZED VIEW', 'public', 'mv2', { dependencies: [mv.dumpId] })
    const mv2Data = entry('MATERIALIZED VIEW DATA', 'public', 'mv2', {
      dependencies: [mv2.dumpId, mvData.dumpId]
    })
    const empty = entry('MATERIALIZED VIEW', 'public', 'empty', { dependencies: [other.dumpId] })
    const data = Object.fromEntries(
      ['parent', 'child', 'other'].map(t => [t, entry('TABLE DATA', 'public', t, { defn: '' })])
    )
    const entries = [parent, child, other, view, mv, mvData, mv2, mv2Data, empty]
    return { entries: [...entries, ...Object.values(data)], data }
  }

  it('names a materialized view refreshed from a table whose data differs (through views, children, other materialized views)', () => {
    const a = schema()
    const b = schema()
    const blocks = (s: typeof a, childRows: BlockDigest): Array<[TocEntry, BlockDigest]> => [
      [s.data.parent, rows(3)],
      [s.data.child, childRows],
      [s.data.other, rows(3)]
    ]
    const c = compareArchives(
      archive(a.entries, blocks(a, rows(20))),
      archive(b.entries, blocks(b, rows(20, 5)))
    )
    expect(c.materializedViewsCompared).toBe(2)
    expect(c.materializedViewsEqual).toBe(0)
    const named = c.differences.filter(d => d.object.startsWith('MATERIALIZED VIEW DATA'))
    expect(named.map(d => `${d.object} ${d.what}`)).toEqual([
      "MATERIALIZED VIEW DATA public.mv differs: refreshed from table data that differs from the backup's (public.child)",
      "MATERIALIZED VIEW DATA public.mv2 differs: refreshed from table data that differs from the backup's (public.child)",
      'MATERIALIZED VIEW DATA public.empty has no contents to compare'
    ])
    expect(named.map(d => d.expectedBecause)).toEqual([
      undefined,
      undefined,
      expect.stringMatching(/^the backup defines it WITH NO DATA/)
    ])
  })

  it('counts them equal when the tables they read are equal, whatever else differs', () => {
    const a = schema()
    const b = schema()
    const c = compareArchives(
      archive(a.entries, [
        [a.data.parent, rows(3)],
        [a.data.child, rows(3)],
        [a.data.other, rows(3)]
      ]),
      archive(b.entries, [
        [b.data.parent, rows(3)],
        [b.data.child, rows(3)],
        [b.data.other, rows(3, 2)]
      ])
    )
    expect(c.materializedViewsCompared).toBe(2)
    expect(c.materializedViewsEqual).toBe(2)
    expect(c.differences.filter(d => !d.expectedBecause).map(d => d.object)).toEqual([
      'TABLE DATA public.other'
    ])
  })
})

describe('RowDigest', () => {
  it('counts the same rows and end marker whether the COPY text comes whole or byte by byte', () => {
    const text = Buffer.from('1\ta\n2\tb\n3\tc\n\\.\n\n\n')
    const whole = new RowDigest()
    whole.update(text)
    const bytes = new RowDigest()
    for (let i = 0; i < text.length; i++) bytes.update(text.subarray(i, i + 1))
    const a = whole.finish()
    expect(a.count).toBe(3)
    expect(bytes.finish()).toEqual(a)
    // without pg_dump's end marker every line is a row
    const bare = new RowDigest()
    bare.update(Buffer.from('1\n2\n'))
    expect(bare.finish().count).toBe(2)
  })
})

describe('digestArchiveAlongside', () => {
  it('passes every byte on unchanged, and has no digest for what is not an archive', async () => {
    const tap = digestArchiveAlongside()
    const input = Buffer.alloc(256 * 1024, 'x')
    const out: Buffer[] = []
    tap.stage.on('data', (c: Buffer) => out.push(c))
    const ended = new Promise(resolve => tap.stage.on('end', resolve))
    for (let i = 0; i < input.length; i += 1000) tap.stage.write(input.subarray(i, i + 1000))
    tap.stage.end()
    await ended
    expect(Buffer.concat(out).equals(input)).toBe(true)
    expect(await tap.result()).toBeUndefined()
  })

  it('has no digest when its stream was not read to its end', async () => {
    const tap = digestArchiveAlongside()
    tap.stage.write(Buffer.from('PGDMP'))
    expect(await tap.result()).toBeUndefined()
    const unused = digestArchiveAlongside()
    expect(await unused.result()).toBeUndefined()
  })
})
