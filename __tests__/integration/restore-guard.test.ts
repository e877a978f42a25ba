/**
 * The empty-target guard: without clean or allow-non-empty, a restore into a target that holds
 * objects the backup's statements could change is refused before anything runs. The scripts in
 * __tests__/fixtures/guard are a security tester's repros (a pg_dump header anyone can type,
 * names in upper case, DROP/CREATE OR REPLACE of views and functions, setval, large objects,
 * schemas other than public).
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { runTool, schemaDump, tableChecksums } from '../../dev/fixtures.js'
import type { TestServer } from '../../dev/postgres.js'
import type { BackupSource, RestoreOptions } from '../../src/types.js'
import { rewriteArchiveToc, writeArchive } from '../support/archive-writer.js'
import { useHarness } from '../support/harness.js'
import { testRestoreInputs } from '../support/inputs.js'

const harness = useHarness({ name: 'restore-guard' })
let server: TestServer
let files: string
const fixtures = path.resolve(import.meta.dirname, '../fixtures/guard')

beforeAll(() => {
  server = harness.server
  files = path.join(harness.work, 'files')
  mkdirSync(files)
})

const file = (p: string): BackupSource => ({ kind: 'file', path: p })
const fixture = (name: string): BackupSource => file(path.join(fixtures, name))

function write(name: string, text: string): BackupSource {
  const p = path.join(files, name)
  writeFileSync(p, text)
  return file(p)
}

function runRestore(target: string, source: BackupSource, overrides: Partial<RestoreOptions> = {}) {
  return harness.restore(testRestoreInputs(server.url(target), source, overrides))
}

async function snapshot(database: string) {
  return {
    data: await tableChecksums(server, database),
    schema: await schemaDump(server, database),
    sequences: await server.query(
      database,
      `SELECT schemaname, sequencename, last_value FROM pg_sequences ORDER BY 1, 2`
    ),
    largeObjects: await server.query(
      database,
      `SELECT oid::text, encode(lo_get(oid), 'escape') AS data FROM pg_largeobject_metadata ORDER BY 1`
    )
  }
}

/** A target holding `setup`: the restore of `source` is refused with `message`, the target unchanged. */
async function expectRefused(
  setup: string,
  source: BackupSource,
  message: RegExp,
  overrides: Partial<RestoreOptions> = {}
): Promise<void> {
  const target = await server.createDatabase()
  await server.query(target, setup)
  const before = await snapshot(target)
  const error = await runRestore(target, source, overrides).then(
    () => undefined,
    (e: unknown) => e as Error
  )
  expect(error?.message).toMatch(message)
  expect(await snapshot(target)).toEqual(before)
  await server.dropDatabase(target)
}

const ACCOUNTS = `CREATE TABLE public.accounts (id integer PRIMARY KEY, secret text);
  INSERT INTO public.accounts VALUES (1, 'mine'), (2, 'also mine');`

describe('scripts with a pg_dump header are guarded like any other (the header is no proof)', () => {
  it('hostile.sql: UPDATE, DROP, CREATE OR REPLACE, GRANT, ALTER on the target’s objects: refused', async () => {
    await expectRefused(
      `${ACCOUNTS} CREATE TABLE public.victim (id integer); INSERT INTO public.victim VALUES (7);
       CREATE FUNCTION public.f() RETURNS integer LANGUAGE sql AS 'select 1';`,
      fixture('hostile.sql'),
      /is not empty: 2 tables where the backup goes — public\.accounts \(2 rows\), public\.victim \(1 row\); and objects the backup's statements change: function public\.f/
    )
  })

  it.each(['cp1.sql', 'cp4.sql'])(
    '%s: COPY / INSERT INTO an upper-case spelling of an existing table: refused',
    async name => {
      await expectRefused(ACCOUNTS, fixture(name), /public\.accounts \(2 rows\)/)
    }
  )

  it('lo.sql: lo_open/lowrite on a large object of the target (which has no tables): refused', async () => {
    await expectRefused(
      `SELECT lo_from_bytea(17323, 'precious'::bytea);`,
      fixture('lo.sql'),
      // (written in place: refused before the target's emptiness is looked at, a101 F2)
      /the backup writes into 1 large object it does not create, which the target database '[^']+' has \(OID 17323; .*Nothing was changed/
    )
  })
})

