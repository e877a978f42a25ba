export const id = 19;
export const ids = [19];
export const modules = {

/***/ 94019:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  backup: () => (/* binding */ backup)
});

// UNUSED EXPORTS: ARTIFACT_LOOKUP_TIMEOUT_MS, dumpRole

// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(83916);
// EXTERNAL MODULE: ./src/postgres/locale.ts
var postgres_locale = __webpack_require__(31097);
// EXTERNAL MODULE: ./src/postgres/output-settings.ts
var output_settings = __webpack_require__(57578);
// EXTERNAL MODULE: ./src/postgres/identity.ts
var postgres_identity = __webpack_require__(54837);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(51455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
// EXTERNAL MODULE: ./src/log.ts
var log = __webpack_require__(25625);
// EXTERNAL MODULE: ./src/manifest.ts + 1 modules
var src_manifest = __webpack_require__(12880);
// EXTERNAL MODULE: ./src/memory.ts + 2 modules
var memory = __webpack_require__(58547);
// EXTERNAL MODULE: ./src/manifest-changes.ts
var manifest_changes = __webpack_require__(77166);
// EXTERNAL MODULE: ./src/postgres/clients.ts + 1 modules
var clients = __webpack_require__(18139);
// EXTERNAL MODULE: ./src/postgres/connection.ts
var postgres_connection = __webpack_require__(58824);
// EXTERNAL MODULE: ./src/postgres/diagnostics.ts
var diagnostics = __webpack_require__(24999);
// EXTERNAL MODULE: ./src/postgres/dump.ts
var dump = __webpack_require__(8677);
// EXTERNAL MODULE: ./src/sql-names.ts
var sql_names = __webpack_require__(17370);
// EXTERNAL MODULE: ./src/postgres/session.ts
var postgres_session = __webpack_require__(92515);
;// CONCATENATED MODULE: ./src/postgres/left-out.ts



/** The relation kinds pg_dump's --table and --exclude-table patterns match. */
const PATTERN_KINDS = `array['r','S','v','m','f','p']::pg_catalog."char"[]`;
/**
 * The oids of the relations `patterns` match, as pg_dump matches --table patterns: by the
 * session's own search_path for an unqualified one (every operator and type qualified: the
 * role's schemas are visible meanwhile).
 */
async function matchedRelations(client, patterns) {
    if (patterns.length === 0)
        return [];
    const parts = patterns.map(p => (0,dump/* patternRegexes */.yO)(p));
    const { rows } = await (0,postgres_session.withSessionSearchPath)(client, () => client.query(`SELECT DISTINCT c.oid::pg_catalog.int8 AS oid
         FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.text[]), pg_catalog.unnest($2::pg_catalog.text[])) AS p(s, n)
         JOIN pg_catalog.pg_class c
           ON c.relkind OPERATOR(pg_catalog.=) ANY (${PATTERN_KINDS})
          AND (p.n IS NULL OR c.relname OPERATOR(pg_catalog.~) p.n COLLATE pg_catalog.default)
         JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
        WHERE CASE WHEN p.s IS NULL THEN pg_catalog.pg_table_is_visible(c.oid)
                   ELSE n.nspname OPERATOR(pg_catalog.~) p.s COLLATE pg_catalog.default END`, [parts.map(p => p.schema ?? null), parts.map(p => p.name ?? null)]));
    return rows.map(r => Number(r.oid));
}
/**
 * The relations as the backup takes them: `out` says which filter leaves one out (null: kept;
 * 'none': not the backup's to keep \u2014 an extension's member, a system schema's), `no_data` that
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
   WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S', 'c')`;
/** RELATIONS' parameters: the patterns of `filters` resolved (matchedRelations). */
async function relationParameters(client, filters) {
    const schemaRegex = (patterns) => patterns.map(p => (0,dump/* patternRegexes */.yO)(p).name ?? '.*');
    return [
        await matchedRelations(client, filters.excludeTables),
        await matchedRelations(client, filters.excludeTableData),
        await matchedRelations(client, filters.tables),
        schemaRegex(filters.excludeSchemas),
        schemaRegex(filters.schemas),
        filters.tables.length > 0
    ];
}
/** The words for a relation of `relkind` (an SQL expression). */
const relationKind = (relkind) => `CASE ${relkind} WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'
     WHEN 'f' THEN 'foreign table' WHEN 'S' THEN 'sequence' WHEN 'c' THEN 'type' ELSE 'table' END`;
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
     WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_operator'::regclass AND ext.objid = o.oid))`;
/**
 * Whether the table `oid` (an SQL expression), or a partition of it, has anything in its files:
 * read from their size, as restorability.ts does (no row is read, no policy runs). Empty, no
 * row of it refers to anything (attacker a81 F11).
 */
const holdsRows = (oid) => `EXISTS (SELECT 1 FROM (SELECT ${oid}::regclass AS relid
                          UNION SELECT relid FROM pg_partition_tree(${oid}::regclass)) t
             JOIN pg_class c ON c.oid = t.relid
            WHERE c.relkind = 'r' AND pg_relation_size(t.relid) > 0)`;
/**
 * What the backup keeps that needs what `filters` leave out (LeftOutDependency), in one catalog
 * read (after the patterns are resolved): foreign keys of kept tables onto tables left out (or
 * onto tables whose rows exclude-table-data leaves out while the kept table's rows stay and it
 * holds any: the key is checked as a restore adds it), views and materialized views over
 * relations left out, partitions and inheritance children of parents left out, and any other
 * part of a kept object that pg_depend ties to an object left out (USES).
 */
async function leftOutDependencies(client, filters) {
    const { rows } = await client.query(`WITH rel0 AS MATERIALIZED (${RELATIONS}),
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
      ORDER BY 2, 3, 4, 5, 6, 10, 12`, await relationParameters(client, filters));
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
    }));
}
/** How a filter leaves a relation out, in a warning's words. */
function leftOutHow(d) {
    switch (d.by) {
        case 'exclude-tables':
            return 'which the backup leaves out (exclude-tables)';
        case 'exclude-schemas':
            return `which the backup leaves out (exclude-schemas leaves out its schema, ${d.needed.schema})`;
        case 'schemas':
            return `which the backup leaves out (its schema ${d.needed.schema} is not in schemas)`;
        case 'tables':
            return 'which the backup leaves out (it is not in tables)';
        case 'exclude-table-data':
            return 'whose rows the backup leaves out (exclude-table-data)';
    }
}
/** What `needed` is, in a warning's words: "function util.code()", or the relation's name. */
function neededLabel(d) {
    const needed = (0,sql_names/* quoteQualified */.$s)(d.needed);
    return d.neededKind ? `${d.neededKind} ${needed}${d.neededArgs ?? ''}` : needed;
}
/** What the kept object is, in a warning's words: "table public.tickets", "function public.f(integer)". */
function dependentLabel(d) {
    return `${d.dependentKind ?? ''} ${(0,sql_names/* quoteQualified */.$s)(d.dependent)}${d.dependentArgs ?? ''}`.trim();
}
/** The error a restore stops at for want of `d.needed`, as PostgreSQL words it. */
function missingError(d) {
    // (a partition's or child's parent: its schema is one the target has, as public)
    if ((d.by === 'exclude-schemas' || d.by === 'schemas') &&
        d.kind !== 'partition' &&
        d.kind !== 'child')
        return `schema "${d.needed.schema}" does not exist`;
    return `${d.neededKind === 'row type' ? 'type' : 'relation'} "${(0,sql_names/* quoteQualified */.$s)(d.needed)}" does not exist`;
}
/** The filter to widen so that the backup keeps `needed` too, in a warning's words. */
function keepToo(d) {
    const needed = d.neededKind === 'row type' ? `table ${(0,sql_names/* quoteQualified */.$s)(d.needed)}` : neededLabel(d);
    switch (d.by) {
        case 'exclude-tables':
            return `back up ${needed} as well (remove it from exclude-tables; a role that may read it)`;
        case 'exclude-schemas':
            return `back up ${needed} as well (remove its schema from exclude-schemas; a role that may read it)`;
        case 'schemas':
            return `back up ${needed} as well (add its schema to schemas)`;
        case 'tables':
            return `back up ${needed} as well (add it to tables)`;
        case 'exclude-table-data':
            return `keep ${needed}'s rows (remove it from exclude-table-data)`;
    }
}
/** The relation kinds a 'uses' dependent may be that exclude-tables can leave out. */
const RELATION_KINDS = new Set(['table', 'view', 'materialized view', 'foreign table', 'sequence']);
/** Each dependency as a warning: why the restore stops there, and the ways out. */
function leftOutWarning(d) {
    const dependent = (0,sql_names/* quoteQualified */.$s)(d.dependent);
    const needed = (0,sql_names/* quoteQualified */.$s)(d.needed);
    const stops = `This backup will not restore in one transaction into a database without ${neededLabel(d)}:`;
    if (d.kind === 'foreign key' && d.by === 'exclude-table-data')
        return `This backup will not restore in one transaction: ${dependent}'s foreign key ${d.constraint} references ${needed}, ${leftOutHow(d)}, while the backup keeps ${dependent}'s rows \u2014 the key is checked as the restore adds it, and pg_restore stops there on any row of ${dependent} that refers to one (violates foreign key constraint). Leave out ${dependent}'s rows too (exclude-table-data), or ${keepToo(d)}.`;
    if (d.kind === 'foreign key' && (d.by === 'schemas' || d.by === 'tables'))
        // a selection made on purpose (schemas: public on Supabase): the target usually has the
        // table, and the restore stops only where it lacks the rows (trial u53 F2)
        return `This backup restores only into a database whose ${needed} holds the rows ${dependent} refers to: ${dependent}'s foreign key ${d.constraint} references ${needed}, ${leftOutHow(d)} \u2014 a restore adds the key after loading ${dependent}'s rows, and stops there on any row whose key the target's ${needed} lacks (violates foreign key constraint; relation "${needed}" does not exist where the target has no such table). Back up the whole database (no schemas or tables) to take ${needed}'s rows too${d.by === 'tables' ? `, add ${needed} to tables` : ''}, or load ${needed}'s rows into the target before restoring.`;
    if (d.kind === 'foreign key')
        return `${stops} ${dependent}'s foreign key ${d.constraint} references ${needed}, ${leftOutHow(d)} \u2014 pg_restore stops there (${missingError(d)}). Leave out ${dependent} too, or ${keepToo(d)}. Leaving out only ${needed}'s rows (exclude-table-data) does not serve while ${dependent}'s rows refer to them: the key is checked as the restore adds it.`;
    if (d.kind === 'uses') {
        const part = d.part
            ? `${d.part}${d.partName !== undefined ? ` ${(0,sql_names/* quoteIdent */.v4)(d.partName)}` : ''}`
            : 'definition';
        const kept = dependentLabel(d);
        const ways = RELATION_KINDS.has(d.dependentKind ?? '')
            ? `Leave out ${dependent} too (exclude-tables), change its ${part} so that it does not need ${neededLabel(d)}, or ${keepToo(d)}.`
            : `Change ${kept} (or drop it) so that it does not need ${neededLabel(d)}, or ${keepToo(d)}.`;
        return `${stops} ${kept}'s ${part} needs ${neededLabel(d)}, ${leftOutHow(d)} \u2014 pg_restore stops there (${missingError(d)}). ${ways}`;
    }
    const what = d.kind === 'partition'
        ? `${dependent} is a partition of ${needed}`
        : d.kind === 'child'
            ? `${dependent} inherits from ${needed}`
            : `${d.kind} ${dependent} selects from ${needed}`;
    return `${stops} ${what}, ${leftOutHow(d)} \u2014 pg_restore stops there (${missingError(d)}). Leave out ${dependent} too, or ${keepToo(d)}.`;
}
/**
 * A parent the backup keeps whose partitions or inheritance children (`left`: of that parent,
 * 'partition left out' / 'child left out') a `tables` selection leaves out, as one
 * warning: their rows are not in the backup. pg_dump --table takes the table named only (by
 * hand the same); a partitioned table holds no rows of its own (attacker a98 F9).
 */
function childrenLeftOutWarning(left) {
    const parent = (0,sql_names/* quoteQualified */.$s)(left[0].dependent);
    const partitions = left[0].kind === 'partition left out';
    const names = left.map(d => (0,sql_names/* quoteQualified */.$s)(d.needed));
    const listed = `${names.slice(0, 5).join(', ')}${names.length > 5 ? `, \u2026 and ${names.length - 5} more` : ''}`;
    const how = 'not in tables';
    const them = names.length === 1 ? 'it' : 'them';
    return partitions
        ? `The backup keeps the partitioned table ${parent} but not its ${names.length === 1 ? 'partition' : `${names.length} partitions`} ${listed} (${how}): a partitioned table holds no rows of its own, so the backup holds none of ${parent}'s rows \u2014 pg_dump --table takes the table named, not its partitions (the same by hand). Add ${them} to tables, or with a pg_dump 16 or newer pass pg-dump-args: --table-and-children=${parent}.`
        : `The backup keeps ${parent} but not the ${names.length === 1 ? 'table that inherits' : `${names.length} tables that inherit`} from it, ${listed} (${how}): ${names.length === 1 ? 'its' : 'their'} rows, which a query of ${parent} reads too, are not in the backup \u2014 pg_dump --table takes the table named only (the same by hand). Add ${them} to tables, or with a pg_dump 16 or newer pass pg-dump-args: --table-and-children=${parent}.`;
}
/**
 * The tables the connected role may not read (no SELECT) that kept tables of the backup
 * reference by a foreign key (their names, `schema.name` as quoteQualified writes them, with the
 * referencing ones), and the role's name: pg_dump fails on them, and leaving one out makes a
 * backup that does not restore (u49 F1/F4).
 */
async function unreadableReferenced(client, filters) {
    const { rows } = await client.query(`WITH rel AS MATERIALIZED (${RELATIONS})
     SELECT current_user AS role, r.schema, r.name, r.by_schema, r.by_name
       FROM (SELECT 1) AS one
       LEFT JOIN (
         SELECT DISTINCT g.schema, g.name, k.schema AS by_schema, k.name AS by_name
           FROM pg_constraint con
           JOIN rel g ON g.oid = con.confrelid AND g.out IS NULL
           JOIN rel k ON k.oid = con.conrelid AND k.out IS NULL
          WHERE con.contype = 'f' AND con.conparentid = 0 AND con.confrelid <> con.conrelid
            AND NOT has_table_privilege(g.oid, 'SELECT')) AS r ON true
      ORDER BY 2, 3, 4, 5`, await relationParameters(client, filters));
    const referenced = new Map();
    for (const r of rows) {
        if (r.schema === null || r.name === null)
            continue;
        const key = (0,sql_names/* quoteQualified */.$s)({ schema: r.schema, name: r.name });
        const by = (0,sql_names/* quoteQualified */.$s)({ schema: r.by_schema, name: r.by_name });
        referenced.set(key, [...(referenced.get(key) ?? []), by]);
    }
    return { role: rows[0]?.role ?? '<role>', referenced };
}

// EXTERNAL MODULE: ./src/postgres/globals.ts
var globals = __webpack_require__(69599);
// EXTERNAL MODULE: ./src/postgres/locks.ts
var locks = __webpack_require__(60975);
// EXTERNAL MODULE: ./src/postgres/plain-sql.ts
var plain_sql = __webpack_require__(20942);
;// CONCATENATED MODULE: ./src/postgres/restorability.ts



/** At most this many functions are checked (each a few round trips). */
const MAX_CHECKED = 100;
/** The catalog reads and the checks, each statement of them at most this long. */
const STATEMENT_TIMEOUT_MS = 5000;
/** No function is checked after this long: the rest are said to be unchecked. */
const TOTAL_MS = 10_000;
/** How deep the functions a body names are followed (outer \u2192 inner \u2192 \u2026). */
const MAX_DEPTH = 3;
/** At most this many rows of each catalog read: a database with more says it was cut short. */
const MAX_ROWS = 10_000;
/**
 * Reads which functions of the user's the restore of this database would run with an empty
 * search_path (or their own), and checks them (see above), in a transaction rolled back on
 * `client` (the backup's own session, before pg_dump). Throws on a failure of the check itself:
 * the caller says so in a line and the backup goes on.
 */
