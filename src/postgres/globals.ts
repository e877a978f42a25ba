/**
 * Roles (globals: true, create-roles: true). Backup: `pg_dumpall --globals-only
 * --no-role-passwords`, run with the pg_dump the backup chose (the pg_dumpall beside it), its
 * password only in the environment; the file is stored beside the dump. Restore: the file is
 * read as psql would read it (psql-lexer.ts) against a strict grammar of what pg_dumpall writes
 * for roles — anything else (a meta-command, a statement of another kind, a password) refuses
 * the file — and the roles the target lacks are created by statements the action writes itself
 * from the parsed names and attributes (quoted again): nothing of the file's text reaches the
 * server. Existing roles are never altered, passwords never set; attributes the restoring role
 * cannot grant (SUPERUSER, REPLICATION, BYPASSRLS for a non-superuser) are left out and listed.
 */
import { CheckError } from '../errors.js'
import { MAX_GLOBALS_BYTES } from '../manifest.js'
import { ChildProcessError, startChild } from '../process.js'
import { PsqlLexer, type StatementEvent } from './psql-lexer.js'
import { quoteSql } from './sql-redact.js'
import { sqlQuoted } from '../sql-names.js'

export { MAX_GLOBALS_BYTES }

/** The globals file's name beside the dump `fileName` (`.age` when the backup is encrypted). */
export function globalsFileName(dumpFileName: string, encrypted: boolean): string {
  return `${dumpFileName}.globals.sql${encrypted ? '.age' : ''}`
}

export type GlobalsDump = { ok: true; sql: Buffer } | { ok: false; reason: string }

/**
 * Runs pg_dumpall --globals-only --no-role-passwords connected to `database` (the backup's own:
 * a role that may connect to nothing else still can). A failure is returned, not thrown: the
 * backup of the database goes on without the roles.
 */
export async function dumpGlobals(
  pgDumpallPath: string,
  env: Record<string, string>,
  database: string
): Promise<GlobalsDump> {
  const args = ['--globals-only', '--no-role-passwords', '--no-password', `--database=${database}`]
  const child = startChild(pgDumpallPath, args, { env })
  const chunks: Buffer[] = []
  let bytes = 0
  child.stdout.on('data', (chunk: Buffer) => {
    bytes += chunk.length
    if (bytes <= MAX_GLOBALS_BYTES) chunks.push(chunk)
  })
  try {
    await child.done
  } catch (error) {
    if (!(error instanceof ChildProcessError)) throw error
    const reason = error.startError
      ? `could not start pg_dumpall (${pgDumpallPath}): ${error.startError.message}`
      : `pg_dumpall ${error.signal ? `was killed by ${error.signal}` : `exited with code ${error.code}`}: ${error.stderr.trim().split('\n').slice(-3).join(' | ')}`
    return { ok: false, reason }
  }
  if (bytes > MAX_GLOBALS_BYTES) {
    return {
      ok: false,
      reason: `pg_dumpall wrote ${bytes} bytes, more than the ${MAX_GLOBALS_BYTES} a restore reads`
    }
  }
  return { ok: true, sql: Buffer.concat(chunks) }
}

/** Role attributes as pg_dumpall writes them (ALTER ROLE … WITH …). */
const FLAGS = [
  'SUPERUSER',
  'INHERIT',
  'CREATEROLE',
  'CREATEDB',
  'LOGIN',
  'REPLICATION',
  'BYPASSRLS'
] as const
/**
 * What pg_dumpall writes after VALID UNTIL (rolvaliduntil in DateStyle ISO): infinity,
 * -infinity or a timestamp with its zone offset (e.g. '2030-01-01 00:00:00+00', '… BC').
 */
const VALID_UNTIL =
  /^(?:-?infinity|\d{4,}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,6})?[+-]\d{2}(?::\d{2}){0,2}(?: BC)?)$/
/** What only a superuser can give a role. */
export const SUPERUSER_ONLY = new Set(['SUPERUSER', 'REPLICATION', 'BYPASSRLS'])

