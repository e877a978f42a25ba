/**
 * clean over a target that already holds the views the backup brings (u52 F2): a view of the
 * backup over a table the target keeps, granted to other roles, is what the net refuses (a new
 * way for them to read the target's rows: restore-net.test.ts F17) — but not when it takes the
 * place of the target's own view of that name, with the same definition and owner, granted to
 * no more roles or privileges, with options no weaker: nobody reads more than before. Compared
 * with the record of the target taken before the load (unchanged.ts, replacedViews). A new
 * view, another definition, a grant more or a weaker option still fails, the target unchanged.
 * And no-privileges: true says which grants of the replaced objects are not given back.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import type { TestServer } from '../../dev/postgres.js'
import type { RestoreOptions } from '../../src/types.js'
import { useHarness } from '../support/harness.js'
import { testRestoreInputs } from '../support/inputs.js'
import { logOf } from '../support/log-capture.js'
import { failure } from '../support/non-empty.js'

const harness = useHarness({ name: 'restore-replaced-views' })
let server: TestServer
let source: string
let dump: string
// the roles and databases go with the suite's server
const suffix = Math.random().toString(16).slice(2, 8)
/** A Neon-like owner (no superuser), a reader and another reader. */
const OWNER = `owner_${suffix}`
const READER = `reader_${suffix}`
const OTHER = `other_${suffix}`
const PASSWORD = 'owner-pw'

/** The source: public tables, and a reporting schema with views over them granted to readers. */
const SOURCE_SQL = `
CREATE TABLE public.accounts (id int PRIMARY KEY, name text, secret text);
CREATE TABLE public.users (id int PRIMARY KEY, account_id int REFERENCES public.accounts, email text);
CREATE TABLE public.events (id int PRIMARY KEY, user_id int, at date);
INSERT INTO public.accounts SELECT g, 'a' || g, 's' || g FROM generate_series(1, 10) g;
INSERT INTO public.users SELECT g, 1 + g % 10, 'u' || g || '@x' FROM generate_series(1, 50) g;
INSERT INTO public.events SELECT g, 1 + g % 50, DATE '2024-01-01' + g % 30 FROM generate_series(1, 500) g;
CREATE SCHEMA analytics;
GRANT USAGE ON SCHEMA analytics TO ${READER}, ${OTHER};
CREATE TABLE analytics.snapshots (id int PRIMARY KEY, total int);
INSERT INTO analytics.snapshots SELECT g, g * 10 FROM generate_series(1, 100) g;
CREATE VIEW analytics.account_users AS
  SELECT a.id, a.name, u.email FROM public.accounts a JOIN public.users u ON u.account_id = a.id;
CREATE VIEW analytics.daily_events WITH (security_barrier) AS
  SELECT at, count(*) AS n FROM public.events GROUP BY at;
CREATE MATERIALIZED VIEW analytics.event_counts AS
  SELECT user_id, count(*) AS n FROM public.events GROUP BY user_id;
GRANT SELECT ON analytics.snapshots, analytics.daily_events, analytics.event_counts TO ${READER};
GRANT SELECT ON analytics.account_users TO ${READER}, ${OTHER};`

const asOwner = (sql: string): string => `SET ROLE ${OWNER}; ${sql}`

/** A copy of the source (restored from it before), changed by `sql` (run as its owner). */
async function target(sql = ''): Promise<string> {
  const db = `views_${Math.random().toString(16).slice(2, 8)}`
  await server.query('postgres', `CREATE DATABASE ${db} TEMPLATE ${source} OWNER ${OWNER}`)
  // rows the restore puts back: the net's rollback leaves them as they are
  await server.query(db, asOwner(`UPDATE analytics.snapshots SET total = 0 WHERE id <= 10; ${sql}`))
  return db
}

function inputs(db: string, overrides: Partial<RestoreOptions> = {}): RestoreOptions {
  return testRestoreInputs(
    server.url(db, { user: OWNER, password: PASSWORD }),
    { kind: 'file', path: dump },
    { clean: true, schemas: ['analytics'], ...overrides }
  )
}

