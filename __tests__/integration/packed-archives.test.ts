/**
 * Archives as users pack them, restored as pg_restore reads them, with the pg_restore the
 * archive needs (found on PATH, as a runner has it): a tar-format archive of pg_dump 18 (-Ft), and
 * a directory-format archive (-Fd) tarred or zipped by hand — its folder (tar czf x.tar.gz
 * dumpdir) or the folder's files (tar -C dumpdir -czf x.tar.gz ., zip of the contents). Real
 * pg_dump/pg_restore 18, Debian's 15 server; every row and large object is compared.
 *
 * Before: -Ft was unpacked as a directory archive (pg_restore 15 chosen: "unsupported version
 * (1.16) in file header"; with pg_restore 18: "could not open large object TOC file
 * …/directory/3626.dat", -Ft names its files otherwise); a tar of the folder refused ("holds its
 * table of contents as dirdump/toc.dat"); tar -C dumpdir . got pg_restore 15; a zip of the
 * folder's files refused ("holds 9 files and no manifest.json").
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { TestServer } from '../../dev/postgres.js'
import { CheckError } from '../../src/errors.js'
import { loadBackup } from '../../src/postgres/load.js'
import { provisionedClient } from '../support/clients.js'
import { LOAD_OPTIONS, serverLoadPlan } from '../support/direct-load.js'
import { useHarness } from '../support/harness.js'
import { testRestoreInputs } from '../support/inputs.js'

const harness = useHarness({ name: 'packed-archives' })
let source: string
let want: Content
let client18: { binDir: string; version: string }
let dumpDir: string
let names = 0

interface Content {
  docs: string
  items: string
  objects: string
  objectsMd5: string
}

async function content(server: TestServer, db: string): Promise<Content> {
  const [row] = await server.query<Content>(
    db,
    `SELECT (SELECT count(*) FROM app.docs)::text AS docs,
            (SELECT count(*) FROM app.items)::text AS items,
            (SELECT count(*) FROM pg_largeobject_metadata)::text AS objects,
            (SELECT md5(string_agg(md5(lo_get(oid)), ',' ORDER BY oid)) FROM pg_largeobject_metadata)
              AS "objectsMd5"`
  )
  return row
}

beforeAll(async () => {
  const c = provisionedClient(18)
  if ('missing' in c) throw new Error(c.missing)
  client18 = c
  const server = harness.server
  source = await server.createDatabase()
  await server.query(
    source,
    `CREATE SCHEMA app;
     CREATE TABLE app.docs (id integer PRIMARY KEY, body oid NOT NULL);
     INSERT INTO app.docs SELECT g, lo_from_bytea(0, convert_to('document ' || g, 'UTF8'))
       FROM generate_series(1, 5) g;
     CREATE TABLE app.items (id serial PRIMARY KEY, name text);
     INSERT INTO app.items (name) SELECT 'item ' || g FROM generate_series(1, 40) g;`
  )
  want = await content(server, source)
  expect(want).toMatchObject({ docs: '5', items: '40', objects: '5' })
  dumpDir = path.join(harness.work, 'packed', 'dumpdir')
  mkdirSync(path.dirname(dumpDir), { recursive: true })
  pgDump(['-Fd', '-f', dumpDir])
}, 120_000)

function pgDump(args: string[]): void {
  execFileSync(path.join(client18.binDir, 'pg_dump'), [...args, source], {
    env: harness.server.env(source)
  })
}

/** A file of the packed folder: `make(file)` writes it. */
function packed(name: string, make: (file: string) => void): string {
  const file = path.join(harness.work, 'packed', `${++names}-${name}`)
  make(file)
  return file
}

/**
 * Restores `file` with pg_restore 18 first on PATH (Debian's 15 in /usr/lib/postgresql too, as
 * the user's runner had them), no pg-bin-dir: the client the action chooses, and what arrived.
 */
async function restore(file: string, jobs = 1): Promise<{ client: string; content: Content }> {
  const server = harness.server
  const target = await server.createDatabase()
  const path0 = process.env.PATH
  process.env.PATH = `${client18.binDir}${path.delimiter}${path0}`
  try {
    const result = await harness.restore(
      testRestoreInputs(
        server.url(target),
        { kind: 'file', path: file },
        jobs > 1 ? { jobs, singleTransaction: false } : {}
      )
    )
    return { client: result.clientVersion, content: await content(server, target) }
  } finally {
    process.env.PATH = path0
  }
}

