/**
 * Whether the backup's GRANT and REVOKE statements on the provider's objects (left out by
 * providerPolicy: the objects exist in the target, owned by the provider) would change anything
 * there: the target's privileges on each object (its ACL, or the default when it has none) with
 * the object's statements simulated on them in order, compared with the ACL as it is. Both
 * projects set up by the same provider give the same privileges: the "they keep the privileges
 * they have there" note is then noise in every restore (trial u55 L2).
 *
 * Conservative: an object is "unchanged" only where every statement on it was read whole (objects,
 * privileges, grantees), every name was found in the target, and the simulated ACL equals the
 * current one. Column privileges, CURRENT_USER, GRANTED BY, CASCADE, a role or object the target
 * lacks, a statement not read: the object keeps its place in the note. One statement whose
 * objects cannot be told: every statement keeps its place.
 *
 * The model is the one GRANT and REVOKE document: a set of (grantee, privilege, grant option);
 * GRANT adds (a grant option is kept or given), REVOKE removes the privilege with its grant
 * option, REVOKE GRANT OPTION FOR removes only the option; ALL is every privilege of the object's
 * kind on the target's server. Grantors are not compared (PostgreSQL keeps one entry per grantor;
 * the privileges a role holds are what count).
 */
import type pg from 'pg'
import { sqlTokens } from './plain-sql.js'
import { withCatalogSearchPath } from './unchanged.js'

/** What a statement names its objects as (FUNCTION/PROCEDURE/ROUTINE → function, DOMAIN → type). */
export type AclTarget = 'table' | 'sequence' | 'function' | 'schema' | 'type'

/** acldefault's object kinds: tables (views, foreign tables), sequences, routines, schemas, types. */
export type AclClass = 'r' | 's' | 'f' | 'n' | 'T'

/** One ACL entry as aclexplode gives it: the grantee ('public' for PUBLIC), the privilege, WITH GRANT OPTION. */
export type AclItem = readonly [grantee: string, privilege: string, grantable: boolean]

/** One object a statement names: [schema.]name, a routine's argument list as tokens. */
export interface AclObjectName {
  schema?: string
  name: string
  /** A routine's arguments as written (tokens, `kind:value`); undefined: no list. */
  args?: string[]
}

/** A GRANT or REVOKE on objects, as read. */
export interface AclStatement {
  grant: boolean
  /** GRANT … WITH GRANT OPTION; REVOKE GRANT OPTION FOR … */
  option: boolean
  /** Upper-case privilege names, or 'ALL'. */
  privileges: string[] | 'ALL'
  target: AclTarget
  objects: AclObjectName[]
  /** Role names as the server reads them; 'public' for PUBLIC (no role may be named so). */
  grantees: string[]
  /**
   * Why what it does to the objects' ACL cannot be told (column privileges, CURRENT_USER,
   * GRANTED BY, CASCADE); undefined: it can.
   */
  unsure?: string
}

type Token = ReturnType<typeof sqlTokens>[number]

const TARGETS: Record<string, AclTarget> = {
  table: 'table',
  sequence: 'sequence',
  function: 'function',
  procedure: 'function',
  routine: 'function',
  schema: 'schema',
  type: 'type',
  domain: 'type'
}

/** Words after ON that name what the statement is on where the simulation does not follow it. */
const OTHER_TARGETS = new Set([
  'all',
  'database',
  'language',
  'large',
  'tablespace',
  'parameter',
  'server'
])

/**
 * A GRANT or REVOKE on objects read with the statement lexer (plain-sql's sqlTokens: quoted
 * identifiers as written, unquoted ones folded); undefined when the statement is not one the
 * simulation reads whole enough to tell its objects (another form, another object kind, a name
 * whose folding is the server's to decide).
 */
