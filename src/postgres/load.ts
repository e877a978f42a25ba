/**
 * Loading a backup into the target: archives through pg_restore, SQL scripts through
 * `psql -X -v ON_ERROR_STOP=1`, in one transaction by default, statement output discarded.
 * Credentials reach the tools only through the environment.
 */
import { type Readable, Transform, type TransformCallback } from 'node:stream'
import { EngineError } from '../errors.js'
import { type BackupFile, type Decoding, openDecoded } from '../pipeline/decode.js'
import { ChildProcessError, checkedOutput, startChild } from '../process.js'
import { parseCopyStatement } from './archive.js'

export interface LoadOptions {
  clean: boolean
  noOwner: boolean
  noPrivileges: boolean
  singleTransaction: boolean
  jobs: number
  tables: string[]
  schemas: string[]
}

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
      ' The target user lacks a privilege the backup needs. On managed services (Supabase, Neon, RDS) keep no-owner and no-privileges true, and leave out extensions or event triggers the service manages (pg-dump-args: --exclude-extension=... when dumping).'
  }
  const how = signal ? `was killed by ${signal}` : `exited with code ${code}`
  return new LoadError(
    `${name} ${how}: ${detail}.${hint} Nothing was kept: the restore ran in one transaction unless single-transaction was false.`,
    stderr
  )
}

export interface PlainFilterOptions {
  /** psql older than the fix of CVE-2025-8714 does not know \restrict / \unrestrict. */
  dropRestrict: boolean
  /** servers before 17 reject `SET transaction_timeout`. */
  dropTransactionTimeout: boolean
  noOwner: boolean
  noPrivileges: boolean
}

const COPY_END = Buffer.from('\n\\.\n')

/**
 * Rewrites a plain dump on its way to psql: drops top-level lines the target cannot take
 * (\restrict for old psql, transaction_timeout for old servers, owners and privileges when
 * asked). COPY data passes through untouched, found by a native buffer search.
 */
export class PlainFilter extends Transform {
  private partial = Buffer.alloc(0)
  private inCopy = false
  private previousBlank = true
  dropped = 0

  constructor(
    private readonly options: PlainFilterOptions,
    /** Sees every line outside COPY data (for scanning a dump's statements). */
    private readonly onStatementLine?: (line: Buffer) => void
  ) {
    super()
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const buffer = this.partial.length > 0 ? Buffer.concat([this.partial, chunk]) : chunk
    this.partial = Buffer.alloc(0)
    const out: Buffer[] = []
    let pos = 0
    while (pos < buffer.length) {
      if (this.inCopy) {
        if (buffer.length - pos < 3) break
        if (buffer[pos] === 0x5c && buffer[pos + 1] === 0x2e && buffer[pos + 2] === 0x0a) {
          out.push(buffer.subarray(pos, pos + 3))
          pos += 3
          this.inCopy = false
          continue
        }
        const end = buffer.indexOf(COPY_END, pos)
        if (end >= 0) {
          out.push(buffer.subarray(pos, end + COPY_END.length))
          pos = end + COPY_END.length
          this.inCopy = false
          continue
        }
        // pass whole lines on; keep the rest, so the next search starts at a line start
        const lastNewline = buffer.lastIndexOf(0x0a)
        if (lastNewline >= pos) {
          out.push(buffer.subarray(pos, lastNewline + 1))
          pos = lastNewline + 1
        }
        break
      }
      const newline = buffer.indexOf(0x0a, pos)
      if (newline < 0) break
      const line = buffer.subarray(pos, newline + 1)
      this.onStatementLine?.(line)
      if (this.keep(line)) out.push(line)
      else this.dropped++
      pos = newline + 1
    }
    this.partial = Buffer.from(buffer.subarray(pos))
    callback(null, out.length === 1 ? out[0] : Buffer.concat(out))
  }

  override _flush(callback: TransformCallback): void {
    if (this.partial.length > 0 && !this.inCopy && !this.keep(this.partial)) {
      this.dropped++
      return callback()
    }
    callback(null, this.partial)
  }

  private keep(line: Buffer): boolean {
    const first = line[0]
    const atStart = this.previousBlank
    // blank lines and comments separate pg_dump's top-level statements
    this.previousBlank = first === 0x0a || (first === 0x2d && line[1] === 0x2d)
    if (first === 0x43 /* C */ && line.subarray(0, 5).toString('latin1') === 'COPY ') {
      if (/ FROM stdin;\r?\n$/.test(line.toString('utf8'))) this.inCopy = true
      return true
    }
    if (first === 0x5c /* \ */ && this.options.dropRestrict) {
      return !/^\\(un)?restrict\b/.test(line.toString('utf8'))
    }
    if (first === 0x53 /* S */ && this.options.dropTransactionTimeout) {
      return !/^SET transaction_timeout = /.test(line.toString('utf8'))
    }
    if (!atStart) return true
    if (first === 0x41 /* A */ && this.options.noOwner) {
      if (/^ALTER [A-Z ]+ .* OWNER TO .*;\r?\n?$/.test(line.toString('utf8'))) {
        this.previousBlank = true
        return false
      }
    }
    if ((first === 0x47 || first === 0x52 || first === 0x41) && this.options.noPrivileges) {
      if (/^(GRANT|REVOKE|ALTER DEFAULT PRIVILEGES) .*;\r?\n?$/.test(line.toString('utf8'))) {
        this.previousBlank = true
        return false
      }
    }
    return true
  }
}

