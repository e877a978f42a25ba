/**
 * clean runs each archive entry's drop statement (foreignDrop, clean.ts): every one pg_dump 15, 17
 * and 18 write for objects of every kind, names quoted or with spaces, passes; a hostile archive's
 * drop statement that drops another object, holds other statements (a COMMIT) or cascades is
 * refused before anything runs, and the target is as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { seedRich, tableChecksums } from '../../dev/fixtures.js'
import { type TestServer } from '../../dev/postgres.js'
import { foreignDrop } from '../../src/postgres/clean.js'
import { parseArchiveToc } from '../../src/postgres/toc.js'
import { rewriteArchiveToc } from '../support/archive-writer.js'
import { provisionedBinDir } from '../support/clients.js'
import { useHarness } from '../support/harness.js'
import { testRestoreInputs } from '../support/inputs.js'

const harness = useHarness({ name: 'clean-drop-statements' })
let server: TestServer
let source: string

/** Kinds beyond the rich fixture's, with names that need quoting (superuser: FDW, event trigger). */
const KINDS = `
CREATE SCHEMA "My Schema";
CREATE TABLE "My Schema"."my table" (id integer PRIMARY KEY, "Val" text DEFAULT 'x', n integer);
CREATE TABLE "My Schema".child (id integer REFERENCES "My Schema"."my table"(id), CONSTRAINT "c k" CHECK (id > 0) NOT VALID);
CREATE FUNCTION "My Schema"."trg fn"() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER "my trig" BEFORE INSERT ON "My Schema"."my table" FOR EACH ROW EXECUTE FUNCTION "My Schema"."trg fn"();
ALTER TABLE "My Schema"."my table" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "my pol" ON "My Schema"."my table" USING (true);
CREATE RULE "my rule" AS ON UPDATE TO "My Schema"."my table" DO ALSO NOTIFY x;
CREATE TYPE "My Schema".mood AS ENUM ('a', 'b');
CREATE DOMAIN "My Schema".pos AS integer;
ALTER DOMAIN "My Schema".pos ADD CONSTRAINT pos_check CHECK (VALUE > 0) NOT VALID;
CREATE FUNCTION "My Schema".sf(integer, integer) RETURNS integer LANGUAGE sql AS 'SELECT $1 + $2';
CREATE AGGREGATE "My Schema"."my agg"(integer) (SFUNC = "My Schema".sf, STYPE = integer, INITCOND = '0');
CREATE PROCEDURE "My Schema".p(a integer) LANGUAGE sql AS 'SELECT 1';
CREATE TEXT SEARCH CONFIGURATION "My Schema".tsc (COPY = pg_catalog.english);
CREATE TEXT SEARCH DICTIONARY "My Schema".tsd (TEMPLATE = pg_catalog.simple);
CREATE FUNCTION "My Schema".tocast(integer) RETURNS "My Schema".mood LANGUAGE sql AS $$SELECT 'a'::"My Schema".mood$$;
CREATE CAST (integer AS "My Schema".mood) WITH FUNCTION "My Schema".tocast(integer);
CREATE FOREIGN DATA WRAPPER w;
CREATE SERVER s FOREIGN DATA WRAPPER w;
CREATE USER MAPPING FOR CURRENT_USER SERVER s;
CREATE FOREIGN TABLE "My Schema".ft (id integer) SERVER s;
CREATE STATISTICS "My Schema".st ON id, n FROM "My Schema"."my table";
CREATE VIEW "My Schema"."my view" AS SELECT id FROM "My Schema"."my table";
CREATE INDEX "my idx" ON "My Schema"."my table" (n);
CREATE FUNCTION "My Schema".evt() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$;
CREATE EVENT TRIGGER "my evt" ON ddl_command_start EXECUTE FUNCTION "My Schema".evt();
ALTER EVENT TRIGGER "my evt" DISABLE;
CREATE CONVERSION "My Schema".conv FOR 'LATIN1' TO 'UTF8' FROM pg_catalog.iso8859_1_to_utf8;
CREATE TABLE "My Schema".parted (id integer, k integer) PARTITION BY RANGE (k);
CREATE TABLE "My Schema".parted_1 PARTITION OF "My Schema".parted FOR VALUES FROM (0) TO (10);
ALTER TABLE "My Schema".parted ADD CONSTRAINT parted_fk FOREIGN KEY (id) REFERENCES "My Schema"."my table"(id);
CREATE PUBLICATION pub2 FOR TABLES IN SCHEMA "My Schema";
CREATE OPERATOR "My Schema".=== (FUNCTION = "My Schema".sf, LEFTARG = integer, RIGHTARG = integer);
CREATE SEQUENCE "My Schema"."Seq";
CREATE TABLE public.mine (x integer);
INSERT INTO public.mine VALUES (1);
`

