/**
 * extractZip (storage/unzip.ts, on yauzl): the action's own zips (stored entries, read as the
 * byte ranges they are) and other zips (deflated, as users upload them) give back every file,
 * CRC-32 checked. Zips are made with archiver, the library the artifact client itself uses.
 */
import archiver from 'archiver'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { PassThrough } from 'node:stream'
import { extractZip } from '../../src/storage/unzip.js'

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

  it('refuses something that is no zip', async () => {
    await expect(extract(Buffer.from('not a zip at all\n'.repeat(100)))).rejects.toThrow(
      /the zip could not be read/
    )
  })
})
