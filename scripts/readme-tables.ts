/**
 * The README's inputs and outputs tables, generated from action.yml so that they never drift:
 * `npm run docs` rewrites them, and a unit test fails when they differ.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

interface ActionYaml {
  inputs: Record<string, { description?: string; default?: string; required?: boolean }>
  outputs: Record<string, { description?: string }>
}

const cell = (text: string): string => text.replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|')

export function inputsTable(action: ActionYaml): string {
  const rows = Object.entries(action.inputs).map(([name, input]) => {
    const def = input.required ? '**required**' : input.default ? `\`${input.default}\`` : ''
    return `| \`${name}\` | ${cell(input.description ?? '')} | ${def} |`
  })
  return ['| Input | Description | Default |', '|---|---|---|', ...rows].join('\n')
}

export function outputsTable(action: ActionYaml): string {
  const rows = Object.entries(action.outputs).map(
    ([name, output]) => `| \`${name}\` | ${cell(output.description ?? '')} |`
  )
  return ['| Output | Description |', '|---|---|', ...rows].join('\n')
}

export function replaceBetween(text: string, marker: string, content: string): string {
  const start = `<!-- ${marker}:start -->`
  const end = `<!-- ${marker}:end -->`
  const from = text.indexOf(start)
  const to = text.indexOf(end)
  if (from < 0 || to < from) throw new Error(`README lacks the ${start} … ${end} markers`)
  return text.slice(0, from + start.length) + '\n' + content + '\n' + text.slice(to)
}

export function renderReadme(readme: string, actionYml: string): string {
  const action = parse(actionYml) as ActionYaml
  return replaceBetween(
    replaceBetween(readme, 'inputs', inputsTable(action)),
    'outputs',
    outputsTable(action)
  )
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const readmePath = path.join(root, 'README.md')
  const updated = renderReadme(
    readFileSync(readmePath, 'utf8'),
    readFileSync(path.join(root, 'action.yml'), 'utf8')
  )
  writeFileSync(readmePath, updated)
  console.log('README.md tables updated from action.yml')
}
