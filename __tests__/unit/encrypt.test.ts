/**
 * age encryption stages against the real `age` CLI (both directions), the errors a wrong,
 * missing or malformed key gives, and the encryption inputs as getInputs reads them.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { InputError, Inputs, getInputs, parseEncryption } from '../../src/inputs.js'
import { isAgeIdentity, isAgeRecipient } from '../../src/age-keys.js'
import {
  AGE_MAGIC,
  DecryptionError,
  createDecryptor,
  createEncryptor,
  isAgeEncrypted,
  passphraseIdentity,
  scryptDerivations
} from '../../src/pipeline/encrypt.js'
import { Stanza } from 'age-encryption'
import type { DecryptionKeys, EncryptionKeys } from '../../src/types.js'

interface KeyPair {
  file: string
  identity: string
  recipient: string
}

let dir: string
let key: KeyPair
let other: KeyPair

/** A key made by the real age-keygen, as a user makes one. */
function keygen(name: string): KeyPair {
  const file = path.join(dir, name)
  const made = spawnSync('age-keygen', ['-o', file], { encoding: 'utf8' })
  expect(made.status).toBe(0)
  const text = readFileSync(file, 'utf8')
  return {
    file,
    identity: text.split('\n').find(l => l.startsWith('AGE-SECRET-KEY-1'))!,
    recipient: /# public key: (age1\S+)/.exec(text)![1]
  }
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'encrypt-test-'))
  key = keygen('key.txt')
  other = keygen('other.txt')
})

afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

/** Runs bytes through one stage and collects what comes out. */
async function through(stage: NodeJS.ReadWriteStream, input: Buffer): Promise<Buffer> {
  const out: Buffer[] = []
  await pipeline(
    // several writes, so that the stage sees a stream and not one buffer
    Readable.from(chunks(input, 50_000)),
    stage,
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        out.push(chunk)
        callback()
      }
    })
  )
  return Buffer.concat(out)
}

function* chunks(buffer: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < buffer.length; i += size) yield buffer.subarray(i, i + size)
}

const encrypt = (keys: EncryptionKeys, input: Buffer) => through(createEncryptor(keys), input)
const decrypt = (keys: DecryptionKeys, input: Buffer) => through(createDecryptor(keys), input)
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

/** Changes one character of a bech32 key, keeping its form, so only the checksum is wrong. */
function typo(keyText: string): string {
  const i = keyText.length - 10
  const swap = keyText[i] === 'q' || keyText[i] === 'Q' ? 'p' : 'q'
  const c = keyText === keyText.toUpperCase() ? swap.toUpperCase() : swap
  return keyText.slice(0, i) + c + keyText.slice(i + 1)
}

/** The longest the main thread went without running a 10 ms timer while `work` ran (ms). */
async function longestStall(work: () => Promise<void>): Promise<number> {
  let last = Date.now()
  let longest = 0
  const ticks = setInterval(() => {
    longest = Math.max(longest, Date.now() - last)
    last = Date.now()
  }, 10)
  try {
    await work()
  } finally {
    clearInterval(ticks)
  }
  return Math.max(longest, Date.now() - last)
}

// several 64 KiB age chunks and a partial last one
const DATA = randomBytes(3 * 65536 + 12345)

