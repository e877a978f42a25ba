/**
 * Faults while backing up and restoring, against a real server, the real artifact client and the
 * loopback backend: pg_dump killed or disconnected mid-stream, a full disk, an artifact backend
 * that answers 503 (for a while, or always) or is out of quota, and a restore whose connection
 * drops mid-load. Each asserts the error's text, that nothing was uploaded (or kept), and that no
 * temporary files are left.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import path from 'node:path'
import { type ArtifactBackend, unzipEntries } from '../../dev/artifact-backend.js'
import { schemaDump, seedSample, tableChecksums } from '../../dev/fixtures.js'
import type { TestServer } from '../../dev/postgres.js'
import type { BackupOptions, RestoreOptions } from '../../src/types.js'
import type { Manifest } from '../../src/manifest.js'
import { useHarness } from '../support/harness.js'
import { tmpfsMissing } from '../support/preconditions.js'
import { testBackupInputs, testRestoreInputs } from '../support/inputs.js'

/** Rows of 256 characters: ~430 MB on the server, ~35 MB once compressed. */
const BIG_ROWS = 1_500_000
const APP = 'postgres-backup-action'

const harness = useHarness({ name: 'faults-test' })
let server: TestServer
let backend: ArtifactBackend
let shop: string
let big: string
let work: string
let tempRoot: string

/** Why this sandbox cannot mount a tmpfs (root with CAP_SYS_ADMIN), or undefined: probed once. */
const noMount = tmpfsMissing()

beforeAll(async () => {
  ;({ server, backend, work, tempRoot } = harness)
  ;[shop, big] = await Promise.all([server.createDatabase('shop'), server.createDatabase('big')])
  await Promise.all([
    seedSample(server, shop),
    server.query(
      big,
      `CREATE TABLE public.big (id integer NOT NULL, payload text NOT NULL)
         WITH (autovacuum_enabled = off);
       INSERT INTO public.big SELECT i, repeat(md5(i::text), 8) FROM generate_series(1, ${BIG_ROWS}) AS i;
       CREATE TABLE public.small (id integer PRIMARY KEY);
       INSERT INTO public.small VALUES (1), (2), (3);`
    )
  ])
}, 90_000)

function backupInputs(database: string, overrides: Partial<BackupOptions>): BackupOptions {
  return testBackupInputs(server.url(database), {
    artifactName: `faults-${Math.random().toString(36).slice(2, 8)}`,
    ...overrides
  })
}

function runBackup(database: string, overrides: Partial<BackupOptions> = {}, root = tempRoot) {
  return harness.backup(backupInputs(database, overrides), { tempRoot: root })
}

function runRestore(target: string, file: string, overrides: Partial<RestoreOptions> = {}) {
  const i: RestoreOptions = testRestoreInputs(
    server.url(target),
    { kind: 'file', path: file },
    { ...overrides }
  )
  return harness.restore(i)
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

/** Polls `probe` every 10 ms until it gives a value; fails after `ms`. */
async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  ms = 20_000
): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(10)
  }
}

/** Bytes a process has written so far (its stdout: the dump), from /proc/<pid>/io. */
function bytesWritten(pid: number): number {
  try {
    return Number(/^wchar: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? 0)
  } catch {
    return 0 // gone
  }
}

/** Our own child processes running `program` whose arguments include `argument`, from /proc. */
function children(program: string, argument = ''): number[] {
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      // pid (comm) state ppid ...
      const stat = /^\d+ \((.*)\) \S+ (\d+)/.exec(readFileSync(`/proc/${entry}/stat`, 'utf8'))
      if (!stat || stat[1] !== program || Number(stat[2]) !== process.pid) continue
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0')
      if (argv.some(a => a.includes(argument))) pids.push(Number(entry))
    } catch {
      // gone
    }
  }
  return pids
}

/** What the backend holds: every record, and the finalized ones; plus upload calls made. */
function uploads() {
  const all = backend.artifacts()
  return {
    records: all.length,
    finalized: all.filter(a => a.finalized).length,
    creates: backend.requests.filter(r => r.endpoint === 'CreateArtifact').length
  }
}

