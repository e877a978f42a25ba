/**
 * The safety net of a restore into a target that already holds objects (allow-non-empty, clean):
 * proof, on the server and inside the restore's own transaction just before its COMMIT, that no
 * object of the target the backup does not own was written or changed — whatever the backup's
 * statements looked like as text (a comment before them, a view, a rule, a trigger, a function
 * reached through an operator or a cursor, SQL inside an archive's data).
 *
 * Before the load, readProtected() records the protected set: every table, partition,
 * materialized view, view, foreign table and sequence of the target, but those the backup fills
 * (a data-only backup's empty tables and the sequences it sets) or replaces (clean: the
 * relations the backup itself creates, by name), and the provider's own tables (their rows only,
 * where they hold rows), each with a fingerprint read from the catalogs (FINGERPRINT); its
 * catalog objects (OBJECT_KINDS: functions, types, operators, schemas, publications, extensions,
 * casts, text search objects…; not an extension's members), each with a digest of its catalog
 * row, comment and what hangs off it (OBJECT_FINGERPRINT, CATALOG_KINDS); and the large objects'
 * OIDs. unchangedCheck() turns it into one DO block the load runs last, before
 * COMMIT, which raises (the transaction rolls back: nothing is restored) when
 *  - a protected table has rows inserted, updated or deleted by this very transaction
 *    (pg_stat_get_xact_tuples_*: writes of triggers, rules and functions included);
 *  - its fingerprint differs (dropped, renamed, rewritten or truncated, columns, constraints,
 *    triggers but those of foreign keys of the backup's own tables that reference it, rules,
 *    policies, inheritance children and parents, indexes, defaults, row security, privileges,
 *    owner, options, comment);
 *  - a protected sequence was advanced or set by this session (currval is set) or moved back;
 *  - one of its catalog objects is gone (but those the backup replaces) or its digest differs
 *    (a publication's options or tables, an extension's schema or members, a comment…);
 *  - a large object it had is gone, re-created, re-granted or re-commented, or its content differs
 *    (LARGE_OBJECT_DIGESTS: of those the role may read, up to LARGE_OBJECT_READ_LIMIT bytes);
 *  - track_counts is off (the counts cannot vouch for anything).
 * The message names the objects and what changed (NET_MARKER, changedObjectsMessage()).
 */
import type pg from 'pg'
import type { QualifiedName, ReplacedRelation } from '../types.js'
import { type ProviderSchema, isProviderBookkeeping } from './target-policy.js'
import { plural } from '../log.js'
import { sqlTokens } from './plain-sql.js'
import {
  FUNCTION_SIGNATURE,
  OPERATOR_SIGNATURE,
  type OwnedObject,
  VIEW_FINGERPRINT,
  signatureKey
} from './clean.js'
import { quoteIdent } from '../sql-names.js'
import { ROW_READING_CATALOG_FUNCTIONS } from './psql-script-rules.js'
import { MARKER_TOKEN } from './marker.js'

/** The start of the net's error, as psql prints it ("ERROR:  <marker>…"). */
export const NET_MARKER = `restore net ${MARKER_TOKEN}: objects of the target changed: `
const TRACK_COUNTS_OFF =
  'restore net: track_counts is off in the restore session, so the restore cannot prove that it wrote no rows into tables of the target it does not own'

/**
 * Large objects are read in pieces of this many bytes (lo_get's offset and length).
 */
const LARGE_OBJECT_PIECE = 4 * 1024 * 1024

/**
 * The most bytes of the target's large objects the net reads to prove their content unchanged
 * (it reads them twice: before the load and before COMMIT). Above it, their content is not
 * proven and the log says so (1 GiB).
 */
export const LARGE_OBJECT_READ_LIMIT = 1024 * 1024 * 1024

/** A regular expression (an SQL literal): a call of a function that reads a large object's content. */
const LARGE_OBJECT_READ_CALL = String.raw`E'\\m(lo_get|loread|lo_export|be_lo_get|be_loread|be_lo_export)\\M'`

/**
 * The database's own objects (not pg_catalog's, not an extension's members) that read large
 * objects' content, as rows (said: what it is, fp: a digest of its definition): functions whose
 * definition (pg_get_functiondef: a BEGIN ATOMIC body deparsed too; an aggregate's source),
 * views and materialized views whose query, and column defaults whose expression calls lo_get,
 * loread or lo_export (or their C names: LANGUAGE internal). Recorded before the load; in the
 * check, one whose digest the target had not is the backup's (attacker a105 H1), while the
 * target's own, replaced by clean with the same definition, is not (a107 G4: a view of the app).
 */
const LARGE_OBJECT_READERS = `SELECT x.said, pg_catalog.md5(x.def) AS fp FROM (
    SELECT 'function ' OPERATOR(pg_catalog.||) p.oid::pg_catalog.regprocedure::pg_catalog.text AS said,
      CASE WHEN p.prokind OPERATOR(pg_catalog.=) 'a' THEN pg_catalog.concat_ws(':', p.oid::pg_catalog.regprocedure, p.prosrc)
        ELSE pg_catalog.pg_get_functiondef(p.oid) END AS def
      FROM pg_catalog.pg_proc p
     WHERE p.oid OPERATOR(pg_catalog.>=) 16384
       AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend d WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
         AND d.objid OPERATOR(pg_catalog.=) p.oid AND d.deptype OPERATOR(pg_catalog.=) 'e')
    UNION ALL
    SELECT CASE c.relkind WHEN 'm' THEN 'materialized view ' ELSE 'view ' END OPERATOR(pg_catalog.||) c.oid::pg_catalog.regclass::pg_catalog.text,
      pg_catalog.concat_ws(':', c.relkind, c.oid::pg_catalog.regclass, pg_catalog.pg_get_viewdef(c.oid))
      FROM pg_catalog.pg_class c
     WHERE c.relkind OPERATOR(pg_catalog.=) ANY ('{v,m}'::pg_catalog.char[]) AND c.oid OPERATOR(pg_catalog.>=) 16384
       AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend d WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
         AND d.objid OPERATOR(pg_catalog.=) c.oid AND d.deptype OPERATOR(pg_catalog.=) 'e')
    UNION ALL
    SELECT 'column default of ' OPERATOR(pg_catalog.||) a.adrelid::pg_catalog.regclass::pg_catalog.text OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(t.attname),
      pg_catalog.concat_ws(':', a.adrelid::pg_catalog.regclass, t.attname, pg_catalog.pg_get_expr(a.adbin, a.adrelid))
      FROM pg_catalog.pg_attrdef a JOIN pg_catalog.pg_attribute t ON t.attrelid OPERATOR(pg_catalog.=) a.adrelid AND t.attnum OPERATOR(pg_catalog.=) a.adnum
     WHERE a.adrelid OPERATOR(pg_catalog.>=) 16384
  ) x WHERE x.def OPERATOR(pg_catalog.~*) ${LARGE_OBJECT_READ_CALL}`

/**
 * Whether the session's role may read large object `m` (pg_largeobject_metadata), as lo_open
 * with INV_READ checks it (be-fsstubs.c: superuser, lo_compat_privileges, the owner's
 * privileges, or SELECT granted to PUBLIC or a role whose privileges it has) — written out, as
 * has_largeobject_privilege exists from PostgreSQL 17 only.
 */
const LARGE_OBJECT_READABLE = `((SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER)
  OR pg_catalog.current_setting('lo_compat_privileges')::pg_catalog.bool
  OR pg_catalog.pg_has_role(m.lomowner, 'USAGE')
  OR EXISTS (SELECT FROM pg_catalog.aclexplode(m.lomacl) a WHERE a.privilege_type OPERATOR(pg_catalog.=) 'SELECT'
    AND (a.grantee OPERATOR(pg_catalog.=) 0 OR pg_catalog.pg_has_role(a.grantee, 'USAGE'))))`

/**
 * The size in bytes of each large object of `%OIDS%` (an oid[] expression) the role may read,
 * as rows (oid, size): lo_open, lo_lseek64 to its end, lo_close.
 */
const LARGE_OBJECT_SIZES = `SELECT m.oid::pg_catalog.int8 AS oid, s.size FROM pg_catalog.pg_largeobject_metadata m
  CROSS JOIN LATERAL (SELECT pg_catalog.lo_lseek64(f.fd, 0, 2) AS size, pg_catalog.lo_close(f.fd) AS closed
    FROM (SELECT pg_catalog.lo_open(m.oid, 262144) AS fd OFFSET 0) f) s
  WHERE m.oid OPERATOR(pg_catalog.=) ANY (%OIDS%) AND ${LARGE_OBJECT_READABLE}`

/**
 * A digest of the content of each large object of `%OIDS%` the role may read, as rows (oid,
 * digest): the md5 of its pieces' md5s (lo_get of LARGE_OBJECT_PIECE bytes, the last one shorter),
 * so that no piece above that size is held at once. The same text runs when the set is recorded
 * and in the check before COMMIT, which thereby sees a write in place (lo_put, lowrite, a function
 * the load runs) that leaves the metadata row as it was.
 */
const LARGE_OBJECT_DIGESTS = `WITH RECURSIVE readable AS (SELECT m.oid FROM pg_catalog.pg_largeobject_metadata m
    WHERE m.oid OPERATOR(pg_catalog.=) ANY (%OIDS%) AND ${LARGE_OBJECT_READABLE}),
  piece(oid, at, size, digest) AS (
    SELECT r.oid, 0::pg_catalog.int8, pg_catalog.length(x), pg_catalog.md5(x)
      FROM readable r CROSS JOIN LATERAL pg_catalog.lo_get(r.oid, 0, ${LARGE_OBJECT_PIECE}) x
    UNION ALL
    SELECT p.oid, p.at OPERATOR(pg_catalog.+) ${LARGE_OBJECT_PIECE}, pg_catalog.length(x), pg_catalog.md5(x)
      FROM piece p CROSS JOIN LATERAL pg_catalog.lo_get(p.oid, p.at OPERATOR(pg_catalog.+) ${LARGE_OBJECT_PIECE}, ${LARGE_OBJECT_PIECE}) x
      WHERE p.size OPERATOR(pg_catalog.=) ${LARGE_OBJECT_PIECE})
  SELECT p.oid::pg_catalog.int8 AS oid, pg_catalog.md5(pg_catalog.string_agg(p.digest, '' ORDER BY p.at)) AS digest
    FROM piece p GROUP BY p.oid`

/**
 * The fingerprint of the relations whose oid the condition `%WHERE%` selects, as rows (oid,
 * name, kind, fp). The same text runs when the set is recorded and in the check before COMMIT;
 * every name is qualified with pg_catalog (the backup may set search_path).
 */
const FINGERPRINT = `SELECT c.oid, pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(c.relname) AS name, c.relkind::pg_catalog.text AS kind,
 pg_catalog.jsonb_build_object(
  'name', pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(c.relname),
  'storage', c.relfilenode, 'kind', c.relkind, 'owner', c.relowner,
  'acl', c.relacl::pg_catalog.text, 'options', c.reloptions::pg_catalog.text,
  'security', pg_catalog.jsonb_build_array(c.relrowsecurity, c.relforcerowsecurity),
  'table', pg_catalog.md5(pg_catalog.concat_ws(':', c.relreplident, c.relpersistence, c.relispartition, c.relpartbound::pg_catalog.text, c.reloftype, c.relam, c.reltablespace)),
  'columns', (SELECT pg_catalog.md5(pg_catalog.string_agg(a::pg_catalog.text, ',' ORDER BY a.attnum)) FROM pg_catalog.pg_attribute a WHERE a.attrelid OPERATOR(pg_catalog.=) c.oid AND a.attnum OPERATOR(pg_catalog.>) 0),
  'constraints', (SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.md5(k::pg_catalog.text) ORDER BY k.oid), '[]'::pg_catalog.jsonb) FROM pg_catalog.pg_constraint k WHERE k.conrelid OPERATOR(pg_catalog.=) c.oid),
  'triggers', (SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.md5(pg_catalog.concat_ws(':', t::pg_catalog.text, (SELECT d.description FROM pg_catalog.pg_description d WHERE d.objoid OPERATOR(pg_catalog.=) t.oid AND d.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_trigger'::pg_catalog.regclass AND d.objsubid OPERATOR(pg_catalog.=) 0))) ORDER BY t.oid), '[]'::pg_catalog.jsonb) FROM pg_catalog.pg_trigger t WHERE t.tgrelid OPERATOR(pg_catalog.=) c.oid AND NOT (t.tgisinternal AND EXISTS (SELECT FROM pg_catalog.pg_constraint f WHERE f.oid OPERATOR(pg_catalog.=) t.tgconstraint AND f.conrelid OPERATOR(pg_catalog.<>) c.oid))),
  'rules', (SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.md5(pg_catalog.concat_ws(':', r::pg_catalog.text, (SELECT d.description FROM pg_catalog.pg_description d WHERE d.objoid OPERATOR(pg_catalog.=) r.oid AND d.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND d.objsubid OPERATOR(pg_catalog.=) 0))) ORDER BY r.oid), '[]'::pg_catalog.jsonb) FROM pg_catalog.pg_rewrite r WHERE r.ev_class OPERATOR(pg_catalog.=) c.oid),
  'policies', (SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.md5(p::pg_catalog.text) ORDER BY p.oid), '[]'::pg_catalog.jsonb) FROM pg_catalog.pg_policy p WHERE p.polrelid OPERATOR(pg_catalog.=) c.oid),
  'children', (SELECT COALESCE(pg_catalog.jsonb_agg(i.inhrelid ORDER BY i.inhrelid), '[]'::pg_catalog.jsonb) FROM pg_catalog.pg_inherits i WHERE i.inhparent OPERATOR(pg_catalog.=) c.oid),
  'parents', (SELECT COALESCE(pg_catalog.jsonb_agg(i.inhparent ORDER BY i.inhparent), '[]'::pg_catalog.jsonb) FROM pg_catalog.pg_inherits i WHERE i.inhrelid OPERATOR(pg_catalog.=) c.oid),
  'indexes', (SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.md5(pg_catalog.concat_ws(':', x::pg_catalog.text, xc.relname, xc.reloptions, xc.relfilenode, xc.reltablespace, (SELECT d.description FROM pg_catalog.pg_description d WHERE d.objoid OPERATOR(pg_catalog.=) xc.oid AND d.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objsubid OPERATOR(pg_catalog.=) 0))) ORDER BY x.indexrelid), '[]'::pg_catalog.jsonb) FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class xc ON xc.oid OPERATOR(pg_catalog.=) x.indexrelid WHERE x.indrelid OPERATOR(pg_catalog.=) c.oid),
  'defaults', (SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.md5(d::pg_catalog.text) ORDER BY d.oid), '[]'::pg_catalog.jsonb) FROM pg_catalog.pg_attrdef d WHERE d.adrelid OPERATOR(pg_catalog.=) c.oid),
  'statistics', (SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.md5(pg_catalog.concat_ws(':', x::pg_catalog.text, (SELECT d.description FROM pg_catalog.pg_description d WHERE d.objoid OPERATOR(pg_catalog.=) x.oid AND d.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_statistic_ext'::pg_catalog.regclass AND d.objsubid OPERATOR(pg_catalog.=) 0))) ORDER BY x.oid), '[]'::pg_catalog.jsonb) FROM pg_catalog.pg_statistic_ext x WHERE x.stxrelid OPERATOR(pg_catalog.=) c.oid),
  'publications', (SELECT COALESCE(pg_catalog.jsonb_agg(pr.prpubid ORDER BY pr.prpubid), '[]'::pg_catalog.jsonb) FROM pg_catalog.pg_publication_rel pr WHERE pr.prrelid OPERATOR(pg_catalog.=) c.oid),
  'sequence', (SELECT pg_catalog.md5(s::pg_catalog.text) FROM pg_catalog.pg_sequence s WHERE s.seqrelid OPERATOR(pg_catalog.=) c.oid),
  'foreign', (SELECT pg_catalog.md5(ft::pg_catalog.text) FROM pg_catalog.pg_foreign_table ft WHERE ft.ftrelid OPERATOR(pg_catalog.=) c.oid),
  'ownedBy', (SELECT pg_catalog.jsonb_agg(pg_catalog.concat_ws(':', o.refobjid, o.refobjsubid, o.deptype) ORDER BY o.refobjid, o.refobjsubid) FROM pg_catalog.pg_depend o WHERE c.relkind OPERATOR(pg_catalog.=) 'S' AND o.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass AND o.objid OPERATOR(pg_catalog.=) c.oid AND o.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass AND o.deptype OPERATOR(pg_catalog.=) ANY ('{a,i}'::pg_catalog.char[])),
  'comment', (SELECT pg_catalog.md5(pg_catalog.string_agg(d.objsubid OPERATOR(pg_catalog.||) ':' OPERATOR(pg_catalog.||) d.description, ',' ORDER BY d.objsubid)) FROM pg_catalog.pg_description d WHERE d.objoid OPERATOR(pg_catalog.=) c.oid AND d.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass)
 ) AS fp
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
WHERE %WHERE%`

/** How a change of each fingerprint key is said: [more, fewer, other] (arrays), or [changed]. */
const PHRASES: Record<string, string[]> = {
  name: ['renamed or moved to another schema'],
  storage: [
    'its storage was replaced (TRUNCATE, a rewrite by ALTER TABLE … TYPE, SET UNLOGGED, VACUUM FULL, ALTER SEQUENCE)'
  ],
  kind: ['changed its kind (a table turned into a view)'],
  table: [
    'its table options changed (REPLICA IDENTITY, LOGGED/UNLOGGED, partition bounds, access method, tablespace)'
  ],
  owner: ['gets another owner'],
  acl: ['its privileges changed (GRANT or REVOKE)'],
  options: ['its storage options changed (ALTER TABLE … SET)'],
  security: ['its row-level security was switched'],
  columns: [
    'its columns changed (added, dropped, renamed, retyped, privileges, collation, storage, statistics target, options)'
  ],
  constraints: [
    'gets a constraint',
    'loses a constraint',
    'its constraints changed (renamed, deferrability, validity)'
  ],
  triggers: [
    'gets a trigger',
    'loses a trigger',
    'its triggers changed (disabled, enabled, renamed or replaced)'
  ],
  rules: ['gets a rule', 'loses a rule', 'its rules changed'],
  policies: [
    'gets a row-level security policy',
    'loses a row-level security policy',
    'its policies changed'
  ],
  children: [
    'gets a child table (INHERITS or a partition: its queries read and write that table too)',
    'loses a child table or partition',
    'its child tables changed'
  ],
  parents: [
    'becomes a child table or partition of another table',
    'leaves its parent table',
    'its parent tables changed'
  ],
  indexes: ['gets an index', 'loses an index', 'its indexes changed'],
  defaults: ['its column defaults changed'],
  statistics: [
    'gets extended statistics',
    'loses extended statistics',
    'its extended statistics changed'
  ],
  publications: [
    'is added to a publication (its changes would be sent to subscribers)',
    'leaves a publication',
    'its publications changed'
  ],
  sequence: ['its sequence parameters changed (ALTER SEQUENCE)'],
  foreign: [
    'its foreign-table options or server changed (ALTER FOREIGN TABLE … OPTIONS): its queries would read and write elsewhere'
  ],
  aggregate: [
    'its aggregate definition changed (CREATE OR REPLACE AGGREGATE: its state function, initial value…)'
  ],
  ownedBy: ['its owning column changed (ALTER SEQUENCE … OWNED BY)'],
  comment: ['its comment or a column comment changed'],
  definition: [
    'its definition, owner, privileges or settings changed (CREATE OR REPLACE, ALTER, GRANT/REVOKE, SECURITY DEFINER)'
  ],
  typedef: [
    'its definition, values, constraints, owner or privileges changed (ALTER TYPE, ALTER DOMAIN, GRANT/REVOKE)'
  ],
  opdef: [
    'its definition changed (ALTER OPERATOR, or an operator of the backup naming it as its commutator or negator)'
  ],
  public: ['gets privileges granted to PUBLIC'],
  row: ['its definition, options, owner or privileges changed (ALTER, GRANT/REVOKE)'],
  pubdef: [
    'its options or owner changed (ALTER PUBLICATION … SET (publish = …), OWNER TO): its subscribers would get other changes'
  ],
  tables: [
    'its tables changed (ALTER PUBLICATION … ADD, SET or DROP TABLE, a row filter or column list): its subscribers would get other rows'
  ],
  schemas: ['its schemas changed (ALTER PUBLICATION … ADD, SET or DROP TABLES IN SCHEMA)'],
  extdef: [
    'its schema, version, owner or configuration tables changed (ALTER EXTENSION … SET SCHEMA or UPDATE): what calls its objects by their old schema or version breaks'
  ],
  members: ['its members changed (ALTER EXTENSION … ADD or DROP, UPDATE)'],
  mappings: [
    'its token mappings changed (ALTER TEXT SEARCH CONFIGURATION … ADD, ALTER or DROP MAPPING)'
  ],
  opmembers: ['its operators or support functions changed (ALTER OPERATOR FAMILY … ADD or DROP)'],
  usermappings: ['its user mappings changed (CREATE, ALTER or DROP USER MAPPING)']
}

/** One protected relation as recorded. */
export interface ProtectedRelation {
  oid: number
  /** schema.name, quoted where needed. */
  name: string
  kind: string
  /** The fingerprint (undefined: only its rows are checked, a provider's table). */
  fp?: Record<string, unknown>
  /** A sequence: its last_value when recorded ('unset' before its first nextval), if readable. */
  lastValue?: string
  /** A sequence recorded 'unset' (is_called false): the value nextval gave next, if readable. */
  nextValue?: string
  /**
   * The backup fills it (a data-only backup's empty table, a sequence it sets): its rows and
   * value are the backup's, everything else (triggers, privileges, columns…) is checked.
   */
  filled?: true
  /**
   * The backup replaces it (clean, or its own DROP before a CREATE of that name): it may be
   * gone; if it is still there, everything else is checked as for the others.
   */
  replaceable?: true
  /** clean-drop-dependents changes it (a key, default or trigger of its goes): not the backup's. */
  dependent?: true
  /**
   * A provider's table found empty, or one whose rows the backup adds to its own (not a
   * platform's bookkeeping): rows may be inserted,
   * none updated or deleted, and it is not truncated or rewritten (its relfilenode, `filenode`) —
   * rows another session committed while the restore ran are the target's (attacker a35b A1: a
   * script's DELETE removed a signup made during the load).
   */
  insertOnly?: true
  /** With {@link insertOnly}: the backup writes rows into it (not only may: its own statements' tables). */
  loaded?: true
  /** pg_relation_filenode when recorded ({@link insertOnly}); null for a partitioned table. */
  filenode?: string | null
  /**
   * A partitioned table of the target's that the backup's ATTACH PARTITION makes the parent of
   * tables it creates (pg_dump -t <partition> --load-via-partition-root; NotProtected.attachedTo):
   * [schema, name] of each. It may get those as children, created by the restore; everything
   * else is checked.
   */
  attaches?: Array<[string, string]>
}

/** The kinds of {@link ProtectedObject}, each with the catalog its rows are in. */
export const OBJECT_KINDS = {
  function: 'pg_proc',
  type: 'pg_type',
  operator: 'pg_operator',
  schema: 'pg_namespace',
  publication: 'pg_publication',
  extension: 'pg_extension',
  cast: 'pg_cast',
  collation: 'pg_collation',
  conversion: 'pg_conversion',
  'text search configuration': 'pg_ts_config',
  'text search dictionary': 'pg_ts_dict',
  'text search parser': 'pg_ts_parser',
  'text search template': 'pg_ts_template',
  'operator class': 'pg_opclass',
  'operator family': 'pg_opfamily',
  'foreign-data wrapper': 'pg_foreign_data_wrapper',
  server: 'pg_foreign_server',
  'event trigger': 'pg_event_trigger',
  'access method': 'pg_am',
  language: 'pg_language'
} as const
export type ObjectKind = keyof typeof OBJECT_KINDS

/**
 * A catalog object of the target (a function, type, operator, schema, publication, extension,
 * cast, collation, conversion, text search object, operator class or family, foreign-data
 * wrapper, server or event trigger), by OID, with a digest of its catalog row and comment.
 */
export interface ProtectedObject {
  oid: number
  /**
   * schema.name(arguments) of a function, the type as format_type writes it,
   * schema.op(left,right) of an operator, (source AS target) of a cast, schema.name of the
   * other kinds in a schema, the name of the rest; quoted where needed.
   */
  name: string
  kind: ObjectKind
  fp: Record<string, unknown>
  /** clean: it may be gone (the backup's own, dropped and created again). */
  replaceable?: true
  /**
   * clean, a function, operator or type an archive entry claims: its name as to_regprocedure,
   * to_regoperator or to_regtype read it, which must find one again after the load (attacker
   * a33 A5: an entry's tag alone claimed the target's function, which went and never came back).
   */
  back?: string
}

/** What the check before COMMIT proves unchanged. */
export interface ProtectedSet {
  relations: ProtectedRelation[]
  /** The large objects' OIDs. */
  largeObjects: number[]
  /** Per large object (its OID as text): a digest of its metadata row, re-created or re-granted. */
  largeObjectRows?: Record<string, string>
  /** Per large object (its OID as text): a digest of its content (LARGE_OBJECT_DIGESTS). */
  largeObjectContents?: Record<string, string>
  /**
   * Per large object the role may read (its OID as text): its size in bytes. Compared before the
   * digests, which then read no more than was recorded (attacker a105 M1: one lo_put far out made
   * the check read a terabyte of holes); one the role may no longer read is a change (a105 H4).
   */
  largeObjectSizes?: Record<string, string>
  /** The fp of each of the target's LARGE_OBJECT_READERS before the load. */
  largeObjectReaders?: string[]
  /**
   * The large objects whose content is not proven: those the role may not read (`unread`), and
   * the largest ones beyond LARGE_OBJECT_READ_LIMIT read twice (`sizeOnly`: only their size is
   * compared; `bytes`: their size together).
   */
  largeObjectsNotRead?: { unread: number[]; sizeOnly?: number[]; bytes?: number }
  /** The target's catalog objects ({@link OBJECT_KINDS}; not an extension's members). */
  objects?: ProtectedObject[]
  /** server_version_num of the target (which catalogs the check may read: 150000 and up, publications' schemas). */
  serverVersion?: number
  /** The roles that existed before (their settings are part of `database`). */
  roles?: number[]
  /** A digest of the database's own row and of the settings of it and of those roles. */
  database?: string
  /** Owners of the objects above: their default privileges are the target's. */
  owners?: number[]
  /** A digest of those owners' default privileges (ALTER DEFAULT PRIVILEGES). */
  defaultPrivileges?: string
  /** Deferrable triggers (not a constraint's own) that existed before: others are refused. */
  deferrableTriggers?: number[]
  /**
   * A digest of the extension dependencies (pg_depend 'e': ALTER EXTENSION … ADD; 'x': ALTER …
   * DEPENDS ON EXTENSION) of the objects above and of their tables' indexes: a later DROP
   * EXTENSION would drop them with it, and pg_dump would leave an extension's member out.
   */
  extensionDependencies?: string
  /**
   * clean-drop-dependents: fingerprints ({@link VIEW_FINGERPRINT}) of the target's views it
   * creates again as they were: not a backup's view over the target's tables granted to others.
   */
  recreatedViews?: string[]
  /**
   * clean: the target's views and materialized views the backup replaces (by name), as they
   * were before the load: a view of the backup of that name, kind, definition and owner, granted
   * to no more than they were, with options no weaker, widens nobody's reading (u52 F2).
   */
  replacedViews?: ReplacedView[]
  /**
   * clean: the GRANT statements of the target's relations the backup replaces, as the target
   * has them before the load (what no-privileges: true does not give back).
   */
  replacedGrants?: ReplacedGrants[]
  /**
   * The tables the target keeps, with its rows (neither created nor replaced nor filled by the
   * backup; a provider's only where it held rows): what a SECURITY DEFINER function of the
   * backup's reads with its owner's rights (definerFunctionsWarning, attacker a86 F3).
   */
  keptTables?: number[]
  /**
   * Where the target keeps tables: the names of its catalog before the load (relations,
   * constraints, types, functions, schemas, columns, roles, …), which an error of the load may
   * quote (load.ts withholdCodeErrors: any other quoted text is cut).
   */
  catalogNames?: string[]
  /**
   * Where the target keeps tables: who may create objects in each of its schemas before the load
   * (schema → its owner and the roles with CREATE, PUBLIC included), for schemaCreatorsWarning.
   */
  schemaCreators?: Record<string, SchemaCreators>
  /**
   * The views and materialized views of the database before the load (OIDs): one the load makes
   * (clean's included) is not among them (keptTablesViewsWarning).
   */
  viewsBefore?: number[]
  /** The target's SECURITY DEFINER functions and procedures before the load ({@link DefinerFunction}). */
  definers?: DefinerFunction[]
  /**
   * The OIDs of the routines the warning would name (definerFunctionsWarning) that were members
   * of an extension before the load: only these are an extension's own after it. A member the
   * load made (ALTER EXTENSION … ADD, an extension it created: attacker a88 F2) is not.
   */
  definerMembers?: number[]
  /**
   * Where the target has SECURITY DEFINER routines others may execute ({@link definers}): md5 of
   * pg_get_functiondef of each of its functions and procedures (not aggregates, not pg_catalog's),
   * by regprocedure, before the load — what the restore replaced or created that one of them calls
   * (attacker a88 F3: clean replaced the helper the target's own definer function calls).
   */
  functionDigests?: Record<string, string>
}

/**
 * A SECURITY DEFINER function or procedure of the target before the load, or an aggregate over one
 * (not a trigger's, not an extension's): one the load leaves as it was, or creates again as it
 * was (clean over itself), is not the backup's new way into the target's tables.
 */
export interface DefinerFunction {
  /** Its regprocedure (read with search_path pg_catalog, pg_temp). */
  name: string
  /**
   * md5 of pg_get_functiondef: its body, arguments, language, settings; an aggregate's: of its
   * pg_aggregate row, its support functions' definitions and its definer ones' owners.
   */
  definition: string
  /** Its owner's OID. */
  owner: number
  /** Who may execute it, its owner apart: [grantee OID (0: PUBLIC), grant option]. */
  execute: Array<[number, boolean]>
}

/** A view or materialized view of the target that clean replaces, as it was before the load. */
export interface ReplacedView {
  /** schema.name, quoted where needed (as the check names the backup's view). */
  name: string
  /** 'v' or 'm'. */
  kind: string
  /** md5 of pg_get_viewdef (read with search_path pg_catalog, pg_temp). */
  definition: string
  /** Its owner's OID. */
  owner: number
  /** Its privileges, its owner's own apart: [grantee OID (0: PUBLIC), privilege, grant option]. */
  acl: Array<[number, string, boolean]>
  /** Its reloptions as key → value (null: none). */
  options: Record<string, string> | null
}

/** The privileges others had on a relation clean replaces, as statements to run again. */
export interface ReplacedGrants {
  name: string
  grants: string[]
}

