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
  getHeartbeatUrl,
  getInputs,
  readActionInput
} from './inputs.js'
import { CheckError } from './errors.js'
import { Heartbeat } from './heartbeat.js'
import { changeWarnings } from './manifest-changes.js'
import { backup, type BackupResult } from './modes/backup.js'
import { type CheckResult, check } from './modes/check.js'
import { restore, type RestoreResult } from './modes/restore.js'
import { type VerifyResult, verify } from './modes/verify.js'
import { parseDatabaseUrl } from './postgres/connection.js'
import { redact, registerSecret, registerSecrets } from './secrets.js'
import {
  backupSummaryMarkdown,
  checkSummaryMarkdown,
  failureSummaryMarkdown,
  restoreSummaryMarkdown,
  verifySummaryMarkdown,
  writeSummary
} from './summary.js'

export async function run(): Promise<void> {
  // mask the URL before anything could print it, even when other inputs are invalid
  registerSecret(readActionInput(Inputs.DatabaseUrl).trim())
  registerSecret(readActionInput(Inputs.VerifyDatabaseUrl).trim())
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
  let heartbeat = new Heartbeat(undefined)
  const started = Date.now()
  try {
    heartbeat = new Heartbeat(getHeartbeatUrl())
    heartbeat.start(redact(`${mode} started`))
    const inputs: ActionInputs = getInputs()
    mode = inputs.mode
    if (inputs.mode === 'check') {
      if (inputs.source.kind !== 's3') registerSecret(inputs.source.token)
      const result = await check(inputs)
      setCheckOutputs(result)
      await writeSummary(checkSummaryMarkdown(result))
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
    if (inputs.mode === 'backup') {
      const result = await backup(inputs, connection)
      setBackupOutputs(result)
      await writeSummary(backupSummaryMarkdown(result))
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
      const verified = await verify(inputs, connection)
      setRestoreOutputs(verified)
      setVerifyOutputs(verified)
      await writeSummary(verifySummaryMarkdown(verified))
      result = verified
    } else {
      result = await restore(inputs, connection)
      setRestoreOutputs(result)
      await writeSummary(restoreSummaryMarkdown(result))
    }
    await heartbeat.finish(
      'success',
      redact(
        `${mode} ok: ${result.tables.length} tables, ${result.rowsRestored} rows from ${result.restoredFrom} in ${result.durationSeconds} s`
      )
    )
  } catch (caught) {
    const error = describeForInputs(caught)
    await writeSummary(failureSummaryMarkdown(mode, error))
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
  return `backup ok: ${result.fileName}, ${m.file.sizeBytes} bytes, ${m.rowCounts.tables.length} tables, in ${result.durationSeconds} s, to ${where}`
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
    'duration-seconds': result.durationSeconds
  }
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, redact(String(value)))
}

function setRestoreOutputs(result: RestoreResult): void {
  const outputs: Record<string, string | number> = {
    'restored-from': result.restoredFrom,
    'tables-restored': result.tables.length,
    'rows-restored': result.rowsRestored,
    'statements-skipped': result.skipped.reduce((n, g) => n + g.count, 0),
    'server-version': result.serverVersion,
    'duration-seconds': result.durationSeconds
  }
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, redact(String(value)))
}

function setVerifyOutputs(result: VerifyResult): void {
  const c = result.equality.comparison
  const outputs: Record<string, string | number> = {
    'objects-compared': c?.objectsCompared ?? 0,
    'objects-equal': c?.objectsEqual ?? 0,
    'tables-compared': c?.tablesCompared ?? 0,
    'tables-equal': c?.tablesEqual ?? 0,
    'not-compared': result.equality.notCompared ?? ''
  }
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, redact(String(value)))
}

function setCheckOutputs(result: CheckResult): void {
  const outputs: Record<string, string | number> = {
    'restored-from': result.checked,
    'backup-created-at': result.manifest.createdAt,
    'backup-age-seconds': Math.round(result.ageSeconds),
    'size-bytes': result.manifest.file.sizeBytes,
    sha256: result.manifest.file.sha256
  }
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, redact(String(value)))
}
