/**
 * Archive formats (custom, directory): their table of contents through `pg_restore --list` (of
 * a file, a directory, or a dump as it streams by) and what the lists say, and the header
 * pg_dump writes at the start of every archive (which pg_dump wrote it, for which server).
 */
import { lstat, open, readdir, readlink, stat } from 'node:fs/promises'
import path from 'node:path'
import { Transform } from 'node:stream'
import { CheckError } from '../errors.js'
import { type BackupFile, type Decoding, openDecoded } from '../pipeline/decode.js'
import { ChildProcessError, runChild, startChild } from '../process.js'
import type { QualifiedName } from '../types.js'

export class ArchiveError extends CheckError {
  override name = 'ArchiveError'
}

/**
 * The entries of a directory archive's folder that are not plain files of its own: a symbolic
 * link (pg_restore would follow it and load whatever it points to, e.g. a file outside the
 * folder), anything else that is not a regular file (a directory, a FIFO, a device), and, with
 * `hardLinks`, a file with more than one name (a tar's hard-link member: the action unpacked it,
 * so a fresh file has one name). pg_dump -Fd writes only regular files. Empty when it is clean.
 */
export async function foreignEntries(
  dir: string,
  options: { hardLinks: boolean }
): Promise<string[]> {
  const problems: string[] = []
  for (const name of (await readdir(dir)).sort()) {
    const info = await lstat(path.join(dir, name))
    if (info.isSymbolicLink()) {
      const to = await readlink(path.join(dir, name)).catch(() => '?')
      problems.push(`'${name}' is a symbolic link (to '${to}')`)
    } else if (!info.isFile()) {
      problems.push(
        `'${name}' is not a regular file (${info.isDirectory() ? 'a directory' : 'a FIFO, socket or device'})`
      )
    } else if (options.hardLinks && info.nlink > 1) {
      problems.push(`'${name}' is a hard link (${info.nlink} names)`)
    }
  }
  return problems
}

/**
 * Runs `pg_restore --list` on an archive: a directory, or a (compressed, encrypted) custom-format
 * file fed through stdin — pg_restore reads only the header and the table of contents, then
 * closes its stdin. Rejects when pg_restore does not accept it.
 */
export async function listArchive(
  pgRestorePath: string,
  source: { directory: string } | { file: BackupFile; decoding: Decoding }
): Promise<string[]> {
  const args = ['--list']
  if ('directory' in source) args.push(source.directory)
  try {
    const stdout = await runChild(pgRestorePath, args, {
      stdin: 'directory' in source ? undefined : openDecoded(source.file, source.decoding)
    })
    return stdout.split('\n').filter(line => line.length > 0)
  } catch (error) {
    throw explainListFailure(error)
  }
}

function explainListFailure(error: unknown): Error {
  if (!(error instanceof ChildProcessError)) {
    return new ArchiveError(`the archive could not be read back: ${(error as Error).message}`)
  }
  if (error.startError)
    return new ArchiveError(`could not run pg_restore: ${error.startError.message}`)
  const said = error.stderr.trim()
  // its end reached inside the table of contents (trial u46: the message said nothing of it)
  return new ArchiveError(
    /end of file|could not read from input file|unexpected EOF/i.test(said)
      ? `pg_restore --list rejected the archive: ${said} — the archive ends inside its table of contents: it is truncated or corrupted.`
      : `pg_restore --list rejected the archive: ${said}`
  )
}

/** A table the server reported, with its pg_class OID when it was read. */
export type KnownTable = QualifiedName & { oid?: number }

/**
 * Tables whose data a `pg_restore --list` holds, matched to the tables the server reported by
 * the OID each TABLE DATA line carries (`123; 0 16390 TABLE DATA …`: pg_dump gives a table's
 * data entry the table's own OID). Its names are not the tables' names: pg_restore prints them
 * unquoted, with a line break or carriage return as a space (attacker report: a table named
 * "a\nb" was left out of the row counts and the manifest), so the printed text is matched only
 * for a known table without an OID, longest name first.
 *
 * A TABLE DATA entry that matches no known table (other than a foreign table's, which
 * --include-foreign-data dumps and the row counts leave out) is given to `unmatched` as the list
 * prints it: a table created after the catalog was read, before pg_dump's snapshot (its rows are
 * in the dump; the caller warns that they are not counted).
 */
