/**
 * The psql lexer on tricky instances of every behaviour it models, with the events asserted;
 * chunk boundaries anywhere (every byte of each fixture, random chunkings) give the same events.
 * That the events are psql's own is proven against real psql in
 * __tests__/integration/psql-lexer-equivalence.test.ts.
 */
import { Readable } from 'node:stream'
import {
  PsqlLexer,
  PsqlLexerError,
  canonicalEncoding,
  lexPsqlScript,
  parsePgBool,
  psqlScriptEvents,
  type PsqlLexerOptions,
  type PsqlScriptEvent,
  type StatementEvent
} from '../../src/postgres/psql-lexer.js'
import { prng, randomScript } from '../support/psql-fuzz.js'
import { TRICKY_SCRIPTS } from '../support/psql-scripts.js'

type Short =
  | { s: string; line: number; copyIn?: number }
  | { m: string; args: string[]; line: number; rejected?: string }
  | { data: string; line: number }
  | { end: string; line: number }
  | { halt: string }
  | { unsupported: string }

/** Events in a compact form; COPY data of one block merged. */
function short(events: PsqlScriptEvent[]): Short[] {
  const out: Short[] = []
  for (const e of events) {
    if (e.kind === 'statement')
      out.push(
        e.copyIn ? { s: e.text, line: e.line, copyIn: e.copyIn } : { s: e.text, line: e.line }
      )
    else if (e.kind === 'metaCommand')
      out.push(
        e.rejected
          ? { m: e.name, args: e.args, line: e.line, rejected: e.rejected }
          : { m: e.name, args: e.args, line: e.line }
      )
    else if (e.kind === 'copyData') {
      const last = out[out.length - 1]
      if (last && 'data' in last) last.data += e.data.toString('latin1')
      else out.push({ data: e.data.toString('latin1'), line: e.line })
    } else if (e.kind === 'copyEnd')
      out.push({ end: e.end === 'marker' ? (e.marker ?? '') : 'eof', line: e.line })
    else if (e.kind === 'halt') out.push({ halt: e.reason })
    else out.push({ unsupported: e.reason })
  }
  return out
}

const lex = (script: string | Buffer, options: PsqlLexerOptions = {}): Short[] =>
  short(lexPsqlScript(script, options))
const statements = (script: string, options: PsqlLexerOptions = {}): StatementEvent[] =>
  lexPsqlScript(script, options).filter((e): e is StatementEvent => e.kind === 'statement')

describe('psql lexer: statements and meta-commands', () => {
  it('runs a meta-command after a statement on the same line, and between two lines of one statement', () => {
    expect(lex('CREATE TABLE b(i int); \\! echo P2 > f\nSELECT 1 \\echo X\n;\n')).toEqual([
      { s: 'CREATE TABLE b(i int);', line: 1 },
      { m: '!', args: ['echo P2 > f'], line: 1 },
      { m: 'echo', args: ['X'], line: 2 },
      { s: 'SELECT 1 \n;', line: 2 }
    ])
  })

  it('gives each event its line and byte offset', () => {
    const events = lexPsqlScript('SELECT 1;\n  \\echo a\n\nSELECT\n 2;')
    expect(events.map(e => [e.kind, e.line, e.offset])).toEqual([
      ['statement', 1, 0],
      ['metaCommand', 2, 12],
      ['statement', 4, 21]
    ])
  })

  it('drops leading white space and comments of a statement but keeps inner ones (and -- comments from psql 15 on)', () => {
    const script = '  -- lead\n/* c */ SELECT -- x\n 1; -- after\n'
    expect(lex(script)).toEqual([{ s: '/* c */ SELECT -- x\n 1;', line: 2 }])
    expect(lex(script, { psqlMajor: 14 })).toEqual([{ s: '/* c */ SELECT \n 1;', line: 2 }])
  })

  it('takes back the newline psql added when a line holds only a meta-command', () => {
    expect(lex('SELECT 1\n\\echo a\n;')).toEqual([
      { m: 'echo', args: ['a'], line: 2 },
      { s: 'SELECT 1\n;', line: 1 }
    ])
    // a line with text before the backslash keeps it
    expect(lex('SELECT 1\n  \\echo a\n;')).toEqual([
      { m: 'echo', args: ['a'], line: 2 },
      { s: 'SELECT 1\n  \n;', line: 1 }
    ])
  })

  it('skips empty lines outside quotes, keeps them inside, keeps lines of spaces', () => {
    expect(lex("SELECT 1\n\n   \n;\nSELECT '\n\n';\n")).toEqual([
      { s: 'SELECT 1\n   \n;', line: 1 },
      { s: "SELECT '\n\n';", line: 5 }
    ])
  })

  it('sends a statement without ";" at the end of input, even inside an open quote', () => {
    expect(lex('SELECT 1;\nSELECT 2\n-- trailing')).toEqual([
      { s: 'SELECT 1;', line: 1 },
      { s: 'SELECT 2\n-- trailing', line: 2 }
    ])
    expect(lex("SELECT 'open\n\\echo inside\n")).toEqual([
      { s: "SELECT 'open\n\\echo inside", line: 1 }
    ])
  })

  it('sends ";" alone as a statement, and nothing for a comment alone', () => {
    expect(lex(';\n-- x\n  ;')).toEqual([
      { s: ';', line: 1 },
      { s: ';', line: 3 }
    ])
    expect(lex('/* only a comment */')).toEqual([{ s: '/* only a comment */', line: 1 }])
  })

  it('does not end a statement at ";" inside parentheses', () => {
    expect(lex('SELECT (1;\n2); SELECT 3;')).toEqual([
      { s: 'SELECT (1;\n2);', line: 1 },
      { s: 'SELECT 3;', line: 2 }
    ])
  })
})

