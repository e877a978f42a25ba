/**
 * src/storage/s3.ts with the REAL @aws-sdk/client-s3 and lib-storage against s3rver on 127.0.0.1
 * (__tests__/support/s3-server.ts, which lists what it adds to s3rver). Nothing of the SDK is
 * mocked: credentials come from the environment through the default provider chain.
 */
import {
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  type S3Client
} from '@aws-sdk/client-s3'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { MANIFEST_SUFFIX, S3UriError, manifestKeyFor, parseS3Uri } from '../../src/s3-uri.js'
import {
  S3EndpointError,
  S3StorageError,
  createS3Client,
  downloadObject,
  findNewestBackup,
  getObjectText,
  putSmallObject,
  uploadStream
} from '../../src/storage/s3.js'
import { backupKey } from '../../src/storage/naming.js'
import { type S3TestServer, startS3Server } from '../support/s3-server.js'

const BUCKET = 'backups'
const MiB = 1024 * 1024
const PART = 5 * MiB

let server: S3TestServer
let client: S3Client
let tmp: string

beforeAll(async () => {
  server = await startS3Server([BUCKET])
  client = createS3Client({ endpoint: server.endpoint })
  tmp = await mkdtemp(path.join(os.tmpdir(), 's3-test-'))
})

afterAll(async () => {
  client?.destroy()
  await server?.close()
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex')

/** `data` as a byte stream in 64 KiB chunks. */
function streamOf(data: Buffer, chunk = 64 * 1024): Readable {
  return Readable.from(
    (function* () {
      for (let offset = 0; offset < data.length; offset += chunk) {
        yield data.subarray(offset, offset + chunk)
      }
    })()
  )
}

/** `bytes` of data, then the error a failing pg_dump would cause. */
function failingStream(bytes: number): Readable {
  return Readable.from(
    (function* () {
      for (let sent = 0; sent < bytes; sent += MiB) yield randomBytes(MiB)
      throw new Error('pg_dump exited with code 1')
    })()
  )
}

async function objectExists(key: string): Promise<boolean> {
  try {
    await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))
    return true
  } catch (error) {
    if ((error as Error).name === 'NotFound') return false
    throw error
  }
}

async function expectNoLeftovers(key: string): Promise<void> {
  expect(await objectExists(key)).toBe(false)
  const listed = await client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }))
  expect(listed.Uploads ?? []).toEqual([])
  expect(await server.pendingUploads(BUCKET)).toEqual([])
}

function requestsFor(key: string): typeof server.requests {
  return server.requests.filter(r => r.path === `/${BUCKET}/${key}`)
}

