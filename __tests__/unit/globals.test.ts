/**
 * The globals file (create-roles) is input from outside: parseGlobals accepts only what
 * pg_dumpall --globals-only --no-role-passwords writes, planRoles never touches an existing role,
 * and the manifest's globals field is checked like the rest of the manifest.
 */
import { describe, expect, it } from '@jest/globals'
import { GlobalsError, parseGlobals, planRoles, quoteLiteral } from '../../src/postgres/globals.js'
import { ManifestError, parseManifest } from '../../src/manifest.js'

/** pg_dumpall 15's output, shortened (real text of a run of the integration test's cluster). */
const FILE = `--
-- PostgreSQL database cluster dump
--

\\restrict xDPuVi7OFdEZT0ZKmqc14ca24RRgORj06LLh8t6Fuxm3vfH2hgPteNuaUwVueOw

SET default_transaction_read_only = off;

SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;

CREATE ROLE "Reader x";
ALTER ROLE "Reader x" WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB NOLOGIN NOREPLICATION NOBYPASSRLS;
CREATE ROLE owner1;
ALTER ROLE owner1 WITH NOSUPERUSER INHERIT NOCREATEROLE CREATEDB LOGIN NOREPLICATION NOBYPASSRLS CONNECTION LIMIT 5 VALID UNTIL '2030-01-01 00:00:00+00';
COMMENT ON ROLE owner1 IS 'the owner; with a '' quote';
CREATE ROLE postgres;
ALTER ROLE postgres WITH SUPERUSER INHERIT CREATEROLE CREATEDB LOGIN REPLICATION BYPASSRLS;
CREATE ROLE rep;
ALTER ROLE rep WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB NOLOGIN REPLICATION BYPASSRLS;
ALTER ROLE owner1 SET work_mem TO '8MB';
CREATE TABLESPACE fast OWNER postgres LOCATION '/mnt/fast';
GRANT "Reader x" TO owner1 WITH ADMIN OPTION GRANTED BY postgres;
GRANT "Reader x" TO postgres GRANTED BY postgres;
GRANT pg_read_all_data TO rep WITH INHERIT TRUE, SET FALSE GRANTED BY postgres;

\\unrestrict xDPuVi7OFdEZT0ZKmqc14ca24RRgORj06LLh8t6Fuxm3vfH2hgPteNuaUwVueOw
`

describe('parseGlobals', () => {
  it("reads pg_dumpall's roles, attributes and memberships; ignores settings, comments, tablespaces", () => {
    const parsed = parseGlobals(Buffer.from(FILE))
    expect(parsed.roles.map(r => [r.name, r.attributes.join(' ')])).toEqual([
      ['Reader x', 'NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB NOLOGIN NOREPLICATION NOBYPASSRLS'],
      [
        'owner1',
        "NOSUPERUSER INHERIT NOCREATEROLE CREATEDB LOGIN NOREPLICATION NOBYPASSRLS CONNECTION LIMIT 5 VALID UNTIL '2030-01-01 00:00:00+00'"
      ],
      ['postgres', 'SUPERUSER INHERIT CREATEROLE CREATEDB LOGIN REPLICATION BYPASSRLS'],
      ['rep', 'NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB NOLOGIN REPLICATION BYPASSRLS']
    ])
    expect(parsed.memberships).toEqual([
      { role: 'Reader x', member: 'owner1', admin: true },
      { role: 'Reader x', member: 'postgres', admin: false },
      { role: 'pg_read_all_data', member: 'rep', admin: false, inherit: true, set: false }
    ])
    expect(parsed.ignored.map(i => i.reason)).toEqual([
      'session setting of the file',
      'session setting of the file',
      'session setting of the file',
      'comment on a role',
      'role setting (ALTER ROLE … SET): not restored',
      'tablespace: not restored (a directory of the server)'
    ])
  })

  it.each([
    ['a shell meta-command', 'CREATE ROLE a;\n\\! id\n', /meta-command \\!/],
    ['\\connect', 'CREATE ROLE a;\n\\connect other\n', /meta-command \\connect/],
    ['\\i', '\\i /etc/passwd\n', /meta-command \\i/],
    [
      'ALTER ROLE of a role the file does not create',
      'ALTER ROLE postgres WITH NOSUPERUSER;',
      /does not create/
    ],
    [
      'ALTER ROLE … SUPERUSER after a CREATE of another',
      'CREATE ROLE a;\nALTER ROLE b WITH SUPERUSER;',
      /does not create/
    ],
    [
      'a second ALTER ROLE WITH',
      'CREATE ROLE a;\nALTER ROLE a WITH LOGIN;\nALTER ROLE a WITH SUPERUSER;',
      /second ALTER ROLE/
    ],
    ['ALTER ROLE RENAME', 'CREATE ROLE a;\nALTER ROLE a RENAME TO b;', /ALTER ROLE other than/],
    ['DROP ROLE', 'DROP ROLE postgres;', /a statement other than/],
    ['a password', "CREATE ROLE a;\nALTER ROLE a WITH LOGIN PASSWORD 'x';", /a password/],
    ['CREATE ROLE with options', 'CREATE ROLE a SUPERUSER;', /more than a name/],
    [
      'a function call',
      "SELECT pg_catalog.set_config('search_path', '', false);",
      /a function call/
    ],
    ['REVOKE', 'REVOKE a FROM b;', /REVOKE/],
    ['GRANT of two roles', 'GRANT a, b TO c;', /GRANT of more than one role|unexpected|GRANT/],
    ['a psql variable', 'CREATE ROLE :x;', /variables/],
    ['a statement without ;', 'CREATE ROLE a', /not ended/],
    ['DO', 'DO $$ BEGIN PERFORM 1; END $$;', /a statement other than|unexpected character/]
  ])('refuses %s', (_what, sql, message) => {
    expect(() => parseGlobals(Buffer.from(sql))).toThrow(GlobalsError)
    expect(() => parseGlobals(Buffer.from(sql))).toThrow(message)
  })
})

