/**
 * The direct load (src/postgres/load.ts, planDirectLoad/loadDirect): an archive whose script the
 * gate passes whole, with nothing to leave out, is loaded by `pg_restore -d` itself, its rows
 * never through this process's gate; everything else keeps the gated psql path. Checked here on
 * the real 15 server: rows restored equal on both paths, crafted COPY statements and a TOC that
 * changed between check and load, a truncated compressed archive (pg_restore saw most of its
 * data: nothing is kept), a COPY failing on a secret-looking value (not in the message).
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import {
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import path from 'node:path'
import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import zlib from 'node:zlib'
import { randomBytes } from 'node:crypto'
import { PipedFeed } from '../../src/postgres/direct-pipe.js'
import { tableChecksums } from '../../dev/fixtures.js'
import type { TestServer } from '../../dev/postgres.js'
import {
  DirectFeed,
  type LoadHooks,
  type LoadOptions,
  type LoadPlan,
  loadBackup
} from '../../src/postgres/load.js'
import {
  type ArchiveDigestTap,
  digestArchive,
  digestArchiveAlongside
} from '../../src/postgres/compare.js'
import { readArchiveToc } from '../../src/postgres/toc.js'
import { listedEntries } from '../../src/postgres/parallel-restore.js'
import { CheckError } from '../../src/errors.js'
import { rewriteArchiveToc as rewriteEntries } from '../support/archive-writer.js'
import { createEncryptor } from '../../src/pipeline/encrypt.js'
import type { Compression } from '../../src/types.js'
import {
  LOAD_OPTIONS,
  capturedLog,
  loadInto,
  pgDumpBytes,
  serverLoadPlan
} from '../support/direct-load.js'
import { useHarness } from '../support/harness.js'
import { testBackupInputs, testRestoreInputs } from '../support/inputs.js'

const harness = useHarness({ name: 'direct-restore' })
let server: TestServer
let files: string
let source: string
/** pg_dump -Fc -Z0 of `source`, written to a pipe (data offsets not set). */
let piped: Buffer
let names = 0

beforeAll(async () => {
  server = harness.server
  files = path.join(harness.work, 'files')
  mkdirSync(files)
  source = await server.createDatabase('direct_src')
  await server.query(
    source,
    `CREATE TABLE public.t (id integer PRIMARY KEY, v text);
     INSERT INTO public.t SELECT i, 's3cr3t-' || i || repeat('x', 200) FROM generate_series(1, 5000) AS i;
     CREATE TABLE public.u (id integer PRIMARY KEY, v text);
     INSERT INTO public.u VALUES (1, 'one');
     CREATE TABLE public.x (id integer);`
  )
  piped = pgDumpBytes(server, source, ['-Fc', '-Z0'])
}, 60_000)

function load(
  file: string,
  database: string,
  compression: Compression = 'none',
  options: Partial<LoadOptions> = {}
) {
  return loadInto(harness, file, database, options, compression)
}

/** A load of `file` with the plan's fields that Check the backup fills (tocRead, listed). */
function loadWith(
  more: Partial<LoadPlan>,
  file: string,
  database: string,
  options: Partial<LoadOptions> = {}
) {
  return loadBackup(
    { path: file },
    { ...serverLoadPlan(server), ...more },
    { env: server.env(database) as Record<string, string>, database, serverMajor: server.major },
    { ...LOAD_OPTIONS, ...options },
    mkdtempSync(path.join(harness.work, 'work-'))
  )
}

function write(bytes: Buffer): string {
  const p = path.join(files, `archive-${++names}.dump`)
  writeFileSync(p, bytes)
  return p
}

/** The archive with one string of its TOC replaced (its length prefix rewritten). */
function replaceString(archive: Buffer, from: string, to: string): Buffer {
  const at = archive.indexOf(Buffer.from(from))
  expect(at).toBeGreaterThan(5)
  // WriteStr: a sign byte and a 4-byte little-endian length, then the bytes
  expect(archive.readInt32LE(at - 4)).toBe(Buffer.byteLength(from))
  const length = Buffer.alloc(4)
  length.writeInt32LE(Buffer.byteLength(to))
  return Buffer.concat([
    archive.subarray(0, at - 4),
    length,
    Buffer.from(to),
    archive.subarray(at + Buffer.byteLength(from))
  ])
}

async function roleExists(name: string): Promise<boolean> {
  const r = await server.query<{ n: number }>(
    'postgres',
    `SELECT count(*)::int AS n FROM pg_roles WHERE rolname = '${name}'`
  )
  return r[0].n > 0
}

async function tables(database: string): Promise<string[]> {
  const r = await server.query<{ t: string }>(
    database,
    "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
  )
  return r.map(x => x.t)
}

