/**
 * Leftover processes: the programs the action runs (pg_dump, pg_restore, psql, pg_dumpall,
 * tar, zstd, gzip, age) found among this test process's descendants by a /proc scan (parent
 * links), so a child the action started and did not end — a `pg_restore --list` waiting for the
 * rest of an archive — is found whoever started it. useHarness() checks after every test.
 */
import { readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'

export const ACTION_PROGRAMS = [
  'pg_dump',
  'pg_restore',
  'psql',
  'pg_dumpall',
  'tar',
  'zstd',
  'gzip',
  'age'
]

export interface LeftChild {
  pid: number
  command: string
}

/** The descendants of `ancestor` (default: this process) that run one of `programs`. */
export function actionChildren(
  ancestor = process.pid,
  programs: readonly string[] = ACTION_PROGRAMS
): LeftChild[] {
  if (process.platform !== 'linux') return []
  const parent = new Map<number, number>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      // pid (comm) state ppid …: comm may hold spaces and parentheses, the last ')' ends it
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      parent.set(Number(entry), ppid)
    } catch {
      // gone
    }
  }
  const descends = (pid: number): boolean => {
    for (let p = parent.get(pid), hops = 0; p !== undefined && hops < 64; hops++) {
      if (p === ancestor) return true
      p = parent.get(p)
    }
    return false
  }
  const left: LeftChild[] = []
  for (const pid of parent.keys()) {
    if (!descends(pid)) continue
    let argv: string[]
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean)
    } catch {
      continue
    }
    // the provisioned 17/18 clients run through their dynamic loader: any argument may name it
    if (argv.some(a => programs.includes(path.basename(a)))) {
      left.push({ pid, command: argv.join(' ').slice(0, 200) })
    }
  }
  return left
}

/**
 * Waits up to `ms` for the action's children to exit, then returns those still alive (and
 * kills them, so that one leak does not fail every later test).
 */
export async function leftoverChildren(ms = 5_000): Promise<LeftChild[]> {
  const deadline = Date.now() + ms
  let left = actionChildren()
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise(resolve => setTimeout(resolve, 100))
    left = actionChildren()
  }
  for (const child of left) {
    try {
      process.kill(child.pid, 'SIGKILL')
    } catch {
      // gone
    }
  }
  return left
}
