/**
 * The statements that set the restoring role's default privileges aside and reinstate them
 * (src/postgres/default-privileges.ts); against real PostgreSQL:
 * __tests__/integration/default-privileges.test.ts.
 */
import { describe, expect, it } from '@jest/globals'
import {
  PUBLIC_GRANTEE,
  aclObjectTag,
  rolesNamed,
  type OwnDefaultPrivileges,
  defaultPrivilegesBeyondBackup,
  describeDefaultPrivileges,
  reinstateStatements,
  setAsideStatements
} from '../../src/postgres/default-privileges.js'

const own: OwnDefaultPrivileges = {
  role: 'app "owner"',
  rows: [
    // ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC; … GRANT EXECUTE … TO "x y" WITH GRANT OPTION
    {
      objtype: 'f',
      schema: null,
      acl: '{"app \\"owner\\""=X/"app \\"owner\\"","x y"=X*/"app \\"owner\\""}',
      privileges: [
        { grantee: 'app "owner"', privilege: 'EXECUTE', grantable: false },
        { grantee: 'x y', privilege: 'EXECUTE', grantable: true }
      ],
      hardWired: [
        { grantee: null, privilege: 'EXECUTE', grantable: false },
        { grantee: 'app "owner"', privilege: 'EXECUTE', grantable: false }
      ]
    },
    {
      objtype: 'S',
      schema: 'My Schema',
      acl: '{anon=rU*/x}',
      privileges: [
        { grantee: 'anon', privilege: 'SELECT', grantable: false },
        { grantee: 'anon', privilege: 'USAGE', grantable: true }
      ],
      hardWired: []
    }
  ]
}

describe('the restoring role’s default privileges set aside and reinstated', () => {
  it('set aside: a global row back to acldefault, a schema row revoked; identifiers quoted', () => {
    expect(setAsideStatements(own)).toEqual([
      'ALTER DEFAULT PRIVILEGES FOR ROLE "app ""owner""" REVOKE EXECUTE ON FUNCTIONS FROM "x y";',
      'ALTER DEFAULT PRIVILEGES FOR ROLE "app ""owner""" GRANT EXECUTE ON FUNCTIONS TO PUBLIC;',
      'ALTER DEFAULT PRIVILEGES FOR ROLE "app ""owner""" IN SCHEMA "My Schema" REVOKE SELECT, USAGE ON SEQUENCES FROM "anon";'
    ])
  })

  it('reinstated: the same privileges, grant options included', () => {
    expect(reinstateStatements(own)).toEqual([
      'ALTER DEFAULT PRIVILEGES FOR ROLE "app ""owner""" REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;',
      'ALTER DEFAULT PRIVILEGES FOR ROLE "app ""owner""" GRANT EXECUTE ON FUNCTIONS TO "x y" WITH GRANT OPTION;',
      'ALTER DEFAULT PRIVILEGES FOR ROLE "app ""owner""" IN SCHEMA "My Schema" GRANT SELECT ON SEQUENCES TO "anon";',
      'ALTER DEFAULT PRIVILEGES FOR ROLE "app ""owner""" IN SCHEMA "My Schema" GRANT USAGE ON SEQUENCES TO "anon" WITH GRANT OPTION;'
    ])
  })

  it('a grant option only: revoked and granted as such', () => {
    const option: OwnDefaultPrivileges = {
      role: 'r',
      rows: [
        {
          objtype: 'r',
          schema: null,
          acl: '{r=a*rwdDxt/r}',
          privileges: [{ grantee: 'r', privilege: 'INSERT', grantable: true }],
          hardWired: [{ grantee: 'r', privilege: 'INSERT', grantable: false }]
        }
      ]
    }
    expect(setAsideStatements(option)).toEqual([
      'ALTER DEFAULT PRIVILEGES FOR ROLE "r" REVOKE GRANT OPTION FOR INSERT ON TABLES FROM "r";'
    ])
    expect(reinstateStatements(option)).toEqual([
      'ALTER DEFAULT PRIVILEGES FOR ROLE "r" GRANT INSERT ON TABLES TO "r" WITH GRANT OPTION;'
    ])
  })

  it('described for the log', () => {
    expect(describeDefaultPrivileges(own)).toBe(
      'functions everywhere: {"app \\"owner\\""=X/"app \\"owner\\"","x y"=X*/"app \\"owner\\""}; sequences in schema My Schema: {anon=rU*/x}'
    )
  })
})

