/**
 * manifest.json: a versioned, secret-free description of one backup, stored beside the dump.
 * Restore reads it to check the file (sha256) and the restored data (row counts).
 */
import { readFile, writeFile } from 'node:fs/promises'
import { CheckError } from './errors.js'
import type { ManifestChanges } from './manifest-changes.js'
import type { ExtensionEntry, ObjectCounts } from './postgres/session.js'
import type { DatabaseIdentity } from './postgres/identity.js'
import { type DatabaseLocale, LOCALE_NAME } from './postgres/locale.js'
import { OUTPUT_SETTINGS, type OutputSettings, SETTING_VALUE } from './postgres/output-settings.js'
import { isAgeRecipient } from './age-keys.js'
import {
  type BackupOptions,
  COMPRESSIONS,
  COMPRESSION_LEVELS,
  type Compression,
  type DumpFilters,
  type DumpFormat,
  FORMATS,
  ROW_COUNT_METHODS,
  type RowCountMethod
} from './types.js'
import { TOOL_NAME, TOOL_VERSION } from './version.js'
import { plural } from './log.js'

export const MANIFEST_FILE = 'manifest.json'
export const MANIFEST_SCHEMA_VERSION = 1

export interface ManifestTable {
  schema: string
  name: string
  /**
   * Bytes on disk (heap, TOAST, free space and visibility maps; no indexes): pg_table_size when
   * its rows were counted exactly, else the catalog's page count as of the last VACUUM or
   * ANALYZE; absent when neither is known (a table never vacuumed nor analyzed, not counted).
   */
  sizeBytes?: number
  /** Exact count in the dump's snapshot, or a planner estimate (see rowCounts.method). */
  rows: number | null
  /**
   * Why an exact count is missing although the table's data is in the dump (the role cannot
   * read it, its lock was not granted in time); the dump itself is whole.
   */
  uncounted?: string
  /**
   * Its columns' names in order (not those dropped), read in the dump's snapshot: a column a
   * later backup lacks is named when the two are compared (manifest-changes.ts).
   */
  columns?: string[]
}

export interface Manifest {
  schemaVersion: typeof MANIFEST_SCHEMA_VERSION
  tool: { name: string; version: string }
  createdAt: string
  github?: { repository?: string; runId?: string; runAttempt?: string; workflow?: string }
  database: {
    name: string
    host: string
    port: number
    sizeBytes: number
    /**
     * Its encoding and locale (pg_database): a restore warns where the target's differ. An
     * archive's DATABASE entry says the same; a plain script has only this.
     */
    locale?: DatabaseLocale
    /**
     * The settings of pg_dump's session that change the text it writes (TimeZone, bytea_output…:
     * postgres/output-settings.ts): verify dumps its scratch database with the same.
     */
    session?: OutputSettings
    /**
     * The database as its server identified it at the backup (postgres/identity.ts: system
     * identifier, its pg_database row's xmin, standby or not, start time, port, OID, name):
     * verify refuses to restore into
     * it, however its URL is spelled.
     */
    identity?: DatabaseIdentity
  }
  server: { version: string; versionNum: number; major: number }
  pgDump: { version: string; major: number }
  format: DumpFormat
  compression: {
    algorithm: Compression
    level: number | null
    /** Who compressed: the action's pipeline (pg_dump writes uncompressed data). */
    by: 'action' | 'none'
  }
  /** Present when the file is age-encrypted; the sha256 above covers the encrypted file. */
  encryption?: {
    algorithm: 'age'
    mode: 'recipients' | 'passphrase'
    /** Public keys (age1…) the file is encrypted to; never a secret. */
    recipients: string[]
  }
  file: { name: string; sizeBytes: number; sha256: string }
  rawSizeBytes: number
  durationSeconds: number
  rowCounts: {
    method: RowCountMethod
    /** true when counted inside the snapshot pg_dump used (pg_export_snapshot). */
    sameSnapshot: boolean
    tables: ManifestTable[]
    totalRows: number | null
  }
  /**
   * Schema objects by kind in the dump's snapshot (user objects, not extensions'); absent when
   * filters make the dump a subset. Verify mode compares them with the restored copy.
   */
  objects?: ObjectCounts
  /**
   * The database's extensions (pg_extension: name, version, schema) in the dump's snapshot: what
   * a restore's target must offer (a managed service's allow-list). Absent in older manifests.
   */
  extensions?: ExtensionEntry[]
  /** The retention tier retention-schedule chose for this run (also the S3 objects' tag). */
  retention?: { tier: 'daily' | 'weekly' | 'monthly'; days: number }
  filters: DumpFilters
  pgDumpArgs: string[]
  /**
   * pg_dump ran with --enable-row-security as `role`, to which row-level security policies
   * apply on `tables`: their rows in the backup (and their row counts) are only those the role
   * could see. Absent when no table was so filtered.
   */
  rowSecurity?: { role: string; tables: Array<{ schema: string; name: string }> }
  /** What changed since the previous backup of the same name, when it could be read. */
  changes?: ManifestChanges
  /**
   * globals: true — the cluster's roles (pg_dumpall --globals-only --no-role-passwords), stored
   * beside the dump as `name` (age-encrypted when the dump is); the roles it defines.
   */
  globals?: ManifestGlobals
}

