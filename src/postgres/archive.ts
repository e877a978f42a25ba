/**
 * What a dump contains, and whether it is whole: the table of contents of archive formats
 * (`pg_restore --list`), the COPY statements of plain dumps, and the plain-dump trailer.
 */
import { Transform, type TransformCallback, Writable } from 'node:stream'
import { CheckError } from '../errors.js'
import { type BackupFile, type Decoding, openDecoded } from '../pipeline/decode.js'
import { ChildProcessError, runChild, startChild } from '../process.js'

export interface QualifiedName {
  schema: string
  name: string
}

export const PLAIN_TRAILER = '-- PostgreSQL database dump complete'

export class ArchiveError extends CheckError {
  constructor(message: string) {
    super(message)
    this.name = 'ArchiveError'
  }
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
  return new ArchiveError(`pg_restore --list rejected the archive: ${error.stderr.trim()}`)
}

/**
 * Tables whose data a `pg_restore --list` holds. Its lines print names unquoted
 * (`123; 0 16390 TABLE DATA my schema My Table owner`), so they are matched against the
 * tables the server reported, longest name first.
 */
export function dataTablesInList(
  lines: string[],
  known: ReadonlyArray<QualifiedName>
): QualifiedName[] {
  const byLength = [...known].sort(
    (a, b) => b.schema.length + b.name.length - (a.schema.length + a.name.length)
  )
  const found: QualifiedName[] = []
  for (const line of lines) {
    if (line.startsWith(';')) continue
    const at = line.indexOf(' TABLE DATA ')
    if (at < 0) continue
    const rest = line.slice(at + ' TABLE DATA '.length)
    const match = byLength.find(
      t => rest === `${t.schema} ${t.name}` || rest.startsWith(`${t.schema} ${t.name} `)
    )
    if (match) found.push(match)
  }
  return found
}

/** Parses the qualified table name of a plain dump's `COPY schema.table (...) FROM stdin;`. */
export function parseCopyStatement(line: string): QualifiedName | undefined {
  if (!line.startsWith('COPY ')) return undefined
  let i = 5
  const names: string[] = []
  for (let part = 0; part < 2; part++) {
    if (line[i] === '"') {
      let name = ''
      i++
      while (i < line.length) {
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            name += '"'
            i += 2
            continue
          }
          i++
          break
        }
        name += line[i++]
      }
      names.push(name)
    } else {
      const m = /^[^\s."(]+/.exec(line.slice(i))
      if (!m) return undefined
      names.push(m[0])
      i += m[0].length
    }
    if (part === 0) {
      if (line[i] !== '.')
        return names.length === 1 ? { schema: 'public', name: names[0] } : undefined
      i++
    }
  }
  return { schema: names[0], name: names[1] }
}

/**
 * A pass-through stage over a plain dump that records the table of every COPY statement.
 * It looks only at line starts, so it costs a memchr-like scan per chunk.
 */
export class CopyScanner extends Transform {
  readonly tables: QualifiedName[] = []
  private carry = Buffer.alloc(0)
  private pendingLine: Buffer | undefined
  private first = true

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.scan(chunk)
    callback(null, chunk)
  }

  private scan(chunk: Buffer): void {
    let start = 0
    if (this.pendingLine) {
      const end = chunk.indexOf(0x0a)
      if (end < 0) {
        if (this.pendingLine.length < 64 * 1024) {
          this.pendingLine = Buffer.concat([this.pendingLine, chunk])
        }
        return
      }
      this.record(Buffer.concat([this.pendingLine, chunk.subarray(0, end)]))
      this.pendingLine = undefined
      start = end
    }
    // search "\nCOPY " including the few bytes carried over from the previous chunk
    const haystack = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk
    const offset = haystack.length - chunk.length
    if (this.first) {
      this.first = false
      if (chunk.subarray(0, 5).toString('latin1') === 'COPY ') this.takeLine(haystack, offset)
    }
    let at = haystack.indexOf('\nCOPY ', start === 0 ? 0 : start + offset)
    while (at >= 0) {
      const lineStart = at + 1
      const end = this.takeLine(haystack, lineStart)
      if (end < 0) break
      at = haystack.indexOf('\nCOPY ', end)
    }
    this.carry = Buffer.from(haystack.subarray(Math.max(0, haystack.length - 5)))
  }

  /** Records the line starting at `lineStart`, or keeps it pending; returns its end or -1. */
  private takeLine(buffer: Buffer, lineStart: number): number {
    const end = buffer.indexOf(0x0a, lineStart)
    if (end < 0) {
      this.pendingLine = Buffer.from(buffer.subarray(lineStart))
      return -1
    }
    this.record(buffer.subarray(lineStart, end))
    return end
  }

  private record(line: Buffer): void {
    const name = parseCopyStatement(line.toString('utf8'))
    if (name) this.tables.push(name)
  }
}

/** Reads a whole stream and discards it (for checks that only need to see the bytes pass). */
export function discard(): Writable {
  return new Writable({ write: (_chunk, _encoding, callback) => callback() })
}

/**
 * `pg_restore --list` fed from the dump as it streams by (a tee): the custom archive's header
 * and table of contents are checked without reading the written file back — which an
 * encrypted file to public keys could not be. pg_restore stops reading after the table of
 * contents; the stream goes on without it. When the stream fails, pg_restore is stopped.
 */
export function archiveListTee(pgRestorePath: string): {
  stage: Transform
  listed: Promise<string[]>
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
      if (open) stdin.end()
      callback()
    },
    destroy(error, callback) {
      // the dump's stream failed: pg_restore must not wait for the rest of it
      if (error) {
        stdin.destroy()
        child.kill()
      }
      callback(error)
    }
  })
  return { stage, listed }
}
