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
 * unset where the role may not read it), the database row's xmin (any role reads it), whether
 * the server is a standby, the server's start time and port (one running server), the
 * database's OID and name.
 */
export interface DatabaseIdentity {
  systemIdentifier?: string
  /**
   * pg_database.xmin of the database's row: the transaction that created it (or last altered
   * it: ALTER DATABASE). A standby and a copy of the data directory have the same; another
   * cluster's database of the same name and OID (a fresh container's first) almost never.
   * Unset in manifests made before it was read.
   */
  rowXmin?: string
  /**
   * pg_is_in_recovery(): a standby, whose primary holds the same database and is where its
   * writes go. Unset in manifests made before it was read.
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
    `SELECT d.oid::text AS oid, d.datname AS name, d.xmin::text AS "rowXmin",
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

/**
 * The two are the same database or a copy of it — a standby, a copy of the data directory, a
 * Neon branch — as far as can be told: the same OID (a renamed database keeps it), and the same system identifier
 * where both are known, else the same row xmin where both are known. False when either says
 * otherwise; undefined when neither can be compared.
 */
export function sameLineage(a: DatabaseIdentity, b: DatabaseIdentity): boolean | undefined {
  if (a.oid !== b.oid) return false
  if (a.systemIdentifier && b.systemIdentifier) return a.systemIdentifier === b.systemIdentifier
  if (a.rowXmin && b.rowXmin) return a.rowXmin === b.rowXmin
  return undefined
}

/**
 * True when both identities are the same database: of the same running server (the same OID,
 * start time and port — a renamed database keeps its OID —; and system identifier where both
 * are known), or a primary and its
 * standby (the same lineage, one of them in recovery: writes to the primary are the standby's
 * data; attackers a54 F3, a55 F1). A copy that took its own way — a Neon branch, a server
 * restored from a snapshot — has the same lineage but is neither.
 */
export function sameDatabase(a: DatabaseIdentity, b: DatabaseIdentity): boolean {
  if (a.oid !== b.oid) return false
  if (a.systemIdentifier && b.systemIdentifier && a.systemIdentifier !== b.systemIdentifier)
    return false
  if (a.startedAt === b.startedAt && a.port === b.port) return true
  return sameLineage(a, b) === true && (a.inRecovery === true || b.inRecovery === true)
}

/** What the backup's manifest records of the backed-up database (manifest.ts `database`). */
export interface RecordedDatabase {
  name: string
  host: string
  port: number
  identity?: DatabaseIdentity
}

/** Whether a target is the backed-up database, and what told. */
export interface BackedUpHere {
  /**
   * 'same': the same database (its server says so, or its name, port and a host of the same
   * machine); 'same-or-copy': the same lineage on a server started since the backup — the
   * database after a restart, or a copy (a Neon branch, a snapshot restore).
   */
  verdict: 'same' | 'same-or-copy'
  /** 'server': its identity told; 'address': the URL's name, port and host did. */
  by: 'server' | 'address'
}

/**
 * Whether the target is the database the backup was made of, by the manifest's record (see
 * BackedUpHere), else undefined. The host and port decide where the identities cannot (no
 * lineage to compare, or a row xmin changed since by ALTER DATABASE): a database of the
 * backup's name on the backup's port of the same machine (letter case, loopback and
 * unspecified addresses, this machine's names and addresses, sockets, DNS) is taken for it.
 * DNS lookups are given at most 2 s.
 */
export async function backedUpHere(
  recorded: RecordedDatabase,
  target: DatabaseIdentity,
  url: { host: string; port: number }
): Promise<BackedUpHere | undefined> {
  const was = recorded.identity
  if (was) {
    // another cluster, or another database (OIDs are never reused while it exists, and a
    // database renamed since keeps its own: attacker a56 F3): not it
    if (
      (was.systemIdentifier &&
        target.systemIdentifier &&
        was.systemIdentifier !== target.systemIdentifier) ||
      was.oid !== target.oid
    )
      return undefined
    // the same running server; or a standby's primary, or the standby of the backed-up primary
    if (sameDatabase(was, target)) return { verdict: 'same', by: 'server' }
    if (sameLineage(was, target) === true) return { verdict: 'same-or-copy', by: 'server' }
    // the same OID, nothing else to tell (no system identifier; the row's xmin changed by an
    // ALTER or GRANT on the database): the address decides
  }
  if (recorded.name !== target.name || recorded.port !== url.port) return undefined
  return (await sameMachine(recorded.host, url.host))
    ? { verdict: 'same', by: 'address' }
    : undefined
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

/**
 * The comment verify gives each scratch database it restores into (markScratch): clean: true
 * replaces the objects of a database only where it is (and the database holds objects).
 */
export const SCRATCH_MARK = 'postgres-backup-action: a scratch database of verify'

/** The database `client` is on has the scratch mark (SCRATCH_MARK as its comment). */
export async function markedScratch(client: pg.Client): Promise<boolean> {
  const { rows } = await client.query<{ marked: boolean }>(
    `SELECT pg_catalog.shobj_description(d.oid, 'pg_database') IS NOT DISTINCT FROM $1 AS marked
       FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()`,
    [SCRATCH_MARK]
  )
  return rows[0]?.marked === true
}

/**
 * Gives the scratch database verify restores into the scratch mark (as its owner or a
 * superuser may): a later verify with clean: true may then replace what this one restores.
 * Undefined when it is marked, else what to say when it could not be (a role that does not own
 * the database: the next verify into it needs it empty again).
 */
export async function markScratch(client: pg.Client): Promise<string | undefined> {
  if (await markedScratch(client)) return undefined
  try {
    await client.query(
      `DO $mark$ BEGIN EXECUTE pg_catalog.format('COMMENT ON DATABASE %I IS %L', pg_catalog.current_database(), '${SCRATCH_MARK}'); END $mark$`
    )
    return undefined
  } catch (error) {
    return `The scratch database could not be marked as verify's (${(error as Error).message}): a next verify into it with clean: true is refused. Give it the mark as its owner (COMMENT ON DATABASE … IS '${SCRATCH_MARK}'), or verify into an empty database each time.`
  }
}
