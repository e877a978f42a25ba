/**
 * The restore target, read-only: what is already there (the guard refuses to overwrite it unless
 * asked), and the row counts after a restore (compared with the manifest).
 */
import type pg from 'pg'
import type { QualifiedName } from '../types.js'
import type { TableRows } from './session.js'

export interface ExistingTable extends TableRows {
  /** true when `rows` is a planner estimate (large targets). */
  estimated: boolean
}

const EXACT_COUNT_LIMIT = 50

/** Ordinary and partitioned tables in the given schemas (all user schemas when none given). */
export async function existingTables(
  client: pg.Client,
  schemas: string[] | undefined
): Promise<ExistingTable[]> {
  const result = await client.query<{ schema: string; name: string; estimate: string }>(
    `SELECT n.nspname AS schema, c.relname AS name, c.reltuples::bigint::text AS estimate
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p')
        AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
        AND ($1::text[] IS NULL OR n.nspname = ANY($1::text[]))
        AND NOT EXISTS (SELECT 1 FROM pg_depend d
                         WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
      ORDER BY 1, 2`,
    [schemas ?? null]
  )
  const tables: ExistingTable[] = []
  for (const row of result.rows) {
    if (tables.length < EXACT_COUNT_LIMIT) {
      const counted = await countRows(client, [row])
      tables.push({ ...counted[0], estimated: false })
    } else {
      tables.push({
        schema: row.schema,
        name: row.name,
        rows: Math.max(0, Number(row.estimate)),
        estimated: true
      })
    }
  }
  return tables
}

export async function countRows(
  client: pg.Client,
  tables: ReadonlyArray<QualifiedName>
): Promise<TableRows[]> {
  const counts: TableRows[] = []
  for (const t of tables) {
    const qualified = `${client.escapeIdentifier(t.schema)}.${client.escapeIdentifier(t.name)}`
    const exists = await client.query<{ ok: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ok', [
      qualified
    ])
    if (!exists.rows[0].ok) {
      counts.push({ schema: t.schema, name: t.name, rows: -1 })
      continue
    }
    const result = await client.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM ONLY ${qualified}`
    )
    counts.push({ schema: t.schema, name: t.name, rows: Number(result.rows[0].n) })
  }
  return counts
}

export function describeTables(tables: ReadonlyArray<ExistingTable>, limit = 20): string {
  const shown = tables
    .slice(0, limit)
    .map(t => `${t.schema}.${t.name} (${t.estimated ? '~' : ''}${t.rows} rows)`)
  const more = tables.length > limit ? `, and ${tables.length - limit} more` : ''
  return shown.join(', ') + more
}
