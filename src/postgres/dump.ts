/**
 * pg_dump: its arguments, and the running process whose stdout is the start of the pipeline.
 * Credentials reach it only through the environment (PGPASSWORD), never argv.
 */
import type { Readable } from 'node:stream'
import { EngineError, SettingError } from '../errors.js'
import { ChildProcessError, startChild } from '../process.js'
import type { DumpFilters, DumpFormat } from '../types.js'

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
  onStderrLine: (line: string) => void = () => undefined
): DumpProcess {
  const child = startChild(pgDumpPath, args, { env, onStderrLine })
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
    throw explainDumpFailure(error.code, error.signal, error.stderr)
  })
  done.catch(() => undefined) // awaited by the caller
  return { stdout: child.stdout, done, kill: child.kill, pid: child.pid }
}

/** pg_dump's failure as one message, with the option to fix where pg_dump says which. */
export function explainDumpFailure(
  code: number | null,
  signal: NodeJS.Signals | null,
  stderr: string
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
  const how = signal ? `was killed by ${signal}` : `exited with code ${code}`
  const tail = lastLines(stderr, 8)
  return new DumpError(`pg_dump ${how}${tail ? `: ${tail}` : ''}`, stderr)
}

function lastLines(text: string, n: number): string {
  return text.trim().split('\n').slice(-n).join(' | ')
}
