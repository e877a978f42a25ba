/**
 * The one way the engine runs another program (pg_dump, pg_restore, psql, zstd, tar, perl,
 * mkfifo, apt-get…). The rules, the same for every child:
 *  - no shell, ever (arguments go to the program as they are), and no console window (Windows);
 *  - its environment is built from an allow-list of the parent's (SAFE_ENVIRONMENT) plus what the
 *    caller passes: nothing else of process.env reaches a child, so neither the runner's INPUT_*
 *    copies of the inputs (secrets included) nor ACTIONS_RUNTIME_TOKEN and the like;
 *  - stdin comes from a Readable, or is closed. A child may stop reading before the end
 *    (pg_restore --list reads the table of contents, tar stops at its end-of-archive blocks): a
 *    broken pipe on its stdin is not an error by itself, its exit status decides. A failure of
 *    the stream that feeds it is an error: the child is stopped and that failure reported;
 *  - the last STDERR_TAIL bytes of its stderr are kept for the error, and may be read line by line;
 *  - its exit status decides: anything but 0 rejects `done` with a ChildProcessError naming the
 *    program, the code or signal, and the stderr tail;
 *  - it runs in a process group of its own (POSIX), so that stopping it stops what it started
 *    (pg_dump's parallel workers); every live child is registered, and stopAllChildren() ends
 *    them all (SIGTERM, then SIGKILL after a grace period);
 *  - it gets SIGTERM from the kernel when this process dies without stopping it (Linux, through
 *    setpriv --pdeathsig: see deathSignalWrapper).
 *
 * Own code rather than execa: each rule above is a few lines on child_process.spawn, while execa
 * would need wrapping for most of them (its maxBuffer fails the child instead of keeping a tail,
 * its errors are its own class, it keeps the parent's environment unless told otherwise), and it
 * would add a dependency to the bundle for what remains.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { accessSync, constants, statSync } from 'node:fs'
import path from 'node:path'
import { Readable, Transform, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { EngineError } from './errors.js'

/** At most this much of the error lines the tail lost is kept besides it. */
const STDERR_KEPT_LINES = 16 * 1024

/** A line of a server's message as psql or pg_restore print it (what an error is read from). */
const ERROR_LINE = /(?:^|: )(?:ERROR|FATAL|DETAIL|HINT|CONTEXT|WARNING): {1,2}|^pg_restore: error: /

/**
 * Bytes of stderr kept for the error message: enough for the restore net's error with its DO
 * block after it (psql --echo-errors echoes the failed statement, some 63 kB), else the error
 * line falls out of the tail and is kept cut (STDERR_KEPT_LINES).
 */
export const STDERR_TAIL = 256 * 1024

/**
 * What a child may see of the parent's environment: where programs and libraries are, who and
 * where the user is, language and time zone, temporary directories, TLS trust settings and
 * Kerberos (which libpq honours), and Windows' own.
 */
const SAFE_ENVIRONMENT = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TMPDIR',
  'TEMP',
  'TMP',
  'LD_LIBRARY_PATH',
  'DYLD_LIBRARY_PATH',
  'DYLD_FALLBACK_LIBRARY_PATH',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'OPENSSL_CONF',
  'KRB5_CONFIG',
  'KRB5CCNAME',
  'SystemRoot',
  'SYSTEMROOT',
  'windir',
  'PATHEXT',
  'ComSpec',
  'ProgramFiles',
  'APPDATA',
  'LOCALAPPDATA',
  'USERPROFILE',
  // the runner's mark on a job's processes: a self-hosted runner ends those still running when
  // the job ends (a child left behind by an action killed with SIGKILL; attacker a49)
  'RUNNER_TRACKING_ID'
]

/** The proxy settings apt-get (install-client) needs behind a proxy. */
export const PROXY_ENVIRONMENT = [
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY'
]

/**
 * A child's environment: the allowed variables of `base` (default process.env; LC_* included),
 * the `names` the caller needs besides, and `extra` on top.
 */
export function childEnvironment(
  extra: Record<string, string> = {},
  options: { base?: NodeJS.ProcessEnv; names?: string[] } = {}
): Record<string, string> {
  const base = options.base ?? process.env
  const allowed = new Set([...SAFE_ENVIRONMENT, ...(options.names ?? [])])
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(base)) {
    if (value !== undefined && (allowed.has(key) || key.startsWith('LC_'))) env[key] = value
  }
  return { ...env, ...extra }
}

