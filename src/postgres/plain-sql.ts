/**
 * Plain-format dumps (SQL scripts), read the way psql reads them (psql-lexer.ts, so CRLF line
 * ends, COPY data and quoting are psql's): the tables a script's COPY statements fill (while a
 * backup streams by), what a script creates (for clean's drops, from the statements the restore's
 * gate passes: script-gate.ts), and the versions in its header.
 */
import { Transform, type TransformCallback } from 'node:stream'
import type { QualifiedName } from '../types.js'
import { PsqlLexer, type StatementEvent } from './psql-lexer.js'
import { classifyStatement } from './psql-script-rules.js'
import { ScriptGate, type ScriptGateOptions } from './script-gate.js'

/** The comment pg_dump writes last: a plain dump without it is truncated. */
export const PLAIN_TRAILER = '-- PostgreSQL database dump complete'

/** The first line of a statement's text, without its line end. */
function firstLine(text: string): string {
  const nl = text.indexOf('\n')
  return (nl < 0 ? text : text.slice(0, nl)).replace(/\r$/, '')
}

/**
 * A pass-through stage over a plain dump (pg_dump's output as it is written) that records the
 * table of every COPY … FROM stdin statement, as psql would read the script.
 */
export class CopyScanner extends Transform {
  readonly tables: QualifiedName[] = []
  private readonly lexer = new PsqlLexer()
  private failed = false

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.see(() => this.lexer.write(chunk))
    callback(null, chunk)
  }

  override _flush(callback: TransformCallback): void {
    this.see(() => this.lexer.end())
    callback()
  }

  private see(events: () => ReturnType<PsqlLexer['write']>): void {
    if (this.failed) return
    try {
      for (const e of events()) {
        if (e.kind !== 'statement' || e.copyIn === 0 || e.sql[0] !== 0x43 /* C */) continue
        const name = parseCopyStatement(firstLine(e.text))
        if (name) this.tables.push(name)
      }
    } catch {
      this.failed = true // the scan is a report, the dump itself is checked elsewhere
    }
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

/** What a plain dump creates and fills, read from the statements the restore's gate passes. */
export class PlainDumpObjects {
  readonly schemas: string[] = []
  /** `DROP ... IF EXISTS ... CASCADE` statements for the objects the dump creates. */
  readonly drops: string[] = []
  readonly copyTables: Array<{ schema: string; name: string }> = []
  /** Tables the script creates (CREATE TABLE), and those it inserts rows into (INSERT INTO). */
  readonly createdTables: QualifiedName[] = []
  readonly insertTables: QualifiedName[] = []
  /** Sequences the script creates (CREATE SEQUENCE, an identity column's SEQUENCE NAME). */
  readonly createdSequences: QualifiedName[] = []
  /** Sequences whose value it sets (pg_dump's SELECT pg_catalog.setval('…', …)). */
  readonly setvalSequences: QualifiedName[] = []
  private gate: ScriptGate | undefined

  /** The "dump complete" trailer was seen (outside statements and data). */
  get complete(): boolean {
    return this.gate?.facts.complete ?? false
  }

  /** Starts like pg_dump's output ("-- PostgreSQL database dump"): then it must end like it. */
  get madeByPgDump(): boolean {
    return this.gate?.facts.madeByPgDump ?? false
  }

  /** A gate (see ScriptGate) that reads the script as it streams by; it refuses as it would load. */
  scanner(options: Omit<ScriptGateOptions, 'onStatement'>): ScriptGate {
    this.gate = new ScriptGate({ ...options, onStatement: e => this.see(e) })
    return this.gate
  }

  /** One statement psql would send. */
  see(e: StatementEvent): void {
    const cls = classifyStatement(e)
    const line = firstLine(e.text)
    if (cls.kind === 'copy') {
      const copy = e.copyIn > 0 ? parseCopyStatement(line) : undefined
      if (copy) this.copyTables.push(copy)
      return
    }
    const insert = /^INSERT INTO /.exec(line)
    if (insert) {
      const table = parseCopyStatement(`COPY ${line.slice(insert[0].length)}`)
      if (table) this.insertTables.push(table)
      return
    }
    const setval = /^SELECT pg_catalog\.setval\('((?:[^']|'')+)', /.exec(line)
    if (setval) {
      const sequence = parseCopyStatement(`COPY ${setval[1].replace(/''/g, "'")}`)
      if (sequence) this.setvalSequences.push(sequence)
      return
    }
    if (cls.keywords[0] === 'ALTER' && /^ALTER TABLE /.test(line)) {
      const identity =
        /\bAS IDENTITY \(\s*SEQUENCE NAME ((?:"(?:[^"]|"")+"|[^\s."(]+)\.(?:"(?:[^"]|"")+"|[^\s"(;]+))/.exec(
          e.text
        )
      const sequence = identity ? parseCopyStatement(`COPY ${identity[1]}`) : undefined
      if (sequence) this.createdSequences.push(sequence)
      return
    }
    if (cls.keywords[0] !== 'CREATE') return
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
      if (object[1] === 'TABLE') {
        const table = parseCopyStatement(`COPY ${object[2]}`)
        if (table) this.createdTables.push(table)
      }
      if (object[1] === 'SEQUENCE') {
        const sequence = parseCopyStatement(`COPY ${object[2]}`)
        if (sequence) this.createdSequences.push(sequence)
      }
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