export interface GlobalRole {
  name: string
  /** Attributes as written: INHERIT, NOLOGIN, CONNECTION LIMIT 5, VALID UNTIL '…' … */
  attributes: string[]
  /** 1-based line of its CREATE ROLE. */
  line: number
}

export interface GlobalMembership {
  role: string
  member: string
  admin: boolean
  /** PostgreSQL 16+: WITH INHERIT / SET TRUE|FALSE as written (undefined: not written). */
  inherit?: boolean
  set?: boolean
}

export interface ParsedGlobals {
  roles: GlobalRole[]
  memberships: GlobalMembership[]
  /** Statements of the file a restore does not run (settings, tablespaces, comments…). */
  ignored: { line: number; text: string; reason: string }[]
}

/** Refuses the globals file: the message names the line and says what to do. */
export class GlobalsError extends CheckError {
  override name = 'GlobalsError'
}

/**
 * Reads a globals file against the grammar of pg_dumpall --globals-only --no-role-passwords;
 * throws a GlobalsError on the first thing it does not write (a meta-command other than
 * \restrict/\unrestrict, COPY data, a password, any other statement).
 */
export function parseGlobals(sql: Buffer, psqlMajor = 18): ParsedGlobals {
  const lexer = new PsqlLexer({ psqlMajor })
  const events = [...lexer.write(sql), ...lexer.end()]
  const parsed: ParsedGlobals = { roles: [], memberships: [], ignored: [] }
  const byName = new Map<string, GlobalRole>()
  for (const event of events) {
    if (event.kind === 'metaCommand') {
      if (event.name === 'restrict' || event.name === 'unrestrict') continue
      throw new GlobalsError(
        `the globals file, line ${event.line}: the meta-command \\${event.name.slice(0, 40)} is not something pg_dumpall --globals-only writes; the file is refused and no role was created.`
      )
    }
    if (event.kind !== 'statement') {
      throw new GlobalsError(
        `the globals file, line ${event.line}: ${event.kind === 'copyData' || event.kind === 'copyEnd' ? 'COPY data' : 'input psql would not read as a statement'}, which pg_dumpall --globals-only never writes; the file is refused and no role was created.`
      )
    }
    statement(event, parsed, byName)
  }
  return parsed
}

function statement(
  event: StatementEvent,
  parsed: ParsedGlobals,
  byName: Map<string, GlobalRole>
): void {
  const refuse = (why: string): never => {
    throw new GlobalsError(
      `the globals file, line ${event.line}: ${why} ("${oneLine(event.text)}"); pg_dumpall --globals-only --no-role-passwords never writes this. The file is refused and no role was created.`
    )
  }
  if (
    event.variables.length > 0 ||
    event.backslashEscapes > 0 ||
    event.terminator !== 'semicolon'
  ) {
    refuse('psql variables, "\\;" or a statement not ended by ";"')
  }
  const tokens = tokenize(event.text, refuse)
  const word = (i: number): string | undefined =>
    tokens[i]?.kind === 'word' ? tokens[i].text.toUpperCase() : undefined
  const ignore = (reason: string): void => {
    parsed.ignored.push({ line: event.line, text: oneLine(event.text), reason })
  }
  const w0 = word(0)
  const w1 = word(1)
  if (w0 === 'SET' || (w0 === 'SELECT' && /pg_catalog\.set_config/i.test(event.text))) {
    // the header's session settings (SET client_encoding …): the action's own session decides
    if (w0 === 'SELECT') refuse('a function call')
    return ignore('session setting of the file')
  }
  if (w0 === 'CREATE' && w1 === 'ROLE') {
    const name = ident(tokens[2]) ?? refuse('CREATE ROLE without a role name')
    if (tokens.length !== 3) refuse('CREATE ROLE with more than a name')
    roleName(name, refuse)
    if (byName.has(name)) refuse(`a second CREATE ROLE of "${name}"`)
    const role: GlobalRole = { name, attributes: [], line: event.line }
    byName.set(name, role)
    parsed.roles.push(role)
    return
  }
  if (w0 === 'ALTER' && w1 === 'ROLE') {
    const name = ident(tokens[2]) ?? refuse('ALTER ROLE without a role name')
    const role = byName.get(name)
    if (word(3) === 'WITH') {
      // only the role this file created just before: an existing role is never altered
      if (!role) return refuse(`ALTER ROLE "${name}" WITH … of a role the file does not create`)
      if (role.attributes.length > 0) refuse(`a second ALTER ROLE "${name}" WITH …`)
      role.attributes = attributes(tokens.slice(4), refuse)
      return
    }
    if (word(3) === 'SET' || word(3) === 'IN' || word(3) === 'RESET') {
      return ignore('role setting (ALTER ROLE … SET): not restored')
    }
    refuse('ALTER ROLE other than WITH attributes or SET')
  }
  if (w0 === 'COMMENT' && w1 === 'ON' && word(2) === 'ROLE') return ignore('comment on a role')
  if (w0 === 'SECURITY' && w1 === 'LABEL') return ignore('security label')
  if ((w0 === 'CREATE' || w0 === 'ALTER') && w1 === 'TABLESPACE') {
    return ignore('tablespace: not restored (a directory of the server)')
  }
  if (w0 === 'GRANT' || w0 === 'REVOKE') {
    if (tokens.some(t => t.kind === 'word' && t.text.toUpperCase() === 'ON')) {
      return ignore('privilege on a tablespace or parameter: not restored')
    }
    if (w0 === 'REVOKE') refuse('REVOKE of a role')
    const membership = grant(tokens, refuse)
    parsed.memberships.push(membership)
    return
  }
  refuse('a statement other than CREATE ROLE, ALTER ROLE, GRANT, COMMENT or a tablespace')
}