/** What the plan fills or replaces: left out of the protected set. */
export interface NotProtected {
  /** Tables and sequences a data-only backup fills or sets (the guard checked them). */
  fills: readonly QualifiedName[]
  /** clean: the relations the backup creates (by name), and the schemas it creates. */
  replaced: readonly ReplacedRelation[]
  replacedSchemas: readonly string[]
  /** clean: large objects the backup recreates. */
  replacedLargeObjects: readonly number[]
  /** clean-drop-dependents: objects outside the backup it drops, as PostgreSQL names them. */
  dependents: readonly string[]
  /** clean-drop-dependents: fingerprints of the views it creates again (ProtectedSet.recreatedViews). */
  recreatedViews?: readonly string[]
  /** The provider's schemas: only their tables with rows are protected, and only their rows. */
  providers: readonly ProviderSchema[]
  /**
   * The tables whose rows the backup loads: a provider's table among them that holds rows, and
   * is no platform's bookkeeping (whose rows the load keeps), takes the backup's rows next to
   * its own (allow-non-empty; an extension's configuration table): insert-only.
   */
  loads?: readonly QualifiedName[]
  /**
   * The target's partitioned tables the backup attaches tables it creates to (pg_dump -t
   * <partition> --load-via-partition-root): each may get those children ({@link ProtectedRelation.attaches}).
   */
  attachedTo?: ReadonlyArray<{ root: QualifiedName; partitions: readonly QualifiedName[] }>
  /** clean is set: the target's functions may be dropped (clean drops only the backup's own). */
  clean?: boolean
  /**
   * Schemas a plain script creates (pg_dump --clean drops each before): the schema itself may be
   * dropped and created again, as psql -f would; the relations in it are still checked.
   */
  createdSchemas?: readonly string[]
  /**
   * Functions and types a plain script creates by a plain CREATE (pg_dump --clean drops each
   * before): the target's of that name may be gone, as psql -f would leave it.
   */
  replacedObjects?: ReadonlyArray<QualifiedName & { kind: ObjectKind }>
  /**
   * clean: the functions, types and operators the backup holds (clean.ts ownedObjects: a
   * function's and an operator's name with its argument types). Only those of the target may go
   * with the backup's; undefined: every one of those kinds may (the backup's not read).
   */
  cleanObjects?: ReadonlyArray<OwnedObject>
}

const key = (schema: string, name: string): string => JSON.stringify([schema, name])

/**
 * Reads the protected set of the target (see the module's comment): every relation outside
 * pg_catalog, information_schema and pg_toast that the plan neither fills nor replaces.
 */
export async function readProtected(client: pg.Client, not: NotProtected): Promise<ProtectedSet> {
  // read with the check's search_path: a catalog row's reg* columns (an operator's function, a
  // type's input function) are written qualified or not by it, and the digests must match
  return withCatalogSearchPath(client, () => readProtectedAs(client, not))
}

/**
 * `read` run with search_path pg_catalog, pg_temp (how the check's catalog reads qualify names:
 * regclass, regprocedure, pg_get_viewdef), the session's own search_path set back after it.
 */
export async function withCatalogSearchPath<T>(
  client: pg.Client,
  read: () => Promise<T>
): Promise<T> {
  const { rows: was } = await client.query<{ path: string; jit: string }>(
    "SELECT pg_catalog.current_setting('search_path') AS path, pg_catalog.current_setting('jit') AS jit"
  )
  // and no JIT: the planner's estimates for regular expressions over pg_proc's bodies exceed
  // jit_above_cost, and compiling such a plan took seconds for a query that runs in milliseconds
  await client.query(
    "SELECT pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', false), pg_catalog.set_config('jit', 'off', false)"
  )
  try {
    return await read()
  } finally {
    await client.query(
      "SELECT pg_catalog.set_config('search_path', $1, false), pg_catalog.set_config('jit', $2, false)",
      [was[0].path, was[0].jit]
    )
  }
}

/** Up to `n` names joined, then how many more. */
function fewNames(names: readonly string[], n = 3): string {
  return names.length <= n
    ? names.join(', ')
    : `${names.slice(0, n).join(', ')} and ${names.length - n} more`
}

async function readProtectedAs(client: pg.Client, not: NotProtected): Promise<ProtectedSet> {
  const { rows } = await client.query<{
    oid: number
    schema: string
    relname: string
    name: string
    kind: string
    fp: Record<string, unknown>
    last: string | null
  }>(
    FINGERPRINT.replace(
      '%WHERE%',
      `c.relkind IN ('r','p','m','v','f','S') AND n.nspname NOT IN ('pg_catalog','information_schema','pg_toast') AND n.nspname !~ '^pg_(toast_)?temp_'`
    )
      .replace(
        'AS name, c.relkind',
        `AS name, n.nspname AS schema, c.relname, CASE WHEN c.relkind = 'S' AND pg_catalog.has_sequence_privilege(c.oid, 'SELECT,USAGE') THEN COALESCE(pg_catalog.pg_sequence_last_value(c.oid)::text, 'unset') END AS last, c.relkind`
      )
      .replace('SELECT c.oid,', 'SELECT c.oid::int AS oid,')
  )
  const excluded = new Set(not.fills.map(t => key(t.schema, t.name)))
  // a relation replaced by one of another kind is not the backup's (a view never replaces a table)
  const replacedKinds = new Map<string, string | undefined>()
  for (const t of not.replaced) {
    const k = key(t.schema, t.name)
    const had = replacedKinds.has(k) ? replacedKinds.get(k) : ''
    replacedKinds.set(k, t.kinds === undefined || had === undefined ? undefined : had + t.kinds)
  }
  const replacedAs = (schema: string, name: string, kind: string): boolean => {
    const k = key(schema, name)
    if (!replacedKinds.has(k)) return false
    const kinds = replacedKinds.get(k)
    return kinds === undefined || kinds.includes(kind)
  }
  const schemas = new Set(not.replacedSchemas)
  const providers = new Map(not.providers.map(s => [s.name, s]))
  const loads = new Set((not.loads ?? []).map(t => key(t.schema, t.name)))
  const attachedTo = new Map<string, Array<[string, string]>>()
  for (const a of not.attachedTo ?? []) {
    const k = key(a.root.schema, a.root.name)
    attachedTo.set(k, [
      ...(attachedTo.get(k) ?? []),
      ...a.partitions.map((t): [string, string] => [t.schema, t.name])
    ])
  }
  const dependents = not.dependents.join('\n')
  const relations: ProtectedRelation[] = []
  /** The relations the backup replaces (clean, by name; not clean-drop-dependents' alone). */
  const replacedOids: number[] = []
  /** The tables the target keeps with its rows (ProtectedSet.keptTables). */
  const keptTables: number[] = []
  const isTable = (kind: string): boolean => ['r', 'p', 'm', 'f'].includes(kind)
  // clean drops a table it replaces with the sequences it owns (serial, identity: OWNED BY), as
  // DROP TABLE does by hand; a script's CREATE TABLE … serial makes them again under the same
  // names without naming them (trial u59 F3): they go with the table, not as the target's own
  const replacedTables = new Set(
    rows
      .filter(
        r => r.kind !== 'S' && (replacedAs(r.schema, r.relname, r.kind) || schemas.has(r.schema))
      )
      .map(r => r.oid)
  )
  const ownedByReplaced = (r: (typeof rows)[number]): boolean =>
    r.kind === 'S' &&
    Array.isArray(r.fp.ownedBy) &&
    r.fp.ownedBy.some(o => replacedTables.has(Number(String(o).split(':')[0])))
  for (const r of rows) {
    // clean-drop-dependents: what it drops with the backup's objects (a view; a key, default,
    // trigger, policy or column of a table) is the user's choice: only their rows are checked
    const dependent = dependents !== '' && namedIn(dependents, r.schema, r.relname)
    const backups =
      replacedAs(r.schema, r.relname, r.kind) || schemas.has(r.schema) || ownedByReplaced(r)
    const replaceable = backups || dependent
    if (backups) replacedOids.push(r.oid)
    if (dependent) {
      if (!backups && isTable(r.kind)) keptTables.push(r.oid)
      relations.push({
        oid: r.oid,
        name: r.name,
        kind: r.kind,
        replaceable: true,
        // the target's own (not one the backup replaces, whose trigger goes with it)
        ...(backups ? {} : { dependent: true as const })
      })
      continue
    }
    const provider = providers.get(r.schema)
    if (provider) {
      const table = provider.tables.find(t => t.name === r.relname)
      const appended =
        table !== undefined &&
        loads.has(key(r.schema, r.relname)) &&
        !isProviderBookkeeping(provider, table)
      // a provider's table holding rows is the target's (auth.users): kept unless replaced; its
      // migrations' bookkeeping (auth.schema_migrations, rows in every new project) is not data
      if (
        table &&
        (table.rows > 0 || table.rowsUnknown) &&
        !replaceable &&
        isTable(r.kind) &&
        !isProviderBookkeeping(provider, table)
      )
        keptTables.push(r.oid)
      if (table && (table.rows > 0 || table.rowsUnknown) && !appended)
        relations.push({
          oid: r.oid,
          name: r.name,
          kind: r.kind,
          ...(replaceable ? { replaceable: true as const } : {})
        })
      else if (table && (r.kind === 'r' || r.kind === 'p'))
        relations.push({
          oid: r.oid,
          name: r.name,
          kind: r.kind,
          insertOnly: true,
          ...(loads.has(key(r.schema, r.relname)) ? { loaded: true as const } : {})
        })
      continue
    }
    if (!replaceable && !excluded.has(key(r.schema, r.relname)) && isTable(r.kind))
      keptTables.push(r.oid)
    relations.push({
      oid: r.oid,
      name: r.name,
      kind: r.kind,
      fp: r.fp,
      // a table or sequence the backup fills: its rows and value are the backup's, the rest not
      ...(excluded.has(key(r.schema, r.relname)) ? { filled: true as const } : {}),
      ...(r.last !== null ? { lastValue: r.last } : {}),
      ...(replaceable ? { replaceable: true as const } : {}),
      ...(r.kind === 'p' && attachedTo.has(key(r.schema, r.relname))
        ? { attaches: attachedTo.get(key(r.schema, r.relname)) }
        : {})
    })
  }
  const insertOnly = relations.filter(r => r.insertOnly)
  if (insertOnly.length > 0) {
    const { rows: nodes } = await client.query<{ oid: number; node: string | null }>(
      `SELECT o::pg_catalog.int4 AS oid, pg_catalog.pg_relation_filenode(o)::pg_catalog.text AS node FROM pg_catalog.unnest($1::pg_catalog.oid[]) o`,
      [insertOnly.map(r => r.oid)]
    )
    const byOid = new Map(nodes.map(n => [n.oid, n.node]))
    for (const r of insertOnly) r.filenode = byOid.get(r.oid) ?? null
  }
  // 'unset' (is_called false: RESTART, setval(…, false)) hides where it stands: read from the
  // sequence itself, where the role may (a failed load that moved it back is set forward again)
  const unset = relations.filter(r => r.kind === 'S' && r.lastValue === 'unset')
  if (unset.length > 0) {
    const { rows: readable } = await client.query<{ oid: number }>(
      `SELECT o::pg_catalog.int4 AS oid FROM pg_catalog.unnest($1::pg_catalog.oid[]) o WHERE pg_catalog.has_sequence_privilege(o, 'SELECT')`,
      [unset.map(r => r.oid)]
    )
    const read = unset.filter(r => readable.some(x => x.oid === r.oid))
    if (read.length > 0) {
      const { rows: positions } = await client.query<{ oid: number; v: string }>(
        read
          .map(
            r =>
              `SELECT ${r.oid}::pg_catalog.int4 AS oid, last_value::pg_catalog.text AS v FROM ${r.name}`
          )
          .join(' UNION ALL ')
      )
      for (const p of positions) {
        const r = read.find(x => x.oid === p.oid)
        if (r) r.nextValue = p.v
      }
    }
  }
  const replacedLo = new Set(not.replacedLargeObjects)
  const los = await client.query<{ oid: string; fp: string }>(
    `SELECT m.oid::int8 AS oid, pg_catalog.md5(pg_catalog.concat_ws(':', m.xmin, m::pg_catalog.text, (SELECT d.description FROM pg_catalog.pg_description d WHERE d.objoid OPERATOR(pg_catalog.=) m.oid AND d.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_largeobject'::pg_catalog.regclass AND d.objsubid OPERATOR(pg_catalog.=) 0))) AS fp FROM pg_catalog.pg_largeobject_metadata m ORDER BY m.oid`
  )
  const largeObjectRows: Record<string, string> = {}
  for (const lo of los.rows)
    if (!replacedLo.has(Number(lo.oid))) largeObjectRows[String(lo.oid)] = lo.fp
  const contents = await readLargeObjectContents(client, Object.keys(largeObjectRows).map(Number))
  // the target's own readers of large objects: the backup's same one (clean replaces it) is no
  // new reader of them
  const readers =
    Object.keys(contents.largeObjectContents ?? {}).length > 0
      ? (await client.query<{ fp: string }>(LARGE_OBJECT_READERS)).rows.map(r => r.fp)
      : []
  const version = Number(
    (
      await client.query<{ v: string }>(
        "SELECT pg_catalog.current_setting('server_version_num') AS v"
      )
    ).rows[0]?.v ?? 0
  )
  const objects = await readObjects(
    client,
    not,
    schemas,
    relations.filter(r => r.fp && !r.replaceable).map(r => r.oid),
    version
  )
  // who may create in the target's schemas, where it keeps tables: compared after the load
  // (schemaCreatorsWarning)
  const schemaCreators = keptTables.length > 0 ? await readSchemaCreators(client) : undefined
  const catalogNames =
    keptTables.length > 0
      ? (await client.query<{ name: string }>(CATALOG_NAMES)).rows.map(r => r.name)
      : undefined
  const facts = await client.query<{ roles: number[]; database: string; deferrable: number[] }>(
    `SELECT pg_catalog.array_agg(r.oid::int8 ORDER BY r.oid) AS roles, (${DATABASE_FINGERPRINT.replace('%ROLES%', 'ARRAY(SELECT r2.oid FROM pg_catalog.pg_roles r2)')}) AS database,
      ARRAY(${DEFERRABLE_TRIGGERS}) AS deferrable FROM pg_catalog.pg_roles r`
  )
  const owners = [
    ...new Set([
      ...relations.flatMap(r => (r.fp?.owner !== undefined ? [Number(r.fp.owner)] : [])),
      ...objects.flatMap(o =>
        o.fp.owner !== undefined && o.fp.owner !== null ? [Number(o.fp.owner)] : []
      ),
      ...(
        await client.query<{ owner: string }>(
          `SELECT p.proowner::int8 AS owner FROM pg_catalog.pg_proc p WHERE p.oid OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.oid[])`,
          [objects.filter(o => o.kind === 'function').map(o => o.oid)]
        )
      ).rows.map(r => Number(r.owner))
    ])
  ].sort((a, b) => a - b)
  // what the check looks at: the relations it fingerprints and the objects that must stay
  const checkedRelations = relations.filter(r => r.fp && !r.replaceable).map(r => r.oid)
  const checkedObjects = objects.filter(o => !o.replaceable).map(o => o.oid)
  const extensionDependencies = await client.query<{ fp: string }>(
    `SELECT (${EXTENSION_DEPENDENCIES.replace(/%RELATIONS%/g, '$1::pg_catalog.oid[]').replace(/%OBJECTS%/g, '$2::pg_catalog.oid[]')}) AS fp`,
    [checkedRelations, checkedObjects]
  )
  const defaults = await client.query<{ fp: string | null }>(
    `SELECT (${DEFAULT_PRIVILEGES.replace('%OWNERS%', '$1::pg_catalog.oid[]')}) AS fp`,
    [owners]
  )
  const replaced = await readReplaced(client, replacedOids)
  const definers = await client.query<DefinerFunction>(DEFINER_FUNCTIONS)
  const views = await client.query<{ oid: string }>(
    "SELECT c.oid::pg_catalog.int8 AS oid FROM pg_catalog.pg_class c WHERE c.relkind OPERATOR(pg_catalog.=) ANY ('{v,m}'::pg_catalog.char[])"
  )
  const members = await client.query<{ oid: string }>(DEFINER_MEMBERS)
  // what those executable by others call is compared after the load (a88 F3): read only then
  const digests = definers.rows.some(d => d.execute.length > 0)
    ? (await client.query<FunctionDigest>(FUNCTION_DIGESTS)).rows
    : undefined
  return {
    ...(digests
      ? { functionDigests: Object.fromEntries(digests.map(d => [d.name, d.digest])) }
      : {}),
    owners,
    keptTables,
    ...(catalogNames ? { catalogNames } : {}),
    ...(schemaCreators ? { schemaCreators } : {}),
    viewsBefore: views.rows.map(v => Number(v.oid)),
    definers: definers.rows.map(d => ({ ...d, owner: Number(d.owner) })),
    definerMembers: members.rows.map(m => Number(m.oid)),
    ...replaced,
    defaultPrivileges: defaults.rows[0]?.fp ?? '',
    deferrableTriggers: (facts.rows[0]?.deferrable ?? []).map(Number),
    ...(not.recreatedViews?.length ? { recreatedViews: [...not.recreatedViews] } : {}),
    extensionDependencies: extensionDependencies.rows[0]?.fp ?? '',
    relations,
    largeObjects: los.rows.map(r => Number(r.oid)).filter(o => !replacedLo.has(o)),
    largeObjectRows,
    ...contents,
    ...(readers.length > 0 ? { largeObjectReaders: readers } : {}),
    objects,
    roles: (facts.rows[0]?.roles ?? []).map(Number),
    database: facts.rows[0]?.database ?? '',
    serverVersion: version
  }
}

/**
 * A relation's reloptions (`alias` its pg_class row) as a jsonb object key → value, null when it
 * has none: how the check reads a view's security_barrier, security_invoker and check_option.
 */
const VIEW_OPTIONS = (alias: string): string =>
  `(SELECT pg_catalog.jsonb_object_agg(pg_catalog.split_part(o, '=', 1), pg_catalog.substr(o, pg_catalog.strpos(o, '=') OPERATOR(pg_catalog.+) 1)) FROM pg_catalog.unnest(${alias}.reloptions) o)`

/**
 * True when the view `alias` (its pg_class row) takes the place of one the target had
 * (replaced_views_, {@link ReplacedView}) and lets nobody read more than that one did: the same
 * name, kind, definition (pg_get_viewdef) and owner; each of its privileges (its owner's own
 * apart) one the target's view gave that grantee (with grant option only where that one had
 * it); security_barrier and security_invoker on where they were, check_option the same or
 * cascaded; and it reads only relations of the target's that the check finds unchanged and calls
 * nothing but pg_catalog's (the same text may read the backup's own table or call its function),
 * has no rule but its query and no trigger, and no column privileges. A new view, another
 * definition or owner, or a privilege more is not. `allowed` (an oid[] expression): what it may
 * read besides, the backup's views found the same as the replaced ones already (attacker a89 F1:
 * a chain of views; the net finds them bottom-up, each over guarded relations or such views).
 */
const SAME_AS_REPLACED = (alias: string, allowed = "COALESCE(guarded_, '{}')"): string =>
  `(EXISTS (SELECT FROM pg_catalog.jsonb_array_elements(replaced_views_) w
    WHERE w.value->>'name' OPERATOR(pg_catalog.=) (SELECT pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(${alias}.relname) FROM pg_catalog.pg_namespace n WHERE n.oid OPERATOR(pg_catalog.=) ${alias}.relnamespace)
      AND w.value->>'kind' OPERATOR(pg_catalog.=) ${alias}.relkind::pg_catalog.text
      AND w.value->>'definition' OPERATOR(pg_catalog.=) pg_catalog.md5(pg_catalog.pg_get_viewdef(${alias}.oid))
      AND (w.value->>'owner')::pg_catalog.oid OPERATOR(pg_catalog.=) ${alias}.relowner
      AND NOT EXISTS (SELECT FROM pg_catalog.aclexplode(${alias}.relacl) a WHERE a.grantee OPERATOR(pg_catalog.<>) ${alias}.relowner
        AND NOT EXISTS (SELECT FROM pg_catalog.jsonb_array_elements(w.value->'acl') g
          WHERE (g.value->>0)::pg_catalog.oid OPERATOR(pg_catalog.=) a.grantee AND g.value->>1 OPERATOR(pg_catalog.=) a.privilege_type
            AND ((g.value->>2)::pg_catalog.bool OR NOT a.is_grantable)))
      AND (NOT COALESCE((w.value->'options'->>'security_barrier')::pg_catalog.bool, false) OR COALESCE((${VIEW_OPTIONS(alias)}->>'security_barrier')::pg_catalog.bool, false))
      AND (NOT COALESCE((w.value->'options'->>'security_invoker')::pg_catalog.bool, false) OR COALESCE((${VIEW_OPTIONS(alias)}->>'security_invoker')::pg_catalog.bool, false))
      AND (w.value->'options'->>'check_option' IS NULL OR ${VIEW_OPTIONS(alias)}->>'check_option' OPERATOR(pg_catalog.=) ANY (ARRAY[w.value->'options'->>'check_option', 'cascaded'])))
    -- the same text may read other data (attacker a85 F2: the backup's own public.mask() behind
    -- the same definition): only a view that reads tables and calls nothing but pg_catalog's
    AND NOT EXISTS (SELECT FROM pg_catalog.pg_rewrite r2 JOIN pg_catalog.pg_depend d2
        ON d2.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND d2.objid OPERATOR(pg_catalog.=) r2.oid
      WHERE r2.ev_class OPERATOR(pg_catalog.=) ${alias}.oid
        AND CASE WHEN d2.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                 -- a relation of the target's own that the check finds unchanged, nothing the backup
                 -- created or replaced (attacker a86 F1: the backup's own "allowed" table widened it)
                 THEN d2.refobjid OPERATOR(pg_catalog.<>) ${alias}.oid
                      AND NOT d2.refobjid OPERATOR(pg_catalog.=) ANY (${allowed})
                 ELSE (pg_catalog.pg_identify_object(d2.refclassid, d2.refobjid, 0)).schema IS DISTINCT FROM 'pg_catalog' END)
    -- its query only: no rule of its own (attacker a86 F2: ON INSERT DO INSTEAD SELECT the secrets)
    -- and no INSTEAD OF trigger
    AND NOT EXISTS (SELECT FROM pg_catalog.pg_rewrite r3 WHERE r3.ev_class OPERATOR(pg_catalog.=) ${alias}.oid
      AND r3.rulename OPERATOR(pg_catalog.<>) '_RETURN')
    AND NOT EXISTS (SELECT FROM pg_catalog.pg_trigger g3 WHERE g3.tgrelid OPERATOR(pg_catalog.=) ${alias}.oid)
    -- column privileges: the same test as the view's own would need them recorded; none at all
    AND NOT EXISTS (SELECT FROM pg_catalog.pg_attribute t CROSS JOIN LATERAL pg_catalog.aclexplode(t.attacl) a
      WHERE t.attrelid OPERATOR(pg_catalog.=) ${alias}.oid AND t.attacl IS NOT NULL AND a.grantee OPERATOR(pg_catalog.<>) ${alias}.relowner))`

/**
 * The views and materialized views among `oids` (the relations clean replaces) as the target has
 * them, and the GRANT statements (table and column privileges, the owner's own apart) of all of
 * them: read before the load.
 */
async function readReplaced(
  client: pg.Client,
  oids: readonly number[]
): Promise<Pick<ProtectedSet, 'replacedViews' | 'replacedGrants'>> {
  if (oids.length === 0) return {}
  const { rows: views } = await client.query<ReplacedView>(
    `SELECT pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(c.relname) AS name,
            c.relkind::pg_catalog.text AS kind, pg_catalog.md5(pg_catalog.pg_get_viewdef(c.oid)) AS definition,
            c.relowner::pg_catalog.int8 AS owner,
            COALESCE((SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_array(a.grantee::pg_catalog.int8, a.privilege_type, a.is_grantable) ORDER BY a.grantee, a.privilege_type)
                        FROM pg_catalog.aclexplode(c.relacl) a WHERE a.grantee OPERATOR(pg_catalog.<>) c.relowner), '[]'::pg_catalog.jsonb) AS acl,
            ${VIEW_OPTIONS('c')} AS options
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
      WHERE c.oid OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.oid[]) AND c.relkind OPERATOR(pg_catalog.=) ANY ('{v,m}'::pg_catalog.char[])
      ORDER BY 1`,
    [oids]
  )
  // the privileges of others on the relation, and on its columns (x.attnum 0: the relation's)
  const { rows: grants } = await client.query<ReplacedGrants>(
    `SELECT pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(c.relname) AS name,
            pg_catalog.array_agg('GRANT ' OPERATOR(pg_catalog.||) a.privilege_type
              OPERATOR(pg_catalog.||) CASE WHEN x.attnum OPERATOR(pg_catalog.>) 0 THEN ' (' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(x.attname) OPERATOR(pg_catalog.||) ')' ELSE '' END
              OPERATOR(pg_catalog.||) CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'S' THEN ' ON SEQUENCE ' ELSE ' ON TABLE ' END
              OPERATOR(pg_catalog.||) pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(c.relname)
              OPERATOR(pg_catalog.||) ' TO ' OPERATOR(pg_catalog.||) CASE WHEN a.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(a.grantee)) END
              OPERATOR(pg_catalog.||) CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END OPERATOR(pg_catalog.||) ';'
              ORDER BY x.attnum, a.grantee, a.privilege_type) AS grants
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
       CROSS JOIN LATERAL (SELECT 0::pg_catalog.int2 AS attnum, NULL::pg_catalog.name AS attname, c.relacl AS acl
                           UNION ALL SELECT t.attnum, t.attname, t.attacl FROM pg_catalog.pg_attribute t
                            WHERE t.attrelid OPERATOR(pg_catalog.=) c.oid AND t.attnum OPERATOR(pg_catalog.>) 0 AND NOT t.attisdropped AND t.attacl IS NOT NULL) x
       CROSS JOIN LATERAL pg_catalog.aclexplode(x.acl) a
      WHERE c.oid OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.oid[]) AND a.grantee OPERATOR(pg_catalog.<>) c.relowner
      GROUP BY n.nspname, c.relname ORDER BY 1`,
    [oids]
  )
  return {
    ...(views.length > 0
      ? { replacedViews: views.map(v => ({ ...v, owner: Number(v.owner) })) }
      : {}),
    ...(grants.length > 0 ? { replacedGrants: grants } : {})
  }
}

/**
 * The roles that may write relation `c` (an alias), other than the owner of what they are granted
 * on: INSERT, UPDATE, DELETE or TRUNCATE on it or on some of its columns, on a table it is a
 * partition or inheritance child of (writes through the parent reach its rows and fire its
 * triggers), or on a view or table whose rule writes it (an updatable view, a DO INSTEAD rule;
 * attacker a91 F4): `a.grantee` rows of an SQL query.
 */
const WRITERS = (c: string): string =>
  `(SELECT w.grantee, w.privilege_type FROM pg_catalog.pg_class r
    CROSS JOIN LATERAL (SELECT a.grantee, a.privilege_type FROM pg_catalog.aclexplode(r.relacl) a
      UNION ALL SELECT a.grantee, a.privilege_type FROM pg_catalog.pg_attribute t CROSS JOIN LATERAL pg_catalog.aclexplode(t.attacl) a
        WHERE t.attrelid OPERATOR(pg_catalog.=) r.oid AND t.attacl IS NOT NULL) w
    WHERE (r.oid OPERATOR(pg_catalog.=) ${c}.oid
        OR r.oid IN (WITH RECURSIVE up(oid) AS (
            SELECT i.inhparent FROM pg_catalog.pg_inherits i WHERE i.inhrelid OPERATOR(pg_catalog.=) ${c}.oid
            UNION SELECT i.inhparent FROM pg_catalog.pg_inherits i JOIN up ON i.inhrelid OPERATOR(pg_catalog.=) up.oid)
          SELECT up.oid FROM up)
        OR r.oid IN (SELECT rw.ev_class FROM pg_catalog.pg_rewrite rw JOIN pg_catalog.pg_depend d
            ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND d.objid OPERATOR(pg_catalog.=) rw.oid
          WHERE d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid OPERATOR(pg_catalog.=) ${c}.oid
            AND rw.ev_class OPERATOR(pg_catalog.<>) ${c}.oid))
      AND w.grantee OPERATOR(pg_catalog.<>) r.relowner
      AND w.privilege_type OPERATOR(pg_catalog.=) ANY ('{INSERT,UPDATE,DELETE,TRUNCATE}'::pg_catalog.text[])) a`

/**
 * The triggers (not internal ones) that run function `p` (an alias) on a relation others may
 * write ({@link WRITERS}): rows of pg_trigger `t` joined with that relation, pg_class `c`.
 */
const WRITABLE_TRIGGERS = (p: string): string =>
  `pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) t.tgrelid
  WHERE t.tgfoid OPERATOR(pg_catalog.=) ${p}.oid AND NOT t.tgisinternal AND EXISTS (SELECT FROM ${WRITERS('c')})`

/**
 * The SECURITY DEFINER functions and procedures of the database (pg_proc `p`), and the aggregates
 * any of whose support functions (transition, final, combine, serial, deserial, moving-aggregate)
 * is SECURITY DEFINER (attacker a88 F1: PostgreSQL checks EXECUTE of those against the aggregate's
 * owner, not the caller, and runs them with their owner's rights: whoever may execute the
 * aggregate runs them), and trigger functions that a trigger runs on a relation roles other than
 * its owner may write (attacker a88 F4: whoever writes it runs them), but other trigger and event
 * trigger functions (nobody calls them directly), pg_catalog's and extensions' members (`members`: every one, or only those whose OIDs the SQL
 * expression, an oid[], holds): each with its regprocedure, a digest of its definition, its owner
 * and who else may execute it (EXECUTE of PUBLIC where proacl is NULL, PostgreSQL's default),
 * `rights`: the roles whose rights it runs with (its owner; an aggregate's: its definer support
 * functions' owners), `via`: an aggregate's definer support functions, and the columns `extra`.
 * Read with search_path pg_catalog, pg_temp (regprocedure and pg_get_functiondef qualify by it).
 */
