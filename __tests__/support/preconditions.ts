/**
 * Tests that need something this machine may not give (mounting a tmpfs…): when it is missing
 * the test is registered as skipped with the reason in its name — listed by the run's summary
 * (support/skipped-reporter.js) — and never passes without running.
 */
import { it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

type TestFn = Parameters<typeof it>[1]

/** `it`, or, when `missing` gives a reason, `it.skip` with "skipped: <reason>" in the name. */
export function itWhen(
  missing: string | undefined
): (name: string, fn: TestFn, timeout?: number) => void {
  if (missing === undefined) return (name, fn, timeout) => it(name, fn, timeout)
  return (name, fn, timeout) => it.skip(`${name} — skipped: ${missing}`, fn, timeout)
}

/** Why a tmpfs cannot be mounted here (undefined when it can): probed once, on first use. */
export function tmpfsMissing(): string | undefined {
  if (probed === null) probed = probeTmpfs()
  return probed
}

let probed: string | undefined | null = null

function probeTmpfs(): string | undefined {
  if (process.platform !== 'linux')
    return `mounting a tmpfs needs Linux (this is ${process.platform})`
  if (process.getuid?.() !== 0)
    return 'mounting a tmpfs needs root (run the tests as root, as CI does)'
  const probe = mkdtempSync(path.join(os.tmpdir(), 'mount-probe-'))
  try {
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], {
      encoding: 'utf8'
    })
    if (mounted.status !== 0) {
      return `mount -t tmpfs is not permitted here (${(mounted.stderr || String(mounted.error)).trim()})`
    }
    spawnSync('umount', [probe])
    return undefined
  } finally {
    rmSync(probe, { recursive: true, force: true })
  }
}
