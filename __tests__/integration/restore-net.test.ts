/**
 * The net of allow-non-empty and clean (src/postgres/unchanged.ts): whatever a backup's
 * statements look like as text, the restore's own transaction ends with a check on the server
 * that no object of the target the backup does not own was written or changed, and rolls back
 * when one was. Each hostile case here passed the text checks when the net was built (attacker 8's
 * findings F1–F9 and more; the text checks now refuse many of them first, with their own
 * message): the net or the text checks stop it, the target is exactly as before (its rows,
 * columns, triggers, policies, privileges, comment, large objects) and the error names the object
 * and what changed. pg_dump's own output still restores next to the target's objects (a foreign
 * key of the backup's table that references the target's table included).
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { type TestServer, startPostgres } from '../../dev/postgres.js'
import { embeddedBinDir } from '../support/embedded.js'
import { rewriteArchiveToc } from '../support/archive-writer.js'
import { useHarness } from '../support/harness.js'
import { failure, useNonEmptyTargets } from '../support/non-empty.js'
import { testRestoreInputs } from '../support/inputs.js'

const harness = useHarness({ name: 'restore-net' })
let server: TestServer

/** The target: the user's tables with rows, an empty one, another schema's, a large object. */
const TARGET = `CREATE TABLE public.users (id serial PRIMARY KEY, name text);
  INSERT INTO public.users (name) VALUES ('alice'), ('bob');
  CREATE TABLE public.audit (x text);
  CREATE SCHEMA private;
  CREATE TABLE private.secrets (s text);
  INSERT INTO private.secrets VALUES ('key');
  SELECT lo_from_bytea(424242, 'the user''s blob');`

/** attacker 8's evil.inc: a function that empties public.users by a built statement. */
const EVIL = `CREATE FUNCTION public.evil() RETURNS int LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE 'DEL' || 'ETE FROM pub' || 'lic.us' || 'ers';
  EXECUTE 'INS' || 'ERT INTO pub' || 'lic.au' || 'dit VALUES (''pwned'')';
  RETURN 1;
END $$;
CREATE TABLE public.mine (x int);
`

const { write, file, target, runRestore, pgDump } = useNonEmptyTargets(harness, TARGET)

beforeAll(() => {
  ;({ server } = harness)
})

/** Lines the engine logs while `fn` runs (the action's log goes to stdout through @actions/core). */
async function logOf<T>(fn: () => Promise<T>): Promise<{ lines: string; result: T }> {
  const written: string[] = []
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    written.push(String(chunk))
    return true
  })
  try {
    const result = await fn()
    return { lines: written.join(''), result }
  } finally {
    spy.mockRestore()
  }
}

/**
 * Stopped by the net (naming what changed) or, before anything ran, by the text checks of
 * allow-non-empty (which now refuse many of these shapes by themselves): either way refused, and
 * the caller checks the target is exactly as before.
 */
function expectStopped(error: Error | undefined, message: RegExp): void {
  const text = error?.message ?? 'no error'
  if (/^the restore changed objects of the target that the backup does not own/.test(text)) {
    expect(text).toMatch(message)
    expect(text).toMatch(/it was rolled back, nothing was restored/)
  } else expect(text).toMatch(/refuse|[Nn]othing was (restored|changed)|rolls back/)
}

/** Everything of the target a hostile backup could reach, read back (sequence apart: see seq()). */
async function state(db: string): Promise<unknown> {
  const [catalog] = await server.query(
    db,
    `SELECT
      (SELECT json_agg(c.relname ORDER BY c.relname COLLATE "C") FROM pg_class c
        WHERE c.relnamespace::regnamespace::text IN ('public', 'private')) AS relations,
      (SELECT json_agg(json_build_object('t', c.oid::regclass::text, 'acl', c.relacl::text,
          'comment', obj_description(c.oid, 'pg_class'), 'rls', c.relrowsecurity,
          'columns', (SELECT json_agg(a.attname ORDER BY a.attnum) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped),
          'triggers', (SELECT count(*) FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal),
          'rules', (SELECT count(*) FROM pg_rewrite r WHERE r.ev_class = c.oid),
          'policies', (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid),
          'children', (SELECT count(*) FROM pg_inherits i WHERE i.inhparent = c.oid))
        ORDER BY c.oid::regclass::text) FROM pg_class c
        WHERE c.oid IN (to_regclass('public.users'), to_regclass('public.audit'), to_regclass('private.secrets'))) AS objects,
      (SELECT json_agg(json_build_array(oid, md5(lo_get(oid, 0, 1048576))) ORDER BY oid) FROM pg_largeobject_metadata) AS large_objects`
  )
  const read = async (table: string): Promise<unknown> =>
    (catalog as { relations: string[] | null }).relations?.includes(table.split('.')[1])
      ? server.query(db, `SELECT * FROM ${table} ORDER BY 1`).catch((e: Error) => e.message)
      : 'missing'
  return {
    catalog,
    users: await read('public.users'),
    audit: await read('public.audit'),
    secrets: await read('private.secrets')
  }
}

/** The value `sequence` hands out next (whether it got there by setval(…, true) or false). */
async function next(db: string, sequence: string): Promise<string> {
  const [row] = await server.query<{ n: string }>(
    db,
    `SELECT (CASE WHEN is_called THEN last_value + 1 ELSE last_value END)::text AS n FROM ${sequence}`
  )
  return row.n
}

async function seq(db: string): Promise<unknown> {
  return server.query(db, 'SELECT last_value, is_called FROM public.users_id_seq')
}

/** [name, script after EVIL, what the error must say]. */
const PLAIN: Array<[string, string, RegExp]> = [
  [
    'F1: a comment before CREATE RULE',
    `/* rule */ CREATE RULE r AS ON INSERT TO public.mine DO ALSO SELECT public.evil();
INSERT INTO public.mine VALUES (1);`,
    /public\.users: 2 rows deleted by the restore's own transaction/
  ],
  [
    'F2: DECLARE … CURSOR FOR SELECT f() and FETCH',
    `DECLARE c CURSOR FOR SELECT public.evil();
FETCH c;`,
    /public\.audit: 1 row inserted.*public\.users: 2 rows deleted/
  ],
  [
    'F3: a comment before CREATE VIEW of the target table, written through',
    `/**/ CREATE VIEW public.uv AS SELECT * FROM public.users;
INSERT INTO public.uv VALUES (3, 'mallory');`,
    /public\.users: 1 row inserted by the restore's own transaction/
  ],
  [
    "F4: a sub-select of a view in INSERT's VALUES",
    `CREATE VIEW public.ev AS SELECT public.evil() AS x;
INSERT INTO public.mine VALUES ((SELECT x FROM public.ev));`,
    /public\.users: 2 rows deleted/
  ],
  [
    'F4: a sub-select of a view in UPDATE',
    `CREATE VIEW public.ev AS SELECT public.evil() AS x;
INSERT INTO public.mine VALUES (1);
UPDATE public.mine SET x = (SELECT x FROM public.ev);`,
    /public\.users: 2 rows deleted/
  ],
  [
    'F5: a parenthesized top-level SELECT',
    `(SELECT public.evil());`,
    /public\.users: 2 rows deleted/
  ],
  [
    'F1: a comment before CREATE TRIGGER',
    `CREATE FUNCTION public.trg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM public.evil(); RETURN NEW; END $$;
/**/ CREATE TRIGGER t BEFORE INSERT ON public.mine FOR EACH ROW EXECUTE FUNCTION public.trg();
INSERT INTO public.mine VALUES (1);`,
    /public\.users: 2 rows deleted/
  ],
  [
    'F1: a comment before CREATE TABLE … AS',
    `/**/ CREATE TABLE public.t2 AS SELECT public.evil() AS x;`,
    /public\.users: 2 rows deleted/
  ],
  [
    'F4: a user-defined operator in VALUES',
    `CREATE FUNCTION public.evilop(int, int) RETURNS int LANGUAGE sql AS $$ SELECT public.evil() $$;
CREATE OPERATOR public.%%% (FUNCTION = public.evilop, LEFTARG = int, RIGHTARG = int);
INSERT INTO public.mine VALUES (1 %%% 2);`,
    /public\.users: 2 rows deleted/
  ],
  [
    "F6: CREATE TABLE … INHERITS (the target's table)",
    `CREATE TABLE public.kid () INHERITS (public.users);
INSERT INTO public.kid VALUES (9, 'injected');`,
    /public\.users: gets a child table/
  ],
  [
    "F7: CREATE TRIGGER on the target's table",
    `CREATE FUNCTION public.trg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM public.evil(); RETURN NEW; END $$;
CREATE TRIGGER t AFTER INSERT ON public.users FOR EACH ROW EXECUTE FUNCTION public.trg();`,
    /public\.users: gets a trigger/
  ],
  [
    'F23: ALTER TABLE … TYPE … USING a function',
    `INSERT INTO public.mine VALUES (1);
ALTER TABLE public.mine ALTER COLUMN x TYPE bigint USING public.evil();`,
    /public\.users: 2 rows deleted/
  ],
  [
    "F24: the backup's table turned into a view of the target's by an ON SELECT rule",
    `CREATE TABLE public.x (id int, name text);
CREATE RULE "_RETURN" AS ON SELECT TO public.x DO INSTEAD SELECT * FROM public.users;
INSERT INTO public.x VALUES (3, 'mallory');`,
    /public\.users: 1 row inserted/
  ],
  [
    "F25: the target's table renamed, written, renamed back",
    `SET search_path = public;
ALTER TABLE users RENAME TO u2;
INSERT INTO public.u2 VALUES (3, 'm');
DELETE FROM public.u2 WHERE id = 1;
ALTER TABLE public.u2 RENAME TO users;`,
    /public\.users: 1 row inserted, 1 row deleted/
  ],
  [
    "the target's table renamed away, its name created again (the new one is the backup's; the old one is still checked)",
    `ALTER TABLE public.users RENAME TO u2;
CREATE TABLE public.users (id int, name text);
DELETE FROM public.u2;`,
    /public\.users: 2 rows deleted by the restore's own transaction; public\.users: renamed or moved \(its new name is withheld from the log: code the load ran can choose it\)/
  ],
  [
    'F26: DROP SCHEMA public CASCADE',
    `DROP SCHEMA public CASCADE;
CREATE SCHEMA public;
CREATE TABLE public.mine2 (x int);`,
    /public\.users: dropped/
  ],
  [
    "ALTER TABLE of the target's table: ADD COLUMN",
    `ALTER TABLE public.users ADD COLUMN pwned boolean DEFAULT true;`,
    /public\.users: its columns changed/
  ],
  [
    "a policy on the target's table, row-level security switched on",
    `CREATE POLICY p ON public.users USING (false);
ALTER TABLE public.users ENABLE ROW LEVEL SECURITY;`,
    /public\.users: gets a row-level security policy.*public\.users: its row-level security was switched/
  ],
  [
    "COMMENT ON the target's table",
    `COMMENT ON TABLE public.users IS 'owned';`,
    /public\.users: its comment or a column comment changed/
  ],
  [
    "GRANT on the target's table",
    `GRANT ALL ON TABLE public.users TO PUBLIC;`,
    /public\.users: its privileges changed/
  ],
  [
    "lo_unlink of the target's large object through a view",
    `CREATE VIEW public.lv AS SELECT lo_unlink(424242) AS x;
INSERT INTO public.mine VALUES ((SELECT x FROM public.lv));`,
    /large object 424242: unlinked/
  ],
  [
    "a CHECK constraint's function, called by COPY into the backup's own table, deletes from another schema's table",
    `CREATE FUNCTION public.chk(int) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'DELETE FROM private.' || 'secrets'; RETURN true; END $$;
CREATE TABLE public.mine2 (x int CHECK (public.chk(x)));
COPY public.mine2 (x) FROM stdin;
1
\\.
`,
    /private\.secrets: 1 row deleted/
  ]
]

