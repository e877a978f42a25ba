/**
 * What the GitHub runner gives a JavaScript action's step, for running dist/index.js as it does:
 * INPUT_<NAME> variables (upper-case, dashes kept), GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files,
 * RUNNER_TEMP and a workspace; and reading back what the step wrote.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const RUNNER_OS: Record<string, string> = { linux: 'Linux', darwin: 'macOS', win32: 'Windows' }

export interface RunnerStep {
  env: NodeJS.ProcessEnv
  workspace: string
  runnerTemp: string
  outputFile: string
  summaryFile: string
}

/**
 * Lays out a step under `dir` (created if needed) and its environment: the minimal PATH/HOME,
 * the runner's variables, `githubEnv` (e.g. the loopback backend's), the files, the inputs.
 */
export function runnerStep(
  dir: string,
  githubEnv: Record<string, string>,
  inputs: Record<string, string>,
  options: { workflow?: string; extraEnv?: NodeJS.ProcessEnv } = {}
): RunnerStep {
  const outputFile = path.join(dir, 'github_output')
  const summaryFile = path.join(dir, 'step_summary')
  const runnerTemp = path.join(dir, 'runner_temp')
  const workspace = path.join(dir, 'workspace')
  for (const d of [runnerTemp, workspace]) mkdirSync(d, { recursive: true })
  for (const f of [outputFile, summaryFile]) writeFileSync(f, '')
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME ?? os.homedir(),
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKFLOW: options.workflow ?? 'test',
    GITHUB_WORKSPACE: workspace,
    RUNNER_OS: RUNNER_OS[process.platform] ?? process.platform,
    RUNNER_TEMP: runnerTemp,
    ...githubEnv,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    ...options.extraEnv
  }
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value
  return { env, workspace, runnerTemp, outputFile, summaryFile }
}

/** GITHUB_OUTPUT uses heredoc blocks: name<<delimiter, value lines, delimiter. */
export function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i])
    if (!m) continue
    const value: string[] = []
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i])
    outputs[m[1]] = value.join('\n')
  }
  return outputs
}

/** Workflow commands carry %, CR and LF escaped. */
export function unescapeCommandData(s: string): string {
  return s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
}
