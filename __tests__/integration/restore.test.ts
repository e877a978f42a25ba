/**
 * Restore end to end: real backups made by the engine and uploaded through the real artifact
 * client, fetched back (this run, another run, the latest, by id, local files), checked, and
 * restored into real databases; refusals leave the target byte-for-byte unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {
  type ArtifactBackend,
  buildZip,
  startArtifactBackend
} from '../support/artifact-backend.js'
import { schemaDump, seedSample, tableChecksums } from '../support/fixtures.js'
import { type TestServer, startPostgres } from '../support/postgres.js'
import type {
  BackupInputs,
  BackupSource,
  Compression,
  DumpFormat,
  RestoreInputs
} from '../../src/inputs.js'

let server: TestServer
let backend: ArtifactBackend
let source: string
let sourceChecksums: Awaited<ReturnType<typeof tableChecksums>>
let sourceSchema: string
let tempRoot: string
const savedEnv = { ...process.env }
let backupEngine: typeof import('../../src/modes/backup.js')
let restoreEngine: typeof import('../../src/modes/restore.js')
let connections: typeof import('../../src/postgres/connection.js')
let artifact: typeof import('@actions/artifact')

beforeAll(async () => {
  ;[server, backend] = await Promise.all([startPostgres(), startArtifactBackend()])
  Object.assign(process.env, backend.env())
  backupEngine = await import('../../src/modes/backup.js')
  restoreEngine = await import('../../src/modes/restore.js')
  connections = await import('../../src/postgres/connection.js')
  artifact = await import('@actions/artifact')
  source = await server.createDatabase('shop')
  await seedSample(server, source)
  sourceChecksums = await tableChecksums(server, source)
  sourceSchema = await schemaDump(server, source)
  tempRoot = mkdtempSync(path.join(os.tmpdir(), 'restore-test-'))
}, 60_000)

afterAll(async () => {
  process.env = savedEnv
  await Promise.all([server?.stop(), backend?.close()])
  if (tempRoot) rmSync(tempRoot, { recursive: true, force: true })
})

const noFilters = {
  tables: [],
  excludeTables: [],
  excludeTableData: [],
  schemas: [],
  excludeSchemas: []
}

async function makeBackup(name: string, format: DumpFormat, compression: Compression) {
  const inputs: BackupInputs = {
    mode: 'backup',
    databaseUrl: server.url(source),
    artifactName: name,
    retentionDays: 30,
    format,
    compression,
    compressionLevel: compression === 'gzip' ? 6 : compression === 'zstd' ? 3 : 0,
    filters: noFilters,
    pgDumpArgs: [],
    overwrite: false,
    rowCounts: 'exact',
    jobs: 1,
    installClient: false,
    connectTimeoutSeconds: 10
  }
  return backupEngine.backup(inputs, connections.parseDatabaseUrl(inputs.databaseUrl), {
    artifact: new artifact.DefaultArtifactClient(),
    tempRoot
  })
}

function restoreInputs(
  target: string,
  sourceSpec: BackupSource,
  overrides: Partial<RestoreInputs> = {}
): RestoreInputs {
  return {
    mode: 'restore',
    databaseUrl: server.url(target),
    source: sourceSpec,
    clean: false,
    allowNonEmpty: false,
    noOwner: true,
    noPrivileges: true,
    singleTransaction: true,
    jobs: 1,
    tables: [],
    schemas: [],
    installClient: false,
    connectTimeoutSeconds: 10,
    ...overrides
  }
}

async function runRestore(i: RestoreInputs) {
  return restoreEngine.restore(i, connections.parseDatabaseUrl(i.databaseUrl), {
    artifact: new artifact.DefaultArtifactClient(),
    tempRoot
  })
}

function current(name: string): BackupSource {
  return {
    kind: 'artifact',
    name,
    runId: 'current',
    repository: backend.repository,
    token: backend.githubToken
  }
}

describe.each<[DumpFormat, Compression]>([
  ['custom', 'zstd'],
  ['custom', 'none'],
  ['plain', 'gzip'],
  ['plain', 'zstd'],
  ['directory', 'zstd']
])('round trip, format %s, compression %s', (format, compression) => {
  it('restores into a fresh database equal to the source, schema and data', async () => {
    const name = `rt-${format}-${compression}`
    await makeBackup(name, format, compression)
    const target = await server.createDatabase()
    const result = await runRestore(restoreInputs(target, current(name)))
    expect(await tableChecksums(server, target)).toEqual(sourceChecksums)
    expect(await schemaDump(server, target)).toEqual(sourceSchema)
    expect(result.tables.length).toBeGreaterThan(10)
    expect(result.tables.every(t => t.expected === t.rows)).toBe(true)
    await server.dropDatabase(target)
  })
})
