/**
 * Archive names as the table of contents holds them (any bytes: a line break, a space, a quote),
 * matched against the target's (attacker a87 F1: clean said "a\nb" stayed as it was, then dropped
 * and reloaded it, left out of the row-loss warning), and a data entry's COPY that names another
 * table than its own (a87 F3: public.t's rows went into the target's victim.e, "0 rows restored").
 */
import { describe, expect, it } from '@jest/globals'
import {
  cleanListFromToc,
  cleanListing,
  cleanReplaced,
  dropKey,
  droppedRelations
} from '../../src/postgres/clean.js'
import {
  refuseCopyElsewhere,
  RestoreError,
  rootCopiesForTarget
} from '../../src/modes/restore-plan.js'
import { newerRows } from '../../src/modes/restore.js'
import { describeTables } from '../../src/postgres/target.js'
import {
  copiesIntoRootsNotRestored,
  copyTargetMismatch,
  type TocEntry
} from '../../src/postgres/toc.js'
import type { Manifest } from '../../src/manifest.js'
import { tocEntry } from '../support/toc-entry.js'

const table = (schema: string, name: string, rows = 3) => ({
  schema,
  name,
  rows,
  estimated: false
})

/** A TABLE entry as pg_dump writes it, with its drop; the name quoted as fmtId quotes it. */
const tableEntry = (schema: string, name: string, quoted: string): TocEntry =>
  tocEntry('TABLE', schema, name, { dropStmt: `DROP TABLE ${schema}.${quoted};\n` })

describe('clean: the names its drops remove, as the table of contents holds them', () => {
  const entries = [
    tableEntry('public', 'a\nb', '"a\nb"'),
    tableEntry('public', 'a b', '"a b"'),
    tableEntry('public', 'a"b', '"a""b"'),
    tableEntry('public', 'plain', 'plain')
  ]
  const list = cleanListFromToc(entries)
  const existing = [
    table('public', 'a\nb'),
    table('public', 'a b'),
    table('public', 'a"b'),
    table('public', 'plain', 1),
    table('public', 'other', 2)
  ]

  it('reads a drop whose name holds a line break (its own table, not "a b")', () => {
    const { relations } = droppedRelations(list.drops)
    expect([...relations].sort()).toEqual(
      ['public\0a\nb', 'public\0a b', 'public\0a"b', 'public\0plain'].sort()
    )
    expect([...droppedRelations(['DROP TABLE IF EXISTS public."a\nb";']).relations]).toEqual([
      'public\0a\nb'
    ])
    expect([
      ...droppedRelations(['DROP TABLE IF EXISTS public."a\r\nb" CASCADE;']).relations
    ]).toEqual(['public\0a\r\nb'])
  })

  it("matches the target's tables by the entries' names, even where the drops' text would not tell", () => {
    expect(
      cleanReplaced(existing, list.drops, [], list.replaced)
        .map(t => t.name)
        .sort()
    ).toEqual(['a\nb', 'a b', 'a"b', 'plain'].sort())
    // by the entries' names alone (no drop text read)
    expect(
      cleanReplaced(existing, [], [], list.replaced)
        .map(t => t.name)
        .sort()
    ).toEqual(['a\nb', 'a b', 'a"b', 'plain'].sort())
    // a sequence of the backup is not a table of that name
    expect(
      cleanReplaced([table('public', 's')], [], [], {
        relations: [{ schema: 'public', name: 's', kinds: 'S' }],
        schemas: []
      })
    ).toEqual([])
  })

  it('lists them quoted as SQL writes names, so "a b" and "a\\nb" differ; only "other" stays', () => {
    const text = cleanListing(existing, list.drops, [], undefined, list.replaced)
    expect(text).toContain('public."a\nb" (3 rows)')
    expect(text).toContain('public."a b" (3 rows)')
    expect(text).toContain('public."a""b" (3 rows)')
    expect(text).toContain('public.plain (1 row)')
    expect(text).toMatch(
      /1 other table of the target in the schemas the backup reaches \(public\.other \(2 rows\)\) is not in the backup and stays as it is\.$/
    )
  })

  it('describeTables and newerRows quote names that are not plain', () => {
    expect(describeTables([table('My Schema', 'a\nb'), table('public', 'user', 1)])).toBe(
      '"My Schema"."a\nb" (3 rows), public."user" (1 row)'
    )
    const manifest = {
      rowCounts: {
        tables: [
          { schema: 'public', name: 'a\nb', rows: 1 },
          { schema: 'public', name: 'a b', rows: 3 }
        ]
      }
    } as unknown as Manifest
    const warning = newerRows(cleanReplaced(existing, list.drops, [], list.replaced), manifest)
    expect(warning).toContain('public."a\nb" (3 now, 1 in the backup)')
    expect(warning).not.toContain('"a b"')
  })

  it("dropKey keeps a quoted name's white space: two tables, two keys", () => {
    expect(dropKey('DROP TABLE public."a b";')).not.toBe(dropKey('DROP TABLE public."a\nb";'))
    expect(dropKey('DROP TABLE  IF EXISTS\npublic."a b" CASCADE;')).toBe(
      dropKey('DROP TABLE public."a b";')
    )
  })
})

