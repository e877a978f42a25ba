/**
 * What a user trial (5) found the action refusing, miscounting or failing late where pg_restore
 * -1 or psql -f by hand succeed or fail plainly: a data-only backup of partitioned tables whose
 * serial or identity sequence belongs to the parent (pg_dump writes the rows under the
 * partitions); a pg_dump --clean --if-exists script run again with allow-non-empty; the tables
 * and rows counted (partitioned tables, INSERT scripts, the URL's search_path); a target that
 * already has the backup's large objects; a read-only session; an extension in another schema.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { runTool, tableChecksums } from '../../dev/fixtures.js'
import type { TestServer } from '../../dev/postgres.js'
import { type Log, actionLog, useLog } from '../../src/log.js'
import type { RestoreOptions } from '../../src/types.js'
import { useHarness } from '../support/harness.js'
import { testRestoreInputs } from '../support/inputs.js'

const harness = useHarness({ name: 'restore-user-trial' })
let server: TestServer

const lines: string[] = []
const capture: Log = {
  ...actionLog,
  info: m => void lines.push(m),
  warning: m => void lines.push(`warning: ${m}`),
  notice: m => void lines.push(`notice: ${m}`),
  debug: () => undefined,
  group: async (_name, fn) => fn(),
  progressStyle: 'lines',
  progress: () => undefined
}

beforeAll(() => {
  server = harness.server
  useLog(capture)
})
afterAll(() => useLog(actionLog))

function restore(target: string, file: string, overrides: Partial<RestoreOptions> = {}) {
  return harness.restore(
    testRestoreInputs(server.url(target), { kind: 'file', path: file }, overrides)
  )
}

const failure = (p: Promise<unknown>): Promise<Error | undefined> =>
  p.then(
    () => undefined,
    (e: unknown) => e as Error
  )

async function pgDump(database: string, file: string, args: string[]): Promise<string> {
  const out = path.join(harness.work, file)
  await runTool(path.join(server.binDir, 'pg_dump'), [...args, '-f', out], server.env(database))
  return out
}

async function psql(database: string, sql: string): Promise<void> {
  await runTool(
    path.join(server.binDir, 'psql'),
    ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', server.url(database)],
    server.env(database),
    sql
  )
}

describe('a data-only backup of partitioned tables with serial and identity columns', () => {
  const SCHEMA = `CREATE SCHEMA app;
    CREATE TABLE app.events (id bigserial, at date NOT NULL) PARTITION BY RANGE (at);
    CREATE TABLE app.events_2025 PARTITION OF app.events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
    CREATE TABLE app.events_2026 PARTITION OF app.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
    CREATE TABLE app.hits (id bigint GENERATED ALWAYS AS IDENTITY, at date NOT NULL) PARTITION BY LIST (at);
    CREATE TABLE app.hits_a PARTITION OF app.hits FOR VALUES IN ('2025-02-02');
    CREATE TABLE app.hits_b PARTITION OF app.hits DEFAULT;
    CREATE TABLE app.base (id serial, v text);
    CREATE TABLE app.child (w text) INHERITS (app.base);`
  let source: string
  let schemaSql: string
  beforeAll(async () => {
    source = await server.createDatabase('trial_partitions_src')
    await psql(
      source,
      `${SCHEMA}
       INSERT INTO app.events (at) VALUES ('2025-02-02'), ('2025-03-03'), ('2026-04-04');
       INSERT INTO app.hits (at) VALUES ('2025-02-02'), ('2025-05-05');
       INSERT INTO app.child (v, w) VALUES ('x', 'y'), ('z', 'w');`
    )
    schemaSql = await runTool(
      path.join(server.binDir, 'pg_dump'),
      ['--schema-only', '--no-owner', '--no-privileges'],
      server.env(source)
    )
  }, 60_000)

  async function migrated(extra = ''): Promise<string> {
    const target = await server.createDatabase()
    await psql(target, schemaSql + extra)
    return target
  }

  const next = (db: string) =>
    server.query(
      db,
      `SELECT (SELECT last_value::int FROM app.events_id_seq) AS events,
              (SELECT last_value::int FROM app.hits_id_seq) AS hits,
              (SELECT last_value::int FROM app.base_id_seq) AS base`
    )

  it.each([
    ['custom archive', 'parts.dump', ['-Fc']],
    ['plain script', 'parts.sql', ['-Fp']],
    ['plain script with --inserts', 'parts-ins.sql', ['-Fp', '--inserts']],
    ['directory archive', 'parts.dir', ['-Fd']]
  ])(
    '%s with allow-non-empty: loads as pg_restore -1 / psql -f by hand do, sets the parents’ sequences',
    async (_kind, name, args) => {
      const file = await pgDump(source, name, [...args, '--data-only'])
      const target = await migrated()
      lines.length = 0
      const result = await restore(target, file, { allowNonEmpty: true })
      expect(await tableChecksums(server, target)).toEqual(await tableChecksums(server, source))
      // counted in every format: the rows under the partitions (an --inserts script: was 0/0)
      expect(result.rowsRestored).toBe(7)
      expect(
        result.tables
          .filter(t => t.rows > 0)
          .map(t => `${t.schema}.${t.name}:${t.rows}`)
          .sort()
      ).toEqual([
        'app.child:2',
        'app.events_2025:2',
        'app.events_2026:1',
        'app.hits_a:1',
        'app.hits_b:1'
      ])
      expect(await next(target)).toEqual([{ events: 3, hits: 2, base: 2 }])
      expect(lines.join('\n')).toMatch(
        /sets 3 sequences of theirs: app\.base_id_seq, app\.events_id_seq, app\.hits_id_seq/
      )
      await server.dropDatabase(target)
    },
    60_000
  )

  it.each([
    ['custom archive', 'full.dump', ['-Fc']],
    ['plain script', 'full.sql', ['-Fp']],
    ['plain script with --inserts', 'full-ins.sql', ['-Fp', '--inserts']],
    ['directory archive', 'full.dir', ['-Fd']],
    ['tar archive', 'full.tar', ['-Ft']]
  ])(
    'a whole %s: the same tables and rows counted (partitioned tables hold none of their own)',
    async (_kind, name, args) => {
      const file = await pgDump(source, name, args)
      const target = await server.createDatabase()
      const result = await restore(target, file)
      expect(result.rowsRestored).toBe(7)
      expect(result.tables.map(t => `${t.schema}.${t.name}:${t.rows}`).sort()).toEqual([
        'app.base:0',
        'app.child:2',
        'app.events_2025:2',
        'app.events_2026:1',
        'app.hits_a:1',
        'app.hits_b:1'
      ])
      await server.dropDatabase(target)
    },
    60_000
  )

  it('a partition the backup does not fill holds rows: the parent’s sequence is refused, naming the parent; nothing changed', async () => {
    const file = await pgDump(source, 'parts2.dump', ['-Fc', '--data-only'])
    // the target's own partition, which the backup knows nothing of, holds a row
    const target = await migrated(
      `CREATE TABLE app.events_2027 PARTITION OF app.events FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');
       INSERT INTO app.events (at) VALUES ('2027-06-06');`
    )
    lines.length = 0
    const error = await failure(restore(target, file, { allowNonEmpty: true }))
    expect(error?.message).toMatch(
      /app\.events_id_seq \(it belongs to app\.events, which holds rows\)/
    )
    expect(await server.query(target, 'SELECT count(*)::int AS n FROM app.events')).toEqual([
      { n: 1 }
    ])
    await server.dropDatabase(target)
  })
})

describe('a pg_dump --clean --if-exists script restored again', () => {
  it("with allow-non-empty: refused where its own DROPs would delete the target's rows; with clean: true it replaces them", async () => {
    const source = await server.createDatabase('trial_clean_src')
    await psql(
      source,
      `CREATE SCHEMA app;
       CREATE EXTENSION citext SCHEMA app;
       CREATE TABLE app.users (id serial PRIMARY KEY, email app.citext);
       INSERT INTO app.users (email) VALUES ('Ada@example.com'), ('bob@example.com');
       CREATE PUBLICATION pub FOR TABLE app.users;
       CREATE TABLE app.docs (id int, body oid);
       INSERT INTO app.docs VALUES (1, lo_from_bytea(0, 'doc'));`
    )
    const file = await pgDump(source, 'clean.sql', ['-Fp', '--clean', '--if-exists'])
    const target = await server.createDatabase()
    await restore(target, file)
    // a second run: refused without allow-non-empty; with it too, naming the tables whose rows its
    // DROP TABLE would delete (psql -f by hand deletes them); clean: true replaces them
    expect((await failure(restore(target, file)))?.message).toMatch(/is not empty/)
    await server.query(target, "INSERT INTO app.users (email) VALUES ('extra@example.com')")
    expect((await failure(restore(target, file, { allowNonEmpty: true })))?.message).toContain(
      "the backup's script creates 2 tables named as tables of the target database '"
    )
    expect((await failure(restore(target, file, { allowNonEmpty: true })))?.message).toMatch(
      /that hold rows: app\.docs \(1 row\), app\.users \(3 rows\)\. .* Nothing was changed\. Set 'clean: true' to replace them/
    )
    expect(await server.query(target, 'SELECT count(*)::int AS n FROM app.users')).toEqual([
      { n: 3 }
    ])
    await restore(target, file, { clean: true })
    expect(await tableChecksums(server, target)).toEqual(await tableChecksums(server, source))
    expect(
      await server.query(
        target,
        `SELECT e.extname, n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
          WHERE e.extname = 'citext'`
      )
    ).toEqual([{ extname: 'citext', nspname: 'app' }])
    expect(await server.query(target, 'SELECT pubname FROM pg_publication')).toEqual([
      { pubname: 'pub' }
    ])
    // its large object unlinked and created again by the script itself (not "already there")
    expect(
      await server.query(target, "SELECT convert_from(lo_get(body), 'UTF8') AS body FROM app.docs")
    ).toEqual([{ body: 'doc' }])
    await server.dropDatabase(target)
    await server.dropDatabase(source)
  }, 60_000)
})

describe('a hand-written script that drops and creates a table of the target again', () => {
  it('is refused with allow-non-empty, naming its rows, and when empty too; clean: true replaces it', async () => {
    const file = path.join(harness.work, 'replace.sql')
    writeFileSync(
      file,
      'DROP TABLE IF EXISTS shop.orders;\nCREATE TABLE shop.orders (id int PRIMARY KEY, total numeric);\nINSERT INTO shop.orders VALUES (7, 70);\n'
    )
    const target = await server.createDatabase()
    await server.query(
      target,
      `CREATE SCHEMA shop; CREATE TABLE shop.orders (id int); INSERT INTO shop.orders VALUES (1);
       CREATE TABLE shop.keep (id int); INSERT INTO shop.keep VALUES (1);`
    )
    const refused = await failure(restore(target, file, { allowNonEmpty: true }))
    expect(refused?.message).toContain("creates 1 table named as a table of the target database '")
    expect(refused?.message).toContain(
      'that holds rows: shop.orders (1 row). A DROP TABLE before its CREATE TABLE'
    )
    expect(await server.query(target, 'SELECT id FROM shop.orders')).toEqual([{ id: 1 }])
    // emptied, still the target's own (its definition would be replaced): refused, named; clean:
    // true replaces it (the other table stays as it is)
    await server.query(target, 'DELETE FROM shop.orders')
    expect((await failure(restore(target, file, { allowNonEmpty: true })))?.message).toMatch(
      /^the backup's script creates again 1 object the target already has: table shop\.orders — /
    )
    await restore(target, file, { clean: true })
    expect(await server.query(target, 'SELECT id, total::int AS total FROM shop.orders')).toEqual([
      { id: 7, total: 70 }
    ])
    expect(await server.query(target, 'SELECT id FROM shop.keep')).toEqual([{ id: 1 }])
    await server.dropDatabase(target)
  }, 60_000)

  it("with serial and identity columns: clean: true replaces the tables and the sequences they own, as psql by hand does (trial u59 F3: the net called the target's t_id_seq dropped); another sequence stays checked", async () => {
    const file = path.join(harness.work, 'replace-serial.sql')
    writeFileSync(
      file,
      "CREATE TABLE t (id serial PRIMARY KEY, v text);\nINSERT INTO t (v) VALUES ('a'), ('b');\n" +
        "CREATE TABLE u (id bigint GENERATED ALWAYS AS IDENTITY, w text);\nINSERT INTO u (w) VALUES ('c');\n"
    )
    const target = await server.createDatabase()
    await server.query(
      target,
      `CREATE TABLE t (id serial PRIMARY KEY, v text); INSERT INTO t (v) VALUES ('old');
       CREATE TABLE u (id bigint GENERATED ALWAYS AS IDENTITY, w text); INSERT INTO u (w) VALUES ('old');
       CREATE SEQUENCE keep_seq; SELECT setval('keep_seq', 41);`
    )
    await restore(target, file, { clean: true })
    expect(await server.query(target, 'SELECT id, v FROM t ORDER BY id')).toEqual([
      { id: 1, v: 'a' },
      { id: 2, v: 'b' }
    ])
    expect(await server.query(target, 'SELECT id::int AS id, w FROM u')).toEqual([
      { id: 1, w: 'c' }
    ])
    expect(await server.query(target, 'SELECT last_value::int AS v FROM keep_seq')).toEqual([
      { v: 41 }
    ])
    // a script that also changes a sequence it does not own is still caught, and rolled back
    writeFileSync(file, `${readFileSync(file, 'utf8')}ALTER SEQUENCE keep_seq INCREMENT BY 5;\n`)
    expect((await failure(restore(target, file, { clean: true })))?.message).toContain(
      'public.keep_seq: '
    )
    expect(
      await server.query(
        target,
        "SELECT last_value::int AS v, (SELECT seqincrement::int FROM pg_sequence WHERE seqrelid = 'keep_seq'::regclass) AS inc FROM keep_seq"
      )
    ).toEqual([{ v: 41, inc: 1 }])
    expect(await server.query(target, 'SELECT id, v FROM t ORDER BY id')).toEqual([
      { id: 1, v: 'a' },
      { id: 2, v: 'b' }
    ])
    await server.dropDatabase(target)
  }, 60_000)
})

describe('a pg_dump script without --clean into a database that has a type of the same name (trial u61 F2)', () => {
  it('allow-non-empty: refused before anything runs, saying its CREATE would fail there, not blaming a DROP it lacks', async () => {
    const source = await server.createDatabase()
    await server.query(
      source,
      "CREATE TYPE public.mood AS ENUM ('happy', 'sad'); CREATE TABLE public.moods (m public.mood); INSERT INTO public.moods VALUES ('sad')"
    )
    const file = await pgDump(source, 'mood.sql', [])
    const target = await server.createDatabase()
    await server.query(
      target,
      "CREATE TYPE public.mood AS ENUM ('ok', 'meh'); CREATE TABLE public.keep (id int); INSERT INTO public.keep VALUES (1)"
    )
    const error = await failure(restore(target, file, { allowNonEmpty: true }))
    expect(error?.message).toMatch(
      /^the backup's script creates 1 object the target already has: type public\.mood — its CREATE would fail on the target's/
    )
    expect(error?.message).not.toMatch(/DROP|without --clean/)
    expect(
      await server.query(
        target,
        "SELECT enum_range(NULL::public.mood)::text AS r, to_regclass('public.moods') AS t"
      )
    ).toEqual([{ r: '{ok,meh}', t: null }])
  }, 60_000)
})

describe('a pg_dump --clean script into another database holding objects of the same names (u9 F5)', () => {
  it('is refused with allow-non-empty alone, naming the view, function and empty table it would replace; clean: true replaces them', async () => {
    const source = await server.createDatabase()
    await psql(
      source,
      `CREATE FUNCTION public.tax(n numeric) RETURNS numeric LANGUAGE sql AS $$ SELECT n * 0.2 $$;
       CREATE TABLE public.items (id int PRIMARY KEY, price numeric);
       INSERT INTO public.items VALUES (1, 100);
       CREATE VIEW public.priced AS SELECT id, public.tax(price) AS tax FROM public.items;
       CREATE TABLE public.audit (id int);`
    )
    const file = await pgDump(source, 'other-clean.sql', ['-Fp', '--clean', '--if-exists'])
    const target = await server.createDatabase()
    await psql(
      target,
      `CREATE FUNCTION public.tax(n numeric) RETURNS numeric LANGUAGE sql AS $$ SELECT n * 0.07 $$;
       CREATE VIEW public.priced AS SELECT 1 AS id, public.tax(100) AS tax;
       CREATE TABLE public.audit (id int, note text UNIQUE);
       CREATE TABLE public.orders (id int); INSERT INTO public.orders VALUES (1);`
    )
    const refused = await failure(restore(target, file, { allowNonEmpty: true }))
    expect(refused?.message).toMatch(
      /^the backup's script creates again 3 objects the target already has: .*\btable public\.audit\b.*\. Nothing was changed\. Set 'clean: true' to replace them/
    )
    expect(refused?.message).toContain('view public.priced')
    expect(refused?.message).toContain('function public.tax(n numeric)')
    expect(await server.query(target, 'SELECT public.tax(100)::text AS t')).toEqual([{ t: '7.00' }])
    await restore(target, file, { clean: true })
    expect(await server.query(target, 'SELECT public.tax(100)::text AS t')).toEqual([{ t: '20.0' }])
    expect(await server.query(target, 'SELECT id FROM public.orders')).toEqual([{ id: 1 }])
    await server.dropDatabase(target)
    await server.dropDatabase(source)
  }, 60_000)
})

describe("a script that drops and creates again the target's sequence and materialized view (a11 #3)", () => {
  it('is refused with allow-non-empty alone, naming both; the sequence keeps its value', async () => {
    const file = path.join(harness.work, 'replace-seq.sql')
    writeFileSync(
      file,
      'DROP SEQUENCE IF EXISTS app.s;\nCREATE SEQUENCE app.s;\nDROP MATERIALIZED VIEW IF EXISTS app.totals;\nCREATE MATERIALIZED VIEW app.totals AS SELECT 1 AS n WITH NO DATA;\n'
    )
    const target = await server.createDatabase()
    await server.query(
      target,
      `CREATE SCHEMA app; CREATE SEQUENCE app.s; SELECT setval('app.s', 42);
       CREATE MATERIALIZED VIEW app.totals AS SELECT 7 AS n;`
    )
    const refused = await failure(restore(target, file, { allowNonEmpty: true }))
    expect(refused?.message).toMatch(
      /^the backup's script creates again 2 objects the target already has: (sequence app\.s, materialized view app\.totals|materialized view app\.totals, sequence app\.s) — /
    )
    expect(await server.query(target, 'SELECT last_value::int AS v FROM app.s')).toEqual([
      { v: 42 }
    ])
    expect(await server.query(target, 'SELECT n FROM app.totals')).toEqual([{ n: 7 }])
    await server.dropDatabase(target)
  }, 60_000)
})

describe("a script's unqualified names, with the search_path of the URL's options", () => {
  it.each([
    ['a lower-case copy', 'create table t(id int);\ncopy t from stdin;\n1\n2\n\\.\n'],
    ['COPY', 'CREATE TABLE t (id int);\nCOPY t (id) FROM stdin;\n1\n2\n\\.\n'],
    ['INSERT', 'CREATE TABLE t (id int);\nINSERT INTO t VALUES (1), (2);\n']
  ])(
    '%s: counted where the rows land, found there on a second run, and listed by clean',
    async (_kind, sql) => {
      const file = path.join(harness.work, 'hand.sql')
      writeFileSync(file, sql)
      const target = await server.createDatabase()
      await server.query(target, 'CREATE SCHEMA foo')
      const url = `${server.url(target)}?options=-c%20search_path%3Dfoo`
      const run = (overrides: Partial<RestoreOptions> = {}) =>
        harness.restore(testRestoreInputs(url, { kind: 'file', path: file }, overrides))
      const first = await run()
      expect(first.tables.map(t => `${t.schema}.${t.name}:${t.rows}`)).toEqual(['foo.t:2'])
      expect(first.rowsRestored).toBe(2)
      const again = await failure(run())
      expect(again?.message).toMatch(
        /is not empty: 1 table where the backup goes — foo\.t \(2 rows\)/
      )
      lines.length = 0
      const cleaned = await run({ clean: true })
      expect(lines).toContain(
        "clean: true — the backup's objects will be dropped and replaced; of the target's tables: foo.t (2 rows)."
      )
      expect(cleaned.rowsRestored).toBe(2)
      expect(await server.query(target, 'SELECT count(*)::int AS n FROM foo.t')).toEqual([{ n: 2 }])
      await server.dropDatabase(target)
    },
    60_000
  )
})

describe('a data-only backup with large objects into a target that has them', () => {
  it.each([
    ['custom archive', 'lo.dump', ['-Fc']],
    ['plain script', 'lo.sql', ['-Fp']]
  ])(
    '%s with allow-non-empty: refused before anything runs, naming their OIDs; loads once they are removed as advised',
    async (_kind, name, args) => {
      const source = await server.createDatabase()
      await psql(
        source,
        `CREATE TABLE public.docs (id int PRIMARY KEY, body oid);
         INSERT INTO public.docs VALUES (1, lo_from_bytea(0, 'one')), (2, lo_from_bytea(0, 'two'));`
      )
      const oids = (
        await server.query(source, 'SELECT body::text AS oid FROM public.docs ORDER BY id')
      ).map(r => (r as { oid: string }).oid)
      const file = await pgDump(source, name, [...args, '--data-only'])
      const target = await server.createDatabase()
      await psql(target, 'CREATE TABLE public.docs (id int PRIMARY KEY, body oid);')
      // an earlier restore: its rows removed, its large objects left behind
      await restore(target, file, { allowNonEmpty: true })
      await server.query(target, 'TRUNCATE public.docs')
      const error = await failure(restore(target, file, { allowNonEmpty: true }))
      expect(error?.message).toContain(
        `the backup creates 2 large objects, and the target database '${target}' already has 2 of them (OID ${oids.join(', ')})`
      )
      expect(error?.message).toContain(
        `SELECT pg_catalog.lo_unlink(oid) FROM pg_catalog.pg_largeobject_metadata WHERE oid IN (${oids.join(', ')})`
      )
      expect(await server.query(target, 'SELECT count(*)::int AS n FROM public.docs')).toEqual([
        { n: 0 }
      ])
      await server.query(
        target,
        `SELECT pg_catalog.lo_unlink(oid) FROM pg_catalog.pg_largeobject_metadata WHERE oid IN (${oids.join(', ')})`
      )
      const result = await restore(target, file, { allowNonEmpty: true })
      expect(result.rowsRestored).toBe(2)
      expect(
        await server.query(
          target,
          "SELECT convert_from(lo_get(body), 'UTF8') AS body FROM public.docs ORDER BY id"
        )
      ).toEqual([{ body: 'one' }, { body: 'two' }])
      await server.dropDatabase(target)
      await server.dropDatabase(source)
    },
    60_000
  )
})

describe('targets that cannot take the backup as it is', () => {
  it('a session that takes no writes (default_transaction_read_only): refused before anything runs, saying why', async () => {
    const source = await server.createDatabase()
    await psql(source, 'CREATE TABLE public.t (id int); INSERT INTO public.t VALUES (1);')
    const file = await pgDump(source, 'ro.dump', ['-Fc'])
    const target = await server.createDatabase()
    await server.query(target, `ALTER DATABASE ${target} SET default_transaction_read_only = on`)
    const error = await failure(restore(target, file))
    expect(error?.message).toMatch(
      new RegExp(
        `^the target database '${target}' takes no writes in the restoring session: transaction_read_only is on .* Nothing was changed\\.`
      )
    )
    await server.query(source, `ALTER DATABASE ${target} RESET default_transaction_read_only`)
    expect(
      await server.query(
        target,
        "SELECT count(*)::int AS n FROM pg_class WHERE relname = 't' AND relnamespace = 'public'::regnamespace"
      )
    ).toEqual([{ n: 0 }])
    await server.dropDatabase(target)
    await server.dropDatabase(source)
  })

  it('an extension the target has in another schema than the backup creates it in: the failure names where it is and what to do', async () => {
    const source = await server.createDatabase()
    await psql(
      source,
      `CREATE SCHEMA extensions; CREATE EXTENSION citext SCHEMA extensions;
       CREATE TABLE public.users (email extensions.citext); INSERT INTO public.users VALUES ('A@b');`
    )
    const file = await pgDump(source, 'ext.sql', ['-Fp'])
    const target = await server.createDatabase()
    await server.query(target, 'CREATE EXTENSION citext SCHEMA public')
    const error = await failure(restore(target, file))
    expect(error?.message).toContain(
      'extension "citext" exists in the target (schema "public", owner "postgres"); the backup creates it in schema "extensions", so what it names there (extensions.…) will not be found: move it (ALTER EXTENSION "citext" SET SCHEMA "extensions"'
    )
    await server.dropDatabase(target)
    await server.dropDatabase(source)
  })

  it("the same restored by a role that does not own the extension: the move is to be run as its owner (trial u24 F2: the advice failed with 'must be owner of extension')", async () => {
    const source = await server.createDatabase()
    await psql(
      source,
      `CREATE SCHEMA extensions; CREATE EXTENSION citext SCHEMA extensions;
       CREATE TABLE public.users (email extensions.citext); INSERT INTO public.users VALUES ('A@b');`
    )
    const file = await pgDump(source, 'ext-owner.sql', ['-Fp', '--no-owner'])
    const target = await server.createDatabase()
    await server.query(target, 'CREATE EXTENSION citext SCHEMA public')
    await server.query(target, `ALTER DATABASE ${target} OWNER TO ${server.appUser}`)
    await server.query(target, `ALTER SCHEMA public OWNER TO ${server.appUser}`)
    const error = await failure(
      harness.restore(
        testRestoreInputs(
          server.url(target, { user: server.appUser, password: server.appPassword }),
          { kind: 'file', path: file }
        )
      )
    )
    expect(error?.message).toContain(
      `move it (ALTER EXTENSION "citext" SET SCHEMA "extensions", run as its owner "postgres" or a superuser: ${server.appUser} may not`
    )
    // and nothing of the backup stayed
    expect(
      await server.query(
        target,
        "SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = 'extensions'"
      )
    ).toEqual([{ n: 0 }])
    await server.dropDatabase(target)
    await server.dropDatabase(source)
  })
})

describe('a backup with no table in public into a database whose only table is in public (trial u40 F3)', () => {
  it('is refused saying why public counts, and allow-non-empty restores beside it', async () => {
    const source = await server.createDatabase()
    await psql(
      source,
      `CREATE SCHEMA shopfront; CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public;
       CREATE TABLE shopfront.users (id int PRIMARY KEY, email public.citext);
       INSERT INTO shopfront.users VALUES (1, 'a@x');`
    )
    for (const [format, args] of [
      ['custom', ['-Fc']],
      ['plain', []]
    ] as const) {
      const file = await pgDump(source, `no-public.${format}`, [...args])
      const target = await server.createDatabase()
      await psql(target, `CREATE TABLE public.todo (id int); INSERT INTO public.todo VALUES (1);`)
      const error = await failure(restore(target, file))
      expect(error?.message).toMatch(
        /is not empty: 1 table where the backup goes — public\.todo \(1 row\)\. Nothing was changed\. The backup holds no table in public; it counts because every restore reaches it[^]*allow-non-empty: true restores beside it/
      )
      await restore(target, file, { allowNonEmpty: true })
      const [row] = await server.query<{ users: number; todo: number }>(
        target,
        'SELECT (SELECT count(*) FROM shopfront.users)::int AS users, (SELECT count(*) FROM public.todo)::int AS todo'
      )
      expect(row).toEqual({ users: 1, todo: 1 })
    }
  }, 120_000)

  it('a backup that creates a table in public without its rows (exclude-table-data) is not said to hold none there (trial u62 F5)', async () => {
    const source = await server.createDatabase()
    await psql(
      source,
      `CREATE SCHEMA sales; CREATE TABLE sales.orders (id int); INSERT INTO sales.orders VALUES (1);
       CREATE TABLE public.big_audit (id int); INSERT INTO public.big_audit VALUES (1);`
    )
    const file = await pgDump(source, 'audit-rows-left-out.custom', [
      '-Fc',
      '--exclude-table-data=public.big_audit'
    ])
    const target = await server.createDatabase()
    await psql(target, `CREATE TABLE public.todo (id int); INSERT INTO public.todo VALUES (1);`)
    const error = await failure(restore(target, file))
    expect(error?.message).toMatch(/is not empty: 1 table where the backup goes — public\.todo/)
    expect(error?.message).not.toContain('The backup holds no table in public')
  })
})

/** Runs `file` as psql by hand would: one transaction, stop at the first error; its error. */
async function byHand(database: string, file: string): Promise<Error | undefined> {
  return failure(
    runTool(
      path.join(server.binDir, 'psql'),
      [
        '-X',
        '-q',
        '-v',
        'ON_ERROR_STOP=1',
        '--single-transaction',
        '-f',
        file,
        '-d',
        server.url(database)
      ],
      server.env(database)
    )
  )
}

