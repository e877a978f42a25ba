/**
 * The restore's statement policy (src/postgres/target-policy.ts) on real targets and real dumps:
 * readTargetFacts() against the managed-service replicas of support/managed.ts (the user's role is
 * no superuser, the platform owns extensions and schemas) and a plain server as its superuser;
 * statementPolicy() over the scripts pg_dump and pg_restore -f - write of real databases — what it
 * skips is listed and never defines a table, a column, a row or a constraint.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readFile } from 'node:fs/promises'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { seedSample, tableChecksums } from '../../dev/fixtures.js'
import { useHarness } from '../support/harness.js'
import { currentRunArtifact } from '../support/sources.js'
import { testBackupInputs, testRestoreInputs } from '../support/inputs.js'
import { type TestServer, startPostgres } from '../../dev/postgres.js'
import { lexPsqlScript, type StatementEvent } from '../../src/postgres/psql-lexer.js'
import { classifyStatement } from '../../src/postgres/psql-script-rules.js'
import {
  type PolicyOptions,
  type TargetFacts,
  guarded,
  readTargetFacts,
  statementPolicy
} from '../../src/postgres/target-policy.js'
import {
  type ManagedDatabase,
  dumpByHand,
  neonLikeTarget,
  rdsLikeSource,
  rdsLikeTarget,
  runCapture,
  supabaseLikeSource,
  supabaseLikeTarget
} from '../support/managed.js'

let supabase: TestServer
let neon: TestServer
let rdsSource: TestServer
let rdsInstance: TestServer
let selfHosted: TestServer
let work: string
// the harness's own server (a self-hosted PostgreSQL restored into as its superuser) and backend
const harness = useHarness({ name: 'target-policy' })

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'target-policy-'))
  ;[supabase, neon, rdsSource, rdsInstance, selfHosted] = await Promise.all([
    startPostgres(),
    startPostgres(),
    startPostgres(),
    startPostgres(),
    startPostgres()
  ])
}, 120_000)

afterAll(async () => {
  await Promise.all([supabase, neon, rdsSource, rdsInstance, selfHosted].map(s => s?.stop()))
  rmSync(work, { recursive: true, force: true })
})

const AUTO: PolicyOptions = {
  noOwner: 'auto',
  noPrivileges: 'auto',
  clean: false,
  allowNonEmpty: false
}

async function factsOf(url: string): Promise<TargetFacts> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await readTargetFacts(client)
  } finally {
    await client.end()
  }
}

let dumps = 0

/** A plain script of `source`: pg_dump -Fp, or pg_dump -Fc then pg_restore -f - (what the load reads). */
async function script(source: ManagedDatabase, archive: boolean): Promise<string> {
  const file = path.join(work, `dump-${++dumps}`)
  await dumpByHand(source, file, { format: archive ? 'custom' : 'plain' })
  if (!archive) return readFile(file, 'utf8')
  const out = await runCapture(
    path.join(source.instance.server.binDir, 'pg_restore'),
    ['--file=-', file],
    source.env
  )
  if (out.code !== 0) throw new Error(out.stderr)
  return out.stdout
}

interface Outcome {
  kept: string[]
  skipped: { reason: string; text: string }[]
  refused: string[]
}

function run(facts: TargetFacts, sql: string, options: PolicyOptions = AUTO): Outcome {
  const policy = guarded(statementPolicy(facts, options))
  const outcome: Outcome = { kept: [], skipped: [], refused: [] }
  for (const e of lexPsqlScript(sql)) {
    if (e.kind !== 'statement') continue
    const text = (e as StatementEvent).text.replace(/\s+/g, ' ').trim()
    const d = policy(e, classifyStatement(e))
    if ('refuse' in d) outcome.refused.push(d.refuse)
    else if (d.keep) outcome.kept.push(text)
    else outcome.skipped.push({ reason: d.reason, text })
  }
  return outcome
}

/** What must never be skipped: tables, columns, rows, constraints, indexes, types. */
const DEFINES_DATA =
  /^(CREATE (UNLOGGED |FOREIGN )?TABLE|ALTER (FOREIGN )?TABLE (?!.* OWNER TO )|COPY |INSERT |CREATE (UNIQUE )?INDEX|CREATE TYPE|CREATE DOMAIN|SELECT pg_catalog\.lo_)/

