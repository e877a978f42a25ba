import { describe, expect, test } from '@jest/globals'
import v8 from 'node:v8'
import { reduceHeap, scavengeEvery } from '../../src/memory.js'

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

  test('Buffers held through several collections (promoted) are freed by a major one before they pile up', () => {
    // another stream's chunks, each held while 6 MiB more pass (a feed waiting on a pipe while
    // the download collects): without a major collection V8 lets them grow some 64 MB
    const scavenge = scavengeEvery(4 * 1024 * 1024, { promoted: true })
    const held: Buffer[] = []
    const base = process.memoryUsage().arrayBuffers
    let peak = 0
    let sum = 0
    for (let i = 0; i < 4096; i++) {
      const chunk = Buffer.allocUnsafeSlow(64 * 1024)
      chunk[0] = i
      held.push(chunk)
      if (held.length > 96) sum += held.shift()![0]
      scavenge(chunk.length)
      if (i % 16 === 0) peak = Math.max(peak, process.memoryUsage().arrayBuffers - base)
    }
    expect(sum).toBeGreaterThan(0)
    // held: 6 MiB; the scavenges' garbage: 4 MiB; promoted before a major collection: 8 MiB
    expect(peak / 1024 / 1024).toBeLessThan(28)
  })
})

describe('reduceHeap', () => {
  const MiB = 1024 * 1024
  const newSpace = (): number =>
    v8.getHeapSpaceStatistics().find(space => space.space_name === 'new_space')!.space_size
  /** Objects that live a while (some survive a scavenge): V8 grows the young generation. */
  function churn(count: number): void {
    let keep: object[] = []
    for (let i = 0; i < count; i++) {
      keep.push({ i, list: [i] })
      if (keep.length > 3000) keep = []
    }
    expect(keep.length).toBeGreaterThan(0)
  }

  test('gives back the young generation start-up grew, and keeps it small afterwards', () => {
    churn(3_000_000)
    // (grown past 2 MiB in a fresh process; a worker that ran reduceHeap before keeps it small)
    const grown = newSpace()
    reduceHeap()
    expect(newSpace()).toBeLessThanOrEqual(Math.min(grown, 2 * MiB))
    churn(3_000_000)
    expect(newSpace()).toBeLessThanOrEqual(2 * MiB)
  })
})
