/**
 * A backup that cannot restore is warned of as it is made (trial u48 F1): pg_dump's output loads
 * with an empty search_path, so a CHECK constraint (a table's or a domain's), a generated column
 * or an index that calls a function of the user's with no search_path of its own, whose body
 * names a table or function without its schema, fails in every restore (pg_restore by hand too),
 * while pg_dump dumps it without a word. The backup warns, naming the function, what calls it,
 * PostgreSQL's error and the ALTER FUNCTION that fixes it, and still succeeds. A function with a
 * search_path, a qualified or BEGIN ATOMIC body, or one called only by a column DEFAULT (which a
 * restore never evaluates) is not warned of.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import type { TestServer } from '../../dev/postgres.js'
import { backupSummaryMarkdown } from '../../src/summary.js'
import { useHarness } from '../support/harness.js'
import { logOf } from '../support/log-capture.js'
import { currentRunArtifact } from '../support/sources.js'
import { NO_FILTERS, testBackupInputs, testRestoreInputs } from '../support/inputs.js'

const harness = useHarness({ name: 'backup-restorability' })
let server: TestServer
let broken: string
let sound: string
const PASSWORD = 'restorability-2468'

/** The role of a managed service's user: no superuser, owns its objects in public. */
const OWNER = 'restorability_owner'
/** A role whose sessions are read-only (as a standby's): it may not create a pg_temp function. */
const READER = 'restorability_reader'

