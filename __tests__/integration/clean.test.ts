/**
 * clean: true against real PostgreSQL: it drops exactly what the backup recreates — every kind
 * pg_dump writes, from the archive's table of contents or the plain script — and nothing else:
 * objects outside the backup that depend on it make it refuse (target unchanged) unless
 * clean-drop-dependents allows dropping them; a lock held by another session ends it after
 * lock-timeout with that session named.
 */
import { afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import { seedSample, tableChecksums } from '../../dev/fixtures.js'
import { type TestServer, startPostgres } from '../../dev/postgres.js'
import type { RestoreOptions } from '../../src/types.js'
import { type SyntheticEntry, rewriteArchiveToc } from '../support/archive-writer.js'
import { provisionedBinDir } from '../support/clients.js'
import { embeddedBinDir } from '../support/embedded.js'
import { useHarness } from '../support/harness.js'
import { testRestoreInputs } from '../support/inputs.js'

const harness = useHarness({ name: 'clean-test' })
let server: TestServer
let source: string
const dumps: Record<'custom' | 'plain', string> = { custom: '', plain: '' }

/** Objects of many kinds beyond tables (superuser: the event trigger and the FDW). */
const KINDS_SQL = `
CREATE SCHEMA extra;
CREATE EXTENSION IF NOT EXISTS citext;
CREATE COLLATION extra.nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE FUNCTION extra.int_eq_loose(integer, integer) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT $1 = $2';
CREATE OPERATOR extra.=== (LEFTARG = integer, RIGHTARG = integer, FUNCTION = extra.int_eq_loose);
CREATE OPERATOR extra.!!! (RIGHTARG = integer, FUNCTION = pg_catalog.int4abs);
CREATE OPERATOR FAMILY extra.myfam USING btree;
CREATE OPERATOR CLASS extra.myclass FOR TYPE integer USING btree FAMILY extra.myfam AS
  OPERATOR 1 <, OPERATOR 3 =, FUNCTION 1 btint4cmp(integer, integer);
CREATE TEXT SEARCH DICTIONARY extra.simple_dict (TEMPLATE = pg_catalog.simple);
CREATE TEXT SEARCH CONFIGURATION extra.myts (COPY = pg_catalog.english);
CREATE DOMAIN extra.posint AS integer CHECK (VALUE > 0);
CREATE TYPE extra.mood AS ENUM ('sad', 'ok', 'happy');
CREATE FUNCTION extra.sum2(integer, integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT $1 + $2';
CREATE AGGREGATE extra.mysum(integer) (SFUNC = extra.sum2, STYPE = integer);
CREATE TYPE extra.money2 AS (v numeric);
CREATE FUNCTION extra.to_money2(numeric) RETURNS extra.money2 LANGUAGE sql IMMUTABLE AS 'SELECT ROW($1)::extra.money2';
CREATE CAST (numeric AS extra.money2) WITH FUNCTION extra.to_money2(numeric);
CREATE CONVERSION extra.myconv FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8;
CREATE TABLE extra.people (id extra.posint PRIMARY KEY, name citext, mood extra.mood, counter serial);
CREATE TABLE extra.pets (id integer PRIMARY KEY, owner integer REFERENCES extra.people(id), name text COLLATE extra.nocase);
INSERT INTO extra.people VALUES (1, 'Ann', 'ok'), (2, 'Bob', 'happy');
INSERT INTO extra.pets VALUES (1, 1, 'Rex');
CREATE VIEW extra.people_v AS SELECT * FROM extra.people;
-- grouped by the primary key: pg_dump writes the view apart from its _RETURN rule, whose drop is
-- a CREATE OR REPLACE VIEW (trial u32 F1); a view's INSTEAD OF trigger and rule go with the view
CREATE VIEW extra.people_pets AS
  SELECT p.id, p.name, count(t.id) AS pets FROM extra.people p LEFT JOIN extra.pets t ON t.owner = p.id GROUP BY p.id;
CREATE FUNCTION extra.people_v_ins() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NULL; END$$;
CREATE TRIGGER people_v_ins INSTEAD OF INSERT ON extra.people_v FOR EACH ROW EXECUTE FUNCTION extra.people_v_ins();
CREATE RULE people_v_del AS ON DELETE TO extra.people_v DO INSTEAD NOTHING;
CREATE PUBLICATION pub_people FOR TABLE extra.people;
CREATE FOREIGN DATA WRAPPER dummy_fdw;
CREATE SERVER dummy_srv FOREIGN DATA WRAPPER dummy_fdw;
CREATE USER MAPPING FOR public SERVER dummy_srv;
SELECT lo_from_bytea(424242, 'hello large object');
CREATE FUNCTION extra.evt() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$;
CREATE EVENT TRIGGER evt_noop ON ddl_command_start EXECUTE FUNCTION extra.evt();
CREATE FUNCTION extra.trg() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER people_trg BEFORE INSERT ON extra.people FOR EACH ROW EXECUTE FUNCTION extra.trg();
ALTER TABLE extra.people ENABLE ROW LEVEL SECURITY;
CREATE POLICY people_pol ON extra.people USING (true);
CREATE RULE pets_rule AS ON DELETE TO extra.pets DO ALSO NOTHING;
CREATE STATISTICS extra.people_stats ON id, mood FROM extra.people;
CREATE MATERIALIZED VIEW extra.people_m AS SELECT id FROM extra.people;
CREATE TABLE extra.parted (id integer, at date, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE extra.parted_2024 PARTITION OF extra.parted FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE extra.parted_ref (id integer, at date, FOREIGN KEY (id, at) REFERENCES extra.parted);
INSERT INTO extra.parted VALUES (1, '2024-05-01');
INSERT INTO extra.parted_ref VALUES (1, '2024-05-01');
CREATE FUNCTION extra.atomic_f() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT count(*) FROM extra.people; END;
CREATE FUNCTION extra.greet(who text DEFAULT 'world, (and you)', n integer = 1) RETURNS text LANGUAGE sql AS $$SELECT who$$;
`

/** Lines the engine logs while `fn` runs (the action's log goes to stdout through @actions/core). */
async function logOf<T>(
  fn: () => Promise<T>,
  onLine?: (line: string) => void
): Promise<{ lines: string; result?: T; error?: Error }> {
  const written: string[] = []
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    written.push(String(chunk))
    onLine?.(String(chunk))
    return true
  })
  try {
    const result = await fn()
    return { lines: written.join(''), result }
  } catch (error) {
    return { lines: written.join(''), error: error as Error }
  } finally {
    spy.mockRestore()
  }
}

