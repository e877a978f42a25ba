/**
 * Loading a checked backup into the target: every script (a plain dump, or what `pg_restore -f -`
 * writes of an archive) through the script gate (script-gate.ts) into `psql -X -v ON_ERROR_STOP=1`,
 * in one transaction the gate writes by default, statement output discarded; with `clean`, the
 * backup's objects dropped first in that same transaction. A parallel restore (jobs > 1) loads
 * the archive's sections and data entries as scripts of their own, each through the same gate.
 *
 * The direct load: an archive (custom format with jobs: 1, or a directory archive) whose script
 * the gate passes whole with nothing to leave out is loaded by `pg_restore -d
 * --single-transaction --exit-on-error -L <list>` itself — the same statements, its rows as COPY
 * data never through this process's gate (planDirectLoad checks first, loadDirect loads; the
 * log says which path and why not direct). Credentials reach the tools only through the
 * environment.
 */
import { createReadStream, createWriteStream } from 'node:fs'
import {
  copyFile,
  link,
  lstat,
  mkdir,
  open,
  readdir,
  readFile,
  rm,
  stat,
  writeFile
} from 'node:fs/promises'
import { gunzipSync, zstdDecompressSync } from 'node:zlib'
import path from 'node:path'
import {
  type Duplex,
  Readable,
  Transform,
  type TransformCallback,
  type Writable
} from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { CheckError, EngineError, type ErrorKind, type OptionName, sentence } from '../errors.js'
import { SCAVENGE_BYTES, scavengeEvery } from '../memory.js'
import {
  commitOutcome,
  markCommitAfterData,
  markCommitSent,
  markRolledBack,
  partialLoadNote,
  resetCommitMark
} from './commit.js'
import { log, stopwatch, plural } from '../log.js'
import {
  type BackupFile,
  type Decoding,
  chain,
  decodingStages,
  discard,
  fileName,
  openDecoded,
  openRaw,
  startDecoded
} from '../pipeline/decode.js'
import { type DigestStage, type ReadBytes, sameBytesAsChecked } from '../pipeline/digest.js'
import { createDecryptor } from '../pipeline/encrypt.js'
import { createZstdCliDecompressor, findZstdCommand } from '../pipeline/compress.js'
import { LiveEntryNotTaken } from '../storage/live-zip.js'
import { ChildProcessError, checkedOutput, runChild, startChild } from '../process.js'
import type { QualifiedName, RestoreOptions } from '../types.js'
import { ArchiveError, foreignEntries } from './archive.js'
import {
  type CopyEndsChecked,
  checkCustomArchiveStream,
  customDataStarts,
  checkDirectoryRows,
  checkTarRows,
  checkedRowsNote,
  tarMemberSize
} from './copy-ends.js'
import { OWN_SEARCH_PATH, endOwnSessions, ownSessionCount } from './session.js'
import { type ClientInstall, programPath } from './clients.js'
import {
  dataDependencies,
  dataPasses,
  dataRanks,
  dataSizes,
  dataGroups,
  entriesName,
  batchPasses,
  inArchiveOrder,
  loadBatches,
  listedEntries,
  mergeSkipped,
  mergeSkippedInArchiveOrder,
  postDataWaves,
  runPooled
} from './parallel-restore.js'
import { lexPsqlScript } from './psql-lexer.js'
import { directTextHazard } from './direct-entries.js'
import { connectionLimit, connectionLimitFailure } from './diagnostics.js'
import type { FillOrder } from './data-only.js'
import type { PlainCopyBlock } from './plain-sql.js'
import {
  DIRECT_PIPE_HOLD_BACK,
  HeldEnd,
  PipedFeed,
  type PipedInput,
  PipedInputError,
  SideDecoder,
  headDecodesHere,
  pipedInput
} from './direct-pipe.js'
import type { ArchiveDigestTap } from './compare.js'
import { refusal } from './psql-script-rules.js'
import {
  ScriptGate,
  type ScriptGateOptions,
  type SkippedStatement,
  type StatementPolicy
} from './script-gate.js'
import {
  type ArchiveToc,
  type TocEntry,
  DATA_FILE_NAME,
  isPgDumpDataEntry,
  isPgDumpLargeObjectEntry,
  parseArchiveToc,
  type StreamedToc,
  readArchiveToc,
  readArchiveTocFile,
  readStreamHead
} from './toc.js'
import { quoteSql, redactSql } from './sql-redact.js'
import { quoteIdent } from '../sql-names.js'
import { enableExtension } from './target-policy.js'
import { recreateBroken, recreatedStatement } from './clean.js'

/** What the restore asks of the load. */
export type LoadOptions = Pick<
  RestoreOptions,
  | 'clean'
  | 'noOwner'
  | 'noPrivileges'
  | 'singleTransaction'
  | 'jobs'
  | 'tables'
  | 'schemas'
  | 'dataOnly'
> &
  /** The action's lock-timeout: the script's SET lock_timeout (pg_dump's header: 0) becomes it. */
  Partial<Pick<RestoreOptions, 'lockTimeoutMs'>> & {
    /**
     * pg_restore --no-statistics (pg_restore 18+): the archive's STATISTICS DATA entries are left
     * out, for a target before 18 (which lacks pg_restore_relation_stats()). An older pg_restore
     * writes them: the gate leaves them out (ScriptGateOptions.leaveOutStatistics).
     */
    noStatistics?: boolean
    /**
     * No session of the action's own watches the load's lock waits (no room for one beside the
     * loader's: a pool or CONNECTION LIMIT of 1). pg_restore -d takes pg_dump's `SET lock_timeout
     * = 0` from the archive, which only the watcher bounded: the gated psql path then, whose
     * script carries lock-timeout instead (attacker a63 F2).
     */
    unwatched?: boolean
    /**
     * The restore's own explanation of a failure (the loader's message), knowing what the backup
     * and the target hold: a foreign key onto a table the restore does not create
     * (outside-key.ts). Said instead of subsetHint's where it says anything.
     */
    explainFailure?: (message: string) => string
  }

export class LoadError extends EngineError {
  constructor(
    message: string,
    readonly stderr: string,
    /** true when the loader failed because its input could not be read to its end. */
    readonly inputFailed = false,
    /** How the loader ended (the message can be written again from it). */
    readonly exit?: { program: string; code: number | null; signal: NodeJS.Signals | null },
    /** A setting as the cause (exit code 2, the input named): the connection's, not the backup's. */
    kind: ErrorKind = 'failure',
    option?: OptionName
  ) {
    super(message, kind, option)
    this.name = 'LoadError'
  }
}

/** The work directory's disk filled while the backup was unpacked there, before any load. */
export class DiskFullError extends EngineError {
  override name = 'DiskFullError'
}

/** What pg_restore reads: a path it opens itself (directory, file), or a backup fed on stdin. */
export type ArchiveInput = { path: string } | { file: BackupFile; decoding: Decoding }

/** How a checked backup is loaded (the restore's plan). */
export interface LoadPlan {
  /**
   * 'directory': a directory-format archive's folder; the others are (encoded) files ('tar': a
   * tar-format archive, pg_dump -Ft, which pg_restore reads itself).
   */
  format: 'custom' | 'plain' | 'directory-tar' | 'directory' | 'tar'
  /** 'directory-tar' whose files are under one folder of the tar: its name. */
  tarFolder?: string
  decoding: Decoding
  /** The pg_restore or psql to load with. */
  client: ClientInstall
  /**
   * The archive's entries as `pg_restore --list` of this client printed them without a
   * selection (the check of the backup ran it): a direct load that selects nothing either
   * lists them again only when this is missing.
   */
  listed?: number[]
  /**
   * A custom archive's header and TOC as the check of the backup read and parsed them: a direct
   * load reads the same bytes again and compares them, instead of parsing them again.
   */
  tocRead?: StreamedToc
  /**
   * A directory archive's toc.dat as the check of the backup read and parsed it: the load
   * refuses one that differs (read twice and differed), before anything runs.
   */
  checkedToc?: Buffer
  /** clean: the statements that drop what the backup recreates (postgres/clean.ts), run first. */
  drops?: string[]
  /**
   * create-roles: the statements that create the roles the target lacks (postgres/globals.ts),
   * run before everything else in the restore's transaction (a failed restore leaves no role).
   */
  roles?: string[]
  /**
   * allow-non-empty/clean with a data-only backup: the target's tables it fills, found empty
   * before the load. The load locks them (SHARE: no other session writes them until it commits)
   * and checks them empty again in its own transaction, before the data (fillChecks).
   */
  fills?: QualifiedName[]
  /**
   * The target's foreign keys between tables it has that the load fills (a provider's tables,
   * data-only's): the referenced table's rows load first (parallel-restore.ts dataPasses), as no
   * archive order by name can promise (auth.identities before auth.users).
   */
  dataOrder?: ReadonlyArray<FillOrder>
  /** A plain script's COPY blocks as the check read them (plain-sql.ts), for `dataOrder`. */
  copyBlocks?: ReadonlyArray<PlainCopyBlock>
  /**
   * A plain script: the file's bytes (as stored) as the check read them whole. The load's read
   * takes their sha256 too, and its end reaches the gate (which writes COMMIT) only when they are
   * the same: a file written in place after its check (cut at a statement's end, appended to)
   * commits nothing (attacker a37 F3).
   */
  checkedBytes?: ReadBytes
  /**
   * allow-non-empty or clean into a target that holds objects: the statements that prove, last
   * in the restore's transaction before its COMMIT, that the target's own objects are unchanged
   * (unchanged.ts). Only the gated path runs them: the direct load is not taken.
   */
  unchanged?: string[]
  /**
   * The check that what belongs to the whole server is unchanged (cluster-state.ts), run last
   * before the COMMIT where the gate's load runs in one transaction. Unlike `unchanged`, it does
   * not keep the load from pg_restore -d: there it is compared after the load instead.
   */
  cluster?: string
  /**
   * data-only: the statements that defer the target's foreign keys between the tables it fills
   * (before the data), and check them and set them back (after it, before `unchanged`): the
   * rows arrive in the archive's order (data-only.ts, deferredForeignKeys).
   */
  deferrals?: { before: string[]; after: string[] }
  /**
   * One transaction with privileges restored, where the restoring role has default privileges
   * (default-privileges.ts): `setAside` runs first after BEGIN (the objects the backup creates
   * start from the hard-wired default, so that its GRANT/REVOKE make the source's ACLs),
   * `reinstate` before `unchanged`, ahead of the COMMIT. Only the gated path runs them.
   */
  defaultPrivileges?: { setAside: string[]; reinstate: string[] }
  /**
   * data-only in one transaction: the sequences' values, set at the end of the load and never
   * moved back (data-only.ts guardedSetval), by sequence; filled while the gate reads the
   * backup's setval statements (the policy leaves those out). Only the gated path runs them.
   */
  sequenceSets?: ReadonlyMap<string, string>
  /**
   * clean-drop-dependents: DO blocks that create again the parts of tables that stay which the
   * drops took (clean.ts recreateBlock), after the data and before the net's check. Only the
   * gated path runs them (clean never loads directly).
   */
  recreate?: string[]
  /**
   * tables: the ATTACH PARTITION statements of the partitions restored with their partitioned
   * table (restore-plan.ts partitionAttachments), after the data, before `recreate`. Only the
   * gated path runs them.
   */
  attach?: string[]
  /**
   * The owners the policy left out for want of CREATE on their schema that the backup's own
   * GRANTs gave (target-policy.ts OwnersAfterGrants): their ALTER … OWNER TO, written by the
   * action, at the very end of the load (after the privileges), in its transaction; called once
   * the whole script was decided. Only the gated path runs them (a skip keeps the load from
   * pg_restore -d).
   */
  ownersLater?: () => string[]
}

/**
 * clean-drop-dependents' recreated parts (plan.recreate), at the end of the script in a single
 * transaction or not (re-attack a66 F1: without one they were left out, and said to have failed),
 * under the action's own search_path (a script's may put a schema of its own before pg_catalog,
 * whose look-alikes of the system's functions the definitions' unqualified names would bind to),
 * client_encoding and standard_conforming_strings (the definitions' text as it was printed).
 */
function recreateStatements(plan: LoadPlan): () => string[] {
  return () => {
    // the owners set after the backup's GRANTs: as the role that connected (which created the
    // objects), not one the script set last
    const owners = plan.ownersLater?.() ?? []
    return (plan.recreate ?? []).length === 0 &&
      (plan.attach ?? []).length === 0 &&
      owners.length === 0
      ? []
      : [
          // read as they were printed (re-attack a67 F1: a script that ends with
          // standard_conforming_strings off turned 'secret\\d' in a policy into 'secretd'); ASCII
          // without a backslash, so psql reads these lines alike in any setting
          "SET client_encoding = 'UTF8';",
          'SET standard_conforming_strings = on;',
          `SELECT pg_catalog.set_config('search_path', '${OWN_SEARCH_PATH}', false);`,
          ...(plan.attach ?? []),
          ...(plan.recreate ?? []),
          ...(owners.length > 0 ? ['RESET SESSION AUTHORIZATION;', 'RESET ROLE;', ...owners] : [])
        ]
  }
}

/**
 * What runs last before the gate's COMMIT: data-only's deferred keys checked and set back, the
 * default privileges reinstated, then the net's check.
 */
function lastStatements(plan: LoadPlan): () => string[] {
  return () => {
    const last = [
      ...(plan.sequenceSets?.values() ?? []),
      ...(plan.deferrals?.after ?? []),
      ...(plan.defaultPrivileges?.reinstate ?? []),
      ...(plan.unchanged ?? []),
      ...(plan.cluster
        ? [
            // as before the net: what would run at COMMIT, after the check, runs now (a WITH
            // HOLD cursor's query, deferred triggers), and the check reads as the role that
            // connected, not one the script set (attacker a69 F2, F6; a trigger may set one)
            'CLOSE ALL;',
            'SET CONSTRAINTS ALL IMMEDIATE;',
            'RESET SESSION AUTHORIZATION;',
            'RESET ROLE;',
            plan.cluster
          ]
        : [])
    ]
    // the action's own statements resolve only the system's operators and functions (a script
    // without pg_dump's set_config('search_path', '', false) leaves the role's path, where a
    // target's user may have planted `public.=(oid, regclass)`: attacker a39 F1)
    // … as the role that connected, not one the script set last (SET ROLE, pg_dump
    // --use-set-session-authorization): the default privileges reinstated FOR ROLE it failed
    // under another (attacker a70 F3)
    return last.length === 0
      ? last
      : [
          'RESET SESSION AUTHORIZATION;',
          'RESET ROLE;',
          `SELECT pg_catalog.set_config('search_path', '${OWN_SEARCH_PATH}', false);`,
          ...last
        ]
  }
}

/**
 * The statements that lock the tables a data-only load fills and fail (the transaction rolls
 * back) when one holds rows by then: rows another session wrote between the guard's check and the
 * load would otherwise be appended to. Without a single transaction no lock outlives its
 * statement: only the check runs.
 */
export function fillChecks(fills: ReadonlyArray<QualifiedName>, transaction: boolean): string[] {
  const ident = (s: string): string => `"${s.replace(/"/g, '""')}"`
  const literal = (s: string): string => `'${s.replace(/'/g, "''")}'`
  const sorted = [...fills].sort(
    (a, b) => a.schema.localeCompare(b.schema) || a.name.localeCompare(b.name)
  )
  const name = (t: QualifiedName): string => `${ident(t.schema)}.${ident(t.name)}`
  const out: string[] = []
  // one table after another, in a fixed order; a role that may only INSERT (SHARE mode needs
  // UPDATE, DELETE or TRUNCATE) loads as by hand, checked without the lock (a lock taken in the
  // block's subtransaction stays the transaction's)
  for (const t of sorted) {
    const lock = transaction
      ? `BEGIN LOCK TABLE ${name(t)} IN SHARE MODE; EXCEPTION WHEN insufficient_privilege THEN NULL; END; `
      : ''
    const body = `BEGIN ${lock}IF EXISTS (SELECT 1 FROM ${name(t)}) THEN RAISE EXCEPTION 'the table % holds rows now: another session wrote into it after the restore found it empty; nothing was restored', ${literal(`${t.schema}.${t.name}`)}; END IF; END`
    let tag = '$fill$'
    for (let n = 0; body.includes(tag); n++) tag = `$fill${n}$`
    out.push(`DO ${tag}${body}${tag};`)
  }
  return out
}

/** Where the backup is loaded into. */
export interface LoadTarget {
  /** The environment of the client (libpqEnvironment). */
  env: Record<string, string>
  database: string
  serverMajor: number
}

/** What the load reports: the statements the gate left out (for the log and job summary). */
export interface LoadResult {
  skipped: SkippedStatement[]
  /** Loaded by `pg_restore -d` itself (true), not through the gate into psql. */
  direct?: boolean
}

/** What the restore adds to the load: the policy that decides statement by statement. */
export interface LoadHooks {
  policy?: StatementPolicy
  /**
   * Verify's digest of the backup, in the same read as the load: its stage is a pass-through for
   * the decoded archive on its way to the pg_restore of the load (a custom archive fed on stdin,
   * one transaction through psql); the piped load (zstd -d into pg_restore -d) feeds it from a
   * second zstd of the same compressed bytes instead (direct-pipe.ts SideDecoder). Not used on
   * other paths; whoever gives it checks whether it ran to its end (its result()).
   */
  archiveTap?: ArchiveDigestTap
  /**
   * jobs > 1 with create-roles: called once the roles' own transaction committed — from then on
   * they stay, whatever happens to the rest of the restore.
   */
  rolesCommitted?: () => void
  /** A warning the load logged, for the restore's summary and outputs. */
  warned?: (warning: string) => void
}

/**
 * Loads the backup (a file, or a directory archive's folder) into the target; `workDir` takes
 * what pg_restore needs on disk (a directory archive unpacked, a seekable file for --jobs).
 *
 * Every script goes through one gate (script-gate.ts) into `psql -X -v ON_ERROR_STOP=1 -f -`: a
 * plain dump as it is, an archive as the script `pg_restore -f -` writes of it. psql runs without
 * --single-transaction: the gate writes BEGIN; and COMMIT; itself, COMMIT only after the whole
 * input was read, decoded and checked; a failure anywhere ends psql's input inside the
 * transaction (psql exits, the server rolls back). A parallel restore (jobs > 1) checks the
 * archive's TOC (checkArchiveToc) and its whole script first, then loads its pre-data section,
 * its data entries `jobs` at a time and its post-data section, each script through the gate
 * (parallelThroughPsql).
 *
 * @throws CheckError when the script holds what the gate refuses (nothing was restored);
 *   LoadError when psql or pg_restore fails (with a single transaction, nothing was kept).
 */
export async function loadBackup(
  dump: BackupFile | { directory: string },
  plan: LoadPlan,
  target: LoadTarget,
  options: LoadOptions,
  workDir: string,
  hooks: LoadHooks = {}
): Promise<LoadResult> {
  // a load begins: nothing of it was sent (a run that loads again reloads only what never
  // committed; the engine run twice in one process starts from nothing too)
  resetCommitMark()
  try {
    return await load(dump, plan, target, options, workDir, hooks)
  } catch (error) {
    if (!(error instanceof LoadError)) throw error
    // an archive that ends in the middle: pg_restore says only "end of file"
    const cut =
      !('directory' in dump) &&
      !error.inputFailed &&
      /could not read from input file: end of file/.test(error.stderr)
        ? `${fileName(dump)} is cut short (truncated): pg_restore reached its end in the middle of the archive. `
        : ''
    // pg_restore stopped reading its input (cut short) or a statement failed: it never reached
    // its COMMIT, or the server refused it — rolled back, though the input's end was released
    // or it never had a session (no connection left for it: trial u26 F1, "may have committed" of
    // a target that held nothing): its transaction never began
    if (cut || endedOnStatementError(error) || neverConnected(error) || failedBeforeCommit(error))
      markRolledBack()
    // the loader killed after its input's end was released: its server session may still run a
    // statement before its COMMIT (an index of the post-data section) — ended here, and its
    // transaction's status asked, as a cancel does (attacker a37 F2: "may have committed" of a
    // target that held nothing, the session left running after the action exited)
    if (options.singleTransaction && commitOutcome() === 'unknown')
      await endOwnSessions(5000, { programsOnly: true }).catch(() => undefined)
    // a login the pooler refused for its "options" (explainLoadFailure): every loader's would
    // be, the first included — nothing loaded, whatever the mode
    if (/unsupported startup parameter/.test(error.stderr)) throw error
    // the mode of this restore decides what is left: only that case is said
    // without a single transaction the refused part stays dropped, and nothing of the backup
    // depends on it any more: restoring again would not bring it back (attacker a75 F1)
    const dropped =
      !options.singleTransaction && error.stderr.includes(recreateBroken())
        ? ' Without a single transaction that constraint or index is dropped now, and a restore again would not bring it back (nothing of the backup depends on it any more): its definition, and those of the parts of tables that stay after it, are in the log before the load ("as the target has them"); run them once the rows are mended.'
        : ''
    const own = options.explainFailure?.(error.message) ?? ''
    throw new LoadError(
      `${cut}${error.message}${own !== '' ? own : subsetHint(error.stderr, options)} ${afterLoadFailure(options, error.stderr, commitOutcome())}${dropped}`,
      error.stderr,
      error.inputFailed,
      error.exit,
      error.kind,
      error.option
    )
  }
}

