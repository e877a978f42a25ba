/**
 * Installing a PostgreSQL client of a given major with apt-get (Debian, Ubuntu: GitHub's Linux
 * runners), from the PostgreSQL apt repository (PGDG, apt.postgresql.org), which carries every
 * supported major for every supported release. Only run when the user allows it (input
 * install-client) and no installed client suits.
 *
 * Steps, each bounded by `timeout` so that an unreachable mirror cannot stall the job:
 *  1. Add PGDG unless an apt source already names it, the standard way: postgresql-common's
 *     /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y (writes
 *     /etc/apt/sources.list.d/pgdg.sources with the key shipped in that package, then runs
 *     apt-get update); postgresql-common is installed first when it is missing. When PGDG was
 *     already configured but does not offer the package yet, apt-get update.
 *  2. apt-get install -y --no-install-recommends postgresql-client-N: the programs land in
 *     /usr/lib/postgresql/N/bin.
 * When the install fails, a repository this attempt added is removed again, so later apt-get
 * runs of the job do not trip over an unreachable source.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import {
  ChildProcessError,
  PROXY_ENVIRONMENT,
  childEnvironment,
  findProgram,
  runChild,
  startChild
} from '../process.js'

/** Where the installer reports each step and apt's output, line by line. */
export type LineLog = (line: string) => void

export interface InstallStep {
  /** What the step is for, e.g. "add the PostgreSQL apt repository". */
  description: string
  /** The command line as run (with sudo when needed). */
  command: string
  /** null when the command could not be started or was killed. */
  exitCode: number | null
  timedOut: boolean
  seconds: number
}

export type InstallResult =
  | {
      status: 'installed'
      /** Where the programs are, e.g. /usr/lib/postgresql/16/bin. */
      binDir: string
      steps: InstallStep[]
    }
  | {
      /** Nothing was tried: this machine cannot install packages this way. */
      status: 'unavailable'
      reason: string
    }
  | {
      status: 'failed'
      /** One sentence: which step failed and, when apt says so, why. */
      reason: string
      steps: InstallStep[]
      /** Last lines of the failing command's output, and apt's warnings before it. */
      output: string[]
    }

/** Installs the client of one major; injectable so the client choice can be tested without apt. */
export type ClientInstaller = (major: number, log: LineLog) => Promise<InstallResult>

export const PGDG_SCRIPT = '/usr/share/postgresql-common/pgdg/apt.postgresql.org.sh'
export const PGDG_SOURCES_FILE = '/etc/apt/sources.list.d/pgdg.sources'
const PGDG_HOSTS = /\bapt(?:-archive)?\.postgresql\.org\b/

export interface AptInstallerOptions {
  /** Prefix for /etc/apt and /usr/lib/postgresql (tests). */
  root?: string
  platform?: NodeJS.Platform
  /** Limit for adding the repository (including its apt-get update). */
  repositoryTimeoutSeconds?: number
  /** Limit for apt-get install. */
  installTimeoutSeconds?: number
  /** Output lines kept for the error message. */
  tailLines?: number
  /** Prefix that runs a command as root; default none when root, else `sudo -n` if it works. */
  rootCommand?: string[]
  /** Environment of the commands (and PATH to find them in); default process.env. */
  env?: NodeJS.ProcessEnv
}

export const DEFAULT_REPOSITORY_TIMEOUT_SECONDS = 120
export const DEFAULT_INSTALL_TIMEOUT_SECONDS = 300

/** Package that holds pg_dump, pg_restore and psql of one major on Debian and Ubuntu. */
export function clientPackage(major: number): string {
  return `postgresql-client-${major}`
}

/** Whether an apt source (one-line .list or deb822 .sources) names the PGDG repository. */
export function hasPgdgSource(root = '/'): boolean {
  const etc = path.join(root, 'etc/apt')
  const files = [path.join(etc, 'sources.list')]
  const dir = path.join(etc, 'sources.list.d')
  try {
    for (const name of readdirSync(dir)) {
      if (name.endsWith('.list') || name.endsWith('.sources')) files.push(path.join(dir, name))
    }
  } catch {
    // no sources.list.d
  }
  for (const file of files) {
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch {
      continue
    }
    const sources = text.split(/\r?\n/).some(line => {
      const l = line.trim()
      return !l.startsWith('#') && PGDG_HOSTS.test(l)
    })
    // a deb822 stanza may be switched off with "Enabled: no"; treat the file as a whole
    if (sources && !/^\s*Enabled:\s*no\b/im.test(text)) return true
  }
  return false
}

