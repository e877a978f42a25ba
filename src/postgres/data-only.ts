/**
 * The target's side of a data-only backup (pg_dump --data-only: rows for tables, values for
 * sequences, that the backup does not create), read before anything runs: which of those tables
 * the target has and whether they hold rows, which of those sequences it has and the table each
 * belongs to. Read-only; the restore decides by it (modes/restore.ts).
 */
import type pg from 'pg'
import type { QualifiedName } from '../types.js'

/** Rows are counted up to this many (an error names the count, a larger table "more than"). */
export const DATA_ONLY_COUNT_CAP = 1_000_000

/** A table the backup fills that the target has. */
export interface DataOnlyTable extends QualifiedName {
  /** Its rows (its partitions' and children's too), up to DATA_ONLY_COUNT_CAP; -1 when `denied`. */
  rows: number
  /** More than DATA_ONLY_COUNT_CAP rows. */
  more: boolean
  /** The restoring role may not read it: whether it is empty cannot be told. */
  denied: boolean
  /**
   * Why `denied`, when the role may SELECT from it: row-level security is active for it
   * (row_security_active: the role is not its owner, or FORCE ROW LEVEL SECURITY, and has no
   * BYPASSRLS), so its policies may hide rows and a count of 0 tells nothing (attacker a34 A1:
   * a table whose rows a policy hid was filled as empty, and the net left its rows unchecked).
   */
  rowSecurity?: true
}

/** A sequence the backup sets that the target has, and the table it belongs to (OWNED BY, identity). */
export interface DataOnlySequence extends QualifiedName {
  owner?: QualifiedName
}

/**
 * The tables of the target that reference `tables` by a foreign key, directly or through one
 * another, `tables` left out: a TRUNCATE of `tables` must name them too (PostgreSQL: "cannot
 * truncate a table referenced in a foreign key constraint"), and empties them.
 */
export async function referencingTables(
  client: pg.Client,
  tables: ReadonlyArray<QualifiedName>
): Promise<QualifiedName[]> {
  if (tables.length === 0) return []
  const { rows } = await client.query<{ schema: string; name: string }>(
    `WITH RECURSIVE given(oid) AS (
       SELECT c.oid FROM pg_catalog.pg_class c
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         JOIN unnest($1::text[], $2::text[]) AS w(schema, name)
           ON w.schema = n.nspname AND w.name = c.relname),
     referencing(oid) AS (
       SELECT oid FROM given
       UNION
       SELECT k.conrelid FROM pg_catalog.pg_constraint k JOIN referencing r ON k.confrelid = r.oid
        WHERE k.contype = 'f')
     SELECT n.nspname AS schema, c.relname AS name
       FROM referencing r JOIN pg_catalog.pg_class c ON c.oid = r.oid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE r.oid NOT IN (SELECT oid FROM given) AND c.relkind IN ('r', 'p')
      ORDER BY 1, 2`,
    [tables.map(t => t.schema), tables.map(t => t.name)]
  )
  return rows
}

/** Where a sequence stands: the value its next nextval() returns, and its increment (text). */
export interface SequencePosition {
  next: string
  increment: string
}

/**
 * Where the target's sequence `sequence` stands, or undefined when the restoring role may not
 * read it (no SELECT on it): its next value is its last value, or that plus its increment once
 * it was called (is_called), as nextval() would return it.
 */
export async function sequencePosition(
  client: pg.Client,
  sequence: QualifiedName
): Promise<SequencePosition | undefined> {
  const name = `${client.escapeIdentifier(sequence.schema)}.${client.escapeIdentifier(sequence.name)}`
  const { rows: allowed } = await client.query<{ ok: boolean }>(
    `SELECT pg_catalog.has_sequence_privilege($1, 'SELECT') AS ok`,
    [name]
  )
  if (!allowed[0]?.ok) return undefined
  const { rows } = await client.query<SequencePosition>(
    `SELECT (CASE WHEN s.is_called THEN s.last_value::numeric + p.seqincrement
                  ELSE s.last_value::numeric END)::text AS next,
            p.seqincrement::text AS increment
       FROM ${name} AS s, pg_catalog.pg_sequence AS p
      WHERE p.seqrelid = $1::regclass`,
    [name]
  )
  return rows[0]
}

