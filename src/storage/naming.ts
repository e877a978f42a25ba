/**
 * How a backup is named, in one place: its file name (the artifact's entry, the local file) and
 * its S3 key, from the database's name, the time of the run (UTC) and how it is encoded.
 */
import type { Compression, DumpFormat } from '../types.js'

/** The database's name reduced to [A-Za-z0-9._-] (at most 80 characters). */
export function safeFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || 'database'
}

/** `YYYYMMDDTHHMMSSZ` in UTC. */
export function timestamp(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
}

/** `.dump` / `.sql` / `.dir.tar` / `.tar`, then `.zst` / `.gz`, then `.age` when encrypted. */
export function backupExtension(
  format: DumpFormat,
  compression: Compression,
  encrypted: boolean
): string {
  const formatPart = { custom: '.dump', plain: '.sql', directory: '.dir.tar', tar: '.tar' }[format]
  const compressionPart = compression === 'zstd' ? '.zst' : compression === 'gzip' ? '.gz' : ''
  return `${formatPart}${compressionPart}${encrypted ? '.age' : ''}`
}

/** `<database>-<YYYYMMDDTHHMMSSZ><ext>`. */
export function backupFileName(database: string, date: Date, ext: string): string {
  return `${safeFileName(database)}-${timestamp(date)}${ext}`
}

/** `<prefix><database>/<YYYY>/<MM>/<database>-<YYYYMMDDTHHMMSSZ><ext>`, in UTC. */
export function backupKey(prefix: string, database: string, date: Date, ext: string): string {
  const iso = date.toISOString()
  return `${prefix}${safeFileName(database)}/${iso.slice(0, 4)}/${iso.slice(5, 7)}/${backupFileName(database, date, ext)}`
}
