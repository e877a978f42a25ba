/**
 * clean-drop-dependents and the target's own materialized views over what clean replaces
 * (attacker a79 F2): they were dropped for good, exit 0. Now each comes back as the target had
 * it, in the restore's transaction, as pg_dump creates one — CREATE MATERIALIZED VIEW … WITH NO
 * DATA, its owner, grants and comments, then REFRESH where it held rows (its rows computed again
 * from the restored tables), its indexes — a chain (a view over it, a view it reads) from its
 * foot. One PostgreSQL refuses fails the restore, which keeps nothing.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import type { TestServer } from '../../dev/postgres.js'
import type { RestoreOptions } from '../../src/types.js'
import { useHarness } from '../support/harness.js'
import { testRestoreInputs } from '../support/inputs.js'
import { logOf } from '../support/log-capture.js'

const harness = useHarness({ name: 'clean-materialized-views' })
let server: TestServer
const suffix = Math.random().toString(16).slice(2, 8)
/** A role owning the materialized view, which the restoring role (app, no superuser) is a member of. */
const OWNER = `mv_owner_${suffix}`
const READER = `mv_reader_${suffix}`

beforeAll(async () => {
  server = harness.server
  await server.query(
    'postgres',
    `CREATE ROLE ${OWNER} NOLOGIN; CREATE ROLE ${READER} NOLOGIN; GRANT ${OWNER} TO ${server.appUser};`
  )
}, 60_000)

/**
 * A database of the restoring role's with app.t (3 rows) and the backup of it; then the
 * target's own rows and objects (`sql`, run as the restoring role).
 */
async function target(sql: string): Promise<{ db: string; dump: string }> {
  const db = await server.createDatabase()
  await server.query('postgres', `ALTER DATABASE ${db} OWNER TO ${server.appUser}`)
  await server.query(
    db,
    `ALTER SCHEMA public OWNER TO ${server.appUser};
     SET ROLE ${server.appUser};
     CREATE SCHEMA app;
     CREATE TABLE app.t (id int PRIMARY KEY, v text);
     INSERT INTO app.t VALUES (1, 'a'), (2, 'b'), (3, 'c');
     CREATE FUNCTION app.f(int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT $1 * 2';`
  )
  const dump = path.join(harness.work, `${db}.dump`)
  execFileSync(path.join(server.binDir, 'pg_dump'), ['-Fc', '-f', dump, db], {
    env: server.env(db)
  })
  await server.query(
    db,
    `SET ROLE ${server.appUser};
     UPDATE app.t SET v = v || '-old'; INSERT INTO app.t VALUES (9, 'target only');
     CREATE SCHEMA rep; GRANT USAGE, CREATE ON SCHEMA rep TO ${OWNER}; GRANT USAGE ON SCHEMA rep TO ${READER};
     ${sql}`
  )
  return { db, dump }
}

function inputs(db: string, dump: string, overrides: Partial<RestoreOptions> = {}): RestoreOptions {
  return testRestoreInputs(
    server.url(db, { user: server.appUser, password: server.appPassword }),
    { kind: 'file', path: dump },
    { clean: true, cleanDropDependents: true, ...overrides }
  )
}

/** rep's relations as they are: kind, populated, owner, options, privileges, comment, indexes. */
async function relations(db: string) {
  return server.query<Record<string, unknown>>(
    db,
    `SELECT c.relname, c.relkind::text, c.relispopulated AS populated, pg_get_userbyid(c.relowner) AS owner,
            c.reloptions::text AS options, c.relacl::text AS acl, obj_description(c.oid, 'pg_class') AS comment,
            col_description(c.oid, 2) AS column_comment,
            CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END AS def,
            (SELECT string_agg(pg_get_indexdef(x.indexrelid) || ' / ' || coalesce(obj_description(x.indexrelid, 'pg_class'), ''), '; '
                     ORDER BY x.indexrelid::regclass::text)
               FROM pg_index x WHERE x.indrelid = c.oid) AS indexes
       FROM pg_class c WHERE c.relnamespace = 'rep'::regnamespace AND c.relkind IN ('r', 'v', 'm')
      ORDER BY c.relname`
  )
}

