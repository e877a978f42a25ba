/**
 * The restore's skip rules (src/postgres/target-policy.ts) on typed fixtures of targets: what is
 * kept, skipped (with the reason) and refused for the statements pg_dump writes. Real dumps of
 * real databases go through the same policy in __tests__/integration/target-policy.test.ts.
 */
import { lexPsqlScript, type StatementEvent } from '../../src/postgres/psql-lexer.js'
import { classifyStatement } from '../../src/postgres/psql-script-rules.js'
import {
  type PolicyOptions,
  type StatementDecision,
  type TargetFacts,
  groupSkipped,
  guarded,
  providerAclNote,
  statementPolicy,
  tableColumns
} from '../../src/postgres/target-policy.js'

/** A new Supabase project: postgres is no superuser; the platform owns extensions and schemas. */
const SUPABASE: TargetFacts = {
  currentUser: 'postgres',
  superuser: false,
  databaseOwner: 'postgres',
  serverMajor: 15,
  roles: [
    'anon',
    'authenticated',
    'authenticator',
    'dashboard_user',
    'pg_database_owner',
    'pg_read_all_data',
    'postgres',
    'service_role',
    'supabase_admin',
    'supabase_auth_admin'
  ],
  settableRoles: ['anon', 'authenticated', 'postgres', 'service_role', 'supabase_auth_admin'],
  extensions: [
    { name: 'plpgsql', owner: 'supabase_admin', schema: 'pg_catalog' },
    { name: 'citext', owner: 'supabase_admin', schema: 'extensions' },
    { name: 'uuid-ossp', owner: 'supabase_admin', schema: 'extensions' }
  ],
  schemas: [
    { name: 'public', owner: 'pg_database_owner', relations: 0 },
    { name: 'extensions', owner: 'postgres', relations: 0 },
    { name: 'auth', owner: 'supabase_admin', relations: 4 },
    { name: 'app', owner: 'postgres', relations: 2 }
  ],
  publications: [{ name: 'supabase_realtime', owner: 'postgres' }],
  settings: ['search_path', 'statement_timeout', 'lock_timeout', 'row_security', 'xmloption'],
  providerSchemas: []
}

/** A self-hosted cluster, restoring as its superuser. */
const SELF_HOSTED: TargetFacts = {
  ...SUPABASE,
  currentUser: 'admin',
  superuser: true,
  databaseOwner: 'admin',
  roles: ['admin', 'app_rw', 'app_readonly', 'pg_database_owner'],
  settableRoles: ['admin', 'app_rw', 'app_readonly', 'pg_database_owner'],
  extensions: [{ name: 'plpgsql', owner: 'admin', schema: 'pg_catalog' }],
  schemas: [{ name: 'public', owner: 'pg_database_owner', relations: 0 }],
  publications: []
}

const AUTO: PolicyOptions = {
  noOwner: 'auto',
  noPrivileges: 'auto',
  clean: false,
  allowNonEmpty: false
}

/** Each statement of `script` with the policy's decision. */
function decide(
  facts: TargetFacts,
  script: string,
  options: PolicyOptions = AUTO
): [string, StatementDecision][] {
  const policy = guarded(statementPolicy(facts, options))
  return lexPsqlScript(script)
    .filter((e): e is StatementEvent => e.kind === 'statement')
    .map(e => [e.text.trim(), policy(e, classifyStatement(e))])
}

const one = (facts: TargetFacts, sql: string, options: PolicyOptions = AUTO): StatementDecision =>
  decide(facts, sql, options)[0][1]

const reasonOf = (d: StatementDecision): string | undefined =>
  'keep' in d && !d.keep ? d.reason : undefined

