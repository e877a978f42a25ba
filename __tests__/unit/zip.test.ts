/**
 * extractZip (storage/unzip.ts, on yauzl): the action's own zips (stored entries, read as the
 * byte ranges they are) and other zips (deflated, as users upload them) give back every file,
 * CRC-32 checked. Zips are made with archiver, the library the artifact client itself uses.
 */
import archiver from 'archiver'
import { createHash, randomBytes } from 'node:crypto'
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync
} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { PassThrough } from 'node:stream'
import zlib from 'node:zlib'
import { CheckError, exitCodeFor } from '../../src/errors.js'
import { backupManifest, manifestJson } from '../../src/manifest.js'
import { openZippedBackup, undecidableFolder } from '../../src/storage/local.js'
import type { BackupOptions } from '../../src/types.js'
import {
  HEAD_WINDOW,
  ZipHeadObserver,
  extractZip,
  hashEntry,
  openZip,
  zipSeen
} from '../../src/storage/unzip.js'

let work: string
beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'zip-test-'))
})
afterAll(() => rmSync(work, { recursive: true, force: true }))

interface ZipOptions {
  store: boolean
  forceZip64?: boolean
}

/** A zip of `files`, each appended as a stream (so sizes go in data descriptors, as ours). */
async function makeZip(files: Record<string, Buffer>, options: ZipOptions): Promise<Buffer> {
  const zip = archiver('zip', { store: options.store, forceZip64: options.forceZip64 ?? false })
  const chunks: Buffer[] = []
  const out = new PassThrough()
  out.on('data', (c: Buffer) => chunks.push(c))
  const ended = new Promise(resolve => out.on('end', resolve))
  zip.pipe(out)
  for (const [name, data] of Object.entries(files)) {
    const stream = new PassThrough()
    zip.append(stream, { name, store: options.store })
    stream.end(data)
  }
  await zip.finalize()
  await ended
  return Buffer.concat(chunks)
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex')

let n = 0
async function extract(zip: Buffer) {
  const dir = path.join(work, `case-${++n}`)
  const file = `${dir}.zip`
  writeFileSync(file, zip)
  const digests = await extractZip(file, dir)
  return { dir, digests }
}

const files = {
  'backup.dump.zst': randomBytes(3 * 1024 * 1024 + 17),
  'manifest.json': Buffer.from('{"schemaVersion":1}\n'),
  'empty.txt': Buffer.alloc(0)
}

describe('extractZip', () => {
  for (const options of [
    { store: true },
    { store: true, forceZip64: true },
    { store: false },
    { store: false, forceZip64: true }
  ]) {
    it(`gives back every file and its sha256 (${options.store ? 'stored' : 'deflated'}${options.forceZip64 ? ', zip64' : ''})`, async () => {
      const { dir, digests } = await extract(await makeZip(files, options))
      expect(readdirSync(dir).sort()).toEqual(Object.keys(files).sort())
      for (const [name, data] of Object.entries(files)) {
        expect(readFileSync(path.join(dir, name)).equals(data)).toBe(true)
        expect(digests.get(name)).toBe(sha256(data))
      }
    })
  }

  // only the central-directory reader checks CRC-32: this also shows it read these zips
  for (const forceZip64 of [false, true]) {
    it(`refuses a stored zip with a flipped byte inside an entry (CRC-32${forceZip64 ? ', zip64' : ''})`, async () => {
      const zip = await makeZip(files, { store: true, forceZip64 })
      const at = zip.indexOf(files['backup.dump.zst'].subarray(0, 64)) + 1000
      zip[at] ^= 0x01
      await expect(extract(zip)).rejects.toThrow(
        /the entry backup\.dump\.zst fails its CRC-32 check: the zip is corrupted/
      )
    })
  }

  it('refuses a zip cut short', async () => {
    const zip = await makeZip(files, { store: true })
    await expect(extract(zip.subarray(0, zip.length >> 1))).rejects.toThrow(
      /the zip could not be read \(corrupted or truncated\?\)/
    )
  })

  it.each([true, false])(
    'refuses entries that share bytes (a zip bomb: many entries, one stream; stored: %s)',
    async store => {
      const content = randomBytes(4096)
      const zip = await makeZip({ a: content, b: content, c: content }, { store })
      // point the central directory records of b and c at a's local header: three names, one body
      for (const name of ['b', 'c']) {
        let at = -1
        for (let i = zip.length - 46; i >= 0; i--) {
          if (
            zip.readUInt32LE(i) === 0x02014b50 &&
            zip.toString('latin1', i + 46, i + 47) === name
          ) {
            at = i
            break
          }
        }
        expect(at).toBeGreaterThan(0)
        zip.writeUInt32LE(0, at + 42)
      }
      await expect(extract(zip)).rejects.toThrow(/share bytes: the zip is forged \(a zip bomb\?\)/)
    }
  )

  it('refuses two entries of the same name (tools disagree on which one they take)', async () => {
    const zip = await makeZip(
      { 'a.dump': randomBytes(64), 'b.dump': randomBytes(64) },
      { store: true }
    )
    // rename b.dump to a.dump in its local header and its central directory record
    const renamed = Buffer.from(zip.toString('latin1').replace(/b\.dump/g, 'a.dump'), 'latin1')
    await expect(extract(renamed)).rejects.toThrow(/two entries named a\.dump: it is forged/)
  })

  it.each([
    ['zz.x', '../x'],
    ['zzzzzzzzzzzz', '/etc/passwd'.padEnd(12, 'x')]
  ])(
    'refuses an entry named outside its folder (%s → %s) as a forged backup (exit 3), naming it',
    async (from, to) => {
      const zip = await makeZip(
        { 'a.dump': randomBytes(64), [from]: randomBytes(8) },
        { store: true }
      )
      const renamed = Buffer.from(zip.toString('latin1').split(from).join(to), 'latin1')
      const error = await extract(renamed).catch((e: Error) => e)
      expect(error).toBeInstanceOf(CheckError)
      expect((error as Error).message).toContain(
        `the zip holds an entry named '${to}', a path outside the folder it unpacks into`
      )
      expect(exitCodeFor(error)).toBe(3)
    }
  )

  it('refuses something that is no zip', async () => {
    await expect(extract(Buffer.from('not a zip at all\n'.repeat(100)))).rejects.toThrow(
      /the zip could not be read/
    )
  })
})

/**
 * A deflate bomb made by hand: one block of `unit` zero bytes, compressed with a full flush (so
 * it stands alone) and repeated `copies` times, then an empty final block. 1 MiB of zeros
 * deflates to about 1 KiB: 3072 copies are ~3 MB that inflate to 3 GiB.
 */
function deflateBomb(
  copies: number,
  unit = 1024 * 1024
): { data: Buffer; size: number; crc: number } {
  const zeros = Buffer.alloc(unit)
  const block = zlib.deflateRawSync(zeros, { finishFlush: zlib.constants.Z_FULL_FLUSH })
  const data = Buffer.concat([...Array.from({ length: copies }, () => block), Buffer.from([3, 0])])
  let crc = 0
  for (let i = 0; i < copies; i++) crc = zlib.crc32(zeros, crc)
  return { data, size: copies * unit, crc }
}

/** A zip of deflated entries, written by hand: each declares `declared` (default: its true size). */
function handZip(
  entries: Array<{
    name: string
    data: Buffer
    size: number
    crc: number
    declared?: number
    method?: number
  }>
): Buffer {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const e of entries) {
    const name = Buffer.from(e.name)
    const size = e.declared ?? e.size
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt16LE(e.method ?? 8, 8)
    local.writeUInt32LE(e.crc >>> 0, 14)
    local.writeUInt32LE(e.data.length, 18)
    local.writeUInt32LE(size, 22)
    local.writeUInt16LE(name.length, 26)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(20, 4)
    central.writeUInt16LE(20, 6)
    central.writeUInt16LE(e.method ?? 8, 10)
    central.writeUInt32LE(e.crc >>> 0, 16)
    central.writeUInt32LE(e.data.length, 20)
    central.writeUInt32LE(size, 24)
    central.writeUInt16LE(name.length, 28)
    central.writeUInt32LE(offset, 42)
    locals.push(local, name, e.data)
    centrals.push(central, name)
    offset += 30 + name.length + e.data.length
  }
  const directory = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(entries.length, 8)
  end.writeUInt16LE(entries.length, 10)
  end.writeUInt32LE(directory.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, directory, end])
}

