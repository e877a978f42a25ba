/**
 * The job summary: what was backed up, sizes, ratio, time, versions and a link; on failure,
 * the error. Every text passes through redact(): never a secret.
 */
import * as core from '@actions/core'
import { formatBytes, formatDuration, plural } from './log.js'
import { type ManifestChanges, changeWarnings } from './manifest-changes.js'
import type { BackupResult } from './modes/backup.js'
import type { CheckResult } from './modes/check.js'
import { formatAge } from './duration.js'
import type { RestoreResult, RestoredTable } from './modes/restore.js'
import type { SkippedGroup } from './postgres/target-policy.js'
import {
  materializedViewsDiffering,
  providerBookkeeping,
  tablesDifferExpected
} from './postgres/compare.js'
import type { VerifyResult } from './modes/verify.js'
import { redact } from './secrets.js'

const MAX_TABLE_ROWS = 50

export function backupSummaryMarkdown(result: BackupResult): string {
  const m = result.manifest
  const ratio = m.file.sizeBytes > 0 ? m.rawSizeBytes / m.file.sizeBytes : 0
  const link = result.artifact?.url
    ? `[${text(result.artifact.name)}](${linkTarget(result.artifact.url)})`
    : text(result.artifact?.name ?? '—')
  const rows: Array<[string, string]> = [
    ['Database', `${text(m.database.name)} on ${text(`${m.database.host}:${m.database.port}`)}`],
    [
      'Artifact',
      `${link} (id ${text(String(result.artifact?.id ?? '—'))}), kept ${result.retentionDays} days`
    ],
    ['File', text(m.file.name)],
    [
      'Format',
      `${m.format}, ${m.compression.algorithm}${m.compression.level ? ` level ${m.compression.level}` : ''}`
    ],
    [
      'Dump size',
      `${formatBytes(m.rawSizeBytes)} → ${formatBytes(m.file.sizeBytes)} (ratio ${ratio.toFixed(1)}×)`
    ],
    ['Database size', formatBytes(m.database.sizeBytes)],
    [
      'Tables / rows',
      `${m.rowCounts.tables.length} / ${m.rowCounts.totalRows ?? 'not counted'} (${describeCounts(m)})`
    ],
    ['Time', formatDuration(m.durationSeconds)],
    ['PostgreSQL server', text(m.server.version)],
    ['pg_dump', text(m.pgDump.version)],
    ['sha256', text(m.file.sha256)],
    [
      'Encryption',
      m.encryption
        ? `age, ${m.encryption.mode === 'passphrase' ? 'with a passphrase' : `to ${plural(m.encryption.recipients.length, 'public key')}`}`
        : 'none'
    ],
    ['Signature', result.signed ? 'the manifest is signed (signing-key)' : 'none']
  ]
  if (result.globals) {
    rows.push([
      'Roles',
      'roles' in result.globals
        ? `${result.globals.roles.length} in ${text(result.globals.name)} (no passwords): ${text(result.globals.roles.slice(0, 50).join(', '))}${result.globals.roles.length > 50 ? ', …' : ''}`
        : `not backed up: ${text(result.globals.missing)}`
    ])
  }
  const leftOut = leftOutOf(m)
  rows.push(['Left out', leftOut.length > 0 ? text(leftOut.join('; ')) : 'nothing'])
  let md = `## ✅ Database backup\n\n| | |\n|---|---|\n`
  md += rows.map(([k, v]) => `| ${k} | ${escapeCell(v)} |`).join('\n') + '\n'
  md += rowSecurityMarkdown(m)
  if (result.encryptionDropped) md += `\n> [!WARNING]\n> ${text(result.encryptionDropped)}.\n`
  for (const w of result.warnings ?? []) md += `\n> [!WARNING]\n> ${text(w)}\n`
  if (m.changes) md += changesMarkdown(m.changes)
  else if (result.changesSkipped)
    md += `\nNot compared with the previous backup: ${text(result.changesSkipped)}.\n`
  if (result.storage) {
    const s = result.storage
    md += `\nArtifact storage: ${s.count} backup(s) of this name before this one, ${formatBytes(s.bytes)}; with a backup a day kept ${result.retentionDays} days, about ${formatBytes(s.steadyBytes)}${s.visibility !== 'public' && s.steadyBytes > 500 * 1024 * 1024 ? ' — more than the 500 MB GitHub Free includes for private repositories' : ''}.\n`
  }
  const tables = m.rowCounts.tables
  if (tables.length > 0 && tables.length <= MAX_TABLE_ROWS) {
    md += `\n<details><summary>Rows per table</summary>\n\n| Table | Rows |\n|---|---:|\n`
    md += tables.map(t => `| ${text(`${t.schema}.${t.name}`)} | ${t.rows ?? '—'} |`).join('\n')
    md += '\n\n</details>\n'
  }
  const uncounted = tables.filter(t => t.uncounted)
  if (uncounted.length > 0) {
    md += `\n**Not counted** (their data is in the backup; restore cannot check their row counts):\n\n`
    md += uncounted
      .slice(0, MAX_TABLE_ROWS)
      .map(t => `- ${text(`${t.schema}.${t.name}`)}: ${text(t.uncounted!)}`)
      .join('\n')
    md += '\n'
  }
  return redact(md)
}