describe('a large object of the target that a backup writes without creating it (attacker a101 F2)', () => {
  const OID = 987654
  const SETUP = `${ACCOUNTS} SELECT lo_from_bytea(${OID}, 'VICTIM-CONTENT'::bytea);`
  let script: BackupSource
  let archive: BackupSource
  beforeAll(async () => {
    script = write(
      'lo-write.sql',
      `CREATE TABLE public.notes (id integer);
COPY public.notes (id) FROM stdin;
1
\\.

BEGIN;
SELECT pg_catalog.lo_open('${OID}', 131072);
SELECT pg_catalog.lowrite(0, '\\x4f574e4544');
SELECT pg_catalog.lo_close(0);
COMMIT;

--
-- PostgreSQL database dump complete
--
`
    )
    // pg_dump's own archive of a large object of that OID, its BLOB entry's lo_create blanked
    const source = await server.createDatabase()
    await server.query(
      source,
      `CREATE TABLE public.notes (id integer); INSERT INTO public.notes VALUES (1);
       SELECT lo_from_bytea(${OID}, 'OWNED'::bytea);`
    )
    const dumped = execFileSync(path.join(server.binDir, 'pg_dump'), ['-Fc'], {
      env: server.env(source)
    })
    const edited = rewriteArchiveToc(dumped, entries =>
      entries.map(e => (e.desc === 'BLOB' ? { ...e, defn: '' } : e))
    )
    const file = path.join(files, 'lo-write.dump')
    writeFileSync(file, edited)
    archive = { kind: 'file', path: file }
  })

  it.each([
    ['plain', 'allow-non-empty', { allowNonEmpty: true }],
    ['plain', 'clean', { clean: true }],
    ['custom', 'allow-non-empty', { allowNonEmpty: true }],
    ['custom', 'clean', { clean: true }]
  ] as const)(
    '%s, %s: refused before anything runs, the content unchanged',
    async (format, _mode, overrides) => {
      await expectRefused(
        SETUP,
        format === 'plain' ? script : archive,
        new RegExp(
          `the backup writes into 1 large object it does not create, which the target database '[^']+' has \\(OID ${OID}; first: .*\\): pg_dump creates every large object it writes \\(lo_create\\).*Nothing was changed`
        ),
        overrides
      )
    }
  )

  it.each([`' ${OID}'`, `'+0${OID}'::oid`, `(SELECT ${OID})::oid`])(
    'plain, the OID written as %s: refused the same (attacker a102 F2)',
    async written => {
      const spelled = write(
        `lo-write-${written.length}.sql`,
        readFileSync((script as { path: string }).path, 'utf8').replace(`'${OID}'`, written)
      )
      await expectRefused(
        SETUP,
        spelled,
        /the backup writes into 1 large object it does not create, which the target database '[^']+' has \(OID \d+; first: .*Nothing was changed/,
        { allowNonEmpty: true }
      )
    }
  )

  it("pg_dump --clean's own lo_unlink('…') (without --if-exists) of the backup's large object: restored with clean over the database it was made of (attacker a102 F2c)", async () => {
    const source = await server.createDatabase()
    await server.query(
      source,
      `CREATE TABLE public.notes (id integer); INSERT INTO public.notes VALUES (1);
       SELECT lo_from_bytea(${OID + 1}, 'OWNED'::bytea);`
    )
    const file = path.join(files, 'lo-clean.sql')
    execFileSync(path.join(server.binDir, 'pg_dump'), ['-Fp', '--clean', '-f', file], {
      env: server.env(source)
    })
    expect(readFileSync(file, 'utf8')).toContain(`SELECT pg_catalog.lo_unlink('${OID + 1}');`)
    await runRestore(source, { kind: 'file', path: file }, { clean: true })
    expect(
      await server.query(source, `SELECT encode(lo_get(${OID + 1}), 'escape') AS data`)
    ).toEqual([{ data: 'OWNED' }])
    await server.dropDatabase(source)
  })

  describe("an archive whose large objects' data writes an OID no entry creates (attacker a102 F2b)", () => {
    // pg_dump's own archive of large object OTHER; then only the OID its data stream opens is
    // changed to the target's (pg_restore writes the OIDs of the data, not of the TOC)
    const OTHER = OID + 11
    /** WriteInt of the custom format (intSize 4): a sign byte, then 4 bytes, least first. */
    const int = (n: number): Buffer => {
      const b = Buffer.alloc(5)
      b.writeUInt32LE(n, 1)
      return b
    }
    let source: string
    beforeAll(async () => {
      source = await server.createDatabase()
      await server.query(
        source,
        `CREATE TABLE public.notes (id integer); INSERT INTO public.notes VALUES (1);
         SELECT lo_from_bytea(${OTHER}, 'OVERWRITTEN-BY-BACKUP'::bytea);`
      )
    })

    it.each([
      ['allow-non-empty', { allowNonEmpty: true }],
      ['clean', { clean: true }],
      ['allow-non-empty, jobs 2', { allowNonEmpty: true, jobs: 2, singleTransaction: false }]
    ] as const)(
      'custom (-Z0 and -Z6), %s: refused, the content unchanged',
      async (_m, overrides) => {
        for (const level of ['0', '6']) {
          const dumped = execFileSync(path.join(server.binDir, 'pg_dump'), ['-Fc', `-Z${level}`], {
            env: server.env(source)
          })
          // the data's OID: after the TOC (whose own spelling of it is text)
          const at = dumped.indexOf(int(OTHER), dumped.indexOf('BLOB METADATA') + 1)
          expect(at).toBeGreaterThan(0)
          const edited = Buffer.from(dumped)
          int(OID).copy(edited, at)
          const file = path.join(files, `lo-stream-${level}.dump`)
          writeFileSync(file, edited)
          await expectRefused(
            SETUP,
            { kind: 'file', path: file },
            new RegExp(
              `the backup writes into large object ${OID}, which it does not create.*pg_dump creates every large object it writes.*Nothing was changed`
            ),
            overrides
          )
        }
      }
    )

    it.each([
      ['allow-non-empty', { allowNonEmpty: true }],
      ['clean', { clean: true }]
    ] as const)(
      'directory, its blobs toc naming the target OID, %s: refused, the content unchanged',
      async (_m, overrides) => {
        const dir = path.join(files, `lo-dir-${Object.keys(overrides).join('-')}`)
        execFileSync(path.join(server.binDir, 'pg_dump'), ['-Fd', '-f', dir], {
          env: server.env(source)
        })
        const toc = readdirSync(dir).find(f => /^blobs.*\.toc$/.test(f))!
        writeFileSync(path.join(dir, toc), `${OID} blob_${OID}.dat\n`)
        renameSync(path.join(dir, `blob_${OTHER}.dat.gz`), path.join(dir, `blob_${OID}.dat.gz`))
        await expectRefused(
          SETUP,
          { kind: 'file', path: dir },
          new RegExp(
            `the backup writes into large object ${OID}, which it does not create.*Nothing was changed`
          ),
          overrides
        )
      }
    )
  })

  it('a large object of the OID the backup creates: the first refusal names the OID and what replaces it (trial u63 F4)', async () => {
    const source = await server.createDatabase()
    await server.query(
      source,
      `CREATE TABLE public.notes (id integer); SELECT lo_from_bytea(${OID + 21}, 'OWNED'::bytea);`
    )
    const file = path.join(files, 'lo-taken.dump')
    execFileSync(path.join(server.binDir, 'pg_dump'), ['-Fc', '-f', file], {
      env: server.env(source)
    })
    await expectRefused(
      `SELECT lo_from_bytea(${OID + 21}, 'TARGET'::bytea); SELECT lo_from_bytea(${OID + 22}, 'OTHER'::bytea);`,
      { kind: 'file', path: file },
      new RegExp(
        `2 large objects \\(OID ${OID + 21}, ${OID + 22}; the backup creates one of that OID too \\(${OID + 21}\\): allow-non-empty does not replace a large object; clean replaces it with the backup's, as removing it first does \\(SELECT pg_catalog\\.lo_unlink\\(${OID + 21}\\)\\) — right only where it is the backup's own .*then restore into an empty database\\)`
      )
    )
    // clean replaces it, as pg_restore --clean does: said before, with what it means (trial u64 F1)
    const target = await server.createDatabase()
    await server.query(
      target,
      `SELECT lo_from_bytea(${OID + 21}, 'NEW UPLOAD'::bytea); SELECT lo_from_bytea(${OID + 23}, 'SINCE'::bytea);`
    )
    const result = await runRestore(target, { kind: 'file', path: file }, { clean: true })
    // and the one the backup does not have stays, said (trial u65 F3)
    expect(result.warnings.join('\n')).toContain(
      `clean keeps 1 large object of the target that the backup does not have (OID ${OID + 23}; stored since the backup was made, or never in it), as pg_restore --clean does`
    )
    expect(
      await server.query(target, `SELECT encode(lo_get(${OID + 23}), 'escape') AS data`)
    ).toEqual([{ data: 'SINCE' }])
    expect(result.warnings.join('\n')).toMatch(
      new RegExp(
        `clean replaces 1 large object of the target with the backup's of the same OID \\(${OID + 21}\\): their content becomes the backup's.*If the target is not the backup's database, restore into an empty one instead\\.`
      )
    )
    expect(
      await server.query(target, `SELECT encode(lo_get(${OID + 21}), 'escape') AS data`)
    ).toEqual([{ data: 'OWNED' }])
    await server.dropDatabase(target)
    await server.dropDatabase(source)
  })

  it("allow-non-empty: a pg_dump --clean script's lo_unlink and lo_create of an OID the target holds: refused, the target's content kept (attacker a105 H0)", async () => {
    const source = await server.createDatabase()
    await server.query(
      source,
      `CREATE TABLE public.files (id integer, f oid); INSERT INTO public.files VALUES (1, lo_from_bytea(${OID + 51}, 'BACKUP'::bytea));`
    )
    const file = path.join(files, 'lo-clean-script.sql')
    execFileSync(path.join(server.binDir, 'pg_dump'), ['--clean', '--if-exists', '-f', file], {
      env: server.env(source)
    })
    await expectRefused(
      `CREATE TABLE public.keep (id integer); INSERT INTO public.keep VALUES (1); SELECT lo_from_bytea(${OID + 51}, 'TARGET'::bytea);`,
      { kind: 'file', path: file },
      new RegExp(
        `the backup unlinks and creates again 1 large object that the target database '[^']+' holds \\(OID ${OID + 51}\\): .*allow-non-empty: true restores next to the target's objects, not over them, so nothing was changed\\. Set 'clean: true' to replace them`
      ),
      { allowNonEmpty: true }
    )
    await server.dropDatabase(source)
  })

  it("a target's large objects of other OIDs than the backup's: the refusal says so and what restores next to them, which then keeps them as they were (attacker a104 G6)", async () => {
    const source = await server.createDatabase()
    await server.query(
      source,
      `CREATE TABLE public.notes (id integer, file oid); INSERT INTO public.notes VALUES (1, lo_from_bytea(${OID + 31}, 'OWNED'::bytea));`
    )
    const file = path.join(files, 'lo-other.dump')
    execFileSync(path.join(server.binDir, 'pg_dump'), ['-Fc', '-f', file], {
      env: server.env(source)
    })
    await expectRefused(
      `SELECT lo_from_bytea(${OID + 32}, 'TARGET'::bytea);`,
      { kind: 'file', path: file },
      new RegExp(
        `1 large object \\(OID ${OID + 32}: the backup's statements work on large objects .*none of its own has one of these OIDs; allow-non-empty: true restores next to them, and the restore's transaction ends with the check that each is unchanged, its content included\\)`
      )
    )
    const target = await server.createDatabase()
    await server.query(target, `SELECT lo_from_bytea(${OID + 32}, 'TARGET'::bytea);`)
    await runRestore(target, { kind: 'file', path: file }, { allowNonEmpty: true })
    expect(
      await server.query(
        target,
        `SELECT oid::int8 AS oid, encode(lo_get(oid), 'escape') AS data FROM pg_largeobject_metadata ORDER BY oid`
      )
    ).toEqual([
      { oid: String(OID + 31), data: 'OWNED' },
      { oid: String(OID + 32), data: 'TARGET' }
    ])
    await server.dropDatabase(target)
    await server.dropDatabase(source)
  })

  it('a directory archive whose blobs toc was cut at a line end: restored as pg_restore does, the large objects it lost named (attacker a100 F1)', async () => {
    const source = await server.createDatabase()
    await server.query(
      source,
      `CREATE TABLE public.notes (id integer, file oid);
       INSERT INTO public.notes SELECT i, lo_from_bytea(${OID + 40} + i, ('file ' || i)::bytea) FROM generate_series(1, 3) i;`
    )
    const dir = path.join(files, 'lo-cut-toc')
    execFileSync(path.join(server.binDir, 'pg_dump'), ['-Fd', '-Z0', '-f', dir], {
      env: server.env(source)
    })
    const toc = path.join(
      dir,
      readdirSync(dir).find(f => /^blobs.*\.toc$/.test(f))!
    )
    writeFileSync(toc, `${readFileSync(toc, 'latin1').split('\n')[0]}\n`)
    const target = await server.createDatabase()
    const result = await runRestore(target, { kind: 'file', path: dir })
    expect(result.warnings.join('\n')).toMatch(
      new RegExp(
        `the directory archive's table of contents creates 2 large objects that no blobs toc lists \\(OID ${OID + 42}, ${OID + 43}\\): pg_restore creates them empty, as it would by hand`
      )
    )
    expect(
      await server.query(
        target,
        `SELECT oid::int8 AS oid, encode(lo_get(oid), 'escape') AS data FROM pg_largeobject_metadata ORDER BY oid`
      )
    ).toEqual([
      { oid: String(OID + 41), data: 'file 1' },
      { oid: String(OID + 42), data: '' },
      { oid: String(OID + 43), data: '' }
    ])
    await server.dropDatabase(target)
    await server.dropDatabase(source)
  })

  it.each<[string, Partial<RestoreOptions>]>([
    ['tables', { tables: ['notes'] }],
    ['schemas', { schemas: ['public'] }],
    ['tables, data-only', { tables: ['notes'], dataOnly: true }]
  ])(
    "%s: the backup's large objects left out (as pg_restore -t / -n), said (trial u64 F2)",
    async (_s, selection) => {
      const source = await server.createDatabase()
      await server.query(
        source,
        `CREATE TABLE public.notes (id integer, file oid, "Scan" oid);
       INSERT INTO public.notes SELECT 1, lo_from_bytea(0, 'upload'), NULL;
       INSERT INTO public.notes SELECT 2, lo_from_bytea(0, 'upload 2'), lo_from_bytea(0, 'scan');
       CREATE TABLE public.plain (id integer);`
      )
      const file = path.join(files, 'lo-selection.dump')
      execFileSync(path.join(server.binDir, 'pg_dump'), ['-Fc', '-f', file], {
        env: server.env(source)
      })
      const target = await server.createDatabase()
      if (selection.dataOnly)
        await server.query(target, 'CREATE TABLE public.notes (id integer, file oid, "Scan" oid)')
      const result = await runRestore(
        target,
        { kind: 'file', path: file },
        { ...selection, allowNonEmpty: selection.dataOnly === true }
      )
      expect(
        await server.query(target, 'SELECT count(*)::int AS n FROM pg_largeobject_metadata')
      ).toEqual([{ n: 0 }])
      const warnings = result.warnings.join('\n')
      expect(warnings).toMatch(
        /(tables|schemas): the backup's 3 large objects are not restored: .*as pg_restore --(table|schema) does\)\. The restored columns public\.notes\.file \(oid\), public\.notes\.Scan \(oid\) can refer to them .*run pg_restore -L by hand with a list of the table's entries and the backup's BLOB and BLOBS entries/
      )
      // the rows that point to nothing, counted after the load (trial u65 F2)
      expect(warnings).toContain(
        "Restored rows refer to large objects the target lacks (the restore by name left the backup's out, as pg_restore does): public.notes.file: 2 of 2 rows with a value; public.notes.Scan: 1 of 1 row with a value."
      )
      await server.dropDatabase(target)
      await server.dropDatabase(source)
    }
  )

  it("pg_dump's own backup of a function that calls lo_open(its argument) restores, into an empty database and with clean over its source (attacker a103 F6)", async () => {
    const source = await server.createDatabase()
    await server.query(
      source,
      `CREATE TABLE public.files (id integer, f oid);
       INSERT INTO public.files SELECT 1, lo_from_bytea(0, 'upload');
       CREATE FUNCTION public.opened(o oid) RETURNS integer LANGUAGE sql AS $$ SELECT lo_open(o, 262144) $$;`
    )
    const dump = (name: string, args: string[]): BackupSource => {
      const file = path.join(files, name)
      execFileSync(path.join(server.binDir, 'pg_dump'), [...args, '-f', file], {
        env: server.env(source)
      })
      return { kind: 'file', path: file }
    }
    for (const backup of [dump('lo-function.dump', ['-Fc']), dump('lo-function.sql', ['-Fp'])]) {
      const target = await server.createDatabase()
      await runRestore(target, backup)
      expect(
        await server.query(target, `SELECT encode(lo_get(f), 'escape') AS data FROM public.files`)
      ).toEqual([{ data: 'upload' }])
      await server.dropDatabase(target)
    }
    await runRestore(source, dump('lo-function-clean.sql', ['-Fp', '--clean']), { clean: true })
    expect(
      await server.query(source, `SELECT encode(lo_get(f), 'escape') AS data FROM public.files`)
    ).toEqual([{ data: 'upload' }])
    await server.dropDatabase(source)
  })

  it("allow-non-empty: a script's lo_put into the target's own large object, where no table of the target holds rows: refused (attacker a103 F5)", async () => {
    const script = write(
      'lo-put.sql',
      `CREATE TABLE public.notes (id integer);
SELECT pg_catalog.lo_put('${OID + 31}', 0, '\\x5858');
`
    )
    await expectRefused(
      `SELECT lo_from_bytea(${OID + 31}, 'ONLY LO'::bytea);`,
      script,
      /can write to tables or large objects other than those the restore checks, and the target database '[^']+' holds 1 large object of its own: .*lo_put/,
      { allowNonEmpty: true }
    )
  })

  it('into an empty database the plain script fails as by hand (no large object of that OID)', async () => {
    const target = await server.createDatabase()
    const error = await runRestore(target, script).then(
      () => undefined,
      (e: unknown) => e as Error
    )
    expect(error?.message).toMatch(/large object \d+ does not exist/)
    await server.dropDatabase(target)
  })
})

