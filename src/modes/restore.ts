/**
 * Restore: storage (find, download, digest) → check the backup (manifest sha256, format and
 * compression by content) → guard the target → decompress → pg_restore | psql → verify row counts.
 * Nothing touches the target before every check passed; by default it runs in one transaction.
 */
import { formatBytes, log } from '../log.js'
import type { DefaultArtifactClient } from '@actions/artifact'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import type pg from 'pg'
import { CheckError, SettingError } from '../errors.js'
import { type Manifest, parseManifest } from '../manifest.js'
import { type Decoding, decodingStages, discard, openDecoded } from '../pipeline/decode.js'
import { ChildProcessError, startChild } from '../process.js'
import { type DetectedFormat, FormatError, decodedStart, detectBackup } from '../pipeline/detect.js'
import { DecryptionError } from '../pipeline/encrypt.js'
import {
  listArchive,
  majorOfVersion,
  parseArchiveHeader,
  readArchiveHeader,
  tablesFromList
} from '../postgres/archive.js'
import { type ClientInstall, chooseRestoreClient, programPath } from '../postgres/clients.js'
import { PlainDumpObjects, PlainFilter, parsePlainDumpVersions } from '../postgres/plain-sql.js'
import { type Connection, describeConnection, libpqEnvironment } from '../postgres/connection.js'
import {
  type ArchiveInput,
  type LoadError,
  type LoadOptions,
  archiveAsScript,
  psqlSupportsRestrict,
  runPgRestore,
  runPsql,
  runPsqlFromStream
} from '../postgres/load.js'
import { type ServerInfo, connect, readServerInfo } from '../postgres/session.js'
import { countRows, describeTables, existingTables } from '../postgres/target.js'
import {
  artifactClient,
  downloadArtifactZip,
  findBackupArtifact,
  sha256File
} from '../storage/artifact.js'
import { type LocalBackup, openExtracted, openLocalBackup } from '../storage/local.js'
import { formatS3Uri, manifestKeyFor } from '../s3-uri.js'
import type { Compression, QualifiedName, RestoreOptions, S3Source } from '../types.js'
import { extractZip } from '../storage/zip.js'

export interface RestoredTable {
  schema: string
  name: string
  rows: number
  /** From the manifest, when it has exact counts. */
  expected?: number
}

export interface RestoreResult {
  /** "artifact 123 (run 456)" or "file path". */
  restoredFrom: string
  artifactId?: number
  runId?: number
  format: DetectedFormat | 'directory'
  compression: Compression
  manifest?: Manifest
  tables: RestoredTable[]
  rowsRestored: number
  serverVersion: string
  clientVersion: string
  durationSeconds: number
}

export class RestoreError extends CheckError {
  constructor(message: string) {
    super(message)
    this.name = 'RestoreError'
  }
}

export interface RestoreDependencies {
  artifact?: DefaultArtifactClient
  tempRoot?: string
}

interface Fetched extends LocalBackup {
  restoredFrom: string
  /** sha256 of the dump computed while it was extracted, when it was. */
  dumpSha256?: string
  artifactId?: number
  runId?: number
}

interface Checked {
  format: DetectedFormat | 'directory'
  compression: Compression
  encrypted: boolean
  decoding: Decoding
  /** Tables whose data the backup holds (from the manifest, the archive list or the script). */
  dataTables?: QualifiedName[]
  plain?: PlainDumpObjects
  client: ClientInstall
}

