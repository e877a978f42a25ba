/**
 * Names as users write them: in SQL (double quotes) and in the list inputs (restore's tables and
 * schemas). Vocabulary: imported by the inputs, the modes and the engine alike.
 */

/**
 * Names as a value of restore's `tables` or `schemas` takes them back (for advice to set it): a
 * name of anything but ASCII letters, digits, `_`, `$` and `-` (or one read as an option or a
 * setting's value: `--clean`, `true`, `4`) is written in double quotes, which
 * the inputs read as SQL writes a name — so that a message can tell where the value ends, and the
 * command line's rendering of it (inputs.ts renderForDoor) quote it whole for the shell (attacker
 * a75 F4: `schemas: a;touch${IFS}x` was cut at the `;`, the rest pasted as a command).
 */
export function restoreNamesValue(names: readonly string[]): string {
  return names.map(n => (BARE_NAME.test(n) && !READ_AS_OTHER.test(n) ? n : sqlQuoted(n))).join(',')
}

const BARE_NAME = /^[A-Za-z0-9_$-]+$/
/**
 * Names a command line or a message would read as something else (attacker a76 F1): an option
 * (`--clean`, `-x`), or a setting's value (`true`, `4`) that renders `schemas: true` as a bare
 * `--schemas`.
 */
const READ_AS_OTHER = /^-|^(?:true|false|yes|no|on|off|auto|current)$|^\d/i

/** A name in double quotes, its quotes doubled (every name of SQL the action runs itself). */
export function sqlQuoted(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

/**
 * PostgreSQL's keywords that are not UNRESERVED_KEYWORD (reserved, type/function-name and
 * column-name keywords), which quote_ident quotes (ruleutils.c quote_identifier): PostgreSQL 15's
 * pg_get_keywords() with catcode <> 'U', and those 16 and 17 add in src/include/parser/kwlist.h
 * (system_user; json, json_array … json_value, merge_action); 18 adds none (the names pg_dump 18
 * quotes of a table with a column named for each of its 494 keywords are these 164). A keyword a
 * later version adds is at worst left unquoted in a hint, where the server would say so.
 */
const QUOTED_KEYWORDS = new Set(
  (
    'all analyse analyze and any array as asc asymmetric authorization between bigint binary ' +
    'bit boolean both case cast char character check coalesce collate collation column ' +
    'concurrently constraint create cross current_catalog current_date current_role ' +
    'current_schema current_time current_timestamp current_user dec decimal default deferrable ' +
    'desc distinct do else end except exists extract false fetch float for foreign freeze from ' +
    'full grant greatest group grouping having ilike in initially inner inout int integer ' +
    'intersect interval into is isnull join json json_array json_arrayagg json_exists ' +
    'json_object json_objectagg json_query json_scalar json_serialize json_table json_value ' +
    'lateral leading least left like limit localtime localtimestamp merge_action national ' +
    'natural nchar none normalize not notnull null nullif numeric offset on only or order out ' +
    'outer overlaps overlay placing position precision primary real references returning right ' +
    'row select session_user setof similar smallint some substring symmetric system_user table ' +
    'tablesample then time timestamp to trailing treat trim true union unique user using ' +
    'values varchar variadic verbose when where window with xmlattributes xmlconcat xmlelement ' +
    'xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable'
  ).split(' ')
)

/**
 * A name as SQL writes it, as PostgreSQL's quote_ident does: bare when a lower-case word
 * (a-z, 0-9, _; not starting with a digit) that is not a keyword needing quotes, else in double
 * quotes with its quotes doubled: `orders`, `"Orders"`, `"order"`, `"a b"`, `"1st"`, `"we""ird"`.
 * For names in SQL a message gives the user to run; SQL the action runs itself quotes every name
 * (sqlQuoted).
 */
export function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) && !QUOTED_KEYWORDS.has(name) ? name : sqlQuoted(name)
}

/** `schema.name` as SQL writes it (quoteIdent of each part). */
export function quoteQualified(object: { schema: string; name: string }): string {
  return `${quoteIdent(object.schema)}.${quoteIdent(object.name)}`
}