/** Bytes under `dir`, recursively. */
function bytesUnder(dir: string): number {
  let total = 0
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += statSync(path.join(entry.parentPath, entry.name)).size
  }
  return total
}

describe('zip bombs are refused before the disk fills', () => {
  const bomb = deflateBomb(3072) // ~3 MB → 3 GiB
  /** A manifest as the action writes it, for `name` of `sizeBytes`. */
  const manifestFor = (name: string, sizeBytes: number): Buffer =>
    Buffer.from(
      manifestJson(
        backupManifest(
          {
            format: 'plain',
            compression: 'none',
            compressionLevel: 0,
            filters: {
              tables: [],
              excludeTables: [],
              excludeTableData: [],
              schemas: [],
              excludeSchemas: []
            }
          } as unknown as BackupOptions,
          {
            createdAt: new Date('2026-12-01T02:00:00Z'),
            github: { repository: 'octo-org/app', runId: '1', runAttempt: '1', workflow: 'w' },
            database: { name: 'shop', host: 'db', port: 5432, sizeBytes: 1000 },
            server: { version: '17.2', versionNum: 170002, major: 17 },
            pgDump: { version: '17.2', major: 17 },
            file: { name, sizeBytes, sha256: 'a'.repeat(64) },
            rawSizeBytes: sizeBytes,
            rowCounts: { method: 'exact', sameSnapshot: true, tables: [], totalRows: 0 },
            objects: {
              tables: 0,
              views: 0,
              materializedViews: 0,
              sequences: 0,
              indexes: 0,
              functions: 0
            },
            pgDumpArgs: []
          }
        )
      )
    )

  it('is a real bomb: ~3 MB that declares 3 GiB', () => {
    expect(bomb.data.length).toBeLessThan(4 * 1024 * 1024)
    expect(bomb.size).toBe(3 * 1024 ** 3)
    // a sample inflates as declared: 16 of the blocks give 16 MiB of zeros
    const sample = zlib.inflateRawSync(
      Buffer.concat([
        bomb.data.subarray(0, ((bomb.data.length - 2) / 3072) * 16),
        Buffer.from([3, 0])
      ])
    )
    expect(sample.length).toBe(16 * 1024 * 1024)
  })

  it('without a manifest: a 3 MB → 3 GiB entry is refused by its ratio, nothing written', async () => {
    const dir = path.join(work, 'bomb-ratio')
    const started = Date.now()
    const file = `${dir}.zip`
    writeFileSync(
      file,
      handZip([
        { name: 'a.sql', ...bomb },
        { name: 'b.sql', ...bomb }
      ])
    )
    await expect(extractZip(file, dir)).rejects.toThrow(
      /the entry a\.sql would inflate from \d+ to 3221225472 bytes \(more than 200 times\): refused as a zip bomb; nothing was extracted\. If it is a genuine backup, unzip it yourself/
    )
    expect(bytesUnder(dir)).toBe(0)
    expect(Date.now() - started).toBeLessThan(10_000)
  })

  it('with a manifest: a dump entry larger than the manifest says is refused before extraction', async () => {
    const dir = path.join(work, 'bomb-manifest')
    mkdirSync(dir)
    const file = `${dir}.zip`
    const manifest = manifestFor('shop.sql', 4096)
    writeFileSync(
      file,
      handZip([
        { name: 'shop.sql', ...bomb },
        {
          name: 'manifest.json',
          data: manifest,
          size: manifest.length,
          crc: zlib.crc32(manifest),
          method: 0
        }
      ])
    )
    await expect(openZippedBackup(file, dir, 'the zip')).rejects.toThrow(
      /the zip's entry shop\.sql would be 3221225472 bytes, but its manifest says the file is 4096 bytes: the zip is forged \(a zip bomb\?\); nothing was extracted or restored\./
    )
    expect(bytesUnder(dir)).toBe(0)
  })

  it('an entry that declares 1 MiB but streams 3 GiB stops just past 1 MiB with a clear error', async () => {
    const dir = path.join(work, 'bomb-lying')
    const file = `${dir}.zip`
    writeFileSync(
      file,
      handZip([
        { name: 'a.sql', ...bomb, declared: 1024 * 1024 },
        { name: 'b', data: Buffer.from([3, 0]), size: 0, crc: 0 }
      ])
    )
    const started = Date.now()
    await expect(extractZip(file, dir)).rejects.toThrow(
      /the entry a\.sql inflates to more than the 1048576 bytes the zip declares for it: the zip is forged \(a zip bomb\?\); reading stopped there/
    )
    expect(bytesUnder(dir)).toBeLessThanOrEqual(1024 * 1024)
    expect(Date.now() - started).toBeLessThan(10_000)
  })

  it('a single deflated dump (no manifest) is bounded the same way', async () => {
    const dir = path.join(work, 'bomb-single')
    mkdirSync(dir)
    const file = `${dir}.zip`
    writeFileSync(file, handZip([{ name: 'shop.sql', ...bomb }]))
    await expect(openZippedBackup(file, dir, 'the zip')).rejects.toThrow(
      /the entry shop\.sql would inflate from \d+ to 3221225472 bytes \(more than 200 times\): refused as a zip bomb/
    )
    expect(bytesUnder(dir)).toBe(0)
  })

  describe('entries each below the ratio floor', () => {
    const part = deflateBomb(60) // ~60 KB → 60 MiB, below the 64 MiB floor
    const parts = (prefix: string, count: number) =>
      Array.from({ length: count }, (_, i) => ({ name: `${prefix}part${i}.bin`, ...part }))

    it('without a manifest, several top-level files: refused before anything is extracted', async () => {
      const dir = path.join(work, 'bomb-undecidable')
      mkdirSync(dir)
      const file = `${dir}.zip`
      writeFileSync(file, handZip(parts('', 8)))
      await expect(openZippedBackup(file, dir, "the zip 'bomb.zip'")).rejects.toThrow(
        /^the zip 'bomb\.zip' holds 8 files and no manifest\.json; cannot tell which one is the backup \(part0\.bin, part1\.bin, part2\.bin, part3\.bin, part4\.bin\)\. Nothing was extracted\. Give the backup's own file as backup-file\.$/
      )
      expect(bytesUnder(dir)).toBe(0)
    })

    it.each([
      [
        'a folder of several files',
        ['backup/a.sql', 'backup/b.sql'],
        "'s folder 'backup/' holds 2 files"
      ],
      ['no file at all', ['.hidden'], ' holds 0 files']
    ])(
      'without a manifest, %s: refused before anything is extracted',
      async (label, names, says) => {
        const dir = path.join(work, `undecidable-${label.replace(/\W+/g, '-')}`)
        mkdirSync(dir)
        const file = `${dir}.zip`
        writeFileSync(
          file,
          await makeZip(Object.fromEntries(names.map(n => [n, Buffer.from('SELECT 1;\n')])), {
            store: true
          })
        )
        const error = await openZippedBackup(file, dir, 'the zip').then(
          () => undefined,
          (e: unknown) => e as Error
        )
        expect(error?.message).toContain(`the zip${says} and no manifest.json`)
        expect(error?.message).toMatch(
          /Nothing was extracted\. Give the backup's own file as backup-file\.$/
        )
        expect(bytesUnder(dir)).toBe(0)
      }
    )

    it.each<[string, string[], string | undefined]>([
      ['an artifact folder (manifest.json)', ['a/manifest.json', 'a/x.dump', 'a/y'], undefined],
      [
        '<file> beside <file>.manifest.json',
        ['a/x.dump', 'a/x.dump.manifest.json', 'a/y'],
        undefined
      ],
      ['a directory archive below the top', ['d/toc.dat', 'd/1.dat', 'd/2.dat'], undefined],
      [
        'a directory archive at the top (zip -r x.zip . in its folder)',
        ['toc.dat', '1.dat'],
        undefined
      ],
      ['two <file>.manifest.json pairs', ['x', 'x.manifest.json', 'y', 'y.manifest.json'], ''],
      ['one file in nested folders', ['a/', 'a/b/', 'a/b/x.sql'], undefined],
      ['two files in nested folders', ['a/b/x.sql', 'a/b/y.sql'], 'a/b/']
    ])('decides as the unpacked folder would: %s', (_label, names, folder) => {
      const entries = names.map(name => ({
        name,
        isDirectory: name.endsWith('/'),
        size: 1,
        compressedSize: 1,
        crc32: 0
      }))
      expect(undecidableFolder(entries)?.folder).toBe(folder)
    })

    it('a directory archive of 8 such entries: refused by their total ratio, nothing written', async () => {
      const dir = path.join(work, 'bomb-total')
      mkdirSync(dir)
      const file = `${dir}.zip`
      const toc = Buffer.from('PGDMP')
      writeFileSync(
        file,
        handZip([
          {
            name: 'shop.dir/toc.dat',
            data: toc,
            size: toc.length,
            crc: zlib.crc32(toc),
            method: 0
          },
          ...parts('shop.dir/', 8)
        ])
      )
      await expect(openZippedBackup(file, dir, 'the zip')).rejects.toThrow(
        /^the zip's 9 entries would inflate from \d+ to 503316485 bytes together \(more than 200 times\): refused as a zip bomb; nothing was extracted\./
      )
      expect(bytesUnder(dir)).toBe(0)
    })

    it('two of them (120 MiB from 120 KB) are refused by extractZip as well', async () => {
      const dir = path.join(work, 'bomb-two')
      writeFileSync(`${dir}.zip`, handZip(parts('', 2)))
      await expect(extractZip(`${dir}.zip`, dir)).rejects.toThrow(
        /the zip's 2 entries would inflate from \d+ to 125829120 bytes together/
      )
      expect(bytesUnder(dir)).toBe(0)
    })
  })

  it('a sane deflated entry above the ratio floor still extracts (an ordinary plain dump)', async () => {
    const dir = path.join(work, 'sane')
    const rows = Buffer.from(
      Array.from(
        { length: 800_000 },
        (_, i) => `${i}\tcustomer ${i}\t${(i * 7919) % 100000}\n`
      ).join('')
    )
    expect(rows.length).toBeGreaterThan(16 * 1024 * 1024)
    const data = zlib.deflateRawSync(rows)
    const file = `${dir}.zip`
    writeFileSync(
      file,
      handZip([
        { name: 'rows.sql', data, size: rows.length, crc: zlib.crc32(rows) },
        { name: 'x', data: Buffer.from([3, 0]), size: 0, crc: 0 }
      ])
    )
    const digests = await extractZip(file, dir)
    expect(digests.get('rows.sql')).toBe(sha256(rows))
  })
})

