import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {
  ClientVersionError,
  candidateDirectories,
  chooseDumpClient,
  discoverClients,
  parseClientVersion
} from '../../src/postgres/clients.js'
import { InputError } from '../../src/inputs.js'

/** A real executable that prints a version like pg_dump does. */
function fakeClient(dir: string, program: string, versionText: string): void {
  mkdirSync(dir, { recursive: true })
  const file = path.join(dir, program)
  writeFileSync(file, `#!/bin/sh\necho '${versionText}'\n`)
  chmodSync(file, 0o755)
}

describe('parseClientVersion', () => {
  it.each([
    ['pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)', { version: '15.18', major: 15 }],
    ['pg_dump (PostgreSQL) 18.1', { version: '18.1', major: 18 }],
    ['pg_dump (PostgreSQL) 17beta2', { version: '17', major: 17 }],
    ['pg_restore (PostgreSQL) 13.22 (Ubuntu 13.22-1.pgdg22.04+1)', { version: '13.22', major: 13 }]
  ])('%s', (text, expected) => expect(parseClientVersion(text)).toEqual(expected))

  it('returns undefined for something else', () => {
    expect(parseClientVersion('mysqldump  Ver 8.0')).toBeUndefined()
  })
})

describe('discovery over platform layouts', () => {
  let root: string
  beforeAll(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'clients-'))
    // Debian/Ubuntu
    fakeClient(
      path.join(root, 'usr/lib/postgresql/14/bin'),
      'pg_dump',
      'pg_dump (PostgreSQL) 14.19 (Ubuntu 14.19-1)'
    )
    fakeClient(
      path.join(root, 'usr/lib/postgresql/16/bin'),
      'pg_dump',
      'pg_dump (PostgreSQL) 16.10 (Ubuntu 16.10-1)'
    )
    // Debian's wrapper in /usr/bin must never be chosen
    mkdirSync(path.join(root, 'usr/share/postgresql-common'), { recursive: true })
    fakeClient(
      path.join(root, 'usr/share/postgresql-common'),
      'pg_wrapper',
      'pg_dump (PostgreSQL) 16.10'
    )
    mkdirSync(path.join(root, 'usr/bin'), { recursive: true })
    symlinkSync(
      path.join(root, 'usr/share/postgresql-common/pg_wrapper'),
      path.join(root, 'usr/bin/pg_dump')
    )
    // RHEL family
    fakeClient(path.join(root, 'usr/pgsql-17/bin'), 'pg_dump', 'pg_dump (PostgreSQL) 17.6')
    // Homebrew
    fakeClient(
      path.join(root, 'opt/homebrew/opt/postgresql@15/bin'),
      'pg_dump',
      'pg_dump (Homebrew) (PostgreSQL) 15.14'
    )
    // Windows layout, found through ProgramFiles
    fakeClient(
      path.join(root, 'Program Files/PostgreSQL/13/bin'),
      'pg_dump',
      'pg_dump (PostgreSQL) 13.22'
    )
    // something on PATH that is not pg_dump at all
    fakeClient(path.join(root, 'elsewhere'), 'pg_dump', 'not a postgres tool')
  })
  afterAll(() => rmSync(root, { recursive: true, force: true }))

  const dirs = (): string[] =>
    candidateDirectories({
      root,
      env: {
        ProgramFiles: path.join(root, 'Program Files'),
        PATH: [path.join(root, 'usr/bin'), path.join(root, 'elsewhere')].join(path.delimiter)
      }
    })

  it('finds every real client with its version, lowest first, and skips the wrapper', async () => {
    const found = await discoverClients('pg_dump', dirs())
    expect(found.map(f => [f.major, path.relative(root, f.binDir)])).toEqual([
      [13, 'Program Files/PostgreSQL/13/bin'],
      [14, 'usr/lib/postgresql/14/bin'],
      [15, 'opt/homebrew/opt/postgresql@15/bin'],
      [16, 'usr/lib/postgresql/16/bin'],
      [17, 'usr/pgsql-17/bin']
    ])
  })

  it('chooses the lowest major at least as new as the server', async () => {
    expect((await chooseDumpClient(15, '15.3', { dirs: dirs() })).major).toBe(15)
    expect((await chooseDumpClient(16, '16.1', { dirs: dirs() })).major).toBe(16)
    expect((await chooseDumpClient(12, '12.9', { dirs: dirs() })).major).toBe(13)
  })

  it('fails naming the server version, every client found, and the fix', async () => {
    const error = await chooseDumpClient(18, '18.1', { dirs: dirs() }).catch(e => e)
    expect(error).toBeInstanceOf(ClientVersionError)
    expect(error.message).toContain('PostgreSQL 18.1')
    for (const v of ['13.22', '14.19', '15.14', '16.10', '17.6'])
      expect(error.message).toContain(`pg_dump ${v}`)
    expect(error.message).toContain('postgresql-client-18')
    expect(error.message).toContain('pg-bin-dir: /usr/lib/postgresql/18/bin')
  })

  it('honours pg-bin-dir and names it when it is wrong', async () => {
    const chosen = await chooseDumpClient(14, '14.1', {
      pgBinDir: path.join(root, 'usr/pgsql-17/bin')
    })
    expect(chosen.major).toBe(17)
    const missing = await chooseDumpClient(14, '14.1', {
      pgBinDir: path.join(root, 'nowhere')
    }).catch(e => e)
    expect(missing).toBeInstanceOf(InputError)
    expect(missing.message).toMatch(/^Input 'pg-bin-dir': .* has no working pg_dump/)
    const old = await chooseDumpClient(16, '16.1', {
      pgBinDir: path.join(root, 'usr/lib/postgresql/14/bin')
    }).catch(e => e)
    expect(old.message).toMatch(/^Input 'pg-bin-dir': The server runs PostgreSQL 16.1/)
  })
})
