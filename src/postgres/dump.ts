/**
 * pg_dump: its arguments, the running process, and the dump itself — pg_dump's output streamed
 * into the backup's sinks (pipeline/backup-stream.ts), checked on its way: a plain dump's COPY
 * blocks and trailer, a custom archive's table of contents (pg_restore --list as a tee), a
 * directory archive listed before it is packed into one tar stream. Credentials reach pg_dump
 * only through the environment (PGPASSWORD), never argv.
 */
import { readFileSync } from 'node:fs'
import { type FileHandle, open, readFile, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import { type Readable, Transform, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { EngineError, SettingError } from '../errors.js'
import { log, plural } from '../log.js'
import {
  type BackupStreamOptions,
  type Sink,
  type Written,
  streamBackup
} from '../pipeline/backup-stream.js'
import { createDecompressor, findZstdCommand, hasNativeZstd } from '../pipeline/compress.js'
import { CountingStage, startProgress } from '../pipeline/progress.js'
import { type Child, ChildProcessError, checkedOutput, runChild, startChild } from '../process.js'
import type { DumpFilters, DumpFormat, QualifiedName } from '../types.js'
import {
  ArchiveError,
  archiveListTee,
  dataTablesInList,
  type KnownTable,
  listArchive
} from './archive.js'
import { connectionLimitFailure } from './diagnostics.js'
import { ownSessionCount } from './session.js'
import { CopyScanner, PLAIN_TRAILER } from './plain-sql.js'
import { ChunkTap, walkArchiveChunks } from './compare.js'
import { type TocEntry, readArchiveTocFile } from './toc.js'
import { quoteIdent } from '../sql-names.js'

export interface DumpArgsOptions {
  format: DumpFormat
  filters: DumpFilters
  extraArgs: string[]
  snapshotId?: string
  /** directory format only: where pg_dump writes, and how many tables at once. */
  directory?: string
  jobs?: number
}

/** pg_dump's arguments. Data is never compressed by pg_dump: the pipeline does it. */
export function buildPgDumpArgs(options: DumpArgsOptions): string[] {
  const args: string[] = ['--no-password']
  switch (options.format) {
    case 'custom':
      args.push('--format=custom', '--compress=0')
      break
    case 'plain':
      args.push('--format=plain')
      break
    case 'tar':
      args.push('--format=tar')
      break
    case 'directory':
      if (!options.directory) throw new Error('directory format needs an output directory')
      args.push('--format=directory', '--compress=0', `--file=${options.directory}`)
      if (options.jobs && options.jobs > 1) args.push(`--jobs=${options.jobs}`)
      break
  }
  const { filters } = options
  for (const t of filters.tables) args.push(`--table=${t}`)
  for (const t of filters.excludeTables) args.push(`--exclude-table=${t}`)
  for (const t of filters.excludeTableData) args.push(`--exclude-table-data=${t}`)
  for (const s of filters.schemas) args.push(`--schema=${s}`)
  for (const s of filters.excludeSchemas) args.push(`--exclude-schema=${s}`)
  // a pattern that matches nothing is an error, not a silently smaller backup
  if (filters.tables.length > 0 || filters.schemas.length > 0) args.push('--strict-names')
  if (options.snapshotId) args.push(`--snapshot=${options.snapshotId}`)
  args.push(...options.extraArgs)
  return args
}

export interface DumpProcess {
  stdout: Readable
  /** Resolves when pg_dump exits; rejects with a DumpError (or SettingError) unless it exited 0. */
  done: Promise<void>
  kill(signal?: NodeJS.Signals): void
  pid?: number
}

export class DumpError extends EngineError {
  constructor(
    message: string,
    readonly stderr: string,
    options?: ErrorOptions
  ) {
    super(message, 'failure', undefined, options)
    this.name = 'DumpError'
  }
}

/** Starts pg_dump; `env` is the child's whole environment (libpqEnvironment). */
export function startPgDump(
  pgDumpPath: string,
  args: string[],
  env: Record<string, string>,
  onStderrLine: (line: string) => void = () => undefined,
  /** Where pg_dump writes (another child's stdin); default a pipe read as `stdout`. */
  stdout?: Writable
): DumpProcess {
  const child = startChild(pgDumpPath, args, { env, onStderrLine, stdout })
  const done = child.done.catch((error: unknown) => {
    if (!(error instanceof ChildProcessError)) throw error
    if (error.startError) {
      throw new DumpError(
        `could not start pg_dump (${pgDumpPath}): ${error.startError.message}`,
        '',
        {
          cause: error
        }
      )
    }
    throw explainDumpFailure(error.code, error.signal, error.stderr, jobsOf(args))
  })
  done.catch(() => undefined) // awaited by the caller
  return { stdout: child.stdout, done, kill: child.kill, pid: child.pid }
}

/** The --jobs of pg_dump's arguments (the last one given; -j N, -jN, --jobs N, --jobs=N), else 1. */
function jobsOf(args: readonly string[]): number {
  let jobs = 1
  for (const [i, arg] of args.entries()) {
    const value =
      /^(?:--jobs=|-j)(\d+)$/.exec(arg)?.[1] ??
      (/^(?:--jobs|-j)$/.test(arg) ? args[i + 1] : undefined)
    if (value !== undefined && /^\d+$/.test(value)) jobs = Number(value)
  }
  return jobs
}

/** pg_dump's failure as one message, with the option to fix where pg_dump says which. */
export function explainDumpFailure(
  code: number | null,
  signal: NodeJS.Signals | null,
  stderr: string,
  /** pg_dump's --jobs (directory format): it opens one session more than that. */
  jobs = 1
): Error {
  const noTables = /no matching tables were found for pattern "([^"]*)"/.exec(stderr)
  if (noTables) {
    return new SettingError(
      'tables',
      `the pattern '${noTables[1]}' matches no table in the database; nothing was backed up. Check the name (schema.table; quote mixed-case names as "MyTable").`
    )
  }
  const noSchemas = /no matching schemas were found for pattern "([^"]*)"/.exec(stderr)
  if (noSchemas) {
    return new SettingError(
      'schemas',
      `the pattern '${noSchemas[1]}' matches no schema in the database; nothing was backed up.`
    )
  }
  if (/server version mismatch/.test(stderr)) {
    return new DumpError(
      `pg_dump refused the server: ${lastLines(stderr, 3)}. Use a pg_dump at least as new as the server (input pg-bin-dir).`,
      stderr
    )
  }
  // no session for pg_dump (a pool of one server connection, held by the action's own session
  // that exports the snapshot): that cause first, with the sessions the action held (trial u26 F1)
  const sessions = ownSessionCount()
  const limited = connectionLimitFailure('pg_dump', stderr, {
    sessions,
    holding:
      sessions > 0
        ? 'the snapshot pg_dump reads is exported by one of them, which stays open until pg_dump ends'
        : undefined,
    clients: jobs > 1 ? jobs + 1 : undefined
  })
  if (limited) return new DumpError(limited, stderr)
  const how = signal ? `was killed by ${signal}` : `exited with code ${code}`
  const tail = lastLines(stderr, 8)
  const advice = `${permissionAdvice(stderr)}${rowSecurityAdvice(stderr)}${largeObjectAdvice(stderr)}`
  const said = tail && advice && !/[.!?]$/.test(tail) ? `${tail}.` : tail
  return new DumpError(`pg_dump ${how}${said ? `: ${said}` : ''}${advice}`, stderr)
}