async function checkRestorability(client, major, 
/** The backup's filters: what it leaves out is not its restore's concern (attacker a81 F5). */
filters) {
    const started = Date.now();
    await client.query('BEGIN');
    try {
        // names read qualified (regprocedure, format_type): as the restore's empty search_path reads them
        await client.query(`SELECT pg_catalog.set_config('statement_timeout', '${STATEMENT_TIMEOUT_MS}', true),
              pg_catalog.set_config('lock_timeout', '${STATEMENT_TIMEOUT_MS}', true),
              pg_catalog.set_config('search_path', '', true)`);
        const uses = (await client.query(usesQuery(major))).rows.filter(u => !filters ||
            (0,postgres_session.keptByFilters)(filters, { schema: u.relSchema, name: u.relName }, 
            // a domain's: of its schema; a table's CHECK is evaluated on its rows only
            u.kind === 'domain' ? 'schema' : u.kind === 'check' ? 'data' : 'table'));
        if (uses.length === 0)
            return { warnings: [] };
        const routines = new Map();
        for (const r of (await client.query(routinesQuery(major))).rows)
            routines.set(r.oid, r);
        const cutShort = uses.length >= MAX_ROWS || routines.size >= MAX_ROWS;
        const byName = new Map();
        for (const r of routines.values())
            byName.set(r.name, [...(byName.get(r.name) ?? []), r]);
        const verdicts = new Map();
        const unchecked = [];
        /** The chain a use reaches a failing function by (outer first), or undefined. */
        const failing = async (fn, seen) => {
            const r = routines.get(fn);
            if (!r || seen.includes(fn))
                return undefined;
            let verdict = verdicts.get(fn);
            // polymorphic arguments: PREPARE cannot take them \u2014 said unchecked (attacker a81 F7)
            if (verdict === undefined && r.language === 'sql' && r.polymorphic) {
                if (!unchecked.includes(r.signature))
                    unchecked.push(r.signature);
            }
            else if (verdict === undefined && r.language === 'sql') {
                if (verdicts.size >= MAX_CHECKED || Date.now() - started > TOTAL_MS) {
                    if (!unchecked.includes(r.signature))
                        unchecked.push(r.signature);
                    return undefined;
                }
                verdict = await checkSqlBody(client, r);
                verdicts.set(fn, verdict);
            }
            if (verdict && 'failure' in verdict)
                return [...seen, fn];
            if (seen.length + 1 >= MAX_DEPTH)
                return undefined;
            for (const inner of namedRoutines(r, byName)) {
                const chain = await failing(inner.oid, [...seen, fn]);
                if (chain)
                    return chain;
            }
            return undefined;
        };
        const warnings = [];
        /** Uses by the chain that fails them (its key: the oids), and each chain. */
        const failed = new Map();
        const mayFail = new Map();
        for (const use of uses) {
            const chain = await failing(use.fn, []);
            const r = routines.get(use.fn);
            // a CHECK reading another table: that table's rows must load first (trial u49 F2)
            const later = r && use.kind === 'check' ? await readsLaterTable(client, r, use) : undefined;
            // a table's CHECK is evaluated only on rows: none, nothing fails (attacker a80 F6)
            if ((chain || later) && use.kind === 'check' && !(await restorability_holdsRows(client, use.relOid)))
                continue;
            if (chain) {
                const key = chain.join(',');
                const entry = failed.get(key) ?? { chain, uses: [], later: [] };
                entry.uses.push(use);
                if (later)
                    entry.later.push(later);
                failed.set(key, entry);
            }
            else if (later)
                warnings.push(`This backup may not restore: ${describeUses([use])} calls ${r.signature}, which ${later}; then back up again.`);
            else if (r && r.language !== 'sql' && r.path === null)
                mayFail.set(use.fn, [...(mayFail.get(use.fn) ?? []), use]);
        }
        for (const { chain, uses: callers, later } of failed.values()) {
            const fns = chain.map(oid => routines.get(oid));
            const last = fns[fns.length - 1];
            const failure = verdicts.get(last.oid).failure;
            const also = later.length > 0 ? ` Even with that fixed, ${fns[0].signature} ${later[0]}.` : '';
            warnings.push(`${await failedWarning(client, callers, fns, failure)}${also}`);
        }
        for (const [fn, callers] of mayFail) {
            const r = routines.get(fn);
            warnings.push(`This backup may not restore: ${describeUses(callers)} ${callers.length === 1 ? 'calls' : 'call'} ${r.signature} (LANGUAGE ${r.language}, with no search_path of its own), whose body PostgreSQL checks only when it runs: if it names a table, function or type without its schema, the restore fails there, since pg_dump's output loads with an empty search_path. To be sure: qualify the names in its body (schema.table), or ALTER FUNCTION ${r.signature} SET search_path = <the schemas of what it names, e.g. ${(0,sql_names/* quoteIdent */.v4)(r.schema)}>; then back up again.`);
        }
        const notChecked = [
            ...unchecked,
            ...[...verdicts]
                .filter(([, v]) => 'unknown' in v)
                .map(([oid]) => routines.get(oid).signature)
        ];
        const why = [...verdicts.values()].find(v => 'unknown' in v);
        const lines = [];
        if (notChecked.length > 0)
            lines.push(`The functions ${notChecked.slice(0, 10).join(', ')}${notChecked.length > 10 ? `, \u2026 and ${notChecked.length - 10} more` : ''} (LANGUAGE sql) that CHECK constraints, generated columns, indexes or materialized views call could not be checked for names a restore cannot resolve${why ? ` (${why.unknown})` : ''}.`);
        if (cutShort)
            lines.push(`The check of the functions a restore runs read only the first ${MAX_ROWS} of them: the others were not checked.`);
        return { warnings, ...(lines.length > 0 ? { unchecked: lines.join(' ') } : {}) };
    }
    finally {
        await client.query('ROLLBACK').catch(() => undefined);
    }
}
/** Bodies longer than this are not read (a restore parses them; the check does not try). */
const MAX_BODY_CHARS = 1_000_000;
/**
 * A LANGUAGE sql body's names read from its text alone \u2014 nothing of the database runs, nothing
 * is sent but catalog reads (attacker a82 F1: PREPARE coerced a literal to the tenant's domain,
 * whose CHECK ran as the backup's role): the relations it reads or writes (after FROM, JOIN,
 * INTO, UPDATE, TABLE) and the functions it calls, each without a schema, looked up in
 * pg_catalog and the schemas of `path` (the function's own search_path, or none: pg_dump's
 * empty one). A name found in neither fails there as in the restore.
 */
async function checkSqlBody(client, r, path = r.path ?? '') {
    if (r.body.length > MAX_BODY_CHARS)
        return { unknown: `the body of ${r.signature} is too long to read` };
    const schemas = pathSchemas(path);
    if (!schemas)
        return { unknown: `the search_path of ${r.signature} names "$user"` };
    const named = bodyNames(r.body);
    const names = [...named.relations.map(n => [n, 'r']), ...named.functions.map(n => [n, 'f'])];
    if (names.length === 0)
        return { resolves: true };
    const { rows } = await client.query(`SELECT x.name, x.kind FROM unnest($1::pg_catalog.text[], $2::pg_catalog.text[]) AS x(name, kind)
      WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c
                          JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                         WHERE x.kind = 'r' AND c.relname = x.name AND n.nspname = ANY ($3::pg_catalog.text[]))
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_proc p
                          JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
                         WHERE x.kind = 'f' AND p.proname = x.name AND n.nspname = ANY ($3::pg_catalog.text[]))`, [names.map(n => n[0]), names.map(n => n[1]), schemas]);
    if (rows.length === 0)
        return { resolves: true };
    const first = rows[0];
    return {
        failure: {
            message: first.kind === 'r'
                ? `relation "${first.name}" does not exist`
                : `function ${first.name} does not exist`,
            names: [...new Set(rows.map(x => x.name))]
        }
    };
}
/** A search_path's schemas, pg_catalog first; undefined where it names "$user" (a role's). */
function pathSchemas(path) {
    const schemas = ['pg_catalog'];
    for (const part of path.split(',')) {
        const word = part.trim();
        if (word === '')
            continue;
        const name = word.startsWith('"') ? word.slice(1, -1).replace(/""/g, '"') : word.toLowerCase();
        if (name === '$user')
            return undefined;
        if (name !== 'pg_temp')
            schemas.push(name);
    }
    return schemas;
}
/** Words of SQL's grammar that a "(" follows, which are no functions of pg_proc. */
const GRAMMAR = new Set(('all and any array as between by case cast coalesce cube distinct else end except exists ' +
    'extract filter from greatest grouping having in intersect into is join least lateral like ' +
    'limit not nullif on or order over overlay partition position returning rollup row select ' +
    'set sets some substring table then treat trim union using values when where window with ' +
    'within xmlattributes xmlconcat xmlelement xmlexists xmlforest xmlparse xmlpi xmlroot ' +
    'xmlserialize xmltable collate conflict do update delete insert merge numeric decimal ' +
    'varchar char character varying timestamp time interval bit float double precision ' +
    'ilike similar escape offset fetch default unique zone at to asc desc nulls is isnull ' +
    'notnull overlaps localtime localtimestamp current_time current_timestamp return').split(' '));
/** Functions whose parentheses hold FROM as a word (extract(year FROM \u2026)), not a table. */
const FROM_INSIDE = new Set(['extract', 'substring', 'trim', 'overlay', 'position']);
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
]);
/**
 * The names a body's text uses: relations (read or written) and functions (called) without a
 * schema, and the relations it reads with or without one; common table expressions' names left
 * out. From the tokens alone (sqlTokens: quotes, dollar quotes and comments as PostgreSQL reads
 * them).
 */
function bodyNames(body) {
    const t = (0,plain_sql/* sqlTokens */.Dl)(body, false);
    const word = (i, ...w) => t[i]?.kind === 'ident' && t[i].quoted !== true && w.includes(t[i].value);
    const punct = (i, p) => t[i]?.kind !== 'ident' && t[i]?.value === p;
    // common table expressions: WITH [RECURSIVE] name [(\u2026)] AS \u2026, and , name [(\u2026)] AS (
    const ctes = new Set();
    for (let i = 0; i < t.length; i++) {
        if (t[i].kind !== 'ident')
            continue;
        if (word(i + 1, 'as') && (punct(i + 2, '(') || word(i + 2, 'materialized', 'not')))
            ctes.add(t[i].value);
        if ((word(i - 1, 'with', 'recursive') || punct(i - 1, ',')) && punct(i + 1, '(')) {
            let depth = 0;
            let k = i + 1;
            for (; k < t.length; k++) {
                if (punct(k, '('))
                    depth++;
                else if (punct(k, ')') && --depth === 0)
                    break;
            }
            if (word(k + 1, 'as'))
                ctes.add(t[i].value);
        }
    }
    const relations = new Set();
    const functions = new Set();
    const reads = new Map();
    const read = (schema, name) => void reads.set(JSON.stringify([schema, name]), [schema, name]);
    /** For each open parenthesis: whether it is a FROM_INSIDE function's. */
    const stack = [];
    for (let i = 0; i < t.length; i++) {
        if (punct(i, '(')) {
            stack.push(word(i - 1, ...FROM_INSIDE));
            continue;
        }
        if (punct(i, ')')) {
            stack.pop();
            continue;
        }
        if (t[i].kind !== 'ident')
            continue;
        // a call: name( \u2014 not schema.name(, not a type's typmod (::numeric(10,2), AS varchar(3))
        if (punct(i + 1, '(') &&
            !punct(i - 1, '.') &&
            !punct(i - 1, '::') &&
            !word(i - 1, 'as', 'into') &&
            !(t[i].quoted !== true && GRAMMAR.has(t[i].value)) &&
            !ctes.has(t[i].value))
            functions.add(t[i].value);
        if (t[i].quoted === true || !['from', 'join', 'into', 'update', 'table'].includes(t[i].value))
            continue;
        if (stack[stack.length - 1] === true)
            continue; // extract(year FROM ts)
        if (t[i].value === 'from' && word(i - 1, 'distinct'))
            continue; // IS DISTINCT FROM x
        const into = t[i].value === 'into';
        const reading = t[i].value === 'from' || t[i].value === 'join';
        let j = i + 1;
        for (;;) {
            while (word(j, 'only', 'lateral'))
                j++;
            if (t[j]?.kind !== 'ident' || (t[j].quoted !== true && NOT_A_RELATION.has(t[j].value)))
                break;
            if (punct(j + 1, '.')) {
                // schema.name: found wherever the path is
                if (reading && t[j + 2]?.kind === 'ident' && !punct(j + 3, '('))
                    read(t[j].value, t[j + 2].value);
                j += 3;
            }
            else if (punct(j + 1, '(') && !into)
                j += 1; // a function in FROM: a call (above)
            else {
                if (!ctes.has(t[j].value)) {
                    relations.add(t[j].value);
                    if (reading)
                        read('', t[j].value);
                }
                j += 1;
            }
            // an alias, then another of a FROM's list
            if (word(j, 'as'))
                j++;
            if (t[j]?.kind === 'ident' &&
                !(t[j].quoted !== true &&
                    /^(where|join|on|using|group|order|limit|offset|left|right|inner|full|cross|natural|union|except|intersect|returning|set|window|having|fetch|for|values|select|default|when|then|else|end|and|or)$/.test(t[j].value)))
                j++;
            if (!punct(j, ',') || into || t[i].value !== 'from')
                break;
            j++;
        }
    }
    return { relations: [...relations], functions: [...functions], reads: [...reads.values()] };
}
/** The functions of the user's a body names (by name, any schema), but for itself. */
function namedRoutines(r, byName) {
    const named = new Set((0,plain_sql/* sqlTokens */.Dl)(r.body, false)
        .filter(t => t.kind === 'ident')
        .map(t => t.value));
    return [...named].flatMap(n => byName.get(n) ?? []).filter(f => f.oid !== r.oid);
}
/**
 * Whether a table may hold rows: the size of its (its partitions') files on disk, which reads
 * none of them \u2014 no row security, no view, no foreign table's wrapper runs (attacker a81 F6,
 * a82 F2); a table emptied since its last VACUUM still counts as holding some.
 */
async function restorability_holdsRows(client, relOid) {
    if (!relOid)
        return true;
    const { rows } = await client
        .query(`SELECT bool_or(pg_catalog.pg_relation_size(t.relid) > 0) AS any
         FROM (SELECT $1::pg_catalog.regclass AS relid
               UNION SELECT relid FROM pg_catalog.pg_partition_tree($1::pg_catalog.regclass)) t
         JOIN pg_catalog.pg_class c ON c.oid = t.relid
        WHERE c.relkind = 'r'`, [relOid])
        .catch(() => ({ rows: [{ any: true }] }));
    return rows[0]?.any !== false;
}
/**
 * A CHECK whose function reads another table that pg_dump loads after the constraint's (its
 * data in order of schema, then name): why the CHECK fails there, or undefined. An unqualified
 * name that the function's search_path does not find is taken where the database holds the
 * only table of that name.
 */
async function readsLaterTable(client, r, use) {
    const read = bodyNames(r.body).reads;
    if (read.length === 0)
        return undefined;
    await client.query("SELECT pg_catalog.set_config('search_path', $1, true)", [r.path ?? '']);
    try {
        for (const [schema, name] of read) {
            const { rows } = await client.query(`SELECT n.nspname::text AS schema, c.relname::text AS name
           FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind IN ('r', 'p')
            AND CASE WHEN $1 <> '' THEN n.nspname = $1 AND c.relname = $2
                     WHEN pg_catalog.to_regclass(pg_catalog.quote_ident($2)) IS NOT NULL
                       THEN c.oid = pg_catalog.to_regclass(pg_catalog.quote_ident($2))
                     ELSE c.relname = $2 AND n.nspname NOT LIKE 'pg\\_%' END`, [schema, name]);
            if (rows.length !== 1)
                continue;
            const t = rows[0];
            if (t.schema === use.relSchema && t.name === use.relName)
                continue;
            if (compareNames([t.schema, t.name], [use.relSchema, use.relName]) <= 0)
                continue;
            const table = (0,sql_names/* quoteQualified */.$s)({ schema: use.relSchema, name: use.relName });
            const reads = (0,sql_names/* quoteQualified */.$s)({ schema: t.schema, name: t.name });
            return `reads ${reads}: pg_dump loads the tables' rows in order of schema and name, so ${table}'s rows load before ${reads}'s, and the CHECK sees ${reads} empty (pg_restore by hand too; a restore with jobs loads them in any order) \u2014 it fails unless it passes on an empty ${reads}. PostgreSQL's documentation says a CHECK must not depend on other rows: check them with a foreign key, or a trigger, instead`;
        }
        return undefined;
    }
    finally {
        await client.query("SELECT pg_catalog.set_config('search_path', '', true)");
    }
}
/** pg_dump's order of names (strcmp of the bytes; schema first). */
function compareNames(a, b) {
    for (let i = 0; i < a.length; i++) {
        const x = Buffer.from(a[i]);
        const y = Buffer.from(b[i]);
        const c = Buffer.compare(x, y);
        if (c !== 0)
            return c;
    }
    return 0;
}
/**
 * The warning of a failing chain: what calls it, the functions (outer to the one that fails),
 * PostgreSQL's error, and the fix \u2014 a search_path found to resolve the body (the schemas that
 * hold what it names), else qualifying the names (attacker a80 F5: the function's own schema
 * may not be where its tables are).
 */