export function restoreSummaryMarkdown(result: RestoreResult): string {
  const m = result.manifest
  const rows: Array<[string, string]> = [
    ['Restored from', text(result.restoredFrom)],
    [
      'Backup',
      m
        ? `${text(m.file.name)} of ${text(m.database.name)}, made ${text(String(m.createdAt))}`
        : 'no manifest'
    ],
    // the database named (trial u54 F5: it showed only in a phase's name), compression labelled
    ...(result.targetDatabase !== undefined
      ? [['Target database', text(result.targetDatabase)] as [string, string]]
      : []),
    ['Format', text(`${result.format}, compression ${result.compression}`)],
    ['Tables / rows', tablesAndRows(result)],
    [
      'Backup of server',
      m?.server?.version
        ? `PostgreSQL ${text(m.server.version)}`
        : result.backupServerVersion
          ? text(`PostgreSQL ${result.backupServerVersion}`)
          : 'unknown (no manifest)'
    ],
    ['Target server', text(result.serverVersion)],
    ['Client', text(result.clientVersion)],
    ['Time', formatDuration(result.durationSeconds)]
  ]
  if (result.roles) {
    rows.push([
      'Roles created',
      result.roles.created.length > 0
        ? `${result.roles.created.length}: ${text(firstOf(result.roles.created, ', '))}`
        : 'none'
    ])
    if (result.roles.skipped.length > 0) {
      rows.push(['Roles: left out', text(firstOf(result.roles.skipped, '; '))])
    }
  }
  let md = `## ✅ Database restore\n\n| | |\n|---|---|\n`
  md += rows.map(([k, v]) => `| ${k} | ${escapeCell(v)} |`).join('\n') + '\n'
  if (result.tables.length > 0 && result.tables.length <= MAX_TABLE_ROWS) {
    md += `\n<details><summary>Rows per table</summary>\n\n| Table | Rows | Manifest |\n|---|---:|---:|\n`
    const kept = keptKeys(result)
    md += result.tables
      .map(t =>
        kept.has(JSON.stringify([t.schema, t.name]))
          ? // the target's rows, not loaded from the backup nor compared with it (trial u53 F3)
            `| ${text(`${t.schema}.${t.name}`)} | ${t.rows} (kept: the target's rows, not restored; not compared) | ${t.expected ?? '—'} (the backup's, not loaded) |`
          : `| ${text(`${t.schema}.${t.name}`)} | ${t.rows} | ${t.expected ?? '—'} |`
      )
      .join('\n')
    md += '\n\n</details>\n'
  }
  if (m) {
    const leftOut = leftOutOf(m)
    if (leftOut.length > 0)
      md += `\nLeft out of the backup (so not restored): ${text(leftOut.join('; '))}.\n`
    md += rowSecurityMarkdown(m)
  }
  md += skippedMarkdown(result.skipped)
  md += keptMarkdown(result.kept ?? [])
  for (const w of result.warnings ?? []) md += `\n> [!WARNING]\n> ${text(w)}\n`
  return redact(md)
}

/** The tables' keys (JSON [schema, name]) whose target rows the restore kept. */
function keptKeys(result: Pick<RestoreResult, 'kept'>): Set<string> {
  return new Set((result.kept ?? []).map(k => JSON.stringify([k.schema, k.name])))
}

