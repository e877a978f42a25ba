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
 * where they hold rows), each with a fingerprint read from the catalogs (FINGERPRINT); and the
 * large objects' OIDs. unchangedCheck() turns it into one DO block the load runs last, before
 * COMMIT, which raises (the transaction rolls back: nothing is restored) when
 *  - a protected table has rows inserted, updated or deleted by this very transaction
 *    (pg_stat_get_xact_tuples_*: writes of triggers, rules and functions included);
 *  - its fingerprint differs (dropped, renamed, rewritten or truncated, columns, constraints,
 *    triggers but those of foreign keys of the backup's own tables that reference it, rules,
 *    policies, inheritance children and parents, indexes, defaults, row security, privileges,
 *    owner, options, comment);
 *  - a protected sequence was advanced or set by this session (currval is set) or moved back;
 *  - a large object it had is gone;
 *  - track_counts is off (the counts cannot vouch for anything).
 * The message names the objects and what changed (NET_MARKER, changedObjectsMessage()).
 */
import type pg from 'pg'
import type { QualifiedName } from '../types.js'
import type { ProviderSchema } from './target-policy.js'

/** The start of the net's error, as psql prints it ("ERROR:  <marker>…"). */
export const NET_MARKER = 'restore net: objects of the target changed: '
const TRACK_COUNTS_OFF =
  'restore net: track_counts is off in the restore session, so the restore cannot prove that it wrote no rows into tables of the target it does not own'

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
  'columns', (SELECT pg_catalog.md5(pg_catalog.string_agg(pg_catalog.concat_ws(':', a.attnum, a.attname, a.atttypid, a.atttypmod, a.attnotnull, a.attisdropped, a.attidentity, a.attacl), ',' ORDER BY a.attnum)) FROM pg_catalog.pg_attribute a WHERE a.attrelid OPERATOR(pg_catalog.=) c.oid AND a.attnum OPERATOR(pg_catalog.>) 0),
  'constraints', (SELECT COALESCE(pg_catalog.jsonb_agg(k.oid ORDER BY k.oid), '[]'::pg_catalog.jsonb) FROM pg_catalog.pg_constraint k WHERE k.conrelid OPERATOR(pg_catalog.=) c.oid),
  'triggers', (SELECT COALESCE(pg_catalog.jsonb_agg(t.oid ORDER BY t.oid), '[]'::pg_catalog.jsonb) FROM pg_catalog.pg_trigger t WHERE t.tgrelid OPERATOR(pg_catalog.=) c.oid AND NOT (t.tgisinternal AND EXISTS (SELECT FROM pg_catalog.pg_constraint f WHERE f.oid OPERATOR(pg_catalog.=) t.tgconstraint AND f.conrelid OPERATOR(pg_catalog.<>) c.oid))),
  'rules', (SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.md5(pg_catalog.concat_ws(':', r.oid, r.ev_type, r.ev_enabled, r.is_instead, r.ev_qual, r.ev_action)) ORDER BY r.oid), '[]'::pg_catalog.jsonb) FROM pg_catalog.pg_rewrite r WHERE r.ev_class OPERATOR(pg_catalog.=) c.oid),
  'policies', (SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.md5(pg_catalog.concat_ws(':', p.oid, p.polcmd, p.polpermissive, p.polroles, p.polqual, p.polwithcheck)) ORDER BY p.oid), '[]'::pg_catalog.jsonb) FROM pg_catalog.pg_policy p WHERE p.polrelid OPERATOR(pg_catalog.=) c.oid),
  'children', (SELECT COALESCE(pg_catalog.jsonb_agg(i.inhrelid ORDER BY i.inhrelid), '[]'::pg_catalog.jsonb) FROM pg_catalog.pg_inherits i WHERE i.inhparent OPERATOR(pg_catalog.=) c.oid),
  'parents', (SELECT COALESCE(pg_catalog.jsonb_agg(i.inhparent ORDER BY i.inhparent), '[]'::pg_catalog.jsonb) FROM pg_catalog.pg_inherits i WHERE i.inhrelid OPERATOR(pg_catalog.=) c.oid),
  'indexes', (SELECT COALESCE(pg_catalog.jsonb_agg(x.indexrelid ORDER BY x.indexrelid), '[]'::pg_catalog.jsonb) FROM pg_catalog.pg_index x WHERE x.indrelid OPERATOR(pg_catalog.=) c.oid),
  'defaults', (SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.md5(pg_catalog.concat_ws(':', d.oid, d.adnum, d.adbin)) ORDER BY d.oid), '[]'::pg_catalog.jsonb) FROM pg_catalog.pg_attrdef d WHERE d.adrelid OPERATOR(pg_catalog.=) c.oid),
  'sequence', (SELECT pg_catalog.md5(pg_catalog.concat_ws(':', s.seqtypid, s.seqstart, s.seqincrement, s.seqmax, s.seqmin, s.seqcache, s.seqcycle)) FROM pg_catalog.pg_sequence s WHERE s.seqrelid OPERATOR(pg_catalog.=) c.oid),
  'comment', (SELECT pg_catalog.md5(d.description) FROM pg_catalog.pg_description d WHERE d.objoid OPERATOR(pg_catalog.=) c.oid AND d.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objsubid OPERATOR(pg_catalog.=) 0)
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
  owner: ['gets another owner'],
  acl: ['its privileges changed (GRANT or REVOKE)'],
  options: ['its storage options changed (ALTER TABLE … SET)'],
  security: ['its row-level security was switched'],
  columns: ['its columns changed (added, dropped, renamed, retyped, privileges)'],
  constraints: ['gets a constraint', 'loses a constraint', 'its constraints changed'],
  triggers: ['gets a trigger', 'loses a trigger', 'its triggers changed'],
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
  sequence: ['its sequence parameters changed (ALTER SEQUENCE)'],
  comment: ['its comment changed']
}

