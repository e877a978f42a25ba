/**
 * A client that found no connection left for its session (the server's 53300, or a pooler's:
 * PgBouncer's max_client_conn and query_wait_timeout, Supavisor's "max clients reached"): the
 * cause first, the action's own sessions and the limit the run needs; a loader that never
 * connected kept nothing; a connect timeout through a pooler names its queue (trial u26 F1).
 */
import { describe, expect, it } from '@jest/globals'
import {
  connectionLimit,
  connectionLimitFailure,
  connectionSlotsAdvice
} from '../../src/postgres/diagnostics.js'
import { parseDatabaseUrl } from '../../src/postgres/connection.js'
import {
  explainLoadFailure,
  failedBeforeCommit,
  LoadError,
  neverConnected
} from '../../src/postgres/load.js'
import { explainDumpFailure } from '../../src/postgres/dump.js'
import { explainConnectError } from '../../src/postgres/session.js'

const at = 'connection to server at "127.0.0.1", port 5437 failed: '

describe('connectionLimit', () => {
  it.each([
    [
      `pg_restore: error: ${at}FATAL:  no more connections allowed (max_client_conn)`,
      true,
      'admits no more clients',
      'FATAL: no more connections allowed (max_client_conn)'
    ],
    [
      `pg_dump: error: ${at}FATAL:  query_wait_timeout`,
      true,
      'the pool had no server connection free',
      'FATAL: query_wait_timeout'
    ],
    [
      `psql: error: ${at}FATAL:  Max client connections reached`,
      true,
      'admits no more clients',
      'FATAL: Max client connections reached'
    ],
    [
      `psql: error: ${at}FATAL:  (EMAXCONNSESSION) max clients reached in session mode`,
      true,
      'admits no more clients',
      'FATAL: (EMAXCONNSESSION) max clients reached in session mode'
    ],
    [
      `pg_restore: error: ${at}ERROR:  server login has been failing, try again later (server_login_retry)`,
      true,
      'could not log in to the server itself',
      'ERROR: server login has been failing, try again later (server_login_retry)'
    ],
    [
      `pg_dump: error: ${at}FATAL:  sorry, too many clients already`,
      false,
      'max_connections',
      'FATAL: sorry, too many clients already'
    ],
    [
      `FATAL:  remaining connection slots are reserved for roles with the SUPERUSER attribute`,
      false,
      'no connection slot left',
      'FATAL: remaining connection slots are reserved for roles with the SUPERUSER attribute'
    ],
    [
      `FATAL:  too many connections for role "app"`,
      false,
      'CONNECTION LIMIT',
      'FATAL: too many connections for role "app"'
    ],
    // the action's own words for a login a pool's queue held (session.ts; attacker a70 F6)
    [
      "no answer within 10 s (connect-timeout), as when a pool's queue holds the login",
      true,
      'session-mode pool holds it in its queue',
      ''
    ]
  ])('%s', (text, pool, which, said) => {
    const limit = connectionLimit(text)
    expect(limit?.pool).toBe(pool)
    expect(limit?.which).toContain(which)
    expect(limit?.said).toBe(said)
  })

  it('is no other failure', () => {
    expect(connectionLimit('FATAL:  password authentication failed for user "app"')).toBeUndefined()
    expect(connectionLimit('ERROR:  relation "shop.t" does not exist')).toBeUndefined()
  })
})

describe('the advice with the sessions the action held', () => {
  it('a pool: N sessions of its own, a pool of at least N+1, or the direct URL', () => {
    const advice = connectionSlotsAdvice('FATAL:  query_wait_timeout', {
      sessions: 2,
      program: 'pg_restore'
    })
    expect(advice).toContain('The action had 2 sessions of its own open to that server then')
    expect(advice).toContain('pg_restore needs one more')
    expect(advice).toContain('a pool of at least 3 connections')
    expect(advice).toContain('use the direct URL')
  })

  it('the server: N sessions of its own, lower jobs or raise max_connections', () => {
    const advice = connectionSlotsAdvice('FATAL:  sorry, too many clients already', {
      sessions: 1
    })
    expect(advice).toContain('The action had 1 session of its own')
    expect(advice).toContain('a connection limit of at least 2')
    expect(advice).toContain('(max_connections on the server)')
  })

  it('the cause first in a client failure', () => {
    const message = connectionLimitFailure(
      'pg_dump',
      `pg_dump: error: ${at}FATAL:  query_wait_timeout`,
      { sessions: 1, holding: 'the snapshot pg_dump reads' }
    )
    expect(message).toMatch(
      /^pg_dump could not open its session: the pool had no server connection free .* \(FATAL: query_wait_timeout\)\. The action had 1 session of its own open to that server then \(the snapshot pg_dump reads\)/
    )
  })

  it('explainLoadFailure and explainDumpFailure lead with it', () => {
    const stderr = `pg_restore: error: ${at}FATAL:  no more connections allowed (max_client_conn)\n`
    expect(explainLoadFailure('/usr/bin/pg_restore', 1, null, stderr).message).toMatch(
      /^pg_restore could not open its session: the connection pooler admits no more clients/
    )
    expect(
      explainDumpFailure(1, null, `pg_dump: error: ${at}FATAL:  query_wait_timeout\n`).message
    ).toMatch(/^pg_dump could not open its session: the pool had no server connection free/)
  })
})

