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
  /pass(?:word|wd|phrase|file)?|secret|token|credential|api_?key|private_?key|access_?key|sslkey/i

/** Literal contents that are or hold a secret wherever they stand. */
const SECRET_CONTENT =
  /password|passwd|secret|token|SCRAM-SHA-256\$|^md5[0-9a-f]{32}$|[a-z][\w+.-]*:\/\/[^\s/@:'"]*:[^\s@'"]*@/i

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
 * PASSWORD (also ENCRYPTED PASSWORD) or after a name like password/secret/token/api_key (an
 * OPTIONS (… '…') item, `SET x.api_key = '…'`), and any literal holding such a word, a SCRAM or
 * md5 verifier or a URI with a password (connection strings, a DO block's EXECUTE '…'). Plain
 * '…', E'…', U&'…' and $tag$…$tag$ literals; one cut short (a truncated statement, a line) runs
 * to the end. Outside literals: password=… and user:password@ are cut too.
 */
export function redactSql(text: string): string {
  let out = ''
  let plain = ''
  const flushPlain = (): void => {
    let p = plain
    for (const [re, to] of BARE_SECRETS) p = p.replace(re, to)
    out += p
    plain = ''
  }
  const n = text.length
  let i = 0
  /** The literal before was redacted: a literal continuing it (only a line break between) is too. */
  let redacted = false
  while (i < n) {
    const c = text[i]
    // a comment: no literal starts in it, and it is no word before one
    if ((c === '-' && text[i + 1] === '-') || (c === '/' && text[i + 1] === '*')) {
      const close = c === '-' ? text.indexOf('\n', i) : text.indexOf('*/', i + 2)
      const end = close < 0 ? n : c === '-' ? close : close + 2
      plain += text.slice(i, end)
      i = end
      continue
    }
    // a literal: '…', E'…' / U&'…' / N'…' / B'…' / X'…' (prefix already in `plain`), $tag$…$tag$
    let end = -1
    let opener = ''
    if (c === "'") {
      const prefix = /(?:[EeNnBbXx]|[Uu]&)$/.exec(plain)?.[0] ?? ''
      const escapes =
        /^[Ee]$/.test(prefix) && !/[\w$]$/.test(plain.slice(0, plain.length - prefix.length))
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
    const words =
      plain
        .slice(0, plain.length - prefixLength)
        .replace(/--[^\n]*|\/\*[\s\S]*?(?:\*\/|$)/g, ' ')
        .match(/[A-Za-z_][\w$]*|"(?:[^"]|"")*"|[=:]+/g) ?? []
    // the name before the literal, past "=", ":=" and TO
    let k = words.length - 1
    while (k >= 0 && (/^[=:]+$/.test(words[k]) || /^to$/i.test(words[k]))) k--
    const before = k >= 0 ? words[k].replace(/^"|"$/g, '') : ''
    // 'a' followed by 'b' on another line (a -- comment between) is one literal 'ab' to the server
    const continued: boolean =
      redacted && opener === "'" && /^[ \t\f\r]*\n\s*$/.test(plain.replace(/--[^\n]*/g, ''))
    const secret: boolean =
      continued ||
      /^password$/i.test(before) ||
      SECRET_NAME.test(before) ||
      (SECRET_CONTENT.test(inner) && !(opener === "'" && QUALIFIED_NAME.test(inner)))
    redacted = secret
    flushPlain()
    out += secret ? (opener === "'" ? "'…'" : `${opener}…${opener}`) : literal
    i = end
  }
  flushPlain()
  return out
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
