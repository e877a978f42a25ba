/**
 * Archive names as its table of contents holds them (attacker a87 F1: clean said a table named
 * "a\nb" was not in the backup and stayed as it was, left it out of the row-loss warning, then
 * dropped and reloaded it), and a data entry whose COPY names another table (a87 F3: its rows
 * went into the target's victim.e, the run said "0 rows restored") — refused before anything
 * runs; pg_dump --load-via-partition-root's COPY into the root still restores. With a selection
 * (tables, data-only) the root holds only where the restore creates it with the partition's
 * ATTACH, or the target's is partitioned with the entry's table as a partition (attacker a89 F3:
 * --tables child loaded child's rows into the target's plain auth.users, "0 rows" said).
 */
import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { useHarness } from '../support/harness.js'
import { testRestoreInputs } from '../support/inputs.js'
import { logOf } from '../support/log-capture.js'

const harness = useHarness({ name: 'toc-names' })

/** A line break as the log shows it: raw in an info line, %0A in a workflow command's data. */
const NL = '(?:\\n|%0A)'

function pgDump(db: string, file: string, args: string[] = []): void {
  const server = harness.server
  execFileSync(path.join(server.binDir, 'pg_dump'), ['-Fc', ...args, '-f', file, db], {
    env: server.env(db)
  })
}

describe('archive names with a line break, a space', () => {
  it('clean names "a\\nb" among the tables it replaces, quoted, with its rows, and warns of them', async () => {
    const server = harness.server
    const source = await server.createDatabase()
    await server.query(
      source,
      `CREATE TABLE "a\nb" (id int); INSERT INTO "a\nb" VALUES (1);
       CREATE TABLE "a b" (id int); INSERT INTO "a b" VALUES (1);
       CREATE TABLE plain (id int); INSERT INTO plain VALUES (1);`
    )
    const file = path.join(harness.work, 'nl.dump')
    pgDump(source, file)
    const target = await server.createDatabase()
    const backup = { kind: 'file' as const, path: file }
    await harness.restore(testRestoreInputs(server.url(target), backup))
    await server.query(
      target,
      `INSERT INTO "a\nb" VALUES (2), (3); INSERT INTO "a b" VALUES (2), (3);`
    )
    const { lines } = await logOf(() =>
      harness.restore(testRestoreInputs(server.url(target), backup, { clean: true }))
    )
    expect(lines).not.toMatch(/is not in the backup and stays as it is/)
    expect(lines).toMatch(
      new RegExp(
        `clean replaces 3 tables of the target that hold rows now: public\\."a${NL}b" \\(3 rows\\), public\\."a b" \\(3 rows\\), public\\.plain \\(1 row\\)`
      )
    )
    expect(
      await server.query(
        target,
        `SELECT (SELECT count(*)::int FROM "a\nb") AS n, (SELECT count(*)::int FROM "a b") AS s`
      )
    ).toEqual([{ n: 1, s: 1 }])
    for (const db of [source, target]) await server.dropDatabase(db)
  }, 120_000)
})