/**
 * A downloaded artifact's dump is checked on the way in (ZipHeadObserver, fed by the download;
 * storage/artifact.ts): hashEntry then gives the sha256 of what was seen, fails the CRC-32 of
 * bytes that differ from the zip's, and reads the entry again when the window could not hold
 * the zip's tail.
 */
describe('the dump checked as the zip is downloaded', () => {
  const dump = randomBytes(3 * 1024 * 1024 + 17)

  /** Writes the zip, shows `seen` (default: the zip) to an observer in uneven chunks. */
  async function downloaded(zip: Buffer, seen: Buffer = zip) {
    const file = path.join(work, `seen-${++n}.zip`)
    writeFileSync(file, zip)
    const observer = new ZipHeadObserver()
    for (let at = 0, size = 7; at < seen.length; at += size, size = (size * 7 + 13) % 300_000) {
      observer.push(seen.subarray(at, at + size))
    }
    expect(observer.seen).toBe(seen.length)
    zipSeen(file, observer)
    return { file, observer, zip: await openZip(file) }
  }

  test('the sha256 of the first entry is what was seen, and no second read is needed', async () => {
    const zip = await makeZip(
      { 'b.dump.zst': dump, 'manifest.json': Buffer.from('{}') },
      { store: true }
    )
    const { file, zip: opened } = await downloaded(zip)
    const entry = opened.entries.find(e => e.name === 'b.dump.zst')!
    // the file is gone: only what was seen can answer
    rmSync(file)
    expect(await hashEntry(opened, entry)).toBe(sha256(dump))
    opened.close()
  })

  test('chunks are not kept: a caller reusing one buffer for every chunk gets the same sha256', async () => {
    const zip = await makeZip(
      { 'b.dump.zst': dump, 'manifest.json': Buffer.from('{}') },
      { store: true }
    )
    const file = path.join(work, `reused-${++n}.zip`)
    writeFileSync(file, zip)
    const observer = new ZipHeadObserver()
    // one buffer, overwritten after each push (the observer must copy what it holds back)
    const scratch = Buffer.alloc(300_000)
    for (let at = 0, size = 7; at < zip.length; at += size, size = (size * 7 + 13) % 300_000) {
      const piece = zip.subarray(at, at + size)
      piece.copy(scratch)
      observer.push(scratch.subarray(0, piece.length))
      scratch.fill(0xa5)
    }
    zipSeen(file, observer)
    const opened = await openZip(file)
    const entry = opened.entries.find(e => e.name === 'b.dump.zst')!
    rmSync(file)
    expect(await hashEntry(opened, entry)).toBe(sha256(dump))
    opened.close()
  })

  test('bytes seen that are not the zip fail the CRC-32 check', async () => {
    const zip = await makeZip(
      { 'b.dump.zst': dump, 'manifest.json': Buffer.from('{}') },
      { store: true }
    )
    const corrupt = Buffer.from(zip)
    corrupt[200_000] ^= 1
    const { zip: opened } = await downloaded(zip, corrupt)
    const entry = opened.entries.find(e => e.name === 'b.dump.zst')!
    await expect(hashEntry(opened, entry)).rejects.toThrow(/fails its CRC-32 check/)
    opened.close()
  })

  test('a tail larger than the window, or another entry: read again, same sha256', async () => {
    const tail = randomBytes(2 * HEAD_WINDOW)
    const zip = await makeZip({ 'b.dump.zst': dump, 'big.bin': tail }, { store: true })
    const { observer, zip: opened } = await downloaded(zip)
    const first = opened.entries.find(e => e.name === 'b.dump.zst')!
    expect(observer.result(first.range!.offset, first.range!.length)).toBeUndefined()
    zipSeen(opened.file, observer)
    expect(await hashEntry(opened, first)).toBe(sha256(dump))
    const { zip: again } = await downloaded(zip)
    const second = again.entries.find(e => e.name === 'big.bin')!
    expect(await hashEntry(again, second)).toBe(sha256(tail))
    again.close()
    opened.close()
  })
})