const definerFunctions = (extra = '', members?: string): string => {
  const execute = `pg_catalog.aclexplode(COALESCE(p.proacl, pg_catalog.acldefault('f', p.proowner))) a WHERE a.privilege_type OPERATOR(pg_catalog.=) 'EXECUTE' AND a.grantee OPERATOR(pg_catalog.<>) p.proowner`
  const member = `EXISTS (SELECT FROM pg_catalog.pg_depend e WHERE e.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass AND e.objid OPERATOR(pg_catalog.=) p.oid AND e.deptype OPERATOR(pg_catalog.=) 'e')`
  return `SELECT p.oid::pg_catalog.regprocedure::pg_catalog.text AS name,
  CASE WHEN g.aggfnoid IS NULL THEN pg_catalog.md5(pg_catalog.pg_get_functiondef(p.oid))
    ELSE pg_catalog.md5(pg_catalog.concat_ws('|', (pg_catalog.to_jsonb(g) OPERATOR(pg_catalog.-) 'aggfnoid'::pg_catalog.text)::pg_catalog.text,
      (SELECT pg_catalog.string_agg(pg_catalog.md5(pg_catalog.pg_get_functiondef(s.fn)), ',' ORDER BY s.i) FROM pg_catalog.unnest(d.support) WITH ORDINALITY s(fn, i)),
      d.rights::pg_catalog.text)) END AS definition,
  p.proowner::pg_catalog.int8 AS owner,
  COALESCE((SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_array(a.grantee::pg_catalog.int8, a.is_grantable) ORDER BY a.grantee) FROM ${execute}), '[]'::pg_catalog.jsonb) AS execute${extra.replace(/%EXECUTE%/g, execute)}
FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) p.pronamespace
LEFT JOIN pg_catalog.pg_aggregate g ON g.aggfnoid OPERATOR(pg_catalog.=) p.oid
CROSS JOIN LATERAL (SELECT s.support, ARRAY(SELECT f.oid::pg_catalog.regprocedure::pg_catalog.text FROM pg_catalog.unnest(s.support) WITH ORDINALITY u(fn, i) JOIN pg_catalog.pg_proc f ON f.oid OPERATOR(pg_catalog.=) u.fn WHERE f.prosecdef ORDER BY u.i) AS via,
    CASE WHEN g.aggfnoid IS NULL THEN ARRAY[p.proowner]
      ELSE ARRAY(SELECT DISTINCT f.proowner FROM pg_catalog.unnest(s.support) u(fn) JOIN pg_catalog.pg_proc f ON f.oid OPERATOR(pg_catalog.=) u.fn WHERE f.prosecdef ORDER BY 1) END AS rights
  FROM (SELECT ARRAY(SELECT u.fn FROM pg_catalog.unnest(ARRAY[g.aggtransfn::pg_catalog.oid, g.aggfinalfn::pg_catalog.oid, g.aggcombinefn::pg_catalog.oid, g.aggserialfn::pg_catalog.oid,
      g.aggdeserialfn::pg_catalog.oid, g.aggmtransfn::pg_catalog.oid, g.aggminvtransfn::pg_catalog.oid, g.aggmfinalfn::pg_catalog.oid]) WITH ORDINALITY u(fn, i)
    WHERE u.fn OPERATOR(pg_catalog.<>) 0 ORDER BY u.i) AS support) s) d
WHERE CASE WHEN p.prokind OPERATOR(pg_catalog.=) 'a' THEN g.aggfnoid IS NOT NULL AND pg_catalog.cardinality(d.via) OPERATOR(pg_catalog.>) 0 ELSE p.prosecdef END
  AND (p.prorettype OPERATOR(pg_catalog.<>) ALL (ARRAY['pg_catalog.trigger'::pg_catalog.regtype, 'pg_catalog.event_trigger'::pg_catalog.regtype]::pg_catalog.oid[])
    -- a trigger function runs for whoever may write a table with a trigger that calls it (a88 F4)
    OR (p.prorettype OPERATOR(pg_catalog.=) 'pg_catalog.trigger'::pg_catalog.regtype AND EXISTS (SELECT FROM ${WRITABLE_TRIGGERS('p')})))
  AND n.nspname OPERATOR(pg_catalog.<>) ALL ('{pg_catalog,information_schema}'::pg_catalog.name[]) AND n.nspname OPERATOR(pg_catalog.!~) '^pg_(toast_)?temp_'
  AND NOT (${member}${members === undefined ? '' : ` AND p.oid OPERATOR(pg_catalog.=) ANY (${members})`})
ORDER BY 1`
}
const DEFINER_FUNCTIONS = definerFunctions()
/** The OIDs of the routines definerFunctions() leaves out as extensions' members. */
const DEFINER_MEMBERS = `SELECT q.oid::pg_catalog.int8 AS oid FROM (${definerFunctions(', p.oid', "'{}'::pg_catalog.oid[]")}) q
WHERE EXISTS (SELECT FROM pg_catalog.pg_depend e WHERE e.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass AND e.objid OPERATOR(pg_catalog.=) q.oid AND e.deptype OPERATOR(pg_catalog.=) 'e')`

/** A function's or procedure's regprocedure, schema, name and md5 of pg_get_functiondef. */
interface FunctionDigest {
  name: string
  schema: string
  proname: string
  digest: string
}

/**
 * The functions and procedures of the database (not aggregates: pg_get_functiondef does not show
 * them; not pg_catalog's), each with its regprocedure, schema, name and a digest of its
 * definition. Read with search_path pg_catalog, pg_temp.
 */
const FUNCTION_DIGESTS = `SELECT p.oid::pg_catalog.regprocedure::pg_catalog.text AS name, n.nspname::pg_catalog.text AS schema, p.proname::pg_catalog.text AS proname,
  pg_catalog.md5(pg_catalog.pg_get_functiondef(p.oid)) AS digest
FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) p.pronamespace
WHERE p.prokind OPERATOR(pg_catalog.<>) 'a'
  AND n.nspname OPERATOR(pg_catalog.<>) ALL ('{pg_catalog,information_schema}'::pg_catalog.name[]) AND n.nspname OPERATOR(pg_catalog.!~) '^pg_(toast_)?temp_'`

/**
 * SQL: the SQL-standard body (BEGIN ATOMIC, RETURN) of the pg_proc row `alias`, NULL where there
 * is none — always on a server older than 14 (`version`: server_version_num), whose pg_proc has
 * no prosqlbody column (naming it there fails the whole statement, after the load).
 */
const sqlBody = (alias: string, version: number): string =>
  version >= 140000 ? `${alias}.prosqlbody` : 'NULL::pg_catalog.pg_node_tree'

/**
 * What the routines named `$1` (regprocedure texts of definerFunctions()) run with their owner's
 * rights: each itself, an aggregate's SECURITY DEFINER support functions. For each: its body
 * (prosrc), whether it is an SQL-standard one (BEGIN ATOMIC, RETURN: PostgreSQL records what it
 * calls in pg_depend), its search_path setting, its owner, and from pg_depend the routines it
 * calls and the views it reads (name, md5 of pg_get_viewdef).
 */
const definerBodies = (
  version: number
): string => `SELECT u.name AS definer, f.oid::pg_catalog.regprocedure::pg_catalog.text AS routine, f.prosrc AS source,
  ${sqlBody('f', version)} IS NOT NULL AS atomic, pg_catalog.pg_get_userbyid(f.proowner)::pg_catalog.text AS owner,
  (SELECT pg_catalog.substr(c.s, 13) FROM pg_catalog.unnest(f.proconfig) c(s) WHERE pg_catalog.starts_with(c.s, 'search_path=') LIMIT 1) AS path,
  ARRAY(SELECT DISTINCT d.refobjid::pg_catalog.regprocedure::pg_catalog.text FROM pg_catalog.pg_depend d
    WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objid OPERATOR(pg_catalog.=) f.oid
      AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.refobjid OPERATOR(pg_catalog.<>) f.oid ORDER BY 1) AS calls,
  COALESCE((SELECT pg_catalog.jsonb_agg(DISTINCT pg_catalog.jsonb_build_array(pg_catalog.format('%I.%I', n.nspname, c.relname), pg_catalog.md5(pg_catalog.pg_get_viewdef(c.oid))))
    FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) d.refobjid JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
    WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objid OPERATOR(pg_catalog.=) f.oid
      AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass AND c.relkind OPERATOR(pg_catalog.=) ANY ('{v,m}'::pg_catalog.char[])), '[]'::pg_catalog.jsonb) AS views
FROM pg_catalog.unnest($1::pg_catalog.text[]) u(name)
JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) u.name::pg_catalog.regprocedure
LEFT JOIN pg_catalog.pg_aggregate g ON g.aggfnoid OPERATOR(pg_catalog.=) p.oid
JOIN pg_catalog.pg_proc f ON CASE WHEN g.aggfnoid IS NULL THEN f.oid OPERATOR(pg_catalog.=) p.oid
  ELSE f.prosecdef AND f.oid OPERATOR(pg_catalog.=) ANY (ARRAY[g.aggtransfn::pg_catalog.oid, g.aggfinalfn::pg_catalog.oid, g.aggcombinefn::pg_catalog.oid, g.aggserialfn::pg_catalog.oid,
      g.aggdeserialfn::pg_catalog.oid, g.aggmtransfn::pg_catalog.oid, g.aggminvtransfn::pg_catalog.oid, g.aggmfinalfn::pg_catalog.oid]) END
ORDER BY 1, 2`

/**
 * The schemas of a search_path setting as proconfig holds it (`"$user", public`, `""`): `$user`
 * the routine's owner; pg_temp left out (functions are not looked up there).
 */
function searchPathSchemas(path: string, owner: string): string[] {
  const out: string[] = []
  for (let i = 0; i <= path.length;) {
    // one element, up to the next comma outside double quotes
    let j = i
    for (let quoted = false; j < path.length && (quoted || path[j] !== ','); j++)
      if (path[j] === '"') quoted = !quoted
    const raw = path.slice(i, j).trim()
    const name = raw.startsWith('"') ? raw.slice(1, -1).replace(/""/g, '"') : raw.toLowerCase()
    if (name === '$user') out.push(owner)
    else if (name !== '' && !name.startsWith('pg_temp')) out.push(name)
    i = j + 1
  }
  return out
}

/**
 * The calls in a routine's body (prosrc, with the string literals' content read as SQL too): each
 * name followed by `(`, with the schema it is qualified with, if any. Not what dynamic SQL builds,
 * nor what the routines it calls call in turn.
 */
function calledNames(source: string): Array<{ schema?: string; name: string }> {
  const t = sqlTokens(source, true)
  const out: Array<{ schema?: string; name: string }> = []
  for (let i = 0; i + 1 < t.length; i++) {
    if (t[i].kind !== 'ident' || t[i + 1].kind !== 'punct' || t[i + 1].value !== '(') continue
    const qualified =
      i >= 2 && t[i - 1].kind === 'punct' && t[i - 1].value === '.' && t[i - 2].kind === 'ident'
    out.push(qualified ? { schema: t[i - 2].value, name: t[i].value } : { name: t[i].value })
  }
  return out
}

/** A kept SECURITY DEFINER routine of the target and what the restore changed that it calls. */
interface ReachedChange {
  /** The routine's regprocedure. */
  definer: string
  /** The functions, procedures and views the restore replaced or created that it may call or read. */
  changed: string[]
}

/**
 * After the load (attacker a88 F3): of the target's SECURITY DEFINER routines `kept` (the same as
 * before the load, executable by others), those that call a function or procedure the restore
 * replaced (another definition under the same signature) or created, or read a view it replaced:
 * from pg_depend for an SQL-standard body, from the body's text (the names called, resolved by the
 * routine's search_path setting, any schema without one) for any other; an aggregate's through
 * its SECURITY DEFINER support functions. Such a routine, unchanged itself, runs the backup's code
 * with its owner's rights for whoever may execute it.
 */
/**
 * The operators SQL runs without writing them (a102 F4: LIKE is ~~, IN is =): a routine's body
 * with one of these words may run the operator.
 */
const IMPLIED_OPERATORS: Record<string, RegExp> = {
  '=': /\b(?:in|any|some|case|distinct|join|using|group|union|intersect|except|nullif|coalesce|between)\b/i,
  '<>': /\b(?:in|all|distinct|nullif)\b/i,
  '<': /\b(?:between|order|greatest|least|min|max)\b/i,
  '>': /\b(?:between|order|greatest|least|min|max)\b/i,
  '<=': /\b(?:between|order|greatest|least|min|max)\b/i,
  '>=': /\b(?:between|order|greatest|least|min|max)\b/i,
  '~~': /\blike\b/i,
  '!~~': /\blike\b/i,
  '~~*': /\bilike\b/i,
  '!~~*': /\bilike\b/i,
  '~': /\bsimilar\b/i
}

async function reachedChanges(
  client: pg.Client,
  set: ProtectedSet,
  kept: readonly string[]
): Promise<ReachedChange[]> {
  const before = set.functionDigests
  if (kept.length === 0 || before === undefined) return []
  const now = (await client.query<FunctionDigest>(FUNCTION_DIGESTS)).rows
  const changed = now.filter(f => before[f.name] !== f.digest)
  const views = new Map((set.replacedViews ?? []).map(v => [v.name, v.definition]))
  if (changed.length === 0 && views.size === 0) return []
  const changedNames = new Set(changed.map(f => f.name))
  // the operators whose function the restore replaced or created (not an extension's): a
  // routine without a pinned search_path resolves its operators at run time, an exact match in a
  // schema of that path before pg_catalog's inexact one (attacker a101 F3: public.=(text,
  // character varying) run by the target's SECURITY DEFINER function's email = e)
  const operators =
    changed.length === 0
      ? []
      : (
          await client.query<{ name: string; schema: string; oprname: string }>(
            `SELECT o.oid::pg_catalog.regoperator::pg_catalog.text AS name, n.nspname::pg_catalog.text AS schema, o.oprname::pg_catalog.text AS oprname
               FROM pg_catalog.pg_operator o JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) o.oprnamespace
              WHERE o.oprcode::pg_catalog.oid::pg_catalog.regprocedure::pg_catalog.text OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.text[])
                AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend d WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_operator'::pg_catalog.regclass
                  AND d.objid OPERATOR(pg_catalog.=) o.oid AND d.deptype OPERATOR(pg_catalog.=) 'e')`,
            [changed.map(f => f.name)]
          )
        ).rows
  const { rows } = await client.query<{
    definer: string
    routine: string
    source: string
    atomic: boolean
    owner: string
    path: string | null
    calls: string[]
    views: Array<[string, string]>
  }>(definerBodies(set.serverVersion ?? 0), [kept])
  const found = new Map<string, Set<string>>()
  for (const r of rows) {
    const hits = new Set<string>()
    if (r.atomic) {
      for (const c of r.calls) if (changedNames.has(c)) hits.add(c)
      for (const [name, digest] of r.views) {
        const was = views.get(name)
        if (was !== undefined && was !== digest) hits.add(name)
      }
    } else {
      const path = r.path === null ? undefined : new Set(searchPathSchemas(r.path, r.owner))
      for (const call of calledNames(r.source))
        for (const f of changed)
          if (
            f.proname === call.name &&
            f.name !== r.routine &&
            (call.schema !== undefined
              ? f.schema === call.schema
              : path === undefined || path.has(f.schema))
          )
            hits.add(f.name)
      for (const o of operators)
        if (
          (path === undefined || path.has(o.schema)) &&
          (r.source.includes(o.oprname) || IMPLIED_OPERATORS[o.oprname]?.test(r.source))
        )
          hits.add(`operator ${o.name}`)
    }
    if (hits.size === 0) continue
    const all = found.get(r.definer) ?? new Set<string>()
    for (const h of hits) all.add(h)
    found.set(r.definer, all)
  }
  return [...found].map(([definer, names]) => ({ definer, changed: [...names].sort() }))
}

/**
 * After the load (attacker a86 F3): the SECURITY DEFINER functions and procedures the restore
 * created or replaced that roles other than their owner may execute (PUBLIC by default), in a
 * target that keeps tables of its own (ProtectedSet.keptTables) their owner may read or write:
 * whoever calls one does so with its owner's rights on those tables, with no GRANT on them — what
 * the net refuses for a view of the backup's granted to others. Not refused: an application's RPC
 * functions over the provider's tables (Supabase's over auth.users, executable by anon and
 * authenticated) are made so, and psql or pg_restore by hand restore them the same. One
 * warning naming each (10, then how many more), who may execute it, its owner, up to three of
 * the kept tables its owner may read, and the REVOKE that takes it from them. An aggregate over a
 * SECURITY DEFINER support function likewise (attacker a88 F1), named with that function, who may
 * execute the aggregate, and that function's owner; an extension's member where it was none
 * before the load (ALTER EXTENSION … ADD run by the backup's code, a new extension's own: a88 F2).
 * Not one the target had before as it is now (definition and owner), executable by no more roles
 * (ProtectedSet.definers: clean over itself). And a second warning for such a routine of the
 * target's, as it was, that calls what the restore replaced or created (reachedChanges, a88 F3).
 * The warnings, none when there is nothing to say.
 */
export async function definerFunctionsWarning(
  client: pg.Client,
  set: ProtectedSet | undefined
): Promise<string[]> {
  const kept = set?.keptTables ?? []
  if (set === undefined || kept.length === 0) return []
  const { rows: was } = await client.query<{ path: string; jit: string }>(
    "SELECT pg_catalog.current_setting('search_path') AS path, pg_catalog.current_setting('jit') AS jit"
  )
  // no JIT, as withCatalogSearchPath
  await client.query(
    "SELECT pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', false), pg_catalog.set_config('jit', 'off', false)"
  )
  let rows: Array<
    DefinerFunction & {
      kind: string
      /** An aggregate's SECURITY DEFINER support functions. */
      via: string[]
      /** Its owner; an aggregate's: its definer support functions' owners. */
      ownerName: string
      grantees: string[]
      /**
       * The range types it is the subtype_diff or canonical function of: PostgreSQL calls it
       * for whoever uses the type (an index, the planner, ANALYZE) without checking EXECUTE
       * (attacker a89 F2).
       */
      ranges: string[]
      /**
       * A trigger function's triggers on relations that are not kept tables and that roles
       * other than their owner may write, each "trigger … on … (writable by …)": whoever writes
       * one runs it (attacker a88 F4); EXECUTE is checked only as the trigger is created.
       */
      triggers: string[]
      trigger: boolean
      reads: string[]
      reach: number
    }
  >
  let found: typeof rows
  let reached: ReachedChange[]
  try {
    ;({ rows } = await client.query(
      definerFunctions(
        `, p.prokind::pg_catalog.text AS kind, d.via,
  (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(r.r)), ', ' ORDER BY r.r) FROM pg_catalog.unnest(d.rights) r(r)) AS "ownerName",
  ARRAY(SELECT CASE WHEN a.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(a.grantee)) END
    FROM %EXECUTE% AND p.prorettype OPERATOR(pg_catalog.<>) 'pg_catalog.trigger'::pg_catalog.regtype ORDER BY a.grantee OPERATOR(pg_catalog.<>) 0, 1) AS grantees,
  p.prorettype OPERATOR(pg_catalog.=) 'pg_catalog.trigger'::pg_catalog.regtype AS trigger,
  ARRAY(SELECT pg_catalog.format('trigger %I on %s (writable by %s)', t.tgname, c.oid::pg_catalog.regclass,
      (SELECT pg_catalog.string_agg(w.name, ', ' ORDER BY w.name OPERATOR(pg_catalog.<>) 'PUBLIC', w.name) FROM (SELECT DISTINCT CASE WHEN a.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(a.grantee)) END AS name FROM ${WRITERS('c')}) w))
    FROM ${WRITABLE_TRIGGERS('p')} AND NOT c.oid OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.oid[]) ORDER BY 1) AS triggers,
  ARRAY(SELECT r.rngtypid::pg_catalog.regtype::pg_catalog.text FROM pg_catalog.pg_range r
    WHERE p.oid OPERATOR(pg_catalog.=) ANY (ARRAY[r.rngsubdiff::pg_catalog.oid, r.rngcanonical::pg_catalog.oid]) ORDER BY 1) AS ranges,
  ARRAY(SELECT pg_catalog.format('%I.%I', n2.nspname, c.relname) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n2 ON n2.oid OPERATOR(pg_catalog.=) c.relnamespace
    WHERE c.oid OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.oid[]) AND EXISTS (SELECT FROM pg_catalog.unnest(d.rights) r(r) WHERE pg_catalog.has_table_privilege(r.r, c.oid, 'SELECT')) ORDER BY 1 LIMIT 3) AS reads,
  (SELECT pg_catalog.count(*) FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.oid[])
    AND EXISTS (SELECT FROM pg_catalog.unnest(d.rights) r(r) WHERE pg_catalog.has_any_column_privilege(r.r, c.oid, 'SELECT,INSERT,UPDATE') OR pg_catalog.has_table_privilege(r.r, c.oid, 'DELETE,TRUNCATE')))::pg_catalog.int4 AS reach`,
        // an extension's member only where it was one before the load (attacker a88 F2)
        '$2::pg_catalog.oid[]'
      ),
      [kept, set.definerMembers ?? []]
    ))
    const before = set.definers ?? []
    // the target's own as it was: the same definition and owner, executable by no more roles
    const asBefore = (f: DefinerFunction): boolean =>
      before.some(
        b =>
          b.name === f.name &&
          b.definition === f.definition &&
          b.owner === Number(f.owner) &&
          f.execute.every(([grantee, grantable]) =>
            b.execute.some(([g, o]) => Number(g) === Number(grantee) && (o || !grantable))
          )
      )
    const open = rows.filter(
      f =>
        (f.trigger ? f.triggers.length > 0 : f.execute.length > 0 || f.ranges.length > 0) &&
        f.reach > 0
    )
    found = open.filter(f => !asBefore(f))
    // those the target keeps as they were: what they call the restore may have replaced (a88 F3)
    reached = await reachedChanges(
      client,
      set,
      open.filter(asBefore).map(f => f.name)
    )
  } finally {
    await client.query(
      "SELECT pg_catalog.set_config('search_path', $1, false), pg_catalog.set_config('jit', $2, false)",
      [was[0].path, was[0].jit]
    )
  }
  const shown = 10
  const few = fewNames
  const noun = (f: { kind: string }): string =>
    f.kind === 'p' ? 'procedure' : f.kind === 'a' ? 'aggregate' : 'function'
  // an aggregate runs its SECURITY DEFINER support functions for whoever may execute it
  const over = (f: { kind: string; via: string[] }): string =>
    f.kind === 'a'
      ? ` over the SECURITY DEFINER ${f.via.length === 1 ? 'function' : 'functions'} ${few(f.via)}`
      : ''
  // a range type's support function runs for whoever uses the type, EXECUTE unchecked
  const callers = (f: { grantees: string[]; ranges: string[]; triggers: string[] }): string =>
    [
      ...(f.grantees.length > 0 ? [`executable by ${few(f.grantees)}`] : []),
      // a trigger function runs for whoever writes the table, EXECUTE unchecked
      ...(f.triggers.length > 0
        ? [
            `run for whoever writes a table by its ${f.triggers.slice(0, 3).join(', ')}${f.triggers.length > 3 ? ` and ${f.triggers.length - 3} more` : ''}`
          ]
        : []),
      ...(f.ranges.length > 0
        ? [
            `called with no EXECUTE check for whoever uses the range ${f.ranges.length === 1 ? 'type' : 'types'} ${few(f.ranges)} (its subtype_diff or canonical function: an index, the planner, ANALYZE)`
          ]
        : [])
    ].join(', and ')
  const items = found
    .slice(0, shown)
    .map(
      f =>
        `${noun(f)} ${f.name}${over(f)} (${callers(f)}; ${f.kind === 'a' ? `${f.via.length === 1 ? 'its' : 'their'} owner` : 'owner'} ${f.ownerName}${f.reads.length > 0 ? `, who may read ${few(f.reads)}${f.reach > f.reads.length ? ' and more' : ''}` : ''})`
    )
  // (GRANT and REVOKE name an aggregate as a FUNCTION)
  const revokes = found.slice(0, shown).map(f =>
    [
      ...(f.grantees.length > 0
        ? [
            `REVOKE EXECUTE ON ${f.kind === 'p' ? 'PROCEDURE' : 'FUNCTION'} ${f.name} FROM ${f.grantees.join(', ')};`
          ]
        : []),
      // no EXECUTE to take back: only its owner's rights
      ...(f.ranges.length > 0 || f.trigger ? [`ALTER FUNCTION ${f.name} SECURITY INVOKER;`] : [])
    ].join(' ')
  )
  const warnings: string[] = []
  if (found.length > 0)
    warnings.push(
      `SECURITY DEFINER: the restore created or replaced ${plural(found.length, 'routine')} that run${found.length === 1 ? 's' : ''} with ${found.length === 1 ? 'its' : 'their'} owner's rights and that roles other than ${found.length === 1 ? 'its' : 'their'} owner may execute or reach, in a target that keeps tables of its own: ${items.join('; ')}${found.length > shown ? `; and ${found.length - shown} more` : ''}. Whoever may execute one (or write a table whose trigger runs it) reads or writes what it does in the target's tables with its owner's rights, whatever privileges they have on those tables (a function is executable by PUBLIC unless revoked; psql and pg_restore by hand restore them the same, without a word). Expected for your own application's functions that its roles call (RPC): review what each does. If one should not be callable by them, run: ${revokes.join(' ')} Or restore the backup into an empty database.`
    )
  if (reached.length > 0) {
    const byName = new Map(rows.map(f => [f.name, f]))
    const before = new Set(Object.keys(set.functionDigests ?? {}))
    const calls = reached.slice(0, shown).map(r => {
      const f = byName.get(r.definer)
      const what = (names: string[], how: string): string[] =>
        names.length > 0 ? [`${how} ${few(names)}`] : []
      const views = r.changed.filter(c => !c.includes('('))
      const routines = r.changed.filter(c => c.includes('('))
      const parts = [
        ...what(
          routines.filter(c => before.has(c)),
          'calls the replaced'
        ),
        ...what(
          routines.filter(c => !before.has(c)),
          'calls the new'
        ),
        ...what(views, 'reads the replaced view')
      ]
      return `${f ? noun(f) : 'function'} ${r.definer}${f ? over(f) : ''} (${f ? callers(f) : 'executable by others'}; owner ${f?.ownerName ?? ''}) ${parts.join(' and ')}`
    })
    const revokes = reached.slice(0, shown).map(r => {
      const f = byName.get(r.definer)
      return f && f.grantees.length === 0
        ? `ALTER FUNCTION ${r.definer} SECURITY INVOKER;`
        : `REVOKE EXECUTE ON ${f?.kind === 'p' ? 'PROCEDURE' : 'FUNCTION'} ${r.definer} FROM ${(f?.grantees ?? []).join(', ')};`
    })
    warnings.push(
      `SECURITY DEFINER: ${plural(reached.length, "routine of the target's")}, as ${reached.length === 1 ? 'it was' : 'they were'} before the load, that ${reached.length === 1 ? 'runs' : 'run'} with ${reached.length === 1 ? 'its' : 'their'} owner's rights and that roles other than ${reached.length === 1 ? 'its' : 'their'} owner may execute, ${reached.length === 1 ? 'calls' : 'call'} what the restore replaced or created: ${calls.join('; ')}${reached.length > shown ? `; and ${reached.length - shown} more` : ''}. Whoever may execute one now runs the backup's code with its owner's rights (found by the names and operators in its body, resolved by its search_path setting, or by what PostgreSQL records for a BEGIN ATOMIC body; not calls through dynamic SQL, nor deeper than one call; psql and pg_restore by hand replace them the same, without a word). Review what the restore replaced: if it should not run so, restore the target's own definition, or run: ${revokes.join(' ')}`
    )
  }
  return warnings
}

/**
 * The views and materialized views the load made (not among ProtectedSet.viewsBefore) that read a
 * table the target keeps with its rows (ProtectedSet.keptTables), directly or through other views,
 * and that roles other than their owner may read (table or column privileges): each with the
 * chain to the table (a view, its owner's rights: SELECT for them, as the owner). The net refuses
 * such a view over the tables it fingerprints; a provider's table with rows (Supabase's
 * auth.users) is kept without a fingerprint, so such a view over it passed without a word
 * (trial u55 F1): warned, not refused (an application's view over auth.users granted to
 * authenticated is made so; pg_restore by hand restores it silently). Not one that replaces the
 * target's own of the same name, definition and owner with no wider grants (clean over itself).
 */
export async function keptTablesViewsWarning(
  client: pg.Client,
  set: ProtectedSet | undefined
): Promise<string | undefined> {
  const kept = set?.keptTables ?? []
  if (set === undefined || kept.length === 0 || set.viewsBefore === undefined) return undefined
  // pg_get_viewdef and regclass qualify names by the search_path: as replacedViews were read
  const rows = await withCatalogSearchPath(client, async () =>
    client.query<{
      name: string
      kind: string
      definition: string
      owner: string
      acl: Array<[number, string, boolean]>
      grantees: string[]
      path: string[]
    }>(
      `WITH RECURSIVE chain(view, path) AS (
  SELECT r.ev_class, ARRAY[r.ev_class, d.refobjid]
    FROM pg_catalog.pg_rewrite r JOIN pg_catalog.pg_depend d ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND d.objid OPERATOR(pg_catalog.=) r.oid
    WHERE d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.oid[]) AND r.ev_class OPERATOR(pg_catalog.<>) d.refobjid
  UNION
  SELECT r.ev_class, r.ev_class OPERATOR(pg_catalog.||) c.path
    FROM chain c JOIN pg_catalog.pg_depend d ON d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid OPERATOR(pg_catalog.=) c.view
      AND d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass
    JOIN pg_catalog.pg_rewrite r ON r.oid OPERATOR(pg_catalog.=) d.objid
    WHERE NOT r.ev_class OPERATOR(pg_catalog.=) ANY (c.path))
SELECT DISTINCT ON (v.oid) pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(v.relname) AS name,
  v.relkind::pg_catalog.text AS kind, pg_catalog.md5(pg_catalog.pg_get_viewdef(v.oid)) AS definition, v.relowner::pg_catalog.int8 AS owner,
  COALESCE((SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_array(a.grantee::pg_catalog.int8, a.privilege_type, a.is_grantable))
    FROM pg_catalog.aclexplode(v.relacl) a WHERE a.grantee OPERATOR(pg_catalog.<>) v.relowner), '[]'::pg_catalog.jsonb) AS acl,
  ARRAY(SELECT DISTINCT CASE WHEN a.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(a.grantee)) END
    FROM (SELECT a.grantee FROM pg_catalog.aclexplode(v.relacl) a WHERE a.grantee OPERATOR(pg_catalog.<>) v.relowner
      UNION SELECT a.grantee FROM pg_catalog.pg_attribute t CROSS JOIN LATERAL pg_catalog.aclexplode(t.attacl) a
        WHERE t.attrelid OPERATOR(pg_catalog.=) v.oid AND t.attacl IS NOT NULL AND a.grantee OPERATOR(pg_catalog.<>) v.relowner) a ORDER BY 1) AS grantees,
  ARRAY(SELECT p::pg_catalog.regclass::pg_catalog.text FROM pg_catalog.unnest(c.path) WITH ORDINALITY u(p, i) ORDER BY u.i) AS path
FROM chain c JOIN pg_catalog.pg_class v ON v.oid OPERATOR(pg_catalog.=) c.view JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) v.relnamespace
WHERE v.relkind OPERATOR(pg_catalog.=) ANY ('{v,m}'::pg_catalog.char[]) AND NOT v.oid OPERATOR(pg_catalog.=) ANY ($2::pg_catalog.oid[])
  AND (EXISTS (SELECT FROM pg_catalog.aclexplode(v.relacl) a WHERE a.grantee OPERATOR(pg_catalog.<>) v.relowner)
    OR EXISTS (SELECT FROM pg_catalog.pg_attribute t CROSS JOIN LATERAL pg_catalog.aclexplode(t.attacl) a
      WHERE t.attrelid OPERATOR(pg_catalog.=) v.oid AND t.attacl IS NOT NULL AND a.grantee OPERATOR(pg_catalog.<>) v.relowner))
ORDER BY v.oid, pg_catalog.cardinality(c.path)`,
      [kept, set.viewsBefore]
    )
  ).then(r => r.rows)
  // the target's own as it was (clean over itself): same definition and owner, no wider grants
  const asBefore = (v: (typeof rows)[number]): boolean =>
    (set.replacedViews ?? []).some(
      r =>
        r.name === v.name &&
        r.kind === v.kind &&
        r.definition === v.definition &&
        r.owner === Number(v.owner) &&
        v.acl.every(([grantee, privilege, grantable]) =>
          r.acl.some(
            ([g, p, o]) => Number(g) === Number(grantee) && p === privilege && (o || !grantable)
          )
        )
    )
  const found = rows.filter(v => !asBefore(v)).sort((a, b) => a.name.localeCompare(b.name))
  if (found.length === 0) return undefined
  const shown = 10
  const few = fewNames
  const chain = (path: readonly string[]): string =>
    path.length <= 5 ? path.join(' → ') : `${path.slice(0, 3).join(' → ')} → … → ${path.at(-1)}`
  const items = found
    .slice(0, shown)
    .map(
      v =>
        `${v.kind === 'm' ? 'materialized view' : 'view'} ${v.name} (${chain(v.path)}; readable by ${few(v.grantees)})`
    )
  const revokes = found
    .slice(0, shown)
    .map(v => `REVOKE ALL ON TABLE ${v.name} FROM ${v.grantees.join(', ')};`)
  return `Views over the target's kept tables: the restore created ${plural(found.length, 'view')} that ${found.length === 1 ? 'reads' : 'read'} a table the target keeps with its rows (not the backup's) and that roles other than ${found.length === 1 ? 'its' : 'their'} owner may read: ${items.join('; ')}${found.length > shown ? `; and ${found.length - shown} more` : ''}. Whoever may read one reads those rows with its owner's rights, whatever privileges they have on the table (unless the view is security_invoker; pg_restore and psql by hand restore them the same, without a word). If that is not meant, run: ${revokes.join(' ')}`
}

/**
 * A regular expression (an SQL expression) for the identifier `name` (an SQL text expression) as
 * a body may write it: bare, or double-quoted (matched without regard to case: a bare one folds).
 */