beforeAll(async () => {
  server = harness.server
  source = await server.createDatabase('drops_source')
  await seedRich(server, source)
  await server.query(source, KINDS)
}, 120_000)

afterAll(async () => {
  await server.query(source, 'DROP EVENT TRIGGER IF EXISTS "my evt"').catch(() => undefined)
})

function dump(binDir: string): Buffer {
  return execFileSync(path.join(binDir, 'pg_dump'), ['-Fc', '-Z0'], {
    env: server.env(source),
    maxBuffer: 1 << 28
  })
}

describe('the drop statements pg_dump writes', () => {
  it.each([[15], [17], [18]])('pg_dump %i: every entry of every kind passes', major => {
    const archive = dump(major === server.major ? server.binDir : provisionedBinDir(major))
    const entries = parseArchiveToc(archive).entries.filter(
      e => e.desc !== 'BLOB' && e.dropStmt && !e.dropStmt.startsWith('--')
    )
    expect(entries.length).toBeGreaterThan(60)
    expect(new Set(entries.map(e => e.desc)).size).toBeGreaterThan(30)
    const refused = entries
      .map(e => ({
        e: `${e.desc} ${e.namespace}.${e.tag}`,
        why: foreignDrop(e, e.dropStmt!.trim())
      }))
      .filter(x => x.why !== undefined)
    expect(refused).toEqual([])
  })
})

// attacker 8 (F9, F10): clean ran an entry's drop statement as written
describe('a hostile drop statement', () => {
  it.each([
    [
      'drops a table of another schema',
      'DROP TABLE private.secrets;\n',
      /names private\.secrets, not an object in the entry's schema public/
    ],
    [
      'holds other statements and a COMMIT',
      'DELETE FROM private.secrets; COMMIT; DROP TABLE public.mine;\n',
      /holds more than one statement/
    ],
    ['cascades', 'DROP TABLE public.mine CASCADE;\n', /drops with CASCADE/],
    [
      'drops another table of the schema',
      'DROP TABLE public.other;\n',
      /drops other, not the entry's mine/
    ],
    ['is no drop', 'TRUNCATE private.secrets;\n', /is not a DROP statement/]
  ])(
    '%s: refused before anything runs, the target as it was',
    async (_label, dropStmt, why) => {
      const crafted = rewriteArchiveToc(dump(server.binDir), entries =>
        entries.map(e => (e.desc === 'TABLE' && e.tag === 'mine' ? { ...e, dropStmt } : e))
      )
      const file = path.join(harness.work, `crafted-${Math.random().toString(36).slice(2)}.dump`)
      writeFileSync(file, crafted)
      const target = await server.createDatabase()
      await server.query(
        target,
        `CREATE SCHEMA private; CREATE TABLE private.secrets (v text); INSERT INTO private.secrets VALUES ('keep');
       CREATE TABLE public.mine (x integer); CREATE TABLE public.other (y integer); INSERT INTO public.other VALUES (7);`
      )
      const before = await tableChecksums(server, target)
      const error = await harness
        .restore(
          testRestoreInputs(server.url(target), { kind: 'file', path: file }, { clean: true })
        )
        .then(
          () => undefined,
          (e: unknown) => e as Error
        )
      expect(error?.message).toMatch(
        /clean: the archive's entry \d+ \(TABLE public\.mine\) has a drop statement that /
      )
      expect(error?.message).toMatch(why)
      expect(await tableChecksums(server, target)).toEqual(before)
      expect(await server.query(target, 'SELECT v FROM private.secrets')).toEqual([{ v: 'keep' }])
    },
    120_000
  )
})

