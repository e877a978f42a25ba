/**
 * Drives the REAL @actions/artifact DefaultArtifactClient against the in-process fake backend
 * (__tests__/support/artifact-backend.ts). Nothing of the client is mocked; only process.stdout is
 * silenced because @actions/core prints every ::debug:: line there (set ARTIFACT_TEST_VERBOSE=1 to
 * see them).
 *
 * The client is imported dynamically AFTER process.env is filled from backend.env(), because
 * @actions/github reads GITHUB_API_URL once at module load.
 */
import crypto from 'node:crypto'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { DefaultArtifactClient } from '@actions/artifact'
import {
  startArtifactBackend,
  unzipEntries,
  type ArtifactBackend
} from '../../dev/artifact-backend.js'

const NO_ACTIONS_TOKEN = 'ghs_tokenWithoutActionsRead000000000000000'

let backend: ArtifactBackend
let client: DefaultArtifactClient
let tmp: string
const savedEnv = { ...process.env }
const realStdoutWrite = process.stdout.write.bind(process.stdout)

function applyEnv(): void {
  Object.assign(process.env, backend.env())
}

async function writeFiles(dir: string, files: Record<string, Buffer>): Promise<string[]> {
  const paths: string[] = []
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(dir, rel)
    await fs.mkdir(path.dirname(p), { recursive: true })
    await fs.writeFile(p, content)
    paths.push(p)
  }
  return paths
}

async function newDir(prefix: string): Promise<string> {
  return fs.mkdtemp(path.join(tmp, `${prefix}-`))
}

const sha256 = (b: Buffer): string => crypto.createHash('sha256').update(b).digest('hex')
const [owner, repo] = ['octo-org', 'octo-repo']

beforeAll(async () => {
  backend = await startArtifactBackend({
    repository: `${owner}/${repo}`,
    readOnlyTokens: [NO_ACTIONS_TOKEN]
  })
  applyEnv()
  delete process.env.GITHUB_TOKEN
  delete process.env.GITHUB_RETENTION_DAYS
  delete process.env.ACTIONS_ARTIFACT_UPLOAD_CONCURRENCY
  const mod = await import('@actions/artifact')
  client = new mod.DefaultArtifactClient()
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'artifact-backend-test-'))
  if (!process.env.ARTIFACT_TEST_VERBOSE) {
    // ESM jest has no `jest` global; swap the method by hand
    process.stdout.write = (() => true) as typeof process.stdout.write
  }
})

afterAll(async () => {
  process.stdout.write = realStdoutWrite
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key]
  Object.assign(process.env, savedEnv)
  await backend?.close()
  if (tmp) await fs.rm(tmp, { recursive: true, force: true })
})