/** Whether a psql of this version understands \restrict (13.22, 14.19, 15.14, 16.10, 17.6, 18+). */
export function psqlSupportsRestrict(version: string): boolean {
  const [major, minor = 0] = version.split('.').map(Number)
  const fixed: Record<number, number> = { 13: 22, 14: 19, 15: 14, 16: 10, 17: 6 }
  if (major >= 18) return true
  return fixed[major] !== undefined && minor >= fixed[major]
}

/** What a plain dump creates and fills, read from its top-level statements. */
export class PlainDumpObjects {
  readonly schemas: string[] = []
  /** `DROP ... IF EXISTS ... CASCADE` statements for the objects the dump creates. */
  readonly drops: string[] = []
  readonly copyTables: Array<{ schema: string; name: string }> = []
  complete = false
  /** Starts like pg_dump's output ("-- PostgreSQL database dump"): then it must end like it. */
  madeByPgDump = false

  scanner(): PlainFilter {
    const none = {
      dropRestrict: false,
      dropTransactionTimeout: false,
      noOwner: false,
      noPrivileges: false
    }
    return new PlainFilter(none, line => this.see(line))
  }

  private see(buffer: Buffer): void {
    const first = buffer[0]
    if (first === 0x2d && buffer.includes('PostgreSQL database dump complete')) {
      this.complete = true
      return
    }
    if (first === 0x2d && /^-- PostgreSQL database dump\r?\n$/.test(buffer.toString('latin1'))) {
      this.madeByPgDump = true
      return
    }
    if (first !== 0x43 /* C */) return
    const line = buffer.toString('utf8').replace(/\r?\n$/, '')
    const copy = parseCopyStatement(line)
    if (copy) {
      this.copyTables.push(copy)
      return
    }
    const schema = /^CREATE SCHEMA (?:IF NOT EXISTS )?("(?:[^"]|"")+"|[^\s;]+)/.exec(line)
    if (schema) {
      const name = schema[1].startsWith('"')
        ? schema[1].slice(1, -1).replace(/""/g, '"')
        : schema[1]
      this.schemas.push(name)
      if (name !== 'public') this.drops.push(`DROP SCHEMA IF EXISTS ${schema[1]} CASCADE;`)
      return
    }
    const object =
      /^CREATE (?:UNLOGGED |FOREIGN )?(TABLE|VIEW|MATERIALIZED VIEW|SEQUENCE|TYPE|DOMAIN) (?:IF NOT EXISTS )?((?:"(?:[^"]|"")+"|[^\s."(]+)\.(?:"(?:[^"]|"")+"|[^\s"(;]+))/.exec(
        line
      )
    if (object) {
      const kind =
        object[1] === 'TABLE' && /^CREATE FOREIGN/.test(line) ? 'FOREIGN TABLE' : object[1]
      this.drops.push(`DROP ${kind} IF EXISTS ${object[2]} CASCADE;`)
      return
    }
    const fn =
      /^CREATE (?:OR REPLACE )?(FUNCTION|PROCEDURE) ((?:"(?:[^"]|"")+"|[^\s."(]+)\.(?:"(?:[^"]|"")+"|[^\s"(]+))\(/.exec(
        line
      )
    const args = fn ? signatureArguments(line, fn[0].length) : undefined
    if (fn && args !== undefined)
      this.drops.push(`DROP ${fn[1]} IF EXISTS ${fn[2]}(${args}) CASCADE;`)
  }
}

/**
 * The argument list of a CREATE FUNCTION line from `start` (just after its "(") to the matching
 * ")", without the DEFAULT clauses, which DROP FUNCTION does not accept. Quotes and nested
 * parentheses (numeric(10,2), now()) are skipped; undefined when the list does not end on the line.
 */
function signatureArguments(line: string, start: number): string | undefined {
  const args: string[] = []
  let current = ''
  let depth = 0
  let quote: string | undefined
  let inDefault = false
  for (let i = start; i < line.length; i++) {
    const c = line[i]
    if (quote) {
      if (c === quote) quote = undefined
    } else if (c === "'" || c === '"') {
      quote = c
    } else if (c === '(') {
      depth++
    } else if (c === ')' && depth > 0) {
      depth--
    } else if (depth === 0 && (c === ')' || c === ',')) {
      args.push(current.trim())
      if (c === ')') return args.filter(a => a !== '').join(', ')
      current = ''
      inDefault = false
      continue
    } else if (depth === 0 && line.startsWith(' DEFAULT ', i)) {
      inDefault = true
    }
    if (!inDefault) current += c
  }
  return undefined
}
