/**
 * The workflow artifact, with @actions/artifact: for a backup, the zip of the dump and its
 * manifest uploaded as it is (no re-compression: the dump is compressed already), kept
 * `retention-days`; for a restore, the artifact asked for (this run's, another run's, the newest
 * of its name, by id) found and downloaded as its zip, checked against the digest recorded at
 * upload. On a public repository an unencrypted backup is refused.
 */
import { ArtifactNotFoundError, DefaultArtifactClient } from '@actions/artifact'
import { formatBytes, log, plural } from '../log.js'
import { getOctokit } from '@actions/github'
import fs, { existsSync, readFileSync } from 'node:fs'
import { syncBuiltinESMExports } from 'node:module'
import type { Readable } from 'node:stream'
import { copyFile, link, mkdir, open, readdir, rm, stat, statfs } from 'node:fs/promises'
import path from 'node:path'
import { EngineError, SettingError } from '../errors.js'
import { sha256Of } from '../pipeline/digest.js'
import { withBlockUpload } from './block-upload.js'
import { ZipHeadObserver, zipSeen } from './unzip.js'
import { scavengeEvery } from '../memory.js'
import { type ArtifactFrom, type ArtifactSource, TRUSTED_RUN_EVENTS } from '../types.js'

export interface UploadedArtifact {
  id: number
  name: string
  size: number
  /** sha256 of the zip, as the backend stores it. */
  digest: string
  url?: string
}

export class ArtifactStorageError extends EngineError {
  override name = 'ArtifactStorageError'
}

/**
 * No backup artifact where one was looked for: none of that name (in the run asked for), or only
 * expired ones. check fails on it as on a stale backup (exit 3): backups stopped or never ran.
 */
export class NoBackupArtifactError extends ArtifactStorageError {
  override name = 'NoBackupArtifactError'
}

/** The artifact's name: the zip's file name (`.zip` is added unless the name has it). */
export function artifactZipName(artifactName: string): string {
  return /\.zip$/i.test(artifactName) ? artifactName : `${artifactName}.zip`
}

/**
 * The names a restore looks for, given artifact-name: the zip this version uploads
 * (`<name>.zip`), then the artifact earlier versions let the client zip (`<name>`).
 */
export function artifactNamesFor(artifactName: string): string[] {
  const zipName = artifactZipName(artifactName)
  return zipName === artifactName ? [artifactName] : [zipName, artifactName]
}

export function artifactClient(): DefaultArtifactClient {
  return new DefaultArtifactClient()
}

/**
 * What a run outside GitHub is told: where artifacts work, and the command line that keeps a
 * backup in a directory instead (trial u58 F3).
 */
const OUTSIDE_GITHUB =
  'Artifacts can be used only inside a GitHub Actions job (the runner provides ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL). To back up or restore outside GitHub, use the command line with files: DATABASE_URL=... node dist/cli/index.js backup --output-dir backups, and restore --backup-file backups/ (README: Command line).'

/**
 * The runner's variables the artifact client needs that are not set (none inside a GitHub
 * Actions job): checked before the backup connects, so that a run outside GitHub fails at once.
 */
export function missingArtifactEnvironment(
  env: NodeJS.ProcessEnv = process.env
): ArtifactStorageError | undefined {
  const missing = ['ACTIONS_RUNTIME_TOKEN', 'ACTIONS_RESULTS_URL'].filter(name => !env[name])
  if (missing.length === 0) return undefined
  return new ArtifactStorageError(
    `cannot upload the backup as an artifact: ${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not set. ${OUTSIDE_GITHUB} Nothing was done.`
  )
}

function explainClientError(action: string, error: unknown): ArtifactStorageError {
  const message = (error as Error)?.message ?? String(error)
  if (/ACTIONS_RUNTIME_TOKEN|ACTIONS_RESULTS_URL/.test(message)) {
    return new ArtifactStorageError(`cannot ${action}: ${message}. ${OUTSIDE_GITHUB}`)
  }
  if (/quota/i.test(message)) {
    return new ArtifactStorageError(
      `cannot ${action}: the account's artifact storage quota is used up. Delete old artifacts, lower retention-days, or raise the storage limit in the billing settings. (${message})`
    )
  }
  return new ArtifactStorageError(`cannot ${action}: ${describeClientFailure(error)}`)
}

/** Tries the storage client (Azure's StorageRetryPolicy) makes before it gives up. */
const STORAGE_TRIES = 4

/**
 * What the artifact client's error says, completed: the service that failed, the HTTP status
 * and the attempts made, when the client's own message leaves them out (the storage answers a
 * 503 with no body, and its error then has no message at all), and what to do.
 */
function describeClientFailure(error: unknown): string {
  const e = error as { name?: string; message?: string; statusCode?: unknown; code?: unknown }
  const message = (e?.message ?? String(error)).trim()
  const again =
    "Nothing usable was uploaded. GitHub's artifact service is failing: run the backup again later (https://www.githubstatus.com shows outages)."
  if (typeof e?.statusCode === 'number') {
    // the blob storage client's RestError: its message is the body of the answer, often empty
    // (its first line: the rest is the storage's request id and time)
    const first = message.split('\n')[0].trim()
    const detail = [typeof e.code === 'string' ? e.code : '', first].filter(Boolean).join(': ')
    return `GitHub's artifact storage (Azure Blob Storage) answered HTTP ${e.statusCode}${detail ? ` (${detail})` : ''} to each of ${STORAGE_TRIES} tries. ${e.statusCode >= 500 || e.statusCode === 429 ? again : 'Nothing usable was uploaded.'}`
  }
  const twirp = /^Failed to (\w+): Failed to make request after (\d+) attempts: (.*)$/s.exec(
    message
  )
  if (twirp) {
    const [, method, attempts, cause] = twirp
    const answer = /JSON/.test(cause)
      ? `answers that were not JSON (${cause}: an outage, or a proxy between the runner and GitHub)`
      : cause
    return `GitHub's artifact service (${method}) failed ${attempts} attempts: ${answer}. ${again}`
  }
  if (message === '') {
    return `the artifact client failed without saying why (${e?.name ?? 'an error'} with no message). ${again}`
  }
  return message
}

