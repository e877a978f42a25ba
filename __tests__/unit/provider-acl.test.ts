/**
 * The backup's GRANT/REVOKE on the provider's objects, simulated on the target's ACL
 * (src/postgres/provider-acl.ts) on typed fixtures: ALL as the server's version has it, REVOKE ALL
 * then GRANT back, GRANT OPTION FOR, PUBLIC, quoted names; what cannot be told (column
 * privileges, a role the target lacks, CURRENT_USER) never counts as unchanged (trial u55 L2).
 * The catalog read and the restore's warning: __tests__/integration/managed-provider.test.ts.
 */
import { describe, expect, it } from '@jest/globals'
import {
  type AclClass,
  type AclItem,
  type AclStatement,
  aclUnchanged,
  parseAclStatement,
  routineArgTokens,
  simulateAcl
} from '../../src/postgres/provider-acl.js'

const ROLES = new Set([
  'supabase_admin',
  'supabase_auth_admin',
  'postgres',
  'dashboard_user',
  'anon',
  'authenticated',
  'service_role',
  'My Role'
])

const TABLE_15 = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']

/** `grantee` holds every privilege of `privileges`, grantable or not. */
function holds(grantee: string, privileges: string[], grantable = false): AclItem[] {
  return privileges.map(p => [grantee, p, grantable] as const)
}

/** auth.users in a new project: its owner's, dashboard_user's ALL, postgres's ALL WITH GRANT OPTION. */
const USERS: AclItem[] = [
  ...holds('supabase_auth_admin', TABLE_15, true),
  ...holds('dashboard_user', TABLE_15),
  ...holds('postgres', TABLE_15, true)
]

function parsed(...sql: string[]): AclStatement[] {
  return sql.map(s => {
    const p = parseAclStatement(s)
    if (p === undefined) throw new Error(`not read: ${s}`)
    return p
  })
}

function unchanged(
  current: AclItem[],
  cls: AclClass,
  sql: string[],
  major = 15
): boolean | undefined {
  return aclUnchanged(current, parsed(...sql), cls, major, ROLES)
}

const sorted = (acl: ReadonlyArray<AclItem> | undefined) =>
  acl === undefined ? undefined : [...acl].map(a => a.join(' ')).sort()

describe('parseAclStatement', () => {
  it('reads what pg_dump writes: privileges, the kind, objects, grantees, the grant option', () => {
    expect(parseAclStatement('GRANT ALL ON TABLE auth.users TO dashboard_user;')).toEqual({
      grant: true,
      option: false,
      privileges: 'ALL',
      target: 'table',
      objects: [{ schema: 'auth', name: 'users' }],
      grantees: ['dashboard_user']
    })
    expect(
      parseAclStatement(
        'REVOKE GRANT OPTION FOR SELECT, UPDATE ON SEQUENCE auth.refresh_tokens_id_seq FROM postgres, PUBLIC;'
      )
    ).toEqual({
      grant: false,
      option: true,
      privileges: ['SELECT', 'UPDATE'],
      target: 'sequence',
      objects: [{ schema: 'auth', name: 'refresh_tokens_id_seq' }],
      grantees: ['postgres', 'public']
    })
    expect(
      parseAclStatement(
        'GRANT ALL ON FUNCTION extensions.uuid_generate_v4() TO postgres WITH GRANT OPTION;'
      )
    ).toMatchObject({
      target: 'function',
      option: true,
      objects: [{ schema: 'extensions', name: 'uuid_generate_v4', args: [] }]
    })
    expect(
      parseAclStatement('GRANT EXECUTE ON FUNCTION "My Schema"."f(x"(a integer, b text[]) TO anon')
        ?.objects
    ).toEqual([{ schema: 'My Schema', name: 'f(x', args: routineArgTokens('a integer, b text[]') }])
    expect(parseAclStatement('GRANT USAGE ON SCHEMA auth TO anon, GROUP "My Role";')).toMatchObject(
      { target: 'schema', objects: [{ name: 'auth' }], grantees: ['anon', 'My Role'] }
    )
    expect(parseAclStatement('grant select on foreign table s."T" to anon')).toMatchObject({
      target: 'table',
      objects: [{ schema: 's', name: 'T' }]
    })
  })

  it('marks what it cannot simulate, and reads no other statement', () => {
    expect(parseAclStatement('GRANT SELECT (email) ON TABLE auth.users TO anon;')?.unsure).toBe(
      'column privileges'
    )
    expect(parseAclStatement('GRANT SELECT ON TABLE auth.users TO CURRENT_USER;')?.unsure).toBe(
      'CURRENT_USER'
    )
    expect(parseAclStatement('REVOKE SELECT ON TABLE auth.users FROM anon CASCADE;')?.unsure).toBe(
      'CASCADE'
    )
    for (const sql of [
      'GRANT SELECT ON ALL TABLES IN SCHEMA auth TO anon;',
      'GRANT USAGE ON LANGUAGE plpgsql TO anon;',
      'GRANT anon TO authenticated;',
      'GRANT SELECT ON TABLE auth.users TO anon; GRANT SELECT ON TABLE auth.x TO anon;',
      'GRANT SELECT ON TABLE auth.users TO anon WITH ADMIN OPTION;',
      'GRANT SELECT ON TABLE db.auth.users TO anon;',
      // the server folds only ASCII letters: which name this is is its to say
      'GRANT SELECT ON TABLE auth.Ünïcødé TO anon;'
    ])
      expect([sql, parseAclStatement(sql)]).toEqual([sql, undefined])
  })
})

