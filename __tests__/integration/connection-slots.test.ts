/**
 * A server or role with no connection left for another session (SQLSTATE 53300: CONNECTION
 * LIMIT, max_connections): pg_dump -j and pg_restore -j open one session per job and one more, as
 * by hand. The error is theirs (or the server's), with what to do — lower jobs, close sessions,
 * raise the limit — named; nothing is uploaded, and with fewer jobs the same role succeeds.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import type { TestServer } from '../../dev/postgres.js'
import { useHarness } from '../support/harness.js'
import { testBackupInputs, testRestoreInputs } from '../support/inputs.js'
import type { BackupSource } from '../../src/types.js'

const harness = useHarness({ name: 'connection-slots' })
let server: TestServer
let db: string
const PASSWORD = 'slots-pass-2468'

beforeAll(async () => {
  server = harness.server
  db = await server.createDatabase('slots_src')
  await server.query(
    'postgres',
    `DO $$BEGIN CREATE ROLE slots LOGIN PASSWORD '${PASSWORD}'; EXCEPTION WHEN duplicate_object THEN NULL; END$$;
     DO $$BEGIN CREATE ROLE no_slots LOGIN CONNECTION LIMIT 0 PASSWORD '${PASSWORD}'; EXCEPTION WHEN duplicate_object THEN NULL; END$$;`
  )
  await server.query(
    db,
    `CREATE TABLE public.a (id integer PRIMARY KEY, body text);
     CREATE TABLE public.b (id integer PRIMARY KEY, body text);
     CREATE TABLE public.c (id integer PRIMARY KEY, body text);
     INSERT INTO public.a SELECT g, 'a' FROM generate_series(1, 1000) g;
     INSERT INTO public.b SELECT g, 'b' FROM generate_series(1, 1000) g;
     INSERT INTO public.c SELECT g, 'c' FROM generate_series(1, 1000) g;
     GRANT SELECT ON ALL TABLES IN SCHEMA public TO slots, no_slots;`
  )
}, 60_000)

const as = (role: string, database = db) => server.url(database, { user: role, password: PASSWORD })
/** A database the role slots owns (so that it may restore into it: no superuser). */
const ownedTarget = async () => {
  const target = await server.createDatabase()
  await server.query('postgres', `ALTER DATABASE "${target}" OWNER TO slots`)
  return target
}
// (superusers are not held to a CONNECTION LIMIT: the roles are none)
const limit = (n: number) => server.query('postgres', `ALTER ROLE slots CONNECTION LIMIT ${n}`)
const failure = (run: Promise<unknown>) =>
  run.then(
    () => undefined,
    (e: unknown) => e as Error
  )

describe('backup, format directory', () => {
  it('jobs beyond the role\'s CONNECTION LIMIT: pg_dump\'s error and "lower jobs"; nothing uploaded; jobs 1 then succeeds', async () => {
    await limit(3)
    const name = 'slots-jobs-4'
    const error = await failure(
      harness.backup(
        testBackupInputs(as('slots'), { artifactName: name, format: 'directory', jobs: 4 })
      )
    )
    expect(error?.message).toContain('too many connections for role "slots"')
    // the cause first (trial u26 F1), with the session of its own the action held
    expect(error?.message).toMatch(
      /^pg_dump could not open its session: the role "slots" may open no more sessions \(its CONNECTION LIMIT\)/
    )
    // no room for pg_dump's five beside the action's session: it ended its own, as by hand
    expect(error?.message).toContain(
      "pg_dump with jobs 4 opens 5 sessions at once (its leader's and one per job): the run needs a connection limit of at least 5 connections for this role and database"
    )
    expect(error?.message).toMatch(
      /lower jobs, close idle sessions .* \(ALTER ROLE … CONNECTION LIMIT\)\./
    )
    expect(harness.backend.artifacts().filter(a => a.name === name)).toEqual([])

    const result = await harness.backup(
      testBackupInputs(as('slots'), { artifactName: 'slots-jobs-1', format: 'directory', jobs: 1 })
    )
    expect(result.manifest.rowCounts.tables.map(t => `${t.name}=${t.rows}`)).toEqual([
      'a=1000',
      'b=1000',
      'c=1000'
    ])
  }, 120_000)

  it("jobs that fit the limit only without the action's own session: backed up as pg_dump -j by hand (attacker a98 F8)", async () => {
    // pg_dump -j 2 opens 3 sessions (its leader's and two workers'): a limit of 3 takes them
    await limit(3)
    const result = await harness.backup(
      testBackupInputs(as('slots'), { artifactName: 'slots-jobs-2', format: 'directory', jobs: 2 })
    )
    expect(result.manifest.rowCounts.tables.map(t => `${t.name}=${t.rows}`)).toEqual([
      'a=1000',
      'b=1000',
      'c=1000'
    ])
    // the action ended its session while pg_dump ran: the rows were counted after it
    expect(result.manifest.rowCounts.sameSnapshot).toBe(false)
  }, 120_000)

  it('a role that may open no session at all: the connection error says the same', async () => {
    const error = await failure(
      harness.backup(testBackupInputs(as('no_slots'), { artifactName: 'none' }))
    )
    expect(error?.message).toContain('too many connections for role "no_slots"')
    expect(error?.message).toContain('(its CONNECTION LIMIT)')
    expect(error?.message).toContain('lower jobs')
  })
})

