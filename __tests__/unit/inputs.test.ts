import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import type { BackupOptions, CheckOptions } from '../../src/types.js'
import {
  InputError,
  Inputs,
  describeForInputs,
  getHeartbeatUrl,
  getInputs,
  parseList,
  parseLockTimeout,
  maskedWordWarning,
  maxAgeNotice,
  parsePgDumpArgs,
  renderForDoor
} from '../../src/inputs.js'
import { restoreNamesValue } from '../../src/sql-names.js'

/** Typed fixture: the inputs as the runner would pass them (empty string = not given). */
type RawInputs = Partial<Record<Inputs, string>>

const URL = 'postgresql://app:s3cret@db.example.com:5432/app'

function read(raw: RawInputs) {
  return (name: Inputs): string => (raw[name] ?? '').trim()
}

function backupInputs(raw: RawInputs): BackupOptions {
  const inputs = getInputs(read({ [Inputs.DatabaseUrl]: URL, ...raw }))
  if (inputs.mode !== 'backup') throw new Error('expected backup inputs')
  return inputs
}

function inputError(raw: RawInputs): InputError {
  try {
    getInputs(read({ [Inputs.DatabaseUrl]: URL, ...raw }))
  } catch (error) {
    expect(error).toBeInstanceOf(InputError)
    return error as InputError
  }
  throw new Error('expected an InputError')
}

describe('getInputs', () => {
  it('applies the documented defaults', () => {
    const inputs = backupInputs({})
    expect(inputs).toEqual({
      mode: 'backup',
      databaseUrl: URL,
      artifactName: 'database-backup',
      retentionDays: 30,
      format: 'custom',
      compression: 'zstd',
      compressionLevel: 3,
      filters: {
        tables: [],
        excludeTables: [],
        excludeTableData: [],
        schemas: [],
        excludeSchemas: []
      },
      pgDumpArgs: [],
      overwrite: false,
      rowCounts: 'exact',
      jobs: 1,
      pgBinDir: undefined,
      postgresVersion: undefined,
      installClient: true,
      connectTimeoutSeconds: 10,
      lockTimeoutMs: 30_000,
      encryption: undefined,
      allowUnencryptedPublic: false,
      globals: false,
      s3: undefined,
      artifact: true,
      retentionSchedule: undefined
    })
  })

  it.each([
    ['c', 'custom'],
    ['P', 'plain'],
    ['d', 'directory'],
    ['t', 'tar'],
    ['tar', 'tar'],
    ['Custom', 'custom']
  ])("format takes pg_dump's names and letters (--format=%s; trial u18 F1)", (given, format) => {
    expect(backupInputs({ [Inputs.Format]: given }).format).toBe(format)
  })

  it('format names what it takes when given something else', () => {
    expect(inputError({ [Inputs.Format]: 'x' }).message).toBe(
      "Input 'format': 'x' is not one of: custom, plain, directory, tar."
    )
  })

  it('parses every input', () => {
    const inputs = backupInputs({
      [Inputs.ArtifactName]: 'nightly',
      [Inputs.RetentionDays]: '7',
      [Inputs.Format]: 'Directory',
      [Inputs.Compression]: 'gzip',
      [Inputs.CompressionLevel]: '9',
      [Inputs.Tables]: 'public.users,\n  sales.*\n',
      [Inputs.ExcludeTables]: 'public.logs',
      [Inputs.ExcludeTableData]: 'public.events, public.audit',
      [Inputs.Schemas]: 'public\nsales',
      [Inputs.ExcludeSchemas]: 'tmp',
      [Inputs.PgDumpArgs]: '--no-owner --exclude-extension="my ext"',
      [Inputs.Overwrite]: 'true',
      [Inputs.RowCounts]: 'estimate',
      [Inputs.Jobs]: '2',
      [Inputs.PgBinDir]: '/usr/lib/postgresql/17/bin'
    })
    expect(inputs.artifactName).toBe('nightly')
    expect(inputs.retentionDays).toBe(7)
    expect(inputs.format).toBe('directory')
    expect(inputs.compression).toBe('gzip')
    expect(inputs.compressionLevel).toBe(9)
    expect(inputs.filters).toEqual({
      tables: ['public.users', 'sales.*'],
      excludeTables: ['public.logs'],
      excludeTableData: ['public.events', 'public.audit'],
      schemas: ['public', 'sales'],
      excludeSchemas: ['tmp']
    })
    expect(inputs.pgDumpArgs).toEqual(['--no-owner', '--exclude-extension=my ext'])
    expect(inputs.overwrite).toBe(true)
    expect(inputs.rowCounts).toBe('estimate')
    expect(inputs.jobs).toBe(2)
    expect(inputs.pgBinDir).toBe('/usr/lib/postgresql/17/bin')
  })

  it.each<[RawInputs, Inputs, RegExp]>([
    [
      { [Inputs.DatabaseUrl]: ' ' },
      Inputs.DatabaseUrl,
      /is required \(it is empty\)[^]*spelled otherwise than in Settings/
    ],
    [{ [Inputs.Mode]: 'archive' }, Inputs.Mode, /not one of: backup, restore/],
    [{ [Inputs.Format]: 'zip' }, Inputs.Format, /not one of: custom, plain, directory, tar/],
    [{ [Inputs.Compression]: 'lz4' }, Inputs.Compression, /not one of: zstd, gzip, none/],
    [{ [Inputs.RetentionDays]: '0' }, Inputs.RetentionDays, /out of range/],
    [{ [Inputs.RetentionDays]: 'abc' }, Inputs.RetentionDays, /not a whole number/],
    [{ [Inputs.RetentionDays]: '1.5' }, Inputs.RetentionDays, /not a whole number/],
    [{ [Inputs.RetentionDays]: '-3' }, Inputs.RetentionDays, /not a whole number/],
    [{ [Inputs.CompressionLevel]: '20' }, Inputs.CompressionLevel, /from 1 to 19/],
    [
      { [Inputs.Compression]: 'gzip', [Inputs.CompressionLevel]: '10' },
      Inputs.CompressionLevel,
      /from 1 to 9/
    ],
    [
      { [Inputs.Compression]: 'none', [Inputs.CompressionLevel]: '3' },
      Inputs.CompressionLevel,
      /no meaning/
    ],
    [{ [Inputs.Overwrite]: 'maybe' }, Inputs.Overwrite, /not a boolean/],
    [{ [Inputs.Jobs]: '4' }, Inputs.Jobs, /format: directory/],
    [{ [Inputs.ArtifactName]: 'a/b' }, Inputs.ArtifactName, /cannot contain/],
    [{ [Inputs.RowCounts]: 'all' }, Inputs.RowCounts, /not one of/],
    [{ [Inputs.LockTimeout]: '30 seconds' }, Inputs.LockTimeout, /lock_timeout accepts/],
    [{ [Inputs.LockTimeout]: '-1' }, Inputs.LockTimeout, /0 to wait forever/],
    [{ [Inputs.LockTimeout]: '30d' }, Inputs.LockTimeout, /at most 24 days/],
    [{ [Inputs.LockTimeout]: '0.1us' }, Inputs.LockTimeout, /lock_timeout accepts/],
    [
      {
        [Inputs.Mode]: 'restore',
        [Inputs.BackupFile]: 'x.dump',
        [Inputs.CleanDropDependents]: 'true'
      },
      Inputs.CleanDropDependents,
      /only applies with 'clean: true'/
    ],
    [
      { [Inputs.Mode]: 'restore', [Inputs.BackupFile]: 'b.sql', [Inputs.NoOwner]: 'sometimes' },
      Inputs.NoOwner,
      /not one of auto, true or false/
    ]
  ])('rejects %j naming the input', (raw, input, message) => {
    const error = inputError(raw)
    expect(error.input).toBe(input)
    expect(error.message).toMatch(new RegExp(`^Input '${input}': `))
    expect(error.message).toMatch(message)
    expect(error.message).not.toContain('s3cret')
  })
})