/** How long the process may linger once its outcome is reported, before it is ended (ms). */
export const EXIT_GRACE_MS = 3000

/** A child that failed: it could not start, exited non-zero, or was killed. */
export class ChildProcessError extends EngineError {
  constructor(
    /** The program as it was run. */
    readonly program: string,
    readonly code: number | null,
    readonly signal: NodeJS.Signals | null,
    /** The last STDERR_TAIL bytes of its stderr. */
    readonly stderr: string,
    /** Set when the program could not be started at all (e.g. ENOENT). */
    readonly startError?: Error
  ) {
    const tail = stderr.trim()
    super(
      startError
        ? `could not run ${program}: ${startError.message}`
        : `${program} ${signal ? `was killed by ${signal}` : `exited with code ${code}`}${tail ? `: ${tail}` : ''}`,
      'failure',
      undefined,
      { cause: startError }
    )
    this.name = 'ChildProcessError'
  }
}

export interface StartOptions {
  /** The environment: from childEnvironment(); default childEnvironment() (the allow-list). */
  env?: Record<string, string>
  /** Fed to the child's stdin; 'pipe' leaves `stdin` for the caller to write; default closed. */
  stdin?: Readable | 'pipe'
  /**
   * 'pipe' (default): read it from `stdout`; 'ignore': discarded; a Writable with a file
   * descriptor (another child's stdin): the child writes there itself, never through this process.
   */
  stdout?: 'pipe' | 'ignore' | Writable
  /** Called with each non-blank line of stderr as it arrives. */
  onStderrLine?: (line: string) => void
  /** Called with each non-blank line of stdout as it arrives (then `stdout` is consumed). */
  onStdoutLine?: (line: string) => void
  /**
   * A process group of its own (POSIX; default true). Node makes it a new session, without the
   * terminal: sudo's cached credentials are tied to the terminal, so the installer opts out.
   */
  ownGroup?: boolean
  /**
   * With a Readable `stdin`: when the child stops reading before its end and then exits 0, the
   * rest of the feed is still read (and discarded), so that a stage in it sees the whole input
   * (verify's digest of the archive the load read); a child that fails stops the feed at once.
   */
  feedToEnd?: boolean
}

export interface Child {
  /** Its output; an empty stream when stdout is ignored. */
  readonly stdout: Readable
  /** Its input, with `stdin: 'pipe'` (see stoppedReading for writing into it). */
  readonly stdin: Writable | null
  readonly pid?: number
  /**
   * Settles once the child exited and its stdin feed settled: resolves on exit status 0,
   * rejects with a ChildProcessError, or with the error of the stream that fed it.
   */
  readonly done: Promise<void>
  /** The stderr tail so far. */
  stderr(): string
  /** Signals the child's process group (default SIGTERM). */
  kill(signal?: NodeJS.Signals): void
}

const live = new Set<ChildProcess>()
/** Set once the run is being cancelled (cancelChildren): no new child starts after it. */
let cancelled: NodeJS.Signals | undefined
/** Whether each live child leads a process group of its own. */
const groups = new WeakMap<ChildProcess, boolean>()
const isPosix = process.platform !== 'win32'

/** util-linux's setpriv, where it can set a parent-death signal (null: not here); looked up once. */
let setpriv: string | null | undefined

/**
 * The program that starts `program` with a parent-death signal (Linux: `setpriv --pdeathsig
 * SIGTERM`, util-linux 2.33+, on every Ubuntu runner image), or undefined where there is none or
 * `program` is not an executable (a path, or a name on the PATH of `env`): then it starts as it
 * is, and a missing program is told as spawn tells it. The kernel sends SIGTERM to the child
 * once this process is gone however it went — SIGKILL, the OOM killer, a runner that kills only
 * the action's process — which the cancel's own stopping of children (cancelChildren) cannot
 * do: a pg_restore -d whose input had all arrived would otherwise run its post-data section on
 * and commit with none of the checks that follow it (attacker a41 F4); on SIGTERM it cancels
 * its statement and exits, and the server rolls its transaction back. Children run in process
 * groups of their own, so a kill of the action's group misses them too.
 */
function deathSignalWrapper(program: string, env: NodeJS.ProcessEnv): string | undefined {
  if (process.platform !== 'linux') return undefined
  if (setpriv === undefined) {
    setpriv = null
    for (const candidate of ['/usr/bin/setpriv', '/bin/setpriv']) {
      try {
        accessSync(candidate, constants.X_OK)
        const help = spawnSync(candidate, ['--help'], { encoding: 'utf8', timeout: 5000 })
        if (help.status === 0 && help.stdout.includes('--pdeathsig')) setpriv = candidate
        break
      } catch {
        // not here
      }
    }
  }
  return setpriv && findProgram(program, env) ? setpriv : undefined
}

