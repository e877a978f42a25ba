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
import { testRestoreInputs } from '../support/inputs.js'

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
