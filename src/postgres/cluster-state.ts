/**
 * What belongs to the whole server, not to the target database, proven unchanged by a restore
 * (attacker a68 F2): the rows of the databases the restoring role owns (name, owner, connection
 * limit, allowed connections, template, tablespace, privileges, comment), every role's
 * attributes and comment, role memberships, the settings of ALTER ROLE/DATABASE … SET (all
 * databases), and tablespaces. The text checks refuse such statements in a script, but a
 * function of the backup's that the load calls (a CHECK constraint, a default, an index
 * expression, a materialized view's refresh) runs its body's statements as the restoring role:
 * `ALTER DATABASE other CONNECTION LIMIT 0`, `ALTER ROLE app SET search_path = …`. Read before
 * the load; checked in the restore's transaction before its COMMIT where the load is the gate's
 * (clusterCheck: a change rolls it back), and after the load where pg_restore commits itself
 * (clusterChanges: said, the restore committed). The roles and memberships the restore itself
 * creates (create-roles) are left out — with the restoring role's own membership in them, which
 * PostgreSQL 16+ grants a CREATEROLE creator (attacker a69 F3) — and so is the target database's comment (verify marks
 * its scratch database with one in the load's transaction). Role passwords are not visible to a non-superuser and not
 * compared.
 */
import type pg from 'pg'
import { MARKER_TOKEN } from './marker.js'

/** The server-wide state as jsonb: {category: {key: {field: value}}}; `$1` the created roles. */
const CLUSTER_STATE = `SELECT pg_catalog.jsonb_build_object(
 'database', COALESCE((SELECT pg_catalog.jsonb_object_agg(d.oid::pg_catalog.text, pg_catalog.jsonb_build_object(
   'name', d.datname, 'owner', pg_catalog.pg_get_userbyid(d.datdba), 'allow connections', d.datallowconn,
   'connection limit', d.datconnlimit, 'template', d.datistemplate, 'tablespace', d.dattablespace::pg_catalog.int8,
   'privileges', d.datacl::pg_catalog.text,
   'comment', CASE WHEN d.datname OPERATOR(pg_catalog.<>) pg_catalog.current_database() THEN pg_catalog.shobj_description(d.oid, 'pg_database') END))
   FROM pg_catalog.pg_database d WHERE pg_catalog.pg_has_role(d.datdba, 'MEMBER')), '{}'::pg_catalog.jsonb),
 'setting', COALESCE((SELECT pg_catalog.jsonb_object_agg(
   CASE WHEN s.setrole OPERATOR(pg_catalog.=) 0 THEN 'of every role' ELSE 'of role ' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(s.setrole)) END
   OPERATOR(pg_catalog.||) CASE WHEN s.setdatabase OPERATOR(pg_catalog.=) 0 THEN ' in every database' ELSE ' in database ' OPERATOR(pg_catalog.||) COALESCE(pg_catalog.quote_ident((SELECT d.datname FROM pg_catalog.pg_database d WHERE d.oid OPERATOR(pg_catalog.=) s.setdatabase)), s.setdatabase::pg_catalog.text) END,
   pg_catalog.jsonb_build_object('settings', s.setconfig::pg_catalog.text))
   FROM pg_catalog.pg_db_role_setting s), '{}'::pg_catalog.jsonb),
 'role', COALESCE((SELECT pg_catalog.jsonb_object_agg(r.oid::pg_catalog.text, pg_catalog.jsonb_build_object(
   'name', r.rolname, 'superuser', r.rolsuper, 'inherit', r.rolinherit, 'createrole', r.rolcreaterole,
   'createdb', r.rolcreatedb, 'login', r.rolcanlogin, 'replication', r.rolreplication, 'bypassrls', r.rolbypassrls,
   'connection limit', r.rolconnlimit, 'valid until', r.rolvaliduntil::pg_catalog.text,
   'comment', pg_catalog.shobj_description(r.oid, 'pg_authid')))
   FROM pg_catalog.pg_roles r WHERE NOT r.rolname OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.text[])), '{}'::pg_catalog.jsonb),
 'membership', COALESCE((SELECT pg_catalog.jsonb_object_agg(
   pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(m.member)) OPERATOR(pg_catalog.||) ' in ' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(m.roleid))
   OPERATOR(pg_catalog.||) ' (granted by ' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(m.grantor)) OPERATOR(pg_catalog.||) ')',
   pg_catalog.to_jsonb(m) OPERATOR(pg_catalog.-) 'oid' OPERATOR(pg_catalog.-) 'roleid' OPERATOR(pg_catalog.-) 'member' OPERATOR(pg_catalog.-) 'grantor'
     OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object('restoring role', pg_catalog.pg_get_userbyid(m.member) OPERATOR(pg_catalog.=) CURRENT_USER))
   FROM pg_catalog.pg_auth_members m
  WHERE NOT (pg_catalog.pg_get_userbyid(m.roleid) OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.text[])
         AND (pg_catalog.pg_get_userbyid(m.member) OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.text[])
              OR pg_catalog.pg_get_userbyid(m.member) OPERATOR(pg_catalog.=) CURRENT_USER))), '{}'::pg_catalog.jsonb),
 'tablespace', COALESCE((SELECT pg_catalog.jsonb_object_agg(t.oid::pg_catalog.text, pg_catalog.jsonb_build_object(
   'name', t.spcname, 'owner', pg_catalog.pg_get_userbyid(t.spcowner), 'privileges', t.spcacl::pg_catalog.text,
   'options', t.spcoptions::pg_catalog.text, 'comment', pg_catalog.shobj_description(t.oid, 'pg_tablespace')))
   FROM pg_catalog.pg_tablespace t), '{}'::pg_catalog.jsonb)) AS state`

