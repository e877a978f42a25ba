/**
 * Heartbeat pings for a dead man's switch, in Healthchecks.io's protocol (which Cronitor,
 * Better Stack and Uptime Kuma's push monitors also take): `<url>/start` when the step starts,
 * `<url>` when it succeeded, `<url>/fail` when it failed — each a POST with a short plain-text
 * body (mode, database name, size, duration, the error's first line; never a URL or a secret).
 * The monitor raises the alarm when the success ping stops coming, which is the one failure a
 * workflow cannot report itself: a schedule GitHub delayed, dropped or disabled.
 *
 * Bounded: each attempt times out after ATTEMPT_TIMEOUT_MS, a ping gives up after
 * PING_BUDGET_MS in all; 5xx and 429 answers and network errors are retried after a pause that
 * doubles each time (from RETRY_PAUSE_MS), or the answer's Retry-After when it fits the time
 * left (a monitor that is down is asked a few times, not every half second: trial u37 F8). A
 * ping that fails logs a warning and never fails the step. Sources: https://healthchecks.io/docs/http_api/
 */
import { ValueError } from './errors.js'
import { log } from './log.js'

/** One attempt's time limit, in milliseconds. */
export const ATTEMPT_TIMEOUT_MS = 4_000
/** A ping's whole time limit (attempts and the pauses between them), in milliseconds. */
export const PING_BUDGET_MS = 10_000
/** The pause before the first retry, in milliseconds; doubled before each further one. */
const RETRY_PAUSE_MS = 500
/** The body's length limit, in characters (Healthchecks keeps the first 100 kB). */
const BODY_LIMIT = 1_000

export type HeartbeatEvent = 'start' | 'success' | 'fail'

/** What a ping reports; the caller passes only text that holds no secret. */
export type PingOptions = { fetch?: typeof fetch; budgetMs?: number; attemptTimeoutMs?: number }

/** The address of a ping: `<url>/start`, `<url>`, `<url>/fail`, the query string kept. */
export function pingUrl(base: URL, event: HeartbeatEvent): URL {
  const url = new URL(base.href)
  if (event !== 'success') url.pathname = `${url.pathname.replace(/\/+$/, '')}/${event}`
  return url
}

/**
 * Sends one ping; resolves to true when the monitor answered 2xx, false (after a warning)
 * when it could not be reached in time or kept refusing. Never rejects.
 */
export async function ping(
  base: URL,
  event: HeartbeatEvent,
  body: string,
  options: PingOptions = {}
): Promise<boolean> {
  const send = options.fetch ?? fetch
  const budget = options.budgetMs ?? PING_BUDGET_MS
  const attemptTimeout = options.attemptTimeoutMs ?? ATTEMPT_TIMEOUT_MS
  const deadline = Date.now() + budget
  const url = pingUrl(base, event)
  let last = ''
  let pause = RETRY_PAUSE_MS
  for (let attempt = 1; ; attempt++) {
    const left = deadline - Date.now()
    if (left <= 0) break
    /** The monitor's own Retry-After, in milliseconds (seconds or an HTTP date). */
    let retryAfter: number | undefined
    try {
      const response = await send(url, {
        method: 'POST',
        body: body.slice(0, BODY_LIMIT),
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        signal: AbortSignal.timeout(Math.min(attemptTimeout, left)),
        redirect: 'follow'
      })
      // the answer's body is not needed: free the connection
      await response.body?.cancel().catch(() => undefined)
      if (response.ok) return true
      last = `HTTP ${response.status}`
      retryAfter = retryAfterMs(response.headers.get('retry-after'))
      // a 4xx will not change by asking again (a wrong or deleted check)
      if (response.status < 500 && response.status !== 429) break
    } catch (error) {
      const e = error as Error
      last = e.name === 'TimeoutError' ? `no answer within ${attemptTimeout} ms` : withCause(e)
    }
    const wait = retryAfter ?? pause
    if (deadline - Date.now() <= wait) break
    await new Promise(resolve => setTimeout(resolve, wait))
    pause *= 2
  }
  log.warning(
    `Heartbeat: the ${event} ping to heartbeat-url failed (${last}); the step goes on. Check the URL and that the monitoring service is up.`
  )
  return false
}

/** A Retry-After header's wait in milliseconds (delay-seconds or an HTTP date), else undefined. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined
  const value = header.trim()
  if (/^\d+$/.test(value)) return Number(value) * 1000
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

/**
 * An error with its cause: fetch says only "fetch failed"; why is in its cause (ECONNREFUSED,
 * ENOTFOUND, a certificate error), or in the causes of an AggregateError there.
 */
export function withCause(error: Error): string {
  const cause = error.cause as (Error & { code?: string; errors?: unknown[] }) | undefined
  if (!cause || typeof cause !== 'object') return error.message
  const first = Array.isArray(cause.errors)
    ? (cause.errors[0] as (Error & { code?: string }) | undefined)
    : undefined
  const code = cause.code ?? first?.code
  const message = cause.message || first?.message || ''
  const why = code && !message.includes(code) ? `${code}: ${message}` : message || code
  return why ? `${error.message}: ${why}` : error.message
}

/**
 * The pings of one step: start() is sent at once and not waited for (the step goes on);
 * finish() waits for it, then sends the success or fail ping. Without a URL, both do nothing.
 */
export class Heartbeat {
  private started: Promise<boolean> = Promise.resolve(true)

  constructor(
    private readonly url: URL | undefined,
    private readonly options: PingOptions = {}
  ) {}

  start(body: string): void {
    if (this.url) this.started = ping(this.url, 'start', body, this.options)
  }

  async finish(event: 'success' | 'fail', body: string): Promise<void> {
    if (!this.url) return
    await this.started
    if (await ping(this.url, event, body, this.options)) {
      log.info(`Heartbeat: ${event} ping sent.`)
    }
  }
}

/**
 * heartbeat-url's value checked: empty for none, else an http(s) URL. Throws a ValueError (the
 * front door names the input).
 */
export function parseHeartbeatUrl(value: string): URL | undefined {
  const text = value.trim()
  if (text === '') return undefined
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new ValueError(
      'is not a URL: give the ping URL of your check, e.g. https://hc-ping.com/<uuid> (Healthchecks.io)'
    )
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ValueError(`must be an http(s) URL, not ${url.protocol}`)
  }
  if (url.hash !== '') throw new ValueError('must not have a #fragment')
  return url
}
