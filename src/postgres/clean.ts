/**
 * `clean`: what a restore drops before it recreates the backup's objects, and the check that it
 * drops nothing else.
 *
 * The drop list comes from the backup itself: for archives from the table of contents (toc.ts:
 * pg_dump's own DROP statement of every entry, of every kind it writes), for plain scripts from
 * the statements psql will run (psql-lexer.ts: CREATE … of every kind, large objects, foreign
 * keys added by ALTER TABLE). Statements drop in reverse order of creation, with IF EXISTS and
 * without CASCADE, so that PostgreSQL itself refuses to drop anything the list does not name.
 * Extensions are not dropped (pg_dump recreates them with CREATE EXTENSION IF NOT EXISTS, and a
 * provider's extension cannot be dropped by the database owner), nor the schema public (pg_dump
 * does not create it). Indexes, constraints other than foreign keys, triggers, rules, policies,
 * defaults and statistics of a table the list drops go with their table (so a partition's key,
 * attached to its parent's, is never dropped on its own: "cannot drop inherited constraint").
 *
 * Before anything is dropped, {@link checkDependents} runs the list in a transaction it rolls
 * back: objects outside the backup that depend on what it drops (views, foreign keys of other
 * tables, functions, …) make PostgreSQL refuse (SQLSTATE 2BP01), and each refusal's DETAIL names
 * them. Unless the caller allows dropping them (CASCADE), clean refuses and lists them.
 */
import { randomBytes } from 'node:crypto'
import { Transform, type TransformCallback } from 'node:stream'
import type pg from 'pg'
import { CheckError } from '../errors.js'
import {
  PsqlLexer,
  type PsqlScriptEvent,
  type SqlToken,
  type StatementEvent,
  type StatementPart
} from './psql-lexer.js'
import type { TocEntry } from './toc.js'
import { RELATION_KINDS, sqlTokens } from './plain-sql.js'
import type { ReplacedRelation } from '../types.js'
import { type ExistingTable, describeTables } from './target.js'
import { plural } from '../log.js'
import { quoteSql } from './sql-redact.js'
import { restoreNamesValue } from '../sql-names.js'
import { withSessionSearchPath } from './session.js'

/** Entries a restore with `--table` names (pg_restore: tables, views, sequences, their data). */
export const TABLE_LIKE = new Set([
  'TABLE',
  'TABLE DATA',
  'VIEW',
  'MATERIALIZED VIEW',
  'MATERIALIZED VIEW DATA',
  'SEQUENCE',
  'SEQUENCE SET',
  'FOREIGN TABLE'
])

/**
 * The entries pg_restore --data-only restores (pg_backup_archiver.c, _tocEntryRequired): those
 * with a data dumper (TABLE DATA, BLOBS), SEQUENCE SET, and what goes with large objects (BLOB,
 * BLOB METADATA, and the ACL, COMMENT and SECURITY LABEL of a LARGE OBJECT).
 */
export function isDataOnlyEntry(e: TocEntry): boolean {
  if (e.desc === 'STATISTICS DATA' || e.desc === 'MATERIALIZED VIEW DATA') return false
  if (e.hadDumper) return true
  if (e.desc === 'SEQUENCE SET' || e.desc === 'BLOB' || e.desc === 'BLOB METADATA') return true
  return (
    (e.desc === 'ACL' || e.desc === 'COMMENT' || e.desc === 'SECURITY LABEL') &&
    e.tag.startsWith('LARGE OBJECT')
  )
}

/**
 * The dumpIds a restore with these `tables` / `schemas` selections restores, as pg_restore
 * selects them (--table: those kinds with that name, within --schema when both are given;
 * --schema: every entry of the schema; --data-only: of those, the data entries,
 * isDataOnlyEntry); undefined = all.
 */
export function selectedEntries(
  entries: readonly TocEntry[],
  selection: { tables: readonly string[]; schemas: readonly string[]; dataOnly?: boolean }
): Set<number> | undefined {
  const { tables, schemas, dataOnly } = selection
  if (tables.length === 0 && schemas.length === 0 && dataOnly !== true) return undefined
  const chosen = new Set<number>()
  for (const e of entries) {
    const inSchema = schemas.length === 0 || schemas.includes(e.namespace ?? '')
    const named = tables.length === 0 || (TABLE_LIKE.has(e.desc) && tables.includes(e.tag))
    if (dataOnly === true && !isDataOnlyEntry(e)) continue
    if (inSchema && named) chosen.add(e.dumpId)
  }
  return chosen
}

/** Entries whose object goes with the table it belongs to (never dropped on their own). */
const PART_OF_TABLE = new Set([
  'CONSTRAINT',
  'CHECK CONSTRAINT',
  'INDEX',
  'TRIGGER',
  'RULE',
  'POLICY',
  'STATISTICS',
  'ROW SECURITY',
  'INDEX ATTACH',
  'TABLE ATTACH',
  'SEQUENCE OWNED BY'
])

/** The archive entries that create a relation (clean replaces it: CleanList.replaced). */
const REPLACED_RELATIONS = new Set([
  'TABLE',
  'VIEW',
  'MATERIALIZED VIEW',
  'FOREIGN TABLE',
  'SEQUENCE'
])

/** Entries clean never drops (see the module's comment). */
const NEVER_DROPPED = new Set(['DATABASE', 'DATABASE PROPERTIES', 'EXTENSION', 'COMMENT', 'ACL'])

/** What clean drops, and the parts of tables (triggers, …) the backup recreates. */
export interface CleanList {
  drops: string[]
  /** {@link tablePartKey}s of the backup's triggers, policies, rules and indexes. */
  tableParts: Set<string>
  /**
   * Extensions the backup creates (never dropped by name): one in a schema the list drops goes
   * with it (CASCADE) and is created again, as pg_restore --clean drops and recreates it.
   */
  extensions?: Set<string>
  /**
   * The relations (tables, views, sequences …) and schemas the backup creates, by its own
   * entries' names (not by the text of their drops): what clean replaces, which the check that
   * the target's other objects are unchanged leaves out (unchanged.ts). Absent: from `drops`.
   */
  replaced?: { relations: ReplacedRelation[]; schemas: string[] }
  /**
   * A plain script's own DROP statements without IF EXISTS ({@link dropKey}), as pg_dump --clean
   * writes before each CREATE: clean leaves those objects for the script to drop, as psql -f
   * would (its own DROP IF EXISTS first made the script's DROP fail: re-attack a40 2).
   */
  scriptDrops?: Set<string>
  /**
   * The functions (and procedures, aggregates), types and operators the backup creates, by its
   * entries: a function's and an operator's name with its argument types ({@link
   * signatureKey}). Only the target's objects with these identities may go with clean's drops.
   */
  objects?: OwnedObject[]
  /**
   * An archive's list (whose entries name every key, constraint, default and partition attachment
   * of a table apart from its CREATE TABLE): these parts are compared too ({@link ARCHIVE_PARTS}).
   * `all`: the {@link tablePartKey}s of every part the archive holds, selected or not — one a
   * subset (tables) leaves out goes with its table as with pg_restore --clean --table (said, not
   * refused: DropCheck.lost); `defaults`: those of the columns whose DEFAULT is an entry of its
   * own (the target's other defaults are not compared: pg_dump writes most inline).
   */
  archiveParts?: { all: Set<string>; defaults: Set<string>; definitions?: Map<string, string> }
  /**
   * A subset (tables): the ENABLE ROW LEVEL SECURITY statements (ROW SECURITY entries) of the
   * tables it restores, which pg_restore --table leaves out: given with the parts' definitions
   * to run after (re-trial u42 F2: the policies came back, row-level security stayed off).
   */
  rowSecurity?: string[]
}

/**
 * A catalog object of the backup, as clean compares it with the target's: its kind as the net
 * names kinds (unchanged.ts OBJECT_KINDS), its schema ('' for one outside schemas) and name.
 */
export interface OwnedObject {
  kind: string
  schema: string
  /**
   * A function's `name(type,…)`, an operator's `name(left,right)` ({@link signatureKey}); a
   * cast's `(source AS target)`; an operator class's or family's name without USING; else the
   * name.
   */
  name: string
  /** A function's or operator's name alone (a plain script's, whose argument types are not read). */
  byName?: true
}

/** Archive entries of the other catalog kinds the net compares, and its name of their kind. */
const CATALOG_ENTRY_KINDS: Record<string, string> = {
  COLLATION: 'collation',
  CONVERSION: 'conversion',
  'TEXT SEARCH CONFIGURATION': 'text search configuration',
  'TEXT SEARCH DICTIONARY': 'text search dictionary',
  'TEXT SEARCH PARSER': 'text search parser',
  'TEXT SEARCH TEMPLATE': 'text search template',
  'OPERATOR CLASS': 'operator class',
  'OPERATOR FAMILY': 'operator family',
  CAST: 'cast',
  PUBLICATION: 'publication',
  SERVER: 'server',
  'FOREIGN DATA WRAPPER': 'foreign-data wrapper',
  'EVENT TRIGGER': 'event trigger',
  EXTENSION: 'extension',
  'ACCESS METHOD': 'access method',
  'PROCEDURAL LANGUAGE': 'language'
}

/** The net's name of an entry's object (see OwnedObject.name) of a CATALOG_ENTRY_KINDS kind. */
function catalogName(desc: string, tag: string): string {
  if (desc === 'CAST') return tag.replace(/^CAST\s*/, '')
  if (desc === 'OPERATOR CLASS' || desc === 'OPERATOR FAMILY') return tag.replace(/ USING .*$/s, '')
  return tag
}

/**
 * A routine's or operator's signature as clean compares it: `name(type,type)`, whitespace
 * collapsed and none around parentheses and commas; an aggregate's `(*)` (pg_dump's tag for one
 * without arguments) as `()`.
 */
export function signatureKey(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/\s*([(),])\s*/g, '$1')
    .replace(/\(\*\)$/, '()')
    .trim()
}

/**
 * The server's side of {@link signatureKey} for a pg_proc row `p` and a pg_operator row `o`
 * (read with search_path pg_catalog, as pg_dump formats the types of its tags: qualified outside
 * pg_catalog).
 */
export const FUNCTION_SIGNATURE = `pg_catalog.format('%s(%s)', p.proname, pg_catalog.oidvectortypes(p.proargtypes))`
export const OPERATOR_SIGNATURE = `pg_catalog.format('%s(%s,%s)', o.oprname, CASE WHEN o.oprleft OPERATOR(pg_catalog.<>) 0 THEN pg_catalog.format_type(o.oprleft, NULL) ELSE 'NONE' END, CASE WHEN o.oprright OPERATOR(pg_catalog.<>) 0 THEN pg_catalog.format_type(o.oprright, NULL) ELSE 'NONE' END)`

/** An operator entry's operand types from its CREATE OPERATOR (pg_dump: `LEFTARG = integer,`). */
function operands(defn: string | null): string {
  const arg = (key: string): string =>
    new RegExp(`\\b${key}\\s*=\\s*((?:[^,()]|\\([^)]*\\))+)`, 'i').exec(defn ?? '')?.[1].trim() ??
    'NONE'
  return `(${arg('LEFTARG')},${arg('RIGHTARG')})`
}

/** The functions, types and operators among the archive's entries (`selected`; all when undefined). */
export function ownedObjects(
  entries: readonly TocEntry[],
  selected?: ReadonlySet<number>
): OwnedObject[] {
  const owned: OwnedObject[] = []
  for (const e of entries) {
    if (selected && !selected.has(e.dumpId)) continue
    const schema = e.namespace ?? ''
    if (ROUTINES.has(e.desc)) owned.push({ kind: 'function', schema, name: signatureKey(e.tag) })
    else if (e.desc === 'TYPE' || e.desc === 'DOMAIN' || e.desc === 'SHELL TYPE')
      owned.push({ kind: 'type', schema, name: e.tag })
    else if (e.desc === 'OPERATOR')
      owned.push({ kind: 'operator', schema, name: signatureKey(e.tag + operands(e.defn)) })
    else if (e.desc in CATALOG_ENTRY_KINDS)
      owned.push({ kind: CATALOG_ENTRY_KINDS[e.desc], schema, name: catalogName(e.desc, e.tag) })
    // the schema itself (its owner, privileges, comment: pg_dump up to 14 writes the schema
    // public's), not what is in it
    else if (e.desc === 'SCHEMA') owned.push({ kind: 'schema', schema: '', name: e.tag })
  }
  return owned
}

/** The kinds a plain script's drops (ScriptDrops) name, as the net names them. */
const SCRIPT_DROP_KINDS: Record<string, string> = {
  FUNCTION: 'function',
  PROCEDURE: 'function',
  AGGREGATE: 'function',
  TYPE: 'type',
  DOMAIN: 'type',
  OPERATOR: 'operator',
  ...CATALOG_ENTRY_KINDS,
  LANGUAGE: 'language'
}

/**
 * The catalog objects a plain script creates, from clean's drops of them (ScriptDrops: `DROP
 * FUNCTION IF EXISTS public.f(a integer);`): kind, schema ('' outside schemas) and name — a
 * function's and an operator's by name alone ({@link OwnedObject.byName}); a schema-less
 * name's schema is '' (the script's search_path decides: the net then matches it nowhere).
 */
export function scriptOwnedObjects(drops: readonly string[]): OwnedObject[] {
  const found: OwnedObject[] = []
  const kinds = Object.keys(SCRIPT_DROP_KINDS).sort((a, b) => b.length - a.length)
  for (const drop of drops) {
    const desc = kinds.find(k => drop.startsWith(`DROP ${k} `))
    if (!desc) continue
    const kind = SCRIPT_DROP_KINDS[desc]
    const rest = drop
      .slice(`DROP ${desc} `.length)
      .replace(/^IF EXISTS /, '')
      .replace(/(?: CASCADE| RESTRICT)?;?\s*$/, '')
    if (desc === 'CAST') {
      found.push({ kind, schema: '', name: rest })
      continue
    }
    if (kind === 'operator') {
      const op = /^((?:"(?:[^"]|"")+"|[^."\s]+))\.(\S+?)\s*\(/.exec(rest)
      if (op)
        found.push({ kind, schema: nameParts(op[1])?.[0] ?? op[1], name: op[2], byName: true })
      continue
    }
    const target =
      kind === 'function' ? rest.replace(/\s*\(.*$/s, '') : rest.replace(/ USING .*$/s, '')
    const name = nameParts(target)
    if (!name) continue
    const global = [
      'publication',
      'server',
      'foreign-data wrapper',
      'event trigger',
      'extension',
      'access method',
      'language'
    ].includes(kind)
    if (name.length === 2)
      found.push({
        kind,
        schema: name[0],
        name: name[1],
        ...(kind === 'function' ? { byName: true as const } : {})
      })
    else if (name.length === 1 && global) found.push({ kind, schema: '', name: name[0] })
  }
  return found
}

/** {@link OwnedObject} as a key of a set. */
export const ownedKey = (o: OwnedObject): string => JSON.stringify([o.kind, o.schema, o.name])

/** Kinds of objects that go with their table, which the check compares with the backup's. */
export type TablePartKind =
  | 'TRIGGER'
  | 'POLICY'
  | 'RULE'
  | 'INDEX'
  | 'STATISTICS'
  | 'PUBLICATION TABLE'
  | 'CONSTRAINT'
  | 'FK CONSTRAINT'
  /** A table's CHECK constraint: compared only on a table that stays (see tablePartsNow). */
  | 'CHECK CONSTRAINT'
  /** A domain's CHECK constraint: compared only on a domain that stays. */
  | 'DOMAIN CONSTRAINT'
  | 'DEFAULT'
  | 'TABLE ATTACH'

/**
 * The parts compared only for an archive's list (CleanList.archiveParts): a table's primary key,
 * unique and exclusion constraints, foreign keys, a column's DEFAULT and a partition's attachment
 * to its parent are entries of their own there, which a subset restore (tables: pg_restore -t)
 * leaves out; a plain script may create them inside its CREATE TABLE, under names it does not write.
 */
const ARCHIVE_PARTS = new Set<TablePartKind>([
  'CONSTRAINT',
  'FK CONSTRAINT',
  'DEFAULT',
  'TABLE ATTACH'
])

/**
 * How a trigger, policy, rule or index is named in the backup's TOC: kind, schema and tag
 * ("table name"; an index: its own name).
 */
