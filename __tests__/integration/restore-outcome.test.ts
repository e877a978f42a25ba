/**
 * One truthful statement of what a failed restore left in the target, the same in its error and
 * in its job summary (user trial 6, F5). psql with ON_ERROR_STOP stops at the first failing
 * statement: a statement error before or AT the COMMIT (a deferred constraint) means nothing was
 * committed, even when the script gate had already written COMMIT into psql's pipe (a small
 * backup: at once). Only a loader stopped after its COMMIT was written leaves the outcome open.
 * Backups go through the real artifact client and the loopback backend; asserted on what the
 * target holds afterwards.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import type { TestServer } from '../../dev/postgres.js'
import { useHarness } from '../support/harness.js'
import { startActionProcess, useInProcessStep } from '../support/step.js'

const harness = useHarness({ name: 'restore-outcome' })
const runStep = useInProcessStep(harness)
let server: TestServer

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

/** The tables of the schema public in `database`. */
async function publicTables(database: string): Promise<string[]> {
  const rows = await server.query<{ relname: string }>(
    database,
    "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' ORDER BY 1"
  )
  return rows.map(r => r.relname)
}

/**
 * A target whose every DDL statement inserts a row into guard.log, on which a deferred constraint
 * trigger runs `atCommit` (PL/pgSQL) when the transaction commits.
 */
async function targetDeferring(atCommit: string): Promise<string> {
  const target = await server.createDatabase()
  await server.query(
    target,
    `CREATE SCHEMA guard;
     CREATE TABLE guard.log (n integer);
     CREATE FUNCTION guard.at_commit() RETURNS trigger LANGUAGE plpgsql
       AS $$BEGIN ${atCommit} RETURN NULL; END$$;
     CREATE CONSTRAINT TRIGGER at_commit AFTER INSERT ON guard.log
       DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION guard.at_commit();
     CREATE FUNCTION guard.note() RETURNS event_trigger LANGUAGE plpgsql
       AS $$BEGIN INSERT INTO guard.log VALUES (1); END$$;
     CREATE EVENT TRIGGER note_ddl ON ddl_command_end EXECUTE FUNCTION guard.note();`
  )
  return target
}

const ROLLED_BACK = /Nothing was kept: the restore ran in one transaction, which was rolled back/
const NOT_COMMITTED =
  /The load ran in one transaction, which was not committed: the target keeps what it held before/
const MAY_HOLD = /may hold the restored data/

beforeAll(async () => {
  server = harness.server
  const source = await server.createDatabase('outcome_src')
  await server.query(
    source,
    `CREATE TABLE public.items (id integer PRIMARY KEY, note text NOT NULL);
     INSERT INTO public.items SELECT i, md5(i::text) FROM generate_series(1, 100) i;`
  )
  // custom: loaded by pg_restore -d; plain: through the script gate into psql
  for (const format of ['custom', 'plain']) {
    const step = await runStep({
      'database-url': server.url(source),
      'artifact-name': `outcome-${format}`,
      format
    })
    expect(step.error).toBeUndefined()
  }
}, 120_000)

/** The action restoring the backup of `format` into `target`, in this process. */
const restoreInto = (target: string, format: string) =>
  runStep({
    mode: 'restore',
    'database-url': server.url(target),
    'artifact-name': `outcome-${format}`,
    'github-token': harness.backend.githubToken
  })