const identPattern = (name: string): string =>
  String.raw`('(?:' OPERATOR(pg_catalog.||) pg_catalog.regexp_replace(${name}, '([.^$*+?()[\]{}|\\"-])', '\\\1', 'g')
    OPERATOR(pg_catalog.||) '|"' OPERATOR(pg_catalog.||) pg_catalog.regexp_replace(pg_catalog.replace(${name}, '"', '""'), '([.^$*+?()[\]{}|\\"-])', '\\\1', 'g') OPERATOR(pg_catalog.||) '")')`

/**
 * SQL: whether the body `body` names `schema`.`name` (text expressions), qualified, or bare where
 * the routine's search_path setting `path` (text, NULL: none) holds `schema` (any schema without
 * one; `$user`: its owner `owner`), followed by `follow` (a regular expression: '\s*\(' for a call).
 */
const namesIn = (
  body: string,
  schema: string,
  name: string,
  path: string,
  owner: string,
  follow = String.raw`($|[^[:alnum:]_$"])`,
  /**
   * SQL: whether the schema named by the text expression given has an object of that name: a
   * bare name counts for `schema` only where no schema before it in the path has one (attacker
   * a91 F6: search_path public, priv resolved `items` to the backup's public.items).
   */
  has?: (schema: string) => string
): string => {
  const resolved = (x: string): string =>
    `CASE WHEN pg_catalog.btrim(${x}) OPERATOR(pg_catalog.~) '^"' THEN pg_catalog.replace(pg_catalog.btrim(pg_catalog.btrim(${x}), '"'), '""', '"')
                   WHEN pg_catalog.lower(pg_catalog.btrim(${x})) OPERATOR(pg_catalog.=) '$user' THEN ${owner}
                   ELSE pg_catalog.lower(pg_catalog.btrim(${x})) END`
  const first = has
    ? ` AND NOT EXISTS (SELECT FROM pg_catalog.regexp_split_to_table(${path}, ',') WITH ORDINALITY f(x, i)
          WHERE f.i OPERATOR(pg_catalog.<) e.i AND ${has(resolved('f.x'))})`
    : ''
  return String.raw`(${body} OPERATOR(pg_catalog.~*) ('(^|[^[:alnum:]_$."])' OPERATOR(pg_catalog.||) ${identPattern(schema)} OPERATOR(pg_catalog.||) '\s*\.\s*' OPERATOR(pg_catalog.||) ${identPattern(name)} OPERATOR(pg_catalog.||) '${follow}')
    OR (${body} OPERATOR(pg_catalog.~*) ('(^|[^[:alnum:]_$."])' OPERATOR(pg_catalog.||) ${identPattern(name)} OPERATOR(pg_catalog.||) '${follow}')
      AND (${path} IS NULL OR EXISTS (SELECT FROM pg_catalog.regexp_split_to_table(${path}, ',') WITH ORDINALITY e(x, i)
        WHERE ${resolved('e.x')} OPERATOR(pg_catalog.=) ${schema}${first}))))`
}

/** SQL: the pg_proc row `alias` is one of ROW_READING_CATALOG_FUNCTIONS (by name and arguments). */
const rowReadingCatalogFunction = (alias: string): string =>
  `(${[...ROW_READING_CATALOG_FUNCTIONS]
    .map(
      ([name, f]) =>
        `(${alias}.proname OPERATOR(pg_catalog.=) '${name}'${f.args === undefined ? '' : ` AND ${alias}.pronargs OPERATOR(pg_catalog.=) ${f.args}`})`
    )
    .join(' OR ')})`

/**
 * SQL: a set of the function OIDs a stored query or expression (a pg_node_tree expression) calls:
 * its calls', operators' and aggregates' (the node tree's funcid, opfuncid, aggfnoid).
 */
const NODE_FUNCTIONS = (node: string): string =>
  String.raw`(pg_catalog.regexp_matches((${node})::pg_catalog.text, ':(?:funcid|opfuncid|aggfnoid) (\d+)', 'g'))[1]::pg_catalog.oid`

/**
 * A regular expression (an SQL literal's text): a body spelling a name so that the match of
 * names in bodies (namesIn) does not read it — a comment next to a qualified name's dot (a
 * block comment between `priv` and `.secrets`, or `priv.--…` with the name on the next line), a Unicode-escaped
 * identifier or string (`U&"\0073ecrets"`, UESCAPE): what it names cannot be told (attacker a91
 * F5), as for SQL built at run time.
 */
const OBSCURE_NAME = String.raw`\mu&["'']|\muescape\M|(\*/|--[^\n]*\n)\s*\.|\.\s*(/\*|--)`

/** A regular expression: a call of one of ROW_READING_CATALOG_FUNCTIONS in a body's text. */
const ROW_READING_CALL = String.raw`\m(${[...ROW_READING_CATALOG_FUNCTIONS.keys()].join('|')})"?\s*\(`

/**
 * A regular expression (an SQL literal's text) for a PL/pgSQL or SQL body's statement that writes
 * or sends what it is given somewhere (its first group: the keyword): INSERT, UPDATE (not FOR
 * [NO KEY] UPDATE), DELETE, MERGE, COPY, TRUNCATE, CREATE (… AS), REFRESH, NOTIFY, and calls of
 * pg_catalog's functions that do (WRITING_CATALOG_FUNCTIONS). A word in a comment or a string
 * counts too: what cannot be told counts as writing. An SQL body's SELECT … INTO (a new table)
 * is WRITING_SELECT_INTO; PL/pgSQL's SELECT … INTO sets variables.
 */
const WRITING_STATEMENT = String.raw`(?<!\mfor\s+(no\s+key\s+)?)\m(insert|update|delete|merge|copy|truncate|create|refresh|notify|pg_notify|set_config|setval|nextval|lo_from_bytea|lo_import|lo_export|lo_put|lo_create|lo_creat|lowrite)\M`

/** A regular expression: an SQL body's SELECT … INTO, which creates a table. */
const WRITING_SELECT_INTO = String.raw`\mselect\M[^;]*\minto\M`

/**
 * pg_catalog's functions that write or send what they are given where another role may read it
 * later: NOTIFY's payload, a setting later code reads, a sequence's value, a large object.
 */
const WRITING_CATALOG_FUNCTIONS = [
  'pg_notify',
  'set_config',
  'setval',
  // a sequence others may read moves: its last_value spells what was read (attacker a96 F4)
  'nextval',
  'lo_from_bytea',
  'lo_import',
  'lo_export',
  'lo_put',
  'lo_create',
  'lo_creat',
  'lowrite'
]

/**
 * What the load copies out of the tables `tables` (an oid[] expression: the kept or guarded ones)
 * into an object of the backup's that others may read, with no pg_depend edge between the two
 * (attacker a90 F1, F2): a materialized view the load made (`made`, SQL over its pg_class row's
 * alias) and filled, granted to roles other than its owner (on it or a column; not `trusted`), and
 * a STORED generated column of a table the load made that holds rows (`holds`), granted so (the
 * table or that column), and a column DEFAULT of such a table (kind 'f': COPY and INSERT compute
 * it for each row that leaves the column out; attacker a93 F2). PostgreSQL fills the one and computes the other as the role that ran the
 * statement (the restoring one), through any function, SECURITY INVOKER or not. Followed: the
 * functions its query or expression calls (an operator's, an aggregate's support functions'), and
 * those of the views (and materialized views) its query reads; then, call by call to any depth, the
 * functions named in such a function's body (resolved by its search_path setting, any schema
 * without one) or, for a BEGIN ATOMIC body, those PostgreSQL records. A function reads a kept
 * table where its body names it or a view over it (as above; a BEGIN ATOMIC one: its recorded
 * dependencies), or what it reads cannot be told: pg_catalog's ROW_READING_CATALOG_FUNCTIONS,
 * an SQL or PL/pgSQL body that calls one or EXECUTEs (SQL built at run time), any other language
 * (not an extension's own C functions, but dblink's). Not pg_catalog's or information_schema's
 * other functions; not one whose body names only the backup's own tables.
 * And what runs the backup's functions for each row the load writes into a table it made that
 * holds rows, whatever they return, with the restoring role's rights (attacker a91 F1): its CHECK
 * constraints (kind 'c'; COPY evaluates them), the CHECK constraints of the domains its columns
 * are of (kind 'd'; through a domain over one, an array, a composite or range type of one) and
 * its indexes' expressions and predicates (kind 'i'; CREATE INDEX evaluates them over every row);
 * not an exclusion constraint's or an index's operator classes. These are named where the
 * function chain (the functions followed as above) reads a kept table or what it reads cannot be
 * told, and also writes or sends (WRITING_STATEMENT, WRITING_CATALOG_FUNCTIONS; a BEGIN ATOMIC
 * body's INSERT, UPDATE, DELETE or MERGE) or runs what cannot be told: what it wrote can be
 * anywhere. A CHECK that only reads a kept table (user_exists(user_id) over auth.users) is not.
 * What PostgreSQL runs with no name in a body (attacker a92 F1: a PL/pgSQL function hands each
 * row it read to a user-defined operator, a cast or a variable of a domain whose function
 * INSERTs it) cannot be told from a body's text: the functions of the backup's operators (and
 * their estimators), casts, domains' CHECK constraints, types (input, output, binary, typmod,
 * analyze) and range types (subtype_diff, canonical), not pg_catalog's or an extension's
 * members', and what they call, count as run by a chain, of every kind (their reads its
 * reads, their writes its writes; via and writes name the operator, cast, domain or type),
 * where one of its functions can run them (builder b26; b23 counted each as run by every chain,
 * so the target's one operator that EXECUTEs had the net refuse every CHECK over a kept table):
 * an operator's where a body's text holds its name, or the name is one a keyword stands for (=
 * for IN, CASE, NULLIF, IS DISTINCT FROM; <= >= < > for BETWEEN; ~~ ~~* ~ for LIKE, ILIKE,
 * SIMILAR TO; <> for !=); the others' where a function has a value of their types to hand (an
 * argument or its result of a type holding one: the domains over it, its arrays, the relations
 * with a column of it, the ranges over it; or a body naming such a type or relation); for a
 * BEGIN ATOMIC body (and arguments' DEFAULTs) what PostgreSQL records. A cast between
 * pg_catalog's types counts as run by every chain. An application's own that neither read a
 * kept table nor write change nothing.
 * Rows: obj (oid: the relation), kind ('m', 's', 'f', 'c', 'd' or 'i'), col (the generated column or the DEFAULT's; for
 * 'c', 'd', 'i' a key of the constraint or index), fn (the function called, a regprocedure), via
 * (the function named in its body that reads, or NULL), kept (the kept table, or NULL) and how
 * (what cannot be told, or NULL), grantees (who may read it, quoted; none for 'c', 'd', 'i'),
 * what and undo (for 'c', 'd', 'i': the constraint or index, named, and the statement that drops
 * it) and writes (for 'c', 'd', 'i': the function of the chain that writes and how, or NULL where
 * what it runs cannot be told).
 * Run with search_path pg_catalog, pg_temp.
 */
