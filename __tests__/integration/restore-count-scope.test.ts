/**
 * The row-count check after a restore counts the backup's own tables only: a table of another
 * role next to them (allow-non-empty, a shared database) is neither listed nor read, and a table
 * of the backup the restoring role may not read (its privileges revoked by the backup itself)
 * is reported as not counted, not a failure of a restore that committed.
 */
import { describe, expect, it } from '@jest/globals'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { useHarness } from '../support/harness.js'
import { testBackupInputs, testRestoreInputs } from '../support/inputs.js'
import { logOf } from '../support/log-capture.js'
import { currentRunArtifact } from '../support/sources.js'

const harness = useHarness({ name: 'restore-count-scope' })

const ROLE = 'count_restorer'
const PASSWORD = 'count-pw-16'

describe('row counts after a restore into a shared, non-empty target', () => {
  it.each<['with a manifest-less script of INSERTs'] | ['with COPY']>([
    ['with a manifest-less script of INSERTs'],
    ['with COPY']
  ])(
    "counts only the backup's tables, %s; one the role may not read is 'not counted: permission denied'",
    async kind => {
      const server = harness.server
      const target = await server.createDatabase()
      await server.query(
        'postgres',
        `DO $$BEGIN CREATE ROLE ${ROLE} LOGIN PASSWORD '${PASSWORD}'; EXCEPTION WHEN duplicate_object THEN NULL; END$$;
         DO $$BEGIN CREATE ROLE count_other NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END$$;`
      )
      // another role's tables in public: one the restoring role may not read, one it may
      await server.query(
        target,
        `GRANT CREATE ON SCHEMA public TO ${ROLE};
         CREATE TABLE public.theirs (id int); INSERT INTO public.theirs SELECT generate_series(1, 7);
         ALTER TABLE public.theirs OWNER TO count_other;
         REVOKE ALL ON public.theirs FROM PUBLIC;
         CREATE TABLE public.shared (id int); INSERT INTO public.shared VALUES (1), (2), (3);
         ALTER TABLE public.shared OWNER TO count_other;
         GRANT SELECT ON public.shared TO PUBLIC;`
      )
      const data =
        kind === 'with COPY'
          ? `COPY public.mine (id) FROM stdin;\n1\n2\n\\.\nCOPY public.locked (id) FROM stdin;\n1\n\\.\n`
          : `INSERT INTO public.mine VALUES (1);\nINSERT INTO public.mine VALUES (2);\nINSERT INTO public.locked VALUES (1);\n`
      const file = path.join(harness.work, `count-scope-${kind.length}.sql`)
      writeFileSync(
        file,
        `CREATE TABLE public.mine (id integer);\nCREATE TABLE public.locked (id integer);\n${data}REVOKE ALL ON TABLE public.locked FROM ${ROLE};\n`
      )
      const messages: string[] = []
      const write = process.stdout.write.bind(process.stdout)
      process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
        messages.push(String(chunk))
        return write(chunk, ...rest)
      }) as typeof process.stdout.write
      let result
      try {
        result = await harness.restore(
          testRestoreInputs(
            server.url(target, { user: ROLE, password: PASSWORD }),
            { kind: 'file', path: file },
            { allowNonEmpty: true }
          )
        )
      } finally {
        process.stdout.write = write
      }
      expect(result.tables.map(t => [`${t.schema}.${t.name}`, t.rows])).toEqual([
        ['public.mine', 2]
      ])
      expect(result.rowsRestored).toBe(2)
      expect(messages.join('')).toMatch(/public\.locked: not counted: permission denied/)
      // the other role's tables are not the backup's: neither counted nor said to be uncounted
      expect(messages.join('')).not.toMatch(/public\.theirs: not counted/)
      // the restore committed: the rows are there (read as the superuser)
      expect(await server.query(target, 'SELECT count(*)::int AS n FROM public.locked')).toEqual([
        { n: 1 }
      ])
      await server.dropDatabase(target)
    },
    60_000
  )
})

