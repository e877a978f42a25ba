/**
 * Backup, orchestrated: check the artifact name → connect → read the server → choose pg_dump →
 * dump into the destinations' sinks in one pass (postgres/dump.ts: the stream, the checks on
 * its way) → count rows → manifest → complete each destination (S3: its manifest last; a local
 * directory; the artifact). Fails closed: a failed dump, an empty or unreadable archive uploads
 * nothing, what was begun is undone (a partial artifact deleted, an S3 object whose manifest
 * was never written removed), and the temporary directory is removed in every case.
 */
import type pg from 'pg'
import { SettingError } from '../errors.js'
import { readDatabaseLocale } from '../postgres/locale.js'
import { readOutputSettings } from '../postgres/output-settings.js'
import { readDatabaseIdentity } from '../postgres/identity.js'
import type { DefaultArtifactClient } from '@actions/artifact'
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { formatBytes, log, stopwatch, plural } from '../log.js'
import { COLUMNS_BUDGET_BYTES, type Manifest, backupManifest, listColumns } from '../manifest.js'
import { reduceHeap } from '../memory.js'
import {
  changeWarnings,
  compareManifests,
  describeChanges,
  encryptionDropped
} from '../manifest-changes.js'
import {
  chooseDumpClient,
  discoverClients,
  pgDumpOptionRequirements,
  programPath
} from '../postgres/clients.js'
import {
  type Connection,
  describeConnection,
  libpqEnvironment,
  libpqRequirements
} from '../postgres/connection.js'
import { diagnoseConnection } from '../postgres/diagnostics.js'
import {
  type DeniedFacts,
  DumpError,
  buildPgDumpArgs,
  dumpDatabase,
  qualifiedNames,
  withDeniedFacts
} from '../postgres/dump.js'
import {
  type LeftOutDependency,
  childrenLeftOutWarning,
  leftOutDependencies,
  leftOutWarning,
  unreadableReferenced
} from '../postgres/left-out.js'
import { dumpGlobals, globalsFileName, parseGlobals } from '../postgres/globals.js'
import { describeBlocker } from '../postgres/locks.js'
import { checkRestorability } from '../postgres/restorability.js'
import { quoteIdent, quoteQualified } from '../sql-names.js'
import { createEncryptor } from '../pipeline/encrypt.js'
import type { ExtraFile } from '../storage/artifact-zip.js'
import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { buffer } from 'node:stream/consumers'
import {
  type ServerInfo,
  SnapshotSession,
  type SnapshotRows,
  connect,
  noRoomFor,
  dumpRowCounts,
  roomForSessions,
  lockBound,
  readServerInfo,
  rowSecurityTables,
  unmatchedExcludes,
  unreadableRelations
} from '../postgres/session.js'
import { type RetentionTier, artifactRetentionDays, retentionTier } from '../retention.js'
import {
  artifactClient,
  checkNameIsFree,
  checkPrivacy,
  missingArtifactEnvironment
} from '../storage/artifact.js'
import { artifactZipName } from '../storage/artifact-zip.js'
import {
  type Completed,
  type Destinations,
  openDestinations,
  openS3
} from '../storage/destinations.js'
import {
  type ArtifactStorage,
  artifactStorage,
  previousBackupManifest
} from '../storage/artifact-manifest.js'
import { currentRun, currentRunId, repositoryVisibility } from '../storage/github.js'
import { makeWorkDir } from '../storage/local.js'
import { signManifest } from '../storage/signing.js'
import { backupExtension, backupFileName, backupKey } from '../storage/naming.js'
import type { BackupOptions, QualifiedName } from '../types.js'

/** The repository's backup artifacts: now, and in steady state (one backup a day). */
export interface StorageEstimate {
  /** Live artifacts of this name before this backup, and their bytes. */
  count: number
  bytes: number
  /** This backup's size × its retention in days, in bytes: what daily backups settle at. */
  steadyBytes: number
  visibility: 'public' | 'private' | 'unknown'
}

export interface BackupResult extends Completed {
  storage?: StorageEstimate
  fileName: string
  retentionDays: number
  manifest: Manifest
  serverVersion: string
  pgDumpVersion: string
  durationSeconds: number
  /** Why the comparison with the previous backup was not made, when it was not asked for. */
  changesSkipped?: string
  /** globals: true — the roles stored beside the dump, or why they could not be. */
  globals?: { roles: string[]; name: string } | { missing: string }
  /** The manifest is signed (signing-key). */
  signed?: boolean
  /** The backup is in the clear where the previous one was encrypted (encryptionDropped). */
  encryptionDropped?: string
  /** What a restore of it would fail on (or may), as warned: the job summary repeats them. */
  warnings?: string[]
}

/**
 * How long the artifact-name lookup (a courtesy: the upload refuses a taken name anyway) may take
 * before the backup goes on without it, in milliseconds (attacker a94 F2: a ListArtifacts that
 * never answered held the backup, and its idle database session, until the job's timeout).
 */
export const ARTIFACT_LOOKUP_TIMEOUT_MS = 30_000

export interface BackupDependencies {
  artifact?: DefaultArtifactClient
  /** Bound of the artifact-name lookup, ms (default ARTIFACT_LOOKUP_TIMEOUT_MS). */
  lookupTimeoutMs?: number
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
  // outside a GitHub job the upload cannot work: said before the connection and the dump
  const outside = client && !deps.artifact ? missingArtifactEnvironment() : undefined
  if (outside) throw outside
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
  // asked beside the connection and the server's reads (a round trip to GitHub each; reported in
  // its group once they are done, still before the dump)
  const nameLookup = client
    ? withinTime(
        checkNameIsFree(client, artifactName, inputs.overwrite),
        deps.lookupTimeoutMs ?? ARTIFACT_LOOKUP_TIMEOUT_MS,
        ms => ({
          exists: undefined,
          warning: `Could not check whether an artifact named '${artifactName}' exists (GitHub's artifact service did not answer in ${Math.round(ms / 1000)} s); going on: the upload will say so if it does.`
        })
      )
    : undefined
  nameLookup?.catch(() => undefined) // awaited below; no unhandled rejection meanwhile
  // and the installed pg_dump clients, probed meanwhile (a run of each one's --version)
  const discovered = inputs.pgBinDir ? undefined : discoverClients('pg_dump')
  discovered?.catch(() => undefined)