/** {category: {key: {field: value}}}, as CLUSTER_STATE reads it. */
export type ClusterState = Record<string, Record<string, Record<string, unknown>>>

/** The marker the check raises; the changes follow it. */
export const CLUSTER_MARKER = `restore net ${MARKER_TOKEN}: the whole server changed: `

/** The server-wide state now, leaving out the roles `created` (the restore's own create-roles). */
export async function readClusterState(
  client: pg.Client,
  created: ReadonlyArray<string>
): Promise<ClusterState> {
  const { rows } = await client.query<{ state: ClusterState }>(CLUSTER_STATE, [[...created]])
  return rows[0].state
}

/** One category's key in words: a database, role or tablespace by its name, the rest by its key. */
function named(category: string, key: string, value: Record<string, unknown> | undefined): string {
  const name = value && typeof value.name === 'string' ? value.name : undefined
  return `${category} ${name !== undefined ? JSON.stringify(name) : key}`
}

/**
 * Categories whose rows no function can add or remove: CREATE/DROP DATABASE and TABLESPACE
 * cannot run in a transaction block, so a new or vanished one is another session's (a busy
 * shared server): only changes of those that were there count.
 */
const FIXED_ROWS = ['database', 'tablespace']

/**
 * A membership of the restoring role itself, revoked: it takes rights from the session that
 * restores and gives nobody any (a test's event trigger revokes one mid-load to see how verify
 * reports what it may no longer read) — not counted; a new one is (a backup's function granting
 * the restoring role more).
 */
function ownMembership(category: string, value: Record<string, unknown>): boolean {
  return category === 'membership' && value['restoring role'] === true
}

/** What a change's report says in place of a new entry's name (see clusterChanges). */
const WITHHELD = 'what it is withheld from the log: code the load ran can choose its name'

/**
 * What differs between two states, one phrase each ("database "t2": connection limit changed"):
 * neither the values before or after (another database's settings can hold secrets: attacker
 * a106 F6) nor the names of what is new (code the load ran can choose them: a105 H3, a106 F7).
 */
export function clusterChanges(before: ClusterState, after: ClusterState): string[] {
  const out: string[] = []
  for (const category of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const was = before[category] ?? {}
    const now = after[category] ?? {}
    for (const [key, value] of Object.entries(was)) {
      const then = now[key]
      if (then === undefined) {
        if (!FIXED_ROWS.includes(category) && !ownMembership(category, value))
          out.push(`${named(category, key, value)}: gone`)
        continue
      }
      const fields = [...new Set([...Object.keys(value), ...Object.keys(then)])].filter(
        f => JSON.stringify(value[f] ?? null) !== JSON.stringify(then[f] ?? null)
      )
      // no values: code the load ran can choose the new ones from the target's data, and the
      // old ones can be secrets; the log is public to whoever reads the repository's runs
      if (fields.length > 0)
        out.push(`${named(category, key, value)}: ${fields.map(f => `${f} changed`).join(', ')}`)
    }
    for (const key of Object.keys(now))
      if (was[key] === undefined && !FIXED_ROWS.includes(category))
        out.push(`${category}: a new one (${WITHHELD})`)
  }
  return out
}

function dollarQuote(text: string, base: string): string {
  let tag = `$${base}$`
  for (let n = 0; text.includes(tag); n++) tag = `$${base}${n}$`
  return `${tag}${text}${tag}`
}

/**
 * The statement the gate's load runs before its COMMIT: CLUSTER_MARKER and what changed since
 * `before` (as clusterChanges words it, the first 10) raised, which rolls the restore back.
 */
export function clusterCheck(before: ClusterState, created: ReadonlyArray<string>): string {
  const roles = `{${created.map(r => `"${r.replace(/["\\]/g, m => `\\${m}`)}"`).join(',')}}`
  const state = CLUSTER_STATE.replace(
    /\$1::pg_catalog\.text\[\]/g,
    `${dollarQuote(roles, 'roles')}::pg_catalog.text[]`
  )
  return `DO ${dollarQuote(
    `
