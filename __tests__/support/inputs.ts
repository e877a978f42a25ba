/**
 * Typed input fixtures for the engine's modes: the documented defaults, so that each test states
 * only what it changes. (Tests call the modes directly; the action's own parsing is covered by
 * __tests__/unit/inputs.test.ts and by running dist/index.js.)
 */
import type { BackupOptions, BackupSource, DumpFilters, RestoreOptions } from '../../src/types.js'
import type { ArtifactBackend } from '../../dev/artifact-backend.js'

export const NO_FILTERS: DumpFilters = {
  tables: [],
  excludeTables: [],
  excludeTableData: [],
  schemas: [],
  excludeSchemas: []
}

/** Backup inputs as the defaults give them, except: never install a client in tests. */
export function testBackupInputs(
  databaseUrl: string,
  overrides: Partial<BackupOptions> = {}
): BackupOptions {
  return {
    mode: 'backup',
    databaseUrl,
    artifactName: 'database-backup',
    retentionDays: 30,
    format: 'custom',
    compression: 'zstd',
    compressionLevel: 3,
    filters: NO_FILTERS,
    pgDumpArgs: [],
    overwrite: false,
    rowCounts: 'exact',
    jobs: 1,
    installClient: false,
    connectTimeoutSeconds: 10,
    lockTimeoutMs: 30_000,
    ...overrides
  }
}

/** Restore (or verify) inputs as the defaults give them, for a given source. */
export function testRestoreInputs(
  databaseUrl: string,
  source: BackupSource,
  overrides: Partial<RestoreOptions> = {}
): RestoreOptions {
  // as the inputs' parser: jobs > 1 runs without one transaction, and cannot be asked for with it
  const jobs = overrides.jobs ?? 1
  if (jobs > 1 && overrides.singleTransaction === true)
    throw new Error(
      `testRestoreInputs: jobs: ${jobs} with singleTransaction: true is refused by the inputs`
    )
  return {
    mode: 'restore',
    databaseUrl,
    source,
    clean: false,
    cleanDropDependents: false,
    allowNonEmpty: false,
    noOwner: 'auto',
    noPrivileges: 'auto',
    singleTransaction: jobs === 1,
    jobs: 1,
    tables: [],
    schemas: [],
    installClient: false,
    connectTimeoutSeconds: 10,
    lockTimeoutMs: 30_000,
    ...overrides
  }
}

/**
 * A backup's comparison with the previous one through `backend` (row-loss threshold 50%, not
 * failing), and a new workflow run to make the next backup in: the runner's environment is that
 * run's.
 */
export function comparingRuns(backend: ArtifactBackend): {
  changes: NonNullable<BackupOptions['changes']>
  nextRun(): void
} {
  return {
    changes: {
      repository: backend.repository,
      token: backend.githubToken,
      rowLossPercent: 50,
      failOnRowLoss: false
    },
    nextRun() {
      backend.newRun()
      Object.assign(process.env, backend.env())
    }
  }
}