export function tablePartKey(
  kind: TablePartKind,
  schema: string,
  table: string,
  name: string
): string {
  // an index, extended statistics: its own name (and schema); a table's membership of a
  // publication: "publication table", as pg_dump tags it
  if (kind === 'INDEX' || kind === 'STATISTICS') return `${kind}\0${schema}\0${name}`
  if (kind === 'PUBLICATION TABLE') return `${kind}\0${schema}\0${name} ${table}`
  // a partition's attachment: pg_dump's TABLE ATTACH entry is tagged with the partition's name
  if (kind === 'TABLE ATTACH') return `${kind}\0${schema}\0${table}`
  return `${kind}\0${schema}\0${table} ${name}`
}

/**
 * Whether a SEQUENCE entry is an identity column's (`ALTER TABLE s.t ALTER COLUMN c ADD
 * GENERATED … AS IDENTITY`) of a table clean drops (`dropped`: JSON [schema, table]).
 */
function identityOf(e: TocEntry, dropped: ReadonlySet<string>): boolean {
  if (e.desc !== 'SEQUENCE') return false
  const m =
    /^ALTER TABLE (?:ONLY )?((?:"(?:[^"]|"")+"|[^\s".]+)\.(?:"(?:[^"]|"")+"|[^\s".]+)) ALTER COLUMN /.exec(
      e.defn?.trim() ?? ''
    )
  const name = m ? nameParts(m[1]) : undefined
  return name?.length === 2 && dropped.has(JSON.stringify(name))
}

/** Whether an entry has a drop statement (pg_dump's; one starting with -- is none). */
function hasDrop(e: TocEntry): boolean {
  const drop = e.dropStmt?.trim()
  return drop !== undefined && drop !== '' && !drop.startsWith('--')
}

/** The archive entries of the table parts clean compares ({@link TablePartKind}). */
const TABLE_PART_KINDS = new Set<string>([
  'TRIGGER',
  'POLICY',
  'RULE',
  'INDEX',
  'STATISTICS',
  'PUBLICATION TABLE',
  ...ARCHIVE_PARTS
])

/** The clean list of an archive's entries (`selected` dumpIds; all when undefined). */
export function cleanListFromToc(
  entries: readonly TocEntry[],
  selected?: ReadonlySet<number>
): CleanList {
  const tableParts = new Set<string>()
  const extensions = new Set<string>()
  const replaced = { relations: [] as ReplacedRelation[], schemas: [] as string[] }
  // the tables clean drops (by their entries' drop statements)
  const dropped = new Set(
    entries
      .filter(e => (!selected || selected.has(e.dumpId)) && e.desc === 'TABLE' && hasDrop(e))
      .map(e => JSON.stringify([e.namespace ?? '', e.tag]))
  )
  const all = new Set<string>()
  const defaults = new Set<string>()
  const definitions = new Map<string, string>()
  for (const e of entries) {
    const part = TABLE_PART_KINDS.has(e.desc)
      ? `${e.desc}\0${e.namespace ?? ''}\0${e.tag}`
      : // a partition created by CREATE TABLE … PARTITION OF (pg_dump before 12: no TABLE ATTACH)
        e.desc === 'TABLE' && /\bPARTITION OF\b/i.test(e.defn ?? '')
        ? tablePartKey('TABLE ATTACH', e.namespace ?? '', e.tag, '')
        : undefined
    if (part) all.add(part)
    if (part && e.defn) definitions.set(part, e.defn)
    if (e.desc === 'DEFAULT') defaults.add(part!)
    if (selected && !selected.has(e.dumpId)) continue
    if (part) tableParts.add(part)
    if (e.desc === 'EXTENSION') extensions.add(e.tag)
    // a relation only when clean drops it (a33c A2: a TABLE entry without a drop made the
    // target's table of its name the backup's, and its definition dropped it, parts and all), or
    // an identity column's sequence, which goes with its table (pg_dump writes it no drop)
    if (
      REPLACED_RELATIONS.has(e.desc) &&
      typeof e.namespace === 'string' &&
      (hasDrop(e) || identityOf(e, dropped))
    )
      replaced.relations.push({ schema: e.namespace, name: e.tag, kinds: RELATION_KINDS[e.desc] })
    // a schema only when clean drops it (its drop then meets what else is in it; attacker
    // a33b A1: an entry without a drop made everything in its schema replaceable)
    if (e.desc === 'SCHEMA' && e.tag !== 'public' && hasDrop(e)) replaced.schemas.push(e.tag)
  }
  const restoredTables = new Set(
    entries
      .filter(e => (!selected || selected.has(e.dumpId)) && e.desc === 'TABLE')
      .map(e => JSON.stringify([e.namespace ?? '', e.tag]))
  )
  const rowSecurity = selected
    ? entries
        .filter(
          e =>
            e.desc === 'ROW SECURITY' &&
            !selected.has(e.dumpId) &&
            e.defn &&
            restoredTables.has(JSON.stringify([e.namespace ?? '', e.tag]))
        )
        .map(e => e.defn!)
    : []
  return {
    ...(rowSecurity.length > 0 ? { rowSecurity } : {}),
    drops: dropsFromToc(entries, selected),
    tableParts,
    extensions,
    replaced,
    objects: ownedObjects(entries, selected),
    archiveParts: { all, defaults, definitions }
  }
}

/** The large object with this OID, dropped if it exists (pg_restore --if-exists does the same). */
export function dropLargeObject(oid: string): string {
  return `SELECT pg_catalog.lo_unlink(oid) FROM pg_catalog.pg_largeobject_metadata WHERE oid = '${oid}';`
}

/**
 * The DROP statements for an archive's entries (those restored: `selected` dumpIds, all when
 * undefined), in reverse TOC order, each with IF EXISTS as pg_restore --if-exists writes it.
 */
export function dropsFromToc(
  entries: readonly TocEntry[],
  selected?: ReadonlySet<number>
): string[] {
  const chosen = entries.filter(e => !selected || selected.has(e.dumpId))
  // relations whose DROP takes their parts with them: a view's too — its triggers, its rules,
  // and the _RETURN rule pg_dump writes apart when the view depends on a post-data object (a
  // GROUP BY on a primary key), whose drop statement is no DROP but a CREATE OR REPLACE VIEW
  // to a dummy body (trial u32 F1: clean refused every backup with such a view)
  const tables = new Set(
    chosen.filter(e => DROPS_ITS_PARTS.has(e.desc)).map(e => `${e.namespace}\0${e.tag}`)
  )
  const drops: string[] = []
  for (const entry of [...chosen].reverse()) {
    if (NEVER_DROPPED.has(entry.desc)) continue
    if (entry.desc === 'SCHEMA' && entry.tag === 'public') continue
    if (entry.desc === 'BLOB') {
      drops.push(dropLargeObject(String(entry.oid)))
      continue
    }
    if (entry.desc === 'BLOB METADATA') {
      // pg_dump 17: lo_create('oid') statements; 18: one OID a line
      for (const m of (entry.defn ?? '').matchAll(/(?:lo_create\('|^)(\d+)/gm)) {
        drops.push(dropLargeObject(m[1]))
      }
      continue
    }
    if (PART_OF_TABLE.has(entry.desc)) {
      // tag: "table name" (indexes and statistics: their own name, always of a listed table)
      const table = entry.tag.split(' ')[0]
      if (
        entry.desc === 'INDEX' ||
        entry.desc === 'STATISTICS' ||
        tables.has(`${entry.namespace}\0${table}`)
      )
        continue
    }
    const written = entry.dropStmt?.trim()
    if (!written || written.startsWith('--')) continue
    // a base type's: `DROP TYPE s.t CASCADE;` (its input and output functions depend on it and it
    // on them): without CASCADE, so that the check sees what else depends on it (a31 A5: refused)
    const drop = baseTypeDrop(entry, written) ?? written
    const foreign = foreignDrop(entry, drop)
    if (foreign)
      throw new CheckError(
        `clean: the archive's entry ${entry.dumpId} (${entry.desc} ${entry.namespace ? `${entry.namespace}.` : ''}${entry.tag}) has a drop statement that ${foreign}: "${quoteSql(drop, 201)}". pg_dump writes one statement that drops the entry's own object, and clean drops nothing else; nothing was dropped or restored. Restore without clean (into an empty database), or from a backup pg_dump made.`
      )
    const withIfExists = ifExists(drop, entry.desc)
    if (withIfExists) drops.push(withIfExists)
  }
  return drops
}

/** pg_dump's drop of a base type (`DROP TYPE s.t CASCADE;`) without its CASCADE; else undefined. */
function baseTypeDrop(entry: TocEntry, drop: string): string | undefined {
  if (entry.desc !== 'TYPE') return undefined
  const m = /^(DROP TYPE [^;]+?) CASCADE;$/.exec(drop)
  return m ? `${m[1]};` : undefined
}

/** Relations whose DROP drops their parts (constraints, defaults, triggers, rules, policies). */
const DROPS_ITS_PARTS = new Set(['TABLE', 'MATERIALIZED VIEW', 'VIEW', 'FOREIGN TABLE'])

/** Entries whose tag is "table name" and whose drop names the object ON its table. */
const ON_TABLE = new Set(['TRIGGER', 'POLICY', 'RULE'])
/** Entries whose tag is "table name" and whose drop is an ALTER TABLE of that table. */
const OF_TABLE = new Set(['CONSTRAINT', 'CHECK CONSTRAINT', 'FK CONSTRAINT', 'DEFAULT'])
/** Entries whose drop is `DROP <desc> [schema.]<the tag's leading name>…`. */
const NAMED_DROP = new Set([
  'TABLE',
  'VIEW',
  'MATERIALIZED VIEW',
  'SEQUENCE',
  'FOREIGN TABLE',
  'TYPE',
  'DOMAIN',
  'COLLATION',
  'CONVERSION',
  'TEXT SEARCH CONFIGURATION',
  'TEXT SEARCH DICTIONARY',
  'TEXT SEARCH PARSER',
  'TEXT SEARCH TEMPLATE',
  'STATISTICS',
  'FUNCTION',
  'PROCEDURE',
  'AGGREGATE',
  'INDEX',
  'SCHEMA',
  'PUBLICATION',
  'SUBSCRIPTION',
  'SERVER',
  'EVENT TRIGGER',
  'FOREIGN DATA WRAPPER',
  'ACCESS METHOD',
  'OPERATOR CLASS',
  'OPERATOR FAMILY'
])

/**
 * Why an archive entry's drop statement is not one pg_dump writes for the entry's own object
 * (undefined when it is): clean runs these statements (with IF EXISTS) in the restore's
 * transaction, and in a hostile archive one could drop or change anything (`DROP TABLE
 * private.secrets` for public.mine; `DELETE …; COMMIT; DROP …`). One statement, DROP or ALTER, no
 * CASCADE; every qualified name in the entry's schema; and, for the kinds whose drop names the
 * object plainly, that name the entry's tag (a trigger, policy or rule: on the tag's table; a
 * constraint or default: an ALTER TABLE of it).
 */
export function foreignDrop(entry: TocEntry, drop: string): string | undefined {
  const tokens = sqlTokens(drop, false)
  const semi = tokens.findIndex(t => t.kind === 'punct' && t.value === ';')
  if (semi >= 0 && semi < tokens.length - 1) return 'holds more than one statement'
  const word = (i: number, w: string): boolean =>
    tokens[i]?.kind === 'ident' && tokens[i].quoted !== true && tokens[i].value === w
  if (tokens.some((_t, i) => word(i, 'cascade'))) return 'drops with CASCADE'
  // DROP … a, b: one object only (a routine's or operator's argument types are in parentheses)
  let depth = 0
  for (const t of tokens) {
    if (t.kind !== 'punct') continue
    if (t.value === '(') depth++
    else if (t.value === ')') depth--
    else if (t.value === ',' && depth === 0) return 'drops more than one object'
  }
  const schema = entry.namespace ?? ''
  /** The [schema.]name at i (qualified whenever the entry has a schema, in that schema). */
  const nameAt = (i: number): { name: string; next: number } | string => {
    if (tokens[i]?.kind !== 'ident') return 'does not name an object where pg_dump does'
    if (tokens[i + 1]?.value === '.' && tokens[i + 2]?.kind === 'ident') {
      if (tokens[i].value !== schema)
        return `names ${tokens[i].value}.${tokens[i + 2].value}, not an object in the entry's schema ${schema || '(none)'}`
      return { name: tokens[i + 2].value, next: i + 3 }
    }
    return schema === ''
      ? { name: tokens[i].value, next: i + 1 }
      : `names ${tokens[i].value} without its schema (${schema})`
  }
  const ifExistsAt = (i: number): number => (word(i, 'if') && word(i + 1, 'exists') ? i + 2 : i)
  const kind = entry.desc === 'SHELL TYPE' ? 'TYPE' : entry.desc
  const words = kind.toLowerCase().split(' ')
  if (OF_TABLE.has(kind)) {
    // ALTER TABLE [IF EXISTS] [ONLY] s.t DROP CONSTRAINT [IF EXISTS] c / ALTER [COLUMN] c DROP DEFAULT
    // (a domain's constraint: ALTER DOMAIN s.d DROP CONSTRAINT c)
    const domain = kind !== 'DEFAULT' && word(1, 'domain')
    // a foreign table's: ALTER FOREIGN TABLE (pg_dump's dumpAttrDef, dumpConstraint)
    const foreignTable = word(1, 'foreign') && word(2, 'table')
    if (!word(0, 'alter') || !(word(1, 'table') || domain || foreignTable))
      return 'is not an ALTER TABLE'
    let at = ifExistsAt(foreignTable ? 3 : 2)
    if (word(at, 'only')) at++
    const table = nameAt(at)
    if (typeof table === 'string') return table
    let i = table.next
    let object: string | undefined
    if (kind === 'DEFAULT') {
      if (!word(i, 'alter')) return 'does not drop a default'
      i += word(i + 1, 'column') ? 2 : 1
      object = tokens[i]?.value
      if (!word(i + 1, 'drop') || !word(i + 2, 'default')) return 'does not drop a default'
      i += 3
    } else {
      if (!word(i, 'drop') || !word(i + 1, 'constraint')) return 'does not drop a constraint'
      i = ifExistsAt(i + 2)
      object = tokens[i]?.value
      i++
    }
    if (tokens.length > i + (tokens[i]?.value === ';' ? 1 : 0))
      return 'does more than drop the one object'
    if (`${table.name} ${object}` !== entry.tag)
      return `drops ${object} of ${table.name}, not the entry's ${entry.tag}`
    return undefined
  }
  if (kind === 'PUBLICATION TABLE' || kind === 'PUBLICATION TABLES IN SCHEMA') {
    // ALTER PUBLICATION p DROP TABLE [ONLY] s.t / DROP TABLES IN SCHEMA s
    if (!word(0, 'alter') || !word(1, 'publication') || !word(3, 'drop'))
      return 'does not take a table out of a publication'
    return undefined
  }
  if (!word(0, 'drop')) return 'is not a DROP statement'
  if (!words.every((w, n) => word(1 + n, w))) return `does not drop a ${kind.toLowerCase()}`
  const at = ifExistsAt(1 + words.length)
  if (ON_TABLE.has(kind)) {
    // DROP TRIGGER [IF EXISTS] name ON s.t
    const object = tokens[at]?.kind === 'ident' ? tokens[at].value : undefined
    const table = word(at + 1, 'on') ? nameAt(at + 2) : 'does not name its table'
    if (typeof table === 'string') return table
    if (`${table.name} ${object}` !== entry.tag)
      return `drops ${object} on ${table.name}, not the entry's ${entry.tag}`
    return undefined
  }
  if (!NAMED_DROP.has(kind)) {
    // CAST, TRANSFORM, USER MAPPING, OPERATOR, LANGUAGE, …: the kind, and its schema when named
    if (schema !== '' && tokens[at + 1]?.value === '.' && tokens[at]?.value !== schema)
      return `names an object in schema ${tokens[at]?.value}, not in the entry's schema ${schema}`
    const squeeze = (t: string): string => t.replace(/\s+/g, '')
    if (kind === 'CAST') {
      // DROP CAST (source AS target): the entry's own, its tag "CAST (source AS target)"
      // (attacker a32 A1: another cast of the target was dropped)
      const m = /^DROP CAST (?:IF EXISTS )?(\(.*\))\s*;?\s*$/s.exec(drop.trim())
      if (!m || squeeze(`CAST ${m[1]}`) !== squeeze(entry.tag))
        return `drops ${m ? `CAST ${m[1]}` : 'another cast'}, not the entry's ${entry.tag}`
    }
    if (kind === 'PROCEDURAL LANGUAGE') {
      const m = /^DROP (?:PROCEDURAL )?LANGUAGE (?:IF EXISTS )?(\S+?)\s*;?\s*$/s.exec(drop.trim())
      if (!m || m[1].replace(/^"(.*)"$/s, '$1') !== entry.tag)
        return `drops ${m ? m[1] : 'another language'}, not the entry's ${entry.tag}`
    }
    if (kind === 'OPERATOR') {
      // DROP OPERATOR s.=== (integer, integer): the entry's own operator (its tag; attacker a31
      // A2: another operator of the schema was dropped)
      const m =
        /^DROP OPERATOR (?:IF EXISTS )?(?:(?:"(?:[^"]|"")+"|[^."\s(]+)\.)?(.+?)\s*;?\s*$/s.exec(
          drop.trim()
        )
      // (pg_dump's tag is the operator's name alone: its operands are its definition's; a31 A1:
      // another overload of the name)
      const own = signatureKey(entry.tag + operands(entry.defn))
      const operator = m ? signatureKey(m[1]) : undefined
      if (operator !== own) return `drops ${operator ?? 'another operator'}, not the entry's ${own}`
    }
    return undefined
  }
  const name = nameAt(at)
  if (typeof name === 'string') return name
  const own = ROUTINES.has(kind)
    ? routineName(entry.tag)
    : kind.startsWith('OPERATOR ')
      ? entry.tag.replace(/ USING .*$/s, '')
      : entry.tag
  if (name.name !== own) return `drops ${name.name}, not the entry's ${own}`
  return undefined
}

/**
 * A routine's name from its tag `name(arguments)`: up to the parenthesis that opens the argument
 * list (the one the last closes; a33 A6: a name holding "(" was cut at it).
 */
export function routineName(tag: string): string {
  if (!tag.endsWith(')')) return tag
  let depth = 0
  for (let i = tag.length - 1; i >= 0; i--) {
    if (tag[i] === ')') depth++
    else if (tag[i] === '(' && --depth === 0) return tag.slice(0, i)
  }
  return tag
}

/** Routines: the tag is "name(arguments)". */
const ROUTINES = new Set(['FUNCTION', 'PROCEDURE', 'AGGREGATE'])

/**
 * pg_dump's DROP statement with IF EXISTS (as pg_restore --if-exists inserts it, in
 * pg_backup_archiver.c); `ALTER TABLE ONLY … DROP CONSTRAINT` without ONLY, so that a foreign
 * key of a partitioned table goes from its partitions too. undefined when there is no place for
 * IF EXISTS (the statement is then left out: the object goes with its parent).
 */
export function ifExists(drop: string, desc: string): string | undefined {
  let head = ''
  let rest = drop
  if (rest.startsWith('ALTER TABLE ')) {
    head = 'ALTER TABLE IF EXISTS '
    rest = rest.slice('ALTER TABLE '.length).replace(/^ONLY /, '')
  }
  // ALTER TABLE … ALTER COLUMN … DROP DEFAULT has no IF EXISTS (the sequence it uses drops next)
  if (desc === 'DEFAULT') return head === '' ? undefined : head + rest
  const keyword = /CONSTRAINT$/.test(desc) ? 'DROP CONSTRAINT' : `DROP ${desc}`
  const at = rest.indexOf(keyword)
  if (at < 0) return undefined
  return `${head}${rest.slice(0, at)}${keyword} IF EXISTS${rest.slice(at + keyword.length)}`
}

// ---------------------------------------------------------------------------------------------
// plain scripts

/** Kinds whose CREATE is followed by a (qualified) name and dropped as `DROP <kind> name`. */
const NAMED_KINDS: ReadonlyArray<readonly string[]> = [
  ['SCHEMA'],
  ['TABLE'],
  ['UNLOGGED', 'TABLE'],
  ['FOREIGN', 'TABLE'],
  ['VIEW'],
  ['RECURSIVE', 'VIEW'],
  ['MATERIALIZED', 'VIEW'],
  ['SEQUENCE'],
  ['UNLOGGED', 'SEQUENCE'],
  ['TYPE'],
  ['DOMAIN'],
  ['COLLATION'],
  ['CONVERSION'],
  ['DEFAULT', 'CONVERSION'],
  ['TEXT', 'SEARCH', 'CONFIGURATION'],
  ['TEXT', 'SEARCH', 'DICTIONARY'],
  ['TEXT', 'SEARCH', 'PARSER'],
  ['TEXT', 'SEARCH', 'TEMPLATE'],
  ['FOREIGN', 'DATA', 'WRAPPER'],
  ['SERVER'],
  ['PUBLICATION'],
  ['SUBSCRIPTION'],
  ['EVENT', 'TRIGGER'],
  ['ACCESS', 'METHOD'],
  ['STATISTICS'],
  ['LANGUAGE'],
  ['PROCEDURAL', 'LANGUAGE'],
  ['TRUSTED', 'PROCEDURAL', 'LANGUAGE'],
  ['TRUSTED', 'LANGUAGE']
]

/** NAMED_KINDS of objects that belong to no schema. */
const UNSCHEMED = new Set([
  'SCHEMA',
  'FOREIGN DATA WRAPPER',
  'SERVER',
  'PUBLICATION',
  'SUBSCRIPTION',
  'EVENT TRIGGER',
  'ACCESS METHOD',
  'LANGUAGE'
])

/** Role specifications naming the session's role (CREATE SCHEMA AUTHORIZATION CURRENT_USER). */
const CURRENT_ROLES = new Set(['CURRENT_USER', 'CURRENT_ROLE', 'SESSION_USER'])

/** Kinds dropped with their argument types: `DROP FUNCTION name(args)`. */
const ROUTINE_KINDS = new Set(['FUNCTION', 'PROCEDURE', 'AGGREGATE'])

/** Collects the DROP statements of what a plain script creates, statement by statement. */
export class ScriptDrops {
  private readonly created: string[] = []
  /** The script's triggers, policies, rules and indexes ({@link tablePartKey}). */
  readonly tableParts = new Set<string>()
  /** The extensions the script creates. */
  readonly extensions = new Set<string>()

  /**
   * Where the script's unqualified CREATEs go since its last SET search_path: the first schema
   * named (quoted), '' when the path is empty (an unqualified CREATE then fails: nothing to drop),
   * null when it cannot be told ("$user", RESET, a path the text does not show), undefined before
   * any change (the session's own path, which clean's drops run with too).
   */
  private creationSchema: string | null | undefined
  /** Statements that create an object clean cannot name (an unqualified name, path unknown). */
  readonly unresolved: string[] = []
  /** The script's own DROP statements without IF EXISTS, by {@link dropKey}. */
  readonly scriptDrops = new Set<string>()

  /** Reads one statement event (psql-lexer.ts). */
  see(event: StatementEvent): void {
    // pg_dump --clean's own drops: DROP …, ALTER TABLE ONLY … DROP CONSTRAINT / ALTER COLUMN …
    // DROP DEFAULT (without --if-exists: they fail on what is gone)
    const k = event.parts[0]?.keywords
    if (
      event.parts.length === 1 &&
      k !== undefined &&
      (k[0] === 'DROP' ||
        (k[0] === 'ALTER' && k[1] === 'TABLE' && /\bDROP\b/i.test(event.text)) ||
        /^SELECT pg_catalog\.lo_unlink\('\d+'\);?\s*$/.test(event.text.trim())) &&
      !/\bIF\s+EXISTS\b/i.test(event.text)
    )
      this.scriptDrops.add(dropKey(event.text))
    for (const part of event.parts) {
      const path = searchPathChange(event.text, part)
      if (path !== undefined) {
        this.creationSchema = path
        continue
      }
      const drop = dropForPart(event.text, part, this.creationSchema)
      if (drop === null) {
        if (this.unresolved.length < 20) this.unresolved.push(quoteSql(event.text, 121))
        continue
      }
      if (drop) this.created.push(drop)
      const key = tablePartOf(part)
      if (key) this.tableParts.add(key)
      const extension = extensionOf(part)
      if (extension) this.extensions.add(extension)
    }
  }

  get list(): CleanList {
    return {
      drops: this.drops,
      tableParts: this.tableParts,
      extensions: this.extensions,
      scriptDrops: this.scriptDrops
    }
  }

  /** The DROP statements, in reverse order of creation. */
  get drops(): string[] {
    return [...this.created].reverse()
  }
}

/**
 * A DROP statement's text (or ALTER TABLE … DROP …) compared with another's: white space
 * folded, IF EXISTS, ALTER TABLE's ONLY, a trailing CASCADE and the final ";" left out.
 */
export function dropKey(drop: string): string {
  // white space squeezed outside double-quoted names only: "a b" and "a\nb" are two tables
  return (
    drop
      .trim()
      .replace(/;\s*$/, '')
      .split(/("(?:[^"]|"")*")/)
      .map((part, i) =>
        i % 2 === 1 ? part : part.replace(/\s+/g, ' ').replace(/ IF EXISTS /gi, ' ')
      )
      .join('')
      .replace(/^ALTER TABLE ONLY /i, 'ALTER TABLE ')
      .replace(/ CASCADE$/i, '')
      // pg_dump --clean without --if-exists unlinks a large object as lo_unlink('…') (a102 F2c)
      .replace(
        /^SELECT pg_catalog\.lo_unlink\('(\d+)'\)$/,
        "SELECT pg_catalog.lo_unlink(oid) FROM pg_catalog.pg_largeobject_metadata WHERE oid = '$1'"
      )
  )
}

/** A pass-through stage that reads a plain script with psql's lexer and collects its drops. */
export class ScriptDropsScanner extends Transform {
  readonly found = new ScriptDrops()
  private readonly lexer = new PsqlLexer()

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.collect(this.lexer.write(chunk))
    } catch (error) {
      callback(error as Error)
      return
    }
    callback(null, chunk)
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.collect(this.lexer.end())
    } catch (error) {
      callback(error as Error)
      return
    }
    callback()
  }

  private collect(events: PsqlScriptEvent[]): void {
    for (const e of events) if (e.kind === 'statement') this.found.see(e)
  }
}