describe('psql lexer: quotes and comments', () => {
  it('reads $tag$ quotes: backslashes inside are text, tags must match, identifiers may contain $', () => {
    expect(lex('SELECT $a$ \\echo no $b$ $ab$ $A$ $a$; \\echo 1\n')).toEqual([
      { s: 'SELECT $a$ \\echo no $b$ $ab$ $A$ $a$;', line: 1 },
      { m: 'echo', args: ['1'], line: 1 }
    ])
    expect(lex('SELECT a$b$ \\echo 2\n;')).toEqual([
      { m: 'echo', args: ['2'], line: 1 },
      { s: 'SELECT a$b$ \n;', line: 1 }
    ])
    expect(lex('SELECT 1$a$ \\echo no $a$;')).toEqual([
      { s: 'SELECT 1$a$ \\echo no $a$;', line: 1 }
    ])
    expect(lex('SELECT $1a$ \\echo 3\n;')[0]).toEqual({ m: 'echo', args: ['3'], line: 1 })
    expect(lex('SELECT $abc \\echo 4\n;')[0]).toEqual({ m: 'echo', args: ['4'], line: 1 })
    expect(lex('SELECT $q$\n\\echo no\n$q$;')).toEqual([
      { s: 'SELECT $q$\n\\echo no\n$q$;', line: 1 }
    ])
    // $delim$...$junk$delim$: the last $ of a wrong tag can start the right one
    expect(lex('SELECT $d$ x $j$d$ ; \\echo 5\n')).toEqual([
      { s: 'SELECT $d$ x $j$d$ ;', line: 1 },
      { m: 'echo', args: ['5'], line: 1 }
    ])
  })

  it('nests slash-star comments and ends -- comments at \\r as well as \\n', () => {
    expect(lex('SELECT 1 /* a /* b */ \\echo no ; */ + 1; \\echo 1\n')).toEqual([
      { s: 'SELECT 1 /* a /* b */ \\echo no ; */ + 1;', line: 1 },
      { m: 'echo', args: ['1'], line: 1 }
    ])
    expect(lex('SELECT 1 -- c \\echo no\r; \\echo 2\n')).toEqual([
      { s: 'SELECT 1 -- c \\echo no\r;', line: 1 },
      { m: 'echo', args: ['2'], line: 1 }
    ])
    expect(lex('SELECT 2 +-- c ; \\echo no\n; SELECT 4 =/* ; \\echo no */ 4;')).toEqual([
      { s: 'SELECT 2 +-- c ; \\echo no\n;', line: 1 },
      { s: 'SELECT 4 =/* ; \\echo no */ 4;', line: 2 }
    ])
  })

  it("reads E'' strings with backslash escapes and standard strings without", () => {
    expect(lex("SELECT E'\\'; \\echo no'; \\echo 1\n")).toEqual([
      { s: "SELECT E'\\'; \\echo no';", line: 1 },
      { m: 'echo', args: ['1'], line: 1 }
    ])
    expect(lex("SELECT 'a\\'; \\echo 2\n")).toEqual([
      { s: "SELECT 'a\\';", line: 1 },
      { m: 'echo', args: ['2'], line: 1 }
    ])
    // a backslash at the end of a line escapes nothing: the next line starts fresh
    expect(lex("SELECT E'a\\\n'; \\echo 3\n")).toEqual([
      { s: "SELECT E'a\\\n';", line: 1 },
      { m: 'echo', args: ['3'], line: 2 }
    ])
    // N'', U&'', B'', X'' take no backslash escapes; "1e" is one token, not an E prefix
    expect(
      statements("SELECT N'x\\', U&'y\\', B'0', X'f', 1e'\\'; \\echo 4\n").map(s => s.text)
    ).toEqual(["SELECT N'x\\', U&'y\\', B'0', X'f', 1e'\\';"])
    // ...except in psql 13/14, where 1e' is the number 1 and an E'' string
    expect(lex("SELECT 1e'\\'; \\echo no'; \\echo 5\n", { psqlMajor: 14 })).toEqual([
      { s: "SELECT 1e'\\'; \\echo no';", line: 1 },
      { m: 'echo', args: ['5'], line: 1 }
    ])
  })

  it('continues a string over white space holding a newline — inside one psql line that is a lone \\r', () => {
    // E'a' \r '\'...' is one E'' string: the \' is an escape
    expect(lex("SELECT E'a'\r'\\' \\echo no' ; \\echo 1\n")).toEqual([
      { s: "SELECT E'a'\r'\\' \\echo no' ;", line: 1 },
      { m: 'echo', args: ['1'], line: 1 }
    ])
    expect(lex("SELECT 'a' --c\r'b'; \\echo 2\n")).toEqual([
      { s: "SELECT 'a' --c\r'b';", line: 1 },
      { m: 'echo', args: ['2'], line: 1 }
    ])
    // across real lines psql sees no newline (it reads line by line): no continuation
    expect(lex("SELECT E'a'\n'\\'; \\echo 3\n")).toEqual([
      { s: "SELECT E'a'\n'\\';", line: 1 },
      { m: 'echo', args: ['3'], line: 2 }
    ])
  })

  it('counts the plain literals whose end depends on standard_conforming_strings', () => {
    const count = (sql: string, options: PsqlLexerOptions = {}) =>
      statements(sql, options).map(s => s.ambiguousLiterals)
    expect(count("SELECT 'a\\', 'b\\\\', 'c''d', E'e\\'', 'f\\''';")).toEqual([2])
    expect(count("SELECT 'no backslash', 'x\\y', U&'z\\', B'0', X'f';")).toEqual([0])
    expect(count("SET standard_conforming_strings = off;\nSELECT 'a\\'', 'b\\\\';")).toEqual([0, 1])
  })

  it('reads "" identifiers with doubled quotes', () => {
    expect(lex('SELECT 1 AS "a"";\\echo no"; \\echo 1\n')).toEqual([
      { s: 'SELECT 1 AS "a"";\\echo no";', line: 1 },
      { m: 'echo', args: ['1'], line: 1 }
    ])
  })

  it('models number tokens of each psql version (they decide whether -- starts a comment)', () => {
    // 1e- is one token ({realfail}), so "--" is not a comment: ";" ends the statement
    expect(lex('SELECT 1e--x;\n;')).toEqual([
      { s: 'SELECT 1e--x;', line: 1 },
      { s: ';', line: 2 }
    ])
    // 1_0e- is a number in 16+; before, 1 and _0e are tokens and -- starts a comment
    expect(lex('SELECT 1_0e--x;\n;', { psqlMajor: 18 })).toEqual([
      { s: 'SELECT 1_0e--x;', line: 1 },
      { s: ';', line: 2 }
    ])
    expect(lex('SELECT 1_0e--x;\n;', { psqlMajor: 15 })).toEqual([
      { s: 'SELECT 1_0e--x;\n;', line: 1 }
    ])
    expect(lex("SELECT 1.e+x'ff'; SELECT 1..2;")).toEqual([
      { s: "SELECT 1.e+x'ff';", line: 1 },
      { s: 'SELECT 1..2;', line: 1 }
    ])
  })
})

