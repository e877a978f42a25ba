/**
 * What makes a backup that cannot restore, found while backing up (trial u48 F1): pg_dump's
 * output loads with an empty search_path (its ALWAYS_SECURE_SEARCH_PATH_SQL, as pg_restore and
 * psql run it), so a function of the user's with no search_path of its own, whose body names a
 * table, function or type without its schema, fails when a restore runs it: a CHECK constraint
 * (a table's or a domain's) as the rows load, a generated column or an index expression as the
 * table or index is created, a materialized view as it is refreshed. pg_dump by hand dumps such
 * a database without a word; only a restore (or verify) finds it. A column DEFAULT is not among
 * these: pg_dump's COPY (and its INSERTs) give every column, so a restore never evaluates one.
 *
 * One catalog read finds the functions those objects call that have no search_path (proconfig),
 * no BEGIN ATOMIC body (prosqlbody, 14+: its names are resolved when it is created) and are not
 * an extension's. A LANGUAGE sql function is checked exactly: its body is created again as a
 * pg_temp function with search_path '' and check_function_bodies on, in a transaction rolled
 * back, which fails where the restore would. Another language's (plpgsql) body is checked only
 * when it runs, so it is named as a function that may fail. A session that may not create a
 * temporary function (a standby, a read-only transaction, no TEMP privilege) checks none.
 */
import type pg from 'pg'
import { quoteIdent, quoteQualified } from '../sql-names.js'

/** An object a restore evaluates, and the function of the user's it calls. */
interface Use {
  /** The function: regprocedure text, qualified (the session's search_path is pg_catalog's). */
  signature: string
  schema: string
  language: string
  /** Polymorphic arguments or result: the validator does not analyse the body. */
  polymorphic: boolean
  /** CREATE FUNCTION pg_temp.… with the function's arguments, result and body (LANGUAGE sql). */
  recreate: string | null
  kind: 'check' | 'domain' | 'generated' | 'index' | 'materialized view'
  /** The constraint's, column's, index's or view's name. */
  name: string
  /** The table (the domain, the view) it belongs to. */
  relSchema: string
  relName: string
}

/** What the check found: a warning for each function, and what it could not check. */
export interface Restorability {
  warnings: string[]
  /** A line to show when some functions could not be checked (the session may not create one). */
  unchecked?: string
}

/** The server's errors that a restore would meet too: a name that does not resolve. */
const UNRESOLVED = new Set([
  '42P01', // undefined_table
  '42883', // undefined_function
  '42704', // undefined_object (a type)
  '3F000', // invalid_schema_name
  '42703' // undefined_column (a row type's column of an unresolved composite)
])

/** PostgreSQL's error creating the body again; whether it names a table (undefined_table). */
interface Failure {
  message: string
  readsTable: boolean
}

/**
 * A CHECK whose function reads another table fails a restore even with its names resolved:
 * pg_dump loads the tables' rows in its own order (by name), not the one the check needs, and
 * PostgreSQL's documentation says a CHECK must not depend on other rows (trial u48 F1:
 * products, checked against skus, loads first).
 */
const READS_TABLE =
  " Its body reads a table: even with that fixed, a CHECK that reads another table's rows fails a restore that loads this table's rows first (pg_dump loads tables in its own order, and PostgreSQL's documentation says a CHECK must not depend on other rows); a foreign key or a trigger does that check safely."

/** At most this many functions are created again (each a round trip). */
const MAX_CHECKED = 50

/** The catalog read and the checks, each statement of them at most this long. */
const STATEMENT_TIMEOUT_MS = 5000

/** No function is created again after this long: the rest are said to be unchecked. */
const TOTAL_MS = 10_000

/**
 * Reads which functions of the user's the restore of this database would run with an empty
 * search_path, and checks them (see above), in a transaction rolled back on `client` (the
 * backup's own session, before pg_dump). Throws on a failure of the check itself: the caller
 * says so in a line and the backup goes on.
 */
export async function checkRestorability(client: pg.Client, major: number): Promise<Restorability> {
  const started = Date.now()
  await client.query('BEGIN')
  try {
    await client.query(
      `SELECT pg_catalog.set_config('statement_timeout', '${STATEMENT_TIMEOUT_MS}', true),
              pg_catalog.set_config('lock_timeout', '${STATEMENT_TIMEOUT_MS}', true)`
    )
    const { rows } = await client.query<Use>(usesQuery(major))
    if (rows.length === 0) return { warnings: [] }
    const failures = new Map<string, Failure>()
    const unchecked: string[] = []
    let cannot: string | undefined
    const sql = [...new Set(rows.filter(r => r.recreate && !r.polymorphic).map(r => r.recreate!))]
    await client.query(
      "SELECT pg_catalog.set_config('search_path', '', true), pg_catalog.set_config('check_function_bodies', 'on', true)"
    )
    for (const [i, recreate] of sql.entries()) {
      if (cannot || i >= MAX_CHECKED || Date.now() - started > TOTAL_MS) {
        unchecked.push(recreate)
        continue
      }
      await client.query('SAVEPOINT pg_backup_restorability')
      try {
        await client.query(recreate)
      } catch (error) {
        const err = error as { code?: string; message?: string }
        if (err.code && UNRESOLVED.has(err.code))
          failures.set(recreate, { message: String(err.message), readsTable: err.code === '42P01' })
        else {
          // a standby, a read-only transaction, no TEMP: none can be checked
          cannot = String(err.message ?? error)
          unchecked.push(recreate)
        }
      } finally {
        await client.query('ROLLBACK TO SAVEPOINT pg_backup_restorability')
      }
    }
    return describe(rows, failures, new Set(unchecked), cannot)
  } finally {
    await client.query('ROLLBACK').catch(() => undefined)
  }
}