/**
 * The tables whose rows the restore loaded: the counted tables but those whose target rows it
 * kept (a platform's migration bookkeeping, a table the role may not write), which hold the
 * target's rows, not the backup's (trial u53 F3: counted as restored in the summary).
 */
export function restoredTables(result: Pick<RestoreResult, 'tables' | 'kept'>): RestoredTable[] {
  const kept = keptKeys(result)
  return result.tables.filter(t => !kept.has(JSON.stringify([t.schema, t.name])))
}

/** "Tables / rows": the tables and rows restored, then the counted tables the restore kept. */
function tablesAndRows(result: Pick<RestoreResult, 'tables' | 'kept' | 'rowsRestored'>): string {
  const restored = restoredTables(result).length
  const kept = result.tables.length - restored
  return `${restored} / ${result.rowsRestored}${kept > 0 ? ` (besides, ${plural(kept, 'table')} kept the target's rows: not restored, not compared)` : ''}`
}

/** The first 50 of `items`, then how many more. */
function firstOf(items: readonly string[], separator: string): string {
  const shown = items.slice(0, 50).join(separator)
  return items.length > 50 ? `${shown}${separator}… and ${items.length - 50} more` : shown
}

/**
 * "Skipped while restoring": the statements the restore left out (the target cannot take them,
 * or they were not asked for), by reason — how many, and up to 5 of them with their line in the script.
 */
export function skippedMarkdown(groups: ReadonlyArray<SkippedGroup>): string {
  if (groups.length === 0) return ''
  const total = groups.reduce((n, g) => n + g.count, 0)
  let md = `\n### Skipped while restoring\n\n${total === 1 ? '1 statement of the backup was' : `${total} statements of the backup were`} left out (none defines a table, column, row or constraint of the backup's own; objects that exist in the target, made by the provider, are kept as the target holds them):\n\n| Reason | Count | Statements (line: text) |\n|---|---:|---|\n`
  md += groups
    .map(g => {
      const samples = g.samples
        .map(s => `${s.line}: \`${s.text.replace(/`/g, "'").slice(0, 120)}\``)
        .join('<br>')
      const more = g.count > g.samples.length ? `<br>… and ${g.count - g.samples.length} more` : ''
      return `| ${escapeCell(g.reason)} | ${g.count} | ${escapeCell(samples + more)} |`
    })
    .join('\n')
  return md + '\n'
}

/**
 * "Kept in the target": the provider's tables (e.g. Supabase's auth.schema_migrations) whose rows
 * the target held already; the backup's rows for them were not loaded.
 */
export function keptMarkdown(kept: RestoreResult['kept']): string {
  if (kept.length === 0) return ''
  let md = `\n### Kept in the target (the provider's tables)\n\n`
  md += kept
    .map(
      t =>
        `- kept the target's ${plural(t.targetRows, 'row')} of \`${t.schema}.${t.name}\`; the backup's ${plural(t.backupRows, 'row')} ${t.backupRows === 1 ? 'was' : 'were'} not loaded (${escapeCell(t.reason)})`
    )
    .join('\n')
  return md + '\n'
}

export function verifySummaryMarkdown(result: VerifyResult): string {
  let md = restoreSummaryMarkdown(result).replace('## ✅ Database restore', '## ✅ Backup verified')
  const kept = keptMarkdown(result.kept ?? [])
  if (kept !== '') {
    // under the list of kept tables: what verify makes of them
    const bookkeeping = result.kept.filter(providerBookkeeping)
    const note =
      bookkeeping.length > 0
        ? `\nThe rows of the platform's migration bookkeeping (${bookkeeping.map(t => `${t.schema}.${t.name}`).join(', ')}) are the scratch project's, not the backup's, as a restore into this project would leave them: where they differ from the backup's, the difference is listed as expected below. Every other table is compared with the backup.\n`
        : `\nVerify compares ${result.kept.length === 1 ? "this table's" : "these tables'"} rows with the backup's like any other table's: a table the restore kept is expected to differ only when it is a platform's migration bookkeeping (auth.schema_migrations, storage.migrations, realtime.schema_migrations…) that held rows of its own.\n`
    const at = md.indexOf(kept)
    md =
      at >= 0 ? `${md.slice(0, at + kept.length)}${note}${md.slice(at + kept.length)}` : md + note
  }
  md += objectCountsMarkdown(result.objects)
  md += equalityMarkdown(result.equality)
  return redact(md)
}

