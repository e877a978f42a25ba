/**
 * A restore of a large backup reports progress while it loads (issue 20.9): the bytes of the
 * backup read of its size, elapsed time, an estimate of what remains, and the table the server
 * is loading — where before it printed nothing between "Restoring in one transaction" and the end.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals'
import type { TestServer } from '../../dev/postgres.js'
import { type Log, actionLog, useLog } from '../../src/log.js'
import { useHarness } from '../support/harness.js'
import { testBackupInputs, testRestoreInputs } from '../support/inputs.js'

const harness = useHarness({ name: 'restore-progress' })
let server: TestServer
let source: string

const lines: string[] = []
const capture: Log = {
  ...actionLog,
  info: m => void lines.push(m),
  warning: m => void lines.push(`warning: ${m}`),
  notice: m => void lines.push(`notice: ${m}`),
  debug: () => undefined,
  group: async (name, fn) => {
    lines.push(`▸ ${name}`)
    return fn()
  },
  progressStyle: 'lines',
  progress: m => void lines.push(`progress: ${m}`)
}

beforeAll(async () => {
  ;({ server } = harness)
  source = await server.createDatabase('progress_src')
  await server.query(
    source,
    `CREATE TABLE public.events (id bigint PRIMARY KEY, body text);
     INSERT INTO public.events SELECT g, md5(g::text) || repeat('x', 200) FROM generate_series(1, 300000) g`
  )
  useLog(capture)
}, 120_000)

afterAll(() => useLog(actionLog))

it('logs the share of the backup read, the time left and the table loading, then restores it all', async () => {
  const made = await harness.backup(
    testBackupInputs(server.url(source), {
      artifactName: 'progress',
      format: 'plain',
      compression: 'gzip'
    })
  )
  const target = await server.createDatabase('progress_dst')
  lines.length = 0
  const restored = await harness.restore(
    testRestoreInputs(server.url(target), {
      kind: 'artifact',
      name: 'progress',
      runId: 'current',
      repository: 'o/r',
      token: ''
    }),
    { progressIntervalMs: 50 }
  )
  expect(restored.rowsRestored).toBe(300000)
  const progress = lines.filter(l => l.startsWith('progress: '))
  expect(progress.length).toBeGreaterThan(0)
  for (const line of progress) {
    expect(line).toMatch(
      /^progress: [\d.]+ [KMG]?i?B of [\d.]+ [KMG]?i?B of the backup read \(\d+%\) in [\dhms. ]+/
    )
  }
  // a table the load created is named as such, never by its OID (trial u45 F7), and no share
  // is above 100% (the load's own pass over the file, not the sum of every pass)
  expect(progress.join('\n')).not.toMatch(/loading \d+ /)
  const unit = { B: 1, KB: 2 ** 10, MB: 2 ** 20, GB: 2 ** 30 } as Record<string, number>
  for (const line of progress) {
    const [, read, readUnit, size, sizeUnit] =
      /([\d.]+) (\w+) of ([\d.]+) (\w+) of the backup/.exec(line)!
    expect(Number(read) * unit[readUnit]).toBeLessThanOrEqual(Number(size) * unit[sizeUnit])
  }
  // read only during the load: the shares never go down
  const shares = progress.map(l => Number(/\((\d+)%\)/.exec(l)![1]))
  expect(shares).toEqual([...shares].sort((a, b) => a - b))
  expect(made.manifest.file.sizeBytes).toBeGreaterThan(0)
}, 240_000)

it('jobs 2: its sessions read the archive themselves: the sessions, elapsed and a table loading, no share read (attacker a71 F2: "0 B … (0%)" throughout)', async () => {
  await harness.backup(
    testBackupInputs(server.url(source), { artifactName: 'progress-custom', format: 'custom' })
  )
  const target = await server.createDatabase('progress_jobs')
  lines.length = 0
  const restored = await harness.restore(
    testRestoreInputs(
      server.url(target),
      { kind: 'artifact', name: 'progress-custom', runId: 'current', repository: 'o/r', token: '' },
      { jobs: 2, singleTransaction: false }
    ),
    { progressIntervalMs: 50 }
  )
  expect(restored.rowsRestored).toBe(300000)
  const progress = lines.filter(l => l.startsWith('progress: '))
  expect(progress.length).toBeGreaterThan(0)
  for (const line of progress)
    expect(line).toMatch(
      /^progress: Loading with 2 sessions for [\dhms. ]+(; loading .*, among others)?$/
    )
}, 240_000)