describe('planRoles', () => {
  const parsed = parseGlobals(Buffer.from(FILE))

  it('as a superuser: creates what the target lacks with every attribute; never an existing role', () => {
    const plan = planRoles(parsed, {
      roles: new Set(['postgres', 'pg_read_all_data']),
      superuser: true,
      canCreateRoles: true,
      serverMajor: 15
    })
    expect(plan.created).toEqual(['Reader x', 'owner1', 'rep'])
    expect(plan.existing).toEqual(['postgres'])
    expect(plan.statements).toEqual([
      'CREATE ROLE "Reader x" WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB NOLOGIN NOREPLICATION NOBYPASSRLS;',
      `CREATE ROLE "owner1" WITH NOSUPERUSER INHERIT NOCREATEROLE CREATEDB LOGIN NOREPLICATION NOBYPASSRLS CONNECTION LIMIT 5 VALID UNTIL '2030-01-01 00:00:00+00';`,
      'CREATE ROLE "rep" WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB NOLOGIN REPLICATION BYPASSRLS;',
      'GRANT "Reader x" TO "owner1" WITH ADMIN OPTION;'
    ])
    // the existing postgres is not made a member of anything; nor is a created role made a
    // member of an existing (predefined) role
    expect(plan.skipped).toEqual([
      "ALTER ROLE owner1 SET work_mem TO '8MB'; (line 21): role settings are not restored; set it by hand",
      'GRANT Reader x TO postgres: "postgres" exists and is not altered',
      'GRANT pg_read_all_data TO rep: "pg_read_all_data" exists, and a restore grants only roles it creates (grant it by hand if "rep" must have it)'
    ])
  })

  it('as a non-superuser: SUPERUSER, REPLICATION, BYPASSRLS left out and listed; grants it may not give skipped', () => {
    const plan = planRoles(parsed, {
      roles: new Set(['postgres', 'pg_read_all_data']),
      superuser: false,
      canCreateRoles: true,
      serverMajor: 15
    })
    expect(plan.statements).toContain(
      'CREATE ROLE "rep" WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB NOLOGIN;'
    )
    expect(plan.skipped).toEqual(
      expect.arrayContaining([
        'rep: REPLICATION, BYPASSRLS not given (only a superuser can; the restore runs as a non-superuser)',
        'GRANT pg_read_all_data TO rep: "pg_read_all_data" exists, and a restore grants only roles it creates (grant it by hand if "rep" must have it)'
      ])
    )
    expect(plan.statements.join('\n')).not.toMatch(/pg_read_all_data|"postgres"/)
  })

  it('never creates a superuser, even when a superuser restores: SUPERUSER left out and listed', () => {
    const admin = parseGlobals(
      Buffer.from('CREATE ROLE intruder;\nALTER ROLE intruder WITH SUPERUSER LOGIN;\n')
    )
    const plan = planRoles(admin, {
      roles: new Set(['postgres']),
      superuser: true,
      canCreateRoles: true,
      serverMajor: 15
    })
    expect(plan.created).toEqual(['intruder'])
    expect(plan.statements).toEqual(['CREATE ROLE "intruder" WITH LOGIN;'])
    expect(plan.skipped).toEqual([
      'intruder: SUPERUSER not given (a backup never creates a superuser; grant it by hand if it must be one)'
    ])
  })

  it("16+: a membership keeps pg_dumpall's INHERIT and SET options (never more than the source)", () => {
    const sixteen = parseGlobals(
      Buffer.from(
        'CREATE ROLE r1;\nCREATE ROLE owner1;\nGRANT r1 TO owner1 WITH ADMIN OPTION, INHERIT FALSE, SET FALSE GRANTED BY postgres;\nGRANT pg_read_all_data TO owner1 WITH INHERIT TRUE GRANTED BY postgres;\n'
      )
    )
    const plan = planRoles(sixteen, {
      roles: new Set(['pg_read_all_data']),
      superuser: true,
      canCreateRoles: true,
      serverMajor: 16
    })
    expect(plan.statements).toEqual([
      'CREATE ROLE "r1";',
      'CREATE ROLE "owner1";',
      'GRANT "r1" TO "owner1" WITH ADMIN OPTION, INHERIT FALSE, SET FALSE;'
    ])
  })

  // the attacker's file: a created role made a member of the superuser (with ADMIN) and of
  // the predefined roles that run programs and write files on the server
  const ESCALATION = `CREATE ROLE app;
ALTER ROLE app WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB NOLOGIN NOREPLICATION NOBYPASSRLS;
CREATE ROLE evil;
ALTER ROLE evil WITH NOSUPERUSER INHERIT CREATEROLE CREATEDB LOGIN REPLICATION BYPASSRLS;
GRANT postgres TO evil WITH ADMIN OPTION GRANTED BY postgres;
GRANT pg_execute_server_program TO evil;
GRANT pg_write_server_files TO evil;
GRANT app_admin TO evil WITH ADMIN OPTION;
GRANT app TO evil WITH ADMIN OPTION;
`
  const existing = new Set([
    'postgres',
    'app_admin',
    'pg_execute_server_program',
    'pg_write_server_files'
  ])

  it.each([
    [15, true],
    [15, false],
    [16, true],
    [16, false]
  ])(
    'PostgreSQL %i, superuser %p: no membership in an existing role, nor ADMIN on one; memberships among created roles kept',
    (serverMajor, superuser) => {
      const plan = planRoles(parseGlobals(Buffer.from(ESCALATION)), {
        roles: existing,
        superuser,
        canCreateRoles: true,
        serverMajor
      })
      expect(plan.created).toEqual(['app', 'evil'])
      const grants = plan.statements.filter(s => s.startsWith('GRANT'))
      expect(grants).toEqual(['GRANT "app" TO "evil" WITH ADMIN OPTION;'])
      for (const role of existing) {
        expect(plan.statements.join('\n')).not.toContain(`"${role}"`)
        expect(plan.skipped).toContainEqual(
          expect.stringMatching(new RegExp(`^GRANT ${role} TO evil: "${role}" exists.*by hand`))
        )
      }
    }
  )

  it('before PostgreSQL 16, CREATEROLE is left out and listed (a role with it can grant itself pg_execute_server_program); from 16 it is kept', () => {
    const parsed16 = parseGlobals(Buffer.from(ESCALATION))
    const target = { roles: existing, superuser: true, canCreateRoles: true }
    const on15 = planRoles(parsed16, { ...target, serverMajor: 15 })
    expect(on15.statements[1]).toBe(
      'CREATE ROLE "evil" WITH NOSUPERUSER INHERIT CREATEDB LOGIN REPLICATION BYPASSRLS;'
    )
    expect(on15.statements[0]).toBe(
      'CREATE ROLE "app" WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB NOLOGIN NOREPLICATION NOBYPASSRLS;'
    )
    expect(on15.skipped).toContainEqual(expect.stringMatching(/^evil: CREATEROLE not given/))
    const on16 = planRoles(parsed16, { ...target, serverMajor: 16 })
    expect(on16.statements[1]).toBe(
      'CREATE ROLE "evil" WITH NOSUPERUSER INHERIT CREATEROLE CREATEDB LOGIN REPLICATION BYPASSRLS;'
    )
    expect(on16.skipped.join('\n')).not.toMatch(/CREATEROLE/)
  })

  it("a managed service's own admin roles are not created on another server (a powerless lookalike); the application's roles are", () => {
    // pg_dumpall --globals-only of a Neon project, restored into RDS; and of Supabase, into a
    // plain server (anon/authenticated are the application's: created)
    const neon = parseGlobals(
      Buffer.from(
        [
          'CREATE ROLE neon_superuser;',
          'ALTER ROLE neon_superuser WITH NOSUPERUSER INHERIT CREATEROLE CREATEDB NOLOGIN REPLICATION BYPASSRLS;',
          'CREATE ROLE cloud_admin;',
          'ALTER ROLE cloud_admin WITH SUPERUSER INHERIT CREATEROLE CREATEDB LOGIN REPLICATION BYPASSRLS;',
          'CREATE ROLE neondb_owner;',
          'ALTER ROLE neondb_owner WITH NOSUPERUSER INHERIT CREATEROLE CREATEDB LOGIN NOREPLICATION BYPASSRLS;',
          'CREATE ROLE supabase_admin;',
          'ALTER ROLE supabase_admin WITH SUPERUSER INHERIT CREATEROLE CREATEDB LOGIN REPLICATION BYPASSRLS;',
          'CREATE ROLE authenticated;',
          'ALTER ROLE authenticated WITH NOSUPERUSER NOINHERIT NOCREATEROLE NOCREATEDB NOLOGIN NOREPLICATION NOBYPASSRLS;',
          'GRANT neon_superuser TO neondb_owner WITH ADMIN OPTION GRANTED BY cloud_admin;',
          'GRANT authenticated TO neondb_owner GRANTED BY supabase_admin;'
        ].join('\n')
      )
    )
    const plan = planRoles(neon, {
      roles: new Set(['postgres', 'rds_superuser', 'rdsadmin']),
      superuser: false,
      canCreateRoles: true,
      serverMajor: 16
    })
    expect(plan.created).toEqual(['neondb_owner', 'authenticated'])
    expect(plan.statements.join('\n')).not.toMatch(/neon_superuser|cloud_admin|supabase_admin/)
    expect(plan.statements).toContain('GRANT "authenticated" TO "neondb_owner";')
    expect(plan.skipped).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^neon_superuser: Neon's own administrative role, not created .*this server's own admin role/
        ),
        expect.stringMatching(/^cloud_admin: Neon's own administrative role, not created/),
        expect.stringMatching(/^supabase_admin: Supabase's own administrative role, not created/),
        'GRANT neon_superuser TO neondb_owner: "neon_superuser" does not exist'
      ])
    )
    // on the same platform the role exists: left alone, as any existing role
    const onNeon = planRoles(neon, {
      roles: new Set(['neon_superuser', 'cloud_admin']),
      superuser: false,
      canCreateRoles: true,
      serverMajor: 16
    })
    expect(onNeon.existing).toEqual(['neon_superuser', 'cloud_admin'])
  })

  it('names are quoted again: a role named with a quote and a semicolon stays one name', () => {
    const hostile = parseGlobals(Buffer.from('CREATE ROLE "a"";DROP ROLE postgres;--";'))
    const plan = planRoles(hostile, {
      roles: new Set(),
      superuser: true,
      canCreateRoles: true,
      serverMajor: 15
    })
    expect(plan.statements).toEqual(['CREATE ROLE "a"";DROP ROLE postgres;--";'])
    expect(plan.created).toEqual(['a";DROP ROLE postgres;--'])
  })
})

