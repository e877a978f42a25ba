/**
 * Small, faithful replicas of managed PostgreSQL services (Supabase, Neon, Amazon RDS) built on a
 * throw-away test cluster, for restore tests: what a user's database looks like there, who owns
 * what, and which role the user actually gets. Sources of every fact: /work/notes/managed-findings.md
 * (supabase/postgres migrations and nix/tests/expected/*.out, supabase/supautils, supabase/cli
 * pkg/migration, Neon's and AWS's documentation, public dumps of such databases).
 *
 * How "the platform's superuser is not the user's role" is modelled: the replica takes over a
 * whole TestServer. The cluster's bootstrap superuser (`postgres`, oid 10) is renamed to the
 * provider's own superuser — `supabase_admin` (as on Supabase, where it is the bootstrap user),
 * `cloud_admin` (Neon) or `rdsadmin` (RDS) — keeping the TestServer's password, and the user's
 * role is created as the provider creates it: a NON-superuser `postgres` (Supabase: CREATEDB
 * CREATEROLE REPLICATION BYPASSRLS, member of anon/authenticated/service_role/pg_read_all_data…),
 * `neondb_owner` (Neon: member of neon_superuser) or the RDS master user `postgres` (member of
 * rds_superuser). The harness role `app` is dropped. Renaming (not demoting) works on every
 * major: PostgreSQL 16+ refuses to take SUPERUSER away from the bootstrap user.
 *
 * After the conversion the TestServer's own query()/url()/env() no longer log in (the role
 * `postgres` is now the user's, with another password, or gone): use `instance.admin` (a
 * TestServer of the platform superuser, e.g. for tableChecksums) and the user URLs returned here.
 * One cluster is one provider "instance": roles are cluster-wide, so a NEW project/instance
 * (where the source's custom roles do not exist) is another TestServer. Supabase sources have
 * no custom roles, so a Supabase source and target may share one cluster.
 *
 * What the replicas cannot reproduce (no provider code runs here), and how it is handled:
 * - Supabase's supautils creates "privileged" extensions AS supabase_admin when `postgres` runs
 *   CREATE EXTENSION (so supabase_admin owns them). Here `postgres` could create trusted
 *   extensions (citext…) itself and would own them, so the Supabase target pre-creates every
 *   extension a source uses, as supabase_admin — the state Supabase's own restore guide asks
 *   for ("enable the extensions in the new project first").
 * - pg_graphql, supabase_vault, pgsodium, pg_net are not in Debian's PostgreSQL: their schemas
 *   are modelled with plain objects owned by supabase_admin (graphql_public.graphql(), a
 *   vault.secrets table postgres may read but not write).
 * - Newer supautils (2025) and Neon (2025) let the user's role create event triggers and RDS
 *   lets its master user do so; here only a superuser can. Sources here therefore hold no event
 *   triggers of the user's own (the Supabase platform's event triggers are the real case).
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import pg from 'pg'
import { type TableChecksum, tableChecksums } from '../../dev/fixtures.js'
import { quoteIdent, quoteLiteral, serverAddressing, type TestServer } from '../../dev/postgres.js'
import type { BackupOptions, BackupSource, RestoreOptions } from '../../src/types.js'
import type { Harness } from './harness.js'
import { testBackupInputs, testRestoreInputs } from './inputs.js'

export type Provider = 'supabase' | 'neon' | 'rds'

/** The provider's superuser (the renamed bootstrap user) and the role its users get. */
export const PROVIDER_ROLES: Record<Provider, { superuser: string; user: string }> = {
  supabase: { superuser: 'supabase_admin', user: 'postgres' },
  neon: { superuser: 'cloud_admin', user: 'neondb_owner' },
  rds: { superuser: 'rdsadmin', user: 'postgres' }
}

export interface ManagedInstance {
  provider: Provider
  /** The cluster (port, binDir, stop()); its own query()/url()/env() no longer log in. */
  server: TestServer
  /** The same cluster seen as the provider's superuser (supabase_admin, cloud_admin, rdsadmin). */
  admin: TestServer
  /** The role the provider gives its users (not a superuser). */
  user: string
  userPassword: string
  /** postgresql:// URL of the user's role: what a user puts in DATABASE_URL. */
  userUrl(database: string): string
  /** libpq environment (PGHOST…PGPASSWORD) of the user's role, for pg_dump/pg_restore/psql. */
  userEnv(database: string): NodeJS.ProcessEnv
  /** Runs SQL as the user's role. */
  userQuery<T = Record<string, unknown>>(database: string, sql: string): Promise<T[]>
}

export interface ManagedDatabase {
  instance: ManagedInstance
  provider: Provider
  /** Database name. */
  database: string
  /** DATABASE_URL of the user's role. */
  url: string
  /** libpq environment of the user's role. */
  env: NodeJS.ProcessEnv
}

const instances = new WeakMap<TestServer, ManagedInstance>()

const randomHex = (bytes: number): string => randomBytes(bytes).toString('hex')

async function queryAs<T>(
  server: TestServer,
  user: string,
  password: string,
  database: string,
  sql: string
): Promise<T[]> {
  const client = new pg.Client({
    host: server.host,
    port: server.port,
    user,
    password,
    database,
    connectionTimeoutMillis: 15_000
  })
  await client.connect()
  try {
    const result = (await client.query(sql)) as pg.QueryResult | pg.QueryResult[]
    const last = Array.isArray(result) ? result[result.length - 1] : result
    return (last?.rows ?? []) as T[]
  } finally {
    await client.end()
  }
}

