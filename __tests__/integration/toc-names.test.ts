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

describe('pg_dump --data-only --load-via-partition-root: no CREATE TABLE nor ATTACH, a COPY into the root (b17 "Not run")', () => {
  const ddl = `CREATE SCHEMA other;
     CREATE TABLE m (id int, v text) PARTITION BY LIST (id);
     CREATE TABLE m1 PARTITION OF m FOR VALUES IN (1, 2);
     CREATE TABLE m2 PARTITION OF m FOR VALUES IN (3, 4, 5) PARTITION BY LIST (id);
     CREATE TABLE m2a PARTITION OF m2 FOR VALUES IN (3, 4);
     CREATE TABLE m2b PARTITION OF m2 FOR VALUES IN (5);
     CREATE TABLE other.m3 PARTITION OF m FOR VALUES IN (6);
     CREATE TABLE plain (id int);`
  const counts = `SELECT (SELECT count(*)::int FROM ONLY m1) AS m1, (SELECT count(*)::int FROM ONLY m2a) AS m2a,
       (SELECT count(*)::int FROM ONLY m2b) AS m2b, (SELECT count(*)::int FROM ONLY other.m3) AS m3,
       (SELECT count(*)::int FROM plain) AS plain`
  const none = { m1: 0, m2a: 0, m2b: 0, m3: 0, plain: 0 }

  async function dataOnlyArchive(): Promise<{ source: string; file: string }> {
    const server = harness.server
    const source = await server.createDatabase()
    await server.query(
      source,
      `${ddl} INSERT INTO m SELECT g % 6 + 1, 'r' || g FROM generate_series(1, 60) g;
       INSERT INTO plain VALUES (1);`
    )
    const file = path.join(harness.work, 'lvr-data-only.dump')
    pgDump(source, file, ['-Z0', '--data-only', '--load-via-partition-root'])
    // as pg_dump writes it: every partition's COPY names the root, no TABLE or ATTACH entry
    const bytes = readFileSync(file)
    expect(bytes.indexOf(Buffer.from('COPY public.m1 '))).toBe(-1)
    expect(bytes.indexOf(Buffer.from('ATTACH PARTITION'))).toBe(-1)
    expect(bytes.indexOf(Buffer.from('COPY public.m (id, v) FROM stdin;'))).toBeGreaterThan(0)
    return { source, file }
  }

  it('into a migrated target (the same partitioned tree, empty): the rows go through the root into their partitions; tables: m1 loads m1 only', async () => {
    const server = harness.server
    const { source, file } = await dataOnlyArchive()
    const backup = { kind: 'file' as const, path: file }
    const target = await server.createDatabase()
    await server.query(target, ddl)
    const { lines } = await logOf(() =>
      harness.restore(testRestoreInputs(server.url(target), backup, { dataOnly: true }))
    )
    expect(lines).toMatch(/5 tables, 61 rows restored/)
    expect(await server.query(target, counts)).toEqual([
      { m1: 20, m2a: 20, m2b: 10, m3: 10, plain: 1 }
    ])
    const one = await server.createDatabase()
    await server.query(one, ddl)
    await harness.restore(
      testRestoreInputs(server.url(one), backup, { dataOnly: true, tables: ['m1'] })
    )
    expect(await server.query(one, counts)).toEqual([{ ...none, m1: 20 }])
    for (const db of [source, target, one]) await server.dropDatabase(db)
  }, 120_000)

  it.each([
    [
      'm a plain table',
      'CREATE SCHEMA other; CREATE TABLE m (id int, v text); CREATE TABLE m1 (id int, v text); CREATE TABLE m2a (id int, v text); CREATE TABLE m2b (id int, v text); CREATE TABLE other.m3 (id int, v text); CREATE TABLE plain (id int);',
      {},
      'other\\.m3'
    ],
    [
      'm partitioned, m1 not its partition (tables: m1)',
      `CREATE SCHEMA other; CREATE TABLE m (id int, v text) PARTITION BY LIST (id);
       CREATE TABLE mx PARTITION OF m FOR VALUES IN (1, 2); CREATE TABLE m1 (id int, v text);
       CREATE TABLE m2a (id int, v text); CREATE TABLE m2b (id int, v text); CREATE TABLE other.m3 (id int, v text); CREATE TABLE plain (id int);`,
      { tables: ['m1'] },
      'public\\.m1'
    ]
  ])(
    'into a target with %s: refused before anything runs, the target unchanged',
    async (_, targetDdl, selection, own) => {
      const server = harness.server
      const { source, file } = await dataOnlyArchive()
      const target = await server.createDatabase()
      await server.query(target, targetDdl)
      await expect(
        harness.restore(
          testRestoreInputs(
            server.url(target),
            { kind: 'file', path: file },
            { dataOnly: true, ...selection }
          )
        )
      ).rejects.toThrow(
        new RegExp(
          `\\(TABLE DATA ${own}\\) holds the rows of ${own}, but its COPY statement names another table, public\\.m .*the target's public\\.m is not a partitioned table with ${own} among its partitions.*Nothing was restored\\.`
        )
      )
      expect(
        await server.query(
          target,
          `SELECT (SELECT count(*)::int FROM m) AS m, ${counts.slice('SELECT '.length)}`
        )
      ).toEqual([{ m: 0, ...none }])
      for (const db of [source, target]) await server.dropDatabase(db)
    },
    120_000
  )

  it.each([
    ['auth.users', 'COPY auth.users (id, email) FROM stdin;'],
    ['another table, victim.abc', 'COPY victim.abc (id, email) FROM stdin;']
  ])(
    'a --data-only archive whose COPY was edited to name %s: still refused before anything runs',
    async (_, to) => {
      const server = harness.server
      const source = await server.createDatabase()
      await server.query(
        source,
        `CREATE TABLE public.kid (id int, email text); INSERT INTO kid VALUES (1, 'evil@attacker.example');`
      )
      const file = path.join(harness.work, 'kid-data-only.dump')
      pgDump(source, file, ['-Z0', '--data-only'])
      const bytes = readFileSync(file)
      const from = 'COPY public.kid (id, email) FROM stdin;'
      expect(to.length).toBe(from.length)
      const at = bytes.indexOf(Buffer.from(from))
      expect(at).toBeGreaterThan(0)
      Buffer.from(to).copy(bytes, at)
      const edited = path.join(harness.work, 'kid-data-only-edited.dump')
      writeFileSync(edited, bytes)
      const target = await server.createDatabase()
      await server.query(
        target,
        `CREATE SCHEMA auth; CREATE TABLE auth.users (id int, email text);
         CREATE SCHEMA victim; CREATE TABLE victim.abc (id int, email text);
         CREATE TABLE kid (id int, email text);`
      )
      const copied = to.slice('COPY '.length, to.indexOf(' ', 'COPY '.length))
      for (const selection of [{}, { tables: ['kid'] }])
        await expect(
          harness.restore(
            testRestoreInputs(
              server.url(target),
              { kind: 'file', path: edited },
              { dataOnly: true, ...selection }
            )
          )
        ).rejects.toThrow(
          new RegExp(
            `\\(TABLE DATA public\\.kid\\) holds the rows of public\\.kid, but its COPY statement names another table, ${copied.replace('.', '\\.')} .*Nothing was restored\\.`
          )
        )
      expect(
        await server.query(
          target,
          `SELECT (SELECT count(*)::int FROM auth.users) AS users, (SELECT count(*)::int FROM victim.abc) AS e, (SELECT count(*)::int FROM kid) AS kid`
        )
      ).toEqual([{ users: 0, e: 0, kid: 0 }])
      for (const db of [source, target]) await server.dropDatabase(db)
    },
    120_000
  )
})

