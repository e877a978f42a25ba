import { describe, expect, it } from '@jest/globals'
import {
  dataDependencies,
  dataGroups,
  dataPasses,
  batchPasses,
  entriesName,
  inLoadOrder,
  loadBatches,
  mergeSkippedInArchiveOrder,
  listedEntries,
  mergeSkipped,
  postDataWaves,
  runPooled
} from '../../src/postgres/parallel-restore.js'
import type { ArchiveToc, TocEntry } from '../../src/postgres/toc.js'
import type { SkippedStatement } from '../../src/postgres/script-gate.js'

describe('listedEntries', () => {
  it('the dumpIds of a pg_restore --list output, comments and blank lines left out', () => {
    const list = [
      ';',
      '; Archive created at 2026-12-01 10:00:00 UTC',
      ';     dbname: shop',
      '3352; 0 16388 TABLE DATA public t postgres',
      ';3354; 0 16402 TABLE DATA public u postgres',
      '',
      '3364; 0 0 SEQUENCE SET public s postgres'
    ].join('\n')
    expect(listedEntries(list)).toEqual([3352, 3364])
  })
})

describe('dataGroups', () => {
  const entry = (dumpId: number, desc: string, dependencies: number[] = []): TocEntry =>
    ({ dumpId, desc, dependencies }) as unknown as TocEntry
  // pg_dump 17+: large objects as BLOB METADATA (creates them) and BLOBS (their data, after it)
  const toc = {
    entries: [
      entry(226, 'TABLE'),
      entry(3618, 'TABLE DATA', [226]),
      entry(3620, 'TABLE DATA', [228]),
      entry(3625, 'BLOB METADATA'),
      entry(3626, 'BLOBS', [3625, 3627]),
      entry(3628, 'BLOB METADATA'),
      entry(3629, 'BLOBS', [3628])
    ]
  }

  it('an entry loads with the entries it depends on, in archive order; the others alone', () => {
    expect(dataGroups(toc, [3618, 3620, 3625, 3626, 3628, 3629])).toEqual([
      [3618],
      [3620],
      [3625, 3626],
      [3628, 3629]
    ])
  })

  it('a BLOBS entry listed without its metadata (a subset) loads alone', () => {
    expect(dataGroups(toc, [3626, 3618])).toEqual([[3626], [3618]])
  })

  it('groups as batches: largest first by the sum of their entries; a BLOBS entry never before its metadata', () => {
    const sizes = new Map([
      [3618, 100],
      [3620, 50],
      [3626, 90]
    ])
    const listed = [3618, 3620, 3625, 3626, 3628, 3629]
    const bytes = (ids: readonly number[]): number =>
      ids.reduce((sum, id) => sum + (sizes.get(id) ?? 0), 0)
    // four groups, jobs 1: room for four batches, each group one of its own
    expect(loadBatches(dataGroups(toc, listed), 1, listed, bytes)).toEqual([
      [3625, 3626],
      [3628, 3629],
      [3618],
      [3620]
    ])
  })
})

describe('loadBatches', () => {
  const listed = Array.from({ length: 300 }, (_, i) => i + 1)
  const groups = listed.map(id => [id])

  it('300 small tables, jobs 2: 8 program runs, each entry once, each run in archive order, even', () => {
    const batches = loadBatches(groups, 2, listed, () => 1000)
    expect(batches).toHaveLength(8)
    expect(batches.flat().sort((a, b) => a - b)).toEqual(listed)
    for (const batch of batches) expect([...batch].sort((a, b) => a - b)).toEqual(batch)
    const lengths = batches.map(b => b.length)
    expect(Math.max(...lengths) - Math.min(...lengths)).toBeLessThanOrEqual(1)
  })

  it('one large table beside many small ones: alone in the first batch, the rest spread', () => {
    const bytes = (ids: readonly number[]): number => (ids.includes(150) ? 500_000_000 : 2000)
    const batches = loadBatches(groups, 2, listed, bytes)
    expect(batches[0]).toEqual([150])
    expect(batches.slice(1).every(b => !b.includes(150) && b.length >= 40)).toBe(true)
  })

  it('a group is never split; no more batches than groups; jobs 4 gives up to 16', () => {
    const pairs = Array.from({ length: 10 }, (_, i) => [2 * i + 1, 2 * i + 2])
    const ids = pairs.flat().sort((a, b) => a - b)
    const batches = loadBatches(pairs, 8, ids, () => 0)
    expect(batches).toHaveLength(10)
    expect(batches).toEqual(expect.arrayContaining(pairs))
    expect(loadBatches(groups, 4, listed, () => 0)).toHaveLength(16)
  })
})

