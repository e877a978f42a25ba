/**
 * Restores from local files (input backup-file): hand-written SQL, pg_dump's own files (custom,
 * directory, plain from a newer pg_dump), compressed or not, and an artifact zip as the Actions
 * page serves it. Damaged, swapped or failing backups are refused and the target stays
 * byte-for-byte unchanged.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import {
  linkSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { type ArtifactBackend, buildZip, unzipEntries } from '../../dev/artifact-backend.js'
import {
  type TableChecksum,
  runTool,
  schemaDump,
  seedSample,
  tableChecksums
} from '../../dev/fixtures.js'
import type { TestServer } from '../../dev/postgres.js'
import type { Compression, DumpFormat, RestoreOptions } from '../../src/types.js'
import { rewriteArchiveToc } from '../support/archive-writer.js'
import { CheckError } from '../../src/errors.js'
import { readArchiveTocFile } from '../../src/postgres/toc.js'
import { useHarness } from '../support/harness.js'
import { logOf } from '../support/log-capture.js'
import { testBackupInputs, testRestoreInputs } from '../support/inputs.js'

const harness = useHarness({ name: 'restore-files' })
let server: TestServer
let backend: ArtifactBackend
let shop: string
let small: string
let shopChecksums: Record<string, TableChecksum>
let shopSchema: string
let smallChecksums: Record<string, TableChecksum>
let files: string

/** Paths of the backup files made in beforeAll. */
const f = {
  handSql: '',
  handSqlGz: '',
  shopDump: '',
  shopDumpZst: '',
  shopDir: '',
  shopZip: '',
  smallDump: '',
  newerPlain: ''
}

const HAND_WRITTEN = `-- a hand-written script: no pg_dump header, no trailer
CREATE TABLE public.customers (id integer PRIMARY KEY, name text NOT NULL);
CREATE TABLE public.orders (
  id integer PRIMARY KEY,
  customer_id integer NOT NULL REFERENCES public.customers (id),
  total numeric(10, 2)
);
INSERT INTO public.customers VALUES (1, 'Ada'), (2, 'Grace'), (3, 'O''Brien; DROP TABLE x;--');
INSERT INTO public.orders VALUES (10, 1, 9.99), (11, 1, 0.01), (12, 3, 100);
CREATE VIEW public.totals AS
  SELECT customer_id, sum(total) AS total FROM public.orders GROUP BY customer_id;
`

const zstdWithChecksum = (b: Buffer): Buffer =>
  zlib.zstdCompressSync(b, { params: { [zlib.constants.ZSTD_c_checksumFlag]: 1 } })

beforeAll(async () => {
  ;({ server, backend } = harness)
  files = path.join(harness.work, 'files')
  mkdirSync(files)

  shop = await server.createDatabase('shop')
  small = await server.createDatabase('small')
  await Promise.all([
    seedSample(server, shop),
    server.query(
      small,
      `CREATE TABLE public.customers (id integer PRIMARY KEY, name text NOT NULL);
       CREATE TABLE public.orders (id integer PRIMARY KEY, customer_id integer REFERENCES public.customers);
       INSERT INTO public.customers SELECT i, 'customer ' || i FROM generate_series(1, 50) AS i;
       INSERT INTO public.orders SELECT i, 1 + i % 50 FROM generate_series(1, 120) AS i;`
    )
  ])
  ;[shopChecksums, shopSchema, smallChecksums] = await Promise.all([
    tableChecksums(server, shop),
    schemaDump(server, shop),
    tableChecksums(server, small)
  ])

  const pgDump = path.join(server.binDir, 'pg_dump')
  const at = (name: string): string => path.join(files, name)
  f.handSql = at('hand.sql')
  writeFileSync(f.handSql, HAND_WRITTEN)
  f.handSqlGz = at('hand.sql.gz')
  writeFileSync(f.handSqlGz, zlib.gzipSync(HAND_WRITTEN))
  f.shopDump = at('shop.dump')
  f.shopDir = at('shop.dir')
  f.smallDump = at('small.dump')
  const plain = at('shop-pg15.sql')
  await Promise.all([
    runTool(pgDump, ['-Fc', '-Z0', '-f', f.shopDump], server.env(shop)),
    runTool(pgDump, ['-Fd', '-f', f.shopDir], server.env(shop)),
    runTool(pgDump, ['-Fc', '-Z0', '-f', f.smallDump], server.env(small)),
    runTool(pgDump, ['-Fp', '-f', plain], server.env(shop))
  ])
  f.shopDumpZst = at('shop.dump.zst')
  writeFileSync(f.shopDumpZst, zstdWithChecksum(readFileSync(f.shopDump)))
  // what pg_dump 17+ writes: SET transaction_timeout, which a PostgreSQL 15 server rejects
  const text = readFileSync(plain, 'utf8')
  const anchor = 'SET idle_in_transaction_session_timeout = 0;\n'
  expect(text).toContain(anchor)
  f.newerPlain = at('shop-newer.sql')
  writeFileSync(f.newerPlain, text.replace(anchor, `${anchor}SET transaction_timeout = 0;\n`))

  // an artifact as the Actions page serves it: the zip the backup uploaded, byte for byte
  await makeBackup(shop, 'shop-backup', 'custom', 'zstd')
  f.shopZip = at('shop-backup.zip')
  writeFileSync(f.shopZip, backend.findArtifact('shop-backup.zip')!.bytes)
}, 60_000)

async function makeBackup(
  database: string,
  name: string,
  format: DumpFormat,
  compression: Compression
) {
  return harness.backup(
    testBackupInputs(server.url(database), {
      artifactName: name,
      format,
      compression,
      compressionLevel: compression === 'gzip' ? 6 : compression === 'zstd' ? 3 : 0
    })
  )
}

