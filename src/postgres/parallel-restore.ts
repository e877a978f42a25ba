/**
 * What a parallel restore (jobs > 1) needs besides the load's script gate: the archive's data
 * entries as `pg_restore --list` prints them, largest first, and a pool that runs them `jobs` at a
 * time and stops on the first failure.
 *
 * A parallel restore runs the same gate as every other restore (load.ts): the pre-data section
 * as one script, then the data entries in batches (`pg_restore -f - -L <the batch's entries>`,
 * loadBatches) in `jobs` psql sessions at once (an entry with the one it depends on, dataGroups;
 * tables' data entries as pg_dump writes them by `pg_restore -d` itself: load.ts
 * directDataEntries), then the post-data section (the tables' indexes and keys in batches, `jobs`
 * at a time, then the rest) — each through the gate into psql, so that it skips and refuses
 * exactly what a restore with jobs: 1 skips and refuses.
 */
import { stat } from 'node:fs/promises'
import path from 'node:path'
import type { QualifiedName } from '../types.js'
import type { SkippedStatement } from './script-gate.js'
import type { ArchiveToc } from './toc.js'

/** The dumpIds of the entries a `pg_restore --list` output names (its non-comment lines). */
export function listedEntries(list: string): number[] {
  const ids: number[] = []
  for (const line of list.split('\n')) {
    const m = /^\s*(\d+);/.exec(line)
    if (m) ids.push(Number(m[1]))
  }
  return ids
}

/**
 * The bytes of each entry's data in the archive (0 when unknown): in a custom archive the
 * distance to the next data block, in a directory archive its data file's size.
 */
export async function dataSizes(
  toc: ArchiveToc,
  archivePath: string
): Promise<Map<number, number>> {
  const sizes = new Map<number, number>()
  const custom = toc.entries
    .flatMap(e =>
      e.extra.format === 'custom' && e.extra.dataState === 'set'
        ? [{ id: e.dumpId, offset: e.extra.dataOffset }]
        : []
    )
    .sort((a, b) => a.offset - b.offset)
  if (custom.length > 0) {
    const end = (await stat(archivePath)).size
    custom.forEach((e, i) => sizes.set(e.id, (custom[i + 1]?.offset ?? end) - e.offset))
    return sizes
  }
  for (const e of toc.entries) {
    if (e.extra.format !== 'directory' || !e.extra.filename) continue
    const file = path.join(archivePath, e.extra.filename)
    for (const suffix of ['', '.gz', '.lz4', '.zst']) {
      const size = await stat(file + suffix).then(
        s => s.size,
        () => undefined
      )
      if (size !== undefined) {
        sizes.set(e.dumpId, size)
        break
      }
    }
  }
  return sizes
}

/** A data entry whose rows load after those of another (`after`): a foreign key of the target. */
export interface DataAfter {
  entry: number
  after: number
}

/**
 * The TABLE DATA entries among `listed` that `order` (pairs of tables: a foreign key of the
 * target, data-only.ts fillLoadOrder) ties: the holder's entry after the referenced table's. A
 * pair that is part of a cycle of such keys is left out (no order satisfies it: its rows are
 * checked as they arrive, as by hand).
 */
export function dataDependencies(
  toc: Pick<ArchiveToc, 'entries'>,
  listed: readonly number[],
  order: ReadonlyArray<{ table: QualifiedName; references: QualifiedName }>
): DataAfter[] {
  const inList = new Set(listed)
  const key = (schema: string, name: string): string => JSON.stringify([schema, name])
  // a table's data entries (a plain script may COPY into one table more than once)
  const byTable = new Map<string, number[]>()
  for (const e of toc.entries)
    if (e.desc === 'TABLE DATA' && inList.has(e.dumpId)) {
      const k = key(e.namespace ?? '', e.tag)
      byTable.set(k, [...(byTable.get(k) ?? []), e.dumpId])
    }
  const edges: DataAfter[] = []
  for (const { table, references } of order)
    for (const entry of byTable.get(key(table.schema, table.name)) ?? [])
      for (const after of byTable.get(key(references.schema, references.name)) ?? [])
        if (entry !== after) edges.push({ entry, after })
  const next = new Map<number, number[]>()
  for (const { entry, after } of edges) next.set(entry, [...(next.get(entry) ?? []), after])
  /** Whether `to` follows from `from` by edges (from's entry after …, after … to). */
  const reaches = (from: number, to: number): boolean => {
    const seen = new Set<number>([from])
    const stack = [from]
    while (stack.length > 0) {
      const at = stack.pop()!
      if (at === to) return true
      for (const n of next.get(at) ?? []) if (!seen.has(n) && seen.add(n)) stack.push(n)
    }
    return false
  }
  return edges.filter(({ entry, after }) => !reaches(after, entry))
}