export function parseAclStatement(sql: string): AclStatement | undefined {
  const t = sqlTokens(sql, false)
  while (t.length > 0 && isPunct(t[t.length - 1], ';')) t.pop()
  if (t.some(x => isPunct(x, ';'))) return undefined
  // unquoted names with letters beyond ASCII: which case the server folds them to is its own
  if (t.some(x => x.kind === 'ident' && !x.quoted && /[^\w$]/.test(x.value))) return undefined
  const word = (i: number, w: string): boolean =>
    t[i]?.kind === 'ident' && !t[i].quoted && t[i].value === w
  const grant = word(0, 'grant')
  if (!grant && !word(0, 'revoke')) return undefined
  let i = 1
  let option = false
  const unsure: string[] = []
  if (!grant && word(1, 'grant') && word(2, 'option') && word(3, 'for')) {
    option = true
    i = 4
  }
  // privileges: ALL [PRIVILEGES] | name [(columns)] [, …]
  let privileges: string[] | 'ALL'
  const columns = (): boolean => {
    if (!isPunct(t[i], '(')) return true
    const close = t.findIndex((x, j) => j > i && isPunct(x, ')'))
    if (close < 0) return false
    unsure.push('column privileges')
    i = close + 1
    return true
  }
  if (word(i, 'all')) {
    i++
    if (word(i, 'privileges')) i++
    privileges = 'ALL'
    if (!columns()) return undefined
  } else {
    privileges = []
    for (;;) {
      const p = t[i]
      if (p?.kind !== 'ident' || p.quoted || p.value === 'on') return undefined
      privileges.push(p.value.toUpperCase())
      i++
      if (!columns()) return undefined
      if (!isPunct(t[i], ',')) break
      i++
    }
  }
  if (!word(i, 'on')) return undefined
  i++
  // ON [kind] object [, …]: a kind word is one only before a name
  let target: AclTarget = 'table'
  const before = (j: number): boolean => t[j]?.kind === 'ident'
  if (word(i, 'foreign') && word(i + 1, 'table') && before(i + 2)) i += 2
  else if (t[i]?.kind === 'ident' && !t[i].quoted && TARGETS[t[i].value] !== undefined) {
    if (!before(i + 1)) return undefined
    target = TARGETS[t[i].value]
    i++
  } else if (t[i]?.kind === 'ident' && !t[i].quoted && OTHER_TARGETS.has(t[i].value))
    return undefined
  else if (word(i, 'foreign')) return undefined
  const objects: AclObjectName[] = []
  for (;;) {
    const parts: string[] = []
    for (;;) {
      if (t[i]?.kind !== 'ident') return undefined
      parts.push(t[i].value)
      i++
      if (!isPunct(t[i], '.')) break
      i++
    }
    if (parts.length > 2 || (target === 'schema' && parts.length > 1)) return undefined
    const object: AclObjectName =
      parts.length === 2 ? { schema: parts[0], name: parts[1] } : { name: parts[0] }
    if (target === 'function' && isPunct(t[i], '(')) {
      let depth = 0
      const args: Token[] = []
      for (i++; ; i++) {
        const x = t[i]
        if (x === undefined) return undefined
        if (isPunct(x, '(') || isPunct(x, '[')) depth++
        if (isPunct(x, ')') || isPunct(x, ']')) {
          if (depth === 0 && isPunct(x, ')')) break
          depth--
        }
        args.push(x)
      }
      i++
      object.args = argTokens(args)
    }
    objects.push(object)
    if (!isPunct(t[i], ',')) break
    i++
  }
  if (!word(i, grant ? 'to' : 'from')) return undefined
  i++
  const grantees: string[] = []
  for (;;) {
    if (word(i, 'group') && t[i + 1]?.kind === 'ident') i++
    const r = t[i]
    if (r?.kind !== 'ident') return undefined
    if (!r.quoted && ['current_user', 'current_role', 'session_user'].includes(r.value))
      unsure.push(r.value.toUpperCase())
    grantees.push(r.value)
    i++
    if (!isPunct(t[i], ',')) break
    i++
  }
  if (grant && word(i, 'with') && word(i + 1, 'grant') && word(i + 2, 'option')) {
    option = true
    i += 3
  }
  if (word(i, 'granted') && word(i + 1, 'by') && t[i + 2]?.kind === 'ident') {
    unsure.push('GRANTED BY')
    i += 3
  }
  if (!grant && word(i, 'cascade')) {
    unsure.push('CASCADE')
    i++
  } else if (!grant && word(i, 'restrict')) i++
  if (i !== t.length) return undefined
  const statement: AclStatement = { grant, option, privileges, target, objects, grantees }
  if (unsure.length > 0) statement.unsure = unsure.join(', ')
  return statement
}

