/**
 * Long-term copies in S3-compatible object storage (AWS S3, MinIO, Ceph, R2, B2, …) with the AWS
 * SDK v3. Credentials come only from the SDK's default provider chain (AWS_ACCESS_KEY_ID/…, or
 * OIDC web identity set up by aws-actions/configure-aws-credentials), never from inputs.
 *
 * Uploads stream as multipart (lib-storage) with SHA-256 checksums on every part; memory stays
 * near partSize × (queueSize + 1). Fails closed: on any failure (the source stream fails, the
 * caller aborts, the service refuses) the multipart upload is aborted once the parts in flight
 * have settled, so no parts are left behind and nothing appears under the key. Tags are sent with
 * the object (x-amz-tagging), so an object never exists untagged.
 */
import {
  DeleteObjectCommand,
  AbortMultipartUploadCommand,
  type ChecksumAlgorithm,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  paginateListObjectsV2
} from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import { createWriteStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import { PassThrough, Readable, Transform, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { Sink } from '../pipeline/backup-stream.js'
import { DigestStage } from '../pipeline/digest.js'
import { EngineError, ValueError } from '../errors.js'
import { MANIFEST_SUFFIX, type S3Location, type S3ObjectRef, formatS3Uri } from '../s3-uri.js'

export const DEFAULT_PART_SIZE_BYTES = 16 * 1024 * 1024
export const DEFAULT_QUEUE_SIZE = 2
/** S3's limits: parts of 5 MiB to 5 GiB, at most 10 tags on an object. */
const MIN_PART_SIZE_BYTES = 5 * 1024 * 1024
const MAX_PART_SIZE_BYTES = 5 * 1024 * 1024 * 1024
const MAX_TAGS = 10
/** Manifests read at once while looking for the newest backup. */
const MANIFEST_READ_CONCURRENCY = 8

const REQUIRED_PERMISSIONS =
  's3:PutObject, s3:PutObjectTagging and s3:AbortMultipartUpload on the objects (arn:aws:s3:::BUCKET/PREFIX*), s3:ListBucket on the bucket (arn:aws:s3:::BUCKET), and s3:GetObject to restore'

/** An endpoint URL that cannot be used; the caller maps it to its input. */
export class S3EndpointError extends ValueError {
  override name = 'S3EndpointError'
}

/** A failed request, explained: what failed, why, and what to do. `code` is the service's. */
export class S3StorageError extends EngineError {
  constructor(
    message: string,
    readonly code?: string
  ) {
    super(message)
    this.name = 'S3StorageError'
  }
}

export interface S3ClientOptions {
  /** A service other than AWS S3: its base URL, e.g. https://minio.example.com:9000. */
  endpoint?: string
  /** Bucket in the path rather than the host name; defaults to true when `endpoint` is set. */
  forcePathStyle?: boolean
  /** Defaults to AWS_REGION, then AWS_DEFAULT_REGION, then us-east-1. */
  region?: string
  /** Attempts per request, retries included (SDK default 3). */
  maxAttempts?: number
}

/**
 * An S3 client on the default credential chain. Checksums are computed and validated only where
 * an operation requires them or a request asks for them (WHEN_REQUIRED): the SDK's newer default
 * adds CRC32 checksums and aws-chunked bodies to every upload, which many S3-compatible services
 * reject or store verbatim.
 */
export function createS3Client(options: S3ClientOptions = {}): S3Client {
  const endpoint = options.endpoint?.trim() || undefined
  if (endpoint) checkEndpoint(endpoint)
  const region =
    options.region?.trim() ||
    process.env.AWS_REGION?.trim() ||
    process.env.AWS_DEFAULT_REGION?.trim() ||
    'us-east-1'
  return new S3Client({
    region,
    endpoint,
    forcePathStyle: options.forcePathStyle ?? endpoint !== undefined,
    maxAttempts: options.maxAttempts,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED'
  })
}

function checkEndpoint(endpoint: string): void {
  let url: URL
  try {
    url = new URL(endpoint)
  } catch {
    throw new S3EndpointError(
      `'${endpoint}' is not a URL: give the service's base URL with its scheme, e.g. https://minio.example.com:9000`
    )
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new S3EndpointError(
      `'${endpoint}' must be an http:// or https:// URL (the bucket goes in the S3 URI, not the endpoint).`
    )
  }
  if (url.username || url.password) {
    throw new S3EndpointError(
      'the endpoint must not contain credentials: they come from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or aws-actions/configure-aws-credentials.'
    )
  }
  if (url.search || url.hash) {
    throw new S3EndpointError(`'${endpoint}' must not have a query or fragment.`)
  }
}

/**
 * A sink of the backup's stream (pipeline/backup-stream.ts): a multipart upload to
 * s3://bucket/key of what it is given; the object exists once the stream ended whole.
 */
export function uploadSink(client: S3Client, options: Omit<UploadStreamOptions, 'body'>): Sink {
  const body = new PassThrough()
  const stored = uploadStream(client, { ...options, body }).then(object => object.sizeBytes)
  stored.catch(() => undefined) // awaited by the stream
  return {
    writable: body,
    stored,
    mismatch: (held, sent) => `object storage received ${held} bytes but ${sent} were sent.`
  }
}

/** Options for writes, for services that lack a feature AWS S3 has. */
export interface S3WriteOptions {
  /** SHA-256 checksum on every part, checked by the service (default true). */
  checksums?: boolean
  /** Tags as user metadata instead of object tagging, for services without tagging. */
  tagsAsMetadata?: boolean
}

export interface UploadStreamOptions extends S3WriteOptions {
  bucket: string
  key: string
  body: Readable
  contentType?: string
  /** Object tags, e.g. { retention: 'weekly' } for lifecycle rules. */
  tags?: Record<string, string>
  metadata?: Record<string, string>
  partSizeBytes?: number
  /** Parts uploaded at once. */
  queueSize?: number
  abortSignal?: AbortSignal
}

export interface UploadedObject {
  key: string
  sizeBytes: number
  etag: string
  versionId?: string
}

/**
 * Streams `body` to s3://bucket/key. Resolves once the object exists whole; on failure rejects
 * with an S3StorageError after the multipart upload was aborted (or says it could not be), and
 * destroys `body` so that the stages feeding it stop.
 */
export async function uploadStream(
  client: S3Client,
  options: UploadStreamOptions
): Promise<UploadedObject> {
  const { bucket, key } = options
  const partSize = options.partSizeBytes ?? DEFAULT_PART_SIZE_BYTES
  const queueSize = options.queueSize ?? DEFAULT_QUEUE_SIZE
  let params: ReturnType<typeof writeParams>
  try {
    if (!Number.isInteger(partSize) || partSize < MIN_PART_SIZE_BYTES) {
      throw new RangeError(`partSizeBytes must be at least 5 MiB, not ${partSize}`)
    }
    if (partSize > MAX_PART_SIZE_BYTES) {
      throw new RangeError(`partSizeBytes must be at most 5 GiB, not ${partSize}`)
    }
    if (!Number.isInteger(queueSize) || queueSize < 1) {
      throw new RangeError(`queueSize must be a positive integer, not ${queueSize}`)
    }
    params = writeParams(options, options.tags, options.metadata)
  } catch (error) {
    options.body.destroy() // the stages feeding it stop (premature close); the error is ours
    throw error
  }
  const target = formatS3Uri(bucket, key)
  const counter = new ByteCounter()
  // a failing source destroys the counter, which fails the part being read
  let sourceError: unknown
  options.body.once('error', error => (sourceError ??= error))
  pipeline(options.body, counter).catch(() => undefined)

  // Once stopped, no further request goes out but the abort of the multipart upload: this also
  // stops a late abort from completing an upload whose source had already ended.
  let stopped: Error | undefined
  const stop = (error: Error): void => {
    stopped ??= error
    counter.destroy(stopped)
  }
  const signal = options.abortSignal
  const onAbort = (): void => stop(abortError(target, signal?.reason))
  if (signal?.aborted) onAbort()
  signal?.addEventListener('abort', onAbort, { once: true })

  const upload = new Upload({
    client: guardedClient(client, () => stopped),
    params: {
      Bucket: bucket,
      Key: key,
      Body: counter,
      ContentType: options.contentType ?? 'application/octet-stream',
      ...params
    },
    partSize,
    queueSize,
    leavePartsOnError: false
  })
  try {
    // an abort after CompleteMultipartUpload went out comes too late: the object is whole
    const output = await upload.done()
    return {
      key,
      sizeBytes: counter.bytes,
      etag: output.ETag ?? '',
      versionId: output.VersionId
    }
  } catch (error) {
    const failure = stopped ?? (error as Error)
    stop(failure)
    const leftover = await abortLeftover(client, bucket, key, upload.uploadId)
    // the source's own error (e.g. pg_dump's) as it is: the caller knows how to explain it
    if (failure === sourceError && !leftover) throw failure
    throw explainS3Error(`upload ${target}`, failure, { bucket, key }, leftover)
  } finally {
    signal?.removeEventListener('abort', onAbort)
  }
}

/** Tagging or metadata, and the checksum algorithm, for PutObject and CreateMultipartUpload. */
function writeParams(
  options: S3WriteOptions,
  tags: Record<string, string> = {},
  metadata: Record<string, string> = {}
): { ChecksumAlgorithm?: ChecksumAlgorithm; Tagging?: string; Metadata?: Record<string, string> } {
  const entries = Object.entries(tags)
  if (entries.length > MAX_TAGS) {
    throw new RangeError(`at most ${MAX_TAGS} tags can be set on an object, not ${entries.length}`)
  }
  for (const [name, value] of entries) {
    if (name.length < 1 || name.length > 128 || value.length > 256) {
      throw new RangeError(
        `tag '${name}' is invalid: keys have 1–128 characters, values at most 256`
      )
    }
  }
  const asMetadata = options.tagsAsMetadata ?? false
  const allMetadata = asMetadata ? { ...metadata, ...tags } : metadata
  return {
    ChecksumAlgorithm: (options.checksums ?? true) ? 'SHA256' : undefined,
    Tagging:
      !asMetadata && entries.length
        ? entries.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')
        : undefined,
    Metadata: Object.keys(allMetadata).length ? allMetadata : undefined
  }
}

/** The client for one upload: refuses every request but AbortMultipartUpload once stopped. */
function guardedClient(client: S3Client, stopped: () => Error | undefined): S3Client {
  const send = client.send.bind(client) as (command: unknown, ...rest: unknown[]) => unknown
  // everything else (config, middleware) is the real client's, through the prototype
  const guarded = Object.create(client) as S3Client
  Object.defineProperty(guarded, 'send', {
    value: (command: unknown, ...rest: unknown[]): unknown => {
      const error = stopped()
      if (error && !(command instanceof AbortMultipartUploadCommand)) return Promise.reject(error)
      return send(command, ...rest)
    }
  })
  return guarded
}

/**
 * lib-storage aborts the multipart upload itself; this makes sure of it (its own abort may have
 * failed) and says so when the parts could not be removed.
 */
async function abortLeftover(
  client: S3Client,
  bucket: string,
  key: string,
  uploadId: string | undefined
): Promise<string | undefined> {
  if (!uploadId) return undefined
  try {
    await client.send(
      new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId })
    )
  } catch (error) {
    const name = (error as Error)?.name
    if (name === 'NoSuchUpload' || statusOf(error) === 404) return undefined // aborted already
    return `The incomplete multipart upload ${uploadId} could not be aborted (${(error as Error)?.message ?? error}); its parts are billed until they are removed: add a lifecycle rule with AbortIncompleteMultipartUpload to the bucket.`
  }
  return undefined
}