/**
 * A statement that sets search_path (SET [SESSION|LOCAL] search_path, pg_dump's
 * set_config('search_path', …)): the schema unqualified CREATEs go to from then on, quoted ('' an
 * empty path; null when the text does not tell: "$user" first, RESET, a computed value);
 * undefined for any other statement.
 */
export function searchPathChange(sqlText: string, part: StatementPart): string | null | undefined {
  const t = part.tokens
  const word = (i: number): string => (t[i]?.type === 'ident' ? t[i].text.toUpperCase() : '')
  let value: string[]
  if (word(0) === 'SET' || word(0) === 'RESET') {
    let i = 1
    if (word(i) === 'SESSION' || word(i) === 'LOCAL') i++
    if (word(i) !== 'SEARCH_PATH') return undefined
    const from = t[i + 1]?.text === '=' || word(i + 1) === 'TO' ? i + 2 : i + 1
    if (word(0) === 'RESET' || word(from) === 'DEFAULT') return null
    value = t.slice(from).map(x => x.text)
  } else if (word(0) === 'SELECT') {
    const text = sqlText.slice(part.start, part.end)
    if (!/search_path/i.test(text)) return undefined
    const m =
      /^SELECT\s+(?:pg_catalog\.)?set_config\(\s*'search_path'\s*,\s*'((?:[^'\\]|'')*)'\s*,\s*(?:false|true)\s*\)\s*$/i.exec(
        text.trim()
      )
    if (!m) return null
    value = m[1].replace(/''/g, "'").split(',')
  } else return undefined
  const first = value.map(x => x.trim()).filter(x => x !== ',' && x !== '')[0]
  if (first === undefined) return ''
  if (first.startsWith('"')) return first === '"$user"' ? null : first
  if (first.startsWith("'")) {
    const inner = first.slice(1, -1).replace(/''/g, "'")
    return inner === '$user' ? null : `"${inner.replace(/"/g, '""')}"`
  }
  if (!/^[A-Za-z_][\w$]*$/.test(first)) return null
  return `"${first.toLowerCase()}"`
}

/**
 * The DROP statement for one statement of a plain script; undefined when it creates nothing clean
 * drops; null when it creates an object under a name clean cannot resolve (unqualified, after a
 * search_path the text does not tell). `schema`: searchPathChange's schema for unqualified names.
 */
export function dropForPart(
  sqlText: string,
  part: StatementPart,
  schema?: string | null
): string | undefined | null {
  const tokens = part.tokens
  const text = (t: SqlToken | undefined): string => (t ? t.text : '')
  const word = (i: number): string =>
    tokens[i]?.type === 'ident' ? tokens[i].text.toUpperCase() : ''
  const slice = (from: number, to: number): string =>
    sqlText.slice(tokens[from].start, tokens[to].end)
  // an unqualified name: in the schema of the script's last SET search_path (see ScriptDrops)
  const where = (name: { text: string; qualified: boolean }): string | null | undefined =>
    name.qualified || schema === undefined
      ? name.text
      : schema === null
        ? null
        : schema === ''
          ? undefined
          : `${schema}.${name.text}`
  if (word(0) === 'SELECT') {
    // pg_dump: SELECT pg_catalog.lo_create('16395');
    const m = /^SELECT\s+pg_catalog\.lo_create\('(\d+)'\)/.exec(sqlText.slice(part.start, part.end))
    return m ? dropLargeObject(m[1]) : undefined
  }
  if (word(0) === 'ALTER' && word(1) === 'TABLE') {
    // ALTER TABLE [ONLY] t ADD CONSTRAINT c FOREIGN KEY …: the key goes first (other keys go with their table)
    let i = 2
    if (word(i) === 'ONLY') i++
    const name = qualifiedName(tokens, i)
    if (!name) return undefined
    const table = where(name)
    if (table === null || table === undefined) return table
    i = name.next
    // … ALTER COLUMN c SET DEFAULT nextval(…): the default goes before the sequence it uses
    if (
      word(i) === 'ALTER' &&
      word(i + 1) === 'COLUMN' &&
      word(i + 3) === 'SET' &&
      word(i + 4) === 'DEFAULT'
    ) {
      return `ALTER TABLE IF EXISTS ${table} ALTER COLUMN ${text(tokens[i + 2])} DROP DEFAULT;`
    }
    if (word(i) !== 'ADD' || word(i + 1) !== 'CONSTRAINT' || word(i + 3) !== 'FOREIGN')
      return undefined
    return `ALTER TABLE IF EXISTS ${table} DROP CONSTRAINT IF EXISTS ${text(tokens[i + 2])};`
  }
  if (word(0) !== 'CREATE') return undefined
  let i = 1
  if (word(i) === 'OR' && word(i + 1) === 'REPLACE') i += 2
  if (word(i) === 'EXTENSION') return undefined
  if (word(i) === 'CAST') {
    // CREATE CAST (source AS target) …
    const inner =
      tokens[i + 1]?.text === '(' ? parenthesized(sqlText, tokens[i + 1].end) : undefined
    return inner === undefined ? undefined : `DROP CAST IF EXISTS (${inner.trim()});`
  }
  if (word(i) === 'TRANSFORM' && word(i + 1) === 'FOR') {
    const lang = tokens.findIndex(
      (t, k) => k > i && t.type === 'ident' && t.text.toUpperCase() === 'LANGUAGE'
    )
    if (lang < 0) return undefined
    return `DROP TRANSFORM IF EXISTS FOR ${slice(i + 2, lang - 1)} LANGUAGE ${text(tokens[lang + 1])};`
  }
  if (word(i) === 'USER' && word(i + 1) === 'MAPPING' && word(i + 2) === 'FOR') {
    const server = tokens.findIndex(
      (t, k) => k > i + 2 && t.type === 'ident' && t.text.toUpperCase() === 'SERVER'
    )
    if (server < 0) return undefined
    return `DROP USER MAPPING IF EXISTS FOR ${slice(i + 3, server - 1)} SERVER ${text(tokens[server + 1])};`
  }
  if (word(i) === 'OPERATOR') {
    if (word(i + 1) === 'CLASS' || word(i + 1) === 'FAMILY') {
      const name = qualifiedName(tokens, i + 2)
      if (!name) return undefined
      const using = tokens.findIndex(
        (t, k) => k >= name.next && t.type === 'ident' && t.text.toUpperCase() === 'USING'
      )
      if (using < 0) return undefined
      const named = where(name)
      if (named === null || named === undefined) return named
      return `DROP OPERATOR ${word(i + 1)} IF EXISTS ${named} USING ${text(tokens[using + 1])};`
    }
    // CREATE OPERATOR schema.=== ( FUNCTION = …, LEFTARG = integer, RIGHTARG = integer );
    const name = operatorName(tokens, i + 1)
    const open = tokens[name?.next ?? -1]
    const body = open?.text === '(' ? parenthesized(sqlText, open.end) : undefined
    if (!name || body === undefined) return undefined
    const arg = (key: string): string =>
      new RegExp(`\\b${key}\\s*=\\s*((?:[^,()]|\\([^)]*\\))+)`, 'i').exec(body)?.[1].trim() ??
      'NONE'
    const named = where(name)
    if (named === null || named === undefined) return named
    return `DROP OPERATOR IF EXISTS ${named} (${arg('LEFTARG')}, ${arg('RIGHTARG')});`
  }
  if (ROUTINE_KINDS.has(word(i))) {
    const kind = word(i)
    const name = qualifiedName(tokens, i + 1)
    const open = tokens[name?.next ?? -1]
    const list = open?.text === '(' ? parenthesized(sqlText, open.end) : undefined
    if (!name || list === undefined) return undefined
    const named = where(name)
    if (named === null || named === undefined) return named
    return `DROP ${kind} IF EXISTS ${named}(${routineArguments(list)});`
  }
  for (const kind of NAMED_KINDS) {
    if (!kind.every((k, n) => word(i + n) === k)) continue
    const at = i + kind.length
    // CREATE … IF NOT EXISTS keeps the target's object of that name, as psql by hand does: not
    // the backup's, clean leaves it (attacker a68 F4: keep.ledger dropped with its rows, a
    // sequence set back to 1)
    if (word(at) === 'IF' && word(at + 1) === 'NOT' && word(at + 2) === 'EXISTS') return undefined
    if (kind[0] === 'SCHEMA' && word(at) === 'AUTHORIZATION') {
      // CREATE SCHEMA AUTHORIZATION role: the schema is named after the role (a68 F5: it was
      // read as a schema named AUTHORIZATION); CURRENT_USER & co.: a name the text does not tell
      const role = tokens[at + 1]
      if (role?.type !== 'ident' && role?.type !== 'qident') return undefined
      if (role.type === 'ident' && CURRENT_ROLES.has(role.text.toUpperCase())) return null
      return `DROP SCHEMA IF EXISTS ${role.text};`
    }
    const name = qualifiedName(tokens, at)
    if (!name) return undefined
    const base = kind.filter(
      k => !['UNLOGGED', 'RECURSIVE', 'DEFAULT', 'PROCEDURAL', 'TRUSTED'].includes(k)
    )
    if (base[0] === 'SCHEMA' && name.text === 'public') return undefined
    // objects of no schema: their name as it is
    const named = UNSCHEMED.has(base.join(' ')) ? name.text : where(name)
    if (named === null || named === undefined) return named
    return `DROP ${base.join(' ')} IF EXISTS ${named};`
  }
  return undefined
}