describe('inLoadOrder, batchPasses: a batch read forward (attacker a71 F1, F1b)', () => {
  it("two groups' entries in archive order, not group after group", () => {
    // the group [1, 3] (3's rows after 1's) and [2] share a batch: 1, 2, 3 (a tar archive)
    const listed = Array.from({ length: 17 }, (_, i) => i + 1)
    const groups = [[1, 3], ...listed.filter(id => id !== 1 && id !== 3).map(id => [id])]
    const batches = loadBatches(groups, 2, listed, () => 0)
    const shared = batches.find(b => b.includes(1))!
    expect(shared.length).toBeGreaterThan(2)
    expect(shared).toEqual([...shared].sort((a, b) => a - b))
  })

  it('a rank above 0 after the ranks below; one pass per rank, each in archive order', () => {
    // 2 (a child) comes before 5 (its parent) in the archive: its rows after the parent's
    const rank = new Map([[2, 1]])
    const ordered = inLoadOrder([5, 2, 7, 1], [1, 2, 5, 7], rank)
    expect(ordered).toEqual([1, 5, 7, 2])
    expect(batchPasses(ordered, rank)).toEqual([[1, 5, 7], [2]])
    expect(batchPasses([1, 5, 7], new Map())).toEqual([[1, 5, 7]])
  })
})

describe('mergeSkippedInArchiveOrder', () => {
  const toc = {
    entries: [
      { dumpId: 1, desc: 'TABLE DATA', namespace: 'public', tag: 'a', dependencies: [] },
      { dumpId: 2, desc: 'TABLE DATA', namespace: 'public', tag: 'b', dependencies: [] },
      { dumpId: 3, desc: 'TABLE DATA', namespace: 'auth', tag: 'c', dependencies: [] }
    ] as unknown as TocEntry[]
  }
  const header = { line: 5, reason: 'not before 17', text: 'SET transaction_timeout = 0;' }
  const copy = (table: string): SkippedStatement => ({
    line: 20,
    reason: 'the target held rows already',
    text: `COPY ${table} …`,
    table
  })

  it("batches' COPYs left out in archive order, each batch's other statements after its COPY, the header once", () => {
    const c = copy('auth.c')
    const a = copy('public.a')
    const afterA = { line: 30, reason: 'r', text: 'SELECT pg_catalog.setval(…);' }
    const b = copy('public.b')
    expect(
      mergeSkippedInArchiveOrder(
        [
          [{ ...header }, c],
          [{ ...header }, a, afterA, b]
        ],
        toc,
        [1, 2, 3]
      )
    ).toEqual([header, a, afterA, b, c])
  })
})

describe('entriesName', () => {
  it('names one, a few, or counts many', () => {
    expect(entriesName([7], 'data entry', 'data entries')).toBe('the data entry 7')
    expect(entriesName([7, 9], 'data entry', 'data entries')).toBe('the data entries 7, 9')
    expect(entriesName([7, 9, 12, 310], 'data entry', 'data entries')).toBe(
      '4 data entries (7, 9, … 310)'
    )
  })
})

