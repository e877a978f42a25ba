/**
 * Real PostgreSQL client programs (pg_dump, pg_restore, psql) for the version matrix: the
 * machine's own Debian/Ubuntu clients under /usr/lib/postgresql/<major>/bin, and clients of the
 * majors in PROVISIONED_MAJORS that scripts/provision-pg-clients.sh unpacks from Debian's archive
 * into a cache outside the repository (npm test's pretest and .ci/run run it). Those are wrapper
 * scripts that run the real Debian binaries through their own dynamic loader; to the action
 * they are ordinary clients in a directory on PATH.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/** Majors provisioned from Debian's archive (17: trixie, 18: forky). */
export const PROVISIONED_MAJORS = [17, 18] as const

/** The command that provisions them (no root needed; about 20 s and 20 MB the first time). */
export const PROVISION_COMMAND = `bash scripts/provision-pg-clients.sh ${PROVISIONED_MAJORS.join(' ')}`

const DEBIAN_ROOT = '/usr/lib/postgresql'

export interface RealClient {
  major: number
  /** e.g. "17.12" */
  version: string
  /** Directory holding pg_dump, pg_restore and psql. */
  binDir: string
  origin: 'debian' | 'provisioned'
}

/** The provisioning script's cache (same rule as scripts/provision-pg-clients.sh). */
export function clientCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PG_CLIENTS_CACHE) return env.PG_CLIENTS_CACHE
  const base = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache')
  return path.join(base, 'postgres-backup-action', 'pg-clients')
}

/** Where the provisioned client of `major` lives (its wrappers). */
export function provisionedBinDir(major: number): string {
  return path.join(clientCacheDir(), String(major), 'bin')
}

/** `pg_dump --version` of a bin dir, parsed; undefined when it does not run. */
function probe(binDir: string): { major: number; version: string } | undefined {
  const file = path.join(binDir, 'pg_dump')
  if (!existsSync(file)) return undefined
  const out = spawnSync(file, ['--version'], { encoding: 'utf8', timeout: 30_000 })
  const m = /\(PostgreSQL\) (\d+)\.(\d+)/.exec(out.stdout ?? '')
  if (out.status !== 0 || !m) return undefined
  return { major: Number(m[1]), version: `${m[1]}.${m[2]}` }
}

/** The Debian/Ubuntu clients installed on this machine, lowest major first. */
export function debianClients(): RealClient[] {
  const majors = existsSync(DEBIAN_ROOT)
    ? readdirSync(DEBIAN_ROOT)
        .filter(d => /^\d+$/.test(d))
        .map(Number)
        .sort((a, b) => a - b)
    : []
  const found: RealClient[] = []
  for (const major of majors) {
    const binDir = path.join(DEBIAN_ROOT, String(major), 'bin')
    const p = probe(binDir)
    if (p && p.major === major) found.push({ ...p, binDir, origin: 'debian' })
  }
  return found
}

/** The provisioned client of `major`, or why it is missing (with the command that fixes it). */
export function provisionedClient(major: number): RealClient | { missing: string } {
  const binDir = provisionedBinDir(major)
  const p = probe(binDir)
  if (p && p.major === major) return { ...p, binDir, origin: 'provisioned' }
  const state = existsSync(path.join(binDir, 'pg_dump'))
    ? `${binDir}/pg_dump does not run or is not of major ${major}`
    : `${binDir}/pg_dump does not exist`
  return {
    missing: `The real PostgreSQL ${major} client is missing (${state}). Provision it with: ${PROVISION_COMMAND} (npm test's pretest and .ci/run do; set PG_CLIENTS_CACHE or XDG_CACHE_HOME the same for both)`
  }
}