/** An identifier as PostgreSQL stores it: "Quoted" unquoted, plain ones folded to lower case. */
function identifierValue(t: SqlToken): string {
  return t.type === 'qident' ? t.text.slice(1, -1).replace(/""/g, '"') : t.text.toLowerCase()
}

/** The key of a trigger, policy, rule or index a script statement creates ({@link tablePartKey}). */
/** The name of the extension a CREATE EXTENSION [IF NOT EXISTS] creates. */
function extensionOf(part: StatementPart): string | undefined {
  const t = part.tokens
  const word = (i: number): string => (t[i]?.type === 'ident' ? t[i].text.toUpperCase() : '')
  if (word(0) !== 'CREATE' || word(1) !== 'EXTENSION') return undefined
  const at = word(2) === 'IF' ? 5 : 2
  const name = t[at]
  if (name?.type === 'ident') return name.text.toLowerCase()
  if (name?.type === 'qident' && name.text.startsWith('"'))
    return name.text.slice(1, -1).replace(/""/g, '"')
  return undefined
}

export function tablePartOf(part: StatementPart): string | undefined {
  const tokens = part.tokens
  const word = (i: number): string =>
    tokens[i]?.type === 'ident' ? tokens[i].text.toUpperCase() : ''
  const isName = (i: number): boolean => tokens[i]?.type === 'ident' || tokens[i]?.type === 'qident'
  // ALTER PUBLICATION p ADD TABLE [ONLY] s.t (pg_dump's, one table a statement)
  if (word(0) === 'ALTER' && word(1) === 'PUBLICATION' && isName(2)) {
    if (word(3) !== 'ADD' || word(4) !== 'TABLE') return undefined
    const at = word(5) === 'ONLY' ? 6 : 5
    if (!isName(at) || tokens[at + 1]?.text !== '.' || !isName(at + 2)) return undefined
    return tablePartKey(
      'PUBLICATION TABLE',
      identifierValue(tokens[at]),
      identifierValue(tokens[at + 2]),
      identifierValue(tokens[2])
    )
  }
  // CREATE STATISTICS [IF NOT EXISTS] s.name …
  if (word(0) === 'CREATE' && word(1) === 'STATISTICS') {
    const at = word(2) === 'IF' ? 5 : 2
    if (!isName(at) || tokens[at + 1]?.text !== '.' || !isName(at + 2)) return undefined
    return tablePartKey(
      'STATISTICS',
      identifierValue(tokens[at]),
      '',
      identifierValue(tokens[at + 2])
    )
  }
  if (word(0) !== 'CREATE') return undefined
  let i = 1
  if (word(i) === 'OR' && word(i + 1) === 'REPLACE') i += 2
  let kind: TablePartKind
  let before: string
  if (word(i) === 'CONSTRAINT' && word(i + 1) === 'TRIGGER') {
    ;[kind, before] = ['TRIGGER', 'ON']
    i++
  } else if (word(i) === 'TRIGGER') [kind, before] = ['TRIGGER', 'ON']
  else if (word(i) === 'POLICY') [kind, before] = ['POLICY', 'ON']
  else if (word(i) === 'RULE') [kind, before] = ['RULE', 'TO']
  else if (word(i) === 'INDEX' || (word(i) === 'UNIQUE' && word(i + 1) === 'INDEX')) {
    ;[kind, before] = ['INDEX', 'ON']
    if (word(i) === 'UNIQUE') i++
  } else return undefined
  i++
  if (kind === 'INDEX' && word(i) === 'CONCURRENTLY') i++
  if (kind === 'INDEX' && word(i) === 'IF') i += 3
  const nameToken = tokens[i]
  if (nameToken?.type !== 'ident' && nameToken?.type !== 'qident') return undefined
  const on = tokens.findIndex(
    (t, k) => k > i && t.type === 'ident' && t.text.toUpperCase() === before
  )
  if (on < 0) return undefined
  let at = on + 1
  if (word(at) === 'ONLY') at++
  const schema = tokens[at]
  const table = tokens[at + 2]
  if (!schema || tokens[at + 1]?.text !== '.' || !table) return undefined
  return tablePartKey(
    kind,
    identifierValue(schema),
    identifierValue(table),
    identifierValue(nameToken)
  )
}

/**
 * The text from `start` (just after a "(") to its matching ")", skipping quoted strings, quoted
 * identifiers and nested parentheses; undefined when it does not end.
 */
export function parenthesized(sqlText: string, start: number): string | undefined {
  let depth = 0
  let quote: string | undefined
  for (let i = start; i < sqlText.length; i++) {
    const c = sqlText[i]
    if (quote) {
      if (c === quote) quote = undefined
    } else if (c === "'" || c === '"') {
      quote = c
    } else if (c === '(') {
      depth++
    } else if (c === ')') {
      if (depth === 0) return sqlText.slice(start, i)
      depth--
    }
  }
  return undefined
}

/** A name of identifiers joined by "." from token `i`, as written (quotes kept). */
function qualifiedName(
  tokens: readonly SqlToken[],
  i: number
): { text: string; next: number; qualified: boolean } | undefined {
  const isName = (t: SqlToken | undefined): boolean => t?.type === 'ident' || t?.type === 'qident'
  if (!isName(tokens[i])) return undefined
  let text = tokens[i].text
  let k = i + 1
  while (tokens[k]?.text === '.' && isName(tokens[k + 1])) {
    text += `.${tokens[k + 1].text}`
    k += 2
  }
  return { text, next: k, qualified: k > i + 1 }
}

/** An operator's name, schema-qualified or not: `schema.===`, `===`. */
function operatorName(
  tokens: readonly SqlToken[],
  i: number
): { text: string; next: number; qualified: boolean } | undefined {
  const t = tokens[i]
  if (t?.type === 'op') return { text: t.text, next: i + 1, qualified: false }
  if (
    (t?.type === 'ident' || t?.type === 'qident') &&
    tokens[i + 1]?.text === '.' &&
    tokens[i + 2]?.type === 'op'
  ) {
    return { text: `${t.text}.${tokens[i + 2].text}`, next: i + 3, qualified: true }
  }
  return undefined
}

/**
 * The argument types of a routine's parameter list (between its parentheses), as DROP FUNCTION
 * takes them: DEFAULT clauses left out (DROP refuses them), quotes and nested parentheses kept.
 */
export function routineArguments(list: string): string {
  const args: string[] = []
  let current = ''
  let depth = 0
  let quote: string | undefined
  for (let i = 0; i < list.length; i++) {
    const c = list[i]
    if (quote) {
      if (c === quote) quote = undefined
    } else if (c === "'" || c === '"') {
      quote = c
    } else if (c === '(') {
      depth++
    } else if (c === ')') {
      depth--
    } else if (depth === 0 && c === ',') {
      args.push(current)
      current = ''
      continue
    }
    current += c
  }
  args.push(current)
  return args
    .map(a => a.replace(/\s+(DEFAULT\s|=\s*)[\s\S]*$/i, '').trim())
    .filter(a => a !== '')
    .join(', ')
}

// ---------------------------------------------------------------------------------------------
// the check before anything is dropped

/** An object outside the backup that depends on one clean drops. */
export interface Dependent {
  /** PostgreSQL's own words, e.g. `view public.v depends on table public.t`. */
  description: string
  /**
   * How many objects the entry stands for: 1, or N for PostgreSQL's "and N other objects (see
   * server log for list)" (it names at most 100 dependents of one drop).
   */
  count?: number
  /**
   * The backup's own definition of this object, when the backup holds it outside the selection
   * and its table stays (a trigger on a table of another schema calling a function the
   * selection replaces: trial u34 F2); as the archive has it (hostile text: quote it with
   * quoteSql).
   */
  inBackup?: string
  /**
   * A part of a table that stays (a trigger, policy, rule, index, statistics object, key or
   * column default of a table outside what clean drops) that the drops take with them: the
   * target's own definition of it, read before the drops (pg_get_triggerdef …, qualified), which
   * the restore creates again after the load, in its transaction (trial u39 F1: Supabase's
   * on_auth_user_created on auth.users went with public.handle_new_user() and stayed gone).
   * `key`: its {@link tablePartKey}, to tell after the COMMIT whether it is there again.
   */
  recreate?: {
    key: string
    statements: string[]
    /** A view's fingerprint ({@link VIEW_FINGERPRINT}) as the target had it. */
    fingerprint?: string
    /** A view's depth among the views created again (0: it reads none of them): their order. */
    level?: number
    /**
     * Why the restoring role may be refused it (not the owner of the part's table; no CREATE on
     * the view's schema, or not a member of its owner): tried all the same, and said before
     * the load with its definition (re-attack a67 F4: promised, then gone).
     */
    doubt?: string
  }
  /** The {@link tablePartKey} of the part it is, when the check found it among the table parts. */
  part?: string
}

/** The number of objects `dependents` stand for (PostgreSQL's unnamed ones included). */
export function dependentCount(dependents: readonly Dependent[]): number {
  return dependents.reduce((n, d) => n + (d.count ?? 1), 0)
}

/**
 * How the objects a restore does not recreate are called: not in the backup, or with a subset
 * (tables, schemas: `selection`, e.g. "tables: invoices") not in what it restores — they may be
 * in the backup (trial u21 F4: the backup's own view was called "not in the backup").
 */
export function notRestored(selection?: string): string {
  return selection ? `not in what the restore brings back (${selection})` : 'not in the backup'
}

/** clean would drop objects that are not in the backup (or the subset restored). */
export class DependentsError extends CheckError {
  override name = 'DependentsError'
  constructor(
    readonly dependents: Dependent[],
    selection?: string
  ) {
    const n = dependentCount(dependents)
    super(
      `clean would drop ${plural(n, 'object')} that ${n === 1 ? 'is' : 'are'} ${notRestored(selection)} but depend on objects it recreates: ${describeDependents(dependents)}. Nothing was changed. Drop or change them first, restore into another database, or allow dropping them too with clean-drop-dependents: true (DROP … CASCADE; ${dependents.some(d => d.recreate) ? 'the views, materialized views and the parts of tables that stay among them — triggers, policies, rules, indexes, keys, checks, defaults — are created again after the load as the target has them, the other objects are not' : 'they are not recreated'}).${heldOutside(
        dependents.filter(d => !d.recreate),
        selection
      )}`
    )
  }
}

/**
 * For the dependents the backup holds outside the selection (Dependent.inBackup): their
 * definitions as the backup has them (one line each, redacted), to run after a restore with
 * clean-drop-dependents. Empty when there are none.
 */
export function heldOutside(dependents: readonly Dependent[], selection?: string): string {
  const held = dependents.filter(d => d.inBackup !== undefined)
  if (held.length === 0) return ''
  return ` The backup holds ${held.length === 1 ? 'this one' : `${held.length} of them`} outside the selection${selection ? ` (${selection})` : ''}: after a restore with clean-drop-dependents, create ${held.length === 1 ? 'it' : 'them'} again as the backup has ${held.length === 1 ? 'it' : 'them'}: ${held
    .slice(0, 10)
    .map(d => quoteSql(d.inBackup!, 400))
    .join(' ')}${held.length > 10 ? ` (and ${held.length - 10} more)` : ''}`
}

export function describeDependents(dependents: readonly Dependent[], limit = 20): string {
  const shown = dependents.slice(0, limit)
  const more = dependentCount(dependents) - dependentCount(shown)
  return shown.map(d => d.description).join('; ') + (more > 0 ? `; and ${more} more` : '')
}

/** A drop statement that also drops what depends on its object. */
export function withCascade(drop: string): string {
  return drop.startsWith('SELECT ') ? drop : drop.replace(/;\s*$/, ' CASCADE;')
}

/** What the check found: the dependents, and the order in which the list drops cleanly. */
export interface DropCheck {
  dependents: Dependent[]
  /** `drops` in the order the check ran them (an order PostgreSQL accepts). */
  order: string[]
  /** The statements that other objects block (run with CASCADE when that is allowed). */
  blocked: string[]
  /**
   * Parts of the backup's tables (keys, defaults, indexes, triggers, partitions …) that the drops
   * take and a subset restore (tables) leaves out, as pg_restore --clean --table does: said, as
   * PostgreSQL would name them, not refused.
   */
  lost: string[]
  /**
   * Of `lost`, the backup's own definitions (its entries' SQL, hostile text: quote it with
   * quoteSql), to run after the restore for those parts back (trial u40 F1: the primary and
   * foreign keys of a table restored by name, which pg_restore -L brings back by hand).
   */
  lostDefinitions?: string[]
  /**
   * The partitions (and inheritance children) of the tables that stay whose parts the drops
   * take: a partitioned table's keys, triggers and indexes have copies on each, which go and come
   * back with the parent's (re-attack a66 F4: the net then found the partitions changed), as
   * `schema.name`; the net checks only their rows.
   */
  changing?: string[]
}

/**
 * Runs `drops` in a transaction on `client` and rolls it back. A statement PostgreSQL refuses
 * because other objects depend on its object (SQLSTATE 2BP01) is tried again after the others
 * (an object of the backup that depends on it may drop later in the list); one still refused
 * when nothing else can drop is blocked by objects outside the list: PostgreSQL's DETAIL names
 * them, and it runs with CASCADE so that the check sees the rest. Other errors (a lock not
 * granted within lock_timeout, a privilege missing) are thrown as they are.
 */