/** `GRANT role TO member [WITH ADMIN OPTION | WITH opt TRUE|FALSE, …] [GRANTED BY role]` */
function grant(tokens: Token[], refuse: (why: string) => never): GlobalMembership {
  const role = ident(tokens[1]) ?? refuse('GRANT without a role name')
  if (tokens[2]?.kind !== 'word' || tokens[2].text.toUpperCase() !== 'TO') {
    refuse('GRANT of more than one role')
  }
  const member = ident(tokens[3]) ?? refuse('GRANT without a member')
  roleName(role, refuse)
  roleName(member, refuse)
  if (role === member) refuse(`a GRANT of role "${role}" to itself, which PostgreSQL refuses`)
  const membership: GlobalMembership = { role, member, admin: false }
  let i = 4
  const upper = (k: number): string => tokens[k]?.text.toUpperCase() ?? ''
  if (upper(i) === 'WITH') {
    do {
      i++
      const option = upper(i)
      const value = upper(i + 1)
      if (!['ADMIN', 'INHERIT', 'SET'].includes(option)) refuse('an unknown GRANT option')
      if (option === 'ADMIN' && value === 'OPTION') membership.admin = true
      else if (value === 'TRUE' || value === 'FALSE') {
        const on = value === 'TRUE'
        if (option === 'ADMIN') membership.admin = on
        else if (option === 'INHERIT') membership.inherit = on
        else membership.set = on
      } else refuse('an unknown GRANT option value')
      i += 2
    } while (tokens[i]?.text === ',')
  }
  if (upper(i) === 'GRANTED' && upper(i + 1) === 'BY' && ident(tokens[i + 2])) i += 3
  if (i !== tokens.length) refuse('GRANT with more than a member and options')
  return membership
}

/** The longest role name PostgreSQL keeps (NAMEDATALEN - 1): longer ones it cuts, so two could become one. */
const MAX_NAME_BYTES = 63

function roleName(name: string, refuse: (why: string) => never): void {
  if (Buffer.byteLength(name) > MAX_NAME_BYTES)
    refuse(
      `a role name of ${Buffer.byteLength(name)} bytes, longer than PostgreSQL's ${MAX_NAME_BYTES} (it would cut it, and two names could become one)`
    )
}