describe('allow-non-empty: what the docs say it does not check (action.yml, README)', () => {
  it("hostile.sql with allow-non-empty: its UPDATE of a table with rows is refused; without it, its other statements on the target's objects (DROP, ALTER, COMMENT) run and are rolled back by the net, named", async () => {
    const target = await server.createDatabase()
    await server.query(
      target,
      `${ACCOUNTS} CREATE TABLE public.victim (id integer); INSERT INTO public.victim VALUES (7);`
    )
    // a statement writing rows into a table of the target with rows is checked like a data-only
    // backup's COPY: refused before anything runs
    await expect(
      runRestore(target, fixture('hostile.sql'), { allowNonEmpty: true, noPrivileges: true })
    ).rejects.toThrow(/has 1 of them that is not empty: public\.accounts \(2 rows\)/)
    const withoutUpdate = write(
      'hostile-no-update.sql',
      readFileSync(path.join(fixtures, 'hostile.sql'), 'utf8').replace(/^UPDATE .*\n/m, '')
    )
    // with privileges kept, its ALTER DEFAULT PRIVILEGES (of the restoring role, which owns the
    // target's tables) is refused, and the one transaction keeps nothing
    await expect(runRestore(target, withoutUpdate, { allowNonEmpty: true })).rejects.toThrow(
      /ALTER DEFAULT PRIVILEGES GRANT ALL ON TABLES TO PUBLIC; — with allow-non-empty/
    )
    expect(await server.query(target, "SELECT to_regclass('public.victim') AS t")).toEqual([
      { t: 'victim' }
    ])
    // the DROP, ALTER and COMMENT ran in the restore's transaction: the net (unchanged.ts) names
    // them before COMMIT and rolls back
    await expect(
      runRestore(target, withoutUpdate, { allowNonEmpty: true, noPrivileges: true })
    ).rejects.toThrow(
      /the restore changed objects of the target that the backup does not own — .*public\.victim: dropped/
    )
    expect(await server.query(target, 'SELECT secret FROM public.accounts ORDER BY id')).toEqual([
      { secret: 'mine' },
      { secret: 'also mine' }
    ])
    expect(await server.query(target, "SELECT to_regclass('public.victim') AS t")).toEqual([
      { t: 'victim' }
    ])
    await server.dropDatabase(target)
  })
})