describe('lock-timeout', () => {
  it.each<[string, number]>([
    ['', 30_000],
    ['0', 0],
    ['1500', 1500],
    ['5s', 5000],
    ['2 min', 120_000],
    ['1.5s', 1500],
    ['1h', 3_600_000],
    ['250ms', 250]
  ])('reads %j as PostgreSQL does (%d ms)', (value, ms) => {
    expect(parseLockTimeout(value)).toBe(ms)
  })

  it('data-only: false by default, true when set, refused with clean', () => {
    const base = {
      [Inputs.DatabaseUrl]: URL,
      [Inputs.Mode]: 'restore',
      [Inputs.BackupFile]: 'x.dump'
    }
    expect(getInputs(read(base))).toMatchObject({ dataOnly: false })
    expect(getInputs(read({ ...base, [Inputs.DataOnly]: 'true' }))).toMatchObject({
      dataOnly: true,
      clean: false
    })
    expect(() =>
      getInputs(read({ ...base, [Inputs.DataOnly]: 'true', [Inputs.Clean]: 'true' }))
    ).toThrow(/Input 'data-only': cannot be combined with 'clean: true'/)
    // jobs above 1: as pg_restore --data-only --jobs, without one transaction (u13 F3)
    expect(
      getInputs(
        read({
          ...base,
          [Inputs.DataOnly]: 'true',
          [Inputs.Jobs]: '4',
          [Inputs.SingleTransaction]: 'false'
        })
      )
    ).toMatchObject({ dataOnly: true, jobs: 4, singleTransaction: false })
    expect(() =>
      getInputs(read({ ...base, [Inputs.DataOnly]: 'true', [Inputs.Jobs]: '4' }))
    ).toThrow(/Input 'jobs': a parallel restore \(jobs: 4\) cannot run in one transaction/)
  })

  it('reaches restore with clean-drop-dependents', () => {
    const inputs = getInputs(
      read({
        [Inputs.DatabaseUrl]: URL,
        [Inputs.Mode]: 'restore',
        [Inputs.BackupFile]: 'x.dump',
        [Inputs.Clean]: 'true',
        [Inputs.CleanDropDependents]: 'true',
        [Inputs.LockTimeout]: '3s'
      })
    )
    expect(inputs).toMatchObject({ clean: true, cleanDropDependents: true, lockTimeoutMs: 3000 })
  })
})

