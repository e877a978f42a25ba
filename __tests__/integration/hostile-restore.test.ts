/**
 * A backup is data, never code (issue 14.1, 14.3, 15.1, 15.3): hostile scripts and archives
 * through every restore path — a .sql file, .sql.gz, CRLF, an age-encrypted file, an artifact
 * zip as a file, the latest artifact, verify, clean, without a single transaction, the CLI, a
 * custom archive (one job and parallel) — are refused before anything runs: the marker file the
 * attack would create does not exist and the target holds exactly what it held. And the
 * transaction is the action's: pg_dump's large-object BEGIN/COMMIT cannot commit half, a load
 * whose process dies leaves nothing, pg_dumpall and pg_dump --create files are refused by
 * content, CRLF scripts restore with equal rows.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createWriteStream } from 'node:fs'
import zlib from 'node:zlib'
import { type ArtifactBackend, buildZip, unzipEntries } from '../../dev/artifact-backend.js'
import { runTool, schemaDump, tableChecksums } from '../../dev/fixtures.js'
import { quoteLiteral, type TestServer } from '../../dev/postgres.js'
import { createEncryptor } from '../../src/pipeline/encrypt.js'
import type { BackupSource, RestoreOptions } from '../../src/types.js'
import { checkCustomArchiveStream } from '../../src/postgres/copy-ends.js'
import { parseArchiveToc } from '../../src/postgres/toc.js'
import { rewriteArchiveToc, writeArchive } from '../support/archive-writer.js'
import { pgDumpBytes } from '../support/direct-load.js'
import { provisionedBinDir } from '../support/clients.js'
import { useHarness } from '../support/harness.js'
import { testBackupInputs, testRestoreInputs } from '../support/inputs.js'

const harness = useHarness({ name: 'hostile-restore' })
let server: TestServer
let backend: ArtifactBackend
let files: string
let markers: string
let plainDump: string
const root = path.resolve(import.meta.dirname, '../..')

const PASSPHRASE = 'correct horse battery staple'

const KEEP_ME = `CREATE TABLE public.keep_me (id integer PRIMARY KEY, note text);
  INSERT INTO public.keep_me VALUES (1, 'one'), (2, 'two'), (3, NULL);`

let markerCount = 0
/** A path the attack would create: it must never exist. */
function marker(): string {
  return path.join(markers, `pwned-${++markerCount}`)
}

