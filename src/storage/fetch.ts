/**
 * Fetching the backup a restore asks for onto the runner: an artifact (of this run, of another
 * run, the newest of its name, or by id), downloaded as its zip and checked against the digest
 * GitHub recorded; an object in S3 (given, or the newest under a prefix) with the manifest
 * beside it; or a file or folder the user gives. A dump stored in a zip is then read where it
 * lies (a byte range of the zip), so a restore needs the zip's size on disk, not twice that.
 */
import type { DefaultArtifactClient } from '@actions/artifact'
import path from 'node:path'
import { formatBytes, log } from '../log.js'
import { MAX_GLOBALS_BYTES, ManifestError, parseManifest } from '../manifest.js'
import { readFile } from 'node:fs/promises'
import { formatS3Uri, manifestKeyFor } from '../s3-uri.js'
import type { BackupSource, S3Source } from '../types.js'
import { type LocalBackup, openLocalBackup, openZippedBackup } from './local.js'
import { MAX_SIGNATURE_BYTES, SIGNATURE_FILE, SignatureError, checkSignature } from './signing.js'
import { sha256Of } from '../pipeline/digest.js'
import { open, readdir, stat } from 'node:fs/promises'
import { type BackupFile, firstBytes, openDecoded, openRaw } from '../pipeline/decode.js'
import { readArchiveToc } from '../postgres/toc.js'
import { LiveEntry, storedFirstEntry } from './live-zip.js'
import { ZipError, openZip, zipSeen } from './unzip.js'
import type { ArtifactSource } from '../types.js'
import type { FoundArtifact } from './artifact.js'

export interface FetchedBackup extends LocalBackup {
  /** "artifact 123 (run 456)", "file path", or the s3:// URI. */
  restoredFrom: string
  artifactId?: number
  runId?: number
}

export async function fetchBackup(
  source: BackupSource,
  options: {
    artifact?: DefaultArtifactClient
    workDir: string
    /** signing-key: only a backup signed with it is returned (signing.ts). */
    signingKey?: string
  }
): Promise<FetchedBackup> {
  const fetched = await fetchAny(source, options)
  if (options.signingKey) {
    await checkFetchedSignature(options.signingKey, fetched)
    log.info(`The backup is signed with this signing-key, and its dump is the one it names.`)
  }
  return fetched
}

/**
 * A backup that carries a signature (manifest.json.sig) restored without signing-key: said, as
 * the signature is then not checked (trial u37 F5: nothing mentioned it).
 */
export function unverifiedSignature(
  fetched: Pick<FetchedBackup, 'signature' | 'restoredFrom'>
): void {
  if (fetched.signature === undefined) return
  log.notice(
    `${fetched.restoredFrom} carries a signature (${SIGNATURE_FILE}), not checked: signing-key is not set. Set signing-key (the secret the backup step signs with) to restore only backups your workflow signed; restore and check then refuse any other.`
  )
}

/** Before anything is decoded: the signature over the manifest, and the dump it names. */
async function checkFetchedSignature(key: string, fetched: FetchedBackup): Promise<void> {
  const what = fetched.restoredFrom
  if ('directory' in fetched.dump) {
    throw new SignatureError(
      `${what} is a folder; with signing-key set give the signed backup file (or its zip). Nothing was restored.`
    )
  }
  // the signature first: nothing of an unsigned backup is read further
  checkSignature(key, {
    what,
    manifestBytes: fetched.manifestBytes,
    manifestSha256: fetched.manifest?.file.sha256,
    signature: fetched.signature,
    dumpSha256: fetched.manifest?.file.sha256
  })
  const dumpSha256 = fetched.sha256 ?? (await sha256Of(fetched.dump))
  checkSignature(key, {
    what,
    manifestBytes: fetched.manifestBytes,
    manifestSha256: fetched.manifest?.file.sha256,
    signature: fetched.signature,
    dumpSha256
  })
  fetched.sha256 = dumpSha256
}