  // the previous backup's manifest, read beside the dump (a few KB by range requests)
  const previous =
    client && inputs.changes
      ? previousBackupManifest(
          client,
          { name: inputs.artifactName, ...inputs.changes },
          currentRunId()
        )
      : undefined
  let changesSkipped =
    client && !inputs.changes
      ? 'github-token is empty (or the repository is unknown), so this backup was not compared with the previous one (no row-loss warning); keep github-token at its default, ${{ github.token }}, with permissions: actions: read'
      : undefined
  if (changesSkipped)
    log.notice(`The comparison with the previous backup is skipped: ${changesSkipped}.`)
  const storage =
    client && inputs.changes
      ? artifactStorage({ name: inputs.artifactName, ...inputs.changes })
      : undefined

  const pg = await log.group(`Connect to ${describeConnection(connection)}`, async () => {
    const diagnosis = await diagnoseConnection(connection)
    for (const warning of diagnosis.warnings) log.warning(warning)
    return connectAs(connection, inputs)
  })
  // is there room for pg_dump's session beside this one? Asked while the server is read (a
  // pool or a CONNECTION LIMIT of one holds the login until no room is said): without it the
  // dump goes as pg_dump by hand, with no session of the action's own (trial u36 F2)
  let pgOpen = true
  /** The session opened after a dump that had no room for one (pgOpen false). */
  let later: pg.Client | undefined
  // pg_dump --jobs N opens N + 1 sessions (its leader's and one per worker): room for all of
  // them, or the dump goes without the action's session as by hand (attacker a98 F8)
  const dumpSessions = inputs.format === 'directory' && inputs.jobs > 1 ? inputs.jobs + 1 : 1
  const room = roomForSessions(connection, inputs.connectTimeoutSeconds, dumpSessions).then(
    found => found.refused,
    (error: unknown) => noRoomFor(error)
  )
  let workDir: string | undefined
  let session: SnapshotSession | undefined
  let denied: DeniedFacts | undefined
  let destinations: Destinations | undefined
  try {
    const server = await log.group('Read the server', () => readServer(pg))
    // for the manifest: a restore warns where the target's differ (a plain script says none)
    const locale = await readDatabaseLocale(pg)
    // and the settings pg_dump's text depends on (its session's, as the role and database set
    // them): verify dumps its scratch database with the same
    const outputSettings = await readOutputSettings(pg)
    // and which database this is, as its server tells: verify never restores into it
    const identity = await readDatabaseIdentity(pg)
    // a function a restore runs with pg_dump's empty search_path, failing there (trial u48 F1)
    const unrestorable = await warnUnrestorable(pg, server.major, inputs.filters)
    // what the backup keeps that needs what it leaves out (u49 F4), and what the role may not
    // read that kept tables reference (for pg_dump's "permission denied" advice: u49 F1)
    // and with schemas or tables, the foreign keys onto a table the selection leaves out
    // (Supabase's public.profiles → auth.users: trial u53 F2)
    const leftOut = hasExcludes(inputs)
      ? await log.group('Check the exclude patterns', async () => {
          await warnUnmatchedExcludes(pg, inputs)
          return warnLeftOutDependencies(pg, inputs)
        })
      : hasSelection(inputs)
        ? await log.group('Check what the selection leaves out', () =>
            warnLeftOutDependencies(pg, inputs)
          )
        : []
    denied = await unreadableReferenced(pg, inputs.filters).catch(() => undefined)
    const pgDump = await log.group('Choose pg_dump', async () => {
      const install = await chooseDumpClient(server.major, server.version, {
        discovered,
        pgBinDir: inputs.pgBinDir,
        postgresVersion: inputs.postgresVersion,
        installClient: inputs.installClient,
        requires: [...libpqRequirements(connection), ...pgDumpOptionRequirements(inputs.pgDumpArgs)]
      })
      log.info(`${programPath(install, 'pg_dump')}: ${install.versionText}`)
      return install
    })

    const { exists } = nameLookup
      ? await log.group('Check the artifact name', async () => {
          const result = await nameLookup
          if (result.warning) log.warning(result.warning)
          else
            log.info(
              result.exists
                ? `'${artifactName}' exists in this run; it will be replaced once the new backup is ready (overwrite: true).`
                : `'${artifactName}' is free in this run.`
            )
          return result
        })
      : { exists: false }

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
      sign: inputs.signingKey
        ? (json: string) =>
            signManifest(inputs.signingKey!, json, (JSON.parse(json) as Manifest).file.sha256)
        : undefined,
      s3: s3 && {
        storage: s3,
        bucket: inputs.s3!.bucket,
        key: backupKey(inputs.s3!.prefix, server.database, date, ext),
        tags: retention.tags
      }
    })

    // read before the snapshot session takes the connection: which tables' rows policies filter
    const rowSecurity = enablesRowSecurity(inputs.pgDumpArgs)
      ? await rowSecurityTables(pg)
      : undefined
    const bound = await lockBound(pg, inputs.lockTimeoutMs, inputs.pgDumpArgs)
    const noRoom = await room
    if (noRoom !== undefined) {
      log.info(
        `No room for pg_dump's ${dumpSessions > 1 ? `${dumpSessions} sessions (its leader's and one per job)` : 'session'} beside the action's own (${noRoom}): the action ends its session while pg_dump runs (as pg_dump by hand${dumpSessions > 1 ? '' : ', one session'}), and opens one again after it. The rows are counted right after the dump, not in its snapshot, and pg_dump's lock waits are not watched.`
      )
      pgOpen = false
      await pg.end().catch(() => undefined)
    } else {
      // pg_dump --serializable-deferrable cannot import a snapshot (PostgreSQL: "a
      // snapshot-importing transaction must not be READ ONLY DEFERRABLE"; attacker a98 F3: the
      // dump failed): none is exported, and the counts are said not to be in its snapshot
      session = await SnapshotSession.open(pg, {
        exportSnapshot: !serializableDeferrable(inputs.pgDumpArgs)
      })
      if (!session.snapshotId) {
        log.info('The server cannot export a snapshot; row counts are taken right after the dump.')
      }
    }
    const during = session
    // the tables whose data is in the dump are counted (in its snapshot) once its table of
    // contents names them: while the data streams for a custom archive, else after the dump
    let counting: Promise<SnapshotRows[]> | undefined
    const startCounting = (tables: QualifiedName[]): void => {
      if (inputs.rowCounts !== 'exact' || !during?.snapshotId || counting) return
      counting = during.countRows(tables, bound)
      counting.catch(() => undefined) // awaited later; avoid an unhandled rejection meanwhile
    }
    const { sinks } = destinations
    const directory = inputs.format === 'directory' ? path.join(workDir, 'dump.dir') : undefined
    const args = buildPgDumpArgs({
      format: inputs.format,
      filters: inputs.filters,
      extraArgs: inputs.pgDumpArgs,
      snapshotId: session?.snapshotId,
      directory,
      jobs: inputs.jobs
    })
    // the dump's stages hold little on the heap: what start-up grew of it is given back first
    reduceHeap()
    const dumped = await log.group(`Dump to ${fileName}`, () =>
      watchLockWaits(during, () =>
        dumpDatabase({
          pgDumpPath: programPath(pgDump, 'pg_dump'),
          pgRestorePath: programPath(pgDump, 'pg_restore'),
          args,
          env: libpqEnvironment(connection, {
            connectTimeoutSeconds: inputs.connectTimeoutSeconds
          }),
          format: inputs.format,
          directory,
          sinks,
          compression: inputs.compression,
          compressionLevel: inputs.compressionLevel,
          encryption: inputs.encryption,
          knownTables: server.tables,
          estimateBytes: server.sizeBytes,
          onDataTables: startCounting
        })
      )
    )

    const dataTables = await log.group('Check the archive', async () => {
      // wholeness (output, trailer, pg_restore --list) was checked before the stream could end
      if (dumped.checked) log.info(dumped.checked)
      if (dumped.warning) log.warning(dumped.warning)
      return dumped.dataTables
    })
    const filtered = filteredByRowSecurity(rowSecurity, dataTables)
    // no room for it during the dump: the session again, in a transaction with no snapshot of
    // the dump's (the counts are said not to be in it)
    if (!during) {
      later = await connectAs(connection, inputs)
      session = await SnapshotSession.open(later, { exportSnapshot: false })
    }
    const snapshot = session!
    const rowCounts = await log.group('Count rows', async () => {
      const counts = await dumpRowCounts(
        inputs.rowCounts,
        snapshot,
        counting,
        dataTables,
        server,
        bound
      )
      log.info(
        inputs.rowCounts === 'none'
          ? `Row counts are off (row-counts: none); ${plural(counts.tables.length, 'table')} in the dump.`
          : `${plural(counts.tables.length, 'table')}, ${plural(counts.totalRows ?? '?', 'row')} (${inputs.rowCounts}).`
      )
      return counts
    })
    // each table's columns, in the snapshot: a column a later backup lacks is named then
    const columns = await snapshot.columnsOf(rowCounts.tables).catch((error: unknown) => {
      log.info(
        `The tables' columns could not be read (${(error as Error).message}): the next backup's comparison names no column this one had.`
      )
      return undefined
    })
    // within a budget: the manifest's reader takes at most 4 MiB (a schema per tenant, with
    // thousands of wide tables, wrote 5 MB that check then refused: attacker a64 F1)
    const unlisted = columns ? listColumns(rowCounts.tables, columns, COLUMNS_BUDGET_BYTES) : 0
    if (unlisted > 0)
      log.info(
        `The manifest lists the columns of ${plural(rowCounts.tables.length - unlisted, 'table')}, not of ${unlisted} more (it keeps at most ${formatBytes(COLUMNS_BUDGET_BYTES)} of column names): a column dropped from those is not named by the next backup's comparison.`
      )
    const objects = unfiltered(inputs) ? await snapshot.countObjects() : undefined
    // what a restore's target must offer: a word in the manifest, never a reason to fail
    const extensions = await snapshot.listExtensions().catch(() => undefined)
    await snapshot.close()
    session = undefined
    const globals = inputs.globals
      ? await log.group('Dump the roles', () =>
          dumpRoles(
            programPath(pgDump, 'pg_dumpall'),
            libpqEnvironment(connection, { connectTimeoutSeconds: inputs.connectTimeoutSeconds }),
            connection.database,
            fileName,
            inputs.encryption
          )
        )
      : undefined

    const manifest = backupManifest(inputs, {
      createdAt: now(),
      github: currentRun(),
      database: {
        name: server.database,
        host: connection.host,
        port: connection.port,
        sizeBytes: server.sizeBytes,
        locale,
        session: outputSettings,
        identity
      },
      server: { version: server.version, versionNum: server.versionNum, major: server.major },
      pgDump: { version: pgDump.version, major: pgDump.major },
      file: { name: fileName, sizeBytes: dumped.fileBytes, sha256: dumped.sha256 },
      rawSizeBytes: dumped.rawBytes,
      rowCounts,
      objects,
      extensions,
      retention: retention.tier,
      pgDumpArgs: args
    })
    if (globals && 'file' in globals) manifest.globals = globals.manifest
    if (filtered) manifest.rowSecurity = filtered
    let clear: string | undefined
    if (previous && inputs.changes) {
      await log.group('Compare with the previous backup', async () => {
        const found = await previous
        for (const line of found.lines ?? []) log.info(line)
        if ('none' in found) {
          log.info(found.none)
          return
        }
        if ('skipped' in found) {
          changesSkipped = found.skipped
          log.warning(`The comparison with the previous backup is skipped: ${found.skipped}.`)
          return
        }
        manifest.changes = compareManifests(
          manifest,
          found.manifest,
          inputs.changes!.rowLossPercent
        )
        log.info(describeChanges(manifest.changes, found.artifact.runId))
        if (manifest.changes.moved)
          log.notice(
            `${manifest.changes.moved.charAt(0).toUpperCase()}${manifest.changes.moved.slice(1)} (moving day or an upgrade: check that database-url names the database meant).`
          )
        for (const warning of changeWarnings(manifest.changes)) log.warning(warning)
        clear = encryptionDropped(manifest, found.manifest)
        if (clear) log.warning(`${clear}.`)
      })
    }
    // the manifests are written with the time taken so far
    const where = await destinations.complete(
      () => Object.assign(manifest, { durationSeconds: seconds() }),
      globals && 'file' in globals ? [globals.file] : []
    )
    return {
      ...where,
      storage: await describeStorage(storage, manifest.file.sizeBytes, retention.days),
      fileName,
      retentionDays: retention.days,
      manifest,
      serverVersion: server.version,
      pgDumpVersion: pgDump.version,
      durationSeconds: seconds(),
      changesSkipped,
      ...(inputs.signingKey ? { signed: true } : {}),
      ...(clear ? { encryptionDropped: clear } : {}),
      ...(unrestorable.length + leftOut.length > 0 || dumped.warning
        ? { warnings: [...unrestorable, ...leftOut, ...(dumped.warning ? [dumped.warning] : [])] }
        : {}),
      globals:
        globals === undefined
          ? undefined
          : 'file' in globals
            ? { roles: globals.manifest.roles, name: globals.manifest.name }
            : { missing: globals.missing }
    }
  } catch (error) {
    // counts no one will read are not waited for
    session?.abandon()
    const locked = withDeniedFacts(
      session ? await explainLockFailure(error, session, inputs.pgDumpArgs) : error,
      denied
    )
    const explained = pgOpen ? await explainUnreadable(locked, pg, inputs, denied) : locked
    const undone = (await destinations?.abort()) ?? []
    // what reached storage before the failure, for the failure summary (main.ts)
    if (undone.length > 0 && explained instanceof Error) {
      Object.assign(explained, { undone: undone.join(' ') })
    }
    throw explained
  } finally {
    if (session) await session.close()
    if (pgOpen) await pg.end().catch(() => undefined)
    await later?.end().catch(() => undefined)
    if (workDir) await rm(workDir, { recursive: true, force: true })
  }
}

