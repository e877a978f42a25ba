import { describe, expect, it } from '@jest/globals'
import { readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { renderReadme } from '../../scripts/readme-tables.js'
import { EXIT_CODES } from '../../src/errors.js'
import { Inputs } from '../../src/inputs.js'
import { artifactNamesFor, artifactZipName } from '../../src/storage/artifact.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const readme = readFileSync(path.join(root, 'README.md'), 'utf8')
const actionYml = readFileSync(path.join(root, 'action.yml'), 'utf8')

/** The examples shipped beside the README (workflows, scripts). */
function exampleFiles(): string[] {
  const dir = path.join(root, 'examples')
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map(file => path.join(dir, file))
    .filter(file => /\.(ya?ml|md|sh)$/.test(file))
}

describe('README and action.yml', () => {
  it('every example workflow that backs up grants actions: read (the row-loss comparison reads the previous backup)', () => {
    const backsUp = exampleFiles()
      .filter(file => /\.ya?ml$/.test(file))
      .map(file => ({
        file,
        workflow: parse(readFileSync(file, 'utf8')) as Record<string, unknown>
      }))
      .filter(({ workflow }) =>
        Object.values(
          (workflow.jobs ?? {}) as Record<
            string,
            { steps?: { uses?: string; with?: { mode?: string } }[] }
          >
        ).some(job =>
          (job.steps ?? []).some(
            step => step.uses === 'OWNER/REPO@v1' && (step.with?.mode ?? 'backup') === 'backup'
          )
        )
      )
    expect(backsUp.length).toBeGreaterThanOrEqual(3)
    for (const { file, workflow } of backsUp) {
      const permissions = workflow.permissions as Record<string, string> | undefined
      expect({ file: path.basename(file), actions: permissions?.actions }).toEqual({
        file: path.basename(file),
        actions: 'read'
      })
    }
  })

  it('names every exit code the CLI has, and which one a connection failure gives', () => {
    const line = /Exit codes \(`src\/errors\.ts`\):([^]*?)\n\n/.exec(readme)?.[1] ?? ''
    for (const code of [...Object.values(EXIT_CODES), 130, 143]) {
      expect(line).toContain(`**${code}**`)
    }
    // could not connect is a SettingError about database-url (session.ts): 2
    expect(line).toMatch(/\*\*2\*\*[^*]*cannot be reached or\s+refuses the login/)
  })

  it('the inputs and outputs tables are in step with action.yml (npm run docs)', () => {
    expect(readme).toBe(renderReadme(readme, actionYml))
  })

  it("allow-non-empty says what its guard checks, not that the target's tables are never written", () => {
    const inputs = (parse(actionYml) as { inputs: Record<string, { description: string }> }).inputs
    const description = inputs['allow-non-empty'].description
    const section = /3\. \*\*Guards the target\*\*([^]*?)\n4\. /.exec(readme)?.[1] ?? ''
    for (const text of [description, section.replace(/\s+/g, ' ')]) {
      // the guard refuses only data-only rows and sequence values; the rest runs as written
      expect(text).not.toMatch(/(not|none is) dropped, emptied or written to/)
      expect(text).toMatch(/does not create[ (—]+`?pg_dump --data-only/)
      // the text checks leave them to the net before COMMIT (unchanged.ts), which rolls back
      expect(text).toMatch(/not refuse the backup's other statements on the target's objects/i)
      expect(text).toMatch(/a function it calls/)
      expect(text).toMatch(/before (its )?COMMIT/)
    }
  })

  it('action.yml declares exactly the inputs the code reads', () => {
    const declared = Object.keys(parse(actionYml).inputs).sort()
    expect(declared).toEqual(Object.values(Inputs).sort())
  })

  it('downloads the artifact by the name the action gives it (download-artifact, gh run download)', () => {
    const texts = [
      readme,
      // the CLI's hint for restore/verify without --backup-file
      readFileSync(path.join(root, 'src/cli.ts'), 'utf8'),
      ...readdirSync(path.join(root, 'examples')).map(f =>
        readFileSync(path.join(root, 'examples', f), 'utf8')
      )
    ].join('\n')
    const named = [
      ...[
        ...texts.matchAll(/download-artifact@v(\d+)\s*\n\s*with:\s*\{?\s*name:\s*([^,\s}]+)/g)
      ].map(m => ({ major: Number(m[1]), name: m[2] })),
      ...[...texts.matchAll(/gh run download \S+ -n ([^\s`]+)/g)].map(m => ({
        major: 8,
        name: m[1]
      }))
    ]
    expect(named.length).toBeGreaterThanOrEqual(3)
    for (const { major, name } of named) {
      // the name uploaded today, which restore also finds under the old one
      expect({ major: major >= 8, name }).toEqual({
        major: true,
        name: artifactZipName('database-backup')
      })
      expect(artifactNamesFor('database-backup')).toContain(name)
    }
  })

  it('every input the README says a command takes is an option of that CLI command (or its environment variable)', async () => {
    const { COMMANDS } = await import('../../src/cli.js')
    // inputs of the artifact, S3 and the workflow run: the command line writes and reads local
    // files (check aside, which lists its own), so these are not its options by design
    const actionOnly = new Set<string>([
      Inputs.Mode,
      Inputs.ArtifactName,
      Inputs.RetentionDays,
      Inputs.RetentionSchedule,
      Inputs.Overwrite,
      Inputs.Artifact,
      Inputs.RunId,
      Inputs.ArtifactId,
      Inputs.Repository,
      Inputs.ArtifactFrom,
      Inputs.ArtifactWorkflow,
      Inputs.GithubToken,
      Inputs.BackupUri,
      Inputs.S3Uri,
      Inputs.S3Endpoint,
      Inputs.S3Region,
      Inputs.S3ForcePathStyle,
      Inputs.HeartbeatUrl,
      Inputs.RowLossThreshold,
      Inputs.FailOnRowLoss,
      Inputs.AllowUnencryptedPublic
    ])
    const rows = [...readme.matchAll(/^\| `([a-z0-9-]+)` \| (.*?) \|[^|]*\|$/gm)]
    expect(rows.length).toBe(Object.values(Inputs).length)
    const claims: Array<[string, string]> = []
    for (const [, input, description] of rows) {
      if (actionOnly.has(input)) continue
      // "Backup: … Restore: …", "Check (default 26h) and verify (default none):", "Restore/verify
      // this", "Restore (and verify, …):" — the commands a sentence of the description is about
      const text = description.replace(/ \(default [^)]*\)/g, '')
      for (const label of text.matchAll(
        /(?:^|\. )((?:(?:Backup|Restore|Verify|Check|backup|restore|verify|check)(?:\/| and | \(and |, )?)+)(?=[:,) ])/g
      )) {
        for (const mode of label[1].toLowerCase().match(/backup|restore|verify|check/g) ?? []) {
          claims.push([input, mode])
        }
      }
    }
    expect(claims).toContainEqual([Inputs.MaxAge, 'verify'])
    expect(claims).toContainEqual([Inputs.CreateRoles, 'verify'])
    const missing = claims.filter(
      ([input, mode]) =>
        !(COMMANDS[mode as keyof typeof COMMANDS].options as string[]).includes(input)
    )
    expect(missing).toEqual([])
  })

  it('gives the two set-up commands', () => {
    expect(readme).toContain('npm ci && npm run demo')
    expect(readme).toContain('npm ci && npm test')
  })

  it("names the Node.js that package.json's engines asks for and action.yml runs on", () => {
    const develop = readme.slice(readme.indexOf('## Develop'))
    const stated = /\(Node\.js (\d+)\+ with npm/.exec(develop)?.[1]
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      engines: { node: string }
    }
    const action = parse(readFileSync(path.join(root, 'action.yml'), 'utf8')) as {
      runs: { using: string }
    }
    expect(stated).toBeDefined()
    expect(pkg.engines.node).toBe(`>=${stated}`)
    expect(action.runs.using).toBe(`node${stated}`)
    expect(readme).not.toMatch(/Node(\.js)? (1\d|2[0-3])\b/)
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

  it("the CLI examples run only this project's own code, never a package name it does not publish (issue 14.12)", () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      name: string
      private?: boolean
    }
    // nothing is published to npm: a bare package name would be fetched from whoever claimed it
    expect(pkg.private).toBe(true)
    // commands are in code: the README's fenced blocks and `spans`, the examples whole
    const code = (markdown: string) => [
      ...[...markdown.matchAll(/```[^\n]*\n([\s\S]*?)```/g)].map(m => m[1]),
      ...[...markdown.replace(/```[\s\S]*?```/g, '').matchAll(/`([^`\n]+)`/g)].map(m => m[1])
    ]
    const texts = [
      ...code(readme),
      ...exampleFiles().flatMap(file =>
        file.endsWith('.md') ? code(readFileSync(file, 'utf8')) : [readFileSync(file, 'utf8')]
      )
    ]
    const runs = texts.flatMap(text => [
      ...text.matchAll(
        /\b(?:npx|npm exec|pnpm dlx|yarn dlx|bunx)\s+(?:--?[\w-]+(?:=\S+)?\s+)*([^\s`'"]+)/g
      )
    ])
    expect(runs.length).toBeGreaterThan(0)
    for (const [command, spec] of runs) {
      // github:OWNER/REPO (this repository), or a development tool of a checkout's devDependencies
      const own = /^github:OWNER\/REPO(#[\w.-]+)?$/.test(spec)
      const devTool =
        spec in
        (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).devDependencies ?? {})
      expect({ command, allowed: own || devTool }).toEqual({ command, allowed: true })
      expect(spec).not.toBe(pkg.name)
    }
    expect(readme).toMatch(/node dist\/cli\/index\.js backup/)
  })

  it('never interpolates inputs into a shell in action.yml', () => {
    expect(actionYml).not.toMatch(/run:[^\n]*\$\{\{\s*inputs\./)
  })
})
