/**
 * scriptHazards / PlainDumpObjects.hazards: what allow-non-empty refuses into a target with rows
 * (statements that can write past the guard), and pg_dump's own shapes, which pass.
 */
import { describe, expect, it } from '@jest/globals'
import { PsqlLexer } from '../../src/postgres/psql-lexer.js'
import { PlainDumpObjects } from '../../src/postgres/plain-sql.js'

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
    'CREATE VIEW public.v AS SELECT 1 AS x;\nCOPY public.t (x) FROM stdin;\n1\n\\.\nCREATE TRIGGER tr BEFORE INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION public.f();'
  ])("pg_dump's own: %s", script => {
    expect(hazards(script)).toEqual([])
    expect(hazards(script, { deferHazards: true })).toEqual([])
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
    ['CREATE MATERIALIZED VIEW public.m AS SELECT public.f();', /materialized view/]
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
