/**
 * The backup artifact is a zip the action writes itself (ZipWriter) — the dump, then
 * manifest.json, both stored (the dump is compressed already) — and the artifact client uploads as it is, one file
 * (`skipArchive`): so the artifact is named `<artifact-name>.zip` and downloads as that zip.
 *
 * Uploaded live, the client reads the zip from this process's own stream while the dump is
 * still being written (handOverOnRead): the upload takes no time of its own, and the compressed
 * bytes go from zstd's pipe to the upload's blocks without a file, a pipe or a copy of ours in
 * between. When an artifact is being replaced (the old one is deleted only once the new zip is
 * whole) the zip is written to a file and uploaded after.
 */
import { BackupError } from '../pipeline/backup-stream.js'
import { log } from '../log.js'
import type { DefaultArtifactClient } from '@actions/artifact'
import fs, { type WriteStream, createWriteStream } from 'node:fs'
import { syncBuiltinESMExports } from 'node:module'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import type { Socket } from 'node:net'
import path from 'node:path'
import type { Readable, Writable } from 'node:stream'
import { finished, pipeline } from 'node:stream/promises'
import { MANIFEST_FILE } from '../manifest.js'
import { SIGNATURE_FILE } from './signing.js'
import type { Sink } from '../pipeline/backup-stream.js'
import { PIPE_SIZE, canWidenPipes, coalesce, drain, makeFifo, widenPipe } from './fifo.js'
import { ZipWriter } from './zip-writer.js'
import {
  type UploadedArtifact,
  artifactZipName,
  deleteArtifactQuietly,
  uploadBackup
} from './artifact.js'

export { artifactZipName }

/** A small file stored beside the dump (the globals file), whole in memory. */
export interface ExtraFile {
  name: string
  data: Buffer
}

export interface ArtifactZipOptions {
  /** artifact-name as given; the artifact is called artifactZipName(name). */
  name: string
  retentionDays: number
  /** An empty directory of the backup's own (the zip or the pipe is created in it). */
  directory: string
  /** Upload while writing (a named pipe), or write the file first and upload it in finish(). */
  live: boolean
  /** Replace the artifact of this name (only with live: false): see uploadBackup. */
  replaceExisting?: boolean | undefined
}

export interface ArtifactZip {
  /** The artifact's name. */
  readonly name: string
  /** The zip file (empty while a live upload reads the zip from this process instead). */
  readonly path: string
  /** true when the upload reads the zip while it is written. */
  readonly live: boolean
  /**
   * Starts the live upload (called when pg_dump's first bytes arrive, so a dump that fails at
   * once uploads nothing; finish() starts it otherwise).
   */
  begin(): void
  /** The dump's entry, as a sink of the backup's stream. */
  sink(fileName: string): Sink
  /** Adds manifest.json, completes the zip and returns the artifact once the backend holds it. */
  finish(manifest: string, signature?: string, extras?: ExtraFile[]): Promise<UploadedArtifact>
  /**
   * After a failure: stops writing, and removes what reached the backend. The client cannot
   * abort an upload it has begun: the partial zip is finalized, then deleted. Resolves with
   * what reached the backend and what became of it (for the failure's summary), if anything did.
   */
  abort(): Promise<string | undefined>
}

