/**
 * The restore loads an artifact's dump while it downloads (fetch.ts fetchArtifactLive, restore.ts
 * loadWhileDownloading), with the real artifact client and the loopback backend sending the zip
 * slowly: it restores the same data as a download-first restore; a backup damaged where only
 * the whole download shows it — its dump's last bytes, its manifest — fails naming the damage
 * and leaves the target as it was (the load was stopped before it could commit); a download
 * cut midway and retried by the client still restores the right data; a run cancelled while it
 * loads and downloads commits nothing and leaves nothing behind.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { type ArtifactBackend, unzipEntries } from '../../dev/artifact-backend.js'
import { tableChecksums } from '../../dev/fixtures.js'
import type { TestServer } from '../../dev/postgres.js'
import { ZipWriter } from '../../src/storage/zip-writer.js'
import type { BackupSource } from '../../src/types.js'
import { readdirSync } from 'node:fs'
import { useHarness } from '../support/harness.js'
import { seedLiveSized } from '../support/sources.js'
import { startActionProcess } from '../support/step.js'
import { testBackupInputs, testRestoreInputs } from '../support/inputs.js'

const harness = useHarness({ name: 'restore-overlap' })
let server: TestServer
let backend: ArtifactBackend
let source: string
/** The action's own artifact of `source`: its zip, its dump's name and its manifest. */
let zip: Buffer
let dumpName: string
let manifest: { file: { name: string; sha256: string; sizeBytes: number }; [k: string]: unknown }

/** Bytes per second the backend sends a paced download at (the dump takes about 2 s). */
const PACE = 15_000_000

beforeAll(async () => {
  ;({ server, backend } = harness)
  source = await server.createDatabase('overlap')
  // a zstd dump of some 30 MB (the head is checked with 16 MiB after it)
  await seedLiveSized(server, source)
  await harness.backup(
    testBackupInputs(server.url(source), { artifactName: 'overlap', compression: 'zstd' })
  )
  zip = backend.findArtifact('overlap.zip')!.bytes
  const entries = await unzipEntries(zip)
  manifest = JSON.parse(entries.get('manifest.json')!.toString('utf8')) as typeof manifest
  dumpName = manifest.file.name
  expect(manifest.file.sizeBytes).toBeGreaterThan(24 * 1024 * 1024)
}, 600_000)

function artifact(name: string): BackupSource {
  return {
    kind: 'artifact',
    name,
    runId: 'latest',
    repository: backend.repository,
    token: backend.githubToken
  }
}

/** The zip the action writes, of `dump` and `manifestText` (the dump stored first). */
async function actionZip(dump: Buffer, manifestText: string): Promise<Buffer> {
  const writer = new ZipWriter()
  const chunks: Buffer[] = []
  writer.output.on('data', (chunk: Buffer) => chunks.push(chunk))
  const ended = new Promise(resolve => writer.output.on('end', resolve))
  const entry = writer.entry(dumpName)
  entry.end(dump)
  await new Promise(resolve => entry.on('finish', resolve))
  writer.add('manifest.json', manifestText)
  writer.finalize()
  await ended
  return Buffer.concat(chunks)
}

/** A restore of `name` into a new database, the log's lines captured. */
async function restoreInto(
  name: string
): Promise<{ target: string; lines: string; result: Promise<unknown> }> {
  const target = await server.createDatabase()
  let lines = ''
  const write = process.stdout.write.bind(process.stdout)
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    lines += String(chunk)
    return (write as (...args: unknown[]) => boolean)(chunk, ...rest)
  }) as typeof process.stdout.write
  const result = harness.restore(testRestoreInputs(server.url(target), artifact(name)))
  const settled = result.then(
    () => undefined,
    () => undefined
  )
  const holder = { target, lines: '', result }
  void settled.finally(() => {
    process.stdout.write = write
    holder.lines = lines
  })
  await settled
  return holder
}