beforeAll(async () => {
  server = harness.server
  await server.query(
    'postgres',
    `DO $$BEGIN CREATE ROLE ${OWNER} LOGIN PASSWORD '${PASSWORD}'; EXCEPTION WHEN duplicate_object THEN NULL; END$$;
     DO $$BEGIN CREATE ROLE ${READER} LOGIN PASSWORD '${PASSWORD}'; EXCEPTION WHEN duplicate_object THEN NULL; END$$;
     ALTER ROLE ${READER} SET default_transaction_read_only = on;
     GRANT ${OWNER} TO ${READER};`
  )
  broken = await server.createDatabase('restorability_broken')
  await server.query(
    broken,
    `GRANT CREATE ON SCHEMA public TO ${OWNER};
     GRANT CREATE ON DATABASE "${broken}" TO ${OWNER};
     SET ROLE ${OWNER};
     -- the trial's: a CHECK whose SQL function names skus unqualified
     CREATE TABLE public.skus (code text PRIMARY KEY);
     CREATE TABLE public.products (id int, sku text);
     CREATE FUNCTION public.sku_exists(text) RETURNS boolean LANGUAGE sql
       AS $$ SELECT EXISTS (SELECT 1 FROM skus WHERE code = $1) $$;
     ALTER TABLE public.products ADD CONSTRAINT products_sku_known CHECK (public.sku_exists(sku));
     INSERT INTO public.skus VALUES ('a'), ('b');
     INSERT INTO public.products VALUES (1, 'a'), (2, 'b');
     -- a domain's CHECK whose function calls another unqualified
     CREATE FUNCTION public.mod_two(int) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT $1 % 2 $$;
     CREATE FUNCTION public.is_even(int) RETURNS boolean LANGUAGE sql IMMUTABLE
       AS $$ SELECT mod_two($1) = 0 $$;
     CREATE DOMAIN public.even_int AS int CONSTRAINT even_only CHECK (public.is_even(VALUE));
     CREATE TABLE public.evens (n public.even_int);
     INSERT INTO public.evens VALUES (2), (4);
     -- a generated column and an index expression on the same kind of function
     CREATE FUNCTION public.times_two(int) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT $1 * 2 $$;
     CREATE FUNCTION public.double_it(int) RETURNS int LANGUAGE sql IMMUTABLE
       AS $$ SELECT times_two($1) $$;
     CREATE TABLE public.doubled (n int, d int GENERATED ALWAYS AS (public.double_it(n)) STORED);
     INSERT INTO public.doubled (n) VALUES (1);
     CREATE TABLE public.indexed (n int);
     CREATE INDEX indexed_double ON public.indexed (public.double_it(n));
     -- plpgsql: checked only when it runs
     CREATE FUNCTION public.known_code(text) RETURNS boolean LANGUAGE plpgsql
       AS $$ BEGIN RETURN EXISTS (SELECT 1 FROM skus WHERE code = $1); END $$;
     CREATE TABLE public.lines (sku text CONSTRAINT lines_known CHECK (public.known_code(sku)));
     INSERT INTO public.lines VALUES ('a');
     -- plpgsql that reads no table: it may fail, if it names something unqualified
     CREATE FUNCTION public.short_code(text) RETURNS boolean LANGUAGE plpgsql
       AS $$ BEGIN RETURN length($1) < 10; END $$;
     CREATE TABLE public.codes (c text CONSTRAINT codes_short CHECK (public.short_code(c)));
     INSERT INTO public.codes VALUES ('a');
     -- a function that is sound, calling one that is not (attacker a80 F7)
     CREATE FUNCTION public.inner_bad(code text) RETURNS boolean LANGUAGE sql
       AS $$ SELECT EXISTS (SELECT 1 FROM skus WHERE skus.code = inner_bad.code) $$;
     CREATE FUNCTION public.outer_ok(text) RETURNS boolean LANGUAGE sql AS $$ SELECT public.inner_bad($1) $$;
     CREATE TABLE public.nested (c text CONSTRAINT nested_known CHECK (public.outer_ok(c)));
     INSERT INTO public.nested VALUES ('a');
     -- an operator's function (attacker a80 F7)
     CREATE FUNCTION public.op_known(text, text) RETURNS boolean LANGUAGE sql
       AS $$ SELECT EXISTS (SELECT 1 FROM skus WHERE code = $1) AND $2 IS NOT NULL $$;
     CREATE OPERATOR public.=== (leftarg = text, rightarg = text, function = public.op_known);
     CREATE TABLE public.operated (c text CONSTRAINT operated_known CHECK (c OPERATOR(public.===) 'q'));
     INSERT INTO public.operated VALUES ('a');
     -- its own search_path, which does not find the table (attacker a80 F5)
     CREATE SCHEMA inv; CREATE TABLE inv.stock (code text); INSERT INTO inv.stock VALUES ('a');
     SET search_path = public, inv;
     CREATE FUNCTION public.in_stock(text) RETURNS boolean LANGUAGE sql
       AS $$ SELECT EXISTS (SELECT 1 FROM stock WHERE code = $1) $$;
     CREATE TABLE public.orders (c text CONSTRAINT orders_in_stock CHECK (public.in_stock(c)));
     INSERT INTO public.orders VALUES ('a');
     ALTER FUNCTION public.in_stock(text) SET search_path = public;
     RESET search_path;
     -- never evaluated by a restore: a table without rows, a NOT VALID check (attacker a80 F6)
     CREATE FUNCTION public.never_run(text) RETURNS boolean LANGUAGE sql
       AS $$ SELECT EXISTS (SELECT 1 FROM skus WHERE code = $1) $$;
     CREATE TABLE public.empty_checked (c text CHECK (public.never_run(c)));
     CREATE TABLE public.unvalidated (c text); INSERT INTO public.unvalidated VALUES ('zz');
     ALTER TABLE public.unvalidated ADD CONSTRAINT unvalidated_known CHECK (public.never_run(c)) NOT VALID;
     -- a body that would be two statements to a simple query (psql's "\\;"): never run at
     -- backup time (attacker a81 F1)
     CREATE SEQUENCE public.canary;
     SET check_function_bodies = off;
     CREATE FUNCTION public.two_in_one(text) RETURNS boolean LANGUAGE sql
       AS $$ SELECT true \\; SELECT pg_catalog.nextval('public.canary') > 0 $$;
     RESET check_function_bodies;
     CREATE TABLE public.injected (c text CHECK (public.two_in_one(c)));
     -- a literal of a domain whose CHECK has a side effect: reading the body runs nothing
     -- (attacker a82 F1: PREPARE coerced the literal, running the CHECK as the backup's role)
     CREATE SEQUENCE public.canary_domain;
     CREATE FUNCTION public.domain_side(int) RETURNS boolean LANGUAGE plpgsql
       AS $$ BEGIN PERFORM pg_catalog.nextval('public.canary_domain'); RETURN true; END $$;
     CREATE DOMAIN public.side_int AS int CHECK (public.domain_side(VALUE));
     SET check_function_bodies = off;
     CREATE FUNCTION public.casts_literal(int) RETURNS boolean LANGUAGE sql
       AS $$ SELECT $1 = '1'::public.side_int $$;
     RESET check_function_bodies;
     CREATE TABLE public.literal (n int CHECK (public.casts_literal(n)));
     RESET ROLE;
     -- the database's event trigger refuses any DDL: the check runs none (attacker a80 F9)
     CREATE FUNCTION public.no_ddl() RETURNS event_trigger LANGUAGE plpgsql
       AS $$ BEGIN RAISE EXCEPTION 'DDL is frozen (%)', tg_tag; END $$;
     CREATE EVENT TRIGGER no_ddl ON ddl_command_start EXECUTE FUNCTION public.no_ddl();`
  )
  sound = await server.createDatabase('restorability_sound')
  await server.query(
    sound,
    `GRANT CREATE ON SCHEMA public TO ${OWNER};
     SET ROLE ${OWNER};
     CREATE TABLE public.skus (code text PRIMARY KEY);
     INSERT INTO public.skus VALUES ('a');
     CREATE FUNCTION public.with_path(text) RETURNS boolean LANGUAGE sql SET search_path = public
       AS $$ SELECT EXISTS (SELECT 1 FROM skus WHERE code = $1) $$;
     CREATE FUNCTION public.qualified(text) RETURNS boolean LANGUAGE sql
       AS $$ SELECT EXISTS (SELECT 1 FROM public.skus WHERE code = $1) $$;
     CREATE FUNCTION public.atomic(c text) RETURNS boolean LANGUAGE sql
       BEGIN ATOMIC SELECT EXISTS (SELECT 1 FROM skus WHERE code = c); END;
     CREATE FUNCTION public.positive(n int) RETURNS boolean LANGUAGE sql
       AS $$ SELECT n > 0 AND length(n::text) < 10 $$;
     -- a column DEFAULT: pg_dump's COPY gives the column, a restore never evaluates it
     CREATE FUNCTION public.first_code() RETURNS text LANGUAGE sql
       AS $$ SELECT code FROM skus ORDER BY code LIMIT 1 $$;
     -- loads after skus (pg_dump's order is by name): the CHECK reading skus finds its rows
     CREATE TABLE public.tickets (
       id int CHECK (public.positive(id)),
       sku text CHECK (public.with_path(sku)) CHECK (public.qualified(sku)) CHECK (public.atomic(sku)),
       fallback text DEFAULT public.first_code());
     INSERT INTO public.tickets (id, sku) VALUES (1, 'a');
     RESET ROLE;`
  )
}, 60_000)