/** The attacks: each returns the hostile lines for a marker path, and what the error names. */
const ATTACKS: Array<[string, (m: string) => string, RegExp]> = [
  ['\\! (a shell)', m => `\\! touch ${m}`, /line \d+: the psql meta-command "\\! touch/],
  [
    '\\copy … to program',
    m => `\\copy (SELECT 1) to program 'touch ${m}'`,
    /the psql meta-command "\\copy/
  ],
  ['\\o |command', m => `\\o |touch ${m}\nSELECT 1;`, /the psql meta-command "\\o/],
  ['a backquote in \\set', m => `\\set x \`touch ${m}\``, /the psql meta-command "\\set/],
  ['\\g |command', m => `SELECT 1 \\g |touch ${m}`, /the psql meta-command "\\g/],
  [
    'COPY … TO PROGRAM (on the server)',
    m => `COPY (SELECT 1) TO PROGRAM 'touch ${m}';`,
    /COPY … TO PROGRAM runs a program/
  ],
  [
    'lo_export() (a file written on the server; attacker a37 F1)',
    m =>
      `SELECT pg_catalog.lo_from_bytea(${424240 + markerCount}, 'x');\nSELECT pg_catalog.lo_export(${424240 + markerCount}, '${m}');`,
    /line \d+: pg_catalog\.lo_export\(\) reads or writes a file \(or lists a directory\) on the database server/
  ],
  [
    'a "\\;" joining COPY … PROGRAM',
    m => `SELECT 1\\; COPY (SELECT 1) TO PROGRAM 'touch ${m}';`,
    /psql turns "\\;"/
  ],
  [
    'ROLLBACK; then a shell (transaction control)',
    m => `ROLLBACK;\n\\! touch ${m}`,
    /ROLLBACK would end the transaction/
  ]
]

/** The plain dump with `lines` after its first CREATE TABLE statement (and `eol` line ends). */
function hostileScript(lines: string, eol = '\n'): Buffer {
  const text = readFileSync(plainDump, 'utf8')
  const at = text.indexOf(';\n', text.indexOf('CREATE TABLE')) + 2
  const script = `${text.slice(0, at)}\n${lines}\n${text.slice(at)}`
  return Buffer.from(eol === '\n' ? script : script.replace(/\n/g, eol))
}

beforeAll(async () => {
  ;({ server, backend } = harness)
  files = path.join(harness.work, 'files')
  markers = path.join(harness.work, 'markers')
  mkdirSync(files)
  mkdirSync(markers)
  chmodSync(markers, 0o777) // the server may run as another user (COPY … PROGRAM)
  const shop = await server.createDatabase('shop')
  await server.query(
    shop,
    `CREATE TABLE public.items (id integer PRIMARY KEY, name text NOT NULL);
     INSERT INTO public.items SELECT i, 'item ' || i FROM generate_series(1, 500) AS i;
     CREATE TABLE public.notes (id integer, body text);
     INSERT INTO public.notes VALUES (1, E'a\\\\b'), (2, 'x;y'), (3, NULL);`
  )
  plainDump = path.join(files, 'shop.sql')
  await runTool(path.join(server.binDir, 'pg_dump'), ['-Fp', '-f', plainDump], server.env(shop))
}, 60_000)

function runRestore(target: string, source: BackupSource, overrides: Partial<RestoreOptions> = {}) {
  return harness.restore(testRestoreInputs(server.url(target), source, overrides))
}

const fileSource = (p: string): BackupSource => ({ kind: 'file', path: p })

async function snapshot(database: string) {
  return {
    data: await tableChecksums(server, database),
    schema: await schemaDump(server, database)
  }
}

/**
 * Runs `restore` against a target holding data of its own: it must fail with `message`, create
 * no `mark`, and leave the target exactly as it was.
 */
async function expectRefused(
  mark: string,
  message: RegExp,
  restore: (target: string) => Promise<unknown>
): Promise<Error> {
  const target = await server.createDatabase()
  await server.query(target, KEEP_ME)
  const before = await snapshot(target)
  const error = await restore(target).then(
    () => undefined,
    (e: unknown) => e as Error
  )
  expect(error).toBeInstanceOf(Error)
  expect(error!.message).toMatch(message)
  expect(existsSync(mark)).toBe(false)
  expect(await snapshot(target)).toEqual(before)
  await server.dropDatabase(target)
  return error!
}

function write(name: string, bytes: Buffer | string): string {
  const p = path.join(files, name)
  writeFileSync(p, bytes)
  return p
}

async function encrypted(bytes: Buffer): Promise<Buffer> {
  const out = path.join(files, `enc-${++markerCount}`)
  await pipeline(
    Readable.from([bytes]),
    createEncryptor({ kind: 'passphrase', passphrase: PASSPHRASE }),
    createWriteStream(out)
  )
  return readFileSync(out)
}

describe('hostile plain scripts are refused before anything runs', () => {
  it.each(ATTACKS)('%s, in a .sql file (allow-non-empty)', async (_name, attack, message) => {
    const m = marker()
    const file = write(`attack-${markerCount}.sql`, hostileScript(attack(m)))
    const error = await expectRefused(m, message, target =>
      runRestore(target, fileSource(file), { allowNonEmpty: true })
    )
    expect(error.message).toMatch(/shop|attack/) // names the script
  })

  it.each([
    ['.sql.gz', (b: Buffer) => zlib.gzipSync(b), {}],
    ['.sql with CRLF line ends', (b: Buffer) => b, { eol: '\r\n' }],
    ['.sql.age (passphrase)', async (b: Buffer) => encrypted(b), {}]
  ] as const)('through a %s', async (ext, encode, how) => {
    const m = marker()
    const bytes = hostileScript(`\\! touch ${m}`, 'eol' in how ? how.eol : '\n')
    const file = write(`attack-${markerCount}${ext.split(' ')[0]}`, await encode(bytes))
    await expectRefused(m, /the psql meta-command "\\! touch/, target =>
      runRestore(target, fileSource(file), {
        allowNonEmpty: true,
        decryption: { identities: [], passphrases: [PASSPHRASE] }
      })
    )
  })

  it('lo_export() into an empty target (no allow-non-empty check before the gate; attacker a37 F1)', async () => {
    const m = marker()
    const file = write(
      'attack-lo-export.sql',
      hostileScript(
        `SELECT pg_catalog.lo_from_bytea(626262, 'x');\nSELECT pg_catalog.lo_export(626262, '${m}');`
      )
    )
    const empty = await server.createDatabase()
    const error = await runRestore(empty, fileSource(file)).catch((e: Error) => e)
    expect((error as Error).message).toMatch(
      /line \d+: pg_catalog\.lo_export\(\) reads or writes a file \(or lists a directory\) on the database server; pg_dump never writes a call of it/
    )
    expect(existsSync(m)).toBe(false)
    expect(await tableChecksums(server, empty)).toEqual({})
    await server.dropDatabase(empty)
  })

  it('with clean: true (the drops never run either)', async () => {
    const m = marker()
    const file = write('attack-clean.sql', hostileScript(`\\! touch ${m}`))
    // a target holding the backup's own tables: clean would drop them first
    const target = await server.createDatabase()
    await runRestore(target, fileSource(plainDump))
    const before = await snapshot(target)
    const error = await runRestore(target, fileSource(file), { clean: true }).then(
      () => undefined,
      (e: unknown) => e as Error
    )
    expect(error?.message).toMatch(/the psql meta-command "\\! touch/)
    expect(existsSync(m)).toBe(false)
    expect(await snapshot(target)).toEqual(before)
    await server.dropDatabase(target)
  })

  it('without a single transaction: refused before the first statement (the whole script is checked first)', async () => {
    const m = marker()
    const file = write('attack-no-tx.sql', hostileScript(`\\! touch ${m}`))
    await expectRefused(m, /the psql meta-command "\\! touch/, target =>
      runRestore(target, fileSource(file), { allowNonEmpty: true, singleTransaction: false })
    )
  })

  it('through an artifact zip: as a file, as the latest artifact, and by verify', async () => {
    // a real backup of the action, its dump made hostile and its manifest made to match
    await harness.backup(
      testBackupInputs(server.url('shop'), {
        artifactName: 'shop-plain',
        format: 'plain',
        compression: 'none',
        compressionLevel: 0
      })
    )
    const entries = await unzipEntries(backend.findArtifact('shop-plain.zip')!.bytes)
    const manifest = JSON.parse(entries.get('manifest.json')!.toString('utf8')) as {
      file: { name: string; sha256: string; sizeBytes: number }
    }
    const m = marker()
    const original = entries.get(manifest.file.name)!.toString('utf8')
    const at = original.indexOf(';\n', original.indexOf('CREATE TABLE')) + 2
    const dump = Buffer.from(`${original.slice(0, at)}\\! touch ${m}\n${original.slice(at)}`)
    manifest.file.sha256 = (await import('node:crypto'))
      .createHash('sha256')
      .update(dump)
      .digest('hex')
    manifest.file.sizeBytes = dump.length
    const files2 = { [manifest.file.name]: dump, 'manifest.json': JSON.stringify(manifest) }
    const zipBytes = await buildZip(files2)
    const zip = write('hostile-artifact.zip', zipBytes)
    await expectRefused(m, /the psql meta-command "\\! touch/, target =>
      runRestore(target, fileSource(zip), { allowNonEmpty: true })
    )
    await backend.seedArtifact({ name: 'shop-plain.zip', bytes: zipBytes })
    const latest: BackupSource = {
      kind: 'artifact',
      name: 'shop-plain',
      runId: 'latest',
      repository: backend.repository,
      token: backend.githubToken
    }
    await expectRefused(m, /the psql meta-command "\\! touch/, target =>
      runRestore(target, latest, { allowNonEmpty: true })
    )
    await expectRefused(m, /the psql meta-command "\\! touch/, target =>
      harness.verify(testRestoreInputs(server.url(target), latest, { mode: 'verify' }))
    )
  })

  it('through the CLI: exit code 3 (a check failed), nothing run', async () => {
    const m = marker()
    const file = write('attack-cli.sql', hostileScript(`\\! touch ${m}`))
    await expectRefused(m, /the psql meta-command/, async target => {
      const child = spawn(
        path.join(root, 'node_modules/.bin/tsx'),
        [path.join(root, 'src/cli.ts'), 'restore', '--backup-file', file, '--allow-non-empty'],
        {
          cwd: harness.work,
          env: {
            PATH: process.env.PATH,
            HOME: process.env.HOME,
            DATABASE_URL: server.url(target),
            PG_BIN_DIR: server.binDir
          }
        }
      )
      let stderr = ''
      child.stderr.on('data', d => (stderr += d))
      child.stdout.on('data', d => (stderr += d))
      const code = await new Promise<number | null>(resolve => child.on('close', resolve))
      expect(code).toBe(3)
      throw new Error(stderr)
    })
  })
})

describe('hostile custom archives', () => {
  /** A custom archive whose only entry is a TABLE with `defn` (no data). */
  function archive(defn: string): string {
    const bytes = writeArchive({
      minor: 14,
      serverVersion: '15.18',
      pgDumpVersion: '15.18',
      entries: [
        {
          dumpId: 1,
          tag: 'ENCODING',
          desc: 'ENCODING',
          section: 1,
          defn: "SET client_encoding = 'UTF8';\n",
          dataState: 3
        },
        {
          dumpId: 2,
          tag: 'evil',
          desc: 'TABLE',
          namespace: 'public',
          section: 2,
          defn,
          dropStmt: 'DROP TABLE public.evil;\n',
          dataState: 3
        }
      ]
    })
    return write(`hostile-${++markerCount}.dump`, bytes)
  }

  it.each([
    [
      '\\! in an entry',
      (m: string) => `CREATE TABLE public.evil (id integer);\n\\! touch ${m}\n`,
      /psql meta-command "\\! touch/
    ],
    [
      'COPY … PROGRAM in an entry',
      (m: string) =>
        `CREATE TABLE public.evil (id integer);\nCOPY (SELECT 1) TO PROGRAM 'touch ${m}';\n`,
      /COPY … TO PROGRAM/
    ]
  ])('%s: refused (pg_restore -f - → gate → psql)', async (_name, defn, message) => {
    const m = marker()
    const file = archive(defn(m))
    await expectRefused(m, message, target =>
      runRestore(target, fileSource(file), { allowNonEmpty: true })
    )
    await expectRefused(m, message, target =>
      runRestore(target, fileSource(file), { allowNonEmpty: true, singleTransaction: false })
    )
  })

  it.each([
    ['a COMMENT entry', 'COMMENT'],
    ['a TABLE DATA entry whose data block runs as SQL (no COPY statement)', 'TABLE DATA']
  ])(
    'an entry with the ID of another (%s, hidden before the real table data): refused as the TOC is read, nothing runs (attacker a23 A1)',
    async (_what, desc) => {
      // pg_restore -L restores every entry a listed ID names, and checks that read one entry by
      // ID saw only one: pg_restore -d ran the hidden one's SQL (escaping the one transaction)
      const shop = await server.createDatabase()
      await server.query(shop, KEEP_ME)
      const real = pgDumpBytes(server, shop, ['-Fc', '-Z0'])
      const m = marker()
      const hidden = `COPY (SELECT 1) TO PROGRAM 'touch ${m}';\n`
      const crafted = rewriteArchiveToc(real, entries =>
        entries.flatMap(e =>
          e.desc === 'TABLE DATA'
            ? [
                {
                  ...e,
                  desc,
                  defn: desc === 'COMMENT' ? hidden : '',
                  copyStmt: '',
                  hadDumper: 0,
                  dataState: 3
                },
                e
              ]
            : [e]
        )
      )
      const file = write(`duplicate-id-${++markerCount}.dump`, crafted)
      const message =
        /entry ID \d+ is given twice \(entries \d+ and \d+\): pg_dump never writes that/
      // an empty target (the direct load, pg_restore -d) and one with rows (the gate's path)
      const empty = await server.createDatabase()
      const error = await runRestore(empty, fileSource(file)).catch((e: Error) => e)
      expect((error as Error).message).toMatch(message)
      expect(existsSync(m)).toBe(false)
      expect(await tableChecksums(server, empty)).toEqual({})
      await expectRefused(m, message, target =>
        runRestore(target, fileSource(file), { allowNonEmpty: true })
      )
      const scratch = await server.createDatabase()
      const refused = await harness
        .verify(testRestoreInputs(server.url(scratch), fileSource(file), { mode: 'verify' }))
        .catch((e: Error) => e)
      expect((refused as Error).message).toMatch(message)
      expect(existsSync(m)).toBe(false)
      expect(await tableChecksums(server, scratch)).toEqual({})
    }
  )

  it("lo_export() in an entry (attacker a37 F1): refused into an empty target (the direct load's check reads pg_restore -f - through the gate), and by jobs: 2's TOC check", async () => {
    // (into a target with rows, allow-non-empty's check of what may write elsewhere refuses it
    // first)
    const m = marker()
    const file = archive(
      `CREATE TABLE public.evil (id integer);\nSELECT pg_catalog.lo_from_bytea(525252, 'x');\nSELECT pg_catalog.lo_export(525252, '${m}');\n`
    )
    for (const [overrides, message] of [
      [
        {},
        /line \d+ \(the archive's entry TABLE public\.evil\): pg_catalog\.lo_export\(\) reads or writes a file/
      ],
      [
        { singleTransaction: false, jobs: 2 },
        /entry 2 \(TABLE evil\).*pg_catalog\.lo_export\(\) reads or writes a file/
      ]
    ] as const) {
      const empty = await server.createDatabase()
      const error = await runRestore(empty, fileSource(file), overrides).catch((e: Error) => e)
      expect((error as Error).message).toMatch(message)
      expect(existsSync(m)).toBe(false)
      expect(await tableChecksums(server, empty)).toEqual({})
      await server.dropDatabase(empty)
    }
  })

  it('COPY … PROGRAM in an entry: a parallel restore (jobs: 2) checks the TOC first', async () => {
    const m = marker()
    const file = archive(
      `CREATE TABLE public.evil (id integer);\nCOPY (SELECT 1) TO PROGRAM 'touch ${m}';\n`
    )
    await expectRefused(m, /entry 2 \(TABLE evil\).*COPY … TO PROGRAM/, target =>
      runRestore(target, fileSource(file), {
        allowNonEmpty: true,
        singleTransaction: false,
        jobs: 2
      })
    )
  })
})

describe('the transaction is the action’s', () => {
  it("pg_dump's BEGIN/COMMIT around large objects, then an error: nothing is kept", async () => {
    const source = await server.createDatabase()
    await server.query(
      source,
      `CREATE TABLE public.docs (id integer PRIMARY KEY, blob oid);
       INSERT INTO public.docs VALUES (1, lo_from_bytea(0, 'hello, large object'));`
    )
    const dumped = path.join(files, 'lo.sql')
    await runTool(path.join(server.binDir, 'pg_dump'), ['-Fp', '-f', dumped], server.env(source))
    const text = readFileSync(dumped, 'utf8')
    expect(text).toMatch(/^BEGIN;$[\s\S]*lo_open[\s\S]*^COMMIT;$/m)
    // an error after the large objects' COMMIT, before pg_dump's trailer
    const at = text.indexOf('--\n-- PostgreSQL database dump complete')
    const file = write('lo-then-error.sql', `${text.slice(0, at)}SELECT 1/0;\n\n${text.slice(at)}`)
    const target = await server.createDatabase()
    const error = await runRestore(target, fileSource(file)).then(
      () => undefined,
      (e: unknown) => e as Error
    )
    expect(error?.message).toMatch(/division by zero/)
    // on main, pg_dump's COMMIT ended psql's single transaction: the table and rows stayed
    expect(await server.query(target, "SELECT to_regclass('public.docs') IS NULL AS gone")).toEqual(
      [{ gone: true }]
    )
    expect(
      await server.query(target, 'SELECT count(*)::int AS n FROM pg_largeobject_metadata')
    ).toEqual([{ n: 0 }])
    // and without the error it restores, large object included
    const ok = await server.createDatabase()
    await runRestore(ok, fileSource(dumped))
    expect(
      await server.query(ok, "SELECT convert_from(lo_get(blob), 'UTF8') AS v FROM public.docs")
    ).toEqual([{ v: 'hello, large object' }])
    await Promise.all([target, ok, source].map(d => server.dropDatabase(d)))
  })

  it('a load whose process dies mid-way leaves the target unchanged (psql -1 would commit half)', async () => {
    const psql = existsSync(path.join(server.binDir, 'psql'))
      ? path.join(server.binDir, 'psql')
      : '/usr/lib/postgresql/15/bin/psql'
    const rows = Array.from({ length: 20000 }, (_, i) => `${i}\trow ${i}\n`).join('')
    const head =
      'CREATE TABLE public.big (id integer, v text);\nCOPY public.big (id, v) FROM stdin;\n'
    // how main loaded: psql --single-transaction; its input ends early → it COMMITs what it read
    const half = await server.createDatabase()
    const env = { ...process.env, ...server.env(half) }
    const r = spawnSync(
      psql,
      ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '--single-transaction', '-f', '-'],
      {
        env,
        input: head + rows.slice(0, rows.length / 2).replace(/[^\n]*$/, '')
      }
    )
    expect(r.status).toBe(0)
    expect(
      Number(
        (await server.query<{ n: number }>(half, 'SELECT count(*)::int AS n FROM public.big'))[0].n
      )
    ).toBeGreaterThan(0)

    // now: the gate's BEGIN, then the process feeding psql is killed (no signal handler runs)
    const target = await server.createDatabase()
    await server.query(target, KEEP_ME)
    const before = await snapshot(target)
    const driver = write(
      'driver.mts',
      `import { Readable } from 'node:stream'
import { chain } from '${root}/src/pipeline/decode.ts'
import { runPsql } from '${root}/src/postgres/load.ts'
import { ScriptGate } from '${root}/src/postgres/script-gate.ts'
const rows = ${JSON.stringify(rows)}
async function* script() {
  yield Buffer.from(${JSON.stringify(head)})
  for (let i = 0; i < rows.length; i += 4096) {
    yield Buffer.from(rows.slice(i, i + 4096))
    if (i > rows.length / 2) { console.log('half'); await new Promise(r => setTimeout(r, 60000)) }
  }
  yield Buffer.from('\\\\.\\n')
}
await runPsql(process.argv[2], process.env as Record<string, string>, chain(Readable.from(script()), new ScriptGate({ psqlMajor: 15, transaction: true })))
`
    )
    // one Node process (tsx as a loader, not its CLI, which would run the driver in a second
    // process that SIGKILL of the first leaves running)
    const child = spawn(process.execPath, ['--import', 'tsx', driver, psql], {
      cwd: root,
      env: { ...process.env, ...server.env(target) } as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'inherit']
    })
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', () => resolve())
      child.on('close', code => reject(new Error(`the driver exited (${code}) before half`)))
    })
    // psql has read the first half by now (inside the gate's transaction)
    await new Promise(resolve => setTimeout(resolve, 1000))
    const inside = await server.query<{ n: number }>(
      target,
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'psql' AND xact_start IS NOT NULL"
    )
    expect(inside[0].n).toBe(1) // psql is inside the gate's transaction, loading the COPY
    child.kill('SIGKILL')
    // psql sees the end of its input inside the transaction: it exits, the server rolls back
    for (let i = 0; i < 100; i++) {
      const left = await server.query<{ n: number }>(
        target,
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'psql'"
      )
      if (left[0].n === 0) break
      await new Promise(resolve => setTimeout(resolve, 100))
    }
    const gone = await server.query<{ n: number }>(
      target,
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'psql'"
    )
    expect(gone[0].n).toBe(0) // psql saw the end of its input and left
    expect(await snapshot(target)).toEqual(before)
    await Promise.all([half, target].map(d => server.dropDatabase(d)))
  })
})

describe('scripts that address the cluster or another database', () => {
  const databases = async () =>
    (
      await server.query<{ datname: string }>(
        'postgres',
        'SELECT datname FROM pg_database ORDER BY 1'
      )
    ).map(d => d.datname)

  it('a pg_dumpall file is refused by content, also without a single transaction, naming what it is and the command that takes one database out', async () => {
    const file = path.join(files, 'pg_dumpall.sql')
    await runTool(path.join(server.binDir, 'pg_dumpall'), ['-f', file], server.env('postgres'))
    for (const singleTransaction of [true, false]) {
      const before = await databases()
      const error = await expectRefused(
        path.join(markers, 'none'),
        /is a pg_dumpall file/,
        target => runRestore(target, fileSource(file), { allowNonEmpty: true, singleTransaction })
      )
      expect(error.message).toMatch(/target database/)
      expect(error.message).toMatch(/db_cluster-….backup.gz/)
      expect((await databases()).filter(d => !before.includes(d))).toEqual([])
    }
    // the command the message gives takes out the section of database "shop": it restores
    const message = (
      await expectRefused(path.join(markers, 'none'), /is a pg_dumpall file/, target =>
        runRestore(target, fileSource(file), { allowNonEmpty: true })
      )
    ).message
    const awk = /(awk '.*') FILE > /.exec(message)![1]
    // and the one before it lists the databases the file holds (trial u45 F5: the awk named the
    // target's database, which the file may not hold, and gave an empty file)
    const grep = /(grep '[^']*') FILE lists the databases it holds/.exec(message)![1]
    const listed = spawnSync('sh', ['-c', `${grep} "$1"`, 'sh', file], { encoding: 'utf8' })
    expect(listed.stdout).toMatch(/^-- Database "shop" dump$/m)
    const target = await server.createDatabase('shop_from_cluster')
    const section = path.join(files, 'shop-section.sql')
    const cut = spawnSync('sh', [
      '-c',
      `${awk.replace(/-- Database "[^"]*" dump/, '-- Database "shop" dump')} "$1" > "$2"`,
      'sh',
      file,
      section
    ])
    expect(cut.status).toBe(0)
    expect(readFileSync(section, 'utf8')).toMatch(/^CREATE DATABASE shop /m)
    await runRestore(target, fileSource(section))
    expect(await tableChecksums(server, target)).toEqual(await tableChecksums(server, 'shop'))
  })

  it.each([
    ['15 (Debian)', () => server.binDir, "My Shop's"],
    ['18 (provisioned)', () => provisionedBinDir(18), 'My "Shop"\\18']
  ])(
    'a pg_dump --create script (pg_dump %s; settings, comment, grant; a name needing quotes) restores into the target database: the header and database properties listed as not restored, no database created',
    async (_client, binDir, other) => {
      // pg_dump's connection string: 'value' with \\ before ' and \\, then the whole as "identifier"
      const connstr = `dbname='${other.replace(/['\\\\]/g, '\\$&')}'`
      for (const [name, connect] of [
        ['shop', '\\connect shop'],
        [other, `\\connect -reuse-previous=on "${connstr.replace(/"/g, '""')}"`]
      ] as const) {
        const source = name === 'shop' ? 'shop' : await server.createDatabase(name)
        if (source !== 'shop') {
          await server.query(
            source,
            `CREATE TABLE public.items (id integer PRIMARY KEY, name text NOT NULL);
            INSERT INTO public.items SELECT i, 'item ' || i FROM generate_series(1, 50) AS i;`
          )
        }
        const ident = `"${source.replace(/"/g, '""')}"`
        await server.query(
          'postgres',
          `ALTER DATABASE ${ident} SET search_path = public, pg_catalog;
           COMMENT ON DATABASE ${ident} IS 'the shop';
           GRANT CONNECT ON DATABASE ${ident} TO app;`
        )
        const file = path.join(files, `create-${binDir().length}-${source.replace(/\W/g, '_')}.sql`)
        await runTool(path.join(binDir(), 'pg_dump'), ['-C', '-f', file], server.env(source))
        expect(readFileSync(file, 'utf8').split('\n')).toContain(connect)
        const before = await databases()
        const target = await server.createDatabase()
        const result = await runRestore(target, fileSource(file))
        expect(await tableChecksums(server, target)).toEqual(await tableChecksums(server, source))
        expect((await databases()).filter(d => !before.includes(d) && d !== target)).toEqual([])
        // the target keeps its own settings, comment and privileges
        const [props] = await server.query<{ config: string[] | null; comment: string | null }>(
          'postgres',
          `SELECT (SELECT s.setconfig FROM pg_db_role_setting s WHERE s.setdatabase = d.oid AND s.setrole = 0) AS config,
                   pg_catalog.shobj_description(d.oid, 'pg_database') AS comment
             FROM pg_database d WHERE datname = '${target}'`
        )
        expect(props).toEqual({ config: null, comment: null })
        const quoted = name === 'shop' ? 'shop' : `"${name.replace(/"/g, '""')}"`
        expect(result.notRestored).toHaveLength(4)
        expect(result.notRestored).toEqual(
          expect.arrayContaining([
            expect.stringMatching(
              new RegExp(
                `^DATABASE ${quoted.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} itself \\(CREATE DATABASE and its owner\\): the script was made by pg_dump --create; its content was restored into the target database`
              )
            ),
            expect.stringMatching(
              /^COMMENT ON DATABASE .* IS 'the shop'; — a property of the backed-up database/
            ),
            expect.stringMatching(
              /^ALTER DATABASE .* SET search_path TO 'public', 'pg_catalog'; — a setting of the backed-up database/
            ),
            expect.stringMatching(
              /^GRANT CONNECT ON DATABASE .* TO app; — a property of the backed-up database/
            )
          ])
        )
      }
    },
    120_000
  )

  it('a pg_dump --clean --create script: its DROP DATABASE never runs, listed; the content restores into the target', async () => {
    const file = path.join(files, 'clean-create.sql')
    await runTool(path.join(server.binDir, 'pg_dump'), ['-c', '-C', '-f', file], server.env('shop'))
    expect(readFileSync(file, 'utf8')).toMatch(/^DROP DATABASE shop;$/m)
    const target = await server.createDatabase()
    const result = await runRestore(target, fileSource(file))
    expect(await tableChecksums(server, target)).toEqual(await tableChecksums(server, 'shop'))
    expect(result.notRestored).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^DROP DATABASE shop \(pg_dump --clean --create\): the target database is never dropped/
        )
      ])
    )
  })

  it('a --create script with another \\connect is refused, nothing restored, also without a single transaction', async () => {
    const text = readFileSync(plainDump, 'utf8')
    const file = write(
      'create-other.sql',
      `CREATE DATABASE shop WITH TEMPLATE = template0;\n\\connect postgres\n${text}`
    )
    for (const singleTransaction of [true, false]) {
      await expectRefused(
        path.join(markers, 'none'),
        /"\\connect postgres" is not the one "\\connect" pg_dump --create writes after CREATE DATABASE shop/,
        target => runRestore(target, fileSource(file), { allowNonEmpty: true, singleTransaction })
      )
    }
  })
})