/**
 * Before anything is dumped: an artifact of this name in this run is an error unless
 * `overwrite` is set (then it is replaced only once the new backup is ready).
 */
export async function checkNameIsFree(
  client: DefaultArtifactClient,
  name: string,
  overwrite: boolean
): Promise<{ exists: boolean | undefined; warning?: string }> {
  try {
    await client.getArtifact(name)
  } catch (error) {
    if (error instanceof ArtifactNotFoundError || /not found/i.test(String(error))) {
      return { exists: false }
    }
    const message = (error as Error)?.message ?? String(error)
    if (/ACTIONS_RUNTIME_TOKEN|ACTIONS_RESULTS_URL/.test(message)) {
      throw explainClientError('look up existing artifacts', error)
    }
    // the lookup is a courtesy (fail before a long dump); the upload itself still refuses a taken
    // name, so a backend that cannot list artifacts does not stop the backup (the warning is the
    // caller's to log: the lookup runs beside the connection, its group comes after)
    return {
      exists: undefined,
      warning: `Could not check whether an artifact named '${name}' exists (${message}); going on: the upload will say so if it does.`
    }
  }
  if (!overwrite) {
    throw new SettingError(
      'artifactName',
      `an artifact named '${name}' already exists in this workflow run. Choose another artifact-name, or set 'overwrite: true' to replace it.`
    )
  }
  return { exists: true }
}

interface UploadOptions {
  zipPath: string
  retentionDays: number
  /**
   * true: an artifact of that name is replaced; undefined: if there is one. The old one is
   * deleted only once the new backup is held by the backend (under a temporary name first).
   */
  replaceExisting: boolean | undefined
  /** Block uploads at once (4 MiB buffered each); ACTIONS_ARTIFACT_UPLOAD_CONCURRENCY wins. */
  concurrency?: number
}

/**
 * The name a replacing backup is uploaded under first: the run's artifact names are unique, so
 * the new backup is held whole under this name before the old one is deleted.
 */
export function replacementName(name: string): string {
  return name.replace(/(\.zip)?$/i, '.replacing$1')
}

/**
 * Uploads the backup's zip as it is (skipArchive: the client neither re-zips nor re-compresses
 * it); the artifact is named after the file. `zipPath` may be a named pipe still being written.
 *
 * Replacing an artifact of this run (a file, never a pipe): GitHub keeps one artifact per name
 * and run, so the zip is uploaded twice — first as `<name>.replacing.zip`; only once that is
 * finalized is the old artifact deleted, the zip uploaded under its own name, and the temporary
 * one deleted. When an upload fails the run keeps a whole backup: the old one (first upload),
 * or the temporary one (second upload; the error names it).
 */
export async function uploadBackup(
  client: DefaultArtifactClient,
  options: UploadOptions
): Promise<UploadedArtifact> {
  const name = path.basename(options.zipPath)
  if (options.replaceExisting === false) return uploadOnce(client, options)
  let exists: boolean | undefined = options.replaceExisting
  if (exists === undefined) {
    // not known: look again (a backend that cannot say takes the safe way)
    exists = await client.getArtifact(name).then(
      () => true,
      error => !(error instanceof ArtifactNotFoundError || /not found/i.test(String(error)))
    )
  }
  if (!exists) return uploadOnce(client, options)
  const temporary = replacementName(name)
  const temporaryPath = path.join(path.dirname(options.zipPath), temporary)
  await link(options.zipPath, temporaryPath).catch(() => copyFile(options.zipPath, temporaryPath))
  let held: UploadedArtifact
  try {
    held = await uploadOnce(client, { ...options, zipPath: temporaryPath })
  } catch (error) {
    // a failed upload may have left a pending or partial artifact under the temporary name
    await deleteArtifactQuietly(client, temporary)
    throw explainClientError(
      `upload the new backup (as '${temporary}', before replacing '${name}'); the artifact '${name}' it was to replace is kept, unchanged`,
      error
    )
  } finally {
    await rm(temporaryPath, { force: true })
  }
  log.info(
    `The new backup is held as artifact '${temporary}' (id ${held.id}); replacing '${name}'.`
  )
  try {
    await client.deleteArtifact(name)
  } catch (error) {
    const notFound = error instanceof ArtifactNotFoundError || /not found/i.test(String(error))
    if (!notFound) {
      throw explainClientError(
        `delete the artifact '${name}' to replace it; it is kept, and the new backup is artifact '${temporary}' (id ${held.id})`,
        error
      )
    }
  }
  let uploaded: UploadedArtifact
  try {
    uploaded = await uploadOnce(client, options)
  } catch (error) {
    throw explainClientError(
      `upload the artifact '${name}' after the old one was deleted; the new backup is kept as artifact '${temporary}' (id ${held.id}) — restore it with artifact-id: ${held.id}`,
      error
    )
  }
  if (!(await deleteArtifactQuietly(client, temporary))) {
    log.warning(
      `Could not delete the temporary artifact '${temporary}' (id ${held.id}), a copy of '${name}'; delete it in the run's Artifacts.`
    )
  }
  return uploaded
}

