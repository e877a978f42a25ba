/**
 * Backup, orchestrated: check the artifact name → connect → read the server → choose pg_dump →
 * dump into the destinations' sinks in one pass (postgres/dump.ts: the stream, the checks on
 * its way) → count rows → manifest → complete each destination (S3: its manifest last; a local
 * directory; the artifact). Fails closed: a failed dump, an empty or unreadable archive uploads
 * nothing, what was begun is undone (a partial artifact deleted, an S3 object whose manifest
 * was never written removed), and the temporary directory is removed in every case.
 */
import type { DefaultArtifactClient } from '@actions/artifact'
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { formatBytes, log, stopwatch } from '../log.js'
import { type Manifest, backupManifest } from '../manifest.js'
import { changeWarnings, compareManifests, describeChanges } from '../manifest-changes.js'
import { chooseDumpClient, programPath } from '../postgres/clients.js'
import { type Connection, describeConnection, libpqEnvironment } from '../postgres/connection.js'
import { diagnoseConnection } from '../postgres/diagnostics.js'
import { buildPgDumpArgs, dumpDatabase } from '../postgres/dump.js'
import {
  type ServerInfo,
  SnapshotSession,
  type TableRows,
  connect,
  dumpRowCounts,
  readServerInfo
} from '../postgres/session.js'
import { type RetentionTier, artifactRetentionDays, retentionTier } from '../retention.js'
import { artifactClient, checkNameIsFree, checkPrivacy } from '../storage/artifact.js'
import { artifactZipName } from '../storage/artifact-zip.js'
import {
  type Completed,
  type Destinations,
  openDestinations,
  openS3
} from '../storage/destinations.js'
import { previousBackupManifest } from '../storage/artifact-manifest.js'
import { currentRun, currentRunId } from '../storage/github.js'
import { makeWorkDir } from '../storage/local.js'
import { backupExtension, backupFileName, backupKey } from '../storage/naming.js'
import type { BackupOptions } from '../types.js'

export interface BackupResult extends Completed {
  fileName: string
  retentionDays: number
  manifest: Manifest
  serverVersion: string
  pgDumpVersion: string
  durationSeconds: number
}

export interface BackupDependencies {
  artifact?: DefaultArtifactClient
  /**
   * Write the dump and `<file>.manifest.json` into this directory instead of uploading an
   * artifact (the CLI's local backups).
   */
  outputDirectory?: string
  /** Parent of the temporary directory; defaults to RUNNER_TEMP, else the OS temp dir. */
  tempRoot?: string
  now?: () => Date
}