/** Finalized artifacts that are not deleted: what a user or a restore could download. */
function downloadable(): string[] {
  return backend
    .artifacts()
    .filter(a => a.finalized && !a.deleted)
    .map(a => `${a.name} (${a.id})`)
}

function expectCleanTemp(root = tempRoot): void {
  expect(readdirSync(root)).toEqual([])
}

/** No pg_dump, pg_restore (the --list check), psql or zstd of ours is left running. */
async function expectNoChildrenLeft(): Promise<void> {
  const left = () => ['pg_dump', 'pg_restore', 'psql', 'zstd'].flatMap(p => children(p))
  await waitFor('the tools to exit', () => (left().length === 0 ? true : undefined), 5_000).catch(
    () => undefined
  )
  expect(left()).toEqual([])
}

async function arrivedIntact(name: string): Promise<Manifest> {
  const stored = backend.findArtifact(name, backend.currentRunId)
  expect(stored).toBeDefined()
  const entries = await unzipEntries(stored!.bytes)
  const manifest = JSON.parse(entries.get('manifest.json')!.toString('utf8')) as Manifest
  const dump = entries.get(manifest.file.name)!
  expect(createHash('sha256').update(dump).digest('hex')).toBe(manifest.file.sha256)
  expect(dump.length).toBe(manifest.file.sizeBytes)
  return manifest
}

// the upload reads the zip while pg_dump writes it: what the client read of a failed dump is
// finalized (the client cannot abort an upload) and then deleted; no artifact is left to download
describe('pg_dump fails mid-stream: no artifact is left, nothing is left running', () => {
  it('killed with SIGKILL', async () => {
    const before = downloadable()
    const createsBefore = uploads().creates
    const running = runBackup(big).catch((e: Error) => e)
    // the dump itself, not the `pg_dump --version` run before it
    const pid = await waitFor('pg_dump to start', () => children('pg_dump', '--format=custom')[0])
    // and the upload to have begun: zstd writes its first block once it has read a job's worth
    // (several MB), and the upload begins with it
    const written = await waitFor('the dump to stream into the upload', () => {
      const bytes = bytesWritten(pid)
      return bytes > 4_000_000 && uploads().creates > createsBefore ? bytes : undefined
    })
    process.kill(pid, 'SIGKILL')
    const error = (await running) as Error
    console.log(`pg_dump killed after ${written} bytes written: ${error.message}`)
    expect(error).toBeInstanceOf(Error)
    expect(error.name).toBe('DumpError')
    expect(error.message).toMatch(/^pg_dump was killed by SIGKILL/)
    // the upload had begun (what it read is deleted)
    expect(uploads().creates).toBe(createsBefore + 1)
    expect(downloadable()).toEqual(before)
    expectCleanTemp()
    await expectNoChildrenLeft()
  })

  it('its connection terminated by the server (pg_terminate_backend)', async () => {
    const before = downloadable()
    const running = runBackup(big).catch((e: Error) => e)
    const pid = await waitFor('pg_dump to start', () => children('pg_dump', '--format=custom')[0])
    const backendPid = await waitFor('pg_dump to COPY', async () => {
      const rows = await server.query<{ pid: number }>(
        'postgres',
        `SELECT pid FROM pg_stat_activity
          WHERE datname = $1 AND application_name = $2 AND query LIKE 'COPY %'`,
        [big, APP]
      )
      return rows[0]?.pid
    })
    await waitFor('the dump to stream', () => (bytesWritten(pid) > 4_000_000 ? true : undefined))
    await server.query('postgres', 'SELECT pg_terminate_backend($1)', [backendPid])
    const error = (await running) as Error
    console.log(`pg_dump disconnected: ${error.message}`)
    expect(error.name).toBe('DumpError')
    expect(error.message).toMatch(/^pg_dump exited with code 1: /)
    expect(error.message).toMatch(
      /terminating connection due to administrator command|server closed the connection unexpectedly/
    )
    expect(error.message).not.toContain(server.password)
    expect(downloadable()).toEqual(before)
    expectCleanTemp()
    await expectNoChildrenLeft()
  })
})