DECLARE
  was_ pg_catalog.jsonb := ${dollarQuote(JSON.stringify(before), 'was')};
  now_ pg_catalog.jsonb;
  changes_ pg_catalog.text[] := '{}';
  c_ pg_catalog.text;
  k_ pg_catalog.text;
  v_ pg_catalog.jsonb;
  name_ pg_catalog.text;
  fixed_ pg_catalog.text[] := '{${FIXED_ROWS.join(',')}}';
BEGIN
  now_ := (${state});
  FOR c_ IN SELECT pg_catalog.jsonb_object_keys(was_) LOOP
    FOR k_, v_ IN SELECT e.key, e.value FROM pg_catalog.jsonb_each(was_ OPERATOR(pg_catalog.->) c_) e LOOP
      name_ := c_ OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||) COALESCE(pg_catalog.to_jsonb(v_ OPERATOR(pg_catalog.->>) 'name')::pg_catalog.text, k_);
      IF NOT (now_ OPERATOR(pg_catalog.->) c_) OPERATOR(pg_catalog.?) k_ THEN
        IF NOT (c_ OPERATOR(pg_catalog.=) ANY (fixed_)
                OR (c_ OPERATOR(pg_catalog.=) 'membership' AND v_ OPERATOR(pg_catalog.->) 'restoring role' OPERATOR(pg_catalog.=) 'true'::pg_catalog.jsonb)) THEN
          changes_ := changes_ OPERATOR(pg_catalog.||) (name_ OPERATOR(pg_catalog.||) ': gone');
        END IF;
      ELSIF now_ OPERATOR(pg_catalog.->) c_ OPERATOR(pg_catalog.->) k_ IS DISTINCT FROM v_ THEN
        changes_ := changes_ OPERATOR(pg_catalog.||) (name_ OPERATOR(pg_catalog.||) ': ' OPERATOR(pg_catalog.||) (
          SELECT pg_catalog.string_agg(f.key OPERATOR(pg_catalog.||) ' changed', ', ' ORDER BY f.key)
            FROM pg_catalog.jsonb_each(v_) f
           WHERE f.value IS DISTINCT FROM (now_ OPERATOR(pg_catalog.->) c_ OPERATOR(pg_catalog.->) k_ OPERATOR(pg_catalog.->) f.key)));
      END IF;
    END LOOP;
    FOR k_, v_ IN SELECT e.key, e.value FROM pg_catalog.jsonb_each(now_ OPERATOR(pg_catalog.->) c_) e LOOP
      IF NOT (was_ OPERATOR(pg_catalog.->) c_) OPERATOR(pg_catalog.?) k_ AND NOT c_ OPERATOR(pg_catalog.=) ANY (fixed_) THEN
        changes_ := changes_ OPERATOR(pg_catalog.||) (c_ OPERATOR(pg_catalog.||) ${dollarQuote(`: a new one (${WITHHELD})`, 'new')});
      END IF;
    END LOOP;
  END LOOP;
  IF pg_catalog.cardinality(changes_) OPERATOR(pg_catalog.>) 0 THEN
    RAISE EXCEPTION '%', ${dollarQuote(CLUSTER_MARKER, 'msg')} OPERATOR(pg_catalog.||) pg_catalog.array_to_string(changes_[1:10], '; ');
  END IF;
END`,
    'cluster'
  )};`
}

/** The restore's message for a load the check rolled back, from psql's stderr; undefined if none. */
export function clusterChangedMessage(stderr: string): string | undefined {
  const at = stderr.search(
    new RegExp(`ERROR:\\s+${CLUSTER_MARKER.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`)
  )
  if (at < 0) return undefined
  const from = stderr.indexOf(CLUSTER_MARKER, at) + CLUSTER_MARKER.length
  const what = stderr.slice(from).split('\n')[0].trim()
  return `the load changed what belongs to the whole server, not to the target database — ${what}. A restore writes only into the target database, and pg_dump writes no such statement: the backup's own code did it as the rows loaded (a function that a CHECK constraint, a default, an index or a materialized view calls). Checked in the restore's own transaction before its COMMIT: it was rolled back, nothing was restored (if another session changed these at the same moment, restore again). Look at the backup's functions in a scratch database before restoring it anywhere.`
}

/** The restore's message when a load that committed itself (pg_restore) changed them. */
export function clusterChangedAfterCommit(changes: string[]): string {
  return `the backup was restored (committed), and while it loaded, what belongs to the whole server changed — ${changes.slice(0, 10).join('; ')}${changes.length > 10 ? `; and ${changes.length - 10} more` : ''}. A restore writes only into the target database, and pg_dump writes no such statement: the backup's own code did it as the rows loaded (a function that a CHECK constraint, a default, an index or a materialized view calls), unless another session changed these at the same moment. pg_restore committed by itself, so it could not be rolled back: put each back by hand (ALTER DATABASE / ALTER ROLE as they were above), and look at the backup's functions before restoring it anywhere else.`
}