async function load(
  dump: BackupFile | { directory: string },
  plan: LoadPlan,
  target: LoadTarget,
  options: LoadOptions,
  workDir: string,
  hooks: LoadHooks = {}
): Promise<LoadResult> {
  log.info(
    options.singleTransaction
      ? 'Restoring in one transaction: on any error nothing is kept.'
      : `Restoring without a single transaction (jobs: ${options.jobs}): an error can leave a partial restore.`
  )
  const { env } = target
  const psql = programPath(plan.client, 'psql')
  if (plan.format === 'plain' && !('directory' in dump)) {
    if (options.jobs > 1) {
      // psql runs a script in one session: jobs cannot apply; the transaction is the user's choice
      log.notice(
        `jobs: ${options.jobs} does not apply to a plain SQL script: psql runs it in one session, so it loads as with jobs: 1${options.singleTransaction ? '' : ', and without a single transaction because single-transaction: false is set (for an all-or-nothing restore, leave single-transaction at its default, true, and jobs at 1)'}.`
      )
    }
    const drops = [
      ...(options.singleTransaction ? (plan.defaultPrivileges?.setAside ?? []) : []),
      ...(plan.roles ?? []),
      ...(options.clean ? (plan.drops ?? []) : []),
      ...fillChecks(plan.fills ?? [], options.singleTransaction),
      // the target's triggers on the tables the script fills, disabled (restore.ts)
      ...(plan.deferrals?.before ?? [])
    ]
    const gate = scriptGate(
      plan,
      target,
      options,
      hooks,
      drops,
      `the SQL script ${fileName(dump)}`,
      {
        onCommit: markCommitSent,
        after: lastStatements(plan),
        last: recreateStatements(plan)
      }
    )
    // the target's keys between tables the script fills: their rows in the keys' order
    const moved = plainPasses(plan)
    if (moved)
      log.info(
        `The target's foreign keys between tables the backup fills: the rows of ${moved.names} load after the tables they reference (the script is read ${moved.reads} times, its parts in that order).`
      )
    const lines = moved ? { scriptLine: (n: number) => moved.scriptLine(gate.scriptLine(n)) } : gate
    // the bytes the load reads are the ones checked, or its input fails before its end
    const checked = plan.checkedBytes
    const same = checked
      ? () => sameBytesAsChecked(fileName(dump), checked, !options.singleTransaction)
      : undefined
    try {
      await runPsql(
        psql,
        env,
        moved
          ? chain(reorderedScript(dump, plan.decoding, moved.segments, same), gate)
          : openPlainScript(dump, plan.decoding, gate, same?.())
      )
    } catch (error) {
      throw error instanceof LoadError
        ? inScriptLines(error, moved ? lines : gate, fileName(dump))
        : error
    }
    return reportSkipped(gate)
  }
  let archive: ArchiveInput
  if ('directory' in dump) {
    // pg_restore reads a private copy of the TOCs: the ones checked, whatever the folder holds later
    const dir = await privateFolder(dump.directory, plan.checkedToc, workDir)
    // a name replaced by a link since the check: link() took the link itself, pg_restore would
    // follow it (or, the folder read in place, the folder as it is now)
    const foreign = await foreignEntries(dir, { hardLinks: false })
    if (foreign.length > 0)
      throw new ArchiveError(
        `the directory archive ${dump.directory} changed after its check: ${foreign.slice(0, 5).join(', ')}${foreign.length > 5 ? `, and ${foreign.length - 5} more` : ''}. A link would make pg_restore read a file outside the backup; nothing was restored. Restore again from a folder nothing writes to while the restore runs.`
      )
    const listed = await checkDirectoryFiles(dir)
    if (plan.checkedToc)
      warnUnlistedLargeObjects(parseArchiveToc(plan.checkedToc), listed, hooks.warned)
    archive = { path: dir }
  } else if (plan.format === 'directory-tar') {
    const dir = path.join(workDir, 'directory')
    await mkdir(dir)
    await untar(dump, plan.decoding, dir, plan.tarFolder)
    const folder = plan.tarFolder === undefined ? dir : path.join(dir, plan.tarFolder)
    const listed = await checkDirectoryFiles(folder)
    await sameTocAsChecked(folder, plan.checkedToc)
    if (plan.checkedToc)
      warnUnlistedLargeObjects(parseArchiveToc(plan.checkedToc), listed, hooks.warned)
    archive = { path: folder }
  } else if (plan.format === 'tar') {
    // pg_restore reads a tar-format archive itself, from a file (a stream allows no --use-list):
    // a private copy (the file given may change after this), whose members it reads as GNU tar,
    // which the checks used, does (attacker a30 A1: a pax header renamed a member for GNU tar)
    const file = await decodeTo(
      dump,
      plan.decoding,
      path.join(workDir, 'backup.tar'),
      undefined,
      true
    )
    await plainTarMembers(file)
    await sameTarTocAsChecked(file, plan.checkedToc)
    archive = { path: file }
  } else if (options.jobs > 1) {
    // a parallel restore needs a seekable archive file
    const file = await decodeTo(dump, plan.decoding, path.join(workDir, 'backup.dump'))
    // this process's own copy: where pg_dump could not write the data offsets (a pipe), written in
    if (file !== dump.path) await fillDataOffsets(file)
    archive = { path: file }
  } else {
    archive = { file: dump, decoding: plan.decoding }
  }
  const parallel = options.jobs > 1 && 'path' in archive ? archive.path : undefined
  const toc = parallel
    ? await checkArchiveToc(parallel, plan.format === 'tar' ? plan.checkedToc : undefined)
    : undefined
  const seconds = stopwatch()
  // jobs: 1 — the target's keys between tables the load fills may need their rows in another
  // order than the archive's: pg_restore then runs once per pass (parallel: the data groups)
  const passes = parallel ? undefined : await loadPasses(plan, options, archive)
  const direct = passes
    ? {
        direct: false as const,
        reason: `foreign keys between the tables the load fills need the rows of ${passes.moved} in another order than the archive's, which pg_restore -d reads once, in its order`
      }
    : await planDirectLoad(plan, target, options, hooks, archive, workDir)
  if ('file' in archive && archive.file.live && !(direct.direct && direct.piped)) {
    throw new LiveEntryNotTaken(
      `the load does not read the backup while it downloads (${direct.direct ? 'not piped' : direct.reason})`
    )
  }
  if (direct.direct) {
    log.info(
      `Loading with pg_restore -d${parallel ? ` --jobs=${options.jobs}` : ''} directly${direct.piped ? ' (zstd -d writing into it)' : ''}: the gate passed ${options.tables.length > 0 || options.schemas.length > 0 ? "the selected entries' script" : "the archive's script whole"}, with nothing to leave out (checked in ${seconds().toFixed(1)} s).`
    )
    if (!parallel) return loadDirect(plan, target, options, hooks, archive, direct)
    await runFirst(plan, target, options, hooks)
    const loaded = await loadDirect(plan, target, options, hooks, archive, direct)
    await runLast(plan, target, options)
    return loaded
  }
  log.info(`Loading through the script gate into psql: ${direct.reason}.`)
  if (parallel) {
    // the rows psql reads are checked there (those pg_restore -d loads itself, not)
    const loaded = await parallelThroughPsql(
      plan,
      target,
      options,
      hooks,
      { path: parallel },
      toc!,
      workDir
    )
    await runLast(plan, target, options)
    return loaded
  }
  // psql ends a table's rows at their first "\." line: every one where pg_dump ends them
  await checkRowEnds(plan, archive, toc)
  if (passes) {
    log.info(
      `The target's foreign keys between tables the backup fills: the rows of ${passes.moved} load after the tables they reference (pg_restore writes the archive's script in ${passes.lists.length} passes, each reading it in its order).`
    )
  }
  return restoreArchiveThroughPsql(plan, target, options, hooks, archive, passes?.lists, workDir)
}

/** pg_dump's SEQUENCE SET entry: one setval of a qualified sequence, and nothing else. */
const PG_DUMP_SETVAL = /^SELECT pg_catalog\.setval\('(?:[^'\\]|'')+', -?\d+, (?:true|false)\);\n$/

/**
 * The passes of a load with jobs: 1 (parallel-restore.ts dataPasses) when the target's foreign
 * keys between tables it fills (plan.dataOrder) need rows in another order than the archive's,
 * with the tables whose rows move (for the log); undefined when its order serves.
 */
async function loadPasses(
  plan: LoadPlan,
  options: LoadOptions,
  archive: ArchiveInput
): Promise<{ lists: number[][]; moved: string } | undefined> {
  if (!plan.dataOrder?.length) return undefined
  let read: { toc: ArchiveToc; bytes: Buffer } | undefined
  if (plan.format === 'tar')
    read = plan.checkedToc && { toc: parseArchiveToc(plan.checkedToc), bytes: plan.checkedToc }
  else if ('path' in archive) read = await readTocAt(archive.path)
  else read = plan.tocRead
  if (!read) return undefined
  const pgRestore = programPath(plan.client, 'pg_restore')
  const selection = scriptSelection(options)
  const listed =
    selection.length === 0 && plan.listed
      ? plan.listed
      : listedEntries(
          await runChild(
            pgRestore,
            ['--list', ...selection, ...('path' in archive ? [archive.path] : [])],
            {
              stdin: 'path' in archive ? undefined : Readable.from([read.bytes])
            }
          )
        )
  const after = dataDependencies(read.toc, listed, plan.dataOrder)
  const lists = dataPasses(read.toc, listed, after)
  if (!lists) return undefined
  const byId = new Map(read.toc.entries.map(e => [e.dumpId, e]))
  // an entry moves only past data entries as pg_dump writes them (a COPY alone, a setval): SQL of
  // an entry's own between its place and its new one could change what its rows read as
  const moving = new Set(
    lists
      .slice(1)
      .flat()
      .filter(id => byId.get(id)?.section === 'data')
  )
  const from = listed.findIndex(id => moving.has(id))
  const foreign = listed
    .slice(from)
    .map(id => byId.get(id)!)
    .find(
      e =>
        e.section === 'data' &&
        !isPgDumpDataEntry(e) &&
        !isPgDumpLargeObjectEntry(e) &&
        !(e.desc === 'SEQUENCE SET' && PG_DUMP_SETVAL.test(e.defn ?? ''))
    )
  if (foreign) {
    log.info(
      `The archive's rows load in its own order, not in the target's keys' (its entry ${foreign.dumpId}, ${foreign.desc} ${foreign.tag}, is not what pg_dump writes in the data section): a key checked as they arrive may refuse them.`
    )
    return undefined
  }
  const first = new Set(lists[0])
  const names = lists
    .slice(1)
    .flat()
    .filter(id => !first.has(id) && byId.get(id)?.desc === 'TABLE DATA')
    .map(id => `${byId.get(id)!.namespace}.${byId.get(id)!.tag}`)
  return {
    lists,
    moved:
      names.length > 3
        ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`
        : names.join(', ')
  }
}

/**
 * psql's error as it concerns the user's script: "psql:<stdin>:12:" names the line psql read,
 * after the gate's BEGIN; and without the statements it left out; it becomes the script's own
 * file and line ("backup.sql:11:"), or the action's own statements where psql failed on those.
 */
export function inScriptLines(
  error: LoadError,
  gate: Pick<ScriptGate, 'scriptLine'> & Partial<Pick<ScriptGate, 'entryAt' | 'hasRelation'>>,
  name: string
): LoadError {
  const map = (text: string): string =>
    text.replace(/psql:<stdin>:(\d+):/g, (_all, n: string) => {
      const line = gate.scriptLine(Number(n))
      return line === undefined
        ? `psql, in the action's own statements around ${name}:`
        : `${name}:${line}:`
    })
  // a foreign key, view or partition of the script's onto a relation the backup left out (u49
  // F4): the script's entry (its "-- Name: …; Type: FK CONSTRAINT" header) says which
  const at = /^psql:<stdin>:(\d+): (?:ERROR|FATAL): /m.exec(error.stderr)
  const entry = at && gate.entryAt?.(Number(at[1]))
  const reported = reportedLines(error.stderr)
  const missing =
    entry && gate.hasRelation
      ? leftOutRelation(
          reported.filter(l => !/^(DETAIL|HINT|CONTEXT):/.test(l)).join('\n'),
          reported.filter(l => l.startsWith('CONTEXT:')).join('\n'),
          entry,
          n => gate.hasRelation!(n)
        )
      : undefined
  return new LoadError(
    map(error.message) + (missing ? leftOutHint(missing, entry!) : ''),
    map(error.stderr),
    error.inputFailed,
    error.exit,
    error.kind,
    error.option
  )
}

/**
 * psql's error on the script pg_restore wrote of an archive, which the user never sees: the
 * archive's entry it failed in (kind, schema, name: "TYPE public.mood") instead of its
 * "psql:<stdin>:29:" line and of the failed statement's first line.
 */
export function inArchiveEntries(
  error: unknown,
  gate: Pick<ScriptGate, 'entryAt'> & Partial<Pick<ScriptGate, 'hasRelation'>>,
  /**
   * The archive's whole table of contents: what a selection (tables, schemas) left out of the
   * script is still the backup's (trial u52 F3: "the backup left type … out" of a backup that
   * had it); without it, the entries the gate saw.
   */
  toc?: ArchiveToc
): unknown {
  if (!(error instanceof LoadError) || !error.exit) return error
  // the line of the error, not of a warning or notice an earlier statement printed
  const at =
    /^psql:<stdin>:(\d+): (?:ERROR|FATAL): /m.exec(error.stderr) ??
    /psql:<stdin>:(\d+):/.exec(error.stderr)
  if (!at) return error
  const entry = gate.entryAt(Number(at[1]))
  const stderr = error.stderr.replace(/psql:<stdin>:\d+: /g, 'psql: ')
  const { program, code, signal } = error.exit
  return explainLoadFailure(
    program,
    code,
    signal,
    stderr,
    entry,
    toc ? name => tocHasRelation(toc, name) : gate.hasRelation && (name => gate.hasRelation!(name))
  )
}

/** The archive's whole table of contents as the check read it (custom, tar, directory). */
function wholeToc(plan: Pick<LoadPlan, 'tocRead' | 'checkedToc'>): ArchiveToc | undefined {
  if (plan.tocRead) return plan.tocRead.toc
  if (!plan.checkedToc) return undefined
  try {
    return parseArchiveToc(plan.checkedToc)
  } catch {
    return undefined
  }
}

/**
 * A plain script through the gate: a zstd-compressed one decompressed by the zstd CLI when
 * installed (its output ends only once it exited 0), not in this process's thread pool.
 */
/** A byte range of the decoded script, and the line it starts on. */
export interface ScriptSegment {
  start: number
  /** Infinity: to the end. */
  end: number
  line: number
  /** The line of the byte at `end` (its newlines: endLine - line); undefined to the end. */
  endLine?: number
}

/**
 * A plain script whose COPY blocks the target's foreign keys need in another order
 * (plan.dataOrder, plan.copyBlocks): its parts, in the order they load — everything up to the
 * end of its last COPY block but the blocks that must wait, then those (one read per rank), then
 * the rest — the names of the tables moved, and how a line of the reordered script maps back to
 * the script's own. Undefined when the script's order serves.
 */
function plainPasses(plan: LoadPlan):
  | {
      segments: ScriptSegment[][]
      names: string
      reads: number
      scriptLine: (line: number | undefined) => number | undefined
    }
  | undefined {
  const blocks = plan.copyBlocks ?? []
  if (!plan.dataOrder?.length || blocks.length < 2) return undefined
  // the blocks as the data entries of an archive: ranked as dataPasses ranks those
  const entries = blocks.map((b, i) => ({
    dumpId: i + 1,
    desc: 'TABLE DATA',
    namespace: b.schema,
    tag: b.name,
    section: 'data' as const,
    dependencies: []
  }))
  const listed = entries.map(e => e.dumpId)
  const after = dataDependencies({ entries } as unknown as ArchiveToc, listed, plan.dataOrder)
  const rank = dataRanks(listed, after)
  const top = Math.max(0, ...rank.values())
  if (top === 0) return undefined
  const late = blocks.filter((_b, i) => (rank.get(i + 1) ?? 0) > 0)
  const last = blocks.reduce((a, b) => (b.end > a.end ? b : a))
  // a block moves only past other COPY blocks, with its schema named: a statement between its
  // place and its new one (SET search_path, client_encoding, DateStyle, …) would make its rows
  // go elsewhere or read otherwise than where the script has them (attacker a24 A1, A2)
  const unqualified = late.find(b => !b.qualified)
  const between = late.find(b => b.statementsBefore !== last.statementsBefore)
  if (unqualified || between) {
    log.info(
      `The script's rows load in its own order, not in the target's keys' (${unqualified ? `its COPY of ${unqualified.name} does not name the table's schema` : `statements other than COPY come after its rows of ${between!.schema}.${between!.name}`}): a key checked as they arrive may refuse them.`
    )
    return undefined
  }
  // everything up to the last block's end, the late blocks cut out
  const first: ScriptSegment[] = []
  let at = { offset: 0, line: 1 }
  for (const b of late) {
    if (b.start > at.offset)
      first.push({ start: at.offset, end: b.start, line: at.line, endLine: b.line })
    at = { offset: b.end, line: b.endLine }
  }
  if (last.end > at.offset)
    first.push({ start: at.offset, end: last.end, line: at.line, endLine: last.endLine })
  const segments: ScriptSegment[][] = [first]
  for (let r = 1; r <= top; r++)
    segments.push(
      blocks
        .filter((_b, i) => rank.get(i + 1) === r)
        .map(b => ({ start: b.start, end: b.end, line: b.line, endLine: b.endLine }))
    )
  segments.push([{ start: last.end, end: Infinity, line: last.endLine }])
  // the reordered script's lines, segment by segment, back to the script's
  const map: Array<{ from: number; line: number }> = []
  let out = 1
  for (const s of segments.flat()) {
    map.push({ from: out, line: s.line })
    out += (s.endLine ?? s.line) - s.line
  }
  const scriptLine = (line: number | undefined): number | undefined => {
    if (line === undefined) return undefined
    for (let i = map.length - 1; i >= 0; i--)
      if (map[i].from <= line) return map[i].line + (line - map[i].from)
    return line
  }
  const names = late.map(b => `${b.schema}.${b.name}`)
  return {
    segments,
    names:
      names.length > 3
        ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`
        : names.join(', '),
    reads: segments.length,
    scriptLine
  }
}

/**
 * The decoded script as `reads` (plainPasses): each read decodes it afresh from its start and
 * passes the bytes of its segments (in order), stopping after the last.
 */
export function reorderedScript(
  dump: BackupFile,
  decoding: Decoding,
  reads: ScriptSegment[][],
  /**
   * A stage that fails at the end of the file's bytes unless they are the ones checked: the read
   * that runs to the file's end (the last) passes its bytes through it.
   */
  digest?: () => DigestStage
): Readable {
  // the file read several times must stay the one file: replaced (renamed over) or written
  // between the reads, its parts would not be the script's (attacker a25 A1); checked before each
  // read and after the last, before psql gets the end (the gate writes COMMIT after it)
  let identity: string | undefined
  const same = async (): Promise<void> => {
    const s = await stat(dump.path)
    const now = `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`
    identity ??= now
    if (now !== identity)
      throw new Error(
        `${fileName(dump)} changed while it was read (the restore reads it ${reads.length} times to load its rows in the target's keys' order): the backup must not be written while it is restored`
      )
  }
  async function* parts(): AsyncGenerator<Buffer> {
    for (const segments of reads) {
      if (segments.length === 0) continue
      await same()
      const whole = segments[segments.length - 1].end === Infinity
      const stream =
        whole && digest
          ? chain(openRaw(dump), digest(), ...decodingStages(decoding))
          : openDecoded(dump, decoding)
      let offset = 0
      let next = 0
      try {
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          const from = offset
          offset += chunk.length
          while (next < segments.length) {
            const s = segments[next]
            const a = Math.max(s.start, from)
            const b = Math.min(s.end, offset)
            if (b > a) yield chunk.subarray(a - from, b - from)
            if (s.end <= offset) next++
            else break
          }
          if (next === segments.length) break
        }
      } finally {
        stream.destroy()
      }
      if (next < segments.length && segments[next].end !== Infinity)
        throw new Error('the script ended before a part the check found in it')
    }
    await same()
  }
  return Readable.from(parts(), { objectMode: false })
}

function openPlainScript(
  dump: BackupFile,
  decoding: Decoding,
  gate: ScriptGate,
  /** The file's bytes as they are read, checked at their end (sameBytesAsChecked). */
  same?: DigestStage
): Readable {
  const raw = same ? [same] : []
  if (decoding.compression !== 'zstd' || !findZstdCommand())
    return chain(openRaw(dump), ...raw, ...decodingStages(decoding), gate)
  // the decryptor first: a key it refuses throws before zstd is started
  const decrypted = decoding.decryption ? [createDecryptor(decoding.decryption)] : []
  return chain(openRaw(dump), ...raw, ...decrypted, createZstdCliDecompressor()!, gate)
}

/** The gate for a script psql loads into this target. */
function scriptGate(
  plan: LoadPlan,
  target: LoadTarget,
  options: LoadOptions,
  hooks: LoadHooks,
  drops: string[],
  source: string,
  more: Pick<ScriptGateOptions, 'onCommit' | 'after' | 'last'> = {}
): ScriptGate {
  return new ScriptGate({ ...gateOptions(plan, target, options, hooks, drops, source), ...more })
}

function gateOptions(
  plan: LoadPlan,
  target: LoadTarget,
  options: LoadOptions,
  hooks: LoadHooks,
  drops: string[],
  source: string
): ScriptGateOptions {
  return {
    psqlMajor: plan.client.major,
    serverMajor: target.serverMajor,
    leaveOutStatistics: target.serverMajor < 18,
    lockTimeoutMs: options.lockTimeoutMs,
    sessionSettings: loaderSettings(options, target.env),
    dropRestrict: !psqlSupportsRestrict(plan.client.version),
    // 'auto' (and false): the restore's policy keeps what the target can take
    noOwner: options.noOwner === true,
    noPrivileges: options.noPrivileges === true,
    // a checking pass writes its BEGIN/COMMIT to nowhere: it refuses what the load would refuse
    transaction: options.singleTransaction,
    before: drops,
    policy: hooks.policy,
    source,
    targetDatabase: target.database
  }
}

/**
 * What the loader's psql session sets first, in SQL — not in the options startup parameter
 * (PGOPTIONS), which PgBouncer refuses unless its ignore_startup_parameters names it: every
 * restore through a stock PgBouncer failed at the loader's login (trial u45 F2). lock-timeout
 * (the script's own SET lock_timeout, pg_dump's header's 0, is replaced by it too), and no
 * idle_in_transaction_session_timeout (a load may wait inside its transaction for the backup's
 * next bytes; a managed service's pooled role has a short one). A setting database-url's
 * options make (PGOPTIONS) is kept. pg_restore -d sets both itself at its start (its header: 0).
 */
export function loaderSettings(
  options: Pick<LoadOptions, 'lockTimeoutMs'>,
  env: Record<string, string | undefined>
): string[] {
  const url = env.PGOPTIONS ?? ''
  return [
    ...(options.lockTimeoutMs !== undefined && !/lock_timeout/.test(url)
      ? [`SET lock_timeout = ${Math.trunc(options.lockTimeoutMs)};`]
      : []),
    ...(/idle_in_transaction_session_timeout/.test(url)
      ? []
      : ['SET idle_in_transaction_session_timeout = 0;'])
  ]
}

/** The gate's skipped statements (the restore lists them by reason in the log and summary). */
function reportSkipped(gate: ScriptGate): LoadResult {
  if (gate.settingChecks > 0)
    log.info(
      `The gate checked standard_conforming_strings and client_encoding on the server ${plural(gate.settingChecks, 'time')}, before text whose reading depends on them (non-ASCII, or a backslash in a '…' literal): the script could have switched them at run time.`
    )
  return { skipped: gate.skipped }
}

/**
 * Before an archive's rows go through psql: each table's rows end where pg_dump ends them
 * (copy-ends.ts; attacker a59 F1: a line "\." inside a block made psql run what followed it as
 * SQL). Reads the archive once more: a custom one decoded (the file at hand or its stream), a
 * directory's or tar's data files.
 */
/** Reads of a file the check reads whole (1 MiB: 64 KiB reads made it wait on each). */
const READ_CHUNK = 1024 * 1024

async function checkRowEnds(
  plan: LoadPlan,
  archive: ArchiveInput,
  toc?: ArchiveToc,
  /** Data entries pg_restore -d loads itself (a parallel restore's): psql never reads their rows. */
  skip?: ReadonlySet<number>
): Promise<void> {
  const seconds = stopwatch()
  let checked: CopyEndsChecked
  if ('file' in archive) {
    // zstd's CLI decodes beside this process where it can (a core of its own)
    const { file, decoding } = archive
    const cli =
      decoding.compression === 'zstd' && !decoding.decryption
        ? createZstdCliDecompressor()
        : undefined
    checked = await checkCustomArchiveStream(
      cli ? chain(openRaw(file, { highWaterMark: READ_CHUNK }), cli) : openDecoded(file, decoding)
    )
  } else if (plan.format === 'tar') {
    checked = await checkTarRows(
      archive.path,
      toc ?? (await checkArchiveToc(archive.path, plan.checkedToc)),
      skip
    )
  } else if (plan.format === 'custom') {
    checked = await checkCustomArchiveStream(
      createReadStream(archive.path, { highWaterMark: READ_CHUNK }),
      true,
      skip
    )
  } else {
    checked = await checkDirectoryRows(
      archive.path,
      toc ?? (await checkArchiveToc(archive.path)),
      skip
    )
  }
  log.info(
    checked.blocks === 0 && (skip?.size ?? 0) > 0
      ? `The rows of ${plural(skip!.size, 'table')} load by pg_restore -d itself, as COPY data psql never reads: no check of where they end is needed.`
      : checkedRowsNote(checked, seconds())
  )
}

/**
 * An archive restored as the script `pg_restore -f -` writes of it, through the gate into psql.
 * With clean, what the backup recreates (plan.drops, from its table of contents: clean.ts) is
 * dropped first in the same transaction
 * (pg_restore --clean cannot drop partitioned tables with keys in an order PostgreSQL accepts:
 * "cannot drop inherited constraint"). Without a single transaction the whole script is gated
 * once before psql starts (a second pass of pg_restore), so that a refusal comes before any
 * statement runs.
 */
async function restoreArchiveThroughPsql(
  plan: LoadPlan,
  target: LoadTarget,
  options: LoadOptions,
  hooks: LoadHooks,
  archive: ArchiveInput,
  /** The entries in passes of pg_restore (loadPasses), or all of them in one. */
  passes?: number[][],
  workDir?: string
): Promise<LoadResult> {
  const pgRestore = programPath(plan.client, 'pg_restore')
  const source = 'the script pg_restore writes of the archive'
  const drops = options.clean ? (plan.drops ?? []) : []
  if (options.clean) {
    log.info(
      `clean: ${plural(drops.length, 'object')} of the backup ${drops.length === 1 ? 'is' : 'are'} dropped first${options.singleTransaction ? ', in the same transaction' : ''}.`
    )
  }
  if (!options.singleTransaction) {
    const seconds = stopwatch()
    const check = scriptGate(plan, target, options, hooks, [], source)
    await scriptThrough(archiveAsScript(pgRestore, options, archive), check, discard())
    log.info(`The archive's script passed the checks (${seconds().toFixed(1)} s) before loading.`)
  }
  const fills = fillChecks(plan.fills ?? [], options.singleTransaction)
  const gate = scriptGate(
    plan,
    target,
    options,
    hooks,
    [
      ...(options.singleTransaction ? (plan.defaultPrivileges?.setAside ?? []) : []),
      ...(plan.roles ?? []),
      ...drops,
      ...fills,
      ...(plan.deferrals?.before ?? [])
    ],
    source,
    { onCommit: markCommitSent, after: lastStatements(plan), last: recreateStatements(plan) }
  )
  const script =
    passes && workDir
      ? await archiveInPasses(pgRestore, options, archive, passes, workDir, hooks.archiveTap?.stage)
      : archiveAsScript(pgRestore, options, archive, hooks.archiveTap?.stage)
  const [loaded, produced] = await Promise.allSettled([
    runPsql(programPath(plan.client, 'psql'), target.env, chain(script.stdout, gate)),
    script.done
  ])
  // psql stopped because the script failed: pg_restore's error says why
  const scriptFailed = loaded.status === 'rejected' && (loaded.reason as LoadError).inputFailed
  if (produced.status === 'rejected' && scriptFailed) throw produced.reason
  if (loaded.status === 'rejected') throw inArchiveEntries(loaded.reason, gate, wholeToc(plan))
  if (produced.status === 'rejected') throw produced.reason
  return reportSkipped(gate)
}

