/**
 * DATABASE_URL → a typed connection: the libpq environment for child processes (the password
 * travels only there, never on argv), the `pg` client configuration, and the secrets to mask.
 */
import { readFileSync } from 'node:fs'
import type { ClientConfig } from 'pg'
import { parse } from 'pg-connection-string'
import { SettingError } from '../errors.js'
import { childEnvironment } from '../process.js'

export interface Connection {
  /** Host name, IP address, or the directory of a Unix socket. */
  host: string
  port: number
  database: string
  user?: string
  password?: string
  /** Other libpq parameters from the query string (sslmode, sslrootcert, ...). */
  params: Record<string, string>
  /** The URL and every form of the password as it may be printed. */
  secrets: string[]
}

/** libpq's URL query parameters and the environment variables that carry them to clients. */
const LIBPQ_ENV: Record<string, string> = {
  sslmode: 'PGSSLMODE',
  sslrootcert: 'PGSSLROOTCERT',
  sslcert: 'PGSSLCERT',
  sslkey: 'PGSSLKEY',
  sslcrl: 'PGSSLCRL',
  sslcrldir: 'PGSSLCRLDIR',
  sslsni: 'PGSSLSNI',
  sslcompression: 'PGSSLCOMPRESSION',
  sslnegotiation: 'PGSSLNEGOTIATION',
  sslcertmode: 'PGSSLCERTMODE',
  ssl_min_protocol_version: 'PGSSLMINPROTOCOLVERSION',
  ssl_max_protocol_version: 'PGSSLMAXPROTOCOLVERSION',
  requiressl: 'PGREQUIRESSL',
  require_auth: 'PGREQUIREAUTH',
  channel_binding: 'PGCHANNELBINDING',
  gssencmode: 'PGGSSENCMODE',
  gsslib: 'PGGSSLIB',
  krbsrvname: 'PGKRBSRVNAME',
  connect_timeout: 'PGCONNECT_TIMEOUT',
  application_name: 'PGAPPNAME',
  options: 'PGOPTIONS',
  client_encoding: 'PGCLIENTENCODING',
  target_session_attrs: 'PGTARGETSESSIONATTRS',
  load_balance_hosts: 'PGLOADBALANCEHOSTS',
  hostaddr: 'PGHOSTADDR',
  service: 'PGSERVICE',
  passfile: 'PGPASSFILE'
}

const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full']

/** Parameters that pg-connection-string adds itself or that `pg` understands only. */
const DERIVED_KEYS = new Set(['host', 'port', 'user', 'password', 'database', 'ssl'])

export function parseDatabaseUrl(url: string): Connection {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase()
  if (scheme !== 'postgres' && scheme !== 'postgresql') {
    throw new SettingError(
      'databaseUrl',
      `is not a PostgreSQL URL${scheme ? ` (scheme '${scheme}')` : ''}; expected postgresql://user:password@host:5432/dbname.`
    )
  }
  // pg-connection-string reads certificate files while parsing: take those parameters aside
  const [base, query = ''] = splitQuery(url)
  const fileParams: Record<string, string> = {}
  const rest = new URLSearchParams(query)
  for (const key of FILE_PARAMS) {
    const value = rest.get(key)
    if (value !== null) fileParams[key] = value
    rest.delete(key)
  }
  let parsed: ReturnType<typeof parse>
  try {
    const remaining = rest.toString()
    parsed = parse(remaining ? `${base}?${remaining}` : base, { useLibpqCompat: true })
    Object.assign(parsed, fileParams)
  } catch {
    throw new SettingError(
      'databaseUrl',
      'could not be parsed. Expected postgresql://user:password@host:5432/dbname; percent-encode special characters in the password (@ → %40, : → %3A, / → %2F, # → %23).'
    )
  }
  const host = parsed.host || ''
  if (host === '') {
    throw new SettingError(
      'databaseUrl',
      'has no host. Expected postgresql://user:password@host:5432/dbname (or ?host=/path/to/socket/dir for a Unix socket).'
    )
  }
  const portText = parsed.port || ''
  const port = portText === '' ? 5432 : Number(portText)
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new SettingError('databaseUrl', `has an invalid port '${portText}'.`)
  }
  const params: Record<string, string> = {}
  for (const [key, value] of Object.entries(parsed)) {
    if (DERIVED_KEYS.has(key) || value === undefined || value === null) continue
    if (!(key in LIBPQ_ENV)) {
      throw new SettingError(
        'databaseUrl',
        `has an unknown connection parameter '${key}'. Supported: ${Object.keys(LIBPQ_ENV).join(', ')}.`
      )
    }
    params[key] = String(value)
  }
  if (params.sslmode !== undefined && !SSL_MODES.includes(params.sslmode)) {
    throw new SettingError(
      'databaseUrl',
      `has sslmode='${params.sslmode}'; use one of ${SSL_MODES.join(', ')}.`
    )
  }
  const password = parsed.password || undefined
  const user = parsed.user || undefined
  return {
    host,
    port,
    database: databaseFromPath(base) ?? (parsed.database || user || 'postgres'),
    user,
    password,
    params,
    secrets: secretsOf(url, password)
  }
}