describe('psql lexer: COPY data', () => {
  it('ends COPY data only at a line that is exactly \\. and goes on with the rest of the COPY line', () => {
    const script = [
      'COPY f FROM stdin; \\echo X',
      'a\\.b',
      '\\.x',
      ' \\.',
      '\\\\.',
      '\\echo no',
      '\\.',
      'SELECT 1;',
      ''
    ].join('\n')
    expect(lex(script)).toEqual([
      { s: 'COPY f FROM stdin;', line: 1, copyIn: 1 },
      { data: 'a\\.b\n\\.x\n \\.\n\\\\.\n\\echo no\n', line: 2 },
      { end: '\\.\n', line: 7 },
      { m: 'echo', args: ['X'], line: 1 },
      { s: 'SELECT 1;', line: 8 }
    ])
  })

  it('reads one data block per COPY of a line, in order', () => {
    expect(lex('COPY a FROM stdin; COPY b FROM stdin; \\echo X\n1\n\\.\n2\n\\.\n')).toEqual([
      { s: 'COPY a FROM stdin;', line: 1, copyIn: 1 },
      { data: '1\n', line: 2 },
      { end: '\\.\n', line: 3 },
      { s: 'COPY b FROM stdin;', line: 1, copyIn: 1 },
      { data: '2\n', line: 4 },
      { end: '\\.\n', line: 5 },
      { m: 'echo', args: ['X'], line: 1 }
    ])
  })

  it('starts the data on the line after the one holding the COPY statement’s ";"', () => {
    expect(lex('COPY f\nFROM stdin\n; SELECT 1;\nrow\n\\.\n')).toEqual([
      { s: 'COPY f\nFROM stdin\n;', line: 1, copyIn: 1 },
      { data: 'row\n', line: 4 },
      { end: '\\.\n', line: 5 },
      { s: 'SELECT 1;', line: 3 }
    ])
  })

  it('ends COPY data at the end of input too (a last line without \\n, or \\. without \\n, is data)', () => {
    expect(lex('COPY f FROM stdin;\nrow\n\\.')).toEqual([
      { s: 'COPY f FROM stdin;', line: 1, copyIn: 1 },
      { data: 'row\n\\.', line: 2 },
      { end: 'eof', line: 3 }
    ])
    expect(lex('COPY f FROM stdin')).toEqual([
      { s: 'COPY f FROM stdin', line: 1, copyIn: 1 },
      { end: 'eof', line: 1 }
    ])
  })

  it('recognises COPY … FROM STDIN however it is spelled, and nothing else', () => {
    const copyIn = (sql: string, options: PsqlLexerOptions = {}): number[] =>
      statements(`${sql}\n\\.\n`, options).map(s => s.copyIn)
    expect(copyIn('copy fz from STDIN;')).toEqual([1])
    expect(copyIn('/* c */ COPY /* c */ "fz" -- c\n FROM\n stdin;')).toEqual([1])
    expect(copyIn('COPY public.f (a, b) FROM stdin WITH (FORMAT csv);')).toEqual([1])
    expect(copyIn('COPY BINARY f FROM stdin;')).toEqual([1])
    expect(copyIn('COPY f FROM STDOUT;')).toEqual([1]) // the grammar takes STDOUT for STDIN
    expect(copyIn('COPY f TO stdout;')).toEqual([0])
    expect(copyIn('COPY (SELECT 1 FROM stdin) TO STDOUT;')).toEqual([0])
    expect(copyIn("COPY f FROM '/tmp/x';")).toEqual([0])
    expect(copyIn('SELECT 1 AS copy FROM stdin;')).toEqual([0])
    // a table named "from": the server copies (15 follows it); psql 17/18 count no COPY
    const [s15] = statements('COPY s.from FROM stdin;\n\\.\n', { psqlMajor: 15 })
    expect([s15.copyIn, s15.serverCopyIn, s15.psqlCopyIn]).toEqual([1, 1, undefined])
    const [s18] = statements('COPY s.from FROM stdin;\n\\.\n', { psqlMajor: 18 })
    expect([s18.copyIn, s18.serverCopyIn, s18.psqlCopyIn]).toEqual([0, 1, 0])
  })

  it('reports COPY’s direction and target, PROGRAM and binary', () => {
    const part = (sql: string) => statements(sql)[0].parts[0].copy
    expect(part('COPY f FROM stdin;')).toEqual({
      direction: 'from',
      target: 'stdin',
      binaryHint: false
    })
    expect(part("COPY f TO PROGRAM 'curl x';")).toEqual({
      direction: 'to',
      target: 'program',
      binaryHint: false
    })
    expect(part("copy f from program 'id';")).toEqual({
      direction: 'from',
      target: 'program',
      binaryHint: false
    })
    expect(part('COPY f FROM stdin (FORMAT binary);')).toEqual({
      direction: 'from',
      target: 'stdin',
      binaryHint: true
    })
    expect(part('COPY f;')).toEqual({ direction: 'unknown', target: 'unknown', binaryHint: false })
  })

  it('follows psql 17/18 where they count a statement without words after a COPY as another COPY', () => {
    const script = 'COPY fz FROM stdin;\na\n\\.\n(SELECT 1);\n\\echo eaten\n\\.\nSELECT 3;\n'
    expect(lex(script, { psqlMajor: 18 })).toEqual([
      { s: 'COPY fz FROM stdin;', line: 1, copyIn: 1 },
      { data: 'a\n', line: 2 },
      { end: '\\.\n', line: 3 },
      { s: '(SELECT 1);', line: 4, copyIn: 1 },
      { data: '\\echo eaten\n', line: 5 },
      { end: '\\.\n', line: 6 },
      { s: 'SELECT 3;', line: 7 }
    ])
    expect(lex(script, { psqlMajor: 15 })).toEqual([
      { s: 'COPY fz FROM stdin;', line: 1, copyIn: 1 },
      { data: 'a\n', line: 2 },
      { end: '\\.\n', line: 3 },
      { s: '(SELECT 1);', line: 4 },
      { m: 'echo', args: ['eaten'], line: 5 },
      { m: '.', args: [], line: 6, rejected: 'unknown' },
      { s: 'SELECT 3;', line: 7 }
    ])
  })

  it('counts COPY again in a query a meta-command sends, over every ";" (psql 17/18 as Debian builds them)', () => {
    expect(
      lex('SELECT 1 \\; COPY f FROM stdin \\g\nrow\n\\.\n\\g\nrow 2\n\\.\n', { psqlMajor: 18 })
    ).toEqual([
      { m: 'g', args: [], line: 1 },
      { s: 'SELECT 1 ; COPY f FROM stdin ', line: 1, copyIn: 1 },
      { data: 'row\n', line: 2 },
      { end: '\\.\n', line: 3 },
      { m: 'g', args: [], line: 4 },
      { s: 'SELECT 1 ; COPY f FROM stdin ', line: 4, copyIn: 1 },
      { data: 'row 2\n', line: 5 },
      { end: '\\.\n', line: 6 }
    ])
  })

  it('passes COPY data as views of the written chunks', () => {
    const chunk = Buffer.from('COPY f FROM stdin;\nsome data\n\\.\n')
    const lexer = new PsqlLexer()
    const data = lexer.write(chunk).find(e => e.kind === 'copyData')
    expect(data?.kind === 'copyData' && data.data.buffer).toBe(chunk.buffer)
  })
})