/** The last part of `schema.name` as pg_dump quotes it, unquoted ("we""ird" → we"ird). */
function unquotedLast(qualified: string): string {
  const last = new RegExp(String.raw`${QUERY_IDENT}$`).exec(qualified)?.[0] ?? qualified
  return last.startsWith('"') ? last.slice(1, -1).replaceAll('""', '"') : last
}

/** An identifier as pg_dump writes it in a query (fmtId): bare, or double-quoted. */
const QUERY_IDENT = String.raw`(?:"(?:[^"]|"")*"|[A-Za-z_][A-Za-z0-9_$]*)`

/**
 * "permission denied for table|sequence|view|schema x" (the connected role may not read what
 * pg_dump dumps; by hand it fails the same): how to leave it out — the exclude-tables /
 * exclude-schemas inputs — or let the role read it. The qualified name from the failed query
 * ("Query was: LOCK TABLE vault.secrets …"), else the bare name the error gives.
 */
export function permissionAdvice(stderr: string, facts?: DeniedFacts): string {
  // the name as the server printed it, to the line's end (unquoted: it may hold spaces)
  const denied =
    /permission denied for (table|sequence|view|materialized view|schema) (.+?)\s*$/m.exec(stderr)
  if (!denied) return ''
  const [, kind, bare] = denied
  const role = facts ? quoteIdent(facts.role) : '<role>'
  const who = facts ? `The role in database-url, ${role},` : 'The role in database-url'
  if (kind === 'schema') {
    return ` ${who} may not use schema ${bare}, which the backup includes. Leave it out with 'exclude-schemas: ${quoteIdent(bare)}' (or back up only the schemas you need with 'schemas'), or let the role use it: GRANT USAGE ON SCHEMA ${quoteIdent(bare)} TO ${role} (and SELECT on its tables), as the schema's owner.`
  }
  const query = new RegExp(
    String.raw`Query was: .*?\b(?:LOCK TABLE|FROM|COPY)\s+(?:ONLY\s+)?(${QUERY_IDENT}\.${QUERY_IDENT})`
  ).exec(stderr)
  // the query's name is as pg_dump writes it (quoted where SQL needs it); the error's is bare
  const qualified = query && unquotedLast(query[1]) === bare ? query[1] : undefined
  const named = qualified ?? quoteIdent(bare)
  const schema = qualified?.slice(0, qualified.indexOf('.'))
  // kept tables reference it by a foreign key: leaving it out makes a backup no restore in one
  // transaction loads (u49 F4), so the grant comes first
  const referencing = qualified ? facts?.referenced.get(qualified) : undefined
  if (referencing && referencing.length > 0) {
    const shown = referencing.slice(0, 5).join(', ')
    const more = referencing.length > 5 ? ` and ${referencing.length - 5} more` : ''
    return ` ${who} may not read ${kind} ${named}, which the backup includes. Let it read it: GRANT SELECT ON ${named} TO ${role}; as its owner. Leaving it out (exclude-tables) makes a backup that does not restore: ${shown}${more} reference${referencing.length === 1 ? 's' : ''} it by a foreign key, and a restore stops there (relation "${named}" does not exist) — only with ${referencing.length === 1 ? 'that table' : 'those tables'} left out too ('exclude-tables: ${[named, ...referencing.slice(0, 5)].join(',')}${more ? ',…' : ''}') does the backup restore. Leaving out only its rows (exclude-table-data) does not serve either: the key is checked as a restore adds it, against the rows that refer to it.`
  }
  const whole =
    schema && schema !== 'public' ? ` (or its whole schema with 'exclude-schemas: ${schema}')` : ''
  return ` ${who} may not read ${kind} ${named}, which the backup includes. Leave it out with 'exclude-tables: ${named}'${whole}, or let the role read it: GRANT SELECT ON ${named} TO ${role}, as its owner.`
}

