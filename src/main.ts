/**
 * The action's entry: read and validate the inputs, mask the secrets, run the mode, set the
 * outputs and write the job summary — on failure too, with an error about an option described
 * by its input (describeForInputs) — then let the error reach index.ts.
 */
import * as core from '@actions/core'
import {
  type ActionInputs,
  Inputs,
  describeForInputs,
  maskedWordWarning,
  maxAgeNotice,
  defaultDatabaseNotice,
  droppedParametersNotice,
  getHeartbeatUrl,
  getInputs,
  readActionInput
} from './inputs.js'
import { CheckError, EngineError } from './errors.js'
import { Heartbeat } from './heartbeat.js'
import { changeWarnings } from './manifest-changes.js'
// the modes are imported when run: a backup does not load (parse and initialize) the restore's
// modules, nor a restore the backup's (start-up time and the process's peak memory)
import type { BackupResult } from './modes/backup.js'
import type { CheckResult } from './modes/check.js'
import type { RestoreResult } from './modes/restore.js'
import type { VerifyResult } from './modes/verify.js'
import { LOAD_PHASE } from './types.js'
import { type Log, actionLog, log, useLog, plural } from './log.js'
import {
  commitOutcome,
  notePartialLoad,
  partialLoadNote,
  resetCommitMark
} from './postgres/commit.js'
import { databaseUrlSecrets, parseDatabaseUrl } from './postgres/connection.js'
import type { OwnSessionsEnded } from './postgres/session.js'
import { cancelChildren, cancelledBy, killAllChildren } from './process.js'
import {
  redact,
  redactOutput,
  registerSecret,
  registerSecrets,
  SHORT_SECRET,
  shortSecrets
} from './secrets.js'
import { removeWorkDirsNow } from './storage/local.js'
import {
  type FailureContext,
  backupSummaryMarkdown,
  checkSummaryMarkdown,
  describeAftermath,
  type PhaseTime,
  failureSummaryMarkdown,
  materializedViewsDiffer,
  phaseTimesMarkdown,
  restoreSummaryMarkdown,
  restoredTables,
  verifySummaryMarkdown,
  writeSummary
} from './summary.js'

/**
 * The phases (log groups) the run entered and finished: what a failure summary may claim; and
 * each phase's time, in the order they began, for the summary's "Phase | s" table.
 */
const phases = {
  started: new Set<string>(),
  finished: new Set<string>(),
  timings: [] as Array<{ name: string; startedAt: number; seconds?: number }>
}

/** A log that records the phases it runs (see `phases`) and how long each took, around `inner`. */
export function phaseLog(inner: Log): Log {
  return {
    ...inner,
    group: async (name, fn) => {
      stopIfCancelled()
      phases.started.add(name)
      const timing: (typeof phases.timings)[number] = { name, startedAt: Date.now() }
      phases.timings.push(timing)
      const result = await inner.group(name, fn)
      timing.seconds = (Date.now() - timing.startedAt) / 1000
      phases.finished.add(name)
      // a phase that ran no program and no SQL after the cancel (an upload, a comparison)
      // ends the run here: no phase starts, and no run succeeds, once the run is cancelled
      stopIfCancelled()
      return result
    }
  }
}

/** A cancelled run goes no further (its error is cancellationError's, given by run()). */
function stopIfCancelled(): void {
  const signal = cancelledBy()
  if (signal) throw new EngineError(`the run was cancelled (${signal})`)
}

/** Each phase's duration so far; one still running when the run ended is marked unfinished. */
function phaseTimes(): PhaseTime[] {
  const now = Date.now()
  return phases.timings.map(t => ({
    name: t.name,
    seconds: t.seconds ?? (now - t.startedAt) / 1000,
    finished: t.seconds !== undefined
  }))
}

