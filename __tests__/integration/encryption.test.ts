/**
 * Encryption end to end, on what arrived: backups encrypted with age before upload (public keys
 * or a passphrase) decrypt with the real `age` CLI and restore to the source's data; files the
 * CLI encrypted restore through the action; a wrong, missing or malformed key stops a restore
 * before the target is touched; a public repository refuses unencrypted backups; and a run of
 * dist/index.js keeps every secret out of process command lines, logs, outputs and the artifact.
 */
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { type ArtifactBackend, unzipEntries } from '../../dev/artifact-backend.js'
import { schemaDump, seedSample, tableChecksums } from '../../dev/fixtures.js'
import { runnerStep } from '../../dev/runner.js'
import type { TestServer } from '../../dev/postgres.js'
import type { BackupOptions, BackupSource, RestoreOptions } from '../../src/types.js'
import type { Manifest } from '../../src/manifest.js'
import { useHarness } from '../support/harness.js'
import { comparingRuns, testBackupInputs, testRestoreInputs } from '../support/inputs.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const DIST = path.join(root, 'dist/index.js')
const AGE_MAGIC = 'age-encryption.org/v1\n'

const harness = useHarness({ name: 'encryption-test' })
let server: TestServer
let backend: ArtifactBackend
let source: string
let sourceChecksums: Awaited<ReturnType<typeof tableChecksums>>
let sourceSchema: string
let tempRoot: string
let work: string

interface KeyPair {
  file: string
  identity: string
  recipient: string
}
/** key: the one backups are encrypted to; second: another recipient; stranger: neither. */
let key: KeyPair
let second: KeyPair
let stranger: KeyPair
const PASSPHRASE = 'tr0ub4dor & 3 horses, stapled'

function keygen(name: string): KeyPair {
  const file = path.join(work, name)
  expect(spawnSync('age-keygen', ['-o', file]).status).toBe(0)
  const text = readFileSync(file, 'utf8')
  return {
    file,
    identity: text.split('\n').find(l => l.startsWith('AGE-SECRET-KEY-1'))!,
    recipient: /# public key: (age1\S+)/.exec(text)![1]
  }
}

beforeAll(async () => {
  ;({ server, backend, work, tempRoot } = harness)
  source = await server.createDatabase('shop')
  await seedSample(server, source)
  ;[sourceChecksums, sourceSchema] = await Promise.all([
    tableChecksums(server, source),
    schemaDump(server, source)
  ])
  key = keygen('key.txt')
  second = keygen('second.txt')
  stranger = keygen('stranger.txt')
}, 60_000)

function backupInputs(overrides: Partial<BackupOptions> = {}): BackupOptions {
  return testBackupInputs(server.url(source), {
    artifactName: `enc-${Math.random().toString(36).slice(2, 8)}`,
    ...overrides
  })
}

function runBackup(overrides: Partial<BackupOptions> = {}) {
  return harness.backup(backupInputs(overrides))
}

function restoreInputs(
  target: string,
  from: BackupSource,
  overrides: Partial<RestoreOptions> = {}
): RestoreOptions {
  return testRestoreInputs(server.url(target), from, overrides)
}

function runRestore(i: RestoreOptions) {
  return harness.restore(i)
}

const thisRun = (name: string): BackupSource => ({
  kind: 'artifact',
  name,
  runId: 'current',
  repository: backend.repository,
  token: backend.githubToken
})

const withKeys = (identities: string[], passphrases: string[] = []) => ({
  decryption: { identities, passphrases }
})

interface Arrived {
  manifest: Manifest
  manifestText: string
  dump: Buffer
  file: string
  entries: string[]
}

/** The artifact as stored by the backend; its dump is also written to a file for the CLI. */
async function arrived(name: string): Promise<Arrived> {
  const stored = backend.findArtifact(name, backend.currentRunId)
  if (!stored) throw new Error(`artifact ${name} did not arrive`)
  const entries = await unzipEntries(stored.bytes)
  const manifestText = entries.get('manifest.json')!.toString('utf8')
  const manifest = JSON.parse(manifestText) as Manifest
  const dump = entries.get(manifest.file.name)!
  const dir = mkdtempSync(path.join(work, 'arrived-'))
  const file = path.join(dir, manifest.file.name)
  writeFileSync(file, dump)
  return { manifest, manifestText, dump, file, entries: [...entries.keys()].sort() }
}