export interface ManifestGlobals {
  name: string
  sizeBytes: number
  sha256: string
  roles: string[]
}

/** What a backup's manifest is made of (besides the options the backup was made with). */
export interface BackupFacts {
  createdAt: Date
  github?: Manifest['github']
  database: Manifest['database']
  server: Manifest['server']
  pgDump: Manifest['pgDump']
  file: Manifest['file']
  rawSizeBytes: number
  rowCounts: Manifest['rowCounts']
  objects?: ObjectCounts
  extensions?: ExtensionEntry[]
  retention?: Manifest['retention']
  pgDumpArgs: string[]
}

/** The manifest of a backup made with `options`; durationSeconds is set when it is written. */
export function backupManifest(options: BackupOptions, facts: BackupFacts): Manifest {
  const { encryption, compression } = options
  return {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    createdAt: facts.createdAt.toISOString(),
    github: facts.github,
    database: facts.database,
    server: facts.server,
    pgDump: facts.pgDump,
    format: options.format,
    compression: {
      algorithm: compression,
      level: compression === 'none' ? null : options.compressionLevel,
      by: compression === 'none' ? 'none' : 'action'
    },
    encryption: encryption
      ? {
          algorithm: 'age',
          mode: encryption.kind,
          recipients: encryption.kind === 'recipients' ? encryption.recipients : []
        }
      : undefined,
    file: facts.file,
    rawSizeBytes: facts.rawSizeBytes,
    durationSeconds: 0,
    rowCounts: facts.rowCounts,
    objects: facts.objects,
    extensions: facts.extensions,
    retention: facts.retention,
    filters: options.filters,
    pgDumpArgs: facts.pgDumpArgs
  }
}

export function manifestJson(manifest: Manifest): string {
  return JSON.stringify(manifest, null, 2) + '\n'
}

export async function writeManifest(path: string, manifest: Manifest): Promise<void> {
  await writeFile(path, manifestJson(manifest), { mode: 0o600 })
}

export class ManifestError extends CheckError {
  override name = 'ManifestError'
}

/** Reads and checks a manifest; an unknown schema version or missing fields are errors. */
export async function readManifest(path: string): Promise<Manifest> {
  let data: unknown
  try {
    data = JSON.parse(await readFile(path, 'utf8'))
  } catch (error) {
    throw new ManifestError(`${path} is not valid JSON: ${(error as Error).message}`)
  }
  return parseManifest(data)
}

