/**
 * What a backup keeps that needs what its filters leave out (u49 F4): a foreign key of a kept
 * table onto a table left out, a view over one, a partition or child of a parent left out, and
 * whatever else of the kept objects pg_depend ties to a relation or schema left out (attacker a81
 * F10): a column default calling nextval of a sequence left out, a default, CHECK, index,
 * trigger, policy, rule or generated column calling a function of a schema left out, a column of
 * a row type or domain left out, a function or type of a kept schema built on one. pg_dump dumps
 * them without a word, and every restore in one transaction stops at the first (relation
 * "public.skus" does not exist, schema "util" does not exist, type "public.addr" does not exist).
 * Read from the catalog, as pg_dump resolves the patterns (patternRegexes; unqualified names by
 * the session's own search_path); runs nothing of the database's, reads no table (the size of
 * a referencing table's files only, as restorability.ts does).
 */
import type pg from 'pg'
import { quoteIdent, quoteQualified } from '../sql-names.js'
import type { DumpFilters, QualifiedName } from '../types.js'
import { patternRegexes } from './dump.js'
import { withSessionSearchPath } from './session.js'

/** Which filter leaves a relation out (exclude-table-data: its rows only). */
export type LeftOutBy = 'exclude-tables' | 'exclude-schemas' | 'schemas' | 'tables'

/** What the backup keeps that needs a relation it leaves out (or whose rows it leaves out). */
export interface LeftOutDependency {
  /**
   * 'uses': any other part of a kept object that needs an object left out (pg_depend).
   * 'partition left out', 'child left out': the other way round, a kept parent (`dependent`)
   * whose partition or inheritance child (`needed`) is left out, with its rows (attacker a98 F9).
   */
  kind:
    | 'foreign key'
    | 'view'
    | 'materialized view'
    | 'partition'
    | 'child'
    | 'uses'
    | 'partition left out'
    | 'child left out'
  /** The kept table (foreign key, partition, child) or view; for 'uses', the kept object. */
  dependent: QualifiedName
  /**
   * 'uses': what the kept object is (table, view, type, domain, function, …), the part of it
   * that needs `needed` (default of column, CHECK constraint, index, trigger, policy, column, …;
   * none: its definition) and that part's name; a function's or operator's arguments.
   */
  dependentKind?: string
  part?: string
  partName?: string
  dependentArgs?: string
  /** 'uses': what `needed` is (sequence, function, type, row type, domain, …), its arguments. */
  neededKind?: string
  neededArgs?: string
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
  SELECT c.oid, c.relkind, c.relnamespace, n.nspname AS schema, c.relname AS name,
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
   WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S', 'c')`

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
  dependent_kind: string | null
  part: string | null
  part_name: string | null
  dependent_args: string | null
  needed_kind: string | null
  needed_args: string | null
}

/** The words for a relation of `relkind` (an SQL expression). */
const relationKind = (relkind: string): string =>
  `CASE ${relkind} WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'
     WHEN 'f' THEN 'foreign table' WHEN 'S' THEN 'sequence' WHEN 'c' THEN 'type' ELSE 'table' END`

/**
 * The kept objects that pg_depend ties to an object the backup leaves out, beyond the foreign
 * keys, views and children leftOutDependencies reads on their own (attacker a81 F10). `gone`:
 * each object left out (a relation of `rel` left out; a function, type, domain, operator,
 * collation, operator class or text search object of a schema left out; a row type or array
 * type goes with its relation or element). Each dependent row of pg_depend (normal or auto; not
 * internal, extension or partition ones, nor a relation's tie to another relation: children and
 * owned sequences) is mapped to the kept object that holds it: a column default or generated
 * column, constraint, index, trigger, policy, rule or column to its relation; a domain's
 * constraint to its domain; a function, type or operator of a kept schema to itself. What
 * pg_dump would not dump (system schemas, extension members, with tables: anything but tables)
 * is never kept, and never left out.
 */