async function fetchAny(
  source: BackupSource,
  options: { artifact?: DefaultArtifactClient; workDir: string }
): Promise<FetchedBackup> {
  const { workDir } = options
  if (source.kind === 'file') {
    const local = await openLocalBackup(source.path, workDir)
    log.info(`Backup file ${source.path}${local.manifest ? ' with its manifest' : ''}`)
    return { ...local, restoredFrom: `file ${source.path}` }
  }
  if (source.kind === 's3') return fetchFromS3(source, workDir)
  // loaded here only: @actions/artifact brings the Azure storage SDK and Octokit (4 MB of
  // bundle to parse and initialize), which a restore of a file or from S3 does not use
  const { artifactClient, downloadArtifactZip } = await import('./artifact.js')
  const client = options.artifact ?? artifactClient()
  const found = await findArtifact(client, source)
  return openArtifactZip(
    found,
    await downloadArtifactZip(client, found, source, path.join(workDir, 'download')),
    workDir
  )
}

async function findArtifact(
  client: DefaultArtifactClient,
  source: ArtifactSource
): Promise<FoundArtifact> {
  const { findBackupArtifact } = await import('./artifact.js')
  const found = await findBackupArtifact(client, source)
  log.info(
    `Artifact '${found.name}' id ${found.id}${found.runId ? ` of run ${found.runId}` : ''}${found.createdAt ? `, made ${found.createdAt.toISOString()}` : ''}${found.size ? `, ${formatBytes(found.size)}` : ''}`
  )
  return found
}

/** The downloaded zip, its digest checked, opened: the manifest and the dump it names. */
async function openArtifactZip(
  found: FoundArtifact,
  { zipPath, sha256 }: { zipPath: string; sha256: string },
  workDir: string
): Promise<FetchedBackup> {
  const { describeOrigin } = await import('./artifact.js')
  log.info(
    found.digest
      ? `The zip matches the digest recorded at upload (sha256:${sha256}).`
      : `The backend recorded no digest for this artifact; the zip's sha256 is ${sha256}.`
  )
  const local = await openZippedBackup(zipPath, workDir, `artifact ${found.id}`)
  return {
    ...local,
    restoredFrom: `artifact ${found.id}${found.runId ? ` (run ${found.runId}${found.origin ? `: ${describeOrigin(found.origin)}` : ''})` : ''}`,
    artifactId: found.id,
    runId: found.runId
  }
}

/**
 * An artifact whose dump the load may read while it downloads (restore.ts): the head checked
 * now, the rest once the download ended.
 */
export interface LiveBackup {
  /** The dump's start as it is on disk: the archive's header and TOC, and some more. */
  head: FetchedBackup & { dump: BackupFile & { range: { offset: number; length: number } } }
  /** The dump as the load reads it while it downloads (its `live` stream). */
  dump: BackupFile & { range: { offset: number; length: number }; crc32: number; live: LiveEntry }
  /**
   * Awaits the download, checks its digest and opens the zip (as a download-first fetch does).
   * When the load reads the live entry (it took the stream before `load` settled), the dump's
   * hashes are those of the bytes it read (the manifest is then checked against what was
   * loaded): `loaded` says whether it did.
   */
  complete(load?: Promise<unknown>): Promise<{ fetched: FetchedBackup; loaded: boolean }>
  /** The download, settled: its error, if it failed. */
  settled(): Promise<Error | undefined>
  /** The downloaded zip opened as a download-first fetch opens it (the dump read again). */
  whole(): Promise<FetchedBackup>
}

/** Bytes of the dump on disk beyond its header and TOC before the head is given to the check. */
const HEAD_MARGIN = 16 * 1024 * 1024
const FOLLOW_MS = 10

/**
 * The artifact downloaded as today, or — when its zip's first entry is stored and its start
 * decodes (zstd) to a custom archive's header and TOC before the download ended — followed:
 * the restore checks that head and begins the load while the rest arrives.
 */
