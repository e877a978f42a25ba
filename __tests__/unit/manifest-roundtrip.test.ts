/**
 * manifest.ts, written and read back (manifest.test.ts checks the parser field by field): the manifest a backup writes (what restore checks the file against: format,
 * compression, encryption, sha256 and size, row counts) and the reader that refuses a manifest
 * it cannot trust.
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {
  type BackupFacts,
  MANIFEST_SCHEMA_VERSION,
  ManifestError,
  backupManifest,
  manifestJson,
  parseManifest,
  readManifest,
  writeManifest
} from '../../src/manifest.js'
import { CheckError } from '../../src/errors.js'
import { testBackupInputs } from '../support/inputs.js'

const SHA = 'ab'.repeat(32)
const FACTS: BackupFacts = {
  createdAt: new Date('2026-03-04T05:06:07.000Z'),
  github: { repository: 'o/r', runId: '7' },
  database: { name: 'app', host: 'db', port: 5432, sizeBytes: 1000 },
  server: { version: '16.4', versionNum: 160004, major: 16 },
  pgDump: { version: '16.4', major: 16 },
  file: { name: 'app.dump.zst', sizeBytes: 123, sha256: SHA },
  rawSizeBytes: 456,
  rowCounts: {
    method: 'exact',
    sameSnapshot: true,
    tables: [{ schema: 'public', name: 't', rows: 3 }],
    totalRows: 3
  },
  pgDumpArgs: ['--no-comments']
}

const work = mkdtempSync(path.join(os.tmpdir(), 'manifest-test-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

describe('backupManifest', () => {
  it('records format, compression by the action and its level, file, counts and options', () => {
    const options = testBackupInputs('postgresql://u:p@h/app', { format: 'plain' })
    const m = backupManifest(options, FACTS)
    expect(m).toEqual({
      schemaVersion: MANIFEST_SCHEMA_VERSION,
      tool: { name: expect.any(String), version: expect.any(String) },
      createdAt: '2026-03-04T05:06:07.000Z',
      github: FACTS.github,
      database: FACTS.database,
      server: FACTS.server,
      pgDump: FACTS.pgDump,
      format: 'plain',
      compression: { algorithm: 'zstd', level: 3, by: 'action' },
      encryption: undefined,
      file: FACTS.file,
      rawSizeBytes: 456,
      durationSeconds: 0,
      rowCounts: FACTS.rowCounts,
      objects: undefined,
      retention: undefined,
      filters: options.filters,
      pgDumpArgs: ['--no-comments']
    })
    expect(m.tool.name.length).toBeGreaterThan(0)
  })

  it('compression none: no level, compressed by nobody', () => {
    const m = backupManifest(
      testBackupInputs('postgresql://h/app', { compression: 'none', compressionLevel: 0 }),
      FACTS
    )
    expect(m.compression).toEqual({ algorithm: 'none', level: null, by: 'none' })
  })

  it('encryption: the recipients (public keys) or a passphrase, never the secret', () => {
    const recipients = backupManifest(
      testBackupInputs('postgresql://h/app', {
        encryption: { kind: 'recipients', recipients: ['age1one', 'age1two'] }
      }),
      FACTS
    )
    expect(recipients.encryption).toEqual({
      algorithm: 'age',
      mode: 'recipients',
      recipients: ['age1one', 'age1two']
    })
    const passphrase = backupManifest(
      testBackupInputs('postgresql://h/app', {
        encryption: { kind: 'passphrase', passphrase: 'the passphrase itself' }
      }),
      FACTS
    )
    expect(passphrase.encryption).toEqual({ algorithm: 'age', mode: 'passphrase', recipients: [] })
    expect(manifestJson(passphrase)).not.toContain('the passphrase itself')
  })
})

describe('parseManifest / readManifest', () => {
  const good = backupManifest(testBackupInputs('postgresql://h/app'), FACTS)

  it('reads back what writeManifest wrote (owner-only file)', async () => {
    const file = path.join(work, 'good.json')
    await writeManifest(file, good)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(await readManifest(file)).toEqual(JSON.parse(manifestJson(good)))
    expect(manifestJson(good).endsWith('}\n')).toBe(true)
  })

  const refused: Array<[string, unknown, RegExp]> = [
    ['not an object', 'text', /manifest is not an object/],
    ['null', null, /manifest is not an object/],
    [
      'another schema version',
      { ...good, schemaVersion: 2 },
      /schemaVersion 2 is not supported \(expected 1\); use a newer version/
    ],
    ['no schema version', { ...good, schemaVersion: undefined }, /schemaVersion undefined/],
    ['no file', { ...good, file: undefined }, /manifest field file is missing or not an object/],
    ['a sha256 that is no digest', { ...good, file: { ...good.file, sha256: 'ab' } }, /sha256/],
    [
      'an upper-case sha256',
      { ...good, file: { ...good.file, sha256: SHA.toUpperCase() } },
      /sha256/
    ],
    [
      'a sha256 with more around it',
      { ...good, file: { ...good.file, sha256: `x${SHA}` } },
      /sha256/
    ],
    ['a numeric sha256', { ...good, file: { ...good.file, sha256: 1 } }, /sha256/],
    ['no format', { ...good, format: undefined }, /manifest field format is not one of/],
    ['no compression', { ...good, compression: undefined }, /field compression is missing/],
    ['no row counts', { ...good, rowCounts: undefined }, /field rowCounts is missing/],
    [
      'row counts without tables',
      { ...good, rowCounts: { method: 'exact' } },
      /rowCounts\.tables is missing/
    ]
  ]

  it.each(refused)('refuses %s', (_name, data, message) => {
    expect(() => parseManifest(data)).toThrow(ManifestError)
    expect(() => parseManifest(data)).toThrow(message)
  })

  it('accepts the manifest a backup writes', () => {
    expect(parseManifest(JSON.parse(manifestJson(good)))).toEqual(JSON.parse(manifestJson(good)))
  })

  it('a file that is not JSON: a check error naming the file', async () => {
    const file = path.join(work, 'bad.json')
    writeFileSync(file, '{ "schemaVersion": 1,')
    const error = await readManifest(file).then(
      () => undefined,
      (e: unknown) => e as Error
    )
    expect(error).toBeInstanceOf(ManifestError)
    expect(error).toBeInstanceOf(CheckError)
    expect(error!.message).toMatch(/bad\.json is not valid JSON: /)
    expect(error!.name).toBe('ManifestError')
  })

  it('a file that does not exist: refused too', async () => {
    await expect(readManifest(path.join(work, 'none.json'))).rejects.toThrow(ManifestError)
  })
})

/** A folder on another file system than the temporary one where the machine has one (tmpfs). */
const OTHER_FS = existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir()