/**
 * Checks a manifest read from outside (an artifact, an S3 object, a file beside a backup): it
 * came from wherever the backup came from, so every field is checked for its type, range,
 * format and length before anything uses it. Fields the manifest may lack are optional here
 * too. Throws a ManifestError naming the first field that is wrong.
 */
export function parseManifest(data: unknown): Manifest {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ManifestError('manifest is not an object')
  }
  const m = data as Record<string, unknown>
  if (m.schemaVersion !== MANIFEST_SCHEMA_VERSION) {
    throw new ManifestError(
      `manifest schemaVersion ${String(m.schemaVersion).slice(0, 20)} is not supported (expected ${MANIFEST_SCHEMA_VERSION}); use a newer version of the action.`
    )
  }
  const v = new ManifestChecker()
  // what a restore relies on: required
  const file = v.object(m, 'file')!
  v.text(file, 'file.name', { max: 255, pattern: SAFE_FILE_NAME })
  v.text(file, 'file.sha256', { max: 64, pattern: /^[0-9a-f]{64}$/ })
  v.integer(file, 'file.sizeBytes', { min: 0, optional: true })
  v.choice(m, 'format', FORMATS)
  const compression = v.object(m, 'compression')!
  const algorithm = v.choice(compression, 'compression.algorithm', COMPRESSIONS)
  const levels = COMPRESSION_LEVELS[algorithm as Compression]
  v.integer(compression, 'compression.level', {
    min: Math.min(levels.min, 0),
    max: levels.max,
    nullable: true,
    optional: true
  })
  v.choice(compression, 'compression.by', ['action', 'none'], true)
  const rowCounts = v.object(m, 'rowCounts')!
  v.choice(rowCounts, 'rowCounts.method', ROW_COUNT_METHODS, true)
  v.boolean(rowCounts, 'rowCounts.sameSnapshot', true)
  const tables = v.array(rowCounts, 'rowCounts.tables', MAX_TABLES)!
  tables.forEach((table, i) => {
    const field = `rowCounts.tables[${i}]`
    v.object({ [field]: table }, field)
    v.text(table, `${field}.schema`, { max: MAX_NAME })
    v.text(table, `${field}.name`, { max: MAX_NAME })
    v.integer(table, `${field}.rows`, { min: 0, nullable: true })
    v.integer(table, `${field}.sizeBytes`, { min: 0, optional: true })
    const columns = v.array(table, `${field}.columns`, MAX_COLUMNS, true)
    columns?.forEach((column, j) => {
      const at = `${field}.columns[${j}]`
      v.text({ [at]: column }, at, { max: MAX_NAME })
    })
  })
  // a table listed twice would be counted twice: the restore's counts and its success line
  // (3 tables, 5 rows for 2 and 3; attacker a37 F5)
  v.uniqueTables(tables, 'rowCounts.tables')
  v.integer(rowCounts, 'rowCounts.totalRows', { min: 0, nullable: true, optional: true })
  // what chooses (and with install-client may install) the client: a PostgreSQL major
  const pgDump = v.object(m, 'pgDump')!
  v.integer(pgDump, 'pgDump.major', { min: 7, max: 99 })
  v.text(pgDump, 'pgDump.version', { max: 200, optional: true })
  // the rest: checked when present
  v.text(m, 'createdAt', { max: 40, pattern: ISO_TIME, optional: true })
  if (typeof m.createdAt === 'string' && Number.isNaN(Date.parse(m.createdAt))) {
    throw new ManifestError('manifest field createdAt is not a date')
  }
  const tool = v.object(m, 'tool', true)
  v.text(tool, 'tool.name', { max: 100, optional: true })
  v.text(tool, 'tool.version', { max: 100, optional: true })
  const github = v.object(m, 'github', true)
  v.text(github, 'github.repository', { max: 140, pattern: REPOSITORY, optional: true })
  v.text(github, 'github.runId', { max: 20, pattern: /^\d+$/, optional: true })
  v.text(github, 'github.runAttempt', { max: 10, pattern: /^\d+$/, optional: true })
  v.text(github, 'github.workflow', { max: 1000, optional: true })
  const database = v.object(m, 'database', true)
  v.text(database, 'database.name', { max: MAX_NAME, optional: true })
  v.text(database, 'database.host', { max: 1024, optional: true })
  v.integer(database, 'database.port', { min: 0, max: 65535, optional: true })
  v.integer(database, 'database.sizeBytes', { min: 0, optional: true })
  const locale = v.object(database ?? {}, 'database.locale', true)
  if (locale) {
    // names only: they are quoted into a warning
    for (const key of ['encoding', 'provider', 'collate', 'ctype', 'locale'])
      v.text(locale, `database.locale.${key}`, {
        max: 100,
        pattern: LOCALE_NAME,
        optional: key !== 'provider'
      })
  }
  const session = v.object(database ?? {}, 'database.session', true)
  if (session) {
    // passed on in PGOPTIONS: values only, no white space or backslash
    for (const key of OUTPUT_SETTINGS)
      v.text(session, `database.session.${key}`, {
        max: 100,
        pattern: SETTING_VALUE,
        optional: true
      })
  }
  const identity = v.object(database ?? {}, 'database.identity', true)
  if (identity) {
    // compared only, never run: each in its own shape
    v.text(identity, 'database.identity.systemIdentifier', {
      max: 20,
      pattern: /^\d+$/,
      optional: true
    })
    v.text(identity, 'database.identity.startedAt', { max: 64, pattern: /^[0-9 :.+-]+$/ })
    v.text(identity, 'database.identity.port', { max: 5, pattern: /^\d+$/ })
    v.text(identity, 'database.identity.oid', { max: 10, pattern: /^\d+$/ })
    v.text(identity, 'database.identity.name', { max: MAX_NAME })
    v.boolean(identity, 'database.identity.inRecovery', true)
    v.text(identity, 'database.identity.rowXmin', { max: 10, pattern: /^\d+$/, optional: true })
  }
  const server = v.object(m, 'server', true)
  v.text(server, 'server.version', { max: 200, optional: true })
  v.integer(server, 'server.versionNum', { min: 0, max: 9_999_999, optional: true })
  v.integer(server, 'server.major', { min: 7, max: 99, optional: true })
  const encryption = v.object(m, 'encryption', true)
  if (encryption) {
    v.choice(encryption, 'encryption.algorithm', ['age'])
    v.choice(encryption, 'encryption.mode', ['recipients', 'passphrase'])
    const recipients = v.array(encryption, 'encryption.recipients', 1000, true) ?? []
    recipients.forEach((r, i) => {
      if (typeof r !== 'string' || r.length > 200 || !isAgeRecipient(r)) {
        throw new ManifestError(
          `manifest field encryption.recipients[${i}] is not an age public key`
        )
      }
    })
  }
  v.integer(m, 'rawSizeBytes', { min: 0, optional: true })
  v.number(m, 'durationSeconds', { min: 0, max: 1e9, optional: true })
  const objects = v.object(m, 'objects', true)
  for (const kind of OBJECT_KINDS) {
    v.integer(objects, `objects.${kind}`, { min: 0, max: 1e9, optional: true })
  }
  const extensions = v.array(m, 'extensions', 10_000, true) ?? []
  extensions.forEach((e, i) => {
    const field = `extensions[${i}]`
    v.object({ [field]: e }, field)
    v.text(e, `${field}.name`, { max: MAX_NAME })
    v.text(e, `${field}.version`, { max: MAX_NAME })
    v.text(e, `${field}.schema`, { max: MAX_NAME })
  })
  const retention = v.object(m, 'retention', true)
  if (retention) {
    v.choice(retention, 'retention.tier', ['daily', 'weekly', 'monthly'])
    v.integer(retention, 'retention.days', { min: 1, max: 36500 })
  }
  const filters = v.object(m, 'filters', true)
  for (const key of ['tables', 'excludeTables', 'excludeTableData', 'schemas', 'excludeSchemas']) {
    const list = v.array(filters, `filters.${key}`, 10_000, true) ?? []
    list.forEach((p, i) =>
      v.text({ [`filters.${key}[${i}]`]: p }, `filters.${key}[${i}]`, { max: 1000 })
    )
  }
  const globals = v.object(m, 'globals', true)
  if (globals) {
    v.text(globals, 'globals.name', { max: 300, pattern: SAFE_FILE_NAME })
    v.integer(globals, 'globals.sizeBytes', { min: 1, max: MAX_GLOBALS_BYTES })
    v.text(globals, 'globals.sha256', { max: 64, pattern: /^[0-9a-f]{64}$/ })
    const roles = v.array(globals, 'globals.roles', 100_000)!
    roles.forEach((r, i) =>
      v.text({ [`globals.roles[${i}]`]: r }, `globals.roles[${i}]`, { max: MAX_NAME })
    )
  }
  const rowSecurity = v.object(m, 'rowSecurity', true)
  if (rowSecurity) {
    v.text(rowSecurity, 'rowSecurity.role', { max: MAX_NAME })
    const filtered = v.array(rowSecurity, 'rowSecurity.tables', MAX_TABLES)!
    filtered.forEach((table, i) => {
      const field = `rowSecurity.tables[${i}]`
      v.object({ [field]: table }, field)
      v.text(table, `${field}.schema`, { max: MAX_NAME })
      v.text(table, `${field}.name`, { max: MAX_NAME })
    })
    v.uniqueTables(filtered, 'rowSecurity.tables')
  }
  const args = v.array(m, 'pgDumpArgs', 1000, true) ?? []
  args.forEach((a, i) => v.text({ [`pgDumpArgs[${i}]`]: a }, `pgDumpArgs[${i}]`, { max: 4096 }))
  return m as unknown as Manifest
}