async function failedWarning(client, uses, chain, failure) {
    const last = chain[chain.length - 1];
    const path = await resolvingPath(client, last, failure);
    const fix = path
        ? `ALTER FUNCTION ${last.signature} SET search_path = ${path}; (the schemas that hold what it names), or qualify the names in its body (schema.table)`
        : `qualify the names in its body (schema.table), or give it a search_path that finds them (ALTER FUNCTION ${last.signature} SET search_path = \u2026;)`;
    const through = chain.length > 1
        ? `, which calls ${chain
            .slice(1)
            .map(f => f.signature)
            .join(', which calls ')},`
        : '';
    const where = last.path === null
        ? "the empty search_path that pg_dump's output loads with"
        : `its own search_path (${last.path})`;
    return `This backup will not restore: ${describeUses(uses)} ${uses.length === 1 ? 'calls' : 'call'} ${chain[0].signature}${through || ','} whose body fails under ${where}: ${failure.message}. pg_restore or psql stops there (by hand too), and its rows or definition are not restored. Fix the function in the database: ${fix}, then back up again.`;
}
/**
 * The search_path (schemas of the database) under which the body's names resolve: each name not
 * found looked up in the database's schemas \u2014 one schema each, and the body then resolves \u2014
 * or undefined.
 */
async function resolvingPath(client, r, failure) {
    const { rows } = await client.query(`SELECT x.name, ARRAY(SELECT n.nspname::pg_catalog.text FROM pg_catalog.pg_namespace n
                           WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
                             AND (EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.relnamespace = n.oid AND c.relname = x.name)
                               OR EXISTS (SELECT 1 FROM pg_catalog.pg_proc p WHERE p.pronamespace = n.oid AND p.proname = x.name))
                           ORDER BY 1) AS schemas
       FROM unnest($1::pg_catalog.text[]) AS x(name)`, [failure.names]);
    if (rows.some(x => x.schemas.length !== 1))
        return undefined;
    const path = [...new Set(rows.map(x => x.schemas[0]))].map(sql_names/* quoteIdent */.v4).join(', ');
    const verdict = await checkSqlBody(client, r, path);
    return 'resolves' in verdict ? path : undefined;
}
function routinesQuery(major) {
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
 LIMIT ${MAX_ROWS}`;
}
function usesQuery(major) {
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
  ${major >= 12
        ? `UNION ALL
  SELECT d.fn, 'generated', a.attname, a.attrelid
    FROM dep d JOIN pg_catalog.pg_attrdef ad ON ad.oid = d.objid
    JOIN pg_catalog.pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
   WHERE d.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass AND a.attgenerated <> ''
     AND a.attinhcount = 0`
        : ''}
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
 LIMIT ${MAX_ROWS}`;
}
/** "CHECK constraint products_sku_known on table public.products", at most five, then a count. */
function describeUses(uses) {
    const each = uses.map(u => {
        const rel = (0,sql_names/* quoteQualified */.$s)({ schema: u.relSchema, name: u.relName });
        switch (u.kind) {
            case 'check':
                return `CHECK constraint ${(0,sql_names/* quoteIdent */.v4)(u.name)} on table ${rel}`;
            case 'domain':
                return `CHECK constraint ${(0,sql_names/* quoteIdent */.v4)(u.name)} of domain ${rel}`;
            case 'generated':
                return `generated column ${(0,sql_names/* quoteIdent */.v4)(u.name)} of table ${rel}`;
            case 'index':
                return `index ${(0,sql_names/* quoteQualified */.$s)({ schema: u.relSchema, name: u.name })} on table ${rel}`;
            default:
                return `materialized view ${rel}`;
        }
    });
    if (each.length > 5)
        return `${each.slice(0, 5).join(', ')} and ${each.length - 5} more`;
    return each.length > 1 ? `${each.slice(0, -1).join(', ')} and ${each.at(-1)}` : each[0];
}

// EXTERNAL MODULE: ./src/pipeline/encrypt.ts
var encrypt = __webpack_require__(73647);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(77598);
// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __webpack_require__(57075);
// EXTERNAL MODULE: external "node:stream/consumers"
var consumers_ = __webpack_require__(38321);
// EXTERNAL MODULE: ./src/retention.ts
var retention = __webpack_require__(57449);
// EXTERNAL MODULE: ./src/storage/artifact.ts + 1 modules
var artifact = __webpack_require__(85920);
// EXTERNAL MODULE: ./src/pipeline/backup-stream.ts
var backup_stream = __webpack_require__(47043);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
var external_node_fs_default = /*#__PURE__*/__webpack_require__.n(external_node_fs_);
// EXTERNAL MODULE: external "node:module"
var external_node_module_ = __webpack_require__(98995);
// EXTERNAL MODULE: external "node:stream/promises"
var external_node_stream_promises_ = __webpack_require__(46466);
// EXTERNAL MODULE: ./src/storage/signing.ts
var signing = __webpack_require__(65934);
// EXTERNAL MODULE: ./src/storage/fifo.ts
var storage_fifo = __webpack_require__(63727);
// EXTERNAL MODULE: external "node:zlib"
var external_node_zlib_ = __webpack_require__(38522);
var external_node_zlib_default = /*#__PURE__*/__webpack_require__.n(external_node_zlib_);
;// CONCATENATED MODULE: ./src/storage/zip-writer.ts
/**
 * The backup's zip, written as it streams: entries stored (the dump is compressed already), the
 * dump's entry streamed (its CRC-32 and sizes in a data descriptor after it), the small files
 * after it whole. Byte for byte the zip archiver 7 (zip-stream, compress-commons) writes for the
 * same entries and date \u2014 the layout every backup so far has, which the restore reads (yauzl,
 * a stored entry read in place) \u2014 with ZIP64 records where archiver puts them (an entry or an
 * offset beyond 4 GiB). What it saves: archiver's chain of stream hops (readable-stream, in
 * JavaScript) and its JavaScript CRC-32; this one is node:zlib's, and every byte of the dump
 * takes one hop, from the entry's writable to the zip's readable.
 */


const SIG_LFH = 0x04034b50;
const SIG_DD = 0x08074b50;
const SIG_CFH = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_ZIP64_EOCD_LOC = 0x07064b50;
const ZIP64_MAGIC = 0xffffffff;
const ZIP64_MAGIC_SHORT = 0xffff;
const ZIP64_EXTRA_ID = 0x0001;
const MIN_VERSION_INITIAL = 10;
const MIN_VERSION_DATA_DESCRIPTOR = 20;
const MIN_VERSION_ZIP64 = 45;
/** Made by: Unix (3), version 4.5. */
const VERSION_MADE_BY = (3 << 8) | 45;
const FLAG_DATA_DESCRIPTOR = 0x0008;
const FLAG_UTF8 = 0x0800;
/** -rw-r--r--, a regular file; and the DOS archive bit. */
const EXTERNAL_ATTRIBUTES = (((0o100000 | 0o644) << 16) | 0o40) >>> 0;
/** A date as MS-DOS date and time (UTC, 2-second steps), clamped as archiver clamps it. */
function dosDateTime(date) {
    const year = date.getUTCFullYear();
    if (year < 1980)
        return 2162688;
    if (year >= 2044)
        return 2141175677;
    return ((((year - 1980) << 25) |
        ((date.getUTCMonth() + 1) << 21) |
        (date.getUTCDate() << 16) |
        (date.getUTCHours() << 11) |
        (date.getUTCMinutes() << 5) |
        Math.floor(date.getUTCSeconds() / 2)) >>>
        0);
}
function eight(buffer, value, at) {
    buffer.writeUInt32LE(value % 0x100000000, at);
    buffer.writeUInt32LE(Math.floor(value / 0x100000000), at + 4);
}
class ZipWriter {
    date;
    /** The zip's bytes, as they are written. */
    output;
    offset = 0;
    entries = [];
    /** The entry being streamed: no other entry is written until it ended. */
    streaming;
    /** The write waiting for the reader of `output` to take more. */
    waiting;
    done = false;
    constructor(date = () => new Date()) {
        this.date = date;
        this.output = new external_node_stream_.Readable({
            read: () => {
                const waiting = this.waiting;
                this.waiting = undefined;
                waiting?.();
            },
            destroy: (error, callback) => {
                this.done = true;
                const waiting = this.waiting;
                this.waiting = undefined;
                waiting?.(error ?? new Error('the zip was closed before its end'));
                callback(error);
            }
        });
    }
    /** Bytes written into the zip so far. */
    get bytes() {
        return this.offset;
    }
    /**
     * An entry whose content is streamed: write it, then end it (its data descriptor follows).
     * Destroyed with an error (the dump failed), it aborts the zip: see abort().
     */
    entry(fileName) {
        if (this.streaming)
            throw new Error('one streamed entry at a time');
        const entry = this.begin(fileName, FLAG_DATA_DESCRIPTOR, MIN_VERSION_DATA_DESCRIPTOR);
        this.push(this.localHeader(entry));
        let settle;
        this.streaming = new Promise(resolve => (settle = resolve));
        return new external_node_stream_.Writable({
            write: (chunk, _encoding, callback) => {
                if (this.done)
                    return callback(new Error('the zip was aborted'));
                entry.crc = external_node_zlib_default().crc32(chunk, entry.crc);
                entry.size += chunk.length;
                if (this.push(chunk))
                    callback();
                else
                    this.waiting = callback;
            },
            final: callback => {
                this.push(this.dataDescriptor(entry));
                this.entries.push(entry);
                settle();
                callback();
            },
            destroy: (error, callback) => {
                if (error)
                    this.abort();
                callback(error);
            }
        });
    }
    /** A whole entry (written once the streamed one, if any, has ended). */
    add(fileName, data) {
        const content = typeof data === 'string' ? Buffer.from(data) : data;
        const write = () => {
            const entry = this.begin(fileName, 0, MIN_VERSION_INITIAL);
            entry.crc = external_node_zlib_default().crc32(content);
            entry.size = content.length;
            this.push(this.localHeader(entry));
            this.push(content);
            this.entries.push(entry);
        };
        this.after(write);
    }
    /** Writes the central directory and ends the zip (once the streamed entry has ended). */
    finalize() {
        this.after(() => {
            const centralOffset = this.offset;
            for (const entry of this.entries)
                this.push(this.centralHeader(entry));
            const centralLength = this.offset - centralOffset;
            const zip64 = this.entries.length > ZIP64_MAGIC_SHORT ||
                centralLength > ZIP64_MAGIC ||
                centralOffset > ZIP64_MAGIC;
            if (zip64)
                this.push(this.zip64End(centralOffset, centralLength));
            this.push(this.end(centralOffset, centralLength, zip64));
            this.done = true;
            this.output.push(null);
        });
    }
    /** Stops writing: the zip's output ends where it is (an incomplete zip). */
    abort() {
        if (this.done)
            return;
        this.done = true;
        const waiting = this.waiting;
        this.waiting = undefined;
        if (!this.output.destroyed)
            this.output.push(null);
        waiting?.();
    }
    after(write) {
        const run = () => {
            if (!this.done)
                write();
        };
        if (this.streaming)
            void this.streaming.then(run);
        else
            run();
    }
    push(chunk) {
        if (this.done)
            return true;
        this.offset += chunk.length;
        return this.output.push(chunk);
    }
    begin(fileName, flags, versionNeeded) {
        const name = Buffer.from(fileName);
        return {
            name,
            flags: flags | (name.length !== fileName.length ? FLAG_UTF8 : 0),
            versionNeeded,
            dosTime: dosDateTime(this.date()),
            crc: 0,
            size: 0,
            offset: this.offset
        };
    }
    localHeader(entry) {
        const header = Buffer.alloc(30 + entry.name.length);
        header.writeUInt32LE(SIG_LFH, 0);
        header.writeUInt16LE(entry.versionNeeded, 4);
        header.writeUInt16LE(entry.flags, 6);
        header.writeUInt16LE(0, 8); // stored
        header.writeUInt32LE(entry.dosTime, 10);
        if (!(entry.flags & FLAG_DATA_DESCRIPTOR)) {
            header.writeUInt32LE(entry.crc >>> 0, 14);
            header.writeUInt32LE(entry.size, 18);
            header.writeUInt32LE(entry.size, 22);
        }
        header.writeUInt16LE(entry.name.length, 26);
        header.writeUInt16LE(0, 28);
        entry.name.copy(header, 30);
        return header;
    }
    dataDescriptor(entry) {
        const zip64 = entry.size > ZIP64_MAGIC;
        const descriptor = Buffer.alloc(zip64 ? 24 : 16);
        descriptor.writeUInt32LE(SIG_DD, 0);
        descriptor.writeUInt32LE(entry.crc >>> 0, 4);
        if (zip64) {
            eight(descriptor, entry.size, 8);
            eight(descriptor, entry.size, 16);
        }
        else {
            descriptor.writeUInt32LE(entry.size, 8);
            descriptor.writeUInt32LE(entry.size, 12);
        }
        return descriptor;
    }
    centralHeader(entry) {
        const zip64 = entry.size > ZIP64_MAGIC || entry.offset > ZIP64_MAGIC;
        const extra = zip64 ? 28 : 0;
        const header = Buffer.alloc(46 + entry.name.length + extra);
        header.writeUInt32LE(SIG_CFH, 0);
        header.writeUInt16LE(VERSION_MADE_BY, 4);
        header.writeUInt16LE(zip64 ? MIN_VERSION_ZIP64 : entry.versionNeeded, 6);
        header.writeUInt16LE(entry.flags, 8);
        header.writeUInt16LE(0, 10); // stored
        header.writeUInt32LE(entry.dosTime, 12);
        header.writeUInt32LE(entry.crc >>> 0, 16);
        header.writeUInt32LE(zip64 ? ZIP64_MAGIC : entry.size, 20);
        header.writeUInt32LE(zip64 ? ZIP64_MAGIC : entry.size, 24);
        header.writeUInt16LE(entry.name.length, 28);
        header.writeUInt16LE(extra, 30);
        // comment length, disk number, internal attributes: 0
        header.writeUInt32LE(EXTERNAL_ATTRIBUTES, 38);
        header.writeUInt32LE(zip64 ? ZIP64_MAGIC : entry.offset, 42);
        entry.name.copy(header, 46);
        if (zip64) {
            const at = 46 + entry.name.length;
            header.writeUInt16LE(ZIP64_EXTRA_ID, at);
            header.writeUInt16LE(24, at + 2);
            eight(header, entry.size, at + 4);
            eight(header, entry.size, at + 12);
            eight(header, entry.offset, at + 20);
        }
        return header;
    }
    zip64End(centralOffset, centralLength) {
        const record = Buffer.alloc(56 + 20);
        record.writeUInt32LE(SIG_ZIP64_EOCD, 0);
        eight(record, 44, 4);
        record.writeUInt16LE(MIN_VERSION_ZIP64, 12);
        record.writeUInt16LE(MIN_VERSION_ZIP64, 14);
        eight(record, this.entries.length, 24);
        eight(record, this.entries.length, 32);
        eight(record, centralLength, 40);
        eight(record, centralOffset, 48);
        record.writeUInt32LE(SIG_ZIP64_EOCD_LOC, 56);
        eight(record, centralOffset + centralLength, 64);
        record.writeUInt32LE(1, 72);
        return record;
    }
    end(centralOffset, centralLength, zip64) {
        const record = Buffer.alloc(22);
        record.writeUInt32LE(SIG_EOCD, 0);
        const count = zip64 ? ZIP64_MAGIC_SHORT : this.entries.length;
        record.writeUInt16LE(count, 8);
        record.writeUInt16LE(count, 10);
        record.writeUInt32LE(zip64 ? ZIP64_MAGIC : centralLength, 12);
        record.writeUInt32LE(zip64 ? ZIP64_MAGIC : centralOffset, 16);
        return record;
    }
}