describe('refused up front: what the server would refuse or cut', () => {
  const file = (body: string): Buffer => Buffer.from(`SET client_encoding = 'UTF8';\n${body}\n`)

  it('GRANT of a role to itself (the server says "role is a member of itself")', () => {
    expect(() => parseGlobals(file('CREATE ROLE a1;\nGRANT a1 TO a1;'))).toThrow(
      /line 3: a GRANT of role "a1" to itself, which PostgreSQL refuses .*no role was created/
    )
  })

  it('a role name longer than 63 bytes (the server would cut it: two names could become one)', () => {
    const long = `r${'x'.repeat(63)}`
    expect(() => parseGlobals(file(`CREATE ROLE "${long}";`))).toThrow(
      /line 2: a role name of 64 bytes, longer than PostgreSQL's 63/
    )
    // bytes, not characters: 32 two-byte letters are 64 bytes
    expect(() => parseGlobals(file(`CREATE ROLE "${'é'.repeat(32)}";`))).toThrow(/64 bytes/)
    expect(() =>
      parseGlobals(file(`CREATE ROLE a;\nCREATE ROLE b;\nGRANT a TO "${long}";`))
    ).toThrow(/line 4: a role name of 64 bytes/)
    expect(parseGlobals(file(`CREATE ROLE "${'x'.repeat(63)}";`)).roles).toHaveLength(1)
  })
})