/** A shell pipeline (bash, pipefail) with positional arguments; PG* from the server. */
function sh(script: string, args: string[], database = source): SpawnSyncReturns<Buffer> {
  return spawnSync('bash', ['-c', `set -euo pipefail; ${script}`, 'sh', ...args], {
    env: { ...server.env(database), PATH: `${server.binDir}:${process.env.PATH}` },
    maxBuffer: 64 << 20
  })
}

function expectOk(result: SpawnSyncReturns<Buffer>): string {
  expect({ status: result.status, stderr: result.stderr.toString() }).toEqual({
    status: 0,
    stderr: ''
  })
  return result.stdout.toString()
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex')

/** The target as it is: data and schema, to compare after a refused restore. */
async function snapshot(database: string) {
  return {
    checksums: await tableChecksums(server, database),
    schema: await schemaDump(server, database)
  }
}

describe('backup with encryption-recipients', () => {
  let result: Awaited<ReturnType<typeof runBackup>>
  let a: Arrived

  beforeAll(async () => {
    result = await runBackup({
      encryption: { kind: 'recipients', recipients: [key.recipient, second.recipient] }
    })
    a = await arrived(result.artifact!.name)
  }, 60_000)

  it('uploads an age file and a manifest that records the encryption, checksummed', () => {
    expect(a.entries).toEqual([a.manifest.file.name, 'manifest.json'].sort())
    expect(a.manifest.file.name).toMatch(/^shop-\d{8}T\d{6}Z\.dump\.zst\.age$/)
    expect(a.dump.subarray(0, AGE_MAGIC.length).toString('latin1')).toBe(AGE_MAGIC)
    // nothing readable: neither the archive's nor zstd's magic, nor the data
    expect(a.dump.includes(Buffer.from('PGDMP'))).toBe(false)
    expect(a.dump.includes(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))).toBe(false)
    expect(a.dump.includes(Buffer.from('Ada Lovelace'))).toBe(false)
    // the sha256 and size cover the encrypted file as uploaded
    expect(a.manifest.file.sha256).toBe(sha256(a.dump))
    expect(a.manifest.file.sizeBytes).toBe(a.dump.length)
    expect(result.manifest.file.sha256).toBe(a.manifest.file.sha256)
    expect(a.manifest.encryption).toEqual({
      algorithm: 'age',
      mode: 'recipients',
      recipients: [key.recipient, second.recipient]
    })
  })

  it('keeps every secret out of the manifest', () => {
    for (const secret of [
      'AGE-SECRET-KEY',
      key.identity,
      second.identity,
      server.password,
      encodeURIComponent(server.password)
    ]) {
      expect(a.manifestText).not.toContain(secret)
    }
  })

  it('decrypts with the real age CLI: age -d -i key.txt | zstd -d | pg_restore --list', () => {
    // pg_restore --list reads the table of contents and stops reading (zstd then gets SIGPIPE):
    // the pipeline's status is pg_restore's
    const list = expectOk(
      sh('set +o pipefail; age -d -i "$1" "$2" | zstd -d | pg_restore --list', [key.file, a.file])
    )
    expect(list).toMatch(/TABLE DATA public customers /)
    expect(list).toMatch(/TABLE DATA sales orders /)
    // the other recipient too; a key it was not encrypted to cannot
    expectOk(
      sh('set +o pipefail; age -d -i "$1" "$2" | zstd -d | pg_restore --list', [
        second.file,
        a.file
      ])
    )
    const refused = sh('age -d -i "$1" "$2" > /dev/null', [stranger.file, a.file])
    expect(refused.status).not.toBe(0)
    expect(refused.stderr.toString()).toMatch(/no identity matched any of the recipients/)
  })

  it("restores by hand with the CLI tools into the source's data and schema", async () => {
    const target = await server.createDatabase()
    expectOk(
      sh('age -d -i "$1" "$2" | zstd -d | pg_restore --exit-on-error -d "$3"', [
        key.file,
        a.file,
        target
      ])
    )
    expect(await tableChecksums(server, target)).toEqual(sourceChecksums)
    expect(await schemaDump(server, target)).toEqual(sourceSchema)
    await server.dropDatabase(target)
  })

  it('restores through restore() with decryption-identity', async () => {
    const target = await server.createDatabase()
    const restored = await runRestore(
      restoreInputs(target, thisRun(result.artifact!.name), withKeys([second.identity]))
    )
    expect(await tableChecksums(server, target)).toEqual(sourceChecksums)
    expect(await schemaDump(server, target)).toEqual(sourceSchema)
    expect(restored.tables.every(t => t.expected === t.rows)).toBe(true)
    await server.dropDatabase(target)
  })
})

