/** Reading a backup back: decrypt (age) when encrypted, then decompress. */
import type { Duplex } from 'node:stream'
import type { Compression, DecryptionKeys } from '../types.js'
import { createDecompressor } from './compress.js'
import { createDecryptor } from './encrypt.js'

export interface Decoding {
  compression: Compression
  /** Present when the file is age-encrypted. */
  decryption?: DecryptionKeys
}

/** Fresh stages for one pass over the file (streams cannot be reused). */
export function decodingStages(decoding: Decoding): Duplex[] {
  const stages: Duplex[] = []
  if (decoding.decryption) stages.push(createDecryptor(decoding.decryption))
  const decompressor = createDecompressor(decoding.compression)
  if (decompressor) stages.push(decompressor)
  return stages
}