describe('pg_restore -d directly', () => {
  it('a custom archive: loaded directly, its rows equal', async () => {
    const target = await server.createDatabase()
    const result = await load(write(piped), target)
    expect(result).toEqual({ skipped: [], direct: true })
    expect(await tableChecksums(server, target)).toEqual(await tableChecksums(server, source))
  }, 60_000)

  it('jobs: 2 (single-transaction: false): not direct — pg_restore -d --jobs runs statements the gate cannot read; rows equal', async () => {
    const target = await server.createDatabase()
    const compressed = execFileSync('zstd', ['-q', '-c', '-3'], {
      input: piped,
      maxBuffer: 1 << 30
    })
    const out = await capturedLog(async () => {
      const result = await load(write(compressed), target, 'zstd', {
        jobs: 2,
        singleTransaction: false
      })
      expect(result.direct).toBeUndefined()
    })
    expect(out).toMatch(
      /Loading through the script gate into psql: jobs: 2 — pg_restore -d --jobs runs statements of its own/
    )
    expect(await tableChecksums(server, target)).toEqual(await tableChecksums(server, source))
  }, 60_000)

  it('single-transaction: false with jobs: 1: direct (no transaction), rows equal', async () => {
    const target = await server.createDatabase()
    const result = await load(write(piped), target, 'none', { singleTransaction: false })
    expect(result).toEqual({ skipped: [], direct: true })
    expect(await tableChecksums(server, target)).toEqual(await tableChecksums(server, source))
  }, 60_000)

  it('an age-encrypted (passphrase) zstd archive: direct, rows equal', async () => {
    const compressed = execFileSync('zstd', ['-q', '-c', '-3'], {
      input: piped,
      maxBuffer: 1 << 30
    })
    const file = path.join(files, `enc-${++names}.dump.zst.age`)
    await pipeline(
      Readable.from([compressed]),
      createEncryptor({ kind: 'passphrase', passphrase: 'direct passphrase' }),
      createWriteStream(file)
    )
    const target = await server.createDatabase()
    const result = await loadBackup(
      { path: file },
      {
        ...serverLoadPlan(server, 'zstd'),
        decoding: {
          compression: 'zstd',
          decryption: { identities: [], passphrases: ['direct passphrase'] }
        }
      },
      {
        env: server.env(target) as Record<string, string>,
        database: target,
        serverMajor: server.major
      },
      LOAD_OPTIONS,
      mkdtempSync(path.join(harness.work, 'work-'))
    )
    expect(result).toEqual({ skipped: [], direct: true })
    expect(await tableChecksums(server, target)).toEqual(await tableChecksums(server, source))
  }, 120_000)

  it.each(['custom', 'directory'] as const)(
    'through the action (%s, zstd): rows equal, the log names the path',
    async format => {
      const name = `direct-${format}`
      await harness.backup(
        testBackupInputs(server.url(source), {
          artifactName: name,
          format,
          compression: 'zstd',
          compressionLevel: 3
        })
      )
      const target = await server.createDatabase()
      const out = await capturedLog(() =>
        harness.restore(
          testRestoreInputs(server.url(target), {
            kind: 'artifact',
            name,
            runId: 'current',
            repository: harness.backend.repository,
            token: harness.backend.githubToken
          })
        )
      )
      expect(out).toMatch(/Loading with pg_restore -d directly/)
      expect(await tableChecksums(server, target)).toEqual(await tableChecksums(server, source))
    },
    120_000
  )
})