describe('a backup in the clear after an encrypted one of the name (trial u37 F1)', () => {
  it('warns, in the result the summary shows, naming how the previous one was encrypted', async () => {
    const { changes, nextRun } = comparingRuns(harness.backend)
    nextRun()
    await runBackup({
      artifactName: 'nightly-sealed',
      changes,
      encryption: { kind: 'recipients', recipients: [key.recipient] }
    })
    nextRun()
    const clear = await runBackup({ artifactName: 'nightly-sealed', changes })
    expect(clear.manifest.encryption).toBeUndefined()
    expect(clear.encryptionDropped).toMatch(
      /^This backup is not encrypted, but the previous one \(.+\) was \(age, 1 public key\): check encryption-recipients and encryption-passphrase/
    )
    nextRun()
    const again = await runBackup({ artifactName: 'nightly-sealed', changes })
    expect(again.encryptionDropped).toBeUndefined()
  }, 120_000)
})

describe('a plain gzip backup to a recipient', () => {
  it('is a .sql.gz.age that `age -d | gunzip | psql` restores', async () => {
    const result = await runBackup({
      format: 'plain',
      compression: 'gzip',
      compressionLevel: 6,
      encryption: { kind: 'recipients', recipients: [key.recipient] }
    })
    const a = await arrived(result.artifact!.name)
    expect(a.manifest.file.name).toMatch(/\.sql\.gz\.age$/)
    const target = await server.createDatabase()
    expectOk(
      sh(
        'age -d -i "$1" "$2" | gunzip | psql -X -q -v ON_ERROR_STOP=1 --single-transaction -d "$3" > /dev/null',
        [key.file, a.file, target]
      )
    )
    expect(await tableChecksums(server, target)).toEqual(sourceChecksums)
    await server.dropDatabase(target)
  })
})

describe('other encrypted layouts restore through restore()', () => {
  it.each<[string, Partial<BackupOptions>, Partial<RestoreOptions>]>([
    ['directory format (.dir.tar.zst.age)', { format: 'directory', jobs: 2 }, {}],
    // pg_dump -Ft (format: tar or t, trial u18 F1): its manifest says tar, its content is checked as one
    ['tar format (.tar.zst.age)', { format: 'tar' }, {}],
    [
      'custom format restored in parallel (jobs: 2, decrypted to a file first)',
      {},
      { jobs: 2, singleTransaction: false }
    ]
  ])('%s', async (_label, backupOverrides, restoreOverrides) => {
    const result = await runBackup({
      ...backupOverrides,
      encryption: { kind: 'recipients', recipients: [key.recipient] }
    })
    expect(result.fileName).toMatch(/\.zst\.age$/)
    const target = await server.createDatabase()
    await runRestore(
      restoreInputs(target, thisRun(result.artifact!.name), {
        ...restoreOverrides,
        ...withKeys([key.identity])
      })
    )
    expect(await tableChecksums(server, target)).toEqual(sourceChecksums)
    expect(await schemaDump(server, target)).toEqual(sourceSchema)
    expect(readdirSync(tempRoot)).toEqual([])
    await server.dropDatabase(target)
  })
})