// attacker 8 (F16): clean dropped the user's public.users for the script's app.users
it("a plain script's unqualified CREATE after SET search_path: clean drops in the script's schema, the user's table of that name stays", async () => {
  const file = path.join(harness.work, 'search-path.sql')
  writeFileSync(
    file,
    'CREATE SCHEMA app;\nSET search_path = app;\nCREATE TABLE users (id integer);\nINSERT INTO users VALUES (42);\n'
  )
  const target = await server.createDatabase()
  await server.query(
    target,
    `CREATE TABLE public.users (id integer); INSERT INTO public.users VALUES (1), (2);`
  )
  await harness.restore(
    testRestoreInputs(
      server.url(target),
      { kind: 'file', path: file },
      { clean: true, allowNonEmpty: true }
    )
  )
  expect(await server.query(target, 'SELECT id FROM public.users ORDER BY id')).toEqual([
    { id: 1 },
    { id: 2 }
  ])
  expect(await server.query(target, 'SELECT id FROM app.users')).toEqual([{ id: 42 }])
}, 120_000)

// re-attack a40 2: clean's own DROP … IF EXISTS ran first and the script's DROP then failed
describe('a plain script made by pg_dump --clean (its own DROP statements)', () => {
  const APP = `
    CREATE SCHEMA app;
    CREATE TYPE app.mood AS ENUM ('a', 'b');
    CREATE TABLE app.a (id serial PRIMARY KEY, v text, m app.mood);
    CREATE TABLE app.b (id integer PRIMARY KEY, a_id integer REFERENCES app.a (id));
    CREATE INDEX b_a ON app.b (a_id);
    CREATE VIEW app.v AS SELECT id, v FROM app.a;
    CREATE FUNCTION app.f(x integer) RETURNS integer LANGUAGE sql AS 'SELECT x';
    CREATE SEQUENCE app.s;
    INSERT INTO app.a (v, m) VALUES ('x', 'a'), ('y', 'b');
    INSERT INTO app.b VALUES (1, 1), (2, 2);`
  const psqlFile = (database: string, file: string): void =>
    void execFileSync(
      path.join(server.binDir, 'psql'),
      ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-1', '-f', file],
      { env: server.env(database), stdio: 'pipe' }
    )

  it.each([[false], [true]])(
    'restores with clean: true into a target holding its objects, as psql -1 -f does (--if-exists: %s)',
    async ifExists => {
      const from = await server.createDatabase()
      await server.query(from, APP)
      const script = path.join(harness.work, `clean-${String(ifExists)}.sql`)
      writeFileSync(
        script,
        execFileSync(
          path.join(server.binDir, 'pg_dump'),
          ['-Fp', '--clean', ...(ifExists ? ['--if-exists'] : [])],
          { env: server.env(from), maxBuffer: 1 << 28 }
        )
      )
      // two targets holding the same objects, with other rows: by hand, and the action
      const targets: string[] = []
      for (let i = 0; i < 2; i++) {
        const target = await server.createDatabase()
        await server.query(target, APP)
        await server.query(
          target,
          "INSERT INTO app.a (v) VALUES ('other'); INSERT INTO app.b VALUES (3, 3)"
        )
        targets.push(target)
      }
      psqlFile(targets[0], script)
      await harness.restore(
        testRestoreInputs(server.url(targets[1]), { kind: 'file', path: script }, { clean: true })
      )
      const expected = await tableChecksums(server, from)
      expect(await tableChecksums(server, targets[0])).toEqual(expected)
      expect(await tableChecksums(server, targets[1])).toEqual(expected)
    }
  )
})
