/**
 * What belongs to the whole server stays as it was (attacker a68 F2): a function of the backup's
 * that the load calls (here a CHECK constraint, evaluated for each row COPY loads) runs static
 * ALTER DATABASE / ALTER ROLE statements as the restoring role. The text checks refuse those
 * only as statements of the script; the restore compares the databases the role owns, the roles,
 * their settings and memberships before and after: in the gate's transaction before its COMMIT
 * (rolled back), or after pg_restore committed (said, with what changed).
 */
import { describe, expect, it } from '@jest/globals'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { useHarness } from '../support/harness.js'
import { testBackupInputs, testRestoreInputs } from '../support/inputs.js'
import { currentRunArtifact } from '../support/sources.js'

const harness = useHarness({ name: 'cluster-state' })

const ROLE = 'cluster_restorer'
const PASSWORD = 'cluster-pw-68'

/** The function body: another database of the role's, and the role's own settings everywhere. */
const BODY = (other: string): string =>
  `ALTER DATABASE ${other} CONNECTION LIMIT 0; ALTER ROLE ${ROLE} SET work_mem = '64kB'; COMMENT ON DATABASE ${other} IS 'owned'; SELECT 1`

async function setUp(): Promise<{ target: string; other: string }> {
  const server = harness.server
  await server.query(
    'postgres',
    `DO $$BEGIN CREATE ROLE ${ROLE} LOGIN CREATEDB PASSWORD '${PASSWORD}'; EXCEPTION WHEN duplicate_object THEN NULL; END$$;
     ALTER ROLE ${ROLE} RESET ALL;`
  )
  const target = await server.createDatabase()
  const other = await server.createDatabase()
  for (const db of [target, other]) {
    await server.query('postgres', `ALTER DATABASE ${db} OWNER TO ${ROLE}`)
    await server.query(db, `ALTER SCHEMA public OWNER TO ${ROLE}`)
  }
  return { target, other }
}

async function clusterOf(other: string): Promise<unknown> {
  return harness.server.query(
    'postgres',
    `SELECT d.datconnlimit AS limit, pg_catalog.shobj_description(d.oid, 'pg_database') AS comment,
            (SELECT count(*)::int FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole WHERE r.rolname = '${ROLE}') AS settings
       FROM pg_database d WHERE d.datname = '${other}'`
  )
}

/** The failure of a restore that pg_restore -d committed while the server's objects changed. */
const committedChange = (other: string): RegExp =>
  new RegExp(
    `the backup was restored \\(committed\\), and while it loaded, what belongs to the whole server changed — .*database "${other}": comment changed, connection limit changed`
  )

/**
 * A custom archive whose table's CHECK calls public.h(), with the body `body(other)` set after
 * the data (harmless in the source), backed up as `name` and restored by the role into an empty
 * target (pg_restore -d, which commits by itself): the databases, the cluster's state before the
 * restore, and the restore's error.
 */
async function customArchiveRestore(name: string, body: (other: string) => string) {
  const server = harness.server
  const { target, other } = await setUp()
  const source = await server.createDatabase()
  await server.query(
    source,
    `CREATE FUNCTION public.h() RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$;
     CREATE TABLE public.t (a integer CHECK (a + public.h() > 0));
     INSERT INTO public.t VALUES (1), (2);
     CREATE OR REPLACE FUNCTION public.h() RETURNS integer LANGUAGE sql AS $$ ${body(other)} $$;`
  )
  await server.query('postgres', `ALTER ROLE ${ROLE} RESET ALL`)
  await server.query('postgres', `ALTER DATABASE ${other} CONNECTION LIMIT -1`)
  await server.query('postgres', `COMMENT ON DATABASE ${other} IS NULL`)
  const before = await clusterOf(other)
  await harness.backup(
    testBackupInputs(server.url(source), {
      artifactName: name,
      pgDumpArgs: ['--no-owner', '--no-privileges']
    })
  )
  const failed = await harness
    .restore(
      testRestoreInputs(
        server.url(target, { user: ROLE, password: PASSWORD }),
        currentRunArtifact(harness.backend, name),
        { noOwner: true }
      )
    )
    .then(
      () => undefined,
      (error: Error) => error
    )
  return { target, other, source, before, failed }
}