/**
 * The statement that sets `sequence` as pg_dump's `setval(sequence, value, isCalled)` does, run
 * last in a data-only load's transaction, unless that moves it back: unless the target's next
 * value then (after the rows loaded: a column default of the target's may have taken values
 * meanwhile; after the app's nextval calls) is past the one the setval gives (before it, for a
 * descending sequence). `value` is an integer's text (pg_dump's).
 */
export function guardedSetval(sequence: QualifiedName, value: string, isCalled: boolean): string {
  if (!/^-?\d+$/.test(value)) throw new Error(`not an integer: ${value}`)
  const ident = (s: string): string => `"${s.replace(/"/g, '""')}"`
  const name = `${ident(sequence.schema)}.${ident(sequence.name)}`
  const literal = `'${name.replace(/'/g, "''")}'`
  const next = `${value}::numeric${isCalled ? ' + p.seqincrement' : ''}`
  const now =
    'CASE WHEN q.is_called THEN q.last_value::numeric + p.seqincrement ELSE q.last_value::numeric END'
  return `SELECT pg_catalog.setval(${literal}, ${value}, ${isCalled}) FROM pg_catalog.pg_sequence AS p, ${name} AS q WHERE p.seqrelid = ${literal}::pg_catalog.regclass AND CASE WHEN p.seqincrement > 0 THEN ${next} >= ${now} ELSE ${next} <= ${now} END;`
}

/**
 * Whether pg_dump's `setval(sequence, value, isCalled)` moves a sequence standing at `at` back:
 * its next value would come before the one the target hands out now (after it for a
 * descending sequence), so values the target gave out would be given again.
 */
export function setvalMovesBack(at: SequencePosition, value: string, isCalled: boolean): boolean {
  const increment = BigInt(at.increment)
  const next = BigInt(value) + (isCalled ? increment : 0n)
  const now = BigInt(at.next)
  return increment > 0n ? next < now : next > now
}

const EXTENSION_MEMBER = `EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                 WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')`

/**
 * The ordinary and partitioned tables of `tables` the target has (extension members left out),
 * with their rows: counted with their partitions and inheritance children (a COPY into a
 * partitioned table writes its partitions), each up to DATA_ONLY_COUNT_CAP.
 */
export async function dataOnlyTables(
  client: pg.Client,
  tables: ReadonlyArray<QualifiedName>
): Promise<DataOnlyTable[]> {
  if (tables.length === 0) return []
  const { rows } = await client.query<{
    schema: string
    name: string
    readable: boolean
    rls: boolean
  }>(
    `SELECT DISTINCT n.nspname AS schema, c.relname AS name, has_table_privilege(c.oid, 'SELECT') AS readable,
            pg_catalog.row_security_active(c.oid) AS rls
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       JOIN unnest($1::text[], $2::text[]) AS w(schema, name)
         ON (w.schema = n.nspname
             -- an unqualified name: the table of that name in any schema (search_path decides)
             OR (w.schema = '' AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'))
        AND w.name = c.relname
      WHERE c.relkind IN ('r', 'p') AND NOT ${EXTENSION_MEMBER}
      ORDER BY 1, 2`,
    [tables.map(t => t.schema), tables.map(t => t.name)]
  )
  const result: DataOnlyTable[] = rows.map(r => ({
    schema: r.schema,
    name: r.name,
    rows: -1,
    more: false,
    denied: !r.readable || r.rls,
    ...(r.readable && r.rls ? { rowSecurity: true as const } : {})
  }))
  const readable = result.filter(t => !t.denied)
  for (let at = 0; at < readable.length; at += 100) {
    const batch = readable.slice(at, at + 100)
    const counted = await client.query<{ i: number; n: string }>(
      batch
        .map(
          (t, i) =>
            `SELECT ${i} AS i, (SELECT count(*) FROM (SELECT 1 FROM ${client.escapeIdentifier(t.schema)}.${client.escapeIdentifier(t.name)} LIMIT ${DATA_ONLY_COUNT_CAP + 1}) s)::text AS n`
        )
        .join(' UNION ALL ')
    )
    for (const r of counted.rows) {
      const n = Number(r.n)
      batch[Number(r.i)].rows = Math.min(n, DATA_ONLY_COUNT_CAP)
      batch[Number(r.i)].more = n > DATA_ONLY_COUNT_CAP
    }
  }
  return result
}

/**
 * The partitions, at every level, of the partitioned tables among `tables`: a COPY into a
 * partitioned table writes its rows there (pg_dump --load-via-partition-root, a script's COPY
 * into the parent). Empty when the parent is (its rows are counted with its partitions).
 */
