/**
 * A plain SQL script written by a newer pg_dump (the real 17 and 18 clients:
 * support/clients.ts) restored where only an older psql is installed (the machine's own 15), as
 * `psql -f` by hand restores it: with pg-bin-dir, postgres-version or automatically, the older
 * psql is used with a warning; with install-client on and an install that fails (simulated as
 * the install tests do: an injected installer), the installed psql is used with a warning too.
 * An archive of a newer pg_dump stays refused: pg_restore really cannot read it.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import path from 'node:path'
import { runTool, seedSample, tableChecksums } from '../../dev/fixtures.js'
import type { TestServer } from '../../dev/postgres.js'
import {
  type ClientInstaller,
  type InstallResult,
  clientPackage
} from '../../src/postgres/install.js'
import { ClientInstallError } from '../../src/postgres/clients.js'
import type { RestoreOptions } from '../../src/types.js'
import { debianClients, provisionedClient } from '../support/clients.js'
import { useHarness } from '../support/harness.js'
import { testRestoreInputs } from '../support/inputs.js'

const harness = useHarness({ name: 'older-psql' })
let server: TestServer
let source: string
let serverMajor: number
let sourceChecksums: Awaited<ReturnType<typeof tableChecksums>>

beforeAll(async () => {
  server = harness.server
  source = await server.createDatabase('older_psql_src')
  await seedSample(server, source)
  sourceChecksums = await tableChecksums(server, source)
  serverMajor = Number(/(\d+)\/bin$/.exec(server.binDir)?.[1] ?? 0)
  // the action finds no provisioned (newer) client: only the machine's own
  process.env.PATH = (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter(d => !d.includes('pg-clients'))
    .join(path.delimiter)
}, 60_000)

/** An installer that fails as apt does without apt.postgresql.org (it records its calls). */
function unreachable(): ClientInstaller & { calls: number[] } {
  const calls: number[] = []
  const installer = async (major: number): Promise<InstallResult> => {
    calls.push(major)
    return {
      status: 'failed',
      reason: `'apt-get install -y --no-install-recommends postgresql-client-${major}' exited with code 100 (apt has no ${clientPackage(major)}: the PostgreSQL apt repository apt.postgresql.org could not be reached)`,
      steps: [],
      output: []
    }
  }
  return Object.assign(installer, { calls })
}

function clientOf(major: number) {
  const client = provisionedClient(major)
  if ('missing' in client) throw new Error(client.missing)
  return client
}

async function dumpWith(major: number, format: '-Fp' | '-Fc'): Promise<string> {
  const file = path.join(harness.work, `by-${major}${format === '-Fp' ? '.sql' : '.dump'}`)
  await runTool(path.join(clientOf(major).binDir, 'pg_dump'), [format, '-f', file], {
    ...server.env(source)
  })
  return file
}

function restore(
  target: string,
  file: string,
  overrides: Partial<RestoreOptions> = {},
  installer?: ClientInstaller
) {
  return harness.restore(
    testRestoreInputs(server.url(target), { kind: 'file', path: file }, overrides),
    { installer }
  )
}

/** Whether the machine's own clients are all older than `major` (the case this file is about). */
const onlyOlder = (major: number) => debianClients().every(c => c.major < major)

describe.each([17, 18])('a plain script of pg_dump %i', major => {
  let file: string
  beforeAll(async () => {
    file = await dumpWith(major, '-Fp')
  }, 60_000)

  it('pg-bin-dir with an older psql: restored with it, as psql -f by hand, and a warning', async () => {
    const target = await server.createDatabase()
    const result = await restore(target, file, { pgBinDir: server.binDir })
    expect(await tableChecksums(server, target)).toEqual(sourceChecksums)
    expect(result.clientVersion).toMatch(new RegExp(`^${serverMajor}\\.`))
    expect(result.warnings).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^The dump was written by pg_dump ${major}; restoring it with the older psql ${serverMajor}\\.\\d+ \\(${server.binDir}\\), as psql by hand would`
        )
      )
    )
    await server.dropDatabase(target)
  })

  it('postgres-version naming the older psql: restored with it', async () => {
    const target = await server.createDatabase()
    const result = await restore(target, file, { postgresVersion: serverMajor })
    expect(await tableChecksums(server, target)).toEqual(sourceChecksums)
    expect(result.warnings).toContainEqual(
      expect.stringContaining(
        `The dump was written by pg_dump ${major}; restoring it with the older psql`
      )
    )
    await server.dropDatabase(target)
  })

  it('automatically (install-client off): the newest installed psql, with the warning', async () => {
    if (!onlyOlder(major)) {
      expect(debianClients().some(c => c.major >= major)).toBe(true)
      return
    }
    const target = await server.createDatabase()
    const result = await restore(target, file)
    expect(await tableChecksums(server, target)).toEqual(sourceChecksums)
    expect(result.warnings).toContainEqual(
      expect.stringContaining(
        `The dump was written by pg_dump ${major}; restoring it with the older psql`
      )
    )
    await server.dropDatabase(target)
  })

  it('install-client on, the install fails: the installed psql restores it, with a warning saying why', async () => {
    if (!onlyOlder(major)) {
      // a psql as new as the dump is installed here: nothing to fall back from
      expect(debianClients().some(c => c.major >= major)).toBe(true)
      return
    }
    const target = await server.createDatabase()
    const installer = unreachable()
    const result = await restore(target, file, { installClient: true }, installer)
    expect(installer.calls).toEqual([major])
    expect(await tableChecksums(server, target)).toEqual(sourceChecksums)
    expect(result.warnings).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^install-client could not install postgresql-client-${major} \\(.*apt\\.postgresql\\.org could not be reached\\)\\); restoring with the installed psql \\d+\\.\\d+ \\(.*\\) instead\\.`
        )
      )
    )
    await server.dropDatabase(target)
  })
})

it('a custom archive of pg_dump 18 with install-client on and the install failing: still refused (pg_restore cannot read it); the target stays empty', async () => {
  const file = await dumpWith(18, '-Fc')
  const target = await server.createDatabase()
  const installer = unreachable()
  const error = await restore(target, file, { installClient: true }, installer).then(
    () => undefined,
    (e: unknown) => e as Error
  )
  if (onlyOlder(18)) {
    expect(error).toBeInstanceOf(ClientInstallError)
    expect(error?.message).toContain(
      'The archive was written by pg_dump 18 in archive format 1.16, which pg_restore 17 and newer read'
    )
    expect(error?.message).toContain('tried to install postgresql-client-18, and that failed')
    expect(installer.calls).toEqual([18])
  } else {
    expect(error).toBeUndefined()
  }
  expect(await tableChecksums(server, target)).toEqual(onlyOlder(18) ? {} : sourceChecksums)
  await server.dropDatabase(target)
})