function restoreInputs(
  target: string,
  format: 'custom' | 'plain',
  overrides: Partial<RestoreOptions> = {}
) {
  return testRestoreInputs(
    server.url(target),
    { kind: 'file', path: dumps[format] },
    {
      clean: true,
      ...overrides
    }
  )
}

/** What the target holds: rows of every table, and the objects of each kind by name. */
async function holdings(database: string) {
  const [objects] = await Promise.all([
    server.query<{ kind: string; n: string }>(
      database,
      `SELECT 'view' AS kind, string_agg(table_schema || '.' || table_name, ',' ORDER BY table_schema, table_name) AS n FROM information_schema.views WHERE table_schema NOT IN ('pg_catalog', 'information_schema')
       UNION ALL SELECT 'lo', string_agg(oid::text, ',') FROM pg_largeobject_metadata
       UNION ALL SELECT 'fk', string_agg(conname, ',' ORDER BY conname) FROM pg_constraint WHERE contype = 'f'
       UNION ALL SELECT 'operator', string_agg(oprname, ',' ORDER BY oprname) FROM pg_operator WHERE oprnamespace = 'extra'::regnamespace
       UNION ALL SELECT 'publication', string_agg(pubname, ',') FROM pg_publication
       UNION ALL SELECT 'server', string_agg(srvname, ',') FROM pg_foreign_server
       UNION ALL SELECT 'collation', string_agg(collname, ',') FROM pg_collation WHERE collnamespace = 'extra'::regnamespace
       UNION ALL SELECT 'ts', string_agg(cfgname, ',') FROM pg_ts_config WHERE cfgnamespace = 'extra'::regnamespace`
    )
  ])
  return { objects, rows: await tableChecksums(server, database) }
}

beforeAll(async () => {
  server = harness.server
  source = await server.createDatabase('clean_source')
  await seedSample(server, source)
  await server.query(source, KINDS_SQL)
  dumps.custom = path.join(harness.work, 'source.dump')
  dumps.plain = path.join(harness.work, 'source.sql')
  execFileSync(path.join(server.binDir, 'pg_dump'), ['-Fc', '-f', dumps.custom, source], {
    env: server.env(source)
  })
  execFileSync(path.join(server.binDir, 'pg_dump'), ['-f', dumps.plain, source], {
    env: server.env(source)
  })
}, 120_000)

/** `source` with its table of contents patched (rewriteArchiveToc), written as `name` in the work folder. */
function craftedArchive(
  source: string,
  name: string,
  patch: (entries: SyntheticEntry[]) => SyntheticEntry[]
): string {
  const file = path.join(harness.work, name)
  writeFileSync(file, rewriteArchiveToc(readFileSync(source), patch))
  return file
}

const targets: string[] = []
afterEach(async () => {
  for (const t of targets.splice(0)) await server.dropDatabase(t)
})

async function restoredTarget(format: 'custom' | 'plain'): Promise<string> {
  const target = await server.createDatabase()
  targets.push(target)
  await harness.restore(restoreInputs(target, format, { clean: false }))
  return target
}

