/**
 * What a parallel restore (jobs > 1) needs besides the load's script gate: the archive's data
 * entries as `pg_restore --list` prints them, largest first, and a pool that runs them `jobs` at a
 * time and stops on the first failure.
 *
 * A parallel restore runs the same gate as every other restore (load.ts): the pre-data section
 * as one script, then every data entry as a script of its own (`pg_restore -f - -L <one entry>`)
 * in `jobs` psql sessions at once (an entry with the one it depends on, dataGroups; a table's data
 * entry as pg_dump writes it by `pg_restore -d` itself: load.ts directDataEntries), then the
 * post-data section (the tables' indexes and keys
 * `jobs` tables at a time, then the rest) — each through the gate into psql, so that it skips
 * and refuses exactly what a restore with jobs: 1 skips and refuses.
 */
import { stat } from 'node:fs/promises'
import path from 'node:path'
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
  listed: readonly number[]
): number[][] {
  const inList = new Set(listed)
  const root = new Map<number, number>(listed.map(id => [id, id]))
  const find = (id: number): number => {
    let r = id
    while (root.get(r) !== r) r = root.get(r)!
    root.set(id, r)
    return r
  }
  for (const entry of toc.entries) {
    if (!inList.has(entry.dumpId)) continue
    for (const dep of entry.dependencies) {
      if (!inList.has(dep) || dep === entry.dumpId) continue
      const [a, b] = [find(entry.dumpId), find(dep)]
      if (a !== b) root.set(a, b)
    }
  }
  const groups = new Map<number, number[]>()
  for (const id of listed) groups.set(find(id), [...(groups.get(find(id)) ?? []), id])
  return [...groups.values()]
}

/** Groups of entries (dataGroups), largest first by their entries' bytes; ties in archive order. */
export function largestGroupsFirst(
  groups: number[][],
  sizes: ReadonlyMap<number, number>
): number[][] {
  return groups
    .map((ids, i) => ({ ids, i, size: ids.reduce((sum, id) => sum + (sizes.get(id) ?? 0), 0) }))
    .sort((a, b) => b.size - a.size || a.i - b.i)
    .map(g => g.ids)
}

/** The entries, largest first (the longest loads start first); ties in archive order. */
export function largestFirst(ids: number[], sizes: ReadonlyMap<number, number>): number[] {
  return ids
    .map((id, i) => ({ id, i, size: sizes.get(id) ?? 0 }))
    .sort((a, b) => b.size - a.size || a.i - b.i)
    .map(e => e.id)
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
