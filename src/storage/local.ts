/**
 * A backup on disk, as restore needs it: the dump (a file, or a directory-format folder) and the
 * manifest when there is one. Takes a path the user gives (a .sql, .sql.gz, .dump, .zst, a
 * directory archive, or an artifact .zip from the Actions page) or an extracted artifact.
 */
import { createWriteStream, existsSync } from 'node:fs'
import { copyFile, mkdir, open, readdir, rename, stat } from 'node:fs/promises'
import path from 'node:path'
import { finished } from 'node:stream/promises'
import type { Sink } from '../pipeline/backup-stream.js'
import { EngineError, SettingError } from '../errors.js'
import { formatBytes, log } from '../log.js'
import { MANIFEST_FILE, type Manifest, readManifest, writeManifest } from '../manifest.js'
import { extractZip } from './zip.js'

export interface LocalBackup {
  /** The dump file, or the folder of a directory-format archive. */
  dumpPath: string
  isDirectory: boolean
  manifest?: Manifest
}

export class BackupFileError extends EngineError {
  constructor(message: string) {
    super(message)
    this.name = 'BackupFileError'
  }
}

async function isZip(file: string): Promise<boolean> {
  const handle = await open(file, 'r')
  try {
    const buffer = Buffer.alloc(4)
    const { bytesRead } = await handle.read(buffer, 0, 4, 0)
    return bytesRead === 4 && buffer.readUInt32LE(0) === 0x04034b50
  } finally {
    await handle.close()
  }
}

/** Resolves the `backup-file` input; extracts a zip into `workDir`. */
export async function openLocalBackup(file: string, workDir: string): Promise<LocalBackup> {
  let info
  try {
    info = await stat(file)
  } catch {
    throw new SettingError(
      'backupFile',
      `'${file}' does not exist. Give the path of a backup file in the workspace (e.g. after actions/checkout or a download step).`
    )
  }
  if (info.isDirectory()) return openDirectory(file)
  if (info.size === 0) {
    throw new SettingError('backupFile', `'${file}' is empty; nothing to restore.`)
  }
  if (await isZip(file)) {
    const target = path.join(workDir, 'unzipped')
    await extractZip(file, target)
    return openExtracted(target, `the zip '${path.basename(file)}'`)
  }
  // a manifest beside the file (a local backup's <file>.manifest.json, or an extracted
  // artifact's manifest.json) is used when it describes this file
  for (const beside of [`${file}.manifest.json`, path.join(path.dirname(file), MANIFEST_FILE)]) {
    if (!existsSync(beside)) continue
    const manifest = await readManifest(beside).catch(() => undefined)
    if (manifest?.file.name === path.basename(file)) {
      return { dumpPath: file, isDirectory: false, manifest }
    }
  }
  return { dumpPath: file, isDirectory: false }
}

async function openDirectory(dir: string): Promise<LocalBackup> {
  if (existsSync(path.join(dir, 'toc.dat'))) return { dumpPath: dir, isDirectory: true }
  return openExtracted(dir, `the folder '${dir}'`)
}

/** A folder holding an artifact's files: manifest.json and the dump it names. */
export async function openExtracted(dir: string, what: string): Promise<LocalBackup> {
  const entries = (await readdir(dir)).filter(e => !e.startsWith('.'))
  if (entries.includes(MANIFEST_FILE)) {
    const manifest = await readManifest(path.join(dir, MANIFEST_FILE))
    const dumpPath = path.join(dir, manifest.file.name)
    if (path.dirname(path.resolve(dumpPath)) !== path.resolve(dir) || !existsSync(dumpPath)) {
      throw new BackupFileError(
        `${what} has a manifest naming '${manifest.file.name}', which is not there; the backup is incomplete.`
      )
    }
    return { dumpPath, isDirectory: false, manifest }
  }
  const candidates = entries.filter(e => e !== MANIFEST_FILE)
  if (candidates.length === 1) {
    const only = path.join(dir, candidates[0])
    const info = await stat(only)
    if (info.isDirectory()) return openDirectory(only)
    return { dumpPath: only, isDirectory: false }
  }
  throw new BackupFileError(
    `${what} holds ${candidates.length} files and no manifest.json; cannot tell which one is the backup (${candidates.slice(0, 5).join(', ')}).`
  )
}

/** A sink of the backup's stream (pipeline/backup-stream.ts): a new file (mode 0600). */
export function fileSink(file: string): Sink {
  const writable = createWriteStream(file, { mode: 0o600 })
  const stored = finished(writable).then(async () => (await stat(file)).size)
  stored.catch(() => undefined) // awaited by the stream
  return {
    writable,
    stored,
    directory: path.dirname(file),
    mismatch: (held, sent) =>
      `the dump file has ${held} bytes on disk but ${sent} were written; the disk may be failing.`
  }
}

/** Moves a backup's file into `directory` with its manifest beside it as `<file>.manifest.json`. */
export async function keepLocally(
  filePath: string,
  manifest: Manifest,
  directory: string
): Promise<string> {
  await mkdir(directory, { recursive: true })
  const target = path.join(directory, path.basename(filePath))
  try {
    await rename(filePath, target)
  } catch {
    await copyFile(filePath, target) // another file system
  }
  await writeManifest(`${target}.manifest.json`, manifest)
  log.info(
    `${target} (${formatBytes(manifest.file.sizeBytes)}) and ${path.basename(target)}.manifest.json`
  )
  return target
}