const USES = `
  ns AS MATERIALIZED (
    SELECT n.oid, n.nspname,
           CASE WHEN n.nspname IN ('pg_catalog', 'information_schema', 'pg_toast')
                  OR n.nspname LIKE 'pg\\_temp\\_%' OR n.nspname LIKE 'pg\\_toast\\_temp\\_%' THEN 'none'
                WHEN $6::boolean THEN 'tables'
                WHEN EXISTS (SELECT 1 FROM unnest($4::text[]) AS x(re)
                              WHERE n.nspname ~ x.re COLLATE "default") THEN 'exclude-schemas'
                WHEN cardinality($5::text[]) > 0
                 AND NOT EXISTS (SELECT 1 FROM unnest($5::text[]) AS s(re)
                                  WHERE n.nspname ~ s.re COLLATE "default") THEN 'schemas'
           END AS out
      FROM pg_namespace n),
  ext AS MATERIALIZED (SELECT classid, objid FROM pg_depend WHERE deptype = 'e'),
  gone_ns AS (SELECT * FROM ns WHERE out IS NOT NULL AND out <> 'none'),
  gone_obj AS MATERIALIZED (
    SELECT 'pg_class'::regclass AS classid, g.oid AS objid, ${relationKind('g.relkind')} AS kind,
           g.schema, g.name, NULL::text AS args, g.out AS by
      FROM gone g
    UNION ALL
    SELECT 'pg_type'::regclass, t.oid,
           CASE WHEN b.typrelid <> 0 AND r.relkind <> 'c' THEN 'row type'
                WHEN b.typtype = 'd' THEN 'domain' ELSE 'type' END,
           n.nspname, b.typname, CASE WHEN b.oid <> t.oid THEN '[]' END,
           CASE WHEN b.typrelid <> 0 THEN r.out ELSE n.out END
      FROM pg_type t
      JOIN pg_type b ON b.oid = CASE WHEN t.typelem <> 0
                                      AND EXISTS (SELECT 1 FROM pg_type e WHERE e.typarray = t.oid)
                                     THEN t.typelem ELSE t.oid END
      JOIN ns n ON n.oid = b.typnamespace
      LEFT JOIN rel r ON r.oid = b.typrelid
     WHERE CASE WHEN b.typrelid <> 0 THEN r.out ELSE n.out END <> 'none'
       AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_type'::regclass
                                           AND ext.objid = b.oid)
    UNION ALL
    SELECT 'pg_proc'::regclass, p.oid,
           CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' ELSE 'function' END,
           n.nspname, p.proname, '(' || pg_get_function_identity_arguments(p.oid) || ')', n.out
      FROM pg_proc p JOIN gone_ns n ON n.oid = p.pronamespace
     WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_proc'::regclass AND ext.objid = p.oid)
    UNION ALL
    SELECT 'pg_operator'::regclass, o.oid, 'operator', n.nspname, o.oprname,
           '(' || CASE WHEN o.oprleft = 0 THEN 'NONE' ELSE format_type(o.oprleft, NULL) END || ', '
               || format_type(o.oprright, NULL) || ')', n.out
      FROM pg_operator o JOIN gone_ns n ON n.oid = o.oprnamespace
     WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_operator'::regclass AND ext.objid = o.oid)
    UNION ALL
    SELECT 'pg_collation'::regclass, c.oid, 'collation', n.nspname, c.collname, NULL, n.out
      FROM pg_collation c JOIN gone_ns n ON n.oid = c.collnamespace
     WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_collation'::regclass AND ext.objid = c.oid)
    UNION ALL
    SELECT 'pg_opclass'::regclass, c.oid, 'operator class', n.nspname, c.opcname, NULL, n.out
      FROM pg_opclass c JOIN gone_ns n ON n.oid = c.opcnamespace
     WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_opclass'::regclass AND ext.objid = c.oid)
    UNION ALL
    SELECT 'pg_ts_config'::regclass, c.oid, 'text search configuration', n.nspname, c.cfgname, NULL, n.out
      FROM pg_ts_config c JOIN gone_ns n ON n.oid = c.cfgnamespace
     WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_ts_config'::regclass AND ext.objid = c.oid)
    UNION ALL
    SELECT 'pg_ts_dict'::regclass, c.oid, 'text search dictionary', n.nspname, c.dictname, NULL, n.out
      FROM pg_ts_dict c JOIN gone_ns n ON n.oid = c.dictnamespace
     WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_ts_dict'::regclass AND ext.objid = c.oid)),
  dep AS MATERIALIZED (
    SELECT d.classid AS dclass, d.objid AS did, d.objsubid AS dsub, g.*
      FROM pg_depend d JOIN gone_obj g ON g.classid = d.refclassid AND g.objid = d.refobjid
     WHERE d.deptype IN ('n', 'a')
       AND NOT (d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass)),
  uses AS (
    SELECT k.schema AS dependent_schema, k.name AS dependent_name,
           ${relationKind('k.relkind')} AS dependent_kind,
           CASE WHEN a.attgenerated <> '' THEN 'generated column' ELSE 'default of column' END AS part,
           a.attname::text AS part_name, NULL::text AS dependent_args, dep.*
      FROM dep JOIN pg_attrdef ad ON dep.dclass = 'pg_attrdef'::regclass AND ad.oid = dep.did
      JOIN kept k ON k.oid = ad.adrelid
      JOIN pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
    UNION ALL
    SELECT k.schema, k.name, ${relationKind('k.relkind')},
           CASE c.contype WHEN 'c' THEN 'CHECK constraint' WHEN 'x' THEN 'exclusion constraint'
                ELSE 'constraint' END, c.conname::text, NULL, dep.*
      FROM dep JOIN pg_constraint c ON dep.dclass = 'pg_constraint'::regclass AND c.oid = dep.did
      JOIN kept k ON k.oid = c.conrelid
     WHERE c.conparentid = 0 AND (c.contype <> 'c' OR c.conislocal)
       AND NOT (c.contype = 'f' AND dep.classid = 'pg_class'::regclass)
    UNION ALL
    SELECT n.nspname, t.typname, 'domain', 'CHECK constraint', c.conname::text, NULL, dep.*
      FROM dep JOIN pg_constraint c ON dep.dclass = 'pg_constraint'::regclass AND c.oid = dep.did
      JOIN pg_type t ON t.oid = c.contypid JOIN ns n ON n.oid = t.typnamespace AND n.out IS NULL
     WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_type'::regclass AND ext.objid = t.oid)
    UNION ALL
    SELECT k.schema, k.name, ${relationKind('k.relkind')}, 'index', ic.relname::text, NULL, dep.*
      FROM dep JOIN pg_class ic ON dep.dclass = 'pg_class'::regclass AND ic.oid = dep.did
                               AND ic.relkind IN ('i', 'I')
      JOIN pg_index i ON i.indexrelid = ic.oid JOIN kept k ON k.oid = i.indrelid
    UNION ALL
    SELECT k.schema, k.name, ${relationKind('k.relkind')},
           CASE WHEN dep.dsub <> 0 THEN CASE k.relkind WHEN 'c' THEN 'attribute' ELSE 'column' END END,
           a.attname::text, NULL, dep.*
      FROM dep JOIN kept k ON dep.dclass = 'pg_class'::regclass AND k.oid = dep.did
      LEFT JOIN pg_attribute a ON a.attrelid = k.oid AND a.attnum = dep.dsub AND dep.dsub <> 0
     WHERE dep.dsub = 0 OR (a.attislocal AND NOT a.attisdropped)
    UNION ALL
    SELECT k.schema, k.name, ${relationKind('k.relkind')},
           CASE WHEN k.relkind NOT IN ('v', 'm') THEN 'rule' END,
           CASE WHEN k.relkind NOT IN ('v', 'm') THEN rw.rulename::text END, NULL, dep.*
      FROM dep JOIN pg_rewrite rw ON dep.dclass = 'pg_rewrite'::regclass AND rw.oid = dep.did
      JOIN kept k ON k.oid = rw.ev_class
     WHERE NOT (k.relkind IN ('v', 'm') AND dep.classid = 'pg_class'::regclass)
    UNION ALL
    SELECT k.schema, k.name, ${relationKind('k.relkind')}, 'trigger', tg.tgname::text, NULL, dep.*
      FROM dep JOIN pg_trigger tg ON dep.dclass = 'pg_trigger'::regclass AND tg.oid = dep.did
      JOIN kept k ON k.oid = tg.tgrelid
     WHERE NOT tg.tgisinternal AND tg.tgparentid = 0
    UNION ALL
    SELECT k.schema, k.name, ${relationKind('k.relkind')}, 'policy', pol.polname::text, NULL, dep.*
      FROM dep JOIN pg_policy pol ON dep.dclass = 'pg_policy'::regclass AND pol.oid = dep.did
      JOIN kept k ON k.oid = pol.polrelid
    UNION ALL
    SELECT n.nspname, p.proname,
           CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' ELSE 'function' END,
           NULL, NULL, '(' || pg_get_function_identity_arguments(p.oid) || ')', dep.*
      FROM dep JOIN pg_proc p ON dep.dclass = 'pg_proc'::regclass AND p.oid = dep.did
      JOIN ns n ON n.oid = p.pronamespace AND n.out IS NULL
     WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_proc'::regclass AND ext.objid = p.oid)
    UNION ALL
    SELECT n.nspname, t.typname, CASE t.typtype WHEN 'd' THEN 'domain' ELSE 'type' END,
           NULL, NULL, NULL, dep.*
      FROM dep JOIN pg_type t ON dep.dclass = 'pg_type'::regclass AND t.oid = dep.did
      JOIN ns n ON n.oid = t.typnamespace AND n.out IS NULL
     WHERE t.typrelid = 0
       AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_type'::regclass AND ext.objid = t.oid)
    UNION ALL
    SELECT n.nspname, o.oprname, 'operator', NULL, NULL,
           '(' || CASE WHEN o.oprleft = 0 THEN 'NONE' ELSE format_type(o.oprleft, NULL) END || ', '
               || format_type(o.oprright, NULL) || ')', dep.*
      FROM dep JOIN pg_operator o ON dep.dclass = 'pg_operator'::regclass AND o.oid = dep.did
      JOIN ns n ON n.oid = o.oprnamespace AND n.out IS NULL
     WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_operator'::regclass AND ext.objid = o.oid))`