async function waitFor(condition: () => boolean, ms = 10000): Promise<void> {
  const until = Date.now() + ms
  while (!condition()) {
    if (Date.now() > until) throw new Error('timed out waiting')
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}

describe('parseS3Uri', () => {
  it.each([
    ['s3://bucket', { bucket: 'bucket', prefix: '' }],
    ['s3://bucket/', { bucket: 'bucket', prefix: '' }],
    ['s3://my.bucket-1/backups', { bucket: 'my.bucket-1', prefix: 'backups/' }],
    [' s3://b12//nightly/db/ ', { bucket: 'b12', prefix: 'nightly/db/' }],
    ['S3://bucket/a b/c', { bucket: 'bucket', prefix: 'a b/c/' }]
  ])('%s', (uri, expected) => {
    expect(parseS3Uri(uri)).toEqual(expected)
  })

  it.each([
    ['bucket/prefix', /not an S3 URI/],
    ['s3://', /names no bucket/],
    ['s3:///prefix', /names no bucket/],
    ['s3://ab/x', /not a valid bucket name/],
    ['s3://-bucket/x', /not a valid bucket name/],
    ['s3://bucket_with spaces/x', /not a valid bucket name/],
    ['https://bucket.s3.amazonaws.com/x', /HTTP URL/],
    ['arn:aws:s3:::bucket', /s3:\/\/bucket/],
    ['s3://bucket/a/../b', /'\.\.'/]
  ])('rejects %s', (uri, message) => {
    expect(() => parseS3Uri(uri)).toThrow(S3UriError)
    expect(() => parseS3Uri(uri)).toThrow(message)
  })
})

describe('backupKey', () => {
  it('puts the UTC date into the path and the name', () => {
    const date = new Date('2025-03-01T23:59:58.123Z')
    const key = backupKey('nightly/', 'shop', date, '.dump.zst')
    expect(key).toBe('nightly/shop/2025/03/shop-20250301T235958Z.dump.zst')
    expect(manifestKeyFor(key)).toBe(`${key}${MANIFEST_SUFFIX}`)
    expect(backupKey('', 'my db/x', date, '.sql.gz')).toBe(
      'my_db_x/2025/03/my_db_x-20250301T235958Z.sql.gz'
    )
  })
})

describe('createS3Client', () => {
  it('rejects endpoints that are not http(s) URLs', () => {
    expect(() => createS3Client({ endpoint: 'minio.local:9000' })).toThrow(S3EndpointError)
    expect(() => createS3Client({ endpoint: 'not a url' })).toThrow(/not a URL/)
    expect(() => createS3Client({ endpoint: 'https://key:secret@host' })).toThrow(/credentials/)
  })

  it('takes the region from AWS_REGION, then AWS_DEFAULT_REGION', async () => {
    const saved = { region: process.env.AWS_REGION, fallback: process.env.AWS_DEFAULT_REGION }
    try {
      delete process.env.AWS_REGION
      process.env.AWS_DEFAULT_REGION = 'eu-north-1'
      expect(await createS3Client().config.region()).toBe('eu-north-1')
      delete process.env.AWS_DEFAULT_REGION
      expect(await createS3Client().config.region()).toBe('us-east-1')
      expect(await createS3Client({ region: 'auto' }).config.region()).toBe('auto')
    } finally {
      process.env.AWS_REGION = saved.region
      if (saved.fallback === undefined) delete process.env.AWS_DEFAULT_REGION
      else process.env.AWS_DEFAULT_REGION = saved.fallback
    }
  })
})

describe('uploadStream', () => {
  const data = randomBytes(20_000_000)
  const key = backupKey('', 'shop', new Date('2025-06-01T02:00:00Z'), '.dump')

  it('uploads in parts with SHA-256 checksums and tags, and the bytes arrive whole', async () => {
    const uploaded = await uploadStream(client, {
      bucket: BUCKET,
      key,
      body: streamOf(data),
      tags: { retention: 'monthly', 'created by': 'pg backup' },
      metadata: { database: 'shop' },
      partSizeBytes: PART,
      queueSize: 2
    })
    expect(uploaded).toMatchObject({ key, sizeBytes: data.length })
    expect(uploaded.etag).not.toBe('')

    const stored = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))
    const bytes = Buffer.from(await stored.Body!.transformToByteArray())
    expect(bytes.length).toBe(data.length)
    expect(sha256(bytes)).toBe(sha256(data))
    expect(stored.ContentType).toBe('application/octet-stream')
    expect(stored.Metadata).toEqual({ database: 'shop' })

    const tagging = await client.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: key }))
    expect(tagging.TagSet).toEqual([
      { Key: 'retention', Value: 'monthly' },
      { Key: 'created by', Value: 'pg backup' }
    ])

    // four parts, each sent with the SHA-256 of its own bytes; no aws-chunked bodies
    const requests = requestsFor(key)
    const create = requests.find(r => r.method === 'POST' && 'uploads' in r.query)
    expect(create?.headers['x-amz-checksum-algorithm']).toBe('SHA256')
    const parts = requests.filter(r => r.method === 'PUT' && r.query.partNumber)
    expect(parts.map(r => Number(r.query.partNumber)).sort()).toEqual([1, 2, 3, 4])
    for (const part of parts) {
      const n = Number(part.query.partNumber)
      const slice = data.subarray((n - 1) * PART, n * PART)
      expect(part.headers['x-amz-checksum-sha256']).toBe(
        createHash('sha256').update(slice).digest('base64')
      )
      expect(part.headers['content-encoding']).toBeUndefined()
      expect(part.status).toBe(200)
    }
    expect(await server.pendingUploads(BUCKET)).toEqual([])
  })

  it('downloads the object back to a file, hashing it', async () => {
    const file = path.join(tmp, 'download.dump')
    const downloaded = await downloadObject(client, { bucket: BUCKET, key }, file)
    expect(downloaded.sizeBytes).toBe(data.length)
    expect(downloaded.sha256).toBe(sha256(data))
    expect(sha256(await readFile(file))).toBe(sha256(data))
  })

  it('sends a small stream as one PutObject; tags as metadata, no checksums when asked', async () => {
    const small = randomBytes(300_000)
    const smallKey = 'small/one.dump'
    const uploaded = await uploadStream(client, {
      bucket: BUCKET,
      key: smallKey,
      body: streamOf(small),
      contentType: 'application/zstd',
      tags: { retention: 'daily' },
      tagsAsMetadata: true,
      checksums: false
    })
    expect(uploaded.sizeBytes).toBe(small.length)
    const requests = requestsFor(smallKey)
    expect(requests.map(r => r.method)).toEqual(['PUT'])
    expect(requests[0].headers['x-amz-checksum-sha256']).toBeUndefined()
    expect(requests[0].headers['x-amz-tagging']).toBeUndefined()
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: smallKey }))
    expect(head.Metadata).toEqual({ retention: 'daily' })
    expect(head.ContentType).toBe('application/zstd')
    expect(head.ContentLength).toBe(small.length)
  })

  it('a source that fails halfway leaves no object and no multipart upload', async () => {
    const failKey = 'fail/source.dump'
    const body = failingStream(12 * MiB)
    await expect(
      uploadStream(client, { bucket: BUCKET, key: failKey, body, partSizeBytes: PART })
    ).rejects.toThrow('pg_dump exited with code 1')
    const requests = requestsFor(failKey)
    expect(requests.filter(r => r.method === 'PUT' && r.query.partNumber).length).toBe(2)
    expect(requests.some(r => r.method === 'DELETE' && r.query.uploadId)).toBe(true)
    expect(requests.some(r => r.method === 'POST' && r.query.uploadId)).toBe(false)
    await expectNoLeftovers(failKey)
  })

  it('an abort while the source still streams aborts the multipart upload', async () => {
    const abortKey = 'abort/streaming.dump'
    const body = new Readable({ read() {} }) // pg_dump that went quiet
    for (let i = 0; i < 12; i++) body.push(randomBytes(MiB))
    const controller = new AbortController()
    const uploading = uploadStream(client, {
      bucket: BUCKET,
      key: abortKey,
      body,
      partSizeBytes: PART,
      abortSignal: controller.signal
    })
    await waitFor(() => requestsFor(abortKey).some(r => r.query.partNumber === '2'))
    controller.abort(new Error('the job was cancelled'))
    const error = await uploading.then(
      () => undefined,
      (e: unknown) => e
    )
    expect(error).toBeInstanceOf(S3StorageError)
    expect(error).toMatchObject({ code: 'AbortError' })
    expect((error as Error).message).toMatch(/aborted: the job was cancelled/)
    expect(body.destroyed).toBe(true)
    await expectNoLeftovers(abortKey)
  })

  it('an abort after the source ended still stops the upload before it completes', async () => {
    const lateKey = 'abort/late.dump'
    const controller = new AbortController()
    // abort when the last part arrives: the source has ended, CompleteMultipartUpload is next
    server.injectFault(
      r => {
        if (r.path === `/${BUCKET}/${lateKey}` && r.query.partNumber === '3') controller.abort()
        return false
      },
      { status: 500, code: 'InternalError' }
    )
    const uploading = uploadStream(client, {
      bucket: BUCKET,
      key: lateKey,
      body: streamOf(randomBytes(12 * MiB)),
      partSizeBytes: PART,
      queueSize: 1,
      abortSignal: controller.signal
    })
    await expect(uploading).rejects.toMatchObject({ code: 'AbortError' })
    expect(requestsFor(lateKey).some(r => r.method === 'POST' && r.query.uploadId)).toBe(false)
    await expectNoLeftovers(lateKey)
  })

  it('an already aborted signal sends nothing', async () => {
    const body = streamOf(randomBytes(MiB))
    await expect(
      uploadStream(client, {
        bucket: BUCKET,
        key: 'abort/before.dump',
        body,
        abortSignal: AbortSignal.abort()
      })
    ).rejects.toMatchObject({ code: 'AbortError' })
    expect(requestsFor('abort/before.dump')).toEqual([])
    expect(body.destroyed).toBe(true)
  })

  it('a refused part aborts the upload and names the permissions needed', async () => {
    const deniedKey = 'denied/part.dump'
    server.injectFault(r => r.path === `/${BUCKET}/${deniedKey}` && r.query.partNumber === '2', {
      status: 403,
      code: 'AccessDenied',
      message: 'Access Denied'
    })
    const body = streamOf(randomBytes(16 * MiB))
    const error = await uploadStream(client, {
      bucket: BUCKET,
      key: deniedKey,
      body,
      partSizeBytes: PART
    }).then(
      () => undefined,
      (e: unknown) => e
    )
    expect(error).toMatchObject({ name: 'S3StorageError', code: 'AccessDenied' })
    expect((error as Error).message).toMatch(/s3:PutObject, s3:PutObjectTagging/)
    expect((error as Error).message).toMatch(/s3:AbortMultipartUpload/)
    expect((error as Error).message).toMatch(/s3:ListBucket/)
    expect(body.destroyed).toBe(true)
    await expectNoLeftovers(deniedKey)
  })

  it('a missing bucket is said so', async () => {
    const body = streamOf(randomBytes(1000))
    await expect(
      uploadStream(client, { bucket: 'no-such-bucket', key: 'x.dump', body })
    ).rejects.toMatchObject({
      code: 'NoSuchBucket',
      message: expect.stringMatching(/the bucket 'no-such-bucket' does not exist/)
    })
    expect(body.destroyed).toBe(true)
  })

  it('rejects part sizes and tags S3 does not accept, and stops the source', async () => {
    const body = streamOf(Buffer.alloc(1))
    await expect(
      uploadStream(client, { bucket: BUCKET, key: 'x', body, partSizeBytes: MiB })
    ).rejects.toThrow(/at least 5 MiB/)
    expect(body.destroyed).toBe(true)
    const tags = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`t${i}`, 'x']))
    await expect(
      uploadStream(client, { bucket: BUCKET, key: 'x', body: streamOf(Buffer.alloc(1)), tags })
    ).rejects.toThrow(/at most 10 tags/)
  })
})