describe('no-owner and no-privileges (issue 15 item 7)', () => {
  const restore = (raw: RawInputs) => {
    const inputs = getInputs(
      read({
        [Inputs.DatabaseUrl]: URL,
        [Inputs.Mode]: 'restore',
        [Inputs.BackupFile]: 'b.sql',
        ...raw
      })
    )
    if (inputs.mode !== 'restore') throw new Error('expected restore inputs')
    return { noOwner: inputs.noOwner, noPrivileges: inputs.noPrivileges }
  }

  it("default to 'auto' (keep what the target can take) and still force either way", () => {
    expect(restore({})).toEqual({ noOwner: 'auto', noPrivileges: 'auto' })
    expect(restore({ [Inputs.NoOwner]: 'AUTO', [Inputs.NoPrivileges]: 'auto' })).toEqual({
      noOwner: 'auto',
      noPrivileges: 'auto'
    })
    expect(restore({ [Inputs.NoOwner]: 'true', [Inputs.NoPrivileges]: 'false' })).toEqual({
      noOwner: true,
      noPrivileges: false
    })
    expect(restore({ [Inputs.NoOwner]: 'no', [Inputs.NoPrivileges]: 'yes' })).toEqual({
      noOwner: false,
      noPrivileges: true
    })
  })
})

describe('parseList', () => {
  it('splits on newlines and commas and drops blanks', () => {
    expect(parseList(' a ,b\n\n c,\n')).toEqual(['a', 'b', 'c'])
    expect(parseList('')).toEqual([])
  })

  it('keeps a comma inside double quotes in the name (pg_dump pattern quoting)', () => {
    expect(parseList('public."logs, archived", audit.*')).toEqual([
      'public."logs, archived"',
      'audit.*'
    ])
    expect(parseList('"a,b"."c, ""d"", e"\nx')).toEqual(['"a,b"."c, ""d"", e"', 'x'])
    expect(parseList('s."Q,1",s."Q,2"')).toEqual(['s."Q,1"', 's."Q,2"'])
    // an unclosed quote ends with its line (encryption-recipients); the names' lists refuse it
    expect(parseList('public."logs, x\nother')).toEqual(['public."logs, x', 'other'])
  })
})

