/**
 * A short password occurs in ordinary text by chance (issue 14.11): the outputs keep their values
 * (a size of 12024 bytes with the password "2024" is not "1***"), while every longer secret is
 * still redacted from them, and the run can tell that it should warn.
 */
import { afterEach, expect, it } from '@jest/globals'
import {
  clearSecrets,
  redact,
  redactOutput,
  registerSecret,
  setSecretMasker,
  shortSecrets
} from '../../src/secrets.js'

setSecretMasker(() => undefined)
afterEach(() => clearSecrets())

it('keeps outputs intact around a short password, and redacts the long secrets from them', () => {
  registerSecret('2024')
  registerSecret('postgresql://app:2024@db.example.com/app')
  registerSecret('s3cr3t-long-token')
  expect(redactOutput('12024')).toBe('12024')
  expect(redactOutput('app-20241201T000000Z.dump.zst')).toBe('app-20241201T000000Z.dump.zst')
  expect(redactOutput('token s3cr3t-long-token')).toBe('token ***')
  expect(redactOutput('postgresql://app:2024@db.example.com/app')).toBe('***')
  // the log and the summary still redact every secret
  expect(redact('12024')).toBe('1***')
})

it('counts the secrets short enough to warn about', () => {
  expect(shortSecrets(['2024', 'long-enough-password', ''])).toBe(1)
})