/**
 * What the backup's session read of the role before the dump (left-out.ts unreadableReferenced):
 * its name, and the tables it may not read that kept tables reference by a foreign key
 * (quoteQualified name → the referencing tables).
 */
export interface DeniedFacts {
  role: string
  referenced: ReadonlyMap<string, readonly string[]>
}

/**
 * pg_dump's failure on a table the role may not read, its advice told again with `facts`: the
 * role's name in the GRANT, and a foreign key onto the table said (leaving it out would make a
 * backup that does not restore). Any other error is returned as it is.
 */
export function withDeniedFacts(error: unknown, facts: DeniedFacts | undefined): unknown {
  if (!facts || !(error instanceof DumpError)) return error
  const before = permissionAdvice(error.stderr)
  if (!before || !error.message.includes(before)) return error
  return new DumpError(
    error.message.replace(before, permissionAdvice(error.stderr, facts)),
    error.stderr,
    { cause: error }
  )
}

/**
 * "query would be affected by row-level security policy for table x": policies apply to the
 * role on a table whose rows pg_dump dumps (row_security off, so that no row is left out
 * unseen). The ways past it, and what the one pg_dump offers (--enable-row-security) costs.
 */
function rowSecurityAdvice(stderr: string): string {
  const policy = /query would be affected by row-level security policy for table "([^"]+)"/.exec(
    stderr
  )
  if (!policy) return ''
  const query = new RegExp(
    String.raw`(?:Command|Query) was: COPY\s+(${QUERY_IDENT}\.${QUERY_IDENT})`
  ).exec(stderr)
  const named =
    query && query[1].split('.').at(-1)?.replace(/^"|"$/g, '') === policy[1] ? query[1] : policy[1]
  return ` Row-level security policies apply to the role in database-url on table ${named}, and pg_dump refuses to dump rows they would filter. Back up with a role that has BYPASSRLS (or a superuser), or as the table's owner with the table NO FORCE ROW LEVEL SECURITY; or leave its rows out with 'exclude-table-data: ${named}'; or add --enable-row-security to pg-dump-args knowing that the backup then holds only the rows the role can see (the log, job summary and manifest name the tables so filtered).`
}

/** "permission denied for large object N": leave the large objects out, or grant the role. */
function largeObjectAdvice(stderr: string): string {
  const denied = /permission denied for large object (\d+)/.exec(stderr)
  if (!denied) return ''
  return ` The role in database-url may not read large object ${denied[1]}, which the backup includes (pg_dump dumps every large object). Leave the large objects out with --no-large-objects in pg-dump-args (--no-blobs before pg_dump 16), or let the role read it: GRANT SELECT ON LARGE OBJECT ${denied[1]} TO <role>, as its owner (or a superuser).`
}

function lastLines(text: string, n: number): string {
  return text.trim().split('\n').slice(-n).join(' | ')
}

export interface DumpRun extends Omit<BackupStreamOptions, 'inspector' | 'beforeEnd'> {
  pgDumpPath: string
  /** Lists the archive (custom, directory): the pg_restore beside pg_dump. */
  pgRestorePath: string
  /** pg_dump's arguments (buildPgDumpArgs); for the directory format with `directory`. */
  args: string[]
  /** The environment of pg_dump (libpqEnvironment). */
  env: Record<string, string>
  format: DumpFormat
  /** Directory format: where pg_dump writes, before it is packed as one tar stream. */
  directory?: string
  sinks: Sink[]
  /** The tables the server reported, matched by OID to the list's TABLE DATA entries. */
  knownTables: ReadonlyArray<KnownTable>
  /** The database's size, for the progress estimate. */
  estimateBytes?: number
  /**
   * Called once the tables whose data the dump holds are known from its table of contents:
   * while the data still streams for a custom archive (its TOC comes first), else at the end.
   */
  onDataTables?: (tables: QualifiedName[]) => void
}

export interface Dumped extends Written {
  /** The tables whose data the dump holds. */
  dataTables: QualifiedName[]
  /** What the checks made while it streamed found, in one sentence (when there is one). */
  checked?: string
  /** What a restore of it will meet that the backup cannot change, said as a warning. */
  warning?: string
}

/** Tells `onDataTables` the list's tables (warned of entries matching none at the end). */
function noteDataTables(run: DumpRun, lines: string[]): void {
  run.onDataTables?.(dataTablesInList(lines, run.knownTables))
}

/**
 * The warning for TABLE DATA entries of tables the catalog read before the dump did not list:
 * created between that read and pg_dump's snapshot (a partition a scheduler adds at night).
 */