/** A file name only: no directory part, no "." or "..", no control characters. */
// eslint-disable-next-line no-control-regex
const SAFE_FILE_NAME = /^(?!\.\.?$)[^/\\\x00-\x1f\x7f]+$/
const REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/
/** PostgreSQL names are at most 63 bytes; quoted and escaped a little more. */
const MAX_NAME = 256
const MAX_TABLES = 1_000_000
/** PostgreSQL's own limit of columns in a table (MaxHeapAttributeNumber). */
const MAX_COLUMNS = 1600
/** The largest globals file a backup stores and a restore reads (postgres/globals.ts). */
export const MAX_GLOBALS_BYTES = 16 * 1024 * 1024
const OBJECT_KINDS = [
  'tables',
  'views',
  'materializedViews',
  'sequences',
  'indexes',
  'functions'
] as const

/** Field checks, each naming the field (its path; the key is its last part) when it fails. */
class ManifestChecker {
  private get(parent: unknown, field: string): unknown {
    const key =
      field.includes('[') && field.endsWith(']') && !field.includes('.', field.lastIndexOf('['))
        ? field
        : field.slice(field.lastIndexOf('.') + 1)
    return typeof parent === 'object' && parent !== null && Object.hasOwn(parent, key)
      ? (parent as Record<string, unknown>)[key]
      : undefined
  }

