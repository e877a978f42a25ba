/**
 * The one way a statement or line of a backup is quoted into a message, a log line, the job
 * summary or an output: its secrets replaced by "…" first. A script can hold a role's password
 * (CREATE ROLE … PASSWORD '…', pg_dumpall's SCRAM verifiers), a foreign server's or user
 * mapping's options (OPTIONS (password '…')), a connection string (CREATE SUBSCRIPTION …
 * CONNECTION '…', dblink_connect('… password=…')) or a setting named like a key; psql by hand
 * prints none of it (it does not echo statements without -e/-a). Everything quoted passes here.
 */

/** Names whose value is a secret: options, settings, parameters (password, sslpassword, api_key…). */
const SECRET_NAME =
  /pass(?:word|wd|phrase|file)?|pwd|secret|token|credential|keys?$|api_?key|private_?key|access_?key|sslkey/i

/** Literal contents that are or hold a secret wherever they stand. */
const SECRET_CONTENT =
  /password|passwd|secret|token|\bpwd\s*=|SCRAM-SHA-256\$|^md5[0-9a-f]{32}$|[a-z][\w+.-]*:\/\/[^\s/@:'"]*:[^\s@]*@|\bbearer\s|authorization:|\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_\w{20,}|sk_(?:live|test)_\w+|AKIA[0-9A-Z]{16}|xox[abprs]-[\w-]+)/i

/** A literal that is a setting's or option's name: a secret word in it makes the next literal secret. */
const NAME_LITERAL = /^[A-Za-z_][\w.$-]*$/

/** Types a PL/pgSQL variable is declared with before its := (api_key text := '…'). */
const DECLARED_TYPE = /^(?:text|varchar|character|char|varying|bytea|json|jsonb|name|citext)$/i

/**
 * A literal that is a schema-qualified name (pg_dump's setval('auth.refresh_tokens_id_seq', …),
 * nextval('…'::regclass)): a secret word inside it is part of a name, not a secret.
 */
const QUALIFIED_NAME =
  /^(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)(?:\.(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*))+'$/

/** key=value of a connection string, a URI's user:password@, outside literals (a \connect's argument). */
const BARE_SECRETS: [RegExp, string][] = [
  [
    /\b((?:ssl)?pass(?:word|wd|phrase)?\s*=\s*)(?:'(?:[^'\\]|\\.|'')*'?|"(?:[^"]|"")*"?|[^\s'",)]+)/gi,
    '$1…'
  ],
  [/(\b[a-z][\w+.-]*:\/\/[^\s/@:'"]*:)[^\s@'"]*@/gi, '$1…@']
]

/**
 * `text` with the value of every secret-bearing literal replaced by "…": a literal after the word
 * PASSWORD (also ENCRYPTED PASSWORD) or after a name like password/secret/token/…key (an
 * OPTIONS (… '…') item, `SET x.api_key = '…'`, `SET encryption_key = '…'`), and any literal
 * holding such a word, a SCRAM or md5 verifier or a URI with a password (connection strings, a DO
 * block's EXECUTE '…'). Plain '…', E'…', U&'…' and $tag$…$tag$ literals; one cut short (a
 * truncated statement, a line) runs to the end; comments nest as the server reads them. A plain
 * '…' is read both ways standard_conforming_strings can make the server read it (a backslash
 * escaping the quote or not: a script may have turned it off), and what either reading finds
 * secret is cut. Outside literals: password=… and user:password@ are cut too.
 */
export function redactSql(text: string): string {
  const ranges = mergedRanges([
    ...secretRanges(text, true),
    ...(/\\'/.test(text) ? secretRanges(text, false) : [])
  ])
  let out = ''
  let at = 0
  const open = (segment: string): string => {
    for (const [re, to] of BARE_SECRETS) segment = segment.replace(re, to)
    return segment
  }
  for (const [from, to] of ranges) {
    out += `${open(text.slice(at, from))}…`
    at = to
  }
  return out + open(text.slice(at))
}

/** Ranges sorted and joined where they overlap or touch. */
function mergedRanges(ranges: Array<[number, number]>): Array<[number, number]> {
  const sorted = ranges.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0])
  const merged: Array<[number, number]> = []
  for (const [a, b] of sorted) {
    const last = merged[merged.length - 1]
    if (last && a <= last[1]) last[1] = Math.max(last[1], b)
    else merged.push([a, b])
  }
  return merged
}

/** The end of the comment that starts at `i` (after its last character); nested /* *\/ counted. */
function commentEnd(text: string, i: number): number {
  if (text[i] === '-') {
    const close = text.indexOf('\n', i)
    return close < 0 ? text.length : close
  }
  return blockCommentEnd(text, i)
}

/**
 * The index just past the block comment that starts at i (`/*`), nested ones
 * included as PostgreSQL nests them; the text's length when it is not closed.
 */
export function blockCommentEnd(text: string, i: number): number {
  const n = text.length
  let depth = 1
  i += 2
  while (i < n && depth > 0) {
    if (text[i] === '/' && text[i + 1] === '*') {
      depth++
      i += 2
    } else if (text[i] === '*' && text[i + 1] === '/') {
      depth--
      i += 2
    } else i++
  }
  return i
}

/** `text` without its comments (each replaced by a space). */
function withoutComments(text: string): string {
  let out = ''
  let i = 0
  while (i < text.length) {
    if ((text[i] === '-' && text[i + 1] === '-') || (text[i] === '/' && text[i + 1] === '*')) {
      i = commentEnd(text, i)
      out += ' '
    } else out += text[i++]
  }
  return out
}

/** Names (dotted ones whole: app.password.hash), and the = / := between a name and its value. */
const DOTTED_WORDS =
  /(?:[A-Za-z_][\w$]*|"(?:[^"]|"")*")(?:\s*\.\s*(?:[A-Za-z_][\w$]*|"(?:[^"]|"")*"))*|[=:]+/g

/** The name before a value (past "=", ":=" and TO), and whether one of those stood between. */
function nameBefore(plain: string): { name: string; assigned: boolean } {
  // a dotted name is one name (app.password.hash: attacker a28 A5)
  const words = withoutComments(plain).match(DOTTED_WORDS) ?? []
  let k = words.length - 1
  while (k >= 0 && (/^[=:]+$/.test(words[k]) || /^to$/i.test(words[k]))) k--
  const assigned = k < words.length - 1
  // a PL/pgSQL declaration: the variable's name stands before its type (api_key text := '…')
  if (assigned && k > 0 && DECLARED_TYPE.test(words[k])) k--
  return {
    name: k >= 0 ? words[k].replace(/^"|"$/g, '') : '',
    assigned
  }
}

/** `plain` ends with a secret's name, then = or TO: what follows is its value, quoted or not. */
function bareValueOfSecret(plain: string): boolean {
  const tail = plain.slice(-400)
  if (!/(?:=|\bto)\s*$/i.test(withoutComments(tail))) return false
  const { name, assigned } = nameBefore(tail)
  return assigned && (/^password$/i.test(name) || SECRET_NAME.test(name))
}

/**
 * The ranges [start, end) of `text` to hide: the insides of its secret literals, read with
 * standard_conforming_strings `standard` (off: a backslash escapes in a plain '…' too).
 */
function secretRanges(text: string, standard: boolean): Array<[number, number]> {
  const ranges: Array<[number, number]> = []
  let plain = ''
  const n = text.length
  let i = 0
  /** The literal before was redacted: a literal continuing it (only a line break between) is too. */
  let redacted = false
  /** The literal before was a name with a secret word ('app.api_key'): a value may follow it. */
  let secretNameBefore = false
  /** The literal before, unless redacted, and where its inside is (for 'pass' || 'word=…'). */
  let previous: { inner: string; from: number; to: number } | undefined
  while (i < n) {
    const c = text[i]
    // a comment: no literal starts in it, and it is no word before one
    if ((c === '-' && text[i + 1] === '-') || (c === '/' && text[i + 1] === '*')) {
      const end = commentEnd(text, i)
      plain += text.slice(i, end)
      i = end
      continue
    }
    // a value written without quotes (or as "…") after a secret's name and = or TO: SET
    // api_key = sk_live_x; ALTER ROLE r SET app.secret_token = x — hidden to the statement's end
    // (attacker a27 A3)
    // (a literal with its prefix, E'…' U&'…' N'…' B'…' X'…', is a literal: only its inside goes)
    if (
      c !== "'" &&
      c !== '$' &&
      !/\s/.test(c) &&
      !/^(?:[EeNnBbXx]|[Uu]&)'/.test(text.slice(i, i + 3)) &&
      (i === 0 || /[\s=]/.test(text[i - 1])) &&
      bareValueOfSecret(plain)
    ) {
      let j = i
      while (j < n && text[j] !== ';' && text[j] !== '\n') j++
      ranges.push([i, j])
      plain = ''
      i = j
      continue
    }
    // a name in double quotes ("o'brien", U&"…"): no literal starts in it (attacker a27 A1)
    if (c === '"') {
      let j = i + 1
      for (;;) {
        if (j >= n) break
        if (text[j] === '"') {
          if (text[j + 1] === '"') {
            j += 2
            continue
          }
          break
        }
        j++
      }
      const end = Math.min(j + 1, n)
      plain += text.slice(i, end)
      i = end
      continue
    }
    // a literal: '…', E'…' / U&'…' / N'…' / B'…' / X'…' (prefix already in `plain`), $tag$…$tag$
    let end = -1
    let opener = ''
    let closed = false
    if (c === "'") {
      const prefix = /(?:[EeNnBbXx]|[Uu]&)$/.exec(plain)?.[0] ?? ''
      const word = !/[\w$]$/.test(plain.slice(0, plain.length - prefix.length))
      const escapes = word && (/^[Ee]$/.test(prefix) || (!standard && /^[Nn]?$/.test(prefix)))
      let j = i + 1
      for (;;) {
        if (j >= n) break
        if (escapes && text[j] === '\\') {
          j += 2
          continue
        }
        if (text[j] === "'") {
          if (text[j + 1] === "'") {
            j += 2
            continue
          }
          closed = true
          break
        }
        j++
      }
      end = Math.min(j + 1, n)
      opener = "'"
    } else if (c === '$' && !/[\w$]$/.test(plain)) {
      const tag = /^\$(?:[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$/.exec(text.slice(i, i + 66))
      if (tag) {
        const close = text.indexOf(tag[0], i + tag[0].length)
        closed = close >= 0
        end = close < 0 ? n : close + tag[0].length
        opener = tag[0]
      }
    }
    if (end < 0) {
      plain += c
      i++
      continue
    }
    const literal = text.slice(i, end)
    const inner = literal.slice(opener.length)
    // the literal's own prefix (E, U&, N, B, X) is no word before it
    const prefixLength =
      opener === "'" ? (/(?:\b[EeNnBbXx]|\b[Uu]&)$/.exec(plain)?.[0].length ?? 0) : 0
    const before = nameBefore(plain.slice(0, plain.length - prefixLength)).name
    // 'a' followed by 'b' on another line (a -- comment between) is one literal 'ab' to the server
    const continued: boolean =
      redacted && opener === "'" && /^[ \t\f\r]*\n\s*$/.test(plain.replace(/--[^\n]*/g, ''))
    const prefix = opener === "'" ? plain.slice(plain.length - prefixLength) : ''
    // what the server reads: E'\x77', U&'\0061' spell the same words (attacker a29 A3)
    const content = unescaped(closed ? inner.slice(0, -opener.length) : inner, prefix)
    // 'app.api_key', '…' (set_config, a VALUES pair, OPTIONS): the value after a secret's name
    const afterName: boolean = secretNameBefore && /^\s*,\s*$/.test(withoutComments(plain))
    // 'host=… pass' || 'word=…': the two read as one
    const joined: string | undefined =
      previous !== undefined && /^\s*\|\|\s*$/.test(withoutComments(plain))
        ? previous.inner + content
        : undefined
    const secret: boolean =
      continued ||
      afterName ||
      /^password$/i.test(before) ||
      SECRET_NAME.test(before) ||
      (SECRET_CONTENT.test(content) && !(opener === "'" && QUALIFIED_NAME.test(inner))) ||
      (joined !== undefined && SECRET_CONTENT.test(joined))
    if (secret && joined !== undefined && previous) ranges.push([previous.from, previous.to])
    redacted = secret
    secretNameBefore = !secret && NAME_LITERAL.test(content) && SECRET_NAME.test(content)
    const from = i + opener.length
    const to = closed ? end - opener.length : n
    if (secret) ranges.push([from, to])
    else if (opener.startsWith('$'))
      // a function's or DO block's body: its own statements and literals, read the same way
      for (const [a, b] of secretRanges(text.slice(from, to), standard))
        ranges.push([from + a, from + b])
    previous = secret ? undefined : { inner: content, from, to }
    plain = ''
    i = end
  }
  return ranges
}

/**
 * A literal's inside as the server reads it, for the secret tests: E'…' escapes (\x77, \167,
 * \u0077, \n…) and U&'…' ones (\0077, \+000077) decoded; others as written ('' is ').
 */
function unescaped(inside: string, prefix: string): string {
  const text = inside.replace(/''/g, "'")
  if (/^[Ee]$/.test(prefix))
    return text.replace(
      /\\(?:x([0-9a-fA-F]{1,2})|([0-7]{1,3})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|(.))/g,
      (_m, x?: string, o?: string, u?: string, U?: string, c?: string) =>
        x || o || u || U
          ? safeChar(parseInt(x ?? o ?? u ?? U ?? '0', x ? 16 : o ? 8 : 16))
          : (c ?? '')
    )
  if (/^[Uu]&$/.test(prefix))
    return text.replace(
      /\\(?:\+([0-9a-fA-F]{6})|([0-9a-fA-F]{4})|(\\))/g,
      (_m, six?: string, four?: string) =>
        six || four ? safeChar(parseInt(six ?? four ?? '0', 16)) : '\\'
    )
  return text
}

function safeChar(code: number): string {
  return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : ''
}

/** A statement as a message shows it: one line, secrets redacted, at most `max` characters. */
export function quoteSql(text: string, max = 160): string {
  // a literal cut by the limit runs to the end: still redacted
  const head = text.length > max * 4 + 256 ? text.slice(0, max * 4 + 256) : text
  // control characters are shown as spaces
  const one = redactSql(head)
    .replace(/\s+/g, ' ')
    // eslint-disable-next-line no-control-regex -- control characters are the point
    .replace(/[\u0000-\u001f\u007f]/g, ' ')
    .trim()
  return one.length > max ? `${one.slice(0, max - 1)}…` : one
}