export async function partitionsOf(
  client: pg.Client,
  tables: ReadonlyArray<QualifiedName>
): Promise<QualifiedName[]> {
  if (tables.length === 0) return []
  const { rows } = await client.query<QualifiedName>(
    `WITH RECURSIVE tree(oid) AS (
       SELECT c.oid FROM pg_catalog.pg_class c
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         JOIN unnest($1::text[], $2::text[]) AS w(schema, name)
           ON w.schema = n.nspname AND w.name = c.relname
        WHERE c.relkind = 'p'
       UNION
       SELECT i.inhrelid FROM tree t
         JOIN pg_catalog.pg_inherits i ON i.inhparent = t.oid
         JOIN pg_catalog.pg_class p ON p.oid = t.oid AND p.relkind = 'p')
     SELECT n.nspname AS schema, c.relname AS name
       FROM tree JOIN pg_catalog.pg_class c ON c.oid = tree.oid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relispartition
      ORDER BY 1, 2`,
    [tables.map(t => t.schema), tables.map(t => t.name)]
  )
  return rows
}

/**
 * Of `pairs` (a root and a table), those where the target's root is a partitioned table (relkind
 * 'p') with the table among its partitions at any level (pg_inherits, through partitioned tables
 * only: an inheritance parent routes no rows), by index into `pairs`: where a COPY into the root
 * (pg_dump --load-via-partition-root) loads rows of the table's partition tree.
 */
export async function partitionedAncestors(
  client: pg.Client,
  pairs: ReadonlyArray<{ root: QualifiedName; table: QualifiedName }>
): Promise<Set<number>> {
  if (pairs.length === 0) return new Set()
  const { rows } = await client.query<{ i: number }>(
    `WITH RECURSIVE w AS (
       SELECT (w.i - 1)::int AS i, w.rs, w.rn, w.ts, w.tn
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
              WITH ORDINALITY AS w(rs, rn, ts, tn, i)),
     tree(i, oid) AS (
       SELECT w.i, c.oid FROM w
         JOIN pg_catalog.pg_namespace n ON n.nspname = w.rs
         JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = w.rn
        WHERE c.relkind = 'p'
       UNION
       SELECT t.i, h.inhrelid FROM tree t
         JOIN pg_catalog.pg_inherits h ON h.inhparent = t.oid
         JOIN pg_catalog.pg_class p ON p.oid = t.oid AND p.relkind = 'p')
     SELECT DISTINCT w.i FROM tree t
       JOIN w ON w.i = t.i
       JOIN pg_catalog.pg_class c ON c.oid = t.oid AND c.relispartition
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = w.ts AND c.relname = w.tn`,
    [
      pairs.map(p => p.root.schema),
      pairs.map(p => p.root.name),
      pairs.map(p => p.table.schema),
      pairs.map(p => p.table.name)
    ]
  )
  return new Set(rows.map(r => r.i))
}

/**
 * The leaf partitions of each partitioned table among `tables` (keyed by JSON [schema, name]):
 * where a COPY into the parent put its rows, to be counted there (a table of no rows of its own).
 * Tables that are not partitioned, or that the target lacks, are not keys.
 */
export async function partitionLeaves(
  client: pg.Client,
  tables: ReadonlyArray<QualifiedName>
): Promise<Map<string, QualifiedName[]>> {
  const result = new Map<string, QualifiedName[]>()
  if (tables.length === 0) return result
  const { rows } = await client.query<{ rs: string; rn: string; schema: string; name: string }>(
    `WITH RECURSIVE tree(root, oid) AS (
       SELECT c.oid, c.oid FROM pg_catalog.pg_class c
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         JOIN unnest($1::text[], $2::text[]) AS w(schema, name)
           ON w.schema = n.nspname AND w.name = c.relname
        WHERE c.relkind = 'p'
       UNION
       SELECT t.root, i.inhrelid FROM tree t
         JOIN pg_catalog.pg_inherits i ON i.inhparent = t.oid
         JOIN pg_catalog.pg_class p ON p.oid = t.oid AND p.relkind = 'p')
     SELECT rn.nspname AS rs, r.relname AS rn, ln.nspname AS schema, l.relname AS name
       FROM tree
       JOIN pg_catalog.pg_class r ON r.oid = tree.root
       JOIN pg_catalog.pg_namespace rn ON rn.oid = r.relnamespace
       JOIN pg_catalog.pg_class l ON l.oid = tree.oid
       JOIN pg_catalog.pg_namespace ln ON ln.oid = l.relnamespace
      WHERE l.relkind = 'r'
      ORDER BY 1, 2, 3, 4`,
    [tables.map(t => t.schema), tables.map(t => t.name)]
  )
  for (const r of rows) {
    const key = JSON.stringify([r.rs, r.rn])
    const leaves = result.get(key) ?? []
    leaves.push({ schema: r.schema, name: r.name })
    result.set(key, leaves)
  }
  return result
}

