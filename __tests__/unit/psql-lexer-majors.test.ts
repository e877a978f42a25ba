/**
 * lexedAlikeByEveryMajor: a text it accepts is lexed into the same events by the lexer of every
 * psql major modelled (13 to 18; psqlCopyIn aside, which only 17+ sets), so one lex of an archive
 * entry serves the checks that read it as different majors (archiveReferences as 18, the direct
 * load's text checks as the client's). Random texts from pieces that the majors lex alike and
 * pieces they do not; the test also shows that the pieces it refuses do change the lex (BEGIN is
 * refused to be safe: 15's and 18's word tracking differ, though no piece here shows it).
 */
import { describe, expect, it } from '@jest/globals'
import { lexPsqlScript, lexedAlikeByEveryMajor } from '../../src/postgres/psql-lexer.js'

const MAJORS = [13, 14, 15, 16, 17, 18]

/** The events as data: Buffers as text, psqlCopyIn and the decoded-text cache left out. */
function lexed(text: string, psqlMajor: number): string {
  return JSON.stringify(lexPsqlScript(text, { psqlMajor }), (key, value: unknown) => {
    if (key === 'psqlCopyIn' || key === 'decoded') return undefined
    if (value && typeof value === 'object' && (value as { type?: string }).type === 'Buffer')
      return Buffer.from((value as { data: number[] }).data).toString('latin1')
    return value
  })
}

const PIECES = [
  // what pg_dump's entries are made of
  'CREATE TABLE app1.t1 (\n    id integer NOT NULL,\n    name text,\n    n numeric(10,2) DEFAULT 0.5\n);',
  "COMMENT ON TABLE app1.t1 IS 'table 1 of schema app1';",
  'ALTER TABLE ONLY app1.t1\n    ADD CONSTRAINT t1_pkey PRIMARY KEY (id);',
  'CREATE INDEX t1_name_idx ON app1.t1 USING btree (name);',
  "SELECT pg_catalog.setval('app1.t1_id_seq', 50, true);",
  'ALTER TABLE app1.t1 OWNER TO postgres;',
  'GRANT SELECT ON TABLE app1.v1 TO PUBLIC;',
  "CREATE VIEW app1.v1 AS\n SELECT t1.id, (t1.n * 2.5) AS x\n   FROM app1.t1\n  WHERE (t1.name <> 'x;y');",
  'CREATE FUNCTION app1.f(a integer) RETURNS integer\n    LANGUAGE sql IMMUTABLE\n    RETURN (a + 1);',
  "CREATE PROCEDURE app1.p() LANGUAGE sql AS 'SELECT 1; SELECT 2';",
  'CREATE OR REPLACE FUNCTION app1.g() RETURNS int LANGUAGE sql RETURN 1;',
  'CASE WHEN 1 = 1 THEN 2 END;',
  'SET search_path = app1, pg_catalog;',
  "SET standard_conforming_strings = 'on';",
  '/* a comment; with a semicolon */',
  '"Quoted ""ident"";"',
  "'it''s; here'",
  "E'a string'",
  '(1, 2.5, .5, 3e);',
  ';',
  '\n',
  ' ',
  // pieces the majors read otherwise, or that the check refuses to be safe
  'SELECT 1 -- a comment;\n;',
  'SELECT 0x1F, 1_000;',
  'SELECT 123abc;',
  'SELECT 1..2;',
  'SELECT $1abc;',
  'CREATE FUNCTION app1.h() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT 1;\n  SELECT 2;\nEND;',
  'COPY app1.t1 (id) FROM stdin;',
  'CREATE FUNCTION app1.k() RETURNS int LANGUAGE plpgsql AS $$BEGIN RETURN 1; END$$;',
  '\\connect other\n',
  "SELECT 'a\\';",
  'SELECT\v1;',
  "SELECT 'é';"
]

describe('lexedAlikeByEveryMajor', () => {
  it('accepts what pg_dump writes for tables, views, comments, grants', () => {
    for (const piece of PIECES.slice(0, 12)) expect(lexedAlikeByEveryMajor(piece)).toBe(true)
  })

  it.each([
    ['-- comments', 'SELECT 1 -- a comment;\n;'],
    ['0x and _ in numbers', 'SELECT 0x1F, 1_000;'],
    ['number junk', 'SELECT 123abc;'],
    ['BEGIN ATOMIC', PIECES[27]],
    ['COPY', 'COPY app1.t1 (id) FROM stdin;'],
    ['$', 'SELECT $1abc;'],
    ['a backslash', '\\connect other\n'],
    ['a vertical tab', 'SELECT\v1;'],
    ['non-ASCII', "SELECT 'é';"],
    ['..', 'SELECT 1..2;']
  ])('refuses %s', (_what, text) => {
    expect(lexedAlikeByEveryMajor(text)).toBe(false)
  })

  it('every text it accepts lexes alike as psql 13 to 18 (3,000 random texts)', () => {
    let seed = 1848
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648
      return seed % n
    }
    let accepted = 0
    let differing = 0
    for (let run = 0; run < 3000; run++) {
      const text = Array.from({ length: 1 + random(8) }, () => PIECES[random(PIECES.length)]).join(
        random(2) === 0 ? '\n' : ' '
      )
      const byMajor = MAJORS.map(major => lexed(text, major))
      const alike = byMajor.every(l => l === byMajor[0])
      if (lexedAlikeByEveryMajor(text)) {
        accepted++
        expect({ text, alike }).toEqual({ text, alike: true })
      } else if (!alike) differing++
    }
    // both kinds were drawn, and the pieces refused do change the lex (the test can fail)
    expect(accepted).toBeGreaterThan(300)
    expect(differing).toBeGreaterThan(300)
  })
})