/** What a reader sees and the target's analytics objects are: privileges, definitions, rows. */
async function state(db: string): Promise<Record<string, unknown>> {
  const [row] = await server.query<Record<string, unknown>>(
    db,
    `SELECT (SELECT json_object_agg(c.relname, json_build_object('acl', c.relacl::text, 'options', c.reloptions::text,
               'def', CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END) ORDER BY c.relname)
               FROM pg_class c WHERE c.relnamespace = 'analytics'::regnamespace AND c.relkind IN ('r', 'v', 'm')) AS objects,
            (SELECT sum(total)::int FROM analytics.snapshots) AS total`
  )
  return row
}

async function readerSees(db: string, role: string, relation: string): Promise<number | string> {
  try {
    const [row] = await server.query<{ n: number }>(
      db,
      `SET ROLE ${role}; SELECT count(*)::int AS n FROM ${relation}`
    )
    return row.n
  } catch (e) {
    return (e as Error).message
  }
}

beforeAll(async () => {
  server = harness.server
  await server.query(
    'postgres',
    `CREATE ROLE ${OWNER} LOGIN PASSWORD '${PASSWORD}' CREATEDB CREATEROLE;
     CREATE ROLE ${READER} NOLOGIN; CREATE ROLE ${OTHER} NOLOGIN;`
  )
  source = await server.createDatabase(`views_source_${suffix}`)
  await server.query('postgres', `ALTER DATABASE ${source} OWNER TO ${OWNER}`)
  await server.query(source, asOwner(SOURCE_SQL))
  dump = path.join(harness.work, 'views.dump')
  execFileSync(path.join(server.binDir, 'pg_dump'), ['-Fc', '-f', dump, source], {
    env: server.env(source, { user: OWNER, password: PASSWORD })
  })
}, 60_000)

describe('clean over a target that has the very views the backup brings (u52 F2)', () => {
  it('schemas: analytics restores (views over kept tables, a materialized view, grants to two roles); the readers still read them', async () => {
    const db = await target()
    const before = await state(db)
    await harness.restore(inputs(db))
    const after = await state(db)
    // the backup's rows back, every view, option and privilege as it was
    expect(after).toEqual({ ...before, total: 50500 })
    expect(await readerSees(db, READER, 'analytics.account_users')).toBe(50)
    expect(await readerSees(db, OTHER, 'analytics.account_users')).toBe(50)
    expect(await readerSees(db, READER, 'analytics.daily_events')).toBe(30)
    expect(await readerSees(db, READER, 'analytics.event_counts')).toBe(50)
  })

  it('the target granted its views to more roles than the backup does: restores (the backup’s grants are narrower)', async () => {
    const db = await target(
      `GRANT SELECT ON analytics.daily_events, analytics.event_counts TO ${OTHER}`
    )
    await harness.restore(inputs(db))
    expect(await readerSees(db, READER, 'analytics.daily_events')).toBe(30)
    // as pg_restore --clean: the backup's privileges
    expect(await readerSees(db, OTHER, 'analytics.daily_events')).toMatch(/permission denied/)
  })

  it('with clean-drop-dependents: a view of the target only, over the backup’s table, comes back; the backup’s views restore', async () => {
    const db = await target(
      `CREATE VIEW analytics.extra AS SELECT id, total FROM analytics.snapshots;
       GRANT SELECT ON analytics.extra TO ${READER};`
    )
    // without it, clean refuses before anything runs (the view would go with the table)
    const refused = await failure(harness.restore(inputs(db)))
    expect(refused?.message).toMatch(/analytics\.extra/)
    await harness.restore(inputs(db, { cleanDropDependents: true }))
    expect((await state(db)).total).toBe(50500)
    expect(await readerSees(db, READER, 'analytics.extra')).toBe(100)
    expect(await readerSees(db, READER, 'analytics.account_users')).toBe(50)
  })

  it('no-privileges: true restores, and names the grants of the replaced objects it does not give back, with the GRANTs to run', async () => {
    const db = await target()
    const { lines } = await logOf(() => harness.restore(inputs(db, { noPrivileges: true })))
    expect(lines).toMatch(
      /no-privileges: true restores no privileges, and clean replaces 4 relations of the target that other roles have privileges on now/
    )
    expect(lines).toContain(`GRANT SELECT ON TABLE analytics.account_users TO ${OTHER};`)
    expect(lines).toContain(`GRANT SELECT ON TABLE analytics.event_counts TO ${READER};`)
    expect(await readerSees(db, READER, 'analytics.account_users')).toMatch(/permission denied/)
  })

  it('a script that grants nothing (pg_dump --no-owner --no-acl) with clean: warned the same, with the GRANTs to run (trial u60 F1: said only in an info line)', async () => {
    const db = await target()
    const script = path.join(harness.work, 'views-no-acl.sql')
    execFileSync(
      path.join(server.binDir, 'pg_dump'),
      ['--no-owner', '--no-acl', '-n', 'analytics', '-f', script, source],
      { env: server.env(source, { user: OWNER, password: PASSWORD }) }
    )
    const { lines } = await logOf(() =>
      harness.restore(
        testRestoreInputs(
          server.url(db, { user: OWNER, password: PASSWORD }),
          { kind: 'file', path: script },
          { clean: true }
        )
      )
    )
    expect(lines).toMatch(
      /::warning::The script grants no privileges \(made with pg_dump --no-acl\?\), and clean replaces 4 relations of the target that other roles have privileges on now: [^\n]*psql -f by hand does the same/
    )
    expect(lines).toContain(`GRANT SELECT ON TABLE analytics.account_users TO ${OTHER};`)
    expect(await readerSees(db, READER, 'analytics.account_users')).toMatch(/permission denied/)
  })
})