describe('readTargetFacts', () => {
  it('a new Supabase project, as postgres: no superuser, the platform owns citext and auth, transaction_timeout unknown before 17', async () => {
    const target = await supabaseLikeTarget(supabase)
    const facts = await factsOf(target.url)
    expect(facts).toMatchObject({ currentUser: 'postgres', superuser: false })
    expect(facts.databaseOwner).toBe('postgres')
    expect(facts.roles).toEqual(expect.arrayContaining(['anon', 'authenticated', 'supabase_admin']))
    expect(facts.settableRoles).toEqual(expect.arrayContaining(['postgres', 'anon']))
    expect(facts.settableRoles).not.toContain('supabase_admin')
    expect(facts.extensions).toEqual(
      expect.arrayContaining([{ name: 'citext', owner: 'supabase_admin', schema: 'extensions' }])
    )
    expect(facts.schemas).toEqual(
      expect.arrayContaining([
        {
          name: 'auth',
          owner: 'supabase_admin',
          relations: expect.any(Number),
          // who of the roles postgres may act as may create there (ALTER … OWNER TO: u43 F1)
          creators: expect.arrayContaining(['postgres']),
          // what postgres may grant on it: nothing (the platform's); its own schema: both
          grantable: []
        },
        {
          name: 'extensions',
          owner: 'postgres',
          relations: 0,
          creators: ['postgres'],
          grantable: ['USAGE', 'CREATE']
        }
      ])
    )
    expect(facts.schemas.find(s => s.name === 'auth')!.relations).toBeGreaterThanOrEqual(4)
    expect(facts.publications).toEqual([{ name: 'supabase_realtime', owner: 'postgres' }])
    expect(facts.settings).toEqual(expect.arrayContaining(['row_security', 'search_path']))
    expect(facts.serverMajor).toBe(supabase.major)
    expect(facts.settings.includes('transaction_timeout')).toBe(supabase.major >= 17)
  })

  it('a self-hosted server as its superuser: every role settable', async () => {
    const db = await selfHosted.createDatabase()
    const facts = await factsOf(selfHosted.url(db))
    expect(facts.superuser).toBe(true)
    expect(facts.settableRoles).toEqual(expect.arrayContaining(['postgres', 'app']))
  })
})

