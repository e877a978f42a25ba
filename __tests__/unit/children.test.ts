/**
 * The leftover-process check the harness runs after every test (support/children.ts) finds a
 * program of the action's still running below this process, and stops seeing it once it exits.
 */
import { expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { actionChildren, leftoverChildren } from '../support/children.js'

it('finds a tar this process started while it runs, and not after it exited', async () => {
  expect(actionChildren()).toEqual([])
  // tar reading an archive from a pipe nobody writes to: it waits, like pg_restore --list did
  const tar = spawn('tar', ['-tf', '-'], { stdio: ['pipe', 'ignore', 'ignore'] })
  await new Promise(resolve => setTimeout(resolve, 200))
  const found = actionChildren()
  expect(found).toEqual([{ pid: tar.pid, command: 'tar -tf -' }])
  tar.stdin.end()
  await once(tar, 'close')
  expect(await leftoverChildren(1_000)).toEqual([])
})

it('a child still alive after the wait is reported, and stopped', async () => {
  const tar = spawn('tar', ['-tf', '-'], { stdio: ['pipe', 'ignore', 'ignore'] })
  const closed = once(tar, 'close')
  await new Promise(resolve => setTimeout(resolve, 200))
  const left = await leftoverChildren(300)
  expect(left.map(c => c.pid)).toEqual([tar.pid])
  const [code, signal] = await closed
  expect({ code, signal }).toEqual({ code: null, signal: 'SIGKILL' })
})
