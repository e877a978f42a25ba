/**
 * A `pg` session with a server: connect (bounded in time, every failure explained), read its
 * version, database size and tables; export a snapshot so that pg_dump and the row counts see
 * the same data, and count rows and schema objects in it.
 */
import type { EventEmitter } from 'node:events'
import { TLSSocket } from 'node:tls'
import pg from 'pg'
import { SettingError } from '../errors.js'
import type { Manifest } from '../manifest.js'
import type { QualifiedName, RowCountMethod } from '../types.js'
import {
  type AuthPolicy,
  type ConnectAttempt,
  type Connection,
  authPolicy,
  connectAttempts,
  describeConnection,
  passwordFromFile,
  pgClientConfig,
  refuseAuthentication
} from './connection.js'

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

/**
 * Connects as libpq would with the same URL (connection.ts: connectAttempts, authPolicy): every
 * host in turn, TLS as sslmode says (prefer falls back to clear text, allow to TLS), the server's
 * authentication request checked against channel_binding and require_auth before the password is
 * sent, and target_session_attrs checked once connected. Every failure becomes a message about
 * databaseUrl and the fix.
 */
export async function connect(
  connection: Connection,
  connectTimeoutSeconds: number
): Promise<pg.Client> {
  const policy = authPolicy(connection)
  const hosts = connectAttempts(connection)
  const wanted = connection.params.target_session_attrs ?? 'any'
  const passes = wanted === 'prefer-standby' ? ['standby', 'any'] : [wanted]
  const failures: SettingError[] = []
  for (const pass of passes) {
    for (const attempts of hosts) {
      const where = { ...connection, host: attempts[0].name, port: attempts[0].port }
      let client: pg.Client
      try {
        client = await openHost(connection, attempts, policy, connectTimeoutSeconds)
      } catch (error) {
        // refused by the URL's own rules, or the server refused the password: libpq stops too
        if (error instanceof SettingError) throw error
        const explained = explainConnectError(error, where, connectTimeoutSeconds)
        if ((error as { code?: string }).code === '28P01') throw explained
        failures.push(explained)
        continue
      }
      if (pass === 'any' || (await sessionIs(client, pass))) return client
      await client.end().catch(() => undefined)
      failures.push(
        new SettingError(
          'databaseUrl',
          `${describeConnection(where)} is not a ${pass} server (target_session_attrs=${wanted}).`
        )
      )
    }
  }
  if (failures.length === 1) throw failures[0]
  throw new SettingError(
    'databaseUrl',
    `no host of the URL could be used: ${failures.map(f => f.message).join(' ')}`
  )
}

/** target_session_attrs as libpq checks it on a new session. */
async function sessionIs(client: pg.Client, kind: string): Promise<boolean> {
  const { rows } = await client.query<{ read_only: string; recovery: boolean }>(
    "SELECT current_setting('transaction_read_only') AS read_only, pg_is_in_recovery() AS recovery"
  )
  const readOnly = rows[0].read_only === 'on'
  switch (kind) {
    case 'read-write':
      return !readOnly
    case 'read-only':
      return readOnly
    case 'primary':
      return !rows[0].recovery
    case 'standby':
      return rows[0].recovery
    default:
      return true
  }
}

/** One host: its attempts in order, the next one only where libpq would retry. */
async function openHost(
  connection: Connection,
  attempts: ConnectAttempt[],
  policy: AuthPolicy,
  connectTimeoutSeconds: number
): Promise<pg.Client> {
  for (let i = 0; ; i++) {
    const attempt = attempts[i]
    try {
      return await openClient(connection, attempt, policy, connectTimeoutSeconds)
    } catch (error) {
      if (i + 1 < attempts.length && mayRetry(attempt, error)) continue
      throw error
    }
  }
}

function mayRetry(attempt: ConnectAttempt, error: unknown): boolean {
  if (error instanceof SettingError) return false
  const code = String((error as { code?: string })?.code ?? '')
  if (attempt.fallBackOn === 'server-refused') return code === '28000'
  if (attempt.fallBackOn === 'tls-refused-or-failed') {
    return (
      code === '28000' ||
      isNoSslError(error) ||
      /SSL|TLS|certificate|CERT|self.signed/i.test(`${code} ${(error as Error)?.message}`)
    )
  }
  return false
}

async function openClient(
  connection: Connection,
  attempt: ConnectAttempt,
  policy: AuthPolicy,
  connectTimeoutSeconds: number
): Promise<pg.Client> {
  const config = pgClientConfig(connection, { connectTimeoutSeconds, attempt })
  // the server's authentication request, seen before pg answers it (listeners run in order)
  let asked: string | undefined
  let mechanisms: string[] = []
  let refused: SettingError | undefined
  const refuse = (why: string): SettingError => {
    refused = new SettingError(
      'databaseUrl',
      `refused ${describeConnection({ ...connection, host: attempt.name, port: attempt.port })}: ${why}`
    )
    return refused
  }
  const client = new pg.Client({
    ...config,
    // called by pg for a cleartext, MD5 or SASL request, before anything of the password is sent
    password: async () => {
      const tlsStream = (client as unknown as { connection: { stream: object } }).connection.stream
      const plus =
        mechanisms.includes('SCRAM-SHA-256-PLUS') &&
        tlsStream instanceof TLSSocket &&
        config.enableChannelBinding === true
      const why = refuseAuthentication(policy, asked ?? 'none', plus)
      if (why) throw refuse(why)
      const password =
        connection.password ?? passwordFromFile(connection, attempt.name, attempt.port)
      if (password === undefined) {
        throw refuse(
          `the server asks for a password (${asked}) and the URL has none (nor a matching line of the password file). Put it in the URL: postgresql://user:password@host/dbname.`
        )
      }
      return password
    }
  })
  const wire = (client as unknown as { connection: EventEmitter }).connection
  wire.on('authenticationCleartextPassword', () => (asked = 'password'))
  wire.on('authenticationMD5Password', () => (asked = 'md5'))
  wire.on('authenticationSASL', (message: { mechanisms?: string[] }) => {
    mechanisms = message.mechanisms ?? []
    asked = mechanisms.some(m => m.startsWith('SCRAM-SHA-256')) ? 'scram-sha-256' : 'oauth'
  })
  wire.on('authenticationOk', () => {
    if (asked !== undefined) return
    const why = refuseAuthentication(policy, 'none', false)
    if (why) wire.emit('error', refuse(why))
  })
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
    if (refused) throw refused
    return client
  } catch (error) {
    void client.end().catch(() => undefined)
    throw refused ?? error
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