describe('not direct', () => {
  it('a TABLE DATA entry whose COPY names another table: the psql path (as before)', async () => {
    const crafted = replaceString(
      piped,
      'COPY public.u (id, v) FROM stdin;\n',
      'COPY public.x (id, v) FROM stdin;\n'
    )
    const target = await server.createDatabase()
    let result: unknown
    const out = await capturedLog(async () => {
      result = await load(write(crafted), target).catch((e: Error) => e)
    })
    expect(out).toMatch(
      /the data entry \d+ \(public\.u\) is not what pg_dump writes for a table's rows/
    )
    // psql's path runs what the gate passes: COPY into x fails (it has no column v)
    expect(result).toBeInstanceOf(Error)
    expect((result as Error).message).toMatch(/column "v" of relation "x" does not exist/)
    expect(await tables(target)).toEqual([])
  }, 60_000)

  // pg_restore counts an entry with a data dumper as schema and data: it runs a TABLE DATA
  // entry's defn too (before its COPY), and an entry without a dumper runs only its defn
  it.each([
    [
      'SQL of its own (a role)',
      { defn: 'CREATE ROLE direct_evil_a SUPERUSER;\n' },
      'direct_evil_a'
    ],
    ['transaction control', { defn: 'COMMIT;\nCREATE ROLE direct_evil_b;\n' }, 'direct_evil_b'],
    ['a drop statement', { dropStmt: 'CREATE ROLE direct_evil_c;\n' }, 'direct_evil_c'],
    [
      'no data dumper, SQL of its own',
      { hadDumper: 0, defn: 'CREATE ROLE direct_evil_d;\n' },
      'direct_evil_d'
    ]
  ])(
    'a TABLE DATA entry with %s: the psql path, where the gate reads it',
    async (_what, change, role) => {
      const crafted = rewriteEntries(piped, entries =>
        entries.map(e => (e.desc === 'TABLE DATA' && e.tag === 'u' ? { ...e, ...change } : e))
      )
      const target = await server.createDatabase()
      const out = await capturedLog(async () => {
        await load(write(crafted), target).catch((e: Error) => e)
      })
      expect(out).toMatch(
        /Loading through the script gate into psql: the data entry \d+ \(public\.u\) is not what pg_dump writes for a table's rows/
      )
      expect(out).not.toMatch(/Loading with pg_restore -d directly/)
      expect(await roleExists(role)).toBe(false)
    },
    60_000
  )

  it('the same archive rewritten without a change still loads directly (the rewriting keeps it whole)', async () => {
    const same = rewriteEntries(piped, entries => entries)
    expect(same.equals(piped)).toBe(true)
  })

  it('a COPY statement with a second statement after it: not direct (the psql path, as before)', async () => {
    const crafted = replaceString(
      piped,
      'COPY public.u (id, v) FROM stdin;\n',
      'COPY public.u (id, v) FROM stdin; DROP TABLE public.x;\n'
    )
    const target = await server.createDatabase()
    let result: unknown
    const out = await capturedLog(async () => {
      result = await load(write(crafted), target).catch((e: Error) => e)
    })
    expect(out).toMatch(
      /Loading through the script gate into psql: the data entry \d+ \(public\.u\) is not what pg_dump writes/
    )
    // psql's path, whose gate refuses text after "FROM stdin;" on its line (psql would run the
    // DROP after the data, re-attack a43) before psql gets a byte
    expect(result).toBeInstanceOf(Error)
    expect((result as Error).message).toMatch(
      /text after "COPY … FROM stdin;" on its line \("DROP TABLE public\.x;"\)/
    )
    expect(await tables(target)).toEqual([])
  }, 60_000)

  it('the decoded archive does not start with the TOC the check read: refused before pg_restore gets a byte', async () => {
    const { toc } = await readArchiveToc(Readable.from([piped]))
    const other = replaceString(
      piped,
      'COPY public.u (id, v) FROM stdin;\n',
      'COPY "public".u (id, v) FROM stdin;\n'
    )
    const passed: Buffer[] = []
    const fed = pipeline(
      Readable.from([other]),
      new DirectFeed(piped.subarray(0, toc.end)),
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          passed.push(chunk)
          callback()
        }
      })
    )
    await expect(fed).rejects.toThrow(/table of contents changed between its check and its load/)
    expect(passed).toEqual([])
  })

  it("the TOC the backup's check parsed (plan.tocRead) differs from what the load reads: refused, nothing restored", async () => {
    const other = replaceString(
      piped,
      'COPY public.u (id, v) FROM stdin;\n',
      'COPY "public".u (id, v) FROM stdin;\n'
    )
    const target = await server.createDatabase()
    const error = await loadWith(
      { tocRead: await readArchiveToc(Readable.from([other])) },
      write(piped),
      target
    ).catch((e: Error) => e)
    expect(error).toBeInstanceOf(CheckError)
    expect((error as Error).message).toMatch(
      /table of contents changed between its check and its load/
    )
    expect(await tables(target)).toEqual([])
  }, 60_000)

  it("the check's TOC and --list (plan.tocRead, plan.listed) are the load's: equal bytes load directly, an entry left out of the list is not restored", async () => {
    const file = write(piped)
    const lines = execFileSync(path.join(server.binDir, 'pg_restore'), ['--list', file], {
      maxBuffer: 1 << 30
    }).toString()
    // table u: its TABLE, TABLE DATA and key entries ("… TABLE DATA public u owner")
    const listed = listedEntries(
      lines
        .split('\n')
        .filter(l => !/ public u /.test(l))
        .join('\n')
    )
    expect(listed.length).toBeLessThan(listedEntries(lines).length)
    const checked = { tocRead: await readArchiveToc(Readable.from([piped])), listed }
    // no selection ('auto' owners and privileges: pg_restore's own arguments select nothing)
    const target = await server.createDatabase()
    const auto = { noOwner: 'auto', noPrivileges: 'auto' } as const
    expect(await loadWith(checked, file, target, auto)).toEqual({ skipped: [], direct: true })
    expect(await tables(target)).toEqual(['t', 'x'])
    expect(await tableChecksums(server, target)).toEqual(
      Object.fromEntries(
        Object.entries(await tableChecksums(server, source)).filter(([t]) => !/\bu$/.test(t))
      )
    )
    // with a selection (--no-owner --no-privileges) pg_restore --list runs with it again
    const selected = await server.createDatabase()
    expect(await loadWith(checked, file, selected)).toEqual({ skipped: [], direct: true })
    expect(await tables(selected)).toEqual(['t', 'u', 'x'])
  }, 60_000)

  it.each([
    ['a folder (written between Check the backup and the load)', 'directory'],
    ['a tar (a member given twice)', 'directory-tar']
  ] as const)(
    'a directory archive whose toc.dat is not the one Check the backup parsed (plan.checkedToc), %s: refused, nothing restored; the same bytes load',
    async (_what, format) => {
      const dir = path.join(files, `checked-${++names}.dir`)
      execFileSync(path.join(server.binDir, 'pg_dump'), ['-Fd', '-Z0', '-f', dir], {
        env: server.env(source)
      })
      const tar = `${dir}.tar`
      execFileSync('tar', ['-cf', tar, '-C', dir, '.'])
      const dump = format === 'directory' ? { directory: dir } : { path: tar }
      const checked = readFileSync(path.join(dir, 'toc.dat'))
      // the checked TOC of a data-only dump of u: what a second toc.dat member would hold
      const other = path.join(files, `checked-${++names}.dir`)
      execFileSync(
        path.join(server.binDir, 'pg_dump'),
        ['-Fd', '-Z0', '--data-only', '--table=public.u', '-f', other],
        { env: server.env(source) }
      )
      const loadChecked = (checkedToc: Buffer, database: string) =>
        loadBackup(
          dump,
          { ...serverLoadPlan(server), format, checkedToc },
          {
            env: server.env(database) as Record<string, string>,
            database,
            serverMajor: server.major
          },
          LOAD_OPTIONS,
          mkdtempSync(path.join(harness.work, 'work-'))
        )
      const target = await server.createDatabase()
      const error = await loadChecked(readFileSync(path.join(other, 'toc.dat')), target).catch(
        (e: unknown) => e
      )
      expect(error).toBeInstanceOf(CheckError)
      expect((error as Error).message).toMatch(
        /the archive's table of contents changed between its check and its load/
      )
      expect(await tables(target)).toEqual([])
      const same = await server.createDatabase()
      expect(await loadChecked(checked, same)).toEqual({ skipped: [], direct: true })
      expect(await tableChecksums(server, same)).toEqual(await tableChecksums(server, source))
    },
    60_000
  )

  it("a folder's toc.dat replaced after its last comparison, as pg_restore starts: pg_restore reads the private copy of the checked one, and the rows restored are the source's", async () => {
    const dir = path.join(files, `raced-${++names}.dir`)
    execFileSync(path.join(server.binDir, 'pg_dump'), ['-Fd', '-Z0', '-f', dir], {
      env: server.env(source)
    })
    const checked = readFileSync(path.join(dir, 'toc.dat'))
    const other = path.join(files, `raced-${++names}.dir`)
    execFileSync(
      path.join(server.binDir, 'pg_dump'),
      ['-Fd', '-Z0', '--data-only', '--table=public.u', '-f', other],
      { env: server.env(source) }
    )
    // the clients, but pg_restore (not --list: the load itself) first writes another toc.dat into
    // the folder: the window between the action's last look at it and pg_restore's own read
    const bin = path.join(files, `raced-bin-${++names}`)
    mkdirSync(bin)
    for (const program of ['psql', 'pg_dump'])
      execFileSync('ln', ['-s', path.join(server.binDir, program), path.join(bin, program)])
    const swapped = path.join(files, `raced-${names}.swapped`)
    writeFileSync(
      path.join(bin, 'pg_restore'),
      `#!/bin/sh
case " $* " in *" --list "*) ;; *) cp ${JSON.stringify(path.join(other, 'toc.dat'))} ${JSON.stringify(path.join(dir, 'toc.dat'))}; touch ${JSON.stringify(swapped)} ;; esac
exec ${JSON.stringify(path.join(server.binDir, 'pg_restore'))} "$@"
`,
      { mode: 0o755 }
    )
    const plan = serverLoadPlan(server)
    const target = await server.createDatabase()
    const result = await loadBackup(
      { directory: dir },
      {
        ...plan,
        client: { ...plan.client, binDir: bin },
        format: 'directory',
        checkedToc: checked
      },
      {
        env: server.env(target) as Record<string, string>,
        database: target,
        serverMajor: server.major
      },
      LOAD_OPTIONS,
      mkdtempSync(path.join(harness.work, 'work-'))
    )
    // the swap happened (the folder now holds the other TOC), and did not reach pg_restore
    expect(readFileSync(swapped)).toEqual(Buffer.alloc(0))
    expect(readFileSync(path.join(dir, 'toc.dat')).equals(checked)).toBe(false)
    expect(result).toEqual({ skipped: [], direct: true })
    expect(await tableChecksums(server, target)).toEqual(await tableChecksums(server, source))
  }, 60_000)

  it("a folder on another file system (no hard links into the work folder): pg_restore reads the folder itself, its toc.dat compared just before; restored rows are the source's, a toc.dat changed since the check is refused", async () => {
    // /dev/shm is a tmpfs: link() from there into the work folder fails with EXDEV
    const shm = mkdtempSync('/dev/shm/direct-restore-')
    try {
      const dir = path.join(shm, 'folder.dir')
      execFileSync(path.join(server.binDir, 'pg_dump'), ['-Fd', '-Z0', '-f', dir], {
        env: server.env(source)
      })
      const checked = readFileSync(path.join(dir, 'toc.dat'))
      const loadWith = (checkedToc: Buffer, database: string) =>
        loadBackup(
          { directory: dir },
          { ...serverLoadPlan(server), format: 'directory', checkedToc },
          {
            env: server.env(database) as Record<string, string>,
            database,
            serverMajor: server.major
          },
          LOAD_OPTIONS,
          mkdtempSync(path.join(harness.work, 'work-'))
        )
      const target = await server.createDatabase()
      expect(await loadWith(checked, target)).toEqual({ skipped: [], direct: true })
      expect(await tableChecksums(server, target)).toEqual(await tableChecksums(server, source))
      const changed = Buffer.from(checked)
      changed[changed.length - 1] ^= 1
      const other = await server.createDatabase()
      const error = await loadWith(changed, other).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(CheckError)
      expect((error as Error).message).toMatch(/changed between its check and its load/)
      expect(await tables(other)).toEqual([])
    } finally {
      execFileSync('rm', ['-rf', shm])
    }
  }, 60_000)

  // attacker 8 (F21): a data file swapped for a symbolic link after Check the backup looked
  it.each([
    ['in the private folder', () => mkdtempSync(path.join(files, 'swapped-'))],
    ['read in place (another file system)', () => mkdtempSync('/dev/shm/direct-restore-')]
  ])(
    'a data file that became a symbolic link after the check: refused (%s), nothing restored',
    async (_label, parent) => {
      const root = parent()
      try {
        const dir = path.join(root, 'folder.dir')
        execFileSync(path.join(server.binDir, 'pg_dump'), ['-Fd', '-Z0', '-f', dir], {
          env: server.env(source)
        })
        const checked = readFileSync(path.join(dir, 'toc.dat'))
        const data = readdirSync(dir).find(n => /^\d+\.dat$/.test(n))!
        const outside = path.join(root, 'outside.dat')
        writeFileSync(outside, readFileSync(path.join(dir, data)))
        rmSync(path.join(dir, data))
        symlinkSync(outside, path.join(dir, data))
        const target = await server.createDatabase()
        const error = await loadBackup(
          { directory: dir },
          { ...serverLoadPlan(server), format: 'directory', checkedToc: checked },
          {
            env: server.env(target) as Record<string, string>,
            database: target,
            serverMajor: server.major
          },
          LOAD_OPTIONS,
          mkdtempSync(path.join(harness.work, 'work-'))
        ).catch((e: unknown) => e)
        expect((error as Error).message).toMatch(
          new RegExp(`changed after its check: '${data.replace('.', '\\.')}' is a symbolic link`)
        )
        expect(await tables(target)).toEqual([])
      } finally {
        rmSync(root, { recursive: true, force: true })
      }
    },
    60_000
  )

  it('the last 64 KiB reach pg_restore only once the input ended', async () => {
    const { toc } = await readArchiveToc(Readable.from([piped]))
    const feed = new DirectFeed(piped.subarray(0, toc.end))
    const passed: Buffer[] = []
    feed.on('data', (chunk: Buffer) => passed.push(chunk))
    for (let at = 0; at < piped.length; at += 16 * 1024)
      feed.write(piped.subarray(at, at + 16 * 1024))
    await new Promise(resolve => setImmediate(resolve))
    // whole chunks are held: at least 64 KiB, less than 64 KiB and one chunk
    const early = Buffer.concat(passed).length
    expect(piped.length - early).toBeGreaterThanOrEqual(64 * 1024)
    expect(piped.length - early).toBeLessThan(80 * 1024)
    feed.end()
    await new Promise(resolve => feed.on('end', resolve))
    expect(Buffer.concat(passed).equals(piped)).toBe(true)
  })

  it('a truncated zstd archive: pg_restore read most of the data, nothing is kept', async () => {
    const compressed = execFileSync('zstd', ['-q', '-c', '-3'], {
      input: piped,
      maxBuffer: 1 << 30
    })
    const file = write(compressed.subarray(0, compressed.length - 20))
    const target = await server.createDatabase()
    const error = await load(file, target, 'zstd').catch((e: Error) => e)
    expect(error).toBeInstanceOf(Error)
    expect((error as Error).message).toMatch(
      /^the backup could not be read while restoring: .*zstd/
    )
    expect(await tables(target)).toEqual([])
  }, 60_000)

  it('a truncated uncompressed archive: the file is named as cut short, nothing is kept', async () => {
    const file = write(piped.subarray(0, piped.length - 20_000))
    const target = await server.createDatabase()
    const error = await load(file, target).catch((e: Error) => e)
    expect(error).toBeInstanceOf(Error)
    expect((error as Error).message).toMatch(
      new RegExp(`^${path.basename(file)} is cut short \\(truncated\\): .*Nothing was kept`)
    )
    expect(await tables(target)).toEqual([])
  }, 60_000)

  it('a COPY failing on a secret-looking value: the value is not in the message', async () => {
    // t's column v becomes an integer (same length: the data offsets stay right)
    const table = 'CREATE TABLE public.t (\n    id integer NOT NULL,\n    v text\n);'
    expect(piped.includes(table)).toBe(true)
    const crafted = Buffer.from(piped)
    crafted.write('int4', crafted.indexOf(table) + table.indexOf('text'))
    const target = await server.createDatabase()
    const out = await capturedLog(() => load(write(crafted), target).catch((e: Error) => e))
    const error = (await load(write(crafted), await server.createDatabase()).catch(
      (e: Error) => e
    )) as Error
    expect(error.message).toMatch(/invalid input syntax for type integer/)
    expect(error.message).toMatch(/TABLE DATA public\.t/)
    expect(error.message).not.toMatch(/s3cr3t/)
    expect(out).not.toMatch(/s3cr3t/)
    expect(await tables(target)).toEqual([])
  }, 60_000)
})

