/**
 * Counting the bytes that pg_dump produced and reporting progress in the log's style (a line
 * every ~10 s, or a bar on a terminal): bytes, MB/s, elapsed time, and the share of the
 * database size as an estimate.
 */
import { Transform, type TransformCallback } from 'node:stream'
import { formatBytes, formatDuration, log } from '../log.js'

/** Counts bytes and keeps the last `tailSize` bytes (plain dumps end with a trailer). */
export class CountingStage extends Transform {
  bytes = 0
  private tailBuffer = Buffer.alloc(0)

  constructor(private readonly tailSize = 4096) {
    super()
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length
    if (chunk.length >= this.tailSize) {
      this.tailBuffer = Buffer.from(chunk.subarray(chunk.length - this.tailSize))
    } else {
      const joined = Buffer.concat([this.tailBuffer, chunk])
      this.tailBuffer = joined.subarray(Math.max(0, joined.length - this.tailSize))
    }
    callback(null, chunk)
  }

  get tail(): Buffer {
    return this.tailBuffer
  }
}

export function progressLine(
  bytes: number,
  elapsedSeconds: number,
  estimateBytes?: number
): string {
  const rate = elapsedSeconds > 0 ? bytes / 1024 / 1024 / elapsedSeconds : 0
  const share =
    estimateBytes && estimateBytes > 0
      ? `, ~${Math.min(99, Math.round((bytes / estimateBytes) * 100))}% of the database size`
      : ''
  return `${formatBytes(bytes)} dumped in ${formatDuration(elapsedSeconds)} (${rate.toFixed(1)} MB/s${share})`
}

export function progressBar(bytes: number, elapsedSeconds: number, estimateBytes?: number): string {
  return `${bar(bytes, estimateBytes)}${progressLine(bytes, elapsedSeconds, estimateBytes)}`
}

/** `[####....] ` for the share of `estimateBytes` done; '' without an estimate. */
function bar(bytes: number, estimateBytes?: number): string {
  const width = 24
  const share = estimateBytes && estimateBytes > 0 ? Math.min(1, bytes / estimateBytes) : 0
  const filled = Math.round(share * width)
  return estimateBytes ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ` : ''
}

/**
 * A restore's progress: the bytes of the backup read of its size, elapsed, what remains at this
 * pace, and the table being loaded (when the server tells it: pg_stat_progress_copy, 14+).
 */
export function restoreProgressLine(
  bytes: number,
  totalBytes: number,
  elapsedSeconds: number,
  loading?: string
): string {
  const share = totalBytes > 0 ? Math.min(1, bytes / totalBytes) : 0
  const left =
    share > 0.01 && share < 1
      ? `, about ${formatDuration((elapsedSeconds * (1 - share)) / share)} left`
      : ''
  return `${formatBytes(bytes)} of ${formatBytes(totalBytes)} of the backup read (${Math.round(share * 100)}%) in ${formatDuration(elapsedSeconds)}${left}${loading ? `; loading ${loading}` : ''}`
}

/**
 * A parallel restore's progress (jobs > 1: its sessions read the archive themselves, not through
 * this process, so no share of it read can be told: attacker a71 F2, "0 B … (0%)" throughout):
 * the sessions, elapsed, and a table being loaded (pg_stat_progress_copy, 14+).
 */
export function parallelRestoreProgressLine(
  jobs: number,
  elapsedSeconds: number,
  loading?: string
): string {
  return `Loading with ${jobs} sessions for ${formatDuration(elapsedSeconds)}${loading ? `; loading ${loading}, among others` : ''}`
}

/**
 * Reports progress until stopped, in the log's style: a line every `intervalMs`, or a bar
 * redrawn four times a second on a terminal.
 */
export function startProgress(
  read: () => number,
  options: {
    estimateBytes?: number
    intervalMs?: number
    /** The line to show (default: bytes dumped, MB/s, share of the database size). */
    line?: (bytes: number, elapsedSeconds: number) => string
  } = {}
): { stop(): void } {
  const started = Date.now()
  const elapsed = (): number => (Date.now() - started) / 1000
  const line =
    options.line ?? ((bytes: number, s: number) => progressLine(bytes, s, options.estimateBytes))
  if (log.progressStyle === 'bar') {
    const draw = (done = false): void =>
      log.progress(`${bar(read(), options.estimateBytes)}${line(read(), elapsed())}`, done)
    const timer = setInterval(draw, 250)
    timer.unref()
    return {
      stop: () => {
        clearInterval(timer)
        draw(true)
      }
    }
  }
  const timer = setInterval(
    () => log.progress(line(read(), elapsed())),
    options.intervalMs ?? 10_000
  )
  timer.unref()
  return { stop: () => clearInterval(timer) }
}
