/**
 * A parallel restore (jobs: 2, single-transaction: false) of archives that hold large objects,
 * written by the real pg_dump 17 and 18: they split the large objects into "BLOB METADATA"
 * entries (lo_create) and "BLOBS" entries (their data), both in the data section, in groups of
 * up to 1000 — a BLOBS entry depends on its metadata, and pg_restore --jobs waits for it.
 * Into Debian's 15 server (the script gate's path, parallelThroughPsql) and the embedded 18.
 *
 * Before: the data entries ran largest first, beside each other, a BLOBS entry before its BLOB
 * METADATA: "large object 17225 does not exist (in the archive's entry BLOBS 17225..17226)",
 * the target half restored; with clean on a restored target its data dropped and not restored.
 * pg_restore -j 2 -d and --clean -j 2 by hand succeed.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { type TestServer, startPostgres } from '../../dev/postgres.js'
import type { BackupSource, RestoreOptions } from '../../src/types.js'
import { PROVISIONED_MAJORS, provisionedClient } from '../support/clients.js'
import { embeddedBinDir } from '../support/embedded.js'
import { useHarness } from '../support/harness.js'
import { testBackupInputs, testRestoreInputs } from '../support/inputs.js'

const harness = useHarness({ name: 'parallel-large-objects' })
const PARALLEL: Partial<RestoreOptions> = { jobs: 2, singleTransaction: false }
let server18: TestServer
let names = 0

beforeAll(async () => {
  server18 = await startPostgres({ binDir: embeddedBinDir(18) })
}, 120_000)

afterAll(async () => {
  await server18?.stop()
})

/** A database with 1200 large objects (two groups in pg_dump 17+), a table naming them, a key. */
async function seed(server: TestServer): Promise<string> {
  const db = await server.createDatabase()
  await server.query(
    db,
    `CREATE SCHEMA app;
     CREATE TABLE app.docs (id integer PRIMARY KEY, body oid NOT NULL);
     INSERT INTO app.docs SELECT g, lo_from_bytea(0, convert_to('document ' || g, 'UTF8'))
       FROM generate_series(1, 1200) g;
     CREATE TABLE app.items (id serial PRIMARY KEY, name text);
     INSERT INTO app.items (name) SELECT 'item ' || g FROM generate_series(1, 300) g;`
  )
  return db
}

interface Content {
  docs: string
  items: string
  objects: string
  /** md5 of every large object's content, in oid order, as one string */
  objectsMd5: string
  keys: string
}

async function content(server: TestServer, db: string): Promise<Content> {
  const [row] = await server.query<Content>(
    db,
    `SELECT (SELECT count(*) FROM app.docs)::text AS docs,
            (SELECT count(*) FROM app.items)::text AS items,
            (SELECT count(*) FROM pg_largeobject_metadata)::text AS objects,
            (SELECT md5(string_agg(md5(lo_get(oid)), ',' ORDER BY oid)) FROM pg_largeobject_metadata)
              AS "objectsMd5",
            (SELECT string_agg(conname, ',' ORDER BY conname) FROM pg_constraint
              WHERE contype = 'p' AND connamespace = 'app'::regnamespace) AS keys`
  )
  return row
}

/** pg_dump of `binDir` in `format` (c or d) of `db`; the file or folder. */
function pgDump(binDir: string, server: TestServer, db: string, format: 'c' | 'd'): string {
  const file = path.join(harness.work, `lo-${++names}.${format === 'c' ? 'dump' : 'dir'}`)
  execFileSync(path.join(binDir, 'pg_dump'), [`-F${format}`, '-f', file, db], {
    env: server.env(db)
  })
  return file
}

function client(major: number): { binDir: string; version: string } {
  const c = provisionedClient(major)
  if ('missing' in c) throw new Error(c.missing)
  return c
}

describe.each([...PROVISIONED_MAJORS])('large objects in a pg_dump %i archive, jobs: 2', major => {
  it.each(['c', 'd'] as const)(
    '-F%s into the 15 server: every row and large object arrives; clean onto the restored target restores it again',
    async format => {
      const { binDir, version } = client(major)
      const server = harness.server
      expect(server.major).toBe(15)
      const db = await seed(server)
      const want = await content(server, db)
      expect(want).toMatchObject({ docs: '1200', objects: '1200', keys: 'docs_pkey,items_pkey' })
      const dump = pgDump(binDir, server, db, format)
      const source: BackupSource = { kind: 'file', path: dump }
      const target = await server.createDatabase()
      const result = await harness.restore(
        testRestoreInputs(server.url(target), source, { ...PARALLEL, pgBinDir: binDir })
      )
      expect(result.clientVersion).toBe(version)
      expect(await content(server, target)).toEqual(want)
      // clean, jobs: 2 onto the restored target: dropped and restored again, nothing lost
      await harness.restore(
        testRestoreInputs(server.url(target), source, {
          ...PARALLEL,
          clean: true,
          pgBinDir: binDir
        })
      )
      expect(await content(server, target)).toEqual(want)
    },
    180_000
  )
})

describe('large objects, pg_dump 18, the 18 server, jobs: 2', () => {
  it("the action's own backup (format directory) and a custom archive: every row and large object arrives", async () => {
    const { binDir } = client(18)
    const db = await seed(server18)
    const want = await content(server18, db)
    const name = `lo-own-${++names}`
    await harness.backup(
      testBackupInputs(server18.url(db), {
        format: 'directory',
        jobs: 2,
        artifactName: name,
        pgBinDir: binDir
      })
    )
    const sources: BackupSource[] = [
      {
        kind: 'artifact',
        name,
        runId: 'current',
        repository: harness.backend.repository,
        token: harness.backend.githubToken
      },
      { kind: 'file', path: pgDump(binDir, server18, db, 'c') }
    ]
    for (const source of sources) {
      const target = await server18.createDatabase()
      await harness.restore(
        testRestoreInputs(server18.url(target), source, { ...PARALLEL, pgBinDir: binDir })
      )
      expect(await content(server18, target)).toEqual(want)
    }
  }, 240_000)
})
