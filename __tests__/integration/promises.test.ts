/**
 * The fail-closed promises of backup and restore, each held by a test that fails when the one
 * check behind it is broken (issue 21's mutation pass): a backup refuses empty pg_dump output and
 * a plain dump without its trailer (a stand-in pg_dump in pg-bin-dir writes them); a restore
 * refuses a file whose sha256 differs from its manifest even at the same size (two dumps of the
 * same size swapped), a format, compression or encryption state other than the manifest's, and
 * restored data that lacks a table of the manifest or holds another row count. Every refusal
 * leaves the target empty and, for a backup, writes nothing.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync, spawnSync } from 'node:child_process'
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import path from 'node:path'
import { tableChecksums } from '../../dev/fixtures.js'
import type { TestServer } from '../../dev/postgres.js'
import { CheckError } from '../../src/errors.js'
import type { Manifest } from '../../src/manifest.js'
import type { BackupResult } from '../../src/modes/backup.js'
import type { BackupOptions, DecryptionKeys, RestoreOptions } from '../../src/types.js'
import { useHarness } from '../support/harness.js'
import { testBackupInputs, testRestoreInputs } from '../support/inputs.js'

const harness = useHarness({ name: 'promises' })
let server: TestServer
let shop: string
let shopSums: Awaited<ReturnType<typeof tableChecksums>>

const SHOP_SQL = `CREATE TABLE public.customers (id integer PRIMARY KEY, name text NOT NULL);
  CREATE TABLE public.orders (id integer PRIMARY KEY, customer_id integer REFERENCES public.customers);
  INSERT INTO public.customers VALUES (1, 'Ada'), (2, 'Grace'), (3, 'Edsger');
  INSERT INTO public.orders SELECT i, 1 + i % 3 FROM generate_series(1, 7) AS i;`

beforeAll(async () => {
  ;({ server } = harness)
  shop = await server.createDatabase('shop')
  await server.query(shop, SHOP_SQL)
  shopSums = await tableChecksums(server, shop)
  expect(Object.keys(shopSums)).toEqual(['public.customers', 'public.orders'])
}, 60_000)

interface LocalBackup {
  result: BackupResult
  file: string
  manifestFile: string
  manifest: Manifest
}

/** A backup of `database` written to a directory of its own: the file and its manifest. */
async function localBackup(
  database: string,
  overrides: Partial<BackupOptions> = {}
): Promise<LocalBackup> {
  const dir = mkdtempSync(path.join(harness.work, 'backup-'))
  const result = await harness.backup(testBackupInputs(server.url(database), overrides), {
    outputDirectory: dir
  })
  const file = path.join(dir, result.fileName)
  const manifestFile = `${file}.manifest.json`
  expect(readdirSync(dir).sort()).toEqual([result.fileName, `${result.fileName}.manifest.json`])
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest
  return { result, file, manifestFile, manifest }
}

/** A copy of the backup's file beside an edited copy of its manifest. */
function withManifest(backup: LocalBackup, edit: (m: Manifest) => void): string {
  const dir = mkdtempSync(path.join(harness.work, 'edited-'))
  const file = path.join(dir, path.basename(backup.file))
  copyFileSync(backup.file, file)
  const manifest = structuredClone(backup.manifest)
  edit(manifest)
  writeFileSync(`${file}.manifest.json`, JSON.stringify(manifest, null, 2))
  return file
}

function restoreInto(target: string, file: string, overrides: Partial<RestoreOptions> = {}) {
  return harness.restore(
    testRestoreInputs(server.url(target), { kind: 'file', path: file }, overrides)
  )
}

/**
 * Restores `file` into a new empty database: refused with `message`. The checks before the load
 * leave the database empty; the row counts are compared after it (`loaded`: what is there then).
 */
async function expectRefused(
  file: string,
  message: RegExp,
  overrides: Partial<RestoreOptions> = {},
  loaded: Record<string, unknown> = {}
): Promise<Error> {
  const target = await server.createDatabase()
  const error = await restoreInto(target, file, overrides).then(
    () => new Error('the restore succeeded'),
    (e: unknown) => e as Error
  )
  expect(error.message).toMatch(message)
  expect(await tableChecksums(server, target)).toEqual(loaded)
  await server.dropDatabase(target)
  return error
}

