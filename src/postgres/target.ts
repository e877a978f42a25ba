/**
 * The restore target, read-only: what is already there (the guard refuses to overwrite it unless
 * asked), and the row counts after a restore (compared with the manifest).
 */
import type pg from 'pg'
import type { QualifiedName } from '../types.js'
import { type TableRows, withSessionSearchPath } from './session.js'
import { plural } from '../log.js'
import { quoteQualified } from '../sql-names.js'

export interface ExistingTable extends TableRows {
  /** true when `rows` is a planner estimate (large targets). */
  estimated: boolean
  /** A partitioned table: its rows are its partitions' (listed on their own), it holds none. */
  partitioned?: true
}

const EXACT_COUNT_LIMIT = 50

/**
 * FROM … WHERE of the ordinary and partitioned tables of user schemas (the schemas $1, or all
 * when it is NULL), extension members left out; `c` is the table, `n` its schema.
 */
const USER_TABLES = `  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p')
        AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
        AND ($1::text[] IS NULL OR n.nspname = ANY($1::text[]))
        AND NOT EXISTS (SELECT 1 FROM pg_depend d
                         WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')`

/**
 * Ordinary and partitioned tables in the given schemas (all user schemas when none given). A
 * table the connected role may not read (another role's, in a shared database), or whose rows
 * row-level security may hide from it, is listed with the planner's estimate: counting it would
 * fail the restore on "permission denied" (where pg_restore by hand never reads it), or count
 * only the rows the policies show.
 */
export async function existingTables(
  client: pg.Client,
  schemas: string[] | undefined
): Promise<ExistingTable[]> {
  const result = await client.query<{
    schema: string
    name: string
    estimate: string
    readable: boolean
    partitioned: boolean
  }>(
    // a table row-level security may filter for the role counts as unreadable: its count could
    // say 0 of a table with rows (attacker a35 A5: "0 rows", and "empty" in the advice)
    `SELECT n.nspname AS schema, c.relname AS name, c.reltuples::bigint::text AS estimate,
            has_table_privilege(c.oid, 'SELECT') AND has_schema_privilege(c.relnamespace, 'USAGE')
              AND NOT pg_catalog.row_security_active(c.oid) AS readable,
            c.relkind = 'p' AS partitioned
    ${USER_TABLES}
      ORDER BY 1, 2`,
    [schemas ?? null]
  )
  // the first EXACT_COUNT_LIMIT readable ones counted exactly (in one batch), the others estimated
  const exact = result.rows.filter(r => r.readable).slice(0, EXACT_COUNT_LIMIT)
  const counted = new Map(
    (await countRows(client, exact)).map(c => [JSON.stringify([c.schema, c.name]), c.rows])
  )
  return result.rows.map(row => {
    const rows = counted.get(JSON.stringify([row.schema, row.name]))
    const table: ExistingTable =
      rows === undefined
        ? {
            schema: row.schema,
            name: row.name,
            rows: Math.max(0, Number(row.estimate)),
            estimated: true
          }
        : { schema: row.schema, name: row.name, rows, estimated: false }
    return row.partitioned ? { ...table, partitioned: true } : table
  })
}

/** Tables counted per query (one round trip counts this many). */
const COUNT_BATCH = 100

/** A table's exact row count, or why there is none. */
export interface CountedTable extends TableRows {
  /** -1: the table does not exist, or (with `denied`) the connected role may not read it. */
  rows: number
  /** The connected role has no SELECT on it (another role's, or its privileges revoked). */
  denied?: true
  /**
   * Row-level security applies to the connected role (row_security_active: not the table's
   * owner, or FORCE ROW LEVEL SECURITY, and no BYPASSRLS): a count would be only the rows its
   * policies show (trial u25 F2: "0 rows" of a table the restore had filled), so none (-1).
   */
  rowSecurity?: true
  /**
   * The name is no table now but a relation of this kind (pg_class.relkind: 'v' a view, 'm' a
   * materialized view, 'f' a foreign table…): not read, -1. Selecting from a view runs its query
   * — a function of the backup's, as the restoring role and outside any transaction of the
   * restore's, after the check of the target's own objects (attacker a68 F1: a backup that loaded
   * a table's rows, then made its name a view over a function that emptied the target's tables).
   */
  kind?: string
}

/**
 * Exact row counts (ONLY the table itself, not its children); -1 for a table that does not exist,
 * -1 with `denied` for one the connected role may not read (not read: "permission denied"
 * would fail the whole query), and -1 with `rowSecurity` for one whose rows row-level security
 * filters for the role (its count would be the policies', not the table's). Two round trips per COUNT_BATCH tables, not two per table (a
 * schema-heavy restore has thousands, and the target may be far away).
 */