export async function fetchArtifactLive(
  source: ArtifactSource,
  options: { artifact?: DefaultArtifactClient; workDir: string }
): Promise<{ fetched: FetchedBackup } | { live: LiveBackup }> {
  const { artifactClient, describeOrigin, downloadArtifactZip } = await import('./artifact.js')
  const client = options.artifact ?? artifactClient()
  const found = await findArtifact(client, source)
  const directory = path.join(options.workDir, 'download')
  const watch: { stopObserving?: () => void } = {}
  const downloading = downloadArtifactZip(client, found, source, directory, watch)
  let ended = false
  const settled = downloading.then(
    () => {
      ended = true
      return undefined
    },
    (error: Error) => {
      ended = true
      return error
    }
  )
  const head = await followHead(directory, () => ended).catch(() => undefined)
  if (!head) {
    return { fetched: await openArtifactZip(found, await downloading, options.workDir) }
  }
  // the live entry takes the dump's hashes from here on (once, not twice)
  watch.stopObserving?.()
  const entry = new LiveEntry(head.path, head.offset)
  const restoredFrom = `artifact ${found.id}${found.runId ? ` (run ${found.runId}${found.origin ? `: ${describeOrigin(found.origin)}` : ''})` : ''}`
  const headFile = {
    path: head.path,
    range: { offset: head.offset, length: head.length },
    name: head.name
  }
  log.info(
    `Its dump ${head.name} is checked and loaded as it downloads (its archive's header and table of contents arrived; the rest is checked before the load may commit).`
  )
  return {
    live: {
      head: { dump: headFile, restoredFrom, artifactId: found.id, runId: found.runId },
      dump: {
        ...headFile,
        // for the progress: the zip's size, as the backend gives it
        range: {
          offset: head.offset,
          length: Math.max(head.length, (found.size ?? 0) - head.offset)
        },
        crc32: 0,
        live: entry
      },
      settled: () => settled,
      whole: async () => openArtifactZip(found, await downloading, options.workDir),
      async complete(load) {
        const downloaded = await downloading
        // the load takes the stream, or settles without it (another path, or a failure)
        if (load) {
          await Promise.race([
            entry.started(),
            load.then(
              () => undefined,
              () => undefined
            )
          ])
        }
        const loaded = entry.claim()
        if (loaded) {
          const zip = await openZip(downloaded.zipPath)
          const first = zip.entries[0]
          zip.close()
          if (
            downloaded.zipPath !== head.path ||
            !first?.range ||
            first.range.offset !== head.offset ||
            first.name !== head.name
          ) {
            throw new ZipError(
              `the zip of artifact ${found.id} is not the one its start promised (its first entry is not the stored ${head.name} whose bytes were loaded): nothing was restored`
            )
          }
          const seen = await entry.finish(first.range.length)
          const range = first.range
          zipSeen(downloaded.zipPath, {
            result: (offset, length) =>
              offset === range.offset && length === range.length ? seen : undefined
          })
        }
        return { fetched: await openArtifactZip(found, downloaded, options.workDir), loaded }
      }
    }
  }
}

/**
 * Follows the zip the client writes into `directory` until its first entry is a stored zstd
 * stream whose start decodes to a custom archive's header and TOC, with {@link HEAD_MARGIN}
 * more bytes on disk; undefined when it is not, or the download ended first.
 */
async function followHead(
  directory: string,
  ended: () => boolean
): Promise<{ path: string; offset: number; name: string; length: number } | undefined> {
  const pause = (): Promise<void> => new Promise(resolve => setTimeout(resolve, FOLLOW_MS))
  let zipPath: string | undefined
  while (!zipPath) {
    if (ended()) return undefined
    const files = await readdir(directory).catch(() => [])
    if (files.length === 1) zipPath = path.join(directory, files[0])
    else await pause()
  }
  let first: ReturnType<typeof storedFirstEntry> = 'wait'
  while (first === 'wait') {
    if (ended()) return undefined
    const handle = await open(zipPath, 'r')
    try {
      const buffer = Buffer.alloc(64 * 1024)
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0)
      first = storedFirstEntry(buffer.subarray(0, bytesRead))
    } finally {
      await handle.close()
    }
    if (first === 'wait') await pause()
  }
  if (!first) return undefined
  const { offset, name } = first
  const onDisk = async (): Promise<number> =>
    (await stat(zipPath).catch(() => ({ size: 0 }))).size - offset
  const file = (length: number): BackupFile => ({ path: zipPath, range: { offset, length }, name })
  // a zstd stream of a custom archive: its first decoded bytes are PGDMP
  let tried = 0
  for (let magic = false; ;) {
    if (ended()) return undefined
    const length = await onDisk()
    if (length > 0 && length >= 2 * tried) {
      tried = length
      if (!magic) {
        const start = await firstBytes(openRaw(file(length)), 4)
        if (start.length === 4 && start.readUInt32LE(0) !== 0xfd2fb528) return undefined
        const decoded = await firstBytes(
          openDecoded(file(length), { compression: 'zstd' }),
          5
        ).catch(() => Buffer.alloc(0))
        if (decoded.length === 5 && decoded.toString('latin1') !== 'PGDMP') return undefined
        magic = decoded.length === 5
      }
      const read = magic
        ? await readArchiveToc(openDecoded(file(length), { compression: 'zstd' }), {
            destroy: true
          }).then(
            () => true,
            () => false
          )
        : false
      if (read) {
        // the check reads a little beyond the TOC (pg_restore --list's input runs ahead of it)
        while ((await onDisk()) < length + HEAD_MARGIN) {
          if (ended()) return undefined
          await pause()
        }
        return { path: zipPath, offset, name, length: length + HEAD_MARGIN }
      }
    }
    await pause()
  }
}

