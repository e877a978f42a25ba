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
 * sql body is read as text, and only the catalog is asked about it: nothing of the database
 * runs (attacker a80 F9: a CREATE FUNCTION fired its event triggers; a81 F1, a82 F1: PREPARE
 * ran a second statement, and a domain's CHECK on a literal, as the backup's role). The
 * relations it reads or writes and the functions it calls without a schema are looked up where
 * the restore's search_path ('' or its own) looks; one found nowhere fails there. Another
 * language's body (plpgsql) is checked only when it runs, so one that a restore runs directly
 * and that has no search_path of its own is named as one that may fail. A CHECK whose function
 * reads another table fails a restore that loads that table's rows later (trial u49 F2).
 */
import type pg from 'pg'
import { quoteIdent, quoteQualified } from '../sql-names.js'
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

/** What a body names that its search_path does not find, as PostgreSQL would say it. */
interface Failure {
  message: string
  /** The names not found, for the search_path that finds them (resolvingPath). */
  names: string[]
}

/** A body's verdict: its names resolve, one does not (failure), or it could not be told (unknown). */
type Verdict = { resolves: true } | { failure: Failure } | { unknown: string }

/** Bodies longer than this are not read (a restore parses them; the check does not try). */
const MAX_BODY_CHARS = 1_000_000

/**
 * A LANGUAGE sql body's names read from its text alone — nothing of the database runs, nothing
 * is sent but catalog reads (attacker a82 F1: PREPARE coerced a literal to the tenant's domain,
 * whose CHECK ran as the backup's role): the relations it reads or writes (after FROM, JOIN,
 * INTO, UPDATE, TABLE) and the functions it calls, each without a schema, looked up in
 * pg_catalog and the schemas of `path` (the function's own search_path, or none: pg_dump's
 * empty one). A name found in neither fails there as in the restore.
 */
async function checkSqlBody(client: pg.Client, r: Routine, path = r.path ?? ''): Promise<Verdict> {
  if (r.body.length > MAX_BODY_CHARS)
    return { unknown: `the body of ${r.signature} is too long to read` }
  const schemas = pathSchemas(path)
  if (!schemas) return { unknown: `the search_path of ${r.signature} names "$user"` }
  const named = bodyNames(r.body)
  const names = [...named.relations.map(n => [n, 'r']), ...named.functions.map(n => [n, 'f'])]
  if (names.length === 0) return { resolves: true }
  const { rows } = await client.query<{ name: string; kind: string }>(
    `SELECT x.name, x.kind FROM unnest($1::pg_catalog.text[], $2::pg_catalog.text[]) AS x(name, kind)
      WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c
                          JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                         WHERE x.kind = 'r' AND c.relname = x.name AND n.nspname = ANY ($3::pg_catalog.text[]))
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_proc p
                          JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
                         WHERE x.kind = 'f' AND p.proname = x.name AND n.nspname = ANY ($3::pg_catalog.text[]))`,
    [names.map(n => n[0]), names.map(n => n[1]), schemas]
  )
  if (rows.length === 0) return { resolves: true }
  const first = rows[0]
  return {
    failure: {
      message:
        first.kind === 'r'
          ? `relation "${first.name}" does not exist`
          : `function ${first.name} does not exist`,
      names: [...new Set(rows.map(x => x.name))]
    }
  }
}

/** A search_path's schemas, pg_catalog first; undefined where it names "$user" (a role's). */
function pathSchemas(path: string): string[] | undefined {
  const schemas = ['pg_catalog']
  for (const part of path.split(',')) {
    const word = part.trim()
    if (word === '') continue
    const name = word.startsWith('"') ? word.slice(1, -1).replace(/""/g, '"') : word.toLowerCase()
    if (name === '$user') return undefined
    if (name !== 'pg_temp') schemas.push(name)
  }
  return schemas
}