describe.each<['custom' | 'plain']>([['custom'], ['plain']])('clean, %s format', format => {
  it('a second clean restore over every kind of object succeeds and gives the source back', async () => {
    const expected = await holdings(source)
    const target = await restoredTarget(format)
    await server.query(
      target,
      `UPDATE extra.people SET name = 'drifted'; DELETE FROM public.measurements WHERE id > 100`
    )
    const { lines, error } = await logOf(() => harness.restore(restoreInputs(target, format)))
    expect(error).toBeUndefined()
    expect(lines).toMatch(/nothing outside the backup depends on them/)
    expect(await holdings(target)).toEqual(expected)
    // and once more
    await harness.restore(restoreInputs(target, format))
    expect(await holdings(target)).toEqual(expected)
  }, 180_000)

  it("the target's own functions and types stay protected: counted as its own, not the backup's (trial u19 F2)", async () => {
    const target = await restoredTarget(format)
    await server.query(
      target,
      `CREATE SCHEMA other;
       CREATE FUNCTION other.f() RETURNS integer LANGUAGE sql AS 'SELECT 42';
       CREATE TYPE other.color AS ENUM ('red', 'blue');
       CREATE TABLE other.keep (c other.color);
       INSERT INTO other.keep VALUES ('red'), ('blue');`
    )
    const { lines, error } = await logOf(() => harness.restore(restoreInputs(target, format)))
    expect(error).toBeUndefined()
    if (format === 'custom')
      // other.f(), other.color and the table's own row type are the target's, not the backup's:
      // named (trial u21 F5)
      expect(lines).toMatch(
        /The target holds 1 relation \(other\.keep\), 1 function \(other\.f\(\)\), 1 type \(other\.color\) and \d+ schemas? \([^)]*\bother\b[^)]*\) the backup does not own, besides/
      )
    expect(await server.query(target, 'SELECT other.f() AS v')).toEqual([{ v: 42 }])
    expect(await server.query(target, 'SELECT count(*)::int AS n FROM other.keep')).toEqual([
      { n: 2 }
    ])
  }, 180_000)

  it('refuses when objects outside the backup depend on it; the target keeps them and its data', async () => {
    const target = await restoredTarget(format)
    await server.query(
      target,
      `CREATE VIEW public.app_report AS SELECT count(*) AS n FROM extra.people;
       CREATE TABLE public.app_notes (person integer REFERENCES extra.people(id), note text);
       INSERT INTO public.app_notes VALUES (1, 'keep me');
       CREATE FUNCTION public.app_mood(extra.mood) RETURNS text LANGUAGE sql AS 'SELECT $1::text';
       CREATE INDEX app_pets_name ON extra.pets (name);
       CREATE TRIGGER app_audit AFTER UPDATE ON extra.pets FOR EACH ROW EXECUTE FUNCTION extra.trg();
       CREATE POLICY app_pol ON extra.people USING (id > 0);
       CREATE RULE app_rule AS ON INSERT TO extra.pets DO ALSO NOTHING;
       UPDATE extra.people SET name = 'drifted'`
    )
    const before = await holdings(target)
    const { error } = await logOf(() => harness.restore(restoreInputs(target, format)))
    expect(error?.name).toBe('DependentsError')
    expect(error?.message).toMatch(/view public\.app_report depends on table extra\.people/)
    expect(error?.message).toMatch(
      /constraint app_notes_person_fkey on table public\.app_notes depends on/
    )
    // named once, not again as a foreign key that goes with its table (trial u32 F2)
    expect(error?.message).not.toMatch(/foreign key app_notes_person_fkey/)
    expect(error?.message).toMatch(/clean would drop 7 objects/)
    expect(error?.message).toMatch(
      /function public\.app_mood\(extra\.mood\) depends on type extra\.mood/
    )
    // what goes with a table without CASCADE (not in the backup): named too
    expect(error?.message).toMatch(
      /index app_pets_name on table extra\.pets goes with table extra\.pets/
    )
    expect(error?.message).toMatch(/trigger app_audit on table extra\.pets goes with/)
    expect(error?.message).toMatch(/policy app_pol on table extra\.people goes with/)
    expect(error?.message).toMatch(/rule app_rule on table extra\.pets goes with/)
    // the backup's own are not
    expect(error?.message).not.toMatch(/people_trg|people_pol|pets_rule|people_name/)
    expect(error?.message).toMatch(/Nothing was changed.*clean-drop-dependents: true/)
    expect(await holdings(target)).toEqual(before)

    // with the opt-in: dropped, and listed
    const allowed = await logOf(() =>
      harness.restore(restoreInputs(target, format, { cleanDropDependents: true }))
    )
    expect(allowed.error).toBeUndefined()
    expect(allowed.lines).toMatch(/clean-drop-dependents: true — .*view public\.app_report/)
    // a table whose foreign key goes is changed, not replaced by the backup (trial u31 F4)
    expect(allowed.lines).toMatch(
      /besides [^\n]*2 relations \(public\.app_report, public\.app_notes\) clean-drop-dependents changes/
    )
    expect(allowed.lines).not.toMatch(/\([^)\n]*public\.app_notes[^)\n]*\) the backup replaces/)
    // the log lists only the target's tables clean drops, and counts the one it keeps
    expect(allowed.lines).toMatch(
      /clean: true — the backup's objects will be dropped and replaced; of the target's tables: [^\n]*extra\.people/
    )
    expect(allowed.lines).not.toMatch(/clean: true —[^\n]*public\.app_notes[^\n]* other table/)
    // the one it keeps, named (trial u47 F3)
    expect(allowed.lines).toMatch(
      /1 other table of the target in the schemas the backup reaches \(public\.app_notes \(\d+ rows?\)\) is not in the backup and stays as it is/
    )
    const after = await server.query<{ v: string | null; f: string | null }>(
      target,
      `SELECT to_regclass('public.app_report')::text AS v,
              (SELECT conname FROM pg_constraint WHERE conname = 'app_notes_person_fkey') AS f`
    )
    // the view and the foreign key of app_notes (a table that stays) are created again as the
    // target had them, over the restored tables (trials u39 F1, u41 F4)
    expect(after).toEqual([{ v: 'app_report', f: 'app_notes_person_fkey' }])
    expect(allowed.lines).toMatch(
      /clean-drop-dependents: 1 part of tables that stay and 1 view were created again as the target had them/
    )
    expect(await server.query(target, 'SELECT note FROM public.app_notes')).toEqual([
      { note: 'keep me' }
    ])
    const { 'public.app_notes': notes, ...restored } = (await holdings(target)).rows
    expect(notes.rows).toBe(1)
    expect(restored).toEqual((await holdings(source)).rows)
  }, 180_000)
})

describe("clean: an archive entry's drop statement that is not pg_dump's DROP of that entry (attacker 8, F9/F10)", () => {
  it.each([
    ['another table', 'DROP TABLE private.secrets;'],
    ['other SQL before its own drop', 'DELETE FROM private.secrets; DROP TABLE extra.pets;'],
    ['a COMMIT inside', 'DELETE FROM private.secrets; COMMIT; DROP TABLE extra.pets;']
  ])(
    '%s: refused before anything runs, the target exactly as before',
    async (_name, drop) => {
      const target = await restoredTarget('custom')
      await server.query(
        target,
        "CREATE SCHEMA private; CREATE TABLE private.secrets (s text); INSERT INTO private.secrets VALUES ('keep')"
      )
      const before = await holdings(target)
      const file = craftedArchive(dumps.custom, `drop-${targets.length}-${drop.length}.dump`, es =>
        es.map(e =>
          e.desc === 'TABLE' && e.namespace === 'extra' && e.tag === 'pets'
            ? { ...e, dropStmt: drop }
            : e
        )
      )
      const { error } = await logOf(() =>
        harness.restore(
          testRestoreInputs(server.url(target), { kind: 'file', path: file }, { clean: true })
        )
      )
      expect(error?.message).toMatch(
        /the archive's entry \d+ \(TABLE extra\.pets\) has a drop statement that /
      )
      expect(error?.message).toMatch(/[Nn]othing was (changed|dropped)/)
      expect(await holdings(target)).toEqual(before)
      expect(await server.query(target, 'SELECT s FROM private.secrets')).toEqual([{ s: 'keep' }])
    },
    120_000
  )
})

describe('clean without a single transaction (jobs: 2)', () => {
  it("drops the backup's objects first (partitioned tables included), refuses dependents the same way", async () => {
    const dir = path.join(harness.work, 'source.dir')
    execFileSync(path.join(server.binDir, 'pg_dump'), ['-Fd', '-f', dir, source], {
      env: server.env(source)
    })
    const target = await server.createDatabase()
    targets.push(target)
    const inputs = testRestoreInputs(
      server.url(target),
      { kind: 'file', path: dir },
      {
        singleTransaction: false,
        jobs: 2
      }
    )
    await harness.restore(inputs)
    await server.query(target, `UPDATE extra.people SET name = 'drifted'`)
    await harness.restore({ ...inputs, clean: true })
    expect(await holdings(target)).toEqual(await holdings(source))
    await server.query(
      target,
      `CREATE VIEW public.app_report AS SELECT count(*) AS n FROM sales.invoices`
    )
    const before = await server.query(target, `SELECT n::int FROM public.app_report`)
    expect(before).toEqual([{ n: 400 }])
    const { error } = await logOf(() => harness.restore({ ...inputs, clean: true }))
    expect(error?.message).toMatch(/view public\.app_report depends on table sales\.invoices/)
    expect(await server.query(target, `SELECT n::int FROM public.app_report`)).toEqual(before)
  }, 180_000)
})