describe("a data entry whose COPY names a table other than the entry's", () => {
  it('is refused before anything runs, naming both; the target is unchanged', async () => {
    const server = harness.server
    const source = await server.createDatabase()
    await server.query(
      source,
      `CREATE TABLE public.t (id int, v text); INSERT INTO public.t VALUES (1, 'a'), (2, 'b');`
    )
    const file = path.join(harness.work, 'a.dump')
    pgDump(source, file, ['-Z0'])
    const bytes = readFileSync(file)
    const from = Buffer.from('COPY public.t (id, v) FROM stdin;')
    const to = Buffer.from('COPY victim.e (id, v) FROM stdin;')
    const at = bytes.indexOf(from)
    expect(at).toBeGreaterThan(0)
    to.copy(bytes, at)
    const swapped = path.join(harness.work, 'swap_e.dump')
    writeFileSync(swapped, bytes)
    const target = await server.createDatabase()
    await server.query(
      target,
      `CREATE SCHEMA victim; CREATE TABLE victim.t (id int, v text); INSERT INTO victim.t VALUES (9, 'z');
       CREATE TABLE victim.e (id int, v text);`
    )
    await expect(
      harness.restore(
        testRestoreInputs(
          server.url(target),
          { kind: 'file', path: swapped },
          { allowNonEmpty: true }
        )
      )
    ).rejects.toThrow(
      /\(TABLE DATA public\.t\) holds the rows of public\.t, but its COPY statement names another table, victim\.e .*the archive was altered or is not pg_dump's; pg_restore would load its rows into victim\.e\. Nothing was restored\./
    )
    expect(
      await server.query(
        target,
        `SELECT (SELECT count(*)::int FROM victim.e) AS e, (SELECT count(*)::int FROM victim.t) AS t, to_regclass('public.t') IS NULL AS none`
      )
    ).toEqual([{ e: 0, t: 1, none: true }])
    for (const db of [source, target]) await server.dropDatabase(db)
  }, 120_000)

  it.each([
    [
      'names another partition',
      'ALTER TABLE ONLY public.m ATTACH PARTITION public.u FOR VALUES IN (1, 2);'
    ],
    ['is a comment only', `--${' '.repeat(70)};`]
  ])(
    'a COPY into the root where the partition’s TABLE ATTACH statement %s (its dependencies unchanged): refused before anything runs (attacker a88)',
    async (_, attach) => {
      const server = harness.server
      const source = await server.createDatabase()
      await server.query(
        source,
        `CREATE TABLE public.m (id int, v text) PARTITION BY LIST (id);
         CREATE TABLE public.t PARTITION OF public.m FOR VALUES IN (1, 2);
         CREATE TABLE public.u PARTITION OF public.m FOR VALUES IN (3);
         INSERT INTO public.m VALUES (1, 'a'), (2, 'b'), (3, 'c');`
      )
      const file = path.join(harness.work, 'attach.dump')
      pgDump(source, file, ['-Z0'])
      const bytes = readFileSync(file)
      // same-length edits: the partition's COPY into its root, its ATTACH statement replaced
      for (const [from, to] of [
        ['COPY public.t (id, v) FROM stdin;', 'COPY public.m (id, v) FROM stdin;'],
        ['ALTER TABLE ONLY public.m ATTACH PARTITION public.t FOR VALUES IN (1, 2);', attach]
      ]) {
        expect(to.length).toBe(from.length)
        const at = bytes.indexOf(Buffer.from(from))
        expect(at).toBeGreaterThan(0)
        Buffer.from(to).copy(bytes, at)
      }
      const edited = path.join(harness.work, 'attach-edited.dump')
      writeFileSync(edited, bytes)
      const target = await server.createDatabase()
      await expect(
        harness.restore(testRestoreInputs(server.url(target), { kind: 'file', path: edited }))
      ).rejects.toThrow(
        /\(TABLE DATA public\.t\) holds the rows of public\.t, but its COPY statement names another table, public\.m .*Nothing was restored\./
      )
      expect(
        await server.query(
          target,
          "SELECT count(*)::int AS n FROM pg_class WHERE relnamespace = 'public'::regnamespace"
        )
      ).toEqual([{ n: 0 }])
      for (const db of [source, target]) await server.dropDatabase(db)
    },
    120_000
  )

  it('pg_dump --load-via-partition-root (a COPY into the root, partitions two deep, odd names) restores', async () => {
    const server = harness.server
    const source = await server.createDatabase()
    await server.query(
      source,
      `CREATE TABLE m (id int, y int) PARTITION BY RANGE (y);
       CREATE TABLE m1 PARTITION OF m FOR VALUES FROM (0) TO (10);
       CREATE TABLE m2 PARTITION OF m FOR VALUES FROM (10) TO (20) PARTITION BY RANGE (y);
       CREATE TABLE m2a PARTITION OF m2 FOR VALUES FROM (10) TO (15);
       CREATE TABLE "Odd x" (id int, y int) PARTITION BY LIST (y);
       CREATE TABLE "Odd x_1" PARTITION OF "Odd x" FOR VALUES IN (1);
       INSERT INTO m SELECT g, g FROM generate_series(0, 14) g; INSERT INTO "Odd x" VALUES (1, 1);`
    )
    const file = path.join(harness.work, 'root.dump')
    pgDump(source, file, ['--load-via-partition-root'])
    const target = await server.createDatabase()
    const { lines } = await logOf(() =>
      harness.restore(testRestoreInputs(server.url(target), { kind: 'file', path: file }))
    )
    expect(lines).toMatch(/3 tables, 16 rows restored/)
    expect(
      await server.query(
        target,
        `SELECT (SELECT count(*)::int FROM m2a) AS a, (SELECT count(*)::int FROM m) AS m, (SELECT count(*)::int FROM "Odd x_1") AS o`
      )
    ).toEqual([{ a: 5, m: 15, o: 1 }])
    for (const db of [source, target]) await server.dropDatabase(db)
  }, 120_000)
})

