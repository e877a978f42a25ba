/**
 * The action's entry point: runs run(), and is the only place that fails the step. A cancelled
 * run (the runner's SIGINT/SIGTERM) stops its children first and fails once (stopOnSignals).
 */
import * as core from '@actions/core'
import { finishCancelledAction, run, stopOnSignals } from './main.js'
import { cancelledBy } from './process.js'

const running = run()
stopOnSignals(running, finishCancelledAction)
running.catch((error: unknown) => {
  if (cancelledBy()) return // finishCancelledAction fails the step, once
  core.setFailed(error instanceof Error ? error.message : String(error))
})
