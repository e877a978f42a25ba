/**
 * In-process fake of GitHub's artifact backend, served on 127.0.0.1 (random port, node:http only),
 * good enough for the REAL `@actions/artifact` 6.x client (DefaultArtifactClient) unmodified:
 *
 *  - Results service Twirp JSON API (`POST /twirp/github.actions.results.api.v1.ArtifactService/*`),
 *  - Azure Block Blob upload/download at signed URLs (stage block / commit block list / put blob / get),
 *  - the public REST subset (`{apiUrl}/repos/{o}/{r}/actions/...`) used by `findBy` lookups,
 *    the repository (`GET /repos/{o}/{r}`, default branch main) and the comparison of a commit
 *    with its default branch (`GET /repos/{o}/{r}/compare/main...{sha}`): each repository has a
 *    history of main, the commits of the runs on main of its own code, in the order they ran
 *    (a run on a tag named main at another commit is not on it: `run.onDefaultBranch: false`).
 *
 * ## How the real client behaves (read off node_modules/@actions/artifact 6.2.1 and its deps)
 *
 * Environment is read at CALL time, except GITHUB_API_URL:
 *  - ACTIONS_RUNTIME_TOKEN / ACTIONS_RESULTS_URL (only its origin is used) are read on every call.
 *  - GITHUB_SERVER_URL is read on every call (isGhes(): must be github.com, *.ghe.com or *.localhost,
 *    otherwise every method throws GHESNotSupportedError). env() sets https://github.com.
 *  - GITHUB_API_URL is read ONCE, when `@actions/github/lib/utils.js` is first evaluated (its
 *    `defaults.baseUrl`). So set process.env from backend.env() BEFORE the first import of
 *    '@actions/artifact' (or of anything importing it) in the test file, i.e. start the backend in
 *    beforeAll and then `await import(...)` the module under test. A static import is too early.
 *  - ACTIONS_ARTIFACT_MAX_ARTIFACT_COUNT is read once at module load (list-artifacts.js).
 *
 * Twirp calls (artifact-twirp-client.js; options cannot be changed from outside: the public client
 * calls internalArtifactTwirpClient() without options):
 *  - maxAttempts 5, first retry after 3000 ms, then base*1.5^n..base*1.5^(n+1) random:
 *    waits ≈ 3 s, 4.5–6.75 s, 6.75–10.1 s, 10.1–15.2 s → up to ≈35 s before the final failure
 *    "Failed to <Method>: Failed to make request after 5 attempts: Failed request: (503) ...".
 *  - Retried statuses: 500, 502, 503, 504, 429. Any other non-2xx fails at once:
 *    "Failed to <Method>: Received non-retryable error: Failed request: (409) Conflict: <msg>".
 *  - A body that is not JSON (any status, even 2xx or 4xx) is a SyntaxError, which is RETRIED.
 *    So every Twirp answer of this fake (and of fault bodies you pass) must be JSON.
 *  - An error body whose `msg` contains "insufficient usage" throws UsageError at once (no retry,
 *    whatever the status): "Failed to CreateArtifact: Artifact storage quota has been hit. ...".
 *  - Socket errors ECONNRESET/ENOTFOUND/ETIMEDOUT/ECONNREFUSED/EHOSTUNREACH throw NetworkError at
 *    once (no retry). There is NO request timeout: a Twirp call that never answers hangs forever.
 *
 * Blob upload (blob-upload.js → @azure/storage-blob 12.x BlockBlobClient.uploadStream):
 *  - Always stage blocks + commit block list (never a single-shot Put Blob), 8 MiB blocks
 *    (getUploadChunkSize), maxConcurrency from ACTIONS_ARTIFACT_UPLOAD_CONCURRENCY (default 5; the
 *    SDK then keeps ceil(5*3/4)=4 block PUTs in flight). Block ids: base64 of "<uuid><6-digit n>".
 *  - Azure StorageRetryPolicy: maxTries 4, retries only 500/503 and network errors (ECONNRESET,
 *    EPIPE, ETIMEDOUT, ...), NOT 429/502/504/4xx. Exponential delays: 0 ms before try 2, 4 s before
 *    try 3, 12 s before try 4 → one 503 is free, two cost 4 s, three cost 16 s, four fail (~16 s).
 *  - No per-request timeout; only the client's "Upload progress stalled." watchdog: progress is
 *    counted per COMPLETED block, checked every ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS (default
 *    300000) → a hang is detected after between 1x and 2x that value. Set it low (e.g. 1000) in
 *    stall tests, but not below the time one 8 MiB block takes.
 *  - The reported size is the sum of staged block lengths; the sha256 is of the whole stream.
 *
 * Download (download-artifact.js):
 *  - Without findBy: Twirp ListArtifacts(id_filter) + GetSignedArtifactURL, then GET the blob.
 *  - With findBy: REST `GET .../actions/artifacts/{id}/zip` with redirect: 'manual' (must be a 302
 *    with Location; octokit WITHOUT the retry plugin → a 4xx/5xx there fails at once), then GET.
 *  - Blob GET (streamExtract): any failure (non-200, bad zip, 30 s without data) is retried 5
 *    times with a fixed 5 s sleep → ~25 s before "Artifact download failed after 5 retries.".
 *    Keep blob-GET faults out of fast suites, or expect 5 s per injected failure.
 * REST lookups (get/list/delete with findBy) use octokit + plugin-retry with retries 5 and
 * doNotRetry [400, 401, 403, 404, 422] (410 IS retried there!): waits 1, 4, 9, 16, 25 s.
 *
 * ## Fidelity notes
 *  - Twirp errors are `{"code","msg"}` with the Twirp HTTP status. Name conflict: 409
 *    already_exists, msg "an artifact with this name already exists on the workflow run" (GitHub's
 *    exact text) followed by ` (name: "<name>")`, which GitHub does NOT include.
 *  - A created-but-not-finalized artifact already holds its name (pendingArtifactsConflict, default
 *    true), so a failed upload cannot be retried under the same name in the same run.
 *  - Twirp ListArtifacts/GetSignedArtifactURL hide expired artifacts; REST lists them with
 *    `expired: true` and answers 410 to their zip.
 *  - The runtime token is a JWT signed (HS256) with a per-backend secret; only tokens from env() /
 *    runtimeToken() are accepted, and the request's workflow_run_backend_id must match it.
 */
import crypto from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import archiver from 'archiver'
import unzip, { type Entry as UnzipEntry } from 'unzip-stream'

export type TwirpMethod =
  | 'CreateArtifact'
  | 'FinalizeArtifact'
  | 'ListArtifacts'
  | 'GetSignedArtifactURL'
  | 'DeleteArtifact'
export type BlobEndpoint = 'blob:stageBlock' | 'blob:commitBlockList' | 'blob:put' | 'blob:get'
export type ApiEndpoint =
  | 'api:listArtifacts'
  | 'api:listRunArtifacts'
  | 'api:getArtifact'
  | 'api:downloadArtifact'
  | 'api:deleteArtifact'
  | 'api:getRun'
  | 'api:getRepo'
  | 'api:compare'
export type Endpoint = TwirpMethod | BlobEndpoint | ApiEndpoint | 'unknown'
export type EndpointGroup = 'twirp' | 'blob' | 'api'

export interface BackendRequest {
  method: string
  /** pathname only (no query string, so no signatures) */
  path: string
  endpoint: Endpoint
  /** HTTP status sent; 0 when the connection was reset by a fault; undefined while in flight */
  status?: number
  /** 'fail', 'reset' or 'delay' when a fault rule was applied */
  fault?: string
}

export type FaultTarget = Endpoint | EndpointGroup | RegExp | ((req: BackendRequest) => boolean)

