/**
 * directTextHazard: an entry's SQL the server would parse otherwise, sent whole as pg_restore -d
 * sends it, than psql (and the gate) read it statement by statement.
 */
import { describe, expect, it } from '@jest/globals'
import {
  backslashAfterHighByte,
  directTextHazard,
  shareEntryLex
} from '../../src/postgres/direct-entries.js'
import type { TocEntry } from '../../src/postgres/toc.js'

function entry(defn: string, more: Partial<TocEntry> = {}): TocEntry {
  return {
    dumpId: 7,
    hadDumper: false,
    tableoid: 0,
    oid: 0,
    tag: 't',
    desc: 'COMMENT',
    section: 'pre-data',
    defn,
    dropStmt: null,
    copyStmt: null,
    namespace: 'public',
    tablespace: null,
    tableam: null,
    relkind: null,
    owner: null,
    withOids: false,
    dependencies: [],
    extra: { format: 'directory', filename: null },
    tocOffset: 0,
    ...more
  } as TocEntry
}

describe('directTextHazard', () => {
  it.each([
    ["COMMENT ON TABLE public.t IS 'it''s';\n"],
    ["SET standard_conforming_strings = 'on';\n"],
    ["SELECT pg_catalog.set_config('search_path', '', false);\n"],
    [
      'CREATE TABLE public.t (id integer);\nALTER TABLE ONLY public.t ALTER COLUMN id SET STATISTICS 10;\n'
    ],
    ["CREATE FUNCTION public.f() RETURNS text LANGUAGE sql AS $$SELECT 'a\\' || E'b\\'c'$$;\n"],
    ["COMMENT ON TABLE public.t IS E'a\\'b';\n"]
  ])('what pg_dump writes passes: %j', defn => {
    expect(directTextHazard([entry(defn)])).toBeUndefined()
  })

  it.each([
    [
      "SET standard_conforming_strings = off;\nSELECT 'x\\'; CREATE ROLE evil; --';\n",
      /changes \(or may change\) standard_conforming_strings or client_encoding, with statements after it/
    ],
    [
      "SET NAMES 'SJIS';\nSELECT 1;\n",
      /psql reads otherwise than as SQL statements \(.*client_encoding to SJIS/
    ],
    ["SET NAMES 'LATIN1';\nSELECT 1;\n", /changes \(or may change\)/],
    ['SELECT 1;\n\\! touch x\n', /psql reads otherwise than as SQL statements \(metaCommand\)/],
    ['RESET ALL;\nSELECT 1;\n', /changes \(or may change\)/],
    ['DISCARD ALL;\nSELECT 1;\n', /changes \(or may change\)/],
    // a change the lexer cannot see (a function of the backup): the literal alone is refused
    [
      "SELECT public.f();\nSELECT 'x\\' AS a, ' ; CREATE ROLE evil; --';\n",
      /a string literal that ends elsewhere/
    ],
    ["COMMENT ON TABLE public.t IS 'x\\'';\n", /a string literal that ends elsewhere/],
    ['COPY public.t (id) FROM stdin;\n', /COPY … FROM STDIN inside SQL/]
  ])('refused: %j', (defn, reason) => {
    expect(directTextHazard([entry(defn)])).toMatch(reason)
    expect(directTextHazard([entry(defn)])).toMatch(/^the entry 7 \(COMMENT\), its definition: /)
  })

  it('text that could read otherwise after code of the archive that may switch the settings at run time', () => {
    const fn = entry('SELECT public.f();\n', { dumpId: 5, desc: 'FUNCTION' })
    const hazard =
      /^the entry 7 \(COMMENT\), its definition: text with a backslash or non-ASCII bytes after the entry 5 \(FUNCTION\)/
    // a plain literal with a backslash, and non-ASCII text: after the function, not before it
    for (const defn of [
      "COMMENT ON TABLE public.t IS 'a\\\\b';\n",
      "COMMENT ON TABLE public.t IS 'café';\n"
    ]) {
      expect(directTextHazard([fn, entry(defn)])).toMatch(hazard)
      expect(directTextHazard([entry(defn), fn])).toBeUndefined()
    }
    // set_config with a built name in any entry counts as such code
    const call = entry("SELECT pg_catalog.set_config('client_' || 'encoding', 'SJIS', false);\n", {
      dumpId: 6
    })
    expect(directTextHazard([call, entry("COMMENT ON TABLE public.t IS 'café';\n")])).toMatch(
      /after the entry 6 \(COMMENT\)/
    )
    // a backslash the setting does not change (E'…', a dollar-quoted body), or ASCII: direct
    for (const defn of [
      "COMMENT ON TABLE public.t IS E'a\\\\b';\n",
      "CREATE FUNCTION public.g() RETURNS text LANGUAGE sql AS $$SELECT E'\\\\d'$$;\n",
      "COMMENT ON TABLE public.t IS 'plain';\n"
    ])
      expect(directTextHazard([fn, entry(defn)])).toBeUndefined()
    // clean: the drops run first, last entry first
    const drop = entry('SELECT 1;\n', {
      dumpId: 8,
      dropStmt: "COMMENT ON TABLE public.t IS 'café';\n"
    })
    expect(directTextHazard([drop, fn], { clean: true })).toBeUndefined()
    expect(directTextHazard([fn, drop], { clean: true })).toBeUndefined()
    expect(
      directTextHazard([drop, { ...fn, dropStmt: 'DROP FUNCTION public.f();\n' }], { clean: true })
    ).toMatch(/entry 8 \(COMMENT\), its drop statement/)
  })

  it.each([
    // attacker 7: pg_settings' update rule calls set_config
    ["UPDATE pg_catalog.pg_settings SET setting = 'SJIS' WHERE name = 'client_encoding';\n"],
    ["SELECT pg_catalog.set_config('client_' || 'encoding', 'SJIS', false);\n"],
    ['SELECT public.anything();\n'],
    ['DO $$BEGIN PERFORM 1; END$$;\n'],
    ['CALL public.p();\n'],
    ['COPY public.t (id) FROM stdin;\n'],
    ['CREATE INDEX i ON public.t (public.f(id));\n'],
    ['ALTER TABLE ONLY public.t ADD CONSTRAINT c CHECK (public.f(id));\n'],
    ['CREATE TABLE public.p1 PARTITION OF public.p FOR VALUES IN (public.f());\n'],
    ['CREATE TABLE public.c AS SELECT public.f();\n'],
    ['CREATE MATERIALIZED VIEW public.m AS SELECT public.f();\n'],
    ['REFRESH MATERIALIZED VIEW public.m;\n'],
    ['CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;\n'],
    ['CREATE EVENT TRIGGER e ON ddl_command_start EXECUTE FUNCTION public.f();\n'],
    ['INSERT INTO public.t VALUES (1);\n'],
    ['SET SESSION AUTHORIZATION DEFAULT; RESET ALL;\n'],
    ['SET some.custom = 1;\n'],
    ["SELECT pg_catalog.setval('public.s', public.f(), true);\n"]
  ])('may run code (later non-ASCII text takes the psql path): %j', code => {
    const before = entry(code, { dumpId: 5, desc: 'SQL' })
    expect(directTextHazard([before, entry("COMMENT ON TABLE public.t IS 'café';\n")])).toMatch(
      /after the entry 5 \(SQL\), which may run code/
    )
  })

  it.each([
    ['CREATE SCHEMA app;\n'],
    [
      "CREATE FUNCTION public.f() RETURNS void LANGUAGE sql AS $$SELECT pg_catalog.set_config('standard_' || 'conforming_strings', 'off', false)$$;\n"
    ],
    ['CREATE TABLE public.t (\n    id integer DEFAULT public.f() NOT NULL\n);\n'],
    ['CREATE VIEW public.v AS\n SELECT public.f() AS f;\n'],
    ['CREATE MATERIALIZED VIEW public.m AS\n SELECT 1 AS x\n  WITH NO DATA;\n'],
    ["CREATE TYPE public.mood AS ENUM (\n    'sad',\n    'ok'\n);\n"],
    ['ALTER TABLE public.t OWNER TO app;\n'],
    [
      "ALTER TABLE ONLY public.t ALTER COLUMN id SET DEFAULT nextval('public.t_id_seq'::regclass);\n"
    ],
    ['ALTER SEQUENCE public.t_id_seq OWNED BY public.t.id;\n'],
    ['GRANT ALL ON TABLE public.t TO app;\nREVOKE ALL ON TABLE public.t FROM PUBLIC;\n'],
    ["SELECT pg_catalog.setval('public.t_id_seq', 42, true);\n"],
    ["SELECT pg_catalog.set_config('search_path', '', false);\n"],
    ['SET statement_timeout = 0;\nSET default_table_access_method = heap;\n'],
    ['CREATE TRIGGER tr BEFORE INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION public.f();\n'],
    ['CREATE POLICY p ON public.t USING (public.f());\n']
  ])('defines or names only (later non-ASCII text stays direct): %j', code => {
    const before = entry(code, { dumpId: 5, desc: 'SQL' })
    expect(
      directTextHazard([before, entry("COMMENT ON TABLE public.t IS 'café';\n")])
    ).toBeUndefined()
  })

  // attacker 8: the allow-list of mayRunCode missed code twice; this pair goes by itself
  it('a backslash right after a byte above 127: the psql path wherever it stands, with or without code before', () => {
    const pair =
      /^the entry 7 \(COMMENT\), its definition: a backslash right after a byte above 127/
    for (const defn of [
      "COMMENT ON TABLE public.t IS E'\u00c1\\'; DELETE FROM public.users; --';\n",
      "COMMENT ON TABLE public.t IS E'ā\\\\ done';\n",
      '-- é\\\nCOMMENT ON TABLE public.t IS $$x$$;\n'
    ]) {
      expect(directTextHazard([entry(defn)])).toMatch(pair)
      const inert = entry('CREATE SCHEMA app;\n', { dumpId: 5, desc: 'SCHEMA' })
      expect(directTextHazard([inert, entry(defn)])).toMatch(pair)
    }
    expect(backslashAfterHighByte('a\\b é')).toBe(false)
    expect(backslashAfterHighByte('\\é')).toBe(false)
    expect(backslashAfterHighByte('é\\')).toBe(true)
    expect(backslashAfterHighByte('\uFFFD\\')).toBe(true)
  })

  it.each([
    // attacker 8 (F12): a second subcommand evaluates a default at once
    [
      'ALTER TABLE public.mine ADD COLUMN y integer DEFAULT public.flip(), ALTER COLUMN x SET DEFAULT 0;\n'
    ],
    ['ALTER TABLE public.mine ADD COLUMN y integer DEFAULT public.flip();\n'],
    ['ALTER TABLE ONLY public.t ALTER COLUMN x SET DEFAULT 0, ALTER COLUMN y SET DEFAULT 1;\n'],
    ['ALTER TABLE public.t ALTER COLUMN x TYPE integer USING public.flip();\n'],
    // the initial state goes through the input function of a domain state type: its CHECK runs
    [
      "CREATE AGGREGATE public.agg(integer) (\n    SFUNC = public.sf,\n    STYPE = public.dd,\n    INITCOND = '1'\n);\n"
    ],
    [
      "CREATE AGGREGATE public.agg(integer) (\n    SFUNC = public.sf,\n    STYPE = integer,\n    MSFUNC = public.sf,\n    MINVFUNC = public.sf,\n    MSTYPE = public.dd,\n    MINITCOND = '1'\n);\n"
    ]
  ])('may run code although it looks like a definition: %j', code => {
    const before = entry(code, { dumpId: 5, desc: 'SQL' })
    expect(directTextHazard([before, entry("COMMENT ON TABLE public.t IS 'café';\n")])).toMatch(
      /after the entry 5 \(SQL\), which may run code/
    )
  })

  it('a drop statement counts only with clean (pg_restore -d sends it then)', () => {
    const e = entry('SELECT 1;\n', { dropStmt: "SELECT 'x\\'';\n" })
    expect(directTextHazard([e])).toBeUndefined()
    expect(directTextHazard([e], { clean: true })).toMatch(/its drop statement: a string literal/)
  })

  it("reads an entry's shared lex once: afterwards it is forgotten (not held through the load) and the text is lexed again", () => {
    const e = entry('DISCARD ALL;\nSELECT 1;\n')
    // a shared lex that differs from the text's own (none is, in the action): which one was read
    shareEntryLex(e, e.defn!, [])
    expect(directTextHazard([e])).toBeUndefined()
    expect(directTextHazard([e])).toMatch(/changes \(or may change\)/)
  })
})