/** Restores `file` into a new empty database and expects the shop's data. */
async function expectShop(file: string, overrides: Partial<RestoreOptions> = {}): Promise<void> {
  const target = await server.createDatabase()
  const result = await restoreInto(target, file, overrides)
  expect(result.tables.map(t => `${t.schema}.${t.name}`).sort()).toEqual(Object.keys(shopSums))
  expect(await tableChecksums(server, target)).toEqual(shopSums)
  await server.dropDatabase(target)
}

describe('restore: the manifest holds the backup to what it describes', () => {
  let custom: LocalBackup
  let encrypted: LocalBackup
  let decryption: DecryptionKeys

  beforeAll(async () => {
    // an age key (a passphrase's scrypt would take seconds per restore)
    const keyFile = path.join(harness.work, 'age-key.txt')
    expect(spawnSync('age-keygen', ['-o', keyFile]).status).toBe(0)
    const keyText = readFileSync(keyFile, 'utf8')
    const identity = keyText.split('\n').find(l => l.startsWith('AGE-SECRET-KEY-1'))!
    const recipient = /# public key: (age1\S+)/.exec(keyText)![1]
    decryption = { identities: [identity], passphrases: [] }
    custom = await localBackup(shop, { format: 'custom', compression: 'zstd' })
    encrypted = await localBackup(shop, {
      format: 'custom',
      compression: 'gzip',
      compressionLevel: 6,
      encryption: { kind: 'recipients', recipients: [recipient] }
    })
    expect(custom.manifest.rowCounts.tables.map(t => [t.name, t.rows])).toEqual([
      ['customers', 3],
      ['orders', 7]
    ])
  }, 120_000)

  it('the unedited backups restore (the refusals below are the edits)', async () => {
    await expectShop(withManifest(custom, () => undefined))
    await expectShop(
      withManifest(encrypted, () => undefined),
      { decryption }
    )
  })

  it('a table of the manifest missing in the restored data', async () => {
    const file = withManifest(custom, m => {
      m.rowCounts.tables.push({ schema: 'public', name: 'invoices', rows: 0 })
    })
    await expectRefused(
      file,
      /does not match the backup's manifest: public\.invoices is missing\. The restore was committed: the target holds what was loaded\./,
      {},
      shopSums
    )
  })

  it('a table without rows is restored and counted as 0 rows, not as missing', async () => {
    const db = await server.createDatabase('with_empty')
    await server.query(
      db,
      `CREATE TABLE public.empty (id integer);
       CREATE TABLE public.one (id integer); INSERT INTO public.one VALUES (1);`
    )
    const backup = await localBackup(db, { format: 'custom', compression: 'zstd' })
    const counted = (tables: Array<{ name: string; rows: number | null }>) =>
      tables.map(t => [t.name, t.rows]).sort()
    expect(counted(backup.manifest.rowCounts.tables)).toEqual([
      ['empty', 0],
      ['one', 1]
    ])
    const target = await server.createDatabase()
    const result = await restoreInto(target, backup.file)
    expect(counted(result.tables)).toEqual([
      ['empty', 0],
      ['one', 1]
    ])
    expect(Object.keys(await tableChecksums(server, target)).sort()).toEqual([
      'public.empty',
      'public.one'
    ])
    await server.dropDatabase(target)
  })

  it('a table of the manifest with another row count', async () => {
    const file = withManifest(custom, m => {
      m.rowCounts.tables.find(t => t.name === 'orders')!.rows = 8
    })
    const error = await expectRefused(
      file,
      /does not match the backup's manifest: public\.orders has 7 rows, the manifest says 8\. The restore was committed/,
      {},
      shopSums
    )
    // committed: a failure (exit 1), not a check that changed nothing (exit 3)
    expect(error).not.toBeInstanceOf(CheckError)
  })

  it.each([
    [
      'format plain',
      (m: Manifest) => void (m.format = 'plain'),
      /\(custom, zstd\).*\(plain, zstd\)/
    ],
    [
      'format directory',
      (m: Manifest) => void (m.format = 'directory'),
      /\(custom, zstd\).*\(directory, zstd\)/
    ],
    [
      'compression gzip',
      (m: Manifest) => void (m.compression.algorithm = 'gzip'),
      /\(custom, zstd\).*\(custom, gzip\)/
    ],
    [
      'compression none',
      (m: Manifest) =>
        void Object.assign(m.compression, { algorithm: 'none', level: null, by: 'none' }),
      /\(custom, zstd\).*\(custom, none\)/
    ]
  ])('content other than the manifest says: %s', async (_name, edit, detail) => {
    const error = await expectRefused(
      withManifest(custom, edit),
      /the backup's content .* does not match its manifest .*Nothing was restored/
    )
    expect(error.message).toMatch(detail)
  })

  it('a manifest beside the file that is not valid fails the restore (never ignored, which would skip its checks)', async () => {
    await expectRefused(
      withManifest(custom, m => void (m.compression.algorithm = 'none')),
      /is not a valid manifest \(manifest field compression\.level is 3, outside 0–0\)\. Nothing was restored/
    )
  })

  it('an unencrypted file whose manifest says it is encrypted', async () => {
    const file = withManifest(custom, m => {
      m.encryption = { ...encrypted.manifest.encryption! }
    })
    await expectRefused(file, /content is not encrypted, but its manifest says otherwise/, {
      decryption
    })
  })

  it('an encrypted file whose manifest says it is not', async () => {
    const file = withManifest(encrypted, m => {
      delete m.encryption
    })
    await expectRefused(file, /content is encrypted, but its manifest says otherwise/, {
      decryption
    })
  })
})