describe('allow-non-empty: ALTER DEFAULT PRIVILEGES of a role of the target', () => {
  const script = `CREATE TABLE public.adp_new (id integer);
ALTER TABLE public.adp_new OWNER TO adp_backup;
ALTER DEFAULT PRIVILEGES FOR ROLE adp_site IN SCHEMA public GRANT SELECT ON TABLES TO PUBLIC;
`
  const defaultAcl = (db: string) =>
    server.query(
      db,
      'SELECT pg_get_userbyid(defaclrole)::text AS role FROM pg_default_acl ORDER BY 1'
    )

  it('of a role that owns objects in a non-empty target: refused, naming the statement and no-privileges; with no-privileges: true, or into an empty target, it restores', async () => {
    await server.query(
      'postgres',
      `DO $$BEGIN CREATE ROLE adp_site NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END$$;
       DO $$BEGIN CREATE ROLE adp_backup NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END$$;`
    )
    const source = write('adp.sql', script)
    const target = await server.createDatabase()
    await server.query(
      target,
      'CREATE TABLE public.site_data (id integer); ALTER TABLE public.site_data OWNER TO adp_site;'
    )
    const error = await runRestore(target, source, { allowNonEmpty: true }).then(
      () => undefined,
      (e: unknown) => e as Error
    )
    expect(error?.message).toMatch(
      /ALTER DEFAULT PRIVILEGES FOR ROLE adp_site IN SCHEMA public GRANT SELECT ON TABLES TO PUBLIC; — with allow-non-empty: true this changes the default privileges of a role of the target \(role "adp_site" owns objects in the target\)/
    )
    expect(error?.message).toContain("Set 'no-privileges: true'")
    expect(await defaultAcl(target)).toEqual([])
    expect(await server.query(target, "SELECT to_regclass('public.adp_new') AS t")).toEqual([
      { t: null }
    ])
    await runRestore(target, source, { allowNonEmpty: true, noPrivileges: true })
    expect(await defaultAcl(target)).toEqual([])
    await server.dropDatabase(target)
    // an empty target: as before, the default privileges are restored
    const empty = await server.createDatabase()
    await runRestore(empty, source)
    expect(await defaultAcl(empty)).toEqual([{ role: 'adp_site' }])
    await server.dropDatabase(empty)
  })

  it("that the target holds already (a Supabase project's own, in every pg_dump of public): restored, nothing changed (trial u63 F5)", async () => {
    const supabase = write(
      'adp-same.sql',
      `CREATE TABLE public.adp_same (id integer);
ALTER DEFAULT PRIVILEGES FOR ROLE adp_site IN SCHEMA public GRANT ALL ON TABLES TO adp_backup;
ALTER DEFAULT PRIVILEGES FOR ROLE adp_site IN SCHEMA public GRANT ALL ON SEQUENCES TO adp_backup;
ALTER DEFAULT PRIVILEGES FOR ROLE adp_site IN SCHEMA public GRANT SELECT ON TABLES TO PUBLIC;
`
    )
    const target = await server.createDatabase()
    await server.query(
      target,
      `CREATE TABLE public.site_data (id integer); ALTER TABLE public.site_data OWNER TO adp_site;
       ALTER DEFAULT PRIVILEGES FOR ROLE adp_site IN SCHEMA public GRANT ALL ON TABLES TO adp_backup;
       ALTER DEFAULT PRIVILEGES FOR ROLE adp_site IN SCHEMA public GRANT ALL ON SEQUENCES TO adp_backup;
       ALTER DEFAULT PRIVILEGES FOR ROLE adp_site IN SCHEMA public GRANT SELECT ON TABLES TO PUBLIC;`
    )
    const acl = () =>
      server.query(
        target,
        'SELECT defaclobjtype::text AS t, defaclacl::text AS acl FROM pg_default_acl ORDER BY 1'
      )
    const before = await acl()
    await runRestore(target, supabase, { allowNonEmpty: true })
    expect(await acl()).toEqual(before)
    expect(await server.query(target, "SELECT to_regclass('public.adp_same')::text AS t")).toEqual([
      { t: 'adp_same' }
    ])
    // one privilege more than the target's: refused as before
    const more = write(
      'adp-more.sql',
      `CREATE TABLE public.adp_more (id integer);
ALTER DEFAULT PRIVILEGES FOR ROLE adp_site IN SCHEMA public GRANT INSERT ON TABLES TO PUBLIC;
`
    )
    await expect(runRestore(target, more, { allowNonEmpty: true })).rejects.toThrow(
      /GRANT INSERT ON TABLES TO PUBLIC; — with allow-non-empty: true this changes the default privileges of a role of the target/
    )
    await server.dropDatabase(target)
  })
})