/** The dump object (given, or the newest under the prefix) and its manifest, downloaded. */
async function fetchFromS3(source: S3Source, workDir: string): Promise<FetchedBackup> {
  // loaded here only: the AWS SDK is large
  const { S3StorageError, createS3Client, downloadObject, findNewestBackup, getObjectText } =
    await import('./s3.js')
  const s3 = createS3Client(source.settings)
  let dumpKey: string
  let manifestText: string | undefined
  if (source.key) {
    dumpKey = source.key
    manifestText = await getObjectText(s3, {
      bucket: source.bucket,
      key: manifestKeyFor(dumpKey)
    }).catch(error => {
      if (error instanceof S3StorageError && error.code === 'NoSuchKey') return undefined
      throw error
    })
  } else {
    const newest = await findNewestBackup(s3, { bucket: source.bucket, prefix: source.prefix })
    dumpKey = newest.dumpKey
    // the manifest's bytes as stored (a signature covers them exactly)
    manifestText = await getObjectText(s3, { bucket: source.bucket, key: newest.manifestKey })
    log.info(
      `Newest backup under ${formatS3Uri(source.bucket, source.prefix)}: made ${newest.createdAt.toISOString()}`
    )
  }
  // the signature beside the manifest, when there is one (read whether or not a key is given)
  const signature = await getObjectText(s3, {
    bucket: source.bucket,
    key: `${manifestKeyFor(dumpKey)}.sig`
  }).then(
    text => (text.length <= MAX_SIGNATURE_BYTES ? Buffer.from(text, 'utf8') : undefined),
    error => {
      if (error instanceof S3StorageError && error.code === 'NoSuchKey') return undefined
      throw error
    }
  )
  const uri = formatS3Uri(source.bucket, dumpKey)
  const manifest = manifestText === undefined ? undefined : parseManifest(JSON.parse(manifestText))
  if (manifest && manifest.file.name !== path.posix.basename(dumpKey)) {
    throw new ManifestError(
      `the manifest beside ${uri} describes '${manifest.file.name}', not this object. Nothing was restored.`
    )
  }
  const dumpPath = path.join(workDir, path.posix.basename(dumpKey))
  // an object of another size than its manifest records fails before its body is read
  const downloaded = await downloadObject(s3, { bucket: source.bucket, key: dumpKey }, dumpPath, {
    expectedSize: manifest && {
      bytes: manifest.file.sizeBytes,
      what: `its manifest (${formatS3Uri(source.bucket, manifestKeyFor(dumpKey))})`,
      advice: `Nothing was restored. Restore another backup (name its object in backup-uri), or run a backup and check it with mode: check.`
    }
  })
  log.info(
    `Downloaded ${uri} (${formatBytes(downloaded.sizeBytes)})${manifestText ? ' and its manifest' : ', which has no manifest beside it'}`
  )
  // the globals file beside the dump (globals: true): `<dump key>` + what its name adds
  let globals: Buffer | undefined
  const globalsName = manifest?.globals?.name
  if (globalsName?.startsWith(manifest!.file.name)) {
    const globalsPath = path.join(workDir, 'globals')
    const found = await downloadObject(
      s3,
      { bucket: source.bucket, key: `${dumpKey}${globalsName.slice(manifest!.file.name.length)}` },
      globalsPath
    ).catch(error => {
      if (error instanceof S3StorageError && error.code === 'NoSuchKey') return undefined
      throw error
    })
    if (found && found.sizeBytes <= MAX_GLOBALS_BYTES) globals = await readFile(globalsPath)
  }
  return {
    dump: { path: dumpPath },
    manifest,
    manifestBytes: manifestText === undefined ? undefined : Buffer.from(manifestText, 'utf8'),
    signature,
    globals,
    sha256: downloaded.sha256,
    restoredFrom: uri
  }
}