const copiedRowsQuery = (o: {
  /** server_version_num of the server it runs on. */
  version: number
  tables: string
  made: (alias: string) => string
  holds: (alias: string) => string
  trusted?: (alias: string) => string
}): string => {
  const table = (t: string): string =>
    `${t}.relkind OPERATOR(pg_catalog.=) ANY ('{r,p}'::pg_catalog.char[]) AND ${o.made(t)} AND ${o.holds(t)}`
  // others read it where it is granted to them, or where its owner is another role than the
  // restoring one (attacker a97 F2: ALTER TABLE … OWNER TO anon, no GRANT: anon read the copy)
  const ownedByOther = (rel: string): string =>
    `${rel}.relowner OPERATOR(pg_catalog.<>) (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER)`
  const granted = (rel: string, col?: string): string =>
    `(${ownedByOther(rel)} OR EXISTS (SELECT FROM exposed x WHERE x.rel OPERATOR(pg_catalog.=) ${rel}.oid)
      OR EXISTS (SELECT FROM pg_catalog.aclexplode(${rel}.relacl) a WHERE a.grantee OPERATOR(pg_catalog.<>) ${rel}.relowner)
      OR EXISTS (SELECT FROM pg_catalog.pg_attribute t CROSS JOIN LATERAL pg_catalog.aclexplode(t.attacl) a
        WHERE t.attrelid OPERATOR(pg_catalog.=) ${rel}.oid AND t.attacl IS NOT NULL AND a.grantee OPERATOR(pg_catalog.<>) ${rel}.relowner${col === undefined ? '' : ` AND t.attnum OPERATOR(pg_catalog.=) ${col}`}))`
  // who may read it: its grantees, quoted, 'OWNER <role>' for its owner where another role, and
  // 'THROUGH ["<view or parent>", "<role>"]' for a role granted what reads it
  const grantees = (rel: string, col?: string): string =>
    `ARRAY(SELECT g FROM (SELECT DISTINCT CASE WHEN a.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(a.grantee)) END AS g
      FROM (SELECT a.grantee FROM pg_catalog.aclexplode(${rel}.relacl) a WHERE a.grantee OPERATOR(pg_catalog.<>) ${rel}.relowner
        UNION SELECT a.grantee FROM pg_catalog.pg_attribute t CROSS JOIN LATERAL pg_catalog.aclexplode(t.attacl) a
          WHERE t.attrelid OPERATOR(pg_catalog.=) ${rel}.oid AND t.attacl IS NOT NULL AND a.grantee OPERATOR(pg_catalog.<>) ${rel}.relowner${col === undefined ? '' : ` AND t.attnum OPERATOR(pg_catalog.=) ${col}`}) a
      UNION SELECT 'OWNER ' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(${rel}.relowner)) WHERE ${ownedByOther(rel)}
      UNION SELECT 'THROUGH ' OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_array(x.via::pg_catalog.regclass::pg_catalog.text,
          CASE WHEN x.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(x.grantee)) END)::pg_catalog.text
        FROM exposed x WHERE x.rel OPERATOR(pg_catalog.=) ${rel}.oid) x ORDER BY 1)`
  const path = (p: string): string =>
    `(SELECT pg_catalog.substr(c.s, 13) FROM pg_catalog.unnest(${p}.proconfig) c(s) WHERE pg_catalog.starts_with(c.s, 'search_path=') LIMIT 1)`
  const notCatalog = (n: string): string =>
    `${n}.nspname OPERATOR(pg_catalog.<>) ALL ('{pg_catalog,information_schema}'::pg_catalog.name[])`
  const readable = (l: string): string =>
    `${l}.lanname OPERATOR(pg_catalog.=) ANY ('{sql,plpgsql}'::pg_catalog.name[])`
  // the rules (pg_rewrite) of the views and materialized views the function `p` (a pg_proc
  // alias; `l` its language) reads, and of the views those read, to any depth: those its body
  // names (its text holds the name; a BEGIN ATOMIC one: what PostgreSQL records). What they run
  // — functions, operators — runs when the function reads them (attacker a95 F5, F9: a CHECK's
  // function read a view whose query called a function, an operator, an aggregate that writes)
  const viewRules = (p: string, l: string): string => String.raw`WITH RECURSIVE vr(rule) AS (
      SELECT r.oid FROM pg_catalog.pg_class v JOIN pg_catalog.pg_namespace vn ON vn.oid OPERATOR(pg_catalog.=) v.relnamespace
        JOIN pg_catalog.pg_rewrite r ON r.ev_class OPERATOR(pg_catalog.=) v.oid
       WHERE v.relkind OPERATOR(pg_catalog.=) ANY ('{v,m}'::pg_catalog.char[]) AND ${notCatalog('vn')}
         AND ((${sqlBody(p, o.version)} IS NULL AND ${readable(l)}
             AND pg_catalog.strpos(pg_catalog.lower(${p}.prosrc), pg_catalog.lower(v.relname::pg_catalog.text)) OPERATOR(pg_catalog.>) 0)
           OR EXISTS (SELECT FROM pg_catalog.pg_depend vd WHERE vd.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
             AND vd.objid OPERATOR(pg_catalog.=) ${p}.oid AND vd.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
             AND vd.refobjid OPERATOR(pg_catalog.=) v.oid))
      UNION
      SELECT r2.oid FROM vr JOIN pg_catalog.pg_depend d2 ON d2.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass
          AND d2.objid OPERATOR(pg_catalog.=) vr.rule AND d2.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
        JOIN pg_catalog.pg_class v2 ON v2.oid OPERATOR(pg_catalog.=) d2.refobjid AND v2.relkind OPERATOR(pg_catalog.=) ANY ('{v,m}'::pg_catalog.char[])
        JOIN pg_catalog.pg_rewrite r2 ON r2.ev_class OPERATOR(pg_catalog.=) v2.oid
    ) SELECT vr.rule FROM vr`
  // the functions the function `f` (an oid expression) calls, an array: for a BEGIN ATOMIC body
  // those PostgreSQL records; for an SQL or PL/pgSQL one those its body names (namesIn, resolved
  // by its search_path setting), looked up by the words of the body (a bare name is one: the
  // index on pg_proc's names finds it) and, for the few names no word can be (odd), by position
  const named = (g: string, gn: string): string =>
    namesIn(
      'p.prosrc',
      `${gn}.nspname::pg_catalog.text`,
      `${g}.proname::pg_catalog.text`,
      path('p'),
      'pg_catalog.pg_get_userbyid(p.proowner)::pg_catalog.text',
      String.raw`"?\s*\(`,
      x => `EXISTS (SELECT FROM pg_catalog.pg_proc hp JOIN pg_catalog.pg_namespace hn ON hn.oid OPERATOR(pg_catalog.=) hp.pronamespace
           WHERE hn.nspname OPERATOR(pg_catalog.=) ${x} AND hp.proname OPERATOR(pg_catalog.=) ${g}.proname)`
    )
  const callees = (f: string): string => String.raw`(SELECT ARRAY(
      SELECT d.refobjid FROM pg_catalog.pg_depend d WHERE ${sqlBody('p', o.version)} IS NOT NULL
         AND d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objid OPERATOR(pg_catalog.=) p.oid
         AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.refobjid OPERATOR(pg_catalog.<>) p.oid
      UNION SELECT g.oid FROM pg_catalog.pg_proc g WHERE ${sqlBody('p', o.version)} IS NOT NULL AND g.oid OPERATOR(pg_catalog.<>) p.oid
         AND g.oid OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT ${NODE_FUNCTIONS(sqlBody('p', o.version))}))
      UNION SELECT g.oid FROM pg_catalog.pg_proc g JOIN pg_catalog.pg_namespace gn ON gn.oid OPERATOR(pg_catalog.=) g.pronamespace
       WHERE ${sqlBody('p', o.version)} IS NULL AND ${readable('l')}
         AND g.proname OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT DISTINCT w.w::pg_catalog.name FROM pg_catalog.regexp_split_to_table(pg_catalog.translate(p.prosrc,
           'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '[^a-z0-9_$]+') w(w)))
         AND g.oid OPERATOR(pg_catalog.<>) p.oid AND ${notCatalog('gn')} AND ${named('g', 'gn')}
      UNION SELECT g.oid FROM odd g
       WHERE ${sqlBody('p', o.version)} IS NULL AND ${readable('l')} AND g.oid OPERATOR(pg_catalog.<>) p.oid
         AND pg_catalog.strpos(pg_catalog.lower(p.prosrc), pg_catalog.lower(g.proname)) OPERATOR(pg_catalog.>) 0 AND ${named('g', 'g')}
      -- an aggregate runs its support functions (attacker a93's c4: a transition function that
      -- writes; LANGUAGE internal's aggregate_dummy tells nothing of them)
      UNION SELECT s.fn FROM pg_catalog.pg_aggregate ag CROSS JOIN LATERAL pg_catalog.unnest(ARRAY[ag.aggtransfn::pg_catalog.oid,
          ag.aggfinalfn::pg_catalog.oid, ag.aggcombinefn::pg_catalog.oid, ag.aggserialfn::pg_catalog.oid, ag.aggdeserialfn::pg_catalog.oid,
          ag.aggmtransfn::pg_catalog.oid, ag.aggminvtransfn::pg_catalog.oid, ag.aggmfinalfn::pg_catalog.oid]) s(fn)
       WHERE ag.aggfnoid OPERATOR(pg_catalog.=) p.oid AND s.fn OPERATOR(pg_catalog.<>) 0
      -- and those the views it reads call (an aggregate's: through its support functions above)
      UNION SELECT vd.refobjid FROM pg_catalog.pg_depend vd
       WHERE vd.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass
         AND vd.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass AND vd.refobjid OPERATOR(pg_catalog.<>) p.oid
         AND vd.objid OPERATOR(pg_catalog.=) ANY (ARRAY(${viewRules('p', 'l')})))
    FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_language l ON l.oid OPERATOR(pg_catalog.=) p.prolang
   WHERE p.oid OPERATOR(pg_catalog.=) ${f})`
  return String.raw`WITH RECURSIVE reader(rel, kept) AS (
  SELECT t, t FROM pg_catalog.unnest(${o.tables}) t
  UNION
  SELECT r.ev_class, x.kept FROM reader x
    JOIN pg_catalog.pg_depend d ON d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid OPERATOR(pg_catalog.=) x.rel
      AND d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass
    JOIN pg_catalog.pg_rewrite r ON r.oid OPERATOR(pg_catalog.=) d.objid
   WHERE r.ev_class OPERATOR(pg_catalog.<>) x.rel
), readers AS (
  SELECT DISTINCT ON (x.rel) x.rel, x.kept, n.nspname::pg_catalog.text AS schema, c.relname::pg_catalog.text AS name
    FROM reader x JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) x.rel JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
   ORDER BY x.rel, x.rel OPERATOR(pg_catalog.=) x.kept DESC, x.kept
), above(rel, via) AS (
  -- the relations the load made, and what reads each: the views over it and its parents
  -- (inheritance, partitioning), to any depth; a role granted one of those reads its rows
  -- (attacker a99 F4: a view over the copy's table, its parent, granted to anon)
  SELECT c.oid, c.oid FROM pg_catalog.pg_class c
   WHERE c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p,m}'::pg_catalog.char[]) AND ${o.made('c')}
  UNION
  SELECT x.rel, e.dst FROM above x JOIN (
      SELECT d.refobjid AS src, r.ev_class AS dst FROM pg_catalog.pg_depend d
        JOIN pg_catalog.pg_rewrite r ON r.oid OPERATOR(pg_catalog.=) d.objid
       WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass
         AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass AND r.ev_class OPERATOR(pg_catalog.<>) d.refobjid
      UNION ALL SELECT i.inhrelid, i.inhparent FROM pg_catalog.pg_inherits i) e ON e.src OPERATOR(pg_catalog.=) x.via
), exposed(rel, via, grantee) AS (
  SELECT DISTINCT x.rel, x.via, a.grantee FROM above x JOIN pg_catalog.pg_class vc ON vc.oid OPERATOR(pg_catalog.=) x.via
    CROSS JOIN LATERAL pg_catalog.aclexplode(vc.relacl) a
   WHERE x.via OPERATOR(pg_catalog.<>) x.rel AND a.grantee OPERATOR(pg_catalog.<>) vc.relowner
), domains(rel, att, typ, seen) AS (
  -- the types of the columns of the tables the load made, and the types they are made of: the
  -- CHECK constraints of the domains among them run for each row written
  SELECT ct.oid, a.attname::pg_catalog.text, a.atttypid, ARRAY[a.atttypid]
    FROM pg_catalog.pg_class ct JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) ct.oid AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
   WHERE ${table('ct')}
  UNION ALL
  SELECT d.rel, d.att, s.typ, d.seen OPERATOR(pg_catalog.||) s.typ FROM domains d
    JOIN pg_catalog.pg_type t ON t.oid OPERATOR(pg_catalog.=) d.typ
    CROSS JOIN LATERAL (
      SELECT t.typbasetype AS typ WHERE t.typtype OPERATOR(pg_catalog.=) 'd'
      UNION ALL SELECT t.typelem WHERE t.typelem OPERATOR(pg_catalog.<>) 0 AND t.typlen OPERATOR(pg_catalog.=) -1
      UNION ALL SELECT ca.atttypid FROM pg_catalog.pg_attribute ca
        WHERE t.typtype OPERATOR(pg_catalog.=) 'c' AND ca.attrelid OPERATOR(pg_catalog.=) t.typrelid AND ca.attnum OPERATOR(pg_catalog.>) 0 AND NOT ca.attisdropped
      UNION ALL SELECT rg.rngsubtype FROM pg_catalog.pg_range rg
        WHERE t.typtype OPERATOR(pg_catalog.=) 'r' AND rg.rngtypid OPERATOR(pg_catalog.=) t.oid${
          o.version >= 140000
            ? `
      UNION ALL SELECT rg.rngsubtype FROM pg_catalog.pg_range rg
        WHERE t.typtype OPERATOR(pg_catalog.=) 'm' AND rg.rngmultitypid OPERATOR(pg_catalog.=) t.oid`
            : ''
        }
    ) s
   WHERE NOT s.typ OPERATOR(pg_catalog.=) ANY (d.seen)
), copies(obj, kind, col, cls, eoid, grantees, what, undo) AS (
  SELECT m.oid, 'm'::pg_catalog.text, NULL::pg_catalog.text, 'pg_catalog.pg_rewrite'::pg_catalog.regclass::pg_catalog.oid, r.oid, ${grantees('m')}, NULL::pg_catalog.text, NULL::pg_catalog.text
    FROM pg_catalog.pg_class m JOIN pg_catalog.pg_rewrite r ON r.ev_class OPERATOR(pg_catalog.=) m.oid
   WHERE m.relkind OPERATOR(pg_catalog.=) 'm' AND m.relispopulated AND ${o.made('m')} AND ${granted('m')}${o.trusted ? ` AND NOT ${o.trusted('m')}` : ''}
  UNION ALL
  -- one no other role may read, whose query's function reads a kept table and writes or sends
  -- elsewhere as REFRESH fills it (pg_dump writes REFRESH after the data: attacker a96 F1)
  SELECT m.oid, 'n', NULL, 'pg_catalog.pg_rewrite'::pg_catalog.regclass::pg_catalog.oid, r.oid, '{}'::pg_catalog.text[],
      pg_catalog.format('materialized view %s', m.oid::pg_catalog.regclass),
      pg_catalog.format('DROP MATERIALIZED VIEW %s;', m.oid::pg_catalog.regclass)
    FROM pg_catalog.pg_class m JOIN pg_catalog.pg_rewrite r ON r.ev_class OPERATOR(pg_catalog.=) m.oid
   WHERE m.relkind OPERATOR(pg_catalog.=) 'm' AND m.relispopulated AND ${o.made('m')} AND NOT ${granted('m')}
  UNION ALL
  SELECT gt.oid, 's', ga.attname::pg_catalog.text, 'pg_catalog.pg_attrdef'::pg_catalog.regclass::pg_catalog.oid, ad.oid, ${grantees('gt', 'ga.attnum')}, NULL, NULL
    FROM pg_catalog.pg_class gt JOIN pg_catalog.pg_attribute ga ON ga.attrelid OPERATOR(pg_catalog.=) gt.oid
    JOIN pg_catalog.pg_attrdef ad ON ad.adrelid OPERATOR(pg_catalog.=) gt.oid AND ad.adnum OPERATOR(pg_catalog.=) ga.attnum
   WHERE ga.attgenerated OPERATOR(pg_catalog.=) 's' AND NOT ga.attisdropped AND gt.relkind OPERATOR(pg_catalog.=) ANY ('{r,p}'::pg_catalog.char[])
     AND ${o.made('gt')} AND ${granted('gt', 'ga.attnum')} AND ${o.holds('gt')}
  UNION ALL
  -- a column DEFAULT of a table the load made: COPY and INSERT compute it, as the restoring role,
  -- for each row that leaves the column out, and store it where others read (attacker a93 F2)
  SELECT ft.oid, 'f', fa.attname::pg_catalog.text, 'pg_catalog.pg_attrdef'::pg_catalog.regclass::pg_catalog.oid, fd.oid, ${grantees('ft', 'fa.attnum')}, NULL, NULL
    FROM pg_catalog.pg_class ft JOIN pg_catalog.pg_attribute fa ON fa.attrelid OPERATOR(pg_catalog.=) ft.oid
    JOIN pg_catalog.pg_attrdef fd ON fd.adrelid OPERATOR(pg_catalog.=) ft.oid AND fd.adnum OPERATOR(pg_catalog.=) fa.attnum
   WHERE fa.attgenerated OPERATOR(pg_catalog.=) '' AND NOT fa.attisdropped AND ft.relkind OPERATOR(pg_catalog.=) ANY ('{r,p}'::pg_catalog.char[])
     AND ${o.made('ft')} AND ${granted('ft', 'fa.attnum')} AND ${o.holds('ft')}
  UNION ALL
  -- and one no other role may read, whose function reads a kept table and writes or sends it
  -- elsewhere, as a CHECK's may (kind 'e'; attacker a95 F10)
  SELECT et.oid, 'e', ea.attname::pg_catalog.text, 'pg_catalog.pg_attrdef'::pg_catalog.regclass::pg_catalog.oid, ed.oid, '{}'::pg_catalog.text[],
      pg_catalog.format('DEFAULT of column %I of %s', ea.attname, et.oid::pg_catalog.regclass),
      pg_catalog.format('ALTER TABLE %s ALTER COLUMN %I DROP DEFAULT;', et.oid::pg_catalog.regclass, ea.attname)
    FROM pg_catalog.pg_class et JOIN pg_catalog.pg_attribute ea ON ea.attrelid OPERATOR(pg_catalog.=) et.oid
    JOIN pg_catalog.pg_attrdef ed ON ed.adrelid OPERATOR(pg_catalog.=) et.oid AND ed.adnum OPERATOR(pg_catalog.=) ea.attnum
   WHERE ea.attgenerated OPERATOR(pg_catalog.=) '' AND NOT ea.attisdropped AND ${table('et')} AND NOT ${granted('et', 'ea.attnum')}
  UNION ALL
  -- a CHECK constraint of a table the load made: COPY evaluates it for each row (attacker a91 F1)
  SELECT ct.oid, 'c', cc.oid::pg_catalog.text, 'pg_catalog.pg_constraint'::pg_catalog.regclass::pg_catalog.oid, cc.oid, '{}'::pg_catalog.text[],
      pg_catalog.format('CHECK constraint %I of %s', cc.conname, ct.oid::pg_catalog.regclass),
      pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT %I;', ct.oid::pg_catalog.regclass, cc.conname)
    FROM pg_catalog.pg_class ct JOIN pg_catalog.pg_constraint cc ON cc.conrelid OPERATOR(pg_catalog.=) ct.oid AND cc.contype OPERATOR(pg_catalog.=) 'c'
   WHERE ${table('ct')}
  UNION ALL
  -- a CHECK constraint of a domain a column of it is of: likewise
  SELECT DISTINCT ON (d.rel, dc.oid) d.rel, 'd', dc.oid::pg_catalog.text, 'pg_catalog.pg_constraint'::pg_catalog.regclass::pg_catalog.oid, dc.oid, '{}'::pg_catalog.text[],
      pg_catalog.format('CHECK constraint %I of the domain %s (column %I of %s)', dc.conname, dt.oid::pg_catalog.regtype, d.att, d.rel::pg_catalog.regclass),
      pg_catalog.format('ALTER DOMAIN %s DROP CONSTRAINT %I;', dt.oid::pg_catalog.regtype, dc.conname)
    FROM domains d JOIN pg_catalog.pg_type dt ON dt.oid OPERATOR(pg_catalog.=) d.typ AND dt.typtype OPERATOR(pg_catalog.=) 'd'
    JOIN pg_catalog.pg_constraint dc ON dc.contypid OPERATOR(pg_catalog.=) dt.oid AND dc.contype OPERATOR(pg_catalog.=) 'c'
  UNION ALL
  -- an index's expressions and predicate: CREATE INDEX evaluates them over every row
  SELECT ct.oid, 'i', ix.indexrelid::pg_catalog.text, 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid, ix.indexrelid, '{}'::pg_catalog.text[],
      pg_catalog.format('index %s of %s', ix.indexrelid::pg_catalog.regclass, ct.oid::pg_catalog.regclass),
      pg_catalog.format('DROP INDEX %s;', ix.indexrelid::pg_catalog.regclass)
    FROM pg_catalog.pg_class ct JOIN pg_catalog.pg_index ix ON ix.indrelid OPERATOR(pg_catalog.=) ct.oid
   WHERE (ix.indexprs IS NOT NULL OR ix.indpred IS NOT NULL) AND ${table('ct')}
), expr(obj, kind, col, cls, eoid, seen) AS (
  SELECT c.obj, c.kind, c.col, c.cls, c.eoid, ARRAY[c.obj] FROM copies c
  UNION ALL
  -- the views its query reads, in turn: their functions run as it is filled
  SELECT e.obj, e.kind, e.col, 'pg_catalog.pg_rewrite'::pg_catalog.regclass::pg_catalog.oid, r.oid, e.seen OPERATOR(pg_catalog.||) v.oid
    FROM expr e JOIN pg_catalog.pg_depend d ON e.cls OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass
      AND d.classid OPERATOR(pg_catalog.=) e.cls AND d.objid OPERATOR(pg_catalog.=) e.eoid
      AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
    JOIN pg_catalog.pg_class v ON v.oid OPERATOR(pg_catalog.=) d.refobjid AND v.relkind OPERATOR(pg_catalog.=) ANY ('{v,m}'::pg_catalog.char[])
    JOIN pg_catalog.pg_rewrite r ON r.ev_class OPERATOR(pg_catalog.=) v.oid
   WHERE NOT v.oid OPERATOR(pg_catalog.=) ANY (e.seen)
), called(obj, kind, col, fn) AS (
  SELECT DISTINCT e.obj, e.kind, e.col, f.fn FROM expr e
    JOIN pg_catalog.pg_depend d ON d.classid OPERATOR(pg_catalog.=) e.cls AND d.objid OPERATOR(pg_catalog.=) e.eoid
    CROSS JOIN LATERAL (
      SELECT d.refobjid AS fn WHERE d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
      UNION ALL SELECT op.oprcode::pg_catalog.oid FROM pg_catalog.pg_operator op
        WHERE d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_operator'::pg_catalog.regclass AND op.oid OPERATOR(pg_catalog.=) d.refobjid
      UNION ALL SELECT s.fn FROM pg_catalog.pg_aggregate g CROSS JOIN LATERAL pg_catalog.unnest(ARRAY[g.aggtransfn::pg_catalog.oid, g.aggfinalfn::pg_catalog.oid, g.aggcombinefn::pg_catalog.oid]) s(fn)
        WHERE d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass AND g.aggfnoid OPERATOR(pg_catalog.=) d.refobjid AND s.fn OPERATOR(pg_catalog.<>) 0
    ) f
  UNION
  -- pg_catalog's functions: PostgreSQL records no dependency on them (pinned), so read from the
  -- stored query or expression itself (a call's, an operator's, an aggregate's function OID)
  SELECT e.obj, e.kind, e.col, ${NODE_FUNCTIONS(
    `CASE WHEN e.cls OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass
      THEN (SELECT r.ev_action::pg_catalog.text FROM pg_catalog.pg_rewrite r WHERE r.oid OPERATOR(pg_catalog.=) e.eoid)
      WHEN e.cls OPERATOR(pg_catalog.=) 'pg_catalog.pg_constraint'::pg_catalog.regclass
      THEN (SELECT k.conbin::pg_catalog.text FROM pg_catalog.pg_constraint k WHERE k.oid OPERATOR(pg_catalog.=) e.eoid)
      WHEN e.cls OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
      THEN (SELECT pg_catalog.concat_ws(' ', ix.indexprs::pg_catalog.text, ix.indpred::pg_catalog.text) FROM pg_catalog.pg_index ix WHERE ix.indexrelid OPERATOR(pg_catalog.=) e.eoid)
      ELSE (SELECT ad.adbin::pg_catalog.text FROM pg_catalog.pg_attrdef ad WHERE ad.oid OPERATOR(pg_catalog.=) e.eoid) END`
  )} FROM expr e
), uroute(fn, route, opr, typs) AS MATERIALIZED (
  -- the functions PostgreSQL runs without a body naming them (attacker a92 F1): an operator's
  -- (and its estimators), a cast's, a domain's CHECK constraints' (for a variable, an argument,
  -- a result or a column of the domain), a type's input, output, binary, typmod and analyze
  -- functions, a range type's subtype_diff and canonical ones; only the backup's (not
  -- pg_catalog's or information_schema's, not an extension's members). With what runs them:
  -- the operator (opr), or the types whose values they convert or check (typs: of a cast's two,
  -- those not pg_catalog's; none: run by every chain)
  SELECT s.fn, s.route, s.opr, ARRAY(SELECT x.t FROM pg_catalog.unnest(s.typs) x(t) JOIN pg_catalog.pg_type xt ON xt.oid OPERATOR(pg_catalog.=) x.t
      JOIN pg_catalog.pg_namespace xn ON xn.oid OPERATOR(pg_catalog.=) xt.typnamespace WHERE ${notCatalog('xn')}) FROM (
    SELECT op.oprcode::pg_catalog.oid AS fn, pg_catalog.format('the operator %s', op.oid::pg_catalog.regoperator) AS route, op.oid AS opr, NULL::pg_catalog.oid[] AS typs FROM pg_catalog.pg_operator op
    UNION ALL SELECT op.oprrest::pg_catalog.oid, pg_catalog.format('the operator %s (its restriction estimator)', op.oid::pg_catalog.regoperator), op.oid, NULL FROM pg_catalog.pg_operator op
    UNION ALL SELECT op.oprjoin::pg_catalog.oid, pg_catalog.format('the operator %s (its join estimator)', op.oid::pg_catalog.regoperator), op.oid, NULL FROM pg_catalog.pg_operator op
    UNION ALL SELECT ca.castfunc, pg_catalog.format('the cast from %s to %s', ca.castsource::pg_catalog.regtype, ca.casttarget::pg_catalog.regtype), NULL, ARRAY[ca.castsource, ca.casttarget] FROM pg_catalog.pg_cast ca
    UNION ALL SELECT f.fn, pg_catalog.format('the CHECK constraint %I of the domain %s', k.conname, k.contypid::pg_catalog.regtype), NULL, ARRAY[k.contypid]
      FROM pg_catalog.pg_constraint k CROSS JOIN LATERAL (SELECT ${NODE_FUNCTIONS('k.conbin')} AS fn) f
     WHERE k.contypid OPERATOR(pg_catalog.<>) 0 AND k.contype OPERATOR(pg_catalog.=) 'c'
    UNION ALL SELECT f.fn, pg_catalog.format('the type %s (its %s function)', t.oid::pg_catalog.regtype, f.what), NULL, ARRAY[t.oid]
      FROM pg_catalog.pg_type t CROSS JOIN LATERAL (VALUES (t.typinput::pg_catalog.oid, 'input'), (t.typoutput::pg_catalog.oid, 'output'),
        (t.typreceive::pg_catalog.oid, 'receive'), (t.typsend::pg_catalog.oid, 'send'), (t.typmodin::pg_catalog.oid, 'typmod_in'),
        (t.typmodout::pg_catalog.oid, 'typmod_out'), (t.typanalyze::pg_catalog.oid, 'analyze')) f(fn, what)
    UNION ALL SELECT f.fn, pg_catalog.format('the range type %s (its %s function)', rg.rngtypid::pg_catalog.regtype, f.what), NULL, ARRAY[rg.rngtypid]
      FROM pg_catalog.pg_range rg CROSS JOIN LATERAL (VALUES (rg.rngsubdiff::pg_catalog.oid, 'subtype_diff'), (rg.rngcanonical::pg_catalog.oid, 'canonical')) f(fn, what)
  ) s JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) s.fn
    JOIN pg_catalog.pg_namespace pn ON pn.oid OPERATOR(pg_catalog.=) p.pronamespace
   WHERE ${notCatalog('pn')}
     AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend e WHERE e.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
       AND e.objid OPERATOR(pg_catalog.=) p.oid AND e.deptype OPERATOR(pg_catalog.=) 'e')
), unnamed(fn, route) AS (
  SELECT DISTINCT ON (r.fn) r.fn, r.route FROM uroute r ORDER BY r.fn, r.route
), uop(fn, opr, oprname) AS MATERIALIZED (
  -- by the names a body can run it by: its own, and those of the operators whose negator or
  -- commutator it is (the planner runs it for NOT (a @@@ b) or b @@@ a: attacker a95 F6)
  SELECT r.fn, r.opr, n.oprname FROM uroute r JOIN pg_catalog.pg_operator op ON op.oid OPERATOR(pg_catalog.=) r.opr
    CROSS JOIN LATERAL (SELECT op.oprname UNION SELECT y.oprname FROM pg_catalog.pg_operator y
      WHERE y.oprnegate OPERATOR(pg_catalog.=) op.oid OR y.oprcom OPERATOR(pg_catalog.=) op.oid) n(oprname)
), utyp(fn, typs) AS MATERIALIZED (
  SELECT DISTINCT r.fn, r.typs FROM uroute r WHERE r.opr IS NULL
), holder(fn, typ) AS (
  -- the types whose values are (or hold) values of a route's types: the route's, the domains
  -- over them, their arrays, the row types of the relations (tables, views, composite types)
  -- with a column of them, the range types over them; a function that has such a value to hand
  -- names one of them, or has one in its arguments or result (or reads a relation so named)
  SELECT r.fn, x.t FROM utyp r CROSS JOIN LATERAL pg_catalog.unnest(r.typs) x(t)
  UNION
  SELECT h.fn, s.typ FROM holder h CROSS JOIN LATERAL (
    SELECT d.oid AS typ FROM pg_catalog.pg_type d WHERE d.typtype OPERATOR(pg_catalog.=) 'd' AND d.typbasetype OPERATOR(pg_catalog.=) h.typ
    UNION ALL SELECT a.typarray FROM pg_catalog.pg_type a WHERE a.oid OPERATOR(pg_catalog.=) h.typ AND a.typarray OPERATOR(pg_catalog.<>) 0
    UNION ALL SELECT c.reltype FROM pg_catalog.pg_attribute ha JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) ha.attrelid
     WHERE ha.atttypid OPERATOR(pg_catalog.=) h.typ AND ha.attnum OPERATOR(pg_catalog.>) 0 AND NOT ha.attisdropped AND c.reltype OPERATOR(pg_catalog.<>) 0
    UNION ALL SELECT rg.rngtypid FROM pg_catalog.pg_range rg WHERE rg.rngsubtype OPERATOR(pg_catalog.=) h.typ${
      o.version >= 140000
        ? `
    UNION ALL SELECT rg.rngmultitypid FROM pg_catalog.pg_range rg WHERE rg.rngsubtype OPERATOR(pg_catalog.=) h.typ`
        : ''
    }
  ) s
), odd(oid, proname, nspname) AS (
  -- the functions whose names are not a bare identifier's lower-case letters, digits, _ and $
  -- (quoted ones: "Calc", "my fn"): matched below by position, not by the words of a body
  SELECT g.oid, g.proname, gn.nspname FROM pg_catalog.pg_proc g JOIN pg_catalog.pg_namespace gn ON gn.oid OPERATOR(pg_catalog.=) g.pronamespace
   WHERE ${notCatalog('gn')} AND g.proname OPERATOR(pg_catalog.!~) '^[a-z0-9_$]+$'
), graph(fn, callees) AS (
  -- each function a chain may run, once, with the functions its body names (a BEGIN ATOMIC
  -- one: those PostgreSQL records), found through the words of its body (attacker a93 F4: each
  -- function matched against every function's name took seconds with thousands of them), from
  -- those the expressions call and those run without a name (unnamed) on, call by call
  SELECT s.fn, ${callees('s.fn')} FROM (
    SELECT c.fn FROM called c
    -- through an array: the planner's estimate of unnamed (every operator, cast, type) would
    -- have it join pg_proc with itself (seconds, not milliseconds)
    UNION SELECT u.fn FROM pg_catalog.unnest(ARRAY(SELECT u.fn FROM unnamed u)) u(fn)
  ) s
  UNION
  SELECT c.fn, ${callees('c.fn')} FROM graph x CROSS JOIN LATERAL pg_catalog.unnest(x.callees) c(fn)
), deeper(top, fn) AS (
  SELECT g.fn, g.fn FROM graph g
   WHERE g.fn OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT c.fn FROM called c UNION SELECT u.fn FROM unnamed u))
  UNION
  -- and on, call by call, to every depth (attacker a91 F1: three calls deep passed); UNION
  -- keeps it finite
  SELECT x.top, c.fn FROM deeper x JOIN graph g ON g.fn OPERATOR(pg_catalog.=) x.fn
    CROSS JOIN LATERAL pg_catalog.unnest(g.callees) c(fn)
), verdict(fn, kept, how) AS MATERIALIZED (
  SELECT q.oid, h.kept, h.how FROM graph x
    -- each function the chains run, not each of pg_proc's (OFFSET 0: the planner, told graph is
    -- large, would rather read them all)
    CROSS JOIN LATERAL (SELECT q.* FROM pg_catalog.pg_proc q WHERE q.oid OPERATOR(pg_catalog.=) x.fn OFFSET 0) q
    JOIN pg_catalog.pg_namespace qn ON qn.oid OPERATOR(pg_catalog.=) q.pronamespace
    JOIN pg_catalog.pg_language l ON l.oid OPERATOR(pg_catalog.=) q.prolang
    CROSS JOIN LATERAL (
      SELECT NULL::pg_catalog.oid AS kept, 'runs a query given as text, or reads rows named at run time' AS how
       WHERE qn.nspname OPERATOR(pg_catalog.=) 'pg_catalog' AND ${rowReadingCatalogFunction('q')}
      UNION ALL
      SELECT r.kept, NULL FROM readers r
       WHERE ${notCatalog('qn')} AND ${sqlBody('q', o.version)} IS NOT NULL
         AND EXISTS (SELECT FROM pg_catalog.pg_depend d WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objid OPERATOR(pg_catalog.=) q.oid
           AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid OPERATOR(pg_catalog.=) r.rel)
      UNION ALL
      SELECT r.kept, NULL FROM readers r
       WHERE ${notCatalog('qn')} AND ${sqlBody('q', o.version)} IS NULL AND ${readable('l')}
         AND pg_catalog.strpos(pg_catalog.lower(q.prosrc), pg_catalog.lower(r.name)) OPERATOR(pg_catalog.>) 0
         AND ${namesIn(
           'q.prosrc',
           'r.schema',
           'r.name',
           path('q'),
           'pg_catalog.pg_get_userbyid(q.proowner)::pg_catalog.text',
           undefined,
           x => `EXISTS (SELECT FROM pg_catalog.pg_class hc JOIN pg_catalog.pg_namespace hn ON hn.oid OPERATOR(pg_catalog.=) hc.relnamespace
             WHERE hn.nspname OPERATOR(pg_catalog.=) ${x} AND hc.relname OPERATOR(pg_catalog.=) r.name)`
         )}
      UNION ALL
      SELECT NULL, 'runs SQL it builds at run time'
       WHERE ${notCatalog('qn')} AND ${sqlBody('q', o.version)} IS NULL AND ${readable('l')}
         AND (q.prosrc OPERATOR(pg_catalog.~*) '${ROW_READING_CALL}'
           OR (l.lanname OPERATOR(pg_catalog.=) 'plpgsql' AND q.prosrc OPERATOR(pg_catalog.~*) '\mexecute\M'))
      UNION ALL
      -- names the match above cannot read (attacker a91 F5: a comment inside priv.secrets, U&"...")
      SELECT NULL, 'spells a name in a way the restore does not read (a comment inside a qualified name, or U&"...")'
       WHERE ${notCatalog('qn')} AND ${sqlBody('q', o.version)} IS NULL AND ${readable('l')}
         AND q.prosrc OPERATOR(pg_catalog.~*) '${OBSCURE_NAME}'
      UNION ALL
      SELECT NULL, pg_catalog.format('runs code in LANGUAGE %s, which the restore does not read', l.lanname)
       WHERE ${notCatalog('qn')} AND NOT ${readable('l')}
         AND NOT (l.lanname OPERATOR(pg_catalog.=) ANY ('{c,internal}'::pg_catalog.name[]) AND q.proname OPERATOR(pg_catalog.!~) '^dblink'
           AND EXISTS (SELECT FROM pg_catalog.pg_depend e WHERE e.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
             AND e.objid OPERATOR(pg_catalog.=) q.oid AND e.deptype OPERATOR(pg_catalog.=) 'e'))
         -- LANGUAGE internal runs one of the server's own C functions, named by prosrc: a range
         -- type's constructors (CREATE TYPE ... AS RANGE makes them) read no table; only those of
         -- pg_catalog's functions that run queries or write are what cannot be told
         AND NOT (l.lanname OPERATOR(pg_catalog.=) 'internal' AND NOT EXISTS (
           SELECT FROM pg_catalog.pg_proc b WHERE b.pronamespace OPERATOR(pg_catalog.=) 'pg_catalog'::pg_catalog.regnamespace
             AND b.prosrc OPERATOR(pg_catalog.=) q.prosrc
             AND (${rowReadingCatalogFunction('b')} OR b.proname OPERATOR(pg_catalog.=) ANY ('{${WRITING_CATALOG_FUNCTIONS.join(',')}}'::pg_catalog.name[]))))
    ) h
), writes(fn, how) AS MATERIALIZED (
  -- what writes or sends what it is given: a CHECK's or an index's function chain that reads a
  -- kept table and writes can put its rows anywhere (attacker a91 F1)
  SELECT q.oid, w.how FROM graph x
    -- each function the chains run, not each of pg_proc's (OFFSET 0: the planner, told graph is
    -- large, would rather read them all)
    CROSS JOIN LATERAL (SELECT q.* FROM pg_catalog.pg_proc q WHERE q.oid OPERATOR(pg_catalog.=) x.fn OFFSET 0) q
    JOIN pg_catalog.pg_namespace qn ON qn.oid OPERATOR(pg_catalog.=) q.pronamespace
    JOIN pg_catalog.pg_language l ON l.oid OPERATOR(pg_catalog.=) q.prolang
    CROSS JOIN LATERAL (
      SELECT 'writes or sends what it is given' AS how
       WHERE qn.nspname OPERATOR(pg_catalog.=) 'pg_catalog' AND q.proname OPERATOR(pg_catalog.=) ANY ('{${WRITING_CATALOG_FUNCTIONS.join(',')}}'::pg_catalog.name[])
      UNION ALL
      SELECT 'runs INSERT, UPDATE, DELETE or MERGE'
       WHERE ${notCatalog('qn')} AND ${sqlBody('q', o.version)} IS NOT NULL
         AND ${sqlBody('q', o.version)}::pg_catalog.text OPERATOR(pg_catalog.~) ':commandType [2-5] '
      UNION ALL
      SELECT pg_catalog.format('runs %s', pg_catalog.upper(m.m[1])) FROM pg_catalog.regexp_match(q.prosrc, '${WRITING_STATEMENT}', 'i') m(m)
       WHERE ${notCatalog('qn')} AND ${sqlBody('q', o.version)} IS NULL AND ${readable('l')} AND m.m IS NOT NULL
      UNION ALL
      SELECT 'runs SELECT ... INTO'
       WHERE ${notCatalog('qn')} AND ${sqlBody('q', o.version)} IS NULL AND l.lanname OPERATOR(pg_catalog.=) 'sql'
         AND q.prosrc OPERATOR(pg_catalog.~*) '${WRITING_SELECT_INTO}'
    ) w
), uses(fn, u) AS MATERIALIZED (
  -- which of those (unnamed) a function of a chain can run (builder b26: b23 counted each as run
  -- by every chain, so the target's one operator that EXECUTEs made every CHECK over auth.users
  -- one that cannot be told, refused by the net): an operator's where its body's text holds its
  -- name (an operator is written as it is named, bare or in OPERATOR(...); no comment can split
  -- one) or the name is one PostgreSQL gives to what a keyword does (IN, CASE, NULLIF, IS
  -- DISTINCT FROM: =; BETWEEN: <= >= < >; LIKE, ILIKE, SIMILAR TO: ~~ ~~* ~; !=: <>); the others'
  -- where it has a value of their types to hand: one of its arguments or its result is of a
  -- type holding them (holder), or its body's text names one (a variable, a cast, a table read
  -- or written); for a BEGIN ATOMIC body, and for the expressions of its arguments' DEFAULTs,
  -- what PostgreSQL records (the operator, the type, the relation). One with no type of its own
  -- (a cast between pg_catalog's types) counts as run by every function
  SELECT f.fn, u.fn AS u FROM (
    -- each function once, with the operator names it can run (OFFSET 0, and the names in an
    -- array: the planner, told graph and the names are large, hashed millions)
    SELECT q.oid AS fn, ARRAY(
      SELECT pg_catalog.substr(t.t[1], i.i, n.n)::pg_catalog.name
        FROM pg_catalog.regexp_matches(q.prosrc, '[-+*/<>=~!@#%^&|${'`'}?]+', 'g') t(t)
        CROSS JOIN LATERAL pg_catalog.generate_series(1, pg_catalog.length(t.t[1])) i(i)
        CROSS JOIN LATERAL pg_catalog.generate_series(1, LEAST(63, pg_catalog.length(t.t[1]) OPERATOR(pg_catalog.-) i.i OPERATOR(pg_catalog.+) 1)) n(n)
       WHERE ${sqlBody('q', o.version)} IS NULL AND ${readable('l')}
      UNION SELECT k.k FROM pg_catalog.unnest('{=,<>,<,>,<=,>=,~~,!~~,~~*,!~~*,~,!~}'::pg_catalog.name[]) k(k)
       WHERE ${sqlBody('q', o.version)} IS NULL AND ${readable('l')}
      UNION SELECT op.oprname FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_operator op ON op.oid OPERATOR(pg_catalog.=) d.refobjid
       WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objid OPERATOR(pg_catalog.=) q.oid
         AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_operator'::pg_catalog.regclass
      UNION SELECT op.oprname FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_operator op ON op.oid OPERATOR(pg_catalog.=) d.refobjid
       WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass
         AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_operator'::pg_catalog.regclass
         AND d.objid OPERATOR(pg_catalog.=) ANY (ARRAY(${viewRules('q', 'l')}))) AS syms
      FROM graph x
      CROSS JOIN LATERAL (SELECT q.* FROM pg_catalog.pg_proc q WHERE q.oid OPERATOR(pg_catalog.=) x.fn OFFSET 0) q
      JOIN pg_catalog.pg_language l ON l.oid OPERATOR(pg_catalog.=) q.prolang
     WHERE EXISTS (SELECT FROM uop)
  ) f CROSS JOIN LATERAL pg_catalog.unnest(f.syms) s(sym)
    JOIN uop u ON u.oprname OPERATOR(pg_catalog.=) s.sym
  UNION
  SELECT x.fn, r.fn FROM graph x
    CROSS JOIN LATERAL (SELECT q.* FROM pg_catalog.pg_proc q WHERE q.oid OPERATOR(pg_catalog.=) x.fn OFFSET 0) q
    JOIN pg_catalog.pg_language l ON l.oid OPERATOR(pg_catalog.=) q.prolang
    JOIN utyp r ON pg_catalog.cardinality(r.typs) OPERATOR(pg_catalog.=) 0
      OR EXISTS (SELECT FROM holder h JOIN pg_catalog.pg_type ht ON ht.oid OPERATOR(pg_catalog.=) h.typ
       WHERE h.fn OPERATOR(pg_catalog.=) r.fn
         AND (h.typ OPERATOR(pg_catalog.=) ANY (q.proargtypes::pg_catalog.oid[] OPERATOR(pg_catalog.||) COALESCE(q.proallargtypes, '{}'::pg_catalog.oid[]) OPERATOR(pg_catalog.||) q.prorettype)
           OR (${sqlBody('q', o.version)} IS NULL AND ${readable('l')}
             AND pg_catalog.strpos(pg_catalog.lower(q.prosrc), pg_catalog.lower(ht.typname)) OPERATOR(pg_catalog.>) 0)
           OR EXISTS (SELECT FROM pg_catalog.pg_depend d WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objid OPERATOR(pg_catalog.=) q.oid
             AND (d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_type'::pg_catalog.regclass AND d.refobjid OPERATOR(pg_catalog.=) h.typ
               OR d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid OPERATOR(pg_catalog.=) ht.typrelid))))
), att(top, u) AS (
  -- the unnamed functions each chain (a top and what it calls) can run, and in turn those that
  -- theirs can
  SELECT DISTINCT x.top, us.u FROM deeper x JOIN uses us ON us.fn OPERATOR(pg_catalog.=) x.fn
  UNION
  SELECT a.top, us.u FROM att a JOIN deeper y ON y.top OPERATOR(pg_catalog.=) a.u JOIN uses us ON us.fn OPERATOR(pg_catalog.=) y.fn
), reach(top, fn, seed) AS (
  -- what each chain runs: the functions its calls name, to any depth (seed NULL), and each
  -- function run without a name that it can run (att) with what that calls (seed: the one run
  -- so), where the first do not hold it already
  -- (by a window over both, sorted: the planner's estimate of deeper, billions of rows, had an
  -- anti join hash it in 100000 batches)
  SELECT DISTINCT r.top, r.fn, r.seed FROM (
    SELECT a.top, a.fn, a.seed, pg_catalog.bool_or(a.seed IS NULL) OVER (PARTITION BY a.top, a.fn) AS direct FROM (
      SELECT x.top, x.fn, NULL::pg_catalog.oid AS seed FROM deeper x WHERE x.top OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT c.fn FROM called c))
      UNION ALL
      SELECT a.top, y.fn, y.top FROM att a JOIN deeper y ON y.top OPERATOR(pg_catalog.=) a.u
       WHERE a.top OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT c.fn FROM called c))
    ) a
  ) r WHERE r.seed IS NULL OR NOT r.direct
), named(fn, seed, said) AS (
  -- how such a function is reached, for the messages: run by the operator, cast, domain...
  SELECT DISTINCT r.fn, r.seed, pg_catalog.format('%s%s', CASE WHEN r.fn OPERATOR(pg_catalog.<>) r.seed
      THEN pg_catalog.format('called by %s, ', r.seed::pg_catalog.regprocedure) ELSE '' END,
      pg_catalog.format('run by %s', u.route))
    FROM reach r JOIN unnamed u ON u.fn OPERATOR(pg_catalog.=) r.seed
)
SELECT DISTINCT c.obj, c.kind, c.col, x.top::pg_catalog.regprocedure::pg_catalog.text AS fn,
  CASE WHEN x.seed IS NOT NULL THEN pg_catalog.format('%s (%s)', x.fn::pg_catalog.regprocedure, nm.said)
    WHEN x.fn OPERATOR(pg_catalog.<>) x.top THEN x.fn::pg_catalog.regprocedure::pg_catalog.text END AS via,
  v.kept, v.how, cp.grantees, cp.what, cp.undo, wr.writes