describe('statementPolicy over real dumps', () => {
  it("Supabase into a new Supabase project: skips the platform-owned extension comments, existing schemas, event triggers, the publication; refuses nothing; skips data definitions and rows only of the provider's tables that exist", async () => {
    const source = await supabaseLikeSource(supabase)
    const target = await supabaseLikeTarget(supabase)
    const facts = await factsOf(target.url)
    expect(facts.providerSchemas.map(p => p.name).sort()).toEqual(
      ['auth', 'extensions', 'graphql_public', 'pgbouncer', 'realtime', 'storage', 'vault'].sort()
    )
    for (const archive of [false, true]) {
      const outcome = run(facts, await script(source, archive))
      expect(outcome.refused).toEqual([])
      // definitions and rows skipped only in the provider's schemas, as the provider's
      const dataSkips = outcome.skipped.filter(s => DEFINES_DATA.test(s.text))
      expect(
        dataSkips.filter(
          s =>
            !/^(CREATE TABLE|ALTER TABLE ONLY|ALTER TABLE|COPY|CREATE (UNIQUE )?INDEX \w+ ON) (auth|storage|realtime|vault)\./.test(
              s.text
            ) || !/owned by the provider|^kept the target's|^the provider's table/.test(s.reason)
        )
      ).toEqual([])
      expect(dataSkips.map(s => s.text)).not.toEqual(
        expect.arrayContaining([expect.stringMatching(/^COPY auth\.users /)])
      )
      const reasons = new Set(outcome.skipped.map(s => s.reason))
      expect([...reasons]).toEqual(
        expect.arrayContaining([
          'extension "citext" belongs to "supabase_admin" in the target',
          'event triggers need a superuser',
          'publication "supabase_realtime" exists in the target (owner "postgres")'
        ])
      )
      expect(outcome.skipped.map(s => s.text)).toEqual(
        expect.arrayContaining([
          'CREATE SCHEMA auth;',
          'CREATE SCHEMA extensions;',
          "COMMENT ON EXTENSION citext IS 'data type for case-insensitive character strings';",
          "CREATE PUBLICATION supabase_realtime WITH (publish = 'insert, update, delete, truncate');"
        ])
      )
      // what the restore must bring: the app's tables, their rows and policies, all kept
      expect(outcome.kept).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^CREATE TABLE public\.profiles /),
          expect.stringMatching(/^COPY public\.todos /),
          expect.stringMatching(/^CREATE POLICY "Individuals can create todos\."/)
        ])
      )
    }
  })

  it("a backup's overload of a provider function (auth.uid(integer) beside the provider's auth.uid()) is another function: kept, not skipped as the provider's", async () => {
    const source = await supabaseLikeSource(supabase)
    await source.instance.admin.query(
      source.database,
      `CREATE FUNCTION auth.uid(p_offset integer DEFAULT 0) RETURNS uuid LANGUAGE sql STABLE AS $$ SELECT NULL::uuid $$;
       COMMENT ON FUNCTION auth.uid(integer) IS 'the app''s overload';
       GRANT EXECUTE ON FUNCTION auth.uid(integer) TO authenticated;`
    )
    const target = await supabaseLikeTarget(supabase)
    const facts = await factsOf(target.url)
    expect(facts.providerSchemas.find(p => p.name === 'auth')!.functions).toEqual(
      expect.arrayContaining(['uid()'])
    )
    for (const archive of [false, true]) {
      const outcome = run(facts, await script(source, archive))
      const reasonOf = (prefix: string): string[] =>
        outcome.skipped.filter(s => s.text.startsWith(prefix)).map(s => s.reason)
      // the provider's own: exists in the target
      expect(reasonOf('CREATE FUNCTION auth.uid() ')).toEqual([
        expect.stringMatching(/^exists in the target, owned by the provider/)
      ])
      // the backup's overload is the backup's own: kept (the restoring role may create in auth
      // here), with its comment and grant — before, all three were skipped as the provider's
      for (const prefix of [
        'CREATE FUNCTION auth.uid(p_offset integer DEFAULT 0) ',
        'COMMENT ON FUNCTION auth.uid(p_offset integer) ',
        'GRANT ALL ON FUNCTION auth.uid(p_offset integer) TO authenticated'
      ]) {
        expect(reasonOf(prefix)).toEqual([])
        expect(outcome.kept.filter(k => k.startsWith(prefix))).toHaveLength(1)
      }
    }
  })

  it('Supabase (schemas: public) into Neon: the permissive policies TO authenticated are left out, listed (fewer rows, never more: trial u43 F4)', async () => {
    const source = await supabaseLikeSource(supabase)
    const file = path.join(work, `public-${++dumps}.sql`)
    await dumpByHand(source, file, { format: 'plain', args: ['--schema=public'] })
    const target = await neonLikeTarget(neon)
    const outcome = run(await factsOf(target.url), await readFile(file, 'utf8'))
    expect(outcome.refused).toEqual([])
    const policies = outcome.skipped.filter(s => /^CREATE POLICY /.test(s.text))
    expect(policies.length).toBeGreaterThan(0)
    for (const p of policies)
      expect(p.reason).toBe(
        'policy not restored: role "authenticated" does not exist in the target'
      )
    expect(outcome.skipped.map(s => s.text)).toContain('CREATE SCHEMA public;')
  })

  it('RDS into a new instance, owners and grants kept where their roles exist: app_rw/app_readonly skipped, postgres kept', async () => {
    const source = await rdsLikeSource(rdsSource)
    const target = await rdsLikeTarget(rdsInstance)
    const facts = await factsOf(target.url)
    const outcome = run(facts, await script(source, true), {
      ...AUTO,
      noOwner: false,
      noPrivileges: false
    })
    expect(outcome.refused).toEqual([])
    expect(outcome.skipped.filter(s => DEFINES_DATA.test(s.text))).toEqual([])
    expect(new Set(outcome.skipped.map(s => s.reason))).toEqual(
      new Set([
        'owner not set: role "app_rw" does not exist in the target',
        'GRANT not restored: role "app_readonly" does not exist in the target',
        'default privileges not restored: role "app_readonly" does not exist in the target'
      ])
    )
    expect(outcome.kept).toEqual(
      expect.arrayContaining(['ALTER TABLE public.customers OWNER TO postgres;'])
    )
  })

  it('a self-hosted database (seedSample) restored as the superuser: nothing skipped, nothing refused', async () => {
    const db = await selfHosted.createDatabase()
    await seedSample(selfHosted, db)
    const file = path.join(work, `self-${++dumps}.sql`)
    const out = await runCapture(
      path.join(selfHosted.binDir, 'pg_dump'),
      ['--format=plain', `--file=${file}`],
      selfHosted.env(db)
    )
    expect(out.code).toBe(0)
    const target = await selfHosted.createDatabase()
    const outcome = run(await factsOf(selfHosted.url(target)), await readFile(file, 'utf8'))
    expect(outcome).toMatchObject({ skipped: [], refused: [] })
  })
})