/** The sequences of `sequences` the target has, each with the table it belongs to, if any. */
export async function dataOnlySequences(
  client: pg.Client,
  sequences: ReadonlyArray<QualifiedName>
): Promise<DataOnlySequence[]> {
  if (sequences.length === 0) return []
  const { rows } = await client.query<{
    schema: string
    name: string
    owner_schema: string | null
    owner_name: string | null
  }>(
    `SELECT DISTINCT ON (n.nspname, c.relname) n.nspname AS schema, c.relname AS name,
            tn.nspname AS owner_schema, t.relname AS owner_name
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       JOIN unnest($1::text[], $2::text[]) AS w(schema, name)
         ON w.schema = n.nspname AND w.name = c.relname
       LEFT JOIN pg_catalog.pg_depend d
         ON d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid
        AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.deptype IN ('a', 'i')
       LEFT JOIN pg_catalog.pg_class t ON t.oid = d.refobjid AND t.relkind IN ('r', 'p')
       LEFT JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace
      WHERE c.relkind = 'S'
      ORDER BY n.nspname, c.relname, t.relname NULLS LAST`,
    [sequences.map(s => s.schema), sequences.map(s => s.name)]
  )
  return rows.map(r => ({
    schema: r.schema,
    name: r.name,
    ...(r.owner_schema !== null && r.owner_name !== null
      ? { owner: { schema: r.owner_schema, name: r.owner_name } }
      : {})
  }))
}

/**
 * Of `owners` (tables sequences belong to), those that are a partitioned table or inheritance
 * parent of a table in `filled`, each with those of its descendants: pg_dump --data-only writes a
 * partitioned table's rows under its partitions, while its serial or identity sequence belongs to
 * the parent.
 */
export async function dataOnlyAncestors(
  client: pg.Client,
  owners: ReadonlyArray<QualifiedName>,
  filled: ReadonlyArray<QualifiedName>
): Promise<Array<QualifiedName & { filled: QualifiedName[] }>> {
  if (owners.length === 0 || filled.length === 0) return []
  const { rows } = await client.query<{
    schema: string
    name: string
    d_schema: string
    d_name: string
  }>(
    `WITH RECURSIVE tree(root, rel) AS (
       SELECT c.oid, c.oid
         FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         JOIN unnest($1::text[], $2::text[]) AS w(schema, name)
           ON w.schema = n.nspname AND w.name = c.relname
        WHERE c.relkind IN ('r', 'p')
       UNION
       SELECT tree.root, i.inhrelid FROM pg_catalog.pg_inherits i JOIN tree ON i.inhparent = tree.rel)
     SELECT rn.nspname AS schema, r.relname AS name, dn.nspname AS d_schema, d.relname AS d_name
       FROM tree
       JOIN pg_catalog.pg_class r ON r.oid = tree.root
       JOIN pg_catalog.pg_namespace rn ON rn.oid = r.relnamespace
       JOIN pg_catalog.pg_class d ON d.oid = tree.rel
       JOIN pg_catalog.pg_namespace dn ON dn.oid = d.relnamespace
       JOIN unnest($3::text[], $4::text[]) AS f(schema, name)
         ON f.schema = dn.nspname AND f.name = d.relname
      WHERE tree.rel <> tree.root
      ORDER BY 1, 2, 3, 4`,
    [
      owners.map(t => t.schema),
      owners.map(t => t.name),
      filled.map(t => t.schema),
      filled.map(t => t.name)
    ]
  )
  const out = new Map<string, QualifiedName & { filled: QualifiedName[] }>()
  for (const r of rows) {
    const key = JSON.stringify([r.schema, r.name])
    const entry = out.get(key) ?? { schema: r.schema, name: r.name, filled: [] }
    entry.filled.push({ schema: r.d_schema, name: r.d_name })
    out.set(key, entry)
  }
  return [...out.values()]
}

