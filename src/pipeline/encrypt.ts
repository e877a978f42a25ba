/**
 * age encryption as stream stages (the age-encryption package; no home-made crypto): chunked
 * (64 KiB), so memory stays constant whatever the size. Files decrypt with the `age` CLI:
 * `age -d -i key.txt backup.dump.zst.age | zstd -d | pg_restore ...`.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, scrypt } from 'node:crypto'
import { Duplex, PassThrough, Readable } from 'node:stream'
import type { ReadableStream as WebReadableStream } from 'node:stream/web'
import { isAgeIdentity } from '../age-keys.js'
import { CheckError } from '../errors.js'
import type { DecryptionKeys, EncryptionKeys } from '../types.js'
import type { Identity, Recipient, Stanza } from 'age-encryption'

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
  explain: (error: unknown) => Error,
  /** Explain the library's cancel of its input too (the decryptor: an altered chunk). */
  explainInput = false
): Duplex {
  // the library cancels its input with its own error (age: "invalid tag" for an altered chunk),
  // which would reach the pipeline as the writable side's error before the readable side's
  // explained one: explained here too (attacker a41 F5: "cannot be decompressed (invalid tag)")
  // (only the library's plain Error: one with a code is the system's or Node's, one of a class
  // of its own another stage's — a digest's, a cancel's —, each passed on as it is)
  const input = new PassThrough({
    destroy(error, callback) {
      const library =
        explainInput &&
        error?.constructor === Error &&
        (error as NodeJS.ErrnoException).code === undefined
      callback(library ? explain(error) : error)
    }
  })
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
      const { Encrypter, Stanza } = await age()
      const encrypter = new Encrypter()
      if (keys.kind === 'passphrase')
        encrypter.addRecipient(passphraseRecipient(keys.passphrase, Stanza))
      else for (const r of keys.recipients) encrypter.addRecipient(r)
      return (await encrypter.encrypt(
        input as unknown as ReadableStream<Uint8Array>
      )) as unknown as WebReadableStream<Uint8Array>
    },
    error => new Error(`encryption failed: ${(error as Error)?.message ?? error}`)
  )
}

/** How much of an encrypted file's start is kept to name its stanzas' kinds, in bytes. */
const HEADER_PEEK = 4096

export function createDecryptor(keys: DecryptionKeys): Duplex {
  keys.identities.forEach((identity, index) => {
    // checked here, so that the library's message (which quotes the key) is never passed on
    if (!isAgeIdentity(identity)) {
      throw new DecryptionError(
        `identity ${index + 1} in decryption-identity is not a valid age secret key (AGE-SECRET-KEY-1…, with its checksum): give the contents of the key file made by age-keygen.`
      )
    }
  })
  /** The start of the file, where age's header names each stanza's kind (X25519, scrypt). */
  let head = ''
  return webStage(
    async input => {
      const { Decrypter } = await age()
      const decrypter = new Decrypter()
      for (const identity of keys.identities) decrypter.addIdentity(identity)
      for (const passphrase of keys.passphrases)
        decrypter.addIdentity(passphraseIdentity(passphrase))
      const read = (input as unknown as ReadableStream<Uint8Array>).pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            if (head.length < HEADER_PEEK) {
              head += Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString(
                'latin1',
                0,
                HEADER_PEEK - head.length
              )
            }
            controller.enqueue(chunk)
          }
        })
      )
      return (await decrypter.decrypt(read)) as unknown as WebReadableStream<Uint8Array>
    },
    error => {
      const message = (error as Error)?.message ?? String(error)
      if (/scrypt work factor is too high/.test(message)) {
        return new DecryptionError(
          `the backup's passphrase is derived with a scrypt work factor above 2^${MAX_SCRYPT_WORK_FACTOR}, more than this tool derives (age-encryption's limit; the action writes 2^${SCRYPT_WORK_FACTOR}): it was not encrypted by the action. Decrypt it with the age CLI (age -d), then restore the decrypted file.`
        )
      }
      // a key or passphrase that opens no stanza; a header or payload that fails its checks once
      // a key opened the file (its MAC, a chunk's tag, a malformed stanza) is damaged or altered
      if (/no identity matched|incorrect passphrase/i.test(message)) {
        // a secret of the other kind: said as such (trial u37 F4), as age says "file is
        // passphrase-encrypted" when given -i
        const kinds = new Set([...head.matchAll(/\n-> (\S+)/g)].map(m => m[1]))
        if (kinds.has('scrypt') && keys.passphrases.length === 0) {
          return new DecryptionError(
            "the backup is encrypted with a passphrase (age's scrypt), not to a public key: give encryption-passphrase, the passphrase it was made with (decryption-identity opens backups encrypted to age1… keys)."
          )
        }
        if (kinds.size > 0 && !kinds.has('scrypt') && keys.identities.length === 0) {
          return new DecryptionError(
            `the backup is encrypted to ${kinds.has('X25519') ? 'public keys (age1…)' : `keys (${[...kinds].join(', ')})`}, not with a passphrase: give decryption-identity, the key file (AGE-SECRET-KEY-1…) whose public key it was encrypted to.`
          )
        }
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
      return new DecryptionError(
        `the encrypted backup is damaged, truncated or altered: ${message}. Its key or passphrase is not in question; restore another backup (or download this one again).`
      )
    },
    true
  )
}

