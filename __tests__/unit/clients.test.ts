import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {
  ClientInstallError,
  ClientVersionError,
  candidateDirectories,
  chooseDumpClient,
  chooseRestoreClient,
  discoverClients,
  parseClientVersion,
  pgDumpOptionRequirements
} from '../../src/postgres/clients.js'
import { libpqRequirements, parseDatabaseUrl } from '../../src/postgres/connection.js'
import { exitCodeFor } from '../../src/errors.js'
import {
  type ClientInstaller,
  type InstallResult,
  aptInstaller,
  aptReason,
  hasPgdgSource
} from '../../src/postgres/install.js'
import { InputError, describeForInputs } from '../../src/inputs.js'

/** A real executable that prints a version like pg_dump does. */
function fakeClient(dir: string, program: string, versionText: string): void {
  mkdirSync(dir, { recursive: true })
  const file = path.join(dir, program)
  writeFileSync(file, `#!/bin/sh\necho '${versionText}'\n`)
  chmodSync(file, 0o755)
}

describe('parseClientVersion', () => {
  it.each([
    ['pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)', { version: '15.18', major: 15 }],
    ['pg_dump (PostgreSQL) 18.1', { version: '18.1', major: 18 }],
    ['pg_dump (PostgreSQL) 17beta2', { version: '17', major: 17 }],
    ['pg_restore (PostgreSQL) 13.22 (Ubuntu 13.22-1.pgdg22.04+1)', { version: '13.22', major: 13 }]
  ])('%s', (text, expected) => expect(parseClientVersion(text)).toEqual(expected))

  it('returns undefined for something else', () => {
    expect(parseClientVersion('mysqldump  Ver 8.0')).toBeUndefined()
  })
})

