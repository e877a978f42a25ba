/**
 * secrets.ts: what is registered is announced once to the masker, and redact() removes every
 * registered secret from any text, longest first, wherever it occurs.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import {
  clearSecrets,
  redact,
  registerSecret,
  registerSecrets,
  setSecretMasker
} from '../../src/secrets.js'

let announced: string[]

beforeEach(() => {
  clearSecrets()
  announced = []
  setSecretMasker(secret => announced.push(secret))
})

afterEach(() => clearSecrets())

describe('redact', () => {
  it('replaces every occurrence of a registered secret by ***', () => {
    registerSecret('Pa55-word')
    expect(redact('a Pa55-word b Pa55-wordPa55-word')).toBe('a *** b ******')
  })

  it('leaves text without a secret, and text before any registration, as it is', () => {
    expect(redact('nothing secret here Pa55-word')).toBe('nothing secret here Pa55-word')
    registerSecret('Pa55-word')
    expect(redact('nothing secret here')).toBe('nothing secret here')
    expect(redact('')).toBe('')
  })

  it('removes the longest secret first: no part of a longer secret is left around ***', () => {
    // registered short first: a shortest-first redaction would leave "://u:***@host/db"
    registerSecrets(['s3cret', 'postgresql://u:s3cret@host/db', 's3cret%21'])
    expect(redact('url postgresql://u:s3cret@host/db pw s3cret enc s3cret%21')).toBe(
      'url *** pw *** enc ***'
    )
  })

  it('every secret of several, of every kind, in one text', () => {
    const secrets = [
      'postgresql://app:p%40ss@db.example.com:5432/app', // a database URL
      'p@ss', // its password, decoded
      'p%40ss', // and as written
      'ghp_0123456789abcdefABCDEF0123456789abcd', // a token
      'AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ', // an identity
      'correct horse battery staple' // a passphrase
    ]
    registerSecrets(secrets)
    const text = secrets.map((s, i) => `${i}:${s}`).join('\n')
    const out = redact(text)
    expect(out).toBe(secrets.map((_s, i) => `${i}:***`).join('\n'))
    for (const s of secrets) expect(out).not.toContain(s)
  })

  it('a secret with characters that mean something in a regular expression', () => {
    registerSecret('a.b*c(d)$[e]\\f')
    expect(redact('x a.b*c(d)$[e]\\f y aXbbc')).toBe('x *** y aXbbc')
  })
})

describe('registerSecret', () => {
  it('announces each secret once, and ignores undefined and the empty string', () => {
    registerSecret('one-secret')
    registerSecret('one-secret')
    registerSecret(undefined)
    registerSecret('')
    registerSecrets(['two-secret', 'one-secret', 'three-secret'])
    expect(announced).toEqual(['one-secret', 'two-secret', 'three-secret'])
    expect(redact('one-secret two-secret three-secret')).toBe('*** *** ***')
  })

  it('clearSecrets forgets them: they are announced again and no longer redacted', () => {
    registerSecret('one-secret')
    clearSecrets()
    expect(redact('one-secret')).toBe('one-secret')
    registerSecret('one-secret')
    expect(announced).toEqual(['one-secret', 'one-secret'])
  })
})