/**
 * The zip the client will read is a file that can be read (or the live upload's named pipe).
 * The client reads it through a stream whose read error is never handled: an unreadable zip
 * (a folder, an I/O error) would end the process with an uncaught exception and no summary, or
 * leave the upload waiting for bytes that never come.
 */
async function checkReadable(zipPath: string): Promise<void> {
  let reason: string | undefined
  try {
    const info = await stat(zipPath)
    if (info.isFIFO()) return
    if (!info.isFile()) reason = 'it is not a file'
    else {
      const handle = await open(zipPath, 'r')
      try {
        await handle.read(Buffer.alloc(1), 0, 1, 0)
      } finally {
        await handle.close()
      }
    }
  } catch (error) {
    reason = (error as Error)?.message ?? String(error)
  }
  if (reason !== undefined) {
    throw new ArtifactStorageError(
      `cannot upload the artifact: the backup's zip ${zipPath} cannot be read (${reason}); nothing was uploaded. Check the runner's disk under RUNNER_TEMP and run the backup again.`
    )
  }
}

async function uploadOnce(
  client: DefaultArtifactClient,
  options: UploadOptions
): Promise<UploadedArtifact> {
  const name = path.basename(options.zipPath)
  await checkReadable(options.zipPath)
  let response
  // a block (4 MiB, block-upload.ts) is buffered per concurrent upload: 3 at once (instead of the
  // client's 5) keep the action's memory bounded; ACTIONS_ARTIFACT_UPLOAD_CONCURRENCY set by the
  // user still wins
  const concurrency = process.env.ACTIONS_ARTIFACT_UPLOAD_CONCURRENCY
  if (!concurrency) {
    process.env.ACTIONS_ARTIFACT_UPLOAD_CONCURRENCY = String(options.concurrency ?? 3)
  }
  try {
    // its blocks from buffers that are reused, not gathered from the zip's chunks (block-upload.ts)
    response = await withBlockUpload(() =>
      client.uploadArtifact(name, [options.zipPath], path.dirname(options.zipPath), {
        retentionDays: options.retentionDays,
        skipArchive: true
      })
    )
  } catch (error) {
    if (/already exists/i.test(String((error as Error)?.message))) {
      throw new SettingError(
        'artifactName',
        `an artifact named '${name}' already exists in this workflow run. Choose another artifact-name, or set 'overwrite: true' to replace it.`
      )
    }
    throw explainClientError('upload the artifact', error)
  } finally {
    if (!concurrency) delete process.env.ACTIONS_ARTIFACT_UPLOAD_CONCURRENCY
  }
  if (!response.id) {
    throw new ArtifactStorageError('the artifact backend did not return an artifact id')
  }
  return {
    id: response.id,
    name,
    size: response.size ?? 0,
    digest: response.digest ?? '',
    url: artifactUrl(response.id)
  }
}

/** Deletes this run's artifact of that name; false when it could not. */
export async function deleteArtifactQuietly(
  client: DefaultArtifactClient,
  name: string
): Promise<boolean> {
  try {
    await client.deleteArtifact(name)
    return true
  } catch {
    return false
  }
}

/** The page users download from: Actions → run → Artifacts. */
export function artifactUrl(id: number, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const server = env.GITHUB_SERVER_URL
  const repository = env.GITHUB_REPOSITORY
  const runId = env.GITHUB_RUN_ID
  if (!server || !repository || !runId) return undefined
  return `${server}/${repository}/actions/runs/${runId}/artifacts/${id}`
}

/** An artifact found for a restore, before it is downloaded. */
export interface FoundArtifact {
  id: number
  name: string
  repository: string
  runId?: number
  /** sha256 hex of the zip as the backend recorded it, when known. */
  digest?: string
  createdAt?: Date
  size?: number
  /** The run that uploaded it, when it was chosen among runs: where its code came from. */
  origin?: RunOrigin
}

/** What GitHub says about the run an artifact came from. */
export interface RunOrigin {
  /** The branch the run ran on (workflow_run.head_branch). */
  branch?: string
  /** The event that started it: push, schedule, pull_request, … */
  event?: string
  /** The workflow file, e.g. .github/workflows/backup.yml. */
  workflow?: string
  /** owner/name the run's code came from (a fork's, for a pull request from a fork). */
  headRepository?: string
  /** The run ran code from another repository than the artifact's (a fork's pull request). */
  foreign?: boolean
}

/** "push on main, .github/workflows/backup.yml" (", code from owner/fork" for a fork's run) */
export function describeOrigin(origin: RunOrigin): string {
  const what = [origin.event, origin.branch && `on ${origin.branch}`].filter(Boolean).join(' ')
  return [
    what,
    origin.workflow,
    origin.foreign && `code from ${origin.headRepository ?? 'another repository'}`
  ]
    .filter(Boolean)
    .join(', ')
}

/**
 * Where an artifact chosen explicitly (artifact-id, a run-id, or artifact-from: any) came from:
 * its run's event, branch, workflow and head repository, said in the log and the summary as for
 * the default choice; a run of another repository's code (a fork's pull request, which can
 * upload any file under any name) is warned of — the choice stands, it was asked for (attacker
 * a41 F2: a run id handed to an operator). GitHub not answering about the run is said, not fatal.
 */