/** The bytes of the decoded archive held back from pg_restore until its whole input was checked. */
export const DIRECT_HOLD_BACK = 64 * 1024

/** A load by `pg_restore -d`: what the check pass read and chose. */
interface DirectLoad {
  direct: true
  toc: ArchiveToc
  /** The header and TOC the check read: the load's input must start with exactly these bytes. */
  tocBytes: Buffer
  /** The `-L` list of every selected entry (data included). */
  listFile: string
  /** The selection (pg_restore's own arguments, as the check's script was written with). */
  selection: string[]
  /** A custom archive on stdin: the decoded stream, paused just after its TOC. */
  rest?: Readable
  /** A custom archive decoded by `zstd -d` straight into pg_restore (direct-pipe.ts). */
  piped?: PipedInput
}

/**
 * Whether the archive can be loaded by `pg_restore -d` itself (no psql, its data not through
 * this process's gate) with exactly what the gate would pass: the check pass, before anything
 * runs. The gate (same options and policy as the psql path) reads the script `pg_restore -f -`
 * writes of every selected entry but the ones with data (from the TOC alone: the data blocks are
 * not read); every TABLE DATA entry's COPY statement must be the one pg_dump writes for that very
 * table and pass the gate and policy too. Direct only when the gate refuses nothing and leaves
 * out nothing: then pg_restore -d sends the statements the gate passed, and the rows as COPY
 * data (which the server reads as data, never as statements). Anything else (clean, create-roles,
 * no single transaction, large objects, a skip of the policy, a client newer than 16 with a
 * server older than 17, ...) keeps the gated psql path, with the reason. A refusal throws as on
 * that path (nothing ran).
 */
async function planDirectLoad(
  plan: LoadPlan,
  target: LoadTarget,
  options: LoadOptions,
  hooks: LoadHooks,
  archive: ArchiveInput,
  workDir: string
): Promise<DirectLoad | { direct: false; reason: string }> {
  const opened: { stream?: Readable } = {}
  try {
    const result = await checkDirect(plan, target, options, hooks, archive, workDir, opened)
    if (!result.direct) opened.stream?.destroy()
    return result
  } catch (error) {
    opened.stream?.destroy()
    throw error
  }
}

async function checkDirect(
  plan: LoadPlan,
  target: LoadTarget,
  options: LoadOptions,
  hooks: LoadHooks,
  archive: ArchiveInput,
  workDir: string,
  opened: { stream?: Readable }
): Promise<DirectLoad | { direct: false; reason: string }> {
  const no = (reason: string): { direct: false; reason: string } => ({ direct: false, reason })
  if (options.unwatched && (options.lockTimeoutMs ?? 0) > 0)
    return no(
      "no session of the action's own watches the load's lock waits (there was no room for one beside the loader's): pg_restore -d would take the archive's SET lock_timeout = 0, which only that watcher bounds; through the gate the script carries lock-timeout instead"
    )
  // pg_restore -d --jobs sends statements `pg_restore -f -` never writes: a TRUNCATE before the
  // data of each table it created (named by the TOC's tags, which need not be the tables the
  // entries' SQL creates), and the archive's search_path entry again in every worker's session
  if ((plan.attach ?? []).length > 0)
    return no(
      "the partitions restored by 'tables' are attached to their partitioned table after the load, in its transaction, which pg_restore -d --single-transaction does not leave room for"
    )
  if ((plan.unchanged ?? []).length > 0)
    return no(
      "the target holds objects the backup does not own: the load ends with the check that they are unchanged, run in the restore's transaction before its COMMIT, which pg_restore -d --single-transaction does not leave room for"
    )
  if ((plan.defaultPrivileges?.setAside ?? []).length > 0)
    return no(
      "the restoring role has default privileges (ALTER DEFAULT PRIVILEGES) that would reach the backup's objects: they are set aside after the restore's BEGIN and reinstated before its COMMIT, which pg_restore -d --single-transaction does not leave room for"
    )
  if (options.jobs > 1)
    return no(
      `jobs: ${options.jobs} — pg_restore -d --jobs runs statements of its own that the gate cannot read (a TRUNCATE before each table's data, the archive's search_path setting in every worker's session)`
    )
  if (plan.format === 'tar')
    return no(
      'a tar-format archive (pg_dump -Ft): the direct load reads the table of contents of a custom or directory archive only'
    )
  // jobs > 1: clean's drops and the roles run first, in a transaction of their own (runFirst)
  if (options.jobs === 1 && options.clean && (plan.drops?.length ?? 0) > 0)
    return no("clean: the action's drops run first, in the restore's own session")
  if (options.jobs === 1 && (plan.roles?.length ?? 0) > 0)
    return no("create-roles: the roles are created first, in the restore's own session")
  if ((plan.fills?.length ?? 0) > 0 || (plan.deferrals?.before.length ?? 0) > 0)
    return no(
      `the backup is data-only: the tables it fills (${plural(plan.fills!.length, 'existing empty table')}) are locked and checked empty again in the load's own transaction, before its rows, which pg_restore -d cannot run`
    )
  if (plan.client.major >= 17 && target.serverMajor < 17)
    return no(
      `pg_restore ${plan.client.major} sends SET transaction_timeout, which the server (${target.serverMajor}) rejects; the gate leaves it out`
    )
  let toc: ArchiveToc
  let tocBytes: Buffer
  let changed = false
  const candidate = 'path' in archive || !plan.tocRead ? undefined : pipedInput(archive)
  const piped =
    candidate && plan.tocRead && (await headDecodesHere(candidate.file, plan.tocRead.bytes))
      ? candidate
      : undefined
  // a dump still downloading is read only by the piped load (load() reads it whole otherwise)
  if (!('path' in archive) && archive.file.live && !piped)
    return no('the backup is still downloading, and only zstd -d | pg_restore -d reads it so')
  try {
    if ('path' in archive) {
      ;({ toc, bytes: tocBytes } = await readTocAt(archive.path))
    } else if (piped && plan.tocRead) {
      // the load's own read compares its head with these bytes before zstd gets any (PipedFeed)
      ;({ toc, bytes: tocBytes } = plan.tocRead)
    } else {
      // one read: the check takes the TOC off the stream the load goes on reading
      opened.stream = openDirectInput(archive)
      if (plan.tocRead) {
        // the TOC the backup's check parsed (the guard's and the policy's): the same bytes again
        tocBytes = await readStreamHead(opened.stream, plan.tocRead.bytes.length)
        toc = plan.tocRead.toc
        if (!tocBytes.equals(plan.tocRead.bytes)) changed = true
      } else ({ toc, bytes: tocBytes } = await readArchiveToc(opened.stream))
    }
  } catch (error) {
    return no(`the archive's table of contents cannot be read here (${(error as Error).message})`)
  }
  if (changed) throw tocChanged()
  // a directory's toc.dat: the one Check the backup parsed (compared as the load began too)
  if ('path' in archive && plan.checkedToc && !tocBytes.equals(plan.checkedToc)) throw tocChanged()
  const pgRestore = programPath(plan.client, 'pg_restore')
  const selection = scriptSelection(options)
  const input = (): { args: string[]; stdin?: Readable } =>
    'path' in archive ? { args: [archive.path] } : { args: [], stdin: Readable.from([tocBytes]) }
  const listing = (): Promise<string> => {
    const { args, stdin } = input()
    return runChild(pgRestore, ['--list', ...selection, ...args], { stdin })
  }
  const ids = selection.length === 0 && plan.listed ? plan.listed : listedEntries(await listing())
  const byId = new Map(toc.entries.map(e => [e.dumpId, e]))
  const selected = ids.flatMap(id => byId.get(id) ?? [])
  if (selected.length !== ids.length) return no('pg_restore lists entries the TOC lacks')
  const otherData = selected.find(e => e.hadDumper && e.desc !== 'TABLE DATA')
  if (otherData)
    return no(
      `the archive holds ${otherData.desc} (large objects: pg_restore -d writes them through its own calls, not statements the gate reads)`
    )
  // pg_restore -d sends each entry's SQL as one message, parsed whole before any of it runs
  const hazard = directTextHazard(selected, {
    clean: options.clean,
    psqlMajor: plan.client.major
  })
  if (hazard)
    return no(
      `${hazard} (pg_restore -d sends each entry as one message; psql sends it statement by statement, as the gate reads it)`
    )
  const tables = selected.filter(e => e.desc === 'TABLE DATA')
  if (!('path' in archive)) {
    // the commit waits for the held-back end of the input only if pg_restore needs it
    const last = lastDataBlock(toc)
    if (last && !ids.includes(last.dumpId))
      return no(
        "tables/schemas leave out the archive's last table data, so pg_restore could commit before the whole backup was read and checked"
      )
  }
  const source = 'the script pg_restore writes of the archive'
  // the data entries in order, up to the first that is not what pg_dump writes
  const foreign = tables.findIndex(e => !isPgDumpDataEntry(e))
  const copies = foreign < 0 ? tables : tables.slice(0, foreign)
  const left = await checkCopyStatements(
    copies,
    scriptGate(plan, target, options, hooks, [], source)
  )
  if (left)
    return no(
      `the restore leaves out the data of ${shortName(dataEntryName(left.entry))} (${left.reason})`
    )
  if (foreign >= 0) {
    const entry = tables[foreign]
    return no(
      `the data entry ${entry.dumpId} (${shortName(dataEntryName(entry))}) is not what pg_dump writes for a table's rows (its COPY statement alone, no SQL of its own)`
    )
  }
  const dir = path.join(workDir, 'direct')
  await mkdir(dir, { recursive: true })
  const schemaList = path.join(dir, 'schema.list')
  const dataIds = new Set(tables.map(e => e.dumpId))
  await writeFile(schemaList, listFile(ids.filter(id => !dataIds.has(id))), { mode: 0o600 })
  const check = scriptGate(plan, target, options, hooks, [], source)
  const scripted = input()
  await scriptThrough(
    explainedScript(
      startChild(
        pgRestore,
        ['--file=-', `--use-list=${schemaList}`, ...selection, ...scripted.args],
        {
          stdin: scripted.stdin
        }
      )
    ),
    check,
    discard()
  )
  if (check.skipped.length > 0) {
    const first = check.skipped[0]
    return no(
      `the gate leaves out ${plural(check.skipped.length, 'statement')} of the archive's script (first: ${first.reason}), which pg_restore -d would run`
    )
  }
  const file = path.join(dir, 'load.list')
  await writeFile(file, listFile(ids), { mode: 0o600 })
  return { direct: true, toc, tocBytes, listFile: file, selection, rest: opened.stream, piped }
}

/**
 * The COPY statements of data entries that pg_dump wrote (isPgDumpDataEntry: each exactly
 * `COPY <schema>.<table> (<columns>) FROM stdin;` and its line end, its names quoted as
 * pg_dump quotes them), each followed by its end-of-data line, through one `gate` as one
 * script: psql reads each statement and its empty data alone, as it would with a gate per
 * entry, and the gate and policy decide each statement as there. The first statement the gate
 * leaves out, with its entry; a refusal throws.
 */
async function checkCopyStatements(
  entries: TocEntry[],
  gate: ScriptGate
): Promise<{ entry: TocEntry; reason: string } | undefined> {
  if (entries.length === 0) return undefined
  const pieces: Buffer[] = []
  /** The script's line each entry's statement starts on (1-based). */
  const lines: number[] = []
  let line = 1
  for (const entry of entries) {
    const piece = Buffer.from(`${entry.copyStmt}\\.\n`)
    pieces.push(piece)
    lines.push(line)
    for (let i = piece.indexOf(10); i >= 0; i = piece.indexOf(10, i + 1)) line++
  }
  await pipeline(Readable.from([Buffer.concat(pieces)]), gate, discard())
  const first = gate.skipped[0]
  if (!first) return undefined
  let k = 0
  while (k + 1 < lines.length && lines[k + 1] <= first.line) k++
  return { entry: entries[k], reason: first.reason }
}

function dataEntryName(entry: TocEntry): string {
  return `${entry.namespace ?? ''}.${entry.tag}`
}

/**
 * The decoded archive a direct load reads once: its TOC for the check, then the rest for
 * pg_restore. zstd is decompressed by the zstd CLI when installed (its output ends only once it
 * exited 0), not in this process's thread pool.
 */
function openDirectInput(archive: { file: BackupFile; decoding: Decoding }): Readable {
  const { file, decoding } = archive
  const zstd = decoding.compression === 'zstd' ? createZstdCliDecompressor() : undefined
  if (!zstd) return openDecoded(file, decoding)
  const decrypted = decoding.decryption ? [createDecryptor(decoding.decryption)] : []
  return chain(openRaw(file), ...decrypted, zstd)
}

/**
 * Before anything of a directory archive loads: its toc.dat is byte for byte the one Check the
 * backup parsed (the guard, the policy and clean went by it), else it changed between the two
 * reads (a tar's member given twice, a folder written meanwhile).
 */
/** A tar-format archive's toc.dat (every member so named, as tar extracts them) is the one checked. */
/**
 * A tar-format archive whose members pg_restore reads as GNU tar reads them: pg_restore takes a
 * member's name from its header's name field alone, GNU tar (which the checks use) from a pax
 * or GNU long-name header before it or the ustar prefix too — a tar holding those could show
 * the checks one toc.dat and pg_restore another. pg_dump -Ft writes none of them: only regular
 * files (toc.dat, restore.sql, NNNN.dat, blobs.toc, blob_N.dat), each once, named in the name
 * field. Anything else is refused before pg_restore starts.
 */
export async function plainTarMembers(file: string): Promise<void> {
  const handle = await open(file, 'r')
  const seen = new Set<string>()
  const refuse = (why: string): ArchiveError =>
    new ArchiveError(
      `the tar-format archive holds ${why}, which pg_dump -Ft never writes: pg_restore and tar would read its members differently. Nothing was restored. Restore an archive pg_dump wrote.`
    )
  try {
    const header = Buffer.alloc(512)
    for (let at = 0; ;) {
      const { bytesRead } = await handle.read(header, 0, 512, at)
      if (bytesRead < 512) throw refuse('no end-of-archive blocks (it is cut short)')
      if (header.every(b => b === 0)) {
        // nothing but zeros after the end: pg_restore reads on past zero blocks, tar does not
        // (attacker a31 A7: members hidden after them reached pg_restore only)
        const rest = Buffer.alloc(64 * 1024)
        for (let from = at + 512; ;) {
          const { bytesRead: n } = await handle.read(rest, 0, rest.length, from)
          if (n === 0) return
          if (!rest.subarray(0, n).every(b => b === 0))
            throw refuse('data after its end-of-archive blocks')
          from += n
        }
      }
      const field = (from: number, length: number): string => {
        const raw = header.subarray(from, from + length)
        const nul = raw.indexOf(0)
        return raw.subarray(0, nul < 0 ? length : nul).toString('latin1')
      }
      const name = field(0, 100)
      const type = header[156]
      if (type !== 0x30 && type !== 0)
        throw refuse(
          `a member of type '${String.fromCharCode(type)}' (${JSON.stringify(name)}): not a regular file`
        )
      if (field(345, 155) !== '')
        throw refuse(`a member with a name prefix (${JSON.stringify(name)})`)
      if (!/^[A-Za-z0-9_.]+$/.test(name) || name === '.' || name === '..')
        throw refuse(`a member named ${JSON.stringify(name)}`)
      if (seen.has(name)) throw refuse(`the member ${JSON.stringify(name)} twice`)
      seen.add(name)
      // the size as pg_restore reads it, and only where tar reads the same
      const size = tarMemberSize(header)
      if (size === undefined)
        throw refuse(
          `a member whose size field pg_restore and tar read differently (${JSON.stringify(name)}: ${JSON.stringify(header.subarray(124, 136).toString('latin1'))})`
        )
      at += 512 + Math.ceil(size / 512) * 512
    }
  } finally {
    await handle.close()
  }
}

async function sameTarTocAsChecked(file: string, checked: Buffer | undefined): Promise<void> {
  if (!checked) return
  const tar = startChild('tar', ['-xOf', file, 'toc.dat'])
  const chunks: Buffer[] = []
  const [read, done] = await Promise.allSettled([
    (async () => {
      for await (const chunk of tar.stdout as AsyncIterable<Buffer>) chunks.push(chunk)
    })(),
    tar.done
  ])
  if (
    read.status === 'rejected' ||
    done.status === 'rejected' ||
    !Buffer.concat(chunks).equals(checked)
  )
    throw tocChanged()
}

async function sameTocAsChecked(dir: string, checked: Buffer | undefined): Promise<void> {
  if (!checked) return
  const now = await readFile(path.join(dir, 'toc.dat')).catch(() => undefined)
  if (!now?.equals(checked)) throw tocChanged()
}

/**
 * A directory archive given as a folder, as pg_restore reads it: a private folder in `workDir`
 * holding the toc.dat Check the backup parsed (the folder's, compared with it once, here) and a
 * copy of each large-object TOC (blobs*.toc, checked by checkDirectoryFiles in the copy), beside
 * links to the folder's other files (the data files, which pg_restore reads once). Whatever is
 * written to the folder from now on, pg_restore reads the TOC that was checked: comparing the
 * folder's toc.dat just before pg_restore opens it left a window between the two reads.
 */
async function privateFolder(
  dir: string,
  checked: Buffer | undefined,
  workDir: string
): Promise<string> {
  const copy = path.join(workDir, 'folder')
  await mkdir(copy, { mode: 0o700 })
  const toc = await readFile(path.join(dir, 'toc.dat'))
  if (checked && !toc.equals(checked)) throw tocChanged()
  await writeFile(path.join(copy, 'toc.dat'), toc, { mode: 0o600 })
  const from = path.resolve(dir)
  try {
    for (const name of await readdir(from)) {
      if (name === 'toc.dat') continue
      if (/\.toc(?:\.gz|\.zst|\.lz4)?$/.test(name))
        await copyFile(path.join(from, name), path.join(copy, name))
      // a hard link: pg_restore 17+ reads only regular files (a symbolic link is refused)
      else await link(path.join(from, name), path.join(copy, name))
    }
  } catch (error) {
    // another file system (or a file that cannot be linked): the folder itself, its toc.dat
    // compared with the checked one again just before pg_restore reads it (loadDirect), as before
    await rm(copy, { recursive: true, force: true })
    log.debug(`pg_restore reads the folder itself (${(error as Error).message})`)
    return dir
  }
  return copy
}

/** The TOC of an archive on disk and its bytes: a directory's toc.dat, or a custom file's head. */
async function readTocAt(archivePath: string): Promise<{ toc: ArchiveToc; bytes: Buffer }> {
  if (!(await stat(archivePath)).isDirectory())
    return readArchiveToc(createReadStream(archivePath), { destroy: true })
  const bytes = await readFile(path.join(archivePath, 'toc.dat'))
  return { toc: parseArchiveToc(bytes), bytes }
}

/** A `pg_restore -L` list naming these entries (dumpIds), in this order. */
function listFile(ids: number[]): string {
  return ids.map(id => `${id};\n`).join('')
}

function shortName(name: string): string {
  return name.length > 120 ? `${name.slice(0, 119)}…` : name
}

/**
 * The entry whose data block ends a custom archive: the one with the highest offset, or (offsets
 * not set: pg_dump wrote to a pipe) the last with data in TOC order, as pg_dump writes them.
 */
