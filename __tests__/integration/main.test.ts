/**
 * The action's entry (src/main.ts run()) from the sources, in this process, as the runner runs
 * it: INPUT_* variables, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, its stdout (workflow
 * commands) read back. What dist.test.ts checks of the bundle, held here without a rebuild: the
 * outputs are what was stored, the summary is written on success and failure, every secret is
 * announced to the runner (::add-mask::) and redacted from outputs, summary and errors.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { type ArtifactBackend, unzipEntries } from '../../dev/artifact-backend.js'
import { quoteIdent, quoteLiteral, type TestServer } from '../../dev/postgres.js'
import { rowCounts, tableChecksums } from '../../dev/fixtures.js'
import { useHarness } from '../support/harness.js'
import { type Step, useInProcessStep } from '../support/step.js'

const harness = useHarness({ name: 'main-test' })
/** Added to each step's environment (a test sets it, and puts it back). */
let stepEnv: NodeJS.ProcessEnv = {}
const runStep = useInProcessStep(harness, () => stepEnv)
let server: TestServer
let backend: ArtifactBackend
let database: string

beforeAll(async () => {
  ;({ server, backend } = harness)
  database = await server.createDatabase('main_db')
  await server.query(
    database,
    `CREATE TABLE public.items (id integer PRIMARY KEY, label text);
     INSERT INTO public.items SELECT i, 'item ' || i FROM generate_series(1, 25) AS i;
     CREATE TABLE public.tags (item_id integer REFERENCES public.items, tag text);
     INSERT INTO public.tags SELECT 1 + i % 25, 'tag' FROM generate_series(1, 40) AS i;`
  )
}, 60_000)

/**
 * None of `secrets` in the summary, the outputs and the error; nor in the log but its
 * ::add-mask:: commands unless `log` is false (the runner masks the log: a secret that is also
 * the name of something is printed by the action and shown as *** by the runner).
 */
function expectNoSecretIn(step: Step, secrets: string[], log = true): void {
  expect(secrets.length).toBeGreaterThan(0)
  const texts = [
    log ? step.stdout.replace(/^::add-mask::.*\n/gm, '') : '',
    step.summary,
    JSON.stringify(step.outputs),
    step.error?.message ?? ''
  ]
  for (const secret of secrets) {
    for (const text of texts) expect(text).not.toContain(secret)
  }
}

