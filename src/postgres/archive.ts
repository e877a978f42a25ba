/**
 * What a dump contains, and whether it is whole: the table of contents of archive formats
 * (`pg_restore --list`), the COPY statements of plain dumps, and the plain-dump trailer.
 */
import { spawn } from 'node:child_process'
import { createReadStream } from 'node:fs'
import { pipeline } from 'node:stream/promises'
import { Transform, type TransformCallback, Writable } from 'node:stream'
import { CheckError } from '../errors.js'
import { type Decoding, decodingStages } from '../pipeline/decode.js'

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
 * Runs `pg_restore --list` on an archive: a directory, or a (compressed) custom-format file fed
 * through stdin. Rejects when pg_restore does not accept it.
 */
export async function listArchive(
  pgRestorePath: string,
  source: { directory: string } | { file: string; decoding: Decoding }
): Promise<string[]> {
  const args = ['--list']
  if ('directory' in source) args.push(source.directory)
  const child = spawn(pgRestorePath, args, {
    stdio: ['directory' in source ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    windowsHide: true
  })
  let stdout = ''
  let stderr = ''
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d))
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-8192)))
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', code => resolve(code))
  })
  if (!('directory' in source) && child.stdin) {
    const stages = decodingStages(source.decoding)
    // pg_restore reads only the header and the table of contents, then closes its stdin
    const feeding = pipeline([createReadStream(source.file), ...stages, child.stdin]).catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_PREMATURE_CLOSE') return
        if (error.code === 'ERR_STREAM_DESTROYED') return
        throw new ArchiveError(`the archive could not be read back: ${error.message}`)
      }
    )
    const code = await exited
    await feeding.catch(error => {
      if (code === 0) throw error
    })
    if (code !== 0) {
      throw new ArchiveError(`pg_restore --list rejected the archive: ${stderr.trim()}`)
    }
  } else {
    const code = await exited
    if (code !== 0) {
      throw new ArchiveError(`pg_restore --list rejected the archive: ${stderr.trim()}`)
    }
  }
  return stdout.split('\n').filter(line => line.length > 0)
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
 * encrypted file to public keys could not be.
 */
export function archiveListTee(pgRestorePath: string): {
  stage: Transform
  listed: Promise<string[]>
} {
  const child = spawn(pgRestorePath, ['--list'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    windowsHide: true
  })
  let stdout = ''
  let stderr = ''
  let open = true
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-8192)))
  child.stdin.on('error', () => (open = false))
  child.stdin.on('close', () => (open = false))
  const listed = new Promise<string[]>((resolve, reject) => {
    child.on('error', error =>
      reject(new ArchiveError(`could not run pg_restore: ${error.message}`))
    )
    child.on('close', code => {
      open = false
      if (code === 0) resolve(stdout.split('\n').filter(l => l.length > 0))
      else reject(new ArchiveError(`pg_restore --list rejected the archive: ${stderr.trim()}`))
    })
  })
  listed.catch(() => undefined) // awaited by the caller after the dump
  const stage = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (!open) return callback(null, chunk)
      if (child.stdin.write(chunk)) return callback(null, chunk)
      // back-pressure from pg_restore: wait until it reads, or until it is gone
      const resume = (): void => {
        child.stdin.off('drain', resume)
        child.off('close', resume)
        callback(null, chunk)
      }
      child.stdin.once('drain', resume)
      child.once('close', resume)
    },
    flush(callback) {
      if (open) child.stdin.end()
      callback()
    }
  })
  return { stage, listed }
}