function warnUnlisted(entries: string[]): void {
  log.warning(
    `The dump holds data for ${plural(entries.length, 'table')} the catalog read at the backup's start did not list (created since?): ${entries
      .slice(0, 5)
      .map(e => JSON.stringify(e))
      .join(
        ', '
      )}${entries.length > 5 ? ` and ${entries.length - 5} more` : ''} (as pg_restore --list prints them: schema, name, owner). Their rows are in the backup but not in the manifest's row counts; a restore counts them as tables the manifest does not list.`
  )
}

/** A custom archive that streamed whole: the tables it holds data for, from its --list. */
function listedArchive(
  written: Written,
  lines: string[],
  knownTables: ReadonlyArray<KnownTable>
): Dumped {
  const dataTables = dataTablesInList(lines, knownTables, warnUnlisted)
  return {
    ...written,
    dataTables,
    checked: `pg_restore --list accepts the archive: ${plural(lines.filter(l => !l.startsWith(';')).length, 'entry', 'entries')}, data for ${plural(dataTables.length, 'table')}.`
  }
}

/**
 * Runs pg_dump into the sinks. Fails closed: the last bytes reach the sinks only once the dump
 * is known to be whole (pg_dump exited 0, some output, a plain dump's trailer, pg_restore
 * accepted the archive's table of contents), so an upload is completed only then.
 */
export async function dumpDatabase(run: DumpRun): Promise<Dumped> {
  log.info(`${run.pgDumpPath} ${run.args.join(' ')}`)
  // (secrets are masked by the front door: the runner's log, or the terminal's redaction)
  const zstd = run.format === 'custom' ? await directZstd(run) : undefined
  if (zstd) return dumpThroughZstd(run, zstd)
  const dump = startPgDump(run.pgDumpPath, run.args, run.env, line => log.info(pgDumpLine(line)))
  const raw = new CountingStage()
  let tarred: (() => number) | undefined
  const progress = startProgress(() => tarred?.() ?? raw.bytes, {
    estimateBytes: run.estimateBytes
  })
  try {
    if (run.directory) {
      // pg_dump writes the directory (in parallel with jobs); then it is packed as one tar stream
      await dump.done
      const lines = await listArchive(run.pgRestorePath, { directory: run.directory })
      await assertWholeDirectory(run.directory)
      const dataTables = dataTablesInList(lines, run.knownTables, warnUnlisted)
      run.onDataTables?.(dataTables)
      const zstdPath = await directZstd(run)
      const written = zstdPath
        ? await tarThroughZstd(run, run.directory, zstdPath, count => (tarred = count))
        : await streamBackup(tarDirectory(run.directory), raw, run.sinks, run)
      await rm(run.directory, { recursive: true, force: true })
      return {
        ...written,
        dataTables,
        checked: `pg_restore --list accepts the directory archive: ${plural(lines.filter(l => !l.startsWith(';')).length, 'entry', 'entries')}, data for ${plural(dataTables.length, 'table')}.`
      }
    }
    // plain: note the COPY statements; custom: pg_restore --list reads the archive as it
    // passes, and its data blocks are read to the end (tar: its end is checked)
    const scanner = run.format === 'plain' ? new CopyScanner() : undefined
    const tee = scanner ? undefined : archiveListTee(run.pgRestorePath)
    const walk = run.format === 'custom' ? archiveWalkTap() : undefined
    tee?.listed.then(
      lines => noteDataTables(run, lines),
      // an archive pg_restore rejects fails the stream at once, not after the whole dump
      (error: Error) => tee.stage.destroy(error)
    )
    const whole = async (): Promise<void> => {
      await dump.done
      await tee?.listed
      await walk?.walked
      assertWholeDump(run.format, raw, scanner)
    }
    const streamed = streamBackup(dump.stdout, raw, run.sinks, {
      ...run,
      inspector: scanner ?? [tee?.stage, walk?.stage].filter(stage => stage !== undefined),
      beforeEnd: whole
    })
    try {
      await Promise.all([streamed, dump.done])
    } catch (error) {
      dump.kill('SIGKILL')
      // pg_restore --list too: it would wait for the rest of an archive that never comes
      await Promise.allSettled([streamed, dump.done, tee?.stop()])
      throw error
    }
    const written = await streamed
    if (scanner) {
      run.onDataTables?.(scanner.tables)
      return {
        ...written,
        dataTables: scanner.tables,
        checked: `Plain dump is complete; it holds data for ${plural(scanner.tables.length, 'table')}.`,
        // the action's restore refuses such a script (attacker a104 G3: a backup it made itself)
        ...(scanner.clientOnlyEncoding
          ? {
              warning: `The plain dump is in client_encoding ${scanner.clientOnlyEncoding} (pg-dump-args --encoding, or PGCLIENTENCODING): psql -f restores it by hand, but the action's restore and verify refuse a script in an encoding whose characters can hold the bytes of "\\" or "'" (convert it to UTF-8 first: iconv -f ${scanner.clientOnlyEncoding} -t UTF-8, and its SET client_encoding line to 'UTF8'). Back up without --encoding, or in format custom, for a backup the action restores as it is.`
            }
          : {})
      }
    }
    return listedArchive(written, await tee!.listed, run.knownTables)
  } finally {
    progress.stop()
  }
}