type DumpedRoles =
  { file: ExtraFile; manifest: NonNullable<Manifest['globals']> } | { missing: string }

/**
 * globals: true — pg_dumpall --globals-only --no-role-passwords with the pg_dumpall beside the
 * chosen pg_dump, encrypted like the dump. A server that does not let the role read the roles
 * (or a pg-bin-dir without pg_dumpall) warns: the database's backup is whole without them.
 */
async function dumpRoles(
  pgDumpall: string,
  env: Record<string, string>,
  database: string,
  dumpFileName: string,
  encryption: BackupOptions['encryption']
): Promise<DumpedRoles> {
  log.info(`${pgDumpall} --globals-only --no-role-passwords --no-password --database=${database}`)
  const dumped = await dumpGlobals(pgDumpall, env, database)
  if (!dumped.ok) {
    log.warning(
      `globals: true — the roles were not backed up: ${dumped.reason}. The database's backup is complete without them; a restore with create-roles: true has no roles to create. Give pg_dumpall (beside pg_dump, input pg-bin-dir) and a role that may read pg_roles.`
    )
    return { missing: dumped.reason }
  }
  let roles: string[] = []
  try {
    roles = parseGlobals(dumped.sql).roles.map(r => r.name)
  } catch (error) {
    // stored as pg_dumpall wrote it; a restore with create-roles will refuse it, so say so now
    log.warning(
      `globals: true — pg_dumpall's output holds what a restore with create-roles refuses (${(error as Error).message}); it is stored, but create-roles cannot use it. Please report this with your pg_dumpall version.`
    )
  }
  const data = encryption
    ? await buffer(Readable.from([dumped.sql]).pipe(createEncryptor(encryption)))
    : dumped.sql
  const name = globalsFileName(dumpFileName, encryption !== undefined)
  log.info(
    `${plural(roles.length, 'role')} (${roles.join(', ')}); stored beside the dump as ${name}${encryption ? ', encrypted like it' : ''}. No passwords.`
  )
  return {
    file: { name, data },
    manifest: {
      name,
      sizeBytes: data.length,
      sha256: createHash('sha256').update(data).digest('hex'),
      roles
    }
  }
}