describe('runPooled', () => {
  it('runs every item, never more than `limit` at once', async () => {
    let running = 0
    let most = 0
    const done: number[] = []
    await runPooled([1, 2, 3, 4, 5, 6, 7], 3, async item => {
      running++
      most = Math.max(most, running)
      await new Promise(resolve => setTimeout(resolve, 5 * (item % 3)))
      running--
      done.push(item)
    })
    expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7])
    expect(most).toBe(3)
  })

  it('the first failure: no further item starts, the running ones are aborted and awaited, its error is thrown', async () => {
    const started: number[] = []
    const aborted: number[] = []
    const settled: number[] = []
    const error = await runPooled([1, 2, 3, 4, 5], 2, async (item, signal) => {
      started.push(item)
      if (item === 1) {
        await new Promise(resolve => setTimeout(resolve, 5))
        throw new Error('entry 1 failed')
      }
      await new Promise<void>(resolve => {
        const timer = setTimeout(resolve, 10_000)
        signal.addEventListener('abort', () => {
          clearTimeout(timer)
          aborted.push(item)
          resolve()
        })
      })
      settled.push(item)
      throw new Error(`entry ${item} stopped`)
    }).then(
      () => undefined,
      (e: Error) => e
    )
    expect(error?.message).toBe('entry 1 failed')
    expect(started).toEqual([1, 2])
    expect(aborted).toEqual([2])
    expect(settled).toEqual([2])
  })
})

describe('mergeSkipped', () => {
  it("a statement repeated by later scripts (pg_restore's header) is listed once; repeats within one script and COPYs stay", () => {
    const timeout = {
      line: 13,
      reason: 'no transaction_timeout',
      text: 'SET transaction_timeout = 0;'
    }
    const grant = { line: 40, reason: 'GRANT not restored', text: 'GRANT SELECT ON t TO r;' }
    const copy = {
      line: 20,
      reason: 'kept the rows',
      text: 'COPY auth.x (id) FROM stdin;',
      table: 'auth.x',
      rows: 3
    }
    expect(
      mergeSkipped([
        [timeout, grant, grant],
        [timeout, copy],
        [{ ...timeout }, copy, grant]
      ])
    ).toEqual([timeout, grant, grant, copy, copy])
  })
})

describe('postDataWaves', () => {
  const entry = (dumpId: number, desc: string, dependencies: number[] = []): TocEntry =>
    ({ dumpId, desc, dependencies }) as unknown as TocEntry
  // what pg_dump writes: tables t (215), u (217), a materialized view m (219) and their post-data
  const toc = {
    entries: [
      entry(215, 'TABLE'),
      entry(217, 'TABLE'),
      entry(219, 'MATERIALIZED VIEW', [215]),
      entry(3208, 'CONSTRAINT', [215]),
      entry(3206, 'INDEX', [215]),
      entry(3207, 'INDEX', [217]),
      entry(3210, 'INDEX', [219]),
      entry(3211, 'COMMENT', [3206]),
      entry(3209, 'FK CONSTRAINT', [217, 215, 3208]),
      entry(3212, 'TRIGGER', [217])
    ]
  } as unknown as ArchiveToc
  it("one group per table (its indexes and keys, in archive order); foreign keys, a view's index, comments, triggers after them", () => {
    expect(postDataWaves(toc, [3208, 3206, 3207, 3210, 3211, 3209, 3212])).toEqual({
      groups: [[3208, 3206], [3207]],
      rest: [3210, 3211, 3209, 3212]
    })
  })
  it('only the entries pg_restore --list named (the tables and schemas asked for)', () => {
    expect(postDataWaves(toc, [3207, 3209])).toEqual({ groups: [[3207]], rest: [3209] })
  })
})

