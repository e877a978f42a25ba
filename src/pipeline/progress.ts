/**
 * Counting the bytes that pg_dump produced and logging progress every ~10 s: bytes, MB/s,
 * elapsed time, and the share of the database size as an estimate.
 */
import { Transform, type TransformCallback } from 'node:stream'

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

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`
  const m = Math.floor(seconds / 60)
  const s = Math.round(seconds % 60)
  return `${m} min ${s} s`
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

let style: 'lines' | 'bar' = 'lines'

/** 'lines': a log line every ~10 s (CI logs). 'bar': a redrawn bar on a terminal (the CLI). */
export function setProgressStyle(next: 'lines' | 'bar'): void {
  style = next
}

export function progressBar(bytes: number, elapsedSeconds: number, estimateBytes?: number): string {
  const width = 24
  const share = estimateBytes && estimateBytes > 0 ? Math.min(1, bytes / estimateBytes) : 0
  const filled = Math.round(share * width)
  const bar = estimateBytes ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ` : ''
  return `${bar}${progressLine(bytes, elapsedSeconds, estimateBytes)}`
}

/** Reports progress until stopped: every `intervalMs` as a line, or as a bar on a terminal. */
export function startProgress(
  read: () => number,
  log: (line: string) => void,
  options: { estimateBytes?: number; intervalMs?: number } = {}
): { stop(): void } {
  const started = Date.now()
  const elapsed = (): number => (Date.now() - started) / 1000
  if (style === 'bar') {
    const draw = (): void => {
      process.stderr.write(`\r${progressBar(read(), elapsed(), options.estimateBytes)}\x1b[K`)
    }
    const timer = setInterval(draw, 250)
    timer.unref()
    return {
      stop: () => {
        clearInterval(timer)
        draw()
        process.stderr.write('\n')
      }
    }
  }
  const timer = setInterval(
    () => log(progressLine(read(), elapsed(), options.estimateBytes)),
    options.intervalMs ?? 10_000
  )
  timer.unref()
  return { stop: () => clearInterval(timer) }
}
