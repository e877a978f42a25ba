/**
 * Typed fixtures for what the integration suites back up and restore from: an artifact of the
 * loopback backend's current run, and a source large enough that a restore loads it while it
 * downloads.
 */
import type { ArtifactBackend } from '../../dev/artifact-backend.js'
import type { TestServer } from '../../dev/postgres.js'
import type { BackupSource } from '../../src/types.js'

/** The artifact `name` of the backend's current workflow run, as a restore's source. */
export function currentRunArtifact(backend: ArtifactBackend, name: string): BackupSource {
  return {
    kind: 'artifact',
    name,
    runId: 'current',
    repository: backend.repository,
    token: backend.githubToken
  }
}

/**
 * public.items, 700,000 rows of hex digests (a zstd custom dump of some 30 MB: more than the
 * 16 MiB beyond its table of contents that a restore waits for before it loads while the rest
 * downloads), and public.small, two rows.
 */
export async function seedLiveSized(server: TestServer, database: string): Promise<void> {
  await server.query(
    database,
    `CREATE TABLE public.items (id integer PRIMARY KEY, a text NOT NULL, b text NOT NULL);
     INSERT INTO public.items
       SELECT i, md5(i::text) || md5((i * 7)::text), md5((i * 13)::text) || md5((i * 17)::text)
         FROM generate_series(1, 700000) i;
     CREATE TABLE public.small (id integer PRIMARY KEY, note text);
     INSERT INTO public.small VALUES (1, 'one'), (2, 'two');`
  )
}