/** How to run a command as root here, or why that is impossible. */
async function rootPrefix(
  env: Record<string, string>
): Promise<{ prefix: string[] } | { reason: string }> {
  if (typeof process.getuid === 'function' && process.getuid() === 0) return { prefix: [] }
  try {
    await runChild(findProgram('sudo', env) ?? 'sudo', ['-n', 'true'], { env, ownGroup: false })
    return { prefix: ['sudo', '-n'] }
  } catch (error) {
    return error instanceof ChildProcessError && !error.startError
      ? { reason: 'the runner user is not root and sudo asks for a password' }
      : { reason: 'the runner user is not root and sudo is not installed' }
  }
}

/**
 * The commands' environment: a child's (process.ts) of `base`, with the proxy settings apt
 * needs. sudo resets it; DEBIAN_FRONTEND is passed through `env` on the command line.
 */
function installEnvironment(base: NodeJS.ProcessEnv): Record<string, string> {
  return childEnvironment({}, { base, names: [...PROXY_ENVIRONMENT, 'APT_CONFIG'] })
}

/**
 * The real installer: apt-get on Linux as root or with passwordless sudo (GitHub's Ubuntu
 * runners have both). Returns `unavailable` without running anything anywhere else.
 */
export function aptInstaller(options: AptInstallerOptions = {}): ClientInstaller {
  const root = options.root ?? '/'
  const platform = options.platform ?? process.platform
  const repositoryTimeout = options.repositoryTimeoutSeconds ?? DEFAULT_REPOSITORY_TIMEOUT_SECONDS
  const installTimeout = options.installTimeoutSeconds ?? DEFAULT_INSTALL_TIMEOUT_SECONDS
  const tailLines = options.tailLines ?? 8
  // programs are looked up on this environment's PATH, and run with it
  const env = installEnvironment(options.env ?? process.env)

  return async (major, log) => {
    const pkg = clientPackage(major)
    if (platform !== 'linux') {
      return {
        status: 'unavailable',
        reason: `the action installs clients with apt-get on Linux only, and this runner is ${platform}`
      }
    }
    if (!findProgram('apt-get', env)) {
      return { status: 'unavailable', reason: 'apt-get is not available on this runner' }
    }
    const asRoot = options.rootCommand ? { prefix: options.rootCommand } : await rootPrefix(env)
    if ('reason' in asRoot) return { status: 'unavailable', reason: asRoot.reason }

    const steps: InstallStep[] = []
    const warnings: string[] = []
    const bounded = findProgram('timeout', env) !== undefined
    const run = async (
      description: string,
      argv: string[],
      timeoutSeconds: number
    ): Promise<{ step: InstallStep; lines: string[] }> => {
      // through `env`: sudo resets the environment
      const noninteractive = ['env', 'DEBIAN_FRONTEND=noninteractive']
      const limit = bounded ? ['timeout', '-k', '10', String(timeoutSeconds)] : []
      const full = [...asRoot.prefix, ...limit, ...noninteractive, ...argv]
      const command = [...asRoot.prefix, ...argv].join(' ')
      log(`${description}: ${command}`)
      const lines: string[] = []
      const started = Date.now()
      let exitCode: number | null = null
      const line = (text: string): void => {
        lines.push(text)
        log(`  ${text}`)
      }
      try {
        // in the runner's process group (not one of its own): sudo's credentials stay usable
        await startChild(findProgram(full[0], env) ?? full[0], full.slice(1), {
          env,
          ownGroup: false,
          onStdoutLine: line,
          onStderrLine: line
        }).done
        exitCode = 0
      } catch (error) {
        if (error instanceof ChildProcessError && !error.startError) exitCode = error.code
        else {
          const cause = error instanceof ChildProcessError ? error.startError : (error as Error)
          lines.push(`could not run ${full[0]}: ${cause?.message ?? String(error)}`)
        }
      }
      // GNU timeout: 124 when the limit was hit (137 when the command had to be killed)
      const timedOut = bounded && (exitCode === 124 || exitCode === 137)
      const step: InstallStep = {
        description,
        command,
        exitCode: timedOut ? null : exitCode,
        timedOut,
        seconds: Math.round((Date.now() - started) / 100) / 10
      }
      steps.push(step)
      warnings.push(...lines.filter(l => /^(W|E|Err):/.test(l.trim())))
      return { step, lines }
    }
    const failed = (step: InstallStep, lines: string[], why: string): InstallResult => {
      const tail = lines.filter(l => l.trim() !== '').slice(-tailLines)
      const earlier = warnings.filter(w => !tail.includes(w)).slice(-tailLines)
      const status = step.timedOut
        ? `did not finish within its time limit`
        : step.exitCode === null
          ? 'could not be run'
          : `exited with code ${step.exitCode}`
      return {
        status: 'failed',
        reason: `'${step.command}' ${status}${why ? ` (${why})` : ''}`,
        steps,
        output: [...earlier, ...tail]
      }
    }

    const sourcesFile = path.join(root, PGDG_SOURCES_FILE)
    const hadSourcesFile = existsSync(sourcesFile)
    let addedRepository = false
    const removeAddedRepository = async (): Promise<void> => {
      if (!addedRepository || hadSourcesFile || !existsSync(sourcesFile)) return
      await run('remove the repository this attempt added', ['rm', '-f', sourcesFile], 30)
    }

    /** Runs one step; when it fails, undoes what this attempt added and says why. */
    const attempt = async (
      description: string,
      argv: string[],
      timeoutSeconds: number,
      reason: (lines: string[]) => string = () => ''
    ): Promise<InstallResult | undefined> => {
      const { step, lines } = await run(description, argv, timeoutSeconds)
      if (step.exitCode === 0) return undefined
      const why = reason(lines)
      await removeAddedRepository()
      return failed(step, lines, why)
    }
    const updateLists = (): Promise<InstallResult | undefined> =>
      attempt('update the package lists', ['apt-get', 'update'], repositoryTimeout)

    try {
      if (!hasPgdgSource(root)) {
        const script = path.join(root, PGDG_SCRIPT)
        if (!existsSync(script)) {
          const failure =
            (await updateLists()) ??
            (await attempt(
              'install postgresql-common (it sets up the PostgreSQL apt repository)',
              ['apt-get', 'install', '-y', '--no-install-recommends', 'postgresql-common'],
              installTimeout,
              lines => aptReason(lines, 'postgresql-common')
            ))
          if (failure) return failure
        }
        addedRepository = true
        const failure = await attempt(
          'add the PostgreSQL apt repository (apt.postgresql.org)',
          [script, '-y'],
          repositoryTimeout,
          lines => aptReason(lines, pkg)
        )
        if (failure) return failure
      } else if (!(await hasCandidate(pkg, env))) {
        const failure = await updateLists()
        if (failure) return failure
      }
      const failure = await attempt(
        `install ${pkg}`,
        [
          'apt-get',
          'install',
          '-y',
          '--no-install-recommends',
          '-o',
          'DPkg::Lock::Timeout=60',
          pkg
        ],
        installTimeout,
        lines => aptReason([...warnings, ...lines], pkg)
      )
      if (failure) return failure
      const binDir = path.join(root, 'usr/lib/postgresql', String(major), 'bin')
      return { status: 'installed', binDir, steps }
    } catch (error) {
      await removeAddedRepository().catch(() => undefined)
      throw error
    }
  }
}