function usesQuery(major: number): string {
  return `
WITH member AS (SELECT classid, objid FROM pg_catalog.pg_depend WHERE deptype = 'e'),
fn AS (
  SELECT p.oid, p.oid::pg_catalog.regprocedure::text AS signature, n.nspname AS schema,
         l.lanname AS language,
         EXISTS (SELECT 1 FROM pg_catalog.pg_type t
                  WHERE (t.oid = ANY (p.proargtypes::pg_catalog.oid[]) OR t.oid = p.prorettype)
                    AND t.typtype = 'p' AND t.typname LIKE 'any%') AS polymorphic,
         CASE WHEN l.lanname = 'sql' THEN pg_catalog.format(
           'CREATE FUNCTION pg_temp.pg_backup_restorability(%s) RETURNS %s LANGUAGE sql AS %L',
           pg_catalog.pg_get_function_arguments(p.oid), pg_catalog.pg_get_function_result(p.oid),
           p.prosrc) END AS recreate
    FROM pg_catalog.pg_proc p
    JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
    JOIN pg_catalog.pg_language l ON l.oid = p.prolang
   WHERE n.nspname <> 'information_schema' AND pg_catalog.left(n.nspname, 3) <> 'pg_'
     AND p.prokind = 'f' AND l.lanname NOT IN ('c', 'internal')
     ${major >= 14 ? 'AND p.prosqlbody IS NULL' : ''}
     AND NOT EXISTS (SELECT 1 FROM pg_catalog.unnest(p.proconfig) s WHERE pg_catalog.left(s, 12) = 'search_path=')
     AND NOT EXISTS (SELECT 1 FROM member m
                      WHERE m.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND m.objid = p.oid)
),
dep AS (
  SELECT classid, objid, refobjid AS fn FROM pg_catalog.pg_depend
   WHERE refclassid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND deptype = 'n'
),
used AS (
  SELECT d.fn, 'check' AS kind, c.conname AS name, r.oid AS rel
    FROM dep d JOIN pg_catalog.pg_constraint c ON c.oid = d.objid
    JOIN pg_catalog.pg_class r ON r.oid = c.conrelid
   WHERE d.classid = 'pg_catalog.pg_constraint'::pg_catalog.regclass AND c.contype = 'c'
     AND c.coninhcount = 0
  UNION ALL
  SELECT d.fn, 'domain', c.conname, c.contypid
    FROM dep d JOIN pg_catalog.pg_constraint c ON c.oid = d.objid
   WHERE d.classid = 'pg_catalog.pg_constraint'::pg_catalog.regclass AND c.contype = 'c'
     AND c.contypid <> 0
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
SELECT DISTINCT f.signature, f.schema, f.language, f.polymorphic, f.recreate, o.kind, o.name,
       o.rel_schema AS "relSchema", o.rel_name AS "relName"
  FROM owner o JOIN fn f ON f.oid = o.fn
 WHERE o.rel_schema <> 'information_schema' AND pg_catalog.left(o.rel_schema, 3) <> 'pg_'
   AND NOT EXISTS (SELECT 1 FROM member m
                    WHERE m.classid = o.rel_class::pg_catalog.regclass AND m.objid = o.rel)
 ORDER BY f.signature, o.rel_schema, o.rel_name, o.kind, o.name
 LIMIT 500`
}

/** The warnings, one for each function, naming what calls it. */
function describe(
  rows: Use[],
  failures: Map<string, Failure>,
  unchecked: Set<string>,
  cannot: string | undefined
): Restorability {
  const byFunction = new Map<string, Use[]>()
  for (const r of rows) byFunction.set(r.signature, [...(byFunction.get(r.signature) ?? []), r])
  const warnings: string[] = []
  const notChecked: string[] = []
  for (const [signature, uses] of byFunction) {
    const { schema, language, polymorphic, recreate } = uses[0]
    const callers = describeUses(uses)
    const fix = `ALTER FUNCTION ${signature} SET search_path = ${quoteIdent(schema)}; (or qualify the names in its body: schema.table), then back up again`
    if (recreate && failures.has(recreate)) {
      const failure = failures.get(recreate)!
      warnings.push(
        `This backup will not restore: ${callers} ${uses.length === 1 ? 'calls' : 'call'} ${signature}, whose body fails under the empty search_path that pg_dump's output loads with: ${failure.message}. pg_restore or psql stops there (by hand too), and its rows or definition are not restored. Fix the function in the database: ${fix}.${failure.readsTable && uses.some(u => u.kind === 'check' || u.kind === 'domain') ? READS_TABLE : ''}`
      )
    } else if (recreate && !polymorphic) {
      if (unchecked.has(recreate)) notChecked.push(signature)
    } else {
      warnings.push(
        `This backup may not restore: ${callers} ${uses.length === 1 ? 'calls' : 'call'} ${signature} (LANGUAGE ${language}, with no search_path of its own), whose body PostgreSQL checks only when it runs: if it names a table, function or type without its schema, the restore fails there, since pg_dump's output loads with an empty search_path. To be sure: ${fix}.`
      )
    }
  }
  return {
    warnings,
    ...(notChecked.length > 0
      ? {
          unchecked: `The functions ${notChecked.slice(0, 10).join(', ')}${notChecked.length > 10 ? `, … and ${notChecked.length - 10} more` : ''} (LANGUAGE sql, with no search_path of their own) that CHECK constraints, generated columns, indexes or materialized views call could not be checked for names a restore cannot resolve${cannot ? ` (${cannot})` : ''}.`
        }
      : {})
  }
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