export async function countRows(
  client: pg.Client,
  tables: ReadonlyArray<QualifiedName>
): Promise<CountedTable[]> {
  const counts: CountedTable[] = []
  for (let at = 0; at < tables.length; at += COUNT_BATCH) {
    const batch = tables.slice(at, at + COUNT_BATCH)
    const qualified = batch.map(
      t => `${client.escapeIdentifier(t.schema)}.${client.escapeIdentifier(t.name)}`
    )
    const exists = await client.query<{
      ok: boolean
      kind: string | null
      readable: boolean | null
      rls: boolean | null
    }>(
      `SELECT r IS NOT NULL AS ok, c.relkind::text AS kind,
              pg_catalog.has_table_privilege(r, 'SELECT') AS readable,
              pg_catalog.row_security_active(r) AS rls
         FROM unnest($1::text[]) WITH ORDINALITY AS u(q, i)
         CROSS JOIN LATERAL pg_catalog.to_regclass(u.q) AS r
         LEFT JOIN pg_catalog.pg_class c ON c.oid = r
        ORDER BY u.i`,
      [qualified]
    )
    // only a table is read: a view's (or a foreign table's) SELECT runs what it was made of
    const table = (i: number): boolean => exists.rows[i].kind === 'r' || exists.rows[i].kind === 'p'
    const present = qualified.flatMap((_q, i) =>
      exists.rows[i].ok &&
      table(i) &&
      exists.rows[i].readable === true &&
      exists.rows[i].rls !== true
        ? [i]
        : []
    )
    const rows = new Map<number, number>()
    if (present.length > 0) {
      const result = await client.query<{ i: number; n: string }>(
        present
          .map(i => `SELECT ${i} AS i, pg_catalog.count(*)::text AS n FROM ONLY ${qualified[i]}`)
          .join(' UNION ALL ')
      )
      for (const r of result.rows) rows.set(Number(r.i), Number(r.n))
    }
    batch.forEach((t, i) =>
      counts.push({
        schema: t.schema,
        name: t.name,
        rows: rows.get(i) ?? -1,
        ...(exists.rows[i].ok && !table(i) ? { kind: exists.rows[i].kind ?? '?' } : {}),
        ...(exists.rows[i].ok && table(i) && exists.rows[i].readable !== true
          ? { denied: true as const }
          : {}),
        ...(exists.rows[i].ok &&
        table(i) &&
        exists.rows[i].readable === true &&
        exists.rows[i].rls === true
          ? { rowSecurity: true as const }
          : {})
      })
    )
  }
  return counts
}

/**
 * The oids of the ordinary and partitioned tables the database holds now: taken before a load,
 * they tell the tables the load created (a new oid: clean's drop and re-create too) from those
 * that were there (another role's, next to the backup's with allow-non-empty).
 */
export async function tableOids(client: pg.Client): Promise<Set<string>> {
  const result = await client.query<{ oid: string }>(
    `SELECT oid::text AS oid FROM pg_catalog.pg_class WHERE relkind IN ('r', 'p')`
  )
  return new Set(result.rows.map(r => r.oid))
}

/**
 * The ordinary tables in the given schemas (all user schemas when none given) whose oid is not
 * in `before` (tableOids): those a load created. Extension members left out; so are partitioned
 * tables, which hold no rows of their own (theirs are counted under their partitions, as the
 * backup's manifest and an archive's data entries count them).
 */
export async function tablesCreatedSince(
  client: pg.Client,
  schemas: string[] | undefined,
  before: ReadonlySet<string>
): Promise<QualifiedName[]> {
  const result = await client.query<{ oid: string; schema: string; name: string }>(
    `SELECT c.oid::text AS oid, n.nspname AS schema, c.relname AS name
    ${USER_TABLES}
        AND c.relkind = 'r'
      ORDER BY 2, 3`,
    [schemas ?? null]
  )
  return result.rows.filter(r => !before.has(r.oid)).map(r => ({ schema: r.schema, name: r.name }))
}

export function describeTables(tables: ReadonlyArray<ExistingTable>, limit = 20): string {
  const shown = tables
    .slice(0, limit)
    .map(t =>
      t.partitioned
        ? `${quoteQualified(t)} (partitioned: its rows are in its partitions)`
        : `${quoteQualified(t)} (${t.estimated ? '~' : ''}${plural(t.rows, 'row')})`
    )
  const more = tables.length > limit ? `, and ${tables.length - limit} more` : ''
  return shown.join(', ') + more
}

/**
 * The ordinary tables `tables` name as the session resolves them: an unqualified name (schema
 * '') by its search_path, a partitioned table as its partitions (which hold its rows). Those
 * that do not exist are left out.
 */
export async function resolveTables(
  client: pg.Client,
  tables: ReadonlyArray<QualifiedName>
): Promise<QualifiedName[]> {
  if (tables.length === 0) return []
  // the names as the session resolves them (its own search_path for an unqualified one), by a
  // read that calls only pg_catalog's functions while the role's schemas are visible
  const written = tables.map(t =>
    t.schema === ''
      ? client.escapeIdentifier(t.name)
      : `${client.escapeIdentifier(t.schema)}.${client.escapeIdentifier(t.name)}`
  )
  const named = await withSessionSearchPath(client, () =>
    client.query<{ rel: string | null }>(
      'SELECT pg_catalog.to_regclass(u.q)::pg_catalog.oid::pg_catalog.text AS rel FROM pg_catalog.unnest($1::pg_catalog.text[]) AS u(q)',
      [written]
    )
  )
  const rels = named.rows.flatMap(r => (r.rel === null ? [] : [r.rel]))
  if (rels.length === 0) return []
  const result = await client.query<{ schema: string; name: string }>(
    `WITH RECURSIVE tree(rel) AS (
       SELECT rel FROM unnest($1::oid[]) AS u(rel)
       UNION
       SELECT i.inhrelid FROM pg_catalog.pg_inherits i JOIN tree ON i.inhparent = tree.rel
         JOIN pg_catalog.pg_class p ON p.oid = tree.rel AND p.relkind = 'p')
     SELECT DISTINCT n.nspname AS schema, c.relname AS name
       FROM tree JOIN pg_catalog.pg_class c ON c.oid = tree.rel AND c.relkind = 'r'
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      ORDER BY 1, 2`,
    [rels]
  )
  return result.rows
}
