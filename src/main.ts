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
  droppedParametersNotice,
  getInputs,
  readActionInput
} from './inputs.js'
import { backup, type BackupResult } from './modes/backup.js'
import { restore, type RestoreResult } from './modes/restore.js'
import { verify } from './modes/verify.js'
import { log } from './log.js'
import { databaseUrlSecrets, parseDatabaseUrl } from './postgres/connection.js'
import { redact, registerSecret, registerSecrets } from './secrets.js'
import {
  backupSummaryMarkdown,
  failureSummaryMarkdown,
  restoreSummaryMarkdown,
  verifySummaryMarkdown,
  writeSummary
} from './summary.js'

export async function run(): Promise<void> {
  // mask the URL before anything could print it, even when other inputs are invalid
  // (and every piece of what could be its password, if it is not percent-encoded)
  registerSecrets(databaseUrlSecrets(readActionInput(Inputs.DatabaseUrl).trim()))
  registerSecrets(databaseUrlSecrets(readActionInput(Inputs.VerifyDatabaseUrl).trim()))
  registerSecret(readActionInput(Inputs.GithubToken).trim())
  registerSecret(readActionInput(Inputs.EncryptionPassphrase))
  for (const line of readActionInput(Inputs.DecryptionIdentity).split(/[\n,]/)) {
    registerSecret(line.trim())
  }
  let mode = 'backup'
  try {
    const inputs: ActionInputs = getInputs()
    mode = inputs.mode
    const connection = parseDatabaseUrl(inputs.databaseUrl)
    registerSecrets(connection.secrets)
    const notice = droppedParametersNotice(
      inputs.mode === 'verify' ? Inputs.VerifyDatabaseUrl : Inputs.DatabaseUrl,
      connection.dropped
    )
    if (notice) log.notice(notice)
    if (inputs.mode === 'backup') {
      const result = await backup(inputs, connection)
      setBackupOutputs(result)
      await writeSummary(backupSummaryMarkdown(result))
      return
    }
    if (inputs.source.kind === 'artifact' || inputs.source.kind === 'artifact-id') {
      registerSecret(inputs.source.token)
    }
    if (inputs.mode === 'verify') {
      const result = await verify(inputs, connection)
      setRestoreOutputs(result)
      await writeSummary(verifySummaryMarkdown(result))
      return
    }
    const result = await restore(inputs, connection)
    setRestoreOutputs(result)
    await writeSummary(restoreSummaryMarkdown(result))
  } catch (caught) {
    const error = describeForInputs(caught)
    await writeSummary(failureSummaryMarkdown(mode, error))
    throw error instanceof Error
      ? new Error(redact(error.message))
      : new Error(redact(String(error)))
  }
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
    'server-version': result.serverVersion,
    'duration-seconds': result.durationSeconds
  }
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, redact(String(value)))
}
