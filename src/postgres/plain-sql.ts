/**
 * Plain-format dumps (SQL scripts), in one place: one reader splits a script into the lines of
 * its statements and passes COPY data by untouched (a native buffer search for its end, "\."),
 * and every consumer takes its lines from it — the filter that drops what a target cannot take,
 * the scanners of COPY blocks and of the objects a script creates (with function signatures),
 * and the versions in its header. (A fuller lexer — CRLF, meta-commands, transaction control —
 * belongs in ScriptReader, so that every consumer gains from it.)
 */
import { Transform, type TransformCallback } from 'node:stream'
import type { QualifiedName } from '../types.js'

/** The comment pg_dump writes last: a plain dump without it is truncated. */
export const PLAIN_TRAILER = '-- PostgreSQL database dump complete'

const NEWLINE = Buffer.from('\n')
/** The end of COPY data: a line holding only "\.", after the newline that ends the last row. */
const COPY_END = Buffer.from('\n\\.\n')

/** What a consumer does with a statement line: false drops it, anything else keeps it. */
export type LineVisitor = (line: Buffer) => boolean | void

/**
 * Splits a plain dump, chunk by chunk, into statement lines (each with its newline), which go to
 * `visit`, and COPY data, which passes without being looked at. Chunks may end anywhere.
 */
export class ScriptReader {
  private inCopy = false
  /** Pieces of the statement line read so far. */
  private pending: Buffer[] = []
  /** In COPY data: its last bytes read so far (at most 3), for an end split across chunks. */
  private carry = NEWLINE

  constructor(private readonly visit: LineVisitor) {}

  /** Reads one chunk; returns what to pass on (without the lines the visitor dropped). */
  read(chunk: Buffer): Buffer[] {
    const out: Buffer[] = []
    let pos = 0
    while (pos < chunk.length) {
      if (this.inCopy) {
        const end = this.copyEnd(chunk, pos)
        if (end < 0) {
          out.push(pos === 0 ? chunk : chunk.subarray(pos))
          this.keepCarry(chunk, pos)
          break
        }
        out.push(chunk.subarray(pos, end))
        this.inCopy = false
        pos = end
        continue
      }
      const newline = chunk.indexOf(0x0a, pos)
      if (newline < 0) {
        this.pending.push(chunk.subarray(pos))
        break
      }
      const piece = chunk.subarray(pos, newline + 1)
      const line = this.pending.length > 0 ? Buffer.concat([...this.pending, piece]) : piece
      this.pending = []
      this.take(line, out)
      pos = newline + 1
    }
    return out
  }

  /** At the end of the script: a last line without a newline, if there is one. */
  end(): Buffer[] {
    const out: Buffer[] = []
    if (this.pending.length > 0) this.take(Buffer.concat(this.pending), out)
    this.pending = []
    return out
  }

  private take(line: Buffer, out: Buffer[]): void {
    if (this.visit(line) !== false) out.push(line)
    if (isCopyFromStdin(line)) {
      this.inCopy = true
      this.carry = NEWLINE
    }
  }

  /** Where the COPY data ends (after its "\." line), or -1 when not in this chunk. */
  private copyEnd(chunk: Buffer, pos: number): number {
    // an end marker that began in the bytes before this chunk
    for (let k = Math.min(3, this.carry.length); k >= 1; k--) {
      const before = COPY_END.subarray(0, k)
      const after = COPY_END.subarray(k)
      if (
        this.carry.subarray(this.carry.length - k).equals(before) &&
        chunk.length - pos >= after.length &&
        chunk.subarray(pos, pos + after.length).equals(after)
      ) {
        return pos + after.length
      }
    }
    const at = chunk.indexOf(COPY_END, pos)
    return at < 0 ? -1 : at + COPY_END.length
  }

  private keepCarry(chunk: Buffer, pos: number): void {
    this.carry =
      chunk.length - pos >= 3
        ? Buffer.from(chunk.subarray(chunk.length - 3))
        : Buffer.from(Buffer.concat([this.carry, chunk.subarray(pos)]).subarray(-3))
  }
}