/** One protected relation as recorded. */
export interface ProtectedRelation {
  oid: number
  /** schema.name, quoted where needed. */
  name: string
  kind: string
  /** The fingerprint (undefined: only its rows are checked, a provider's table). */
  fp?: Record<string, unknown>
  /** A sequence: its last_value when recorded, if readable. */
  lastValue?: string
  /**
   * The backup replaces it (clean, or its own DROP before a CREATE of that name): it may be
   * gone; if it is still there, everything else is checked as for the others.
   */
  replaceable?: true
}

/** What the check before COMMIT proves unchanged. */
export interface ProtectedSet {
  relations: ProtectedRelation[]
  largeObjects: number[]
}

/** What the plan fills or replaces: left out of the protected set. */
export interface NotProtected {
  /** Tables and sequences a data-only backup fills or sets (the guard checked them). */
  fills: readonly QualifiedName[]
  /** clean: the relations the backup creates (by name), and the schemas it creates. */
  replaced: readonly QualifiedName[]
  replacedSchemas: readonly string[]
  /** clean: large objects the backup recreates. */
  replacedLargeObjects: readonly number[]
  /** clean-drop-dependents: objects outside the backup it drops, as PostgreSQL names them. */
  dependents: readonly string[]
  /** The provider's schemas: only their tables with rows are protected, and only their rows. */
  providers: readonly ProviderSchema[]
}

const key = (schema: string, name: string): string => JSON.stringify([schema, name])

/**
 * Reads the protected set of the target (see the module's comment): every relation outside
 * pg_catalog, information_schema and pg_toast that the plan neither fills nor replaces.
 */