describe('the names of tables and schemas (quoted as SQL writes them)', () => {
  function restoreSelection(tables: string, schemas = ''): { tables: string[]; schemas: string[] } {
    const inputs = getInputs(
      read({
        [Inputs.DatabaseUrl]: URL,
        [Inputs.Mode]: 'restore',
        [Inputs.BackupFile]: 'b.dump',
        [Inputs.Tables]: tables,
        [Inputs.Schemas]: schemas
      })
    )
    if (inputs.mode !== 'restore') throw new Error('expected restore inputs')
    return { tables: inputs.tables, schemas: inputs.schemas }
  }
  function restoreError(tables: string, schemas = ''): string {
    try {
      restoreSelection(tables, schemas)
    } catch (error) {
      expect(error).toBeInstanceOf(InputError)
      return (error as Error).message
    }
    throw new Error('expected an InputError')
  }

  it('restore: a quoted name is the name inside its quotes, exactly', () => {
    expect(restoreSelection('"a "').tables).toEqual(['a '])
    expect(restoreSelection('"My Table", "x, y",a').tables).toEqual(['My Table', 'x, y', 'a'])
    expect(restoreSelection('"we""ird"').tables).toEqual(['we"ird'])
    expect(restoreSelection('"a\nb"\nc').tables).toEqual(['a\nb', 'c'])
    expect(restoreSelection('"x.y"').tables).toEqual(['x.y'])
    // unquoted: exact as pg_restore --table takes it, trimmed, no case folding, a dot kept
    expect(restoreSelection(' a , MyTable\npublic.users').tables).toEqual([
      'a',
      'MyTable',
      'public.users'
    ])
    expect(restoreSelection('', '"My Schema", "a, b"\nsales').schemas).toEqual([
      'My Schema',
      'a, b',
      'sales'
    ])
  })

  it('restore: a table named with its schema selects that schema', () => {
    expect(restoreSelection('public."x, y", public."a "')).toEqual({
      tables: ['x, y', 'a '],
      schemas: ['public']
    })
    expect(restoreSelection('"My Schema"."T"', '"My Schema"')).toEqual({
      tables: ['T'],
      schemas: ['My Schema']
    })
    // two schemas, or a schema given otherwise, cannot be pg_restore -n with -t exactly
    expect(restoreError('a."x", b."y"')).toMatch(/^Input 'tables': names tables with their schema/)
    expect(restoreError('a."x", y')).toMatch(/restore those of another schema in a step of its own/)
    expect(restoreError('a."x"', 'b')).toMatch(/schemas: b/)
  })

  it('refuses a quote left open or a name quoted in part, naming the input', () => {
    expect(restoreError('"a , b')).toMatch(
      /^Input 'tables': a double quote is not closed in '"a , b'/
    )
    expect(restoreError('a"b"')).toMatch(/^Input 'tables': 'a"b"' has a double quote inside/)
    expect(restoreError('"a"b')).toMatch(/'"a"b' has text right after a quoted name/)
    expect(restoreError('""')).toMatch(/empty quoted name/)
    expect(restoreError('', 'x."y"')).toMatch(/^Input 'schemas': 'x."y"' is not one schema's name/)
    expect(inputError({ [Inputs.ExcludeTables]: 'public."logs, x\nother' }).message).toMatch(
      /^Input 'exclude-tables': a double quote is not closed/
    )
  })

  it('advice naming tables gives a value that reads back as those names', () => {
    const names = ['a', 'a ', 'My Table', 'x, y', 'we"ird', 'a\nb', 'public.users', 'a-b$1']
    expect(restoreNamesValue(names)).toBe(
      'a,"a ","My Table","x, y","we""ird","a\nb","public.users",a-b$1'
    )
    expect(restoreSelection(restoreNamesValue(names)).tables).toEqual(names)
  })

  it.each([
    'a;touch${IFS}/tmp/pwn',
    "it's",
    'x`id`y',
    'x$(id)',
    'my schema',
    'a|b&c',
    'Q"s',
    'a,b',
    'é',
    // read as an option or a setting's value (attacker a76 F1)
    '--clean',
    '-x',
    'true',
    'Off',
    '4'
  ])(
    'a name in advice, as the command line renders it, pasted into a shell is that one name and runs nothing (attacker a75 F4): %s',
    name => {
      const value = restoreNamesValue([name, 'public'])
      const cli = renderForDoor(
        `make the backup of your own schemas only (e.g. schemas: ${value} — pg_dump)`,
        'cli'
      )
      const word = /--schemas (.*) — pg_dump\)$/.exec(cli)?.[1]
      expect(word).toBeDefined()
      // bash reads the word as one argument, the value itself
      const echoed = execFileSync('bash', ['-c', `printf '%s\\0' ${word}`], { encoding: 'utf8' })
      expect(echoed).toBe(`${value}\0`)
      expect(restoreSelection('', echoed.slice(0, -1)).schemas).toEqual([name, 'public'])
      // the quoted form too ('schemas: …')
      const quoted = renderForDoor(`set 'schemas: ${value}' and`, 'cli')
      expect(quoted).toBe(`set --schemas ${word} and`)
      // the name alone: a value of --schemas, never an option or a bare --schemas (a76 F1)
      const alone = /--schemas (\S.*)\)$/.exec(
        renderForDoor(`(e.g. schemas: ${restoreNamesValue([name])})`, 'cli')
      )?.[1]
      expect(alone).toBeDefined()
      const arg = execFileSync('bash', ['-c', `printf '%s' ${alone}`], { encoding: 'utf8' })
      expect(arg).not.toMatch(/^-/)
      expect(restoreSelection('', arg).schemas).toEqual([name])
    }
  )

  it('backup: patterns go to pg_dump as written, split outside quotes only', () => {
    const { filters } = backupInputs({
      [Inputs.Tables]: 'public."a\nb", "My Table"\nsales.*',
      [Inputs.ExcludeTableData]: 'public."logs, archived"'
    })
    expect(filters.tables).toEqual(['public."a\nb"', '"My Table"', 'sales.*'])
    expect(filters.excludeTableData).toEqual(['public."logs, archived"'])
  })
})

describe('parsePgDumpArgs', () => {
  it('splits like a shell without running one', () => {
    expect(
      parsePgDumpArgs(`--no-owner --lock-wait-timeout=30s --exclude-extension='a b;$(x)'`)
    ).toEqual(['--no-owner', '--lock-wait-timeout=30s', '--exclude-extension=a b;$(x)'])
    expect(parsePgDumpArgs('')).toEqual([])
  })

  it.each([
    ['--host=evil.example.com', '--host'],
    ['-h evil', '-h'],
    ['--dbname=postgresql://x', '--dbname'],
    ['--db=other', '--dbname'],
    ['-U root', '-U'],
    ['--port=1', '--port'],
    ['-f /tmp/out', '-f'],
    ['--file=/tmp/out', '--file'],
    ['-Fp', '-F'],
    ['-vh evil', '-h'],
    ['--snapshot=x', '--snapshot'],
    ['--password', '--password'],
    ['-t users', '-t'],
    // getopt_long's prefixes: pg_dump reads --t=x as --table=x
    ['--t=users', '--table'],
    ['--ta=users', '--table'],
    ['--fo=p', '--format'],
    ['--ho=evil', '--host'],
    ['--us=root', '--username'],
    ['--exclude-s=x', '--exclude-schema'],
    ['--exclude-table-d=x', '--exclude-table-data'],
    ['--sn=x', '--snapshot'],
    ['--no-pass', '--no-password'],
    ['--j=4', '--jobs'],
    ['-- -otherdb', '--']
  ])('refuses %s, which would take over the connection or output', (args, option) => {
    expect(() => parsePgDumpArgs(args)).toThrow(
      new RegExp(`'${option}'( \\(given as [^)]*\\))? cannot be passed`)
    )
  })

  it('refuses positional arguments (a database name)', () => {
    expect(() => parsePgDumpArgs('--no-owner otherdb')).toThrow(/'otherdb' is not an option/)
    expect(() => parsePgDumpArgs('-')).toThrow(/'-' is not an option/)
  })

  it('takes abbreviations of options that are not reserved, as pg_dump does', () => {
    for (const arg of [
      '--verb',
      '--no-ow',
      '--lock-wait=1s',
      '--table-and-children=x',
      '--schema-o'
    ])
      expect(parsePgDumpArgs(arg)).toEqual([arg])
  })
})