/** What the run got to, for the failure summary (it claims only what was checked). */
function failureContext(mode: string, singleTransaction: boolean | undefined): FailureContext {
  if (mode === 'backup') return { mode, backupKept, undone: backupUndone }
  if (mode !== 'restore' && mode !== 'verify') return { mode }
  const load = phases.finished.has(LOAD_PHASE)
    ? 'committed'
    : phases.started.has(LOAD_PHASE)
      ? {
          unknown: 'committing' as const,
          committed: 'committed' as const,
          'rolled-back': 'interrupted' as const
        }[commitOutcome()]
      : 'not-started'
  return {
    mode,
    load,
    singleTransaction: singleTransaction ?? true,
    ...(cancelledBy() ? { cancelled: true } : {}),
    ...(partialLoadNote() ? { partialNote: partialLoadNote() } : {})
  }
}

/**
 * For the command line's last line (it writes no summary): what a failed restore or verify left
 * when its load had been committed, or was committing — which the error alone does not say
 * (attacker a84 F3: "✖ write EPIPE" after a committed restore, as if nothing was kept).
 * Undefined for any other failure.
 */
export function committedAftermath(): string | undefined {
  const context = failureContext(failedMode, failedSingleTransaction)
  if (context.load !== 'committed' && context.load !== 'committing') return undefined
  return describeAftermath(context, 'cli').replace(/ Temporary files were removed\.$/, '')
}

/** Whether the failure summary was written (once: by run(), or by a cancelled run's end). */
let summaryWritten: Promise<void> | undefined
let failedMode = 'backup'
/** The backup was made and kept (a later check, e.g. fail-on-row-loss, failed the step). */
let backupKept = false
/** A failed backup: what had reached storage and was undone (destinations' abort). */
let backupUndone: string | undefined
let failedSingleTransaction: boolean | undefined

/**
 * Writes the failure summary once; a second caller (a cancelled run's end, while run() still
 * writes it) waits for that write, so that the process does not end with the summary unwritten.
 */
async function writeFailureSummary(error: unknown): Promise<void> {
  summaryWritten ??= writeSummary(
    failureSummaryMarkdown(failureContext(failedMode, failedSingleTransaction), error) +
      phaseTimesMarkdown(phaseTimes())
  )
  await summaryWritten
}

/**
 * What a run is (its mode; for a restore or verify, whether it loads in one transaction), for
 * what a failure or a cancellation may say the target was left with. run() records it; the CLI
 * too, which also logs through phaseLog.
 */
export function recordRunShape(mode: string, singleTransaction?: boolean): void {
  failedMode = mode
  failedSingleTransaction = singleTransaction
}

/** The run's own server sessions after a cancel (endOwnSessions); undefined: not (yet) known. */
let sessionsAfterCancel: OwnSessionsEnded | undefined
/** Settles once stopOnSignals has ended them (or given up); undefined before a cancel. */
let sessionsEnding: Promise<unknown> | undefined

/**
 * Settles once a cancelled run's server sessions were ended (or given up on, after at most
 * stopOnSignals' `sessionsMs`): its message (cancellationError) then says what became of them.
 */
export async function cancelSettled(): Promise<void> {
  await sessionsEnding
}

/** What became of the run's server sessions, as far as it is known (for the cancel's message). */
function sessionsWords(found: OwnSessionsEnded | undefined): string {
  if (!found) {
    return ', its sessions on the server end once the server notices the cut (it rolls back what they did; a statement it is running may finish first)'
  }
  const parts: string[] = []
  if (found.ended > 0) parts.push(`${plural(found.ended, 'session')} of it on the server ended`)
  if (found.left.length > 0) {
    parts.push(
      `${plural(found.left.length, 'session')} of it on the server (PID ${found.left.join(', ')}) told to end but still ending when it stopped waiting (the server rolls back what ${found.left.length === 1 ? 'it' : 'they'} did)`
    )
  }
  if (found.unreachable > 0) {
    parts.push(
      'its sessions on the server not ended from a new session (none could be opened): they end once the server notices the cut'
    )
  }
  return parts.length > 0 ? `, ${parts.join(', ')}` : ''
}

/**
 * The error a cancelled run ends with: the signal, what was done about it, and what the target
 * (or scratch database) was left with, as far as the phases reached tell (describeAftermath).
 */