/** The words for the manifest's kinds of objects. */
const KIND_LABELS: Record<string, string> = {
  tables: 'Tables',
  views: 'Views',
  materializedViews: 'Materialized views',
  sequences: 'Sequences',
  indexes: 'Indexes',
  functions: 'Functions'
}

/** The counts of schema objects: the manifest's against the restored copy's. */
function objectCountsMarkdown(objects: VerifyResult['objects']): string {
  let md = `\n| Schema objects | Manifest | Restored copy |\n|---|---:|---:|\n`
  md += objects
    .map(
      o =>
        `| ${KIND_LABELS[o.kind] ?? o.kind} | ${o.expected ?? '—'} | ${o.actual}${o.before ? ` (${o.before.length} the scratch database had before the restore: ${escapeCell(o.before.slice(0, 5).join(', '))}${o.before.length > 5 ? ', …' : ''})` : ''} |`
    )
    .join('\n')
  return md + '\n'
}

/** Materialized views compared whose contents differ: neither equal nor left uncompared. */
export function materializedViewsDiffer(
  c: NonNullable<VerifyResult['equality']['comparison']>
): number {
  return c.materializedViewsCompared - c.materializedViewsEqual - c.materializedViewsNotCompared
}

/** What the comparison with a pg_dump of the scratch database proved, and what it did not. */
export function equalityMarkdown(equality: VerifyResult['equality']): string {
  const c = equality.comparison
  if (!c) {
    return `\n**Not compared exactly** (${escapeCell(equality.notCompared ?? 'unknown')}): only the counts above were checked; nothing more is claimed equal.\n`
  }
  const expected = c.differences.filter(d => d.expectedBecause)
  const differ = (n: number, of: number): number => of - n
  let md = `\n| Compared with a pg_dump of the scratch database | Compared | Equal | Differ | Not compared |\n|---|---:|---:|---:|---:|\n`
  const objectsDiffer = differ(c.objectsEqual, c.objectsCompared)
  const views = materializedViewsDiffering(c)
  const expectedOf = (n: number, of: number): string =>
    n > 0 && of > 0 ? ` (${n === of ? 'all' : n} expected)` : ''
  md += `| Schema entries (owner, definition, ACL, COMMENT) | ${c.objectsCompared} | ${c.objectsEqual} | ${objectsDiffer}${expectedOf(c.objectsDifferExpected ?? 0, objectsDiffer)} | 0 |\n`
  const tablesDiffer = differ(c.tablesEqual, c.tablesCompared)
  // the backup's tables whose data differs as expected (compared on the backup's columns, a
  // provider's table whose rows the restore kept)
  md += `| Table data (sha256 of the COPY text) | ${c.tablesCompared} | ${c.tablesEqual} | ${tablesDiffer}${expectedOf(tablesDifferExpected(c), tablesDiffer)} | 0 |\n`
  md += `| Large objects (count and sha256) | ${c.largeObjects} | ${c.largeObjectsEqual ? c.largeObjects : '—'} | ${c.largeObjectsEqual ? 0 : 'yes'} | 0 |\n`
  md += `| Materialized views' contents (refreshed from equal tables; the rows their query gives) | ${c.materializedViewsCompared} | ${c.materializedViewsEqual} | ${views.differ}${expectedOf(views.expected, views.differ)} | ${c.materializedViewsNotCompared} |\n`
  const extra = c.differences.filter(
    d => !d.expectedBecause && d.what.startsWith('is in the restored database only')
  ).length
  if (extra > 0)
    md += `| Entries and table data only in the restored database | — | — | ${extra} | — |\n`
  if (c.notCompared.length > 0) {
    md += `\n**Not compared**: ${c.notCompared.map(x => text(x)).join('; ')}.\n`
  }
  const unexplained = c.differences.filter(d => !d.expectedBecause)
  if (unexplained.length > 0) {
    md += `\n**${unexplained.length} ${unexplained.length === 1 ? 'difference' : 'differences'}, not explained** (${unexplained.length > 10 ? 'the first 10; ' : ''}all in the log):\n\n`
    md += unexplained
      .slice(0, 10)
      .map(d => `- ${text(d.object)} ${text(d.what)}`)
      .join('\n')
    md += '\n'
  }
  if (expected.length > 0) {
    md += `\n<details><summary>${expected.length} differences, expected</summary>\n\n`
    const byReason = new Map<string, string[]>()
    for (const d of expected) {
      const list = byReason.get(d.expectedBecause!) ?? []
      list.push(`${d.object} ${d.what}`)
      byReason.set(d.expectedBecause!, list)
    }
    for (const [reason, list] of byReason) {
      md += `- differs, expected because ${escapeCell(reason)}: ${list.length}`
      md += list
        .slice(0, 5)
        .map(x => `\n  - ${escapeCell(x)}`)
        .join('')
      if (list.length > 5) md += `\n  - … and ${list.length - 5} more (see the log)`
      md += '\n'
    }
    md += '\n</details>\n'
  }
  return md
}