/**
 * The zstd command that a custom archive can be written into straight from pg_dump (`pg_dump |
 * zstd`, as by hand: the dump's raw bytes never pass through this process): zstd 1.4 or newer,
 * which reports the bytes it read, and Node's own zstd decoder for the table-of-contents check.
 * Undefined when the dump goes through this process instead.
 */
async function directZstd(run: DumpRun): Promise<string | undefined> {
  if (run.compression !== 'zstd' || !hasNativeZstd()) return undefined
  // a custom archive straight from pg_dump is whole when pg_dump exited 0; from a wrapper (a
  // script in pg-bin-dir) it need not be: its bytes pass through here, read to their end
  if (run.format === 'custom' && !(await isProgram(run.pgDumpPath))) {
    log.info(
      `${run.pgDumpPath} is not a program but a script (a wrapper?): its exit status may not tell that the archive is whole, so the archive's data blocks are read to its end as it passes.`
    )
    return undefined
  }
  const cli = findZstdCommand()
  if (!cli) return undefined
  zstdVersion ??= runChild(cli, ['--version']).then(
    text => /v(\d+)\.(\d+)\./.exec(text)?.slice(1, 3).map(Number),
    () => undefined
  )
  const version = await zstdVersion
  return version && (version[0] > 1 || version[1] >= 4) ? cli : undefined
}

let zstdVersion: Promise<number[] | undefined> | undefined

/** zstd's last line at -vv: `(524288000 B => 141557112 B, …)` (1.5), `(… => … bytes, …)` (1.4). */
const ZSTD_REPORT = /\(\s*(\d+)\s*B?\s*=>\s*(\d+)\s*(?:B|bytes)\s*,/

/**
 * `zstd -c -<level> -T0` reading its stdin ('pipe': another child writes into it) as the
 * compressor of a dump written as by hand; `raw` is its own count of the bytes it read (while it
 * runs: what it read so far), and `check(passed, producer)`, once it exited, that it reported its
 * counts, read something, and wrote exactly the `passed` bytes that reached the backup.
 */
function startZstdCompressor(
  run: DumpRun,
  zstdPath: string
): {
  zstd: Child
  raw: { readonly bytes: number }
  check(passed: number, producer: string): void
} {
  const report: { raw?: number; compressed?: number } = {}
  const zstd = startChild(
    zstdPath,
    ['-c', `-${run.compressionLevel}`, '-T0', '-vv', '--no-progress'],
    {
      stdin: 'pipe',
      onStderrLine: line => {
        const counts = ZSTD_REPORT.exec(line)
        if (counts) [report.raw, report.compressed] = [Number(counts[1]), Number(counts[2])]
      }
    }
  )
  return {
    zstd,
    raw: {
      get bytes(): number {
        return report.raw ?? bytesRead(zstd.pid)
      }
    },
    check(passed, producer) {
      if (report.raw === undefined || report.compressed === undefined) {
        throw new ArchiveError(
          `zstd did not report the bytes it compressed (${zstd.stderr().trim().split('\n').pop() ?? 'no output'}); nothing was uploaded.`
        )
      }
      if (report.raw === 0)
        throw new ArchiveError(`${producer} produced no output; nothing was uploaded.`)
      if (report.compressed !== passed) {
        throw new ArchiveError(
          `zstd wrote ${report.compressed} bytes but ${passed} reached the backup; nothing was uploaded.`
        )
      }
    }
  }
}

/**
 * A custom archive written as by hand, `pg_dump -Fc -Z0 | zstd -T0`: pg_dump's stdout is zstd's
 * stdin (an OS pipe), and only the compressed bytes pass through this process (encrypt, sha256,
 * sinks). The checks stay: pg_dump and zstd exit 0, zstd's own count of the bytes it read (the
 * dump's size; none is an empty dump) and wrote (all of which reached the sinks), and
 * pg_restore --list reads the archive's table of contents from the stream's decompressed head.
 */
async function dumpThroughZstd(run: DumpRun, zstdPath: string): Promise<Dumped> {
  const { zstd, raw, check } = startZstdCompressor(run, zstdPath)
  const dump = startPgDump(
    run.pgDumpPath,
    run.args,
    run.env,
    line => log.info(pgDumpLine(line)),
    zstd.stdin!
  )
  // pg_dump holds the pipe's writing end now: zstd's input ends when pg_dump's output does
  zstd.stdin!.destroy()
  const progress = startProgress(() => raw.bytes, { estimateBytes: run.estimateBytes })
  const compressed = checkedOutput(zstd)
  const tee = compressedArchiveListTee(run.pgRestorePath)
  tee.listed.then(
    lines => noteDataTables(run, lines),
    () => undefined // the stream fails with it
  )
  const whole = async (): Promise<void> => {
    await Promise.all([dump.done, zstd.done])
    await tee.listed
    check(tee.bytes(), 'pg_dump')
  }
  try {
    const streamed = streamBackup(compressed, raw, run.sinks, {
      ...run,
      precompressed: true,
      inspector: tee.stage,
      beforeEnd: whole
    })
    try {
      await Promise.all([streamed, dump.done, zstd.done])
    } catch (error) {
      dump.kill('SIGKILL')
      zstd.kill('SIGKILL')
      // the stream ends with this failure too, whatever stage still waits (a backup once waited
      // here forever after pg_dump failed at its first large object, every child gone)
      compressed.destroy(error as Error)
      await Promise.allSettled([streamed, dump.done, zstd.done, tee.stop()])
      throw error
    }
    const written = await streamed
    return listedArchive(written, await tee.listed, run.knownTables)
  } finally {
    progress.stop()
  }
}

/**
 * A directory archive packed as by hand, `tar -cf - -C <dir> . | zstd -T0`: tar's stdout is
 * zstd's stdin (an OS pipe), and only the compressed bytes pass through this process (encrypt,
 * sha256, sinks). The checks stay: tar and zstd exit 0, zstd's own count of the bytes it read (the
 * tar's size; none is an empty archive) and wrote (all of which reached the sinks). `progress`
 * gets the count of the tar's bytes read so far.
 */
async function tarThroughZstd(
  run: DumpRun,
  directory: string,
  zstdPath: string,
  progress: (count: () => number) => void
): Promise<Written> {
  const { zstd, raw, check } = startZstdCompressor(run, zstdPath)
  const tar = startChild('tar', ['-cf', '-', '-C', directory, '.'], { stdout: zstd.stdin! })
  // tar holds the pipe's writing end now: zstd's input ends when tar's output does
  zstd.stdin!.destroy()
  progress(() => raw.bytes)
  const compressed = checkedOutput(zstd)
  const passed = new CountingStage(0)
  const whole = async (): Promise<void> => {
    await Promise.all([tar.done, zstd.done])
    check(passed.bytes, 'tar')
  }
  const streamed = streamBackup(compressed, raw, run.sinks, {
    ...run,
    precompressed: true,
    inspector: passed,
    beforeEnd: whole
  })
  try {
    await Promise.all([streamed, tar.done, zstd.done])
  } catch (error) {
    tar.kill('SIGKILL')
    zstd.kill('SIGKILL')
    compressed.destroy(error as Error)
    await Promise.allSettled([streamed, tar.done, zstd.done])
    throw error
  }
  return streamed
}

/** The bytes a process has read so far (Linux: /proc/<pid>/io), for the progress line. */
function bytesRead(pid: number | undefined): number {
  try {
    return Number(/^rchar:\s*(\d+)/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? 0)
  } catch {
    return 0
  }
}

/**
 * archiveListTee on a zstd-compressed stream: its head is decompressed (by Node's zstd, in the
 * thread pool) into pg_restore --list only until pg_restore has read the table of contents —
 * the first blocks of the stream; the rest passes undecoded. Counts the bytes that passed.
 */
function compressedArchiveListTee(
  pgRestorePath: string
): ReturnType<typeof archiveListTee> & { bytes(): number } {
  const list = archiveListTee(pgRestorePath)
  const decoder = createDecompressor('zstd')!
  const discard = new Writable({ write: (_chunk, _encoding, callback) => callback() })
  pipeline(decoder, list.stage, discard).catch(() => undefined) // a failure fails `listed`
  let reading = true
  let ended = false
  let bytes = 0
  const settled = list.listed.then(
    () => undefined,
    () => undefined
  )
  void settled.then(() => {
    reading = false
    decoder.destroy()
  })
  const stage = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length
      if (!reading) return callback(null, chunk)
      if (decoder.write(chunk)) return callback(null, chunk)
      let resumed = false
      const resume = (): void => {
        if (resumed) return
        resumed = true
        decoder.off('drain', resume)
        callback(null, chunk)
      }
      decoder.once('drain', resume)
      void settled.then(resume)
    },
    flush(callback) {
      ended = true
      if (reading) decoder.end()
      callback()
    },
    destroy(error, callback) {
      // given up before its end (a failure elsewhere); after its end the decoder finishes
      // feeding pg_restore what it holds
      if (!ended) {
        decoder.destroy()
        void list.stop()
      }
      callback(error)
    }
  })
  // an archive pg_restore rejects fails the stream at once, not after the whole dump
  list.listed.catch((error: Error) => stage.destroy(error))
  return { stage, listed: list.listed, stop: list.stop, bytes: () => bytes }
}