/** A column of a table the target has, as COPY with a column list treats it. */
export interface TargetColumn {
  name: string
  /** NOT NULL without a default, an identity or a generated expression: COPY must be given it. */
  required: boolean
  /** A generated column: COPY may not write it. */
  generated: boolean
}

/**
 * The columns (not dropped, not system) of each of `tables` the target has, keyed by
 * JSON.stringify([schema, name]); a table it lacks (an ordinary or partitioned table, not an
 * extension's) is not in the map.
 */
export async function targetColumns(
  client: pg.Client,
  tables: ReadonlyArray<QualifiedName>
): Promise<Map<string, TargetColumn[]>> {
  const out = new Map<string, TargetColumn[]>()
  if (tables.length === 0) return out
  const { rows } = await client.query<{
    schema: string
    name: string
    columns: TargetColumn[] | null
  }>(
    `SELECT n.nspname AS schema, c.relname AS name,
            (SELECT json_agg(json_build_object(
                      'name', a.attname::text,
                      'required', a.attnotnull AND NOT a.atthasdef AND a.attidentity = '' AND a.attgenerated = '',
                      'generated', a.attgenerated <> '') ORDER BY a.attnum)
               FROM pg_catalog.pg_attribute a
              WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       JOIN unnest($1::text[], $2::text[]) AS w(schema, name)
         ON w.schema = n.nspname AND w.name = c.relname
      WHERE c.relkind IN ('r', 'p') AND NOT ${EXTENSION_MEMBER}`,
    [tables.map(t => t.schema), tables.map(t => t.name)]
  )
  for (const r of rows) out.set(JSON.stringify([r.schema, r.name]), r.columns ?? [])
  return out
}

/** A foreign key of the target between two tables a data-only load fills. */
export interface FillForeignKey {
  schema: string
  table: string
  name: string
  /** DEFERRABLE already (its INITIALLY DEFERRED ones are left alone: checked at COMMIT anyway). */
  deferrable: boolean
  /** The restoring role may ALTER its table (it owns it, or is a member of its owner). */
  alterable: boolean
}

/** The OIDs of the tables named by the query's $1 (schemas) and $2 (names), as a subquery. */
const GIVEN_TABLES = `SELECT c.oid FROM pg_catalog.pg_class c
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         JOIN unnest($1::text[], $2::text[]) AS w(schema, name)
           ON w.schema = n.nspname AND w.name = c.relname`

/**
 * The target's foreign keys, checked immediately (not INITIALLY DEFERRED), from a table of
 * `fills` onto a table of `fills` (itself too): those the order of a data-only load's COPYs can
 * break (pg_restore loads a full archive's data in the archive's order, by name).
 */
export async function fillForeignKeys(
  client: pg.Client,
  fills: ReadonlyArray<QualifiedName>
): Promise<FillForeignKey[]> {
  if (fills.length === 0) return []
  const { rows } = await client.query<FillForeignKey>(
    `WITH f AS (${GIVEN_TABLES})
     SELECT n.nspname AS schema, c.relname AS table, k.conname AS name,
            k.condeferrable AS deferrable, pg_catalog.pg_has_role(c.relowner, 'USAGE') AS alterable
       FROM pg_catalog.pg_constraint k
       JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE k.contype = 'f' AND NOT k.condeferred AND k.conparentid = 0
        AND k.conrelid IN (SELECT oid FROM f) AND k.confrelid IN (SELECT oid FROM f)
      ORDER BY 1, 2, 3`,
    [fills.map(t => t.schema), fills.map(t => t.name)]
  )
  return rows
}

/** A table whose rows must load after those of another (a foreign key of the target). */
export interface FillOrder {
  /** The table holding the key (a partition of it, for a partitioned table). */
  table: QualifiedName
  /** The table it references (a partition of it, for a partitioned table). */
  references: QualifiedName
}

/**
 * The target's foreign keys between `tables` (tables it has that a restore loads rows into: a
 * provider's tables the restore keeps, such as auth.identities onto auth.users, or those a
 * data-only load fills), not a table onto itself, as pairs of the tables that hold the rows: a
 * partitioned table's keys stand for each of its partitions (whose data entries hold its rows),
 * on either side. The load puts the referenced table's rows first (parallel-restore.ts
 * dataPasses), whatever the archive's order (by name): a key the restoring role may not defer
 * (it does not own the table) is checked row by row as they arrive. `deferred`: keys the load
 * itself checks at its end (data-only defers those of tables the restoring role owns), left out:
 * their order does not matter (trial u56 L1: the load gave up pg_restore -d for one of them).
 */