describe('discovery over platform layouts', () => {
  let root: string
  beforeAll(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'clients-'))
    // Debian/Ubuntu
    fakeClient(
      path.join(root, 'usr/lib/postgresql/14/bin'),
      'pg_dump',
      'pg_dump (PostgreSQL) 14.19 (Ubuntu 14.19-1)'
    )
    fakeClient(
      path.join(root, 'usr/lib/postgresql/16/bin'),
      'pg_dump',
      'pg_dump (PostgreSQL) 16.10 (Ubuntu 16.10-1)'
    )
    // Debian's wrapper in /usr/bin must never be chosen
    mkdirSync(path.join(root, 'usr/share/postgresql-common'), { recursive: true })
    fakeClient(
      path.join(root, 'usr/share/postgresql-common'),
      'pg_wrapper',
      'pg_dump (PostgreSQL) 16.10'
    )
    mkdirSync(path.join(root, 'usr/bin'), { recursive: true })
    symlinkSync(
      path.join(root, 'usr/share/postgresql-common/pg_wrapper'),
      path.join(root, 'usr/bin/pg_dump')
    )
    // RHEL family
    fakeClient(path.join(root, 'usr/pgsql-17/bin'), 'pg_dump', 'pg_dump (PostgreSQL) 17.6')
    // Homebrew
    fakeClient(
      path.join(root, 'opt/homebrew/opt/postgresql@15/bin'),
      'pg_dump',
      'pg_dump (Homebrew) (PostgreSQL) 15.14'
    )
    // Windows layout, found through ProgramFiles
    fakeClient(
      path.join(root, 'Program Files/PostgreSQL/13/bin'),
      'pg_dump',
      'pg_dump (PostgreSQL) 13.22'
    )
    // something on PATH that is not pg_dump at all
    fakeClient(path.join(root, 'elsewhere'), 'pg_dump', 'not a postgres tool')
  })
  afterAll(() => rmSync(root, { recursive: true, force: true }))

  const dirs = (): string[] =>
    candidateDirectories({
      root,
      env: {
        ProgramFiles: path.join(root, 'Program Files'),
        PATH: [path.join(root, 'usr/bin'), path.join(root, 'elsewhere')].join(path.delimiter)
      }
    })

  it('finds every real client with its version, lowest first, and skips the wrapper', async () => {
    const found = await discoverClients('pg_dump', dirs())
    expect(found.map(f => [f.major, path.relative(root, f.binDir)])).toEqual([
      [13, 'Program Files/PostgreSQL/13/bin'],
      [14, 'usr/lib/postgresql/14/bin'],
      [15, 'opt/homebrew/opt/postgresql@15/bin'],
      [16, 'usr/lib/postgresql/16/bin'],
      [17, 'usr/pgsql-17/bin']
    ])
  })

  it('chooses the lowest major at least as new as the server', async () => {
    expect((await chooseDumpClient(15, '15.3', { dirs: dirs() })).major).toBe(15)
    expect((await chooseDumpClient(16, '16.1', { dirs: dirs() })).major).toBe(16)
    expect((await chooseDumpClient(12, '12.9', { dirs: dirs() })).major).toBe(13)
  })

  it('fails naming the server version, every client found, and the fix', async () => {
    const error = await chooseDumpClient(18, '18.1', { dirs: dirs() }).catch(describeForInputs)
    expect(error).toBeInstanceOf(ClientVersionError)
    expect(error.message).toContain('PostgreSQL 18.1')
    for (const v of ['13.22', '14.19', '15.14', '16.10', '17.6'])
      expect(error.message).toContain(`pg_dump ${v}`)
    expect(error.message).toContain('postgresql-client-18')
    expect(error.message).toContain('pg-bin-dir: /usr/lib/postgresql/18/bin')
  })

  it('chooses a client new enough for the options asked for (pg-dump-args, URL parameters)', async () => {
    const requires = pgDumpOptionRequirements(['--no-owner', '--exclude-extension=pg_graphql'])
    expect(requires).toEqual([
      { major: 17, because: '--exclude-extension exists in pg_dump 17 and newer' }
    ])
    expect((await chooseDumpClient(15, '15.3', { dirs: dirs(), requires })).major).toBe(17)
    const url = libpqRequirements(
      parseDatabaseUrl('postgresql://u:p@h/d?sslmode=require&require_auth=scram-sha-256')
    )
    expect((await chooseDumpClient(14, '14.1', { dirs: dirs(), requires: url })).major).toBe(16)
    const error = await chooseDumpClient(15, '15.3', {
      dirs: dirs(),
      requires: pgDumpOptionRequirements(['--no-statistics'])
    }).catch(describeForInputs)
    expect(error.message).toMatch(
      /--no-statistics exists in pg_dump 18 and newer, so pg_dump 18 or newer is needed \(the server runs PostgreSQL 15\.3, and pg_dump refuses servers newer than itself\); found pg_dump 13/
    )
    expect(error.message).toContain('postgresql-client-18')
    const pinned = await chooseDumpClient(15, '15.3', {
      dirs: dirs(),
      postgresVersion: 15,
      requires
    }).catch(describeForInputs)
    expect(pinned.message).toMatch(
      /^Input 'postgres-version': pg_dump 15 cannot be used: .*--exclude-extension/
    )
  })

  it('honours pg-bin-dir and names it when it is wrong', async () => {
    const chosen = await chooseDumpClient(14, '14.1', {
      pgBinDir: path.join(root, 'usr/pgsql-17/bin')
    })
    expect(chosen.major).toBe(17)
    const missing = await chooseDumpClient(14, '14.1', {
      pgBinDir: path.join(root, 'nowhere')
    }).catch(describeForInputs)
    expect(missing).toBeInstanceOf(InputError)
    expect(missing.message).toMatch(/^Input 'pg-bin-dir': .* has no working pg_dump/)
    const old = await chooseDumpClient(16, '16.1', {
      pgBinDir: path.join(root, 'usr/lib/postgresql/14/bin')
    }).catch(describeForInputs)
    expect(old.message).toMatch(/^Input 'pg-bin-dir': The server runs PostgreSQL 16.1/)
  })
})