describe('row counts of a name the backup made a view after loading its rows', () => {
  // attacker a68 F1: the count after COMMIT selected from the view, running the backup's
  // function as the restoring role outside the restore's transaction, past the net: it emptied
  // the target's own table. psql by hand never selects from it.
  it.each<['a view in its place'] | ['an ON SELECT rule (PostgreSQL 15 and older)']>([
    ['a view in its place'],
    ['an ON SELECT rule (PostgreSQL 15 and older)']
  ])(
    '%s: not read; the restore says what the name is now; the target keeps its own rows',
    async how => {
      const server = harness.server
      const target = await server.createDatabase()
      await server.query(
        target,
        `CREATE SCHEMA keep;
         CREATE TABLE keep.ledger (id int); INSERT INTO keep.ledger VALUES (42);
         CREATE TABLE public.users (id int); INSERT INTO public.users VALUES (1), (2), (3);`
      )
      const replace =
        how === 'a view in its place'
          ? 'DROP TABLE public.bk;\nCREATE VIEW public.bk AS SELECT public.evil() AS a;\n'
          : 'CREATE RULE "_RETURN" AS ON SELECT TO public.bk DO INSTEAD SELECT public.evil() AS a;\n'
      const file = path.join(harness.work, `count-view-${how.length}.sql`)
      writeFileSync(
        file,
        `CREATE TABLE public.bk (a integer);\nCREATE FUNCTION public.evil() RETURNS integer LANGUAGE plpgsql AS $$ BEGIN DELETE FROM public.users; UPDATE keep.ledger SET id = -1; RETURN 1; END $$;\nCOPY public.bk (a) FROM stdin;\n\\.\n${replace}`
      )
      const failed = await harness
        .restore(
          testRestoreInputs(
            server.url(target),
            { kind: 'file', path: file },
            { allowNonEmpty: true }
          )
        )
        .then(
          () => undefined,
          (error: Error) => error
        )
      // the DROP of the table its rows went into is refused before anything runs now (it drops
      // after the script wrote rows: attacker a96 F3); the ON SELECT rule still reaches the count
      expect(failed?.message).toMatch(
        how === 'a view in its place'
          ? /"DROP TABLE public\.bk;" \(it drops after the script wrote rows/
          : /public\.bk, where the backup's rows went, is no table now but a view: .*Not read/
      )
      expect(
        await server.query(
          target,
          'SELECT (SELECT count(*) FROM public.users)::int AS users, (SELECT id FROM keep.ledger) AS ledger'
        )
      ).toEqual([{ users: 3, ledger: 42 }])
      await server.dropDatabase(target)
    },
    60_000
  )
})

describe('row counts of tables whose row-level security applies to the restoring role', () => {
  // trial u25 F2: the restoring role owns the restored tables, and FORCE ROW LEVEL SECURITY puts
  // it under their policies: its count said "0 rows, the manifest says 300" and failed a restore
  // whose rows were all there ("the backup is not what its manifest says")
  it.each<['custom' | 'plain' | 'directory']>([['custom'], ['plain'], ['directory']])(
    '%s: FORCE and a policy that hides every row from the owner — not counted (said why), the others compared; the rows are all there',
    async format => {
      const server = harness.server
      const role = 'rls_owner'
      await server.query(
        'postgres',
        `DO $$BEGIN CREATE ROLE ${role} LOGIN PASSWORD 'rls-pw-25'; EXCEPTION WHEN duplicate_object THEN NULL; END$$;`
      )
      const source = await server.createDatabase()
      await server.query(
        source,
        `CREATE TABLE public.notes (id int PRIMARY KEY, tenant text NOT NULL, body text);
         INSERT INTO public.notes SELECT g, 't' || (g % 3), 'note ' || g FROM generate_series(1, 300) g;
         ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;
         ALTER TABLE public.notes FORCE ROW LEVEL SECURITY;
         CREATE POLICY tenant_only ON public.notes USING (tenant = current_setting('app.tenant', true));
         CREATE SCHEMA part;
         CREATE TABLE part.events (id int, at date NOT NULL) PARTITION BY RANGE (at);
         CREATE TABLE part.events_2025 PARTITION OF part.events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
         CREATE TABLE part.events_2026 PARTITION OF part.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
         INSERT INTO part.events SELECT g, DATE '2025-06-01' + g FROM generate_series(1, 400) g;
         ALTER TABLE part.events_2026 ENABLE ROW LEVEL SECURITY;
         ALTER TABLE part.events_2026 FORCE ROW LEVEL SECURITY;
         CREATE TABLE public.plain (id int); INSERT INTO public.plain SELECT generate_series(1, 5);`
      )
      const name = `rls-force-${format}`
      await harness.backup(
        testBackupInputs(server.url(source), {
          artifactName: name,
          format,
          ...(format === 'plain' ? { pgDumpArgs: ['--no-owner', '--no-privileges'] } : {})
        })
      )
      // the target belongs to the restoring role, as a managed service's database does
      const target = await server.createDatabase()
      await server.query('postgres', `ALTER DATABASE ${target} OWNER TO ${role}`)
      await server.query(target, `ALTER SCHEMA public OWNER TO ${role}`)
      const { lines, result } = await logOf(() =>
        harness.restore(
          testRestoreInputs(
            server.url(target, { user: role, password: 'rls-pw-25' }),
            currentRunArtifact(harness.backend, name),
            { noOwner: true }
          )
        )
      )
      expect(lines).toMatch(
        /public\.notes: not counted: row-level security applies to the restoring role .*\(the manifest says 300 rows\)/
      )
      expect(lines).toMatch(/part\.events_2026: not counted: row-level security/)
      const [{ n: in2025 }] = await server.query(
        source,
        'SELECT count(*)::int AS n FROM part.events_2025'
      )
      const counted = result.tables.map(t => [`${t.schema}.${t.name}`, t.rows])
      expect(counted).toEqual(
        expect.arrayContaining([
          ['public.plain', 5],
          ['part.events_2025', in2025]
        ])
      )
      expect(counted.map(([n]) => n)).not.toContain('public.notes')
      // every row is there, read as the superuser
      expect(
        await server.query(
          target,
          `SELECT (SELECT count(*) FROM public.notes)::int AS notes, (SELECT count(*) FROM part.events)::int AS events,
                  (SELECT count(*) FROM public.plain)::int AS plain`
        )
      ).toEqual([{ notes: 300, events: 400, plain: 5 }])
      await server.dropDatabase(target)
      await server.dropDatabase(source)
    },
    90_000
  )
})
