/**
 * compareArchives on hand-made digests: what differs is named, placed (the first differing
 * 16-row range) and explained only by what the restore's settings say.
 */
import { describe, expect, it } from '@jest/globals'
import {
  type ArchiveDigest,
  type BlockDigest,
  MAX_SEGMENTS,
  PREEXISTING_REASON,
  RowDigest,
  SEGMENT_ROWS,
  compareArchives,
  comparisonHeadline,
  digestArchiveAlongside,
  digestArchiveChunks,
  tableDataEqual
} from '../../src/postgres/compare.js'
import type { ArchiveToc, TocEntry } from '../../src/postgres/toc.js'
import { tocEntry } from '../support/toc-entry.js'
import { writeArchive } from '../support/archive-writer.js'

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
  return { toc, blocks: new Map(blocks.map(([e, b]) => [e.dumpId, b])), by: 'rows' }
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

  it("a provider's table whose rows the restore kept differs as expected, named with why; no other table does (trial u29 F3)", () => {
    const backupKept = entry('TABLE DATA', 'realtime', 'schema_migrations', { defn: '' })
    const backupOwn = entry('TABLE DATA', 'public', 'todos', { defn: '' })
    const restoredKept = entry('TABLE DATA', 'realtime', 'schema_migrations', { defn: '' })
    const restoredOwn = entry('TABLE DATA', 'public', 'todos', { defn: '' })
    const backup = archive(
      [backupKept, backupOwn],
      [
        [backupKept, rows(4)],
        [backupOwn, rows(4)]
      ]
    )
    const restored = archive(
      [restoredKept, restoredOwn],
      [
        [restoredKept, rows(5, 1)],
        [restoredOwn, rows(4, 2)]
      ]
    )
    const keptTables = [
      {
        schema: 'realtime',
        name: 'schema_migrations',
        targetRows: 5,
        backupRows: 4,
        reason: 'the target held rows already'
      },
      // kept, its data equal to the backup's: nothing to say
      { schema: 'auth', name: 'schema_migrations', targetRows: 1, backupRows: 1, reason: 'x' }
    ]
    const c = compareArchives(backup, restored, { keptTables })
    expect(c.differences).toEqual([
      {
        object: 'TABLE DATA realtime.schema_migrations',
        what: 'differs: 5 rows restored, 4 in the backup; the first difference is in rows 1–5',
        expectedBecause:
          "the restore kept the target's 5 rows of realtime.schema_migrations, a provider table that held rows; the backup's 4 rows were not loaded, as a restore into this project would do"
      },
      {
        object: 'TABLE DATA public.todos',
        what: 'differs: 4 rows restored, 4 in the backup; the first difference is in rows 1–4'
      }
    ])
    expect(c.differences[1].expectedBecause).toBeUndefined()
    expect(comparisonHeadline(c)).toContain('Tables: 2 compared, 0 equal, 2 differ (1 expected).')
    // without the kept list, both are unexplained
    expect(compareArchives(backup, restored).differences.filter(d => d.expectedBecause)).toEqual([])
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

  it("grants in another order are the same privileges; another grantor's stay apart (trial u34 F1)", () => {
    const acl = (defn: string): TocEntry => entry('ACL', 'public', 'TABLE t', { defn })
    const defaults = (defn: string): TocEntry =>
      entry('DEFAULT ACL', 'public', 'DEFAULT PRIVILEGES FOR TABLES', { defn })
    const g = (who: string): string => `GRANT SELECT ON TABLE public.t TO ${who};`
    const d = (who: string): string =>
      `ALTER DEFAULT PRIVILEGES FOR ROLE alice IN SCHEMA public GRANT ALL ON TABLES  TO ${who};`
    const same = compareArchives(
      archive([acl([g('a'), g('b')].join('\n')), defaults([d('anon'), d('postgres')].join('\n'))]),
      archive([acl([g('b'), g('a')].join('\n')), defaults([d('postgres'), d('anon')].join('\n'))])
    )
    expect(same.differences).toEqual([])
    // a grant made by another role (pg_dump's SET SESSION AUTHORIZATION around it) is not one
    // of the owner's: moved across it, it differs
    const su = (grant: string): string =>
      `SET SESSION AUTHORIZATION bob;\n${grant}\nRESET SESSION AUTHORIZATION;`
    const moved = compareArchives(
      archive([acl([g('a'), su(g('b'))].join('\n'))]),
      archive([acl([g('b'), su(g('a'))].join('\n'))])
    )
    expect(moved.differences.map(x => x.object)).toEqual(['ACL on TABLE t in schema public'])
  })

  it("an object whose owner was not restored: its grants to either owner are the owner's own, the others compared (trial u34 F1)", () => {
    const grants = (owner: string, ...to: string[]): TocEntry =>
      entry('ACL', 'public', 'TABLE t', {
        owner,
        defn: to.map(r => `GRANT ALL ON TABLE public.t TO ${r};`).join('\n')
      })
    const backup = archive([entry('TABLE', 'public', 't'), grants('alice', 'postgres', 'anon')])
    const expect_ = { ownersNotRestored: 'the restore left out ALTER … OWNER statements' }
    const restoredAs = (...acl: TocEntry[]): ArchiveDigest =>
      archive([entry('TABLE', 'public', 't', { owner: 'postgres' }), ...acl])
    // the grant to postgres is its owner's own now; anon's is there
    const alike = compareArchives(backup, restoredAs(grants('postgres', 'anon')), expect_)
    expect(alike.differences.filter(x => !x.expectedBecause)).toEqual([])
    expect(alike.differences.find(x => x.object.startsWith('ACL'))?.expectedBecause).toMatch(
      /the grants to its owner are the owner's own/
    )
    // anon's grant lost: a difference
    const lost = compareArchives(backup, restoredAs(), expect_)
    expect(lost.differences.filter(x => !x.expectedBecause).map(x => x.object)).toEqual([
      'ACL on TABLE t in schema public'
    ])
    // the restored database grants more than the backup: a difference
    const more = compareArchives(backup, restoredAs(grants('postgres', 'anon', 'evil')), expect_)
    expect(more.differences.filter(x => !x.expectedBecause).map(x => x.object)).toEqual([
      'ACL on TABLE t in schema public'
    ])
    // owners restored (nothing says otherwise): the grant to postgres counts
    const strict = compareArchives(backup, restoredAs(grants('postgres', 'anon')))
    expect(strict.differences.filter(x => !x.expectedBecause).length).toBeGreaterThan(0)
  })

  it("an owner's grants on a view are its owner's own too; a quoted name never reads as a grantee (attacker a54 F5, F7)", () => {
    const expect_ = { ownersNotRestored: 'the restore left out ALTER … OWNER statements' }
    // pg_dump tags a view's ACL "TABLE v"
    const view = compareArchives(
      archive([
        entry('VIEW', 'public', 'v'),
        entry('ACL', 'public', 'TABLE v', { defn: 'GRANT ALL ON TABLE public.v TO verifier;' })
      ]),
      archive([entry('VIEW', 'public', 'v', { owner: 'verifier' })]),
      expect_
    )
    expect(view.differences.filter(x => !x.expectedBecause)).toEqual([])
    // a table whose quoted name holds " TO alice GRANTED BY y": carol's grant replaced by
    // mallory's is a difference, whoever owns it
    const odd = '"x TO alice GRANTED BY y"'
    const grant = (to: string): TocEntry =>
      entry('ACL', 'public', 'TABLE x TO alice GRANTED BY y', {
        defn: `GRANT SELECT ON TABLE public.${odd} TO ${to};`
      })
    const quoted = compareArchives(
      archive([entry('TABLE', 'public', 'x TO alice GRANTED BY y'), grant('carol')]),
      archive([
        entry('TABLE', 'public', 'x TO alice GRANTED BY y', { owner: 'bob' }),
        { ...grant('mallory'), owner: 'bob' }
      ]),
      expect_
    )
    expect(quoted.differences.filter(x => !x.expectedBecause).map(x => x.object)).toEqual([
      'ACL on TABLE x TO alice GRANTED BY y in schema public'
    ])
  })

  it("a foreign server's, a language's grants find their object's owner; a grant whose grantor was lost is a difference (attacker a55 F4, F5)", () => {
    const expect_ = { ownersNotRestored: 'the restore left out ALTER … OWNER statements' }
    const server_ = compareArchives(
      archive([
        entry('SERVER', null, 'srv'),
        entry('ACL', null, 'FOREIGN SERVER srv', {
          defn: 'GRANT ALL ON FOREIGN SERVER srv TO verifier;'
        }),
        entry('PROCEDURAL LANGUAGE', null, 'plx'),
        entry('ACL', null, 'LANGUAGE plx', { defn: 'GRANT ALL ON LANGUAGE plx TO verifier;' })
      ]),
      archive([
        entry('SERVER', null, 'srv', { owner: 'verifier' }),
        entry('PROCEDURAL LANGUAGE', null, 'plx', { owner: 'verifier' })
      ]),
      expect_
    )
    expect(server_.differences.filter(x => !x.expectedBecause)).toEqual([])
    // carol granted it in the backup; the restored grant is the owner's
    const granted = (defn: string, owner: string): TocEntry =>
      entry('ACL', 'public', 'TABLE t', { defn, owner })
    const grantor = compareArchives(
      archive([
        entry('TABLE', 'public', 't'),
        granted(
          'SET SESSION AUTHORIZATION carol;\nGRANT SELECT ON TABLE public.t TO bob;\nRESET SESSION AUTHORIZATION;',
          'alice'
        )
      ]),
      archive([
        entry('TABLE', 'public', 't', { owner: 'verifier' }),
        granted('GRANT SELECT ON TABLE public.t TO bob;', 'verifier')
      ]),
      expect_
    )
    expect(grantor.differences.filter(x => !x.expectedBecause).map(x => x.object)).toEqual([
      'ACL on TABLE t in schema public'
    ])
  })

  it('a statement the restore left out explains only the entry whose statement it is, not one whose body quotes it (attacker a54 F6)', () => {
    const skipped = {
      skippedStatements: [{ reason: 'owner not set', text: 'ALTER TABLE public.t OWNER TO app;' }]
    }
    const fn = entry('FUNCTION', 'public', 'f()', {
      defn: 'CREATE FUNCTION public.f() RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\nALTER TABLE public.t OWNER TO app;\nEND$$;\n'
    })
    const table = entry('TABLE', 'public', 't', {
      defn: 'CREATE TABLE public.t (id integer);\n\nALTER TABLE public.t OWNER TO app;\n'
    })
    const c = compareArchives(archive([fn, table]), archive([]), skipped)
    expect(c.differences.map(x => [x.object, x.expectedBecause !== undefined])).toEqual([
      ['FUNCTION public.f()', false],
      ['TABLE public.t', true]
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

  it('explains what the database had before the restore, as it was; not what the restore made or changed', () => {
    const acl = (grant: string): TocEntry =>
      entry('ACL', null, 'FOREIGN DATA WRAPPER fdw', { defn: grant, owner: '' })
    const table = (owner: string): TocEntry =>
      entry('TABLE', 'public', 't', { defn: 'CREATE TABLE public.t ();', owner })
    const rowsOf = (e: TocEntry, n: number, differAt?: number): [TocEntry, BlockDigest] => [
      e,
      rows(n, differAt)
    ]
    const dataBefore = entry('TABLE DATA', 'own', 'kept', { defn: '' })
    const dataAfter = entry('TABLE DATA', 'own', 'kept', { defn: '' })
    const changedBefore = entry('TABLE DATA', 'own', 'written', { defn: '' })
    const changedAfter = entry('TABLE DATA', 'own', 'written', { defn: '' })
    const before = archive(
      [
        acl('GRANT USAGE ON FOREIGN DATA WRAPPER fdw TO app;'),
        table('provider'),
        dataBefore,
        changedBefore
      ],
      [rowsOf(dataBefore, 3), rowsOf(changedBefore, 3)]
    )
    const backup = archive([table('alice')])
    const restored = archive(
      [
        acl('GRANT USAGE ON FOREIGN DATA WRAPPER fdw TO app;'),
        table('provider'),
        entry('FUNCTION', 'public', 'made()', { defn: 'CREATE FUNCTION public.made() …' }),
        dataAfter,
        changedAfter
      ],
      [rowsOf(dataAfter, 3), rowsOf(changedAfter, 3, 2)]
    )
    const c = compareArchives(backup, restored, { before })
    expect(c.differences.map(d => [d.object, d.what, d.expectedBecause])).toEqual([
      ['TABLE public.t', 'is owned by provider, in the backup by alice', PREEXISTING_REASON],
      ['ACL on FOREIGN DATA WRAPPER fdw', 'is in the restored database only', PREEXISTING_REASON],
      ['FUNCTION public.made()', 'is in the restored database only', undefined],
      ['TABLE DATA own.kept', 'is in the restored database only (3 rows)', PREEXISTING_REASON],
      ['TABLE DATA own.written', 'is in the restored database only (3 rows)', undefined]
    ])
    // the grant changed since: the restore's doing
    const regranted = archive([acl('GRANT ALL ON FOREIGN DATA WRAPPER fdw TO app;')])
    expect(compareArchives(archive([]), regranted, { before }).differences[0].expectedBecause).toBe(
      undefined
    )
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

/** pg_dump's int (sign byte, then 4 bytes least significant first). */
const int4 = (n: number): Buffer => {
  const b = Buffer.alloc(5)
  b.writeUInt32LE(Math.abs(n), 1)
  b[0] = n < 0 ? 1 : 0
  return b
}

/** A data block as pg_dump -Z0 writes it: type 1, the dumpId, each chunk with its length, 0. */
const dataBlock = (dumpId: number, chunks: string[]): Buffer =>
  Buffer.concat([
    Buffer.from([1]),
    int4(dumpId),
    ...chunks.flatMap(c => [int4(Buffer.byteLength(c)), Buffer.from(c)]),
    int4(0)
  ])

/** An uncompressed custom archive of TABLE DATA entries 1..n (the chunks of each). */
function customArchive(tables: string[][]): Buffer {
  const entries = tables.map((_, i) => ({
    dumpId: i + 1,
    desc: 'TABLE DATA',
    tag: `t${i + 1}`,
    namespace: 'public',
    section: 3,
    dataState: 1
  }))
  const trailing = Buffer.concat(tables.map((chunks, i) => dataBlock(i + 1, chunks)))
  return writeArchive({ minor: 15, entries, trailing })
}

/** The archive handed over in slices of `size` bytes, each in a buffer reused for the next. */
function sliced(bytes: Buffer, size: number): { next(): Promise<Buffer | null> } {
  let at = 0
  const reused = Buffer.alloc(size)
  return {
    next: async () => {
      if (at >= bytes.length) return null
      const n = bytes.copy(reused, 0, at, Math.min(at + size, bytes.length))
      at += n
      return reused.subarray(0, n)
    }
  }
}

const rowsOf = (n: number, changed?: number): string[] => [
  ...Array.from({ length: n }, (_, i) =>
    i + 1 === changed ? `${i + 1}\tCHANGED\n` : `${i + 1}\trow\n`
  ),
  '\\.\n\n\n'
]

describe('digestArchiveChunks by blocks', () => {
  it('gives the same digests however the archive is sliced (ints and rows across slices)', async () => {
    const bytes = customArchive([rowsOf(100), rowsOf(3), [`${'x'.repeat(5000)}\n`, '\\.\n\n\n']])
    const whole = await digestArchiveChunks(sliced(bytes, bytes.length))
    expect(whole.by).toBe('blocks')
    expect(whole.blocks.size).toBe(3)
    for (const size of [1, 2, 3, 5, 7, 64, 1000, 4099]) {
      const d = await digestArchiveChunks(sliced(bytes, size))
      expect([...d.blocks]).toEqual([...whole.blocks])
    }
    // the block's bytes (its chunks with their lengths), nothing else
    const { createHash } = await import('node:crypto')
    const block = dataBlock(2, rowsOf(3)).subarray(6)
    expect(whole.blocks.get(2)?.sha256).toBe(createHash('sha256').update(block).digest('hex'))
  })

  it('tells equal data from changed data; by rows, places and counts what differs', async () => {
    const backup = customArchive([rowsOf(3), rowsOf(200)])
    const same = customArchive([rowsOf(3), rowsOf(200)])
    const changed = customArchive([rowsOf(3), rowsOf(200, 150)])
    const digest = (b: Buffer, by?: 'rows' | 'blocks') => digestArchiveChunks(sliced(b, 333), by)
    expect(tableDataEqual(await digest(backup), await digest(same))).toBe(true)
    expect(tableDataEqual(await digest(backup), await digest(changed))).toBe(false)
    // digests made by blocks and by rows never compare
    const mixed = [await digest(backup), await digest(same, 'rows')] as const
    expect(() => tableDataEqual(...mixed)).toThrow(/do not compare/)
    // digests by blocks never name a difference they cannot place: by rows they do
    await expect(
      (async () => compareArchives(await digest(backup), await digest(changed)))()
    ).rejects.toThrow(/by rows/)
    const c = compareArchives(await digest(backup, 'rows'), await digest(changed, 'rows'))
    expect(c.tablesEqual).toBe(1)
    expect(c.differences.map(d => `${d.object} ${d.what}`)).toEqual([
      'TABLE DATA public.t2 differs: 200 rows restored, 200 in the backup; the first difference is in rows 145–160'
    ])
  })

  it('a table whose data the backup left out (exclude-table-data) restored empty: equal by blocks, not only by rows (attacker a62 F1)', async () => {
    // the backup: t1's rows, no data entry for t2; the scratch dump: t1's rows and t2's empty block
    const backup = customArchive([rowsOf(3)])
    const restored = customArchive([rowsOf(3), rowsOf(0)])
    const notEmpty = customArchive([rowsOf(3), rowsOf(1)])
    for (const size of [1, 3, 64, 4096]) {
      const digest = (b: Buffer) => digestArchiveChunks(sliced(b, size))
      expect((await digest(restored)).blocks.get(2)?.empty).toBe(true)
      expect(tableDataEqual(await digest(backup), await digest(restored))).toBe(true)
      expect(tableDataEqual(await digest(backup), await digest(notEmpty))).toBe(false)
    }
    // a block that only looks short: one row of a few bytes is a row
    const tiny = customArchive([rowsOf(3), ['1\n', '\\.\n']])
    expect(
      tableDataEqual(
        await digestArchiveChunks(sliced(backup, 7)),
        await digestArchiveChunks(sliced(tiny, 7))
      )
    ).toBe(false)
  })

  it('the same rows in other chunks: differ by blocks, equal by rows (the verdict stands on rows)', async () => {
    const rows = rowsOf(40)
    // one row cut in two chunks, and two rows in one chunk
    const recut = [...rows.slice(0, 5), '6\tr', 'ow\n', rows[6] + rows[7], ...rows.slice(8)]
    expect(recut.join('')).toBe(rows.join(''))
    const a = customArchive([rows])
    const b = customArchive([recut])
    expect(
      tableDataEqual(
        await digestArchiveChunks(sliced(a, 50)),
        await digestArchiveChunks(sliced(b, 50))
      )
    ).toBe(false)
    const byRows = [
      await digestArchiveChunks(sliced(a, 50), 'rows'),
      await digestArchiveChunks(sliced(b, 11), 'rows')
    ]
    expect(tableDataEqual(byRows[0], byRows[1])).toBe(true)
    const c = compareArchives(byRows[0], byRows[1])
    expect([c.tablesCompared, c.tablesEqual, c.differences]).toEqual([1, 1, []])
  })

  it('a table only the restored archive has, empty: no difference, by blocks as by rows', async () => {
    const backup = customArchive([rowsOf(3)])
    const more = customArchive([rowsOf(3), ['\\.\n\n\n']])
    expect(
      tableDataEqual(
        await digestArchiveChunks(sliced(backup, 64)),
        await digestArchiveChunks(sliced(more, 64))
      )
    ).toBe(true)
    expect(
      tableDataEqual(
        await digestArchiveChunks(sliced(backup, 64), 'rows'),
        await digestArchiveChunks(sliced(more, 64), 'rows')
      )
    ).toBe(true)
  })
})

describe('digestArchiveAlongside on an archive', () => {
  it('digests what passes, in any slicing, as digestArchiveChunks does, and passes it unchanged', async () => {
    const bytes = customArchive([
      rowsOf(500),
      rowsOf(7, 3),
      [`${'y'.repeat(70_000)}\n`, '\\.\n\n\n']
    ])
    const direct = await digestArchiveChunks(sliced(bytes, bytes.length))
    for (const size of [1, 13, 4096, 100_000]) {
      const tap = digestArchiveAlongside()
      const out: Buffer[] = []
      tap.stage.on('data', (c: Buffer) => out.push(c))
      const ended = new Promise(resolve => tap.stage.on('end', resolve))
      for (let i = 0; i < bytes.length; i += size) tap.stage.write(bytes.subarray(i, i + size))
      tap.stage.end()
      await ended
      expect(Buffer.concat(out).equals(bytes)).toBe(true)
      const tapped = await tap.result()
      expect(tapped?.by).toBe('blocks')
      expect([...tapped!.blocks]).toEqual([...direct.blocks])
    }
  })

  it('has no digest when the stream stops inside the archive', async () => {
    const bytes = customArchive([rowsOf(500)])
    const tap = digestArchiveAlongside()
    tap.stage.resume()
    tap.stage.write(bytes.subarray(0, bytes.length - 100))
    await new Promise(resolve => setImmediate(resolve))
    tap.stage.destroy()
    expect(await tap.result()).toBeUndefined()
  })
})

/** A BLOBS block: type 3, the dumpId, each large object's OID and its bytes in one chunk, 0. */
const blobsBlock = (dumpId: number, objects: Array<[number, string]>): Buffer =>
  Buffer.concat([
    Buffer.from([3]),
    int4(dumpId),
    ...objects.flatMap(([oid, content]) => [
      int4(oid),
      int4(Buffer.byteLength(content)),
      Buffer.from(content),
      int4(0)
    ]),
    int4(0)
  ])

/** An uncompressed custom archive of BLOBS entries 1..n (the large objects of each). */
function blobsArchive(groups: Array<Array<[number, string]>>): Buffer {
  const entries = groups.map((_, i) => ({
    dumpId: i + 1,
    desc: 'BLOBS',
    tag: 'BLOBS',
    namespace: '',
    section: 3,
    dataState: 1
  }))
  const trailing = Buffer.concat(groups.map((objects, i) => blobsBlock(i + 1, objects)))
  return writeArchive({ minor: 15, entries, trailing })
}

describe('large objects compared whatever BLOBS entries group them (attacker a51 F1)', () => {
  it("pg_dump 15's one entry against 17's groups: equal; a changed or missing object: not", async () => {
    const objects: Array<[number, string]> = [
      [16400, 'one'],
      [16401, 'two'],
      [16402, 'three']
    ]
    const digest = (groups: Array<Array<[number, string]>>) =>
      digestArchiveChunks(sliced(blobsArchive(groups), 100), 'rows')
    const one = await digest([objects])
    const compared = async (groups: Array<Array<[number, string]>>) =>
      compareArchives(one, await digest(groups))
    const regrouped = await compared([[objects[2]], [objects[0], objects[1]]])
    expect(regrouped.largeObjects).toBe(3)
    expect(regrouped.largeObjectsEqual).toBe(true)
    const changed = await compared([[objects[2]], [objects[0], [16401, 'TWO']]])
    expect(changed.largeObjectsEqual).toBe(false)
    expect(changed.differences.map(d => `${d.object} ${d.what}`)).toEqual([
      'large objects differ: 3 restored, 3 in the backup (their contents differ)'
    ])
    const moved = await compared([[objects[0], objects[1]], [[16403, 'three']]])
    expect(moved.largeObjectsEqual).toBe(false)
    expect((await compared([[objects[0], objects[1]]])).largeObjectsEqual).toBe(false)
  })
})

describe("a child table's definition in another column order (attacker a51 F3, a52 F2, F3)", () => {
  const table = (defn: string) => entry('TABLE', 'public', 'c', { defn })
  const differences = (a: string, b: string) =>
    compareArchives(archive([table(a)]), archive([table(b)])).differences
  it('only the order of whole columns: expected, naming both orders', () => {
    const d = differences(
      'CREATE TABLE public.c (\n    x integer,\n    a integer,\n    CONSTRAINT k CHECK ((x > 0))\n)\nINHERITS (public.p);\n',
      'CREATE TABLE public.c (\n    a integer,\n    x integer,\n    CONSTRAINT k CHECK ((x > 0))\n)\nINHERITS (public.p);\n'
    )
    expect(d).toEqual([
      expect.objectContaining({
        what: 'has its columns in another order: backup (x, a), restored (a, x)',
        expectedBecause: expect.stringContaining("parent's columns first")
      })
    ])
  })
  it.each([
    [
      'NOT NULL moved between two columns whose defaults hold a line break',
      "CREATE TABLE public.c (\n    s text DEFAULT 'x\ny' NOT NULL,\n    t text DEFAULT 'x\ny'\n)\nINHERITS (public.p);\n",
      "CREATE TABLE public.c (\n    t text DEFAULT 'x\ny' NOT NULL,\n    s text DEFAULT 'x\ny'\n)\nINHERITS (public.p);\n"
    ],
    [
      'a comma lost inside a literal',
      "CREATE TABLE public.c (\n    s text DEFAULT 'x,\ny'\n)\nINHERITS (public.p);\n",
      "CREATE TABLE public.c (\n    s text DEFAULT 'x\ny'\n)\nINHERITS (public.p);\n"
    ],
    [
      'not a child: INHERITS inside a literal',
      "CREATE TABLE public.c (\n    a integer,\n    b integer,\n    z text DEFAULT '\n)\nINHERITS ('\n);\n",
      "CREATE TABLE public.c (\n    b integer,\n    a integer,\n    z text DEFAULT '\n)\nINHERITS ('\n);\n"
    ]
  ])('%s: a difference, not expected', (_what, a, b) => {
    const d = differences(a, b)
    expect(d).toHaveLength(1)
    expect(d[0].expectedBecause).toBeUndefined()
    expect(d[0].what).toMatch(/^has another definition/)
  })
})
