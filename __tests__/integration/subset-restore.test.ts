/**
 * A subset restore (tables/schemas) into an empty database, on the real 15 server: pg_restore -n
 * leaves out the schema's own entry and -t the tables a foreign key points to, so the load fails
 * as it does by hand; the message says which and what to do. Errors of pg_restore -d name the
 * archive's entry, as the psql path does.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import type { TestServer } from '../../dev/postgres.js'
import type { LoadOptions } from '../../src/postgres/load.js'
import { capturedLog, loadInto, pgDumpBytes } from '../support/direct-load.js'
import { useHarness } from '../support/harness.js'

const harness = useHarness({ name: 'subset-restore' })
let server: TestServer
let archive: string
let names = 0

beforeAll(async () => {
  server = harness.server
  const source = await server.createDatabase('subset_src')
  await server.query(
    source,
    `CREATE TABLE public.items (id integer PRIMARY KEY);
     INSERT INTO public.items VALUES (1);
     CREATE SCHEMA sales;
     CREATE TABLE sales.orders (id integer PRIMARY KEY, item_id integer REFERENCES public.items);
     INSERT INTO sales.orders VALUES (1, 1);`
  )
  archive = path.join(harness.work, 'subset.dump')
  writeFileSync(archive, pgDumpBytes(server, source, ['-Fc', '-Z0']))
}, 60_000)

async function restore(options: Partial<LoadOptions>, database: string): Promise<void> {
  await loadInto(harness, archive, database, options)
}

async function failure(options: Partial<LoadOptions>, prepare?: string): Promise<string> {
  const database = await server.createDatabase(`subset_${++names}`)
  if (prepare) await server.query(database, prepare)
  try {
    await restore(options, database)
  } catch (error) {
    const tables = await server.query<{ n: number }>(
      database,
      "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname IN ('public', 'sales')"
    )
    expect(tables[0].n).toBe(0)
    return (error as Error).message
  }
  throw new Error('the restore did not fail')
}

describe('a subset restore into an empty database', () => {
  it('schemas: sales — the schema itself is left out: create it first or restore the whole backup', async () => {
    const message = await failure({ schemas: ['sales'] })
    expect(message).toMatch(/schema "sales" does not exist/)
    expect(message).toMatch(/selection leaves out the schema's own entry/)
    // pg_restore -d: the archive's entry, not a cut statement
    expect(message).toMatch(/\(in the archive's entry TABLE sales\.orders\)/)
    expect(message).not.toMatch(/failed statement/)
    expect(message).toMatch(/create the schema .*first|restore the whole backup/)
  })

  it('schemas: sales with the schema created — its foreign key into public.items, left out: add that table', async () => {
    const message = await failure({ schemas: ['sales'] }, 'CREATE SCHEMA sales')
    expect(message).toMatch(/relation "public.items" does not exist/)
    expect(message).toMatch(/add that table to 'tables'.*or restore the whole backup/)
    expect(message).toMatch(
      /\(in the archive's entry FK CONSTRAINT sales\.orders orders_item_id_fkey\)/
    )
  })

  it("the log says which path in plain words: the selected entries' script; a selection leaving out the last table data", async () => {
    const direct = await server.createDatabase(`subset_${++names}`)
    await server.query(
      direct,
      'CREATE SCHEMA sales; CREATE TABLE public.items (id integer PRIMARY KEY); INSERT INTO public.items VALUES (1)'
    )
    const out = await capturedLog(() => restore({ schemas: ['sales'] }, direct))
    expect(out).toMatch(/directly: the gate passed the selected entries' script, with nothing/)
    expect(out).not.toMatch(/script whole/)
    const rows = await server.query<{ n: number }>(
      direct,
      'SELECT count(*)::int AS n FROM sales.orders'
    )
    expect(rows[0].n).toBe(1)

    const psql = await server.createDatabase(`subset_${++names}`)
    const log = await capturedLog(() => restore({ schemas: ['public'] }, psql))
    expect(log).toMatch(
      /Loading through the script gate into psql: tables\/schemas leave out the archive's last table data, so pg_restore could commit before the whole backup was read and checked/
    )
    const items = await server.query<{ n: number }>(
      psql,
      'SELECT count(*)::int AS n FROM public.items'
    )
    expect(items[0].n).toBe(1)
  }, 60_000)
})