const asOwner = (database: string, user = OWNER) =>
  server.url(database, { user, password: PASSWORD })

describe("functions a restore runs with pg_dump's empty search_path", () => {
  it('warns of each that fails there (a CHECK, a domain CHECK, a generated column and an index), and the backup succeeds', async () => {
    const name = 'restorability-broken'
    const { lines, result } = await logOf(() =>
      harness.backup(testBackupInputs(asOwner(broken), { artifactName: name }))
    )
    expect(result.manifest.rowCounts.tables.length).toBeGreaterThan(0)
    const warnings = result.warnings ?? []
    const about = (name: string) => warnings.filter(w => w.includes(name))
    expect(about('products_sku_known')).toEqual([
      "This backup will not restore: CHECK constraint products_sku_known on table public.products calls public.sku_exists(text), whose body fails under the empty search_path that pg_dump's output loads with: relation \"skus\" does not exist. pg_restore or psql stops there (by hand too), and its rows or definition are not restored. Fix the function in the database: ALTER FUNCTION public.sku_exists(text) SET search_path = public; (the schemas that hold what it names), or qualify the names in its body (schema.table), then back up again. Even with that fixed, public.sku_exists(text) reads public.skus: pg_dump loads the tables' rows in order of schema and name, so public.products's rows load before public.skus's, and the CHECK sees public.skus empty (pg_restore by hand too; a restore with jobs loads them in any order) — it fails unless it passes on an empty public.skus. PostgreSQL's documentation says a CHECK must not depend on other rows: check them with a foreign key, or a trigger, instead."
    ])
    expect(about('even_only')).toEqual([
      expect.stringMatching(
        /^This backup will not restore: CHECK constraint even_only of domain public\.even_int calls public\.is_even\(integer\), [^]*: function mod_two does not exist\.[^]*ALTER FUNCTION public\.is_even\(integer\) SET search_path = public;/
      )
    ])
    expect(about('public.doubled')).toEqual([
      expect.stringMatching(
        /^This backup will not restore: generated column d of table public\.doubled and index public\.indexed_double on table public\.indexed call public\.double_it\(integer\), [^]*: function times_two does not exist\./
      )
    ])
    // plpgsql: checked by PostgreSQL only when it runs; this one reads a table loaded later
    expect(about('lines_known')).toEqual([
      expect.stringMatching(
        /^This backup may not restore: CHECK constraint lines_known on table public\.lines calls public\.known_code\(text\), which reads public\.skus: [^]*public\.lines's rows load before public\.skus's/
      )
    ])
    expect(about('codes_short')).toEqual([
      expect.stringMatching(
        /^This backup may not restore: CHECK constraint codes_short on table public\.codes calls public\.short_code\(text\) \(LANGUAGE plpgsql, with no search_path of its own\)/
      )
    ])
    // through a sound function, a named parameter and function.parameter; through an operator
    expect(about('nested_known')).toEqual([
      expect.stringMatching(
        /^This backup will not restore: CHECK constraint nested_known on table public\.nested calls public\.outer_ok\(text\), which calls public\.inner_bad\(text\), whose body fails [^]*relation "skus" does not exist/
      )
    ])
    expect(about('operated_known')).toEqual([
      expect.stringMatching(
        /^This backup will not restore: CHECK constraint operated_known on table public\.operated calls public\.op_known\(text,text\), whose body fails [^]*relation "skus" does not exist/
      )
    ])
    // its own search_path does not find it: the fix names the schema that holds it
    expect(about('orders_in_stock')).toEqual([
      expect.stringMatching(
        /^This backup will not restore: CHECK constraint orders_in_stock on table public\.orders calls public\.in_stock\(text\), whose body fails under its own search_path \(public\): relation "stock" does not exist\.[^]*ALTER FUNCTION public\.in_stock\(text\) SET search_path = inv;/
      )
    ])
    // nothing of what a restore never evaluates, nor of the functions no constraint calls
    expect(about('empty_checked')).toEqual([])
    expect(about('unvalidated_known')).toEqual([])
    expect(warnings).toHaveLength(8)
    // nothing of the database ran: not the body's second statement, not the domain's CHECK
    const canary = await server.query<{ a: boolean; b: boolean }>(
      broken,
      'SELECT (SELECT is_called FROM public.canary) AS a, (SELECT is_called FROM public.canary_domain) AS b'
    )
    expect(canary).toEqual([{ a: false, b: false }])
    // the runner's annotations, and the job summary
    expect(lines).toContain(
      '::warning::This backup will not restore: CHECK constraint products_sku_known'
    )
    expect(backupSummaryMarkdown(result)).toContain(
      '> [!WARNING]\n> This backup will not restore\\: CHECK constraint products_sku_known'
    )

    // and it does not: the restore fails at the first of them (the generated column's table)
    const target = await server.createDatabase()
    const error = await harness
      .restore(testRestoreInputs(server.url(target), currentRunArtifact(harness.backend, name)))
      .then(
        () => undefined,
        (e: Error) => e
      )
    expect(error?.message).toMatch(
      /function times_two\(integer\) does not exist[^]*SQL function "double_it" during inlining/
    )
  })

  it('warns of none with a search_path, a qualified or BEGIN ATOMIC body, or only a DEFAULT calling it; that backup restores', async () => {
    const name = 'restorability-sound'
    const { lines, result } = await logOf(() =>
      harness.backup(testBackupInputs(asOwner(sound), { artifactName: name }))
    )
    expect(result.warnings).toBeUndefined()
    expect(lines).not.toMatch(/restore:|could not be checked|were not checked/)
    const target = await server.createDatabase()
    const restored = await harness.restore(
      testRestoreInputs(server.url(target), currentRunArtifact(harness.backend, name))
    )
    expect(restored.tables.map(t => `${t.name}=${t.rows}`)).toEqual(['skus=1', 'tickets=1'])
  })

  it("a read-only session (a standby's) checks alike: the check reads the catalog only; the same warnings, and the backup succeeds", async () => {
    const owner = await harness.backup(
      testBackupInputs(asOwner(broken), { artifactName: 'restorability-owner' })
    )
    const { lines, result } = await logOf(() =>
      harness.backup(
        testBackupInputs(asOwner(broken, READER), {
          artifactName: 'restorability-read-only'
        })
      )
    )
    expect(result.warnings).toEqual(owner.warnings)
    expect(lines).not.toMatch(/could not be checked|were not checked/)
    // nothing prepared is left in a session (each DEALLOCATEd), nothing created
    const [left] = await server.query<{ n: string }>(
      broken,
      "SELECT count(*)::text AS n FROM pg_proc WHERE proname LIKE 'pgba%' OR proname = 'pg_backup_restorability'"
    )
    expect(left.n).toBe('0')
  })

  it("a table's row-level security policy is not run by the check (attacker a81 F6): the rows are looked for by the table's size on disk, reading none", async () => {
    const policed = await server.createDatabase()
    await server.query(
      policed,
      `GRANT CREATE ON SCHEMA public TO ${OWNER};
       SET ROLE ${OWNER};
       CREATE TABLE public.skus (code text);
       CREATE FUNCTION public.known(text) RETURNS boolean LANGUAGE sql
         AS $$ SELECT EXISTS (SELECT 1 FROM skus WHERE code = $1) $$;
       CREATE SEQUENCE public.canary;
       CREATE FUNCTION public.policy_sees() RETURNS boolean LANGUAGE sql VOLATILE
         AS $$ SELECT pg_catalog.nextval('public.canary') > 0 $$;
       CREATE TABLE public.policed (c text CONSTRAINT policed_known CHECK (public.known(c)));
       INSERT INTO public.skus VALUES ('a'); INSERT INTO public.policed VALUES ('a');
       ALTER TABLE public.policed ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
       CREATE POLICY sees ON public.policed USING (public.policy_sees());
       RESET ROLE;`
    )
    // pg_dump refuses the table (its policies apply to the owner): the check ran before it
    const error = await harness
      .backup(testBackupInputs(asOwner(policed), { artifactName: 'restorability-policed' }))
      .then(
        () => undefined,
        (e: Error) => e
      )
    expect(error?.message).toContain('row-level security policy for table "policed"')
    const canary = await server.query<{ a: boolean }>(
      policed,
      'SELECT is_called AS a FROM public.canary'
    )
    expect(canary).toEqual([{ a: false }])
  })

  it("what the backup's filters leave out is not warned of: a table's rows, a table, a schema (attacker a81 F5)", async () => {
    const result = await harness.backup(
      testBackupInputs(asOwner(broken), {
        artifactName: 'restorability-filtered',
        filters: {
          ...NO_FILTERS,
          excludeTableData: ['public.products'],
          excludeTables: ['public.doubled', 'public.indexed'],
          excludeSchemas: ['inv']
        }
      })
    )
    const warnings = result.warnings ?? []
    expect(
      warnings.filter(w => /products_sku_known|public\.doubled|indexed_double/.test(w))
    ).toEqual([])
    // what it keeps still is
    expect(warnings.some(w => w.includes('even_only'))).toBe(true)
  })
})
