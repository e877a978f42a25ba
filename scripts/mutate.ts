/**
 * A small mutation runner over the modules that hold the action's promises (issue 21): each
 * mutant is a one-line breakage of the source — a condition negated, === and !== (&& and ||,
 * < and <=…) swapped, a push or a throw removed, a return value replaced, a function body
 * emptied — and is run against the test files mapped to its module only. A mutant some test
 * fails on is killed; one every test passes with survived. Mutants TypeScript rejects (ts-jest
 * type-checks) are not counted; mutants listed in scripts/mutation-equivalents.md, with the
 * reason they cannot change behaviour, are reported as equivalent and not counted either.
 *
 *   npm run mutate                   every target
 *   npm run mutate -- secrets inputs targets whose name contains one of the words
 *   npm run mutate -- --list         the mutants only, nothing run
 *
 * Runs in a copy of the sources under the system's temporary directory (the checkout is never
 * touched), one mutant at a time, each jest run with a time limit of 3× the unmutated run.
 * Prints killed/survived per module with file:line and writes mutation-report.json there.
 * Score = killed / (killed + survived). Exits 1 when a target scores under 90%.
 * StrykerJS could not drive this set-up (see the README's Develop section).
 */
import { spawn } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

interface Target {
  /** Names the target on the command line and in the report. */
  name: string
  file: string
  /** Only inside these functions (all of the file when absent). */
  functions?: string[]
  /** Only mutants whose enclosing statement's text matches. */
  only?: RegExp
  tests: string[]
  /** jest -t: the tests of the files that hold this target's promises. */
  testFilter?: string
}

const TARGETS: Target[] = [
  {
    name: 'secrets',
    file: 'src/secrets.ts',
    tests: [
      '__tests__/unit/secrets.test.ts',
      '__tests__/unit/secrets-short.test.ts',
      '__tests__/unit/secrets-runner.test.ts'
    ]
  },
  {
    name: 'manifest',
    file: 'src/manifest.ts',
    functions: ['backupManifest', 'parseManifest', 'readManifest'],
    tests: ['__tests__/unit/manifest.test.ts', '__tests__/unit/manifest-roundtrip.test.ts']
  },
  {
    name: 'inputs',
    file: 'src/inputs.ts',
    functions: [
      'parseBoolean',
      'parseWholeNumber',
      'parseChoice',
      'parsePgDumpArgs',
      'reservedOptionName',
      'parsePostgresVersion',
      'validateArtifactName',
      'parseEncryption',
      'parseDecryption'
    ],
    tests: [
      '__tests__/unit/inputs.test.ts',
      '__tests__/unit/inputs-bounds.test.ts',
      '__tests__/unit/encrypt.test.ts'
    ],
    // encrypt.test's inputs tests, not its slow round trips through age
    testFilter: '^(?!interoperability with the age CLI|decryption failures|key forms)'
  },
  {
    name: 'main',
    file: 'src/main.ts',
    functions: ['run', 'setBackupOutputs', 'setRestoreOutputs'],
    // the secrets it registers, the outputs, the error and summary on failure (the heartbeat and
    // check mode are tested through dist/)
    only: /registerSecret|setOutput|failureSummaryMarkdown|instanceof Error/,
    tests: ['__tests__/integration/main.test.ts']
  },
  {
    name: 'dump-checks',
    file: 'src/postgres/dump.ts',
    functions: ['assertWholeDump'],
    tests: ['__tests__/integration/promises.test.ts'],
    testFilter: 'backup:'
  },
  {
    name: 'restore-plan-checks',
    file: 'src/modes/restore-plan.ts',
    functions: ['planRestore', 'checkDigest'],
    // the checks against the manifest (the rest of planRestore chooses a client and reads)
    only: /does not match its manifest|manifest says otherwise|checkDigest|matches its manifest/,
    tests: ['__tests__/integration/promises.test.ts'],
    testFilter: 'restore:'
  },
  {
    name: 'restore-row-counts',
    file: 'src/modes/restore.ts',
    functions: ['compareRowCounts'],
    only: /problems|want|rows < 0/,
    tests: ['__tests__/integration/promises.test.ts'],
    testFilter: 'restore: the manifest'
  }
]