/** Words of SQL's grammar that a "(" follows, which are no functions of pg_proc. */
const GRAMMAR = new Set(
  (
    'all and any array as between by case cast coalesce cube distinct else end except exists ' +
    'extract filter from greatest grouping having in intersect into is join least lateral like ' +
    'limit not nullif on or order over overlay partition position returning rollup row select ' +
    'set sets some substring table then treat trim union using values when where window with ' +
    'within xmlattributes xmlconcat xmlelement xmlexists xmlforest xmlparse xmlpi xmlroot ' +
    'xmlserialize xmltable collate conflict do update delete insert merge numeric decimal ' +
    'varchar char character varying timestamp time interval bit float double precision ' +
    'ilike similar escape offset fetch default unique zone at to asc desc nulls is isnull ' +
    'notnull overlaps localtime localtimestamp current_time current_timestamp return'
  ).split(' ')
)

/** Functions whose parentheses hold FROM as a word (extract(year FROM …)), not a table. */
const FROM_INSIDE = new Set(['extract', 'substring', 'trim', 'overlay', 'position'])

/** Words after which FROM, JOIN, INTO or UPDATE names no relation of the body's. */
const NOT_A_RELATION = new Set([
  'set',
  'of',
  'nowait',
  'skip',
  'only',
  'lateral',
  'select',
  'values'
])

/** What a body's text names, as {@link bodyNames} reads it. */
export interface BodyNames {
  /** Relations named without a schema (read or written). */
  relations: string[]
  /** Functions called without a schema. */
  functions: string[]
  /** Relations read (after FROM or JOIN) as [schema, name], schema '' where none is written. */
  reads: Array<[string, string]>
}

/**
 * The names a body's text uses: relations (read or written) and functions (called) without a
 * schema, and the relations it reads with or without one; common table expressions' names left
 * out. From the tokens alone (sqlTokens: quotes, dollar quotes and comments as PostgreSQL reads
 * them).
 */
