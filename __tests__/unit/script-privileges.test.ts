/**
 * A plain script's privileges as the restore's check reads them (PlainDumpObjects: defaultAcls,
 * grants, owners, objectSchemas), and the warning they feed (defaultPrivilegesBeyondBackup): the
 * same as an archive's DEFAULT ACL and ACL entries give (trial u48 F2).
 */
import { describe, expect, it } from '@jest/globals'
import {
  type OwnDefaultPrivileges,
  defaultPrivilegesBeyondBackup
} from '../../src/postgres/default-privileges.js'
import { PsqlLexer } from '../../src/postgres/psql-lexer.js'
import { PlainDumpObjects } from '../../src/postgres/plain-sql.js'

function scanned(script: string): PlainDumpObjects {
  const objects = new PlainDumpObjects()
  const lexer = new PsqlLexer()
  for (const e of [...lexer.write(Buffer.from(script)), ...lexer.end()])
    if (e.kind === 'statement') objects.see(e)
  return objects
}

/** pg_dump 15's plain output for a Supabase-like project's public schema (abridged). */
const SCRIPT = `
CREATE SCHEMA "Reports";
ALTER SCHEMA "Reports" OWNER TO "App Owner";
CREATE TABLE public.items (id integer);
ALTER TABLE public.items OWNER TO app_owner;
CREATE FUNCTION public.f() RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$;
ALTER FUNCTION public.f() OWNER TO app_owner;
CREATE VIEW "Reports".v AS SELECT 1 AS one;
GRANT SELECT ON TABLE public.items TO anon;
GRANT ALL ON FUNCTION public.f() TO service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE app_owner IN SCHEMA public GRANT SELECT,REFERENCES,TRIGGER,TRUNCATE ON TABLES TO anon;
ALTER DEFAULT PRIVILEGES FOR ROLE app_owner IN SCHEMA public GRANT ALL ON FUNCTIONS TO service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE app_owner, "App Owner" IN SCHEMA "Reports", extra GRANT SELECT ON TABLES TO authenticated;
ALTER DEFAULT PRIVILEGES FOR ROLE app_owner REVOKE ALL ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES GRANT ALL ON TABLES TO nobody_known;
`

describe("a plain script's privileges", () => {
  const objects = scanned(SCRIPT)

  it('reads every role and schema of its ALTER DEFAULT PRIVILEGES statements (none without FOR ROLE)', () => {
    expect(objects.defaultAcls.map(a => [a.role, a.schema])).toEqual([
      ['app_owner', 'public'],
      ['app_owner', 'public'],
      ['app_owner', 'Reports'],
      ['app_owner', 'extra'],
      ['App Owner', 'Reports'],
      ['App Owner', 'extra'],
      ['app_owner', null]
    ])
  })

  it('reads the owners of its objects, quoted names as written, and its GRANTs', () => {
    expect([...objects.owners].sort()).toEqual(['App Owner', 'app_owner'])
    expect(objects.grants).toHaveLength(2)
    expect(objects.grants[0]).toContain('TO anon')
  })

  it('reads the schemas and owners of its objects (a schema by its own name)', () => {
    expect([...objects.owned].sort()).toEqual([
      JSON.stringify(['Reports', 'App Owner']),
      JSON.stringify(['public', 'app_owner'])
    ])
  })

  it('knows the schemas it creates objects in', () => {
    expect([...objects.objectSchemas].sort()).toEqual(['Reports', 'extra', 'public'])
  })

  it("warns of the target's default privileges that give anon more than the script's, privilege by privilege", () => {
    const all = (grantee: string, privileges: string[]) =>
      privileges.map(privilege => ({ grantee, privilege, grantable: false }))
    const target: OwnDefaultPrivileges = {
      role: 'app_owner',
      rows: [
        {
          objtype: 'r',
          schema: 'public',
          acl: '',
          hardWired: [],
          privileges: all('anon', ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE'])
        },
        {
          objtype: 'f',
          schema: 'public',
          acl: '',
          hardWired: [],
          privileges: [...all('anon', ['EXECUTE']), ...all('service_role', ['EXECUTE'])]
        },
        // a schema the script creates nothing in: not the backup's business
        {
          objtype: 'f',
          schema: 'other',
          acl: '',
          hardWired: [],
          privileges: all('anon', ['EXECUTE'])
        }
      ]
    }
    const beyond = defaultPrivilegesBeyondBackup(
      target,
      objects.defaultAcls,
      objects.objectSchemas,
      objects.owned
    )
    expect(beyond.map(b => [b.schema, b.kind, b.grantees])).toEqual([
      ['public', 'TABLES', ['anon (INSERT, UPDATE, DELETE)']],
      ['public', 'FUNCTIONS', ['anon']],
      // the script takes EXECUTE from PUBLIC on app_owner's new functions everywhere; the target
      // (no global row) leaves PUBLIC the hard-wired EXECUTE
      [null, 'FUNCTIONS', ['PUBLIC']]
    ])
  })
})