describe('every input is read', () => {
  it('each Inputs name is read by backup, restore or verify (none is declared and ignored)', () => {
    const seen = new Set<string>()
    for (const mode of ['backup', 'restore', 'verify']) {
      getInputs(name => {
        seen.add(name)
        if (name === Inputs.Mode) return mode
        if (name === Inputs.DatabaseUrl) return URL
        if (name === Inputs.VerifyDatabaseUrl) return 'postgresql://u:p@scratch/db'
        if (name === Inputs.Repository) return 'octo/repo'
        // (restore and verify take the newest backup under s3-uri when it is given alone)
        if (name === Inputs.S3Uri) return mode === 'backup' ? 's3://bucket/prefix/' : ''
        return ''
      })
    }
    // read by the front door before the others
    getHeartbeatUrl(name => {
      seen.add(name)
      return ''
    })
    expect([...seen].sort()).toEqual(Object.values(Inputs).sort())
  })

  it('backup reads the encryption and object storage inputs', () => {
    const inputs = backupInputs({
      [Inputs.EncryptionPassphrase]: 'correct horse battery staple',
      [Inputs.S3Uri]: 's3://backups/prod/',
      [Inputs.Artifact]: 'false',
      [Inputs.RetentionSchedule]: 'daily=7 weekly=30 monthly=365'
    })
    expect(inputs.encryption).toEqual({
      kind: 'passphrase',
      passphrase: 'correct horse battery staple'
    })
    expect(inputs.s3).toMatchObject({ bucket: 'backups', prefix: 'prod/' })
    expect(inputs.artifact).toBe(false)
    expect(inputs.retentionSchedule).toEqual({ daily: 7, weekly: 30, monthly: 365 })
  })

  it('restore and verify take the newest backup under s3-uri when given alone (artifact is a backup setting)', () => {
    for (const mode of ['restore', 'verify']) {
      const inputs = getInputs(
        read({
          [Inputs.Mode]: mode,
          [Inputs.DatabaseUrl]: URL,
          [Inputs.VerifyDatabaseUrl]: 'postgresql://u:p@scratch/db',
          [Inputs.S3Uri]: 's3://backups/prod/',
          [Inputs.Artifact]: 'true'
        })
      )
      expect(inputs.mode === 'backup' ? undefined : inputs.source).toMatchObject({
        kind: 's3',
        bucket: 'backups',
        prefix: 'prod/'
      })
      // a run id still asks for an artifact
      const fromRun = getInputs(
        read({
          [Inputs.Mode]: mode,
          [Inputs.DatabaseUrl]: URL,
          [Inputs.VerifyDatabaseUrl]: 'postgresql://u:p@scratch/db',
          [Inputs.S3Uri]: 's3://backups/prod/',
          [Inputs.RunId]: '42',
          [Inputs.Repository]: 'octo/repo'
        })
      )
      expect(fromRun.mode === 'backup' ? undefined : fromRun.source).toMatchObject({
        kind: 'artifact',
        runId: 42
      })
    }
  })

  it('heartbeat-url: empty is none, an http(s) URL is taken, anything else names the input', () => {
    expect(getHeartbeatUrl(() => '')).toBeUndefined()
    expect(getHeartbeatUrl(() => ' https://hc-ping.com/abc ')?.href).toBe('https://hc-ping.com/abc')
    for (const bad of ['hc-ping.com/abc', 'ftp://x/y', 'https://x/y#z']) {
      expect(() => getHeartbeatUrl(() => bad)).toThrow(/^Input 'heartbeat-url': /)
    }
  })

  it('refuses artifact: false without s3-uri, naming artifact', () => {
    expect(inputError({ [Inputs.Artifact]: 'false' }).input).toBe(Inputs.Artifact)
  })
})