describe("'auto' owners and privileges", () => {
  it('a role the target lacks: its owner statement is skipped on the psql path, rows equal', async () => {
    const db = await server.createDatabase()
    await server.query(
      db,
      `CREATE ROLE direct_gone;
       CREATE TABLE public.owned (id integer PRIMARY KEY);
       INSERT INTO public.owned SELECT generate_series(1, 100);
       ALTER TABLE public.owned OWNER TO direct_gone;`
    )
    const file = path.join(files, `owned-${++names}.dump`)
    execFileSync(path.join(server.binDir, 'pg_dump'), ['-Fc', '-f', file], {
      env: server.env(db)
    })
    const sums = await tableChecksums(server, db)
    await server.dropDatabase(db)
    await server.query('postgres', 'DROP ROLE direct_gone')
    const target = await server.createDatabase()
    let result: Awaited<ReturnType<typeof harness.restore>> | undefined
    const out = await capturedLog(async () => {
      result = await harness.restore(
        testRestoreInputs(server.url(target), { kind: 'file', path: file })
      )
    })
    expect(out).toMatch(
      /Loading through the script gate into psql: the gate leaves out 1 statement of the archive's script \(first: .*owner/
    )
    // as the psql path always reported it (the line of the whole script, data included)
    expect(result!.skipped).toEqual([
      expect.objectContaining({
        count: 1,
        reason: 'owner not set: role "direct_gone" does not exist in the target'
      })
    ])
    expect(await tableChecksums(server, target)).toEqual(sums)
  }, 60_000)
})