describe('keepLocally: each file under its name whole, the manifest last (attacker a36 A4)', () => {
  const dirs: string[] = []
  afterAll(() => dirs.forEach(d => rmSync(d, { recursive: true, force: true })))
  /** A dump file `app.dump.zst` holding `data` in a new folder under `from`, and an output folder. */
  const placed = (from: string, data: Buffer | string): { dump: string; out: string } => {
    const work = mkdtempSync(path.join(from, 'keep-src-'))
    const out = mkdtempSync(path.join(os.tmpdir(), 'keep-out-'))
    dirs.push(work, out)
    const dump = path.join(work, 'app.dump.zst')
    writeFileSync(dump, data, { mode: 0o600 })
    return { dump, out }
  }

  it.each([
    ['the same file system (a rename)', os.tmpdir()],
    ['another file system (a copy, then a rename)', OTHER_FS]
  ])('from %s: the dump and its manifest, no .partial left', async (_how, from) => {
    const { keepLocally } = await import('../../src/storage/local.js')
    const { readdirSync, readFileSync } = await import('node:fs')
    const { dump, out } = placed(from, Buffer.alloc(3 * 1024 * 1024, 7))
    const manifest = backupManifest(testBackupInputs('postgresql://u@h/d'), FACTS)
    const kept = await keepLocally(dump, manifest, out, undefined, [
      { name: 'app.globals.sql', data: Buffer.from('-- roles\n') }
    ])
    expect(kept).toBe(path.join(out, 'app.dump.zst'))
    expect(readdirSync(out).sort()).toEqual([
      'app.dump.zst',
      'app.dump.zst.manifest.json',
      'app.globals.sql'
    ])
    expect(readFileSync(kept).equals(Buffer.alloc(3 * 1024 * 1024, 7))).toBe(true)
    expect(statSync(kept).mode & 0o777).toBe(0o600)
    expect(statSync(`${kept}.manifest.json`).mode & 0o777).toBe(0o600)
    expect(JSON.parse(readFileSync(`${kept}.manifest.json`, 'utf8')).file.sha256).toBe(SHA)
  })

  it.each([
    ['another file system', OTHER_FS],
    ['the same file system', os.tmpdir()]
  ])(
    'a manifest that cannot take its name (from %s): the error, and neither the dump, a .partial nor a manifest left (attacker a98 F1)',
    async (_how, from) => {
      const { keepLocally } = await import('../../src/storage/local.js')
      const { mkdirSync, readdirSync } = await import('node:fs')
      const { dump, out } = placed(from, 'x')
      // a directory already holds the manifest's name
      mkdirSync(path.join(out, 'app.dump.zst.manifest.json', 'inside'), { recursive: true })
      const manifest = backupManifest(testBackupInputs('postgresql://u@h/d'), FACTS)
      await expect(
        keepLocally(dump, manifest, out, undefined, [
          { name: 'app.globals.sql', data: Buffer.from('-- roles\n') }
        ])
      ).rejects.toThrow()
      expect(readdirSync(out).sort()).toEqual(['app.dump.zst.manifest.json'])
    }
  )

  it.each([
    ['the manifest', 'app.dump.zst.manifest.json.partial', os.tmpdir()],
    ['the globals file', 'app.globals.sql.partial', os.tmpdir()],
    ['the dump, copied from another file system', 'app.dump.zst.partial', OTHER_FS]
  ])(
    'a link planted where %s is written first: not followed, the file it points to unchanged (attacker a98 F10)',
    async (_what, planted, from) => {
      const { keepLocally } = await import('../../src/storage/local.js')
      const { lstatSync, readFileSync, symlinkSync } = await import('node:fs')
      const { dump, out } = placed(from, 'the dump')
      const victim = path.join(mkdtempSync(path.join(os.tmpdir(), 'keep-victim-')), 'victim.txt')
      dirs.push(path.dirname(victim))
      writeFileSync(victim, 'ORIGINAL')
      symlinkSync(victim, path.join(out, planted))
      const manifest = backupManifest(testBackupInputs('postgresql://u@h/d'), FACTS)
      const kept = await keepLocally(dump, manifest, out, undefined, [
        { name: 'app.globals.sql', data: Buffer.from('-- roles\n') }
      ])
      expect(readFileSync(victim, 'utf8')).toBe('ORIGINAL')
      for (const file of [kept, `${kept}.manifest.json`, path.join(out, 'app.globals.sql')])
        expect(lstatSync(file).isFile()).toBe(true)
      expect(readFileSync(kept, 'utf8')).toBe('the dump')
    }
  )
})