/** Starts `program` (a path, or a name found on the environment's PATH). */
export function startChild(program: string, args: string[], options: StartOptions = {}): Child {
  const feed = options.stdin
  if (cancelled) return refusedChild(program, feed)
  const env = options.env ?? childEnvironment()
  const wrapper = options.ownGroup !== false ? deathSignalWrapper(program, env) : undefined
  const child = spawn(
    wrapper ?? program,
    wrapper ? ['--pdeathsig', 'SIGTERM', '--', program, ...args] : args,
    {
      env,
      stdio: [feed ? 'pipe' : 'ignore', options.stdout ?? 'pipe', 'pipe'],
      shell: false,
      windowsHide: true,
      // a group of its own: signalling the group reaches the processes it started
      detached: isPosix && options.ownGroup !== false
    }
  )
  const grouped = isPosix && options.ownGroup !== false
  live.add(child)
  let tail = ''
  /** Error lines the tail lost (a long statement echoed after its error: psql --echo-errors). */
  let lost = ''
  const stderrText = (): string => (lost ? `${lost}\n${tail}` : tail)
  child.stderr!.setEncoding('utf8')
  child.stderr!.on('data', (chunk: string) => {
    const all = tail + chunk
    if (all.length > STDERR_TAIL && lost.length < STDERR_KEPT_LINES) {
      for (const line of all.slice(0, all.length - STDERR_TAIL).split('\n'))
        if (ERROR_LINE.test(line) && lost.length < STDERR_KEPT_LINES)
          lost += `${lost ? '\n' : ''}${line.slice(0, 2000)}`
    }
    tail = all.slice(-STDERR_TAIL)
  })
  const stderrLines = options.onStderrLine && lines(child.stderr!, options.onStderrLine)
  const stdoutLines =
    options.onStdoutLine && child.stdout && lines(child.stdout, options.onStdoutLine)
  const kill = (signal: NodeJS.Signals = 'SIGTERM'): void => signalChild(child, signal, grouped)
  groups.set(child, grouped)
  const exited = new Promise<void>((resolve, reject) => {
    child.on('error', error => {
      if (child.pid === undefined) live.delete(child) // it never started
      reject(new ChildProcessError(program, null, null, stderrText(), error))
    })
    // killed by a signal (ours, or the system's): its output is no use any more, and a reader
    // that stopped taking it (a failed pipeline) would keep its stdout open, so 'close' would
    // never come and the child would never count as exited (a backup once waited forever here)
    child.on('exit', (_code, signal) => {
      if (signal) child.stdout?.destroy()
    })
    child.on('close', (code, signal) => {
      live.delete(child)
      stderrLines?.end()
      stdoutLines?.end()
      if (code === 0) resolve()
      else reject(new ChildProcessError(program, code, signal, stderrText()))
    })
  })
  exited.catch(() => undefined) // reported through `done`
  // a child that stops reading: its exit status decides, not the broken pipe (EPIPE)
  child.stdin?.on('error', () => undefined)
  let fed: Promise<void> = Promise.resolve()
  if (feed && feed !== 'pipe') {
    const into = options.feedToEnd ? new UntilExit(child.stdin!, exited) : child.stdin!
    fed = pipeline(feed, into).catch((error: NodeJS.ErrnoException) => {
      if (stoppedReading(error, child.stdin!)) return
      kill() // the feed failed: the child must not take a partial input for a whole one
      throw error
    })
  }
  const done = Promise.allSettled([fed, exited]).then(([feeding, exit]) => {
    if (feeding.status === 'rejected') throw feeding.reason
    if (exit.status === 'rejected') throw exit.reason
  })
  done.catch(() => undefined) // the caller awaits it when it needs to
  return {
    stdout: child.stdout ?? Readable.from([]),
    stdin: feed === 'pipe' ? child.stdin : null,
    pid: child.pid,
    done,
    stderr: stderrText,
    kill
  }
}

/**
 * Writes into a child's stdin while it reads; once it stopped reading (its stdin closed or
 * broken), takes the rest without writing it if the child exits 0, and fails as the child
 * stopping reading does (ERR_STREAM_DESTROYED: {@link stoppedReading}) if it does not.
 */
