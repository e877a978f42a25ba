/**
 * The demo's "is dist/ current?" note (dev/src-hash.ts) compares the content of src/ with the
 * hash `npm run package` recorded, not modification times: a fresh clone (every file with the
 * checkout's time) is current; a changed file, a new one or a renamed one is not.
 */
import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { distState, sourceHash } from '../../dev/src-hash.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

function project(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'src-hash-'))
  mkdirSync(path.join(dir, 'src', 'modes'), { recursive: true })
  mkdirSync(path.join(dir, 'dist'))
  writeFileSync(path.join(dir, 'src', 'main.ts'), 'export const a = 1\n')
  writeFileSync(path.join(dir, 'src', 'modes', 'check.ts'), 'export const b = 2\n')
  writeFileSync(path.join(dir, 'dist', 'index.js'), '// built\n')
  return dir
}

describe('dist/src.sha256', () => {
  it('a fresh checkout (sources newer than dist/ by time, the same by content) is current', () => {
    const dir = project()
    try {
      expect(distState(dir)).toBe('unknown')
      writeFileSync(path.join(dir, 'dist', 'src.sha256'), `${sourceHash(path.join(dir, 'src'))}\n`)
      const later = new Date(Date.now() + 3_600_000)
      utimesSync(path.join(dir, 'src', 'main.ts'), later, later)
      utimesSync(path.join(dir, 'dist', 'index.js'), new Date(0), new Date(0))
      expect(distState(dir)).toBe('current')

      writeFileSync(path.join(dir, 'src', 'main.ts'), 'export const a = 2\n')
      expect(distState(dir)).toBe('stale')
      writeFileSync(path.join(dir, 'src', 'main.ts'), 'export const a = 1\n')
      expect(distState(dir)).toBe('current')
      renameSync(path.join(dir, 'src', 'modes', 'check.ts'), path.join(dir, 'src', 'check.ts'))
      expect(distState(dir)).toBe('stale')
      rmSync(path.join(dir, 'src', 'check.ts'))
      expect(distState(dir)).toBe('stale')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it("what npm run package writes is this checkout's src/ hash (tsx dev/src-hash.ts)", () => {
    const printed = spawnSync(path.join(root, 'node_modules/.bin/tsx'), ['dev/src-hash.ts'], {
      cwd: root,
      encoding: 'utf8'
    })
    expect(printed.status).toBe(0)
    expect(printed.stdout).toBe(`${sourceHash(path.join(root, 'src'))}\n`)
    expect(printed.stdout).toMatch(/^[0-9a-f]{64}\n$/)
  })
})
