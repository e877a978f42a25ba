/**
 * The action's entry point: runs run(), and is the only place that fails the step. A cancelled
 * run (the runner's SIGINT/SIGTERM) stops its children first and fails once (stopOnSignals).
 */
import * as core from '@actions/core'
import { finishCancelledAction, run, stopOnSignals } from './main.js'
import { EXIT_GRACE_MS, cancelledBy, killAllChildren } from './process.js'
import { removeWorkDirsNow } from './storage/local.js'

const running = run()
stopOnSignals(running, finishCancelledAction)
running
  .catch((error: unknown) => {
    if (cancelledBy()) return // finishCancelledAction fails the step, once
    core.setFailed(error instanceof Error ? error.message : String(error))
  })
  .finally(() => {
    // the outcome is decided and reported: nothing left behind (a pipe no one will open, a
    // socket kept alive) may hold the step open. The timer does not keep Node alive itself.
    setTimeout(() => {
      killAllChildren()
      removeWorkDirsNow()
      process.exit()
    }, EXIT_GRACE_MS).unref()
  })