export function cancellationError(signal: NodeJS.Signals): EngineError {
  const context = failureContext(failedMode, failedSingleTransaction)
  const target =
    context.load === undefined || context.mode === 'backup'
      ? ''
      : ` ${describeAftermath(context).replace(/ Temporary files were removed\.$/, '')}${
          context.load === 'interrupted' && context.singleTransaction === false
            ? ' Restore again with clean: true (into the same target), or into an empty database.'
            : ''
        }`
  return new EngineError(
    `the run was cancelled (${signal}): every program it had started (pg_dump, pg_restore, psql) was stopped, none is left running${sessionsWords(sessionsAfterCancel)}, and its temporary files were removed.${target}${sessionsAfterCancel?.notes.length ? ` ${sessionsAfterCancel.notes.join(' ')}` : ''}`
  )
}

export async function run(): Promise<void> {
  // one run per process on a runner; tests run several: each starts with nothing recorded
  summaryWritten = undefined
  notePartialLoad(undefined)
  sessionsAfterCancel = undefined
  sessionsEnding = undefined
  backupKept = false
  backupUndone = undefined
  failedSingleTransaction = undefined
  phases.started.clear()
  phases.finished.clear()
  resetCommitMark()
  phases.timings.length = 0
  useLog(phaseLog(actionLog))
  // mask the URL before anything could print it, even when other inputs are invalid
  // (and every piece of what could be its password, if it is not percent-encoded)
  registerSecrets(databaseUrlSecrets(readActionInput(Inputs.DatabaseUrl).trim()))
  registerSecrets(databaseUrlSecrets(readActionInput(Inputs.VerifyDatabaseUrl).trim()))
  registerSecret(readActionInput(Inputs.GithubToken).trim())
  registerSecret(readActionInput(Inputs.SigningKey).trim())
  registerSecret(readActionInput(Inputs.EncryptionPassphrase))
  for (const line of readActionInput(Inputs.DecryptionIdentity).split(/[\n,]/)) {
    registerSecret(line.trim())
  }
  // the ping URL may carry the check's key: masked like the other secrets
  const heartbeatUrl = readActionInput(Inputs.HeartbeatUrl).trim()
  registerSecret(heartbeatUrl)
  let mode = readActionInput(Inputs.Mode).trim() || 'backup'
  failedMode = mode
  let heartbeat = new Heartbeat(undefined)
  const started = Date.now()
  try {
    heartbeat = new Heartbeat(getHeartbeatUrl())
    heartbeat.start(redact(`${mode} started`))
    const inputs: ActionInputs = getInputs()
    mode = inputs.mode
    const unitless = maxAgeNotice()
    if (unitless) log.notice(unitless)
    recordRunShape(
      inputs.mode,
      inputs.mode === 'restore' || inputs.mode === 'verify' ? inputs.singleTransaction : undefined
    )
    if (inputs.mode === 'check') {
      if (inputs.source.kind !== 's3') registerSecret(inputs.source.token)
      const { check } = await import('./modes/check.js')
      const result = await check(inputs)
      setCheckOutputs(result)
      await writeSummary(checkSummaryMarkdown(result) + phaseTimesMarkdown(phaseTimes()))
      await heartbeat.finish(
        'success',
        redact(
          `check ok: ${result.checked} made ${result.manifest.createdAt}, ${Math.round(result.ageSeconds)} s old`
        )
      )
      return
    }
    const connection = parseDatabaseUrl(inputs.databaseUrl)
    registerSecrets(connection.secrets)
    if (connection.fromEnvironment) {
      log.info(
        `Taken from the environment, as psql would (the URL does not set them): ${connection.fromEnvironment.join(', ')}.`
      )
    }
    const urlInput = inputs.mode === 'verify' ? Inputs.VerifyDatabaseUrl : Inputs.DatabaseUrl
    const notice = droppedParametersNotice(urlInput, connection.dropped, 'action', inputs.mode)
    if (notice) log.notice(notice)
    const unnamed = defaultDatabaseNotice(urlInput, connection)
    if (unnamed) log.notice(unnamed)
    const masked = maskedWordWarning(urlInput, connection)
    if (connection.password !== undefined && shortSecrets([connection.password]) > 0) {
      log.warning(
        `The password in ${urlInput} is ${connection.password.length} characters long: the runner masks it wherever it occurs, so ordinary text that happens to contain it (sizes, dates, names) shows *** in the log. The step's outputs are kept as they are. Use a longer password (at least ${SHORT_SECRET} characters).`
      )
    } else if (masked) log.warning(masked)
    if (inputs.mode === 'backup') {
      const { backup } = await import('./modes/backup.js')
      const result = await backup(inputs, connection)
      backupKept = true
      setBackupOutputs(result)
      await writeSummary(backupSummaryMarkdown(result) + phaseTimesMarkdown(phaseTimes()))
      const changes = result.manifest.changes
      if (inputs.changes?.failOnRowLoss && changes && changeWarnings(changes).length > 0) {
        throw new CheckError(
          `the backup was made and kept, but compared with the previous one: ${changeWarnings(changes).join('; ')}. The step fails because fail-on-row-loss is true.`
        )
      }
      await heartbeat.finish('success', redact(backupPingBody(result)))
      return
    }
    if (inputs.source.kind === 'artifact' || inputs.source.kind === 'artifact-id') {
      registerSecret(inputs.source.token)
    }
    let result: RestoreResult
    if (inputs.mode === 'verify') {
      const { verify } = await import('./modes/verify.js')
      const verified = await verify(inputs, connection)
      setRestoreOutputs(verified)
      setVerifyOutputs(verified)
      await writeSummary(verifySummaryMarkdown(verified) + phaseTimesMarkdown(phaseTimes()))
      result = verified
    } else {
      const { restore } = await import('./modes/restore.js')
      result = await restore(inputs, connection)
      setRestoreOutputs(result)
      await writeSummary(restoreSummaryMarkdown(result) + phaseTimesMarkdown(phaseTimes()))
    }
    await heartbeat.finish(
      'success',
      redact(
        `${mode} ok: ${plural(restoredTables(result).length, 'table')}, ${plural(result.rowsRestored, 'row')} from ${result.restoredFrom} in ${result.durationSeconds} s`
      )
    )
  } catch (caught) {
    const signal = cancelledBy()
    const undone = (caught as { undone?: unknown } | null)?.undone
    if (typeof undone === 'string') backupUndone = undone
    // cancelled: what became of its server sessions is said (stopOnSignals ends them first)
    if (signal) await sessionsEnding
    const error = signal ? cancellationError(signal) : describeForInputs(caught, 'action', mode)
    if (signal) {
      log.info(
        `The run was cancelled (${signal}); the step failed with: ${redact(String((caught as Error)?.message ?? caught))}`
      )
    }
    await writeFailureSummary(error)
    const message = redact(error instanceof Error ? error.message : String(error))
    const seconds = Math.round((Date.now() - started) / 1000)
    await heartbeat.finish('fail', `${mode} failed after ${seconds} s: ${message.split('\n')[0]}`)
    throw new Error(message)
  }
}