describe('pg_dump -t <partition> --load-via-partition-root: the partition attached to the target’s partitioned table (b22)', () => {
  const sourceDdl = `CREATE TABLE meas (id int, d date, v text) PARTITION BY RANGE (d);
     CREATE TABLE meas_2024 PARTITION OF meas FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
     CREATE TABLE meas_2025 PARTITION OF meas FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
     INSERT INTO meas VALUES (1, '2024-05-01', 'a'), (2, '2025-05-01', 'b');`
  const targetDdl = `CREATE TABLE meas (id int, d date, v text) PARTITION BY RANGE (d);
     CREATE TABLE meas_2025 PARTITION OF meas FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');`

  async function partitionArchive(): Promise<{ source: string; file: string }> {
    const server = harness.server
    const source = await server.createDatabase()
    await server.query(source, sourceDdl)
    const file = path.join(harness.work, 'meas-2024.dump')
    pgDump(source, file, ['-t', 'public.meas_2024', '--load-via-partition-root'])
    return { source, file }
  }

  it("restores as pg_restore by hand does: meas_2024 created, attached to the target's meas, its row in it", async () => {
    const server = harness.server
    const { source, file } = await partitionArchive()
    const backup = { kind: 'file' as const, path: file }
    const target = await server.createDatabase()
    await server.query(target, targetDdl)
    // the target holds tables (meas, meas_2025): refused as not empty, saying why and what to do
    await expect(harness.restore(testRestoreInputs(server.url(target), backup))).rejects.toThrow(
      /is not empty: .*The backup is public\.meas_2024, attached by its ATTACH PARTITION to the target's public\.meas .*allow-non-empty/
    )
    const { lines } = await logOf(() =>
      harness.restore(testRestoreInputs(server.url(target), backup, { allowNonEmpty: true }))
    )
    expect(lines).toMatch(/1 table, 1 row restored/)
    expect(lines).toMatch(
      /The backup attaches public\.meas_2024 to the target's public\.meas .*1 other partition \(public\.meas_2025\)/
    )
    expect(
      await server.query(target, 'SELECT tableoid::regclass::text AS part, id, v FROM meas')
    ).toEqual([{ part: 'meas_2024', id: 1, v: 'a' }])
    for (const db of [source, target]) await server.dropDatabase(db)
  }, 120_000)

  it("into a target that holds rows (its other partition's, and a table of its own: a Supabase project's auth.users): restored, the target's rows as they were (attacker a92 F2: refused whenever the target held rows)", async () => {
    const server = harness.server
    const { source, file } = await partitionArchive()
    const target = await server.createDatabase()
    await server.query(
      target,
      `${targetDdl}
       INSERT INTO meas VALUES (7, '2025-07-01', 'target');
       CREATE TABLE users (id int PRIMARY KEY, email text); INSERT INTO users VALUES (1, 'kept@example.com');`
    )
    const { lines } = await logOf(() =>
      harness.restore(
        testRestoreInputs(server.url(target), { kind: 'file', path: file }, { allowNonEmpty: true })
      )
    )
    expect(lines).toMatch(/1 table, 1 row restored/)
    expect(
      await server.query(
        target,
        'SELECT tableoid::regclass::text AS part, id, v FROM meas ORDER BY id'
      )
    ).toEqual([
      { part: 'meas_2024', id: 1, v: 'a' },
      { part: 'meas_2025', id: 7, v: 'target' }
    ])
    expect(await server.query(target, 'SELECT id, email FROM users')).toEqual([
      { id: 1, email: 'kept@example.com' }
    ])
    for (const db of [source, target]) await server.dropDatabase(db)
  }, 120_000)

  it.each([
    [
      'a plain table',
      'CREATE TABLE meas (id int, d date, v text);',
      "The target's public\\.meas is a table \\(not partitioned\\): pg_restore would fail on the ATTACH PARTITION"
    ],
    // pg_restore by hand fails too: 'relation "public.meas" does not exist' on the ATTACH
    [
      'absent',
      '',
      'The target has no public\\.meas: pg_restore would fail on the ATTACH PARTITION \\(relation public\\.meas does not exist\\)'
    ]
  ])(
    'into a target whose meas is %s: refused before anything runs, the target unchanged',
    async (_, ddl, what) => {
      const server = harness.server
      const { source, file } = await partitionArchive()
      const target = await server.createDatabase()
      if (ddl) await server.query(target, ddl)
      await expect(
        harness.restore(
          testRestoreInputs(
            server.url(target),
            { kind: 'file', path: file },
            { allowNonEmpty: true }
          )
        )
      ).rejects.toThrow(
        new RegExp(
          `entry \\d+ \\(TABLE DATA public\\.meas_2024\\) holds the rows of public\\.meas_2024, but its COPY statement names public\\.meas .*which the backup does not create.*${what}.*Nothing was restored\\. Restore into a target whose public\\.meas is a partitioned table`
        )
      )
      expect(
        await server.query(target, "SELECT to_regclass('public.meas_2024') IS NULL AS none")
      ).toEqual([{ none: true }])
      if (ddl)
        expect(await server.query(target, 'SELECT count(*)::int AS n FROM meas')).toEqual([
          { n: 0 }
        ])
      for (const db of [source, target]) await server.dropDatabase(db)
    },
    120_000
  )

  it('a sub-partitioned partition dumped alone (its leaves’ COPY into the root): attached, each row in its leaf', async () => {
    const server = harness.server
    const source = await server.createDatabase()
    await server.query(
      source,
      `CREATE TABLE meas (id int, d date, v text) PARTITION BY RANGE (d);
       CREATE TABLE meas_2024 PARTITION OF meas FOR VALUES FROM ('2024-01-01') TO ('2025-01-01') PARTITION BY LIST (id);
       CREATE TABLE meas_2024_a PARTITION OF meas_2024 FOR VALUES IN (1);
       CREATE TABLE meas_2024_b PARTITION OF meas_2024 FOR VALUES IN (2);
       CREATE TABLE meas_2025 PARTITION OF meas FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
       INSERT INTO meas VALUES (1, '2024-05-01', 'a'), (2, '2024-06-01', 'b'), (3, '2025-05-01', 'c');`
    )
    const file = path.join(harness.work, 'meas-2024-tree.dump')
    pgDump(source, file, ['-Z0', '-t', 'public.meas_2024*', '--load-via-partition-root'])
    // as pg_dump writes it: the leaves' COPY names the root it leaves out
    const bytes = readFileSync(file)
    expect(bytes.indexOf(Buffer.from('COPY public.meas_2024_a '))).toBe(-1)
    expect(
      bytes.indexOf(Buffer.from('ALTER TABLE ONLY public.meas ATTACH PARTITION public.meas_2024 '))
    ).toBeGreaterThan(0)
    const target = await server.createDatabase()
    await server.query(target, targetDdl)
    const { lines } = await logOf(() =>
      harness.restore(
        testRestoreInputs(server.url(target), { kind: 'file', path: file }, { allowNonEmpty: true })
      )
    )
    expect(lines).toMatch(/2 tables, 2 rows restored/)
    expect(
      await server.query(
        target,
        'SELECT tableoid::regclass::text AS part, id FROM meas ORDER BY id'
      )
    ).toEqual([
      { part: 'meas_2024_a', id: 1 },
      { part: 'meas_2024_b', id: 2 }
    ])
    for (const db of [source, target]) await server.dropDatabase(db)
  }, 120_000)
})