function describeCounts(m: BackupResult['manifest']): string {
  if (m.rowCounts.method === 'none') return 'row counts off'
  if (m.rowCounts.method === 'estimate') return 'planner estimates'
  const exact = m.rowCounts.sameSnapshot ? "exact, in the dump's snapshot" : 'exact'
  return m.rowSecurity
    ? `${exact}; ${plural(m.rowSecurity.tables.length, 'table')} filtered by row-level security`
    : exact
}

/**
 * What the backup leaves out, from its manifest: the exclude filters, the include filters (only
 * these), and pg-dump-args that leave out large objects, data or schema.
 */
export function leftOutOf(m: BackupResult['manifest']): string[] {
  // (a manifest of an older version of the action has no filters)
  const f = m.filters as typeof m.filters | undefined
  if (!f) return []
  const out: string[] = []
  const list = (items: readonly string[]): string => items.join(', ')
  if (f.schemas.length > 0) out.push(`every schema but ${list(f.schemas)} (schemas)`)
  if (f.tables.length > 0) out.push(`every table but ${list(f.tables)} (tables)`)
  if (f.excludeSchemas.length > 0) out.push(`schemas ${list(f.excludeSchemas)} (exclude-schemas)`)
  if (f.excludeTables.length > 0) out.push(`tables ${list(f.excludeTables)} (exclude-tables)`)
  if (f.excludeTableData.length > 0) {
    out.push(`the rows of ${list(f.excludeTableData)} (exclude-table-data)`)
  }
  const args = m.pgDumpArgs ?? []
  const given = (...names: string[]): string | undefined => args.find(a => names.includes(a))
  const noLargeObjects = given('--no-large-objects', '--no-blobs', '-B')
  if (noLargeObjects) out.push(`large objects (${noLargeObjects})`)
  const schemaOnly = given('--schema-only', '-s')
  if (schemaOnly) out.push(`all rows (${schemaOnly})`)
  const dataOnly = given('--data-only', '-a')
  if (dataOnly) out.push(`the schema (${dataOnly})`)
  return out
}

/** --enable-row-security by a role that policies apply to: the tables whose rows it filtered. */
function rowSecurityMarkdown(m: BackupResult['manifest']): string {
  const rls = m.rowSecurity
  if (!rls || rls.tables.length === 0) return ''
  const names = rls.tables.map(t => `${t.schema}.${t.name}`)
  return `\n> [!WARNING]\n> Row-level security filtered this backup: pg_dump ran with --enable-row-security as role ${text(rls.role)}, and the rows of ${plural(names.length, 'table')} (${text(firstOf(names, ', '))}) are only those ${text(rls.role)} can see — their row counts too. For whole tables, back up with a role that has BYPASSRLS, or as their owner with the tables NO FORCE ROW LEVEL SECURITY.\n`
}

/** How far a failed run got: what its failure summary may claim about the target. */
export interface FailureContext {
  mode: string
  /** restore, verify: the load had not begun, was under way, or had ended (committed). */
  load?: 'not-started' | 'interrupted' | 'committing' | 'committed'
  /** The run was cancelled (SIGINT, SIGTERM): what followed the load was cut short, not failed. */
  cancelled?: boolean
  singleTransaction?: boolean
  /** What an interrupted load without a single transaction left undone besides (commit.ts). */
  partialNote?: string
  /** backup: it was made and kept before the failure. */
  backupKept?: boolean
  /** backup: what had reached storage (a partial artifact, an S3 object) and what became of it. */
  undone?: string
}