/** What the success ping of a backup says: the file, its size and the time it took. */
function backupPingBody(result: BackupResult): string {
  const m = result.manifest
  const where = result.artifact ? `artifact ${result.artifact.name}` : (result.s3Uri ?? 'file')
  return `backup ok: ${result.fileName}, ${m.file.sizeBytes} bytes, ${plural(m.rowCounts.tables.length, 'table')}, in ${result.durationSeconds} s, to ${where}`
}

function setBackupOutputs(result: BackupResult): void {
  const m = result.manifest
  const outputs: Record<string, string | number> = {
    's3-uri': result.s3Uri ?? '',
    'retention-tier': result.manifest.retention?.tier ?? '',
    'artifact-id': result.artifact?.id ?? '',
    'artifact-name': result.artifact?.name ?? '',
    'artifact-url': result.artifact?.url ?? '',
    'artifact-digest': result.artifact?.digest ?? '',
    'file-name': result.fileName,
    'size-bytes': m.file.sizeBytes,
    sha256: m.file.sha256,
    'server-version': result.serverVersion,
    'pg-dump-version': result.pgDumpVersion,
    'duration-seconds': result.durationSeconds,
    'roles-backed-up':
      result.globals && 'roles' in result.globals ? result.globals.roles.length : ''
  }
  for (const [name, value] of Object.entries(outputs))
    core.setOutput(name, redactOutput(String(value)))
}