/**
 * Each entry's rank in the load: 0 where the archive's order serves, else one more than the
 * entry it must follow when that one comes later in `listed` or has a higher rank (the rows of a
 * rank load after those of the ranks below, in archive order within one). `after` is acyclic.
 */
export function dataRanks(
  listed: readonly number[],
  after: readonly DataAfter[]
): Map<number, number> {
  const position = new Map(listed.map((id, i) => [id, i]))
  const rank = new Map<number, number>()
  const of = (id: number): number => rank.get(id) ?? 0
  for (let round = 0, changed = true; changed && round <= listed.length; round++) {
    changed = false
    for (const { entry, after: first } of after) {
      const later =
        of(entry) > of(first) ||
        (of(entry) === of(first) && position.get(entry)! > position.get(first)!)
      if (!later) {
        rank.set(entry, of(first) + 1)
        changed = true
      }
    }
  }
  return rank
}

/**
 * The listed entries (archive order) as the passes of pg_restore that load them so that every
 * entry of `after` loads after the one it names: first everything up to the end of the data
 * section but the data entries of a rank above 0 (dataRanks), then those, one pass per rank,
 * then the rest (post-data, privileges). Each pass is in archive order, so that a pass reads
 * the archive forward once (an archive on stdin cannot be read backwards, nor can a tar
 * archive). Undefined when the archive's order serves (one pass).
 */
export function dataPasses(
  toc: Pick<ArchiveToc, 'entries'>,
  listed: readonly number[],
  after: readonly DataAfter[]
): number[][] | undefined {
  const rank = dataRanks(listed, after)
  const top = Math.max(0, ...rank.values())
  if (top === 0) return undefined
  const data = new Set(toc.entries.filter(e => e.section === 'data').map(e => e.dumpId))
  let lastData = -1
  listed.forEach((id, i) => {
    if (data.has(id)) lastData = i
  })
  const passes: number[][] = [listed.slice(0, lastData + 1).filter(id => !rank.get(id))]
  for (let r = 1; r <= top; r++) passes.push(listed.filter(id => rank.get(id) === r))
  passes.push(listed.slice(lastData + 1))
  return passes.filter(pass => pass.length > 0)
}

/**
 * The post-data entries in two waves: first the indexes and constraints (not foreign keys) of
 * tables, one group per table (in archive order within it: an ADD CONSTRAINT waits for no
 * CREATE INDEX of its own table), the groups beside each other, as pg_restore --jobs builds
 * them; then the rest in archive order (foreign keys, which need the keys of the first wave,
 * triggers, INDEX ATTACH, materialized views' data and indexes, …).
 */
export function postDataWaves(
  toc: ArchiveToc,
  listed: readonly number[]
): { groups: number[][]; rest: number[] } {
  const byId = new Map(toc.entries.map(e => [e.dumpId, e]))
  const groups = new Map<number, number[]>()
  const rest: number[] = []
  for (const id of listed) {
    const entry = byId.get(id)
    const table =
      entry && (entry.desc === 'INDEX' || entry.desc === 'CONSTRAINT')
        ? entry.dependencies.find(d => byId.get(d)?.desc === 'TABLE')
        : undefined
    if (table === undefined) rest.push(id)
    else groups.set(table, [...(groups.get(table) ?? []), id])
  }
  return { groups: [...groups.values()], rest }
}

/**
 * The data entries in the groups that may load beside each other: entries one of which depends on
 * another (pg_dump 17+ splits large objects into "BLOB METADATA" entries, which create them, and
 * "BLOBS" entries, which fill them and depend on their metadata) load in one group, in archive
 * order, as pg_restore --jobs waits for an entry's dependencies; every other entry alone.
 */