export async function fillLoadOrder(
  client: pg.Client,
  fills: ReadonlyArray<QualifiedName>,
  deferred: ReadonlyArray<{ schema: string; table: string; name: string }> = []
): Promise<FillOrder[]> {
  if (fills.length === 0) return []
  const { rows } = await client.query<{ s: string; t: string; rs: string; rt: string }>(
    `WITH given AS (${GIVEN_TABLES}),
     -- a partition's rows are held to its partitioned ancestors' keys too
     f AS (
       SELECT oid FROM given
       UNION
       SELECT a.relid FROM given g, LATERAL pg_catalog.pg_partition_ancestors(g.oid) a),
     -- a table stands for itself; a partitioned one for its leaf partitions
     leaves(root, leaf) AS (
       SELECT c.oid, c.oid FROM pg_catalog.pg_class c WHERE c.relkind = 'r'
       UNION ALL
       SELECT c.oid, p.relid FROM pg_catalog.pg_class c,
              LATERAL pg_catalog.pg_partition_tree(c.oid) p
        WHERE c.relkind = 'p' AND p.isleaf),
     keys AS (
       SELECT DISTINCT a.leaf AS holder, b.leaf AS referenced
         FROM pg_catalog.pg_constraint k
         JOIN leaves a ON a.root = k.conrelid
         JOIN leaves b ON b.root = k.confrelid
        WHERE k.contype = 'f' AND k.conparentid = 0
          AND k.conrelid IN (SELECT oid FROM f) AND k.confrelid IN (SELECT oid FROM f)
          AND a.leaf <> b.leaf
          AND NOT EXISTS (
            SELECT FROM pg_catalog.pg_class kc
              JOIN pg_catalog.pg_namespace kn ON kn.oid = kc.relnamespace
              JOIN unnest($3::text[], $4::text[], $5::text[]) AS d(schema, tab, name)
                ON d.schema = kn.nspname AND d.tab = kc.relname AND d.name = k.conname
             WHERE kc.oid = k.conrelid))
     SELECT hn.nspname AS s, h.relname AS t, rn.nspname AS rs, r.relname AS rt
       FROM keys
       JOIN pg_catalog.pg_class h ON h.oid = keys.holder
       JOIN pg_catalog.pg_namespace hn ON hn.oid = h.relnamespace
       JOIN pg_catalog.pg_class r ON r.oid = keys.referenced
       JOIN pg_catalog.pg_namespace rn ON rn.oid = r.relnamespace
      ORDER BY 1, 2, 3, 4`,
    [
      fills.map(t => t.schema),
      fills.map(t => t.name),
      deferred.map(k => k.schema),
      deferred.map(k => k.table),
      deferred.map(k => k.name)
    ]
  )
  return rows.map(r => ({
    table: { schema: r.s, name: r.t },
    references: { schema: r.rs, name: r.rt }
  }))
}

/** A trigger of the target on a table a data-only load fills (not a foreign key's own). */
export interface FillTrigger {
  schema: string
  table: string
  name: string
  /** pg_trigger.tgenabled: 'O' fires (origin), 'A' always, 'R' on replicas only, 'D' never. */
  enabled: 'O' | 'A' | 'R' | 'D'
  /** The restoring role may ALTER its table (it owns it, or is a member of its owner). */
  alterable: boolean
}

/**
 * The triggers (not internal: no foreign key's, no constraint trigger's) of the tables in
 * `tables` and of their partitions, at every level (rows loaded into a partitioned table fire
 * its partitions' triggers), in every state: the enabled ones ('O', 'A': {@link firesOnLoad})
 * fire as a data-only load's rows arrive (a trigger that inserts into another table the backup
 * loads makes that table's COPY fail on a duplicate key); the others are set back after the load
 * too (a script's ALTER TABLE … ENABLE TRIGGER ALL, as pg_dump --disable-triggers writes it,
 * turns them on). Each is its own table's: from PostgreSQL 15 a partition's clone of its
 * parent's trigger is listed on the partition with the partition's own state (before 15 the
 * clones are internal: not listed, reached through the parent's).
 */