function abortError(target: string, reason: unknown): S3StorageError {
  const why = reason instanceof Error ? `: ${reason.message}` : reason ? `: ${String(reason)}` : ''
  return new S3StorageError(`the upload to ${target} was aborted${why}`, 'AbortError')
}

/** Counts the bytes passing through. */
class ByteCounter extends Transform {
  bytes = 0

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length
    callback(null, chunk)
  }
}

export interface PutSmallObjectOptions extends S3WriteOptions {
  bucket: string
  key: string
  body: Buffer | string
  contentType: string
  tags?: Record<string, string>
  metadata?: Record<string, string>
}

/** One PutObject, for the manifest and other small objects. */
export async function putSmallObject(
  client: S3Client,
  options: PutSmallObjectOptions
): Promise<UploadedObject> {
  const body = typeof options.body === 'string' ? Buffer.from(options.body) : options.body
  try {
    const output = await client.send(
      new PutObjectCommand({
        Bucket: options.bucket,
        Key: options.key,
        Body: body,
        ContentType: options.contentType,
        ...writeParams(options, options.tags, options.metadata)
      })
    )
    return {
      key: options.key,
      sizeBytes: body.length,
      etag: output.ETag ?? '',
      versionId: output.VersionId
    }
  } catch (error) {
    throw explainS3Error(`upload ${formatS3Uri(options.bucket, options.key)}`, error, options)
  }
}