function isPunct(t: Token | undefined, value: string): boolean {
  return t?.kind === 'punct' && t.value === value
}

/** Tokens as compared: kind and value (quoting aside: the folded name is the name). */
function argTokens(tokens: ReadonlyArray<Token>): string[] {
  return tokens.map(x => `${x.kind}:${x.value}`)
}

/** A routine's argument list (pg_get_function_identity_arguments, oidvectortypes) as tokens. */
export function routineArgTokens(text: string): string[] {
  return argTokens(sqlTokens(text, false))
}

/** Every privilege of an object of `cls` on a server of major version `serverMajor` (ALL). */
export function allPrivileges(cls: AclClass, serverMajor: number): string[] {
  switch (cls) {
    case 'r':
      return [
        'SELECT',
        'INSERT',
        'UPDATE',
        'DELETE',
        'TRUNCATE',
        'REFERENCES',
        'TRIGGER',
        ...(serverMajor >= 17 ? ['MAINTAIN'] : [])
      ]
    case 's':
      return ['USAGE', 'SELECT', 'UPDATE']
    case 'f':
      return ['EXECUTE']
    case 'n':
      return ['USAGE', 'CREATE']
    case 'T':
      return ['USAGE']
  }
}

/** Whether a statement that names its object as `target` may be on an object of `cls`. */
function fits(target: AclTarget, cls: AclClass): boolean {
  switch (target) {
    case 'table':
      // GRANT … ON TABLE a_sequence: the server takes it (ALL: the sequence's privileges)
      return cls === 'r' || cls === 's'
    case 'sequence':
      return cls === 's'
    case 'function':
      return cls === 'f'
    case 'schema':
      return cls === 'n'
    case 'type':
      return cls === 'T'
  }
}

/** `items` as a set: one entry per grantee and privilege, grantable when any entry is. */
function aclSet(items: ReadonlyArray<AclItem>): Map<string, boolean> {
  const set = new Map<string, boolean>()
  for (const [grantee, privilege, grantable] of items) {
    const key = JSON.stringify([grantee, privilege])
    set.set(key, (set.get(key) ?? false) || grantable)
  }
  return set
}

/**
 * The ACL of an object of `cls` after `statements` (each on it, in order) run on `current`, or
 * undefined when what one does cannot be told (its `unsure`, a kind of object it does not fit, a
 * privilege the kind has not, a grantee not among `roles`).
 */
export function simulateAcl(
  current: ReadonlyArray<AclItem>,
  statements: ReadonlyArray<AclStatement>,
  cls: AclClass,
  serverMajor: number,
  roles: ReadonlySet<string>
): AclItem[] | undefined {
  const acl = aclSet(current)
  const all = allPrivileges(cls, serverMajor)
  for (const s of statements) {
    if (s.unsure !== undefined || !fits(s.target, cls)) return undefined
    const privileges = s.privileges === 'ALL' ? all : s.privileges
    if (privileges.some(p => !all.includes(p))) return undefined
    if (s.grantees.some(g => g !== 'public' && !roles.has(g))) return undefined
    for (const grantee of s.grantees)
      for (const privilege of privileges) {
        const key = JSON.stringify([grantee, privilege])
        if (s.grant) acl.set(key, (acl.get(key) ?? false) || s.option)
        else if (!s.option) acl.delete(key)
        else if (acl.has(key)) acl.set(key, false)
      }
  }
  return [...acl].map(([key, grantable]) => {
    const [grantee, privilege] = JSON.parse(key) as [string, string]
    return [grantee, privilege, grantable] as const
  })
}

/** Whether two ACLs give the same privileges (grantors aside). */
export function sameAcl(a: ReadonlyArray<AclItem>, b: ReadonlyArray<AclItem>): boolean {
  const x = aclSet(a)
  const y = aclSet(b)
  return x.size === y.size && [...x].every(([key, grantable]) => y.get(key) === grantable)
}

/**
 * Whether `statements` leave an object's privileges as they are: true (unchanged), false (they
 * change them), undefined (cannot tell: see simulateAcl).
 */