function lastDataBlock(toc: ArchiveToc): TocEntry | undefined {
  let last: TocEntry | undefined
  for (const e of toc.entries) {
    if (e.extra.format !== 'custom' || e.extra.dataState === 'no-data') continue
    if (
      !last ||
      e.extra.dataState === 'not-set' ||
      (last.extra.format === 'custom' && e.extra.dataOffset >= last.extra.dataOffset)
    )
      last = e
  }
  return last
}

/**
 * The load by `pg_restore -d <db> --single-transaction --exit-on-error -L <list>`, credentials
 * only in the environment (as psql's). A custom archive reaches pg_restore's stdin through
 * {@link DirectFeed}: it must start with the very header and TOC the check read, and its last
 * bytes are held back until the whole input was read, decoded and checked (the decompressor and
 * decryptor ended without error, verify's tap passed it) — pg_restore commits only once it read
 * its last data block, so any failure before kills it inside the transaction (nothing is kept).
 * A directory archive's toc.dat is compared with the checked one just before pg_restore starts.
 */
async function loadDirect(
  plan: LoadPlan,
  target: LoadTarget,
  options: LoadOptions,
  hooks: LoadHooks,
  archive: ArchiveInput,
  direct: DirectLoad
): Promise<LoadResult> {
  const args = [
    `--dbname=${conninfoDatabase(target.database)}`,
    ...(options.singleTransaction ? ['--single-transaction'] : []),
    ...(options.jobs > 1 ? [`--jobs=${options.jobs}`] : []),
    '--exit-on-error',
    `--use-list=${direct.listFile}`,
    ...direct.selection
  ]
  if (direct.piped)
    return loadPiped(plan, target, options, direct, direct.piped, args, hooks.archiveTap)
  let stdin: Readable | undefined
  let onStderrLine: ((line: string) => void) | undefined
  if ('path' in archive) {
    const now = await readTocAt(archive.path)
    if (!now.bytes.equals(direct.tocBytes)) throw tocChanged()
    if (options.singleTransaction) {
      // pg_restore reads the files itself: its --verbose tells when it is past its data
      const listed = new Set((await readFile(direct.listFile, 'utf8')).match(/^\d+/gm)?.map(Number))
      const data = direct.toc.entries.filter(e => e.desc === 'TABLE DATA' && listed.has(e.dumpId))
      onStderrLine = markCommitAfterData(data.length)
      args.push('--verbose')
    }
    args.push(archive.path)
  } else {
    const rest = direct.rest ?? openDirectInput(archive)
    const { tocBytes } = direct
    // the TOC the check read, then the rest of the same read: verify's tap sees it all
    const stages: Duplex[] = [
      ...(hooks.archiveTap ? [hooks.archiveTap.stage] : []),
      new DirectFeed(
        tocBytes,
        DIRECT_HOLD_BACK,
        options.singleTransaction ? markCommitSent : undefined
      )
    ]
    stages[0].write(tocBytes)
    stdin = chain(rest, ...stages)
  }
  const pgRestore = programPath(plan.client, 'pg_restore')
  const child = startChild(pgRestore, args, {
    env: onStderrLine ? { ...target.env, LC_MESSAGES: 'C' } : target.env,
    stdin,
    stdout: 'ignore',
    onStderrLine,
    feedToEnd: hooks.archiveTap !== undefined
  })
  try {
    await child.done
  } catch (error) {
    const explained = pgRestoreError(error, pgRestore, direct.toc)
    if (explained !== error) throw explained
    if (error instanceof EngineError && !(error instanceof ChildProcessError)) throw error
    // the input failed (zstd among them): pg_restore was stopped before it could read its end
    throw new LoadError(
      `the backup could not be read while restoring: ${sentence((error as Error).message)}`,
      child.stderr(),
      true
    )
  }
  return { skipped: [], direct: true }
}

/**
 * loadDirect for a zstd-compressed custom archive stored in a zip: `zstd -d` writes into
 * pg_restore's stdin itself, only the compressed bytes pass through this process (PipedFeed
 * holds them back until the head decoded to the checked TOC, and the end until the entry's
 * CRC-32 matched). The first failure is the one reported: the input's, else pg_restore's (zstd
 * then only lost its reader), else zstd's.
 */
async function loadPiped(
  plan: LoadPlan,
  target: LoadTarget,
  options: LoadOptions,
  direct: DirectLoad,
  piped: PipedInput,
  args: string[],
  tap?: ArchiveDigestTap
): Promise<LoadResult> {
  // verify: its digest reads a second zstd of the same compressed bytes
  const side = tap
    ? await SideDecoder.start(piped.zstd, tap, path.dirname(direct.listFile))
    : undefined
  const pgRestore = programPath(plan.client, 'pg_restore')
  const restoring = startChild(pgRestore, args, {
    env: target.env,
    stdin: 'pipe',
    stdout: 'ignore'
  })
  const live = piped.file.live
  const feed = new PipedFeed(
    direct.tocBytes,
    // a live download's: the zip's, given once the download was checked whole
    live ? () => live.expectedCrc32 ?? -1 : piped.file.crc32,
    DIRECT_PIPE_HOLD_BACK,
    options.singleTransaction ? markCommitSent : undefined
  )
  const decoding = startChild(piped.zstd, ['-q', '-d', '-c'], {
    stdin: chain(
      live ? live.stream(piped.file.meter) : openRaw(piped.file),
      feed,
      ...(side ? [side.copy] : [])
    ),
    stdout: restoring.stdin!
  })
  // zstd holds the pipe's writing end now: pg_restore's input ends when zstd's output does
  restoring.stdin!.destroy()
  const [restored, decoded] = await Promise.allSettled([restoring.done, decoding.done])
  if (side) {
    // the digest counts only where the load read the same input whole: its zstd ended without
    // error (not for want of a reader either) and pg_restore restored it all
    if (restored.status === 'fulfilled' && decoded.status === 'fulfilled') {
      const whole = await side.whole()
      if (whole === true) tap!.confirm()
      else tap!.drop(whole)
    } else await side.stop()
  }
  // zstd lost its reader (pg_restore ended first): killed by SIGPIPE, or told so
  const readerGone =
    decoded.status === 'rejected' &&
    decoded.reason instanceof ChildProcessError &&
    (decoded.reason.signal === 'SIGPIPE' ||
      // the pipe is a socket pair: a reader that ended resets it ("zstd: error 70 : Write error :
      // cannot write block : Connection reset by peer", trial u26 F1: it masked pg_restore's own)
      /broken pipe|connection reset by peer|EPIPE|ECONNRESET/i.test(decoding.stderr()))
  if (decoded.status === 'rejected' && !(decoded.reason instanceof ChildProcessError)) {
    restoring.kill()
    const reason = decoded.reason as Error
    if (reason instanceof PipedInputError && reason.kind === 'head') throw tocChanged()
    throw new LoadError(
      `the backup could not be read while restoring: ${sentence(reason.message)}`,
      restoring.stderr(),
      true
    )
  }
  if (restored.status === 'rejected') {
    const error = restored.reason as Error
    if (error instanceof ChildProcessError) {
      if (error.startError) throw explainChildFailure(error)
      // zstd failed first (not for want of a reader): pg_restore only saw its input end
      if (decoded.status === 'rejected' && !readerGone)
        throw new LoadError(
          `the backup could not be decompressed while restoring: ${sentence(decoding.stderr().trim() || (decoded.reason as Error).message)}`,
          error.stderr,
          true
        )
      throw pgRestoreFailure(error, direct.toc)
    }
    throw error
  }
  if (decoded.status === 'rejected' && !readerGone) {
    // pg_restore restored every entry and committed (exit 0 with --exit-on-error): the bytes
    // zstd failed on came after the archive's end, which pg_restore never needed (as with
    // `zstd -dc file | pg_restore -d` by hand, whose pipeline ends with pg_restore's status)
    log.warning(
      `The restore is complete and committed, but zstd failed on the backup's bytes after the end of its archive: ${sentence(decoding.stderr().trim() || (decoded.reason as Error).message)} The backup file holds more than the archive; check how it was made.`
    )
  }
  return { skipped: [], direct: true }
}

/** pg_restore -d failed (it ran): its error, naming the archive entry it failed in. */
/**
 * A failure of `pg_restore -d` (the program at `pgRestore`) explained: it could not start, or it
 * failed in an entry of `toc` (named); any other error is returned as it is.
 */
function pgRestoreError(error: unknown, pgRestore: string, toc: ArchiveToc): unknown {
  if (!(error instanceof ChildProcessError) || error.program !== pgRestore) return error
  return error.startError ? explainChildFailure(error) : pgRestoreFailure(error, toc)
}

function pgRestoreFailure(error: ChildProcessError, toc: ArchiveToc): LoadError {
  return explainLoadFailure(
    error.program,
    error.code,
    error.signal,
    error.stderr,
    tocEntryNamed(error.stderr, toc),
    name => tocHasRelation(toc, name)
  )
}

/**
 * Whether an entry of `toc` creates the relation `name` (`schema.name`, or a bare name), the
 * schema `schema <name>`, the type `type <name>` (or a relation of that name: its row type) or
 * the function `function <name>(args)` (by name: the error's argument types are the call's).
 */
function tocHasRelation(toc: ArchiveToc, name: string): boolean {
  if (name.startsWith('schema '))
    return toc.entries.some(e => e.desc === 'SCHEMA' && e.tag === name.slice('schema '.length))
  if (name.startsWith('function ')) {
    const routine = name.slice('function '.length)
    const bare = routine.slice(0, routine.indexOf('(') + 1)
    return toc.entries.some(
      e =>
        ['FUNCTION', 'PROCEDURE', 'AGGREGATE'].includes(e.desc) &&
        (bare.includes('.') ? `${e.namespace ?? ''}.${e.tag}` : e.tag).startsWith(bare)
    )
  }
  if (name.startsWith('type ')) {
    const type = name.slice('type '.length)
    if (
      toc.entries.some(
        e =>
          ['TYPE', 'DOMAIN'].includes(e.desc) &&
          (`${e.namespace ?? ''}.${e.tag}` === type || (!type.includes('.') && e.tag === type))
      )
    )
      return true
    name = type
  }
  return toc.entries.some(
    e =>
      ['TABLE', 'VIEW', 'MATERIALIZED VIEW', 'FOREIGN TABLE', 'SEQUENCE'].includes(e.desc) &&
      (`${e.namespace ?? ''}.${e.tag}` === name || (!name.includes('.') && e.tag === name))
  )
}

/**
 * The database name as a libpq connection string (`dbname='…'`): pg_restore -d takes a name
 * holding "=" or a URI prefix as a connection string of its own; everything else (host, user,
 * password, options) comes from the environment.
 */
function conninfoDatabase(database: string): string {
  return `dbname='${database.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}

/** The entry pg_restore -d names in "from TOC entry 12; …", as "TABLE DATA public.t". */
function tocEntryNamed(stderr: string, toc: ArchiveToc): string | undefined {
  const m = /from TOC entry (\d+);/.exec(stderr)
  // a COPY that failed names only its table: "COPY failed for table "t""
  const copy = m ? undefined : /COPY failed for table "(.*?)":/.exec(stderr)
  const copied = copy ? toc.entries.filter(e => e.desc === 'TABLE DATA' && e.tag === copy[1]) : []
  const entry = m
    ? toc.entries.find(e => e.dumpId === Number(m[1]))
    : copied.length === 1
      ? copied[0]
      : entryOfCommand(stderr, toc)
  if (!entry) return undefined
  const name = `${entry.desc} ${entry.namespace ? `${entry.namespace}.` : ''}${entry.tag}`
  // eslint-disable-next-line no-control-regex -- control characters are shown as spaces
  return shortName(name.replace(/[\u0000-\u001f\u007f]/g, ' '))
}

/**
 * The one entry whose SQL holds the statement pg_restore -d printed after "Command was:" (it
 * prints no "from TOC entry" line without --verbose).
 */
function entryOfCommand(stderr: string, toc: ArchiveToc): TocEntry | undefined {
  const m = /^Command was: ([\s\S]*?)(?=\npg_restore: |$(?![\s\S]))/m.exec(stderr)
  const words = (text: string): string => text.replace(/\s+/g, ' ').trim()
  const command = m ? words(m[1]) : ''
  if (command.length === 0) return undefined
  const found = toc.entries.filter(e => e.defn !== null && words(e.defn).includes(command))
  return found.length === 1 ? found[0] : undefined
}

function tocChanged(): CheckError {
  return new CheckError(
    "the archive's table of contents changed between its check and its load (the backup was read twice and differed): nothing was restored. Restore again; if it recurs, the backup's storage is not stable."
  )
}

/**
 * The decoded archive on its way to `pg_restore -d`: its first bytes must be exactly the header
 * and TOC the check pass read (compared before any is passed on), and its last
 * {@link DIRECT_HOLD_BACK} bytes are passed only once its input ended without error — the
 * stages before it (decryption, decompression, verify's tap) finished and checked it whole.
 */
export class DirectFeed extends Transform {
  private head: Buffer[] = []
  private headLength = 0
  private headChecked = false
  private readonly tail: HeldEnd
  // the chunks it passes are garbage once pg_restore read them (see memory.ts)
  private readonly scavenge = scavengeEvery(SCAVENGE_BYTES)

  constructor(
    private readonly tocBytes: Buffer,
    holdBack = DIRECT_HOLD_BACK,
    /** Called as the held-back end is released (see markCommitSent). */
    private readonly onRelease?: () => void
  ) {
    super()
    this.tail = new HeldEnd(holdBack, chunk => this.push(chunk))
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.scavenge(chunk.length)
    if (!this.headChecked) {
      this.head.push(chunk)
      this.headLength += chunk.length
      if (this.headLength < this.tocBytes.length) return callback()
      const all = Buffer.concat(this.head)
      this.head = []
      if (!all.subarray(0, this.tocBytes.length).equals(this.tocBytes))
        return callback(tocChanged())
      this.headChecked = true
      chunk = all
    }
    this.tail.add(chunk)
    callback()
  }

  override _flush(callback: TransformCallback): void {
    if (!this.headChecked) return callback(tocChanged())
    // pg_restore may commit once it has these last bytes
    this.onRelease?.()
    this.tail.release()
    callback()
  }
}

/**
 * A parallel restore: the archive's script checked whole by the gate first (a refusal comes
 * before anything runs), clean's drops in a transaction of their own (pg_restore --clean cannot
 * drop partitioned tables with keys in an order PostgreSQL accepts), then the pre-data section,
 * the data entries `jobs` at a time (largest first, each `pg_restore -f - -L <entry>` in a psql
 * session of its own, or a table's rows by `pg_restore -d` itself: directDataEntries) and the
 * post-data section — every script through the same gate and policy
 * as a restore with jobs: 1, so a parallel restore skips and refuses what that one does
 * (pg_restore -d would run the statements the target cannot take, and pg_restore 17+ sends
 * `SET transaction_timeout`, which servers before 17 reject). Only atomicity is given up.
 */
async function parallelThroughPsql(
  plan: LoadPlan,
  target: LoadTarget,
  options: LoadOptions,
  hooks: LoadHooks,
  archive: { path: string },
  toc: ArchiveToc,
  workDir: string
): Promise<LoadResult> {
  const archivePath = archive.path
  const pgRestore = programPath(plan.client, 'pg_restore')
  const selection = scriptSelection(options)
  const source = 'the script pg_restore writes of the archive'
  // what the load reads of the archive, before anything runs: a failure here leaves the target
  // as it was (clean's drops and the roles come after)
  const listed = listedEntries(
    await runChild(pgRestore, ['--list', '--section=data', ...selection, archivePath])
  )
  // the data entries pg_restore -d loads itself: their rows never pass psql, so neither the
  // row-end check nor the gate's reading of the whole script before the load reads them (each
  // read every row once more: 4.6 s of a 17 s restore of 680 MB with jobs 2, slower than jobs 1)
  const direct = await directDataEntries(plan, target, options, hooks, toc, listed)
  const skip = 'ids' in direct ? direct.ids : new Set<number>()
  await checkRowEnds(plan, archive, toc, skip)
  const seconds = stopwatch()
  const check = scriptGate(plan, target, options, hooks, [], source)
  const lists = path.join(workDir, 'lists')
  await mkdir(lists, { recursive: true })
  let whole = [...selection, archivePath]
  if (skip.size > 0) {
    const all = listedEntries(await runChild(pgRestore, ['--list', ...selection, archivePath]))
    const checked = path.join(lists, 'checked.list')
    await writeFile(
      checked,
      all
        .filter(id => !skip.has(id))
        .map(id => `${id};\n`)
        .join(''),
      {
        mode: 0o600
      }
    )
    whole = [...selection, `--use-list=${checked}`, archivePath]
  }
  await scriptThrough(pgRestoreScript(pgRestore, whole), check, discard())
  // the target's keys between tables it fills: a table's rows in the group of those it references,
  // after them
  const after = plan.dataOrder ? dataDependencies(toc, listed, plan.dataOrder) : []
  const sizes = await dataSizes(toc, archivePath)
  const groups = dataGroups(toc, listed, after)
  const rank = dataRanks(listed, after)
  const held = new Set(after.map(a => a.entry)).size
  if (held > 0)
    log.info(
      `The target's foreign keys between tables the backup fills: the rows of ${plural(held, 'table')} load after those of the tables they reference, in one session with them.`
    )
  const postListed = listedEntries(
    await runChild(pgRestore, ['--list', '--section=post-data', ...selection, archivePath])
  )
  const post = postDataWaves(toc, postListed)
  const bytes = (ids: readonly number[]): number =>
    ids.reduce((sum, id) => sum + (sizes.get(id) ?? 0), 0)
  // a table's indexes and keys weigh as its rows do
  const tableBytes = new Map<number, number>()
  for (const e of toc.entries)
    if (e.desc === 'TABLE DATA')
      for (const dep of e.dependencies)
        tableBytes.set(dep, (tableBytes.get(dep) ?? 0) + (sizes.get(e.dumpId) ?? 0))
  const byId = new Map(toc.entries.map(e => [e.dumpId, e]))
  const indexBytes = (ids: readonly number[]): number =>
    Math.max(
      0,
      ...ids.flatMap(id => byId.get(id)?.dependencies.map(dep => tableBytes.get(dep) ?? 0) ?? [])
    )
  // a whole group of entries in one batch, data entries loaded one way in a batch
  const isDirect = (ids: number[]): boolean =>
    'ids' in direct && ids.every(id => direct.ids.has(id))
  const directBatches = new Set(
    loadBatches(groups.filter(isDirect), options.jobs, listed, bytes, rank)
  )
  const dataBatches = [
    ...directBatches,
    ...loadBatches(
      groups.filter(ids => !isDirect(ids)),
      options.jobs,
      listed,
      bytes,
      rank
    )
  ].sort((a, b) => bytes(b) - bytes(a))
  // a batch's runs, one per rank (each reads the archive forward)
  const passes = new Map(dataBatches.map(ids => [ids, batchPasses(ids, rank)]))
  const postBatches = loadBatches(post.groups, options.jobs, postListed, indexBytes)
  const ownership = selection.filter(a => a === '--no-owner' || a === '--no-privileges')
  /** The list file of the entries `ids` (in this order): pg_restore -L restores them so. */
  const listFile = async (ids: number[]): Promise<string> => {
    const file = path.join(lists, `${ids[0]}.list`)
    await writeFile(file, ids.map(id => `${id};\n`).join(''), { mode: 0o600 })
    return file
  }
  const files = new Map<number[], string>()
  for (const ids of [
    ...[...passes.values()].flat(),
    ...postBatches,
    ...(post.rest.length > 0 ? [post.rest] : [])
  ])
    files.set(ids, await listFile(ids))
  log.info(`The archive's script passed the checks (${seconds().toFixed(1)} s) before loading.`)
  await runFirst(plan, target, options, hooks)
  const load = (args: string[], what: string, signal?: AbortSignal): Promise<SkippedStatement[]> =>
    gatedLoad(
      plan,
      target,
      options,
      hooks,
      [...args, archivePath],
      `${what} of the archive`,
      signal
    )
  /** The entries `ids` as one script through the gate into psql. */
  const loadEntries = (
    ids: number[],
    what: string,
    signal?: AbortSignal
  ): Promise<SkippedStatement[]> =>
    load([`--use-list=${files.get(ids)!}`, ...ownership], what, signal)
  const skipped: SkippedStatement[][] = []
  skipped.push(await load(['--section=pre-data', ...selection], 'the pre-data section'))
  const data = stopwatch()
  const dataSkipped = new Map<number[], SkippedStatement[]>()
  await runPooled(dataBatches, options.jobs, async (batch, signal) => {
    for (const ids of passes.get(batch)!) {
      if (directBatches.has(batch))
        await loadDataDirect(plan, target, archivePath, files.get(ids)!, ownership, toc, signal)
      else
        dataSkipped.set(
          ids,
          await loadEntries(ids, entriesName(ids, 'data entry', 'data entries'), signal)
        )
    }
  })
  const sessions = Math.min(options.jobs, dataBatches.length)
  const directCount = groups.filter(isDirect).length
  const gated = groups.length - directCount
  log.info(
    `${listed.length} data entries loaded by ${sessions} ${directCount === 0 ? 'psql sessions' : gated === 0 ? 'pg_restore -d sessions' : 'sessions'} at a time, ${plural([...passes.values()].flat().length, 'program run')} (${data().toFixed(1)} s)${
      directCount > 0
        ? `: ${plural(directCount, 'group')} of tables by pg_restore -d itself (each entry its COPY statement alone, which the gate passed; the rows reach the server as COPY data)${gated > 0 ? `, ${gated} through the gate into psql` : ''}`
        : ''
    }.`
  )
  if ('reason' in direct) log.info(`Data entries through the gate into psql: ${direct.reason}.`)
  // in archive order, as a restore with jobs: 1 lists them
  skipped.push(mergeSkippedInArchiveOrder([...dataSkipped.values()], toc, listed))
  const postTime = stopwatch()
  const groupSkipped = new Map<number[], SkippedStatement[]>()
  await runPooled(postBatches, options.jobs, async (ids, signal) => {
    groupSkipped.set(
      ids,
      await loadEntries(ids, entriesName(ids, 'index or key', 'indexes and keys'), signal)
    )
  })
  skipped.push(...inArchiveOrder(postBatches, postListed).map(ids => groupSkipped.get(ids) ?? []))
  if (post.rest.length > 0)
    skipped.push(await loadEntries(post.rest, 'the rest of the post-data section'))
  log.info(
    post.groups.length + post.rest.length === 0
      ? 'Post-data: none in the backup (no indexes, keys, triggers or other entries to build).'
      : `Post-data: the indexes and keys of ${plural(post.groups.length, 'table')} built by ${Math.min(options.jobs, postBatches.length)} psql sessions at a time (${plural(postBatches.length, 'program run')}), then ${plural(post.rest.length, 'other entry', 'other entries')} (${postTime().toFixed(1)} s).`
  )
  return { skipped: mergeSkipped(skipped) }
}

/** The search_path entry pg_dump writes (10.3 and later): what pg_restore runs in each session. */
const PG_DUMP_SEARCH_PATH = "SELECT pg_catalog.set_config('search_path', '', false);\n"