describe('postgres-version', () => {
  let root: string
  const dirs = (): string[] => [14, 16, 17].map(m => path.join(root, `${m}/bin`))
  beforeAll(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'clients-pv-'))
    for (const [major, version] of [
      [14, '14.19'],
      [16, '16.10'],
      [17, '17.6']
    ]) {
      fakeClient(path.join(root, `${major}/bin`), 'pg_dump', `pg_dump (PostgreSQL) ${version}`)
    }
  })
  afterAll(() => rmSync(root, { recursive: true, force: true }))

  it('uses exactly the major asked for, even when a lower one would do', async () => {
    expect((await chooseDumpClient(14, '14.1', { dirs: dirs(), postgresVersion: 17 })).major).toBe(
      17
    )
    expect((await chooseDumpClient(14, '14.1', { dirs: dirs() })).major).toBe(14)
  })

  it('refuses a major older than the server, naming the input', async () => {
    const error = await chooseDumpClient(16, '16.4', {
      dirs: dirs(),
      postgresVersion: 14
    }).catch(describeForInputs)
    expect(error).toBeInstanceOf(InputError)
    expect(error.message).toMatch(/^Input 'postgres-version': pg_dump 14 cannot be used/)
    expect(error.message).toContain('PostgreSQL 16.4')
    expect(error.message).toContain('at least 16')
  })

  it('fails when that major is not installed and install-client is off', async () => {
    const error = await chooseDumpClient(14, '14.1', {
      dirs: dirs(),
      postgresVersion: 15
    }).catch(describeForInputs)
    expect(error).toBeInstanceOf(ClientVersionError)
    expect(error.message).toContain(
      "'postgres-version' asks for pg_dump 15, which is not installed"
    )
    expect(error.message).toContain('pg_dump 14.19')
    expect(error.message).toContain('postgresql-client-15')
    expect(error.message).toContain('install-client: true')
  })

  it('must agree with pg-bin-dir when both are set', async () => {
    const error = await chooseDumpClient(14, '14.1', {
      pgBinDir: path.join(root, '16/bin'),
      postgresVersion: 17
    }).catch(describeForInputs)
    expect(error).toBeInstanceOf(InputError)
    expect(error.message).toMatch(/^Input 'postgres-version': asks for pg_dump 17, but pg-bin-dir/)
    const same = await chooseDumpClient(14, '14.1', {
      pgBinDir: path.join(root, '16/bin'),
      postgresVersion: 16
    })
    expect(same.major).toBe(16)
  })
})