function runRestore(target: string, file: string, overrides: Partial<RestoreOptions> = {}) {
  const inputs: RestoreOptions = testRestoreInputs(
    server.url(target),
    { kind: 'file', path: file },
    { ...overrides }
  )
  return harness.restore(inputs)
}

/** Writes a damaged copy of `file`. */
function damaged(file: string, how: 'flip' | 'truncate'): string {
  const bytes = Buffer.from(readFileSync(file))
  const middle = bytes.length >> 1
  const out = path.join(files, `${how}-${path.basename(file)}`)
  if (how === 'truncate') {
    writeFileSync(out, bytes.subarray(0, middle))
  } else {
    for (let i = 0; i < 16; i++) bytes[middle + i] ^= 0xa5
    writeFileSync(out, bytes)
  }
  return out
}

const KEEP_ME = `CREATE TABLE public.keep_me (id integer PRIMARY KEY, note text);
  INSERT INTO public.keep_me VALUES (1, 'one'), (2, 'two'), (3, NULL);
  CREATE SEQUENCE public.keep_seq START 42;`

async function snapshot(database: string) {
  return {
    data: await tableChecksums(server, database),
    schema: await schemaDump(server, database)
  }
}

/** A target with data of its own; the refused restore must leave it exactly as it was. */
async function expectRefusedUnchanged(
  file: string,
  message: RegExp,
  overrides: Partial<RestoreOptions> = { allowNonEmpty: true }
): Promise<Error> {
  const target = await server.createDatabase()
  await server.query(target, KEEP_ME)
  const before = await snapshot(target)
  expect(before.data['public.keep_me']?.rows).toBe(3)
  const error = await runRestore(target, file, overrides).then(
    () => undefined,
    (e: unknown) => e as Error
  )
  expect(error).toBeInstanceOf(Error)
  expect(error!.message).toMatch(message)
  expect(await snapshot(target)).toEqual(before)
  await server.dropDatabase(target)
  return error!
}

/** Restores `file` into a fresh database and expects the shop's schema and data. */
async function expectShop(file: string, overrides: Partial<RestoreOptions> = {}) {
  const target = await server.createDatabase()
  const result = await runRestore(target, file, overrides)
  expect(await tableChecksums(server, target)).toEqual(shopChecksums)
  expect(await schemaDump(server, target)).toEqual(shopSchema)
  await server.dropDatabase(target)
  return result
}

describe('restore from a local file', () => {
  it.each([
    ['hand.sql', () => f.handSql, 'none'],
    ['hand.sql.gz', () => f.handSqlGz, 'gzip']
  ])('a hand-written %s (no pg_dump trailer)', async (_name, file, compression) => {
    const target = await server.createDatabase()
    const result = await runRestore(target, file())
    expect(result.format).toBe('plain')
    expect(result.compression).toBe(compression)
    expect(result.restoredFrom).toBe(`file ${file()}`)
    // a script of INSERTs has no COPY: the tables it created are counted (they said 0 before)
    expect(result.tables.map(t => `${t.schema}.${t.name}`).sort()).toEqual([
      'public.customers',
      'public.orders'
    ])
    expect(result.rowsRestored).toBe(6)
    expect(await server.query(target, 'SELECT id, name FROM public.customers ORDER BY id')).toEqual(
      [
        { id: 1, name: 'Ada' },
        { id: 2, name: 'Grace' },
        { id: 3, name: "O'Brien; DROP TABLE x;--" }
      ]
    )
    expect(
      await server.query(target, 'SELECT customer_id, total::text FROM public.totals ORDER BY 1')
    ).toEqual([
      { customer_id: 1, total: '10.00' },
      { customer_id: 3, total: '100.00' }
    ])
    await server.dropDatabase(target)
  })

  it('a .dump made by pg_dump -Fc -Z0 (no manifest)', async () => {
    const result = await expectShop(f.shopDump)
    expect(result).toMatchObject({ format: 'custom', compression: 'none', manifest: undefined })
    expect(result.rowsRestored).toBeGreaterThan(5000)
  })

  it('the same .dump compressed to .dump.zst', async () => {
    const result = await expectShop(f.shopDumpZst)
    expect(result).toMatchObject({ format: 'custom', compression: 'zstd' })
  })

  it('a directory-format archive folder made by pg_dump -Fd', async () => {
    const result = await expectShop(f.shopDir)
    expect(result.format).toBe('directory')
  })

  it('an artifact zip as downloaded from the Actions page (dump + manifest.json)', async () => {
    const entries = await unzipEntries(readFileSync(f.shopZip))
    expect([...entries.keys()].sort()).toEqual([
      'manifest.json',
      expect.stringMatching(/^shop-.*\.dump\.zst$/)
    ])
    const result = await expectShop(f.shopZip)
    expect(result).toMatchObject({ format: 'custom', compression: 'zstd' })
    expect(result.manifest?.file.name).toMatch(/\.dump\.zst$/)
    expect(result.tables.length).toBeGreaterThan(10)
    expect(result.tables.every(t => t.expected === t.rows)).toBe(true)
  })

  it('a plain dump of a newer pg_dump (\\restrict, SET transaction_timeout) into PostgreSQL 15', async () => {
    const text = readFileSync(f.newerPlain, 'utf8')
    expect(text).toMatch(/^\\restrict \S+$/m)
    expect(text).toMatch(/^\\unrestrict \S+$/m)
    expect(text).toContain('\nSET transaction_timeout = 0;\n')
    // as it is, this server refuses the script
    const plainTarget = await server.createDatabase()
    await expect(
      runTool(
        path.join(server.binDir, 'psql'),
        ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '--single-transaction', '-f', f.newerPlain],
        server.env(plainTarget)
      )
    ).rejects.toThrow(/unrecognized configuration parameter "transaction_timeout"/)
    await server.dropDatabase(plainTarget)
    // the action leaves that line out for servers before 17
    const result = await expectShop(f.newerPlain)
    expect(result).toMatchObject({ format: 'plain', compression: 'none' })
  })

  it("psql's error names the user's .sql.gz and the line in it (not <stdin>, not shifted by the action's BEGIN or a left-out line)", async () => {
    const file = path.join(files, 'broken.sql.gz')
    writeFileSync(
      file,
      zlib.gzipSync(
        [
          '-- my script', // 1
          'SET transaction_timeout = 0;', // 2: left out for this PostgreSQL 15
          'CREATE TABLE public.fine (id integer);', // 3
          '', // 4
          'SELECT 1 / 0;', // 5
          ''
        ].join('\n')
      )
    )
    const target = await server.createDatabase()
    const error = await runRestore(target, file).then(
      () => undefined,
      (e: unknown) => e as Error
    )
    expect(error?.message).toContain('broken.sql.gz:5: ERROR:  division by zero')
    expect(error?.message).not.toContain('<stdin>')
    expect(await tableChecksums(server, target)).toEqual({})
    await server.dropDatabase(target)
  })

  it('into a database whose name needs quoting in a conninfo', async () => {
    const target = await server.createDatabase(`it's "a" b\\c`)
    await runRestore(target, f.smallDump)
    expect(await tableChecksums(server, target)).toEqual(smallChecksums)
    await server.dropDatabase(target)
  })

  it('allow-non-empty: next to an unrelated table, which is left alone and not counted', async () => {
    const target = await server.createDatabase()
    await server.query(target, KEEP_ME)
    const before = await tableChecksums(server, target)
    const result = await runRestore(target, f.smallDump, { allowNonEmpty: true })
    expect(await tableChecksums(server, target)).toEqual({ ...smallChecksums, ...before })
    expect(result.tables.map(t => `${t.schema}.${t.name}`).sort()).toEqual([
      'public.customers',
      'public.orders'
    ])
    expect(result.rowsRestored).toBe(170)
    await server.dropDatabase(target)
  })
})