/**
 * Without what the download saw (a zip given as backup-file, a tail over the window), a stored
 * entry is read again in place, through one reused buffer: same sha256, the CRC-32 and the
 * entry's end still checked.
 */
describe('a stored entry read again through one buffer', () => {
  const dump = randomBytes(1024 * 1024 + 4321)

  test('the sha256 of the content, read across several reads of the buffer', async () => {
    const file = path.join(work, `again-${++n}.zip`)
    writeFileSync(
      file,
      await makeZip({ 'b.dump': dump, 'm.json': Buffer.from('{}') }, { store: true })
    )
    const zip = await openZip(file)
    expect(
      await hashEntry(
        zip,
        zip.entries.find(e => e.name === 'b.dump')!
      )
    ).toBe(sha256(dump))
    zip.close()
  })

  test('a flipped byte fails the CRC-32; a file cut inside the entry is truncated', async () => {
    const zip = await makeZip({ 'b.dump': dump, 'm.json': Buffer.from('{}') }, { store: true })
    const file = path.join(work, `again-${++n}.zip`)
    writeFileSync(file, zip)
    const opened = await openZip(file)
    const entry = opened.entries.find(e => e.name === 'b.dump')!
    const flipped = Buffer.from(zip)
    flipped[entry.range!.offset + 700_000] ^= 1
    writeFileSync(file, flipped)
    await expect(hashEntry(opened, entry)).rejects.toThrow(/b\.dump fails its CRC-32 check/)
    truncateSync(file, entry.range!.offset + 500_000)
    await expect(hashEntry(opened, entry)).rejects.toThrow(/ends inside its entry b\.dump/)
    opened.close()
  })
})

