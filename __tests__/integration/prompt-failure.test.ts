/**
 * Inputs that once hung the step instead of failing it (issue 14.10): the action (src/index.ts,
 * run as the runner runs it) must print one clear error naming the input and exit at once,
 * leaving nothing running and nothing in RUNNER_TEMP.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { readdirSync } from 'node:fs'
import type { ArtifactBackend } from '../../dev/artifact-backend.js'
import { seedSample } from '../../dev/fixtures.js'
import type { TestServer } from '../../dev/postgres.js'
import { useHarness } from '../support/harness.js'
import { startActionProcess } from '../support/step.js'

const harness = useHarness({ name: 'prompt-failure-test' })
let server: TestServer
let backend: ArtifactBackend
let database: string

beforeAll(async () => {
  ;({ server, backend } = harness)
  database = await server.createDatabase('app')
  await seedSample(server, database)
}, 120_000)

interface Ran {
  code: number | null
  ms: number
  stdout: string
  summary: string
  runnerTemp: string
}

/** Runs the action's entry with `inputs`; kills it after `limitMs` (a hang). */
async function runAction(inputs: Record<string, string>, limitMs = 60_000): Promise<Ran> {
  const started = Date.now()
  const action = startActionProcess(harness, { 'database-url': server.url(database), ...inputs })
  const timer = setTimeout(() => action.child.kill('SIGKILL'), limitMs)
  const code = await action.exited
  clearTimeout(timer)
  return {
    code,
    ms: Date.now() - started,
    stdout: action.stdout(),
    summary: action.summary(),
    runnerTemp: action.runnerTemp
  }
}

function errors(ran: Ran): string[] {
  return ran.stdout.split('\n').filter(l => l.startsWith('::error::'))
}

describe('inputs that hung fail at once, naming the input', () => {
  it.each([
    ['retention-days', '100000000', /Input 'retention-days': 100000000 is out of range/],
    ['retention-days', '99999999999999999999', /Input 'retention-days': .* is out of range/],
    ['artifact-name', 'x'.repeat(400), /Input 'artifact-name': .*400 characters/],
    ['artifact-name', 'é'.repeat(130), /Input 'artifact-name': .*bytes/]
  ])(
    '%s: %#',
    async (input, value, message) => {
      const ran = await runAction({ [input]: value })
      console.log(
        ran.code,
        ran.ms,
        ran.stdout
          .split('\n')
          .filter(l => !l.startsWith('::debug'))
          .slice(-25)
          .join('\n')
      )
      expect(errors(ran)).toEqual([expect.stringMatching(message)])
      expect(ran.code).toBe(1)
      expect(ran.ms).toBeLessThan(15_000)
      expect(ran.summary).toMatch(/❌ Database backup failed/)
      expect(readdirSync(ran.runnerTemp)).toEqual([])
      expect(backend.artifacts().filter(a => a.name.startsWith(value.slice(0, 10)))).toEqual([])
    },
    90_000
  )
})