/**
 * The data entries of a parallel restore that `pg_restore -d -L <entries>` may load itself
 * (loadDataDirect): TABLE DATA as pg_dump writes it (isPgDumpDataEntry: its COPY statement alone,
 * no SQL of its own) whose COPY statements the gate and policy pass with nothing left out. The
 * script the gated path would send for them is pg_restore's header (the settings pg_restore -d
 * sets on connecting) and those statements with their rows; pg_restore -d sends the same, the
 * rows as COPY data (the server reads them as data, never as statements) and not through this
 * process, whose gate otherwise reads every byte of them (measured on the 500 MB bench database,
 * directory format with jobs 2: the action's Node 11 CPU s). Each such load is a pg_restore of
 * its own without --jobs: none sends the TRUNCATE or the per-worker settings of pg_restore
 * --jobs. The other data entries (sequence values, large objects, an entry with SQL of its own)
 * keep the gated path; all of them do when the reason says why.
 */
async function directDataEntries(
  plan: LoadPlan,
  target: LoadTarget,
  options: LoadOptions,
  hooks: LoadHooks,
  toc: ArchiveToc,
  listed: number[]
): Promise<{ ids: Set<number> } | { reason: string }> {
  if (plan.client.major >= 17 && target.serverMajor < 17)
    return {
      reason: `pg_restore ${plan.client.major} sends SET transaction_timeout, which the server (${target.serverMajor}) rejects; the gate leaves it out`
    }
  // a data-only load's tables were checked empty before any data entry loads (runFirst); its
  // deferred keys and triggers belong to one transaction, which a parallel restore is not
  if ((plan.deferrals?.before.length ?? 0) > 0)
    return { reason: 'the backup is data-only: its foreign keys are deferred in one transaction' }
  // pg_restore -d runs the archive's search_path entry as it is in every session it opens (its
  // encoding and standard_conforming_strings entries it only parses): any text but pg_dump's own
  // would run there unread by the gate (a GRANT the gate leaves out, a SET of the session)
  if (toc.searchPath !== null && toc.searchPath !== PG_DUMP_SEARCH_PATH)
    return {
      reason: `the archive's search_path entry is not the one pg_dump writes (${PG_DUMP_SEARCH_PATH.trim()}): pg_restore -d would run it as it is in each of its sessions`
    }
  const byId = new Map(toc.entries.map(e => [e.dumpId, e]))
  const tables = listed.flatMap(id => {
    const entry = byId.get(id)
    return entry && isPgDumpDataEntry(entry) ? [entry] : []
  })
  const left = await checkCopyStatements(
    tables,
    scriptGate(plan, target, options, hooks, [], 'the script pg_restore writes of the archive')
  )
  if (left)
    return {
      reason: `the restore leaves out the data of ${shortName(dataEntryName(left.entry))} (${left.reason})`
    }
  return { ids: new Set(tables.map(e => e.dumpId)) }
}

/**
 * The data entries of `list` (a parallel restore's data group) loaded by `pg_restore -d
 * --exit-on-error -L list` (see directDataEntries), credentials from the environment; an aborted
 * `signal` (another script failed) stops it.
 */
async function loadDataDirect(
  plan: LoadPlan,
  target: LoadTarget,
  archivePath: string,
  list: string,
  ownership: string[],
  toc: ArchiveToc,
  signal: AbortSignal
): Promise<void> {
  const pgRestore = programPath(plan.client, 'pg_restore')
  const child = startChild(
    pgRestore,
    [
      `--dbname=${conninfoDatabase(target.database)}`,
      '--exit-on-error',
      `--use-list=${list}`,
      ...ownership,
      archivePath
    ],
    { env: target.env, stdout: 'ignore' }
  )
  const stop = (): void => child.kill()
  signal.addEventListener('abort', stop)
  if (signal.aborted) stop()
  try {
    await child.done
  } catch (error) {
    throw pgRestoreError(error, pgRestore, toc)
  } finally {
    signal.removeEventListener('abort', stop)
  }
}

/**
 * A parallel restore's first statements, in a transaction of their own before anything loads:
 * create-roles' roles, clean's drops (pg_restore --clean cannot drop partitioned tables with
 * keys in an order PostgreSQL accepts), and a data-only load's check that the tables it fills
 * still hold no rows (fillChecks: without a lock, which would not outlive that transaction).
 */
async function runFirst(
  plan: LoadPlan,
  target: LoadTarget,
  options: LoadOptions,
  hooks: LoadHooks
): Promise<void> {
  const drops = options.clean ? (plan.drops ?? []) : []
  const fills = fillChecks(plan.fills ?? [], false)
  const first = [...(plan.roles ?? []), ...drops, ...fills]
  if (first.length > 0) {
    if (drops.length > 0)
      log.info(
        `clean: ${plural(drops.length, 'object')} of the backup ${drops.length === 1 ? 'is' : 'are'} dropped first.`
      )
    if (fills.length > 0)
      log.info(
        `data-only: the ${plural(fills.length, 'table')} it fills ${fills.length === 1 ? 'is' : 'are'} checked empty again first (a parallel restore is not one transaction: rows another session writes into them later are not seen).`
      )
    if (plan.roles?.length) {
      log.info(
        'create-roles: the roles are created first, in a transaction of their own (a parallel restore is not one transaction).'
      )
    }
    await runOwnStatements(plan, target, options, first)
    if (plan.roles?.length) hooks.rolesCommitted?.()
  }
}

/**
 * A parallel restore's last step: clean-drop-dependents' parts of tables that stay created again
 * (recreateStatements), in a transaction of their own once every session of the load has ended
 * (attacker a75 F5: with jobs > 1 they were left dropped, a foreign key with them, exit 0). A
 * constraint PostgreSQL refuses fails the restore, as with jobs: 1.
 */
async function runLast(plan: LoadPlan, target: LoadTarget, options: LoadOptions): Promise<void> {
  const last = recreateStatements(plan)()
  if (last.length > 0) await runOwnStatements(plan, target, options, last)
}

/**
 * The action's own statements (a parallel restore's first and last steps) in one transaction of
 * psql's, under the loader's settings.
 */
async function runOwnStatements(
  plan: LoadPlan,
  target: LoadTarget,
  options: LoadOptions,
  statements: readonly string[]
): Promise<void> {
  await runLoader(
    programPath(plan.client, 'psql'),
    [
      '-X',
      '-q',
      '--no-password',
      '--echo-errors',
      '-v',
      'ON_ERROR_STOP=1',
      '--single-transaction',
      '-f',
      '-'
    ],
    target.env,
    // on stdin, not as one -c argument: thousands of statements exceed the argument limit
    // (spawn E2BIG)
    Readable.from([
      Buffer.from(`${[...loaderSettings(options, target.env), ...statements].join('\n')}\n`)
    ])
  )
}

/** pg_restore's selection of what to restore, as every restore script of the load asks it. */
function scriptSelection(options: LoadOptions): string[] {
  const args: string[] = []
  // 'auto': the owners and privileges reach the gate, whose policy keeps what the target takes
  if (options.noOwner === true) args.push('--no-owner')
  if (options.noPrivileges === true) args.push('--no-privileges')
  if (options.noStatistics === true) args.push('--no-statistics')
  // data-only: the rows, large objects and sequence values alone, as pg_restore --data-only
  if (options.dataOnly === true) args.push('--data-only')
  for (const t of options.tables) args.push(`--table=${t}`)
  for (const n of options.schemas) args.push(`--schema=${n}`)
  return args
}

/** `pg_restore --file=- <args>`: the script it writes, which ends only once it exited 0. */
function pgRestoreScript(
  pgRestore: string,
  args: string[]
): { stdout: Readable; done: Promise<void> } {
  return explainedScript(startChild(pgRestore, ['--file=-', ...args]))
}

/** A pg_restore writing a script: its output, and its end (a failure explained). */
function explainedScript(child: ReturnType<typeof startChild>): {
  stdout: Readable
  done: Promise<void>
} {
  const done = child.done.catch((error: unknown) => {
    throw error instanceof ChildProcessError ? explainChildFailure(error) : error
  })
  done.catch(() => undefined)
  return { stdout: checkedOutput(child), done }
}

/**
 * One script of a parallel restore (pg_restore -f - with `args`) through its own gate into psql
 * (no transaction: a parallel restore has none); what the gate skipped. An aborted `signal`
 * (another script failed) stops psql and pg_restore.
 */
async function gatedLoad(
  plan: LoadPlan,
  target: LoadTarget,
  options: LoadOptions,
  hooks: LoadHooks,
  args: string[],
  source: string,
  signal?: AbortSignal
): Promise<SkippedStatement[]> {
  const pgRestore = programPath(plan.client, 'pg_restore')
  const gate = scriptGate(plan, target, options, hooks, [], source)
  const script = pgRestoreScript(pgRestore, args)
  const psql = startChild(programPath(plan.client, 'psql'), buildPsqlArgs(), {
    env: target.env,
    stdin: chain(script.stdout, gate),
    stdout: 'ignore'
  })
  const stop = (): void => psql.kill()
  signal?.addEventListener('abort', stop)
  if (signal?.aborted) stop()
  const loaded = psql.done.catch((error: unknown) => {
    if (error instanceof ChildProcessError) throw explainChildFailure(error)
    if (error instanceof EngineError) throw error
    throw new LoadError(
      `the backup could not be read while restoring: ${sentence((error as Error).message)}`,
      psql.stderr(),
      true
    )
  })
  try {
    const [psqlDone, produced] = await Promise.allSettled([loaded, script.done])
    // psql stopped because the script failed: pg_restore's error says why
    const scriptFailed =
      psqlDone.status === 'rejected' && (psqlDone.reason as LoadError).inputFailed
    if (produced.status === 'rejected' && scriptFailed) throw produced.reason
    if (psqlDone.status === 'rejected')
      throw inArchiveEntries(psqlDone.reason, gate, wholeToc(plan))
    if (produced.status === 'rejected') throw produced.reason
  } finally {
    signal?.removeEventListener('abort', stop)
  }
  return gate.skipped
}

/** pg_restore's script through `stages`; pg_restore's own failure first. */
async function scriptThrough(
  script: { stdout: Readable; done: Promise<void> },
  ...stages: [Duplex, Writable]
): Promise<void> {
  const [passed, produced] = await Promise.allSettled([
    pipeline([script.stdout, ...stages]),
    script.done
  ])
  if (produced.status === 'rejected') {
    if (passed.status === 'rejected' && passed.reason instanceof EngineError) throw passed.reason
    throw produced.reason
  }
  if (passed.status === 'rejected') throw passed.reason
}

/**
 * A parallel restore's archive, before its scripts are written: no entry may hold COPY … PROGRAM
 * (a program run on the database server), a call of a server-side file function (lo_export,
 * pg_read_file, …) or of one that acts outside the restore's transaction (dblink_exec,
 * pg_terminate_backend, …), ALTER EXTENSION … ADD or … DROP, nor text psql would read as a meta-command (pg_dump
 * writes none in SQL; such text means the archive was made by hand). Returns the TOC.
 */
export async function checkArchiveToc(
  archivePath: string,
  /** A tar-format archive's toc.dat, as the check of the backup read it from the tar. */
  tocBytes?: Buffer
): Promise<ArchiveToc> {
  let toc: ArchiveToc
  try {
    toc = tocBytes ? parseArchiveToc(tocBytes) : await readArchiveTocFile(archivePath)
  } catch (error) {
    throw new CheckError(
      `the archive's table of contents cannot be read: ${(error as Error).message}`
    )
  }
  for (const entry of toc.entries) {
    for (const [field, sql] of [
      ['definition', entry.defn],
      ['drop statement', entry.dropStmt],
      ['COPY statement', entry.copyStmt]
    ] as const) {
      if (!sql) continue
      const refused = tocRefusal(sql)
      if (refused)
        throw new CheckError(
          `the archive's entry ${entry.dumpId} (${entry.desc} ${entry.tag}), its ${field}: ${refused}; pg_dump never writes this, the archive is refused before anything runs.`
        )
    }
  }
  return toc
}

function tocRefusal(sql: string): string | undefined {
  for (const event of lexPsqlScript(sql)) {
    if (event.kind === 'metaCommand') return `a psql meta-command "\\${event.name}"`
    if (event.kind !== 'statement') continue
    const r = refusal(event)
    if (
      r &&
      (r.code === 'copy-program' ||
        r.code === 'copy-unclear' ||
        r.code === 'backslash-escape' ||
        r.code === 'file-function' ||
        r.code === 'outside-transaction' ||
        r.code === 'extension-member' ||
        r.code === 'unreadable-code')
    )
      return r.message
        .replace(/^line \d+: /, '')
        .replace(/; the script is refused before anything runs$/, '')
  }
  return undefined
}

/**
 * The data offsets of a custom archive pg_dump wrote to a pipe (the action's own backups: pg_dump
 * | zstd), which its table of contents lacks, written into `file` (this process's own copy):
 * pg_restore -L of a few entries, and each worker of pg_restore -j, otherwise reads past every
 * block before the entries it loads (uncompressed, a chunk per row: two million seeks), once per
 * run — a parallel restore of 130 tables with jobs: 4 took 4× pg_restore -j 4 of a copy with
 * offsets (trial u45 F1). Each where a walk of the blocks found it; pg_restore checks the block
 * it finds there, and the row check compares them again (checkCustomArchiveRows, seekable).
 * How many were written.
 */
async function fillDataOffsets(file: string): Promise<number> {
  const { toc } = await readTocAt(file)
  const missing = toc.entries.filter(
    e => e.extra.format === 'custom' && e.extra.dataState === 'not-set'
  )
  if (missing.length === 0) return 0
  const seconds = stopwatch()
  // an archive whose blocks cannot be walked (cut short, crafted) is left as it is: the check
  // of its rows refuses it with its own words (attacker a72 F1: a bare "ends inside a data block")
  const starts = await customDataStarts(file).catch(() => undefined)
  if (!starts) return 0
  const handle = await open(file, 'r+')
  let written = 0
  try {
    for (const entry of missing) {
      const start = starts.get(entry.dumpId)
      const flagAt = entry.extra.format === 'custom' ? entry.extra.flagAt : undefined
      // (an offset the field cannot hold is left unset: attacker a72 F4)
      if (start === undefined || flagAt === undefined || start >= 256 ** toc.header.offSize)
        continue
      const field = Buffer.alloc(1 + toc.header.offSize)
      field[0] = 2 // K_OFFSET_POS_SET
      for (let i = 0, rest = start; i < toc.header.offSize; i++, rest = Math.floor(rest / 256))
        field[1 + i] = rest % 256
      await handle.write(field, 0, field.length, flagAt)
      written++
    }
  } finally {
    await handle.close()
  }
  log.info(
    `The archive's data offsets, which pg_dump writing to a pipe leaves out, written into the restore's own copy (${plural(written, 'entry', 'entries')}, ${seconds().toFixed(1)} s): each session's pg_restore goes straight to its tables' rows.`
  )
  return written
}

/** The file decoded into `out` (mode 0600); the file itself when there is nothing to decode. */
async function decodeTo(
  file: BackupFile,
  decoding: Decoding,
  out: string,
  /** What restores without the file on disk (a custom archive: jobs: 1); none for a tar. */
  instead: string | undefined = 'jobs: 1',
  /** Copy an uncompressed file too (it is then this process's own: nothing changes it later). */
  copy = false
): Promise<string> {
  if (!copy && !file.range && decoding.compression === 'none' && !decoding.decryption)
    return file.path
  const source =
    decoding.compression === 'none' && !decoding.decryption
      ? openRaw(file)
      : openDecoded(file, decoding)
  try {
    await pipeline(source, createWriteStream(out, { mode: 0o600 }))
  } catch (error) {
    const code = (error as NodeJS.ErrnoException)?.code
    if (code === 'ENOSPC' || code === 'EDQUOT') throw diskFull(path.dirname(out), instead)
    throw error
  }
  return out
}

/**
 * The archive unpacked into the work directory did not fit (nothing was loaded yet: the target
 * is as it was; the caller removes the work directory). `instead` is the setting that needs no
 * room there.
 */
function diskFull(directory: string, instead?: string): DiskFullError {
  return new DiskFullError(
    `the disk is full: no space left while unpacking the backup into ${directory} (RUNNER_TEMP); nothing was restored. Free disk space on the runner, point RUNNER_TEMP at a larger disk${instead ? `, or restore with ${instead} (the archive is then streamed, not unpacked)` : ''}.`
  )
}

/** A directory archive in a tar stream, unpacked into `dir`. */
async function untar(
  file: BackupFile,
  decoding: Decoding,
  dir: string,
  /** The one folder of the tar that holds the archive (the check saw nothing beside it). */
  folder?: string
): Promise<void> {
  // tar stops reading at the end-of-archive blocks: the padding after them may stay unread;
  // --verbose: the members' names, one a line (escaped as GNU tar quotes them)
  let listed: string
  try {
    // zstd -d writes into tar itself when installed (startDecoded): the archive not through here
    const tar = startDecoded('tar', ['-xvf', '-', '-C', dir], file, decoding)
    let out = ''
    tar.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk))
    await tar.done
    listed = out
  } catch (error) {
    if (!(error instanceof ChildProcessError) || error.startError) throw error
    if (/No space left on device|Disk quota exceeded/i.test(error.stderr)) throw diskFull(dir)
    throw new ArchiveError(`the directory archive could not be unpacked: ${error.stderr.trim()}`)
  }
  // a name twice: tar keeps the last, Check the backup may have read another (pg_dump writes each once)
  const seen = new Set<string>()
  for (const line of listed.split('\n')) {
    const name = line.replace(/^(\.\/)+/, '').replace(/\/$/, '')
    if (name === '' || name === '.') continue
    // GNU tar unpacked it under the folder, its leading / removed (nothing outside), but its
    // files are then not where the archive put them (attacker a41 F5: "'tmp' is not a regular file")
    if (name.startsWith('/'))
      throw new ArchiveError(
        `the directory archive (tar) holds the member ${JSON.stringify(name.slice(0, 80))}, an absolute path, which pg_dump -Fd never writes (its files are plain names in one folder; GNU tar unpacks such a member under the restore's folder, its leading / removed, not where the archive says). Nothing was restored. Restore the folder pg_dump -Fd made, tarred from inside it (tar -cf backup.tar -C dumpdir .).`
      )
    if (seen.has(name))
      throw new ArchiveError(
        `the directory archive (tar) holds the member ${JSON.stringify(name.slice(0, 80))} more than once: tar unpacks the last, which need not be the one the backup's check read. pg_dump writes each file once; nothing was restored. Restore a backup the action or pg_dump -Fd made.`
      )
    seen.add(name)
  }
  // the archive's folder alone (a tar changed since it was checked could hold more)
  if (folder !== undefined) {
    const top = await readdir(dir)
    if (
      top.length !== 1 ||
      top[0] !== folder ||
      !(await lstat(path.join(dir, folder))).isDirectory()
    )
      throw new ArchiveError(
        `the directory archive (tar) no longer holds only the folder '${folder}' its check read (${top.slice(0, 5).join(', ')}): it changed while it was restored. Nothing was restored.`
      )
  }
  // links in the tar: pg_restore would read what they point to (GNU tar writes nothing outside)
  const foreign = await foreignEntries(folder === undefined ? dir : path.join(dir, folder), {
    hardLinks: true
  })
  if (foreign.length > 0) {
    throw new ArchiveError(
      `the directory archive (tar) holds entries pg_dump does not write: ${foreign.slice(0, 5).join(', ')}${foreign.length > 5 ? `, and ${foreign.length - 5} more` : ''}. A link would make pg_restore read a file outside the backup; nothing was restored. Restore a backup the action or pg_dump -Fd made.`
    )
  }
}

/**
 * Before pg_restore reads a directory archive: every file it would open is a plain name in the
 * folder — the data files its toc.dat names (toc.ts refuses any other name as it parses) and the
 * large objects' files each blobs TOC lists ("<oid> blob_<oid>.dat" lines, which pg_restore joins
 * to the folder as they are): a crafted name ("../../.git/config") would load a file of the
 * runner into the target. Every blobs TOC in the folder is read, whatever toc.dat names: pg_restore
 * before 17 opens `blobs.toc` whatever its entry says, and any of them compressed (.gz, .zst)
 * when the plain file is missing; one compressed with lz4, which cannot be read here, is refused.
 *
 * @throws ArchiveError naming the first such name (nothing was restored).
 */
export async function checkDirectoryFiles(dir: string): Promise<Set<string>> {
  const listed = new Set<string>()
  for (const name of await readdir(dir)) {
    const m = /^(.*\.toc)(\.gz|\.zst|\.lz4)?$/.exec(name)
    if (!m || name === 'toc.dat') continue
    const refuse = (what: string): ArchiveError =>
      new ArchiveError(
        `the directory archive's ${name} ${what}: pg_restore would read a file outside the backup. Nothing was restored. Restore a backup the action or pg_dump -Fd made.`
      )
    const raw = await readFile(path.join(dir, name))
    let text: string
    try {
      text = (
        m[2] === '.gz'
          ? gunzipSync(raw)
          : m[2] === '.zst'
            ? zstdDecompressSync(raw)
            : m[2] === '.lz4'
              ? undefined
              : raw
      )?.toString('latin1') as string
    } catch {
      throw refuse('cannot be decompressed, so the large object files it names cannot be checked')
    }
    if (text === undefined)
      throw new ArchiveError(
        `the directory archive's ${name} is compressed with lz4, which the action cannot read to check the large object files it names (a crafted one could make pg_restore read a file outside the backup). Nothing was restored. Dump with --compress=gzip or zstd, or restore this archive by hand with pg_restore.`
      )
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue
      const entry = /^(\d+) (\S+)$/.exec(line.trimEnd())
      if (entry === null || !DATA_FILE_NAME.test(entry[2]))
        throw refuse(
          `names the large object file ${JSON.stringify(line.slice(0, 80))}, not a plain file name in the archive's folder (pg_dump writes "<oid> blob_<oid>.dat")`
        )
      listed.add(entry[1])
    }
  }
  return listed
}

/**
 * A directory archive's large objects that its TOC creates (a BLOB entry each before pg_dump
 * 17, BLOB METADATA lists from 17) and no blobs toc lists, when it has large-object data at all
 * (a BLOBS entry): pg_restore creates them empty without a word, as by hand. A blobs toc cut
 * at a line's end loses them (attacker a100 F1: the backup checks its own; a folder a user
 * brings is said).
 */
function warnUnlistedLargeObjects(
  toc: ArchiveToc,
  listed: ReadonlySet<string>,
  warned?: (warning: string) => void
): void {
  if (!toc.entries.some(e => e.desc === 'BLOBS')) return
  const unlisted = toc.entries
    .flatMap(e =>
      e.desc === 'BLOB'
        ? [e.tag]
        : e.desc === 'BLOB METADATA'
          ? (e.defn ?? '').split('\n').filter(o => o !== '')
          : []
    )
    .filter(oid => /^\d+$/.test(oid) && !listed.has(oid))
  if (unlisted.length === 0) return
  const warning = `the directory archive's table of contents creates ${plural(unlisted.length, 'large object')} that no blobs toc lists (OID ${unlisted.slice(0, 5).join(', ')}${unlisted.length > 5 ? ', …' : ''}): pg_restore creates ${unlisted.length === 1 ? 'it' : 'them'} empty, as it would by hand. The archive's blobs toc was cut short after pg_dump wrote it (a copy that did not finish?); if ${unlisted.length === 1 ? 'its content matters' : 'their content matters'}, restore from a whole copy of the backup.`
  log.warning(warning)
  warned?.(warning)
}