describe('fake artifact backend driven by the real @actions/artifact client', () => {
  test('env() describes the current run and never sets GITHUB_TOKEN', () => {
    const env = backend.env()
    expect(env.GITHUB_RUN_ID).toBe(String(backend.currentRunId))
    expect(env.GITHUB_REPOSITORY).toBe(`${owner}/${repo}`)
    expect(env.GITHUB_API_URL).toBe(backend.apiUrl)
    expect(env.ACTIONS_RESULTS_URL).toBe(backend.resultsUrl)
    expect(env).not.toHaveProperty('GITHUB_TOKEN')
    const payload = JSON.parse(
      Buffer.from(env.ACTIONS_RUNTIME_TOKEN.split('.')[1], 'base64url').toString()
    )
    const run = backend.currentRun()
    expect(payload.scp).toContain(`Actions.Results:${run.runBackendId}:${run.jobBackendId}`)
  })

  test('uploads two files: stored zip holds their bytes, retention and digest are recorded', async () => {
    const dir = await newDir('two')
    const files = {
      'dump.sql': Buffer.from('-- PostgreSQL database dump\nSELECT 1;\n'),
      'meta/manifest.json': crypto.randomBytes(4096)
    }
    const paths = await writeFiles(dir, files)
    const before = Date.now()
    const result = await client.uploadArtifact('two-files', paths, dir, {
      retentionDays: 7,
      compressionLevel: 0
    })

    const stored = backend.findArtifact('two-files')
    expect(stored).toBeDefined()
    if (!stored) return
    expect(result.id).toBe(stored.id)
    expect(stored.runId).toBe(backend.currentRunId)
    expect(stored.finalized).toBe(true)
    expect(stored.size).toBe(stored.bytes.length)
    expect(result.size).toBe(stored.bytes.length)
    expect(stored.digest).toBe(sha256(stored.bytes))
    expect(result.digest).toBe(stored.digest)
    expect(stored.mimeType).toBe('application/zip')

    const entries = await unzipEntries(stored.bytes)
    expect([...entries.keys()].sort()).toEqual(['dump.sql', 'meta/manifest.json'])
    expect(entries.get('dump.sql')?.equals(files['dump.sql'])).toBe(true)
    expect(entries.get('meta/manifest.json')?.equals(files['meta/manifest.json'])).toBe(true)

    const sevenDays = 7 * 24 * 3600 * 1000
    expect(stored.expiresAt).toBeInstanceOf(Date)
    expect(stored.expiresAt!.getTime()).toBeGreaterThanOrEqual(before + sevenDays - 3_600_000)
    expect(stored.expiresAt!.getTime()).toBeLessThanOrEqual(Date.now() + sevenDays + 3_600_000)

    const seen = backend.requests.filter(
      r => r.path.includes('Artifact') || r.endpoint.startsWith('blob')
    )
    expect(seen.map(r => r.endpoint)).toEqual(
      expect.arrayContaining([
        'CreateArtifact',
        'blob:stageBlock',
        'blob:commitBlockList',
        'FinalizeArtifact'
      ])
    )
  })

  test('a ~20 MB upload is staged as several blocks, stored out of order and assembled in list order', async () => {
    const dir = await newDir('big')
    const data = crypto.randomBytes(20 * 1024 * 1024 + 12345)
    const [file] = await writeFiles(dir, { 'big.bin': data })
    // Hold the first block PUT after its body arrived, so later blocks are stored before it.
    backend.faults.delayNext('blob:stageBlock', 1, 1500)
    const result = await client.uploadArtifact('big', [file], dir, { compressionLevel: 0 })

    const stored = backend.findArtifact('big')
    if (!stored) throw new Error('big artifact not stored')
    expect(stored.blockCount).toBeGreaterThan(1)
    expect(stored.blocksReceivedOutOfOrder).toBe(true)
    expect(stored.blockArrivalOrder?.[0]).not.toBe(0)
    expect(stored.digest).toBe(sha256(stored.bytes))
    expect(result.digest).toBe(stored.digest)
    expect(result.size).toBe(stored.bytes.length)
    const entries = await unzipEntries(stored.bytes)
    expect(entries.get('big.bin')?.equals(data)).toBe(true)

    // and back down through the client
    const out = await newDir('big-out')
    const dl = await client.downloadArtifact(result.id!, { path: out })
    expect(dl.downloadPath).toBe(out)
    expect((await fs.readFile(path.join(out, 'big.bin'))).equals(data)).toBe(true)
  })

  test('a second upload with the same name in the same run fails with 409 naming the artifact', async () => {
    const dir = await newDir('dup')
    const [file] = await writeFiles(dir, { 'a.txt': Buffer.from('first') })
    await client.uploadArtifact('dup-name', [file], dir)
    const countBefore = backend.artifacts().filter(a => a.name === 'dup-name').length

    await expect(client.uploadArtifact('dup-name', [file], dir)).rejects.toThrow(
      /Failed to CreateArtifact: Received non-retryable error: Failed request: \(409\) Conflict: an artifact with this name already exists on the workflow run.*dup-name/
    )
    expect(backend.artifacts().filter(a => a.name === 'dup-name')).toHaveLength(countBefore)
    const conflict = backend.requests.filter(r => r.endpoint === 'CreateArtifact').at(-1)
    expect(conflict?.status).toBe(409)
  })

  test('deleteArtifact frees the name; getArtifact/listArtifacts(latest) return the re-upload', async () => {
    const dir = await newDir('del')
    const [file] = await writeFiles(dir, { 'v.txt': Buffer.from('version 1') })
    const first = await client.uploadArtifact('replace-me', [file], dir)

    const deleted = await client.deleteArtifact('replace-me')
    expect(deleted.id).toBe(first.id)
    expect(backend.artifacts().find(a => a.id === first.id)?.deleted).toBe(true)
    await expect(client.getArtifact('replace-me')).rejects.toThrow(/Artifact not found/)

    await fs.writeFile(file, 'version 2')
    const second = await client.uploadArtifact('replace-me', [file], dir)
    expect(second.id).toBeGreaterThan(first.id!)

    const got = await client.getArtifact('replace-me')
    expect(got.artifact.id).toBe(second.id)
    expect(got.artifact.size).toBe(second.size)
    // note: get/list report the digest WITH the "sha256:" prefix, uploadArtifact without it
    expect(got.artifact.digest).toBe(`sha256:${second.digest}`)
    expect(got.artifact.createdAt).toBeInstanceOf(Date)

    const listed = await client.listArtifacts({ latest: true })
    const names = listed.artifacts.map(a => a.name)
    expect(new Set(names).size).toBe(names.length)
    expect(listed.artifacts.find(a => a.name === 'replace-me')?.id).toBe(second.id)
    expect(listed.artifacts.map(a => a.id)).not.toContain(first.id)
    for (const a of listed.artifacts) {
      const stored = backend.artifacts().find(s => s.id === a.id)
      expect(stored?.runId).toBe(backend.currentRunId)
      expect(a.digest).toBe(`sha256:${stored?.digest}`)
    }
  })

  test('downloadArtifact of the current run (no findBy) writes the uploaded files', async () => {
    const dir = await newDir('cur')
    const files = { 'x/one.txt': Buffer.from('one'), 'two.bin': crypto.randomBytes(1000) }
    const paths = await writeFiles(dir, files)
    const up = await client.uploadArtifact('current-run', paths, dir)
    const { artifact } = await client.getArtifact('current-run')

    const out = await newDir('cur-out')
    const dl = await client.downloadArtifact(up.id!, { path: out, expectedHash: artifact.digest })
    expect(dl.digestMismatch).toBe(false)
    expect((await fs.readFile(path.join(out, 'x/one.txt'))).equals(files['x/one.txt'])).toBe(true)
    expect((await fs.readFile(path.join(out, 'two.bin'))).equals(files['two.bin'])).toBe(true)
    expect(backend.requests.map(r => r.endpoint)).toContain('GetSignedArtifactURL')
  })

  test('findBy finds and downloads a seeded artifact of another run through the REST API', async () => {
    const dump = crypto.randomBytes(50_000)
    const seeded = await backend.seedArtifact({
      name: 'nightly-backup',
      files: { 'backup.dump': dump, 'backup.sha256': `${sha256(dump)}  backup.dump\n` }
    })
    expect(seeded.runId).not.toBe(backend.currentRunId)
    const findBy = {
      token: backend.githubToken,
      workflowRunId: seeded.runId,
      repositoryOwner: owner,
      repositoryName: repo
    }

    // the current run's Twirp list does not see it
    const own = await client.listArtifacts()
    expect(own.artifacts.map(a => a.id)).not.toContain(seeded.id)

    const { artifact } = await client.getArtifact('nightly-backup', { findBy })
    expect(artifact.id).toBe(seeded.id)
    expect(artifact.size).toBe(seeded.bytes.length)
    expect(artifact.digest).toBe(`sha256:${seeded.digest}`)

    const listed = await client.listArtifacts({ findBy })
    expect(listed.artifacts.map(a => a.id)).toEqual([seeded.id])

    const out = await newDir('seeded-out')
    const dl = await client.downloadArtifact(seeded.id, {
      path: out,
      findBy,
      expectedHash: artifact.digest
    })
    expect(dl.digestMismatch).toBe(false)
    expect((await fs.readFile(path.join(out, 'backup.dump'))).equals(dump)).toBe(true)
    expect(await fs.readFile(path.join(out, 'backup.sha256'), 'utf8')).toBe(
      `${sha256(dump)}  backup.dump\n`
    )
    const zipReq = backend.requests.filter(r => r.endpoint === 'api:downloadArtifact').at(-1)
    expect(zipReq?.status).toBe(302)

    // REST list across runs, newest first, filtered by name
    const res = await fetch(
      `${backend.apiUrl}/repos/${owner}/${repo}/actions/artifacts?name=nightly-backup`,
      {
        headers: { authorization: `Bearer ${backend.githubToken}` }
      }
    )
    expect(res.status).toBe(200)
    const body = (await res.json()) as { total_count: number; artifacts: Record<string, unknown>[] }
    expect(body.total_count).toBe(1)
    expect(body.artifacts[0]).toMatchObject({
      id: seeded.id,
      name: 'nightly-backup',
      size_in_bytes: seeded.bytes.length,
      expired: false,
      digest: `sha256:${seeded.digest}`,
      workflow_run: { id: seeded.runId, repository_id: backend.repositoryId }
    })
  })

  test('findBy with a bad token fails with 401, a token without actions:read with 403', async () => {
    const seeded = await backend.seedArtifact({ name: 'guarded', files: { 'f.txt': 'x' } })
    const findBy = {
      workflowRunId: seeded.runId,
      repositoryOwner: owner,
      repositoryName: repo
    }
    await expect(
      client.getArtifact('guarded', { findBy: { ...findBy, token: 'ghs_wrong' } })
    ).rejects.toMatchObject({ status: 401, message: expect.stringContaining('Bad credentials') })
    await expect(
      client.getArtifact('guarded', { findBy: { ...findBy, token: NO_ACTIONS_TOKEN } })
    ).rejects.toMatchObject({
      status: 403,
      message: expect.stringContaining('Resource not accessible by integration')
    })
    await expect(
      client.downloadArtifact(seeded.id, {
        path: await newDir('guarded'),
        findBy: { ...findBy, token: 'nope' }
      })
    ).rejects.toMatchObject({ status: 401 })
    const unknownRepo = await fetch(`${backend.apiUrl}/repos/${owner}/missing/actions/artifacts`, {
      headers: { authorization: `token ${backend.githubToken}` }
    })
    expect(unknownRepo.status).toBe(404)
  })

  test('expired artifacts: REST lists them as expired and answers 410 to their zip', async () => {
    const seeded = await backend.seedArtifact({
      name: 'old-backup',
      files: { 'old.dump': 'old' },
      createdAt: new Date(Date.now() - 10 * 24 * 3600 * 1000),
      expiresAt: new Date(Date.now() - 24 * 3600 * 1000)
    })
    const findBy = {
      token: backend.githubToken,
      workflowRunId: seeded.runId,
      repositoryOwner: owner,
      repositoryName: repo
    }
    const { artifact } = await client.getArtifact('old-backup', { findBy })
    expect(artifact.id).toBe(seeded.id)

    const res = await fetch(
      `${backend.apiUrl}/repos/${owner}/${repo}/actions/artifacts/${seeded.id}`,
      {
        headers: { authorization: `Bearer ${backend.githubToken}` }
      }
    )
    const body = (await res.json()) as { expired: boolean; expires_at: string }
    expect(body.expired).toBe(true)
    expect(Date.parse(body.expires_at)).toBeLessThan(Date.now())

    await expect(
      client.downloadArtifact(seeded.id, { path: await newDir('expired'), findBy })
    ).rejects.toMatchObject({
      status: 410,
      message: expect.stringContaining('Artifact has expired')
    })

    // an artifact of the current run that expired is hidden from the Twirp list
    const dir = await newDir('exp-own')
    const [file] = await writeFiles(dir, { 'e.txt': Buffer.from('soon gone') })
    const up = await client.uploadArtifact('expires-now', [file], dir)
    backend.patchArtifact(up.id!, { expiresAt: new Date(Date.now() - 1000) })
    await expect(client.getArtifact('expires-now')).rejects.toThrow(/Artifact not found/)
  })

  test('signed blob URLs and runtime tokens are checked', async () => {
    const seeded = await backend.seedArtifact({ name: 'signed', files: { 's.txt': 'signed' } })
    const good = await fetch(backend.signedDownloadUrl(seeded.id))
    expect(good.status).toBe(200)
    expect(good.headers.get('content-type')).toBe('application/zip')
    expect(Number(good.headers.get('content-length'))).toBe(seeded.bytes.length)
    expect(Buffer.from(await good.arrayBuffer()).equals(seeded.bytes)).toBe(true)

    const tampered = new URL(backend.signedDownloadUrl(seeded.id))
    tampered.searchParams.set('sig', 'AAAA' + tampered.searchParams.get('sig')!.slice(4))
    expect((await fetch(tampered)).status).toBe(403)
    const expired = await fetch(backend.signedDownloadUrl(seeded.id, -60_000))
    expect(expired.status).toBe(403)
    expect(expired.headers.get('x-ms-error-code')).toBe('AuthenticationFailed')

    const twirp = `${backend.url}/twirp/github.actions.results.api.v1.ArtifactService/ListArtifacts`
    const run = backend.currentRun()
    const reqBody = JSON.stringify({
      workflow_run_backend_id: run.runBackendId,
      workflow_job_run_backend_id: run.jobBackendId
    })
    const forged = await fetch(twirp, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer a.b.c' },
      body: reqBody
    })
    expect(forged.status).toBe(401)
    expect(await forged.json()).toMatchObject({ code: 'unauthenticated' })
    const ok = await fetch(twirp, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${backend.runtimeToken()}`
      },
      body: reqBody
    })
    expect(ok.status).toBe(200)
    const list = (await ok.json()) as { artifacts: { database_id: string; digest: string }[] }
    expect(list.artifacts.length).toBeGreaterThan(0)
    expect(typeof list.artifacts[0].database_id).toBe('string')
    expect(list.artifacts[0].digest).toMatch(/^sha256:[0-9a-f]{64}$/)
  })

  test('fault: one 503 on a block PUT is retried at once by the Azure SDK', async () => {
    backend.newRun()
    applyEnv()
    const dir = await newDir('fault-blob')
    const [file] = await writeFiles(dir, { 'f.txt': Buffer.from('retry me') })
    backend.faults.failNext('blob:stageBlock', 1, 503)
    const started = Date.now()
    const up = await client.uploadArtifact('blob-503', [file], dir)
    expect(Date.now() - started).toBeLessThan(3000)
    expect(backend.faults.pending()).toBe(0)
    const stages = backend.requests.filter(r => r.endpoint === 'blob:stageBlock').slice(-2)
    expect(stages.map(r => r.status)).toEqual([503, 201])
    const stored = backend.findArtifact('blob-503', backend.currentRunId)
    expect(stored?.id).toBe(up.id)
    expect((await unzipEntries(stored!.bytes)).get('f.txt')?.toString()).toBe('retry me')
  })

  test('fault: storage quota error on CreateArtifact fails at once with the usage message', async () => {
    const dir = await newDir('quota')
    const [file] = await writeFiles(dir, { 'q.txt': Buffer.from('q') })
    backend.faults.quotaExceeded()
    const started = Date.now()
    await expect(client.uploadArtifact('quota-hit', [file], dir)).rejects.toThrow(
      /Failed to CreateArtifact: Artifact storage quota has been hit/
    )
    expect(Date.now() - started).toBeLessThan(2000)
    expect(backend.artifacts().some(a => a.name === 'quota-hit')).toBe(false)
  })

  test('fault: a 503 on CreateArtifact is retried by the Twirp client after ~3 s', async () => {
    const dir = await newDir('fault-twirp')
    const [file] = await writeFiles(dir, { 't.txt': Buffer.from('twirp') })
    backend.faults.failNext('CreateArtifact', 1, 503)
    const started = Date.now()
    const up = await client.uploadArtifact('twirp-503', [file], dir)
    const elapsed = Date.now() - started
    expect(elapsed).toBeGreaterThanOrEqual(2900)
    expect(elapsed).toBeLessThan(6000)
    const creates = backend.requests.filter(r => r.endpoint === 'CreateArtifact').slice(-2)
    expect(creates.map(r => r.status)).toEqual([503, 200])
    expect(backend.findArtifact('twirp-503')?.id).toBe(up.id)
  })
})