describe('installing a missing client (injected installer)', () => {
  let root: string
  const found = (): string[] => [path.join(root, 'usr/lib/postgresql/15/bin')]
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'clients-install-'))
    fakeClient(
      path.join(root, 'usr/lib/postgresql/15/bin'),
      'pg_dump',
      'pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)'
    )
  })
  afterEach(() => rmSync(root, { recursive: true, force: true }))

  /** Records its calls; installs a fake client of the major (or of `installs`) when `ok`. */
  function fakeInstaller(
    outcome: 'installed' | InstallResult,
    installs?: string
  ): ClientInstaller & { calls: number[] } {
    const calls: number[] = []
    const installer = async (major: number, log: (line: string) => void) => {
      calls.push(major)
      log(`installing ${major}`)
      if (outcome !== 'installed') return outcome
      const binDir = path.join(root, `usr/lib/postgresql/${major}/bin`)
      for (const program of ['pg_dump', 'pg_restore', 'psql']) {
        fakeClient(binDir, program, `${program} (PostgreSQL) ${installs ?? `${major}.2`}`)
      }
      return { status: 'installed' as const, binDir, steps: [] }
    }
    return Object.assign(installer, { calls })
  }

  it('never installs when an installed client suits', async () => {
    const installer = fakeInstaller('installed')
    const chosen = await chooseDumpClient(13, '13.23', {
      dirs: found(),
      installClient: true,
      installer
    })
    expect(chosen.major).toBe(15)
    expect(installer.calls).toEqual([])
  })

  it('never lets a major from a backup (manifest or archive header) choose what apt installs: only 13–18 (issue 14.8)', async () => {
    for (const archiveMajor of [19, 99, 1e6]) {
      const installer = fakeInstaller('installed')
      const error = await chooseRestoreClient('pg_restore', archiveMajor, 15, {
        dirs: found(),
        installClient: true,
        installer
      }).catch((e: Error) => e)
      expect(error).toBeInstanceOf(ClientVersionError)
      expect((error as Error).message).toMatch(
        new RegExp(
          `install-client installs only the clients of PostgreSQL 13–18.*not postgresql-client-${archiveMajor}; nothing was installed`
        )
      )
      expect(installer.calls).toEqual([])
    }
  })

  it('pg_restore older than the archive is a setting every way it is refused (exit 2); a failed installation is a failure (exit 1)', async () => {
    const dir = path.join(root, 'usr/lib/postgresql/15/bin')
    fakeClient(dir, 'pg_restore', 'pg_restore (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)')
    const refused = async (options: Parameters<typeof chooseRestoreClient>[3]) => {
      const error = await chooseRestoreClient('pg_restore', 17, 15, options).catch(
        (e: unknown) => e as Error
      )
      expect(error).toBeInstanceOf(Error)
      return { code: exitCodeFor(error), message: (error as Error).message }
    }
    const why =
      'The archive was written by pg_dump 17, and pg_restore cannot read archives of a newer pg_dump'
    for (const options of [
      { pgBinDir: dir },
      { dirs: found(), postgresVersion: 15 },
      { dirs: found() },
      { dirs: found(), installClient: false, installer: fakeInstaller('installed') }
    ]) {
      const { code, message } = await refused(options)
      expect({ code, options }).toEqual({ code: 2, options })
      if (options.postgresVersion === undefined) expect(message).toContain(why)
    }
    // a backup's major install-client does not install: the setting (pg-bin-dir) is the fix
    const unsupported = await chooseRestoreClient('pg_restore', 19, 15, {
      dirs: found(),
      installClient: true,
      installer: fakeInstaller('installed')
    }).catch((e: unknown) => e)
    expect(exitCodeFor(unsupported)).toBe(2)
    const failed = await chooseRestoreClient('pg_restore', 17, 15, {
      dirs: found(),
      installClient: true,
      installer: fakeInstaller({
        status: 'failed',
        reason: 'apt-get update failed',
        output: ['E: no network'],
        steps: []
      })
    }).catch((e: unknown) => e)
    expect(failed).toBeInstanceOf(ClientInstallError)
    expect(exitCodeFor(failed)).toBe(1)
  })

  it('never installs when install-client is off', async () => {
    const installer = fakeInstaller('installed')
    const error = await chooseDumpClient(17, '17.10', { dirs: found(), installer }).catch(
      describeForInputs
    )
    expect(error).toBeInstanceOf(ClientVersionError)
    expect(error).not.toBeInstanceOf(ClientInstallError)
    expect(installer.calls).toEqual([])
  })

  it("installs the server's major and uses it, logging through the caller", async () => {
    const installer = fakeInstaller('installed')
    const log: string[] = []
    const chosen = await chooseDumpClient(17, '17.10', {
      dirs: found(),
      installClient: true,
      installer,
      log: line => log.push(line)
    })
    expect(installer.calls).toEqual([17])
    expect(chosen).toMatchObject({ major: 17, version: '17.2' })
    expect(chosen.binDir).toBe(path.join(root, 'usr/lib/postgresql/17/bin'))
    expect(log[0]).toMatch(
      /^No suitable pg_dump is installed \(found pg_dump 15.18 .*\); installing postgresql-client-17/
    )
    expect(log).toContain('installing 17')
    expect(log[log.length - 1]).toMatch(
      /^Installed postgresql-client-17: .*pg_dump: pg_dump \(PostgreSQL\) 17.2$/
    )
  })

  it('installs the major postgres-version asks for', async () => {
    const installer = fakeInstaller('installed')
    const chosen = await chooseDumpClient(14, '14.2', {
      dirs: found(),
      postgresVersion: 18,
      installClient: true,
      installer
    })
    expect(installer.calls).toEqual([18])
    expect(chosen.major).toBe(18)
  })

  it('says why nothing could be installed on this machine', async () => {
    const installer = fakeInstaller({
      status: 'unavailable',
      reason: 'the action installs clients with apt-get on Linux only, and this runner is darwin'
    })
    const error = await chooseDumpClient(18, '18.4', {
      dirs: found(),
      installClient: true,
      installer
    }).catch(describeForInputs)
    expect(error).toBeInstanceOf(ClientVersionError)
    expect(error).not.toBeInstanceOf(ClientInstallError)
    expect(error.message).toContain('PostgreSQL 18.4')
    expect(error.message).toContain('pg_dump 15.18')
    expect(error.message).toContain('install-client is on, but nothing could be installed')
    expect(error.message).toContain('this runner is darwin')
    expect(error.message).toContain('sudo apt-get install -y postgresql-client-18')
  })

  it('reports a failed installation with its steps, apt output and the manual fix', async () => {
    const attempt: InstallResult = {
      status: 'failed',
      reason:
        "'apt-get install -y postgresql-client-18' exited with code 100 (apt has no postgresql-client-18)",
      steps: [
        {
          description: 'add the PostgreSQL apt repository (apt.postgresql.org)',
          command: '/usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y',
          exitCode: 0,
          timedOut: false,
          seconds: 7.5
        },
        {
          description: 'install postgresql-client-18',
          command: 'apt-get install -y postgresql-client-18',
          exitCode: 100,
          timedOut: false,
          seconds: 0.6
        }
      ],
      output: ['E: Unable to locate package postgresql-client-18']
    }
    const error = await chooseDumpClient(18, '18.4', {
      dirs: found(),
      installClient: true,
      installer: fakeInstaller(attempt)
    }).catch(describeForInputs)
    expect(error).toBeInstanceOf(ClientInstallError)
    expect(error).toBeInstanceOf(ClientVersionError)
    expect(error.attempt).toBe(attempt)
    const message: string = error.message
    expect(message).toContain('The server runs PostgreSQL 18.4')
    expect(message).toContain(`pg_dump 15.18 (${found()[0]})`)
    expect(message).toContain('tried to install postgresql-client-18, and that failed')
    expect(message).toContain('apt has no postgresql-client-18')
    expect(message).toContain(
      "1. add the PostgreSQL apt repository (apt.postgresql.org): '/usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y' → exit code 0 (7.5 s)"
    )
    expect(message).toContain('→ exit code 100 (0.6 s)')
    expect(message).toContain(
      "apt's output ended with:\n  E: Unable to locate package postgresql-client-18"
    )
    expect(message).toContain('pg-bin-dir: /usr/lib/postgresql/18/bin')
  })

  it('fails when the installed package does not hold a suitable client', async () => {
    const error = await chooseDumpClient(18, '18.4', {
      dirs: found(),
      installClient: true,
      installer: fakeInstaller('installed', '16.1')
    }).catch(describeForInputs)
    expect(error).toBeInstanceOf(ClientInstallError)
    expect(error.message).toContain('postgresql-client-18 was installed, but')
    expect(error.message).toContain('holds pg_dump 16.1')
  })
})

