/**
 * The restoring role's own default privileges (ALTER DEFAULT PRIVILEGES, pg_default_acl), set
 * aside while the backup's objects are created and reinstated before the restore's COMMIT.
 *
 * pg_dump writes an object's privileges as the GRANT/REVOKE that turn the hard-wired default
 * (acldefault(type, owner): the owner's privileges, and EXECUTE/USAGE to PUBLIC on functions and
 * types) into the source's ACL. The target's default privileges of the role that creates the
 * objects are not in that reckoning: a new Supabase project's `ALTER DEFAULT PRIVILEGES FOR ROLE
 * postgres IN SCHEMA public GRANT ALL ON TABLES TO anon, …` gives every table the backup creates
 * ALL to anon, and a source table closed with `REVOKE ALL ON … FROM anon` is dumped without any
 * statement about anon: restored, anon keeps ALL (readable and writable through the project's
 * API). pg_restore by hand does the same.
 *
 * With the role's default privileges made the hard-wired default again (setAsideStatements)
 * every object the backup creates starts from acldefault, and the backup's own GRANT/REVOKE make
 * exactly the source's ACL; reinstateStatements() then gives the rows back their privileges.
 * Only objects the restoring role creates take default privileges (PostgreSQL applies those of
 * the creating role, not of the owner an ALTER … OWNER TO gives the object later).
 */
import type pg from 'pg'
import { sqlQuoted } from '../sql-names.js'
import { sqlTokens } from './plain-sql.js'
import type { TocEntry } from './toc.js'

/** One privilege of a default-privilege row (a row of aclexplode()). */
export interface DefaultPrivilege {
  /** The role it is granted to; null for PUBLIC. */
  grantee: string | null
  /** As aclexplode() names it: SELECT, INSERT, …, EXECUTE, USAGE, CREATE, MAINTAIN. */
  privilege: string
  /** Granted WITH GRANT OPTION. */
  grantable: boolean
}

/** A row of pg_default_acl of the restoring role. */
export interface DefaultPrivilegeRow {
  /** defaclobjtype: r (tables), S (sequences), f (functions), T (types), n (schemas), L (large objects). */
  objtype: string
  /** The schema of an `IN SCHEMA` row; null for the role's global row (defaclnamespace = 0). */
  schema: string | null
  /** defaclacl as text, as the catalog holds it (for the log and the tests). */
  acl: string
  /** defaclacl, exploded. */
  privileges: DefaultPrivilege[]
  /**
   * What the row's privileges replace: nothing for an `IN SCHEMA` row (its GRANTs add to the
   * hard-wired default), acldefault(objtype, role) for a global row (it replaces that default).
   */
  hardWired: DefaultPrivilege[]
}

/** The restoring role and its default-privilege rows. */
export interface OwnDefaultPrivileges {
  role: string
  rows: DefaultPrivilegeRow[]
}

const KINDS: Record<string, { plural: string; noun: string }> = {
  r: { plural: 'TABLES', noun: 'table' },
  S: { plural: 'SEQUENCES', noun: 'sequence' },
  f: { plural: 'FUNCTIONS', noun: 'function' },
  T: { plural: 'TYPES', noun: 'type' },
  n: { plural: 'SCHEMAS', noun: 'schema' },
  L: { plural: 'LARGE OBJECTS', noun: 'large object' }
}

// acldefault() takes the object type of pg_class etc.: 's' is a sequence ('S' a foreign server)
const OWN_DEFAULT_PRIVILEGES = `SELECT d.defaclobjtype::pg_catalog.text AS objtype,
  CASE WHEN d.defaclnamespace OPERATOR(pg_catalog.=) 0 THEN NULL ELSE n.nspname::pg_catalog.text END AS schema,
  d.defaclacl::pg_catalog.text AS acl,
  (SELECT pg_catalog.json_agg(pg_catalog.json_build_array(CASE WHEN x.grantee OPERATOR(pg_catalog.=) 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(x.grantee)::pg_catalog.text END, x.privilege_type, x.is_grantable))
     FROM pg_catalog.aclexplode(d.defaclacl) x) AS privileges,
  CASE WHEN d.defaclnamespace OPERATOR(pg_catalog.=) 0 THEN
    (SELECT pg_catalog.json_agg(pg_catalog.json_build_array(CASE WHEN x.grantee OPERATOR(pg_catalog.=) 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(x.grantee)::pg_catalog.text END, x.privilege_type, x.is_grantable))
       FROM pg_catalog.aclexplode(pg_catalog.acldefault(CASE WHEN d.defaclobjtype OPERATOR(pg_catalog.=) 'S' THEN 's' ELSE d.defaclobjtype END, d.defaclrole)) x)
  END AS hard_wired
FROM pg_catalog.pg_default_acl d LEFT JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) d.defaclnamespace
WHERE d.defaclrole OPERATOR(pg_catalog.=) (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER)
ORDER BY d.defaclnamespace OPERATOR(pg_catalog.<>) 0, n.nspname, d.defaclobjtype`

type Exploded = [string | null, string, boolean][] | null

/**
 * Reads the default privileges of the session's role (current_user: the role the load creates
 * the backup's objects as) from pg_default_acl, before the load.
 *
 * @throws the query's error (a connection failure).
 */