export interface FaultInjector {
  /**
   * Answer the next `times` requests matching `target` with `status` (default 503) and `body`
   * (string sent as is, object as JSON; default: a body in the endpoint's own error format),
   * or reset the connection when status is 'reset'. The request body is read first.
   * A RegExp is tested against `${METHOD} ${pathname}`.
   */
  failNext(
    target: FaultTarget,
    times?: number,
    status?: number | 'reset',
    body?: string | object
  ): void
  /** Delay the next `times` matching requests by `ms` after their body was read (before handling). */
  delayNext(target: FaultTarget, times: number, ms: number): void
  /**
   * Send the body of the next `times` blob downloads (GET) at about `bytesPerSecond`, in 64 KiB
   * pieces; with `cutAfter`, reset the connection once that many bytes were sent (a download
   * that fails midway: the client retries it after 5 s, or gives up after 30 s without data).
   */
  paceNextDownload(times: number, bytesPerSecond: number, cutAfter?: number): void
  /** Make the next `times` CreateArtifact calls fail with GitHub's storage-quota error. */
  quotaExceeded(times?: number): void
  /** Drop all pending fault rules. */
  reset(): void
  /** Number of fault applications still pending (Infinity if some rule is unlimited). */
  pending(): number
}

export interface BackendArtifact {
  id: number
  name: string
  runId: number
  runBackendId: string
  jobBackendId: string
  repository: string
  /** bytes of the committed blob (0 until finalized) */
  size: number
  /** sha256 hex of the stored bytes, without the "sha256:" prefix ('' until finalized) */
  digest: string
  createdAt: Date
  updatedAt: Date
  /** as given to CreateArtifact / seedArtifact; undefined means the repo default (90 days) */
  expiresAt?: Date
  deleted: boolean
  finalized: boolean
  /** committed blob content (shared, do not mutate) */
  bytes: Buffer
  mimeType: string
  /** number of blocks in the committed block list (1 for a single-shot Put Blob) */
  blockCount: number
  /** true when blocks were stored in another order than the committed list */
  blocksReceivedOutOfOrder?: boolean
  /** indexes (in commit order) of the staged blocks, in the order they were stored */
  blockArrivalOrder?: number[]
}

export interface RunInfo {
  runId: number
  runBackendId: string
  jobBackendId: string
  repository: string
  headSha: string
  headBranch: string
  /** owner/name the run's code came from: another one for a pull request from a fork */
  headRepository: string
  /** the event that started the run (default 'push') */
  event: string
  /** the workflow file (default .github/workflows/backup.yml) */
  workflowPath: string
}

/** What a new run is, beyond its ids: where its code came from and what started it. */
export type RunOrigin = Partial<
  Pick<RunInfo, 'headBranch' | 'headRepository' | 'event' | 'workflowPath' | 'headSha'>
> & {
  /**
   * Its commit joins the history of the repository's default branch (main), as the newest
   * commit there. Default: the run is on branch main of the repository's own code. False for a
   * run on a tag named main at a commit off main (GitHub reports the tag's name as head_branch);
   * a headSha already on main stays where it is.
   */
  onDefaultBranch?: boolean
}

export interface SeedArtifactOptions {
  name: string
  /** default: a new run (not made current); an unknown id creates that run */
  runId?: number
  /** default: the backend's repository */
  repository?: string
  /** a new run's branch, head repository (a fork), event and workflow (default: main, push) */
  run?: RunOrigin
  /** zipped with stored (uncompressed) entries, like an upload with compression-level 0 */
  files?: Record<string, Buffer | string>
  /** exact blob content instead of `files` (e.g. a corrupt zip) */
  bytes?: Buffer
  /** default application/zip */
  mimeType?: string
  createdAt?: Date
  expiresAt?: Date
}

export type TokenAccess = 'write' | 'read' | 'none'

export interface ArtifactBackend {
  /** http://127.0.0.1:PORT */
  url: string
  /** ACTIONS_RESULTS_URL value (the client only uses its origin) */
  resultsUrl: string
  /** GITHUB_API_URL value: `${url}/api` */
  apiUrl: string
  /** token accepted by the REST API with actions read+write */
  githubToken: string
  /** owner/name */
  repository: string
  repositoryId: number
  readonly currentRunId: number
  currentRun(): RunInfo
  runs(): RunInfo[]
  /** ACTIONS_RESULTS_URL, ACTIONS_RUNTIME_TOKEN, GITHUB_API_URL, GITHUB_SERVER_URL, GITHUB_REPOSITORY,
   * GITHUB_REPOSITORY_OWNER, GITHUB_RUN_ID, GITHUB_RUN_ATTEMPT, GITHUB_SHA (never GITHUB_TOKEN) */
  env(overrides?: Record<string, string>): Record<string, string>
  /** JWT for ACTIONS_RUNTIME_TOKEN of a run (default: current run) */
  runtimeToken(runId?: number): string
  /** start a new workflow run (new backend ids, new run id), make it current, return its run id */
  newRun(origin?: RunOrigin): number
  /** the id GitHub gives a repository (forks get their own), created on first use */
  repositoryIdOf(fullName: string): number
  /** snapshots of every artifact record, including pending and deleted ones, oldest first */
  artifacts(): BackendArtifact[]
  /** newest finalized, not deleted artifact with that name (in that run if runId is given) */
  findArtifact(name: string, runId?: number): BackendArtifact | undefined
  patchArtifact(
    id: number,
    patch: Partial<Pick<BackendArtifact, 'expiresAt' | 'createdAt' | 'deleted'>>
  ): BackendArtifact
  seedArtifact(opts: SeedArtifactOptions): Promise<BackendArtifact>
  /** a signed GET URL of an artifact's blob; a negative ttl gives an already expired URL */
  signedDownloadUrl(artifactId: number, ttlMs?: number): string
  /** change what a REST token may do: write (read+delete), read, none (403 on actions endpoints) */
  setTokenAccess(token: string, access: TokenAccess): void
  faults: FaultInjector
  requests: BackendRequest[]
  close(): Promise<void>
}

export interface StartArtifactBackendOptions {
  githubToken?: string
  /** owner/name, default octo-org/octo-repo */
  repository?: string
  /** valid tokens WITHOUT `actions: read`: every REST actions endpoint answers 403 */
  readOnlyTokens?: string[]
  /** valid tokens with `actions: read` but not write: DELETE answers 403 */
  noWriteTokens?: string[]
  /** valid tokens (actions as their other option says) without `contents: read`: compare answers 403 */
  noContentsTokens?: string[]
  /** lifetime of signed blob URLs handed out (default 10 minutes) */
  signedUrlTtlMs?: number
  /** a pending (created, not finalized) artifact holds its name (default true) */
  pendingArtifactsConflict?: boolean
}

/** Unzips a buffer with unzip-stream (the zip reader the client itself uses). */
export async function unzipEntries(zip: Buffer): Promise<Map<string, Buffer>> {
  const entries = new Map<string, Buffer>()
  const reads: Promise<void>[] = []
  await new Promise<void>((resolve, reject) => {
    const parser = unzip.Parse()
    parser.on('entry', (entry: UnzipEntry) => {
      if (entry.type !== 'File') {
        entry.autodrain()
        return
      }
      reads.push(
        new Promise<void>((res, rej) => {
          const chunks: Buffer[] = []
          entry.on('data', (c: Buffer) => chunks.push(c))
          entry.on('end', () => {
            entries.set(entry.path, Buffer.concat(chunks))
            res()
          })
          entry.on('error', rej)
        })
      )
    })
    parser.on('error', reject)
    parser.on('close', () => resolve())
    Readable.from([zip]).pipe(parser)
  })
  await Promise.all(reads)
  return entries
}

/** Builds a zip with stored entries (deterministic apart from `date`). */
export async function buildZip(
  files: Record<string, Buffer | string>,
  date = new Date()
): Promise<Buffer> {
  const zip = archiver('zip', { store: true })
  const chunks: Buffer[] = []
  const done = new Promise<void>((resolve, reject) => {
    zip.on('data', (c: Buffer) => chunks.push(c))
    zip.on('end', () => resolve())
    zip.on('error', reject)
    zip.on('warning', reject)
  })
  for (const [name, content] of Object.entries(files)) {
    zip.append(typeof content === 'string' ? Buffer.from(content) : content, { name, date })
  }
  await zip.finalize()
  await done
  return Buffer.concat(chunks)
}