/** A TestServer whose url/env/query/createDatabase/dropDatabase act as `user`. */
function serverAs(server: TestServer, user: string, password: string): TestServer {
  const addressing = serverAddressing(server.port, password)
  const query = <T = Record<string, unknown>>(database: string, sql: string): Promise<T[]> =>
    queryAs<T>(server, user, password, database, sql)
  return {
    ...server,
    user: user as 'postgres',
    password,
    url: (database = 'postgres', extra = {}) => addressing.url(database, { user, ...extra }),
    env: (database = 'postgres', extra = {}) => addressing.env(database, { user, ...extra }),
    query,
    async createDatabase(name = `db_${randomHex(6)}`) {
      await query('postgres', `CREATE DATABASE ${quoteIdent(name)}`)
      return name
    },
    async dropDatabase(name) {
      await query(
        'postgres',
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ${quoteLiteral(name)} AND pid <> pg_backend_pid()`
      )
      await query('postgres', `DROP DATABASE IF EXISTS ${quoteIdent(name)}`)
    }
  }
}

// ---------------------------------------------------------------------------------------------
// cluster-wide roles, as each provider sets them up

/** Supabase: nix/tests/expected/roles.out of supabase/postgres (attributes, memberships, settings). */
const SUPABASE_ROLES = (userPassword: string): string => `
CREATE ROLE postgres LOGIN NOSUPERUSER INHERIT CREATEDB CREATEROLE REPLICATION BYPASSRLS PASSWORD ${quoteLiteral(userPassword)};
CREATE ROLE anon NOLOGIN INHERIT;
CREATE ROLE authenticated NOLOGIN INHERIT;
CREATE ROLE service_role NOLOGIN INHERIT BYPASSRLS;
CREATE ROLE authenticator LOGIN NOINHERIT;
CREATE ROLE dashboard_user NOLOGIN CREATEDB CREATEROLE REPLICATION;
CREATE ROLE pgbouncer LOGIN;
CREATE ROLE supabase_auth_admin LOGIN NOINHERIT CREATEROLE;
CREATE ROLE supabase_storage_admin LOGIN NOINHERIT CREATEROLE;
CREATE ROLE supabase_functions_admin LOGIN NOINHERIT CREATEROLE;
CREATE ROLE supabase_read_only_user LOGIN BYPASSRLS;
CREATE ROLE supabase_replication_admin LOGIN REPLICATION;
GRANT anon, authenticated, service_role TO authenticator;
GRANT authenticator TO supabase_storage_admin;
GRANT pg_read_all_data TO supabase_read_only_user;
GRANT anon, authenticated, service_role, supabase_auth_admin, supabase_storage_admin,
      pg_monitor, pg_read_all_data, pg_signal_backend TO postgres;
ALTER ROLE anon SET statement_timeout = '3s';
ALTER ROLE authenticated SET statement_timeout = '8s';
ALTER ROLE authenticator SET statement_timeout = '8s';
ALTER ROLE authenticator SET lock_timeout = '8s';
ALTER ROLE postgres SET search_path = "\\$user", public, extensions;
ALTER ROLE supabase_admin SET search_path = "$user", public, auth, extensions;
ALTER ROLE supabase_auth_admin SET search_path = auth;
ALTER ROLE supabase_storage_admin SET search_path = storage;
`

/**
 * Neon: neon_superuser (NOLOGIN CREATEDB CREATEROLE BYPASSRLS, pg_read_all_data,
 * pg_write_all_data) and the project's role neondb_owner, a member of it (neon.com/docs/manage/roles).
 */
const NEON_ROLES = (userPassword: string): string => `
CREATE ROLE neon_superuser NOLOGIN CREATEDB CREATEROLE BYPASSRLS REPLICATION;
GRANT pg_read_all_data, pg_write_all_data TO neon_superuser;
CREATE ROLE neondb_owner LOGIN NOSUPERUSER INHERIT CREATEDB CREATEROLE BYPASSRLS REPLICATION PASSWORD ${quoteLiteral(userPassword)};
GRANT neon_superuser TO neondb_owner;
`

/**
 * RDS: the master user, `CREATE ROLE postgres WITH LOGIN NOSUPERUSER INHERIT CREATEDB CREATEROLE
 * NOREPLICATION VALID UNTIL 'infinity'`, a member of rds_superuser (AWS: "Understanding the
 * rds_superuser role").
 */
const RDS_ROLES = (userPassword: string): string => `
CREATE ROLE rds_superuser NOLOGIN;
CREATE ROLE rds_replication NOLOGIN;
CREATE ROLE rds_password NOLOGIN;
CREATE ROLE rds_iam NOLOGIN;
CREATE ROLE rds_ad NOLOGIN;
CREATE ROLE rdstopmgr LOGIN;
GRANT pg_monitor TO rdstopmgr;
GRANT pg_monitor, pg_signal_backend, rds_replication, rds_password TO rds_superuser WITH ADMIN OPTION;
CREATE ROLE postgres LOGIN NOSUPERUSER INHERIT CREATEDB CREATEROLE NOREPLICATION
  VALID UNTIL 'infinity' PASSWORD ${quoteLiteral(userPassword)};
GRANT rds_superuser TO postgres;
`

const CLUSTER_SQL: Record<Provider, (userPassword: string) => string> = {
  supabase: SUPABASE_ROLES,
  neon: NEON_ROLES,
  rds: RDS_ROLES
}

/**
 * Turns a fresh TestServer into one instance of `provider` (idempotent for the same provider).
 * The server must not be shared with anything else: the role `postgres` changes meaning.
 */
export async function managedInstance(
  server: TestServer,
  provider: Provider
): Promise<ManagedInstance> {
  const existing = instances.get(server)
  if (existing) {
    if (existing.provider !== provider)
      throw new Error(`this cluster is already a ${existing.provider} replica, not ${provider}`)
    return existing
  }
  const { superuser, user } = PROVIDER_ROLES[provider]
  // the session user cannot be renamed: a temporary superuser renames the bootstrap user
  const helper = `replica_${randomHex(4)}`
  const helperPassword = randomHex(16)
  await server.query(
    'postgres',
    `CREATE ROLE ${helper} SUPERUSER LOGIN PASSWORD ${quoteLiteral(helperPassword)}`
  )
  await queryAs(
    server,
    helper,
    helperPassword,
    'postgres',
    `ALTER ROLE ${quoteIdent(server.user)} RENAME TO ${quoteIdent(superuser)};
     DROP ROLE IF EXISTS ${quoteIdent(server.appUser)};`
  )
  const admin = serverAs(server, superuser, server.password)
  const userPassword = `u:${randomHex(12)}`
  await admin.query('postgres', `DROP ROLE ${helper};\n${CLUSTER_SQL[provider](userPassword)}`)
  const addressing = serverAddressing(server.port, userPassword)
  const instance: ManagedInstance = {
    provider,
    server,
    admin,
    user,
    userPassword,
    userUrl: database => addressing.url(database, { user }),
    userEnv: database => addressing.env(database, { user }),
    userQuery: (database, sql) => queryAs(server, user, userPassword, database, sql)
  }
  instances.set(server, instance)
  return instance
}

// ---------------------------------------------------------------------------------------------
// what the platform puts into every new database

/**
 * A new Supabase project's database: supabase/postgres migrations/db (init-scripts, migrations)
 * and nix/tests/expected/{roles,evtrigs,extensions_schema}.out, trimmed to what a restore meets.
 * Run as supabase_admin. `extensions`: besides the defaults, the ones the user enabled.
 */
function supabasePlatformSql(extensions: string[]): string {
  const extra = extensions
    .filter(e => !['uuid-ossp', 'pgcrypto', 'pg_stat_statements'].includes(e))
    .map(e => `CREATE EXTENSION IF NOT EXISTS ${quoteIdent(e)} WITH SCHEMA extensions;`)
    .join('\n')
  return String.raw`
-- Realtime's publication, created by postgres while it was still a superuser (init-scripts)
CREATE PUBLICATION supabase_realtime;
ALTER PUBLICATION supabase_realtime OWNER TO postgres;

-- extensions: the schema belongs to postgres, the extensions to supabase_admin
CREATE SCHEMA extensions AUTHORIZATION postgres;
CREATE EXTENSION IF NOT EXISTS "uuid-ossp" WITH SCHEMA extensions;
CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA extensions;
CREATE EXTENSION IF NOT EXISTS pg_stat_statements WITH SCHEMA extensions;
${extra}
GRANT USAGE ON SCHEMA extensions TO anon, authenticated, service_role;
GRANT ALL ON SCHEMA extensions TO dashboard_user;
GRANT ALL ON ALL TABLES IN SCHEMA extensions TO postgres WITH GRANT OPTION;
GRANT ALL ON ALL ROUTINES IN SCHEMA extensions TO postgres WITH GRANT OPTION;
GRANT ALL ON ALL SEQUENCES IN SCHEMA extensions TO postgres WITH GRANT OPTION;
ALTER DEFAULT PRIVILEGES IN SCHEMA extensions GRANT ALL ON TABLES TO postgres WITH GRANT OPTION;
ALTER DEFAULT PRIVILEGES IN SCHEMA extensions GRANT ALL ON FUNCTIONS TO postgres WITH GRANT OPTION;
ALTER DEFAULT PRIVILEGES IN SCHEMA extensions GRANT ALL ON SEQUENCES TO postgres WITH GRANT OPTION;

-- public: the API roles get everything postgres and supabase_admin create there
GRANT USAGE ON SCHEMA public TO postgres, anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON TABLES TO postgres, anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON FUNCTIONS TO postgres, anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON SEQUENCES TO postgres, anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE supabase_admin IN SCHEMA public GRANT ALL ON TABLES TO postgres, anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE supabase_admin IN SCHEMA public GRANT ALL ON FUNCTIONS TO postgres, anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE supabase_admin IN SCHEMA public GRANT ALL ON SEQUENCES TO postgres, anon, authenticated, service_role;

-- PostgREST's schema-cache watchers and the other platform event triggers (supabase_admin's)
CREATE FUNCTION extensions.pgrst_ddl_watch() RETURNS event_trigger LANGUAGE plpgsql AS $$
DECLARE
  cmd record;
BEGIN
  FOR cmd IN SELECT * FROM pg_event_trigger_ddl_commands()
  LOOP
    IF cmd.command_tag IN (
      'CREATE SCHEMA', 'ALTER SCHEMA', 'CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO', 'ALTER TABLE',
      'CREATE FOREIGN TABLE', 'ALTER FOREIGN TABLE', 'CREATE VIEW', 'ALTER VIEW',
      'CREATE MATERIALIZED VIEW', 'ALTER MATERIALIZED VIEW', 'CREATE FUNCTION', 'ALTER FUNCTION',
      'CREATE TRIGGER', 'CREATE TYPE', 'ALTER TYPE', 'CREATE RULE', 'COMMENT')
    AND cmd.schema_name IS DISTINCT FROM 'pg_temp'
    THEN
      NOTIFY pgrst, 'reload schema';
    END IF;
  END LOOP;
END; $$;
CREATE FUNCTION extensions.pgrst_drop_watch() RETURNS event_trigger LANGUAGE plpgsql AS $$
DECLARE
  obj record;
BEGIN
  FOR obj IN SELECT * FROM pg_event_trigger_dropped_objects()
  LOOP
    IF obj.object_type IN ('schema', 'table', 'foreign table', 'view', 'materialized view',
                           'function', 'trigger', 'type', 'rule')
    AND obj.is_temporary IS false
    THEN
      NOTIFY pgrst, 'reload schema';
    END IF;
  END LOOP;
END; $$;
CREATE FUNCTION extensions.grant_pg_cron_access() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_event_trigger_ddl_commands() AS ev
               JOIN pg_extension AS ext ON ev.objid = ext.oid
              WHERE ext.extname = 'pg_cron') THEN
    EXECUTE 'GRANT USAGE ON SCHEMA cron TO postgres WITH GRANT OPTION';
  END IF;
END; $$;
COMMENT ON FUNCTION extensions.grant_pg_cron_access() IS 'Grants access to pg_cron';
CREATE FUNCTION extensions.set_graphql_placeholder() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_event_trigger_dropped_objects() AS ev
              WHERE ev.schema_name = 'graphql_public') THEN
    RAISE NOTICE 'pg_graphql dropped';
  END IF;
END; $$;
COMMENT ON FUNCTION extensions.set_graphql_placeholder() IS 'Reintroduces placeholder function for graphql_public.graphql';
CREATE EVENT TRIGGER pgrst_ddl_watch ON ddl_command_end EXECUTE FUNCTION extensions.pgrst_ddl_watch();
CREATE EVENT TRIGGER pgrst_drop_watch ON sql_drop EXECUTE FUNCTION extensions.pgrst_drop_watch();
CREATE EVENT TRIGGER issue_pg_cron_access ON ddl_command_end WHEN TAG IN ('CREATE EXTENSION')
  EXECUTE FUNCTION extensions.grant_pg_cron_access();
CREATE EVENT TRIGGER issue_graphql_placeholder ON sql_drop WHEN TAG IN ('DROP EXTENSION')
  EXECUTE FUNCTION extensions.set_graphql_placeholder();

-- auth (GoTrue): schema of supabase_admin, tables and functions of supabase_auth_admin
CREATE SCHEMA auth AUTHORIZATION supabase_admin;
CREATE TABLE auth.users (
  instance_id uuid,
  id uuid NOT NULL PRIMARY KEY,
  aud varchar(255),
  role varchar(255),
  email varchar(255),
  encrypted_password varchar(255),
  email_confirmed_at timestamptz,
  raw_app_meta_data jsonb,
  raw_user_meta_data jsonb,
  is_super_admin boolean,
  created_at timestamptz,
  updated_at timestamptz,
  phone text UNIQUE DEFAULT NULL,
  is_anonymous boolean NOT NULL DEFAULT false
);
CREATE INDEX users_instance_id_idx ON auth.users (instance_id);
COMMENT ON TABLE auth.users IS 'Auth: Stores user login data within a secure schema.';
-- identities, sessions and refresh tokens reference users (and sessions) by foreign keys of
-- supabase_auth_admin's, and sort before users by name: in the archive's order their rows come
-- first (trial u14 F1: a project with a sign-up did not restore into a new project)
CREATE TABLE auth.identities (
  provider_id text NOT NULL,
  user_id uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
  identity_data jsonb NOT NULL,
  provider text NOT NULL,
  last_sign_in_at timestamptz,
  created_at timestamptz,
  updated_at timestamptz,
  email text GENERATED ALWAYS AS (lower(identity_data ->> 'email')) STORED,
  id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  UNIQUE (provider_id, provider)
);
CREATE TABLE auth.sessions (
  id uuid NOT NULL PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
  created_at timestamptz,
  updated_at timestamptz
);
CREATE TABLE auth.refresh_tokens (
  instance_id uuid,
  id bigserial PRIMARY KEY,
  token varchar(255) UNIQUE,
  user_id varchar(255),
  revoked boolean,
  created_at timestamptz,
  updated_at timestamptz,
  session_id uuid REFERENCES auth.sessions (id) ON DELETE CASCADE
);
CREATE TABLE auth.audit_log_entries (
  instance_id uuid,
  id uuid NOT NULL PRIMARY KEY,
  payload json,
  created_at timestamptz,
  ip_address varchar(64) NOT NULL DEFAULT ''
);
CREATE TABLE auth.schema_migrations (version varchar(255) NOT NULL PRIMARY KEY);
COMMENT ON TABLE auth.schema_migrations IS 'Auth: Manages updates to the auth system.';
INSERT INTO auth.schema_migrations (version) VALUES
  ('20171026211738'), ('20171026211808'), ('20171026211834'), ('20180103212743'),
  ('20180108183307'), ('20180119214651'), ('20180125194653');
CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $$
  select coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''),
                  (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'))::uuid
$$;
CREATE FUNCTION auth.role() RETURNS text LANGUAGE sql STABLE AS $$
  select coalesce(nullif(current_setting('request.jwt.claim.role', true), ''),
                  (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role'))::text
$$;
CREATE FUNCTION auth.email() RETURNS text LANGUAGE sql STABLE AS $$
  select coalesce(nullif(current_setting('request.jwt.claim.email', true), ''),
                  (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email'))::text
$$;
CREATE FUNCTION auth.jwt() RETURNS jsonb LANGUAGE sql STABLE AS $$
  select coalesce(nullif(current_setting('request.jwt.claim', true), ''),
                  nullif(current_setting('request.jwt.claims', true), ''))::jsonb
$$;
COMMENT ON FUNCTION auth.uid() IS 'Deprecated. Use auth.jwt() -> ''sub'' instead.';
ALTER TABLE auth.users OWNER TO supabase_auth_admin;
ALTER TABLE auth.refresh_tokens OWNER TO supabase_auth_admin;
ALTER TABLE auth.identities OWNER TO supabase_auth_admin;
ALTER TABLE auth.sessions OWNER TO supabase_auth_admin;
ALTER TABLE auth.audit_log_entries OWNER TO supabase_auth_admin;
ALTER TABLE auth.schema_migrations OWNER TO supabase_auth_admin;
ALTER FUNCTION auth.uid() OWNER TO supabase_auth_admin;
ALTER FUNCTION auth.role() OWNER TO supabase_auth_admin;
ALTER FUNCTION auth.email() OWNER TO supabase_auth_admin;
ALTER FUNCTION auth.jwt() OWNER TO supabase_auth_admin;
GRANT USAGE ON SCHEMA auth TO anon, authenticated, service_role;
GRANT ALL ON SCHEMA auth TO supabase_auth_admin, dashboard_user, postgres;
GRANT ALL ON ALL TABLES IN SCHEMA auth TO dashboard_user, postgres;
GRANT ALL ON ALL SEQUENCES IN SCHEMA auth TO dashboard_user, postgres;
GRANT ALL ON ALL ROUTINES IN SCHEMA auth TO dashboard_user, postgres;
ALTER DEFAULT PRIVILEGES FOR ROLE supabase_auth_admin IN SCHEMA auth GRANT ALL ON TABLES TO postgres, dashboard_user;
ALTER DEFAULT PRIVILEGES FOR ROLE supabase_auth_admin IN SCHEMA auth GRANT ALL ON SEQUENCES TO postgres, dashboard_user;
ALTER DEFAULT PRIVILEGES FOR ROLE supabase_auth_admin IN SCHEMA auth GRANT ALL ON FUNCTIONS TO postgres, dashboard_user;

-- storage: schema of supabase_admin, tables of supabase_storage_admin, RLS on objects
CREATE SCHEMA storage AUTHORIZATION supabase_admin;
CREATE TABLE storage.buckets (
  id text NOT NULL PRIMARY KEY,
  name text NOT NULL,
  owner uuid,
  created_at timestamptz DEFAULT now(),
  updated_at timestamptz DEFAULT now(),
  public boolean DEFAULT false
);
CREATE UNIQUE INDEX bname ON storage.buckets USING btree (name);
CREATE TABLE storage.objects (
  id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  bucket_id text REFERENCES storage.buckets (id),
  name text,
  owner uuid,
  created_at timestamptz DEFAULT now(),
  updated_at timestamptz DEFAULT now(),
  last_accessed_at timestamptz DEFAULT now(),
  metadata jsonb
);
CREATE UNIQUE INDEX bucketid_objname ON storage.objects USING btree (bucket_id, name);
ALTER TABLE storage.objects ENABLE ROW LEVEL SECURITY;
CREATE TABLE storage.migrations (
  id integer NOT NULL PRIMARY KEY,
  name varchar(100) NOT NULL UNIQUE,
  hash varchar(40) NOT NULL,
  executed_at timestamp DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO storage.migrations VALUES
  (0, 'create-migrations-table', 'e18db593bcde2aca2a408c4d1100f6abba2195df', '2024-01-01 00:00:00'),
  (1, 'initialmigration', '6ab16121fbaa08bbd11b712d05f358f9b555d777', '2024-01-01 00:00:00'),
  (2, 'storage-schema', '5c7968fd083fcea04050c1b7f6253c9771b99011', '2024-01-01 00:00:00');
CREATE FUNCTION storage.foldername(name text) RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE _parts text[];
BEGIN
  select string_to_array(name, '/') into _parts;
  return _parts[1:array_length(_parts, 1) - 1];
END $$;
ALTER TABLE storage.buckets OWNER TO supabase_storage_admin;
ALTER TABLE storage.objects OWNER TO supabase_storage_admin;
ALTER TABLE storage.migrations OWNER TO supabase_storage_admin;
ALTER FUNCTION storage.foldername(text) OWNER TO supabase_storage_admin;
GRANT USAGE ON SCHEMA storage TO postgres, anon, authenticated, service_role;
GRANT ALL ON SCHEMA storage TO postgres, supabase_storage_admin, dashboard_user;
GRANT ALL ON ALL TABLES IN SCHEMA storage TO postgres, anon, authenticated, service_role, dashboard_user;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA storage GRANT ALL ON TABLES TO postgres, anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA storage GRANT ALL ON FUNCTIONS TO postgres, anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA storage GRANT ALL ON SEQUENCES TO postgres, anon, authenticated, service_role;

-- realtime
CREATE SCHEMA realtime AUTHORIZATION supabase_admin;
CREATE TABLE realtime.schema_migrations (version bigint NOT NULL PRIMARY KEY, inserted_at timestamp(0));
INSERT INTO realtime.schema_migrations VALUES
  (20211116024918, '2024-01-01 00:00:00'), (20211116045059, '2024-01-01 00:00:00'),
  (20211116050929, '2024-01-01 00:00:00'), (20211116051442, '2024-01-01 00:00:00');
CREATE TABLE realtime.subscription (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  subscription_id uuid NOT NULL,
  filters jsonb NOT NULL DEFAULT '[]',
  claims jsonb NOT NULL,
  created_at timestamp NOT NULL DEFAULT timezone('utc', now())
);
GRANT USAGE ON SCHEMA realtime TO postgres, anon, authenticated, service_role;
GRANT ALL ON ALL TABLES IN SCHEMA realtime TO postgres, dashboard_user;
GRANT ALL ON ALL SEQUENCES IN SCHEMA realtime TO postgres, dashboard_user;
ALTER DEFAULT PRIVILEGES IN SCHEMA realtime GRANT ALL ON TABLES TO postgres, dashboard_user;

-- Vault (supabase_vault; a stand-in table: postgres reads it through pg_read_all_data only)
CREATE SCHEMA vault AUTHORIZATION supabase_admin;
CREATE TABLE vault.secrets (
  id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
  name text,
  description text NOT NULL DEFAULT '',
  secret text NOT NULL,
  key_id uuid,
  nonce bytea,
  created_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP
);
GRANT USAGE ON SCHEMA vault TO postgres, service_role;

-- pg_graphql's public wrapper (a placeholder: pg_graphql is not installed here)
CREATE SCHEMA graphql_public AUTHORIZATION supabase_admin;
CREATE FUNCTION graphql_public.graphql("operationName" text DEFAULT NULL, query text DEFAULT NULL,
                                       variables jsonb DEFAULT NULL, extensions jsonb DEFAULT NULL)
  RETURNS jsonb LANGUAGE sql AS $$
  select jsonb_build_object('errors', jsonb_build_array(
           jsonb_build_object('message', 'pg_graphql extension is not enabled.')))
$$;
GRANT USAGE ON SCHEMA graphql_public TO postgres, anon, authenticated, service_role;

-- Supavisor/PgBouncer auth lookup
CREATE SCHEMA pgbouncer AUTHORIZATION pgbouncer;
CREATE FUNCTION pgbouncer.get_auth(p_usename text) RETURNS TABLE(username text, password text)
  LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
  RETURN QUERY SELECT usename::text, passwd::text FROM pg_catalog.pg_shadow WHERE usename = p_usename;
END; $$;
REVOKE ALL ON FUNCTION pgbouncer.get_auth(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgbouncer.get_auth(text) TO pgbouncer;
`
}

/** Neon: every database gets cloud_admin's default privileges for neon_superuser (public dumps). */
const NEON_PLATFORM_SQL = `
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO neon_superuser WITH GRANT OPTION;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON SEQUENCES TO neon_superuser WITH GRANT OPTION;
`

// ---------------------------------------------------------------------------------------------
// databases

async function createManagedDatabase(
  instance: ManagedInstance,
  prefix: string,
  platformSql: string
): Promise<ManagedDatabase> {
  const database = `${prefix}_${randomHex(4)}`
  const owner = quoteIdent(instance.user)
  // Supabase's and Neon's databases belong to the user's role; on RDS the master user creates it
  await instance.admin.query('postgres', `CREATE DATABASE ${quoteIdent(database)} OWNER ${owner}`)
  if (instance.provider === 'supabase') {
    await instance.admin.query(
      'postgres',
      `GRANT ALL ON DATABASE ${quoteIdent(database)} TO dashboard_user`
    )
  }
  if (platformSql.trim() !== '') await instance.admin.query(database, platformSql)
  return {
    instance,
    provider: instance.provider,
    database,
    url: instance.userUrl(database),
    env: instance.userEnv(database)
  }
}

export interface SupabaseTargetOptions {
  /**
   * Extensions enabled in the project besides the defaults (uuid-ossp, pgcrypto,
   * pg_stat_statements), created by supabase_admin as supautils does. Default: ['citext'], the
   * non-default extension supabaseLikeSource uses (Supabase's restore guide: enable the source's
   * extensions in the new project before restoring).
   */
  extensions?: string[]
}

/** A database the way a NEW Supabase project has it, before the user created anything. */
export async function supabaseLikeTarget(
  server: TestServer,
  options: SupabaseTargetOptions = {}
): Promise<ManagedDatabase> {
  const instance = await managedInstance(server, 'supabase')
  return createManagedDatabase(
    instance,
    'supabase',
    supabasePlatformSql(options.extensions ?? ['citext'])
  )
}

/**
 * The user's app, run as `postgres` (role search_path "$user", public, extensions): Supabase's
 * user-management starter (profiles + on_auth_user_created trigger on auth.users), todos with
 * RLS policies TO authenticated and realtime, a document table with defaults from extensions,
 * a view, a sequence, and the CLI's migration history.
 */
export const SUPABASE_APP_SQL = String.raw`
create table public.profiles (
  id uuid not null references auth.users on delete cascade,
  updated_at timestamptz,
  username citext unique,
  full_name text,
  avatar_url text,
  website text,
  primary key (id),
  constraint username_length check (char_length(username) >= 3)
);
alter table public.profiles enable row level security;
create policy "Public profiles are viewable by everyone." on public.profiles
  for select using (true);
create policy "Users can insert their own profile." on public.profiles
  for insert to authenticated with check ((select auth.uid()) = id);
create policy "Users can update own profile." on public.profiles
  for update to authenticated using ((select auth.uid()) = id);

create function public.handle_new_user() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  insert into public.profiles (id, full_name, avatar_url)
  values (new.id, new.raw_user_meta_data->>'full_name', new.raw_user_meta_data->>'avatar_url');
  return new;
end;
$$;
create trigger on_auth_user_created after insert on auth.users
  for each row execute procedure public.handle_new_user();

create function public.set_updated_at() returns trigger language plpgsql as $$
begin
  new.updated_at = now();
  return new;
end;
$$;
create trigger profiles_set_updated_at before update on public.profiles
  for each row execute procedure public.set_updated_at();

create table public.todos (
  id bigint generated by default as identity primary key,
  user_id uuid references auth.users not null,
  task text check (char_length(task) > 3),
  is_complete boolean default false,
  inserted_at timestamptz default timezone('utc'::text, now()) not null
);
alter table public.todos enable row level security;
create policy "Individuals can create todos." on public.todos
  for insert to authenticated with check ((select auth.uid()) = user_id);
create policy "Individuals can view their own todos." on public.todos
  for select to authenticated using ((select auth.uid()) = user_id);
create policy "Individuals can update their own todos." on public.todos
  for update to authenticated using ((select auth.uid()) = user_id);
create policy "Individuals can delete their own todos." on public.todos
  for delete to authenticated using ((select auth.uid()) = user_id);
alter publication supabase_realtime add table public.todos;

create table public.documents (
  id uuid primary key default uuid_generate_v4(),
  owner_id uuid not null references auth.users (id) on delete cascade,
  title citext not null,
  body text,
  share_token text not null default encode(gen_random_bytes(12), 'hex'),
  created_at timestamptz not null default now()
);
comment on table public.documents is 'Documents shared by link';
revoke all on table public.documents from anon;

create sequence public.invoice_number_seq start with 1000;

create view public.todo_stats with (security_invoker = on) as
  select user_id, count(*) as total, count(*) filter (where is_complete) as done
  from public.todos group by user_id;

create schema if not exists supabase_migrations;
create table supabase_migrations.schema_migrations (
  version text primary key,
  statements text[],
  name text
);
`

const SUPABASE_USERS = [
  ['6f1c3a52-0c2e-4a57-9d0b-1f6a2f3e4a01', 'ada@example.com', 'Ada Lovelace', 'ada'],
  ['2b7e9c14-8d3f-4e6a-b5c2-7a9d0e1f2b02', 'grace@example.com', 'Grace Hopper', 'grace'],
  ['9a4d6e28-3b1c-4f7e-8a6d-5c2b1e0f3c03', 'linus@example.com', 'Linus Ünïcødé', 'Linus']
] as const

/** Rows GoTrue writes (as supabase_auth_admin; here supabase_admin) and the app's own rows. */
function supabaseAuthRowsSql(): string {
  const users = SUPABASE_USERS.map(
    ([id, email, name], i) =>
      `('00000000-0000-0000-0000-000000000000', '${id}', 'authenticated', 'authenticated', '${email}',
        '$2a$10$abcdefghijklmnopqrstuv${i}', '2024-05-0${i + 1} 10:00:00+00',
        '{"provider": "email", "providers": ["email"]}', '{"full_name": "${name}"}',
        '2024-05-0${i + 1} 09:59:00+00', '2024-05-0${i + 1} 10:00:00+00')`
  ).join(',\n')
  return `
INSERT INTO auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
                        raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
VALUES ${users};
INSERT INTO auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at, id)
VALUES ${SUPABASE_USERS.map(
    ([id, email], i) =>
      `('${id}', '${id}', '{"sub": "${id}", "email": "${email}"}', 'email', '2024-05-0${i + 1} 10:00:00+00',
        '2024-05-0${i + 1} 10:00:00+00', '2024-05-0${i + 1} 10:00:00+00', '5f1a2b3c-0000-4000-8000-00000000000${i}')`
  ).join(',\n')};
INSERT INTO auth.sessions VALUES
  ('6a7b8c9d-0000-4000-8000-000000000001', '${SUPABASE_USERS[0][0]}', '2024-05-01 10:00:00+00', '2024-05-01 10:00:00+00');
INSERT INTO auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, session_id)
VALUES ('00000000-0000-0000-0000-000000000000', 'rt-ada-1', '${SUPABASE_USERS[0][0]}', false,
        '2024-05-01 10:00:00+00', '2024-05-01 10:00:00+00', '6a7b8c9d-0000-4000-8000-000000000001');
INSERT INTO auth.audit_log_entries VALUES
  ('00000000-0000-0000-0000-000000000000', '0d6e3f5a-1111-4c2b-9e8d-7f6a5b4c3d21',
   '{"action": "user_signedup", "actor_id": "${SUPABASE_USERS[0][0]}"}', '2024-05-01 10:00:00+00', '203.0.113.7');
INSERT INTO storage.buckets (id, name, public, created_at, updated_at)
  VALUES ('avatars', 'avatars', true, '2024-05-01 10:00:00+00', '2024-05-01 10:00:00+00');
INSERT INTO storage.objects (id, bucket_id, name, owner, created_at, updated_at, last_accessed_at, metadata)
VALUES ('7c9e6679-7425-40de-944b-e07fc1f90ae7', 'avatars', 'ada/avatar.png', '${SUPABASE_USERS[0][0]}',
        '2024-05-02 10:00:00+00', '2024-05-02 10:00:00+00', '2024-05-02 10:00:00+00',
        '{"size": 1024, "mimetype": "image/png"}'),
       ('8d0e7780-8536-41ef-a55c-f18fd2fa1bf8', 'avatars', 'grace/avatar.jpg', '${SUPABASE_USERS[1][0]}',
        '2024-05-03 10:00:00+00', '2024-05-03 10:00:00+00', '2024-05-03 10:00:00+00',
        '{"size": 2048, "mimetype": "image/jpeg"}');
`
}

function supabaseAppRowsSql(): string {
  const usernames = SUPABASE_USERS.map(
    ([id, , , username]) =>
      `update public.profiles set username = '${username}', website = 'https://example.com/${username.toLowerCase()}' where id = '${id}';`
  ).join('\n')
  return `
${usernames}
insert into public.todos (user_id, task, is_complete, inserted_at) values
  ('${SUPABASE_USERS[0][0]}', 'Write the first program', true, '2024-05-01 11:00:00+00'),
  ('${SUPABASE_USERS[0][0]}', 'Describe the Analytical Engine', false, '2024-05-01 12:00:00+00'),
  ('${SUPABASE_USERS[1][0]}', 'Find the moth', true, '2024-05-02 11:00:00+00'),
  ('${SUPABASE_USERS[2][0]}', 'Mërge the patch ✓', false, '2024-05-03 11:00:00+00');
insert into public.documents (owner_id, title, body) values
  ('${SUPABASE_USERS[0][0]}', 'Notes on the Engine', 'Note G: ' || repeat('Bernoulli ', 200)),
  ('${SUPABASE_USERS[1][0]}', 'COBOL', E'tab\\there\\nnew line'),
  ('${SUPABASE_USERS[2][0]}', 'Ünïcødé 😀', NULL);
select setval('public.invoice_number_seq', 1042);
insert into supabase_migrations.schema_migrations values
  ('20240501090000', array['create table public.profiles (...)'], 'profiles'),
  ('20240502090000', array['create table public.todos (...)'], 'todos');
`
}

/**
 * An existing Supabase project with an app: the platform as in supabaseLikeTarget (with citext
 * enabled), the app created by `postgres`, three sign-ups in auth.users (whose trigger created
 * their profiles), storage rows, todos, documents. A user's backup of it is pg_dump run as
 * `postgres` (what the action does with the project's URL): it reads every schema, auth and
 * storage included (postgres holds pg_read_all_data and BYPASSRLS).
 */
export async function supabaseLikeSource(server: TestServer): Promise<ManagedDatabase> {
  const db = await supabaseLikeTarget(server, { extensions: ['citext'] })
  await db.instance.userQuery(db.database, SUPABASE_APP_SQL)
  await db.instance.admin.query(db.database, supabaseAuthRowsSql())
  await db.instance.userQuery(db.database, supabaseAppRowsSql())
  return db
}

/** A new Neon project's database (neondb-like), owned by neondb_owner. */
export async function neonLikeTarget(server: TestServer): Promise<ManagedDatabase> {
  const instance = await managedInstance(server, 'neon')
  return createManagedDatabase(instance, 'neondb', NEON_PLATFORM_SQL)
}

/**
 * A Neon app, created by neondb_owner: extensions it creates itself (Neon lets it; it owns them),
 * a Drizzle migration table, users/posts with a uuid default, a trigram index, a view, a
 * materialized view, a trigger, and a read-only role made the way Neon's docs recommend.
 */
const NEON_APP_SQL = String.raw`
create extension if not exists pg_trgm;
create extension if not exists "uuid-ossp";
create schema drizzle;
create table drizzle.__drizzle_migrations (id serial primary key, hash text not null, created_at bigint);
create type public.post_status as enum ('draft', 'published', 'archived');
create table public.users (
  id serial primary key,
  email text not null unique,
  name text,
  created_at timestamp not null default now()
);
create table public.posts (
  id uuid primary key default uuid_generate_v4(),
  author_id integer not null references public.users (id) on delete cascade,
  title text not null,
  body text,
  tags text[] not null default '{}',
  status public.post_status not null default 'draft',
  updated_at timestamptz
);
create index posts_title_trgm on public.posts using gin (title gin_trgm_ops);
comment on table public.posts is 'Blog posts';
create function public.touch() returns trigger language plpgsql as $$
begin new.updated_at = now(); return new; end $$;
create trigger posts_touch before update on public.posts for each row execute function public.touch();
create view public.published_posts as select id, author_id, title from public.posts where status = 'published';
create materialized view public.post_counts as
  select author_id, count(*) as posts from public.posts group by author_id;
create role app_readonly nologin;
grant usage on schema public to app_readonly;
grant select on all tables in schema public to app_readonly;
alter default privileges in schema public grant select on tables to app_readonly;
`

const NEON_APP_ROWS = String.raw`
insert into drizzle.__drizzle_migrations (hash, created_at) values ('a1b2c3', 1714550400000), ('d4e5f6', 1714636800000);
insert into public.users (email, name, created_at) values
  ('ada@example.com', 'Ada', '2024-05-01 10:00:00'), ('grace@example.com', 'Grace', '2024-05-02 10:00:00');
insert into public.posts (author_id, title, body, tags, status) values
  (1, 'Hello Neon', 'Branching is neat', '{intro,neon}', 'published'),
  (1, 'Draft ✍', null, '{}', 'draft'),
  (2, 'Moths', E'line one\nline two', '{history}', 'published');
update public.posts set updated_at = '2024-05-03 10:00:00+00' where title = 'Moths';
refresh materialized view public.post_counts;
`

export async function neonLikeSource(server: TestServer): Promise<ManagedDatabase> {
  const db = await neonLikeTarget(server)
  await db.instance.userQuery(db.database, NEON_APP_SQL)
  await db.instance.userQuery(db.database, NEON_APP_ROWS)
  return db
}

/** A new RDS instance's database, created by (and owned by) the master user. */
export async function rdsLikeTarget(server: TestServer): Promise<ManagedDatabase> {
  const instance = await managedInstance(server, 'rds')
  return createManagedDatabase(instance, 'rds', '')
}

/**
 * An RDS app, created by the master user: trusted extensions it created (and owns), an app role
 * that owns a schema (RDS users must first GRANT the role to the master user to hand objects
 * to it), a read-only role with grants and default privileges, a large object, a view, a trigger.
 */
const RDS_APP_SQL = String.raw`
create extension if not exists citext;
create extension if not exists pg_trgm;
create role app_rw nologin;
create role app_readonly nologin;
grant app_rw to postgres;
create schema billing authorization app_rw;
create table public.customers (
  id bigint generated always as identity primary key,
  email citext not null unique,
  name text not null,
  created_at timestamptz not null default now()
);
create index customers_name_trgm on public.customers using gin (name gin_trgm_ops);
create table public.orders (
  id bigint generated always as identity primary key,
  customer_id bigint not null references public.customers (id),
  total numeric(12, 2) not null check (total >= 0),
  placed_at timestamptz not null
);
create table billing.invoices (
  id serial primary key,
  order_id bigint not null references public.orders (id),
  pdf oid,
  issued_on date not null
);
alter table billing.invoices owner to app_rw;
create view public.order_totals as
  select c.email, sum(o.total) as total from public.customers c join public.orders o on o.customer_id = c.id group by c.email;
create function public.check_placed_at() returns trigger language plpgsql as $$
begin if new.placed_at > now() + interval '1 day' then raise exception 'order from the future'; end if; return new; end $$;
create trigger orders_check before insert or update on public.orders for each row execute function public.check_placed_at();
grant usage on schema billing to app_readonly;
grant select on all tables in schema public to app_readonly;
grant select on billing.invoices to app_readonly;
alter default privileges in schema public grant select on tables to app_readonly;
comment on table public.orders is 'One row per checkout';
`

const RDS_APP_ROWS = String.raw`
insert into public.customers (email, name, created_at) values
  ('Ada@Example.com', 'Ada Lovelace', '2024-05-01 10:00:00+00'),
  ('grace@example.com', 'Grace Hopper', '2024-05-02 10:00:00+00');
insert into public.orders (customer_id, total, placed_at) values
  (1, 19.99, '2024-05-03 10:00:00+00'), (1, 5.00, '2024-05-04 10:00:00+00'), (2, 120.50, '2024-05-05 10:00:00+00');
insert into billing.invoices (order_id, pdf, issued_on)
  values (1, lo_from_bytea(0, convert_to('%PDF-1.4 invoice 1', 'UTF8')), '2024-05-03'),
         (3, lo_from_bytea(0, convert_to('%PDF-1.4 invoice 3', 'UTF8')), '2024-05-05');
`

export async function rdsLikeSource(server: TestServer): Promise<ManagedDatabase> {
  const db = await rdsLikeTarget(server)
  await db.instance.userQuery(db.database, RDS_APP_SQL)
  await db.instance.userQuery(db.database, RDS_APP_ROWS)
  return db
}

// ---------------------------------------------------------------------------------------------
// reading a replica back

/** Row count and md5 of every table (all schemas), read as the platform superuser. */
export function managedChecksums(db: ManagedDatabase): Promise<Record<string, TableChecksum>> {
  return tableChecksums(db.instance.admin, db.database)
}

/** md5 of every large object's data, keyed by its oid. */
export async function largeObjects(db: ManagedDatabase): Promise<Record<string, string>> {
  const rows = await db.instance.admin.query<{ oid: string; md5: string }>(
    db.database,
    `SELECT oid::text AS oid, md5(lo_get(oid)) AS md5 FROM pg_largeobject_metadata ORDER BY oid`
  )
  return Object.fromEntries(rows.map(r => [r.oid, r.md5]))
}

/**
 * A new database `name` of `source` (owned by its user) whose table has a row-level security
 * policy TO app_readonly, a role of the source that a new instance lacks; its user URL.
 */
export async function databaseWithPolicyToSourceRole(
  source: ManagedDatabase,
  name: string,
  /**
   * restrictive (default): AS RESTRICTIVE TO app_readonly, postgres — without it postgres sees
   * more: a restore refuses it; permissive: TO app_readonly only — left out (fewer rows, never more)
   */
  kind: 'restrictive' | 'permissive' = 'restrictive'
): Promise<string> {
  await source.instance.admin.query('postgres', `CREATE DATABASE ${name} OWNER postgres`)
  await source.instance.userQuery(
    name,
    `create table public.notes (id int primary key, body text);
     insert into public.notes values (1, 'one'), (2, 'two');
     alter table public.notes enable row level security;
     ${kind === 'restrictive' ? 'create policy readers on public.notes as restrictive for select to app_readonly, postgres using (id > 1);' : 'create policy readers on public.notes for select to app_readonly using (true);'}`
  )
  return source.instance.userUrl(name)
}

/** Tables whose checksums differ between two databases (missing tables included). */
export function checksumDifferences(
  want: Record<string, TableChecksum>,
  got: Record<string, TableChecksum>
): string[] {
  const keys = new Set([...Object.keys(want), ...Object.keys(got)])
  return [...keys]
    .filter(k => JSON.stringify(want[k]) !== JSON.stringify(got[k]))
    .map(k => `${k}: want ${JSON.stringify(want[k])}, got ${JSON.stringify(got[k])}`)
    .sort()
}

// ---------------------------------------------------------------------------------------------
// the action's own backup and restore (the engine, the harness's loopback artifact backend)

export interface ActionRoundTrip {
  /** The action's backup of `url` (default inputs unless overridden) into a fresh artifact. */
  actionBackup(url: string, overrides?: Partial<BackupOptions>): Promise<BackupSource>
  /** The action's restore of `backup` into `target` (default inputs unless overridden). */
  actionRestore(
    target: ManagedDatabase,
    backup: BackupSource,
    overrides?: Partial<RestoreOptions>
  ): ReturnType<Harness['restore']>
}

/** Backups and restores through `harness`; the artifacts are named `<prefix>-<n>`. */
export function actionRoundTrip(harness: Harness, prefix: string): ActionRoundTrip {
  let artifacts = 0
  return {
    async actionBackup(url, overrides = {}) {
      const name = `${prefix}-${++artifacts}`
      await harness.backup(testBackupInputs(url, { artifactName: name, ...overrides }))
      return {
        kind: 'artifact',
        name,
        runId: 'current',
        repository: harness.backend.repository,
        token: harness.backend.githubToken
      }
    },
    actionRestore(target, backup, overrides = {}) {
      return harness.restore(testRestoreInputs(target.url, backup, overrides))
    }
  }
}

// ---------------------------------------------------------------------------------------------
// the restore users do by hand, as the providers' guides tell them

export interface ToolResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs a client tool and collects its exit code and output (never rejects on a non-zero exit). */
export function runCapture(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 120_000
): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', error => {
      clearTimeout(timer)
      reject(error)
    })
    child.on('close', code => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

export interface DumpByHandOptions {
  /** pg_dump --format; default custom (pg_dump -Fc, as the providers' guides say). */
  format?: 'custom' | 'plain' | 'tar'
  /** Further pg_dump options, e.g. ['--schema=public']. */
  args?: string[]
}

/** `pg_dump` of the source as the user's role into `file` (the server's own pg_dump). */
export async function dumpByHand(
  source: ManagedDatabase,
  file: string,
  options: DumpByHandOptions = {}
): Promise<void> {
  const args = [`--format=${options.format ?? 'custom'}`, `--file=${file}`, ...(options.args ?? [])]
  const result = await runCapture(
    path.join(source.instance.server.binDir, 'pg_dump'),
    args,
    source.env
  )
  if (result.code !== 0) {
    throw new Error(`pg_dump ${args.join(' ')} failed (${result.code}): ${result.stderr.trim()}`)
  }
}

export interface RestoreByHandResult {
  /** The command line run (without connection settings, which come from the environment). */
  command: string
  code: number | null
  stderr: string
  /** The server's ERROR messages, in order ("schema \"auth\" already exists", …). */
  errors: string[]
  /** pg_restore's "errors ignored on restore: N", when it printed it. */
  ignored?: number
  /** Every table of the target afterwards. */
  checksums: Record<string, TableChecksum>
}

export interface RestoreByHandOptions {
  /** pg_restore for archives, psql for plain scripts. */
  tool: 'pg_restore' | 'psql'
  /**
   * Options. Default for pg_restore: ['--no-owner', '--no-privileges'] (Supabase's, Neon's and
   * AWS's guides); for psql: [] (psql -f FILE, which carries on after errors).
   */
  args?: string[]
}

/** Restores a dump file into the target as the user's role, the way the guides do it by hand. */
export async function restoreByHand(
  file: string,
  target: ManagedDatabase,
  options: RestoreByHandOptions
): Promise<RestoreByHandResult> {
  const bin = target.instance.server.binDir
  const args =
    options.tool === 'pg_restore'
      ? [
          ...(options.args ?? ['--no-owner', '--no-privileges']),
          `--dbname=${target.database}`,
          file
        ]
      : ['-X', ...(options.args ?? []), `--dbname=${target.database}`, `--file=${file}`]
  const result = await runCapture(path.join(bin, options.tool), args, target.env)
  const errors = [...result.stderr.matchAll(/ERROR: {2}(.*)/g)].map(m => m[1].trim())
  const ignored = /errors ignored on restore: (\d+)/.exec(result.stderr)
  return {
    command: [options.tool, ...args.slice(0, -2)].join(' '),
    code: result.code,
    stderr: result.stderr,
    errors,
    ignored: ignored ? Number(ignored[1]) : undefined,
    checksums: await managedChecksums(target)
  }
}