async function explicitOrigin(
  octokit: Octokit,
  repository: string,
  a: RestArtifact & { origin?: RunOrigin }
): Promise<RestArtifact & { origin?: RunOrigin }> {
  const runId = a.workflow_run?.id
  if (!runId) return a
  const [owner, repo] = repository.split('/')
  let run: RestRun & { repository?: { id: number; full_name: string } | null }
  try {
    run = (await octokit.rest.actions.getWorkflowRun({ owner, repo, run_id: runId }))
      .data as typeof run
  } catch (error) {
    log.info(
      `Could not read run ${runId} of ${repository} to say where artifact ${a.id} came from (${(error as { status?: number })?.status ?? (error as Error)?.message ?? error}).`
    )
    // the artifact's own record still names the repositories (re-attack a42 F3)
    const w = a.workflow_run
    if (w?.repository_id !== undefined && w.head_repository_id !== w.repository_id) {
      const origin: RunOrigin = { branch: w.head_branch ?? undefined, foreign: true }
      log.warning(
        `Artifact ${a.id} was made by run ${runId}, which ran code from another repository than ${repository} (a fork's${w.head_repository_id === undefined || w.head_repository_id === null ? ', deleted or unknown' : ''}): a pull request from a fork can upload any file under any artifact name. It is restored because it was named explicitly; restore it only if you trust that run.`
      )
      return Object.assign(a, { origin })
    }
    return a
  }
  // a fork's run: its head repository another (or gone: a deleted fork's run names none)
  const w = a.workflow_run
  const foreign = run.head_repository
    ? run.repository
      ? run.head_repository.id !== run.repository.id
      : run.head_repository.full_name.toLowerCase() !== repository.toLowerCase()
    : w?.repository_id !== undefined && w.head_repository_id !== w.repository_id
  const origin: RunOrigin = {
    branch: run.head_branch ?? a.workflow_run?.head_branch ?? undefined,
    event: run.event,
    workflow: run.path,
    headRepository:
      run.head_repository?.full_name ?? (foreign ? 'a deleted or unknown repository' : repository),
    ...(foreign ? { foreign } : {})
  }
  log.info(`Artifact ${a.id} of run ${runId}: ${describeOrigin(origin)}.`)
  if (foreign)
    log.warning(
      `Artifact ${a.id} was made by run ${runId} (${describeOrigin(origin)}), which ran code from ${origin.headRepository}, not ${repository}'s own: a pull request from a fork can upload any file under any artifact name. It is restored because it was named explicitly; restore it only if you trust that run.`
    )
  return Object.assign(a, { origin })
}

interface RestArtifact {
  id: number
  name: string
  size_in_bytes: number
  expired: boolean
  digest?: string | null
  created_at: string | null
  expires_at: string | null
  workflow_run?: {
    id?: number
    repository_id?: number
    head_repository_id?: number
    head_branch?: string | null
    head_sha?: string | null
  } | null
}

interface RestRun {
  id: number
  event: string
  path?: string
  head_branch?: string | null
  head_sha?: string | null
  head_repository?: { id: number; full_name: string } | null
}

type Octokit = ReturnType<typeof getOctokit>

function restClient(token: string): Octokit {
  if (!token) {
    throw new SettingError(
      'githubToken',
      "is empty. Backups of other runs are looked up through GitHub's API: pass a token (the default is the workflow's own token, ${{ github.token }}) and give the workflow 'permissions: actions: read'."
    )
  }
  return getOctokit(token, { baseUrl: process.env.GITHUB_API_URL || 'https://api.github.com' })
}

function explainApiError(error: unknown, what: string, repository: string): Error {
  const status = (error as { status?: number })?.status
  if (status === 401) {
    return new SettingError(
      'githubToken',
      `was refused by GitHub's API (401 Bad credentials) while looking up ${what}.`
    )
  }
  if (status === 403) {
    return new SettingError(
      'githubToken',
      `may not read the artifacts of ${repository} (403) while looking up ${what}. Add 'permissions: { actions: read, contents: read }' to the workflow, or for another repository pass a token with actions: read on it.`
    )
  }
  if (status === 404) {
    return new ArtifactStorageError(
      `${what} was not found in ${repository} (404). Check the repository, run-id or artifact-id; a token without 'actions: read' also sees 404 — add 'permissions: { actions: read }' to the workflow.`
    )
  }
  return new ArtifactStorageError(`cannot look up ${what}: ${(error as Error)?.message ?? error}`)
}

function stripDigest(digest: string | null | undefined): string | undefined {
  if (!digest) return undefined
  return digest.replace(/^sha256:/, '')
}

function fromRest(a: RestArtifact & { origin?: RunOrigin }, repository: string): FoundArtifact {
  return {
    origin: a.origin,
    id: a.id,
    name: a.name,
    repository,
    runId: a.workflow_run?.id ?? undefined,
    digest: stripDigest(a.digest),
    createdAt: a.created_at ? new Date(a.created_at) : undefined,
    size: a.size_in_bytes
  }
}

function expiredError(a: RestArtifact, repository: string): ArtifactStorageError {
  return new NoBackupArtifactError(
    `the artifact '${a.name}' (id ${a.id}) in ${repository} expired${a.expires_at ? ` on ${a.expires_at}` : ''}; GitHub no longer keeps its files. Restore a newer backup, or keep backups longer with retention-days.`
  )
}