describe('CRLF and BOM scripts restore', () => {
  it('a pg_dump script with CRLF line ends (COPY data too) and a BOM: rows equal', async () => {
    const text = readFileSync(plainDump, 'utf8')
    const expected = await tableChecksums(server, 'shop')
    for (const [name, bytes] of [
      ['crlf.sql', Buffer.from(text.replace(/\n/g, '\r\n'))],
      ['bom.sql', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])],
      ['crlf-bom.sql.gz', zlib.gzipSync(Buffer.from(`\ufeff${text.replace(/\n/g, '\r\n')}`))]
    ] as const) {
      const target = await server.createDatabase()
      await runRestore(target, fileSource(write(name, bytes)))
      expect(await tableChecksums(server, target)).toEqual(expected)
      await server.dropDatabase(target)
    }
  })
})

describe("a table's rows that end before their data block does (attacker a59 F1)", () => {
  /** pg_dump's int: a sign byte, then `size` bytes, least significant first. */
  const int = (value: number, size: number): Buffer => {
    const b = Buffer.alloc(1 + size)
    for (let i = 0; i < size; i++) b[1 + i] = Math.floor(value / 256 ** i) % 256
    return b
  }
  /**
   * A custom archive (pg_dump -Fc to a pipe: its blocks in order) with the data block of the
   * TABLE DATA entry `tag` replaced by one chunk `stored` (the block's bytes as pg_dump stores
   * them: compressed when the archive is).
   */
  function withRows(bytes: Buffer, tag: string, stored: Buffer): Buffer {
    const toc = parseArchiveToc(bytes)
    const size = toc.header.intSize
    const id = toc.entries.find(e => e.desc === 'TABLE DATA' && e.tag === tag)!.dumpId
    const readInt = (at: number): number => {
      let v = 0
      for (let i = size; i >= 1; i--) v = v * 256 + bytes[at + i]
      return bytes[at] ? -v : v
    }
    const parts: Buffer[] = [bytes.subarray(0, toc.end)]
    let at = toc.end
    while (at < bytes.length) {
      const start = at
      const type = bytes[at]
      const blockId = readInt(at + 1)
      at += 2 + size
      const skipChunks = (): void => {
        for (let len = readInt(at); ; len = readInt(at)) {
          at += 1 + size
          if (len === 0) return
          at += len
        }
      }
      if (type === 3) {
        // large objects: each OID, then its chunks; an OID of 0 ends them
        for (let oid = readInt(at); oid !== 0; oid = readInt(at)) {
          at += 1 + size
          skipChunks()
        }
        at += 1 + size
      } else skipChunks()
      parts.push(
        blockId === id && type === 1
          ? Buffer.concat([
              Buffer.from([1]),
              int(id, size),
              int(stored.length, size),
              stored,
              int(0, size)
            ])
          : bytes.subarray(start, at)
      )
    }
    return Buffer.concat(parts)
  }
  /** A database holding public.items with one row: the table whose rows the attacks forge. */
  async function itemsShop(): Promise<string> {
    const shop = await server.createDatabase()
    await server.query(
      shop,
      `CREATE TABLE public.items (id integer PRIMARY KEY, name text); INSERT INTO public.items VALUES (1, 'item 1');`
    )
    return shop
  }
  const smuggled = (m: string): string =>
    `1\titem 1\n\\.\nCOPY (SELECT 1) TO PROGRAM 'touch ${m}';\nCREATE TABLE public.pwned (i integer);\n\\.\n\n\n`
  const early =
    /the rows of the archive's entry TABLE DATA public\.items hold a line "\\\." with more after it \(byte 12 of its data\).*Nothing was restored/

  it('a custom archive (uncompressed, and gzip): refused before anything runs through psql (allow-non-empty, clean); pg_restore -d loads the rows as by hand', async () => {
    const shop = await itemsShop()
    for (const [args, encode] of [
      [['-Fc', '-Z0'], (s: string) => Buffer.from(s)],
      [['-Fc', '-Z6'], (s: string) => zlib.deflateSync(Buffer.from(s))]
    ] as const) {
      const m = marker()
      const file = write(
        `early-end-${++markerCount}.dump`,
        withRows(pgDumpBytes(server, shop, [...args]), 'items', encode(smuggled(m)))
      )
      // the gated path (psql): refused before anything runs
      for (const overrides of [{ allowNonEmpty: true }, { clean: true }])
        await expectRefused(m, early, target => runRestore(target, fileSource(file), overrides))
      // pg_restore -d (an empty target): the server reads the block as rows, as by hand
      const empty = await server.createDatabase()
      await runRestore(empty, fileSource(file))
      expect(existsSync(m)).toBe(false)
      expect(Object.keys(await tableChecksums(server, empty))).toEqual(['public.items'])
      await server.dropDatabase(empty)
    }
    // rows with no end line: psql would read the next entries' statements as rows
    const m = marker()
    const unended = write(
      `unended-${++markerCount}.dump`,
      withRows(pgDumpBytes(server, shop, ['-Fc', '-Z0']), 'items', Buffer.from('1\titem 1\n'))
    )
    await expectRefused(
      m,
      /entry TABLE DATA public\.items do not end with the line "\\\." pg_dump writes after them/,
      target => runRestore(target, fileSource(unended), { allowNonEmpty: true })
    )
  })

  it("pg_dump 17's zstd and lz4 blocks are read too: the smuggled line is found in each", async () => {
    const shop = await server.createDatabase()
    await server.query(
      shop,
      `CREATE TABLE public.items (id integer PRIMARY KEY, name text); INSERT INTO public.items SELECT i, 'item ' || i FROM generate_series(1, 2000) AS i;`
    )
    const pgDump17 = path.join(provisionedBinDir(17), 'pg_dump')
    for (const [compression, encode] of [
      ['zstd', (b: Buffer) => zlib.zstdCompressSync(b)],
      ['lz4', (b: Buffer) => spawnSync('lz4', ['-c', '-q'], { input: b }).stdout]
    ] as const) {
      const dumped = execFileSync(pgDump17, ['-Fc', `--compress=${compression}`], {
        env: server.env(shop),
        maxBuffer: 1 << 30
      })
      // as pg_dump wrote it: every table's rows end as they should
      expect(await checkCustomArchiveStream(Readable.from([dumped]))).toEqual({ blocks: 1 })
      const m = marker()
      const crafted = withRows(dumped, 'items', encode(Buffer.from(smuggled(m))))
      const error = await checkCustomArchiveStream(Readable.from([crafted])).catch((e: Error) => e)
      expect((error as Error).message).toMatch(early)
    }
  })

  it("an archive whose table of contents points an entry's data at a block of its own making (data offsets, pg_restore seeks; attacker a60 F1): refused", async () => {
    const shop = await itemsShop()
    const dumped = path.join(files, `offsets-${++markerCount}.dump`)
    await runTool(
      path.join(server.binDir, 'pg_dump'),
      ['-Fc', '-Z0', '-f', dumped],
      server.env(shop)
    )
    const real = readFileSync(dumped)
    const toc = parseArchiveToc(real)
    const size = toc.header.intSize
    const items = toc.entries.find(e => e.desc === 'TABLE DATA' && e.tag === 'items')!
    expect(items.extra).toMatchObject({ dataState: 'set' })
    // a block of an ID no entry has, holding a whole block of rows for items
    const m = marker()
    const payload = Buffer.from(smuggled(m))
    const inner = Buffer.concat([
      Buffer.from([1]),
      int(items.dumpId, size),
      int(payload.length, size),
      payload,
      int(0, size)
    ])
    const outer = Buffer.concat([
      Buffer.from([1]),
      int(99999, size),
      int(inner.length, size),
      inner,
      int(0, size)
    ])
    const innerAt = real.length + 2 * (1 + size) + 1
    const crafted = Buffer.concat([
      rewriteArchiveToc(real, entries =>
        entries.map(e => (e.dumpId === items.dumpId ? { ...e, dataOffset: innerAt } : e))
      ),
      outer
    ])
    const offsetsRefused = new RegExp(
      `puts the data of its entry TABLE DATA public\\.items at byte ${innerAt}, where its block does not start`
    )
    // read as pg_restore reads a file (seeking to the offsets)
    const error = await checkCustomArchiveStream(Readable.from([crafted]), true).catch(
      (e: Error) => e
    )
    expect((error as Error).message).toMatch(offsetsRefused)
    // from a pipe pg_restore reads in order: the offsets do not count (a TOC rewritten keeps
    // stale ones); the rows it reads end well
    expect(await checkCustomArchiveStream(Readable.from([crafted]))).toEqual({ blocks: 1 })
    // jobs: 2 reads the file by its offsets: refused before anything runs
    const file = write(`offsets-crafted-${markerCount}.dump`, crafted)
    await expectRefused(m, offsetsRefused, target =>
      runRestore(target, fileSource(file), {
        allowNonEmpty: true,
        singleTransaction: false,
        jobs: 2
      })
    )
  })

  it('a directory archive with the data of a table in two compressions (pg_restore picks one by its own order; attacker a60 F2): refused', async () => {
    const shop = await itemsShop()
    const dir = path.join(files, `two-files-${++markerCount}`)
    await runTool(path.join(server.binDir, 'pg_dump'), ['-Fd', '-f', dir], server.env(shop))
    const entry = parseArchiveToc(readFileSync(path.join(dir, 'toc.dat'))).entries.find(
      e => e.desc === 'TABLE DATA' && e.tag === 'items'
    )!
    const name = (entry.extra as { filename: string }).filename
    const m = marker()
    writeFileSync(path.join(dir, `${name}.zst`), zlib.zstdCompressSync(Buffer.from(smuggled(m))))
    await expectRefused(
      m,
      new RegExp(
        `holds the data of its entry TABLE DATA public\\.items in 2 files \\(${name}\\.gz, ${name}\\.zst\\)`
      ),
      target => runRestore(target, fileSource(dir), { allowNonEmpty: true })
    )
  })

  it('rows whose compressed block does not decode whole: refused (pg_restore writes what it decoded before failing; attacker a61 F1)', async () => {
    const shop = await itemsShop()
    const m = marker()
    const dump = pgDumpBytes(server, shop, ['-Fc', '-Z1'])
    // rows that end as pg_dump ends them, then bytes that do not decode
    const flushed = zlib.deflateSync(Buffer.from('1\titem 1\n\\.\n\n\n'), {
      finishFlush: zlib.constants.Z_SYNC_FLUSH
    })
    const file = write(
      `undecodable-${++markerCount}.dump`,
      withRows(dump, 'items', Buffer.concat([flushed, Buffer.from([0xff, 0xff, 0xff, 0xff])]))
    )
    await expectRefused(
      m,
      /the rows of the archive's entry TABLE DATA public\.items cannot be decompressed \(zlib: .*pg_restore would write part of them/,
      target => runRestore(target, fileSource(file), { allowNonEmpty: true })
    )
    // a61's shape: SQL after the end line, the stream damaged further on (a decoder that
    // emits in larger pieces than pg_restore's never shows it): refused either way
    const long = zlib.deflateSync(
      Buffer.from(
        `1\titem 1\n\\.\n\n\nCREATE TABLE public.pwned (i integer);\n${'-- x\n'.repeat(1500)}`
      )
    )
    long[Math.floor(long.length * 0.6)] ^= 0xff
    const damaged = write(`undecodable-sql-${markerCount}.dump`, withRows(dump, 'items', long))
    await expectRefused(
      m,
      /entry TABLE DATA public\.items (cannot be decompressed|hold a line "\\\." with more after it)/,
      target => runRestore(target, fileSource(damaged), { allowNonEmpty: true })
    )
  })

  it('a directory archive (its gzip data file) and a tar archive: refused the same way', async () => {
    const shop = await itemsShop()
    const toc = (dir: string) => parseArchiveToc(readFileSync(path.join(dir, 'toc.dat')))
    const m = marker()
    const dir = path.join(files, `early-dir-${++markerCount}`)
    await runTool(path.join(server.binDir, 'pg_dump'), ['-Fd', '-f', dir], server.env(shop))
    const entry = toc(dir).entries.find(e => e.desc === 'TABLE DATA' && e.tag === 'items')!
    const name = (entry.extra as { filename: string }).filename
    writeFileSync(path.join(dir, `${name}.gz`), zlib.gzipSync(smuggled(m)))
    await expectRefused(m, early, target =>
      runRestore(target, fileSource(dir), { allowNonEmpty: true })
    )
    // the same files as pg_dump -Ft lays them out (uncompressed members)
    const plain = path.join(files, `early-tar-dir-${++markerCount}`)
    await runTool(
      path.join(server.binDir, 'pg_dump'),
      ['-Fd', '-Z0', '-f', plain],
      server.env(shop)
    )
    writeFileSync(path.join(plain, name), smuggled(m))
    const tarred = path.join(files, `early-${markerCount}.tar`)
    await runTool(path.join(server.binDir, 'pg_dump'), ['-Ft', '-f', tarred], server.env(shop))
    const unpacked = path.join(files, `early-tar-${markerCount}`)
    mkdirSync(unpacked)
    spawnSync('tar', ['-xf', tarred, '-C', unpacked])
    writeFileSync(path.join(unpacked, name), smuggled(m))
    const members =
      readFileSync(tarred).length > 0
        ? spawnSync('tar', ['-tf', tarred]).stdout.toString().trim().split('\n')
        : []
    const rebuilt = path.join(files, `early-rebuilt-${markerCount}.tar`)
    expect(
      spawnSync('tar', ['--format=ustar', '-cf', rebuilt, '-C', unpacked, ...members]).status
    ).toBe(0)
    await expectRefused(m, early, target =>
      runRestore(target, fileSource(rebuilt), { allowNonEmpty: true })
    )
  })

  it('rows as pg_dump writes them, a value of "\\." among them, restore through psql as before', async () => {
    const shop = await server.createDatabase()
    await server.query(
      shop,
      `CREATE TABLE public.odd (v text); INSERT INTO public.odd VALUES (E'\\\\.'), (E'\\\\.\\r'), ('x');`
    )
    const rows = async (db: string) =>
      (await server.query<{ v: string }>(db, 'SELECT v FROM public.odd ORDER BY v')).map(r => r.v)
    const dir = path.join(files, `odd-dir-${++markerCount}`)
    await runTool(path.join(server.binDir, 'pg_dump'), ['-Fd', '-f', dir], server.env(shop))
    // uncompressed and gzip custom archives, a gzip directory archive: through psql (the gate)
    for (const file of [
      write(`odd-${markerCount}.dump`, pgDumpBytes(server, shop, ['-Fc', '-Z0'])),
      write(`odd-gzip-${markerCount}.dump`, pgDumpBytes(server, shop, ['-Fc', '-Z6'])),
      dir
    ]) {
      const target = await server.createDatabase()
      await server.query(target, KEEP_ME)
      await runRestore(target, fileSource(file), { allowNonEmpty: true })
      expect(await rows(target)).toEqual(['\\.', '\\.\r', 'x'])
      expect(await rows(target)).toEqual(await rows(shop))
      await server.dropDatabase(target)
    }
  })
})

