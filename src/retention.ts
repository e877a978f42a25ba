/**
 * Retention tiers: a run on the 1st of the month (UTC) makes a monthly backup, one on a Sunday a
 * weekly backup, any other a daily one. The schedule ('daily=30 weekly=90 monthly=365') says how
 * many days each tier is kept; the tier becomes an object tag for bucket lifecycle rules, and the
 * days the artifact's retention, capped at what GitHub allows.
 */
import { ValueError } from './errors.js'

export const RETENTION_TIERS = ['daily', 'weekly', 'monthly'] as const
export type RetentionTier = (typeof RETENTION_TIERS)[number]

/** Days to keep each tier; `daily` is always present once parsed. */
export type RetentionSchedule = Partial<Record<RetentionTier, number>>

/**
 * GitHub keeps artifacts at most 90 days in public repositories and 400 in private ones; a
 * repository or organization may allow fewer, and the runner tells the repository's maximum in
 * GITHUB_RETENTION_DAYS (the artifact client caps to it). Source: docs.github.com, "Configuring
 * the retention period for GitHub Actions artifacts and logs".
 */
export const MAX_ARTIFACT_RETENTION_DAYS = 400

/** The repository's maximum as the runner tells it, else GitHub's own. */
export function repositoryRetentionMaximum(env: NodeJS.ProcessEnv = process.env): number {
  const days = Number(env.GITHUB_RETENTION_DAYS)
  return Number.isInteger(days) && days >= 1
    ? Math.min(days, MAX_ARTIFACT_RETENTION_DAYS)
    : MAX_ARTIFACT_RETENTION_DAYS
}
const MAX_RETENTION_DAYS = 36500
const EXAMPLE = "'daily=30 weekly=90 monthly=365'"

/** A schedule that cannot be used; the caller maps it to its input. */
export class RetentionScheduleError extends ValueError {
  override name = 'RetentionScheduleError'
}

/**
 * Parses `tier=days` entries separated by spaces, commas or new lines. Every tier at most once,
 * days a whole number from 1 to 36500, and `daily` required: every run that is not on a Sunday or
 * the 1st is a daily backup.
 */
export function parseRetentionSchedule(text: string): RetentionSchedule {
  const entries = text
    .replace(/\s*[=:]\s*/g, '=')
    .split(/[\s,;]+/)
    .filter(entry => entry !== '')
  if (entries.length === 0) {
    throw new RetentionScheduleError(`the retention schedule is empty; write e.g. ${EXAMPLE}.`)
  }
  const schedule: RetentionSchedule = {}
  for (const entry of entries) {
    const match = /^([^=]*)=(.*)$/.exec(entry)
    if (!match) {
      throw new RetentionScheduleError(
        `'${entry}' is not a 'tier=days' entry; write e.g. ${EXAMPLE}.`
      )
    }
    const tier = match[1].toLowerCase()
    if (!isTier(tier)) {
      throw new RetentionScheduleError(
        `'${match[1]}' is not a retention tier: use ${RETENTION_TIERS.join(', ')} (e.g. ${EXAMPLE}).`
      )
    }
    if (schedule[tier] !== undefined) {
      throw new RetentionScheduleError(`the tier '${tier}' is given twice.`)
    }
    const days = /^\d+$/.test(match[2]) ? Number(match[2]) : NaN
    if (!Number.isSafeInteger(days) || days < 1 || days > MAX_RETENTION_DAYS) {
      throw new RetentionScheduleError(
        `'${entry}': the days must be a whole number from 1 to ${MAX_RETENTION_DAYS}, not '${match[2]}'.`
      )
    }
    schedule[tier] = days
  }
  if (schedule.daily === undefined) {
    throw new RetentionScheduleError(
      `the schedule needs a 'daily' tier: runs on other days than Sunday and the 1st of the month are daily backups (e.g. ${EXAMPLE}).`
    )
  }
  return schedule
}

function isTier(name: string): name is RetentionTier {
  return (RETENTION_TIERS as readonly string[]).includes(name)
}

/**
 * The tier of a run at `date` (UTC): the 1st of the month → monthly (even on a Sunday), Sunday →
 * weekly, else daily. A tier the schedule lacks falls back to the next shorter one it has; the
 * returned tier is the one whose days apply.
 */
export function retentionTier(
  date: Date,
  schedule: RetentionSchedule
): { tier: RetentionTier; days: number } {
  if (Number.isNaN(date.getTime())) throw new RangeError('retentionTier: invalid date')
  const calendar: RetentionTier =
    date.getUTCDate() === 1 ? 'monthly' : date.getUTCDay() === 0 ? 'weekly' : 'daily'
  for (let index = RETENTION_TIERS.indexOf(calendar); index >= 0; index--) {
    const tier = RETENTION_TIERS[index]
    const days = schedule[tier]
    if (days !== undefined) return { tier, days }
  }
  throw new RetentionScheduleError(
    `the schedule has no tier for a ${calendar} backup or a shorter one; give 'daily' days.`
  )
}

/** Artifact retention: `days`, capped at `maxAllowed` (GitHub's limit, or the repository's). */
export function artifactRetentionDays(
  days: number,
  maxAllowed = repositoryRetentionMaximum()
): { days: number; capped: boolean } {
  if (!Number.isInteger(days) || days < 1) {
    throw new RangeError(`retention days must be a positive whole number, not ${days}`)
  }
  if (!Number.isInteger(maxAllowed) || maxAllowed < 1) {
    throw new RangeError(`the maximum retention must be a positive whole number, not ${maxAllowed}`)
  }
  return days > maxAllowed ? { days: maxAllowed, capped: true } : { days, capped: false }
}
