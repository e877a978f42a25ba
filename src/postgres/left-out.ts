/**
 * What a backup keeps that needs what its filters leave out (u49 F4): a foreign key of a kept
 * table onto a table left out, a view over one, a partition or child of a parent left out. pg_dump
 * dumps them without a word, and every restore in one transaction stops at the first (relation
 * "public.skus" does not exist). Read from the catalog, as pg_dump resolves the patterns
 * (patternRegexes; unqualified names by the session's own search_path); takes no lock.
 */
import type pg from 'pg'
import { quoteQualified } from '../sql-names.js'
import type { DumpFilters, QualifiedName } from '../types.js'
import { patternRegexes } from './dump.js'
import { withSessionSearchPath } from './session.js'

/** Which filter leaves a relation out (exclude-table-data: its rows only). */
export type LeftOutBy = 'exclude-tables' | 'exclude-schemas' | 'schemas' | 'tables'

/** What the backup keeps that needs a relation it leaves out (or whose rows it leaves out). */
export interface LeftOutDependency {
  kind: 'foreign key' | 'view' | 'materialized view' | 'partition' | 'child'
  /** The kept table (foreign key, partition, child) or view. */
  dependent: QualifiedName
  /** The foreign key's name. */
  constraint?: string
  /** The relation it needs. */
  needed: QualifiedName
  /** How the backup leaves `needed` out; 'exclude-table-data': its rows, the dependent's kept. */
  by: LeftOutBy | 'exclude-table-data'
}

/** The relation kinds pg_dump's --table and --exclude-table patterns match. */
const PATTERN_KINDS = `array['r','S','v','m','f','p']::pg_catalog."char"[]`

/**
 * The oids of the relations `patterns` match, as pg_dump matches --table patterns: by the
 * session's own search_path for an unqualified one (every operator and type qualified: the
 * role's schemas are visible meanwhile).
 */
async function matchedRelations(client: pg.Client, patterns: readonly string[]): Promise<number[]> {
  if (patterns.length === 0) return []
  const parts = patterns.map(p => patternRegexes(p))
  const { rows } = await withSessionSearchPath(client, () =>
    client.query<{ oid: number }>(
      `SELECT DISTINCT c.oid::pg_catalog.int8 AS oid
         FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.text[]), pg_catalog.unnest($2::pg_catalog.text[])) AS p(s, n)
         JOIN pg_catalog.pg_class c
           ON c.relkind OPERATOR(pg_catalog.=) ANY (${PATTERN_KINDS})
          AND (p.n IS NULL OR c.relname OPERATOR(pg_catalog.~) p.n COLLATE pg_catalog.default)
         JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
        WHERE CASE WHEN p.s IS NULL THEN pg_catalog.pg_table_is_visible(c.oid)
                   ELSE n.nspname OPERATOR(pg_catalog.~) p.s COLLATE pg_catalog.default END`,
      [parts.map(p => p.schema ?? null), parts.map(p => p.name ?? null)]
    )
  )
  return rows.map(r => Number(r.oid))
}

/**
 * The relations as the backup takes them: `out` says which filter leaves one out (null: kept;
 * 'none': not the backup's to keep — an extension's member, a system schema's), `no_data` that
 * exclude-table-data leaves its rows out. As pg_dump selects (selectDumpableTable): with tables,
 * those and no other; else the schemas selected and not excluded; exclude-tables either way.
 */
const RELATIONS = `
  SELECT c.oid, c.relkind, n.nspname AS schema, c.relname AS name,
         CASE WHEN n.nspname IN ('pg_catalog', 'information_schema', 'pg_toast')
                OR n.nspname LIKE 'pg\\_temp\\_%' OR n.nspname LIKE 'pg\\_toast\\_temp\\_%'
                OR EXISTS (SELECT 1 FROM pg_depend d
                            WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                              AND d.deptype = 'e') THEN 'none'
              WHEN c.oid = ANY ($1::oid[]) THEN 'exclude-tables'
              WHEN $6::boolean THEN
                CASE WHEN c.oid = ANY ($3::oid[]) THEN NULL ELSE 'tables' END
              WHEN EXISTS (SELECT 1 FROM unnest($4::text[]) AS x(re)
                            WHERE n.nspname ~ x.re COLLATE "default") THEN 'exclude-schemas'
              WHEN cardinality($5::text[]) > 0
               AND NOT EXISTS (SELECT 1 FROM unnest($5::text[]) AS s(re)
                                WHERE n.nspname ~ s.re COLLATE "default") THEN 'schemas'
         END AS out,
         c.oid = ANY ($2::oid[]) AS no_data
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')`

