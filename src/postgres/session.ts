/**
 * A `pg` session with a server: connect (bounded in time, every failure explained), read its
 * version, database size and tables; export a snapshot so that pg_dump and the row counts see
 * the same data, and count rows and schema objects in it.
 */
import pg from 'pg'
import { SettingError } from '../errors.js'
import type { Manifest } from '../manifest.js'
import type { DumpFilters, QualifiedName, RowCountMethod } from '../types.js'
import {
  type Connection,
  describeConnection,
  mayFallBackToPlaintext,
  pgClientConfig
} from './connection.js'
import { patternRegexes } from './dump.js'

export interface TableInfo {
  schema: string
  name: string
  /** Planner estimate (pg_class.reltuples); undefined when the table was never analyzed. */
  estimatedRows?: number
  sizeBytes: number
}

export interface ServerInfo {
  /** server_version, e.g. "15.18 (Debian 15.18-0+deb12u1)". */
  version: string
  versionNum: number
  major: number
  database: string
  sizeBytes: number
  inRecovery: boolean
  /** Server/role settings that would end a long dump if pg_dump did not turn them off. */
  timeouts: { statement: string; idleInTransaction: string }
  tables: TableInfo[]
}

export interface TableRows {
  schema: string
  name: string
  rows: number
}

/** Connects, translating every failure into a message about databaseUrl and the fix. */
export async function connect(
  connection: Connection,
  connectTimeoutSeconds: number
): Promise<pg.Client> {
  try {
    return await openClient(connection, connectTimeoutSeconds)
  } catch (error) {
    if (mayFallBackToPlaintext(connection) && isNoSslError(error)) {
      // libpq's sslmode=prefer: the server does not speak TLS, so connect in clear text
      try {
        return await openClient(connection, connectTimeoutSeconds, false)
      } catch (retryError) {
        throw explainConnectError(retryError, connection, connectTimeoutSeconds)
      }
    }
    throw explainConnectError(error, connection, connectTimeoutSeconds)
  }
}

async function openClient(
  connection: Connection,
  connectTimeoutSeconds: number,
  ssl?: false
): Promise<pg.Client> {
  const client = new pg.Client(pgClientConfig(connection, { connectTimeoutSeconds, ssl }))
  // a connection dropped later surfaces through the pending query; do not crash the process
  client.on('error', () => undefined)
  // bound the whole attempt: DNS and TLS can stall longer than pg's own timer covers
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error('timeout'), { code: 'CONNECT_TIMEOUT' })),
      (connectTimeoutSeconds + 2) * 1000
    )
  })
  try {
    await Promise.race([client.connect(), deadline])
    return client
  } catch (error) {
    void client.end().catch(() => undefined)
    throw error
  } finally {
    clearTimeout(timer)
  }
}

function isNoSslError(error: unknown): boolean {
  return /does not support SSL/i.test(String((error as Error)?.message))
}

/** Turns a driver error into one sentence: what went wrong connecting and what to do. */
export function explainConnectError(
  error: unknown,
  connection: Connection,
  connectTimeoutSeconds: number
): SettingError {
  const err = error as { code?: string; message?: string }
  const where = describeConnection(connection)
  const message = String(err?.message ?? error)
  let detail: string
  switch (err?.code) {
    case '28P01':
      detail = `password authentication failed for user '${connection.user ?? ''}'. Check the user name and password in the secret (percent-encode special characters: @ → %40, : → %3A, / → %2F).`
      break
    case '28000':
      detail = `the server refused the connection: ${message}. Check the user, the database, and that the server allows connections from GitHub's runners (sslmode, pg_hba, IP allow-list).`
      break
    case '3D000':
      detail = `the database '${connection.database}' does not exist on the server. Check the database name at the end of the URL.`
      break
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      detail = `the host '${connection.host}' could not be resolved (DNS). Check the host name.`
      break
    case 'ECONNREFUSED':
      detail = `nothing accepts connections at ${connection.host}:${connection.port}. Check the host and port, and that the server is running.`
      break
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
      detail = `the network cannot reach ${connection.host} (${err.code}). GitHub-hosted runners have no IPv6: if the host resolves only to IPv6 (e.g. a Supabase direct host), use the provider's IPv4 session pooler URL.`
      break
    case 'CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      detail = `no answer from ${connection.host}:${connection.port} within ${connectTimeoutSeconds} s. Check the host and port, and that the server's firewall or IP allow-list admits GitHub's runners.`
      break
    default:
      if (/timeout/i.test(message)) {
        detail = `no answer from ${connection.host}:${connection.port} within ${connectTimeoutSeconds} s. Check the host and port, and that the server's firewall or IP allow-list admits GitHub's runners.`
      } else if (/SSL|TLS|certificate/i.test(message)) {
        detail = `TLS failed: ${message}. Check sslmode and sslrootcert in the URL.`
      } else {
        detail = message
      }
  }
  return new SettingError('databaseUrl', `could not connect to ${where}: ${detail}`)
}

