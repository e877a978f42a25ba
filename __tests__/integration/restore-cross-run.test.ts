/**
 * Restores from other workflow runs through the REAL artifact client and the backend's REST
 * endpoints: backups made in several runs with different data, then restored by 'latest' (the
 * newest non-expired one), by run id and by artifact id; token, name, expiry, digest and manifest
 * problems are refused before anything touches the target, which stays byte-for-byte unchanged.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import {
  type ArtifactBackend,
  type BackendArtifact,
  buildZip,
  unzipEntries
} from '../../dev/artifact-backend.js'
import { type TableChecksum, schemaDump, tableChecksums } from '../../dev/fixtures.js'
import type { TestServer } from '../../dev/postgres.js'
import { useHarness } from '../support/harness.js'
import { testBackupInputs, testRestoreInputs } from '../support/inputs.js'
import type { BackupSource, RestoreOptions } from '../../src/types.js'

const NO_ACTIONS_READ = 'ghs_tokenWithoutActionsRead000000000000000'
/** actions: read, but not contents: read (GitHub's compare API answers 403) */
const NO_CONTENTS_READ = 'ghs_tokenWithoutContentsRead00000000000000'
const NAME = 'nightly'
const HOUR = 3600_000

const harness = useHarness({
  name: 'restore-cross-run',
  backend: { readOnlyTokens: [NO_ACTIONS_READ], noContentsTokens: [NO_CONTENTS_READ] }
})
let server: TestServer
let backend: ArtifactBackend
let source: string

/** One backup per run: its artifact, its run, and the source's data at that time. */
interface Made {
  run: number
  artifact: BackendArtifact
  checksums: Record<string, TableChecksum>
}
const made: Made[] = []
/** Same bytes as backup 3 (marker 3), seeded in yet another run, created before all others. */
let oldest: BackendArtifact

beforeAll(async () => {
  ;({ server, backend } = harness)
  source = await server.createDatabase('app')
  await server.query(
    source,
    `CREATE TABLE public.marker (backup integer NOT NULL);
     CREATE TABLE public.items (id integer PRIMARY KEY, label text NOT NULL);
     INSERT INTO public.items SELECT i, 'item ' || i FROM generate_series(1, 200) AS i;
     INSERT INTO public.marker VALUES (0);`
  )
  // three runs, each backing up different data; run 1 is the current run of the backend
  for (let n = 1; n <= 3; n++) {
    if (n > 1) {
      backend.newRun()
      Object.assign(process.env, backend.env())
    }
    await server.query(
      source,
      `UPDATE public.marker SET backup = ${n};
       INSERT INTO public.items VALUES (${1000 + n}, 'added before backup ${n}');`
    )
    await makeBackup(NAME)
    const rec = backend.findArtifact(`${NAME}.zip`, backend.currentRunId)!
    // distinct creation times, an hour apart, oldest first (REST reports whole seconds)
    const dated = backend.patchArtifact(rec.id, {
      createdAt: new Date(Date.now() - (4 - n) * HOUR)
    })
    made.push({
      run: backend.currentRunId,
      artifact: dated,
      checksums: await tableChecksums(server, source)
    })
  }
  // the newest artifact has the highest id but the oldest creation time: 'latest' goes by time
  oldest = await backend.seedArtifact({
    name: NAME,
    bytes: Buffer.from(made[2].artifact.bytes),
    createdAt: new Date(Date.now() - 10 * HOUR)
  })
  // the newest backup (run 3) has expired
  backend.patchArtifact(made[2].artifact.id, { expiresAt: new Date(Date.now() - 60_000) })
}, 60_000)

async function makeBackup(name: string) {
  return harness.backup(testBackupInputs(server.url(source), { artifactName: name }))
}

function restoreInputs(
  target: string,
  from: BackupSource,
  overrides: Partial<RestoreOptions> = {}
): RestoreOptions {
  return testRestoreInputs(server.url(target), from, overrides)
}