describe('VALID UNTIL, CONNECTION LIMIT and literals', () => {
  const attributesOf = (text: string): string[] =>
    parseGlobals(Buffer.from(`CREATE ROLE a;\nALTER ROLE a WITH LOGIN ${text};\n`)).roles[0]
      .attributes

  it.each([
    ["VALID UNTIL 'infinity'", "VALID UNTIL 'infinity'"],
    ["VALID UNTIL '-infinity'", "VALID UNTIL '-infinity'"],
    ["VALID UNTIL '2030-01-01 00:00:00+00'", "VALID UNTIL '2030-01-01 00:00:00+00'"],
    ["VALID UNTIL '2030-06-01 12:30:00.25+05:30'", "VALID UNTIL '2030-06-01 12:30:00.25+05:30'"],
    [
      "VALID UNTIL '0044-03-15 00:00:00+00:53:28 BC'",
      "VALID UNTIL '0044-03-15 00:00:00+00:53:28 BC'"
    ],
    ['CONNECTION LIMIT -1', 'CONNECTION LIMIT -1'],
    ['CONNECTION LIMIT 2147483647', 'CONNECTION LIMIT 2147483647']
  ])('accepts what pg_dumpall writes: %s', (text, attribute) => {
    expect(attributesOf(text)).toEqual(['LOGIN', attribute])
  })

  it.each([
    // the attack: with standard_conforming_strings off, \' ends the literal
    [
      "VALID UNTIL 'infinity\\''; GRANT pg_execute_server_program TO a; CREATE TABLE public.injected(); --'",
      /VALID UNTIL 'infinity\\'; GRANT/
    ],
    ["VALID UNTIL 'tomorrow'", /VALID UNTIL 'tomorrow', not 'infinity'/],
    ["VALID UNTIL '2030-01-01'", /not 'infinity', '-infinity' or an ISO timestamp/],
    ["VALID UNTIL '2030-01-01 00:00:00+00\\'", /ISO timestamp/],
    ["VALID UNTIL 'infinity' || 'x'", /unexpected character|role attribute/],
    ['CONNECTION LIMIT 2147483648', /CONNECTION LIMIT 2147483648, not a whole number/],
    ['CONNECTION LIMIT -2', /CONNECTION LIMIT -2, not a whole number/],
    ['CONNECTION LIMIT 99999999999999999999', /CONNECTION LIMIT 9+, not a whole number/],
    ["CONNECTION LIMIT '5'", /CONNECTION LIMIT without a number/]
  ])('refuses the file for %s', (text, message) => {
    expect(() => attributesOf(text)).toThrow(GlobalsError)
    expect(() => attributesOf(text)).toThrow(message)
  })

  it.each([
    ['plain', "'plain'"],
    ["it's", "'it''s'"],
    ['a\\b', "E'a\\\\b'"],
    ["infinity\\'; DROP TABLE t; --", "E'infinity\\\\''; DROP TABLE t; --'"],
    ['', "''"]
  ])('quoteLiteral(%p) is %s, as quote_literal writes it', (value, literal) => {
    expect(quoteLiteral(value)).toBe(literal)
  })
})