export async function readOwnDefaultPrivileges(client: pg.Client): Promise<OwnDefaultPrivileges> {
  const role = await client.query<{ role: string }>('SELECT CURRENT_USER::pg_catalog.text AS role')
  const rows = await client.query<{
    objtype: string
    schema: string | null
    acl: string
    privileges: Exploded
    hard_wired: Exploded
  }>(OWN_DEFAULT_PRIVILEGES)
  const items = (e: Exploded): DefaultPrivilege[] =>
    (e ?? []).map(([grantee, privilege, grantable]) => ({ grantee, privilege, grantable }))
  return {
    role: role.rows[0].role,
    rows: rows.rows
      .filter(r => KINDS[r.objtype] !== undefined)
      .map(r => ({
        objtype: r.objtype,
        schema: r.schema,
        acl: r.acl,
        privileges: items(r.privileges),
        hardWired: r.schema === null ? items(r.hard_wired) : []
      }))
  }
}

/**
 * The statements that make the role's default privileges the hard-wired default: for an `IN
 * SCHEMA` row, REVOKE of each of its privileges; for a global row, the REVOKE/GRANT that turn it
 * back into acldefault (PostgreSQL then removes the row). Empty when the role has none.
 */
export function setAsideStatements(own: OwnDefaultPrivileges): string[] {
  return own.rows.flatMap(row => changeStatements(own.role, row, row.privileges, row.hardWired))
}

/**
 * The statements that give the role's rows their privileges back (the same aclitems, grant
 * options included), run after the backup's objects were created, before the restore's COMMIT.
 * They change only what setAsideStatements() changed: an `IN SCHEMA` row's privileges are
 * granted again (a backup's own ALTER DEFAULT PRIVILEGES … GRANT adds to them, as it would have
 * without the set-aside).
 */
export function reinstateStatements(own: OwnDefaultPrivileges): string[] {
  return own.rows.flatMap(row => changeStatements(own.role, row, row.hardWired, row.privileges))
}

/** "tables in schema public (anon, authenticated: ALL…)" for the log: one phrase per row. */
export function describeDefaultPrivileges(own: OwnDefaultPrivileges): string {
  return own.rows
    .map(r => {
      const where = r.schema === null ? 'everywhere' : `in schema ${r.schema}`
      return `${KINDS[r.objtype].plural.toLowerCase()} ${where}: ${r.acl}`
    })
    .join('; ')
}

/** The kinds of objects the rows give privileges to, with their schemas: what they reach. */
export function reachedKinds(own: OwnDefaultPrivileges): { noun: string; schema: string | null }[] {
  return own.rows.map(r => ({ noun: KINDS[r.objtype].noun, schema: r.schema }))
}