async function readServer(pg: Parameters<typeof readServerInfo>[0]): Promise<ServerInfo> {
  const info = await readServerInfo(pg)
  log.info(
    `PostgreSQL ${info.version}; database '${info.database}', ${formatBytes(info.sizeBytes)}, ${plural(info.tables.length, 'table')}`
  )
  if (info.inRecovery) log.info('The server is a standby (in recovery).')
  if (info.timeouts.statement !== '0' || info.timeouts.idleInTransaction !== '0') {
    log.info(
      `The server sets statement_timeout=${info.timeouts.statement}, idle_in_transaction_session_timeout=${info.timeouts.idleInTransaction}; both are turned off for the dump's sessions.`
    )
  }
  return info
}

/**
 * Warns of each function of the user's that a restore of this backup runs with an empty
 * search_path and that fails there, or may (postgres/restorability.ts): pg_dump dumps it without
 * a word. The backup goes on whatever the check finds, and when the check itself fails.
 */
async function warnUnrestorable(
  client: Parameters<typeof checkRestorability>[0],
  major: number,
  filters: Parameters<typeof checkRestorability>[2]
): Promise<string[]> {
  const found = await checkRestorability(client, major, filters).catch((error: unknown) => {
    log.info(
      `The functions that CHECK constraints, generated columns, indexes and materialized views call were not checked for names a restore cannot resolve (${(error as Error).message}); the backup goes on.`
    )
    return undefined
  })
  if (!found) return []
  for (const warning of found.warnings) log.warning(warning)
  if (found.unchecked) log.info(found.unchecked)
  return found.warnings
}

