/**
 * A string constant's value as the server reads it (scan.l and parser.c of PostgreSQL 9.x to 18):
 * '…' ('' for a quote; with standard_conforming_strings off, the escapes of E'…' too), E'…'
 * (\b \f \n \r \t, \ooo, \xhh, \uXXXX, \UXXXXXXXX, \ and any other character; surrogate pairs),
 * U&'…' [UESCAPE '…'] (\XXXX, \+XXXXXX, \\ with its escape character), $tag$…$tag$, and the
 * continuation of a quoted one on the next line ('a'\n'b' is 'ab'; comments may come between).
 * Read for the checks that look inside a string the server runs as code (a DO block's): a value
 * the server would read differently, or refuse, is no value but an error.
 */

export interface StringConstant {
  /** Index just past the constant (its continuations and a U&'…' one's UESCAPE '…' included). */
  end: number
  /** The value the server reads; undefined when `error` says why it cannot be told. */
  value?: string
  error?: string
}

/** Space between a constant and its UESCAPE: white space, -- and /* comments. */
const SPACE = /(?:[ \t\n\r\f\v]+|--[^\n\r]*|\/\*[\s\S]*?\*\/)*/y

/**
 * A continuation: horizontal space or -- comments, a newline, then space or comments each ending
 * in a newline, then the quote of the next part (scan.l's quotecontinue; \v counts as space, as
 * PostgreSQL 16 reads it: a server that does not ends in a syntax error).
 */
const CONTINUE = /(?:[ \t\f\v]|--[^\n\r]*)*[\n\r](?:[ \t\n\r\f\v]+|--[^\n\r]*[\n\r])*'/y

/**
 * The length of what `sticky` (a regular expression with the y flag) matches at `at` in `text`,
 * or -1 — however far it reaches (attacker a85 F1: a look-ahead of 4096 characters read two
 * parts joined across a longer comment as two constants, the call between them unseen).
 */
function matchedAt(sticky: RegExp, text: string, at: number): number {
  sticky.lastIndex = at
  const m = sticky.exec(text)
  return m ? m[0].length : -1
}

/** The end of a dollar quote's opening tag ($$, $tag$) at `i`, or `i` when none starts there. */
export function dollarTagEnd(text: string, i: number): number {
  if (text.charCodeAt(i) !== 0x24) return i
  let j = i + 1
  const c = text.charCodeAt(j)
  if (c === 0x24) return j + 1
  const start = (d: number): boolean =>
    (d >= 0x61 && d <= 0x7a) || (d >= 0x41 && d <= 0x5a) || d === 0x5f || d >= 0x80
  if (!start(c)) return i
  for (j++; j < text.length; j++) {
    const d = text.charCodeAt(j)
    if (d === 0x24) return j + 1
    if (!(start(d) || (d >= 0x30 && d <= 0x39))) return i
  }
  return i
}

/**
 * The string constant that starts at `i` ('…', E'…', U&'…', $tag$…$tag$, in any case), or
 * undefined when none does. `std`: standard_conforming_strings where the statement runs.
 */