describe("a partition's COPY into its root, with a selection (attacker a89 F3)", () => {
  it.each([
    // kid created by the restore, a table of its own
    ['tables: kid', { tables: ['kid'] }, ''],
    // data-only: the target has a plain kid (data-only fills only tables the target has)
    [
      'tables: kid, data-only',
      { tables: ['kid'], dataOnly: true },
      'CREATE TABLE kid (id int, email text);'
    ]
  ])(
    "an ATTACH naming the target's plain auth.users as kid's parent, left out by %s: refused before anything runs",
    async (_, selection, kidTable) => {
      const server = harness.server
      const source = await server.createDatabase()
      await server.query(
        source,
        `CREATE SCHEMA auth; CREATE TABLE auth.users (id int, email text);
         CREATE TABLE pp1 (id int, email text) PARTITION BY LIST (id);
         CREATE TABLE kid PARTITION OF pp1 FOR VALUES IN (1);
         INSERT INTO pp1 VALUES (1, 'evil@attacker.example');`
      )
      const file = path.join(harness.work, 'kid.dump')
      pgDump(source, file, ['-Z0'])
      const bytes = readFileSync(file)
      // same-length edits: kid's COPY into auth.users, its ATTACH naming auth.users its parent
      for (const [from, to] of [
        ['COPY public.kid (id, email) FROM stdin;', 'COPY auth.users (id, email) FROM stdin;'],
        [
          'ALTER TABLE ONLY public.pp1 ATTACH PARTITION public.kid FOR VALUES IN (1);',
          'ALTER TABLE ONLY auth.users ATTACH PARTITION public.kid FOR VALUES IN (1);'
        ]
      ]) {
        expect(to.length).toBe(from.length)
        const at = bytes.indexOf(Buffer.from(from))
        expect(at).toBeGreaterThan(0)
        Buffer.from(to).copy(bytes, at)
      }
      const edited = path.join(harness.work, 'kid-edited.dump')
      writeFileSync(edited, bytes)
      const target = await server.createDatabase()
      await server.query(
        target,
        `CREATE SCHEMA auth; CREATE TABLE auth.users (id int, email text); ${kidTable}`
      )
      await expect(
        harness.restore(
          testRestoreInputs(
            server.url(target),
            { kind: 'file', path: edited },
            { allowNonEmpty: true, ...selection }
          )
        )
      ).rejects.toThrow(
        /\(TABLE DATA public\.kid\) holds the rows of public\.kid, but its COPY statement names another table, auth\.users .*pg_restore would load the rows of public\.kid into auth\.users as it is\. Nothing was restored\./
      )
      expect(
        await server.query(
          target,
          `SELECT (SELECT count(*)::int FROM auth.users) AS users, to_regclass('public.kid') IS NULL AS none`
        )
      ).toEqual([{ users: 0, none: kidTable === '' }])
      for (const db of [source, target]) await server.dropDatabase(db)
    },
    120_000
  )

  it('pg_dump --load-via-partition-root with tables: one partition, data-only, into a target that has the partitioned table: its rows go through the root', async () => {
    const server = harness.server
    const source = await server.createDatabase()
    const ddl = `CREATE TABLE m (id int, y int) PARTITION BY RANGE (y);
       CREATE TABLE m1 PARTITION OF m FOR VALUES FROM (0) TO (10);
       CREATE TABLE m2 PARTITION OF m FOR VALUES FROM (10) TO (20) PARTITION BY RANGE (y);
       CREATE TABLE m2a PARTITION OF m2 FOR VALUES FROM (10) TO (15);`
    await server.query(source, `${ddl} INSERT INTO m SELECT g, g FROM generate_series(0, 14) g;`)
    const file = path.join(harness.work, 'root-one.dump')
    pgDump(source, file, ['--load-via-partition-root'])
    const backup = { kind: 'file' as const, path: file }
    const target = await server.createDatabase()
    await server.query(target, ddl)
    const { lines } = await logOf(() =>
      harness.restore(
        testRestoreInputs(server.url(target), backup, { tables: ['m2a'], dataOnly: true })
      )
    )
    expect(lines).toMatch(/5 rows restored/)
    expect(
      await server.query(
        target,
        `SELECT (SELECT count(*)::int FROM m2a) AS a, (SELECT count(*)::int FROM m) AS m`
      )
    ).toEqual([{ a: 5, m: 5 }])
    // the partition's table not a partition of the target's m: refused, nothing loaded
    const plain = await server.createDatabase()
    await server.query(
      plain,
      'CREATE TABLE m (id int, y int) PARTITION BY RANGE (y); CREATE TABLE m1 (id int, y int);'
    )
    await expect(
      harness.restore(
        testRestoreInputs(server.url(plain), backup, { tables: ['m1'], dataOnly: true })
      )
    ).rejects.toThrow(
      /\(TABLE DATA public\.m1\) .*names another table, public\.m .*the target's public\.m is not a partitioned table with public\.m1 among its partitions.*Nothing was restored\./
    )
    expect(await server.query(plain, 'SELECT count(*)::int AS n FROM m1')).toEqual([{ n: 0 }])
    // the whole backup (its ATTACH entries restored with the root) into an empty database
    const whole = await server.createDatabase()
    await harness.restore(testRestoreInputs(server.url(whole), backup))
    expect(
      await server.query(
        whole,
        `SELECT (SELECT count(*)::int FROM m1) AS one, (SELECT count(*)::int FROM m) AS m`
      )
    ).toEqual([{ one: 10, m: 15 }])
    for (const db of [source, target, plain, whole]) await server.dropDatabase(db)
  }, 120_000)
})
