/**
 * Lock waits made visible: the sessions that block one of the action's own (pg_blocking_pids and
 * pg_stat_activity, read from a second connection while it waits), logged once when the wait
 * begins and named in the error when lock_timeout ends it.
 */
import type pg from 'pg'
import { CheckError } from '../errors.js'
import { log } from '../log.js'

/**
 * A session that holds, or is queued ahead for, a lock another session waits for
 * (pg_stat_activity; pg_locks where the lock was read).
 */
export interface Blocker {
  pid: number
  applicationName: string | null
  /** Its role, where read ('' when pg_stat_activity does not say). */
  user?: string
  /** active, idle in transaction, … (null when pg_stat_activity does not say). */
  state: string | null
  /** When its transaction began (ISO 8601, UTC), or its backend or its state when it has none. */
  since: string | null
  /** The start of its last statement (at most 100 characters), where read. */
  query?: string
  /** The lock it holds or is queued for (AccessExclusiveLock, …), where read. */
  lock?: { mode: string; granted: boolean }
}

/** Who waits: a backend's pid, or every backend with this application_name (a child's PGAPPNAME). */
export type Waiter = { pid: number } | { applicationName: string }

/** The sessions blocking the waiter now (none when it does not wait). */
export async function blockersOf(monitor: pg.Client, waiter: Waiter): Promise<Blocker[]> {
  const result = await monitor.query<{
    pid: number
    application_name: string
    usename: string | null
    state: string | null
    since: Date | null
    query: string | null
  }>(
    `WITH waiting AS (
       SELECT unnest(pg_catalog.pg_blocking_pids(a.pid)) AS pid
         FROM pg_catalog.pg_stat_activity a
        WHERE ($1::int IS NOT NULL AND a.pid = $1) OR ($2::text IS NOT NULL AND a.application_name = $2))
     SELECT DISTINCT b.pid, b.application_name, b.usename::text AS usename, b.state,
            coalesce(b.xact_start, b.backend_start) AS since, left(b.query, 100) AS query
       FROM waiting w JOIN pg_catalog.pg_stat_activity b ON b.pid = w.pid
      ORDER BY b.pid`,
    [
      'pid' in waiter ? waiter.pid : null,
      'applicationName' in waiter ? waiter.applicationName : null
    ]
  )
  return result.rows.map(r => ({
    pid: r.pid,
    applicationName: r.application_name,
    user: r.usename ?? '',
    state: r.state,
    since: r.since ? isoSeconds(r.since) : null,
    query: r.query ?? ''
  }))
}

/**
 * A time waited, one way in every message: seconds with one decimal ("waited 5.0 s", "0.2 s",
 * "30.0 s").
 */
export function formatWait(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
}

/** A moment to the second, as the server-side queries write it: 2026-12-01T07:51:02Z. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z')
}

/** "pid 123 (application_name 'psql', user app, idle in transaction since 2026-12-01T07:51:02Z), …". */
export function describeBlockers(blockers: readonly Blocker[]): string {
  if (blockers.length === 0) return 'no blocking session was seen (it may have ended)'
  return blockers.map(describeBlocker).join(', ')
}

/**
 * One blocker: "pid 123 (application_name 'psql', user app, idle in transaction since
 * 2026-12-01T07:51:02Z, holds AccessExclusiveLock)"; "no application_name" for a session
 * without one; what was not read is left out.
 */
export function describeBlocker(b: Blocker): string {
  const details = [
    b.applicationName ? `application_name '${b.applicationName}'` : 'no application_name',
    b.user !== undefined ? `user ${b.user || 'unknown'}` : undefined,
    b.state ? `${b.state}${b.since ? ` since ${b.since}` : ''}` : undefined,
    b.lock
      ? b.lock.granted
        ? `holds ${b.lock.mode}`
        : `queued for ${b.lock.mode} (ahead of us)`
      : undefined
  ].filter(Boolean)
  return `pid ${b.pid} (${details.join(', ')})`
}

/** A lock the action waited for was not granted within lock-timeout. */
export class LockTimeoutError extends CheckError {
  override name = 'LockTimeoutError'
  constructor(
    what: string,
    readonly blockers: Blocker[],
    lockTimeoutMs: number
  ) {
    super(
      `${what} waited ${formatWait(lockTimeoutMs)} (lock-timeout) for a lock ${blockers.length > 0 ? `held by ${describeBlockers(blockers)}` : "another session held (which one was not seen: it may have ended, or no session of the action's own could watch the wait — a pool or CONNECTION LIMIT with room for one session; pg_stat_activity and pg_locks name it while it waits)"}. Nothing was changed. Run it when the application does not hold that lock (or stop that session), or raise lock-timeout (0 waits forever).`
    )
  }
}

