/**
 * clean replaces the target's tables with the backup's: a column a migration added since the
 * backup goes with its values, as with pg_restore --clean. Said before the load, as newer rows
 * are (trial u43 F6: 100 phone numbers went without a word).
 */
import { describe, expect, it } from '@jest/globals'
import { useHarness } from '../support/harness.js'
import { testBackupInputs, testRestoreInputs } from '../support/inputs.js'
import { logOf } from '../support/log-capture.js'
import { currentRunArtifact } from '../support/sources.js'

const harness = useHarness({ name: 'clean-newer-columns' })

describe('clean over a table that gained a column since the backup', () => {
  it('the warning names the table and the column before the load; the restore puts the backup’s table back', async () => {
    const server = harness.server
    const source = await server.createDatabase()
    await server.query(
      source,
      `CREATE SCHEMA app;
       CREATE TABLE app.users (id int PRIMARY KEY, name text);
       INSERT INTO app.users SELECT g, 'u' || g FROM generate_series(1, 5) g;
       CREATE TABLE public.plain (id int);`
    )
    await harness.backup(testBackupInputs(server.url(source), { artifactName: 'users' }))
    const source2 = currentRunArtifact(harness.backend, 'users')
    const target = await server.createDatabase()
    await harness.restore(testRestoreInputs(server.url(target), source2))
    await server.query(
      target,
      `ALTER TABLE app.users ADD COLUMN phone text, ADD COLUMN "Opt In" boolean;
       UPDATE app.users SET phone = '555-' || id`
    )
    const { lines } = await logOf(() =>
      harness.restore(testRestoreInputs(server.url(target), source2, { clean: true }))
    )
    expect(lines).toContain(
      'clean replaces 1 table of the target with columns the backup\'s table lacks (added since the backup was made, by a migration?): app.users: phone, "Opt In". They and their values are gone after this restore'
    )
    expect(lines).not.toMatch(/public\.plain: /)
    expect(
      await server.query(
        target,
        "SELECT count(*)::int AS n FROM information_schema.columns WHERE table_schema = 'app' AND table_name = 'users'"
      )
    ).toEqual([{ n: 2 }])
    for (const db of [source, target]) await server.dropDatabase(db)
  }, 60_000)
})