export async function restore(
  inputs: RestoreOptions,
  connection: Connection,
  deps: RestoreDependencies = {}
): Promise<RestoreResult> {
  const started = Date.now()
  const tempRoot = deps.tempRoot ?? process.env.RUNNER_TEMP ?? os.tmpdir()
  await mkdir(tempRoot, { recursive: true })
  const workDir = await mkdtemp(path.join(tempRoot, 'pg-restore-'))
  let target: pg.Client | undefined
  try {
    const fetched = await log.group('Fetch the backup', () =>
      fetchBackup(inputs, deps.artifact, workDir)
    )
    const checked = await log.group('Check the backup', () => checkBackup(inputs, fetched))

    target = await log.group(`Connect to ${describeConnection(connection)}`, () =>
      connect(connection, inputs.connectTimeoutSeconds)
    )
    const server = await log.group('Check the target', () => guardTarget(inputs, target!, checked))
    const env = libpqEnvironment(connection, {
      connectTimeoutSeconds: inputs.connectTimeoutSeconds
    })
    await log.group('Restore', () =>
      load(inputs, fetched, checked, server, env, connection.database, workDir)
    )
    const tables = await log.group('Verify row counts', () =>
      verify(inputs, target!, fetched.manifest, checked)
    )
    return {
      restoredFrom: fetched.restoredFrom,
      artifactId: fetched.artifactId,
      runId: fetched.runId,
      format: checked.format,
      compression: checked.compression,
      manifest: fetched.manifest,
      tables,
      rowsRestored: tables.reduce((sum, t) => sum + t.rows, 0),
      serverVersion: server.version,
      clientVersion: checked.client.version,
      durationSeconds: Math.round((Date.now() - started) / 100) / 10
    }
  } finally {
    await target?.end().catch(() => undefined)
    await rm(workDir, { recursive: true, force: true })
  }
}

async function fetchBackup(
  inputs: RestoreOptions,
  client: DefaultArtifactClient | undefined,
  workDir: string
): Promise<Fetched> {
  const source = inputs.source
  if (source.kind === 'file') {
    const local = await openLocalBackup(source.path, workDir)
    log.info(`Backup file ${source.path}${local.manifest ? ' with its manifest' : ''}`)
    return { ...local, restoredFrom: `file ${source.path}` }
  }
  if (source.kind === 's3') return fetchFromS3(source, workDir)
  const artifacts = client ?? artifactClient()
  const found = await findBackupArtifact(artifacts, source)
  log.info(
    `Artifact '${found.name}' id ${found.id}${found.runId ? ` of run ${found.runId}` : ''}${found.createdAt ? `, made ${found.createdAt.toISOString()}` : ''}${found.size ? `, ${formatBytes(found.size)}` : ''}`
  )
  const { zipPath, sha256 } = await downloadArtifactZip(
    artifacts,
    found,
    source,
    path.join(workDir, 'download')
  )
  log.info(
    found.digest
      ? `The zip matches the digest recorded at upload (sha256:${sha256}).`
      : `The backend recorded no digest for this artifact; the zip's sha256 is ${sha256}.`
  )
  const extracted = path.join(workDir, 'artifact')
  const digests = await extractZip(zipPath, extracted)
  await rm(zipPath, { force: true })
  const local = await openExtracted(extracted, `artifact ${found.id}`)
  return {
    ...local,
    dumpSha256: digests.get(path.relative(extracted, local.dumpPath)),
    restoredFrom: `artifact ${found.id}${found.runId ? ` (run ${found.runId})` : ''}`,
    artifactId: found.id,
    runId: found.runId
  }
}

/** The dump object (given, or the newest under the prefix) and its manifest, downloaded. */
async function fetchFromS3(source: S3Source, workDir: string): Promise<Fetched> {
  // loaded here only: the AWS SDK is large
  const { S3StorageError, createS3Client, downloadObject, findNewestBackup, getObjectText } =
    await import('../storage/s3.js')
  const s3 = createS3Client(source.settings)
  let dumpKey: string
  let manifestText: string | undefined
  if (source.key) {
    dumpKey = source.key
    manifestText = await getObjectText(s3, {
      bucket: source.bucket,
      key: manifestKeyFor(dumpKey)
    }).catch(error => {
      if (error instanceof S3StorageError && error.code === 'NoSuchKey') return undefined
      throw error
    })
  } else {
    const newest = await findNewestBackup(s3, { bucket: source.bucket, prefix: source.prefix })
    dumpKey = newest.dumpKey
    manifestText = JSON.stringify(newest.manifest)
    log.info(
      `Newest backup under ${formatS3Uri(source.bucket, source.prefix)}: made ${newest.createdAt.toISOString()}`
    )
  }
  const uri = formatS3Uri(source.bucket, dumpKey)
  const dumpPath = path.join(workDir, path.posix.basename(dumpKey))
  const downloaded = await downloadObject(s3, { bucket: source.bucket, key: dumpKey }, dumpPath)
  log.info(
    `Downloaded ${uri} (${formatBytes(downloaded.sizeBytes)})${manifestText ? ' and its manifest' : ', which has no manifest beside it'}`
  )
  const manifest = manifestText === undefined ? undefined : parseManifest(JSON.parse(manifestText))
  if (manifest && manifest.file.name !== path.posix.basename(dumpKey)) {
    throw new RestoreError(
      `the manifest beside ${uri} describes '${manifest.file.name}', not this object. Nothing was restored.`
    )
  }
  return { dumpPath, isDirectory: false, manifest, restoredFrom: uri }
}

