/**
 * clean replaces the target's tables with the backup's: a column a migration added since the
 * backup goes with its values, as with pg_restore --clean. Said before the load, as newer rows
 * are (trial u43 F6: 100 phone numbers went without a word).
 */
import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { useHarness } from '../support/harness.js'
import { NO_FILTERS, testBackupInputs, testRestoreInputs } from '../support/inputs.js'
import { logOf } from '../support/log-capture.js'
import { currentRunArtifact } from '../support/sources.js'

const harness = useHarness({ name: 'clean-newer-columns' })

describe('clean over a table whose rows the backup left out (exclude-table-data: trial u62 F1)', () => {
  it('said before the load, with the filter and the ways to keep them', async () => {
    const server = harness.server
    const source = await server.createDatabase()
    await server.query(
      source,
      `CREATE TABLE public.users (id int PRIMARY KEY);
       INSERT INTO public.users SELECT g FROM generate_series(1, 5) g;
       CREATE TABLE public.audit_log (id int);
       INSERT INTO public.audit_log SELECT g FROM generate_series(1, 20) g;`
    )
    await harness.backup(testBackupInputs(server.url(source), { artifactName: 'no-audit' }))
    await harness.backup(
      testBackupInputs(server.url(source), {
        artifactName: 'no-audit-rows',
        filters: { ...NO_FILTERS, excludeTableData: ['public.audit_log'] }
      })
    )
    const target = await server.createDatabase()
    await harness.restore(
      testRestoreInputs(server.url(target), currentRunArtifact(harness.backend, 'no-audit'))
    )
    const { lines } = await logOf(() =>
      harness.restore(
        testRestoreInputs(
          server.url(target),
          currentRunArtifact(harness.backend, 'no-audit-rows'),
          { clean: true }
        )
      )
    )
    expect(lines).toContain(
      'clean replaces 1 table of the target whose rows the backup does not hold (its definition only: the backup was made with exclude-table-data public.audit_log): public.audit_log (20 rows). It is put back empty, every row of it gone after this restore (as pg_restore --clean does); to keep it, restore the other tables only (tables, schemas), or make a backup of the target first (mode: backup).'
    )
    expect(lines).not.toMatch(/public\.users \(5 rows\)\. It is put back/)
    for (const db of [source, target]) await server.dropDatabase(db)
  }, 60_000)
})

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

  it('a backup made by hand (pg_dump -Fc, no manifest): the column named from the COPY the archive has, a generated column not taken for one; the rows the tables hold now said, as the backup cannot tell its own (trial u47 F1)', async () => {
    const server = harness.server
    const source = await server.createDatabase()
    await server.query(
      source,
      `CREATE SCHEMA app;
       CREATE TABLE app.users (id int PRIMARY KEY, name text, upper_name text GENERATED ALWAYS AS (upper(name)) STORED);
       INSERT INTO app.users (id, name) SELECT g, 'u' || g FROM generate_series(1, 5) g;`
    )
    const own = path.join(harness.work, 'by-hand.dump')
    execFileSync(path.join(server.binDir, 'pg_dump'), ['-Fc', '-f', own, source], {
      env: server.env(source)
    })
    const target = await server.createDatabase()
    const file = { kind: 'file' as const, path: own }
    await harness.restore(testRestoreInputs(server.url(target), file))
    await server.query(
      target,
      `ALTER TABLE app.users ADD COLUMN phone text;
       INSERT INTO app.users (id, name) VALUES (6, 'new');`
    )
    const { lines } = await logOf(() =>
      harness.restore(testRestoreInputs(server.url(target), file, { clean: true }))
    )
    expect(lines).toContain(
      "clean replaces 1 table of the target with columns the backup's table lacks (added since the backup was made, by a migration?): app.users: phone. They and their values are gone after this restore"
    )
    expect(lines).toMatch(
      /clean replaces 1 table of the target that holds rows now: app\.users \(6 rows\)\. The backup has no manifest to tell how many rows it holds for it: rows added since it was made are gone after this restore/
    )
    expect(await server.query(target, 'SELECT count(*)::int AS n FROM app.users')).toEqual([
      { n: 5 }
    ])
    for (const db of [source, target]) await server.dropDatabase(db)
  }, 60_000)
})
