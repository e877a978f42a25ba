/**
 * sqlTokens (plain-sql.ts) reads statements by character codes; it must split every text exactly
 * as the sticky regular expression it replaced did (kept here as the reference): the schemas,
 * objects and written tables the restore's checks find depend on each token. Compared on texts
 * of the shapes pg_dump writes, on every corner the regex had (unterminated quotes, E'…' escapes,
 * dollar tags, nested comments, one-digit numbers, non-ASCII identifiers and white space), and on
 * random texts over an alphabet of those characters.
 */
import { describe, expect, it } from '@jest/globals'
import { sqlTokens, writtenTables } from '../../src/postgres/plain-sql.js'

interface SqlToken {
  kind: 'ident' | 'string' | 'punct'
  value: string
  quoted?: boolean
}

const TOKEN =
  /[Ee]'((?:[^'\\]|\\[^]|'')*)'?|([A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*)|"((?:[^"]|"")*)"?|'((?:[^']|'')*)'?|(\$(?:[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$)|\/\*|--[^\n\r]*|[0-9][\w.]*|\s+|[^]/y

/**
 * The regex tokenizer sqlTokens replaced, unchanged but for a -- comment, which a CR ends as well
 * as a LF, as PostgreSQL reads it (attacker a86 F4).
 */
function sqlTokensByRegex(text: string, inner = true): SqlToken[] {
  const out: SqlToken[] = []
  const literals: string[] = []
  const n = text.length
  const token = TOKEN
  let i = 0
  while (i < n) {
    token.lastIndex = i
    const m = token.exec(text)
    if (!m) {
      i++
      continue
    }
    const [t, escString, ident, quotedIdent, string, tag] = m
    i = token.lastIndex
    if (ident !== undefined) out.push({ kind: 'ident', value: ident.toLowerCase(), quoted: false })
    else if (quotedIdent !== undefined)
      out.push({ kind: 'ident', value: quotedIdent.replace(/""/g, '"'), quoted: true })
    else if (string !== undefined || escString !== undefined) {
      const v =
        string !== undefined
          ? string.replace(/''/g, "'")
          : escString.replace(/''/g, "'").replace(/\\(.)/gs, '$1')
      out.push({ kind: 'string', value: v })
      if (inner) literals.push(v)
    } else if (tag !== undefined) {
      const end = text.indexOf(t, i)
      const v = text.slice(i, end < 0 ? n : end)
      i = end < 0 ? n : end + t.length
      out.push({ kind: 'string', value: v })
      if (inner) literals.push(v)
    } else if (t === '/*') {
      let depth = 1
      while (i < n && depth > 0) {
        if (text[i] === '/' && text[i + 1] === '*') {
          depth++
          i += 2
        } else if (text[i] === '*' && text[i + 1] === '/') {
          depth--
          i += 2
        } else i++
      }
    } else if (t.length === 1 && !/\s/.test(t)) out.push({ kind: 'punct', value: t })
    else if (/^[0-9]/.test(t)) out.push({ kind: 'punct', value: '0' })
  }
  for (const v of literals) {
    out.push({ kind: 'punct', value: ';' })
    for (const t of sqlTokensByRegex(v, true)) out.push(t)
  }
  return out
}

const SHAPES = [
  'CREATE TABLE app1.t1 (\n    id bigint NOT NULL,\n    code text NOT NULL,\n    CONSTRAINT t1_code_check CHECK ((length(code) <= 40))\n);',
  "COMMENT ON TABLE app1.t1 IS 'table 1 of schema app1';",
  'CREATE FUNCTION app1.total_1(p bigint) RETURNS numeric\n    LANGUAGE sql STABLE\n    AS $$SELECT coalesce(sum(amount), 0) FROM app1.t1 WHERE parent_id = p$$;',
  "SELECT pg_catalog.setval('app1.t1_id_seq', 50, true);",
  'COPY app1."T 2" (id, code) FROM stdin;',
  "SELECT pg_catalog.set_config('search_path', '', false);",
  'SET search_path = "Sales", public, \'$user\';',
  "CREATE FUNCTION f() RETURNS void AS $body$ BEGIN EXECUTE 'INSERT INTO s.t VALUES (''x'')'; END $body$ LANGUAGE plpgsql;",
  "INSERT INTO public.items VALUES (1, E'it\\'s', 'a''b', U&\"d\\0061t\");",
  '/* outer /* inner */ still */ DROP SCHEMA IF EXISTS a, "B" CASCADE; -- trailing\nTRUNCATE ONLY x.y, z *;',
  "SELECT 1, 22, 3.5e10, .5, x1$2, _a, \u00e9t\u00e9, \u00a0x, ' \u00a0y', \t\u00a0\u2028z",
  "E'unterminated \\",
  "'unterminated",
  '"unterminated',
  '$tag$ never closed',
  '$1 $ $$ $a$ $a $a b$ $\u00e9$x$\u00e9$',
  "e'\\\\' E'''' e'a\\'' '' \"\" \"a\"\"b\"",
  '/* unterminated comment /* nested',
  '-- only a comment',
  'WITH d AS (DELETE FROM s.t RETURNING *) UPDATE ONLY s.u SET a = 1; MERGE INTO m.t USING x ON true WHEN MATCHED THEN DELETE;',
  'İNSERT INTO a.b VALUES (1); \u212aopy',
  ''
]

describe('sqlTokens', () => {
  it('splits the shapes pg_dump writes and every corner as the regex tokenizer did', () => {
    for (const text of SHAPES)
      for (const inner of [true, false])
        expect({ text, inner, tokens: sqlTokens(text, inner) }).toEqual({
          text,
          inner,
          tokens: sqlTokensByRegex(text, inner)
        })
  })

  it('splits random texts over the characters that matter as the regex tokenizer did', () => {
    const alphabet = [
      ...'aEe_Z9 0.$/*-\'"\\;,()\n\t\r\v\f',
      '\u00a0',
      '\u2028',
      '\ufeff',
      '\u00e9',
      '\u212a',
      '\u0130',
      '\ud83d',
      '\ude00',
      '$$',
      '$a$',
      "E'",
      '/*',
      '*/',
      '--',
      "''",
      '""'
    ]
    // a fixed seed: the same texts each run
    let seed = 20261202
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648
      return seed % n
    }
    let compared = 0
    for (let k = 0; k < 20000; k++) {
      const length = 1 + random(24)
      let text = ''
      for (let j = 0; j < length; j++) text += alphabet[random(alphabet.length)]
      const inner = random(2) === 0
      const got = sqlTokens(text, inner)
      const want = sqlTokensByRegex(text, inner)
      if (JSON.stringify(got) !== JSON.stringify(want))
        expect({ text, inner, tokens: got }).toEqual({ text, inner, tokens: want })
      compared += want.length
    }
    expect(compared).toBeGreaterThan(50000)
  })

  it('finds no written table in a text without the words of a write, in any case', () => {
    expect(
      writtenTables('CREATE VIEW app1.v1 AS SELECT id FROM app1.t1 WHERE amount > 0;')
    ).toEqual({ tables: [], unreadable: [] })
    expect(writtenTables('İnsert into a.b values (1); \u212aopy').tables).toEqual([])
    expect(writtenTables('WITH d AS (dElEtE FROM s.t RETURNING *) SELECT 1').tables).toEqual([
      { schema: 's', name: 't', statement: 'WITH d AS (dElEtE FROM s.t RETURNING *) SELECT 1' }
    ])
  })
})