/**
 * The role pg_dump's --role sets (getopt_long takes --rol and --role; --ro is ambiguous with
 * --rows-per-insert), or undefined: pg_dump runs SET ROLE after it connects, so its reads are
 * that role's (its privileges, its row-security policies).
 */
export function dumpRole(pgDumpArgs: readonly string[]): string | undefined {
  let role: string | undefined
  for (const arg of pgDumpArgs) {
    const m = /^--rol(?:e)?=([^]*)$/.exec(arg)
    if (m) role = m[1]
  }
  return role
}

/**
 * A session of the backup's own, as the role pg_dump reads as: with --role in pg-dump-args, SET
 * ROLE as pg_dump does (attacker a98 F2: the row counts and the row-security check were the
 * login role's, a superuser's, while pg_dump dumped as --role's, whose policy kept half the rows:
 * the manifest's "exact" counts were not the dump's).
 */
async function connectAs(
  connection: Parameters<typeof connect>[0],
  inputs: Pick<BackupOptions, 'connectTimeoutSeconds' | 'pgDumpArgs'>
): Promise<pg.Client> {
  const client = await connect(connection, inputs.connectTimeoutSeconds)
  const role = dumpRole(inputs.pgDumpArgs)
  if (role !== undefined) {
    try {
      await client.query(`SET ROLE ${quoteIdent(role)}`)
    } catch (error) {
      await client.end().catch(() => undefined)
      throw new SettingError(
        undefined,
        `pg-dump-args sets --role=${role}, and the role in database-url may not act as it (SET ROLE: ${(error as Error).message}), as pg_dump would fail too. Grant it that role (GRANT ${quoteIdent(role)} TO <login role>), or leave --role out.`
      )
    }
  }
  return client
}

/** Whether pg_dump's arguments ask for --serializable-deferrable (--ser… is its unique prefix). */
function serializableDeferrable(pgDumpArgs: readonly string[]): boolean {
  return pgDumpArgs.some(
    arg => arg.startsWith('--ser') && '--serializable-deferrable'.startsWith(arg)
  )
}

/** Whether pg_dump's arguments turn row security on (getopt_long takes a unique prefix). */
function enablesRowSecurity(pgDumpArgs: readonly string[]): boolean {
  return pgDumpArgs.some(
    arg => arg.startsWith('--enable-r') && '--enable-row-security'.startsWith(arg)
  )
}

/**
 * --enable-row-security: the tables in the dump whose rows policies filtered for the role, said
 * in a warning (the job summary and the manifest say it too): their rows, and their counts
 * (taken as the same role), are those the role can see, not the table's.
 */
function filteredByRowSecurity(
  rowSecurity: { role: string; tables: QualifiedName[] } | undefined,
  dataTables: readonly QualifiedName[]
): Manifest['rowSecurity'] {
  if (!rowSecurity) return undefined
  const inDump = new Set(dataTables.map(t => JSON.stringify([t.schema, t.name])))
  const tables = rowSecurity.tables.filter(t => inDump.has(JSON.stringify([t.schema, t.name])))
  if (tables.length === 0) return undefined
  const names = tables.map(t => `${t.schema}.${t.name}`)
  log.warning(
    `pg_dump ran with --enable-row-security as role ${rowSecurity.role}, to which row-level security policies apply on ${plural(tables.length, 'table')} in the backup: ${names.slice(0, 50).join(', ')}${names.length > 50 ? `, … and ${names.length - 50} more` : ''}. Their rows in the backup, and their row counts, are only those ${rowSecurity.role} can see; a restore gets no others. For whole tables back up with a role that has BYPASSRLS, or as their owner with the tables NO FORCE ROW LEVEL SECURITY.`
  )
  return { role: rowSecurity.role, tables }
}

function hasSelection(inputs: BackupOptions): boolean {
  return inputs.filters.schemas.length + inputs.filters.tables.length > 0
}

function hasExcludes(inputs: BackupOptions): boolean {
  const f = inputs.filters
  return f.excludeTables.length + f.excludeTableData.length + f.excludeSchemas.length > 0
}

const PG_DUMP_EXCLUDE = {
  excludeTables: { option: '--exclude-table', what: 'table, view or sequence', effect: 'dumped' },
  excludeTableData: {
    option: '--exclude-table-data',
    what: 'table',
    effect: 'dumped with its rows'
  },
  excludeSchemas: { option: '--exclude-schema', what: 'schema', effect: 'dumped' }
} as const

/**
 * pg_dump takes an exclude pattern that matches nothing without a word (--strict-names covers
 * include patterns only), and so does the backup; but it says so: a misspelt or mis-split name
 * would otherwise leave data in the backup that was meant to stay out.
 */