describe('simulateAcl / aclUnchanged', () => {
  it('ALL is every privilege of the kind on the target server (MAINTAIN from 17 on)', () => {
    expect(
      sorted(simulateAcl([], parsed('GRANT ALL ON TABLE a.t TO anon;'), 'r', 15, ROLES))
    ).toEqual(sorted(holds('anon', TABLE_15)))
    expect(
      sorted(simulateAcl([], parsed('GRANT ALL PRIVILEGES ON a.t TO anon;'), 'r', 17, ROLES))
    ).toEqual(sorted(holds('anon', [...TABLE_15, 'MAINTAIN'])))
    // ON TABLE of a sequence: the sequence's (the server's rule)
    expect(
      sorted(simulateAcl([], parsed('GRANT ALL ON TABLE a.s TO anon;'), 's', 15, ROLES))
    ).toEqual(sorted(holds('anon', ['USAGE', 'SELECT', 'UPDATE'])))
    expect(
      unchanged(holds('anon', ['USAGE', 'CREATE']), 'n', ['GRANT ALL ON SCHEMA a TO anon;'])
    ).toBe(true)
    expect(unchanged(holds('anon', ['USAGE']), 'n', ['GRANT ALL ON SCHEMA a TO anon;'])).toBe(false)
    // the same ACL on 17 lacks MAINTAIN: ALL gives more there
    expect(unchanged(USERS, 'r', ['GRANT ALL ON TABLE auth.users TO dashboard_user;'])).toBe(true)
    expect(unchanged(USERS, 'r', ['GRANT ALL ON TABLE auth.users TO dashboard_user;'], 17)).toBe(
      false
    )
  })

  it("the provider's own statements on a target set up the same way: unchanged; one grant more: changed", () => {
    const sql = [
      'GRANT ALL ON TABLE auth.users TO dashboard_user;',
      'GRANT ALL ON TABLE auth.users TO postgres WITH GRANT OPTION;'
    ]
    expect(unchanged(USERS, 'r', sql)).toBe(true)
    expect(unchanged(USERS, 'r', [...sql, 'GRANT SELECT ON TABLE auth.users TO anon;'])).toBe(false)
    // what the target has beyond them stays: nothing they change
    expect(unchanged([...USERS, ['anon', 'SELECT', false]], 'r', sql)).toBe(true)
    // a grant option the target does not give is a change
    expect(
      unchanged(USERS, 'r', ['GRANT ALL ON TABLE auth.users TO dashboard_user WITH GRANT OPTION;'])
    ).toBe(false)
  })

  it('REVOKE ALL then GRANT back: unchanged only where what is granted back is what was there', () => {
    const back = [
      'REVOKE ALL ON TABLE auth.users FROM postgres;',
      'GRANT ALL ON TABLE auth.users TO postgres WITH GRANT OPTION;'
    ]
    expect(unchanged(USERS, 'r', back)).toBe(true)
    expect(
      unchanged(USERS, 'r', [
        'REVOKE ALL ON TABLE auth.users FROM postgres;',
        'GRANT SELECT ON TABLE auth.users TO postgres WITH GRANT OPTION;'
      ])
    ).toBe(false)
    // in the other order, the REVOKE wins
    expect(unchanged(USERS, 'r', [...back].reverse())).toBe(false)
  })

  it('GRANT OPTION FOR takes the option only', () => {
    const sql = ['REVOKE GRANT OPTION FOR ALL ON TABLE auth.users FROM postgres;']
    expect(sorted(simulateAcl(USERS, parsed(...sql), 'r', 15, ROLES))).toEqual(
      sorted([
        ...holds('supabase_auth_admin', TABLE_15, true),
        ...holds('dashboard_user', TABLE_15),
        ...holds('postgres', TABLE_15)
      ])
    )
    expect(unchanged(USERS, 'r', sql)).toBe(false)
    // on a role without the option: nothing to take
    expect(
      unchanged(USERS, 'r', [
        'REVOKE GRANT OPTION FOR SELECT ON TABLE auth.users FROM dashboard_user;'
      ])
    ).toBe(true)
  })

  it("PUBLIC: a routine's default EXECUTE, a schema's revoked USAGE", () => {
    const routine: AclItem[] = [
      ['public', 'EXECUTE', false],
      ['supabase_admin', 'EXECUTE', false]
    ]
    expect(unchanged(routine, 'f', ['GRANT ALL ON FUNCTION auth.uid() TO PUBLIC;'])).toBe(true)
    expect(unchanged(routine, 'f', ['REVOKE ALL ON FUNCTION auth.uid() FROM PUBLIC;'])).toBe(false)
    expect(
      unchanged([['supabase_admin', 'EXECUTE', true]], 'f', [
        'REVOKE ALL ON FUNCTION auth.uid() FROM PUBLIC;'
      ])
    ).toBe(true)
    // a quoted "public" is a role's name, which no role may have: not PUBLIC
    expect(unchanged(routine, 'f', ['GRANT ALL ON FUNCTION auth.uid() TO "PUBLIC";'])).toBe(
      undefined
    )
  })

  it('quoted names are names as written', () => {
    const acl: AclItem[] = [
      ['My Role', 'SELECT', false],
      ...holds('supabase_admin', TABLE_15, true)
    ]
    expect(unchanged(acl, 'r', ['GRANT SELECT ON TABLE "Auth"."User s" TO "My Role";'])).toBe(true)
    // unquoted: folded to my role — another role, which the target lacks
    expect(
      unchanged(acl, 'r', ['GRANT SELECT ON TABLE "Auth"."User s" TO my_role;'])
    ).toBeUndefined()
  })

  it('what cannot be told is never unchanged: a column privilege, a role the target lacks, CURRENT_USER, a kind that does not fit', () => {
    const withColumn: AclItem[] = [...USERS]
    expect(unchanged(withColumn, 'r', ['GRANT SELECT (email) ON TABLE auth.users TO anon;'])).toBe(
      undefined
    )
    // even beside statements that change nothing
    expect(
      unchanged(USERS, 'r', [
        'GRANT ALL ON TABLE auth.users TO dashboard_user;',
        'GRANT SELECT (email) ON TABLE auth.users TO dashboard_user;'
      ])
    ).toBeUndefined()
    expect(unchanged(USERS, 'r', ['GRANT ALL ON TABLE auth.users TO nobody_here;'])).toBeUndefined()
    expect(
      unchanged(USERS, 'r', ['REVOKE SELECT ON TABLE auth.users FROM CURRENT_USER;'])
    ).toBeUndefined()
    expect(unchanged(USERS, 'r', ['GRANT ALL ON SEQUENCE auth.users TO anon;'])).toBeUndefined()
    expect(unchanged(USERS, 'r', ['GRANT USAGE ON TABLE auth.users TO anon;'])).toBeUndefined()
    expect(
      unchanged(holds('anon', ['USAGE', 'SELECT']), 's', ['GRANT INSERT ON TABLE auth.s TO anon;'])
    ).toBeUndefined()
  })
})