describe("an archive's objects the target already has, no tables (trial u61 F3)", () => {
  let archive: BackupSource
  beforeAll(async () => {
    const source = await server.createDatabase()
    await server.query(
      source,
      `CREATE TYPE public.mood AS ENUM ('a', 'b');
       CREATE DOMAIN public.email AS text CHECK (VALUE LIKE '%@%');
       CREATE FUNCTION public.calc(integer) RETURNS integer LANGUAGE sql AS 'select $1';
       CREATE TABLE public.p (id integer, m public.mood);
       INSERT INTO public.p VALUES (1, 'a');`
    )
    const dump = path.join(files, 'objects.dump')
    await runTool(path.join(server.binDir, 'pg_dump'), ['-Fc', '-f', dump], server.env(source))
    archive = file(dump)
  })

  it.each([
    ['a type', `CREATE TYPE public.mood AS ENUM ('x');`, 'type public.mood'],
    ['a domain', `CREATE DOMAIN public.email AS text;`, 'type public.email']
  ])('%s: refused before anything runs, as a plain script is', async (_what, setup, named) => {
    await expectRefused(
      setup,
      archive,
      new RegExp(
        `is not empty: it holds objects the backup's statements change — ${named.replace('.', '\\.')}\\. Nothing was changed`
      )
    )
  })

  it('into an empty database it restores', async () => {
    const target = await server.createDatabase()
    await runRestore(target, archive)
    expect(await server.query(target, 'SELECT m::text FROM public.p')).toEqual([{ m: 'a' }])
    await server.dropDatabase(target)
  })

  it("a target with another overload of the archive's function, or a function named like its type: restored beside them, as pg_restore by hand does (attacker a102 F3)", async () => {
    const target = await server.createDatabase()
    await server.query(
      target,
      `CREATE FUNCTION public.calc(text) RETURNS text LANGUAGE sql AS 'select $1';
       CREATE FUNCTION public.mood(text) RETURNS text LANGUAGE sql AS 'select $1';`
    )
    await runRestore(target, archive)
    expect(
      await server.query(
        target,
        "SELECT count(*)::int AS n FROM pg_proc WHERE proname = 'calc' AND pronamespace = 'public'::regnamespace"
      )
    ).toEqual([{ n: 2 }])
    await server.dropDatabase(target)
  })
})

