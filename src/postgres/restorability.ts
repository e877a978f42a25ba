/**
 * What makes a backup that cannot restore, found while backing up (trial u48 F1): pg_dump's
 * output loads with an empty search_path (its ALWAYS_SECURE_SEARCH_PATH_SQL, as pg_restore and
 * psql run it), so a function of the user's whose body names a table, function or type without
 * its schema — and whose own search_path (SET search_path = …) does not find it either — fails
 * when a restore runs it: a validated CHECK constraint (a table's with rows, a domain's that a
 * column uses) as the rows load, a generated column or an index expression as the table or index
 * is created, a materialized view as it is refreshed. pg_dump by hand dumps such a database
 * without a word; only a restore (or verify) finds it. A column DEFAULT is not among these:
 * pg_dump's COPY (and its INSERTs) give every column, so a restore never evaluates one.
 *
 * One catalog read finds the functions those objects call — directly, through an operator, or
 * through the functions their bodies name (attacker a80 F7) — that are not BEGIN ATOMIC
 * (prosqlbody, 14+: its names are resolved when it is created) nor an extension's. A LANGUAGE
 * sql body is checked exactly, without DDL (attacker a80 F9: a CREATE FUNCTION fired the
 * database's event triggers): each of its statements is PREPAREd — parsed and analysed, never
 * run — under the search_path the restore gives it ('' or its own), its parameters by position,
 * and DEALLOCATEd; a name that does not resolve fails there as in the restore. Another
 * language's body (plpgsql) is checked only when it runs, so one that a restore runs directly
 * and that has no search_path of its own is named as one that may fail. A CHECK whose function
 * reads another table fails a restore that loads that table's rows later (trial u49 F2).
 */
import type pg from 'pg'
import { quoteIdent, quoteQualified } from '../sql-names.js'
import { lexPsqlScript } from './psql-lexer.js'
import { sqlTokens } from './plain-sql.js'
import { keptByFilters } from './session.js'
import type { DumpFilters } from '../types.js'

/** A function of the user's, as the check reads it. */
interface Routine {
  oid: number
  /** regprocedure text, qualified (read with an empty search_path). */
  signature: string
  name: string
  schema: string
  language: string
  /** prosrc: the body as written (for LANGUAGE sql, plpgsql). */
  body: string
  /** Its own search_path (proconfig), or null: the restore's empty one. */
  path: string | null
  /** Its input arguments' types, qualified, and names ('' where unnamed). */
  argTypes: string[]
  argNames: string[]
  /** Polymorphic or pseudo-typed arguments: not PREPAREd. */
  polymorphic: boolean
}

/** An object a restore evaluates, and the function of the user's it calls. */
interface Use {
  fn: number
  kind: 'check' | 'domain' | 'generated' | 'index' | 'materialized view'
  /** The constraint's, column's, index's or view's name. */
  name: string
  /** The table (the domain, the view) it belongs to. */
  relSchema: string
  relName: string
  /** A table's CHECK: the table's oid (its rows are looked for). */
  relOid: number
}

/** What the check found: a warning for each function, and what it could not check. */
export interface Restorability {
  warnings: string[]
  /** A line to show when some functions could not be checked. */
  unchecked?: string
}

/** The server's errors that a restore would meet too: a name that does not resolve. */
const UNRESOLVED = new Set([
  '42P01', // undefined_table
  '42883', // undefined_function
  '42704', // undefined_object (a type)
  '3F000' // invalid_schema_name
])

/** At most this many functions are checked (each a few round trips). */
const MAX_CHECKED = 100

/** The catalog reads and the checks, each statement of them at most this long. */
const STATEMENT_TIMEOUT_MS = 5000

/** No function is checked after this long: the rest are said to be unchecked. */
const TOTAL_MS = 10_000

/** How deep the functions a body names are followed (outer → inner → …). */
const MAX_DEPTH = 3

/** At most this many rows of each catalog read: a database with more says it was cut short. */
const MAX_ROWS = 10_000

/**
 * Reads which functions of the user's the restore of this database would run with an empty
 * search_path (or their own), and checks them (see above), in a transaction rolled back on
 * `client` (the backup's own session, before pg_dump). Throws on a failure of the check itself:
 * the caller says so in a line and the backup goes on.
 */