function setRestoreOutputs(result: RestoreResult): void {
  const outputs: Record<string, string | number> = {
    'restored-from': result.restoredFrom,
    'tables-restored': restoredTables(result).length,
    'rows-restored': result.rowsRestored,
    'statements-skipped': result.skipped.reduce((n, g) => n + g.count, 0),
    'not-restored': (result.notRestored ?? []).join('\n'),
    'roles-created': result.roles?.created.join(',') ?? '',
    'server-version': result.serverVersion,
    'duration-seconds': result.durationSeconds
  }
  for (const [name, value] of Object.entries(outputs))
    core.setOutput(name, redactOutput(String(value)))
}

function setVerifyOutputs(result: VerifyResult): void {
  const c = result.equality.comparison
  const outputs: Record<string, string | number> = {
    'objects-compared': c?.objectsCompared ?? 0,
    'objects-equal': c?.objectsEqual ?? 0,
    'tables-compared': c?.tablesCompared ?? 0,
    'tables-equal': c?.tablesEqual ?? 0,
    'materialized-views-compared': c?.materializedViewsCompared ?? 0,
    'materialized-views-equal': c?.materializedViewsEqual ?? 0,
    'materialized-views-differ': c ? materializedViewsDiffer(c) : 0,
    'materialized-views-not-compared': c?.materializedViewsNotCompared ?? 0,
    // what was not compared at all, or else each thing left out of the comparison
    'not-compared': result.equality.notCompared ?? c?.notCompared.join('; ') ?? ''
  }
  for (const [name, value] of Object.entries(outputs))
    core.setOutput(name, redactOutput(String(value)))
}

function setCheckOutputs(result: CheckResult): void {
  const outputs: Record<string, string | number> = {
    'backup-checked': result.checked,
    // the name check's output had first; kept for workflows that read it
    'restored-from': result.checked,
    'backup-created-at': result.manifest.createdAt,
    'backup-age-seconds': Math.round(result.ageSeconds),
    'size-bytes': result.manifest.file.sizeBytes,
    sha256: result.manifest.file.sha256
  }
  for (const [name, value] of Object.entries(outputs))
    core.setOutput(name, redactOutput(String(value)))
}

/** How a cancelled run ended: it completed after all, failed (unwound), or ran out of time. */
export type RunOutcome = 'succeeded' | 'failed' | 'unfinished'

/** How long (ms) a second signal still waits for the run's sessions to end (stopOnSignals). */
const SECOND_SIGNAL_SESSIONS_MS = 3000

/**
 * How long (ms) a cancel keeps the programs frozen while it reads their server sessions
 * (process.ts cancelChildren, session.ts noteProgramSessions). Short: a frozen child whose
 * parent dies (SIGKILL) takes its parent-death SIGTERM only once continued — the runner's
 * SIGKILL comes seconds after its first signal, and a second signal kills them (SIGKILL).
 */
const FROZEN_LOOK_MS = 1000

/** The same signal again within this long (ms) is the first one relayed (stopOnSignals). */
const RELAYED_SIGNAL_MS = 1000

/**
 * Cancellation (the runner cancels a job, or times it out, by signalling the action's own
 * process: SIGINT, then SIGTERM about 7.5 s later, then SIGKILL; the programs the action runs
 * are in process groups of their own and get no signal). On the first signal every child is
 * — when a load's COMMIT was already sent, first frozen (SIGSTOP) while the loaders' server
 * sessions are read, at most FROZEN_LOOK_MS — stopped (cancelChildren: SIGTERM, SIGKILL after `graceMs`) and none is started any more, so
 * a psql or pg_restore ends mid-transaction and the server rolls it back; the run then fails
 * through its normal path (the modes remove their temporary files and abort uploads, the job
 * summary is written). If it has not ended `unwindMs` after the children stopped, or at a
 * second signal (another one, or the same after RELAYED_SIGNAL_MS: a terminal's Ctrl-C comes
 * again from npm or tsx, which pass it on), the children are killed, the temporary directories
 * removed and `finish` is called at once. `finish` ends the process. Once the children
 * stopped, the run's own server sessions (their statements may run on after the client is
 * gone) are terminated from a new session and waited for, at most `sessionsMs`
 * (postgres/session.ts endOwnSessions), so that the cancel's message says what became of them.
 */