describe("pg_dump --clean --if-exists: the script's DROPs meet the target's own objects", () => {
  const VIEW_AND_FUNCTION = `CREATE VIEW public.rep AS SELECT 'MINE'::text AS who;
    CREATE FUNCTION public.calc() RETURNS text LANGUAGE sql AS $$select 'mine'$$;`

  it('a target with no tables but the view and function the script drops: refused, naming them', async () => {
    await expectRefused(
      VIEW_AND_FUNCTION,
      fixture('clean.sql'),
      /is not empty: it holds objects the backup's statements change — function public\.calc, view public\.rep\. Nothing was changed\. Set 'clean: true'/
    )
  })

  it('a target holding 45 functions the script replaces: the refusal names 20 and says how many more, the advice in sight (trial u45 F6: a 5 KB paragraph)', async () => {
    const n = Array.from({ length: 45 }, (_, i) => String(i).padStart(2, '0'))
    const fs = n.map(
      i => `CREATE FUNCTION public.f${i}() RETURNS int LANGUAGE sql AS 'select ${i}';`
    )
    const script = write(
      'many-functions.sql',
      n
        .map(
          i => `CREATE OR REPLACE FUNCTION public.f${i}() RETURNS int LANGUAGE sql AS 'select 100';`
        )
        .join('\n')
    )
    await expectRefused(
      fs.join(' '),
      script,
      /it holds objects the backup's statements change — function public\.f00, (?:function public\.f\d\d, ){18}function public\.f19, and 25 more\. Nothing was changed\. Set 'clean: true'/
    )
  })

  it('a target with a table besides: refused', async () => {
    await expectRefused(
      `${VIEW_AND_FUNCTION} ${ACCOUNTS}`,
      fixture('clean.sql'),
      /public\.accounts \(2 rows\); and objects the backup's statements change: function public\.calc, view public\.rep/
    )
  })

  it('into an empty database it restores', async () => {
    const target = await server.createDatabase()
    await runRestore(target, fixture('clean.sql'))
    expect(
      await server.query(target, 'SELECT public.calc() AS c, (SELECT who FROM public.rep) AS w')
    ).toEqual([{ c: 'backup', w: 'FROM BACKUP' }])
    await server.dropDatabase(target)
  })
})

