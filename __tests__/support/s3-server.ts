/**
 * A real S3-protocol server for the tests: s3rver 3.7.1 (npm, pure Node, in-process) on 127.0.0.1
 * with a random port and a temporary directory, driven by the REAL @aws-sdk/client-s3 client.
 *
 * ## What s3rver does by itself
 * Path-style requests, PutObject, GetObject (ranges), HeadObject, DeleteObject(s), ListObjects
 * (V1), CreateMultipartUpload/UploadPart/CompleteMultipartUpload (parts are files under
 * `<dir>/<bucket>/._S3rver_uploads/<uploadId>/`), Get/PutObjectTagging, user metadata.
 * Authentication: of a SigV4 request it checks only the access key id ('S3RVER' →
 * InvalidAccessKeyId otherwise), not the signature, so a wrong secret goes unnoticed.
 *
 * ## What it lacks, and what this file adds in front of its router (same access key check)
 *  - ListObjectsV2 pagination: s3rver's continuation tokens are DES-encrypted, and OpenSSL 3
 *    (Node ≥ 17) has no DES, so any truncated listing is a 500. Added: ListObjectsV2 on s3rver's
 *    own store listing, with base64url(last key) as the continuation token.
 *  - AbortMultipartUpload (DELETE ?uploadId=): s3rver answers 405 MethodNotAllowed and keeps the
 *    parts. Added: removes the upload's directory; 404 NoSuchUpload for an unknown id, as S3.
 *  - ListMultipartUploads (GET /bucket?uploads): s3rver answers 501. Added: lists that directory
 *    (Key and UploadId only, one page). `pendingUploads()` reads the directory directly as well.
 *  - x-amz-tagging on PutObject and CreateMultipartUpload: s3rver ignores it. Added: the tag set
 *    is stored (as PutObjectTagging would) once the PutObject or CompleteMultipartUpload succeeds.
 *  - Checksums: s3rver ignores x-amz-checksum-* headers and returns none, and would store an
 *    aws-chunked body (the SDK's default CRC32 trailer) verbatim. Not added: every request is
 *    recorded in `requests` so a test can compare the headers the SDK sent with the data.
 *  - No versioning (no VersionId), no SSE, no bucket policies: `injectFault()` answers chosen
 *    requests with an S3 error instead (e.g. 403 AccessDenied for one UploadPart).
 */
import { createRequire } from 'node:module'
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

const require = createRequire(import.meta.url)

/** The parts of the Koa context the shim uses. */
interface KoaContext {
  method: string
  path: string
  query: Record<string, string | string[] | undefined>
  headers: Record<string, string | string[] | undefined>
  status: number
  body: unknown
  type: string
}
type Middleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>

interface FilesystemStore {
  getResourcePath(bucket: string, key: string | undefined, resource: string): string
  getBucket(bucket: string): Promise<unknown>
  putSubresource(bucket: string, key: string, resource: unknown): Promise<void>
  listObjects(
    bucket: string,
    options: { prefix: string; delimiter: string; startAfter: string; maxKeys: number }
  ): Promise<{
    objects: { key: string; lastModifiedDate: Date; size: number; metadata: { etag: string } }[]
    commonPrefixes: string[]
    isTruncated: boolean
  }>
}

interface S3rverInstance {
  middleware: Middleware[]
  store: FilesystemStore
  run(): Promise<{ port: number; address: string }>
  close(): Promise<void>
}

type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance

export interface RecordedRequest {
  method: string
  path: string
  query: Record<string, string | string[] | undefined>
  headers: Record<string, string | string[] | undefined>
  status: number
}

/** An S3 error answer to inject, e.g. { status: 403, code: 'AccessDenied' }. */
export interface S3Fault {
  status: number
  code: string
  message?: string
}

export interface S3TestServer {
  /** http://127.0.0.1:<port> */
  endpoint: string
  directory: string
  /** Every request, in the order the answers went out. */
  requests: RecordedRequest[]
  /** The next `times` requests that `match` answer with `fault` (before s3rver sees them). */
  injectFault(match: (request: FaultMatch) => boolean, fault: S3Fault, times?: number): void
  /** Upload ids of multipart uploads neither completed nor aborted, from the storage directory. */
  pendingUploads(bucket: string): Promise<string[]>
  /** Restores the environment, stops the server and removes its directory. */
  close(): Promise<void>
}