describe('the action: a backup made with schemas: public (the README suggests it for Supabase)', () => {
  // issue 15 item 6: pg_dump --schema=public writes CREATE SCHEMA public, which every new
  // database has ("schema public already exists", with any restore setting) — now skipped
  it.each(['custom', 'plain'] as const)(
    'format %s: restores into a fresh database, rows equal; CREATE SCHEMA public listed as skipped; again with clean',
    async format => {
      const server = harness.server
      const source = await server.createDatabase()
      await server.query(
        source,
        `CREATE SCHEMA other;
         CREATE TABLE other.ignored (id int);
         CREATE TABLE public.customers (id int PRIMARY KEY, email text NOT NULL UNIQUE);
         CREATE TABLE public.orders (id serial PRIMARY KEY,
                                     customer_id int NOT NULL REFERENCES public.customers,
                                     total numeric(10, 2) CHECK (total >= 0));
         CREATE VIEW public.big_orders AS SELECT * FROM public.orders WHERE total > 100;
         INSERT INTO public.customers VALUES (1, 'ada@example.com'), (2, 'grace@example.com');
         INSERT INTO public.orders (customer_id, total) VALUES (1, 19.99), (2, 250), (2, 5);
         GRANT SELECT ON public.orders TO app;`
      )
      const name = `public-only-${format}`
      await harness.backup(
        testBackupInputs(server.url(source), {
          artifactName: name,
          format,
          filters: {
            tables: [],
            excludeTables: [],
            excludeTableData: [],
            schemas: ['public'],
            excludeSchemas: []
          }
        })
      )
      const target = await server.createDatabase()
      const result = await harness.restore(
        testRestoreInputs(server.url(target), currentRunArtifact(harness.backend, name))
      )
      const want = Object.fromEntries(
        Object.entries(await tableChecksums(server, source)).filter(([k]) =>
          k.startsWith('public.')
        )
      )
      expect(Object.keys(want).length).toBeGreaterThan(0)
      expect(await tableChecksums(server, target)).toEqual(want)
      // the grant to a role the target has is kept (no-privileges: auto)
      const [acl] = await server.query<{ ok: boolean }>(
        target,
        `SELECT has_table_privilege('app', 'public.orders', 'SELECT') AS ok`
      )
      expect(acl.ok).toBe(true)
      expect(result.skipped).toEqual([
        expect.objectContaining({
          reason: expect.stringMatching(/^schema "public" exists in the target/),
          count: 1,
          samples: [expect.objectContaining({ text: 'CREATE SCHEMA public;' })]
        })
      ])
      // and again over it with clean: true (clean never drops public; its CREATE stays skipped)
      await server.query(target, `INSERT INTO public.customers VALUES (3, 'extra@example.com')`)
      const again = await harness.restore(
        testRestoreInputs(server.url(target), currentRunArtifact(harness.backend, name), {
          clean: true
        })
      )
      expect(await tableChecksums(server, target)).toEqual(want)
      expect(again.skipped.map(g => g.reason)).toEqual([
        expect.stringMatching(/^schema "public" exists in the target/)
      ])
    }
  )
})