describe('data-only backups that set sequences are guarded without flags too', () => {
  const SEQUENCE_AND_ROWS = `CREATE SCHEMA app; CREATE SEQUENCE public.s; CREATE SEQUENCE app.s;
    SELECT setval('public.s', 5); SELECT setval('app.s', 5);
    CREATE TABLE app.orders (id integer); INSERT INTO app.orders VALUES (1), (2);`

  it('seqonly2.sql (pg_dump --data-only -t public.s): refused, the sequence keeps its value', async () => {
    await expectRefused(
      SEQUENCE_AND_ROWS,
      fixture('seqonly2.sql'),
      /holds objects the backup's statements change — sequence public\.s\./
    )
  })

  it('a custom archive of pg_dump -Fc --data-only -t app.s: refused', async () => {
    const source = await server.createDatabase()
    await server.query(
      source,
      `CREATE SCHEMA app; CREATE SEQUENCE app.s; SELECT setval('app.s', 999999);`
    )
    const dump = path.join(files, 'seqonly.dump')
    await runTool(
      path.join(server.binDir, 'pg_dump'),
      ['-Fc', '--data-only', '-t', 'app.s', '-f', dump],
      server.env(source)
    )
    await expectRefused(
      SEQUENCE_AND_ROWS,
      file(dump),
      /app\.orders \(2 rows\); and objects the backup's statements change: sequence app\.s/
    )
    await server.dropDatabase(source)
  })
})

describe('hand-written scripts: every schema their statements reach', () => {
  const APP = `CREATE SCHEMA app; CREATE TABLE app.accounts (id integer, secret text);
    INSERT INTO app.accounts VALUES (1, 'mine');`

  it.each([
    ['hand2.sql (a qualified name in an UPDATE)', fixture('hand2.sql')],
    [
      'SET search_path',
      { text: "SET search_path = App, public;\nUPDATE accounts SET secret = 'x';\n" }
    ],
    [
      "set_config('search_path', …)",
      { text: "SELECT set_config('search_path', '\"app\"', false);\nDELETE FROM accounts;\n" }
    ],
    ['a quoted name', { text: 'TRUNCATE "app"."accounts";\n' }],
    ['DROP SCHEMA', { text: 'DROP SCHEMA app CASCADE;\n' }],
    [
      'a function body',
      {
        text: 'CREATE FUNCTION public.g() RETURNS void LANGUAGE sql AS $$DELETE FROM APP.accounts$$;\nSELECT public.g();\n'
      }
    ]
  ] as const)('%s: refused', async (name, how) => {
    const source = 'text' in how ? write(`${name.replace(/\W+/g, '-')}.sql`, how.text) : how
    await expectRefused(APP, source, /app\.accounts \(1 row\)/)
  })
})

describe('custom archives: the schemas and objects their entries’ SQL reaches', () => {
  /** A custom archive whose only entry is a TABLE public.evil with `defn` (no data). */
  function archive(name: string, defn: string): BackupSource {
    const p = path.join(files, name)
    writeFileSync(
      p,
      writeArchive({
        minor: 14,
        serverVersion: '15.18',
        pgDumpVersion: '15.18',
        entries: [
          {
            dumpId: 1,
            tag: 'ENCODING',
            desc: 'ENCODING',
            section: 1,
            defn: "SET client_encoding = 'UTF8';\n",
            dataState: 3
          },
          {
            dumpId: 2,
            tag: 'evil',
            desc: 'TABLE',
            namespace: 'public',
            section: 2,
            defn,
            dropStmt: 'DROP TABLE public.evil;\n',
            dataState: 3
          }
        ]
      })
    )
    return file(p)
  }
  const APP = `CREATE SCHEMA app; CREATE TABLE app.accounts (id integer, secret text);
    INSERT INTO app.accounts VALUES (1, 'mine');
    CREATE FUNCTION app.f() RETURNS integer LANGUAGE sql AS 'select 1';`

  it('an entry that UPDATEs a table in another schema: refused', async () => {
    await expectRefused(
      APP,
      archive(
        'update.dump',
        "CREATE TABLE public.evil (id integer);\nUPDATE app.accounts SET secret = 'x';\n"
      ),
      /app\.accounts \(1 row\)/
    )
  })

  it('an entry that replaces a function of the target (no tables in public): refused, naming it', async () => {
    await expectRefused(
      APP,
      archive(
        'replace.dump',
        "CREATE TABLE public.evil (id integer);\nCREATE OR REPLACE FUNCTION app.f() RETURNS integer LANGUAGE sql AS 'select 666';\n"
      ),
      /app\.accounts \(1 row\); and objects the backup's statements change: function app\.f/
    )
  })
})

describe('clean: every dependent counts', () => {
  it('more than 100 dependents (PostgreSQL names 100, then "and N other objects"): the true count', async () => {
    const views = Array.from(
      { length: 150 },
      (_, i) => `CREATE VIEW public.v${i} AS SELECT id FROM public.t;`
    ).join('\n')
    await expectRefused(
      `CREATE TABLE public.t (id integer); ${views}`,
      write('t.sql', 'CREATE TABLE public.t (id integer);\n'),
      /clean would drop 150 objects that are not in the backup but depend on objects it recreates: .*; and 130 more\. Nothing was changed/,
      { clean: true }
    )
  })
})

