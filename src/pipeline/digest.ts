/** sha256 as bytes flow (a pass-through stage that counts and hashes them), and of a file. */
import { createHash, type Hash } from 'node:crypto'
import { Transform, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { type BackupFile, discard, openRaw } from './decode.js'

export class DigestStage extends Transform {
  private readonly hash: Hash = createHash('sha256')
  bytes = 0

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk)
    this.bytes += chunk.length
    callback(null, chunk)
  }

  /** The hex digest; call once, after the stream has finished. */
  digest(): string {
    return this.hash.digest('hex')
  }
}

/** The sha256 (hex) of a backup file's bytes, as stored. */
export async function sha256Of(file: BackupFile): Promise<string> {
  const digest = new DigestStage()
  await pipeline(openRaw(file), digest, discard())
  return digest.digest()
}