;(noMount ? describe.skip : describe)(
  `a full disk (a 2 MiB tmpfs as the temporary directory)${noMount ? ` — skipped: ${noMount}` : ''}`,
  () => {
    let mountPoint: string

    beforeAll(() => {
      mountPoint = path.join(work, 'small-disk')
      mkdirSync(mountPoint)
      const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mountPoint])
      expect(mounted.status).toBe(0)
    })

    afterAll(() => {
      if (mountPoint) spawnSync('umount', [mountPoint])
    })

    it('a dump larger than the disk streams into the artifact, which arrives whole', async () => {
      const name = `roomy-${Math.random().toString(36).slice(2, 8)}`
      const result = await runBackup(big, { artifactName: name }, mountPoint)
      expect(result.manifest.file.sizeBytes).toBeGreaterThan(2 * 1024 * 1024)
      const manifest = await arrivedIntact(result.artifact!.name)
      expect(manifest.rowCounts.tables.find(t => t.name === 'big')?.rows).toBe(BIG_ROWS)
      expectCleanTemp(mountPoint)
    })

    it('replacing an artifact writes the zip first: a full disk fails saying so, the old backup stays', async () => {
      const name = `replaced-${Math.random().toString(36).slice(2, 8)}`
      const old = await runBackup(shop, { artifactName: name })
      const error = (await runBackup(
        big,
        { artifactName: name, overwrite: true },
        mountPoint
      ).catch((e: Error) => e)) as Error
      console.log(`disk full: ${error.message}`)
      expect(error.name).toBe('BackupError')
      expect(error.message).toMatch(
        /^the disk is full: no space left while writing the dump to .*small-disk\/pg-backup-\w+\/artifact\. .* Nothing was uploaded\.$/
      )
      // the artifact it was to replace is still there, whole
      expect(backend.findArtifact(`${name}.zip`, backend.currentRunId)?.id).toBe(old.artifact!.id)
      await arrivedIntact(`${name}.zip`)
      expectCleanTemp(mountPoint)
      // pg_dump was stopped, not left writing into a closed pipe
      await expectNoChildrenLeft()
      // the space is free again
      const df = spawnSync('df', ['--output=used', '-B1', mountPoint], { encoding: 'utf8' })
      expect(Number(df.stdout.trim().split('\n').pop())).toBeLessThan(64 * 1024)
    })
  }
)

describe('the artifact backend fails', () => {
  it('503 on a block upload and on FinalizeArtifact, then OK: the backup arrives intact', async () => {
    const name = 'flaky-503'
    const from = backend.requests.length
    backend.faults.failNext('blob:stageBlock', 1, 503)
    backend.faults.failNext('FinalizeArtifact', 1, 503)
    const started = Date.now()
    const result = await runBackup(shop, { artifactName: name })
    console.log(`503 x2 then OK: succeeded in ${Date.now() - started} ms`)
    expect(result.artifact?.name).toBe(`${name}.zip`)
    const faulted = backend.requests.slice(from).filter(r => r.fault === 'fail')
    expect(faulted.map(r => [r.endpoint, r.status])).toEqual([
      ['blob:stageBlock', 503],
      ['FinalizeArtifact', 503]
    ])
    const manifest = await arrivedIntact(`${name}.zip`)
    expect(manifest.rowCounts.totalRows).toBeGreaterThan(5000)
    expect(backend.faults.pending()).toBe(0)
    expectCleanTemp()
  })

  it('503 on every block upload: a clear failure in bounded time, nothing finalized', async () => {
    const name = 'always-503'
    const before = uploads()
    backend.faults.failNext('blob:stageBlock', 1000, 503)
    const started = Date.now()
    try {
      const error = (await runBackup(shop, { artifactName: name }).catch((e: Error) => e)) as Error
      const ms = Date.now() - started
      console.log(`503 always: failed after ${ms} ms: ${error.message}`)
      expect(error.name).toBe('ArtifactStorageError')
      expect(error.message).toMatch(/^cannot upload the artifact: /)
      expect(error.message).toMatch(/503/)
      expect(ms).toBeLessThan(40_000)
    } finally {
      backend.faults.reset()
    }
    // CreateArtifact went through (the name is taken by a pending record), nothing was finalized
    expect(backend.findArtifact(`${name}.zip`)).toBeUndefined()
    expect(uploads().finalized).toBe(before.finalized)
    expectCleanTemp()
  }, 60_000)

  it('storage quota used up: the message says so, and nothing is created', async () => {
    const before = uploads()
    backend.faults.quotaExceeded()
    const error = (await runBackup(shop).catch((e: Error) => e)) as Error
    console.log(`quota: ${error.message}`)
    expect(error.name).toBe('ArtifactStorageError')
    expect(error.message).toMatch(
      /^cannot upload the artifact: the account's artifact storage quota is used up\. Delete old artifacts, lower retention-days/
    )
    const after = uploads()
    expect({ records: after.records, finalized: after.finalized }).toEqual({
      records: before.records,
      finalized: before.finalized
    })
    expect(after.creates).toBe(before.creates + 1)
    expectCleanTemp()
  })
})