describe("what acts outside the restore's one transaction (attacker a83 F1)", () => {
  /** dblink's connection string to `database` of the suite's server, as the superuser. */
  const conninfo = (database: string): string =>
    `host=${server.host} port=${server.port} user=${server.user} password='${server.password.replace(/[\\']/g, c => `\\${c}`)}' dbname=${database}`
  const autoConf = (): string =>
    readFileSync(path.join(server.dataDir, 'postgresql.auto.conf'), 'utf8')
  /** dblink's statements: a table made over its own connection, the server's configuration changed. */
  const payload = (target: string): string =>
    [
      'CREATE EXTENSION IF NOT EXISTS dblink WITH SCHEMA public;',
      `SELECT public.dblink_exec(${quoteLiteral(conninfo(target))}, 'CREATE TABLE public.escaped_dblink (x integer)');`,
      `SELECT public.dblink_exec(${quoteLiteral(conninfo('postgres'))}, 'ALTER SYSTEM SET log_min_duration_sample = 4242');`,
      'SELECT 1/0;'
    ].join('\n')
  const refusedCall =
    /line \d+.*: public\.dblink_exec\(\) opens a connection of its own \(dblink\).*outside the one transaction the restore runs in: no rollback undoes it.*\(psql by hand would run it\)\..*restore as the database's owner without superuser.*the script is refused before anything runs/

  async function expectNothingChanged(
    restore: (target: string) => Promise<unknown>
  ): Promise<Error> {
    const [{ super: superuser }] = await server.query<{ super: boolean }>(
      'postgres',
      'SELECT rolsuper AS super FROM pg_catalog.pg_roles WHERE rolname = current_user'
    )
    expect(superuser).toBe(true) // as the restore's role: the escape needs no password
    // an empty target, as a83 F1 restored into (no check of the target's rows comes first)
    const target = await server.createDatabase()
    const before = await snapshot(target)
    const conf = autoConf()
    const error = await restore(target).then(
      () => undefined,
      (e: unknown) => e as Error
    )
    expect(error).toBeInstanceOf(Error)
    expect(error!.message).toMatch(refusedCall)
    // nothing was sent: no extension, no table made through dblink, the configuration as it was
    expect(await snapshot(target)).toEqual(before)
    expect(
      await server.query(
        target,
        "SELECT 1 FROM pg_catalog.pg_class WHERE relname = 'escaped_dblink' UNION ALL SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'dblink'"
      )
    ).toEqual([])
    expect(autoConf()).toBe(conf)
    expect(autoConf()).not.toContain('log_min_duration_sample')
    await server.dropDatabase(target)
    return error!
  }

  it('a plain script calling dblink_exec, restored as a superuser: refused before anything runs, naming the line', async () => {
    let file = ''
    const error = await expectNothingChanged(target => {
      file = write(`dblink-${target}.sql`, hostileScript(payload(target)))
      return runRestore(target, fileSource(file))
    })
    expect(error.message).toMatch(/dblink-.*\.sql, line \d+: public\.dblink_exec\(\)/)
  })

  it("a DO U&'…' calling pg_terminate_backend, restored by the database's owner without superuser: refused, the other session lives, nothing changed (attacker a84 F1)", async () => {
    const target = await server.createDatabase()
    await server.query('postgres', `ALTER DATABASE ${target} OWNER TO ${server.appUser}`)
    await server.query(target, `ALTER SCHEMA public OWNER TO ${server.appUser}`)
    const appUrl = server.url(target, { user: server.appUser, password: server.appPassword })
    // another session of the restoring role (the application's): pg_terminate_backend may end it
    const victim = new pg.Client({ connectionString: appUrl, application_name: 'victim_a84' })
    victim.on('error', () => undefined)
    await victim.connect()
    try {
      const before = await snapshot(target)
      // U&'…': \0074 is "t", the name is written nowhere as such (a84: the DO's string was not read)
      const script = hostileScript(
        String.raw`DO U&'BEGIN PERFORM pg_\0074erminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE application_name = ''victim_a84''; END';`
      )
      const error = await harness
        .restore(testRestoreInputs(appUrl, fileSource(write(`terminate-${target}.sql`, script))))
        .then(
          () => undefined,
          (e: unknown) => e as Error
        )
      expect(error?.message).toMatch(
        /terminate-.*\.sql, line \d+: pg_terminate_backend\(\) ends or interrupts another session of the server.*the script is refused before anything runs/
      )
      expect((await victim.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }])
      expect(await snapshot(target)).toEqual(before)
    } finally {
      await victim.end().catch(() => undefined)
      await server.dropDatabase(target)
    }
  })

  it("a query_to_xml('…') whose query calls pg_terminate_backend, restored by the database's owner without superuser: refused, the other session lives, nothing changed (attacker a84 F2)", async () => {
    const target = await server.createDatabase()
    await server.query('postgres', `ALTER DATABASE ${target} OWNER TO ${server.appUser}`)
    await server.query(target, `ALTER SCHEMA public OWNER TO ${server.appUser}`)
    const appUrl = server.url(target, { user: server.appUser, password: server.appPassword })
    // another session of the restoring role (the application's): pg_terminate_backend may end it
    const victim = new pg.Client({ connectionString: appUrl, application_name: 'victim_a84_f2' })
    victim.on('error', () => undefined)
    await victim.connect()
    try {
      const before = await snapshot(target)
      // no function body, no DO: the call is in the string the function runs as a query now
      const script = hostileScript(
        "SELECT pg_catalog.query_to_xml('SELECT pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE application_name = ''victim_a84_f2''', true, false, '');"
      )
      const error = await harness
        .restore(testRestoreInputs(appUrl, fileSource(write(`query-${target}.sql`, script))))
        .then(
          () => undefined,
          (e: unknown) => e as Error
        )
      expect(error?.message).toMatch(
        /query-.*\.sql, line \d+: pg_terminate_backend\(\) \(in the query pg_catalog\.query_to_xml\(\) runs now\) ends or interrupts another session of the server.*the script is refused before anything runs/
      )
      expect((await victim.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }])
      expect(await snapshot(target)).toEqual(before)
    } finally {
      await victim.end().catch(() => undefined)
      await server.dropDatabase(target)
    }
  })

  it('a custom archive whose entry calls dblink_exec: refused before anything runs, naming the entry', async () => {
    const real = pgDumpBytes(server, 'shop', ['-Fc', '-Z0'])
    const error = await expectNothingChanged(target => {
      const crafted = rewriteArchiveToc(real, entries =>
        entries.map(e =>
          e.desc === 'TABLE' ? { ...e, defn: `${e.defn}\n${payload(target)}\n` } : e
        )
      )
      return runRestore(target, fileSource(write(`dblink-${target}.dump`, crafted)))
    })
    expect(error.message).toMatch(/the archive's entry TABLE public\.items/)
  })
})