describe('psql lexer: line ends, byte-order mark, encodings', () => {
  it('treats \\r\\n as a line end everywhere, the COPY end marker included; psql sends the \\r', () => {
    const script =
      'SELECT 1; -- c\r\nCREATE TABLE c (\r\n  i int\r\n); \\echo X\r\nCOPY fz FROM stdin;\r\nrow 1\r\n\\.\r\nSELECT 2;\r\n'
    expect(lex(script)).toEqual([
      { s: 'SELECT 1;', line: 1 },
      { s: 'CREATE TABLE c (\r\n  i int\r\n);', line: 2 },
      { m: 'echo', args: ['X'], line: 4 },
      { s: 'COPY fz FROM stdin;', line: 5, copyIn: 1 },
      { data: 'row 1\r\n', line: 6 },
      { end: '\\.\r\n', line: 7 },
      { s: 'SELECT 2;', line: 8 }
    ])
  })

  it('drops a UTF-8 byte-order mark on line 1 when the client encoding is UTF8 only', () => {
    expect(lexPsqlScript('\ufeffSELECT 1;')[0]).toMatchObject({
      text: 'SELECT 1;',
      line: 1,
      offset: 3
    })
    const latin1 = lexPsqlScript('\ufeffSELECT 1;', {
      clientEncoding: 'LATIN1'
    })[0] as StatementEvent
    expect(latin1.sql).toEqual(Buffer.from('\ufeffSELECT 1;', 'utf8'))
    expect(lexPsqlScript('SELECT 1;\n\ufeffSELECT 2;')[1]).toMatchObject({
      text: '\ufeffSELECT 2;'
    })
  })

  it('stops at a custom-format archive header like psql', () => {
    expect(lex('PGDMP\u0001\u000e\u0000')).toEqual([{ halt: 'custom-format-archive' }])
  })

  it('stops at a NUL byte (psql would silently drop the rest of that line), also in COPY data', () => {
    expect(lex('SELECT 1;\nSELECT\u00002;\nSELECT 3;')).toEqual([
      { s: 'SELECT 1;', line: 1 },
      { unsupported: 'nul-byte' }
    ])
    expect(lex('COPY f FROM stdin;\na\u0000b\n\\.\n')).toEqual([
      { s: 'COPY f FROM stdin;', line: 1, copyIn: 1 },
      { unsupported: 'nul-byte' }
    ])
  })

  it('follows SET standard_conforming_strings from the next line on, as psql does', () => {
    const script =
      "SET standard_conforming_strings = off; SELECT 'a\\'; \\echo 1\nSELECT 'b\\'; \\echo no'; \\echo 2\nSET standard_conforming_strings TO 'on';\nSELECT 'c\\'; \\echo 3\n"
    expect(lex(script)).toEqual([
      { s: 'SET standard_conforming_strings = off;', line: 1 },
      { s: "SELECT 'a\\';", line: 1 },
      { m: 'echo', args: ['1'], line: 1 },
      { s: "SELECT 'b\\'; \\echo no';", line: 2 },
      { m: 'echo', args: ['2'], line: 2 },
      { s: "SET standard_conforming_strings TO 'on';", line: 3 },
      { s: "SELECT 'c\\';", line: 4 },
      { m: 'echo', args: ['3'], line: 4 }
    ])
    const s = statements(script)
    expect(s[0].effects).toEqual({ standardConformingStrings: false })
    expect(s[3].standardConformingStrings).toBe(false)
  })

  it('reports any other SET or RESET of standard_conforming_strings or client_encoding as unknown, and nothing for a statement that only names them', () => {
    const effects = (sql: string) => statements(sql)[0].effects
    // a change no SET shows (set_config, a function): the script gate checks the settings
    expect(
      effects("SELECT set_config('standard_conforming_strings', 'off', false);")
    ).toBeUndefined()
    expect(
      effects("CREATE VIEW v AS SELECT current_setting('client_encoding') AS e;")
    ).toBeUndefined()
    // RESET and DEFAULT: the session's reset value (the lexer's start values), which the server
    // reports and psql follows
    expect(effects('RESET standard_conforming_strings;')).toEqual({
      standardConformingStrings: true
    })
    expect(effects('SET standard_conforming_strings TO DEFAULT;')).toEqual({
      standardConformingStrings: true
    })
    expect(effects("SET standard_conforming_strings = 'default';")).toEqual({
      standardConformingStrings: 'unknown'
    })
    expect(effects('RESET standard_conforming_strings, x;')).toEqual({
      standardConformingStrings: 'unknown'
    })
    expect(effects('SET LOCAL standard_conforming_strings = off;')).toEqual({
      standardConformingStrings: 'unknown'
    })
    expect(effects('RESET ALL;')).toEqual({
      standardConformingStrings: true,
      clientEncoding: 'UTF8'
    })
    expect(effects("SET client_encoding = 'LATIN1';")).toEqual({ clientEncoding: 'LATIN1' })
    expect(effects("SET NAMES 'utf-8';")).toEqual({ clientEncoding: 'UTF8' })
    expect(effects('SET client_encoding TO DEFAULT;')).toEqual({ clientEncoding: 'UTF8' })
    expect(effects('RESET client_encoding;')).toEqual({ clientEncoding: 'UTF8' })
    expect(effects('SET LOCAL client_encoding TO DEFAULT;')).toEqual({ clientEncoding: 'unknown' })
    expect(effects('SELECT 1;')).toBeUndefined()
  })

  it('stops before a line psql would lex in a client-only encoding (SJIS, BIG5, GBK, …)', () => {
    expect(lex("SET client_encoding = 'SJIS';\nSELECT 1;")).toEqual([
      { s: "SET client_encoding = 'SJIS';", line: 1 },
      { unsupported: 'client-encoding' }
    ])
  })

  describe('multiByteEncodings: a client-only encoding read as psql reads it (psqlscan_prepare_buffer)', () => {
    // "ソ" in SJIS and BIG5's "許" end with the byte of "\\" (0x5c): read byte by byte, E'ソ'
    // would escape its closing quote and run on into the next statement
    const E_STRING = (lead: number): Buffer =>
      Buffer.concat([
        Buffer.from("SELECT E'"),
        Buffer.from([lead, 0x5c]),
        Buffer.from("';\nSELECT 2;\n")
      ])
    it.each([
      ['SJIS', 0x83],
      ['BIG5', 0xb3],
      ['GBK', 0x81],
      ['UHC', 0x81],
      ['GB18030', 0x81],
      ['JOHAB', 0x84]
    ])('%s: a character ending in a "\\" byte ends no string; the text as written', (enc, lead) => {
      const script = Buffer.concat([
        Buffer.from(`SET client_encoding = '${enc}';\n`),
        E_STRING(lead)
      ])
      const events = lexPsqlScript(script, { multiByteEncodings: true }) as StatementEvent[]
      expect(events.map(e => e.kind)).toEqual(['statement', 'statement', 'statement'])
      expect(events[1].sql).toEqual(E_STRING(lead).subarray(0, 13))
      expect(events[2].text).toBe('SELECT 2;')
      // the client's encoding from its first line (PGCLIENTENCODING): the same
      expect(
        (
          lexPsqlScript(E_STRING(lead), {
            clientEncoding: enc,
            multiByteEncodings: true
          }) as StatementEvent[]
        ).map(e => e.text.length)
      ).toEqual([13, 9])
    })

    it('half-width katakana (SJIS 0xa1–0xdf) are one byte: the "\\" after one is one', () => {
      const script = Buffer.concat([
        Buffer.from("SELECT E'"),
        Buffer.from([0xb1, 0x5c]),
        Buffer.from("'';\nSELECT 2;\n")
      ])
      const events = lexPsqlScript(script, { clientEncoding: 'SJIS', multiByteEncodings: true })
      // E'ｱ\'' is one string (an escaped quote), then ";"
      expect((events as StatementEvent[]).map(e => e.sql.length)).toEqual([14, 9])
    })

    it('GB18030 four-byte characters (second byte 0x30–0x39)', () => {
      const script = Buffer.concat([
        Buffer.from("SELECT E'"),
        Buffer.from([0x81, 0x30, 0x81, 0x5c]),
        Buffer.from("';\nSELECT 2;\n")
      ])
      const events = lexPsqlScript(script, { clientEncoding: 'GB18030', multiByteEncodings: true })
      expect((events as StatementEvent[]).map(e => e.sql.length)).toEqual([15, 9])
    })

    it('without it, still stops there', () => {
      expect(() => lexPsqlScript(E_STRING(0x83), { clientEncoding: 'SJIS' })).toThrow(
        /SJIS is not supported/
      )
    })
  })

  it('decodes LATIN1 text byte by byte', () => {
    const [s] = lexPsqlScript(
      Buffer.from([0x53, 0x45, 0x4c, 0x45, 0x43, 0x54, 0x20, 0x27, 0xe9, 0x27, 0x3b]),
      {
        clientEncoding: 'latin1'
      }
    ) as StatementEvent[]
    expect(s.text).toBe("SELECT 'é';")
  })
})

