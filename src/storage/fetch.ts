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
import { MAX_SIGNATURE_BYTES, SignatureError, checkSignature } from './signing.js'
import { sha256Of } from '../pipeline/digest.js'

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
  const { artifactClient, describeOrigin, downloadArtifactZip, findBackupArtifact } =
    await import('./artifact.js')
  const client = options.artifact ?? artifactClient()
  const found = await findBackupArtifact(client, source)
  log.info(
    `Artifact '${found.name}' id ${found.id}${found.runId ? ` of run ${found.runId}` : ''}${found.createdAt ? `, made ${found.createdAt.toISOString()}` : ''}${found.size ? `, ${formatBytes(found.size)}` : ''}`
  )
  const { zipPath, sha256 } = await downloadArtifactZip(
    client,
    found,
    source,
    path.join(workDir, 'download')
  )
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
  const dumpPath = path.join(workDir, path.posix.basename(dumpKey))
  const downloaded = await downloadObject(s3, { bucket: source.bucket, key: dumpKey }, dumpPath)
  log.info(
    `Downloaded ${uri} (${formatBytes(downloaded.sizeBytes)})${manifestText ? ' and its manifest' : ', which has no manifest beside it'}`
  )
  const manifest = manifestText === undefined ? undefined : parseManifest(JSON.parse(manifestText))
  if (manifest && manifest.file.name !== path.posix.basename(dumpKey)) {
    throw new ManifestError(
      `the manifest beside ${uri} describes '${manifest.file.name}', not this object. Nothing was restored.`
    )
  }
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