describe('neverConnected', () => {
  const failed = (stderr: string, code = 1, program = '/usr/bin/pg_restore') =>
    new LoadError('x', stderr, false, { program, code, signal: null })

  it('a loader whose session could not be opened', () => {
    // PgBouncer logs the client in itself, then refuses its first query (no server connection)
    expect(
      neverConnected(
        failed(
          "pg_restore: error: query failed: FATAL:  query_wait_timeout\nserver closed the connection unexpectedly\n\tThis probably means the server terminated abnormally\n\tbefore or while processing the request.\npg_restore: detail: Query was: SELECT pg_catalog.set_config('search_path', '', false);\n"
        )
      )
    ).toBe(true)
    expect(neverConnected(failed(`pg_restore: error: ${at}FATAL:  query_wait_timeout\n`))).toBe(
      true
    )
    expect(
      neverConnected(
        failed(
          `psql: error: ${at}FATAL:  no more connections allowed (max_client_conn)\n`,
          2,
          '/usr/bin/psql'
        )
      )
    ).toBe(true)
  })

  it('not a loader that ran statements, lost its connection, or was killed', () => {
    expect(
      neverConnected(
        failed('pg_restore: error: could not execute query: ERROR:  relation "t" already exists\n')
      )
    ).toBe(false)
    expect(
      neverConnected(
        failed(
          'pg_restore: error: could not execute query: server closed the connection unexpectedly\n'
        )
      )
    ).toBe(false)
    // a session ended under a statement (its COMMIT may have been sent): not "never connected"
    expect(
      neverConnected(
        failed(
          'pg_restore: error: could not execute query: FATAL:  terminating connection due to administrator command\n'
        )
      )
    ).toBe(false)
    expect(
      neverConnected(
        new LoadError('x', `pg_restore: error: ${at}FATAL: x`, false, {
          program: 'pg_restore',
          code: null,
          signal: 'SIGKILL'
        })
      )
    ).toBe(false)
    expect(neverConnected(new LoadError('x', `pg_restore: error: ${at}FATAL: x`, true))).toBe(false)
  })
})

describe('a connect timeout', () => {
  const timeout = { code: 'CONNECT_TIMEOUT', message: 'timeout' }
  it.each([
    'postgresql://u:p@db.example.com:6432/shop',
    'postgresql://postgres.abc:p@aws-0-us-east-1.pooler.supabase.com:5432/shop',
    'postgresql://u:p@ep-x-123-pooler.us-east-2.aws.neon.tech/shop'
  ])('through a pooler (%s): the login may wait in its queue', url => {
    const message = explainConnectError(timeout, parseDatabaseUrl(url), 10).message
    expect(message).toContain(
      "within 10 s. This looks like a connection pooler, which may be holding the login in its pool's queue"
    )
    expect(message).toContain('a restore 2 (its own two before the load')
    expect(message).toContain("Otherwise check the host and port, and that the server's firewall")
  })

  it('elsewhere, with no session of its own open: the host, port and firewall only', () => {
    const message = explainConnectError(
      timeout,
      parseDatabaseUrl('postgresql://u:p@db.example.com:5432/shop'),
      10
    ).message
    expect(message).toMatch(/within 10 s\. Check the host and port, and that the server's firewall/)
    expect(message).not.toContain('queue')
  })
})

describe('failedBeforeCommit (attacker a58 F2: a server restart mid-load was "may have committed")', () => {
  const failed = (stderr: string, code = 1, program = '/usr/bin/pg_restore', signal = null) =>
    new LoadError('x', stderr, false, { program, code, signal })
  const lost =
    'FATAL:  terminating connection due to administrator command\nserver closed the connection unexpectedly\n'

  it('pg_restore -d lost its connection on a command before its COMMIT: rolled back', () => {
    expect(
      failedBeforeCommit(
        failed(
          `pg_restore: error: could not execute query: ${lost}pg_restore: detail: Command was: ALTER TABLE ONLY public.big\n    ADD CONSTRAINT big_pkey PRIMARY KEY (id);\n`
        )
      )
    ).toBe(true)
    expect(
      failedBeforeCommit(failed(`pg_restore: error: error returned by PQputCopyData: ${lost}`))
    ).toBe(true)
  })

  it('at the COMMIT itself, by a signal, or psql: unknown', () => {
    expect(
      failedBeforeCommit(
        failed(
          `pg_restore: error: could not commit transaction: ${lost}pg_restore: detail: Command was: COMMIT\n`
        )
      )
    ).toBe(false)
    expect(
      failedBeforeCommit(
        new LoadError('x', 'pg_restore: error: could not execute query: x', false, {
          program: '/usr/bin/pg_restore',
          code: null,
          signal: 'SIGKILL'
        })
      )
    ).toBe(false)
    expect(failedBeforeCommit(failed(`psql:<stdin>:12: ${lost}`, 2, '/usr/bin/psql'))).toBe(false)
  })
})