describe('still refused, the target unchanged: the backup’s view lets someone read more than the target’s did', () => {
  it.each<[string, string, RegExp]>([
    [
      'the target’s view is not granted to a role the backup grants it to',
      `REVOKE SELECT ON analytics.account_users FROM ${OTHER}`,
      /public\.accounts: the view analytics\.account_users reads it and is granted to other roles/
    ],
    [
      'the target’s view reads another column (the backup’s reads email)',
      `DROP VIEW analytics.account_users;
       CREATE VIEW analytics.account_users AS
         SELECT a.id, a.name, NULL::text AS email FROM public.accounts a JOIN public.users u ON u.account_id = a.id;
       GRANT SELECT ON analytics.account_users TO ${READER}, ${OTHER};`,
      /public\.users: the view analytics\.account_users reads it and is granted to other roles/
    ],
    [
      'the target’s materialized view reads another table',
      `DROP MATERIALIZED VIEW analytics.event_counts;
       CREATE MATERIALIZED VIEW analytics.event_counts AS SELECT id AS user_id, 1::bigint AS n FROM public.users;
       GRANT SELECT ON analytics.event_counts TO ${READER};`,
      /public\.events: the view analytics\.event_counts reads it and is granted to other roles/
    ],
    [
      'the target has no such view (a new one)',
      'DROP VIEW analytics.daily_events',
      /public\.events: the view analytics\.daily_events reads it and is granted to other roles/
    ],
    [
      'the target’s view was a security barrier, the backup’s is not',
      'ALTER VIEW analytics.account_users SET (security_barrier = on)',
      /public\.accounts: the view analytics\.account_users reads it/
    ]
  ])('%s', async (_name, change, message) => {
    const db = await target(change)
    const before = await state(db)
    const error = await failure(harness.restore(inputs(db)))
    expect(error?.message).toMatch(
      /^the restore changed objects of the target that the backup does not own/
    )
    expect(error?.message).toMatch(message)
    expect(error?.message).toMatch(/it was rolled back, nothing was restored/)
    expect(error?.message).toMatch(
      /pg_restore --single-transaction --exit-on-error --clean -n analytics -d <url> <archive>/
    )
    expect(error?.message).not.toMatch(/trial u|attacker a/)
    expect(await state(db)).toEqual(before)
  })
})