describe('a backup', () => {
  let step: Step

  beforeAll(async () => {
    step = await runStep({ 'database-url': server.url(database), 'artifact-name': 'main-backup' })
  }, 120_000)

  it('succeeds and sets every output from what it stored', async () => {
    expect(step.error).toBeUndefined()
    const stored = backend.findArtifact('main-backup.zip', backend.currentRunId)
    expect(stored).toBeDefined()
    const o = step.outputs
    expect(o['artifact-id']).toBe(String(stored!.id))
    expect(o['artifact-name']).toBe('main-backup.zip')
    expect(o['artifact-digest']).toBe(stored!.digest)
    const entries = await unzipEntries(stored!.bytes)
    expect([...entries.keys()].sort()).toEqual([o['file-name'], 'manifest.json'].sort())
    const dump = entries.get(o['file-name'])!
    expect(o['size-bytes']).toBe(String(dump.length))
    expect(o.sha256).toBe(createHash('sha256').update(dump).digest('hex'))
    expect(o['file-name']).toMatch(/^main_db-.*\.dump\.zst$/)
    expect(o['server-version']).toBe(server.version)
    expect(o['pg-dump-version']).toMatch(/^\d+\.\d+/)
    expect(Number(o['duration-seconds'])).toBeGreaterThan(0)
    expect(o['s3-uri']).toBe('')
    const manifest = JSON.parse(entries.get('manifest.json')!.toString()) as {
      rowCounts: { tables: Array<{ schema: string; name: string; rows: number }> }
    }
    expect(manifest.rowCounts.tables.map(t => [`${t.schema}.${t.name}`, t.rows])).toEqual(
      Object.entries(await rowCounts(server, database))
    )
  })

  it('writes the job summary', () => {
    expect(step.summary).toContain('Database backup')
    expect(step.summary).toContain(step.outputs['file-name'])
    // (the summary writes outside text as escaped text: no code spans)
    expect(step.summary).toMatch(/\| Database \| main_db on /)
  })

  it("gives each phase's duration in the summary, in the order the phases ran", () => {
    const table = step.summary.slice(step.summary.indexOf('| Phase | s |'))
    const rows = [...table.matchAll(/^\| (.+?) \| (\d+\.\d) \|$/gm)].map(m => m[1])
    // (the artifact name is looked up beside the connection: reported once pg_dump is chosen)
    expect(rows.slice(0, 4)).toEqual([
      expect.stringMatching(/^Connect to /),
      'Read the server',
      'Choose pg_dump',
      'Check the artifact name'
    ])
    expect(rows).toEqual(
      expect.arrayContaining([
        `Dump to ${step.outputs['file-name']}`,
        'Count rows',
        // (as escaped text: the quotes as HTML entities)
        'Upload artifact &#39;main-backup.zip&#39;'
      ])
    )
    // every phase ran to its end
    expect(table).not.toContain('unfinished')
  })

  it('announces the URL and the password (as given and percent-encoded) to the runner', () => {
    expect(server.password).not.toBe(encodeURIComponent(server.password))
    expect(step.masked).toEqual(
      expect.arrayContaining([
        server.url(database),
        server.password,
        encodeURIComponent(server.password)
      ])
    )
    expectNoSecretIn(step, [server.password, encodeURIComponent(server.password)])
  })
})