/** Deletes an object (a dump whose backup failed after it was uploaded); never throws. */
export async function deleteObjectQuietly(client: S3Client, ref: S3ObjectRef): Promise<boolean> {
  try {
    await client.send(new DeleteObjectCommand({ Bucket: ref.bucket, Key: ref.key }))
    return true
  } catch {
    return false
  }
}

/** The object's body as UTF-8 text (for manifests). */
export async function getObjectText(client: S3Client, ref: S3ObjectRef): Promise<string> {
  try {
    const output = await client.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }))
    if (!output.Body) throw new Error('the response has no body')
    return await output.Body.transformToString('utf8')
  } catch (error) {
    throw explainS3Error(`read ${formatS3Uri(ref.bucket, ref.key)}`, error, ref)
  }
}

/**
 * The stored object's size in bytes (a HEAD request), or undefined when there is no such object.
 * Access and network errors are thrown (explained).
 */
export async function objectSize(client: S3Client, ref: S3ObjectRef): Promise<number | undefined> {
  try {
    const output = await client.send(new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key }))
    return output.ContentLength ?? 0
  } catch (error) {
    const name = (error as Error)?.name
    if (name === 'NotFound' || name === 'NoSuchKey') return undefined
    if (statusOf(error) === 404 && name !== 'NoSuchBucket') return undefined
    throw explainS3Error(`look at ${formatS3Uri(ref.bucket, ref.key)}`, error, ref)
  }
}