// trial u41 F1, then attacker a68 F4: clean used to drop what the script creates only IF NOT
// EXISTS, and load the backup into its own new object; psql by hand keeps the target's, and so
// does clean now: an IF NOT EXISTS creation is not the backup's
describe('a supabase db dump script (CREATE SEQUENCE/TABLE IF NOT EXISTS) restored with clean (trial u41 F1, a68 F4)', () => {
  const SCRIPT = `CREATE SEQUENCE IF NOT EXISTS "public"."invoice_number_seq" START WITH 1000 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;
CREATE TABLE IF NOT EXISTS "public"."t" ("id" integer DEFAULT nextval('public.invoice_number_seq'));
INSERT INTO "public"."t" VALUES (1);
`
  const TARGET = `CREATE SEQUENCE public.invoice_number_seq START WITH 5; SELECT nextval('public.invoice_number_seq');
CREATE TABLE public.t (id integer, extra text);`
  const state = (db: string) =>
    server.query<{ ids: string | null; seq: string; columns: number }>(
      db,
      `SELECT (SELECT string_agg(id::text || '/' || coalesce(extra, '-'), ',' ORDER BY id) FROM public.t) AS ids,
              (SELECT last_value::text FROM public.invoice_number_seq) AS seq,
              (SELECT count(*) FROM pg_attribute WHERE attrelid = 'public.t'::regclass AND attnum > 0 AND NOT attisdropped)::int AS columns`
    )

  it('into a target that has them (empty table): its sequence and table kept, the rows loaded into them — as psql by hand does', async () => {
    const file = path.join(harness.work, 'seq-if-not-exists.sql')
    writeFileSync(file, SCRIPT)
    const target = await server.createDatabase()
    const twin = await server.createDatabase()
    await psql(target, TARGET)
    await psql(twin, TARGET)
    await restore(target, file, { clean: true })
    expect(await byHand(twin, file)).toBeUndefined()
    const [row] = await state(target)
    expect(row).toEqual({ ids: '1/-', seq: '5', columns: 2 })
    expect(await state(twin)).toEqual([row])
    await server.dropDatabase(target)
    await server.dropDatabase(twin)
  }, 60_000)

  it('into a target whose table holds rows: refused before anything runs, its rows, columns and sequence as they were', async () => {
    const file = path.join(harness.work, 'seq-if-not-exists-rows.sql')
    writeFileSync(file, SCRIPT)
    const target = await server.createDatabase()
    await psql(target, `${TARGET} INSERT INTO public.t VALUES (7, 'x');`)
    const error = await failure(restore(target, file, { clean: true }))
    expect(error?.message).toMatch(/public\.t \(1 row\)[^]*nothing was changed/)
    expect(await state(target)).toEqual([{ ids: '7/x', seq: '5', columns: 2 }])
    await server.dropDatabase(target)
  }, 60_000)

  it("the reporter's scripts: the target's keep.ledger, public.users and keep.s are left as they were; the backup's own table created", async () => {
    const file = path.join(harness.work, 'ine-other.sql')
    writeFileSync(
      file,
      `CREATE SCHEMA IF NOT EXISTS keep;
CREATE TABLE IF NOT EXISTS keep.ledger (id integer);
CREATE TABLE IF NOT EXISTS public.users (id integer);
CREATE SEQUENCE IF NOT EXISTS keep.s;
CREATE UNLOGGED TABLE IF NOT EXISTS public.cache (k text);
CREATE TABLE public.bk (a integer);
COPY public.bk (a) FROM stdin;
1
\\.
`
    )
    const setup = `CREATE TABLE public.users (id int PRIMARY KEY, name text);
INSERT INTO public.users VALUES (1, 'alice'), (2, 'bob'), (3, 'carol');
CREATE SCHEMA keep; CREATE TABLE keep.ledger (id int); INSERT INTO keep.ledger VALUES (42);
CREATE SEQUENCE keep.s; SELECT setval('keep.s', 1000);
CREATE TABLE public.cache (k text, v text); INSERT INTO public.cache VALUES ('a', 'b');`
    const target = await server.createDatabase()
    const twin = await server.createDatabase()
    await psql(target, setup)
    await psql(twin, setup)
    const facts = (db: string) =>
      server.query(
        db,
        `SELECT (SELECT string_agg(id || ':' || name, ',' ORDER BY id) FROM public.users) AS users,
                (SELECT string_agg(id::text, ',') FROM keep.ledger) AS ledger,
                (SELECT last_value || '/' || is_called FROM keep.s) AS s,
                (SELECT string_agg(k || v, ',') FROM public.cache) AS cache,
                (SELECT string_agg(a::text, ',') FROM public.bk) AS bk`
      )
    await restore(target, file, { clean: true })
    expect(await byHand(twin, file)).toBeUndefined()
    expect(await facts(target)).toEqual([
      { users: '1:alice,2:bob,3:carol', ledger: '42', s: '1000/true', cache: 'ab', bk: '1' }
    ])
    expect(await facts(twin)).toEqual(await facts(target))
    await server.dropDatabase(target)
    await server.dropDatabase(twin)
  }, 60_000)
})

