/**
 * The README's "run it" command, `npm run demo` (scripts/demo.ts), run as a user would run it:
 * it must pass all its checks, and leave no server and no temporary directory behind.
 */
import { expect, it } from '@jest/globals'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

interface DemoRun {
  code: number | null
  output: string
  ms: number
}

function runDemo(): Promise<DemoRun> {
  const env: NodeJS.ProcessEnv = { ...process.env }
  // Jest's --experimental-vm-modules is not for the demo's Node processes
  delete env.NODE_OPTIONS
  delete env.DEMO_DEBUG
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', 'demo'], { cwd: root, env })
    let output = ''
    child.stdout.on('data', d => (output += d))
    child.stderr.on('data', d => (output += d))
    const timer = setTimeout(() => child.kill('SIGINT'), 75_000)
    child.on('error', reject)
    child.on('close', code => {
      clearTimeout(timer)
      resolve({ code, output, ms: Date.now() - started })
    })
  })
}

it('npm run demo backs up, restores and verifies, then cleans up', async () => {
  const run = await runDemo()
  expect({ code: run.code, tail: run.output.slice(-3000) }).toEqual({
    code: 0,
    tail: expect.any(String)
  })
  const out = run.output
  expect(out).toMatch(/^Node v24\./m)
  expect(out).toContain('✓ the action exited with code 0')
  expect(out).toContain("✓ artifact 'demo-backup' arrived in the backend")
  expect(out).toMatch(/✓ artifact zip \(\d+ bytes\) has the sha256 of output artifact-digest/)
  expect(out).toContain('✓ sha256 of the dump matches manifest.json and output sha256')
  expect(out).toMatch(/✓ the action \(mode: verify\) restored the artifact into 'shop_restored'/)
  expect(out).toMatch(/✓ restored row counts match the manifest: \d+ tables, \d+ rows/)
  expect(out).toContain('✓ manifest row counts match the seeded data')
  expect(out).toContain('## ✅ Database backup')
  expect(out).toMatch(/^All \d+ checks passed in [\d.]+ s\.$/m)
  expect(out).not.toContain('✗')
  // the job summaries as plain text: no HTML entity (database&#39;s) nor Markdown escape
  expect(out).not.toMatch(/&#\d+;/)
  expect(run.ms).toBeLessThan(60_000)

  // nothing left behind: its temporary directory (data dir inside) and its server processes
  const tempDir = /^Temporary directory: (.+)$/m.exec(out)?.[1]
  expect(tempDir).toBeDefined()
  expect(existsSync(tempDir!)).toBe(false)
  // (the demo's watchdog, whose command line names the directory, exits right after the demo)
  const leftovers = (): string[] =>
    spawnSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter(line => line.includes(tempDir!))
  for (let i = 0; i < 50 && leftovers().length > 0; i++) await sleep(100)
  expect(leftovers()).toEqual([])
}, 90_000)
