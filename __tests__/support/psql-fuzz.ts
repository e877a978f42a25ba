/**
 * Deterministic random psql scripts built from the fragments that make psql's lexer hard: every
 * kind of quote and its escapes, comments, number/identifier adjacency, dollar tags, variable
 * references, "\;", CREATE FUNCTION … BEGIN … END, line ends of every kind (\n, \r\n, a lone
 * \r), COPY … FROM STDIN blocks with near-miss end markers, and harmless meta-commands (\echo
 * with quoting, "\\" separators, unknown commands, \r, \g, \restrict/\unrestrict, \connect).
 * Used by the chunking property test and by the differential test against real psql (so no
 * fragment may run a shell command, write a file or leave the database: no backquotes outside
 * quotes, no \! \o \w, and \g and \c only at the end of a line, without arguments).
 */

/** A small seeded PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const SQL_FRAGMENTS = [
  'SELECT 1',
  'SELECT 1;',
  ';',
  ' ',
  "'a\\'",
  "'a\\''",
  "E'a\\''",
  "E'\\\\'",
  "e'\\''",
  "'it''s'",
  "B'01'",
  "X'ff'",
  "N'x'",
  "U&'d\\0061t'",
  'U&"x"',
  '"id""x"',
  '"a;b"',
  '$$a;b$$',
  '$a$ x; $a$',
  '$a$',
  '$b$',
  '$$',
  '$1',
  '$1a',
  '$1e',
  '1e',
  '1e+',
  '1e-',
  '1e--',
  '1..2',
  '1.5e10x',
  '0x1f',
  '0b1',
  '0o7',
  '1_000',
  '1_0e-',
  '.5',
  '.5e-',
  'a$b$',
  '$abc',
  'x$$',
  '--c',
  '-- c ; \\echo no',
  '/*',
  '*/',
  '/* a /* b */ c */',
  '/*/',
  '**/',
  '(',
  ')',
  '((',
  '))',
  '::int',
  ':foo',
  ":'foo'",
  ':"foo"',
  ':{?foo}',
  ':{x',
  ':=',
  ':::foo',
  '\\;',
  '\\:',
  '+--',
  '=/*',
  '-/*',
  '!--',
  'u&x',
  'u&',
  "e'",
  "x'",
  "b'",
  "n'",
  "'",
  '"',
  "''",
  "'''",
  'CREATE FUNCTION f()',
  'CREATE OR REPLACE PROCEDURE',
  'create or replace function',
  'BEGIN',
  'begin atomic',
  'END',
  'CASE',
  'end;',
  'copy',
  'from',
  'stdin',
  'é',
  '日本',
  'a\\b',
  '\\\\'
]

const META_FRAGMENTS = [
  '\\echo MARK',
  "\\echo 'q x' MARK \\\\",
  '\\echo MARK \\echo MARK2',
  '\\echo "dq x" MARK',
  "\\echo 'a\\nb' MARK",
  "\\echo 'it''s' '\\x41\\101'",
  "\\echo '`not run`'",
  '\\echo :foo MARK',
  '\\echo :\'foo\' :"foo"',
  '\\echo',
  '\\echo MARK\\echo MARK3',
  '\\zz unknown \\echo dropped',
  '\\r',
  '\\g\n',
  '\\\\',
  '\\',
  '\\restrict key1',
  '\\unrestrict key1',
  '\\unrestrict key1 extra',
  '\\c\n'
]

const DATA_LINES = [
  'plain',
  '\\.x',
  ' \\.',
  'a\\.b',
  '\\\\.',
  '',
  'x;y',
  "'",
  '$$',
  '\\echo no',
  '--',
  '/*'
]

const SEPARATORS = [' ', '\n', '\n', '\n', '\r\n', '', '\r', '\t', ' \n']

/** A random script (UTF-8 text) of about `size` fragments. */
export function randomScript(seed: number, size = 60): string {
  const r = prng(seed)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]
  let s = ''
  for (let k = 0; k < size; k++) {
    const x = r()
    let frag: string
    if (x < 0.7) frag = pick(SQL_FRAGMENTS)
    else if (x < 0.9) {
      frag = pick(META_FRAGMENTS)
      if (frag === '\\c\n' && r() < 0.7) frag = '\\echo MARK' // keep reconnects rare
    } else {
      // a COPY block: the statement, then lines after the line holding its ";"
      const eol = r() < 0.3 ? '\r\n' : '\n'
      const lines: string[] = []
      const n = Math.floor(r() * 4)
      for (let i = 0; i < n; i++) lines.push(pick(DATA_LINES))
      const end = r() < 0.9 ? `\\.${r() < 0.3 ? '\r\n' : '\n'}` : ''
      const tail = r() < 0.3 ? ` ${pick(META_FRAGMENTS.slice(0, 5))}` : ''
      frag = `${eol}COPY fz FROM stdin;${tail}${eol}${lines.map(l => l + eol).join('')}${end}`
    }
    s += frag + pick(SEPARATORS)
  }
  return s
}
