/**
 * Where one backup goes — a local directory (the CLI), the workflow artifact, an object in
 * S3-compatible storage — as the sinks its stream is written to in one pass; then each completed
 * with the manifest (in S3 the manifest comes last: a backup there counts once it exists), or
 * undone after a failure (a partial artifact deleted, an S3 object without manifest removed).
 */
import type { DefaultArtifactClient } from '@actions/artifact'
import path from 'node:path'
import { formatBytes, log } from '../log.js'
import { type Manifest, manifestJson } from '../manifest.js'
import type { Sink } from '../pipeline/backup-stream.js'
import { formatS3Uri, manifestKeyFor } from '../s3-uri.js'
import type { UploadedArtifact } from './artifact.js'
import { type ArtifactZip, type ExtraFile, createArtifactZip } from './artifact-zip.js'
import { fileSink, keepLocally } from './local.js'
import type { S3Settings } from '../types.js'

/** An S3 client and the module that uses it, loaded when a backup goes to object storage. */
export interface S3Storage {
  client: import('@aws-sdk/client-s3').S3Client
  lib: typeof import('./s3.js')
}

/** Loads the AWS SDK (it is large: only for backups that go to object storage) and a client. */
export async function openS3(settings: S3Settings): Promise<S3Storage> {
  const lib = await import('./s3.js')
  return { client: lib.createS3Client(settings), lib }
}

export interface DestinationOptions {
  /** The backup's file name (the artifact's entry, the local file, the end of the S3 key). */
  fileName: string
  /** The backup's own temporary directory. */
  workDir: string
  /** A local directory: the file and `<file>.manifest.json` go there (nothing else does). */
  local?: string
  artifact?: {
    client: DefaultArtifactClient
    /** artifact-name as given. */
    name: string
    retentionDays: number
    /** Upload while the dump is written (a named pipe), else after (an artifact is replaced). */
    live: boolean
    replaceExisting: boolean | undefined
  }
  s3?: { storage: S3Storage; bucket: string; key: string; tags?: Record<string, string> }
  /** signing-key: the signature of a manifest's exact bytes, stored beside it (signing.ts). */
  sign?: (manifestBytes: string) => string
}

export interface Completed {
  localPath?: string
  artifact?: UploadedArtifact
  /** s3:// URI of the dump. */
  s3Uri?: string
}

export interface Destinations {
  /** Where the stream goes. */
  readonly sinks: Sink[]
  /**
   * Once the stream ended whole: writes the extra files beside the dump (the globals file), the
   * manifests, and completes each destination.
   */
  complete(manifest: () => Manifest, extras?: ExtraFile[]): Promise<Completed>
  /** After a failure: undoes what reached a destination. */
  /** Undoes what was begun; resolves with what had reached the backend and became of it. */
  abort(): Promise<string[]>
}

export async function openDestinations(options: DestinationOptions): Promise<Destinations> {
  const { fileName, workDir, local, s3 } = options
  const sinks: Sink[] = []
  if (local) sinks.push(fileSink(path.join(workDir, fileName)))
  let zip: ArtifactZip | undefined
  if (options.artifact) {
    zip = await createArtifactZip(options.artifact.client, {
      ...options.artifact,
      directory: workDir
    })
    sinks.push(zip.sink(fileName))
    if (zip.live) {
      log.info(`Uploading artifact '${zip.name}' while the dump is written (no temporary file)`)
    }
  }
  /** The S3 object, once it exists: until its manifest does, a failure removes it. */
  let orphan = false
  if (s3) {
    const sink = s3.storage.lib.uploadSink(s3.storage.client, s3)
    sinks.push(sink)
    void sink.stored.then(
      () => (orphan = true),
      () => undefined
    )
    log.info(`Streaming to ${formatS3Uri(s3.bucket, s3.key)} (no temporary file)`)
  }

  return {
    sinks,
    async complete(manifest, extras = []) {
      const completed: Completed = {}
      if (s3) {
        const uri = formatS3Uri(s3.bucket, s3.key)
        completed.s3Uri = await log.group(`Copy to ${uri}`, async () => {
          const json = manifestJson(manifest())
          for (const extra of extras) {
            // `<dump key>` + what the extra's name adds to the dump's file name
            await s3.storage.lib.putSmallObject(s3.storage.client, {
              bucket: s3.bucket,
              key: `${s3.key}${extraSuffix(extra.name, fileName)}`,
              body: extra.data,
              contentType: 'application/octet-stream',
              tags: s3.tags
            })
          }
          if (options.sign) {
            // before the manifest: a backup counts once its manifest exists, signed from the start
            await s3.storage.lib.putSmallObject(s3.storage.client, {
              bucket: s3.bucket,
              key: `${manifestKeyFor(s3.key)}.sig`,
              body: options.sign(json),
              contentType: 'text/plain',
              tags: s3.tags
            })
          }
          await s3.storage.lib.putSmallObject(s3.storage.client, {
            bucket: s3.bucket,
            key: manifestKeyFor(s3.key),
            body: json,
            contentType: 'application/json',
            tags: s3.tags
          })
          log.info(
            `${uri} and its manifest${s3.tags?.retention ? `, tagged retention=${s3.tags.retention}` : ''}`
          )
          return uri
        })
        orphan = false
      }
      if (local) {
        completed.localPath = await log.group(`Write to ${local}`, () =>
          keepLocally(path.join(workDir, fileName), manifest(), local, options.sign, extras)
        )
      }
      if (zip) {
        const uploading = zip
        completed.artifact = await log.group(`Upload artifact '${uploading.name}'`, async () => {
          const json = manifestJson(manifest())
          const uploaded = await uploading.finish(json, options.sign?.(json), extras)
          zip = undefined
          log.info(
            `Uploaded artifact ${uploaded.id} (${formatBytes(uploaded.size)}), sha256:${uploaded.digest}`
          )
          return uploaded
        })
      }
      return completed
    },
    async abort() {
      const undone: string[] = []
      const artifact = zip ? await zip.abort() : undefined
      if (artifact) undone.push(artifact)
      // a failure before the stream ended them: they must not wait for bytes that never come
      for (const sink of sinks) if (!sink.writable.writableFinished) sink.writable.destroy()
      if (s3 && orphan) {
        const uri = formatS3Uri(s3.bucket, s3.key)
        const deleted = await s3.storage.lib.deleteObjectQuietly(s3.storage.client, s3)
        log.info(
          deleted
            ? `Removed ${uri}: the backup failed after it was streamed.`
            : `Could not remove ${uri}; it has no manifest, so restores ignore it.`
        )
        undone.push(
          deleted
            ? `The S3 object ${uri} was written, then removed.`
            : `The S3 object ${uri} was written and could not be removed (it has no manifest; restores ignore it).`
        )
      }
      return undone
    }
  }
}

/** What an extra file's name adds to the dump's (`<dump>.globals.sql` → `.globals.sql`). */
export function extraSuffix(extraName: string, dumpFileName: string): string {
  if (!extraName.startsWith(dumpFileName)) {
    throw new Error(`${extraName} is not named after the dump ${dumpFileName}`)
  }
  return extraName.slice(dumpFileName.length)
}