export async function backup(
  inputs: BackupOptions,
  connection: Connection,
  deps: BackupDependencies = {}
): Promise<BackupResult> {
  const seconds = stopwatch()
  const now = deps.now ?? (() => new Date())
  const local = deps.outputDirectory
  const client =
    !local && inputs.artifact !== false ? (deps.artifact ?? artifactClient()) : undefined
  if (client) checkPrivacy(inputs.encryption !== undefined, inputs.allowUnencryptedPublic ?? false)
  const retention = chooseRetention(inputs, now())
  const s3 = inputs.s3 && !local ? await openS3(inputs.s3) : undefined
  if (inputs.encryption) {
    log.info(
      inputs.encryption.kind === 'recipients'
        ? `The backup is encrypted with age to ${inputs.encryption.recipients.length} public key(s) before it leaves the runner.`
        : 'The backup is encrypted with age (passphrase) before it leaves the runner.'
    )
  }
  const artifactName = artifactZipName(inputs.artifactName)
  const { exists } = client
    ? await log.group('Check the artifact name', async () => {
        const result = await checkNameIsFree(client, artifactName, inputs.overwrite)
        if (result.exists !== undefined) {
          log.info(
            result.exists
              ? `'${artifactName}' exists in this run; it will be replaced once the new backup is ready (overwrite: true).`
              : `'${artifactName}' is free in this run.`
          )
        }
        return result
      })
    : { exists: false }

  // the previous backup's manifest, read beside the dump (a few KB by range requests)
  const previous =
    client && inputs.changes
      ? previousBackupManifest(
          client,
          { name: inputs.artifactName, ...inputs.changes },
          currentRunId()
        )
      : undefined

  const pg = await log.group(`Connect to ${describeConnection(connection)}`, async () => {
    const diagnosis = await diagnoseConnection(connection)
    for (const warning of diagnosis.warnings) log.warning(warning)
    return connect(connection, inputs.connectTimeoutSeconds)
  })
  let workDir: string | undefined
  let session: SnapshotSession | undefined
  let destinations: Destinations | undefined
  try {
    const server = await log.group('Read the server', () => readServer(pg))
    const pgDump = await log.group('Choose pg_dump', async () => {
      const install = await chooseDumpClient(server.major, server.version, {
        pgBinDir: inputs.pgBinDir,
        postgresVersion: inputs.postgresVersion,
        installClient: inputs.installClient
      })
      log.info(`${programPath(install, 'pg_dump')}: ${install.versionText}`)
      return install
    })

    workDir = await makeWorkDir('pg-backup-', deps.tempRoot)
    const date = now()
    const ext = backupExtension(inputs.format, inputs.compression, inputs.encryption !== undefined)
    const fileName = backupFileName(server.database, date, ext)
    destinations = await openDestinations({
      fileName,
      workDir,
      local,
      artifact: client && {
        client,
        name: inputs.artifactName,
        retentionDays: retention.days,
        // the upload reads the zip as it is written, unless an artifact is to be replaced: that
        // one is deleted only once the new backup is whole (so the zip is written to a file first)
        live: !(inputs.overwrite && exists !== false),
        replaceExisting: inputs.overwrite ? exists : false
      },
      s3: s3 && {
        storage: s3,
        bucket: inputs.s3!.bucket,
        key: backupKey(inputs.s3!.prefix, server.database, date, ext),
        tags: retention.tags
      }
    })

    session = await SnapshotSession.open(pg)
    if (!session.snapshotId) {
      log.info('The server cannot export a snapshot; row counts are taken right after the dump.')
    }
    const counting = startCounting(inputs, session, server)
    const { sinks } = destinations
    const directory = inputs.format === 'directory' ? path.join(workDir, 'dump.dir') : undefined
    const args = buildPgDumpArgs({
      format: inputs.format,
      filters: inputs.filters,
      extraArgs: inputs.pgDumpArgs,
      snapshotId: session.snapshotId,
      directory,
      jobs: inputs.jobs
    })
    const dumped = await log.group(`Dump to ${fileName}`, () =>
      dumpDatabase({
        pgDumpPath: programPath(pgDump, 'pg_dump'),
        pgRestorePath: programPath(pgDump, 'pg_restore'),
        args,
        env: libpqEnvironment(connection, { connectTimeoutSeconds: inputs.connectTimeoutSeconds }),
        format: inputs.format,
        directory,
        sinks,
        compression: inputs.compression,
        compressionLevel: inputs.compressionLevel,
        encryption: inputs.encryption,
        knownTables: server.tables,
        estimateBytes: server.sizeBytes
      })
    )

    const dataTables = await log.group('Check the archive', async () => {
      // wholeness (output, trailer, pg_restore --list) was checked before the stream could end
      if (dumped.checked) log.info(dumped.checked)
      return dumped.dataTables
    })
    const rowCounts = await log.group('Count rows', async () => {
      const counts = await dumpRowCounts(inputs.rowCounts, session!, counting, dataTables, server)
      log.info(
        inputs.rowCounts === 'none'
          ? `Row counts are off (row-counts: none); ${counts.tables.length} tables in the dump.`
          : `${counts.tables.length} tables, ${counts.totalRows ?? '?'} rows (${inputs.rowCounts}).`
      )
      return counts
    })
    const objects = unfiltered(inputs) ? await session.countObjects() : undefined
    await session.close()
    session = undefined

    const manifest = backupManifest(inputs, {
      createdAt: now(),
      github: currentRun(),
      database: {
        name: server.database,
        host: connection.host,
        port: connection.port,
        sizeBytes: server.sizeBytes
      },
      server: { version: server.version, versionNum: server.versionNum, major: server.major },
      pgDump: { version: pgDump.version, major: pgDump.major },
      file: { name: fileName, sizeBytes: dumped.fileBytes, sha256: dumped.sha256 },
      rawSizeBytes: dumped.rawBytes,
      rowCounts,
      objects,
      retention: retention.tier,
      pgDumpArgs: args
    })
    if (previous && inputs.changes) {
      await log.group('Compare with the previous backup', async () => {
        const found = await previous
        if (!found) return
        manifest.changes = compareManifests(
          manifest,
          found.manifest,
          inputs.changes!.rowLossPercent
        )
        log.info(describeChanges(manifest.changes, found.artifact.runId))
        for (const warning of changeWarnings(manifest.changes)) log.warning(warning)
      })
    }
    // the manifests are written with the time taken so far
    const where = await destinations.complete(() =>
      Object.assign(manifest, { durationSeconds: seconds() })
    )
    return {
      ...where,
      fileName,
      retentionDays: retention.days,
      manifest,
      serverVersion: server.version,
      pgDumpVersion: pgDump.version,
      durationSeconds: seconds()
    }
  } catch (error) {
    await destinations?.abort()
    throw error
  } finally {
    if (session) await session.close()
    await pg.end().catch(() => undefined)
    if (workDir) await rm(workDir, { recursive: true, force: true })
  }
}

