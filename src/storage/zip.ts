/** Unpacking an artifact zip (as uploaded, or as the Actions page serves it) safely. */
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import unzip, { type Entry } from 'unzip-stream'
import { DigestStage } from '../pipeline/digest.js'

export class ZipError extends Error {
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