export async function createArtifactZip(
  client: DefaultArtifactClient,
  options: ArtifactZipOptions
): Promise<ArtifactZip> {
  const name = artifactZipName(options.name)
  const directory = path.join(options.directory, 'artifact')
  await mkdir(directory, { recursive: true, mode: 0o700 })
  const zipPath = path.join(directory, name)
  const live = options.live
  // live: a named pipe, or else an empty file, of the zip's name: the client checks that it
  // exists, then reads the stream handed over (or that pipe, where node:fs cannot be patched)
  const fifoMade = live && (await canWidenPipes()) && (await makeFifo(zipPath))
  if (live && !fifoMade) await writeFile(zipPath, '', { mode: 0o600 })
  // the zip's bytes: what a live upload reads, or else what is written into the file
  const zip = new ZipWriter()
  let dumpEntry: Writable | undefined
  const file = live ? undefined : createWriteStream(zipPath, { mode: 0o600 })
  if (file) {
    zip.output.pipe(file)
    // a zip file that cannot be written (a full disk) fails the dump's pipeline
    file.on('error', (error: Error) => dumpEntry?.destroy(error))
  }
  const zipped = file ? finished(file) : Promise.resolve()
  zipped.catch(() => undefined) // awaited in finish()/abort()

  let uploading: Promise<UploadedArtifact> | undefined
  /** The client's own upload, and how long to wait for it once the storage stalled. */
  let clientUpload: Promise<UploadedArtifact> | undefined
  let stalledFor: number | undefined
  let written: Promise<void> | undefined
  /**
   * The live upload begins with the dump's first bytes, not before: the client gives up on an
   * upload that makes no progress for ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS (5 minutes), and
   * pg_dump may first wait for locks.
   */
  const startUpload = (): void => {
    if (!live || uploading) return
    // the client's watchdog counts the dump's own pauses as a stalled upload: it is replaced
    // by one that only counts the time the client does not take bytes it has been given
    const stallMs = uploadStallMs()
    const restoreWatchdog = relaxClientWatchdog(stallMs)
    // what the live upload reads: the zip's own stream
    const stream = zip.output
    lowerBufferOfReader(stream, READER_BUFFER)
    /** The named pipe, when the client reads that instead of the stream (see below). */
    let fifo: WriteStream | undefined
    let settleWritten: { resolve: () => void; reject: (error: Error) => void } | undefined
    written = new Promise<void>((resolve, reject) => (settleWritten = { resolve, reject }))
    const handover = handOverOnRead(zipPath, stream, () => {
      finished(stream).then(settleWritten!.resolve, settleWritten!.reject)
      if (fifo) {
        // nobody opens the pipe now: free our open of it for writing, which waits for a reader
        const reader = drain(zipPath)
        fifo.once('close', () => reader?.destroy())
        fifo.destroy()
      }
    })
    const restoreReads = handover.restore
    if (fifoMade) {
      // where node:fs cannot be patched for the client (its ES module namespace is a copy, as
      // under jest), it opens the pipe itself: the zip is written into it, 1 MiB at a time
      fifo = createWriteStream(zipPath)
      fifo.once('open', () => {
        if (handover.taken()) return
        widenPipe(zipPath)
        pipeline(stream, coalesce(PIPE_SIZE), fifo!).then(
          settleWritten!.resolve,
          settleWritten!.reject
        )
      })
      fifo.on('error', error => settleWritten!.reject(error))
    }
    const upload = uploadBackup(client, {
      zipPath,
      retentionDays: options.retentionDays,
      replaceExisting: false,
      // the dump paces a live upload: two blocks in flight keep up, and hold 8 MiB less
      concurrency: 2
    }).then(async uploaded => {
      // the client read the whole zip (from our stream or the pipe; never the empty file)
      if (uploaded.size !== zip.bytes) {
        await deleteArtifactQuietly(client, name)
        throw new BackupError(
          `the artifact client uploaded ${uploaded.size} bytes, but the backup's zip has ${zip.bytes}${handover.taken() || fifoMade ? '' : ' (it did not read the stream handed to it: an @actions/artifact this action does not know?)'}: the incomplete artifact was deleted, nothing usable was uploaded. Please report this.`
        )
      }
      return uploaded
    })
    written.catch(() => undefined) // awaited in finish()/abort()
    const watchdog = watchLiveUpload(
      // the bytes the client took: those written, less those still waiting in the stream
      () => zip.bytes - stream.readableLength,
      () => stream.readableLength + (fifo?.writableLength ?? 0),
      written,
      stallMs
    )
    clientUpload = upload
    upload.catch(() => undefined) // raced, and awaited by abort()
    watchdog.stalled.catch(() => (stalledFor = stallMs))
    uploading = Promise.race([upload, watchdog.stalled])
    void uploading
      .finally(() => {
        watchdog.stop()
        restoreWatchdog()
        restoreReads()
      })
      .catch(() => undefined)
    uploading.catch((error: Error) => {
      // the client stopped reading (or never began): fail the dump's pipeline, and let go of
      // the bytes no one will read
      dumpEntry?.destroy(error)
      zip.abort()
      stream.destroy()
      settleWritten!.reject(error)
      if (fifo && !handover.taken()) unblock()
    })
  }
  /** Readers that empty the pipe after a failure; closed once the upload has settled. */
  const drains: Socket[] = []
  const unblock = (): void => {
    const reader = drain(zipPath)
    if (reader) drains.push(reader)
  }
  const closeDrains = (): void => {
    for (const reader of drains.splice(0)) reader.destroy()
  }

  return {
    name,
    path: zipPath,
    live,
    begin: startUpload,
    sink(fileName: string): Sink {
      dumpEntry = zip.entry(fileName)
      return {
        writable: dumpEntry,
        stored: Promise.resolve(undefined),
        begin: startUpload,
        directory
      }
    },
    async finish(
      manifest: string,
      signature?: string,
      extras: ExtraFile[] = []
    ): Promise<UploadedArtifact> {
      startUpload()
      // beside the dump, before the manifest that describes them
      for (const extra of extras) zip.add(extra.name, extra.data)
      zip.add(MANIFEST_FILE, manifest)
      if (signature !== undefined) zip.add(SIGNATURE_FILE, signature)
      zip.finalize()
      if (uploading && written) {
        try {
          const [done] = await Promise.all([uploading, written])
          return done
        } finally {
          closeDrains()
        }
      }
      await zipped
      return uploadBackup(client, {
        zipPath,
        retentionDays: options.retentionDays,
        replaceExisting: options.replaceExisting
      })
    },
    async abort(): Promise<string | undefined> {
      // end the stream where it is: the client finalizes what it read, which is then deleted
      zip.abort()
      dumpEntry?.destroy()
      if (!uploading || !written) {
        file?.destroy()
        await rm(zipPath, { force: true })
        return undefined
      }
      await written.catch(() => undefined)
      let partial = await uploading.catch(() => undefined)
      if (!partial && stalledFor !== undefined && clientUpload) {
        // the storage stalled: the client may still finalize what it read, once it answers
        partial = await Promise.race([
          clientUpload.catch(() => undefined),
          new Promise<undefined>(resolve =>
            setTimeout(() => resolve(undefined), stalledFor).unref()
          )
        ])
        if (!partial) {
          log.warning(
            `The artifact storage did not answer within ${Math.round(stalledFor / 1000)} s more; if a partial artifact '${name}' appears in the run, delete it: it has no manifest.json and a restore refuses it.`
          )
        }
      }
      zip.output.destroy()
      closeDrains()
      if (!partial) return undefined
      const deleted = await deleteArtifactQuietly(client, name)
      if (deleted) {
        log.info(`Deleted the partial artifact '${name}' (id ${partial.id}) of the failed backup.`)
        return `An artifact '${name}' (id ${partial.id}) holding the partial dump was uploaded while it was written, then deleted: none is left in the run.`
      } else {
        log.warning(
          `The failed backup left a partial artifact '${name}' (id ${partial.id}) that could not be deleted; delete it in the run's Artifacts. It has no manifest.json and its zip is incomplete: a restore refuses it.`
        )
        return `An artifact '${name}' (id ${partial.id}) holding the partial dump was uploaded while it was written and could not be deleted: delete it in the run's Artifacts (it has no manifest.json; a restore refuses it).`
      }
    }
  }
}

