/**
 * Check: is there a recent, whole-looking backup? Finds the newest backup (an artifact through
 * GitHub's API, or the newest manifest under an S3 prefix) and reads its manifest only — by HTTP
 * range requests for an artifact, never the dump — then fails when it is older than max-age or
 * its sizes do not add up. Cheap enough to run hours after each scheduled backup, so a backup
 * that silently stopped is noticed while the last good one still exists.
 */
import { CheckError } from '../errors.js'
import { formatAge } from '../duration.js'
import { formatBytes, log, plural } from '../log.js'
import { type Manifest, parseManifest } from '../manifest.js'
import { recordedLossWarning } from '../manifest-changes.js'
import {
  type FoundArtifact,
  NoBackupArtifactError,
  artifactClient,
  findBackupArtifact
} from '../storage/artifact.js'
import { readArtifactManifestFile } from '../storage/artifact-manifest.js'
import { MAX_SIGNATURE_BYTES, checkSignature } from '../storage/signing.js'
import { formatS3Uri } from '../s3-uri.js'
import type { ArtifactSource, BackupSource, CheckOptions, S3Source } from '../types.js'

export interface CheckResult {
  /** "artifact 123 (run 456)" or the S3 URI. */
  checked: string
  runId?: number
  manifest: Manifest
  createdAt: Date
  ageSeconds: number
  maxAgeSeconds: number
  /** The loss its manifest recorded when it was made (recordedLossWarning). */
  warnings: string[]
}

export class StaleBackupError extends CheckError {
  override name = 'StaleBackupError'
}

/** Whether a restore source can be checked without downloading it. */
export function checkable(source: BackupSource): source is ArtifactSource | S3Source {
  return source.kind !== 'file'
}

/** Clock skew allowed between the machine that made a backup and this one (and GitHub's). */
const CLOCK_SKEW_MS = 5 * 60_000

export async function check(
  options: CheckOptions,
  now: () => Date = () => new Date()
): Promise<CheckResult> {
  const found = await log.group('Find the newest backup', () =>
    findNewest(options.source, options.signingKey !== undefined)
  )
  const { manifest } = found
  if (options.signingKey) {
    const key = options.signingKey
    await log.group('Check the signature', async () => {
      // the manifest only: check reads no dump (restore and verify check the dump's sha256)
      checkSignature(
        key,
        {
          what: `the newest backup (${found.checked})`,
          manifestBytes: found.manifestBytes,
          manifestSha256: manifest.file.sha256,
          signature: found.signature,
          dumpSha256: manifest.file.sha256
        },
        'check'
      )
      log.info(
        `The manifest is signed with this signing-key (the dump's sha256 it names is checked by restore and verify).`
      )
    })
  }
  const createdAt = new Date(manifest.createdAt)
  if (Number.isNaN(createdAt.getTime())) {
    throw new CheckError(
      `the manifest of ${found.checked} has no valid createdAt ('${manifest.createdAt}').`
    )
  }
  // a date the backup cannot have been made at: later than now, or than GitHub stored its
  // artifact (beyond a few minutes of clock skew) — a wrong clock where it was made, or an edited
  // manifest; either way its age cannot be told, and a backup from 2099 is never "fresh" (attacker
  // a41 F1: a negative backup-age-seconds)
  const stored = found.artifact?.createdAt
  const latest = Math.min(now().getTime(), stored?.getTime() ?? Infinity) + CLOCK_SKEW_MS
  if (createdAt.getTime() > latest) {
    const late = stored && createdAt.getTime() > stored.getTime() + CLOCK_SKEW_MS
    throw new CheckError(
      `the newest backup (${found.checked}) says it was made ${manifest.createdAt}, ${late ? `after GitHub stored it (${stored.toISOString()})` : `${formatAge((createdAt.getTime() - now().getTime()) / 1000)} from now`}: its manifest's date is wrong (the clock of the machine that made it, or an edited manifest), so its age cannot be told. Run a backup and look at its log.`
    )
  }
  // a few seconds of skew: no negative age
  const ageSeconds = Math.max(0, (now().getTime() - createdAt.getTime()) / 1000)
  const result: CheckResult = {
    checked: found.checked,
    runId: found.artifact?.runId,
    manifest,
    createdAt,
    ageSeconds,
    maxAgeSeconds: options.maxAgeSeconds,
    warnings: []
  }
  await log.group('Check it', async () => {
    log.info(
      `${found.checked}: ${manifest.file.name}, ${formatBytes(manifest.file.sizeBytes)}, made ${manifest.createdAt} (${formatAge(ageSeconds)} ago) by ${manifest.tool.name} ${manifest.tool.version}; ${plural(manifest.rowCounts.tables.length, 'table')}, ${plural(manifest.rowCounts.totalRows ?? 'uncounted', 'row')}.`
    )
    const problems = [...plausibility(manifest, found.artifact), ...(found.stored ?? [])]
    if (problems.length > 0) {
      throw new CheckError(
        `the newest backup (${found.checked}, made ${manifest.createdAt}) does not look whole: ${problems.join('; ')}. Run a backup and look at its log.`
      )
    }
    if (ageSeconds > options.maxAgeSeconds) {
      throw new StaleBackupError(
        // found.checked names the artifact and its run already
        `the newest backup (${found.checked}) was made ${manifest.createdAt}, ${formatAge(ageSeconds)} ago: older than max-age (${formatAge(options.maxAgeSeconds)}). Backups have stopped or are failing: look at the backup workflow's runs (GitHub disables schedules of public repositories after 60 days without activity, and delays or drops scheduled runs at busy times).`
      )
    }
    const loss = recordedLossWarning(manifest, `The newest backup (${found.checked})`)
    if (loss) {
      log.warning(loss)
      result.warnings.push(loss)
    }
    log.info(
      `Fresh: ${formatAge(ageSeconds)} old, within max-age ${formatAge(options.maxAgeSeconds)}.`
    )
  })
  return result
}