describe('refusals: the target stays byte-for-byte unchanged', () => {
  it.each([
    ['a custom archive', () => f.shopDump],
    ['an artifact zip', () => f.shopZip],
    ['a hand-written script', () => f.handSql]
  ])('a non-empty target without clean or allow-non-empty: %s', async (_name, file) => {
    const error = await expectRefusedUnchanged(file(), /is not empty/, {})
    expect(error.message).toContain('public.keep_me (3 rows)')
    expect(error.message).toMatch(/clean: true.*allow-non-empty: true/)
  })

  it('a zip with entries besides the backup its manifest names: restored, the others named and not read (attacker a58 F5)', async () => {
    const entries = await unzipEntries(readFileSync(f.shopZip))
    const padded = path.join(files, 'padded.zip')
    writeFileSync(
      padded,
      await buildZip({
        ...Object.fromEntries(entries),
        'evil.sql': 'DROP TABLE public.customers;\n',
        'sub/other.dump.zst': Buffer.from('not read')
      })
    )
    const { lines } = await logOf(() => expectShop(padded))
    expect(lines).toContain(
      'holds 2 entries besides the backup its manifest.json names, not read: "evil.sql", "sub/other.dump.zst".'
    )
  })

  it("a zip whose dump was swapped for another backup's dump, manifest unchanged", async () => {
    await makeBackup(small, 'small-backup', 'custom', 'zstd')
    const shopEntries = await unzipEntries(readFileSync(f.shopZip))
    const smallEntries = await unzipEntries(backend.findArtifact('small-backup.zip')!.bytes)
    const manifest = JSON.parse(shopEntries.get('manifest.json')!.toString()) as {
      file: { name: string }
    }
    const smallDump = [...smallEntries].find(([name]) => name !== 'manifest.json')![1]
    const swapped = path.join(files, 'swapped.zip')
    writeFileSync(
      swapped,
      await buildZip({
        [manifest.file.name]: smallDump,
        'manifest.json': shopEntries.get('manifest.json')!
      })
    )
    await expectRefusedUnchanged(
      swapped,
      /does not match its manifest.*corrupted, truncated or swapped/
    )
  })

  it.each([
    ['flipped bytes in a .dump.zst', () => damaged(f.shopDumpZst, 'flip')],
    ['flipped bytes in a .sql.gz', () => damaged(f.handSqlGz, 'flip')],
    ['a .dump.zst cut in half', () => damaged(f.shopDumpZst, 'truncate')],
    ['a .sql.gz cut in half', () => damaged(f.handSqlGz, 'truncate')]
  ])('%s (no manifest)', async (_name, file) => {
    await expectRefusedUnchanged(
      file(),
      // the error's own message ends in a full stop before the next sentence
      /(cannot be decompressed|corrupted or truncated).*[^ ]\. Nothing was restored/
    )
  })

  it('a bigger .sql.gz of pg_dump cut in half', async () => {
    const gz = path.join(files, 'shop-newer.sql.gz')
    writeFileSync(gz, zlib.gzipSync(readFileSync(f.newerPlain)))
    await expectShop(gz)
    await expectRefusedUnchanged(damaged(gz, 'truncate'), /corrupted or truncated/)
  })

  it.each([true, false])(
    'a .dump cut in half (no compression, no manifest): refused by the check, before the load (single-transaction: %s; trial u46)',
    async singleTransaction => {
      // its blocks walked to the end before anything runs, whatever the load's path: without a
      // single transaction nothing of it is loaded either
      const error = await expectRefusedUnchanged(
        damaged(f.shopDump, 'truncate'),
        /the archive is cut short \(truncated\): it ends inside a table's data\. Nothing was restored/,
        { allowNonEmpty: true, singleTransaction }
      )
      expect(error).toBeInstanceOf(CheckError)
    }
  )

  it('a pg_dump -Fc file (compressed by pg_dump) cut inside its data, and cut between two blocks: refused by the check, naming what is missing (trial u46)', async () => {
    const compressed = path.join(files, 'shop-z.dump')
    await runTool(path.join(server.binDir, 'pg_dump'), ['-Fc', '-f', compressed], server.env(shop))
    const bytes = readFileSync(compressed)
    const offsets = (await readArchiveTocFile(compressed)).entries
      .flatMap(e =>
        e.extra.format === 'custom' && e.extra.dataState === 'set'
          ? [
              {
                at: e.extra.dataOffset,
                name: `${e.desc} ${e.namespace ? `${e.namespace}.` : ''}${e.tag}`,
                schema: e.namespace ?? '',
                tag: e.tag
              }
            ]
          : []
      )
      .sort((a, b) => a.at - b.at)
    expect(offsets.length).toBeGreaterThan(1)
    const last = offsets[offsets.length - 1]
    // pg_restore --list takes both: only its table of contents is read
    const between = path.join(files, 'between-blocks.dump')
    writeFileSync(between, bytes.subarray(0, last.at))
    const error = await expectRefusedUnchanged(
      between,
      new RegExp(
        `the archive is cut short \\(truncated\\): it ends after the data of ${offsets.length - 1} entries, before that of its entry ${last.name.replace(/[.()]/g, '\\$&')}, which pg_restore looks for and fails without\\. Nothing was restored`
      ),
      { allowNonEmpty: true, singleTransaction: false }
    )
    expect(error).toBeInstanceOf(CheckError)
    // with tables, pg_restore reads only the selected blocks: a table whose block is there
    // restores, as by hand, with a warning; the missing one fails, nothing kept (attacker a76 F2)
    const present = offsets[0]
    const subset = await server.createDatabase()
    // a tables restore brings no schema (pg_restore -t): the target has them
    for (const schema of new Set([present.schema, last.schema]))
      await server.query(subset, `CREATE SCHEMA IF NOT EXISTS "${schema.replaceAll('"', '""')}"`)
    const { lines } = await logOf(() =>
      runRestore(subset, between, { tables: [present.tag], schemas: [present.schema] })
    )
    expect(lines).toMatch(
      /the archive is cut short \(truncated\)[^\n]*With tables, pg_restore reads only the blocks of what is selected/
    )
    const only = [`${present.schema}.${present.tag}`]
    expect(Object.keys(await tableChecksums(server, subset))).toEqual(only)
    const failed = await runRestore(subset, between, {
      tables: [last.tag],
      schemas: [last.schema],
      allowNonEmpty: true
    }).then(
      () => undefined,
      (e: Error) => e
    )
    expect(failed?.message).toMatch(/Nothing was kept/)
    expect(Object.keys(await tableChecksums(server, subset))).toEqual(only)
    await server.dropDatabase(subset)
    const inside = path.join(files, 'inside-block.dump')
    writeFileSync(inside, bytes.subarray(0, last.at + Math.max(12, (bytes.length - last.at) >> 1)))
    expect(
      await expectRefusedUnchanged(inside, /the archive is cut short \(truncated\)/, {
        allowNonEmpty: true,
        singleTransaction: false
      })
    ).toBeInstanceOf(CheckError)
    // cut inside its table of contents: pg_restore --list's refusal says so
    const inToc = path.join(files, 'inside-toc.dump')
    writeFileSync(inToc, bytes.subarray(0, (await readArchiveTocFile(compressed)).end >> 1))
    await expectRefusedUnchanged(
      inToc,
      /pg_restore --list rejected the archive: .* — the archive ends inside its table of contents: it is truncated or corrupted\./
    )
    // whole, it restores; padded after its last block too, as pg_restore by hand reads it
    // (attacker a75 F3: refused as "a data block of unknown type 0")
    await expectShop(compressed)
    const padded = path.join(files, 'padded.dump')
    writeFileSync(padded, Buffer.concat([bytes, Buffer.alloc(4096)]))
    await expectShop(padded)
    const paddedRaw = path.join(files, 'padded-raw.dump')
    writeFileSync(
      paddedRaw,
      Buffer.concat([readFileSync(f.shopDump), Buffer.from('trailing bytes')])
    )
    await expectShop(paddedRaw)
  })

  it('a plain .sql of pg_dump cut at a line inside COPY data (no compression, no manifest)', async () => {
    const text = readFileSync(f.newerPlain, 'utf8')
    const copy = text.indexOf('COPY public.measurements ')
    expect(copy).toBeGreaterThan(0)
    const cut = path.join(files, 'cut.sql')
    // whole lines only: every statement before the cut is valid, the data just stops
    writeFileSync(cut, text.slice(0, text.indexOf('\n', copy + 50_000) + 1))
    // the gate sees the COPY data end without its "\." line (before the trailer check)
    await expectRefusedUnchanged(
      cut,
      /cut\.sql ends inside the data of a COPY statement .*truncated\. Nothing was restored/
    )
  })

  it('a plain .sql of pg_dump cut between statements: the file named, what is missing, what to do (trial u44 F7)', async () => {
    const text = readFileSync(f.newerPlain, 'utf8')
    const cut = path.join(files, 'cut-statements.sql')
    writeFileSync(cut, text.slice(0, text.indexOf('\n', text.indexOf('ALTER TABLE')) + 1))
    await expectRefusedUnchanged(
      cut,
      /^cut-statements\.sql: the SQL script lacks the "dump complete" trailer that pg_dump writes last, after every statement: it is truncated \(its end is missing\)\. Nothing was restored\. Download or copy it again/
    )
  })

  it('an SQL error in the middle of a script: the good part before it is rolled back', async () => {
    const failing = path.join(files, 'failing.sql')
    const lines = HAND_WRITTEN.split('\n')
    const half = lines.indexOf(
      'INSERT INTO public.orders VALUES (10, 1, 9.99), (11, 1, 0.01), (12, 3, 100);'
    )
    expect(half).toBeGreaterThan(0)
    lines.splice(half, 0, "INSERT INTO public.missing VALUES (1, 'nowhere');")
    writeFileSync(failing, lines.join('\n'))
    const error = await expectRefusedUnchanged(failing, /relation "public\.missing" does not exist/)
    expect(error.message).toMatch(/^psql exited with code 3/)
  })

  it('a file that is no backup at all', async () => {
    const png = path.join(files, 'picture.dump')
    writeFileSync(
      png,
      Buffer.concat([
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
        Buffer.alloc(512)
      ])
    )
    await expectRefusedUnchanged(png, /picture\.dump: the backup is neither a pg_dump archive/)
  })

  it('a dump compressed with bzip2, xz or lz4, an armored age file: refused, naming the file and the command that converts it (which then restores); a tar.gz of a -Fd folder with its name restores', async () => {
    const sql = path.join(files, 'convert-me.sql')
    await runTool(path.join(server.binDir, 'pg_dump'), ['-Fp', '-f', sql], server.env(small))
    for (const [tool, ext] of [
      ['bzip2', 'bz2'],
      ['xz', 'xz'],
      ['lz4', 'lz4']
    ] as const) {
      const packed = path.join(files, `convert-me.sql.${ext}`)
      execFileSync('sh', ['-c', `${tool} -c "$1" > "$2"`, 'sh', sql, packed])
      const error = await expectRefusedUnchanged(
        packed,
        new RegExp(
          `convert-me\\.sql\\.${ext}: the backup file is compressed with ${tool}, which the action does not read`
        )
      )
      // the command it gives, run where the file is, makes a file that restores
      const command = new RegExp(
        `convert it: (${tool} -dc convert-me\\.sql\\.${ext} \\| zstd -o convert-me\\.sql\\.zst) \\(or`
      ).exec(error.message)![1]
      execFileSync('sh', ['-c', `rm -f convert-me.sql.zst && ${command}`], { cwd: files })
      const target = await server.createDatabase()
      await runRestore(target, path.join(files, 'convert-me.sql.zst'))
      expect(await tableChecksums(server, target)).toEqual(smallChecksums)
    }
    // age -a: the binary form, restored after age -d | age -p (the command the message gives)
    const armored = path.join(files, 'convert-me.sql.age')
    const key = path.join(files, 'convert-me.key')
    execFileSync('age-keygen', ['-o', key], { stdio: 'ignore' })
    const recipient = /public key: (age1\w+)/.exec(readFileSync(key, 'utf8'))![1]
    execFileSync('sh', ['-c', `age -a -r "$1" -o "$2" "$3"`, 'sh', recipient, armored, sql])
    expect(readFileSync(armored, 'latin1')).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----/)
    await expectRefusedUnchanged(
      armored,
      /convert-me\.sql\.age: the backup is an ASCII-armored age file .*age -d -i key\.txt convert-me\.sql\.age \| age -r age1… -o convert-me\.sql\.age/
    )
    // pg_dump -Fd's folder packed with its name: restored as it is (packed-archives.test)
    const dir = path.join(files, 'shopdir')
    await runTool(path.join(server.binDir, 'pg_dump'), ['-Fd', '-f', dir], server.env(small))
    const tgz = path.join(files, 'shopdir.tar.gz')
    execFileSync('tar', ['-czf', tgz, '-C', files, 'shopdir'])
    const target = await server.createDatabase()
    await runRestore(target, tgz)
    expect(await tableChecksums(server, target)).toEqual(smallChecksums)
  })

  describe('a directory archive with links (they would make pg_restore read outside it)', () => {
    /**
     * pg_dump -Fd -Z0 of 'small', the data file of its largest table replaced by a link to a
     * copy of the same rows outside the folder (restored, they would load: the test can fail).
     */
    async function linkedDirectory(name: string, link: 'symbolic' | 'hard'): Promise<string> {
      const dir = path.join(files, name)
      await runTool(
        path.join(server.binDir, 'pg_dump'),
        ['-Fd', '-Z0', '-f', dir],
        server.env(small)
      )
      const dats = readdirSync(dir).filter(n => /^\d+\.dat$/.test(n))
      const largest = dats.sort(
        (a, b) => statSync(path.join(dir, b)).size - statSync(path.join(dir, a)).size
      )[0]
      const outside = path.join(files, `${name}-outside.dat`)
      writeFileSync(outside, readFileSync(path.join(dir, largest)))
      rmSync(path.join(dir, largest))
      if (link === 'symbolic') symlinkSync(outside, path.join(dir, largest))
      else linkSync(outside, path.join(dir, largest))
      return dir
    }

    it.each<[string, Partial<RestoreOptions>]>([
      ['jobs 1', { allowNonEmpty: true }],
      ['jobs 2', { allowNonEmpty: true, singleTransaction: false, jobs: 2 }]
    ])(
      'a folder whose data file is a symbolic link: refused, naming it (%s)',
      async (label, overrides) => {
        const dir = await linkedDirectory(`symlinked-${label.replace(' ', '')}.dir`, 'symbolic')
        await expectRefusedUnchanged(
          dir,
          /the directory archive '.*symlinked-jobs\d\.dir' holds entries pg_dump does not write: '\d+\.dat' is a symbolic link \(to '.*-outside\.dat'\)\./,
          overrides
        )
      }
    )

    it.each<[string, 'symbolic' | 'hard', RegExp]>([
      ['a symbolic link', 'symbolic', /'\d+\.dat' is a symbolic link \(to '.*-outside\.dat'\)/],
      ['a hard link', 'hard', /'\d+\.dat' is a hard link \(2 names\)/]
    ])('a directory archive in a tar with %s: refused, naming it', async (_label, link, names) => {
      const dir = await linkedDirectory(`tarred-${link}.dir`, link)
      const tar = path.join(files, `tarred-${link}.dir.tar`)
      // the outside file goes into the tar too, so the hard link is a tar hard-link member
      if (link === 'hard')
        renameSync(
          path.join(files, `tarred-${link}.dir-outside.dat`),
          path.join(dir, 'outside.dat')
        )
      await runTool('tar', ['-cf', tar, '-C', dir, '.'], process.env)
      const error = await expectRefusedUnchanged(
        tar,
        /the directory archive \(tar\) holds entries pg_dump does not write: /
      )
      expect(error.message).toMatch(names)
    })
  })

  describe('a directory archive naming files outside its folder (pg_restore would load them)', () => {
    /**
     * pg_dump -Fd -Z0 of 'small' whose largest table's data file is moved next to the folder
     * and named by toc.dat as "../<name>" (or, for a large object, by blobs.toc): the file
     * holds that table's own rows, so if it were read the restore would succeed.
     */
    async function escapingDirectory(name: string): Promise<string> {
      const dir = path.join(files, name)
      await runTool(
        path.join(server.binDir, 'pg_dump'),
        ['-Fd', '-Z0', '-f', dir],
        server.env(small)
      )
      const dats = readdirSync(dir).filter(n => /^\d+\.dat$/.test(n))
      const largest = dats.sort(
        (a, b) => statSync(path.join(dir, b)).size - statSync(path.join(dir, a)).size
      )[0]
      const outside = `${name}-outside.dat`
      renameSync(path.join(dir, largest), path.join(files, outside))
      const toc = path.join(dir, 'toc.dat')
      writeFileSync(
        toc,
        rewriteArchiveToc(readFileSync(toc), entries =>
          entries.map(e => (e.filename === largest ? { ...e, filename: `../${outside}` } : e))
        )
      )
      return dir
    }

    it.each<[string, Partial<RestoreOptions>]>([
      ['jobs 1', { allowNonEmpty: true }],
      ['jobs 2', { allowNonEmpty: true, singleTransaction: false, jobs: 2 }]
    ])('toc.dat names "../file": refused before anything runs (%s)', async (label, overrides) => {
      const dir = await escapingDirectory(`escaping-${label.replace(' ', '')}.dir`)
      await expectRefusedUnchanged(
        dir,
        /the data file name "\.\.\/escaping-jobs\d\.dir-outside\.dat" is not a plain file name in the archive's folder/,
        overrides
      )
    })

    it('the same in a tar: refused', async () => {
      const dir = await escapingDirectory('escaping-tar.dir')
      const tar = path.join(files, 'escaping.dir.tar')
      await runTool('tar', ['-cf', tar, '-C', dir, '.'], process.env)
      await expectRefusedUnchanged(tar, /is not a plain file name in the archive's folder/)
    })

    /** pg_dump -Fd of a database with one large object; its blobs TOC's first line and name. */
    async function withLargeObject(name: string) {
      const source = await server.createDatabase()
      await server.query(source, "SELECT lo_from_bytea(0, '\\x6869'::bytea)")
      const dir = path.join(files, name)
      await runTool(
        path.join(server.binDir, 'pg_dump'),
        ['-Fd', '-Z0', '-f', dir],
        server.env(source)
      )
      const blobsToc = readdirSync(dir).find(n => /^blobs(_\d+)?\.toc$/.test(n))!
      const lines = readFileSync(path.join(dir, blobsToc), 'utf8').trim().split('\n')
      const [oid, file] = lines[0].split(' ')
      const outside = `${name}-outside.dat`
      renameSync(path.join(dir, file), path.join(files, outside))
      return { dir, blobsToc, line: `${oid} ../${outside}\n` }
    }

    it('a blobs TOC naming a large object file outside the folder: refused', async () => {
      const { dir, blobsToc, line } = await withLargeObject('escaping-blob.dir')
      writeFileSync(path.join(dir, blobsToc), line)
      await expectRefusedUnchanged(
        dir,
        /blobs(_\d+)?\.toc names the large object file "\d+ \.\.\/escaping-blob\.dir-outside\.dat", not a plain file name/
      )
    })

    it('the same blobs TOC gzip-compressed in place of the plain one (pg_restore reads either): refused', async () => {
      const { dir, blobsToc, line } = await withLargeObject('escaping-blob-gz.dir')
      rmSync(path.join(dir, blobsToc))
      writeFileSync(path.join(dir, `${blobsToc}.gz`), zlib.gzipSync(line))
      await expectRefusedUnchanged(
        dir,
        /blobs(_\d+)?\.toc\.gz names the large object file "\d+ \.\.\/escaping-blob-gz\.dir-outside\.dat"/
      )
    })

    it('toc.dat naming another file for the large objects (pg_restore before 17 opens blobs.toc anyway): refused', async () => {
      const { dir, blobsToc, line } = await withLargeObject('escaping-blob-name.dir')
      writeFileSync(path.join(dir, blobsToc), line)
      const toc = path.join(dir, 'toc.dat')
      writeFileSync(
        toc,
        rewriteArchiveToc(readFileSync(toc), entries =>
          entries.map(e => (e.filename === blobsToc ? { ...e, filename: 'blobs.dat' } : e))
        )
      )
      await expectRefusedUnchanged(dir, /names the large object file "\d+ \.\.\/escaping-blob-name/)
    })
  })

  describe('a directory archive in a tar with a member given twice (tar unpacks the last)', () => {
    /** pg_dump -Fd -Z0 of 'small' (with `args`) into a new folder. */
    async function dumped(name: string, args: string[] = []): Promise<string> {
      const dir = path.join(files, name)
      await runTool(
        path.join(server.binDir, 'pg_dump'),
        ['-Fd', '-Z0', ...args, '-f', dir],
        server.env(small)
      )
      return dir
    }

    it("toc.dat twice, the second a data-only dump's (rows appended into the target's table): refused, target unchanged", async () => {
      const whole = await dumped('dup-whole.dir')
      const dataOnly = await dumped('dup-data.dir', ['--data-only', '--table=public.customers'])
      const tar = path.join(files, 'dup-toc.dir.tar')
      await runTool('tar', ['-cf', tar, '-C', whole, '.'], process.env)
      await runTool('tar', ['-rf', tar, '-C', dataOnly, '.'], process.env)
      await expectRefusedUnchanged(
        tar,
        /the directory archive \(tar\) holds 2 members named like toc\.dat \("\.\/toc\.dat", "\.\/toc\.dat"\)/
      )
    })

    it('a toc.dat in a subfolder next to the real one: refused, target unchanged', async () => {
      const whole = await dumped('sub-toc.dir')
      const other = await dumped('sub-toc-data.dir', ['--data-only', '--table=public.customers'])
      mkdirSync(path.join(whole, 'sub'))
      writeFileSync(path.join(whole, 'sub', 'toc.dat'), readFileSync(path.join(other, 'toc.dat')))
      const tar = path.join(files, 'sub-toc.dir.tar')
      await runTool('tar', ['-cf', tar, '-C', whole, '.'], process.env)
      await expectRefusedUnchanged(tar, /holds 2 members named like toc\.dat \(.*sub\/toc\.dat/)
    })

    it('a data file twice (one toc.dat): refused as it is unpacked, target unchanged', async () => {
      const whole = await dumped('dup-dat.dir')
      const dat = readdirSync(whole).find(n => /^\d+\.dat$/.test(n))!
      const tar = path.join(files, 'dup-dat.dir.tar')
      await runTool('tar', ['-cf', tar, '-C', whole, '.'], process.env)
      await runTool('tar', ['-rf', tar, '-C', whole, `./${dat}`], process.env)
      await expectRefusedUnchanged(
        tar,
        new RegExp(
          `the directory archive \\(tar\\) holds the member "${dat.replace('.', '\\.')}" more than once`
        )
      )
    })

    it("a member with an absolute path beside the folder's files: refused naming it, target unchanged (attacker a41 F5)", async () => {
      const whole = await dumped('abs-member.dir')
      const extra = path.join(files, 'abs-extra')
      mkdirSync(extra, { recursive: true })
      writeFileSync(path.join(extra, 'note.txt'), 'not a dump file\n')
      const tar = path.join(files, 'abs-member.dir.tar')
      await runTool('tar', ['-cf', tar, '-C', whole, '.'], process.env)
      // -P keeps the leading / (what a tar made elsewhere may hold)
      await runTool('tar', ['-rPf', tar, path.join(extra, 'note.txt')], process.env)
      await expectRefusedUnchanged(
        tar,
        new RegExp(
          `holds the member "${path.join(extra, 'note.txt').replaceAll('.', '\\.')}", an absolute path, which pg_dump -Fd never writes`
        )
      )
    })
  })

  it('tables: a table with row-level security comes back without it, and the warning says so and what to run (trial u20 F1)', async () => {
    const source = await server.createDatabase()
    await server.query(
      source,
      `CREATE TABLE public.todos (id int PRIMARY KEY, owner text, note text);
       INSERT INTO public.todos VALUES (1, 'ann', 'x'), (2, 'bob', 'y');
       ALTER TABLE public.todos ENABLE ROW LEVEL SECURITY;
       CREATE POLICY own_todos ON public.todos USING (owner = current_user);`
    )
    const file = path.join(files, 'rls.dump')
    execFileSync(path.join(server.binDir, 'pg_dump'), ['-Fc', '-f', file, source], {
      env: server.env(source)
    })
    const target = await server.createDatabase()
    const result = await runRestore(target, file, { tables: ['todos'] })
    expect(result.warnings).toContainEqual(
      expect.stringMatching(
        /^tables: public\.todos is restored WITHOUT its row-level security .* Enable it now \(ALTER TABLE public\.todos ENABLE ROW LEVEL SECURITY;\) and create the policies again/
      )
    )
    // as pg_restore --table: the rows, not the security (said, not hidden)
    expect(
      await server.query(
        target,
        "SELECT relrowsecurity FROM pg_class WHERE oid = 'public.todos'::regclass"
      )
    ).toEqual([{ relrowsecurity: false }])
    await server.dropDatabase(source)
  })

  it('a path that does not exist', async () => {
    await expectRefusedUnchanged(
      path.join(files, 'nope.dump'),
      /Input 'backup-file': '.*nope\.dump' does not exist/
    )
  })

  it('a relative path that does not exist: where it was looked for (trial u18 F6)', async () => {
    await expectRefusedUnchanged(
      'backups/nope-relative.dump.zst',
      new RegExp(
        `Input 'backup-file': 'backups/nope-relative\\.dump\\.zst' does not exist \\(looked for at ${path.resolve('backups/nope-relative.dump.zst').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\)`
      )
    )
  })

  it('an empty folder: said so, not "cannot tell which one" (trial u18 F4)', async () => {
    const empty = path.join(files, 'emptydir')
    mkdirSync(empty)
    await expectRefusedUnchanged(
      empty,
      /Input 'backup-file': the folder '.*emptydir' is empty: it holds no backup file\. Give the backup's own file/
    )
  })
})

describe("restore errors: the backup's own fault named, PostgreSQL's DETAIL and CONTEXT kept without row values", () => {
  const secret = 'ghp_R0wValueThatMustNotLeak'

  it("a duplicate key among the script's own rows, into an empty target: the key named, no advice to clean", async () => {
    const mine = path.join(files, 'mine.sql')
    writeFileSync(
      mine,
      `CREATE TABLE public.notes (id integer PRIMARY KEY, note text);\nINSERT INTO public.notes VALUES (3, 'c'), (3, '${secret}');\n`
    )
    const target = await server.createDatabase()
    const error = await runRestore(target, mine).then(
      () => undefined,
      (e: unknown) => e as Error
    )
    expect(error?.message).toMatch(/duplicate key value violates unique constraint "notes_pkey"/)
    expect(error?.message).toContain('DETAIL:  Key (id)=(…) already exists.')
    expect(error?.message).toMatch(/the backup holds duplicate rows itself/)
    expect(error?.message).not.toMatch(/clean/)
    expect(error?.message).not.toContain(secret)
    expect(error?.message).toMatch(
      /Nothing was kept: the restore ran in one transaction, which was rolled back\.$/
    )
    const left = await server.query<{ n: string }>(
      target,
      "SELECT count(*)::text AS n FROM pg_class WHERE relname = 'notes'"
    )
    expect(left).toEqual([{ n: '0' }])
  })

  it.each(['plain', 'custom'])(
    "a trigger's RAISE EXCEPTION with a row's secret (%s): the secret cut, where it came from named (attacker a30 A5)",
    async format => {
      const source = await server.createDatabase()
      await server.query(
        source,
        `CREATE TABLE public.k (id int, api_key text);
         INSERT INTO public.k VALUES (1, '${secret}');
         CREATE FUNCTION public.trg() RETURNS trigger LANGUAGE plpgsql AS
           $$BEGIN RAISE WARNING 'w: %', NEW.api_key; RAISE EXCEPTION 'bad key %', NEW.api_key; END$$;
         CREATE TRIGGER t BEFORE INSERT ON public.k FOR EACH ROW EXECUTE FUNCTION public.trg();`
      )
      // a trigger fires during the load only where the script creates it before the rows: a
      // plain script written so, an archive of a data-only dump into a table that has it
      const file = path.join(files, `raise-${format}.${format === 'plain' ? 'sql' : 'dump'}`)
      if (format === 'plain')
        writeFileSync(
          file,
          `CREATE TABLE public.k (id int, api_key text);
CREATE FUNCTION public.trg() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RAISE WARNING 'w: %', NEW.api_key; RAISE EXCEPTION 'bad key %', NEW.api_key; END$$;
CREATE TRIGGER t BEFORE INSERT ON public.k FOR EACH ROW EXECUTE FUNCTION public.trg();
COPY public.k (id, api_key) FROM stdin;
1\t${secret}
\\.
`
        )
      else
        execFileSync(
          path.join(server.binDir, 'pg_dump'),
          ['-Fc', '--data-only', '-f', file, source],
          { env: server.env(source) }
        )
      const target = await server.createDatabase()
      if (format === 'custom')
        await server.query(
          target,
          `CREATE TABLE public.k (id int, api_key text);
           CREATE FUNCTION public.trg() RETURNS trigger LANGUAGE plpgsql AS
             $$BEGIN RAISE EXCEPTION 'bad key %', NEW.api_key; END$$;
           CREATE TRIGGER t BEFORE INSERT ON public.k FOR EACH ROW EXECUTE FUNCTION public.trg();`
        )
      const { lines, result } = await logOf(() =>
        runRestore(target, file, format === 'custom' ? { allowNonEmpty: true } : {}).then(
          () => undefined,
          (e: unknown) => e as Error
        )
      )
      const message = result?.message ?? ''
      expect(message).toMatch(/ERROR: {1,2}bad key …/)
      expect(message).toMatch(/at RAISE/)
      expect(message).not.toContain(secret)
      expect(lines).not.toContain(secret)
      await server.dropDatabase(source)
    }
  )

  describe('a CHECK function that reads a table without its schema (fails during COPY anywhere)', () => {
    let archive: string
    beforeAll(async () => {
      const source = await server.createDatabase()
      await server.query(
        source,
        `CREATE TABLE public.skus (sku text PRIMARY KEY);
         INSERT INTO public.skus VALUES ('${secret}');
         CREATE FUNCTION public.sku_known(s text) RETURNS boolean LANGUAGE plpgsql AS
           $$BEGIN RETURN EXISTS (SELECT 1 FROM skus WHERE sku = s); END$$;
         CREATE TABLE public.stock (sku text CHECK (public.sku_known(sku)), qty integer);
         INSERT INTO public.stock VALUES ('${secret}', 5);`
      )
      archive = path.join(files, 'check-fn.dump')
      execFileSync(path.join(server.binDir, 'pg_dump'), ['-Fc', '-f', archive, source], {
        env: server.env(source)
      })
    })

    it('jobs: 1 — the archive entry, the function and the COPY line named; the row cut; nothing kept', async () => {
      const target = await server.createDatabase()
      const error = await runRestore(target, archive).then(
        () => undefined,
        (e: unknown) => e as Error
      )
      const message = error?.message ?? ''
      expect(message).toMatch(/relation "skus" does not exist/)
      expect(message).toContain('CONTEXT:  COPY stock, line 1')
      expect(message).toMatch(/PL\/pgSQL function public\.sku_known\(text\)/)
      expect(message).toContain("(in the archive's entry TABLE DATA public.stock)")
      expect(message).toMatch(/this backup fails to load into any database/)
      expect(message).not.toMatch(/<stdin>|clean: true/)
      expect(message).not.toContain(secret)
      expect(message).toMatch(/Nothing was kept: the restore ran in one transaction/)
    })

    it('jobs: 2 — says only what a parallel restore leaves', async () => {
      const target = await server.createDatabase()
      const error = await runRestore(target, archive, {
        jobs: 2,
        singleTransaction: false
      }).then(
        () => undefined,
        (e: unknown) => e as Error
      )
      const message = error?.message ?? ''
      expect(message).toMatch(/relation "skus" does not exist/)
      expect(message).toMatch(
        /The restore ran without a single transaction \(jobs: 2\): what loaded before the error stays: remove it before restoring again\.$/
      )
      expect(message).not.toMatch(/Nothing was kept|one transaction \(the default\)/)
      expect(message).not.toContain(secret)
    })
  })
})
