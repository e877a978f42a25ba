/**
 * Unpacking an artifact zip (as uploaded, or as the Actions page serves it) safely. A zip whose
 * entries are all stored (the action's own) is read through its central directory: each entry
 * is a byte range copied as it is, its CRC-32 checked; any other zip is parsed as a stream.
 */
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, open } from 'node:fs/promises'
import path from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import zlib from 'node:zlib'
import unzip, { type Entry } from 'unzip-stream'
import { EngineError } from '../errors.js'
import { DigestStage } from '../pipeline/digest.js'

export class ZipError extends EngineError {
  constructor(message: string) {
    super(message)
    this.name = 'ZipError'
  }
}

/**
 * Extracts `zipFile` into `directory`; refuses entries that would land outside it. Returns the
 * sha256 of every file as it was written (so no second pass is needed to check it).
 */
export async function extractZip(zipFile: string, directory: string): Promise<Map<string, string>> {
  await mkdir(directory, { recursive: true })
  const entries = await readCentralDirectory(zipFile).catch(() => undefined)
  if (entries && entries.every(e => e.method === STORED)) {
    return copyStoredEntries(zipFile, entries, path.resolve(directory))
  }
  return streamExtract(zipFile, directory)
}

const STORED = 0

interface CentralEntry {
  name: string
  method: number
  crc32: number
  size: number
  localHeaderOffset: number
}

/** The entries listed in the zip's central directory (zip64 included). */
async function readCentralDirectory(zipFile: string): Promise<CentralEntry[]> {
  const file = await open(zipFile, 'r')
  try {
    const { size } = await file.stat()
    const read = async (position: number, length: number): Promise<Buffer> => {
      const buffer = Buffer.alloc(length)
      const { bytesRead } = await file.read(buffer, 0, length, position)
      if (bytesRead !== length) throw new ZipError('the zip ends early')
      return buffer
    }
    // end of central directory: the last 22 bytes, unless a comment follows it
    const tailLength = Math.min(size, 22 + 0xffff)
    const tail = await read(size - tailLength, tailLength)
    const eocd = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
    if (eocd < 0) throw new ZipError('no end of central directory')
    let count = tail.readUInt16LE(eocd + 10)
    let cdSize = tail.readUInt32LE(eocd + 12)
    let cdOffset = tail.readUInt32LE(eocd + 16)
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      // zip64: a locator just before the end record points at the zip64 end record
      const locator = eocd - 20
      if (locator < 0 || tail.readUInt32LE(locator) !== 0x07064b50) {
        throw new ZipError('no zip64 end of central directory locator')
      }
      const record = await read(Number(tail.readBigUInt64LE(locator + 8)), 56)
      if (record.readUInt32LE(0) !== 0x06064b50) throw new ZipError('bad zip64 end record')
      count = Number(record.readBigUInt64LE(32))
      cdSize = Number(record.readBigUInt64LE(40))
      cdOffset = Number(record.readBigUInt64LE(48))
    }
    const cd = await read(cdOffset, cdSize)
    const entries: CentralEntry[] = []
    let at = 0
    for (let i = 0; i < count; i++) {
      if (cd.readUInt32LE(at) !== 0x02014b50) throw new ZipError('bad central directory entry')
      const nameLength = cd.readUInt16LE(at + 28)
      const extraLength = cd.readUInt16LE(at + 30)
      const commentLength = cd.readUInt16LE(at + 32)
      let size = cd.readUInt32LE(at + 20)
      let compressed = cd.readUInt32LE(at + 24)
      let offset = cd.readUInt32LE(at + 42)
      // zip64 extended information: the 0xffffffff fields, in this order
      const extra = cd.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength)
      for (let e = 0; e + 4 <= extra.length; e += 4 + extra.readUInt16LE(e + 2)) {
        if (extra.readUInt16LE(e) !== 0x0001) continue
        let field = e + 4
        const next = (): number => {
          const value = Number(extra.readBigUInt64LE(field))
          field += 8
          return value
        }
        if (size === 0xffffffff) size = next()
        if (compressed === 0xffffffff) compressed = next()
        if (offset === 0xffffffff) offset = next()
      }
      const method = cd.readUInt16LE(at + 10)
      entries.push({
        name: cd.toString('utf8', at + 46, at + 46 + nameLength),
        method,
        crc32: cd.readUInt32LE(at + 16),
        size: method === STORED && size !== compressed ? -1 : size,
        localHeaderOffset: offset
      })
      at += 46 + nameLength + extraLength + commentLength
    }
    return entries
  } finally {
    await file.close()
  }
}