describe('still refused: the same text reading other data, and grants on columns (attacker a85 F2, F3)', () => {
  let dump2: string
  let source2: string
  beforeAll(async () => {
    source2 = await server.createDatabase(`views_source2_${suffix}`)
    await server.query('postgres', `ALTER DATABASE ${source2} OWNER TO ${OWNER}`)
    await server.query(
      source2,
      asOwner(`CREATE TABLE public.secrets (id int PRIMARY KEY, secret text);
       INSERT INTO public.secrets VALUES (1, 'TOPSECRET');
       CREATE SCHEMA rep; GRANT USAGE ON SCHEMA rep TO ${READER};
       CREATE FUNCTION rep.mask(text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT $1 $$;
       CREATE VIEW rep.v AS SELECT id, rep.mask(secret) AS s FROM public.secrets;
       GRANT SELECT ON rep.v TO ${READER};
       CREATE VIEW rep.w AS SELECT id, secret FROM public.secrets;
       GRANT SELECT (id, secret) ON rep.w TO ${READER};
       CREATE TABLE rep.allowed (id int); INSERT INTO rep.allowed VALUES (1);
       CREATE VIEW rep.u AS SELECT s.id, s.secret FROM public.secrets s WHERE s.id IN (SELECT a.id FROM rep.allowed a);
       GRANT SELECT ON rep.u TO ${READER};
       CREATE VIEW rep.p AS SELECT id FROM public.secrets;
       GRANT ALL ON rep.p TO ${READER};
       CREATE RULE leak AS ON INSERT TO rep.p DO INSTEAD SELECT id, secret FROM public.secrets;`)
    )
    dump2 = path.join(harness.work, 'views2.dump')
    execFileSync(path.join(server.binDir, 'pg_dump'), ['-Fc', '-f', dump2, source2], {
      env: server.env(source2, { user: OWNER, password: PASSWORD })
    })
  }, 60_000)

  async function copy(sql: string): Promise<string> {
    const db = `views2_${Math.random().toString(16).slice(2, 8)}`
    await server.query('postgres', `CREATE DATABASE ${db} TEMPLATE ${source2} OWNER ${OWNER}`)
    await server.query(db, asOwner(sql))
    return db
  }

  const restore = (db: string): Promise<unknown> =>
    harness.restore(
      testRestoreInputs(
        server.url(db, { user: OWNER, password: PASSWORD }),
        { kind: 'file', path: dump2 },
        { clean: true, schemas: ['rep'] }
      )
    )

  it('the view’s text is the target’s, but the function it calls is the backup’s own (it masked the secret in the target)', async () => {
    const db = await copy(
      `CREATE OR REPLACE FUNCTION rep.mask(text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT '***'::text $$`
    )
    expect(await server.query(db, `SET ROLE ${READER}; SELECT s FROM rep.v`)).toEqual([
      { s: '***' }
    ])
    const error = await failure(restore(db))
    expect(error?.message).toMatch(
      /public\.secrets: the view rep\.v reads it and is granted to other roles/
    )
    expect(await server.query(db, `SET ROLE ${READER}; SELECT s FROM rep.v`)).toEqual([
      { s: '***' }
    ])
  })

  it('the view’s text is the target’s, but a table of the backup’s own that it reads holds other rows (attacker a86 F1)', async () => {
    const db = await copy('DELETE FROM rep.allowed')
    expect(
      await server.query(db, `SET ROLE ${READER}; SELECT count(*)::int AS n FROM rep.u`)
    ).toEqual([{ n: 0 }])
    const error = await failure(restore(db))
    expect(error?.message).toMatch(
      /public\.secrets: the view rep\.u reads it and is granted to other roles/
    )
    expect(
      await server.query(db, `SET ROLE ${READER}; SELECT count(*)::int AS n FROM rep.u`)
    ).toEqual([{ n: 0 }])
  })

  it('the view’s query is the target’s, but the backup gives it a rule of its own (attacker a86 F2)', async () => {
    const db = await copy('DROP RULE leak ON rep.p')
    const error = await failure(restore(db))
    expect(error?.message).toMatch(
      /public\.secrets: the view rep\.p reads it and is granted to other roles/
    )
    expect(
      await server.query(db, "SELECT count(*)::int AS n FROM pg_rules WHERE rulename = 'leak'")
    ).toEqual([{ n: 0 }])
  })

  it('a new view granted on its columns only', async () => {
    const db = await copy('DROP VIEW rep.w')
    const error = await failure(restore(db))
    expect(error?.message).toMatch(
      /public\.secrets: the view rep\.w reads it and is granted to other roles/
    )
    expect(await server.query(db, "SELECT to_regclass('rep.w') AS w")).toEqual([{ w: null }])
  })
})

