/**
 * The GitHub run the action is part of: the repository's visibility (from the event payload) and
 * the page of an artifact, through @actions/github's context, and the run for the manifest. Read
 * afresh at each call: the context is the runner's environment as it is then.
 */
import { context } from '@actions/github'

type Context = typeof context

function currentContext(): Context | undefined {
  try {
    return new (context.constructor as new () => Context)()
  } catch {
    return undefined // an event payload that is not JSON
  }
}

/** The run, for the manifest; undefined outside GitHub Actions. */
export function currentRun():
  { repository?: string; runId?: string; runAttempt?: string; workflow?: string } | undefined {
  const env = process.env
  if (!env.GITHUB_RUN_ID && !env.GITHUB_REPOSITORY) return undefined
  return {
    repository: env.GITHUB_REPOSITORY,
    runId: env.GITHUB_RUN_ID,
    runAttempt: env.GITHUB_RUN_ATTEMPT,
    workflow: env.GITHUB_WORKFLOW
  }
}

/** The repository's visibility, from the event payload the runner provides. */
export function repositoryVisibility(): 'public' | 'private' | 'unknown' {
  if (!process.env.GITHUB_EVENT_PATH) return 'unknown'
  const repo = currentContext()?.payload.repository as
    { private?: boolean; visibility?: string } | undefined
  if (!repo) return 'unknown'
  if (repo.private === false || repo.visibility === 'public') return 'public'
  if (repo.private === true) return 'private'
  return 'unknown'
}

/** The page users download an artifact from: Actions → run → Artifacts. */
export function artifactUrl(id: number): string | undefined {
  const env = process.env
  if (!env.GITHUB_SERVER_URL || !env.GITHUB_REPOSITORY || !env.GITHUB_RUN_ID) return undefined
  const run = currentContext()
  if (!run) return undefined
  const { owner, repo } = run.repo
  return `${run.serverUrl}/${owner}/${repo}/actions/runs/${run.runId}/artifacts/${id}`
}

/** This run's id, when the action runs in one. */
export function currentRunId(): number | undefined {
  return Number(process.env.GITHUB_RUN_ID) || undefined
}
