/**
 * Backup: connection → preflight → pg_dump → compress → sha256 → file → check → artifact.
 * Orchestration only; each stage lives in its own module. Fails closed: a failed dump, an empty
 * or unreadable archive uploads nothing, and the temporary directory is removed in every case.
 */
import { formatBytes, log } from '../log.js'
import { createReadStream, createWriteStream } from 'node:fs'
import { copyFile, mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { PassThrough, type Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { DefaultArtifactClient } from '@actions/artifact'
import { EngineError } from '../errors.js'
import { checkedOutput, startChild } from '../process.js'
import type { BackupOptions, DumpFormat, QualifiedName } from '../types.js'
import { MANIFEST_SCHEMA_VERSION, type Manifest, manifestJson, writeManifest } from '../manifest.js'
import { compressionExtension, createCompressor } from '../pipeline/compress.js'
import { createEncryptor } from '../pipeline/encrypt.js'
import { DigestStage } from '../pipeline/digest.js'
import { CountingStage, startProgress } from '../pipeline/progress.js'
import { ArchiveError, archiveListTee, dataTablesInList, listArchive } from '../postgres/archive.js'
import { CopyScanner, PLAIN_TRAILER } from '../postgres/plain-sql.js'
import { type ClientInstall, chooseDumpClient, programPath } from '../postgres/clients.js'
import { type Connection, describeConnection, libpqEnvironment } from '../postgres/connection.js'
import { diagnoseConnection } from '../postgres/diagnostics.js'
import { buildPgDumpArgs, startPgDump } from '../postgres/dump.js'
import {
  type ServerInfo,
  SnapshotSession,
  type TableRows,
  connect,
  readServerInfo
} from '../postgres/preflight.js'
import {
  type UploadedArtifact,
  artifactClient,
  checkNameIsFree,
  checkPrivacy
} from '../storage/artifact.js'
import { type ArtifactZip, artifactZipName, createArtifactZip } from '../storage/artifact-zip.js'
import { type RetentionTier, artifactRetentionDays, retentionTier } from '../retention.js'
import type { UploadedObject } from '../storage/s3.js'
import { formatS3Uri, manifestKeyFor } from '../s3-uri.js'
import { TOOL_NAME, TOOL_VERSION } from '../version.js'

export interface BackupResult {
  artifact?: UploadedArtifact
  /** Where the dump was written, for local backups. */
  localPath?: string
  /** s3:// URI of the dump, when copied to object storage. */
  s3Uri?: string
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

export class BackupError extends EngineError {
  constructor(message: string) {
    super(message)
    this.name = 'BackupError'
  }
}

export async function backup(
  inputs: BackupOptions,
  connection: Connection,
  deps: BackupDependencies = {}
): Promise<BackupResult> {
  const started = Date.now()
  const now = deps.now ?? (() => new Date())
  const local = deps.outputDirectory
  const toArtifact = !local && inputs.artifact !== false
  const client = toArtifact ? (deps.artifact ?? artifactClient()) : undefined

  if (toArtifact) {
    checkPrivacy(inputs.encryption !== undefined, inputs.allowUnencryptedPublic ?? false)
  }
  const retention = chooseRetention(inputs, now())
  // the AWS SDK is loaded only for backups that go to object storage
  const s3lib = inputs.s3 && !local ? await import('../storage/s3.js') : undefined
  const s3 = s3lib && inputs.s3 ? s3lib.createS3Client(inputs.s3) : undefined
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

  const pg = await log.group(`Connect to ${describeConnection(connection)}`, async () => {
    const diagnosis = await diagnoseConnection(connection)
    for (const warning of diagnosis.warnings) log.warning(warning)
    return connect(connection, inputs.connectTimeoutSeconds)
  })
  const tempRoot = deps.tempRoot ?? process.env.RUNNER_TEMP ?? os.tmpdir()
  let workDir: string | undefined
  let session: SnapshotSession | undefined
  /** A dump streamed to S3 whose manifest is not written yet: deleted if the backup fails. */
  let orphan: { bucket: string; key: string } | undefined
  /** The artifact's zip, being written (and uploaded, when live). */
  let zip: ArtifactZip | undefined
  try {
    const server = await log.group('Read the server', async () => {
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
    })
    const pgDump = await log.group('Choose pg_dump', async () => {
      const install = await chooseDumpClient(server.major, server.version, {
        pgBinDir: inputs.pgBinDir,
        postgresVersion: inputs.postgresVersion,
        installClient: inputs.installClient
      })
      log.info(`${programPath(install, 'pg_dump')}: ${install.versionText}`)
      return install
    })

    await mkdir(tempRoot, { recursive: true })
    workDir = await mkdtemp(path.join(tempRoot, 'pg-backup-'))
    const stamp = now()
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z')
    const fileName = `${safeFileName(server.database)}-${stamp}${formatExtension(inputs.format)}${compressionExtension(inputs.compression)}${inputs.encryption ? '.age' : ''}`
    const filePath = path.join(workDir, fileName)
    const s3Key = inputs.s3
      ? `${inputs.s3.prefix}${safeFileName(server.database)}/${stamp.slice(0, 4)}/${stamp.slice(4, 6)}/${fileName}`
      : undefined
    // S3 only (artifact: false): the pipeline streams into a multipart upload, no temporary file
    const streamToS3 = s3 && s3Key && !toArtifact && inputs.format !== 'directory'
    if (client) {
      // the upload reads the zip as it is written, unless an artifact is to be replaced: that
      // one is deleted only once the new backup is whole (so the zip is written to a file first)
      const replacing = inputs.overwrite && exists !== false
      zip = await createArtifactZip(client, {
        name: inputs.artifactName,
        retentionDays: retention.days,
        directory: workDir,
        live: !replacing,
        replaceExisting: inputs.overwrite ? exists : false
      })
    }
    // the artifact's zip is the pipeline's end, unless the dump is also copied to S3 from a file
    const sink: Sink =
      zip && !s3
        ? { kind: 'artifact', zip, fileName }
        : streamToS3
          ? {
              kind: 's3',
              upload: body =>
                s3lib!.uploadStream(s3, {
                  bucket: inputs.s3!.bucket,
                  key: s3Key,
                  body,
                  contentType: 'application/octet-stream',
                  tags: retention.tags
                })
            }
          : { kind: 'file', path: filePath }
    if (streamToS3)
      log.info(`Streaming to ${formatS3Uri(inputs.s3!.bucket, s3Key)} (no temporary file)`)
    if (sink.kind === 'artifact' && zip!.live)
      log.info(`Uploading artifact '${zip!.name}' while the dump is written (no temporary file)`)

    session = await SnapshotSession.open(pg)
    if (!session.snapshotId) {
      log.info('The server cannot export a snapshot; row counts are taken right after the dump.')
    }
    const dumped = await log.group(`Dump to ${fileName}`, () =>
      dumpToFile(inputs, connection, server, pgDump, session!, workDir!, sink)
    )
    if (streamToS3) orphan = { bucket: inputs.s3!.bucket, key: s3Key! }

    const dataTables = await log.group('Check the archive', () =>
      checkArchive(inputs.format, dumped, server)
    )
    const rowCounts = await log.group('Count rows', () =>
      countRows(inputs, session!, dumped.counting, dataTables, server)
    )
    const unfiltered = Object.values(inputs.filters).every(list => list.length === 0)
    const objects = unfiltered ? await session.countObjects() : undefined
    await session.close()
    session = undefined

    const manifest: Manifest = {
      schemaVersion: MANIFEST_SCHEMA_VERSION,
      tool: { name: TOOL_NAME, version: TOOL_VERSION },
      createdAt: now().toISOString(),
      github: githubContext(),
      database: {
        name: server.database,
        host: connection.host,
        port: connection.port,
        sizeBytes: server.sizeBytes
      },
      server: { version: server.version, versionNum: server.versionNum, major: server.major },
      pgDump: { version: pgDump.version, major: pgDump.major },
      format: inputs.format,
      compression: {
        algorithm: inputs.compression,
        level: inputs.compression === 'none' ? null : inputs.compressionLevel,
        by: inputs.compression === 'none' ? 'none' : 'action'
      },
      encryption: inputs.encryption
        ? {
            algorithm: 'age',
            mode: inputs.encryption.kind,
            recipients: inputs.encryption.kind === 'recipients' ? inputs.encryption.recipients : []
          }
        : undefined,
      file: { name: fileName, sizeBytes: dumped.fileBytes, sha256: dumped.sha256 },
      rawSizeBytes: dumped.rawBytes,
      durationSeconds: 0,
      rowCounts,
      objects,
      retention: retention.tier,
      filters: inputs.filters,
      pgDumpArgs: dumped.args
    }
    let s3Uri: string | undefined
    if (s3 && s3Key) {
      s3Uri = await log.group(`Copy to ${formatS3Uri(inputs.s3!.bucket, s3Key)}`, async () => {
        if (!streamToS3) {
          await s3lib!.uploadStream(s3, {
            bucket: inputs.s3!.bucket,
            key: s3Key,
            body: createReadStream(filePath),
            contentType: 'application/octet-stream',
            tags: retention.tags
          })
        }
        manifest.durationSeconds = round((Date.now() - started) / 1000)
        // the manifest last: a backup counts once its manifest exists
        await s3lib!.putSmallObject(s3, {
          bucket: inputs.s3!.bucket,
          key: manifestKeyFor(s3Key),
          body: JSON.stringify(manifest, null, 2) + '\n',
          contentType: 'application/json',
          tags: retention.tags
        })
        const uri = formatS3Uri(inputs.s3!.bucket, s3Key)
        log.info(
          `${uri} and its manifest${retention.tier ? `, tagged retention=${retention.tier.tier}` : ''}`
        )
        return uri
      })
      orphan = undefined
    }

    /** What every destination returns, plus where the backup went. */
    const result = (
      where: Pick<BackupResult, 'artifact' | 's3Uri' | 'localPath'>
    ): BackupResult => ({
      ...where,
      fileName,
      retentionDays: retention.days,
      manifest,
      serverVersion: server.version,
      pgDumpVersion: pgDump.version,
      durationSeconds: round((Date.now() - started) / 1000)
    })

    if (local) {
      manifest.durationSeconds = round((Date.now() - started) / 1000)
      const localPath = await log.group(`Write to ${local}`, () =>
        keepLocally(filePath, manifest, local)
      )
      return result({ localPath })
    }
    if (!zip) return result({ s3Uri })
    const artifact = await log.group(`Upload artifact '${zip.name}'`, async () => {
      if (sink.kind === 'file') await pipeline(createReadStream(filePath), zip!.entry(fileName))
      manifest.durationSeconds = round((Date.now() - started) / 1000)
      const uploaded = await zip!.finish(manifestJson(manifest))
      zip = undefined
      log.info(
        `Uploaded artifact ${uploaded.id} (${formatBytes(uploaded.size)}), sha256:${uploaded.digest}`
      )
      return uploaded
    })
    return result({ artifact, s3Uri })
  } catch (error) {
    if (zip) await zip.abort()
    if (orphan && s3) {
      const deleted = await s3lib!.deleteObjectQuietly(s3, orphan)
      log.info(
        deleted
          ? `Removed ${formatS3Uri(orphan.bucket, orphan.key)}: the backup failed after it was streamed.`
          : `Could not remove ${formatS3Uri(orphan.bucket, orphan.key)}; it has no manifest, so restores ignore it.`
      )
    }
    throw error
  } finally {
    if (session) await session.close()
    await pg.end().catch(() => undefined)
    if (workDir) await rm(workDir, { recursive: true, force: true })
  }
}

/** A pass-through stage that holds the end of the stream until `check` passes (else fails it). */
function gate(check: () => Promise<void>): Transform {
  return new Transform({
    transform: (chunk, _encoding, callback) => callback(null, chunk),
    flush: callback => {
      check().then(
        () => callback(),
        error => callback(error as Error)
      )
    }
  })
}

/** A pass-through stage that calls `callback` once, when the first bytes pass. */
function onFirstChunk(callback: () => void): Transform {
  let seen = false
  return new Transform({
    transform: (chunk: Buffer, _encoding, done) => {
      if (!seen && chunk.length > 0) {
        seen = true
        callback()
      }
      done(null, chunk)
    }
  })
}

/** Where the pipeline ends: a file under RUNNER_TEMP, the artifact's zip, or a multipart upload to S3. */
type Sink =
  | { kind: 'file'; path: string }
  | { kind: 'artifact'; zip: ArtifactZip; fileName: string }
  | { kind: 's3'; upload: (body: Readable) => Promise<UploadedObject> }

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

/** Moves the dump into `directory` with its manifest beside it as `<file>.manifest.json`. */
async function keepLocally(
  filePath: string,
  manifest: Manifest,
  directory: string
): Promise<string> {
  await mkdir(directory, { recursive: true })
  const target = path.join(directory, path.basename(filePath))
  try {
    await rename(filePath, target)
  } catch {
    await copyFile(filePath, target) // another file system
  }
  await writeManifest(`${target}.manifest.json`, manifest)
  log.info(
    `${target} (${formatBytes(manifest.file.sizeBytes)}) and ${path.basename(target)}.manifest.json`
  )
  return target
}

interface Dumped {
  rawBytes: number
  fileBytes: number
  sha256: string
  args: string[]
  /** Plain format: tables whose COPY statements passed through. */
  copyTables?: QualifiedName[]
  /** Custom format: pg_restore --list of the archive as it streamed by. */
  listed?: string[]
  /** Directory format: tables with data, from pg_restore --list before packing. */
  listedTables?: QualifiedName[]
  /** Counting all tables in the snapshot, started with the dump when no filter is set. */
  counting?: Promise<TableRows[]>
}

async function dumpToFile(
  inputs: BackupOptions,
  connection: Connection,
  server: ServerInfo,
  pgDump: ClientInstall,
  session: SnapshotSession,
  workDir: string,
  sink: Sink
): Promise<Dumped> {
  const env = libpqEnvironment(connection, { connectTimeoutSeconds: inputs.connectTimeoutSeconds })
  const directory = inputs.format === 'directory' ? path.join(workDir, 'dump.dir') : undefined
  const args = buildPgDumpArgs({
    format: inputs.format,
    filters: inputs.filters,
    extraArgs: inputs.pgDumpArgs,
    snapshotId: session.snapshotId,
    directory,
    jobs: inputs.jobs
  })
  log.info(`${programPath(pgDump, 'pg_dump')} ${args.join(' ')}`)
  // with no filter every table is dumped: count them while the server dumps (same snapshot)
  const unfiltered = Object.values(inputs.filters).every(list => list.length === 0)
  let counting: Promise<TableRows[]> | undefined
  if (inputs.rowCounts === 'exact' && unfiltered && session.snapshotId) {
    counting = session.countRows(server.tables)
    counting.catch(() => undefined) // awaited later; avoid an unhandled rejection meanwhile
  }
  // (secrets are masked by the front door: the runner's log, or the terminal's redaction)
  const dump = startPgDump(programPath(pgDump, 'pg_dump'), args, env, line =>
    log.info(`pg_dump: ${line}`)
  )
  const raw = new CountingStage()
  const progress = startProgress(() => raw.bytes, { estimateBytes: server.sizeBytes })
  try {
    if (directory) {
      // pg_dump writes the directory (in parallel with jobs); then it is packed as one tar stream
      await dump.done
      const lines = await listArchive(programPath(pgDump, 'pg_restore'), { directory })
      const listedTables = dataTablesInList(lines, server.tables)
      const packed = await writeStream(tarDirectory(directory), raw, undefined, inputs, sink)
      await rm(directory, { recursive: true, force: true })
      return { ...packed, args, counting, listedTables }
    }
    // plain: note the COPY statements; custom: pg_restore --list reads the archive as it passes
    const tee =
      inputs.format === 'plain'
        ? new CopyScanner()
        : archiveListTee(programPath(pgDump, 'pg_restore'))
    const inspector = tee instanceof CopyScanner ? tee : tee.stage
    // the last bytes reach the destination only once the dump is known to be whole: an upload
    // (S3) is completed only then, and aborted otherwise
    const whole = async (): Promise<void> => {
      await dump.done
      if (!(tee instanceof CopyScanner)) await tee.listed
      assertWholeDump(inputs.format, raw)
    }
    const written = writeStream(dump.stdout, raw, inspector, inputs, sink, whole)
    try {
      await Promise.all([written, dump.done])
    } catch (error) {
      dump.kill('SIGKILL')
      await Promise.allSettled([written, dump.done])
      throw error
    }
    return {
      ...(await written),
      args,
      copyTables: tee instanceof CopyScanner ? tee.tables : undefined,
      listed: tee instanceof CopyScanner ? undefined : await tee.listed,
      counting
    }
  } finally {
    progress.stop()
  }
}

/** source → count (→ scan) → compress → sha256 → file, with back-pressure all the way. */
async function writeStream(
  source: Readable,
  raw: CountingStage,
  inspector: NodeJS.ReadWriteStream | undefined,
  inputs: BackupOptions,
  sink: Sink,
  beforeEnd?: () => Promise<void>
): Promise<{ rawBytes: number; fileBytes: number; sha256: string }> {
  const digest = new DigestStage()
  const stages: NodeJS.ReadWriteStream[] = [raw]
  if (inspector) stages.push(inspector)
  const compressor = createCompressor(inputs.compression, inputs.compressionLevel)
  if (compressor) stages.push(compressor)
  if (inputs.encryption) stages.push(createEncryptor(inputs.encryption))
  stages.push(digest)
  if (beforeEnd) stages.push(gate(beforeEnd))
  if (sink.kind === 'artifact') {
    // the upload starts with pg_dump's first bytes: a dump that fails at once uploads nothing
    stages.splice(
      1,
      0,
      onFirstChunk(() => sink.zip.begin())
    )
    try {
      await pipeline([source, ...stages, sink.zip.entry(sink.fileName)])
    } catch (error) {
      throw explainWriteError(error, sink.zip.path)
    }
    return { rawBytes: raw.bytes, fileBytes: digest.bytes, sha256: digest.digest() }
  }
  if (sink.kind === 's3') {
    const body = new PassThrough()
    const [streamed, uploaded] = await Promise.allSettled([
      pipeline([source, ...stages, body]),
      sink.upload(body)
    ])
    // the dump's own failure explains more than the upload's abort it caused
    if (streamed.status === 'rejected') throw streamed.reason
    if (uploaded.status === 'rejected') throw uploaded.reason
    if (uploaded.value.sizeBytes !== digest.bytes) {
      throw new BackupError(
        `object storage received ${uploaded.value.sizeBytes} bytes but ${digest.bytes} were sent.`
      )
    }
    return { rawBytes: raw.bytes, fileBytes: digest.bytes, sha256: digest.digest() }
  }
  const filePath = sink.path
  try {
    await pipeline([source, ...stages, createWriteStream(filePath, { mode: 0o600 })])
  } catch (error) {
    throw explainWriteError(error, filePath)
  }
  const onDisk = (await stat(filePath)).size
  if (onDisk !== digest.bytes) {
    throw new BackupError(
      `the dump file has ${onDisk} bytes on disk but ${digest.bytes} were written; the disk may be failing.`
    )
  }
  return { rawBytes: raw.bytes, fileBytes: digest.bytes, sha256: digest.digest() }
}

function explainWriteError(error: unknown, filePath: string): Error {
  const err = error as NodeJS.ErrnoException
  if (err?.code === 'ENOSPC' || err?.code === 'EDQUOT') {
    return new BackupError(
      `the disk is full: no space left while writing the dump to ${path.dirname(filePath)}. Free space on the runner (a GitHub-hosted runner has ~14 GB free), exclude large tables' data (exclude-table-data), or use a larger runner. Nothing was uploaded.`
    )
  }
  return err instanceof Error ? err : new Error(String(error))
}

/** The directory as one tar stream, which ends only once tar exited 0. */
function tarDirectory(directory: string): Readable {
  return checkedOutput(startChild('tar', ['-cf', '-', '-C', directory, '.']))
}

/**
 * Fails closed: some output, and for plain dumps the trailer pg_dump writes last. Runs as the
 * stream's last step, so a file or upload is never completed for a dump that is not whole.
 */
function assertWholeDump(format: DumpFormat, raw: CountingStage): void {
  if (raw.bytes === 0) throw new ArchiveError('pg_dump produced no output; nothing was uploaded.')
  if (format === 'plain' && !raw.tail.toString('utf8').includes(PLAIN_TRAILER)) {
    throw new ArchiveError(
      `the plain dump does not end with '${PLAIN_TRAILER}': it is truncated; nothing was uploaded.`
    )
  }
}

/** The tables whose data the dump holds, from the checks made while it streamed. */
async function checkArchive(
  format: DumpFormat,
  dumped: Dumped,
  server: ServerInfo
): Promise<QualifiedName[]> {
  // wholeness (output, trailer, pg_restore --list) was checked before the stream could end
  if (format === 'plain') {
    log.info(`Plain dump is complete; it holds data for ${dumped.copyTables?.length ?? 0} tables.`)
    return dumped.copyTables ?? []
  }
  if (format === 'directory') {
    // listed by pg_restore before it was packed (dumpToFile)
    return dumped.listedTables ?? []
  }
  const lines = dumped.listed ?? []
  const tables = dataTablesInList(lines, server.tables)
  log.info(
    `pg_restore --list accepts the archive: ${lines.filter(l => !l.startsWith(';')).length} entries, data for ${tables.length} tables.`
  )
  return tables
}

async function countRows(
  inputs: BackupOptions,
  session: SnapshotSession,
  counting: Promise<TableRows[]> | undefined,
  dataTables: QualifiedName[],
  server: ServerInfo
): Promise<Manifest['rowCounts']> {
  const key = (t: QualifiedName): string => JSON.stringify([t.schema, t.name])
  const wanted = new Set(dataTables.map(key))
  let tables: Manifest['rowCounts']['tables']
  if (inputs.rowCounts === 'none') {
    tables = dataTables.map(t => ({ schema: t.schema, name: t.name, rows: null }))
  } else if (inputs.rowCounts === 'estimate') {
    const estimates = new Map(server.tables.map(t => [key(t), t.estimatedRows]))
    tables = dataTables.map(t => ({ ...t, rows: estimates.get(key(t)) ?? null }))
  } else {
    const all = counting ? await counting : await session.countRows(dataTables)
    tables = all.filter(t => wanted.has(key(t)))
  }
  tables.sort((a, b) => a.schema.localeCompare(b.schema) || a.name.localeCompare(b.name))
  const counted = tables.every(t => t.rows !== null)
  const totalRows = counted ? tables.reduce((sum, t) => sum + (t.rows ?? 0), 0) : null
  log.info(
    inputs.rowCounts === 'none'
      ? `Row counts are off (row-counts: none); ${tables.length} tables in the dump.`
      : `${tables.length} tables, ${totalRows ?? '?'} rows (${inputs.rowCounts}).`
  )
  return {
    method: inputs.rowCounts,
    sameSnapshot: inputs.rowCounts === 'exact' && session.snapshotId !== undefined,
    tables,
    totalRows
  }
}

function formatExtension(format: DumpFormat): string {
  return format === 'custom' ? '.dump' : format === 'plain' ? '.sql' : '.dir.tar'
}

function safeFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || 'database'
}

function githubContext(): Manifest['github'] {
  const env = process.env
  if (!env.GITHUB_RUN_ID && !env.GITHUB_REPOSITORY) return undefined
  return {
    repository: env.GITHUB_REPOSITORY,
    runId: env.GITHUB_RUN_ID,
    runAttempt: env.GITHUB_RUN_ATTEMPT,
    workflow: env.GITHUB_WORKFLOW
  }
}

function round(n: number): number {
  return Math.round(n * 10) / 10
}