function runRestore(target: string, from: BackupSource, overrides: Partial<RestoreOptions> = {}) {
  return harness.restore(restoreInputs(target, from, overrides))
}

const byName = (
  runId: 'latest' | number,
  name = NAME,
  token = backend.githubToken
): BackupSource => ({ kind: 'artifact', name, runId, repository: backend.repository, token })

const byId = (id: number, token = backend.githubToken): BackupSource => ({
  kind: 'artifact-id',
  id,
  repository: backend.repository,
  token
})

async function marker(database: string): Promise<number> {
  const rows = await server.query<{ backup: number }>(database, 'SELECT backup FROM public.marker')
  expect(rows).toHaveLength(1)
  return rows[0].backup
}

/** Restores into a fresh database; checks the data is exactly that of backup `n` (1-based). */
async function expectRestoredBackup(from: BackupSource, n: number) {
  const target = await server.createDatabase()
  const result = await runRestore(target, from)
  expect(await marker(target)).toBe(n)
  expect(await tableChecksums(server, target)).toEqual(made[n - 1].checksums)
  await server.dropDatabase(target)
  return result
}

/** A target holding data of its own; a refused restore must leave it exactly as it was. */
async function expectRefusedUnchanged(from: BackupSource, message: RegExp): Promise<Error> {
  const target = await server.createDatabase()
  await server.query(
    target,
    `CREATE TABLE public.keep_me (id integer PRIMARY KEY, note text);
     INSERT INTO public.keep_me VALUES (1, 'one'), (2, 'two'), (3, NULL);
     CREATE SEQUENCE public.keep_seq START 42;`
  )
  const before = {
    data: await tableChecksums(server, target),
    schema: await schemaDump(server, target)
  }
  const error = await runRestore(target, from, { allowNonEmpty: true }).then(
    () => undefined,
    (e: unknown) => e as Error
  )
  expect(error).toBeInstanceOf(Error)
  expect(error!.message).toMatch(message)
  expect({
    data: await tableChecksums(server, target),
    schema: await schemaDump(server, target)
  }).toEqual(before)
  await server.dropDatabase(target)
  return error!
}

describe('restore from other runs', () => {
  it('the backups differ in content', () => {
    expect(new Set(made.map(m => JSON.stringify(m.checksums))).size).toBe(3)
    expect(new Set(made.map(m => m.run)).size).toBe(3)
  })

  it("run-id 'latest' takes the newest non-expired backup (by creation time), not the expired one", async () => {
    const result = await expectRestoredBackup(byName('latest'), 2)
    expect(result.artifactId).toBe(made[1].artifact.id)
    expect(result.runId).toBe(made[1].run)
    expect(result.restoredFrom).toBe(
      `artifact ${made[1].artifact.id} (run ${made[1].run}: push on main, .github/workflows/backup.yml)`
    )
    expect(oldest.id).toBeGreaterThan(made[2].artifact.id)
    // it was looked up through the REST API and downloaded through the REST redirect
    const endpoints = backend.requests.map(r => r.endpoint)
    expect(endpoints).toContain('api:listArtifacts')
    expect(endpoints).toContain('api:downloadArtifact')
  })

  it('a given run id restores that run’s backup', async () => {
    const result = await expectRestoredBackup(byName(made[0].run), 1)
    expect(result.artifactId).toBe(made[0].artifact.id)
    expect(result.runId).toBe(made[0].run)
    await expectRestoredBackup(byName(made[1].run), 2)
  })

  it('an artifact id restores that artifact, in any run', async () => {
    const result = await expectRestoredBackup(byId(made[0].artifact.id), 1)
    expect(result.artifactId).toBe(made[0].artifact.id)
    expect(result.runId).toBe(made[0].run)
    expect(result.manifest?.rowCounts.totalRows).toBe(made[0].checksums['public.items'].rows + 1)
    // a seeded artifact in a run the backup never ran in
    const seeded = await expectRestoredBackup(byId(oldest.id), 3)
    expect(seeded.runId).toBe(oldest.runId)
  })

  it('repository and run-id default to this repository and the latest backup (inputs as the runner passes them)', async () => {
    const { getInputs } = await import('../../src/inputs.js')
    const target = await server.createDatabase()
    const given: Record<string, string> = {
      mode: 'restore',
      'database-url': server.url(target),
      'artifact-name': NAME,
      'github-token': backend.githubToken
    }
    const inputs = getInputs(name => given[name] ?? '') as RestoreOptions
    expect(inputs.source).toEqual({ ...byName('latest'), from: 'default-branch' })
    const result = await harness.restore(inputs)
    expect(result.artifactId).toBe(made[1].artifact.id)
    expect(await tableChecksums(server, target)).toEqual(made[1].checksums)
    await server.dropDatabase(target)
  })
})