/** RELATIONS' parameters: the patterns of `filters` resolved (matchedRelations). */
async function relationParameters(client: pg.Client, filters: DumpFilters): Promise<unknown[]> {
  const schemaRegex = (patterns: readonly string[]): string[] =>
    patterns.map(p => patternRegexes(p).name ?? '.*')
  return [
    await matchedRelations(client, filters.excludeTables),
    await matchedRelations(client, filters.excludeTableData),
    await matchedRelations(client, filters.tables),
    schemaRegex(filters.excludeSchemas),
    schemaRegex(filters.schemas),
    filters.tables.length > 0
  ]
}

interface Row {
  kind: LeftOutDependency['kind']
  dependent_schema: string
  dependent_name: string
  constraint: string | null
  needed_schema: string
  needed_name: string
  by: LeftOutDependency['by']
}

/**
 * What the backup keeps that needs what `filters` leave out (LeftOutDependency), in one catalog
 * read (after the patterns are resolved): foreign keys of kept tables onto tables left out (or
 * onto tables whose rows exclude-table-data leaves out while the kept table's rows stay: the key
 * is checked as a restore adds it), views and materialized views over relations left out,
 * partitions and inheritance children of parents left out.
 */
export async function leftOutDependencies(
  client: pg.Client,
  filters: DumpFilters
): Promise<LeftOutDependency[]> {
  const { rows } = await client.query<Row>(
    `WITH rel AS MATERIALIZED (${RELATIONS}),
     kept AS (SELECT * FROM rel WHERE out IS NULL),
     gone AS (SELECT * FROM rel WHERE out IS NOT NULL AND out <> 'none')
     SELECT 'foreign key' AS kind, k.schema AS dependent_schema, k.name AS dependent_name,
            con.conname AS constraint, g.schema AS needed_schema, g.name AS needed_name,
            g.out AS by
       FROM pg_constraint con JOIN kept k ON k.oid = con.conrelid
       JOIN gone g ON g.oid = con.confrelid
      WHERE con.contype = 'f' AND con.conparentid = 0
     UNION ALL
     SELECT 'foreign key', k.schema, k.name, con.conname, r.schema, r.name, 'exclude-table-data'
       FROM pg_constraint con JOIN kept k ON k.oid = con.conrelid
       JOIN kept r ON r.oid = con.confrelid
      WHERE con.contype = 'f' AND con.conparentid = 0 AND r.no_data AND NOT k.no_data
        AND r.oid <> k.oid
     UNION ALL
     SELECT DISTINCT CASE v.relkind WHEN 'm' THEN 'materialized view' ELSE 'view' END,
            v.schema, v.name, NULL, g.schema, g.name, g.out
       FROM pg_rewrite rw JOIN kept v ON v.oid = rw.ev_class AND v.relkind IN ('v', 'm')
       JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = rw.oid
                       AND d.refclassid = 'pg_class'::regclass
       JOIN gone g ON g.oid = d.refobjid
     UNION ALL
     SELECT CASE WHEN ch.relispartition THEN 'partition' ELSE 'child' END,
            k.schema, k.name, NULL, g.schema, g.name, g.out
       FROM pg_inherits i JOIN kept k ON k.oid = i.inhrelid
       JOIN pg_class ch ON ch.oid = i.inhrelid
       JOIN gone g ON g.oid = i.inhparent
      ORDER BY 2, 3, 4, 5, 6`,
    await relationParameters(client, filters)
  )
  return rows.map(r => ({
    kind: r.kind,
    dependent: { schema: r.dependent_schema, name: r.dependent_name },
    ...(r.constraint !== null ? { constraint: r.constraint } : {}),
    needed: { schema: r.needed_schema, name: r.needed_name },
    by: r.by
  }))
}

/** How a filter leaves a relation out, in a warning's words. */
function leftOutHow(d: LeftOutDependency): string {
  switch (d.by) {
    case 'exclude-tables':
      return 'which the backup leaves out (exclude-tables)'
    case 'exclude-schemas':
      return `which the backup leaves out (exclude-schemas leaves out its schema, ${d.needed.schema})`
    case 'schemas':
      return `which the backup leaves out (its schema ${d.needed.schema} is not in schemas)`
    case 'tables':
      return 'which the backup leaves out (it is not in tables)'
    case 'exclude-table-data':
      return 'whose rows the backup leaves out (exclude-table-data)'
  }
}