/** The directory as one tar stream, which ends only once tar exited 0. */
function tarDirectory(directory: string): Readable {
  return checkedOutput(startChild('tar', ['-cf', '-', '-C', directory, '.']))
}

/**
 * The data blocks of a custom archive read to its end as it passes ({@link walkArchiveChunks}):
 * `walked` settles once the stream ended, rejecting with an ArchiveError when a block is cut
 * short or missing, or when the stream stopped before its end.
 */
function archiveWalkTap(): { stage: Transform; walked: Promise<number> } {
  const tap = new ChunkTap()
  const walked = walkArchiveChunks(tap.source).catch((error: Error) => {
    tap.giveUp()
    throw new ArchiveError(
      `the custom archive is not whole: ${error.message}. pg_dump's output lost part of it without an error (a wrapper or pipe in front of pg_dump?); nothing was uploaded.`
    )
  })
  walked.catch(() => undefined) // awaited by the stream's end check
  return { stage: tap.stage, walked }
}

/** Magic numbers of executables: ELF, Mach-O (32, 64, either order; universal), PE. */
const PROGRAM_MAGICS = ['7f454c46', 'feedface', 'feedfacf', 'cefaedfe', 'cffaedfe', 'cafebabe']

/** Whether `file` is a compiled program (not a script: "#!", or anything else). */
async function isProgram(file: string): Promise<boolean> {
  let handle: FileHandle | undefined
  try {
    handle = await open(file, 'r')
    const { buffer, bytesRead: read } = await handle.read(Buffer.alloc(4), 0, 4, 0)
    const head = buffer.subarray(0, read)
    return PROGRAM_MAGICS.includes(head.toString('hex')) || head.subarray(0, 2).toString() === 'MZ'
  } catch {
    return false
  } finally {
    await handle?.close()
  }
}