describe("copyTargetMismatch: a data entry's COPY into a table other than its own", () => {
  const data = (schema: string, name: string, copy: string, more: Partial<TocEntry> = {}) =>
    tocEntry('TABLE DATA', schema, name, { copyStmt: `${copy}\n`, ...more })

  it("passes pg_dump's own: names with a line break, a space, a quote, upper case; unqualified", () => {
    expect(
      copyTargetMismatch([
        data('public', 'a\nb', 'COPY public."a\nb" (id) FROM stdin;'),
        data('public', 'a b', 'COPY public."a b" (id, "x y") FROM stdin;'),
        data('My "S"', 'a"b', 'COPY "My ""S"""."a""b" (id) FROM stdin;'),
        data('public', 'T', 'COPY public."T"  FROM stdin;'),
        data('public', 'old', 'COPY old (id) FROM stdin;'),
        tocEntry('TABLE DATA', 'public', 'inserts', { copyStmt: null }),
        tocEntry('TABLE DATA', 'public', 'inserts2', { copyStmt: '' })
      ])
    ).toBeUndefined()
  })

  it('finds a COPY into another table, or into one its text does not name as pg_dump would', () => {
    // the archive creates the entry's table (a --data-only archive, defining neither: below)
    const t = tocEntry('TABLE', 'public', 't')
    const swapped = data('public', 't', 'COPY victim.e (id, v) FROM stdin;')
    expect(
      copyTargetMismatch([t, data('public', 'u', 'COPY public.u FROM stdin;'), swapped])
    ).toEqual({
      entry: swapped,
      own: { schema: 'public', name: 't' },
      copied: { schema: 'victim', name: 'e' }
    })
    // "a b" is not "a\nb"; the name compared unquoted, not as text
    expect(
      copyTargetMismatch([
        tocEntry('TABLE', 'public', 'a\nb'),
        data('public', 'a\nb', 'COPY public."a b" (id) FROM stdin;')
      ])?.copied
    ).toEqual({ schema: 'public', name: 'a b' })
    // unquoted upper case folds (the server's Victim is victim): not pg_dump's, no name read
    const folded = data('public', 't', 'COPY Victim.e (id) FROM stdin;')
    expect(copyTargetMismatch([folded])).toEqual({
      entry: folded,
      own: { schema: 'public', name: 't' }
    })
    expect(
      copyTargetMismatch([t, data('public', 't', 'COPY public.t2 (id) FROM stdin;')])?.copied
    ).toEqual({
      schema: 'public',
      name: 't2'
    })
  })

  it('passes --load-via-partition-root: a COPY into the root of the TABLE ATTACH chain (or PARTITION OF)', () => {
    const root = tocEntry('TABLE', 'public', 'm')
    const mid = tocEntry('TABLE', 'public', 'm2')
    const leaf = tocEntry('TABLE', 'public', 'm2a')
    const other = tocEntry('TABLE', 'public', 'other')
    const attach = (child: TocEntry, parent: TocEntry) =>
      tocEntry('TABLE ATTACH', 'public', child.tag, {
        defn: `ALTER TABLE ONLY public.${parent.tag} ATTACH PARTITION public.${child.tag} FOR VALUES FROM (10) TO (20);\n`,
        dependencies: [child.dumpId, parent.dumpId]
      })
    const leafData = data('public', 'm2a', 'COPY public.m (id, y) FROM stdin;', {
      defn: '-- load via partition root public.m'
    })
    const entries = [root, mid, leaf, other, attach(mid, root), attach(leaf, mid), leafData]
    expect(copyTargetMismatch(entries)).toBeUndefined()
    // the parent (not the root) too: an ancestor
    expect(
      copyTargetMismatch([...entries, data('public', 'm2a', 'COPY public.m2 (id) FROM stdin;')])
    ).toBeUndefined()
    // a table that is not its ancestor: refused, whatever the entry's comment says
    const elsewhere = data('public', 'm2a', 'COPY public.other (id, y) FROM stdin;', {
      defn: '-- load via partition root public.other'
    })
    expect(copyTargetMismatch([...entries, elsewhere])?.copied).toEqual({
      schema: 'public',
      name: 'other'
    })
    // a partition into its child: not an ancestor
    expect(
      copyTargetMismatch([...entries, data('public', 'm', 'COPY public.m2a (id) FROM stdin;')])
        ?.copied
    ).toEqual({ schema: 'public', name: 'm2a' })
    // pg_dump before 12: CREATE TABLE … PARTITION OF, depending on its parent's entry
    const p = tocEntry('TABLE', 'public', 'p')
    const p1 = tocEntry('TABLE', 'public', 'p1', {
      defn: 'CREATE TABLE public.p1 PARTITION OF public.p\nFOR VALUES IN (1);\n',
      dependencies: [p.dumpId]
    })
    expect(
      copyTargetMismatch([p, p1, data('public', 'p1', 'COPY public.p (id) FROM stdin;')])
    ).toBeUndefined()
  })

  it('a TABLE ATTACH entry counts by its statement, not its dependency list (attacker a88)', () => {
    const victim = tocEntry('TABLE', 'victim', 'e')
    const t = tocEntry('TABLE', 'public', 't')
    const u = tocEntry('TABLE', 'public', 'u')
    const into = data('public', 't', 'COPY victim.e (id, v) FROM stdin;')
    const attach = (defn: string | null, namespace = 'public', tag = 't') =>
      tocEntry('TABLE ATTACH', namespace, tag, { defn, dependencies: [t.dumpId, victim.dumpId] })
    const refused = (...more: TocEntry[]) =>
      copyTargetMismatch([victim, t, u, ...more, into])?.copied
    const e = { schema: 'victim', name: 'e' }
    // no statement, a comment, or one naming other tables: no ancestor, whatever it depends on
    expect(refused(attach(null))).toEqual(e)
    expect(refused(attach(''))).toEqual(e)
    expect(refused(attach('-- ALTER TABLE ONLY victim.e ATTACH PARTITION public.t x;\n'))).toEqual(
      e
    )
    expect(
      refused(attach('ALTER TABLE ONLY victim.e ATTACH PARTITION public.u FOR VALUES IN (1);\n'))
    ).toEqual(e)
    expect(
      refused(attach('ALTER TABLE ONLY public.u ATTACH PARTITION public.t FOR VALUES IN (1);\n'))
    ).toEqual(e)
    // not pg_dump's text (no ONLY, unqualified, upper case folded, more before it)
    expect(
      refused(attach('ALTER TABLE victim.e ATTACH PARTITION public.t FOR VALUES IN (1);\n'))
    ).toEqual(e)
    expect(refused(attach('ALTER TABLE ONLY e ATTACH PARTITION t FOR VALUES IN (1);\n'))).toEqual(e)
    expect(
      refused(attach('ALTER TABLE ONLY Victim.e ATTACH PARTITION public.t FOR VALUES IN (1);\n'))
    ).toEqual(e)
    expect(
      refused(
        attach(
          'SELECT 1;\nALTER TABLE ONLY victim.e ATTACH PARTITION public.t FOR VALUES IN (1);\n'
        )
      )
    ).toEqual(e)
    // the statement's partition is not the entry's own table
    expect(
      refused(
        attach(
          'ALTER TABLE ONLY victim.e ATTACH PARTITION public.u FOR VALUES IN (1);\n',
          'public',
          'u'
        )
      )
    ).toEqual(e)
    // the parent is no TABLE entry of the archive (the target's own table): not an ancestor by
    // the archive, a link to the target's table, which the target's check decides (b22; pg_dump
    // -t <partition> --load-via-partition-root writes it so)
    const toTarget = [
      t,
      attach('ALTER TABLE ONLY victim.e ATTACH PARTITION public.t FOR VALUES IN (1);\n'),
      into
    ]
    expect(copyTargetMismatch(toTarget)).toBeUndefined()
    expect(rootCopiesForTarget({ tables: [], schemas: [] }, { entries: toTarget })).toEqual([
      expect.objectContaining({ own: { schema: 'public', name: 't' }, root: e, attaches: true })
    ])
    // pg_dump's own: passes; quoted names compared unquoted
    expect(
      refused(attach('ALTER TABLE ONLY victim.e ATTACH PARTITION public.t FOR VALUES IN (1);\n'))
    ).toBeUndefined()
    expect(
      refused(attach('ALTER TABLE ONLY "victim"."e" ATTACH PARTITION public."t" DEFAULT;\n'))
    ).toBeUndefined()
    // a TABLE entry's CREATE … PARTITION OF counts only as pg_dump writes it, of itself
    const create = (defn: string) => tocEntry('TABLE', 'public', 't', { defn })
    expect(
      copyTargetMismatch([
        victim,
        create(
          'CREATE TABLE public.t PARTITION OF victim.e (\n    id integer\n)\nFOR VALUES IN (1);\n'
        ),
        into
      ])
    ).toBeUndefined()
    expect(
      copyTargetMismatch([
        victim,
        create('CREATE TABLE public.u PARTITION OF victim.e\nFOR VALUES IN (1);\n'),
        into
      ])?.copied
    ).toEqual(e)
    expect(
      copyTargetMismatch([
        victim,
        create('CREATE TABLE public.t (id int); -- PARTITION OF victim.e\n'),
        into
      ])?.copied
    ).toEqual(e)
  })

  it('refuseCopyElsewhere names the entry, both tables, and what pg_restore would do', () => {
    const swapped = data('public', 'a\nb', 'COPY victim."E x" (id, v) FROM stdin;')
    let error: unknown
    try {
      refuseCopyElsewhere({ entries: [tocEntry('TABLE', 'public', 'a\nb'), swapped] })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(RestoreError)
    const message = (error as Error).message
    expect(message).toContain(`entry ${swapped.dumpId} (TABLE DATA public."a\nb")`)
    expect(message).toContain('names another table, victim."E x"')
    expect(message).toContain(
      'the archive was altered or is not pg_dump\'s; pg_restore would load its rows into victim."E x". Nothing was restored.'
    )
    expect(() =>
      refuseCopyElsewhere({ entries: [data('public', 't', 'COPY public.t FROM stdin;')] })
    ).not.toThrow()
  })
})

describe("a partition's COPY into its root, with a selection (attacker a89 F3)", () => {
  const users = tocEntry('TABLE', 'auth', 'users')
  const m = tocEntry('TABLE', 'public', 'm')
  const kid = tocEntry('TABLE', 'public', 'kid')
  const attach = (parent: string) =>
    tocEntry('TABLE ATTACH', 'public', 'kid', {
      defn: `ALTER TABLE ONLY ${parent} ATTACH PARTITION public.kid FOR VALUES IN (1);\n`,
      dependencies: [kid.dumpId, m.dumpId]
    })
  const kidData = (into: string) =>
    tocEntry('TABLE DATA', 'public', 'kid', {
      copyStmt: `COPY ${into} (id, email) FROM stdin;\n`,
      dependencies: [kid.dumpId]
    })
  const lying = [users, m, kid, attach('auth.users'), kidData('auth.users')]
  const legit = [users, m, kid, attach('public.m'), kidData('public.m')]
  const all = (entries: TocEntry[]) => new Set(entries.map(e => e.dumpId))
  const ids = (entries: TocEntry[], ...picked: TocEntry[]) =>
    new Set(entries.filter(e => picked.includes(e)).map(e => e.dumpId))
  const roots = (entries: TocEntry[], loaded: Set<number>) =>
    copiesIntoRootsNotRestored(entries, loaded).map(c => ({
      own: c.own,
      root: c.root,
      createsRoot: c.createsRoot,
      createsOwn: c.createsOwn
    }))
  const kidKey = { schema: 'public', name: 'kid' }

  it('the archive alone accepts both (copyTargetMismatch: the ATTACH makes the root an ancestor)', () => {
    expect(copyTargetMismatch(lying)).toBeUndefined()
    expect(copyTargetMismatch(legit)).toBeUndefined()
  })

  it('the whole archive, or one that loads the root and the ATTACH: nothing for the target', () => {
    expect(roots(lying, all(lying))).toEqual([])
    expect(roots(legit, all(legit))).toEqual([])
  })

  it("the ATTACH or the root's TABLE entry not loaded: for the target, saying what the restore creates", () => {
    const data = lying[4]!
    // --tables kid: kid's TABLE and TABLE DATA, not the ATTACH nor auth.users
    expect(roots(lying, ids(lying, kid, data))).toEqual([
      {
        own: kidKey,
        root: { schema: 'auth', name: 'users' },
        createsRoot: false,
        createsOwn: true
      }
    ])
    // --data-only --tables kid: the data alone
    expect(roots(lying, ids(lying, data))).toEqual([
      {
        own: kidKey,
        root: { schema: 'auth', name: 'users' },
        createsRoot: false,
        createsOwn: false
      }
    ])
    // the root's TABLE entry loaded, the ATTACH not
    expect(roots(lying, ids(lying, users, kid, data))).toEqual([
      {
        own: kidKey,
        root: { schema: 'auth', name: 'users' },
        createsRoot: true,
        createsOwn: true
      }
    ])
    // the ATTACH loaded, the root not (the target's auth.users would be attached to)
    expect(roots(lying, ids(lying, kid, lying[3]!, data))).toHaveLength(1)
    // an entry not loaded is not the restore's
    expect(roots(lying, ids(lying, kid))).toEqual([])
  })

  it('rootCopiesForTarget: refuses before the target where the restore creates either table; data-only goes to the target', () => {
    const refusal = (selection: { tables: string[]; schemas: string[]; dataOnly?: boolean }) => {
      try {
        rootCopiesForTarget(selection, { entries: lying })
      } catch (e) {
        return e
      }
      return undefined
    }
    const error = refusal({ tables: ['kid'], schemas: [] })
    expect(error).toBeInstanceOf(RestoreError)
    expect((error as Error).message).toContain(
      `entry ${lying[4]!.dumpId} (TABLE DATA public.kid) holds the rows of public.kid, but its COPY statement names another table, auth.users`
    )
    expect((error as Error).message).toContain(
      'pg_restore would load the rows of public.kid into auth.users as it is. Nothing was restored.'
    )
    expect(refusal({ tables: ['kid', 'users'], schemas: [] })).toBeInstanceOf(RestoreError)
    expect(
      rootCopiesForTarget({ tables: ['kid'], schemas: [], dataOnly: true }, { entries: lying })
    ).toEqual([
      {
        dumpId: lying[4]!.dumpId,
        own: kidKey,
        root: { schema: 'auth', name: 'users' },
        statement: 'COPY auth.users (id, email) FROM stdin;',
        linked: true
      }
    ])
    // no selection: the whole archive creates what its statements say
    expect(rootCopiesForTarget({ tables: [], schemas: [] }, { entries: lying })).toEqual([])
    // a schema with the partition, its ATTACH and its root
    expect(rootCopiesForTarget({ tables: [], schemas: ['public'] }, { entries: legit })).toEqual([])
  })
})

describe('pg_dump --data-only --load-via-partition-root: a COPY into the root, the archive defining neither table', () => {
  const data = (schema: string, name: string, copy: string) =>
    tocEntry('TABLE DATA', schema, name, { copyStmt: `${copy}\n` })
  const m1 = data('public', 'm1', 'COPY public.m (id, v) FROM stdin;')
  const m3 = data('other', 'm3', 'COPY public.m (id, v) FROM stdin;')
  const plain = data('public', 'plain', 'COPY public.plain (id) FROM stdin;')
  const entries = [m1, m3, plain]
  const expected = (e: TocEntry, own: { schema: string; name: string }) => ({
    dumpId: e.dumpId,
    own,
    root: { schema: 'public', name: 'm' },
    statement: 'COPY public.m (id, v) FROM stdin;',
    linked: false
  })

  it('the archive alone refuses none of them: the target decides (copyTargetMismatch)', () => {
    expect(copyTargetMismatch(entries)).toBeUndefined()
    expect(() => refuseCopyElsewhere({ entries })).not.toThrow()
  })

  it('each goes to the target check, with a selection or without', () => {
    const m1Key = { schema: 'public', name: 'm1' }
    const m3Key = { schema: 'other', name: 'm3' }
    expect(rootCopiesForTarget({ tables: [], schemas: [] }, { entries })).toEqual([
      expected(m1, m1Key),
      expected(m3, m3Key)
    ])
    expect(rootCopiesForTarget({ tables: [], schemas: [], dataOnly: true }, { entries })).toEqual([
      expected(m1, m1Key),
      expected(m3, m3Key)
    ])
    expect(
      rootCopiesForTarget({ tables: ['m1'], schemas: [], dataOnly: true }, { entries })
    ).toEqual([expected(m1, m1Key)])
    expect(rootCopiesForTarget({ tables: ['plain'], schemas: [] }, { entries })).toEqual([])
  })

  it('where the archive defines either table (a TABLE or TABLE ATTACH entry of it), refused by the archive', () => {
    for (const defines of [
      tocEntry('TABLE', 'public', 'm1'),
      tocEntry('TABLE', 'public', 'm'),
      tocEntry('TABLE ATTACH', 'public', 'm1', { defn: '' })
    ])
      expect(copyTargetMismatch([defines, ...entries])).toEqual({
        entry: m1,
        own: { schema: 'public', name: 'm1' },
        copied: { schema: 'public', name: 'm' }
      })
  })
})

describe('pg_dump -t <partition> --load-via-partition-root: an ATTACH to a root the archive does not create (b22)', () => {
  const data = (schema: string, name: string, copy: string) =>
    tocEntry('TABLE DATA', schema, name, { copyStmt: `${copy}\n` })
  const attach = (tag: string, defn: string) => tocEntry('TABLE ATTACH', 'public', tag, { defn })
  const meas = { schema: 'public', name: 'meas' }
  const own = { schema: 'public', name: 'meas_2024' }
  const table = tocEntry('TABLE', 'public', 'meas_2024')
  const link = attach(
    'meas_2024',
    "ALTER TABLE ONLY public.meas ATTACH PARTITION public.meas_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\n"
  )
  const rows = data('public', 'meas_2024', 'COPY public.meas (id, d, v) FROM stdin;')
  const entries = [table, link, rows]
  const all = new Set(entries.map(e => e.dumpId))

  it("the archive accepts the COPY into the ATTACH's parent; the restore attaches, the target decides", () => {
    expect(copyTargetMismatch(entries)).toBeUndefined()
    expect(() => refuseCopyElsewhere({ entries })).not.toThrow()
    expect(copiesIntoRootsNotRestored(entries, all)).toEqual([
      expect.objectContaining({
        own,
        root: meas,
        createsRoot: false,
        createsOwn: true,
        linked: true,
        attaches: true,
        attachedTables: [own]
      })
    ])
    expect(rootCopiesForTarget({ tables: [], schemas: [] }, { entries })).toEqual([
      {
        dumpId: rows.dumpId,
        own,
        root: meas,
        statement: 'COPY public.meas (id, d, v) FROM stdin;',
        linked: true,
        attaches: true,
        attachedTables: [own],
        // the entries whose statements attach it: their hazards are this attach's (a92 F2)
        attachEntries: [table.dumpId, link.dumpId]
      }
    ])
  })

  it('pg_dump before 12: CREATE TABLE <itself> PARTITION OF <the target’s table>', () => {
    const create = tocEntry('TABLE', 'public', 'meas_2024', {
      defn: "CREATE TABLE public.meas_2024 PARTITION OF public.meas\nFOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\n"
    })
    const old = [create, data('public', 'meas_2024', 'COPY public.meas (id, d, v) FROM stdin;')]
    expect(copyTargetMismatch(old)).toBeUndefined()
    expect(rootCopiesForTarget({ tables: [], schemas: [] }, { entries: old })).toEqual([
      expect.objectContaining({ own, root: meas, attaches: true })
    ])
  })

  it('a sub-partitioned partition dumped alone: the leaf’s COPY into the root its parent is attached to', () => {
    const mid = tocEntry('TABLE', 'public', 'meas_2024')
    const leaf = tocEntry('TABLE', 'public', 'meas_2024_a')
    const tree = [
      mid,
      leaf,
      attach(
        'meas_2024',
        "ALTER TABLE ONLY public.meas ATTACH PARTITION public.meas_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\n"
      ),
      attach(
        'meas_2024_a',
        'ALTER TABLE ONLY public.meas_2024 ATTACH PARTITION public.meas_2024_a FOR VALUES IN (1);\n'
      ),
      data('public', 'meas_2024_a', 'COPY public.meas (id, d, v) FROM stdin;')
    ]
    expect(copyTargetMismatch(tree)).toBeUndefined()
    expect(
      copiesIntoRootsNotRestored(tree, new Set(tree.map(e => e.dumpId))).map(c => [
        c.attaches,
        c.attachedTables
      ])
    ).toEqual([[true, [own]]])
  })

  it("an ATTACH naming another table than the entry's own as the partition is no link", () => {
    const other = tocEntry('TABLE', 'public', 'other')
    const lying = attach(
      'meas_2024',
      "ALTER TABLE ONLY public.meas ATTACH PARTITION public.other FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\n"
    )
    expect(copyTargetMismatch([table, other, lying, rows])).toEqual({
      entry: rows,
      own,
      copied: meas
    })
    // nor one whose partition is no TABLE entry of the archive
    expect(copyTargetMismatch([link, rows])?.copied).toEqual(meas)
    expect(copyTargetMismatch([tocEntry('TABLE', 'public', 'x'), link, rows])?.copied).toEqual(meas)
  })

  it('a COPY into an unrelated table where the ATTACH names a different parent: still refused', () => {
    const forged = data('public', 'meas_2024', 'COPY auth.users (id, d, v) FROM stdin;')
    expect(copyTargetMismatch([table, link, forged])).toEqual({
      entry: forged,
      own,
      copied: { schema: 'auth', name: 'users' }
    })
    expect(() => refuseCopyElsewhere({ entries: [table, link, forged] })).toThrow(
      /names another table, auth\.users .*the archive was altered or is not pg_dump's/
    )
  })

  it('the ATTACH left out (data-only, or tables without it): as a --data-only archive, the table must be among the root’s partitions already', () => {
    // data-only: only the data entry runs
    expect(rootCopiesForTarget({ tables: [], schemas: [], dataOnly: true }, { entries })).toEqual([
      {
        dumpId: rows.dumpId,
        own,
        root: meas,
        statement: 'COPY public.meas (id, d, v) FROM stdin;',
        linked: true
      }
    ])
    // the table created, not attached (the ATTACH not loaded): refused before the target
    expect(
      copiesIntoRootsNotRestored(entries, new Set([table.dumpId, rows.dumpId])).map(c => [
        c.attaches,
        c.createsOwn
      ])
    ).toEqual([[false, true]])
  })
})