describe('restore, jobs above the limit', () => {
  it('pg_restore\'s error and "lower jobs"; with jobs 1 the same role restores every row', async () => {
    await limit(-1)
    // tables whose rows take a moment to load, so that the jobs' sessions are open at once
    const big = await server.createDatabase('slots_big')
    await server.query(
      big,
      `CREATE TABLE public.a (id integer PRIMARY KEY, body text);
       CREATE TABLE public.b (id integer PRIMARY KEY, body text);
       CREATE TABLE public.c (id integer PRIMARY KEY, body text);
       INSERT INTO public.a SELECT g, 'a' FROM generate_series(1, 300000) g;
       INSERT INTO public.b SELECT g, 'b' FROM generate_series(1, 300000) g;
       INSERT INTO public.c SELECT g, 'c' FROM generate_series(1, 300000) g;`
    )
    await harness.backup(
      testBackupInputs(server.url(big), { artifactName: 'slots-restore', format: 'directory' })
    )
    const source: BackupSource = {
      kind: 'artifact',
      name: 'slots-restore',
      runId: 'current',
      repository: harness.backend.repository,
      token: harness.backend.githubToken
    }
    // four loaders at once pass a limit of 2 nowhere: the room asked for before anything
    // changes (pg_restore -j 4 by hand creates the tables, then fails)
    await limit(2)
    const target = await ownedTarget()
    const error = await failure(
      harness.restore(
        testRestoreInputs(as('slots', target), source, { jobs: 4, singleTransaction: false })
      )
    )
    expect(error?.message).toContain('too many connections for role "slots"')
    expect(error?.message).toMatch(
      /^jobs: 4 loads with 4 sessions at once, and the server had room for only 2 of this role's .*: nothing was restored\. Restore with jobs: 2,/
    )
    expect(
      await server.query(target, "SELECT 1 FROM pg_tables WHERE schemaname = 'public'")
    ).toEqual([])

    const fresh = await ownedTarget()
    await harness.restore(testRestoreInputs(as('slots', fresh), source, { jobs: 1 }))
    const rows = await server.query<{ n: string }>(
      fresh,
      'SELECT ((SELECT count(*) FROM public.a) + (SELECT count(*) FROM public.b) + (SELECT count(*) FROM public.c))::text AS n'
    )
    expect(rows).toEqual([{ n: '900000' }])

    // a plain script loads in one psql session whatever jobs says: no room asked for jobs
    // (attacker a70 F4: refused as "loads with 3 sessions at once")
    await harness.backup(
      testBackupInputs(server.url(big), { artifactName: 'slots-plain', format: 'plain' })
    )
    const plain = await ownedTarget()
    await harness.restore(
      testRestoreInputs(
        as('slots', plain),
        { ...source, name: 'slots-plain' },
        { jobs: 3, singleTransaction: false }
      )
    )
    expect(
      await server.query<{ n: string }>(
        plain,
        'SELECT ((SELECT count(*) FROM public.a) + (SELECT count(*) FROM public.b) + (SELECT count(*) FROM public.c))::text AS n'
      )
    ).toEqual([{ n: '900000' }])
    await limit(-1)
  }, 180_000)
})