describe('renderForDoor', () => {
  const messages = [
    "set 'single-transaction: false' to give up the all-or-nothing restore, or use jobs: 1.",
    "Set 'clean: true' to drop them, 'allow-non-empty: true' to keep them, or point database-url at an empty database.",
    'made without globals: true … restore without create-roles (create the roles by hand)',
    'give its key in decryption-identity (AGE-SECRET-KEY-1…, from a secret) or its passphrase in encryption-passphrase.',
    'does not match its manifest under this signing-key: it was signed with another key',
    'Give the path of a backup file in the workspace (e.g. after actions/checkout or a download step).',
    '(single-transaction: false, or jobs > 1) what loaded before the error stays: restore again with clean: true.',
    "then 'pg-bin-dir: /usr/lib/postgresql/17/bin' (the pg_dump there)",
    "'tables' names no table",
    "'' is not owner/name (e.g. octo-org/app); leave it empty for this repository.",
    "no AWS credentials were found (x). Credentials come only from the environment: add aws-actions/configure-aws-credentials before this step (with OIDC: 'permissions: id-token: write' and role-to-assume, no stored keys), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) from secrets in env."
  ]

  it('leaves the action its workflow wording', () => {
    for (const message of messages) expect(renderForDoor(message, 'action')).toBe(message)
  })

  it('words settings as the command line takes them: --options and environment variables', () => {
    expect(messages.map(message => renderForDoor(message, 'cli'))).toEqual([
      'set --single-transaction false to give up the all-or-nothing restore, or use --jobs 1.',
      'Set --clean to drop them, --allow-non-empty to keep them, or point DATABASE_URL at an empty database.',
      'made without --globals … restore without --create-roles (create the roles by hand)',
      'give its key in BACKUP_DECRYPTION_IDENTITY (AGE-SECRET-KEY-1…) or its passphrase in BACKUP_ENCRYPTION_PASSPHRASE.',
      'does not match its manifest under this BACKUP_SIGNING_KEY: it was signed with another key',
      'Give the path of a backup file.',
      '(--single-transaction false, or --jobs > 1) what loaded before the error stays: restore again with --clean.',
      'then --pg-bin-dir /usr/lib/postgresql/17/bin (the pg_dump there)',
      '--tables names no table',
      "'' is not owner/name (e.g. octo-org/app); the command line has no repository of its own: give the one whose artifacts to check (with GITHUB_TOKEN), or check a backup in S3 with --s3-uri s3://bucket/prefix/ (the newest there) or --backup-uri s3://bucket/key.",
      'no AWS credentials were found (x). Credentials come only from the environment: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), or AWS_PROFILE, in the environment.'
    ])
  })

  it('words a setting shown as an example, with a list or a name as its value, as an option (u9 F7)', () => {
    expect(
      renderForDoor(
        'create them as that role, or leave them out of the backup (exclude-schemas: auth).',
        'cli'
      )
    ).toBe('create them as that role, or leave them out of the backup (--exclude-schemas auth).')
    expect(
      renderForDoor(
        'leave it out of the backup (the exclude-schemas input of the backup, e.g. exclude-schemas: auth,storage, when dumping), or restore only your own schemas (schemas: public), drop it',
        'cli'
      )
    ).toBe(
      'leave it out of the backup (the --exclude-schemas input of the backup, e.g. --exclude-schemas auth,storage, when dumping), or restore only your own schemas (--schemas public), drop it'
    )
    // the action keeps its workflow wording; settings of true/false go on as before
    const text = 'leave it out (exclude-schemas: auth) or use (clean: true)'
    expect(renderForDoor(text, 'action')).toBe(text)
    expect(renderForDoor(text, 'cli')).toBe(
      'leave it out (--exclude-schemas auth) or use (--clean)'
    )
    // the advice of a subset, an owner change and a signed-up project (trial u29 F6: the CLI
    // was told 'schemas: public', the action's input syntax)
    expect(
      renderForDoor(
        "Add it (tables: products,products_id_seq). Or restore with 'no-owner: true' (everything then belongs to the restoring role). If they are, restore your own schemas only (schemas: public,app). Otherwise",
        'cli'
      )
    ).toBe(
      'Add it (--tables products,products_id_seq). Or restore with --no-owner (everything then belongs to the restoring role). If they are, restore your own schemas only (--schemas public,app). Otherwise'
    )
  })

  it("an engine error carries one wording, the action's; the CLI's comes from renderForDoor alone", async () => {
    const { EngineError } = await import('../../src/errors.js')
    const { describeForInputs } = await import('../../src/inputs.js')
    const { findBackupArtifact } = await import('../../src/storage/artifact.js')
    const { explainConnectError } = await import('../../src/postgres/session.js')
    const { parseDatabaseUrl } = await import('../../src/postgres/connection.js')
    const caught = async (work: () => unknown): Promise<Error> => {
      try {
        await work()
      } catch (error) {
        return error as Error
      }
      throw new Error('no error')
    }
    const reader = (values: Record<string, string>) => (name: string) => values[name] ?? ''
    const errors = [
      await caught(() => getInputs(reader({ mode: 'backup' }))),
      await caught(() => getInputs(reader({ mode: 'verify' }))),
      await caught(() =>
        getInputs(
          reader({
            mode: 'verify',
            'database-url': 'postgresql://a/b',
            'verify-database-url': 'postgresql://a/b'
          })
        )
      ),
      await caught(() =>
        findBackupArtifact(
          {} as never,
          {
            kind: 'artifact-id',
            id: 1,
            repository: 'o/r',
            token: ''
          } as never
        )
      ),
      explainConnectError(
        { code: 'EHOSTUNREACH', message: 'x' },
        parseDatabaseUrl('postgresql://app:pw-long-enough@db.example:5432/shop'),
        10
      )
    ]
    const cli = errors.map(error => {
      expect(error).toBeInstanceOf(EngineError)
      // no second wording on the error: what the CLI shows is renderForDoor of the message
      expect('cliMessage' in error).toBe(false)
      const forCli = (describeForInputs(error, 'cli') as Error).message
      expect(
        renderForDoor(
          (describeForInputs(error) as Error).message.replace(/^Input '[^']+': /, ''),
          'cli'
        )
      ).toBe(forCli.replace(/^(Environment variable \w+|--[\w-]+): /, ''))
      return forCli
    })
    expect(cli).toEqual([
      "Environment variable DATABASE_URL: is not set. Set it to the connection URL, e.g. DATABASE_URL='postgresql://user:password@host:5432/dbname' before the command (the environment, never the command line).",
      'Environment variable VERIFY_DATABASE_URL: is required by verify: set it to the URL of a scratch database the backup is restored into (e.g. one made with createdb on a local server). Never your production database.',
      'Environment variable VERIFY_DATABASE_URL: is the same as DATABASE_URL; verify restores into a scratch database, never into the one backed up.',
      "Environment variable GITHUB_TOKEN: is not set. The backups are looked up through GitHub's API: set it to a token that may read the repository's Actions artifacts, e.g. GITHUB_TOKEN=$(gh auth token). A backup in S3 needs no token: --s3-uri s3://bucket/prefix/ (the newest there) or --backup-uri s3://bucket/key.",
      "Environment variable DATABASE_URL: could not connect to app@db.example:5432/shop: the network cannot reach db.example (EHOSTUNREACH). Check this machine's network route to it (IPv6 only? use the provider's IPv4 endpoint or pooler)."
    ])
    // the 403 of GitHub's API (artifact.ts: explainApiError), worded for a workflow
    expect(
      renderForDoor(
        "may not read the artifacts of o/r (403) while looking up run 7. Add 'permissions: { actions: read, contents: read }' to the workflow, or for another repository pass a token with actions: read on it.",
        'cli'
      )
    ).toBe(
      "may not read the artifacts of o/r (403) while looking up run 7. Give a token with read access to its Actions (a fine-grained token with 'Actions: read', or gh auth token for an account that may read them)."
    )
  })

  it('words install-client and client advice for the terminal (postgres/clients.ts, install.ts)', () => {
    const texts = [
      'the runner user is not root and sudo asks for a password',
      'the action installs clients with apt-get on Linux only, and this runner is darwin',
      'apt-get is not available on this runner',
      ' The runner must be able to reach apt.postgresql.org for that (check its proxy and firewall); otherwise install the client from another source and set pg-bin-dir.',
      "currentSchema is JDBC's search_path: drop it, and set the `schemas` input to back up only that schema"
    ]
    expect(texts.map(text => renderForDoor(text, 'cli'))).toEqual([
      'the user is not root and sudo asks for a password',
      'the action installs clients with apt-get on Linux only, and this machine is darwin',
      'apt-get is not available on this machine',
      ' This machine must be able to reach apt.postgresql.org for that (check its proxy and firewall); otherwise install the client from another source and set --pg-bin-dir.',
      "currentSchema is JDBC's search_path: drop it, and give --schemas to back up only that schema"
    ])
  })

  it('leaves words that are input names only as settings: clean, jobs, format in a sentence', () => {
    const text = 'the objects clean drops; two jobs; the format of the dump; --format: bad'
    expect(renderForDoor(text, 'cli')).toBe(text)
  })
})