export async function checkDrops(
  client: pg.Client,
  drops: readonly string[],
  tableParts: ReadonlySet<string> = new Set(),
  extensions: ReadonlySet<string> = new Set(),
  /** The backup's functions, types and operators (CleanList.objects); undefined: not checked. */
  owned?: readonly OwnedObject[],
  /** CleanList.archiveParts: an archive's keys, defaults and attachments compared too. */
  archiveParts?: {
    all: ReadonlySet<string>
    defaults: ReadonlySet<string>
    definitions?: ReadonlyMap<string, string>
  }
): Promise<DropCheck> {
  const found: Dependent[] = []
  const lost: string[] = []
  const lostDefinitions: string[] = []
  const changing: string[] = []
  const order: string[] = []
  const blocked: string[] = []
  const ownKeys = new Set((owned ?? []).map(ownedKey))
  let foreign: string[] = []
  await client.query('BEGIN')
  // a plain script's unqualified drop reaches what the session's search_path finds: named so
  // before the check's own search_path (a33c A1: the check dropped nothing, the load the
  // target's table, its trigger, index and publication membership unseen)
  let pending: string[] = []
  try {
    pending = await qualifiedDrops(client, drops)
    // PostgreSQL names objects in its messages relative to search_path: qualify every name
    await client.query('SET LOCAL search_path = pg_catalog')
    const partsBefore = await tablePartsNow(client)
    // the CHECK constraints tables hold only as their parent's (inherited, not their own)
    const inheritedChecks = (
      await client.query<{ line: string }>(
        `SELECT 'constraint ' || conname || ' on table ' || conrelid::regclass::text || ' depends on ' AS line
           FROM pg_constraint WHERE contype = 'c' AND conrelid <> 0 AND NOT conislocal`
      )
    ).rows.map(r => r.line)
    const viewsBefore = await viewsNow(client)
    const routinesBefore = owned ? await routinesNow(client) : []
    // the definitions of the parts the drops take are read back here, before them
    await client.query('SAVEPOINT clean_drops')
    while (pending.length > 0) {
      const refused: Array<{ drop: string; detail: string }> = []
      for (const drop of pending) {
        const detail = await tryDrop(client, drop)
        if (detail === undefined) order.push(drop)
        else refused.push({ drop, detail })
      }
      if (refused.length === pending.length) {
        // nothing more drops: one refused statement is blocked by objects outside the list
        const i = await firstToCascade(client, refused)
        const [stuck] = refused.splice(i, 1)
        // what the other statements still to run drop themselves (the backup's own): not a
        // dependent (attacker a79 F3: "table app.t depends on schema app", said not created
        // again, for the backup's table under its schema's DROP … CASCADE)
        const ownDropped = refused.flatMap(r => droppedObject(r.drop) ?? [])
        for (const line of stuck.detail.split('\n')) {
          const description = line.trim()
          if (ownDropped.some(o => description.startsWith(`${o} depends on `))) continue
          // the backup's own extension in a schema it drops: recreated by the backup
          const ext = /^extension (\S+) depends on schema \S+$/.exec(description)
          if (ext && extensions.has(ext[1])) continue
          // the backup's own function, type or operator (a base type and its input function)
          if (ownKeys.size > 0 && ownedDependent(description, ownKeys)) continue
          // past 100 dependents PostgreSQL counts the rest: they are dependents all the same
          const others = /^and (\d+) other objects?\b/.exec(description)
          if (others) {
            const count = Number(others[1])
            found.push({
              description: `${plural(count, 'other object')} that depend on what "${stuck.drop}" drops (PostgreSQL names only the first 100; the server's log lists them)`,
              count
            })
          } else if (description !== '') {
            found.push({ description })
          }
        }
        await client.query(withCascade(stuck.drop))
        order.push(stuck.drop)
        blocked.push(stuck.drop)
      }
      pending = refused.map(r => r.drop)
    }
    // triggers, policies, rules and indexes go with their table without a word: those that are
    // not the backup's are dependents too; with an archive, so do keys, defaults and partitions
    // that a subset restore (tables) does not bring back (trial u25 F3/F4: a partitioned table's
    // partitions, its keys and its partitions' attachments dropped, the restore "succeeded")
    const partsAfter = new Set((await tablePartsNow(client)).map(p => p.key))
    const taken = partsBefore.filter(p => !partsAfter.has(p.key) && !tableParts.has(p.key))
    // the tables that stay: their parts went with another object the drops take (a function
    // its trigger calls, a table its foreign key references), not with their table
    const staying = await relationsStaying(
      client,
      taken.map(p => p.table)
    )
    // PostgreSQL names a domain's constraint without its domain ("constraint c depends on
    // function f(text)"): its domain said
    for (const p of taken) {
      if (p.kind !== 'DOMAIN CONSTRAINT' || !staying.has(p.table)) continue
      for (const d of found) {
        const m = /^constraint (.+?) depends on (.*)$/s.exec(d.description)
        if (m && (m[1] === p.rawName || m[1] === p.name)) {
          d.description = `constraint ${m[1]} on domain ${p.table} depends on ${m[2]}`
          break
        }
      }
    }
    for (const p of taken) {
      // a CHECK constraint goes with its table, which pg_dump creates with its own (inside
      // CREATE TABLE, not an entry of its own): a dependent only on a table that stays, dropped
      // with a function it calls (attacker a76 F3: dropped and never created again, exit 0)
      if (ONLY_STAYING.has(p.kind) && !staying.has(p.table)) continue
      if (ARCHIVE_PARTS.has(p.kind) && !archiveParts) continue
      if (p.kind === 'DEFAULT' && !archiveParts?.defaults.has(p.key)) continue
      const stays = staying.has(p.table)
      if (archiveParts?.all.has(p.key)) {
        // a dependent the backup holds outside the selection, its definition said (trial u34
        // F2: said to "go with table auth.users", which stays)
        if (stays) {
          const inBackup = archiveParts.definitions?.get(p.key)
          const named = found.find(d => namedByPostgres([d], p))
          if (named) named.inBackup = inBackup
          else
            found.push({
              description: partDescription(p, stays),
              part: p.key,
              ...(inBackup ? { inBackup } : {})
            })
        } else {
          lost.push(partDescription(p))
          const definition = archiveParts.definitions?.get(p.key)
          if (definition) lostDefinitions.push(definition)
        }
      } else if (!namedByPostgres(found, p))
        found.push({ description: partDescription(p, stays), part: p.key })
    }
    // a function or operator of the target that the drops took and that is neither the backup's
    // (by its argument types) nor a dependent named above: a drop naming another overload of
    // the backup's name (attacker a31 A1: `DROP FUNCTION public.f(text)` for the entry f(integer))
    if (owned) {
      const after = new Set((await routinesNow(client)).map(r => r.oid))
      const said = found.map(d => d.description).join('\n')
      const counted = found.some(d => d.count !== undefined)
      foreign = routinesBefore
        .filter(
          r =>
            !after.has(r.oid) &&
            !ownKeys.has(ownedKey(r)) &&
            !counted &&
            !namedAsDependent(said, r.described)
        )
        .map(r => `${r.kind} ${r.described}`)
    }
    // the parts of tables that stay which the drops took (a trigger calling a function clean
    // replaces, a foreign key onto a table it replaces): the target's own definitions, read as
    // they were before the drops, to create them again after the load
    // the target's views the drops took with them (CASCADE) that PostgreSQL named as dependents:
    // created again after the load as the target has them (trial u41 F4: a reporting schema's
    // view over public's tables); not the backup's own, which its drops name
    const viewsAfter = new Set((await viewsNow(client)).map(v => v.oid))
    const said = found.map(d => d.description)
    const viewsTaken = viewsBefore.filter(
      v => !viewsAfter.has(v.oid) && said.some(d => viewNamed(d, v))
    )
    const viewsAgain = new Set(viewsTaken.map(v => v.qname))
    const kept = taken.filter(
      p => RECREATED_PARTS.has(p.kind) && (staying.has(p.table) || viewsAgain.has(p.table))
    )
    await client.query('ROLLBACK TO SAVEPOINT clean_drops')
    changing.push(
      ...(await descendantsOf(
        client,
        taken.filter(p => staying.has(p.table)).map(p => p.table)
      ))
    )
    const plpgsql = (kept.length > 0 || viewsTaken.length > 0) && (await hasPlpgsql(client))
    const rights = plpgsql
      ? await recreateRights(client, kept, viewsTaken)
      : new Map<string, string>()
    if (plpgsql && viewsTaken.length > 0) {
      const definitions = await viewDefinitions(client, viewsTaken)
      for (const v of viewsTaken) {
        const definition = definitions.get(v.oid)
        const d = found.find(f => viewNamed(f.description, v))
        if (definition && d)
          d.recreate = {
            key: viewKey(v),
            statements: definition.statements,
            fingerprint: definition.fingerprint,
            level: definition.level,
            ...(rights.get(viewKey(v)) ? { doubt: rights.get(viewKey(v)) } : {})
          }
      }
    }
    if (plpgsql && kept.length > 0) {
      const definitions = await partDefinitions(client, kept)
      for (const p of kept) {
        const statements = definitions.get(p.oid)
        if (!statements || statements.length === 0) continue
        let d = found.find(f => f.part === p.key) ?? found.find(f => namedByPostgres([f], p))
        if (!d) {
          // a part of a view created again comes back with it (attacker a79 F3: said "its view
          // stays" of a view dropped and created again)
          d = {
            description: partDescription(p, staying.has(p.table), viewsAgain.has(p.table)),
            part: p.key
          }
          found.push(d)
        }
        d.recreate = {
          key: p.key,
          statements,
          ...(rights.get(p.key) ? { doubt: rights.get(p.key) } : {})
        }
      }
    }
    // a child's inherited CHECK comes back with its parent's, created again: not a dependent of
    // its own (attacker a77 F4: said not to be created again)
    const again = new Set(kept.filter(p => p.kind === 'CHECK CONSTRAINT').map(p => p.rawName))
    for (let i = found.length - 1; i >= 0; i--) {
      const line = inheritedChecks.find(l => found[i].description.startsWith(l))
      if (line && again.has(/^constraint (.+?) on table /s.exec(line)?.[1])) found.splice(i, 1)
    }
  } finally {
    await client.query('ROLLBACK').catch(() => undefined)
  }
  if (foreign.length > 0)
    throw new CheckError(
      `clean: the archive's drop statements would drop ${foreign.slice(0, 10).join(', ')}${foreign.length > 10 ? ` and ${foreign.length - 10} more` : ''} of the target, which the backup does not hold (none of its entries has that name and those argument types). pg_dump drops only the objects it recreates; nothing was dropped or restored. Restore without clean (into an empty database), or from a backup pg_dump made.`
    )
  const dependents = [...new Map(found.map(d => [d.description, d])).values()]
  return { dependents, order, blocked, lost, lostDefinitions, changing }
}

/**
 * The object a drop statement drops as PostgreSQL describes it ("table app.t", "function
 * app.f(integer)"): undefined for other statements.
 */
function droppedObject(drop: string): string | undefined {
  const m =
    /^DROP (TABLE|VIEW|MATERIALIZED VIEW|FOREIGN TABLE|SEQUENCE|TYPE|DOMAIN|FUNCTION|PROCEDURE|AGGREGATE|SCHEMA) (?:IF EXISTS )?(.+?)(?: CASCADE)?;?$/s.exec(
      drop.trim()
    )
  return m ? `${m[1].toLowerCase()} ${m[2]}` : undefined
}

/**
 * `drops` with each unqualified DROP of a relation or type (`DROP TABLE IF EXISTS items;`, a
 * plain script's) naming the one the session's search_path resolves it to, schema-qualified;
 * left as it is when there is none.
 */
async function qualifiedDrops(client: pg.Client, drops: readonly string[]): Promise<string[]> {
  const out: string[] = []
  for (const drop of drops) {
    const m =
      /^DROP (TABLE|VIEW|MATERIALIZED VIEW|FOREIGN TABLE|SEQUENCE|TYPE|DOMAIN) (IF EXISTS )?("(?:[^"]|"")+"|[^\s".;]+)( CASCADE)?;$/.exec(
        drop.trim()
      )
    if (!m) {
      out.push(drop)
      continue
    }
    const type = m[1] === 'TYPE' || m[1] === 'DOMAIN'
    // resolved by the session's own search_path (the script's session would resolve it so), in a
    // read that calls only pg_catalog's functions; the rest under the action's own path
    const resolved = await withSessionSearchPath(client, () =>
      client.query<{ oid: string | null }>(
        type
          ? 'SELECT pg_catalog.to_regtype($1)::pg_catalog.oid::pg_catalog.text AS oid'
          : 'SELECT pg_catalog.to_regclass($1)::pg_catalog.oid::pg_catalog.text AS oid',
        [m[3]]
      )
    )
    const oid = resolved.rows[0]?.oid ?? null
    const { rows } =
      oid === null
        ? { rows: [] as { qualified: string | null }[] }
        : await client.query<{ qualified: string | null }>(
            type
              ? `SELECT pg_catalog.quote_ident(n.nspname) AS qualified FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace WHERE t.oid = $1::oid`
              : `SELECT pg_catalog.quote_ident(n.nspname) AS qualified FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $1::oid`,
            [oid]
          )
    const schema = rows[0]?.qualified
    out.push(schema ? `DROP ${m[1]} ${m[2] ?? ''}${schema}.${m[3]}${m[4] ?? ''};` : drop)
  }
  return out
}

/** A function or operator of the target, with the identity clean compares ({@link OwnedObject}). */
interface RoutineNow extends OwnedObject {
  oid: string
  /** As PostgreSQL's messages name it (regprocedure, regoperator): `public.f(integer)`. */
  described: string
}

/**
 * The target's functions and operators (not an extension's, not part of another object such as
 * a range type's constructors), read with search_path pg_catalog.
 */
async function routinesNow(client: pg.Client): Promise<RoutineNow[]> {
  const own = (alias: string, catalog: string): string =>
    `n.nspname NOT IN ('pg_catalog','information_schema') AND n.nspname !~ '^pg_(toast|temp_)' AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend d WHERE d.classid OPERATOR(pg_catalog.=) '${catalog}'::pg_catalog.regclass AND d.objid OPERATOR(pg_catalog.=) ${alias}.oid AND d.deptype OPERATOR(pg_catalog.=) ANY ('{e,i}'::pg_catalog."char"[]))`
  const { rows } = await client.query<{
    kind: 'function' | 'operator'
    oid: string
    schema: string
    sig: string
    described: string
  }>(
    `SELECT 'function' AS kind, p.oid::pg_catalog.text AS oid, n.nspname AS schema, ${FUNCTION_SIGNATURE} AS sig,
            p.oid::pg_catalog.regprocedure::pg_catalog.text AS described
       FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) p.pronamespace
      WHERE ${own('p', 'pg_proc')}
     UNION ALL
     SELECT 'operator', o.oid::pg_catalog.text, n.nspname, ${OPERATOR_SIGNATURE},
            o.oid::pg_catalog.regoperator::pg_catalog.text
       FROM pg_catalog.pg_operator o JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) o.oprnamespace
      WHERE ${own('o', 'pg_operator')}`
  )
  return rows.map(r => ({ ...r, name: signatureKey(r.sig) }))
}

/** Whether PostgreSQL's description `text` names `described` (followed by " depends on" or its end). */
function namedAsDependent(text: string, described: string): boolean {
  return text.split('\n').some(line => {
    const m = /^(?:function|procedure|aggregate|operator) (.+?) depends on /.exec(line)
    return m !== null && m[1] === described
  })
}

/**
 * Whether a line of PostgreSQL's DETAIL ("function public.bt_in(cstring) depends on type
 * public.bt") names one of the backup's own functions, types or operators (`ownKeys`: ownedKey).
 */
