/**
 * A backup's manifest given as the backup file: refused, naming the dump it describes, and the
 * folder only where the folder names that one backup (an output-dir of daily backups does not).
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Manifest } from '../../src/manifest.js'
import { openLocalBackup } from '../../src/storage/local.js'
import { logOf } from '../support/log-capture.js'

/** Typed fixture: the manifest of the dump `name`. */
function manifestOf(name: string): Manifest {
  return {
    schemaVersion: 1,
    tool: { name: 'postgres-backup-action', version: '0.2.0' },
    createdAt: '2026-11-30T02:17:00.000Z',
    github: { runId: '41' },
    database: { name: 'shop', host: 'db', port: 5432, sizeBytes: 1 },
    server: { version: '17.2', versionNum: 170002, major: 17 },
    pgDump: { version: '17.2', major: 17 },
    format: 'custom',
    compression: { algorithm: 'zstd', level: 3, by: 'action' },
    file: { name, sizeBytes: 4, sha256: 'a'.repeat(64) },
    rawSizeBytes: 16,
    durationSeconds: 3,
    rowCounts: { method: 'exact', sameSnapshot: true, tables: [], totalRows: 0 },
    filters: {
      tables: [],
      excludeTables: [],
      excludeTableData: [],
      schemas: [],
      excludeSchemas: []
    },
    pgDumpArgs: []
  }
}

const root = mkdtempSync(path.join(os.tmpdir(), 'manifest-given-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

/** A folder holding these backups (dump and manifest each); the first one's manifest path. */
function folder(name: string, dumps: string[]): string {
  const dir = path.join(root, name)
  for (const dump of dumps) {
    writeFileSync(path.join(dir, dump), 'dump', { flag: 'w' })
    writeFileSync(path.join(dir, `${dump}.manifest.json`), JSON.stringify(manifestOf(dump)))
  }
  return path.join(dir, `${dumps[0]}.manifest.json`)
}

describe('a manifest given as the backup file', () => {
  it('names the dump, and the folder only when it holds that one backup', async () => {
    mkdirSync(path.join(root, 'one'))
    mkdirSync(path.join(root, 'daily'))
    const alone = await openLocalBackup(folder('one', ['shop.dump.zst']), root).catch(
      (e: Error) => e
    )
    expect((alone as Error).message).toBe(
      `'${path.join(root, 'one', 'shop.dump.zst.manifest.json')}' is the manifest of the backup 'shop.dump.zst', not a backup. Nothing was restored. Give backup-file '${path.join(root, 'one', 'shop.dump.zst')}' (the dump it describes) or the folder holding both.`
    )
    const daily = await openLocalBackup(
      folder('daily', ['shop-1.dump.zst', 'shop-2.dump.zst']),
      root
    ).catch((e: Error) => e)
    expect((daily as Error).message).toBe(
      `'${path.join(root, 'daily', 'shop-1.dump.zst.manifest.json')}' is the manifest of the backup 'shop-1.dump.zst', not a backup. Nothing was restored. Give backup-file '${path.join(root, 'daily', 'shop-1.dump.zst')}' (the dump it describes).`
    )
  })
})

describe('a backup-file that is a stream, not a file (attacker a41 F5)', () => {
  it('a named pipe is refused as one (it was said to be empty), with what to do', async () => {
    const { spawnSync } = await import('node:child_process')
    const fifo = path.join(root, 'fifo.sql')
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0)
    const error = await openLocalBackup(fifo, root).catch((e: Error) => e)
    expect((error as Error).message).toContain(
      `'${fifo}' is a named pipe (FIFO, e.g. a shell's <(…)), not a file: the restore reads its backup more than once`
    )
    expect((error as Error).message).toContain('Save it to a file first')
  })
})

describe('a manifest beside a renamed backup (trial u43 F13)', () => {
  it('describing the same bytes: used (its checks apply); describing another backup: not used, and said in a warning', async () => {
    const dir = path.join(root, 'renamed')
    mkdirSync(dir)
    const bytes = 'the dump bytes'
    writeFileSync(path.join(dir, 'prod.dump.zst'), bytes)
    const same = {
      ...manifestOf('shop-20261130T021700Z.dump.zst'),
      file: {
        name: 'shop-20261130T021700Z.dump.zst',
        sizeBytes: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex')
      }
    }
    writeFileSync(path.join(dir, 'prod.dump.zst.manifest.json'), JSON.stringify(same))
    const { lines, result } = await logOf(() =>
      openLocalBackup(path.join(dir, 'prod.dump.zst'), root)
    )
    expect(result.manifest?.file.sha256).toBe(same.file.sha256)
    expect(lines).toMatch(/describes 'shop-20261130T021700Z\.dump\.zst': the same bytes/)
    // another backup's manifest under this file's name: the same size, other bytes
    const other = { ...same, file: { ...same.file, sha256: 'b'.repeat(64) } }
    writeFileSync(path.join(dir, 'prod.dump.zst.manifest.json'), JSON.stringify(other))
    const stale = await logOf(() => openLocalBackup(path.join(dir, 'prod.dump.zst'), root))
    expect(stale.result.manifest).toBeUndefined()
    expect(stale.lines).toMatch(
      /::warning::.*prod\.dump\.zst\.manifest\.json describes another backup, 'shop-20261130T021700Z\.dump\.zst' \(its sha256 differs from this file\): it is not used, and 'prod\.dump\.zst' is restored without a manifest's checks/
    )
  })
})