function attributes(tokens: Token[], refuse: (why: string) => never): string[] {
  const out: string[] = []
  for (let i = 0; i < tokens.length; i++) {
    const w = tokens[i].kind === 'word' ? tokens[i].text.toUpperCase() : ''
    const flag = FLAGS.find(f => w === f || w === `NO${f}`)
    if (flag) {
      out.push(w)
      continue
    }
    if (w === 'CONNECTION' && tokens[i + 1]?.text.toUpperCase() === 'LIMIT') {
      const n = tokens[i + 2]
      if (n?.kind !== 'number') refuse('CONNECTION LIMIT without a number')
      // pg_dumpall writes an int4 from -1 (no limit) up
      const limit = Number(n.text)
      if (!/^-?\d{1,10}$/.test(n.text) || limit < -1 || limit > 2147483647) {
        refuse(`CONNECTION LIMIT ${n.text.slice(0, 20)}, not a whole number from -1 to 2147483647`)
      }
      out.push(`CONNECTION LIMIT ${limit}`)
      i += 2
      continue
    }
    if (w === 'VALID' && tokens[i + 1]?.text.toUpperCase() === 'UNTIL') {
      const t = tokens[i + 2]
      if (t?.kind !== 'string') refuse('VALID UNTIL without a date')
      if (!VALID_UNTIL.test(t.text)) {
        refuse(
          `VALID UNTIL '${t.text.slice(0, 40)}', not 'infinity', '-infinity' or an ISO timestamp such as '2030-01-01 00:00:00+00'`
        )
      }
      out.push(`VALID UNTIL ${quoteLiteral(t.text)}`)
      i += 2
      continue
    }
    if (w === 'PASSWORD' || w === 'ENCRYPTED') refuse('a password')
    refuse(`the role attribute ${tokens[i].text.slice(0, 40)}`)
  }
  return out
}

interface Token {
  kind: 'word' | 'quoted' | 'string' | 'number' | 'punct'
  text: string
}

/** Words, "quoted identifiers", '…' literals (E'' and $$ refused), numbers and , only. */
function tokenize(sql: string, refuse: (why: string) => never): Token[] {
  const tokens: Token[] = []
  let i = 0
  const text = sql.replace(/;\s*$/, '')
  /** The text between the quote at i and its closing one (a doubled quote stands for one). */
  const quoted = (quote: string, unterminated: string): string => {
    let value = ''
    i++
    for (;;) {
      if (i >= text.length) refuse(unterminated)
      if (text[i] === quote) {
        if (text[i + 1] === quote) {
          value += quote
          i += 2
          continue
        }
        i++
        return value
      }
      value += text[i++]
    }
  }
  while (i < text.length) {
    const ch = text[i]
    if (/\s/.test(ch)) {
      i++
    } else if (ch === '-' && text[i + 1] === '-') {
      while (i < text.length && text[i] !== '\n') i++
    } else if (ch === '"') {
      tokens.push({ kind: 'quoted', text: quoted('"', 'an unterminated quoted name') })
    } else if (ch === "'") {
      tokens.push({ kind: 'string', text: quoted("'", 'an unterminated literal') })
    } else if (/[0-9-]/.test(ch)) {
      const m = /^-?\d+/.exec(text.slice(i))
      if (!m) refuse('an unexpected character')
      tokens.push({ kind: 'number', text: m[0] })
      i += m[0].length
    } else if (/[A-Za-z_]/.test(ch)) {
      const m = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(text.slice(i))!
      tokens.push({ kind: 'word', text: m[0] })
      i += m[0].length
    } else if (ch === ',' || ch === '=' || ch === '.' || ch === '(' || ch === ')') {
      tokens.push({ kind: 'punct', text: ch })
      i++
    } else if (
      tokens[0]?.kind === 'word' &&
      /^(SET|COMMENT|SECURITY|CREATE|ALTER|GRANT|REVOKE)$/i.test(tokens[0].text)
    ) {
      // settings, comments and tablespace options may hold other characters: such statements
      // are ignored or refused by their first words, never run
      i++
    } else refuse('an unexpected character')
  }
  return tokens
}

