/**
 * Finding PostgreSQL client programs (pg_dump, pg_restore, psql) by absolute path and choosing
 * one whose major version suits the server. Debian/Ubuntu's /usr/bin/pg_dump is a wrapper that
 * runs the newest installed client, so the versioned directories are searched first.
 */
import * as exec from '@actions/exec'
import { existsSync, readdirSync, realpathSync } from 'node:fs'
import path from 'node:path'
import { InputError, Inputs } from '../inputs.js'

export type ClientProgram = 'pg_dump' | 'pg_restore' | 'psql'

export interface ClientInstall {
  /** Directory holding the programs. */
  binDir: string
  /** Full `--version` text, e.g. "pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)". */
  versionText: string
  /** e.g. "15.18". */
  version: string
  major: number
}

const EXE = process.platform === 'win32' ? '.exe' : ''

export function programPath(install: ClientInstall, program: ClientProgram): string {
  return path.join(install.binDir, program + EXE)
}

/**
 * Directories that may hold PostgreSQL clients on this platform, most specific first.
 * `root` prefixes the well-known locations (tests lay out a platform's tree under a temp dir).
 */
export function candidateDirectories(
  options: { env?: NodeJS.ProcessEnv; root?: string } = {}
): string[] {
  const env = options.env ?? process.env
  const at = (p: string): string => (options.root ? path.join(options.root, p) : p)
  const dirs: string[] = []
  const glob = (parent: string, pattern: RegExp, suffix: string): void => {
    if (!existsSync(parent)) return
    const entries = safeReaddir(parent).filter(e => pattern.test(e))
    // newest first within one family, so that sorting by major keeps the most specific path
    for (const entry of entries) dirs.push(path.join(parent, entry, suffix))
  }
  glob(at('/usr/lib/postgresql'), /^\d+$/, 'bin') // Debian, Ubuntu
  glob(at('/usr'), /^pgsql-\d+$/, 'bin') // RHEL family (PGDG)
  for (const prefix of ['/opt/homebrew/opt', '/usr/local/opt']) {
    glob(at(prefix), /^postgresql@\d+$/, 'bin') // Homebrew
    glob(at(prefix), /^libpq$/, 'bin')
  }
  const programFiles = env.ProgramFiles ?? at('C:\\Program Files')
  glob(path.join(programFiles, 'PostgreSQL'), /^\d+$/, 'bin') // Windows (EDB installer)
  for (const dir of (env.PATH ?? '').split(path.delimiter)) if (dir) dirs.push(dir)
  return [...new Set(dirs)]
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir)
  } catch {
    return []
  }
}

export function parseClientVersion(text: string): { version: string; major: number } | undefined {
  const match = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(text)
  if (!match) return undefined
  const major = Number(match[1])
  // before 10 the major was two numbers (9.6); those are far too old to matter here
  const version = [match[1], match[2], match[3]].filter(p => p !== undefined).join('.')
  return { version, major }
}

async function probe(binDir: string, program: ClientProgram): Promise<ClientInstall | undefined> {
  const file = path.join(binDir, program + EXE)
  if (!existsSync(file)) return undefined
  if (isDebianWrapper(file)) return undefined
  try {
    // quoted: @actions/exec splits an unquoted command line on spaces (C:\Program Files\...)
    const out = await exec.getExecOutput(`"${file}"`, ['--version'], {
      silent: true,
      ignoreReturnCode: true
    })
    const parsed = parseClientVersion(out.stdout)
    if (out.exitCode !== 0 || !parsed) return undefined
    return { binDir, versionText: out.stdout.trim(), ...parsed }
  } catch {
    return undefined
  }
}

/** Debian's pg_wrapper picks a version by itself: never call it. */
function isDebianWrapper(file: string): boolean {
  try {
    return realpathSync(file).endsWith('pg_wrapper')
  } catch {
    return false
  }
}

/** Every distinct install of `program` found, lowest major first. */
export async function discoverClients(
  program: ClientProgram,
  dirs: string[] = candidateDirectories()
): Promise<ClientInstall[]> {
  const found: ClientInstall[] = []
  const seen = new Set<string>()
  for (const dir of dirs) {
    const install = await probe(dir, program)
    if (!install) continue
    let key: string
    try {
      key = realpathSync(path.join(dir, program + EXE))
    } catch {
      key = dir
    }
    if (seen.has(key)) continue
    seen.add(key)
    found.push(install)
  }
  return found.sort((a, b) => a.major - b.major)
}

/**
 * The client for a dump of a server of `serverMajor`: the lowest major at least as new as the
 * server's, so that the archive stays readable by that server's own tools.
 */
export async function chooseDumpClient(
  serverMajor: number,
  serverVersion: string,
  options: {
    pgBinDir?: string
    dirs?: string[]
    /** A client major the user asked for (input postgres-version). */
    postgresVersion?: number
    /** Whether a missing client may be installed (input install-client). */
    installClient?: boolean
  } = {}
): Promise<ClientInstall> {
  if (options.pgBinDir) {
    const install = await probe(options.pgBinDir, 'pg_dump')
    if (!install) {
      throw new InputError(
        Inputs.PgBinDir,
        `'${options.pgBinDir}' has no working pg_dump${EXE}. Give the directory that holds pg_dump, e.g. /usr/lib/postgresql/${serverMajor}/bin.`
      )
    }
    if (install.major < serverMajor) {
      throw new InputError(Inputs.PgBinDir, tooOldMessage(serverVersion, serverMajor, [install]))
    }
    return install
  }
  const installs = await discoverClients('pg_dump', options.dirs)
  const suitable = installs.find(i => i.major >= serverMajor)
  if (!suitable) {
    throw new ClientVersionError(tooOldMessage(serverVersion, serverMajor, installs))
  }
  return suitable
}

export class ClientVersionError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ClientVersionError'
  }
}

function tooOldMessage(serverVersion: string, serverMajor: number, found: ClientInstall[]): string {
  const list =
    found.length === 0
      ? 'no pg_dump was found'
      : `found ${found.map(i => `pg_dump ${i.version} (${i.binDir})`).join(', ')}`
  return (
    `The server runs PostgreSQL ${serverVersion}, and pg_dump refuses servers newer than itself; ${list}. ` +
    `Install a client of major ${serverMajor} or newer and point the action at it, e.g. on Ubuntu: ` +
    `'sudo apt-get install -y postgresql-common && sudo /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y && sudo apt-get install -y postgresql-client-${serverMajor}' ` +
    `then 'pg-bin-dir: /usr/lib/postgresql/${serverMajor}/bin'.`
  )
}
