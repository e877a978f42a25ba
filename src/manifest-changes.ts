/**
 * What changed since the previous backup of the same name, from the two manifests: the file's
 * size, the tables that appeared or vanished, and per-table row counts — so a bad migration or
 * a TRUNCATE is noticed while older good backups still exist. Pure; the caller finds the
 * previous manifest (storage/artifact-manifest.ts).
 */
import type { Manifest } from './manifest.js'
import { plural } from './log.js'

export interface TableChange {
  /** schema.name */
  table: string
  /** Rows in the previous backup and in this one (null: not counted). */
  before: number | null
  after: number | null
}

export interface ManifestChanges {
  previous: {
    createdAt: string
    runId?: string
    fileSizeBytes: number
    totalRows: number | null
  }
  /** This file's size minus the previous one's, in bytes. */
  sizeDeltaBytes: number
  /** Total rows now minus then; null when either was not counted. */
  rowsDelta: number | null
  appeared: string[]
  vanished: string[]
  /** Tables that lost more than rowLossPercent of their rows. */
  shrunk: TableChange[]
  /** The largest row changes (by absolute difference), at most TOP_CHANGES. */
  largest: TableChange[]
  /** The threshold the shrunk tables were found with, in percent. */
  rowLossPercent: number
  /**
   * Tables in both backups whose columns of the previous one are not all in this one (a
   * migration dropped or renamed them: their values are in the previous backup only); absent
   * where none, or where either manifest does not list columns.
   */
  columnsGone?: Array<{ table: string; columns: string[] }>
  /**
   * The previous backup came from another server, database or major (a move, an upgrade): what
   * differs, as one sentence; absent when both came from the same one.
   */
  moved?: string
}

/**
 * Whether two backups came from the same server and database: what differs, as one sentence
 * ("the previous backup came from another server and major: PostgreSQL 17.10, shop@db:5432 →
 * 18.4, up17@db2:5432 (a major upgrade)"); undefined when they did not differ.
 */
export function describeMove(
  current: Pick<Manifest, 'database' | 'server'>,
  previous: Pick<Manifest, 'database' | 'server'>
): string | undefined {
  const where = (m: Pick<Manifest, 'database'>): string =>
    `${m.database.name}@${m.database.host}:${m.database.port}`
  const otherPlace = where(current) !== where(previous)
  const otherMajor = current.server.major !== previous.server.major
  const otherVersion = current.server.version !== previous.server.version
  if (!otherPlace && !otherVersion) return undefined
  const what = [
    otherPlace
      ? current.database.name !== previous.database.name
        ? 'another database'
        : 'another server'
      : '',
    otherMajor ? 'another major' : otherVersion ? 'another server version' : ''
  ]
    .filter(Boolean)
    .join(' and ')
  const upgrade =
    current.server.major > previous.server.major
      ? ' (a major upgrade)'
      : current.server.major < previous.server.major
        ? ' (an older major)'
        : ''
  return `the previous backup came from ${what}: PostgreSQL ${previous.server.version}, ${where(previous)} → ${current.server.version}, ${where(current)}${upgrade}; the comparison is between the two`
}

const TOP_CHANGES = 10

const key = (t: { schema: string; name: string }): string => `${t.schema}.${t.name}`

/**
 * Compares this backup's manifest with the previous one. `rowLossPercent`: a table whose rows
 * fell by more than this share (0–100) is reported in `shrunk`.
 */
export function compareManifests(
  current: Manifest,
  previous: Manifest,
  rowLossPercent: number
): ManifestChanges {
  const before = new Map(previous.rowCounts.tables.map(t => [key(t), t.rows]))
  const after = new Map(current.rowCounts.tables.map(t => [key(t), t.rows]))
  const moved = describeMove(current, previous)
  const appeared = [...after.keys()].filter(t => !before.has(t)).sort()
  const vanished = [...before.keys()].filter(t => !after.has(t)).sort()
  const common: TableChange[] = [...after.keys()]
    .filter(t => before.has(t))
    .map(t => ({ table: t, before: before.get(t) ?? null, after: after.get(t) ?? null }))
  const shrunk = common.filter(
    c =>
      c.before !== null &&
      c.after !== null &&
      c.before > 0 &&
      ((c.before - c.after) / c.before) * 100 > rowLossPercent
  )
  const largest = common
    .filter(c => c.before !== null && c.after !== null && c.before !== c.after)
    .sort((a, b) => Math.abs(b.after! - b.before!) - Math.abs(a.after! - a.before!))
    .slice(0, TOP_CHANGES)
  const total = (m: Manifest): number | null => m.rowCounts.totalRows
  const columnsBefore = new Map(previous.rowCounts.tables.map(t => [key(t), t.columns]))
  const columnsGone = current.rowCounts.tables
    .map(t => {
      const was = columnsBefore.get(key(t))
      if (!was || !t.columns) return undefined
      const now = new Set(t.columns)
      const gone = was.filter(c => !now.has(c))
      return gone.length > 0 ? { table: key(t), columns: gone } : undefined
    })
    .filter(g => g !== undefined)
    .sort((a, b) => a.table.localeCompare(b.table))
  return {
    previous: {
      createdAt: previous.createdAt,
      runId: previous.github?.runId,
      fileSizeBytes: previous.file.sizeBytes,
      totalRows: total(previous)
    },
    sizeDeltaBytes: current.file.sizeBytes - previous.file.sizeBytes,
    rowsDelta:
      total(current) !== null && total(previous) !== null
        ? total(current)! - total(previous)!
        : null,
    appeared,
    vanished,
    shrunk,
    largest,
    rowLossPercent,
    ...(moved ? { moved } : {}),
    ...(columnsGone.length > 0 ? { columnsGone } : {})
  }
}