describe('a tar-format archive of pg_dump 18 (-Ft)', () => {
  it.each([1, 2])(
    'jobs: %i — pg_restore 18 reads it as it is: every row and large object',
    async jobs => {
      const file = packed('t.tar', f => pgDump(['-Ft', '-f', f]))
      expect(await restore(file, jobs)).toEqual({ client: client18.version, content: want })
    }
  )
})

describe('a tar-format archive whose toc.dat is not the one the check read (plan.checkedToc)', () => {
  it('refused before anything loads; the same bytes load', async () => {
    const server = harness.server
    const tar = packed('checked.tar', f =>
      execFileSync(path.join(server.binDir, 'pg_dump'), ['-Ft', '-f', f, source], {
        env: server.env(source)
      })
    )
    const checked = execFileSync('tar', ['-xOf', tar, 'toc.dat'])
    const other = packed('other.tar', f =>
      execFileSync(
        path.join(server.binDir, 'pg_dump'),
        ['-Ft', '--data-only', '--table=app.items', '-f', f, source],
        { env: server.env(source) }
      )
    )
    const load = (checkedToc: Buffer, database: string) =>
      loadBackup(
        { path: tar },
        { ...serverLoadPlan(server), format: 'tar', checkedToc },
        {
          env: server.env(database) as Record<string, string>,
          database,
          serverMajor: server.major
        },
        LOAD_OPTIONS,
        mkdtempSync(path.join(harness.work, 'work-'))
      )
    const target = await server.createDatabase()
    const error = await load(execFileSync('tar', ['-xOf', other, 'toc.dat']), target).catch(
      (e: unknown) => e
    )
    expect(error).toBeInstanceOf(CheckError)
    expect((error as Error).message).toMatch(
      /table of contents changed between its check and its load/
    )
    const none = await server.query<{ n: string }>(
      target,
      "SELECT count(*)::text AS n FROM pg_namespace WHERE nspname = 'app'"
    )
    expect(none).toEqual([{ n: '0' }])
    const same = await server.createDatabase()
    await load(checked, same)
    expect(await content(server, same)).toEqual(want)
  })
})

/** One tar header block (ustar, checksummed) for a member of `size` bytes of type `type`. */
function tarHeader(name: string, size: number, type = '0'): Buffer {
  const header = Buffer.alloc(512)
  header.write(name, 0, 'latin1')
  header.write('0000600\0', 100, 'latin1')
  header.write('0000000\0', 108, 'latin1')
  header.write('0000000\0', 116, 'latin1')
  header.write(size.toString(8).padStart(11, '0') + '\0', 124, 'latin1')
  header.write('00000000000\0', 136, 'latin1')
  header.write('        ', 148, 'latin1')
  header.write(type, 156, 'latin1')
  header.write('ustar\x0000', 257, 'latin1')
  let sum = 0
  for (const b of header) sum += b
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1')
  return header
}

const padded = (b: Buffer): Buffer =>
  Buffer.concat([b, Buffer.alloc((512 - (b.length % 512)) % 512)])

