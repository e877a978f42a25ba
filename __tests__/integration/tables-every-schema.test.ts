/**
 * A bare name in `tables` takes that table in every schema of the backup, as pg_restore --table
 * does; the restore says so before anything runs, naming each match and how to take one (trial
 * u43 F5: 'users' took auth.users beside public.users, and clean replaced app.users too).
 */
import { describe, expect, it } from '@jest/globals'
import { useHarness } from '../support/harness.js'
import { testBackupInputs, testRestoreInputs } from '../support/inputs.js'
import { logOf } from '../support/log-capture.js'
import { currentRunArtifact } from '../support/sources.js'

const harness = useHarness({ name: 'tables-every-schema' })

describe('tables: a name two schemas of the backup hold', () => {
  it('both are restored (as pg_restore -t), and the warning names both and the schemas input that takes one', async () => {
    const server = harness.server
    const source = await server.createDatabase()
    await server.query(
      source,
      `CREATE SCHEMA app;
       CREATE TABLE app.users (id int PRIMARY KEY); INSERT INTO app.users VALUES (1), (2);
       CREATE TABLE public.users (id int PRIMARY KEY); INSERT INTO public.users VALUES (7);
       CREATE TABLE public.other (id int);`
    )
    await harness.backup(testBackupInputs(server.url(source), { artifactName: 'two-users' }))
    const target = await server.createDatabase()
    await server.query(target, 'CREATE SCHEMA app')
    const { lines } = await logOf(() =>
      harness.restore(
        testRestoreInputs(server.url(target), currentRunArtifact(harness.backend, 'two-users'), {
          tables: ['users'],
          allowNonEmpty: true
        })
      )
    )
    expect(lines).toContain(
      "tables: 'users' names 2 tables of the backup, one in each of the schemas app, public (app.users, public.users): the restore takes them all, as pg_restore --table does. To take one, add schemas (e.g. schemas: app)."
    )
    expect(
      await server.query(
        target,
        'SELECT (SELECT count(*)::int FROM app.users) AS app, (SELECT count(*)::int FROM public.users) AS public'
      )
    ).toEqual([{ app: 2, public: 1 }])
    // one schema given: one table, nothing to say
    const one = await server.createDatabase()
    const { lines: narrowed } = await logOf(() =>
      harness.restore(
        testRestoreInputs(server.url(one), currentRunArtifact(harness.backend, 'two-users'), {
          tables: ['users'],
          schemas: ['public']
        })
      )
    )
    expect(narrowed).not.toMatch(/names 2 tables of the backup/)
    for (const db of [source, target, one]) await server.dropDatabase(db)
  }, 60_000)
})