export async function readProtected(client: pg.Client, not: NotProtected): Promise<ProtectedSet> {
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
        `AS name, n.nspname AS schema, c.relname, CASE WHEN c.relkind = 'S' AND pg_catalog.has_sequence_privilege(c.oid, 'SELECT') THEN pg_catalog.pg_sequence_last_value(c.oid)::text END AS last, c.relkind`
      )
      .replace('SELECT c.oid,', 'SELECT c.oid::int AS oid,')
  )
  const excluded = new Set(not.fills.map(t => key(t.schema, t.name)))
  const replaced = new Set(not.replaced.map(t => key(t.schema, t.name)))
  const schemas = new Set(not.replacedSchemas)
  const providers = new Map(not.providers.map(s => [s.name, s]))
  const dependents = not.dependents.join('\n')
  const relations: ProtectedRelation[] = []
  for (const r of rows) {
    if (excluded.has(key(r.schema, r.relname))) continue
    // clean-drop-dependents: what it drops with the backup's objects (a view; a key, default,
    // trigger, policy or column of a table) is the user's choice: only their rows are checked
    const dependent = dependents !== '' && namedIn(dependents, r.schema, r.relname)
    const replaceable = replaced.has(key(r.schema, r.relname)) || schemas.has(r.schema) || dependent
    if (dependent) {
      relations.push({ oid: r.oid, name: r.name, kind: r.kind, replaceable: true })
      continue
    }
    const provider = providers.get(r.schema)
    if (provider) {
      const table = provider.tables.find(t => t.name === r.relname)
      if (table && table.rows > 0)
        relations.push({
          oid: r.oid,
          name: r.name,
          kind: r.kind,
          ...(replaceable ? { replaceable: true as const } : {})
        })
      continue
    }
    relations.push({
      oid: r.oid,
      name: r.name,
      kind: r.kind,
      fp: r.fp,
      ...(r.last !== null ? { lastValue: r.last } : {}),
      ...(replaceable ? { replaceable: true as const } : {})
    })
  }
  const replacedLo = new Set(not.replacedLargeObjects)
  const los = await client.query<{ oid: number }>(
    'SELECT oid::int8 AS oid FROM pg_catalog.pg_largeobject_metadata ORDER BY oid'
  )
  return {
    relations,
    largeObjects: los.rows.map(r => Number(r.oid)).filter(o => !replacedLo.has(o))
  }
}

/** `schema.name` (plain or quoted) appears in PostgreSQL's words about a dependent. */
function namedIn(text: string, schema: string, name: string): boolean {
  const quote = (s: string): string =>
    /^[a-z_][a-z0-9_$]*$/.test(s) ? s : `"${s.replace(/"/g, '""')}"`
  return text.includes(`${quote(schema)}.${quote(name)}`) || text.includes(`${schema}.${name}`)
}