export async function checkRestorability(
  client: pg.Client,
  major: number,
  /** The backup's filters: what it leaves out is not its restore's concern (attacker a81 F5). */
  filters?: DumpFilters
): Promise<Restorability> {
  const started = Date.now()
  await client.query('BEGIN')
  try {
    // names read qualified (regprocedure, format_type): as the restore's empty search_path reads them
    await client.query(
      `SELECT pg_catalog.set_config('statement_timeout', '${STATEMENT_TIMEOUT_MS}', true),
              pg_catalog.set_config('lock_timeout', '${STATEMENT_TIMEOUT_MS}', true),
              pg_catalog.set_config('search_path', '', true)`
    )
    const uses = (await client.query<Use>(usesQuery(major))).rows.filter(
      u =>
        !filters ||
        keptByFilters(
          filters,
          { schema: u.relSchema, name: u.relName },
          // a domain's: of its schema; a table's CHECK is evaluated on its rows only
          u.kind === 'domain' ? 'schema' : u.kind === 'check' ? 'data' : 'table'
        )
    )
    if (uses.length === 0) return { warnings: [] }
    const routines = new Map<number, Routine>()
    for (const r of (await client.query<Routine>(routinesQuery(major))).rows) routines.set(r.oid, r)
    const cutShort = uses.length >= MAX_ROWS || routines.size >= MAX_ROWS
    const byName = new Map<string, Routine[]>()
    for (const r of routines.values()) byName.set(r.name, [...(byName.get(r.name) ?? []), r])

    const verdicts = new Map<number, Verdict>()
    const unchecked: string[] = []
    /** The chain a use reaches a failing function by (outer first), or undefined. */
    const failing = async (fn: number, seen: number[]): Promise<number[] | undefined> => {
      const r = routines.get(fn)
      if (!r || seen.includes(fn)) return undefined
      let verdict = verdicts.get(fn)
      // polymorphic arguments: PREPARE cannot take them — said unchecked (attacker a81 F7)
      if (verdict === undefined && r.language === 'sql' && r.polymorphic) {
        if (!unchecked.includes(r.signature)) unchecked.push(r.signature)
      } else if (verdict === undefined && r.language === 'sql') {
        if (verdicts.size >= MAX_CHECKED || Date.now() - started > TOTAL_MS) {
          if (!unchecked.includes(r.signature)) unchecked.push(r.signature)
          return undefined
        }
        verdict = await checkSqlBody(client, r)
        verdicts.set(fn, verdict)
      }
      if (verdict && 'failure' in verdict) return [...seen, fn]
      if (seen.length + 1 >= MAX_DEPTH) return undefined
      for (const inner of namedRoutines(r, byName)) {
        const chain = await failing(inner.oid, [...seen, fn])
        if (chain) return chain
      }
      return undefined
    }

    const warnings: string[] = []
    /** Uses by the chain that fails them (its key: the oids), and each chain. */
    const failed = new Map<string, { chain: number[]; uses: Use[]; later: string[] }>()
    const mayFail = new Map<number, Use[]>()
    for (const use of uses) {
      const chain = await failing(use.fn, [])
      const r = routines.get(use.fn)
      // a CHECK reading another table: that table's rows must load first (trial u49 F2)
      const later = r && use.kind === 'check' ? await readsLaterTable(client, r, use) : undefined
      // a table's CHECK is evaluated only on rows: none, nothing fails (attacker a80 F6)
      if ((chain || later) && use.kind === 'check' && !(await holdsRows(client, use.relOid)))
        continue
      if (chain) {
        const key = chain.join(',')
        const entry = failed.get(key) ?? { chain, uses: [], later: [] }
        entry.uses.push(use)
        if (later) entry.later.push(later)
        failed.set(key, entry)
      } else if (later)
        warnings.push(
          `This backup may not restore: ${describeUses([use])} calls ${r!.signature}, which ${later}; then back up again.`
        )
      else if (r && r.language !== 'sql' && r.path === null)
        mayFail.set(use.fn, [...(mayFail.get(use.fn) ?? []), use])
    }
    for (const { chain, uses: callers, later } of failed.values()) {
      const fns = chain.map(oid => routines.get(oid)!)
      const last = fns[fns.length - 1]
      const failure = (verdicts.get(last.oid) as { failure: Failure }).failure
      const also = later.length > 0 ? ` Even with that fixed, ${fns[0].signature} ${later[0]}.` : ''
      warnings.push(`${await failedWarning(client, callers, fns, failure)}${also}`)
    }
    for (const [fn, callers] of mayFail) {
      const r = routines.get(fn)!
      warnings.push(
        `This backup may not restore: ${describeUses(callers)} ${callers.length === 1 ? 'calls' : 'call'} ${r.signature} (LANGUAGE ${r.language}, with no search_path of its own), whose body PostgreSQL checks only when it runs: if it names a table, function or type without its schema, the restore fails there, since pg_dump's output loads with an empty search_path. To be sure: qualify the names in its body (schema.table), or ALTER FUNCTION ${r.signature} SET search_path = <the schemas of what it names, e.g. ${quoteIdent(r.schema)}>; then back up again.`
      )
    }
    const notChecked = [
      ...unchecked,
      ...[...verdicts]
        .filter(([, v]) => 'unknown' in v)
        .map(([oid]) => routines.get(oid)!.signature)
    ]
    const why = [...verdicts.values()].find(v => 'unknown' in v) as { unknown: string } | undefined
    const lines: string[] = []
    if (notChecked.length > 0)
      lines.push(
        `The functions ${notChecked.slice(0, 10).join(', ')}${notChecked.length > 10 ? `, … and ${notChecked.length - 10} more` : ''} (LANGUAGE sql) that CHECK constraints, generated columns, indexes or materialized views call could not be checked for names a restore cannot resolve${why ? ` (${why.unknown})` : ''}.`
      )
    if (cutShort)
      lines.push(
        `The check of the functions a restore runs read only the first ${MAX_ROWS} of them: the others were not checked.`
      )
    return { warnings, ...(lines.length > 0 ? { unchecked: lines.join(' ') } : {}) }
  } finally {
    await client.query('ROLLBACK').catch(() => undefined)
  }
}