/**
 * A directory archive's data files are there, and end as pg_dump ends them: each table's COPY
 * data with its "\\." line (pg_dump's dumpTableData_copy), each large-object list (blobs.toc)
 * with a whole line. pg_restore --list reads only toc.dat; a file cut short after pg_dump
 * exited 0 (a wrapper in pg-bin-dir: attacker a98 F5) fails the restore. Files that pg_dump
 * compressed (pg-dump-args --compress: .gz, .lz4, .zst) are checked for presence only.
 */
async function assertWholeDirectory(directory: string): Promise<void> {
  const toc = await readArchiveTocFile(directory)
  const problems: string[] = []
  const listedObjects = new Set<string>()
  for (const entry of toc.entries) {
    const name = entry.extra.format === 'directory' ? entry.extra.filename : null
    if (!name) continue
    const file = path.join(directory, name)
    const size = await stat(file).then(
      s => s.size,
      () => undefined
    )
    if (size === undefined) {
      if (!(await exists(file))) problems.push(`${name} (of ${entryLabel(entry)}) is missing`)
      continue
    }
    const tail = await readTail(file, Math.min(size, 8))
    const text = tail.toString('latin1').replace(/\n+$/, '')
    if (entry.copyStmt && !(text === '\\.' || text.endsWith('\n\\.'))) {
      problems.push(
        `${name} (of ${entryLabel(entry)}) does not end with the COPY data's "\\." line`
      )
    } else if (
      entry.desc === 'TABLE DATA' &&
      !entry.copyStmt &&
      text !== '' &&
      !text.endsWith(';')
    ) {
      // pg_dump --inserts: statements, each ending with ";"
      problems.push(`${name} (of ${entryLabel(entry)}) ends inside an INSERT statement`)
    } else if (name.endsWith('.toc') && size > 0 && !tail.toString('latin1').endsWith('\n')) {
      problems.push(`${name} (of ${entryLabel(entry)}) ends inside a line`)
    } else if (name.endsWith('.toc')) {
      // "<oid> <file>" per large object: pg_restore opens each file it names
      for (const line of (await readFile(file, 'latin1')).split('\n')) {
        const listed = /^(\d+) (\S+)$/.exec(line)
        if (!listed) continue
        listedObjects.add(listed[1])
        if (!(await exists(path.join(directory, listed[2])))) {
          problems.push(`${listed[2]} (a large object ${name} lists) is missing`)
        }
      }
    }
  }
  // every large object the TOC creates (a BLOB entry each before pg_dump 17, BLOB METADATA's
  // lists from 17) has its line in a blobs toc: one cut at a line's end lost some (attacker a100)
  const unlisted = toc.entries
    .flatMap(e =>
      e.desc === 'BLOB'
        ? [e.tag]
        : e.desc === 'BLOB METADATA'
          ? [...(e.defn ?? '').matchAll(/\d+/g)].map(m => m[0])
          : []
    )
    .filter(oid => /^\d+$/.test(oid) && !listedObjects.has(oid))
  if (unlisted.length > 0 && toc.entries.some(e => e.desc === 'BLOBS'))
    problems.push(
      `${plural(unlisted.length, 'large object')} of the table of contents ${unlisted.length === 1 ? 'is' : 'are'} in no blobs toc (OID ${unlisted.slice(0, 5).join(', ')}${unlisted.length > 5 ? ', …' : ''})`
    )
  if (problems.length > 0) {
    throw new ArchiveError(
      `the directory archive is not whole: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; … and ${problems.length - 5} more` : ''}. pg_dump's files were cut short without an error (a wrapper in front of pg_dump?); nothing was uploaded.`
    )
  }
}

/** Whether a file (or anything) is at `file`, also compressed by pg_dump (.gz, .lz4, .zst). */
async function exists(file: string): Promise<boolean> {
  for (const name of [file, `${file}.gz`, `${file}.lz4`, `${file}.zst`]) {
    if (
      await stat(name).then(
        () => true,
        () => false
      )
    )
      return true
  }
  return false
}

/** An entry as pg_restore --list names it: "TABLE DATA public orders". */
function entryLabel(entry: TocEntry): string {
  return `${entry.desc}${entry.namespace ? ` ${entry.namespace}` : ''} ${entry.tag}`
}

/** The last `length` bytes of a file. */
async function readTail(file: string, length: number): Promise<Buffer> {
  const handle = await open(file, 'r')
  try {
    const { size } = await handle.stat()
    const { buffer, bytesRead: read } = await handle.read(
      Buffer.alloc(length),
      0,
      length,
      Math.max(0, size - length)
    )
    return buffer.subarray(0, read)
  } finally {
    await handle.close()
  }
}

/** What follows pg_dump's trailer comment at a plain dump's end (\unrestrict: pg_dump 13.22+, 17.6+, …). */
const TRAILER_END = /^--\r?\n\r?\n(?:\\unrestrict [^\r\n]*\r?\n(?:\r?\n)?)?$/

