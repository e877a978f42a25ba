/**
 * A process that starts a child which handles SIGTERM (as pg_restore does), then cancels as a
 * run would once its load's COMMIT was sent — the child frozen while a look that never ends
 * runs — and prints the child's PID and "frozen". The test kills this process (SIGKILL) while
 * the child is frozen: the child must not stay stopped (process.test.ts).
 */
import { cancelChildren, startChild } from '../../src/process.js'

const child = startChild('/bin/sh', ['-c', 'trap "exit 0" TERM; sleep 60 & wait'])
child.done.catch(() => undefined)
setTimeout(() => {
  process.stdout.write(`${child.pid}\n`)
  void cancelChildren('SIGINT', 2000, { look: () => new Promise(() => undefined), ms: 60_000 })
  setTimeout(() => process.stdout.write('frozen\n'), 200)
}, 300)
