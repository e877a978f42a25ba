/**
 * The action from its sources as the runner runs it (INPUT_* variables, GITHUB_OUTPUT and
 * GITHUB_STEP_SUMMARY files, its stdout of workflow commands read back): src/main.ts run() in
 * this process (useInProcessStep), or src/index.ts as a process of its own (startActionProcess).
 */
import { beforeAll } from '@jest/globals'
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseOutputs, runnerStep, unescapeCommandData } from '../../dev/runner.js'
import type { Harness } from './harness.js'

export interface Step {
  error?: Error
  /** What the step wrote to stdout: workflow commands (::add-mask::, ::error::…) and log lines. */
  stdout: string
  /** The secrets announced with ::add-mask::, unescaped. */
  masked: string[]
  outputs: Record<string, string>
  summary: string
}

/**
 * Runs run() with `inputs` as the runner would, in a workflow run of its own unless `newRun` is
 * false (then in the backend's current run).
 */
export type StepRunner = (inputs: Record<string, string>, newRun?: boolean) => Promise<Step>

/**
 * Call after useHarness: registers a beforeAll that imports src/main.ts once the harness set the
 * backend's environment (the artifact client reads it on import), and returns the step runner.
 * `extraEnv` (read at each step) is added to the step's environment. One summary file for all
 * steps, emptied before each: @actions/core's summary keeps the path it first wrote to.
 */
export function useInProcessStep(
  harness: Harness,
  extraEnv: () => NodeJS.ProcessEnv = () => ({})
): StepRunner {
  let run: () => Promise<void>
  let clearSecrets: () => void
  beforeAll(async () => {
    ;({ run } = await import('../../src/main.js'))
    ;({ clearSecrets } = await import('../../src/secrets.js'))
  })
  return async (inputs, newRun = true) => {
    const { backend } = harness
    if (newRun) backend.newRun()
    clearSecrets()
    const dir = mkdtempSync(path.join(harness.work, 'step-'))
    const summaryFile = path.join(harness.work, 'step_summary')
    writeFileSync(summaryFile, '')
    const step = runnerStep(dir, backend.env(), inputs, {
      extraEnv: { ...extraEnv(), GITHUB_STEP_SUMMARY: summaryFile }
    })
    const saved = process.env
    const write = process.stdout.write.bind(process.stdout)
    let stdout = ''
    process.env = { ...step.env }
    process.stdout.write = ((chunk: string | Uint8Array) => {
      stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')
      return true
    }) as typeof process.stdout.write
    let error: Error | undefined
    try {
      await run()
    } catch (caught) {
      error = caught as Error
    } finally {
      process.stdout.write = write
      process.env = saved
      clearSecrets()
    }
    const masked = [...stdout.matchAll(/^::add-mask::(.*)$/gm)].map(m => unescapeCommandData(m[1]))
    return {
      error,
      stdout,
      masked,
      outputs: parseOutputs(readFileSync(step.outputFile, 'utf8')),
      summary: readFileSync(summaryFile, 'utf8')
    }
  }
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const ENTRY = path.join(root, 'src/index.ts')
const TSX = pathToFileURL(path.join(root, 'node_modules/tsx/dist/loader.mjs')).href

export interface ActionProcess {
  child: ChildProcess
  exited: Promise<number | null>
  /** What it wrote to stdout and stderr so far. */
  stdout(): string
  summary(): string
  runnerTemp: string
}

/**
 * Starts the action's entry (src/index.ts) like the runner does, against the harness's server
 * (its client programs, never an installed one) and artifact backend; `extraEnv` is added to the
 * step's environment.
 */
export function startActionProcess(
  harness: Harness,
  inputs: Record<string, string>,
  extraEnv?: NodeJS.ProcessEnv
): ActionProcess {
  const dir = mkdtempSync(path.join(harness.work, 'run-'))
  const step = runnerStep(
    dir,
    harness.backend.env(),
    { 'install-client': 'false', 'pg-bin-dir': harness.server.binDir, ...inputs },
    { extraEnv }
  )
  const child = spawn(process.execPath, ['--import', TSX, ENTRY], {
    env: step.env,
    cwd: step.workspace
  })
  let stdout = ''
  child.stdout.on('data', d => (stdout += d))
  child.stderr.on('data', d => (stdout += d))
  return {
    child,
    exited: new Promise(resolve => child.on('close', code => resolve(code))),
    stdout: () => stdout,
    summary: () => readFileSync(step.summaryFile, 'utf8'),
    runnerTemp: step.runnerTemp
  }
}
