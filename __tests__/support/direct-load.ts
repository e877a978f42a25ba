/**
 * loadBackup (src/postgres/load.ts) on the harness's own server, as the suites of the direct
 * load (pg_restore -d) and of subset restores call it: the server's own pg_restore, one
 * transaction, no owners or privileges, a fresh work directory each time.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import path from 'node:path'
import type { TestServer } from '../../dev/postgres.js'
import { type LoadOptions, type LoadPlan, loadBackup } from '../../src/postgres/load.js'
import type { Compression } from '../../src/types.js'
import type { Harness } from './harness.js'

/** What a load starts from (the action's defaults, owners and privileges left out). */
export const LOAD_OPTIONS: LoadOptions = {
  clean: false,
  noOwner: true,
  noPrivileges: true,
  singleTransaction: true,
  jobs: 1,
  tables: [],
  schemas: []
}

/** The plan of a custom archive (compressed with `compression`) for the server's own client. */
export function serverLoadPlan(server: TestServer, compression: Compression = 'none'): LoadPlan {
  const version = /(\d+)\.(\d+)/.exec(server.version)!
  return {
    format: 'custom',
    decoding: { compression },
    client: {
      binDir: server.binDir,
      versionText: server.version,
      version: `${version[1]}.${version[2]}`,
      major: server.major
    }
  }
}

/** Loads the archive `file` into `database` of the harness's server; `options` over LOAD_OPTIONS. */
export function loadInto(
  harness: Pick<Harness, 'server' | 'work'>,
  file: string,
  database: string,
  options: Partial<LoadOptions> = {},
  compression: Compression = 'none'
): ReturnType<typeof loadBackup> {
  const { server } = harness
  return loadBackup(
    { path: file },
    serverLoadPlan(server, compression),
    { env: server.env(database) as Record<string, string>, database, serverMajor: server.major },
    { ...LOAD_OPTIONS, ...options },
    mkdtempSync(path.join(harness.work, 'work-'))
  )
}

/** pg_dump's output for `database` with `args` (e.g. -Fc -Z0), written to a pipe (no data offsets). */
export function pgDumpBytes(server: TestServer, database: string, args: string[]): Buffer {
  return execFileSync(path.join(server.binDir, 'pg_dump'), args, {
    env: server.env(database),
    maxBuffer: 1 << 30
  })
}

/** What the engine wrote to stdout (the log) while `run` ran. */
export async function capturedLog(run: () => Promise<unknown>): Promise<string> {
  const write = process.stdout.write.bind(process.stdout)
  let out = ''
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString()
    return true
  }) as typeof process.stdout.write
  try {
    await run()
  } finally {
    process.stdout.write = write
  }
  return out
}