/**
 * Fails closed: some output, and for plain dumps the trailer pg_dump writes last. Runs as the
 * stream's last step, so a file or upload is never completed for a dump that is not whole.
 */
function assertWholeDump(format: DumpFormat, raw: CountingStage, scanner?: CopyScanner): void {
  if (raw.bytes === 0) throw new ArchiveError('pg_dump produced no output; nothing was uploaded.')
  if (format === 'plain') {
    // the trailer after the last statement, as psql reads the script: not one that a table's
    // rows or a quoted string hold where the dump was cut (attacker a98 F5b)
    // (a line of its own: a comment naming a table "z-- PostgreSQL database dump complete" holds it)
    const at = raw.tail.lastIndexOf(`\n${PLAIN_TRAILER}\n`)
    // a script the lexer could not read to its end: the trailer must be its very end, as
    // pg_dump writes it (then only "--", and 17+'s \unrestrict line), not one a row holds
    const atEnd =
      at >= 0 &&
      TRAILER_END.test(raw.tail.subarray(at + PLAIN_TRAILER.length + 2).toString('latin1'))
    const cut =
      scanner?.cut ??
      (at < 0 || (scanner?.scanned ? raw.bytes - raw.tail.length + at < scanner.lastEnd : !atEnd)
        ? `it does not end with '${PLAIN_TRAILER}' after its last statement`
        : undefined)
    if (cut) {
      throw new ArchiveError(
        `the plain dump is truncated: ${cut}. pg_dump's output lost its end without an error (a wrapper or pipe in front of pg_dump?); nothing was uploaded.`
      )
    }
  }
  // a tar-format archive ends with its restore.sql (the same trailer) and the tar's two zero blocks
  if (
    format === 'tar' &&
    !(
      raw.tail.toString('latin1').includes(PLAIN_TRAILER) &&
      raw.tail.length >= 1024 &&
      raw.tail.subarray(raw.tail.length - 1024).every(b => b === 0)
    )
  ) {
    throw new ArchiveError(
      `the tar-format archive does not end with its restore.sql ('${PLAIN_TRAILER}') and the tar's end blocks: it is truncated; nothing was uploaded.`
    )
  }
}

/**
 * A pg_dump name pattern (`schema.table`, `*`, `?`, double quotes) as the anchored POSIX
 * regular expressions pg_dump matches against the catalog — PostgreSQL's patternToSQLRegex
 * (src/fe_utils/string_utils.c): outside quotes letters are folded to lower case, `*` is `.*`,
 * `?` is `.`, `.` separates the parts and other regex characters pass through (except `[]`);
 * inside quotes everything is literal and `""` is one `"`; `$` is always literal. With three
 * parts the first names the database. A part that is absent or empty is undefined (any name).
 */
export function patternRegexes(pattern: string): { schema?: string; name?: string } {
  const parts: string[] = ['']
  let quoted = false
  const chars = [...pattern]
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]
    let out: string
    if (ch === '"') {
      if (quoted && chars[i + 1] === '"') {
        out = '"'
        i++
      } else {
        quoted = !quoted
        continue
      }
    } else if (!quoted && ch >= 'A' && ch <= 'Z') out = ch.toLowerCase()
    else if (!quoted && ch === '*') out = '.*'
    else if (!quoted && ch === '?') out = '.'
    else if (!quoted && ch === '.') {
      parts.push('')
      continue
    } else if (ch === '$') out = '\\$'
    else if (quoted && '|*+?()[]{}.^$\\'.includes(ch)) out = `\\${ch}`
    else if (ch === '[' && chars[i + 1] === ']') out = '\\['
    else out = ch
    parts[parts.length - 1] += out
  }
  // an empty part (`app.`) constrains nothing, as in pg_dump
  const anchored = (part: string | undefined): string | undefined =>
    part ? `^(${part})$` : undefined
  return {
    schema: anchored(parts.length >= 2 ? parts[parts.length - 2] : undefined),
    name: anchored(parts[parts.length - 1])
  }
}

/**
 * A list of qualified names as pg_dump prints them in its queries (`public.a, "My, Schema"."T"`,
 * e.g. in `LOCK TABLE … IN ACCESS SHARE MODE`) as schemas and names; unqualified ones are left out.
 */
export function qualifiedNames(list: string): QualifiedName[] {
  const names: QualifiedName[] = []
  let parts: string[] = ['']
  let quoted = false
  for (let i = 0; i < list.length; i++) {
    const ch = list[i]
    if (ch === '"') {
      if (quoted && list[i + 1] === '"') {
        parts[parts.length - 1] += '"'
        i++
      } else quoted = !quoted
    } else if (!quoted && ch === '.') parts.push('')
    else if (!quoted && ch === ',') {
      if (parts.length === 2) names.push({ schema: parts[0], name: parts[1] })
      parts = ['']
    } else if (quoted || ch !== ' ') parts[parts.length - 1] += ch
  }
  if (parts.length === 2) names.push({ schema: parts[0], name: parts[1] })
  return names
}

/** A line of pg_dump's stderr for the log, named once ("pg_dump: detail: …" as it writes it). */
function pgDumpLine(line: string): string {
  return line.startsWith('pg_dump: ') ? line : `pg_dump: ${line}`
}
