/**
 * Verify loads an artifact's dump into its scratch database while it downloads, as restore does
 * (fetch.ts fetchArtifactLive, restore.ts loadWhileDownloading), its digest taken by a second
 * `zstd -d` fed the very bytes the load's zstd gets (direct-pipe.ts SideCopy): with the real
 * artifact client and the loopback backend sending the zip slowly, a good backup verifies equal
 * (its data digested as the load read it, not read again); a change in the scratch database after
 * the load is found; a backup damaged where only the whole download shows it fails naming the
 * check, with nothing committed in the scratch database; a download the client cut and retried
 * is loaded again from the whole file and still compared from the load's own read.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { type ArtifactBackend, unzipEntries } from '../../dev/artifact-backend.js'
import type { TestServer } from '../../dev/postgres.js'
import { ZipWriter } from '../../src/storage/zip-writer.js'
import type { BackupSource } from '../../src/types.js'
import type { VerifyDependencies, VerifyResult } from '../../src/modes/verify.js'
import { useHarness } from '../support/harness.js'
import { testBackupInputs, testRestoreInputs } from '../support/inputs.js'

const harness = useHarness({ name: 'verify-overlap' })
let server: TestServer
let backend: ArtifactBackend
let source: string
let zip: Buffer
let dumpName: string
let manifest: { file: { name: string; sha256: string; sizeBytes: number }; [k: string]: unknown }

/** Bytes per second the backend sends a paced download at (the dump takes about 2 s). */
const PACE = 15_000_000

beforeAll(async () => {
  ;({ server, backend } = harness)
  source = await server.createDatabase('voverlap')
  // rows of hex digests: a zstd dump of some 30 MB (the head is checked with 16 MiB after it)
  await server.query(
    source,
    `CREATE TABLE public.items (id integer PRIMARY KEY, a text NOT NULL, b text NOT NULL);
     INSERT INTO public.items
       SELECT i, md5(i::text) || md5((i * 7)::text), md5((i * 13)::text) || md5((i * 17)::text)
         FROM generate_series(1, 700000) i;
     CREATE TABLE public.small (id serial PRIMARY KEY, note text);
     INSERT INTO public.small (note) VALUES ('one'), ('two');
     COMMENT ON TABLE public.small IS 'two rows';`
  )
  await harness.backup(
    testBackupInputs(server.url(source), { artifactName: 'voverlap', compression: 'zstd' })
  )
  // the same with a large object: its load goes through the script gate into psql, which does
  // not read the download live (the whole file is loaded once the download was checked)
  const withBlob = 'voverlap_lo'
  await server.query('postgres', `CREATE DATABASE ${withBlob} TEMPLATE ${source}`)
  await server.query(withBlob, `SELECT lo_from_bytea(0, 'a large object')`)
  await harness.backup(
    testBackupInputs(server.url(withBlob), { artifactName: 'voverlap-lo', compression: 'zstd' })
  )
  zip = backend.findArtifact('voverlap.zip')!.bytes
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

/** A verify of `name` into a new scratch database, the log's lines captured. */
async function verifyInto(
  name: string,
  deps: (scratch: string) => VerifyDependencies = () => ({})
): Promise<{ scratch: string; lines: string; result: Promise<VerifyResult> }> {
  const scratch = await server.createDatabase()
  let lines = ''
  const write = process.stdout.write.bind(process.stdout)
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    lines += String(chunk)
    return (write as (...args: unknown[]) => boolean)(chunk, ...rest)
  }) as typeof process.stdout.write
  const result = harness.verify(
    testRestoreInputs(server.url(scratch), artifact(name), { mode: 'verify' }),
    deps(scratch)
  )
  await result.then(
    () => undefined,
    () => undefined
  )
  process.stdout.write = write
  return { scratch, lines, result }
}