interface Newest {
  checked: string
  manifest: Manifest
  artifact?: FoundArtifact
  /** With `signed`: the manifest's bytes as stored, and the signature beside it (if any). */
  manifestBytes?: Buffer
  signature?: Buffer
  /** S3: what the stored objects (a HEAD of each) say against the manifest. */
  stored?: string[]
}

async function findNewest(source: ArtifactSource | S3Source, signed: boolean): Promise<Newest> {
  if (source.kind === 's3') {
    // loaded here only: the AWS SDK is large
    const { S3StorageError, createS3Client, findNewestBackup, getObjectText, objectSize } =
      await import('../storage/s3.js')
    const { manifestKeyFor } = await import('../s3-uri.js')
    const s3 = createS3Client(source.settings)
    // no backup there (none under the prefix, none readable, or the one named missing): a
    // failed check, as a stale one (exit 3) — the same as for an artifact
    const none = (error: unknown): never => {
      if (error instanceof S3StorageError && ['NoBackup', 'NoSuchKey'].includes(error.code ?? ''))
        throw new StaleBackupError(error.message, { cause: error })
      throw error
    }
    let found: { dumpKey: string; manifestKey: string; manifest?: Manifest }
    if (source.key) {
      found = { dumpKey: source.key, manifestKey: manifestKeyFor(source.key) }
    } else {
      const newest = await findNewestBackup(s3, {
        bucket: source.bucket,
        prefix: source.prefix
      }).catch(none)
      found = {
        dumpKey: newest.dumpKey,
        manifestKey: newest.manifestKey,
        manifest: parseManifest(newest.manifest)
      }
    }
    const checked = formatS3Uri(source.bucket, found.dumpKey)
    // the stored objects, not only the manifest's word: the dump (and its globals file) must
    // exist and be the size the manifest records — a HEAD each, no download
    const storedObjects = async (manifest: Manifest): Promise<string[]> => {
      const problems: string[] = []
      const expect = async (key: string, bytes: number, what: string): Promise<void> => {
        const uri = formatS3Uri(source.bucket, key)
        const size = await objectSize(s3, { bucket: source.bucket, key })
        if (size === undefined) {
          problems.push(`${what} ${uri} is missing (its manifest is there)`)
        } else if (size !== bytes) {
          problems.push(
            `${what} ${uri} is ${size === 0 ? 'empty (0 bytes)' : `${size} bytes`}, but its manifest records ${bytes} bytes (${size < bytes ? 'truncated' : 'not the object described'})`
          )
        }
      }
      await expect(found.dumpKey, manifest.file.sizeBytes, 'the dump')
      const globalsName = manifest.globals?.name
      if (manifest.globals && globalsName?.startsWith(manifest.file.name)) {
        await expect(
          `${found.dumpKey}${globalsName.slice(manifest.file.name.length)}`,
          manifest.globals.sizeBytes,
          'the roles (globals) file'
        )
      }
      if (problems.length > 0) {
        problems.push(
          `a restore of it would fail: delete or replace its objects (and their manifest ${formatS3Uri(source.bucket, found.manifestKey)}) so the backup before it is the newest, or run a backup now`
        )
      }
      return problems
    }
    if (!signed && found.manifest) {
      return { checked, manifest: found.manifest, stored: await storedObjects(found.manifest) }
    }
    // the manifest's bytes as stored (a signature covers them exactly)
    const text = await getObjectText(s3, { bucket: source.bucket, key: found.manifestKey }).catch(
      none
    )
    const manifest = parseManifestText(text)
    const newest: Newest = {
      checked,
      manifest,
      manifestBytes: Buffer.from(text, 'utf8'),
      stored: await storedObjects(manifest)
    }
    if (signed) {
      newest.signature = await getObjectText(s3, {
        bucket: source.bucket,
        key: `${found.manifestKey}.sig`
      }).then(
        sig => (sig.length <= MAX_SIGNATURE_BYTES ? Buffer.from(sig, 'utf8') : undefined),
        error => {
          if (error instanceof S3StorageError && error.code === 'NoSuchKey') return undefined
          throw error
        }
      )
    }
    return newest
  }
  const artifact = await findBackupArtifact(artifactClient(), source).catch((error: unknown) => {
    // none of that name, or only expired ones: a failed check, as a stale one (exit 3)
    if (error instanceof NoBackupArtifactError)
      throw new StaleBackupError(error.message, { cause: error })
    throw error
  })
  log.info(
    `Artifact '${artifact.name}' (id ${artifact.id}${artifact.runId ? `, run ${artifact.runId}` : ''}), ${artifact.size === undefined ? '' : `${formatBytes(artifact.size)}, `}uploaded ${artifact.createdAt?.toISOString() ?? '?'}`
  )
  const remote = await readArtifactManifestFile(
    artifact,
    source.kind === 'artifact' || source.kind === 'artifact-id' ? source.token : '',
    { signature: signed }
  )
  return {
    checked: `artifact ${artifact.id}${artifact.runId ? ` (run ${artifact.runId})` : ''}`,
    ...remote,
    artifact
  }
}

function parseManifestText(text: string): Manifest {
  try {
    return parseManifest(JSON.parse(text))
  } catch (error) {
    throw new CheckError(`the manifest is not valid: ${(error as Error).message}`)
  }
}

/** What does not add up: an empty file, a zip smaller than the file it holds or much larger. */
function plausibility(manifest: Manifest, artifact: FoundArtifact | undefined): string[] {
  const problems: string[] = []
  if (manifest.file.sizeBytes <= 0) problems.push('its file is empty')
  if (manifest.rawSizeBytes <= 0) problems.push('pg_dump wrote nothing')
  // the action's own zips store the file as it is: the zip holds its bytes plus a few KB
  if (artifact?.size !== undefined && artifact.name.endsWith('.zip')) {
    const slack = 4 * 1024 * 1024
    if (artifact.size < manifest.file.sizeBytes) {
      problems.push(
        `the artifact (${artifact.size} bytes) is smaller than the file its manifest describes (${manifest.file.sizeBytes} bytes)`
      )
    } else if (artifact.size > manifest.file.sizeBytes + slack) {
      problems.push(
        `the artifact (${artifact.size} bytes) is far larger than the file its manifest describes (${manifest.file.sizeBytes} bytes)`
      )
    }
  }
  return problems
}
