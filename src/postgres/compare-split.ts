/**
 * The scratch database of verify dumped by two pg_dumps at once (the server's COPY TO of one
 * backend is what a single dump waits for): one of everything with `--exclude-table-data` for
 * some large tables, one `--data-only` of those tables, balanced by the tables' sizes. Each is
 * digested as it streams (compare.ts); {@link mergeSplitDigests} makes of the two digests the one
 * a single pg_dump would have given: every entry, every table's data block (a TABLE DATA block's
 * bytes, the table's COPY text in pg_dump's chunks, do not depend on which pg_dump wrote it).
 */
import type pg from 'pg'
import { type ArchiveDigest, ArchiveCompareError } from './compare.js'
import type { ArchiveToc, TocEntry } from './toc.js'

/** A table whose data the second pg_dump writes. */
export interface DataTable {
  schema: string
  name: string
}

export interface SizedTable extends DataTable {
  /** pg_table_size (the heap and its TOAST): what its COPY text grows with. */
  bytes: number
}

/**
 * Table data (pg_table_size) the second pg_dump must take for the split to be made: below that,
 * one pg_dump (a second one's start, its reading of the catalogs, costs more than it saves).
 */
export const SPLIT_MIN_BYTES = 64 * 1024 * 1024
/** Most tables the second pg_dump takes (each one a --table pattern on its command line). */
export const SPLIT_MAX_TABLES = 64

const keyOf = (schema: string | null, name: string): string => JSON.stringify([schema ?? '', name])

/**
 * The tables whose data the second pg_dump takes: largest first, each to the side with less so
 * far (the second pg_dump takes at most {@link SPLIT_MAX_TABLES}); none when its share would be
 * under `minBytes`.
 */
export function balanceTables(tables: readonly SizedTable[], minBytes: number): DataTable[] {
  const sorted = [...tables].sort(
    (a, b) =>
      b.bytes - a.bytes ||
      (a.schema < b.schema ? -1 : a.schema > b.schema ? 1 : a.name < b.name ? -1 : 1)
  )
  let first = 0
  let second = 0
  const taken: DataTable[] = []
  for (const t of sorted) {
    if (second <= first && taken.length < SPLIT_MAX_TABLES) {
      second += t.bytes
      taken.push({ schema: t.schema, name: t.name })
    } else first += t.bytes
  }
  return second >= minBytes && second > 0 ? taken : []
}

/**
 * The scratch database's tables that the second pg_dump may take, with their sizes: ordinary
 * tables (partitions among them; not a partitioned parent, which has no data of its own, nor a
 * foreign table, nor an extension's member), whose data the backup holds (a TABLE DATA entry of
 * the same schema and name), and whose names are printable ASCII (a --table pattern reaches the
 * server in the dump's client encoding).
 */
export async function splittableTables(
  client: pg.Client,
  backupToc: ArchiveToc
): Promise<SizedTable[]> {
  const inBackup = new Set(
    backupToc.entries.filter(e => e.desc === 'TABLE DATA').map(e => keyOf(e.namespace, e.tag))
  )
  const { rows } = await client.query<{ schema: string; name: string; bytes: string }>(
    `SELECT n.nspname AS schema, c.relname AS name, pg_catalog.pg_table_size(c.oid)::text AS bytes
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND c.relpersistence <> 't'
        AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                         WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                           AND d.objid = c.oid AND d.deptype = 'e')`
  )
  return rows
    .filter(r => inBackup.has(keyOf(r.schema, r.name)))
    .filter(r => /^[\x20-\x7e]*$/.test(r.schema) && /^[\x20-\x7e]*$/.test(r.name))
    .map(r => ({ schema: r.schema, name: r.name, bytes: Number(r.bytes) }))
}

/** A pg_dump pattern that matches exactly this table (double quotes: nothing is a wildcard). */
export function tablePattern(t: DataTable): string {
  const quoted = (id: string): string => `"${id.replace(/"/g, '""')}"`
  return `${quoted(t.schema)}.${quoted(t.name)}`
}

/** The arguments of the two pg_dumps (after the options both take). */
export function splitDumpArgs(tables: readonly DataTable[]): { main: string[]; data: string[] } {
  return {
    main: tables.map(t => `--exclude-table-data=${tablePattern(t)}`),
    data: ['--data-only', ...tables.map(t => `--table=${tablePattern(t)}`)]
  }
}

/**
 * The digest a single pg_dump would have given, of `main` (everything, with --exclude-table-data
 * for `tables`) and `data` (--data-only of `tables`): main's entries and blocks, with the TABLE
 * DATA entries of `tables` and their blocks from `data`, under dumpIds past main's (their
 * dependencies, ids of `data`, are dropped). What else `data` holds (its session entries, the
 * SEQUENCE SET of its tables' sequences) main holds too.
 *
 * @throws ArchiveCompareError when the dumps did not split the data so: main wrote data of one
 *   of `tables`, `data` none for one of them, or data of another table.
 */
export function mergeSplitDigests(
  main: ArchiveDigest,
  data: ArchiveDigest,
  tables: readonly DataTable[]
): ArchiveDigest {
  if (main.by !== data.by) throw new Error('digests made by blocks and by rows do not merge')
  const wanted = new Set(tables.map(t => keyOf(t.schema, t.name)))
  const name = (e: TocEntry): string => `${e.namespace ? `${e.namespace}.` : ''}${e.tag}`
  let next = 1
  for (const e of main.toc.entries) {
    next = Math.max(next, e.dumpId + 1)
    if (e.desc === 'TABLE DATA' && wanted.has(keyOf(e.namespace, e.tag))) {
      throw new ArchiveCompareError(
        `the dump of the scratch database without the data of ${tables.length} tables wrote the data of ${name(e)}`
      )
    }
  }
  const entries = [...main.toc.entries]
  const blocks = new Map(main.blocks)
  const found = new Set<string>()
  for (const e of data.toc.entries) {
    if (e.desc !== 'TABLE DATA') continue
    const key = keyOf(e.namespace, e.tag)
    if (!wanted.has(key) || found.has(key)) {
      throw new ArchiveCompareError(
        `the data-only dump of ${tables.length} tables of the scratch database wrote ${found.has(key) ? 'twice the data' : 'the data'} of ${name(e)}`
      )
    }
    found.add(key)
    const dumpId = next++
    entries.push({ ...e, dumpId, dependencies: [] })
    const block = data.blocks.get(e.dumpId)
    if (block) blocks.set(dumpId, block)
  }
  const missing = tables.filter(t => !found.has(keyOf(t.schema, t.name)))
  if (missing.length > 0) {
    throw new ArchiveCompareError(
      `the data-only dump of the scratch database wrote no data for ${missing.map(t => `${t.schema}.${t.name}`).join(', ')}`
    )
  }
  return { toc: { ...main.toc, entries }, blocks, by: main.by }
}