describe("the whole server's objects, changed by a backup's function as it loads", () => {
  it('a plain script (the gate, one transaction): rolled back before its COMMIT, naming what changed', async () => {
    const server = harness.server
    const { target, other } = await setUp()
    const before = await clusterOf(other)
    expect(before).toEqual([{ limit: -1, comment: null, settings: 0 }])
    const file = path.join(harness.work, 'cluster-plain.sql')
    writeFileSync(
      file,
      `CREATE FUNCTION public.h() RETURNS integer LANGUAGE sql AS $$ ${BODY(other)} $$;\nCREATE TABLE public.t (a integer CHECK (a + public.h() > 0));\nCOPY public.t (a) FROM stdin;\n1\n\\.\n`
    )
    const failed = await harness
      .restore(
        testRestoreInputs(server.url(target, { user: ROLE, password: PASSWORD }), {
          kind: 'file',
          path: file
        })
      )
      .then(
        () => undefined,
        (error: Error) => error
      )
    expect(failed?.message).toMatch(
      new RegExp(
        `the load changed what belongs to the whole server.*database "${other}": comment changed, connection limit changed.*rolled back, nothing was restored`
      )
    )
    expect(failed?.message).toMatch(/setting: a new one \(what it is withheld from the log/)
    expect(await clusterOf(other)).toEqual(before)
    expect(await server.query(target, "SELECT to_regclass('public.t') IS NULL AS gone")).toEqual([
      { gone: true }
    ])
    await server.dropDatabase(target)
    await server.dropDatabase(other)
  }, 60_000)

  it('a deferred trigger (it would run at COMMIT, after the check) and a last SET ROLE: rolled back all the same (attacker a69 F2, F6)', async () => {
    const server = harness.server
    await server.query(
      'postgres',
      `DO $$BEGIN CREATE ROLE cluster_alice NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END$$;
       GRANT cluster_alice TO ${ROLE};`
    )
    const deferred = (other: string): string =>
      `CREATE FUNCTION public.later() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN PERFORM public.h(); RETURN NULL; END$$;\nCREATE FUNCTION public.h() RETURNS integer LANGUAGE sql AS $$ ${BODY(other)} $$;\nCREATE TABLE public.t (a integer);\nCREATE CONSTRAINT TRIGGER z AFTER INSERT ON public.t DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.later();\nCOPY public.t (a) FROM stdin;\n1\n\\.\n`
    // the CHECK's body runs as the restoring role; the script then sets another, which owns
    // none of its databases: read as that role, the changed database would not be seen
    const thenSetRole = (other: string): string =>
      `CREATE FUNCTION public.h() RETURNS integer LANGUAGE sql AS $$ ${BODY(other)} $$;\nCREATE TABLE public.t (a integer CHECK (a + public.h() > 0));\nCOPY public.t (a) FROM stdin;\n1\n\\.\nSET ROLE cluster_alice;\n`
    for (const script of [deferred, thenSetRole]) {
      const { target, other } = await setUp()
      const before = await clusterOf(other)
      const file = path.join(harness.work, 'cluster-deferred.sql')
      writeFileSync(file, script(other))
      const failed = await harness
        .restore(
          testRestoreInputs(server.url(target, { user: ROLE, password: PASSWORD }), {
            kind: 'file',
            path: file
          })
        )
        .then(
          () => undefined,
          (error: Error) => error
        )
      expect(failed?.message).toMatch(
        new RegExp(
          `the load changed what belongs to the whole server.*database "${other}": comment changed, connection limit changed.*rolled back, nothing was restored`
        )
      )
      expect(await clusterOf(other)).toEqual(before)
      await server.dropDatabase(target)
      await server.dropDatabase(other)
    }
  }, 60_000)

  it('an honest script that sets a role it may act as: restored (the check, and the default privileges reinstated, as the role that connected)', async () => {
    const server = harness.server
    const { target, other } = await setUp()
    await server.query(
      'postgres',
      `DO $$BEGIN CREATE ROLE cluster_alice NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END$$;
       GRANT cluster_alice TO ${ROLE};`
    )
    await server.query(target, 'GRANT CREATE ON SCHEMA public TO cluster_alice')
    // default privileges of the restoring role: set aside, and reinstated FOR ROLE it as the
    // role that connected, not the one the script set last (attacker a70 F3)
    await server.query(
      target,
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${ROLE} IN SCHEMA public GRANT SELECT ON TABLES TO PUBLIC`
    )
    const file = path.join(harness.work, 'cluster-set-role.sql')
    writeFileSync(
      file,
      'SET ROLE cluster_alice;\nCREATE TABLE public.t (a integer);\nINSERT INTO public.t VALUES (1);\n'
    )
    await harness.restore(
      testRestoreInputs(server.url(target, { user: ROLE, password: PASSWORD }), {
        kind: 'file',
        path: file
      })
    )
    expect(await server.query(target, 'SELECT a FROM public.t')).toEqual([{ a: 1 }])
    expect(await server.query(target, 'SELECT count(*)::int AS n FROM pg_default_acl')).toEqual([
      { n: 1 }
    ])
    await server.dropDatabase(target)
    await server.dropDatabase(other)
  }, 60_000)

  it('a custom archive loaded by pg_restore -d (it commits itself): the run fails after it, naming what changed', async () => {
    const { target, other, source, before, failed } = await customArchiveRestore(
      'cluster-custom',
      other => BODY(other)
    )
    expect(failed?.message).toMatch(committedChange(other))
    expect(await clusterOf(other)).not.toEqual(before)
    await harness.server.query('postgres', `ALTER ROLE ${ROLE} RESET ALL`)
    for (const db of [target, other, source]) await harness.server.dropDatabase(db)
  }, 90_000)

  it("a function of the backup's that also ends the restoring role's other sessions (the action's own): the run still says what changed and that pg_restore committed, not pg's 'not queryable' (attacker a83 F2)", async () => {
    const terminate =
      'SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE usename = current_user AND pid <> pg_catalog.pg_backend_pid()'
    const { target, other, source, failed } = await customArchiveRestore(
      'cluster-terminate',
      other => `${BODY(other).replace(/; SELECT 1$/, '')}; ${terminate}; SELECT 1`
    )
    expect(failed?.message).toMatch(committedChange(other))
    // the rows pg_restore committed are there
    expect(await harness.server.query(target, 'SELECT count(*)::int AS n FROM public.t')).toEqual([
      { n: 2 }
    ])
    await harness.server.query('postgres', `ALTER ROLE ${ROLE} RESET ALL`)
    for (const db of [target, other, source]) await harness.server.dropDatabase(db)
  }, 90_000)

  it("a plain script that ends the restoring role's other sessions: restored, its rows counted on a session of the action's own opened again (attacker a83 F2)", async () => {
    const server = harness.server
    const { target } = await setUp()
    const file = path.join(harness.work, 'terminate-plain.sql')
    writeFileSync(
      file,
      // the call in a function's body, run when called: a call written in the script is refused
      'CREATE TABLE public.t (a integer);\nINSERT INTO public.t SELECT g FROM generate_series(1, 100) g;\nCREATE FUNCTION public.k() RETURNS void LANGUAGE sql AS $$ SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE usename = current_user AND pid <> pg_catalog.pg_backend_pid() $$;\nSELECT public.k();\n'
    )
    const result = await harness.restore(
      testRestoreInputs(server.url(target, { user: ROLE, password: PASSWORD }), {
        kind: 'file',
        path: file
      })
    )
    expect(result.rowsRestored).toBe(100)
    expect(await server.query(target, 'SELECT count(*)::int AS n FROM public.t')).toEqual([
      { n: 100 }
    ])
    await server.dropDatabase(target)
  }, 90_000)
})