;// CONCATENATED MODULE: ./src/storage/artifact-zip.ts
/**
 * The backup artifact is a zip the action writes itself (ZipWriter) \u2014 the dump, then
 * manifest.json, both stored (the dump is compressed already) \u2014 and the artifact client uploads as it is, one file
 * (`skipArchive`): so the artifact is named `<artifact-name>.zip` and downloads as that zip.
 *
 * Uploaded live, the client reads the zip from this process's own stream while the dump is
 * still being written (handOverOnRead): the upload takes no time of its own, and the compressed
 * bytes go from zstd's pipe to the upload's blocks without a file, a pipe or a copy of ours in
 * between. When an artifact is being replaced (the old one is deleted only once the new zip is
 * whole) the zip is written to a file and uploaded after.
 */













async function createArtifactZip(client, options) {
    const name = (0,artifact/* artifactZipName */.lW)(options.name);
    const directory = external_node_path_default().join(options.directory, 'artifact');
    await (0,promises_.mkdir)(directory, { recursive: true, mode: 0o700 });
    const zipPath = external_node_path_default().join(directory, name);
    const live = options.live;
    // live: a named pipe, or else an empty file, of the zip's name: the client checks that it
    // exists, then reads the stream handed over (or that pipe, where node:fs cannot be patched)
    const fifoMade = live && (await (0,storage_fifo/* canWidenPipes */.rh)()) && (await (0,storage_fifo/* makeFifo */.F0)(zipPath));
    if (live && !fifoMade)
        await (0,promises_.writeFile)(zipPath, '', { mode: 0o600 });
    // the zip's bytes: what a live upload reads, or else what is written into the file
    const zip = new ZipWriter();
    let dumpEntry;
    const file = live ? undefined : (0,external_node_fs_.createWriteStream)(zipPath, { mode: 0o600 });
    if (file) {
        zip.output.pipe(file);
        // a zip file that cannot be written (a full disk) fails the dump's pipeline
        file.on('error', (error) => dumpEntry?.destroy(error));
    }
    const zipped = file ? (0,external_node_stream_promises_.finished)(file) : Promise.resolve();
    zipped.catch(() => undefined); // awaited in finish()/abort()
    let uploading;
    /** The client's own upload, and how long to wait for it once the storage stalled. */
    let clientUpload;
    let stalledFor;
    let written;
    /**
     * The live upload begins with the dump's first bytes, not before: the client gives up on an
     * upload that makes no progress for ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS (5 minutes), and
     * pg_dump may first wait for locks.
     */
    const startUpload = () => {
        if (!live || uploading)
            return;
        // the client's watchdog counts the dump's own pauses as a stalled upload: it is replaced
        // by one that only counts the time the client does not take bytes it has been given
        const stallMs = uploadStallMs();
        const restoreWatchdog = relaxClientWatchdog(stallMs);
        // what the live upload reads: the zip's own stream
        const stream = zip.output;
        lowerBufferOfReader(stream, READER_BUFFER);
        /** The named pipe, when the client reads that instead of the stream (see below). */
        let fifo;
        let settleWritten;
        written = new Promise((resolve, reject) => (settleWritten = { resolve, reject }));
        const handover = handOverOnRead(zipPath, stream, () => {
            (0,external_node_stream_promises_.finished)(stream).then(settleWritten.resolve, settleWritten.reject);
            if (fifo) {
                // nobody opens the pipe now: free our open of it for writing, which waits for a reader
                const reader = (0,storage_fifo/* drain */.Ze)(zipPath);
                fifo.once('close', () => reader?.destroy());
                fifo.destroy();
            }
        });
        const restoreReads = handover.restore;
        if (fifoMade) {
            // where node:fs cannot be patched for the client (its ES module namespace is a copy, as
            // under jest), it opens the pipe itself: the zip is written into it, 1 MiB at a time
            fifo = (0,external_node_fs_.createWriteStream)(zipPath);
            fifo.once('open', () => {
                if (handover.taken())
                    return;
                (0,storage_fifo/* widenPipe */.A5)(zipPath);
                (0,external_node_stream_promises_.pipeline)(stream, (0,storage_fifo/* coalesce */.Yc)(storage_fifo/* PIPE_SIZE */.JL), fifo).then(settleWritten.resolve, settleWritten.reject);
            });
            fifo.on('error', error => settleWritten.reject(error));
        }
        const upload = (0,artifact/* uploadBackup */.kI)(client, {
            zipPath,
            retentionDays: options.retentionDays,
            replaceExisting: false,
            // the dump paces a live upload: two blocks in flight keep up, and hold 8 MiB less
            concurrency: 2
        }).then(async (uploaded) => {
            // the client read the whole zip (from our stream or the pipe; never the empty file)
            if (uploaded.size !== zip.bytes) {
                await (0,artifact/* deleteArtifactQuietly */.P2)(client, name);
                throw new backup_stream/* BackupError */.h(`the artifact client uploaded ${uploaded.size} bytes, but the backup's zip has ${zip.bytes}${handover.taken() || fifoMade ? '' : ' (it did not read the stream handed to it: an @actions/artifact this action does not know?)'}: the incomplete artifact was deleted, nothing usable was uploaded. Please report this.`);
            }
            return uploaded;
        });
        written.catch(() => undefined); // awaited in finish()/abort()
        const watchdog = watchLiveUpload(
        // the bytes the client took: those written, less those still waiting in the stream
        () => zip.bytes - stream.readableLength, () => stream.readableLength + (fifo?.writableLength ?? 0), written, stallMs);
        clientUpload = upload;
        upload.catch(() => undefined); // raced, and awaited by abort()
        watchdog.stalled.catch(() => (stalledFor = stallMs));
        uploading = Promise.race([upload, watchdog.stalled]);
        void uploading
            .finally(() => {
            watchdog.stop();
            restoreWatchdog();
            restoreReads();
        })
            .catch(() => undefined);
        uploading.catch((error) => {
            // the client stopped reading (or never began): fail the dump's pipeline, and let go of
            // the bytes no one will read
            dumpEntry?.destroy(error);
            zip.abort();
            stream.destroy();
            settleWritten.reject(error);
            if (fifo && !handover.taken())
                unblock();
        });
    };
    /** Readers that empty the pipe after a failure; closed once the upload has settled. */
    const drains = [];
    const unblock = () => {
        const reader = (0,storage_fifo/* drain */.Ze)(zipPath);
        if (reader)
            drains.push(reader);
    };
    const closeDrains = () => {
        for (const reader of drains.splice(0))
            reader.destroy();
    };
    return {
        name,
        path: zipPath,
        live,
        begin: startUpload,
        sink(fileName) {
            dumpEntry = zip.entry(fileName);
            return {
                writable: dumpEntry,
                stored: Promise.resolve(undefined),
                begin: startUpload,
                directory
            };
        },
        async finish(manifest, signature, extras = []) {
            startUpload();
            // beside the dump, before the manifest that describes them
            for (const extra of extras)
                zip.add(extra.name, extra.data);
            zip.add(src_manifest/* MANIFEST_FILE */.h1, manifest);
            if (signature !== undefined)
                zip.add(signing/* SIGNATURE_FILE */.I9, signature);
            zip.finalize();
            if (uploading && written) {
                try {
                    const [done] = await Promise.all([uploading, written]);
                    return done;
                }
                finally {
                    closeDrains();
                }
            }
            await zipped;
            return (0,artifact/* uploadBackup */.kI)(client, {
                zipPath,
                retentionDays: options.retentionDays,
                replaceExisting: options.replaceExisting
            });
        },
        async abort() {
            // end the stream where it is: the client finalizes what it read, which is then deleted
            zip.abort();
            dumpEntry?.destroy();
            if (!uploading || !written) {
                file?.destroy();
                await (0,promises_.rm)(zipPath, { force: true });
                return undefined;
            }
            await written.catch(() => undefined);
            let partial = await uploading.catch(() => undefined);
            if (!partial && stalledFor !== undefined && clientUpload) {
                // the storage stalled: the client may still finalize what it read, once it answers
                partial = await Promise.race([
                    clientUpload.catch(() => undefined),
                    new Promise(resolve => setTimeout(() => resolve(undefined), stalledFor).unref())
                ]);
                if (!partial) {
                    log/* log */.Rm.warning(`The artifact storage did not answer within ${Math.round(stalledFor / 1000)} s more; if a partial artifact '${name}' appears in the run, delete it: it has no manifest.json and a restore refuses it.`);
                }
            }
            zip.output.destroy();
            closeDrains();
            if (!partial)
                return undefined;
            const deleted = await (0,artifact/* deleteArtifactQuietly */.P2)(client, name);
            if (deleted) {
                log/* log */.Rm.info(`Deleted the partial artifact '${name}' (id ${partial.id}) of the failed backup.`);
                return `An artifact '${name}' (id ${partial.id}) holding the partial dump was uploaded while it was written, then deleted: none is left in the run.`;
            }
            else {
                log/* log */.Rm.warning(`The failed backup left a partial artifact '${name}' (id ${partial.id}) that could not be deleted; delete it in the run's Artifacts. It has no manifest.json and its zip is incomplete: a restore refuses it.`);
                return `An artifact '${name}' (id ${partial.id}) holding the partial dump was uploaded while it was written and could not be deleted: delete it in the run's Artifacts (it has no manifest.json; a restore refuses it).`;
            }
        }
    };
}
/** The artifact client's stall limit: ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS, else its 5 minutes. */
function uploadStallMs() {
    const value = Number.parseInt(process.env.ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS ?? '', 10);
    return Number.isFinite(value) && value > 0 ? value : 300_000;
}
/**
 * The client ends an upload when no 8 MiB block completed for ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS
 * (read as each upload begins). A live upload's blocks complete only as fast as pg_dump writes:
 * a throttled server, rows that compress 50:1 or a pause between tables would fail a dump that
 * pg_dump completes. For a live upload the client's limit is raised to GitHub's job limit
 * (6 hours), and {@link watchLiveUpload} applies the original one to what it is meant for.
 * Returns the function that puts the setting back.
 */
function relaxClientWatchdog(stallMs) {
    const saved = process.env.ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS;
    process.env.ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS = String(Math.max(stallMs, JOB_LIMIT_MS));
    return () => {
        if (saved === undefined)
            delete process.env.ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS;
        else
            process.env.ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS = saved;
    };
}
const JOB_LIMIT_MS = 6 * 3600_000;
/** What the client's upload stream may hold of the zip on each side: a few of its chunks. */
const READER_BUFFER = 256 * 1024;
/**
 * The artifact client pipes the zip into a stream of its own (@actions/artifact 6.2.1,
 * WaterMarkedUploadStream) whose buffers hold 8 MiB on each side: when the upload is slower than
 * the dump, 16 MiB more of the zip in memory, on top of the 8 MiB it gathers for a block and the
 * blocks in flight (measured: the backup's Buffers 41 \u2192 57 MB from the 300 MB to the 1.5 GB
 * bench database). Its blocks stay 8 MiB; only what waits in front of them is lowered to `bytes`,
 * as `stream` is piped into it (once; other destinations are left as they are).
 */
function lowerBufferOfReader(stream, bytes) {
    const pipe = stream.pipe;
    stream.pipe = function (destination, options) {
        stream.pipe = pipe;
        for (const state of [
            destination._writableState,
            destination._readableState
        ]) {
            if (state && typeof state.highWaterMark === 'number' && state.highWaterMark > bytes) {
                state.highWaterMark = bytes;
            }
        }
        return pipe.call(this, destination, options);
    };
}
/**
 * The artifact client (@actions/artifact 6.2.1, upload/stream.js) uploads a file: it checks that
 * the path exists, then reads it with fs.createReadStream(path, { highWaterMark: 8 MiB }) and
 * pipes that into its upload. A live upload hands it the zip's own stream instead: the one
 * createReadStream of this very path returns `stream`, once, and fs.createReadStream is put back
 * then (or by `restore`, when the upload settles without it). The zip's bytes then go from the
 * dump's stream to the client's blocks in this process, where they went through a named pipe
 * before (a write and a read of every byte, its reads allocating 1 MiB each, and the chunks
 * joined into 1 MiB writes): measured on the 300 MB bench database (92 MB zip), the action's
 * Node 2.1\u20132.3 \u2192 1.3\u20131.5 CPU s, its Buffers' peak 77\u201391 \u2192 57\u201358 MB. `taken()` says whether
 * the client read it. (Upstream: an upload of a stream would make this unnecessary.)
 */
function handOverOnRead(file, stream, onTaken = () => undefined) {
    const original = (external_node_fs_default()).createReadStream;
    const target = external_node_path_default().resolve(file);
    let taken = false;
    const patched = function (opened, options) {
        if (typeof opened === 'string' && external_node_path_default().resolve(opened) === target) {
            restore();
            taken = true;
            onTaken();
            return stream;
        }
        return original.call(this, opened, options);
    };
    const restore = () => {
        if ((external_node_fs_default()).createReadStream !== patched)
            return;
        (external_node_fs_default()).createReadStream = original;
        (0,external_node_module_.syncBuiltinESMExports)();
    };
    (external_node_fs_default()).createReadStream = patched;
    // the client imports node:fs as an ES module when not bundled: its binding follows
    (0,external_node_module_.syncBuiltinESMExports)();
    return { taken: () => taken, restore };
}
/**
 * A live upload is stalled when the client takes none of the bytes waiting for it in the pipe
 * for `stallMs` (the connection to the artifact storage hangs), or has not finished `3 \u00d7
 * stallMs` after the last byte went in (its last blocks, at most three) \u2014 never because the
 * dump has nothing to give it. `stalled` rejects then; the caller fails the backup with it.
 */
function watchLiveUpload(taken, waiting, written, stallMs) {
    let lastBytes = taken();
    let lastChange = Date.now();
    let endedAt;
    written.then(() => (endedAt = Date.now()), () => undefined);
    let timer;
    const stalled = new Promise((_, reject) => {
        timer = setInterval(() => {
            const now = Date.now();
            const bytes = taken();
            if (bytes !== lastBytes) {
                lastBytes = bytes;
                lastChange = now;
                return;
            }
            // bytes the client has not taken yet; none: the dump is slow, not the upload
            if (waiting() === 0 && endedAt === undefined) {
                lastChange = now;
            }
            const waited = endedAt !== undefined ? now - endedAt : now - lastChange;
            const limit = endedAt !== undefined ? 3 * stallMs : stallMs;
            if (waited > limit) {
                reject(new backup_stream/* BackupError */.h(`Upload progress stalled: the artifact storage took none of the backup's bytes for ${Math.round(waited / 1000)} s (ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS: ${stallMs} ms) \u2014 the connection to GitHub's artifact storage hangs. Nothing usable was uploaded; run the backup again.`));
            }
        }, Math.max(50, Math.min(stallMs / 4, 5000)));
        timer.unref();
    });
    stalled.catch(() => undefined); // raced by the caller
    return { stalled, stop: () => clearInterval(timer) };
}

// EXTERNAL MODULE: ./src/s3-uri.ts
var s3_uri = __webpack_require__(78150);
// EXTERNAL MODULE: ./src/storage/local.ts
var storage_local = __webpack_require__(72922);
;// CONCATENATED MODULE: ./src/storage/destinations.ts