/** The artifact client's stall limit: ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS, else its 5 minutes. */
function uploadStallMs(): number {
  const value = Number.parseInt(process.env.ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS ?? '', 10)
  return Number.isFinite(value) && value > 0 ? value : 300_000
}

/**
 * The client ends an upload when no 8 MiB block completed for ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS
 * (read as each upload begins). A live upload's blocks complete only as fast as pg_dump writes:
 * a throttled server, rows that compress 50:1 or a pause between tables would fail a dump that
 * pg_dump completes. For a live upload the client's limit is raised to GitHub's job limit
 * (6 hours), and {@link watchLiveUpload} applies the original one to what it is meant for.
 * Returns the function that puts the setting back.
 */
function relaxClientWatchdog(stallMs: number): () => void {
  const saved = process.env.ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS
  process.env.ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS = String(Math.max(stallMs, JOB_LIMIT_MS))
  return () => {
    if (saved === undefined) delete process.env.ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS
    else process.env.ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS = saved
  }
}

const JOB_LIMIT_MS = 6 * 3600_000

/** What the client's upload stream may hold of the zip on each side: a few of its chunks. */
const READER_BUFFER = 256 * 1024

/**
 * The artifact client pipes the zip into a stream of its own (@actions/artifact 6.2.1,
 * WaterMarkedUploadStream) whose buffers hold 8 MiB on each side: when the upload is slower than
 * the dump, 16 MiB more of the zip in memory, on top of the 8 MiB it gathers for a block and the
 * blocks in flight (measured: the backup's Buffers 41 → 57 MB from the 300 MB to the 1.5 GB
 * bench database). Its blocks stay 8 MiB; only what waits in front of them is lowered to `bytes`,
 * as `stream` is piped into it (once; other destinations are left as they are).
 */
