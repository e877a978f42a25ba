/**
 * An extension the restoring role may not create is left out (as pg_restore by hand carries on
 * past "permission denied to create extension"); when the load then fails on what depends on it,
 * the failure names the left-out extension as its root cause and what to do, instead of only the
 * dependent's "foreign-data wrapper … does not exist" (user trial 6, F4). Through the real
 * artifact client and the loopback backend; the target is asserted unchanged.
 */
import { beforeAll, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { useHarness } from '../support/harness.js'
import { useInProcessStep } from '../support/step.js'
import {
  appOwnedTarget,
  backUpSource,
  publicRelations,
  restoreAsApp
} from '../support/app-target.js'

const harness = useHarness({ name: 'restore-left-out' })
const runStep = useInProcessStep(harness)

beforeAll(async () => {
  await backUpSource(harness, runStep, {
    name: 'fdw_src',
    artifact: 'fdw',
    sql: `CREATE EXTENSION postgres_fdw;
     CREATE SERVER loop FOREIGN DATA WRAPPER postgres_fdw OPTIONS (dbname 'postgres');
     CREATE TABLE public.items (id integer PRIMARY KEY);
     INSERT INTO public.items SELECT generate_series(1, 10);`
  })
  // a view calling a function of an untrusted extension (trial u63 F2: Supabase's dblink)
  await backUpSource(harness, runStep, {
    name: 'dblink_src',
    artifact: 'dblink',
    sql: `CREATE SCHEMA extensions; CREATE EXTENSION dblink WITH SCHEMA extensions;
     CREATE TABLE public.items (id integer PRIMARY KEY);
     INSERT INTO public.items SELECT generate_series(1, 10);
     CREATE VIEW public.remote_ping AS
       SELECT * FROM extensions.dblink('dbname=postgres', 'select 1') AS t(x integer);`
  })
  // a function of it whose name is not the extension's (attacker a103 F4)
  await backUpSource(harness, runStep, {
    name: 'dblink2_src',
    artifact: 'dblink2',
    sql: `CREATE SCHEMA extensions; CREATE EXTENSION dblink WITH SCHEMA extensions;
     CREATE TABLE public.items (id integer PRIMARY KEY);
     CREATE VIEW public.conns AS SELECT extensions.dblink_get_connections() AS c;`
  })
}, 120_000)

it('a view calling a function of the left-out extension that does not bear its name: the extension is named as the likely cause, not a backup made with tables (attacker a103 F4)', async () => {
  const target = await appOwnedTarget(harness)
  const step = await restoreAsApp(harness, runStep, target, 'dblink2')
  const message = step.error?.message ?? ''
  expect(message).toMatch(/function extensions\.dblink_get_connections\(\) does not exist/)
  expect(message).toMatch(
    /in the archive's entry VIEW public\.conns\)\. Most likely cause \(the backup has no such function of its own: an extension's\): the backup's EXTENSION dblink was left out/
  )
  expect(message).not.toMatch(/made with tables|The backup left|from elsewhere/)
  expect(await publicRelations(harness, target)).toBe(0)
}, 120_000)