describe('a backup outside a GitHub job (no ACTIONS_RUNTIME_TOKEN)', () => {
  it('fails before it connects, and names the command line that keeps a backup in files (trial u58 F3)', async () => {
    stepEnv = { ACTIONS_RUNTIME_TOKEN: '' }
    // nothing listens on port 1: a backup that connected first would fail on the connection
    const url = server.url(database).replace(/:(\d+)\//, ':1/')
    let step: Step
    try {
      step = await runStep({ 'database-url': url, 'artifact-name': 'outside-github' })
    } finally {
      stepEnv = {}
    }
    expect(step.error?.message).toMatch(/ACTIONS_RUNTIME_TOKEN is not set/)
    expect(step.error?.message).toContain('node dist/cli/index.js backup --output-dir backups')
    expect(step.error?.message).not.toMatch(/connect|ECONNREFUSED/i)
    expect(step.stdout).not.toMatch(/::group::Connect/)
    expect(backend.findArtifact('outside-github.zip', backend.currentRunId)).toBeUndefined()
    expect(step.summary).toMatch(/ACTIONS_RUNTIME_TOKEN/)
  })
})

describe('a secret that is also part of other text is redacted everywhere', () => {
  // user, password and database share one word: whatever names them (the summary, the file
  // name, the server's messages) must not show the password
  const word = 'Qz7_vault_word'

  beforeAll(async () => {
    await server.query(
      'postgres',
      `CREATE ROLE ${quoteIdent(word)} LOGIN SUPERUSER PASSWORD ${quoteLiteral(word)}`
    )
    await server.createDatabase(word)
    await server.query(word, 'CREATE TABLE public.t (id integer); INSERT INTO public.t VALUES (1)')
  })

  const url = (password: string): string =>
    server.url(word, { user: word, password }).replace(/\?.*$/, '')

  it('in the outputs and the summary of a backup that succeeds', async () => {
    const step = await runStep({ 'database-url': url(word), 'artifact-name': 'vault' })
    expect(step.error).toBeUndefined()
    expect(step.masked).toContain(word)
    expect(step.outputs['file-name']).toMatch(/^\*\*\*-.*\.dump\.zst$/)
    expect(step.summary).toMatch(/\| Database \| \*\*\* on /)
    expectNoSecretIn(step, [word], false)
  })

  it("in the error and the failure summary (the server's message names the user)", async () => {
    // a user named like its (wrong) password: the server's refusal names it
    const other = 'Qz7_nobody_word'
    const step = await runStep({
      'database-url': server.url(word, { user: other, password: other }).replace(/\?.*$/, '')
    })
    expect(step.masked).toContain(other)
    expect(step.error?.message).toMatch(
      /^Input 'database-url': could not connect to .*password authentication failed for user '\*\*\*'/
    )
    expect(step.summary).toMatch(/Database backup failed[\s\S]*for user '\*\*\*'/)
    // the failure summary times the phases too: the run ended in the connection's
    expect(step.summary).toMatch(
      /\| Phase \| s \|\n\|---\|---:\|\n(\| .+ \| \d+\.\d \|\n)*\| Connect to .* \(unfinished: the run ended here\) \| \d+\.\d \|\n\s*$/
    )
    expectNoSecretIn(step, [other], false)
  })
})

describe('every secret input is announced to the runner before anything else runs', () => {
  it('the URLs, the token, the passphrase, each identity, the ping URL; a failure writes no secret', async () => {
    const secrets = {
      'verify-database-url': 'postgresql://scratch:Scr4tch-pw@127.0.0.1:1/scratch',
      'github-token': 'ghs_Main7estToken0123456789abcdef',
      'encryption-passphrase': 'a passphrase for the main test',
      'decryption-identity':
        'AGE-SECRET-KEY-1MAINTESTQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ\nAGE-SECRET-KEY-1SECONDQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ'
    }
    // a ping URL that refuses at once (the heartbeat only warns)
    const heartbeat = 'http://127.0.0.1:1/ping/Main7estPingKey'
    const step = await runStep({
      mode: 'restore',
      'database-url': server.url('main_db'),
      'backup-file': path.join(harness.work, 'missing.dump'),
      'heartbeat-url': heartbeat,
      ...secrets
    })
    expect(step.error).toBeDefined()
    const expected = [
      server.url('main_db'),
      secrets['verify-database-url'],
      secrets['github-token'],
      secrets['encryption-passphrase'],
      ...secrets['decryption-identity'].split('\n')
    ]
    expect(step.masked).toEqual(expect.arrayContaining([...expected, heartbeat]))
    // (the runner masks the log; the action's own texts must not hold the ping URL either)
    expectNoSecretIn(step, [heartbeat], false)
    expect(step.error!.message).toMatch(/^Input '/)
    // (the inputs are refused before the mode is known: the summary says "backup")
    expect(step.summary).toMatch(/Database \w+ failed/)
    expectNoSecretIn(step, expected)
  })
})

describe('a restore from a backup file', () => {
  it('sets the outputs from what the target holds afterwards', async () => {
    const backup = await runStep({ 'database-url': server.url(database), 'artifact-name': 'r' })
    expect(backup.error).toBeUndefined()
    const zip = path.join(harness.work, 'r.zip')
    writeFileSync(zip, backend.findArtifact('r.zip', backend.currentRunId)!.bytes)
    const target = await server.createDatabase()
    const step = await runStep({
      mode: 'restore',
      'database-url': server.url(target),
      'backup-file': zip
    })
    expect(step.error).toBeUndefined()
    const sums = await tableChecksums(server, target)
    expect(sums).toEqual(await tableChecksums(server, database))
    const rows = Object.values(sums).reduce((n, t) => n + t.rows, 0)
    expect(rows).toBe(65)
    expect(step.outputs['tables-restored']).toBe(String(Object.keys(sums).length))
    expect(step.outputs['rows-restored']).toBe(String(rows))
    expect(step.outputs['restored-from']).toContain('r.zip')
    expect(step.outputs['server-version']).toBe(server.version)
    expect(step.summary).toMatch(/restore/i)
    expect(step.summary).toMatch(/\| Fetch the backup \| \d+\.\d \|/)
    expect(step.summary).toMatch(/\| Restore \| \d+\.\d \|/)
    expect(step.summary).toMatch(/\| Verify row counts \| \d+\.\d \|/)
    expectNoSecretIn(step, [server.password, encodeURIComponent(server.password)])
    await server.dropDatabase(target)
  })

  it('a refused restore: the error names the input, the failure summary is written', async () => {
    const target = await server.createDatabase()
    const missing = path.join(harness.work, 'nope.dump')
    const step = await runStep({
      mode: 'restore',
      'database-url': server.url(target),
      'backup-file': missing
    })
    expect(step.error?.message).toMatch(/^Input 'backup-file': '.*nope\.dump' does not exist/)
    expect(step.summary).toContain('Database restore failed')
    expect(step.summary).toContain('nope.dump')
    expect(step.outputs).toEqual({})
    expectNoSecretIn(step, [server.password, encodeURIComponent(server.password)])
    await server.dropDatabase(target)
  })
})

describe('a verify that finds a difference', () => {
  it('fails, and its failure summary has the comparison table and the differences by name', async () => {
    const backup = await runStep({ 'database-url': server.url(database), 'artifact-name': 'v' })
    expect(backup.error).toBeUndefined()
    const zip = path.join(harness.work, 'v.zip')
    writeFileSync(zip, backend.findArtifact('v.zip', backend.currentRunId)!.bytes)
    // the scratch database adds a row-altering trigger to public.items when the restore creates it
    const scratch = await server.createDatabase()
    await server.query(
      scratch,
      `CREATE FUNCTION public.shout() RETURNS trigger LANGUAGE plpgsql AS
         $f$ BEGIN NEW.label := upper(NEW.label); RETURN NEW; END $f$;
       CREATE FUNCTION public.add_shout() RETURNS event_trigger LANGUAGE plpgsql AS $f$
       BEGIN
         IF EXISTS (SELECT FROM pg_event_trigger_ddl_commands()
                     WHERE command_tag = 'CREATE TABLE' AND object_identity = 'public.items') THEN
           CREATE TRIGGER shout BEFORE INSERT ON public.items FOR EACH ROW EXECUTE FUNCTION public.shout();
         END IF;
       END $f$;
       CREATE EVENT TRIGGER add_shout ON ddl_command_end EXECUTE FUNCTION public.add_shout();`
    )
    const step = await runStep({
      mode: 'verify',
      'verify-database-url': server.url(scratch),
      'backup-file': zip
    })
    expect(step.error?.message).toMatch(/TABLE DATA public\.items differs/)
    const summary = step.summary
    expect(summary).toContain('Database verify failed')
    // the short table: what was compared, equal, different
    expect(summary).toMatch(/\| Schema objects \| Manifest \| Restored copy \|/)
    expect(summary).toMatch(/\| Tables \| 2 \| 2 \|/)
    expect(summary).toMatch(
      /\| Schema entries \(owner, definition, ACL, COMMENT\) \| 5 \| 5 \| 0 \|/
    )
    // the trigger the load made; the two functions and the event trigger the scratch database had
    // before the restore are listed as expected, not counted as differing
    expect(summary).toMatch(
      /\| Entries and table data only in the restored database \| — \| — \| 1 \|/
    )
    expect(summary).toMatch(/<summary>3 differences, expected<\/summary>/)
    expect(summary).toMatch(/- EVENT TRIGGER add_shout is in the restored database only/)
    expect(summary).toMatch(/\| Table data \(sha256 of the COPY text\) \| 2 \| 1 \| 1 \|/)
    // the differences by name, not only the error message
    const listed = summary.slice(summary.indexOf('not explained'))
    expect(listed).toMatch(/^- TABLE DATA public\.items differs/m)
    expect(listed).toMatch(/^- TRIGGER public\.items shout is in the restored database only/m)
    expectNoSecretIn(step, [server.password, encodeURIComponent(server.password)])
    await server.dropDatabase(scratch)
  })
})