describe('a tar-format archive whose members tar and pg_restore read differently (attacker a30 A1)', () => {
  it('a pax header renaming a first toc.dat for tar: refused, nothing loads; the plain archive loads', async () => {
    const server = harness.server
    const good = packed('good.tar', f =>
      execFileSync(path.join(server.binDir, 'pg_dump'), ['-Ft', '-f', f, source], {
        env: server.env(source)
      })
    )
    const checked = execFileSync('tar', ['-xOf', good, 'toc.dat'])
    const other = packed('evil.tar', f =>
      execFileSync(
        path.join(server.binDir, 'pg_dump'),
        ['-Ft', '--schema-only', '--table=app.items', '-f', f, source],
        { env: server.env(source) }
      )
    )
    const evilToc = execFileSync('tar', ['-xOf', other, 'toc.dat'])
    // tar reads the first toc.dat as junk.dat (its pax header), pg_restore as toc.dat
    const pax = Buffer.from('17 path=junk.dat\n', 'latin1') // the record's length, itself included
    const hostile = packed('hostile.tar', f =>
      writeFileSync(
        f,
        Buffer.concat([
          tarHeader('PaxHeaders/toc.dat', pax.length, 'x'),
          padded(pax),
          tarHeader('toc.dat', evilToc.length),
          padded(evilToc),
          readFileSync(good)
        ])
      )
    )
    expect(execFileSync('tar', ['-tf', hostile], { encoding: 'utf8' })).toMatch(/^junk\.dat$/m)
    expect(execFileSync('tar', ['-xOf', hostile, 'toc.dat']).equals(checked)).toBe(true)
    const load = (file: string, database: string) =>
      loadBackup(
        { path: file },
        { ...serverLoadPlan(server), format: 'tar', checkedToc: checked },
        {
          env: server.env(database) as Record<string, string>,
          database,
          serverMajor: server.major
        },
        LOAD_OPTIONS,
        mkdtempSync(path.join(harness.work, 'work-'))
      )
    const target = await server.createDatabase()
    const error = await load(hostile, target).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CheckError)
    expect((error as Error).message).toMatch(
      /the tar-format archive holds a member of type 'x' .*pg_restore and tar would read its members differently\. Nothing was restored/
    )
    expect(
      await server.query<{ n: string }>(
        target,
        "SELECT count(*)::text AS n FROM pg_namespace WHERE nspname = 'app'"
      )
    ).toEqual([{ n: '0' }])
    // the same members without the pax header (the good archive twice over: toc.dat twice)
    const twice = packed('twice.tar', f =>
      writeFileSync(
        f,
        Buffer.concat([tarHeader('toc.dat', evilToc.length), padded(evilToc), readFileSync(good)])
      )
    )
    await expect(load(twice, target)).rejects.toThrow(/holds the member "toc\.dat" twice/)
    // a member after the end-of-archive blocks: pg_restore reads on, tar stops (a31 A7)
    const hidden = packed('hidden.tar', f =>
      writeFileSync(
        f,
        Buffer.concat([
          readFileSync(good),
          tarHeader('9999.dat', 6),
          padded(Buffer.from('x\ty\n\\.\n')),
          Buffer.alloc(1024)
        ])
      )
    )
    await expect(load(hidden, target)).rejects.toThrow(/data after its end-of-archive blocks/)
    const same = await server.createDatabase()
    await load(good, same)
    expect(await content(server, same)).toEqual(want)
  })
})

describe('a directory-format archive of pg_dump 18, packed by hand', () => {
  const dir = (): { cwd: string } => ({ cwd: path.dirname(dumpDir) })
  it.each<[string, (file: string) => void]>([
    [
      'its folder in a tar (tar czf x.tar.gz dumpdir)',
      f => execFileSync('tar', ['-czf', f, 'dumpdir'], dir())
    ],
    [
      'its files in a tar (tar -C dumpdir -czf x.tar.gz .)',
      f => execFileSync('tar', ['-C', dumpDir, '-czf', f, '.'])
    ],
    [
      'its files in a zip (zip of the contents)',
      f => execFileSync('zip', ['-qr', f, '.'], { cwd: dumpDir })
    ],
    ['its folder in a zip', f => execFileSync('zip', ['-qr', f, 'dumpdir'], dir())]
  ])('%s: pg_restore 18, every row and large object', async (_label, make) => {
    const file = packed(_label.includes('zip') ? 'x.zip' : 'x.tar.gz', make)
    expect(await restore(file)).toEqual({ client: client18.version, content: want })
  })

  it('a tar of two archives, or of the folder with a file beside it: refused, naming what it holds', async () => {
    const parent = path.dirname(dumpDir)
    execFileSync('cp', ['-r', dumpDir, path.join(parent, 'other')])
    execFileSync('sh', ['-c', 'echo note > notes.txt'], { cwd: parent })
    for (const members of [
      ['dumpdir', 'other'],
      ['dumpdir', 'notes.txt']
    ]) {
      const file = packed('two.tar.gz', f =>
        execFileSync('tar', ['-czf', f, ...members], { cwd: parent })
      )
      const error = await restore(file).then(
        () => undefined,
        (e: Error) => e
      )
      expect(error?.message).toMatch(/Nothing was restored/)
      expect(error?.message).toMatch(/toc\.dat/)
    }
  })
})
