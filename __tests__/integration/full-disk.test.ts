/**
 * A full disk under RUNNER_TEMP (an 8 MiB tmpfs), with the action run from its sources as the
 * runner runs it (a process of its own: src/index.ts, INPUT_* variables, summary file): a restore
 * whose backup does not fit where it is unpacked, and a backup whose zip does not fit where it is
 * written, fail through the normal path — an error annotation naming the directory and what to
 * do, the job summary, exit code 1, no uncaught exception — the target keeps what it had, and
 * nothing of the backup is left in RUNNER_TEMP (issue 14.7).
 */
import { afterAll, beforeAll, describe, expect } from '@jest/globals'
import archiver from 'archiver'
import { spawnSync } from 'node:child_process'
import { createWriteStream, mkdirSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { finished } from 'node:stream/promises'
import type { ArtifactBackend } from '../../dev/artifact-backend.js'
import { tableChecksums } from '../../dev/fixtures.js'
import type { TestServer } from '../../dev/postgres.js'
import { useHarness } from '../support/harness.js'
import { type ActionProcess, startActionProcess } from '../support/step.js'
import { testBackupInputs } from '../support/inputs.js'
import { itWhen, tmpfsMissing } from '../support/preconditions.js'

/** Rows of four md5s: the backup is ~16 MB compressed, ~40 MB as a script. */
const ROWS = 250_000
const DISK = '8m'

const noMount = tmpfsMissing()
const itMounted = itWhen(noMount)

const harness = useHarness({ name: 'full-disk-test' })
let server: TestServer
let backend: ArtifactBackend
let source: string
let mountPoint: string | undefined
/** The backup as a local file (.dump.zst): a parallel restore decompresses it into RUNNER_TEMP. */
let localDump: string
/** A zip of the plain script (deflated: unpacked into RUNNER_TEMP to be read). */
let deflatedZip: string

beforeAll(async () => {
  ;({ server, backend } = harness)
  source = await server.createDatabase('shop')
  await server.query(
    source,
    `CREATE TABLE public.orders (id integer PRIMARY KEY, note text NOT NULL);
     INSERT INTO public.orders
       SELECT i, md5(i || 'a') || md5(i || 'b') || md5(i || 'c') || md5(i || 'd')
       FROM generate_series(1, ${ROWS}) i;`
  )
  if (noMount) return
  // the backup this run's restores ask for (a ~16 MB artifact)
  await harness.backup(testBackupInputs(server.url(source), { artifactName: 'too-big' }))
  localDump = (
    await harness.backup(testBackupInputs(server.url(source)), {
      outputDirectory: path.join(harness.work, 'backups')
    })
  ).localPath!
  // a user's zip of the plain script, deflated as zip tools do
  const plain = path.join(harness.work, 'shop.sql')
  const dump = spawnSync(path.join(server.binDir, 'pg_dump'), ['--no-owner', '-f', plain], {
    env: { ...process.env, ...server.env(source) }
  })
  if (dump.status !== 0) throw new Error(`pg_dump: ${String(dump.stderr)}`)
  deflatedZip = path.join(harness.work, 'shop.zip')
  const zip = archiver('zip', { zlib: { level: 1 } })
  const out = createWriteStream(deflatedZip)
  zip.pipe(out)
  zip.file(plain, { name: 'shop.sql' })
  await zip.finalize()
  await finished(out)
}, 300_000)

/** A target with contents of its own, and their checksums. */
async function targetWithContents(): Promise<{ target: string; before: unknown }> {
  const target = await server.createDatabase()
  await server.query(
    target,
    `CREATE TABLE public.keep (id integer PRIMARY KEY, what text);
     INSERT INTO public.keep SELECT i, 'kept ' || i FROM generate_series(1, 100) i;`
  )
  return { target, before: await tableChecksums(server, target) }
}

/** The normal failure: exit 1, one error annotation, a summary, no stack trace. */
async function expectNormalFailure(
  step: ActionProcess,
  error: RegExp,
  summary: RegExp
): Promise<string> {
  const code = await step.exited
  const out = step.stdout()
  console.log(
    out
      .split('\n')
      .filter(l => l.startsWith('::error'))
      .join('\n')
  )
  expect(code).toBe(1)
  expect(out).toMatch(error)
  expect(out.match(/^::error/gm)).toHaveLength(1)
  expect(out).not.toMatch(/Uncaught|uncaughtException|^\s+at .*\.(ts|js):\d+/m)
  expect(step.summary()).toMatch(summary)
  expect(readdirSync(mountPoint!)).toEqual([])
  return out
}

describe(`a full disk under RUNNER_TEMP (a ${DISK} tmpfs)`, () => {
  // inside the describe: unmounted before the harness removes its directory
  beforeAll(() => {
    if (noMount) return
    mountPoint = path.join(harness.work, 'small-disk')
    mkdirSync(mountPoint)
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${DISK}`, 'tmpfs', mountPoint])
    if (mounted.status !== 0) throw new Error(`mount failed: ${String(mounted.stderr)}`)
  })

  afterAll(() => {
    if (mountPoint) spawnSync('umount', [mountPoint])
  })

  itMounted(
    'restore of an artifact larger than the disk: refused before the download, named, target unchanged',
    async () => {
      const { target, before } = await targetWithContents()
      const step = startActionProcess(
        harness,
        {
          mode: 'restore',
          'database-url': server.url(target),
          'artifact-name': 'too-big',
          'run-id': 'current',
          'allow-non-empty': 'true'
        },
        { RUNNER_TEMP: mountPoint }
      )
      await expectNormalFailure(
        step,
        /^::error::.*artifact \d+ is [\d.]+ MB, more than the [\d.]+ (MB|KB) free in .*small-disk.*RUNNER_TEMP/m,
        /❌ Database restore failed/
      )
      expect(await tableChecksums(server, target)).toEqual(before)
    },
    120_000
  )

  itMounted(
    'restore of a deflated zip whose script does not fit: refused before unpacking, target unchanged',
    async () => {
      const { target, before } = await targetWithContents()
      const step = startActionProcess(
        harness,
        {
          mode: 'restore',
          'database-url': server.url(target),
          'backup-file': deflatedZip,
          'allow-non-empty': 'true'
        },
        { RUNNER_TEMP: mountPoint }
      )
      await expectNormalFailure(
        step,
        /^::error::.*the zip would unpack to \d+ bytes, more than the \d+ bytes free in .*small-disk.*point RUNNER_TEMP at a larger disk/m,
        /❌ Database restore failed/
      )
      expect(await tableChecksums(server, target)).toEqual(before)
    },
    120_000
  )

  itMounted(
    'a parallel restore (jobs: 2) decompresses the archive into RUNNER_TEMP: the disk fills, named, target unchanged',
    async () => {
      const { target, before } = await targetWithContents()
      const step = startActionProcess(
        harness,
        {
          mode: 'restore',
          'database-url': server.url(target),
          'backup-file': localDump,
          jobs: '2',
          'single-transaction': 'false',
          'allow-non-empty': 'true'
        },
        { RUNNER_TEMP: mountPoint }
      )
      await expectNormalFailure(
        step,
        /^::error::the disk is full: no space left while unpacking the backup into .*small-disk\/pg-restore-\w+ \(RUNNER_TEMP\); nothing was restored\. Free disk space on the runner, point RUNNER_TEMP at a larger disk, or restore with jobs: 1/m,
        /❌ Database restore failed/
      )
      expect(await tableChecksums(server, target)).toEqual(before)
    },
    120_000
  )

  itMounted(
    'a backup replacing its artifact writes the zip into RUNNER_TEMP: the full disk fails it, named',
    async () => {
      const step = startActionProcess(
        harness,
        {
          mode: 'backup',
          'database-url': server.url(source),
          'artifact-name': 'too-big',
          overwrite: 'true'
        },
        { RUNNER_TEMP: mountPoint }
      )
      await expectNormalFailure(
        step,
        /^::error::the disk is full: no space left while writing the dump to .*small-disk/m,
        /❌ Database backup failed/
      )
      // the artifact it was to replace is still there
      expect(backend.findArtifact('too-big.zip', backend.currentRunId)).toBeDefined()
    },
    180_000
  )
})
