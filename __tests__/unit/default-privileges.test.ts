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
  defaultAclChanges,
  defaultPrivilegesBeyondBackup,
  describeDefaultPrivileges,
  ownedKey,
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
      // another schema than the backup's: not compared; the role's global row: compared
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

  it("names the grantees the backup never gave, with the REVOKE; PUBLIC's hard-wired EXECUTE and quoted names read; the global row compared too", () => {
    expect(defaultPrivilegesBeyondBackup(target, backup, new Set(['public']))).toEqual([
      {
        schema: 'public',
        kind: 'FUNCTIONS',
        grantees: ['anon'],
        revoke:
          'ALTER DEFAULT PRIVILEGES FOR ROLE "postgres" IN SCHEMA "public" REVOKE ALL ON FUNCTIONS FROM "anon";'
      },
      // the target's global row gives y EXECUTE everywhere; the source's (none: the hard-wired
      // default) does not: only a global REVOKE takes it
      {
        schema: null,
        kind: 'FUNCTIONS',
        grantees: ['y'],
        revoke: 'ALTER DEFAULT PRIVILEGES FOR ROLE "postgres" REVOKE ALL ON FUNCTIONS FROM "y";'
      }
    ])
  })

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
  const adp = (statement: string) => ({
    role: 'postgres',
    schema: 'public',
    defn: `ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public ${statement};\n`
  })

  it('privilege by privilege: anon left SELECT in the source, given ALL by the target (attacker a64 F2)', () => {
    const readOnly = [adp('GRANT SELECT,REFERENCES,TRIGGER ON TABLES TO anon')]
    expect(defaultPrivilegesBeyondBackup(tables, readOnly, new Set(['public']))).toEqual([
      {
        schema: 'public',
        kind: 'TABLES',
        grantees: ['anon (INSERT, UPDATE)'],
        revoke:
          'ALTER DEFAULT PRIVILEGES FOR ROLE "postgres" IN SCHEMA "public" REVOKE INSERT, UPDATE ON TABLES FROM "anon";'
      }
    ])
  })

  it('a role the backup never names (a source that gave anon nothing) is compared where the backup holds objects of the role in the schema (attacker a80 F1)', () => {
    const owned = new Set([ownedKey('public', 'postgres')])
    expect(defaultPrivilegesBeyondBackup(tables, [], new Set(['public']), owned)).toEqual([
      {
        schema: 'public',
        kind: 'TABLES',
        grantees: ['anon'],
        revoke:
          'ALTER DEFAULT PRIVILEGES FOR ROLE "postgres" IN SCHEMA "public" REVOKE ALL ON TABLES FROM "anon";'
      }
    ])
    // objects of the role in another schema only, or of other roles in this one: nothing says
    // what the source gave here
    expect(
      defaultPrivilegesBeyondBackup(
        tables,
        [],
        new Set(['public', 'app']),
        new Set([ownedKey('app', 'postgres'), ownedKey('public', 'someone_else')])
      )
    ).toEqual([])
  })

  it('a REVOKE after a GRANT subtracts, in order; REVOKE ALL takes all; GRANT OPTION FOR only the option (attacker a80 F2)', () => {
    // GRANT SELECT then REVOKE SELECT: the source gives anon nothing
    expect(
      defaultPrivilegesBeyondBackup(
        tables,
        [adp('GRANT SELECT ON TABLES TO anon'), adp('REVOKE SELECT ON TABLES FROM anon')],
        new Set(['public'])
      ).map(b => b.revoke)
    ).toEqual([
      'ALTER DEFAULT PRIVILEGES FOR ROLE "postgres" IN SCHEMA "public" REVOKE ALL ON TABLES FROM "anon";'
    ])
    // several statements in one entry (an archive's DEFAULT ACL), REVOKE ALL then a GRANT
    expect(
      defaultPrivilegesBeyondBackup(
        tables,
        [
          {
            role: 'postgres',
            schema: 'public',
            defn: [
              'ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON TABLES TO anon;',
              'ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public REVOKE ALL PRIVILEGES ON TABLES FROM anon;',
              'ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT SELECT, INSERT ON TABLES TO anon;'
            ].join('\n')
          }
        ],
        new Set(['public'])
      ).map(b => b.grantees)
    ).toEqual([['anon (UPDATE, REFERENCES)']])
    // GRANT … WITH GRANT OPTION then REVOKE GRANT OPTION FOR: the privilege stays, the option goes
    const withOption: OwnDefaultPrivileges = {
      role: 'postgres',
      rows: [
        {
          objtype: 'r',
          schema: 'public',
          acl: '',
          privileges: [{ grantee: 'anon', privilege: 'SELECT', grantable: true }],
          hardWired: []
        }
      ]
    }
    expect(
      defaultPrivilegesBeyondBackup(
        withOption,
        [
          adp('GRANT SELECT ON TABLES TO anon WITH GRANT OPTION'),
          adp('REVOKE GRANT OPTION FOR SELECT ON TABLES FROM anon CASCADE')
        ],
        new Set(['public'])
      )
    ).toEqual([
      {
        schema: 'public',
        kind: 'TABLES',
        grantees: ['anon (SELECT WITH GRANT OPTION)'],
        revoke:
          'ALTER DEFAULT PRIVILEGES FOR ROLE "postgres" IN SCHEMA "public" REVOKE GRANT OPTION FOR SELECT ON TABLES FROM "anon";'
      }
    ])
    expect(
      defaultPrivilegesBeyondBackup(
        withOption,
        [adp('GRANT SELECT ON TABLES TO anon WITH GRANT OPTION')],
        new Set(['public'])
      )
    ).toEqual([])
  })

  it("the backup's global row counts: new objects in a schema get it and the schema's row together (attacker a80 F3)", () => {
    const global = {
      role: 'postgres',
      schema: null,
      defn: 'ALTER DEFAULT PRIVILEGES FOR ROLE postgres GRANT ALL ON TABLES TO anon;\n'
    }
    const owned = new Set([ownedKey('public', 'postgres')])
    expect(defaultPrivilegesBeyondBackup(tables, [global], new Set(['public']), owned)).toEqual([])
    // REVOKE ALL ON FUNCTIONS FROM PUBLIC (pg_dump's global row): the target's IN SCHEMA
    // EXECUTE to PUBLIC is more than the source's
    const functions: OwnDefaultPrivileges = {
      role: 'postgres',
      rows: [
        {
          objtype: 'f',
          schema: 'public',
          acl: '',
          privileges: [{ grantee: null, privilege: 'EXECUTE', grantable: false }],
          hardWired: []
        }
      ]
    }
    expect(defaultPrivilegesBeyondBackup(functions, [], new Set(['public']), owned)).toEqual([])
    expect(
      defaultPrivilegesBeyondBackup(
        functions,
        [
          {
            ...global,
            defn: 'ALTER DEFAULT PRIVILEGES FOR ROLE postgres REVOKE ALL ON FUNCTIONS FROM PUBLIC;'
          }
        ],
        new Set(['public']),
        owned
      ).map(b => b.revoke)
    ).toEqual([
      'ALTER DEFAULT PRIVILEGES FOR ROLE "postgres" IN SCHEMA "public" REVOKE ALL ON FUNCTIONS FROM PUBLIC;',
      // and the target has no global row: the hard-wired default gives PUBLIC EXECUTE everywhere
      'ALTER DEFAULT PRIVILEGES FOR ROLE "postgres" REVOKE ALL ON FUNCTIONS FROM PUBLIC;'
    ])
  })

  it("reads the GRANT with the tokenizer: a ';' inside a quoted role name is no statement's end (attacker a80 F4)", () => {
    const spoof = [
      adp('GRANT SELECT ON TABLES TO "a;b GRANT ALL ON TABLES TO anon;"'),
      // a comment and a literal-looking name do not count either
      adp('/* GRANT ALL ON TABLES TO anon; */ GRANT SELECT ON TABLES TO "x"')
    ]
    expect(
      defaultPrivilegesBeyondBackup(tables, spoof, new Set(['public'])).map(b => b.grantees)
    ).toEqual([['anon']])
    expect(defaultAclChanges(spoof[0].defn)).toEqual([
      {
        grant: true,
        optionOnly: false,
        privileges: ['SELECT'],
        kind: 'TABLES',
        grantees: ['a;b GRANT ALL ON TABLES TO anon;'],
        withGrantOption: false
      }
    ])
    // ROUTINES is FUNCTIONS; GROUP and PUBLIC; a role named "PUBLIC" is not PUBLIC
    expect(
      defaultAclChanges(
        'ALTER DEFAULT PRIVILEGES FOR USER "R", s IN SCHEMA a, "B" GRANT EXECUTE ON ROUTINES TO GROUP g, public, "PUBLIC" WITH GRANT OPTION;'
      )
    ).toEqual([
      {
        grant: true,
        optionOnly: false,
        privileges: ['EXECUTE'],
        kind: 'FUNCTIONS',
        grantees: ['g', PUBLIC_GRANTEE, 'PUBLIC'],
        withGrantOption: true
      }
    ])
  })

  it('nothing where the backup has no default privileges nor objects of that role (another platform)', () => {
    const other = [{ ...backup[0], role: 'neondb_owner' }]
    expect(defaultPrivilegesBeyondBackup(target, other, new Set(['public']))).toEqual([])
    expect(
      defaultPrivilegesBeyondBackup(
        target,
        other,
        new Set(['public']),
        new Set([ownedKey('public', 'neondb_owner')])
      )
    ).toEqual([])
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