function ownedDependent(description: string, ownKeys: ReadonlySet<string>): boolean {
  const m = /^(function|procedure|aggregate|type|operator) (.+?) depends on /.exec(description)
  if (!m) return false
  const kind = m[1] === 'type' ? 'type' : m[1] === 'operator' ? 'operator' : 'function'
  const open = kind === 'type' || !m[2].endsWith(')') ? -1 : routineName(m[2]).length
  const qualified = open < 0 ? m[2] : m[2].slice(0, open)
  // an operator's name may hold dots: schema.op — the schema is the part up to the first dot
  const dot = kind === 'operator' ? qualified.indexOf('.') : -1
  const parts =
    kind === 'operator'
      ? dot < 0
        ? undefined
        : [nameParts(qualified.slice(0, dot))?.[0] ?? '', qualified.slice(dot + 1)]
      : nameParts(qualified)
  if (parts?.length !== 2) return false
  const name = kind === 'type' ? parts[1] : signatureKey(parts[1] + m[2].slice(open))
  return ownKeys.has(ownedKey({ kind, schema: parts[0], name }))
}

interface TablePartNow {
  key: string
  kind: TablePartKind
  /** Its catalog row's oid (TABLE ATTACH: the partition's). */
  oid: string
  name: string
  /** Its name unquoted, as PostgreSQL's dependents' lines give a trigger's, policy's, rule's. */
  rawName?: string
  /** Qualified and quoted. */
  table: string
  relkind: string
}

/**
 * The parts that go with their table (or domain) whose definition pg_dump writes inside it
 * (CREATE TABLE, CREATE DOMAIN): dependents only of a table or domain that stays.
 */
const ONLY_STAYING = new Set<TablePartKind>(['CHECK CONSTRAINT', 'DOMAIN CONSTRAINT'])

/**
 * The part is among the dependents PostgreSQL named already ("constraint x on table public.t
 * depends on table public.u"): not listed twice (trial u32 F2: a foreign key named as a
 * constraint and again as a foreign key).
 */
function namedByPostgres(found: readonly Dependent[], p: TablePartNow): boolean {
  const escape = (t: string): string => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  // "trigger t on table s.x depends on …": the part's own name unquoted, its table's quoted
  const names = [...new Set([p.name, p.rawName ?? p.name])].map(escape).join('|')
  const said = new RegExp(`^\\w+ (?:${names}) on (?:\\w+ )*${escape(p.table)} depends on `)
  // "default value for column id of table s.t depends on …", "index s.i depends on …"
  const schema = p.table.slice(0, p.table.lastIndexOf('.'))
  const other =
    p.kind === 'DEFAULT'
      ? new RegExp(
          `^default value for column ${escape(p.name)} of (?:[a-z]+ )+${escape(p.table)} depends on `
        )
      : p.kind === 'INDEX' || p.kind === 'STATISTICS'
        ? new RegExp(
            `^(?:index|statistics object) (?:${escape(schema)}\\.)?${escape(p.name)} depends on `
          )
        : undefined
  return found.some(d => said.test(d.description) || (other?.test(d.description) ?? false))
}

/**
 * How the check names a part its drops take and the restore does not bring back; `stays`: its
 * table stays (the part went with another object the drops take: a function, a referenced table).
 */
function partDescription(p: TablePartNow, stays = false, withView = false): string {
  if (stays || withView) {
    const what =
      p.kind === 'DEFAULT'
        ? `the default of column ${p.name}`
        : p.kind === 'FK CONSTRAINT'
          ? `foreign key ${p.name}`
          : `${p.kind.toLowerCase()} ${p.name}`
    return stays
      ? `${what} on ${p.relkind} ${p.table} depends on what clean drops (its ${p.relkind} stays)`
      : `${what} on ${p.relkind} ${p.table} goes with ${p.relkind} ${p.table} (created again with it)`
  }
  switch (p.kind) {
    case 'PUBLICATION TABLE':
      return `the membership of ${p.relkind} ${p.table} in publication ${p.name} goes with ${p.relkind} ${p.table} (its changes no longer published)`
    case 'STATISTICS':
      return `extended statistics ${p.name} on ${p.relkind} ${p.table} goes with ${p.relkind} ${p.table}`
    case 'CONSTRAINT':
    case 'FK CONSTRAINT':
      // a foreign key goes with its table or with the table it references (attacker a38 5)
      return p.kind === 'FK CONSTRAINT'
        ? `foreign key ${p.name} on table ${p.table} is dropped (with its table, or with the table it references)`
        : `constraint ${p.name} on table ${p.table} goes with table ${p.table}`
    case 'DEFAULT':
      return `the default of column ${p.name} of table ${p.table} goes with table ${p.table}`
    case 'TABLE ATTACH':
      // p.table: the partition; p.name: its parent
      return `partition ${p.table} of table ${p.name} is dropped or detached with it, and not attached again`
    default:
      return `${p.kind.toLowerCase()} ${p.name} on ${p.relkind} ${p.table} goes with ${p.relkind} ${p.table}`
  }
}

/**
 * The target's triggers, policies, rules, indexes, statistics, publication memberships, keys,
 * checks, defaults, partition attachments and its domains' checks (not of extensions, not made by
 * PostgreSQL itself).
 */
async function tablePartsNow(client: pg.Client): Promise<TablePartNow[]> {
  const result = await client.query<{
    kind: TablePartKind
    schema: string
    tbl: string
    name: string
    qname: string
    qtable: string
    relkind: string
    oid: string
  }>(
    `SELECT p.kind, COALESCE(p.nsp, n.nspname) AS schema, c.relname AS tbl, p.name, p.oid::text AS oid,
            CASE WHEN p.kind = 'TABLE ATTACH' THEN p.name
                 ELSE CASE WHEN p.kind = 'STATISTICS' THEN quote_ident(p.nsp) || '.' ELSE '' END || quote_ident(p.name) END AS qname,
            quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS qtable,
            CASE c.relkind WHEN 'm' THEN 'materialized view' WHEN 'v' THEN 'view' ELSE 'table' END AS relkind
       FROM (SELECT 'TRIGGER' AS kind, t.tgrelid AS rel, t.tgname::text AS name, t.oid, 'pg_trigger'::regclass AS cls, NULL::name AS nsp
               FROM pg_trigger t WHERE NOT t.tgisinternal AND t.tgparentid = 0
             UNION ALL SELECT 'POLICY', p.polrelid, p.polname::text, p.oid, 'pg_policy'::regclass, NULL FROM pg_policy p
             UNION ALL SELECT 'RULE', r.ev_class, r.rulename::text, r.oid, 'pg_rewrite'::regclass, NULL
               FROM pg_rewrite r WHERE r.rulename <> '_RETURN'
             UNION ALL SELECT 'INDEX', x.indrelid, i.relname::text, i.oid, 'pg_class'::regclass, NULL
               FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
              WHERE NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid AND k.contype IN ('p', 'u', 'x'))
                AND i.relispartition = false
             UNION ALL SELECT 'STATISTICS', s.stxrelid, s.stxname::text, s.oid, 'pg_statistic_ext'::regclass, sn.nspname
               FROM pg_statistic_ext s JOIN pg_namespace sn ON sn.oid = s.stxnamespace
             UNION ALL SELECT 'PUBLICATION TABLE', r.prrelid, b.pubname::text, r.oid, 'pg_publication_rel'::regclass, NULL
               FROM pg_publication_rel r JOIN pg_publication b ON b.oid = r.prpubid
             UNION ALL SELECT CASE k.contype WHEN 'f' THEN 'FK CONSTRAINT' ELSE 'CONSTRAINT' END, k.conrelid, k.conname::text, k.oid, 'pg_constraint'::regclass, NULL
               FROM pg_constraint k WHERE k.contype IN ('p', 'u', 'x', 'f') AND k.conrelid <> 0 AND k.conparentid = 0
             UNION ALL SELECT 'CHECK CONSTRAINT', k.conrelid, k.conname::text, k.oid, 'pg_constraint'::regclass, NULL
               FROM pg_constraint k WHERE k.contype = 'c' AND k.conrelid <> 0 AND k.conislocal
             UNION ALL SELECT 'DEFAULT', d.adrelid, a.attname::text, d.oid, 'pg_attrdef'::regclass, NULL
               FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
              WHERE NOT a.attisdropped AND a.attgenerated = ''
             UNION ALL SELECT 'TABLE ATTACH', i.inhrelid, quote_ident(pn.nspname) || '.' || quote_ident(pc.relname), i.inhrelid, 'pg_class'::regclass, NULL
               FROM pg_inherits i JOIN pg_class ch ON ch.oid = i.inhrelid AND ch.relispartition AND ch.relkind IN ('r', 'p', 'f')
               JOIN pg_class pc ON pc.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = pc.relnamespace) p
       JOIN pg_class c ON c.oid = p.rel JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_)'
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
     UNION ALL
     -- a domain's CHECK constraints (its "table": the domain), not an extension's domain's
     SELECT 'DOMAIN CONSTRAINT', n.nspname, t.typname, k.conname, k.oid::text, quote_ident(k.conname),
            quote_ident(n.nspname) || '.' || quote_ident(t.typname), 'domain'
       FROM pg_constraint k JOIN pg_type t ON t.oid = k.contypid JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE k.contype = 'c' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')`
  )
  return result.rows.map(r => ({
    key: tablePartKey(r.kind, r.schema, r.tbl, r.name),
    kind: r.kind,
    oid: r.oid,
    name: r.qname,
    rawName: r.name,
    table: r.qtable,
    relkind: r.relkind
  }))
}

/**
 * The parts of a table that stays which clean creates again after the load when its drops took
 * them (Dependent.recreate): each is one definition PostgreSQL prints whole. Not a table's
 * membership of a publication (it goes only with its table) nor a partition's attachment.
 */
const RECREATED_PARTS = new Set<TablePartKind>([
  'TRIGGER',
  'POLICY',
  'RULE',
  'INDEX',
  'STATISTICS',
  'CONSTRAINT',
  'FK CONSTRAINT',
  'CHECK CONSTRAINT',
  'DOMAIN CONSTRAINT',
  'DEFAULT'
])

/** Which of `relations` (qualified, quoted; or domains) are there in the check's transaction. */
async function relationsStaying(
  client: pg.Client,
  relations: readonly string[]
): Promise<Set<string>> {
  if (relations.length === 0) return new Set()
  const { rows } = await client.query<{ name: string }>(
    `SELECT r AS name FROM unnest($1::text[]) AS r
      WHERE pg_catalog.to_regclass(r) IS NOT NULL OR pg_catalog.to_regtype(r) IS NOT NULL`,
    [[...new Set(relations)]]
  )
  return new Set(rows.map(r => r.name))
}

/** The partitions and inheritance children, at any depth, of `tables` (qualified, quoted), as `schema.name`. */
async function descendantsOf(client: pg.Client, tables: readonly string[]): Promise<string[]> {
  if (tables.length === 0) return []
  const { rows } = await client.query<{ name: string }>(
    `WITH RECURSIVE tree(oid) AS (
       SELECT i.inhrelid FROM pg_catalog.pg_inherits i
        WHERE i.inhparent = ANY (SELECT pg_catalog.to_regclass(t)::oid FROM unnest($1::text[]) AS t)
       UNION SELECT i.inhrelid FROM pg_catalog.pg_inherits i JOIN tree ON i.inhparent = tree.oid)
     SELECT n.nspname || '.' || c.relname AS name
       FROM tree JOIN pg_catalog.pg_class c ON c.oid = tree.oid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace`,
    [[...new Set(tables)]]
  )
  return rows.map(r => r.name)
}

/**
 * A view's fingerprint (its pg_class row as `alias`): md5 of its definition, owner, grants
 * (grantee, privilege, grant option; not the grantor) and options, as the check before COMMIT
 * compares a view created again by clean-drop-dependents with the one it took (re-trial u42 F1:
 * the target's own view, granted to a reader, was refused as a backup's granted view).
 */
export const VIEW_FINGERPRINT = (alias: string): string =>
  `pg_catalog.md5(pg_catalog.concat_ws(':', pg_catalog.pg_get_viewdef(${alias}.oid), pg_catalog.pg_get_userbyid(${alias}.relowner), (SELECT pg_catalog.string_agg(a.grantee::pg_catalog.text OPERATOR(pg_catalog.||) '/' OPERATOR(pg_catalog.||) a.privilege_type OPERATOR(pg_catalog.||) '/' OPERATOR(pg_catalog.||) a.is_grantable::pg_catalog.text, ',' ORDER BY a.grantee, a.privilege_type) FROM pg_catalog.aclexplode(${alias}.relacl) a), pg_catalog.array_to_string(${alias}.reloptions, ',')))`

/**
 * A view or materialized view of the target (relkind v or m), not the system's nor an
 * extension's.
 */
interface ViewNow {
  oid: string
  schema: string
  name: string
  /** Qualified and quoted (as regclass prints it with search_path pg_catalog). */
  qname: string
  /** A materialized view (attacker a79 F2: dropped for good, exit 0). */
  materialized: boolean
  /** A materialized view's rows are there (relispopulated): refreshed when created again. */
  populated: boolean
}

async function viewsNow(client: pg.Client): Promise<ViewNow[]> {
  const { rows } = await client.query<ViewNow>(
    `SELECT c.oid::text AS oid, n.nspname AS schema, c.relname AS name,
            pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) AS qname,
            c.relkind = 'm' AS materialized, c.relispopulated AS populated
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('v', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND n.nspname !~ '^pg_(toast|temp_)'
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                         WHERE d.classid = 'pg_class'::pg_catalog.regclass AND d.objid = c.oid AND d.deptype = 'e')
      ORDER BY c.oid`
  )
  return rows
}

/**
 * PostgreSQL's dependent line names the view ("view s.v depends on table public.t",
 * "materialized view s.m depends on view s.v").
 */
function viewNamed(description: string, v: ViewNow): boolean {
  const kind = v.materialized ? 'materialized view' : 'view'
  return (
    description.startsWith(`${kind} ${v.qname} depends on `) ||
    description.startsWith(`${kind} ${v.schema}.${v.name} depends on `)
  )
}

/** The key of a recreated view or materialized view (Dependent.recreate), apart from the table parts'. */
function viewKey(v: { schema: string; name: string; materialized?: boolean }): string {
  return `${v.materialized ? 'MATERIALIZED VIEW' : 'VIEW'}\0${v.schema}\0${v.name}`
}

/** Whether a key of Dependent.recreate is a view's or a materialized view's ({@link viewKey}). */
export function isViewKey(key: string): boolean {
  return key.startsWith('VIEW\0') || key.startsWith('MATERIALIZED VIEW\0')
}

/**
 * The statements that create `views` again as the target has them now, all of a view's in one
 * block (none without its owner: a view runs with its owner's privileges): CREATE VIEW with its
 * options (security_invoker, security_barrier, check_option), its owner, the privileges others
 * have on it, its and its columns' comments; by oid. A materialized view as pg_dump creates it:
 * CREATE MATERIALIZED VIEW … WITH NO DATA (with its access method, storage options and
 * tablespace), its owner, grants and comments, then REFRESH MATERIALIZED VIEW where it was
 * populated (run as its owner, as pg_dump's REFRESH entry: its rows are computed again from the
 * tables as the restore left them). `level`: how deep it sits among `views` (0: it reads none of
 * them), the order to create them in.
 */