describe("the target's foreign keys between tables the load fills (trial u14 F1)", () => {
  const data = (dumpId: number, namespace: string, tag: string, section = 'data'): TocEntry =>
    ({
      dumpId,
      desc: 'TABLE DATA',
      namespace,
      tag,
      section,
      dependencies: []
    }) as unknown as TocEntry
  const other = (dumpId: number, desc: string, section: string): TocEntry =>
    ({ dumpId, desc, section, dependencies: [] }) as unknown as TocEntry
  // Supabase's auth: identities, refresh_tokens and sessions sort before users; refresh_tokens
  // references sessions, which references users
  const toc = {
    entries: [
      other(10, 'SCHEMA', 'pre-data'),
      other(11, 'TABLE', 'pre-data'),
      data(20, 'auth', 'identities'),
      data(21, 'auth', 'refresh_tokens'),
      data(22, 'auth', 'sessions'),
      data(23, 'auth', 'users'),
      data(24, 'public', 'todos'),
      other(25, 'SEQUENCE SET', 'data'),
      other(30, 'CONSTRAINT', 'post-data'),
      other(31, 'ACL', 'none')
    ]
  }
  const listed = [10, 11, 20, 21, 22, 23, 24, 25, 30, 31]
  const t = (schema: string, name: string) => ({ schema, name })
  const order = [
    { table: t('auth', 'identities'), references: t('auth', 'users') },
    { table: t('auth', 'sessions'), references: t('auth', 'users') },
    { table: t('auth', 'refresh_tokens'), references: t('auth', 'sessions') },
    // the app's keys onto users come after it in the archive: no move
    { table: t('public', 'todos'), references: t('auth', 'users') },
    // a table the backup has no data for: nothing
    { table: t('auth', 'mfa_factors'), references: t('auth', 'users') }
  ]

  it('each key as the data entries it ties; a table onto itself and tables without data left out', () => {
    expect(
      dataDependencies(toc, listed, [
        ...order,
        { table: t('auth', 'users'), references: t('auth', 'users') }
      ])
    ).toEqual([
      { entry: 20, after: 23 },
      { entry: 22, after: 23 },
      { entry: 21, after: 22 },
      { entry: 24, after: 23 }
    ])
  })

  it('a cycle of keys is left out (no order serves it); the rest stays', () => {
    const cycle = [
      { table: t('auth', 'identities'), references: t('auth', 'sessions') },
      { table: t('auth', 'sessions'), references: t('auth', 'identities') },
      { table: t('public', 'todos'), references: t('auth', 'sessions') }
    ]
    expect(dataDependencies(toc, listed, cycle)).toEqual([{ entry: 24, after: 22 }])
  })

  it('passes: the data section without the entries that must wait, then each rank, then the rest; each in archive order', () => {
    const after = dataDependencies(toc, listed, order)
    expect(dataPasses(toc, listed, after)).toEqual([[10, 11, 23, 24, 25], [20, 22], [21], [30, 31]])
  })

  it("one pass (undefined) where the archive's order serves every key", () => {
    const after = dataDependencies(toc, listed, [order[3]])
    expect(after).toEqual([{ entry: 24, after: 23 }])
    expect(dataPasses(toc, listed, after)).toBeUndefined()
  })

  it('a parallel load: the tied tables in one group, referenced first; the others alone', () => {
    const after = dataDependencies(toc, listed, order)
    expect(dataGroups(toc, [20, 21, 22, 23, 24, 25], after)).toEqual([[23, 24, 20, 22, 21], [25]])
  })
})

describe('dataDependencies with a table of several data entries (a plain script COPYs it twice)', () => {
  it('each entry of the table after each entry of the one it references', () => {
    const data = (dumpId: number, tag: string): TocEntry =>
      ({
        dumpId,
        desc: 'TABLE DATA',
        namespace: 'public',
        tag,
        section: 'data',
        dependencies: []
      }) as unknown as TocEntry
    const toc = { entries: [data(1, 'c1'), data(2, 'c1'), data(3, 'p2'), data(4, 'p2')] }
    const order = [
      { table: { schema: 'public', name: 'c1' }, references: { schema: 'public', name: 'p2' } }
    ]
    const after = dataDependencies(toc, [1, 2, 3, 4], order)
    expect(after).toEqual([
      { entry: 1, after: 3 },
      { entry: 1, after: 4 },
      { entry: 2, after: 3 },
      { entry: 2, after: 4 }
    ])
    expect(dataPasses(toc, [1, 2, 3, 4], after)).toEqual([
      [3, 4],
      [1, 2]
    ])
  })
})
