/**
 * An artifact's manifest.json read without downloading the backup: GitHub's REST API redirects
 * `GET /repos/{owner}/{repo}/actions/artifacts/{id}/zip` to the blob that holds the zip (a signed
 * URL), and the blob store answers HTTP range requests. So the zip's end record, its central
 * directory and the manifest's entry are fetched — a few KB, whatever the dump's size — for the
 * comparison with the previous backup and the freshness check.
 *
 * Sources: APPNOTE.TXT (PKWARE's .ZIP File Format Specification, 4.3.12–4.3.16 and 4.5.3 for
 * ZIP64); https://docs.github.com/rest/actions/artifacts#download-an-artifact.
 */
import type { DefaultArtifactClient } from '@actions/artifact'
import { inflateRawSync } from 'node:zlib'
import { EngineError } from '../errors.js'
import { holdingLines } from '../log.js'
import { MANIFEST_FILE, type Manifest, parseManifest } from '../manifest.js'
import {
  type FoundArtifact,
  NoBackupArtifactError,
  artifactNamesFor,
  findBackupArtifact
} from './artifact.js'
import { MAX_SIGNATURE_BYTES, SIGNATURE_FILE } from './signing.js'

/** A manifest larger than this is refused (ours are a few KB; a hostile one is not read). */
const MANIFEST_LIMIT = 4 * 1024 * 1024
/** The end of central directory record, and the most a zip comment can add to it. */
const EOCD_SIZE = 22
const TAIL_BYTES = EOCD_SIZE + 0xffff + 20
/** Each request's time limit, in milliseconds. */
const REQUEST_TIMEOUT_MS = 30_000

export class RemoteManifestError extends EngineError {
  constructor(message: string) {
    super(message)
    this.name = 'RemoteManifestError'
  }
}

/** Reads manifest.json out of the artifact's zip by range requests; never the dump. */
export async function readArtifactManifest(
  found: FoundArtifact,
  token: string,
  apiUrl: string = process.env.GITHUB_API_URL || 'https://api.github.com'
): Promise<Manifest> {
  return (await readArtifactManifestFile(found, token, { apiUrl })).manifest
}

/** An artifact's manifest as stored (its exact bytes) and, when asked, the signature beside it. */
export interface RemoteManifest {
  manifest: Manifest
  manifestBytes: Buffer
  /** manifest.json.sig's bytes; undefined when the zip has none (or it was not asked for). */
  signature?: Buffer
}

/**
 * manifest.json — and with `signature`, manifest.json.sig (at most MAX_SIGNATURE_BYTES) — out of
 * the artifact's zip by range requests; never the dump.
 */
export async function readArtifactManifestFile(
  found: FoundArtifact,
  token: string,
  options: { apiUrl?: string; signature?: boolean } = {}
): Promise<RemoteManifest> {
  const apiUrl = options.apiUrl ?? (process.env.GITHUB_API_URL || 'https://api.github.com')
  const blob = await blobUrl(found, token, apiUrl)
  const size = found.size ?? (await blobSize(blob))
  const tailStart = Math.max(0, size - TAIL_BYTES)
  const tail = await readRange(blob, tailStart, size - tailStart)
  const { cdOffset, cdSize } = await findCentralDirectory(blob, tail, tailStart)
  const cd =
    cdOffset >= tailStart
      ? tail.subarray(cdOffset - tailStart, cdOffset - tailStart + cdSize)
      : await readRange(blob, cdOffset, cdSize)
  const entry = findEntry(cd, MANIFEST_FILE)
  if (!entry) {
    throw new RemoteManifestError(`artifact ${found.id} has no ${MANIFEST_FILE}`)
  }
  const content = await readEntry(blob, found, MANIFEST_FILE, entry, MANIFEST_LIMIT)
  let json: unknown
  try {
    json = JSON.parse(content.toString('utf8'))
  } catch (error) {
    throw new RemoteManifestError(
      `the ${MANIFEST_FILE} of artifact ${found.id} is not JSON: ${(error as Error).message}`
    )
  }
  const result: RemoteManifest = { manifest: parseManifest(json), manifestBytes: content }
  const signatureEntry = options.signature ? findEntry(cd, SIGNATURE_FILE) : undefined
  if (signatureEntry) {
    result.signature = await readEntry(
      blob,
      found,
      SIGNATURE_FILE,
      signatureEntry,
      MAX_SIGNATURE_BYTES
    )
  }
  return result
}

