/**
 * Verify mode against a real server and the real artifact client: a good backup verifies in a
 * scratch database; a backup whose manifest disagrees with its data fails, naming the difference.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { type ArtifactBackend, unzipEntries } from '../../dev/artifact-backend.js'
import { rowCounts, schemaDump, seedSample, tableChecksums } from '../../dev/fixtures.js'
import type { TestServer } from '../../dev/postgres.js'
import type { BackupSource, RestoreOptions } from '../../src/types.js'
import type { Manifest } from '../../src/manifest.js'
import type { Engine } from '../support/engine.js'
import { useHarness } from '../support/harness.js'
import { logOf } from '../support/log-capture.js'
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

  it('a backup made with exclude-table-data: no byte-for-byte difference found, no second pass by rows (attacker a62 F1)', async () => {
    await harness.backup(
      testBackupInputs(server.url(source), {
        artifactName: 'left-out-data',
        filters: {
          ...testBackupInputs(server.url(source)).filters,
          excludeTableData: ['public.texts']
        }
      })
    )
    const scratch = await server.createDatabase()
    const { lines, result } = await logOf(() =>
      runVerify(
        verifyInputs(scratch, {
          source: {
            kind: 'artifact',
            name: 'left-out-data',
            runId: 'latest',
            repository: backend.repository,
            token: backend.githubToken
          }
        })
      )
    )
    expect(result.tables.length).toBeGreaterThan(5)
    expect(lines).not.toContain('differs byte for byte')
    expect(lines).not.toContain('row by row')
  }, 120_000)

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
      new RegExp(
        `${manifest.objects!.views - 1} views?, the manifest says ${manifest.objects!.views}`
      )
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

  it('counts taken after the dump (sameSnapshot false: no room for a session beside pg_dump): a difference is warned of, not a damaged backup (attacker a63 F1)', async () => {
    const stored = backend.findArtifact('database-backup.zip')!
    const entries = await unzipEntries(stored.bytes)
    const manifest = JSON.parse(entries.get('manifest.json')!.toString()) as Manifest
    manifest.rowCounts.tables.find(t => t.name === 'customers')!.rows = 7
    manifest.rowCounts.sameSnapshot = false
    await backend.seedArtifact({
      name: 'database-backup',
      files: {
        [manifest.file.name]: entries.get(manifest.file.name)!,
        'manifest.json': JSON.stringify(manifest)
      },
      createdAt: new Date(Date.now() + 4000)
    })
    const target = await server.createDatabase()
    const { lines, result } = await logOf(() =>
      harness.restore(
        testRestoreInputs(server.url(target), {
          kind: 'artifact',
          name: 'database-backup',
          runId: 'latest',
          repository: backend.repository,
          token: backend.githubToken
        })
      )
    )
    expect(result.tables.find(t => t.name === 'customers')?.rows).toBe(5)
    expect(lines).toMatch(
      /::warning::The manifest's row counts were taken right after the dump, not in its snapshot .*public\.customers has 5 rows, the manifest says 7/
    )
    expect(lines).toMatch(/1 table differs from counts taken after the dump/)
  })
})

describe('verify never writes into the database backed up (issue 14.9)', () => {
  /** The same database spelled otherwise: the servers, not the strings, decide. */
  const respell: Record<string, (url: string) => string> = {
    'postgres:// instead of postgresql://': url => url.replace(/^postgresql:/, 'postgres:'),
    'localhost instead of 127.0.0.1': url => url.replace('@127.0.0.1:', '@localhost:'),
    'extra parameters': url => `${url}?application_name=verify&sslmode=disable&connect_timeout=9`,
    'all of them': url =>
      `${url.replace(/^postgresql:/, 'postgres:').replace('@127.0.0.1:', '@localhost:')}?sslmode=disable`
  }

  for (const [how, spell] of Object.entries(respell)) {
    it(`refuses the backed-up database as the scratch one, spelled with ${how}, before writing anything (clean: true)`, async () => {
      const production = await server.createDatabase()
      await seedSample(server, production)
      const before = {
        data: await tableChecksums(server, production),
        schema: await schemaDump(server, production)
      }
      const scratchUrl = spell(server.url(production))
      expect(scratchUrl).not.toBe(server.url(production))
      const inputs = testRestoreInputs(scratchUrl, verifyInputs(production).source, {
        mode: 'verify',
        clean: true,
        allowNonEmpty: true,
        backedUpDatabaseUrl: server.url(production)
      })
      const error = (await runVerify(inputs).catch((e: Error) => e)) as Error
      expect(error).toBeInstanceOf(Error)
      expect(error.message).toMatch(
        /^Input 'verify-database-url': is the database that was backed up \(the server says so: system identifier \d+, database '.*' oid \d+\).*nothing was written\.$/
      )
      expect({
        data: await tableChecksums(server, production),
        schema: await schemaDump(server, production)
      }).toEqual(before)
    })
  }

  it('another database of the same server verifies (the check names both)', async () => {
    await harness.backup(testBackupInputs(server.url(source), { artifactName: 'guard-ok' }))
    const scratch = await server.createDatabase()
    const inputs = verifyInputs(scratch, {
      backedUpDatabaseUrl: server.url(source).replace('@127.0.0.1:', '@localhost:')
    })
    const result = await runVerify({
      ...inputs,
      source: {
        ...(inputs.source as Extract<BackupSource, { kind: 'artifact' }>),
        name: 'guard-ok'
      }
    })
    expect(result.tables.length).toBeGreaterThan(0)
  })

  it('without pg_control_system() (a role that may not call it) the server start time and port decide', async () => {
    const { sameDatabase, databaseIdentity } = harness.engine.verifyEngine
    const { parseDatabaseUrl } = harness.engine.connections
    const a = await databaseIdentity(parseDatabaseUrl(server.url(source)), 10)
    const b = await databaseIdentity(
      parseDatabaseUrl(server.url(source).replace(/^postgresql:/, 'postgres:')),
      10
    )
    expect(a.systemIdentifier).toMatch(/^\d+$/)
    expect(sameDatabase({ ...a, systemIdentifier: undefined }, b)).toBe(true)
    expect(sameDatabase({ ...a, systemIdentifier: undefined }, { ...b, port: '1' })).toBe(false)
    expect(sameDatabase(a, { ...b, oid: '1' })).toBe(false)
    expect(sameDatabase(a, { ...b, systemIdentifier: '42' })).toBe(false)
  })

  it('an unreachable database-url in verify mode: refused, nothing written', async () => {
    const scratch = await server.createDatabase()
    const error = (await runVerify(
      verifyInputs(scratch, {
        backedUpDatabaseUrl: server.url(source, { password: 'wrong-password' })
      })
    ).catch((e: Error) => e)) as Error
    expect(error.message).toMatch(
      /^Input 'database-url': cannot be reached to make sure the scratch database is not it/
    )
    const tables = await server.query(
      scratch,
      "SELECT 1 FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
    )
    expect(tables).toEqual([])
  })

  it('a scratch database that does not exist: the error names verify-database-url, not database-url (trial u30 F1)', async () => {
    const error = (await runVerify(verifyInputs('no_such_scratch_u30')).catch(
      (e: Error) => e
    )) as Error
    expect(error.message).toMatch(
      /^Input 'verify-database-url': could not connect to .*no_such_scratch_u30/
    )
  })

  it('a second verify into the same scratch database: refused naming verify-database-url, passes with clean', async () => {
    await harness.backup(testBackupInputs(server.url(source), { artifactName: 'twice' }))
    const scratch = await server.createDatabase()
    const twice = (overrides: Partial<RestoreOptions> = {}): RestoreOptions =>
      verifyInputs(scratch, {
        source: {
          kind: 'artifact',
          name: 'twice',
          runId: 'latest',
          repository: backend.repository,
          token: backend.githubToken
        },
        ...overrides
      })
    const first = await runVerify(twice())
    const before = await tableChecksums(server, scratch)
    const error = (await runVerify(twice()).catch((e: Error) => e)) as Error
    expect(error.message).toMatch(
      new RegExp(
        `^the scratch database '${scratch}' \\(verify-database-url\\) holds the copy of an earlier verify \\(it has verify's mark\\): \\d+ tables where the backup goes`
      )
    )
    expect(error.message).toContain('point verify-database-url at an empty database')
    expect(error.message).not.toMatch(/\bdatabase-url\b(?<!verify-database-url)/)
    expect(await tableChecksums(server, scratch)).toEqual(before)
    const again = await runVerify(twice({ clean: true }))
    expect(again.rowsRestored).toBe(first.rowsRestored)
    expect(again.equality.comparison?.tablesEqual).toBe(first.equality.comparison?.tablesEqual)
    expect(await tableChecksums(server, scratch)).toEqual(before)
  })
})