/** Copies stored entries out of the zip, checking each one's CRC-32; returns their sha256. */
async function copyStoredEntries(
  zipFile: string,
  entries: CentralEntry[],
  root: string
): Promise<Map<string, string>> {
  const written = new Map<string, string>()
  const file = await open(zipFile, 'r')
  try {
    for (const entry of entries) {
      const target = path.resolve(root, entry.name)
      if (target !== root && !target.startsWith(root + path.sep)) {
        throw new ZipError(`the zip holds an entry outside its folder: ${entry.name}`)
      }
      if (entry.name.endsWith('/')) {
        await mkdir(target, { recursive: true })
        continue
      }
      if (entry.size < 0) throw new ZipError(`the entry ${entry.name} has inconsistent sizes`)
      const header = Buffer.alloc(30)
      await file.read(header, 0, 30, entry.localHeaderOffset)
      if (header.readUInt32LE(0) !== 0x04034b50) {
        throw new ZipError(
          `the zip's entry ${entry.name} has no local header where its directory says`
        )
      }
      const start = entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28)
      await mkdir(path.dirname(target), { recursive: true })
      const digest = new DigestStage()
      let crc = 0
      const checksum = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          crc = zlib.crc32(chunk, crc)
          callback(null, chunk)
        }
      })
      if (entry.size > 0) {
        await pipeline(
          createReadStream(zipFile, {
            start,
            end: start + entry.size - 1,
            highWaterMark: 1024 * 1024
          }),
          checksum,
          digest,
          createWriteStream(target, { mode: 0o600 })
        )
      } else {
        await pipeline(checksum.end(), digest, createWriteStream(target, { mode: 0o600 }))
      }
      if (digest.bytes !== entry.size) {
        throw new ZipError(`the zip ends inside its entry ${entry.name}: it is truncated`)
      }
      if (crc >>> 0 !== entry.crc32 >>> 0) {
        throw new ZipError(`the entry ${entry.name} fails its CRC-32 check: the zip is corrupted`)
      }
      written.set(path.relative(root, target), digest.digest())
    }
  } finally {
    await file.close()
  }
  return written
}

/** Any zip, parsed front to back as a stream (entries may be deflated). */
async function streamExtract(zipFile: string, directory: string): Promise<Map<string, string>> {
  const root = path.resolve(directory)
  const written = new Map<string, string>()
  const pending: Promise<void>[] = []
  const parser = unzip.Parse()
  parser.on('entry', (entry: Entry) => {
    const target = path.resolve(root, entry.path)
    if (target !== root && !target.startsWith(root + path.sep)) {
      entry.autodrain()
      parser.emit('error', new ZipError(`the zip holds an entry outside its folder: ${entry.path}`))
      return
    }
    if (entry.type === 'Directory') {
      pending.push(mkdir(target, { recursive: true }).then(() => entry.autodrain()))
      return
    }
    const digest = new DigestStage()
    pending.push(
      mkdir(path.dirname(target), { recursive: true })
        .then(() => pipeline(entry, digest, createWriteStream(target, { mode: 0o600 })))
        .then(() => void written.set(path.relative(root, target), digest.digest()))
    )
  })
  try {
    await pipeline(createReadStream(zipFile), parser)
    await Promise.all(pending)
  } catch (error) {
    throw new ZipError(
      `the zip could not be read (corrupted or truncated?): ${(error as Error).message}`
    )
  }
  return written
}