describe('statementPolicy: extensions', () => {
  it('skips CREATE EXTENSION of an extension the target has, in any schema', () => {
    for (const sql of [
      'CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA extensions;',
      'CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public;',
      'CREATE EXTENSION "uuid-ossp";'
    ])
      expect(reasonOf(one(SUPABASE, sql))).toMatch(/^extension "(citext|uuid-ossp)" exists/)
  })

  it('keeps CREATE EXTENSION of one the target lacks, and its comment (the restore will own it)', () => {
    expect(
      decide(
        SUPABASE,
        `CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
COMMENT ON EXTENSION pg_trgm IS 'text similarity';`
      ).map(([, d]) => d)
    ).toEqual([{ keep: true }, { keep: true }])
  })

  it('leaves out (listed) CREATE EXTENSION of one the role may not create, and its comment; not where a provider hook may allow it', () => {
    const facts: TargetFacts = {
      ...SUPABASE,
      creatableExtensions: ['pg_trgm'],
      availableExtensions: ['pg_trgm', 'pg_stat_statements']
    }
    const script = `CREATE EXTENSION IF NOT EXISTS pg_stat_statements WITH SCHEMA public;
COMMENT ON EXTENSION pg_stat_statements IS 'stats';
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public;`
    const reason = (why: string, name: string) =>
      `not restored: EXTENSION ${name} — postgres may not create it in the target (${why}); enable it there first (Supabase: Dashboard → Database → Extensions; elsewhere CREATE EXTENSION "${name}" as the provider's admin role — Neon: a role made in its console or API (a member of neon_superuser; owning the database is not enough); RDS: a member of rds_superuser — or a superuser)`
    expect(decide(facts, script).map(([, d]) => reasonOf(d) ?? 'kept')).toEqual([
      reason('not a trusted extension', 'pg_stat_statements'),
      reason('not a trusted extension', 'pg_stat_statements'),
      'kept',
      reason('the server does not have it', 'vector')
    ])
    // Supabase's supautils lets postgres create privileged extensions: the server decides
    const hooked = { ...facts, settings: [...facts.settings, 'supautils.privileged_extensions'] }
    expect(decide(hooked, script).map(([, d]) => d)).toEqual([
      { keep: true },
      { keep: true },
      { keep: true },
      { keep: true }
    ])
    expect(decide({ ...facts, superuser: true }, script).map(([, d]) => d)).toEqual([
      { keep: true },
      { keep: true },
      { keep: true },
      { keep: true }
    ])
  })

  it("skips COMMENT ON EXTENSION of another role's extension, keeps one the restoring role owns", () => {
    expect(reasonOf(one(SUPABASE, "COMMENT ON EXTENSION citext IS 'case-insensitive';"))).toBe(
      'extension "citext" belongs to "supabase_admin" in the target'
    )
    expect(one(SELF_HOSTED, "COMMENT ON EXTENSION plpgsql IS 'PL/pgSQL';")).toEqual({ keep: true })
  })

  it('with clean, extensions are never dropped: CREATE of an existing one is still skipped', () => {
    const mine: TargetFacts = {
      ...SUPABASE,
      extensions: [{ name: 'pg_trgm', owner: 'postgres', schema: 'public' }]
    }
    const sql = 'CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;'
    expect(reasonOf(one(mine, sql, { ...AUTO, clean: true }))).toMatch(/exists in the target/)
    expect(reasonOf(one(SUPABASE, 'CREATE EXTENSION citext;', { ...AUTO, clean: true }))).toMatch(
      /exists in the target/
    )
  })

  it('with clean-drop-dependents, an extension dropped with its schema (DROP SCHEMA … CASCADE) is created again, with its comment', () => {
    const inExt: TargetFacts = {
      ...SELF_HOSTED,
      extensions: [{ name: 'hstore', owner: SELF_HOSTED.currentUser, schema: 'ext' }]
    }
    const sql = `CREATE EXTENSION IF NOT EXISTS hstore WITH SCHEMA ext;
COMMENT ON EXTENSION hstore IS 'key/value';`
    const run = (drops: string[]) =>
      decide(inExt, sql, { ...AUTO, clean: true, cleanDrops: new Set(drops) }).map(([, d]) => d)
    for (const drop of ['DROP SCHEMA IF EXISTS ext CASCADE;', 'DROP SCHEMA "ext" CASCADE'])
      expect(run([drop])).toEqual([{ keep: true }, { keep: true }])
    // without CASCADE (or another schema) the extension stays: its CREATE is skipped
    for (const drops of [
      ['DROP SCHEMA IF EXISTS ext;'],
      ['DROP SCHEMA IF EXISTS ext2 CASCADE;'],
      []
    ])
      expect(reasonOf(run(drops)[0])).toMatch(/"hstore" exists in the target/)
  })
})

describe('statementPolicy: schemas', () => {
  it('skips CREATE SCHEMA of an existing schema that is empty or belongs to another role', () => {
    expect(reasonOf(one(SUPABASE, 'CREATE SCHEMA public;'))).toBe(
      'schema "public" exists in the target (owner "pg_database_owner", 0 relations)'
    )
    expect(reasonOf(one(SUPABASE, 'CREATE SCHEMA extensions;'))).toMatch(/"extensions" exists/)
    expect(reasonOf(one(SUPABASE, 'CREATE SCHEMA auth;'))).toMatch(/"auth" exists/)
    expect(reasonOf(one(SUPABASE, 'CREATE SCHEMA "Quoted";'))).toBeUndefined()
  })

  it('keeps CREATE SCHEMA of a schema of its own that holds relations (the server says it exists) unless allow-non-empty', () => {
    expect(one(SUPABASE, 'CREATE SCHEMA app;')).toEqual({ keep: true })
    expect(reasonOf(one(SUPABASE, 'CREATE SCHEMA app;', { ...AUTO, allowNonEmpty: true }))).toMatch(
      /"app" exists/
    )
  })

  it("with clean, its own schemas are dropped first (kept), the platform's and public are not (skipped)", () => {
    const clean = { ...AUTO, clean: true }
    expect(one(SUPABASE, 'CREATE SCHEMA app;', clean)).toEqual({ keep: true })
    expect(one(SUPABASE, 'CREATE SCHEMA extensions;', clean)).toEqual({ keep: true })
    expect(reasonOf(one(SUPABASE, 'CREATE SCHEMA auth;', clean))).toMatch(/"auth" exists/)
    // clean never drops public (pg_dump does not create it; a schemas: public backup does)
    expect(reasonOf(one(SUPABASE, 'CREATE SCHEMA public;', clean))).toMatch(/"public" exists/)
  })

  it("skips COMMENT ON / ALTER … OWNER of another role's existing schema", () => {
    expect(reasonOf(one(SUPABASE, "COMMENT ON SCHEMA auth IS 'x';"))).toBe(
      'schema "auth" belongs to "supabase_admin" in the target'
    )
    expect(reasonOf(one(SUPABASE, 'ALTER SCHEMA auth OWNER TO postgres;'))).toBe(
      'schema "auth" belongs to "supabase_admin" in the target'
    )
    // public belongs to pg_database_owner, and the restoring role owns the database
    expect(one(SUPABASE, "COMMENT ON SCHEMA public IS 'standard public schema';")).toEqual({
      keep: true
    })
    expect(one(SUPABASE, 'ALTER SCHEMA public OWNER TO pg_database_owner;')).toEqual({
      keep: true
    })
  })
})

