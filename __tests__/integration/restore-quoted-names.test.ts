/**
 * restore's `tables` with names that need quotes (a trailing space, capitals and a space, a
 * comma), written as SQL writes them ("a ", "My Table", public."x, y"): each restores exactly
 * that table's rows, as pg_restore -t with the bare name does by hand; an unquoted name is
 * still the exact name (trimmed). Through run() with a pg_dump -Fc file of the user's own.
 */
import { beforeAll, expect, it } from '@jest/globals'
import { execFileSync, spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { pgDumpBytes } from '../support/direct-load.js'
import { useHarness } from '../support/harness.js'
import { useInProcessStep } from '../support/step.js'

const harness = useHarness({ name: 'restore-quoted-names' })
const runStep = useInProcessStep(harness)
let file: string

beforeAll(async () => {
  const source = await harness.server.createDatabase()
  await harness.server.query(
    source,
    `CREATE TABLE public.a (v text); INSERT INTO public.a VALUES ('plain a');
     CREATE TABLE public."a " (v text); INSERT INTO public."a " VALUES ('a with a space');
     CREATE TABLE public."My Table" (v text); INSERT INTO public."My Table" VALUES ('my table');
     CREATE TABLE public."x, y" (v text); INSERT INTO public."x, y" VALUES ('x comma y');`
  )
  file = path.join(harness.work, 'names.dump')
  writeFileSync(file, pgDumpBytes(harness.server, source, ['-Fc']))
}, 60_000)

/** Every table of public in `database` with its rows' values. */
async function tablesOf(database: string): Promise<Record<string, string[]>> {
  const tables = await harness.server.query<{ name: string }>(
    database,
    "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
  )
  const found: Record<string, string[]> = {}
  for (const { name } of tables) {
    const rows = await harness.server.query<{ v: string }>(
      database,
      `SELECT v FROM public."${name.replaceAll('"', '""')}" ORDER BY v`
    )
    found[name] = rows.map(r => r.v)
  }
  return found
}

/** pg_restore -t `name` by hand into a new database. */
async function byHand(name: string): Promise<Record<string, string[]>> {
  const database = await harness.server.createDatabase()
  execFileSync(
    path.join(harness.server.binDir, 'pg_restore'),
    ['--exit-on-error', '-d', database, `--table=${name}`, file],
    { env: harness.server.env(database) }
  )
  return tablesOf(database)
}

it.each([
  ['a', 'a', 'plain a'],
  [' a ', 'a', 'plain a'],
  ['"a "', 'a ', 'a with a space'],
  ['"My Table"', 'My Table', 'my table'],
  ['"x, y"', 'x, y', 'x comma y'],
  ['public."x, y"', 'x, y', 'x comma y']
])(
  'tables: %j restores the table %j alone, as pg_restore -t does',
  async (given, name, value) => {
    const target = await harness.server.createDatabase()
    const step = await runStep({
      mode: 'restore',
      'database-url': harness.server.url(target),
      'backup-file': file,
      tables: given
    })
    expect(step.error).toBeUndefined()
    const restored = await tablesOf(target)
    expect(restored).toEqual({ [name]: [value] })
    expect(restored).toEqual(await byHand(name))
  },
  120_000
)

it('two quoted names in one list, split at the comma between them only', async () => {
  const target = await harness.server.createDatabase()
  const step = await runStep({
    mode: 'restore',
    'database-url': harness.server.url(target),
    'backup-file': file,
    tables: '"x, y",\n"My Table"'
  })
  expect(step.error).toBeUndefined()
  expect(await tablesOf(target)).toEqual({ 'My Table': ['my table'], 'x, y': ['x comma y'] })
}, 120_000)

it('a quote left open: refused naming the input, nothing restored', async () => {
  const target = await harness.server.createDatabase()
  const step = await runStep({
    mode: 'restore',
    'database-url': harness.server.url(target),
    'backup-file': file,
    tables: '"x, y'
  })
  expect(step.error?.message).toMatch(/Input 'tables': a double quote is not closed in '"x, y'/)
  expect(await tablesOf(target)).toEqual({})
}, 120_000)

it.each([
  ['--tables="x, y"', { 'x, y': ['x comma y'] }],
  ['--tables=""', undefined],
  ['--tables=a', { a: ['plain a'] }]
])(
  'on the command line, %s reads as tables: does (yargs took the quotes off a --name=value: re-attack a42 F2)',
  async (arg, expected) => {
    const target = await harness.server.createDatabase()
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
    const run = spawnSync(
      path.join(root, 'node_modules/.bin/tsx'),
      [path.join(root, 'src/cli.ts'), 'restore', '--backup-file', file, arg],
      {
        cwd: harness.work,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          DATABASE_URL: harness.server.url(target)
        },
        encoding: 'utf8'
      }
    )
    if (expected === undefined) {
      // an empty quoted name is refused, as the input's is; never the whole backup
      expect(run.status).toBe(2)
      expect(run.stderr + run.stdout).toMatch(/empty quoted name/)
      expect(await tablesOf(target)).toEqual({})
    } else {
      expect(run.status).toBe(0)
      expect(await tablesOf(target)).toEqual(expected)
    }
  },
  120_000
)