interface Mutant {
  /** The mutated node's text (for an operator: its whole expression), one line. */
  context: string
  target: string
  file: string
  line: number
  column: number
  kind: string
  /** The original text and what replaces it. */
  from: string
  to: string
  start: number
  end: number
  /** Stable id (no line number): function, kind, the mutated expression, occurrence. */
  id: string
}

const SWAPS: Partial<Record<ts.SyntaxKind, string>> = {
  [ts.SyntaxKind.EqualsEqualsEqualsToken]: '!==',
  [ts.SyntaxKind.ExclamationEqualsEqualsToken]: '===',
  [ts.SyntaxKind.AmpersandAmpersandToken]: '||',
  [ts.SyntaxKind.BarBarToken]: '&&',
  [ts.SyntaxKind.LessThanToken]: '<=',
  [ts.SyntaxKind.LessThanEqualsToken]: '<',
  [ts.SyntaxKind.GreaterThanToken]: '>=',
  [ts.SyntaxKind.GreaterThanEqualsToken]: '>',
  [ts.SyntaxKind.MinusToken]: '+',
  [ts.SyntaxKind.PlusToken]: '-'
}

function functionName(node: ts.Node): string | undefined {
  for (let n: ts.Node | undefined = node; n; n = n.parent) {
    if ((ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n)) && n.name) {
      return n.name.getText()
    }
  }
  return undefined
}

function statementOf(node: ts.Node): ts.Node {
  let n = node
  while (n.parent && !ts.isBlock(n.parent) && !ts.isSourceFile(n.parent)) n = n.parent
  return n
}