const MANIFEST_FORMATS: Record<string, DetectedFormat> = {
  custom: 'custom',
  plain: 'plain',
  directory: 'directory-tar'
}

async function checkBackup(inputs: RestoreOptions, fetched: Fetched): Promise<Checked> {
  const manifest = fetched.manifest
  if (fetched.isDirectory) {
    const header = await readArchiveHeader(fetched.dumpPath).catch(() => undefined)
    const client = await chooseClient(inputs, 'pg_restore', header?.pgDumpMajor ?? 0)
    const lines = await listArchive(programPath(client, 'pg_restore'), {
      directory: fetched.dumpPath
    })
    log.info(`Directory archive accepted by pg_restore --list (${lines.length} lines).`)
    return {
      format: 'directory',
      compression: 'none',
      encrypted: false,
      decoding: { compression: 'none' },
      client,
      dataTables: manifestTables(manifest)
    }
  }
  if (manifest) {
    const [sha256, info] = await Promise.all([
      fetched.dumpSha256 ?? sha256File(fetched.dumpPath),
      stat(fetched.dumpPath)
    ])
    if (sha256 !== manifest.file.sha256 || info.size !== manifest.file.sizeBytes) {
      throw new RestoreError(
        `the backup file ${manifest.file.name} does not match its manifest (sha256 ${sha256}, ${info.size} bytes; the manifest says ${manifest.file.sha256}, ${manifest.file.sizeBytes} bytes): it is corrupted, truncated or swapped. Nothing was restored.`
      )
    }
    log.info(`${manifest.file.name} matches its manifest (sha256:${sha256}).`)
  }
  let detected
  try {
    detected = await detectBackup(fetched.dumpPath, inputs.decryption)
  } catch (error) {
    if (error instanceof FormatError || error instanceof DecryptionError) {
      throw new RestoreError(
        `${path.basename(fetched.dumpPath)}: ${error.message} Nothing was restored.`
      )
    }
    throw error
  }
  if (manifest) {
    if (
      manifest.compression.algorithm !== detected.compression ||
      MANIFEST_FORMATS[manifest.format] !== detected.format
    ) {
      throw new RestoreError(
        `the backup's content (${detected.format}, ${detected.compression}) does not match its manifest (${manifest.format}, ${manifest.compression.algorithm}). Nothing was restored.`
      )
    }
  }
  if (manifest && (manifest.encryption !== undefined) !== detected.encrypted) {
    throw new RestoreError(
      `the backup's content is ${detected.encrypted ? '' : 'not '}encrypted, but its manifest says otherwise. Nothing was restored.`
    )
  }
  const decoding: Decoding = {
    compression: detected.compression,
    decryption: detected.encrypted ? inputs.decryption : undefined
  }
  log.info(
    `Recognised by content: ${detected.format}, compression ${detected.compression}${detected.encrypted ? ', age-encrypted (decrypts with the key given)' : ''}.`
  )
  if (detected.format === 'plain' && (inputs.tables.length > 0 || inputs.schemas.length > 0)) {
    throw new SettingError(
      inputs.tables.length > 0 ? 'tables' : 'schemas',
      'a subset restore needs an archive backup (format custom or directory); this backup is an SQL script. Restore it whole.'
    )
  }
  const archiveMajor =
    manifest?.pgDump.major ??
    (await dumpMajorFromContent(fetched.dumpPath, detected.format, decoding))
  if (detected.format === 'plain') {
    const client = await chooseClient(inputs, 'psql', archiveMajor)
    // one pass over the whole script: it decompresses, it is complete, and what it creates
    const objects = new PlainDumpObjects()
    try {
      await pipeline([
        createReadStream(fetched.dumpPath),
        ...decodingStages(decoding),
        objects.scanner(),
        discard()
      ])
    } catch (error) {
      throw new RestoreError(
        `the backup cannot be read to its end (${(error as Error).message}): it is corrupted or truncated. Nothing was restored.`
      )
    }
    if (!objects.complete) {
      if (manifest || objects.madeByPgDump) {
        throw new RestoreError(
          'the SQL script lacks the "dump complete" trailer that pg_dump writes last: it is truncated. Nothing was restored.'
        )
      }
      log.warning(
        'The SQL script has no "PostgreSQL database dump complete" trailer (hand-written, or truncated?). It runs in one transaction: any error rolls everything back.'
      )
    }
    log.info(`The script creates data for ${objects.copyTables.length} tables.`)
    return {
      format: 'plain',
      compression: detected.compression,
      encrypted: detected.encrypted,
      decoding,
      client,
      plain: objects,
      dataTables: manifestTables(manifest) ?? objects.copyTables
    }
  }
  const client = await chooseClient(inputs, 'pg_restore', archiveMajor)
  if (detected.format === 'custom') {
    if (!manifest) await readToEnd(fetched.dumpPath, decoding)
    const lines = await listArchive(programPath(client, 'pg_restore'), {
      file: { path: fetched.dumpPath },
      decoding
    })
    log.info(`pg_restore --list accepts the archive (${lines.length} lines).`)
    const listed = manifest ? undefined : tablesFromList(lines)
    return {
      format: 'custom',
      compression: detected.compression,
      encrypted: detected.encrypted,
      decoding,
      client,
      dataTables: manifestTables(manifest) ?? listed
    }
  }
  if (!manifest) await readToEnd(fetched.dumpPath, decoding)
  return {
    format: 'directory-tar',
    compression: detected.compression,
    encrypted: detected.encrypted,
    decoding,
    client,
    dataTables: manifestTables(manifest)
  }
}