describe('clean and what it does not drop', () => {
  it('a `pg_dump -n public` backup with clean: the schema public it creates is skipped (the target has it), the dump\'s own reference to another schema fails — never "set clean"', async () => {
    const file = path.join(harness.work, 'public-only.sql')
    execFileSync(path.join(server.binDir, 'pg_dump'), ['-n', 'public', '-f', file, source], {
      env: server.env(source)
    })
    const target = await server.createDatabase()
    targets.push(target)
    const { error } = await logOf(() =>
      harness.restore(
        testRestoreInputs(server.url(target), { kind: 'file', path: file }, { clean: true })
      )
    )
    // CREATE SCHEMA public is left out (the target's public exists and is empty: the restore
    // policy); what fails is the dump itself: its tables use types of the schema sales it left out
    expect(error?.message).toMatch(/schema "sales" does not exist/)
    expect(error?.message).not.toMatch(/schema "public" already exists/)
    expect(error?.message).not.toMatch(/set 'clean: true'/)
    expect(await server.query(target, `SELECT to_regclass('public.customers') AS t`)).toEqual([
      { t: null }
    ])
  }, 120_000)

  it('a drop the target refuses for another reason (not the owner) fails before anything changes, naming the statement', async () => {
    const small = await server.createDatabase()
    targets.push(small)
    await server.query(
      small,
      `CREATE SCHEMA s; CREATE TABLE s.t (id int); INSERT INTO s.t VALUES (1);
       CREATE FUNCTION s.f() RETURNS int LANGUAGE sql AS 'SELECT 1'`
    )
    const file = path.join(harness.work, 'small.dump')
    execFileSync(path.join(server.binDir, 'pg_dump'), ['-Fc', '-f', file, small], {
      env: server.env(small)
    })
    const target = await server.createDatabase()
    targets.push(target)
    await server.query(
      'postgres',
      `DO $$BEGIN CREATE ROLE clean_restorer LOGIN PASSWORD 'pw'; EXCEPTION WHEN duplicate_object THEN NULL; END$$;
       ALTER DATABASE ${target} OWNER TO clean_restorer`
    )
    const url = server.url(target, { user: 'clean_restorer', password: 'pw' })
    const inputs = testRestoreInputs(url, { kind: 'file', path: file })
    await harness.restore(inputs)
    // the schema now belongs to another role (as a provider's schema would)
    await server.query(
      target,
      `ALTER SCHEMA s OWNER TO postgres; GRANT USAGE, CREATE ON SCHEMA s TO clean_restorer; UPDATE s.t SET id = 2`
    )
    const before = await tableChecksums(server, target)
    const { error } = await logOf(() => harness.restore({ ...inputs, clean: true }))
    expect(error?.name).toBe('CleanDropError')
    expect(error?.message).toMatch(
      /^clean cannot drop what the backup recreates: `DROP SCHEMA IF EXISTS s;` fails in the target: must be owner of schema s\. Nothing was changed/
    )
    expect(await tableChecksums(server, target)).toEqual(before)
  }, 120_000)

  it('large objects of a pg_dump 18 archive (BLOB METADATA entries) are dropped and restored again', async () => {
    const bin = provisionedBinDir(18)
    const server18 = await startPostgres({ binDir: embeddedBinDir(18) })
    try {
      const db = await server18.createDatabase('lo_source')
      await seedSample(server18, db)
      await server18.query(
        db,
        `SELECT lo_from_bytea(424242, 'hello'), lo_from_bytea(424243, 'world')`
      )
      const file = path.join(harness.work, 'source-18.dump')
      execFileSync(path.join(bin, 'pg_dump'), ['-Fc', '-f', file, db], { env: server18.env(db) })
      const target = await server18.createDatabase()
      const inputs = testRestoreInputs(
        server18.url(target),
        { kind: 'file', path: file },
        { pgBinDir: bin }
      )
      await harness.restore(inputs)
      await server18.query(target, `SELECT lo_put(424242, 0, 'CHANGED')`)
      await harness.restore({ ...inputs, clean: true })
      expect(
        await server18.query(
          target,
          `SELECT oid::text, convert_from(lo_get(oid), 'UTF8') AS text FROM pg_largeobject_metadata ORDER BY oid`
        )
      ).toEqual([
        { oid: '424242', text: 'hello' },
        { oid: '424243', text: 'world' }
      ])
      expect(await tableChecksums(server18, target)).toEqual(await tableChecksums(server18, db))
    } finally {
      await server18.stop()
    }
  }, 180_000)
})