export async function readServerInfo(client: pg.Client): Promise<ServerInfo> {
  const settings = await client.query<{
    version: string
    version_num: string
    database: string
    size: string
    in_recovery: boolean
    statement_timeout: string
    idle_timeout: string
  }>(
    `SELECT current_setting('server_version') AS version,
            current_setting('server_version_num') AS version_num,
            current_database() AS database,
            pg_database_size(current_database())::text AS size,
            pg_is_in_recovery() AS in_recovery,
            current_setting('statement_timeout') AS statement_timeout,
            current_setting('idle_in_transaction_session_timeout') AS idle_timeout`
  )
  const row = settings.rows[0]
  const tables = await client.query<{
    schema: string
    name: string
    estimate: string
    size: string
  }>(
    `SELECT n.nspname AS schema, c.relname AS name, c.reltuples::bigint::text AS estimate,
            pg_table_size(c.oid)::text AS size
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r'
        AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
      ORDER BY 1, 2`
  )
  const versionNum = Number(row.version_num)
  return {
    version: row.version,
    versionNum,
    major: Math.floor(versionNum / 10000),
    database: row.database,
    sizeBytes: Number(row.size),
    inRecovery: row.in_recovery,
    timeouts: { statement: row.statement_timeout, idleInTransaction: row.idle_timeout },
    tables: tables.rows.map(t => ({
      schema: t.schema,
      name: t.name,
      estimatedRows: Number(t.estimate) >= 0 ? Number(t.estimate) : undefined,
      sizeBytes: Number(t.size)
    }))
  }
}

/**
 * A read-only repeatable-read transaction whose snapshot is exported for `pg_dump --snapshot`.
 * Counting rows inside it gives exactly what the dump holds. Kept open until the dump ends.
 */
export class SnapshotSession {
  private constructor(
    private readonly client: pg.Client,
    readonly snapshotId: string | undefined
  ) {}

  /** Opens the transaction; the snapshot id is undefined when the server cannot export one. */
  static async open(client: pg.Client): Promise<SnapshotSession> {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
    // the transaction idles while pg_dump runs: server timeouts must not end it
    await client.query(
      "SELECT set_config('statement_timeout', '0', true), set_config('idle_in_transaction_session_timeout', '0', true), set_config('lock_timeout', '0', true)"
    )
    try {
      // (not inside a savepoint: snapshots cannot be exported from a subtransaction)
      const result = await client.query<{ id: string }>('SELECT pg_export_snapshot() AS id')
      return new SnapshotSession(client, result.rows[0].id)
    } catch {
      await client.query('ROLLBACK')
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
      await client.query(
        "SELECT set_config('statement_timeout', '0', true), set_config('idle_in_transaction_session_timeout', '0', true)"
      )
      return new SnapshotSession(client, undefined)
    }
  }

