/**
 * Which database a session is on, as its server tells it rather than as a URL spells it: a
 * backup records it in its manifest (`database.identity`), and verify refuses to restore into
 * the database the backup was made of, however its URL names the server (another host name, a
 * pooler's port, a Unix socket: attacker a53 F1).
 */
import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import { hostname, networkInterfaces } from 'node:os'
import type pg from 'pg'

/**
 * A database as its server identifies it: the cluster's system identifier (pg_control_system;
 * unset where the role may not read it), whether the server is a standby, the server's start
 * time and port (one running server), the database's OID and name.
 */
export interface DatabaseIdentity {
  systemIdentifier?: string
  /**
   * pg_is_in_recovery(): a standby, whose primary holds the same database (the same system
   * identifier and OID) and is where its writes go. Unset in manifests made before it was read.
   */
  inRecovery?: boolean
  /** pg_postmaster_start_time() as text: a server restarted since has another. */
  startedAt: string
  /** The server's own port setting (not the URL's: a pooler listens on another). */
  port: string
  oid: string
  name: string
}

/**
 * Reads the identity of the database `client` is on (two catalog reads, neither of which can
 * fail on privileges: PostgreSQL checks EXECUTE on every function a statement names, even in a
 * branch it does not take — attacker a54 F1 — so the system identifier is read in a statement
 * of its own, only where the role may).
 */
export async function readDatabaseIdentity(client: pg.Client): Promise<DatabaseIdentity> {
  const { rows } = await client.query<DatabaseIdentity & { readable: boolean }>(
    `SELECT d.oid::text AS oid, d.datname AS name,
            pg_catalog.pg_postmaster_start_time()::text AS "startedAt",
            pg_catalog.current_setting('port') AS port,
            pg_catalog.pg_is_in_recovery() AS "inRecovery",
            pg_catalog.has_function_privilege('pg_catalog.pg_control_system()', 'EXECUTE') AS readable
       FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()`
  )
  const { readable, ...identity } = rows[0]
  if (!readable) return identity
  const { rows: ids } = await client.query<{ id: string | null }>(
    'SELECT system_identifier::text AS id FROM pg_catalog.pg_control_system()'
  )
  const systemIdentifier = ids[0]?.id
  return systemIdentifier ? { ...identity, systemIdentifier } : identity
}

/** Both identities have a system identifier, and it is the same. */
function sameCluster(a: DatabaseIdentity, b: DatabaseIdentity): boolean {
  return !!a.systemIdentifier && a.systemIdentifier === b.systemIdentifier
}

/**
 * True when both identities, read at about the same time, are the same database: of the same
 * running server (the same OID, name, start time and port; and system identifier where both
 * are known), or of a primary and its standby (the same cluster and OID, one of them in
 * recovery: writes to the primary are the standby's data; attacker a54 F3). A copy that took
 * its own way — a Neon branch, a server restored from a snapshot — shares the system identifier
 * and OID but is neither.
 */
export function sameDatabase(a: DatabaseIdentity, b: DatabaseIdentity): boolean {
  if (a.oid !== b.oid || a.name !== b.name) return false
  if (a.systemIdentifier && b.systemIdentifier && a.systemIdentifier !== b.systemIdentifier)
    return false
  if (sameCluster(a, b) && (a.inRecovery === true || b.inRecovery === true)) return true
  return a.startedAt === b.startedAt && a.port === b.port
}

/** What the backup's manifest records of the backed-up database (manifest.ts `database`). */
export interface RecordedDatabase {
  name: string
  host: string
  port: number
  identity?: DatabaseIdentity
}

/**
 * Whether the target is the database the backup was made of, by the manifest's record:
 * 'same' (the same running server says so, or — a manifest without identity — the same name
 * and port on a host name for the same machine: letter case, loopback names and sockets, DNS
 * addresses), 'same-or-copy' (the cluster's system identifier and the database's OID are the
 * backup's but the server started since: it restarted, or it is a copy such as a Neon branch
 * or a snapshot restore), else undefined. Without a system identifier on both sides, a
 * different start time leaves it to the host and port. DNS lookups are given at most 2 s.
 */
export async function backedUpHere(
  recorded: RecordedDatabase,
  target: DatabaseIdentity,
  url: { host: string; port: number }
): Promise<'same' | 'same-or-copy' | undefined> {
  const was = recorded.identity
  if (was) {
    if (was.oid !== target.oid || was.name !== target.name) return undefined
    // the same running server; or a standby's primary, or the standby of the backed-up primary
    if (sameDatabase(was, target)) return 'same'
    if (was.systemIdentifier && target.systemIdentifier)
      return was.systemIdentifier === target.systemIdentifier ? 'same-or-copy' : undefined
    // no system identifier to tell: the URL's host and port, as below
  }
  if (recorded.name !== target.name || recorded.port !== url.port) return undefined
  return (await sameMachine(recorded.host, url.host)) ? 'same' : undefined
}

/** An address as compared: lower case, an IPv4-mapped IPv6 address as its IPv4 one. */
function normalAddress(address: string): string {
  const a = address.toLowerCase().replace(/^\[|\]$/g, '')
  const mapped = /^(?:0{0,4}:){0,5}(?:0{0,4}:)?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a)
  return mapped ? mapped[1] : a
}

/** An address of this machine: loopback, unspecified (0.0.0.0, ::), or one of its interfaces'. */
function localAddress(address: string): boolean {
  const a = normalAddress(address)
  if (/^127\.\d+\.\d+\.\d+$/.test(a) || a === '0.0.0.0') return true
  if (isIP(a) === 6 && /^[0:]*:1?$/.test(a)) return true // ::, ::1 and their long forms
  return Object.values(networkInterfaces())
    .flat()
    .some(i => i !== undefined && normalAddress(i.address) === a)
}

/**
 * The addresses a host stands for (an address: itself; a name: DNS, at most 2 s), and whether
 * it is this machine: a socket's folder, localhost, this machine's own name or an address of it
 * (attacker a54 F2: 0.0.0.0, the machine's own address and ::ffff:127.0.0.1 were taken for
 * another machine).
 */
async function hostAddresses(host: string): Promise<{ local: boolean; addresses: string[] }> {
  const h = host
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
  if (h === '' || h.startsWith('/')) return { local: true, addresses: [] }
  if (isIP(h) !== 0) return { local: localAddress(h), addresses: [normalAddress(h)] }
  const named = h === 'localhost' || h.endsWith('.localhost') || h === hostname().toLowerCase()
  const addresses = await Promise.race([
    lookup(h, { all: true }).then(
      list => list.map(l => normalAddress(l.address)),
      () => [] as string[]
    ),
    new Promise<string[]>(resolve => setTimeout(() => resolve([]), 2000).unref())
  ])
  return { local: named || addresses.some(localAddress), addresses }
}

/** Two host names (or addresses) for the same machine: alike, both this one, or an address in common. */
async function sameMachine(a: string, b: string): Promise<boolean> {
  if (a.toLowerCase() === b.toLowerCase()) return true
  const [x, y] = await Promise.all([hostAddresses(a), hostAddresses(b)])
  return (x.local && y.local) || x.addresses.some(address => y.addresses.includes(address))
}