/** PostgreSQL's error on a statement of the body; whether it names a table (undefined_table). */
interface Failure {
  message: string
  code: string
}

/** A body's verdict: its names resolve, one does not (failure), or it could not be told (unknown). */
type Verdict = { resolves: true } | { failure: Failure } | { unknown: string }

/** Counter for the prepared statements' names (each DEALLOCATEd at once). */
let prepared = 0

/**
 * A LANGUAGE sql body's statements, each PREPAREd under `path` (the function's own search_path,
 * or the restore's empty one) and DEALLOCATEd: parse analysis resolves every name, nothing runs,
 * no event trigger fires, a read-only session or a standby may do it.
 */
async function checkSqlBody(client: pg.Client, r: Routine, path = r.path ?? ''): Promise<Verdict> {
  const statements = bodyStatements(r)
  if (!statements) return { unknown: `the body of ${r.signature} could not be read` }
  await client.query("SELECT pg_catalog.set_config('search_path', $1, true)", [path])
  try {
    for (const statement of statements) {
      const name = `pgba_restorability_${process.pid}_${++prepared}`
      const types = r.argTypes.length > 0 ? `(${r.argTypes.join(', ')})` : ''
      await client.query('SAVEPOINT pgba_restorability')
      try {
        // the extended protocol: one statement only, whatever the text holds (attacker a81 F1:
        // a body's "\\;" became a second statement of a simple query, run as the backup's role)
        await client.query({
          text: `PREPARE ${name}${types} AS ${statement.text}`,
          queryMode: 'extended'
        } as pg.QueryConfig)
        await client.query(`DEALLOCATE ${name}`)
        await client.query('RELEASE SAVEPOINT pgba_restorability')
      } catch (error) {
        await client.query('ROLLBACK TO SAVEPOINT pgba_restorability')
        const e = error as { code?: string; message?: string }
        // a function or operator not found where a parameter's name was taken for a column's
        // (a column of that name comes first in PostgreSQL): not said to fail (attacker a81 F2)
        if (e.code && UNRESOLVED.has(e.code) && !(statement.rewritten && e.code === '42883'))
          return { failure: { message: String(e.message), code: e.code } }
        // a statement PREPARE does not take (a utility statement), a body the check reads
        // otherwise than PostgreSQL: this function's verdict only (attacker a80 F8)
        return { unknown: String(e.message ?? error) }
      }
    }
    return { resolves: true }
  } finally {
    await client.query("SELECT pg_catalog.set_config('search_path', '', true)")
  }
}

/**
 * The body's statements as PREPARE takes them: split as psql would send them, each parameter
 * named in the body ($1 or its name, or function.name) written by position. Undefined when the
 * body holds what the split cannot take (a backslash command).
 */