export function aclUnchanged(
  current: ReadonlyArray<AclItem>,
  statements: ReadonlyArray<AclStatement>,
  cls: AclClass,
  serverMajor: number,
  roles: ReadonlySet<string>
): boolean | undefined {
  const after = simulateAcl(current, statements, cls, serverMajor, roles)
  return after === undefined ? undefined : sameAcl(current, after)
}

/** One object of the target as the catalog has it. */
interface TargetObject {
  i: number
  oid: string
  cls: AclClass
  identity: string
  types: string
  acl: AclItem[]
  /**
   * A relation with privileges on some of its columns: a table-level REVOKE revokes the same
   * privilege on every column too (attacker a91 F2), which the model of its ACL does not hold.
   */
  columns: boolean
}

const OBJECTS_SQL = `WITH u AS (
  SELECT * FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.text[]), pg_catalog.unnest($2::pg_catalog.text[]), pg_catalog.unnest($3::pg_catalog.text[])) WITH ORDINALITY AS u(target, schema, name, i)
), o AS (
  SELECT u.i, c.oid, CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'S' THEN 's' ELSE 'r' END AS cls, c.relacl AS acl, c.relowner AS owner, '' AS identity, '' AS types
    FROM u JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) pg_catalog.to_regclass(pg_catalog.format('%I.%I', u.schema, u.name))
    WHERE u.target OPERATOR(pg_catalog.=) ANY ('{table,sequence}') AND c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p,v,m,f,S}')
  UNION ALL
  SELECT u.i, p.oid, 'f', p.proacl, p.proowner, pg_catalog.pg_get_function_identity_arguments(p.oid), pg_catalog.oidvectortypes(p.proargtypes)
    FROM u JOIN pg_catalog.pg_proc p ON p.pronamespace OPERATOR(pg_catalog.=) pg_catalog.to_regnamespace(pg_catalog.format('%I', u.schema)) AND p.proname OPERATOR(pg_catalog.=) u.name
    WHERE u.target OPERATOR(pg_catalog.=) 'function'
  UNION ALL
  SELECT u.i, n.oid, 'n', n.nspacl, n.nspowner, '', ''
    FROM u JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) pg_catalog.to_regnamespace(pg_catalog.format('%I', u.name))
    WHERE u.target OPERATOR(pg_catalog.=) 'schema'
  UNION ALL
  SELECT u.i, t.oid, 'T', t.typacl, t.typowner, '', ''
    FROM u JOIN pg_catalog.pg_type t ON t.oid OPERATOR(pg_catalog.=) pg_catalog.to_regtype(pg_catalog.format('%I.%I', u.schema, u.name))
    WHERE u.target OPERATOR(pg_catalog.=) 'type'
)
SELECT o.i::pg_catalog.int4 AS i, o.oid::pg_catalog.int8::pg_catalog.text AS oid, o.cls, o.identity, o.types,
  o.cls OPERATOR(pg_catalog.=) ANY ('{r,s}') AND EXISTS (SELECT FROM pg_catalog.pg_attribute t
    WHERE t.attrelid OPERATOR(pg_catalog.=) o.oid AND t.attacl IS NOT NULL AND NOT t.attisdropped) AS columns,
  COALESCE((SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_array(
      CASE WHEN a.grantee OPERATOR(pg_catalog.=) 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid(a.grantee)::pg_catalog.text END,
      a.privilege_type, a.is_grantable))
    FROM pg_catalog.aclexplode(COALESCE(o.acl, pg_catalog.acldefault(o.cls::pg_catalog."char", o.owner))) a), '[]'::pg_catalog.jsonb) AS acl
FROM o`

/** The statements and their reasons providerAclNote reads (script-gate's SkippedStatement). */
export interface ProviderAclEntry {
  reason: string
  text: string
  /** The statement as written (script-gate keeps it for GRANT and REVOKE). */
  statement?: string
}

/**
 * Of `entries` (the restore's skipped statements; those providerAclNote counts are the ones
 * whose reason starts with `providerReason` and that are GRANT or REVOKE), the ones whose
 * objects' privileges in the target they would not change: every object each names has an ACL
 * its statements, simulated in order, leave as it is. Read on `client` with search_path
 * pg_catalog (routines' argument types qualified as pg_dump writes them), restored after.
 * Conservative: a statement not read (or without its whole text) leaves out none.
 */
