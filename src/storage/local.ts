/**
 * Backups on the runner's disk. For a restore: the dump — a file, a byte range of a zip (a stored
 * entry, read in place), or a directory-format archive's folder — with its manifest when there
 * is one, from a path the user gives (a .sql, .sql.gz, .dump, .zst, a directory archive, an
 * artifact .zip from the Actions page) or an artifact's downloaded zip. For a backup: the file
 * the stream writes (the CLI's), kept in a directory with its manifest beside it.
 */
import {
  constants,
  createWriteStream,
  existsSync,
  readFileSync,
  readlinkSync,
  rmSync
} from 'node:fs'
import {
  copyFile,
  lstat,
  mkdir,
  mkdtemp,
  open,
  readFile,
  readdir,
  rename,
  rm,
  stat,
  writeFile
} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { finished } from 'node:stream/promises'
import { EngineError, SettingError } from '../errors.js'
import { foreignEntries } from '../postgres/archive.js'
import { formatBytes, log, plural } from '../log.js'
import {
  MANIFEST_FILE,
  type Manifest,
  ManifestError,
  manifestJson,
  parseManifest,
  MAX_GLOBALS_BYTES
} from '../manifest.js'
import { MAX_SIGNATURE_BYTES, SIGNATURE_FILE } from './signing.js'
import type { Sink } from '../pipeline/backup-stream.js'
import { type BackupFile, readStart } from '../pipeline/decode.js'
import { sha256Of } from '../pipeline/digest.js'
import {
  type OpenZip,
  type ZipEntry,
  ZipError,
  checkExtraction,
  entryFile,
  extractEntry,
  extractZip,
  hashEntry,
  openZip
} from './unzip.js'

export interface LocalBackup {
  /** The dump: a file (or a byte range of one), or the folder of a directory-format archive. */
  dump: BackupFile | { directory: string }
  manifest?: Manifest
  /** sha256 of the dump when it was taken on the way (a zip's entry, checked as it was read). */
  sha256?: string
  /** The manifest exactly as stored, and the signature stored beside it (signing.ts). */
  manifestBytes?: Buffer
  signature?: Buffer
  /**
   * The globals file the manifest names (globals: true), as stored (age-encrypted when the
   * dump is), when it is beside the dump; its size and sha256 are checked by the restore.
   */
  globals?: Buffer
}

export class BackupFileError extends EngineError {
  override name = 'BackupFileError'
}

/**
 * A fresh directory of the run's own for its temporary files, under `root` (default RUNNER_TEMP,
 * which the runner empties after the job, else the system's temporary directory). It holds a
 * mark naming this process ({@link OWNER_FILE}); the first call for a parent first removes the
 * work directories there that a run killed before its clean-up left (SIGKILL, a power cut: on
 * a developer's machine /tmp kept a decrypted dump; attacker a44 F3).
 */
export async function makeWorkDir(prefix: string, root?: string): Promise<string> {
  const parent = root ?? process.env.RUNNER_TEMP ?? os.tmpdir()
  await mkdir(parent, { recursive: true })
  if (!swept.has(parent)) {
    swept.add(parent)
    await removeAbandonedWorkDirs(parent)
  }
  const dir = await mkdtemp(path.join(parent, prefix))
  workDirs.add(dir)
  await writeFile(path.join(dir, OWNER_FILE), ownerMark(process.pid), { mode: 0o600 })
  return dir
}

/**
 * The mark in each work directory: the host's name, the process's ID, its start time (in clock
 * ticks since boot, /proc/PID/stat field 22) and its PID namespace (both empty where there is
 * no /proc), one a line.
 */
export const OWNER_FILE = '.pg-backup-action-owner'
/** The work directories' names (makeWorkDir's prefixes and mkdtemp's six characters). */
const WORK_DIR_NAME = /^pg-(?:backup|restore|pipe)-[A-Za-z0-9]{6}$/
/** The parents already swept by this process. */
const swept = new Set<string>()

function ownerMark(pid: number): string {
  return `${os.hostname()}\n${pid}\n${startTime(pid) ?? ''}\n${pidNamespace()}\n`
}

/**
 * This process's PID namespace ("pid:[4026531836]"; empty where there is no /proc): a process
 * ID means something only in its own (a container with the host's name and a shared /tmp: the
 * live run's ID read in another namespace said it was gone; attacker a54 F4).
 */
