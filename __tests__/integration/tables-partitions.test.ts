/**
 * tables naming a partitioned table: the restore takes its partitions too, to the leaves (a
 * partition partitioned itself, a DEFAULT partition), as pg_dump 16's --table-and-children does,
 * read from the archive's own TABLE ATTACH entries — data-only and full, where the partitions are
 * attached again after the load (trial u49 F5: 'tables: events' restored 0 rows, exit 0, as
 * pg_restore -t events by hand does). A partition whose name another table of the backup has
 * too is not taken (a name selects every table of that name): said. A name the backup does not
 * hold fails before anything runs.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import type { TestServer } from '../../dev/postgres.js'
import type { RestoreOptions } from '../../src/types.js'
import { useHarness } from '../support/harness.js'
import { testRestoreInputs } from '../support/inputs.js'
import { logOf } from '../support/log-capture.js'

const harness = useHarness({ name: 'tables-partitions' })
let server: TestServer
let source: string
let dump: string

const SOURCE_SQL = `
CREATE TABLE public.events (id bigint GENERATED ALWAYS AS IDENTITY, at date NOT NULL, kind text)
  PARTITION BY RANGE (at);
CREATE TABLE public.events_2024 PARTITION OF public.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE public.events_2025 PARTITION OF public.events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')
  PARTITION BY LIST (kind);
CREATE TABLE public.events_2025_a PARTITION OF public.events_2025 FOR VALUES IN ('a');
CREATE TABLE public.events_2025_rest PARTITION OF public.events_2025 DEFAULT;
INSERT INTO public.events (at, kind)
  SELECT DATE '2024-06-01' + g % 400, (ARRAY['a', 'b'])[1 + g % 2] FROM generate_series(1, 1000) g;
CREATE SCHEMA shop;
CREATE TABLE shop.sales (id int, region text) PARTITION BY LIST (region);
CREATE TABLE shop.sales_eu PARTITION OF shop.sales FOR VALUES IN ('eu');
CREATE TABLE shop.sales_other PARTITION OF shop.sales DEFAULT;
INSERT INTO shop.sales SELECT g, (ARRAY['eu', 'us'])[1 + g % 2] FROM generate_series(1, 100) g;
`

/** Rows of each leaf, and whether each partition is attached. */
async function state(database: string, table = 'public.events') {
  const rows = await server.query<{ leaf: string; n: number }>(
    database,
    `SELECT tableoid::regclass::text AS leaf, count(*)::int AS n FROM ${table} GROUP BY 1 ORDER BY 1`
  )
  const attached = await server.query<{ child: string }>(
    database,
    'SELECT inhrelid::regclass::text AS child FROM pg_inherits ORDER BY 1'
  )
  return { rows, attached: attached.map(a => a.child) }
}

function inputs(target: string, overrides: Partial<RestoreOptions>): RestoreOptions {
  return testRestoreInputs(server.url(target), { kind: 'file', path: dump }, overrides)
}

async function copyOfSource(): Promise<string> {
  const target = `tp_${Math.random().toString(16).slice(2, 8)}`
  await server.query('postgres', `CREATE DATABASE ${target} TEMPLATE ${source}`)
  return target
}

beforeAll(async () => {
  server = harness.server
  source = await server.createDatabase('tp_source')
  await server.query(source, SOURCE_SQL)
  dump = path.join(harness.work, 'tp.dump')
  execFileSync(path.join(server.binDir, 'pg_dump'), ['-Fc', '-f', dump, source], {
    env: server.env(source)
  })
}, 60_000)