async function warnUnmatchedExcludes(
  pg: Parameters<typeof unmatchedExcludes>[0],
  inputs: BackupOptions
): Promise<void> {
  const unmatched = await unmatchedExcludes(pg, inputs.filters)
  for (const { option, pattern } of unmatched) {
    const about = PG_DUMP_EXCLUDE[option]
    log.warning(
      `The exclude pattern '${pattern}' (pg_dump ${about.option}) matches no ${about.what} in the database, so it excludes nothing: what it was meant to leave out is ${about.effect}. Check the name: quote mixed-case names and names with commas or spaces ("MyTable", "logs, archived"), and qualify them with their schema.`
    )
  }
  if (unmatched.length === 0) log.info('Every exclude pattern matches something in the database.')
}

/** At most this many of the backup's left-out dependencies are warned of one by one. */
const LEFT_OUT_WARNINGS = 20

/**
 * What the backup keeps that needs what its exclude patterns (or schemas) leave out: a foreign
 * key onto a table left out, a view over one, a partition of a parent left out, a default,
 * constraint, index, trigger, policy, column type or function that needs a sequence, table or
 * schema left out (left-out.ts).
 * pg_dump dumps them without a word, and a restore in one transaction stops at the first (u49
 * F4); the backup goes on, as pg_dump by hand does, and the job summary repeats the warnings. A
 * `tables` or `schemas` selection leaves out everything else by design: only its foreign keys onto
 * what it leaves out are warned of (u53 F2). Undone quietly when the check itself fails.
 */
/**
 * A selection (schemas, tables) leaves the database's large objects out: pg_dump dumps them
 * only without one, or with --blobs / --large-objects (the same by hand). The warning, when the
 * database has some, with the option that keeps them (trial u62 F2: a documents.blob column
 * whose large objects no restore brings back).
 */
async function largeObjectsLeftOut(
  pg: Parameters<typeof leftOutDependencies>[0],
  inputs: BackupOptions
): Promise<string | undefined> {
  if (!hasSelection(inputs)) return undefined
  if (inputs.pgDumpArgs.some(a => /^(?:-b|--blobs|--large-objects|-s|--schema-only)$/.test(a)))
    return undefined
  const count = await pg
    .query<{ n: string }>(
      'SELECT pg_catalog.count(*)::pg_catalog.text AS n FROM pg_catalog.pg_largeobject_metadata'
    )
    .then(
      r => Number(r.rows[0]?.n ?? 0),
      () => 0
    )
  if (count === 0) return undefined
  return `The backup holds none of the database's ${plural(count, 'large object')}: pg_dump leaves large objects out when tables or schemas select what it dumps (the same by hand), and a column that refers to one (an oid, lo) refers to nothing after a restore. To keep them, pass pg-dump-args: --blobs.`
}

async function warnLeftOutDependencies(
  pg: Parameters<typeof leftOutDependencies>[0],
  inputs: BackupOptions
): Promise<string[]> {
  const found = await leftOutDependencies(pg, inputs.filters).catch((error: unknown) => {
    log.info(
      `What the backup keeps that needs what it leaves out (foreign keys, views, partitions, defaults, constraints, indexes, triggers, policies, column types, functions) was not checked (${(error as Error).message}); the backup goes on.`
    )
    return undefined
  })
  if (!found) return []
  // a selection (schemas, tables) leaves out everything else by design: only its foreign keys
  // onto what it leaves out are warned of (a restore stops on them where the target lacks the
  // rows), and with exclude patterns what needs a schema that schemas leaves out, as before
  const warnings = found
    .filter(d =>
      d.kind === 'partition left out' || d.kind === 'child left out'
        ? false
        : d.by === 'tables' || d.by === 'schemas'
          ? // a partition or child kept without its parent: the restore stops at it (a100 F8)
            d.kind === 'foreign key' ||
            d.kind === 'partition' ||
            d.kind === 'child' ||
            (d.by === 'schemas' && hasExcludes(inputs))
          : true
    )
    .map(leftOutWarning)
  // a parent that tables names without its partitions or children: their rows are not in the
  // backup (one warning per parent); not where pg-dump-args takes them (--table-and-children),
  // and not for schemas, which keep the parent's rows of its own schema (attacker a100 F6, F7)
  const parents = new Map<string, LeftOutDependency[]>()
  const withChildren = inputs.pgDumpArgs.some(a => /^--table-and-children\b/.test(a))
  for (const d of found) {
    if (d.kind !== 'partition left out' && d.kind !== 'child left out') continue
    if (d.by !== 'tables' || withChildren) continue
    const key = JSON.stringify([d.kind, d.dependent.schema, d.dependent.name])
    parents.set(key, [...(parents.get(key) ?? []), d])
  }
  warnings.unshift(...[...parents.values()].map(childrenLeftOutWarning))
  const objects = await largeObjectsLeftOut(pg, inputs)
  const shown = [...(objects ? [objects] : []), ...warnings.slice(0, LEFT_OUT_WARNINGS)]
  if (warnings.length > LEFT_OUT_WARNINGS)
    shown.push(
      `… and ${warnings.length - LEFT_OUT_WARNINGS} more foreign keys, views, partitions, defaults, constraints, indexes, triggers, policies, columns or functions of the backup that need what it leaves out: this backup will not restore in one transaction into a database that lacks those.`
    )
  for (const warning of shown) log.warning(warning)
  if (warnings.length === 0)
    log.info(
      'Nothing the backup keeps (foreign keys, views, partitions, defaults, constraints, indexes, triggers, policies, column types, functions) needs what it leaves out.'
    )
  return shown
}

function unfiltered(inputs: BackupOptions): boolean {
  return Object.values(inputs.filters).every(list => list.length === 0)
}

