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
  const width = 24
  const share = estimateBytes && estimateBytes > 0 ? Math.min(1, bytes / estimateBytes) : 0
  const filled = Math.round(share * width)
  const bar = estimateBytes ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ` : ''
  return `${bar}${progressLine(bytes, elapsedSeconds, estimateBytes)}`
}

/**
 * Reports progress until stopped, in the log's style: a line every `intervalMs`, or a bar
 * redrawn four times a second on a terminal.
 */
export function startProgress(
  read: () => number,
  options: { estimateBytes?: number; intervalMs?: number } = {}
): { stop(): void } {
  const started = Date.now()
  const elapsed = (): number => (Date.now() - started) / 1000
  if (log.progressStyle === 'bar') {
    const draw = (done = false): void =>
      log.progress(progressBar(read(), elapsed(), options.estimateBytes), done)
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
    () => log.progress(progressLine(read(), elapsed(), options.estimateBytes)),
    options.intervalMs ?? 10_000
  )
  timer.unref()
  return { stop: () => clearInterval(timer) }
}
