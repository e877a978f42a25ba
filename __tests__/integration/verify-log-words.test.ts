/**
 * verify's log says what the restored copy holds in words (user trial 6, F10): "1 materialized
 * view", never the manifest's keys ("0 materializedViews"). Through the real artifact client and
 * the loopback backend.
 */
import { beforeAll, expect, it } from '@jest/globals'
import type { TestServer } from '../../dev/postgres.js'
import { useHarness } from '../support/harness.js'
import { useInProcessStep } from '../support/step.js'

const harness = useHarness({ name: 'verify-log-words' })
const runStep = useInProcessStep(harness)
let server: TestServer

beforeAll(async () => {
  server = harness.server
  const source = await server.createDatabase('words_src')
  await server.query(
    source,
    `CREATE TABLE public.items (id integer PRIMARY KEY);
     INSERT INTO public.items SELECT generate_series(1, 10);
     CREATE MATERIALIZED VIEW public.ten AS SELECT count(*) AS n FROM public.items;`
  )
  const step = await runStep({ 'database-url': server.url(source), 'artifact-name': 'words' })
  expect(step.error).toBeUndefined()
}, 120_000)

it('the object counts are one line of words', async () => {
  const scratch = await server.createDatabase()
  const step = await runStep({
    mode: 'verify',
    'verify-database-url': server.url(scratch),
    'artifact-name': 'words',
    'github-token': harness.backend.githubToken
  })
  expect(step.error).toBeUndefined()
  expect(step.stdout).toMatch(
    /^The restored copy holds 1 table \(manifest 1\), 0 views \(manifest 0\), 1 materialized view \(manifest 1\), 0 sequences \(manifest 0\), 1 index \(manifest 1\), 0 functions \(manifest 0\)\.$/m
  )
  expect(step.stdout).not.toMatch(/materializedViews/)
}, 120_000)