describe('statementPolicy: owners', () => {
  it('keeps ALTER … OWNER TO a role that exists and the restoring role may act as', () => {
    expect(one(SELF_HOSTED, 'ALTER TABLE billing.invoices OWNER TO app_rw;')).toEqual({
      keep: true
    })
    expect(one(SUPABASE, 'ALTER FUNCTION public.f() OWNER TO postgres;')).toEqual({ keep: true })
  })

  it('skips owners of missing roles and of roles it may not act as, naming them', () => {
    expect(reasonOf(one(SUPABASE, 'ALTER TABLE public.t OWNER TO app_rw;'))).toBe(
      'owner not set: role "app_rw" does not exist in the target'
    )
    expect(reasonOf(one(SUPABASE, 'ALTER TABLE public.t OWNER TO supabase_admin;'))).toBe(
      'owner not set: postgres may not act as "supabase_admin" (needs membership or superuser)'
    )
    expect(reasonOf(one(SUPABASE, 'ALTER MATERIALIZED VIEW public.mv OWNER TO "App RW";'))).toBe(
      'owner not set: role "App RW" does not exist in the target'
    )
  })

  it('no-owner: true skips every owner; false and auto both keep what the target can take', () => {
    const sql = 'ALTER TABLE public.t OWNER TO postgres;'
    expect(reasonOf(one(SUPABASE, sql, { ...AUTO, noOwner: true }))).toBe(
      'owners are not restored (no-owner: true)'
    )
    expect(one(SUPABASE, sql, { ...AUTO, noOwner: false })).toEqual({ keep: true })
    expect(
      reasonOf(one(SUPABASE, 'ALTER TABLE public.t OWNER TO ghost;', { ...AUTO, noOwner: false }))
    ).toMatch(/"ghost" does not exist/)
  })
})