  async countRows(tables: ReadonlyArray<{ schema: string; name: string }>): Promise<TableRows[]> {
    const counts: TableRows[] = []
    for (const table of tables) {
      const qualified = `${this.client.escapeIdentifier(table.schema)}.${this.client.escapeIdentifier(table.name)}`
      const result = await this.client.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM ONLY ${qualified}`
      )
      counts.push({ schema: table.schema, name: table.name, rows: Number(result.rows[0].n) })
    }
    return counts
  }

  /** Object counts in the snapshot (what the dump holds when no filter is set). */
  async countObjects(): Promise<ObjectCounts> {
    return countObjects(this.client)
  }

  async close(): Promise<void> {
    await this.client.query('COMMIT').catch(() => undefined)
  }
}

/**
 * The row counts the manifest records for the tables whose data a dump holds: exact counts in
 * the dump's snapshot (`counting`, when they were taken while pg_dump ran), the planner's
 * estimates, or none; sorted by schema and name.
 */
export async function dumpRowCounts(
  method: RowCountMethod,
  session: SnapshotSession,
  counting: Promise<TableRows[]> | undefined,
  dataTables: QualifiedName[],
  server: ServerInfo
): Promise<Manifest['rowCounts']> {
  const key = (t: QualifiedName): string => JSON.stringify([t.schema, t.name])
  const wanted = new Set(dataTables.map(key))
  let tables: Manifest['rowCounts']['tables']
  if (method === 'none') {
    tables = dataTables.map(t => ({ schema: t.schema, name: t.name, rows: null }))
  } else if (method === 'estimate') {
    const estimates = new Map(server.tables.map(t => [key(t), t.estimatedRows]))
    tables = dataTables.map(t => ({ ...t, rows: estimates.get(key(t)) ?? null }))
  } else {
    const all = counting ? await counting : await session.countRows(dataTables)
    tables = all.filter(t => wanted.has(key(t)))
  }
  tables.sort((a, b) => a.schema.localeCompare(b.schema) || a.name.localeCompare(b.name))
  const counted = tables.every(t => t.rows !== null)
  const totalRows = counted ? tables.reduce((sum, t) => sum + (t.rows ?? 0), 0) : null
  return {
    method,
    sameSnapshot: method === 'exact' && session.snapshotId !== undefined,
    tables,
    totalRows
  }
}

/** Schema objects by kind: what verify compares between the source and a restored copy. */
export interface ObjectCounts {
  tables: number
  views: number
  materializedViews: number
  sequences: number
  indexes: number
  functions: number
}

/** Counts user objects (not those of extensions), in `schemas` or in every user schema. */
export async function countObjects(client: pg.Client, schemas?: string[]): Promise<ObjectCounts> {
  const userSchema = `n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
        AND ($1::text[] IS NULL OR n.nspname = ANY($1::text[]))`
  const notExtension = (catalog: string, alias: string): string =>
    `NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '${catalog}'::regclass AND d.objid = ${alias}.oid AND d.deptype = 'e')`
  const relations = await client.query<Record<string, string>>(
    `SELECT count(*) FILTER (WHERE c.relkind IN ('r', 'p'))::text AS tables,
            count(*) FILTER (WHERE c.relkind = 'v')::text AS views,
            count(*) FILTER (WHERE c.relkind = 'm')::text AS materialized_views,
            count(*) FILTER (WHERE c.relkind = 'S')::text AS sequences,
            count(*) FILTER (WHERE c.relkind IN ('i', 'I'))::text AS indexes
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE ${userSchema} AND ${notExtension('pg_class', 'c')}`,
    [schemas ?? null]
  )
  const functions = await client.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE ${userSchema} AND ${notExtension('pg_proc', 'p')}`,
    [schemas ?? null]
  )
  const r = relations.rows[0]
  return {
    tables: Number(r.tables),
    views: Number(r.views),
    materializedViews: Number(r.materialized_views),
    sequences: Number(r.sequences),
    indexes: Number(r.indexes),
    functions: Number(functions.rows[0].n)
  }
}

/**
 * The exclude patterns (exclude-tables, exclude-table-data, exclude-schemas) that match nothing
 * in the database, matched as pg_dump matches them (patternRegexes; tables: the relation kinds
 * pg_dump's --exclude-table considers, unqualified names by search_path visibility). pg_dump
 * accepts such patterns silently (--strict-names covers include patterns only); the caller
 * warns. Reads only the catalog: takes no lock.
 */
export async function unmatchedExcludes(
  client: pg.Client,
  filters: Pick<DumpFilters, 'excludeTables' | 'excludeTableData' | 'excludeSchemas'>
): Promise<
  Array<{ option: 'excludeTables' | 'excludeTableData' | 'excludeSchemas'; pattern: string }>
> {
  const unmatched: Array<{
    option: 'excludeTables' | 'excludeTableData' | 'excludeSchemas'
    pattern: string
  }> = []
  for (const option of ['excludeTables', 'excludeTableData'] as const) {
    for (const pattern of filters[option]) {
      const { schema, name } = patternRegexes(pattern)
      const result = await client.query(
        `SELECT 1 FROM pg_catalog.pg_class c
           JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind = ANY (array['r','S','v','m','f','p'])
            AND ($1::text IS NULL OR c.relname OPERATOR(pg_catalog.~) $1::text COLLATE pg_catalog.default)
            AND CASE WHEN $2::text IS NULL THEN pg_catalog.pg_table_is_visible(c.oid)
                     ELSE n.nspname OPERATOR(pg_catalog.~) $2::text COLLATE pg_catalog.default END
          LIMIT 1`,
        [name ?? null, schema ?? null]
      )
      if (result.rowCount === 0) unmatched.push({ option, pattern })
    }
  }
  for (const pattern of filters.excludeSchemas) {
    // a schema pattern has one part (pg_dump refuses more); its regex is the "name" part
    const { name } = patternRegexes(pattern)
    const result = await client.query(
      `SELECT 1 FROM pg_catalog.pg_namespace n
        WHERE $1::text IS NULL OR n.nspname OPERATOR(pg_catalog.~) $1::text COLLATE pg_catalog.default
        LIMIT 1`,
      [name ?? null]
    )
    if (result.rowCount === 0) unmatched.push({ option: 'excludeSchemas', pattern })
  }
  return unmatched
}