export interface DownloadedObject {
  sizeBytes: number
  /** sha256 of the bytes written, hex. */
  sha256: string
  etag: string
}

/**
 * Streams the object to `destinationPath` (mode 0600) and hashes it on the way. A partial file is
 * removed when the download fails or comes up short of the announced length.
 */
export async function downloadObject(
  client: S3Client,
  ref: S3ObjectRef,
  destinationPath: string,
  options: {
    abortSignal?: AbortSignal
    /**
     * The size its manifest records: an object of another size fails before its body is read
     * (an S3StorageError with code 'SizeMismatch').
     */
    expectedSize?: { bytes: number; what: string; advice: string }
  } = {}
): Promise<DownloadedObject> {
  const target = formatS3Uri(ref.bucket, ref.key)
  const digest = new DigestStage()
  try {
    const output = await client.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }), {
      abortSignal: options.abortSignal
    })
    const expected = options.expectedSize
    if (expected && output.ContentLength !== undefined && output.ContentLength !== expected.bytes) {
      if (output.Body instanceof Readable) output.Body.destroy()
      throw new S3StorageError(
        `${target} is ${output.ContentLength} bytes, but ${expected.what} records ${expected.bytes}: the object is ${output.ContentLength < expected.bytes ? (output.ContentLength === 0 ? 'empty' : 'truncated') : 'not the one described'}. ${expected.advice}`,
        'SizeMismatch'
      )
    }
    if (!(output.Body instanceof Readable)) throw new Error('the response has no body stream')
    await pipeline(output.Body, digest, createWriteStream(destinationPath, { mode: 0o600 }), {
      signal: options.abortSignal
    })
    if (output.ContentLength !== undefined && output.ContentLength !== digest.bytes) {
      throw new S3StorageError(
        `the download of ${target} ended after ${digest.bytes} of ${output.ContentLength} bytes.`
      )
    }
    return { sizeBytes: digest.bytes, sha256: digest.digest(), etag: output.ETag ?? '' }
  } catch (error) {
    await rm(destinationPath, { force: true })
    throw explainS3Error(`download ${target}`, error, ref)
  }
}

export interface FoundBackup {
  dumpKey: string
  manifestKey: string
  /** The parsed manifest.json; the caller checks it. */
  manifest: unknown
  createdAt: Date
}