/**
 * A backup in the clear where the previous one of the name was encrypted: one sentence, or
 * undefined (trial u37 F1: a recipients secret that held only a comment, or one empty in this
 * run, let the nightly backup out unencrypted, and nothing said so).
 */
export function encryptionDropped(
  current: Pick<Manifest, 'encryption'>,
  previous: Pick<Manifest, 'encryption' | 'createdAt'>
): string | undefined {
  const was = previous.encryption
  if (!was || current.encryption) return undefined
  const how =
    was.mode === 'passphrase' ? 'a passphrase' : plural(was.recipients.length, 'public key')
  return `This backup is not encrypted, but the previous one (${previous.createdAt}) was (age, ${how}): check encryption-recipients and encryption-passphrase in this workflow. A secret that is empty in this run (renamed or deleted, or not given to it: a pull request from a fork, Dependabot) leaves the backup in the clear; delete this artifact if it must not be kept so`
}

/** The warnings a comparison raises: vanished tables and tables that lost rows. */
export function changeWarnings(changes: ManifestChanges): string[] {
  const warnings: string[] = []
  if (changes.vanished.length > 0) {
    warnings.push(
      `${plural(changes.vanished.length, 'table')} of the previous backup (${changes.previous.createdAt}) ${changes.vanished.length === 1 ? 'is' : 'are'} not in this one: ${changes.vanished.slice(0, 10).join(', ')}${changes.vanished.length > 10 ? ', …' : ''}`
    )
  }
  for (const s of changes.shrunk.slice(0, 10)) {
    warnings.push(
      `${s.table} lost ${Math.round(((s.before! - s.after!) / s.before!) * 100)}% of its rows since the previous backup (${s.before} → ${s.after}; threshold ${changes.rowLossPercent}%)`
    )
  }
  if (changes.shrunk.length > 10) {
    warnings.push(`… and ${changes.shrunk.length - 10} more tables lost rows`)
  }
  // a column dropped (or renamed) by a migration: its values are in the previous backup only
  // (trial u38 F2: the bad migration's DROP COLUMN went unmentioned, the row counts unchanged)
  const gone = (Array.isArray(changes.columnsGone) ? changes.columnsGone : []).filter(
    g => typeof g?.table === 'string' && Array.isArray(g.columns)
  )
  for (const g of gone.slice(0, 10)) {
    const names = g.columns.slice(0, 10).join(', ') + (g.columns.length > 10 ? ', …' : '')
    warnings.push(
      `${g.table} lost ${plural(g.columns.length, 'column')} since the previous backup (${changes.previous.createdAt}): ${names} (dropped or renamed; their values are in the previous backup)`
    )
  }
  if (gone.length > 10) warnings.push(`… and ${gone.length - 10} more tables lost columns`)
  return warnings
}

/** One line for the log: what the previous backup was and how this one differs. */
export function describeChanges(changes: ManifestChanges, runId?: number): string {
  const sign = (n: number): string => (n >= 0 ? `+${n}` : String(n))
  const parts = [
    `Previous backup: ${changes.previous.createdAt}${runId ? ` (run ${runId})` : ''}`,
    `size ${sign(changes.sizeDeltaBytes)} bytes`,
    `rows ${changes.rowsDelta === null ? 'not compared' : sign(changes.rowsDelta)}`
  ]
  if (changes.moved) parts.push(changes.moved)
  if (changes.appeared.length > 0) parts.push(`${changes.appeared.length} new table(s)`)
  if (changes.vanished.length > 0) parts.push(`${plural(changes.vanished.length, 'table')} gone`)
  if (changes.shrunk.length > 0) {
    parts.push(
      `${plural(changes.shrunk.length, 'table')} lost over ${changes.rowLossPercent}% of their rows`
    )
  }
  if ((changes.columnsGone?.length ?? 0) > 0) {
    parts.push(`${plural(changes.columnsGone!.length, 'table')} lost columns`)
  }
  return parts.join('; ') + '.'
}

/**
 * The loss a backup's manifest recorded when it was made (its changes against the backup before
 * it: tables gone, tables that lost rows), for a restore or check that uses it; undefined when it
 * recorded none. Such a backup was kept (and its step failed with fail-on-row-loss: true), and it
 * is the newest: restoring it restores the loss, so the run says so (warning and summary).
 */
export function recordedLossWarning(
  manifest: Manifest | undefined,
  what: string
): string | undefined {
  const changes = manifest?.changes
  if (!changes) return undefined
  const losses = changeWarnings(changes)
  if (losses.length === 0) return undefined
  const previous = `${changes.previous.createdAt}${changes.previous.runId ? `, run ${changes.previous.runId}` : ''}`
  return `${what} recorded a loss when it was made: ${losses.join('; ')}. Its backup step warned of it (and failed, with fail-on-row-loss: true); it is kept and used like any other backup. If the loss was not intended, restore the backup before it (made ${previous}) by its run-id.`
}