async function viewDefinitions(
  client: pg.Client,
  views: readonly ViewNow[]
): Promise<Map<string, { statements: string[]; fingerprint: string; level: number }>> {
  const { rows } = await client.query<{ oid: string; statements: string[]; fingerprint: string }>(
    `SELECT c.oid::text AS oid, ${VIEW_FINGERPRINT('c')} AS fingerprint,
            CASE WHEN c.relkind = 'm'
              THEN ARRAY['CREATE MATERIALIZED VIEW ' || c.oid::pg_catalog.regclass::text
                  || COALESCE((SELECT ' USING ' || pg_catalog.quote_ident(a.amname) FROM pg_catalog.pg_am a
                                WHERE a.oid = c.relam AND a.amname <> 'heap'), '')
                  || COALESCE(' WITH (' || pg_catalog.array_to_string(c.reloptions, ', ') || ')', '')
                  || COALESCE((SELECT ' TABLESPACE ' || pg_catalog.quote_ident(t.spcname) FROM pg_catalog.pg_tablespace t
                                WHERE t.oid = c.reltablespace), '')
                  || ' AS ' || pg_catalog.regexp_replace(pg_catalog.pg_get_viewdef(c.oid), ';\\s*$', '')
                  || ' WITH NO DATA;',
                  'ALTER MATERIALIZED VIEW ' || c.oid::pg_catalog.regclass::text || ' OWNER TO '
                  || pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(c.relowner)) || ';']
              ELSE ARRAY['CREATE VIEW ' || c.oid::pg_catalog.regclass::text
                  || COALESCE(' WITH (' || pg_catalog.array_to_string(c.reloptions, ', ') || ')', '')
                  || ' AS ' || pg_catalog.pg_get_viewdef(c.oid),
                  'ALTER VIEW ' || c.oid::pg_catalog.regclass::text || ' OWNER TO '
                  || pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(c.relowner)) || ';'] END
            || COALESCE((SELECT pg_catalog.array_agg('GRANT ' || a.privilege_type || ' ON TABLE '
                          || c.oid::pg_catalog.regclass::text || ' TO '
                          || CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(a.grantee)) END
                          || CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END || ';')
                           FROM pg_catalog.aclexplode(c.relacl) AS a WHERE a.grantee <> c.relowner), '{}')
            || COALESCE((SELECT pg_catalog.array_agg(CASE WHEN d.objsubid = 0
                            THEN CASE WHEN c.relkind = 'm' THEN 'COMMENT ON MATERIALIZED VIEW ' ELSE 'COMMENT ON VIEW ' END
                                 || c.oid::pg_catalog.regclass::text
                            ELSE 'COMMENT ON COLUMN ' || c.oid::pg_catalog.regclass::text || '.'
                                 || pg_catalog.quote_ident((SELECT attname FROM pg_catalog.pg_attribute WHERE attrelid = c.oid AND attnum = d.objsubid)) END
                          || ' IS ' || pg_catalog.quote_literal(d.description) || ';' ORDER BY d.objsubid)
                           FROM pg_catalog.pg_description d WHERE d.objoid = c.oid AND d.classoid = 'pg_class'::pg_catalog.regclass), '{}')
            || CASE WHEN c.relkind = 'm' AND c.relispopulated
                 THEN ARRAY['REFRESH MATERIALIZED VIEW ' || c.oid::pg_catalog.regclass::text || ';'] ELSE '{}'::text[] END AS statements
       FROM pg_catalog.pg_class c WHERE c.oid = ANY($1::oid[])`,
    [views.map(v => v.oid)]
  )
  // which of `views` each reads (its rule's dependencies): a chain is created from its foot
  const { rows: reads } = await client.query<{ oid: string; ref: string }>(
    `SELECT DISTINCT r.ev_class::text AS oid, d.refobjid::text AS ref
       FROM pg_catalog.pg_rewrite r JOIN pg_catalog.pg_depend d
         ON d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND d.objid = r.oid
        AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
      WHERE r.ev_class = ANY($1::oid[]) AND d.refobjid = ANY($1::oid[]) AND d.refobjid <> r.ev_class`,
    [views.map(v => v.oid)]
  )
  const levels = new Map<string, number>()
  const level = (oid: string, seen: ReadonlySet<string>): number => {
    const known = levels.get(oid)
    if (known !== undefined) return known
    const below = reads
      .filter(r => r.oid === oid && !seen.has(r.ref))
      .map(r => 1 + level(r.ref, new Set([...seen, oid])))
    const n = Math.max(0, ...below)
    levels.set(oid, n)
    return n
  }
  return new Map(
    rows.map(r => [
      r.oid,
      { statements: r.statements, fingerprint: r.fingerprint, level: level(r.oid, new Set()) }
    ])
  )
}

/**
 * For the parts and views to create again, why the restoring role may be refused (by key; none
 * where it owns the part's table, or may create in the view's schema and act as its owner).
 */
async function recreateRights(
  client: pg.Client,
  parts: readonly TablePartNow[],
  views: readonly ViewNow[]
): Promise<Map<string, string>> {
  const doubts = new Map<string, string>()
  const { rows: tables } = await client.query<{
    t: string
    owner: string
    owns: boolean
    triggers: boolean
  }>(
    `SELECT t, pg_catalog.pg_get_userbyid(o.owner)::text AS owner,
            pg_catalog.pg_has_role(current_user, o.owner, 'USAGE') AS owns,
            COALESCE(pg_catalog.has_table_privilege(pg_catalog.to_regclass(t), 'TRIGGER'), false) AS triggers
       FROM unnest($1::text[]) AS t
       CROSS JOIN LATERAL (SELECT c.relowner AS owner FROM pg_catalog.pg_class c WHERE c.oid = pg_catalog.to_regclass(t)
                           UNION ALL SELECT y.typowner FROM pg_catalog.pg_type y
                            WHERE y.oid = pg_catalog.to_regtype(t) AND pg_catalog.to_regclass(t) IS NULL) AS o`,
    [[...new Set(parts.map(p => p.table))]]
  )
  const owned = new Map(tables.map(r => [r.t, r]))
  // a trigger not enabled as by default, or with a comment: its ALTER TABLE … TRIGGER and its
  // COMMENT need the table's owner too (attacker a78 F1)
  const { rows: ownerOnly } = await client.query<{ oid: string }>(
    `SELECT t.oid::text AS oid FROM pg_catalog.pg_trigger t
      WHERE t.oid = ANY($1::oid[])
        AND (t.tgenabled <> 'O' OR EXISTS (SELECT 1 FROM pg_catalog.pg_description d
                                            WHERE d.objoid = t.oid AND d.classoid = 'pg_trigger'::pg_catalog.regclass))`,
    [parts.filter(p => p.kind === 'TRIGGER').map(p => p.oid)]
  )
  const needsOwner = new Set(ownerOnly.map(r => r.oid))
  for (const p of parts) {
    const t = owned.get(p.table)
    // a trigger needs only the TRIGGER privilege on its table; any other part, its ownership
    const trigger = p.kind === 'TRIGGER' && !needsOwner.has(p.oid)
    if (t && !t.owns && !(trigger && t.triggers))
      doubts.set(
        p.key,
        `the restoring role is not the owner of ${p.table} ("${t.owner}")${trigger ? ' and has no TRIGGER privilege on it' : p.kind === 'TRIGGER' ? ' (a trigger disabled or with a comment needs it)' : ''}`
      )
  }
  const { rows: viewRights } = await client.query<{
    oid: string
    owner: string
    creates: boolean
    acts: boolean
    owns: boolean
    owner_creates: boolean
  }>(
    // ALTER VIEW … OWNER TO by a role that is not a superuser: the new owner needs CREATE on the
    // schema too (attacker a79 F1: it failed at the load's end)
    `SELECT c.oid::text AS oid, pg_catalog.pg_get_userbyid(c.relowner)::text AS owner,
            pg_catalog.has_schema_privilege(current_user, c.relnamespace, 'CREATE') AS creates,
            pg_catalog.pg_has_role(current_user, c.relowner, 'MEMBER') AS acts,
            -- a materialized view's REFRESH and indexes: its owner's privileges (USAGE)
            (c.relkind <> 'm' OR pg_catalog.pg_has_role(current_user, c.relowner, 'USAGE')) AS owns,
            (pg_catalog.has_schema_privilege(c.relowner, c.relnamespace, 'CREATE')
             OR (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = current_user)) AS owner_creates
       FROM pg_catalog.pg_class c WHERE c.oid = ANY($1::oid[])`,
    [views.map(v => v.oid)]
  )
  for (const r of viewRights) {
    const v = views.find(x => x.oid === r.oid)!
    const kind = v.materialized ? 'materialized view' : 'view'
    const why = [
      ...(r.creates ? [] : [`the restoring role may not create in schema ${v.schema}`]),
      ...(r.acts
        ? r.owns
          ? []
          : [
              `it does not have the privileges of the ${kind}'s owner "${r.owner}" (a member with NOINHERIT), which its REFRESH and indexes need`
            ]
        : [`it is not a member of the ${kind}'s owner "${r.owner}"`]),
      ...(r.owner_creates
        ? []
        : [`the ${kind}'s owner "${r.owner}" may not create in schema ${v.schema}`])
    ].join(', and ')
    if (why) doubts.set(viewKey(v), why)
  }
  return doubts
}

/** PL/pgSQL is there: the recreation runs each definition in a DO block of its own. */
async function hasPlpgsql(client: pg.Client): Promise<boolean> {
  const { rows } = await client.query<{ there: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_language WHERE lanname = 'plpgsql') AS there`
  )
  return rows[0]?.there === true
}

/**
 * The statements that create `parts` again as the target has them now (names qualified: the
 * check's search_path is pg_catalog), with a trigger's enabled state and each part's comment;
 * by oid. PostgreSQL's own printers: pg_get_triggerdef, pg_get_ruledef, pg_get_indexdef,
 * pg_get_statisticsobjdef, pg_get_constraintdef, pg_get_expr (a policy's USING and WITH CHECK,
 * a column's default).
 */
async function partDefinitions(
  client: pg.Client,
  parts: readonly TablePartNow[]
): Promise<Map<string, string[]>> {
  const oids = (kinds: TablePartKind[]): string[] =>
    parts.filter(p => kinds.includes(p.kind)).map(p => p.oid)
  const comment = (what: string, cls: string, oid: string): string =>
    `CASE WHEN (SELECT description FROM pg_catalog.pg_description WHERE objoid = ${oid} AND classoid = '${cls}'::pg_catalog.regclass AND objsubid = 0) IS NULL THEN '{}'::text[]
          ELSE ARRAY['COMMENT ON ' || ${what} || ' IS ' || pg_catalog.quote_literal((SELECT description FROM pg_catalog.pg_description WHERE objoid = ${oid} AND classoid = '${cls}'::pg_catalog.regclass AND objsubid = 0)) || ';'] END`
  const { rows } = await client.query<{ oid: string; statements: string[] }>(
    `SELECT t.oid::text AS oid,
            ARRAY[pg_catalog.pg_get_triggerdef(t.oid) || ';']
            || CASE t.tgenabled WHEN 'O' THEN '{}'::text[]
                 ELSE ARRAY['ALTER TABLE ' || t.tgrelid::pg_catalog.regclass::text
                   || CASE t.tgenabled WHEN 'D' THEN ' DISABLE' WHEN 'R' THEN ' ENABLE REPLICA' ELSE ' ENABLE ALWAYS' END
                   || ' TRIGGER ' || pg_catalog.quote_ident(t.tgname) || ';'] END
            || ${comment(`'TRIGGER ' || pg_catalog.quote_ident(t.tgname) || ' ON ' || t.tgrelid::pg_catalog.regclass::text`, 'pg_trigger', 't.oid')} AS statements
       FROM pg_catalog.pg_trigger t WHERE t.oid = ANY($1::oid[])
     UNION ALL
     SELECT p.oid::text,
            ARRAY['CREATE POLICY ' || pg_catalog.quote_ident(p.polname) || ' ON ' || p.polrelid::pg_catalog.regclass::text
              || CASE WHEN p.polpermissive THEN '' ELSE ' AS RESTRICTIVE' END
              || ' FOR ' || CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END
              || ' TO ' || (SELECT pg_catalog.string_agg(CASE WHEN r = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(r)) END, ', ') FROM pg_catalog.unnest(p.polroles) AS r)
              || COALESCE(' USING (' || pg_catalog.pg_get_expr(p.polqual, p.polrelid) || ')', '')
              || COALESCE(' WITH CHECK (' || pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) || ')', '') || ';']
            || ${comment(`'POLICY ' || pg_catalog.quote_ident(p.polname) || ' ON ' || p.polrelid::pg_catalog.regclass::text`, 'pg_policy', 'p.oid')}
       FROM pg_catalog.pg_policy p WHERE p.oid = ANY($2::oid[])
     UNION ALL
     SELECT r.oid::text, ARRAY[pg_catalog.pg_get_ruledef(r.oid)]
            || ${comment(`'RULE ' || pg_catalog.quote_ident(r.rulename) || ' ON ' || r.ev_class::pg_catalog.regclass::text`, 'pg_rewrite', 'r.oid')}
       FROM pg_catalog.pg_rewrite r WHERE r.oid = ANY($3::oid[])
     UNION ALL
     SELECT i.oid::text,
            -- a partitioned table's index is printed ON ONLY (pg_dump attaches its partitions'
            -- after): created again on them too, as CREATE INDEX on the table does
            ARRAY[pg_catalog.replace(pg_catalog.pg_get_indexdef(i.oid),
                    ' ON ONLY ' || x.indrelid::pg_catalog.regclass::text || ' USING ',
                    ' ON ' || x.indrelid::pg_catalog.regclass::text || ' USING ') || ';']
            || ${comment(`'INDEX ' || i.oid::pg_catalog.regclass::text`, 'pg_class', 'i.oid')}
       FROM pg_catalog.pg_class i JOIN pg_catalog.pg_index x ON x.indexrelid = i.oid
      WHERE i.oid = ANY($4::oid[])
     UNION ALL
     SELECT s.oid::text, ARRAY[pg_catalog.pg_get_statisticsobjdef(s.oid) || ';']
            || ${comment(`'STATISTICS ' || pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(s.stxname)`, 'pg_statistic_ext', 's.oid')}
       FROM pg_catalog.pg_statistic_ext s JOIN pg_catalog.pg_namespace n ON n.oid = s.stxnamespace WHERE s.oid = ANY($5::oid[])
     UNION ALL
     SELECT k.oid::text,
            -- a CHECK constraint without ONLY: PostgreSQL took it from the table's children too
            ARRAY['ALTER TABLE ' || CASE WHEN c.relkind = 'p' OR k.contype = 'c' THEN '' ELSE 'ONLY ' END || k.conrelid::pg_catalog.regclass::text
              || ' ADD CONSTRAINT ' || pg_catalog.quote_ident(k.conname) || ' ' || pg_catalog.pg_get_constraintdef(k.oid) || ';']
            || ${comment(`'CONSTRAINT ' || pg_catalog.quote_ident(k.conname) || ' ON ' || k.conrelid::pg_catalog.regclass::text`, 'pg_constraint', 'k.oid')}
       FROM pg_catalog.pg_constraint k JOIN pg_catalog.pg_class c ON c.oid = k.conrelid WHERE k.oid = ANY($6::oid[])
     UNION ALL
     SELECT k.oid::text,
            ARRAY['ALTER DOMAIN ' || k.contypid::pg_catalog.regtype::text || ' ADD CONSTRAINT ' || pg_catalog.quote_ident(k.conname)
              || ' ' || pg_catalog.pg_get_constraintdef(k.oid) || ';']
            || ${comment(`'CONSTRAINT ' || pg_catalog.quote_ident(k.conname) || ' ON DOMAIN ' || k.contypid::pg_catalog.regtype::text`, 'pg_constraint', 'k.oid')}
       FROM pg_catalog.pg_constraint k WHERE k.oid = ANY($8::oid[])
     UNION ALL
     SELECT d.oid::text,
            ARRAY['ALTER TABLE ' || d.adrelid::pg_catalog.regclass::text || ' ALTER COLUMN ' || pg_catalog.quote_ident(a.attname)
              || ' SET DEFAULT ' || pg_catalog.pg_get_expr(d.adbin, d.adrelid) || ';']
       FROM pg_catalog.pg_attrdef d JOIN pg_catalog.pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
      WHERE d.oid = ANY($7::oid[])`,
    [
      oids(['TRIGGER']),
      oids(['POLICY']),
      oids(['RULE']),
      oids(['INDEX']),
      oids(['STATISTICS']),
      oids(['CONSTRAINT', 'FK CONSTRAINT', 'CHECK CONSTRAINT']),
      oids(['DEFAULT']),
      oids(['DOMAIN CONSTRAINT'])
    ]
  )
  return new Map(rows.map(r => [r.oid, r.statements.filter(s => typeof s === 'string')]))
}

/**
 * The statements that create a dependent again (Dependent.recreate) as one DO block: each
 * definition EXECUTEd in it, and an error of its misfit ({@link RECREATE_MISFITS}: a trigger
 * function the backup no longer has, a privilege the restoring role lacks) caught there, so that
 * only that part stays dropped — as clean-drop-dependents dropped it — and the restore goes on;
 * {@link partsMissing} tells afterwards which did not come back.
 */
export function recreateBlock(
  statements: readonly string[],
  /**
   * A constraint (a key, a foreign key): whatever PostgreSQL refuses it for fails the load too
   * (trial u47 F5: a foreign key onto a table restored without its key went missing, exit 0).
   */
  strict = false,
  /**
   * A view's qualified, quoted name: the statements run only while no relation of that name
   * exists (the second of a view's two tries, restore.ts recreateOrder).
   */
  unlessRelation?: string
): string {
  const text = [...statements, unlessRelation ?? ''].join('\n')
  let n = 0
  const tag = (base: string): string => {
    let t = `$${base}$`
    while (text.includes(t)) t = `$${base}${++n}$`
    return t
  }
  const inner = tag('pgba_part')
  const outer = tag('pgba_recreate')
  const name = tag('pgba_name')
  // each statement named in `s` before it runs: a refusal names the one refused (attacker a79 F1)
  const statementsRun = statements.map(s => `s := ${inner}${s}${inner}; EXECUTE s;`).join(' ')
  const body =
    unlessRelation === undefined
      ? statementsRun
      : `IF pg_catalog.to_regclass(${name}${unlessRelation}${name}) IS NULL THEN ${statementsRun} END IF;`
  // what fails the load is raised again, marked (recreateBroken()) for the load's error to explain
  const raised = strict
    ? `integrity_constraint_violation OR ${RECREATE_MISFITS}`
    : 'integrity_constraint_violation'
  const caught = strict ? '' : ` WHEN ${RECREATE_MISFITS} THEN NULL;`
  // the HINT: the mark, then the statement on one line (the load's error shows it: recreatedStatement);
  // no DETAIL where PostgreSQL gave none (an empty one read "DETAIL:  .")
  const hint = `'${recreateBroken()}: ' || pg_catalog.regexp_replace(pg_catalog.left(s, 400), '\\s+', ' ', 'g')`
  return `DO ${outer} DECLARE m text; d text; s text; BEGIN ${body} EXCEPTION WHEN ${raised} THEN GET STACKED DIAGNOSTICS m = MESSAGE_TEXT, d = PG_EXCEPTION_DETAIL; IF d = '' THEN RAISE EXCEPTION USING ERRCODE = SQLSTATE, MESSAGE = m, HINT = ${hint}; END IF; RAISE EXCEPTION USING ERRCODE = SQLSTATE, MESSAGE = m, DETAIL = d, HINT = ${hint};${caught} END ${outer};`
}

/** Whether a recreated part (its key: tablePartKey) is a constraint, which recreateBlock holds strictly. */
export function strictPart(key: string): boolean {
  return ['CONSTRAINT\0', 'FK CONSTRAINT\0', 'CHECK CONSTRAINT\0', 'DOMAIN CONSTRAINT\0'].some(k =>
    key.startsWith(k)
  )
}

/**
 * This run's mark, which a backup cannot know before it runs (attacker a75 F2: a backup's own
 * RAISE with the hint's text drew the advice meant for the restore's own block).
 */
const RECREATE_NONCE = randomBytes(8).toString('hex')

/**
 * The statement of recreateBlock's that PostgreSQL refused, from psql's stderr (its HINT after the
 * mark, on one line, at most 400 characters); undefined when none.
 */
export function recreatedStatement(stderr: string): string | undefined {
  // the HINT line's, not the DO statement's own text that psql may echo after it
  const mark = `HINT:  ${recreateBroken()}: `
  const at = stderr.lastIndexOf(mark)
  if (at < 0) return undefined
  const line = stderr
    .slice(at + mark.length)
    .split('\n', 1)[0]
    .trim()
  return line === '' ? undefined : line
}

/**
 * The HINT of the error a recreated part's definition met (a foreign key of a table that stays
 * onto rows the backup does not hold, a unique index they break; a constraint PostgreSQL refuses
 * for any reason): the load fails, its single transaction keeps nothing (trial u46: such a
 * foreign key went missing with the restore committed and exit code 0, the orphaned rows left
 * behind). It carries this run's mark (the HINT's start, the refused statement after it), so that only the restore's own block draws its advice.
 */
export function recreateBroken(): string {
  return `clean-drop-dependents dropped this part of a table that stays with what clean replaced and created it again after the load, as the target had it, and PostgreSQL refused it (pgba ${RECREATE_NONCE})`
}

/**
 * The errors a recreated part's definition may meet because it no longer fits the restored
 * objects (a function, column or role that is gone, a privilege, an expression that fails on
 * the restored rows): that part stays dropped, and a warning gives its definition. A constraint
 * the restored rows break (integrity_constraint_violation), and any refusal of a constraint
 * (strict), fail the load instead ({@link recreateBroken}); any other error (a lock not granted
 * within lock-timeout, a deadlock, a cancel, the server's own trouble) fails it too, as for any
 * statement of the load.
 */
const RECREATE_MISFITS = [
  'syntax_error_or_access_rule_violation',
  'feature_not_supported',
  'data_exception',
  'raise_exception',
  'sql_routine_exception',
  'external_routine_exception'
].join(' OR ')

/** Of the table parts `keys` ({@link tablePartKey}), those the target does not have. */
export async function partsMissing(client: pg.Client, keys: readonly string[]): Promise<string[]> {
  if (keys.length === 0) return []
  const there = new Set([
    ...(await tablePartsNow(client)).map(p => p.key),
    ...(await viewsNow(client)).map(viewKey)
  ])
  return keys.filter(k => !there.has(k))
}

/**
 * Which of the refused statements to run with CASCADE: the first whose CASCADE lets another of
 * them drop (a table that objects outside the list depend on, before a function only its own
 * trigger uses), else the first. Each try is rolled back.
 */
async function firstToCascade(
  client: pg.Client,
  refused: ReadonlyArray<{ drop: string }>
): Promise<number> {
  if (refused.length === 1) return 0
  for (let i = 0; i < refused.length; i++) {
    await client.query('SAVEPOINT clean_try')
    try {
      await client.query(withCascade(refused[i].drop))
      for (let k = 0; k < refused.length; k++) {
        if (k !== i && (await tryDrop(client, refused[k].drop)) === undefined) return i
      }
    } finally {
      await client.query('ROLLBACK TO SAVEPOINT clean_try')
      await client.query('RELEASE SAVEPOINT clean_try')
    }
  }
  return 0
}

/**
 * Runs one drop in a savepoint: undefined when it ran, PostgreSQL's DETAIL when 2BP01 refused it.
 * One round trip when it drops (savepoint, drop and release sent as one simple query: a schema-
 * heavy backup has thousands of drops), two when it is refused.
 */
async function tryDrop(client: pg.Client, drop: string): Promise<string | undefined> {
  try {
    await client.query(`SAVEPOINT clean_check;\n${drop}\n;RELEASE SAVEPOINT clean_check`)
    return undefined
  } catch (error) {
    const e = error as { code?: string; detail?: string; message?: string }
    if (e.code === '55P03') throw error // lock_timeout: the caller names the blocking sessions
    if (e.code !== '2BP01') throw new CleanDropError(drop, e.message ?? String(error), error)
    await client.query('ROLLBACK TO SAVEPOINT clean_check')
    return e.detail ?? ''
  }
}

/** A drop of the clean list that the target refuses (not for dependents): found before anything changed. */
export class CleanDropError extends CheckError {
  override name = 'CleanDropError'
  constructor(
    readonly statement: string,
    readonly reason: string,
    cause: unknown,
    /**
     * The backup's schemas that are the user's (not the provider's, not the platform's), named
     * in the advice to restore only them; empty: none known ("schemas: public").
     */
    ownSchemas: readonly string[] = [],
    /** The backup is a plain SQL script: it restores whole (no schemas, no tables). */
    plain = false
  ) {
    const e = (cause ?? {}) as { code?: string; hint?: string }
    const hint = e.hint ? ` (PostgreSQL's HINT: ${e.hint.replace(/\.$/, '')})` : ''
    super(
      `clean cannot drop what the backup recreates: \`${statement}\` fails in the target: ${reason}${hint}. Nothing was changed. ${cleanDropAdvice(e.code, statement, ownSchemas, plain)}`,
      { cause }
    )
  }

  /**
   * The same refusal, its advice naming `ownSchemas` as the schemas to restore, or, for a plain
   * script (`plain`), what works for one.
   */
  naming(ownSchemas: readonly string[], plain = false): CleanDropError {
    return new CleanDropError(this.statement, this.reason, this.cause, ownSchemas, plain)
  }
}

