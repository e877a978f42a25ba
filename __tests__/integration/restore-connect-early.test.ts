/**
 * A small backup's restore opens its sessions to the target while the backup is checked
 * (restore.ts openTarget): a backup the check refuses is still refused first, with its own
 * error, whatever the target (unreachable too), and the sessions opened meanwhile are ended.
 */
import { beforeAll, expect, it } from '@jest/globals'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { type TestServer, freePort } from '../../dev/postgres.js'
import { useHarness } from '../support/harness.js'
import { testRestoreInputs } from '../support/inputs.js'

const harness = useHarness({ name: 'restore-connect-early-test' })
let server: TestServer
let refused: string

beforeAll(async () => {
  server = harness.server
  // a custom archive's magic and then nothing pg_restore can read: refused by Check the backup
  refused = path.join(harness.work, 'refused.dump')
  await writeFile(refused, Buffer.concat([Buffer.from('PGDMP'), Buffer.alloc(4096, 0x7f)]))
}, 120_000)

it('a backup its check refuses is refused with its own error before an unreachable target is named', async () => {
  const port = await freePort()
  const error = await harness
    .restore(
      testRestoreInputs(`postgresql://u:pw@127.0.0.1:${port}/db`, {
        kind: 'file',
        path: refused
      })
    )
    .then(
      () => undefined,
      (e: unknown) => e as Error
    )
  expect(error?.message).toMatch(/pg_restore --list rejected the archive/)
  expect(error?.message).not.toMatch(/could not connect/)
})

it('the sessions opened while the backup was checked are ended when it is refused', async () => {
  const target = await server.createDatabase()
  const error = await harness
    .restore(testRestoreInputs(server.url(target), { kind: 'file', path: refused }))
    .then(
      () => undefined,
      (e: unknown) => e as Error
    )
  expect(error?.message).toMatch(/pg_restore --list rejected the archive/)
  // what is connected to the target (but this query's own session), for up to 10 s
  let sessions: unknown[] = []
  for (let i = 0; i < 100; i++) {
    sessions = await server.query(
      target,
      'SELECT pid FROM pg_catalog.pg_stat_activity WHERE datname = current_database() AND pid <> pg_catalog.pg_backend_pid()'
    )
    if (sessions.length === 0) break
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  expect(sessions).toEqual([])
})
