/**
 * An RDS-like restore (trial u51 F1, F3): the restoring role (the master user, no superuser) is a
 * member of the application's role, which owns the backup's tables; the backup gives that role
 * CREATE on their schema (GRANT CREATE ON SCHEMA public TO app: PostgreSQL 15 gives it to no one),
 * an ACL entry pg_dump writes after the owners. PostgreSQL refuses ALTER TABLE … OWNER TO app
 * until that GRANT ran ("permission denied for schema public"; pg_restore --single-transaction by
 * hand fails there): the restore sets those owners at the end of the load, in its transaction,
 * and the app reads its tables afterwards. An owner whose role the backup never gives that CREATE
 * stays the restoring role's, with a warning saying so and what to run; a role the target lacks is
 * left out and listed as before.
 */
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import pg from 'pg'
import { beforeAll, describe, expect, it } from '@jest/globals'
import type { TestServer } from '../../dev/postgres.js'
import { useHarness } from '../support/harness.js'
import { testRestoreInputs } from '../support/inputs.js'
import { logOf } from '../support/log-capture.js'

const harness = useHarness({ name: 'restore-owners-after-grants' })
let server: TestServer
const ADMIN_PASS = 'dbadmin-b5-pass'
const APP_PASS = 'shop-app-b5-pass'

beforeAll(async () => {
  server = harness.server
  await server.query(
    'postgres',
    `DO $$BEGIN
       CREATE ROLE dbadmin_b5 LOGIN CREATEDB CREATEROLE PASSWORD '${ADMIN_PASS}';
       CREATE ROLE shop_app_b5 LOGIN PASSWORD '${APP_PASS}';
       CREATE ROLE reporting_b5 NOLOGIN;
     EXCEPTION WHEN duplicate_object THEN NULL; END$$;
     GRANT shop_app_b5 TO dbadmin_b5;`
  )
}, 60_000)

const asAdmin = (database: string) =>
  server.url(database, { user: 'dbadmin_b5', password: ADMIN_PASS })

/** A database the master user made (it owns it, as on RDS). */
async function adminDatabase(): Promise<string> {
  const name = `b5_${Math.random().toString(36).slice(2, 10)}`
  const client = new pg.Client({ connectionString: asAdmin('postgres') })
  await client.connect()
  try {
    await client.query(`CREATE DATABASE ${name}`)
  } finally {
    await client.end()
  }
  return name
}

async function queryAs<T extends pg.QueryResultRow>(
  database: string,
  user: 'dbadmin_b5' | 'shop_app_b5',
  sql: string
): Promise<T[]> {
  const client = new pg.Client({
    connectionString: server.url(database, {
      user,
      password: user === 'dbadmin_b5' ? ADMIN_PASS : APP_PASS
    })
  })
  await client.connect()
  try {
    return (await client.query<T>(sql)).rows
  } finally {
    await client.end()
  }
}

const OWNERS = `SELECT n.nspname || '.' || c.relname AS name, pg_get_userbyid(c.relowner) AS owner
                  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname IN ('public', 'inv') AND c.relkind IN ('r', 'S')
                UNION ALL
                SELECT p.oid::regprocedure::text, pg_get_userbyid(p.proowner)
                  FROM pg_proc p WHERE p.pronamespace = 'inv'::regnamespace
                 ORDER BY 1`

/** The source: made as on RDS by the master user, the app's tables owned by the app's role. */
async function source(grantCreate: boolean): Promise<string> {
  const db = await adminDatabase()
  await queryAs(
    db,
    'dbadmin_b5',
    `${grantCreate ? 'GRANT CREATE ON SCHEMA public TO shop_app_b5;' : ''}
     CREATE SCHEMA inv;
     GRANT USAGE${grantCreate ? ', CREATE' : ''} ON SCHEMA inv TO shop_app_b5;`
  )
  if (grantCreate)
    await queryAs(
      db,
      'shop_app_b5',
      `CREATE TABLE public.customers (id serial PRIMARY KEY, name text);
       CREATE TABLE public.orders (id bigserial PRIMARY KEY, customer integer REFERENCES public.customers, total numeric);
       INSERT INTO public.customers (name) SELECT 'c' || g FROM generate_series(1, 10) g;
       INSERT INTO public.orders (customer, total) SELECT g % 10 + 1, g FROM generate_series(1, 40) g;
       GRANT SELECT ON public.customers TO reporting_b5;
       CREATE SEQUENCE inv.tickets;
       CREATE TABLE inv.items (id integer DEFAULT nextval('inv.tickets') PRIMARY KEY, sku character varying(20));
       INSERT INTO inv.items (sku) SELECT 's' || g FROM generate_series(1, 5) g;
       CREATE FUNCTION inv.items_of(prefix character varying, n integer[]) RETURNS bigint
         LANGUAGE sql AS $f$SELECT count(*) FROM inv.items WHERE sku LIKE prefix || '%'$f$;`
    )
  else
    // the app's role without CREATE anywhere: its table given to it by a superuser
    await server.query(
      db,
      `CREATE TABLE public.customers (id serial PRIMARY KEY, name text);
       INSERT INTO public.customers (name) SELECT 'c' || g FROM generate_series(1, 10) g;
       ALTER TABLE public.customers OWNER TO shop_app_b5;`
    )
  return db
}

function dump(db: string, file: string, format: 'c' | 'p'): string {
  const out = path.join(harness.work, file)
  execFileSync(path.join(server.binDir, 'pg_dump'), [`-F${format}`, '-f', out, db], {
    env: server.env(db)
  })
  return out
}

