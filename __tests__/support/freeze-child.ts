/**
 * A process that starts a child which handles SIGTERM (as pg_restore does), then cancels as a
 * run would once its load's COMMIT was sent — the child frozen while a look that never ends
 * runs — and prints the child's PID and "frozen". The test kills this process (SIGKILL) while
 * the child is frozen: the child must not stay stopped (process-freeze.test.ts). With the
 * argument `second-signal` it kills its children itself, as a second signal does, and exits.
 */
import { cancelChildren, killAllChildren, startChild } from '../../src/process.js'

const child = startChild('/bin/sh', ['-c', 'trap "exit 0" TERM; sleep 60 & wait'])
child.done.catch(() => undefined)
setTimeout(() => {
  process.stdout.write(`${child.pid}\n`)
  void cancelChildren('SIGINT', 2000, { look: () => new Promise(() => undefined), ms: 60_000 })
  setTimeout(() => {
    process.stdout.write('frozen\n')
    // `second-signal`: what a second signal does (main.ts end): every child killed at once
    if (process.argv.includes('second-signal')) {
      killAllChildren()
      process.stdout.write('killed\n')
      setTimeout(() => process.exit(143), 200)
    }
  }, 200)
}, 300)