/** A "COPY … FROM stdin;" line: its data follows, up to a "\." line. */
function isCopyFromStdin(line: Buffer): boolean {
  return (
    line[0] === 0x43 /* C */ &&
    line.subarray(0, 5).toString('latin1') === 'COPY ' &&
    / FROM stdin;\r?\n$/.test(line.toString('utf8'))
  )
}

/** A pass-through stage that shows a script's statement lines to `visit` as they stream by. */
export class ScriptScanner extends Transform {
  private readonly reader: ScriptReader

  constructor(visit: (line: Buffer) => void) {
    super()
    this.reader = new ScriptReader(line => void visit(line))
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.reader.read(chunk)
    callback(null, chunk)
  }

  override _flush(callback: TransformCallback): void {
    this.reader.end()
    callback()
  }
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

/** A pass-through stage over a plain dump that records the table of every COPY statement. */
export class CopyScanner extends ScriptScanner {
  readonly tables: QualifiedName[] = []

  constructor() {
    super(line => {
      if (line[0] !== 0x43 /* C */) return
      const name = parseCopyStatement(line.toString('utf8'))
      if (name) this.tables.push(name)
    })
  }
}

export interface PlainFilterOptions {
  /** psql older than the fix of CVE-2025-8714 does not know \restrict / \unrestrict. */
  dropRestrict: boolean
  /** servers before 17 reject `SET transaction_timeout`. */
  dropTransactionTimeout: boolean
  noOwner: boolean
  noPrivileges: boolean
}

/**
 * Rewrites a plain dump on its way to psql: drops top-level lines the target cannot take
 * (\restrict for old psql, transaction_timeout for old servers, owners and privileges when
 * asked). COPY data passes through untouched.
 */
export class PlainFilter extends Transform {
  private readonly reader = new ScriptReader(line => this.visit(line))
  private previousBlank = true
  dropped = 0

  constructor(
    private readonly options: PlainFilterOptions,
    /** Sees every line outside COPY data (for scanning a dump's statements). */
    private readonly onStatementLine?: (line: Buffer) => void
  ) {
    super()
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const out = this.reader.read(chunk)
    callback(null, out.length === 1 ? out[0] : Buffer.concat(out))
  }

  override _flush(callback: TransformCallback): void {
    callback(null, Buffer.concat(this.reader.end()))
  }

  private visit(line: Buffer): boolean {
    this.onStatementLine?.(line)
    const keep = this.keep(line)
    if (!keep) this.dropped++
    return keep
  }

  private keep(line: Buffer): boolean {
    const first = line[0]
    const atStart = this.previousBlank
    // blank lines and comments separate pg_dump's top-level statements
    this.previousBlank = first === 0x0a || (first === 0x2d && line[1] === 0x2d)
    if (first === 0x43 /* C */ && line.subarray(0, 5).toString('latin1') === 'COPY ') return true
    if (first === 0x5c /* \ */ && this.options.dropRestrict) {
      return !/^\\(un)?restrict\b/.test(line.toString('utf8'))
    }
    if (first === 0x53 /* S */ && this.options.dropTransactionTimeout) {
      return !/^SET transaction_timeout = /.test(line.toString('utf8'))
    }
    if (!atStart) return true
    if (first === 0x41 /* A */ && this.options.noOwner) {
      if (/^ALTER [A-Z ]+ .* OWNER TO .*;\r?\n?$/.test(line.toString('utf8'))) {
        this.previousBlank = true
        return false
      }
    }
    if ((first === 0x47 || first === 0x52 || first === 0x41) && this.options.noPrivileges) {
      if (/^(GRANT|REVOKE|ALTER DEFAULT PRIVILEGES) .*;\r?\n?$/.test(line.toString('utf8'))) {
        this.previousBlank = true
        return false
      }
    }
    return true
  }
}

/** What a plain dump creates and fills, read from its top-level statements. */
export class PlainDumpObjects {
  readonly schemas: string[] = []
  /** `DROP ... IF EXISTS ... CASCADE` statements for the objects the dump creates. */
  readonly drops: string[] = []
  readonly copyTables: Array<{ schema: string; name: string }> = []
  complete = false
  /** Starts like pg_dump's output ("-- PostgreSQL database dump"): then it must end like it. */
  madeByPgDump = false