/** Finds the backup artifact a restore asks for: by id, in a given run, in this run, or the newest. */
export async function findBackupArtifact(
  client: DefaultArtifactClient,
  source: ArtifactSource
): Promise<FoundArtifact> {
  const [owner, repo] = source.repository.split('/')
  const names = source.kind === 'artifact' ? artifactNamesFor(source.name) : []
  if (source.kind === 'artifact' && source.runId === 'current') {
    for (const name of names) {
      try {
        const { artifact } = await client.getArtifact(name)
        return {
          id: artifact.id,
          name: artifact.name,
          repository: source.repository,
          runId: Number(process.env.GITHUB_RUN_ID) || undefined,
          digest: stripDigest(artifact.digest),
          createdAt: artifact.createdAt,
          size: artifact.size
        }
      } catch (error) {
        if (error instanceof ArtifactNotFoundError || /not found/i.test(String(error))) continue
        throw explainClientError('look up the artifact in this run', error)
      }
    }
    throw new NoBackupArtifactError(
      `no artifact named '${names.join("' or '")}' exists in this workflow run (run-id: current). Run the backup step earlier in this run, or leave run-id empty for the latest backup.`
    )
  }
  const octokit = restClient(source.token)
  if (source.kind === 'artifact-id') {
    let a: RestArtifact
    try {
      a = (await octokit.rest.actions.getArtifact({ owner, repo, artifact_id: source.id }))
        .data as RestArtifact
    } catch (error) {
      throw explainApiError(error, `artifact ${source.id}`, source.repository)
    }
    if (a.expired) throw expiredError(a, source.repository)
    return fromRest(await explicitOrigin(octokit, source.repository, a), source.repository)
  }
  const artifacts: RestArtifact[] = []
  const what =
    source.runId === 'latest'
      ? `artifacts named '${names.join("' or '")}'`
      : `artifacts named '${names.join("' or '")}' of run ${source.runId}`
  try {
    for (const name of names) {
      if (source.runId === 'latest') {
        artifacts.push(
          ...((await octokit.paginate(octokit.rest.actions.listArtifactsForRepo, {
            owner,
            repo,
            name,
            per_page: 100
          })) as RestArtifact[])
        )
      } else {
        artifacts.push(
          ...((await octokit.paginate(octokit.rest.actions.listWorkflowRunArtifacts, {
            owner,
            repo,
            run_id: source.runId as number,
            name,
            per_page: 100
          })) as RestArtifact[])
        )
      }
    }
  } catch (error) {
    throw explainApiError(error, what, source.repository)
  }
  const named = artifacts.filter(a => names.includes(a.name))
  const newestFirst = named.sort(
    (a, b) => Date.parse(b.created_at ?? '') - Date.parse(a.created_at ?? '')
  )
  const live =
    source.runId === 'latest' && ((source.from ?? 'default-branch') !== 'any' || source.workflow)
      ? await newestTrusted(octokit, source, newestFirst, names)
      : newestOf(newestFirst, source)
  if (!live) {
    if (newestFirst.length > 0) throw expiredError(newestFirst[0], source.repository)
    throw new NoBackupArtifactError(
      source.runId === 'latest'
        ? `no artifact named '${names.join("' or '")}' exists in ${source.repository}. Check artifact-name (the backup step's artifact-name), and that a backup has run.`
        : `run ${source.runId} of ${source.repository} has no artifact named '${names.join("' or '")}'. Check run-id and artifact-name.`
    )
  }
  // the default choice said where its artifact came from (newestTrusted); an explicit one too
  return fromRest(
    (live as { origin?: RunOrigin }).origin
      ? live
      : await explicitOrigin(octokit, source.repository, live),
    source.repository
  )
}

/**
 * The newest live one of `newestFirst`; when it is one of several of the name (one run that
 * uploaded twice, 'db' beside 'db.zip'), which was taken and which not is said (attacker a58 F4:
 * the newer of two was restored without a word).
 */
function newestOf(
  newestFirst: RestArtifact[],
  source: Extract<ArtifactSource, { kind: 'artifact' }>
): RestArtifact | undefined {
  const live = newestFirst.filter(a => !a.expired)
  const chosen = live[0]
  if (chosen && live.length > 1)
    log.info(
      `${source.runId === 'latest' ? source.repository : `Run ${source.runId}`} holds ${live.length} artifacts named as asked: took the newest, ${describeArtifact(chosen)}; not ${live
        .slice(1, 6)
        .map(describeArtifact)
        .join(
          ', '
        )}${live.length > 6 ? `, and ${live.length - 6} more` : ''}. Choose another by artifact-id.`
    )
  return chosen
}

function describeArtifact(a: RestArtifact): string {
  return `'${a.name}' (artifact ${a.id}, ${a.created_at ?? 'of unknown date'})`
}

/**
 * Among artifacts (newest first), the newest live one a run of this repository's own code made
 * (workflow_run.head_repository_id is the repository's id: a pull request from a fork has its
 * fork's) on the default branch unless `from` is 'any-branch', started by push, schedule or
 * workflow_dispatch (GET …/actions/runs/{id}). On the default branch means its head_branch is the
 * branch's name AND its commit is in the branch's history (onDefaultBranch): a run on a tag
 * named like the branch reports the tag's name as head_branch. Every newer artifact passed over
 * is logged with why. Undefined when none is live at all; an ArtifactStorageError when only
 * others' are; a SettingError('artifactFrom') when GitHub cannot say whether the commit of the
 * candidate is on the default branch (fails closed).
 */
