/**
 * Verify: restore a backup into a scratch database (verify-database-url), then compare the
 * per-table row counts and the counts of schema objects with the manifest. Any difference fails,
 * naming it. A backup nobody has restored is a hope, not a backup.
 */
import { log } from '../log.js'
import { CheckError } from '../errors.js'
import type { RestoreOptions } from '../types.js'
import type { Connection } from '../postgres/connection.js'
import { type ObjectCounts, connect, countObjects } from '../postgres/session.js'
import { formatAge } from '../duration.js'
import { StaleBackupError, check, checkable } from './check.js'
import { type RestoreDependencies, type RestoreResult, restore } from './restore.js'

export interface ObjectComparison {
  kind: keyof ObjectCounts
  expected?: number
  actual: number
}

export interface VerifyResult extends RestoreResult {
  objects: ObjectComparison[]
}

export class VerifyError extends CheckError {
  override name = 'VerifyError'
}

const KINDS: Array<keyof ObjectCounts> = [
  'tables',
  'views',
  'materializedViews',
  'sequences',
  'indexes',
  'functions'
]

export async function verify(
  inputs: RestoreOptions,
  scratch: Connection,
  deps: RestoreDependencies = {}
): Promise<VerifyResult> {
  // max-age: a stale backup fails before anything is downloaded or restored
  if (inputs.maxAgeSeconds !== undefined && checkable(inputs.source)) {
    await check({ mode: 'check', source: inputs.source, maxAgeSeconds: inputs.maxAgeSeconds })
  }
  // restore() checks the digest and the row counts against the manifest, and fails on any difference
  const restored = await restore(inputs, scratch, deps)
  if (inputs.maxAgeSeconds !== undefined && !checkable(inputs.source) && restored.manifest) {
    const age = (Date.now() - Date.parse(restored.manifest.createdAt)) / 1000
    if (!(age <= inputs.maxAgeSeconds)) {
      throw new StaleBackupError(
        `the backup was made ${restored.manifest.createdAt}, ${formatAge(age)} ago: older than max-age (${formatAge(inputs.maxAgeSeconds)}).`
      )
    }
  }
  const objects = await log.group('Compare schema objects', async () => {
    const client = await connect(scratch, inputs.connectTimeoutSeconds)
    try {
      const actual = await countObjects(client)
      const expected = restored.manifest?.objects
      return KINDS.map(kind => ({ kind, expected: expected?.[kind], actual: actual[kind] }))
    } finally {
      await client.end().catch(() => undefined)
    }
  })
  if (!restored.manifest) {
    log.warning('The backup has no manifest: only a successful restore was verified.')
  } else if (!restored.manifest.objects) {
    log.info('The manifest has no object counts (a filtered backup): objects were not compared.')
  }
  const different = objects.filter(o => o.expected !== undefined && o.expected !== o.actual)
  for (const o of objects) {
    log.info(`${o.kind}: ${o.actual}${o.expected === undefined ? '' : ` (manifest ${o.expected})`}`)
  }
  if (different.length > 0) {
    throw new VerifyError(
      `the restored copy differs from the backup's manifest: ${different.map(o => `${o.kind} ${o.actual} ≠ ${o.expected}`).join(', ')}.`
    )
  }
  return { ...restored, objects }
}