/** The ALTER DEFAULT PRIVILEGES statements that turn the row's privileges `from` into `to`. */
function changeStatements(
  role: string,
  row: DefaultPrivilegeRow,
  from: DefaultPrivilege[],
  to: DefaultPrivilege[]
): string[] {
  const head = `ALTER DEFAULT PRIVILEGES FOR ROLE ${sqlQuoted(role)}${row.schema === null ? '' : ` IN SCHEMA ${sqlQuoted(row.schema)}`}`
  const kind = KINDS[row.objtype].plural
  const key = (p: DefaultPrivilege): string => `${p.grantee ?? ''}\0${p.privilege}`
  const before = new Map(from.map(p => [key(p), p]))
  const after = new Map(to.map(p => [key(p), p]))
  // per grantee, in a fixed order: what is revoked, what loses its grant option, what is granted
  const revoke = new Map<string, string[]>()
  const revokeOption = new Map<string, string[]>()
  const grant = new Map<string, string[]>()
  const grantOption = new Map<string, string[]>()
  const add = (m: Map<string, string[]>, p: DefaultPrivilege): void => {
    const g = p.grantee === null ? 'PUBLIC' : sqlQuoted(p.grantee)
    m.set(g, [...(m.get(g) ?? []), p.privilege])
  }
  for (const [k, p] of before) {
    const q = after.get(k)
    if (!q) add(revoke, p)
    else if (p.grantable && !q.grantable) add(revokeOption, p)
  }
  for (const [k, q] of after) {
    const p = before.get(k)
    if (!p || (!p.grantable && q.grantable)) add(q.grantable ? grantOption : grant, q)
  }
  const out: string[] = []
  const sorted = (m: Map<string, string[]>): [string, string[]][] =>
    [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  for (const [g, ps] of sorted(revoke))
    out.push(`${head} REVOKE ${ps.join(', ')} ON ${kind} FROM ${g};`)
  for (const [g, ps] of sorted(revokeOption))
    out.push(`${head} REVOKE GRANT OPTION FOR ${ps.join(', ')} ON ${kind} FROM ${g};`)
  for (const [g, ps] of sorted(grant))
    out.push(`${head} GRANT ${ps.join(', ')} ON ${kind} TO ${g};`)
  for (const [g, ps] of sorted(grantOption))
    out.push(`${head} GRANT ${ps.join(', ')} ON ${kind} TO ${g} WITH GRANT OPTION;`)
  return out
}

/** An archive's DEFAULT ACL entry: its role (the TOC's owner), schema and statements. */
export interface BackupDefaultAcl {
  role: string
  /** The schema of an `IN SCHEMA` entry; null for the role's global one. */
  schema: string | null
  defn: string
}

/** What a target's default privileges give beyond the backup's: to whom, on what. */
export interface DefaultPrivilegesBeyond {
  /** The schema of an `IN SCHEMA` row; null for the role's global row (every schema). */
  schema: string | null
  /** TABLES, SEQUENCES, FUNCTIONS, TYPES. */
  kind: string
  /**
   * Each grantee (PUBLIC for none) given more, with the privileges when not all it has ("anon",
   * "anon (INSERT, UPDATE)", "anon (SELECT WITH GRANT OPTION)").
   */
  grantees: string[]
  /** The statements that take them away again (for the warning). */
  revoke: string
}

/** The privileges ALL stands for, by kind (MAINTAIN: PostgreSQL 17's). */
const ALL_OF: Record<string, string[]> = {
  TABLES: ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER', 'MAINTAIN'],
  SEQUENCES: ['USAGE', 'SELECT', 'UPDATE'],
  FUNCTIONS: ['EXECUTE'],
  TYPES: ['USAGE'],
  SCHEMAS: ['USAGE', 'CREATE'],
  'LARGE OBJECTS': ['SELECT', 'UPDATE']
}

/** One GRANT or REVOKE of an ALTER DEFAULT PRIVILEGES statement, as the server reads it. */
export interface DefaultAclChange {
  grant: boolean
  /** REVOKE GRANT OPTION FOR: only the option goes. */
  optionOnly: boolean
  /** As aclexplode() names them; ALL [PRIVILEGES] as every privilege of the kind. */
  privileges: string[]
  /** TABLES, SEQUENCES, FUNCTIONS (ROUTINES too), TYPES, SCHEMAS, LARGE OBJECTS. */
  kind: string
  /** The roles, PUBLIC as {@link PUBLIC_GRANTEE}. */
  grantees: string[]
  /** GRANT … WITH GRANT OPTION. */
  withGrantOption: boolean
}

/**
 * The GRANTs and REVOKEs of ALTER DEFAULT PRIVILEGES statements (an archive's DEFAULT ACL entry,
 * a script's statement), in order, read by the tokenizer (sqlTokens: quoted names, comments and
 * literals as the server reads them — a regex on the raw text stopped at a ';' inside a quoted
 * role name: attacker a80 F4). A statement it cannot read (CURRENT_USER as a grantee, a keyword
 * it does not know) is left out.
 */
export function defaultAclChanges(defn: string): DefaultAclChange[] {
  const tokens = sqlTokens(defn, false)
  const changes: DefaultAclChange[] = []
  let from = 0
  while (from < tokens.length) {
    let end = from
    while (end < tokens.length && !(tokens[end].kind === 'punct' && tokens[end].value === ';'))
      end++
    const change = readChange(tokens.slice(from, end))
    if (change) changes.push(change)
    from = end + 1
  }
  return changes
}

/** One statement's tokens (no ';') as a DefaultAclChange, or undefined. */
function readChange(t: ReturnType<typeof sqlTokens>): DefaultAclChange | undefined {
  const word = (i: number, w: string): boolean =>
    t[i]?.kind === 'ident' && t[i].quoted !== true && t[i].value === w
  if (!word(0, 'alter') || !word(1, 'default') || !word(2, 'privileges')) return undefined
  /** Past a list of names (r1, "R 2", …) from t[i]. */
  const skipList = (i: number): number => {
    while (t[i]?.kind === 'ident') {
      if (t[i + 1]?.value !== ',') return i + 1
      i += 2
    }
    return i
  }
  let i = 3
  for (;;) {
    if (word(i, 'for') && (word(i + 1, 'role') || word(i + 1, 'user'))) i = skipList(i + 2)
    else if (word(i, 'in') && word(i + 1, 'schema')) i = skipList(i + 2)
    else break
  }
  const grant = word(i, 'grant')
  if (!grant && !word(i, 'revoke')) return undefined
  i++
  let optionOnly = false
  if (!grant && word(i, 'grant') && word(i + 1, 'option') && word(i + 2, 'for')) {
    optionOnly = true
    i += 3
  }
  let all = false
  const named: string[] = []
  if (word(i, 'all')) {
    all = true
    i += word(i + 1, 'privileges') ? 2 : 1
  } else
    for (;;) {
      if (t[i]?.kind !== 'ident' || t[i].quoted === true) return undefined
      named.push(t[i].value.toUpperCase())
      if (t[i + 1]?.value !== ',') {
        i++
        break
      }
      i += 2
    }
  if (!word(i, 'on')) return undefined
  i++
  let kind: string
  if (word(i, 'large') && word(i + 1, 'objects')) {
    kind = 'LARGE OBJECTS'
    i += 2
  } else if (t[i]?.kind === 'ident' && t[i].quoted !== true) {
    kind = t[i].value === 'routines' ? 'FUNCTIONS' : t[i].value.toUpperCase()
    if (ALL_OF[kind] === undefined) return undefined
    i++
  } else return undefined
  if (!word(i, grant ? 'to' : 'from')) return undefined
  i++
  const grantees: string[] = []
  for (;;) {
    if (word(i, 'group') && t[i + 1]?.kind === 'ident') i++
    const name = t[i]
    if (name?.kind !== 'ident') return undefined
    if (
      name.quoted !== true &&
      ['current_user', 'current_role', 'session_user'].includes(name.value)
    )
      return undefined
    grantees.push(name.quoted !== true && name.value === 'public' ? PUBLIC_GRANTEE : name.value)
    if (t[i + 1]?.value !== ',') {
      i++
      break
    }
    i += 2
  }
  const withGrantOption = grant && word(i, 'with') && word(i + 1, 'grant') && word(i + 2, 'option')
  return {
    grant,
    optionOnly,
    privileges: all ? ALL_OF[kind] : named,
    kind,
    grantees,
    withGrantOption
  }
}

/** Each grantee's privileges, and whether with the grant option. */
type Held = Map<string, Map<string, boolean>>

/**
 * What the hard-wired default (acldefault) gives other roles than the owner: PUBLIC's EXECUTE on
 * functions, its USAGE on types. A role's global row replaces it; an `IN SCHEMA` row adds to it.
 */
function hardWiredHeld(kind: string): Held {
  const p = kind === 'FUNCTIONS' ? 'EXECUTE' : kind === 'TYPES' ? 'USAGE' : undefined
  return p ? new Map([[PUBLIC_GRANTEE, new Map([[p, false]])]]) : new Map()
}

/** `held` with a GRANT or REVOKE applied, as PostgreSQL applies it to a default-privilege row. */
function apply(held: Held, c: DefaultAclChange): void {
  for (const g of c.grantees) {
    const has = held.get(g) ?? new Map<string, boolean>()
    for (const p of c.privileges) {
      if (c.grant) has.set(p, (has.get(p) ?? false) || c.withGrantOption)
      else if (c.optionOnly) {
        if (has.has(p)) has.set(p, false)
      } else has.delete(p)
    }
    if (has.size > 0) held.set(g, has)
    else held.delete(g)
  }
}

/** A key of the backup's objects by schema and owner (JSON [schema, owner]). */
export function ownedKey(schema: string, owner: string): string {
  return JSON.stringify([schema, owner])
}

/**
 * The restoring role's default privileges, as they are after the load, that give a role more
 * than the backup's own default privileges of that role give it — privilege by privilege and
 * grant option by grant option, on what new objects would get in each schema compared: a global
 * row's privileges (the hard-wired default where there is none) together with the schema's
 * `IN SCHEMA` row's, as PostgreSQL combines them, on both sides (attacker a80 F3: a backup's
 * global `GRANT ALL ON TABLES TO anon` gives the schema's new tables what the target's IN SCHEMA
 * row gives). The backup's statements are applied in order, its REVOKEs subtracting (a80 F2).
 * Trial u39 F3: a Supabase project's `GRANT ALL ON FUNCTIONS TO anon` in schema public, which the
 * source had revoked; attacker a64 F2: anon's INSERT on tables, where the source left it SELECT.
 * pg_dump writes a schema's default privileges as GRANTs only, so a REVOKE the source made is not
 * in the backup.
 *
 * Every grantee is compared, named in the backup or not (a80 F1: a source that gave anon nothing
 * never names it, and anon kept ALL on new tables unsaid), but for the restoring role itself (an
 * owner's privileges are its own whatever the row says). A schema is compared where the backup
 * has default privileges of that very role in it, or objects the role owns in it (`owned`,
 * {@link ownedKey}): there the role is the source's, and pg_dump writes every default privilege
 * of a dumped schema, so what the backup lacks the source did not give. The role's global row
 * is compared where some schema is. Not compared: schemas outside `schemas` (the backup creates
 * nothing there) and those where the backup holds nothing of the role (another platform's role
 * of the same name, or objects of other roles only: nothing says what the source gave there).
 * Limitation: a backup of some schemas only (pg_dump --schema) carries no global default
 * privileges; they are then taken as the hard-wired default.
 */
export function defaultPrivilegesBeyondBackup(
  own: OwnDefaultPrivileges,
  backup: BackupDefaultAcl[],
  schemas: ReadonlySet<string>,
  owned: ReadonlySet<string> = new Set()
): DefaultPrivilegesBeyond[] {
  const mine = backup.filter(e => e.role === own.role)
  const compared = [...schemas].filter(
    s => owned.has(ownedKey(s, own.role)) || mine.some(e => e.schema === s)
  )
  if (compared.length === 0) return []
  const kinds = ['TABLES', 'SEQUENCES', 'FUNCTIONS', 'TYPES']
  /** The backup's rows by schema ('' for the global one) and kind, its statements applied in order. */
  const source = new Map<string, Held>()
  const sourceRow = (schema: string | null, kind: string): Held => {
    const key = `${schema ?? ''}\0${kind}`
    let held = source.get(key)
    if (!held) {
      held = schema === null ? hardWiredHeld(kind) : new Map()
      source.set(key, held)
    }
    return held
  }
  for (const e of mine)
    for (const c of defaultAclChanges(e.defn))
      if (kinds.includes(c.kind)) apply(sourceRow(e.schema, c.kind), c)
  const targetRow = (schema: string | null, kind: string): Held => {
    const row = own.rows.find(r => r.schema === schema && KINDS[r.objtype].plural === kind)
    if (!row) return schema === null ? hardWiredHeld(kind) : new Map()
    const held: Held = new Map()
    for (const p of row.privileges) {
      const g = p.grantee ?? PUBLIC_GRANTEE
      const has = held.get(g) ?? new Map<string, boolean>()
      has.set(p.privilege, (has.get(p.privilege) ?? false) || p.grantable)
      held.set(g, has)
    }
    return held
  }
  const name = (g: string): string => (g === PUBLIC_GRANTEE ? 'PUBLIC' : g)
  const quoted = (g: string): string => (g === PUBLIC_GRANTEE ? 'PUBLIC' : sqlQuoted(g))
  /** What a row gives beyond what new objects of the source got, per grantee. */
  const excess = (
    target: Held,
    given: (g: string, p: string) => boolean | undefined
  ): Map<string, { more: Set<string>; option: Set<string> }> => {
    const out = new Map<string, { more: Set<string>; option: Set<string> }>()
    for (const [g, has] of target) {
      if (g === own.role) continue
      for (const [p, grantable] of has) {
        const src = given(g, p)
        const e = out.get(g) ?? { more: new Set<string>(), option: new Set<string>() }
        if (src === undefined) e.more.add(p)
        else if (grantable && !src) e.option.add(p)
        else continue
        out.set(g, e)
      }
    }
    return out
  }
  const beyond: DefaultPrivilegesBeyond[] = []
  const describe = (
    schema: string | null,
    kind: string,
    found: Map<string, { more: Set<string>; option: Set<string> }>,
    nothing: (g: string) => boolean
  ): void => {
    if (found.size === 0) return
    const head = `ALTER DEFAULT PRIVILEGES FOR ROLE ${sqlQuoted(own.role)}${schema === null ? '' : ` IN SCHEMA ${sqlQuoted(schema)}`} REVOKE`
    const sorted = [...found].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    const whole = sorted.filter(([g, e]) => nothing(g) && e.option.size === 0).map(([g]) => g)
    const partial = sorted.filter(([g]) => !whole.includes(g))
    const grantees = [
      ...whole.map(name),
      ...partial.map(
        ([g, e]) =>
          `${name(g)} (${[...e.more, ...[...e.option].map(p => `${p} WITH GRANT OPTION`)].join(', ')})`
      )
    ]
    const revoke = [
      ...(whole.length > 0 ? [`${head} ALL ON ${kind} FROM ${whole.map(quoted).join(', ')};`] : []),
      ...partial.flatMap(([g, e]) => [
        ...(e.more.size > 0
          ? [`${head} ${[...e.more].join(', ')} ON ${kind} FROM ${quoted(g)};`]
          : []),
        ...(e.option.size > 0
          ? [`${head} GRANT OPTION FOR ${[...e.option].join(', ')} ON ${kind} FROM ${quoted(g)};`]
          : [])
      ])
    ]
    beyond.push({ schema, kind, grantees, revoke: revoke.join(' ') })
  }
  for (const kind of kinds) {
    const sourceGlobal = sourceRow(null, kind)
    const targetGlobal = targetRow(null, kind)
    // the target's global row: what it gives beyond the source's global row and, in some schema
    // compared, beyond that schema's row of the source (only a global REVOKE takes it away)
    const globalExcess = new Map<string, { more: Set<string>; option: Set<string> }>()
    for (const schema of [...compared].sort()) {
      const sourceIn = sourceRow(schema, kind)
      const given = (g: string, p: string): boolean | undefined => {
        const a = sourceIn.get(g)?.get(p)
        const b = sourceGlobal.get(g)?.get(p)
        return a === undefined && b === undefined ? undefined : (a ?? false) || (b ?? false)
      }
      describe(
        schema,
        kind,
        excess(targetRow(schema, kind), given),
        g => (sourceIn.get(g)?.size ?? 0) === 0 && (sourceGlobal.get(g)?.size ?? 0) === 0
      )
      for (const [g, e] of excess(targetGlobal, given)) {
        const all = globalExcess.get(g) ?? { more: new Set<string>(), option: new Set<string>() }
        for (const p of e.more) all.more.add(p)
        for (const p of e.option) all.option.add(p)
        globalExcess.set(g, all)
      }
    }
    describe(null, kind, globalExcess, g => (sourceGlobal.get(g)?.size ?? 0) === 0)
  }
  // in the order the warning has always had: by schema, then kind
  const order = (b: DefaultPrivilegesBeyond): string => `${b.schema ?? '\uffff'}`
  return beyond.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0))
}