describe('backup with encryption-passphrase', () => {
  let result: Awaited<ReturnType<typeof runBackup>>
  let a: Arrived

  beforeAll(async () => {
    result = await runBackup({ encryption: { kind: 'passphrase', passphrase: PASSPHRASE } })
    a = await arrived(result.artifact!.name)
  }, 60_000)

  it('uploads a scrypt-protected age file; the passphrase is nowhere in the artifact', () => {
    expect(a.dump.subarray(0, AGE_MAGIC.length).toString('latin1')).toBe(AGE_MAGIC)
    const header = a.dump.subarray(0, a.dump.indexOf('\n---') + 4).toString('latin1')
    expect(header).toMatch(/^-> scrypt /m)
    expect(a.manifest.encryption).toEqual({ algorithm: 'age', mode: 'passphrase', recipients: [] })
    expect(a.manifest.file.sha256).toBe(sha256(a.dump))
    expect(a.manifestText).not.toContain(PASSPHRASE)
    expect(a.dump.includes(Buffer.from(PASSPHRASE))).toBe(false)
  })

  it('is not readable with a key (the CLI says it is passphrase-encrypted)', () => {
    const refused = sh('age -d -i "$1" "$2" > /dev/null', [key.file, a.file])
    expect(refused.status).not.toBe(0)
    expect(refused.stderr.toString()).toMatch(/passphrase/)
  })

  it('restores through restore() with the passphrase', async () => {
    const target = await server.createDatabase()
    await runRestore(
      restoreInputs(target, thisRun(result.artifact!.name), withKeys([], [PASSPHRASE]))
    )
    expect(await tableChecksums(server, target)).toEqual(sourceChecksums)
    expect(await schemaDump(server, target)).toEqual(sourceSchema)
    await server.dropDatabase(target)
  }, 60_000)
})

describe('files encrypted by the age CLI restore through restore()', () => {
  it.each([
    [
      'pg_dump -Fc | zstd | age -r',
      'x.dump.zst.age',
      'pg_dump -Fc -Z0 | zstd -q | age -r "$1" > "$2"'
    ],
    ['pg_dump | gzip | age -r', 'x.sql.gz.age', 'pg_dump | gzip | age -r "$1" > "$2"'],
    ['pg_dump -Fc | age -r (not compressed)', 'x.dump.age', 'pg_dump -Fc | age -r "$1" > "$2"']
  ])('%s', async (_label, name, script) => {
    const dir = mkdtempSync(path.join(work, 'cli-'))
    const file = path.join(dir, name)
    expectOk(sh(script, [key.recipient, file]))
    expect(readFileSync(file).subarray(0, AGE_MAGIC.length).toString('latin1')).toBe(AGE_MAGIC)
    const target = await server.createDatabase()
    const restored = await runRestore(
      restoreInputs(
        target,
        { kind: 'file', path: file },
        withKeys([stranger.identity, key.identity])
      )
    )
    expect(await tableChecksums(server, target)).toEqual(sourceChecksums)
    expect(await schemaDump(server, target)).toEqual(sourceSchema)
    expect(restored.tables.length).toBeGreaterThan(10)
    await server.dropDatabase(target)
  })
})