describe('chooseRestoreClient', () => {
  let root: string
  const dirs = (): string[] => [13, 15, 17].map(m => path.join(root, `${m}/bin`))
  beforeAll(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'clients-restore-'))
    for (const major of [13, 15, 17]) {
      for (const program of ['pg_restore', 'psql']) {
        fakeClient(path.join(root, `${major}/bin`), program, `${program} (PostgreSQL) ${major}.5`)
      }
    }
  })
  afterAll(() => rmSync(root, { recursive: true, force: true }))

  it('picks the lowest client at least as new as the pg_dump that wrote the archive', async () => {
    expect((await chooseRestoreClient('pg_restore', 15, 18, { dirs: dirs() })).major).toBe(15)
    expect((await chooseRestoreClient('pg_restore', 14, 13, { dirs: dirs() })).major).toBe(15)
    expect((await chooseRestoreClient('psql', 12, 18, { dirs: dirs() })).major).toBe(13)
  })

  it('fails for an archive newer than every client, naming the program', async () => {
    const error = await chooseRestoreClient('pg_restore', 18, 16, { dirs: dirs() }).catch(
      describeForInputs
    )
    expect(error).toBeInstanceOf(ClientVersionError)
    expect(error.message).toContain('The archive was written by pg_dump 18')
    expect(error.message).toContain('pg_restore 13.5')
    expect(error.message).toContain('pg_restore 17.5')
    expect(error.message).toContain('postgresql-client-18')
  })

  it("names one oldest major for an archive an older pg_restore reads, and the dump's as best", async () => {
    // pg_dump 18's format 1.16: pg_restore 17 reads it; only 13 and 15 here (the 17 hidden)
    const error = await chooseRestoreClient(
      'pg_restore',
      18,
      15,
      { dirs: dirs().slice(0, 2) },
      { version: '1.16.0', minMajor: 17 }
    ).catch((e: Error) => e)
    expect(error).toBeInstanceOf(ClientVersionError)
    expect((error as Error).message).toContain(
      'The archive was written by pg_dump 18 in archive format 1.16.0, which pg_restore 17 and newer read; found'
    )
    expect((error as Error).message).toContain(
      'Install a client of major 17 or newer (18 is best: as new as the dump) and point the action at it'
    )
  })

  it('installs the newer of the archive and server majors', async () => {
    const calls: number[] = []
    const installer: ClientInstaller = async major => {
      calls.push(major)
      return { status: 'unavailable', reason: 'test' }
    }
    await chooseRestoreClient('psql', 18, 19, {
      dirs: dirs(),
      installClient: true,
      installer,
      log: () => undefined
    }).catch(() => undefined)
    expect(calls).toEqual([19])
  })

  describe('psql for a script of a newer pg_dump: used as by hand, with a warning', () => {
    const failing =
      (calls: number[]): ClientInstaller =>
      async major => {
        calls.push(major)
        return {
          status: 'failed',
          reason: `'apt-get install -y postgresql-client-${major}' exited with code 100 (apt has no postgresql-client-${major}: the PostgreSQL apt repository apt.postgresql.org could not be reached)`,
          steps: [],
          output: []
        }
      }

    it('no psql as new as the dump: the newest installed one, and a warning naming both', async () => {
      const warned: string[] = []
      const chosen = await chooseRestoreClient('psql', 18, 0, {
        dirs: dirs(),
        warn: m => warned.push(m)
      })
      expect(chosen.major).toBe(17)
      expect(warned).toEqual([chosen.warning])
      expect(chosen.warning).toMatch(
        /^The dump was written by pg_dump 18; restoring it with the older psql 17\.5 \(.*\/17\/bin\), as psql by hand would/
      )
      expect(chosen.warning).toContain('install postgresql-client-18 (or set install-client: true)')
    })

    it('pg-bin-dir or postgres-version naming an older psql: used, with the warning', async () => {
      const warn = () => undefined
      const byDir = await chooseRestoreClient('psql', 18, 0, {
        pgBinDir: path.join(root, '13/bin'),
        warn
      })
      expect(byDir.major).toBe(13)
      expect(byDir.warning).toMatch(/older psql 13\.5/)
      const byVersion = await chooseRestoreClient('psql', 18, 0, {
        dirs: dirs(),
        postgresVersion: 15,
        warn
      })
      expect(byVersion.major).toBe(15)
      expect(byVersion.warning).toMatch(/older psql 15\.5/)
      // one as new as the dump: no warning
      expect((await chooseRestoreClient('psql', 17, 0, { dirs: dirs(), warn })).warning).toBe(
        undefined
      )
    })

    it('a newer client a connection parameter needs stays required', async () => {
      const error = await chooseRestoreClient('psql', 18, 0, {
        dirs: dirs(),
        warn: () => undefined,
        requires: [{ major: 18, because: 'sslnegotiation=direct needs libpq 17' }]
      }).catch((e: Error) => e)
      expect(error).toBeInstanceOf(ClientVersionError)
    })

    it('install-client on and the install fails: the installed psql, with a warning saying why', async () => {
      const calls: number[] = []
      const chosen = await chooseRestoreClient('psql', 18, 0, {
        dirs: dirs(),
        installClient: true,
        installer: failing(calls),
        log: () => undefined,
        warn: () => undefined
      })
      expect(calls).toEqual([18])
      expect(chosen.major).toBe(17)
      expect(chosen.warning).toMatch(
        /^install-client could not install postgresql-client-18 \('apt-get install -y postgresql-client-18' exited with code 100 \(apt has no postgresql-client-18: the PostgreSQL apt repository apt\.postgresql\.org could not be reached\)\); restoring with the installed psql 17\.5 \(.*\) instead\. The dump was written by pg_dump 18; restoring it with the older psql 17\.5/
      )
    })

    it('an archive: the installed pg_restore only when it reads the archive', async () => {
      const calls: number[] = []
      // postgres-version 18 asked, not installed: pg_restore 17 reads a pg_dump 17 archive
      const chosen = await chooseRestoreClient('pg_restore', 17, 0, {
        dirs: dirs(),
        postgresVersion: 18,
        installClient: true,
        installer: failing(calls),
        log: () => undefined,
        warn: () => undefined
      })
      expect(calls).toEqual([18])
      expect(chosen.major).toBe(17)
      expect(chosen.warning).toMatch(
        /^install-client could not install postgresql-client-18 .*; restoring with the installed pg_restore 17\.5 \(.*\) instead, which reads the archive's format \(pg_restore 17 and newer do\)\.$/
      )
      // an archive of pg_dump 18: no installed pg_restore reads it, the install's error stands
      const error = await chooseRestoreClient('pg_restore', 18, 0, {
        dirs: dirs(),
        installClient: true,
        installer: failing(calls),
        log: () => undefined
      }).catch((e: Error) => e)
      expect(error).toBeInstanceOf(ClientInstallError)
      expect((error as Error).message).toContain(
        'The archive was written by pg_dump 18, and pg_restore cannot read archives of a newer pg_dump'
      )
    })
  })

  it('honours postgres-version and refuses one older than the archive', async () => {
    expect(
      (await chooseRestoreClient('pg_restore', 13, 13, { dirs: dirs(), postgresVersion: 17 })).major
    ).toBe(17)
    const error = await chooseRestoreClient('pg_restore', 15, 15, {
      dirs: dirs(),
      postgresVersion: 13
    }).catch(describeForInputs)
    expect(error).toBeInstanceOf(InputError)
    expect(error.message).toContain('pg_restore cannot read archives of a newer pg_dump')
  })
})