describe("the manifest's globals field", () => {
  const base = {
    schemaVersion: 1,
    file: { name: 'd.dump', sha256: 'a'.repeat(64), sizeBytes: 1 },
    format: 'custom',
    compression: { algorithm: 'none' },
    rowCounts: { tables: [] },
    pgDump: { major: 15 }
  }
  const good = { name: 'd.dump.globals.sql', sizeBytes: 10, sha256: 'b'.repeat(64), roles: ['a'] }

  it('is read when well-formed', () => {
    expect(parseManifest({ ...base, globals: good }).globals).toEqual(good)
  })

  it.each([
    ['a path as its name', { ...good, name: '../etc/passwd' }, /globals.name/],
    ['a size beyond the limit', { ...good, sizeBytes: 17 * 1024 * 1024 }, /globals.sizeBytes/],
    ['no sha256', { ...good, sha256: undefined }, /globals.sha256/],
    ['a short sha256', { ...good, sha256: 'abc' }, /globals.sha256/],
    ['roles not a list', { ...good, roles: 'a' }, /globals.roles/],
    ['a role that is not text', { ...good, roles: [1] }, /globals.roles\[0\]/],
    ['not an object', 'x', /globals/]
  ])('refuses %s', (_what, globals, message) => {
    expect(() => parseManifest({ ...base, globals })).toThrow(ManifestError)
    expect(() => parseManifest({ ...base, globals })).toThrow(message)
  })
})