/** The protected set holds anything to check. */
export function hasProtected(set: ProtectedSet | undefined): set is ProtectedSet {
  return set !== undefined && (set.relations.length > 0 || set.largeObjects.length > 0)
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
  const fingerprint = FINGERPRINT.replace(
    '%WHERE%',
    'c.oid OPERATOR(pg_catalog.=) ANY (SELECT (w.key)::pg_catalog.oid FROM pg_catalog.jsonb_each(want) w)'
  )
  const body = `
DECLARE
  want pg_catalog.jsonb := ${dollarQuote(JSON.stringify(want), 'want')};
  phrases pg_catalog.jsonb := ${dollarQuote(JSON.stringify(PHRASES), 'phrases')};
  los pg_catalog.oid[] := ${dollarQuote(`{${set.largeObjects.join(',')}}`, 'los')};
  changes_ pg_catalog.text[] := '{}';
  now_ pg_catalog.jsonb;
  rel_ record;
  chg_ record;
  said_ pg_catalog.text;
  ins_ pg_catalog.int8;
  upd_ pg_catalog.int8;
  del_ pg_catalog.int8;
  used_ boolean;
  last_ pg_catalog.int8;
  gone_ pg_catalog.oid[];
BEGIN
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
    IF rel_.w->>'kind' OPERATOR(pg_catalog.<>) 'S' THEN
      ins_ := pg_catalog.pg_stat_get_xact_tuples_inserted(rel_.oid);
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
      IF rel_.w ? 'lastValue' AND pg_catalog.has_sequence_privilege(rel_.oid, 'SELECT') THEN
        last_ := pg_catalog.pg_sequence_last_value(rel_.oid);
      END IF;
      IF used_ THEN
        changes_ := changes_ OPERATOR(pg_catalog.||) ((rel_.w->>'name') OPERATOR(pg_catalog.||) ': advanced or set by the restore''s own nextval or setval (PostgreSQL does not roll a sequence back: set it again with setval)');
      ELSIF last_ IS NOT NULL AND last_ OPERATOR(pg_catalog.<>) (rel_.w->>'lastValue')::pg_catalog.int8
        AND (last_ OPERATOR(pg_catalog.<) (rel_.w->>'lastValue')::pg_catalog.int8) OPERATOR(pg_catalog.=) (pg_catalog.sign((SELECT s.seqincrement FROM pg_catalog.pg_sequence s WHERE s.seqrelid OPERATOR(pg_catalog.=) rel_.oid)) OPERATOR(pg_catalog.>) 0) THEN
        changes_ := changes_ OPERATOR(pg_catalog.||) pg_catalog.format('%s: set back from %s to %s (setval; PostgreSQL does not roll a sequence back: set it again with setval)', rel_.w->>'name', rel_.w->>'lastValue', last_);
      END IF;
    END IF;
    IF rel_.w ? 'fp' THEN
      FOR chg_ IN SELECT e.key, e.value AS was, rel_.got->e.key AS now FROM pg_catalog.jsonb_each(rel_.w->'fp') e
        WHERE (rel_.got->e.key) IS DISTINCT FROM e.value ORDER BY e.key
      LOOP
        said_ := phrases->chg_.key->>0;
        IF chg_.key OPERATOR(pg_catalog.=) 'name' THEN
          said_ := 'renamed or moved to ' OPERATOR(pg_catalog.||) (chg_.now->>0);
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
  SELECT pg_catalog.array_agg(o ORDER BY o) INTO gone_ FROM pg_catalog.unnest(los) o
    WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_largeobject_metadata m WHERE m.oid OPERATOR(pg_catalog.=) o);
  IF gone_ IS NOT NULL THEN
    changes_ := changes_ OPERATOR(pg_catalog.||) pg_catalog.format('large object%s %s: unlinked', CASE WHEN pg_catalog.cardinality(gone_) OPERATOR(pg_catalog.=) 1 THEN '' ELSE 's' END, pg_catalog.array_to_string(gone_[1:20], ', '));
  END IF;
  IF pg_catalog.cardinality(changes_) OPERATOR(pg_catalog.>) 0 THEN
    RAISE EXCEPTION '%', ${dollarQuote(NET_MARKER, 'msg')} OPERATOR(pg_catalog.||) pg_catalog.array_to_string(changes_[1:20], '; ')
      OPERATOR(pg_catalog.||) CASE WHEN pg_catalog.cardinality(changes_) OPERATOR(pg_catalog.>) 20 THEN pg_catalog.format('; and %s more', pg_catalog.cardinality(changes_) OPERATOR(pg_catalog.-) 20) ELSE '' END;
  END IF;
END`
  return ['SET LOCAL search_path = pg_catalog, pg_temp;', `DO ${dollarQuote(body, 'net')};`]
}

/**
 * The restore's message for the net's error in psql's stderr (undefined: not the net's): what
 * changed, that nothing was restored, and what to do.
 */
export function changedObjectsMessage(stderr: string): string | undefined {
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
  return `the restore changed objects of the target that the backup does not own — ${what}. Checked in the restore's own transaction before its COMMIT (a change by another session meanwhile is named too): it was rolled back, nothing was restored. The backup holds statements that act on the target's own objects (a trigger, rule, view, function or inheritance of the backup, or SQL in its data): restore it into an empty database and look at what it does there, or restore a backup made by pg_dump of the database it came from.`
}