class UntilExit extends Writable {
  private gone = false
  private waiting?: (error?: Error | null) => void

  constructor(
    private readonly stdin: Writable,
    private readonly exited: Promise<void>
  ) {
    super()
    const stop = (): void => {
      if (this.gone) return
      this.gone = true
      const waiting = this.waiting
      this.waiting = undefined
      if (waiting) this.afterExit(waiting)
    }
    stdin.on('error', stop)
    stdin.on('close', stop)
  }

  override _write(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: (e?: Error | null) => void
  ): void {
    if (this.gone) return this.afterExit(callback)
    if (this.stdin.write(chunk)) return callback()
    this.waiting = callback
    this.stdin.once('drain', () => {
      const waiting = this.waiting
      this.waiting = undefined
      waiting?.()
    })
  }

  /**
   * Finished only once the child's stdin is (everything queued for it written, its end given):
   * a write into a full pipe is queued and can still report room, so the last chunks may wait
   * in the socket when the feed ends here. Finished earlier, the stream destroyed itself
   * (autoDestroy), the socket and its queue with it, and the child read a cut input as whole.
   */
  override _final(callback: (error?: Error | null) => void): void {
    if (this.gone) return callback()
    const settle = (): void => {
      this.stdin.off('finish', settle)
      this.stdin.off('close', settle)
      // closed before it finished: the child stopped reading, and its exit status decides
      if (this.stdin.writableFinished) callback()
      else this.afterExit(callback)
    }
    this.stdin.on('finish', settle)
    this.stdin.on('close', settle)
    this.stdin.end()
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // given up before its end (the feed failed): the child must not wait for the rest
    if (!this.gone && !this.writableFinished) this.stdin.destroy()
    callback(error)
  }

  private afterExit(callback: (error?: Error | null) => void): void {
    this.exited.then(
      () => callback(),
      () => {
        const stopped: NodeJS.ErrnoException = new Error('the child stopped reading and failed')
        stopped.code = 'ERR_STREAM_DESTROYED'
        callback(stopped)
      }
    )
  }
}

/**
 * A child that is not started because the run is being cancelled: `done` rejects at once, and
 * the stream that would have fed it is destroyed (its reader is gone).
 */
function refusedChild(program: string, feed: StartOptions['stdin']): Child {
  if (feed && feed !== 'pipe') feed.destroy()
  const done = Promise.reject(
    new ChildProcessError(
      program,
      null,
      null,
      '',
      new Error(`the run was cancelled (${cancelled}): no new program is started`)
    )
  )
  done.catch(() => undefined)
  return {
    stdout: Readable.from([]),
    stdin: null,
    done,
    stderr: () => '',
    kill: () => undefined
  }
}

/** Calls `each` with every non-blank line of `stream` (UTF-8); end() flushes the last one. */
function lines(stream: Readable, each: (line: string) => void): { end(): void } {
  let partial = ''
  stream.setEncoding('utf8')
  stream.on('data', (chunk: string) => {
    const split = (partial + chunk).split('\n')
    partial = split.pop() ?? ''
    for (const line of split) if (line.trim()) each(line.replace(/\r$/, ''))
  })
  return {
    end: () => {
      if (partial.trim()) each(partial)
      partial = ''
    }
  }
}

/**
 * A stream feeding a child's stdin failed because the child closed it (it exited, or needed no
 * more): then its exit status decides. Anything else is a failure of the feeding side.
 */
export function stoppedReading(error: NodeJS.ErrnoException, stdin: Writable): boolean {
  if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') return true
  // the child exited with writes still pending: Node destroys its stdin and cancels them
  if (error.code === 'ECANCELED') return true
  return error.code === 'ERR_STREAM_PREMATURE_CLOSE' && stdin.closed
}

/** Runs a program to its end and returns its whole stdout (for short outputs: --version, lists). */
export async function runChild(
  program: string,
  args: string[],
  options: Omit<StartOptions, 'stdout'> = {}
): Promise<string> {
  const child = startChild(program, args, options)
  let stdout = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  await child.done
  return stdout
}

function signalChild(
  child: ChildProcess,
  signal: NodeJS.Signals,
  grouped = groups.get(child) ?? false
): void {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return
  try {
    if (grouped) process.kill(-child.pid, signal)
    else child.kill(signal)
  } catch {
    child.kill(signal) // the group is gone already; the child itself may not be
  }
}

/** How many children are running now (tests check that none outlives its operation). */
export function liveChildren(): number {
  return live.size
}