describe('psql lexer: meta-command arguments', () => {
  it('ends arguments at an unquoted backslash, eats "\\\\", reads quotes like psql', () => {
    expect(lex("\\echo 'a b' \"c d\" e\\echo f\n\\echo 'x\\ny' \\\\ SELECT 1;\n")).toEqual([
      { m: 'echo', args: ['a b', '"c d"', 'e'], line: 1 },
      { m: 'echo', args: ['f'], line: 1 },
      { m: 'echo', args: ['x\ny'], line: 2 },
      { s: 'SELECT 1;', line: 2 }
    ])
  })

  it('gives whole-line commands the rest of the line', () => {
    const [m] = lexPsqlScript(
      "\\! echo a \\echo b\n\\copy f from program 'id'\n\\o |cat \\echo c\n"
    ) as never[]
    expect(
      lex("\\! echo a \\echo b\n\\copy f to program 'id'\n\\o |cat \\echo c\n\\o file \\echo d\n")
    ).toEqual([
      { m: '!', args: ['echo a \\echo b'], line: 1 },
      { m: 'copy', args: ["f to program 'id'"], line: 2 },
      { m: 'o', args: ['|cat \\echo c'], line: 3 },
      { m: 'o', args: ['file'], line: 4 },
      { m: 'echo', args: ['d'], line: 4 }
    ])
    expect(m).toBeDefined()
  })

  it('flags backquotes and variables in arguments', () => {
    const [m] = lexPsqlScript('\\set x `id` :y\n')
    expect(m).toMatchObject({ kind: 'metaCommand', name: 'set', backquote: true })
    expect(m.kind === 'metaCommand' && m.variables.map(v => v.name)).toEqual(['y'])
  })

  it('drops the rest of the line after an unknown command, like psql', () => {
    expect(lex('\\zz what \\echo no\n\\\\ \\echo no\n\\echo yes\n')).toEqual([
      { m: 'zz', args: [], line: 1, rejected: 'unknown' },
      { m: '', args: [], line: 2, rejected: 'unknown' },
      { m: 'echo', args: ['yes'], line: 3 }
    ])
  })

  it('models \\restrict: only \\unrestrict with the key runs until then', () => {
    expect(
      lex(
        '\\restrict k1\nSELECT 1;\n\\echo no \\echo no\n\\unrestrict wrong\n\\unrestrict k1\n\\echo yes\n'
      )
    ).toEqual([
      { m: 'restrict', args: ['k1'], line: 1 },
      { s: 'SELECT 1;', line: 2 },
      { m: 'echo', args: [], line: 3, rejected: 'restricted' },
      { m: 'unrestrict', args: ['wrong'], line: 4, rejected: 'error' },
      { m: 'unrestrict', args: ['k1'], line: 5 },
      { m: 'echo', args: ['yes'], line: 6 }
    ])
  })

  it('reads \\unrestrict’s key as the rest of the line from psql 17, as one argument before', () => {
    expect(lex('\\restrict k\n\\unrestrict k x\n\\echo a\n', { psqlMajor: 18 })).toEqual([
      { m: 'restrict', args: ['k'], line: 1 },
      { m: 'unrestrict', args: ['k x'], line: 2, rejected: 'error' },
      { m: 'echo', args: [], line: 3, rejected: 'restricted' }
    ])
    expect(lex('\\restrict k\n\\unrestrict k x\n\\echo a\n', { psqlMajor: 15 })).toEqual([
      { m: 'restrict', args: ['k'], line: 1 },
      { m: 'unrestrict', args: ['k', 'x'], line: 2 },
      { m: 'echo', args: ['a'], line: 3 }
    ])
  })

  it('sends the buffer on \\g (or the previous statement when empty) and resets it on \\r', () => {
    expect(lex('SELECT 1 \\g\n\\g\nSELECT 2 \\r\nSELECT 3;\n')).toEqual([
      { m: 'g', args: [], line: 1 },
      { s: 'SELECT 1 ', line: 1 },
      { m: 'g', args: [], line: 2 },
      { s: 'SELECT 1 ', line: 2 },
      { m: 'r', args: [], line: 3 },
      { s: 'SELECT 3;', line: 4 }
    ])
  })

  it('sends what the buffer holds on \\q and stops', () => {
    expect(lex('SELECT 1 \\q\n\\echo no\nSELECT 2;\n')).toEqual([
      { m: 'q', args: [], line: 1 },
      { s: 'SELECT 1 ', line: 1 },
      { halt: 'quit' }
    ])
  })

  it('reads COPY data after \\copy … from stdin / pstdin', () => {
    expect(lex('\\copy f from stdin\nrow\n\\.\nSELECT 1;\n')).toEqual([
      { m: 'copy', args: ['f from stdin'], line: 1 },
      { data: 'row\n', line: 2 },
      { end: '\\.\n', line: 3 },
      { s: 'SELECT 1;', line: 4 }
    ])
  })

  it('reports psql variable references and writes :{?x} as FALSE like psql does for an unset one', () => {
    const [s] = statements('SELECT :foo, :\'bar\', :"baz", :{?qux}, a::int, arr[1:2], :::x;')
    expect(s.variables.map(v => [v.form, v.name, v.offset])).toEqual([
      ['plain', 'foo', 7],
      ['literal', 'bar', 13],
      ['identifier', 'baz', 21],
      ['test', 'qux', 29],
      ['plain', '2', 51],
      ['plain', 'x', 58]
    ])
    expect(s.text).toBe('SELECT :foo, :\'bar\', :"baz", FALSE, a::int, arr[1:2], :::x;')
  })
})