/** Loads the AWS SDK (it is large: only for backups that go to object storage) and a client. */
async function openS3(settings) {
    const lib = await Promise.all(/* import() */[__webpack_require__.e(358), __webpack_require__.e(279)]).then(__webpack_require__.bind(__webpack_require__, 69279));
    return { client: lib.createS3Client(settings), lib };
}
async function openDestinations(options) {
    const { fileName, workDir, local, s3 } = options;
    const sinks = [];
    if (local)
        sinks.push((0,storage_local/* fileSink */.ao)(external_node_path_default().join(workDir, fileName)));
    let zip;
    if (options.artifact) {
        zip = await createArtifactZip(options.artifact.client, {
            ...options.artifact,
            directory: workDir
        });
        sinks.push(zip.sink(fileName));
        if (zip.live) {
            log/* log */.Rm.info(`Uploading artifact '${zip.name}' while the dump is written (no temporary file)`);
        }
    }
    /** The S3 object, once it exists: until its manifest does, a failure removes it. */
    let orphan = false;
    if (s3) {
        const sink = s3.storage.lib.uploadSink(s3.storage.client, s3);
        sinks.push(sink);
        void sink.stored.then(() => (orphan = true), () => undefined);
        log/* log */.Rm.info(`Streaming to ${(0,s3_uri/* formatS3Uri */.EO)(s3.bucket, s3.key)} (no temporary file)`);
    }
    return {
        sinks,
        async complete(manifest, extras = []) {
            const completed = {};
            if (s3) {
                const uri = (0,s3_uri/* formatS3Uri */.EO)(s3.bucket, s3.key);
                completed.s3Uri = await log/* log */.Rm.group(`Copy to ${uri}`, async () => {
                    const json = (0,src_manifest/* manifestJson */.cO)(manifest());
                    for (const extra of extras) {
                        // `<dump key>` + what the extra's name adds to the dump's file name
                        await s3.storage.lib.putSmallObject(s3.storage.client, {
                            bucket: s3.bucket,
                            key: `${s3.key}${extraSuffix(extra.name, fileName)}`,
                            body: extra.data,
                            contentType: 'application/octet-stream',
                            tags: s3.tags
                        });
                    }
                    if (options.sign) {
                        // before the manifest: a backup counts once its manifest exists, signed from the start
                        await s3.storage.lib.putSmallObject(s3.storage.client, {
                            bucket: s3.bucket,
                            key: `${(0,s3_uri.manifestKeyFor)(s3.key)}.sig`,
                            body: options.sign(json),
                            contentType: 'text/plain',
                            tags: s3.tags
                        });
                    }
                    await s3.storage.lib.putSmallObject(s3.storage.client, {
                        bucket: s3.bucket,
                        key: (0,s3_uri.manifestKeyFor)(s3.key),
                        body: json,
                        contentType: 'application/json',
                        tags: s3.tags
                    });
                    log/* log */.Rm.info(`${uri} and its manifest${s3.tags?.retention ? `, tagged retention=${s3.tags.retention}` : ''}`);
                    return uri;
                });
                orphan = false;
            }
            if (local) {
                completed.localPath = await log/* log */.Rm.group(`Write to ${local}`, () => (0,storage_local/* keepLocally */._G)(external_node_path_default().join(workDir, fileName), manifest(), local, options.sign, extras));
            }
            if (zip) {
                const uploading = zip;
                completed.artifact = await log/* log */.Rm.group(`Upload artifact '${uploading.name}'`, async () => {
                    const json = (0,src_manifest/* manifestJson */.cO)(manifest());
                    const uploaded = await uploading.finish(json, options.sign?.(json), extras);
                    zip = undefined;
                    log/* log */.Rm.info(`Uploaded artifact ${uploaded.id} (${(0,log/* formatBytes */.z3)(uploaded.size)}), sha256:${uploaded.digest}`);
                    return uploaded;
                });
            }
            return completed;
        },
        async abort() {
            const undone = [];
            const artifact = zip ? await zip.abort() : undefined;
            if (artifact)
                undone.push(artifact);
            // a failure before the stream ended them: they must not wait for bytes that never come
            for (const sink of sinks)
                if (!sink.writable.writableFinished)
                    sink.writable.destroy();
            if (s3 && orphan) {
                const uri = (0,s3_uri/* formatS3Uri */.EO)(s3.bucket, s3.key);
                const deleted = await s3.storage.lib.deleteObjectQuietly(s3.storage.client, s3);
                log/* log */.Rm.info(deleted
                    ? `Removed ${uri}: the backup failed after it was streamed.`
                    : `Could not remove ${uri}; it has no manifest, so restores ignore it.`);
                undone.push(deleted
                    ? `The S3 object ${uri} was written, then removed.`
                    : `The S3 object ${uri} was written and could not be removed (it has no manifest; restores ignore it).`);
            }
            return undone;
        }
    };
}
/** What an extra file's name adds to the dump's (`<dump>.globals.sql` \u2192 `.globals.sql`). */
function extraSuffix(extraName, dumpFileName) {
    if (!extraName.startsWith(dumpFileName)) {
        throw new Error(`${extraName} is not named after the dump ${dumpFileName}`);
    }
    return extraName.slice(dumpFileName.length);
}

// EXTERNAL MODULE: ./src/storage/artifact-manifest.ts
var artifact_manifest = __webpack_require__(52373);
// EXTERNAL MODULE: ./node_modules/@actions/github/lib/github.js
var github = __webpack_require__(61351);
;// CONCATENATED MODULE: ./src/storage/github.ts
/**
 * The GitHub run the action is part of: the repository's visibility (from the event payload) and
 * the page of an artifact, through @actions/github's context, and the run for the manifest. Read
 * afresh at each call: the context is the runner's environment as it is then.
 */

function currentContext() {
    try {
        return new github/* context */._.constructor();
    }
    catch {
        return undefined; // an event payload that is not JSON
    }
}
/** The run, for the manifest; undefined outside GitHub Actions. */
function currentRun() {
    const env = process.env;
    if (!env.GITHUB_RUN_ID && !env.GITHUB_REPOSITORY)
        return undefined;
    return {
        repository: env.GITHUB_REPOSITORY,
        runId: env.GITHUB_RUN_ID,
        runAttempt: env.GITHUB_RUN_ATTEMPT,
        workflow: env.GITHUB_WORKFLOW
    };
}
/** The repository's visibility, from the event payload the runner provides. */
function repositoryVisibility() {
    if (!process.env.GITHUB_EVENT_PATH)
        return 'unknown';
    const repo = currentContext()?.payload.repository;
    if (!repo)
        return 'unknown';
    if (repo.private === false || repo.visibility === 'public')
        return 'public';
    if (repo.private === true)
        return 'private';
    return 'unknown';
}
/** The page users download an artifact from: Actions \u2192 run \u2192 Artifacts. */
function artifactUrl(id) {
    const env = process.env;
    if (!env.GITHUB_SERVER_URL || !env.GITHUB_REPOSITORY || !env.GITHUB_RUN_ID)
        return undefined;
    const run = currentContext();
    if (!run)
        return undefined;
    const { owner, repo } = run.repo;
    return `${run.serverUrl}/${owner}/${repo}/actions/runs/${run.runId}/artifacts/${id}`;
}
/** This run's id, when the action runs in one. */
function currentRunId() {
    return Number(process.env.GITHUB_RUN_ID) || undefined;
}

;// CONCATENATED MODULE: ./src/storage/naming.ts
/** The database's name reduced to [A-Za-z0-9._-] (at most 80 characters). */
function safeFileName(name) {
    return name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || 'database';
}
/** `YYYYMMDDTHHMMSSZ` in UTC. */
function timestamp(date) {
    return date
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d+Z$/, 'Z');
}
/** `.dump` / `.sql` / `.dir.tar` / `.tar`, then `.zst` / `.gz`, then `.age` when encrypted. */
function backupExtension(format, compression, encrypted) {
    const formatPart = { custom: '.dump', plain: '.sql', directory: '.dir.tar', tar: '.tar' }[format];
    const compressionPart = compression === 'zstd' ? '.zst' : compression === 'gzip' ? '.gz' : '';
    return `${formatPart}${compressionPart}${encrypted ? '.age' : ''}`;
}
/** `<database>-<YYYYMMDDTHHMMSSZ><ext>`. */
function backupFileName(database, date, ext) {
    return `${safeFileName(database)}-${timestamp(date)}${ext}`;
}
/** `<prefix><database>/<YYYY>/<MM>/<database>-<YYYYMMDDTHHMMSSZ><ext>`, in UTC. */
function backupKey(prefix, database, date, ext) {
    const iso = date.toISOString();
    return `${prefix}${safeFileName(database)}/${iso.slice(0, 4)}/${iso.slice(5, 7)}/${backupFileName(database, date, ext)}`;
}

;// CONCATENATED MODULE: ./src/modes/backup.ts

































/**
 * How long the artifact-name lookup (a courtesy: the upload refuses a taken name anyway) may take
 * before the backup goes on without it, in milliseconds (attacker a94 F2: a ListArtifacts that
 * never answered held the backup, and its idle database session, until the job's timeout).
 */