/**
 * The keys scrypt derived in this process, by passphrase and stanza (salt, work factor): a
 * restore reads an encrypted backup several times (its check, its load, verify's digest), and
 * each read would derive the same key again — about 2 s of a core at age's work factor 18.
 */
const derivedKeys = new Map<string, Promise<Buffer>>()

/** How many keys scrypt derived in this process (each passphrase and file's salt once). */
export function scryptDerivations(): number {
  return derivedKeys.size
}

/**
 * age's passphrase identity (the scrypt recipient type of age-encryption.org/v1) with the key
 * derived by Node's scrypt (OpenSSL, on libuv's thread pool), once per passphrase and salt:
 * age-encryption's own derives it synchronously on the main thread each time a file is read,
 * which stalls everything meanwhile — a connection's timeout fires while the server answered.
 * The stanza rules are the library's (ScryptIdentity): the only stanza of the header, a 16-byte
 * salt, a work factor of at most 2^20; a file key the passphrase does not open is null (the
 * library then says that no identity matched). The header's MAC and the payload are checked
 * and decrypted by the library.
 */
export function passphraseIdentity(passphrase: string): Identity {
  const secret = createHash('sha256').update(passphrase).digest('hex')
  return {
    async unwrapFileKey(stanzas: Stanza[]): Promise<Uint8Array | null> {
      for (const stanza of stanzas) {
        if (stanza.args.length < 1 || stanza.args[0] !== 'scrypt') continue
        if (stanzas.length !== 1)
          throw new Error('scrypt recipient is not the only one in the header')
        const [, saltText, factor] = stanza.args
        if (stanza.args.length !== 3 || !/^[1-9][0-9]*$/.test(factor))
          throw new Error('invalid scrypt stanza')
        const salt = Buffer.from(saltText, 'base64')
        if (salt.length !== 16 || salt.toString('base64').replace(/=+$/, '') !== saltText)
          throw new Error('invalid scrypt stanza')
        const logN = Number(factor)
        if (logN > MAX_SCRYPT_WORK_FACTOR) throw new Error('scrypt work factor is too high')
        if (stanza.body.length !== 32) throw new Error('invalid stanza')
        const id = `${secret}\0${saltText}\0${logN}`
        let key = derivedKeys.get(id)
        if (!key) {
          key = deriveKey(passphrase, salt, logN)
          derivedKeys.set(id, key)
          key.catch(() => derivedKeys.delete(id))
        }
        const fileKey = openFileKey(stanza.body, await key)
        if (fileKey) return fileKey
      }
      return null
    }
  }
}

/** age's default scrypt work factor (log2 N), as `age -p` and age-encryption encrypt with. */
const SCRYPT_WORK_FACTOR = 18
/** The highest work factor derived (age-encryption's limit: 2^20 takes 1 GiB). */
const MAX_SCRYPT_WORK_FACTOR = 20

/**
 * age's passphrase recipient (the scrypt recipient type), as age-encryption's ScryptRecipient
 * writes it — a random 16-byte salt, work factor 18, the file key sealed by ChaCha20-Poly1305
 * with a zero nonce — with the key derived by Node's scrypt on libuv's thread pool, not on the
 * main thread (the library's holds it ~2 s while pg_dump's output waits). age-encryption's
 * Encrypter then writes the header, its MAC and the payload.
 */
export function passphraseRecipient(
  passphrase: string,
  stanza: typeof Stanza,
  logN = SCRYPT_WORK_FACTOR
): Recipient {
  return {
    async wrapFileKey(fileKey: Uint8Array): Promise<Stanza[]> {
      const salt = randomBytes(16)
      const key = await deriveKey(passphrase, salt, logN)
      const cipher = createCipheriv('chacha20-poly1305', key, Buffer.alloc(12), {
        authTagLength: 16
      })
      const sealed = Buffer.concat([cipher.update(fileKey), cipher.final(), cipher.getAuthTag()])
      return [new stanza(['scrypt', salt.toString('base64').replace(/=+$/, ''), `${logN}`], sealed)]
    }
  }
}

const SCRYPT_LABEL = 'age-encryption.org/v1/scrypt'

function deriveKey(passphrase: string, salt: Buffer, logN: number): Promise<Buffer> {
  const N = 2 ** logN
  return new Promise((resolve, reject) =>
    scrypt(
      passphrase,
      Buffer.concat([Buffer.from(SCRYPT_LABEL), salt]),
      32,
      // scrypt's memory is 128 · N · r bytes (r = 8): 256 MiB at 18, OpenSSL's, freed after
      { N, r: 8, p: 1, maxmem: 128 * N * 8 + (1 << 20) },
      (error, key) => (error ? reject(error) : resolve(key))
    )
  )
}

/** The stanza's body, ChaCha20-Poly1305 with a zero nonce under `key`: the file key, or null. */
function openFileKey(body: Uint8Array, key: Buffer): Uint8Array | null {
  const decipher = createDecipheriv('chacha20-poly1305', key, Buffer.alloc(12), {
    authTagLength: 16
  })
  decipher.setAuthTag(body.subarray(16))
  try {
    return Buffer.concat([decipher.update(body.subarray(0, 16)), decipher.final()])
  } catch {
    return null
  }
}

/** age-encryption is loaded when a backup is actually encrypted or decrypted (it is large). */
async function age(): Promise<typeof import('age-encryption')> {
  return import('age-encryption')
}
