/**
 * Verify: restore a backup into a scratch database (verify-database-url), then compare the
 * per-table row counts and the counts of schema objects with the manifest. Any difference fails,
 * naming it. A backup nobody has restored is a hope, not a backup.
 */
import { log } from '../log.js'
import { CheckError, SettingError } from '../errors.js'
import type { RestoreOptions } from '../types.js'
import { type Connection, parseDatabaseUrl } from '../postgres/connection.js'
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

/**
 * Which database a connection reaches, as its server says: the cluster (pg_control_system()'s
 * system_identifier; where the role may not call it, the postmaster's start time and port) and
 * the database's oid and name. The URL's spelling (postgres:// or postgresql://, localhost or
 * 127.0.0.1, parameters, another user) does not enter into it.
 */
export interface DatabaseIdentity {
  systemIdentifier?: string
  startedAt: string
  port: string
  oid: string
  name: string
}

export async function databaseIdentity(
  connection: Connection,
  connectTimeoutSeconds: number
): Promise<DatabaseIdentity> {
  const client = await connect(connection, connectTimeoutSeconds)
  try {
    const { rows } = await client.query<Omit<DatabaseIdentity, 'systemIdentifier'>>(
      `SELECT d.oid::text AS oid, d.datname AS name,
              pg_postmaster_start_time()::text AS "startedAt", current_setting('port') AS port
         FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()`
    )
    const systemIdentifier = await client
      .query<{ id: string }>(
        'SELECT system_identifier::text AS id FROM pg_catalog.pg_control_system()'
      )
      .then(
        result => result.rows[0]?.id,
        () => undefined // not allowed to this role (or not there): the start time stands in
      )
    return { ...rows[0], systemIdentifier }
  } finally {
    await client.end().catch(() => undefined)
  }
}

/** True when both identities are the same database of the same server. */
export function sameDatabase(a: DatabaseIdentity, b: DatabaseIdentity): boolean {
  if (a.oid !== b.oid || a.name !== b.name) return false
  if (a.systemIdentifier && b.systemIdentifier) {
    // a physical replica shares the identifier (it is read-only: nothing is written there)
    return a.systemIdentifier === b.systemIdentifier
  }
  return a.startedAt === b.startedAt && a.port === b.port
}

/**
 * Before anything is written: refuses a scratch database that the servers say is the database
 * backed up. The backed-up database must be reachable for the check (else a clear error: fix
 * database-url, or leave it empty in verify mode).
 */
async function refuseBackedUpDatabase(
  scratch: Connection,
  backedUp: Connection,
  inputs: RestoreOptions
): Promise<void> {
  const scratchId = await databaseIdentity(scratch, inputs.connectTimeoutSeconds)
  let backedUpId: DatabaseIdentity
  try {
    backedUpId = await databaseIdentity(backedUp, inputs.connectTimeoutSeconds)
  } catch (error) {
    throw new SettingError(
      'databaseUrl',
      `cannot be reached to make sure the scratch database is not it (${(error as Error).message}); verify wrote nothing. Fix it, or leave database-url empty in verify mode.`,
      { cause: error }
    )
  }
  if (sameDatabase(scratchId, backedUpId)) {
    throw new SettingError(
      'verifyDatabaseUrl',
      `is the database that was backed up (the server says so: ${scratchId.systemIdentifier ? `system identifier ${scratchId.systemIdentifier}` : `the server started at ${scratchId.startedAt} on port ${scratchId.port}`}, database '${scratchId.name}' oid ${scratchId.oid}), however the URLs are spelled. Verify restores into a scratch database, never into the one backed up; nothing was written.`
    )
  }
  log.info(
    `The scratch database '${scratchId.name}' (oid ${scratchId.oid}) is not the backed-up '${backedUpId.name}' (oid ${backedUpId.oid}${backedUpId.systemIdentifier && backedUpId.systemIdentifier !== scratchId.systemIdentifier ? ', another server' : ''}).`
  )
}

export async function verify(
  inputs: RestoreOptions,
  scratch: Connection,
  deps: RestoreDependencies = {}
): Promise<VerifyResult> {
  if (inputs.backedUpDatabaseUrl) {
    await log.group('Check that the scratch database is not the one backed up', () =>
      refuseBackedUpDatabase(scratch, parseDatabaseUrl(inputs.backedUpDatabaseUrl!), inputs)
    )
  }
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
