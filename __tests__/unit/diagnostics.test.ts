import { describe, expect, it } from '@jest/globals'
import type { lookup } from 'node:dns/promises'
import { InputError, describeForInputs } from '../../src/inputs.js'
import { parseDatabaseUrl } from '../../src/postgres/connection.js'
import { connectionSlotsAdvice, diagnoseConnection } from '../../src/postgres/diagnostics.js'

/** A resolver that answers from a table, like DNS would. */
function resolver(
  table: Record<string, Array<{ address: string; family: number }>>
): typeof lookup {
  return (async (host: string) => {
    const answer = table[host]
    if (!answer)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' })
    return answer
  }) as unknown as typeof lookup
}

const v4 = [{ address: '203.0.113.7', family: 4 }]
const v6 = [{ address: '2001:db8::7', family: 6 }]

describe('diagnoseConnection', () => {
  it("refuses Supabase's transaction pooler and names the session pooler fix", async () => {
    const c = parseDatabaseUrl(
      'postgresql://postgres.ref:pw@aws-0-eu-west-1.pooler.supabase.com:6543/postgres'
    )
    const error = await diagnoseConnection(c, resolver({})).catch(describeForInputs)
    expect(error).toBeInstanceOf(InputError)
    expect(error.message).toMatch(/transaction pooler \(port 6543\).*port 5432/)
  })

  it("treats Prisma's pgbouncer=true as the transaction pooler it is, naming the direct URL", async () => {
    const c = parseDatabaseUrl(
      'postgresql://u:pw@db.example.com:6543/app?pgbouncer=true&connection_limit=1'
    )
    const error = await diagnoseConnection(c, resolver({})).catch(describeForInputs)
    expect((error as Error).message).toMatch(
      /^Input 'database-url': has pgbouncer=true .*breaks pg_dump.*direct URL \(Prisma's directUrl/
    )
  })

  it("refuses Neon's pooled endpoint", async () => {
    const c = parseDatabaseUrl(
      'postgresql://u:pw@ep-cool-1234-pooler.eu-central-1.aws.neon.tech/db?sslmode=require'
    )
    await expect(diagnoseConnection(c, resolver({}))).rejects.toThrow(/without '-pooler'/)
  })

  it('warns about PgBouncer on 6432 and about missing sslmode on managed hosts', async () => {
    const c = parseDatabaseUrl('postgresql://u:pw@db.abc.rds.amazonaws.com:6432/app')
    const d = await diagnoseConnection(c, resolver({ 'db.abc.rds.amazonaws.com': v4 }))
    expect(d.warnings).toHaveLength(2)
    expect(d.warnings[0]).toMatch(/PgBouncer/)
    expect(d.warnings[1]).toMatch(/sslmode=require/)
  })

  it('explains IPv6-only hosts with the Supabase session pooler fix', async () => {
    const c = parseDatabaseUrl(
      'postgresql://postgres:pw@db.abcdefgh.supabase.co:5432/postgres?sslmode=require'
    )
    const d = await diagnoseConnection(c, resolver({ 'db.abcdefgh.supabase.co': v6 }))
    expect(d.warnings).toEqual([expect.stringMatching(/only to IPv6 .*no IPv6.*session pooler/)])
  })

  it('says nothing about an ordinary IPv4 host with TLS configured', async () => {
    const c = parseDatabaseUrl('postgresql://u:pw@db.example.com:5432/app?sslmode=verify-full')
    expect(await diagnoseConnection(c, resolver({ 'db.example.com': [...v4, ...v6] }))).toEqual({
      warnings: [],
      addresses: [...v4, ...v6]
    })
  })
})

describe('the IPv6-only warning, worded for where it is shown', () => {
  it('the action speaks of GitHub-hosted runners; the command line of this machine', async () => {
    const { renderForDoor } = await import('../../src/inputs.js')
    const { warnings } = await diagnoseConnection(
      parseDatabaseUrl('postgresql://u:pw-long-enough@db.example.com:5432/d'),
      resolver({ 'db.example.com': v6 })
    )
    const warning = warnings.find(w => w.includes('resolves only to IPv6'))!
    expect(warning).toContain('GitHub-hosted runners have no IPv6')
    expect(renderForDoor(warning, 'action')).toBe(warning)
    const cli = renderForDoor(warning, 'cli')
    expect(cli).toContain(
      'db.example.com resolves only to IPv6 (2001:db8::7): the connection fails where this machine has no IPv6 route.'
    )
    expect(cli).not.toMatch(/GitHub|runner/)
  })
})

describe('connectionSlotsAdvice', () => {
  it.each([
    [
      'pg_dump: error: connection to server at "h" (10.0.0.1), port 5432 failed: FATAL:  sorry, too many clients already',
      'the server has no connection slot left (max_connections',
      '(max_connections on the server)'
    ],
    [
      'FATAL:  remaining connection slots are reserved for roles with the SUPERUSER attribute',
      'the server has no connection slot left',
      '(max_connections on the server)'
    ],
    [
      'FATAL:  remaining connection slots are reserved for non-replication superuser connections',
      'the server has no connection slot left',
      '(max_connections on the server)'
    ],
    [
      'pg_restore: error: reconnection failed: … FATAL:  too many connections for role "app"',
      'the role "app" may open no more sessions (its CONNECTION LIMIT)',
      '(ALTER ROLE … CONNECTION LIMIT)'
    ],
    [
      'FATAL:  too many connections for database "shop"',
      'the database "shop" may open no more sessions (its CONNECTION LIMIT)',
      '(ALTER DATABASE … CONNECTION LIMIT)'
    ]
  ])('%s: names the limit, lower jobs and how to raise it', (stderr, which, raise) => {
    const advice = connectionSlotsAdvice(stderr)
    expect(advice).toContain(`No session could be opened: ${which}`)
    expect(advice).toContain('lower jobs, close idle sessions')
    expect(advice).toContain(raise)
  })

  it('says nothing of other failures', () => {
    expect(connectionSlotsAdvice('FATAL:  password authentication failed for user "app"')).toBe('')
    expect(connectionSlotsAdvice('ERROR:  relation "too many clients" does not exist')).toBe('')
  })
})