FROM called c JOIN reach x ON x.top OPERATOR(pg_catalog.=) c.fn JOIN verdict v ON v.fn OPERATOR(pg_catalog.=) x.fn
LEFT JOIN named nm ON nm.fn OPERATOR(pg_catalog.=) x.fn AND nm.seed OPERATOR(pg_catalog.=) x.seed
JOIN copies cp ON cp.obj OPERATOR(pg_catalog.=) c.obj AND cp.kind OPERATOR(pg_catalog.=) c.kind AND cp.col IS NOT DISTINCT FROM c.col
CROSS JOIN LATERAL (
  SELECT (SELECT CASE WHEN y.seed IS NULL THEN pg_catalog.format('%s %s', w.fn::pg_catalog.regprocedure, w.how)
      ELSE pg_catalog.format('%s %s, %s', w.fn::pg_catalog.regprocedure, w.how, wn.said) END
     FROM reach y JOIN writes w ON w.fn OPERATOR(pg_catalog.=) y.fn
     LEFT JOIN named wn ON wn.fn OPERATOR(pg_catalog.=) y.fn AND wn.seed OPERATOR(pg_catalog.=) y.seed
     WHERE y.top OPERATOR(pg_catalog.=) x.top
     ORDER BY y.seed IS NOT NULL, w.fn OPERATOR(pg_catalog.=) x.fn DESC, w.fn::pg_catalog.regprocedure::pg_catalog.text, wn.said LIMIT 1) AS writes
) wr
WHERE c.kind OPERATOR(pg_catalog.=) ANY ('{m,s,f}'::pg_catalog.text[]) OR v.how IS NOT NULL OR wr.writes IS NOT NULL`
}

/**
 * After the load (attacker a90 F1, F2): what the load copied out of a table the target keeps with
 * its rows (ProtectedSet.keptTables) into an object of the backup's that roles other than its
 * owner may read (copiedRowsQuery): a materialized view it made and filled (not among
 * ProtectedSet.viewsBefore; not the target's own over again, as keptTablesViewsWarning), and a
 * stored generated column of a table it made (not among ProtectedSet.relations) that holds rows,
 * each with the function it calls, the kept table it reads (or what cannot be told), who may read
 * it and what to run. keptTablesViewsWarning follows views' dependencies between relations; these
 * have none. And, in a paragraph of its own, the CHECK constraints (of a table it made, of a
 * domain its columns are of) and index expressions of a table it made that holds rows whose
 * function chain reads a kept table and writes or sends (copiedRowsQuery, kinds 'c', 'd', 'i';
 * attacker a91 F1): what they wrote while the rows loaded can be anywhere. Warned, not refused
 * (the net refuses them over the tables it fingerprints); pg_restore and psql by hand restore them
 * the same, without a word. None when there is nothing to say.
 */
export async function keptTablesCopiesWarning(
  client: pg.Client,
  set: ProtectedSet | undefined
): Promise<string[]> {
  const kept = set?.keptTables ?? []
  if (set === undefined || kept.length === 0 || set.viewsBefore === undefined) return []
  type Row = {
    obj: number
    kind: string
    col: string | null
    fn: string
    via: string | null
    kept: number | null
    how: string | null
    grantees: string[]
    what: string | null
    undo: string | null
    writes: string | null
  }
  type Copy = {
    oid: number
    name: string
    kind: string
    definition: string | null
    owner: string
    acl: Array<[number, string, boolean]>
  }
  const read = await withCatalogSearchPath(client, async () => {
    const { rows } = await client.query<Row>(
      copiedRowsQuery({
        version: set.serverVersion ?? 0,
        tables: '$1::pg_catalog.oid[]',
        made: a =>
          a === 'm'
            ? `NOT ${a}.oid OPERATOR(pg_catalog.=) ANY ($2::pg_catalog.oid[])`
            : `NOT ${a}.oid OPERATOR(pg_catalog.=) ANY ($3::pg_catalog.oid[])`,
        holds: () => 'true'
      }),
      [kept, set.viewsBefore, set.relations.map(r => r.oid)]
    )
    if (rows.length === 0) return undefined
    const { rows: objects } = await client.query<Copy>(
      `SELECT c.oid::pg_catalog.int8 AS oid, pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(c.relname) AS name,
  c.relkind::pg_catalog.text AS kind, CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'm' THEN pg_catalog.md5(pg_catalog.pg_get_viewdef(c.oid)) END AS definition,
  c.relowner::pg_catalog.int8 AS owner,
  COALESCE((SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_array(a.grantee::pg_catalog.int8, a.privilege_type, a.is_grantable))
    FROM pg_catalog.aclexplode(c.relacl) a WHERE a.grantee OPERATOR(pg_catalog.<>) c.relowner), '[]'::pg_catalog.jsonb) AS acl
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
WHERE c.oid OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.oid[])`,
      [[...new Set(rows.map(r => r.obj))]]
    )
    const { rows: tables } = await client.query<{ oid: number; name: string }>(
      `SELECT c.oid::pg_catalog.int8 AS oid, c.oid::pg_catalog.regclass::pg_catalog.text AS name FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.oid[])`,
      [[...new Set(rows.flatMap(r => (r.kept === null ? [] : [r.kept])))]]
    )
    return { rows, objects, tables }
  })
  if (read === undefined) return []
  const objects = new Map(read.objects.map(o => [Number(o.oid), o]))
  const tables = new Map(read.tables.map(t => [Number(t.oid), t.name]))
  // a table of the load's whose generated column holds no value: nothing was copied (its rows,
  // written later, are computed as whoever writes them)
  const holds = async (o: Copy): Promise<boolean> =>
    o.kind === 'm' ||
    client.query<{ any: boolean }>(`SELECT EXISTS (SELECT FROM ${o.name}) AS any`).then(
      r => r.rows[0]?.any ?? true,
      () => true
    )
  // the target's own materialized view as it was (clean over itself), as keptTablesViewsWarning
  const asBefore = (o: Copy): boolean =>
    o.kind === 'm' &&
    (set.replacedViews ?? []).some(
      r =>
        r.name === o.name &&
        r.kind === o.kind &&
        r.definition === o.definition &&
        r.owner === Number(o.owner) &&
        o.acl.every(([grantee, privilege, grantable]) =>
          r.acl.some(
            ([g, p, x]) => Number(g) === Number(grantee) && p === privilege && (x || !grantable)
          )
        )
    )
  /** One item per materialized view, per generated column or DEFAULT: its calls and reads. */
  const items = new Map<
    string,
    {
      object: Copy
      kind: string
      col: string | null
      grantees: string[]
      reads: Map<string, Set<string>>
    }
  >()
  /** One item per CHECK constraint, index (kinds 'c', 'd', 'i'): its calls, what each reads. */
  const runs = new Map<
    string,
    { what: string; undo: string; reads: Map<string, Set<string>>; writes: Set<string> }
  >()
  const held = new Map<number, boolean>()
  for (const r of read.rows) {
    const object = objects.get(Number(r.obj))
    if (object === undefined || asBefore(object)) continue
    const holding = held.get(Number(r.obj)) ?? (await holds(object))
    held.set(Number(r.obj), holding)
    if (!holding) continue
    const call = r.via === null ? r.fn : `${r.fn}, which calls ${r.via}`
    const what =
      r.kept !== null
        ? `reads ${tables.get(Number(r.kept)) ?? String(r.kept)}`
        : (r.how ?? 'runs what cannot be read')
    if (r.what !== null) {
      const id = JSON.stringify([r.kind, r.col, object.name])
      const run = runs.get(id) ?? {
        what: r.what,
        undo: r.undo ?? '',
        reads: new Map<string, Set<string>>(),
        writes: new Set<string>()
      }
      const reads = run.reads.get(call) ?? new Set<string>()
      reads.add(what)
      run.reads.set(call, reads)
      if (r.writes !== null) run.writes.add(r.writes)
      runs.set(id, run)
      continue
    }
    const id = JSON.stringify([object.name, r.kind, r.col])
    const item = items.get(id) ?? {
      object,
      kind: r.kind,
      col: r.col,
      grantees: r.grantees,
      reads: new Map()
    }
    const reads = item.reads.get(call) ?? new Set<string>()
    reads.add(what)
    item.reads.set(call, reads)
    items.set(id, item)
  }
  return [copiesParagraph([...items.values()]), writtenParagraph([...runs.values()])].filter(
    (p): p is string => p !== undefined
  )
}

/** keptTablesCopiesWarning's paragraph on materialized views, generated columns and DEFAULTs. */
function copiesParagraph(
  items: Array<{
    object: { name: string }
    kind: string
    col: string | null
    grantees: string[]
    reads: Map<string, Set<string>>
  }>
): string | undefined {
  const found = items.sort((a, b) =>
    `${a.object.name} ${a.col ?? ''} ${a.kind}`.localeCompare(
      `${b.object.name} ${b.col ?? ''} ${b.kind}`
    )
  )
  if (found.length === 0) return undefined
  const shown = 10
  const few = fewNames
  const named = (i: (typeof found)[number]): string =>
    i.col === null
      ? `materialized view ${i.object.name}`
      : `${i.kind === 'f' ? 'DEFAULT of column' : 'generated column'} ${quoteIdent(i.col)} of ${i.object.name}`
  // grantees hold 'OWNER <role>' for an owner other than the restoring role (attacker a97 F2)
  const owner = (i: (typeof found)[number]): string | undefined =>
    i.grantees.find(g => g.startsWith('OWNER '))?.slice('OWNER '.length)
  const granted = (i: (typeof found)[number]): string[] =>
    i.grantees.filter(g => !g.startsWith('OWNER ') && !g.startsWith('THROUGH '))
  // 'THROUGH ["<view or parent>", "<role>"]': a role granted a view over it or its parent (a99 F4)
  const through = (i: (typeof found)[number]): Array<[string, string]> =>
    i.grantees
      .filter(g => g.startsWith('THROUGH '))
      .map(g => JSON.parse(g.slice('THROUGH '.length)) as [string, string])
  const readers = (i: (typeof found)[number]): string[] => [
    ...(owner(i) !== undefined ? [`${owner(i)} (its owner)`] : []),
    ...granted(i),
    ...through(i).map(([via, role]) => `${role} (through ${via})`)
  ]
  const list = found.slice(0, shown).map(i => {
    const calls = [...i.reads].map(([call, what]) => `${call}, which ${[...what].join(' and ')}`)
    return `${named(i)} (${i.col === null ? 'its query' : 'its expression'} calls ${few(calls, 2)}; readable by ${few(readers(i))})`
  })
  const revokes = found.slice(0, shown).map(i => {
    const given = owner(i)
    const back =
      given === undefined
        ? ''
        : `ALTER ${i.col === null ? 'MATERIALIZED VIEW' : 'TABLE'} ${i.object.name} OWNER TO CURRENT_USER; `
    const grants = granted(i)
    const revoke = (what: string): string =>
      grants.length > 0
        ? `REVOKE ALL ${what}ON TABLE ${i.object.name} FROM ${grants.join(', ')}; `
        : ''
    const above = through(i)
      .map(([via, role]) => `REVOKE ALL ON TABLE ${via} FROM ${role}; `)
      .join('')
    return `${back}${revoke('')}${i.col === null ? '' : revoke(`(${quoteIdent(i.col)}) `)}${above}${
      i.col === null
        ? `then, once its owner is a role that should see those rows (it is filled with its owner's rights), REFRESH MATERIALIZED VIEW ${i.object.name};`
        : i.kind === 'f'
          ? `then read the column's values: those of the rows the load wrote without it were computed by the restoring role`
          : `then, as a role that should see those rows, UPDATE ${i.object.name} SET ${quoteIdent(i.col)} = DEFAULT; (its values were computed by the restoring role)`
    }`
  })
  const n = found.length
  return `Copies of the target's kept tables: the restore made ${plural(n, 'materialized view, generated column or column DEFAULT', 'materialized views, generated columns or column DEFAULTs')} whose rows it filled or computed from a table the target keeps with its rows (not the backup's), through a function, and that roles other than the restoring one may read (granted to them, owning ${n === 1 ? 'it' : 'them'}, or granted a view over or a parent of ${n === 1 ? 'it' : 'them'}): ${list.join('; ')}${n > shown ? `; and ${n - shown} more` : ''}. PostgreSQL fills a materialized view with its owner's rights and computes a stored generated column, and a column's DEFAULT for a row written without it, with the rights of the role that writes the row (the restore's COPY or INSERT), through any function, SECURITY INVOKER or not: whoever may read one reads what was copied, whatever privileges they have on the table (found by the names in each function's body, resolved by its search_path setting, call by call; the functions of the backup's operators, casts, domains' CHECK constraints and types, which run with no name in a body, count as run by a function whose body names the operator, or which has a value of the type to hand; what a function builds at run time cannot be told; pg_restore and psql by hand restore them the same, without a word). If that is not meant, run: ${revokes.join(' ')}`
}

/**
 * keptTablesCopiesWarning's paragraph on the CHECK constraints and index expressions whose
 * functions read a kept table and write or send (attacker a91 F1).
 */
function writtenParagraph(
  runs: Array<{
    what: string
    undo: string
    reads: Map<string, Set<string>>
    writes: Set<string>
  }>
): string | undefined {
  const found = runs.sort((a, b) => a.what.localeCompare(b.what))
  if (found.length === 0) return undefined
  const shown = 10
  const list = found.slice(0, shown).map(r => {
    const calls = [...r.reads].map(([call, what]) => `${call}, which ${[...what].join(' and ')}`)
    const writes = [...r.writes]
    return `${r.what} (calls ${fewNames(calls, 2)}${writes.length > 0 ? `; ${fewNames(writes, 2)}` : ''})`
  })
  const undo = [...new Set(found.slice(0, shown).map(r => r.undo))]
  const n = found.length
  return `Copies of the target's kept tables written elsewhere by the load: the restore made ${plural(n, 'CHECK constraint, index, column DEFAULT or materialized view', 'CHECK constraints, indexes, column DEFAULTs or materialized views')} whose function${n === 1 ? '' : 's'} PostgreSQL ran as it loaded (COPY checks a CHECK constraint, a domain's too, and computes a DEFAULT for a row written without its column; CREATE INDEX computes an expression or predicate over every row; REFRESH MATERIALIZED VIEW runs its query) with the restoring role's rights, and that read${n === 1 ? 's' : ''} a table the target keeps with its rows (not the backup's) and write${n === 1 ? 's' : ''} or send${n === 1 ? 's' : ''} what ${n === 1 ? 'it is' : 'they are'} given, or run${n === 1 ? 's' : ''} what cannot be read: ${list.join('; ')}${n > shown ? `; and ${n - shown} more` : ''}. What ${n === 1 ? 'it' : 'they'} wrote can be in any table the restoring role may write, granted to others (found by the names in each function's body, resolved by its search_path setting, call by call: INSERT, UPDATE, DELETE, MERGE, COPY, CREATE, NOTIFY…; the functions of the backup's operators, casts, domains' CHECK constraints and types, which run with no name in a body, count as run by a function whose body names the operator, or which has a value of the type to hand; what a function builds at run time cannot be told; pg_restore and psql by hand restore them the same, without a word). Read what each function writes, delete what it wrote, and drop ${n === 1 ? 'it' : 'them'}: ${undo.join(' ')} Or restore the backup into a database that keeps no such tables.`
}

/**
 * A digest of the extension dependencies of the relations `%RELATIONS%` (and their indexes) and
 * the objects `%OBJECTS%` (oid[] expressions).
 */
const EXTENSION_DEPENDENCIES = `SELECT COALESCE(pg_catalog.md5(pg_catalog.string_agg(pg_catalog.concat_ws(':', d.classid, d.objid, d.objsubid, d.refobjid, d.deptype), ',' ORDER BY d.classid, d.objid, d.objsubid, d.refobjid, d.deptype)), '')
 FROM pg_catalog.pg_depend d WHERE d.deptype OPERATOR(pg_catalog.=) ANY ('{e,x}'::pg_catalog.char[]) AND (
  (d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass AND (d.objid OPERATOR(pg_catalog.=) ANY (%RELATIONS%)
    OR d.objid OPERATOR(pg_catalog.=) ANY (SELECT i.indexrelid FROM pg_catalog.pg_index i WHERE i.indrelid OPERATOR(pg_catalog.=) ANY (%RELATIONS%))))
  OR (d.classid OPERATOR(pg_catalog.=) ANY (ARRAY[${Object.values(OBJECT_KINDS)
    .map(c => `'pg_catalog.${c}'::pg_catalog.regclass`)
    .join(', ')}]::pg_catalog.oid[])
    AND d.objid OPERATOR(pg_catalog.=) ANY (%OBJECTS%)))`

/** The deferrable triggers that are not a constraint's own (CREATE CONSTRAINT TRIGGER … DEFERRABLE). */
const DEFERRABLE_TRIGGERS = `SELECT t.oid::int8 FROM pg_catalog.pg_trigger t WHERE t.tgdeferrable AND NOT t.tgisinternal ORDER BY t.oid`

/**
 * A digest of the default privileges (pg_default_acl) of the roles `%OWNERS%` (an oid[]
 * expression): each row by its key (role, schema by name, object type) and its aclitems in
 * sorted order, not by its OID nor the order of its array — a restore sets the restoring role's
 * rows aside and grants them again (default-privileges.ts): the same privileges, in a new row;
 * and clean drops a schema of the backup's and makes it again, its default privileges with it
 * (the backup's DEFAULT ACL entries): the same, in a schema of another OID (a second verify
 * with clean of a backup with default privileges was refused).
 */
const DEFAULT_PRIVILEGES = `SELECT COALESCE(pg_catalog.md5(pg_catalog.string_agg(pg_catalog.concat_ws(':', a.defaclrole, n.nspname, a.defaclobjtype, (SELECT pg_catalog.string_agg(i::pg_catalog.text, ',' ORDER BY i::pg_catalog.text COLLATE pg_catalog."C") FROM pg_catalog.unnest(a.defaclacl) i)), ',' ORDER BY a.defaclrole, n.nspname COLLATE pg_catalog."C", a.defaclobjtype)), '') FROM pg_catalog.pg_default_acl a LEFT JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) a.defaclnamespace WHERE a.defaclrole OPERATOR(pg_catalog.=) ANY (%OWNERS%)`

/**
 * A digest of the database's own row (owner, privileges, connection limit, allowed connections,
 * tablespace) and of the settings (ALTER DATABASE … SET, ALTER ROLE … SET) that apply to it, of
 * the roles `%ROLES%` (an oid[] expression): every later session of the database would start with them.
 */
const DATABASE_FINGERPRINT = `SELECT pg_catalog.md5(pg_catalog.concat_ws('|',
 (SELECT pg_catalog.concat_ws(':', d.datname, d.datdba, d.datallowconn, d.datconnlimit, d.datacl, d.dattablespace, d.datistemplate) FROM pg_catalog.pg_database d WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database()),
 (SELECT pg_catalog.string_agg(s::pg_catalog.text, ',' ORDER BY s.setdatabase, s.setrole) FROM pg_catalog.pg_db_role_setting s
   WHERE (s.setdatabase OPERATOR(pg_catalog.=) 0 OR s.setdatabase OPERATOR(pg_catalog.=) (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database()))
   AND (s.setrole OPERATOR(pg_catalog.=) 0 OR s.setrole OPERATOR(pg_catalog.=) ANY (%ROLES%)))))`

/**
 * The digest of its comment (pg_description) of the object `alias`.oid in `catalog`: SQL.
 */
const commentOf = (catalog: string, alias: string): string =>
  `(SELECT pg_catalog.md5(d.description) FROM pg_catalog.pg_description d WHERE d.objoid OPERATOR(pg_catalog.=) ${alias}.oid AND d.classoid OPERATOR(pg_catalog.=) 'pg_catalog.${catalog}'::pg_catalog.regclass AND d.objsubid OPERATOR(pg_catalog.=) 0)`

/**
 * The digest of a function (its whole pg_proc row: body, owner, privileges, SECURITY DEFINER,
 * settings) or of a schema (name and owner; of its privileges only those granted to PUBLIC:
 * a backup's GRANT to its roles on a schema the target has is pg_dump's own output), with its
 * comment (not the schema public's: pg_dump up to 14 writes COMMENT ON SCHEMA public).
 */
const OBJECT_FINGERPRINT: Record<'function' | 'type' | 'operator' | 'schema', string> = {
  function: `SELECT p.oid::int8 AS oid, pg_catalog.format('%I.%I(%s)', n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid)) AS name, n.nspname AS schema, p.proname AS objname, ${FUNCTION_SIGNATURE} AS sig, p.oid::pg_catalog.regprocedure::pg_catalog.text AS described,
 pg_catalog.jsonb_build_object('definition', pg_catalog.md5(p::pg_catalog.text), 'aggregate', (SELECT pg_catalog.md5(a::pg_catalog.text) FROM pg_catalog.pg_aggregate a WHERE a.aggfnoid OPERATOR(pg_catalog.=) p.oid), 'comment', ${commentOf('pg_proc', 'p')}) AS fp
FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) p.pronamespace
WHERE %WHERE%`,
  // a type's row (owner, privileges, a domain's base and default), an enum's values in order, a
  // range's row, a domain's constraints (by name and definition: one clean-drop-dependents
  // created again after clean replaced the function it calls is the same constraint), a
  // standalone composite type's attributes
  type: `SELECT t.oid::int8 AS oid, pg_catalog.format('%I.%I', n.nspname, t.typname) AS name, n.nspname AS schema, t.typname AS objname,
 pg_catalog.jsonb_build_object('typedef', pg_catalog.md5(pg_catalog.concat_ws('|', t::pg_catalog.text,
  (SELECT pg_catalog.string_agg(e::pg_catalog.text, ',' ORDER BY e.enumsortorder) FROM pg_catalog.pg_enum e WHERE e.enumtypid OPERATOR(pg_catalog.=) t.oid),
  (SELECT r::pg_catalog.text FROM pg_catalog.pg_range r WHERE r.rngtypid OPERATOR(pg_catalog.=) t.oid),
  (SELECT pg_catalog.string_agg(pg_catalog.concat_ws(':', pg_catalog.quote_ident(k.conname), pg_catalog.pg_get_constraintdef(k.oid), k.convalidated, k.condeferrable, k.condeferred), ',' ORDER BY k.conname) FROM pg_catalog.pg_constraint k WHERE k.contypid OPERATOR(pg_catalog.=) t.oid),
  (SELECT pg_catalog.string_agg(a::pg_catalog.text, ',' ORDER BY a.attnum) FROM pg_catalog.pg_attribute a WHERE a.attrelid OPERATOR(pg_catalog.=) t.typrelid AND t.typtype OPERATOR(pg_catalog.=) 'c'))), 'comment', ${commentOf('pg_type', 't')}) AS fp
FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) t.typnamespace
WHERE %WHERE%`,
  operator: `SELECT o.oid::int8 AS oid, pg_catalog.format('%I.%s(%s,%s)', n.nspname, o.oprname, CASE WHEN o.oprleft OPERATOR(pg_catalog.<>) 0 THEN pg_catalog.format_type(o.oprleft, NULL) ELSE 'NONE' END, pg_catalog.format_type(o.oprright, NULL)) AS name, n.nspname AS schema, o.oprname AS objname, ${OPERATOR_SIGNATURE} AS sig, o.oid::pg_catalog.regoperator::pg_catalog.text AS described,
 pg_catalog.jsonb_build_object('opdef', pg_catalog.md5(o::pg_catalog.text), 'comment', ${commentOf('pg_operator', 'o')}) AS fp
FROM pg_catalog.pg_operator o JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) o.oprnamespace
WHERE %WHERE%`,
  schema: `SELECT n.oid::int8 AS oid, pg_catalog.quote_ident(n.nspname) AS name, n.nspname AS schema, n.nspname AS objname,
 pg_catalog.jsonb_build_object('name', pg_catalog.quote_ident(n.nspname), 'owner', CASE WHEN n.nspname OPERATOR(pg_catalog.<>) 'public' THEN n.nspowner END,
  'public', (SELECT pg_catalog.jsonb_agg(a.privilege_type ORDER BY a.privilege_type) FROM pg_catalog.aclexplode(COALESCE(n.nspacl, pg_catalog.acldefault('n', n.nspowner))) a WHERE a.grantee OPERATOR(pg_catalog.=) 0),
  'comment', CASE WHEN n.nspname OPERATOR(pg_catalog.<>) 'public' THEN ${commentOf('pg_namespace', 'n')} END) AS fp
FROM pg_catalog.pg_namespace n
WHERE %WHERE%`
}

/**
 * Which types are the target's own: not a relation's row type (the relation is checked), not an
 * array type PostgreSQL made for another type (it changes with it).
 */
const OWN_TYPES = `(t.typrelid OPERATOR(pg_catalog.=) 0 OR t.typtype OPERATOR(pg_catalog.=) 'c' AND (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) t.typrelid) OPERATOR(pg_catalog.=) 'c')
 AND NOT EXISTS (SELECT FROM pg_catalog.pg_type e WHERE e.typarray OPERATOR(pg_catalog.=) t.oid)`

/** How the fingerprint of one kind of {@link CATALOG_KINDS} is read. */
interface CatalogKind {
  /** The alias its query gives its catalog. */
  alias: string
  /** SQL: its name as messages say it (quoted where needed), and its bare name (a plain script's CREATE of it). */
  name: string
  objname: string
  /** Its schema's column; none: only objects created after initdb (OID 16384 and up) are the target's. */
  schema?: string
  /** Named without a schema (a plain script's CREATE of it names no schema). */
  global?: true
  /**
   * Its comment is not compared: pg_dump writes an extension's (COMMENT ON EXTENSION) as its
   * control file says, which differs between versions (pg_stat_statements' in 13).
   */
  noComment?: true
  /** Its name's and schema's columns, left out of its row's digest (said as 'name' instead). */
  omit: string[]
  /** The key of its row's digest (PHRASES). */
  row: string
  /**
   * More of its digest, key → SQL over its row (the server's version_num decides which catalogs
   * exist; %RELATIONS% and %SCHEMAS% are the OIDs of the target's relations and schemas the
   * check compares, oid[] expressions).
   */
  more?: (version: number) => Record<string, string>
}

/** A kind named by its name column in the schema of its schema column. */
const inSchema = (alias: string, name: string, schema: string, row = 'row'): CatalogKind => ({
  alias,
  name: `pg_catalog.format('%I.%I', n.nspname, ${alias}.${name})`,
  objname: `${alias}.${name}::pg_catalog.text`,
  schema,
  omit: [name, schema],
  row
})
/** A kind outside schemas, named by its name column. */
const unqualified = (alias: string, name: string, row = 'row'): CatalogKind => ({
  alias,
  name: `pg_catalog.quote_ident(${alias}.${name})`,
  objname: `${alias}.${name}::pg_catalog.text`,
  omit: [name],
  row,
  global: true
})

/**
 * The other catalog objects the backup's statements could alter: each by its whole catalog row
 * (to_jsonb: the columns of every server version; name and schema apart), comment, and what hangs
 * off it — a publication's tables (their row filters and column lists) and schemas, those of the
 * target's the check compares (the backup's own tables may join a publication of the target's,
 * as pg_dump's ALTER PUBLICATION … ADD TABLE after a CREATE PUBLICATION the target already has,
 * supabase_realtime's, does), an extension's members, a text search configuration's token
 * mappings, an operator family's operators and support functions, a server's user mappings.
 */
const CATALOG_KINDS: Record<Exclude<ObjectKind, keyof typeof OBJECT_FINGERPRINT>, CatalogKind> = {
  publication: {
    ...unqualified('pb', 'pubname', 'pubdef'),
    more: version => ({
      tables: `(SELECT pg_catalog.md5(pg_catalog.string_agg((pg_catalog.to_jsonb(r) OPERATOR(pg_catalog.-) 'oid'::pg_catalog.text)::pg_catalog.text, ',' ORDER BY r.prrelid)) FROM pg_catalog.pg_publication_rel r WHERE r.prpubid OPERATOR(pg_catalog.=) pb.oid AND r.prrelid OPERATOR(pg_catalog.=) ANY (%RELATIONS%))`,
      ...(version >= 150000
        ? {
            schemas: `(SELECT pg_catalog.md5(pg_catalog.string_agg(s.pnnspid::pg_catalog.text, ',' ORDER BY s.pnnspid)) FROM pg_catalog.pg_publication_namespace s WHERE s.pnpubid OPERATOR(pg_catalog.=) pb.oid AND s.pnnspid OPERATOR(pg_catalog.=) ANY (%SCHEMAS%))`
          }
        : {})
    })
  },
  extension: {
    ...unqualified('ex', 'extname', 'extdef'),
    // its schema is in its row (SET SCHEMA); joined for the provider's schemas
    schema: 'extnamespace',
    noComment: true,
    more: () => ({
      members: `(SELECT pg_catalog.md5(pg_catalog.string_agg(pg_catalog.concat_ws(':', m.classid, m.objid, m.objsubid), ',' ORDER BY m.classid, m.objid, m.objsubid)) FROM pg_catalog.pg_depend m WHERE m.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass AND m.refobjid OPERATOR(pg_catalog.=) ex.oid AND m.deptype OPERATOR(pg_catalog.=) 'e')`
    })
  },
  cast: {
    alias: 'ca',
    name: `pg_catalog.format('(%s AS %s)', pg_catalog.format_type(ca.castsource, NULL), pg_catalog.format_type(ca.casttarget, NULL))`,
    objname: `pg_catalog.format('(%s AS %s)', pg_catalog.format_type(ca.castsource, NULL), pg_catalog.format_type(ca.casttarget, NULL))`,
    omit: [],
    row: 'row',
    global: true
  },
  collation: inSchema('co', 'collname', 'collnamespace'),
  conversion: inSchema('cv', 'conname', 'connamespace'),
  'text search configuration': {
    ...inSchema('cfg', 'cfgname', 'cfgnamespace'),
    more: () => ({
      mappings: `(SELECT pg_catalog.md5(pg_catalog.string_agg(m::pg_catalog.text, ',' ORDER BY m.maptokentype, m.mapseqno)) FROM pg_catalog.pg_ts_config_map m WHERE m.mapcfg OPERATOR(pg_catalog.=) cfg.oid)`
    })
  },
  'text search dictionary': inSchema('dct', 'dictname', 'dictnamespace'),
  'text search parser': inSchema('prs', 'prsname', 'prsnamespace'),
  'text search template': inSchema('tmpl', 'tmplname', 'tmplnamespace'),
  'operator class': inSchema('opc', 'opcname', 'opcnamespace'),
  'operator family': {
    ...inSchema('opf', 'opfname', 'opfnamespace'),
    more: () => ({
      opmembers: `(SELECT pg_catalog.md5(pg_catalog.string_agg(x.m, ',' ORDER BY x.m)) FROM (SELECT (pg_catalog.to_jsonb(a) OPERATOR(pg_catalog.-) 'oid'::pg_catalog.text)::pg_catalog.text AS m FROM pg_catalog.pg_amop a WHERE a.amopfamily OPERATOR(pg_catalog.=) opf.oid UNION ALL SELECT (pg_catalog.to_jsonb(a) OPERATOR(pg_catalog.-) 'oid'::pg_catalog.text)::pg_catalog.text FROM pg_catalog.pg_amproc a WHERE a.amprocfamily OPERATOR(pg_catalog.=) opf.oid) x)`
    })
  },
  'foreign-data wrapper': unqualified('fdw', 'fdwname'),
  server: {
    ...unqualified('srv', 'srvname'),
    // pg_user_mappings: the options only where the role that connected may read them
    more: () => ({
      usermappings: `(SELECT pg_catalog.md5(pg_catalog.string_agg(u::pg_catalog.text, ',' ORDER BY u.umid)) FROM pg_catalog.pg_user_mappings u WHERE u.srvid OPERATOR(pg_catalog.=) srv.oid)`
    })
  },
  'event trigger': unqualified('evt', 'evtname'),
  // a33b A2: the target's own access methods and procedural languages (not initdb's)
  'access method': unqualified('am', 'amname'),
  language: unqualified('lan', 'lanname')
}

/** The alias each kind's fingerprint query gives its catalog. */
const ALIAS: Record<ObjectKind, string> = {
  function: 'p',
  type: 't',
  operator: 'o',
  schema: 'n',
  ...(Object.fromEntries(
    Object.entries(CATALOG_KINDS).map(([kind, k]) => [kind, k.alias])
  ) as Record<keyof typeof CATALOG_KINDS, string>)
}

/** The fingerprint query of a kind (%WHERE% selects its rows, %RELATIONS% and %SCHEMAS%: see CatalogKind). */
function objectFingerprint(kind: ObjectKind, version: number): string {
  if (kind in OBJECT_FINGERPRINT) return OBJECT_FINGERPRINT[kind as keyof typeof OBJECT_FINGERPRINT]
  const k = CATALOG_KINDS[kind as keyof typeof CATALOG_KINDS]
  const more = Object.entries(k.more?.(version) ?? {})
    .map(([name, sql]) => `, '${name}', ${sql}`)
    .join('')
  return `SELECT ${k.alias}.oid::int8 AS oid, ${k.name} AS name, COALESCE(n.nspname::pg_catalog.text, '') AS schema, ${k.objname} AS objname,
 pg_catalog.jsonb_build_object('name', ${k.name}, '${k.row}', pg_catalog.md5((pg_catalog.to_jsonb(${k.alias}) OPERATOR(pg_catalog.-) '{${k.omit.join(',')}}'::pg_catalog.text[])::pg_catalog.text),
  'comment', ${k.noComment ? 'NULL' : commentOf(OBJECT_KINDS[kind], k.alias)}${more}) AS fp
FROM pg_catalog.${OBJECT_KINDS[kind]} ${k.alias} LEFT JOIN pg_catalog.pg_namespace n ON ${k.schema !== undefined ? `n.oid OPERATOR(pg_catalog.=) ${k.alias}.${k.schema}` : 'false'}
WHERE %WHERE%`
}

/** Which rows of a kind are the target's (not pg_catalog's, information_schema's, initdb's). */
function targetsOwn(kind: ObjectKind): string {
  const k = CATALOG_KINDS[kind as keyof typeof CATALOG_KINDS] as CatalogKind | undefined
  if (k !== undefined && k.schema === undefined)
    return `${k.alias}.oid OPERATOR(pg_catalog.>=) 16384`
  return `n.nspname NOT IN ('pg_catalog','information_schema','pg_toast') AND n.nspname !~ '^pg_(toast_)?temp_'${kind === 'type' ? ` AND ${OWN_TYPES}` : ''}`
}

/**
 * The target's catalog objects ({@link OBJECT_KINDS}; not an extension's members), but the
 * provider's and pg_catalog's; `checkedRelations`: the OIDs of the relations the check compares
 * (the others' rows in a publication are the backup's).
 */
