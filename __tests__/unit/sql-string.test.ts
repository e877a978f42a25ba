/**
 * A string constant's value as the server reads it (sql-string.ts), for the checks that read a
 * DO block's code (attacker a84 F1). Each value here is what PostgreSQL 15 returned for the same
 * constant (SELECT <constant>), each error one it refused.
 */
import { describe, expect, it } from '@jest/globals'
import {
  decodeEscapeString,
  decodeUnicodeString,
  stringConstantAt
} from '../../src/postgres/sql-string.js'

const value = (text: string, std = true): string | undefined =>
  stringConstantAt(text, 0, std)?.value
const error = (text: string, std = true): string | undefined =>
  stringConstantAt(text, 0, std)?.error

describe('string constants as the server reads them', () => {
  it.each([
    // plain: '' is a quote, a backslash is itself (standard_conforming_strings on)
    ["'pg_terminate_backend'", 'pg_terminate_backend'],
    ["'it''s'", "it's"],
    ["'a\\x5fb'", 'a\\x5fb'],
    // E'…': every escape the server accepts
    ["E'pg_terminate\\x5fbackend'", 'pg_terminate_backend'],
    ["e'pg_terminate\\137backend'", 'pg_terminate_backend'],
    ["E'pg_terminate\\u005fbackend'", 'pg_terminate_backend'],
    ["E'pg_terminate\\U0000005fbackend'", 'pg_terminate_backend'],
    ["E'\\b\\f\\n\\r\\t'", '\b\f\n\r\t'],
    ["E'\\v\\8\\q\\\\'", 'v8q\\'],
    ["E'\\x'", 'x'],
    ["E'\\'\\''''", "'''"],
    ["E'\\xc3\\xa9'", 'é'],
    ["E'\\uD83D\\uDE00'", '😀'],
    ["E'\\5377'", '_7'], // three octal digits at most
    // U&'…': \XXXX, \+XXXXXX, \\, and UESCAPE's own character
    ["U&'pg\\005fterminate\\005fbackend'", 'pg_terminate_backend'],
    ["u&'pg\\+00005fterminate_backend'", 'pg_terminate_backend'],
    ["U&'a\\\\b'", 'a\\b'],
    ["U&'\\D83D\\DE00'", '😀'],
    ["U&'pg!005fterminate_backend' UESCAPE '!'", 'pg_terminate_backend'],
    ["U&'pg\\005fx' UESCAPE '!'", 'pg\\005fx'],
    ["U&'pg!005fx' /* c */ uescape -- d\n '!'", 'pg_x'],
    ["U&'it''s'", "it's"],
    // dollar quotes: as written
    ['$$a\\x5f$$', 'a\\x5f'],
    ['$b$ $$ $b$', ' $$ '],
    // continued on the next line (comments between), in the first part's way
    ["'pg_termi'\n'nate_backend'", 'pg_terminate_backend'],
    ["'a' -- c\n  -- d\n'b'", 'ab'],
    ["E'a\\x5f'\n'\\x5fb'", 'a__b'],
    ["U&'a\\005f'\n'b' UESCAPE '\\'", 'a_b'],
    // each part of an E'' decoded on its own, as the server does (attacker a86)
    ["E'\\x2'\n'7'", '\u00027'],
    ["E'\\4'\n'7'", '\u00047'],
    // however long the comment between the parts (attacker a85 F1: a 4096-character look-ahead)
    [`'pg_termi'\n-- ${'c'.repeat(5000)}\n'nate_backend'`, 'pg_terminate_backend']
  ])('%s is %j', (text, expected) => {
    expect(value(text)).toBe(expected)
    expect(stringConstantAt(text, 0, true)?.end).toBe(text.length)
  })

  it('ends where the server ends it: no continuation on the same line, none across /* */', () => {
    expect(stringConstantAt("'a' 'b'", 0, true)).toEqual({ end: 3, value: 'a' })
    expect(stringConstantAt("'a' /* c */\n'b'", 0, true)).toEqual({ end: 3, value: 'a' })
    expect(stringConstantAt("'a';\n'b'", 0, true)).toEqual({ end: 3, value: 'a' })
  })

  it('with standard_conforming_strings off, a plain literal has the escapes of E', () => {
    expect(value("'pg\\_terminate\\_backend'", false)).toBe('pg_terminate_backend')
    expect(value("'a\\'b'", false)).toBe("a'b")
    expect(value("'a\\x5f'", false)).toBe('a_')
    // on: the backslash is itself and the quote ends the literal
    expect(stringConstantAt("'a\\'b'", 0, true)).toEqual({ end: 4, value: 'a\\' })
  })

  it.each([
    ["E'\\u00'", /no Unicode escape/],
    ["E'\\U0000'", /no Unicode escape/],
    ["E'\\u0000'", /invalid/],
    ["E'\\000'", /zero byte/],
    ["E'\\xc3'", /no UTF-8 text/],
    ["E'\\777'", /no UTF-8 text/],
    ["E'\\uD800'", /surrogate/],
    ["E'\\uDE00'", /invalid/],
    ["U&'\\00'", /no Unicode escape/],
    ["U&'\\0000'", /invalid/],
    ["U&'\\D83Dx'", /surrogate/],
    ["U&'a' UESCAPE 'a'", /no escape character/],
    ["U&'a' UESCAPE '+'", /no escape character/],
    ["U&'a' UESCAPE 'ab'", /no escape character/],
    ["U&'a' UESCAPE x", /not followed by a string/],
    ["'abc", /does not end/],
    ['$x$abc', /does not end/]
  ])('%s cannot be read: the server refuses it', (text, why) => {
    expect(value(text)).toBeUndefined()
    expect(error(text)).toMatch(why)
  })

  it("U&'…' with standard_conforming_strings off is refused by the server", () => {
    expect(error("U&'a'", false)).toMatch(/standard_conforming_strings off/)
  })

  it('is no constant elsewhere', () => {
    expect(stringConstantAt('abc', 0, true)).toBeUndefined()
    expect(stringConstantAt("N'a'", 0, true)).toBeUndefined()
    expect(stringConstantAt('$1', 0, true)).toBeUndefined()
  })

  it('decodes the insides alone', () => {
    expect(decodeEscapeString('a\\tb')).toEqual({ value: 'a\tb' })
    expect(decodeUnicodeString('a#0041', '#')).toEqual({ value: 'aA' })
  })
})