/** What a failed run left, as far as it was checked (the failure summary's last paragraph). */
export function describeAftermath(
  context: FailureContext,
  front: 'action' | 'cli' = 'action'
): string {
  if (context.mode === 'backup') {
    if (context.backupKept) return 'The backup was made and kept; the step failed after it.'
    return context.undone
      ? `${context.undone} Temporary files were removed.`
      : 'Nothing was uploaded. Temporary files were removed.'
  }
  if (context.load === undefined) return 'Nothing was changed. Temporary files were removed.'
  const target = context.mode === 'verify' ? 'The scratch database' : 'The target'
  const said = {
    'not-started': `${target} was not written to: the run ended before the load began.`,
    interrupted:
      context.singleTransaction !== false
        ? `The load ran in one transaction, which was not committed: ${target.toLowerCase()} keeps what it held before.`
        : `The load ran without a single transaction (single-transaction: false): ${target.toLowerCase()} may hold part of the backup.${context.partialNote ? ` ${context.partialNote}` : ''}`,
    committing: `The load had reached its end (its COMMIT sent, or due once the statements left ran) when this happened: the server may have finished it, so ${target.toLowerCase()} may hold the restored data. Look at it before restoring again.`,
    committed: context.cancelled
      ? `The load had been committed when the run was cancelled: ${target.toLowerCase()} holds the restored data; what follows the load (its row counts checked against the backup's) was cut short, so it is unchecked, not failed.`
      : front === 'cli'
        ? `The load had been committed when this failed: ${target.toLowerCase()} holds the restored data; this error came after the load, in what follows it (its checks: the restored rows counted against the backup's), which did not run to its end.`
        : `The load had been committed when this failed: ${target.toLowerCase()} holds the restored data; the error above came after the load, in what follows it (its checks, or writing the step's outputs and summary).`
  }[context.load]
  return `${said} Temporary files were removed.`
}

/** One phase of a run (a log group) and how long it took; unfinished: the run ended in it. */
export interface PhaseTime {
  name: string
  seconds: number
  finished: boolean
}

/**
 * Each phase's duration, in the order the phases began: a small "Phase | s" table (empty when
 * the run got to no phase). The phase a failed run ended in is marked so.
 */
export function phaseTimesMarkdown(times: ReadonlyArray<PhaseTime>): string {
  if (times.length === 0) return ''
  let md = `\n| Phase | s |\n|---|---:|\n`
  md += times
    .map(
      t =>
        `| ${escapeCell(text(t.name))}${t.finished ? '' : ' (unfinished: the run ended here)'} | ${t.seconds.toFixed(1)} |`
    )
    .join('\n')
  return redact(md + '\n')
}

export function failureSummaryMarkdown(c: FailureContext, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  let md = `## ❌ Database ${c.mode} failed\n\n${escapeBlock(message)}\n\n${describeAftermath(c)}\n`
  // verify failed on a difference: what was compared, and the differences by name
  const details = (error as { details?: Pick<VerifyResult, 'objects' | 'equality'> } | null)
    ?.details
  if (details?.equality && Array.isArray(details.objects)) {
    md += objectCountsMarkdown(details.objects)
    md += equalityMarkdown(details.equality)
  }
  return redact(md)
}

/** A table cell of Markdown the summary built itself: line breaks as spaces, pipes escaped. */
function escapeCell(markdown: string): string {
  // a pipe that text() did not escape already (one in a code span) would split the cell
  return markdown.replace(/[\r\n\u2028\u2029]+/g, ' ').replace(/(?<!\\)\|/g, '\\|')
}

/**
 * Text from elsewhere (a name from a manifest, an archive or the server, a path, a version) as
 * Markdown that shows it as it is: HTML's special characters as entities (no tag, no image is
 * rendered); backslash-escaped, what GitHub's Markdown acts on inside a line — \\ ` * [ ] | ~ !
 * (code, emphasis, links, images, table cells, strike-through), : and @ (autolinks), the dot of
 * `www.`, and an underscore that is not inside a word (app_db stays as it is); line breaks and
 * other control characters as spaces. A table cell never starts a line, so # + - . need nothing.
 */