export function dataGroups(
  toc: Pick<ArchiveToc, 'entries'>,
  listed: readonly number[],
  /** Entries whose rows load after another's (a foreign key of the target): grouped with it. */
  after: readonly DataAfter[] = []
): number[][] {
  const inList = new Set(listed)
  const root = new Map<number, number>(listed.map(id => [id, id]))
  const find = (id: number): number => {
    let r = id
    while (root.get(r) !== r) r = root.get(r)!
    root.set(id, r)
    return r
  }
  const join = (x: number, y: number): void => {
    const [a, b] = [find(x), find(y)]
    if (a !== b) root.set(a, b)
  }
  for (const entry of toc.entries) {
    if (!inList.has(entry.dumpId)) continue
    for (const dep of entry.dependencies) {
      if (!inList.has(dep) || dep === entry.dumpId) continue
      join(entry.dumpId, dep)
    }
  }
  for (const { entry, after: first } of after)
    if (inList.has(entry) && inList.has(first)) join(entry, first)
  // within a group: by rank (dataRanks), then in archive order
  const rank = dataRanks(listed, after)
  const ordered = [...listed].sort((a, b) => (rank.get(a) ?? 0) - (rank.get(b) ?? 0))
  const groups = new Map<number, number[]>()
  for (const id of ordered) groups.set(find(id), [...(groups.get(find(id)) ?? []), id])
  // the groups in archive order of their first entry
  const position = new Map(listed.map((id, i) => [id, i]))
  const first = (ids: number[]): number => Math.min(...ids.map(id => position.get(id)!))
  return [...groups.values()].sort((a, b) => first(a) - first(b))
}

/**
 * Runs `work` on every item, at most `limit` at a time. On the first failure no further item
 * starts and `signal` of the running ones is aborted (they stop their programs); once all have
 * settled the first failure is thrown.
 */