async function hasCandidate(pkg: string, env: Record<string, string>): Promise<boolean> {
  try {
    const policy = await runChild(findProgram('apt-cache', env) ?? 'apt-cache', ['policy', pkg], {
      env,
      ownGroup: false
    })
    const candidate = /Candidate:\s*(\S+)/.exec(policy)
    return candidate !== null && candidate[1] !== '(none)'
  } catch {
    return false
  }
}

/** apt's own explanation, in a few words, when its output has one. */
export function aptReason(lines: string[], pkg: string): string {
  const pgdgLines = lines.filter(l => PGDG_HOSTS.test(l))
  const unreachable = pgdgLines.some(l =>
    /Could not resolve|Failed to fetch|Could not connect|Connection timed out|Temporary failure resolving|Network is unreachable/i.test(
      l
    )
  )
  const missing = lines.some(
    l =>
      l.includes(`Unable to locate package ${pkg}`) ||
      (l.includes(pkg) && l.includes('has no installation candidate'))
  )
  if (missing && unreachable) {
    return `apt has no ${pkg}: the PostgreSQL apt repository apt.postgresql.org could not be reached`
  }
  if (missing) return `apt has no ${pkg}`
  if (unreachable) return 'the PostgreSQL apt repository apt.postgresql.org could not be reached'
  if (lines.some(l => /Could not get lock|Unable to acquire the dpkg frontend lock/.test(l))) {
    return 'another apt or dpkg process holds its lock'
  }
  return ''
}