describe('clean-drop-dependents: the target’s materialized views over what clean replaces come back (attacker a79 F2)', () => {
  it('a materialized view over a view over the replaced table, with its unique index, owner, grant and comments, and a view over it: back, its rows computed from the backup’s', async () => {
    const { db, dump } = await target(
      `CREATE VIEW rep.top AS SELECT 1 AS id;
       CREATE VIEW rep.v AS SELECT id, v FROM app.t; GRANT SELECT ON rep.v TO ${OWNER};
       CREATE MATERIALIZED VIEW rep.mv WITH (fillfactor = 70) AS SELECT id, v FROM rep.v;
       CREATE UNIQUE INDEX mv_id ON rep.mv (id);
       CREATE INDEX mv_v ON rep.mv (v) WHERE id > 1; COMMENT ON INDEX rep.mv_v IS 'partial';
       ALTER MATERIALIZED VIEW rep.mv OWNER TO ${OWNER};
       GRANT SELECT ON rep.mv TO ${READER};
       COMMENT ON MATERIALIZED VIEW rep.mv IS 'the report'; COMMENT ON COLUMN rep.mv.v IS 'its v';
       -- created before what it reads (oids in reverse order): created again from the chain's foot
       CREATE OR REPLACE VIEW rep.top AS SELECT id FROM rep.mv;
       GRANT SELECT ON rep.top TO ${READER};`
    )
    const before = await relations(db)
    expect(before.map(r => r.relname)).toEqual(['mv', 'top', 'v'])
    const { lines } = await logOf(() => harness.restore(inputs(db, dump)))
    expect(await relations(db)).toEqual(before)
    // its rows: the query's over the restored table, not the target's old ones
    const rows = await server.query<{ id: number; v: string }>(
      db,
      'SELECT id, v FROM rep.mv ORDER BY id'
    )
    expect(rows).toEqual([
      { id: 1, v: 'a' },
      { id: 2, v: 'b' },
      { id: 3, v: 'c' }
    ])
    expect(rows).toEqual(await server.query(db, 'SELECT id, v FROM rep.v ORDER BY id'))
    expect(
      await server.query(db, `SET ROLE ${READER}; SELECT count(*)::int AS n FROM rep.top`)
    ).toEqual([{ n: 3 }])
    expect(lines).toMatch(
      /materialized view rep\.mv depends on view rep\.v[^\n]*rows are computed again from the backup's data/
    )
    expect(lines).toMatch(/2 views and 1 materialized view were created again as the target had/)
    expect(lines).not.toMatch(/Not created again/)
    await server.dropDatabase(db)
  }, 90_000)

  it('a materialized view that was not populated (WITH NO DATA) comes back unpopulated; one over another, refreshed after it', async () => {
    const { db, dump } = await target(
      `CREATE MATERIALIZED VIEW rep.empty AS SELECT id FROM app.t WITH NO DATA;
       CREATE MATERIALIZED VIEW rep.counts AS SELECT count(*)::int AS n FROM app.t;
       CREATE MATERIALIZED VIEW rep.doubled AS SELECT n * 2 AS n2 FROM rep.counts;`
    )
    const before = await relations(db)
    expect(before.map(r => [r.relname, r.populated])).toEqual([
      ['counts', true],
      ['doubled', true],
      ['empty', false]
    ])
    await harness.restore(inputs(db, dump))
    expect(await relations(db)).toEqual(before)
    expect(await server.query(db, 'SELECT n2 FROM rep.doubled')).toEqual([{ n2: 6 }])
    await server.dropDatabase(db)
  }, 90_000)

  it('one PostgreSQL refuses to create again (a column the backup’s table lacks) fails the restore, nothing kept', async () => {
    const { db, dump } = await target(
      `ALTER TABLE app.t ADD COLUMN w int DEFAULT 5;
       CREATE MATERIALIZED VIEW rep.mw AS SELECT id, w FROM app.t;`
    )
    const before = await relations(db)
    const error = await harness.restore(inputs(db, dump)).then(
      () => undefined,
      (e: Error) => e
    )
    expect(error?.message).toMatch(
      /column t\.w does not exist[^]*CREATE MATERIALIZED VIEW rep\.mw AS SELECT/
    )
    expect(await relations(db)).toEqual(before)
    expect(await server.query(db, 'SELECT count(*)::int AS n FROM rep.mw')).toEqual([{ n: 4 }])
    await server.dropDatabase(db)
  }, 90_000)

  it('the warning names only the target’s objects, and a view’s part as going with it (attacker a79 F3)', async () => {
    const { db, dump } = await target(
      `CREATE VIEW rep.v AS SELECT id, v FROM app.t; ALTER VIEW rep.v ALTER COLUMN id SET DEFAULT app.f(1);
       CREATE VIEW rep.w AS SELECT 1 AS x; ALTER VIEW rep.w ALTER COLUMN x SET DEFAULT app.f(2);`
    )
    const { lines } = await logOf(() => harness.restore(inputs(db, dump)))
    expect(lines).toContain(
      'the default of column id on view rep.v goes with view rep.v (created again with it)'
    )
    expect(lines).not.toMatch(/on view rep\.v depends on what clean drops \(its view stays\)/)
    expect(lines).not.toMatch(/table app\.t depends on schema app|Not created again/)
    expect(
      await server.query(
        db,
        'SELECT adrelid::regclass::text AS rel, pg_get_expr(adbin, adrelid) AS def FROM pg_attrdef ORDER BY 1'
      )
    ).toEqual([
      { rel: 'rep.v', def: 'app.f(1)' },
      { rel: 'rep.w', def: 'app.f(2)' }
    ])
    await server.dropDatabase(db)
  }, 90_000)
})