export function bodyNames(body: string): BodyNames {
  const t = sqlTokens(body, false)
  const word = (i: number, ...w: string[]): boolean =>
    t[i]?.kind === 'ident' && t[i].quoted !== true && w.includes(t[i].value)
  const punct = (i: number, p: string): boolean => t[i]?.kind !== 'ident' && t[i]?.value === p
  // common table expressions: WITH [RECURSIVE] name [(…)] AS …, and , name [(…)] AS (
  const ctes = new Set<string>()
  for (let i = 0; i < t.length; i++) {
    if (t[i].kind !== 'ident') continue
    if (word(i + 1, 'as') && (punct(i + 2, '(') || word(i + 2, 'materialized', 'not')))
      ctes.add(t[i].value)
    if ((word(i - 1, 'with', 'recursive') || punct(i - 1, ',')) && punct(i + 1, '(')) {
      let depth = 0
      let k = i + 1
      for (; k < t.length; k++) {
        if (punct(k, '(')) depth++
        else if (punct(k, ')') && --depth === 0) break
      }
      if (word(k + 1, 'as')) ctes.add(t[i].value)
    }
  }
  const relations = new Set<string>()
  const functions = new Set<string>()
  const reads = new Map<string, [string, string]>()
  const read = (schema: string, name: string): void =>
    void reads.set(JSON.stringify([schema, name]), [schema, name])
  /** For each open parenthesis: whether it is a FROM_INSIDE function's. */
  const stack: boolean[] = []
  for (let i = 0; i < t.length; i++) {
    if (punct(i, '(')) {
      stack.push(word(i - 1, ...FROM_INSIDE))
      continue
    }
    if (punct(i, ')')) {
      stack.pop()
      continue
    }
    if (t[i].kind !== 'ident') continue
    // a call: name( — not schema.name(, not a type's typmod (::numeric(10,2), AS varchar(3))
    if (
      punct(i + 1, '(') &&
      !punct(i - 1, '.') &&
      !punct(i - 1, '::') &&
      !word(i - 1, 'as', 'into') &&
      !(t[i].quoted !== true && GRAMMAR.has(t[i].value)) &&
      !ctes.has(t[i].value)
    )
      functions.add(t[i].value)
    if (t[i].quoted === true || !['from', 'join', 'into', 'update', 'table'].includes(t[i].value))
      continue
    if (stack[stack.length - 1] === true) continue // extract(year FROM ts)
    if (t[i].value === 'from' && word(i - 1, 'distinct')) continue // IS DISTINCT FROM x
    const into = t[i].value === 'into'
    const reading = t[i].value === 'from' || t[i].value === 'join'
    let j = i + 1
    for (;;) {
      while (word(j, 'only', 'lateral')) j++
      if (t[j]?.kind !== 'ident' || (t[j].quoted !== true && NOT_A_RELATION.has(t[j].value))) break
      if (punct(j + 1, '.')) {
        // schema.name: found wherever the path is
        if (reading && t[j + 2]?.kind === 'ident' && !punct(j + 3, '('))
          read(t[j].value, t[j + 2].value)
        j += 3
      } else if (punct(j + 1, '(') && !into)
        j += 1 // a function in FROM: a call (above)
      else {
        if (!ctes.has(t[j].value)) {
          relations.add(t[j].value)
          if (reading) read('', t[j].value)
        }
        j += 1
      }
      // an alias, then another of a FROM's list
      if (word(j, 'as')) j++
      if (
        t[j]?.kind === 'ident' &&
        !(
          t[j].quoted !== true &&
          /^(where|join|on|using|group|order|limit|offset|left|right|inner|full|cross|natural|union|except|intersect|returning|set|window|having|fetch|for|values|select|default|when|then|else|end|and|or)$/.test(
            t[j].value
          )
        )
      )
        j++
      if (!punct(j, ',') || into || t[i].value !== 'from') break
      j++
    }
  }
  return { relations: [...relations], functions: [...functions], reads: [...reads.values()] }
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

/**
 * Whether a table may hold rows: the size of its (its partitions') files on disk, which reads
 * none of them — no row security, no view, no foreign table's wrapper runs (attacker a81 F6,
 * a82 F2); a table emptied since its last VACUUM still counts as holding some.
 */
async function holdsRows(client: pg.Client, relOid: number): Promise<boolean> {
  if (!relOid) return true
  const { rows } = await client
    .query<{ any: boolean | null }>(
      `SELECT bool_or(pg_catalog.pg_relation_size(t.relid) > 0) AS any
         FROM (SELECT $1::pg_catalog.regclass AS relid
               UNION SELECT relid FROM pg_catalog.pg_partition_tree($1::pg_catalog.regclass)) t
         JOIN pg_catalog.pg_class c ON c.oid = t.relid
        WHERE c.relkind = 'r'`,
      [relOid]
    )
    .catch(() => ({ rows: [{ any: true }] }))
  return rows[0]?.any !== false
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
  const read = bodyNames(r.body).reads
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
 * The search_path (schemas of the database) under which the body's names resolve: each name not
 * found looked up in the database's schemas — one schema each, and the body then resolves —
 * or undefined.
 */
async function resolvingPath(
  client: pg.Client,
  r: Routine,
  failure: Failure
): Promise<string | undefined> {
  const { rows } = await client.query<{ name: string; schemas: string[] }>(
    `SELECT x.name, ARRAY(SELECT n.nspname::pg_catalog.text FROM pg_catalog.pg_namespace n
                           WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
                             AND (EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.relnamespace = n.oid AND c.relname = x.name)
                               OR EXISTS (SELECT 1 FROM pg_catalog.pg_proc p WHERE p.pronamespace = n.oid AND p.proname = x.name))
                           ORDER BY 1) AS schemas
       FROM unnest($1::pg_catalog.text[]) AS x(name)`,
    [failure.names]
  )
  if (rows.some(x => x.schemas.length !== 1)) return undefined
  const path = [...new Set(rows.map(x => x.schemas[0]))].map(quoteIdent).join(', ')
  const verdict = await checkSqlBody(client, r, path)
  return 'resolves' in verdict ? path : undefined
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
     AND c.coninhcount = 0 AND c.convalidated AND r.relkind IN ('r', 'p')
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
