/**
 * Finding PostgreSQL client programs (pg_dump, pg_restore, psql) by absolute path and choosing
 * one whose major version suits the server (dump) or the archive (restore), installing one when
 * allowed and none suits (install.ts). Debian/Ubuntu's /usr/bin/pg_dump is a wrapper that runs
 * the newest installed client, so the versioned directories are searched and the wrapper skipped.
 */
import { log } from '../log.js'
import { existsSync, readdirSync, realpathSync } from 'node:fs'
import path from 'node:path'
import { EngineError, SettingError } from '../errors.js'
import { runChild, stopIfCancelled } from '../process.js'
import {
  type ClientInstaller,
  type InstallResult,
  type InstallStep,
  type LineLog,
  PGDG_SCRIPT,
  aptInstaller,
  clientPackage
} from './install.js'

export type ClientProgram = 'pg_dump' | 'pg_restore' | 'psql' | 'pg_dumpall'

export interface ClientInstall {
  /** Directory holding the programs. */
  binDir: string
  /** Full `--version` text, e.g. "pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)". */
  versionText: string
  /** e.g. "15.18". */
  version: string
  major: number
  /**
   * Why this client was chosen although it is not the one wanted (a psql older than the dump's
   * pg_dump; install-client failed and an installed client does the job): logged as a warning.
   */
  warning?: string
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
    const stdout = await runChild(file, ['--version'])
    const parsed = parseClientVersion(stdout)
    if (!parsed) return undefined
    return { binDir, versionText: stdout.trim(), ...parsed }
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
  stopIfCancelled()
  const found: ClientInstall[] = []
  const seen = new Set<string>()
  for (const dir of dirs) {
    const install = await probe(dir, program)
    // a probe refused by a cancel finds nothing: not "no such client"
    stopIfCancelled()
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

export interface ClientChoiceOptions {
  /** Input pg-bin-dir: use the programs in exactly this directory. */
  pgBinDir?: string
  /** Directories to search; default `candidateDirectories()`. */
  dirs?: string[]
  /**
   * The installed clients of the program, probed beforehand (discoverClients, started while the
   * server was read); discovered here when absent.
   */
  discovered?: Promise<ClientInstall[]>
  /** A client major the user asked for (input postgres-version). */
  postgresVersion?: number
  /** Whether a missing client may be installed (input install-client); default false. */
  installClient?: boolean
  /** Installs the client of one major; default apt-get (install.ts). */
  installer?: ClientInstaller
  /** Where the installation reports progress; default log.info. */
  log?: LineLog
  /** Where a client chosen with a caveat (ClientInstall.warning) is reported; default log.warning. */
  warn?: (message: string) => void
  /**
   * Newer clients the options ask for (a libpq connection parameter, a pg_dump option): the
   * client is at least the newest of these majors too.
   */
  requires?: ClientRequirement[]
}

/** A client major some option needs, and why (e.g. pg_dump 17 for --exclude-extension). */
export interface ClientRequirement {
  major: number
  because: string
}

/** pg_dump options and the major that introduced them (pg_dump --help of 15, 16, 17, 18). */
const PG_DUMP_OPTION_MAJORS: Record<string, number> = {
  '--table-and-children': 16,
  '--exclude-table-and-children': 16,
  '--exclude-table-data-and-children': 16,
  '--large-objects': 16,
  '--no-large-objects': 16,
  '--exclude-extension': 17,
  '--filter': 17,
  '--sync-method': 17,
  '--no-data': 18,
  '--no-policies': 18,
  '--no-schema': 18,
  '--no-statistics': 18,
  '--sequence-data': 18,
  '--statistics': 18,
  '--statistics-only': 18
}

/** The majors `args` (pg-dump-args) need: pg_dump of an older major refuses the option. */
export function pgDumpOptionRequirements(args: readonly string[]): ClientRequirement[] {
  const needs: ClientRequirement[] = []
  for (const arg of args) {
    const name = arg.split('=')[0]
    const major = PG_DUMP_OPTION_MAJORS[name]
    if (major !== undefined && !needs.some(n => n.because.startsWith(`${name} `))) {
      needs.push({ major, because: `${name} exists in pg_dump ${major} and newer` })
    }
  }
  return needs
}

/** What a client must satisfy, and how to say so. */
interface Need {
  program: ClientProgram
  /** Lowest major that works. */
  minMajor: number
  /** Major to install when no installed one works (and postgres-version is auto). */
  installMajor: number
  /** Why `minMajor`: the first sentence of every error. */
  why: string
  /**
   * The server's major: the one major outside INSTALLABLE_MAJORS install-client may install
   * (the others come from a backup's manifest or archive header, which anyone may have written).
   */
  serverMajor: number
  /**
   * A major wanted but not required (psql for a plain script of a newer pg_dump: psql by hand
   * runs it): a client at least this new is preferred and installed when allowed; an older one
   * (at least `minMajor`) is used with a warning when none is, or its installation failed.
   */
  preferred?: { major: number; why: string }
}

/**
 * The client for a dump of a server of `serverMajor`: the lowest major at least as new as the
 * server's, so that the archive stays readable by that server's own tools. `postgresVersion`
 * picks one major instead. With `installClient`, a missing client is installed (apt-get).
 */
export async function chooseDumpClient(
  serverMajor: number,
  serverVersion: string,
  options: ClientChoiceOptions = {}
): Promise<ClientInstall> {
  return chooseClient(
    {
      program: 'pg_dump',
      minMajor: serverMajor,
      installMajor: serverMajor,
      serverMajor,
      why: `The server runs PostgreSQL ${serverVersion}, and pg_dump refuses servers newer than itself`
    },
    options
  )
}

/**
 * The client for restoring an archive written by pg_dump `archiveMajor` into a server of
 * `serverMajor`: pg_restore (or psql for plain dumps) of at least the archive's pg_dump major,
 * the lowest such. pg_restore cannot read archives of a newer FORMAT ("unsupported version in
 * file header"): with `format`, a pg_restore that reads the format is enough (pg_restore 17
 * reads pg_dump 18's archives, both format 1.16), one of the dump's major preferred; psql runs a newer script as by hand (the gate handles newer meta-commands), so for
 * psql that major is preferred, not required: the newest installed one is used, with a warning,
 * when none is as new (and install-client is off or its installation fails). When none suits,
 * the client of the newer of the two majors is installed (install-client), so that it matches
 * the server too; when that fails, an installed client that can do the job is used, with a warning.
 */
export async function chooseRestoreClient(
  program: 'pg_restore' | 'psql',
  archiveMajor: number,
  serverMajor: number,
  options: ClientChoiceOptions = {},
  /**
   * An archive's format version ("1.16.0", its header) and the oldest pg_restore that reads it
   * (archive.ts pgRestoreMajorForFormat): what pg_restore requires, when older than the
   * archive's pg_dump major (which is then preferred, not required).
   */
  format?: { version: string; minMajor: number }
): Promise<ClientInstall> {
  if (program === 'psql') {
    // psql by hand runs a script of a newer pg_dump (the gate handles what newer pg_dumps add,
    // such as \restrict): the dump's major is preferred, not required
    return chooseClient(
      {
        program,
        minMajor: 0,
        installMajor: Math.max(archiveMajor, serverMajor),
        serverMajor,
        why: `The dump was written by pg_dump ${archiveMajor}`,
        preferred: { major: archiveMajor, why: `The dump was written by pg_dump ${archiveMajor}` }
      },
      options
    )
  }
  // pg_restore reads every archive whose FORMAT version it knows (archive.ts
  // pgRestoreMajorForFormat), whoever wrote it: pg_restore 17 reads pg_dump 18's 1.16
  const readable = format?.minMajor
  if (readable === undefined || readable >= archiveMajor) {
    return chooseClient(
      {
        program,
        // a header whose format is newer than its pg_dump's major says: the format decides
        minMajor: readable ?? archiveMajor,
        installMajor: Math.max(readable ?? 0, archiveMajor, serverMajor),
        serverMajor,
        why: format
          ? `The archive was written by pg_dump ${archiveMajor} in archive format ${format.version}, which pg_restore ${format.minMajor} and newer read`
          : `The archive was written by pg_dump ${archiveMajor}, and pg_restore cannot read archives of a newer pg_dump`
      },
      options
    )
  }
  const why = `The archive was written by pg_dump ${archiveMajor} in archive format ${format!.version}, which pg_restore ${readable} and newer read`
  return chooseClient(
    {
      program,
      minMajor: readable,
      installMajor: Math.max(archiveMajor, serverMajor),
      serverMajor,
      why,
      // as new as the dump is preferred (it knows the entries newer pg_dumps write, such as
      // STATISTICS DATA, and options such as --no-statistics), an older one used as by hand
      preferred: { major: archiveMajor, why: `The archive was written by pg_dump ${archiveMajor}` }
    },
    options
  )
}

async function chooseClient(asked: Need, options: ClientChoiceOptions): Promise<ClientInstall> {
  const chosen = await chooseClientOf(asked, options)
  if (chosen.warning) (options.warn ?? ((m: string) => log.warning(m)))(chosen.warning)
  return chosen
}

async function chooseClientOf(asked: Need, options: ClientChoiceOptions): Promise<ClientInstall> {
  const need = withRequirements(asked, options.requires ?? [])
  const { program } = need
  const wanted = options.postgresVersion
  if (options.pgBinDir) {
    const install = await probe(options.pgBinDir, program)
    // a probe the run's cancel stopped says nothing of the directory (attacker a58 F3)
    stopIfCancelled()
    if (!install) {
      throw new SettingError(
        'pgBinDir',
        `'${options.pgBinDir}' has no working ${program}${EXE}. Give the directory that holds ${program}, e.g. ${debianBinDir(need.installMajor)}.`
      )
    }
    if (wanted !== undefined && install.major !== wanted) {
      throw new SettingError(
        'postgresVersion',
        `asks for ${program} ${wanted}, but pg-bin-dir '${options.pgBinDir}' holds ${program} ${install.version}. Make them agree, or set only one of them.`
      )
    }
    if (install.major < need.minMajor) {
      throw new SettingError(
        'pgBinDir',
        `${need.why}; found ${listInstalls(program, [install])}. ${manualFix(program, need.minMajor, false)}`
      )
    }
    return olderThanPreferred(need, install)
  }
  if (wanted !== undefined && wanted < need.minMajor) {
    throw new SettingError(
      'postgresVersion',
      `${program} ${wanted} cannot be used: ${need.why}. Use auto, or a major of at least ${need.minMajor}.`
    )
  }
  const installs = await (options.discovered ?? discoverClients(program, options.dirs))
  const lowest = Math.max(need.minMajor, need.preferred?.major ?? 0)
  const chosen =
    wanted !== undefined
      ? installs.find(i => i.major === wanted)
      : installs.find(i => i.major >= lowest)
  if (chosen) return olderThanPreferred(need, chosen)
  // psql older than the dump's pg_dump: used as by hand, unless install-client may install one
  const fallback = need.preferred && wanted === undefined ? usable(need, installs) : undefined
  if (fallback && !options.installClient) return olderThanPreferred(need, fallback)
  return installOrFail(need, wanted ?? need.installMajor, wanted !== undefined, installs, options)
}

/** The newest installed client that can do the job (at least the major the job requires). */
function usable(need: Need, installs: ClientInstall[]): ClientInstall | undefined {
  return installs.filter(i => i.major >= need.minMajor).at(-1)
}

/** `install`, with a warning when it is older than the major preferred (psql: the dump's). */
function olderThanPreferred(need: Need, install: ClientInstall): ClientInstall {
  const preferred = need.preferred
  if (!preferred || install.major >= preferred.major) return install
  if (need.program === 'pg_restore') {
    return {
      ...install,
      warning: `${preferred.why}; restoring it with the older ${listInstalls(need.program, [install])}, which reads its archive format as pg_restore by hand does (${need.why.replace(/^The archive was written by pg_dump \d+ in /, '')}). A pg_restore as new as the dump knows what newer pg_dumps add (entries such as STATISTICS DATA, options such as --no-statistics): install ${clientPackage(preferred.major)} (or set install-client: true) to use it.`
    }
  }
  return {
    ...install,
    warning: `${preferred.why}; restoring it with the older ${listInstalls(need.program, [install])}, as psql by hand would: the action reads the script first and handles what newer pg_dumps add (such as \\restrict, SET transaction_timeout), and a statement the server rejects fails the restore as it would by hand. To restore with a psql as new as the dump, install ${clientPackage(preferred.major)} (or set install-client: true).`
  }
}

/** `text` with its first letter in upper case ("--no-statistics exists …" stays as it is). */
function sentenceStart(text: string): string {
  return `${text[0].toUpperCase()}${text.slice(1)}`
}

/** The need raised to the newest major an option asks for, saying why. */
function withRequirements(need: Need, requires: ClientRequirement[]): Need {
  const above = requires.filter(r => r.major > need.minMajor)
  if (above.length === 0) return need
  const minMajor = Math.max(...above.map(r => r.major))
  return {
    ...need,
    minMajor,
    installMajor: Math.max(need.installMajor, minMajor),
    // (the option's need first: the server's own is met by any client that meets it, and
    // "pg_dump refuses servers newer than itself" read as false beside a pg_dump of the
    // server's major: trial u62 F5)
    why: `${sentenceStart(above.map(r => r.because).join(', '))}, so ${need.program} ${minMajor} or newer is needed (${need.why[0].toLowerCase()}${need.why.slice(1)})`
  }
}

/**
 * The majors install-client installs for a backup's sake: those this action supports (README:
 * Compatibility). The server's own major and postgres-version are the user's, not the backup's.
 */
export const INSTALLABLE_MAJORS = { oldest: 13, newest: 18 } as const

async function installOrFail(
  need: Need,
  major: number,
  exact: boolean,
  found: ClientInstall[],
  options: ClientChoiceOptions
): Promise<ClientInstall> {
  const { program } = need
  const pkg = clientPackage(major)
  /**
   * install-client could not give the client: an installed one that can do the job is used
   * (restores only: psql of any major — as by hand — or a pg_restore that reads the archive).
   */
  const fallBack = (why: string): ClientInstall | undefined => {
    if (program !== 'psql' && program !== 'pg_restore') return undefined
    const installed = usable(need, found)
    if (!installed) return undefined
    const chosen = olderThanPreferred(need, installed)
    const instead = `install-client could not install ${pkg} (${why}); restoring with the installed ${listInstalls(program, [installed])} instead${program === 'pg_restore' ? `, which reads the archive's format (pg_restore ${need.minMajor} and newer do)` : ''}.`
    return { ...chosen, warning: chosen.warning ? `${instead} ${chosen.warning}` : instead }
  }
  const foundText =
    found.length === 0 ? `no ${program} was found` : `found ${listInstalls(program, found)}`
  const problem = exact
    ? `Input 'postgres-version' asks for ${program} ${major}, which is not installed; ${foundText}.`
    : `${need.why}; ${foundText}.`
  const fix = manualFix(program, major, exact, need.minMajor)
  if (!options.installClient) {
    throw new ClientVersionError(
      `${problem} ${fix} Or set 'install-client: true' to let the action install ${pkg} itself (Linux runners with apt-get).`,
      'setting'
    )
  }
  const installable =
    Number.isInteger(major) &&
    major >= INSTALLABLE_MAJORS.oldest &&
    major <= INSTALLABLE_MAJORS.newest
  if (!installable && !exact && major !== need.serverMajor) {
    // the major may come from a backup's manifest or archive header: never let it choose what apt installs
    const instead = fallBack(
      `it installs only the clients of PostgreSQL ${INSTALLABLE_MAJORS.oldest}–${INSTALLABLE_MAJORS.newest}`
    )
    if (instead) return instead
    throw new ClientVersionError(
      `${problem} install-client installs only the clients of PostgreSQL ${INSTALLABLE_MAJORS.oldest}–${INSTALLABLE_MAJORS.newest}, which this action supports, not ${pkg}; nothing was installed. ${fix}`,
      'setting'
    )
  }
  // a cancelled run installs nothing (its programs are refused: no client was found for that)
  stopIfCancelled()
  const say = options.log ?? ((line: string) => log.info(line))
  const installer = options.installer ?? aptInstaller()
  say(
    `No suitable ${program} is installed (${foundText}); installing ${pkg} (install-client: true).`
  )
  const result = await installer(major, say)
  if (result.status === 'unavailable') {
    const instead = fallBack(result.reason)
    if (instead) return instead
    throw new ClientVersionError(
      `${problem} install-client is on, but nothing could be installed: ${result.reason}. ${fix}`
    )
  }
  if (result.status === 'failed') {
    const instead = fallBack(`${result.reason}`)
    if (instead) return instead
    const output = result.output.length
      ? `\napt's output ended with:\n${result.output.map(l => `  ${l}`).join('\n')}`
      : ''
    const unreachable = /could not be reached/.test(result.reason)
      ? ' The runner must be able to reach apt.postgresql.org for that (check its proxy and firewall); otherwise install the client from another source and set pg-bin-dir.'
      : ''
    throw new ClientInstallError(
      `${problem} install-client is on, so the action tried to install ${pkg}, and that failed: ${result.reason}.` +
        `\nSteps:\n${describeSteps(result.steps)}${output}\n${fix}${unreachable}`,
      result
    )
  }
  const install = await probe(result.binDir, program)
  if (!install || (exact ? install.major !== major : install.major < need.minMajor)) {
    const got = install ? `${program} ${install.version}` : `no working ${program}${EXE}`
    const instead = fallBack(`${result.binDir} holds ${got}`)
    if (instead) return instead
    throw new ClientInstallError(
      `${problem} install-client is on: ${pkg} was installed, but ${result.binDir} holds ${got}.` +
        `\nSteps:\n${describeSteps(result.steps)}\n${fix}`,
      result
    )
  }
  say(`Installed ${pkg}: ${programPath(install, program)}: ${install.versionText}`)
  return install
}

/**
 * No client that can do the job: none installed and install-client off, or a major
 * install-client does not install — a setting (install-client, postgres-version, pg-bin-dir:
 * exit 2, as pg-bin-dir or postgres-version naming too old a client); an installation that
 * failed (ClientInstallError) is a failure.
 */
export class ClientVersionError extends EngineError {
  override name = 'ClientVersionError'
}

/** install-client was on and the installation failed; `attempt` holds its steps and output. */
export class ClientInstallError extends ClientVersionError {
  constructor(
    message: string,
    readonly attempt: InstallResult
  ) {
    super(message)
    this.name = 'ClientInstallError'
  }
}

function debianBinDir(major: number): string {
  return `/usr/lib/postgresql/${major}/bin`
}

function listInstalls(program: ClientProgram, installs: ClientInstall[]): string {
  return installs.map(i => `${program} ${i.version} (${i.binDir})`).join(', ')
}

function describeSteps(steps: InstallStep[]): string {
  return steps
    .map((s, n) => {
      const outcome = s.timedOut
        ? 'timed out'
        : s.exitCode === null
          ? 'could not be run'
          : `exit code ${s.exitCode}`
      return `  ${n + 1}. ${s.description}: '${s.command}' → ${outcome} (${s.seconds} s)`
    })
    .join('\n')
}

/** What to do by hand: install the client in an earlier step (Ubuntu/Debian, as on GitHub). */
function manualFix(
  program: ClientProgram,
  major: number,
  exact: boolean,
  /** The oldest major that does the job, when older than `major` (the one to install). */
  minMajor = major
): string {
  const which = exact
    ? `${major}`
    : minMajor < major
      ? `${minMajor} or newer (${major} is best: as new as the dump)`
      : `${major} or newer`
  return (
    `Install a client of major ${which} and point the action at it, e.g. on Ubuntu: ` +
    `'sudo apt-get install -y postgresql-common && sudo ${PGDG_SCRIPT} -y && sudo apt-get install -y ${clientPackage(major)}' ` +
    `then 'pg-bin-dir: ${debianBinDir(major)}' (the ${program} there is found without it, too).`
  )
}