describe('interoperability with the age CLI', () => {
  it('writes files that `age -d -i key.txt` decrypts', async () => {
    const encrypted = await encrypt({ kind: 'recipients', recipients: [key.recipient] }, DATA)
    expect(isAgeEncrypted(encrypted)).toBe(true)
    expect(encrypted.subarray(0, AGE_MAGIC.length).toString()).toBe(AGE_MAGIC)
    const file = path.join(dir, 'ours.age')
    writeFileSync(file, encrypted)
    const cli = spawnSync('age', ['-d', '-i', key.file, file], { maxBuffer: 64 << 20 })
    expect(cli.stderr.toString()).toBe('')
    expect(cli.status).toBe(0)
    expect(sha(cli.stdout)).toBe(sha(DATA))
    // the other key cannot
    const wrong = spawnSync('age', ['-d', '-i', other.file, file])
    expect(wrong.status).not.toBe(0)
    expect(wrong.stderr.toString()).toMatch(/no identity matched/)
  })

  it('encrypts to several recipients, each of whom can decrypt', async () => {
    const encrypted = await encrypt(
      { kind: 'recipients', recipients: [other.recipient, key.recipient] },
      DATA
    )
    for (const k of [key, other]) {
      expect(sha(await decrypt({ identities: [k.identity], passphrases: [] }, encrypted))).toBe(
        sha(DATA)
      )
    }
  })

  it('encrypts an empty stream into a valid empty age file', async () => {
    const encrypted = await encrypt(
      { kind: 'recipients', recipients: [key.recipient] },
      Buffer.alloc(0)
    )
    const file = path.join(dir, 'empty.age')
    writeFileSync(file, encrypted)
    const cli = spawnSync('age', ['-d', '-i', key.file, file])
    expect(cli.status).toBe(0)
    expect(cli.stdout.length).toBe(0)
  })

  it('reads files written by `age -r` (binary) with the identity, among others', async () => {
    const file = path.join(dir, 'theirs.age')
    writeFileSync(path.join(dir, 'plain.bin'), DATA)
    const cli = spawnSync('age', ['-r', key.recipient, '-o', file, path.join(dir, 'plain.bin')])
    expect(cli.status).toBe(0)
    const decrypted = await decrypt(
      { identities: [other.identity, key.identity], passphrases: ['not this one, no'] },
      readFileSync(file)
    )
    expect(sha(decrypted)).toBe(sha(DATA))
  })

  it('round-trips a passphrase (the CLI asks for passphrases only on a terminal)', async () => {
    const passphrase = 'correct horse battery staple'
    const encrypted = await encrypt({ kind: 'passphrase', passphrase }, DATA)
    // the header names scrypt, never the passphrase
    const header = encrypted.subarray(0, encrypted.indexOf('\n---') + 4).toString('latin1')
    expect(header).toMatch(/^-> scrypt /m)
    expect(encrypted.includes(Buffer.from(passphrase))).toBe(false)
    expect(sha(await decrypt({ identities: [], passphrases: [passphrase] }, encrypted))).toBe(
      sha(DATA)
    )
    // age-encryption's own passphrase identity reads it (its scrypt, not Node's): age's format
    const { Decrypter } = await import('age-encryption')
    const library = new Decrypter()
    library.addPassphrase(passphrase)
    expect(sha(Buffer.from(await library.decrypt(new Uint8Array(encrypted))))).toBe(sha(DATA))
    expect(header).toMatch(/^-> scrypt [A-Za-z0-9+/]{22} 18$/m)
  }, 30_000)

  it('encrypts with a passphrase without holding the main thread (the key derived on the thread pool)', async () => {
    const longest = await longestStall(async () => {
      const encrypted = await encrypt(
        { kind: 'passphrase', passphrase: 'not on the main thread' },
        DATA
      )
      expect(isAgeEncrypted(encrypted)).toBe(true)
    })
    // age-encryption's own scrypt held it ~2 s
    // (with room for a loaded machine: 854 ms seen beside integration suites on 2 cores)
    expect(longest).toBeLessThan(1500)
  }, 30_000)
})

describe('a passphrase file read several times (a restore: its check, its load, verify)', () => {
  it("derives the key once, off the main thread: other work goes on meanwhile (a connection's timer does not fire)", async () => {
    const passphrase = 'drill day, read it again'
    // age's default work factor (2^18), as the action encrypts
    const encrypted = await encrypt({ kind: 'passphrase', passphrase }, DATA)
    const before = scryptDerivations()
    const longest = await longestStall(async () => {
      const keys = { identities: [], passphrases: ['not this one', passphrase] }
      const reads = await Promise.all([1, 2, 3].map(() => decrypt(keys, encrypted)))
      reads.push(await decrypt(keys, encrypted))
      for (const read of reads) expect(sha(read)).toBe(sha(DATA))
    })
    // each passphrase once for the file's salt (the wrong one too: it is tried first)
    expect(scryptDerivations() - before).toBe(2)
    // age-encryption's own scrypt held the main thread ~2 s per read
    // (with room for a loaded machine: 854 ms seen beside integration suites on 2 cores)
    expect(longest).toBeLessThan(1500)
  }, 60_000)

  it("refuses the stanzas age-encryption refuses, and opens none of another passphrase's", async () => {
    const identity = passphraseIdentity('p')
    const body = new Uint8Array(32)
    const salt = Buffer.alloc(16, 7).toString('base64').replace(/=+$/, '')
    const stanza = (args: string[], b = body) => new Stanza(args, b)
    await expect(identity.unwrapFileKey([stanza(['X25519', 'abc'])])).resolves.toBeNull()
    for (const [args, error] of [
      [['scrypt', salt], 'invalid scrypt stanza'],
      [['scrypt', salt, '018'], 'invalid scrypt stanza'],
      [['scrypt', `${salt}==`, '10'], 'invalid scrypt stanza'],
      [['scrypt', Buffer.alloc(15).toString('base64'), '10'], 'invalid scrypt stanza'],
      [['scrypt', salt, '21'], 'scrypt work factor is too high']
    ] as const) {
      await expect(identity.unwrapFileKey([stanza([...args])])).rejects.toThrow(error)
    }
    await expect(
      identity.unwrapFileKey([stanza(['scrypt', salt, '10']), stanza(['X25519', 'abc'])])
    ).rejects.toThrow('scrypt recipient is not the only one in the header')
    await expect(
      identity.unwrapFileKey([stanza(['scrypt', salt, '10'], new Uint8Array(31))])
    ).rejects.toThrow('invalid stanza')
    // a body no key of this passphrase seals: no file key
    await expect(identity.unwrapFileKey([stanza(['scrypt', salt, '10'])])).resolves.toBeNull()
  })
})