/** Without a manifest, a compressed file is decompressed once to its end before any write. */
async function readToEnd(file: string, decoding: Decoding): Promise<void> {
  const stages = decodingStages(decoding)
  if (stages.length === 0) return
  try {
    await pipeline([createReadStream(file), ...stages, discard()])
  } catch (error) {
    throw new RestoreError(
      `the backup cannot be decompressed to its end (${(error as Error).message}): it is corrupted or truncated. Nothing was restored.`
    )
  }
}

function manifestTables(manifest: Manifest | undefined): QualifiedName[] | undefined {
  return manifest?.rowCounts.tables.map(t => ({ schema: t.schema, name: t.name }))
}

/**
 * A pg_restore/psql at least as new as the pg_dump that wrote the backup (pg_restore rejects
 * archives of a newer pg_dump: "unsupported version … in file header"); installed when allowed.
 */
async function chooseClient(
  inputs: RestoreOptions,
  program: 'pg_restore' | 'psql',
  archiveMajor: number
): Promise<ClientInstall> {
  const client = await chooseRestoreClient(program, archiveMajor, 0, {
    pgBinDir: inputs.pgBinDir,
    postgresVersion: inputs.postgresVersion,
    installClient: inputs.installClient
  })
  log.info(`${programPath(client, program)}: ${client.versionText}`)
  return client
}

/** The major of the pg_dump that wrote a backup without manifest, from its own header. */
async function dumpMajorFromContent(
  file: string,
  format: DetectedFormat,
  decoding: Decoding
): Promise<number> {
  try {
    const start = await decodedStart(file, decoding, 4096)
    if (format === 'custom') return parseArchiveHeader(start).pgDumpMajor ?? 0
    if (format === 'plain') {
      const { pgDumpVersion } = parsePlainDumpVersions(start.toString('utf8'))
      return pgDumpVersion ? (majorOfVersion(pgDumpVersion) ?? 0) : 0
    }
  } catch {
    // unreadable headers are reported by the checks that follow
  }
  return 0
}

