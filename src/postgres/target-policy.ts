/**
 * What a restore may skip in the target it loads into (issue 15 items 2, 6, 7): statements that
 * need ownership, superuser or roles the target lacks, and carry no table, column, row or
 * constraint — pg_restore by hand fails on them and carries on; the restore's one transaction
 * would stop at them.
 *
 * readTargetFacts() reads what decides it, once, before the load (one query); statementPolicy()
 * turns the facts into a pure decision per statement of the script the load streams to psql:
 * keep it, skip it (with a reason the log and job summary list), or refuse the restore (a
 * statement that cannot be dropped without changing what the data means, e.g. a row-level
 * security policy TO a role the target lacks).
 *
 * Sources: PostgreSQL's documentation of ALTER … OWNER ("you must be able to SET ROLE to the new
 * owning role"; before 16: be a member), GRANT/REVOKE, ALTER DEFAULT PRIVILEGES ("only for
 * objects created by yourself or by roles you are a member of"), COMMENT ("must own the object"),
 * CREATE EVENT TRIGGER ("only superusers"), SET SESSION AUTHORIZATION ("only superusers"),
 * CREATE EXTENSION IF NOT EXISTS; pg_dump's output (one GRANT per grantee, ACLs of another grantor
 * between SET SESSION AUTHORIZATION and RESET SESSION AUTHORIZATION).
 */
import type pg from 'pg'
import type { SqlToken, StatementEvent } from './psql-lexer.js'
import type { StatementClass } from './psql-script-rules.js'

/** The gate's hook (src/postgres/script-gate.ts): what to do with one statement. */
export type StatementDecision =
  { keep: true } | { keep: false; reason: string } | { refuse: string }
export type StatementPolicy = (e: StatementEvent, cls: StatementClass) => StatementDecision

/** Whether owners / privileges are restored: true/false force, 'auto' keeps what the target takes. */
export type OwnershipSetting = boolean | 'auto'

/** What the target holds, as far as the skip rules need it (read by readTargetFacts). */
export interface TargetFacts {
  /** The role the restore runs as (current_user). */
  currentUser: string
  superuser: boolean
  databaseOwner: string
  /** server_version_num / 10000. */
  serverMajor: number
  /** Every role of the cluster. */
  roles: string[]
  /** Roles current_user may SET ROLE to (16+: the SET option; before: membership), itself included. */
  settableRoles: string[]
  extensions: { name: string; owner: string; schema: string }[]
  /** Schemas (not pg_*, not information_schema); relations: tables, views, sequences … not of extensions. */
  schemas: { name: string; owner: string; relations: number }[]
  publications: { name: string; owner: string }[]
  /** Names of the server's parameters (pg_settings), lower-case. */
  settings: string[]
}

export interface PolicyOptions {
  noOwner: OwnershipSetting
  noPrivileges: OwnershipSetting
  /**
   * The backup's objects are dropped first (clean.ts): its schemas and publications the restoring
   * role owns will be gone when their CREATE runs; extensions and the schema public stay.
   */
  clean: boolean
  /** Restoring next to what is there: an existing schema of the backup is used as it is. */
  allowNonEmpty: boolean
}

/**
 * Reads the facts in one round trip. `client` is connected as the role the restore runs as.
 */
export async function readTargetFacts(client: pg.Client): Promise<TargetFacts> {
  const result = await client.query<{
    current_user: string
    superuser: boolean
    database_owner: string
    version_num: number
    roles: string[] | null
    settable: string[] | null
    extensions: TargetFacts['extensions'] | null
    schemas: TargetFacts['schemas'] | null
    publications: TargetFacts['publications'] | null
    settings: string[] | null
  }>(TARGET_FACTS_SQL)
  const row = result.rows[0]
  return {
    currentUser: row.current_user,
    superuser: row.superuser,
    databaseOwner: row.database_owner,
    serverMajor: Math.floor(row.version_num / 10000),
    roles: row.roles ?? [],
    settableRoles: row.settable ?? [],
    extensions: row.extensions ?? [],
    schemas: (row.schemas ?? []).map(s => ({ ...s, relations: Number(s.relations) })),
    publications: row.publications ?? [],
    settings: (row.settings ?? []).map(s => s.toLowerCase())
  }
}

