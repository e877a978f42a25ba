/**
 * The artifact's blocks, uploaded from buffers of this module's own. The artifact client
 * (@actions/artifact 6.2.1, blob-upload.js) uploads with BlockBlobClient.uploadStream
 * (@azure/storage-blob 12): its BufferScheduler gathers the stream's chunks until 8 MiB are
 * there, then copies them into a block buffer — so every chunk of the zip stays referenced until
 * its block is full, and lives through collections (the tee's scavenges, V8's own) into the old
 * generation, where only a full collection frees it; and the last, partial block gets a new 8 MiB
 * buffer of its own. Over a long backup that garbage, and the malloc heap it fragments, set the
 * peak RSS: it grew with the dump's size.
 *
 * Here each chunk is copied into the block being filled as it arrives (the same one copy the
 * scheduler makes) and is garbage at once; the blocks — 4 MiB (SMALL_BLOCK), at most
 * `maxConcurrency` uploading and one filling — are reused, the last one too. Blocks are staged and committed as the client
 * does (stageBlock, commitBlockList with the client's options: its progress callback and abort
 * signal), with block IDs of the same form. Installed only while an upload runs (uploadOnce).
 */
import { BlockBlobClient } from '@azure/storage-blob'
import { randomUUID } from 'node:crypto'
import type { Readable } from 'node:stream'

type UploadStream = BlockBlobClient['uploadStream']
type UploadOptions = NonNullable<Parameters<UploadStream>[3]>
type UploadResponse = Awaited<ReturnType<UploadStream>>

/** The client's block size, when it passes none (it passes 8 MiB). */
const DEFAULT_BLOCK = 8 * 1024 * 1024

/**
 * The blocks this module fills, whatever the client asks: 4 MiB. With 3 uploading and one
 * filling that is 16 MiB of the action's memory instead of 32 (measured on the 500 MB bench
 * database: the backup's peak RSS 133–134 → 120–121 MB, its time unchanged); 4 MiB blocks still
 * keep 12 MiB in flight, more than a runner's link to Azure carries in a round trip.
 */
export const SMALL_BLOCK = 4 * 1024 * 1024

/**
 * Blocks of SMALL_BLOCK for the first SMALL_BLOCKS of a blob, then of the client's size: a block
 * blob holds at most 50,000 blocks, so a backup past ~98 GiB (25,000 × 4 MiB) goes on in the
 * client's larger blocks (up to ~293 GiB with 8 MiB).
 */
const SMALL_BLOCKS = 25_000

/** The size of block `index` (0-based) of a blob whose client asked for `requested` bytes. */
export function blockSize(index: number, requested: number): number {
  return index < SMALL_BLOCKS ? Math.min(SMALL_BLOCK, requested) : requested
}

/**
 * A block ID as the storage client makes them (generateBlockID): a prefix and the block's index
 * padded to 48 characters, base64 — every ID of a blob of the same length, as the service asks.
 */
export function blockId(prefix: string, index: number): string {
  const head = prefix.slice(0, 42)
  return Buffer.from(head + String(index).padStart(48 - head.length, '0')).toString('base64')
}

/** BlockBlobClient.uploadStream, with blocks of its own that are reused (see above). */
export async function uploadStreamInBlocks(
  this: BlockBlobClient,
  stream: Readable,
  bufferSize: number = DEFAULT_BLOCK,
  maxConcurrency: number = 5,
  options: UploadOptions = {}
): Promise<UploadResponse> {
  const prefix = randomUUID()
  const ids: string[] = []
  const spare: Buffer[] = []
  const uploading = new Set<Promise<void>>()
  let failure: { error: unknown } | undefined
  let loaded = 0
  const stage = async (block: Buffer, length: number): Promise<void> => {
    // one slot per block in flight: wait for one to come free (or for a failure)
    while (uploading.size >= Math.max(1, maxConcurrency) && !failure) {
      await Promise.race(uploading)
    }
    if (failure) throw failure.error
    const id = blockId(prefix, ids.length)
    ids.push(id)
    const upload: Promise<void> = this.stageBlock(id, block.subarray(0, length), length, {
      abortSignal: options.abortSignal,
      conditions: options.conditions,
      customerProvidedKey: options.customerProvidedKey,
      encryptionScope: options.encryptionScope,
      tracingOptions: options.tracingOptions
    }).then(
      () => {
        uploading.delete(upload)
        loaded += length
        options.onProgress?.({ loadedBytes: loaded })
        spare.push(block)
      },
      (error: unknown) => {
        uploading.delete(upload)
        failure ??= { error }
      }
    )
    uploading.add(upload)
  }
  let block: Buffer | undefined
  let size = 0
  let filled = 0
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    let offset = 0
    while (offset < data.length) {
      if (!block) {
        // the size of the block after those staged (ids) and the one being staged, if any
        size = blockSize(ids.length, bufferSize)
        const reused = spare.pop()
        block = reused?.length === size ? reused : Buffer.allocUnsafeSlow(size)
      }
      const copied = data.copy(block, filled, offset)
      filled += copied
      offset += copied
      if (filled === size) {
        await stage(block, filled)
        block = undefined
        filled = 0
      }
    }
    if (failure) throw failure.error
  }
  if (block && filled > 0) await stage(block, filled)
  await Promise.all(uploading)
  if (failure) throw failure.error
  return this.commitBlockList(ids, options)
}

/**
 * Runs `upload` with BlockBlobClient.uploadStream replaced by uploadStreamInBlocks; the
 * original is put back when it settles.
 */
export async function withBlockUpload<T>(upload: () => Promise<T>): Promise<T> {
  const prototype = BlockBlobClient.prototype
  const original = prototype.uploadStream
  prototype.uploadStream = uploadStreamInBlocks as UploadStream
  try {
    return await upload()
  } finally {
    prototype.uploadStream = original
  }
}