/**
 * Stops every running child and what it started: SIGTERM to its process group, then SIGKILL
 * after `graceMs`. Resolves once all have exited.
 */
export async function stopAllChildren(graceMs = 5000): Promise<void> {
  const children = [...live]
  if (children.length === 0) return
  const gone = children.map(
    child =>
      new Promise<void>(resolve => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve()
        // 'exit', not only 'close': a stream of its that no one reads any more (a pipeline torn
        // down by the cancel) never ends, so 'close' may never come once the process is gone
        child.once('exit', () => resolve())
        child.once('close', () => resolve())
      })
  )
  for (const child of children) {
    signalChild(child, 'SIGTERM')
    // a child frozen by the cancel (freezeChildren) takes its SIGTERM once continued: it dies
    // before it runs again (the kernel delivers the pending signal first)
    if (frozen.has(child)) signalChild(child, 'SIGCONT')
  }
  endWatchdogs()
  const timer = setTimeout(() => {
    for (const child of children) signalChild(child, 'SIGKILL')
  }, graceMs)
  await Promise.all(gone)
  clearTimeout(timer)
}

/**
 * The run is being cancelled (the runner signalled the action, Ctrl-C): from now on no child
 * starts (startChild gives one whose `done` rejects), and every running child is stopped as
 * stopAllChildren() does. A psql or pg_restore stopped this way never commits: its connection
 * ends mid-transaction, and the server rolls it back. With `whileFrozen`, the children are first
 * frozen where they are (freezeChildren) while `look` runs, at most `ms` ms (the cancel reads the
 * loaders' server sessions: what their transactions come to is then known even when a session
 * ends the moment its client dies). Resolves once all have exited.
 */
export async function cancelChildren(
  signal: NodeJS.Signals,
  graceMs = 2000,
  whileFrozen?: { look: () => Promise<unknown>; ms: number }
): Promise<void> {
  cancelled ??= signal
  for (const hook of [...cancelHooks]) {
    try {
      hook(signal)
    } catch {
      // a hook that fails must not keep the others, or the children, from being stopped
    }
  }
  if (whileFrozen && freezeChildren()) {
    let timer: NodeJS.Timeout | undefined
    await Promise.race([
      whileFrozen.look().catch(() => undefined),
      new Promise(resolve => (timer = setTimeout(resolve, whileFrozen.ms)))
    ])
    clearTimeout(timer)
  }
  await stopAllChildren(graceMs)
}

/** Children stopped (SIGSTOP) by freezeChildren: stopAllChildren continues them to end. */
const frozen = new WeakSet<ChildProcess>()

/**
 * Stops every live child where it is (SIGSTOP to its process group: not on Windows), so that a
 * loader sends nothing more — no COMMIT — while the cancel looks at its server session: a psql
 * killed at once, its session waiting for input, ends that session on the server before anyone
 * could read its transaction's ID, and what became of the load is then unknown (CI run of
 * 8edcc14: "may hold the restored data" of a load the server rolled back). Returns whether any
 * child was frozen. Kept short by the caller: a frozen child whose parent is killed (SIGKILL)
 * in the meantime takes its parent-death SIGTERM (deathSignalWrapper) only once continued.
 */
function freezeChildren(): boolean {
  if (process.platform === 'win32') return false
  const children = [...live].filter(
    c => c.exitCode === null && c.signalCode === null && c.pid !== undefined
  )
  if (children.length === 0) return false
  // a frozen child whose parent is killed (SIGKILL, the OOM killer) in the meantime would stay
  // stopped, its session holding its transaction and locks: pg_restore handles SIGTERM, so its
  // parent-death SIGTERM waits for a SIGCONT (attacker a49 F1). A watchdog of its own group,
  // not frozen, continues them after a while whatever becomes of this process; none to be had:
  // no freeze
  const targets = children.map(c => (groups.get(c) ? `-${c.pid}` : String(c.pid)))
  let watchdog: ChildProcess
  try {
    watchdog = spawn(
      '/bin/sh',
      [
        '-c',
        `sleep ${FROZEN_AT_MOST_S}; ${targets.map(t => `kill -CONT ${t} 2>/dev/null`).join('; ')}`
      ],
      // the allowed environment only (no input's copy, no token reaches /proc/…/environ)
      { detached: true, stdio: 'ignore', env: childEnvironment() }
    )
  } catch {
    return false
  }
  if (watchdog.pid === undefined) return false
  watchdog.on('error', () => undefined)
  watchdog.unref()
  watchdogs.add(watchdog)
  for (const child of children) {
    signalChild(child, 'SIGSTOP')
    frozen.add(child)
  }
  return true
}