describe.each(['custom', 'plain'])(
  'a %s backup whose restore fails on a statement: nothing was kept, in the error and the summary',
  format => {
    it('a statement error after the CREATE TABLE (the target refuses ALTER TABLE): rolled back', async () => {
      const target = await server.createDatabase()
      await server.query(
        target,
        `CREATE SCHEMA guard;
         CREATE FUNCTION guard.refuse() RETURNS event_trigger LANGUAGE plpgsql
           AS $$BEGIN IF tg_tag = 'ALTER TABLE' THEN RAISE EXCEPTION 'ALTER TABLE refused by the target'; END IF; END$$;
         CREATE EVENT TRIGGER refuse_alter ON ddl_command_end EXECUTE FUNCTION guard.refuse();`
      )
      const step = await restoreInto(target, format)
      expect(step.error?.message).toMatch(/ALTER TABLE refused by the target/)
      expect(step.error?.message).toMatch(ROLLED_BACK)
      expect(step.error?.message).not.toMatch(MAY_HOLD)
      expect(step.summary).toMatch(NOT_COMMITTED)
      expect(step.summary).not.toMatch(MAY_HOLD)
      expect(await publicTables(target)).toEqual([])
    }, 120_000)

    it('an error AT the COMMIT (a deferred constraint trigger of the target): rolled back', async () => {
      const target = await targetDeferring(
        "RAISE EXCEPTION 'refused at commit by the target''s deferred trigger';"
      )
      const step = await restoreInto(target, format)
      expect(step.error?.message).toMatch(/refused at commit by the target's deferred trigger/)
      expect(step.error?.message).toMatch(ROLLED_BACK)
      expect(step.error?.message).not.toMatch(MAY_HOLD)
      expect(step.summary).toMatch(NOT_COMMITTED)
      expect(step.summary).not.toMatch(MAY_HOLD)
      expect(await publicTables(target)).toEqual([])
      expect(await server.query(target, 'SELECT * FROM guard.log')).toEqual([])
    }, 120_000)
  }
)

describe.each(['custom', 'plain'])(
  'a %s backup whose restore is cancelled after its COMMIT was written: said as the server tells it, in both places',
  format => {
    it('SIGTERM while the server runs the COMMIT: what the server says of it once its session ended, or "may hold the restored data"', async () => {
      const target = await targetDeferring('PERFORM pg_sleep(4);')
      const step = startActionProcess(harness, {
        mode: 'restore',
        'database-url': server.url(target),
        'artifact-name': `outcome-${format}`,
        'github-token': harness.backend.githubToken
      })
      const deadline = Date.now() + 90_000
      for (;;) {
        const [{ n }] = await server.query<{ n: string }>(
          'postgres',
          // the target's deferred trigger runs at COMMIT, or (the net: the target holds objects)
          // at the SET CONSTRAINTS ALL IMMEDIATE just before it, after COMMIT was written
          "SELECT count(*)::text AS n FROM pg_stat_activity WHERE datname = $1 AND (query LIKE '%COMMIT%' OR query LIKE '%SET CONSTRAINTS ALL IMMEDIATE%') AND state = 'active'",
          [target]
        )
        if (n !== '0') break
        if (Date.now() > deadline) throw new Error(`the COMMIT never ran:\n${step.stdout()}`)
        await sleep(50)
      }
      step.child.kill('SIGTERM')
      expect(await step.exited).toBe(1)
      const errors = step
        .stdout()
        .split('\n')
        .filter(l => l.startsWith('::error::'))
      expect(errors).toEqual([expect.stringContaining('the run was cancelled (SIGTERM)')])
      // the session the action ended was asked about on the server: its transaction aborted
      // ("not committed"); when nothing could be asked, the outcome is open ("may hold")
      const rolledBack = /which was not committed/.test(errors[0])
      expect(errors[0]).toMatch(rolledBack ? /which was not committed/ : MAY_HOLD)
      expect(errors[0]).not.toMatch(rolledBack ? MAY_HOLD : /Nothing was kept|not committed/)
      expect(step.summary()).toMatch(rolledBack ? /which was not committed/ : MAY_HOLD)
      // whatever the server made of the COMMIT, it is all or nothing, and what was said holds
      await sleep(5000)
      const tables = await publicTables(target)
      expect(rolledBack ? [[]] : [[], ['items']]).toContainEqual(tables)
      if (tables.length > 0)
        expect(await server.query(target, 'SELECT count(*)::int AS n FROM public.items')).toEqual([
          { n: 100 }
        ])
    }, 180_000)
  }
)
