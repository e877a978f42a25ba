/**
 * signing-key (issue 14.2 ★): a backup signs its manifest and the dump's sha256 (HMAC-SHA-256,
 * manifest.json.sig beside manifest.json); a restore or verify given the key refuses an unsigned
 * or mis-signed backup, or one whose dump is not the one its manifest names, before anything is
 * decoded — through the real artifact client and the loopback backend, and from a file.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { type ArtifactBackend, unzipEntries } from '../../dev/artifact-backend.js'
import { schemaDump, seedSample, tableChecksums } from '../../dev/fixtures.js'
import type { TestServer } from '../../dev/postgres.js'
import { useHarness } from '../support/harness.js'
import { logOf } from '../support/log-capture.js'
import { testBackupInputs, testRestoreInputs } from '../support/inputs.js'
import type { BackupSource, RestoreOptions } from '../../src/types.js'
import type { Manifest } from '../../src/manifest.js'

const KEY = 'k'.repeat(16) + '0123456789abcdef0123456789abcdef'
const OTHER_KEY = 'x'.repeat(48)

const harness = useHarness({ name: 'signing-test' })
let server: TestServer
let backend: ArtifactBackend
let source: string
let signed: Map<string, Buffer>
let signedZip: Buffer

beforeAll(async () => {
  ;({ server, backend } = harness)
  source = await server.createDatabase('shop')
  await seedSample(server, source)
  await harness.backup(
    testBackupInputs(server.url(source), { artifactName: 'signed', signingKey: KEY })
  )
  signedZip = backend.findArtifact('signed.zip', backend.currentRunId)!.bytes
  signed = await unzipEntries(signedZip)
  // another dump (two dumps of the same data within one second are byte for byte the same)
  await server.query(source, 'CREATE TABLE public.unsigned_marker (x int)')
  await harness.backup(testBackupInputs(server.url(source), { artifactName: 'unsigned' }))
  await server.query(source, 'DROP TABLE public.unsigned_marker')
}, 120_000)

const byName = (name: string): BackupSource => ({
  kind: 'artifact',
  name,
  runId: 'latest',
  repository: backend.repository,
  token: backend.githubToken
})

function inputs(
  target: string,
  from: BackupSource,
  overrides: Partial<RestoreOptions> = {}
): RestoreOptions {
  return testRestoreInputs(server.url(target), from, overrides)
}

/** A target holding data of its own; a refused restore must leave it exactly as it was. */
async function expectRefusedUnchanged(
  from: BackupSource,
  message: RegExp,
  signingKey = KEY
): Promise<void> {
  const target = await server.createDatabase()
  await server.query(
    target,
    `CREATE TABLE public.keep_me (id integer PRIMARY KEY); INSERT INTO public.keep_me VALUES (1);`
  )
  const before = {
    data: await tableChecksums(server, target),
    schema: await schemaDump(server, target)
  }
  const error = await harness
    .restore(inputs(target, from, { allowNonEmpty: true, signingKey }))
    .then(
      () => undefined,
      (e: Error) => e
    )
  expect(error?.name).toBe('SignatureError')
  expect(error!.message).toMatch(message)
  expect({
    data: await tableChecksums(server, target),
    schema: await schemaDump(server, target)
  }).toEqual(before)
}

