/**
 * Loading a checked backup into the target: archives through pg_restore, SQL scripts through
 * `psql -X -v ON_ERROR_STOP=1` (filtered on their way: plain-sql.ts), in one transaction by
 * default, statement output discarded; with `clean`, the backup's objects dropped first in that
 * same transaction. Credentials reach the tools only through the environment.
 */
import { createWriteStream } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import type { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { EngineError } from '../errors.js'
import { log } from '../log.js'
import {
  type BackupFile,
  type Decoding,
  discard,
  openDecoded,
  openRaw
} from '../pipeline/decode.js'
import { ChildProcessError, checkedOutput, startChild } from '../process.js'
import type { RestoreOptions } from '../types.js'
import { ArchiveError } from './archive.js'
import { type ClientInstall, programPath } from './clients.js'
import { PlainDumpObjects, PlainFilter } from './plain-sql.js'

/** What the restore asks of the load. */
export type LoadOptions = Pick<
  RestoreOptions,
  'clean' | 'noOwner' | 'noPrivileges' | 'singleTransaction' | 'jobs' | 'tables' | 'schemas'
>

export class LoadError extends EngineError {
  constructor(
    message: string,
    readonly stderr: string,
    /** true when the loader failed because its input could not be read to its end. */
    readonly inputFailed = false
  ) {
    super(message)
    this.name = 'LoadError'
  }
}

/** What pg_restore reads: a path it opens itself (directory, file), or a backup fed on stdin. */
export type ArchiveInput = { path: string } | { file: BackupFile; decoding: Decoding }

/** How a checked backup is loaded (the restore's plan). */
export interface LoadPlan {
  /** 'directory': a directory-format archive's folder; the others are (encoded) files. */
  format: 'custom' | 'plain' | 'directory-tar' | 'directory'
  decoding: Decoding
  /** The pg_restore or psql to load with. */
  client: ClientInstall
  /** A plain dump: the DROP statements for what it creates (clean). */
  plain?: { drops: string[] }
}

/** Where the backup is loaded into. */
export interface LoadTarget {
  /** The environment of the client (libpqEnvironment). */
  env: Record<string, string>
  database: string
  serverMajor: number
}

/**
 * Loads the backup (a file, or a directory archive's folder) into the target; `workDir` takes
 * what pg_restore needs on disk (a directory archive unpacked, a seekable file for --jobs).
 */
export async function loadBackup(
  dump: BackupFile | { directory: string },
  plan: LoadPlan,
  target: LoadTarget,
  options: LoadOptions,
  workDir: string
): Promise<void> {
  log.info(
    options.singleTransaction
      ? 'Restoring in one transaction: on any error nothing is kept.'
      : `Restoring without a single transaction (jobs: ${options.jobs}): an error can leave a partial restore.`
  )
  const { env, database } = target
  const pgRestore = programPath(plan.client, 'pg_restore')
  if ('directory' in dump) {
    const archive = { path: dump.directory }
    if (options.clean && options.singleTransaction) {
      return cleanAndRestoreArchive(plan.client, env, options, archive)
    }
    return runPgRestore(pgRestore, env, database, options, archive)
  }
  if (plan.format === 'plain') {
    const filter = new PlainFilter({
      dropRestrict: !psqlSupportsRestrict(plan.client.version),
      dropTransactionTimeout: target.serverMajor < 17,
      noOwner: options.noOwner,
      noPrivileges: options.noPrivileges
    })
    const drops = options.clean ? (plan.plain?.drops ?? []) : []
    await runPsql(
      programPath(plan.client, 'psql'),
      env,
      options.singleTransaction,
      { file: dump, decoding: plan.decoding, filter },
      drops
    )
    if (filter.dropped > 0)
      log.info(`${filter.dropped} lines the target cannot take were left out.`)
    return
  }
  let archive: ArchiveInput
  if (plan.format === 'directory-tar') {
    const dir = path.join(workDir, 'directory')
    await mkdir(dir)
    await untar(dump, plan.decoding, dir)
    archive = { path: dir }
  } else if (options.jobs > 1 && !(options.clean && options.singleTransaction)) {
    // a parallel restore needs a seekable archive file
    archive = { path: await decodeTo(dump, plan.decoding, path.join(workDir, 'backup.dump')) }
  } else {
    archive = { file: dump, decoding: plan.decoding }
  }
  if (options.clean && options.singleTransaction) {
    return cleanAndRestoreArchive(plan.client, env, options, archive)
  }
  await runPgRestore(pgRestore, env, database, options, archive)
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

/** The file decoded into `out` (mode 0600); the file itself when there is nothing to decode. */
async function decodeTo(file: BackupFile, decoding: Decoding, out: string): Promise<string> {
  if (!file.range && decoding.compression === 'none' && !decoding.decryption) return file.path
  const source =
    decoding.compression === 'none' && !decoding.decryption
      ? openRaw(file)
      : openDecoded(file, decoding)
  await pipeline(source, createWriteStream(out, { mode: 0o600 }))
  return out
}

/** A directory archive in a tar stream, unpacked into `dir`. */
async function untar(file: BackupFile, decoding: Decoding, dir: string): Promise<void> {
  // tar stops reading at the end-of-archive blocks: the padding after them may stay unread
  const tar = startChild('tar', ['-xf', '-', '-C', dir], {
    stdin: openDecoded(file, decoding),
    stdout: 'ignore'
  })
  try {
    await tar.done
  } catch (error) {
    if (!(error instanceof ChildProcessError) || error.startError) throw error
    throw new ArchiveError(`the directory archive could not be unpacked: ${error.stderr.trim()}`)
  }
}

/** A libpq conninfo holding only the database name; host, user and password come from env. */
export function dbnameConninfo(database: string): string {
  return `dbname='${database.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}

export function buildPgRestoreArgs(database: string, options: LoadOptions): string[] {
  const args = ['--no-password', '--exit-on-error', `--dbname=${dbnameConninfo(database)}`]
  if (options.singleTransaction) args.push('--single-transaction')
  if (options.noOwner) args.push('--no-owner')
  if (options.noPrivileges) args.push('--no-privileges')
  if (options.clean) args.push('--clean', '--if-exists')
  if (options.jobs > 1) args.push(`--jobs=${options.jobs}`)
  for (const t of options.tables) args.push(`--table=${t}`)
  for (const s of options.schemas) args.push(`--schema=${s}`)
  return args
}

export function buildPsqlArgs(singleTransaction: boolean, before: string[] = []): string[] {
  const args = ['-X', '-q', '--no-password', '-v', 'ON_ERROR_STOP=1']
  if (singleTransaction) args.push('--single-transaction')
  // statements run first, in the same transaction (clean: the drops of a plain dump's objects)
  if (before.length > 0) args.push('-c', before.join('\n'))
  args.push('-f', '-')
  return args
}

/** Runs pg_restore on a directory or a file it opens, or on a backup fed on its stdin. */
export async function runPgRestore(
  pgRestorePath: string,
  env: Record<string, string>,
  database: string,
  options: LoadOptions,
  input: ArchiveInput
): Promise<void> {
  const args = buildPgRestoreArgs(database, options)
  if ('path' in input) args.push(input.path)
  await runLoader(
    pgRestorePath,
    args,
    env,
    'path' in input ? undefined : openDecoded(input.file, input.decoding)
  )
}

/** Streams an SQL script (decoded, then filtered) into psql. */
export async function runPsql(
  psqlPath: string,
  env: Record<string, string>,
  singleTransaction: boolean,
  input: { file: BackupFile; decoding: Decoding; filter: Transform },
  before: string[] = []
): Promise<void> {
  await runLoader(
    psqlPath,
    buildPsqlArgs(singleTransaction, before),
    env,
    openDecoded(input.file, input.decoding, input.filter)
  )
}

/**
 * pg_restore printing an archive as an SQL script on its stdout (no database connection), for
 * restores that go through psql: `clean` runs the action's own DROP … CASCADE statements first,
 * which pg_restore --clean cannot order right for partitioned tables. The script ends only once
 * pg_restore exited 0 (else it fails), so psql never takes a part of it for the whole.
 */
export function archiveAsScript(
  pgRestorePath: string,
  options: Pick<LoadOptions, 'noOwner' | 'noPrivileges' | 'tables' | 'schemas'> & {
    schemaOnly?: boolean
  },
  input: ArchiveInput
): { stdout: Readable; done: Promise<void> } {
  const args = ['--file=-']
  if (options.schemaOnly) args.push('--schema-only')
  if (options.noOwner) args.push('--no-owner')
  if (options.noPrivileges) args.push('--no-privileges')
  for (const t of options.tables) args.push(`--table=${t}`)
  for (const n of options.schemas) args.push(`--schema=${n}`)
  if ('path' in input) args.push(input.path)
  // --schema-only needs no table data: pg_restore may close its stdin before the end
  const child = startChild(pgRestorePath, args, {
    stdin: 'path' in input ? undefined : openDecoded(input.file, input.decoding)
  })
  const done = child.done.catch((error: unknown) => {
    throw error instanceof ChildProcessError ? explainChildFailure(error) : error
  })
  done.catch(() => undefined)
  return { stdout: checkedOutput(child), done }
}

/** psql reading a script from a stream (pg_restore's output). */
export async function runPsqlFromStream(
  psqlPath: string,
  env: Record<string, string>,
  singleTransaction: boolean,
  stream: Readable,
  before: string[] = []
): Promise<void> {
  await runLoader(psqlPath, buildPsqlArgs(singleTransaction, before), env, stream)
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
    // the input failed: the loader was stopped before it could commit
    throw new LoadError(
      `the backup could not be read while restoring: ${(error as Error).message}. The restore was rolled back.`,
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

/** The loader's failure as one message, with the fix where the error is a known one. */
export function explainLoadFailure(
  program: string,
  code: number | null,
  signal: NodeJS.Signals | null,
  stderr: string
): LoadError {
  const name = program.split(/[\\/]/).pop()
  const errorLines = stderr
    .split('\n')
    .filter(l => /ERROR|FATAL|error:|could not/i.test(l))
    .slice(0, 3)
  const detail = (errorLines.length > 0 ? errorLines : stderr.trim().split('\n').slice(-3)).join(
    ' | '
  )
  let hint = ''
  if (/unsupported version \([\d.]+\) in file header/.test(stderr)) {
    hint =
      ' The archive was written by a newer pg_dump than this pg_restore: use a newer client (inputs postgres-version or pg-bin-dir).'
  } else if (/role "[^"]+" does not exist/.test(stderr)) {
    hint =
      " The backup names roles the target lacks: set 'no-owner: true' and 'no-privileges: true'."
  } else if (/unrecognized configuration parameter "transaction_timeout"/.test(stderr)) {
    hint =
      ' The dump was made by pg_dump 17 or newer and the target server is older; the action removes that line from plain dumps, so restore with pg_restore 17+ or dump with the server’s own major.'
  } else if (/invalid command \\(un)?restrict/.test(stderr)) {
    hint =
      ' The dump carries \\restrict lines from a newer pg_dump that this psql does not know: use a newer psql (postgres-version or pg-bin-dir).'
  } else if (/already exists/.test(stderr)) {
    hint =
      " Objects of the backup already exist in the target: set 'clean: true' to drop them first (or restore into an empty database)."
  } else if (/permission denied|must be owner|must be superuser/.test(stderr)) {
    hint =
      ' The target user lacks a privilege the backup needs. On managed services (Supabase, Neon, RDS) keep no-owner and no-privileges true, and leave out extensions or event triggers the service manages (when dumping: schemas: public with any pg_dump, or pg-dump-args: --exclude-extension=..., which needs pg_dump 17+ and then pg_restore 17+).'
  }
  const how = signal ? `was killed by ${signal}` : `exited with code ${code}`
  return new LoadError(
    `${name} ${how}: ${detail}.${hint} Nothing was kept: the restore ran in one transaction unless single-transaction was false.`,
    stderr
  )
}

/** Whether a psql of this version understands \restrict (13.22, 14.19, 15.14, 16.10, 17.6, 18+). */
export function psqlSupportsRestrict(version: string): boolean {
  const [major, minor = 0] = version.split('.').map(Number)
  const fixed: Record<number, number> = { 13: 22, 14: 19, 15: 14, 16: 10, 17: 6 }
  if (major >= 18) return true
  return fixed[major] !== undefined && minor >= fixed[major]
}