async function newestTrusted(
  octokit: Octokit,
  source: Extract<ArtifactSource, { kind: 'artifact' }>,
  newestFirst: (RestArtifact & { origin?: RunOrigin })[],
  names: string[]
): Promise<RestArtifact | undefined> {
  const from: ArtifactFrom = source.from ?? 'default-branch'
  const [owner, repo] = source.repository.split('/')
  const live = newestFirst.filter(a => !a.expired)
  if (live.length === 0) return undefined
  let repository: { id: number; default_branch: string }
  try {
    repository = (await octokit.rest.repos.get({ owner, repo })).data
  } catch (error) {
    throw explainApiError(error, `the repository ${source.repository}`, source.repository)
  }
  const runs = new Map<number, RestRun>()
  const runOf = async (runId: number): Promise<RestRun> => {
    let run = runs.get(runId)
    if (!run) {
      try {
        run = (await octokit.rest.actions.getWorkflowRun({ owner, repo, run_id: runId }))
          .data as RestRun
      } catch (error) {
        throw explainApiError(error, `run ${runId}`, source.repository)
      }
      runs.set(runId, run)
    }
    return run
  }
  const onMain = new Map<string, boolean>()
  const passedOver: string[] = []
  const trusted: readonly string[] = TRUSTED_RUN_EVENTS
  const any = from === 'any'
  /** Why an artifact is not one the default choice takes, by what the list says of its run. */
  const listedReason = (a: RestArtifact): string | undefined => {
    if (!a.workflow_run?.id) return 'GitHub names no run for it'
    if (any) return undefined
    if (a.workflow_run.head_repository_id !== repository.id)
      return "made by code from another repository (a fork's pull request)"
    if (from === 'default-branch' && a.workflow_run.head_branch !== repository.default_branch)
      return `ran on branch '${a.workflow_run.head_branch ?? '?'}', not the default branch '${repository.default_branch}'`
    return undefined
  }
  /** …and by its run's own record. */
  const runReason = (run: RestRun): string | undefined => {
    if (!any && run.head_repository && run.head_repository.id !== repository.id)
      return `its run ran code from ${run.head_repository.full_name}`
    if (!any && !trusted.includes(run.event))
      return `started by ${run.event}, not by ${TRUSTED_RUN_EVENTS.join(', ')}`
    if (source.workflow && !sameWorkflow(run.path, source.workflow))
      return `made by the workflow ${run.path ?? '(unnamed)'}, not ${source.workflow} (artifact-workflow)`
    return undefined
  }
  /**
   * The workflows besides `chosen` whose runs made one of `older` that the choice would take
   * but for its age (the commit's place on the branch aside): their path, newest first. Each run
   * read once (a few at a time).
   */
  const otherWorkflows = async (
    older: RestArtifact[],
    chosen: string | undefined
  ): Promise<Array<{ path: string; artifact: number; run: number; created?: string | null }>> => {
    const candidates = older.filter(a => listedReason(a) === undefined)
    const ids = [...new Set(candidates.map(a => a.workflow_run!.id!))]
    for (let i = 0; i < ids.length; i += 5) await Promise.all(ids.slice(i, i + 5).map(runOf))
    const found = new Map<
      string,
      { path: string; artifact: number; run: number; created?: string | null }
    >()
    for (const a of candidates) {
      const run = runs.get(a.workflow_run!.id!)!
      if (runReason(run) !== undefined || run.path === chosen) continue
      const path = run.path ?? '(unnamed)'
      if (!found.has(path))
        found.set(path, { path, artifact: a.id, run: run.id, created: a.created_at })
    }
    return [...found.values()]
  }
  for (const a of live) {
    const runId = a.workflow_run?.id
    const label = `artifact ${a.id}${runId ? ` of run ${runId}` : ''}`
    const listed = listedReason(a)
    if (listed || !runId) {
      passedOver.push(`${label}: ${listed ?? 'GitHub names no run for it'}`)
      continue
    }
    const run = await runOf(runId)
    const reason = runReason(run)
    if (reason) {
      passedOver.push(`${label}: ${reason}`)
      continue
    }
    if (from === 'default-branch') {
      const sha = run.head_sha ?? a.workflow_run?.head_sha ?? undefined
      if (!sha) {
        passedOver.push(`${label}: GitHub names no commit for its run`)
        continue
      }
      let reachable = onMain.get(sha)
      if (reachable === undefined) {
        reachable = await onDefaultBranch(octokit, source.repository, repository.default_branch, {
          runId,
          sha
        })
        onMain.set(sha, reachable)
      }
      if (!reachable) {
        passedOver.push(
          `${label}: its commit ${sha.slice(0, 12)} is not in the history of the default branch '${repository.default_branch}' (a run on a tag named '${repository.default_branch}' reports that name as its branch)`
        )
        continue
      }
    }
    const origin: RunOrigin = {
      branch: run.head_branch ?? a.workflow_run?.head_branch ?? undefined,
      event: run.event,
      workflow: run.path,
      headRepository: run.head_repository?.full_name ?? source.repository
    }
    for (const line of passedOver.slice(0, 20)) log.info(`Passed over ${line}.`)
    if (passedOver.length > 20) log.info(`Passed over ${passedOver.length - 20} more.`)
    // the name uploaded by several workflows (a CI job backing up its service container on
    // every push, beside the nightly backup): which database is meant cannot be told (trial a58)
    if (!source.workflow && !any) {
      const others = await otherWorkflows(live.slice(live.indexOf(a) + 1), run.path)
      if (others.length > 0)
        throw new SettingError(
          'artifactWorkflow',
          `the artifact name '${source.name}' is uploaded by more than one workflow of ${source.repository}: the newest, artifact ${a.id} of run ${runId} (${a.created_at ?? '?'}), by ${run.path ?? '(unnamed)'}; and ${others.map(o => `${o.path} (its newest: artifact ${o.artifact} of run ${o.run}, ${o.created ?? '?'})`).join('; ')}. They may hold different databases (a CI job's test database beside the nightly backup); nothing was restored. Set artifact-workflow to the workflow whose backups to restore (e.g. artifact-workflow: ${path.posix.basename(run.path ?? 'backup.yml')}), choose one artifact by run-id or artifact-id, or give each workflow's backups a name of their own (artifact-name).`
        )
    }
    log.info(`Chose artifact ${a.id} of run ${runId}: ${describeOrigin(origin)}.`)
    return Object.assign(a, { origin })
  }
  const scope =
    from === 'default-branch'
      ? `on its default branch '${repository.default_branch}'`
      : 'on any of its branches'
  throw new SettingError(
    'artifactFrom',
    `none of the ${plural(live.length, 'artifact')} named '${names.join("' or '")}' in ${source.repository} was made by a run of the repository's own code ${scope} started by ${TRUSTED_RUN_EVENTS.join(', ')}; artifacts of other runs are not restored unasked (a pull request from a fork can upload any artifact name). Passed over: ${passedOver.slice(0, 5).join('; ')}${passedOver.length > 5 ? `; and ${passedOver.length - 5} more` : ''}. Choose one by run-id or artifact-id, or widen the runs considered ('any-branch', or 'any' if you trust every run).`
  )
}