/**
 * The database name from the URL's path, fully percent-decoded (pg-connection-string uses
 * decodeURI, which leaves %3D, %2F, %23… encoded, so a database named "a=b" was unreachable).
 */
function databaseFromPath(base: string): string | undefined {
  const path = /^[a-z][a-z0-9+.-]*:\/\/[^/]*\/(.+)$/i.exec(base)?.[1]
  if (!path) return undefined
  try {
    return decodeURIComponent(path)
  } catch {
    return undefined
  }
}

const FILE_PARAMS = ['sslrootcert', 'sslcert', 'sslkey', 'sslcrl', 'sslcrldir', 'passfile']

function splitQuery(url: string): [string, string?] {
  const at = url.indexOf('?')
  return at < 0 ? [url] : [url.slice(0, at), url.slice(at + 1)]
}

function secretsOf(url: string, password: string | undefined): string[] {
  const secrets = new Set<string>([url])
  if (password) {
    secrets.add(password)
    secrets.add(encodeURIComponent(password))
    // the password exactly as written in the URL (its own percent-encoding may differ)
    const written = /^[^:]+:\/\/[^:@/]*:([^@/]*)@/.exec(url)?.[1]
    if (written) secrets.add(written)
  }
  return [...secrets].filter(s => s.length >= 3 || s === password)
}

export function isUnixSocket(connection: Connection): boolean {
  return connection.host.startsWith('/') || /^[A-Za-z]:[\\/]/.test(connection.host)
}

/** Where we connect, for logs and the manifest: never the password. */
export function describeConnection(connection: Connection): string {
  const user = connection.user ? `${connection.user}@` : ''
  const host = connection.host.includes(':') ? `[${connection.host}]` : connection.host
  return `${user}${host}:${connection.port}/${connection.database}`
}

/**
 * The environment a libpq client (pg_dump, pg_restore, psql) runs with: a child's environment
 * (process.ts: the allow-list of the parent's, so no inherited PG* setting and none of the
 * runner's INPUT_* copies of secrets) plus the connection. The password goes in PGPASSWORD.
 */
export function libpqEnvironment(
  connection: Connection,
  options: { connectTimeoutSeconds?: number; base?: NodeJS.ProcessEnv } = {}
): Record<string, string> {
  const env = childEnvironment({}, { base: options.base })
  env.PGHOST = connection.host
  env.PGPORT = String(connection.port)
  env.PGDATABASE = connection.database
  if (connection.user) env.PGUSER = connection.user
  if (connection.password) env.PGPASSWORD = connection.password
  for (const [key, value] of Object.entries(connection.params)) env[LIBPQ_ENV[key]] = value
  if (!env.PGCONNECT_TIMEOUT && options.connectTimeoutSeconds) {
    env.PGCONNECT_TIMEOUT = String(options.connectTimeoutSeconds)
  }
  if (!env.PGAPPNAME) env.PGAPPNAME = 'postgres-backup-action'
  return env
}

/**
 * The `pg` client configuration. sslmode follows libpq: `require` encrypts without checking the
 * certificate, `verify-ca`/`verify-full` check it (with `sslrootcert` when given).
 */
export function pgClientConfig(
  connection: Connection,
  options: { connectTimeoutSeconds: number; ssl?: ClientConfig['ssl'] }
): ClientConfig {
  return {
    host: connection.host,
    port: connection.port,
    database: connection.database,
    user: connection.user,
    password: connection.password,
    ssl: options.ssl ?? sslConfig(connection),
    application_name: connection.params.application_name ?? 'postgres-backup-action',
    options: connection.params.options,
    connectionTimeoutMillis: options.connectTimeoutSeconds * 1000,
    keepAlive: true
  }
}

export function sslConfig(connection: Connection): ClientConfig['ssl'] {
  const mode = connection.params.sslmode ?? 'prefer'
  if (isUnixSocket(connection) || mode === 'disable' || mode === 'allow') return false
  if (mode === 'prefer' || mode === 'require') {
    if (mode === 'require' && connection.params.sslrootcert) {
      // libpq: require with a root certificate behaves like verify-ca
      return { ca: readFile(connection.params.sslrootcert), checkServerIdentity: () => undefined }
    }
    return { rejectUnauthorized: false }
  }
  const ssl: Record<string, unknown> = {}
  if (connection.params.sslrootcert && connection.params.sslrootcert !== 'system') {
    ssl.ca = readFile(connection.params.sslrootcert)
  }
  if (connection.params.sslcert) ssl.cert = readFile(connection.params.sslcert)
  if (connection.params.sslkey) ssl.key = readFile(connection.params.sslkey)
  if (mode === 'verify-ca') ssl.checkServerIdentity = () => undefined
  return ssl
}

/** Whether a failed TLS attempt may be retried in clear text (libpq's sslmode=prefer). */
export function mayFallBackToPlaintext(connection: Connection): boolean {
  return (connection.params.sslmode ?? 'prefer') === 'prefer' && !isUnixSocket(connection)
}

function readFile(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    throw new SettingError(
      'databaseUrl',
      `names a certificate file '${path}' that cannot be read: ${(error as Error).message}.`
    )
  }
}