/** A restored object and the roles the target's default privileges gave privileges on it. */
export interface GrantedBeyondBackup {
  /** "TABLE public.secrets", "SEQUENCE …", "ROUTINE public.f(bigint)": as a REVOKE names it. */
  object: string
  /** The roles (PUBLIC for all) the backup's privileges never name for this object. */
  grantees: string[]
  /**
   * The REVOKE that takes their privileges away again (it makes the object the source's), and
   * the GRANTs that give back the column privileges of the backup's a table-level REVOKE takes.
   */
  revoke: string
}

/** An entry of the backup's table of contents, as far as the comparisons read it. */
type BackupEntry = Pick<TocEntry, 'desc' | 'namespace' | 'tag'> & { defn?: string | null }

/** PUBLIC, as rolesNamed and grantsBeyondBackup hold it: never a role's name ("PUBLIC" quoted is one). */
export const PUBLIC_GRANTEE = '\0PUBLIC'

/** The archive entries whose objects default privileges of each object type reach. */
const REACHED_BY: Record<string, string> = {
  TABLE: 'r',
  VIEW: 'r',
  'MATERIALIZED VIEW': 'r',
  'FOREIGN TABLE': 'r',
  SEQUENCE: 'S',
  FUNCTION: 'f',
  PROCEDURE: 'f',
  AGGREGATE: 'f',
  TYPE: 'T',
  DOMAIN: 'T',
  SCHEMA: 'n'
}