/** psql reading a script on its stdin; the gate writes the transaction (no --single-transaction). */
export function buildPsqlArgs(): string[] {
  // --echo-errors: the failed statement follows the error on stderr (STATEMENT:), so the
  // failure can name the object, as pg_restore's "Command was:" does by hand
  return ['-X', '-q', '--no-password', '--echo-errors', '-v', 'ON_ERROR_STOP=1', '-f', '-']
}

/**
 * The first failed statement psql echoed (--echo-errors) or pg_restore printed ("Command was:"),
 * as far as it names the object: its first line, cut before the first string or dollar quote
 * (where values, function bodies or options start) and at 160 characters.
 */
export function failedStatement(stderr: string): string | undefined {
  const m = /(?:\bSTATEMENT: {2}|^Command was: )(.*)$/m.exec(stderr)
  if (!m) return undefined
  let text = redactSql(m[1]).trim()
  // cut before the first string, dollar quote or number: where a row's values begin
  const value = text.search(/['$]|(?<![\w."])[-+]?\.?\d/)
  if (value >= 0) text = `${text.slice(0, value).trimEnd()} …`
  if (text.length > 160) text = `${text.slice(0, 160)}…`
  return text.length > 0 ? text : undefined
}

/** psql loading a (gated) script from a stream. */
export async function runPsql(
  psqlPath: string,
  env: Record<string, string>,
  script: Readable
): Promise<void> {
  await runLoader(psqlPath, buildPsqlArgs(), env, script)
}

/**
 * pg_restore printing an archive as an SQL script on its stdout (no database connection), for
 * restores that go through psql: `clean` runs the action's own DROP … CASCADE statements first,
 * which pg_restore --clean cannot order right for partitioned tables. The script ends only once
 * pg_restore exited 0 (else it fails), so psql never takes a part of it for the whole.
 */
export function archiveAsScript(
  pgRestorePath: string,
  options: Pick<
    LoadOptions,
    'noOwner' | 'noPrivileges' | 'noStatistics' | 'tables' | 'schemas' | 'dataOnly'
  > & {
    schemaOnly?: boolean
  },
  input: ArchiveInput,
  /** A stage the decoded archive passes on its way to pg_restore's stdin. */
  tap?: Duplex,
  /** A `-L` list: only its entries, in its order (archiveInPasses). */
  useList?: string
): { stdout: Readable; done: Promise<void> } {
  const args = ['--file=-', ...(useList ? [`--use-list=${useList}`] : [])]
  if (options.schemaOnly) args.push('--schema-only')
  // 'auto': the owners and privileges reach the gate, whose policy keeps what the target takes
  if (options.noOwner === true) args.push('--no-owner')
  if (options.noPrivileges === true) args.push('--no-privileges')
  if (options.noStatistics === true) args.push('--no-statistics')
  if (options.dataOnly === true && !options.schemaOnly) args.push('--data-only')
  for (const t of options.tables) args.push(`--table=${t}`)
  for (const n of options.schemas) args.push(`--schema=${n}`)
  if ('path' in input) args.push(input.path)
  // a zstd-compressed archive: `zstd -d` writes straight into pg_restore's stdin (startDecoded),
  // so this process carries only the compressed bytes, not the archive
  if (!('path' in input) && !tap && input.decoding.compression === 'zstd' && !options.schemaOnly)
    return explainedScript(startDecoded(pgRestorePath, args, input.file, input.decoding))
  // --schema-only needs no table data: pg_restore may close its stdin before the end
  return explainedScript(
    startChild(pgRestorePath, args, {
      stdin:
        'path' in input
          ? undefined
          : openDecoded(input.file, input.decoding, ...(tap ? [tap] : [])),
      // pg_restore may exit before the stream's end reached the digest
      feedToEnd: tap !== undefined
    })
  )
}

/**
 * archiveAsScript once per pass (`pg_restore -L` with the pass's entries, in archive order), the
 * scripts one after the other as one: each pass starts once the one before ended, and reads the
 * archive afresh (`tap` sees the first read, which runs to the archive's end). `done` fails with
 * the first pass's failure, or when the script was not read to its end.
 */
async function archiveInPasses(
  pgRestorePath: string,
  options: Parameters<typeof archiveAsScript>[1],
  input: ArchiveInput,
  passes: number[][],
  workDir: string,
  tap?: Duplex
): Promise<{ stdout: Readable; done: Promise<void> }> {
  const lists = path.join(workDir, 'passes')
  await mkdir(lists, { recursive: true })
  const files: string[] = []
  for (const [i, ids] of passes.entries()) {
    const file = path.join(lists, `${i + 1}.list`)
    await writeFile(file, listFile(ids), { mode: 0o600 })
    files.push(file)
  }
  let settle!: (error?: unknown) => void
  const done = new Promise<void>((resolve, reject) => {
    settle = (error?: unknown) => (error === undefined ? resolve() : reject(error))
  })
  done.catch(() => undefined)
  async function* scripts(): AsyncGenerator<Buffer> {
    let ended = false
    try {
      for (const [i, file] of files.entries()) {
        const script = archiveAsScript(
          pgRestorePath,
          options,
          input,
          i === 0 ? tap : undefined,
          file
        )
        try {
          for await (const chunk of script.stdout) yield chunk as Buffer
        } catch (error) {
          // its output failed with pg_restore's error: `done` says it, explained
          await script.done
          throw error
        }
        await script.done
      }
      ended = true
      settle()
    } catch (error) {
      settle(error)
      throw error
    } finally {
      if (!ended) settle(new Error("the archive's script was not read to its end"))
    }
  }
  return { stdout: Readable.from(scripts(), { objectMode: false }), done }
}

/** Runs a loader on `input` (its stdin) to its end; its statement output is discarded. */
async function runLoader(
  program: string,
  args: string[],
  env: Record<string, string>,
  input: Readable | undefined
): Promise<void> {
  const child = startChild(program, args, { env, stdin: input, stdout: 'ignore' })
  try {
    await child.done
  } catch (error) {
    if (error instanceof ChildProcessError) throw explainChildFailure(error)
    // the gate refused the script: psql was stopped inside the transaction, before COMMIT
    if (error instanceof EngineError) throw error
    // the input failed: the loader was stopped before it could commit
    throw new LoadError(
      `the backup could not be read while restoring: ${sentence((error as Error).message)}`,
      child.stderr(),
      true
    )
  }
}

function explainChildFailure(error: ChildProcessError): LoadError {
  if (error.startError) {
    return new LoadError(`could not run ${error.program}: ${error.startError.message}`, '')
  }
  return explainLoadFailure(error.program, error.code, error.signal, error.stderr)
}

/** The error of the script gate's check of the settings (script-gate.ts settingsCheck). */
const SETTINGS_CHANGED =
  /the script changed standard_conforming_strings or client_encoding at run time \(now (on|off), ([A-Za-z0-9_]+)\)/

/** The gate's settings check failed before the script set either with a SET: most likely the session began so. */
const SETTINGS_AT_START =
  /the session reads with standard_conforming_strings (on|off) and client_encoding ([A-Za-z0-9_]+), which the script did not set with a SET statement/

/** The loader's failure as one message, with the fix where the error is a known one. */
export function explainLoadFailure(
  program: string,
  code: number | null,
  signal: NodeJS.Signals | null,
  stderr: string,
  /** The archive entry psql failed in: named instead of the failed statement. */
  entry?: string,
  /** Whether the backup creates a relation (its TOC's entries): a left-out one is said so. */
  inBackup?: (name: string) => boolean
): LoadError {
  const name = program.split(/[\\/]/).pop()
  // no session for the loader (a pool of one or two server connections, max_client_conn): that
  // cause first, with the sessions the action held itself (trial u26 F1)
  const limited = connectionLimitFailure(name ?? program, stderr, { sessions: ownSessionCount() })
  if (limited) return new LoadError(limited, stderr, false, { program, code, signal })
  // PgBouncer refuses the `options` startup parameter (its ignore_startup_parameters aside):
  // the action sends none of its own (loaderSettings), so it is database-url's — by hand the
  // same login fails; said, not taken for a failure of the backup (trial u45 F2)
  if (/unsupported startup parameter:?\s*"?options/i.test(stderr))
    return new LoadError(
      `${name ?? program} could not open its session: the connection pooler refuses the startup parameter "options" (${lastLines(stderr).join(' | ')}), which database-url's options parameter (-c settings) sends, as psql or pg_restore by hand would. Nothing was restored. Remove options from database-url, use the database's direct URL (its own host and port, not the pooler's), or let the pooler pass it on (PgBouncer: ignore_startup_parameters = options).`,
      stderr,
      false,
      { program, code, signal },
      'setting',
      'databaseUrl'
    )
  // pg_restore --jobs: the leader's line after a worker's error says nothing of it
  const reported = reportedLines(stderr).filter(l => !/a worker process died unexpectedly/.test(l))
  const statement = failedStatement(stderr)
  // clean-drop-dependents' own block: PostgreSQL's error and DETAIL, without the block's HINT
  // mark, its PL/pgSQL CONTEXT and its DO statement (trial u47 F2: they read as the backup's code)
  const ownBlock = stderr.includes(recreateBroken())
  const shown = ownBlock
    ? reported.filter(l => !l.startsWith('HINT:') && !l.startsWith('CONTEXT:'))
    : reported
  // the part refused, as its block named it (attacker a79 F1: the message named none)
  const part = ownBlock ? recreatedStatement(stderr) : undefined
  const detail =
    (shown.length > 0 ? shown : lastLines(stderr)).join(' | ') +
    (part
      ? ` (the target's own part, created again: \`${quoteSql(part, 200)}\`)`
      : entry
        ? ` (in the archive's entry ${entry})`
        : statement && !ownBlock
          ? ` (failed statement: ${statement})`
          : '')
  const errors = reported.filter(l => !/^(DETAIL|HINT|CONTEXT):/.test(l)).join('\n')
  const context = reported.filter(l => l.startsWith('CONTEXT:')).join('\n')
  let hint = ''
  const switched = SETTINGS_CHANGED.exec(stderr)
  const atStart = SETTINGS_AT_START.exec(stderr)
  if (atStart) {
    // not the script's doing: the connection's (attacker a65 F2)
    return new LoadError(
      `The restore stopped before the script's first statement that reads otherwise in this session, and nothing was kept: the session reads with standard_conforming_strings ${atStart[1]} and client_encoding ${atStart[2]}, which the script did not set with a SET statement (pg_dump's scripts begin with SET client_encoding and SET standard_conforming_strings; this one does not). psql by hand would read its string literals so, where a backslash or quote byte inside a character can end a literal early and turn the rest into a psql meta-command or another statement; the restore reads the script only as UTF8 with standard_conforming_strings on. Most likely the target's sessions start so: database-url's options (-c client_encoding=…, -c standard_conforming_strings=…) or its client_encoding parameter, or the role's or database's own setting (ALTER ROLE … SET / ALTER DATABASE … SET; see SELECT * FROM pg_db_role_setting) — remove it there (e.g. ALTER ROLE <role> RESET client_encoding;), or put SET client_encoding = 'UTF8'; and SET standard_conforming_strings = on; at the top of the script (if its text is UTF8), then restore again. (Else something the script ran changed it: set_config or EXECUTE in a function of the backup, a trigger.)`,

      stderr,
      false,
      { program, code, signal },
      'setting',
      'databaseUrl'
    )
  }
  if (switched) {
    hint = ` The script changed standard_conforming_strings or client_encoding while it ran (now ${switched[1]}, ${switched[2]}) where no statement of it shows the change (set_config() or EXECUTE in a function of the backup, a trigger, ROLLBACK TO undoing a SET): psql and the server would have read the next statement otherwise than the script gate read it (a string literal can turn into a psql meta-command or a hidden statement), so the restore stopped before it. Psql by hand would run what the switch made of the script: restore the backup only after removing what switches the setting (or set it with a plain SET statement, which the gate follows).`
  } else if (/unsupported version \([\d.]+\) in file header/.test(stderr)) {
    hint =
      ' The archive has a newer format than this pg_restore reads (pg_restore reads an archive by its format version, not by the pg_dump that wrote it): use a newer client (inputs postgres-version or pg-bin-dir).'
  } else if (/role "[^"]+" does not exist/.test(errors)) {
    const role = /role "([^"]+)" does not exist/.exec(errors)![1]
    hint = ` The backup names the role "${role}", which the target lacks: restore with 'create-roles: true' from a backup made with 'globals: true' (it creates the backup's roles first), or create the role in the target (CREATE ROLE "${role.replace(/"/g, `""`)}" NOLOGIN;), then restore again.`
  } else if (/unrecognized configuration parameter "transaction_timeout"/.test(errors)) {
    hint =
      ' pg_restore 17 and newer send it to every server, and servers before 17 reject it; the action drops it from every script psql loads: dump with the server’s own major.'
  } else if (/invalid command \\(un)?restrict/.test(errors)) {
    hint =
      ' The dump carries \\restrict lines from a newer pg_dump that this psql does not know: use a newer psql (postgres-version or pg-bin-dir).'
  } else if (
    / does not exist/.test(errors) &&
    statement !== undefined &&
    /^(?:DROP |ALTER TABLE (?:ONLY )?\S+ DROP CONSTRAINT |ALTER TABLE (?:ONLY )?\S+ ALTER COLUMN \S+ DROP DEFAULT|SELECT pg_catalog\.lo_unlink\()/.test(
      statement
    ) &&
    !/\bIF EXISTS\b/.test(statement)
  ) {
    // pg_dump --clean without --if-exists: its drops fail where the target lacks the object
    // (attacker a106 F10: a genuine script into an empty database, no advice)
    hint =
      ' The backup drops what it creates before creating it (pg_dump --clean writes a DROP before each CREATE) without --if-exists, so each DROP fails where the target lacks the object — into an empty database, the first one. psql -f by hand goes past such errors only without ON_ERROR_STOP, and past every other error too, keeping a half restore. Make the dump with pg_dump --clean --if-exists (or without --clean), or restore it into the database it drops from with clean: true.'
  } else if (alreadyExists(errors)) {
    hint =
      " Objects of the backup already exist in the target: set 'clean: true' to drop them first (or restore into an empty database)."
  } else if (ownBlock) {
    // clean-drop-dependents' part of a table that stays, created again over the restored rows
    // (trial u46: it went missing, the restore committed and exit code 0); this run's own block
    // only (attacker a75 F2: a backup's RAISE of the same text)
    hint = !/violat|could not create unique index|no unique constraint matching/i.test(errors)
      ? // any other part, refused in the restore's transaction (attacker a78 F1–F3)
        ` The object PostgreSQL's error is about is the target's own (a trigger, policy, rule, index, key, check or default of a table or domain the backup does not replace, or a view or materialized view over what it replaces): clean-drop-dependents dropped it with what clean replaced and created it again after the load, as the target had it, and PostgreSQL refused it — most often for a privilege the restoring role lacks (owning the table, to set a trigger's enabled state or comment; EXECUTE on a trigger's function; USAGE on a schema a view reads), or because what it uses is not what the backup restores (a function of other arguments, a column it lacks). The restore does not drop it for good on its own. Give the restoring role what it lacks (or restore as the table's owner), or drop the object yourself first if it is to go — its definition is in the log before the load ("as the target has them") — then restore again.`
      : ` The constraint or index PostgreSQL names is the target's own, on a table (or domain) the backup does not replace: clean-drop-dependents dropped it with what clean replaced and created it again after the load, and PostgreSQL refused it — most often a foreign key onto rows added after the backup (rows of the table that stays refer to them), a unique key or index that the restored rows or function no longer keep, a check that the restored function no longer passes for the rows the target has, or, with tables, a foreign key onto a table restored without its keys (pg_restore --table brings a table without them: "there is no unique constraint matching given keys"). The restore does not leave such a constraint out on its own. Mend those rows of the table that stays first (delete or change the ones that refer to rows the backup does not hold), restore the table with its keys (its schema whole, without tables), or drop the constraint or index yourself if it is to go (ALTER TABLE … DROP CONSTRAINT …, ALTER DOMAIN … DROP CONSTRAINT …, DROP INDEX …), then restore again.`
  } else if (/duplicate key value violates unique constraint "pg_\w+_index"/.test(errors)) {
    // a system catalog's unique index: another session created an object of the same name while
    // this one ran (trial u35 F4: two restores at once into one database, the one that lost
    // blamed the backup's rows)
    hint =
      " Another session created an object of the same name while the restore ran (a system catalog's unique index, not the backup's rows): a second restore or a migration running into this database at the same time? Let it finish, then restore again (into an empty database, or with clean)."
  } else if (/duplicate key value violates unique constraint/.test(errors)) {
    hint =
      " The rows the backup loads break a unique key: the table held such rows before the restore, the target has a unique key or index the backup's table did not have (one a migration added since: the restore loads into the target's table, with its keys, in a data-only restore), or the backup holds duplicate rows itself. Compare the table's keys in the target with the backup's (pg_restore --schema-only -t <table> -f - of the backup), and check the table in the target (pg_restore or psql by hand fails the same way)."
  } else if (/ does not exist/.test(errors) && /^CONTEXT: {2}COPY /m.test(context)) {
    // on restore day the source may be gone: how to load this backup all the same (trial u49 F3, F6)
    const fn = /(?:SQL|PL\/pgSQL) function "?([^"\s(]+)/.exec(context)?.[1] ?? '<the function>'
    hint = ` The error comes from the backup itself, while its data was copied (a CHECK constraint, default or trigger whose function names an object without its schema: pg_dump restores with an empty search_path): this backup fails to load into any database, as pg_restore or psql by hand shows (the backup warns of such functions). For the next backups: qualify the names in that function (schema.table) or give it a search_path (ALTER FUNCTION … SET search_path = public), then back up again. To load this one all the same: ${
      entry === undefined
        ? `a plain SQL script can be mended in the file — add SET search_path = public (the schemas it names) to the CREATE FUNCTION of ${fn}, or qualify the names in its body there — and the edited file restored;`
        : `by hand, in three steps (see Restoring by hand in the README for the file's unpacking): pg_restore --section=pre-data -d TARGET FILE; then in TARGET ALTER FUNCTION ${fn} SET search_path = public (the schemas it names); then pg_restore --section=data --section=post-data -d TARGET FILE;`
    } if the function reads another table, load that table's data first (pg_restore --section=data --table=… before the rest, or its COPY block first in a script).`
  } else if (entry && inBackup && leftOutRelation(errors, context, entry, inBackup)) {
    hint = leftOutHint(leftOutRelation(errors, context, entry, inBackup)!, entry)
  } else if (/invalid byte sequence for encoding "[^"]+"/.test(errors)) {
    const encoding = /invalid byte sequence for encoding "([^"]+)"/.exec(errors)![1]
    hint = ` The file's text is not ${encoding}, the client encoding it was read in: it was written in another one (LATIN1 or WIN1252 for many older dumps) without a SET client_encoding line that says so, or with a wrong one. Put SET client_encoding = 'LATIN1'; (or the file's real encoding) as its first line, or change its SET client_encoding line to it; or convert the file to UTF-8 (iconv -f LATIN1 -t UTF-8 FILE > FILE.utf8.sql) and restore that. psql by hand fails the same way.`
  } else if (/query would be affected by row-level security policy for table /.test(errors)) {
    hint = rowSecurityHint(errors, entry)
  } else if (/permission denied for sequence /.test(errors)) {
    hint = sequenceHint(errors, stderr)
  } else if (ownerChangeDenied(stderr)) {
    const { schema, role } = ownerChangeDenied(stderr)!
    const lacks = ` The statement gives an object of the schema ${schema} to the role ${role}, and PostgreSQL lets a role own an object only where it may create one: ${role} lacks CREATE on ${schema} in the target (the backup's own GRANTs on the schema come later, with its privileges).`
    // a role every API request runs as: CREATE for it would let any visitor create objects
    // there (attacker a46: the advice was to grant it)
    hint = API_ROLES.has(role)
      ? `${lacks} ${role} is the role of ${role === 'authenticated' ? 'every signed-in' : 'every anonymous'} API request (Supabase, PostgREST): do not grant it CREATE, which would let any of them create objects in ${schema}. Restore with 'no-owner: true' (everything then belongs to the restoring role), then grant ${role} what it needs on the objects. pg_restore --single-transaction by hand fails the same way.`
      : `${lacks} Have the schema's owner run GRANT CREATE ON SCHEMA ${quoteIdent(schema)} TO ${role}; first, or restore with 'no-owner: true' (everything then belongs to the restoring role), then restore again. pg_restore --single-transaction by hand fails the same way.`
  } else {
    hint = privilegeHint(errors, reported.join('\n'))
    // a GRANT or REVOKE the role may not run (the backup's REVOKE on a pg_catalog function:
    // attacker a55): no-privileges leaves them all out, as pg_restore --no-privileges
    if (
      hint &&
      ((entry !== undefined && /^(?:DEFAULT )?ACL /.test(entry)) ||
        /(?:Command was|STATEMENT): +(?:GRANT|REVOKE|ALTER DEFAULT PRIVILEGES)\b/.test(stderr))
    )
      hint +=
        " The statement is a GRANT or REVOKE: 'no-privileges: true' leaves out every GRANT and REVOKE of the backup (pg_restore --no-privileges by hand), and the restore then gives the objects the target's default privileges."
  }
  const how = signal ? `was killed by ${signal}` : `exited with code ${code}`
  // a killed child may have said nothing (attacker a36 A5: "killed by SIGTERM: .")
  const said = detail.trim()
    ? `: ${detail}${/[.!?]$/.test(detail) ? '' : '.'}`
    : signal
      ? ', saying nothing (stopped from outside the run).'
      : ', saying nothing.'
  // what was cut is said, with where to read it (trial u63 F1: "Failing row contains (…)." with
  // no word of why, and the user could not tell which email clashed)
  const withheld = detail.includes('…')
    ? WITHHELD_VALUES +
      (/\bKey \(/.test(detail)
        ? " To read them, run pg_restore or psql by hand with the backup on your own machine, or look the row up in the target by the key's columns the message names.)"
        : ' To read them, run pg_restore or psql by hand with the backup on your own machine (into a scratch database).)')
    : ''
  return new LoadError(`${name} ${how}${said}${hint}${withheld}`, stderr, false, {
    program,
    code,
    signal
  })
}

/** Said after a failure's text that holds "…": what it stands for, and where to read it. */
export const WITHHELD_VALUES =
  " (\"…\" stands for what the log withholds: a row's values — a key's, the failing row's, a statement's literals — which a workflow's log shows to anyone who may read the repository's Actions runs."