export async function fillTriggers(
  client: pg.Client,
  tables: ReadonlyArray<QualifiedName>
): Promise<FillTrigger[]> {
  if (tables.length === 0) return []
  const { rows } = await client.query<FillTrigger>(
    `WITH RECURSIVE filled(oid) AS (
       SELECT c.oid FROM pg_catalog.pg_class c
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         JOIN unnest($1::text[], $2::text[]) AS w(schema, name)
           ON w.schema = n.nspname AND w.name = c.relname
       UNION
       SELECT i.inhrelid FROM filled f
         JOIN pg_catalog.pg_inherits i ON i.inhparent = f.oid
         JOIN pg_catalog.pg_class p ON p.oid = f.oid AND p.relkind = 'p')
     SELECT n.nspname AS schema, c.relname AS table, g.tgname AS name, g.tgenabled AS enabled,
            pg_catalog.pg_has_role(c.relowner, 'USAGE') AS alterable
       FROM pg_catalog.pg_trigger g
       JOIN filled f ON f.oid = g.tgrelid
       JOIN pg_catalog.pg_class c ON c.oid = g.tgrelid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE NOT g.tgisinternal AND g.tgconstraint = 0
      ORDER BY 1, 2, 3`,
    [tables.map(t => t.schema), tables.map(t => t.name)]
  )
  return rows
}

/** The trigger fires as rows are written in a session of the origin role (the load's). */
export function firesOnLoad(trigger: Pick<FillTrigger, 'enabled'>): boolean {
  return trigger.enabled === 'O' || trigger.enabled === 'A'
}

/**
 * The statements that load a data-only backup's rows as they were, whatever the order of the
 * archive's tables: before the data, each of `keys` made DEFERRABLE INITIALLY DEFERRED, each of
 * `triggers` that fire disabled (ALTER TABLE … ALTER CONSTRAINT / ALTER TABLE ONLY … DISABLE TRIGGER,
 * each on its own table, so that a partitioned table's does not reach a partition's clone: the table's owner may,
 * where pg_restore --disable-triggers needs a superuser); after it, every deferred check run
 * (SET CONSTRAINTS ALL IMMEDIATE: a row that references a missing one fails here, naming the
 * constraint), and each key and trigger (every one of `triggers`, whatever its state) set back as
 * it was — all in the load's transaction.
 */
export function deferredForeignKeys(
  keys: ReadonlyArray<FillForeignKey>,
  triggers: ReadonlyArray<FillTrigger> = [],
  /** ALTER TABLE ONLY for the triggers (the server lists partitions' clones apart: 15 and up). */
  only = true
): {
  before: string[]
  after: string[]
} {
  const ident = (s: string): string => `"${s.replace(/"/g, '""')}"`
  const table = (k: { schema: string; table: string }): string =>
    `ALTER TABLE ${ident(k.schema)}.${ident(k.table)}`
  const alter = (k: FillForeignKey, how: string): string =>
    `${table(k)} ALTER CONSTRAINT ${ident(k.name)} ${how};`
  // ONLY: a partitioned table's ENABLE would set every partition's clone of the trigger, one the
  // partition had disabled of its own too (each clone is listed on its partition)
  const alterTrigger = (t: FillTrigger): string =>
    `ALTER TABLE ${only ? 'ONLY ' : ''}${ident(t.schema)}.${ident(t.table)}`
  const state = { O: 'ENABLE', A: 'ENABLE ALWAYS', R: 'ENABLE REPLICA', D: 'DISABLE' } as const
  if (keys.length === 0 && triggers.length === 0) return { before: [], after: [] }
  return {
    before: [
      ...keys.map(k => alter(k, 'DEFERRABLE INITIALLY DEFERRED')),
      ...triggers
        .filter(firesOnLoad)
        .map(t => `${alterTrigger(t)} DISABLE TRIGGER ${ident(t.name)};`)
    ],
    after: [
      ...(keys.length > 0 ? ['SET CONSTRAINTS ALL IMMEDIATE;'] : []),
      ...keys.map(k =>
        alter(k, k.deferrable ? 'DEFERRABLE INITIALLY IMMEDIATE' : 'NOT DEFERRABLE')
      ),
      ...triggers.map(t => `${alterTrigger(t)} ${state[t.enabled]} TRIGGER ${ident(t.name)};`)
    ]
  }
}