describe('lock-timeout', () => {
  it.each<['ACCESS SHARE' | 'ACCESS EXCLUSIVE']>([['ACCESS SHARE'], ['ACCESS EXCLUSIVE']])(
    'a session holding %s on a backed-up table: clean fails after lock-timeout naming it; target unchanged',
    async mode => {
      const target = await restoredTarget('custom')
      await server.query(target, `UPDATE extra.people SET name = 'drifted'`)
      const before = await holdings(target)
      const app = new pg.Client({
        connectionString: server.url(target, { params: { application_name: 'the-app' } })
      })
      await app.connect()
      try {
        await app.query('BEGIN')
        await app.query(`LOCK TABLE extra.pets IN ${mode} MODE`)
        const started = Date.now()
        const { error, lines } = await logOf(() =>
          harness.restore(restoreInputs(target, 'custom', { lockTimeoutMs: 2000 }))
        )
        const seconds = (Date.now() - started) / 1000
        expect(error?.name).toBe('LockTimeoutError')
        const pid = (await app.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid
        expect(error?.message).toMatch(
          new RegExp(
            `pid ${pid} \\(application_name 'the-app', user postgres, idle in transaction since `
          )
        )
        expect(lines).toMatch(/Waiting for a lock held by pid \d+ \(application_name 'the-app'/)
        expect(seconds).toBeLessThan(20)
      } finally {
        await app.query('ROLLBACK')
        await app.end()
      }
      expect(await holdings(target)).toEqual(before)
    },
    120_000
  )

  it('a lock taken after the check, while psql loads: the restore fails after lock-timeout naming the session; target unchanged', async () => {
    const target = await restoredTarget('plain')
    await server.query(target, `UPDATE extra.people SET name = 'drifted'`)
    const before = await holdings(target)
    const app = new pg.Client({
      connectionString: server.url(target, { params: { application_name: 'late-app' } })
    })
    await app.connect()
    let locked: Promise<unknown> | undefined
    try {
      const { error } = await logOf(
        () => harness.restore(restoreInputs(target, 'plain', { lockTimeoutMs: 2000 })),
        line => {
          // the check has passed: the application takes its lock before psql drops anything
          if (!locked && /nothing outside the backup depends on them/.test(line)) {
            locked = app.query('BEGIN; LOCK TABLE extra.pets IN ACCESS SHARE MODE')
          }
        }
      )
      await locked
      expect(error?.name).toBe('LockTimeoutError')
      expect(error?.message).toMatch(
        /^The restore waited 2\.0 s \(lock-timeout\) for a lock held by pid \d+ \(application_name 'late-app'/
      )
    } finally {
      await app.query('ROLLBACK').catch(() => undefined)
      await app.end()
    }
    expect(await holdings(target)).toEqual(before)
  }, 120_000)
})

describe('clean over a copy of the database a backup came from: range types (attacker a31 A4)', () => {
  it('a range with its own multirange type name restores with clean; a function named like an enum of the backup stays protected', async () => {
    const from = await server.createDatabase()
    await server.query(
      from,
      `CREATE TYPE public.timespan AS RANGE (subtype = timestamp, multirange_type_name = timespans);
       CREATE TYPE public.floatrange AS RANGE (subtype = float8);
       CREATE TYPE public.mood AS ENUM ('a', 'b');
       CREATE TABLE public.t (id int PRIMARY KEY, ts public.timespan, f public.floatrange, m public.mood);
       INSERT INTO public.t VALUES (1, '[2024-01-01,2024-02-01)', '[1,2)', 'a');`
    )
    const file = path.join(harness.work, 'ranges.dump')
    execFileSync(path.join(server.binDir, 'pg_dump'), ['-Fc', '-f', file, from], {
      env: server.env(from)
    })
    const copy = await server.createDatabase()
    await harness.restore(testRestoreInputs(server.url(copy), { kind: 'file', path: file }))
    await server.query(
      copy,
      `CREATE FUNCTION public.mood(text) RETURNS text LANGUAGE sql AS 'SELECT $1';
       UPDATE public.t SET m = 'b'`
    )
    await harness.restore(
      testRestoreInputs(server.url(copy), { kind: 'file', path: file }, { clean: true })
    )
    expect(await server.query(copy, 'SELECT m::text AS m FROM public.t')).toEqual([{ m: 'a' }])
    expect(await server.query(copy, "SELECT public.mood('kept'::text) AS v")).toEqual([
      { v: 'kept' }
    ])
  }, 120_000)
})

describe('clean: a schema entry without a drop statement (attacker a33b A1)', () => {
  it("does not make the target's tables in that schema the backup's: refused, the table and its rows kept", async () => {
    const target = await restoredTarget('custom')
    await server.query(
      target,
      'CREATE TABLE extra.keep (id int); INSERT INTO extra.keep VALUES (42), (43)'
    )
    const file = craftedArchive(dumps.custom, 'a33b-a1.dump', es =>
      es.map(e =>
        e.desc === 'SCHEMA' && e.tag === 'extra'
          ? {
              ...e,
              dropStmt: '',
              defn: 'CREATE SCHEMA IF NOT EXISTS extra;\nDROP TABLE extra.keep;\n'
            }
          : e
      )
    )
    const { error } = await logOf(() =>
      harness.restore(
        testRestoreInputs(server.url(target), { kind: 'file', path: file }, { clean: true })
      )
    )
    expect(error?.message).toMatch(/extra\.keep/)
    expect(await server.query(target, 'SELECT id FROM extra.keep ORDER BY id')).toEqual([
      { id: 42 },
      { id: 43 }
    ])
  }, 120_000)
})

describe("clean and the target's own overloads of the backup's names (attacker a31 A1)", () => {
  let dump = ''
  beforeAll(async () => {
    const from = await server.createDatabase()
    await server.query(
      from,
      `CREATE FUNCTION public.sum2(integer, integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT $1 + $2';
       CREATE OPERATOR public.=== (LEFTARG = integer, RIGHTARG = integer, FUNCTION = public.sum2);
       CREATE TABLE public.t (id int PRIMARY KEY); INSERT INTO public.t VALUES (1);`
    )
    dump = path.join(harness.work, 'overloads.dump')
    execFileSync(path.join(server.binDir, 'pg_dump'), ['-Fc', '-f', dump, from], {
      env: server.env(from)
    })
  }, 60_000)

  /** A restored copy of the backup, with overloads of its own of the backup's names. */
  async function copyWithOwnOverloads(): Promise<string> {
    const copy = await server.createDatabase()
    targets.push(copy)
    await harness.restore(testRestoreInputs(server.url(copy), { kind: 'file', path: dump }))
    await server.query(
      copy,
      `CREATE FUNCTION public.sum2(text, text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT $1 || $2';
       CREATE OPERATOR public.=== (LEFTARG = text, RIGHTARG = text, FUNCTION = pg_catalog.textcat);`
    )
    return copy
  }

  const USE_ALL =
    "SELECT public.sum2(1, 2) AS i, public.sum2('a', 'b') AS f, 'x'::text OPERATOR(public.===) 'x'::text AS o, 1 OPERATOR(public.===) 2 AS n"

  it.each<[string, string, string, (e: SyntheticEntry) => Partial<SyntheticEntry>, RegExp]>([
    [
      "a function entry's drop naming the target's other overload",
      'FUNCTION',
      'sum2(integer, integer)',
      () => ({ dropStmt: 'DROP FUNCTION public.sum2(text, text);\n' }),
      /clean: the archive's drop statements would drop function public\.sum2\(text,text\) of the target, which the backup does not hold/
    ],
    [
      "an operator entry's drop naming the target's other overload",
      'OPERATOR',
      '===',
      () => ({ dropStmt: 'DROP OPERATOR public.=== (text, text);\n' }),
      /has a drop statement that drops ===\(text,text\), not the entry's ===\(integer,integer\)/
    ],
    [
      "a function entry's definition dropping the target's other overload first",
      'FUNCTION',
      'sum2(integer, integer)',
      e => ({ defn: `DROP FUNCTION public.sum2(text, text) CASCADE;\n${String(e.defn ?? '')}` }),
      /the restore changed objects of the target that the backup does not own — function public\.sum2\(text, text\): dropped/
    ]
  ])(
    '%s: refused, the target keeps it',
    async (_name, desc, tag, change, why) => {
      const copy = await copyWithOwnOverloads()
      // the backup's own overloads gone from the target: nothing else stops the drop
      await server.query(
        copy,
        'DROP OPERATOR public.=== (integer, integer); DROP FUNCTION public.sum2(integer, integer); UPDATE public.t SET id = 2'
      )
      const own = "SELECT public.sum2('a', 'b') AS f, 'x'::text OPERATOR(public.===) 'x'::text AS o"
      const before = await server.query(copy, own)
      const file = path.join(harness.work, `overload-${targets.length}.dump`)
      let found = false
      writeFileSync(
        file,
        rewriteArchiveToc(readFileSync(dump), es =>
          es.map(e => {
            if (e.desc !== desc || e.namespace !== 'public' || e.tag !== tag) return e
            found = true
            return { ...e, ...change(e) }
          })
        )
      )
      expect(found).toBe(true)
      const { error } = await logOf(() =>
        harness.restore(
          testRestoreInputs(server.url(copy), { kind: 'file', path: file }, { clean: true })
        )
      )
      expect(error?.message).toMatch(why)
      expect(await server.query(copy, own)).toEqual(before)
      expect(await server.query(copy, 'SELECT id FROM public.t')).toEqual([{ id: 2 }])
    },
    120_000
  )

  it("pg_dump's own archive: the backup's overloads are replaced, the target's others stay", async () => {
    const copy = await copyWithOwnOverloads()
    await server.query(
      copy,
      "CREATE OR REPLACE FUNCTION public.sum2(integer, integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT 0'"
    )
    const { error, lines } = await logOf(() =>
      harness.restore(
        testRestoreInputs(server.url(copy), { kind: 'file', path: dump }, { clean: true })
      )
    )
    expect(error).toBeUndefined()
    // the target's text overloads are its own, the backup's integer ones are replaced
    expect(lines).toMatch(
      /The target holds 1 function \(public\.sum2\(text, text\)\), 1 operator \(public\.===\(text,text\)\)/
    )
    expect(await server.query(copy, USE_ALL)).toEqual([{ i: 3, f: 'ab', o: 'xx', n: 3 }])
  }, 120_000)
})

describe("clean: what the backup's own statements drop of the target's other objects (attacker a33)", () => {
  let from: string
  let custom = ''
  let plain = ''
  beforeAll(async () => {
    from = await server.createDatabase()
    await server.query(
      from,
      `CREATE FUNCTION public.f(integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT $1';
       CREATE TABLE public.t (id int PRIMARY KEY); INSERT INTO public.t VALUES (1);`
    )
    custom = path.join(harness.work, 'a33.dump')
    plain = path.join(harness.work, 'a33.sql')
    execFileSync(path.join(server.binDir, 'pg_dump'), ['-Fc', '-f', custom, from], {
      env: server.env(from)
    })
    execFileSync(path.join(server.binDir, 'pg_dump'), ['-f', plain, from], {
      env: server.env(from)
    })
  }, 60_000)

  const VICTIMS = `CREATE COLLATION public.victim_coll (locale = 'C');
     CREATE TEXT SEARCH CONFIGURATION public.victim_ts (COPY = pg_catalog.simple);
     CREATE TYPE public.vt AS (a int);
     CREATE CAST (public.vt AS text) WITH INOUT;
     CREATE FUNCTION public.victim(integer) RETURNS integer LANGUAGE sql AS 'SELECT 7';
     CREATE OPERATOR public.=== (LEFTARG = integer, RIGHTARG = integer, FUNCTION = pg_catalog.int4eq);
     CREATE PUBLICATION victim_pub;`
  const SURVIVORS = `SELECT (SELECT count(*) FROM pg_collation WHERE collname = 'victim_coll')::int AS coll,
       (SELECT count(*) FROM pg_ts_config WHERE cfgname = 'victim_ts')::int AS ts,
       (SELECT count(*) FROM pg_cast WHERE castsource = 'public.vt'::regtype)::int AS casts,
       (SELECT count(*) FROM pg_publication WHERE pubname = 'victim_pub')::int AS pub,
       to_regprocedure('public.victim(integer)') IS NOT NULL AS victim,
       to_regoperator('public.===(integer,integer)') IS NOT NULL AS op,
       to_regtype('public.vt') IS NOT NULL AS vt`
  const ALL = [{ coll: 1, ts: 1, casts: 1, pub: 1, victim: true, op: true, vt: true }]

  async function victimTarget(): Promise<string> {
    const target = await server.createDatabase()
    targets.push(target)
    await harness.restore(testRestoreInputs(server.url(target), { kind: 'file', path: custom }))
    await server.query(target, VICTIMS)
    expect(await server.query(target, SURVIVORS)).toEqual(ALL)
    return target
  }

  it("an archive entry's definition dropping the target's cast, collation, text search configuration and publication: refused (A1)", async () => {
    const target = await victimTarget()
    const file = craftedArchive(custom, 'a33-a1.dump', es =>
      es.map(e =>
        e.desc === 'FUNCTION' && e.tag === 'f(integer)'
          ? {
              ...e,
              defn: `${String(e.defn)}DROP COLLATION public.victim_coll;\nDROP TEXT SEARCH CONFIGURATION public.victim_ts;\nDROP CAST (public.vt AS text);\nDROP PUBLICATION victim_pub;\n`
            }
          : e
      )
    )
    const { error } = await logOf(() =>
      harness.restore(
        testRestoreInputs(server.url(target), { kind: 'file', path: file }, { clean: true })
      )
    )
    expect(error?.message).toMatch(
      /the restore changed objects of the target that the backup does not own — .*victim_coll/
    )
    expect(await server.query(target, SURVIVORS)).toEqual(ALL)
  }, 120_000)

  it("a plain script's own DROP statements of the target's function, operator and type: refused under clean (A2)", async () => {
    const target = await victimTarget()
    const file = path.join(harness.work, 'a33-a2.sql')
    writeFileSync(
      file,
      `${readFileSync(plain, 'utf8')}\nDROP FUNCTION public.victim(integer);\nDROP OPERATOR public.=== (integer, integer);\nDROP CAST (public.vt AS text);\nDROP TYPE public.vt;\n`
    )
    const { error } = await logOf(() =>
      harness.restore(
        testRestoreInputs(server.url(target), { kind: 'file', path: file }, { clean: true })
      )
    )
    expect(error?.message).toMatch(
      /the restore changed objects of the target that the backup does not own — .*public\.victim\(integer\)/
    )
    expect(await server.query(target, SURVIVORS)).toEqual(ALL)
  }, 120_000)

  it("the target's extended statistics and publication membership of the backup's table are dependents, not dropped unseen (A4)", async () => {
    for (const file of [custom, plain]) {
      const target = await victimTarget()
      await server.query(
        target,
        `ALTER TABLE public.t ADD COLUMN b int;
         CREATE STATISTICS public.t_stats (dependencies) ON id, b FROM public.t;
         ALTER PUBLICATION victim_pub ADD TABLE public.t;`
      )
      const { error } = await logOf(() =>
        harness.restore(
          testRestoreInputs(server.url(target), { kind: 'file', path: file }, { clean: true })
        )
      )
      expect(error?.name).toBe('DependentsError')
      expect(error?.message).toMatch(
        /extended statistics public\.t_stats on table public\.t goes with table public\.t/
      )
      expect(error?.message).toMatch(
        /the membership of table public\.t in publication victim_pub goes with table public\.t/
      )
      expect(
        await server.query(
          target,
          "SELECT (SELECT count(*) FROM pg_statistic_ext)::int AS stats, (SELECT count(*) FROM pg_publication_tables WHERE pubname = 'victim_pub')::int AS members"
        )
      ).toEqual([{ stats: 1, members: 1 }])
    }
  }, 180_000)

  it("the target's access method and language dropped by an entry's definition: refused (a33b A2)", async () => {
    const target = await victimTarget()
    await server.query(
      target,
      `CREATE ACCESS METHOD am1 TYPE TABLE HANDLER heap_tableam_handler;
       CREATE TRUSTED LANGUAGE mylang HANDLER plpgsql_call_handler;`
    )
    const file = craftedArchive(custom, 'a33b-a2.dump', es =>
      es.map(e =>
        e.desc === 'TABLE' && e.tag === 't'
          ? { ...e, defn: `${String(e.defn)}DROP ACCESS METHOD am1;\nDROP LANGUAGE mylang;\n` }
          : e
      )
    )
    const { error } = await logOf(() =>
      harness.restore(
        testRestoreInputs(server.url(target), { kind: 'file', path: file }, { clean: true })
      )
    )
    expect(error?.message).toMatch(
      /the restore changed objects of the target that the backup does not own — .*am1/
    )
    expect(
      await server.query(
        target,
        "SELECT (SELECT count(*) FROM pg_am WHERE amname = 'am1')::int AS am, (SELECT count(*) FROM pg_language WHERE lanname = 'mylang')::int AS lang"
      )
    ).toEqual([{ am: 1, lang: 1 }])
  }, 120_000)

  it("a plain script's unqualified CREATE TABLE of the target's table: its trigger, index and publication membership are dependents (a33c A1)", async () => {
    const target = await victimTarget()
    await server.query(
      target,
      `CREATE TABLE public.items (id int PRIMARY KEY); INSERT INTO public.items VALUES (1), (2);
       CREATE FUNCTION public.audit() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
       CREATE TRIGGER audit AFTER INSERT ON public.items FOR EACH ROW EXECUTE FUNCTION public.audit();
       CREATE INDEX ix ON public.items (id);
       ALTER PUBLICATION victim_pub ADD TABLE public.items;`
    )
    const file = path.join(harness.work, 'a33c-a1.sql')
    writeFileSync(file, 'CREATE TABLE items (id int PRIMARY KEY);\n')
    const { error } = await logOf(() =>
      harness.restore(
        testRestoreInputs(server.url(target), { kind: 'file', path: file }, { clean: true })
      )
    )
    expect(error?.name).toBe('DependentsError')
    expect(error?.message).toMatch(
      /trigger audit on table public\.items goes with table public\.items/
    )
    expect(await server.query(target, 'SELECT count(*)::int AS n FROM public.items')).toEqual([
      { n: 2 }
    ])
  }, 120_000)

  it("an archive's TABLE entry without a drop statement, its definition dropping the target's table: refused (a33c A2)", async () => {
    const target = await victimTarget()
    await server.query(
      target,
      `CREATE FUNCTION public.audit() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
       CREATE TRIGGER audit AFTER INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION public.audit();`
    )
    const file = craftedArchive(custom, 'a33c-a2.dump', es =>
      es.map(e =>
        e.desc === 'TABLE' && e.tag === 't'
          ? { ...e, dropStmt: '', defn: `DROP TABLE public.t CASCADE;\n${String(e.defn)}` }
          : e
      )
    )
    const { error } = await logOf(() =>
      harness.restore(
        testRestoreInputs(server.url(target), { kind: 'file', path: file }, { clean: true })
      )
    )
    expect(error?.message).toMatch(/public\.t/)
    expect(
      await server.query(target, "SELECT count(*)::int AS n FROM pg_trigger WHERE tgname = 'audit'")
    ).toEqual([{ n: 1 }])
  }, 120_000)

  it("a plain script that creates a function of the target's name and drops the target's other overload: refused (a33c A3)", async () => {
    const target = await victimTarget()
    const file = path.join(harness.work, 'a33c-a3.sql')
    writeFileSync(
      file,
      `${readFileSync(plain, 'utf8')}\nCREATE FUNCTION public.victim(bigint) RETURNS bigint LANGUAGE sql AS 'SELECT 5';\nDROP FUNCTION public.victim(integer);\n`
    )
    const { error } = await logOf(() =>
      harness.restore(
        testRestoreInputs(server.url(target), { kind: 'file', path: file }, { clean: true })
      )
    )
    expect(error?.message).toMatch(
      /function public\.victim\(integer\): dropped, and not created again by the backup/
    )
    expect(await server.query(target, SURVIVORS)).toEqual(ALL)
  }, 120_000)

  it("an archive with pg_dump 14's entries of the schema public (its ACL too): the schema's privileges may change, the target's tables in it stay protected", async () => {
    const target = await victimTarget()
    await server.query(
      target,
      'CREATE TABLE public.keep (id int); INSERT INTO public.keep VALUES (1)'
    )
    const file = craftedArchive(custom, 'a33-public14.dump', es => {
      const top = Math.max(...es.map(e => e.dumpId))
      const table = es.find(e => e.desc === 'TABLE')!
      const at = es.indexOf(table)
      return [
        ...es.slice(0, at),
        {
          ...table,
          dumpId: top + 1,
          desc: 'SCHEMA',
          tag: 'public',
          namespace: '',
          defn: 'CREATE SCHEMA public;\n',
          dropStmt: 'DROP SCHEMA public;\n',
          dependencies: []
        },
        ...es.slice(at),
        {
          ...table,
          dumpId: top + 2,
          desc: 'ACL',
          tag: 'SCHEMA public',
          namespace: '',
          section: 4,
          defn: 'GRANT ALL ON SCHEMA public TO PUBLIC;\n',
          dropStmt: '',
          dependencies: [top + 1]
        }
      ]
    })
    const { error } = await logOf(() =>
      harness.restore(
        testRestoreInputs(server.url(target), { kind: 'file', path: file }, { clean: true })
      )
    )
    expect(error).toBeUndefined()
    expect(await server.query(target, 'SELECT id FROM public.keep')).toEqual([{ id: 1 }])
    expect(await server.query(target, SURVIVORS)).toEqual(ALL)
  }, 120_000)

  it("pg_dump's own archive and script over the target with those objects: restored, the objects kept", async () => {
    for (const file of [custom, plain]) {
      const target = await victimTarget()
      await server.query(target, 'UPDATE public.t SET id = 2')
      const { error } = await logOf(() =>
        harness.restore(
          testRestoreInputs(server.url(target), { kind: 'file', path: file }, { clean: true })
        )
      )
      expect(error).toBeUndefined()
      expect(await server.query(target, 'SELECT id FROM public.t')).toEqual([{ id: 1 }])
      expect(await server.query(target, SURVIVORS)).toEqual(ALL)
    }
  }, 180_000)
})

describe('clean and a base type (its own input and output functions; attacker a31 A5)', () => {
  it("pg_dump's DROP TYPE … CASCADE: a second clean restore succeeds; the target's function using the type is a dependent", async () => {
    const from = await server.createDatabase()
    await server.query(
      from,
      `CREATE TYPE public.bt;
       CREATE FUNCTION public.bt_in(cstring) RETURNS public.bt LANGUAGE internal IMMUTABLE STRICT AS 'textin';
       CREATE FUNCTION public.bt_out(public.bt) RETURNS cstring LANGUAGE internal IMMUTABLE STRICT AS 'textout';
       CREATE TYPE public.bt (INPUT = public.bt_in, OUTPUT = public.bt_out, LIKE = text);
       CREATE TABLE public.t (id int PRIMARY KEY, v public.bt);
       INSERT INTO public.t VALUES (1, 'hello');`
    )
    const file = path.join(harness.work, 'basetype.dump')
    execFileSync(path.join(server.binDir, 'pg_dump'), ['-Fc', '-f', file, from], {
      env: server.env(from)
    })
    const copy = await server.createDatabase()
    const inputs = testRestoreInputs(server.url(copy), { kind: 'file', path: file })
    await harness.restore(inputs)
    await server.query(copy, `UPDATE public.t SET v = 'changed'`)
    const { error } = await logOf(() => harness.restore({ ...inputs, clean: true }))
    expect(error).toBeUndefined()
    expect(await server.query(copy, 'SELECT v::text AS v FROM public.t')).toEqual([{ v: 'hello' }])
    // a function of the target's own that takes the type: not dropped unseen
    await server.query(
      copy,
      `CREATE FUNCTION public.bt_len(public.bt) RETURNS int LANGUAGE sql AS 'SELECT length($1::text)'`
    )
    const refused = await logOf(() => harness.restore({ ...inputs, clean: true }))
    expect(refused.error?.name).toBe('DependentsError')
    expect(refused.error?.message).toMatch(
      /function public\.bt_len\(public\.bt\) depends on type public\.bt/
    )
    expect(refused.error?.message).not.toMatch(/bt_in|bt_out/)
    expect(await server.query(copy, "SELECT public.bt_len('abc'::public.bt) AS n")).toEqual([
      { n: 3 }
    ])
    // with clean-drop-dependents: bt_len(public.bt) goes as a dependent, another overload of its
    // name that an entry's definition drops does not (attacker a33 A3)
    await server.query(
      copy,
      "CREATE FUNCTION public.bt_len(integer) RETURNS int LANGUAGE sql AS 'SELECT 2'"
    )
    const hostile = craftedArchive(file, 'basetype-a3.dump', es =>
      es.map(e =>
        e.desc === 'TABLE' && e.tag === 't'
          ? { ...e, defn: `${String(e.defn)}DROP FUNCTION public.bt_len(integer);\n` }
          : e
      )
    )
    const a3 = await logOf(() =>
      harness.restore({
        ...inputs,
        source: { kind: 'file', path: hostile },
        clean: true,
        cleanDropDependents: true
      })
    )
    expect(a3.error?.message).toMatch(
      /changed objects of the target that the backup does not own — .*public\.bt_len\(integer\)/
    )
    expect(await server.query(copy, 'SELECT public.bt_len(1) AS n')).toEqual([{ n: 2 }])
    // an entry whose tag alone claims the target's bt_len(public.bt) (no definition): its drop
    // goes with the type's, and nothing creates it again — refused (attacker a33 A5)
    const claiming = craftedArchive(file, 'basetype-a5.dump', es => {
      const fn = es.find(e => e.desc === 'FUNCTION')!
      const dumpId = Math.max(...es.map(e => e.dumpId)) + 1
      return [
        ...es,
        {
          ...fn,
          dumpId,
          tag: 'bt_len(public.bt)',
          defn: '-- nothing\n',
          dropStmt: '',
          dependencies: []
        }
      ]
    })
    const a5 = await logOf(() =>
      harness.restore({ ...inputs, source: { kind: 'file', path: claiming }, clean: true })
    )
    expect(a5.error?.message).toMatch(
      /function public\.bt_len\(public\.bt\): dropped, and not created again by the backup/
    )
    expect(await server.query(copy, "SELECT public.bt_len('abc'::public.bt) AS n")).toEqual([
      { n: 3 }
    ])
  }, 120_000)
})
