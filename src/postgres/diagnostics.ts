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

/** A connection limit that refused a client's new session (see connectionLimit). */
export interface ConnectionLimit {
  /** What refused it, as a clause ("the pool had no server connection free …"). */
  which: string
  /** How to raise the limit, for the advice's parentheses. */
  raise: string
  /** A pooler's limit (PgBouncer, Supavisor), not the server's own. */
  pool: boolean
  /** The error line that says so (FATAL: …), cut from the client's text. */
  said: string
}

/**
 * The server or a pooler in front of it had no connection left for another session, found in
 * `text` (an error message or a client's stderr): the server's SQLSTATE 53300 ("sorry, too many
 * clients already" — max_connections, "remaining connection slots are reserved for …", "too many
 * connections for role|database …" — CONNECTION LIMIT), PgBouncer's "no more connections allowed
 * (max_client_conn)", "query_wait_timeout" (the login waited in the pool's queue for a server
 * connection: default_pool_size, max_db_connections, max_user_connections), "server login has
 * been failing", Supavisor's "max clients reached". Undefined for any other failure.
 */
export function connectionLimit(text: string): ConnectionLimit | undefined {
  const said = (re: RegExp): string =>
    (text.split('\n').find(l => re.test(l)) ?? '').replace(/^.*?\b(FATAL|ERROR):\s+/, '$1: ').trim()
  const owned = /too many connections for (role|database) "([^"]+)"/.exec(text)
  if (owned) {
    return {
      which: `the ${owned[1]} "${owned[2]}" may open no more sessions (its CONNECTION LIMIT)`,
      raise: `ALTER ${owned[1].toUpperCase()} … CONNECTION LIMIT`,
      pool: false,
      said: said(/too many connections for/)
    }
  }
  if (/too many clients already|remaining connection slots are reserved/.test(text)) {
    return {
      which:
        'the server has no connection slot left (max_connections, less the slots reserved for superusers and roles with pg_use_reserved_connections)',
      raise: 'max_connections on the server',
      pool: false,
      said: said(/too many clients already|remaining connection slots are reserved/)
    }
  }
  if (
    /no more connections allowed|max clients reached|max client connections reached|max_client_conn/i.test(
      text
    )
  ) {
    return {
      which:
        'the connection pooler admits no more clients (PgBouncer\'s max_client_conn; Supavisor\'s "max clients reached": its pool size)',
      raise: "the pooler's client limit (max_client_conn; Supavisor: the pool size)",
      pool: true,
      said: said(
        /no more connections allowed|max clients reached|max client connections reached|max_client_conn/i
      )
    }
  }
  if (/query_wait_timeout/.test(text)) {
    return {
      which:
        "the pool had no server connection free for it: the login waited in the pooler's queue until query_wait_timeout (PgBouncer: every connection of the pool — default_pool_size, max_db_connections, max_user_connections — was held by other sessions)",
      raise: "the pool's size (default_pool_size, max_db_connections; a provider's pool size)",
      pool: true,
      said: said(/query_wait_timeout/)
    }
  }
  if (/server login has been failing/.test(text)) {
    return {
      which:
        "the pooler could not log in to the server itself (PgBouncer's \"server login has been failing\": the server's own connection limit, or the pooler's credentials for it)",
      raise: "the server's max_connections, or the pooler's login to it",
      pool: true,
      said: said(/server login has been failing/)
    }
  }
  // the action's own words (session.ts) for a login no answer came to while it held sessions of
  // its own: a session-mode pool holds it in its queue, without an error, until a connection of
  // the pool is free (attacker a70 F6: the refusal spoke of "the server")
  if (/as when a pool's queue holds the login/.test(text)) {
    return {
      which:
        "the login had no answer within connect-timeout while the action held sessions of its own, as when a session-mode pool holds it in its queue until one of its server connections is free (PgBouncer's default_pool_size, max_db_connections; a provider's pool size)",
      raise:
        "the pool's size (default_pool_size, max_db_connections; a provider's pool size), or connect-timeout where the server is only slow to answer",
      pool: true,
      said: ''
    }
  }
  return undefined
}

