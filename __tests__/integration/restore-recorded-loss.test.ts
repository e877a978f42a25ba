/**
 * A backup whose step failed on row loss (fail-on-row-loss: true) is kept and is the newest: a
 * restore or check of the latest backup uses it. They say so loudly, in a warning and the job
 * summary, naming the backup and the loss its manifest recorded (user trial 6, F3). Through the
 * real artifact client and the loopback backend; the restore's rows asserted in the target.
 */
import { beforeAll, expect, it } from '@jest/globals'
import type { TestServer } from '../../dev/postgres.js'
import { useHarness } from '../support/harness.js'
import { useInProcessStep } from '../support/step.js'

const harness = useHarness({ name: 'restore-recorded-loss' })
const runStep = useInProcessStep(harness)
let server: TestServer

const LOSS = /public\.items lost 90% of its rows since the previous backup \(1000 → 100/

beforeAll(async () => {
  server = harness.server
  const source = await server.createDatabase('loss_src')
  await server.query(
    source,
    `CREATE TABLE public.items (id integer PRIMARY KEY);
     INSERT INTO public.items SELECT generate_series(1, 1000);`
  )
  const inputs = {
    'database-url': server.url(source),
    'artifact-name': 'small',
    'github-token': harness.backend.githubToken
  }
  expect((await runStep(inputs)).error).toBeUndefined()
  await server.query(source, 'DELETE FROM public.items WHERE id > 100')
  const lossy = await runStep({ ...inputs, 'fail-on-row-loss': 'true' })
  expect(lossy.error?.message).toMatch(/fail-on-row-loss is true/)
}, 180_000)

it('restore of the latest backup: the loss its manifest recorded is a warning and in the summary', async () => {
  const target = await server.createDatabase()
  const step = await runStep({
    mode: 'restore',
    'database-url': server.url(target),
    'artifact-name': 'small',
    'github-token': harness.backend.githubToken
  })
  expect(step.error).toBeUndefined()
  expect(await server.query(target, 'SELECT count(*)::int AS n FROM public.items')).toEqual([
    { n: 100 }
  ])
  // workflow commands escape '%' as %25
  const warning = step.stdout
    .split('\n')
    .map(l => l.replace(/%25/g, '%'))
    .find(l => l.startsWith('::warning::') && LOSS.test(l))
  expect(warning).toMatch(/recorded a loss when it was made[^]*restore the backup before it/)
  expect(step.summary).toMatch(LOSS)
}, 120_000)

it('check of the newest backup: the same warning, in the summary too', async () => {
  const step = await runStep({
    mode: 'check',
    'artifact-name': 'small',
    'github-token': harness.backend.githubToken
  })
  expect(step.error).toBeUndefined()
  expect(step.stdout).toMatch(/::warning::The newest backup [^\n]*recorded a loss/)
  expect(step.summary).toMatch(LOSS)
}, 120_000)