/** One entry's content (stored or deflated), refused when larger than `limit` bytes. */
async function readEntry(
  blob: string,
  found: FoundArtifact,
  name: string,
  entry: CentralEntry,
  limit: number
): Promise<Buffer> {
  if (entry.compressedSize > limit || entry.size > limit) {
    throw new RemoteManifestError(
      `the ${name} of artifact ${found.id} is ${entry.size} bytes: not a ${name} of this action`
    )
  }
  // the local header's name and extra field may differ in length from the central directory's
  const head = await readRange(blob, entry.localOffset, 30 + 0xffff * 2 + entry.compressedSize)
  if (head.readUInt32LE(0) !== 0x04034b50) {
    throw new RemoteManifestError(`artifact ${found.id}: ${name} has no local header`)
  }
  const start = 30 + head.readUInt16LE(26) + head.readUInt16LE(28)
  const data = head.subarray(start, start + entry.compressedSize)
  if (entry.method === 0) return data
  if (entry.method === 8) return inflateRawSync(data, { maxOutputLength: limit })
  throw new RemoteManifestError(`artifact ${found.id}: ${name} uses zip method ${entry.method}`)
}

/** The signed blob URL the REST API redirects the zip's download to. */
async function blobUrl(found: FoundArtifact, token: string, apiUrl: string): Promise<string> {
  const url = `${apiUrl.replace(/\/+$/, '')}/repos/${found.repository}/actions/artifacts/${found.id}/zip`
  const response = await fetch(url, {
    redirect: 'manual',
    headers: {
      authorization: `Bearer ${token}`,
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28'
    },
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS)
  })
  await response.body?.cancel().catch(() => undefined)
  const location = response.headers.get('location')
  if (response.status < 300 || response.status >= 400 || !location) {
    throw new RemoteManifestError(
      `GitHub's API answered ${response.status} for the download of artifact ${found.id}${response.status === 403 || response.status === 404 ? " (the token needs 'actions: read')" : ''}`
    )
  }
  return new URL(location, url).href
}

async function blobSize(url: string): Promise<number> {
  const response = await fetch(url, {
    headers: { range: 'bytes=0-0' },
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS)
  })
  await response.body?.cancel().catch(() => undefined)
  const total = /\/(\d+)$/.exec(response.headers.get('content-range') ?? '')
  if (!total) throw new RemoteManifestError('the artifact store does not tell its size')
  return Number(total[1])
}

/** `length` bytes from `offset` (fewer at the blob's end). */
async function readRange(url: string, offset: number, length: number): Promise<Buffer> {
  const response = await fetch(url, {
    headers: { range: `bytes=${offset}-${offset + length - 1}` },
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS)
  })
  if (response.status !== 206 && !(response.status === 200 && offset === 0)) {
    await response.body?.cancel().catch(() => undefined)
    throw new RemoteManifestError(
      `the artifact store answered ${response.status} to a range request`
    )
  }
  const body = Buffer.from(await response.arrayBuffer())
  return body.subarray(0, length)
}