const ARTIFACT_LOOKUP_TIMEOUT_MS = 30_000;
async function backup(inputs, connection, deps = {}) {
    const seconds = (0,log/* stopwatch */.sX)();
    const now = deps.now ?? (() => new Date());
    const local = deps.outputDirectory;
    const client = !local && inputs.artifact !== false ? (deps.artifact ?? (0,artifact.artifactClient)()) : undefined;
    // outside a GitHub job the upload cannot work: said before the connection and the dump
    const outside = client && !deps.artifact ? (0,artifact/* missingArtifactEnvironment */.C1)() : undefined;
    if (outside)
        throw outside;
    if (client)
        (0,artifact/* checkPrivacy */.z$)(inputs.encryption !== undefined, inputs.allowUnencryptedPublic ?? false);
    const retention = chooseRetention(inputs, now());
    const s3 = inputs.s3 && !local ? await openS3(inputs.s3) : undefined;
    if (inputs.encryption) {
        log/* log */.Rm.info(inputs.encryption.kind === 'recipients'
            ? `The backup is encrypted with age to ${inputs.encryption.recipients.length} public key(s) before it leaves the runner.`
            : 'The backup is encrypted with age (passphrase) before it leaves the runner.');
    }
    const artifactName = (0,artifact/* artifactZipName */.lW)(inputs.artifactName);
    // asked beside the connection and the server's reads (a round trip to GitHub each; reported in
    // its group once they are done, still before the dump)
    const nameLookup = client
        ? withinTime((0,artifact/* checkNameIsFree */.g4)(client, artifactName, inputs.overwrite), deps.lookupTimeoutMs ?? ARTIFACT_LOOKUP_TIMEOUT_MS, ms => ({
            exists: undefined,
            warning: `Could not check whether an artifact named '${artifactName}' exists (GitHub's artifact service did not answer in ${Math.round(ms / 1000)} s); going on: the upload will say so if it does.`
        }))
        : undefined;
    nameLookup?.catch(() => undefined); // awaited below; no unhandled rejection meanwhile
    // and the installed pg_dump clients, probed meanwhile (a run of each one's --version)
    const discovered = inputs.pgBinDir ? undefined : (0,clients/* discoverClients */.Gn)('pg_dump');
    discovered?.catch(() => undefined);
    // the previous backup's manifest, read beside the dump (a few KB by range requests)
    const previous = client && inputs.changes
        ? (0,artifact_manifest/* previousBackupManifest */.Pw)(client, { name: inputs.artifactName, ...inputs.changes }, currentRunId())
        : undefined;
    let changesSkipped = client && !inputs.changes
        ? 'github-token is empty (or the repository is unknown), so this backup was not compared with the previous one (no row-loss warning); keep github-token at its default, ${{ github.token }}, with permissions: actions: read'
        : undefined;
    if (changesSkipped)
        log/* log */.Rm.notice(`The comparison with the previous backup is skipped: ${changesSkipped}.`);
    const storage = client && inputs.changes
        ? (0,artifact_manifest/* artifactStorage */.MN)({ name: inputs.artifactName, ...inputs.changes })
        : undefined;
    const pg = await log/* log */.Rm.group(`Connect to ${(0,postgres_connection/* describeConnection */.If)(connection)}`, async () => {
        const diagnosis = await (0,diagnostics/* diagnoseConnection */.di)(connection);
        for (const warning of diagnosis.warnings)
            log/* log */.Rm.warning(warning);
        return connectAs(connection, inputs);
    });
    // is there room for pg_dump's session beside this one? Asked while the server is read (a
    // pool or a CONNECTION LIMIT of one holds the login until no room is said): without it the
    // dump goes as pg_dump by hand, with no session of the action's own (trial u36 F2)
    let pgOpen = true;
    /** The session opened after a dump that had no room for one (pgOpen false). */
    let later;
    // pg_dump --jobs N opens N + 1 sessions (its leader's and one per worker): room for all of
    // them, or the dump goes without the action's session as by hand (attacker a98 F8)
    const dumpSessions = inputs.format === 'directory' && inputs.jobs > 1 ? inputs.jobs + 1 : 1;
    const room = (0,postgres_session.roomForSessions)(connection, inputs.connectTimeoutSeconds, dumpSessions).then(found => found.refused, (error) => (0,postgres_session.noRoomFor)(error));
    let workDir;
    let session;
    let denied;
    let destinations;
    try {
        const server = await log/* log */.Rm.group('Read the server', () => readServer(pg));
        // for the manifest: a restore warns where the target's differ (a plain script says none)
        const locale = await (0,postgres_locale/* readDatabaseLocale */["if"])(pg);
        // and the settings pg_dump's text depends on (its session's, as the role and database set
        // them): verify dumps its scratch database with the same
        const outputSettings = await (0,output_settings/* readOutputSettings */.Hx)(pg);
        // and which database this is, as its server tells: verify never restores into it
        const identity = await (0,postgres_identity/* readDatabaseIdentity */.QE)(pg);
        // a function a restore runs with pg_dump's empty search_path, failing there (trial u48 F1)
        const unrestorable = await warnUnrestorable(pg, server.major, inputs.filters);
        // what the backup keeps that needs what it leaves out (u49 F4), and what the role may not
        // read that kept tables reference (for pg_dump's "permission denied" advice: u49 F1)
        // and with schemas or tables, the foreign keys onto a table the selection leaves out
        // (Supabase's public.profiles \u2192 auth.users: trial u53 F2)
        const leftOut = hasExcludes(inputs)
            ? await log/* log */.Rm.group('Check the exclude patterns', async () => {
                await warnUnmatchedExcludes(pg, inputs);
                return warnLeftOutDependencies(pg, inputs);
            })
            : hasSelection(inputs)
                ? await log/* log */.Rm.group('Check what the selection leaves out', () => warnLeftOutDependencies(pg, inputs))
                : [];
        denied = await unreadableReferenced(pg, inputs.filters).catch(() => undefined);
        const pgDump = await log/* log */.Rm.group('Choose pg_dump', async () => {
            const install = await (0,clients/* chooseDumpClient */.N8)(server.major, server.version, {
                discovered,
                pgBinDir: inputs.pgBinDir,
                postgresVersion: inputs.postgresVersion,
                installClient: inputs.installClient,
                requires: [...(0,postgres_connection/* libpqRequirements */.$Y)(connection), ...(0,clients/* pgDumpOptionRequirements */.TC)(inputs.pgDumpArgs)]
            });
            log/* log */.Rm.info(`${(0,clients/* programPath */.kx)(install, 'pg_dump')}: ${install.versionText}`);
            return install;
        });
        const { exists } = nameLookup
            ? await log/* log */.Rm.group('Check the artifact name', async () => {
                const result = await nameLookup;
                if (result.warning)
                    log/* log */.Rm.warning(result.warning);
                else
                    log/* log */.Rm.info(result.exists
                        ? `'${artifactName}' exists in this run; it will be replaced once the new backup is ready (overwrite: true).`
                        : `'${artifactName}' is free in this run.`);
                return result;
            })
            : { exists: false };
        workDir = await (0,storage_local/* makeWorkDir */.dW)('pg-backup-', deps.tempRoot);
        const date = now();
        const ext = backupExtension(inputs.format, inputs.compression, inputs.encryption !== undefined);
        const fileName = backupFileName(server.database, date, ext);
        destinations = await openDestinations({
            fileName,
            workDir,
            local,
            artifact: client && {
                client,
                name: inputs.artifactName,
                retentionDays: retention.days,
                // the upload reads the zip as it is written, unless an artifact is to be replaced: that
                // one is deleted only once the new backup is whole (so the zip is written to a file first)
                live: !(inputs.overwrite && exists !== false),
                replaceExisting: inputs.overwrite ? exists : false
            },
            sign: inputs.signingKey
                ? (json) => (0,signing/* signManifest */.TX)(inputs.signingKey, json, JSON.parse(json).file.sha256)
                : undefined,
            s3: s3 && {
                storage: s3,
                bucket: inputs.s3.bucket,
                key: backupKey(inputs.s3.prefix, server.database, date, ext),
                tags: retention.tags
            }
        });
        // read before the snapshot session takes the connection: which tables' rows policies filter
        const rowSecurity = enablesRowSecurity(inputs.pgDumpArgs)
            ? await (0,postgres_session.rowSecurityTables)(pg)
            : undefined;
        const bound = await (0,postgres_session.lockBound)(pg, inputs.lockTimeoutMs, inputs.pgDumpArgs);
        const noRoom = await room;
        if (noRoom !== undefined) {
            log/* log */.Rm.info(`No room for pg_dump's ${dumpSessions > 1 ? `${dumpSessions} sessions (its leader's and one per job)` : 'session'} beside the action's own (${noRoom}): the action ends its session while pg_dump runs (as pg_dump by hand${dumpSessions > 1 ? '' : ', one session'}), and opens one again after it. The rows are counted right after the dump, not in its snapshot, and pg_dump's lock waits are not watched.`);
            pgOpen = false;
            await pg.end().catch(() => undefined);
        }
        else {
            // pg_dump --serializable-deferrable cannot import a snapshot (PostgreSQL: "a
            // snapshot-importing transaction must not be READ ONLY DEFERRABLE"; attacker a98 F3: the
            // dump failed): none is exported, and the counts are said not to be in its snapshot
            session = await postgres_session.SnapshotSession.open(pg, {
                exportSnapshot: !serializableDeferrable(inputs.pgDumpArgs)
            });
            if (!session.snapshotId) {
                log/* log */.Rm.info('The server cannot export a snapshot; row counts are taken right after the dump.');
            }
        }
        const during = session;
        // the tables whose data is in the dump are counted (in its snapshot) once its table of
        // contents names them: while the data streams for a custom archive, else after the dump
        let counting;
        const startCounting = (tables) => {
            if (inputs.rowCounts !== 'exact' || !during?.snapshotId || counting)
                return;
            counting = during.countRows(tables, bound);
            counting.catch(() => undefined); // awaited later; avoid an unhandled rejection meanwhile
        };
        const { sinks } = destinations;
        const directory = inputs.format === 'directory' ? external_node_path_default().join(workDir, 'dump.dir') : undefined;
        const args = (0,dump/* buildPgDumpArgs */.nN)({
            format: inputs.format,
            filters: inputs.filters,
            extraArgs: inputs.pgDumpArgs,
            snapshotId: session?.snapshotId,
            directory,
            jobs: inputs.jobs
        });
        // the dump's stages hold little on the heap: what start-up grew of it is given back first
        (0,memory/* reduceHeap */.ti)();
        const dumped = await log/* log */.Rm.group(`Dump to ${fileName}`, () => watchLockWaits(during, () => (0,dump/* dumpDatabase */.m3)({
            pgDumpPath: (0,clients/* programPath */.kx)(pgDump, 'pg_dump'),
            pgRestorePath: (0,clients/* programPath */.kx)(pgDump, 'pg_restore'),
            args,
            env: (0,postgres_connection/* libpqEnvironment */.SQ)(connection, {
                connectTimeoutSeconds: inputs.connectTimeoutSeconds
            }),
            format: inputs.format,
            directory,
            sinks,
            compression: inputs.compression,
            compressionLevel: inputs.compressionLevel,
            encryption: inputs.encryption,
            knownTables: server.tables,
            estimateBytes: server.sizeBytes,
            onDataTables: startCounting
        })));
        const dataTables = await log/* log */.Rm.group('Check the archive', async () => {
            // wholeness (output, trailer, pg_restore --list) was checked before the stream could end
            if (dumped.checked)
                log/* log */.Rm.info(dumped.checked);
            if (dumped.warning)
                log/* log */.Rm.warning(dumped.warning);
            return dumped.dataTables;
        });
        const filtered = filteredByRowSecurity(rowSecurity, dataTables);
        // no room for it during the dump: the session again, in a transaction with no snapshot of
        // the dump's (the counts are said not to be in it)
        if (!during) {
            later = await connectAs(connection, inputs);
            session = await postgres_session.SnapshotSession.open(later, { exportSnapshot: false });
        }
        const snapshot = session;
        const rowCounts = await log/* log */.Rm.group('Count rows', async () => {
            const counts = await (0,postgres_session.dumpRowCounts)(inputs.rowCounts, snapshot, counting, dataTables, server, bound);
            log/* log */.Rm.info(inputs.rowCounts === 'none'
                ? `Row counts are off (row-counts: none); ${(0,log/* plural */.LS)(counts.tables.length, 'table')} in the dump.`
                : `${(0,log/* plural */.LS)(counts.tables.length, 'table')}, ${(0,log/* plural */.LS)(counts.totalRows ?? '?', 'row')} (${inputs.rowCounts}).`);
            return counts;
        });
        // each table's columns, in the snapshot: a column a later backup lacks is named then
        const columns = await snapshot.columnsOf(rowCounts.tables).catch((error) => {
            log/* log */.Rm.info(`The tables' columns could not be read (${error.message}): the next backup's comparison names no column this one had.`);
            return undefined;
        });
        // within a budget: the manifest's reader takes at most 4 MiB (a schema per tenant, with
        // thousands of wide tables, wrote 5 MB that check then refused: attacker a64 F1)
        const unlisted = columns ? (0,src_manifest/* listColumns */.Ux)(rowCounts.tables, columns, src_manifest/* COLUMNS_BUDGET_BYTES */.__) : 0;
        if (unlisted > 0)
            log/* log */.Rm.info(`The manifest lists the columns of ${(0,log/* plural */.LS)(rowCounts.tables.length - unlisted, 'table')}, not of ${unlisted} more (it keeps at most ${(0,log/* formatBytes */.z3)(src_manifest/* COLUMNS_BUDGET_BYTES */.__)} of column names): a column dropped from those is not named by the next backup's comparison.`);
        const objects = unfiltered(inputs) ? await snapshot.countObjects() : undefined;
        // what a restore's target must offer: a word in the manifest, never a reason to fail
        const extensions = await snapshot.listExtensions().catch(() => undefined);
        await snapshot.close();
        session = undefined;
        const globals = inputs.globals
            ? await log/* log */.Rm.group('Dump the roles', () => dumpRoles((0,clients/* programPath */.kx)(pgDump, 'pg_dumpall'), (0,postgres_connection/* libpqEnvironment */.SQ)(connection, { connectTimeoutSeconds: inputs.connectTimeoutSeconds }), connection.database, fileName, inputs.encryption))
            : undefined;
        const manifest = (0,src_manifest/* backupManifest */.i5)(inputs, {
            createdAt: now(),
            github: currentRun(),
            database: {
                name: server.database,
                host: connection.host,
                port: connection.port,
                sizeBytes: server.sizeBytes,
                locale,
                session: outputSettings,
                identity
            },
            server: { version: server.version, versionNum: server.versionNum, major: server.major },
            pgDump: { version: pgDump.version, major: pgDump.major },
            file: { name: fileName, sizeBytes: dumped.fileBytes, sha256: dumped.sha256 },
            rawSizeBytes: dumped.rawBytes,
            rowCounts,
            objects,
            extensions,
            retention: retention.tier,
            pgDumpArgs: args
        });
        if (globals && 'file' in globals)
            manifest.globals = globals.manifest;
        if (filtered)
            manifest.rowSecurity = filtered;
        let clear;
        if (previous && inputs.changes) {
            await log/* log */.Rm.group('Compare with the previous backup', async () => {
                const found = await previous;
                for (const line of found.lines ?? [])
                    log/* log */.Rm.info(line);
                if ('none' in found) {
                    log/* log */.Rm.info(found.none);
                    return;
                }
                if ('skipped' in found) {
                    changesSkipped = found.skipped;
                    log/* log */.Rm.warning(`The comparison with the previous backup is skipped: ${found.skipped}.`);
                    return;
                }
                manifest.changes = (0,manifest_changes/* compareManifests */.kK)(manifest, found.manifest, inputs.changes.rowLossPercent);
                log/* log */.Rm.info((0,manifest_changes/* describeChanges */.DT)(manifest.changes, found.artifact.runId));
                if (manifest.changes.moved)
                    log/* log */.Rm.notice(`${manifest.changes.moved.charAt(0).toUpperCase()}${manifest.changes.moved.slice(1)} (moving day or an upgrade: check that database-url names the database meant).`);
                for (const warning of (0,manifest_changes/* changeWarnings */.w1)(manifest.changes))
                    log/* log */.Rm.warning(warning);
                clear = (0,manifest_changes/* encryptionDropped */.md)(manifest, found.manifest);
                if (clear)
                    log/* log */.Rm.warning(`${clear}.`);
            });
        }
        // the manifests are written with the time taken so far
        const where = await destinations.complete(() => Object.assign(manifest, { durationSeconds: seconds() }), globals && 'file' in globals ? [globals.file] : []);
        return {
            ...where,
            storage: await describeStorage(storage, manifest.file.sizeBytes, retention.days),
            fileName,
            retentionDays: retention.days,
            manifest,
            serverVersion: server.version,
            pgDumpVersion: pgDump.version,
            durationSeconds: seconds(),
            changesSkipped,
            ...(inputs.signingKey ? { signed: true } : {}),
            ...(clear ? { encryptionDropped: clear } : {}),
            ...(unrestorable.length + leftOut.length > 0 || dumped.warning
                ? { warnings: [...unrestorable, ...leftOut, ...(dumped.warning ? [dumped.warning] : [])] }
                : {}),
            globals: globals === undefined
                ? undefined
                : 'file' in globals
                    ? { roles: globals.manifest.roles, name: globals.manifest.name }
                    : { missing: globals.missing }
        };
    }
    catch (error) {
        // counts no one will read are not waited for
        session?.abandon();
        const locked = (0,dump/* withDeniedFacts */.d)(session ? await explainLockFailure(error, session, inputs.pgDumpArgs) : error, denied);
        const explained = pgOpen ? await explainUnreadable(locked, pg, inputs, denied) : locked;
        const undone = (await destinations?.abort()) ?? [];
        // what reached storage before the failure, for the failure summary (main.ts)
        if (undone.length > 0 && explained instanceof Error) {
            Object.assign(explained, { undone: undone.join(' ') });
        }
        throw explained;
    }
    finally {
        if (session)
            await session.close();
        if (pgOpen)
            await pg.end().catch(() => undefined);
        await later?.end().catch(() => undefined);
        if (workDir)
            await (0,promises_.rm)(workDir, { recursive: true, force: true });
    }
}
/**
 * globals: true \u2014 pg_dumpall --globals-only --no-role-passwords with the pg_dumpall beside the
 * chosen pg_dump, encrypted like the dump. A server that does not let the role read the roles
 * (or a pg-bin-dir without pg_dumpall) warns: the database's backup is whole without them.
 */
async function dumpRoles(pgDumpall, env, database, dumpFileName, encryption) {
    log/* log */.Rm.info(`${pgDumpall} --globals-only --no-role-passwords --no-password --database=${database}`);
    const dumped = await (0,globals/* dumpGlobals */.fB)(pgDumpall, env, database);
    if (!dumped.ok) {
        log/* log */.Rm.warning(`globals: true \u2014 the roles were not backed up: ${dumped.reason}. The database's backup is complete without them; a restore with create-roles: true has no roles to create. Give pg_dumpall (beside pg_dump, input pg-bin-dir) and a role that may read pg_roles.`);
        return { missing: dumped.reason };
    }
    let roles = [];
    try {
        roles = (0,globals/* parseGlobals */.O0)(dumped.sql).roles.map(r => r.name);
    }
    catch (error) {
        // stored as pg_dumpall wrote it; a restore with create-roles will refuse it, so say so now
        log/* log */.Rm.warning(`globals: true \u2014 pg_dumpall's output holds what a restore with create-roles refuses (${error.message}); it is stored, but create-roles cannot use it. Please report this with your pg_dumpall version.`);
    }
    const data = encryption
        ? await (0,consumers_.buffer)(external_node_stream_.Readable.from([dumped.sql]).pipe((0,encrypt/* createEncryptor */.Dm)(encryption)))
        : dumped.sql;
    const name = (0,globals/* globalsFileName */.yL)(dumpFileName, encryption !== undefined);
    log/* log */.Rm.info(`${(0,log/* plural */.LS)(roles.length, 'role')} (${roles.join(', ')}); stored beside the dump as ${name}${encryption ? ', encrypted like it' : ''}. No passwords.`);
    return {
        file: { name, data },
        manifest: {
            name,
            sizeBytes: data.length,
            sha256: (0,external_node_crypto_.createHash)('sha256').update(data).digest('hex'),
            roles
        }
    };
}
async function readServer(pg) {
    const info = await (0,postgres_session.readServerInfo)(pg);
    log/* log */.Rm.info(`PostgreSQL ${info.version}; database '${info.database}', ${(0,log/* formatBytes */.z3)(info.sizeBytes)}, ${(0,log/* plural */.LS)(info.tables.length, 'table')}`);
    if (info.inRecovery)
        log/* log */.Rm.info('The server is a standby (in recovery).');
    if (info.timeouts.statement !== '0' || info.timeouts.idleInTransaction !== '0') {
        log/* log */.Rm.info(`The server sets statement_timeout=${info.timeouts.statement}, idle_in_transaction_session_timeout=${info.timeouts.idleInTransaction}; both are turned off for the dump's sessions.`);
    }
    return info;
}
/**
 * Warns of each function of the user's that a restore of this backup runs with an empty
 * search_path and that fails there, or may (postgres/restorability.ts): pg_dump dumps it without
 * a word. The backup goes on whatever the check finds, and when the check itself fails.
 */
async function warnUnrestorable(client, major, filters) {
    const found = await checkRestorability(client, major, filters).catch((error) => {
        log/* log */.Rm.info(`The functions that CHECK constraints, generated columns, indexes and materialized views call were not checked for names a restore cannot resolve (${error.message}); the backup goes on.`);
        return undefined;
    });
    if (!found)
        return [];
    for (const warning of found.warnings)
        log/* log */.Rm.warning(warning);
    if (found.unchecked)
        log/* log */.Rm.info(found.unchecked);
    return found.warnings;
}
/**
 * The role pg_dump's --role sets (getopt_long takes --rol and --role; --ro is ambiguous with
 * --rows-per-insert), or undefined: pg_dump runs SET ROLE after it connects, so its reads are
 * that role's (its privileges, its row-security policies).
 */
function dumpRole(pgDumpArgs) {
    let role;
    for (const arg of pgDumpArgs) {
        const m = /^--rol(?:e)?=([^]*)$/.exec(arg);
        if (m)
            role = m[1];
    }
    return role;
}
/**
 * A session of the backup's own, as the role pg_dump reads as: with --role in pg-dump-args, SET
 * ROLE as pg_dump does (attacker a98 F2: the row counts and the row-security check were the
 * login role's, a superuser's, while pg_dump dumped as --role's, whose policy kept half the rows:
 * the manifest's "exact" counts were not the dump's).
 */
async function connectAs(connection, inputs) {
    const client = await (0,postgres_session.connect)(connection, inputs.connectTimeoutSeconds);
    const role = dumpRole(inputs.pgDumpArgs);
    if (role !== undefined) {
        try {
            await client.query(`SET ROLE ${(0,sql_names/* quoteIdent */.v4)(role)}`);
        }
        catch (error) {
            await client.end().catch(() => undefined);
            throw new errors/* SettingError */.L_(undefined, `pg-dump-args sets --role=${role}, and the role in database-url may not act as it (SET ROLE: ${error.message}), as pg_dump would fail too. Grant it that role (GRANT ${(0,sql_names/* quoteIdent */.v4)(role)} TO <login role>), or leave --role out.`);
        }
    }
    return client;
}
/** Whether pg_dump's arguments ask for --serializable-deferrable (--ser\u2026 is its unique prefix). */
function serializableDeferrable(pgDumpArgs) {
    return pgDumpArgs.some(arg => arg.startsWith('--ser') && '--serializable-deferrable'.startsWith(arg));
}
/** Whether pg_dump's arguments turn row security on (getopt_long takes a unique prefix). */
function enablesRowSecurity(pgDumpArgs) {
    return pgDumpArgs.some(arg => arg.startsWith('--enable-r') && '--enable-row-security'.startsWith(arg));
}
/**
 * --enable-row-security: the tables in the dump whose rows policies filtered for the role, said
 * in a warning (the job summary and the manifest say it too): their rows, and their counts
 * (taken as the same role), are those the role can see, not the table's.
 */
function filteredByRowSecurity(rowSecurity, dataTables) {
    if (!rowSecurity)
        return undefined;
    const inDump = new Set(dataTables.map(t => JSON.stringify([t.schema, t.name])));
    const tables = rowSecurity.tables.filter(t => inDump.has(JSON.stringify([t.schema, t.name])));
    if (tables.length === 0)
        return undefined;
    const names = tables.map(t => `${t.schema}.${t.name}`);
    log/* log */.Rm.warning(`pg_dump ran with --enable-row-security as role ${rowSecurity.role}, to which row-level security policies apply on ${(0,log/* plural */.LS)(tables.length, 'table')} in the backup: ${names.slice(0, 50).join(', ')}${names.length > 50 ? `, \u2026 and ${names.length - 50} more` : ''}. Their rows in the backup, and their row counts, are only those ${rowSecurity.role} can see; a restore gets no others. For whole tables back up with a role that has BYPASSRLS, or as their owner with the tables NO FORCE ROW LEVEL SECURITY.`);
    return { role: rowSecurity.role, tables };
}
function hasSelection(inputs) {
    return inputs.filters.schemas.length + inputs.filters.tables.length > 0;
}
function hasExcludes(inputs) {
    const f = inputs.filters;
    return f.excludeTables.length + f.excludeTableData.length + f.excludeSchemas.length > 0;
}
const PG_DUMP_EXCLUDE = {
    excludeTables: { option: '--exclude-table', what: 'table, view or sequence', effect: 'dumped' },
    excludeTableData: {
        option: '--exclude-table-data',
        what: 'table',
        effect: 'dumped with its rows'
    },
    excludeSchemas: { option: '--exclude-schema', what: 'schema', effect: 'dumped' }
};
/**
 * pg_dump takes an exclude pattern that matches nothing without a word (--strict-names covers
 * include patterns only), and so does the backup; but it says so: a misspelt or mis-split name
 * would otherwise leave data in the backup that was meant to stay out.
 */
async function warnUnmatchedExcludes(pg, inputs) {
    const unmatched = await (0,postgres_session.unmatchedExcludes)(pg, inputs.filters);
    for (const { option, pattern } of unmatched) {
        const about = PG_DUMP_EXCLUDE[option];
        log/* log */.Rm.warning(`The exclude pattern '${pattern}' (pg_dump ${about.option}) matches no ${about.what} in the database, so it excludes nothing: what it was meant to leave out is ${about.effect}. Check the name: quote mixed-case names and names with commas or spaces ("MyTable", "logs, archived"), and qualify them with their schema.`);
    }
    if (unmatched.length === 0)
        log/* log */.Rm.info('Every exclude pattern matches something in the database.');
}
/** At most this many of the backup's left-out dependencies are warned of one by one. */
const LEFT_OUT_WARNINGS = 20;
/**
 * What the backup keeps that needs what its exclude patterns (or schemas) leave out: a foreign
 * key onto a table left out, a view over one, a partition of a parent left out, a default,
 * constraint, index, trigger, policy, column type or function that needs a sequence, table or
 * schema left out (left-out.ts).
 * pg_dump dumps them without a word, and a restore in one transaction stops at the first (u49
 * F4); the backup goes on, as pg_dump by hand does, and the job summary repeats the warnings. A
 * `tables` or `schemas` selection leaves out everything else by design: only its foreign keys onto
 * what it leaves out are warned of (u53 F2). Undone quietly when the check itself fails.
 */
/**
 * A selection (schemas, tables) leaves the database's large objects out: pg_dump dumps them
 * only without one, or with --blobs / --large-objects (the same by hand). The warning, when the
 * database has some, with the option that keeps them (trial u62 F2: a documents.blob column
 * whose large objects no restore brings back).
 */
async function largeObjectsLeftOut(pg, inputs) {
    if (!hasSelection(inputs))
        return undefined;
    if (inputs.pgDumpArgs.some(a => /^(?:-b|--blobs|--large-objects|-s|--schema-only)$/.test(a)))
        return undefined;
    const count = await pg
        .query('SELECT pg_catalog.count(*)::pg_catalog.text AS n FROM pg_catalog.pg_largeobject_metadata')
        .then(r => Number(r.rows[0]?.n ?? 0), () => 0);
    if (count === 0)
        return undefined;
    return `The backup holds none of the database's ${(0,log/* plural */.LS)(count, 'large object')}: pg_dump leaves large objects out when tables or schemas select what it dumps (the same by hand), and a column that refers to one (an oid, lo) refers to nothing after a restore. To keep them, pass pg-dump-args: --blobs.`;
}
async function warnLeftOutDependencies(pg, inputs) {
    const found = await leftOutDependencies(pg, inputs.filters).catch((error) => {
        log/* log */.Rm.info(`What the backup keeps that needs what it leaves out (foreign keys, views, partitions, defaults, constraints, indexes, triggers, policies, column types, functions) was not checked (${error.message}); the backup goes on.`);
        return undefined;
    });
    if (!found)
        return [];
    // a selection (schemas, tables) leaves out everything else by design: only its foreign keys
    // onto what it leaves out are warned of (a restore stops on them where the target lacks the
    // rows), and with exclude patterns what needs a schema that schemas leaves out, as before
    const warnings = found
        .filter(d => d.kind === 'partition left out' || d.kind === 'child left out'
        ? false
        : d.by === 'tables' || d.by === 'schemas'
            ? // a partition or child kept without its parent: the restore stops at it (a100 F8)
                d.kind === 'foreign key' ||
                    d.kind === 'partition' ||
                    d.kind === 'child' ||
                    (d.by === 'schemas' && hasExcludes(inputs))
            : true)
        .map(leftOutWarning);
    // a parent that tables names without its partitions or children: their rows are not in the
    // backup (one warning per parent); not where pg-dump-args takes them (--table-and-children),
    // and not for schemas, which keep the parent's rows of its own schema (attacker a100 F6, F7)
    const parents = new Map();
    const withChildren = inputs.pgDumpArgs.some(a => /^--table-and-children\b/.test(a));
    for (const d of found) {
        if (d.kind !== 'partition left out' && d.kind !== 'child left out')
            continue;
        if (d.by !== 'tables' || withChildren)
            continue;
        const key = JSON.stringify([d.kind, d.dependent.schema, d.dependent.name]);
        parents.set(key, [...(parents.get(key) ?? []), d]);
    }
    warnings.unshift(...[...parents.values()].map(childrenLeftOutWarning));
    const objects = await largeObjectsLeftOut(pg, inputs);
    const shown = [...(objects ? [objects] : []), ...warnings.slice(0, LEFT_OUT_WARNINGS)];
    if (warnings.length > LEFT_OUT_WARNINGS)
        shown.push(`\u2026 and ${warnings.length - LEFT_OUT_WARNINGS} more foreign keys, views, partitions, defaults, constraints, indexes, triggers, policies, columns or functions of the backup that need what it leaves out: this backup will not restore in one transaction into a database that lacks those.`);
    for (const warning of shown)
        log/* log */.Rm.warning(warning);
    if (warnings.length === 0)
        log/* log */.Rm.info('Nothing the backup keeps (foreign keys, views, partitions, defaults, constraints, indexes, triggers, policies, column types, functions) needs what it leaves out.');
    return shown;
}
function unfiltered(inputs) {
    return Object.values(inputs.filters).every(list => list.length === 0);
}
/**
 * Runs the dump and, while it runs, asks every 2 s whether pg_dump waits for a lock (it takes
 * them all before it writes, and says nothing while it waits): the log says on what and for
 * whom, once for each change. A question waits while the session counts rows.
 */
async function watchLockWaits(
/** The session that asks (none: no room for it, the dump runs unwatched). */
session, dump) {
    if (!session)
        return dump();
    let last = '';
    let stopped = false;
    let asking = false;
    const poll = async () => {
        if (asking)
            return; // the session is busy (counting): ask again later
        asking = true;
        const waits = await session.dumpLockWaits().catch(() => []);
        asking = false;
        if (stopped)
            return;
        const text = waits
            .map(w => `${w.table.schema}.${w.table.name}: ${w.blockers.map(locks/* describeBlocker */.Gj).join('; ')}`)
            .join(' | ');
        if (text && text !== last) {
            log/* log */.Rm.info(`pg_dump waits for a lock on ${text}.`);
        }
        last = text;
    };
    const timer = setInterval(() => void poll(), LOCK_POLL_MS);
    try {
        return await dump();
    }
    finally {
        stopped = true;
        clearInterval(timer);
    }
}
const LOCK_POLL_MS = 2000;
/**
 * pg_dump gave up waiting for a lock (its --lock-wait-timeout): the error names the tables and
 * the sessions that hold them, read from pg_locks while the holder likely still holds it.
 */
async function explainLockFailure(error, session, pgDumpArgs) {
    if (!(error instanceof dump/* DumpError */.tR))
        return error;
    const lock = /LOCK TABLE (.+?) IN ACCESS SHARE MODE/.exec(error.stderr);
    if (!lock || !/canceling statement due to (statement|lock) timeout/.test(error.stderr)) {
        return error;
    }
    const held = [];
    for (const table of (0,dump/* qualifiedNames */.re)(lock[1])) {
        const blockers = await session.tableBlockers(table).catch(() => []);
        if (blockers.length > 0) {
            held.push(`${table.schema}.${table.name} is locked by ${blockers.map(locks/* describeBlocker */.Gj).join('; ')}`);
        }
    }
    const given = pgDumpArgs
        .map(arg => /^--lock-wait-timeout=(.*)$/.exec(arg)?.[1])
        .filter(v => v !== undefined)
        .pop();
    return new dump/* DumpError */.tR(`pg_dump gave up waiting for a lock${given ? ` (--lock-wait-timeout=${given})` : ''}: ${held.length > 0 ? held.join('. ') : `a session held a lock on ${lock[1]} and has let go since`}. Nothing was uploaded. Run the backup when that session has finished (or end it: SELECT pg_terminate_backend(pid)), or give pg_dump longer (--lock-wait-timeout in pg-dump-args).`, error.stderr, { cause: error });
}
/**
 * pg_dump stopped at the first table or sequence the role may not read: the error names every
 * one the backup includes (unreadableRelations), with one GRANT for them all to the role itself,
 * and says what leaving each out costs \u2014 a partition's rows missing from its partitioned table,
 * a table's own sequence (trial u49 F1: four runs, "TO <role>", "exclude-schemas: public").
 */
async function explainUnreadable(error, client, inputs, 
/** What the session read before the dump: the tables kept tables reference by a foreign key. */
denied) {
    if (!(error instanceof dump/* DumpError */.tR))
        return error;
    if (!/permission denied for (?:table|sequence|schema) /.test(error.stderr))
        return error;
    const found = await (0,postgres_session.unreadableRelations)(client, inputs.filters).catch(() => []);
    const role = await client
        .query('SELECT current_user::text AS me')
        .then(r => r.rows[0]?.me)
        .catch(() => undefined);
    if (found.length === 0 || !role)
        return error;
    const at = error.message.search(/ The role in database-url(?:, [^ ]+,)? may not (?:read|use) /);
    const head = at < 0 ? error.message : error.message.slice(0, at);
    const shown = found.slice(0, 20);
    const name = (r) => (0,sql_names/* quoteQualified */.$s)(r);
    const each = shown.map(r => r.partitionOf
        ? `${name(r)} (a partition of ${r.partitionOf}: a grant on that table does not reach it for pg_dump)`
        : r.ownedBy
            ? `${name(r)} (the sequence of ${r.ownedBy}: it goes with its table, grant it)`
            : `${r.kind} ${name(r)}`);
    // a table kept tables reference by a foreign key: leaving it out makes a backup that does not
    // restore (u49 F4) \u2014 the grant only
    const referencing = (r) => denied?.referenced.get(name(r)) ?? [];
    const needed = shown.filter(r => referencing(r).length > 0);
    const leaveOut = shown.filter(r => !r.partitionOf && !r.ownedBy && referencing(r).length === 0);
    // the schemas it may not use: pg_dump stops there first (attacker a81 F8)
    const usage = [...new Set(found.filter(r => !r.usable).map(r => r.schema))]
        .map(n => `GRANT USAGE ON SCHEMA ${(0,sql_names/* quoteIdent */.v4)(n)} TO ${(0,sql_names/* quoteIdent */.v4)(role)}; `)
        .join('');
    // a whole schema only where it is not the app's own (Supabase's vault, never public)
    const schemas = [...new Set(leaveOut.map(r => r.schema))].filter(n => n !== 'public');
    // the roles that own them (none a superuser): membership in them reads them all, the one
    // GRANT an RDS or Neon admin role may give itself (trial u51 F5)
    const owners = found.every(r => r.owner !== undefined)
        ? [...new Set(found.map(r => r.owner))].filter(o => o !== role)
        : [];
    const member = owners.length > 0 && owners.length <= 5
        ? ` Simplest, where ${(0,sql_names/* quoteIdent */.v4)(role)} may be made a member of ${owners.length === 1 ? 'their owner' : 'their owners'} (a role with CREATEROLE and ADMIN on ${owners.length === 1 ? 'it' : 'them'}, such as a managed service's admin role): ${owners.map(o => `GRANT ${(0,sql_names/* quoteIdent */.v4)(o)} TO ${(0,sql_names/* quoteIdent */.v4)(role)};`).join(' ')} \u2014 it then reads all of them.`
        : '';
    const unique = (names) => [...new Set(names)];
    return new dump/* DumpError */.tR(`${head} The role ${(0,sql_names/* quoteIdent */.v4)(role)} may not read ${found.length === 1 ? 'this' : `these ${found.length}`} of what the backup includes (pg_dump stops at the first one; by hand too): ${each.join(', ')}${found.length > shown.length ? `, \u2026 and ${found.length - shown.length} more` : ''}. Nothing was uploaded.${member} Let it read them, as their owner: ${usage}GRANT SELECT ON ${unique(shown.map(name)).join(', ')} TO ${(0,sql_names/* quoteIdent */.v4)(role)}${leaveOut.length > 0 ? ` \u2014 or leave ${leaveOut.length === 1 ? 'that table' : 'those tables'} out (exclude-tables: ${unique(leaveOut.map(name)).join(',')})${schemas.length > 0 ? `, or ${schemas.length === 1 ? 'its schema' : 'their schemas'} whole (exclude-schemas: ${schemas.map(sql_names/* quoteIdent */.v4).join(',')})` : ''}, if no table the backup keeps needs ${leaveOut.length === 1 ? 'it' : 'them'} (a foreign key onto a table left out fails the restore)` : ''}.${needed.length > 0 ? ` Leaving out ${needed.map(r => `${name(r)} (referenced by a foreign key of ${referencing(r).slice(0, 5).join(', ')})`).join(', ')} makes a backup that does not restore \u2014 grant ${needed.length === 1 ? 'it' : 'them'}, or leave out the tables that refer to ${needed.length === 1 ? 'it' : 'them'} too (exclude-tables: ${unique([...needed.map(name), ...needed.flatMap(r => referencing(r).slice(0, 5))]).join(',')}); leaving out only the rows (exclude-table-data) does not serve either: the key is checked against the rows that refer to them as a restore adds it.` : ''}`, error.stderr, { cause: error });
}
/** retention-schedule picks the tier from the run's UTC date; the artifact follows it. */
function chooseRetention(inputs, date) {
    if (!inputs.retentionSchedule) {
        // above the repository's maximum the artifact client keeps it that long: said, and the
        // summary's days and storage estimate are the days it is kept (trial u37 F2)
        const kept = (0,retention/* artifactRetentionDays */.M1)(inputs.retentionDays);
        if (kept.capped && inputs.artifact !== false) {
            log/* log */.Rm.notice(`retention-days is ${inputs.retentionDays}; the artifact is kept ${kept.days} days, the most this repository allows (GITHUB_RETENTION_DAYS; GitHub: 90 days for public, 400 for private repositories, less where the repository or organization settings say so). For longer, keep copies in S3 (s3-uri) with retention-schedule.`);
        }
        return { days: kept.days };
    }
    const tier = (0,retention/* retentionTier */.v$)(date, inputs.retentionSchedule);
    const artifactDays = (0,retention/* artifactRetentionDays */.M1)(tier.days);
    if (artifactDays.capped && inputs.artifact !== false) {
        log/* log */.Rm.notice(`The ${tier.tier} tier keeps backups ${tier.days} days; the artifact is kept ${artifactDays.days} days, the most this repository allows (GitHub: 90 days for public, 400 for private repositories; the S3 copy follows the schedule through its lifecycle rule).`);
    }
    log/* log */.Rm.info(`Retention tier for ${date.toISOString().slice(0, 10)}: ${tier.tier} (${tier.days} days)`);
    return { days: artifactDays.days, tier, tags: { retention: tier.tier } };
}
/** GitHub Free's artifact and package storage for private repositories, in bytes. */
const FREE_STORAGE_BYTES = 500 * 1024 * 1024;
/**
 * The storage arithmetic for the summary: what the backups take now and will take with a backup
 * a day kept `retentionDays`; a warning when that exceeds GitHub Free's 500 MB on a private
 * repository (public repositories are not billed for artifact storage).
 */
async function describeStorage(storage, fileBytes, retentionDays) {
    const now = storage ? await storage : undefined;
    if (!now)
        return undefined;
    const estimate = {
        count: now.count,
        bytes: now.bytes,
        steadyBytes: fileBytes * retentionDays,
        visibility: repositoryVisibility()
    };
    log/* log */.Rm.info(`Backup artifacts of this name: ${now.count} before this one, ${(0,log/* formatBytes */.z3)(now.bytes)}; with a backup a day kept ${retentionDays} days they settle at about ${(0,log/* formatBytes */.z3)(estimate.steadyBytes)}.`);
    if (estimate.visibility !== 'public' && estimate.steadyBytes > FREE_STORAGE_BYTES) {
        log/* log */.Rm.warning(`Daily backups of this size kept ${retentionDays} days take about ${(0,log/* formatBytes */.z3)(estimate.steadyBytes)} of artifact storage, more than the 500 MB GitHub Free includes for private repositories (then billed per GB-month). Lower retention-days, use retention-schedule with S3 for long-term copies, or check your plan's storage.`);
    }
    return estimate;
}
/**
 * `promise`, or `late(ms)` once `ms` milliseconds passed without it settling (the promise is left
 * to settle unheeded; the timer does not keep the process alive).
 */
function withinTime(promise, ms, late) {
    let timer;
    const expired = new Promise(resolve => {
        timer = setTimeout(() => resolve(late(ms)), ms);
        timer.unref();
    });
    return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}


/***/ }),