describe('the master user restores the app role’s tables, whose schemas the backup grants it CREATE on (trial u51 F1, F3)', () => {
  let custom: string
  let plain: string
  let sourceOwners: Array<{ name: string; owner: string }>
  beforeAll(async () => {
    const db = await source(true)
    custom = dump(db, 'rds.dump', 'c')
    plain = dump(db, 'rds.sql', 'p')
    sourceOwners = await server.query(db, OWNERS)
  }, 60_000)

  it('by hand: pg_restore --single-transaction fails at the owner (what the restore has to get past)', async () => {
    const target = await adminDatabase()
    let failed: Error | undefined
    try {
      execFileSync(
        path.join(server.binDir, 'pg_restore'),
        ['--single-transaction', '--exit-on-error', '-d', asAdmin(target), custom],
        { stdio: 'pipe' }
      )
    } catch (error) {
      failed = error as Error
    }
    expect(String((failed as { stderr?: Buffer } | undefined)?.stderr)).toMatch(
      /permission denied for schema (public|inv)/
    )
  })

  it.each([
    ['a custom archive', () => custom],
    ['a plain script', () => plain]
  ])(
    '%s: every owner as in the source, set at the end of the load; the app reads and writes its tables; no owner left out',
    async (_label, file) => {
      const target = await adminDatabase()
      const { lines, result } = await logOf(() =>
        harness.restore(testRestoreInputs(asAdmin(target), { kind: 'file', path: file() }))
      )
      expect(lines).toContain(
        '7 owners of the backup (ALTER … OWNER TO) were set at the end of the load, in its transaction'
      )
      expect(result.skipped.filter(g => /^owner not set/.test(g.reason))).toEqual([])
      expect(result.warnings.filter(w => /stays? dbadmin_b5's/.test(w))).toEqual([])
      expect(await server.query(target, OWNERS)).toEqual(sourceOwners)
      // data that came back, read and written by the app's own role
      expect(
        await queryAs<{ customers: number; orders: number; items: number; of: number }>(
          target,
          'shop_app_b5',
          `WITH added AS (INSERT INTO public.orders (customer, total) VALUES (1, 1) RETURNING 1)
           SELECT (SELECT count(*) FROM added)::int + (SELECT count(*) FROM public.customers)::int AS customers,
                  (SELECT count(*) FROM public.orders)::int AS orders,
                  (SELECT count(*) FROM inv.items)::int AS items,
                  inv.items_of('s', '{}')::int AS of`
        )
      ).toEqual([{ customers: 11, orders: 40, items: 5, of: 5 }])
      expect(
        await server.query(
          target,
          `SELECT relacl::text AS acl FROM pg_class WHERE oid = 'public.customers'::regclass`
        )
      ).toEqual([{ acl: '{shop_app_b5=arwdDxt/shop_app_b5,reporting_b5=r/shop_app_b5}' }])
    },
    60_000
  )
})

describe('an owner the backup never gives CREATE on its schema, and one the target lacks', () => {
  it("stays the restoring role's, said as a warning with what to run; the missing role's is listed as before", async () => {
    const db = await source(false)
    await server.query(
      'postgres',
      `DO $$BEGIN CREATE ROLE ghost_b5 NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END$$;`
    )
    await server.query(
      db,
      'CREATE TABLE public.ghostly (id int); ALTER TABLE public.ghostly OWNER TO ghost_b5;'
    )
    const file = dump(db, 'no-grant.dump', 'c')
    await server.query(db, 'DROP TABLE public.ghostly')
    await server.query('postgres', 'DROP ROLE ghost_b5')
    const target = await adminDatabase()
    const result = await harness.restore(
      testRestoreInputs(asAdmin(target), { kind: 'file', path: file })
    )
    expect(result.skipped.map(g => [g.reason.slice(0, 60), g.count])).toEqual([
      ['owner not set: "shop_app_b5" lacks CREATE on the schema "pub', 2],
      ['owner not set: role "ghost_b5" does not exist in the target', 1]
    ])
    const warning = result.warnings.find(w => /stays? dbadmin_b5's/.test(w))
    expect(warning).toContain(
      '2 objects of the backup stay dbadmin_b5\'s: their owner "shop_app_b5" exists in the target'
    )
    expect(warning).toContain('so that role has no privileges on them')
    expect(warning).toContain(
      'GRANT CREATE ON SCHEMA public TO shop_app_b5; then as dbadmin_b5 run: ALTER TABLE public.customers OWNER TO shop_app_b5; ALTER TABLE public.customers_id_seq OWNER TO shop_app_b5;'
    )
    expect(
      await server.query(
        target,
        `SELECT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE oid = 'public.customers'::regclass`
      )
    ).toEqual([{ owner: 'dbadmin_b5' }])
  })
})

describe('a trusted extension, restored by a role without CREATE on the database (trial u51 F4)', () => {
  it('says it needs CREATE on the database, with the GRANT, not "not a trusted extension … rds_superuser"', async () => {
    const db = await adminDatabase()
    await queryAs(
      db,
      'dbadmin_b5',
      `CREATE EXTENSION citext; CREATE TABLE public.tags (name citext); INSERT INTO public.tags VALUES ('A');`
    )
    const file = dump(db, 'citext.dump', 'c')
    const target = await server.createDatabase()
    await server.query(target, 'GRANT CREATE ON SCHEMA public TO dbadmin_b5')
    const { lines } = await logOf(() =>
      harness
        .restore(testRestoreInputs(asAdmin(target), { kind: 'file', path: file }))
        .catch((e: unknown) => e)
    )
    expect(lines).toContain(
      `The backup creates the extension citext, which dbadmin_b5 may not create in the database '${target}' (a trusted extension, which dbadmin_b5 may create only with CREATE on the database: GRANT CREATE ON DATABASE ${target} TO dbadmin_b5; as the database's owner)`
    )
    expect(lines).not.toMatch(/citext[^\n]*not a trusted extension/)
  })
})
