/**
 * manifest.json: a versioned, secret-free description of one backup, stored beside the dump.
 * Restore reads it to check the file (sha256) and the restored data (row counts).
 */
import { readFile, writeFile } from 'node:fs/promises'
import { CheckError } from './errors.js'
import type { ManifestChanges } from './manifest-changes.js'
import type { ObjectCounts } from './postgres/session.js'
import type {
  BackupOptions,
  Compression,
  DumpFilters,
  DumpFormat,
  RowCountMethod
} from './types.js'
import { TOOL_NAME, TOOL_VERSION } from './version.js'

export const MANIFEST_FILE = 'manifest.json'
export const MANIFEST_SCHEMA_VERSION = 1

export interface ManifestTable {
  schema: string
  name: string
  /** Exact count in the dump's snapshot, or a planner estimate (see rowCounts.method). */
  rows: number | null
  /**
   * Why an exact count is missing although the table's data is in the dump (the role cannot
   * read it, its lock was not granted in time); the dump itself is whole.
   */
  uncounted?: string
}

export interface Manifest {
  schemaVersion: typeof MANIFEST_SCHEMA_VERSION
  tool: { name: string; version: string }
  createdAt: string
  github?: { repository?: string; runId?: string; runAttempt?: string; workflow?: string }
  database: { name: string; host: string; port: number; sizeBytes: number }
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
  /** The retention tier retention-schedule chose for this run (also the S3 objects' tag). */
  retention?: { tier: 'daily' | 'weekly' | 'monthly'; days: number }
  filters: DumpFilters
  pgDumpArgs: string[]
  /** What changed since the previous backup of the same name, when it could be read. */
  changes?: ManifestChanges
}

/** What a backup's manifest is made of (besides the options the backup was made with). */
export interface BackupFacts {
  createdAt: Date
  github?: Manifest['github']
  database: { name: string; host: string; port: number; sizeBytes: number }
  server: Manifest['server']
  pgDump: Manifest['pgDump']
  file: Manifest['file']
  rawSizeBytes: number
  rowCounts: Manifest['rowCounts']
  objects?: ObjectCounts
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

export function parseManifest(data: unknown): Manifest {
  const m = data as Partial<Manifest>
  if (typeof m !== 'object' || m === null) throw new ManifestError('manifest is not an object')
  if (m.schemaVersion !== MANIFEST_SCHEMA_VERSION) {
    throw new ManifestError(
      `manifest schemaVersion ${String(m.schemaVersion)} is not supported (expected ${MANIFEST_SCHEMA_VERSION}); use a newer version of the action.`
    )
  }
  if (!m.file || typeof m.file.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(m.file.sha256)) {
    throw new ManifestError('manifest has no valid file.sha256')
  }
  if (!m.format || !m.compression || !Array.isArray(m.rowCounts?.tables)) {
    throw new ManifestError('manifest lacks format, compression or rowCounts')
  }
  return m as Manifest
}