describe('a restore that cannot decrypt stops before the target is touched', () => {
  let target: string
  let before: Awaited<ReturnType<typeof snapshot>>
  let toKey: string
  let toPassphrase: string
  let armored: string

  beforeAll(async () => {
    // a target holding the backup's tables with other data: clean: true would replace it
    target = await server.createDatabase()
    await seedSample(server, target)
    await server.query(target, "UPDATE public.customers SET name = 'changed' WHERE id = 1")
    await server.query(
      target,
      'CREATE TABLE public.keep_me (id int); INSERT INTO public.keep_me VALUES (42)'
    )
    before = await snapshot(target)
    toKey = (await runBackup({ encryption: { kind: 'recipients', recipients: [key.recipient] } }))
      .artifact!.name
    toPassphrase = (await runBackup({ encryption: { kind: 'passphrase', passphrase: PASSPHRASE } }))
      .artifact!.name
    armored = path.join(work, 'armored.dump.zst.age')
    expectOk(sh('pg_dump -Fc -Z0 | zstd -q | age -a -r "$1" > "$2"', [key.recipient, armored]))
  }, 60_000)

  afterEach(async () => {
    expect(await snapshot(target)).toEqual(before)
    expect(readdirSync(tempRoot)).toEqual([])
  })

  const wrongKey =
    /the backup cannot be decrypted with the (key|passphrase|keys and passphrase) given \(no identity matched any of the file's recipients\): (encryption-passphrase|decryption-identity) must .* Nothing was restored\.$/

  it('a file altered past its first 64 KiB chunk (pg_dump -Fc | age -r, no manifest): said to be altered, not "cannot be decompressed"', async () => {
    const file = path.join(mkdtempSync(path.join(work, 'altered-')), 'altered.dump.age')
    expectOk(sh('pg_dump -Fc -Z0 | age -r "$1" > "$2"', [key.recipient, file]))
    const bytes = readFileSync(file)
    expect(bytes.length).toBeGreaterThan(3 * 65536)
    bytes[bytes.length - 70_000] ^= 1
    writeFileSync(file, bytes)
    const error = await runRestore(
      restoreInputs(
        target,
        { kind: 'file', path: file },
        { clean: true, ...withKeys([key.identity]) }
      )
    ).catch(e => e)
    expect(error.message).toMatch(
      /^altered\.dump\.age: the encrypted backup is damaged, truncated or altered: .*Its key or passphrase is not in question.* Nothing was restored\.$/
    )
    expect(error.message).not.toMatch(/decompressed/)
  })

  it('a wrong identity', async () => {
    const error = await runRestore(
      restoreInputs(target, thisRun(toKey), { clean: true, ...withKeys([stranger.identity]) })
    ).catch(e => e)
    expect(error.name).toBe('RestoreError')
    expect(error.message).toMatch(wrongKey)
    expect(error.message).not.toContain(stranger.identity)
  })

  it('a wrong passphrase', async () => {
    const error = await runRestore(
      restoreInputs(target, thisRun(toPassphrase), {
        clean: true,
        ...withKeys([], ['not the passphrase at all'])
      })
    ).catch(e => e)
    expect(error.message).toMatch(wrongKey)
    expect(error.message).not.toContain('not the passphrase at all')
  }, 30_000)

  it('an identity for a passphrase backup, and a passphrase for a key backup: the kind of secret it needs is named (trial u37 F4)', async () => {
    for (const [name, keys, needs] of [
      [
        toPassphrase,
        withKeys([key.identity]),
        "the backup is encrypted with a passphrase (age's scrypt), not to a public key: give encryption-passphrase"
      ],
      [
        toKey,
        withKeys([], [PASSPHRASE]),
        'the backup is encrypted to public keys (age1…), not with a passphrase: give decryption-identity'
      ]
    ] as const) {
      const error = await runRestore(
        restoreInputs(target, thisRun(name), { clean: true, ...keys })
      ).catch(e => e)
      expect(error.message).toContain(needs)
      expect(error.message).toMatch(/Nothing was restored\.$/)
    }
  }, 30_000)

  it('no key at all', async () => {
    for (const keys of [{}, withKeys([])]) {
      const error = await runRestore(
        restoreInputs(target, thisRun(toKey), { clean: true, ...keys })
      ).catch(e => e)
      expect(error.name).toBe('RestoreError')
      expect(error.message).toMatch(
        /: the backup is encrypted with age; give its key in decryption-identity \(AGE-SECRET-KEY-1…, from a secret\) or its passphrase in encryption-passphrase\. Nothing was restored\.$/
      )
    }
  })

  it('a malformed identity (mistyped), without quoting it', async () => {
    const i = key.identity.length - 8
    const typo =
      key.identity.slice(0, i) + (key.identity[i] === 'Q' ? 'P' : 'Q') + key.identity.slice(i + 1)
    const error = await runRestore(
      restoreInputs(target, thisRun(toKey), { clean: true, ...withKeys([typo]) })
    ).catch(e => e)
    expect(error.message).toMatch(
      /identity 1 in decryption-identity is not a valid age secret key .* Nothing was restored\.$/
    )
    expect(error.message).not.toContain(typo.slice(16))
  })

  it('an ASCII-armored file (age -a), which would otherwise pass for SQL text', async () => {
    const error = await runRestore(
      restoreInputs(
        target,
        { kind: 'file', path: armored },
        {
          clean: true,
          ...withKeys([key.identity])
        }
      )
    ).catch(e => e)
    expect(error.message).toMatch(
      /is an ASCII-armored age file \(age -a \/ --armor\), which the action does not read/
    )
  })
})

describe('public-repository guard', () => {
  const eventFile = (name: string, repository: object): string => {
    const file = path.join(work, name)
    writeFileSync(
      file,
      JSON.stringify({ repository: { full_name: backend.repository, ...repository } })
    )
    return file
  }

  afterEach(() => {
    delete process.env.GITHUB_EVENT_PATH
  })

  it.each([
    ['private: false', { private: false }],
    ["visibility: 'public'", { visibility: 'public' }]
  ])(
    'refuses an unencrypted backup of a public repository (%s), asking nothing of the backend',
    async (_label, repository) => {
      process.env.GITHUB_EVENT_PATH = eventFile('public.json', repository)
      const [artifacts, requests] = [backend.artifacts().length, backend.requests.length]
      const error = await runBackup().catch(e => e)
      expect(error.name).toBe('InputError')
      expect(error.message).toMatch(
        /^Input 'encryption-recipients': is empty, and this repository is public: anyone signed in to GitHub can download its artifacts/
      )
      expect(error.message).toMatch(/'allow-unencrypted-public: true'/)
      expect(backend.artifacts().length).toBe(artifacts)
      expect(backend.requests.length).toBe(requests)
      expect(readdirSync(tempRoot)).toEqual([])
    }
  )

  it('backs up a public repository encrypted, or unencrypted with allow-unencrypted-public', async () => {
    process.env.GITHUB_EVENT_PATH = eventFile('public.json', { private: false })
    const encrypted = await runBackup({
      encryption: { kind: 'recipients', recipients: [key.recipient] }
    })
    expect((await arrived(encrypted.artifact!.name)).manifest.encryption?.mode).toBe('recipients')
    const allowed = await runBackup({ allowUnencryptedPublic: true })
    const a = await arrived(allowed.artifact!.name)
    expect(a.manifest.encryption).toBeUndefined()
    expect(a.dump.readUInt32LE(0)).toBe(0xfd2fb528) // zstd, not encrypted
  })

  it('backs up a private repository unencrypted', async () => {
    process.env.GITHUB_EVENT_PATH = eventFile('private.json', { private: true })
    const result = await runBackup()
    expect((await arrived(result.artifact!.name)).manifest.encryption).toBeUndefined()
  })
})

// ------------------------------------------------------------------------------------------
// dist/index.js, run as the runner runs it, watched from /proc

/**
 * Samples /proc/<pid>/cmdline of every process every ~2 ms; secrets come in through env. With
 * WATCH_SWEEPS each sweep's start (before /proc is listed) and end (after the last cmdline is
 * read) are kept, in milliseconds since the epoch (performance.timeOrigin + performance.now()).
 */
const WATCHER = `
const fs = require('node:fs')
const secrets = JSON.parse(process.env.WATCH_SECRETS)
const keepSweeps = process.env.WATCH_SWEEPS === '1'
const seen = new Set()
const hits = []
const sweeps = []
let samples = 0
const now = () => performance.timeOrigin + performance.now()
function sample() {
  samples++
  const started = now()
  sweep()
  if (keepSweeps) sweeps.push([started, now()])
}
function sweep() {
  let pids = []
  try { pids = fs.readdirSync('/proc').filter(p => /^\\d+$/.test(p) && Number(p) !== process.pid) } catch {}
  for (const pid of pids) {
    let cmd
    try { cmd = fs.readFileSync('/proc/' + pid + '/cmdline', 'latin1').split('\\0').join(' ').trim() } catch { continue }
    if (!cmd || seen.has(cmd)) continue
    seen.add(cmd)
    for (const s of secrets) if (cmd.includes(s)) hits.push({ pid, secret: secrets.indexOf(s) })
  }
}
const timer = setInterval(sample, 2)
process.stdin.on('data', () => {
  clearInterval(timer)
  sample()
  process.stdout.write(JSON.stringify({ samples, seen: [...seen], hits, sweeps }))
  process.exit(0)
})
`

interface Watch {
  samples: number
  seen: string[]
  hits: Array<{ pid: string; secret: number }>
  /** With `sweeps`: each sweep's [start, end], ms since the epoch. */
  sweeps: Array<[number, number]>
}

interface DistRun {
  code: number | null
  stdout: string
  stderr: string
  output: string
  summary: string
  watch: Watch
  runnerTemp: string
}

/** Starts the /proc watcher; stop() returns what it saw. */
async function watchProcesses(
  secrets: string[],
  options: { sweeps?: boolean } = {}
): Promise<{ stop: () => Promise<Watch> }> {
  const watcher = spawn(process.execPath, ['-e', WATCHER], {
    env: {
      PATH: process.env.PATH,
      WATCH_SECRETS: JSON.stringify(secrets),
      WATCH_SWEEPS: options.sweeps ? '1' : ''
    },
    stdio: ['pipe', 'pipe', 'inherit']
  })
  let watched = ''
  watcher.stdout.on('data', d => (watched += d))
  const done = new Promise<Watch>((resolve, reject) => {
    watcher.on('error', reject)
    watcher.on('close', () => resolve(JSON.parse(watched) as Watch))
  })
  // let it take its first samples before anything starts
  await new Promise(resolve => setTimeout(resolve, 150))
  return {
    stop: () => {
      watcher.stdin.end('stop')
      return done
    }
  }
}

async function runDist(inputs: Record<string, string>, secrets: string[]): Promise<DistRun> {
  const dir = mkdtempSync(path.join(work, 'dist-'))
  const { env, workspace, runnerTemp, outputFile, summaryFile } = runnerStep(
    dir,
    backend.env(),
    inputs
  )
  const watch = await watchProcesses(secrets)
  const { code, stdout, stderr } = await new Promise<{
    code: number | null
    stdout: string
    stderr: string
  }>((resolve, reject) => {
    const child = spawn(process.execPath, [DIST], { env, cwd: workspace })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', d => (stdout += d))
    child.stderr.on('data', d => (stderr += d))
    child.on('error', reject)
    child.on('close', code => resolve({ code, stdout, stderr }))
  })
  return {
    code,
    stdout,
    stderr,
    output: readFileSync(outputFile, 'utf8'),
    summary: readFileSync(summaryFile, 'utf8'),
    watch: await watch.stop(),
    runnerTemp
  }
}

it('the /proc watcher catches a secret on a command line that lives 20 ms', async () => {
  // A sweep of /proc that ran whole while the canary lived must have seen it. On a loaded
  // machine a sweep can take longer than the canary's 20 ms, or be scheduled around it: such
  // an attempt shows nothing either way and is repeated with a new canary (up to 20 times).
  // The canary (sh, its secret on the command line) prints the time (ns) after it started and
  // before it ends, so its lifetime holds [from, to].
  const attempts: Array<{ lived: number; sweepsWithin: number; hits: number }> = []
  while (attempts.length < 20 && !attempts.some(a => a.sweepsWithin > 0)) {
    const canary = `canary-${Math.random().toString(36).slice(2)}`
    const watch = await watchProcesses([canary], { sweeps: true })
    const printed = spawnSync('sh', ['-c', 'date +%s%N; sleep 0.02; date +%s%N', canary], {
      encoding: 'utf8'
    })
    const seen = await watch.stop()
    const [from, to] = printed.stdout
      .trim()
      .split('\n')
      .map(ns => Number(BigInt(ns) / 1000n) / 1000)
    expect(to - from).toBeGreaterThanOrEqual(20)
    // 1 ms of margin for the two clocks (the watcher's is monotonic from its start)
    const sweepsWithin = seen.sweeps.filter(([a, b]) => a > from + 1 && b < to - 1).length
    attempts.push({ lived: Math.round(to - from), sweepsWithin, hits: seen.hits.length })
  }
  const decisive = attempts.find(a => a.sweepsWithin > 0)
  // (no whole sweep in 20 canaries' lifetimes: the watcher is too slow to prove anything)
  expect({ attempts, caught: decisive?.hits }).toEqual({ attempts, caught: 1 })
})

describe('dist/index.js keeps the password, passphrase and identity secret', () => {
  let secrets: string[]
  let backupRun: DistRun
  let restoreRun: DistRun
  let target: string

  beforeAll(async () => {
    if (!existsSync(DIST)) throw new Error('dist/index.js is missing: run npm run package')
    secrets = [server.password, encodeURIComponent(server.password), PASSPHRASE, key.identity]
    backupRun = await runDist(
      {
        'database-url': server.url(source),
        'artifact-name': 'dist-encrypted',
        'encryption-passphrase': PASSPHRASE
      },
      secrets
    )
    const file = path.join(work, 'for-dist.dump.zst.age')
    expectOk(sh('pg_dump -Fc -Z0 | zstd -q | age -r "$1" > "$2"', [key.recipient, file]))
    target = await server.createDatabase()
    restoreRun = await runDist(
      {
        mode: 'restore',
        'database-url': server.url(target),
        'backup-file': file,
        'decryption-identity': readFileSync(key.file, 'utf8'),
        'encryption-passphrase': PASSPHRASE
      },
      secrets
    )
  }, 90_000)

  it('both runs succeed', async () => {
    expect({ code: backupRun.code, stderr: backupRun.stderr }).toEqual({ code: 0, stderr: '' })
    expect({ code: restoreRun.code, stderr: restoreRun.stderr }).toEqual({ code: 0, stderr: '' })
    expect(await tableChecksums(server, target)).toEqual(sourceChecksums)
    for (const run of [backupRun, restoreRun]) expect(readdirSync(run.runnerTemp)).toEqual([])
  })

  it('no process had a secret on its command line (watched every ~2 ms)', () => {
    for (const run of [backupRun, restoreRun]) {
      expect(run.watch.hits).toEqual([])
      expect(run.watch.samples).toBeGreaterThan(100)
    }
    // the watcher did see the tools the action ran, with their arguments
    expect(backupRun.watch.seen.some(c => /\/pg_dump --no-password /.test(c))).toBe(true)
    // (an archive's script is checked as pg_restore -f - writes it, then loaded by pg_restore -d
    // directly: the connection's name only, its password in the environment)
    expect(restoreRun.watch.seen.some(c => /\/pg_restore --file=-( |$)/.test(c))).toBe(true)
    expect(restoreRun.watch.seen.some(c => /\/pg_restore --dbname=dbname='[^' ]+' /.test(c))).toBe(
      true
    )
  })

  it('masks the secrets, and no log, output, summary or artifact holds one', async () => {
    const masked = (run: DistRun) =>
      run.stdout
        .split('\n')
        .filter(l => l.startsWith('::add-mask::'))
        .map(l => l.slice('::add-mask::'.length).replace(/%25/g, '%'))
    expect(masked(backupRun)).toEqual(expect.arrayContaining([server.password, PASSPHRASE]))
    expect(masked(restoreRun)).toEqual(
      expect.arrayContaining([server.password, PASSPHRASE, key.identity])
    )
    const stored = backend.findArtifact('dist-encrypted.zip', backend.currentRunId)!
    const entries = await unzipEntries(stored.bytes)
    for (const run of [backupRun, restoreRun]) {
      const texts = [
        run.stdout.replace(/::add-mask::.*\n/g, ''),
        run.stderr,
        run.output,
        run.summary,
        entries.get('manifest.json')!.toString('utf8')
      ]
      for (const text of texts) for (const secret of secrets) expect(text).not.toContain(secret)
    }
    for (const content of entries.values()) {
      expect(content.includes(Buffer.from(PASSPHRASE))).toBe(false)
      expect(content.includes(Buffer.from(server.password))).toBe(false)
    }
  })

  it('encrypts the backup with encryption-passphrase given as an input', async () => {
    const stored = backend.findArtifact('dist-encrypted.zip', backend.currentRunId)!
    const entries = await unzipEntries(stored.bytes)
    const manifest = JSON.parse(entries.get('manifest.json')!.toString('utf8')) as Manifest
    expect(manifest.encryption).toEqual({ algorithm: 'age', mode: 'passphrase', recipients: [] })
    expect(manifest.file.name).toMatch(/\.age$/)
    expect(entries.get(manifest.file.name)!.subarray(0, AGE_MAGIC.length).toString('latin1')).toBe(
      AGE_MAGIC
    )
  })
})