describe('max-age without a unit', () => {
  it('is read as hours, as before, and the notice the front doors log says so with the unit', () => {
    const unitless = read({ mode: 'check', repository: 'o/r', 'max-age': '26' })
    expect((getInputs(unitless) as CheckOptions).maxAgeSeconds).toBe(26 * 3600)
    expect(maxAgeNotice(unitless)).toBe(
      'max-age: 26 has no unit and is read as 26 hours; write 26h to say so (or e.g. 26d for days, units s, m, h, d, w).'
    )
    expect(maxAgeNotice(read({ mode: 'check', 'max-age': '26h' }))).toBeUndefined()
    expect(maxAgeNotice(read({ mode: 'backup', 'max-age': '26' }))).toBeUndefined()
    expect(maxAgeNotice(read({ mode: 'verify', 'max-age': '8' }))).toMatch(/read as 8 hours/)
  })
})

describe('maskedWordWarning', () => {
  const at = (user: string | undefined, password: string | undefined, database = 'app') => ({
    user,
    password,
    database
  })

  it("warns when the password is the user's or database's name, or a word the log is full of", () => {
    expect(maskedWordWarning(Inputs.VerifyDatabaseUrl, at('postgres', 'postgres'))).toMatch(
      /^Input 'verify-database-url': its password is the user's name\. .* shows \*\*\* in place of that word everywhere/
    )
    expect(maskedWordWarning(Inputs.DatabaseUrl, at('app', 'shop-db', 'shop-db'))).toMatch(
      /is the database's name/
    )
    const word = maskedWordWarning(Inputs.DatabaseUrl, at('app', 'postgres'), 'cli')
    expect(word).toMatch(
      /^Environment variable DATABASE_URL: its password is a word the log is full of/
    )
    // the warning never holds the password
    expect(word).not.toContain('postgres')
  })

  it("warns when a short password is part of the user's or the database's name (trial u45 F8: the GRANT to copy named app_***)", () => {
    expect(maskedWordWarning(Inputs.DatabaseUrl, at('app_rw', 'rw'))).toMatch(
      /its password is part of the user's name\./
    )
    expect(maskedWordWarning(Inputs.DatabaseUrl, at('app', 'op', 'shop'), 'cli')).toMatch(
      /its password is part of the database's name\./
    )
    // before the log's common words (attacker a73 F10: 'data' in database 'data_prod')
    expect(maskedWordWarning(Inputs.DatabaseUrl, at('app', 'data', 'data_prod'))).toMatch(
      /its password is part of the database's name\./
    )
  })

  it('is silent for a password that is no ordinary word, or none', () => {
    expect(maskedWordWarning(Inputs.DatabaseUrl, at('app', 'scratch-only-7c1e'))).toBeUndefined()
    expect(maskedWordWarning(Inputs.DatabaseUrl, at('app', undefined))).toBeUndefined()
  })
})