describe('findNewestBackup', () => {
  const prefix = 'nightly/'
  const manifest = (createdAt: string): string => JSON.stringify({ schemaVersion: 1, createdAt })

  beforeAll(async () => {
    const put = (key: string, body: string): Promise<unknown> =>
      putSmallObject(client, {
        bucket: BUCKET,
        key,
        body,
        contentType: 'application/json',
        tags: { retention: 'daily' }
      })
    // createdAt disagrees with key order and upload order (LastModified) on purpose
    await put('nightly/shop/2025/01/shop-a.dump.manifest.json', manifest('2025-03-05T10:00:00Z'))
    await put('nightly/shop/2025/02/shop-b.dump.manifest.json', manifest('2025-02-01T10:00:00Z'))
    await put('nightly/shop/2025/03/shop-c.dump.manifest.json', manifest('2025-03-05T09:59:59Z'))
    await put('nightly/shop/2025/04/broken.manifest.json', '{ not json')
    await put('nightly/shop/2025/04/undated.manifest.json', '{}')
    await put('nightly/shop/2025/05/shop-z.dump', 'a dump, not a manifest')
    await put('elsewhere/shop-y.dump.manifest.json', manifest('2030-01-01T00:00:00Z'))
  })

  it('picks the newest by createdAt, across pages', async () => {
    const before = server.requests.length
    const found = await findNewestBackup(client, { bucket: BUCKET, prefix, pageSize: 2 })
    expect(found.manifestKey).toBe('nightly/shop/2025/01/shop-a.dump.manifest.json')
    expect(found.dumpKey).toBe('nightly/shop/2025/01/shop-a.dump')
    expect(found.createdAt.toISOString()).toBe('2025-03-05T10:00:00.000Z')
    expect(found.manifest).toEqual({ schemaVersion: 1, createdAt: '2025-03-05T10:00:00Z' })
    const lists = server.requests
      .slice(before)
      .filter(
        r => r.method === 'GET' && r.path.startsWith(`/${BUCKET}`) && r.query['list-type'] === '2'
      )
    expect(lists.length).toBeGreaterThan(2)
    expect(lists.slice(1).every(r => r.query['continuation-token'])).toBe(true)
  })

  it('says so when there is no backup under the prefix', async () => {
    await expect(
      findNewestBackup(client, { bucket: BUCKET, prefix: 'nothing/here/' })
    ).rejects.toMatchObject({
      code: 'NoBackup',
      message: expect.stringMatching(/no backup found under s3:\/\/backups\/nothing\/here\//)
    })
  })

  it('reads objects as text and reports a missing key', async () => {
    const text = await getObjectText(client, {
      bucket: BUCKET,
      key: 'nightly/shop/2025/02/shop-b.dump.manifest.json'
    })
    expect(JSON.parse(text).createdAt).toBe('2025-02-01T10:00:00Z')
    const file = path.join(tmp, 'missing.dump')
    await expect(
      downloadObject(client, { bucket: BUCKET, key: 'nightly/missing.dump' }, file)
    ).rejects.toMatchObject({ code: 'NoSuchKey' })
    expect(existsSync(file)).toBe(false)
  })
})

describe('credential and endpoint errors', () => {
  const ref = { bucket: BUCKET, key: 'nightly/shop/2025/02/shop-b.dump.manifest.json' }

  async function withEnv<T>(env: Record<string, string | undefined>, run: () => Promise<T>) {
    const saved = Object.fromEntries(Object.keys(env).map(name => [name, process.env[name]]))
    const apply = (values: Record<string, string | undefined>): void => {
      for (const [name, value] of Object.entries(values)) {
        if (value === undefined) delete process.env[name]
        else process.env[name] = value
      }
    }
    apply(env)
    try {
      return await run()
    } finally {
      apply(saved)
    }
  }

  it('missing credentials point to configure-aws-credentials with OIDC', async () => {
    const none = path.join(tmp, 'no-such-aws-file')
    await withEnv(
      {
        AWS_ACCESS_KEY_ID: undefined,
        AWS_SECRET_ACCESS_KEY: undefined,
        AWS_SHARED_CREDENTIALS_FILE: none,
        AWS_CONFIG_FILE: none,
        AWS_EC2_METADATA_DISABLED: 'true'
      },
      async () => {
        const anonymous = createS3Client({ endpoint: server.endpoint })
        await expect(getObjectText(anonymous, ref)).rejects.toMatchObject({
          code: 'CredentialsMissing',
          message: expect.stringMatching(/aws-actions\/configure-aws-credentials.*id-token: write/)
        })
      }
    )
  })

  it('rejected credentials are said so', async () => {
    // s3rver checks the access key id of SigV4 requests, not the signature
    await withEnv({ AWS_ACCESS_KEY_ID: 'AKIAUNKNOWN' }, async () => {
      const wrong = createS3Client({ endpoint: server.endpoint })
      await expect(getObjectText(wrong, ref)).rejects.toMatchObject({
        code: 'InvalidAccessKeyId',
        message: expect.stringMatching(/rejected the credentials/)
      })
    })
  })

  it('an endpoint nobody listens on is said so', async () => {
    const port = await new Promise<number>(resolve => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as net.AddressInfo
        probe.close(() => resolve(port))
      })
    })
    const nowhere = createS3Client({ endpoint: `http://127.0.0.1:${port}`, maxAttempts: 1 })
    await expect(getObjectText(nowhere, ref)).rejects.toMatchObject({
      code: 'EndpointUnreachable',
      message: expect.stringMatching(/ECONNREFUSED/)
    })
  })
})