async function readServer(pg: Parameters<typeof readServerInfo>[0]): Promise<ServerInfo> {
  const info = await readServerInfo(pg)
  log.info(
    `PostgreSQL ${info.version}; database '${info.database}', ${formatBytes(info.sizeBytes)}, ${info.tables.length} tables`
  )
  if (info.inRecovery) log.info('The server is a standby (in recovery).')
  if (info.timeouts.statement !== '0' || info.timeouts.idleInTransaction !== '0') {
    log.info(
      `The server sets statement_timeout=${info.timeouts.statement}, idle_in_transaction_session_timeout=${info.timeouts.idleInTransaction}; both are turned off for the dump's sessions.`
    )
  }
  return info
}

function unfiltered(inputs: BackupOptions): boolean {
  return Object.values(inputs.filters).every(list => list.length === 0)
}

/** With no filter every table is dumped: count them while the server dumps (same snapshot). */
function startCounting(
  inputs: BackupOptions,
  session: SnapshotSession,
  server: ServerInfo
): Promise<TableRows[]> | undefined {
  if (inputs.rowCounts !== 'exact' || !unfiltered(inputs) || !session.snapshotId) return undefined
  const counting = session.countRows(server.tables)
  counting.catch(() => undefined) // awaited later; avoid an unhandled rejection meanwhile
  return counting
}

interface Retention {
  days: number
  tier?: { tier: RetentionTier; days: number }
  tags?: Record<string, string>
}

/** retention-schedule picks the tier from the run's UTC date; the artifact follows it. */
function chooseRetention(inputs: BackupOptions, date: Date): Retention {
  if (!inputs.retentionSchedule) return { days: inputs.retentionDays }
  const tier = retentionTier(date, inputs.retentionSchedule)
  const artifactDays = artifactRetentionDays(tier.days)
  if (artifactDays.capped && inputs.artifact !== false) {
    log.notice(
      `The ${tier.tier} tier keeps backups ${tier.days} days; the artifact is kept ${artifactDays.days} days, the most GitHub allows (the S3 copy follows the schedule through its lifecycle rule).`
    )
  }
  log.info(
    `Retention tier for ${date.toISOString().slice(0, 10)}: ${tier.tier} (${tier.days} days)`
  )
  return { days: artifactDays.days, tier, tags: { retention: tier.tier } }
}