describe('a granted view over a chain of the backup’s views that reads the target’s table (attacker a89 F1)', () => {
  let dump3: string
  let source3: string
  beforeAll(async () => {
    source3 = await server.createDatabase(`views_source3_${suffix}`)
    await server.query('postgres', `ALTER DATABASE ${source3} OWNER TO ${OWNER}`)
    await server.query(
      source3,
      asOwner(`CREATE TABLE public.secrets (id int PRIMARY KEY, secret text);
       INSERT INTO public.secrets VALUES (1, 'TOPSECRET');
       CREATE SCHEMA chain; GRANT USAGE ON SCHEMA chain TO ${READER};
       CREATE VIEW chain.inner_v AS SELECT id, secret FROM public.secrets;
       CREATE VIEW chain.outer_v AS SELECT id, secret FROM chain.inner_v;
       GRANT SELECT ON chain.outer_v TO ${READER};
       CREATE MATERIALIZED VIEW chain.mid_m AS SELECT id, secret FROM public.secrets;
       CREATE VIEW chain.over_m AS SELECT id, secret FROM chain.mid_m;
       GRANT SELECT ON chain.over_m TO ${READER};
       CREATE VIEW chain.d1 AS SELECT id, secret FROM public.secrets;
       CREATE VIEW chain.d2 AS SELECT id, secret FROM chain.d1;
       CREATE VIEW chain.d3 AS SELECT id, secret FROM chain.d2;
       GRANT SELECT ON chain.d3 TO ${READER};`)
    )
    dump3 = path.join(harness.work, 'views3.dump')
    execFileSync(path.join(server.binDir, 'pg_dump'), ['-Fc', '-f', dump3, source3], {
      env: server.env(source3, { user: OWNER, password: PASSWORD })
    })
  }, 60_000)

  async function copy(sql = ''): Promise<string> {
    const db = `views3_${Math.random().toString(16).slice(2, 8)}`
    await server.query('postgres', `CREATE DATABASE ${db} TEMPLATE ${source3} OWNER ${OWNER}`)
    if (sql) await server.query(db, asOwner(sql))
    return db
  }

  const restore = (db: string, overrides: Partial<RestoreOptions> = {}): Promise<unknown> =>
    harness.restore(
      testRestoreInputs(
        server.url(db, { user: OWNER, password: PASSWORD }),
        { kind: 'file', path: dump3 },
        { clean: true, schemas: ['chain'], ...overrides }
      )
    )

  /** The chain schema's views: definitions and privileges. */
  const views = async (db: string): Promise<unknown> =>
    server.query(
      db,
      `SELECT c.relname, c.relacl::text AS acl, pg_get_viewdef(c.oid) AS def FROM pg_class c
        WHERE c.relnamespace = 'chain'::regnamespace AND c.relkind IN ('v', 'm') ORDER BY 1`
    )

  it('a89 F1 as found: an inner view granted to nobody, an outer one over it granted to a reader (plain text, allow-non-empty): refused, the target unchanged', async () => {
    const db = await copy()
    const script = path.join(harness.work, `a89-f1-${db}.sql`)
    writeFileSync(
      script,
      `SELECT pg_catalog.set_config('search_path', '', false);
CREATE VIEW public.inner_v AS SELECT id, secret FROM public.secrets;
CREATE VIEW public.outer_v AS SELECT id, secret FROM public.inner_v;
GRANT SELECT ON TABLE public.outer_v TO ${READER};
`
    )
    const error = await failure(
      harness.restore(
        testRestoreInputs(
          server.url(db, { user: OWNER, password: PASSWORD }),
          { kind: 'file', path: script },
          { allowNonEmpty: true }
        )
      )
    )
    expect(error?.message).toMatch(
      /public\.secrets: the view public\.outer_v reads it through public\.outer_v → public\.inner_v → public\.secrets and is granted to other roles/
    )
    expect(error?.message).toMatch(/it was rolled back, nothing was restored/)
    expect(
      await server.query(
        db,
        "SELECT to_regclass('public.outer_v') AS o, to_regclass('public.inner_v') AS i"
      )
    ).toEqual([{ o: null, i: null }])
  })

  it.each<[string, string, RegExp]>([
    [
      'a new chain: the target has neither view',
      'DROP VIEW chain.outer_v, chain.inner_v',
      /public\.secrets: the view chain\.outer_v reads it through chain\.outer_v → chain\.inner_v → public\.secrets and is granted to other roles/
    ],
    [
      'a materialized view in the middle of the chain',
      'DROP VIEW chain.over_m; DROP MATERIALIZED VIEW chain.mid_m',
      /public\.secrets: the view chain\.over_m reads it through chain\.over_m → chain\.mid_m → public\.secrets and is granted to other roles/
    ],
    [
      'a chain three views deep',
      'DROP VIEW chain.d3, chain.d2, chain.d1',
      /public\.secrets: the view chain\.d3 reads it through chain\.d3 → chain\.d2 → chain\.d1 → public\.secrets and is granted to other roles/
    ],
    [
      'the outer view is the target’s over again, but the inner one reads a column the target’s did not',
      `CREATE OR REPLACE VIEW chain.inner_v AS SELECT id, NULL::text AS secret FROM public.secrets`,
      /public\.secrets: the view chain\.outer_v reads it through chain\.outer_v → chain\.inner_v → public\.secrets and is granted to other roles/
    ],
    [
      'the inner view is the target’s over again, the outer one is new',
      'DROP VIEW chain.outer_v',
      /public\.secrets: the view chain\.outer_v reads it through chain\.outer_v → chain\.inner_v → public\.secrets and is granted to other roles/
    ]
  ])('refused, the target unchanged: %s', async (_name, change, message) => {
    const db = await copy(change)
    const before = await views(db)
    const error = await failure(restore(db))
    expect(error?.message).toMatch(
      /^the restore changed objects of the target that the backup does not own/
    )
    expect(error?.message).toMatch(message)
    expect(error?.message).toMatch(/it was rolled back, nothing was restored/)
    expect(await views(db)).toEqual(before)
  })

  it('clean over itself (the same chains, definitions and grants): restores; the reader reads through each chain', async () => {
    const db = await copy()
    const before = await views(db)
    await restore(db)
    expect(await views(db)).toEqual(before)
    for (const relation of ['chain.outer_v', 'chain.over_m', 'chain.d3'])
      expect(await readerSees(db, READER, relation)).toBe(1)
  })

  it('clean-drop-dependents: the target’s own granted view over the backup’s inner view comes back when the inner one is the target’s over again, and is refused when it reads more', async () => {
    const extra = `CREATE VIEW public.extra AS SELECT id, secret FROM chain.inner_v;
       GRANT SELECT ON public.extra TO ${READER};`
    const same = await copy(extra)
    await restore(same, { cleanDropDependents: true })
    expect(await readerSees(same, READER, 'public.extra')).toBe(1)
    const masked = await copy(
      `CREATE OR REPLACE VIEW chain.inner_v AS SELECT id, NULL::text AS secret FROM public.secrets; ${extra}`
    )
    const error = await failure(restore(masked, { cleanDropDependents: true }))
    expect(error?.message).toMatch(
      /public\.secrets: the view public\.extra reads it through public\.extra → chain\.inner_v → public\.secrets and is granted to other roles/
    )
    expect(
      await server.query(masked, `SET ROLE ${READER}; SELECT secret FROM public.extra`)
    ).toEqual([{ secret: null }])
  })

  it('a new chain whose outer view is granted to nobody (no-privileges: true): restores', async () => {
    const db = await copy('DROP VIEW chain.outer_v, chain.inner_v')
    await restore(db, { noPrivileges: true })
    expect(await readerSees(db, READER, 'chain.outer_v')).toMatch(/permission denied/)
    expect(await server.query(db, 'SELECT count(*)::int AS n FROM chain.outer_v')).toEqual([
      { n: 1 }
    ])
  })
})