/**
 * Runs the dump and, while it runs, asks every 2 s whether pg_dump waits for a lock (it takes
 * them all before it writes, and says nothing while it waits): the log says on what and for
 * whom, once for each change. A question waits while the session counts rows.
 */
async function watchLockWaits<T>(
  /** The session that asks (none: no room for it, the dump runs unwatched). */
  session: SnapshotSession | undefined,
  dump: () => Promise<T>
): Promise<T> {
  if (!session) return dump()
  let last = ''
  let stopped = false
  let asking = false
  const poll = async (): Promise<void> => {
    if (asking) return // the session is busy (counting): ask again later
    asking = true
    const waits = await session.dumpLockWaits().catch(() => [])
    asking = false
    if (stopped) return
    const text = waits
      .map(w => `${w.table.schema}.${w.table.name}: ${w.blockers.map(describeBlocker).join('; ')}`)
      .join(' | ')
    if (text && text !== last) {
      log.info(`pg_dump waits for a lock on ${text}.`)
    }
    last = text
  }
  const timer = setInterval(() => void poll(), LOCK_POLL_MS)
  try {
    return await dump()
  } finally {
    stopped = true
    clearInterval(timer)
  }
}

const LOCK_POLL_MS = 2000

/**
 * pg_dump gave up waiting for a lock (its --lock-wait-timeout): the error names the tables and
 * the sessions that hold them, read from pg_locks while the holder likely still holds it.
 */
async function explainLockFailure(
  error: unknown,
  session: SnapshotSession,
  pgDumpArgs: readonly string[]
): Promise<unknown> {
  if (!(error instanceof DumpError)) return error
  const lock = /LOCK TABLE (.+?) IN ACCESS SHARE MODE/.exec(error.stderr)
  if (!lock || !/canceling statement due to (statement|lock) timeout/.test(error.stderr)) {
    return error
  }
  const held: string[] = []
  for (const table of qualifiedNames(lock[1])) {
    const blockers = await session.tableBlockers(table).catch(() => [])
    if (blockers.length > 0) {
      held.push(
        `${table.schema}.${table.name} is locked by ${blockers.map(describeBlocker).join('; ')}`
      )
    }
  }
  const given = pgDumpArgs
    .map(arg => /^--lock-wait-timeout=(.*)$/.exec(arg)?.[1])
    .filter(v => v !== undefined)
    .pop()
  return new DumpError(
    `pg_dump gave up waiting for a lock${given ? ` (--lock-wait-timeout=${given})` : ''}: ${held.length > 0 ? held.join('. ') : `a session held a lock on ${lock[1]} and has let go since`}. Nothing was uploaded. Run the backup when that session has finished (or end it: SELECT pg_terminate_backend(pid)), or give pg_dump longer (--lock-wait-timeout in pg-dump-args).`,
    error.stderr,
    { cause: error }
  )
}

/**
 * pg_dump stopped at the first table or sequence the role may not read: the error names every
 * one the backup includes (unreadableRelations), with one GRANT for them all to the role itself,
 * and says what leaving each out costs — a partition's rows missing from its partitioned table,
 * a table's own sequence (trial u49 F1: four runs, "TO <role>", "exclude-schemas: public").
 */
async function explainUnreadable(
  error: unknown,
  client: Parameters<typeof unreadableRelations>[0],
  inputs: BackupOptions,
  /** What the session read before the dump: the tables kept tables reference by a foreign key. */
  denied?: DeniedFacts
): Promise<unknown> {
  if (!(error instanceof DumpError)) return error
  if (!/permission denied for (?:table|sequence|schema) /.test(error.stderr)) return error
  const found = await unreadableRelations(client, inputs.filters).catch(() => [])
  const role = await client
    .query<{ me: string }>('SELECT current_user::text AS me')
    .then(r => r.rows[0]?.me)
    .catch(() => undefined)
  if (found.length === 0 || !role) return error
  const at = error.message.search(/ The role in database-url(?:, [^ ]+,)? may not (?:read|use) /)
  const head = at < 0 ? error.message : error.message.slice(0, at)
  const shown = found.slice(0, 20)
  const name = (r: (typeof found)[number]): string => quoteQualified(r)
  const each = shown.map(r =>
    r.partitionOf
      ? `${name(r)} (a partition of ${r.partitionOf}: a grant on that table does not reach it for pg_dump)`
      : r.ownedBy
        ? `${name(r)} (the sequence of ${r.ownedBy}: it goes with its table, grant it)`
        : `${r.kind} ${name(r)}`
  )
  // a table kept tables reference by a foreign key: leaving it out makes a backup that does not
  // restore (u49 F4) — the grant only
  const referencing = (r: (typeof found)[number]): readonly string[] =>
    denied?.referenced.get(name(r)) ?? []
  const needed = shown.filter(r => referencing(r).length > 0)
  const leaveOut = shown.filter(r => !r.partitionOf && !r.ownedBy && referencing(r).length === 0)
  // the schemas it may not use: pg_dump stops there first (attacker a81 F8)
  const usage = [...new Set(found.filter(r => !r.usable).map(r => r.schema))]
    .map(n => `GRANT USAGE ON SCHEMA ${quoteIdent(n)} TO ${quoteIdent(role)}; `)
    .join('')
  // a whole schema only where it is not the app's own (Supabase's vault, never public)
  const schemas = [...new Set(leaveOut.map(r => r.schema))].filter(n => n !== 'public')
  // the roles that own them (none a superuser): membership in them reads them all, the one
  // GRANT an RDS or Neon admin role may give itself (trial u51 F5)
  const owners = found.every(r => r.owner !== undefined)
    ? [...new Set(found.map(r => r.owner!))].filter(o => o !== role)
    : []
  const member =
    owners.length > 0 && owners.length <= 5
      ? ` Simplest, where ${quoteIdent(role)} may be made a member of ${owners.length === 1 ? 'their owner' : 'their owners'} (a role with CREATEROLE and ADMIN on ${owners.length === 1 ? 'it' : 'them'}, such as a managed service's admin role): ${owners.map(o => `GRANT ${quoteIdent(o)} TO ${quoteIdent(role)};`).join(' ')} — it then reads all of them.`
      : ''
  const unique = (names: string[]): string[] => [...new Set(names)]
  return new DumpError(
    `${head} The role ${quoteIdent(role)} may not read ${found.length === 1 ? 'this' : `these ${found.length}`} of what the backup includes (pg_dump stops at the first one; by hand too): ${each.join(', ')}${found.length > shown.length ? `, … and ${found.length - shown.length} more` : ''}. Nothing was uploaded.${member} Let it read them, as their owner: ${usage}GRANT SELECT ON ${unique(shown.map(name)).join(', ')} TO ${quoteIdent(role)}${leaveOut.length > 0 ? ` — or leave ${leaveOut.length === 1 ? 'that table' : 'those tables'} out (exclude-tables: ${unique(leaveOut.map(name)).join(',')})${schemas.length > 0 ? `, or ${schemas.length === 1 ? 'its schema' : 'their schemas'} whole (exclude-schemas: ${schemas.map(quoteIdent).join(',')})` : ''}, if no table the backup keeps needs ${leaveOut.length === 1 ? 'it' : 'them'} (a foreign key onto a table left out fails the restore)` : ''}.${needed.length > 0 ? ` Leaving out ${needed.map(r => `${name(r)} (referenced by a foreign key of ${referencing(r).slice(0, 5).join(', ')})`).join(', ')} makes a backup that does not restore — grant ${needed.length === 1 ? 'it' : 'them'}, or leave out the tables that refer to ${needed.length === 1 ? 'it' : 'them'} too (exclude-tables: ${unique([...needed.map(name), ...needed.flatMap(r => referencing(r).slice(0, 5))]).join(',')}); leaving out only the rows (exclude-table-data) does not serve either: the key is checked against the rows that refer to them as a restore adds it.` : ''}`,
    error.stderr,
    { cause: error }
  )
}

