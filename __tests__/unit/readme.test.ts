import { describe, expect, it } from '@jest/globals'
import { readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { renderReadme } from '../../scripts/readme-tables.js'
import { Inputs } from '../../src/inputs.js'
import { artifactNamesFor, artifactZipName } from '../../src/storage/artifact.js'

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

  it('downloads the artifact by the name the action gives it (download-artifact, gh run download)', () => {
    const texts = [
      readme,
      ...readdirSync(path.join(root, 'examples')).map(f =>
        readFileSync(path.join(root, 'examples', f), 'utf8')
      )
    ].join('\n')
    const named = [
      ...[
        ...texts.matchAll(/download-artifact@v(\d+)\s*\n\s*with:\s*\{?\s*name:\s*([^,\s}]+)/g)
      ].map(m => ({ major: Number(m[1]), name: m[2] })),
      ...[...texts.matchAll(/gh run download \S+ -n (\S+?)`/g)].map(m => ({ major: 8, name: m[1] }))
    ]
    expect(named.length).toBeGreaterThanOrEqual(2)
    for (const { major, name } of named) {
      // the name uploaded today, which restore also finds under the old one
      expect({ major: major >= 8, name }).toEqual({
        major: true,
        name: artifactZipName('database-backup')
      })
      expect(artifactNamesFor('database-backup')).toContain(name)
    }
  })

  it('gives the two set-up commands', () => {
    expect(readme).toContain('npm ci && npm run demo')
    expect(readme).toContain('npm ci && npm test')
  })

  it('the layout section names every module of src/ (and nothing that is gone)', () => {
    const layout = readme.slice(readme.indexOf('Layout:'))
    const start = layout.indexOf('```')
    const block = layout.slice(start, layout.indexOf('```', start + 3))
    const modules = readdirSync(path.join(root, 'src'), { recursive: true, encoding: 'utf8' })
      .filter(file => file.endsWith('.ts'))
      .map(file => file.replace(/\.ts$/, ''))
    expect(modules.length).toBeGreaterThan(30)
    for (const module of modules) {
      const [folder, name] = module.includes('/') ? module.split('/') : ['', module]
      const where = folder ? block.slice(block.indexOf(`src/${folder}/`)) : block
      expect({ module, named: new RegExp(`\\b${name}\\b`).test(where) }).toEqual({
        module,
        named: true
      })
    }
    for (const named of block.matchAll(/src\/([\w-]+(?:\.ts|\/))/g)) {
      expect(readdirSync(path.join(root, 'src'))).toContain(named[1].replace(/\/$/, ''))
    }
  })

  it('never interpolates inputs into a shell in action.yml', () => {
    expect(actionYml).not.toMatch(/run:[^\n]*\$\{\{\s*inputs\./)
  })
})
