/**
 * A cancel freezes the run's children (SIGSTOP) while it reads their server sessions
 * (process.ts cancelChildren). Killed in that moment (SIGKILL, the OOM killer), the run cannot
 * continue them: a child that handles SIGTERM (pg_restore) would stay stopped with its
 * parent-death SIGTERM pending, its session holding its transaction and locks (attacker a49
 * F1). Asserted on the child's process state.
 */
import { describe, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import { readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

const root = path.resolve(import.meta.dirname, '../..')
const TSX = pathToFileURL(path.join(root, 'node_modules/tsx/dist/loader.mjs')).href
const SCRIPT = path.join(root, '__tests__/support/freeze-child.ts')

/** The process's state letter (R, S, T…), or undefined once it is gone. */
function state(pid: number): string | undefined {
  try {
    return /^State:\s+(\S)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
  } catch {
    return undefined
  }
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

describe.each(process.platform === 'linux' ? [['linux']] : [])('a cancel (%s)', () => {
  it('killed while its children are frozen: a child that handles SIGTERM does not stay stopped', async () => {
    const run = spawn(process.execPath, ['--import', TSX, SCRIPT], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit']
    })
    let out = ''
    run.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
    const deadline = Date.now() + 20_000
    while (!out.includes('frozen') && Date.now() < deadline) await sleep(20)
    const pid = Number(out.split('\n')[0])
    expect(pid).toBeGreaterThan(0)
    try {
      expect(state(pid)).toBe('T')
      run.kill('SIGKILL')
      // the watchdog continues it within seconds; it takes its parent-death SIGTERM and ends
      const until = Date.now() + 10_000
      while (state(pid) !== undefined && state(pid) !== 'Z' && Date.now() < until) await sleep(100)
      expect(state(pid) ?? 'gone').toMatch(/gone|Z/)
    } finally {
      try {
        process.kill(-pid, 'SIGKILL')
      } catch {
        // gone
      }
    }
  }, 30_000)

  it('a second signal while its children are frozen: they are killed, and no watchdog outlives the run (attacker a53 F2)', async () => {
    const run = spawn(process.execPath, ['--import', TSX, SCRIPT, 'second-signal'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit']
    })
    let out = ''
    run.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
    const exited = new Promise(resolve => run.on('exit', resolve))
    const deadline = Date.now() + 20_000
    while (!out.includes('killed') && Date.now() < deadline) await sleep(20)
    const pid = Number(out.split('\n')[0])
    expect(pid).toBeGreaterThan(0)
    await exited
    await sleep(200)
    // the watchdog is `sh -c 'sleep 3; kill -CONT -<the child's group>'`
    const watchdogs = readdirSync('/proc')
      .filter(p => /^\d+$/.test(p))
      .filter(p => {
        try {
          return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(`kill -CONT -${pid}`)
        } catch {
          return false
        }
      })
    expect(watchdogs).toEqual([])
    expect(state(pid) ?? 'gone').toMatch(/gone|Z/)
  }, 30_000)
})
