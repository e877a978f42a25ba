/**
 * Hand-written hostile and tricky psql scripts: each is an instance of a way a script can make a
 * naive reader and psql disagree. They use `\echo MARK-n` where an attack would use `\!`, so
 * running them through a real psql is harmless; the equivalence test runs each through psql 15,
 * 17 and 18 and compares with the lexer, the unit tests assert the lexer's events.
 *
 * They expect a database with: fz(t text), f(a text, b text), t1(i int), schema s with table
 * s."from"(t text) (see SCRIPT_SETUP).
 */

export const SCRIPT_SETUP = `
CREATE TABLE fz (t text);
CREATE TABLE f (a text, b text);
CREATE TABLE t1 (i int);
CREATE SCHEMA s;
CREATE TABLE s."from" (t text);
`

export interface TrickyScript {
  name: string
  /** What the script tries. */
  about: string
  script: string
  /** The client encoding psql starts with (default UTF8). */
  clientEncoding?: string
}

export const TRICKY_SCRIPTS: TrickyScript[] = [
  {
    name: 'meta-after-statement',
    about:
      'a meta-command after a statement on the same line runs (the measured CREATE TABLE b; \\! case)',
    script:
      'CREATE TEMP TABLE b (i int); \\echo MARK-1\nSELECT 1;\\echo MARK-2\nSELECT 2 \\echo MARK-3\n;\n'
  },
  {
    name: 'dollar-quotes',
    about:
      'backslashes inside $tag$ quotes are text; tags must match exactly; a tag follows identifier rules',
    script: [
      'SELECT $a$ \\echo no $b$ still $ab$ $A$ $a$; \\echo MARK-1',
      'SELECT $$;\\echo no$$, $_x1$ $$ \\echo no $_x1$; \\echo MARK-2',
      'SELECT a$b$ FROM (SELECT 1 AS "a$b$") x; \\echo MARK-3', // a$b$ is an identifier
      'SELECT $1a$x$ ; \\echo MARK-4', // not a parameter followed by a tag: junk
      'SELECT 1$a$ \\echo no $a$; \\echo MARK-5', // after a number, $a$ opens a quote
      'SELECT $abc \\echo MARK-6',
      ';',
      'SELECT $q$',
      '\\echo no',
      "$q$ || 'x'; \\echo MARK-7",
      ''
    ].join('\n')
  },
  {
    name: 'nested-comments',
    about:
      'slash-star comments nest; -- comments end at \\r as well as \\n; operators stop at comment starts',
    script: [
      'SELECT 1 /* a /* b */ \\echo no ; */ + 1; \\echo MARK-1',
      'SELECT 1 -- c \\echo no',
      '; \\echo MARK-2',
      'SELECT 2 +-- c ; \\echo no',
      '; \\echo MARK-3',
      'SELECT 3 */ /**/ ; \\echo MARK-4',
      'SELECT 4 =/* x ; \\echo no */ 4; \\echo MARK-5',
      'SELECT 5 -- comment\r; \\echo MARK-6',
      ''
    ].join('\n')
  },
  {
    name: 'string-escapes',
    about: "E'' strings escape quotes with a backslash, standard strings do not",
    script: [
      "SELECT E'\\'' ; \\echo no';  \\echo MARK-1",
      "SELECT 'a\\'; \\echo MARK-2",
      "SELECT e'\\\\'; \\echo MARK-3",
      "SELECT E'a\\",
      "'; \\echo MARK-4",
      "SELECT 'it''s' ; \\echo MARK-5",
      "SELECT N'x\\'; \\echo MARK-6",
      "SELECT U&'d\\0061t\\' ; \\echo MARK-7",
      "SELECT B'01', X'ff', x'00'::bytea; \\echo MARK-8",
      "SELECT 1e'\\'; \\echo MARK-9", // "1e" is one token: the quote is a standard string
      "SELECT 1 AS e, 'x' \\echo MARK-10",
      ';',
      ''
    ].join('\n')
  },
  {
    name: 'copy-markers',
    about:
      'COPY data ends only at a line that is exactly \\. (then \\n or \\r\\n); the rest of the COPY line runs after the data',
    script: [
      'COPY fz FROM stdin; \\echo MARK-1',
      'a\\.b',
      '\\.x',
      ' \\.',
      '\\\\.',
      '\\echo no',
      "'",
      '\\.',
      'SELECT 1; \\echo MARK-2',
      'COPY fz FROM stdin; COPY fz FROM stdin; \\echo MARK-3',
      'first block',
      '\\.',
      'second block',
      '\\.',
      "COPY f (a, b) FROM stdin WITH (FORMAT csv); SELECT 'after'; \\echo MARK-4",
      'x,"y',
      '\\.',
      'z"',
      '\\.',
      'SELECT 2;',
      ''
    ].join('\n')
  },
  {
    name: 'crlf',
    about: 'CRLF line ends everywhere: statements, comments, COPY data and its end marker',
    script: [
      'SELECT 1; -- c\r',
      'CREATE TEMP TABLE c (\r',
      '  i int\r',
      '); \\echo MARK-1\r',
      'COPY fz FROM stdin;\r',
      'row 1\r',
      '\\.\r',
      'SELECT $$a\r',
      '$$;\r',
      '\\echo MARK-2\r',
      "SELECT 'x'\r",
      "'y';\r",
      ''
    ].join('\n')
  },
  {
    name: 'lone-cr',
    about:
      'a lone \\r ends a -- comment and can continue a string, but does not end a line for psql',
    script: [
      'SELECT 1 -- comment \r; \\echo MARK-1',
      "SELECT 'a'\r'b' \\echo MARK-2",
      ';',
      "SELECT E'a'\r'\\' \\echo no' ; \\echo MARK-3",
      "SELECT 'a' --c\r'b'; \\echo MARK-4",
      ''
    ].join('\n')
  },
  {
    name: 'standard-conforming-strings-off',
    about:
      "after SET standard_conforming_strings = off (from the next line on) '\\'' is an escaped quote",
    script: [
      "SET standard_conforming_strings = off; SELECT 'a\\'; \\echo MARK-1",
      "SELECT 'b\\'; \\echo no'; \\echo MARK-2",
      'SET standard_conforming_strings TO on;',
      "SELECT 'c\\'; \\echo MARK-3",
      ''
    ].join('\n')
  },
  {
    name: 'variables',
    about: 'psql variable references, typecasts and slices',
    script: [
      'SELECT :foo, :\'foo\', :"foo", :{?foo}; \\echo MARK-1',
      "SELECT 1::int, (ARRAY[1,2,3])[1:2], 'x'::text; \\echo MARK-2",
      "SELECT :'x y' AS z; \\echo MARK-3",
      'SELECT :::foo; \\echo MARK-4',
      ''
    ].join('\n')
  },
  {
    name: 'begin-atomic',
    about:
      'a ";" inside CREATE FUNCTION … BEGIN … END does not end the statement; an identifier named begin fools psql',
    script: [
      'CREATE FUNCTION f1() RETURNS int LANGUAGE sql',
      'BEGIN ATOMIC',
      '  SELECT 1;',
      '  SELECT CASE WHEN true THEN 2 END;',
      'END; \\echo MARK-1',
      'CREATE OR REPLACE FUNCTION begin() RETURNS int LANGUAGE sql RETURN 1; SELECT 2 AS x; SELECT 3 AS end; \\echo MARK-2',
      'CREATE PROCEDURE p1() LANGUAGE sql BEGIN ATOMIC INSERT INTO t1 VALUES (1); END; \\echo MARK-3',
      ''
    ].join('\n')
  },
  {
    name: 'restrict',
    about:
      'after \\restrict KEY only \\unrestrict KEY runs, and a refused command drops the rest of its line',
    script: [
      '\\restrict k1',
      'SELECT 1;',
      '\\echo no \\echo no',
      '\\unrestrict wrong',
      '\\unrestrict k1',
      '\\echo MARK-1',
      ''
    ].join('\n')
  },
  {
    name: 'meta-arguments',
    about:
      'where meta-command arguments end: quotes, the \\\\ separator, whole-line commands, unknown commands',
    script: [
      '\\echo \'a b\' "c d" e\\echo MARK-1',
      "\\echo 'x\\ny' \\\\ SELECT 1; \\echo MARK-2",
      "\\echo '`quoted, not run`' MARK-3",
      '\\zz what \\echo no',
      '\\echo MARK-4 \\\\',
      "\\echo 'unterminated \\echo no",
      '\\echo MARK-5',
      '\\\\ \\echo no',
      ''
    ].join('\n')
  },
  {
    name: 'connect',
    about: '\\connect opens a new connection and the script goes on in it',
    script:
      'SELECT 1; \\echo MARK-1\n\\connect\nSELECT 2; \\echo MARK-2\n\\c - \\echo MARK-3\nSELECT 3;\n'
  },
  {
    name: 'backslash-semicolon',
    about: '"\\;" puts a ";" into the query and psql sends several statements as one',
    script: [
      'SELECT 1 \\; SELECT 2; \\echo MARK-1',
      'SELECT 3 \\; COPY fz FROM stdin; \\echo MARK-2',
      'data',
      '\\.',
      "SELECT 'a\\:b' \\: ; \\echo MARK-3",
      ''
    ].join('\n')
  },
  {
    name: 'copy-variants',
    about: 'COPY … FROM STDIN spelled every way the grammar allows',
    script: [
      'copy fz from STDIN; \\echo MARK-1',
      'a',
      '\\.',
      '/* c */ COPY /* c */ "fz" /* c */ FROM -- c',
      '  stdin;',
      'b',
      '\\.',
      'COPY public.f (a, b) FROM stdin (FORMAT csv, HEADER false);',
      'c,d',
      '\\.',
      'COPY fz FROM STDOUT; \\echo MARK-2',
      'e',
      '\\.',
      'COPY (SELECT 1 FROM fz) TO STDOUT; \\echo MARK-3',
      'COPY fz TO stdout; \\echo MARK-4',
      ''
    ].join('\n')
  },
  {
    name: 'copy-schema-from',
    about:
      'a table named "from": psql 17/18 miscount it, the server copies; psql 15 follows the server',
    script: 'SELECT 1;\nCOPY s.from FROM stdin;\nx\n\\.\nSELECT 2; \\echo MARK-1\n'
  },
  {
    name: 'psql18-stale-copy-count',
    about:
      'psql 17/18 count a statement without words right after a COPY as another COPY and swallow lines up to \\.',
    script: [
      'COPY fz FROM stdin;',
      'a',
      '\\.',
      '(SELECT 1);',
      '\\echo swallowed by psql 17 and 18',
      'SELECT 2;',
      '\\.',
      'SELECT 3; \\echo MARK-1',
      ''
    ].join('\n')
  },
  {
    name: 'resend-copy-count',
    about:
      'a query a meta-command sends (\\g, also the previous one again) is counted anew, over every ";"',
    script: [
      'SELECT 1 \\; COPY fz FROM stdin \\g',
      'row',
      '\\.',
      'SELECT 0 \\;',
      'COPY fz FROM stdin;',
      'a',
      '\\.',
      '\\g',
      'b',
      '\\.',
      'SELECT 2; \\echo MARK-1',
      ''
    ].join('\n')
  },
  {
    name: 'numbers',
    about:
      'number tokens decide whether "--" is a comment and whether a letter starts a string prefix',
    script: [
      'SELECT 1e--x',
      ', 1; \\echo MARK-1',
      'SELECT 1_0e--x',
      '; \\echo MARK-2',
      "SELECT 0x'1'; \\echo MARK-3",
      'SELECT 1..2; \\echo MARK-4',
      "SELECT 1.e+x'ff'; \\echo MARK-5",
      ''
    ].join('\n')
  },
  {
    name: 'quit',
    about: '\\q sends what the buffer holds and stops reading',
    script: 'SELECT 1 \\q\n\\echo no\nSELECT 2;\n'
  },
  {
    name: 'bom',
    about: 'psql drops a UTF-8 byte-order mark on line 1 when the client encoding is UTF8',
    script: '\ufeffSELECT 1; \\echo MARK-1\n'
  },
  {
    name: 'bom-latin1',
    about: 'with client encoding LATIN1 the byte-order mark is part of the first statement',
    script: '\ufeffSELECT 1; \\echo MARK-1\n',
    clientEncoding: 'LATIN1'
  },
  {
    name: 'empty-and-blank-lines',
    about: 'empty lines are skipped outside quotes, kept inside; lines of spaces are kept',
    script: "SELECT 1\n\n   \n;\nSELECT '\n\n';\n\n\n;\n   ;\n"
  },
  {
    name: 'eof-without-semicolon',
    about: 'a statement without ";" at the end of the input is sent',
    script: 'SELECT 1;\nSELECT 2\n-- trailing comment'
  },
  {
    name: 'unterminated-at-eof',
    about: 'an open quote at the end of the input is sent as it is',
    script: "SELECT 'open\n\\echo inside\n"
  }
]
