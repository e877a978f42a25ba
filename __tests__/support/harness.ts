/**
 * One harness for the integration suites: what each of them set up by hand. useHarness()
 * registers a beforeAll that starts a PostgreSQL server, the loopback artifact backend (and
 * loads the engine against it, see engine.ts), an S3 server when asked, and makes a work
 * directory; an afterEach that fails when a program the action runs (pg_dump, pg_restore, psql,
 * tar, zstd…) started during the test is still alive; and an afterAll that stops them, removes
 * the directory and gives process.env back.
 * The modes are run as the front doors run them, with the real artifact client and the
 * suite's temporary root.
 */
import { afterAll, afterEach, beforeAll } from '@jest/globals'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { BackupDependencies, BackupResult } from '../../src/modes/backup.js'
import type { RestoreDependencies, RestoreResult } from '../../src/modes/restore.js'
import type { VerifyDependencies, VerifyResult } from '../../src/modes/verify.js'
import type { BackupOptions, RestoreOptions } from '../../src/types.js'
import {
  type ArtifactBackend,
  type StartArtifactBackendOptions,
  startArtifactBackend
} from '../../dev/artifact-backend.js'
import { type Engine, loadEngine } from './engine.js'
import { type TestServer, startPostgres } from '../../dev/postgres.js'
import { type S3TestServer, startS3Server } from './s3-server.js'
import { leftoverChildren } from './children.js'

export interface HarnessOptions {
  /** Names the work directory (under the system's temporary directory). */
  name: string
  /** A PostgreSQL server of the system's own version; default true. */
  postgres?: boolean
  /** The loopback artifact backend, with these options; default on. */
  backend?: StartArtifactBackendOptions | false
  /** An S3 server (s3rver) with these buckets. */
  s3Buckets?: string[]
}

export interface Harness {
  server: TestServer
  backend: ArtifactBackend
  s3: S3TestServer
  engine: Engine
  /** The suite's own directory, removed after it. */
  work: string
  /** `work`/temp: the engine's temporary root (RUNNER_TEMP). */
  tempRoot: string
  /** backup() as the action runs it, with the real artifact client and `tempRoot`. */
  backup(inputs: BackupOptions, deps?: BackupDependencies): Promise<BackupResult>
  restore(inputs: RestoreOptions, deps?: RestoreDependencies): Promise<RestoreResult>
  verify(inputs: RestoreOptions, deps?: VerifyDependencies): Promise<VerifyResult>
}

export function useHarness(options: HarnessOptions): Harness {
  const savedEnv = { ...process.env }
  const harness = {} as Harness
  beforeAll(async () => {
    // not the event of a CI run the tests may run in (a public repository refuses plain backups)
    delete process.env.GITHUB_EVENT_PATH
    const [server, backend, s3] = await Promise.all([
      options.postgres === false ? undefined : startPostgres(),
      options.backend === false ? undefined : startArtifactBackend(options.backend),
      options.s3Buckets ? startS3Server(options.s3Buckets) : undefined
    ])
    Object.assign(harness, { server, backend, s3 })
    if (backend) harness.engine = await loadEngine(backend)
    harness.work = mkdtempSync(path.join(os.tmpdir(), `${options.name}-`))
    harness.tempRoot = path.join(harness.work, 'temp')
    mkdirSync(harness.tempRoot)
    const deps = (): { artifact: InstanceType<Engine['artifact']['DefaultArtifactClient']> } & {
      tempRoot: string
    } => ({
      artifact: new harness.engine.artifact.DefaultArtifactClient(),
      tempRoot: harness.tempRoot
    })
    const connection = (url: string) => harness.engine.connections.parseDatabaseUrl(url)
    harness.backup = (inputs, more) =>
      harness.engine.backupEngine.backup(inputs, connection(inputs.databaseUrl), {
        ...deps(),
        ...more
      })
    harness.restore = (inputs, more) =>
      harness.engine.restoreEngine.restore(inputs, connection(inputs.databaseUrl), {
        ...deps(),
        ...more
      })
    harness.verify = (inputs, more) =>
      harness.engine.verifyEngine.verify(inputs, connection(inputs.databaseUrl), {
        ...deps(),
        ...more
      })
  }, 60_000)
  // no child the test's action run started outlives the test (checked by a /proc scan)
  // (an Error, not expect(): an assertion in a hook would count for the test's hasAssertions)
  afterEach(async () => {
    const left = await leftoverChildren()
    if (left.length > 0) {
      throw new Error(
        `the test left ${left.length} child process(es) running (now killed): ${left.map(c => `${c.pid} ${c.command}`).join('; ')}`
      )
    }
  }, 15_000)
  afterAll(async () => {
    process.env = savedEnv
    await Promise.all([harness.server?.stop(), harness.backend?.close(), harness.s3?.close()])
    if (harness.work) rmSync(harness.work, { recursive: true, force: true })
  })
  return harness
}