describe('allow-non-empty: the net rolls back what the text checks let through (plain scripts)', () => {
  it.each(PLAIN)('%s', async (_name, script, message) => {
    const db = await target()
    const before = await state(db)
    const sequence = await seq(db)
    const error = await failure(runRestore(db, { kind: 'file', path: write(EVIL + script) }))
    expectStopped(error, message)
    expect(await state(db)).toEqual(before)
    expect(await seq(db)).toEqual(sequence)
    await server.dropDatabase(db)
  })

  it("nextval of the target's sequence: named (PostgreSQL does not roll it back), rows as before", async () => {
    const db = await target()
    const before = await state(db)
    // called by a CHECK as COPY loads the backup's own table (the text checks let that pass)
    const script = `${EVIL}CREATE FUNCTION public.nx(int) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE v int;
BEGIN
  EXECUTE 'SELECT nextval(''public.users' || '_id_seq'')' INTO v;
  RETURN true;
END $$;
CREATE TABLE public.mine3 (x int CHECK (public.nx(x)));
COPY public.mine3 (x) FROM stdin;
1
\\.
`
    const error = await failure(runRestore(db, { kind: 'file', path: write(script) }))
    expect(error?.message).toMatch(
      /public\.users_id_seq: its value moved from 2 \(to a value withheld from the log: code the load ran can choose it\) during the restore \(nextval or setval.*PostgreSQL does not roll a sequence back/
    )
    expect(await state(db)).toEqual(before)
    await server.dropDatabase(db)
  })

  it("a load that fails after moving the target's sequence back: set forward again, and said (attackers a29 A1, a30 A3, A4)", async () => {
    // the target's own schema, which the backup never names: no text check applies (the
    // backup goes where the target holds nothing), the net is armed
    const db = await server.createDatabase()
    await server.query(
      db,
      `CREATE SCHEMA billing; CREATE SEQUENCE billing.invoice_no; SELECT setval('billing.invoice_no', 5000);
       CREATE TABLE billing.invoices (id bigint DEFAULT nextval('billing.invoice_no'), amt int);
       INSERT INTO billing.invoices (amt) VALUES (1);
       CREATE SEQUENCE billing.countdown INCREMENT -1 MAXVALUE 1000 START 100; SELECT nextval('billing.countdown');
       CREATE SEQUENCE billing.restarted; ALTER SEQUENCE billing.restarted RESTART WITH 1000;
       CREATE TABLE billing.orders (id serial PRIMARY KEY, note text);
       INSERT INTO billing.orders (note) SELECT 'o' FROM generate_series(1, 3);`
    )
    const countdown = (): Promise<unknown> =>
      server.query(db, 'SELECT last_value, is_called FROM billing.countdown')
    expect(await next(db, 'billing.invoice_no')).toBe('5002')
    // a name no text check can read (a query over pg_class, in a CHECK's function the load runs:
    // code of its own pg_dump never writes, a DO block or a SELECT, is refused over kept rows
    // before anything runs), then an error: the net never runs
    /**
     * A script whose CHECK's function runs `sql` as the load writes its one row (code of its own
     * pg_dump never writes, a top-level SELECT, is refused over kept rows before anything runs),
     * then, with `fail`, a row COPY refuses: the load fails after `sql` ran.
     */
    const movedBy = (sql: string, fail: boolean): string =>
      `CREATE FUNCTION public.mv() RETURNS boolean LANGUAGE sql VOLATILE AS $$ ${sql}; SELECT true $$;
CREATE TABLE public.t (i int CHECK (public.mv()));
COPY public.t (i) FROM stdin;
1
\\.
${fail ? 'CREATE TABLE public.u (i int);\nCOPY public.u (i) FROM stdin;\nx\n\\.\n' : ''}`
    const script = movedBy(
      `SELECT pg_catalog.setval(c.oid, 1, false) FROM pg_catalog.pg_class c WHERE c.relkind = 'S' AND c.relname <> 'countdown'`,
      true
    )
    const restore = (text: string): Promise<Error | undefined> =>
      failure(runRestore(db, { kind: 'file', path: write(text) }, { allowNonEmpty: false }))
    const error = await restore(script)
    expect(error?.message).toMatch(/invalid input syntax for type integer/)
    expect(error?.message).toMatch(
      /moved 3 sequences of the target back, which a rollback does not undo \(PostgreSQL never rolls a sequence back\), and the action set them forward again: /
    )
    expect(error?.message).toMatch(
      /billing\.invoice_no \(from 5001 before the restore, to unset\): it hands out 5002 next/
    )
    // a30 A3: recorded unset (RESTART WITH 1000: is_called false)
    expect(error?.message).toMatch(
      /billing\.restarted \(handing out 1000 next before the restore, to unset\): it hands out 1000 next/
    )
    expect(error?.message).toMatch(/billing\.orders_id_seq \(from 3 before the restore/)
    expect(error?.message).toMatch(/Nothing else was kept/)
    expect(await next(db, 'billing.invoice_no')).toBe('5002')
    expect(await next(db, 'billing.restarted')).toBe('1000')
    expect(await next(db, 'billing.orders_id_seq')).toBe('4')
    expect(await server.query(db, "SELECT to_regclass('public.t') AS t")).toEqual([{ t: null }])
    // a31 A6: a sequence behind its column that the load did not move back is not touched
    await server.query(
      db,
      "INSERT INTO billing.orders (id, note) SELECT g, 'app' FROM generate_series(4, 150) g"
    )
    const other = await restore(
      movedBy(
        `SELECT pg_catalog.setval(c.oid, 2) FROM pg_catalog.pg_class c WHERE c.relname = 'invoice_no'`,
        true
      )
    )
    expect(other?.message).not.toMatch(/orders_id_seq/)
    expect(await next(db, 'billing.orders_id_seq')).toBe('4')
    expect(await next(db, 'billing.invoice_no')).toBe('5002')
    // a30 A4: moved back below where it stood, where its column holds higher values (the
    // application's rows) — set above them, not only to the value recorded before
    await server.query(db, "SELECT setval('billing.orders_id_seq', 10)")
    const ahead = await restore(
      movedBy(
        `SELECT pg_catalog.setval(c.oid, 5) FROM pg_catalog.pg_class c WHERE c.relname = 'orders_id_seq'`,
        true
      )
    )
    expect(ahead?.message).toMatch(
      /billing\.orders_id_seq \(from 10 before the restore, to 5; billing\.orders\.id holds values up to 150\): it hands out 151 next/
    )
    expect(await next(db, 'billing.orders_id_seq')).toBe('151')
    // a descending one moved up (to hand out 101 again…) is said with what to run, not set
    const up = await restore(
      movedBy(
        `SELECT pg_catalog.setval(c.oid, 150) FROM pg_catalog.pg_class c WHERE c.relname = 'countdown'`,
        true
      )
    )
    expect(up?.message).toMatch(
      /and the action did not set it again \(.*it descends.*\): billing\.countdown \(from 100 to 150\): set it again with SELECT pg_catalog\.setval\('billing\.countdown', 100\); unless the application used it since\. Nothing else was kept/
    )
    expect(await countdown()).toEqual([{ last_value: '150', is_called: true }])
    // moved forward (a gap, as any rolled-back nextval leaves): left where it is, not said
    const second = await restore(
      movedBy(
        `SELECT pg_catalog.setval(c.oid, 9000) FROM pg_catalog.pg_class c WHERE c.relname = 'invoice_no'`,
        true
      )
    )
    expect(second?.message).toMatch(/invalid input syntax for type integer.*Nothing was kept/)
    expect(second?.message).not.toMatch(/sequence/)
    expect(await next(db, 'billing.invoice_no')).toBe('9001')
    // the end-of-transaction net: named there, and set forward again too
    const third = await restore(
      movedBy(
        `SELECT pg_catalog.setval(c.oid, 2, true) FROM pg_catalog.pg_class c WHERE c.relname = 'invoice_no'`,
        false
      )
    )
    expect(third?.message).toMatch(
      /billing\.invoice_no: its value moved from 9000 \(to a value withheld/
    )
    expect(third?.message).toMatch(
      /set it forward again: billing\.invoice_no \(from 9000 before the restore, to 2\): it hands out 9001 next/
    )
    expect(await next(db, 'billing.invoice_no')).toBe('9001')
    await server.dropDatabase(db)
  })

  it('the same script restores into an empty database (nothing to protect)', async () => {
    const empty = await server.createDatabase()
    const { lines } = await logOf(() =>
      runRestore(empty, {
        kind: 'file',
        path: write(
          `${EVIL}/**/ CREATE TABLE public.t2 AS SELECT 1 AS x;\nINSERT INTO public.mine VALUES (7);`
        )
      })
    )
    expect(lines).toMatch(/The target holds no objects the backup does not own/)
    expect(await server.query(empty, 'SELECT x FROM public.mine')).toEqual([{ x: 7 }])
    await server.dropDatabase(empty)
  })
})

/**
 * attacker 9's carrier: SQL a backup's CHECK runs by EXECUTE while COPY loads its own table (the
 * text checks let that pass), inside the restore's transaction, before the net.
 */
function carrier(sql: string): string {
  return `CREATE FUNCTION public.ok(v int) RETURNS boolean LANGUAGE plpgsql AS $fn$
BEGIN
  EXECUTE '${sql.replace(/'/g, "''")}';
  RETURN true;
END $fn$;
CREATE TABLE public.mine (x int CHECK (public.ok(x)));
COPY public.mine (x) FROM stdin;
1
\\.
`
}

/** The target's own trigger, function and another role's view of what a backup could change. */
const TARGET_EXTRA = `CREATE EXTENSION IF NOT EXISTS pgcrypto;
  CREATE FUNCTION public.is_admin(u text) RETURNS boolean LANGUAGE sql AS $$ SELECT u = 'alice' $$;
  CREATE FUNCTION public.audit_f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO public.audit VALUES (NEW.name); RETURN NEW; END $$;
  CREATE TRIGGER audit_t AFTER UPDATE ON public.users FOR EACH ROW EXECUTE FUNCTION public.audit_f();
  CREATE TYPE public.mood AS ENUM ('ok', 'sad');
  CREATE DOMAIN public.email AS text CONSTRAINT email_at CHECK (VALUE LIKE '%@%');
  CREATE TYPE public.pair AS (a int, b int);
  CREATE TYPE public.span AS RANGE (subtype = int4);
  CREATE FUNCTION public.same_text(a text, b text) RETURNS boolean LANGUAGE sql AS $$ SELECT a = b $$;
  CREATE OPERATOR public.=== (LEFTARG = text, RIGHTARG = text, FUNCTION = public.same_text);`

/** What the net reads beyond state(): settings, trigger states, large objects' rows, functions. */
async function more(db: string): Promise<unknown> {
  const [row] = await server.query(
    db,
    `SELECT
      (SELECT json_agg(json_build_object('t', t.tgname, 'on', t.tgenabled) ORDER BY t.tgname) FROM pg_trigger t WHERE NOT t.tgisinternal) AS triggers,
      (SELECT json_agg(json_build_object('oid', m.oid, 'acl', m.lomacl::text) ORDER BY m.oid) FROM pg_largeobject_metadata m) AS los,
      (SELECT encode(lo_get(424242), 'escape')) AS blob,
      (SELECT json_agg(s.setconfig) FROM pg_db_role_setting s) AS settings,
      (SELECT json_agg(json_build_object('p', p.proname, 'def', p.prosecdef, 'acl', p.proacl::text) ORDER BY p.proname) FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace) AS functions,
      (SELECT nspacl::text FROM pg_namespace WHERE nspname = 'private') AS private_acl,
      (SELECT count(*) FROM pg_default_acl) AS default_acls,
      (SELECT count(*) FROM pg_publication) AS publications,
      (SELECT relreplident FROM pg_class WHERE oid = 'public.users'::regclass) AS replident,
      (SELECT col_description('public.users'::regclass, 2)) AS column_comment,
      (SELECT json_agg(json_build_object('t', t.typname, 'acl', t.typacl::text, 'owner', t.typowner, 'default', t.typdefault) ORDER BY t.typname) FROM pg_type t WHERE t.typnamespace = 'public'::regnamespace) AS types,
      (SELECT json_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = 'public.mood'::regtype) AS mood,
      (SELECT json_agg(c.conname ORDER BY c.conname) FROM pg_constraint c WHERE c.contypid <> 0) AS domain_constraints,
      (SELECT json_agg(a.attname ORDER BY a.attnum) FROM pg_attribute a WHERE a.attrelid = 'public.pair'::regclass) AS pair,
      (SELECT json_agg(json_build_object('o', o.oprname, 'rest', o.oprrest, 'com', o.oprcom)) FROM pg_operator o WHERE o.oprnamespace = 'public'::regnamespace) AS operators,
      (SELECT count(*) FROM pg_depend d WHERE d.deptype IN ('e', 'x') AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pgcrypto')) AS pgcrypto_members`
  )
  return row
}

describe('allow-non-empty: what the net misses no more (attacker 9)', () => {
  /** [name, script, what the error must say]. */
  const CASES: Array<[string, string, RegExp]> = [
    [
      'F1: a deferred constraint trigger created by the backup would run at COMMIT, after the check',
      `CREATE FUNCTION public.evil() RETURNS int LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'DEL' || 'ETE FROM public.users'; RETURN 1; END $$;
CREATE TABLE public.queue (x int);
CREATE FUNCTION public.q() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM public.evil(); RETURN NULL; END $$;
${carrier('CREATE CONSTRAINT TRIGGER qt AFTER INSERT ON public.queue DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.q(); INSERT INTO public.queue VALUES (1)')}`,
      /public\.users: 2 rows deleted|deferrable trigger qt on public\.queue/
    ],
    [
      'F1: a deferred trigger that defers itself again when SET CONSTRAINTS ALL IMMEDIATE fires it',
      `CREATE TABLE public.queue (x int);
CREATE FUNCTION public.q() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.x = 1 THEN EXECUTE 'SET CONSTRAINTS ALL DEFERRED'; EXECUTE 'INSERT INTO public.queue VALUES (2)';
  ELSE EXECUTE 'DEL' || 'ETE FROM public.users'; END IF;
  RETURN NULL;
END $$;
${carrier('CREATE CONSTRAINT TRIGGER qt AFTER INSERT ON public.queue DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.q(); INSERT INTO public.queue VALUES (1)')}`,
      /deferrable trigger qt on public\.queue: created by the restore/
    ],
    [
      "F2: the target's trigger disabled",
      carrier('ALTER TABLE public.users DISABLE TRIGGER audit_t'),
      /public\.users: its triggers changed \(disabled/
    ],
    [
      "F3: the target's sequence set, then DISCARD SEQUENCES",
      carrier("SELECT pg_catalog.setval('public.users_id_seq', 2147483647); DISCARD SEQUENCES"),
      /public\.users_id_seq: its value moved from 2 \(to a value withheld from the log/
    ],
    [
      "F3c: the target's sequence set back with is_called false",
      carrier("SELECT pg_catalog.setval('public.users_id_seq', 1, false)"),
      /public\.users_id_seq: its value moved from 2 to unset/
    ],
    [
      "F4: the target's large object unlinked and created again with other content",
      carrier(
        "SELECT pg_catalog.lo_unlink(424242); SELECT pg_catalog.lo_from_bytea(424242, 'forged')"
      ),
      /large object 424242: unlinked and created again, or its owner, privileges or comment changed/
    ],
    [
      "F5: the target's large object granted to PUBLIC",
      carrier('GRANT SELECT ON LARGE OBJECT 424242 TO PUBLIC'),
      /large object 424242: unlinked and created again, or its owner, privileges or comment changed/
    ],
    [
      "the target's large object's comment changed (attacker a103)",
      carrier("COMMENT ON LARGE OBJECT 424242 IS 'pwned'"),
      /large object 424242: unlinked and created again, or its owner, privileges or comment changed/
    ],
    [
      "a104 G2: the target's large object written in place by a CHECK's function as COPY loads a row",
      carrier("SELECT pg_catalog.lo_put(424242, 0, '\\x5858'::bytea)"),
      /large object 424242: content written/
    ],
    [
      'every large object of the target written in place, no OID named anywhere (a104 G2)',
      carrier(
        "SELECT pg_catalog.lo_put(m.oid, 4, 'pwned'::bytea) FROM pg_catalog.pg_largeobject_metadata m"
      ),
      /large object 424242: content written/
    ],
    [
      "the target's large object cut short by lo_truncate through lo_open (a write the metadata row does not show)",
      carrier('SELECT pg_catalog.lo_truncate(pg_catalog.lo_open(424242, 131072), 3)'),
      /large object 424242: content written/
    ],
    [
      "a105 H1: a CHECK's function copies the target's large object's content into the backup's table granted to PUBLIC",
      `CREATE TABLE public.leak (b bytea);
GRANT SELECT ON public.leak TO PUBLIC;
CREATE FUNCTION public.chk(i int) RETURNS boolean LANGUAGE plpgsql AS $f$
BEGIN
  INSERT INTO public.leak SELECT pg_catalog.loread(pg_catalog.lo_open(m.oid, 262144), 100000) FROM pg_catalog.pg_largeobject_metadata m;
  RETURN true;
END $f$;
CREATE TABLE public.t2 (id int CHECK (public.chk(id)));
COPY public.t2 (id) FROM stdin;
1
\\.
`,
      /the target's large objects: the backup's function public\.chk\(integer\) reads their content \(lo_get, loread or lo_export\): run as the rows load, it could copy it into the backup's tables/
    ],
    [
      "a BEGIN ATOMIC function of the backup, run by a CHECK, copies the target's large objects (attacker a107 G1)",
      `CREATE TABLE public.leak (b bytea);
CREATE FUNCTION public.cp(i int) RETURNS boolean LANGUAGE sql BEGIN ATOMIC INSERT INTO public.leak SELECT pg_catalog.lo_get(m.oid) FROM pg_catalog.pg_largeobject_metadata m; SELECT true; END;
CREATE TABLE public.t3 (id int CHECK (public.cp(id)));
COPY public.t3 (id) FROM stdin;
1
\\.
`,
      /the target's large objects: the backup's function public\.cp\(integer\) reads their content/
    ],
    [
      "a materialized view of the backup that reads the target's large objects (a105 H1)",
      `CREATE MATERIALIZED VIEW public.mv AS SELECT pg_catalog.lo_get(m.oid) AS b FROM pg_catalog.pg_largeobject_metadata m;
GRANT SELECT ON public.mv TO PUBLIC;`,
      /the target's large objects: the backup's materialized view public\.mv reads their content/
    ],
    [
      'F6: ALTER DATABASE … SET search_path, read by every later session',
      carrier(
        "SELECT 1; DO $d$ BEGIN EXECUTE format('ALTER DATABASE %I SET search_path = evil, public', current_database()); END $d$"
      ),
      /the database: its settings or options changed/
    ],
    [
      'F6: ALTER ROLE CURRENT_USER SET …',
      carrier('ALTER ROLE CURRENT_USER SET default_transaction_read_only = on'),
      /the database: its settings or options changed/
    ],
    [
      'F10: a table the backup fills gets a trigger and a grant',
      `CREATE FUNCTION public.bd() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN DELETE FROM public.users; RETURN NEW; END $$;
${carrier('CREATE TRIGGER bd AFTER INSERT ON public.audit FOR EACH ROW EXECUTE FUNCTION public.bd(); GRANT ALL ON public.audit TO PUBLIC')}
COPY public.audit (x) FROM stdin;
filled
\\.
`,
      /public\.audit: (its privileges changed|gets a trigger)/
    ],
    [
      "F7: the target's schema granted to PUBLIC",
      carrier('GRANT ALL ON SCHEMA private TO PUBLIC'),
      /schema private: gets privileges granted to PUBLIC/
    ],
    [
      "F7: the target's function made SECURITY DEFINER and granted",
      carrier('ALTER FUNCTION public.is_admin(text) SECURITY DEFINER'),
      /function public\.is_admin\(u text\): its definition, owner, privileges or settings changed/
    ],
    [
      "F7: the target's function replaced (CREATE OR REPLACE)",
      carrier(
        "CREATE OR REPLACE FUNCTION public.is_admin(u text) RETURNS boolean LANGUAGE sql AS 'SELECT true'"
      ),
      /function public\.is_admin\(u text\): its definition/
    ],
    [
      "F7: default privileges of the target's owner",
      carrier('ALTER DEFAULT PRIVILEGES GRANT ALL ON TABLES TO PUBLIC'),
      /default privileges of the target's owners changed/
    ],
    [
      "attacker 9 enum: the target's enum value renamed",
      carrier("ALTER TYPE public.mood RENAME VALUE 'sad' TO 'happy'"),
      /type public\.mood: its definition, values, constraints, owner or privileges changed/
    ],
    [
      "the target's enum gets a value",
      carrier("ALTER TYPE public.mood ADD VALUE 'angry'"),
      /type public\.mood: its definition, values/
    ],
    [
      "the target's domain loses its CHECK",
      carrier('ALTER DOMAIN public.email DROP CONSTRAINT email_at'),
      /type public\.email: its definition, values, constraints/
    ],
    [
      "the target's domain gets a DEFAULT",
      carrier("ALTER DOMAIN public.email SET DEFAULT 'x@y'"),
      /type public\.email: its definition/
    ],
    [
      "the target's composite type gets an attribute",
      carrier('ALTER TYPE public.pair ADD ATTRIBUTE c int'),
      /type public\.pair: its definition/
    ],
    [
      "the target's type revoked from PUBLIC",
      carrier('REVOKE USAGE ON TYPE public.span FROM PUBLIC'),
      /type public\.span: its definition, values, constraints, owner or privileges changed/
    ],
    [
      "the target's operator altered",
      carrier('ALTER OPERATOR public.=== (text, text) SET (RESTRICT = eqsel)'),
      /operator public\.===\(text,text\): its definition changed/
    ],
    [
      "an operator of the backup's naming the target's as its commutator",
      `CREATE FUNCTION public.same_text_r(a text, b text) RETURNS boolean LANGUAGE sql AS $$ SELECT a = b $$;
CREATE OPERATOR public.!== (LEFTARG = text, RIGHTARG = text, FUNCTION = public.same_text_r, NEGATOR = OPERATOR(public.===));`,
      /operator public\.===\(text,text\): its definition changed/
    ],
    [
      "a10 #7: the target's table made a member of an extension (pg_dump would leave it out)",
      carrier('ALTER EXTENSION pgcrypto ADD TABLE private.secrets'),
      /an extension dependency was added or removed/
    ],
    [
      "a10 #10: the target's index and function made to depend on an extension",
      carrier(
        'ALTER INDEX public.users_pkey DEPENDS ON EXTENSION pgcrypto; ALTER FUNCTION public.is_admin(text) DEPENDS ON EXTENSION pgcrypto'
      ),
      /an extension dependency was added or removed/
    ],
    [
      "F7: the target's table in a publication",
      carrier('CREATE PUBLICATION leak FOR TABLE public.users, private.secrets'),
      /public\.users: is added to a publication/
    ],
    [
      'F2: REPLICA IDENTITY FULL',
      carrier('ALTER TABLE public.users REPLICA IDENTITY FULL'),
      /public\.users: its table options changed/
    ],
    [
      'F2: a column comment',
      carrier("COMMENT ON COLUMN public.users.name IS 'owned'"),
      /public\.users: its comment or a column comment changed/
    ],
    [
      "F12: a foreign key of the backup's table onto the target's table ON DELETE CASCADE (plain text)",
      `CREATE TABLE public.orders (id int PRIMARY KEY, user_id int);
ALTER TABLE ONLY public.orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;`,
      /public\.users: the foreign key orders_user_fk of public\.orders references it ON DELETE\/UPDATE with an action that writes/
    ],
    [
      "F17: a view of the backup's over the target's table, granted to PUBLIC (plain text)",
      `CREATE VIEW public.stats AS SELECT s.s FROM private.secrets s;
GRANT SELECT ON TABLE public.stats TO PUBLIC;`,
      /private\.secrets: the view public\.stats reads it and is granted to other roles/
    ]
  ]

  it.each(CASES)('%s', async (_name, script, message) => {
    const db = await target()
    await server.query(db, TARGET_EXTRA)
    const before = [await state(db), await more(db)]
    const sequence = await seq(db)
    const error = await failure(runRestore(db, { kind: 'file', path: write(script) }))
    expectStopped(error, message)
    if (error && /^the restore changed objects/.test(error.message))
      expect(error.message).toMatch(message)
    expect([await state(db), await more(db)]).toEqual(before)
    // a sequence is not rolled back: those cases name it (above), the others leave it alone;
    // one moved back is set again by the action (a29 A1)
    if (!/users_id_seq/.test(message.source)) expect(await seq(db)).toEqual(sequence)
    // set forward again: it hands out what it handed out next before
    if (/to unset/.test(message.source)) expect(await next(db, 'public.users_id_seq')).toBe('3')
    await server.dropDatabase(db)
  })

  it('F16: a WITH HOLD cursor declared by a column DEFAULT’s function (SQL built at run time) that COPY evaluates: refused by the net like a CHECK’s (attacker a95 F10), the target unchanged', async () => {
    const db = await target()
    const before = await state(db)
    // the CHECK carrier and now the DEFAULT one are followed routes: whatever the cursor's query
    // would do at COMMIT, the function that declares it runs SQL built at run time
    const error = await failure(
      runRestore(db, {
        kind: 'file',
        path: write(`CREATE FUNCTION public.evil() RETURNS int LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'DEL' || 'ETE FROM public.users'; RETURN 1; END $$;
${carrier('DECLARE c CURSOR WITH HOLD FOR SELECT public.evil()').replace('(x int CHECK (public.ok(x)))', '(x int, ok boolean DEFAULT public.ok(0))')}`)
      })
    )
    expect(error?.message).toContain(
      'the DEFAULT of column ok of public.mine runs the function public.ok(integer)'
    )
    expect(error?.message).toContain('runs SQL it builds at run time')
    expect(await state(db)).toEqual(before)
    expect(await server.query(db, "SELECT to_regclass('public.mine') AS t")).toEqual([{ t: null }])
    await server.dropDatabase(db)
  })

  it("a view of the backup's over the target's table, not granted to others, and a key with NO ACTION restore", async () => {
    const db = await target()
    await server.query(db, TARGET_EXTRA)
    await runRestore(db, {
      kind: 'file',
      path: write(`CREATE VIEW public.names AS SELECT u.name FROM public.users u;
CREATE TABLE public.orders (id int PRIMARY KEY, user_id int REFERENCES public.users(id));
COPY public.orders (id, user_id) FROM stdin;
1	1
\\.
`)
    })
    expect(await server.query(db, 'SELECT name FROM public.names ORDER BY 1')).toEqual([
      { name: 'alice' },
      { name: 'bob' }
    ])
    await server.dropDatabase(db)
  })

  it('F15: without allow-non-empty, into a target whose other schema holds rows, the net runs too', async () => {
    const db = await server.createDatabase()
    await server.query(
      db,
      `CREATE SCHEMA private; CREATE TABLE private.secrets (s text); INSERT INTO private.secrets VALUES ('key');`
    )
    const error = await failure(
      harness.restore(
        testRestoreInputs(server.url(db), {
          kind: 'file',
          // the table's name is built: the backup's text names nothing in private
          path: write(`CREATE FUNCTION public.ok(v int) RETURNS boolean LANGUAGE plpgsql AS $fn$
BEGIN
  EXECUTE 'UPDATE pri' || 'vate.sec' || 'rets SET s = ''pwned''';
  RETURN true;
END $fn$;
CREATE TABLE public.mine (x int CHECK (public.ok(x)));
COPY public.mine (x) FROM stdin;
1
\\.
`)
        })
      )
    )
    expect(error?.message).toMatch(
      /private\.secrets: 1 row updated by the restore's own transaction/
    )
    expect(await server.query(db, 'SELECT s FROM private.secrets')).toEqual([{ s: 'key' }])
    await server.dropDatabase(db)
  })
})

/**
 * The target's catalog objects beyond its relations, functions, types, operators and schemas (a10
 * #4, #8, #9, #10b): a publication and its tables, an extension, text search objects, a
 * collation, a conversion, a cast, an operator family, a foreign-data wrapper's server and its
 * user mapping, and the comments of all of them.
 */
const TARGET_CATALOG = `CREATE EXTENSION IF NOT EXISTS pgcrypto SCHEMA public;
  CREATE FUNCTION public.tf() RETURNS int LANGUAGE sql AS 'SELECT 1';
  COMMENT ON FUNCTION public.tf() IS 'original';
  CREATE PUBLICATION pub FOR TABLE public.users;
  CREATE TEXT SEARCH CONFIGURATION public.mycfg (COPY = english);
  CREATE TEXT SEARCH DICTIONARY public.mydict (TEMPLATE = simple, STOPWORDS = english);
  CREATE COLLATION public.mycoll (provider = libc, locale = 'C');
  CREATE CONVERSION public.myconv FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8;
  CREATE TYPE public.cents AS (v int);
  CREATE FUNCTION public.to_cents(int) RETURNS public.cents LANGUAGE sql AS 'SELECT ROW($1)::public.cents';
  CREATE CAST (int AS public.cents) WITH FUNCTION public.to_cents(int);
  CREATE OPERATOR FAMILY public.myfam USING btree;
  ALTER OPERATOR FAMILY public.myfam USING btree ADD FUNCTION 1 (int4, int4) btint4cmp(int4, int4);
  CREATE FOREIGN DATA WRAPPER mywrapper;
  CREATE SERVER mysrv FOREIGN DATA WRAPPER mywrapper OPTIONS (host 'db.internal');
  CREATE USER MAPPING FOR CURRENT_USER SERVER mysrv OPTIONS (user 'app');
  CREATE FUNCTION public.on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;
  CREATE EVENT TRIGGER guard ON ddl_command_end EXECUTE FUNCTION public.on_ddl();`

/** Those objects as the catalogs hold them (what a refused restore must leave as it was). */
async function catalogObjects(db: string): Promise<unknown> {
  const [row] = await server.query(
    db,
    `SELECT
      (SELECT json_agg(to_jsonb(p) ORDER BY p.pubname) FROM pg_publication p) AS publications,
      (SELECT json_agg(json_build_object('t', r.prrelid::regclass::text, 'qual', pg_get_expr(r.prqual, r.prrelid))) FROM pg_publication_rel r) AS published,
      (SELECT json_agg(json_build_object('e', e.extname, 's', e.extnamespace::regnamespace::text, 'v', e.extversion,
         'members', (SELECT count(*) FROM pg_depend d WHERE d.refobjid = e.oid AND d.deptype = 'e')) ORDER BY e.extname) FROM pg_extension e) AS extensions,
      (SELECT json_agg(json_build_object('o', d.objoid, 'c', d.classoid::regclass::text, 'd', d.description) ORDER BY d.classoid, d.objoid, d.objsubid) FROM pg_description d WHERE d.objoid >= 16384) AS comments,
      (SELECT array_to_string(tsvector_to_array(to_tsvector('public.mycfg', 'hello world')), ' ')) AS mycfg,
      (SELECT count(*) FROM pg_ts_config_map m WHERE m.mapcfg = 'public.mycfg'::regconfig) AS mappings,
      (SELECT dictinitoption FROM pg_ts_dict WHERE dictname = 'mydict') AS mydict,
      (SELECT json_agg(collname ORDER BY collname) FROM pg_collation WHERE collnamespace = 'public'::regnamespace) AS collations,
      (SELECT json_agg(conname ORDER BY conname) FROM pg_conversion WHERE connamespace = 'public'::regnamespace) AS conversions,
      (SELECT json_agg(to_jsonb(c) ORDER BY c.oid) FROM pg_cast c WHERE c.oid >= 16384) AS casts,
      (SELECT count(*) FROM pg_amproc a JOIN pg_opfamily f ON f.oid = a.amprocfamily WHERE f.opfname = 'myfam') AS myfam,
      (SELECT srvoptions FROM pg_foreign_server WHERE srvname = 'mysrv') AS mysrv,
      (SELECT json_agg(umoptions) FROM pg_user_mappings WHERE srvname = 'mysrv') AS mappings_of_mysrv,
      (SELECT evtenabled FROM pg_event_trigger WHERE evtname = 'guard') AS guard`
  )
  return row
}

describe("allow-non-empty: the target's other catalog objects are the net's too (a10 #4, #8, #9, #10b)", () => {
  /** [name, script, what the error must say]. */
  const CASES: Array<[string, string, RegExp]> = [
    [
      "a10 #4: a row filter on the target's publication's table",
      'ALTER PUBLICATION pub SET TABLE public.users WHERE (id < 0);',
      /publication pub: its tables changed \(ALTER PUBLICATION … ADD, SET or DROP TABLE, a row filter or column list\)/
    ],
    [
      "a10 #4: the target's publication publishes inserts only",
      "ALTER PUBLICATION pub SET (publish = 'insert');",
      /publication pub: its options or owner changed/
    ],
    [
      "a10 #4: the target's publication renamed",
      'ALTER PUBLICATION pub RENAME TO pub_old;',
      /publication pub: renamed \(its new name is withheld from the log/
    ],
    [
      "a column list on the target's publication's table",
      'ALTER PUBLICATION pub SET TABLE public.users (id);',
      /publication pub: its tables changed/
    ],
    [
      "a10 #8: the target's text search configuration loses its mappings",
      'ALTER TEXT SEARCH CONFIGURATION public.mycfg DROP MAPPING FOR asciiword, word, numword, asciihword, hword;',
      /text search configuration public\.mycfg: its token mappings changed/
    ],
    [
      "a10 #8: the target's text search dictionary gets other options",
      'ALTER TEXT SEARCH DICTIONARY public.mydict (STOPWORDS = russian);',
      /text search dictionary public\.mydict: its definition, options, owner or privileges changed/
    ],
    [
      "the target's collation renamed",
      'ALTER COLLATION public.mycoll RENAME TO othercoll;',
      /collation public\.mycoll: renamed \(its new name is withheld from the log/
    ],
    [
      "the target's conversion commented",
      "COMMENT ON CONVERSION public.myconv IS 'changed by backup';",
      /conversion public\.myconv: its comment changed \(COMMENT ON\)/
    ],
    [
      "a10 #9: the comment of the target's function",
      "COMMENT ON FUNCTION public.tf() IS 'changed by backup';",
      /function public\.tf\(\): its comment changed \(COMMENT ON\)/
    ],
    [
      "the comment of the target's type",
      "COMMENT ON TYPE public.cents IS 'changed by backup';",
      /type public\.cents: its comment changed/
    ],
    [
      "a10 #10b: the target's extension moved to another schema",
      'CREATE SCHEMA loot; ALTER EXTENSION pgcrypto SET SCHEMA loot;',
      /extension pgcrypto: its schema, version, owner or configuration tables changed/
    ],
    [
      // built at run time: the statement itself is refused before anything runs (attacker a88 F2)
      "the target's extension loses a member (its function becomes a plain one pg_dump would dump)",
      `CREATE FUNCTION public.f_ext(int) RETURNS boolean LANGUAGE plpgsql AS $$BEGIN EXECUTE 'ALTER EXTENSION pgcrypto ' || 'DROP FUNCTION public.gen_random_uuid()'; RETURN true; END$$;
CREATE TABLE public.mine_ext (x int CHECK (public.f_ext(x)));
COPY public.mine_ext (x) FROM stdin;
1
\\.
`,
      /extension pgcrypto: its members changed/
    ],
    [
      "the target's cast dropped",
      'DROP CAST (int AS public.cents);',
      /cast \(integer AS public\.cents\): dropped/
    ],
    [
      "the target's operator family loses a support function",
      'ALTER OPERATOR FAMILY public.myfam USING btree DROP FUNCTION 1 (int4, int4);',
      /operator family public\.myfam: its operators or support functions changed/
    ],
    [
      "the target's foreign server pointed at another host",
      "ALTER SERVER mysrv OPTIONS (SET host 'evil.example');",
      /server mysrv: its definition, options, owner or privileges changed/
    ],
    [
      "the target's event trigger disabled",
      'ALTER EVENT TRIGGER guard DISABLE;',
      /event trigger guard: its definition, options, owner or privileges changed/
    ],
    [
      "the target's user mapping gets a password",
      "ALTER USER MAPPING FOR CURRENT_USER SERVER mysrv OPTIONS (ADD password 'x');",
      /server mysrv: its user mappings changed/
    ]
  ]

  it.each(CASES)('%s', async (_name, script, message) => {
    const db = await target()
    await server.query(db, TARGET_CATALOG)
    const before = [await state(db), await catalogObjects(db)]
    const error = await failure(runRestore(db, { kind: 'file', path: write(script) }))
    expect(error?.message).toMatch(
      /^the restore changed objects of the target that the backup does not own — /
    )
    expect(error?.message).toMatch(message)
    expect(error?.message).toMatch(/it was rolled back, nothing was restored/)
    expect([await state(db), await catalogObjects(db)]).toEqual(before)
    await server.dropDatabase(db)
  })

  /** a11: [name, the target's object, script, what the error must say]. */
  const MORE: Array<[string, string, string, RegExp]> = [
    [
      "a11 #1: CREATE OR REPLACE AGGREGATE of the target's aggregate",
      "CREATE AGGREGATE public.tagg(int) (SFUNC = int4pl, STYPE = int, INITCOND = '0');",
      "CREATE OR REPLACE AGGREGATE public.tagg(int) (SFUNC = int4pl, STYPE = int, INITCOND = '1000');",
      /function public\.tagg\(integer\): its aggregate definition changed/
    ],
    [
      "a11 #4: the target's foreign table reads another file",
      "CREATE FOREIGN DATA WRAPPER w2; CREATE SERVER s2 FOREIGN DATA WRAPPER w2; CREATE FOREIGN TABLE public.ext (line text) SERVER s2 OPTIONS (filename '/tmp/app.csv');",
      "ALTER FOREIGN TABLE public.ext OPTIONS (SET filename '/etc/hostname');",
      /public\.ext: its foreign-table options or server changed/
    ],
    [
      "a11 #5: the comment of the target's trigger",
      'CREATE FUNCTION public.noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$; CREATE TRIGGER t_noop BEFORE INSERT ON public.users FOR EACH ROW EXECUTE FUNCTION public.noop();',
      "COMMENT ON TRIGGER t_noop ON public.users IS 'changed by backup';",
      /public\.users: its triggers changed/
    ],
    [
      "a11 #5: the comment of the target's index",
      'CREATE INDEX users_name_idx ON public.users (name);',
      "COMMENT ON INDEX public.users_name_idx IS 'changed by backup';",
      /public\.users: its indexes changed/
    ]
  ]

  it.each(MORE)('%s', async (_name, setup, script, message) => {
    const db = await target()
    await server.query(db, setup)
    const before = await state(db)
    const error = await failure(runRestore(db, { kind: 'file', path: write(script) }))
    expect(error?.message).toMatch(
      /^the restore changed objects of the target that the backup does not own — /
    )
    expect(error?.message).toMatch(message)
    expect(await state(db)).toEqual(before)
    await server.dropDatabase(db)
  })

  it("a10 #10b: ALTER EXTENSION … UPDATE of the target's extension", async () => {
    const db = await target()
    await server.query(db, "CREATE EXTENSION hstore VERSION '1.4'")
    const error = await failure(
      runRestore(db, { kind: 'file', path: write('ALTER EXTENSION hstore UPDATE;') })
    )
    expect(error?.message).toMatch(
      /^the restore changed objects of the target that the backup does not own — extension hstore: its schema, version, owner or configuration tables changed \(ALTER EXTENSION … SET SCHEMA or UPDATE\)/
    )
    expect(
      await server.query(db, "SELECT extversion FROM pg_extension WHERE extname = 'hstore'")
    ).toEqual([{ extversion: '1.4' }])
    await server.dropDatabase(db)
  })

  it("an extension's comment as another version's pg_dump writes it, next to the target's extension, restores", async () => {
    const db = await target()
    await server.query(db, TARGET_CATALOG)
    await runRestore(db, {
      kind: 'file',
      path: write(`CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;
COMMENT ON EXTENSION pgcrypto IS 'cryptographic functions (as another version says it)';`)
    })
    expect(
      await server.query(
        db,
        "SELECT obj_description(oid, 'pg_extension') AS comment FROM pg_extension WHERE extname = 'pgcrypto'"
      )
    ).toEqual([{ comment: 'cryptographic functions (as another version says it)' }])
    await server.dropDatabase(db)
  })

  it('the same statements hidden in a function the backup runs as its data loads: refused too', async () => {
    const db = await target()
    await server.query(db, TARGET_CATALOG)
    const before = await catalogObjects(db)
    const error = await failure(
      runRestore(db, {
        kind: 'file',
        path: write(
          carrier(
            "COMMENT ON PUBLICATION pub IS 'x'; ALTER TEXT SEARCH CONFIGURATION public.mycfg DROP MAPPING FOR word"
          )
        )
      })
    )
    expect(error?.message).toMatch(
      /publication pub: its comment changed \(COMMENT ON\); text search configuration public\.mycfg: its token mappings changed/
    )
    expect(await catalogObjects(db)).toEqual(before)
    await server.dropDatabase(db)
  })

  it("a backup's own publication, text search configuration, cast and comments restore next to the target's; its own table joins the target's publication of that name", async () => {
    const source = await server.createDatabase()
    await server.query(
      source,
      `CREATE TABLE public.mine (x int);
       INSERT INTO public.mine VALUES (1);
       CREATE PUBLICATION mypub FOR TABLE public.mine WITH (publish = 'insert');
       CREATE PUBLICATION pub FOR TABLE public.mine;
       COMMENT ON PUBLICATION mypub IS 'mine';
       CREATE TEXT SEARCH CONFIGURATION public.mycfg2 (COPY = english);
       ALTER TEXT SEARCH CONFIGURATION public.mycfg2 DROP MAPPING FOR asciiword;
       CREATE TYPE public.points AS (v int);
       CREATE FUNCTION public.to_points(int) RETURNS public.points LANGUAGE sql AS 'SELECT ROW($1)::public.points';
       COMMENT ON FUNCTION public.to_points(int) IS 'mine';
       CREATE CAST (int AS public.points) WITH FUNCTION public.to_points(int);
       COMMENT ON CAST (int AS public.points) IS 'mine';`
    )
    const dumped = file('own-catalog', 'sql')
    await pgDump(source, ['-Fp', '-f', dumped])
    const db = await target()
    await server.query(db, TARGET_CATALOG)
    const before = await catalogObjects(db)
    await runRestore(db, { kind: 'file', path: dumped })
    expect(
      await server.query(
        db,
        `SELECT (SELECT pubinsert::text || pubupdate::text FROM pg_publication WHERE pubname = 'mypub') AS pub,
           (SELECT count(*)::int FROM pg_publication_rel WHERE prrelid = 'public.mine'::regclass) AS published,
           obj_description('public.to_points(int)'::regprocedure, 'pg_proc') AS comment,
           (1::int::public.points)::text AS cast,
           array_to_string(tsvector_to_array(to_tsvector('public.mycfg2', 'hello 42')), ' ') AS ts`
      )
    ).toEqual([{ pub: 'truefalse', published: 2, comment: 'mine', cast: '(1)', ts: '42' }])
    // the target's own as they were, but the backup's publication and comments next to them
    const after = (await catalogObjects(db)) as Record<string, unknown>
    const was = before as Record<string, unknown>
    for (const k of [
      'extensions',
      'mycfg',
      'mappings',
      'mydict',
      'collations',
      'conversions',
      'myfam',
      'mysrv'
    ])
      expect(after[k]).toEqual(was[k])
    expect(await server.query(db, `SELECT pubname FROM pg_publication ORDER BY 1`)).toEqual([
      { pubname: 'mypub' },
      { pubname: 'pub' }
    ])
    // the target's pub (its CREATE skipped: it exists) publishes the backup's table too, as a
    // provider's publication (supabase_realtime) takes the tables of the backup that named them
    expect(
      await server.query(
        db,
        `SELECT r.prrelid::regclass::text AS t FROM pg_publication_rel r JOIN pg_publication p ON p.oid = r.prpubid WHERE p.pubname = 'pub' ORDER BY 1`
      )
    ).toEqual([{ t: 'mine' }, { t: 'users' }])
    await server.dropDatabase(db)
    await server.dropDatabase(source)
  })

  it('a database holding them restores over itself: -Fc with clean: true, and its pg_dump --clean --if-exists script with clean: true', async () => {
    const source = await target()
    await server.query(source, TARGET_CATALOG)
    const archive = file('catalog', 'dump')
    await pgDump(source, ['-Fc', '-f', archive])
    const script = file('catalog-clean', 'sql')
    await pgDump(source, ['-Fp', '--clean', '--if-exists', '-f', script])
    const db = await server.createDatabase()
    await runRestore(db, { kind: 'file', path: archive }, { allowNonEmpty: false })
    const first = await catalogObjects(db)
    const rows = await server.query(db, 'SELECT * FROM public.users ORDER BY id')
    expect(rows).toHaveLength(2)
    const { lines } = await logOf(() =>
      runRestore(db, { kind: 'file', path: archive }, { allowNonEmpty: false, clean: true })
    )
    // the backup's own objects that clean replaces are not counted as the target's own (trial
    // u16 F2)
    expect(lines).toMatch(
      /The target holds (?:no objects|1 schema \(public\)) the backup does not own, besides \d+ relations(?: \([^)]*\))?, [^:]*the backup replaces: the restore's transaction ends with the check/
    )
    // the script's own DROP TABLE would delete the target's rows: clean: true, not allow-non-empty alone
    expect((await failure(runRestore(db, { kind: 'file', path: script })))?.message).toMatch(
      /creates 2 tables named as tables of the target database '\w+' that hold rows: private\.secrets \(1 row\), public\.users \(2 rows\)/
    )
    await runRestore(db, { kind: 'file', path: script }, { clean: true })
    // the same objects again (new OIDs: compared by what they say)
    const again = (await catalogObjects(db)) as Record<string, unknown>
    const was = first as Record<string, unknown>
    for (const k of [
      'mycfg',
      'mappings',
      'mydict',
      'collations',
      'conversions',
      'myfam',
      'mysrv',
      'mappings_of_mysrv',
      'guard'
    ])
      expect(again[k]).toEqual(was[k])
    expect(
      await server.query(
        db,
        `SELECT (SELECT count(*)::int FROM pg_publication_rel r JOIN pg_publication p ON p.oid = r.prpubid WHERE p.pubname = 'pub' AND r.prrelid = 'public.users'::regclass) AS published,
           obj_description('public.tf()'::regprocedure, 'pg_proc') AS comment,
           (SELECT count(*)::int FROM pg_cast WHERE casttarget = 'public.cents'::regtype) AS casts,
           (SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pgcrypto') AS pgcrypto`
      )
    ).toEqual([{ published: 1, comment: 'original', casts: 1, pgcrypto: 'public' }])
    expect(await server.query(db, 'SELECT * FROM public.users ORDER BY id')).toEqual(rows)
    await server.dropDatabase(db)
    await server.dropDatabase(source)
  })
})

describe('archives: SQL in a TABLE DATA entry (F8), a clean dropStmt naming another table (F9)', () => {
  let source: string
  beforeAll(async () => {
    source = await server.createDatabase()
    await server.query(source, `${EVIL}INSERT INTO public.mine VALUES (1);`)
  })

  async function dumpDir(args: string[]): Promise<string> {
    const dir = file('dump', 'dir')
    await pgDump(source, ['-Fd', '-O', '-x', '-Z0', '-f', dir, ...args])
    return dir
  }

  it.each([
    ['SELECT public.evil();', /public\.users: 2 rows deleted/],
    ['DELETE FROM public.users;', /public\.users: 2 rows deleted/],
    ["INSERT INTO public.users VALUES (3, 'mallory');", /public\.users: 1 row inserted/]
  ])('pg_dump --inserts whose data file holds %s', async (statement, message) => {
    const dir = await dumpDir(['--inserts'])
    const data = readdirSync(dir).filter(f => /^\d+\.dat$/.test(f))
    expect(data).toHaveLength(1)
    writeFileSync(path.join(dir, data[0]), `${statement}\n`)
    const db = await target()
    const before = await state(db)
    const error = await failure(runRestore(db, { kind: 'file', path: dir }))
    expectStopped(error, message)
    expect(await state(db)).toEqual(before)
    await server.dropDatabase(db)
  })

  it("clean: a TABLE entry's dropStmt that drops the target's private.secrets", async () => {
    const dir = await dumpDir([])
    const toc = path.join(dir, 'toc.dat')
    writeFileSync(
      toc,
      rewriteArchiveToc(readFileSync(toc), es =>
        es.map(e =>
          e.desc === 'TABLE' && e.tag === 'mine'
            ? { ...e, dropStmt: 'DROP TABLE private.secrets;\n' }
            : e
        )
      )
    )
    const db = await target()
    const before = await state(db)
    const error = await failure(
      runRestore(db, { kind: 'file', path: dir }, { allowNonEmpty: false, clean: true })
    )
    // refused up front by clean's check of each entry's drop statement, or by the net
    expect(error?.message).toMatch(/private\.secrets/)
    expect(await state(db)).toEqual(before)
    await server.dropDatabase(db)
  })
})

describe("pg_dump's own output still restores next to the target's objects", () => {
  let source: string
  beforeAll(async () => {
    source = await server.createDatabase()
    await server.query(
      source,
      `${TARGET}
       CREATE TABLE public.orders (id serial PRIMARY KEY, user_id int REFERENCES public.users (id), note text);
       INSERT INTO public.orders (user_id, note) VALUES (1, 'first'), (2, 'second');
       CREATE VIEW public.order_notes AS SELECT note FROM public.orders;`
    )
  })

  it.each([
    ['plain', 'p'],
    ['custom', 'c'],
    ['directory', 'd']
  ])(
    "%s: a table whose foreign key references the target's table (allowed: the key's triggers on it are the backup table's)",
    async (_name, format) => {
      const dumped = file('orders', format)
      await pgDump(source, [
        `-F${format}`,
        '-t',
        'public.orders',
        '-t',
        'public.orders_id_seq',
        '-t',
        'public.order_notes',
        '-f',
        dumped
      ])
      const db = await target()
      const before = await state(db)
      const sequence = await seq(db)
      const { lines } = await logOf(() => runRestore(db, { kind: 'file', path: dumped }))
      expect(lines).toMatch(
        /The target holds \d+ relations(?: \([^)]*\))?, (?:[^:]+ and )?1 large object the backup does not own: the restore's transaction ends with the check/
      )
      // what it proves of a large object is said (attacker a104 G2: its content too)
      expect(lines).toMatch(
        /\(of large objects: unlinked, created again, their owner, privileges, comment or content; and that the backup brings no function, view or column default of its own that reads large objects' content/
      )
      if (format !== 'p')
        expect(lines).toMatch(
          /Loading through the script gate into psql: the target holds objects the backup does not own/
        )
      expect(await server.query(db, 'SELECT user_id, note FROM public.orders ORDER BY id')).toEqual(
        [
          { user_id: 1, note: 'first' },
          { user_id: 2, note: 'second' }
        ]
      )
      const was = before as { catalog: { relations: string[] } }
      expect(await state(db)).toEqual({
        ...was,
        catalog: {
          ...was.catalog,
          relations: [
            ...was.catalog.relations,
            'order_notes',
            'orders',
            'orders_id_seq',
            'orders_pkey'
          ].sort()
        }
      })
      expect(await seq(db)).toEqual(sequence)
      // the key's own triggers on public.users are the backup's constraint's (on orders)
      expect(
        await server.query(
          db,
          `SELECT k.conrelid::regclass::text AS of FROM pg_trigger t JOIN pg_constraint k ON k.oid = t.tgconstraint
           WHERE t.tgrelid = 'public.users'::regclass ORDER BY t.tgname`
        )
      ).toEqual([{ of: 'orders' }, { of: 'orders' }])
      await server.dropDatabase(db)
    }
  )

  it("types and operators: a table of the target's enum restores next to it; a --clean script replaces its own enum, domain and function with clean: true", async () => {
    const typed = await server.createDatabase()
    await server.query(
      typed,
      `CREATE TYPE public.mood AS ENUM ('ok', 'sad');
       CREATE DOMAIN public.email AS text CHECK (VALUE LIKE '%@%');
       CREATE FUNCTION public.cheer(m public.mood) RETURNS text LANGUAGE sql AS $$ SELECT m::text || '!' $$;
       CREATE TABLE public.tickets (id int GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, mood public.mood, contact public.email);
       INSERT INTO public.tickets VALUES (1, 'sad', 'a@b');`
    )
    // only the table: its column's enum and domain are the target's, used, not changed
    const tableOnly = file('tickets', 'dump')
    await pgDump(typed, ['-Fc', '-t', 'public.tickets', '-f', tableOnly])
    const db = await target()
    await server.query(
      db,
      `CREATE TYPE public.mood AS ENUM ('ok', 'sad');
       CREATE DOMAIN public.email AS text CHECK (VALUE LIKE '%@%');`
    )
    await runRestore(db, { kind: 'file', path: tableOnly })
    expect(await server.query(db, 'SELECT mood::text, contact::text FROM public.tickets')).toEqual([
      { mood: 'sad', contact: 'a@b' }
    ])
    // the whole database as a pg_dump --clean --if-exists script, restored over it: its DROP …
    // IF EXISTS of the enum, domain, function and table (with its identity's sequence, a10 #0)
    // run before its CREATEs, as under psql -f
    await server.query(
      typed,
      `CREATE OR REPLACE FUNCTION public.cheer(m public.mood) RETURNS text LANGUAGE sql AS $$ SELECT m::text || '?' $$`
    )
    const script = file('typed-clean', 'sql')
    await pgDump(typed, ['-Fp', '--clean', '--if-exists', '-f', script])
    const before = await state(db)
    // allow-non-empty alone: its DROP TABLE would delete the target's row (u8 F5); clean replaces
    expect((await failure(runRestore(db, { kind: 'file', path: script })))?.message).toMatch(
      /creates 1 table named as a table of the target database '\w+' that holds rows: public\.tickets \(1 row\)/
    )
    await runRestore(db, { kind: 'file', path: script }, { clean: true })
    expect(await server.query(db, "SELECT public.cheer('ok') AS c")).toEqual([{ c: 'ok?' }])
    // the rest of the target as it was (the script's own table replaced)
    expect(await state(db)).toEqual(before)
    expect(await server.query(db, 'SELECT id, mood::text FROM public.tickets')).toEqual([
      { id: 1, mood: 'sad' }
    ])
    await server.dropDatabase(db)
    await server.dropDatabase(typed)
  })

  it('clean: the backup replaces its own tables, the target keeps the rest', async () => {
    const dumped = file('orders', 'dump')
    await pgDump(source, ['-Fc', '-t', 'public.orders', '-t', 'public.orders_id_seq', '-f', dumped])
    const db = await target()
    await runRestore(db, { kind: 'file', path: dumped })
    await server.query(db, "INSERT INTO public.orders (user_id, note) VALUES (1, 'local')")
    const before = await state(db)
    await runRestore(db, { kind: 'file', path: dumped }, { allowNonEmpty: false, clean: true })
    expect(await server.query(db, 'SELECT note FROM public.orders ORDER BY id')).toEqual([
      { note: 'first' },
      { note: 'second' }
    ])
    expect(await state(db)).toEqual(before)
    await server.dropDatabase(db)
  })

  it("a role that may read some of the target's large objects only: their content is checked, the others' said not to be", async () => {
    const role = `lo_reader_${Math.random().toString(16).slice(2, 8)}`
    const db = await target()
    await server.query('postgres', `CREATE ROLE ${role} LOGIN PASSWORD 'pw-${role}'`)
    try {
      await server.query(
        db,
        `ALTER DATABASE "${db}" OWNER TO ${role}; ALTER SCHEMA public OWNER TO ${role};
         ALTER LARGE OBJECT 424242 OWNER TO ${role};
         SELECT lo_from_bytea(424243, 'the superuser''s blob');
         DELETE FROM public.users; DELETE FROM private.secrets;
         ALTER TABLE public.users OWNER TO ${role}; ALTER TABLE public.audit OWNER TO ${role}`
      )
      const asRole = (path: string): Promise<unknown> =>
        harness.restore(
          testRestoreInputs(
            server.url(db, { user: role, password: `pw-${role}` }),
            { kind: 'file', path },
            { allowNonEmpty: true }
          )
        )
      const before = await state(db)
      const error = await failure(
        asRole(write(carrier("SELECT pg_catalog.lo_put(424242, 0, '\\x5858'::bytea)")))
      )
      expect(error?.message).toMatch(/large object 424242: content written/)
      expect(await state(db)).toEqual(before)
      const dumped = file('mine-only', 'sql')
      writeFileSync(dumped, 'CREATE TABLE public.mine (x int);\n')
      const { lines } = await logOf(() => asRole(dumped))
      expect(lines).toMatch(
        /of large objects: unlinked, created again, their owner, privileges, comment, and the content of those the role may read; not of 1 large object it may not read \(OID 424243\)/
      )
      expect(await server.query(db, "SELECT to_regclass('public.mine')::text AS t")).toEqual([
        { t: 'mine' }
      ])
    } finally {
      await server.dropDatabase(db)
      await server.query('postgres', `DROP ROLE ${role}`)
    }
  })

  it('a role whose membership made a large object readable, revoked by the load after writing it: refused, not skipped (attacker a105 H4)', async () => {
    const role = `lo_member_${Math.random().toString(16).slice(2, 8)}`
    const readers = `${role}_readers`
    const db = await target()
    await server.query(
      'postgres',
      `CREATE ROLE ${role} LOGIN CREATEROLE PASSWORD 'pw-${role}'; CREATE ROLE ${readers} NOLOGIN; GRANT ${readers} TO ${role}`
    )
    try {
      await server.query(
        db,
        `ALTER DATABASE "${db}" OWNER TO ${role}; ALTER SCHEMA public OWNER TO ${role};
         DELETE FROM public.users; DELETE FROM private.secrets;
         ALTER TABLE public.users OWNER TO ${role}; ALTER TABLE public.audit OWNER TO ${role};
         GRANT SELECT, UPDATE ON LARGE OBJECT 424242 TO ${readers}`
      )
      const before = await state(db)
      const error = await failure(
        harness.restore(
          testRestoreInputs(
            server.url(db, { user: role, password: `pw-${role}` }),
            {
              kind: 'file',
              path: write(
                carrier(
                  `SELECT pg_catalog.lo_put(424242, 0, '\\x5858'::bytea); REVOKE ${readers} FROM ${role}`
                )
              )
            },
            { allowNonEmpty: true }
          )
        )
      )
      expect(error?.message).toMatch(
        /large object 424242: the restoring role may no longer read it \(its privileges on it or the role's memberships changed during the restore\)/
      )
      expect(await state(db)).toEqual(before)
    } finally {
      await server.dropDatabase(db)
      await server.query('postgres', `DROP ROLE ${role}; DROP ROLE ${readers}`)
    }
  })

  it('a sparse large object above the read limit: the others still compared by content, it by size, read no further than recorded (attacker a105 H2, M1)', async () => {
    const db = await target()
    // 1.1 GiB by its size, a few pages on disk
    await server.query(
      db,
      "SELECT lo_from_bytea(424250, 'x'); SELECT lo_put(424250, 1181116006, 'end')"
    )
    const before = await state(db)
    const small = await failure(
      runRestore(db, {
        kind: 'file',
        path: write(carrier("SELECT pg_catalog.lo_put(424242, 0, '\\x5858'::bytea)"))
      })
    )
    expect(small?.message).toMatch(/large object 424242: content written/)
    const started = Date.now()
    const far = await failure(
      runRestore(db, {
        kind: 'file',
        path: write(carrier("SELECT pg_catalog.lo_put(424250, 1099511627000, 'far'::bytea)"))
      })
    )
    expect(far?.message).toMatch(/large object 424250: content written/)
    // its size compared first: the terabyte of holes was not read
    expect(Date.now() - started).toBeLessThan(60_000)
    expect(await state(db)).toEqual(before)
    const { lines } = await logOf(() =>
      runRestore(db, { kind: 'file', path: write('CREATE TABLE public.mine (x int);\n') })
    )
    expect(lines).toMatch(
      /the content of those the role may read up to 1\.0 GB together, smallest first; of 1 larger one \(OID 424250, [\d.]+ GB\) only the size/
    )
    await server.dropDatabase(db)
  }, 120_000)

  it("a function the load runs renames the target's table after its rows: the new name stays out of the log (attacker a105 H3)", async () => {
    const db = await target()
    await server.query(db, "INSERT INTO private.secrets VALUES ('hunter2-secret')")
    const error = await failure(
      runRestore(db, {
        kind: 'file',
        path: write(
          carrier(
            "DO $r$ DECLARE s text; BEGIN SELECT string_agg(x.s, '') INTO s FROM private.secrets x; EXECUTE format('ALTER TABLE private.secrets RENAME TO %I', left('t ' || s, 63)); END $r$"
          )
        )
      })
    )
    expect(error?.message).toMatch(/private\.secrets: renamed or moved \(its new name is withheld/)
    expect(error?.message).not.toMatch(/hunter2/)
    await server.dropDatabase(db)
  })

  it("clean over its own database: the app's functions (BEGIN ATOMIC too), view and default that read its large objects are no new readers of the target's (a105 H1's rule; a107 G4: no false refusal)", async () => {
    const app = await server.createDatabase()
    await server.query(
      app,
      `CREATE FUNCTION public.get_file(o oid) RETURNS bytea LANGUAGE sql AS 'SELECT pg_catalog.lo_get(o)';
       CREATE FUNCTION public.get_head(o oid) RETURNS bytea LANGUAGE sql BEGIN ATOMIC SELECT pg_catalog.lo_get(o, 0, 16); END;
       CREATE TABLE public.files (id int PRIMARY KEY, f oid, head bytea DEFAULT pg_catalog.lo_get(424260, 0, 4));
       CREATE VIEW public.file_sizes AS SELECT id, pg_catalog.length(pg_catalog.lo_get(f)) AS size FROM public.files;
       INSERT INTO public.files VALUES (1, lo_from_bytea(424260, 'first file'), 'head');`
    )
    const dumped = file('app-files', 'dump')
    await pgDump(app, ['-Fc', '-f', dumped])
    const db = await server.createDatabase()
    await runRestore(db, { kind: 'file', path: dumped }, { allowNonEmpty: false })
    // an upload since the backup: a large object of the target's own
    await server.query(db, "SELECT lo_from_bytea(424261, 'uploaded since')")
    await runRestore(db, { kind: 'file', path: dumped }, { allowNonEmpty: false, clean: true })
    expect(
      await server.query(
        db,
        "SELECT oid::int8 AS oid, encode(lo_get(oid), 'escape') AS data FROM pg_largeobject_metadata ORDER BY oid"
      )
    ).toEqual([
      { oid: '424260', data: 'first file' },
      { oid: '424261', data: 'uploaded since' }
    ])
    await server.dropDatabase(db)
    await server.dropDatabase(app)
  })

  it("a function the load runs raises the net's own words followed by the target's data: withheld as any error it raises (attacker a106 F12)", async () => {
    const db = await target()
    await server.query(db, "INSERT INTO private.secrets VALUES ('hunter2-secret')")
    for (const words of [
      'restore net: objects of the target changed: ',
      'restore net: the whole server changed: '
    ]) {
      const error = await failure(
        runRestore(db, {
          kind: 'file',
          path: write(
            carrier(
              `DO $r$ DECLARE s text; BEGIN SELECT string_agg(x.s, '') INTO s FROM private.secrets x; RAISE EXCEPTION '${words}%', s; END $r$`
            )
          )
        })
      )
      expect(error?.message).toBeDefined()
      expect(error?.message).not.toMatch(/hunter2/)
    }
    await server.dropDatabase(db)
  })

  it("clean: a script's plain lo_put into the target's large object next to its empty tables is rolled back (attacker a104 G5)", async () => {
    const db = await target()
    await server.query(db, 'DELETE FROM public.users; DELETE FROM private.secrets')
    const before = await state(db)
    const script = write(`CREATE TABLE public.app_files (id int, f oid);
SELECT pg_catalog.lo_put('424242', 0, '\\x5858');
`)
    const error = await failure(
      runRestore(db, { kind: 'file', path: script }, { allowNonEmpty: false, clean: true })
    )
    expect(error?.message).toMatch(/large object 424242: content written/)
    expect(await state(db)).toEqual(before)
    await server.dropDatabase(db)
  })
})

describe.each([13, 16, 18])('the net on PostgreSQL %i', major => {
  let other: TestServer
  beforeAll(async () => {
    other = await startPostgres({ binDir: embeddedBinDir(major) })
  }, 120_000)
  afterAll(async () => {
    await other?.stop()
  })

  it.each([
    [
      "rows deleted in a function's subtransaction (EXCEPTION block), reached through an operator",
      `CREATE FUNCTION public.sub(int, int) RETURNS int LANGUAGE plpgsql AS $$
BEGIN
  BEGIN
    PERFORM public.evil();
  EXCEPTION WHEN division_by_zero THEN NULL;
  END;
  RETURN 1;
END $$;
CREATE OPERATOR public.%%% (FUNCTION = public.sub, LEFTARG = int, RIGHTARG = int);
INSERT INTO public.mine VALUES (1 %%% 2);`,
      /public\.users: 2 rows deleted by the restore's own transaction/
    ],
    [
      "CREATE TABLE … INHERITS (the target's table)",
      `CREATE TABLE public.kid () INHERITS (public.users);
INSERT INTO public.kid VALUES (9, 'injected');`,
      /public\.users: gets a child table/
    ]
  ])('%s', async (_name, script, message) => {
    const db = await other.createDatabase()
    await other.query(db, TARGET)
    const rows = await other.query(db, 'SELECT * FROM public.users ORDER BY id')
    const error = await failure(
      harness.restore(
        testRestoreInputs(
          other.url(db),
          { kind: 'file', path: write(EVIL + script) },
          { allowNonEmpty: true }
        )
      )
    )
    expectStopped(error, message)
    expect(await other.query(db, 'SELECT * FROM public.users ORDER BY id')).toEqual(rows)
    expect(await other.query(db, "SELECT to_regclass('public.mine') IS NULL AS gone")).toEqual([
      { gone: true }
    ])
  })
})