/** The central directory's place, from the end record (ZIP64's when the zip needs it). */
async function findCentralDirectory(
  url: string,
  tail: Buffer,
  tailStart: number
): Promise<{ cdOffset: number; cdSize: number }> {
  let eocd = -1
  for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
    if (tail.readUInt32LE(i) === 0x06054b50) {
      eocd = i
      break
    }
  }
  if (eocd < 0) throw new RemoteManifestError('the artifact is not a zip (no end record)')
  let cdSize = tail.readUInt32LE(eocd + 12)
  let cdOffset = tail.readUInt32LE(eocd + 16)
  if (cdOffset === 0xffffffff || cdSize === 0xffffffff) {
    const locator = eocd - 20
    if (locator < 0 || tail.readUInt32LE(locator) !== 0x07064b50) {
      throw new RemoteManifestError('the artifact zip lacks its ZIP64 locator')
    }
    const recordOffset = Number(tail.readBigUInt64LE(locator + 8))
    const record =
      recordOffset >= tailStart
        ? tail.subarray(recordOffset - tailStart)
        : await readRange(url, recordOffset, 56)
    if (record.readUInt32LE(0) !== 0x06064b50) {
      throw new RemoteManifestError('the artifact zip lacks its ZIP64 end record')
    }
    cdSize = Number(record.readBigUInt64LE(40))
    cdOffset = Number(record.readBigUInt64LE(48))
  }
  return { cdOffset, cdSize }
}

interface CentralEntry {
  method: number
  compressedSize: number
  size: number
  localOffset: number
}

function findEntry(cd: Buffer, name: string): CentralEntry | undefined {
  let p = 0
  while (p + 46 <= cd.length && cd.readUInt32LE(p) === 0x02014b50) {
    const nameLength = cd.readUInt16LE(p + 28)
    const extraLength = cd.readUInt16LE(p + 30)
    const commentLength = cd.readUInt16LE(p + 32)
    const entryName = cd.toString('utf8', p + 46, p + 46 + nameLength)
    if (entryName === name) {
      const entry: CentralEntry = {
        method: cd.readUInt16LE(p + 10),
        compressedSize: cd.readUInt32LE(p + 20),
        size: cd.readUInt32LE(p + 24),
        localOffset: cd.readUInt32LE(p + 42)
      }
      readZip64Extra(cd.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength), entry)
      return entry
    }
    p += 46 + nameLength + extraLength + commentLength
  }
  return undefined
}

/** ZIP64's extra field (id 1) holds, in this order, each value the entry marks 0xffffffff. */
function readZip64Extra(extra: Buffer, entry: CentralEntry): void {
  for (let q = 0; q + 4 <= extra.length;) {
    const id = extra.readUInt16LE(q)
    const length = extra.readUInt16LE(q + 2)
    if (id === 1) {
      let r = q + 4
      const next = (): number => {
        const value = Number(extra.readBigUInt64LE(r))
        r += 8
        return value
      }
      if (entry.size === 0xffffffff) entry.size = next()
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = next()
      if (entry.localOffset === 0xffffffff) entry.localOffset = next()
      return
    }
    q += 4 + length
  }
}

/**
 * The manifest of the newest backup of `name` in the repository made by another run than this
 * one, or undefined (with the reason logged) when there is none or it cannot be read. Never
 * rejects: the comparison it feeds is advice, not a condition of the backup.
 */
export async function previousBackupManifest(
  client: DefaultArtifactClient,
  options: { name: string; repository: string; token: string },
  currentRunId: number | undefined,
  timeoutMs = 60_000
): Promise<PreviousBackup> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<PreviousBackup>(resolve => {
    timer = setTimeout(() => {
      resolve({
        skipped: `GitHub did not answer within ${timeoutMs / 1000} s when asked for the previous backup, so this backup was not compared with it (no row-loss warning)`
      })
    }, timeoutMs)
    timer.unref()
  })
  // its lines (the artifact chosen, those passed over) are shown when the backup compares
  const lookUp = holdingLines(() => lookUpPrevious(client, options, currentRunId)).then(
    ({ result, lines }) => ({ ...result, lines })
  )
  try {
    return await Promise.race([late, lookUp])
  } finally {
    clearTimeout(timer)
  }
}