describe('refusals: nothing touches the target', () => {
  it('no token: names github-token', async () => {
    const error = await expectRefusedUnchanged(byName('latest', NAME, ''), /github-token/)
    expect(error.message).toMatch(/actions: read/)
    await expectRefusedUnchanged(byId(made[0].artifact.id, ''), /Input 'github-token': is empty/)
  })

  it("a token without actions: read: says to add 'actions: read'", async () => {
    await expectRefusedUnchanged(byName('latest', NAME, NO_ACTIONS_READ), /actions: read/)
    await expectRefusedUnchanged(byName(made[0].run, NAME, NO_ACTIONS_READ), /actions: read/)
    await expectRefusedUnchanged(byId(made[0].artifact.id, NO_ACTIONS_READ), /actions: read/)
  })

  it('a token the API does not know: 401', async () => {
    await expectRefusedUnchanged(byName('latest', NAME, 'ghs_unknown'), /github-token.*401/)
  })

  it('a token that loses actions: read between runs', async () => {
    const token = 'ghs_revokedLater000000000000000000000000'
    backend.setTokenAccess(token, 'write')
    await expectRestoredBackup(byName('latest', NAME, token), 2)
    backend.setTokenAccess(token, 'none')
    await expectRefusedUnchanged(byName('latest', NAME, token), /actions: read/)
  })

  it('an artifact of an earlier version (zipped by GitHub, named without .zip) is found by its name', async () => {
    const legacy = await backend.seedArtifact({
      name: 'legacy-nightly',
      bytes: Buffer.from(made[1].artifact.bytes)
    })
    const result = await expectRestoredBackup(byName('latest', 'legacy-nightly'), 2)
    expect(result.artifactId).toBe(legacy.id)
  })

  it('a missing artifact name', async () => {
    await expectRefusedUnchanged(
      byName('latest', 'no-such-backup'),
      /no artifact named 'no-such-backup\.zip' or 'no-such-backup' exists in octo-org\/octo-repo/
    )
    await expectRefusedUnchanged(
      byName(made[0].run, 'no-such-backup'),
      new RegExp(
        `run ${made[0].run} of octo-org/octo-repo has no artifact named 'no-such-backup\\.zip' or 'no-such-backup'`
      )
    )
    await expectRefusedUnchanged(byName(987654321), /not found .*\(404\)/)
    await expectRefusedUnchanged(byId(987654321), /artifact 987654321 was not found/)
  })

  it('a missing artifact: its error first, though the target is connected to while it is looked for; no session is left open', async () => {
    // the target is unreachable (a port nothing listens on): the artifact's error, not the target's
    const unreachable = server.url('postgres').replace(`:${server.port}/`, ':1/')
    const error = await harness
      .restore(
        testRestoreInputs(unreachable, byName('latest', 'no-such-backup'), {
          connectTimeoutSeconds: 2
        })
      )
      .then(
        () => undefined,
        (e: unknown) => e as Error
      )
    expect(error?.message).toMatch(/no artifact named 'no-such-backup\.zip'/)
    // a reachable target: the sessions opened while the artifact was looked for are ended
    const target = await server.createDatabase()
    await expect(runRestore(target, byName('latest', 'no-such-backup'))).rejects.toThrow(
      /no artifact named/
    )
    let sessions = -1
    for (let waited = 0; waited < 5000 && sessions !== 0; waited += 100) {
      const rows = await server.query<{ n: string }>(
        'postgres',
        `SELECT count(*)::text AS n FROM pg_stat_activity WHERE datname = '${target}'`
      )
      sessions = Number(rows[0].n)
      if (sessions !== 0) await new Promise(resolve => setTimeout(resolve, 100))
    }
    expect(sessions).toBe(0)
    await server.dropDatabase(target)
  })

  it('an expired artifact: by id, by its run, and when every backup of the name expired', async () => {
    const expired = made[2].artifact
    await expectRefusedUnchanged(
      byId(expired.id),
      new RegExp(`'${NAME}\\.zip' \\(id ${expired.id}\\) in octo-org/octo-repo expired on `)
    )
    await expectRefusedUnchanged(byName(made[2].run), /expired/)
    const weekly = await backend.seedArtifact({
      name: 'weekly',
      bytes: Buffer.from(made[0].artifact.bytes),
      expiresAt: new Date(Date.now() - HOUR)
    })
    const error = await expectRefusedUnchanged(byName('latest', 'weekly'), /expired/)
    expect(error.message).toContain(`id ${weekly.id}`)
  })

  it('a zip that does not match the digest recorded at upload', async () => {
    const bytes = Buffer.from(made[0].artifact.bytes)
    const seeded = await backend.seedArtifact({ name: 'corrupted-in-storage', bytes })
    expect(seeded.digest).toBe(made[0].artifact.digest)
    // the backend keeps the buffer it was given: corrupt the stored blob after the digest was taken
    const middle = bytes.length >> 1
    for (let i = 0; i < 16; i++) bytes[middle + i] ^= 0xff
    expect(backend.findArtifact('corrupted-in-storage')!.bytes.equals(made[0].artifact.bytes)).toBe(
      false
    )
    await expectRefusedUnchanged(
      byId(seeded.id),
      /does not match the digest GitHub recorded at upload/
    )
    await expectRefusedUnchanged(byName(seeded.runId, 'corrupted-in-storage'), /corrupted/)
  })

  it("a zip whose dump was swapped for another backup's dump (manifest unchanged)", async () => {
    const first = await unzipEntries(made[0].artifact.bytes)
    const second = await unzipEntries(made[1].artifact.bytes)
    const manifest = JSON.parse(first.get('manifest.json')!.toString('utf8')) as {
      file: { name: string; sha256: string }
    }
    const dumpName = manifest.file.name
    const otherDump = second.get([...second.keys()].find(k => k !== 'manifest.json')!)!
    expect(otherDump.equals(first.get(dumpName)!)).toBe(false)
    const swapped = await backend.seedArtifact({
      name: 'swapped',
      files: { [dumpName]: otherDump, 'manifest.json': first.get('manifest.json')! }
    })
    const error = await expectRefusedUnchanged(byId(swapped.id), /does not match its manifest/)
    expect(error.message).toContain(manifest.file.sha256)
    expect(error.message).toMatch(/corrupted, truncated or swapped/)
  })

  it('a zip that is not a zip', async () => {
    const seeded = await backend.seedArtifact({
      name: 'not-a-zip',
      bytes: await buildZip({ 'notes.txt': 'hello', 'other.txt': 'world' })
    })
    await expectRefusedUnchanged(byId(seeded.id), /2 files and no manifest\.json/)
  })
})