it("a view calling the left-out extension's function fails: the root cause comes with the error, not a guess that the backup left the function out (trial u63 F2)", async () => {
  const target = await appOwnedTarget(harness)
  const step = await restoreAsApp(harness, runStep, target, 'dblink')
  const message = step.error?.message ?? ''
  expect(message).toMatch(
    /function extensions\.dblink\(unknown, unknown\) does not exist|function extensions\.dblink\(text, text\) does not exist/
  )
  expect(message).toMatch(
    /in the archive's entry VIEW public\.remote_ping\)\. Root cause: the backup's EXTENSION dblink was left out \(app may not create it in the target[^]*Have the extension enabled in the target first/
  )
  expect(message).not.toMatch(/made with tables|The backup left|from elsewhere/)
  expect(message).toMatch(/Nothing was kept/)
  expect(await publicRelations(harness, target)).toBe(0)
}, 120_000)

it('the dependent fails: the error names the left-out extension as the root cause; nothing kept', async () => {
  const target = await appOwnedTarget(harness)
  const step = await restoreAsApp(harness, runStep, target, 'fdw')
  const message = step.error?.message ?? ''
  expect(message).toMatch(/foreign-data wrapper "postgres_fdw" does not exist/)
  expect(message).toMatch(
    /Root cause: the backup's EXTENSION postgres_fdw was left out \(app may not create it in the target[^]*Have the extension enabled in the target first; or, .*pg_restore -l FILE > list, delete the lines of the EXTENSION and of what needs it \(for a foreign-data wrapper: its SERVER, USER MAPPING and FOREIGN TABLE lines\), then pg_restore -L list/
  )
  expect(message).toMatch(/Nothing was kept/)
  expect(await publicRelations(harness, target)).toBe(0)
  // the way by hand the message gives restores the rest as app (trial u64 F2)
  const { server } = harness
  const dir = mkdtempSync(path.join(tmpdir(), 'left-out-'))
  const file = path.join(dir, 'fdw.dump')
  const tool = (name: string, args: string[], user?: string): string =>
    execFileSync(path.join(server.binDir, name), args, {
      env: server.env('fdw_src', user ? { user, password: server.appPassword } : undefined),
      encoding: 'utf8'
    })
  tool('pg_dump', ['-Fc', '-f', file])
  const list = path.join(dir, 'list')
  writeFileSync(
    list,
    tool('pg_restore', ['-l', file])
      .split('\n')
      .filter(line => !/postgres_fdw|SERVER|USER MAPPING|FOREIGN TABLE/.test(line))
      .join('\n')
  )
  tool(
    'pg_restore',
    ['-L', list, '--single-transaction', '--exit-on-error', '--no-owner', '-d', target, file],
    server.appUser
  )
  expect(await server.query(target, 'SELECT count(*)::int AS n FROM public.items')).toEqual([
    { n: 10 }
  ])
  rmSync(dir, { recursive: true, force: true })
}, 120_000)

it('said before the load: the target checks name the extension app may not create and what to do', async () => {
  const target = await harness.server.createDatabase()
  await harness.server.query(
    'postgres',
    `ALTER DATABASE ${target} OWNER TO ${harness.server.appUser}`
  )
  const step = await runStep({
    mode: 'restore',
    'database-url': harness.server.url(target, {
      user: harness.server.appUser,
      password: harness.server.appPassword
    }),
    'artifact-name': 'fdw',
    'github-token': harness.backend.githubToken
  })
  expect(step.error?.message).toMatch(/foreign-data wrapper "postgres_fdw" does not exist/)
  const warning =
    /::warning::The backup creates the extension postgres_fdw, which app may not create in the database '[^']+' \(not a trusted extension, and app is not a superuser\): the restore will leave its CREATE EXTENSION out[^\n]*Enable postgres_fdw in the target first/
  expect(step.stdout).toMatch(warning)
  // in the target checks, before the load
  const at = step.stdout.search(warning)
  expect(at).toBeGreaterThan(step.stdout.indexOf('::group::Check the target'))
  expect(at).toBeLessThan(step.stdout.indexOf('::group::Restore'))
}, 120_000)

it('the target has the extension (its admin made it): no warning, and the restore passes', async () => {
  const target = await harness.server.createDatabase()
  await harness.server.query(
    target,
    `ALTER DATABASE ${target} OWNER TO ${harness.server.appUser};
     CREATE EXTENSION postgres_fdw;
     GRANT USAGE ON FOREIGN DATA WRAPPER postgres_fdw TO ${harness.server.appUser};`
  )
  const step = await runStep({
    mode: 'restore',
    'database-url': harness.server.url(target, {
      user: harness.server.appUser,
      password: harness.server.appPassword
    }),
    'artifact-name': 'fdw',
    'github-token': harness.backend.githubToken
  })
  expect(step.error).toBeUndefined()
  expect(step.stdout).not.toMatch(/The backup creates the extension/)
  const [{ n }] = await harness.server.query<{ n: number }>(
    target,
    'SELECT count(*)::int AS n FROM public.items'
  )
  expect(n).toBe(10)
}, 120_000)

it("without USAGE on the target's wrapper: the failure says who grants it, not a backup input (u6 F3)", async () => {
  const target = await harness.server.createDatabase()
  await harness.server.query(
    target,
    `ALTER DATABASE ${target} OWNER TO ${harness.server.appUser}; CREATE EXTENSION postgres_fdw;`
  )
  const step = await runStep({
    mode: 'restore',
    'database-url': harness.server.url(target, {
      user: harness.server.appUser,
      password: harness.server.appPassword
    }),
    'artifact-name': 'fdw',
    'github-token': harness.backend.githubToken
  })
  const message = step.error?.message ?? ''
  expect(message).toMatch(/permission denied for foreign-data wrapper postgres_fdw/)
  expect(message).toMatch(
    /have its owner grant it \(GRANT USAGE ON FOREIGN DATA WRAPPER postgres_fdw TO <the restoring role>/
  )
  // exclude-schemas and exclude-tables are refused on a restore: never the advice
  expect(message).not.toMatch(/\(exclude-schemas, exclude-tables\)/)
  const [{ n }] = await harness.server.query<{ n: number }>(
    target,
    "SELECT count(*)::int AS n FROM pg_class WHERE relnamespace = 'public'::regnamespace"
  )
  expect(n).toBe(0)
}, 120_000)