/**
 * What an archive's entry needs and the backup does not have (`relation "public.skus" does not
 * exist` in a FK CONSTRAINT entry; `schema "util" does not exist` in a TABLE entry whose default
 * calls util.code(); `type "public.addr" does not exist`, a left-out table's row type;
 * `function public.f() does not exist`): a backup made with exclude-tables, exclude-schemas,
 * schemas or tables, or as a role that could not read it (u49 F4, attacker a81 F10). As
 * `schema X`, `type X`, `function X(args)` or the relation's bare `X`. Undefined for any other
 * error, or for what the backup has (a subset restore's: subsetHint).
 */
function leftOutRelation(
  errors: string,
  context: string,
  entry: string,
  inBackup: (name: string) => boolean
): string | undefined {
  if (
    !/^(?:FK CONSTRAINT|VIEW|MATERIALIZED VIEW|TABLE ATTACH|TABLE|FOREIGN TABLE|RULE|DEFAULT|CONSTRAINT|CHECK CONSTRAINT|INDEX|INDEX ATTACH|TRIGGER|POLICY|FUNCTION|PROCEDURE|AGGREGATE|DOMAIN|TYPE|OPERATOR|SEQUENCE) /.test(
      entry
    )
  )
    return
  if (/^CONTEXT: {2}COPY /m.test(context)) return
  const relation = /relation "([^"]+)" does not exist/.exec(errors)?.[1]
  if (relation) return !inBackup(relation) ? relation : undefined
  // exclude-schemas: pg_dump writes the name qualified, so the schema is what is missing
  const schema = /schema "([^"]+)" does not exist/.exec(errors)?.[1]
  if (schema) return !inBackup(`schema ${schema}`) ? `schema ${schema}` : undefined
  // a left-out table's row type (a column of that type)
  const type = /type "([^"]+)" does not exist/.exec(errors)?.[1]
  if (type) return !inBackup(`type ${type}`) ? `type ${type}` : undefined
  // a backup made with tables: pg_dump --table dumps no function
  const routine = /\bfunction ([^\s(]+\([^)]*\)) does not exist/.exec(errors)?.[1]
  return routine && !inBackup(`function ${routine}`) ? `function ${routine}` : undefined
}

/** The last sentences of {@link leftOutHint}: for a function, and for the rest. */
const LEFT_OUT_WARNED = [
  ' The backup step does not warn of this when made with tables or schemas (they leave out all else by design); it does when exclude-schemas leaves the function out.',
  ' The backup step warns of this when exclude-tables or exclude-schemas leave out what the backup keeps needs (not when tables or schemas alone leave it out: they leave out all else by design).'
] as const

/**
 * A load failure's message without {@link leftOutHint}'s text: for a cause found otherwise (an
 * extension the restore left out, whose function or type the failed entry needs: trial u63 F2,
 * where the hint blamed a backup "made with tables" and said to create the function "from
 * elsewhere"). `at` receives where the hint was (-1: none).
 */
export function withoutLeftOutHint(message: string): { message: string; at: number } {
  const at = message.indexOf(' The backup left ')
  if (at < 0) return { message, at }
  for (const warned of LEFT_OUT_WARNED) {
    const end = message.indexOf(warned, at)
    if (end >= 0) return { message: message.slice(0, at) + message.slice(end + warned.length), at }
  }
  return { message, at: -1 }
}

/** What to do about what the backup left out (leftOutRelation) that `entry` needs. */
function leftOutHint(missing: string, entry: string): string {
  const key = entry.startsWith('FK CONSTRAINT ')
  const what = key ? 'that constraint' : 'that entry'
  const kind = /^(schema|type|function) /.exec(missing)?.[1] ?? 'relation'
  const name = kind === 'relation' ? missing : missing.slice(kind.length + 1)
  // what the backup step warns of (left-out.ts): not what a tables selection leaves out
  const warned = kind === 'function' ? LEFT_OUT_WARNED[0] : LEFT_OUT_WARNED[1]
  const why = {
    schema: `the backup has no schema ${name}: it was made with exclude-schemas, or with schemas that leave it out, or as a role that could not use it`,
    relation: `the backup has no table, view or sequence ${name}: it was made with exclude-tables or exclude-schemas, or as a role that could not read it`,
    type: `the backup has no type, domain or table ${name}, whose row type it would be: it was made with exclude-tables or exclude-schemas`,
    function: `the backup has no function ${name}: it was made with tables (which leaves out all but the tables), schemas or exclude-schemas`
  }[kind]!
  const create = {
    schema: `CREATE SCHEMA ${quoteIdent(name)}; and what ${entry} uses in it — a function, type, domain, sequence, or a table with its rows — from elsewhere: the source, an older backup`,
    relation: `${name}: its definition, and a table's rows, from elsewhere — the source, an older backup; or empty${key ? ', if no row refers to it' : ''}`,
    type: `${name}: the table (or type) of that name, from elsewhere — the source, an older backup; a column of its row type needs no row of it`,
    function: `${name}, from elsewhere — the source, an older backup`
  }[kind]!
  return ` The backup left ${kind === 'relation' ? name : missing} out (${why}), and the backup's entry ${entry} needs it: this backup does not restore in one transaction into a database without it. Create it in the target first (${create}), then restore again; or restore with single-transaction: false, which loads everything but ${what} (as pg_restore or psql by hand does; the step still fails, and restoring again needs clean), then ${key ? 'add the constraint' : 'create it'} by hand once ${kind === 'relation' ? name : 'that'} is there. Back up with it (or without what needs it) from now on.${warned}`
}

/**
 * A table with row-level security that the restoring role is subject to (not its owner, or FORCE
 * ROW LEVEL SECURITY; no BYPASSRLS): pg_restore and psql load with row_security = off, under which
 * the server refuses even an empty COPY into it (a managed service's own table, storage.objects).
 */
export function rowSecurityHint(errors: string, entry?: string): string {
  const table =
    (entry && /^TABLE DATA (.+)$/.exec(entry)?.[1]) ??
    /row-level security policy for table "([^"]+)"/.exec(errors)?.[1] ??
    'the table'
  return ` The table ${table} has row-level security that applies to the restoring role (it is not the table's owner, or the table has FORCE ROW LEVEL SECURITY), and the role lacks BYPASSRLS: a restore loads with row_security off, as pg_restore does, and the server refuses any COPY into such a table then, even of no rows. If the restoring role owns ${table}, lift FORCE for the restore (ALTER TABLE ${table} NO FORCE ROW LEVEL SECURITY, as its owner; FORCE ROW LEVEL SECURITY after it, as the server's HINT says) and restore again; else restore as a role with BYPASSRLS (ALTER ROLE … BYPASSRLS as a superuser; on a managed service, its own admin role), or leave the table out: back up without its schema (exclude-schemas on the backup step, e.g. a provider's storage) or restore only your own schemas ('schemas').`
}

/**
 * The fix for a privilege the restoring role lacks, by the kind of error (the owner of the object
 * in the target is added by the restore, which can ask the target: see ownerInTarget).
 */
export function privilegeHint(errors: string, reported = errors): string {
  const extension = /permission denied to create extension "([^"]+)"/.exec(errors)
  if (extension) {
    const who = /Must have CREATE privilege on current database/.test(reported)
      ? `The restoring role may create the trusted extension "${extension[1]}" only with CREATE on the database (GRANT CREATE ON DATABASE … as its owner)`
      : `Only a superuser may create the extension "${extension[1]}" in the target`
    return ` ${who}: enable ${extension[1]} there first (${enableExtension(extension[1])}), then restore again.`
  }
  const owner = ownerError(errors)
  if (owner)
    return ` Only the owner of the ${owner.kind} ${owner.name} (or a superuser) may do this, and the restoring role cannot act as it.`
  const database = /permission denied for database (.+?)\s*$/m.exec(errors)
  if (database)
    return ` The restoring role may not create schemas (nor publications) in the database ${database[1]}: it lacks CREATE on it. Grant it (GRANT CREATE ON DATABASE ${quoteIdent(database[1])} TO <role>; as the database's owner), restore as the database's owner, or create the backup's schemas first (CREATE SCHEMA … AUTHORIZATION <role>) and restore with allow-non-empty: true.`
  const schema = /permission denied for schema (.+?)\s*$/m.exec(errors)
  if (schema)
    return ` The restoring role may not create objects in the schema ${schema[1]} of the target (it lacks CREATE on it).`
  if (/permission denied to (?:create|change owner of) event trigger/.test(errors))
    return ' Only a superuser may create or own an event trigger: restore as a superuser, or leave the event trigger out of the backup (on a managed service the provider manages its own).'
  const wrapper = /permission denied for foreign-data wrapper (.+?)\s*$/m.exec(errors)
  if (wrapper)
    return ` The restoring role lacks USAGE on the foreign-data wrapper ${wrapper[1]} of the target, which the backup's foreign server needs: have its owner grant it (GRANT USAGE ON FOREIGN DATA WRAPPER ${quoteIdent(wrapper[1])} TO <the restoring role>; on a managed service, as its admin role), or restore as a role that has it, then restore again. No input of a restore leaves out a foreign server or its user mappings (they belong to no schema), and a backup cannot leave them out either (exclude-tables of a foreign table keeps its server).`
  // pg_dump --data-only --disable-triggers: its ALTER TABLE … DISABLE TRIGGER ALL reaches the
  // foreign keys' own triggers, which only a superuser may switch off (trial u27 F3)
  if (/permission denied: "[^"]*" is a system trigger/.test(errors))
    return " The backup was made with pg_dump --disable-triggers: its ALTER TABLE … DISABLE TRIGGER ALL also reaches the foreign keys' own (system) triggers, which only a superuser may switch off. Dump again without --disable-triggers (the restore switches off the target's own triggers on the tables it fills while their rows load, where the restoring role owns them), or restore as a superuser. psql by hand fails the same way."
  if (/permission denied|must be superuser|must be member of role/.test(errors))
    return " The restoring role lacks a privilege this statement needs: restore as a role that has it, or have the object's owner grant it (on a managed service, its admin role); or restore without the object: an archive's restore loads only the schemas or tables given in 'schemas' or 'tables' (exclude-schemas and exclude-tables apply to a backup only)."
  return ''
}

/**
 * "permission denied for sequence S": the backup's setval of a sequence the restoring role may
 * not update (one of the target's own, as in a schema a DBA made: trial u31 F3), with the GRANT
 * that lets it — the sequence as the one echoed statement wrote it (a backup's own message
 * cannot add a second), else as the server named it.
 */
function sequenceHint(errors: string, stderr: string): string {
  const name = /permission denied for sequence (.+?)\s*$/m.exec(errors)?.[1] ?? ''
  const statements = [...stderr.matchAll(/(?:\bSTATEMENT: {2}|^Command was: )(.*)$/gm)]
  const written =
    statements.length === 1
      ? /^SELECT pg_catalog\.setval\('((?:[^'\\]|'')+)', /.exec(statements[0][1])?.[1]
      : undefined
  const sequence = written?.replaceAll("''", "'") ?? quoteIdent(name)
  return ` The restoring role may not set the sequence ${name} of the target (setval needs UPDATE on it; a sequence it does not own, as in a schema a DBA made): have its owner run GRANT UPDATE ON SEQUENCE ${sequence} TO <the restoring role>; then restore again, or restore as a role that may. pg_restore by hand fails the same way.`
}

/** Roles API requests run as (Supabase's anon and authenticated, PostgREST's usual web_anon). */
const API_ROLES = new Set(['anon', 'authenticated', 'web_anon'])

/**
 * "permission denied for schema S" of an `ALTER … OWNER TO r` statement (psql --echo-errors'
 * STATEMENT, pg_restore's "Command was"): the new owner r lacks CREATE on S (ALTER … OWNER TO
 * requires it of the new owner, not of the role that runs it: trial u29 F1). The schema as the
 * server printed it, the role as the statement wrote it; undefined otherwise.
 */
export function ownerChangeDenied(stderr: string): { schema: string; role: string } | undefined {
  const schema = /permission denied for schema (.+?)\s*$/m.exec(stderr)
  // the failed statement as psql or pg_restore echoed it: the one such line of the output, or
  // none — an error message of the backup's own (RAISE) can hold a line that looks like one
  // (re-attack a45 F1: a forged "Command was: ALTER … OWNER TO PUBLIC" drew advice to GRANT
  // CREATE ON SCHEMA public TO PUBLIC); with the real one after it, there are two
  const statements = [...stderr.matchAll(/(?:\bSTATEMENT: {2}|^Command was: )(.*)$/gm)]
  if (!schema || statements.length !== 1) return undefined
  const role = /^ALTER\b.*\bOWNER\s+TO\s+("(?:[^"]|"")+"|[A-Za-z_][\w$]*)\s*;?\s*$/i.exec(
    statements[0][1]
  )?.[1]
  // a role as SQL names it, unquoted; never the pseudo-role PUBLIC nor CURRENT_USER & co.
  const name = role?.startsWith('"') ? role.slice(1, -1).replaceAll('""', '"') : role?.toLowerCase()
  if (
    name === undefined ||
    (!role!.startsWith('"') &&
      ['public', 'current_user', 'current_role', 'session_user'].includes(name))
  )
    return undefined
  return { schema: schema[1], role: quoteIdent(name) }
}

/** The kinds of object PostgreSQL's "must be owner of <kind> <name>" names (aclchk.c). */
const OWNED_KINDS =
  'table|relation|view|materialized view|sequence|index|foreign table|function|procedure|routine|aggregate|schema|extension|type|domain|collation|conversion|language|large object|operator|operator class|operator family|event trigger|publication|subscription|foreign-data wrapper|foreign server|statistics object|text search configuration|text search dictionary|tablespace|database|policy|rule|trigger'

/**
 * "must be owner of <kind> <name>" at a line's end: the kind, and the name as the server printed
 * it (unquoted: it may hold spaces, which end it nowhere), or null.
 */
export function ownerError(errors: string): { kind: string; name: string } | null {
  const m = new RegExp(String.raw`must be owner of (${OWNED_KINDS}) (.+?)\s*$`, 'm').exec(errors)
  return m ? { kind: m[1], name: m[2] } : null
}

/**
 * An error about an object that exists ("relation "t" already exists"), not a row whose key does
 * (that DETAIL says "Key (id)=(3) already exists." of the backup's own rows).
 */
export function alreadyExists(errors: string): boolean {
  return /(?:ERROR|error):.*\balready exists\b/.test(errors)
}

/**
 * A subset restore (tables/schemas) that failed on an object it left out: pg_restore -n does not
 * restore the schema's own entry, and a foreign key or view of the selection can name a table
 * outside it (pg_restore by hand fails the same way).
 */
export function subsetHint(
  stderr: string,
  options: Pick<LoadOptions, 'tables' | 'schemas'>
): string {
  if (options.tables.length === 0 && options.schemas.length === 0) return ''
  const errors = stderr
    .split('\n')
    .filter(l => /ERROR: /.test(l))
    .join('\n')
  // with tables (a schema given too, or with a table as public."x": that schema's table only) the
  // selection is the tables' (trial u28 F2: a qualified table was told to add its schema)
  const given = options.tables.length > 0 ? 'tables' : 'schemas'
  if (/schema "[^"]*" does not exist/.test(errors))
    return ` The ${given} selection leaves out the schema's own entry (pg_restore restores the selected objects, not the schema that holds them): create the schema in the target first, with the privileges the backup gives it (a schema created by hand has none of them, and the restore does not bring them; pg_restore -f - <archive> | grep 'ON SCHEMA' shows the backup's GRANTs on it, to run after the CREATE SCHEMA), or restore the whole backup.${given === 'tables' ? " A table restored alone also needs what its columns use (types, domains, extensions, sequences), which 'tables' does not bring either: restoring its whole schema with 'schemas' brings its types and domains." : ''}`
  // a column's type, a domain, an extension's type or a default's function of another schema
  // (trial u24 F3: "type "app.email" does not exist" with no word of why)
  const used = /(?:type|function) "?([^"\s(]+)"?(?:\([^)]*\))? does not exist/.exec(errors)
  // of a schema the selection restores already: not a schema to add, an extension's (u32 F3:
  // "add its schema to 'schemas'" for public.citext with schemas: public)
  const usedSchema = used && /^([^.]+)\./.exec(used[1])?.[1]
  if (used && usedSchema && given === 'schemas' && options.schemas.includes(usedSchema))
    return ` ${used[1]} is in schema ${usedSchema}, which the selection restores, and is not in the backup's entries for it: an extension's type or function, most likely (an extension is no schema's object: neither 'schemas' nor pg_restore --schema restores it). Create the extension in the target first (CREATE EXTENSION …), or restore the whole backup.`
  if (used)
    return ` The ${given} selection restores ${given === 'tables' ? 'the named tables' : 'the named schemas'} only, not what ${given === 'tables' ? 'they use' : 'their objects use'} elsewhere (${used[1]}: a type, domain, an extension's type or a function; pg_restore --${given === 'tables' ? 'table' : 'schema'} does the same): create it in the target first (its extension: CREATE EXTENSION), ${given === 'tables' ? "restore its schema with 'schemas', " : "add its schema to 'schemas', "}or restore the whole backup.`
  // a row whose foreign key names a table the selection leaves out, which the target holds
  // empty (a new Supabase project's auth.users with schemas: public: trial u44 F2)
  const key = /violates foreign key constraint "([^"]+)"/.exec(errors)
  if (key) {
    const table = /is not present in table "([^"]+)"/.exec(stderr)?.[1]
    const add = given === 'schemas' ? `add its schema to 'schemas'` : `add it to 'tables'`
    return ` The ${given} selection restores ${given === 'tables' ? 'the named tables' : 'the named schemas'} only: most likely the foreign key ${key[1]} references ${table ? `table "${table}"` : 'a table'}, which the selection leaves out, and the target's holds none of the rows it needs (pg_restore --${given === 'tables' ? 'table' : 'schema'} fails the same way): ${add}${table === 'users' && given === 'schemas' ? ` (Supabase's auth.users: schemas: ${[...options.schemas, 'auth'].join(',')})` : ''}, or restore the whole backup.`
  }
  if (/relation "[^"]*" does not exist/.test(errors) && !/^CONTEXT: {2}COPY /m.test(stderr))
    return ` The ${given} selection leaves out a table that a restored object (a foreign key, view or index) refers to: add that table to 'tables' (its schema to 'schemas'), or restore the whole backup.`
  return ''
}

/**
 * The loader ended on a statement error, its connection intact: the server rolled the one
 * transaction back even if its COMMIT had been sent. psql with ON_ERROR_STOP exits with 3 at the
 * first failing statement (an error at the COMMIT itself, a deferred constraint, included; a lost
 * connection is 2); pg_restore -d exits with 1 after the server's ERROR. A signal, or a
 * connection lost, leaves the COMMIT's fate unknown.
 */
export function endedOnStatementError(error: LoadError): boolean {
  const exit = error.exit
  if (!exit || exit.signal || error.inputFailed) return false
  if (CONNECTION_LOST.test(error.stderr)) return false
  if (/(?:^|[\\/])psql$/.test(exit.program)) return exit.code === 3
  return exit.code === 1 && /\bERROR: /.test(error.stderr)
}

/**
 * pg_restore -d stopped on a command before its COMMIT, its connection lost there (a server
 * restart, pg_terminate_backend): with --single-transaction and --exit-on-error it sends COMMIT
 * last and exits at the first failure, so a failure that names another command ("Command was:
 * ALTER TABLE …", a COPY's PQputCopyData) never let it send one — the server rolled the
 * transaction back (attacker a58 F2: "may have committed" of a target left as it was). A
 * failure at the COMMIT itself ("could not commit", "Command was: COMMIT") stays unknown.
 */
export function failedBeforeCommit(error: LoadError): boolean {
  const exit = error.exit
  if (!exit || exit.signal || error.inputFailed || exit.code !== 1) return false
  if (!/(?:^|[\\/])pg_restore$/.test(exit.program)) return false
  if (/could not commit|Command was: COMMIT\b/i.test(error.stderr)) return false
  return /^pg_restore: error: (?:could not execute query|query failed|error returned by PQputCopy(?:Data|End))/m.test(
    error.stderr
  )
}

/**
 * The loader never had a session on the server, before any statement of it ran: libpq's
 * "connection to server at … failed: FATAL: …" (no client slot: max_connections, CONNECTION
 * LIMIT, a pooler's max_client_conn), or a pooler's refusal of its first query (PgBouncer
 * authenticates the client itself, then queues its first query for a server connection:
 * "query failed: FATAL:  query_wait_timeout" on pg_restore's SET of search_path — in session mode
 * a client that once had a server connection keeps it). No transaction began, nothing of the
 * restore reached the target, whatever of its input had been released (trial u26 F1).
 */
export function neverConnected(error: Pick<LoadError, 'exit' | 'stderr'>): boolean {
  const exit = error.exit
  if (!exit || exit.signal) return false
  if (
    /\b(?:ERROR|WARNING|NOTICE): |^pg_restore: (?:processing|creating|executing) /m.test(
      error.stderr
    )
  )
    return false
  return CONNECT_FAILED.test(error.stderr) || connectionLimit(error.stderr) !== undefined
}

/** libpq's words for a session that could not be opened. */
const CONNECT_FAILED =
  /connection to server (?:at |on socket ).*failed|could not connect to (?:the )?server/

/** libpq's words for a connection that ended under a running statement. */
const CONNECTION_LOST =
  /server closed the connection unexpectedly|connection to server (?:was lost|.* failed)|no connection to the server|could not receive data from server|could not send data to server|terminating connection/

/** What the restore adds to a load failure: what is left of it in the target. */
export function afterLoadFailure(
  options: Pick<LoadOptions, 'singleTransaction' | 'jobs'>,
  /** The loader's stderr: clean is advised only where an object already exists. */
  stderr?: string,
  /** The one transaction's end (commitOutcome): 'unknown' once its COMMIT was sent and not refused. */
  outcome: 'rolled-back' | 'committed' | 'unknown' = 'rolled-back'
): string {
  if (options.singleTransaction && outcome === 'committed')
    return "The loader ended after the restore's COMMIT was sent, and the server committed it (its transaction's status, asked once its session ended): the target holds the restored data; the checks after the load did not run."
  if (options.singleTransaction && outcome === 'unknown')
    return "The loader ended after the restore's COMMIT was sent, without the server's answer: the server may have committed it, so the target may hold the restored data. Look at it before restoring again."
  if (options.singleTransaction)
    return 'Nothing was kept: the restore ran in one transaction, which was rolled back.'
  const stays = `The restore ran without a single transaction (${options.jobs > 1 ? `jobs: ${options.jobs}` : 'single-transaction: false'}): what loaded before the error stays`
  // what the target's default privileges gave what loaded (attacker a74 F4: said on a cancel,
  // not on a failure)
  const note = partialLoadNote()
  // clean cannot help a key duplicated among the backup's own rows, nor any other error
  return `${
    stderr === undefined || alreadyExists(stderr)
      ? `${stays}; restore again with clean: true.`
      : `${stays}: remove it before restoring again.`
  }${note ? ` ${note}` : ''}`
}

/**
 * The start of a line psql or pg_restore writes first for a message: its name, its input's line
 * ("psql:<stdin>:12: "), or that line as inScriptLines maps it ("backup.sql:11: ").
 */
const PROGRAM =
  "(?:(?:psql|pg_restore):(?:[^:\\n]*:\\d+:)? |[^\\s:][^:\\n]*:\\d+: |psql, in the action's own statements around [^\\n]*?: )"