function bodyStatements(r: Routine): Array<{ text: string; rewritten: boolean }> | undefined {
  const events = lexPsqlScript(r.body)
  if (events.some(e => e.kind !== 'statement')) return undefined
  // a "\\;" (psql sends one statement of two parts): not what PostgreSQL reads as the body
  if (events.some(e => e.kind === 'statement' && (e.parts.length > 1 || e.backslashEscapes > 0)))
    return undefined
  const statements: Array<{ text: string; rewritten: boolean }> = []
  for (const e of events) {
    if (e.kind !== 'statement') continue
    const text = e.text.replace(/;\s*$/, '').trim()
    if (text === '') continue
    const written = positional(text, r)
    statements.push({ text: written, rewritten: written !== text })
  }
  return statements
}

/**
 * The statement with each use of a named parameter written as $n: an identifier outside quotes
 * and comments equal to the parameter's name (not a qualified name's later part, not a call),
 * or the function's name, a dot and the parameter's name.
 */
function positional(text: string, r: Routine): string {
  const names = new Map<string, number>()
  r.argNames.forEach((n, i) => {
    if (n !== '') names.set(n.toLowerCase(), i + 1)
  })
  if (names.size === 0) return text
  const fn = r.name.toLowerCase()
  const SKIP =
    /'(?:[^']|'')*'|"(?:[^"]|"")*"|\$([A-Za-z_]\w*)?\$[\s\S]*?\$\1\$|--[^\n]*|\/\*[\s\S]*?\*\//y
  const IDENT = /[A-Za-z_][\w$]*/y
  let out = ''
  let i = 0
  while (i < text.length) {
    SKIP.lastIndex = i
    const skip = SKIP.exec(text)
    if (skip) {
      out += skip[0]
      i = SKIP.lastIndex
      continue
    }
    IDENT.lastIndex = i
    const ident = IDENT.exec(text)
    if (!ident) {
      out += text[i++]
      continue
    }
    const word = ident[0].toLowerCase()
    const end = IDENT.lastIndex
    const before = out.trimEnd()
    const after = text.slice(end).trimStart()
    // function.param
    const qualified = /^\.\s*([A-Za-z_][\w$]*)/.exec(after)
    if (
      word === fn &&
      qualified &&
      names.has(qualified[1].toLowerCase()) &&
      !before.endsWith('.')
    ) {
      out += `$${names.get(qualified[1].toLowerCase())}`
      i = end + (text.slice(end).length - after.length) + qualified[0].length
      continue
    }
    if (
      names.has(word) &&
      !before.endsWith('.') &&
      !after.startsWith('(') &&
      !after.startsWith('.')
    )
      out += `$${names.get(word)}`
    else out += ident[0]
    i = end
  }
  return out
}

/** The functions of the user's a body names (by name, any schema), but for itself. */
function namedRoutines(r: Routine, byName: Map<string, Routine[]>): Routine[] {
  const named = new Set(
    sqlTokens(r.body, false)
      .filter(t => t.kind === 'ident')
      .map(t => t.value)
  )
  return [...named].flatMap(n => byName.get(n) ?? []).filter(f => f.oid !== r.oid)
}