describe('signing-key', () => {
  it('backup stores the signature beside the manifest in the artifact', () => {
    expect([...signed.keys()].sort()).toEqual(
      [
        JSON.parse(signed.get('manifest.json')!.toString()).file.name,
        'manifest.json',
        'manifest.json.sig'
      ].sort()
    )
    expect(signed.get('manifest.json.sig')!.toString()).toMatch(/^hmac-sha256-v1:[0-9a-f]{64}\n$/)
    expect(signed.get('manifest.json.sig')!.toString()).not.toContain(KEY)
  })

  it('a signed backup restores with the key (and without it, saying the signature went unchecked: trial u37 F5)', async () => {
    for (const signingKey of [KEY, undefined]) {
      const target = await server.createDatabase()
      const { lines } = await logOf(() =>
        harness.restore(inputs(target, byName('signed'), { signingKey }))
      )
      expect(await tableChecksums(server, target)).toEqual(await tableChecksums(server, source))
      const notice =
        /::notice::.*carries a signature \(manifest\.json\.sig\), not checked: signing-key is not set/
      if (signingKey) expect(lines).not.toMatch(notice)
      else expect(lines).toMatch(notice)
    }
  })

  it('refuses a backup signed with another key', async () => {
    await expectRefusedUnchanged(byName('signed'), /signature does not match/, OTHER_KEY)
  })

  it('refuses an unsigned backup when the key is set', async () => {
    await expectRefusedUnchanged(byName('unsigned'), /is not signed \(no manifest.json.sig/)
  })

  it('refuses a changed manifest under the old signature (row counts lowered to hide a loss)', async () => {
    const manifest = JSON.parse(signed.get('manifest.json')!.toString()) as Manifest
    manifest.rowCounts.tables[0].rows = 0
    await backend.seedArtifact({
      name: 'tampered.zip',
      files: {
        [manifest.file.name]: signed.get(manifest.file.name)!,
        'manifest.json': JSON.stringify(manifest, null, 2) + '\n',
        'manifest.json.sig': signed.get('manifest.json.sig')!
      }
    })
    await expectRefusedUnchanged(byName('tampered'), /signature does not match/)
  })

  it('refuses another dump under a signed manifest (the manifest and signature replayed)', async () => {
    const unsigned = await unzipEntries(backend.findArtifact('unsigned.zip')!.bytes)
    const other = JSON.parse(unsigned.get('manifest.json')!.toString()) as Manifest
    const manifest = JSON.parse(signed.get('manifest.json')!.toString()) as Manifest
    expect(other.file.sha256).not.toBe(manifest.file.sha256)
    await backend.seedArtifact({
      name: 'swapped.zip',
      files: {
        [manifest.file.name]: unsigned.get(other.file.name)!,
        'manifest.json': signed.get('manifest.json')!,
        'manifest.json.sig': signed.get('manifest.json.sig')!
      }
    })
    await expectRefusedUnchanged(byName('swapped'), /dump is not the one its signed manifest names/)
  })

  it('a file: the signed zip restores, a bare dump without manifest is refused', async () => {
    const zipFile = path.join(harness.work, 'signed.zip')
    writeFileSync(zipFile, signedZip)
    const target = await server.createDatabase()
    await harness.restore(inputs(target, { kind: 'file', path: zipFile }, { signingKey: KEY }))
    expect(await tableChecksums(server, target)).toEqual(await tableChecksums(server, source))
    const manifest = JSON.parse(signed.get('manifest.json')!.toString()) as Manifest
    const bare = path.join(harness.work, manifest.file.name)
    writeFileSync(bare, signed.get(manifest.file.name)!)
    await expectRefusedUnchanged({ kind: 'file', path: bare }, /has no manifest/)
    // beside it, the manifest and its signature: accepted
    writeFileSync(`${bare}.manifest.json`, signed.get('manifest.json')!)
    writeFileSync(`${bare}.manifest.json.sig`, signed.get('manifest.json.sig')!)
    const again = await server.createDatabase()
    await harness.restore(inputs(again, { kind: 'file', path: bare }, { signingKey: KEY }))
    expect(await tableChecksums(server, again)).toEqual(await tableChecksums(server, source))
  })

  it('the input: at least 32 characters, one word', async () => {
    const { getInputs } = await import('../../src/inputs.js')
    const read = (key: string) => {
      const given: Record<string, string> = {
        mode: 'restore',
        'database-url': server.url(source),
        'github-token': backend.githubToken,
        'signing-key': key
      }
      return getInputs(name => given[name] ?? '') as RestoreOptions
    }
    expect(read(KEY).signingKey).toBe(KEY)
    expect(read('').signingKey).toBeUndefined()
    expect(() => read('short')).toThrow(/^Input 'signing-key': is 5 characters long/)
    expect(() => read(`${KEY} ${KEY}`)).toThrow(/^Input 'signing-key': is not one word/)
  })
})

describe('a superuser restoring a backup no signing-key authenticates (what text checks cannot stop)', () => {
  const WARNING =
    /Restoring as (\w+), a superuser, a backup that no signing-key authenticates: SQL the backup builds at run time \(EXECUTE in a function or DO block\) cannot be checked beforehand, and as a superuser it can run programs on the database server \(COPY … PROGRAM\), write its files, create roles and connect again through dblink \(what it runs over such a connection commits by itself, outside the restore's one transaction: it stays even when the restore fails and keeps nothing else\)\. Restore as the database's owner without superuser \(as managed services do\), or set signing-key/

  it('unsigned, as a superuser: restored, with the warning in the result and the job summary', async () => {
    const { restoreSummaryMarkdown, text } = await import('../../src/summary.js')
    const target = await server.createDatabase()
    const result = await harness.restore(inputs(target, byName('unsigned')))
    expect(result.warnings).toHaveLength(1)
    expect(result.warnings[0]).toMatch(WARNING)
    expect(result.warnings[0]).toMatch(/^Restoring as postgres, a superuser/)
    // as the summary escapes text for Markdown
    expect(restoreSummaryMarkdown(result)).toContain(
      `\n> [!WARNING]\n> ${text(result.warnings[0])}\n`
    )
    expect(result.rowsRestored).toBeGreaterThan(0)
  })

  it('signed and checked with the key: no warning', async () => {
    const { restoreSummaryMarkdown } = await import('../../src/summary.js')
    const target = await server.createDatabase()
    const result = await harness.restore(inputs(target, byName('signed'), { signingKey: KEY }))
    expect(result.warnings).toEqual([])
    expect(restoreSummaryMarkdown(result)).not.toMatch(/WARNING|superuser/)
    expect(await tableChecksums(server, target)).toEqual(await tableChecksums(server, source))
  })

  it('unsigned, as the database owner without superuser: no warning', async () => {
    await server.query(
      'postgres',
      `DO $$BEGIN CREATE ROLE signing_owner LOGIN PASSWORD 'owner-pw'; EXCEPTION WHEN duplicate_object THEN NULL; END$$`
    )
    const target = await server.createDatabase()
    await server.query('postgres', `ALTER DATABASE "${target}" OWNER TO signing_owner`)
    await server.query(target, 'ALTER SCHEMA public OWNER TO signing_owner')
    const result = await harness.restore(
      testRestoreInputs(
        server.url(target, { user: 'signing_owner', password: 'owner-pw' }),
        byName('unsigned'),
        {}
      )
    )
    expect(result.warnings).toEqual([])
    expect(result.rowsRestored).toBeGreaterThan(0)
  })
})
