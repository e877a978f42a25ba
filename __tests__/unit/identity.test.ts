/**
 * backedUpHere: whether a restore's target is the database a backup was made of, by what its
 * server says (the manifest's database.identity), else by host names for the same machine —
 * never by the URL's spelling alone (attacker a53 F1: localhost, LOCALHOST and a socket passed
 * where 127.0.0.1 was recorded).
 */
import { describe, expect, it } from '@jest/globals'
import { hostname, networkInterfaces } from 'node:os'
import {
  type DatabaseIdentity,
  type RecordedDatabase,
  backedUpHere,
  sameDatabase
} from '../../src/postgres/identity.js'

const prod: DatabaseIdentity = {
  systemIdentifier: '7715687484694075297',
  startedAt: '2026-12-01 02:00:00.123456+00',
  port: '5432',
  oid: '16385',
  name: 'app'
}
const recorded = (identity?: DatabaseIdentity): RecordedDatabase => ({
  name: 'app',
  host: '127.0.0.1',
  port: 5432,
  ...(identity ? { identity } : {})
})
const url = (host: string, port = 5432): { host: string; port: number } => ({ host, port })
/** backedUpHere's verdict alone. */
const here = async (...args: Parameters<typeof backedUpHere>) =>
  (await backedUpHere(...args))?.verdict

describe('backedUpHere, by the server', () => {
  it('the same running server, however the URL names it (a pooler, another host name): same', async () => {
    expect(await here(recorded(prod), prod, url('db.example.supabase.co', 6543))).toBe('same')
  })

  it('the same cluster and database, started since (a restart; a Neon branch, a snapshot): same-or-copy', async () => {
    const restarted = { ...prod, startedAt: '2026-12-04 03:00:00+00' }
    expect(await here(recorded(prod), restarted, url('10.0.0.9', 6432))).toBe('same-or-copy')
  })

  it('another database of the server, or another cluster: not it', async () => {
    expect(await here(recorded(prod), { ...prod, oid: '16999' }, url('127.0.0.1'))).toBe(undefined)
    expect(
      await here(
        recorded(prod),
        { ...prod, systemIdentifier: '42', startedAt: 'x' },
        url('127.0.0.1')
      )
    ).toBe(undefined)
    // a new database of the same name (dropped and created again): another OID
    expect(await here(recorded(prod), { ...prod, oid: '17000' }, url('localhost'))).toBe(undefined)
  })

  it('live: one running server is the same database; a copy with the same OID is not', () => {
    expect(sameDatabase(prod, { ...prod })).toBe(true)
    expect(sameDatabase(prod, { ...prod, startedAt: '2026-12-04 03:00:00+00' })).toBe(false)
    expect(sameDatabase({ ...prod, systemIdentifier: undefined }, prod)).toBe(true)
  })

  it("a primary and its standby are the same database; writes to the primary are the standby's (attacker a54 F3)", async () => {
    const standby = { ...prod, inRecovery: true, startedAt: '2026-12-02 00:00:00+00', port: '5433' }
    const primary = { ...prod, inRecovery: false }
    expect(sameDatabase(standby, primary)).toBe(true)
    expect(sameDatabase(primary, standby)).toBe(true)
    // a backup of the standby, verify into its primary: the same
    expect(await here(recorded(standby), primary, url('10.0.0.1'))).toBe('same')
    // another cluster's standby: not
    expect(sameDatabase({ ...standby, systemIdentifier: '42' }, primary)).toBe(false)
    // without system identifiers a standby cannot be told: the running server decides
    expect(
      sameDatabase(
        { ...standby, systemIdentifier: undefined },
        { ...primary, systemIdentifier: undefined }
      )
    ).toBe(false)
  })
})

describe('backedUpHere and sameDatabase without a system identifier (a role without pg_control_system): the database row decides (attacker a55)', () => {
  const noSys = { ...prod, systemIdentifier: undefined, rowXmin: '741' }
  it("a standby's backup, verify into its primary: same (a55 F1)", async () => {
    const standby = { ...noSys, inRecovery: true, startedAt: 'a', port: '5433' }
    const primary = { ...noSys, inRecovery: false, startedAt: 'b' }
    expect(sameDatabase(standby, primary)).toBe(true)
    expect(await here(recorded(standby), primary, url('10.0.0.1', 5432))).toBe('same')
  })
  it('restarted, reached through another port: the same database or a copy, never another (a55 F3)', async () => {
    const restarted = { ...noSys, startedAt: 'later' }
    expect(await here(recorded(noSys), restarted, url('127.0.0.1', 6432))).toBe('same-or-copy')
  })
  it('another cluster whose database has the same name and OID but another row: not by the server; the address decides (a55 F6)', async () => {
    const fresh = { ...noSys, rowXmin: '902', startedAt: 'other' }
    const decided = await backedUpHere(recorded(noSys), fresh, url('127.0.0.1'))
    expect(decided).toEqual({ verdict: 'same', by: 'address' })
    expect(await here(recorded(noSys), fresh, url('127.0.0.1', 5439))).toBe(undefined)
  })
})

describe('backedUpHere, for a manifest without identity (made before it was recorded)', () => {
  const other = { ...prod, systemIdentifier: undefined }
  it.each([
    '127.0.0.1',
    'localhost',
    'LOCALHOST',
    '127.0.0.2',
    '::1',
    '[::1]',
    '/var/run/postgresql',
    'localhost.',
    // attacker a54 F2: the unspecified address, IPv4-mapped loopback, this machine's own name
    // and addresses
    '0.0.0.0',
    '[::ffff:127.0.0.1]',
    '::ffff:127.0.0.1',
    hostname(),
    ...Object.values(networkInterfaces())
      .flat()
      .filter(i => i !== undefined && i.family === 'IPv4')
      .map(i => i!.address)
  ])('host %s for a backup of 127.0.0.1: same', async host => {
    expect(await here(recorded(), other, url(host))).toBe('same')
  })

  it('another port or database name: not it', async () => {
    expect(await here(recorded(), other, url('localhost', 5433))).toBe(undefined)
    expect(await here(recorded(), { ...other, name: 'scratch' }, url('localhost'))).toBe(undefined)
  })

  it('a remote name that does not resolve to a local address: not it', async () => {
    expect(await here(recorded(), other, url('db.invalid'))).toBe(undefined)
  })

  it('recorded identity without a system identifier on one side: the host decides when the start time differs', async () => {
    const noId = { ...prod, systemIdentifier: undefined }
    const restarted = { ...noId, startedAt: 'later' }
    expect(await here(recorded(noId), restarted, url('localhost'))).toBe('same')
    expect(await here(recorded(noId), restarted, url('db.invalid'))).toBe(undefined)
  })
})