function pidNamespace(): string {
  try {
    return readlinkSync('/proc/self/ns/pid')
  } catch {
    return ''
  }
}

/** A process's start time (/proc/PID/stat field 22), undefined where it cannot be read. */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1')
    // the command's name (field 2) is in parentheses and may hold spaces and ")"
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]
  } catch {
    return undefined
  }
}

/** The process a mark names still runs: the same ID and, where known, the same start time. */
function markedAlive(pid: number, start: string): boolean {
  try {
    process.kill(pid, 0)
  } catch (error) {
    // EPERM: another user's process has the ID (alive); ESRCH: none has
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  const now = startTime(pid)
  return start === '' || now === undefined || now === start
}

/**
 * Removes the work directories in `parent` whose mark names a process of this host and PID
 * namespace that no longer runs (its ID gone, or taken by a process started later). Only
 * directories of this user with a mark: one made by another host (a shared mount), in another
 * PID namespace (a container sharing the folder) or by a run whose mark is not yet written is
 * left, as is anything that cannot be read. Best effort: never fails the run.
 */
async function removeAbandonedWorkDirs(parent: string): Promise<void> {
  let names: string[]
  try {
    names = (await readdir(parent)).filter(n => WORK_DIR_NAME.test(n))
  } catch {
    return
  }
  const removed: string[] = []
  for (const name of names) {
    const dir = path.join(parent, name)
    try {
      const info = await lstat(dir)
      if (!info.isDirectory() || (process.getuid && info.uid !== process.getuid())) continue
      const [host, pid, start = '', namespace = ''] = (
        await readFile(path.join(dir, OWNER_FILE), 'utf8')
      ).split('\n')
      if (host !== os.hostname() || !/^[1-9][0-9]*$/.test(pid ?? '')) continue
      // a process ID of another PID namespace (or of none known) cannot be checked here
      if (namespace !== pidNamespace()) continue
      if (markedAlive(Number(pid), start)) continue
      await rm(dir, { recursive: true, force: true })
      removed.push(name)
    } catch {
      // unreadable or gone meanwhile: left as it is
    }
  }
  if (removed.length > 0) {
    log.info(
      `Removed ${plural(removed.length, 'work directory', 'work directories')} in ${parent} that a run killed before its clean-up left (${removed.join(', ')}).`
    )
  }
}

/** The work directories made by this process (makeWorkDir); the modes remove their own. */
const workDirs = new Set<string>()

/**
 * Removes every work directory this process made, at once (synchronously): for a run that must
 * end before the modes' own clean-up ran (cancelled, and out of time). Their contents are
 * parts of a backup (a decrypted dump, a downloaded archive), never to be left behind.
 */
export function removeWorkDirsNow(): void {
  for (const dir of workDirs) {
    try {
      rmSync(dir, { recursive: true, force: true })
    } catch {
      // best effort: the runner empties RUNNER_TEMP after the job
    }
    workDirs.delete(dir)
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

/** A local backup's manifest beside its file: `<file>.manifest.json` (writeLocalBackup). */
const LOCAL_MANIFEST_SUFFIX = '.manifest.json'

/**
 * Whether the folder holds other backups' manifests than the one of `dump` (the daily backups of
 * an output-dir): then the folder itself names no one backup.
 */
async function otherBackupsBeside(dir: string, dump: string): Promise<boolean> {
  const names = await readdir(dir).catch(() => [] as string[])
  return names.some(
    n => n.endsWith(LOCAL_MANIFEST_SUFFIX) && n !== `${dump}${LOCAL_MANIFEST_SUFFIX}`
  )
}

/**
 * The first bytes of a directory archive's toc.dat: "PGDMP", the format's version (3 bytes), the
 * integer and offset sizes, and the format: 3 (archTar, what a directory archive's toc.dat says;
 * a custom archive's is 1, and a tar-format archive begins with a tar header).
 */
const TOC_FORMAT_OF_DIRECTORY = 3

/** Whether the file begins as a directory archive's toc.dat (see TOC_FORMAT_OF_DIRECTORY). */
async function isDirectoryToc(file: string): Promise<boolean> {
  const start = await readStart({ path: file }, 11).catch(() => Buffer.alloc(0))
  return (
    start.length === 11 &&
    start.subarray(0, 5).toString('latin1') === 'PGDMP' &&
    start[10] === TOC_FORMAT_OF_DIRECTORY
  )
}

/** Opens the file or folder the user gave (backupFile); a zip is read in place. */
export async function openLocalBackup(file: string, workDir: string): Promise<LocalBackup> {
  let info
  try {
    info = await stat(file)
  } catch (error) {
    // a relative path is read from the working directory (the workspace): where it looked
    const where = path.isAbsolute(file) ? '' : ` (looked for at ${path.resolve(file)})`
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EACCES')
      throw new SettingError(
        'backupFile',
        `'${file}'${where} cannot be read: permission denied for this user. Make it readable by the user the step runs as.`
      )
    throw new SettingError(
      'backupFile',
      `'${file}' does not exist${where}. Give the path of a backup file in the workspace (e.g. after actions/checkout or a download step).`
    )
  }
  if (info.isDirectory()) return openDirectory(file, workDir)
  // a directory archive's table of contents given for the archive: pg_restore reads the folder
  // (given toc.dat it says "expected format (1) differs from format found in file (3)")
  if (path.basename(file) === 'toc.dat' && (await isDirectoryToc(file))) {
    const folder = path.dirname(file)
    log.info(
      `${file} is the table of contents of the directory archive ${folder}: restoring that folder.`
    )
    return openDirectory(folder, workDir)
  }
  // a named pipe, a socket, a device (<(curl …), /dev/stdin): the restore reads its backup more
  // than once (checked whole before anything loads), which a stream cannot give (attacker a41
  // F5: a FIFO was called empty)
  if (!info.isFile()) {
    const kind = info.isFIFO()
      ? "a named pipe (FIFO, e.g. a shell's <(…))"
      : info.isSocket()
        ? 'a socket'
        : info.isCharacterDevice() || info.isBlockDevice()
          ? 'a device'
          : 'not a regular file'
    throw new SettingError(
      'backupFile',
      `'${file}' is ${kind}, not a file: the restore reads its backup more than once (it is checked whole before anything loads), which a stream cannot give. Save it to a file first (e.g. cat '${file}' > backup.dump) and give that.`
    )
  }
  if (info.size === 0) {
    throw new SettingError('backupFile', `'${file}' is empty; nothing to restore.`)
  }
  if (await isZip(file)) return openZippedBackup(file, workDir, `the zip '${path.basename(file)}'`)
  await refuseManifestOrSignature(file, info.size)
  // a manifest beside the file (a local backup's <file>.manifest.json, or an extracted
  // artifact's manifest.json) is used when it describes this file
  for (const beside of [`${file}.manifest.json`, path.join(path.dirname(file), MANIFEST_FILE)]) {
    if (!existsSync(beside)) continue
    // a manifest that cannot be read fails the restore: ignoring it would skip its checks
    let read: Awaited<ReturnType<typeof readManifestFile>>
    try {
      read = await readManifestFile(beside)
    } catch (error) {
      throw new ManifestError(
        `${beside}, beside '${path.basename(file)}', is not a valid manifest (${(error as Error).message}). Nothing was restored. Fix the manifest, or move it away to restore the file without its checks.`
      )
    }
    const described = read.manifest.file
    // <file>.manifest.json of a renamed backup (people rename them): used when it describes
    // these very bytes; otherwise said — a checked backup never quietly becomes unchecked (trial
    // u43 F13: a renamed backup restored without its sha256 and row-count checks, not a word)
    const renamed =
      described.name !== path.basename(file) &&
      beside === `${file}.manifest.json` &&
      described.sizeBytes === info.size &&
      (await sha256Of({ path: file })) === described.sha256
    if (described.name === path.basename(file) || renamed) {
      if (renamed)
        log.info(
          `${path.basename(beside)} describes '${described.name}': the same bytes (its size and sha256 match), so it is this backup's manifest under another name; its checks apply.`
        )
      const signature = await readSignatureFile(`${beside}.sig`)
      const globals = await readGlobalsBeside(path.dirname(file), read.manifest)
      return { dump: { path: file }, ...read, signature, globals }
    }
    const why =
      described.sizeBytes !== info.size
        ? `${formatBytes(described.sizeBytes)}, this file ${formatBytes(info.size)}`
        : 'its sha256 differs from this file'
    const note = `${beside} describes another backup, '${described.name}' (${why}): it is not used, and '${path.basename(file)}' is restored without a manifest's checks (sha256, row counts). If it is this backup's own, give the file it names; else move the manifest away.`
    if (beside === `${file}.manifest.json`) log.warning(note)
    else log.info(note)
  }
  return { dump: { path: file } }
}

/** The dump a manifest file names, or undefined when the file is no manifest of this tool. */
async function describedDump(file: string): Promise<string | undefined> {
  try {
    return (await readManifestFile(file)).manifest.file.name
  } catch {
    return undefined
  }
}

/**
 * A backup's manifest (manifest.json, <file>.manifest.json) or its signature (.sig) given as the
 * backup file would be run as SQL (a plain script is anything pg_restore does not recognise):
 * refused by content, naming the dump it describes.
 */
async function refuseManifestOrSignature(file: string, size: number): Promise<void> {
  const handle = await open(file, 'r')
  let head: string
  try {
    const buffer = Buffer.alloc(64)
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0)
    head = buffer.subarray(0, bytesRead).toString('utf8')
  } finally {
    await handle.close()
  }
  const dir = path.dirname(file)
  if (/^hmac-sha256-v\d+:[0-9a-f]/.test(head) && size <= MAX_SIGNATURE_BYTES) {
    const manifest = file.endsWith('.sig') ? file.slice(0, -'.sig'.length) : undefined
    const dump = manifest && existsSync(manifest) ? await describedDump(manifest) : undefined
    throw new SettingError(
      'backupFile',
      `'${file}' is the signature of a backup's manifest${dump ? ` (of '${dump}')` : ''}, not a backup. Nothing was restored. Give backup-file ${dump ? `'${path.join(dir, dump)}' (the dump)` : 'the dump'}${dump && (await otherBackupsBeside(dir, dump)) ? '' : ' or the folder holding the dump, its manifest and this signature'}.`
    )
  }
  if (!/^\s*\{/.test(head) || size > MAX_MANIFEST_BYTES) return
  const dump = await describedDump(file)
  if (dump === undefined) return
  throw new SettingError(
    'backupFile',
    `'${file}' is the manifest of the backup '${dump}', not a backup. Nothing was restored. Give backup-file '${path.join(dir, dump)}' (the dump it describes)${(await otherBackupsBeside(dir, dump)) ? '' : ' or the folder holding both'}.`
  )
}

/**
 * A zip holding a backup (an artifact: manifest.json and the dump it names; or a single dump).
 * Its dump is read in place when stored (a byte range of the zip: no copy on disk), its CRC-32
 * and sha256 taken in one pass; any other zip (a folder, several files) is unpacked into
 * `workDir` and read as a folder.
 */
export async function openZippedBackup(
  zipFile: string,
  workDir: string,
  what: string
): Promise<LocalBackup> {
  const zip = await openZip(zipFile)
  try {
    const top = new Set(
      zip.entries.map(e => e.name.split('/')[0]).filter(name => name && !name.startsWith('.'))
    )
    const file = (name: string): ZipEntry | undefined =>
      zip.entries.find(e => e.name === name && !e.isDirectory)
    const manifestEntry = file(MANIFEST_FILE)
    if (manifestEntry) {
      if (manifestEntry.size > MAX_MANIFEST_BYTES) {
        throw new ZipError(
          `${what}'s ${MANIFEST_FILE} would be ${manifestEntry.size} bytes (at most ${MAX_MANIFEST_BYTES} are read): the zip is forged (a zip bomb?); nothing was restored.`
        )
      }
      const { manifest, manifestBytes } = await readManifestEntry(zip, manifestEntry, what)
      const signatureEntry = file(SIGNATURE_FILE)
      const signature =
        signatureEntry && signatureEntry.size <= MAX_SIGNATURE_BYTES
          ? await readAll(zip, signatureEntry)
          : undefined
      const dump = manifest.file.name.includes('/') ? undefined : file(manifest.file.name)
      if (!dump) {
        throw new BackupFileError(
          `${what} has a manifest naming '${manifest.file.name}', which is not there; the backup is incomplete.`
        )
      }
      // a compressed dump is written out: the manifest says how large it may be (a stored one is
      // read in place, within its byte range, and checked against the manifest after)
      if (!entryFile(zip, dump) && dump.size > manifest.file.sizeBytes) {
        throw new ZipError(
          `${what}'s entry ${dump.name} would be ${dump.size} bytes, but its manifest says the file is ${manifest.file.sizeBytes} bytes: the zip is forged (a zip bomb?); nothing was extracted or restored.`
        )
      }
      const globalsEntry = manifest.globals ? file(manifest.globals.name) : undefined
      const globals =
        globalsEntry && globalsEntry.size <= MAX_GLOBALS_BYTES
          ? await readAll(zip, globalsEntry)
          : undefined
      // entries the backup does not have: said, never read (attacker a58 F5)
      const known = new Set([MANIFEST_FILE, SIGNATURE_FILE, dump.name, globalsEntry?.name])
      const extra = zip.entries.filter(e => !e.isDirectory && !known.has(e.name))
      if (extra.length > 0)
        log.info(
          `${what} holds ${plural(extra.length, 'entry', 'entries')} besides the backup its ${MANIFEST_FILE} names, not read: ${extra
            .slice(0, 5)
            .map(e => JSON.stringify(e.name))
            .join(', ')}${extra.length > 5 ? `, and ${extra.length - 5} more` : ''}.`
        )
      return {
        ...(await readEntry(zip, dump, workDir)),
        manifest,
        manifestBytes,
        signature,
        globals
      }
    }
    const only = top.size === 1 ? file([...top][0]) : undefined
    if (only) return await readEntry(zip, only, workDir)
    // which entry is the backup is decided before anything is unpacked (as openExtracted will)
    const undecidable = undecidableFolder(zip.entries)
    if (undecidable) {
      throw new SettingError(
        'backupFile',
        `${what}${undecidable.folder ? `'s folder '${undecidable.folder}'` : ''} holds ${plural(undecidable.names.length, 'file')} and no ${MANIFEST_FILE}; cannot tell which one is the backup (${undecidable.names.slice(0, 5).join(', ')}). Nothing was extracted. Give the backup's own file as backup-file.`
      )
    }
  } finally {
    zip.close()
  }
  const target = path.join(workDir, 'unzipped')
  await extractZip(zipFile, target)
  // a directory archive's files at the zip's top: the unpacked folder is the archive
  if (existsSync(path.join(target, 'toc.dat'))) return openDirectory(target, workDir)
  return openExtracted(target, what, workDir)
}

/**
 * Where openExtracted, after the zip is unpacked, could not tell which file is the backup: the
 * folder (its path in the zip, '' for the top) holding several files (or none) and no manifest,
 * with their names. Follows openExtracted and openDirectory: a folder with a manifest, or
 * one with toc.dat (a directory archive, also at the top), is decided; a single file is the backup; a
 * single folder is looked into.
 */
export function undecidableFolder(
  entries: ReadonlyArray<ZipEntry>
): { folder: string; names: string[] } | undefined {
  for (let folder = ''; ;) {
    const children = new Map<string, boolean>()
    for (const e of entries) {
      if (!e.name.startsWith(folder)) continue
      const rest = e.name.slice(folder.length)
      const name = rest.split('/')[0]
      if (!name || name.startsWith('.')) continue
      const isFolder = rest.length > name.length
      children.set(name, (children.get(name) ?? false) || isFolder)
    }
    const names = [...children.keys()]
    if (names.includes(MANIFEST_FILE)) return undefined
    // <file> beside <file>.manifest.json, once (what the backup command writes)
    const described = names.filter(
      n =>
        n.endsWith(LOCAL_MANIFEST_SUFFIX) &&
        children.has(n.slice(0, -LOCAL_MANIFEST_SUFFIX.length)) &&
        !children.get(n)
    )
    if (described.length === 1) return undefined
    // a directory archive's folder, or its files at the zip's top (zip -r x.zip . in the folder)
    if (children.has('toc.dat') && !children.get('toc.dat')) return undefined
    const candidates = names.filter(n => n !== SIGNATURE_FILE)
    if (candidates.length !== 1) return { folder, names: candidates }
    if (!children.get(candidates[0])) return undefined
    folder = `${folder}${candidates[0]}/`
  }
}

/** A manifest larger than this is not read (it is held in memory): 64 MiB. */
const MAX_MANIFEST_BYTES = 64 * 1024 * 1024

async function readAll(zip: OpenZip, entry: ZipEntry): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of await zip.read(entry)) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

async function readManifestEntry(
  zip: OpenZip,
  entry: ZipEntry,
  what: string
): Promise<{ manifest: Manifest; manifestBytes: Buffer }> {
  const manifestBytes = await readAll(zip, entry)
  try {
    return { manifest: parseManifest(JSON.parse(manifestBytes.toString('utf8'))), manifestBytes }
  } catch (error) {
    if (error instanceof ManifestError) throw error
    throw new ManifestError(
      `${what}'s ${MANIFEST_FILE} is not valid JSON: ${(error as Error).message}`
    )
  }
}

/** The dump entry: in place when stored; a compressed one is written out (checked on the way). */
async function readEntry(zip: OpenZip, entry: ZipEntry, workDir: string): Promise<LocalBackup> {
  const inPlace = entryFile(zip, entry)
  if (inPlace) return { dump: inPlace, sha256: await hashEntry(zip, entry) }
  const target = path.join(workDir, 'unzipped', path.posix.basename(entry.name))
  await checkExtraction([entry], path.dirname(target))
  return { dump: { path: target }, sha256: await extractEntry(zip, entry, target) }
}

async function openDirectory(dir: string, workDir: string): Promise<LocalBackup> {
  if (existsSync(path.join(dir, 'toc.dat'))) {
    const foreign = await foreignEntries(dir, { hardLinks: false })
    if (foreign.length > 0) {
      throw new BackupFileError(
        `the directory archive '${dir}' holds entries pg_dump does not write: ${foreign.slice(0, 5).join(', ')}${foreign.length > 5 ? `, and ${foreign.length - 5} more` : ''}. pg_restore would read what a link points to, outside the backup; nothing was restored. Replace each link by the file itself (cp -L), or restore a backup the action or pg_dump -Fd made.`
      )
    }
    return { dump: { directory: dir } }
  }
  return openExtracted(dir, `the folder '${dir}'`, workDir)
}

/** A folder holding an artifact's files: manifest.json and the dump it names. */
async function openExtracted(dir: string, what: string, workDir: string): Promise<LocalBackup> {
  const entries = (await readdir(dir)).filter(e => !e.startsWith('.'))
  if (entries.includes(MANIFEST_FILE)) {
    const { manifest, manifestBytes } = await readManifestFile(path.join(dir, MANIFEST_FILE))
    const signature = await readSignatureFile(path.join(dir, SIGNATURE_FILE))
    const dumpPath = path.join(dir, manifest.file.name)
    if (path.dirname(path.resolve(dumpPath)) !== path.resolve(dir) || !existsSync(dumpPath)) {
      throw new BackupFileError(
        `${what} has a manifest naming '${manifest.file.name}', which is not there; the backup is incomplete.`
      )
    }
    const globals = await readGlobalsBeside(dir, manifest)
    return { dump: { path: dumpPath }, manifest, manifestBytes, signature, globals }
  }
  // a folder the backup command (or backup-dir) wrote: <file> beside <file>.manifest.json
  const described = entries.filter(
    e =>
      e.endsWith(LOCAL_MANIFEST_SUFFIX) &&
      entries.includes(e.slice(0, -LOCAL_MANIFEST_SUFFIX.length))
  )
  if (described.length === 1) {
    return openLocalBackup(
      path.join(dir, described[0].slice(0, -LOCAL_MANIFEST_SUFFIX.length)),
      workDir
    )
  }
  const candidates = entries.filter(e => e !== MANIFEST_FILE && e !== SIGNATURE_FILE)
  if (candidates.length === 1) {
    const only = path.join(dir, candidates[0])
    const info = await stat(only)
    if (info.isDirectory()) return openDirectory(only, workDir)
    return { dump: { path: only } }
  }
  // several backups with their manifests: the backups' own files are the choice to name
  const choices =
    described.length > 1
      ? described.map(e => e.slice(0, -LOCAL_MANIFEST_SUFFIX.length))
      : candidates
  if (candidates.length === 0)
    throw new SettingError(
      'backupFile',
      `${what} is empty: it holds no backup file. Give the backup's own file as backup-file (its path in the workspace), or the folder it was downloaded or unzipped into.`
    )
  throw new SettingError(
    'backupFile',
    `${what} holds ${plural(candidates.length, 'file')} and no manifest.json${described.length > 1 ? ` but ${described.length} backups with a <file>.manifest.json each` : ''}; cannot tell which one is the backup (${choices.slice(0, 5).join(', ')}${choices.length > 5 ? ', …' : ''}). Give the backup's own file as backup-file.`
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

/** A manifest file: parsed, and its bytes as stored (for the signature). */
async function readManifestFile(
  file: string
): Promise<{ manifest: Manifest; manifestBytes: Buffer }> {
  const manifestBytes = await readFile(file)
  let data: unknown
  try {
    data = JSON.parse(manifestBytes.toString('utf8'))
  } catch (error) {
    throw new ManifestError(`${file} is not valid JSON: ${(error as Error).message}`)
  }
  return { manifest: parseManifest(data), manifestBytes }
}

/** The globals file the manifest names, in `dir` beside the dump (when there, and not too large). */
async function readGlobalsBeside(dir: string, manifest: Manifest): Promise<Buffer | undefined> {
  if (!manifest.globals) return undefined
  const file = path.join(dir, manifest.globals.name)
  if (path.dirname(path.resolve(file)) !== path.resolve(dir)) return undefined
  const info = await stat(file).catch(() => undefined)
  if (!info?.isFile() || info.size > MAX_GLOBALS_BYTES) return undefined
  return readFile(file)
}

/** A signature file when there is one (and it is no larger than a signature). */
async function readSignatureFile(file: string): Promise<Buffer | undefined> {
  const info = await stat(file).catch(() => undefined)
  if (!info?.isFile() || info.size > MAX_SIGNATURE_BYTES) return undefined
  return readFile(file)
}

/** Writes `file` as `<file>.partial` (by `write`), then renames it to its name; removed on failure. */
async function inPlace(file: string, write: (partial: string) => Promise<void>): Promise<void> {
  const partial = `${file}.partial`
  // a run killed before left it: gone first, as `write` makes it anew only where nothing is
  // (flag 'wx', COPYFILE_EXCL: never through a link planted under that name, attacker a98 F10)
  await rm(partial, { force: true })
  try {
    await write(partial)
    await rename(partial, file)
  } catch (error) {
    await rm(partial, { force: true }).catch(() => undefined)
    throw error
  }
}

/**
 * Moves a backup's file into `directory` with its manifest beside it as `<file>.manifest.json`
 * (and, signed, `<file>.manifest.json.sig`: `sign` gives the signature of the manifest's bytes).
 */
export async function keepLocally(
  filePath: string,
  manifest: Manifest,
  directory: string,
  sign?: (manifestBytes: string) => string,
  extras: { name: string; data: Buffer }[] = []
): Promise<string> {
  await mkdir(directory, { recursive: true })
  const target = path.join(directory, path.basename(filePath))
  // each file takes its name whole, or not at all (a run killed while it copies or writes leaves
  // a <name>.partial, never a cut file under the backup's name), the manifest last: a manifest
  // beside a dump says the dump is whole (attacker a36 A4); a failure before it removes the
  // files placed already (attacker a98 F1: a full disk left the dump without its manifest)
  const placed: string[] = []
  const exclusive = { mode: 0o600, flag: 'wx' } as const
  try {
    try {
      await rename(filePath, target)
    } catch {
      // another file system
      await inPlace(target, partial => copyFile(filePath, partial, constants.COPYFILE_EXCL))
    }
    placed.push(target)
    for (const extra of extras) {
      const file = path.join(directory, path.basename(extra.name))
      await inPlace(file, partial => writeFile(partial, extra.data, exclusive))
      placed.push(file)
    }
    const json = manifestJson(manifest)
    if (sign) {
      await inPlace(`${target}.manifest.json.sig`, partial =>
        writeFile(partial, sign(json), exclusive)
      )
      placed.push(`${target}.manifest.json.sig`)
    }
    await inPlace(`${target}.manifest.json`, partial => writeFile(partial, json, exclusive))
  } catch (error) {
    await Promise.all(placed.map(file => rm(file, { force: true }).catch(() => undefined)))
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOSPC' || code === 'EDQUOT')
      throw new EngineError(
        `the disk is full: no space left while writing the backup into ${directory} (${(error as Error).message}). Nothing of it was kept there: free space in that directory's file system, or write the backup somewhere with room.`,
        'failure',
        undefined,
        { cause: error }
      )
    throw error
  }
  log.info(
    `${target} (${formatBytes(manifest.file.sizeBytes)}) and ${path.basename(target)}.manifest.json`
  )
  return target
}
