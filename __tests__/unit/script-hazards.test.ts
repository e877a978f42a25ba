/**
 * scriptHazards / PlainDumpObjects.hazards: what allow-non-empty refuses into a target with rows
 * (statements that can write past the guard), and pg_dump's own shapes, which pass.
 */
import { describe, expect, it } from '@jest/globals'
import { PsqlLexer } from '../../src/postgres/psql-lexer.js'
import { PlainDumpObjects, runsCode } from '../../src/postgres/plain-sql.js'

function hazards(script: string, options: { deferHazards?: boolean } = {}): string[] {
  return seen(script, options).hazards.map(h => h.why)
}

function seen(script: string, options: { deferHazards?: boolean } = {}): PlainDumpObjects {
  const objects = new PlainDumpObjects(options)
  const lexer = new PsqlLexer()
  for (const e of [...lexer.write(Buffer.from(script)), ...lexer.end()])
    if (e.kind === 'statement') objects.see(e)
  return objects
}

describe('scriptHazards', () => {
  it.each([
    "SELECT pg_catalog.set_config('search_path', '', false);",
    "SELECT pg_catalog.setval('public.t_id_seq', 42, true);",
    "SELECT pg_catalog.lo_create('16384');\nSELECT pg_catalog.lo_open('16384', 131072);\nSELECT pg_catalog.lowrite(0, '\\x68656c6c6f');\nSELECT pg_catalog.lo_close(0);",
    "SELECT pg_catalog.lo_unlink(oid) FROM pg_catalog.pg_largeobject_metadata WHERE oid = '16384';\nSELECT pg_catalog.lo_create('16384');",
    "SELECT * FROM pg_catalog.pg_restore_relation_stats(\n\t'version', '180000'::integer,\n\t'schemaname', 'public',\n\t'relname', 't',\n\t'relpages', '1'::integer\n);",
    "SELECT * FROM pg_catalog.pg_restore_attribute_stats(\n\t'version', '180000'::integer,\n\t'schemaname', 'public',\n\t'relname', 't',\n\t'attname', 'x',\n\t'inherited', 'f'::boolean,\n\t'most_common_freqs', '{0.5,0.5}'::real[]\n);",
    "CREATE SEQUENCE public.t_id_seq AS integer START WITH 1;\nALTER SEQUENCE public.t_id_seq OWNED BY public.t.id;\nALTER TABLE ONLY public.t ALTER COLUMN id SET DEFAULT nextval('public.t_id_seq'::regclass);",
    'CREATE SEQUENCE "Audit Log"."Events_id_seq" START WITH 1;\nALTER SEQUENCE "Audit Log"."Events_id_seq" OWNED BY "Audit Log"."Events".id;\nALTER TABLE ONLY "Audit Log"."Events" ALTER COLUMN id SET DEFAULT nextval(\'"Audit Log"."Events_id_seq"\'::regclass);',
    "INSERT INTO public.t (id, name) VALUES (1, 'a(b)'), (2, NULL);",
    "INSERT INTO public.t OVERRIDING SYSTEM VALUE VALUES (1, 'x') ON CONFLICT DO NOTHING;",
    'CREATE MATERIALIZED VIEW public.m AS\n SELECT count(*) AS n\n   FROM public.t\n  WITH NO DATA;\nREFRESH MATERIALIZED VIEW public.m;',
    'CREATE TABLE public.t (x integer);\nCREATE VIEW public.v AS SELECT 1 AS x;\nCOPY public.t (x) FROM stdin;\n1\n\\.\nCREATE TRIGGER tr BEFORE INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION public.f();',
    // pg_dump's attachments to its own tables, its partitions, indexes, policies, statistics
    'CREATE TABLE public.p (x integer) PARTITION BY LIST (x);\nCREATE TABLE public.p1 (x integer);\nCREATE TABLE public.c () INHERITS (public.p1);\nALTER TABLE ONLY public.p ATTACH PARTITION public.p1 FOR VALUES IN (1);\nCREATE INDEX p_x ON ONLY public.p USING btree (x);\nCREATE UNIQUE INDEX c_x ON public.c USING btree (x);\nCREATE POLICY pol ON public.c USING (true);\nCREATE STATISTICS public.st ON x, x FROM public.c;\nALTER TABLE ONLY public.c ADD CONSTRAINT ex EXCLUDE USING gist (x WITH =);',
    // --inserts literals as pg_dump writes them: E'', U&'', B'', X'', negative and exponent numbers
    "INSERT INTO public.t (a, b, c, d, e, f) VALUES (-1, 1.5e+30, E'a\\'b', U&'\\0041' UESCAPE '\\', B'0101', X'ff'), (DEFAULT, NULL, true, FALSE, '', 'NaN');",
    "INSERT INTO public.t DEFAULT VALUES;\nDELETE FROM ONLY public.t;\nUPDATE public.t SET a = 1, b = 'x';",
    "CREATE TABLE public.r (x date, h integer) PARTITION BY RANGE (x);\nCREATE TABLE public.r1 (x date, h integer);\nALTER TABLE ONLY public.r ATTACH PARTITION public.r1 FOR VALUES FROM ('2024-01-01') TO (MAXVALUE);\nCREATE TABLE public.r2 (x date, h integer);\nALTER TABLE ONLY public.r ATTACH PARTITION public.r2 FOR VALUES FROM (MINVALUE) TO ('2024-01-01');\nCREATE TABLE public.hp (h integer) PARTITION BY HASH (h);\nCREATE TABLE public.h0 (h integer);\nALTER TABLE ONLY public.hp ATTACH PARTITION public.h0 FOR VALUES WITH (modulus 4, remainder 0);\nCREATE TABLE public.l (x integer) PARTITION BY LIST (x);\nCREATE TABLE public.l1 (x integer);\nALTER TABLE ONLY public.l ATTACH PARTITION public.l1 FOR VALUES IN (-1, 2, NULL);\nCREATE TABLE public.ld (x integer);\nALTER TABLE ONLY public.l ATTACH PARTITION public.ld DEFAULT;",
    'CREATE TABLE public.t9 (x integer);\nALTER TABLE public.t9 RENAME COLUMN x TO y;\nALTER TABLE ONLY public.t9 RENAME TO t10;\nDROP TABLE IF EXISTS public.t10;',
    // comments anywhere: what the server reads decides
    "/* pg_dump */ SELECT pg_catalog.set_config('search_path', '', false);\n-- x\nINSERT INTO /* t */ public.t VALUES (1 /* one */, '--');",
    // a table turned into a view by pg_dump (PostgreSQL < 16, circular views), no rows written
    'CREATE TABLE public.cv (x integer);\nCREATE RULE "_RETURN" AS ON SELECT TO public.cv DO INSTEAD SELECT 1 AS x;',
    // a column of a type the script creates that is no domain, or of a domain it does not create
    "CREATE TYPE public.mood AS ENUM ('a');\nCREATE TABLE public.t (x integer);\nALTER TABLE public.t ADD COLUMN m public.mood, ADD COLUMN n public.dom;",
    // types named like pg_catalog's but not text (the one cast name of pg_dump's calls looked up)
    "CREATE DOMAIN public.texts AS pg_catalog.text;\nCREATE TYPE public.\"TEXT\" AS (x integer);\nCREATE TABLE public.t (x integer);\nALTER TABLE public.t RENAME COLUMN x TO text;\nSELECT * FROM pg_catalog.pg_restore_attribute_stats('version', '180000'::integer, 'most_common_vals', '{a}'::text);"
  ])("pg_dump's own: %s", script => {
    expect(hazards(script)).toEqual([])
    expect(hazards(script, { deferHazards: true })).toEqual([])
  })

  // F11: '…'::text in pg_dump's own calls resolves through search_path (and pg_temp): a type of
  // the backup's named text would run its CHECK there
  it.each([
    "CREATE FUNCTION public.evilchk(t pg_catalog.text) RETURNS boolean LANGUAGE sql AS 'SELECT true';\nCREATE DOMAIN public.text AS pg_catalog.text CHECK (public.evilchk(VALUE));\nSET search_path = public, pg_catalog;\nSELECT pg_catalog.set_config('application_name', 'x'::text, false);",
    'CREATE DOMAIN pg_temp."text" AS pg_catalog.text;',
    'CREATE TABLE IF NOT EXISTS public.text (x integer);',
    'CREATE MATERIALIZED VIEW x.text AS SELECT 1 WITH NO DATA;',
    'CREATE FOREIGN TABLE text (x integer) SERVER s;',
    'CREATE TYPE public.t2 AS (x integer);\nALTER TYPE public.t2 RENAME TO text;',
    'ALTER DOMAIN public.d RENAME TO "text";'
  ])('a type named text: %s', script => {
    for (const deferHazards of [false, true])
      expect(hazards(script, { deferHazards }).join('\n')).toMatch(
        /(creates|renames something to) a type named text[^]*pg_catalog\.text/
      )
  })

  it.each([
    [
      'CREATE VIEW public.v AS SELECT * FROM public.u;\nINSERT INTO public.v VALUES (1);',
      /a view the script creates/
    ],
    [
      'CREATE VIEW public.v AS SELECT * FROM public.u;\nUPDATE v SET x = 1;',
      /a view the script creates/
    ],
    [
      'CREATE RULE r AS ON INSERT TO public.m DO ALSO DELETE FROM public.u;',
      /rule other than ON SELECT/
    ],
    [
      'CREATE TRIGGER tr AFTER INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION f();\nINSERT INTO public.t VALUES (1);',
      /after the script created a trigger/
    ],
    ['SELECT public.f();', /not one of pg_dump's own calls/],
    [
      "SELECT pg_catalog.set_config('search_path', public.f(), false);",
      /not one of pg_dump's own calls/
    ],
    [
      "SELECT pg_catalog.lo_unlink(oid) FROM pg_catalog.pg_largeobject_metadata WHERE oid = '99';",
      /a large object the backup does not create/
    ],
    ['DO $$BEGIN END$$;', /DO block/],
    ['CALL public.p();', /CALL/],
    ['WITH x AS (SELECT public.f()) SELECT 1;', /WITH/],
    ['COPY (SELECT public.f()) TO STDOUT;', /COPY of a query/],
    ['INSERT INTO public.t SELECT public.f();', /literal VALUES/],
    ['UPDATE public.t SET x = public.f();', /UPDATE calls a function/],
    ['TRUNCATE public.t CASCADE;', /CASCADE/],
    [
      "SELECT pg_catalog.setval(pg_catalog.concat('public.users', '_id_seq')::regclass, 1, false);",
      /not a literal name/
    ],
    [
      'SELECT pg_catalog.setval(c.oid::regclass, 1, false) FROM pg_catalog.pg_class c;',
      /not a literal name/
    ],
    [
      "CREATE TABLE public.t (x int DEFAULT pg_catalog.setval('public.users_id_seq', 1));",
      /setval\(\) outside/
    ],
    [
      "CREATE TABLE public.t (x int DEFAULT nextval('public.users_id_seq'::regclass));",
      /nextval\('public\.users_id_seq'\)/
    ],
    [
      'ALTER SEQUENCE public.users_id_seq RESTART;',
      /ALTER SEQUENCE of a sequence the script does not create/
    ],
    ['CREATE TABLE public.t AS SELECT public.f();', /CREATE TABLE … AS/],
    ['CREATE MATERIALIZED VIEW public.m AS SELECT public.f();', /materialized view/],
    // (a) a leading or inner comment changes nothing: tests go by the lexed statement
    [
      '/* rule */ CREATE RULE r AS ON INSERT TO public.m DO ALSO SELECT public.f();',
      /rule other than ON SELECT/
    ],
    [
      '/**/ CREATE VIEW public.uv AS SELECT * FROM public.users;\nINSERT INTO public.uv VALUES (3);',
      /a view the script creates/
    ],
    [
      '/**/ CREATE /* x */ OR REPLACE MATERIALIZED VIEW public.m AS SELECT public.f();',
      /materialized view/
    ],
    [
      'CREATE TABLE public.mine (x int);\n/**/ CREATE TRIGGER t BEFORE INSERT ON public.mine FOR EACH ROW EXECUTE FUNCTION public.trg();\nINSERT INTO public.mine VALUES (1);',
      /after the script created a trigger/
    ],
    ['/**/ CREATE TABLE public.t2 AS SELECT public.f() AS x;', /CREATE TABLE … AS/],
    ['CREATE TABLE public.t2 (x) AS SELECT public.f();', /CREATE TABLE … AS/],
    ['CREATE TEMP TABLE t2 AS EXECUTE p;', /CREATE TABLE … AS/],
    ['/**/ SELECT public.f();', /not one of pg_dump's own calls/],
    ["SELECT pg_catalog.set_config('x.y', 'z'::tdom, false);", /not one of pg_dump's own calls/],
    ["SELECT pg_catalog.lo_create('1'::public.oiddomain);", /not one of pg_dump's own calls/],
    // (b) an allow-list: what may evaluate an expression is refused
    ['DECLARE c CURSOR FOR SELECT public.f();', /a DECLARE statement is not one pg_dump writes/],
    ['FETCH c;', /a FETCH statement/],
    ['MOVE c;', /a MOVE statement/],
    ['(SELECT public.f());', /starts with "\("/],
    ['TABLE public.v;', /not one of pg_dump's own calls/],
    ['VALUES (public.f());', /VALUES/],
    ['LOCK public.users;', /a LOCK statement/],
    ['INSERT INTO public.mine VALUES ((SELECT x FROM public.ev));', /literal VALUES/],
    ['INSERT INTO public.mine VALUES (1 %%% 2);', /literal VALUES/],
    ['INSERT INTO public.mine VALUES (1 + 2);', /literal VALUES/],
    ["INSERT INTO public.mine VALUES ('1'::public.d);", /literal VALUES/],
    ["INSERT INTO public.mine VALUES (d '1');", /literal VALUES/],
    ['INSERT INTO public.mine TABLE public.ev;', /literal VALUES/],
    ['INSERT INTO public.mine VALUES (1) RETURNING public.f();', /literal VALUES/],
    ['INSERT INTO public.mine VALUES (1) ON CONFLICT (x) DO UPDATE SET x = 2;', /literal VALUES/],
    ['UPDATE public.mine SET x = (SELECT x FROM public.ev);', /UPDATE with a condition/],
    ['UPDATE public.mine SET x = 1 WHERE x %%% 2;', /UPDATE with a condition/],
    ['DELETE FROM public.mine WHERE x = 1;', /DELETE with a condition/],
    ['MERGE INTO public.mine USING public.ev ON true WHEN MATCHED THEN DELETE;', /MERGE/],
    ['COPY public.mine (x) FROM stdin WHERE public.f() = 1;', /COPY … WHERE/],
    ['ALTER TABLE public.mine ALTER COLUMN x TYPE bigint USING public.f();', /USING/],
    ['ALTER TABLE public.mine ADD COLUMN y integer DEFAULT public.f();', /ADD COLUMN … DEFAULT/],
    ['ALTER TABLE public.mine ADD y integer DEFAULT public.f();', /ADD COLUMN/],
    // F11b: the DEFAULT (or CHECK) of a domain the script creates, evaluated for the rows
    [
      'CREATE DOMAIN public.dom AS integer DEFAULT public.f();\nALTER TABLE public.mine ADD COLUMN y public.dom;',
      /ADD COLUMN of the domain public\.dom, which the script creates/
    ],
    [
      'CREATE DOMAIN x."Dom" AS integer CHECK (public.f() > 0);\nALTER TABLE ONLY public.mine ADD COLUMN z integer, ADD IF NOT EXISTS y "Dom";',
      /ADD COLUMN of the domain Dom, which the script creates/
    ],
    // (c) what attaches to a table the script does not create
    ['CREATE TABLE public.kid () INHERITS (public.users);', /inherits from public\.users/],
    [
      'CREATE TABLE public.p9 PARTITION OF public.ev FOR VALUES IN (9);',
      /a partition of public\.ev/
    ],
    [
      'CREATE TABLE public.kid (x int);\nALTER TABLE public.kid INHERIT public.users;',
      /inherit from public\.users/
    ],
    [
      'CREATE TABLE public.kid (x int);\nALTER TABLE ONLY public.ev ATTACH PARTITION public.kid FOR VALUES IN (9);',
      /public\.ev, a table the script does not create/
    ],
    [
      'CREATE TRIGGER t AFTER INSERT ON public.users FOR EACH ROW EXECUTE FUNCTION public.trg();',
      /a trigger on public\.users/
    ],
    [
      'CREATE RULE "_RETURN" AS ON SELECT TO public.audit DO INSTEAD SELECT 1 AS x;',
      /a rule on public\.audit/
    ],
    ['CREATE POLICY p ON public.users USING (public.f());', /a policy on public\.users/],
    ['CREATE INDEX i ON public.users (public.f(x));', /an index on public\.users/],
    ['CREATE STATISTICS public.s ON a, b FROM public.users;', /statistics on public\.users/],
    [
      'CREATE TABLE public.p (x integer) PARTITION BY LIST (x);\nCREATE TABLE public.p9 PARTITION OF public.p FOR VALUES IN (public.f());',
      /partition bound that is not literal/
    ],
    [
      "CREATE TABLE public.p (x date) PARTITION BY RANGE (x);\nCREATE TABLE public.p1 (x date);\nALTER TABLE ONLY public.p ATTACH PARTITION public.p1 FOR VALUES FROM ('2024-01-01') TO ('2024-01-01'::date + public.g());",
      /partition bound that is not literal/
    ],
    // F25, F26: renaming the target's table first; DROP … CASCADE
    [
      'SET search_path = public;\nALTER TABLE users RENAME TO u2;\nINSERT INTO public.u2 VALUES (3);',
      /renames or moves users, a relation the script does not create/
    ],
    ['ALTER VIEW public.uview RENAME TO uv2;', /renames or moves public\.uview/],
    ['ALTER TABLE IF EXISTS ONLY public.users SET SCHEMA app;', /renames or moves public\.users/],
    ['DROP SCHEMA public CASCADE;', /DROP … CASCADE/],
    // F24: the script's own table turned into a view, then written into
    [
      'CREATE TABLE public.x (id int);\nCREATE RULE "_RETURN" AS ON SELECT TO public.x DO INSTEAD SELECT * FROM public.users;\nINSERT INTO public.x VALUES (3);',
      /public\.x, a view the script creates/
    ],
    // F15: CREATE SCHEMA with elements
    [
      'CREATE SCHEMA app CREATE TABLE t (x int) CREATE TRIGGER tg BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION public.trg();',
      /schema elements/
    ],
    ['CREATE SCHEMA app CREATE VIEW uv AS SELECT * FROM public.users;', /schema elements/]
  ])('refused: %s', (script, why) => {
    expect(hazards(script).join(' | ')).toMatch(why)
    expect(hazards(script, { deferHazards: true }).join(' | ')).toMatch(why)
  })
})

/**
 * deferHazards (an archive's entries: restore-plan.ts archiveReferences) reads the hazards only
 * when asked, after every statement: each must still be decided with what came before it alone
 * (the sequences created so far, the views, the first trigger, the unlinks) — the same list, in
 * the same order, as when see() decides at once. Random scripts of statements whose verdict
 * depends on their order.
 */
describe('PlainDumpObjects deferHazards', () => {
  const POOL = [
    'CREATE SEQUENCE public.s1 START WITH 1;',
    'CREATE SEQUENCE "Audit Log"."S2" START WITH 1;',
    'ALTER TABLE public.t ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (\n    SEQUENCE NAME public.s3\n    START WITH 1\n);',
    "SELECT pg_catalog.setval('public.s1', 5, true);",
    "CREATE TABLE public.a (x int DEFAULT nextval('public.s1'::regclass));",
    'CREATE TABLE public.b (x int DEFAULT nextval(\'"Audit Log"."S2"\'::regclass));',
    "CREATE TABLE public.c (x int DEFAULT nextval('public.s3'::regclass));",
    'ALTER SEQUENCE public.s1 RESTART;',
    'ALTER SEQUENCE public.s3 OWNED BY public.t.id;',
    'CREATE VIEW public.v AS SELECT 1 AS x;',
    'INSERT INTO public.v VALUES (1);',
    'UPDATE v SET x = 1;',
    'INSERT INTO public.t VALUES (1);',
    'COPY public.t (x) FROM stdin;\n1\n\\.',
    'CREATE TRIGGER tr AFTER INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION public.f();',
    "SELECT pg_catalog.lo_unlink(oid) FROM pg_catalog.pg_largeobject_metadata WHERE oid = '77';",
    "SELECT pg_catalog.lo_create('77');",
    "SELECT pg_catalog.lo_unlink(oid) FROM pg_catalog.pg_largeobject_metadata WHERE oid = '78';",
    'SELECT public.f();',
    'DO $$BEGIN END$$;',
    'TRUNCATE public.t CASCADE;',
    'CREATE TABLE public.d AS SELECT public.f();'
  ]

  it('finds what see() finds at once, in the same order, on 2,000 random scripts', () => {
    let seed = 19
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648
      return seed % n
    }
    let withHazards = 0
    for (let run = 0; run < 2000; run++) {
      const script = Array.from({ length: 1 + random(12) }, () => POOL[random(POOL.length)]).join(
        '\n'
      )
      const eager = seen(script)
      const deferred = seen(script, { deferHazards: true })
      // other findings are read as see() goes, the same either way
      expect(deferred.createdSequences).toEqual(eager.createdSequences)
      expect(deferred.hazards).toEqual(eager.hazards)
      // read twice: the same
      expect(deferred.hazards).toEqual(eager.hazards)
      if (eager.hazards.length > 0) withHazards++
    }
    // the scripts were not all harmless (nor all hazardous)
    expect(withHazards).toBeGreaterThan(500)
    expect(withHazards).toBeLessThan(2000)
  })
})

describe('PlainDumpObjects: quoted names that hold a line break (read whole, not their first line)', () => {
  it('CREATE SCHEMA, TABLE, SEQUENCE, FUNCTION, setval and an identity name the object whole', () => {
    const objects = seen(
      [
        'CREATE SCHEMA "two\nlines";',
        'CREATE TABLE "two\nlines"."my\ntable" (id integer);',
        'CREATE SEQUENCE public."s\nq" START WITH 1;',
        'ALTER TABLE public.t ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (\n    SEQUENCE NAME public."id\nseq"\n);',
        'SELECT pg_catalog.setval(\'public."s\nq"\', 5, true);',
        'CREATE FUNCTION public."f\nn"(a integer) RETURNS integer LANGUAGE sql AS $$SELECT 1$$;'
      ].join('\n')
    )
    expect(objects.schemas).toEqual(['two\nlines'])
    expect(objects.drops).toEqual([
      'DROP SCHEMA IF EXISTS "two\nlines" CASCADE;',
      'DROP TABLE IF EXISTS "two\nlines"."my\ntable" CASCADE;',
      'DROP SEQUENCE IF EXISTS public."s\nq" CASCADE;',
      'DROP FUNCTION IF EXISTS public."f\nn"(a integer) CASCADE;'
    ])
    expect(objects.createdTables).toEqual([{ schema: 'two\nlines', name: 'my\ntable' }])
    expect(objects.createdSequences).toEqual([
      { schema: 'public', name: 's\nq' },
      { schema: 'public', name: 'id\nseq' }
    ])
    expect(objects.setvalSequences).toEqual([{ schema: 'public', name: 's\nq' }])
  })
})

// attacker a68 F3/F5: CREATE SCHEMA AUTHORIZATION app (no name: the role's) and ALTER SCHEMA …
// RENAME TO app created a role's schema the role-named-schema refusal did not see; clean read
// AUTHORIZATION as the schema's name. F4: IF NOT EXISTS creations were in the drop list.
describe('PlainDumpObjects: every way a script names a schema it creates', () => {
  it.each([
    ['CREATE SCHEMA app;', ['app'], false],
    ['create schema APP;', ['app'], false],
    ['CREATE  SCHEMA\n"App";', ['App'], false],
    ['CREATE SCHEMA IF NOT EXISTS app;', ['app'], false],
    ['CREATE SCHEMA AUTHORIZATION app;', ['app'], false],
    ['create schema authorization App;', ['app'], false],
    ['CREATE SCHEMA AUTHORIZATION "Web Role";', ['Web Role'], false],
    ['CREATE SCHEMA IF NOT EXISTS AUTHORIZATION app;', ['app'], false],
    ['CREATE SCHEMA AUTHORIZATION app CREATE TABLE users (id int);', ['app'], false],
    ['CREATE SCHEMA /* a comment */ AUTHORIZATION app;', ['app'], false],
    ['CREATE SCHEMA reporting AUTHORIZATION app;', ['reporting'], false],
    ['CREATE SCHEMA "AUTHORIZATION";', ['AUTHORIZATION'], false],
    ['CREATE SCHEMA AUTHORIZATION CURRENT_USER;', [], true],
    ['CREATE SCHEMA IF NOT EXISTS AUTHORIZATION current_role;', [], true],
    ['CREATE SCHEMA AUTHORIZATION SESSION_USER;', [], true],
    ['CREATE SCHEMA s1;\nALTER SCHEMA s1 RENAME TO app;', ['s1', 'app'], false],
    ['alter schema s1 rename to "App";', ['App'], false],
    ['ALTER SCHEMA s1 OWNER TO app;', [], false]
  ])('%s', (script, schemas, current) => {
    const objects = seen(script)
    expect(objects.schemas).toEqual(schemas)
    expect(objects.currentRoleSchema).toBe(current)
    for (const s of schemas) expect(objects.referencedSchemas.has(s)).toBe(true)
  })

  it('drops the schema by its name, never AUTHORIZATION; nothing created only IF NOT EXISTS', () => {
    const objects = seen(
      [
        'CREATE SCHEMA AUTHORIZATION app;',
        'CREATE SCHEMA IF NOT EXISTS keep;',
        'CREATE SCHEMA IF NOT EXISTS AUTHORIZATION other;',
        'CREATE SCHEMA "Mixed" AUTHORIZATION app;',
        'CREATE TABLE IF NOT EXISTS keep.ledger (id int);',
        'CREATE UNLOGGED TABLE IF NOT EXISTS public.cache (k text);',
        'CREATE SEQUENCE IF NOT EXISTS keep.s;',
        'CREATE MATERIALIZED VIEW IF NOT EXISTS public.mv AS SELECT 1;',
        'CREATE TABLE public.bk (a int);'
      ].join('\n')
    )
    expect(objects.drops).toEqual([
      'DROP SCHEMA IF EXISTS app CASCADE;',
      'DROP SCHEMA IF EXISTS "Mixed" CASCADE;',
      'DROP TABLE IF EXISTS public.bk CASCADE;'
    ])
  })
})

// attacker a68 F4: what a script creates only IF NOT EXISTS was in the drop list
describe('PlainDumpObjects: nothing created only IF NOT EXISTS is dropped', () => {
  it('tables, sequences, materialized views and schemas IF NOT EXISTS are left out', () => {
    const objects = seen(
      [
        'CREATE SCHEMA IF NOT EXISTS keep;',
        'CREATE TABLE IF NOT EXISTS keep.ledger (id int);',
        'CREATE UNLOGGED TABLE IF NOT EXISTS public.cache (k text);',
        'CREATE SEQUENCE IF NOT EXISTS keep.s;',
        'CREATE MATERIALIZED VIEW IF NOT EXISTS public.mv AS SELECT 1;',
        'CREATE TABLE public.bk (a int);'
      ].join('\n')
    )
    expect(objects.drops).toEqual(['DROP TABLE IF EXISTS public.bk CASCADE;'])
    expect(objects.plainlyCreated({ schema: 'keep', name: 'ledger' })).toBe(false)
    expect(objects.plainlyCreated({ schema: 'keep', name: 's' })).toBe(false)
    expect(objects.plainlyCreated({ schema: 'public', name: 'bk' })).toBe(true)
  })
})

describe("clean's DROP FUNCTION: the signature read as the server reads it (re-attack a45)", () => {
  it.each([
    // a ')' or ',' inside a dollar quote, a string, a comment or a quoted name ends nothing
    [
      'CREATE FUNCTION public.f(a text DEFAULT $$, b integer)$$) RETURNS integer LANGUAGE sql AS $$SELECT 1$$;',
      'public.f(a text)'
    ],
    [
      "CREATE FUNCTION public.f(a text DEFAULT 'x), (y', b integer) RETURNS integer LANGUAGE sql AS $$SELECT 1$$;",
      'public.f(a text, b integer)'
    ],
    [
      "CREATE FUNCTION public.f(a text DEFAULT E'it\\'s), (', b integer) RETURNS integer LANGUAGE sql AS $$SELECT 1$$;",
      'public.f(a text, b integer)'
    ],
    [
      'CREATE FUNCTION public.f(a integer /* ) */, b "odd,type)") RETURNS integer LANGUAGE sql AS $$SELECT 1$$;',
      'public.f(a integer, b "odd,type)")'
    ],
    [
      'CREATE FUNCTION public.f(a integer -- ),\n, b text) RETURNS integer LANGUAGE sql AS $$SELECT 1$$;',
      'public.f(a integer, b text)'
    ],
    [
      'CREATE FUNCTION public.f(a integer = 3, b numeric(10, 2) DEFAULT 0) RETURNS integer LANGUAGE sql AS $x$SELECT 1$x$;',
      'public.f(a integer, b numeric(10, 2))'
    ]
  ])('%s', (statement, signature) => {
    expect(seen(statement).drops).toEqual([`DROP FUNCTION IF EXISTS ${signature} CASCADE;`])
  })
})

/**
 * PlainDumpObjects.earlyHooks (attacker a93 F3): a trigger or rule created before rows are
 * written into its table fires on them, as the restoring role; pg_dump creates every trigger and
 * rule after all the data, and its output has none.
 */
describe('PlainDumpObjects.earlyHooks', () => {
  const early = (script: string, deferHazards = false): string[] =>
    seen(script, { deferHazards }).earlyHooks.map(h => `${h.kind} ${h.name} on ${h.table}`)
  const TABLE = 'CREATE TABLE public.notes (id integer NOT NULL, body text);\n'

  it.each([
    [
      'a BEFORE INSERT row trigger, then COPY (a93 c2)',
      `${TABLE}CREATE TRIGGER t BEFORE INSERT ON public.notes FOR EACH ROW EXECUTE FUNCTION public.tg();\nCOPY public.notes (id, body) FROM stdin;\n1\tx\n\\.\n`,
      'trigger t on public.notes'
    ],
    [
      'an ON INSERT rule, then INSERT (a93 c3)',
      `${TABLE}CREATE RULE r AS ON INSERT TO public.notes DO ALSO INSERT INTO public.leak SELECT email FROM auth.users;\nINSERT INTO public.notes VALUES (1, 'x');`,
      'rule r on public.notes'
    ],
    [
      'a statement-level AFTER INSERT trigger, then INSERT',
      `${TABLE}CREATE TRIGGER s AFTER INSERT ON public.notes FOR EACH STATEMENT EXECUTE FUNCTION public.tg();\nINSERT INTO public.notes VALUES (1, 'x');`,
      'trigger s on public.notes'
    ],
    [
      'an INSTEAD rule, then INSERT; a /**/ before it changes nothing',
      `${TABLE}/**/ CREATE RULE r AS ON INSERT TO public.notes DO INSTEAD INSERT INTO public.leak SELECT email FROM auth.users;\nINSERT INTO public.notes VALUES (1, 'x');`,
      'rule r on public.notes'
    ],
    [
      "a trigger on a partitioned table, then COPY into its partition (the partition's clone fires)",
      'CREATE TABLE public.p (k integer, v text) PARTITION BY LIST (k);\nCREATE TABLE public.p1 PARTITION OF public.p FOR VALUES IN (1);\nCREATE TRIGGER t BEFORE INSERT ON public.p FOR EACH ROW EXECUTE FUNCTION public.tg();\nCOPY public.p1 (k, v) FROM stdin;\n1\tx\n\\.\n',
      'trigger t on public.p'
    ],
    [
      'a trigger on an attached partition, then INSERT into the parent',
      "CREATE TABLE public.p (k integer, v text) PARTITION BY LIST (k);\nCREATE TABLE public.p1 (k integer, v text);\nALTER TABLE ONLY public.p ATTACH PARTITION public.p1 FOR VALUES IN (1);\nCREATE TRIGGER t BEFORE INSERT ON public.p1 FOR EACH ROW EXECUTE FUNCTION public.tg();\nINSERT INTO public.p VALUES (1, 'x');",
      'trigger t on public.p1'
    ],
    [
      'an UPDATE trigger, then INSERT … ON CONFLICT DO UPDATE',
      `${TABLE}CREATE TRIGGER u BEFORE UPDATE ON public.notes FOR EACH ROW EXECUTE FUNCTION public.tg();\nINSERT INTO public.notes VALUES (1, 'x') ON CONFLICT (id) DO UPDATE SET body = 'y';`,
      'trigger u on public.notes'
    ]
  ])('named: %s', (_name, script, named) => {
    expect(early(script)).toEqual([named])
    expect(early(script, true)).toEqual([named])
  })

  it.each([
    [
      "pg_dump's order: the data, then triggers and rules",
      `${TABLE}COPY public.notes (id, body) FROM stdin;\n1\tx\n\\.\nCREATE RULE r AS ON INSERT TO public.notes DO ALSO NOTHING;\nCREATE TRIGGER t BEFORE INSERT ON public.notes FOR EACH ROW EXECUTE FUNCTION public.tg();`
    ],
    [
      "a view's ON SELECT rule (pg_dump before 16), then rows of another table",
      `${TABLE}CREATE TABLE public.v (id integer);\nCREATE RULE "_RETURN" AS ON SELECT TO public.v DO INSTEAD SELECT id FROM public.notes;\nINSERT INTO public.notes VALUES (1, 'x');`
    ],
    [
      'a trigger on another table',
      `${TABLE}CREATE TABLE public.other (x integer);\nCREATE TRIGGER t BEFORE INSERT ON public.other FOR EACH ROW EXECUTE FUNCTION public.tg();\nCOPY public.notes (id, body) FROM stdin;\n1\tx\n\\.\n`
    ],
    [
      'an UPDATE or DELETE trigger, then COPY and INSERT',
      `${TABLE}CREATE TRIGGER u BEFORE UPDATE OR DELETE ON public.notes FOR EACH ROW EXECUTE FUNCTION public.tg();\nCOPY public.notes (id, body) FROM stdin;\n1\tx\n\\.\nINSERT INTO public.notes VALUES (2, 'y');`
    ],
    [
      'an ON INSERT rule, then COPY (COPY runs no rules)',
      `${TABLE}CREATE RULE r AS ON INSERT TO public.notes DO ALSO NOTHING;\nCOPY public.notes (id, body) FROM stdin;\n1\tx\n\\.\n`
    ],
    [
      'pg_dump --data-only --disable-triggers',
      'ALTER TABLE public.notes DISABLE TRIGGER ALL;\nCOPY public.notes (id, body) FROM stdin;\n1\tx\n\\.\nALTER TABLE public.notes ENABLE TRIGGER ALL;'
    ]
  ])('not named: %s', (_name, script) => {
    expect(early(script)).toEqual([])
    expect(early(script, true)).toEqual([])
  })

  it("an archive's trigger in an entry of another section than post-data counts wherever it is", () => {
    const objects = new PlainDumpObjects({ deferHazards: true })
    const feed = (sql: string, dumpId: number, section: string): void => {
      const lexer = new PsqlLexer()
      objects.entry = dumpId
      objects.section = section
      for (const e of [...lexer.write(Buffer.from(sql)), ...lexer.end()])
        if (e.kind === 'statement') objects.see(e)
    }
    feed(TABLE, 1, 'pre-data')
    // --inserts: the data entry holds no COPY statement in the TOC
    objects.dataEntryRows({ schema: 'public', name: 'notes' })
    feed(
      'CREATE TRIGGER t BEFORE INSERT ON public.notes FOR EACH ROW EXECUTE FUNCTION public.tg();',
      3,
      'pre-data'
    )
    expect(objects.earlyHooks).toMatchObject([
      { kind: 'trigger', name: 't', table: 'public.notes', dumpId: 3 }
    ])
  })
})

describe('runsCode: the hazards refused wherever the target keeps rows (code pg_dump never writes)', () => {
  it.each([
    'DO $$ BEGIN PERFORM 1; END $$;',
    'SELECT public.mk();',
    'CREATE TABLE public.t (e text);\nINSERT INTO public.t SELECT email FROM auth.users;',
    'CREATE SCHEMA s CREATE TABLE t (x integer);',
    'COPY (SELECT public.f()) TO STDOUT;',
    'CREATE TABLE public.t (x integer);\nUPDATE public.t SET x = public.f();',
    'CREATE TABLE public.t AS SELECT 1 AS x;',
    'CREATE TABLE public.t (x integer);\nCREATE TRIGGER tr BEFORE INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION public.f();\nINSERT INTO public.t VALUES (1);',
    'CALL public.p();',
    'WITH x AS (SELECT 1) SELECT * FROM x;'
  ])('%s', script => {
    for (const deferHazards of [false, true]) {
      const found = seen(script, { deferHazards }).hazards
      expect(found.length).toBeGreaterThan(0)
      expect(found.some(h => runsCode(h.why))).toBe(true)
    }
  })

  it.each([
    // pg_dump writes these for a backup that has them (a rule comes after the data)
    'CREATE TABLE public.t (x integer);\nCREATE RULE r AS ON INSERT TO public.t DO ALSO NOTIFY t;',
    // about the target's objects, not code the load runs
    'DROP TABLE public.t CASCADE;',
    'CREATE TRIGGER tr AFTER INSERT ON auth.users FOR EACH ROW EXECUTE FUNCTION public.f();'
  ])('not: %s', script => {
    const found = seen(script).hazards
    expect(found.length).toBeGreaterThan(0)
    expect(found.filter(h => runsCode(h.why))).toEqual([])
  })
})