describe('psql lexer: statement parts, keywords and settings', () => {
  it('keeps CREATE FUNCTION … BEGIN ATOMIC … END; as one statement with one part per body statement', () => {
    const [s] = statements(
      'CREATE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n SELECT 1;\n SELECT CASE WHEN true THEN 2 END;\nEND;\n'
    )
    expect(s.parts.map(p => s.text.slice(p.start, p.end).trim())).toEqual([
      'CREATE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n SELECT 1',
      'SELECT CASE WHEN true THEN 2 END',
      'END'
    ])
    expect(s.parts[0].keywords).toEqual(['CREATE', 'FUNCTION', 'F'])
  })

  it('shows the statements psql joins because of an identifier named begin', () => {
    const s = statements(
      'CREATE FUNCTION begin() RETURNS int LANGUAGE sql RETURN 1; COMMIT; SELECT 1 AS end;'
    )
    expect(s).toHaveLength(1)
    expect(s[0].parts.map(p => p.keywords[0])).toEqual(['CREATE', 'COMMIT', 'SELECT'])
  })

  it('splits "\\;" into parts and counts the escapes', () => {
    const [s] = statements('SELECT 1 \\; COPY f FROM stdin;\n\\.\n')
    expect(s.text).toBe('SELECT 1 ; COPY f FROM stdin;')
    expect(s.backslashEscapes).toBe(1)
    expect(s.parts.map(p => p.keywords)).toEqual([['SELECT'], ['COPY', 'F', 'FROM', 'STDIN']])
    expect(s.copyIn).toBe(1)
  })

  it('keeps depth-0 tokens with their text', () => {
    const [s] = statements('ALTER TABLE ONLY public."T" OWNER TO "app"; ')
    expect(s.parts[0].tokens.map(t => `${t.type}:${t.text}`)).toEqual([
      'ident:ALTER',
      'ident:TABLE',
      'ident:ONLY',
      'ident:public',
      'punct:.',
      'qident:"T"',
      'ident:OWNER',
      'ident:TO',
      'qident:"app"'
    ])
  })
})