/** An identifier as pg_dump's fmtId writes it (double-quoted, or bare). */
const FMT_ID = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)`
const unquote = (raw: string): string =>
  raw.startsWith('"') ? raw.slice(1, -1).replaceAll('""', '"') : raw

/**
 * The roles an ACL entry's statements name (GRANT … TO r, REVOKE … FROM r), PUBLIC as
 * {@link PUBLIC_GRANTEE}.
 */
export function rolesNamed(defn: string): Set<string> {
  const roles = new Set<string>()
  const acl = quotedAside(defn)
  for (const m of acl.text.matchAll(
    new RegExp(String.raw`\b(?:TO|FROM)\s+(${acl.id}(?:\s*,\s*${acl.id})*)`, 'gi')
  ))
    for (const role of acl.roles(m[1])) roles.add(role)
  return roles
}

/**
 * An ACL entry's statements with their quoted names set aside first — a TO or FROM inside one (a
 * table named "x TO anon") is no keyword (attacker a74 F9) — as `text`; `id`, a pattern of one
 * name in it; `roles`, the roles a list of such names in it stands for (PUBLIC as
 * {@link PUBLIC_GRANTEE}).
 */
function quotedAside(defn: string): {
  text: string
  id: string
  roles: (list: string) => string[]
} {
  const quoted: string[] = []
  const text = defn.replace(/"(?:[^"]|"")+"/g, q => `\uE000${quoted.push(q) - 1}\uE000`)
  const id = String.raw`(?:\uE000\d+\uE000|[A-Za-z_][A-Za-z0-9_$]*)`
  const roles = (list: string): string[] =>
    (list.match(new RegExp(id, 'g')) ?? []).map(raw => {
      const at = /^\uE000(\d+)\uE000$/.exec(raw)
      return at
        ? unquote(quoted[Number(at[1])])
        : raw.toLowerCase() === 'public'
          ? PUBLIC_GRANTEE
          : raw.toLowerCase()
    })
  return { text, id, roles }
}

/**
 * What an ACL entry's GRANT statements give each role (PUBLIC as {@link PUBLIC_GRANTEE}): by
 * privilege as aclexplode() names it ('ALL' for ALL [PRIVILEGES]), whether WITH GRANT OPTION.
 * A column's privileges (`GRANT SELECT(a) …`) are not the object's and are left out.
 */
export function privilegesGranted(defn: string): Map<string, Map<string, boolean>> {
  const granted = new Map<string, Map<string, boolean>>()
  const acl = quotedAside(defn)
  for (const m of acl.text.matchAll(
    new RegExp(
      String.raw`\bGRANT\s+([A-Za-z ,]+?)\s+ON\s+[^;]*?\bTO\s+(${acl.id}(?:\s*,\s*${acl.id})*)(\s+WITH\s+GRANT\s+OPTION)?\s*;`,
      'gi'
    )
  )) {
    const list = m[1].toUpperCase().replace(/\s+/g, ' ').trim()
    const privileges = /^ALL( PRIVILEGES)?$/.test(list) ? ['ALL'] : list.split(/\s*,\s*/)
    for (const role of acl.roles(m[2])) {
      const held = granted.get(role) ?? new Map<string, boolean>()
      for (const p of privileges) held.set(p, (held.get(p) ?? false) || m[3] !== undefined)
      granted.set(role, held)
    }
  }
  return granted
}

/**
 * An ACL entry's tag as the object's own entry has it: pg_dump writes the ACL's name with fmtId
 * (`TABLE "T 1"`, `FUNCTION "g(x"(integer)`, `COLUMN "T 1".a`) and the object's raw (`T 1`,
 * `g(x(integer)`). `column`: the table of a column's ACL.
 */
export function aclObjectTag(tag: string): { tag: string; column: boolean } | undefined {
  const m = new RegExp(
    String.raw`^(?:FOREIGN TABLE|MATERIALIZED VIEW|COLUMN|[A-Z]+) (${FMT_ID})(.*)$`,
    's'
  ).exec(tag)
  if (!m) return undefined
  const column = tag.startsWith('COLUMN ')
  return { tag: column ? unquote(m[1]) : `${unquote(m[1])}${m[2]}`, column }
}

/**
 * Whether `privilege` for `grantee` is part of the hard-wired default of objects of `objtype`
 * (acldefault: PUBLIC's EXECUTE on routines, PUBLIC's USAGE on types): a source had it without
 * its ACL entry naming it.
 */
function hardWired(objtype: string, grantee: string, privilege: string): boolean {
  return (
    grantee === PUBLIC_GRANTEE &&
    ((objtype === 'f' && privilege === 'EXECUTE') || (objtype === 'T' && privilege === 'USAGE'))
  )
}

/**
 * Where the restoring role's default privileges (`own`, read before the load: its `IN SCHEMA`
 * rows and its global ones) reached the backup's tables, views, sequences, routines, types and
 * schemas as the load created them without setting them aside (no single transaction): the
 * privileges those rows gave (beyond the hard-wired default: PUBLIC's EXECUTE on routines, USAGE
 * on types) that a role holds on such an object now though the backup's ACL entry for it does not
 * grant them — what the target's default privileges alone gave (trials u44 F1, u45 F4: a table
 * the source closed to anon came back open to it). A role the backup never names loses all of
 * them (REVOKE ALL); a role it grants some privileges loses the others, and a grant option the
 * backup does not give (attacker a74 F2: anon kept INSERT, UPDATE, DELETE where the source
 * granted it SELECT; F3: a schema or type the source closed came back open). The column
 * privileges the backup gives a role (its COLUMN ACL entries) are granted again after the
 * table-level REVOKE, which takes them too (attacker a73 F1). Objects are found by their names in
 * the catalog, never by parsing text as SQL (a73 F2: a routine named "g(x" failed the whole
 * lookup). Read as the catalog is after the load, in a transaction `client` has begun (its
 * search_path set to pg_catalog for it); `entries` is the archive's table of contents.
 *
 * @throws the query's error (a connection failure).
 */
export async function grantsBeyondBackup(
  client: pg.Client,
  own: OwnDefaultPrivileges,
  entries: ReadonlyArray<BackupEntry>
): Promise<GrantedBeyondBackup[]> {
  /** By object type and schema ('' for every schema: a global row): the roles the rows reach. */
  const reach = new Map<string, Set<string>>()
  for (const row of own.rows) {
    if (!['r', 'S', 'f', 'T', 'n'].includes(row.objtype)) continue
    const key = `${row.objtype}\0${row.schema ?? ''}`
    const roles = reach.get(key) ?? new Set<string>()
    for (const p of row.privileges) {
      const grantee = p.grantee ?? PUBLIC_GRANTEE
      if (grantee !== own.role && !hardWired(row.objtype, grantee, p.privilege)) roles.add(grantee)
    }
    if (roles.size > 0) reach.set(key, roles)
  }
  if (reach.size === 0) return []
  const reached = (objtype: string, schema: string): Set<string> =>
    new Set([...(reach.get(`${objtype}\0${schema}`) ?? []), ...(reach.get(`${objtype}\0`) ?? [])])
  // an aggregate of no arguments: pg_dump's tag says name(*), the catalog's signature name()
  // (attacker a74 F1: never found, never revoked)
  const signature = (tag: string): string => tag.replace(/\(\*\)$/, '()')
  // a schema's entries have no namespace: its tag is its name
  const schemaOf = (e: BackupEntry): string => (e.desc === 'SCHEMA' ? '' : (e.namespace ?? ''))
  const granted = new Map<string, Map<string, Map<string, boolean>>>()
  for (const e of entries) {
    if (e.desc !== 'ACL') continue
    const object = aclObjectTag(e.tag)
    if (!object || object.column) continue
    const schema = e.tag.startsWith('SCHEMA ') ? '' : e.namespace
    if (schema === undefined || schema === null) continue
    granted.set(`${schema}\0${signature(object.tag)}`, privilegesGranted(e.defn ?? ''))
  }
  const objects = entries.filter(
    e =>
      REACHED_BY[e.desc] &&
      (e.desc === 'SCHEMA' || e.namespace) &&
      reached(REACHED_BY[e.desc], schemaOf(e)).size > 0
  )
  if (objects.length === 0) return []
  // each object as the catalog has it now (by name: a routine by its name and argument types as
  // pg_dump's tag writes them), and each role's privileges on it but its owner's
  await client.query('SET LOCAL search_path = pg_catalog')
  const { rows } = await client.query<{
    i: number
    object: string
    grantee: string | null
    privileges: Array<[string, boolean]>
    columns: Array<[string, string, boolean]> | null
  }>(
    `WITH u AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS u(schema, name, objtype, i)
     ), o AS (
       SELECT u.i, 'TABLE' AS kind, c.oid, c.relkind, c.relacl AS acl, c.relowner AS owner,
              pg_catalog.format('%I.%I', n.nspname, c.relname) AS name
         FROM u JOIN pg_catalog.pg_namespace n ON n.nspname OPERATOR(pg_catalog.=) u.schema
         JOIN pg_catalog.pg_class c ON c.relnamespace OPERATOR(pg_catalog.=) n.oid AND c.relname OPERATOR(pg_catalog.=) u.name
        WHERE u.objtype OPERATOR(pg_catalog.=) ANY ('{r,S}')
       UNION ALL
       SELECT u.i, 'ROUTINE', p.oid, NULL, p.proacl, p.proowner,
              pg_catalog.format('%I.%I(%s)', n.nspname, p.proname, pg_catalog.oidvectortypes(p.proargtypes))
         FROM u JOIN pg_catalog.pg_namespace n ON n.nspname OPERATOR(pg_catalog.=) u.schema
         JOIN pg_catalog.pg_proc p ON p.pronamespace OPERATOR(pg_catalog.=) n.oid
          AND pg_catalog.format('%s(%s)', p.proname, pg_catalog.oidvectortypes(p.proargtypes)) OPERATOR(pg_catalog.=) u.name
        WHERE u.objtype OPERATOR(pg_catalog.=) 'f'
       UNION ALL
       SELECT u.i, 'TYPE', t.oid, NULL, t.typacl, t.typowner, pg_catalog.format('%I.%I', n.nspname, t.typname)
         FROM u JOIN pg_catalog.pg_namespace n ON n.nspname OPERATOR(pg_catalog.=) u.schema
         JOIN pg_catalog.pg_type t ON t.typnamespace OPERATOR(pg_catalog.=) n.oid AND t.typname OPERATOR(pg_catalog.=) u.name
        WHERE u.objtype OPERATOR(pg_catalog.=) 'T'
       UNION ALL
       SELECT u.i, 'SCHEMA', n.oid, NULL, n.nspacl, n.nspowner, pg_catalog.format('%I', n.nspname)
         FROM u JOIN pg_catalog.pg_namespace n ON n.nspname OPERATOR(pg_catalog.=) u.name
        WHERE u.objtype OPERATOR(pg_catalog.=) 'n'
     )
     SELECT o.i::int AS i,
            CASE WHEN o.relkind OPERATOR(pg_catalog.=) 'S' THEN 'SEQUENCE' ELSE o.kind END || ' ' || o.name AS object,
            CASE WHEN x.grantee OPERATOR(pg_catalog.=) 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(x.grantee)::text END AS grantee,
            x.privileges,
            (SELECT pg_catalog.json_agg(pg_catalog.json_build_array(a.attname, y.privilege_type, y.is_grantable))
               FROM pg_catalog.pg_attribute a CROSS JOIN LATERAL pg_catalog.aclexplode(a.attacl) y
              WHERE o.kind OPERATOR(pg_catalog.=) 'TABLE' AND a.attrelid OPERATOR(pg_catalog.=) o.oid
                AND a.attnum OPERATOR(pg_catalog.>) 0 AND y.grantee OPERATOR(pg_catalog.=) x.grantee) AS columns
       FROM o CROSS JOIN LATERAL (
         SELECT z.grantee, pg_catalog.json_agg(pg_catalog.json_build_array(z.privilege_type, z.is_grantable)) AS privileges
           FROM pg_catalog.aclexplode(o.acl) z GROUP BY z.grantee) x
      WHERE x.grantee OPERATOR(pg_catalog.<>) o.owner
      ORDER BY 1, 3`,
    [
      objects.map(schemaOf),
      objects.map(e => signature(e.tag)),
      objects.map(e => REACHED_BY[e.desc])
    ]
  )
  const beyond = new Map<
    number,
    { object: string; grantees: string[]; revoke: string[]; again: string[] }
  >()
  for (const r of rows) {
    const e = objects[r.i - 1]
    const objtype = REACHED_BY[e.desc]
    const grantee = r.grantee ?? PUBLIC_GRANTEE
    if (!reached(objtype, schemaOf(e)).has(grantee)) continue
    const backupGives = granted.get(`${schemaOf(e)}\0${signature(e.tag)}`)?.get(grantee)
    // what the role holds now that the backup does not grant it: a privilege, or its grant option
    const more = new Set<string>()
    const option = new Set<string>()
    for (const [privilege, grantable] of r.privileges) {
      if (hardWired(objtype, grantee, privilege)) continue
      const given = backupGives?.get(privilege) ?? backupGives?.get('ALL')
      if (given === undefined) more.add(privilege)
      else if (grantable && !given) option.add(privilege)
    }
    if (more.size === 0 && option.size === 0) continue
    const found = beyond.get(r.i) ?? { object: r.object, grantees: [], revoke: [], again: [] }
    const role = grantee === PUBLIC_GRANTEE ? 'PUBLIC' : sqlQuoted(grantee)
    const whole = backupGives === undefined
    found.grantees.push(
      whole
        ? role
        : `${role} (${[...more, ...[...option].map(p => `${p} WITH GRANT OPTION`)].join(', ')})`
    )
    if (whole) found.revoke.push(`REVOKE ALL ON ${r.object} FROM ${role};`)
    else {
      if (more.size > 0)
        found.revoke.push(`REVOKE ${[...more].join(', ')} ON ${r.object} FROM ${role};`)
      if (option.size > 0)
        found.revoke.push(
          `REVOKE GRANT OPTION FOR ${[...option].join(', ')} ON ${r.object} FROM ${role};`
        )
    }
    for (const [column, privilege, grantable] of r.columns ?? [])
      if (whole || more.has(privilege) || option.has(privilege))
        found.again.push(
          `GRANT ${privilege} (${sqlQuoted(column)}) ON ${r.object} TO ${role}${grantable ? ' WITH GRANT OPTION' : ''};`
        )
    beyond.set(r.i, found)
  }
  return [...beyond.values()].map(({ object, grantees, revoke, again }) => ({
    object,
    grantees,
    revoke: [...revoke, ...again].join(' ')
  }))
}

/**
 * Where the restoring role's global default privileges for functions take PUBLIC's hard-wired
 * EXECUTE away (ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC) and the load
 * ran without setting them aside: the backup's routines whose ACL entry never names PUBLIC (the
 * source left PUBLIC its EXECUTE) and which PUBLIC may not execute now — each with the GRANT that
 * gives it back (attacker a74 F8: PUBLIC lost EXECUTE, and nothing said so). An `IN SCHEMA` row
 * that grants PUBLIC EXECUTE gives it back itself. Read in the transaction `client` has begun,
 * after {@link grantsBeyondBackup} (its search_path set to pg_catalog).
 *
 * @throws the query's error (a connection failure).
 */
export async function executeTakenFromPublic(
  client: pg.Client,
  own: OwnDefaultPrivileges,
  entries: ReadonlyArray<BackupEntry>
): Promise<Array<{ object: string; grant: string }>> {
  const givesPublic = (row: OwnDefaultPrivileges['rows'][number] | undefined): boolean =>
    row?.privileges.some(p => p.grantee === null && p.privilege === 'EXECUTE') ?? false
  const global = own.rows.find(r => r.objtype === 'f' && r.schema === null)
  if (!global || givesPublic(global)) return []
  const signature = (tag: string): string => tag.replace(/\(\*\)$/, '()')
  const publicNamed = new Set<string>()
  for (const e of entries) {
    if (e.desc !== 'ACL' || !e.namespace) continue
    const object = aclObjectTag(e.tag)
    if (object && !object.column && rolesNamed(e.defn ?? '').has(PUBLIC_GRANTEE))
      publicNamed.add(`${e.namespace}\0${signature(object.tag)}`)
  }
  const routines = entries.filter(
    e =>
      e.namespace &&
      REACHED_BY[e.desc] === 'f' &&
      !publicNamed.has(`${e.namespace}\0${signature(e.tag)}`) &&
      !givesPublic(own.rows.find(r => r.objtype === 'f' && r.schema === e.namespace))
  )
  if (routines.length === 0) return []
  const { rows } = await client.query<{ object: string }>(
    `SELECT pg_catalog.format('%I.%I(%s)', n.nspname, p.proname, pg_catalog.oidvectortypes(p.proargtypes)) AS object
       FROM unnest($1::text[], $2::text[]) AS u(schema, name)
       JOIN pg_catalog.pg_namespace n ON n.nspname OPERATOR(pg_catalog.=) u.schema
       JOIN pg_catalog.pg_proc p ON p.pronamespace OPERATOR(pg_catalog.=) n.oid
        AND pg_catalog.format('%s(%s)', p.proname, pg_catalog.oidvectortypes(p.proargtypes)) OPERATOR(pg_catalog.=) u.name
      WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.aclexplode(COALESCE(p.proacl, pg_catalog.acldefault('f', p.proowner))) z
                         WHERE z.grantee OPERATOR(pg_catalog.=) 0 AND z.privilege_type OPERATOR(pg_catalog.=) 'EXECUTE')
      ORDER BY 1`,
    [routines.map(e => e.namespace), routines.map(e => signature(e.tag))]
  )
  return rows.map(r => ({
    object: `ROUTINE ${r.object}`,
    grant: `GRANT EXECUTE ON ROUTINE ${r.object} TO PUBLIC;`
  }))
}