export async function runPooled<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, signal: AbortSignal) => Promise<void>
): Promise<void> {
  const abort = new AbortController()
  let failure: { error: unknown } | undefined
  let next = 0
  const worker = async (): Promise<void> => {
    while (!failure && next < items.length) {
      const item = items[next++]
      try {
        await work(item, abort.signal)
      } catch (error) {
        if (!failure) {
          failure = { error }
          abort.abort()
        }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker))
  if (failure) throw failure.error
}

/**
 * The skipped statements of the scripts of one restore, as one list: a statement every script
 * repeats (pg_restore's header, e.g. `SET transaction_timeout` for a server before 17) once,
 * as its first script had it.
 */
export function mergeSkipped(lists: SkippedStatement[][]): SkippedStatement[] {
  const seen = new Set<string>()
  const merged: SkippedStatement[] = []
  const key = (s: SkippedStatement): string => `${s.reason}\u0000${s.text}`
  for (const list of lists) {
    // repeated only within one script: listed as often as it was skipped
    merged.push(...list.filter(s => s.table !== undefined || !seen.has(key(s))))
    for (const s of list) seen.add(key(s))
  }
  return merged
}

/** What one more entry costs within a program run, counted as bytes of data (bytes per entry). */
const ENTRY_WEIGHT = 32 * 1024

/** How many batches per job (loadBatches): enough for the pool to even out the sessions' ends. */
const BATCHES_PER_JOB = 4

/**
 * Groups of entries (dataGroups, postDataWaves) packed into at most `jobs` × 4 batches, each
 * loaded by one session (one pg_restore or psql run per pass: batchPasses): a run costs some
 * 0.1 s (start, connect, read the archive's table of contents), which an archive of thousands of
 * small tables paid once per table (a 300-table archive with jobs: 2 took 33 s where pg_restore
 * -j 2 by hand takes 1 s, whose workers load entry after entry in one session each). The groups
 * go largest first (`bytes`: a group's bytes; each entry adds ENTRY_WEIGHT) to the batch with the
 * fewest bytes so far; a batch's entries are in load order (inLoadOrder: by `rank`, then archive
 * order, which keeps each group's own order), and the batches come largest first. With no more
 * groups than batches, every group is a batch of its own.
 */
export function loadBatches(
  groups: readonly number[][],
  jobs: number,
  listed: readonly number[],
  bytes: (group: readonly number[]) => number,
  /** Data entries' ranks (dataRanks): an entry of a rank above 0 loads after those below it. */
  rank: ReadonlyMap<number, number> = new Map()
): number[][] {
  const weighed = groups
    .map((ids, i) => ({ ids, i, weight: bytes(ids) + ids.length * ENTRY_WEIGHT }))
    .sort((a, b) => b.weight - a.weight || a.i - b.i)
  const count = Math.min(groups.length, Math.max(1, jobs) * BATCHES_PER_JOB)
  const batches = Array.from({ length: count }, (_, i) => ({
    i,
    weight: 0,
    groups: [] as number[][]
  }))
  for (const group of weighed) {
    const lightest = batches.reduce((a, b) => (b.weight < a.weight ? b : a))
    lightest.groups.push(group.ids)
    lightest.weight += group.weight
  }
  return batches
    .sort((a, b) => b.weight - a.weight || a.i - b.i)
    .map(b => inLoadOrder(b.groups.flat(), listed, rank))
}

/**
 * Entries by rank (dataRanks; none: 0), then in archive order (`listed`): within each rank a
 * forward read of the archive, which a tar archive requires (pg_restore: "restoring data out of
 * order is not supported in this archive format": attacker a71 F1, two groups interleaved).
 */
export function inLoadOrder(
  ids: readonly number[],
  listed: readonly number[],
  rank: ReadonlyMap<number, number> = new Map()
): number[] {
  const position = new Map(listed.map((id, i) => [id, i]))
  const at = (id: number): number => position.get(id) ?? Number.MAX_SAFE_INTEGER
  return [...ids].sort((a, b) => (rank.get(a) ?? 0) - (rank.get(b) ?? 0) || at(a) - at(b))
}

/**
 * A batch's entries (in load order: inLoadOrder) as the runs that load them one after the other:
 * one per rank, each reading the archive forward (a child table before its parent in a tar
 * archive: its rows after the parent's, in a run of their own; attacker a71 F1b).
 */
export function batchPasses(ids: readonly number[], rank: ReadonlyMap<number, number>): number[][] {
  const passes = new Map<number, number[]>()
  for (const id of ids) {
    const r = rank.get(id) ?? 0
    passes.set(r, [...(passes.get(r) ?? []), id])
  }
  return [...passes.entries()].sort((a, b) => a[0] - b[0]).map(([, pass]) => pass)
}

/** Batches (loadBatches) in the order of their first entries in `listed` (archive order). */
export function inArchiveOrder(
  batches: readonly number[][],
  listed: readonly number[]
): number[][] {
  const position = new Map(listed.map((id, i) => [id, i]))
  const first = (ids: readonly number[]): number =>
    Math.min(...ids.map(id => position.get(id) ?? Number.MAX_SAFE_INTEGER))
  return [...batches].sort((a, b) => first(a) - first(b))
}

/**
 * How a load names the entries of a batch: `the data entry 7`, `the data entries 7, 9, 12`, or
 * for more than three `40 data entries (7, 9, … 310)`.
 */
export function entriesName(ids: readonly number[], one: string, many: string): string {
  if (ids.length === 1) return `the ${one} ${ids[0]}`
  if (ids.length <= 3) return `the ${many} ${ids.join(', ')}`
  return `${ids.length} ${many} (${ids[0]}, ${ids[1]}, … ${ids[ids.length - 1]})`
}

/**
 * The skipped statements of a parallel load's scripts (one per batch: loadBatches, in any order)
 * as a restore with jobs: 1 lists them: a COPY left out at its table's place among the data
 * entries `listed` (archive order), every other statement of a script at the place of the COPY
 * before it (before the first, at the start); pg_restore's header once (mergeSkipped).
 */
export function mergeSkippedInArchiveOrder(
  lists: SkippedStatement[][],
  toc: Pick<ArchiveToc, 'entries'>,
  listed: readonly number[]
): SkippedStatement[] {
  const byId = new Map(toc.entries.map(e => [e.dumpId, e]))
  const position = new Map<string, number>()
  for (const id of listed) {
    const e = byId.get(id)
    if (e?.desc === 'TABLE DATA') {
      const name = `${e.namespace ?? ''}.${e.tag}`
      if (!position.has(name)) position.set(name, position.size)
    }
  }
  const place = new Map<SkippedStatement, number>()
  for (const list of lists) {
    let at = -1
    for (const s of list) {
      if (s.table !== undefined) at = position.get(s.table) ?? at
      place.set(s, at)
    }
  }
  // a stable sort: within one place, in script order
  return mergeSkipped(lists).sort((a, b) => place.get(a)! - place.get(b)!)
}
