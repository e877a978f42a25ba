/**
 * The workflow artifact: the dump and its manifest uploaded with @actions/artifact, stored as
 * a zip without re-compression (the dump is compressed already), kept `retention-days`.
 */
import { ArtifactNotFoundError, DefaultArtifactClient } from '@actions/artifact'
import { InputError, Inputs } from '../inputs.js'

export interface UploadedArtifact {
  id: number
  name: string
  size: number
  /** sha256 of the zip, as the backend stores it. */
  digest: string
  url?: string
}

export class ArtifactStorageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ArtifactStorageError'
  }
}

export function artifactClient(): DefaultArtifactClient {
  return new DefaultArtifactClient()
}

function explainClientError(action: string, error: unknown): ArtifactStorageError {
  const message = (error as Error)?.message ?? String(error)
  if (/ACTIONS_RUNTIME_TOKEN|ACTIONS_RESULTS_URL/.test(message)) {
    return new ArtifactStorageError(
      `cannot ${action}: ${message}. Artifacts can be used only inside a GitHub Actions job (the runner provides ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL).`
    )
  }
  if (/quota/i.test(message)) {
    return new ArtifactStorageError(
      `cannot ${action}: the account's artifact storage quota is used up. Delete old artifacts, lower retention-days, or raise the storage limit in the billing settings. (${message})`
    )
  }
  return new ArtifactStorageError(`cannot ${action}: ${message}`)
}

/**
 * Before anything is dumped: an artifact of this name in this run is an error unless
 * `overwrite` is set (then it is replaced only once the new backup is ready).
 */
export async function checkNameIsFree(
  client: DefaultArtifactClient,
  name: string,
  overwrite: boolean
): Promise<{ exists: boolean }> {
  try {
    await client.getArtifact(name)
  } catch (error) {
    if (error instanceof ArtifactNotFoundError || /not found/i.test(String(error))) {
      return { exists: false }
    }
    throw explainClientError('look up existing artifacts', error)
  }
  if (!overwrite) {
    throw new InputError(
      Inputs.ArtifactName,
      `an artifact named '${name}' already exists in this workflow run. Choose another artifact-name, or set 'overwrite: true' to replace it.`
    )
  }
  return { exists: true }
}

export async function uploadBackup(
  client: DefaultArtifactClient,
  options: {
    name: string
    files: string[]
    rootDirectory: string
    retentionDays: number
    replaceExisting: boolean
  }
): Promise<UploadedArtifact> {
  if (options.replaceExisting) {
    try {
      await client.deleteArtifact(options.name)
    } catch (error) {
      if (!(error instanceof ArtifactNotFoundError)) {
        throw explainClientError(`replace the artifact '${options.name}'`, error)
      }
    }
  }
  let response
  try {
    response = await client.uploadArtifact(options.name, options.files, options.rootDirectory, {
      retentionDays: options.retentionDays,
      // the dump is compressed already: store it in the zip as it is
      compressionLevel: 0
    })
  } catch (error) {
    if (/already exists/i.test(String((error as Error)?.message))) {
      throw new InputError(
        Inputs.ArtifactName,
        `an artifact named '${options.name}' already exists in this workflow run. Choose another artifact-name, or set 'overwrite: true' to replace it.`
      )
    }
    throw explainClientError('upload the artifact', error)
  }
  if (!response.id) {
    throw new ArtifactStorageError('the artifact backend did not return an artifact id')
  }
  return {
    id: response.id,
    name: options.name,
    size: response.size ?? 0,
    digest: response.digest ?? '',
    url: artifactUrl(response.id)
  }
}

/** The page users download from: Actions → run → Artifacts. */
export function artifactUrl(id: number, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const server = env.GITHUB_SERVER_URL
  const repository = env.GITHUB_REPOSITORY
  const runId = env.GITHUB_RUN_ID
  if (!server || !repository || !runId) return undefined
  return `${server}/${repository}/actions/runs/${runId}/artifacts/${id}`
}