interface Retention {
  days: number
  tier?: { tier: RetentionTier; days: number }
  tags?: Record<string, string>
}

/** retention-schedule picks the tier from the run's UTC date; the artifact follows it. */
function chooseRetention(inputs: BackupOptions, date: Date): Retention {
  if (!inputs.retentionSchedule) {
    // above the repository's maximum the artifact client keeps it that long: said, and the
    // summary's days and storage estimate are the days it is kept (trial u37 F2)
    const kept = artifactRetentionDays(inputs.retentionDays)
    if (kept.capped && inputs.artifact !== false) {
      log.notice(
        `retention-days is ${inputs.retentionDays}; the artifact is kept ${kept.days} days, the most this repository allows (GITHUB_RETENTION_DAYS; GitHub: 90 days for public, 400 for private repositories, less where the repository or organization settings say so). For longer, keep copies in S3 (s3-uri) with retention-schedule.`
      )
    }
    return { days: kept.days }
  }
  const tier = retentionTier(date, inputs.retentionSchedule)
  const artifactDays = artifactRetentionDays(tier.days)
  if (artifactDays.capped && inputs.artifact !== false) {
    log.notice(
      `The ${tier.tier} tier keeps backups ${tier.days} days; the artifact is kept ${artifactDays.days} days, the most this repository allows (GitHub: 90 days for public, 400 for private repositories; the S3 copy follows the schedule through its lifecycle rule).`
    )
  }
  log.info(
    `Retention tier for ${date.toISOString().slice(0, 10)}: ${tier.tier} (${tier.days} days)`
  )
  return { days: artifactDays.days, tier, tags: { retention: tier.tier } }
}

/** GitHub Free's artifact and package storage for private repositories, in bytes. */
const FREE_STORAGE_BYTES = 500 * 1024 * 1024

/**
 * The storage arithmetic for the summary: what the backups take now and will take with a backup
 * a day kept `retentionDays`; a warning when that exceeds GitHub Free's 500 MB on a private
 * repository (public repositories are not billed for artifact storage).
 */
async function describeStorage(
  storage: Promise<ArtifactStorage | undefined> | undefined,
  fileBytes: number,
  retentionDays: number
): Promise<StorageEstimate | undefined> {
  const now = storage ? await storage : undefined
  if (!now) return undefined
  const estimate: StorageEstimate = {
    count: now.count,
    bytes: now.bytes,
    steadyBytes: fileBytes * retentionDays,
    visibility: repositoryVisibility()
  }
  log.info(
    `Backup artifacts of this name: ${now.count} before this one, ${formatBytes(now.bytes)}; with a backup a day kept ${retentionDays} days they settle at about ${formatBytes(estimate.steadyBytes)}.`
  )
  if (estimate.visibility !== 'public' && estimate.steadyBytes > FREE_STORAGE_BYTES) {
    log.warning(
      `Daily backups of this size kept ${retentionDays} days take about ${formatBytes(estimate.steadyBytes)} of artifact storage, more than the 500 MB GitHub Free includes for private repositories (then billed per GB-month). Lower retention-days, use retention-schedule with S3 for long-term copies, or check your plan's storage.`
    )
  }
  return estimate
}

/**
 * `promise`, or `late(ms)` once `ms` milliseconds passed without it settling (the promise is left
 * to settle unheeded; the timer does not keep the process alive).
 */
function withinTime<T>(promise: Promise<T>, ms: number, late: (ms: number) => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<T>(resolve => {
    timer = setTimeout(() => resolve(late(ms)), ms)
    timer.unref()
  })
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer))
}