export function dataTablesInList(
  lines: string[],
  known: ReadonlyArray<KnownTable>,
  unmatched?: (entries: string[]) => void
): QualifiedName[] {
  const byOid = new Map<number, QualifiedName>()
  for (const t of known) if (t.oid !== undefined) byOid.set(t.oid, t)
  const byLength = known
    .filter(t => t.oid === undefined)
    .sort((a, b) => b.schema.length + b.name.length - (a.schema.length + a.name.length))
  // the OIDs of the foreign tables the list defines
  const foreign = new Set<number>()
  for (const line of lines) {
    const m = /^\d+; \d+ (\d+) FOREIGN TABLE /.exec(line)
    if (m) foreign.add(Number(m[1]))
  }
  const found: QualifiedName[] = []
  const missed: string[] = []
  for (const line of lines) {
    if (line.startsWith(';')) continue
    const m = /^\d+; \d+ (\d+) TABLE DATA (.*)$/s.exec(line)
    if (!m) continue
    const oid = Number(m[1])
    const rest = m[2]
    const match =
      byOid.get(oid) ??
      byLength.find(
        t => rest === `${t.schema} ${t.name}` || rest.startsWith(`${t.schema} ${t.name} `)
      )
    if (match) found.push({ schema: match.schema, name: match.name })
    else if (!foreign.has(oid)) missed.push(`${rest} (OID ${oid})`)
  }
  if (missed.length > 0) unmatched?.(missed)
  return found
}

/**
 * `pg_restore --list` fed from the dump as it streams by (a tee): the custom archive's header
 * and table of contents are checked without reading the written file back — which an
 * encrypted file to public keys could not be. pg_restore stops reading after the table of
 * contents; the stream goes on without it.
 *
 * pg_restore reads until its table of contents is complete: a stream that fails before (the
 * upload refused, the disk full) would leave it waiting for input forever. So a stage destroyed
 * before its end stops pg_restore, and `stop()` stops it if it still runs and resolves once it
 * has exited — the caller awaits it on every failure.
 */
export function archiveListTee(pgRestorePath: string): {
  stage: Transform
  listed: Promise<string[]>
  stop: () => Promise<void>
} {
  const child = startChild(pgRestorePath, ['--list'], { stdin: 'pipe' })
  const stdin = child.stdin!
  let stdout = ''
  let open = true
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
  stdin.on('error', () => (open = false))
  stdin.on('close', () => (open = false))
  const listed = child.done.then(
    () => stdout.split('\n').filter(l => l.length > 0),
    (error: unknown) => {
      throw explainListFailure(error)
    }
  )
  const exited = listed.then(
    () => undefined,
    () => undefined
  )
  void exited.then(() => (open = false))
  let ended = false
  const kill = (): void => {
    stdin.destroy()
    child.kill('SIGKILL')
  }
  const stage = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (!open) return callback(null, chunk)
      if (stdin.write(chunk)) return callback(null, chunk)
      // back-pressure from pg_restore: wait until it reads, or until it is gone
      let resumed = false
      const resume = (): void => {
        if (resumed) return
        resumed = true
        stdin.off('drain', resume)
        stdin.off('close', resume)
        callback(null, chunk)
      }
      stdin.once('drain', resume)
      stdin.once('close', resume)
      void exited.then(resume)
    },
    flush(callback) {
      ended = true
      if (open) stdin.end()
      callback()
    },
    destroy(error, callback) {
      // the stream failed (or was given up) before its end: pg_restore would wait for the rest
      if (!ended) kill()
      callback(error)
    }
  })
  return {
    stage,
    listed,
    stop: async () => {
      kill()
      await exited
    }
  }
}

/** The archive header pg_dump writes (pg_backup_archiver.c, WriteHead). */
export interface ArchiveHeader {
  /**
   * Version of the archive FORMAT, e.g. "1.14.0" (pg_dump 12 to 15), "1.15.0" (16), "1.16.0"
   * (17 and 18): not the pg_dump version, which is `pgDumpVersion`.
   */
  formatVersion: string
  format: 'custom' | 'tar' | 'directory' | 'unknown'
  /** Size in bytes of integers and of file offsets in the archive. */
  intSize: number
  offSize: number
  /** Compression of the archive's data (pg_dump -Z). */
  compression: 'none' | 'gzip' | 'lz4' | 'zstd' | 'unknown'
  /** When the dump started, as the dumping machine's local time "YYYY-MM-DD HH:MM:SS". */
  createdAt?: string
  /** Name of the dumped database. */
  database?: string
  /** `server_version` of the dumped server, e.g. "13.23"; absent before format 1.10. */
  serverVersion?: string
  serverMajor?: number
  /** Version of the pg_dump that wrote the archive, e.g. "15.18 (Debian 15.18-0+deb12u1)". */
  pgDumpVersion?: string
  pgDumpMajor?: number
}

const ARCHIVE_MAGIC = 'PGDMP'
const ARCHIVE_FORMATS: Record<number, ArchiveHeader['format']> = {
  1: 'custom',
  3: 'tar',
  5: 'directory'
}
const COMPRESSION_ALGORITHMS: ArchiveHeader['compression'][] = ['none', 'gzip', 'lz4', 'zstd']

/** "15.18 (Debian ...)" → 15; "9.6.24" → 9; "17beta2" → 17. */
export function majorOfVersion(version: string): number | undefined {
  const match = /^\s*(\d+)/.exec(version)
  return match ? Number(match[1]) : undefined
}