/** The filter to widen so that the backup keeps `needed` too, in a warning's words. */
function keepToo(d: LeftOutDependency): string {
  const needed = quoteQualified(d.needed)
  switch (d.by) {
    case 'exclude-tables':
      return `back up ${needed} as well (remove it from exclude-tables; a role that may read it)`
    case 'exclude-schemas':
      return `back up ${needed} as well (remove its schema from exclude-schemas; a role that may read it)`
    case 'schemas':
      return `back up ${needed} as well (add its schema to schemas)`
    case 'tables':
      return `back up ${needed} as well (add it to tables)`
    case 'exclude-table-data':
      return `keep ${needed}'s rows (remove it from exclude-table-data)`
  }
}

/** Each dependency as a warning: why the restore stops there, and the ways out. */
export function leftOutWarning(d: LeftOutDependency): string {
  const dependent = quoteQualified(d.dependent)
  const needed = quoteQualified(d.needed)
  const stops = `This backup will not restore in one transaction into a database without ${needed}:`
  if (d.kind === 'foreign key' && d.by === 'exclude-table-data')
    return `This backup will not restore in one transaction: ${dependent}'s foreign key ${d.constraint} references ${needed}, ${leftOutHow(d)}, while the backup keeps ${dependent}'s rows — the key is checked as the restore adds it, and pg_restore stops there on any row of ${dependent} that refers to one (violates foreign key constraint). Leave out ${dependent}'s rows too (exclude-table-data), or ${keepToo(d)}.`
  if (d.kind === 'foreign key')
    return `${stops} ${dependent}'s foreign key ${d.constraint} references ${needed}, ${leftOutHow(d)} — pg_restore stops there (relation "${needed}" does not exist). Leave out ${dependent} too, or ${keepToo(d)}. Leaving out only ${needed}'s rows (exclude-table-data) does not serve while ${dependent}'s rows refer to them: the key is checked as the restore adds it.`
  const what =
    d.kind === 'partition'
      ? `${dependent} is a partition of ${needed}`
      : d.kind === 'child'
        ? `${dependent} inherits from ${needed}`
        : `${d.kind} ${dependent} selects from ${needed}`
  return `${stops} ${what}, ${leftOutHow(d)} — pg_restore stops there (relation "${needed}" does not exist). Leave out ${dependent} too, or ${keepToo(d)}.`
}

/**
 * The tables the connected role may not read (no SELECT) that kept tables of the backup
 * reference by a foreign key (their names, `schema.name` as quoteQualified writes them, with the
 * referencing ones), and the role's name: pg_dump fails on them, and leaving one out makes a
 * backup that does not restore (u49 F1/F4).
 */
export async function unreadableReferenced(
  client: pg.Client,
  filters: DumpFilters
): Promise<{
  role: string
  referenced: Map<string, string[]>
}> {
  const { rows } = await client.query<{
    role: string
    schema: string | null
    name: string | null
    by_schema: string | null
    by_name: string | null
  }>(
    `WITH rel AS MATERIALIZED (${RELATIONS})
     SELECT current_user AS role, r.schema, r.name, r.by_schema, r.by_name
       FROM (SELECT 1) AS one
       LEFT JOIN (
         SELECT DISTINCT g.schema, g.name, k.schema AS by_schema, k.name AS by_name
           FROM pg_constraint con
           JOIN rel g ON g.oid = con.confrelid AND g.out IS NULL
           JOIN rel k ON k.oid = con.conrelid AND k.out IS NULL
          WHERE con.contype = 'f' AND con.conparentid = 0 AND con.confrelid <> con.conrelid
            AND NOT has_table_privilege(g.oid, 'SELECT')) AS r ON true
      ORDER BY 2, 3, 4, 5`,
    await relationParameters(client, filters)
  )
  const referenced = new Map<string, string[]>()
  for (const r of rows) {
    if (r.schema === null || r.name === null) continue
    const key = quoteQualified({ schema: r.schema, name: r.name })
    const by = quoteQualified({ schema: r.by_schema!, name: r.by_name! })
    referenced.set(key, [...(referenced.get(key) ?? []), by])
  }
  return { role: rows[0]?.role ?? '<role>', referenced }
}