const TARGET_FACTS_SQL = `
SELECT current_user::text AS current_user,
       (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) AS superuser,
       pg_catalog.pg_get_userbyid(d.datdba)::text AS database_owner,
       current_setting('server_version_num')::int AS version_num,
       (SELECT json_agg(rolname::text ORDER BY rolname) FROM pg_catalog.pg_roles) AS roles,
       (SELECT json_agg(r.rolname::text ORDER BY r.rolname) FROM pg_catalog.pg_roles r
         WHERE CASE WHEN current_setting('server_version_num')::int >= 160000
                    THEN pg_catalog.pg_has_role(current_user, r.oid, 'SET')
                    ELSE pg_catalog.pg_has_role(current_user, r.oid, 'MEMBER') END) AS settable,
       (SELECT json_agg(json_build_object('name', e.extname::text,
                                          'owner', pg_catalog.pg_get_userbyid(e.extowner)::text,
                                          'schema', n.nspname::text) ORDER BY e.extname)
          FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace) AS extensions,
       (SELECT json_agg(json_build_object(
                 'name', n.nspname::text,
                 'owner', pg_catalog.pg_get_userbyid(n.nspowner)::text,
                 'relations', (SELECT count(*) FROM pg_catalog.pg_class c
                                WHERE c.relnamespace = n.oid AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
                                  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend dep
                                                   WHERE dep.classid = 'pg_catalog.pg_class'::regclass
                                                     AND dep.objid = c.oid AND dep.deptype = 'e')))
                 ORDER BY n.nspname)
          FROM pg_catalog.pg_namespace n
         WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema') AS schemas,
       (SELECT json_agg(json_build_object('name', p.pubname::text,
                                          'owner', pg_catalog.pg_get_userbyid(p.pubowner)::text))
          FROM pg_catalog.pg_publication p) AS publications,
       (SELECT json_agg(name::text) FROM pg_catalog.pg_settings) AS settings
  FROM pg_catalog.pg_database d
 WHERE d.datname = current_database()`

/**
 * SET forms and parameters pg_settings does not list (GUC_NO_SHOW_ALL, or not parameters at
 * all): never skipped as "unknown".
 */
const NOT_IN_PG_SETTINGS = new Set([
  'role',
  'session_authorization',
  'session',
  'local',
  'transaction',
  'constraints',
  'timezone',
  'client_encoding',
  'is_superuser',
  'seed',
  'set_config'
])

/** Role specifications that are no role name. */
const ROLE_KEYWORDS = new Set(['public', 'current_user', 'current_role', 'session_user'])

/** A token as PostgreSQL reads the name: unquoted folded to lower case, "quoted" as written. */
function nameOf(t: SqlToken | undefined): string | undefined {
  if (!t) return undefined
  if (t.type === 'ident') return t.text.toLowerCase()
  if (t.type === 'qident' && t.text.startsWith('"')) return t.text.slice(1, -1).replace(/""/g, '"')
  // SET SESSION AUTHORIZATION 'name'
  if (t.type === 'string' && t.text.startsWith("'")) return t.text.slice(1, -1).replace(/''/g, "'")
  return undefined
}

const isWord = (t: SqlToken | undefined, word: string): boolean =>
  t?.type === 'ident' && t.text.toUpperCase() === word

const isComma = (t: SqlToken | undefined): boolean => t?.type === 'punct' && t.text === ','

/** The index of the first unquoted `word` at or after `from`, or -1. */
function indexOfWord(tokens: SqlToken[], word: string, from = 0): number {
  for (let i = from; i < tokens.length; i++) if (isWord(tokens[i], word)) return i
  return -1
}

/** A comma-separated list of role specifications from tokens[at], up to a word in `stop`. */
function roleList(tokens: SqlToken[], at: number, stop: string[]): string[] {
  const roles: string[] = []
  for (let i = at; i < tokens.length; i++) {
    if (stop.some(w => isWord(tokens[i], w))) break
    if (isWord(tokens[i], 'GROUP')) continue
    const name = nameOf(tokens[i])
    if (name === undefined) break
    roles.push(name)
    if (!isComma(tokens[i + 1])) break
    i++
  }
  return roles
}

/** The object name after `at` (possibly schema-qualified), the last part. */
function simpleName(tokens: SqlToken[], at: number): string | undefined {
  let name = nameOf(tokens[at])
  for (let i = at; tokens[i + 1]?.type === 'punct' && tokens[i + 1].text === '.'; i += 2)
    name = nameOf(tokens[i + 2])
  return name
}