const TWIRP_PREFIX = '/twirp/github.actions.results.api.v1.ArtifactService/'
const API_PREFIX = '/api'
const BLOB_ACCOUNT = 'actionsresults'
const BLOB_CONTAINER = 'actions-results'
const AZURE_VERSION = '2025-01-05'
const DEFAULT_RETENTION_DAYS = 90
const DAY_MS = 24 * 60 * 60 * 1000
const DOCS = 'https://docs.github.com/rest/actions/artifacts'
const TWIRP_METHODS: TwirpMethod[] = [
  'CreateArtifact',
  'FinalizeArtifact',
  'ListArtifacts',
  'GetSignedArtifactURL',
  'DeleteArtifact'
]

/**
 * A block's bytes as the request's body arrived: its chunks, never joined (joining every 8 MiB
 * block into one Buffer was the loopback backend's largest cost in the benchmark's backup, a
 * copy into fresh memory that the real service does not make on the runner's behalf).
 */
type Chunks = Buffer[]

interface BlobState {
  staged: Map<string, { data: Chunks; seq: number }>
  committedBlocks: Map<string, Chunks>
  committed?: Buffer
  /**
   * A committed block list's blocks (their chunks, in order), joined into `committed` only when
   * something asks for the whole (committedBytes): a GET streams them as they are (joining
   * 1.3 GB at commit took the benchmark's 4 GB backup a second that the real service does not
   * spend).
   */
  committedParts?: Buffer[]
  /**
   * The sha256 of the staged blocks, taken as they arrive in the order their requests began
   * (the order a client sends them in): used at commit when the block list names exactly those
   * blocks in that order, so that FinalizeArtifact need not hash the whole blob again (1.3 GB at
   * the benchmark's 4 GB size took seconds the real service does not spend at the end).
   */
  running?: RunningDigest
  /** the digest of `committed` when `running` could give it */
  committedDigest?: string
  contentType?: string
  etag?: string
  lastModified?: Date
}

interface RunningDigest {
  hash: crypto.Hash
  /** the block ids hashed so far, in order */
  ids: string[]
  /** the start number of the next block to hash, and blocks that arrived before it */
  next: number
  waiting: Map<number, { id: string; data: Chunks }>
  /** a block was staged twice: the running digest is of no use */
  broken: boolean
}

/** Feeds the running digest a staged block that began as the `start`-th of its blob. */
function runBlock(blob: BlobState, start: number | undefined, id: string, data: Chunks): void {
  const running: RunningDigest = (blob.running ??= {
    hash: crypto.createHash('sha256'),
    ids: [],
    next: 0,
    waiting: new Map(),
    broken: false
  })
  if (start === undefined || blob.staged.has(id)) running.broken = true
  if (running.broken || start === undefined) return
  running.waiting.set(start, { id, data })
  for (let block = running.waiting.get(running.next); block;) {
    for (const chunk of block.data) running.hash.update(chunk)
    running.ids.push(block.id)
    running.waiting.delete(running.next)
    block = running.waiting.get(++running.next)
  }
}

/** The committed blob's bytes as one Buffer (joined once, when it was committed in blocks). */
function committedBytes(blob: BlobState): Buffer | undefined {
  if (!blob.committed && blob.committedParts) {
    blob.committed = Buffer.concat(blob.committedParts)
    blob.committedParts = undefined
  }
  return blob.committed
}

/** The committed blob's bytes in pieces: the blocks as committed, or the whole. */
function committedPieces(blob: BlobState): Buffer[] | undefined {
  return blob.committed ? [blob.committed] : blob.committedParts
}

/** The bytes from `start` to `end` (exclusive) of the pieces, as pieces. */
/** Blob downloads to send slowly (paceNextDownload), by request. */
const paced = new WeakMap<object, FaultRule>()

async function sendPaced(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  body: Buffer,
  rule: FaultRule
): Promise<void> {
  const piece = 64 * 1024
  const pauseMs = (piece / (rule.bytesPerSecond ?? 1e9)) * 1000
  for (let at = 0; at < body.length; at += piece) {
    if (rule.cutAfter !== undefined && at >= rule.cutAfter) {
      req.socket.destroy()
      return
    }
    if (res.destroyed) return
    res.write(body.subarray(at, at + piece))
    await new Promise(resolve => setTimeout(resolve, pauseMs))
  }
  res.end()
}

function slicePieces(pieces: Buffer[], start: number, end: number): Buffer[] {
  const out: Buffer[] = []
  let at = 0
  for (const piece of pieces) {
    const from = Math.max(start, at)
    const to = Math.min(end, at + piece.length)
    if (from < to) out.push(piece.subarray(from - at, to - at))
    at += piece.length
  }
  return out
}

/** The running digest, when the committed list is exactly the blocks it hashed, in order. */
function runningDigest(blob: BlobState, committedIds: string[]): string | undefined {
  const running = blob.running
  blob.running = undefined
  if (!running || running.broken || running.waiting.size > 0) return undefined
  if (running.ids.length !== committedIds.length) return undefined
  if (running.ids.some((id, i) => id !== committedIds[i])) return undefined
  return running.hash.digest('hex')
}

interface ArtifactRecord extends Omit<BackendArtifact, 'bytes'> {
  blob: BlobState
  version: number
}

interface FaultRule {
  match: (req: BackendRequest) => boolean
  remaining: number
  kind: 'fail' | 'delay' | 'pace'
  bytesPerSecond?: number
  cutAfter?: number
  status?: number | 'reset'
  body?: string | object
  ms?: number
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string
  ) {
    super(message)
  }
}

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url')
const sha256 = (b: Buffer): string => crypto.createHash('sha256').update(b).digest('hex')
const isoSeconds = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z')

function twirpCodeFor(status: number): string {
  const codes: Record<number, string> = {
    400: 'invalid_argument',
    401: 'unauthenticated',
    403: 'permission_denied',
    404: 'not_found',
    408: 'deadline_exceeded',
    409: 'already_exists',
    412: 'failed_precondition',
    429: 'resource_exhausted',
    500: 'internal',
    501: 'unimplemented',
    502: 'unavailable',
    503: 'unavailable',
    504: 'deadline_exceeded'
  }
  return codes[status] ?? 'unknown'
}

/** A request's body as its chunks (a staged block is kept so, see Chunks). */
function readBody(req: http.IncomingMessage): Promise<Chunks> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(chunks))
    req.on('error', reject)
    req.on('close', () => {
      if (!req.complete) reject(new Error('request aborted'))
    })
  })
}

function classify(method: string, path: string): Endpoint {
  if (path.startsWith(TWIRP_PREFIX)) {
    const m = path.slice(TWIRP_PREFIX.length) as TwirpMethod
    return method === 'POST' && TWIRP_METHODS.includes(m) ? m : 'unknown'
  }
  if (path.startsWith(`/${BLOB_ACCOUNT}/${BLOB_CONTAINER}/`)) {
    if (method === 'GET' || method === 'HEAD') return 'blob:get'
    if (method === 'PUT') return 'blob:put' // refined by query in the handler
    return 'unknown'
  }
  if (path.startsWith(`${API_PREFIX}/repos/`)) {
    const rest = path.slice(API_PREFIX.length)
    if (method === 'GET' && /^\/repos\/[^/]+\/[^/]+\/actions\/artifacts$/.test(rest))
      return 'api:listArtifacts'
    if (method === 'GET' && /^\/repos\/[^/]+\/[^/]+\/actions\/runs\/[^/]+\/artifacts$/.test(rest))
      return 'api:listRunArtifacts'
    if (method === 'GET' && /^\/repos\/[^/]+\/[^/]+\/actions\/artifacts\/[^/]+$/.test(rest))
      return 'api:getArtifact'
    if (method === 'DELETE' && /^\/repos\/[^/]+\/[^/]+\/actions\/artifacts\/[^/]+$/.test(rest))
      return 'api:deleteArtifact'
    if (method === 'GET' && /^\/repos\/[^/]+\/[^/]+\/actions\/artifacts\/[^/]+\/[^/]+$/.test(rest))
      return 'api:downloadArtifact'
    if (method === 'GET' && /^\/repos\/[^/]+\/[^/]+\/actions\/runs\/[^/]+$/.test(rest))
      return 'api:getRun'
    if (method === 'GET' && /^\/repos\/[^/]+\/[^/]+\/compare\/[^/]+$/.test(rest))
      return 'api:compare'
    if (method === 'GET' && /^\/repos\/[^/]+\/[^/]+$/.test(rest)) return 'api:getRepo'
  }
  return 'unknown'
}