/**
 * Under jest the young generation is busy enough that V8 collects often anyway: the read runs
 * in a Node process of its own, as in the action.
 */
test('reading a large entry leaves no pile of garbage Buffers: collected every few MiB', async () => {
  const file = path.join(work, `large-${++n}.zip`)
  writeFileSync(
    file,
    await makeZip({ 'big.dump': Buffer.alloc(192 * 1024 * 1024, 7) }, { store: true })
  )
  const script = path.join(work, `read-${n}.mts`)
  writeFileSync(
    script,
    `import { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
const { openZip } = await import(${JSON.stringify(path.resolve('src/storage/unzip.ts'))})
const zip = await openZip(${JSON.stringify(file)})
const base = process.memoryUsage().arrayBuffers
let peak = 0
let bytes = 0
await pipeline(await zip.read(zip.entries[0]), new Writable({ write(chunk, _e, callback) {
  bytes += chunk.length
  peak = Math.max(peak, process.memoryUsage().arrayBuffers - base)
  callback()
} }))
zip.close()
console.log(JSON.stringify({ bytes, peak }))
`
  )
  const run = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8' })
  expect(run.stderr).toBe('')
  const { bytes, peak } = JSON.parse(run.stdout) as { bytes: number; peak: number }
  expect(bytes).toBe(192 * 1024 * 1024)
  // without the collections, V8 let some 64 MB of them wait
  expect(peak / 1024 / 1024).toBeLessThan(24)
})
