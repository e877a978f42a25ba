import {
  RetentionScheduleError,
  artifactRetentionDays,
  repositoryRetentionMaximum,
  parseRetentionSchedule,
  retentionTier
} from '../../src/retention.js'

const FULL = { daily: 30, weekly: 90, monthly: 365 }

describe('parseRetentionSchedule', () => {
  it.each([
    ['daily=30 weekly=90 monthly=365', FULL],
    ['daily=30\nweekly=90\nmonthly=365\n', FULL],
    ['monthly=365, weekly=90,daily=30', FULL],
    ['  Daily = 30 ;  WEEKLY: 90  ', { daily: 30, weekly: 90 }],
    ['daily=7', { daily: 7 }]
  ])('%j', (text, expected) => {
    expect(parseRetentionSchedule(text)).toEqual(expected)
  })

  it.each([
    ['', /empty/],
    ['  \n ', /empty/],
    ['hourly=1 daily=7', /'hourly' is not a retention tier: use daily, weekly, monthly/],
    ['daily=30 yearly=3650', /'yearly' is not a retention tier/],
    ['daily=0', /whole number from 1 to 36500, not '0'/],
    ['daily=-5', /not '-5'/],
    ['daily=7.5', /not '7.5'/],
    ['daily=thirty', /not 'thirty'/],
    ['daily=', /not ''/],
    ['daily=99999', /from 1 to 36500/],
    ['daily 30', /'daily' is not a 'tier=days' entry/],
    ['daily=7 daily=14', /'daily' is given twice/],
    ['weekly=90 monthly=365', /needs a 'daily' tier/]
  ])('rejects %j', (text, message) => {
    expect(() => parseRetentionSchedule(text)).toThrow(RetentionScheduleError)
    expect(() => parseRetentionSchedule(text)).toThrow(message)
  })
})

describe('retentionTier', () => {
  it('a weekday is daily', () => {
    // Wednesday 2025-06-11
    expect(retentionTier(new Date('2025-06-11T03:00:00Z'), FULL)).toEqual({
      tier: 'daily',
      days: 30
    })
  })

  it('a Sunday is weekly', () => {
    expect(retentionTier(new Date('2025-06-15T03:00:00Z'), FULL)).toEqual({
      tier: 'weekly',
      days: 90
    })
  })

  it('the 1st of a month is monthly', () => {
    // Tuesday 2025-07-01
    expect(retentionTier(new Date('2025-07-01T00:00:00Z'), FULL)).toEqual({
      tier: 'monthly',
      days: 365
    })
  })

  it('the 1st of a month that is a Sunday is monthly', () => {
    // Sunday 2025-06-01
    expect(new Date('2025-06-01T12:00:00Z').getUTCDay()).toBe(0)
    expect(retentionTier(new Date('2025-06-01T12:00:00Z'), FULL)).toEqual({
      tier: 'monthly',
      days: 365
    })
  })

  it('uses the UTC date, not the local one', () => {
    // 23:30 UTC on Saturday 2025-05-31 is already the 1st (a Sunday) east of UTC
    expect(retentionTier(new Date('2025-05-31T23:30:00Z'), FULL).tier).toBe('daily')
    expect(retentionTier(new Date('2025-06-01T00:00:00Z'), FULL).tier).toBe('monthly')
  })

  it('a tier missing from the schedule falls back to the next shorter one', () => {
    const noMonthly = { daily: 30, weekly: 90 }
    expect(retentionTier(new Date('2025-07-01T00:00:00Z'), noMonthly)).toEqual({
      tier: 'weekly',
      days: 90
    })
    const dailyOnly = { daily: 14 }
    expect(retentionTier(new Date('2025-06-01T00:00:00Z'), dailyOnly)).toEqual({
      tier: 'daily',
      days: 14
    })
    expect(retentionTier(new Date('2025-06-15T00:00:00Z'), dailyOnly)).toEqual({
      tier: 'daily',
      days: 14
    })
    const noWeekly = { daily: 30, monthly: 365 }
    expect(retentionTier(new Date('2025-06-15T00:00:00Z'), noWeekly)).toEqual({
      tier: 'daily',
      days: 30
    })
  })

  it('has nothing to fall back to without a daily tier', () => {
    expect(() => retentionTier(new Date('2025-06-11T00:00:00Z'), { monthly: 365 })).toThrow(
      RetentionScheduleError
    )
    expect(() => retentionTier(new Date('invalid'), FULL)).toThrow(RangeError)
  })
})

describe('artifactRetentionDays', () => {
  it('caps at GitHub’s 90 days, or the given maximum', () => {
    expect(artifactRetentionDays(30)).toEqual({ days: 30, capped: false })
    expect(artifactRetentionDays(90, 400)).toEqual({ days: 90, capped: false })
    // private repositories keep artifacts up to 400 days; public ones 90 (the runner says which)
    expect(artifactRetentionDays(365, 400)).toEqual({ days: 365, capped: false })
    expect(artifactRetentionDays(365, 90)).toEqual({ days: 90, capped: true })
    expect(artifactRetentionDays(500, 400)).toEqual({ days: 400, capped: true })
    expect(repositoryRetentionMaximum({ GITHUB_RETENTION_DAYS: '90' })).toBe(90)
    expect(repositoryRetentionMaximum({})).toBe(400)
    expect(repositoryRetentionMaximum({ GITHUB_RETENTION_DAYS: 'x' })).toBe(400)
    expect(artifactRetentionDays(60, 30)).toEqual({ days: 30, capped: true })
  })

  it('rejects days that are not positive whole numbers', () => {
    expect(() => artifactRetentionDays(0)).toThrow(RangeError)
    expect(() => artifactRetentionDays(1.5)).toThrow(RangeError)
    expect(() => artifactRetentionDays(10, 0)).toThrow(RangeError)
  })
})