describe('describeForInputs in verify mode (trial u30 F1)', () => {
  it("names verify-database-url for the scratch database's errors, database-url for the backed-up one's", async () => {
    const { SettingError } = await import('../../src/errors.js')
    const scratch = new SettingError(
      'databaseUrl',
      "could not connect to postgres@127.0.0.1:5432/scratch3: the database 'scratch3' does not exist"
    )
    expect(describeForInputs(scratch, 'action', 'verify').message).toMatch(
      /^Input 'verify-database-url': could not connect/
    )
    expect(describeForInputs(scratch, 'cli', 'verify').message).toMatch(
      /^Environment variable VERIFY_DATABASE_URL: could not connect/
    )
    // restore and backup: database-url, as before
    expect(describeForInputs(scratch, 'action', 'restore').message).toMatch(
      /^Input 'database-url': could not connect/
    )
    const backedUp = new SettingError('backedUpDatabaseUrl', 'cannot be reached to make sure …')
    expect(describeForInputs(backedUp, 'action', 'verify').message).toMatch(
      /^Input 'database-url': cannot be reached/
    )
  })
})

describe('renderForDoor: values the advice names, ready to paste into a shell (attacker a74 F7)', () => {
  it.each([
    [
      'restore only your own schemas (schemas: "Q""s","a,b",public).',
      `restore only your own schemas (--schemas '"Q""s","a,b",public').`
    ],
    ['(schemas: "my schema",public)', `(--schemas '"my schema",public')`],
    [`e.g. exclude-schemas: "it's",auth, or`, `e.g. --exclude-schemas '"it'\\''s",auth', or`],
    [`set 'tables: public."Order Items"' and`, `set --tables 'public."Order Items"' and`],
    ['(schemas: public,app)', '(--schemas public,app)'],
    ["'pg-bin-dir: /usr/lib/postgresql/17/bin'", '--pg-bin-dir /usr/lib/postgresql/17/bin'],
    // a message labelled with its input (trial u46: "warning: tables: …")
    [
      'tables: as pg_restore --table does, the restore brings the named tables',
      '--tables: as pg_restore --table does, the restore brings the named tables'
    ],
    ["tables: 'orders' names 2 tables", "--tables: 'orders' names 2 tables"],
    ['clean-drop-dependents: true — these objects', '--clean-drop-dependents — these objects']
  ])('%s', (message, cli) => {
    expect(renderForDoor(message, 'cli')).toBe(cli)
    // the action's wording stays as the workflow writes it
    expect(renderForDoor(message, 'action')).toBe(message)
  })
})

describe('renderForDoor: the mode is a command on the command line', () => {
  it("words 'mode: backup' as the backup command, which the CLI takes (trial u46: --mode was refused)", () => {
    const text =
      'Rows added since the backup was made are gone; a backup of the target made first (mode: backup) keeps them.'
    expect(renderForDoor(text, 'cli')).toContain(
      'a backup of the target made first (the backup command, with the same DATABASE_URL: node dist/cli/index.js backup --output-dir backups) keeps them'
    )
    expect(renderForDoor(text, 'action')).toBe(text)
  })
})
