/**
 * Which database a session is on, as its server tells it rather than as a URL spells it: a
 * backup records it in its manifest (`database.identity`), and verify refuses to restore into
 * the database the backup was made of, however its URL names the server (another host name, a
 * pooler's port, a Unix socket: attacker a53 F1).
 */
import { lookup } from 'node:dns/promises'
import type pg from 'pg'

/**
 * A database as its server identifies it: the cluster's system identifier (pg_control_system;
 * unset where the role may not read it), the server's start time and port (one running server),
 * the database's OID and name.
 */
export interface DatabaseIdentity {
  systemIdentifier?: string
  /** pg_postmaster_start_time() as text: a server restarted since has another. */
  startedAt: string
  /** The server's own port setting (not the URL's: a pooler listens on another). */
  port: string
  oid: string
  name: string
}

/** Reads the identity of the database `client` is on (one catalog read). */
export async function readDatabaseIdentity(client: pg.Client): Promise<DatabaseIdentity> {
  // one statement that cannot fail on privileges (the session may be the restore's own)
  const { rows } = await client.query<DatabaseIdentity & { systemIdentifier: string | null }>(
    `SELECT d.oid::text AS oid, d.datname AS name,
            pg_catalog.pg_postmaster_start_time()::text AS "startedAt",
            pg_catalog.current_setting('port') AS port,
            CASE WHEN pg_catalog.has_function_privilege('pg_catalog.pg_control_system()', 'EXECUTE')
                 THEN (SELECT c.system_identifier::text FROM pg_catalog.pg_control_system() c)
            END AS "systemIdentifier"
       FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()`
  )
  const { systemIdentifier, ...rest } = rows[0]
  // unset where the role may not read it: the start time stands in
  return { ...rest, ...(systemIdentifier ? { systemIdentifier } : {}) }
}

/**
 * True when both identities, read at about the same time, are the same database of the same
 * running server: the same OID, name, start time and port (and system identifier where both
 * are known). A copy — a Neon branch, a server restored from a snapshot, a physical replica —
 * shares the system identifier and OID, not the running server.
 */
export function sameDatabase(a: DatabaseIdentity, b: DatabaseIdentity): boolean {
  if (a.oid !== b.oid || a.name !== b.name) return false
  if (a.systemIdentifier && b.systemIdentifier && a.systemIdentifier !== b.systemIdentifier)
    return false
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
    if (sameDatabase(was, target)) return 'same'
    if (was.systemIdentifier && target.systemIdentifier)
      return was.systemIdentifier === target.systemIdentifier ? 'same-or-copy' : undefined
    // no system identifier to tell: the URL's host and port, as below
  }
  if (recorded.name !== target.name || recorded.port !== url.port) return undefined
  return (await sameMachine(recorded.host, url.host)) ? 'same' : undefined
}

/** A host of the machine the action runs on: a loopback name or address, or a socket's folder. */
function local(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '')
  return (
    h === '' ||
    h.startsWith('/') ||
    h === 'localhost' ||
    h.endsWith('.localhost') ||
    /^127\.\d+\.\d+\.\d+$/.test(h) ||
    h === '::1' ||
    h === '0:0:0:0:0:0:0:1'
  )
}

/** Two host names (or addresses) for the same machine: alike, both local, or an address in common. */
async function sameMachine(a: string, b: string): Promise<boolean> {
  const x = a.toLowerCase().replace(/\.$/, '')
  const y = b.toLowerCase().replace(/\.$/, '')
  if (x === y || (local(x) && local(y))) return true
  if (x.startsWith('/') || y.startsWith('/')) return false
  const addresses = async (h: string): Promise<string[]> =>
    Promise.race([
      lookup(h, { all: true }).then(
        list => list.map(l => l.address),
        () => []
      ),
      new Promise<string[]>(resolve => setTimeout(() => resolve([]), 2000).unref())
    ])
  const [p, q] = await Promise.all([addresses(x), addresses(y)])
  return p.some(address => q.includes(address))
}