describe('statementPolicy: privileges', () => {
  it('keeps GRANT/REVOKE whose roles exist (PUBLIC included), skips those naming missing roles', () => {
    expect(
      decide(
        SUPABASE,
        `REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO anon;
GRANT SELECT ON TABLE public.t TO authenticated WITH GRANT OPTION;
GRANT SELECT(a, b) ON TABLE public.t TO app_readonly;
GRANT ALL ON SEQUENCE public.s TO anon, "Reporting";
REVOKE SELECT ON TABLE public.t FROM ghost;`
      ).map(([, d]) => reasonOf(d) ?? 'keep')
    ).toEqual([
      'keep',
      'keep',
      'keep',
      'GRANT not restored: role "app_readonly" does not exist in the target',
      'GRANT not restored: role "Reporting" does not exist in the target',
      'REVOKE not restored: role "ghost" does not exist in the target'
    ])
  })

  it("skips a GRANT on a schema of the target's the restoring role may not act as the owner of, naming the owner; keeps one on a schema the backup creates (trial u46: anon's USAGE on public lost under a green run)", () => {
    const lowpriv: TargetFacts = {
      ...SUPABASE,
      currentUser: 'lowpriv',
      databaseOwner: 'postgres',
      roles: [...SUPABASE.roles, 'lowpriv'],
      settableRoles: ['lowpriv']
    }
    expect(
      decide(
        lowpriv,
        `GRANT USAGE ON SCHEMA public TO anon;
GRANT USAGE ON SCHEMA app TO anon;
CREATE SCHEMA billing;
GRANT USAGE ON SCHEMA billing TO anon;`
      ).map(([, d]) => reasonOf(d) ?? 'keep')
    ).toEqual([
      `GRANT not restored: lowpriv may not grant on the schema public, which belongs to pg_database_owner (the database's owner, "postgres") in the target (the server would grant nothing, with only a warning): run it as that role`,
      `GRANT not restored: lowpriv may not grant on the schema app, which belongs to "postgres" in the target (the server would grant nothing, with only a warning): run it as that role`,
      'keep',
      'keep'
    ])
    // the database's owner (a member of pg_database_owner) grants on public as by hand
    expect(one(SUPABASE, 'GRANT USAGE ON SCHEMA public TO anon;')).toEqual({ keep: true })
    // so does a role given USAGE on it WITH GRANT OPTION, for that privilege only
    const withOption: TargetFacts = {
      ...lowpriv,
      schemas: lowpriv.schemas.map(s => (s.name === 'public' ? { ...s, grantable: ['USAGE'] } : s))
    }
    expect(one(withOption, 'GRANT USAGE ON SCHEMA public TO anon;')).toEqual({ keep: true })
    expect(reasonOf(one(withOption, 'GRANT ALL ON SCHEMA public TO anon;'))).toMatch(
      /^GRANT not restored: lowpriv may not grant on the schema public/
    )
  })

  it('skips role membership grants naming a missing role', () => {
    expect(reasonOf(one(SUPABASE, 'GRANT app_rw TO postgres;'))).toMatch(/"app_rw" does not exist/)
    expect(one(SUPABASE, 'GRANT anon TO authenticated;')).toEqual({ keep: true })
  })

  it('skips ALTER DEFAULT PRIVILEGES FOR ROLE a role it may not act as, or TO a missing role', () => {
    expect(
      decide(
        SUPABASE,
        `ALTER DEFAULT PRIVILEGES FOR ROLE supabase_admin IN SCHEMA public GRANT ALL ON TABLES TO anon;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON TABLES TO anon;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT SELECT ON TABLES TO app_readonly;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public REVOKE ALL ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO service_role;`
      ).map(([, d]) => reasonOf(d) ?? 'keep')
    ).toEqual([
      'default privileges not restored: postgres may not act as "supabase_admin" (needs membership or superuser)',
      'keep',
      'default privileges not restored: role "app_readonly" does not exist in the target',
      'keep',
      'keep'
    ])
  })

  it("allow-non-empty into a target with objects: ALTER DEFAULT PRIVILEGES of a role that owns objects there, or owns none of the backup's, is refused naming the statement and no-privileges", () => {
    const occupied: TargetFacts = {
      ...SELF_HOSTED,
      roles: [...SELF_HOSTED.roles, 'site', 'shop'],
      settableRoles: [...SELF_HOSTED.settableRoles, 'site', 'shop'],
      objectOwners: ['site']
    }
    const script = `CREATE TABLE public.orders (id integer);
ALTER TABLE public.orders OWNER TO shop;
ALTER DEFAULT PRIVILEGES FOR ROLE shop IN SCHEMA public GRANT SELECT ON TABLES TO app_readonly;
ALTER DEFAULT PRIVILEGES FOR ROLE site IN SCHEMA public GRANT SELECT ON TABLES TO app_readonly;
ALTER DEFAULT PRIVILEGES FOR ROLE app_rw GRANT SELECT ON TABLES TO app_readonly;
ALTER DEFAULT PRIVILEGES GRANT ALL ON TABLES TO PUBLIC;`
    const refusal = (d: StatementDecision): string =>
      'refuse' in d ? d.refuse : 'keep' in d && d.keep ? 'keep' : `skip: ${reasonOf(d)}`
    const nonEmpty = { ...AUTO, allowNonEmpty: true }
    const decided = decide(occupied, script, nonEmpty).map(([, d]) => refusal(d))
    expect(decided.slice(0, 3)).toEqual(['keep', 'keep', 'keep'])
    expect(decided[3]).toMatch(
      /^ALTER DEFAULT PRIVILEGES FOR ROLE site IN SCHEMA public GRANT SELECT ON TABLES TO app_readonly; — with allow-non-empty: true this changes the default privileges of a role of the target \(role "site" owns objects in the target\)[^]*Set 'no-privileges: true'/
    )
    expect(decided[4]).toMatch(/\(role "app_rw" owns none of the backup's objects\)/)
    // without FOR ROLE: the restoring role's own (admin, which owns none of the backup's)
    expect(decided[5]).toMatch(/\(role "admin" owns none of the backup's objects\)/)
    // an empty target, without allow-non-empty, or with no-privileges: true — as before
    for (const [facts, options] of [
      [{ ...occupied, objectOwners: [] }, nonEmpty],
      [occupied, AUTO],
      [occupied, { ...nonEmpty, noPrivileges: true }]
    ] as Array<[TargetFacts, PolicyOptions]>) {
      expect(decide(facts, script, options).filter(([, d]) => 'refuse' in d)).toEqual([])
    }
  })

  it('grants of another grantor (SET SESSION AUTHORIZATION … RESET) are skipped without a superuser, kept with one', () => {
    const script = `SET SESSION AUTHORIZATION "supabase_admin";
GRANT SELECT ON TABLE auth.users TO anon;
RESET SESSION AUTHORIZATION;
GRANT SELECT ON TABLE public.t TO anon;`
    const supabase = { ...SUPABASE, superusers: ['supabase_admin'] }
    expect(decide(supabase, script).map(([, d]) => reasonOf(d) ?? 'keep')).toEqual([
      'SET SESSION AUTHORIZATION needs a superuser',
      'granted by "supabase_admin": SET SESSION AUTHORIZATION needs a superuser',
      'SET SESSION AUTHORIZATION needs a superuser',
      'keep'
    ])
    // a grant chain of the application's roles (bob granted through alice's grant option): run
    // as the restoring role, as psql by hand runs it, where the object is the backup's — an
    // empty target, or no-owner: true; next to the target's objects it stays left out
    const chain = `SET SESSION AUTHORIZATION "bob";
GRANT SELECT ON TABLE public.docs TO reporting;
RESET SESSION AUTHORIZATION;`
    const withRoles = { ...supabase, roles: [...supabase.roles, 'bob', 'reporting'] }
    expect(decide(withRoles, chain).map(([, d]) => reasonOf(d) ?? 'keep')).toEqual([
      'SET SESSION AUTHORIZATION needs a superuser',
      'keep',
      'SET SESSION AUTHORIZATION needs a superuser'
    ])
    expect(
      decide(withRoles, chain, { ...AUTO, allowNonEmpty: true }).map(
        ([, d]) => reasonOf(d) ?? 'keep'
      )[1]
    ).toBe('granted by "bob": SET SESSION AUTHORIZATION needs a superuser')
    expect(
      decide(withRoles, chain, { ...AUTO, allowNonEmpty: true, noOwner: true }).map(
        ([, d]) => reasonOf(d) ?? 'keep'
      )[1]
    ).toBe('keep')
    expect(
      decide(
        { ...SELF_HOSTED, roles: [...SELF_HOSTED.roles, 'supabase_admin', 'anon'] },
        script
      ).map(([, d]) => reasonOf(d) ?? 'keep')
    ).toEqual(['keep', 'keep', 'keep', 'keep'])
    // a REVOKE under another's authorization, a superuser's too: run as the restoring role, as
    // psql by hand runs it (left out, the role would keep what the backup took from it:
    // attacker a69 F4), whatever the options
    const revoke = `SET SESSION AUTHORIZATION "supabase_admin";
REVOKE SELECT ON TABLE public.payroll FROM anon;
RESET SESSION AUTHORIZATION;`
    for (const options of [AUTO, { ...AUTO, allowNonEmpty: true }, { ...AUTO, clean: true }])
      expect(decide(supabase, revoke, options).map(([, d]) => reasonOf(d) ?? 'keep')[1]).toBe(
        'keep'
      )
  })

  it('no-privileges: true skips every GRANT, REVOKE and default privilege', () => {
    const options = { ...AUTO, noPrivileges: true }
    expect(
      decide(
        SELF_HOSTED,
        `GRANT SELECT ON TABLE public.t TO app_readonly;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE admin GRANT SELECT ON TABLES TO app_readonly;`,
        options
      ).map(([, d]) => reasonOf(d))
    ).toEqual(Array(3).fill('privileges are not restored (no-privileges: true)'))
  })
})

describe('statementPolicy: policies, event triggers, publications, SET', () => {
  it('a permissive policy TO a missing role is left out (fewer rows, never more: trial u43 F4); a restrictive one that also applies to roles there is refused, naming the statement, the role and the fix', () => {
    // permissive (the default): left out and listed, the warning for missing roles picks it up
    expect(
      reasonOf(
        one(
          SELF_HOSTED,
          `CREATE POLICY "Users can insert their own profile." ON public.profiles FOR INSERT TO authenticated WITH CHECK ((( SELECT auth.uid() AS uid) = id));`
        )
      )
    ).toBe('policy not restored: role "authenticated" does not exist in the target')
    expect(
      reasonOf(
        one(
          SELF_HOSTED,
          'CREATE POLICY p ON public.t AS PERMISSIVE FOR SELECT TO anon, app_rw USING (true);'
        )
      )
    ).toBe('policy not restored: role "anon" does not exist in the target')
    // restrictive, applying to no role that exists: restricts nobody
    expect(
      reasonOf(
        one(
          SELF_HOSTED,
          'CREATE POLICY p ON public.t AS RESTRICTIVE FOR SELECT TO authenticated USING (false);'
        )
      )
    ).toBe('policy not restored: role "authenticated" does not exist in the target')
    // restrictive, applying to PUBLIC too: without it every role would see more
    const decision = one(
      SELF_HOSTED,
      'CREATE POLICY "tenant only" ON public.profiles AS RESTRICTIVE FOR SELECT TO authenticated, PUBLIC USING (false);'
    )
    expect(decision).toEqual({ refuse: expect.stringContaining('role "authenticated"') })
    const message = (decision as { refuse: string }).refuse
    expect(message).toMatch(/^CREATE POLICY "tenant only"/)
    expect(message).toMatch(
      /the restrictive row-level security policy applies to role "authenticated", which the target lacks, and to roles it has/
    )
    expect(message).toMatch(/CREATE ROLE "authenticated" NOLOGIN;/)
    // AS "restrictive" (a quoted word: PostgreSQL reads it as RESTRICTIVE), or any AS clause
    // but a plain PERMISSIVE: refused as restrictive (attacker a69 F1); a cast's AS in USING
    // is no AS clause
    for (const as of ['AS "restrictive"', 'AS Restrictive', 'AS "RESTRICTIVE"'])
      expect(
        one(
          SELF_HOSTED,
          `CREATE POLICY p ON public.t ${as} FOR SELECT TO authenticated, app_rw USING (true);`
        )
      ).toEqual({ refuse: expect.stringContaining('the restrictive row-level security policy') })
    expect(
      reasonOf(
        one(
          SELF_HOSTED,
          `CREATE POLICY p ON public.t FOR SELECT TO anon, app_rw USING ((CAST(1 AS text)) = '1');`
        )
      )
    ).toBe('policy not restored: role "anon" does not exist in the target')
    // a name with a double quote: the statement given runs (re-attack a66 F5)
    const weird = one(
      SELF_HOSTED,
      'CREATE POLICY p ON public.t AS RESTRICTIVE FOR SELECT TO "Weird ""Role", app_rw USING (true);'
    ) as { refuse: string }
    expect(weird.refuse).toContain('CREATE ROLE "Weird ""Role" NOLOGIN;')
    expect(
      one(SUPABASE, 'CREATE POLICY p ON public.t FOR SELECT TO authenticated USING (true);')
    ).toEqual({ keep: true })
    expect(one(SELF_HOSTED, 'CREATE POLICY p ON public.t USING (true);')).toEqual({ keep: true })
    expect(one(SELF_HOSTED, 'CREATE POLICY p ON public.t TO PUBLIC USING (true);')).toEqual({
      keep: true
    })
  })

  it('skips event triggers (CREATE, ALTER, COMMENT) without a superuser, keeps them with one', () => {
    const script = `CREATE EVENT TRIGGER pgrst_ddl_watch ON ddl_command_end EXECUTE FUNCTION extensions.pgrst_ddl_watch();
ALTER EVENT TRIGGER pgrst_ddl_watch OWNER TO CURRENT_USER;
ALTER EVENT TRIGGER pgrst_ddl_watch ENABLE ALWAYS;
COMMENT ON EVENT TRIGGER pgrst_ddl_watch IS 'x';`
    expect(decide(SUPABASE, script).map(([, d]) => reasonOf(d))).toEqual(
      Array(4).fill('event triggers need a superuser')
    )
    expect(decide(SELF_HOSTED, script).map(([, d]) => d)).toEqual(Array(4).fill({ keep: true }))
  })

  it('skips CREATE PUBLICATION of one the target has; keeps ALTER PUBLICATION … ADD TABLE', () => {
    expect(reasonOf(one(SUPABASE, 'CREATE PUBLICATION supabase_realtime;'))).toBe(
      'publication "supabase_realtime" exists in the target (owner "postgres")'
    )
    expect(
      one(SUPABASE, 'ALTER PUBLICATION supabase_realtime ADD TABLE ONLY public.todos;')
    ).toEqual({ keep: true })
    expect(one(SUPABASE, 'CREATE PUBLICATION mine FOR ALL TABLES;')).toEqual({ keep: true })
  })

  it('skips SET of a parameter the server does not know (transaction_timeout into 15), keeps the rest', () => {
    expect(
      decide(
        SUPABASE,
        `SET statement_timeout = 0;
SET transaction_timeout = 0;
SET lock_timeout = 0;
SELECT pg_catalog.set_config('search_path', '', false);
SET row_security = off;
SET "app.tenant" = 'x';
SET default_with_nothing TO on;
SET SESSION AUTHORIZATION DEFAULT;
SET ROLE postgres;
SET TIME ZONE 'UTC';
SET LOCAL statement_timeout = 0;`
      ).map(([, d]) => reasonOf(d) ?? 'keep')
    ).toEqual([
      'keep',
      'parameter "transaction_timeout" is unknown to PostgreSQL 15',
      'keep',
      'keep',
      'keep',
      'keep',
      'parameter "default_with_nothing" is unknown to PostgreSQL 15',
      'keep',
      'keep',
      'keep',
      'keep'
    ])
  })
})

describe('statementPolicy: never skips what defines tables, columns, rows or constraints', () => {
  it('keeps every such statement even where a careless policy would skip it', () => {
    const skipAll = guarded(() => ({ keep: false, reason: 'everything' }))
    const script = `CREATE TABLE public.t (a int);
ALTER TABLE ONLY public.t ADD CONSTRAINT t_pkey PRIMARY KEY (a);
ALTER TABLE public.t ALTER COLUMN a SET DEFAULT 1;
COPY public.t (a) FROM stdin;
1
\\.
INSERT INTO public.t VALUES (2);
CREATE INDEX t_a ON public.t (a);
CREATE UNIQUE INDEX t_b ON public.t (a);
CREATE TYPE public.e AS ENUM ('x');
CREATE DOMAIN public.d AS int;
SELECT pg_catalog.lo_create('16401');
ALTER TABLE public.t OWNER TO x;
GRANT SELECT ON public.t TO x;`
    const decisions = lexPsqlScript(script)
      .filter((e): e is StatementEvent => e.kind === 'statement')
      .map(e => skipAll(e, classifyStatement(e)))
    expect(decisions.slice(0, -2)).toEqual(Array(decisions.length - 2).fill({ keep: true }))
    expect(decisions.slice(-2)).toEqual(Array(2).fill({ keep: false, reason: 'everything' }))
  })
})

describe('groupSkipped', () => {
  it('groups by reason, most frequent first, with up to 5 samples each', () => {
    const skipped = [
      ...Array.from({ length: 7 }, (_, i) => ({
        line: i + 1,
        reason: 'role "x" does not exist',
        text: `GRANT … ${i}`
      })),
      { line: 20, reason: 'event triggers need a superuser', text: 'CREATE EVENT TRIGGER …' }
    ]
    const groups = groupSkipped(skipped)
    expect(groups.map(g => [g.reason, g.count, g.samples.length])).toEqual([
      ['role "x" does not exist', 7, 5],
      ['event triggers need a superuser', 1, 1]
    ])
    expect(groups[0].samples[0]).toEqual({ line: 1, text: 'GRANT … 0' })
  })
})

/** A new Supabase project's auth schema (supabase_admin's), as readProviderSchemas reads it. */
const WITH_AUTH: TargetFacts = {
  ...SUPABASE,
  providerSchemas: [
    {
      name: 'auth',
      owner: 'supabase_admin',
      tables: [
        {
          name: 'users',
          columns: [
            { name: 'id', type: 'uuid' },
            { name: 'email', type: 'character varying(255)' },
            { name: 'raw_app_meta_data', type: 'jsonb' },
            { name: 'created_at', type: 'timestamp with time zone' },
            { name: 'is_anonymous', type: 'boolean' }
          ],
          rows: 0,
          insertable: true
        },
        {
          name: 'schema_migrations',
          columns: [{ name: 'version', type: 'character varying(255)' }],
          rows: 7,
          insertable: true
        }
      ],
      relations: ['users', 'users_pkey', 'users_instance_id_idx', 'schema_migrations'],
      functions: ['uid()', 'email()'],
      types: ['users', 'schema_migrations'],
      constraints: ['users.users_pkey', 'schema_migrations.schema_migrations_pkey'],
      triggers: [],
      policies: []
    },
    {
      name: 'extensions',
      owner: 'postgres',
      extensionOwner: 'supabase_admin',
      tables: [],
      relations: [],
      functions: ['uuid_generate_v4()', 'pgrst_ddl_watch()'],
      types: [],
      constraints: [],
      triggers: [],
      policies: []
    }
  ]
}

const USERS = `CREATE TABLE auth.users (
    id uuid NOT NULL,
    email character varying(255),
    raw_app_meta_data jsonb DEFAULT '{"a": "(b, c)"}'::jsonb,
    created_at timestamp with time zone,
    CONSTRAINT users_email_check CHECK ((char_length((email)::text) <= 255))
);`

/** The trial's project: storage's tables and schema supabase_admin's; postgres may not create there. */
const WITH_STORAGE: TargetFacts = {
  ...SUPABASE,
  providerSchemas: [
    {
      name: 'storage',
      owner: 'supabase_admin',
      creatable: false,
      tables: [
        {
          name: 'objects',
          columns: [{ name: 'id', type: 'uuid' }],
          rows: 0,
          insertable: true,
          owner: 'supabase_admin'
        },
        {
          name: 'buckets',
          columns: [{ name: 'id', type: 'text' }],
          rows: 0,
          insertable: true,
          owner: 'postgres'
        }
      ],
      relations: ['objects', 'buckets'],
      functions: ['foldername(text)'],
      types: [],
      constraints: [],
      triggers: [],
      policies: ['objects.public read']
    }
  ]
}

describe("statementPolicy: the backup's objects on what the provider owns (not restored, or refused)", () => {
  const UPLOADS =
    'not restored: POLICY "user uploads" on storage.objects — owned by supabase_admin in the target; create it as that role'

  it('a permissive policy on its table, and its comment: left out, listed', () => {
    expect(
      decide(
        WITH_STORAGE,
        `CREATE POLICY "user uploads" ON storage.objects FOR INSERT TO authenticated WITH CHECK ((owner = auth.uid()));
COMMENT ON POLICY "user uploads" ON storage.objects IS 'uploads';
CREATE POLICY "public read" ON storage.objects FOR SELECT USING (true);`
      ).map(([, d]) => reasonOf(d))
    ).toEqual([
      UPLOADS,
      UPLOADS,
      'exists in the target, owned by the provider (schema "storage" of "supabase_admin")'
    ])
  })

  it('a policy on a provider table the restoring role owns, or as a superuser: kept', () => {
    const sql = 'CREATE POLICY mine ON storage.buckets FOR SELECT TO authenticated USING (true);'
    expect(one(WITH_STORAGE, sql)).toEqual({ keep: true })
    const su = { ...WITH_STORAGE, superuser: true }
    expect(one(su, 'CREATE POLICY x ON storage.objects FOR SELECT TO anon USING (true);')).toEqual({
      keep: true
    })
  })

  it('a RESTRICTIVE policy on it: refused (its absence would show more rows)', () => {
    const d = one(
      WITH_STORAGE,
      "CREATE POLICY hide ON storage.objects AS RESTRICTIVE FOR SELECT TO anon USING ((bucket_id <> 'private'::text));"
    )
    expect('refuse' in d && d.refuse).toMatch(
      /a RESTRICTIVE row-level security policy on storage\.objects, which belongs to "supabase_admin"/
    )
  })

  it('a policy not provably permissive (a quoted or Unicode-escaped AS word, anything odd): refused', () => {
    for (const as of [
      'AS "restrictive"',
      'AS U&"\\0072estrictive"',
      'AS "PERMISSIVE"',
      'AS U&"permissive"',
      'AS restrictive',
      'AS Restrictive'
    ]) {
      const d = one(
        WITH_STORAGE,
        `CREATE POLICY hide ON storage.objects ${as} FOR SELECT TO anon USING ((bucket_id <> 'private'::text));`
      )
      expect([as, 'refuse' in d && d.refuse]).toEqual([
        as,
        expect.stringMatching(
          /row-level security policy .*on storage\.objects, which belongs to "supabase_admin"/
        )
      ])
    }
    // provably permissive: no AS clause, or the bare keyword (any case); a cast's AS in USING is no AS clause
    for (const sql of [
      'CREATE POLICY p ON storage.objects AS PERMISSIVE FOR SELECT USING (true);',
      'CREATE POLICY p ON storage.objects as permissive TO anon USING (true);',
      "CREATE POLICY p ON storage.objects USING ((CAST(bucket_id AS text) <> 'x'));",
      'CREATE POLICY p ON storage.objects WITH CHECK (true);',
      'CREATE POLICY p ON storage.objects;'
    ])
      expect([sql, reasonOf(one(WITH_STORAGE, sql))]).toEqual([
        sql,
        'not restored: POLICY "p" on storage.objects — owned by supabase_admin in the target; create it as that role'
      ])
  })

  it('a function in its schema: left out with its ALTER, COMMENT, GRANT and REVOKE; a table there refused', () => {
    const reason =
      'not restored: FUNCTION storage.mine — schema "storage" belongs to supabase_admin in the target, where postgres may not create objects; create it as that role'
    expect(
      decide(
        WITH_STORAGE,
        `CREATE FUNCTION storage.mine() RETURNS integer LANGUAGE sql AS $$select 1$$;
ALTER FUNCTION storage.mine() OWNER TO supabase_admin;
COMMENT ON FUNCTION storage.mine() IS 'x';
REVOKE ALL ON FUNCTION storage.mine() FROM PUBLIC;
GRANT ALL ON FUNCTION storage.mine() TO anon;
CREATE FUNCTION public.other() RETURNS integer LANGUAGE sql AS $$select 1$$;`
      ).map(([, d]) => reasonOf(d) ?? d)
    ).toEqual([reason, reason, reason, reason, reason, { keep: true }])
    for (const sql of [
      'CREATE TABLE storage.mine (id integer);',
      'CREATE VIEW storage.v AS SELECT 1;',
      'CREATE SEQUENCE storage.s;'
    ]) {
      const d = one(WITH_STORAGE, sql)
      expect('refuse' in d && d.refuse).toMatch(
        /in the schema "storage", which belongs to "supabase_admin" in the target, where postgres may not create objects .*exclude-schemas: storage/
      )
    }
    // the provider's storage.foldername(text) exists; the backup's overload foldername(integer) is
    // another function: left out with its comment (by its arguments), the provider's one skipped
    const overload = decide(
      WITH_STORAGE,
      `CREATE FUNCTION storage.foldername(name text) RETURNS text[] LANGUAGE sql AS $$select null$$;
CREATE FUNCTION storage.foldername(p_depth integer DEFAULT 1, OUT parts text[]) RETURNS text[] LANGUAGE sql AS $$select null$$;
COMMENT ON FUNCTION storage.foldername(p_depth integer) IS 'x';
COMMENT ON FUNCTION storage.foldername(name text) IS 'x';
COMMENT ON FUNCTION storage.foldername(name pg_catalog.text) IS 'x';`
    ).map(([, d]) => reasonOf(d) ?? d)
    const foldername =
      'not restored: FUNCTION storage.foldername — schema "storage" belongs to supabase_admin in the target, where postgres may not create objects; create it as that role'
    expect(overload).toEqual([
      expect.stringMatching(/^exists in the target, owned by the provider/),
      foldername,
      foldername,
      expect.stringMatching(/^exists in the target, owned by the provider/),
      expect.stringMatching(/^exists in the target, owned by the provider/)
    ])
    // where it may create (CREATE granted), its own objects are restored
    const creatable = {
      ...WITH_STORAGE,
      providerSchemas: [{ ...WITH_STORAGE.providerSchemas[0], creatable: true }]
    }
    for (const sql of [
      'CREATE FUNCTION storage.mine() RETURNS integer LANGUAGE sql AS $$select 1$$;',
      'CREATE TABLE storage.mine (id integer);'
    ])
      expect(one(creatable, sql)).toEqual({ keep: true })
  })
})

describe('statementPolicy: schemas the provider made and owns (Supabase auth, extensions …)', () => {
  it("skips the backup's copies of objects that exist there, as the provider's", () => {
    for (const sql of [
      USERS,
      'CREATE FUNCTION auth.email() RETURNS text LANGUAGE sql AS $$ select 1 $$;',
      'ALTER FUNCTION auth.email() OWNER TO supabase_auth_admin;',
      'ALTER TABLE auth.users OWNER TO supabase_auth_admin;',
      'ALTER TABLE ONLY auth.users\n    ADD CONSTRAINT users_pkey PRIMARY KEY (id);',
      'CREATE INDEX users_instance_id_idx ON auth.users USING btree (instance_id);',
      "COMMENT ON TABLE auth.users IS 'Auth: Stores user login data';",
      "COMMENT ON COLUMN auth.users.email IS 'e-mail';",
      'GRANT ALL ON TABLE auth.users TO dashboard_user;',
      'GRANT USAGE ON SCHEMA auth TO anon;',
      'GRANT ALL ON FUNCTION extensions.uuid_generate_v4() TO postgres WITH GRANT OPTION;',
      'CREATE FUNCTION extensions.pgrst_ddl_watch() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;'
    ]) {
      const d = one(WITH_AUTH, sql)
      expect([sql, reasonOf(d)]).toEqual([
        sql,
        expect.stringMatching(
          /^exists in the target, owned by the provider \(schema "(auth" of "supabase_admin|extensions", which holds extensions of "supabase_admin)"\)$/
        )
      ])
    }
  })

  it("lists the GRANT/REVOKE left out on the provider's objects once, naming them (they keep the target's privileges)", () => {
    const skipped = decide(
      WITH_AUTH,
      `GRANT ALL ON TABLE auth.users TO dashboard_user;
REVOKE ALL ON TABLE auth.users FROM anon;
GRANT USAGE ON SCHEMA auth TO anon;
GRANT ALL ON FUNCTION extensions.uuid_generate_v4() TO postgres WITH GRANT OPTION;
COMMENT ON TABLE auth.users IS 'x';
GRANT SELECT ON TABLE public.mine TO anon;`
    ).flatMap(([text, d]) => {
      const reason = reasonOf(d)
      return reason === undefined ? [] : [{ reason, text }]
    })
    expect(providerAclNote(skipped)).toBe(
      "4 GRANT/REVOKE statements on the provider's objects in auth, extensions (tables and sequences: auth.users; 2 statements on schemas, functions and types) — they exist in the target, owned by the provider, and keep the privileges they have there, not the backup's; grant them as their owner if the backup's are needed"
    )
    expect(providerAclNote(skipped.filter(s => !/^(GRANT|REVOKE)/.test(s.text)))).toBeUndefined()
  })

  it("keeps what the target lacks there (the app's trigger on auth.users, a constraint, a function of its own)", () => {
    for (const sql of [
      'CREATE TRIGGER on_auth_user_created AFTER INSERT ON auth.users FOR EACH ROW EXECUTE FUNCTION public.handle_new_user();',
      'ALTER TABLE ONLY auth.users\n    ADD CONSTRAINT users_email_key UNIQUE (email);',
      'CREATE FUNCTION auth.my_helper() RETURNS int LANGUAGE sql AS $$ select 1 $$;',
      'CREATE TABLE auth.my_table (id int);',
      'CREATE FUNCTION extensions.my_fn() RETURNS int LANGUAGE sql AS $$ select 1 $$;'
    ])
      expect([sql, one(WITH_AUTH, sql)]).toEqual([sql, { keep: true }])
  })

  it('loads rows into an empty provider table, keeps the rows of one that holds some (skipping the COPY)', () => {
    expect(one(WITH_AUTH, 'COPY auth.users (id, email) FROM stdin;')).toEqual({ keep: true })
    expect(one(WITH_AUTH, 'COPY auth.schema_migrations (version) FROM stdin;')).toEqual({
      keep: false,
      reason:
        "kept the target's 7 rows of auth.schema_migrations (the provider's own); the backup's rows were not loaded",
      table: 'auth.schema_migrations',
      provider: true
    })
  })

  it('refuses a CREATE TABLE whose columns would lose the backup rows, naming the table and the difference', () => {
    const changed = USERS.replace('email character varying(255)', 'email text').replace(
      'created_at timestamp with time zone,',
      'created_at timestamp with time zone,\n    phone text,'
    )
    const d = one(WITH_AUTH, changed)
    expect('refuse' in d && d.refuse).toMatch(
      /the table auth\.users exists in the target, made by the provider \(schema "auth" of "supabase_admin"\), with other columns than the backup's: column "email" is text in the backup, character varying\(255\) in the target; column "phone" \(text\) is missing in the target/
    )
  })

  it('never skips a table, COPY or constraint outside the provider schemas', () => {
    for (const sql of [
      'CREATE TABLE public.users (id uuid NOT NULL);',
      'COPY public.schema_migrations (version) FROM stdin;',
      'ALTER TABLE ONLY public.users ADD CONSTRAINT users_pkey PRIMARY KEY (id);',
      'CREATE INDEX users_instance_id_idx ON public.users (id);'
    ])
      expect([sql, one(WITH_AUTH, sql)]).toEqual([sql, { keep: true }])
  })
})

describe('tableColumns', () => {
  it("reads pg_dump's CREATE TABLE: names, types without schemas, quotes or defaults", () => {
    expect(
      tableColumns(
        'CREATE TABLE public.t (\n    "Odd, name" public.citext DEFAULT \'a,b\'::text NOT NULL,\n    n numeric(12,2),\n    a text[] COLLATE pg_catalog."C",\n    CONSTRAINT c CHECK ((n > (0)::numeric))\n);'
      )
    ).toEqual([
      { name: 'Odd, name', type: 'public.citext' },
      { name: 'n', type: 'numeric(12,2)' },
      { name: 'a', type: 'text[]' }
    ])
  })
})