/**
 * Whether a run's workflow `path` (.github/workflows/backup.yml) is the one artifact-workflow
 * names: the same path, or the same file name when it gives only a name.
 */
export function sameWorkflow(runPath: string | undefined, wanted: string): boolean {
  if (!runPath) return false
  const clean = (p: string): string => p.replace(/^\.\//, '')
  return wanted.includes('/')
    ? clean(runPath) === clean(wanted)
    : path.posix.basename(runPath) === wanted
}

/**
 * Whether `run.sha` is in the history of `branch` (the default branch): GitHub's compare API
 * (GET /repos/{owner}/{repo}/compare/{branch}...{sha}, needs contents: read) answers status
 * 'identical' or 'behind' exactly when the commit is reachable from the branch ('ahead' or
 * 'diverged' otherwise). Any other answer (403 without contents: read, 404 for an unknown commit
 * or a token that may not see the repository, 422) is a SettingError('artifactFrom') naming the
 * run and how to choose an artifact explicitly: the default choice is never made unchecked.
 */
async function onDefaultBranch(
  octokit: Octokit,
  repository: string,
  branch: string,
  run: { runId: number; sha: string }
): Promise<boolean> {
  const [owner, repo] = repository.split('/')
  let status: string | undefined
  try {
    const { data } = await octokit.rest.repos.compareCommitsWithBasehead({
      owner,
      repo,
      basehead: `${branch}...${run.sha}`,
      per_page: 1
    })
    status = data.status
  } catch (error) {
    const code = (error as { status?: number })?.status
    const because =
      code === 403
        ? "403: the token may not read the repository's contents — add 'contents: read' to the workflow's permissions"
        : code === 404
          ? "404: the commit is unknown to GitHub, or the token may not read the repository's contents — add 'contents: read' to the workflow's permissions"
          : `${code ?? 'no answer'}: ${(error as Error)?.message ?? error}`
    throw new SettingError(
      'artifactFrom',
      `cannot check that run ${run.runId} (commit ${run.sha.slice(0, 12)}) ran on the default branch '${branch}' of ${repository}: GitHub's compare API answered ${because}. A tag named '${branch}' reports that name as its branch, so its artifact is not taken unchecked; nothing was restored. Choose the artifact explicitly with run-id or artifact-id, or fix the token.`,
      { cause: error }
    )
  }
  return status === 'identical' || status === 'behind'
}

/**
 * Downloads the artifact's zip as it is (not extracted) into `directory`, and checks its sha256
 * against the digest the backend recorded at upload. Returns the zip's path and digest.
 */
export async function downloadArtifactZip(
  client: DefaultArtifactClient,
  found: FoundArtifact,
  source: ArtifactSource,
  directory: string,
  /** Filled in as the download begins: stops taking the dump's hashes on the way (live-zip.ts does). */
  watch: { stopObserving?: () => void } = {}
): Promise<{ zipPath: string; sha256: string }> {
  await mkdir(directory, { recursive: true })
  // the zip is written whole before anything is read: it must fit
  const free = await freeBytes(directory)
  if (found.size !== undefined && free !== undefined && found.size > free) {
    throw new ArtifactStorageError(
      `artifact ${found.id} is ${formatBytes(found.size)}, more than the ${formatBytes(free)} free in ${directory} (RUNNER_TEMP); nothing was downloaded or restored. Free disk space on the runner, point RUNNER_TEMP at a larger disk, or use a larger runner.`
    )
  }
  const currentRun = source.kind === 'artifact' && source.runId === 'current'
  const [owner, repo] = found.repository.split('/')
  let digestMismatch: boolean | undefined
  const observing = observeWritesInto(directory)
  watch.stopObserving = observing.stop
  try {
    // the client hashes the bytes as they arrive and compares them with the recorded digest
    // (and the dump's own sha256 and CRC-32 are taken on the way: observeWritesInto)
    const response = await client.downloadArtifact(found.id, {
      path: directory,
      skipDecompress: true,
      expectedHash: found.digest ? `sha256:${found.digest}` : undefined,
      ...(currentRun
        ? {}
        : {
            findBy: {
              token: source.token,
              workflowRunId: found.runId ?? 0,
              repositoryOwner: owner,
              repositoryName: repo
            }
          })
    })
    digestMismatch = response.digestMismatch
  } catch (error) {
    await rm(directory, { recursive: true, force: true })
    const code = (error as NodeJS.ErrnoException)?.code
    if (code === 'ENOSPC' || code === 'EDQUOT' || /ENOSPC|no space left/i.test(String(error))) {
      throw new ArtifactStorageError(
        `the disk is full: no space left while downloading artifact ${found.id}${found.size ? ` (${formatBytes(found.size)})` : ''} into ${directory} (RUNNER_TEMP); nothing was restored and the partial download was removed. Free disk space on the runner, point RUNNER_TEMP at a larger disk, or use a larger runner.`
      )
    }
    throw explainClientError(`download artifact ${found.id}`, error)
  } finally {
    observing.restore()
  }
  const files = await readdir(directory)
  if (files.length !== 1) {
    throw new ArtifactStorageError(
      `the download of artifact ${found.id} produced ${plural(files.length, 'file')}, expected one zip`
    )
  }
  const zipPath = path.join(directory, files[0])
  if (digestMismatch) {
    const sha256 = await sha256Of({ path: zipPath })
    throw new ArtifactStorageError(
      `the downloaded artifact ${found.id} does not match the digest GitHub recorded at upload (sha256 ${sha256} ≠ ${found.digest}); it is corrupted. Nothing was restored.`
    )
  }
  const sha256 = found.digest ?? (await sha256Of({ path: zipPath }))
  // what was seen is what the file holds (every byte of it), or it is read again
  const observer = observing.observed(zipPath)
  if (observer && observer.seen === (await stat(zipPath)).size) zipSeen(zipPath, observer)
  return { zipPath, sha256 }
}

/**
 * The artifact client (@actions/artifact 6.2.1, download-artifact.js) writes the zip it
 * downloads with fs.createWriteStream(path) and pipes the response into it: while the download
 * runs, a file created in `directory` that way is watched, and its bytes are shown to a
 * ZipHeadObserver as they are piped in, which takes the sha256 and CRC-32 of the dump (the zip's
 * first entry) on the way. The restore then need not read the dump a second time to check it
 * (hashEntry): on a runner that pass ran after the download (at the 4 GB bench size, 1.28 GB of
 * reading, CRC-32 and sha256 after the last byte arrived); here it overlaps the download. Where
 * node:fs cannot be patched for the client (under jest) or it writes otherwise, nothing is seen
 * and the dump is read again, as before. fs.createWriteStream is put back when the download
 * settles.
 */
/** How many downloaded bytes between two minor collections (see memory.ts). */
const DOWNLOAD_SCAVENGE_BYTES = 4 * 1024 * 1024

function observeWritesInto(directory: string): {
  observed(file: string): ZipHeadObserver | undefined
  restore(): void
  stop(): void
} {
  const original = fs.createWriteStream
  const folder = path.resolve(directory)
  const observers = new Map<string, ZipHeadObserver>()
  let stopped = false
  const patched = function (
    this: unknown,
    file: Parameters<typeof fs.createWriteStream>[0],
    options?: Parameters<typeof fs.createWriteStream>[1]
  ): fs.WriteStream {
    const stream = original.call(this, file, options)
    if (typeof file === 'string' && path.dirname(path.resolve(file)) === folder) {
      const observer = new ZipHeadObserver()
      if (stopped) observer.stop()
      observers.set(path.resolve(file), observer)
      // pipe() says so synchronously, before the first byte flows
      // the client's chunks are garbage once written: collected every few MiB (memory.ts); and
      // what the load's feed holds meanwhile, promoted by these collections, before it piles up
      const scavenge = scavengeEvery(DOWNLOAD_SCAVENGE_BYTES, { promoted: true })
      stream.once('pipe', (source: Readable) =>
        source.on('data', (chunk: Buffer) => {
          observer.push(chunk)
          scavenge(chunk.length)
        })
      )
    }
    return stream
  } as typeof fs.createWriteStream
  const restore = (): void => {
    if (fs.createWriteStream !== patched) return
    fs.createWriteStream = original
    syncBuiltinESMExports()
  }
  fs.createWriteStream = patched
  syncBuiltinESMExports()
  const stop = (): void => {
    stopped = true
    for (const observer of observers.values()) observer.stop()
  }
  return { observed: file => observers.get(path.resolve(file)), restore, stop }
}

/** Bytes free for this user in `directory`'s file system; undefined when it cannot be told. */
async function freeBytes(directory: string): Promise<number | undefined> {
  try {
    const fs = await statfs(directory)
    return fs.bavail * fs.bsize
  } catch {
    return undefined
  }
}

/** The repository's visibility, from the event payload the runner provides. */
export function repositoryVisibility(
  env: NodeJS.ProcessEnv = process.env
): 'public' | 'private' | 'unknown' {
  const file = env.GITHUB_EVENT_PATH
  if (!file || !existsSync(file)) return 'unknown'
  try {
    const event = JSON.parse(readFileSync(file, 'utf8')) as {
      repository?: { private?: boolean; visibility?: string }
    }
    const repo = event.repository
    if (!repo) return 'unknown'
    if (repo.private === false || repo.visibility === 'public') return 'public'
    if (repo.private === true) return 'private'
    return 'unknown'
  } catch {
    return 'unknown'
  }
}

/** On a public repository an unencrypted artifact is readable by anyone signed in to GitHub. */
export function checkPrivacy(encrypted: boolean, allowUnencryptedPublic: boolean): void {
  if (encrypted || allowUnencryptedPublic) return
  if (repositoryVisibility() !== 'public') return
  throw new SettingError(
    'encryptionRecipients',
    "is empty, and this repository is public: anyone signed in to GitHub can download its artifacts, so an unencrypted backup would publish the database. Set encryption-recipients (age public keys; recommended) or encryption-passphrase — or, only if the data is public anyway, 'allow-unencrypted-public: true'."
  )
}