/** A role name token: a plain word (folded to lower case, as the server does) or "quoted". */
function ident(token: Token | undefined): string | undefined {
  if (!token) return undefined
  if (token.kind === 'quoted') return token.text.length > 0 ? token.text : undefined
  if (token.kind === 'word') return token.text.toLowerCase()
  return undefined
}

/**
 * A string literal that reads the same whatever standard_conforming_strings is, as PostgreSQL's
 * quote_literal writes it: quotes doubled, and with a backslash in the value the E'' form with
 * backslashes doubled (in a plain '' literal, standard_conforming_strings = off would read a
 * backslash as an escape and could end the literal early). Every literal the action builds
 * goes through here.
 */
export function quoteLiteral(value: string): string {
  const quoted = value.replace(/'/g, "''")
  return value.includes('\\') ? `E'${quoted.replace(/\\/g, '\\\\')}'` : `'${quoted}'`
}

function oneLine(text: string): string {
  return quoteSql(text, 201)
}

/** What the target is, for the plan. */
export interface RoleTarget {
  /** Every role of the cluster. */
  roles: ReadonlySet<string>
  superuser: boolean
  /** current_user may create roles (CREATEROLE or superuser). */
  canCreateRoles: boolean
  /** The target's major: INHERIT and SET options of a membership exist from 16 on. */
  serverMajor: number
}

export interface RolePlan {
  /** The statements to run, in order (CREATE ROLE …, GRANT …). */
  statements: string[]
  created: string[]
  /** Roles of the file left alone, and why (exists; reserved name). */
  existing: string[]
  /** What was left out of what the file asks, one line each (attributes, memberships). */
  skipped: string[]
}

/**
 * A managed service's own administrative roles, by name: the platform creates them on its
 * servers and gives them powers no CREATE ROLE can (Neon's neon_superuser, RDS's rds_superuser,
 * Cloud SQL's cloudsqlsuperuser, Azure's azure_pg_admin, Supabase's supabase_admin). Created
 * on another platform's server they would be a powerless role of the same name, and a grant
 * of one to an application role a grant of nothing: left out, said (trial u40 F5). The
 * service's name, or undefined. Application roles a platform gives (Supabase's anon,
 * authenticated, service_role) are the application's: created like any other.
 */
export function platformRole(name: string): string | undefined {
  if (/^(?:neon_superuser|cloud_admin|neon_service)$/.test(name)) return 'Neon'
  if (
    /^(?:rdsadmin|rds_superuser|rds_replication|rds_password|rds_iam|rds_ad|rdstopmgr|rdsrepladmin|rds_reserved|rds_extension)$/.test(
      name
    )
  )
    return 'Amazon RDS'
  if (
    /^(?:cloudsqlsuperuser|cloudsqladmin|cloudsqlagent|cloudsqlreplica|cloudsqlimportexport|cloudsqlobservabilityadmin)$/.test(
      name
    )
  )
    return 'Cloud SQL'
  if (/^(?:alloydbsuperuser|alloydbadmin|alloydbreplica|alloydbagent)$/.test(name)) return 'AlloyDB'
  if (/^(?:azure_pg_admin|azuresu|azure_superuser)$/.test(name))
    return 'Azure Database for PostgreSQL'
  if (
    /^(?:supabase_admin|supabase_replication_admin|supabase_etl_admin|supabase_superuser)$/.test(
      name
    )
  )
    return 'Supabase'
  return undefined
}

/**
 * The statements that create the file's roles the target lacks. Never a statement about an
 * existing role: a membership is made only between two roles this restore creates — one that
 * makes an existing role a member, or a created role a member of an existing role, is left out
 * (listed: grant it by hand). Left out and listed too: attributes only a superuser can give
 * when the restoring role is not one, CREATEROLE before PostgreSQL 16 (there it can grant
 * itself any non-superuser role), and SUPERUSER always (a file from outside never makes a
 * superuser).
 */
export function planRoles(globals: ParsedGlobals, target: RoleTarget): RolePlan {
  const plan: RolePlan = { statements: [], created: [], existing: [], skipped: [] }
  const creating = new Set<string>()
  for (const role of globals.roles) {
    if (target.roles.has(role.name)) {
      plan.existing.push(role.name)
      continue
    }
    if (/^pg_/i.test(role.name)) {
      plan.skipped.push(`${role.name}: a reserved name (pg_…), not created`)
      continue
    }
    const platform = platformRole(role.name)
    if (platform) {
      plan.skipped.push(
        `${role.name}: ${platform}'s own administrative role, not created (the platform makes it on its own servers with powers CREATE ROLE cannot give; here it would be a powerless role of that name — use this server's own admin role instead)`
      )
      continue
    }
    const kept: string[] = []
    const dropped: string[] = []
    for (const attribute of role.attributes) {
      // a file from outside never makes a superuser, whoever restores it: that is granted by hand
      if (attribute === 'SUPERUSER') {
        plan.skipped.push(
          `${role.name}: SUPERUSER not given (a backup never creates a superuser; grant it by hand if it must be one)`
        )
      } else if (attribute === 'CREATEROLE' && target.serverMajor < 16) {
        // before 16 a CREATEROLE role may grant itself any role but a superuser
        // (pg_execute_server_program…): as good as a superuser
        plan.skipped.push(
          `${role.name}: CREATEROLE not given (before PostgreSQL 16 it lets a role grant itself any non-superuser role, pg_execute_server_program included; grant it by hand if it must have it)`
        )
      } else if (!target.superuser && SUPERUSER_ONLY.has(attribute)) dropped.push(attribute)
      else kept.push(attribute)
    }
    if (dropped.length > 0) {
      plan.skipped.push(
        `${role.name}: ${dropped.join(', ')} not given (only a superuser can; the restore runs as a non-superuser)`
      )
    }
    plan.statements.push(
      `CREATE ROLE ${sqlQuoted(role.name)}${kept.length > 0 ? ` WITH ${kept.join(' ')}` : ''};`
    )
    plan.created.push(role.name)
    creating.add(role.name)
  }
  // role settings (ALTER ROLE … SET) are not restored: listed like the rest left out
  for (const i of globals.ignored)
    if (i.reason.startsWith('role setting'))
      plan.skipped.push(
        `${i.text} (line ${i.line}): role settings are not restored; set it by hand`
      )
  for (const m of globals.memberships) {
    if (!creating.has(m.member)) {
      if (creating.has(m.role)) {
        plan.skipped.push(
          `GRANT ${m.role} TO ${m.member}: ${target.roles.has(m.member) ? `"${m.member}" exists and is not altered` : `"${m.member}" is not created`}`
        )
      }
      continue
    }
    // only memberships among the roles this restore creates: a membership in an existing role
    // (a superuser, a pg_* role, ADMIN on an application role) would give a role the backup
    // names the rights of one the target already has
    if (!creating.has(m.role)) {
      plan.skipped.push(
        `GRANT ${m.role} TO ${m.member}: ${target.roles.has(m.role) ? `"${m.role}" exists, and a restore grants only roles it creates (grant it by hand if "${m.member}" must have it)` : `"${m.role}" does not exist`}`
      )
      continue
    }
    // never more than the source granted: a membership without INHERIT or SET cannot be
    // made before 16, so it is left out there
    const options = m.admin ? ['ADMIN OPTION'] : []
    if (target.serverMajor >= 16) {
      if (m.inherit !== undefined) options.push(`INHERIT ${m.inherit ? 'TRUE' : 'FALSE'}`)
      if (m.set !== undefined) options.push(`SET ${m.set ? 'TRUE' : 'FALSE'}`)
    } else if (m.inherit === false || m.set === false) {
      plan.skipped.push(
        `GRANT ${m.role} TO ${m.member}: granted WITH ${m.inherit === false ? 'INHERIT FALSE' : 'SET FALSE'} in the backup, which PostgreSQL ${target.serverMajor} cannot express (a plain membership would grant more)`
      )
      continue
    }
    plan.statements.push(
      `GRANT ${sqlQuoted(m.role)} TO ${sqlQuoted(m.member)}${options.length > 0 ? ` WITH ${options.join(', ')}` : ''};`
    )
  }
  return plan
}