/**
 * The newest backup under the prefix, by the manifests' `createdAt` (not by key or upload time).
 * A backup counts once its manifest exists, so write the manifest after the dump.
 */
export async function findNewestBackup(
  client: S3Client,
  location: S3Location & { pageSize?: number }
): Promise<FoundBackup> {
  const { bucket, prefix } = location
  const where = formatS3Uri(bucket, prefix)
  const manifestKeys: string[] = []
  try {
    const pages = paginateListObjectsV2(
      { client, pageSize: location.pageSize },
      { Bucket: bucket, Prefix: prefix }
    )
    for await (const page of pages) {
      for (const item of page.Contents ?? []) {
        if (item.Key?.endsWith(MANIFEST_SUFFIX) && item.Key.length > MANIFEST_SUFFIX.length) {
          manifestKeys.push(item.Key)
        }
      }
    }
  } catch (error) {
    throw explainS3Error(`list ${where}`, error, { bucket })
  }
  if (manifestKeys.length === 0) {
    throw new S3StorageError(
      `no backup found under ${where}: there is no *${MANIFEST_SUFFIX} object there. Check the bucket and prefix the backups were written to.`,
      'NoBackup'
    )
  }

  let newest: FoundBackup | undefined
  const unreadable: string[] = []
  for (let start = 0; start < manifestKeys.length; start += MANIFEST_READ_CONCURRENCY) {
    const batch = manifestKeys.slice(start, start + MANIFEST_READ_CONCURRENCY)
    const read = await Promise.all(batch.map(key => readManifestAt(client, bucket, key)))
    for (const [index, entry] of read.entries()) {
      if (typeof entry === 'string') {
        unreadable.push(`${batch[index]}: ${entry}`)
        continue
      }
      if (
        !newest ||
        entry.createdAt.getTime() > newest.createdAt.getTime() ||
        (entry.createdAt.getTime() === newest.createdAt.getTime() &&
          entry.manifestKey > newest.manifestKey)
      ) {
        newest = entry
      }
    }
  }
  if (!newest) {
    throw new S3StorageError(
      `no usable backup under ${where}: ${unreadable.length} manifest(s), none readable (${unreadable.slice(0, 3).join('; ')}).`,
      'NoBackup'
    )
  }
  return newest
}

/** The manifest at `key`, or why it cannot be used. Access errors are thrown. */
async function readManifestAt(
  client: S3Client,
  bucket: string,
  key: string
): Promise<FoundBackup | string> {
  let text: string
  try {
    text = await getObjectText(client, { bucket, key })
  } catch (error) {
    if ((error as S3StorageError).code === 'NoSuchKey') return 'deleted while listing'
    throw error
  }
  let manifest: unknown
  try {
    manifest = JSON.parse(text)
  } catch {
    return 'not valid JSON'
  }
  const createdAt = (manifest as { createdAt?: unknown } | null)?.createdAt
  const time = typeof createdAt === 'string' ? Date.parse(createdAt) : NaN
  if (Number.isNaN(time)) return 'no valid createdAt'
  return {
    dumpKey: key.slice(0, -MANIFEST_SUFFIX.length),
    manifestKey: key,
    manifest,
    createdAt: new Date(time)
  }
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN'
])

function networkCode(error: unknown): string | undefined {
  const err = error as { code?: string; errors?: { code?: string }[]; cause?: unknown }
  if (err?.code && (NETWORK_CODES.has(err.code) || /CERT|SSL|TLS/.test(err.code))) return err.code
  const inner = err?.errors?.find(e => e?.code)?.code
  if (inner && NETWORK_CODES.has(inner)) return inner
  if (err?.cause && err.cause !== error) return networkCode(err.cause)
  // the SDK wraps what is not an Error of its realm: "AWS SDK error wrapper for Error: connect …"
  const named = /\b(E[A-Z_]{4,})\b/.exec((error as Error)?.message ?? '')?.[1]
  return named && NETWORK_CODES.has(named) ? named : undefined
}

/**
 * A failed S3 call as an S3StorageError that says what to do. `action` reads "cannot <action>";
 * `note` is appended (e.g. a multipart upload that could not be aborted).
 */
