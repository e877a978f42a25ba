/**
 * The engine under test (the modes, the connection parser and the real artifact client), loaded
 * for a test file once its loopback artifact backend runs. The order matters: @actions/artifact
 * reads GITHUB_API_URL once, when it is first imported, so the backend's environment is set
 * first and the modules are imported after it (a static import would be too early).
 */
import type { ArtifactBackend } from './artifact-backend.js'

export interface Engine {
  backupEngine: typeof import('../../src/modes/backup.js')
  restoreEngine: typeof import('../../src/modes/restore.js')
  verifyEngine: typeof import('../../src/modes/verify.js')
  connections: typeof import('../../src/postgres/connection.js')
  artifact: typeof import('@actions/artifact')
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
  return { backupEngine, restoreEngine, verifyEngine, connections, artifact }
}