describe('aptInstaller', () => {
  it('runs nothing where apt-get cannot be used', async () => {
    const result = await aptInstaller({ platform: 'darwin' })(17, () => undefined)
    expect(result).toEqual({
      status: 'unavailable',
      reason: 'the action installs clients with apt-get on Linux only, and this runner is darwin'
    })
  })

  describe('against fake apt tools', () => {
    // The fakes write only under `root` (hard-coded into them) and are found through the env
    // handed to the installer: nothing here may reach the real apt or /etc/apt.
    let root: string
    let fakeBin: string
    const sources = (): string => path.join(root, 'etc/apt/sources.list.d/pgdg.sources')
    const calls = (): string[] =>
      existsSync(path.join(root, 'calls'))
        ? readFileSync(path.join(root, 'calls'), 'utf8').trim().split('\n')
        : []

    beforeEach(() => {
      root = mkdtempSync(path.join(os.tmpdir(), 'fake-apt-'))
      fakeBin = path.join(root, 'bin')
      mkdirSync(path.join(root, 'etc/apt/sources.list.d'), { recursive: true })
      writeFileSync(
        path.join(root, 'etc/apt/sources.list.d/debian.sources'),
        'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\n'
      )
      script(
        path.join(root, 'usr/share/postgresql-common/pgdg'),
        'apt.postgresql.org.sh',
        `echo "script $*" >> "${root}/calls"
printf 'Types: deb\\nURIs: https://apt.postgresql.org/pub/repos/apt\\n' > "${root}/etc/apt/sources.list.d/pgdg.sources"
echo "Running apt-get update ..."
echo "W: Failed to fetch https://apt.postgresql.org/pub/repos/apt/dists/bookworm-pgdg/InRelease  Could not resolve 'apt.postgresql.org'"
echo "W: Some index files failed to download. They have been ignored, or old ones used instead."`
      )
      script(
        fakeBin,
        'apt-cache',
        `echo "apt-cache $*" >> "${root}/calls"; echo "$2:"; echo "  Installed: (none)"; echo "  Candidate: (none)"`
      )
      aptGet('echo "no behaviour set" >&2; exit 99') // each test sets its own
    })
    afterEach(() => rmSync(root, { recursive: true, force: true }))

    function script(dir: string, name: string, body: string): void {
      mkdirSync(dir, { recursive: true })
      writeFileSync(path.join(dir, name), `#!/bin/sh\n${body}\n`)
      chmodSync(path.join(dir, name), 0o755)
    }
    function aptGet(install: string): void {
      script(
        fakeBin,
        'apt-get',
        `echo "apt-get $*" >> "${root}/calls"
case "$*" in
  *install*) ${install} ;;
  *update*) echo "Reading package lists..." ;;
esac`
      )
    }
    const installer = (options = {}) =>
      aptInstaller({
        root,
        rootCommand: [],
        platform: 'linux',
        // the fakes only: /usr/bin for sh, timeout and friends, which touch no apt state
        env: { PATH: `${fakeBin}${path.delimiter}/usr/bin${path.delimiter}/bin` },
        ...options
      })

    it('adds the repository, installs, and finds the programs', async () => {
      aptGet(
        `d="${root}/usr/lib/postgresql/17/bin"; mkdir -p "$d"; printf '#!/bin/sh\\necho "pg_dump (PostgreSQL) 17.6"\\n' > "$d/pg_dump"; chmod +x "$d/pg_dump"; echo "Setting up postgresql-client-17 ..."`
      )
      const log: string[] = []
      const result = await installer()(17, line => log.push(line))
      expect(result).toMatchObject({
        status: 'installed',
        binDir: path.join(root, 'usr/lib/postgresql/17/bin')
      })
      expect(calls()).toEqual([
        'script -y',
        'apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=60 postgresql-client-17'
      ])
      expect(log).toContain('  Setting up postgresql-client-17 ...')
      expect(existsSync(sources())).toBe(true) // kept: it works
    })

    it("fails with apt's words and removes the repository it added", async () => {
      aptGet('echo "E: Unable to locate package postgresql-client-18" >&2; exit 100')
      const result = await installer()(18, () => undefined)
      expect(result.status).toBe('failed')
      if (result.status !== 'failed') return
      expect(result.reason).toBe(
        "'apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=60 postgresql-client-18' exited with code 100 (apt has no postgresql-client-18: the PostgreSQL apt repository apt.postgresql.org could not be reached)"
      )
      expect(result.output).toEqual([
        "W: Failed to fetch https://apt.postgresql.org/pub/repos/apt/dists/bookworm-pgdg/InRelease  Could not resolve 'apt.postgresql.org'",
        'W: Some index files failed to download. They have been ignored, or old ones used instead.',
        'E: Unable to locate package postgresql-client-18'
      ])
      expect(result.steps.map(s => [s.description, s.exitCode])).toEqual([
        ['add the PostgreSQL apt repository (apt.postgresql.org)', 0],
        ['install postgresql-client-18', 100],
        ['remove the repository this attempt added', 0]
      ])
      expect(existsSync(sources())).toBe(false)
    })

    it('with the repository configured already: updates only when apt has no candidate', async () => {
      writeFileSync(
        path.join(root, 'etc/apt/sources.list.d/pgdg.list'),
        'deb [signed-by=/x.asc] https://apt.postgresql.org/pub/repos/apt noble-pgdg main\n'
      )
      aptGet('echo "E: Unable to locate package postgresql-client-16" >&2; exit 100')
      const result = await installer()(16, () => undefined)
      expect(result.status).toBe('failed')
      expect(calls()).toEqual([
        'apt-cache policy postgresql-client-16',
        'apt-get update',
        'apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=60 postgresql-client-16'
      ])
      // not ours: left alone
      expect(existsSync(path.join(root, 'etc/apt/sources.list.d/pgdg.list'))).toBe(true)
    })

    it('gives up on a step that outlives its time limit', async () => {
      aptGet('exec sleep 30')
      const started = Date.now()
      const result = await installer({ installTimeoutSeconds: 1 })(17, () => undefined)
      expect(Date.now() - started).toBeLessThan(10_000)
      expect(result.status).toBe('failed')
      if (result.status !== 'failed') return
      expect(result.reason).toMatch(/postgresql-client-17' did not finish within its time limit/)
      expect(result.steps[1]).toMatchObject({ exitCode: null, timedOut: true })
    })
  })
})

describe('hasPgdgSource', () => {
  let root: string
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'apt-sources-'))
    mkdirSync(path.join(root, 'etc/apt/sources.list.d'), { recursive: true })
  })
  afterEach(() => rmSync(root, { recursive: true, force: true }))
  const write = (name: string, text: string): void =>
    writeFileSync(path.join(root, 'etc/apt', name), text)

  it.each([
    ['sources.list', 'deb http://apt.postgresql.org/pub/repos/apt jammy-pgdg main\n', true],
    [
      'sources.list.d/pgdg.list',
      '# deb http://apt.postgresql.org/pub/repos/apt jammy-pgdg main\n',
      false
    ],
    [
      'sources.list.d/pgdg.sources',
      'Types: deb\nURIs: https://apt.postgresql.org/pub/repos/apt\nSuites: noble-pgdg\n',
      true
    ],
    [
      'sources.list.d/pgdg.sources',
      'Types: deb\nURIs: https://apt.postgresql.org/pub/repos/apt\nEnabled: no\n',
      false
    ],
    [
      'sources.list.d/pgdg.list.save',
      'deb http://apt.postgresql.org/pub/repos/apt x main\n',
      false
    ],
    [
      'sources.list.d/archive.list',
      'deb https://apt-archive.postgresql.org/pub/repos/apt x main\n',
      true
    ]
  ])('%s: %j → %s', (name, text, expected) => {
    write(name, text)
    expect(hasPgdgSource(root)).toBe(expected)
  })
})

describe('aptReason', () => {
  it.each([
    [['E: Unable to locate package postgresql-client-19'], 'apt has no postgresql-client-19'],
    [
      ["E: Package 'postgresql-client-19' has no installation candidate"],
      'apt has no postgresql-client-19'
    ],
    [
      [
        'Err:1 https://apt.postgresql.org/pub/repos/apt noble-pgdg InRelease',
        '  Could not connect to apt.postgresql.org:443 (1.2.3.4), connection timed out'
      ],
      'the PostgreSQL apt repository apt.postgresql.org could not be reached'
    ],
    [
      ['E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 1234 (apt-get)'],
      'another apt or dpkg process holds its lock'
    ],
    [['something else'], '']
  ])('%j', (lines, expected) => expect(aptReason(lines, 'postgresql-client-19')).toBe(expected))
})