export function explainS3Error(
  action: string,
  error: unknown,
  context: { bucket?: string; key?: string } = {},
  note?: string
): S3StorageError {
  const err = error as Error & { Code?: string }
  const name = err?.name ?? ''
  const message = err?.message ?? String(error)
  const status = statusOf(error)
  const bucket = context.bucket ? `'${context.bucket}'` : 'the bucket'
  const say = (code: string, text: string): S3StorageError =>
    new S3StorageError(`cannot ${action}: ${text}${note ? ` ${note}` : ''}`, code)

  if (error instanceof S3StorageError) {
    return note ? new S3StorageError(`${error.message} ${note}`, error.code) : error
  }
  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(message)) {
    return say(
      'CredentialsMissing',
      `no AWS credentials were found (${message}). Credentials come only from the environment: add aws-actions/configure-aws-credentials before this step (with OIDC: 'permissions: id-token: write' and role-to-assume, no stored keys), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) from secrets in env.`
    )
  }
  const network = networkCode(error)
  if (network) {
    const host = network === 'ENOTFOUND' || network === 'EAI_AGAIN'
    return say(
      'EndpointUnreachable',
      host
        ? `the S3 endpoint's host name does not resolve (${network}: ${message}). Check the endpoint URL (and the bucket name, which is part of the host name unless path-style addressing is used).`
        : `the S3 endpoint cannot be reached (${network}: ${message}). Check the endpoint URL, its port and scheme, and that the runner can reach it.`
    )
  }
  switch (name) {
    case 'NoSuchBucket':
      return say(
        name,
        `the bucket ${bucket} does not exist. Create it, or correct the bucket in the S3 URI (and the endpoint, for a service other than AWS).`
      )
    case 'AccessDenied':
    case 'AllAccessDisabled':
    case 'Forbidden':
      return say(
        'AccessDenied',
        `access denied (${message}). The credentials need ${REQUIRED_PERMISSIONS.replace(/BUCKET/g, context.bucket ?? 'BUCKET')}; with SSE-KMS also kms:GenerateDataKey and kms:Decrypt on the key.`
      )
    case 'InvalidAccessKeyId':
    case 'SignatureDoesNotMatch':
    case 'ExpiredToken':
    case 'InvalidToken':
    case 'TokenRefreshRequired':
      return say(
        name,
        `the service rejected the credentials (${name}: ${message}). Check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or the role configured by aws-actions/configure-aws-credentials, and that they belong to this service.`
      )
    case 'NoSuchKey':
      return say(
        name,
        `there is no object ${formatS3Uri(context.bucket ?? '', context.key ?? '')}.`
      )
    case 'PermanentRedirect':
    case 'AuthorizationHeaderMalformed':
    case 'IllegalLocationConstraintException':
      return say(
        'WrongRegion',
        `${bucket} is in another region (${name}: ${message}). Set AWS_REGION (or aws-region of aws-actions/configure-aws-credentials) to the bucket's region.`
      )
    case 'NotImplemented':
      return say(
        name,
        `the service does not implement a feature this request uses (${message}). For a service without object tagging, store the tags as metadata; for one that rejects checksums, turn SHA-256 checksums off.`
      )
    case 'BadDigest':
    case 'InvalidDigest':
      return say(
        name,
        `the service reports a checksum mismatch: the data changed in transit (${message}).`
      )
    case 'EntityTooLarge':
      return say(name, `the object is larger than the service accepts (${message}).`)
  }
  if (name === 'InvalidRequest' && /checksum/i.test(message)) {
    return say(
      name,
      `the service rejects SHA-256 checksums (${message}); turn checksums off for this service.`
    )
  }
  if (name === 'InvalidEndpointError' || /invalid url|endpoint/i.test(name)) {
    return say('InvalidEndpoint', `the endpoint is not usable (${message}).`)
  }
  if (status === 403) {
    return say(
      'AccessDenied',
      `access denied (HTTP 403). The credentials need ${REQUIRED_PERMISSIONS.replace(/BUCKET/g, context.bucket ?? 'BUCKET')}.`
    )
  }
  if (status === 404 && !context.key) {
    return say('NoSuchBucket', `the bucket ${bucket} was not found (HTTP 404).`)
  }
  const detail =
    name && name !== 'Error' && !message.includes(name) ? `${name}: ${message}` : message
  return say(name || 'Unknown', `${detail}${status ? ` (HTTP ${status})` : ''}`)
}