/** Seconds after which a frozen child is continued by its watchdog (see freezeChildren). */
const FROZEN_AT_MOST_S = 3

/** The watchdogs of freezeChildren: ended once the children were continued here. */
const watchdogs = new Set<ChildProcess>()

const cancelHooks = new Set<(signal: NodeJS.Signals) => void>()

/**
 * What else must stop when the run is cancelled: a phase that runs no child (SQL on the
 * engine's own sessions: counting rows, comparing, checking) would otherwise go on to its end,
 * and the run with it. `hook` runs once at the cancel (at once if the run is already
 * cancelled); the returned function unregisters it.
 */
export function onCancel(hook: (signal: NodeJS.Signals) => void): () => void {
  if (cancelled) {
    hook(cancelled)
    return () => undefined
  }
  cancelHooks.add(hook)
  return () => cancelHooks.delete(hook)
}

/** The signal that cancelled the run (cancelChildren), if it was. */
export function cancelledBy(): NodeJS.Signals | undefined {
  return cancelled
}

/**
 * Throws once the run is cancelled: a phase that would look for, install or run a program (or
 * plan with one) goes no further — its programs would be refused (refusedChild), and the refusal
 * read as a missing client (trial u26 F2: "No suitable pg_restore is installed … installing").
 */
export function stopIfCancelled(): void {
  if (cancelled) throw new EngineError(`the run was cancelled (${cancelled})`)
}

/**
 * Ends every live child and what it started now (SIGKILL to its process group: a frozen one
 * too), and the freeze's watchdogs, which would otherwise outlive the run and signal a process
 * group whose ID may be reused by then (attacker a53 F2: a second signal during the freeze).
 */
export function killAllChildren(): void {
  for (const child of live) signalChild(child, 'SIGKILL')
  endWatchdogs()
}

/** Ends the freeze's watchdogs (their process groups): the children were continued or killed. */
function endWatchdogs(): void {
  for (const watchdog of watchdogs) {
    watchdogs.delete(watchdog)
    try {
      process.kill(-watchdog.pid!, 'SIGKILL')
    } catch {
      // gone
    }
  }
}

/**
 * The executable `program` on the PATH of `env` (default process.env), as a spawn with that
 * environment would find it; undefined when there is none. (@actions/io's which() reads only
 * process.env's PATH; the installer looks programs up in the environment it runs them with.)
 */
export function findProgram(
  program: string,
  env: NodeJS.ProcessEnv = process.env
): string | undefined {
  const extensions =
    process.platform === 'win32' ? ['', ...(env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';')] : ['']
  // a path (absolute, or relative to the working directory: pg-bin-dir: .pg/bin) is taken as
  // it is, as spawn takes it; only a bare name is looked up on the PATH
  const candidates = path.isAbsolute(program)
    ? [program]
    : program.includes('/') || program.includes(path.sep)
      ? [path.resolve(program)]
      : // an empty entry is the working directory, as for spawn (execvp): re-attack a45 F2
        (env.PATH === undefined ? [] : env.PATH.split(path.delimiter)).map(dir =>
          path.join(dir === '' ? process.cwd() : dir, program)
        )
  for (const candidate of candidates) {
    for (const extension of extensions) {
      try {
        accessSync(candidate + extension, constants.X_OK)
        // a directory of that name is no program (X_OK holds for a folder one may enter)
        if (!statSync(candidate + extension).isFile()) continue
        return candidate + extension
      } catch {
        // not here
      }
    }
  }
  return undefined
}

/**
 * The child's stdout, ending only once the child exited 0, and failing with its error otherwise:
 * whoever reads it never takes the output of a failed program for a whole one.
 */
export function checkedOutput(child: Child): Readable {
  const output = new Transform({
    transform: (chunk, _encoding, callback) => callback(null, chunk),
    flush: callback => void child.done.then(() => callback(), callback)
  })
  child.stdout.on('error', error => output.destroy(error))
  child.done.catch(error => output.destroy(error))
  child.stdout.pipe(output)
  // the reader went away: the child must not wait for it
  output.on('close', () => {
    if (output.writableFinished) return
    child.kill()
    // what it still writes, or wrote and no one read, goes nowhere: its stdout must end for the
    // child to count as exited (one that exited 0 meanwhile would otherwise never be done)
    child.stdout.destroy()
  })
  return output
}