/** The mutants of `target` in the copy under `base` (the sandbox: the sources the tests run). */
function mutantsOf(target: Target, base: string): Mutant[] {
  const text = readFileSync(path.join(base, target.file), 'utf8')
  const source = ts.createSourceFile(target.file, text, ts.ScriptTarget.Latest, true)
  const found: Omit<Mutant, 'id'>[] = []
  const add = (node: ts.Node, kind: string, to: string, at: ts.Node = node): void => {
    const fn = functionName(node)
    if (target.functions && (!fn || !target.functions.includes(fn))) return
    if (target.only && !target.only.test(statementOf(node).getText())) return
    const start = at.getStart()
    const { line, character } = source.getLineAndCharacterOfPosition(start)
    found.push({
      context: oneLine(node.getText()),
      target: target.name,
      file: target.file,
      line: line + 1,
      column: character + 1,
      kind,
      from: at.getText(),
      to,
      start,
      end: at.getEnd()
    })
  }
  const visit = (node: ts.Node): void => {
    if (ts.isIfStatement(node) || ts.isConditionalExpression(node)) {
      const cond = ts.isIfStatement(node) ? node.expression : node.condition
      add(cond, 'negate condition', `!(${cond.getText()})`)
    }
    if (ts.isBinaryExpression(node)) {
      const swap = SWAPS[node.operatorToken.kind]
      if (swap) add(node, `${node.operatorToken.getText()} → ${swap}`, swap, node.operatorToken)
    }
    if (ts.isThrowStatement(node)) add(node, 'remove throw', ';')
    if (
      ts.isExpressionStatement(node) &&
      (ts.isCallExpression(node.expression) ||
        ts.isAwaitExpression(node.expression) ||
        (ts.isBinaryExpression(node.expression) &&
          node.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken))
    ) {
      // a push, a call for its effect, an assignment
      add(node, 'remove statement', ';')
    }
    if (ts.isReturnStatement(node) && node.expression) {
      const e = node.expression
      if (e.kind === ts.SyntaxKind.TrueKeyword) add(e, 'return false', 'false')
      else if (e.kind === ts.SyntaxKind.FalseKeyword) add(e, 'return true', 'true')
      else if (e.getText() !== 'undefined') add(e, 'replace return value', '(undefined as never)')
    }
    if (
      (ts.isFunctionDeclaration(node) ||
        ts.isArrowFunction(node) ||
        ts.isMethodDeclaration(node)) &&
      node.body &&
      ts.isBlock(node.body) &&
      node.body.statements.length > 0
    ) {
      add(node, 'empty function body', '{ return undefined as never }', node.body)
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  const seen = new Map<string, number>()
  return found.map(m => {
    const key = `${target.file}#${functionName(nodeAt(source, m.start)) ?? ''}#${m.kind}#${m.context}`
    const n = (seen.get(key) ?? 0) + 1
    seen.set(key, n)
    // (no | in an id: it would end a cell of the equivalents' table)
    return { ...m, id: `${key}#${n}`.replace(/\|/g, '¦') }
  })
}

function nodeAt(source: ts.SourceFile, pos: number): ts.Node {
  let found: ts.Node = source
  const visit = (node: ts.Node): void => {
    if (node.getStart() <= pos && pos < node.getEnd()) {
      found = node
      ts.forEachChild(node, visit)
    }
  }
  ts.forEachChild(source, visit)
  return found
}

function oneLine(s: string): string {
  // (no backquotes: ids are written between backquotes in mutation-equivalents.md)
  const flat = s.replace(/\s+/g, ' ').replace(/`/g, "'")
  return flat.length > 60 ? `${flat.slice(0, 57)}...` : flat
}

/** Equivalent mutants: `| id | reason |` rows of scripts/mutation-equivalents.md. */
function equivalents(): Map<string, string> {
  const map = new Map<string, string>()
  let text = ''
  try {
    text = readFileSync(path.join(root, 'scripts/mutation-equivalents.md'), 'utf8')
  } catch {
    return map
  }
  for (const line of text.split('\n')) {
    const m = /^\|\s*`([^`]+)`\s*\|\s*(.+?)\s*\|\s*$/.exec(line)
    if (m) map.set(m[1], m[2])
  }
  return map
}

/** A copy of what jest needs; node_modules linked. */
function sandbox(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mutate-'))
  for (const entry of [
    'src',
    '__tests__',
    'dev',
    'jest.config.js',
    'tsconfig.json',
    'tsconfig.test.json',
    'package.json',
    'action.yml'
  ]) {
    cpSync(path.join(root, entry), path.join(dir, entry), { recursive: true })
  }
  symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'))
  return dir
}

interface JestRun {
  code: number | null
  output: string
  ms: number
  timedOut: boolean
}

/** The jest run under way (its process group) and the sandbox: ended on Ctrl-C too. */
let running: number | undefined
let sandboxDir: string | undefined
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (running) {
      try {
        process.kill(-running, 'SIGKILL')
      } catch {
        // gone
      }
    }
    if (sandboxDir) rmSync(sandboxDir, { recursive: true, force: true })
    process.exit(signal === 'SIGINT' ? 130 : 143)
  })
}

function runJest(dir: string, target: Target, timeoutMs: number): Promise<JestRun> {
  const args = [
    '--experimental-vm-modules',
    path.join(dir, 'node_modules/jest/bin/jest.js'),
    '--ci',
    '--bail',
    '--silent',
    '--runInBand',
    ...(target.testFilter ? ['-t', target.testFilter] : []),
    ...target.tests
  ]
  const started = Date.now()
  return new Promise(resolve => {
    const child = spawn(process.execPath, args, {
      cwd: dir,
      env: { ...process.env, NODE_OPTIONS: '' },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    running = child.pid
    let output = ''
    child.stdout.on('data', d => (output += d))
    child.stderr.on('data', d => (output += d))
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      try {
        process.kill(-child.pid!, 'SIGKILL')
      } catch {
        // gone already
      }
    }, timeoutMs)
    child.on('close', code => {
      clearTimeout(timer)
      running = undefined
      // whatever the run left (servers, clients) goes with its process group
      try {
        process.kill(-child.pid!, 'SIGKILL')
      } catch {
        // nothing left
      }
      resolve({ code, output, ms: Date.now() - started, timedOut })
    })
  })
}

type Status = 'killed' | 'survived' | 'timeout' | 'compile-error' | 'equivalent'

async function main(): Promise<void> {
  const argv = process.argv.slice(2)
  const listOnly = argv.includes('--list')
  const words = argv.filter(a => !a.startsWith('--'))
  const targets = TARGETS.filter(t => words.length === 0 || words.some(w => t.name.includes(w)))
  const known = equivalents()
  const dir = listOnly ? '' : sandbox()
  sandboxDir = dir || undefined
  const results: Array<Mutant & { status: Status; reason?: string }> = []
  let failed = false
  try {
    for (const target of targets) {
      // from the sandbox's copy: the checkout may change while the run goes on
      const mutants = mutantsOf(target, dir || root)
      console.log(`\n${target.name}: ${target.file}, ${mutants.length} mutants`)
      if (listOnly) {
        for (const m of mutants) {
          console.log(`  ${m.file}:${m.line}:${m.column} ${m.kind}: ${oneLine(m.from)}  [${m.id}]`)
        }
        continue
      }
      const original = readFileSync(path.join(dir, target.file), 'utf8')
      const baseline = await runJest(dir, target, 30 * 60_000)
      if (baseline.code !== 0) {
        console.log(baseline.output.slice(-4000))
        throw new Error(`${target.name}: the tests fail without any mutant; fix them first`)
      }
      const limit = Math.max(3 * baseline.ms, 30_000)
      console.log(
        `  unmutated run: ${(baseline.ms / 1000).toFixed(0)} s (limit per mutant ${(limit / 1000).toFixed(0)} s)`
      )
      const counts: Record<Status, number> = {
        killed: 0,
        survived: 0,
        timeout: 0,
        'compile-error': 0,
        equivalent: 0
      }
      for (const m of mutants) {
        const reason = known.get(m.id)
        let status: Status
        if (reason !== undefined) {
          status = 'equivalent'
        } else {
          writeFileSync(
            path.join(dir, target.file),
            original.slice(0, m.start) + m.to + original.slice(m.end)
          )
          const run = await runJest(dir, target, limit)
          writeFileSync(path.join(dir, target.file), original)
          status = run.timedOut
            ? 'timeout'
            : run.code === 0
              ? 'survived'
              : /error TS\d+|TS\d{4}:/.test(run.output) &&
                  !/✕|● .* › /.test(run.output.replace(/error TS\d+[\s\S]*/, ''))
                ? 'compile-error'
                : 'killed'
        }
        counts[status]++
        results.push({ ...m, status, reason })
        const mark = {
          killed: '✓',
          timeout: '✓',
          survived: '✗',
          'compile-error': '-',
          equivalent: '='
        }[status]
        console.log(
          `  ${mark} ${status.padEnd(13)} ${m.file}:${m.line}:${m.column} ${m.kind}: ${oneLine(m.from)}${status === 'survived' ? `  [${m.id}]` : ''}`
        )
      }
      const scored = counts.killed + counts.timeout + counts.survived
      const score = scored === 0 ? 100 : (100 * (counts.killed + counts.timeout)) / scored
      if (score < 90) failed = true
      console.log(
        `  ${target.name}: score ${score.toFixed(1)}% — killed ${counts.killed + counts.timeout}, survived ${counts.survived}, equivalent ${counts.equivalent}, not compiled ${counts['compile-error']}`
      )
    }
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true })
  }
  if (listOnly) return
  const report = path.join(os.tmpdir(), 'mutation-report.json')
  writeFileSync(report, JSON.stringify(results, null, 2))
  const total = results.filter(r => r.status !== 'compile-error' && r.status !== 'equivalent')
  const killed = total.filter(r => r.status !== 'survived').length
  console.log(
    `\nAll targets: ${killed}/${total.length} killed (${total.length ? ((100 * killed) / total.length).toFixed(1) : '100'}%); ${results.filter(r => r.status === 'equivalent').length} equivalent; report ${report}`
  )
  if (failed) process.exitCode = 1
}

await main()
