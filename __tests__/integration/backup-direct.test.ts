/**
 * A custom archive compressed with zstd is written as by hand, `pg_dump | zstd` through an OS
 * pipe: the dump's bytes never pass through the action. Its checks stay: what arrived is the
 * whole archive with its raw size, and a table of contents that pg_restore rejects, or a pg_dump
 * that writes nothing, fails the backup with nothing uploaded.
 */
import { beforeAll, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { chmodSync, mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { type ArtifactBackend, unzipEntries } from '../../dev/artifact-backend.js'
import { seedSample } from '../../dev/fixtures.js'
import type { TestServer } from '../../dev/postgres.js'
import type { Manifest } from '../../src/manifest.js'
import type { BackupOptions } from '../../src/types.js'
import { useHarness } from '../support/harness.js'
import { testBackupInputs } from '../support/inputs.js'

const harness = useHarness({ name: 'backup-direct-test' })
let server: TestServer
let backend: ArtifactBackend
let db: string

beforeAll(async () => {
  ;({ server, backend } = harness)
  db = await server.createDatabase('direct')
  await seedSample(server, db)
}, 60_000)

function inputs(overrides: Partial<BackupOptions> = {}): BackupOptions {
  return testBackupInputs(server.url(db), {
    artifactName: `direct-${Math.random().toString(36).slice(2, 8)}`,
    format: 'custom',
    compression: 'zstd',
    ...overrides
  })
}

/** Artifacts a restore could find: finalized and not deleted. */
function usable(): number {
  return backend.artifacts().filter(a => a.finalized && !a.deleted).length
}

/** A bin directory: the real pg_dump and pg_restore, but `fake` replaces one (except --version). */
function binWith(name: string, tool: 'pg_dump' | 'pg_restore', fake: string): string {
  const dir = path.join(harness.work, name)
  mkdirSync(dir, { recursive: true })
  for (const t of ['pg_dump', 'pg_restore'] as const) {
    const real = path.join(server.binDir, t)
    if (t !== tool) {
      symlinkSync(real, path.join(dir, t))
      continue
    }
    const script = path.join(dir, t)
    writeFileSync(
      script,
      `#!/bin/bash\nif [ "$1" = "--version" ] || [ "$1" = "-V" ]; then exec ${real} "$@"; fi\n${fake}\n`
    )
    chmodSync(script, 0o755)
  }
  return dir
}

it('the artifact holds the whole archive: its raw size, sha256, and every table pg_restore lists', async () => {
  const result = await harness.backup(inputs())
  const stored = backend.findArtifact(result.artifact!.name, backend.currentRunId)!
  const entries = await unzipEntries(stored.bytes)
  const manifest = JSON.parse(entries.get('manifest.json')!.toString('utf8')) as Manifest
  const file = entries.get(manifest.file.name)!
  const raw = zlib.zstdDecompressSync(file)
  expect(manifest.rawSizeBytes).toBe(raw.length)
  expect(manifest.file.sizeBytes).toBe(file.length)
  const { createHash } = await import('node:crypto')
  expect(manifest.file.sha256).toBe(createHash('sha256').update(file).digest('hex'))
  const dumpFile = path.join(harness.work, 'direct.dump')
  writeFileSync(dumpFile, raw)
  const listed = execFileSync(path.join(server.binDir, 'pg_restore'), ['--list', dumpFile], {
    encoding: 'utf8'
  })
  const dataLines = listed.split('\n').filter(l => !l.startsWith(';') && l.includes(' TABLE DATA '))
  expect(dataLines.length).toBeGreaterThan(0)
  expect(manifest.rowCounts.tables).toHaveLength(dataLines.length)
  for (const t of manifest.rowCounts.tables) {
    expect(dataLines.filter(l => l.includes(` TABLE DATA ${t.schema} ${t.name} `))).toHaveLength(1)
  }
})

it('a table of contents pg_restore rejects fails the backup, and no artifact is left', async () => {
  const before = usable()
  const bin = binWith(
    'rejecting-bin',
    'pg_restore',
    'head -c 100 >/dev/null; echo "pg_restore: error: did not find magic string in file header" >&2; exit 1'
  )
  await expect(harness.backup(inputs({ pgBinDir: bin }))).rejects.toThrow(
    /pg_restore --list rejected the archive: pg_restore: error: did not find magic string/
  )
  expect(usable()).toBe(before)
})

it('an archive pg_restore rejects fails the backup at once, not after the whole dump', async () => {
  const wide = await server.createDatabase('direct_wide')
  await server.query(
    wide,
    `CREATE TABLE big AS SELECT g AS id, md5(g::text) || md5((g * 7)::text) || md5((g * 13)::text) AS pad
       FROM generate_series(1, 300000) g`
  )
  // (a pg_dump that is a script: its output passes through the action, read to its end, and
  // pg_restore --list's refusal ends it there at once too)
  // pg_dump writes 20 MB (several zstd jobs), then the rest slowly (64 KiB every 0.5 s: over a
  // minute). It must trickle, not stop: zstd hands out a finished job's output only when it is
  // given more input, so after a full stop nothing would reach pg_restore --list at all
  const trickle =
    'read(STDIN, $b, 20000000); print $b; $| = 1; while (read(STDIN, $b, 65536)) { print $b; select(undef, undef, undef, 0.5) }'
  const bin = binWith(
    'stalling-bin',
    'pg_dump',
    `${path.join(server.binDir, 'pg_dump')} "$@" | perl -e '${trickle}'`
  )
  writeFileSync(
    path.join(bin, 'pg_restore.sh'),
    `#!/bin/bash\nif [ "$1" = "--version" ]; then exec ${path.join(server.binDir, 'pg_restore')} "$@"; fi\nhead -c 100 >/dev/null; echo "pg_restore: error: unsupported version (9.9) in file header" >&2; exit 1\n`
  )
  chmodSync(path.join(bin, 'pg_restore.sh'), 0o755)
  renameSync(path.join(bin, 'pg_restore.sh'), path.join(bin, 'pg_restore'))
  const started = Date.now()
  await expect(
    harness.backup(
      testBackupInputs(server.url(wide), {
        artifactName: 'direct-stalling',
        format: 'custom',
        compression: 'zstd',
        pgBinDir: bin
      })
    )
  ).rejects.toThrow(/pg_restore --list rejected the archive: .*unsupported version/)
  expect(Date.now() - started).toBeLessThan(30_000)
}, 90_000)

it('a pg_dump that exits 0 without output fails the backup, and no artifact is left', async () => {
  const before = usable()
  const bin = binWith('silent-bin', 'pg_dump', 'exit 0')
  await expect(harness.backup(inputs({ pgBinDir: bin }))).rejects.toThrow(
    /pg_restore --list rejected the archive|pg_dump produced no output/
  )
  expect(usable()).toBe(before)
})