async function tablesOf(database: string): Promise<string[]> {
  const rows = (await server.query(
    database,
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`
  )) as Array<{ table_name: string }>
  return rows.map(r => r.table_name)
}

describe('verify loading the artifact while it downloads', () => {
  it("verifies equal, its digest taken from the load's own read of the download", async () => {
    backend.faults.paceNextDownload(1, PACE)
    const run = await verifyInto('voverlap')
    const result = await run.result
    expect(run.lines).toMatch(/checked and loaded as it downloads/)
    expect(run.lines).toMatch(/The whole backup is checked: the load may commit/)
    expect(run.lines).toMatch(/data blocks were digested as the restore read them/)
    const comparison = result.equality.comparison!
    expect(comparison).toBeDefined()
    expect(comparison.tablesCompared).toBe(2)
    expect(comparison.tablesEqual).toBe(2)
    expect(comparison.objectsCompared).toBeGreaterThan(5)
    expect(comparison.objectsEqual).toBe(comparison.objectsCompared)
    expect(comparison.differences.filter(d => !d.expectedBecause)).toEqual([])
    expect(result.tables.find(t => t.name === 'items')?.rows).toBe(700000)
  }, 300_000)

  it('a backup whose load takes the script gate (a large object): loaded from the whole download, verified equal', async () => {
    backend.faults.paceNextDownload(1, PACE)
    const run = await verifyInto('voverlap-lo')
    const result = await run.result
    expect(run.lines).toMatch(/checked and loaded as it downloads/)
    expect(run.lines).toMatch(/Loading through the script gate into psql/)
    expect(run.lines).not.toMatch(/The whole backup is checked: the load may commit/)
    expect(run.lines).toMatch(/data blocks were digested as the restore read them/)
    const comparison = result.equality.comparison!
    expect(comparison.tablesEqual).toBe(2)
    expect(comparison.largeObjects).toBe(1)
    expect(comparison.largeObjectsEqual).toBe(true)
    expect(comparison.differences.filter(d => !d.expectedBecause)).toEqual([])
  }, 300_000)

  it('finds a row changed in the scratch database after the live load', async () => {
    backend.faults.paceNextDownload(1, PACE)
    const run = await verifyInto('voverlap', scratch => ({
      beforeCompare: async () => {
        await server.query(scratch, `UPDATE public.items SET a = 'changed' WHERE id = 4242`)
      }
    }))
    await expect(run.result).rejects.toThrow(/TABLE DATA public\.items/)
    expect(run.lines).toMatch(/The whole backup is checked: the load may commit/)
    expect(run.lines).toMatch(/data blocks were digested as the restore read them/)
  }, 300_000)

  it('a dump damaged in its last bytes (its zip consistent): fails naming it, nothing committed', async () => {
    const entries = await unzipEntries(zip)
    const dump = Buffer.from(entries.get(dumpName)!)
    dump[dump.length - 200] ^= 0xff
    await backend.seedArtifact({
      name: 'voverlap-damaged.zip',
      bytes: await actionZip(dump, entries.get('manifest.json')!.toString('utf8'))
    })
    backend.faults.paceNextDownload(1, PACE)
    const run = await verifyInto('voverlap-damaged')
    await expect(run.result).rejects.toThrow(/does not match its manifest/)
    expect(run.lines).toMatch(/zstd -d writing into it/)
    expect(run.lines).not.toMatch(/The whole backup is checked/)
    expect(await tablesOf(run.scratch)).toEqual([])
  }, 300_000)

  it('a manifest that does not describe the dump: fails naming it, nothing committed', async () => {
    const entries = await unzipEntries(zip)
    const wrong = {
      ...manifest,
      file: { ...manifest.file, sha256: createHash('sha256').update('another').digest('hex') }
    }
    await backend.seedArtifact({
      name: 'voverlap-manifest.zip',
      bytes: await actionZip(entries.get(dumpName)!, JSON.stringify(wrong, null, 2))
    })
    backend.faults.paceNextDownload(1, PACE)
    const run = await verifyInto('voverlap-manifest')
    await expect(run.result).rejects.toThrow(/does not match its manifest/)
    expect(run.lines).toMatch(/zstd -d writing into it/)
    expect(await tablesOf(run.scratch)).toEqual([])
  }, 300_000)

  it("the zip damaged in the dump's last bytes (its CRC-32 fails): fails naming it, nothing committed", async () => {
    const damaged = Buffer.from(zip)
    const offset = 30 + damaged.readUInt16LE(26) + damaged.readUInt16LE(28)
    damaged[offset + manifest.file.sizeBytes - 100] ^= 0xff
    await backend.seedArtifact({ name: 'voverlap-crc.zip', bytes: damaged })
    backend.faults.paceNextDownload(1, PACE)
    const run = await verifyInto('voverlap-crc')
    await expect(run.result).rejects.toThrow(/CRC-32|corrupted/)
    expect(run.lines).toMatch(/zstd -d writing into it/)
    expect(await tablesOf(run.scratch)).toEqual([])
  }, 300_000)

  it('a download cut midway and retried by the client: loaded again, verified equal from its own read', async () => {
    // the first GET stops after 20 MB (the client gives up on it after 30 s and retries)
    backend.faults.paceNextDownload(1, PACE, 20 * 1024 * 1024)
    const run = await verifyInto('voverlap')
    const result = await run.result
    expect(run.lines).toMatch(/The download was retried: the load runs again/)
    expect(run.lines).toMatch(/zstd -d writing into it/)
    expect(run.lines).toMatch(/data blocks were digested as the restore read them/)
    expect(result.equality.comparison!.tablesEqual).toBe(2)
    expect(result.equality.comparison!.differences.filter(d => !d.expectedBecause)).toEqual([])
  }, 300_000)
})