/***/ 52373:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   MN: () => (/* binding */ artifactStorage),
/* harmony export */   Pw: () => (/* binding */ previousBackupManifest),
/* harmony export */   YT: () => (/* binding */ readArtifactManifestFile)
/* harmony export */ });
/* unused harmony exports RemoteManifestError, readArtifactManifest, previousUnreadable */
/* harmony import */ var node_zlib__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(38522);
/* harmony import */ var node_zlib__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_zlib__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(83916);
/* harmony import */ var _log_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(25625);
/* harmony import */ var _manifest_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(12880);
/* harmony import */ var _artifact_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(85920);
/* harmony import */ var _signing_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(65934);






/** A manifest larger than this is refused (ours are a few KB; a hostile one is not read). */
const MANIFEST_LIMIT = 4 * 1024 * 1024;
/** The end of central directory record, and the most a zip comment can add to it. */
const EOCD_SIZE = 22;
const TAIL_BYTES = EOCD_SIZE + 0xffff + 20;
/** Each request's time limit, in milliseconds. */
const REQUEST_TIMEOUT_MS = 30_000;
class RemoteManifestError extends _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .EngineError */ .NJ {
    constructor(message) {
        super(message);
        this.name = 'RemoteManifestError';
    }
}
/** Reads manifest.json out of the artifact's zip by range requests; never the dump. */
async function readArtifactManifest(found, token, apiUrl = process.env.GITHUB_API_URL || 'https://api.github.com') {
    return (await readArtifactManifestFile(found, token, { apiUrl })).manifest;
}
/**
 * manifest.json \u2014 and with `signature`, manifest.json.sig (at most MAX_SIGNATURE_BYTES) \u2014 out of
 * the artifact's zip by range requests; never the dump.
 */