async function readObjects(
  client: pg.Client,
  not: NotProtected,
  replacedSchemas: Set<string>,
  checkedRelations: number[],
  version: number
): Promise<ProtectedObject[]> {
  // an extension's own objects are the extension's (its script made them); an object that
  // depends internally on another (a range type's constructors and multirange type) is part of
  // that one, whose digest covers it (attackers a31 A3, A4: they were guessed by their names)
  const read = (kind: ObjectKind) =>
    client.query<{
      oid: string
      name: string
      schema: string
      objname: string
      /** A function's or operator's name with its argument types (clean.ts FUNCTION_SIGNATURE). */
      sig?: string
      /** A function's or operator's name as PostgreSQL's messages give it (regprocedure, regoperator). */
      described?: string
      fp: Record<string, unknown>
    }>(
      objectFingerprint(kind, version)
        .replace(/%RELATIONS%/g, `'{${checkedRelations.join(',')}}'::pg_catalog.oid[]`)
        .replace(
          /%SCHEMAS%/g,
          `'{${objects
            .filter(o => o.kind === 'schema' && !o.replaceable)
            .map(o => o.oid)
            .join(',')}}'::pg_catalog.oid[]`
        )
        .replace(
          '%WHERE%',
          `${targetsOwn(kind)} AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend e WHERE e.classid OPERATOR(pg_catalog.=) 'pg_catalog.${OBJECT_KINDS[kind]}'::pg_catalog.regclass AND e.objid OPERATOR(pg_catalog.=) ${ALIAS[kind]}.oid AND e.deptype OPERATOR(pg_catalog.=) ANY ('{e,i}'::pg_catalog.char[]))`
        )
    )
  const providers = new Set(not.providers.map(s => s.name))
  const dependents = not.dependents.join('\n')
  // what CREATE TYPE made with a type (a range's constructors and multirange type) depends on it
  // internally and is not read apart (it goes with it); its array type is left out of the read
  // the backup's objects (a function and an operator with its argument types; a plain
  // script's by name alone), of every kind the net reads (attacker a33 A1: under clean, every
  // cast, collation, publication … of the target was replaceable)
  const cleanNamed = new Set(
    (not.cleanObjects ?? [])
      .filter(o => o.byName !== true)
      .map(o => JSON.stringify([o.kind, o.schema, o.name]))
  )
  const cleanByName = new Set(
    (not.cleanObjects ?? [])
      .filter(o => o.byName === true)
      .map(o => JSON.stringify([o.kind, o.schema, o.name]))
  )
  const schemaKey = (kind: ObjectKind, schema: string): string =>
    (CATALOG_KINDS as Record<string, CatalogKind | undefined>)[kind]?.global ? '' : schema
  const ownName = (o: { sig?: string; objname: string }): string =>
    o.sig === undefined ? o.objname : signatureKey(o.sig)
  const replacedByScript = new Set(
    (not.replacedObjects ?? []).map(o => JSON.stringify([o.kind, o.schema, o.name]))
  )
  const objects: ProtectedObject[] = []
  for (const kind of Object.keys(OBJECT_KINDS) as ObjectKind[])
    for (const o of (await read(kind)).rows) {
      if (providers.has(o.schema)) continue
      // clean: a schema the backup's own entry creates (pg_dump up to 14: the schema public's,
      // with its privileges and comment) is the backup's to set, as pg_restore --clean sets it;
      // what is in it stays the target's unless clean drops it
      if (
        kind === 'schema' &&
        not.clean === true &&
        cleanNamed.has(JSON.stringify(['schema', '', o.schema]))
      )
        continue
      // clean drops the backup's own functions, types and operators by name: the target's of
      // the same name go with them (a plain script's DROP … IF EXISTS likewise)
      // a33c A3: a plain script's function or operator, claimed by name, likewise
      const claimed =
        not.clean === true &&
        (cleanNamed.has(JSON.stringify([kind, schemaKey(kind, o.schema), ownName(o)])) ||
          cleanByName.has(JSON.stringify([kind, o.schema, o.objname])))
      const back =
        claimed && !replacedSchemas.has(o.schema)
          ? kind === 'type'
            ? o.name
            : kind === 'function' || kind === 'operator'
              ? o.described
              : undefined
          : undefined
      const replaceable =
        replacedSchemas.has(o.schema) ||
        (kind !== 'schema' &&
          not.clean === true &&
          (not.cleanObjects === undefined ||
            cleanNamed.has(JSON.stringify([kind, schemaKey(kind, o.schema), ownName(o)])) ||
            cleanByName.has(JSON.stringify([kind, o.schema, o.objname])) ||
            // clean-drop-dependents: what goes with the backup's objects (a function of the
            // target taking the backup's type), a function or operator by its whole signature
            // (attacker a33 A3: another overload of a dependent's name went unseen)
            (dependents !== '' &&
              (o.described !== undefined
                ? describedIn(dependents, o.described)
                : namedIn(
                    // a domain's constraint created again as it was (clean.ts): the domain stays
                    // the target's, checked as it was (attacker a77 F4: counted as replaced)
                    kind === 'type' ? withoutDomainConstraints(dependents) : dependents,
                    o.schema,
                    o.objname
                  ))))) ||
        replacedByScript.has(
          JSON.stringify([
            kind,
            (CATALOG_KINDS as Record<string, CatalogKind | undefined>)[kind]?.global
              ? ''
              : o.schema,
            o.objname
          ])
        ) ||
        (kind === 'schema' && (not.createdSchemas ?? []).includes(o.schema))
      objects.push({
        oid: Number(o.oid),
        name: o.name,
        kind,
        fp: o.fp,
        ...(replaceable ? { replaceable: true as const } : {}),
        ...(replaceable && back !== undefined ? { back } : {})
      })
    }
  return objects
}

/** PostgreSQL's words about the dependents without those about a domain's constraint. */
function withoutDomainConstraints(text: string): string {
  return text
    .split('\n')
    .filter(line => !/^constraint .+ on domain .+ depends on /.test(line))
    .join('\n')
}

/**
 * PostgreSQL's words about the dependents (one a line: "function public.f(integer) depends on
 * type public.t") name this function or operator, by its whole signature.
 */
export function describedIn(text: string, described: string): boolean {
  return text
    .split('\n')
    .some(line =>
      /^(?:function|procedure|aggregate|operator) /.test(line)
        ? line.slice(line.indexOf(' ') + 1).startsWith(`${described} `)
        : false
    )
}

/**
 * `schema.name` (plain or quoted) appears in PostgreSQL's words about a dependent as a whole name
 * (public.users is not named by "view public.users_v").
 */
export function namedIn(text: string, schema: string, name: string): boolean {
  // as PostgreSQL's messages name it (quote_identifier: keywords and capitals quoted), or bare
  const quote = quoteIdent
  const word = /[\p{L}\p{N}_$"]/u
  for (const whole of new Set([`${quote(schema)}.${quote(name)}`, `${schema}.${name}`])) {
    for (let at = text.indexOf(whole); at >= 0; at = text.indexOf(whole, at + 1)) {
      const before = at === 0 ? '' : text[at - 1]
      const after = text[at + whole.length] ?? ''
      if (!word.test(before) && before !== '.' && !word.test(after) && after !== '.') return true
    }
  }
  return false
}

/** The protected set holds anything to check. */
export function hasProtected(set: ProtectedSet | undefined): set is ProtectedSet {
  return (
    set !== undefined &&
    (set.relations.length > 0 ||
      set.largeObjects.length > 0 ||
      // every database has a schema public: alone, it makes no target one to protect
      (set.objects ?? []).some(o => !(o.kind === 'schema' && o.name === 'public')))
  )
}

/**
 * The sizes of the large objects `oids` the role may read (LARGE_OBJECT_SIZES), and the digests
 * of their content (LARGE_OBJECT_DIGESTS), smallest first, as long as together they stay within
 * LARGE_OBJECT_READ_LIMIT (attacker a105 H2: one sparse large object above it turned the check
 * off for all); which ones are not read and why.
 */
async function readLargeObjectContents(
  client: pg.Client,
  oids: number[]
): Promise<Pick<ProtectedSet, 'largeObjectContents' | 'largeObjectSizes' | 'largeObjectsNotRead'>> {
  if (oids.length === 0) return {}
  const sizes = await client.query<{ oid: string; size: string }>(
    LARGE_OBJECT_SIZES.replace('%OIDS%', '$1::pg_catalog.oid[]'),
    [oids]
  )
  const readable = new Set(sizes.rows.map(r => Number(r.oid)))
  const unread = oids.filter(o => !readable.has(o))
  const read: number[] = []
  const sizeOnly: number[] = []
  let total = 0
  let skipped = 0
  for (const r of [...sizes.rows].sort((a, b) => Number(a.size) - Number(b.size))) {
    if (total + Number(r.size) <= LARGE_OBJECT_READ_LIMIT) {
      total += Number(r.size)
      read.push(Number(r.oid))
    } else {
      skipped += Number(r.size)
      sizeOnly.push(Number(r.oid))
    }
  }
  const digests =
    read.length > 0
      ? await client.query<{ oid: string; digest: string }>(
          LARGE_OBJECT_DIGESTS.replace('%OIDS%', '$1::pg_catalog.oid[]'),
          [read]
        )
      : { rows: [] }
  sizeOnly.sort((a, b) => a - b)
  return {
    largeObjectContents: Object.fromEntries(digests.rows.map(r => [String(r.oid), r.digest])),
    largeObjectSizes: Object.fromEntries(sizes.rows.map(r => [String(r.oid), String(r.size)])),
    ...(unread.length > 0 || sizeOnly.length > 0
      ? {
          largeObjectsNotRead: {
            unread,
            ...(sizeOnly.length > 0 ? { sizeOnly, bytes: skipped } : {})
          }
        }
      : {})
  }
}

function dollarQuote(text: string, base: string): string {
  let tag = `$${base}$`
  for (let n = 0; text.includes(tag); n++) tag = `$${base}${n}$`
  return `${tag}${text}${tag}`
}

/**
 * The statements the load runs last, before COMMIT: they raise NET_MARKER followed by what
 * changed (or TRACK_COUNTS_OFF), which rolls the restore back.
 */
export function unchangedCheck(set: ProtectedSet): string[] {
  const want: Record<string, unknown> = {}
  for (const r of set.relations) want[String(r.oid)] = r
  const wantObjects: Record<string, unknown> = {}
  for (const o of set.objects ?? []) wantObjects[`${o.kind}:${o.oid}`] = o
  const fingerprint = FINGERPRINT.replace(
    '%WHERE%',
    'c.oid OPERATOR(pg_catalog.=) ANY (SELECT (w.key)::pg_catalog.oid FROM pg_catalog.jsonb_each(want) w)'
  )
  const ofKind = (kind: string, column: string): string =>
    `${column} OPERATOR(pg_catalog.=) ANY (SELECT pg_catalog.split_part(w.key, ':', 2)::pg_catalog.oid FROM pg_catalog.jsonb_each(want_objects) w WHERE w.key LIKE '${kind}:%')`
  // one query per kind the set holds
  const objectFingerprints =
    (Object.keys(OBJECT_KINDS) as ObjectKind[])
      .filter(kind => (set.objects ?? []).some(o => o.kind === kind))
      .map(
        kind =>
          `SELECT '${kind}:' OPERATOR(pg_catalog.||) f.oid, f.fp FROM (${objectFingerprint(
            kind,
            set.serverVersion ?? 0
          )
            .replace(
              /%RELATIONS%/g,
              "ARRAY(SELECT (w.key)::pg_catalog.oid FROM pg_catalog.jsonb_each(want) w WHERE w.value ? 'fp' AND NOT w.value ? 'replaceable')"
            )
            .replace(
              /%SCHEMAS%/g,
              "ARRAY(SELECT pg_catalog.split_part(w.key, ':', 2)::pg_catalog.oid FROM pg_catalog.jsonb_each(want_objects) w WHERE w.key LIKE 'schema:%' AND NOT w.value ? 'replaceable')"
            )
            .replace('%WHERE%', ofKind(kind, `${ALIAS[kind]}.oid`))}) f`
      )
      .join('\n UNION ALL ') || 'SELECT NULL::pg_catalog.text, NULL::pg_catalog.jsonb WHERE false'
  const body = `
DECLARE
  want pg_catalog.jsonb := ${dollarQuote(JSON.stringify(want), 'want')};
  want_objects pg_catalog.jsonb := ${dollarQuote(JSON.stringify(wantObjects), 'want')};
  phrases pg_catalog.jsonb := ${dollarQuote(JSON.stringify(PHRASES), 'phrases')};
  los pg_catalog.jsonb := ${dollarQuote(JSON.stringify(set.largeObjectRows ?? Object.fromEntries(set.largeObjects.map(o => [String(o), null]))), 'los')};
  lo_contents_ pg_catalog.jsonb := ${dollarQuote(JSON.stringify(set.largeObjectContents ?? {}), 'los')};
  lo_sizes_ pg_catalog.jsonb := ${dollarQuote(JSON.stringify(set.largeObjectSizes ?? {}), 'los')};
  readers_ pg_catalog.text[] := ${dollarQuote(`{${(set.largeObjectReaders ?? []).filter(f => /^[0-9a-f]{32}$/.test(f)).join(',')}}`, 'readers')};
  resized_ pg_catalog.text[];
  roles_ pg_catalog.oid[] := ${dollarQuote(`{${(set.roles ?? []).join(',')}}`, 'roles')};
  database_ pg_catalog.text := ${dollarQuote(set.database ?? '', 'db')};
  owners_ pg_catalog.oid[] := ${dollarQuote(`{${(set.owners ?? []).join(',')}}`, 'owners')};
  defaults_ pg_catalog.text := ${dollarQuote(set.defaultPrivileges ?? '', 'defaults')};
  deferrable_ pg_catalog.oid[] := ${dollarQuote(`{${(set.deferrableTriggers ?? []).join(',')}}`, 'deferrable')};
  extension_deps_ pg_catalog.text := ${dollarQuote(set.extensionDependencies ?? '', 'ext')};
  recreated_ pg_catalog.text[] := ${dollarQuote(`{${(set.recreatedViews ?? []).filter(f => /^[0-9a-f]{32}$/.test(f)).join(',')}}`, 'recreated')};
  replaced_views_ pg_catalog.jsonb := ${dollarQuote(JSON.stringify(set.replacedViews ?? []), 'views')};
  checked_ pg_catalog.oid[];
  checked_objects_ pg_catalog.oid[];
  guarded_ pg_catalog.oid[];
  all_ pg_catalog.oid[];
  same_ pg_catalog.oid[];
  more_ pg_catalog.oid[];
  trusted_ pg_catalog.oid[];
  found_ pg_catalog.text[];
  changes_ pg_catalog.text[] := '{}';
  now_ pg_catalog.jsonb;
  rel_ record;
  chg_ record;
  said_ pg_catalog.text;
  ins_ pg_catalog.int8;
  upd_ pg_catalog.int8;
  del_ pg_catalog.int8;
  used_ boolean;
  last_ pg_catalog.text;
  gone_ pg_catalog.text[];
  db_ pg_catalog.text;
BEGIN
  -- no JIT for this transaction's rest: compiling the plans of the catalog reads below (their
  -- estimates for regular expressions over pg_proc's bodies) took seconds, the reads milliseconds
  PERFORM pg_catalog.set_config('jit', 'off', true);
  IF pg_catalog.current_setting('track_counts') OPERATOR(pg_catalog.<>) 'on' THEN
    RAISE EXCEPTION '%', ${dollarQuote(TRACK_COUNTS_OFF, 'msg')};
  END IF;
  SELECT pg_catalog.jsonb_object_agg(g.oid, g.fp) INTO now_ FROM (${fingerprint}) g;
  FOR rel_ IN SELECT (w.key)::pg_catalog.oid AS oid, w.value AS w, now_->w.key AS got
    FROM pg_catalog.jsonb_each(want) w ORDER BY w.value->>'name'
  LOOP
    IF rel_.got IS NULL AND rel_.w ? 'replaceable' THEN
      CONTINUE;
    ELSIF rel_.got IS NULL THEN
      changes_ := changes_ OPERATOR(pg_catalog.||) ((rel_.w->>'name') OPERATOR(pg_catalog.||) ': dropped');
      CONTINUE;
    END IF;
    IF rel_.w ? 'filled' THEN
      NULL; -- its rows or value are the backup's
    ELSIF rel_.w->>'kind' OPERATOR(pg_catalog.<>) 'S' THEN
      -- an insert-only table (a provider's, found empty): the backup's rows may arrive, the
      -- target's (committed meanwhile) stay, and it is not truncated or rewritten
      IF rel_.w ? 'insertOnly' THEN
        ins_ := 0;
        IF pg_catalog.pg_relation_filenode(rel_.oid)::pg_catalog.text IS DISTINCT FROM (rel_.w->>'filenode') THEN
          changes_ := changes_ OPERATOR(pg_catalog.||) ((rel_.w->>'name') OPERATOR(pg_catalog.||) ': truncated or rewritten');
        END IF;
      ELSE
        ins_ := pg_catalog.pg_stat_get_xact_tuples_inserted(rel_.oid);
      END IF;
      upd_ := pg_catalog.pg_stat_get_xact_tuples_updated(rel_.oid);
      del_ := pg_catalog.pg_stat_get_xact_tuples_deleted(rel_.oid);
      IF ins_ OPERATOR(pg_catalog.+) upd_ OPERATOR(pg_catalog.+) del_ OPERATOR(pg_catalog.>) 0 THEN
        changes_ := changes_ OPERATOR(pg_catalog.||) pg_catalog.format('%s: %s by the restore''s own transaction', rel_.w->>'name',
          pg_catalog.array_to_string(ARRAY[
            CASE WHEN ins_ OPERATOR(pg_catalog.>) 0 THEN pg_catalog.format('%s row%s inserted', ins_, CASE WHEN ins_ OPERATOR(pg_catalog.=) 1 THEN '' ELSE 's' END) END,
            CASE WHEN upd_ OPERATOR(pg_catalog.>) 0 THEN pg_catalog.format('%s row%s updated', upd_, CASE WHEN upd_ OPERATOR(pg_catalog.=) 1 THEN '' ELSE 's' END) END,
            CASE WHEN del_ OPERATOR(pg_catalog.>) 0 THEN pg_catalog.format('%s row%s deleted', del_, CASE WHEN del_ OPERATOR(pg_catalog.=) 1 THEN '' ELSE 's' END) END], ', '));
      END IF;
    ELSE
      BEGIN
        PERFORM pg_catalog.currval(rel_.oid::pg_catalog.regclass);
        used_ := true;
      EXCEPTION WHEN OTHERS THEN
        used_ := false;
      END;
      last_ := NULL;
      IF rel_.w ? 'lastValue' AND pg_catalog.has_sequence_privilege(rel_.oid, 'SELECT,USAGE') THEN
        last_ := COALESCE(pg_catalog.pg_sequence_last_value(rel_.oid)::pg_catalog.text, 'unset');
      ELSIF rel_.w ? 'lastValue' THEN
        -- read before the load and not now: a function the load ran may have set it, then taken
        -- the role's right to read it (attacker a105 H4: REVOKE of the membership that gave it)
        changes_ := changes_ OPERATOR(pg_catalog.||) ((rel_.w->>'name') OPERATOR(pg_catalog.||) ': the restoring role may no longer read its value (its privileges on it or the role''s memberships changed during the restore), so whether it moved cannot be told: PostgreSQL does not roll a sequence back, so read its value as a role that may and set it again with setval if it moved');
      END IF;
      IF last_ IS NOT NULL AND last_ OPERATOR(pg_catalog.<>) (rel_.w->>'lastValue') THEN
        changes_ := changes_ OPERATOR(pg_catalog.||) pg_catalog.format('%s: its value moved from %s %s during the restore (nextval or setval, by the restore''s statements or another session; PostgreSQL does not roll a sequence back: set it again with setval)', rel_.w->>'name', rel_.w->>'lastValue', CASE WHEN last_ OPERATOR(pg_catalog.=) 'unset' THEN 'to unset' ELSE '(to a value withheld from the log: code the load ran can choose it)' END);
      ELSIF used_ THEN
        changes_ := changes_ OPERATOR(pg_catalog.||) ((rel_.w->>'name') OPERATOR(pg_catalog.||) ': advanced or set by the restore''s own nextval or setval (PostgreSQL does not roll a sequence back: set it again with setval)');
      END IF;
    END IF;
    IF rel_.w ? 'fp' THEN
      FOR chg_ IN SELECT e.key, e.value AS was, rel_.got->e.key AS now FROM pg_catalog.jsonb_each(rel_.w->'fp') e
        WHERE (rel_.got->e.key) IS DISTINCT FROM e.value ORDER BY e.key
      LOOP
        -- a partitioned table of the target's the backup attaches its own new tables to (pg_dump
        -- -t <partition> --load-via-partition-root): those children, and no other, may appear
        IF chg_.key OPERATOR(pg_catalog.=) 'children' AND rel_.w ? 'attaches' AND (SELECT COALESCE(pg_catalog.jsonb_agg(x.v ORDER BY (x.v OPERATOR(pg_catalog.#>>) '{}')::pg_catalog.oid), '[]'::pg_catalog.jsonb)
            FROM pg_catalog.jsonb_array_elements(chg_.now) x(v)
            WHERE chg_.was OPERATOR(pg_catalog.@>) pg_catalog.jsonb_build_array(x.v) OR NOT EXISTS (
              SELECT FROM pg_catalog.pg_class k JOIN pg_catalog.pg_namespace kn ON kn.oid OPERATOR(pg_catalog.=) k.relnamespace
               WHERE k.oid OPERATOR(pg_catalog.=) (x.v OPERATOR(pg_catalog.#>>) '{}')::pg_catalog.oid
                 AND NOT want OPERATOR(pg_catalog.?) (x.v OPERATOR(pg_catalog.#>>) '{}')
                 AND (rel_.w->'attaches') OPERATOR(pg_catalog.@>) pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_array(kn.nspname, k.relname)))) OPERATOR(pg_catalog.=) chg_.was THEN
          CONTINUE;
        END IF;
        said_ := phrases->chg_.key->>0;
        IF chg_.key OPERATOR(pg_catalog.=) 'name' THEN
          -- the new name withheld: code the load ran can choose it from the target's data, and
          -- the log is public to whoever reads the repository's runs (attacker a105 H3)
          said_ := 'renamed or moved (its new name is withheld from the log: code the load ran can choose it)';
        ELSIF pg_catalog.jsonb_typeof(chg_.was) OPERATOR(pg_catalog.=) 'array' AND pg_catalog.jsonb_typeof(chg_.now) OPERATOR(pg_catalog.=) 'array' AND pg_catalog.jsonb_array_length(phrases->chg_.key) OPERATOR(pg_catalog.=) 3 THEN
          said_ := phrases->chg_.key->>(CASE
            WHEN pg_catalog.jsonb_array_length(chg_.now) OPERATOR(pg_catalog.>) pg_catalog.jsonb_array_length(chg_.was) THEN 0
            WHEN pg_catalog.jsonb_array_length(chg_.now) OPERATOR(pg_catalog.<) pg_catalog.jsonb_array_length(chg_.was) THEN 1
            ELSE 2 END);
        END IF;
        changes_ := changes_ OPERATOR(pg_catalog.||) ((rel_.w->>'name') OPERATOR(pg_catalog.||) ': ' OPERATOR(pg_catalog.||) COALESCE(said_, chg_.key OPERATOR(pg_catalog.||) ' changed'));
      END LOOP;
    END IF;
  END LOOP;
  SELECT pg_catalog.jsonb_object_agg(g.key, g.fp) INTO now_ FROM (${objectFingerprints}) g(key, fp);
  FOR rel_ IN SELECT w.key, w.value AS w, now_->w.key AS got
    FROM pg_catalog.jsonb_each(want_objects) w ORDER BY w.value->>'name'
  LOOP
    IF rel_.got IS NULL AND rel_.w ? 'replaceable' THEN
      -- the backup's own by an entry's claim: created again by the load
      IF rel_.w ? 'back' AND (CASE rel_.w->>'kind'
          WHEN 'function' THEN pg_catalog.to_regprocedure(rel_.w->>'back')::pg_catalog.oid
          WHEN 'operator' THEN pg_catalog.to_regoperator(rel_.w->>'back')::pg_catalog.oid
          ELSE pg_catalog.to_regtype(rel_.w->>'back')::pg_catalog.oid END) IS NULL THEN
        changes_ := changes_ OPERATOR(pg_catalog.||) pg_catalog.format('%s %s: dropped, and not created again by the backup, which names it as its own', rel_.w->>'kind', rel_.w->>'name');
      END IF;
      CONTINUE;
    ELSIF rel_.got IS NULL THEN
      changes_ := changes_ OPERATOR(pg_catalog.||) pg_catalog.format('%s %s: dropped', rel_.w->>'kind', rel_.w->>'name');
      CONTINUE;
    END IF;
    FOR chg_ IN SELECT e.key, rel_.got->e.key AS now FROM pg_catalog.jsonb_each(rel_.w->'fp') e
      WHERE (rel_.got->e.key) IS DISTINCT FROM e.value ORDER BY e.key
    LOOP
      said_ := CASE chg_.key WHEN 'name' THEN 'renamed (its new name is withheld from the log: code the load ran can choose it)'
        WHEN 'comment' THEN 'its comment changed (COMMENT ON)' ELSE phrases->chg_.key->>0 END;
      changes_ := changes_ OPERATOR(pg_catalog.||) pg_catalog.format('%s %s: %s', rel_.w->>'kind', rel_.w->>'name', COALESCE(said_, chg_.key OPERATOR(pg_catalog.||) ' changed'));
    END LOOP;
  END LOOP;
  SELECT pg_catalog.array_agg(l.key ORDER BY l.key::pg_catalog.int8) INTO gone_ FROM pg_catalog.jsonb_each_text(los) l
    WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_largeobject_metadata m WHERE m.oid OPERATOR(pg_catalog.=) l.key::pg_catalog.oid);
  IF gone_ IS NOT NULL THEN
    changes_ := changes_ OPERATOR(pg_catalog.||) pg_catalog.format('large object%s %s: unlinked', CASE WHEN pg_catalog.cardinality(gone_) OPERATOR(pg_catalog.=) 1 THEN '' ELSE 's' END, pg_catalog.array_to_string(gone_[1:20], ', '));
  END IF;
  SELECT pg_catalog.array_agg(l.key ORDER BY l.key::pg_catalog.int8) INTO gone_ FROM pg_catalog.jsonb_each_text(los) l
    JOIN pg_catalog.pg_largeobject_metadata m ON m.oid OPERATOR(pg_catalog.=) l.key::pg_catalog.oid
    WHERE l.value IS NOT NULL AND l.value OPERATOR(pg_catalog.<>) pg_catalog.md5(pg_catalog.concat_ws(':', m.xmin, m::pg_catalog.text, (SELECT d.description FROM pg_catalog.pg_description d WHERE d.objoid OPERATOR(pg_catalog.=) m.oid AND d.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_largeobject'::pg_catalog.regclass AND d.objsubid OPERATOR(pg_catalog.=) 0)));
  IF gone_ IS NOT NULL THEN
    changes_ := changes_ OPERATOR(pg_catalog.||) pg_catalog.format('large object%s %s: unlinked and created again, or its owner, privileges or comment changed', CASE WHEN pg_catalog.cardinality(gone_) OPERATOR(pg_catalog.=) 1 THEN '' ELSE 's' END, pg_catalog.array_to_string(gone_[1:20], ', '));
  END IF;
  -- one the role read before and may not now: its content cannot be compared (attacker a105 H4:
  -- a function the load ran wrote it, then revoked the membership that let the role read it)
  SELECT pg_catalog.array_agg(l.key ORDER BY l.key::pg_catalog.int8) INTO gone_ FROM pg_catalog.jsonb_each_text(lo_sizes_) l
    JOIN pg_catalog.pg_largeobject_metadata m ON m.oid OPERATOR(pg_catalog.=) l.key::pg_catalog.oid
    WHERE NOT ${LARGE_OBJECT_READABLE};
  IF gone_ IS NOT NULL THEN
    changes_ := changes_ OPERATOR(pg_catalog.||) pg_catalog.format('large object%s %s: the restoring role may no longer read %s (its privileges on %s or the role''s memberships changed during the restore), so %s content cannot be compared', CASE WHEN pg_catalog.cardinality(gone_) OPERATOR(pg_catalog.=) 1 THEN '' ELSE 's' END, pg_catalog.array_to_string(gone_[1:20], ', '), CASE WHEN pg_catalog.cardinality(gone_) OPERATOR(pg_catalog.=) 1 THEN 'it' ELSE 'them' END, CASE WHEN pg_catalog.cardinality(gone_) OPERATOR(pg_catalog.=) 1 THEN 'it' ELSE 'them' END, CASE WHEN pg_catalog.cardinality(gone_) OPERATOR(pg_catalog.=) 1 THEN 'its' ELSE 'their' END);
  END IF;
  -- written in place (lo_put, lowrite, a function the load ran): its size first, so that no more
  -- is read than was recorded (attacker a105 M1), then the content of those of the same size
  SELECT pg_catalog.array_agg(l.key ORDER BY l.key::pg_catalog.int8) INTO resized_ FROM pg_catalog.jsonb_each_text(lo_sizes_) l
    JOIN (${LARGE_OBJECT_SIZES.replace('%OIDS%', 'ARRAY(SELECT (c.key)::pg_catalog.oid FROM pg_catalog.jsonb_each_text(lo_sizes_) c)')}) z
      ON z.oid OPERATOR(pg_catalog.=) l.key::pg_catalog.int8
    WHERE z.size OPERATOR(pg_catalog.<>) l.value::pg_catalog.int8;
  SELECT pg_catalog.array_agg(l.key ORDER BY l.key::pg_catalog.int8) INTO gone_ FROM pg_catalog.jsonb_each_text(lo_contents_) l
    JOIN (${LARGE_OBJECT_DIGESTS.replace('%OIDS%', "ARRAY(SELECT (c.key)::pg_catalog.oid FROM pg_catalog.jsonb_each_text(lo_contents_) c WHERE NOT c.key OPERATOR(pg_catalog.=) ANY (COALESCE(resized_, '{}')))")}) d
      ON d.oid OPERATOR(pg_catalog.=) l.key::pg_catalog.int8
    WHERE d.digest OPERATOR(pg_catalog.<>) l.value;
  gone_ := COALESCE(resized_, '{}') OPERATOR(pg_catalog.||) COALESCE(gone_, '{}');
  IF pg_catalog.cardinality(gone_) OPERATOR(pg_catalog.=) 0 THEN
    gone_ := NULL;
  END IF;
  IF gone_ IS NOT NULL THEN
    changes_ := changes_ OPERATOR(pg_catalog.||) pg_catalog.format('large object%s %s: content written', CASE WHEN pg_catalog.cardinality(gone_) OPERATOR(pg_catalog.=) 1 THEN '' ELSE 's' END, pg_catalog.array_to_string(gone_[1:20], ', '));
  END IF;
  -- what the backup brings that reads large objects, where the target keeps some it may read:
  -- run as the rows load (a CHECK's, a DEFAULT's, a trigger's function, a materialized view),
  -- it can copy their content into the backup's tables, which no digest shows (attacker a105
  -- H1; a copy of a kept table's rows is told by the relations it reads, above)
  IF lo_contents_ OPERATOR(pg_catalog.<>) '{}'::pg_catalog.jsonb THEN
    SELECT pg_catalog.array_agg(r.said ORDER BY r.said) INTO found_ FROM (${LARGE_OBJECT_READERS}) r
     WHERE NOT r.fp OPERATOR(pg_catalog.=) ANY (readers_);
    IF found_ IS NOT NULL THEN
      changes_ := changes_ OPERATOR(pg_catalog.||) pg_catalog.format('the target''s large objects: the backup''s %s %s their content (lo_get, loread or lo_export): run as the rows load, %s could copy it into the backup''s tables, which the check cannot tell; restore into a database without large objects of its own', pg_catalog.array_to_string(found_[1:5], ', '), CASE WHEN pg_catalog.cardinality(found_) OPERATOR(pg_catalog.=) 1 THEN 'reads' ELSE 'read' END, CASE WHEN pg_catalog.cardinality(found_) OPERATOR(pg_catalog.=) 1 THEN 'it' ELSE 'they' END);
    END IF;
  END IF;
  SELECT pg_catalog.array_agg((w.key)::pg_catalog.oid) FILTER (WHERE w.value ? 'fp'), pg_catalog.array_agg((w.key)::pg_catalog.oid)
    INTO guarded_, all_ FROM pg_catalog.jsonb_each(want) w;
  -- a deferred trigger would run at COMMIT, after this check, and may defer itself again
  SELECT pg_catalog.array_agg(pg_catalog.format('%I on %s', t.tgname, t.tgrelid::pg_catalog.regclass) ORDER BY t.oid) INTO found_
    FROM pg_catalog.pg_trigger t WHERE t.tgdeferrable AND NOT t.tgisinternal AND NOT t.oid OPERATOR(pg_catalog.=) ANY (deferrable_);
  IF found_ IS NOT NULL THEN
    changes_ := changes_ OPERATOR(pg_catalog.||) pg_catalog.format('deferrable trigger%s %s: created by the restore (CREATE CONSTRAINT TRIGGER … DEFERRABLE); it could run at COMMIT, after this check, so it is refused into a target that holds objects', CASE WHEN pg_catalog.cardinality(found_) OPERATOR(pg_catalog.=) 1 THEN '' ELSE 's' END, pg_catalog.array_to_string(found_[1:5], ', '));
  END IF;
  -- a foreign key of the backup's onto the target's table whose action writes: the target's
  -- later DELETE or UPDATE would write the backup's table (and run its triggers)
  SELECT pg_catalog.array_agg(pg_catalog.format('%s: the foreign key %I of %s references it ON DELETE/UPDATE with an action that writes (CASCADE, SET NULL, SET DEFAULT): the target''s later deletes or updates would write the backup''s table and run its triggers', k.confrelid::pg_catalog.regclass, k.conname, k.conrelid::pg_catalog.regclass) ORDER BY k.oid) INTO found_
    FROM pg_catalog.pg_constraint k WHERE k.contype OPERATOR(pg_catalog.=) 'f' AND k.confrelid OPERATOR(pg_catalog.=) ANY (guarded_)
    AND NOT k.conrelid OPERATOR(pg_catalog.=) ANY (all_)
    AND (k.confdeltype OPERATOR(pg_catalog.<>) ALL ('{a,r}'::pg_catalog.char[]) OR k.confupdtype OPERATOR(pg_catalog.<>) ALL ('{a,r}'::pg_catalog.char[]));
  IF found_ IS NOT NULL THEN
    changes_ := changes_ OPERATOR(pg_catalog.||) found_;
  END IF;
  -- a view of the backup's over the target's table, granted to other roles: they read its rows,
  -- directly or through a chain of the backup's views (attacker a89 F1: an inner view over
  -- auth.users granted to nobody, an outer view over it granted to anon; PostgreSQL checks each
  -- view's base relations against that view's owner). Exempt: a chain whose every view is the
  -- target's replaced view over again (SAME_AS_REPLACED, found bottom-up: reads only guarded
  -- relations or views found so already) or one clean-drop-dependents created again as it was
  same_ := '{}';
  IF pg_catalog.jsonb_array_length(replaced_views_) OPERATOR(pg_catalog.>) 0 THEN
    LOOP
      SELECT pg_catalog.array_agg(v.oid) INTO more_ FROM pg_catalog.pg_class v
        WHERE v.relkind OPERATOR(pg_catalog.=) ANY ('{v,m}'::pg_catalog.char[])
        AND NOT v.oid OPERATOR(pg_catalog.=) ANY (COALESCE(all_, '{}')) AND NOT v.oid OPERATOR(pg_catalog.=) ANY (same_)
        AND ${SAME_AS_REPLACED('v', "COALESCE(guarded_, '{}') OPERATOR(pg_catalog.||) same_")};
      EXIT WHEN more_ IS NULL;
      same_ := same_ OPERATOR(pg_catalog.||) more_;
    END LOOP;
  END IF;
  trusted_ := same_;
  IF pg_catalog.cardinality(recreated_) OPERATOR(pg_catalog.>) 0 THEN
    trusted_ := trusted_ OPERATOR(pg_catalog.||) ARRAY(SELECT v.oid FROM pg_catalog.pg_class v
      WHERE v.relkind OPERATOR(pg_catalog.=) ANY ('{v,m}'::pg_catalog.char[])
        AND NOT v.oid OPERATOR(pg_catalog.=) ANY (COALESCE(all_, '{}'))
        AND ${VIEW_FINGERPRINT('v')} OPERATOR(pg_catalog.=) ANY (recreated_));
  END IF;
  -- the walk: (granted relation, its first hop, the relation reached, whether a relation on the
  -- way is not trusted), through the backup's relations only; UNION keeps it finite (cycles too)
  WITH RECURSIVE edge(src, dst) AS (
    SELECT DISTINCT r.ev_class, d.refobjid
      FROM pg_catalog.pg_rewrite r JOIN pg_catalog.pg_depend d ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND d.objid OPERATOR(pg_catalog.=) r.oid
     WHERE d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid OPERATOR(pg_catalog.<>) r.ev_class
       AND r.ev_class OPERATOR(pg_catalog.>=) 16384 AND NOT r.ev_class OPERATOR(pg_catalog.=) ANY (COALESCE(all_, '{}'))
       AND (d.refobjid OPERATOR(pg_catalog.=) ANY (COALESCE(guarded_, '{}')) OR NOT d.refobjid OPERATOR(pg_catalog.=) ANY (COALESCE(all_, '{}')))
  ), walk(g, hop, cur, tainted) AS (
    SELECT v.oid, v.oid, v.oid, NOT v.oid OPERATOR(pg_catalog.=) ANY (trusted_)
      FROM pg_catalog.pg_class v
     WHERE EXISTS (SELECT FROM edge e WHERE e.src OPERATOR(pg_catalog.=) v.oid)
       AND (EXISTS (SELECT FROM pg_catalog.aclexplode(v.relacl) a WHERE a.grantee OPERATOR(pg_catalog.<>) v.relowner)
         -- or on some of its columns (attacker a85 F3: GRANT SELECT (secret) … TO anon passed)
         OR EXISTS (SELECT FROM pg_catalog.pg_attribute t CROSS JOIN LATERAL pg_catalog.aclexplode(t.attacl) a
           WHERE t.attrelid OPERATOR(pg_catalog.=) v.oid AND t.attacl IS NOT NULL AND a.grantee OPERATOR(pg_catalog.<>) v.relowner))
    UNION
    SELECT w.g, CASE WHEN w.cur OPERATOR(pg_catalog.=) w.g THEN e.dst ELSE w.hop END, e.dst,
           w.tainted OR NOT e.dst OPERATOR(pg_catalog.=) ANY (trusted_)
      FROM walk w JOIN edge e ON e.src OPERATOR(pg_catalog.=) w.cur
     WHERE NOT e.dst OPERATOR(pg_catalog.=) ANY (COALESCE(all_, '{}'))
  )
  SELECT pg_catalog.array_agg(x.said ORDER BY x.t::pg_catalog.regclass::pg_catalog.text, x.g::pg_catalog.regclass::pg_catalog.text) INTO found_ FROM (
    SELECT DISTINCT ON (e.dst, w.g) e.dst AS t, w.g,
      CASE WHEN w.cur OPERATOR(pg_catalog.=) w.g
        THEN pg_catalog.format('%s: the view %s reads it and is granted to other roles, who would read its rows through it', e.dst::pg_catalog.regclass, w.g::pg_catalog.regclass)
        ELSE pg_catalog.format('%s: the view %s reads it through %s and is granted to other roles, who would read its rows through it', e.dst::pg_catalog.regclass, w.g::pg_catalog.regclass,
          pg_catalog.concat_ws(' → ', w.g::pg_catalog.regclass::pg_catalog.text,
            CASE WHEN w.hop OPERATOR(pg_catalog.<>) w.cur THEN w.hop::pg_catalog.regclass::pg_catalog.text END,
            CASE WHEN w.hop OPERATOR(pg_catalog.<>) w.cur AND NOT EXISTS (SELECT FROM edge h WHERE h.src OPERATOR(pg_catalog.=) w.hop AND h.dst OPERATOR(pg_catalog.=) w.cur) THEN '…' END,
            w.cur::pg_catalog.regclass::pg_catalog.text, e.dst::pg_catalog.regclass::pg_catalog.text)) END AS said
      FROM walk w JOIN edge e ON e.src OPERATOR(pg_catalog.=) w.cur
     WHERE w.tainted AND e.dst OPERATOR(pg_catalog.=) ANY (COALESCE(guarded_, '{}'))
     ORDER BY e.dst, w.g, w.cur OPERATOR(pg_catalog.=) w.g DESC, w.hop OPERATOR(pg_catalog.=) w.cur DESC) x;
  IF found_ IS NOT NULL THEN
    changes_ := changes_ OPERATOR(pg_catalog.||) found_;
  END IF;
  -- what the load copied out of the target's table into an object of the backup's granted to
  -- other roles, with no dependency between the two (attacker a90 F3): a materialized view it
  -- filled, a stored generated column it computed, through a function that reads the table or SQL
  -- built at run time (copiedRowsQuery); exempt as the view walk: a trusted materialized view.
  -- And a CHECK constraint (a domain's too) or an index expression of a table the load wrote,
  -- whose function reads the table and writes or sends: its rows can be anywhere (a91 F1)
  IF guarded_ IS NOT NULL THEN
    SELECT pg_catalog.array_agg(x.said ORDER BY x.said) INTO found_ FROM (
      SELECT DISTINCT CASE WHEN k.kind OPERATOR(pg_catalog.<>) ALL ('{m,s,f}'::pg_catalog.text[]) AND k.kept IS NOT NULL
        THEN pg_catalog.format('%s: the %s runs the function %s%s for each row the load writes, which reads it%s: what it wrote of its rows can be anywhere',
          k.kept::pg_catalog.regclass, k.named, k.fn, CASE WHEN k.via IS NOT NULL THEN pg_catalog.format(' (which calls %s)', k.via) ELSE '' END,
          CASE WHEN k.writes IS NOT NULL THEN pg_catalog.format(', and %s', k.writes) ELSE ', and runs what cannot be read' END)
        WHEN k.kind OPERATOR(pg_catalog.<>) ALL ('{m,s,f}'::pg_catalog.text[])
        THEN pg_catalog.format('the target''s tables: the %s runs the function %s%s for each row the load writes, which %s: what it reads of them and writes cannot be told',
          k.named, k.fn, CASE WHEN k.via IS NOT NULL THEN pg_catalog.format(' (which calls %s)', k.via) ELSE '' END, k.how)
        WHEN k.kept IS NOT NULL
        THEN pg_catalog.format('%s: the %s copies its rows through the function %s%s and is granted to or owned by other roles, who would read them through it',
          k.kept::pg_catalog.regclass, k.named, k.fn, CASE WHEN k.via IS NOT NULL THEN pg_catalog.format(' (which calls %s)', k.via) ELSE '' END)
        ELSE pg_catalog.format('the target''s tables: the %s is filled through the function %s%s, which %s, and is granted to or owned by other roles: what it copies of them cannot be told',
          k.named, k.fn, CASE WHEN k.via IS NOT NULL THEN pg_catalog.format(' (which calls %s)', k.via) ELSE '' END, k.how) END AS said
        FROM (SELECT c.*, CASE WHEN c.kind OPERATOR(pg_catalog.=) 'm' THEN 'materialized view ' OPERATOR(pg_catalog.||) c.obj::pg_catalog.regclass::pg_catalog.text
            WHEN c.kind OPERATOR(pg_catalog.=) 's' THEN pg_catalog.format('generated column %I of %s', c.col, c.obj::pg_catalog.regclass)
            WHEN c.kind OPERATOR(pg_catalog.=) 'f' THEN pg_catalog.format('DEFAULT of column %I of %s', c.col, c.obj::pg_catalog.regclass) ELSE c.what END AS named
          FROM (${copiedRowsQuery({
            version: set.serverVersion ?? 0,
            tables: 'guarded_',
            made: a => `NOT ${a}.oid OPERATOR(pg_catalog.=) ANY (COALESCE(all_, '{}'))`,
            // a table the load made: its rows are those it wrote in this transaction
            holds: a =>
              `(${a}.relkind OPERATOR(pg_catalog.=) 'p' OR pg_catalog.pg_stat_get_xact_tuples_inserted(${a}.oid) OPERATOR(pg_catalog.+) pg_catalog.pg_stat_get_xact_tuples_updated(${a}.oid) OPERATOR(pg_catalog.>) 0)`,
            trusted: a => `${a}.oid OPERATOR(pg_catalog.=) ANY (trusted_)`
          })}) c) k) x;
    IF found_ IS NOT NULL THEN
      changes_ := changes_ OPERATOR(pg_catalog.||) found_;
    END IF;
  END IF;
  IF ${set.extensionDependencies !== undefined ? 'true' : 'false'} THEN
    SELECT pg_catalog.array_agg((w.key)::pg_catalog.oid) INTO checked_ FROM pg_catalog.jsonb_each(want) w
      WHERE w.value ? 'fp' AND NOT w.value ? 'replaceable';
    SELECT pg_catalog.array_agg(pg_catalog.split_part(w.key, ':', 2)::pg_catalog.oid) INTO checked_objects_ FROM pg_catalog.jsonb_each(want_objects) w
      WHERE NOT w.value ? 'replaceable';
    IF (${EXTENSION_DEPENDENCIES.replace(/%RELATIONS%/g, "COALESCE(checked_, '{}')").replace(/%OBJECTS%/g, "COALESCE(checked_objects_, '{}')")}) OPERATOR(pg_catalog.<>) extension_deps_ THEN
      changes_ := changes_ OPERATOR(pg_catalog.||) 'the target''s objects: an extension dependency was added or removed (ALTER EXTENSION … ADD or DROP, ALTER … DEPENDS ON EXTENSION): a DROP EXTENSION would drop them with it, and pg_dump leaves an extension''s members out of backups'::pg_catalog.text;
    END IF;
  END IF;
  IF (${DEFAULT_PRIVILEGES.replace('%OWNERS%', 'owners_')}) OPERATOR(pg_catalog.<>) defaults_ THEN
    changes_ := changes_ OPERATOR(pg_catalog.||) 'default privileges of the target''s owners changed (ALTER DEFAULT PRIVILEGES: every object they create later would get them)'::pg_catalog.text;
  END IF;
  IF database_ OPERATOR(pg_catalog.<>) '' THEN
    ${DATABASE_FINGERPRINT.replace('%ROLES%', 'roles_')} INTO db_;
    IF db_ IS DISTINCT FROM database_ THEN
      changes_ := changes_ OPERATOR(pg_catalog.||) 'the database: its settings or options changed (ALTER DATABASE … SET or ALTER ROLE … SET, which every later session would start with; its owner, privileges or connection limit)'::pg_catalog.text;
    END IF;
  END IF;
  IF pg_catalog.cardinality(changes_) OPERATOR(pg_catalog.>) 0 THEN
    RAISE EXCEPTION '%', ${dollarQuote(NET_MARKER, 'msg')} OPERATOR(pg_catalog.||) pg_catalog.array_to_string(changes_[1:20], '; ')
      OPERATOR(pg_catalog.||) CASE WHEN pg_catalog.cardinality(changes_) OPERATOR(pg_catalog.>) 20 THEN pg_catalog.format('; and %s more', pg_catalog.cardinality(changes_) OPERATOR(pg_catalog.-) 20) ELSE '' END;
  END IF;
END`
  return [
    // a WITH HOLD cursor runs its query at COMMIT, after the check: close it now
    'CLOSE ALL;',
    // deferred triggers and constraint checks would run at COMMIT, after the check: run them now
    'SET CONSTRAINTS ALL IMMEDIATE;',
    // the check runs as the role that connected, whatever role the backup's statements set
    'RESET SESSION AUTHORIZATION;',
    'RESET ROLE;',
    'SET LOCAL search_path = pg_catalog, pg_temp;',
    // a timeout a function of the backup set would cancel the check itself (attacker a105 L2)
    'SET LOCAL statement_timeout = 0;',
    `DO ${dollarQuote(body, 'net')};`
  ]
}

/**
 * The restore's message for the net's error in psql's stderr (undefined: not the net's): what
 * changed, that nothing was restored, and what to do.
 */
export function changedObjectsMessage(
  stderr: string,
  selection?: { schemas?: readonly string[]; tables?: readonly string[]; clean?: boolean }
): string | undefined {
  // the error psql printed (its own line), not the check's text a syntax error would quote
  const raised = (text: string): number => {
    const at = stderr.search(new RegExp(`ERROR:\\s+${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`))
    return at < 0 ? -1 : stderr.indexOf(text, at)
  }
  if (raised(TRACK_COUNTS_OFF) >= 0)
    return `${TRACK_COUNTS_OFF.replace(/^restore net: /, 'the restore cannot check its own transaction: ')} (track_counts off: a superuser's setting). Its transaction was rolled back: nothing was restored. Restore with track_counts on (the server's default), or into an empty database.`
  const at = raised(NET_MARKER)
  if (at < 0) return undefined
  const what = stderr
    .slice(at + NET_MARKER.length)
    .split('\n')[0]
    .trim()
  return `the restore changed objects of the target that the backup does not own — ${what}. Checked in the restore's own transaction before its COMMIT (a change by another session meanwhile is named too): it was rolled back, nothing was restored — but for what went through a connection of its own (dblink, postgres_fdw: committed by itself, which no rollback undoes). The backup holds statements that act on the target's own objects (a trigger, rule, view, function or inheritance of the backup, or SQL in its data) — which a backup of this very database does too when the restore brings a part of it next to the rest (a view of the backup over a table the target keeps, granted to other roles, where the target had no such view or granted it to fewer roles): restore it into an empty database and look at what it does there; if it is a backup pg_dump made of this database that you trust, restore ${selected(selection) ? 'that part' : 'it'} by hand (pg_restore --single-transaction --exit-on-error${byHandSelection(selection)} -d <url> <archive>), which does not check this.`
}

/** Whether the restore named schemas or tables. */
function selected(selection: Parameters<typeof changedObjectsMessage>[1]): boolean {
  return (selection?.schemas?.length ?? 0) + (selection?.tables?.length ?? 0) > 0
}

/** A name as a shell word (single-quoted unless plain). */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_.-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`
}

/**
 * pg_restore's options for the restore's selection: --clean when it cleans, -n for each schema,
 * -t for each table (a qualified one's schema with -n, as pg_restore's -t takes a bare name).
 */
function byHandSelection(selection: Parameters<typeof changedObjectsMessage>[1]): string {
  const schemas = [...(selection?.schemas ?? [])]
  const tables: string[] = []
  for (const t of selection?.tables ?? []) {
    const dot = t.indexOf('.')
    if (dot > 0) {
      if (!schemas.includes(t.slice(0, dot))) schemas.push(t.slice(0, dot))
      tables.push(t.slice(dot + 1))
    } else tables.push(t)
  }
  return [
    ...(selection?.clean ? ['--clean'] : []),
    ...schemas.map(s => `-n ${shellWord(s)}`),
    ...tables.map(t => `-t ${shellWord(t)}`)
  ]
    .map(o => ` ${o}`)
    .join('')
}

/**
 * After a load that did not commit (failed, refused, or cancelled): the target's protected
 * sequences the restore's statements moved back — `setval` is not rolled back by PostgreSQL, so
 * a failed restore can leave a sequence of the target handing out values it handed out before.
 * An ascending one whose next value is now below what it was before the restore (its recorded
 * value; or, owned by a column, above that column's highest value, where the role may read it:
 * the application's rows stored meanwhile) is set to hand that out next again, where the role
 * may (UPDATE on it), never below where it stands then (one statement). A descending one moved
 * up is said, with the statement to run. One moved forward only skips values and is left.
 * Returns one sentence for the failure's message, or undefined when none moved back. Never
 * rejects (what cannot be read is not reported).
 */
export async function repairMovedSequences(
  client: pg.Client,
  set: ProtectedSet | undefined
): Promise<string | undefined> {
  const recorded = (set?.relations ?? []).filter(
    r =>
      r.kind === 'S' &&
      ((r.lastValue !== undefined && /^-?\d+$/.test(r.lastValue)) || r.nextValue !== undefined)
  )
  if (recorded.length === 0) return undefined
  try {
    const { rows } = await client.query<{
      oid: number
      name: string
      inc: string
      max: string
      cycle: boolean
      last: string | null
      up: boolean
      may: boolean
      readable: boolean
      owner: string | null
      column: string | null
    }>(
      `SELECT c.oid::pg_catalog.int4 AS oid, c.oid::pg_catalog.regclass::pg_catalog.text AS name,
        s.seqincrement::pg_catalog.text AS inc, s.seqmax::pg_catalog.text AS max, s.seqcycle AS cycle,
        pg_catalog.pg_sequence_last_value(c.oid)::pg_catalog.text AS last,
        s.seqincrement OPERATOR(pg_catalog.>) 0 AS up, pg_catalog.has_sequence_privilege(c.oid, 'UPDATE') AS may,
        pg_catalog.has_sequence_privilege(c.oid, 'SELECT') AS readable,
        (SELECT d.refobjid::pg_catalog.regclass::pg_catalog.text FROM pg_catalog.pg_depend d
          WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid OPERATOR(pg_catalog.=) c.oid
            AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass AND d.deptype OPERATOR(pg_catalog.=) ANY ('{a,i}'::pg_catalog.char[])
            AND d.refobjsubid OPERATOR(pg_catalog.>) 0 AND pg_catalog.has_table_privilege(d.refobjid, 'SELECT') LIMIT 1) AS owner,
        (SELECT pg_catalog.quote_ident(a.attname) FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_attribute a
            ON a.attrelid OPERATOR(pg_catalog.=) d.refobjid AND a.attnum OPERATOR(pg_catalog.=) d.refobjsubid
          WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid OPERATOR(pg_catalog.=) c.oid
            AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass AND d.deptype OPERATOR(pg_catalog.=) ANY ('{a,i}'::pg_catalog.char[])
            AND a.atttypid OPERATOR(pg_catalog.=) ANY ('{int2,int4,int8}'::pg_catalog.regtype[]) LIMIT 1) AS column
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_sequence s ON s.seqrelid OPERATOR(pg_catalog.=) c.oid
       WHERE c.oid OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.oid[]) AND pg_catalog.has_sequence_privilege(c.oid, 'SELECT,USAGE')`,
      [recorded.map(r => r.oid)]
    )
    const repaired: string[] = []
    const left: string[] = []
    for (const row of rows) {
      const was = recorded.find(r => r.oid === row.oid)!
      const inc = BigInt(row.inc)
      const numeric = was.lastValue !== undefined && /^-?\d+$/.test(was.lastValue)
      if (!row.up) {
        // descending: only a numeric value is compared; moved up hands out values again
        if (!numeric || row.last === null || BigInt(row.last) <= BigInt(was.lastValue!)) continue
        left.push(
          `${was.name} (from ${was.lastValue} to ${row.last}): set it again with SELECT pg_catalog.setval('${was.name.replace(/'/g, "''")}', ${was.lastValue}); unless the application used it since`
        )
        continue
      }
      // the value it handed out next before the restore, and above the owning column's rows
      // (not for a CYCLE sequence, whose values come again by design), never past its MAXVALUE
      const recordedNext = numeric ? BigInt(was.lastValue!) + inc : BigInt(was.nextValue!)
      const max = BigInt(row.max)
      let want = recordedNext
      let stored: bigint | undefined
      if (row.owner && row.column && !row.cycle) {
        const highest = await client
          .query<{ m: string | null }>(
            `SELECT pg_catalog.max(${row.column})::pg_catalog.text AS m FROM ${row.owner}`
          )
          .then(
            r => r.rows[0]?.m ?? null,
            () => null
          )
        if (highest !== null) stored = BigInt(highest) + inc
        if (stored !== undefined && stored > want) want = stored
      }
      if (want > max) want = max
      // where it stands: the value it hands out next (read from it where the role may)
      const now = row.readable
        ? await client
            .query<{ next: string }>(
              `SELECT (CASE WHEN is_called THEN last_value OPERATOR(pg_catalog.+) $1::pg_catalog.int8 ELSE last_value END)::pg_catalog.text AS next FROM ${row.name}`,
              [row.inc]
            )
            .then(
              r => BigInt(r.rows[0].next),
              () => undefined
            )
        : row.last === null
          ? undefined
          : BigInt(row.last) + inc
      // moved back by the load: below where it stood before (a sequence the load did not move
      // back is not touched, whatever its table holds; attacker a31 A6)
      if (now !== undefined && now >= recordedNext) continue
      if (now !== undefined && now >= want) continue
      const from = numeric ? `from ${was.lastValue}` : `handing out ${was.nextValue} next`
      const moved = `${was.name} (${from} before the restore, to ${row.last ?? 'unset'}${stored !== undefined && stored === want ? `; ${row.owner}.${row.column} holds values up to ${stored - inc}` : ''})`
      if (row.may) {
        // set only while it still stands below: one statement, never backwards
        const current = row.readable
          ? `(SELECT CASE WHEN is_called THEN last_value OPERATOR(pg_catalog.+) $3::pg_catalog.int8 ELSE last_value END FROM ${row.name})`
          : `(SELECT pg_catalog.pg_sequence_last_value($1::pg_catalog.oid) OPERATOR(pg_catalog.+) $3::pg_catalog.int8)`
        const done = await client
          .query(
            `SELECT pg_catalog.setval($1::pg_catalog.oid::pg_catalog.regclass, $2::pg_catalog.int8, false)
              WHERE COALESCE(${current} OPERATOR(pg_catalog.<) $2::pg_catalog.int8, true)`,
            [row.oid, want.toString(), row.inc]
          )
          .then(
            r => r.rowCount ?? 0,
            () => -1 // refused (its MAXVALUE, a lock): said, with what to run
          )
        if (done > 0) {
          repaired.push(`${moved}: it hands out ${want} next`)
          continue
        }
        // at or above it again (another session's nextval since): nothing handed out twice
        if (done === 0) continue
      }
      left.push(
        `${moved}: set it with SELECT pg_catalog.setval('${was.name.replace(/'/g, "''")}', ${want}, false); (above any value the application took meanwhile)`
      )
    }
    const said: string[] = []
    if (repaired.length > 0)
      said.push(
        `the restore's statements moved ${plural(repaired.length, 'sequence')} of the target back, which a rollback does not undo (PostgreSQL never rolls a sequence back), and the action set ${repaired.length === 1 ? 'it' : 'them'} forward again: ${repaired.join('; ')}. Values another session took from ${repaired.length === 1 ? 'it' : 'them'} during the restore and stored nowhere the action reads may come again`
      )
    if (left.length > 0)
      said.push(
        `the restore's statements moved ${plural(left.length, 'sequence')} of the target back, which a rollback does not undo (PostgreSQL never rolls a sequence back), and the action did not set ${left.length === 1 ? 'it' : 'them'} again (the restoring role lacks UPDATE on ${left.length === 1 ? 'it' : 'them'}, ${left.length === 1 ? 'it descends' : 'they descend'}, or the server refused): ${left.join('; ')}`
      )
    return said.length > 0
      ? `${said.map(s => s.charAt(0).toUpperCase() + s.slice(1)).join('. ')}.`
      : undefined
  } catch {
    return undefined
  }
}