async function lookUpPrevious(
  client: DefaultArtifactClient,
  options: { name: string; repository: string; token: string },
  currentRunId: number | undefined
): Promise<PreviousBackup> {
  try {
    const artifact = await findBackupArtifact(client, {
      kind: 'artifact',
      name: options.name,
      runId: 'latest',
      repository: options.repository,
      token: options.token
    })
    if (currentRunId !== undefined && artifact.runId === currentRunId)
      return { none: 'The newest backup of this name is of this run: nothing to compare with.' }
    return { artifact, manifest: await readArtifactManifest(artifact, options.token) }
  } catch (error) {
    const message = (error as Error).message.split('\n')[0]
    // the first backup of this name: nothing to compare with, as expected (not the restore's
    // "Check artifact-name …", which read as a misconfiguration on the first night: trial u30 F6)
    if (error instanceof NoBackupArtifactError)
      return {
        none: `No comparison with the previous backup: this is the first backup named '${options.name}' in ${options.repository} (no earlier one was found). If earlier backups were uploaded under another artifact-name, set this one to theirs to compare with them.`
      }
    return { skipped: previousUnreadable(message) }
  }
}

/**
 * The previous backup, nothing to compare with (undefined: the first of its name, or of this
 * run), or why it could not be read (the caller warns: a row loss would go unnoticed).
 */
/**
 * The previous backup and its manifest; or why it was not read (`skipped`: a warning) or there
 * is none to read (`none`: a line for the log). Nothing is logged while the lookup runs in the
 * background: the backup says it when it compares (a backup that failed first says nothing of it).
 */
export type PreviousBackup = (
  { artifact: FoundArtifact; manifest: Manifest } | { skipped: string } | { none: string }
) & {
  /** What the lookup would have logged as it ran, held until the backup compares. */
  lines?: string[]
}

/** Why the previous backup could not be read, and what to do (the permission, for a 403). */
export function previousUnreadable(message: string): string {
  const forbidden = /\b403\b|forbidden|not accessible by integration|resource not accessible/i.test(
    message
  )
  return forbidden
    ? `the token may not read this repository's artifacts (HTTP 403), so this backup was not compared with the previous one (no row-loss warning). Add 'actions: read' to the workflow's (or the job's) permissions: — with 'permissions:' set, every permission not listed is none`
    : `the previous backup could not be read (${message}), so this backup was not compared with it (no row-loss warning). If the token lacks it, add 'actions: read' to the workflow's (or the job's) permissions:`
}

/** What the backup artifacts of one name occupy in the repository now (GitHub's storage). */
export interface ArtifactStorage {
  /** Live (not expired) artifacts of the name (and its pre-0.2 name). */
  count: number
  /** Their sizes added up, in bytes. */
  bytes: number
}

/**
 * Adds up the live artifacts of `name` in the repository through the REST API
 * (GET /repos/{owner}/{repo}/actions/artifacts?name=…), at most 1,000 of them; undefined when
 * the API cannot be asked (no token, no actions: read), never an error.
 */
export async function artifactStorage(
  options: { name: string; repository: string; token: string },
  apiUrl: string = process.env.GITHUB_API_URL || 'https://api.github.com'
): Promise<ArtifactStorage | undefined> {
  const total: ArtifactStorage = { count: 0, bytes: 0 }
  try {
    for (const name of artifactNamesFor(options.name)) {
      for (let page = 1; page <= 10; page++) {
        const url = `${apiUrl.replace(/\/+$/, '')}/repos/${options.repository}/actions/artifacts?name=${encodeURIComponent(name)}&per_page=100&page=${page}`
        const response = await fetch(url, {
          headers: {
            authorization: `Bearer ${options.token}`,
            accept: 'application/vnd.github+json',
            'x-github-api-version': '2022-11-28'
          },
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS)
        })
        if (!response.ok) {
          await response.body?.cancel().catch(() => undefined)
          return undefined
        }
        const body = (await response.json()) as {
          artifacts?: Array<{ name: string; size_in_bytes: number; expired: boolean }>
        }
        const artifacts = body.artifacts ?? []
        for (const a of artifacts) {
          if (a.name === name && !a.expired) {
            total.count++
            total.bytes += a.size_in_bytes
          }
        }
        if (artifacts.length < 100) break
      }
    }
  } catch {
    return undefined
  }
  return total
}
