/**
 * age encryption as stream stages (the age-encryption package; no home-made crypto): chunked
 * (64 KiB), so memory stays constant whatever the size. Files decrypt with the `age` CLI:
 * `age -d -i key.txt backup.dump.zst.age | zstd -d | pg_restore ...`.
 */
import { Duplex, PassThrough, Readable } from 'node:stream'
import type { ReadableStream as WebReadableStream } from 'node:stream/web'
import { isAgeIdentity } from '../age-keys.js'
import { CheckError } from '../errors.js'
import type { DecryptionKeys, EncryptionKeys } from '../types.js'

export const AGE_MAGIC = 'age-encryption.org/v1\n'

/** The backup cannot be decrypted with the keys given, or its encryption is damaged. */
export class DecryptionError extends CheckError {
  override name = 'DecryptionError'
}

export function isAgeEncrypted(head: Buffer): boolean {
  return head.subarray(0, AGE_MAGIC.length).toString('latin1') === AGE_MAGIC
}

/** Adapts a web-stream transform (age's API) to a Node Duplex with back-pressure. */
function webStage(
  transform: (input: WebReadableStream<Uint8Array>) => Promise<WebReadableStream<Uint8Array>>,
  explain: (error: unknown) => Error
): Duplex {
  const input = new PassThrough()
  const started = transform(Readable.toWeb(input) as WebReadableStream<Uint8Array>)
  started.catch(() => undefined) // surfaced through the readable side
  async function* output(): AsyncGenerator<Buffer> {
    let stream: WebReadableStream<Uint8Array>
    try {
      stream = await started
    } catch (error) {
      throw explain(error)
    }
    try {
      for await (const chunk of stream)
        yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    } catch (error) {
      throw explain(error)
    }
  }
  return Duplex.from({ writable: input, readable: Readable.from(output(), { objectMode: false }) })
}

export function createEncryptor(keys: EncryptionKeys): Duplex {
  return webStage(
    async input => {
      const { Encrypter } = await age()
      const encrypter = new Encrypter()
      if (keys.kind === 'passphrase') encrypter.setPassphrase(keys.passphrase)
      else for (const r of keys.recipients) encrypter.addRecipient(r)
      return (await encrypter.encrypt(
        input as unknown as ReadableStream<Uint8Array>
      )) as unknown as WebReadableStream<Uint8Array>
    },
    error => new Error(`encryption failed: ${(error as Error)?.message ?? error}`)
  )
}

export function createDecryptor(keys: DecryptionKeys): Duplex {
  keys.identities.forEach((identity, index) => {
    // checked here, so that the library's message (which quotes the key) is never passed on
    if (!isAgeIdentity(identity)) {
      throw new DecryptionError(
        `identity ${index + 1} in decryption-identity is not a valid age secret key (AGE-SECRET-KEY-1…, with its checksum): give the contents of the key file made by age-keygen.`
      )
    }
  })
  return webStage(
    async input => {
      const { Decrypter } = await age()
      const decrypter = new Decrypter()
      for (const identity of keys.identities) decrypter.addIdentity(identity)
      for (const passphrase of keys.passphrases) decrypter.addPassphrase(passphrase)
      return (await decrypter.decrypt(
        input as unknown as ReadableStream<Uint8Array>
      )) as unknown as WebReadableStream<Uint8Array>
    },
    error => {
      const message = (error as Error)?.message ?? String(error)
      if (/no identity matched|incorrect passphrase|failed to decrypt|invalid/i.test(message)) {
        const given = [
          keys.passphrases.length > 0
            ? 'encryption-passphrase must be the passphrase the backup was encrypted with'
            : '',
          keys.identities.length > 0
            ? 'decryption-identity must hold the key whose public part (age1…) the backup was encrypted to'
            : ''
        ].filter(Boolean)
        return new DecryptionError(
          `the backup cannot be decrypted with the ${keys.identities.length > 0 ? (keys.passphrases.length > 0 ? 'keys and passphrase' : 'key') : 'passphrase'} given (${message}): ${given.join('; or ')}.`
        )
      }
      return new DecryptionError(`the encrypted backup is damaged or truncated: ${message}`)
    }
  )
}

/** age-encryption is loaded when a backup is actually encrypted or decrypted (it is large). */
async function age(): Promise<typeof import('age-encryption')> {
  return import('age-encryption')
}