/** Who may create objects in a schema: its owner, and the roles granted CREATE on it. */
export interface SchemaCreators {
  owner: string
  /** Role names, quoted where needed; PUBLIC for every role. */
  creators: string[]
}

/** The owner and CREATE grantees of every schema of the database but the system's. */
/** Every name of the database's catalog an error message may quote (ProtectedSet.catalogNames). */
const CATALOG_NAMES = `SELECT c.relname::pg_catalog.text AS name FROM pg_catalog.pg_class c
  UNION SELECT n.nspname::pg_catalog.text FROM pg_catalog.pg_namespace n
  UNION SELECT t.typname::pg_catalog.text FROM pg_catalog.pg_type t
  UNION SELECT p.proname::pg_catalog.text FROM pg_catalog.pg_proc p
  UNION SELECT o.conname::pg_catalog.text FROM pg_catalog.pg_constraint o
  UNION SELECT a.attname::pg_catalog.text FROM pg_catalog.pg_attribute a WHERE a.attnum OPERATOR(pg_catalog.>) 0
  UNION SELECT r.rolname::pg_catalog.text FROM pg_catalog.pg_roles r
  UNION SELECT e.extname::pg_catalog.text FROM pg_catalog.pg_extension e
  UNION SELECT g.tgname::pg_catalog.text FROM pg_catalog.pg_trigger g
  UNION SELECT l.polname::pg_catalog.text FROM pg_catalog.pg_policy l
  UNION SELECT w.rulename::pg_catalog.text FROM pg_catalog.pg_rewrite w
  UNION SELECT d.datname::pg_catalog.text FROM pg_catalog.pg_database d
  UNION SELECT x.collname::pg_catalog.text FROM pg_catalog.pg_collation x
  UNION SELECT s.oprname::pg_catalog.text FROM pg_catalog.pg_operator s`

async function readSchemaCreators(client: pg.Client): Promise<Record<string, SchemaCreators>> {
  const { rows } = await client.query<{ schema: string; owner: string; creators: string[] }>(
    `SELECT n.nspname AS schema, pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(n.nspowner)) AS owner,
       ARRAY(SELECT DISTINCT CASE WHEN a.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(a.grantee)) END
         FROM pg_catalog.aclexplode(COALESCE(n.nspacl, pg_catalog.acldefault('n', n.nspowner))) a
        WHERE a.privilege_type OPERATOR(pg_catalog.=) 'CREATE' AND a.grantee OPERATOR(pg_catalog.<>) n.nspowner
        ORDER BY 1) AS creators
     FROM pg_catalog.pg_namespace n
    WHERE n.nspname OPERATOR(pg_catalog.<>) ALL ('{pg_catalog,information_schema,pg_toast}'::pg_catalog.name[])
      AND n.nspname OPERATOR(pg_catalog.!~) '^pg_(toast_)?temp_'`
  )
  return Object.fromEntries(rows.map(r => [r.schema, { owner: r.owner, creators: r.creators }]))
}

/**
 * After the load: the schemas the target had, where it keeps tables, in which the restore gave
 * other roles CREATE (a GRANT CREATE or ALL ON SCHEMA of the backup's; an ALTER SCHEMA … OWNER
 * TO) — not the restoring role, not a superuser: they may then create objects there, beside the
 * target's tables, that others' unqualified names resolve to (attacker a97 F3, a99 F2: anon given
 * CREATE on public, or public itself). Warned, not refused: pg_dump of a database from
 * PostgreSQL 15 on writes GRANT ALL ON SCHEMA public TO its application's role, which psql and
 * pg_restore by hand restore (trial u61 F1: refusing it rolled back a whole load). The
 * statements that undo it are given.
 */
export async function schemaCreatorsWarning(
  client: pg.Client,
  set: ProtectedSet | undefined
): Promise<string | undefined> {
  const before = set?.schemaCreators
  if (!before) return undefined
  const after = await readSchemaCreators(client)
  const { rows } = await client.query<{ name: string }>(
    `SELECT pg_catalog.quote_ident(r.rolname) AS name FROM pg_catalog.pg_roles r WHERE r.rolsuper OR r.rolname OPERATOR(pg_catalog.=) CURRENT_USER`
  )
  const trusted = new Set(rows.map(r => r.name))
  const said: string[] = []
  const undo: string[] = []
  for (const [schema, was] of Object.entries(before).sort(([a], [b]) => a.localeCompare(b))) {
    const now = after[schema]
    if (!now) continue
    const had = new Set([was.owner, ...was.creators])
    const owner = now.owner !== was.owner && !trusted.has(now.owner) ? now.owner : undefined
    const granted = now.creators.filter(r => !had.has(r) && !trusted.has(r))
    if (owner === undefined && granted.length === 0) continue
    const name = quoteIdent(schema)
    said.push(
      `${name} → ${[...(owner ? [`${owner} (now its owner)`] : []), ...granted].join(', ')}`
    )
    if (owner) undo.push(`ALTER SCHEMA ${name} OWNER TO ${was.owner};`)
    if (granted.length > 0) undo.push(`REVOKE CREATE ON SCHEMA ${name} FROM ${granted.join(', ')};`)
  }
  if (said.length === 0) return undefined
  return `Schemas of the target: the restore gave roles that lacked it the right to create objects in ${said.length === 1 ? 'a schema' : 'schemas'} where the target keeps its tables (the backup's GRANT CREATE or GRANT ALL ON SCHEMA, or ALTER SCHEMA … OWNER TO): ${said.join('; ')}. Such a role may now create tables, functions or operators there, beside the target's, that other roles' unqualified names resolve to; pg_restore and psql by hand restore it the same, without a word. If that is not meant, run: ${undo.join(' ')}`
}