describe('allow-non-empty: a CREATE TABLE of a name the target has is refused before anything is sent', () => {
  const dumps = {} as Record<'plain' | 'custom' | 'directory' | 'largeObject', BackupSource>
  const TABLES = `CREATE TABLE public.accounts (id integer PRIMARY KEY, secret text);
    INSERT INTO public.accounts VALUES (1, 'from the backup');
    CREATE TABLE public.orders (id integer); INSERT INTO public.orders VALUES (1);
    CREATE SCHEMA app; CREATE TABLE app.items (id integer); INSERT INTO app.items VALUES (7);
    CREATE TABLE public.t1 (id integer); CREATE TABLE public.t2 (id integer);
    CREATE TABLE public.t3 (id integer); CREATE TABLE public.t4 (id integer);
    CREATE TABLE public.t5 (id integer);`

  async function pgDump(database: string, name: string, args: string[]): Promise<BackupSource> {
    const out = path.join(files, name)
    await runTool(path.join(server.binDir, 'pg_dump'), [...args, '-f', out], server.env(database))
    return file(out)
  }

  beforeAll(async () => {
    const source = await server.createDatabase()
    await server.query(source, TABLES)
    dumps.plain = await pgDump(source, 'taken.sql', [])
    dumps.custom = await pgDump(source, 'taken.dump', ['-Fc'])
    dumps.directory = await pgDump(source, 'taken.dir', ['-Fd'])
    // a large object keeps an archive on the gated psql path (pg_restore -d loads the others)
    await server.query(source, `SELECT lo_from_bytea(0, 'a large object')`)
    dumps.largeObject = await pgDump(source, 'taken-lo.dump', ['-Fc'])
    await server.dropDatabase(source)
  })

  it.each(['plain', 'custom', 'directory', 'largeObject'] as const)(
    '%s: the taken names listed (a view too), with what to do; the target unchanged',
    async kind => {
      await expectRefused(
        `${ACCOUNTS} CREATE VIEW public.orders AS SELECT 1 AS id;`,
        dumps[kind],
        /the backup creates 2 tables whose names are taken in the target database '[^']+': public\.accounts, public\.orders \(a view\)\. allow-non-empty: true restores next to the target's objects, not over them: .* Nothing was changed\. Set 'clean: true' to drop and replace them, drop or rename them in the target first, restore into an empty database, or restore other tables/,
        { allowNonEmpty: true }
      )
    }
  )

  it('the same backup restored twice: five names shown, and how many more', async () => {
    const target = await server.createDatabase()
    await runRestore(target, dumps.custom)
    const before = await snapshot(target)
    const error = await runRestore(target, dumps.custom, { allowNonEmpty: true }).then(
      () => undefined,
      (e: unknown) => e as Error
    )
    expect(error?.message).toMatch(
      /creates 8 tables whose names are taken in the target database '[^']+': app\.items, public\.accounts, public\.orders, public\.t1, public\.t2, and 3 more\./
    )
    expect(await snapshot(target)).toEqual(before)
    // clean: true replaces them, as the message says
    await runRestore(target, dumps.custom, { clean: true })
    expect(await server.query(target, 'SELECT secret FROM public.accounts')).toEqual([
      { secret: 'from the backup' }
    ])
    await server.dropDatabase(target)
  })

  it.each(['plain', 'custom', 'largeObject'] as const)(
    '%s: a schema that exists, with a table of the target in it, is not refused',
    async kind => {
      const target = await server.createDatabase()
      await server.query(
        target,
        'CREATE SCHEMA app; CREATE TABLE app.other (id integer); INSERT INTO app.other VALUES (42);'
      )
      await runRestore(target, dumps[kind], { allowNonEmpty: true })
      expect(
        await server.query(
          target,
          'SELECT (SELECT id FROM app.other) AS other, (SELECT id FROM app.items) AS item'
        )
      ).toEqual([{ other: 42, item: 7 }])
      await server.dropDatabase(target)
    }
  )

  it("pg_dump --clean --if-exists's DROP before its CREATE replaces the table; CREATE TABLE IF NOT EXISTS does not make the target's table the backup's (the net: its rows stay)", async () => {
    const target = await server.createDatabase()
    await server.query(target, ACCOUNTS)
    await expect(
      runRestore(
        target,
        write(
          'if-not-exists.sql',
          `CREATE TABLE IF NOT EXISTS public.accounts (id integer PRIMARY KEY, secret text);
         INSERT INTO public.accounts VALUES (3, 'appended');\n`
        ),
        { allowNonEmpty: true }
      )
    ).rejects.toThrow(
      // refused before anything is sent: the table stays the target's, and it holds rows
      // (attacker a68 F4: with clean too), no longer left to the net
      /the backup holds rows for 1 table it does not create [^]*public\.accounts \(2 rows\)[^]*nothing was changed/
    )
    expect(await server.query(target, 'SELECT id FROM public.accounts ORDER BY id')).toEqual([
      { id: 1 },
      { id: 2 }
    ])
    const source = await server.createDatabase()
    await server.query(source, TABLES)
    const cleaning = await pgDump(source, 'taken-clean.sql', ['--clean', '--if-exists'])
    await server.dropDatabase(source)
    // the backup's schema app is named like the server's role app (F20): clean replaces it
    await runRestore(target, cleaning, { allowNonEmpty: true, clean: true })
    expect(await server.query(target, 'SELECT secret FROM public.accounts')).toEqual([
      { secret: 'from the backup' }
    ])
    await server.dropDatabase(target)
  })
})