  private fail(field: string, what: string): never {
    throw new ManifestError(`manifest field ${field} ${what}`)
  }

  object(parent: unknown, field: string, optional = false): Record<string, unknown> | undefined {
    const value = this.get(parent, field)
    if (value === undefined && optional) return undefined
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.fail(field, 'is missing or not an object')
    }
    return value as Record<string, unknown>
  }

  array(parent: unknown, field: string, max: number, optional = false): unknown[] | undefined {
    const value = this.get(parent, field)
    if (value === undefined && optional) return undefined
    if (!Array.isArray(value)) this.fail(field, 'is missing or not a list')
    if (value.length > max)
      this.fail(field, `has ${plural(value.length, 'entry', 'entries')}, more than ${max}`)
    return value
  }

  text(
    parent: unknown,
    field: string,
    rule: { max: number; pattern?: RegExp; optional?: boolean }
  ): void {
    const value = this.get(parent, field)
    if (value === undefined && rule.optional) return
    if (typeof value !== 'string') this.fail(field, 'is missing or not a string')
    if (value.length > rule.max) this.fail(field, `is longer than ${rule.max} characters`)
    if (value.includes('\0')) this.fail(field, 'contains a NUL character')
    if (rule.pattern && !rule.pattern.test(value)) this.fail(field, 'is not in the expected format')
  }

  number(
    parent: unknown,
    field: string,
    rule: { min: number; max: number; optional?: boolean }
  ): void {
    const value = this.get(parent, field)
    if (value === undefined && rule.optional) return
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      this.fail(field, 'is missing or not a number')
    }
    if (value < rule.min || value > rule.max) {
      this.fail(field, `is ${value}, outside ${rule.min}–${rule.max}`)
    }
  }

  integer(
    parent: unknown,
    field: string,
    rule: { min: number; max?: number; nullable?: boolean; optional?: boolean }
  ): void {
    const value = this.get(parent, field)
    if (value === undefined && rule.optional) return
    if (value === null && rule.nullable) return
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      this.fail(field, 'is missing or not a whole number')
    }
    const max = rule.max ?? Number.MAX_SAFE_INTEGER
    if (value < rule.min || value > max) this.fail(field, `is ${value}, outside ${rule.min}–${max}`)
  }

  /** Each (schema, name) of a checked list of tables at most once. */
  uniqueTables(tables: unknown[], field: string): void {
    const seen = new Map<string, number>()
    tables.forEach((table, i) => {
      const { schema, name } = table as { schema: string; name: string }
      const key = JSON.stringify([schema, name])
      const first = seen.get(key)
      if (first !== undefined)
        this.fail(
          `${field}[${i}]`,
          `names the table ${JSON.stringify(schema)}.${JSON.stringify(name)} again (as ${field}[${first}] does); the action's manifest lists each table once, and a table listed twice would be counted twice`
        )
      seen.set(key, i)
    })
  }

  boolean(parent: unknown, field: string, optional = false): void {
    const value = this.get(parent, field)
    if (value === undefined && optional) return
    if (typeof value !== 'boolean') this.fail(field, 'is missing or not true/false')
  }

  choice(
    parent: unknown,
    field: string,
    choices: readonly string[],
    optional = false
  ): string | undefined {
    const value = this.get(parent, field)
    if (value === undefined && optional) return undefined
    if (typeof value !== 'string' || !choices.includes(value)) {
      this.fail(field, `is not one of ${choices.join(', ')}`)
    }
    return value
  }
}

/**
 * The most the manifest's column lists take, in bytes as written (the manifest's reader takes at
 * most 4 MiB in all: storage/artifact-manifest.ts).
 */
export const COLUMNS_BUDGET_BYTES = 1.5 * 1024 * 1024

/**
 * Sets each table's `columns` from `columns` (keyed by JSON [schema, name]) while their size as
 * the manifest writes them (each name quoted on a line of its own, indented) stays within
 * `budgetBytes`; a table whose list would not fit gets none. Returns how many got none.
 */
export function listColumns(
  tables: ManifestTable[],
  columns: ReadonlyMap<string, string[]>,
  budgetBytes: number
): number {
  let left = budgetBytes
  let unlisted = 0
  for (const table of tables) {
    const names = columns.get(JSON.stringify([table.schema, table.name]))
    if (!names) continue
    const cost = names.reduce((sum, name) => sum + Buffer.byteLength(JSON.stringify(name)) + 12, 0)
    if (cost > left) {
      unlisted++
      continue
    }
    left -= cost
    table.columns = names
  }
  return unlisted
}