async function guardTarget(
  inputs: RestoreOptions,
  client: pg.Client,
  checked: Checked
): Promise<ServerInfo> {
  const server = await readServerInfo(client)
  log.info(
    `Target: PostgreSQL ${server.version}, database '${server.database}', ${formatBytes(server.sizeBytes)}`
  )
  const schemas = new Set<string>(['public'])
  for (const t of checked.dataTables ?? []) schemas.add(t.schema)
  for (const s of checked.plain?.schemas ?? []) schemas.add(s)
  const known = checked.dataTables !== undefined || checked.plain !== undefined
  const existing = await existingTables(client, known ? [...schemas] : undefined)
  if (existing.length === 0) {
    log.info('The target holds no tables where the backup goes.')
    return server
  }
  const listing = describeTables(existing)
  if (inputs.clean) {
    log.info(
      `clean: true — the backup's objects will be dropped and replaced. Present now: ${listing}`
    )
    return server
  }
  if (inputs.allowNonEmpty) {
    log.warning(`allow-non-empty: true — restoring next to what is there: ${listing}`)
    return server
  }
  throw new RestoreError(
    `the target database '${server.database}' is not empty: ${existing.length} tables where the backup goes — ${listing}. Nothing was changed. Set 'clean: true' to drop and replace the backup's objects, 'allow-non-empty: true' to restore next to them, or point database-url at an empty database.`
  )
}

async function load(
  inputs: RestoreOptions,
  fetched: Fetched,
  checked: Checked,
  server: ServerInfo,
  env: Record<string, string>,
  database: string,
  workDir: string
): Promise<void> {
  const options = {
    clean: inputs.clean,
    noOwner: inputs.noOwner,
    noPrivileges: inputs.noPrivileges,
    singleTransaction: inputs.singleTransaction,
    jobs: inputs.jobs,
    tables: inputs.tables,
    schemas: inputs.schemas
  }
  log.info(
    inputs.singleTransaction
      ? 'Restoring in one transaction: on any error nothing is kept.'
      : `Restoring without a single transaction (jobs: ${inputs.jobs}): an error can leave a partial restore.`
  )
  const pgRestore = programPath(checked.client, 'pg_restore')
  if (inputs.clean && inputs.singleTransaction && checked.format !== 'plain') {
    let archive: ArchiveInput
    if (checked.format === 'directory-tar') {
      const dir = path.join(workDir, 'directory')
      await mkdir(dir)
      await untar(fetched.dumpPath, checked.decoding, dir)
      archive = { path: dir }
    } else if (checked.format === 'directory') {
      archive = { path: fetched.dumpPath }
    } else {
      archive = { file: { path: fetched.dumpPath }, decoding: checked.decoding }
    }
    await cleanAndRestoreArchive(checked.client, env, options, archive)
    return
  }
  switch (checked.format) {
    case 'plain': {
      const filter = new PlainFilter({
        dropRestrict: !psqlSupportsRestrict(checked.client.version),
        dropTransactionTimeout: server.major < 17,
        noOwner: inputs.noOwner,
        noPrivileges: inputs.noPrivileges
      })
      const drops = inputs.clean ? (checked.plain?.drops ?? []) : []
      await runPsql(
        programPath(checked.client, 'psql'),
        env,
        inputs.singleTransaction,
        { file: { path: fetched.dumpPath }, decoding: checked.decoding, filter },
        drops
      )
      if (filter.dropped > 0)
        log.info(`${filter.dropped} lines the target cannot take were left out.`)
      return
    }
    case 'custom': {
      if (inputs.jobs > 1) {
        // a parallel restore needs a seekable archive file
        const file = await decompressTo(
          fetched.dumpPath,
          checked.decoding,
          path.join(workDir, 'backup.dump')
        )
        await runPgRestore(pgRestore, env, database, options, { path: file })
      } else {
        await runPgRestore(pgRestore, env, database, options, {
          file: { path: fetched.dumpPath },
          decoding: checked.decoding
        })
      }
      return
    }
    case 'directory-tar': {
      const dir = path.join(workDir, 'directory')
      await mkdir(dir)
      await untar(fetched.dumpPath, checked.decoding, dir)
      await runPgRestore(pgRestore, env, database, options, { path: dir })
      return
    }
    case 'directory':
      await runPgRestore(pgRestore, env, database, options, { path: fetched.dumpPath })
  }
}

/**
 * clean with an archive: the archive's objects are dropped (CASCADE) and recreated by one psql
 * transaction fed by pg_restore's script. pg_restore --clean cannot drop partitioned tables
 * with keys in an order PostgreSQL accepts ("cannot drop inherited constraint").
 */
