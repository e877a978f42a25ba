/**
 * The action's own SQL runs with pg_dump's secure search_path (attacker a39 F1/F2): a database's
 * ordinary user who plants operators in `public` that are exact matches where pg_catalog's need a
 * cast (`name !~~ name`, `name || text`, `oid = regclass`) gets none of them run by the action's
 * catalog reads — in the source while it backs up, in a target it restores into (refused or
 * allow-non-empty), or in the scratch database verify loads a backup that carries them into.
 * pg_dump and pg_restore by hand run none either. Each trap logs who called it into public.pwned.
 */
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { beforeAll, describe, expect, it } from '@jest/globals'
import type { TestServer } from '../../dev/postgres.js'
import { useHarness } from '../support/harness.js'
import { currentRunArtifact } from '../support/sources.js'
import { NO_FILTERS, testBackupInputs, testRestoreInputs } from '../support/inputs.js'

const harness = useHarness({ name: 'own-search-path' })
let server: TestServer
let source: string

/** The trap, created by the ordinary role `trapper` in `public` of a database. */
const TRAP = `
CREATE TABLE public.pwned (who text, what text);
GRANT INSERT, SELECT ON public.pwned TO PUBLIC;
CREATE FUNCTION public.spy(what text) RETURNS boolean LANGUAGE plpgsql VOLATILE
  SET search_path = pg_catalog AS $$
BEGIN
  IF current_setting('transaction_read_only') = 'off' THEN
    INSERT INTO public.pwned VALUES (current_user, what);
  ELSE
    RAISE WARNING 'trap % ran as % (read-only)', what, current_user;
  END IF;
  RETURN true;
END $$;
CREATE FUNCTION public.nlike(name, name) RETURNS boolean LANGUAGE sql
  AS $$ SELECT public.spy('!~~') AND NOT ($1::text LIKE $2::text) $$;
CREATE OPERATOR public.!~~ (LEFTARG = name, RIGHTARG = name, FUNCTION = public.nlike);
CREATE FUNCTION public.like_(name, name) RETURNS boolean LANGUAGE sql
  AS $$ SELECT public.spy('~~') AND ($1::text LIKE $2::text) $$;
CREATE OPERATOR public.~~ (LEFTARG = name, RIGHTARG = name, FUNCTION = public.like_);
CREATE FUNCTION public.cat(name, text) RETURNS text LANGUAGE sql
  AS $$ SELECT CASE WHEN public.spy('||') THEN $1::text || $2 END $$;
CREATE OPERATOR public.|| (LEFTARG = name, RIGHTARG = text, FUNCTION = public.cat);
CREATE FUNCTION public.oideq(oid, regclass) RETURNS boolean LANGUAGE sql
  AS $$ SELECT public.spy('oid=regclass') AND $1 = $2::oid $$;
CREATE OPERATOR public.= (LEFTARG = oid, RIGHTARG = regclass, FUNCTION = public.oideq);
`

async function plant(database: string): Promise<void> {
  await server.query(database, 'GRANT CREATE ON SCHEMA public TO trapper')
  await server.query(database, `SET ROLE trapper; ${TRAP}; RESET ROLE;`)
}

/** Who ran a trap in `database` (as "role:operator"), besides `trapper` itself. */
async function sprung(database: string): Promise<string[]> {
  const rows = await server.query<{ who: string; what: string }>(
    database,
    "SELECT who, what FROM public.pwned WHERE who <> 'trapper' ORDER BY 1, 2"
  )
  return rows.map(r => `${r.who}:${r.what}`)
}

beforeAll(async () => {
  server = harness.server
  await server.query(
    'postgres',
    `DO $$BEGIN CREATE ROLE trapper LOGIN NOSUPERUSER; EXCEPTION WHEN duplicate_object THEN NULL; END$$;`
  )
  source = await server.createDatabase('trap_src')
  await server.query(
    source,
    'CREATE SCHEMA shop; CREATE TABLE shop.items (id integer PRIMARY KEY, note text); INSERT INTO shop.items SELECT g, g::text FROM generate_series(1, 50) g'
  )
  await plant(source)
}, 60_000)