describe('tables naming a partitioned table takes its partitions (trial u49 F5)', () => {
  it('data-only: every partition, sub-partitions and DEFAULT ones included, gets its rows back; one info line, no warning about them', async () => {
    const expected = await state(source)
    const target = await copyOfSource()
    await server.query(target, 'DELETE FROM public.events')
    const { lines } = await logOf(() =>
      harness.restore(inputs(target, { dataOnly: true, tables: ['events', 'events_id_seq'] }))
    )
    expect(lines).toMatch(
      /tables: public\.events is a partitioned table, whose rows are in its partitions: the restore takes the 4 partitions too, .*: public\.events_2024, public\.events_2025, public\.events_2025_a, public\.events_2025_rest\./
    )
    expect(lines).not.toMatch(/the restore cannot take/)
    expect(await state(target)).toEqual(expected)
    expect(expected.rows.reduce((n, r) => n + r.n, 0)).toBe(1000)
    await server.dropDatabase(target)
  }, 60_000)

  it("data-only without the identity's sequence named: quiet where the target's sequence is past the backup's rows, warned where it is behind (trial u49 F7)", async () => {
    const target = await copyOfSource()
    await server.query(target, 'DELETE FROM public.events')
    const quiet = await logOf(() =>
      harness.restore(inputs(target, { dataOnly: true, tables: ['events'] }))
    )
    expect(quiet.lines).not.toMatch(/may take an id the backup's rows hold/)
    expect(await server.query(target, 'SELECT count(*)::int AS n FROM public.events')).toEqual([
      { n: 1000 }
    ])
    // the target's identity set back: the next id would be one the backup's rows hold
    await server.query(
      target,
      'DELETE FROM public.events; ALTER TABLE public.events ALTER COLUMN id RESTART WITH 1'
    )
    const warned = await logOf(() =>
      harness.restore(inputs(target, { dataOnly: true, tables: ['events'] }))
    )
    expect(warned.lines).toMatch(
      /events_id_seq \(of events\)\. The next row the app inserts may take an id the backup's rows hold\. Add it \('tables: events,[\w,]*events_id_seq'\)/
    )
    await server.dropDatabase(target)
  }, 60_000)

  it('a table named alone whose column type the backup has: the failure says the selection left the type out, not the backup (trial u52 F3)', async () => {
    const src = await server.createDatabase()
    await server.query(
      src,
      "CREATE TYPE public.kind AS ENUM ('a', 'b'); CREATE TABLE public.items (k public.kind) PARTITION BY LIST (k); CREATE TABLE public.items_a PARTITION OF public.items FOR VALUES IN ('a'); INSERT INTO public.items VALUES ('a')"
    )
    const own = path.join(harness.work, 'typed.dump')
    execFileSync(path.join(server.binDir, 'pg_dump'), ['-Fc', '-f', own, src], {
      env: server.env(src)
    })
    const target = await server.createDatabase()
    const error = (await harness
      .restore(
        testRestoreInputs(server.url(target), { kind: 'file', path: own }, { tables: ['items'] })
      )
      .catch((e: Error) => e)) as Error
    expect(error.message).toMatch(/type "public\.kind" does not exist/)
    expect(error.message).not.toMatch(/The backup left type/)
    expect(error.message).toMatch(/tables/)
    await server.dropDatabase(src)
    await server.dropDatabase(target)
  }, 60_000)

  it('data-only with tables: the materialized views that read a table restored (through a view too) are named with their REFRESH, others not; the advice works (trial u52 F1)', async () => {
    const src = await server.createDatabase()
    await server.query(
      src,
      `CREATE TABLE public.t (id int); INSERT INTO public.t SELECT generate_series(1, 50);
       CREATE TABLE public.u (id int); INSERT INTO public.u VALUES (1);
       CREATE MATERIALIZED VIEW public.t_count AS SELECT count(*)::int AS n FROM public.t;
       CREATE VIEW public.t_even AS SELECT id FROM public.t WHERE id % 2 = 0;
       CREATE MATERIALIZED VIEW public.even_count AS SELECT count(*)::int AS n FROM public.t_even;
       CREATE MATERIALIZED VIEW public.u_count AS SELECT count(*)::int AS n FROM public.u;`
    )
    const own = path.join(harness.work, 'matviews.dump')
    execFileSync(path.join(server.binDir, 'pg_dump'), ['-Fc', '-f', own, src], {
      env: server.env(src)
    })
    const target = `mv_${Math.random().toString(16).slice(2, 8)}`
    await server.query('postgres', `CREATE DATABASE ${target} TEMPLATE ${src}`)
    await server.query(
      target,
      'TRUNCATE public.t; REFRESH MATERIALIZED VIEW public.t_count; REFRESH MATERIALIZED VIEW public.even_count'
    )
    const { lines } = await logOf(() =>
      harness.restore(
        testRestoreInputs(
          server.url(target),
          { kind: 'file', path: own },
          { dataOnly: true, tables: ['t'], allowNonEmpty: true }
        )
      )
    )
    const warning = lines.split('\n').find(l => /materialized view/.test(l)) ?? ''
    expect(warning).toMatch(
      /data-only with tables: the backup's 2 materialized views that read the tables restored are not refreshed/
    )
    expect(warning).toMatch(/public\.t_count/)
    expect(warning).toMatch(/public\.even_count/)
    expect(warning).not.toMatch(/u_count/)
    const refresh = warning.match(/REFRESH MATERIALIZED VIEW [^;]+;/g) ?? []
    expect(refresh).toHaveLength(2)
    for (const statement of refresh) await server.query(target, statement)
    expect(await server.query(target, 'SELECT n FROM public.t_count')).toEqual([{ n: 50 }])
    expect(await server.query(target, 'SELECT n FROM public.even_count')).toEqual([{ n: 25 }])
    await server.dropDatabase(src)
    await server.dropDatabase(target)
  }, 60_000)

  it('full restore into an empty database: the partitions are created and attached again, all rows reachable from the parent', async () => {
    const expected = await state(source)
    const target = await server.createDatabase()
    const { lines } = await logOf(() =>
      harness.restore(inputs(target, { tables: ['events', 'events_id_seq'] }))
    )
    expect(lines).toMatch(/the 4 partitions restored are attached to their partitioned tables/)
    expect(lines).not.toMatch(/TABLE ATTACH/)
    const after = await state(target)
    expect(after.rows).toEqual(expected.rows)
    expect(after.attached).toEqual(expected.attached.filter(c => !c.startsWith('shop.')))
    await server.dropDatabase(target)
  }, 60_000)

  it('clean over a copy: the partitioned table and its partitions replaced, attached again', async () => {
    const expected = await state(source)
    const target = await copyOfSource()
    await server.query(target, "DELETE FROM public.events WHERE kind = 'a'")
    await logOf(() =>
      harness.restore(inputs(target, { clean: true, tables: ['events', 'events_id_seq'] }))
    )
    expect(await state(target)).toEqual(expected)
    await server.dropDatabase(target)
  }, 60_000)

  it('a table of another schema named with it (tables: "shop"."sales"): its partitions taken in that schema', async () => {
    const expected = await state(source, 'shop.sales')
    const target = await copyOfSource()
    await server.query(target, 'DELETE FROM shop.sales')
    await logOf(() =>
      harness.restore(inputs(target, { dataOnly: true, schemas: ['shop'], tables: ['sales'] }))
    )
    expect((await state(target, 'shop.sales')).rows).toEqual(expected.rows)
    // full, into a database with the schema only
    const empty = await server.createDatabase()
    await server.query(empty, 'CREATE SCHEMA shop')
    await logOf(() => harness.restore(inputs(empty, { schemas: ['shop'], tables: ['sales'] })))
    const full = await state(empty, 'shop.sales')
    expect(full.rows).toEqual(expected.rows)
    expect(full.attached).toEqual(['shop.sales_eu', 'shop.sales_other'])
    await server.dropDatabase(target)
    await server.dropDatabase(empty)
  }, 60_000)

  it("a partition whose name another schema's table has too is not taken, and said; the others are", async () => {
    const db = await server.createDatabase()
    await server.query(
      db,
      `${SOURCE_SQL}
       CREATE SCHEMA arch;
       CREATE TABLE arch.events_2024 (x int);
       INSERT INTO arch.events_2024 VALUES (1);`
    )
    const own = path.join(harness.work, 'tp-collision.dump')
    execFileSync(path.join(server.binDir, 'pg_dump'), ['-Fc', '-f', own, db], {
      env: server.env(db)
    })
    await server.query(db, 'DELETE FROM public.events; DELETE FROM arch.events_2024')
    const { lines } = await logOf(() =>
      harness.restore(
        testRestoreInputs(
          server.url(db),
          { kind: 'file', path: own },
          { dataOnly: true, tables: ['events'] }
        )
      )
    )
    expect(lines).toMatch(
      /public\.events is a partitioned table, whose rows are in its partitions, and the restore cannot take this one: public\.events_2024\./
    )
    const leaves = (await state(db)).rows.map(r => r.leaf)
    expect(leaves).toEqual(['events_2025_a', 'events_2025_rest'])
    expect(await server.query(db, 'SELECT * FROM arch.events_2024')).toEqual([])
    await server.dropDatabase(db)
  }, 60_000)

  it('a name the backup does not hold fails before anything runs, naming the input', async () => {
    const target = await copyOfSource()
    await server.query(target, 'DELETE FROM public.events')
    const error = await harness
      .restore(inputs(target, { dataOnly: true, tables: ['event'] }))
      .then(() => undefined)
      .catch((e: Error) => e)
    expect(error?.message).toMatch(
      /'event' is no table, view or sequence of this backup .*Did you mean 'events'\?.* Nothing was restored/
    )
    expect((await state(target)).rows).toEqual([])
    await server.dropDatabase(target)
  }, 60_000)
})