async function tablesOf(database: string): Promise<string[]> {
  const rows = (await server.query(
    database,
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`
  )) as Array<{ table_name: string }>
  return rows.map(r => r.table_name)
}

describe('a restore that loads the artifact while it downloads', () => {
  it('restores the same data as the source, and says it loaded while downloading', async () => {
    backend.faults.paceNextDownload(1, PACE)
    const run = await restoreInto('overlap')
    await run.result
    expect(run.lines).toMatch(/checked and loaded as it downloads/)
    expect(run.lines).toMatch(/The whole backup is checked: the load may commit/)
    expect(await tableChecksums(server, run.target)).toEqual(await tableChecksums(server, source))
  }, 300_000)

  it('a dump damaged in its last bytes (its zip consistent): fails naming it, nothing restored', async () => {
    const entries = await unzipEntries(zip)
    const dump = Buffer.from(entries.get(dumpName)!)
    dump[dump.length - 200] ^= 0xff
    await backend.seedArtifact({
      name: 'overlap-damaged.zip',
      bytes: await actionZip(dump, entries.get('manifest.json')!.toString('utf8'))
    })
    backend.faults.paceNextDownload(1, PACE)
    const run = await restoreInto('overlap-damaged')
    await expect(run.result).rejects.toThrow(/does not match its manifest/)
    expect(run.lines).toMatch(/checked and loaded as it downloads/)
    expect(await tablesOf(run.target)).toEqual([])
  }, 300_000)

  it('a manifest that does not describe the dump: fails naming it, nothing restored', async () => {
    const entries = await unzipEntries(zip)
    const wrong = {
      ...manifest,
      file: { ...manifest.file, sha256: createHash('sha256').update('another').digest('hex') }
    }
    await backend.seedArtifact({
      name: 'overlap-manifest.zip',
      bytes: await actionZip(entries.get(dumpName)!, JSON.stringify(wrong, null, 2))
    })
    backend.faults.paceNextDownload(1, PACE)
    const run = await restoreInto('overlap-manifest')
    await expect(run.result).rejects.toThrow(/does not match its manifest/)
    expect(run.lines).toMatch(/checked and loaded as it downloads/)
    expect(await tablesOf(run.target)).toEqual([])
  }, 300_000)

  it("the zip damaged in the dump's last bytes (its CRC-32 fails): fails naming it, nothing restored", async () => {
    const damaged = Buffer.from(zip)
    const offset = 30 + damaged.readUInt16LE(26) + damaged.readUInt16LE(28)
    damaged[offset + manifest.file.sizeBytes - 100] ^= 0xff
    await backend.seedArtifact({ name: 'overlap-crc.zip', bytes: damaged })
    backend.faults.paceNextDownload(1, PACE)
    const run = await restoreInto('overlap-crc')
    await expect(run.result).rejects.toThrow(/CRC-32|corrupted/)
    expect(await tablesOf(run.target)).toEqual([])
  }, 300_000)

  it('a download cut midway and retried by the client: restores the right data', async () => {
    // the first GET stops after 20 MB (the client gives up on it after 30 s and retries)
    backend.faults.paceNextDownload(1, PACE, 20 * 1024 * 1024)
    const run = await restoreInto('overlap')
    await run.result
    expect(await tableChecksums(server, run.target)).toEqual(await tableChecksums(server, source))
  }, 300_000)

  it('cancelled (SIGTERM) while it loads and downloads: nothing committed, nothing left', async () => {
    // about 10 s of download: the load copies rows long before it ends
    backend.faults.paceNextDownload(1, 5_000_000)
    const target = await server.createDatabase()
    const step = startActionProcess(harness, {
      mode: 'restore',
      'database-url': server.url(target),
      'artifact-name': 'overlap',
      'run-id': 'current'
    })
    const copying = async (): Promise<number> => {
      const rows = (await server.query(
        'postgres',
        `SELECT count(*)::text AS n FROM pg_stat_activity
          WHERE datname = $1 AND query LIKE 'COPY %' AND pid <> pg_backend_pid()`,
        [target]
      )) as Array<{ n: string }>
      return Number(rows[0].n)
    }
    const deadline = Date.now() + 120_000
    while ((await copying()) === 0) {
      if (Date.now() > deadline || step.child.exitCode !== null)
        throw new Error(`the load did not begin\n${step.stdout()}`)
      await new Promise(resolve => setTimeout(resolve, 20))
    }
    expect(step.stdout()).toMatch(/checked and loaded as it downloads/)
    expect(step.stdout()).not.toMatch(/The whole backup is checked/)
    step.child.kill('SIGTERM')
    expect(await step.exited).toBe(1)
    expect(step.stdout()).toMatch(/::error::the run was cancelled \(SIGTERM\)/)
    for (const until = Date.now() + 20_000; Date.now() < until;) {
      const rows = (await server.query(
        'postgres',
        'SELECT count(*)::text AS n FROM pg_stat_activity WHERE datname = $1',
        [target]
      )) as Array<{ n: string }>
      if (rows[0].n === '0') break
      await new Promise(resolve => setTimeout(resolve, 50))
    }
    expect(await tablesOf(target)).toEqual([])
    expect(readdirSync(step.runnerTemp)).toEqual([])
  }, 300_000)
})