describe('psql lexer: options and helpers', () => {
  it('refuses invalid options with a clear error', () => {
    expect(() => new PsqlLexer({ psqlMajor: 12 })).toThrow(
      /psqlMajor must be a PostgreSQL major version from 13 to 18/
    )
    expect(() => new PsqlLexer({ clientEncoding: 'klingon' })).toThrow(
      /not a PostgreSQL encoding name/
    )
    expect(() => new PsqlLexer({ clientEncoding: 'SJIS' })).toThrow(PsqlLexerError)
    const l = new PsqlLexer()
    l.end()
    expect(() => l.write(Buffer.from('x'))).toThrow(/write after end/)
  })

  it('matches encoding names and booleans like PostgreSQL', () => {
    expect(canonicalEncoding('utf-8')).toBe('UTF8')
    expect(canonicalEncoding('ISO_8859_1')).toBe('LATIN1')
    expect(canonicalEncoding('Windows-1252')).toBe('WIN1252')
    expect(canonicalEncoding('nope')).toBeUndefined()
    expect(['on', 'OFF', 'of', 't', 'fal', 'yes', 'n', '1', '0', 'o', ''].map(parsePgBool)).toEqual(
      [true, false, false, true, false, true, false, true, false, undefined, undefined]
    )
  })

  it('lexes a stream with psqlScriptEvents', async () => {
    const chunks = ['SELECT 1;\nCOPY f FROM st', 'din;\nrow\n\\', '.\n\\echo x\n']
    const events: PsqlScriptEvent[] = []
    for await (const e of psqlScriptEvents(Readable.from(chunks.map(c => Buffer.from(c)))))
      events.push(e)
    expect(short(events)).toEqual([
      { s: 'SELECT 1;', line: 1 },
      { s: 'COPY f FROM stdin;', line: 2, copyIn: 1 },
      { data: 'row\n', line: 3 },
      { end: '\\.\n', line: 4 },
      { m: 'echo', args: ['x'], line: 5 }
    ])
  })
})

