/**
 * DATABASE_URL in libpq's keyword/value form (a10 #12): what psql takes by hand, the command line
 * takes too. A backup and a restore with `host=… port=… user=… password='…' dbname=…` against a
 * real server, a password holding a space, a quote and a backslash (quoted and escaped as libpq
 * reads them), which never reaches what is printed.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { seedSample, tableChecksums } from '../../dev/fixtures.js'
import { useHarness } from '../support/harness.js'
import type { TestServer } from '../../dev/postgres.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const harness = useHarness({ name: 'connection-keyword-value', backend: false })
const ROLE = 'kv_owner'
/** A space, a quote and a backslash: written password='it\'s a p\\w …' in the string. */
const PASSWORD = `it's a p\\w ${randomBytes(6).toString('hex')}`
let server: TestServer
let source: string
let work: string

beforeAll(async () => {
  ;({ server, work } = harness)
  source = await server.createDatabase('shop')
  await seedSample(server, source)
  await server.query(
    'postgres',
    `CREATE ROLE ${ROLE} LOGIN SUPERUSER PASSWORD '${PASSWORD.replace(/'/g, "''")}'`
  )
}, 60_000)

/** The keyword/value string for `database`, spaces around '=' and all. */
function conninfo(database: string): string {
  const quoted = PASSWORD.replace(/\\/g, '\\\\').replace(/'/g, "\\'")
  return `host=127.0.0.1  port = ${server.port} user=${ROLE} password='${quoted}' dbname=${database} sslmode=disable`
}

function cli(
  args: string[],
  env: Record<string, string>
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      path.join(root, 'node_modules/.bin/tsx'),
      [path.join(root, 'src/cli.ts'), ...args],
      { cwd: work, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } }
    )
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', d => (stdout += d))
    child.stderr.on('data', d => (stderr += d))
    child.on('error', reject)
    child.on('close', code => resolve({ code, stdout, stderr }))
  })
}