describe('the target default privileges that give more than the backup did (trial u39 F3)', () => {
  const execute = (grantee: string | null) => ({ grantee, privilege: 'EXECUTE', grantable: false })
  const target: OwnDefaultPrivileges = {
    role: 'postgres',
    rows: [
      {
        objtype: 'f',
        schema: 'public',
        acl: '',
        privileges: ['postgres', 'anon', 'Team "A"', null].map(execute),
        hardWired: []
      },
      {
        objtype: 'r',
        schema: 'public',
        acl: '',
        privileges: [{ grantee: 'anon', privilege: 'SELECT', grantable: false }],
        hardWired: []
      },
      // another schema than the backup's, and the role's global row: not compared
      { objtype: 'f', schema: 'other', acl: '', privileges: [execute('x')], hardWired: [] },
      { objtype: 'f', schema: null, acl: '', privileges: [execute('y')], hardWired: [] }
    ]
  }
  const backup = [
    {
      role: 'postgres',
      schema: 'public',
      defn: [
        'ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON FUNCTIONS TO "Team ""A""";',
        'ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT SELECT ON TABLES TO anon WITH GRANT OPTION;',
        ''
      ].join('\n')
    }
  ]

  it('names the grantees the backup never gave, with the REVOKE; PUBLIC and quoted names read', () => {
    expect(defaultPrivilegesBeyondBackup(target, backup, new Set(['public']))).toEqual([
      {
        schema: 'public',
        kind: 'FUNCTIONS',
        grantees: ['anon', 'PUBLIC'],
        revoke:
          'ALTER DEFAULT PRIVILEGES FOR ROLE "postgres" IN SCHEMA "public" REVOKE ALL ON FUNCTIONS FROM "anon", PUBLIC;'
      }
    ])
  })

  it('privilege by privilege: anon left SELECT in the source, given ALL by the target (attacker a64 F2)', () => {
    const tables: OwnDefaultPrivileges = {
      role: 'postgres',
      rows: [
        {
          objtype: 'r',
          schema: 'public',
          acl: '',
          privileges: ['SELECT', 'INSERT', 'UPDATE', 'REFERENCES'].map(privilege => ({
            grantee: 'anon',
            privilege,
            grantable: false
          })),
          hardWired: []
        }
      ]
    }
    const readOnly = [
      {
        role: 'postgres',
        schema: 'public',
        defn: 'ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT SELECT,REFERENCES,TRIGGER ON TABLES TO anon;\n'
      }
    ]
    expect(defaultPrivilegesBeyondBackup(tables, readOnly, new Set(['public']))).toEqual([
      {
        schema: 'public',
        kind: 'TABLES',
        grantees: ['anon (INSERT, UPDATE)'],
        revoke:
          'ALTER DEFAULT PRIVILEGES FOR ROLE "postgres" IN SCHEMA "public" REVOKE INSERT, UPDATE ON TABLES FROM "anon";'
      }
    ])
    // a source that revoked all of the role's defaults in the schema: none in the backup, but
    // its objects were the role's and anon is granted elsewhere in it
    const grants = ['GRANT SELECT ON TABLE public.t TO anon;']
    expect(
      defaultPrivilegesBeyondBackup(
        tables,
        [],
        new Set(['public']),
        grants,
        new Set(['postgres'])
      ).map(b => b.grantees)
    ).toEqual([['anon']])
    // a role the backup never names (another platform's): not said
    expect(
      defaultPrivilegesBeyondBackup(tables, [], new Set(['public']), [], new Set(['postgres']))
    ).toEqual([])
  })

  it('nothing where the backup has no default privileges of that role (another platform)', () => {
    const other = [{ ...backup[0], role: 'neondb_owner' }]
    expect(defaultPrivilegesBeyondBackup(target, other, new Set(['public']))).toEqual([])
  })
})

describe('rolesNamed: the roles an ACL entry names', () => {
  it('reads GRANT … TO and REVOKE … FROM, several roles, quoted names and PUBLIC', () => {
    const defn = [
      'REVOKE ALL ON TABLE public.t FROM PUBLIC;',
      'GRANT SELECT,INSERT ON TABLE public.t TO authenticated, "Read Only";',
      'GRANT ALL ON TABLE public.t TO "we""ird" WITH GRANT OPTION;',
      'GRANT SELECT(id) ON TABLE public.t TO service_role;'
    ].join('\n')
    expect([...rolesNamed(defn)].sort()).toEqual([
      PUBLIC_GRANTEE,
      'Read Only',
      'authenticated',
      'service_role',
      'we"ird'
    ])
    // a role named "public" or "PUBLIC" in quotes is a role, not PUBLIC (attacker a73 F5)
    expect([...rolesNamed('GRANT ALL ON TABLE t TO "public";')]).toEqual(['public'])
    expect([...rolesNamed('GRANT ALL ON TABLE t TO "PUBLIC";')]).toEqual(['PUBLIC'])
    // a TO or FROM inside a quoted object name is no keyword (attacker a74 F9)
    expect([...rolesNamed('GRANT ALL ON TABLE public."x TO anon" TO service_role;')]).toEqual([
      'service_role'
    ])
    expect([...rolesNamed('REVOKE ALL ON TABLE public."from PUBLIC" FROM app;')]).toEqual(['app'])
  })
})

describe("aclObjectTag: an ACL entry's tag as its object's entry has it (pg_dump 15's tags)", () => {
  it("unquotes the name; keeps a routine's arguments; a column ACL names its table", () => {
    expect(aclObjectTag('TABLE "T 1"')).toEqual({ tag: 'T 1', column: false })
    expect(aclObjectTag('TABLE documents')).toEqual({ tag: 'documents', column: false })
    expect(aclObjectTag('FUNCTION "g(x"(integer)')).toEqual({ tag: 'g(x(integer)', column: false })
    expect(aclObjectTag('FUNCTION f(public.citext, integer)')).toEqual({
      tag: 'f(public.citext, integer)',
      column: false
    })
    expect(aclObjectTag('COLUMN "T 1".a')).toEqual({ tag: 'T 1', column: true })
    expect(aclObjectTag('COLUMN documents.owner_id')).toEqual({ tag: 'documents', column: true })
    expect(aclObjectTag('SEQUENCE "we""ird"')).toEqual({ tag: 'we"ird', column: false })
  })
})