export function stopOnSignals(
  running: Promise<unknown>,
  finish: (signal: NodeJS.Signals, outcome: RunOutcome) => void | Promise<void>,
  options: { graceMs?: number; unwindMs?: number; sessionsMs?: number } = {}
): void {
  let first: NodeJS.Signals | undefined
  let firstAt = 0
  let finished = false
  const end = (signal: NodeJS.Signals, outcome: RunOutcome): void => {
    if (finished) return
    finished = true
    const finishing = (): void =>
      void Promise.resolve(finish(signal, outcome)).catch(() => undefined)
    if (outcome !== 'unfinished') return finishing()
    killAllChildren()
    removeWorkDirsNow()
    // a second signal before the run's sessions were ended (a Ctrl-C pressed twice): its
    // programs are killed now, and the ending of their sessions the first one began is still
    // waited for, briefly, so that none is left running a statement and the message says what
    // became of them (attacker a41 F3: a loader's session left active, and "the target may hold
    // the restored data" of a load the server rolled back)
    if (sessionsAfterCancel || !sessionsEnding) return finishing()
    void Promise.race([
      sessionsEnding,
      new Promise(resolve => setTimeout(resolve, SECOND_SIGNAL_SESSIONS_MS))
    ]).finally(finishing)
  }
  const onSignal = (signal: NodeJS.Signals): void => {
    // a terminal's Ctrl-C reaches every process of its group, and a wrapper (npm run, tsx)
    // passes it on again: the same signal within a moment is that one cancel, not a second
    if (first === signal && Date.now() - firstAt < RELAYED_SIGNAL_MS) return
    if (first) return end(first, 'unfinished')
    first = signal
    firstAt = Date.now()
    const graceMs = options.graceMs ?? 2000
    const unwindMs = options.unwindMs ?? 4000
    const sessionsMs = options.sessionsMs ?? 5000
    // whatever the children do, the run ends: a bound that does not wait for them to be reaped
    setTimeout(
      () => end(signal, 'unfinished'),
      FROZEN_LOOK_MS + graceMs + sessionsMs + unwindMs + 3000
    )
    // once a load's COMMIT was sent (what it came to is asked of the server later), the
    // loaders' sessions are read while the programs are frozen; once the children stopped, the
    // server sessions of those programs and of the connections cut end too (a statement the
    // server runs would go on until it next reads from the client)
    sessionsEnding = cancelChildren(
      signal,
      graceMs,
      commitOutcome() === 'unknown'
        ? {
            look: () =>
              import('./postgres/session.js').then(({ noteProgramSessions }) =>
                noteProgramSessions(FROZEN_LOOK_MS)
              ),
            ms: FROZEN_LOOK_MS
          }
        : undefined
    )
      .then(() => import('./postgres/session.js'))
      .then(({ endOwnSessions }) => endOwnSessions(sessionsMs))
      .then(
        found => (sessionsAfterCancel = found),
        () => undefined
      )
    void sessionsEnding.then(() => {
      setTimeout(() => end(signal, 'unfinished'), unwindMs)
      running.then(
        () => end(signal, 'succeeded'),
        () => end(signal, 'failed')
      )
    })
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, onSignal)
}

/**
 * The action's own ending of a cancelled run: the failure summary (when the run could not write
 * it itself), the step failed, and the process ended (nothing it started may go on).
 */
export async function finishCancelledAction(
  signal: NodeJS.Signals,
  outcome: RunOutcome
): Promise<void> {
  // it had completed when the signal came: its outputs and summary stand
  if (outcome === 'succeeded') process.exit(0)
  const error = cancellationError(signal)
  await writeFailureSummary(error)
  core.setFailed(redact(error.message))
  process.exit(1)
}