async function readArtifactManifestFile(found, token, options = {}) {
    const apiUrl = options.apiUrl ?? (process.env.GITHUB_API_URL || 'https://api.github.com');
    const blob = await blobUrl(found, token, apiUrl);
    const size = found.size ?? (await blobSize(blob));
    const tailStart = Math.max(0, size - TAIL_BYTES);
    const tail = await readRange(blob, tailStart, size - tailStart);
    const { cdOffset, cdSize } = await findCentralDirectory(blob, tail, tailStart);
    const cd = cdOffset >= tailStart
        ? tail.subarray(cdOffset - tailStart, cdOffset - tailStart + cdSize)
        : await readRange(blob, cdOffset, cdSize);
    const entry = findEntry(cd, _manifest_js__WEBPACK_IMPORTED_MODULE_3__/* .MANIFEST_FILE */ .h1);
    if (!entry) {
        throw new RemoteManifestError(`artifact ${found.id} has no ${_manifest_js__WEBPACK_IMPORTED_MODULE_3__/* .MANIFEST_FILE */ .h1}`);
    }
    const content = await readEntry(blob, found, _manifest_js__WEBPACK_IMPORTED_MODULE_3__/* .MANIFEST_FILE */ .h1, entry, MANIFEST_LIMIT);
    let json;
    try {
        json = JSON.parse(content.toString('utf8'));
    }
    catch (error) {
        throw new RemoteManifestError(`the ${_manifest_js__WEBPACK_IMPORTED_MODULE_3__/* .MANIFEST_FILE */ .h1} of artifact ${found.id} is not JSON: ${error.message}`);
    }
    const result = { manifest: (0,_manifest_js__WEBPACK_IMPORTED_MODULE_3__/* .parseManifest */ .Ng)(json), manifestBytes: content };
    const signatureEntry = options.signature ? findEntry(cd, _signing_js__WEBPACK_IMPORTED_MODULE_5__/* .SIGNATURE_FILE */ .I9) : undefined;
    if (signatureEntry) {
        result.signature = await readEntry(blob, found, _signing_js__WEBPACK_IMPORTED_MODULE_5__/* .SIGNATURE_FILE */ .I9, signatureEntry, _signing_js__WEBPACK_IMPORTED_MODULE_5__/* .MAX_SIGNATURE_BYTES */ .my);
    }
    return result;
}
/** One entry's content (stored or deflated), refused when larger than `limit` bytes. */
async function readEntry(blob, found, name, entry, limit) {
    if (entry.compressedSize > limit || entry.size > limit) {
        throw new RemoteManifestError(`the ${name} of artifact ${found.id} is ${entry.size} bytes: not a ${name} of this action`);
    }
    // the local header's name and extra field may differ in length from the central directory's
    const head = await readRange(blob, entry.localOffset, 30 + 0xffff * 2 + entry.compressedSize);
    if (head.readUInt32LE(0) !== 0x04034b50) {
        throw new RemoteManifestError(`artifact ${found.id}: ${name} has no local header`);
    }
    const start = 30 + head.readUInt16LE(26) + head.readUInt16LE(28);
    const data = head.subarray(start, start + entry.compressedSize);
    if (entry.method === 0)
        return data;
    if (entry.method === 8)
        return (0,node_zlib__WEBPACK_IMPORTED_MODULE_0__.inflateRawSync)(data, { maxOutputLength: limit });
    throw new RemoteManifestError(`artifact ${found.id}: ${name} uses zip method ${entry.method}`);
}
/** The signed blob URL the REST API redirects the zip's download to. */
async function blobUrl(found, token, apiUrl) {
    const url = `${apiUrl.replace(/\/+$/, '')}/repos/${found.repository}/actions/artifacts/${found.id}/zip`;
    const response = await fetch(url, {
        redirect: 'manual',
        headers: {
            authorization: `Bearer ${token}`,
            accept: 'application/vnd.github+json',
            'x-github-api-version': '2022-11-28'
        },
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS)
    });
    await response.body?.cancel().catch(() => undefined);
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || !location) {
        throw new RemoteManifestError(`GitHub's API answered ${response.status} for the download of artifact ${found.id}${response.status === 403 || response.status === 404 ? " (the token needs 'actions: read')" : ''}`);
    }
    return new URL(location, url).href;
}
async function blobSize(url) {
    const response = await fetch(url, {
        headers: { range: 'bytes=0-0' },
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS)
    });
    await response.body?.cancel().catch(() => undefined);
    const total = /\/(\d+)$/.exec(response.headers.get('content-range') ?? '');
    if (!total)
        throw new RemoteManifestError('the artifact store does not tell its size');
    return Number(total[1]);
}
/** `length` bytes from `offset` (fewer at the blob's end). */
async function readRange(url, offset, length) {
    const response = await fetch(url, {
        headers: { range: `bytes=${offset}-${offset + length - 1}` },
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS)
    });
    if (response.status !== 206 && !(response.status === 200 && offset === 0)) {
        await response.body?.cancel().catch(() => undefined);
        throw new RemoteManifestError(`the artifact store answered ${response.status} to a range request`);
    }
    const body = Buffer.from(await response.arrayBuffer());
    return body.subarray(0, length);
}
/** The central directory's place, from the end record (ZIP64's when the zip needs it). */
async function findCentralDirectory(url, tail, tailStart) {
    let eocd = -1;
    for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
        if (tail.readUInt32LE(i) === 0x06054b50) {
            eocd = i;
            break;
        }
    }
    if (eocd < 0)
        throw new RemoteManifestError('the artifact is not a zip (no end record)');
    let cdSize = tail.readUInt32LE(eocd + 12);
    let cdOffset = tail.readUInt32LE(eocd + 16);
    if (cdOffset === 0xffffffff || cdSize === 0xffffffff) {
        const locator = eocd - 20;
        if (locator < 0 || tail.readUInt32LE(locator) !== 0x07064b50) {
            throw new RemoteManifestError('the artifact zip lacks its ZIP64 locator');
        }
        const recordOffset = Number(tail.readBigUInt64LE(locator + 8));
        const record = recordOffset >= tailStart
            ? tail.subarray(recordOffset - tailStart)
            : await readRange(url, recordOffset, 56);
        if (record.readUInt32LE(0) !== 0x06064b50) {
            throw new RemoteManifestError('the artifact zip lacks its ZIP64 end record');
        }
        cdSize = Number(record.readBigUInt64LE(40));
        cdOffset = Number(record.readBigUInt64LE(48));
    }
    return { cdOffset, cdSize };
}
function findEntry(cd, name) {
    let p = 0;
    while (p + 46 <= cd.length && cd.readUInt32LE(p) === 0x02014b50) {
        const nameLength = cd.readUInt16LE(p + 28);
        const extraLength = cd.readUInt16LE(p + 30);
        const commentLength = cd.readUInt16LE(p + 32);
        const entryName = cd.toString('utf8', p + 46, p + 46 + nameLength);
        if (entryName === name) {
            const entry = {
                method: cd.readUInt16LE(p + 10),
                compressedSize: cd.readUInt32LE(p + 20),
                size: cd.readUInt32LE(p + 24),
                localOffset: cd.readUInt32LE(p + 42)
            };
            readZip64Extra(cd.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength), entry);
            return entry;
        }
        p += 46 + nameLength + extraLength + commentLength;
    }
    return undefined;
}
/** ZIP64's extra field (id 1) holds, in this order, each value the entry marks 0xffffffff. */
function readZip64Extra(extra, entry) {
    for (let q = 0; q + 4 <= extra.length;) {
        const id = extra.readUInt16LE(q);
        const length = extra.readUInt16LE(q + 2);
        if (id === 1) {
            let r = q + 4;
            const next = () => {
                const value = Number(extra.readBigUInt64LE(r));
                r += 8;
                return value;
            };
            if (entry.size === 0xffffffff)
                entry.size = next();
            if (entry.compressedSize === 0xffffffff)
                entry.compressedSize = next();
            if (entry.localOffset === 0xffffffff)
                entry.localOffset = next();
            return;
        }
        q += 4 + length;
    }
}
/**
 * The manifest of the newest backup of `name` in the repository made by another run than this
 * one, or undefined (with the reason logged) when there is none or it cannot be read. Never
 * rejects: the comparison it feeds is advice, not a condition of the backup.
 */
async function previousBackupManifest(client, options, currentRunId, timeoutMs = 60_000) {
    let timer;
    const late = new Promise(resolve => {
        timer = setTimeout(() => {
            resolve({
                skipped: `GitHub did not answer within ${timeoutMs / 1000} s when asked for the previous backup, so this backup was not compared with it (no row-loss warning)`
            });
        }, timeoutMs);
        timer.unref();
    });
    // its lines (the artifact chosen, those passed over) are shown when the backup compares
    const lookUp = (0,_log_js__WEBPACK_IMPORTED_MODULE_2__/* .holdingLines */ .hp)(() => lookUpPrevious(client, options, currentRunId)).then(({ result, lines }) => ({ ...result, lines }));
    try {
        return await Promise.race([late, lookUp]);
    }
    finally {
        clearTimeout(timer);
    }
}
async function lookUpPrevious(client, options, currentRunId) {
    try {
        const artifact = await (0,_artifact_js__WEBPACK_IMPORTED_MODULE_4__.findBackupArtifact)(client, {
            kind: 'artifact',
            name: options.name,
            runId: 'latest',
            repository: options.repository,
            token: options.token
        });
        if (currentRunId !== undefined && artifact.runId === currentRunId)
            return { none: 'The newest backup of this name is of this run: nothing to compare with.' };
        return { artifact, manifest: await readArtifactManifest(artifact, options.token) };
    }
    catch (error) {
        const message = error.message.split('\n')[0];
        // the first backup of this name: nothing to compare with, as expected (not the restore's
        // "Check artifact-name \u2026", which read as a misconfiguration on the first night: trial u30 F6)
        if (error instanceof _artifact_js__WEBPACK_IMPORTED_MODULE_4__/* .NoBackupArtifactError */ .EZ)
            return {
                none: `No comparison with the previous backup: this is the first backup named '${options.name}' in ${options.repository} (no earlier one was found). If earlier backups were uploaded under another artifact-name, set this one to theirs to compare with them.`
            };
        return { skipped: previousUnreadable(message) };
    }
}
/** Why the previous backup could not be read, and what to do (the permission, for a 403). */
function previousUnreadable(message) {
    const forbidden = /\b403\b|forbidden|not accessible by integration|resource not accessible/i.test(message);
    return forbidden
        ? `the token may not read this repository's artifacts (HTTP 403), so this backup was not compared with the previous one (no row-loss warning). Add 'actions: read' to the workflow's (or the job's) permissions: \u2014 with 'permissions:' set, every permission not listed is none`
        : `the previous backup could not be read (${message}), so this backup was not compared with it (no row-loss warning). If the token lacks it, add 'actions: read' to the workflow's (or the job's) permissions:`;
}
/**
 * Adds up the live artifacts of `name` in the repository through the REST API
 * (GET /repos/{owner}/{repo}/actions/artifacts?name=\u2026), at most 1,000 of them; undefined when
 * the API cannot be asked (no token, no actions: read), never an error.
 */
async function artifactStorage(options, apiUrl = process.env.GITHUB_API_URL || 'https://api.github.com') {
    const total = { count: 0, bytes: 0 };
    try {
        for (const name of (0,_artifact_js__WEBPACK_IMPORTED_MODULE_4__/* .artifactNamesFor */ .Ql)(options.name)) {
            for (let page = 1; page <= 10; page++) {
                const url = `${apiUrl.replace(/\/+$/, '')}/repos/${options.repository}/actions/artifacts?name=${encodeURIComponent(name)}&per_page=100&page=${page}`;
                const response = await fetch(url, {
                    headers: {
                        authorization: `Bearer ${options.token}`,
                        accept: 'application/vnd.github+json',
                        'x-github-api-version': '2022-11-28'
                    },
                    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS)
                });
                if (!response.ok) {
                    await response.body?.cancel().catch(() => undefined);
                    return undefined;
                }
                const body = (await response.json());
                const artifacts = body.artifacts ?? [];
                for (const a of artifacts) {
                    if (a.name === name && !a.expired) {
                        total.count++;
                        total.bytes += a.size_in_bytes;
                    }
                }
                if (artifacts.length < 100)
                    break;
            }
        }
    }
    catch {
        return undefined;
    }
    return total;
}


/***/ })

};
