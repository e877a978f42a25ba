/** A pass-through stage that counts bytes and hashes them (sha256) as they flow. */
import { createHash, type Hash } from 'node:crypto'
import { Transform, type TransformCallback } from 'node:stream'

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