/** One line, at most 160 characters: how a statement is shown in refusals. */
function shown(e: StatementEvent): string {
  const one = e.text.replace(/\s+/g, ' ').trim()
  return one.length > 160 ? `${one.slice(0, 160)}…` : one
}

const KEEP: StatementDecision = { keep: true }
const skip = (reason: string): StatementDecision => ({ keep: false, reason })

/**
 * The decision per statement, from the facts read before the load. Stateful only across
 * SET SESSION AUTHORIZATION … RESET SESSION AUTHORIZATION (one policy per restore).
 *
 * Never skips a statement that defines a table, column, row or constraint: it decides only on
 * extensions, schemas (CREATE, COMMENT, owner), owners, GRANT/REVOKE, default privileges, row-level
 * security policies (refused, never skipped), event triggers, publications and SET.
 */
export function statementPolicy(facts: TargetFacts, options: PolicyOptions): StatementPolicy {
  const roles = new Set(facts.roles)
  const settable = new Set(facts.settableRoles)
  const extensions = new Map(facts.extensions.map(e => [e.name, e]))
  const schemas = new Map(facts.schemas.map(s => [s.name, s]))
  const publications = new Map(facts.publications.map(p => [p.name, p]))
  const settings = new Set(facts.settings)
  let otherAuthorization: string | undefined

  const canActAs = (role: string): boolean =>
    facts.superuser ||
    ROLE_KEYWORDS.has(role) ||
    settable.has(role) ||
    (role === 'pg_database_owner' && settable.has(facts.databaseOwner))
  /** The restoring role owns it (or may act as its owner): it can drop, alter, comment it. */
  const owns = (owner: string): boolean => canActAs(owner)
  /**
   * An existing schema or publication that survives clean: clean drops the backup's own schemas
   * and publications (it cannot drop another role's), never extensions or the schema public.
   */
  const survives = (owner: string, name?: string): boolean =>
    !options.clean || !owns(owner) || name === 'public'

  const missing = (list: string[]): string[] =>
    list.filter(r => !ROLE_KEYWORDS.has(r) && !roles.has(r))

  const roleProblem = (list: string[], needSet: boolean): string | undefined => {
    const absent = missing(list)
    if (absent.length > 0)
      return `${absent.length === 1 ? 'role' : 'roles'} ${absent.map(r => `"${r}"`).join(', ')} ${absent.length === 1 ? 'does' : 'do'} not exist in the target`
    if (!needSet) return undefined
    const foreign = list.filter(r => !canActAs(r))
    if (foreign.length > 0)
      return `${facts.currentUser} may not act as ${foreign.map(r => `"${r}"`).join(', ')} (needs membership or superuser)`
    return undefined
  }

  function ownerDecision(t: SqlToken[], cls: StatementClass): StatementDecision {
    if (options.noOwner === true) return skip('owners are not restored (no-owner: true)')
    const at = indexOfWord(t, 'OWNER')
    const newOwner = nameOf(t[at + 2])
    // the object exists already and belongs to a role the restoring role cannot act as
    if (cls.detail === 'SCHEMA') {
      const schema = schemas.get(simpleName(t, 2) ?? '')
      if (schema && survives(schema.owner, schema.name) && !owns(schema.owner))
        return skip(`schema "${schema.name}" belongs to "${schema.owner}" in the target`)
    }
    if (cls.detail === 'PUBLICATION') {
      const pub = publications.get(simpleName(t, 2) ?? '')
      if (pub && survives(pub.owner) && !owns(pub.owner))
        return skip(`publication "${pub.name}" belongs to "${pub.owner}" in the target`)
    }
    if (cls.detail === 'EVENT TRIGGER' && !facts.superuser)
      return skip('event triggers need a superuser')
    if (newOwner === undefined) return KEEP
    const problem = roleProblem([newOwner], true)
    return problem ? skip(`owner not set: ${problem}`) : KEEP
  }

  function privilegesDecision(t: SqlToken[], grant: boolean): StatementDecision {
    if (options.noPrivileges === true)
      return skip('privileges are not restored (no-privileges: true)')
    if (otherAuthorization !== undefined)
      return skip(`granted by "${otherAuthorization}": SET SESSION AUTHORIZATION needs a superuser`)
    const at = indexOfWord(t, grant ? 'TO' : 'FROM', 1)
    if (at < 0) return KEEP
    const grantees = roleList(t, at + 1, ['WITH', 'GRANTED', 'CASCADE', 'RESTRICT'])
    const problem = roleProblem(grantees, false)
    if (problem) return skip(`${grant ? 'GRANT' : 'REVOKE'} not restored: ${problem}`)
    // GRANT r TO x (role membership; pg_dump never writes it): r must exist too
    if (indexOfWord(t, 'ON') < 0 || indexOfWord(t, 'ON') > at) {
      const granted = roleList(t, 1, [grant ? 'TO' : 'FROM'])
      const p = roleProblem(granted, false)
      if (p) return skip(`${grant ? 'GRANT' : 'REVOKE'} not restored: ${p}`)
    }
    return KEEP
  }

  function defaultPrivilegesDecision(t: SqlToken[]): StatementDecision {
    if (options.noPrivileges === true)
      return skip('privileges are not restored (no-privileges: true)')
    const forAt = indexOfWord(t, 'FOR')
    const forRoles =
      forAt >= 0 && forAt < 5 && (isWord(t[forAt + 1], 'ROLE') || isWord(t[forAt + 1], 'USER'))
        ? roleList(t, forAt + 2, ['IN', 'GRANT', 'REVOKE'])
        : []
    const problem = roleProblem(forRoles, true)
    if (problem) return skip(`default privileges not restored: ${problem}`)
    const grantAt = indexOfWord(t, 'GRANT')
    const revokeAt = indexOfWord(t, 'REVOKE')
    const grant = grantAt >= 0 && (revokeAt < 0 || grantAt < revokeAt)
    const at = indexOfWord(t, grant ? 'TO' : 'FROM', grant ? grantAt : revokeAt)
    if (at < 0) return KEEP
    const grantees = roleList(t, at + 1, ['WITH', 'CASCADE', 'RESTRICT'])
    const p = roleProblem(grantees, false)
    return p ? skip(`default privileges not restored: ${p}`) : KEEP
  }

  /** The gate puts "line N:" in front of a refusal. */
  function policyDecision(e: StatementEvent, t: SqlToken[]): StatementDecision {
    const on = indexOfWord(t, 'ON')
    const to = on < 0 ? -1 : indexOfWord(t, 'TO', on)
    if (to < 0) return KEEP
    const absent = missing(roleList(t, to + 1, ['USING', 'WITH']))
    if (absent.length === 0) return KEEP
    const list = absent.map(r => `"${r}"`).join(', ')
    return {
      refuse: `${shown(e)} — the row-level security policy applies to ${absent.length === 1 ? 'role' : 'roles'} ${list}, which the target lacks; restoring the table without it would change who may read its rows. Create ${absent.length === 1 ? 'the role' : 'the roles'} in the target first (e.g. ${absent.map(r => `CREATE ROLE "${r}" NOLOGIN;`).join(' ')}), then restore again.`
    }
  }

  return (e, cls) => {
    const t = e.parts[0]?.tokens ?? []
    const k = cls.keywords
    switch (cls.kind) {
      case 'extension': {
        const name = cls.detail
        const ext = name === undefined ? undefined : extensions.get(name)
        if (!ext) return KEEP
        if (k[0] === 'CREATE')
          return skip(
            `extension "${ext.name}" exists in the target (schema "${ext.schema}", owner "${ext.owner}")`
          )
        if (k[0] === 'COMMENT' && !owns(ext.owner))
          return skip(`extension "${ext.name}" belongs to "${ext.owner}" in the target`)
        return KEEP
      }
      case 'schema': {
        const at = isWord(t[2], 'IF') ? 5 : 2
        const schema = schemas.get(nameOf(t[at]) ?? '')
        if (!schema || !survives(schema.owner, schema.name)) return KEEP
        // still there when the CREATE runs: empty, another role's, or next to what is there
        // (allow-non-empty; clean, which dropped the backup's objects in it)
        const asked = options.allowNonEmpty || options.clean
        if (schema.relations === 0 || !owns(schema.owner) || asked)
          return skip(
            `schema "${schema.name}" exists in the target (owner "${schema.owner}", ${schema.relations} relations)`
          )
        return KEEP
      }
      case 'owner':
        return ownerDecision(t, cls)
      case 'privileges':
        return privilegesDecision(t, k[0] === 'GRANT')
      case 'default-privileges':
        return defaultPrivilegesDecision(t)
      case 'policy':
        return policyDecision(e, t)
      case 'event-trigger':
        return facts.superuser ? KEEP : skip('event triggers need a superuser')
      case 'publication': {
        const pub = publications.get(simpleName(t, 2) ?? '')
        if (!pub || !survives(pub.owner)) return KEEP
        if (k[0] === 'CREATE')
          return skip(`publication "${pub.name}" exists in the target (owner "${pub.owner}")`)
        return KEEP
      }
      case 'set': {
        const p = cls.detail
        if (p === 'session_authorization' && k[0] === 'SET') {
          const role = nameOf(t[t.length - 1])
          const none = role === undefined || role === 'default' || role === facts.currentUser
          if (facts.superuser || none) return KEEP
          otherAuthorization = role
          return skip('SET SESSION AUTHORIZATION needs a superuser')
        }
        if (p === undefined || p.includes('.') || NOT_IN_PG_SETTINGS.has(p) || settings.has(p))
          return KEEP
        return skip(`parameter "${p}" is unknown to PostgreSQL ${facts.serverMajor}`)
      }
      default:
        break
    }
    if (k[0] === 'RESET' && isWord(t[1], 'SESSION') && isWord(t[2], 'AUTHORIZATION')) {
      if (otherAuthorization === undefined) return KEEP
      otherAuthorization = undefined
      return skip('SET SESSION AUTHORIZATION needs a superuser')
    }
    if (
      k[0] === 'COMMENT' &&
      k[1] === 'ON' &&
      (k[2] === 'SCHEMA' || (k[2] === 'EVENT' && k[3] === 'TRIGGER') || k[2] === 'PUBLICATION')
    ) {
      if (k[2] === 'EVENT') return facts.superuser ? KEEP : skip('event triggers need a superuser')
      const name = nameOf(t[3])
      const existing = k[2] === 'SCHEMA' ? schemas.get(name ?? '') : publications.get(name ?? '')
      if (existing && survives(existing.owner) && !owns(existing.owner))
        return skip(
          `${k[2].toLowerCase()} "${existing.name}" belongs to "${existing.owner}" in the target`
        )
      return KEEP
    }
    if (k[0] === 'ALTER' && k[1] === 'EVENT' && k[2] === 'TRIGGER')
      return facts.superuser ? KEEP : skip('event triggers need a superuser')
    return KEEP
  }
}

