/**
 * Typed fixtures for restores as the harness server's app role (no superuser, as managed services
 * give): a source backed up by the action's step, a target database app owns, the restore step
 * into it, and what the target's public schema holds after.
 */
import { expect } from '@jest/globals'
import type { Harness } from './harness.js'
import type { Step, StepRunner } from './step.js'

/**
 * Creates database `name` on the harness's server with `sql` and backs it up through the action's
 * step as artifact `artifact`; the step must succeed.
 */
export async function backUpSource(
  harness: Harness,
  runStep: StepRunner,
  source: { name: string; sql: string; artifact: string }
): Promise<void> {
  const db = await harness.server.createDatabase(source.name)
  await harness.server.query(db, source.sql)
  const step = await runStep({
    'database-url': harness.server.url(db),
    'artifact-name': source.artifact
  })
  expect(step.error).toBeUndefined()
}

/** A new database owned by the app role (its `public` schema as PostgreSQL gives it). */
export async function appOwnedTarget(harness: Harness): Promise<string> {
  const { server } = harness
  const target = await server.createDatabase()
  await server.query('postgres', `ALTER DATABASE ${target} OWNER TO ${server.appUser}`)
  return target
}

/** The action's restore step of `artifact` into `target`, connected as app; `inputs` added. */
export function restoreAsApp(
  harness: Harness,
  runStep: StepRunner,
  target: string,
  artifact: string,
  inputs: Record<string, string> = {}
): Promise<Step> {
  const { server } = harness
  return runStep({
    mode: 'restore',
    'database-url': server.url(target, { user: server.appUser, password: server.appPassword }),
    'artifact-name': artifact,
    'github-token': harness.backend.githubToken,
    ...inputs
  })
}

/** How many relations the target's public schema holds (0: nothing of a restore was kept). */
export async function publicRelations(harness: Harness, target: string): Promise<number> {
  const [{ n }] = await harness.server.query<{ n: number }>(
    target,
    "SELECT count(*)::int AS n FROM pg_class WHERE relnamespace = 'public'::regnamespace"
  )
  return n
}