/**
 * The session lock waits are watched from: open, opened at the first look (a function: a work
 * that ends sooner opens none), or none (no room for one: the work runs unwatched, and a
 * lock_timeout that ends it names no blocker).
 */
export type Monitor = pg.Client | (() => Promise<pg.Client | undefined>) | undefined

/**
 * Watches `waiter` from `monitor` while `work` runs: logs the blocking sessions once when a wait
 * begins, and returns with the result of `work` the blockers last seen (for the error when
 * lock_timeout ends the wait). The first look is after `firstMs`, then every `everyMs`.
 *
 * With `cancelAfterMs` (> 0), a wait seen for that long is cancelled (pg_cancel_backend of the
 * waiting session, `cancelled` in the result): the bound for a client whose script sets its own
 * lock_timeout (pg_restore -d sends pg_dump's header, `SET lock_timeout = 0;`, to the server).
 */
export async function watchLockWaits<T>(
  monitor: Monitor,
  waiter: Waiter,
  work: Promise<T>,
  options: { firstMs?: number; everyMs?: number; cancelAfterMs?: number } = {}
): Promise<{ result: PromiseSettledResult<T>; blockers: Blocker[]; cancelled: boolean }> {
  let blockers: Blocker[] = []
  let logged = false
  let stopped = false
  let cancelled = false
  let waitingSince: number | undefined
  let timer: NodeJS.Timeout | undefined
  let looking: Promise<void> = Promise.resolve()
  const cancelAfter = options.cancelAfterMs ?? 0
  if (monitor === undefined) {
    const [result] = await Promise.allSettled([work])
    return { result, blockers, cancelled }
  }
  const open = typeof monitor === 'function' ? monitor : async () => monitor
  let session: pg.Client | undefined
  /** The monitor's session being opened: a work that ends meanwhile does not wait for it. */
  let opening = false
  const look = (): void => {
    const seen = Date.now()
    looking = (async () => {
      if (session) return session
      opening = true
      try {
        return (session = await open())
      } finally {
        opening = false
      }
    })()
      .then(async client => {
        if (client === undefined) {
          stopped = true // no room for a watcher: the work runs unwatched
          return
        }
        const now = await blockersOf(client, waiter)
        if (now.length === 0) {
          waitingSince = undefined
          return
        }
        blockers = now
        waitingSince ??= seen
        if (!logged) {
          log.info(`Waiting for a lock held by ${describeBlockers(now)} …`)
          logged = true
        }
        if (cancelAfter > 0 && !stopped && Date.now() - waitingSince >= cancelAfter) {
          await cancelWaits(client, waiter)
          cancelled = true
        }
      })
      .catch(() => undefined)
      .finally(() => {
        if (!stopped) timer = setTimeout(look, options.everyMs ?? 1000)
      })
  }
  timer = setTimeout(look, options.firstMs ?? 500)
  const [result] = await Promise.allSettled([work])
  stopped = true
  clearTimeout(timer)
  if (!opening) await looking
  return { result, blockers, cancelled }
}

/** Cancels the statement of each session of `waiter` that waits for a lock now. */
async function cancelWaits(monitor: pg.Client, waiter: Waiter): Promise<void> {
  await monitor.query(
    `SELECT pg_catalog.pg_cancel_backend(a.pid)
       FROM pg_catalog.pg_stat_activity a
      WHERE (($1::int IS NOT NULL AND a.pid = $1) OR ($2::text IS NOT NULL AND a.application_name = $2))
        AND pg_catalog.cardinality(pg_catalog.pg_blocking_pids(a.pid)) > 0`,
    [
      'pid' in waiter ? waiter.pid : null,
      'applicationName' in waiter ? waiter.applicationName : null
    ]
  )
}

/** Whether an error is PostgreSQL's lock_timeout (SQLSTATE 55P03, "canceling statement due to lock timeout"). */
export function isLockTimeout(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | undefined
  return e?.code === '55P03' || /lock timeout/.test(e?.message ?? '')
}
