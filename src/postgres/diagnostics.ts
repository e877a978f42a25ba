/**
 * Connection diagnostics before pg_dump runs: transaction-mode poolers that break pg_dump,
 * hosts that resolve only to IPv6 (GitHub's runners have none), TLS left to chance.
 */
import { lookup } from 'node:dns/promises'
import { SettingError } from '../errors.js'
import { type Connection, isUnixSocket } from './connection.js'

export interface Diagnosis {
  warnings: string[]
  /** Addresses the host resolved to, when it was looked up. */
  addresses: Array<{ address: string; family: number }>
}

const MANAGED_HOSTS =
  /\.(supabase\.co|supabase\.com|neon\.tech|rds\.amazonaws\.com|render\.com|railway\.app|rlwy\.net|aivencloud\.com|timescale\.com)$/i

/** Throws for setups that cannot work; returns warnings for the doubtful ones. */
export async function diagnoseConnection(
  connection: Connection,
  resolve: typeof lookup = lookup
): Promise<Diagnosis> {
  const warnings: string[] = []
  const host = connection.host.toLowerCase()
  if (connection.dropped.pgbouncer !== undefined && connection.dropped.pgbouncer !== 'false') {
    throw new SettingError(
      'databaseUrl',
      "has pgbouncer=true (Prisma's flag for a PgBouncer pool in transaction mode), which breaks pg_dump: it needs one session for the whole dump. Use the direct URL (Prisma's directUrl, often DIRECT_URL: the database's own host and port, usually 5432) or a session-mode pool."
    )
  }
  if (isUnixSocket(connection)) return { warnings, addresses: [] }

  if (/pooler\.supabase\.com$/.test(host) && connection.port === 6543) {
    throw new SettingError(
      'databaseUrl',
      "points at Supabase's transaction pooler (port 6543), which breaks pg_dump (it needs one session for the whole dump). Use the session pooler: the same host with port 5432 (Supabase → Connect → Session pooler)."
    )
  }
  if (/-pooler\./.test(host) && /neon\.tech$/.test(host)) {
    throw new SettingError(
      'databaseUrl',
      "points at Neon's pooled endpoint (a '-pooler' host, PgBouncer in transaction mode), which breaks pg_dump. Use the direct endpoint: the same host without '-pooler'."
    )
  }
  if (connection.port === 6432) {
    warnings.push(
      'Port 6432 is usually PgBouncer. pg_dump needs a session-mode pool or a direct connection; in transaction mode it fails part-way. If the dump fails, connect to PostgreSQL directly (usually port 5432).'
    )
  }
  if (connection.params.sslmode === undefined && MANAGED_HOSTS.test(host)) {
    warnings.push(
      `${connection.host} is a managed service that expects TLS, but the URL has no sslmode: TLS is tried first and plain text allowed. Add ?sslmode=require (or verify-full with sslrootcert) to insist on encryption.`
    )
  }

  let addresses: Diagnosis['addresses'] = []
  if (!/^[\d.]+$/.test(host) && !host.includes(':')) {
    try {
      addresses = await resolve(connection.host, { all: true })
    } catch {
      return { warnings, addresses } // the connection attempt explains DNS failures
    }
    if (addresses.length > 0 && addresses.every(a => a.family === 6)) {
      warnings.push(
        `${connection.host} resolves only to IPv6 (${addresses[0].address}), and GitHub-hosted runners have no IPv6: the connection will likely fail. ${/supabase\.co$/.test(host) ? "Supabase's direct host is IPv6-only: use the session pooler URL (Supabase → Connect → Session pooler, port 5432), which has IPv4." : "Use an IPv4 address or the provider's IPv4 endpoint or pooler in session mode."}`
      )
    }
  }
  return { warnings, addresses }
}

/**
 * The server had no connection left for another session — SQLSTATE 53300: "sorry, too many
 * clients already" (max_connections), "remaining connection slots are reserved for …", "too many
 * connections for role|database …" (CONNECTION LIMIT) — found in `text` (an error message or a
 * client's stderr): what to do, as one sentence with a leading space; '' when it is not that.
 */
export function connectionSlotsAdvice(text: string): string {
  const owned = /too many connections for (role|database) "([^"]+)"/.exec(text)
  const server = /too many clients already|remaining connection slots are reserved/.test(text)
  if (!owned && !server) return ''
  const which = owned
    ? `the ${owned[1]} "${owned[2]}" may open no more sessions (its CONNECTION LIMIT)`
    : 'the server has no connection slot left (max_connections, less the slots reserved for superusers and roles with pg_use_reserved_connections)'
  const raise = owned
    ? `ALTER ${owned[1].toUpperCase()} … CONNECTION LIMIT`
    : 'max_connections on the server'
  return ` No session could be opened: ${which}. pg_dump and pg_restore open one session per job (input jobs) and one more, and the action holds one or two of its own: lower jobs, close idle sessions (an app's connection pool, another backup or restore), or raise the limit (${raise}).`
}