/** Statement kinds a policy must never skip: they define tables, columns, rows or constraints. */
export function definesData(cls: StatementClass): boolean {
  const [w0, w1, w2] = cls.keywords
  if (cls.kind === 'table' || cls.kind === 'copy' || cls.kind === 'large-object') return true
  if (w0 === 'INSERT' || w0 === 'UPDATE' || w0 === 'DELETE' || w0 === 'MERGE') return true
  if (w0 === 'ALTER' && (w1 === 'TABLE' || (w1 === 'FOREIGN' && w2 === 'TABLE')))
    return cls.kind !== 'owner'
  if (w0 === 'CREATE' && (w1 === 'INDEX' || w1 === 'UNIQUE' || w1 === 'DOMAIN' || w1 === 'TYPE'))
    return true
  return false
}

/**
 * The policy with the rule of issue 15 item 2 enforced: whatever `policy` says, a statement that
 * defines data is kept.
 */
export function guarded(policy: StatementPolicy): StatementPolicy {
  return (e, cls) => {
    const decision = policy(e, cls)
    if ('keep' in decision && !decision.keep && definesData(cls)) return KEEP
    return decision
  }
}

/** What a restore skipped, grouped by reason: count and up to `samples` statements each. */
export interface SkippedGroup {
  reason: string
  count: number
  samples: { line: number; text: string }[]
}

export function groupSkipped(
  skipped: ReadonlyArray<{ line: number; reason: string; text: string }>,
  samples = 5
): SkippedGroup[] {
  const groups = new Map<string, SkippedGroup>()
  for (const s of skipped) {
    let g = groups.get(s.reason)
    if (!g) groups.set(s.reason, (g = { reason: s.reason, count: 0, samples: [] }))
    g.count++
    if (g.samples.length < samples) g.samples.push({ line: s.line, text: s.text })
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason))
}