describe("whose backup is the newest (issue 14.2): only the repository's own runs, unless widened", () => {
  const GUARDED = 'guarded'
  const FORK = 'mallory/octo-repo'
  /** Oldest first: the trusted backup (marker 1), then newer ones of others (markers 2, 3). */
  const seeded: Record<string, BackendArtifact> = {}

  beforeAll(async () => {
    const at = (hoursAgo: number) => new Date(Date.now() - hoursAgo * HOUR)
    const bytes = (n: number) => Buffer.from(made[n - 1].artifact.bytes)
    seeded.trusted = await backend.seedArtifact({
      name: `${GUARDED}.zip`,
      bytes: bytes(1),
      createdAt: at(6),
      run: { event: 'schedule', workflowPath: '.github/workflows/nightly.yml' }
    })
    seeded.branch = await backend.seedArtifact({
      name: `${GUARDED}.zip`,
      bytes: bytes(2),
      createdAt: at(5),
      run: { headBranch: 'feature/x', event: 'push' }
    })
    // a pull request from a branch of this repository: not the maintainers' merged code either
    seeded.pullRequest = await backend.seedArtifact({
      name: `${GUARDED}.zip`,
      bytes: bytes(2),
      createdAt: at(4),
      run: { headBranch: 'feature/x', event: 'pull_request' }
    })
    // a pull request from a fork's main branch: head_branch is 'main' too; only the head
    // repository tells it apart (and pull_request_target runs with this repository's secrets)
    seeded.fork = await backend.seedArtifact({
      name: `${GUARDED}.zip`,
      bytes: bytes(3),
      createdAt: at(3),
      run: { headRepository: FORK, headBranch: 'main', event: 'pull_request' }
    })
    seeded.forkTarget = await backend.seedArtifact({
      name: `${GUARDED}.zip`,
      bytes: bytes(3),
      createdAt: at(2),
      run: { headRepository: FORK, headBranch: 'main', event: 'pull_request_target' }
    })
    // a run on the default branch from an event that is not push/schedule/workflow_dispatch
    seeded.workflowRun = await backend.seedArtifact({
      name: `${GUARDED}.zip`,
      bytes: bytes(2),
      createdAt: at(1),
      run: { event: 'workflow_run' }
    })
  }, 60_000)

  const guarded = (from?: 'default-branch' | 'any-branch' | 'any'): BackupSource => ({
    ...byName('latest', GUARDED),
    ...(from ? { from } : {})
  })

  const anyBranch = (name: string): BackupSource => ({
    kind: 'artifact',
    name,
    runId: 'latest',
    repository: backend.repository,
    token: backend.githubToken,
    from: 'any-branch'
  })

  async function captured<T>(run: () => Promise<T>): Promise<{ value: T; out: string }> {
    const write = process.stdout.write.bind(process.stdout)
    let out = ''
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      out += String(chunk)
      return write(chunk, ...rest)
    }) as typeof process.stdout.write
    try {
      return { value: await run(), out }
    } finally {
      process.stdout.write = write
    }
  }

  it('by default takes the newest backup of a push/schedule/workflow_dispatch run on the default branch, and logs whom it passed over', async () => {
    const { value: result, out } = await captured(() => expectRestoredBackup(guarded(), 1))
    expect(result.artifactId).toBe(seeded.trusted.id)
    expect(result.restoredFrom).toBe(
      `artifact ${seeded.trusted.id} (run ${seeded.trusted.runId}: schedule on main, .github/workflows/nightly.yml)`
    )
    expect(out).toContain(
      `Chose artifact ${seeded.trusted.id} of run ${seeded.trusted.runId}: schedule on main, .github/workflows/nightly.yml.`
    )
    expect(out).toMatch(new RegExp(`Passed over artifact ${seeded.fork.id} .*another repository`))
    expect(out).toMatch(
      new RegExp(`Passed over artifact ${seeded.forkTarget.id} .*another repository`)
    )
    expect(out).toMatch(new RegExp(`Passed over artifact ${seeded.branch.id} .*'feature/x'`))
    expect(out).toMatch(new RegExp(`Passed over artifact ${seeded.pullRequest.id} .*'feature/x'`))
    expect(out).toMatch(
      new RegExp(`Passed over artifact ${seeded.workflowRun.id} .*started by workflow_run`)
    )
  })

  it("'any-branch' also takes other branches' push runs, never a pull request's", async () => {
    // (the nightly workflow's backup on main is another workflow's: named to leave it out)
    const result = await expectRestoredBackup(
      { ...byName('latest', GUARDED), from: 'any-branch', workflow: 'backup.yml' } as BackupSource,
      2
    )
    expect(result.artifactId).toBe(seeded.branch.id)
    expect(result.restoredFrom).toContain('push on feature/x')
  })

  it("'any' takes the newest of every run, a fork's included (the old behaviour, asked for)", async () => {
    const result = await expectRestoredBackup(guarded('any'), 2)
    expect(result.artifactId).toBe(seeded.workflowRun.id)
  })

  it('only strangers’ backups of that name: refused, naming the way to choose one', async () => {
    await backend.seedArtifact({
      name: 'fork-only.zip',
      bytes: Buffer.from(made[0].artifact.bytes),
      run: { headRepository: FORK, headBranch: 'main', event: 'pull_request' }
    })
    const error = await expectRefusedUnchanged(
      byName('latest', 'fork-only'),
      /none of the 1 artifact named 'fork-only.zip' or 'fork-only' .* default branch 'main'.*another repository.*run-id or artifact-id/
    )
    const { describeForInputs } = await import('../../src/inputs.js')
    expect((describeForInputs(error) as Error).message).toMatch(/^Input 'artifact-from': /)
  })

  it('a given run id or artifact id is taken as asked (the choice is explicit), saying where it came from', async () => {
    // a fork's run: named in the summary's source and warned of (attacker a41 F2)
    for (const source of [byId(seeded.fork.id), byName(seeded.fork.runId, GUARDED)]) {
      const { value: result, out } = await captured(() => expectRestoredBackup(source, 3))
      expect(result.restoredFrom).toBe(
        `artifact ${seeded.fork.id} (run ${seeded.fork.runId}: pull_request on main, ${backend.runs().find(r => r.runId === seeded.fork.runId)!.workflowPath}, code from ${FORK})`
      )
      expect(out).toMatch(
        new RegExp(
          `warning.*Artifact ${seeded.fork.id} was made by run ${seeded.fork.runId} .*which ran code from ${FORK}, not ${backend.repository}'s own.*restore it only if you trust that run`
        )
      )
    }
    const { value: own, out } = await captured(() =>
      expectRestoredBackup(byName(seeded.branch.runId, GUARDED), 2)
    )
    expect(own.restoredFrom).toContain(`(run ${seeded.branch.runId}: push on feature/x`)
    expect(out).not.toMatch(/which ran code from/)
  })

  it("a fork's artifact named explicitly when GitHub will not describe its run (404, 502): still warned of, from the artifact's own record (re-attack a42 F3)", async () => {
    for (const status of [404, 502]) {
      backend.faults.failNext('api:getRun', 5, status, { message: 'Not Found' })
      try {
        const { value: result, out } = await captured(() =>
          expectRestoredBackup(byId(seeded.fork.id), 3)
        )
        expect(out).toContain(`Could not read run ${seeded.fork.runId}`)
        expect(out).toMatch(
          new RegExp(
            `warning.*Artifact ${seeded.fork.id} was made by run ${seeded.fork.runId}, which ran code from another repository than ${backend.repository}`
          )
        )
        expect(result.restoredFrom).toContain('code from another repository')
      } finally {
        backend.faults.reset()
      }
    }
  })

  describe("a tag named like the default branch (a10 #11): the run's commit must be in main's history", () => {
    const at = (hoursAgo: number) => new Date(Date.now() - hoursAgo * HOUR)
    const bytes = (n: number) => Buffer.from(made[n - 1].artifact.bytes)
    const runOf = (artifact: BackendArtifact) =>
      backend.runs().find(r => r.runId === artifact.runId)!

    it('a newer run on a tag `main` at a commit off main is passed over, naming it; the older run on main is taken', async () => {
      const onMain = await backend.seedArtifact({
        name: 'tagged.zip',
        bytes: bytes(1),
        createdAt: at(3)
      })
      // git tag main <sha off main>; git push origin refs/tags/main: head_branch 'main', event push
      const onTag = await backend.seedArtifact({
        name: 'tagged.zip',
        bytes: bytes(3),
        createdAt: at(1),
        run: { headBranch: 'main', event: 'push', onDefaultBranch: false }
      })
      const { value: result, out } = await captured(() =>
        expectRestoredBackup(byName('latest', 'tagged'), 1)
      )
      expect(result.artifactId).toBe(onMain.id)
      expect(out).toContain(
        `Passed over artifact ${onTag.id} of run ${onTag.runId}: its commit ${runOf(onTag).headSha.slice(0, 12)} is not in the history of the default branch 'main'`
      )
      // 'any-branch' does not ask for main's history: the tag's run is its newest push run
      expect((await expectRestoredBackup(anyBranch('tagged'), 3)).artifactId).toBe(onTag.id)
    })

    it('a run on a tag `main` at a commit that is on main (behind its tip) is taken', async () => {
      const first = await backend.seedArtifact({
        name: 'tagged-on-main.zip',
        bytes: bytes(1),
        createdAt: at(4)
      })
      await backend.seedArtifact({ name: 'tagged-on-main.zip', bytes: bytes(3), createdAt: at(3) })
      const onTag = await backend.seedArtifact({
        name: 'tagged-on-main.zip',
        bytes: bytes(2),
        createdAt: at(1),
        run: { headBranch: 'main', event: 'workflow_dispatch', headSha: runOf(first).headSha }
      })
      const result = await expectRestoredBackup(byName('latest', 'tagged-on-main'), 2)
      expect(result.artifactId).toBe(onTag.id)
    })

    it.each([
      [
        'a token without contents: read (403)',
        () => ({ token: NO_CONTENTS_READ }),
        /answered 403: the token may not read the repository's contents — add 'contents: read'/
      ],
      [
        'an unknown commit (404)',
        () => {
          backend.faults.failNext('api:compare', 1, 404, { message: 'Not Found' })
          return {}
        },
        /answered 404: the commit is unknown to GitHub, or the token may not read/
      ],
      [
        '422',
        () => {
          backend.faults.failNext('api:compare', 1, 422, { message: 'No common ancestor' })
          return {}
        },
        /answered 422: /
      ]
    ])(
      'GitHub cannot say (%s): refused, naming the run and run-id/artifact-id; nothing restored',
      async (_, arrange, message) => {
        const seeded = await backend.seedArtifact({
          name: 'unchecked.zip',
          bytes: bytes(1),
          createdAt: at(1)
        })
        const { token } = arrange() as { token?: string }
        const error = await expectRefusedUnchanged(byName('latest', 'unchecked', token), message)
        expect(error.message).toMatch(
          new RegExp(
            `cannot check that run ${seeded.runId} \\(commit ${runOf(seeded).headSha.slice(0, 12)}\\) ran on the default branch 'main'.*Choose the artifact explicitly with run-id or artifact-id`
          )
        )
        const { describeForInputs } = await import('../../src/inputs.js')
        expect((describeForInputs(error) as Error).message).toMatch(/^Input 'artifact-from': /)
        backend.faults.reset()
      }
    )
  })

  it('a run that uploaded the name twice: the newest is taken, and the log says which was not (attacker a58 F4)', async () => {
    const at = (hoursAgo: number) => new Date(Date.now() - hoursAgo * HOUR)
    const older = await backend.seedArtifact({
      name: 'doubled.zip',
      bytes: Buffer.from(made[0].artifact.bytes),
      createdAt: at(3)
    })
    const newer = await backend.seedArtifact({
      name: 'doubled.zip',
      bytes: Buffer.from(made[1].artifact.bytes),
      createdAt: at(2),
      runId: older.runId
    })
    const { value, out } = await captured(() =>
      expectRestoredBackup(byName(older.runId, 'doubled'), 2)
    )
    expect(value.artifactId).toBe(newer.id)
    expect(out).toMatch(
      new RegExp(
        `Run ${older.runId} holds 2 artifacts named as asked: took the newest, 'doubled\\.zip' \\(artifact ${newer.id}, .*; not 'doubled\\.zip' \\(artifact ${older.id}, `
      )
    )
  })

  describe('a name two workflows upload (attacker a58 F1: a CI job backing up its test database on every push)', () => {
    const TWICE = 'twice'
    beforeAll(async () => {
      const at = (hoursAgo: number) => new Date(Date.now() - hoursAgo * HOUR)
      await backend.seedArtifact({
        name: `${TWICE}.zip`,
        bytes: Buffer.from(made[0].artifact.bytes),
        createdAt: at(12),
        run: { event: 'schedule', workflowPath: '.github/workflows/nightly.yml' }
      })
      await backend.seedArtifact({
        name: `${TWICE}.zip`,
        bytes: Buffer.from(made[1].artifact.bytes),
        createdAt: at(1),
        run: { event: 'push', workflowPath: '.github/workflows/ci.yml' }
      })
    }, 60_000)
    const twice = (workflow?: string): BackupSource => ({
      ...byName('latest', TWICE),
      ...(workflow ? { workflow } : {})
    })

    it('by default: refused, naming both workflows and artifact-workflow; the target untouched', async () => {
      const error = await expectRefusedUnchanged(
        twice(),
        /the artifact name 'twice' is uploaded by more than one workflow of .*: the newest, artifact \d+ of run \d+ \(.*\), by \.github\/workflows\/ci\.yml; and \.github\/workflows\/nightly\.yml \(its newest: artifact \d+ of run \d+, .*\)\..*nothing was restored\. Set artifact-workflow/
      )
      const { describeForInputs } = await import('../../src/inputs.js')
      expect((describeForInputs(error) as Error).message).toMatch(/^Input 'artifact-workflow': /)
    })

    it("artifact-workflow (a file name or a path) takes that workflow's newest, passing over the other", async () => {
      expect((await expectRestoredBackup(twice('nightly.yml'), 1)).restoredFrom).toContain(
        'schedule on main, .github/workflows/nightly.yml'
      )
      expect(
        (await expectRestoredBackup(twice('.github/workflows/ci.yml'), 2)).restoredFrom
      ).toContain('push on main, .github/workflows/ci.yml')
      await expectRefusedUnchanged(
        twice('deploy.yml'),
        /made by the workflow \.github\/workflows\/ci\.yml, not deploy\.yml \(artifact-workflow\)/
      )
    })
  })

  it("the input: default 'default-branch', the three values, anything else refused", async () => {
    const { getInputs } = await import('../../src/inputs.js')
    /** The inputs of a restore of the latest artifact, with `more` set as the runner passes them. */
    const withInputs = (more: Record<string, string>) => {
      const given: Record<string, string> = {
        mode: 'restore',
        'database-url': server.url(source),
        'github-token': backend.githubToken,
        ...more
      }
      return getInputs(name => given[name] ?? '') as RestoreOptions
    }
    const inputs = (from: string) => withInputs({ 'artifact-from': from })
    expect(inputs('').source).toMatchObject({ kind: 'artifact', from: 'default-branch' })
    expect(inputs('Any-Branch').source).toMatchObject({ from: 'any-branch' })
    expect(inputs('any').source).toMatchObject({ from: 'any' })
    expect(() => inputs('forks')).toThrow(/^Input 'artifact-from': 'forks' is not one of/)
    // artifact-workflow: a workflow file's name or path, nothing else
    const withWorkflow = (workflow: string) => withInputs({ 'artifact-workflow': workflow })
    expect(withWorkflow('').source).not.toHaveProperty('workflow')
    expect(withWorkflow('backup.yml').source).toMatchObject({ workflow: 'backup.yml' })
    expect(withWorkflow('./.github/workflows/b.yaml').source).toMatchObject({
      workflow: '.github/workflows/b.yaml'
    })
    expect(() => withWorkflow('Nightly backup')).toThrow(
      /^Input 'artifact-workflow': 'Nightly backup' is not a workflow file/
    )
  })
})
