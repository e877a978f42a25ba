/**
 * countRows (postgres/target.ts) counts tables in batches: every table's own count in the order
 * asked, across batch boundaries, -1 for a table that is not there, children not counted;
 * existingTables counts the first 50 exactly and estimates the others.
 */
import { describe, expect, it } from '@jest/globals'
import pg from 'pg'
import { countRows, describeTables, existingTables } from '../../src/postgres/target.js'
import { useHarness } from '../support/harness.js'

const harness = useHarness({ name: 'count-rows', backend: false })

describe('countRows', () => {
  it('counts 230 tables in order, across batches, with missing ones and a child left out', async () => {
    const server = harness.server
    const db = await server.createDatabase()
    let sql = 'CREATE SCHEMA "Odd ""s";'
    for (let i = 0; i < 230; i++) {
      sql += `CREATE TABLE "Odd ""s"."t ${i}" (id int); INSERT INTO "Odd ""s"."t ${i}" SELECT generate_series(1, ${i % 7});`
    }
    sql +=
      'CREATE TABLE "Odd ""s".child () INHERITS ("Odd ""s"."t 3"); INSERT INTO "Odd ""s".child VALUES (1), (2);'
    await server.query(db, sql)
    const asked = Array.from({ length: 230 }, (_, i) => ({ schema: 'Odd "s', name: `t ${i}` }))
    asked.splice(150, 0, { schema: 'Odd "s', name: 'not there' })
    asked.push({ schema: 'nowhere', name: 't 1' })
    const client = new pg.Client({ connectionString: server.url(db) })
    await client.connect()
    try {
      const counts = await countRows(client, asked)
      expect(counts.map(c => [c.schema, c.name])).toEqual(asked.map(t => [t.schema, t.name]))
      expect(counts.map(c => c.rows)).toEqual(
        asked.map(t =>
          t.name.startsWith('t ') && t.schema !== 'nowhere' ? Number(t.name.slice(2)) % 7 : -1
        )
      )
      const existing = await existingTables(client, ['Odd "s'])
      // ordered by name: child, "t 0", "t 1", "t 10", …
      const names = [
        'child',
        ...asked
          .filter(t => t.schema === 'Odd "s' && t.name !== 'not there')
          .map(t => t.name)
          .sort()
      ]
      expect(existing.map(t => t.name)).toEqual(names)
      expect(existing.filter(t => !t.estimated).map(t => [t.name, t.rows])).toEqual(
        names.slice(0, 50).map(n => [n, n === 'child' ? 2 : Number(n.slice(2)) % 7])
      )
      expect(existing.slice(50).every(t => t.estimated)).toBe(true)
    } finally {
      await client.end()
    }
  }, 60_000)

  it('a partitioned table is listed as one whose rows are its partitions, not as empty (trial u19 F3)', async () => {
    const server = harness.server
    const db = await server.createDatabase()
    await server.query(
      db,
      `CREATE SCHEMA sales;
       CREATE TABLE sales.orders (id int, y int) PARTITION BY RANGE (y);
       CREATE TABLE sales.orders_2024 PARTITION OF sales.orders FOR VALUES FROM (2024) TO (2025);
       INSERT INTO sales.orders SELECT g, 2024 FROM generate_series(1, 5) g;`
    )
    const client = new pg.Client({ connectionString: server.url(db) })
    await client.connect()
    try {
      const existing = await existingTables(client, ['sales'])
      expect(describeTables(existing)).toBe(
        'sales.orders (partitioned: its rows are in its partitions), sales.orders_2024 (5 rows)'
      )
    } finally {
      await client.end()
    }
  })
})