describe('decryption failures are DecryptionErrors that say what to do', () => {
  let toKey: Buffer
  let toPassphrase: Buffer

  beforeAll(async () => {
    toKey = await encrypt({ kind: 'recipients', recipients: [key.recipient] }, DATA)
    toPassphrase = await encrypt({ kind: 'passphrase', passphrase: 'the right passphrase' }, DATA)
  }, 30_000)

  const wrongKey =
    /^the backup cannot be decrypted with the (key|passphrase|keys and passphrase) given \(.*\): (encryption-passphrase|decryption-identity) must /

  it('a wrong identity', async () => {
    const error = await decrypt({ identities: [other.identity], passphrases: [] }, toKey).catch(
      e => e
    )
    expect(error).toBeInstanceOf(DecryptionError)
    expect(error.message).toMatch(wrongKey)
    expect(error.message).not.toContain(other.identity)
  })

  it('a passphrase for a file encrypted to a key', async () => {
    const error = await decrypt(
      { identities: [], passphrases: ['the right passphrase'] },
      toKey
    ).catch(e => e)
    expect(error).toBeInstanceOf(DecryptionError)
    expect(error.message).toBe(
      'the backup is encrypted to public keys (age1…), not with a passphrase: give decryption-identity, the key file (AGE-SECRET-KEY-1…) whose public key it was encrypted to.'
    )
  })

  it('a wrong passphrase', async () => {
    const error = await decrypt(
      { identities: [], passphrases: ['the wrong passphrase'] },
      toPassphrase
    ).catch(e => e)
    expect(error).toBeInstanceOf(DecryptionError)
    expect(error.message).toMatch(wrongKey)
    // a passphrase was given: the message is about the passphrase, not about keys
    expect(error.message).toMatch(
      /encryption-passphrase must be the passphrase the backup was encrypted with\.$/
    )
    expect(error.message).not.toMatch(/age1|decryption-identity/)
    expect(error.message).not.toContain('the wrong passphrase')
  }, 30_000)

  it('an identity for a passphrase file', async () => {
    const error = await decrypt(
      { identities: [key.identity], passphrases: [] },
      toPassphrase
    ).catch(e => e)
    expect(error).toBeInstanceOf(DecryptionError)
    expect(error.message).toBe(
      "the backup is encrypted with a passphrase (age's scrypt), not to a public key: give encryption-passphrase, the passphrase it was made with (decryption-identity opens backups encrypted to age1… keys)."
    )
  })

  it('a truncated file', async () => {
    const error = await decrypt(
      { identities: [key.identity], passphrases: [] },
      toKey.subarray(0, toKey.length - 1000)
    ).catch(e => e)
    expect(error).toBeInstanceOf(DecryptionError)
    expect(error.message).toMatch(/^the encrypted backup is damaged, truncated or altered: /)
  })

  it('a file altered in the middle', async () => {
    const altered = Buffer.from(toKey)
    altered[Math.floor(altered.length / 2)] ^= 0x01
    const error = await decrypt({ identities: [key.identity], passphrases: [] }, altered).catch(
      e => e
    )
    expect(error).toBeInstanceOf(DecryptionError)
    // the key opened it: the file is at fault, not the key (a chunk's tag fails)
    expect(error.message).toMatch(/^the encrypted backup is damaged, truncated or altered: /)
    expect(error.message).not.toMatch(wrongKey)
  })

  it('a passphrase file whose header was altered (its MAC, its stanza): damaged, not the passphrase (attacker a22 A2)', async () => {
    const passphrase = 'the right one, given'
    const good = await encrypt({ kind: 'passphrase', passphrase }, DATA)
    const end = good.indexOf('\n---') + 5
    const text = good.subarray(0, end + 43).toString('latin1')
    const alter = (from: RegExp, to: (m: string) => string) =>
      Buffer.concat([Buffer.from(text.replace(from, to), 'latin1'), good.subarray(end + 43)])
    const cases = [
      // one character of the MAC changed
      alter(/--- (\S)/, m => `--- ${m[4] === 'A' ? 'B' : 'A'}`),
      // the work factor with a leading zero, the salt padded
      alter(/ 18\n/, () => ' 018\n'),
      alter(/-> scrypt (\S+)/, m => `${m}==`)
    ]
    for (const altered of cases) {
      const error = await decrypt({ identities: [], passphrases: [passphrase] }, altered).catch(
        e => e
      )
      expect(error).toBeInstanceOf(DecryptionError)
      expect(error.message).toMatch(/^the encrypted backup is damaged, truncated or altered: /)
      expect(error.message).not.toContain(passphrase)
    }
  }, 60_000)

  it('a passphrase work factor above 2^20: named as such (age -d derives up to 2^22), not as damage', async () => {
    const { Stanza } = await import('age-encryption')
    await expect(
      passphraseIdentity('p').unwrapFileKey([
        new Stanza(['scrypt', 'AAAAAAAAAAAAAAAAAAAAAA', '21'], new Uint8Array(32))
      ])
    ).rejects.toThrow('scrypt work factor is too high')
    const good = await encrypt({ kind: 'passphrase', passphrase: 'pp' }, Buffer.from('x'))
    const high = Buffer.from(good.toString('latin1').replace(/ 18\n/, ' 21\n'), 'latin1')
    const error = await decrypt({ identities: [], passphrases: ['pp'] }, high).catch(e => e)
    expect(error.message).toMatch(
      /^the backup's passphrase is derived with a scrypt work factor above 2\^20/
    )
  }, 60_000)

  it('a malformed identity (one character mistyped), without quoting the key', () => {
    const bad = typo(key.identity)
    let error: unknown
    try {
      createDecryptor({ identities: [key.identity, bad], passphrases: [] })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(DecryptionError)
    const message = (error as Error).message
    expect(message).toMatch(/^identity 2 in decryption-identity is not a valid age secret key/)
    expect(message).not.toContain(bad)
    expect(message).not.toContain(key.identity)
    expect(message).not.toContain(bad.slice(16, 40))
  })
})

describe('key forms', () => {
  it('accepts keys made by age-keygen and refuses mistyped ones', () => {
    expect(isAgeRecipient(key.recipient)).toBe(true)
    expect(isAgeIdentity(key.identity)).toBe(true)
    expect(isAgeRecipient(typo(key.recipient))).toBe(false)
    expect(isAgeIdentity(typo(key.identity))).toBe(false)
    expect(isAgeRecipient(key.identity)).toBe(false)
    expect(isAgeIdentity(key.recipient)).toBe(false)
    expect(isAgeRecipient(key.recipient.toUpperCase())).toBe(false)
    expect(isAgeIdentity(key.identity.toLowerCase())).toBe(false)
    expect(isAgeRecipient('')).toBe(false)
    expect(isAgeIdentity('AGE-SECRET-KEY-1')).toBe(false)
  })
})

describe('encryption inputs', () => {
  type Raw = Partial<Record<Inputs, string>>
  const URL = 'postgresql://app:s3cret@db.example.com:5432/app'
  const read =
    (raw: Raw) =>
    (name: Inputs): string =>
      (raw[name] ?? '').trim()

  function inputError(raw: Raw): InputError {
    try {
      getInputs(read({ [Inputs.DatabaseUrl]: URL, ...raw }))
    } catch (error) {
      expect(error).toBeInstanceOf(InputError)
      return error as InputError
    }
    throw new Error('expected an InputError')
  }

  const restoreRaw = (raw: Raw): Raw => ({
    [Inputs.DatabaseUrl]: URL,
    [Inputs.Mode]: 'restore',
    [Inputs.BackupFile]: 'backup.dump.zst.age',
    ...raw
  })

  describe('backup (getInputs)', () => {
    it('reads recipients, one per line or comma-separated, comments skipped', () => {
      const inputs = getInputs(
        read({
          [Inputs.DatabaseUrl]: URL,
          [Inputs.EncryptionRecipients]: `# ops team\n${key.recipient}\n${other.recipient}`
        })
      )
      expect(inputs.mode).toBe('backup')
      expect(inputs.mode === 'backup' && inputs.encryption).toEqual({
        kind: 'recipients',
        recipients: [key.recipient, other.recipient]
      })
    })

    it("a comment's comma separates nothing: '# Alice, laptop' above her key (trial u37 F3)", () => {
      const inputs = getInputs(
        read({
          [Inputs.DatabaseUrl]: URL,
          [Inputs.EncryptionRecipients]: `# Alice, laptop\r\n${key.recipient}, ${other.recipient}\n  # Bob, phone, old`
        })
      )
      expect(inputs.mode === 'backup' && inputs.encryption).toEqual({
        kind: 'recipients',
        recipients: [key.recipient, other.recipient]
      })
    })

    it('refuses recipients that are only comments: the key file\'s "# public key: age1…" line pasted whole would leave the backup in the clear (trial u37 F1)', () => {
      for (const given of [
        `# public key: ${key.recipient}`,
        `# created: 2026-12-01T02:17:00Z\n# public key: ${key.recipient}\n# public key: ${other.recipient}`
      ]) {
        const error = inputError({ [Inputs.EncryptionRecipients]: given })
        expect(error.input).toBe(Inputs.EncryptionRecipients)
        expect(error.message).toContain('holds no age public key: only comment lines')
        expect(error.message).toContain(`'${key.recipient.slice(0, 12)}…' on a line of its own`)
      }
      const bare = inputError({ [Inputs.EncryptionRecipients]: '# the ops key goes here\n' })
      expect(bare.message).toContain('Give the public keys (age1…), one per line')
    })

    it('refuses a decryption-identity that is only comments', () => {
      const error = inputError(
        restoreRaw({ [Inputs.DecryptionIdentity]: `# public key: ${key.recipient}` })
      )
      expect(error.input).toBe(Inputs.DecryptionIdentity)
      expect(error.message).toContain('holds no age secret key: only comment lines')
    })

    it('reads a passphrase', () => {
      const inputs = getInputs(
        read({ [Inputs.DatabaseUrl]: URL, [Inputs.EncryptionPassphrase]: 'a long passphrase' })
      )
      expect(inputs.mode === 'backup' && inputs.encryption).toEqual({
        kind: 'passphrase',
        passphrase: 'a long passphrase'
      })
    })

    it('reads allow-unencrypted-public', () => {
      const inputs = getInputs(
        read({ [Inputs.DatabaseUrl]: URL, [Inputs.AllowUnencryptedPublic]: 'true' })
      )
      expect(inputs.mode === 'backup' && inputs.allowUnencryptedPublic).toBe(true)
    })

    it('refuses a secret key in encryption-recipients, without repeating it', () => {
      const error = inputError({ [Inputs.EncryptionRecipients]: key.identity })
      expect(error.input).toBe(Inputs.EncryptionRecipients)
      expect(error.message).toMatch(
        /^Input 'encryption-recipients': holds a secret key \(AGE-SECRET-KEY-1…\)\. Give only public keys/
      )
      expect(error.message).not.toContain(key.identity)
    })

    it('refuses recipients and a passphrase together', () => {
      const error = inputError({
        [Inputs.EncryptionRecipients]: key.recipient,
        [Inputs.EncryptionPassphrase]: 'a long passphrase'
      })
      expect(error.input).toBe(Inputs.EncryptionPassphrase)
      expect(error.message).toMatch(/cannot be combined with 'encryption-recipients'/)
    })

    it('refuses a short passphrase', () => {
      const error = inputError({ [Inputs.EncryptionPassphrase]: 'short-pw' })
      expect(error.input).toBe(Inputs.EncryptionPassphrase)
      expect(error.message).toMatch(/is shorter than 12 characters/)
      expect(error.message).not.toContain('short-pw')
    })

    it('refuses a malformed or mistyped public key', () => {
      for (const bad of ['age1notakey', typo(key.recipient), 'ssh-ed25519 AAAA']) {
        const error = inputError({ [Inputs.EncryptionRecipients]: bad })
        expect(error.input).toBe(Inputs.EncryptionRecipients)
        expect(error.message).toMatch(/is not an age public key/)
      }
    })

    it('a passphrase pasted into encryption-recipients: refused without showing any of it (attacker a63 F6)', () => {
      const error = inputError({ [Inputs.EncryptionRecipients]: 'hunter2-my-long-passphrase' })
      expect(error.message).toContain(
        'a value of 26 characters (not shown: it may be a secret pasted here) is not an age public key'
      )
      expect(error.message).not.toContain('hunter2')
    })
  })

  describe('the parser behind them (parseEncryption)', () => {
    const parse = (raw: Raw) => parseEncryption(read(raw))

    it('gives recipients, a passphrase, or nothing', () => {
      expect(parse({})).toBeUndefined()
      expect(
        parse({ [Inputs.EncryptionRecipients]: `${key.recipient}, ${other.recipient}` })
      ).toEqual({ kind: 'recipients', recipients: [key.recipient, other.recipient] })
      expect(parse({ [Inputs.EncryptionPassphrase]: 'twelve chars' })).toEqual({
        kind: 'passphrase',
        passphrase: 'twelve chars'
      })
    })

    it.each<[string, Raw, Inputs, RegExp]>([
      [
        'a secret key as recipient',
        { [Inputs.EncryptionRecipients]: 'SECRET' },
        Inputs.EncryptionRecipients,
        /holds a secret key/
      ],
      [
        'recipients and passphrase',
        {
          [Inputs.EncryptionRecipients]: 'PUBLIC',
          [Inputs.EncryptionPassphrase]: 'long enough pw'
        },
        Inputs.EncryptionPassphrase,
        /cannot be combined/
      ],
      [
        'a short passphrase',
        { [Inputs.EncryptionPassphrase]: 'eleven char' },
        Inputs.EncryptionPassphrase,
        /shorter than 12/
      ],
      [
        'a mistyped public key',
        { [Inputs.EncryptionRecipients]: 'TYPO' },
        Inputs.EncryptionRecipients,
        /is not an age public key/
      ]
    ])('refuses %s', (_label, raw, input, message) => {
      const resolved: Raw = {}
      for (const [name, value] of Object.entries(raw) as [Inputs, string][]) {
        resolved[name] = value
          .replace('SECRET', key.identity)
          .replace('PUBLIC', key.recipient)
          .replace('TYPO', typo(key.recipient))
      }
      let error: unknown
      try {
        parse(resolved)
      } catch (e) {
        error = e
      }
      expect(error).toBeInstanceOf(InputError)
      expect((error as InputError).input).toBe(input)
      expect((error as Error).message).toMatch(message)
      expect((error as Error).message).not.toContain(key.identity)
    })
  })

  describe('restore (getInputs)', () => {
    it('reads identities from a key file as pasted into a secret', () => {
      const inputs = getInputs(
        read(
          restoreRaw({
            [Inputs.DecryptionIdentity]: readFileSync(key.file, 'utf8'),
            [Inputs.EncryptionPassphrase]: 'a long passphrase'
          })
        )
      )
      expect(inputs.mode === 'restore' && inputs.decryption).toEqual({
        identities: [key.identity],
        passphrases: ['a long passphrase']
      })
    })

    it.each<[string, () => string]>([
      ['a public key', () => key.recipient],
      ['a truncated key', () => key.identity.slice(0, 40)],
      ['a mistyped key', () => typo(key.identity)],
      ['a lower-cased key', () => key.identity.toLowerCase()],
      ['an SSH key', () => '-----BEGIN OPENSSH PRIVATE KEY-----']
    ])('refuses %s in decryption-identity, without repeating it', (_label, identity) => {
      const value = identity()
      const error = inputError(restoreRaw({ [Inputs.DecryptionIdentity]: value }))
      expect(error.input).toBe(Inputs.DecryptionIdentity)
      expect(error.message).toMatch(
        /^Input 'decryption-identity': is not an age secret key \(AGE-SECRET-KEY-1…\)/
      )
      expect(error.message).not.toContain(value)
    })
  })
})
