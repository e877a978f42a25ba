/**
 * Uploads that cannot succeed, against the loopback backend and the real artifact client: a
 * backend that answers 503 to every call of one kind (with GitHub's error bodies, or none, as
 * Azure's front ends answer) fails the backup with a message that says what failed (the service,
 * the HTTP status, the retries done) and what to do — never an empty cause (issue 14.11); a zip
 * that cannot be read fails it normally, without the client's uncaught stream error (14.7).
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, readdirSync } from 'node:fs'
import path from 'node:path'
import type { ArtifactBackend } from '../../dev/artifact-backend.js'
import type { TestServer } from '../../dev/postgres.js'
import { useHarness } from '../support/harness.js'
import { testBackupInputs } from '../support/inputs.js'

const harness = useHarness({ name: 'upload-faults-test' })
let server: TestServer
let backend: ArtifactBackend
let shop: string

beforeAll(async () => {
  ;({ server, backend } = harness)
  shop = await server.createDatabase('shop')
  await server.query(
    shop,
    `CREATE TABLE public.items (id integer PRIMARY KEY, label text);
     INSERT INTO public.items SELECT i, md5(i::text) FROM generate_series(1, 2000) i;`
  )
}, 60_000)

describe('every call of one kind answers 503', () => {
  for (const [target, overwrite, body] of [
    ['CreateArtifact', false, undefined],
    ['FinalizeArtifact', false, undefined],
    ['blob:stageBlock', false, undefined],
    ['blob:commitBlockList', false, undefined],
    ['blob:stageBlock', true, undefined],
    ['blob:stageBlock', false, ''],
    ['blob:commitBlockList', false, ''],
    ['CreateArtifact', false, '']
  ] as const) {
    it(`${target}${overwrite ? ' (the zip written first: overwrite)' : ''}${body === '' ? ', empty body' : ''}`, async () => {
      const name = `always-503-${Math.random().toString(36).slice(2, 8)}`
      backend.faults.failNext(target, 1000, 503, body)
      let error: Error
      try {
        error = (await harness
          .backup(testBackupInputs(server.url(shop), { artifactName: name, overwrite }))
          .then(
            () => new Error('the backup succeeded'),
            (e: Error) => e
          )) as Error
      } finally {
        backend.faults.reset()
      }
      console.log(`${target}: ${error.message}`)
      // what failed, how often it was tried, and what to do
      expect(error.message).toMatch(
        target.startsWith('blob:')
          ? /^cannot upload the artifact\S*.*: GitHub's artifact storage \(Azure Blob Storage\) answered HTTP 503\b.* to each of 4 tries\. Nothing usable was uploaded\. GitHub's artifact service is failing: run the backup again later/
          : new RegExp(
              `^cannot upload the artifact: GitHub's artifact service \\(${target}\\) failed 5 attempts: .*\\. Nothing usable was uploaded\\. GitHub's artifact service is failing: run the backup again later`
            )
      )
      // the status, where the client kept it (a Twirp answer that is not JSON loses it)
      expect(error.message).toMatch(body === '' && !target.startsWith('blob:') ? /not JSON/ : /503/)
      expect(readdirSync(harness.tempRoot)).toEqual([])
    }, 120_000)
  }
})

describe('the zip to upload cannot be read', () => {
  for (const [what, make] of [
    ['a folder where the zip should be', (p: string) => mkdirSync(p)],
    ['missing', () => undefined]
  ] as const) {
    it(`${what}: a normal failure naming the file, no uncaught error`, async () => {
      const { uploadBackup } = await import('../../src/storage/artifact.js')
      const zipPath = path.join(mkdtempSync(path.join(harness.work, 'zip-')), 'unreadable.zip')
      make(zipPath)
      const uncaught: unknown[] = []
      const record = (error: unknown): void => void uncaught.push(error)
      process.on('uncaughtException', record)
      let error: Error
      try {
        error = await uploadBackup(new harness.engine.artifact.DefaultArtifactClient(), {
          zipPath,
          retentionDays: 1,
          replaceExisting: false
        }).then(
          () => new Error('the upload succeeded'),
          (e: Error) => e
        )
        await new Promise(resolve => setTimeout(resolve, 200))
      } finally {
        process.off('uncaughtException', record)
      }
      console.log(`${what}: ${error.message}`)
      expect(uncaught).toEqual([])
      expect(error.message).toMatch(/^cannot upload the artifact: .*unreadable\.zip/)
    }, 60_000)
  }
})
