/**
 * The row-loss comparison needs the previous backup's manifest, read with github-token; a token
 * without `actions: read` (GitHub answers 403) skips it. That is said as a warning and in the job
 * summary, naming the permission to add — not as a plain log line a row loss would hide behind.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { seedSample } from '../../dev/fixtures.js'
import type { TestServer } from '../../dev/postgres.js'
import { useHarness } from '../support/harness.js'
import { useInProcessStep } from '../support/step.js'

const harness = useHarness({ name: 'previous-unreadable' })
const runStep = useInProcessStep(harness)
let server: TestServer
let database: string

beforeAll(async () => {
  server = harness.server
  database = await server.createDatabase('previous_db')
  await seedSample(server, database)
}, 60_000)

describe('the previous backup cannot be read (token without actions: read)', () => {
  it('warns and says in the summary that the comparison was skipped, why, and the permission to add', async () => {
    const { backend } = harness
    const inputs = {
      'database-url': server.url(database),
      'artifact-name': 'prev-403',
      'github-token': backend.githubToken
    }
    const first = await runStep(inputs)
    expect(first.error).toBeUndefined()
    backend.setTokenAccess(backend.githubToken, 'none')
    try {
      const second = await runStep(inputs)
      expect(second.error).toBeUndefined()
      const warning = second.stdout
        .split('\n')
        .find(line => line.startsWith('::warning') && line.includes('previous backup'))
      expect(warning).toMatch(
        /The comparison with the previous backup is skipped: the token may not read this repository's artifacts \(HTTP 403\), so this backup was not compared with the previous one \(no row-loss warning.*Add 'actions: read' to the workflow's \(or the job's\) permissions/
      )
      expect(second.summary).toMatch(
        /Not compared with the previous backup: the token may not read this repository&#39;s artifacts \(HTTP 403\)[^\n]*no row-loss warning[^\n]*Add &#39;actions\\: read&#39;/
      )
    } finally {
      backend.setTokenAccess(backend.githubToken, 'write')
    }
  }, 120_000)
})