/** Whether a table holds a row (one that cannot be read counts as holding some). */
async function holdsRows(client: pg.Client, relOid: number): Promise<boolean> {
  if (!relOid) return true
  await client.query('SAVEPOINT pgba_rows')
  try {
    const { rows } = await client.query<{ q: string }>(
      `SELECT pg_catalog.format('%I.%I', n.nspname, c.relname) AS q FROM pg_catalog.pg_class c
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $1`,
      [relOid]
    )
    if (!rows[0]) return true
    // row security off, as pg_dump reads: no policy of the table runs as the backup's role
    // (attacker a81 F6); a table whose policies apply to it then fails: taken as holding rows
    await client.query("SELECT pg_catalog.set_config('row_security', 'off', true)")
    const { rows: found } = await client.query<{ any: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM ${rows[0].q}) AS any`
    )
    await client.query('RELEASE SAVEPOINT pgba_rows')
    return found[0]?.any !== false
  } catch {
    await client.query('ROLLBACK TO SAVEPOINT pgba_rows')
    return true
  }
}

/**
 * A CHECK whose function reads another table that pg_dump loads after the constraint's (its
 * data in order of schema, then name): why the CHECK fails there, or undefined. An unqualified
 * name that the function's search_path does not find is taken where the database holds the
 * only table of that name.
 */
async function readsLaterTable(
  client: pg.Client,
  r: Routine,
  use: Use
): Promise<string | undefined> {
  const tokens = sqlTokens(r.body, false)
  const read: Array<[string, string]> = []
  for (let i = 0; i + 1 < tokens.length; i++) {
    const t = tokens[i]
    if (t.kind !== 'ident' || t.quoted || !['from', 'join'].includes(t.value)) continue
    const a = tokens[i + 1]
    if (a?.kind !== 'ident') continue
    const qualified = tokens[i + 2]?.value === '.' && tokens[i + 3]?.kind === 'ident'
    if (tokens[i + (qualified ? 4 : 2)]?.value === '(') continue
    read.push(qualified ? [a.value, tokens[i + 3].value] : ['', a.value])
  }
  if (read.length === 0) return undefined
  await client.query("SELECT pg_catalog.set_config('search_path', $1, true)", [r.path ?? ''])
  try {
    for (const [schema, name] of read) {
      const { rows } = await client.query<{ schema: string; name: string }>(
        `SELECT n.nspname::text AS schema, c.relname::text AS name
           FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind IN ('r', 'p')
            AND CASE WHEN $1 <> '' THEN n.nspname = $1 AND c.relname = $2
                     WHEN pg_catalog.to_regclass(pg_catalog.quote_ident($2)) IS NOT NULL
                       THEN c.oid = pg_catalog.to_regclass(pg_catalog.quote_ident($2))
                     ELSE c.relname = $2 AND n.nspname NOT LIKE 'pg\\_%' END`,
        [schema, name]
      )
      if (rows.length !== 1) continue
      const t = rows[0]
      if (t.schema === use.relSchema && t.name === use.relName) continue
      if (compareNames([t.schema, t.name], [use.relSchema, use.relName]) <= 0) continue
      const table = quoteQualified({ schema: use.relSchema, name: use.relName })
      const reads = quoteQualified({ schema: t.schema, name: t.name })
      return `reads ${reads}: pg_dump loads the tables' rows in order of schema and name, so ${table}'s rows load before ${reads}'s, and the CHECK sees ${reads} empty (pg_restore by hand too; a restore with jobs loads them in any order) — it fails unless it passes on an empty ${reads}. PostgreSQL's documentation says a CHECK must not depend on other rows: check them with a foreign key, or a trigger, instead`
    }
    return undefined
  } finally {
    await client.query("SELECT pg_catalog.set_config('search_path', '', true)")
  }
}

/** pg_dump's order of names (strcmp of the bytes; schema first). */
function compareNames(a: string[], b: string[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = Buffer.from(a[i])
    const y = Buffer.from(b[i])
    const c = Buffer.compare(x, y)
    if (c !== 0) return c
  }
  return 0
}

/**
 * The warning of a failing chain: what calls it, the functions (outer to the one that fails),
 * PostgreSQL's error, and the fix — a search_path found to resolve the body (the schemas that
 * hold what it names), else qualifying the names (attacker a80 F5: the function's own schema
 * may not be where its tables are).
 */
async function failedWarning(
  client: pg.Client,
  uses: Use[],
  chain: Routine[],
  failure: Failure
): Promise<string> {
  const last = chain[chain.length - 1]
  const path = await resolvingPath(client, last, failure)
  const fix = path
    ? `ALTER FUNCTION ${last.signature} SET search_path = ${path}; (the schemas that hold what it names), or qualify the names in its body (schema.table)`
    : `qualify the names in its body (schema.table), or give it a search_path that finds them (ALTER FUNCTION ${last.signature} SET search_path = …;)`
  const through =
    chain.length > 1
      ? `, which calls ${chain
          .slice(1)
          .map(f => f.signature)
          .join(', which calls ')},`
      : ''
  const where =
    last.path === null
      ? "the empty search_path that pg_dump's output loads with"
      : `its own search_path (${last.path})`
  return `This backup will not restore: ${describeUses(uses)} ${uses.length === 1 ? 'calls' : 'call'} ${chain[0].signature}${through || ','} whose body fails under ${where}: ${failure.message}. pg_restore or psql stops there (by hand too), and its rows or definition are not restored. Fix the function in the database: ${fix}, then back up again.`
}

/**
 * The search_path (schemas of the database, in the order found) under which the body's names
 * resolve: each name PostgreSQL says does not exist looked up, its schema added, the body
 * PREPAREd again — at most five rounds; undefined when none is found.
 */
async function resolvingPath(
  client: pg.Client,
  r: Routine,
  failure: Failure
): Promise<string | undefined> {
  const schemas: string[] = []
  let current = failure
  for (let round = 0; round < 5; round++) {
    const name =
      /^(?:relation|type|function) "?([^"(]+?)"?(?:\(.*\))? does not exist$/.exec(
        current.message
      )?.[1] ?? /^function ([^(]+)\(/.exec(current.message)?.[1]
    if (!name || name.includes('.')) return undefined
    const { rows } = await client.query<{ schema: string }>(
      `SELECT DISTINCT n.nspname AS schema FROM pg_catalog.pg_namespace n
        WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
          AND (EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.relnamespace = n.oid AND c.relname = $1)
            OR EXISTS (SELECT 1 FROM pg_catalog.pg_proc p WHERE p.pronamespace = n.oid AND p.proname = $1)
            OR EXISTS (SELECT 1 FROM pg_catalog.pg_type t WHERE t.typnamespace = n.oid AND t.typname = $1))
        ORDER BY 1`,
      [name]
    )
    const found = rows.map(x => x.schema).filter(s => !schemas.includes(s))
    if (found.length !== 1) return undefined
    schemas.push(found[0])
    const path = schemas.map(quoteIdent).join(', ')
    const verdict = await checkSqlBody(client, r, path)
    if ('resolves' in verdict) return path
    if (!('failure' in verdict)) return undefined
    current = verdict.failure
  }
  return undefined
}

function routinesQuery(major: number): string {
  return `
SELECT p.oid::int8::float8 AS oid, p.oid::pg_catalog.regprocedure::text AS signature,
       p.proname::text AS name, n.nspname::text AS schema, l.lanname::text AS language,
       p.prosrc AS body,
       (SELECT pg_catalog.substr(s, 13) FROM pg_catalog.unnest(p.proconfig) s
         WHERE pg_catalog.left(s, 12) = 'search_path=' LIMIT 1) AS path,
       ARRAY(SELECT pg_catalog.format_type(t, NULL)
               FROM pg_catalog.unnest(p.proargtypes::pg_catalog.oid[]) WITH ORDINALITY AS a(t, i)
              ORDER BY i) AS "argTypes",
       ARRAY(SELECT COALESCE(a.name, '')
               FROM ROWS FROM (pg_catalog.unnest(COALESCE(p.proargnames, ARRAY[]::text[])),
                              pg_catalog.unnest(COALESCE(p.proargmodes, ARRAY[]::"char"[]))) WITH ORDINALITY AS a(name, mode, i)
              WHERE a.mode IS NULL OR a.mode IN ('i', 'b', 'v')
              ORDER BY i) AS "argNames",
       EXISTS (SELECT 1 FROM pg_catalog.pg_type t
                WHERE t.oid = ANY (p.proargtypes::pg_catalog.oid[]) AND t.typtype = 'p') AS polymorphic
  FROM pg_catalog.pg_proc p
  JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
  JOIN pg_catalog.pg_language l ON l.oid = p.prolang
 WHERE n.nspname <> 'information_schema' AND pg_catalog.left(n.nspname, 3) <> 'pg_'
   AND p.prokind = 'f' AND l.lanname NOT IN ('c', 'internal')
   ${major >= 14 ? 'AND p.prosqlbody IS NULL' : ''}
   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend m
                    WHERE m.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND m.objid = p.oid
                      AND m.deptype = 'e')
 LIMIT ${MAX_ROWS}`
}

function usesQuery(major: number): string {
  return `