describe('a zstd archive stored in a zip: zstd -d writes into pg_restore itself (direct-pipe.ts)', () => {
  /** The archive compressed, at an offset inside a bigger file, as a zip's stored entry. */
  function stored(archive: Buffer) {
    return storedBytes(zstdOf(archive))
  }
  /** These bytes at an offset inside a bigger file, as a zip's stored entry, with their CRC-32. */
  function storedBytes(bytes: Buffer) {
    const padding = Buffer.alloc(1000, 0x55)
    const file = write(Buffer.concat([padding, bytes, padding]))
    return {
      path: file,
      range: { offset: padding.length, length: bytes.length },
      crc32: zlib.crc32(bytes) >>> 0
    }
  }
  function zstdOf(archive: Buffer): Buffer {
    return execFileSync('zstd', ['-q', '-c', '-3'], { input: archive, maxBuffer: 1 << 30 })
  }
  function loadStored(
    dump: ReturnType<typeof stored>,
    checked: Buffer,
    database: string,
    hooks: LoadHooks = {}
  ): ReturnType<typeof loadBackup> {
    return readArchiveToc(Readable.from([checked])).then(tocRead =>
      loadBackup(
        dump,
        { ...serverLoadPlan(server, 'zstd'), tocRead },
        {
          env: server.env(database) as Record<string, string>,
          database,
          serverMajor: server.major
        },
        LOAD_OPTIONS,
        mkdtempSync(path.join(harness.work, 'work-')),
        hooks
      )
    )
  }

  describe("verify's digest beside it: a second zstd of the same compressed bytes (SideDecoder)", () => {
    it('the digest of the archive pg_restore loaded, equal to a digest of the archive itself; rows equal', async () => {
      const target = await server.createDatabase()
      const tap = digestArchiveAlongside()
      let result: unknown
      const out = await capturedLog(async () => {
        result = await loadStored(stored(piped), piped, target, { archiveTap: tap })
      })
      expect(out).toMatch(/Loading with pg_restore -d directly \(zstd -d writing into it\)/)
      expect(result).toEqual({ skipped: [], direct: true })
      const digest = await tap.result()
      const own = await digestArchive(Readable.from([piped]))
      expect(digest).toBeDefined()
      expect(own.blocks.size).toBeGreaterThanOrEqual(2)
      expect([...digest!.blocks]).toEqual([...own.blocks])
      expect(digest!.toc.entries.map(e => [e.dumpId, e.desc, e.tag])).toEqual(
        own.toc.entries.map(e => [e.dumpId, e.desc, e.tag])
      )
      expect(await tableChecksums(server, target)).toEqual(await tableChecksums(server, source))
    }, 60_000)

    it('an archive whose compressed bytes outrun the pipes (MBs): the digest reads it whole, every block', async () => {
      const big = await server.createDatabase()
      // random hex: about 6 MB of COPY text that zstd halves at most, far more than a pipe holds
      await server.query(
        big,
        `CREATE TABLE public.big (id integer PRIMARY KEY, v text);
         INSERT INTO public.big SELECT i, md5(random()::text) || md5(random()::text) || md5(random()::text) FROM generate_series(1, 60000) AS i;
         CREATE TABLE public.after (id integer);
         INSERT INTO public.after VALUES (1), (2);`
      )
      const archive = pgDumpBytes(server, big, ['-Fc', '-Z0'])
      const dump = stored(archive)
      expect(dump.range.length).toBeGreaterThan(2 * 1024 * 1024)
      const target = await server.createDatabase()
      const tap = digestArchiveAlongside()
      // the digest the slower reader (as on a busy machine): the copy to its zstd still holds
      // bytes when the load's zstd has read its last
      const slowed: ArchiveDigestTap = {
        ...tap,
        digestFrom: source =>
          tap.digestFrom({
            next: async () => {
              await new Promise(resolve => setTimeout(resolve, 2))
              return source.next()
            }
          })
      }
      const result = await loadStored(dump, archive, target, { archiveTap: slowed })
      expect(result).toEqual({ skipped: [], direct: true })
      const digest = await tap.result()
      const own = await digestArchive(Readable.from([archive]))
      expect(digest).toBeDefined()
      expect([...digest!.blocks]).toEqual([...own.blocks])
      expect(await tableChecksums(server, target)).toEqual(await tableChecksums(server, big))
    }, 60_000)

    it('a digest that fails (an archive compressed by pg_dump): the load goes on and commits; no digest', async () => {
      const compressed = pgDumpBytes(server, source, ['-Fc', '-Z6'])
      const target = await server.createDatabase()
      const tap = digestArchiveAlongside()
      const result = await loadStored(stored(compressed), compressed, target, { archiveTap: tap })
      expect(result).toEqual({ skipped: [], direct: true })
      expect(await tap.result()).toBeUndefined()
      expect(await tableChecksums(server, target)).toEqual(await tableChecksums(server, source))
    }, 60_000)

    it('bytes after the archive: the load commits as by hand, but the digest does not count (zstd failed)', async () => {
      const compressed = Buffer.concat([zstdOf(piped), Buffer.alloc(80 * 1024, 'GARBAGE!')])
      const target = await server.createDatabase()
      const tap = digestArchiveAlongside()
      const result = await loadStored(storedBytes(compressed), piped, target, { archiveTap: tap })
      expect(result).toEqual({ skipped: [], direct: true })
      expect(await tap.result()).toBeUndefined()
    }, 60_000)

    it('a corrupt block near the end: the load fails, nothing is kept, no digest', async () => {
      const broken = Buffer.from(zstdOf(piped))
      for (let at = broken.length - 5000; at < broken.length - 4000; at++) broken[at] ^= 0xff
      const target = await server.createDatabase()
      const tap = digestArchiveAlongside()
      const error = await loadStored(storedBytes(broken), piped, target, {
        archiveTap: tap
      }).catch((e: Error) => e)
      expect(error).toBeInstanceOf(Error)
      expect((error as Error).message).toMatch(/could not be (decompressed|read) while restoring/)
      expect(await tap.result()).toBeUndefined()
      expect(await tables(target)).toEqual([])
    }, 60_000)

    it('bytes that changed since the check (the CRC-32 differs): nothing is kept, no digest', async () => {
      const target = await server.createDatabase()
      const dump = stored(piped)
      const tap = digestArchiveAlongside()
      const error = await loadStored({ ...dump, crc32: (dump.crc32 ^ 1) >>> 0 }, piped, target, {
        archiveTap: tap
      }).catch((e: Error) => e)
      expect((error as Error).message).toMatch(/the backup's bytes changed since they were checked/)
      expect(await tap.result()).toBeUndefined()
      expect(await tables(target)).toEqual([])
    }, 60_000)
  })

  it('loads directly, rows equal to the source', async () => {
    const target = await server.createDatabase()
    let result: unknown
    const out = await capturedLog(async () => {
      result = await loadStored(stored(piped), piped, target)
    })
    expect(out).toMatch(/Loading with pg_restore -d directly \(zstd -d writing into it\)/)
    expect(result).toEqual({ skipped: [], direct: true })
    expect(await tableChecksums(server, target)).toEqual(await tableChecksums(server, source))
  }, 60_000)

  it('bytes that changed since the check (the CRC-32 differs): nothing is kept', async () => {
    const target = await server.createDatabase()
    const dump = stored(piped)
    const error = await loadStored({ ...dump, crc32: (dump.crc32 ^ 1) >>> 0 }, piped, target).catch(
      (e: Error) => e
    )
    expect(error).toBeInstanceOf(Error)
    expect((error as Error).message).toMatch(
      /^the backup could not be read while restoring: the backup's bytes changed since they were checked \(CRC-32/
    )
    expect(await tables(target)).toEqual([])
  }, 60_000)

  it('a TOC other than the checked one: refused before pg_restore gets a byte', async () => {
    const other = replaceString(
      piped,
      'COPY public.u (id, v) FROM stdin;\n',
      'COPY "public".u (id, v) FROM stdin;\n'
    )
    const target = await server.createDatabase()
    const error = await loadStored(stored(other), piped, target).catch((e: Error) => e)
    expect(error).toBeInstanceOf(CheckError)
    expect((error as Error).message).toMatch(
      /table of contents changed between its check and its load/
    )
    expect(await tables(target)).toEqual([])
  }, 60_000)

  it('a corrupt block near the end: zstd fails, nothing is kept', async () => {
    const compressed = zstdOf(piped)
    const broken = Buffer.from(compressed)
    // a byte of the frame's later blocks (not the head: the TOC check would refuse it first)
    for (let at = broken.length - 5000; at < broken.length - 4000; at++) broken[at] ^= 0xff
    const dump = storedBytes(broken)
    const target = await server.createDatabase()
    const error = await loadStored(dump, piped, target).catch((e: Error) => e)
    expect(error).toBeInstanceOf(Error)
    expect((error as Error).message).toMatch(/could not be (decompressed|read) while restoring/)
    expect(await tables(target)).toEqual([])
  }, 60_000)

  it("a failing COPY: pg_restore's error is the one reported (not zstd losing its reader)", async () => {
    const table = 'CREATE TABLE public.t (\n    id integer NOT NULL,\n    v text\n);'
    const crafted = Buffer.from(piped)
    crafted.write('int4', crafted.indexOf(table) + table.indexOf('text'))
    const target = await server.createDatabase()
    const error = await loadStored(stored(crafted), crafted, target).catch((e: Error) => e)
    expect((error as Error).message).toMatch(/invalid input syntax for type integer/)
    expect((error as Error).message).toMatch(/TABLE DATA public\.t/)
    expect(await tables(target)).toEqual([])
  }, 60_000)

  it.each([
    ['its head split over two zstd frames (node:zlib reads one)', 'split'],
    ['a skippable frame before the first one', 'skippable']
  ] as const)(
    '%s: the path through this process, which reads what the zstd CLI reads; rows equal',
    async (_what, shape) => {
      const { toc } = await readArchiveToc(Readable.from([piped]))
      const cut = Math.floor(toc.end / 2)
      // a skippable frame: magic 0x184D2A50, a 4-byte length, that many bytes
      const skippable = Buffer.alloc(8 + 16)
      skippable.writeUInt32LE(0x184d2a50, 0)
      skippable.writeUInt32LE(16, 4)
      const compressed =
        shape === 'split'
          ? Buffer.concat([zstdOf(piped.subarray(0, cut)), zstdOf(piped.subarray(cut))])
          : Buffer.concat([skippable, zstdOf(piped)])
      const dump = storedBytes(compressed)
      const target = await server.createDatabase()
      let result: unknown
      const out = await capturedLog(async () => {
        result = await loadStored(dump, piped, target)
      })
      expect(out).toMatch(/Loading with pg_restore -d directly:/)
      expect(result).toEqual({ skipped: [], direct: true })
      expect(await tableChecksums(server, target)).toEqual(await tableChecksums(server, source))
    },
    60_000
  )

  it('bytes after the archive that zstd cannot decode: pg_restore restored it whole and committed; the log says so (as zstd -dc | pg_restore by hand)', async () => {
    const compressed = Buffer.concat([zstdOf(piped), Buffer.alloc(80 * 1024, 'GARBAGE!')])
    const dump = storedBytes(compressed)
    const target = await server.createDatabase()
    let result: unknown
    const out = await capturedLog(async () => {
      result = await loadStored(dump, piped, target)
    })
    expect(result).toEqual({ skipped: [], direct: true })
    expect(out).toMatch(
      /The restore is complete and committed, but zstd failed on the backup's bytes after the end of its archive/
    )
    expect(out).not.toMatch(/Nothing was kept/)
    expect(await tableChecksums(server, target)).toEqual(await tableChecksums(server, source))
  }, 60_000)

  it('PipedFeed: the last 64 KiB reach zstd only once the input ended with its CRC-32', async () => {
    // more than the bytes held back: the archive, then incompressible bytes
    const compressed = zstdOf(Buffer.concat([piped, randomBytes(300 * 1024)]))
    const { toc } = await readArchiveToc(Readable.from([piped]))
    const feed = new PipedFeed(piped.subarray(0, toc.end), zlib.crc32(compressed))
    const passed: Buffer[] = []
    feed.on('data', (chunk: Buffer) => passed.push(chunk))
    for (let at = 0; at < compressed.length; at += 16 * 1024)
      feed.write(compressed.subarray(at, at + 16 * 1024))
    await new Promise(resolve => setTimeout(resolve, 200))
    const early = Buffer.concat(passed).length
    expect(compressed.length - early).toBeGreaterThanOrEqual(64 * 1024)
    expect(compressed.length - early).toBeLessThan(80 * 1024)
    feed.end()
    await new Promise(resolve => feed.on('end', resolve))
    expect(Buffer.concat(passed).equals(compressed)).toBe(true)
  })
})