const PREFIX = new RegExp(`^(?:${PROGRAM})?`)
/** A line psql or pg_restore starts (not one continuing a message across lines). */
const STARTS = new RegExp(
  `^(?:${PROGRAM}|(?:ERROR|FATAL|PANIC|WARNING|NOTICE|DETAIL|HINT|CONTEXT|STATEMENT|QUERY|LINE \\d+): {1,2}|Command was: )`
)

/**
 * Whether the text of an error raised inside a function (a CONTEXT naming a PL/pgSQL or SQL
 * function) is withheld from the messages the restore writes: set while it loads into a target
 * that keeps tables with rows of its own (ProtectedSet.keptTables). A function of the backup's
 * that the load runs (a CHECK's, a DEFAULT's, a trigger's) chooses that text, and can put what it
 * read of those rows in it — in a RAISE, or in the name of a relation it looks up — past any
 * pattern (attacker a97 F1: auth.users' emails and password hashes in the job's log). psql by
 * hand prints it to its user's own terminal; the action's log may be anyone's.
 */
let codeErrorsWithheld = false

/** Sets {@link codeErrorsWithheld} for the loads that follow (the restore's, before its load). */
export function withholdCodeErrors(
  on: boolean,
  targetFunctions: readonly string[] = [],
  /** Names an error may quote: the target's catalog's before the load, the backup's own. */
  names: Iterable<string> = []
): void {
  codeErrorsWithheld = on
  knownNames = new Set(on ? names : [])
  // the target's own functions before the load (schema.name, and name): their text is the
  // target's (its deferred trigger saying why it refused the restore), not the backup's
  ownFunctions = new Set(
    targetFunctions.flatMap(f => {
      const bare = f.replace(/\(.*$/, '')
      return [bare, bare.slice(bare.lastIndexOf('.') + 1)]
    })
  )
}

/** {@link withholdCodeErrors}' names an error may quote. */
let knownNames = new Set<string>()

/** {@link withholdCodeErrors}' target functions: schema.name and name, as CONTEXT names them. */
let ownFunctions = new Set<string>()

/** The function a CONTEXT line names: "PL/pgSQL function s.f(integer) …", "SQL function "f" …". */
function contextFunction(text: string): string | undefined {
  const pl = /^PL\/pgSQL function (.+?)\(/.exec(text)
  if (pl) return pl[1]
  return /^SQL function "((?:[^"]|"")*)"/.exec(text)?.[1]
}

/** What stands for a withheld error's text. */
export const WITHHELD_ERROR =
  '(its text withheld: raised inside a function the load ran, whose code chooses it and may copy into it rows of the tables the target keeps; restore the backup into an empty scratch database to read it)'

/**
 * The lines of the loader's stderr that say what failed: the errors, each with its DETAIL, HINT
 * and CONTEXT (they name the key and the function at fault) — cut before any value of a row
 * (`Key (id)=(…)`, `COPY t, line 1`, strings and dollar quotes), as the failed statement is.
 * Lines continuing a message (a value with a line break) are left out.
 */
export function reportedLines(stderr: string): string[] {
  const out: string[] = []
  let within: string | undefined
  /** The message the DETAIL, HINT and CONTEXT lines that follow belong to (a WARNING's are not the error's). */
  let message: string | undefined
  /** Where the current message's DETAIL and HINT lines are in `out`, and its ERROR line. */
  let explained: number[] = []
  let errorAt = -1
  /** The current error's text is withheld ({@link codeErrorsWithheld}). */
  let withheld = false
  /** Each error line's index in `out`, with its failed statement's text (STATEMENT, Command was). */
  const errorLines = new Map<number, string | undefined>()
  /** The lines of errors the target's own functions or the action's DO blocks raised. */
  const ownWords = new Set<number>()
  let lastErrorAt = -1
  // psql and pg_restore start each error's first line with their name: an ERROR line without
  // it, among lines that have it, continues a value (a row's text with a line break)
  const prefixed = stderr.split('\n').some(l => PREFIX.exec(l)?.[0])
  for (const raw of stderr.split('\n')) {
    if (!STARTS.test(raw)) {
      // the failed statement's other lines (a CREATE TABLE's columns): what its names are
      if ((within === 'STATEMENT' || within === 'Command was') && lastErrorAt >= 0) {
        errorLines.set(lastErrorAt, `${errorLines.get(lastErrorAt) ?? ''}\n${raw}`)
        continue
      }
      // a line of a multi-line CONTEXT that names a function or statement, else data: left out
      if (
        within === 'CONTEXT' &&
        (withheld ? /^COPY / : /^(?:PL\/pgSQL function|SQL function|SQL statement|COPY) /).test(raw)
      )
        out.push(`CONTEXT:  ${cutContext(raw)}`)
      // a DO block inside a function the load ran (the first CONTEXT line names the DO block,
      // a later one the function): its words are that function's, withheld as its own (attacker
      // a106 F12: a DO block in a CHECK's function raised the net's words and the target's data)
      if (
        codeErrorsWithheld &&
        within === 'CONTEXT' &&
        !withheld &&
        (message === 'ERROR' || message === 'FATAL') &&
        /^(?:PL\/pgSQL function|SQL function)\b/.test(raw) &&
        !/^PL\/pgSQL function inline_code_block\b/.test(raw) &&
        !ownFunctions.has(contextFunction(raw) ?? '')
      ) {
        if (lastErrorAt >= 0) {
          ownWords.delete(lastErrorAt)
          out[lastErrorAt] = out[lastErrorAt].replace(
            /\b((?:ERROR|FATAL):\s+).*$/,
            `$1${WITHHELD_ERROR}`
          )
        }
        for (const i of explained) {
          ownWords.delete(i)
          out[i] = ''
        }
        explained = []
        withheld = true
      }
      continue
    }
    const line = raw.replace(PREFIX, '')
    const m =
      /^(ERROR|FATAL|DETAIL|HINT|CONTEXT|STATEMENT|QUERY|LINE \d+|Command was|[A-Z]+): {1,2}(.*)$/.exec(
        line
      )
    within = m?.[1]
    if (!m) {
      // pg_restore -d: "pg_restore: error: COPY failed for table "t": ERROR:  invalid input …"
      if (/error:|could not/i.test(raw)) {
        message = 'ERROR'
        explained = []
        withheld = false
        errorAt = out.push(cutErrorValue(raw)) - 1
        errorLines.set(errorAt, undefined)
        lastErrorAt = errorAt
      } else message = undefined
      continue
    }
    const [, kind, text] = m
    const follows = ['DETAIL', 'HINT', 'CONTEXT', 'STATEMENT', 'QUERY', 'Command was'].includes(
      kind
    )
    if (!follows && !kind.startsWith('LINE')) {
      message = kind
      explained = []
      errorAt = -1
      withheld = false
    }
    // an error the target's own function or the action's DO block raised: its words are theirs
    // (the target's deferred trigger saying why it refused the restore), not filtered below
    if (
      codeErrorsWithheld &&
      kind === 'CONTEXT' &&
      (message === 'ERROR' || message === 'FATAL') &&
      (/^PL\/pgSQL function inline_code_block\b/.test(text) ||
        ownFunctions.has(contextFunction(text) ?? '')) &&
      lastErrorAt >= 0
    ) {
      ownWords.add(lastErrorAt)
      for (const i of explained) ownWords.add(i)
    }
    // an error raised inside a function, where the target keeps rows: its text, DETAIL and HINT
    // and the functions' names (one the code made at run time may be named by a row) withheld
    if (
      codeErrorsWithheld &&
      kind === 'CONTEXT' &&
      (message === 'ERROR' || message === 'FATAL') &&
      /^(?:PL\/pgSQL function|SQL function)\b/.test(text) &&
      // the action's own DO blocks (clean-drop-dependents' parts created again, the net): a
      // backup's DO block never runs where the target keeps rows (refused before the load)
      !/^PL\/pgSQL function inline_code_block\b/.test(text) &&
      !ownFunctions.has(contextFunction(text) ?? '')
    ) {
      if (!withheld && errorAt >= 0)
        out[errorAt] = out[errorAt].replace(/\b((?:ERROR|FATAL):\s+).*$/, `$1${WITHHELD_ERROR}`)
      for (const i of explained) out[i] = ''
      explained = []
      withheld = true
      continue
    }
    // a RAISE's text (a function's of the backup or of the target) is what its code chose, a
    // row's values format()ted in included: what looks like a secret in its message, DETAIL and
    // HINT is cut (attackers a29 A2, a30 A5: RAISE EXCEPTION 'bad key %', NEW.api_key), the rest
    // stays (the target's trigger saying why it refused the restore)
    if (kind === 'CONTEXT' && / at RAISE\b/.test(text)) {
      for (const i of explained) out[i] = out[i].replace(RAISED_SECRET, '…')
      explained = []
      if (errorAt >= 0) out[errorAt] = out[errorAt].replace(RAISED_SECRET, '…')
      errorAt = -1
    }
    // a notice's or warning's DETAIL/HINT (wal_level's on CREATE PUBLICATION) is not the error's
    if (follows && message !== undefined && message !== 'ERROR' && message !== 'FATAL') continue
    if (kind === 'ERROR' || kind === 'FATAL') {
      if (!prefixed || line !== raw) {
        errorAt = out.push(cutErrorValue(raw)) - 1
        errorLines.set(errorAt, undefined)
        lastErrorAt = errorAt
      }
    } else if (kind === 'DETAIL') explained.push(out.push(`DETAIL:  ${cutDetail(text)}`) - 1)
    else if (kind === 'CONTEXT') out.push(`CONTEXT:  ${cutContext(text)}`)
    else if (kind === 'HINT') explained.push(out.push(`HINT:  ${cutValues(text)}`) - 1)
    else if ((kind === 'STATEMENT' || kind === 'Command was') && lastErrorAt >= 0)
      errorLines.set(lastErrorAt, text)
  }
  // where the target keeps rows, a name an error quotes that its failed statement does not hold
  // came from elsewhere: from a row, through an expression of the backup's (attacker a99 F1: a
  // CHECK casting what its function read to regclass, "relation "<emails>" does not exist",
  // with no function in its CONTEXT). Cut; a name the statement holds (a missing type, role or
  // relation it names) stays
  if (codeErrorsWithheld) {
    for (const [at, statement] of errorLines)
      if (!ownWords.has(at)) out[at] = withUnseenNamesCut(out[at], statement, knownNames)
    // and a DETAIL, HINT or CONTEXT line (a value with a line break makes one: a102 F1b)
    for (const [at, line] of out.entries()) {
      const m = /^(DETAIL|HINT|CONTEXT): {2}(.*)$/.exec(line)
      // (a COPY's CONTEXT as cutContext leaves it: its table, the line's number)
      if (m && !ownWords.has(at) && !/^COPY [^,]+, line \d+(?:, column [^:]+)?$/.test(m[2]))
        out[at] = `${m[1]}:  ${onlyMessageWords(m[2], undefined, knownNames)}`
    }
  }
  return out.filter(l => l !== '').slice(0, 8)
}

/**
 * An error line with each quoted name or value after its ERROR: cut to "…" unless the failed
 * statement (`statement`, its text; none: none) holds it or it is a name `known` holds (each of a
 * dotted name's parts): what else an error quotes came from elsewhere, a row's value through an
 * expression of the backup's (a99 F1: a cast to regclass, "relation "<emails>" does not exist";
 * a101 F1: timezone(), set_config(), to_timestamp(), pg_size_bytes(), …, with no function in
 * its CONTEXT). Error shapes are too many to list those that quote values; names are known.
 */
export function withUnseenNamesCut(
  line: string,
  statement: string | undefined,
  known: ReadonlySet<string> = new Set()
): string {
  const at = /\b(?:ERROR|FATAL):\s+/.exec(line)
  if (!at) return line
  const head = line.slice(0, at.index + at[0].length)
  const body = line.slice(head.length)
  // (the action's own words, where a function's error was withheld)
  if (body === WITHHELD_ERROR) return line
  return head + onlyMessageWords(body, statement, known)
}

/**
 * A message's text as far as it is PostgreSQL's own words, names and what `statement` holds: a
 * quoted text neither holds is cut to "…" (PostgreSQL does not escape a quote inside one, so a
 * value may close it early: attacker a102 F1); at the first word or number that is none of
 * those, the rest is cut ("…"). A value reaches a message through an expression of the
 * backup's (timezone(), set_config(), a cast to regclass, chr(), …): no list of such messages
 * is whole, the words of PostgreSQL's messages and the names are known.
 */
export function onlyMessageWords(
  text: string,
  statement: string | undefined,
  known: ReadonlySet<string>
): string {
  const held = (s: string): boolean => statement !== undefined && s !== '' && statement.includes(s)
  const isName = (s: string): boolean =>
    known.has(s) || (s.includes('.') && s.split('.').every(part => known.has(part)))
  let out = ''
  let i = 0
  while (i < text.length) {
    const c = text[i]
    if (c === '"' || c === "'") {
      const end = text.indexOf(c, i + 1)
      if (end < 0) return `${out}…`
      const inside = text.slice(i + 1, end)
      out += inside === '…' || held(inside) || isName(inside) ? text.slice(i, end + 1) : `${c}…${c}`
      i = end + 1
      continue
    }
    const word = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(text.slice(i, i + 64))?.[0]
    if (word) {
      if (!(MESSAGE_WORDS.has(word.toLowerCase()) || isName(word) || held(word))) return `${out}…`
      out += word
      i += word.length
      continue
    }
    const number = /^\d+/.exec(text.slice(i, i + 32))?.[0]
    if (number) {
      // a line or column of a statement's text (COPY t, line 12), or what the statement holds
      if (!(held(number) || /\b(?:line|LINE|column|position|character)\s$/.test(out)))
        return `${out}…`
      out += number
      i += number.length
      continue
    }
    if (!MESSAGE_PUNCTUATION.includes(c)) return `${out}…`
    out += c
    i++
  }
  return out
}

/** Punctuation PostgreSQL's messages use around their words and names. */
const MESSAGE_PUNCTUATION = ' ,.:;()[]=<>-/*+%!?…'

/**
 * The words of PostgreSQL's messages a restore meets (errors, DETAIL, HINT, CONTEXT), folded:
 * {@link onlyMessageWords} keeps them; a message with another word is cut there.
 */
const MESSAGE_WORDS = new Set(
  `a about above access aborted account across active add added after aggregate all allowed already also alter an and any
  appear appears are array as at attempt attribute authentication available bad be because been before being between
  block both but by bytes call called can cannot canceling cascade case cast change character check circular class
  closed collation column columns command commands commit committed concurrently configuration conflict conflicts
  connection connections constraint constraints contains context control conversion copy could create created cross
  current cycle data database databases deadlock default deferrable defined definition delete denied depend depends
  detail detected different directory disabled disk do does domain dotted drop due duplicate during else empty enabled
  encoding end enum equivalent error event exceeded exclusion exist existing exists expected explicit expression
  extension failed failing false field file first for foreign found from full function functions generated grant
  granted has have hint identifier identity if ignored implemented improper in inconsistent index inherit inherited
  inherits input insert instead integer internal into invalid is it its key keys language large larger last length
  level like limit line list literal load lock locks long longer many match may memory message missing modify more must
  name named names near new no non not nothing null number object objects of old on one only open operation operator
  option options or other out outside owned owner parameter parameters partition partitioned permission permitted
  policy position possible present privilege privileges procedure publication qualified query range rather read
  recognized record recursive reference referenced references referencing relation relations replace request required
  restrict result return returned returns revoke role roles row rows rule same schema schemas security sequence server
  session set should size so specified statement still stored string subscription such superuser support supported
  syntax system table tables tablespace target terminated text than that the their then there this time timeout to too
  transaction trigger triggers true type types unexpected unique unknown unrecognized until update use used user using
  valid value values version view views violates was were when where which while with within without would wrong zone
  psql pg_restore pg_dump ERROR DETAIL HINT CONTEXT STATEMENT SQL PL pgSQL COPY LINE
  requested unable find given supplied contain containing matching matches mismatch previously mode write isolation
  serializable prepared savepoint cursor portal parse parsing characters byte digit digits precision scale overflow
  underflow division zero negative positive greater less equal minimum maximum exceeds exceed format timestamp date
  interval numeric boolean json jsonb xml dimensions subscript lower upper bound bounds element elements always
  override overriding reached nextval setval currval cached ownership member membership login password host entry ssl
  encryption certificate verify tuple tuples concurrent serialize recovery replica standby hot wal logical slot primary
  local remote statistics extended indexes method opclass family storage toast compression collations provider locale
  icu libc deterministic nondeterministic encodings client utf8 versions incompatible compatible library shared
  preload libraries loaded module magic symbol undefined temporary temp unlogged materialized refresh populated
  attach detach attached detached bound default overlaps overlap overlapping violate violated violation excluded
  ambiguous operand operands argument arguments coercion coerce coerced implicit explicitly specify specifying
  returning aggregates window windows grouping group order sort distinct subquery subqueries correlated referenced
  lateral join joins inner outer left right outside inside element within whose declared declare variable variables
  assignment assigned integer bigint smallint real double char varchar bytea oid uuid money inet cidr macaddr bit
  varying zone timezone interval point path polygon circle box lseg tsvector tsquery regclass regtype regproc
  regprocedure regoper regoperator regnamespace regrole regconfig regdictionary try again later retry hold held
  holding waiting wait waits process processes pid backend backends shutdown shutting starting started running
  canceled cancelled killed signal lost received closing terminate terminating administrator raise perform execute
  fetch loop foreach exit continue get diagnostics call assert exception exceptions handler begin declare
  initialization compilation inline_code_block code affected forced bypass bypassrls rls once twice got extra after
  ended unterminated quoted csv fields carriage newline represent marker corrupt damaged checksum page mapped header
  archive entry toc dump restore restoring dumping processing item items warning warnings notice errors occurred
  succeeded skipping skipped creating dropping setting comment comments acl blob blobs changing changed transferred
  executing executed queries connect connected reset location accessible readable writable permissions locked busy
  conflicting obtained acquire acquired nowait skip btree hash gist gin brin spgist sub leaf root stored virtual
  expressions dependent dependents grantor grantee admin reserved predefined catalog catalogs modification prohibited
  disallowed only installed requires trusted untrusted languages plpgsql c casts ordered hypothetical but token
  perhaps meant you might need check consider increasing reduce decrease set_config here there these those what how
  why other others another each every some none neither nor either least most than less more fewer larger smaller
  specify specified unsupported supports supporting obsolete deprecated instead ambiguous could would should will shall
  can cannot can't doesn't don't isn't aren't wasn't weren't won't`
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
)

function lastLines(stderr: string): string[] {
  return stderr
    .trim()
    .split('\n')
    .slice(-3)
    .filter(l => STARTS.test(l))
    .map(cutQuoted)
}

/**
 * An ERROR line without the value PostgreSQL quotes in it: `invalid input syntax for type
 * integer: "…"`, `value "…" is out of range for type integer` (the value is a row's, or what a
 * statement of the backup read from the target). Names ("relation "t" does not exist") stay.
 */
export function cutErrorValue(line: string): string {
  const valueAtEnd =
    /^(.*?(?:invalid input syntax for (?:type )?[^:]+|invalid input value for enum [^:]+|malformed [^:]* literal|date\/time field value out of range|invalid byte sequence for encoding "[^"]+"|character with byte sequence [^:]*)): .*$/.exec(
      line
    )
  if (valueAtEnd) return `${valueAtEnd[1]}: …`
  return line.replace(/\bvalue "(?:[^"]|"")*" is out of range/g, 'value "…" is out of range')
}

/** A DETAIL without the row's values: "Key (id)=(…) already exists.", "Failing row contains (…)." */
function cutDetail(text: string): string {
  const key = /^(Key \(.*?\))=\(/.exec(text)
  if (key) {
    const tail =
      / (already exists|is duplicated|is not present in table "[^"]*"|is still referenced from table "[^"]*")\.$/.exec(
        text
      )
    return `${key[1]}=(…)${tail ? ` ${tail[1]}.` : ' …'}`
  }
  if (text.startsWith('Failing row contains (')) return 'Failing row contains (…).'
  return cutValues(text)
}

/** A CONTEXT without the row: "COPY t, line 1" (its text after the colon is the row). */
function cutContext(text: string): string {
  const copy = /^(COPY [^,]+, line \d+(?:, column [^:]+)?)(?::|$)/.exec(text)
  if (copy) return copy[1]
  // the JSON value being parsed: "JSON data, line 1: {"api_key": …"
  const json = /^(JSON data, line \d+)(?::|$)/.exec(text)
  if (json) return `${json[1]}: …`
  return cutValues(text)
}

/**
 * A DETAIL's, HINT's or CONTEXT's text cut before its first quote of any kind: what PostgreSQL
 * quotes there is a value (`Token "…" is invalid.`, a statement's text, `SQL statement "…"`),
 * never needed to tell what failed, and it may be a row's (a secret the backup holds).
 */
function cutValues(text: string): string {
  text = redactSql(text)
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === "'" || c === '$') return `${text.slice(0, i).trimEnd()} …`
    if (c !== '"') continue
    // an object's name PostgreSQL quotes after its kind (function "f", column "t.c") stays
    const end = text.indexOf('"', i + 1)
    if (end < 0 || !NAMED_BY_KIND.test(text.slice(0, i))) return `${text.slice(0, i).trimEnd()} …`
    i = end
  }
  return text
}

/** The kind of object before a name PostgreSQL quotes in its messages ("function", "column"…). */
const NAMED_BY_KIND =
  /\b(?:function|relation|table|column|constraint|type|schema|index|sequence|role|trigger|view|database|extension|operator|domain|policy|publication|collation|procedure|routine|rule|aggregate|language|server)\s$/i

/**
 * What looks like a secret in a RAISE's text: tokens of known shapes (GitHub, Stripe, AWS, Slack,
 * JWTs), a bearer token, name=value or name: value of a secret-like name, a URI's password.
 */
const RAISED_SECRET =
  /\b(?:gh[pousr]_[A-Za-z0-9]{16,}|github_pat_\w{16,}|[sr]k_(?:live|test)_\w+|AKIA[0-9A-Z]{16}|xox[abprs]-[\w-]+|eyJ[\w-]{10,}\.[\w-]{10,}\.[\w-]*)|\bbearer\s+\S+|\b(?:pass(?:word|wd)?|secret|token|api_?key)\s*[=:]\s*\S+|\b[a-z][\w+.-]*:\/\/[^\s/@:'"]*:[^\s@]*@/gi

/** Text cut before its first string or dollar quote (where values and bodies start). */
function cutQuoted(text: string): string {
  text = redactSql(text)
  const quote = text.search(/['$]/)
  return quote >= 0 ? `${text.slice(0, quote).trimEnd()} …` : text
}

/** Whether a psql of this version understands \restrict (13.22, 14.19, 15.14, 16.10, 17.6, 18+). */
export function psqlSupportsRestrict(version: string): boolean {
  const [major, minor = 0] = version.split('.').map(Number)
  const fixed: Record<number, number> = { 13: 22, 14: 19, 15: 14, 16: 10, 17: 6 }
  if (major >= 18) return true
  return fixed[major] !== undefined && minor >= fixed[major]
}
