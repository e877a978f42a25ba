/**
 * The one way the engine reports what it does: a small Log, with the action's implementation
 * (@actions/core: workflow commands that the runner turns into collapsible groups, annotations
 * and masked lines) and the terminal's (the CLI: headings, plain lines, a progress bar on a TTY,
 * every known secret redacted). Engine modules write to `log`; a front door picks the
 * implementation once with useLog() (the action's is the default).
 */
import * as core from '@actions/core'
import { AsyncLocalStorage } from 'node:async_hooks'

export type ProgressStyle = 'lines' | 'bar'

export interface Log {
  info(message: string): void
  warning(message: string): void
  notice(message: string): void
  /** Shown only when asked for (the runner's debug logging, the CLI's --verbose). */
  debug(message: string): void
  /** Runs one phase under a heading: a collapsible group in the runner's log. */
  group<T>(name: string, fn: () => Promise<T>): Promise<T>
  /** 'lines': a progress line every ~10 s (CI logs); 'bar': one line redrawn in place. */
  readonly progressStyle: ProgressStyle
  /** Shows a progress line; with the 'bar' style it replaces the last one, `done` ends it. */
  progress(line: string, done?: boolean): void
}

/**
 * Text for the runner's log that no line of can be read as a workflow command: a line (after
 * any \n, \r, U+2028 or U+2029) that begins, white space aside (U+0085 too), with `::` (::add-mask::,
 * ::set-output, ::error…), and the older `##[` wherever it stands (the runner's older parser
 * looks for it anywhere in a line: ActionCommand.TryParse; attacker a59 F2, a table named
 * `t ##[error]…` in a skipped statement's line), get a zero-width space inside that token.
 * Names and messages from elsewhere (a manifest, an archive, the server) reach the log through
 * this; warnings, notices, debug lines and group names are escaped by @actions/core itself.
 */
export function neutraliseCommands(text: string): string {
  return (
    text
      // \s and U+0085 (NEL), which .NET's TrimStart() strips too (attacker a60 F4)
      .replace(/^([\s\u0085]*)::/gmu, (_all, space: string) => `${space}:\u200b:`)
      .replace(/##\[/g, '#\u200b#[')
  )
}

/** Control characters a terminal would act on (escape sequences, bells), but \n and \t. */
// eslint-disable-next-line no-control-regex -- control characters are what it removes
const TERMINAL_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g

/** Text for a terminal: control characters shown as `\xNN` instead of acted on. */
export function neutraliseControls(text: string): string {
  return text.replace(TERMINAL_CONTROLS, c => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
}

/** The runner's log, through @actions/core (secrets are masked by the runner). */
export const actionLog: Log = {
  info: message => core.info(neutraliseCommands(message)),
  warning: message => core.warning(message),
  notice: message => core.notice(message),
  debug: message => core.debug(message),
  group: (name, fn) => core.group(name, fn),
  progressStyle: 'lines',
  progress: line => core.info(neutraliseCommands(line))
}

export interface TerminalLogOptions {
  verbose: boolean
  /** Applied to every text shown: replaces the known secrets. */
  redact: (text: string) => string
  /** Where progress goes; a bar when it is a terminal. Default process.stderr. */
  progressTo?: NodeJS.WriteStream
}

/** A terminal's log (the CLI): lines on stdout, groups as headings, progress on stderr. */
export function terminalLog(options: TerminalLogOptions): Log {
  const say = (text: string): void =>
    void process.stdout.write(`${neutraliseControls(options.redact(text))}\n`)
  const progressTo = options.progressTo ?? process.stderr
  return {
    info: say,
    warning: message => say(`warning: ${message}`),
    notice: message => say(`notice: ${message}`),
    debug: message => {
      if (options.verbose) say(`debug: ${message}`)
    },
    group: async (name, fn) => {
      say(`\n▸ ${name}`)
      return fn()
    },
    progressStyle: progressTo.isTTY ? 'bar' : 'lines',
    progress: (line, done) => {
      if (!progressTo.isTTY) return say(line)
      progressTo.write(`\r${neutraliseControls(options.redact(line))}\x1b[K${done ? '\n' : ''}`)
    }
  }
}

let current: Log = actionLog

/** Chooses the implementation every later `log` call goes to. */
export function useLog(next: Log): void {
  current = next
}

/** The info lines of work that runs in the background, held (holdingLines). */
const held = new AsyncLocalStorage<string[]>()

/**
 * Runs `work` with its info lines held instead of shown (warnings still are): work begun in the
 * background whose lines would land inside another phase's group, or after a failure that
 * ended the run (trial u39 F5: "Chose artifact …" after the backup's error). The caller shows
 * `lines` where the result is used.
 */
export async function holdingLines<T>(
  work: () => Promise<T>
): Promise<{ result: T; lines: string[] }> {
  const lines: string[] = []
  const result = await held.run(lines, work)
  return { result, lines }
}

/** The log in use (see useLog): each call goes to the implementation chosen last. */
export const log: Log = new Proxy({} as Log, {
  get: (_target, key: keyof Log) => {
    const lines = key === 'info' ? held.getStore() : undefined
    return lines ? (message: string) => void lines.push(message) : current[key]
  }
})

/** Bytes for people: "1.5 MB" (binary multiples, as `ls -h`). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`
}

/** Starts timing: the returned function gives the seconds since, to a tenth. */
export function stopwatch(): () => number {
  const started = Date.now()
  return () => Math.round((Date.now() - started) / 100) / 10
}

/** Seconds for people: "12.3 s", "4 min 5 s". */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`
  const m = Math.floor(seconds / 60)
  const s = Math.round(seconds % 60)
  return `${m} min ${s} s`
}

/**
 * A count with its noun, singular for exactly one: plural(1, 'table') is '1 table',
 * plural(3, 'table') '3 tables', plural(2, 'entry', 'entries') '2 entries'. Every count the action
 * shows goes through this.
 */
export function plural(
  n: number | bigint | string,
  singular: string,
  pluralForm = `${singular}s`
): string {
  return `${n} ${Number(n) === 1 ? singular : pluralForm}`
}
