import { describe, expect, test } from '@jest/globals'
import { scavengeEvery } from '../../src/memory.js'

/**
 * Buffers that die young (a download's chunks, garbage once written) are freed every few MiB,
 * not when V8 decides to collect (after some 64 MB outside the heap).
 */
describe('scavengeEvery', () => {
  /** The peak of memory outside the heap while 256 MiB pass through 64 KiB Buffers, in MiB. */
  function peakWhilePassing(onChunk: (bytes: number) => void): number {
    const base = process.memoryUsage().arrayBuffers
    let peak = 0
    let sum = 0
    for (let i = 0; i < 4096; i++) {
      const chunk = Buffer.allocUnsafeSlow(64 * 1024)
      chunk[0] = i
      sum += chunk[0]
      onChunk(chunk.length)
      if (i % 16 === 0) peak = Math.max(peak, process.memoryUsage().arrayBuffers - base)
    }
    expect(sum).toBeGreaterThan(0)
    return peak / 1024 / 1024
  }

  test('a minor collection every 4 MiB keeps the garbage Buffers under 16 MiB', () => {
    expect(peakWhilePassing(scavengeEvery(4 * 1024 * 1024))).toBeLessThan(16)
  })
})