describe("DATABASE_URL as libpq's keyword/value string", () => {
  it('is the string psql takes by hand', () => {
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' }
    const out = execFileSync(
      path.join(server.binDir, 'psql'),
      ['-XAtc', 'SELECT current_user || current_database()', conninfo(source)],
      { env, encoding: 'utf8' }
    )
    expect(out.trim()).toBe(`${ROLE}${source}`)
  })

  it('backs up and restores with it; the password is never printed', async () => {
    const out = path.join(work, 'backups')
    const backup = await cli(['backup', '--output-dir', out], { DATABASE_URL: conninfo(source) })
    expect({ code: backup.code, stderr: backup.stderr }).toEqual({ code: 0, stderr: '' })
    // the connection is described as the URL's would be, without the password
    expect(backup.stdout).toContain(`${ROLE}@127.0.0.1:${server.port}/${source}`)
    const dump = readdirSync(out).find(f => !f.endsWith('.manifest.json'))!

    const target = await server.createDatabase()
    const restore = await cli(['restore', '--backup-file', path.join(out, dump)], {
      DATABASE_URL: conninfo(target)
    })
    expect({ code: restore.code, stderr: restore.stderr }).toEqual({ code: 0, stderr: '' })
    expect(restore.stdout).toMatch(/✔ Restored file .*: \d+ tables, \d+ rows/)
    expect(await tableChecksums(server, target)).toEqual(await tableChecksums(server, source))
    const owners = await server.query<{ owner: string }>(
      target,
      "SELECT DISTINCT tableowner AS owner FROM pg_tables WHERE schemaname = 'public'"
    )
    expect(owners.length).toBeGreaterThan(0)

    for (const text of [backup.stdout, backup.stderr, restore.stdout, restore.stderr]) {
      expect(text).not.toContain(PASSWORD)
      expect(text).not.toContain(PASSWORD.slice(-12))
    }
  }, 120_000)

  it('hostaddr= without host=, as psql takes it: backs up and restores (was: "has no host")', async () => {
    const quoted = PASSWORD.replace(/\\/g, '\\\\').replace(/'/g, "\\'")
    const byAddress = (database: string): string =>
      `hostaddr=127.0.0.1 port=${server.port} user=${ROLE} password='${quoted}' dbname=${database} sslmode=disable`
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' }
    const psql = execFileSync(
      path.join(server.binDir, 'psql'),
      ['-XAtc', 'SELECT current_database()', byAddress(source)],
      { env, encoding: 'utf8' }
    )
    expect(psql.trim()).toBe(source)
    const out = path.join(work, 'by-address')
    const backup = await cli(['backup', '--output-dir', out], { DATABASE_URL: byAddress(source) })
    expect({ code: backup.code, stderr: backup.stderr }).toEqual({ code: 0, stderr: '' })
    expect(backup.stdout).toContain(`${ROLE}@127.0.0.1:${server.port}/${source}`)
    const dump = readdirSync(out).find(f => !f.endsWith('.manifest.json'))!
    const target = await server.createDatabase()
    const url = `postgresql://${ROLE}:${encodeURIComponent(PASSWORD)}@/${target}?hostaddr=127.0.0.1&port=${server.port}&sslmode=disable`
    const restore = await cli(['restore', '--backup-file', path.join(out, dump)], {
      DATABASE_URL: url
    })
    expect({ code: restore.code, stderr: restore.stderr }).toEqual({ code: 0, stderr: '' })
    expect(await tableChecksums(server, target)).toEqual(await tableChecksums(server, source))
  }, 120_000)

  it('service=name reads pg_service.conf as psql does: backs up and restores, the password in the file never printed (was refused)', async () => {
    const file = path.join(work, 'pg_service.conf')
    // libpq reads the file's values as written: no quoting
    writeFileSync(
      file,
      `[shop]\nhost=127.0.0.1\nport=${server.port}\nuser=${ROLE}\npassword=${PASSWORD}\nsslmode=disable\n`,
      { mode: 0o600 }
    )
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      PGSERVICEFILE: file
    }
    const psql = execFileSync(
      path.join(server.binDir, 'psql'),
      ['-XAtc', 'SELECT current_user || current_database()', `service=shop dbname=${source}`],
      { env, encoding: 'utf8' }
    )
    expect(psql.trim()).toBe(`${ROLE}${source}`)
    const out = path.join(work, 'by-service')
    const backup = await cli(['backup', '--output-dir', out], {
      PGSERVICEFILE: file,
      DATABASE_URL: `postgresql:///${source}?service=shop`
    })
    expect({ code: backup.code, stderr: backup.stderr }).toEqual({ code: 0, stderr: '' })
    expect(backup.stdout).toContain(`${ROLE}@127.0.0.1:${server.port}/${source}`)
    const dump = readdirSync(out).find(f => !f.endsWith('.manifest.json'))!
    const target = await server.createDatabase()
    const restore = await cli(['restore', '--backup-file', path.join(out, dump)], {
      PGSERVICEFILE: file,
      DATABASE_URL: `service=shop dbname=${target}`
    })
    expect({ code: restore.code, stderr: restore.stderr }).toEqual({ code: 0, stderr: '' })
    expect(await tableChecksums(server, target)).toEqual(await tableChecksums(server, source))
    for (const text of [backup.stdout, restore.stdout]) {
      expect(text).not.toContain(PASSWORD)
      expect(text).not.toContain(PASSWORD.slice(-12))
    }
  }, 120_000)

  it('several hosts, the first one down: the log names the host that answered (u11 F3)', async () => {
    const quoted = PASSWORD.replace(/\\/g, '\\\\').replace(/'/g, "\\'")
    const url = `host=127.0.0.1,127.0.0.1 port=1,${server.port} user=${ROLE} password='${quoted}' dbname=${source} sslmode=disable`
    const out = path.join(work, 'second-host')
    const backup = await cli(['backup', '--output-dir', out], { DATABASE_URL: url })
    expect({ code: backup.code, stderr: backup.stderr }).toEqual({ code: 0, stderr: '' })
    expect(backup.stdout).toContain(
      `Connected to ${ROLE}@127.0.0.1:${server.port}/${source}, host 2 of the 2 in the URL (before it: `
    )
    expect(backup.stdout).not.toContain(PASSWORD)
  }, 120_000)

  it('an unterminated quote after password=: exit 2, the fix, no piece of the password', async () => {
    const text = `host=127.0.0.1 port=${server.port} user=${ROLE} password='${PASSWORD.replace(/'/g, '')} dbname=${source}`
    const result = await cli(['backup', '--output-dir', path.join(work, 'never')], {
      DATABASE_URL: text
    })
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(
      /Environment variable DATABASE_URL: has a quoted value of password whose opening quote is never closed/
    )
    const secret = PASSWORD.replace(/'/g, '')
    for (let i = 0; i + 4 <= secret.length; i++) {
      const piece = secret.slice(i, i + 4)
      if (/^[a-z ]+$/.test(piece)) continue // "its " and such are words of the message
      expect(result.stdout + result.stderr).not.toContain(piece)
    }
  }, 60_000)
})
