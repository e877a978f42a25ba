/**
 * Verify mode against a real server and the real artifact client: a good backup verifies in a
 * scratch database; a backup whose manifest disagrees with its data fails, naming the difference.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { type ArtifactBackend, unzipEntries } from '../../dev/artifact-backend.js'
import { rowCounts, seedSample } from '../../dev/fixtures.js'
import type { TestServer } from '../../dev/postgres.js'
import type { BackupSource, RestoreOptions } from '../../src/types.js'
import type { Manifest } from '../../src/manifest.js'
import type { Engine } from '../support/engine.js'
import { useHarness } from '../support/harness.js'
import { testBackupInputs, testRestoreInputs } from '../support/inputs.js'

const harness = useHarness({ name: 'verify-test' })
let server: TestServer
let backend: ArtifactBackend
let source: string
let verifyEngine: Engine['verifyEngine']

beforeAll(async () => {
  ;({ server, backend } = harness)
  verifyEngine = harness.engine.verifyEngine
  source = await server.createDatabase('shop')
  await seedSample(server, source)
  await harness.backup(testBackupInputs(server.url(source)))
}, 60_000)

function verifyInputs(scratch: string, overrides: Partial<RestoreOptions> = {}): RestoreOptions {
  const latest: BackupSource = {
    kind: 'artifact',
    name: 'database-backup',
    runId: 'latest',
    repository: backend.repository,
    token: backend.githubToken
  }
  return testRestoreInputs(server.url(scratch), latest, { mode: 'verify', ...overrides })
}

async function runVerify(i: RestoreOptions) {
  return harness.verify(i)
}

describe('verify', () => {
  it('restores the latest backup into a scratch database and matches the manifest', async () => {
    const scratch = await server.createDatabase()
    const result = await runVerify(verifyInputs(scratch))
    const stored = backend.findArtifact('database-backup.zip')!
    const manifest = JSON.parse(
      (await unzipEntries(stored.bytes)).get('manifest.json')!.toString()
    ) as Manifest
    expect(manifest.objects).toBeDefined()
    expect(result.objects.map(o => [o.kind, o.actual])).toEqual(
      Object.entries(manifest.objects!).map(([k, v]) => [k, v])
    )
    expect(manifest.objects!.tables).toBeGreaterThan(10)
    expect(manifest.objects!.functions).toBeGreaterThan(0)
    const counts = await rowCounts(server, scratch)
    // the tables with data (not the partitioned parent, not the materialized view), each with
    // the rows the scratch copy holds; counted first, as an empty list would prove nothing
    const restored = Object.fromEntries(result.tables.map(t => [`${t.schema}.${t.name}`, t.rows]))
    expect(Object.keys(restored)).toHaveLength(Object.keys(counts).length - 2)
    expect(counts).toMatchObject(restored)
  })

  it('fails naming the object kind when the restored copy differs from the manifest', async () => {
    // a backup whose manifest claims one more view than its archive holds (newest artifact)
    const stored = backend.findArtifact('database-backup.zip')!
    const entries = await unzipEntries(stored.bytes)
    const manifest = JSON.parse(entries.get('manifest.json')!.toString()) as Manifest
    manifest.objects!.views += 1
    const dump = entries.get(manifest.file.name)!
    expect(createHash('sha256').update(dump).digest('hex')).toBe(manifest.file.sha256)
    await backend.seedArtifact({
      name: 'database-backup',
      files: { [manifest.file.name]: dump, 'manifest.json': JSON.stringify(manifest) },
      createdAt: new Date(Date.now() + 1000)
    })
    const scratch = await server.createDatabase()
    const error = await runVerify(verifyInputs(scratch)).catch(e => e)
    expect(error).toBeInstanceOf(verifyEngine.VerifyError)
    expect(error.message).toMatch(
      new RegExp(`views ${manifest.objects!.views - 1} ≠ ${manifest.objects!.views}`)
    )
  })

  it('fails naming the table when row counts differ', async () => {
    const stored = backend.findArtifact('database-backup.zip')!
    const entries = await unzipEntries(stored.bytes)
    const manifest = JSON.parse(entries.get('manifest.json')!.toString()) as Manifest
    manifest.objects!.views -= 1 // undo the previous test's change
    const table = manifest.rowCounts.tables.find(t => t.name === 'customers')!
    table.rows = (table.rows ?? 0) + 2
    await backend.seedArtifact({
      name: 'database-backup',
      files: {
        [manifest.file.name]: entries.get(manifest.file.name)!,
        'manifest.json': JSON.stringify(manifest)
      },
      createdAt: new Date(Date.now() + 2000)
    })
    const scratch = await server.createDatabase()
    await expect(runVerify(verifyInputs(scratch))).rejects.toThrow(
      /public\.customers has 5 rows, the manifest says 7/
    )
  })
})
