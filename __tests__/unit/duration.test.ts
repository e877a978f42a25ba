import { describe, expect, it } from '@jest/globals'
import { formatAge, parseDuration } from '../../src/duration.js'

describe('parseDuration (max-age)', () => {
  it.each([
    ['26h', 26 * 3600],
    ['8d', 8 * 86_400],
    ['90m', 5400],
    ['1d12h', 36 * 3600],
    ['2w', 14 * 86_400],
    ['45s', 45],
    [' 36 ', 36 * 3600],
    ['1D', 86_400]
  ])('%s is %d s', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds)
  })

  it.each(['', 'yesterday', '1.5h', '-3h', 'h', '3 h', '0h', '401d', '0', '9601'])(
    'refuses %p',
    text => {
      expect(() => parseDuration(text)).toThrow(/is not a duration|is out of range/)
    }
  )

  it('formatAge gives the two largest units', () => {
    expect([formatAge(97_200), formatAge(59), formatAge(3661), formatAge(0)]).toEqual([
      '1d 3h',
      '59s',
      '1h 1m',
      '0s'
    ])
  })
})