  /** A pass-through stage that reads the script as it streams by. */
  scanner(): ScriptScanner {
    return new ScriptScanner(line => this.see(line))
  }

  private see(buffer: Buffer): void {
    const first = buffer[0]
    if (first === 0x2d && buffer.includes('PostgreSQL database dump complete')) {
      this.complete = true
      return
    }
    if (first === 0x2d && /^-- PostgreSQL database dump\r?\n$/.test(buffer.toString('latin1'))) {
      this.madeByPgDump = true
      return
    }
    if (first !== 0x43 /* C */) return
    const line = buffer.toString('utf8').replace(/\r?\n$/, '')
    const copy = parseCopyStatement(line)
    if (copy) {
      this.copyTables.push(copy)
      return
    }
    const schema = /^CREATE SCHEMA (?:IF NOT EXISTS )?("(?:[^"]|"")+"|[^\s;]+)/.exec(line)
    if (schema) {
      const name = schema[1].startsWith('"')
        ? schema[1].slice(1, -1).replace(/""/g, '"')
        : schema[1]
      this.schemas.push(name)
      if (name !== 'public') this.drops.push(`DROP SCHEMA IF EXISTS ${schema[1]} CASCADE;`)
      return
    }
    const object =
      /^CREATE (?:UNLOGGED |FOREIGN )?(TABLE|VIEW|MATERIALIZED VIEW|SEQUENCE|TYPE|DOMAIN) (?:IF NOT EXISTS )?((?:"(?:[^"]|"")+"|[^\s."(]+)\.(?:"(?:[^"]|"")+"|[^\s"(;]+))/.exec(
        line
      )
    if (object) {
      const kind =
        object[1] === 'TABLE' && /^CREATE FOREIGN/.test(line) ? 'FOREIGN TABLE' : object[1]
      this.drops.push(`DROP ${kind} IF EXISTS ${object[2]} CASCADE;`)
      return
    }
    const fn =
      /^CREATE (?:OR REPLACE )?(FUNCTION|PROCEDURE) ((?:"(?:[^"]|"")+"|[^\s."(]+)\.(?:"(?:[^"]|"")+"|[^\s"(]+))\(/.exec(
        line
      )
    const args = fn ? signatureArguments(line, fn[0].length) : undefined
    if (fn && args !== undefined)
      this.drops.push(`DROP ${fn[1]} IF EXISTS ${fn[2]}(${args}) CASCADE;`)
  }
}

/**
 * The argument list of a CREATE FUNCTION line from `start` (just after its "(") to the matching
 * ")", without the DEFAULT clauses, which DROP FUNCTION does not accept. Quotes and nested
 * parentheses (numeric(10,2), now()) are skipped; undefined when the list does not end on the line.
 */
function signatureArguments(line: string, start: number): string | undefined {
  const args: string[] = []
  let current = ''
  let depth = 0
  let quote: string | undefined
  let inDefault = false
  for (let i = start; i < line.length; i++) {
    const c = line[i]
    if (quote) {
      if (c === quote) quote = undefined
    } else if (c === "'" || c === '"') {
      quote = c
    } else if (c === '(') {
      depth++
    } else if (c === ')' && depth > 0) {
      depth--
    } else if (depth === 0 && (c === ')' || c === ',')) {
      args.push(current.trim())
      if (c === ')') return args.filter(a => a !== '').join(', ')
      current = ''
      inDefault = false
      continue
    } else if (depth === 0 && line.startsWith(' DEFAULT ', i)) {
      inDefault = true
    }
    if (!inDefault) current += c
  }
  return undefined
}

/** pg_dump's version from the comment at the top of a plain-format dump. */
export function parsePlainDumpVersions(text: string): {
  serverVersion?: string
  pgDumpVersion?: string
} {
  const head = text.slice(0, 4096)
  return {
    serverVersion: /^-- Dumped from database version (.+)$/m.exec(head)?.[1].trim(),
    pgDumpVersion: /^-- Dumped by pg_dump version (.+)$/m.exec(head)?.[1].trim()
  }
}