WITH member AS (SELECT classid, objid FROM pg_catalog.pg_depend WHERE deptype = 'e'),
dep AS (
  SELECT classid, objid, refobjid AS fn FROM pg_catalog.pg_depend
   WHERE refclassid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND deptype = 'n'
  UNION
  -- an operator's function (attacker a80 F7)
  SELECT d.classid, d.objid, o.oprcode::pg_catalog.oid FROM pg_catalog.pg_depend d
    JOIN pg_catalog.pg_operator o ON o.oid = d.refobjid
   WHERE d.refclassid = 'pg_catalog.pg_operator'::pg_catalog.regclass AND d.deptype = 'n'
),
used AS (
  SELECT d.fn, 'check' AS kind, c.conname AS name, r.oid AS rel
    FROM dep d JOIN pg_catalog.pg_constraint c ON c.oid = d.objid
    JOIN pg_catalog.pg_class r ON r.oid = c.conrelid
   WHERE d.classid = 'pg_catalog.pg_constraint'::pg_catalog.regclass AND c.contype = 'c'
     AND c.coninhcount = 0 AND c.convalidated
  UNION ALL
  SELECT d.fn, 'domain', c.conname, c.contypid
    FROM dep d JOIN pg_catalog.pg_constraint c ON c.oid = d.objid
   WHERE d.classid = 'pg_catalog.pg_constraint'::pg_catalog.regclass AND c.contype = 'c'
     AND c.contypid <> 0 AND c.convalidated
     AND EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
                  WHERE a.atttypid = c.contypid AND NOT a.attisdropped AND a.attnum > 0)
  ${
    major >= 12
      ? `UNION ALL
  SELECT d.fn, 'generated', a.attname, a.attrelid
    FROM dep d JOIN pg_catalog.pg_attrdef ad ON ad.oid = d.objid
    JOIN pg_catalog.pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
   WHERE d.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass AND a.attgenerated <> ''
     AND a.attinhcount = 0`
      : ''
  }
  UNION ALL
  SELECT d.fn, 'index', i.relname, x.indrelid
    FROM dep d JOIN pg_catalog.pg_class i ON i.oid = d.objid
    JOIN pg_catalog.pg_index x ON x.indexrelid = i.oid
   WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND i.relkind IN ('i', 'I')
     AND NOT i.relispartition
  UNION ALL
  SELECT d.fn, 'materialized view', v.relname, v.oid
    FROM dep d JOIN pg_catalog.pg_rewrite w ON w.oid = d.objid
    JOIN pg_catalog.pg_class v ON v.oid = w.ev_class
   WHERE d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND v.relkind = 'm'
     AND v.relispopulated
),
owner AS (
  SELECT u.*, COALESCE(rn.nspname, tn.nspname) AS rel_schema,
         COALESCE(r.relname, t.typname) AS rel_name,
         CASE WHEN u.kind = 'domain' THEN 'pg_catalog.pg_type' ELSE 'pg_catalog.pg_class' END AS rel_class
    FROM used u
    LEFT JOIN pg_catalog.pg_class r ON u.kind <> 'domain' AND r.oid = u.rel
    LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = r.relnamespace
    LEFT JOIN pg_catalog.pg_type t ON u.kind = 'domain' AND t.oid = u.rel
    LEFT JOIN pg_catalog.pg_namespace tn ON tn.oid = t.typnamespace
)
SELECT DISTINCT o.fn::int8::float8 AS fn, o.kind, o.name::text AS name,
       o.rel_schema::text AS "relSchema", o.rel_name::text AS "relName",
       CASE WHEN o.kind = 'check' THEN o.rel::int8::float8 ELSE 0 END AS "relOid"
  FROM owner o
 WHERE o.rel_schema <> 'information_schema' AND pg_catalog.left(o.rel_schema, 3) <> 'pg_'
   AND NOT EXISTS (SELECT 1 FROM member m
                    WHERE m.classid = o.rel_class::pg_catalog.regclass AND m.objid = o.rel)
 ORDER BY 4, 5, 2, 3
 LIMIT ${MAX_ROWS}`
}

/** "CHECK constraint products_sku_known on table public.products", at most five, then a count. */
function describeUses(uses: Use[]): string {
  const each = uses.map(u => {
    const rel = quoteQualified({ schema: u.relSchema, name: u.relName })
    switch (u.kind) {
      case 'check':
        return `CHECK constraint ${quoteIdent(u.name)} on table ${rel}`
      case 'domain':
        return `CHECK constraint ${quoteIdent(u.name)} of domain ${rel}`
      case 'generated':
        return `generated column ${quoteIdent(u.name)} of table ${rel}`
      case 'index':
        return `index ${quoteQualified({ schema: u.relSchema, name: u.name })} on table ${rel}`
      default:
        return `materialized view ${rel}`
    }
  })
  if (each.length > 5) return `${each.slice(0, 5).join(', ')} and ${each.length - 5} more`
  return each.length > 1 ? `${each.slice(0, -1).join(', ')} and ${each.at(-1)}` : each[0]
}