function groupOf(endpoint: Endpoint): EndpointGroup | undefined {
  if (endpoint.startsWith('blob:')) return 'blob'
  if (endpoint.startsWith('api:')) return 'api'
  if ((TWIRP_METHODS as string[]).includes(endpoint)) return 'twirp'
  return undefined
}

function toMatcher(target: FaultTarget): (req: BackendRequest) => boolean {
  if (typeof target === 'function') return target
  if (target instanceof RegExp) return req => target.test(`${req.method} ${req.path}`)
  return req => req.endpoint === target || groupOf(req.endpoint) === target
}

export async function startArtifactBackend(
  opts: StartArtifactBackendOptions = {}
): Promise<ArtifactBackend> {
  const secret = crypto.randomBytes(32)
  const githubToken = opts.githubToken ?? 'ghs_fakeArtifactBackendToken00000000000000'
  const repository = opts.repository ?? 'octo-org/octo-repo'
  const signedUrlTtlMs = opts.signedUrlTtlMs ?? 10 * 60 * 1000
  const pendingConflict = opts.pendingArtifactsConflict ?? true

  const tokens = new Map<string, TokenAccess>([[githubToken, 'write']])
  for (const t of opts.readOnlyTokens ?? []) tokens.set(t, 'none')
  for (const t of opts.noWriteTokens ?? []) tokens.set(t, 'read')
  const noContents = new Set(opts.noContentsTokens ?? [])
  for (const t of noContents) if (!tokens.has(t)) tokens.set(t, 'write')

  const repos = new Map<string, { id: number; fullName: string }>()
  let nextRepoId = 100200300
  const ensureRepo = (fullName: string): { id: number; fullName: string } => {
    const key = fullName.toLowerCase()
    let repo = repos.get(key)
    if (!repo) {
      repo = { id: nextRepoId++, fullName }
      repos.set(key, repo)
    }
    return repo
  }
  const repositoryId = ensureRepo(repository).id

  const runs = new Map<number, RunInfo>()
  const runsByBackendId = new Map<string, RunInfo>()
  /** Per repository (lower-case owner/name): the commits of main, oldest first (tip last). */
  const mainHistory = new Map<string, string[]>()
  let nextRunId = 9100000001
  const createRun = (runId = nextRunId++, repo = repository, origin: RunOrigin = {}): RunInfo => {
    ensureRepo(repo)
    if (runId >= nextRunId) nextRunId = runId + 1
    const { onDefaultBranch, ...given } = origin
    const run: RunInfo = {
      runId,
      runBackendId: crypto.randomUUID(),
      jobBackendId: crypto.randomUUID(),
      repository: repo,
      headSha: crypto.randomBytes(20).toString('hex'),
      headBranch: 'main',
      headRepository: repo,
      event: 'push',
      workflowPath: '.github/workflows/backup.yml',
      ...given
    }
    ensureRepo(run.headRepository)
    const history = mainHistory.get(repo.toLowerCase()) ?? []
    mainHistory.set(repo.toLowerCase(), history)
    const onMain =
      onDefaultBranch ??
      (run.headBranch === 'main' && run.headRepository.toLowerCase() === repo.toLowerCase())
    if (onMain && !history.includes(run.headSha)) history.push(run.headSha)
    runs.set(runId, run)
    runsByBackendId.set(run.runBackendId, run)
    return run
  }
  let current = createRun()

  const records: ArtifactRecord[] = []
  let nextArtifactId = 4000000001
  let stageSeq = 0
  /** Put Block requests, numbered per blob in the order they began (before their bodies came) */
  const stageStarts = new WeakMap<http.IncomingMessage, number>()
  const stageCounters = new Map<string, number>()

  const requests: BackendRequest[] = []
  let rules: FaultRule[] = []
  let closed = false
  const sleeps = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>()
  const sleep = (ms: number): Promise<void> =>
    new Promise(resolve => {
      const entry = {
        timer: setTimeout(() => {
          sleeps.delete(entry)
          resolve()
        }, ms),
        resolve
      }
      sleeps.add(entry)
    })

  // ---------- tokens and signatures ----------
  const hmac = (data: string): Buffer => crypto.createHmac('sha256', secret).update(data).digest()

  const runtimeToken = (runId = current.runId): string => {
    const run = runs.get(runId)
    if (!run) throw new Error(`unknown run ${runId}`)
    const now = Math.floor(Date.now() / 1000)
    const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'HS256' }))
    const payload = b64url(
      JSON.stringify({
        nameid: 'dddddddd-dddd-dddd-dddd-dddddddddddd',
        scp: `Actions.ExampleScope Actions.Results:${run.runBackendId}:${run.jobBackendId}`,
        iss: 'vstoken.actions.githubusercontent.com',
        aud: 'vso:fake-artifact-backend',
        nbf: now - 60,
        iat: now - 60,
        exp: now + 6 * 3600
      })
    )
    return `${header}.${payload}.${b64url(hmac(`${header}.${payload}`))}`
  }

  const verifyRuntimeToken = (authorization: string | undefined): RunInfo => {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')
    if (!m) throw new HttpError(401, 'unauthenticated', 'missing bearer token')
    const parts = m[1].split('.')
    if (parts.length !== 3) throw new HttpError(401, 'unauthenticated', 'malformed token')
    const expected = hmac(`${parts[0]}.${parts[1]}`)
    const given = Buffer.from(parts[2], 'base64url')
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected))
      throw new HttpError(401, 'unauthenticated', 'invalid token signature')
    let claims: { scp?: string; exp?: number }
    try {
      claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'))
    } catch {
      throw new HttpError(401, 'unauthenticated', 'malformed token')
    }
    if (claims.exp !== undefined && claims.exp * 1000 < Date.now())
      throw new HttpError(401, 'unauthenticated', 'token expired')
    for (const scope of (claims.scp ?? '').split(' ')) {
      const s = scope.split(':')
      if (s[0] === 'Actions.Results' && s.length === 3) {
        const run = runsByBackendId.get(s[1])
        if (run) return run
      }
    }
    throw new HttpError(
      401,
      'unauthenticated',
      'token has no Actions.Results scope for a known run'
    )
  }

  const sasSignature = (perm: string, id: number, se: string): string =>
    b64url(hmac(`${perm}\n${id}\n${se}`))

  const blobPath = (rec: ArtifactRecord): string => {
    const fileName = rec.mimeType === 'application/zip' ? `${rec.name}.zip` : rec.name
    return `/${BLOB_ACCOUNT}/${BLOB_CONTAINER}/${rec.runBackendId}/${rec.id}/${encodeURIComponent(fileName)}`
  }

  const signBlobUrl = (rec: ArtifactRecord, perm: 'r' | 'cw', ttlMs: number): string => {
    const se = isoSeconds(new Date(Date.now() + ttlMs))
    const q = new URLSearchParams({
      sv: AZURE_VERSION,
      sr: 'b',
      sp: perm,
      se,
      sig: sasSignature(perm, rec.id, se)
    })
    return `${url}${blobPath(rec)}?${q.toString()}`
  }

  // ---------- artifact helpers ----------
  const bytesOf = (rec: ArtifactRecord): Buffer => committedBytes(rec.blob) ?? Buffer.alloc(0)
  const isExpired = (rec: ArtifactRecord): boolean =>
    rec.expiresAt !== undefined && rec.expiresAt.getTime() <= Date.now()
  const effectiveExpiry = (rec: ArtifactRecord): Date =>
    rec.expiresAt ?? new Date(rec.createdAt.getTime() + DEFAULT_RETENTION_DAYS * DAY_MS)
  const snapshot = (rec: ArtifactRecord): BackendArtifact => {
    const copy: Partial<ArtifactRecord> = { ...rec }
    delete copy.blob
    delete copy.version
    return { ...(copy as Omit<BackendArtifact, 'bytes'>), bytes: bytesOf(rec) }
  }
  const newest = (list: ArtifactRecord[]): ArtifactRecord | undefined =>
    list.reduce<ArtifactRecord | undefined>((a, b) => (!a || b.id > a.id ? b : a), undefined)
  const newRecord = (
    run: RunInfo,
    name: string,
    mimeType: string,
    createdAt: Date,
    expiresAt?: Date
  ): ArtifactRecord => {
    const rec: ArtifactRecord = {
      id: nextArtifactId++,
      name,
      runId: run.runId,
      runBackendId: run.runBackendId,
      jobBackendId: run.jobBackendId,
      repository: run.repository,
      size: 0,
      digest: '',
      createdAt,
      updatedAt: createdAt,
      expiresAt,
      deleted: false,
      finalized: false,
      mimeType,
      blockCount: 0,
      version: 0,
      blob: { staged: new Map(), committedBlocks: new Map() }
    }
    records.push(rec)
    return rec
  }

  // ---------- responses ----------
  const sendJson = (
    res: http.ServerResponse,
    status: number,
    body: unknown,
    headers: http.OutgoingHttpHeaders = {}
  ): void => {
    const data = Buffer.from(JSON.stringify(body))
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': data.length,
      ...headers
    })
    res.end(data)
  }
  const sendTwirpError = (
    res: http.ServerResponse,
    status: number,
    code: string,
    msg: string
  ): void => sendJson(res, status, { code, msg })
  const sendApiError = (res: http.ServerResponse, status: number, message: string): void =>
    sendJson(
      res,
      status,
      { message, documentation_url: DOCS, status: String(status) },
      { 'x-github-request-id': crypto.randomUUID().toUpperCase() }
    )
  const azureHeaders = (req: http.IncomingMessage): http.OutgoingHttpHeaders => ({
    'x-ms-request-id': crypto.randomUUID(),
    'x-ms-version': (req.headers['x-ms-version'] as string | undefined) ?? AZURE_VERSION,
    ...(req.headers['x-ms-client-request-id']
      ? { 'x-ms-client-request-id': req.headers['x-ms-client-request-id'] }
      : {}),
    date: new Date().toUTCString(),
    server: 'Windows-Azure-Blob/1.0 Microsoft-HTTPAPI/2.0'
  })
  const sendBlobError = (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    status: number,
    code: string,
    message: string
  ): void => {
    const headers = azureHeaders(req)
    const body = Buffer.from(
      `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}\n` +
        `RequestId:${headers['x-ms-request-id']}\nTime:${new Date().toISOString()}</Message></Error>`
    )
    res.writeHead(status, {
      ...headers,
      'x-ms-error-code': code,
      'content-type': 'application/xml',
      'content-length': body.length
    })
    res.end(body)
  }
  const sendFault = (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    entry: BackendRequest,
    status: number,
    body?: string | object
  ): void => {
    if (body !== undefined) {
      const data = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body))
      const type =
        typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8'
      res.writeHead(status, { 'content-type': type, 'content-length': data.length })
      res.end(data)
      return
    }
    const group = groupOf(entry.endpoint)
    const text = `fault injected: ${status} ${http.STATUS_CODES[status] ?? ''}`.trim()
    if (group === 'twirp') sendTwirpError(res, status, twirpCodeFor(status), text)
    else if (group === 'blob')
      sendBlobError(
        req,
        res,
        status,
        status === 503 ? 'ServerBusy' : status === 500 ? 'InternalError' : 'FaultInjected',
        text
      )
    else if (group === 'api') sendApiError(res, status, http.STATUS_CODES[status] ?? text)
    else {
      res.writeHead(status, { 'content-type': 'text/plain' })
      res.end(text)
    }
  }

  // ---------- Twirp ----------
  type Json = Record<string, unknown>
  const str = (v: unknown): string => (typeof v === 'string' ? v : '')

  const handleTwirp = (
    method: TwirpMethod,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    raw: Buffer
  ): void => {
    const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase()
    if (contentType !== 'application/json')
      throw new HttpError(400, 'bad_route', `unexpected Content-Type: ${contentType}`)
    const tokenRun = verifyRuntimeToken(req.headers.authorization)
    let body: Json
    try {
      body = JSON.parse(raw.toString('utf8') || '{}') as Json
    } catch {
      throw new HttpError(400, 'malformed', 'the json request could not be decoded')
    }
    const runBackendId = str(body.workflow_run_backend_id)
    const jobBackendId = str(body.workflow_job_run_backend_id)
    if (!runBackendId)
      throw new HttpError(400, 'invalid_argument', 'workflow_run_backend_id is required')
    if (!jobBackendId)
      throw new HttpError(400, 'invalid_argument', 'workflow_job_run_backend_id is required')
    if (runBackendId !== tokenRun.runBackendId)
      throw new HttpError(403, 'permission_denied', 'workflow run is not in the token scope')
    const run = tokenRun
    const inRun = (r: ArtifactRecord): boolean => r.runBackendId === run.runBackendId && !r.deleted
    const visible = (r: ArtifactRecord): boolean => inRun(r) && r.finalized && !isExpired(r)

    switch (method) {
      case 'CreateArtifact': {
        const name = str(body.name)
        if (!name) throw new HttpError(400, 'invalid_argument', 'name is required')
        const version = typeof body.version === 'number' ? body.version : 0
        if (version < 4)
          throw new HttpError(400, 'invalid_argument', `unsupported artifact version ${version}`)
        let expiresAt: Date | undefined
        if (body.expires_at !== undefined) {
          expiresAt = new Date(str(body.expires_at))
          if (Number.isNaN(expiresAt.getTime()))
            throw new HttpError(400, 'invalid_argument', 'expires_at is not a valid timestamp')
        }
        const taken = records.some(
          r => inRun(r) && r.name === name && (r.finalized || pendingConflict)
        )
        if (taken)
          throw new HttpError(
            409,
            'already_exists',
            `an artifact with this name already exists on the workflow run (name: "${name}")`
          )
        const mimeType = str(body.mime_type) || 'application/zip'
        const rec = newRecord(run, name, mimeType, new Date(), expiresAt)
        rec.jobBackendId = jobBackendId
        rec.version = version
        sendJson(res, 200, { ok: true, signed_upload_url: signBlobUrl(rec, 'cw', signedUrlTtlMs) })
        return
      }
      case 'FinalizeArtifact': {
        const name = str(body.name)
        const rec = newest(records.filter(r => inRun(r) && r.name === name && !r.finalized))
        if (!rec) {
          if (records.some(r => inRun(r) && r.name === name))
            throw new HttpError(
              412,
              'failed_precondition',
              `artifact "${name}" is already finalized`
            )
          throw new HttpError(404, 'not_found', `artifact "${name}" not found`)
        }
        const pieces = committedPieces(rec.blob)
        if (!pieces)
          throw new HttpError(
            412,
            'failed_precondition',
            `no committed blob for artifact "${name}"`
          )
        const size = Number(str(body.size) || '0')
        const length = pieces.reduce((sum, piece) => sum + piece.length, 0)
        if (size !== length)
          throw new HttpError(
            400,
            'invalid_argument',
            `size mismatch: finalize says ${size}, ${length} bytes were uploaded`
          )
        const digest = rec.blob.committedDigest ?? sha256(committedBytes(rec.blob)!)
        const hash = str(body.hash)
        if (hash && hash !== `sha256:${digest}`)
          throw new HttpError(
            400,
            'invalid_argument',
            `hash mismatch: finalize says ${hash}, uploaded bytes are sha256:${digest}`
          )
        rec.size = length
        rec.digest = digest
        rec.finalized = true
        rec.updatedAt = new Date()
        sendJson(res, 200, { ok: true, artifact_id: String(rec.id) })
        return
      }
      case 'ListArtifacts': {
        const nameFilter = body.name_filter === undefined ? undefined : str(body.name_filter)
        const idFilter = body.id_filter === undefined ? undefined : String(body.id_filter)
        const list = records.filter(
          r =>
            visible(r) &&
            (nameFilter === undefined || r.name === nameFilter) &&
            (idFilter === undefined || String(r.id) === idFilter)
        )
        sendJson(res, 200, {
          artifacts: list.map(r => ({
            workflow_run_backend_id: r.runBackendId,
            workflow_job_run_backend_id: r.jobBackendId,
            database_id: String(r.id),
            name: r.name,
            size: String(r.size),
            created_at: r.createdAt.toISOString(),
            digest: `sha256:${r.digest}`
          }))
        })
        return
      }
      case 'GetSignedArtifactURL': {
        const name = str(body.name)
        const rec = newest(records.filter(r => visible(r) && r.name === name))
        if (!rec) throw new HttpError(404, 'not_found', `artifact "${name}" not found`)
        sendJson(res, 200, { signed_url: signBlobUrl(rec, 'r', signedUrlTtlMs) })
        return
      }
      case 'DeleteArtifact': {
        const name = str(body.name)
        const rec = newest(records.filter(r => inRun(r) && r.finalized && r.name === name))
        if (!rec) throw new HttpError(404, 'not_found', `artifact "${name}" not found`)
        rec.deleted = true
        rec.updatedAt = new Date()
        sendJson(res, 200, { ok: true, artifact_id: String(rec.id) })
        return
      }
    }
  }

  // ---------- Azure blob ----------
  const handleBlob = (
    endpoint: BlobEndpoint,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    u: URL,
    chunks: Chunks
  ): void => {
    const m = new RegExp(`^/${BLOB_ACCOUNT}/${BLOB_CONTAINER}/[^/]+/(\\d+)/`).exec(u.pathname)
    const rec = m ? records.find(r => r.id === Number(m[1])) : undefined
    const sp = u.searchParams.get('sp') ?? ''
    const se = u.searchParams.get('se') ?? ''
    const sig = u.searchParams.get('sig') ?? ''
    const needed = endpoint === 'blob:get' ? 'r' : 'w'
    const expected = rec ? Buffer.from(sasSignature(sp, rec.id, se)) : Buffer.alloc(0)
    const given = Buffer.from(sig)
    if (
      !rec ||
      !sp.includes(needed) ||
      given.length !== expected.length ||
      !crypto.timingSafeEqual(given, expected)
    ) {
      sendBlobError(
        req,
        res,
        403,
        'AuthenticationFailed',
        'Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.'
      )
      return
    }
    const expiry = Date.parse(se)
    if (Number.isNaN(expiry) || expiry < Date.now()) {
      sendBlobError(
        req,
        res,
        403,
        'AuthenticationFailed',
        `Signed expiry time [${se}] must be after current time`
      )
      return
    }
    const blob = rec.blob

    if (endpoint === 'blob:get') {
      const pieces = committedPieces(blob)
      if (rec.deleted || isExpired(rec) || !pieces) {
        sendBlobError(req, res, 404, 'BlobNotFound', 'The specified blob does not exist.')
        return
      }
      const total = pieces.reduce((sum, piece) => sum + piece.length, 0)
      const headers: http.OutgoingHttpHeaders = {
        ...azureHeaders(req),
        'content-type': blob.contentType ?? rec.mimeType,
        etag: blob.etag,
        'last-modified': blob.lastModified?.toUTCString(),
        'accept-ranges': 'bytes',
        'x-ms-blob-type': 'BlockBlob',
        'x-ms-server-encrypted': 'true'
      }
      if (rec.mimeType !== 'application/zip')
        headers['content-disposition'] =
          `attachment; filename="${rec.name.replace(/[^\x20-\x7e]|"/g, '_')}"; filename*=UTF-8''${encodeURIComponent(rec.name)}`
      const range = /^bytes=(\d+)-(\d*)$/.exec(
        String(req.headers['x-ms-range'] ?? req.headers.range ?? '')
      )
      let status = 200
      let slice = pieces
      let length = total
      if (range) {
        const start = Number(range[1])
        const end = range[2] ? Math.min(Number(range[2]), total - 1) : total - 1
        if (start >= total) {
          sendBlobError(
            req,
            res,
            416,
            'InvalidRange',
            'The range specified is invalid for the current size of the resource.'
          )
          return
        }
        slice = slicePieces(pieces, start, end + 1)
        length = end + 1 - start
        status = 206
        headers['content-range'] = `bytes ${start}-${end}/${total}`
      }
      headers['content-length'] = length
      res.writeHead(status, headers)
      const pace = paced.get(req)
      if (pace && req.method !== 'HEAD') {
        void sendPaced(req, res, Buffer.concat(slice), pace)
        return
      }
      if (req.method !== 'HEAD') for (const piece of slice) res.write(piece)
      res.end()
      return
    }

    if (rec.finalized || rec.deleted) {
      sendBlobError(
        req,
        res,
        403,
        'AuthorizationFailure',
        'This artifact is finalized: the upload URL is no longer valid.'
      )
      return
    }
    if (req.headers['x-ms-structured-body']) {
      sendBlobError(
        req,
        res,
        400,
        'UnsupportedHeader',
        'x-ms-structured-body is not supported by this fake.'
      )
      return
    }
    const done = (extra: http.OutgoingHttpHeaders = {}): void => {
      res.writeHead(201, {
        ...azureHeaders(req),
        'x-ms-request-server-encrypted': 'true',
        'content-length': 0,
        ...extra
      })
      res.end()
    }
    const commit = (data: Buffer | undefined, parts?: Buffer[]): http.OutgoingHttpHeaders => {
      blob.committed = data
      blob.committedParts = parts
      blob.committedDigest = undefined
      blob.contentType =
        (req.headers['x-ms-blob-content-type'] as string | undefined) ?? blob.contentType
      blob.lastModified = new Date()
      blob.etag = `"0x8DC${crypto.randomBytes(6).toString('hex').toUpperCase()}"`
      rec.updatedAt = blob.lastModified
      return { etag: blob.etag, 'last-modified': blob.lastModified.toUTCString() }
    }

    if (endpoint === 'blob:stageBlock') {
      const blockId = u.searchParams.get('blockid') ?? ''
      const decoded = Buffer.from(blockId, 'base64')
      if (
        !blockId ||
        decoded.length === 0 ||
        decoded.length > 64 ||
        decoded.toString('base64') !== blockId
      ) {
        sendBlobError(
          req,
          res,
          400,
          'InvalidQueryParameterValue',
          `Value for one of the query parameters specified in the request URI is invalid: blockid=${blockId}`
        )
        return
      }
      for (const other of blob.staged.keys()) {
        if (Buffer.from(other, 'base64').length !== decoded.length) {
          sendBlobError(
            req,
            res,
            400,
            'InvalidBlobOrBlock',
            'The specified blob or block content is invalid (block ids of different lengths).'
          )
          return
        }
      }
      const seq = stageSeq++
      runBlock(blob, stageStarts.get(req), blockId, chunks)
      blob.staged.set(blockId, { data: chunks, seq })
      // no Content-MD5 of the block (Azure's is computed on its own machines; here it cost the
      // benchmark's 2 cores ~0.3 CPU s per 100 MB, which no runner pays)
      done()
      return
    }

    if (endpoint === 'blob:commitBlockList') {
      const body = Buffer.concat(chunks)
      const xml = body.toString('utf8')
      if (!/<BlockList>/.test(xml)) {
        sendBlobError(
          req,
          res,
          400,
          'InvalidXmlDocument',
          'XML specified is not syntactically valid.'
        )
        return
      }
      const parts: Buffer[] = []
      let blocks = 0
      const used = new Map<string, Chunks>()
      const seqs: number[] = []
      /** the ids of the staged blocks committed, in order; undefined once one is not staged */
      let stagedIds: string[] | undefined = []
      for (const mm of xml.matchAll(/<(Latest|Committed|Uncommitted)>\s*([^<]*?)\s*<\/\1>/g)) {
        const [, kind, id] = mm
        const staged = kind !== 'Committed' ? blob.staged.get(id) : undefined
        const data =
          staged?.data ?? (kind !== 'Uncommitted' ? blob.committedBlocks.get(id) : undefined)
        if (!data) {
          sendBlobError(
            req,
            res,
            400,
            'InvalidBlockList',
            `The specified block list is invalid (missing block ${id}).`
          )
          return
        }
        if (staged) seqs.push(staged.seq)
        if (staged) stagedIds?.push(id)
        else stagedIds = undefined
        parts.push(...data)
        blocks++
        used.set(id, data)
      }
      const digest = stagedIds && runningDigest(blob, stagedIds)
      const headers = commit(undefined, parts)
      blob.committedDigest = digest
      const order = seqs
        .map((seq, index) => ({ seq, index }))
        .sort((a, b) => a.seq - b.seq)
        .map(x => x.index)
      rec.blockCount = blocks
      rec.blockArrivalOrder = order
      rec.blocksReceivedOutOfOrder = order.some((v, i) => v !== i)
      blob.committedBlocks = used
      blob.staged.clear()
      done({ ...headers, 'content-md5': crypto.createHash('md5').update(body).digest('base64') })
      return
    }

    // single-shot Put Blob
    if (req.headers['x-ms-blob-type'] !== 'BlockBlob') {
      sendBlobError(
        req,
        res,
        400,
        'MissingRequiredHeader',
        'An HTTP header that is mandatory for this request is not specified: x-ms-blob-type.'
      )
      return
    }
    const body = Buffer.concat(chunks)
    const headers = commit(body)
    blob.running = undefined
    rec.blockCount = 1
    rec.blockArrivalOrder = undefined
    rec.blocksReceivedOutOfOrder = false
    blob.committedBlocks = new Map()
    blob.staged.clear()
    done({ ...headers, 'content-md5': crypto.createHash('md5').update(body).digest('base64') })
  }

  // ---------- REST ----------
  const restArtifact = (rec: ArtifactRecord): Json => {
    const repo = ensureRepo(rec.repository)
    const run = runs.get(rec.runId)
    const self = `${apiUrl}/repos/${repo.fullName}/actions/artifacts/${rec.id}`
    return {
      id: rec.id,
      node_id: b64url(`MDg6QXJ0aWZhY3Q${rec.id}`),
      name: rec.name,
      size_in_bytes: rec.size,
      url: self,
      archive_download_url: `${self}/zip`,
      expired: isExpired(rec),
      digest: `sha256:${rec.digest}`,
      created_at: isoSeconds(rec.createdAt),
      updated_at: isoSeconds(rec.updatedAt),
      expires_at: isoSeconds(effectiveExpiry(rec)),
      workflow_run: {
        id: rec.runId,
        repository_id: repo.id,
        head_repository_id: ensureRepo(run?.headRepository ?? repo.fullName).id,
        head_branch: run?.headBranch ?? 'main',
        head_sha: run?.headSha ?? ''
      }
    }
  }

  const handleApi = (
    endpoint: ApiEndpoint,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    u: URL
  ): void => {
    const auth = /^(?:bearer|token)\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''))
    const access = auth ? tokens.get(auth[1]) : undefined
    if (!access) return sendApiError(res, 401, 'Bad credentials')
    const segs = u.pathname.slice(API_PREFIX.length).split('/').map(decodeURIComponent)
    // ['', 'repos', owner, repo, 'actions', ...]
    const repo = repos.get(`${segs[2]}/${segs[3]}`.toLowerCase())
    if (!repo) return sendApiError(res, 404, 'Not Found')
    if (access === 'none') return sendApiError(res, 403, 'Resource not accessible by integration')
    const inRepo = (r: ArtifactRecord): boolean =>
      r.repository.toLowerCase() === repo.fullName.toLowerCase() && r.finalized && !r.deleted
    const reqId = { 'x-github-request-id': crypto.randomUUID().toUpperCase() }

    if (endpoint === 'api:getRepo') {
      return sendJson(
        res,
        200,
        { id: repo.id, full_name: repo.fullName, default_branch: 'main', fork: false },
        reqId
      )
    }
    if (endpoint === 'api:compare') {
      // GET /repos/{o}/{r}/compare/{base}...{head}: only main...{sha of a run} here
      if (noContents.has(auth![1]))
        return sendApiError(res, 403, 'Resource not accessible by integration')
      const [base, head] = segs.slice(5).join('/').split('...')
      const history = mainHistory.get(repo.fullName.toLowerCase()) ?? []
      const known = [...runs.values()].some(
        r => r.repository.toLowerCase() === repo.fullName.toLowerCase() && r.headSha === head
      )
      if (base !== 'main' || head === undefined || !known)
        return sendApiError(res, 404, 'Not Found')
      const at = history.indexOf(head)
      const tip = history.length - 1
      const status = at < 0 ? 'diverged' : at === tip ? 'identical' : 'behind'
      return sendJson(
        res,
        200,
        {
          status,
          ahead_by: at < 0 ? 1 : 0,
          behind_by: at < 0 ? history.length : tip - at,
          total_commits: at < 0 ? 1 : 0,
          base_commit: { sha: history[tip] ?? '' },
          commits: []
        },
        reqId
      )
    }
    if (endpoint === 'api:getRun') {
      const run = runs.get(Number(segs[6]))
      if (!run || run.repository.toLowerCase() !== repo.fullName.toLowerCase())
        return sendApiError(res, 404, 'Not Found')
      const head = ensureRepo(run.headRepository)
      return sendJson(
        res,
        200,
        {
          id: run.runId,
          name: (run.workflowPath.split('/').pop() ?? '').replace(/\.ya?ml$/, ''),
          path: run.workflowPath,
          event: run.event,
          head_branch: run.headBranch,
          head_sha: run.headSha,
          run_attempt: 1,
          repository: { id: repo.id, full_name: repo.fullName },
          head_repository: { id: head.id, full_name: head.fullName }
        },
        reqId
      )
    }

    if (endpoint === 'api:listArtifacts' || endpoint === 'api:listRunArtifacts') {
      let runId: number | undefined
      if (endpoint === 'api:listRunArtifacts') {
        runId = Number(segs[6])
        const run = runs.get(runId)
        if (!run || run.repository.toLowerCase() !== repo.fullName.toLowerCase())
          return sendApiError(res, 404, 'Not Found')
      }
      const name = u.searchParams.get('name')
      const perPage = Math.min(Math.max(Number(u.searchParams.get('per_page') ?? 30) || 30, 1), 100)
      const page = Math.max(Number(u.searchParams.get('page') ?? 1) || 1, 1)
      const list = records
        .filter(
          r => inRepo(r) && (runId === undefined || r.runId === runId) && (!name || r.name === name)
        )
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id - a.id)
      return sendJson(
        res,
        200,
        {
          total_count: list.length,
          artifacts: list.slice((page - 1) * perPage, page * perPage).map(restArtifact)
        },
        reqId
      )
    }

    const id = Number(segs[6])
    const rec = records.find(r => r.id === id && inRepo(r))
    if (!rec) return sendApiError(res, 404, 'Not Found')
    if (endpoint === 'api:getArtifact') return sendJson(res, 200, restArtifact(rec), reqId)
    if (endpoint === 'api:deleteArtifact') {
      if (access !== 'write')
        return sendApiError(res, 403, 'Resource not accessible by integration')
      rec.deleted = true
      rec.updatedAt = new Date()
      res.writeHead(204, reqId)
      res.end()
      return
    }
    // api:downloadArtifact
    if (segs[7] !== 'zip') return sendApiError(res, 404, 'Not Found')
    if (isExpired(rec)) return sendApiError(res, 410, 'Artifact has expired')
    res.writeHead(302, {
      ...reqId,
      location: signBlobUrl(rec, 'r', Math.min(signedUrlTtlMs, 60_000))
    })
    res.end()
  }

  // ---------- server ----------
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1')
    const method = req.method ?? 'GET'
    let endpoint = classify(method, u.pathname)
    if (endpoint === 'blob:put') {
      const comp = u.searchParams.get('comp')
      if (comp === 'block') endpoint = 'blob:stageBlock'
      else if (comp === 'blocklist') endpoint = 'blob:commitBlockList'
      else if (comp) endpoint = 'unknown'
    }
    const entry: BackendRequest = { method, path: u.pathname, endpoint }
    requests.push(entry)
    if (endpoint === 'blob:stageBlock') {
      const started = stageCounters.get(u.pathname) ?? 0
      stageCounters.set(u.pathname, started + 1)
      stageStarts.set(req, started)
    }
    res.on('finish', () => {
      entry.status = res.statusCode
    })
    void (async () => {
      let body: Chunks
      try {
        body = await readBody(req)
      } catch {
        entry.status = 0
        return
      }
      let delay = 0
      let fail: FaultRule | undefined
      for (const rule of rules) {
        if (rule.remaining <= 0 || !rule.match(entry)) continue
        if (rule.kind === 'delay') {
          rule.remaining--
          delay += rule.ms ?? 0
        } else if (rule.kind === 'pace') {
          if (paced.has(req)) continue
          rule.remaining--
          paced.set(req, rule)
        } else if (!fail) {
          rule.remaining--
          fail = rule
        }
      }
      rules = rules.filter(r => r.remaining > 0)
      if (delay > 0) {
        entry.fault = 'delay'
        await sleep(delay)
      }
      if (closed) return
      if (fail) {
        entry.fault = fail.status === 'reset' ? 'reset' : 'fail'
        if (fail.status === 'reset') {
          entry.status = 0
          req.socket.destroy()
        } else sendFault(req, res, entry, fail.status ?? 503, fail.body)
        return
      }
      try {
        if (groupOf(endpoint) === 'twirp')
          handleTwirp(endpoint as TwirpMethod, req, res, Buffer.concat(body))
        else if (groupOf(endpoint) === 'blob')
          handleBlob(endpoint as BlobEndpoint, req, res, u, body)
        else if (groupOf(endpoint) === 'api') handleApi(endpoint as ApiEndpoint, req, res, u)
        else if (u.pathname.startsWith('/twirp/'))
          sendTwirpError(res, 404, 'bad_route', `no handler for ${method} ${u.pathname}`)
        else if (u.pathname.startsWith(`${API_PREFIX}/`)) sendApiError(res, 404, 'Not Found')
        else {
          res.writeHead(404, { 'content-type': 'text/plain' })
          res.end(`no route for ${method} ${u.pathname}`)
        }
      } catch (error) {
        if (res.headersSent) return
        const e =
          error instanceof HttpError
            ? error
            : new HttpError(500, 'internal', error instanceof Error ? error.message : String(error))
        if (groupOf(endpoint) === 'api') sendApiError(res, e.status, e.message)
        else if (groupOf(endpoint) === 'blob')
          sendBlobError(req, res, e.status, 'InternalError', e.message)
        else sendTwirpError(res, e.status, e.code, e.message)
      }
    })()
  })
  server.keepAliveTimeout = 1000

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  const url = `http://127.0.0.1:${port}`
  const apiUrl = `${url}${API_PREFIX}`

  const faults: FaultInjector = {
    failNext(target, times = 1, status = 503, body) {
      rules.push({ match: toMatcher(target), remaining: times, kind: 'fail', status, body })
    },
    paceNextDownload(times, bytesPerSecond, cutAfter) {
      rules.push({
        match: req => req.endpoint === 'blob:get' && req.method === 'GET',
        remaining: times,
        kind: 'pace',
        bytesPerSecond,
        cutAfter
      })
    },
    delayNext(target, times, ms) {
      rules.push({ match: toMatcher(target), remaining: times, kind: 'delay', ms })
    },
    quotaExceeded(times = 1) {
      rules.push({
        match: toMatcher('CreateArtifact'),
        remaining: times,
        kind: 'fail',
        status: 429,
        body: {
          code: 'resource_exhausted',
          msg: 'insufficient usage to create artifact: artifact storage quota has been hit'
        }
      })
    },
    reset() {
      rules = []
    },
    pending() {
      return rules.reduce((n, r) => n + r.remaining, 0)
    }
  }

  const backend: ArtifactBackend = {
    url,
    resultsUrl: `${url}/`,
    apiUrl,
    githubToken,
    repository,
    repositoryId,
    get currentRunId() {
      return current.runId
    },
    currentRun: () => ({ ...current }),
    runs: () => [...runs.values()].map(r => ({ ...r })),
    env(overrides = {}) {
      return {
        ACTIONS_RESULTS_URL: `${url}/`,
        ACTIONS_RUNTIME_TOKEN: runtimeToken(current.runId),
        GITHUB_API_URL: apiUrl,
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_REPOSITORY: current.repository,
        GITHUB_REPOSITORY_OWNER: current.repository.split('/')[0],
        GITHUB_RUN_ID: String(current.runId),
        GITHUB_RUN_ATTEMPT: '1',
        GITHUB_SHA: current.headSha,
        ...overrides
      }
    },
    runtimeToken,
    newRun(origin) {
      current = createRun(undefined, repository, origin)
      return current.runId
    },
    repositoryIdOf: fullName => ensureRepo(fullName).id,
    artifacts: () => records.map(snapshot),
    findArtifact(name, runId) {
      const rec = newest(
        records.filter(
          r =>
            r.name === name &&
            r.finalized &&
            !r.deleted &&
            (runId === undefined || r.runId === runId)
        )
      )
      return rec && snapshot(rec)
    },
    patchArtifact(id, patch) {
      const rec = records.find(r => r.id === id)
      if (!rec) throw new Error(`unknown artifact ${id}`)
      if ('expiresAt' in patch) rec.expiresAt = patch.expiresAt
      if (patch.createdAt) rec.createdAt = patch.createdAt
      if (patch.deleted !== undefined) rec.deleted = patch.deleted
      rec.updatedAt = new Date()
      return snapshot(rec)
    },
    async seedArtifact(o) {
      const createdAt = o.createdAt ?? new Date()
      const bytes = o.bytes ?? (await buildZip(o.files ?? {}, createdAt))
      const run =
        o.runId === undefined
          ? createRun(undefined, o.repository ?? repository, o.run)
          : (runs.get(o.runId) ?? createRun(o.runId, o.repository ?? repository, o.run))
      const rec = newRecord(run, o.name, o.mimeType ?? 'application/zip', createdAt, o.expiresAt)
      rec.version = 4
      rec.blob.committed = bytes
      rec.blob.lastModified = createdAt
      rec.blob.etag = `"0x8DC${crypto.randomBytes(6).toString('hex').toUpperCase()}"`
      rec.blockCount = 1
      rec.size = bytes.length
      rec.digest = sha256(bytes)
      rec.finalized = true
      return snapshot(rec)
    },
    signedDownloadUrl(artifactId, ttlMs = signedUrlTtlMs) {
      const rec = records.find(r => r.id === artifactId)
      if (!rec) throw new Error(`unknown artifact ${artifactId}`)
      return signBlobUrl(rec, 'r', ttlMs)
    },
    setTokenAccess(token, access) {
      tokens.set(token, access)
    },
    faults,
    requests,
    async close() {
      if (closed) return
      closed = true
      for (const s of sleeps) {
        clearTimeout(s.timer)
        s.resolve()
      }
      sleeps.clear()
      await new Promise<void>(resolve => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
    }
  }
  return backend
}