describe("an archive's policies are checked before the load, read at once (trial u40 F2)", () => {
  it('the second of several policies TO a role the target lacks (a restrictive one, that applies to postgres too) is named by its entry', async () => {
    const role = `ghost_${Math.random().toString(16).slice(2, 8)}`
    const source = await server.createDatabase()
    await server.query('postgres', `CREATE ROLE ${role} NOLOGIN`)
    await psql(
      source,
      `CREATE TABLE public.t1 (id int); CREATE TABLE public.t2 (id int);
       ALTER TABLE public.t1 ENABLE ROW LEVEL SECURITY; ALTER TABLE public.t2 ENABLE ROW LEVEL SECURITY;
       CREATE POLICY p1 ON public.t1 FOR SELECT TO PUBLIC USING (id > 0);
       CREATE POLICY p2 ON public.t2 AS RESTRICTIVE FOR SELECT TO ${role}, postgres USING (true);
       INSERT INTO public.t1 SELECT generate_series(1, 1000);`
    )
    const file = await pgDump(source, 'policies.dump', ['-Fc'])
    await server.dropDatabase(source)
    await server.query('postgres', `DROP ROLE ${role}`)
    const target = await server.createDatabase()
    const error = await failure(restore(target, file))
    expect(error?.message).toMatch(
      new RegExp(
        `^the archive's entry POLICY public\\.t2 p2, checked before the load: CREATE POLICY p2 ON public\\.t2 [^]*role "${role}", which the target lacks[^]*Nothing was restored\\.$`
      )
    )
    const [row] = await server.query<{ n: number }>(
      target,
      "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'"
    )
    expect(row.n).toBe(0)
  }, 60_000)
})
