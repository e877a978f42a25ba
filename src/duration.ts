/**
 * Durations as people write them in a workflow: `26h`, `8d`, `90m`, `1d12h`, `2w` (units s, m, h,
 * d, w; whole numbers; no unit means hours). Used by max-age.
 */
import { ValueError } from './errors.js'

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 }

/** The duration in seconds; throws a ValueError (the caller names the input). */
export function parseDuration(text: string): number {
  const value = text.trim().toLowerCase()
  // no unit: hours
  const withUnit = /^\d+$/.test(value) ? `${value}h` : value
  if (!/^(\d+[smhdw])+$/.test(withUnit)) {
    throw new ValueError(
      `'${text}' is not a duration: write e.g. 26h, 8d, 90m or 1d12h (units s, m, h, d, w).`
    )
  }
  let seconds = 0
  for (const [, n, unit] of withUnit.matchAll(/(\d+)([smhdw])/g)) {
    seconds += Number(n) * UNIT_SECONDS[unit]
  }
  if (seconds <= 0 || seconds > 400 * UNIT_SECONDS.d) {
    throw new ValueError(`'${text}' is out of range: between 1 s and 400 days.`)
  }
  return seconds
}

/** Seconds as the largest units that fit, e.g. 97200 → "1d 3h". */
export function formatAge(seconds: number): string {
  const parts: string[] = []
  let rest = Math.max(0, Math.round(seconds))
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60]
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`)
      rest %= size
    }
  }
  if (parts.length === 0) parts.push(`${rest}s`)
  return parts.slice(0, 2).join(' ')
}