export function lowerBufferOfReader(stream: Readable, bytes: number): void {
  const pipe = stream.pipe
  stream.pipe = function <T extends NodeJS.WritableStream>(
    this: Readable,
    destination: T,
    options?: { end?: boolean }
  ): T {
    stream.pipe = pipe
    for (const state of [
      (destination as unknown as { _writableState?: { highWaterMark?: unknown } })._writableState,
      (destination as unknown as { _readableState?: { highWaterMark?: unknown } })._readableState
    ]) {
      if (state && typeof state.highWaterMark === 'number' && state.highWaterMark > bytes) {
        state.highWaterMark = bytes
      }
    }
    return pipe.call(this, destination, options) as T
  }
}

/**
 * The artifact client (@actions/artifact 6.2.1, upload/stream.js) uploads a file: it checks that
 * the path exists, then reads it with fs.createReadStream(path, { highWaterMark: 8 MiB }) and
 * pipes that into its upload. A live upload hands it the zip's own stream instead: the one
 * createReadStream of this very path returns `stream`, once, and fs.createReadStream is put back
 * then (or by `restore`, when the upload settles without it). The zip's bytes then go from the
 * dump's stream to the client's blocks in this process, where they went through a named pipe
 * before (a write and a read of every byte, its reads allocating 1 MiB each, and the chunks
 * joined into 1 MiB writes): measured on the 300 MB bench database (92 MB zip), the action's
 * Node 2.1–2.3 → 1.3–1.5 CPU s, its Buffers' peak 77–91 → 57–58 MB. `taken()` says whether
 * the client read it. (Upstream: an upload of a stream would make this unnecessary.)
 */
export function handOverOnRead(
  file: string,
  stream: Readable,
  onTaken: () => void = () => undefined
): { taken: () => boolean; restore: () => void } {
  const original = fs.createReadStream
  const target = path.resolve(file)
  let taken = false
  const patched = function (
    this: unknown,
    opened: Parameters<typeof fs.createReadStream>[0],
    options?: Parameters<typeof fs.createReadStream>[1]
  ): fs.ReadStream {
    if (typeof opened === 'string' && path.resolve(opened) === target) {
      restore()
      taken = true
      onTaken()
      return stream as fs.ReadStream
    }
    return original.call(this, opened, options)
  } as typeof fs.createReadStream
  const restore = (): void => {
    if (fs.createReadStream !== patched) return
    fs.createReadStream = original
    syncBuiltinESMExports()
  }
  fs.createReadStream = patched
  // the client imports node:fs as an ES module when not bundled: its binding follows
  syncBuiltinESMExports()
  return { taken: () => taken, restore }
}

/**
 * A live upload is stalled when the client takes none of the bytes waiting for it in the pipe
 * for `stallMs` (the connection to the artifact storage hangs), or has not finished `3 ×
 * stallMs` after the last byte went in (its last blocks, at most three) — never because the
 * dump has nothing to give it. `stalled` rejects then; the caller fails the backup with it.
 */
function watchLiveUpload(
  taken: () => number,
  waiting: () => number,
  written: Promise<void>,
  stallMs: number
): { stalled: Promise<never>; stop: () => void } {
  let lastBytes = taken()
  let lastChange = Date.now()
  let endedAt: number | undefined
  written.then(
    () => (endedAt = Date.now()),
    () => undefined
  )
  let timer: NodeJS.Timeout | undefined
  const stalled = new Promise<never>((_, reject) => {
    timer = setInterval(
      () => {
        const now = Date.now()
        const bytes = taken()
        if (bytes !== lastBytes) {
          lastBytes = bytes
          lastChange = now
          return
        }
        // bytes the client has not taken yet; none: the dump is slow, not the upload
        if (waiting() === 0 && endedAt === undefined) {
          lastChange = now
        }
        const waited = endedAt !== undefined ? now - endedAt : now - lastChange
        const limit = endedAt !== undefined ? 3 * stallMs : stallMs
        if (waited > limit) {
          reject(
            new BackupError(
              `Upload progress stalled: the artifact storage took none of the backup's bytes for ${Math.round(waited / 1000)} s (ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS: ${stallMs} ms) — the connection to GitHub's artifact storage hangs. Nothing usable was uploaded; run the backup again.`
            )
          )
        }
      },
      Math.max(50, Math.min(stallMs / 4, 5000))
    )
    timer.unref()
  })
  stalled.catch(() => undefined) // raced by the caller
  return { stalled, stop: () => clearInterval(timer) }
}