/** What to do about a drop of clean's that the target refuses, by PostgreSQL's SQLSTATE. */
function cleanDropAdvice(
  code: string | undefined,
  statement = '',
  ownSchemas: readonly string[] = [],
  plain = false
): string {
  // every schema of the backup that is the user's: one left out of the advice stays as an earlier
  // restore left it (trial u45 F3: "schemas: public" left billing half-restored, the run green)
  const own =
    ownSchemas.length === 0
      ? 'schemas: public'
      : `schemas: ${restoreNamesValue(ownSchemas)} — the backup's schemas that are not the provider's`
  // out of shared memory (53200): the lock table, one lock per object dropped in the transaction
  if (code === '53200')
    return "clean drops the backup's objects in the restore's one transaction, which holds a lock on each of them (and their indexes) until it ends: the server's lock table (max_locks_per_transaction × max_connections) cannot hold that many. Restore into an empty database without clean (drop and create the database, or use a fresh one), or raise max_locks_per_transaction on the server (a restart; a managed service may offer it as a setting)."
  // a plain script restores whole: no schemas to choose, and the advice must not go round
  // between clean and allow-non-empty (trial u48 F3)
  if (plain && (code === '42501' || code === undefined))
    return `On a managed service the object may belong to the provider (the database owner cannot drop it). This backup is a plain SQL script, which restores whole (schemas and tables choose from an archive backup only), with the provider's objects in it: restore it without clean into a new, empty database or project (the provider's objects there are left as they are); or, from the source, make an archive backup ('format: custom', pg_dump -Fc) and restore it with 'clean: true' and '${own.replace(/ — .*$/, '')}', or a backup of your own schemas only (the backup's schemas: ${ownSchemas.length === 0 ? 'public' : restoreNamesValue(ownSchemas)}; by hand pg_dump --schema, which leaves out what belongs to no schema too); or drop the object as its owner.`
  // an object of no schema (Supabase's event triggers pgrst_drop_watch & co.): exclude-schemas
  // does not leave it out of a dump, pg_dump --schema does (trial u41 F2: the advice went round)
  if (
    (code === '42501' || code === undefined) &&
    /^DROP (?:EVENT TRIGGER|PUBLICATION|SERVER|FOREIGN DATA WRAPPER|CAST|(?:PROCEDURAL )?LANGUAGE|ACCESS METHOD|USER MAPPING)\b/i.test(
      statement
    )
  )
    return `On a managed service the object may belong to the provider (the database owner cannot drop it). It belongs to no schema, so the backup's exclude-schemas does not leave it out: make the backup of your own schemas only (the backup's schemas input, e.g. schemas: ${ownSchemas.length === 0 ? 'public' : restoreNamesValue(ownSchemas)} — pg_dump --schema leaves out what belongs to no schema), or restore only your own schemas from an archive backup (the restore's ${own}), or restore into an empty database without clean.`
  if (code === '42501' || code === undefined)
    return `On a managed service the object may belong to the provider (the database owner cannot drop it): leave it out of the backup (the exclude-schemas input of the backup, e.g. exclude-schemas: auth,storage, when dumping), or restore only your own schemas (${own}, from an archive backup), drop it as its owner, or restore into an empty database without clean.`
  return 'Drop the object by hand (as its owner) after looking at why the server refused it, or restore into an empty database without clean.'
}

/**
 * What clean's drops remove of the target's relations: the tables, views and materialized views
 * they name (and apart, the sequences), and every relation of the schemas they drop (CASCADE), as `schema\0name` keys and
 * schema names.
 */
export function droppedRelations(drops: readonly string[]): {
  relations: Set<string>
  /** The sequences they drop (`schema\0name`): relations of that kind only. */
  sequences: Set<string>
  schemas: Set<string>
  /** Relations named without their schema (a hand-written script's): search_path decides. */
  unqualified: Set<string>
} {
  const relations = new Set<string>()
  const sequences = new Set<string>()
  const schemas = new Set<string>()
  const unqualified = new Set<string>()
  for (const drop of drops) {
    const m =
      // a name may hold any character, a line break too (attacker a87 F1: the drop of "a\nb" was
      // not read, and clean said the table stayed as it was while it dropped and reloaded it)
      /^DROP (TABLE|FOREIGN TABLE|VIEW|MATERIALIZED VIEW|SEQUENCE|SCHEMA) (?:IF EXISTS )?(.+?)(?: CASCADE| RESTRICT)?;?\s*$/s.exec(
        drop
      )
    if (!m) continue
    const name = nameParts(m[2])
    if (!name) continue
    if (m[1] === 'SCHEMA') {
      if (name.length === 1) schemas.add(name[0])
    } else if (m[1] === 'SEQUENCE') {
      if (name.length === 2) sequences.add(`${name[0]}\0${name[1]}`)
    } else if (name.length === 2) relations.add(`${name[0]}\0${name[1]}`)
    else if (name.length === 1) unqualified.add(name[0])
  }
  return { relations, sequences, schemas, unqualified }
}

/** `schema.name` with pg_dump's quoting ("My Table", "a""b") as its parts; undefined if not one. */
function nameParts(text: string): string[] | undefined {
  const parts: string[] = []
  let i = 0
  for (;;) {
    if (text[i] === '"') {
      let part = ''
      i++
      for (;;) {
        if (i >= text.length) return undefined
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            part += '"'
            i += 2
            continue
          }
          i++
          break
        }
        part += text[i++]
      }
      parts.push(part)
    } else {
      const m = /^[^."\s]+/.exec(text.slice(i))
      if (!m) return undefined
      parts.push(m[0])
      i += m[0].length
    }
    if (i === text.length) return parts
    if (text[i] !== '.') return undefined
    i++
  }
}

/**
 * clean, in the log: the target's tables that its drops remove (and are loaded again), and how
 * many others stay as they are (not in the backup). `existing` holds the target's tables in the
 * schemas the backup reaches (those of other schemas are not counted: trial u24 F5 read "1
 * other table" of a target with two). Without the drops (not known), all of them.
 */
export function cleanListing(
  existing: readonly ExistingTable[],
  drops: readonly string[] | undefined,
  /** The restoring session's search_path (current_schemas): where an unqualified name resolves. */
  searchPath: readonly string[] = [],
  /** A subset restore's selection ("tables: invoices"), see notRestored. */
  selection?: string,
  /** An archive's relations and schemas clean replaces, by its entries' own names (CleanList.replaced). */
  replaced?: CleanList['replaced']
): string {
  if (!drops)
    return `clean: true — the backup's objects will be dropped and replaced. Present now: ${describeTables(existing)}`
  const dropped = cleanReplaced(existing, drops, searchPath, replaced)
  const others = existing.filter(t => !dropped.includes(t))
  const kept = others.length
  // named (trial u47 F3: "1 other table" left the reader to guess which)
  const stay =
    kept === 0
      ? ''
      : ` ${plural(kept, 'other table')} of the target in the schemas the backup reaches (${describeTables(others, 10)}) ${kept === 1 ? 'is' : 'are'} ${notRestored(selection)} and ${kept === 1 ? 'stays' : 'stay'} as ${kept === 1 ? 'it is' : 'they are'}.`
  return dropped.length === 0
    ? `clean: true — none of the target's tables is among the backup's objects that will be dropped and replaced.${stay}`
    : `clean: true — the backup's objects will be dropped and replaced; of the target's tables: ${describeTables(dropped)}.${stay}`
}

/**
 * The target's tables clean's drops remove (and the load creates again). An archive's are known
 * by its entries' own names too (`replaced`: the tags its table of contents holds, whatever bytes
 * they have, never pg_restore --list's printing of them), taken beside those its drops name.
 */
export function cleanReplaced(
  existing: readonly ExistingTable[],
  drops: readonly string[],
  searchPath: readonly string[] = [],
  replaced?: CleanList['replaced']
): ExistingTable[] {
  const { relations, schemas, unqualified } = droppedRelations(drops)
  for (const r of replaced?.relations ?? [])
    if (r.kinds !== RELATION_KINDS.SEQUENCE) relations.add(`${r.schema}\0${r.name}`)
  for (const s of replaced?.schemas ?? []) schemas.add(s)
  // an unqualified DROP reaches the table of that name in the first schema of the search_path
  // that has one
  for (const name of unqualified) {
    const schema = searchPath.find(s => existing.some(t => t.schema === s && t.name === name))
    if (schema !== undefined) relations.add(`${schema}\0${name}`)
  }
  return existing.filter(t => schemas.has(t.schema) || relations.has(`${t.schema}\0${t.name}`))
}
