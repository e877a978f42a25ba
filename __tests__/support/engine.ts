/**
 * The engine under test (the modes, the connection parser and the real artifact client), loaded
 * for a test file once its loopback artifact backend runs. The order matters: @actions/artifact
 * reads GITHUB_API_URL once, when it is first imported, so the backend's environment is set
 * first and the modules are imported after it (a static import would be too early).
 *
 * The modes are run as the front doors run them: an engine error about an option is described
 * for the inputs (describeForInputs), so tests read the messages users read ("Input 'x': …").
 */
import type { ArtifactBackend } from '../../dev/artifact-backend.js'
import { describeForInputs } from '../../src/inputs.js'

export interface Engine {
  backupEngine: typeof import('../../src/modes/backup.js')
  restoreEngine: typeof import('../../src/modes/restore.js')
  verifyEngine: typeof import('../../src/modes/verify.js')
  connections: typeof import('../../src/postgres/connection.js')
  artifact: typeof import('@actions/artifact')
}

/** `mode` with its errors described as the action and the CLI describe them. */
export function asFrontDoor<A extends unknown[], R>(
  mode: (...args: A) => Promise<R>,
  name?: string
): (...args: A) => Promise<R> {
  return (...args) =>
    mode(...args).catch((error: unknown) => {
      throw describeForInputs(error, 'action', name)
    })
}

export async function loadEngine(backend: ArtifactBackend): Promise<Engine> {
  Object.assign(process.env, backend.env())
  const [backupEngine, restoreEngine, verifyEngine, connections, artifact] = await Promise.all([
    import('../../src/modes/backup.js'),
    import('../../src/modes/restore.js'),
    import('../../src/modes/verify.js'),
    import('../../src/postgres/connection.js'),
    import('@actions/artifact')
  ])
  return {
    backupEngine: { ...backupEngine, backup: asFrontDoor(backupEngine.backup) },
    restoreEngine: { ...restoreEngine, restore: asFrontDoor(restoreEngine.restore) },
    verifyEngine: { ...verifyEngine, verify: asFrontDoor(verifyEngine.verify, 'verify') },
    connections,
    artifact
  }
}