/** How many sessions of its own the action held open to the server when a client failed. */
export interface OwnSessions {
  sessions: number
  /** The client that failed (pg_restore, psql, pg_dump). */
  program?: string
  /** What the action's own sessions were doing ("one holds the snapshot pg_dump reads"). */
  holding?: string
  /** What the run needs at once, said instead of "<program> needs one more" (a session of the action's own failed). */
  need?: string
  /** Sessions the program opens at once when known: pg_dump --jobs N opens N + 1 (its leader's too). */
  clients?: number
}

/** The sessions a run holds at once on its database, for a session of the action's own that failed. */
export const RUN_NEEDS =
  "a backup needs 2 server connections at once (the session that exports the snapshot, and pg_dump's), a restore 2 (its own two before the load, one of its own and the loader's during it; one more per job beyond the first)"

/** The advice after a limit: the sessions the action held, the limit the run needs, the fix. */
function limitAdvice(limit: ConnectionLimit, own: OwnSessions | undefined): string {
  const program = own?.program ?? 'pg_dump or pg_restore'
  const held =
    own === undefined
      ? ' pg_dump and pg_restore open one session per job (input jobs) and one more, and the action holds one or two of its own'
      : own.need !== undefined && own.sessions === 0
        ? ` ${own.need[0].toUpperCase()}${own.need.slice(1)}`
        : own.need !== undefined
          ? ` The action had ${own.sessions} session${own.sessions === 1 ? '' : 's'} of its own open to that server then, and opened one more: ${own.need}`
          : own.clients !== undefined && own.clients > 1
            ? ` ${program} with jobs ${own.clients - 1} opens ${own.clients} sessions at once (its leader's and one per job)${own.sessions > 0 ? `, and the action had ${own.sessions} of its own open to that server then${own.holding ? ` (${own.holding})` : ''}` : ''}: the run needs a ${limit.pool ? 'pool' : 'connection limit'} of at least ${own.sessions + own.clients} connections for this role and database`
            : own.sessions > 0
              ? ` The action had ${own.sessions} session${own.sessions === 1 ? '' : 's'} of its own open to that server then${own.holding ? ` (${own.holding})` : ''}, and ${program} needs one more: the run needs a ${limit.pool ? 'pool' : 'connection limit'} of at least ${own.sessions + 1} connections for this role and database (with jobs > 1, ${own.sessions} and one per job: ${own.sessions} + jobs)`
              : ` ${program} needs one session (one per job with jobs > 1)`
  const fix = limit.pool
    ? `raise ${limit.raise}, close other clients of the pool, or use the direct URL (the database's own host and port, not the pooler's)`
    : `lower jobs, close idle sessions (an app's connection pool, another backup or restore), or raise the limit (${limit.raise})`
  return `${held}: ${fix}.`
}

/**
 * The advice for a connection limit found in `text` (connectionLimit), as sentences with a
 * leading space; '' when it is not that. `own`: the action's own sessions open to that server
 * when the client failed (session.ts ownSessionCount), said with the limit the run needs.
 */
export function connectionSlotsAdvice(text: string, own?: OwnSessions): string {
  const limit = connectionLimit(text)
  if (!limit) return ''
  return ` No session could be opened: ${limit.which}.${limitAdvice(limit, own)}`
}

/**
 * A client (pg_dump, pg_restore, psql) that failed because no session could be opened for it,
 * its cause first: "pg_restore could not open its session: the connection pooler admits no more
 * clients … (FATAL: no more connections allowed (max_client_conn)). The action had 2 sessions …".
 * Undefined when `stderr` shows no connection limit.
 */
export function connectionLimitFailure(
  program: string,
  stderr: string,
  own: OwnSessions
): string | undefined {
  const limit = connectionLimit(stderr)
  if (!limit) return undefined
  return `${program} could not open its session: ${limit.which}${limit.said ? ` (${limit.said})` : ''}.${limitAdvice(limit, { ...own, program })}`
}