export function stringConstantAt(
  text: string,
  i: number,
  std: boolean
): StringConstant | undefined {
  const c = text[i]
  if (c === '$') {
    const tagEnd = dollarTagEnd(text, i)
    if (tagEnd === i) return undefined
    const close = text.indexOf(text.slice(i, tagEnd), tagEnd)
    if (close < 0) return { end: text.length, error: 'its dollar quote does not end' }
    return { end: close + (tagEnd - i), value: text.slice(tagEnd, close) }
  }
  let mode: 'plain' | 'escape' | 'unicode'
  let at: number
  if (c === "'") {
    mode = std ? 'plain' : 'escape'
    at = i
  } else if ((c === 'E' || c === 'e') && text[i + 1] === "'") {
    mode = 'escape'
    at = i + 1
  } else if ((c === 'U' || c === 'u') && text[i + 1] === '&' && text[i + 2] === "'") {
    mode = 'unicode'
    at = i + 2
  } else return undefined
  // the parts, each as written between its quotes
  const parts: string[] = []
  for (;;) {
    const end = quotedEnd(text, at + 1, mode === 'escape')
    if (end < 0) return { end: text.length, error: 'its quote does not end' }
    parts.push(text.slice(at + 1, end))
    at = end + 1
    const more = matchedAt(CONTINUE, text, at)
    if (more < 0) break
    at += more - 1
  }
  const inside = parts.join('')
  if (mode === 'plain') return { end: at, value: inside.replace(/''/g, "'") }
  if (mode === 'escape') {
    // each part decoded on its own, as the server's scanner does (attacker a86: E'\x2' then '7'
    // on the next line is \x02 and 7 to the server, not \x27)
    let value = ''
    for (const part of parts) {
      const decoded = decodeEscapeString(part)
      if (decoded.value === undefined) return { end: at, ...decoded }
      value += decoded.value
    }
    return { end: at, value }
  }
  if (!std)
    return {
      end: at,
      error: "U&'…' with standard_conforming_strings off (the server refuses it)"
    }
  // U&'…' UESCAPE '…': the escape character of its own
  let escape = '\\'
  let end = at
  const space = Math.max(0, matchedAt(SPACE, text, at))
  if (/^uescape(?![\w$\u0080-\uffff])/i.test(text.slice(at + space, at + space + 8))) {
    const from = at + space + 7
    const afterSpace = from + Math.max(0, matchedAt(SPACE, text, from))
    const arg = stringConstantAt(text, afterSpace, std)
    if (!arg || arg.value === undefined)
      return { end: arg?.end ?? afterSpace, error: 'UESCAPE is not followed by a string' }
    end = arg.end
    if (arg.value.length !== 1 || /[0-9A-Fa-f+'"\s]/.test(arg.value))
      return { end, error: `UESCAPE '${arg.value}' is no escape character the server accepts` }
    escape = arg.value
  }
  return { end, ...decodeUnicodeString(inside.replace(/''/g, "'"), escape) }
}

/**
 * From just after an opening quote: the index of the closing one, or -1 when none. `backslash`:
 * a backslash escapes the next character (E'…', or '…' with standard_conforming_strings off).
 */
function quotedEnd(text: string, from: number, backslash: boolean): number {
  for (let j = from; j < text.length; j++) {
    const c = text.charCodeAt(j)
    if (backslash && c === 0x5c) j++
    else if (c === 0x27) {
      if (text.charCodeAt(j + 1) === 0x27) j++
      else return j
    }
  }
  return -1
}

/** E'…''s inside (between its quotes, parts joined) as the server reads it. */
export function decodeEscapeString(inside: string): { value?: string; error?: string } {
  let out = ''
  /** Bytes from \ooo and \xhh: UTF-8 (the server checks them against its encoding). */
  let bytes: number[] = []
  const flush = (): string | undefined => {
    if (bytes.length === 0) return undefined
    try {
      out += new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(bytes))
    } catch {
      return `the bytes ${bytes.map(b => `\\x${b.toString(16).padStart(2, '0')}`).join('')} are no UTF-8 text`
    }
    bytes = []
    return undefined
  }
  let high: number | undefined // a \uD800-\uDBFF waiting for its pair
  for (let j = 0; j < inside.length; j++) {
    const c = inside[j]
    let code: number | undefined
    let byte: number | undefined
    let ch: string
    if (c === "'") {
      // '' (the lexer ended the constant at a lone one)
      ch = "'"
      j++
    } else if (c !== '\\') ch = c
    else {
      const next = inside[j + 1] ?? ''
      const rest = inside.slice(j + 1, j + 10)
      let m: RegExpExecArray | null
      if ((m = /^[0-7]{1,3}/.exec(rest))) {
        byte = parseInt(m[0], 8) & 0xff
        j += m[0].length
      } else if ((m = /^x([0-9A-Fa-f]{1,2})/.exec(rest))) {
        byte = parseInt(m[1], 16)
        j += m[0].length
      } else if ((m = /^(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8}))/.exec(rest))) {
        code = parseInt(m[1] ?? m[2], 16)
        j += m[0].length
      } else if (next === 'u' || next === 'U') {
        return { error: `the escape \\${next}${rest.slice(1, 5)} is no Unicode escape` }
      } else if (j + 1 >= inside.length) {
        return { error: 'it ends in a backslash' }
      } else {
        j++
        ch = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' }[next] ?? next
      }
      ch ??= ''
    }
    if (high !== undefined && (code === undefined || code < 0xdc00 || code > 0xdfff))
      return { error: 'a Unicode surrogate has no pair' }
    if (byte !== undefined) {
      if (byte === 0) return { error: 'it holds a zero byte' }
      bytes.push(byte)
      continue
    }
    const invalid = flush()
    if (invalid) return { error: invalid }
    if (code !== undefined) {
      if (high !== undefined) {
        out += String.fromCodePoint(0x10000 + ((high - 0xd800) << 10) + (code - 0xdc00))
        high = undefined
      } else if (code >= 0xd800 && code <= 0xdbff) high = code
      else if (code === 0 || code > 0x10ffff || (code >= 0xdc00 && code <= 0xdfff))
        return { error: `the Unicode escape value ${code.toString(16)} is invalid` }
      else out += String.fromCodePoint(code)
      continue
    }
    out += ch!
  }
  if (high !== undefined) return { error: 'a Unicode surrogate has no pair' }
  const invalid = flush()
  return invalid ? { error: invalid } : { value: out }
}

/** U&'…''s inside ('' already one quote) decoded with its escape character, as the server does. */
export function decodeUnicodeString(
  inside: string,
  escape: string
): { value?: string; error?: string } {
  let out = ''
  let high: number | undefined
  for (let j = 0; j < inside.length; j++) {
    const c = inside[j]
    if (c !== escape) {
      if (high !== undefined) return { error: 'a Unicode surrogate has no pair' }
      out += c
      continue
    }
    if (inside[j + 1] === escape) {
      if (high !== undefined) return { error: 'a Unicode surrogate has no pair' }
      out += escape
      j++
      continue
    }
    const m = /^(?:\+([0-9A-Fa-f]{6})|([0-9A-Fa-f]{4}))/.exec(inside.slice(j + 1, j + 8))
    if (!m) return { error: `the escape ${inside.slice(j, j + 5)} is no Unicode escape` }
    const code = parseInt(m[1] ?? m[2], 16)
    j += m[0].length
    if (high !== undefined) {
      if (code < 0xdc00 || code > 0xdfff) return { error: 'a Unicode surrogate has no pair' }
      out += String.fromCodePoint(0x10000 + ((high - 0xd800) << 10) + (code - 0xdc00))
      high = undefined
    } else if (code >= 0xd800 && code <= 0xdbff) high = code
    else if (code === 0 || code > 0x10ffff || (code >= 0xdc00 && code <= 0xdfff))
      return { error: `the Unicode escape value ${code.toString(16)} is invalid` }
    else out += String.fromCodePoint(code)
  }
  if (high !== undefined) return { error: 'a Unicode surrogate has no pair' }
  return { value: out }
}
