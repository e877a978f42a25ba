/**
 * DATABASE_URL → a typed connection: the libpq environment for child processes (the password
 * travels only there, never on argv), the `pg` client configuration, and the secrets to mask.
 */
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import tls from 'node:tls'
import type { ClientConfig } from 'pg'
import { SettingError } from '../errors.js'
import { childEnvironment } from '../process.js'

export interface Connection {
  /** Host name, IP address, or the directory of a Unix socket (the first of `hosts`). */
  host: string
  port: number
  /** Every host of the URL in libpq's order (postgresql://a:5432,b:5433/db), at least one. */
  hosts: Array<{ host: string; port: number }>
  database: string
  user?: string
  password?: string
  /** Other libpq parameters from the query string (sslmode, sslrootcert, ...). */
  params: Record<string, string>
  /**
   * libpq parameters no environment variable carries (keepalives…, tcp_user_timeout,
   * fallback_application_name): the clients read them from a service file of the run's own
   * (libpqEnvironment).
   */
  serviceParams?: Record<string, string>
  /**
   * Parameters of ORMs and drivers (Prisma's connection_limit, pool_timeout, ...) that libpq
   * does not know and that change nothing for a dump: left out, with a notice naming them.
   */
  dropped: Record<string, string>
  /** The URL and every form of the password as it may be printed. */
  secrets: string[]
  /** The URL names no database: libpq's default (the user's name) is used, as psql would. */
  databaseDefaulted?: boolean
  /** Written in libpq's keyword/value form (host=… dbname=…), not as a URL. */
  keywordValue?: boolean
  /**
   * The libpq environment variables (PGSSLMODE, PGPASSWORD, …) taken for what the URL does not
   * set, as psql and pg_dump would take them.
   */
  fromEnvironment?: string[]
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

/**
 * The parameters whose libpq environment variable is taken when the URL does not set them (as
 * psql with the same URL would): how it secures and authenticates the connection, never where it
 * goes (host, port, user, database come from the URL alone).
 */
const FROM_ENVIRONMENT = [
  'sslmode',
  'sslrootcert',
  'sslcert',
  'sslkey',
  'sslcrl',
  'sslcrldir',
  'sslnegotiation',
  'sslcertmode',
  'ssl_min_protocol_version',
  'ssl_max_protocol_version',
  'requiressl',
  'require_auth',
  'channel_binding',
  'gssencmode',
  'passfile'
]

/**
 * libpq parameters that no environment variable carries to pg_dump (so the action cannot pass
 * them on): refused by name rather than dropped, since each one changes how libpq connects.
 */
const LIBPQ_WITHOUT_ENV = new Set([
  'sslpassword',
  'sslkeylogfile',
  'replication',
  'gssdelegation',
  'scram_client_key',
  'scram_server_key',
  'oauth_issuer',
  'oauth_client_id',
  'oauth_client_secret',
  'oauth_scope',
  'min_protocol_version',
  'max_protocol_version'
])

/**
 * libpq parameters that no environment variable carries, that hold no secret and that every
 * supported client knows (libpq 9.x on): given to the clients in a service file of the run's own
 * (PGSERVICEFILE, PGSERVICE: libpqEnvironment), as psql takes them from the URL (attacker a44
 * F2: refused). Integers, as libpq requires, checked before anything connects.
 */
const LIBPQ_BY_SERVICE = new Set([
  'fallback_application_name',
  'keepalives',
  'keepalives_idle',
  'keepalives_interval',
  'keepalives_count',
  'tcp_user_timeout'
])

/**
 * Query parameters of ORMs and drivers that are not libpq's and that do not bear on how a dump
 * connects or what it holds: dropped with one notice. Prisma: connection_limit, pool_timeout,
 * socket_timeout, statement_cache_size, max_connection_lifetime, max_idle_connection_lifetime,
 * schema (the app's search_path) and pgbouncer (diagnosed: diagnostics.ts); node-postgres and
 * others: uselibpqcompat, pool, pool_size, prepared_statements; sslaccept=accept_invalid_certs
 * (weaker than what the action does anyway).
 */
export const ORM_ONLY_PARAMS = [
  'pgbouncer',
  'schema',
  'connection_limit',
  'pool_timeout',
  'socket_timeout',
  'statement_cache_size',
  'max_connection_lifetime',
  'max_idle_connection_lifetime',
  'uselibpqcompat',
  'pool',
  'pool_size',
  'prepared_statements',
  'sslaccept'
]

/** ORM parameters that ask for something libpq spells differently: refused with the spelling. */
const ORM_EQUIVALENTS: Record<string, string> = {
  sslaccept:
    'sslaccept=strict asks for a checked certificate: use sslmode=verify-full (with sslrootcert=/path/to/ca.pem, or sslrootcert=system for a public CA)',
  sslidentity:
    'sslidentity (a PKCS#12 client identity) has no libpq form: use sslcert=/path/to/client.crt&sslkey=/path/to/client.key',
  currentschema:
    "currentSchema is JDBC's search_path: drop it, and set the `schemas` input to back up only that schema",
  sslfactory: "sslfactory is JDBC's: use sslmode=verify-full (or require) instead"
}

const QUOTING =
  "In libpq's keyword/value form a value holding spaces or quotes is written in single quotes, a quote inside as \\' and a backslash as \\\\: password='correct horse\\'s staple'."

/**
 * A refused setting as a message names it: key='value', or, for a keyword written right after
 * the password's value, without its value — libpq reads `password=my sslmode=secret` as the
 * password 'my' and sslmode 'secret', the rest of a password written without quotes, which
 * psql would print in its error.
 */
function shownValue(key: string, value: string, hidden: ReadonlySet<string>): string {
  return hidden.has(key)
    ? `${key}=… after the password's value (not shown: it may be the rest of a password written without quotes)`
    : `${key}='${value}'`
}

const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full']

const PERCENT_ENCODING =
  'Percent-encode the user name and password in the URL: @ → %40, # → %23, / → %2F, ? → %3F, : → %3A, % → %25 (postgresql://user:p%40ss%23word@host:5432/dbname; encodeURIComponent(password) in JavaScript, urllib.parse.quote(password, safe="") in Python).'

/**
 * Parses DATABASE_URL the way libpq does, in either of its two forms (PostgreSQL docs §34.1.1):
 *
 * - a URL (fe-connect.c, conninfo_uri_parse): the user information ends at the first '@' before
 *   any '/', hosts are a comma-separated list (IPv6 in brackets), each part is percent-decoded,
 *   `ssl=true` means sslmode=require, and query parameters host, hostaddr, port, user, password
 *   and dbname override the URL's parts;
 * - a keyword/value string (conninfo_parse) — any text that is no `scheme://` URL and holds an
 *   '=': `host=db port=5432 user=app password='a b\'c' dbname=shop`, keywords separated by
 *   whitespace, whitespace allowed around '=', single-quoted values with \' and \\ escapes
 *   (a backslash escapes the next character in an unquoted value too); a keyword given twice
 *   counts once, the last. Several hosts are host=a,b port=5432,5433, as in the URL's query.
 *
 * Both give the same Connection (with `keywordValue` set for the second), so what follows (the
 * children's PG* environment, the masked secrets, the log line) does not depend on the form.
 * Throws SettingError('databaseUrl') for a URL libpq would misread (an unencoded '@' or '/' in
 * the password), a string libpq cannot split (a word without '=', an unterminated quote),
 * unknown parameters (all of them named at once; in the keyword/value form a word right after
 * the password's value is not named, as it may be a piece of the password) and values libpq
 * refuses; the messages never hold the password or a part of it.
 */
export function parseDatabaseUrl(
  url: string,
  env: Record<string, string | undefined> = process.env
): Connection {
  // a value pasted with the quotes of a .env file or a shell line: "postgresql://…"
  if (/^(["'`])[a-z][a-z0-9+.-]*:\/\/[^]*\1$/i.test(url.trim()))
    throw new SettingError(
      'databaseUrl',
      `is wrapped in quotes (${url.trim()[0]}…${url.trim()[0]}, as a .env file or a shell line writes it): the quotes are part of the value, and no URL starts with one. Store the secret without them.`
    )
  const written = isKeywordValue(url) ? readKeywordValue(url) : readUrl(url)
  const keywordValue = written.form === 'keyword/value'
  let password = written.password
  let hostList = written.hosts
  let database = written.database
  let userName = written.user === '' ? undefined : written.user

  const params: Record<string, string> = {}
  const serviceParams: Record<string, string> = {}
  const dropped: Record<string, string> = {}
  const unknown: string[] = []
  const refused: string[] = []
  let portOverride: string | undefined
  let hostOverride: string | undefined
  let pieceAfterPassword = false
  let fromEnvironmentService: string | undefined
  // keywords written after the password's value: theirs may be the rest of a password written
  // without quotes (password=my sslmode=secret; password=my x=1 sslmode=secret), never printed
  // when refused
  const passwordAt = written.pairs.findIndex(p => p.key === 'password')
  const hidden = new Set(
    keywordValue && passwordAt >= 0 ? written.pairs.slice(passwordAt + 1).map(p => p.key) : []
  )
  const shown = (key: string, value: string): string => shownValue(key, value, hidden)
  const advice = (...keys: string[]): string =>
    keys.some(key => hidden.has(key)) ? ` ${QUOTING}` : ''
  // service=name (or PGSERVICE): its parameters, where the string does not give them, as libpq
  // reads them (the string first, then the service file, then the environment); pg_dump gets
  // them expanded, never the service's name (a child's PG* variables would rank below the file)
  const serviceName = [...written.pairs].reverse().find(p => p.key === 'service')?.value
  const service = serviceName ?? env.PGSERVICE
  // an empty name is a name to libpq (it looks up "[]")
  const pairs: WrittenConnection['pairs'] =
    service !== undefined
      ? [...written.pairs, ...servicePairs(service, written, env)]
      : written.pairs
  if (service !== undefined && serviceName === undefined) fromEnvironmentService = 'PGSERVICE'
  // user= and dbname= given empty count as given (libpq then takes the OS user, the user's
  // name), never PGUSER / PGDATABASE (attacker a28 A3)
  let userGiven = false
  let databaseGiven = false
  for (const { key, value, afterPassword } of pairs) {
    if (key === 'service') continue
    switch (key) {
      case 'host':
        hostOverride = value
        continue
      case 'port':
        portOverride = value
        continue
      case 'user':
        userGiven = true
        userName = value || undefined
        continue
      case 'password':
        password = value
        continue
      case 'dbname':
        // a connection string pasted as the database's name (psql does not expand it there:
        // the server is asked for a database of that name, printed in its error): refused, its
        // value not shown — it may hold a password
        if (keywordValue && (/^postgres(?:ql)?:\/\//i.test(value) || /=/.test(value))) {
          throw new SettingError(
            'databaseUrl',
            "has dbname= holding a connection string (postgresql://… or key=value), not the database's name; its value is not shown (it may hold a password). Give that connection string itself as the whole value, or only the database's name in dbname=."
          )
        }
        databaseGiven = true
        database = value || undefined
        continue
    }
    if (key === 'ssl' && !keywordValue) {
      // libpq: "ssl=true" (JDBC's spelling) is sslmode=require, in a URL only
      if (value !== 'true') {
        throw new SettingError(
          'databaseUrl',
          `has ssl=${value}; libpq accepts only ssl=true (sslmode=require). Use sslmode=disable, prefer, require, verify-ca or verify-full.`
        )
      }
      params.sslmode ??= 'require'
      continue
    }
    if (key in LIBPQ_ENV) {
      params[key] = value
    } else if (LIBPQ_BY_SERVICE.has(key)) {
      // a line of the service file each: a line break would start another parameter there
      if (/[\r\n]/.test(value)) {
        throw new SettingError(
          'databaseUrl',
          `has a line break in ${key}'s value; libpq's parameters hold none. Remove it.`
        )
      }
      serviceParams[key] = value
    } else if (LIBPQ_WITHOUT_ENV.has(key)) {
      refused.push(key)
    } else if (afterPassword) {
      // "password=my secret dbname=x": "secret=…" would be named; it is a piece of the password
      pieceAfterPassword = true
    } else if (keywordValue) {
      unknown.push(
        key === ''
          ? "'' (an '=' with no keyword before it)"
          : !looksLikeKeyword(key)
            ? `a word that is no keyword (not shown: it may hold a password; a URL begins with postgresql://)`
            : key.toLowerCase() in ORM_EQUIVALENTS
              ? `${key} (${ORM_EQUIVALENTS[key.toLowerCase()]})`
              : key
      )
    } else if (key === 'sslaccept' && value !== 'accept_invalid_certs') {
      unknown.push(`${key} (${ORM_EQUIVALENTS.sslaccept})`)
    } else if (ORM_ONLY_PARAMS.includes(key)) {
      dropped[key] = value
    } else if (key.toLowerCase() in ORM_EQUIVALENTS) {
      unknown.push(`${key} (${ORM_EQUIVALENTS[key.toLowerCase()]})`)
    } else {
      unknown.push(key)
    }
  }
  // whole numbers, as libpq reads them when it connects (a negative one fails its setsockopt
  // there: here, before anything connects); keepalives_* go unread with keepalives=0, as in libpq
  for (const [key, value] of Object.entries(serviceParams)) {
    if (key === 'fallback_application_name') continue
    if (key.startsWith('keepalives_') && /^\s*0+\s*$/.test(serviceParams.keepalives ?? '1'))
      continue
    if (!/^\s*\d+\s*$/.test(value)) {
      throw new SettingError(
        'databaseUrl',
        `has ${shown(key, value)}; libpq takes a whole number (0 or more) of ${key === 'tcp_user_timeout' ? 'milliseconds' : key === 'keepalives' ? 'keepalives: 1 (on) or 0 (off)' : key === 'keepalives_count' ? 'probes' : 'seconds'} there.${advice(key)}`
      )
    }
  }
  if (pieceAfterPassword) {
    throw new SettingError(
      'databaseUrl',
      `has, right after the password's value, a keyword libpq does not know (not shown: it may be a piece of the password). ${QUOTING}`
    )
  }
  if (unknown.length > 0 || refused.length > 0) {
    const sentences: string[] = []
    if (unknown.length > 0) {
      sentences.push(
        keywordValue
          ? `has ${unknown.length === 1 ? 'a keyword' : 'keywords'} that libpq (pg_dump, psql) does not know: ${unknown.join(', ')} (psql: invalid connection option). Remove ${unknown.length === 1 ? 'it' : 'them'} (libpq's keywords: host, port, dbname, user, password, ${Object.keys(LIBPQ_ENV).join(', ')}).`
          : `has ${unknown.length === 1 ? 'a parameter' : 'parameters'} that libpq (pg_dump, psql) does not know: ${unknown.join(', ')}. Remove ${unknown.length === 1 ? 'it' : 'them'} from the URL (libpq's parameters: ${[...Object.keys(LIBPQ_ENV), ...LIBPQ_BY_SERVICE].join(', ')}; ORM-only ones dropped with a notice: ${ORM_ONLY_PARAMS.join(', ')}).`
      )
    }
    if (refused.length > 0) {
      sentences.push(
        `${unknown.length > 0 ? 'It also has' : 'has'} libpq parameters that cannot be passed on to pg_dump (no environment variable carries them): ${refused.join(', ')}. Remove ${refused.length === 1 ? 'it' : 'them'}${service ? ` (from the URL, or from the service '${service}')` : ''}.`
      )
    }
    throw new SettingError('databaseUrl', sentences.join(' '))
  }
  // what the URL leaves unset, the environment sets, as for psql (PGSSLMODE=verify-full in a
  // workflow's env is never silently weakened to libpq's default prefer)
  const fromEnvironment: string[] = fromEnvironmentService ? [fromEnvironmentService] : []
  for (const key of FROM_ENVIRONMENT) {
    const value = env[LIBPQ_ENV[key]]
    if (params[key] === undefined && value) {
      params[key] = value
      fromEnvironment.push(LIBPQ_ENV[key])
    }
  }
  if (password === undefined && env.PGPASSWORD) {
    password = env.PGPASSWORD
    fromEnvironment.push('PGPASSWORD')
  }
  // the user and database the string leaves out: libpq's (PGUSER, else the OS user; PGDATABASE,
  // else the user's name), set here for this process's connection and pg_dump's alike — the
  // session took PGUSER (node-postgres) while pg_dump, without it, logged in as the OS user
  // (attacker a27 A4)
  if (userName === undefined && !userGiven && env.PGUSER) {
    userName = env.PGUSER
    fromEnvironment.push('PGUSER')
  }
  userName ??= osUser()
  if (database === undefined && !databaseGiven && env.PGDATABASE) {
    database = env.PGDATABASE
    fromEnvironment.push('PGDATABASE')
  }
  if (hostOverride !== undefined) {
    // libpq: ?host= replaces the URL's hosts, not its ports (postgresql://u@h:6543/db?host=x is
    // x:6543 to psql; 5432 here sent the password to another server: attacker a26 A1)
    const written = hostList.map(h => h.port ?? '')
    if (portOverride === undefined && written.some(p => p !== '')) portOverride = written.join(',')
    hostList = hostOverride.split(',').map(h => ({ host: h }))
  }
  // hostaddr= without host=: libpq connects to the addresses and goes by them where it would by
  // the host's name (.pgpass); only verify-full needs a name, which libpq then refuses too
  if (params.hostaddr && hostList.every(h => h.host === '')) {
    if (params.sslmode === 'verify-full') {
      throw new SettingError(
        'databaseUrl',
        `has hostaddr without host, and sslmode=verify-full: libpq verifies the server's certificate against the host's name ("host name must be specified for a verified SSL connection"). Add host=<the name on its certificate> beside hostaddr, or use sslmode=verify-ca.`
      )
    }
    const port = hostList.length === 1 ? hostList[0].port : undefined
    hostList = params.hostaddr.split(',').map((address, i) => ({
      host: address,
      port: hostList[i]?.port ?? port
    }))
  }
  if (portOverride !== undefined) {
    const ports = portOverride.split(',')
    if (ports.length !== 1 && ports.length !== hostList.length) {
      throw new SettingError(
        'databaseUrl',
        `has ${ports.length} ports for ${hostList.length} hosts; give one port, or one per host.`
      )
    }
    hostList = hostList.map((h, i) => ({
      host: h.host,
      port: (ports.length === 1 ? ports[0] : ports[i]) || undefined
    }))
  }
  const hosts = hostList.map(h => ({
    host: h.host,
    port: parsePort(
      h.port,
      keywordValue ? advice('port') : ` ${PERCENT_ENCODING}`,
      hidden.has('port')
    )
  }))
  if (hosts.some(h => h.host === '')) {
    throw new SettingError(
      'databaseUrl',
      keywordValue
        ? 'has no host (the action does not fall back to PGHOST or the local socket as psql would). Add host=db.example.com (or host=/path/to/socket/dir for a Unix socket; several: host=a,b port=5432,5433).'
        : 'has no host. Expected postgresql://user:password@host:5432/dbname (or ?host=/path/to/socket/dir for a Unix socket).'
    )
  }
  if (params.sslmode !== undefined && !SSL_MODES.includes(params.sslmode)) {
    throw new SettingError(
      'databaseUrl',
      `has ${shown('sslmode', params.sslmode)}; use one of ${SSL_MODES.join(', ')}${params.sslmode === 'no-verify' ? " (node-postgres's no-verify is libpq's require)" : ''}.${advice('sslmode')}`
    )
  }
  checkSecurityParams(params, hosts, hidden)
  // no program takes a NUL in its environment (Node refuses to start it, printing the value)
  const withNul = [
    ...hosts.map(h => ['host', h.host]),
    ['user', userName ?? ''],
    ['password', password ?? ''],
    ['dbname', database ?? ''],
    ...Object.entries(params),
    ...Object.entries(serviceParams)
  ].find(([, value]) => value.includes('\0'))
  if (withNul) {
    throw new SettingError(
      'databaseUrl',
      `has a NUL character in ${withNul[0]} (its value is not shown: it may be a password); libpq cannot take one. Remove it.`
    )
  }
  return {
    host: hosts[0].host,
    port: hosts[0].port,
    hosts,
    database: database ?? userName ?? 'postgres',
    user: userName,
    password: password || undefined,
    params,
    ...(Object.keys(serviceParams).length > 0 ? { serviceParams } : {}),
    dropped,
    secrets: secretsOf(url, password, written.passwordForms),
    ...(database === undefined ? { databaseDefaulted: true } : {}),
    ...(keywordValue ? { keywordValue: true } : {}),
    ...(fromEnvironment.length > 0 ? { fromEnvironment } : {})
  }
}

/** The OS user's home directory from the passwd entry (not HOME); '/' where there is none. */
function passwdHome(): string {
  try {
    return os.userInfo().homedir || '/'
  } catch {
    return '/'
  }
}

/** The OS user's name (libpq's default user); undefined where the system has none. */
function osUser(): string | undefined {
  try {
    return os.userInfo().username || undefined
  } catch {
    return undefined
  }
}

/** Where libpq looks for pg_service.conf when PGSYSCONFDIR is unset (Debian's and Ubuntu's libpq). */
const SYSTEM_CONF_DIR = '/etc/postgresql-common'

/**
 * The parameters the connection service file gives `service` that the string does not give
 * (libpq's parseServiceInfo): the user's file (PGSERVICEFILE, else ~/.pg_service.conf) first,
 * then the system's (PGSYSCONFDIR/pg_service.conf); the first that defines the service counts.
 * Lines: `[name]`, `keyword=value`, `#` comments; a service naming another is refused, as by
 * libpq. Errors name the file and line, never a value (a password may be one).
 */
function servicePairs(
  service: string,
  written: WrittenConnection,
  env: Record<string, string | undefined>
): Array<{ key: string; value: string }> {
  const files = [
    // libpq: HOME, or the passwd entry's home when HOME is unset or empty (never a path
    // relative to the working directory: attacker a28 A4)
    env.PGSERVICEFILE ?? path.join(env.HOME || passwdHome(), '.pg_service.conf'),
    path.join(env.PGSYSCONFDIR ?? SYSTEM_CONF_DIR, 'pg_service.conf')
  ]
  for (const file of files) {
    let text: string
    try {
      if (!statSync(file).isFile()) continue
      text = readFileSync(file, 'utf8')
    } catch {
      continue
    }
    const found = serviceSection(text, service, file)
    if (!found) continue
    const given = new Set(written.pairs.map(p => p.key))
    // libpq keeps a keyword's first value in the section (attacker a28 A1): the later ones
    // are dropped here, as the string's own ones are
    if (written.hosts.some(h => h.host !== '')) given.add('host')
    if (written.hosts.some(h => h.port)) given.add('port')
    if (written.user) given.add('user')
    if (written.password !== undefined) given.add('password')
    if (written.database !== undefined) given.add('dbname')
    return found.filter(p => {
      if (given.has(p.key)) return false
      given.add(p.key)
      return true
    })
  }
  throw new SettingError(
    'databaseUrl',
    `names the connection service '${service}', which neither ${files[0]} nor ${files[1]} defines (psql: definition of service "${service}" not found). Add a [${service}] section to one of them (PGSERVICEFILE or PGSYSCONFDIR move them), or put its parameters (host, port, dbname, sslmode, …) in the URL.`
  )
}

/** The `[service]` section's keyword=value lines of a service file; undefined without one. */
function serviceSection(
  text: string,
  service: string,
  file: string
): Array<{ key: string; value: string }> | undefined {
  let inside = false
  let found: Array<{ key: string; value: string }> | undefined
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    // libpq reads each line as a C string: it ends at a NUL (attacker a28 A2)
    const line = lines[i].split('\0')[0].trim()
    if (line === '' || line.startsWith('#')) continue
    if (line.startsWith('[')) {
      if (found) break
      // libpq compares the name up to its ']' and ignores what follows
      inside = line.startsWith(`[${service}]`)
      if (inside) found = []
      continue
    }
    if (!inside || !found) continue
    const at = line.indexOf('=')
    if (at <= 0) {
      throw new SettingError(
        'databaseUrl',
        `names the connection service '${service}', and ${file}, line ${i + 1}, is no keyword=value line (psql: syntax error in service file); its text is not shown (it may hold a password).`
      )
    }
    // as libpq: the keyword is all before '=' (no blanks around it), the value all after
    const key = line.slice(0, at)
    if (key === 'service') {
      throw new SettingError(
        'databaseUrl',
        `names the connection service '${service}', whose section in ${file} (line ${i + 1}) names another service; libpq does not follow one service to another (nested service specifications not supported in service file).`
      )
    }
    found.push({ key, value: line.slice(at + 1) })
  }
  return found
}

/** What a connection string says, before it is checked: the same for both of libpq's forms. */
interface WrittenConnection {
  form: 'url' | 'keyword/value'
  user?: string
  password?: string
  /** The password as written (percent-encoded, quoted, escaped), each time it is given. */
  passwordForms: string[]
  /** The URL's hosts; one empty host for the keyword/value form (host= sets them). */
  hosts: Array<{ host: string; port?: string }>
  database?: string
  /** The query parameters or keywords, decoded, in order. */
  pairs: Array<{ key: string; value: string; afterPassword?: boolean }>
}

/**
 * libpq's test (fe-connect.c, parse_connection_string): a string that is no URL and holds an '='
 * is a keyword/value string. Any `scheme://` is read as a URL (and refused unless postgres or
 * postgresql), so mysql://… gets a message about its scheme rather than about '='.
 */
function isKeywordValue(text: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:\/\//i.test(text) && text.includes('=')
}

function readUrl(url: string): WrittenConnection {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase()
  if (scheme !== 'postgres' && scheme !== 'postgresql') {
    throw new SettingError(
      'databaseUrl',
      `is not a PostgreSQL URL${scheme ? ` (scheme '${scheme}')` : ''}; expected postgresql://user:password@host:5432/dbname, or libpq's keyword/value form host=… port=5432 user=… password=… dbname=….`
    )
  }
  const rest = url.slice(url.indexOf('://') + 3)
  const unencoded = unencodedInUserInfo(rest)
  if (unencoded) {
    throw new SettingError(
      'databaseUrl',
      `cannot be read as written: its user name or password holds ${unencoded}, so the host and database would be taken from a part of the password. ${PERCENT_ENCODING}`
    )
  }
  const parts = splitUrl(rest)
  const passwordText = parts.userInfo?.includes(':') ? after(parts.userInfo, ':') : undefined
  const pairs: WrittenConnection['pairs'] = []
  const passwordForms = passwordText === undefined ? [] : [passwordText]
  for (const pair of parts.query === undefined || parts.query === ''
    ? []
    : parts.query.split('&')) {
    if (pair === '') continue
    const eq = pair.indexOf('=')
    if (eq < 0) {
      throw new SettingError(
        'databaseUrl',
        `has a query parameter without '=' (each one is name=value, joined by &). ${PERCENT_ENCODING}`
      )
    }
    const key = decode(pair.slice(0, eq), 'a parameter name')
    const value = decode(pair.slice(eq + 1), `the value of ${key}`)
    if (key === 'password') passwordForms.push(pair.slice(eq + 1))
    pairs.push({ key, value })
  }
  return {
    form: 'url',
    user:
      parts.userInfo === undefined
        ? undefined
        : decode(before(parts.userInfo, ':'), 'the user name'),
    password: passwordText === undefined ? undefined : decode(passwordText, 'the password'),
    passwordForms,
    hosts: parts.hosts,
    database:
      parts.path === undefined || parts.path === ''
        ? undefined
        : decode(parts.path, 'the database name'),
    pairs
  }
}

/** C's isspace in the C locale: space, \t, \n, \v, \f, \r. */
const SPACE = /[ \t\n\v\f\r]/

interface KeywordValueScan {
  pairs: Array<{ key: string; value: string; written: string; afterPassword: boolean }>
  /** Where libpq stops: a word without '=', or a quoted value that never ends (value: the rest). */
  problem?:
    | { kind: 'no-equals'; word: string; afterPassword: boolean; previous?: string }
    | { kind: 'unterminated'; key: string; value: string; written: string; afterPassword: boolean }
}

/**
 * Splits a keyword/value string as libpq's conninfo_parse does: whitespace before a keyword,
 * around '=' and between settings is skipped; a value is either single-quoted (a backslash
 * escapes the next character, a quote ends it) or runs to the next whitespace (a backslash
 * escapes there too).
 * `afterPassword`: the keyword follows the password's value directly, so it may be a piece of a
 * password written without quotes (password=my secret): never to be printed.
 */
function scanKeywordValue(text: string): KeywordValueScan {
  const pairs: KeywordValueScan['pairs'] = []
  let i = 0
  while (i < text.length) {
    if (SPACE.test(text[i])) {
      i++
      continue
    }
    const afterPassword = pairs.at(-1)?.key === 'password'
    const start = i
    while (i < text.length && text[i] !== '=' && !SPACE.test(text[i])) i++
    const key = text.slice(start, i)
    while (i < text.length && SPACE.test(text[i])) i++
    if (text[i] !== '=') {
      return {
        pairs,
        problem: { kind: 'no-equals', word: key, afterPassword, previous: pairs.at(-1)?.key }
      }
    }
    i++
    while (i < text.length && SPACE.test(text[i])) i++
    let value = ''
    const valueStart = i
    if (text[i] === "'") {
      i++
      for (;;) {
        if (i >= text.length) {
          const written = text.slice(valueStart + 1)
          return { pairs, problem: { kind: 'unterminated', key, value, written, afterPassword } }
        }
        if (text[i] === '\\') {
          i++
          if (i < text.length) value += text[i++]
          continue
        }
        if (text[i] === "'") {
          i++
          break
        }
        value += text[i++]
      }
      pairs.push({ key, value, written: text.slice(valueStart + 1, i - 1), afterPassword })
    } else {
      while (i < text.length && !SPACE.test(text[i])) {
        if (text[i] === '\\') {
          i++
          if (i < text.length) value += text[i++]
        } else value += text[i++]
      }
      pairs.push({ key, value, written: text.slice(valueStart, i), afterPassword })
    }
  }
  return { pairs }
}

/**
 * Whether a word that is no known keyword may be printed: libpq's keywords are words of letters,
 * digits and '_'; anything else ("app:pw@db/shop?sslmode", a URL without its scheme) may hold a
 * password.
 */
function looksLikeKeyword(word: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(word)
}

/** A keyword/value string (see scanKeywordValue), or a SettingError that prints no value. */
function readKeywordValue(text: string): WrittenConnection {
  const { pairs, problem } = scanKeywordValue(text)
  if (problem?.kind === 'no-equals') {
    throw new SettingError(
      'databaseUrl',
      problem.afterPassword
        ? `has, right after the password's value, a word without '=' (not shown: it may be a piece of the password). ${QUOTING}`
        : `is read as libpq's keyword/value form (it holds an '=' and is no postgresql:// URL), and has a word without '='${looksLikeKeyword(problem.word) ? `: '${problem.word}'` : ' (not shown: it may hold a password)'}${problem.previous ? ` after the value of ${problem.previous}` : ''}. Each setting is keyword=value, separated by spaces. ${QUOTING}`
    )
  }
  if (problem?.kind === 'unterminated') {
    throw new SettingError(
      'databaseUrl',
      `has a quoted value ${problem.afterPassword ? "right after the password's value" : `of ${problem.key}`} whose opening quote is never closed (psql: unterminated quoted string; the value is not shown). ${QUOTING}`
    )
  }
  return {
    form: 'keyword/value',
    passwordForms: pairs.filter(p => p.key === 'password').map(p => p.written),
    hosts: [{ host: '' }],
    pairs
  }
}

/**
 * Every form of what could be the password in `url`, for masking before anything is printed,
 * also when the URL cannot be parsed: the URL, the password as libpq reads it, and for a URL
 * whose user information holds an unencoded '@', '/' or '#', the text up to the last '@' and
 * each of its ends before an '@' (4 characters or more): each may be the password, and nothing
 * shorter, nor a piece between separators, is masked. The front doors register these first.
 */
export function databaseUrlSecrets(url: string): string[] {
  const secrets = new Set<string>()
  if (url === '') return []
  secrets.add(url)
  if (isKeywordValue(url)) {
    for (const s of keywordValueSecrets(url)) secrets.add(s)
    return [...secrets]
  }
  const at = url.indexOf('://')
  if (at < 0) return [...secrets]
  const rest = url.slice(at + 3)
  const parts = (() => {
    try {
      return splitUrl(rest)
    } catch {
      return undefined
    }
  })()
  const unencoded = unencodedInUserInfo(rest)
  // the URL as the action reads it (no refusal): its password is the password, masked whatever
  // its length; otherwise the password parsed is a guess, and may be a piece of it
  const readAsWritten = (() => {
    try {
      readUrl(url)
      return true
    } catch {
      return false
    }
  })()
  if (parts?.userInfo?.includes(':')) {
    for (const s of secretsOf(url, safeDecode(after(parts.userInfo, ':')), [
      after(parts.userInfo, ':')
    ])) {
      // with an unencoded '@', '/' or '#' (or anything else the action refuses: a bad
      // percent-escape after a '#' that was a piece of the password) the parsed password is
      // only a fragment of the real one (masked below, piece by piece): a fragment of a
      // character or two is ordinary text, and masking it would garble every line of the job's
      // log (::add-mask::p masks every "p")
      if ((readAsWritten && !unencoded) || s.length >= 4) secrets.add(s)
    }
  }
  if (unencoded) {
    // the password may run from the first ':' to the last '@': mask it and every piece of it
    const lastAt = rest.lastIndexOf('@')
    const colon = rest.indexOf(':')
    const candidate = rest.slice(colon >= 0 && colon < lastAt ? colon + 1 : 0, lastAt)
    // and each way it may end (before an '@'), decoded or not: what the password may be, and no
    // piece between separators ("pass" and "word" of "pass#word@x"): those are no secret by
    // themselves, and masked they would garble every word of the explanation holding them
    // ("pass***"). The refusal prints no part of the URL, and nothing runs after it.
    const ends = [...candidate.matchAll(/@/g)].map(m => candidate.slice(0, m.index))
    for (const piece of [candidate, ...ends].flatMap(p => [p, safeDecode(p)])) {
      if (piece.length >= 4) secrets.add(piece)
    }
  }
  return [...secrets]
}

/**
 * What may be the password in a keyword/value string, also one libpq cannot split: every value
 * of password= as read and as written, a quoted value left open to the end, and, for each
 * "password=", the text from its value to the next known keyword (or the end), quoted or not: a
 * password with spaces written without quotes (password=my secret dbname=x). Of these guesses,
 * pieces shorter than 4 characters are not masked (see databaseUrlSecrets); a password read as
 * such is, whatever its length (as for a URL).
 */
function keywordValueSecrets(text: string): string[] {
  const { pairs, problem } = scanKeywordValue(text)
  const keywords = ['host', 'port', 'dbname', 'user', 'password', ...Object.keys(LIBPQ_ENV)]
  // a word after the password's value that is no keyword may be a piece of it ("my secret=x")
  const piece = (p: { key: string; afterPassword: boolean }): boolean =>
    p.afterPassword && !keywords.includes(p.key)
  const found: string[] = []
  const passwords: string[] = []
  for (const p of pairs) {
    if (p.key === 'password' && p.value !== '') passwords.push(p.value)
    if (p.key === 'password') found.push(p.value, p.written)
    if (piece(p)) found.push(p.key, p.value, p.written)
  }
  if (problem?.kind === 'unterminated' && (problem.key === 'password' || piece(problem))) {
    found.push(problem.value, problem.written)
    if (piece(problem)) found.push(problem.key)
  }
  if (problem?.kind === 'no-equals' && problem.afterPassword) found.push(problem.word)
  const next = new RegExp(`\\s(?:${keywords.join('|')})\\s*=`)
  for (const m of text.matchAll(/(?:^|[\s'])password\s*=\s*/g)) {
    const from = m.index + m[0].length
    const rest = text.slice(from)
    const end = next.exec(rest)?.index ?? rest.length
    const candidate = rest.slice(0, end).trim()
    found.push(candidate, candidate.replace(/^'/, '').replace(/'$/, ''))
  }
  return [...passwords, ...found.filter(s => s.length >= 4)]
}

interface UrlParts {
  userInfo?: string
  hosts: Array<{ host: string; port?: string }>
  path?: string
  query?: string
}

/** Splits what follows "scheme://" as libpq does; values are still percent-encoded. */
function splitUrl(rest: string): UrlParts {
  let userInfo: string | undefined
  let i = 0
  const stop = rest.search(/[@/]/)
  if (stop >= 0 && rest[stop] === '@') {
    userInfo = rest.slice(0, stop)
    i = stop + 1
  }
  const hosts: UrlParts['hosts'] = []
  for (;;) {
    let host: string
    if (rest[i] === '[') {
      const close = rest.indexOf(']', i)
      if (close < 0)
        throw new SettingError('databaseUrl', "has an IPv6 host without its closing ']'.")
      host = rest.slice(i + 1, close)
      i = close + 1
    } else {
      const end = indexOfAny(rest, ':/?,', i)
      host = safeDecode(rest.slice(i, end))
      i = end
    }
    let port: string | undefined
    if (rest[i] === ':') {
      const end = indexOfAny(rest, '/?,', i + 1)
      port = rest.slice(i + 1, end)
      i = end
    }
    hosts.push({ host, port })
    if (rest[i] === ',') {
      i++
      continue
    }
    break
  }
  let path: string | undefined
  if (rest[i] === '/') {
    const end = indexOfAny(rest, '?', i + 1)
    path = rest.slice(i + 1, end)
    i = end
  }
  const query = rest[i] === '?' ? rest.slice(i + 1) : undefined
  if (i < rest.length && rest[i] !== '?') {
    throw new SettingError(
      'databaseUrl',
      `could not be parsed. Expected postgresql://user:password@host:5432/dbname. ${PERCENT_ENCODING}`
    )
  }
  return { userInfo, hosts, path, query }
}

/**
 * What in the user information libpq would misread: a second '@' (the host would be a piece of
 * the password), a '/' (the password would become the port), or a '#'/'@' followed by what
 * looks like "host/db" in the database name or a query parameter. Undefined when libpq reads
 * the URL as meant (a '#', '?' or ':' in the password before the only '@' is fine for libpq).
 */
function unencodedInUserInfo(rest: string): string | undefined {
  const firstAt = rest.indexOf('@')
  const firstSlash = rest.indexOf('/')
  if (firstAt < 0) return undefined
  if (firstSlash >= 0 && firstSlash < firstAt) {
    // libpq sees no user information: "user:pa/ss@host" would be host "user", port "pa"
    const authority = rest.slice(0, indexOfAny(rest, '/?', 0))
    const colon = authority.indexOf(':')
    const portText = colon < 0 ? '' : authority.slice(colon + 1)
    const path = rest.slice(firstSlash + 1, indexOfAny(rest, '?', firstSlash + 1))
    if ((colon >= 0 && !/^[\d,:]*$/.test(portText)) || /@[^/?]*[/:]/.test(path)) {
      return "an unencoded '/' (or '@')"
    }
    return undefined
  }
  const afterAt = rest.slice(firstAt + 1)
  const hostEnd = indexOfAny(afterAt, '/?', 0)
  const hostspec = afterAt.slice(0, hostEnd)
  if (hostspec.includes('@')) return "more than one unencoded '@'"
  if (/#/.test(hostspec)) return "an unencoded '#' or '@'"
  const tail = afterAt.slice(hostEnd)
  const queryAt = tail.indexOf('?')
  const path = queryAt < 0 ? tail : tail.slice(0, queryAt)
  if (/@[^/?]*[/:]/.test(path) || /@.*\//.test(path)) return "an unencoded '@' with a '/'"
  if (queryAt >= 0) {
    for (const pair of tail.slice(queryAt + 1).split('&')) {
      // "p@ss?@host/db?sslmode=require": the query's first name is "@host/db?sslmode"
      if (pair.includes('@') && (!pair.includes('=') || before(pair, '=').includes('@'))) {
        return "an unencoded '@' with a '?'"
      }
    }
  }
  return undefined
}

function parsePort(text: string | undefined, advice: string, hidden = false): number {
  if (text === undefined || text === '') return 5432
  // as libpq reads it (strtol, then only spaces after it): ' 5432', '+5432'
  const port = /^\s*\+?\d+\s*$/.test(text) ? Number(text.trim().replace(/^\+/, '')) : NaN
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new SettingError(
      'databaseUrl',
      `has an invalid port${hidden ? " after the password's value (not shown: it may be the rest of a password written without quotes)" : ` '${text}'`} (a number from 1 to 65535).${advice}`
    )
  }
  return port
}

function decode(text: string, what: string): string {
  try {
    const value = decodeURIComponent(text)
    if (value.includes('\0')) throw new Error('NUL')
    return value
  } catch {
    throw new SettingError(
      'databaseUrl',
      `has an invalid percent-escape in ${what} (% must be followed by two hex digits; a literal % is %25). ${PERCENT_ENCODING}`
    )
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

function indexOfAny(text: string, chars: string, from: number): number {
  for (let i = from; i < text.length; i++) if (chars.includes(text[i])) return i
  return text.length
}

function before(text: string, sep: string): string {
  const at = text.indexOf(sep)
  return at < 0 ? text : text.slice(0, at)
}

function after(text: string, sep: string): string {
  return text.slice(text.indexOf(sep) + 1)
}

function secretsOf(url: string, password: string | undefined, written: string[]): string[] {
  const secrets = new Set<string>([url])
  if (password) {
    secrets.add(password)
    secrets.add(encodeURIComponent(password))
    // the password exactly as written (its own percent-encoding or quoting may differ), and
    // a password given twice (the last one counts)
    for (const form of written) if (form) secrets.add(form)
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

/** The service the run's own service file defines (see serviceFile). */
const SERVICE_NAME = 'postgres-backup-action'
/** The service files written, by their contents (one per set of parameters), and their folder. */
const serviceFiles = new Map<string, string>()
let serviceDir: string | undefined

/**
 * A service file (pg_service.conf's format: `[name]`, then `keyword=value` lines) holding
 * `params` under {@link SERVICE_NAME}, in a 0700 folder of its own removed when the process
 * exits: how a client gets the libpq parameters no environment variable carries. libpq reads
 * a service's parameters for what the connection string and the environment leave unset, and
 * no other PG* variable sets these. Written once per set of parameters.
 */
function serviceFile(params: Record<string, string>): string {
  const text = `[${SERVICE_NAME}]\n${Object.entries(params)
    .map(([key, value]) => `${key}=${value.trim()}\n`)
    .join('')}`
  const known = serviceFiles.get(text)
  if (known) return known
  if (!serviceDir) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pg-service-'))
    serviceDir = dir
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
  }
  const file = path.join(serviceDir, `${serviceFiles.size + 1}.conf`)
  writeFileSync(file, text, { mode: 0o600 })
  serviceFiles.set(text, file)
  return file
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
  env.PGHOST = connection.hosts.map(h => h.host).join(',')
  env.PGPORT = connection.hosts.map(h => String(h.port)).join(',')
  env.PGDATABASE = connection.database
  if (connection.user) env.PGUSER = connection.user
  if (connection.password) env.PGPASSWORD = connection.password
  for (const [key, value] of Object.entries(connection.params)) env[LIBPQ_ENV[key]] = value
  if (connection.serviceParams) {
    env.PGSERVICEFILE = serviceFile(connection.serviceParams)
    env.PGSERVICE = SERVICE_NAME
  }
  if (!env.PGCONNECT_TIMEOUT && options.connectTimeoutSeconds) {
    env.PGCONNECT_TIMEOUT = String(options.connectTimeoutSeconds)
  }
  if (!env.PGAPPNAME) env.PGAPPNAME = 'postgres-backup-action'
  return env
}

// ---------------------------------------------------------------------------------------------
// the action's own connections (node-postgres), as strict as libpq with the same URL

const CHANNEL_BINDING = ['disable', 'prefer', 'require']
const SSL_NEGOTIATION = ['postgres', 'direct']
const AUTH_METHODS = ['password', 'md5', 'scram-sha-256', 'gss', 'sspi', 'none', 'oauth']
const TARGET_SESSION_ATTRS = [
  'any',
  'read-write',
  'read-only',
  'primary',
  'standby',
  'prefer-standby'
]
const TLS_VERSIONS: Record<string, tls.SecureVersion> = {
  TLSv1: 'TLSv1',
  'TLSv1.1': 'TLSv1.1',
  'TLSv1.2': 'TLSv1.2',
  'TLSv1.3': 'TLSv1.3'
}

/**
 * Refuses, before anything is sent, what libpq refuses in the security parameters and what the
 * action's own connection could not honour as strictly as libpq does (naming the parameter).
 */
function checkSecurityParams(
  params: Record<string, string>,
  hosts: Array<{ host: string; port: number }>,
  /** keywords right after the password's value: their values are not printed (shownValue) */
  hidden: ReadonlySet<string> = new Set()
): void {
  const refuse = (message: string, ...keys: string[]): never => {
    throw new SettingError(
      'databaseUrl',
      `${message}${keys.some(key => hidden.has(key)) ? ` ${QUOTING}` : ''}`
    )
  }
  const shown = (key: string): string => shownValue(key, params[key], hidden)
  const oneOf = (key: string, allowed: string[]): void => {
    const value = params[key]
    if (value !== undefined && !allowed.includes(value)) {
      refuse(`has ${shown(key)}; use one of ${allowed.join(', ')}.`, key)
    }
  }
  if (params.requiressl !== undefined) {
    if (!['0', '1'].includes(params.requiressl))
      refuse('has requiressl other than 0 or 1; use sslmode=require.')
    if (params.requiressl === '1' && params.sslmode === undefined) params.sslmode = 'require'
  }
  if (params.sslrootcert === 'system') {
    // libpq 16+: the system's roots change the default sslmode to verify-full, weaker is an error
    params.sslmode ??= 'verify-full'
    if (params.sslmode !== 'verify-full') {
      refuse(
        `has sslrootcert=system with sslmode=${params.sslmode}; libpq accepts the system's trusted roots only with sslmode=verify-full (a public CA vouches for a host name, not for your server).`
      )
    }
  }
  oneOf('channel_binding', CHANNEL_BINDING)
  oneOf('sslnegotiation', SSL_NEGOTIATION)
  oneOf('target_session_attrs', TARGET_SESSION_ATTRS)
  oneOf('load_balance_hosts', ['disable', 'random'])
  oneOf('sslcertmode', ['disable', 'allow', 'require'])
  oneOf('gssencmode', ['disable', 'prefer', 'require'])
  for (const key of ['ssl_min_protocol_version', 'ssl_max_protocol_version']) {
    oneOf(key, Object.keys(TLS_VERSIONS))
  }
  if (
    params.sslnegotiation === 'direct' &&
    !['require', 'verify-ca', 'verify-full'].includes(params.sslmode ?? 'prefer')
  ) {
    refuse(
      `has sslnegotiation=direct with sslmode=${params.sslmode ?? 'prefer'} (the default); libpq requires sslmode=require, verify-ca or verify-full with direct TLS.`
    )
  }
  if (params.channel_binding === 'require' && params.sslmode === 'disable') {
    refuse(
      'has channel_binding=require with sslmode=disable; channel binding needs TLS. Use sslmode=require or stronger.'
    )
  }
  if (params.require_auth !== undefined) authMethods(params.require_auth, hidden)
  if (params.gssencmode === 'require') {
    refuse(
      "has gssencmode=require; the action's own connection (node-postgres) cannot use GSSAPI encryption. Use TLS: sslmode=verify-full."
    )
  }
  if (params.sslcertmode === 'require') {
    refuse(
      "has sslcertmode=require; the action's own connection cannot tell whether the server asked for the client certificate. Use sslcertmode=allow (the default) with sslcert and sslkey."
    )
  }
  if (params.hostaddr !== undefined) {
    const addresses = params.hostaddr.split(',')
    if (addresses.length !== hosts.length) {
      refuse(
        `has ${addresses.length} hostaddr values for ${hosts.length} hosts; give one per host.`
      )
    }
    for (const address of addresses) {
      if (address !== '' && net.isIP(address) === 0)
        refuse(
          hidden.has('hostaddr')
            ? `has ${shown('hostaddr')}, which is not a list of IP addresses.`
            : `has hostaddr='${address}', which is not an IP address.`,
          'hostaddr'
        )
    }
  }
  // as libpq reads it (strtol: a sign, spaces around; zero or less waits without a limit)
  if (params.connect_timeout !== undefined && !/^\s*[+-]?\d+\s*$/.test(params.connect_timeout)) {
    refuse(`has ${shown('connect_timeout')}; it is a whole number of seconds.`, 'connect_timeout')
  }
}

/** require_auth → the methods it allows (libpq 16+: a list, or a list of "!method" exclusions). */
function authMethods(spec: string, hidden: ReadonlySet<string> = new Set()): Set<string> {
  const secret = hidden.has('require_auth')
  const advice = secret ? ` ${QUOTING}` : ''
  const items = spec.split(',').map(s => s.trim())
  const negated = items.filter(s => s.startsWith('!'))
  if (negated.length > 0 && negated.length !== items.length) {
    throw new SettingError(
      'databaseUrl',
      `has ${shownValue('require_auth', spec, hidden)}, which mixes methods and !methods; libpq accepts either a list of methods or a list of exclusions.${advice}`
    )
  }
  const names = items.map(s => s.replace(/^!/, ''))
  for (const name of names) {
    if (!AUTH_METHODS.includes(name)) {
      throw new SettingError(
        'databaseUrl',
        `has require_auth with an unknown method${secret ? " (after the password's value; not shown: it may be the rest of a password written without quotes)" : ` '${name}'`}; use ${AUTH_METHODS.join(', ')} (or !method to exclude one).${advice}`
      )
    }
  }
  return negated.length > 0 ? new Set(AUTH_METHODS.filter(m => !names.includes(m))) : new Set(names)
}

/**
 * The libpq majors the URL's parameters need. They reach pg_dump, pg_restore and psql through
 * environment variables, which an older libpq ignores without a word: PGREQUIREAUTH under libpq
 * 15 would let pg_dump send a cleartext password that require_auth forbids.
 */
export function libpqRequirements(
  connection: Connection
): Array<{ major: number; because: string }> {
  const p = connection.params
  const needs: Array<{ major: number; because: string }> = []
  const need = (major: number, what: string): void => {
    needs.push({
      major,
      because: `${what} is understood by libpq ${major} and newer (older clients ignore it)`
    })
  }
  if (p.require_auth !== undefined) need(16, 'require_auth')
  if (p.sslrootcert === 'system') need(16, 'sslrootcert=system')
  if (p.sslcertmode !== undefined) need(16, 'sslcertmode')
  if (p.load_balance_hosts !== undefined) need(16, 'load_balance_hosts')
  if (p.sslnegotiation !== undefined && p.sslnegotiation !== 'postgres')
    need(17, 'sslnegotiation=direct')
  return needs
}

/** One way the action may open a connection to one host: TLS or not, as libpq would try it. */
export interface ConnectAttempt {
  /** Where the socket goes: hostaddr when given, else the host. */
  host: string
  port: number
  /** The URL's host: what a certificate is checked against (sslmode=verify-full). */
  name: string
  ssl: false | tls.ConnectionOptions
  sslNegotiation: 'postgres' | 'direct'
  /**
   * When this attempt fails this way, the next one is tried (libpq's sslmode=prefer retries in
   * clear text after a refused or failed TLS handshake; allow retries with TLS after a refusal).
   */
  fallBackOn?: 'tls-refused-or-failed' | 'server-refused'
}

/**
 * The authentication the server may ask for, as libpq checks it before sending the password:
 * channel_binding=require accepts only SCRAM-SHA-256-PLUS over TLS, require_auth only its
 * methods ("none": the server asked for nothing).
 */
export interface AuthPolicy {
  allowed: Set<string>
  channelBinding: 'disable' | 'prefer' | 'require'
}

export function authPolicy(connection: Connection): AuthPolicy {
  return {
    allowed: connection.params.require_auth
      ? authMethods(connection.params.require_auth)
      : new Set(AUTH_METHODS),
    channelBinding: (connection.params.channel_binding ?? 'prefer') as AuthPolicy['channelBinding']
  }
}

/**
 * Why the server's authentication request must be refused (undefined: go on): `method` is what it
 * asked for, `plus` whether SCRAM-SHA-256-PLUS is offered on a TLS connection. The messages are
 * libpq's, naming the parameter.
 */
export function refuseAuthentication(
  policy: AuthPolicy,
  method: 'password' | 'md5' | 'scram-sha-256' | 'none' | string,
  plus: boolean
): string | undefined {
  if (!policy.allowed.has(method)) {
    return `the server asked for ${method === 'none' ? 'no authentication' : `authentication method ${method}`}, which require_auth does not allow; nothing was sent.`
  }
  if (policy.channelBinding === 'require' && !(method === 'scram-sha-256' && plus)) {
    return method === 'none'
      ? 'channel_binding=require, but the server authenticated the client without channel binding.'
      : `channel_binding=require, but the server asked for ${method === 'scram-sha-256' ? 'SCRAM without channel binding (SCRAM-SHA-256-PLUS needs TLS)' : `a ${method === 'password' ? 'cleartext' : method} password`}; the password was not sent. Fix the server's pg_hba.conf (scram-sha-256 over hostssl) or drop channel_binding=require.`
  }
  return undefined
}

/** The connection attempts for each host, in libpq's order (load_balance_hosts=random shuffles). */
export function connectAttempts(connection: Connection): ConnectAttempt[][] {
  const addresses = connection.params.hostaddr?.split(',')
  const hosts = connection.hosts.map((h, i) => ({ ...h, address: addresses?.[i] || undefined }))
  if (connection.params.load_balance_hosts === 'random') {
    for (let i = hosts.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1))
      ;[hosts[i], hosts[j]] = [hosts[j], hosts[i]]
    }
  }
  return hosts.map(h => attemptsFor(connection, h.host, h.port, h.address))
}

function attemptsFor(
  connection: Connection,
  name: string,
  port: number,
  address: string | undefined
): ConnectAttempt[] {
  const mode = connection.params.sslmode ?? 'prefer'
  const socket = name.startsWith('/') && address === undefined
  const host = address ?? name
  const sslNegotiation = connection.params.sslnegotiation === 'direct' ? 'direct' : 'postgres'
  const plain: ConnectAttempt = { host, port, name, ssl: false, sslNegotiation: 'postgres' }
  // libpq never uses TLS over a Unix socket: with sslmode=require or stronger that is an error
  if (socket) {
    if (['require', 'verify-ca', 'verify-full'].includes(mode)) {
      throw new SettingError(
        'databaseUrl',
        `connects through a Unix socket (${name}) with sslmode=${mode}; TLS is not used over Unix sockets. Use sslmode=disable or prefer for a socket.`
      )
    }
    return [plain]
  }
  if (mode === 'disable') return [plain]
  const secure: ConnectAttempt = {
    host,
    port,
    name,
    ssl: tlsOptions(connection, name),
    sslNegotiation
  }
  if (mode === 'allow') return [{ ...plain, fallBackOn: 'server-refused' }, secure]
  if (mode === 'prefer') return [{ ...secure, fallBackOn: 'tls-refused-or-failed' }, plain]
  return [secure]
}

/**
 * The TLS options libpq would use: the certificate chain is checked against sslrootcert (default
 * ~/.postgresql/root.crt; "system": the system's roots) for verify-ca and verify-full, and also
 * for require and prefer when that file exists; only verify-full checks the host name (the URL's
 * host, also with hostaddr). sslcert/sslkey (default ~/.postgresql/postgresql.crt and .key) are
 * offered unless sslcertmode=disable; sslcrl/sslcrldir (default ~/.postgresql/root.crl) are
 * enforced; ssl_min_protocol_version defaults to TLSv1.2 as in libpq.
 */
export function tlsOptions(connection: Connection, name: string): tls.ConnectionOptions {
  const p = connection.params
  const mode = p.sslmode ?? 'prefer'
  const home = path.join(os.homedir(), '.postgresql')
  const rootFile = p.sslrootcert ?? path.join(home, 'root.crt')
  const verify = mode === 'verify-ca' || mode === 'verify-full'
  const options: tls.ConnectionOptions = {
    minVersion: TLS_VERSIONS[p.ssl_min_protocol_version ?? 'TLSv1.2'],
    maxVersion: p.ssl_max_protocol_version ? TLS_VERSIONS[p.ssl_max_protocol_version] : undefined
  }
  if (p.sslrootcert === 'system') {
    options.rejectUnauthorized = true
  } else if (p.sslrootcert !== undefined || existsSync(rootFile)) {
    options.ca = readFile(rootFile)
    options.rejectUnauthorized = true
  } else if (verify) {
    throw new SettingError(
      'databaseUrl',
      `has sslmode=${mode} but no sslrootcert, and the root certificate file ${rootFile} does not exist (libpq refuses this too). Add sslrootcert=/path/to/ca.pem (your provider's CA certificate), sslrootcert=system for a publicly trusted server certificate (with sslmode=verify-full), or use sslmode=require.`
    )
  } else {
    options.rejectUnauthorized = false
  }
  if (mode === 'verify-full') {
    options.checkServerIdentity = (_host, cert) => tls.checkServerIdentity(name, cert)
  } else {
    options.checkServerIdentity = () => undefined
  }
  if (net.isIP(name) === 0 && !name.startsWith('/') && p.sslsni !== '0') options.servername = name
  if (p.sslcertmode !== 'disable') {
    const certFile = p.sslcert ?? path.join(home, 'postgresql.crt')
    const keyFile = p.sslkey ?? path.join(home, 'postgresql.key')
    if (p.sslcert !== undefined || existsSync(certFile)) {
      options.cert = readFile(certFile)
      options.key = readFile(keyFile)
    }
  }
  const crls: string[] = []
  const crlFile = p.sslcrl ?? path.join(home, 'root.crl')
  if (p.sslcrl !== undefined || (p.sslcrldir === undefined && existsSync(crlFile))) {
    crls.push(readFile(crlFile))
  }
  if (p.sslcrldir !== undefined) {
    try {
      for (const entry of readdirSync(p.sslcrldir)) {
        const file = path.join(p.sslcrldir, entry)
        if (statSync(file).isFile()) crls.push(readFile(file))
      }
    } catch (error) {
      if (error instanceof SettingError) throw error
      throw new SettingError(
        'databaseUrl',
        `names an sslcrldir '${p.sslcrldir}' that cannot be read: ${(error as Error).message}.`
      )
    }
  }
  if (crls.length > 0) options.crl = crls
  return options
}

/**
 * How long the action's own connections wait for the server, in seconds: the URL's
 * connect_timeout where it is a positive number, as libpq reads it for pg_dump by hand (attacker
 * a94 F3: ?connect_timeout=3 waited the input's 10 s), else `inputSeconds` (connect-timeout).
 */
export function connectTimeoutOf(connection: Connection, inputSeconds: number): number {
  const seconds = Number(connection.params.connect_timeout?.trim() || NaN)
  return Number.isInteger(seconds) && seconds > 0 ? seconds : inputSeconds
}

/** The `pg` client configuration for one attempt (see connectAttempts). */
export function pgClientConfig(
  connection: Connection,
  options: { connectTimeoutSeconds: number; attempt?: ConnectAttempt }
): ClientConfig & { sslnegotiation?: string } {
  const attempt = options.attempt ?? connectAttempts(connection)[0][0]
  return {
    host: attempt.host,
    port: attempt.port,
    database: connection.database,
    user: connection.user,
    password: connection.password,
    ssl: attempt.ssl,
    sslnegotiation: attempt.sslNegotiation,
    application_name: connection.params.application_name ?? 'postgres-backup-action',
    options: connection.params.options,
    client_encoding: connection.params.client_encoding,
    connectionTimeoutMillis: options.connectTimeoutSeconds * 1000,
    // the URL's keepalives as libpq takes them (on unless keepalives=0; its idle time in
    // seconds); tcp_user_timeout has no counterpart in Node's sockets: the clients alone take it
    keepAlive: Number(connection.serviceParams?.keepalives ?? 1) !== 0,
    ...(connection.serviceParams?.keepalives_idle !== undefined &&
    Number.isFinite(Number(connection.serviceParams.keepalives_idle))
      ? { keepAliveInitialDelayMillis: Number(connection.serviceParams.keepalives_idle) * 1000 }
      : {}),
    enableChannelBinding: (connection.params.channel_binding ?? 'prefer') !== 'disable'
  } as ClientConfig & { sslnegotiation?: string }
}

/**
 * The password libpq would read from the password file (passfile, default ~/.pgpass) when the
 * URL has none: the first line whose host, port, database and user match ("*" matches any).
 */
export function passwordFromFile(
  connection: Connection,
  host: string,
  port: number
): string | undefined {
  const file = connection.params.passfile ?? path.join(os.homedir(), '.pgpass')
  let text: string
  try {
    const stat = statSync(file)
    if (!stat.isFile() || (stat.mode & 0o077) !== 0) return undefined // libpq ignores it too
    text = readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
  const user = connection.user ?? os.userInfo().username
  const hostKey = host.startsWith('/') ? 'localhost' : host
  for (const line of text.split(/\r?\n/)) {
    if (line === '' || line.startsWith('#')) continue
    const entry = passwordFileEntry(line)
    if (!entry) continue
    const [h, p, d, u] = entry.fields
    if (
      h.matches(hostKey) &&
      p.matches(String(port)) &&
      d.matches(connection.database) &&
      u.matches(user)
    ) {
      return entry.password
    }
  }
  return undefined
}

/** One of a password file's four key fields as libpq matches it. */
interface PasswordFileField {
  matches: (value: string) => boolean
}

/**
 * A line of a password file read as libpq's passwordFromFile reads it: four fields ended by an
 * unescaped ":", each matched with "\\" escaping the next character and a bare "*" matching
 * anything ("\\*" is a literal star); the password is the rest up to the next unescaped ":" or
 * the line's end (attacker a87 F2: a password read past a ":" logged the action's own session in
 * while psql, pg_restore and pg_dump, reading the same file, were refused at the load).
 * Undefined for a line with fewer than four ":"-ended fields (libpq skips it).
 */
export function passwordFileEntry(
  line: string
): { fields: PasswordFileField[]; password: string } | undefined {
  const fields: PasswordFileField[] = []
  let i = 0
  while (fields.length < 4) {
    const start = i
    let value = ''
    for (; i < line.length && line[i] !== ':'; i++) {
      if (line[i] === '\\' && i + 1 < line.length) i++
      value += line[i]
    }
    if (i >= line.length) return undefined
    const any = line.slice(start, i) === '*'
    fields.push({ matches: (candidate: string) => any || candidate === value })
    i++ // the ':'
  }
  let password = ''
  for (; i < line.length && line[i] !== ':'; i++) {
    if (line[i] === '\\' && i + 1 < line.length) i++
    password += line[i]
  }
  return { fields, password }
}

function readFile(file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch (error) {
    throw new SettingError(
      'databaseUrl',
      `names a certificate file '${file}' that cannot be read: ${(error as Error).message}.`
    )
  }
}
