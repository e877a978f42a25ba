import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { renderReadme } from '../../scripts/readme-tables.js'
import { Inputs } from '../../src/inputs.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const readme = readFileSync(path.join(root, 'README.md'), 'utf8')
const actionYml = readFileSync(path.join(root, 'action.yml'), 'utf8')

describe('README and action.yml', () => {
  it('the inputs and outputs tables are in step with action.yml (npm run docs)', () => {
    expect(readme).toBe(renderReadme(readme, actionYml))
  })

  it('action.yml declares exactly the inputs the code reads', () => {
    const declared = Object.keys(parse(actionYml).inputs).sort()
    expect(declared).toEqual(Object.values(Inputs).sort())
  })

  it('gives the two set-up commands', () => {
    expect(readme).toContain('npm ci && npm run demo')
    expect(readme).toContain('npm ci && npm test')
  })

  it('never interpolates inputs into a shell in action.yml', () => {
    expect(actionYml).not.toMatch(/run:[^\n]*\$\{\{\s*inputs\./)
  })
})
