/**
 * makeWorkDir's sweep: the work directories a killed run left (SIGKILL: its clean-up never ran;
 * a CLI's /tmp kept a decrypted dump, attacker a44 F3) are removed by the next run that makes
 * one there; a live run's, another host's or PID namespace's and unmarked ones are left.
 */
import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  writeFileSync
} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { makeWorkDir, OWNER_FILE } from '../../src/storage/local.js'

/** A directory named as makeWorkDir names them, holding `mark` (none when undefined). */
function leftDir(parent: string, name: string, mark?: string): string {
  const dir = path.join(parent, name)
  mkdirSync(dir)
  writeFileSync(path.join(dir, 'dump.sql'), 'secret rows\n')
  if (mark !== undefined) writeFileSync(path.join(dir, OWNER_FILE), mark)
  return dir
}

describe('makeWorkDir removes the work directories killed runs left', () => {
  it("removes a dead process's, keeps a live one's, another host's and an unmarked one", async () => {
    const parent = mkdtempSync(path.join(os.tmpdir(), 'work-dirs-'))
    // a process that has ended: its ID is free (or taken by a later process: another start time)
    const ended = spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' })
    const deadPid = Number(ended.stdout.trim())
    const host = os.hostname()
    const ns = existsSync('/proc/self/ns/pid') ? readlinkSync('/proc/self/ns/pid') : ''
    const dead = leftDir(parent, 'pg-restore-Ab12Cd', `${host}\n${deadPid}\n1\n${ns}\n`)
    // this process, with its real start time (the mark a live run writes)
    const mine = await makeWorkDir('pg-backup-', mkdtempSync(path.join(os.tmpdir(), 'own-')))
    const liveMark = readFileSync(path.join(mine, OWNER_FILE), 'utf8')
    expect(liveMark.split('\n')[1]).toBe(String(process.pid))
    const live = leftDir(parent, 'pg-backup-Ef34Gh', liveMark)
    // this process's ID with another start time: the ID was reused, its run is gone
    const reused = leftDir(
      parent,
      'pg-pipe-Ij56Kl',
      `${host}\n${process.pid}\n${Number(liveMark.split('\n')[2] || '0') + 1}\n${ns}\n`
    )
    const otherHost = leftDir(parent, 'pg-restore-Mn78Op', `not-${host}\n${deadPid}\n1\n${ns}\n`)
    // a run in another PID namespace (a container with this host's name and a shared folder):
    // its ID means nothing here, left (attacker a54 F4)
    const otherNamespace = leftDir(parent, 'pg-backup-Yz34Ab', `${host}\n${deadPid}\n1\npid:[1]\n`)
    const unmarked = leftDir(parent, 'pg-restore-Qr90St')
    const notOurs = leftDir(parent, 'pg-restored-Uv12Wx', `${host}\n${deadPid}\n1\n${ns}\n`)

    const made = await makeWorkDir('pg-restore-', parent)
    expect(existsSync(made)).toBe(true)
    expect(existsSync(dead)).toBe(false)
    expect(existsSync(live)).toBe(true)
    // /proc gives start times on Linux; elsewhere a live ID counts as its run's
    if (existsSync(`/proc/${process.pid}/stat`)) expect(existsSync(reused)).toBe(false)
    expect(existsSync(otherHost)).toBe(true)
    expect(existsSync(otherNamespace)).toBe(true)
    expect(existsSync(unmarked)).toBe(true)
    expect(existsSync(notOurs)).toBe(true)
    // the new directory's mark names this process
    expect(readFileSync(path.join(made, OWNER_FILE), 'utf8')).toBe(liveMark)
  })
})