export function text(value: string): string {
  return (
    value
      // eslint-disable-next-line no-control-regex -- control characters are what it removes
      .replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ')
      .replace(/[\\`*[\]|~!:@]|(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, c => `\\${c}`)
      .replace(/(www)\./gi, '$1\\.')
      .replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`)
  )
}

/**
 * A summary's Markdown as plain text for a terminal: text()'s entities and backslash escapes
 * undone ("database&#39;s" → "database's"), as a reader of the rendered summary sees it.
 */
export function plainText(markdown: string): string {
  return markdown
    .replace(/\\([\\`*[\]|~!:@._])/g, '$1')
    .replace(/&#(\d+);/g, (_all, n: string) => String.fromCharCode(Number(n)))
}

/** A link's target: only an http(s) URL, its parentheses and spaces percent-encoded. */
function linkTarget(url: string): string {
  if (!/^https?:\/\//i.test(url)) return '#'
  return url.replace(/[()\s<>]/g, c => encodeURIComponent(c))
}

/** A message in a fenced code block: nothing in it renders, and it cannot close the fence. */
function escapeBlock(message: string): string {
  return '```\n' + message.replace(/`(?=``)/g, '`\u200b') + '\n```'
}

/** Appends to the job summary when the runner provides one; never fails the step itself. */
export async function writeSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  try {
    await core.summary.addRaw(markdown, true).write()
  } catch (error) {
    core.warning(`could not write the job summary: ${(error as Error).message}`)
  }
}

/** Since the previous backup: size and rows, tables new and gone, the largest row changes. */
function changesMarkdown(c: ManifestChanges): string {
  const sign = (n: number): string => (n > 0 ? `+${n}` : String(n))
  const warnings = changeWarnings(c)
  let md = `\n### ${warnings.length > 0 ? '⚠️' : '↔️'} Since the previous backup (${text(String(c.previous.createdAt))}${c.previous.runId ? `, run ${text(String(c.previous.runId))}` : ''})\n\n`
  if (c.moved) md += `> [!NOTE]\n> ${text(c.moved.charAt(0).toUpperCase() + c.moved.slice(1))}.\n\n`
  md += `| | previous | this | change |\n|---|---:|---:|---:|\n`
  md += `| File size | ${formatBytes(c.previous.fileSizeBytes)} | ${formatBytes(c.previous.fileSizeBytes + c.sizeDeltaBytes)} | ${c.sizeDeltaBytes < 0 ? '-' : '+'}${formatBytes(Math.abs(c.sizeDeltaBytes))} |\n`
  if (c.rowsDelta !== null && c.previous.totalRows !== null) {
    md += `| Rows | ${c.previous.totalRows} | ${c.previous.totalRows + c.rowsDelta} | ${sign(c.rowsDelta)} |\n`
  }
  for (const t of c.largest) {
    md += `| ${text(t.table)} | ${t.before ?? '—'} | ${t.after ?? '—'} | ${t.before !== null && t.after !== null ? sign(t.after - t.before) : '—'} |\n`
  }
  if (c.appeared.length > 0) {
    md += `\nNew tables: ${text(c.appeared.slice(0, 20).join(', '))}${c.appeared.length > 20 ? ', …' : ''}\n`
  }
  for (const w of warnings) md += `\n> [!WARNING]\n> ${text(w)}\n`
  return md
}

export function checkSummaryMarkdown(result: CheckResult): string {
  const m = result.manifest
  const rows: Array<[string, string]> = [
    ['Newest backup', text(result.checked)],
    [
      'Made',
      `${text(String(m.createdAt))} (${formatAge(result.ageSeconds)} ago; max-age ${formatAge(result.maxAgeSeconds)})`
    ],
    ['File', `${text(m.file.name)}, ${formatBytes(m.file.sizeBytes)}`],
    ['Database', `${text(m.database.name)}, PostgreSQL ${text(m.server.version)}`],
    ['Tables / rows', `${m.rowCounts.tables.length} / ${m.rowCounts.totalRows ?? 'not counted'}`],
    ['sha256', text(m.file.sha256)]
  ]
  let md = `## ✅ Backup check: fresh\n\n| | |\n|---|---|\n`
  md += rows.map(([k, v]) => `| ${k} | ${escapeCell(v)} |`).join('\n') + '\n'
  for (const w of result.warnings ?? []) md += `\n> [!WARNING]\n> ${text(w)}\n`
  return redact(md)
}
