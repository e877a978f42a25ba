/**
 * Workflows, examples and action.yml checked by a real validator (action-validator, with
 * GitHub's published schemas), as they run on GitHub and not here.
 */
import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { EMBEDDED_MAJORS } from '../support/embedded.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const validator = path.join(root, 'node_modules/.bin/action-validator')

function validate(file: string): { status: number | null; output: string } {
  const result = spawnSync(validator, [file], { encoding: 'utf8' })
  return { status: result.status, output: result.stdout + result.stderr }
}

const workflows = [
  ...readdirSync(path.join(root, '.github/workflows')).map(f => `.github/workflows/${f}`),
  ...readdirSync(path.join(root, 'examples')).map(f => `examples/${f}`)
].filter(f => /\.ya?ml$/.test(f))

describe('workflow files', () => {
  it('there are workflows and examples to check', () => {
    expect(workflows).toEqual(
      expect.arrayContaining(['.github/workflows/ci.yml', 'examples/nightly-backup.yml'])
    )
  })

  it.each(workflows)('%s is a valid workflow', file => {
    const result = validate(path.join(root, file))
    expect(result).toEqual({ status: 0, output: expect.any(String) })
  })

  it('a broken workflow is caught (the validator can fail)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'wf-'))
    try {
      const bad = path.join(dir, 'bad.yml')
      writeFileSync(
        bad,
        'on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: a/b@v1\n        run: echo both\n'
      )
      expect(validate(bad).status).not.toBe(0)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('action.yml', () => {
  it('is a valid action (node24 checked separately: the published schema predates it)', () => {
    const text = readFileSync(path.join(root, 'action.yml'), 'utf8')
    expect(text).toMatch(/^runs:\n {2}using: node24\n {2}main: dist\/index\.js$/m)
    const dir = mkdtempSync(path.join(os.tmpdir(), 'action-'))
    try {
      const copy = path.join(dir, 'action.yml')
      writeFileSync(copy, text.replace('using: node24', 'using: node20'))
      expect(validate(copy)).toEqual({ status: 0, output: expect.any(String) })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('what is tested where (README: Compatibility)', () => {
  const read = (file: string) => parse(readFileSync(path.join(root, file), 'utf8'))

  it('the end-to-end workflow runs the action against every supported server major on GitHub', () => {
    const job = read('.github/workflows/e2e.yml').jobs['round-trip']
    expect(job.strategy.matrix.postgres).toEqual([...EMBEDDED_MAJORS])
    expect(job.services.postgres.image).toBe('postgres:${{ matrix.postgres }}')
  })

  it('CI, .ci/run and npm test provision the same way (real 17/18 clients included)', () => {
    const steps: { run?: string }[] = read('.github/workflows/ci.yml').jobs.test.steps
    expect(steps.map(s => s.run ?? '')).toContain('sudo bash scripts/provision-test-deps.sh')
    expect(readFileSync(path.join(root, '.ci/run'), 'utf8')).toMatch(
      /^bash scripts\/provision-test-deps\.sh$/m
    )
    expect(read('package.json').scripts.pretest).toBe('bash scripts/provision-test-deps.sh')
    expect(readFileSync(path.join(root, 'scripts/provision-test-deps.sh'), 'utf8')).toContain(
      'bash scripts/provision-pg-clients.sh 17 18'
    )
  })
})
