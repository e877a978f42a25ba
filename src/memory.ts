/**
 * A minor collection (a scavenge of V8's young generation) on demand, for a stage that passes
 * gigabytes through Buffers it does not allocate itself (the artifact client's download: Node's
 * HTTP parser copies every chunk of a response body into a Buffer of its own). Such a Buffer is
 * garbage once written, but its memory lies outside the heap, and V8 lets that grow by some 64 MB
 * before it collects: the restore's peak RSS. A scavenge every few MiB frees them young; it costs
 * about a millisecond (the young generation holds little else then).
 */
import v8 from 'node:v8'
import vm from 'node:vm'

type Collect = (options: {
  type: 'minor' | 'major'
  execution?: 'sync' | 'async'
  flavor?: 'regular' | 'last-resort'
}) => void

let collect: Collect | null | undefined

/** V8's gc(), fetched once into a context of its own; null where it cannot be had. */
function collector(): Collect | null {
  if (collect !== undefined) return collect
  try {
    if (typeof globalThis.gc === 'function') {
      collect = globalThis.gc as unknown as Collect
    } else {
      // the flag exposes gc() to contexts created while it is set: one, then it is unset again
      v8.setFlagsFromString('--expose-gc')
      try {
        collect = vm.runInNewContext('gc') as Collect
      } finally {
        v8.setFlagsFromString('--no-expose-gc')
      }
    }
  } catch {
    collect = null
  }
  return collect
}

/** How often the restore's stages (the gate, the direct feed) collect: every 4 MiB (the backup's tee: backup-stream.ts). */
export const SCAVENGE_BYTES = 4 * 1024 * 1024

/**
 * Buffers a minor collection cannot free: those that lived through two of them are promoted, and
 * only a major collection frees them, which V8 runs once some 64 MB more lie outside the heap.
 * Two streams at once promote each other's: the restore's download collects every 4 MiB of the
 * zip, and the chunks the load's feed holds meanwhile (waiting for zstd's stdin while
 * pg_restore works) live through several of those, as do the download's chunks waiting for the
 * file while the feed collects (1500 MB bench database: the Buffers grew from 10 to 28 MB over
 * the download). When the Buffers stand this much above their lowest since the last major
 * collection, the next scavenge runs a major one (some 10 ms for the restore's heap) — for a
 * scavenger that asks for it (the download's): a stream whose Buffers live on purpose (the backup's
 * upload blocks) would run one every few MiB.
 */
export const PROMOTED_BUFFERS_BYTES = 8 * 1024 * 1024

/** The Buffers' lowest since the last major collection (this process's). */
let buffersFloor: number | undefined

/**
 * Counts bytes that passed; after every `everyBytes` of them, a minor collection, and with
 * `promoted`, a major one when the Buffers outside the heap stand {@link PROMOTED_BUFFERS_BYTES}
 * above their lowest since the last. Returns the function to call with each chunk's length.
 */
export function scavengeEvery(
  everyBytes: number,
  { promoted = false }: { promoted?: boolean } = {}
): (bytes: number) => void {
  let since = 0
  return bytes => {
    since += bytes
    if (since < everyBytes) return
    since = 0
    const gc = collector()
    if (!gc) return
    gc({ type: 'minor' })
    if (!promoted) return
    const buffers = process.memoryUsage().arrayBuffers
    if (buffersFloor === undefined || buffers < buffersFloor) buffersFloor = buffers
    else if (buffers - buffersFloor > PROMOTED_BUFFERS_BYTES) {
      gc({ type: 'major', execution: 'sync' })
      // (V8 may free their memory after the collection: the floor follows it down)
      buffersFloor = process.memoryUsage().arrayBuffers
    }
  }
}

/**
 * Gives back the young generation that start-up grew, and keeps it small from here on: a
 * streaming stage allocates little that lives, but loading the bundle (the artifact client's
 * modules above all) grows V8's new space to 16 MiB, and V8 shrinks it only in a collection that
 * reduces memory — which a backup may never see (measured on the 500 MB bench database: the new
 * space at 16 MiB until 14 s into a 26 s backup; the heap's peak 35 MB, 21 MB with this). One
 * last-resort collection (tens of milliseconds) frees it and returns the pages; a semi-space
 * growth factor of 1 keeps the young generation at that size (1–2 MiB): more frequent, cheaper
 * scavenges. For the rest of the process; nothing when gc() cannot be had.
 */
export function reduceHeap(): void {
  const gc = collector()
  if (!gc) return
  gc({ type: 'major', execution: 'sync', flavor: 'last-resort' })
  try {
    v8.setFlagsFromString('--semi-space-growth-factor=1')
  } catch {
    // a V8 without the flag: the young generation grows as before
  }
}