describe('restore: sha256 against the manifest, for swapped files of the same size', () => {
  // two databases that differ in one letter of one row: their dumps have the same size
  let twins: Record<'a' | 'b', string>

  beforeAll(async () => {
    twins = {
      a: await server.createDatabase('twin_a'),
      b: await server.createDatabase('twin_b')
    }
    await server.query(twins.a, SHOP_SQL)
    await server.query(twins.b, SHOP_SQL.replace("'Ada'", "'Bob'"))
  })

  // (uncompressed: a compressor's output size depends on the bytes)
  it.each(['plain', 'custom'] as const)('format %s', async format => {
    const options = { format, compression: 'none', compressionLevel: 0 } as const
    const [a, b] = [await localBackup(twins.a, options), await localBackup(twins.b, options)]
    expect(statSync(b.file).size).toBe(statSync(a.file).size)
    expect(b.manifest.file.sha256).not.toBe(a.manifest.file.sha256)
    // b's file under a's name, beside a's manifest
    const dir = mkdtempSync(path.join(harness.work, 'swapped-'))
    const file = path.join(dir, path.basename(a.file))
    copyFileSync(b.file, file)
    copyFileSync(a.manifestFile, `${file}.manifest.json`)
    const error = await expectRefused(
      file,
      /does not match its manifest \(sha256 [0-9a-f]{64}, \d+ bytes; .*corrupted, truncated or swapped\. Nothing was restored/
    )
    expect(error.message).toContain(b.manifest.file.sha256)
    expect(error.message).toContain(a.manifest.file.sha256)
  })
})

describe('backup: what pg_dump wrote is whole before anything is kept', () => {
  /**
   * A pg-bin-dir whose pg_dump runs the server's own pg_dump and passes its output through
   * `filter` (a shell command on stdin); pg_restore and psql are the real ones.
   */
  function fakeBinDir(name: string, filter: string, run = `"$PG_DUMP" "$@" | ${filter}`): string {
    const dir = path.join(harness.work, `bin-${name}`)
    mkdirSync(dir)
    const real = path.join(server.binDir, 'pg_dump')
    writeFileSync(
      path.join(dir, 'pg_dump'),
      `#!/bin/sh
PG_DUMP='${real}'
for a in "$@"; do [ "$a" = --version ] && exec "$PG_DUMP" --version; done
${run}
`
    )
    chmodSync(path.join(dir, 'pg_dump'), 0o755)
    for (const program of ['pg_restore', 'psql']) {
      symlinkSync(path.join(server.binDir, program), path.join(dir, program))
    }
    return dir
  }

  let bins: Record<'empty' | 'noTrailer' | 'cut', string>
  beforeAll(() => {
    bins = {
      empty: fakeBinDir('empty', 'cat >/dev/null'),
      noTrailer: fakeBinDir('no-trailer', "sed '/PostgreSQL database dump complete/d'"),
      // a tar archive that stops short of its end blocks (a pg_dump killed before its end)
      cut: fakeBinDir('cut', 'head -c -1024')
    }
  })

  async function expectNothingKept(
    options: Partial<BackupOptions>,
    message: RegExp,
    database = shop
  ) {
    const dir = mkdtempSync(path.join(harness.work, 'refused-'))
    const error = await harness
      .backup(testBackupInputs(server.url(database), options), { outputDirectory: dir })
      .then(
        () => new Error('the backup succeeded'),
        (e: unknown) => e as Error
      )
    expect(error.message).toMatch(message)
    expect(readdirSync(dir)).toEqual([])
    expect(readdirSync(harness.tempRoot)).toEqual([])
  }

  it('the stand-in pg_dump passes a whole dump through (control)', async () => {
    const dir = fakeBinDir('control', 'cat')
    const backup = await localBackup(shop, { format: 'plain', compression: 'none', pgBinDir: dir })
    expect(readFileSync(backup.file, 'utf8')).toContain('PostgreSQL database dump complete')
    await expectShop(backup.file)
  })

  it.each(['none', 'zstd'] as const)(
    'empty pg_dump output, format plain, compression %s',
    async compression => {
      await expectNothingKept(
        {
          format: 'plain',
          compression,
          compressionLevel: compression === 'zstd' ? 3 : 0,
          pgBinDir: bins.empty
        },
        /pg_dump produced no output; nothing was uploaded/
      )
    }
  )

  it('empty pg_dump output, format custom (pg_restore --list refuses it first)', async () => {
    await expectNothingKept(
      { format: 'custom', compression: 'zstd', pgBinDir: bins.empty },
      /pg_restore --list rejected the archive: .*input file is too short/
    )
  })

  it.each(['none', 'gzip'] as const)(
    'a plain dump without its "dump complete" trailer, compression %s',
    async compression => {
      await expectNothingKept(
        {
          format: 'plain',
          compression,
          compressionLevel: compression === 'gzip' ? 6 : 0,
          pgBinDir: bins.noTrailer
        },
        /the plain dump is truncated: it does not end with '.*dump complete.*' after its last statement\. .*nothing was uploaded/
      )
    }
  )

  describe('cut where its end looks whole (attacker a98 F5): refused, nothing kept', () => {
    // lastEmpty: its last data block is an empty table's (21 bytes: type, dumpId, "\\.\n\n\n"
    // as a chunk, the zero length); objects: large objects too; spoofs: pg_dump's closing
    // lines in a table's rows and in a comment's string
    let dbs: Record<'lastEmpty' | 'objects' | 'rowSpoof' | 'commentSpoof' | 'nameSpoof', string>
    const TRAILER_LINES = `'--'), ('-- PostgreSQL database dump complete'), ('--'), ('')`
    beforeAll(async () => {
      dbs = {
        lastEmpty: await server.createDatabase('cut_last_empty'),
        objects: await server.createDatabase('cut_objects'),
        rowSpoof: await server.createDatabase('cut_row_spoof'),
        commentSpoof: await server.createDatabase('cut_comment_spoof'),
        nameSpoof: await server.createDatabase('cut_name_spoof')
      }
      // pg_dump's comment line before a table holds its name: "-- Name: z-- PostgreSQL …"
      await server.query(
        dbs.nameSpoof,
        `CREATE TABLE public."z-- PostgreSQL database dump complete" (id int);
         CREATE TABLE public.zz (id int PRIMARY KEY); INSERT INTO public.zz VALUES (1);`
      )
      await server.query(dbs.lastEmpty, `${SHOP_SQL} CREATE TABLE public.zz_last (a int);`)
      await server.query(
        dbs.objects,
        `${SHOP_SQL} SELECT lo_from_bytea(0, 'first'), lo_from_bytea(0, repeat('x', 9000)::bytea);`
      )
      await server.query(
        dbs.rowSpoof,
        `CREATE TABLE public.notes (t text); INSERT INTO public.notes VALUES (''), (${TRAILER_LINES}, ('after');
         CREATE TABLE public.zz (id int PRIMARY KEY); INSERT INTO public.zz VALUES (1);`
      )
      await server.query(
        dbs.commentSpoof,
        `CREATE TABLE public.notes (t text); INSERT INTO public.notes VALUES ('a');
         COMMENT ON TABLE public.notes IS E'\n--\n-- PostgreSQL database dump complete\n--\n';
         CREATE TABLE public.zz (id int PRIMARY KEY); INSERT INTO public.zz VALUES (1);`
      )
    })

    it.each(['zstd', 'gzip'] as const)(
      'a custom archive whose wrapper passes it whole (control, compression %s)',
      async compression => {
        const dir = fakeBinDir(`custom-control-${compression}`, 'cat')
        const backup = await localBackup(dbs.objects, {
          format: 'custom',
          compression,
          pgBinDir: dir
        })
        const target = await server.createDatabase()
        await restoreInto(target, backup.file)
        expect(await tableChecksums(server, target)).toEqual(shopSums)
        expect(
          await server.query(target, 'SELECT count(*)::int AS n FROM pg_largeobject_metadata')
        ).toEqual([{ n: 2 }])
      }
    )

    it.each(['zstd', 'gzip', 'none'] as const)(
      'a custom archive cut inside its last data block (compression %s)',
      async compression => {
        await expectNothingKept(
          {
            format: 'custom',
            compression,
            pgBinDir: fakeBinDir(`custom-cut-${compression}`, 'head -c -100')
          },
          /the custom archive is not whole: the archive ends inside a data block\. .*nothing was uploaded/,
          dbs.objects
        )
      }
    )

    it('a custom archive cut exactly before its last data block', async () => {
      await expectNothingKept(
        {
          format: 'custom',
          compression: 'zstd',
          pgBinDir: fakeBinDir('custom-block', 'head -c -21')
        },
        /the custom archive is not whole: the archive ends before the data of 1 entry: \d+; TABLE DATA public zz_last\. .*nothing was uploaded/,
        dbs.lastEmpty
      )
    })

    it.each([
      [
        'rowSpoof',
        'ends inside the data of a COPY',
        "awk '{ print } /^-- PostgreSQL database dump complete$/ { exit }'"
      ],
      [
        'commentSpoof',
        'ends inside a statement that starts on line',
        "awk '{ print } /^-- PostgreSQL database dump complete$/ { exit }'"
      ],
      // after pg_dump's comment line that names a table whose name holds the trailer
      [
        'nameSpoof',
        "does not end with '-- PostgreSQL database dump complete' after its last statement",
        "awk '{ print } /^-- Name: z-- PostgreSQL database dump complete/ { exit }'"
      ],
      // after the comment's whole statement: the trailer is in its string, before its end
      [
        'commentSpoof',
        "does not end with '-- PostgreSQL database dump complete' after its last statement",
        `awk '{ print } /^'"'"';$/ { exit }'`
      ]
    ] as const)('a plain dump cut after closing lines in %s: %s', async (db, said, filter) => {
      const dir = fakeBinDir(`plain-${db}-${said.length}`, filter)
      await expectNothingKept(
        { format: 'plain', compression: 'none', compressionLevel: 0, pgBinDir: dir },
        new RegExp(
          `the plain dump is truncated: it ${said.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*nothing was uploaded`
        ),
        dbs[db]
      )
      // the same in a client-only encoding, which psql reads character by character (attacker
      // a100 F3: unread, a cut after a row holding the closing lines was kept as whole)
      await expectNothingKept(
        {
          format: 'plain',
          compression: 'none',
          compressionLevel: 0,
          pgBinDir: dir,
          pgDumpArgs: ['--encoding=SJIS']
        },
        new RegExp(
          `the plain dump is truncated: it ${said.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*nothing was uploaded`
        ),
        dbs[db]
      )
    })

    it('a plain dump in SJIS: its tables listed by their names, whose characters hold a "\\" byte (attacker a100 F3: none were)', async () => {
      const sj = await server.createDatabase('plain_sjis')
      await server.query(
        sj,
        `CREATE TABLE public."表ソ" ("列ソ" text); INSERT INTO public."表ソ" VALUES ('ソ'), ('x''y');
         COMMENT ON TABLE public."表ソ" IS 'ソ''; SELECT 1; --';`
      )
      const backup = await localBackup(sj, {
        format: 'plain',
        compression: 'none',
        compressionLevel: 0,
        pgDumpArgs: ['--encoding=SJIS']
      })
      expect(readFileSync(backup.file).includes(Buffer.from([0x95, 0x5c, 0x83, 0x5c]))).toBe(true)
      expect(backup.manifest.rowCounts.tables).toEqual([
        expect.objectContaining({ schema: 'public', name: '表ソ', rows: 2 })
      ])
      // a backup the action's restore refuses is said so (attacker a104 G3)
      expect(backup.result.warnings?.join('\n')).toMatch(
        /The plain dump is in client_encoding SJIS .*the action's restore and verify refuse a script in an encoding/
      )
    })

    it.each([
      [
        'a table data file cut short',
        'f=$(ls -S "$d"/[0-9]*.dat | head -1); head -c 10 "$f" > "$f.cut"; mv "$f.cut" "$f"',
        /\d+\.dat \(of TABLE DATA public (customers|orders)\) does not end with the COPY data's "\\\." line/
      ],
      [
        'a large object file removed',
        'rm "$(ls "$d"/blob_*.dat | head -1)"',
        /blob_\d+\.dat \(a large object blobs\.toc lists\) is missing/
      ],
      [
        'a large object cut from blobs.toc at a line end',
        'head -n 1 "$d/blobs.toc" > "$d/cut" && mv "$d/cut" "$d/blobs.toc"',
        /1 large object of the table of contents is in no blobs toc \(OID \d+\)/
      ],
      [
        'a table data file removed',
        'rm "$(ls -S "$d"/[0-9]*.dat | head -1)"',
        /\d+\.dat \(of TABLE DATA public \w+\) is missing/
      ]
    ] as const)(
      'a directory archive with %s after pg_dump exited 0',
      async (what, change, message) => {
        const dir = fakeBinDir(
          `directory-${what.replaceAll(' ', '-')}`,
          '',
          `"$PG_DUMP" "$@" || exit $?
for a in "$@"; do case "$a" in --file=*) d="\${a#--file=}";; esac; done
${change}`
        )
        await expectNothingKept(
          { format: 'directory', compression: 'zstd', pgBinDir: dir },
          new RegExp(`the directory archive is not whole: ${message.source}.*nothing was uploaded`),
          dbs.objects
        )
      }
    )
  })

  it('a directory archive of pg_dump --inserts with a data file cut inside a statement (attacker a100)', async () => {
    const dir = fakeBinDir(
      'directory-inserts-cut',
      '',
      `"$PG_DUMP" "$@" || exit $?
for a in "$@"; do case "$a" in --file=*) d="\${a#--file=}";; esac; done
f=$(ls -S "$d"/[0-9]*.dat | head -1); head -c 30 "$f" > "$f.cut"; mv "$f.cut" "$f"`
    )
    await expectNothingKept(
      { format: 'directory', compression: 'zstd', pgBinDir: dir, pgDumpArgs: ['--inserts'] },
      /the directory archive is not whole: \d+\.dat \(of TABLE DATA public \w+\) ends inside an INSERT statement.*nothing was uploaded/
    )
  })

  it('a tar-format archive cut short (format tar): refused, nothing kept', async () => {
    await expectNothingKept(
      { format: 'tar', compression: 'zstd', pgBinDir: bins.cut },
      /the tar-format archive does not end with its restore\.sql .* it is truncated; nothing was uploaded/
    )
  })

  it('a backup restored by mistake into the database it was made of: said before clean is offered (trial u20 F4)', async () => {
    const backup = await localBackup(shop, { format: 'custom', compression: 'zstd' })
    const error = await restoreInto(shop, backup.file).then(
      () => undefined,
      (e: unknown) => e as Error
    )
    expect(error?.message).toMatch(
      new RegExp(
        `is not empty: .*Nothing was changed\\. This is the database the backup was made of \\(${backup.manifest.database.name} on 127\\.0\\.0\\.1:${backup.manifest.database.port}\\): clean would replace its data`
      )
    )
    expect(await tableChecksums(server, shop)).toEqual(shopSums)
    // another database holding the same tables: not said
    const other = await server.createDatabase()
    await restoreInto(other, backup.file)
    const again = await restoreInto(other, backup.file).then(
      () => undefined,
      (e: unknown) => e as Error
    )
    expect(again?.message).toMatch(/is not empty/)
    expect(again?.message).not.toMatch(/made of/)
  })

  it('a whole tar-format archive passes (control)', async () => {
    const backup = await localBackup(shop, { format: 'tar', compression: 'none' })
    expect(backup.file).toMatch(/\.tar$/)
    expect(backup.manifest.format).toBe('tar')
    expect(execFileSync('tar', ['-tf', backup.file], { encoding: 'utf8' })).toMatch(/^toc\.dat$/m)
    await expectShop(backup.file)
  })
})