/**
 * Parses the header at the start of a custom-format archive (or a directory-format toc.dat):
 * "PGDMP", format version bytes, int and offset sizes, format, compression, creation time, and
 * since format 1.10 (pg_dump 9.0) the server's and pg_dump's version strings.
 */
export function parseArchiveHeader(bytes: Buffer): ArchiveHeader {
  let pos = 0
  const fail = (what: string): never => {
    throw new ArchiveError(`not a pg_dump archive header: ${what}`)
  }
  const byte = (): number => {
    if (pos >= bytes.length) fail('it ends early')
    return bytes[pos++]
  }
  if (bytes.subarray(0, 5).toString('latin1') !== ARCHIVE_MAGIC) {
    fail(`it does not start with "${ARCHIVE_MAGIC}"`)
  }
  pos = 5
  const vmaj = byte()
  const vmin = byte()
  const vrev = vmaj > 1 || (vmaj === 1 && vmin > 0) ? byte() : 0
  const version = (vmaj * 256 + vmin) * 256 + vrev
  const atLeast = (maj: number, min: number): boolean => version >= (maj * 256 + min) * 256
  if (vmaj !== 1) fail(`unsupported format version ${vmaj}.${vmin}`)
  const intSize = byte()
  if (intSize < 1 || intSize > 8) fail(`implausible integer size ${intSize}`)
  const offSize = atLeast(1, 7) ? byte() : intSize
  const format = ARCHIVE_FORMATS[byte()] ?? 'unknown'
  // ReadInt: a sign byte (since 1.1), then intSize bytes, least significant first
  const int = (): number => {
    const negative = atLeast(1, 1) ? byte() !== 0 : false
    let value = 0
    for (let i = 0; i < intSize; i++) value += byte() * 2 ** (8 * i)
    return negative ? -value : value
  }
  // ReadStr: a length (-1 for NULL), then the bytes
  const str = (): string | undefined => {
    const length = int()
    if (length < 0) return undefined
    if (pos + length > bytes.length) fail('a string runs past its end')
    const text = bytes.subarray(pos, pos + length).toString('utf8')
    pos += length
    return text
  }

  let compression: ArchiveHeader['compression'] = 'none'
  if (atLeast(1, 15)) {
    compression = COMPRESSION_ALGORITHMS[byte()] ?? 'unknown'
  } else if (atLeast(1, 2)) {
    const level = atLeast(1, 4) ? int() : byte()
    compression = level !== 0 ? 'gzip' : 'none'
  } else {
    compression = 'gzip'
  }
  const header: ArchiveHeader = {
    formatVersion: `${vmaj}.${vmin}.${vrev}`,
    format,
    intSize,
    offSize,
    compression
  }
  if (atLeast(1, 4)) {
    const [sec, min, hour, mday, mon, year] = [int(), int(), int(), int(), int(), int()]
    int() // tm_isdst
    const two = (n: number): string => String(n).padStart(2, '0')
    header.createdAt = `${year + 1900}-${two(mon + 1)}-${two(mday)} ${two(hour)}:${two(min)}:${two(sec)}`
    header.database = str()
  }
  if (atLeast(1, 10)) {
    header.serverVersion = str()
    header.pgDumpVersion = str()
    if (header.serverVersion) header.serverMajor = majorOfVersion(header.serverVersion)
    if (header.pgDumpVersion) header.pgDumpMajor = majorOfVersion(header.pgDumpVersion)
  }
  return header
}

/**
 * The oldest pg_restore major that reads an archive of format `formatVersion` ("1.16.0"):
 * pg_restore refuses a header by its format version alone ("unsupported version (1.17) in file
 * header": K_VERS_MAX of pg_backup_archiver.h), not by the pg_dump that wrote it — pg_dump 17
 * and 18 both write 1.16, which pg_restore 17 reads. K_VERS_1_12 (9.5: separate BLOB entries),
 * 1_13 (10.3 and the minor releases of 2018: search_path), 1_14 (12: table access methods),
 * 1_15 (16: compression algorithm in the header), 1_16 (17: BLOB METADATA, relkind; 18 kept it).
 * Undefined for a format newer than these (a later pg_dump): its readers are not known here.
 */
export function pgRestoreMajorForFormat(formatVersion: string): number | undefined {
  const match = /^(\d+)\.(\d+)/.exec(formatVersion)
  if (!match || Number(match[1]) !== 1) return undefined
  const minor = Number(match[2])
  if (minor <= 12) return 9
  const readers: Record<number, number> = { 13: 10, 14: 12, 15: 16, 16: 17 }
  return readers[minor]
}

/** Reads the header of a custom-format archive file, or of a directory-format archive. */
export async function readArchiveHeader(file: string): Promise<ArchiveHeader> {
  const target = (await stat(file)).isDirectory() ? path.join(file, 'toc.dat') : file
  const handle = await open(target, 'r')
  try {
    const buffer = Buffer.alloc(64 * 1024)
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0)
    return parseArchiveHeader(buffer.subarray(0, bytesRead))
  } finally {
    await handle.close()
  }
}