export async function providerAclUnchanged<T extends ProviderAclEntry>(
  client: pg.Client,
  entries: ReadonlyArray<T>,
  providerReason: string
): Promise<Set<T>> {
  const mine = entries.filter(
    e => e.reason.startsWith(providerReason) && /^\s*(?:GRANT|REVOKE)\b/i.test(e.text)
  )
  const none = new Set<T>()
  if (mine.length === 0) return none
  const parsed: Array<{ entry: T; statement: AclStatement }> = []
  for (const entry of mine) {
    const statement = entry.statement === undefined ? undefined : parseAclStatement(entry.statement)
    // a statement whose objects are not known may be on any of them
    if (statement === undefined) return none
    parsed.push({ entry, statement })
  }
  // each object named once: [target, schema, name] (a routine's candidates by name)
  const keys: string[] = []
  const named = new Map<string, number>()
  const refs = parsed.map(({ statement }) =>
    statement.objects.map(o => {
      // a sequence is a relation: found as one, its kind read from the catalog
      const target = statement.target === 'sequence' ? 'table' : statement.target
      const key = JSON.stringify([target, o.schema ?? null, o.name])
      if (!named.has(key)) {
        named.set(key, keys.length + 1)
        keys.push(key)
      }
      return named.get(key)!
    })
  )
  const columns = keys.map(k => JSON.parse(k) as [string, string | null, string])
  const grantees = [...new Set(parsed.flatMap(p => p.statement.grantees))]
  const { objects, roles, serverMajor } = await withCatalogSearchPath(client, async () => {
    const { rows } = await client.query<TargetObject>(OBJECTS_SQL, [
      columns.map(c => c[0]),
      columns.map(c => c[1]),
      columns.map(c => c[2])
    ])
    const found = await client.query<{ name: string; major: number }>(
      `SELECT r.rolname::pg_catalog.text AS name, pg_catalog.current_setting('server_version_num')::pg_catalog.int4 OPERATOR(pg_catalog./) 10000 AS major
         FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.text[])
       UNION ALL SELECT NULL, pg_catalog.current_setting('server_version_num')::pg_catalog.int4 OPERATOR(pg_catalog./) 10000`,
      [grantees]
    )
    return {
      objects: rows,
      roles: new Set(found.rows.flatMap(r => (r.name === null ? [] : [r.name]))),
      serverMajor: found.rows[0].major
    }
  })
  // each statement's objects as the target has them: undefined where not found for sure
  const resolve = (ref: number, object: AclObjectName): TargetObject | undefined => {
    // unqualified: what it names depends on the search_path the script had
    if (object.schema === undefined && columns[ref - 1][0] !== 'schema') return undefined
    const candidates = objects.filter(o => o.i === ref)
    if (columns[ref - 1][0] !== 'function')
      return candidates.length === 1 ? candidates[0] : undefined
    const args = object.args
    const matching =
      args === undefined
        ? candidates
        : candidates.filter(c =>
            [c.identity, c.types].some(text => {
              const written = routineArgTokens(text)
              return written.length === args.length && written.every((w, k) => w === args[k])
            })
          )
    return matching.length === 1 ? matching[0] : undefined
  }
  const byObject = new Map<string, { object: TargetObject; statements: AclStatement[] }>()
  const objectsOf = new Map<T, Array<string | undefined>>()
  for (const [n, { entry, statement }] of parsed.entries()) {
    const ids = statement.objects.map((o, k) => {
      const found = resolve(refs[n][k], o)
      if (found === undefined) return undefined
      const id = `${found.cls}:${found.oid}`
      const group = byObject.get(id) ?? { object: found, statements: [] }
      group.statements.push(statement)
      byObject.set(id, group)
      return id
    })
    objectsOf.set(entry, ids)
  }
  const unchanged = new Set<string>()
  for (const [id, { object, statements }] of byObject) {
    // a REVOKE on a table with column privileges takes those too: not told by its ACL alone
    if (object.columns && statements.some(s => !s.grant)) continue
    if (aclUnchanged(object.acl, statements, object.cls, serverMajor, roles) === true)
      unchanged.add(id)
  }
  const out = new Set<T>()
  for (const [entry, ids] of objectsOf)
    if (ids.every(id => id !== undefined && unchanged.has(id))) out.add(entry)
  return out
}