export interface FaultMatch {
  method: string
  path: string
  query: Record<string, string | string[] | undefined>
}

export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }

/**
 * Starts s3rver with `buckets` created, and points the SDK's default credential chain at it
 * through the environment (AWS_ACCESS_KEY_ID=S3RVER, …; instance metadata disabled so that no
 * request leaves the machine). Pass `endpoint` and path-style addressing to the client.
 */
export async function startS3Server(buckets: string[]): Promise<S3TestServer> {
  const S3rver = require('s3rver') as S3rverConstructor
  const { TaggingConfiguration } = require('s3rver/lib/models/config') as {
    TaggingConfiguration: { validate(xml: string): unknown }
  }
  const directory = await mkdtemp(path.join(os.tmpdir(), 's3rver-'))
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: buckets.map(name => ({ name }))
  })
  const store = server.store
  const requests: RecordedRequest[] = []
  const faults: { match: (request: FaultMatch) => boolean; fault: S3Fault; left: number }[] = []
  const uploadsDir = (bucket: string): string => store.getResourcePath(bucket, undefined, 'uploads')

  async function storeTags(bucket: string, key: string, header: string): Promise<void> {
    const tags = [...new URLSearchParams(header)]
      .map(([k, v]) => `<Tag><Key>${escapeXml(k)}</Key><Value>${escapeXml(v)}</Value></Tag>`)
      .join('')
    const config = TaggingConfiguration.validate(`<Tagging><TagSet>${tags}</TagSet></Tagging>`)
    await store.putSubresource(bucket, key, config)
  }

  const shim: Middleware = async (ctx, next) => {
    let status: number | undefined
    try {
      const injected = faults.find(f => f.left > 0 && f.match(ctx))
      if (injected) {
        injected.left--
        const { fault } = injected
        return xmlError(ctx, fault.status, fault.code, fault.message ?? `injected ${fault.code}`)
      }
      const [, bucket = '', ...rest] = ctx.path.split('/')
      const key = decodeURIComponent(rest.join('/'))
      const uploadId = typeof ctx.query.uploadId === 'string' ? ctx.query.uploadId : undefined
      const tagging = header(ctx, 'x-amz-tagging')

      const handled =
        (ctx.method === 'DELETE' && key && uploadId !== undefined) ||
        (ctx.method === 'GET' && !key && ('uploads' in ctx.query || ctx.query['list-type'] === '2'))
      if (handled && !hasAccessKey(ctx)) {
        return xmlError(
          ctx,
          403,
          'InvalidAccessKeyId',
          'The AWS Access Key Id you provided does not exist in our records.'
        )
      }
      if (handled && !(await store.getBucket(bucket))) {
        return xmlError(ctx, 404, 'NoSuchBucket', 'The specified bucket does not exist')
      }

      if (ctx.method === 'GET' && !key && ctx.query['list-type'] === '2') {
        // ListObjectsV2, with plain continuation tokens (s3rver's need DES, gone from OpenSSL 3)
        const token = single(ctx.query['continuation-token'])
        const startAfter = token
          ? Buffer.from(token, 'base64url').toString('utf8')
          : (single(ctx.query['start-after']) ?? '')
        const prefix = single(ctx.query.prefix) ?? ''
        const delimiter = single(ctx.query.delimiter) ?? ''
        const maxKeys = Math.min(1000, Number(single(ctx.query['max-keys']) ?? 1000))
        const result = await store.listObjects(bucket, { prefix, delimiter, startAfter, maxKeys })
        const last = result.objects.at(-1)?.key
        ctx.body = {
          ListBucketResult: {
            '@': { xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/' },
            Name: bucket,
            Prefix: prefix,
            StartAfter: token ? undefined : single(ctx.query['start-after']),
            ContinuationToken: token,
            NextContinuationToken:
              result.isTruncated && last ? Buffer.from(last).toString('base64url') : undefined,
            KeyCount: result.objects.length + result.commonPrefixes.length,
            MaxKeys: maxKeys,
            Delimiter: delimiter || undefined,
            IsTruncated: result.isTruncated,
            Contents: result.objects.map(object => ({
              Key: object.key,
              LastModified: object.lastModifiedDate.toISOString(),
              ETag: object.metadata.etag,
              Size: object.size,
              StorageClass: 'STANDARD'
            })),
            CommonPrefixes: result.commonPrefixes.map(p => ({ Prefix: p }))
          }
        }
        return
      }
      if (ctx.method === 'DELETE' && key && uploadId !== undefined) {
        // AbortMultipartUpload
        const dir = path.join(uploadsDir(bucket), path.basename(uploadId))
        if (!uploadId || !(await exists(dir))) {
          return xmlError(ctx, 404, 'NoSuchUpload', 'The specified upload does not exist.')
        }
        await rm(dir, { recursive: true, force: true })
        ctx.status = 204
        ctx.body = ''
        return
      }
      if (ctx.method === 'GET' && !key && 'uploads' in ctx.query) {
        // ListMultipartUploads
        const uploads = await listUploads(uploadsDir(bucket))
        ctx.type = 'application/xml'
        ctx.body =
          '<?xml version="1.0" encoding="UTF-8"?>\n<ListMultipartUploadsResult>' +
          `<Bucket>${escapeXml(bucket)}</Bucket><IsTruncated>false</IsTruncated>` +
          uploads
            .map(
              u =>
                `<Upload><Key>${escapeXml(u.key)}</Key><UploadId>${u.uploadId}</UploadId></Upload>`
            )
            .join('') +
          '</ListMultipartUploadsResult>'
        return
      }
      if (
        ctx.method === 'PUT' &&
        key &&
        tagging &&
        Object.keys(ctx.query).every(q => q === 'x-id') // the SDK adds ?x-id=PutObject
      ) {
        // PutObject with tags
        await next()
        if (ctx.status === 200) await storeTags(bucket, key, tagging)
        return
      }
      if (ctx.method === 'POST' && key && uploadId) {
        // CompleteMultipartUpload: the tags came with CreateMultipartUpload
        const metadata = await readFile(
          path.join(uploadsDir(bucket), path.basename(uploadId), 'metadata'),
          'utf8'
        ).catch(() => '{}')
        const created = (JSON.parse(metadata) as Record<string, string>)['x-amz-tagging']
        await next()
        if (ctx.status === 200 && created) await storeTags(bucket, key, created)
        return
      }
      await next()
    } catch (error) {
      status = (error as { status?: number }).status ?? 500
      throw error
    } finally {
      requests.push({
        method: ctx.method,
        path: ctx.path,
        query: { ...ctx.query },
        headers: { ...ctx.headers },
        status: status ?? ctx.status
      })
    }
  }
  // before the router (the last middleware), after s3rver's logging and XML encoding
  server.middleware.splice(server.middleware.length - 1, 0, shim)

  const address = await server.run()
  const savedEnv = { ...process.env }
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true'
  })
  delete process.env.AWS_SESSION_TOKEN
  delete process.env.AWS_PROFILE
  delete process.env.AWS_WEB_IDENTITY_TOKEN_FILE

  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    directory,
    requests,
    injectFault(match, fault, times = 1) {
      faults.push({ match, fault, left: times })
    },
    pendingUploads: async bucket =>
      (await listUploads(uploadsDir(bucket))).map(upload => upload.uploadId),
    async close() {
      for (const name of Object.keys(process.env)) {
        if (!(name in savedEnv)) delete process.env[name]
      }
      Object.assign(process.env, savedEnv)
      await server.close()
      await rm(directory, { recursive: true, force: true })
    }
  }
}

function header(ctx: KoaContext, name: string): string | undefined {
  return single(ctx.headers[name])
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

/** As s3rver checks SigV4 requests: the access key id only, not the signature. */
function hasAccessKey(ctx: KoaContext): boolean {
  const credential = /Credential=([^/,\s]+)\//.exec(header(ctx, 'authorization') ?? '')
  return credential?.[1] === S3RVER_CREDENTIALS.accessKeyId
}

function xmlError(ctx: KoaContext, status: number, code: string, message: string): void {
  ctx.status = status
  ctx.type = 'application/xml'
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error>`
}

async function listUploads(dir: string): Promise<{ key: string; uploadId: string }[]> {
  let ids: string[]
  try {
    ids = await readdir(dir)
  } catch {
    return []
  }
  const uploads = []
  for (const uploadId of ids.sort()) {
    const key = await readFile(path.join(dir, uploadId, 'key'), 'utf8').catch(() => '')
    uploads.push({ key, uploadId })
  }
  return uploads
}

async function exists(file: string): Promise<boolean> {
  return readdir(file).then(
    () => true,
    () => false
  )
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, ch => `&#${ch.charCodeAt(0)};`)
}