/** Events in a comparable form: COPY data of one block merged (chunking splits it). */
function normalised(events: PsqlScriptEvent[]): unknown[] {
  const out: unknown[] = []
  for (const e of events) {
    if (e.kind === 'copyData') {
      const last = out[out.length - 1] as { kind?: string; data?: string } | undefined
      if (last?.kind === 'copyData') last.data += e.data.toString('latin1')
      else out.push({ ...e, data: e.data.toString('latin1') })
    } else if (e.kind === 'statement') out.push({ ...e, sql: e.sql.toString('latin1') })
    else out.push(e)
  }
  return out
}

function lexChunked(
  script: Buffer,
  cuts: number[],
  options: PsqlLexerOptions = {}
): PsqlScriptEvent[] {
  const lexer = new PsqlLexer(options)
  const events: PsqlScriptEvent[] = []
  let prev = 0
  for (const cut of [...cuts, script.length]) {
    events.push(...lexer.write(script.subarray(prev, cut)))
    prev = cut
  }
  events.push(...lexer.end())
  return events
}

/** A pg_dump-like script with COPY data of every shape the chunk boundaries could split. */
const DUMP_LIKE = [
  '\\restrict abc123',
  'SET standard_conforming_strings = on;\r',
  "SELECT pg_catalog.set_config('search_path', '', false);",
  'CREATE FUNCTION public.f() RETURNS integer',
  '    LANGUAGE sql',
  '    BEGIN ATOMIC',
  ' SELECT 1;',
  'END;',
  'COPY public.t (a, b) FROM stdin;',
  '1\tx\\\\.',
  '2\t\\N',
  '\\.',
  'COPY public.u (a) FROM stdin;\r',
  'crlf\r',
  '\\.\r',
  'COPY public.v (a) FROM stdin;',
  '\\.',
  '\\unrestrict abc123',
  ''
].join('\n')

describe('psql lexer: chunk boundaries', () => {
  const fixtures: [string, Buffer][] = [
    ['pg_dump-like', Buffer.from(DUMP_LIKE)],
    ...TRICKY_SCRIPTS.map(t => [t.name, Buffer.from(t.script)] as [string, Buffer])
  ]

  it.each(fixtures)('gives the same events for %s cut at every byte', (_name, script) => {
    const whole = normalised(lexChunked(script, []))
    for (let cut = 1; cut < script.length; cut++)
      expect(normalised(lexChunked(script, [cut]))).toEqual(whole)
  })

  it('gives the same events for random scripts in random chunkings (1-byte chunks included)', () => {
    const r = prng(7)
    for (let seed = 1; seed <= 60; seed++) {
      const script = Buffer.from(randomScript(seed, 80))
      for (const psqlMajor of [15, 18]) {
        const whole = normalised(lexChunked(script, [], { psqlMajor }))
        const cuts: number[] = []
        for (
          let p = 1 + Math.floor(r() * 8);
          p < script.length;
          p += 1 + Math.floor(r() * (r() < 0.3 ? 2 : 40))
        )
          cuts.push(p)
        expect(normalised(lexChunked(script, cuts, { psqlMajor }))).toEqual(whole)
        const single = Array.from({ length: script.length - 1 }, (_, k) => k + 1)
        if (seed <= 10) expect(normalised(lexChunked(script, single, { psqlMajor }))).toEqual(whole)
      }
    }
  })
})