describe("the action's own SQL never runs operators a database's user planted", () => {
  it('backup: none runs in the source, and the backup is whole', async () => {
    const result = await harness.backup(
      testBackupInputs(server.url(source), { artifactName: 'trap-backup' })
    )
    expect(await sprung(source)).toEqual([])
    const counted = result.manifest.rowCounts.tables.map(t => `${t.schema}.${t.name}=${t.rows}`)
    expect(counted).toEqual(expect.arrayContaining(['shop.items=50']))
  })

  it('restore: none runs in a target where they were planted, refused or with allow-non-empty', async () => {
    // a backup of a database without the trap (the trap's own objects would collide)
    const clean = await server.createDatabase('trap_free')
    await server.query(
      clean,
      'CREATE SCHEMA shop; CREATE TABLE shop.items (id integer PRIMARY KEY, note text); INSERT INTO shop.items SELECT g, g::text FROM generate_series(1, 50) g'
    )
    await harness.backup(testBackupInputs(server.url(clean), { artifactName: 'trap-free' }))
    const target = await server.createDatabase('trap_target')
    await plant(target)
    const from = currentRunArtifact(harness.backend, 'trap-free')
    const refused = await harness.restore(testRestoreInputs(server.url(target), from)).then(
      () => undefined,
      (e: unknown) => e as Error
    )
    expect(refused?.message).toMatch(/is not empty/)
    expect(await sprung(target)).toEqual([])
    await harness.restore(testRestoreInputs(server.url(target), from, { allowNonEmpty: true }))
    const rows = await server.query<{ n: string }>(
      target,
      'SELECT count(*)::text AS n FROM shop.items'
    )
    expect(rows[0].n).toBe('50')
    expect(await sprung(target)).toEqual([])
  })

  it('verify: none runs in the scratch database the backup (which carries them) is loaded into', async () => {
    const scratch = await server.createDatabase('trap_scratch')
    const result = await harness.verify(
      testRestoreInputs(server.url(scratch), currentRunArtifact(harness.backend, 'trap-backup'), {
        mode: 'verify'
      })
    )
    expect(result.objects.length).toBeGreaterThan(0)
    expect(await sprung(scratch)).toEqual([])
  })

  it("a data-only script that leaves the role's search_path: the sequence set the restore adds runs none", async () => {
    const target = await server.createDatabase('trap_data_only')
    await server.query(target, 'CREATE TABLE public.items (id serial PRIMARY KEY, note text)')
    await plant(target)
    // a hand-made data-only script: no pg_dump header, no set_config of the search_path
    const script = path.join(harness.tempRoot, 'trap-data-only.sql')
    writeFileSync(
      script,
      "COPY public.items (id, note) FROM stdin;\n1\ta\n2\tb\n\\.\nSELECT pg_catalog.setval('public.items_id_seq', 2, true);\n"
    )
    await harness.restore(
      testRestoreInputs(server.url(target), { kind: 'file', path: script }, { allowNonEmpty: true })
    )
    const rows = await server.query<{ n: string; last: string }>(
      target,
      'SELECT (SELECT count(*) FROM public.items)::text AS n, (SELECT last_value FROM public.items_id_seq)::text AS last'
    )
    expect(rows[0]).toEqual({ n: '2', last: '2' })
    expect(await sprung(target)).toEqual([])
  })

  it("a database whose search_path puts public before pg_catalog: no type the action's reads name resolves to a domain planted there", async () => {
    // domains named like the types the reads that use the session's path cast to (attacker a40 1)
    const DOMAINS = `
      CREATE DOMAIN public.text AS pg_catalog.text CHECK (public.spy('domain text'));
      CREATE DOMAIN public."char" AS pg_catalog."char" CHECK (public.spy('domain char'));
      CREATE DOMAIN public.oid AS pg_catalog.oid CHECK (public.spy('domain oid'));`
    const source = await server.createDatabase('trap_db_path')
    await server.query(
      source,
      'CREATE TABLE public.items (id integer PRIMARY KEY); INSERT INTO public.items VALUES (1), (2); CREATE TABLE public.orders (id integer); CREATE TABLE public.junk (id integer)'
    )
    await plant(source)
    await server.query(source, `SET ROLE trapper; ${DOMAINS} RESET ROLE;`)
    await server.query('postgres', `ALTER DATABASE ${source} SET search_path = public, pg_catalog`)
    await harness.backup(
      testBackupInputs(server.url(source), {
        artifactName: 'trap-db-path',
        filters: { ...NO_FILTERS, excludeTables: ['junk'], excludeTableData: ['ord*'] }
      })
    )
    expect(await sprung(source)).toEqual([])
    // a target alike: restore of one table (resolved by the session's path) next to its objects
    const target = await server.createDatabase('trap_db_path_target')
    await plant(target)
    await server.query(target, `SET ROLE trapper; ${DOMAINS} RESET ROLE;`)
    await server.query('postgres', `ALTER DATABASE ${target} SET search_path = public, pg_catalog`)
    await harness
      .restore(
        testRestoreInputs(server.url(target), currentRunArtifact(harness.backend, 'trap-db-path'), {
          tables: ['items'],
          allowNonEmpty: true
        })
      )
      .catch(() => undefined) // refused or not: what matters is what ran
    expect(await sprung(target)).toEqual([])
  })
})
