/** sha256 as bytes flow (a pass-through stage that counts and hashes them), and of a file. */
import { createHash, type Hash } from 'node:crypto'
import { Transform, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { CheckError } from '../errors.js'
import { type BackupFile, discard, openRaw } from './decode.js'

/** A backup file's bytes as one read of them saw them (as stored: still encrypted, compressed). */
export interface ReadBytes {
  sha256: string
  size: number
}

/**
 * The backup file the load read is not the one its check read: written in place between the two
 * reads (truncated, appended to, a byte changed). Nothing of it commits.
 */
export class BackupChangedError extends CheckError {
  override name = 'BackupChangedError'
}

export class DigestStage extends Transform {
  private readonly hash: Hash = createHash('sha256')
  private result: string | undefined
  bytes = 0

  /**
   * With `same`: the stream's end is passed on only when the bytes that passed are those
   * (sha256 and count); else the stage fails at the end, with `same.changed` of what it read —
   * whatever reads after it (the script gate, which writes COMMIT only at its input's end) never
   * sees the end.
   */
  constructor(private readonly same?: { checked: ReadBytes; changed: (read: ReadBytes) => Error }) {
    super()
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk)
    this.bytes += chunk.length
    callback(null, chunk)
  }

  override _flush(callback: TransformCallback): void {
    const sha256 = this.digest()
    const { same } = this
    if (same && (sha256 !== same.checked.sha256 || this.bytes !== same.checked.size))
      callback(same.changed({ sha256, size: this.bytes }))
    else callback()
  }

  /** The hex digest; call after the stream has finished. */
  digest(): string {
    this.result ??= this.hash.digest('hex')
    return this.result
  }

  /** What passed, once the stream has finished. */
  taken(): ReadBytes {
    return { sha256: this.digest(), size: this.bytes }
  }
}

/** The sha256 (hex) of a backup file's bytes, as stored. */
export async function sha256Of(file: BackupFile): Promise<string> {
  const digest = new DigestStage()
  await pipeline(openRaw(file), digest, discard())
  return digest.digest()
}

/**
 * A backup file read again for the load, after its check read it: its bytes must be those the
 * check read, else nothing of the load commits (`kept`: the load runs without one transaction,
 * and what ran before the end stays).
 */
export function sameBytesAsChecked(name: string, checked: ReadBytes, kept = false): DigestStage {
  return new DigestStage({
    checked,
    changed: read =>
      new BackupChangedError(
        `${name} changed while it was being restored: it was checked as ${checked.size} bytes (sha256 ${checked.sha256}), and read for the load as ${read.size} bytes (sha256 ${read.sha256}) — something wrote it in place between the two reads. ${kept ? 'The load ran without a single transaction: what it ran before the end of the file stays in the target (single-transaction: false); restore again into an empty database.' : 'Nothing was restored (the load stopped before its COMMIT).'} Restore from a copy nobody writes to while the restore runs.`
      )
  })
}