/**
 * Whether the table `oid` (an SQL expression), or a partition of it, has anything in its files:
 * read from their size, as restorability.ts does (no row is read, no policy runs). Empty, no
 * row of it refers to anything (attacker a81 F11).
 */
const holdsRows = (oid: string): string =>
  `EXISTS (SELECT 1 FROM (SELECT ${oid}::regclass AS relid
                          UNION SELECT relid FROM pg_partition_tree(${oid}::regclass)) t
             JOIN pg_class c ON c.oid = t.relid
            WHERE c.relkind = 'r' AND pg_relation_size(t.relid) > 0)`

/**
 * What the backup keeps that needs what `filters` leave out (LeftOutDependency), in one catalog
 * read (after the patterns are resolved): foreign keys of kept tables onto tables left out (or
 * onto tables whose rows exclude-table-data leaves out while the kept table's rows stay and it
 * holds any: the key is checked as a restore adds it), views and materialized views over
 * relations left out, partitions and inheritance children of parents left out, and any other
 * part of a kept object that pg_depend ties to an object left out (USES).
 */
export async function leftOutDependencies(
  client: pg.Client,
  filters: DumpFilters
): Promise<LeftOutDependency[]> {
  const { rows } = await client.query<Row>(
    `WITH rel0 AS MATERIALIZED (${RELATIONS}),
     rel AS MATERIALIZED (
       -- pg_dump dumps a sequence a kept table owns (getOwnedSeqs), excluded or not
       SELECT r.oid, r.relkind, r.relnamespace, r.schema, r.name, r.no_data,
              CASE WHEN r.relkind = 'S' AND EXISTS (
                     SELECT 1 FROM pg_depend d JOIN rel0 t ON t.oid = d.refobjid AND t.out IS NULL
                      WHERE d.classid = 'pg_class'::regclass AND d.objid = r.oid
                        AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i'))
                   THEN NULL ELSE r.out END AS out
         FROM rel0 r),
     kept AS (SELECT * FROM rel WHERE out IS NULL),
     gone AS (SELECT * FROM rel WHERE out IS NOT NULL AND out <> 'none'),
     ${USES}
     SELECT 'foreign key' AS kind, k.schema AS dependent_schema, k.name AS dependent_name,
            con.conname AS constraint, g.schema AS needed_schema, g.name AS needed_name,
            g.out AS by, NULL AS dependent_kind, NULL AS part, NULL AS part_name,
            NULL AS dependent_args, NULL AS needed_kind, NULL AS needed_args
       FROM pg_constraint con JOIN kept k ON k.oid = con.conrelid
       JOIN gone g ON g.oid = con.confrelid
      WHERE con.contype = 'f' AND con.conparentid = 0
     UNION ALL
     SELECT 'foreign key', k.schema, k.name, con.conname, r.schema, r.name, 'exclude-table-data',
            NULL, NULL, NULL, NULL, NULL, NULL
       FROM pg_constraint con JOIN kept k ON k.oid = con.conrelid
       JOIN kept r ON r.oid = con.confrelid
      WHERE con.contype = 'f' AND con.conparentid = 0 AND r.no_data AND NOT k.no_data
        AND r.oid <> k.oid AND ${holdsRows('k.oid')}
     UNION ALL
     SELECT DISTINCT CASE v.relkind WHEN 'm' THEN 'materialized view' ELSE 'view' END,
            v.schema, v.name, NULL, g.schema, g.name, g.out, NULL, NULL, NULL, NULL, NULL, NULL
       FROM pg_rewrite rw JOIN kept v ON v.oid = rw.ev_class AND v.relkind IN ('v', 'm')
       JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = rw.oid
                       AND d.refclassid = 'pg_class'::regclass
       JOIN gone g ON g.oid = d.refobjid
     UNION ALL
     SELECT CASE WHEN ch.relispartition THEN 'partition' ELSE 'child' END,
            k.schema, k.name, NULL, g.schema, g.name, g.out, NULL, NULL, NULL, NULL, NULL, NULL
       FROM pg_inherits i JOIN kept k ON k.oid = i.inhrelid
       JOIN pg_class ch ON ch.oid = i.inhrelid
       JOIN gone g ON g.oid = i.inhparent
     UNION ALL
     SELECT CASE WHEN ch.relispartition THEN 'partition left out' ELSE 'child left out' END,
            k.schema, k.name, NULL, g.schema, g.name, g.out, NULL, NULL, NULL, NULL, NULL, NULL
       FROM pg_inherits i JOIN kept k ON k.oid = i.inhparent
       JOIN pg_class ch ON ch.oid = i.inhrelid
       JOIN gone g ON g.oid = i.inhrelid
     UNION ALL
     SELECT DISTINCT 'uses', dependent_schema, dependent_name, NULL, schema, name, by,
            dependent_kind, part, part_name, dependent_args, kind, args
       FROM uses
      ORDER BY 2, 3, 4, 5, 6, 10, 12`,
    await relationParameters(client, filters)
  )
  return rows.map(r => ({
    kind: r.kind,
    dependent: { schema: r.dependent_schema, name: r.dependent_name },
    ...(r.constraint !== null ? { constraint: r.constraint } : {}),
    needed: { schema: r.needed_schema, name: r.needed_name },
    by: r.by,
    ...(r.dependent_kind !== null ? { dependentKind: r.dependent_kind } : {}),
    ...(r.part !== null ? { part: r.part } : {}),
    ...(r.part_name !== null ? { partName: r.part_name } : {}),
    ...(r.dependent_args !== null ? { dependentArgs: r.dependent_args } : {}),
    ...(r.needed_kind !== null ? { neededKind: r.needed_kind } : {}),
    ...(r.needed_args !== null ? { neededArgs: r.needed_args } : {})
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

/** What `needed` is, in a warning's words: "function util.code()", or the relation's name. */
function neededLabel(d: LeftOutDependency): string {
  const needed = quoteQualified(d.needed)
  return d.neededKind ? `${d.neededKind} ${needed}${d.neededArgs ?? ''}` : needed
}

/** What the kept object is, in a warning's words: "table public.tickets", "function public.f(integer)". */
function dependentLabel(d: LeftOutDependency): string {
  return `${d.dependentKind ?? ''} ${quoteQualified(d.dependent)}${d.dependentArgs ?? ''}`.trim()
}

/** The error a restore stops at for want of `d.needed`, as PostgreSQL words it. */
function missingError(d: LeftOutDependency): string {
  // (a partition's or child's parent: its schema is one the target has, as public)
  if (
    (d.by === 'exclude-schemas' || d.by === 'schemas') &&
    d.kind !== 'partition' &&
    d.kind !== 'child'
  )
    return `schema "${d.needed.schema}" does not exist`
  return `${d.neededKind === 'row type' ? 'type' : 'relation'} "${quoteQualified(d.needed)}" does not exist`
}

/** The filter to widen so that the backup keeps `needed` too, in a warning's words. */
function keepToo(d: LeftOutDependency): string {
  const needed = d.neededKind === 'row type' ? `table ${quoteQualified(d.needed)}` : neededLabel(d)
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

/** The relation kinds a 'uses' dependent may be that exclude-tables can leave out. */
const RELATION_KINDS = new Set(['table', 'view', 'materialized view', 'foreign table', 'sequence'])

/** Each dependency as a warning: why the restore stops there, and the ways out. */
export function leftOutWarning(d: LeftOutDependency): string {
  const dependent = quoteQualified(d.dependent)
  const needed = quoteQualified(d.needed)
  const stops = `This backup will not restore in one transaction into a database without ${neededLabel(d)}:`
  if (d.kind === 'foreign key' && d.by === 'exclude-table-data')
    return `This backup will not restore in one transaction: ${dependent}'s foreign key ${d.constraint} references ${needed}, ${leftOutHow(d)}, while the backup keeps ${dependent}'s rows — the key is checked as the restore adds it, and pg_restore stops there on any row of ${dependent} that refers to one (violates foreign key constraint). Leave out ${dependent}'s rows too (exclude-table-data), or ${keepToo(d)}.`
  if (d.kind === 'foreign key' && (d.by === 'schemas' || d.by === 'tables'))
    // a selection made on purpose (schemas: public on Supabase): the target usually has the
    // table, and the restore stops only where it lacks the rows (trial u53 F2)
    return `This backup restores only into a database whose ${needed} holds the rows ${dependent} refers to: ${dependent}'s foreign key ${d.constraint} references ${needed}, ${leftOutHow(d)} — a restore adds the key after loading ${dependent}'s rows, and stops there on any row whose key the target's ${needed} lacks (violates foreign key constraint; relation "${needed}" does not exist where the target has no such table). Back up the whole database (no schemas or tables) to take ${needed}'s rows too${d.by === 'tables' ? `, add ${needed} to tables` : ''}, or load ${needed}'s rows into the target before restoring.`
  if (d.kind === 'foreign key')
    return `${stops} ${dependent}'s foreign key ${d.constraint} references ${needed}, ${leftOutHow(d)} — pg_restore stops there (${missingError(d)}). Leave out ${dependent} too, or ${keepToo(d)}. Leaving out only ${needed}'s rows (exclude-table-data) does not serve while ${dependent}'s rows refer to them: the key is checked as the restore adds it.`
  if (d.kind === 'uses') {
    const part = d.part
      ? `${d.part}${d.partName !== undefined ? ` ${quoteIdent(d.partName)}` : ''}`
      : 'definition'
    const kept = dependentLabel(d)
    const ways = RELATION_KINDS.has(d.dependentKind ?? '')
      ? `Leave out ${dependent} too (exclude-tables), change its ${part} so that it does not need ${neededLabel(d)}, or ${keepToo(d)}.`
      : `Change ${kept} (or drop it) so that it does not need ${neededLabel(d)}, or ${keepToo(d)}.`
    return `${stops} ${kept}'s ${part} needs ${neededLabel(d)}, ${leftOutHow(d)} — pg_restore stops there (${missingError(d)}). ${ways}`
  }
  const what =
    d.kind === 'partition'
      ? `${dependent} is a partition of ${needed}`
      : d.kind === 'child'
        ? `${dependent} inherits from ${needed}`
        : `${d.kind} ${dependent} selects from ${needed}`
  return `${stops} ${what}, ${leftOutHow(d)} — pg_restore stops there (${missingError(d)}). Leave out ${dependent} too, or ${keepToo(d)}.`
}

/**
 * A parent the backup keeps whose partitions or inheritance children (`left`: of that parent,
 * 'partition left out' / 'child left out') a `tables` selection leaves out, as one
 * warning: their rows are not in the backup. pg_dump --table takes the table named only (by
 * hand the same); a partitioned table holds no rows of its own (attacker a98 F9).
 */
export function childrenLeftOutWarning(left: readonly LeftOutDependency[]): string {
  const parent = quoteQualified(left[0].dependent)
  const partitions = left[0].kind === 'partition left out'
  const names = left.map(d => quoteQualified(d.needed))
  const listed = `${names.slice(0, 5).join(', ')}${names.length > 5 ? `, … and ${names.length - 5} more` : ''}`
  const how = 'not in tables'
  const them = names.length === 1 ? 'it' : 'them'
  return partitions
    ? `The backup keeps the partitioned table ${parent} but not its ${names.length === 1 ? 'partition' : `${names.length} partitions`} ${listed} (${how}): a partitioned table holds no rows of its own, so the backup holds none of ${parent}'s rows — pg_dump --table takes the table named, not its partitions (the same by hand). Add ${them} to tables, or with a pg_dump 16 or newer pass pg-dump-args: --table-and-children=${parent}.`
    : `The backup keeps ${parent} but not the ${names.length === 1 ? 'table that inherits' : `${names.length} tables that inherit`} from it, ${listed} (${how}): ${names.length === 1 ? 'its' : 'their'} rows, which a query of ${parent} reads too, are not in the backup — pg_dump --table takes the table named only (the same by hand). Add ${them} to tables, or with a pg_dump 16 or newer pass pg-dump-args: --table-and-children=${parent}.`
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