describe('the connection drops mid-restore: the target is left as it was', () => {
  let target: string
  let before: { checksums: unknown; schema: string }

  beforeAll(async () => {
    target = await server.createDatabase()
    await server.query(
      target,
      "CREATE TABLE public.keep_me (id int PRIMARY KEY, note text); INSERT INTO public.keep_me VALUES (1, 'untouched')"
    )
    before = {
      checksums: await tableChecksums(server, target),
      schema: await schemaDump(server, target)
    }
  })

  it.each([
    // next to the target's own rows (allow-non-empty) an archive loads through psql too: the
    // net proves the target's tables unchanged before the COMMIT it holds (unchanged.ts)
    ['custom', 'psql', 'big.dump.zst', 'pg_dump -Fc -Z0 | zstd -q -1 > "$1"'],
    ['plain', 'psql', 'big.sql.zst', 'pg_dump | zstd -q -1 > "$1"']
  ])(
    '%s format, loaded by %s',
    async (_format, loader, name, script) => {
      const file = path.join(work, name)
      const made = spawnSync('bash', ['-c', `set -euo pipefail; ${script}`, 'sh', file], {
        env: { ...server.env(big), PATH: `${server.binDir}:${process.env.PATH}` }
      })
      expect({ status: made.status, stderr: made.stderr.toString() }).toEqual({
        status: 0,
        stderr: ''
      })
      const running = runRestore(target, file, { allowNonEmpty: true }).catch((e: Error) => e)
      // the loader's COPY into public.big, 20 MB into it (after the plan read the whole backup)
      const backendPid = await waitFor(
        'the restore to COPY',
        async () => {
          const rows = await server.query<{ pid: number }>(
            'postgres',
            `SELECT a.pid FROM pg_stat_activity a JOIN pg_stat_progress_copy p USING (pid)
          WHERE a.datname = $1 AND a.query LIKE 'COPY public.big %' AND p.bytes_processed > 20000000`,
            [target]
          )
          return rows[0]?.pid
        },
        90_000
      )
      await server.query('postgres', 'SELECT pg_terminate_backend($1)', [backendPid])
      const error = (await running) as Error
      console.log(`${loader} disconnected: ${error.message}`)
      expect(error.name).toBe('LoadError')
      expect(error.message).toMatch(new RegExp(`^${loader} exited with code \\d+: `))
      expect(error.message).toMatch(
        /terminating connection due to administrator command|server closed the connection unexpectedly|connection to server .* lost/
      )
      expect(error.message).toMatch(/Nothing was kept/)
      expect(await tableChecksums(server, target)).toEqual(before.checksums)
      expect(await schemaDump(server, target)).toEqual(before.schema)
      expectCleanTemp()
      await expectNoChildrenLeft()
      rmSync(file)
    },
    180_000
  )
})
