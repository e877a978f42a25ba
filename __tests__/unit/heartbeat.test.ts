/**
 * The heartbeat's retries: a monitor that refuses (5xx, 429) is asked again after a pause that
 * doubles, or after its own Retry-After, within the ping's budget — a few times, not every half
 * second (trial u37 F8: 19 POSTs in 10 s); a 4xx is not asked again. The step never fails.
 */
import { describe, expect, it } from '@jest/globals'
import { ping, retryAfterMs } from '../../src/heartbeat.js'

/** A monitor that answers each POST with `status` (and headers), recording when it was asked. */
function monitor(status: number, headers: Record<string, string> = {}) {
  const asked: number[] = []
  const start = Date.now()
  const fetch = (async () => {
    asked.push(Date.now() - start)
    return new Response('no', { status, headers })
  }) as unknown as typeof globalThis.fetch
  return { asked, fetch }
}

const URL_ = new URL('https://hc-ping.example/abc')

describe('heartbeat ping retries', () => {
  it('5xx: asked again after 0.5 s, then 1 s, then 2 s — three times in a 2.5 s budget', async () => {
    const m = monitor(503)
    const ok = await ping(URL_, 'success', 'backup', { fetch: m.fetch, budgetMs: 2_500 })
    expect(ok).toBe(false)
    expect(m.asked).toHaveLength(3)
    expect(m.asked[1] - m.asked[0]).toBeGreaterThanOrEqual(450)
    expect(m.asked[2] - m.asked[1]).toBeGreaterThanOrEqual(950)
  })

  it("429 with Retry-After: the monitor's wait, and none beyond the budget", async () => {
    const soon = monitor(429, { 'retry-after': '1' })
    await ping(URL_, 'start', 'backup', { fetch: soon.fetch, budgetMs: 1_800 })
    expect(soon.asked).toHaveLength(2)
    expect(soon.asked[1] - soon.asked[0]).toBeGreaterThanOrEqual(950)
    const later = monitor(429, { 'retry-after': '60' })
    await ping(URL_, 'start', 'backup', { fetch: later.fetch, budgetMs: 5_000 })
    expect(later.asked).toHaveLength(1)
  })

  it('4xx: not asked again', async () => {
    const m = monitor(404)
    await ping(URL_, 'fail', 'backup', { fetch: m.fetch, budgetMs: 5_000 })
    expect(m.asked).toHaveLength(1)
  })

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterMs('3')).toBe(3000)
    expect(retryAfterMs('Sat, 05 Dec 2026 12:00:10 GMT', Date.parse('2026-12-05T12:00:00Z'))).toBe(
      10_000
    )
    expect(retryAfterMs('soon')).toBeUndefined()
    expect(retryAfterMs(null)).toBeUndefined()
  })
})
