/**
 * The command-line front door on the same engine: backup to a local directory, restore and
 * verify from a file, against a real server; exit codes and help.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { seedSample, tableChecksums } from '../../dev/fixtures.js'
import { useHarness } from '../support/harness.js'
import type { TestServer } from '../../dev/postgres.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const harness = useHarness({ name: 'cli-test', backend: false })
let server: TestServer
let source: string
let work: string

beforeAll(async () => {
  ;({ server, work } = harness)
  source = await server.createDatabase('shop')
  await seedSample(server, source)
}, 60_000)

function cli(
  args: string[],
  env: Record<string, string> = {}
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // tsx runs the TypeScript entry on the Node that npm test put first on PATH (24)
    const child = spawn(
      path.join(root, 'node_modules/.bin/tsx'),
      [path.join(root, 'src/cli.ts'), ...args],
      {
        cwd: work,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }
      }
    )
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', d => (stdout += d))
    child.stderr.on('data', d => (stderr += d))
    child.on('error', reject)
    child.on('close', code => resolve({ code, stdout, stderr }))
  })
}

describe('command line', () => {
  let backupFile: string

  it('backs up to a local directory with the manifest beside the dump', async () => {
    const out = path.join(work, 'backups')
    const result = await cli(['backup', '--output-dir', out, '--format', 'custom'], {
      DATABASE_URL: server.url(source)
    })
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const files = readdirSync(out).sort()
    expect(files).toHaveLength(2)
    backupFile = path.join(out, files[0])
    expect(files[1]).toBe(`${files[0]}.manifest.json`)
    const manifest = JSON.parse(readFileSync(path.join(out, files[1]), 'utf8'))
    expect(manifest.file.name).toBe(files[0])
    expect(result.stdout).toContain(`sha256 ${manifest.file.sha256}`)
    expect(result.stdout).not.toMatch(/::(group|add-mask)::/)
    expect(result.stdout + result.stderr).not.toContain(server.password)
  })

  it('takes --pg-dump-args "--no-owner --no-privileges" (a value that starts with -), as the README writes it (u8 F3)', async () => {
    const out = path.join(work, 'backups-args')
    const result = await cli(
      ['backup', '--output-dir', out, '--pg-dump-args', '--no-owner --no-privileges'],
      { DATABASE_URL: server.url(source) }
    )
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' })
    expect(readdirSync(out)).toHaveLength(2)
  })

  it('restores that file into an empty database and verifies it in a scratch one', async () => {
    const target = await server.createDatabase()
    const restored = await cli(['restore', '--backup-file', backupFile], {
      DATABASE_URL: server.url(target)
    })
    expect(restored.code).toBe(0)
    expect(restored.stdout).toMatch(/✔ Restored file .*: \d+ tables, \d+ rows/)
    // the warnings of a run that succeeds are counted in its last line (trial u41 F3): a
    // superuser's restore of a backup no signing-key authenticates is warned of
    const warnings = restored.stdout.match(/^warning: /gm)?.length ?? 0
    expect(warnings).toBeGreaterThan(0)
    expect(restored.stdout).toMatch(
      new RegExp(`✔ Restored file [^\\n]* With ${warnings} warnings? above`)
    )
    expect(await tableChecksums(server, target)).toEqual(await tableChecksums(server, source))

    const scratch = await server.createDatabase()
    const verified = await cli(['verify', '--backup-file', backupFile], {
      VERIFY_DATABASE_URL: server.url(scratch)
    })
    expect(verified.code).toBe(0)
    expect(verified.stdout).toMatch(/✔ Verified file /)
  })

  it('verify of a plain script without a manifest says that it only loaded it (u8 F9)', async () => {
    const plain = path.join(work, 'by-hand.sql')
    execFileSync(path.join(server.binDir, 'pg_dump'), ['-f', plain], { env: server.env(source) })
    const scratch = await server.createDatabase()
    const verified = await cli(['verify', '--backup-file', plain], {
      VERIFY_DATABASE_URL: server.url(scratch)
    })
    expect(verified.code).toBe(0)
    expect(verified.stdout).toMatch(
      /✔ Loaded without error file .*by-hand\.sql: \d+ tables?, \d+ rows?, [^\n]*\. Nothing was compared: the backup has no manifest, and it was not compared exactly \(/
    )
    expect(verified.stdout).not.toMatch(/✔ Verified/)
    // no manifest, no counts either (trial u54 F3)
    expect(verified.stdout).not.toMatch(/Nothing was compared[^\n]*counts only/)
  })

  it('restores the folder the backup command wrote; without --backup-file it says what to give', async () => {
    const target = await server.createDatabase()
    const restored = await cli(['restore', '--backup-file', path.dirname(backupFile)], {
      DATABASE_URL: server.url(target)
    })
    expect(restored.stderr).toBe('')
    expect(restored.code).toBe(0)
    expect(await tableChecksums(server, target)).toEqual(await tableChecksums(server, source))

    const missing = await cli(['restore'], { DATABASE_URL: server.url(target) })
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/restore needs --backup-file/)
    expect(missing.stderr).not.toMatch(/repository/)

    // a pg_dump -Fd folder's toc.dat given for the archive restores the folder (new-user trial
    // u11 F5: pg_restore's "expected format (1) differs from format found in file (3)")
    const dir = path.join(work, 'by-hand.dir')
    execFileSync(path.join(server.binDir, 'pg_dump'), ['-Fd', '-f', dir, source], {
      env: server.env(source)
    })
    const fromToc = await server.createDatabase()
    const viaToc = await cli(['restore', '--backup-file', path.join(dir, 'toc.dat')], {
      DATABASE_URL: server.url(fromToc)
    })
    expect({ code: viaToc.code, stderr: viaToc.stderr }).toEqual({ code: 0, stderr: '' })
    expect(viaToc.stdout).toContain('is the table of contents of the directory archive')
    expect(await tableChecksums(server, fromToc)).toEqual(await tableChecksums(server, source))
  })

  it('restores a tar archive of a dozen tables with nothing on stderr (a stream per member: Node warned of a listener leak, attacker a71 F3)', async () => {
    const many = await server.createDatabase()
    await server.query(
      many,
      `DO $$ BEGIN FOR i IN 1..12 LOOP
         EXECUTE format('CREATE TABLE t%s AS SELECT g AS id FROM generate_series(1, 3) g', i);
       END LOOP; END $$`
    )
    const tar = path.join(work, 'dozen.tar')
    execFileSync(path.join(server.binDir, 'pg_dump'), ['-Ft', '-f', tar, many], {
      env: server.env(many)
    })
    const into = await server.createDatabase()
    const run = await cli(['restore', '--backup-file', tar], { DATABASE_URL: server.url(into) })
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' })
    expect(await tableChecksums(server, into)).toEqual(await tableChecksums(server, many))
  })

  it('checks --output-dir before it connects: a file, a path under a file, the option given twice — exit 2, named (attacker a98 F6)', async () => {
    const file = path.join(work, 'not-a-dir.txt')
    writeFileSync(file, 'x')
    // a server nobody listens on: the directory's error comes first
    const env = { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' }
    const cases: Array<[string[], RegExp]> = [
      [['--output-dir', file], /✖ --output-dir \S*not-a-dir\.txt is a file, not a directory\./],
      [
        ['--output-dir', path.join(file, 'sub')],
        /✖ --output-dir \S*not-a-dir\.txt\/sub: \S*not-a-dir\.txt is a file, not a directory\./
      ],
      [
        ['--output-dir', 'one', '--output-dir', 'two'],
        /✖ --output-dir is given 2 times \(one, two\)/
      ],
      [
        ['--output-dir', '/proc/none/x'],
        /✖ --output-dir \/proc\/none\/x: \/proc\/none cannot be made/
      ]
    ]
    for (const [args, message] of cases) {
      const result = await cli(['backup', ...args], env)
      expect({ args, code: result.code }).toEqual({ args, code: 2 })
      expect(result.stderr).toMatch(message)
    }
    expect(readdirSync(work)).not.toContain('one,two')
    // a directory that does not exist yet is made, as before
    const made = path.join(work, 'new', 'deeper')
    const ok = await cli(['backup', '--output-dir', made], { DATABASE_URL: server.url(source) })
    expect(ok.code).toBe(0)
    expect(readdirSync(made)).toHaveLength(2)
  }, 120_000)

  it('exits 3 when the backup fails a check, and 2 for bad input', async () => {
    const tampered = path.join(work, 'tampered.dump.zst')
    const bytes = readFileSync(backupFile)
    bytes[Math.floor(bytes.length / 2)] ^= 0xff
    writeFileSync(tampered, bytes)
    writeFileSync(
      `${tampered}.manifest.json`,
      readFileSync(`${backupFile}.manifest.json`, 'utf8').replace(
        path.basename(backupFile),
        'tampered.dump.zst'
      )
    )
    const target = await server.createDatabase()
    const checked = await cli(['restore', '--backup-file', tampered], {
      DATABASE_URL: server.url(target)
    })
    expect(checked.code).toBe(3)
    expect(checked.stderr).toMatch(/does not match its manifest/)

    const bad = await cli(['backup', '--format', 'zip'], { DATABASE_URL: server.url(source) })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--format: 'zip' is not one of/)

    const unknown = await cli(['backup', '--no-such-option', 'x'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).not.toMatch(/Give --/)
    expect(unknown.stderr).not.toMatch(/--no-such-option:/)
    // check of a local file: what check reads, and what checks a file (trial u20 F5)
    const checkFile = await cli(['check', '--backup-file', 'backups'])
    expect(checkFile.code).toBe(2)
    expect(checkFile.stderr).toMatch(
      /--backup-file: check looks for the newest backup where workflows keep them .* is checked by verify --backup-file/
    )
    // an input of the action the command line does not take: what it is for (trial u18 F7)
    const retention = await cli(['backup', '--retention-days', '5'])
    expect(retention.code).toBe(2)
    expect(retention.stderr).toContain(
      'Unknown argument: --retention-days. --retention-days: it sets the workflow artifact the action uploads; backup on the command line writes files into --output-dir, kept until you delete them.'
    )
    // a file named without its option (trial u40 F7): the option that takes it
    const positional = await cli(['restore', 'b3.zip'])
    expect(positional.code).toBe(2)
    expect(positional.stderr).toContain(
      'Unknown argument: b3.zip. A backup file is given with --backup-file: restore --backup-file b3.zip.'
    )
    // the command line reads no negations (--no-owner is an option of its own): the form it takes
    // is named (new-user trial u11 F2)
    const negated = await cli(['restore', '--backup-file', 'x.dump', '--no-single-transaction'])
    expect(negated.code).toBe(2)
    expect(negated.stderr).toContain(
      'Unknown argument: no-single-transaction. Give --single-transaction false (not --no-single-transaction).'
    )

    // a backup-file that names no one backup is bad input too, like one that does not exist
    // (u10 F8: a folder of several files without a manifest exited 1)
    const gone = await cli(['restore', '--backup-file', path.join(work, 'no-such.dump')], {
      DATABASE_URL: server.url(target)
    })
    expect(gone.code).toBe(2)
    const several = path.join(work, 'several')
    mkdirSync(several, { recursive: true })
    writeFileSync(path.join(several, 'a.dump'), 'PGDMP')
    writeFileSync(path.join(several, 'b.sql'), 'SELECT 1;\n')
    const undecided = await cli(['restore', '--backup-file', several], {
      DATABASE_URL: server.url(target)
    })
    expect(undecided.code).toBe(2)
    expect(undecided.stderr).toMatch(
      /holds 2 files and no manifest\.json; cannot tell which one is the backup \(a\.dump, b\.sql\)\. Give the backup's own file as --backup-file/
    )
    // two backups of the backup command side by side: the choice named is theirs, not the
    // manifests beside them (new-user trial u11 F9)
    const two = path.join(work, 'two-backups')
    mkdirSync(two, { recursive: true })
    for (const name of ['shop-1.dump.zst', 'shop-2.dump.zst']) {
      writeFileSync(path.join(two, name), 'x')
      writeFileSync(path.join(two, `${name}.manifest.json`), '{}')
    }
    const pair = await cli(['restore', '--backup-file', two], { DATABASE_URL: server.url(target) })
    expect(pair.code).toBe(2)
    expect(pair.stderr).toMatch(
      /but 2 backups with a <file>\.manifest\.json each; cannot tell which one is the backup \(shop-1\.dump\.zst, shop-2\.dump\.zst\)/
    )
  })

  it('on Ctrl-C stops the restore it started (psql, in a process group of its own): nothing is kept', async () => {
    const big = await server.createDatabase('big')
    await server.query(
      big,
      `CREATE TABLE public.big AS SELECT g AS id, repeat(md5(g::text), 16) AS payload
         FROM generate_series(1, 300000) g`
    )
    const out = path.join(work, 'big-backup')
    const made = await cli(['backup', '--output-dir', out, '--format', 'plain'], {
      DATABASE_URL: server.url(big)
    })
    expect(made.code).toBe(0)
    const file = path.join(
      out,
      readdirSync(out).find(f => f.endsWith('.sql.zst'))!
    )
    const target = await server.createDatabase()
    // its temporary directory: nothing of the backup may be left there
    const tmp = mkdtempSync(path.join(work, 'tmp-'))
    const child = spawn(
      path.join(root, 'node_modules/.bin/tsx'),
      [path.join(root, 'src/cli.ts'), 'restore', '--backup-file', file],
      {
        cwd: work,
        env: {
          PATH: process.env.PATH!,
          HOME: process.env.HOME!,
          TMPDIR: tmp,
          DATABASE_URL: server.url(target)
        }
      }
    )
    const exited = new Promise<number | null>(resolve => child.on('close', code => resolve(code)))
    /** Sessions of the target copying data in: psql's, mid-restore. */
    const copying = async (): Promise<number> => {
      const rows = await server.query<{ n: string }>(
        'postgres',
        "SELECT count(*)::text AS n FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'COPY %'",
        [target]
      )
      return Number(rows[0].n)
    }
    for (let i = 0; i < 400 && (await copying()) === 0; i++) {
      await new Promise(resolve => setTimeout(resolve, 25))
    }
    expect(await copying()).toBe(1)
    child.kill('SIGINT')
    expect(await exited).toBe(130)
    expect(readdirSync(tmp).filter(f => !f.startsWith('tsx-'))).toEqual([]) // tsx's own cache aside
    for (let i = 0; i < 100 && (await copying()) > 0; i++) {
      await new Promise(resolve => setTimeout(resolve, 50))
    }
    // the restore's transaction was rolled back, not committed with the rows it had so far
    const tables = await server.query(
      target,
      "SELECT 1 FROM pg_class WHERE relname = 'big' AND relkind = 'r'"
    )
    expect(tables).toEqual([])

    // without a single transaction: the advice names the options as the command line takes them
    // (attacker a21 A2: "single-transaction: false", "clean: true")
    const second = await server.createDatabase()
    const loose = spawn(
      path.join(root, 'node_modules/.bin/tsx'),
      [
        path.join(root, 'src/cli.ts'),
        'restore',
        '--backup-file',
        file,
        '--single-transaction',
        'false'
      ],
      {
        cwd: work,
        env: { PATH: process.env.PATH!, HOME: process.env.HOME!, DATABASE_URL: server.url(second) }
      }
    )
    let stderr = ''
    loose.stderr.on('data', d => (stderr += d))
    const looseExit = new Promise<number | null>(resolve =>
      loose.on('close', code => resolve(code))
    )
    const copyingInto = async (): Promise<number> => {
      const rows = await server.query<{ n: string }>(
        'postgres',
        "SELECT count(*)::text AS n FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'COPY %'",
        [second]
      )
      return Number(rows[0].n)
    }
    for (let i = 0; i < 400 && (await copyingInto()) === 0; i++) {
      await new Promise(resolve => setTimeout(resolve, 25))
    }
    loose.kill('SIGINT')
    expect(await looseExit).toBe(130)
    expect(stderr).toMatch(
      /without a single transaction \(--single-transaction false\): the target may hold part of the backup\. Restore again with --clean \(into the same target\)/
    )
    expect(stderr).not.toMatch(/single-transaction: false|clean: true/)
  })

  it('words errors for the terminal: options and environment variables, no workflow advice', async () => {
    const noUrl = await cli(['backup'])
    expect(noUrl.code).toBe(2)
    expect(noUrl.stderr).toContain('Environment variable DATABASE_URL: is not set.')
    expect(noUrl.stderr).toContain("DATABASE_URL='postgresql://")
    const noScratch = await cli(['verify', '--backup-file', backupFile])
    expect(noScratch.code).toBe(2)
    expect(noScratch.stderr).toContain(
      'Environment variable VERIFY_DATABASE_URL: is required by verify'
    )
    const noToken = await cli(['check', '--repository', 'owner/name'])
    expect(noToken.code).toBe(2)
    expect(noToken.stderr).toContain('Environment variable GITHUB_TOKEN: is not set.')
    for (const out of [noUrl, noScratch, noToken]) {
      expect(out.stderr).not.toMatch(
        /\$\{\{|secrets\.|github-token|workflow|Input '|services: postgres/
      )
    }
  })

  it("renders every message that names an input for the terminal: --options and environment variables, never a workflow's settings", async () => {
    const target = await server.createDatabase()
    const url = { DATABASE_URL: server.url(target) }
    const age = path.join(work, 'locked.sql.age')
    writeFileSync(age, 'age-encryption.org/v1\n-> scrypt c2FsdA 18\nYm9keQ\n--- bWFj\n\u0000\u0001')
    const failing = path.join(work, 'failing.sql')
    writeFileSync(failing, 'CREATE TABLE t (a int);\nSELECT no_such_function();\n')
    const signedDir = path.join(work, 'signed')
    const signed = await cli(['backup', '--output-dir', signedDir], {
      DATABASE_URL: server.url(source),
      BACKUP_SIGNING_KEY: 'a'.repeat(40)
    })
    expect(signed.code).toBe(0)
    const signedFiles = readdirSync(signedDir)
    const signedSig = signedFiles.find(f => f.endsWith('.sig')) ?? 'none'
    const signedDump = signedFiles.find(f => !f.includes('.manifest.json')) ?? 'none'
    const cases: Array<{ args: string[]; env?: Record<string, string>; says: string[] }> = [
      {
        args: ['restore', '--backup-file', backupFile, '--jobs', '2'],
        env: url,
        says: ['--single-transaction false', '--jobs 1']
      },
      {
        args: ['restore', '--backup-file', backupFile],
        env: { DATABASE_URL: server.url(source) },
        says: ['--clean', '--allow-non-empty', 'DATABASE_URL']
      },
      {
        args: ['restore', '--backup-file', backupFile, '--create-roles'],
        env: url,
        says: ['without --globals', 'without --create-roles']
      },
      {
        args: ['restore', '--backup-file', age],
        env: url,
        says: ['BACKUP_DECRYPTION_IDENTITY', 'BACKUP_ENCRYPTION_PASSPHRASE']
      },
      {
        args: ['restore', '--backup-file', signedDir],
        env: { ...url, BACKUP_SIGNING_KEY: 'b'.repeat(40) },
        says: ['BACKUP_SIGNING_KEY']
      },
      {
        args: ['restore', '--backup-file', path.join(work, 'no-such.dump')],
        env: url,
        says: ['--backup-file']
      },
      {
        // one transaction: only that case is said (what is left, not the other modes' advice)
        args: ['restore', '--backup-file', failing],
        env: url,
        says: ['Nothing was kept', 'no_such_function']
      },
      { args: ['restore', '--help-all'], says: ['--single-transaction false'] },
      // a manifest or its signature given as the backup is refused by content, naming the dump
      {
        args: ['restore', '--backup-file', `${backupFile}.manifest.json`],
        env: url,
        says: [
          `is the manifest of the backup '${path.basename(backupFile)}'`,
          `--backup-file '${backupFile}'`
        ]
      },
      {
        args: ['restore', '--backup-file', path.join(signedDir, signedSig)],
        env: url,
        says: [`is the signature of a backup's manifest (of '${signedDump}')`, '--backup-file']
      }
    ]
    for (const { args, env, says } of cases) {
      const run = await cli(args, env)
      // the help is wrapped to the terminal's width: a phrase may break across lines
      const out = (run.stdout + run.stderr).replace(/\s+/g, ' ')
      expect({ args, code: run.code === 0 }).toEqual({
        args,
        code: args.some(a => a.startsWith('--help'))
      })
      for (const text of says)
        expect({ args, out: out.includes(text) }).toEqual({ args, out: true })
      // a workflow's settings ('clean: true', single-transaction: false), expressions, advice
      for (const workflow of [
        /'[a-z-]+: [^']*'/,
        /\b(clean|globals|single-transaction|allow-non-empty|jobs): (true|false|\d)/,
        /\bin (decryption-identity|encryption-passphrase)\b/,
        /this signing-key/,
        /\$\{\{/,
        /workflow/i,
        /actions\/checkout/
      ]) {
        expect({ args, match: workflow.exec(out)?.[0] }).toEqual({ args, match: undefined })
      }
    }
  })

  it('words the missing-client advice for the terminal: options, this machine, no runners or workflow inputs', async () => {
    // no pg_dump 16 here, and --install-client not given: the command line installs nothing
    // unless asked (on the runner the input defaults to true); the error says how to get one
    const run = await cli(
      ['backup', '--output-dir', path.join(work, 'v16'), '--postgres-version', '16'],
      {
        DATABASE_URL: server.url(source)
      }
    )
    const out = run.stdout + run.stderr
    expect(run.code).not.toBe(0)
    expect(out).toContain('--postgres-version asks for pg_dump 16, which is not installed')
    expect(out).toContain('then --pg-bin-dir /usr/lib/postgresql/16/bin')
    expect(out).toContain('Or set --install-client to let the command install')
    expect(out).not.toMatch(/; installing postgresql-client/)
    expect(out).not.toMatch(/Input '|runners?\b|point the action|'[a-z-]+: [^']*'/)
  })

  it('says that --jobs does not apply to a plain SQL script, which then loads in one session', async () => {
    const target = await server.createDatabase()
    const script = path.join(work, 'one-table.sql')
    writeFileSync(script, 'CREATE TABLE one_table (a int);\nINSERT INTO one_table VALUES (1);\n')
    const run = await cli(
      ['restore', '--backup-file', script, '--jobs', '2', '--single-transaction', 'false'],
      { DATABASE_URL: server.url(target) }
    )
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(
      'notice: --jobs 2 does not apply to a plain SQL script: psql runs it in one session'
    )
    expect(run.stdout).toContain('because --single-transaction false is set')
  })

  it('prints help for each command with the action input names', async () => {
    const help = await cli(['backup', '--help'])
    expect(help.stderr).toBe('')
    expect(help.code).toBe(0)
    for (const option of ['--format', '--exclude-table-data', '--output-dir']) {
      expect(help.stdout).toContain(option)
    }
    // secrets are named with their environment variables, never offered as options
    expect(help.stdout).toMatch(/DATABASE_URL\s+\(database-url\)/)
    expect(help.stdout).toMatch(/BACKUP_SIGNING_KEY\s+\(signing-key\)/)
    expect(help.stdout).not.toMatch(/--(database-url|encryption-passphrase|signing-key)\b/)
  })

  it("describes an option by the command's part of its description (Backup: …, Restore: …) (trial u12 F4)", async () => {
    const flat = async (args: string[]) => (await cli(args)).stdout.replace(/\s+/g, ' ')
    const backup = await flat(['backup', '--help'])
    expect(backup).toContain('--jobs Backup: tables dumped in parallel (format directory only).')
    expect(backup).toContain('--tables Backup: only these tables (pg_dump --table patterns)')
    for (const command of ['restore', 'verify']) {
      const help = await flat([command, '--help'])
      expect(help).toContain('--jobs Restore: tables of an archive loaded by that many sessions')
      expect(help).toContain(
        '--tables Restore: only these tables (archive formats only), each named exactly as pg_restore --table takes it'
      )
      expect(help).toContain(
        '--schemas Restore: only these schemas (archive formats only), each named exactly as pg_restore --schema takes it'
      )
      expect(help).toContain('--no-owner Restore: which object owners to set (ALTER … OWNER TO).')
      expect(help).not.toMatch(/Backup: (tables dumped|only these)/)
    }
  })

  it('refuses a secret given as an option (ps would show it), naming its environment variable', async () => {
    for (const [arg, env] of [
      ['--database-url=postgresql://u:Pa55-word@h/db', 'DATABASE_URL'],
      ['--signing-key', 'BACKUP_SIGNING_KEY']
    ]) {
      const run = await cli(['restore', '--backup-file', 'x.dump', arg, 'Pa55-word-long'])
      expect(run.code).toBe(2)
      expect(run.stderr).toContain(`give it in the environment variable ${env}`)
      expect(run.stdout + run.stderr).not.toContain('Pa55-word')
    }
  })
})
