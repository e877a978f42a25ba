/**
 * How blockers and lock waits are written (postgres/locks.ts): one way everywhere — a time as
 * "2.0 s", a session's application_name as "application_name 'x'" or "no application_name"
 * (never 'null'), a moment as 2026-12-01T07:51:02Z.
 */
import { describe, expect, it } from '@jest/globals'
import {
  type Blocker,
  LockTimeoutError,
  describeBlocker,
  describeBlockers,
  formatWait,
  isoSeconds
} from '../../src/postgres/locks.js'

const named: Blocker = {
  pid: 4711,
  applicationName: 'nightly-migration',
  user: 'app',
  state: 'idle in transaction',
  since: '2026-12-01T07:51:02Z'
}
const anonymous: Blocker = {
  pid: 4712,
  applicationName: null,
  state: 'active',
  since: '2026-12-01T07:52:00Z',
  lock: { mode: 'AccessExclusiveLock', granted: true }
}
const emptyName: Blocker = { pid: 4713, applicationName: '', state: null, since: null }

describe('blockers', () => {
  it("a session without application_name says so, never 'null'", () => {
    expect(describeBlocker(anonymous)).toBe(
      'pid 4712 (no application_name, active since 2026-12-01T07:52:00Z, holds AccessExclusiveLock)'
    )
    expect(describeBlocker(emptyName)).toBe('pid 4713 (no application_name)')
    expect(describeBlockers([named, anonymous])).not.toMatch(/null|application '/)
  })

  it('one blocker is written the same alone and in a list', () => {
    expect(describeBlocker(named)).toBe(
      "pid 4711 (application_name 'nightly-migration', user app, idle in transaction since 2026-12-01T07:51:02Z)"
    )
    expect(describeBlockers([named, anonymous])).toBe(
      `${describeBlocker(named)}, ${describeBlocker(anonymous)}`
    )
    expect(describeBlockers([])).toBe('no blocking session was seen (it may have ended)')
  })

  it('a lock-timeout with no holder seen reads as a sentence, and says why one may not be (attacker a63 F5)', () => {
    const message = new LockTimeoutError('The restore', [], 5000).message
    expect(message).toMatch(
      /^The restore waited 5\.0 s \(lock-timeout\) for a lock another session held \(which one was not seen: it may have ended, or no session of the action's own could watch the wait/
    )
    expect(message).not.toContain('held by no blocking session')
  })

  it('a moment is written to the second, as the server-side queries write it', () => {
    expect(isoSeconds(new Date('2026-12-01T07:51:02.345Z'))).toBe('2026-12-01T07:51:02Z')
  })
})

describe('times', () => {
  it('a wait is written in seconds with one decimal, whatever its size', () => {
    expect([0, 200, 1500, 5000, 30_000, 125_000].map(formatWait)).toEqual([
      '0.0 s',
      '0.2 s',
      '1.5 s',
      '5.0 s',
      '30.0 s',
      '125.0 s'
    ])
  })

  it('the lock-timeout error writes its time the same way', () => {
    const error = new LockTimeoutError('The restore', [anonymous], 2000)
    expect(error.message).toMatch(
      /^The restore waited 2\.0 s \(lock-timeout\) for a lock held by pid 4712 \(no application_name, /
    )
  })
})