async function cleanAndRestoreArchive(
  client: ClientInstall,
  env: Record<string, string>,
  options: LoadOptions,
  archive: ArchiveInput
): Promise<void> {
  const pgRestore = programPath(client, 'pg_restore')
  const objects = new PlainDumpObjects()
  const schema = archiveAsScript(pgRestore, { ...options, schemaOnly: true }, archive)
  const [scanned, listed] = await Promise.allSettled([
    pipeline([schema.stdout, objects.scanner(), discard()]),
    schema.done
  ])
  if (listed.status === 'rejected') throw listed.reason
  if (scanned.status === 'rejected') throw scanned.reason
  log.info(
    `clean: ${objects.drops.length} objects of the backup are dropped first, in the same transaction.`
  )
  const script = archiveAsScript(pgRestore, options, archive)
  const [loaded, produced] = await Promise.allSettled([
    runPsqlFromStream(programPath(client, 'psql'), env, true, script.stdout, objects.drops),
    script.done
  ])
  // psql stopped because the script failed: pg_restore's error says why
  const scriptFailed = loaded.status === 'rejected' && (loaded.reason as LoadError).inputFailed
  if (produced.status === 'rejected' && scriptFailed) throw produced.reason
  if (loaded.status === 'rejected') throw loaded.reason
  if (produced.status === 'rejected') throw produced.reason
}

async function decompressTo(file: string, decoding: Decoding, out: string): Promise<string> {
  const stages = decodingStages(decoding)
  if (stages.length === 0) return file
  await pipeline([createReadStream(file), ...stages, createWriteStream(out, { mode: 0o600 })])
  return out
}

async function untar(file: string, decoding: Decoding, dir: string): Promise<void> {
  // tar stops reading at the end-of-archive blocks: the padding after them may stay unread
  const tar = startChild('tar', ['-xf', '-', '-C', dir], {
    stdin: openDecoded({ path: file }, decoding),
    stdout: 'ignore'
  })
  try {
    await tar.done
  } catch (error) {
    if (!(error instanceof ChildProcessError) || error.startError) throw error
    throw new RestoreError(`the directory archive could not be unpacked: ${error.stderr.trim()}`)
  }
}

async function verify(
  inputs: RestoreOptions,
  client: pg.Client,
  manifest: Manifest | undefined,
  checked: Checked
): Promise<RestoredTable[]> {
  let tables = checked.dataTables
  if (!tables) {
    // names the list could not split: count what the restore created in the backup's schemas
    tables = (await existingTables(client, undefined)).map(t => ({
      schema: t.schema,
      name: t.name
    }))
  }
  if (inputs.tables.length > 0 || inputs.schemas.length > 0) {
    tables = tables.filter(
      t =>
        (inputs.tables.length === 0 || inputs.tables.includes(t.name)) &&
        (inputs.schemas.length === 0 || inputs.schemas.includes(t.schema))
    )
  }
  const counts = await countRows(client, tables)
  const expected = new Map<string, number | null>()
  if (manifest && manifest.rowCounts.method === 'exact') {
    for (const t of manifest.rowCounts.tables)
      expected.set(JSON.stringify([t.schema, t.name]), t.rows)
  }
  const result: RestoredTable[] = []
  const problems: string[] = []
  for (const c of counts) {
    const want = expected.get(JSON.stringify([c.schema, c.name]))
    if (c.rows < 0) {
      problems.push(`${c.schema}.${c.name} is missing`)
      continue
    }
    if (want !== undefined && want !== null && want !== c.rows) {
      problems.push(`${c.schema}.${c.name} has ${c.rows} rows, the manifest says ${want}`)
    }
    result.push({ ...c, expected: want ?? undefined })
  }
  if (problems.length > 0) {
    throw new RestoreError(
      `the restored data does not match the backup's manifest: ${problems.join('; ')}.`
    )
  }
  const total = result.reduce((sum, t) => sum + t.rows, 0)
  log.info(
    expected.size > 0
      ? `All ${result.length} tables match the manifest's row counts (${total} rows).`
      : `${result.length} tables, ${total} rows restored (no manifest counts to compare with).`
  )
  return result
}
