#!/usr/bin/env node
/**
 * The same engine from a terminal, no GitHub needed:
 *   postgres-backup-action backup  --output-dir backups        (DATABASE_URL from the environment)
 *   postgres-backup-action restore --backup-file backups/app-….dump.zst
 *   postgres-backup-action verify  --backup-file … --verify-database-url postgresql://…/scratch
 *   postgres-backup-action check   --repository owner/name --max-age 26h   (GITHUB_TOKEN)
 * Option names are the action's input names, parsed and validated by the same module.
 * Exit codes: 0 done, 1 failed, 2 a setting cannot work (bad input, a database that cannot be
 * reached or refuses the login), 3 a check refused the backup or the target; 130/143 cancelled.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  realpathSync,
  statSync,
  unlinkSync
} from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import yargs from 'yargs'
import { EXIT_CODES, SettingError, exitCodeFor, sentence } from './errors.js'
import {
  InputError,
  type InputReader,
  Inputs,
  describeForInputs,
  maskedWordWarning,
  defaultDatabaseNotice,
  droppedParametersNotice,
  maxAgeNotice,
  renderForDoor,
  SECRET_ENV,
  shellWord,
  getInputs
} from './inputs.js'
import { backup } from './modes/backup.js'
import { check } from './modes/check.js'
import { formatAge } from './duration.js'
import { type RestoreResult, restore } from './modes/restore.js'
import { type VerifyResult, verify } from './modes/verify.js'
import { formatBytes, formatDuration, log, terminalLog, useLog, plural } from './log.js'
import { databaseUrlSecrets, parseDatabaseUrl } from './postgres/connection.js'
import {
  cancelSettled,
  cancellationError,
  committedAftermath,
  phaseLog,
  recordRunShape,
  stopOnSignals
} from './main.js'
import { EXIT_GRACE_MS, cancelledBy, killAllChildren } from './process.js'
import { removeWorkDirsNow } from './storage/local.js'
import { redact, registerSecret, registerSecrets, setSecretMasker } from './secrets.js'
import { restoredTables } from './summary.js'

/** Environment variables that stand in for secret options (kept off the command line). */
const ENV_FALLBACK = SECRET_ENV

/** The help's last lines: where secrets come from, and the exit codes. */
const EPILOGUE = `Secrets come from the environment, never the command line: ${Object.entries(
  ENV_FALLBACK
)
  .map(([input, env]) => `${env} (${input}${input === Inputs.GithubToken ? ', check only' : ''})`)
  .join(
    ', '
  )}.\nExit codes: 0 done, 1 failed, 2 a setting cannot work (bad input; a database that cannot be reached or refuses the login), 3 a check refused the backup or the target (nothing was changed), 130/143 cancelled (SIGINT/SIGTERM).`

const BOOLEAN_INPUTS = new Set<Inputs>([
  Inputs.Overwrite,
  Inputs.InstallClient,
  Inputs.Clean,
  Inputs.CleanDropDependents,
  Inputs.AllowNonEmpty,
  Inputs.DataOnly,
  Inputs.SingleTransaction,
  Inputs.AllowUnencryptedPublic,
  Inputs.Globals,
  Inputs.CreateRoles
])

/** Options that take auto, true or false; given bare (--no-owner) they mean true. */
const AUTO_INPUTS = new Set<Inputs>([Inputs.NoOwner, Inputs.NoPrivileges])

/** Which options each command takes (the action's inputs that make sense locally). */
const COMMON = [
  Inputs.PgBinDir,
  Inputs.PostgresVersion,
  Inputs.InstallClient,
  Inputs.ConnectTimeout,
  Inputs.LockTimeout
]
const RESTORE_OPTIONS = [
  Inputs.BackupFile,
  Inputs.Clean,
  Inputs.CleanDropDependents,
  Inputs.AllowNonEmpty,
  Inputs.DataOnly,
  Inputs.NoOwner,
  Inputs.NoPrivileges,
  Inputs.SingleTransaction,
  Inputs.Jobs,
  Inputs.Tables,
  Inputs.Schemas,
  Inputs.DecryptionIdentity,
  Inputs.EncryptionPassphrase,
  Inputs.SigningKey,
  Inputs.CreateRoles,
  // an S3 backup (the dump, its manifest and globals file) is downloaded as the action does
  Inputs.S3Uri,
  Inputs.BackupUri,
  Inputs.S3Endpoint,
  Inputs.S3Region,
  Inputs.S3ForcePathStyle,
  ...COMMON
]

/** The action's inputs that name a workflow's artifact: the command line reads no artifact. */
const ARTIFACT_INPUTS = [
  Inputs.ArtifactName,
  Inputs.RunId,
  Inputs.ArtifactId,
  Inputs.ArtifactFrom,
  Inputs.ArtifactWorkflow,
  Inputs.Repository
]
export const COMMANDS: Record<
  'backup' | 'restore' | 'verify' | 'check',
  { describe: string; options: Inputs[] }
> = {
  backup: {
    describe: 'Dump DATABASE_URL into --output-dir: compressed, checksummed, with a manifest',
    options: [
      Inputs.DatabaseUrl,
      Inputs.Format,
      Inputs.Compression,
      Inputs.CompressionLevel,
      Inputs.Tables,
      Inputs.ExcludeTables,
      Inputs.ExcludeTableData,
      Inputs.Schemas,
      Inputs.ExcludeSchemas,
      Inputs.PgDumpArgs,
      Inputs.RowCounts,
      Inputs.Jobs,
      Inputs.EncryptionRecipients,
      Inputs.EncryptionPassphrase,
      Inputs.SigningKey,
      Inputs.Globals,
      ...COMMON
    ]
  },
  restore: {
    describe: 'Check a backup file and restore it into DATABASE_URL (one transaction)',
    options: [Inputs.DatabaseUrl, ...RESTORE_OPTIONS]
  },
  verify: {
    describe:
      'Restore a backup file into the scratch VERIFY_DATABASE_URL and compare it with its manifest',
    options: [Inputs.VerifyDatabaseUrl, Inputs.MaxAge, ...RESTORE_OPTIONS]
  },
  check: {
    describe:
      'Is the newest backup (an artifact of --repository, or under --s3-uri) younger than --max-age and whole? Reads its manifest only, never the dump',
    options: [
      Inputs.MaxAge,
      Inputs.ArtifactName,
      Inputs.Repository,
      Inputs.RunId,
      Inputs.ArtifactId,
      Inputs.ArtifactFrom,
      Inputs.GithubToken,
      Inputs.S3Uri,
      Inputs.BackupUri,
      Inputs.S3Endpoint,
      Inputs.S3Region,
      Inputs.S3ForcePathStyle,
      Inputs.SigningKey
    ]
  }
}

/** Input descriptions from action.yml, when it ships beside the program. */
function descriptions(): Record<string, string> {
  const here = path.dirname(fileURLToPath(import.meta.url))
  for (const candidate of ['../action.yml', '../../action.yml']) {
    const file = path.join(here, candidate)
    if (!existsSync(file)) continue
    try {
      const action = parse(readFileSync(file, 'utf8')) as {
        inputs: Record<string, { description?: string }>
      }
      return Object.fromEntries(
        Object.entries(action.inputs).map(([k, v]) => [k, (v.description ?? '').trim()])
      )
    } catch {
      break
    }
  }
  return {}
}

/**
 * The first sentence of an input's description (--help; --help-all shows it whole); of a
 * description with a part per mode ("Backup: … Restore: …"), the first of the command's part
 * (verify's: Restore's, as it restores into its scratch server).
 */
export function firstSentence(description: string, command?: string): string {
  let text = description.replace(/\s+/g, ' ')
  const label = command === 'backup' ? 'Backup' : command ? 'Restore' : undefined
  const part = label ? new RegExp(`(?:^|\\. )(${label}\\b[^:.]*:)`).exec(text) : null
  if (part && part.index > 0) text = text.slice(part.index + part[0].indexOf(part[1]))
  // the sentence's end, not an abbreviation's full stop ("e.g. --no-owner": trial u19 F7)
  const end = /(?<!\b(?:e\.g|i\.e|etc|vs|cf))\.(\s|$)/.exec(text)
  const first = end ? text.slice(0, end.index + 1) : text
  return first.length > 200 ? `${first.slice(0, 199)}… (--help-all)` : first
}

/** A message of the engine as the command line words it: options and environment variables. */
const forCli = (text: string): string => renderForDoor(text, 'cli')

/** A line on stdout, secrets redacted. */
function say(text: string): void {
  process.stdout.write(`${redact(text)}\n`)
}

export async function main(argv: string[]): Promise<number> {
  // a secret given as an option would be on the command line, where ps and the shell's history
  // show it: refused, naming the environment variable that takes it
  for (const arg of argv) {
    const name = /^--([a-z-]+)(=|$)/.exec(arg)?.[1]
    const env = name === undefined ? undefined : ENV_FALLBACK[name as Inputs]
    if (env) {
      process.stderr.write(
        `--${name} is a secret: give it in the environment variable ${env}, never on the command line (ps and the shell's history show arguments). Nothing was done.\n`
      )
      return EXIT_CODES.setting
    }
  }
  // restore/verify of a workflow's artifact: the command line reads files and S3 objects only
  if (argv[0] === 'restore' || argv[0] === 'verify') {
    const artifactOption = argv
      .map(arg => /^--([a-z-]+)(=|$)/.exec(arg)?.[1])
      .find(name => ARTIFACT_INPUTS.includes(name as Inputs))
    if (artifactOption) {
      process.stderr.write(
        `--${artifactOption}: ${argv[0]} on the command line does not download a workflow's artifact. Download it first: gh run download <run-id> -n database-backup.zip -D backup (the artifact is named <artifact-name>.zip; gh needs actions: read on the repository), then ${argv[0]} --backup-file backup/. A backup in S3 is read with --backup-uri s3://bucket/key (or --s3-uri s3://bucket/prefix/ for the newest), as in the action. Nothing was done.\n`
      )
      return EXIT_CODES.setting
    }
  }
  // --help: each option's first sentence; --help-all: the whole of action.yml's description
  const helpAll = argv.includes('--help-all')
  if (helpAll) argv = argv.map(arg => (arg === '--help-all' ? '--help' : arg))
  const full = descriptions()
  const helpOf = (input: Inputs, command: string): string =>
    helpAll ? (full[input] ?? '') : firstSentence(full[input] ?? '', command)
  // --pg-dump-args "--no-owner --no-privileges": its value starts with '-', which yargs would
  // take for options of its own; taken as the value, as --pg-dump-args="…" is
  argv = argv.flatMap((arg, i) =>
    argv[i - 1] === `--${Inputs.PgDumpArgs}` && arg.startsWith('-')
      ? []
      : arg === `--${Inputs.PgDumpArgs}` && argv[i + 1]?.startsWith('-')
        ? [`${arg}=${argv[i + 1]}`]
        : [arg]
  )
  // yargs strips one pair of quotes around the value of --name=value (not of --name value):
  // --tables='"a,secret"' would select public.a and public.secret, and --tables='""' everything
  // (re-attack a42 F2). A value in quotes gets a second pair, which yargs takes off.
  argv = argv.map(arg => {
    const m = /^(--[^=]+=)(["'])([^]*)$/.exec(arg)
    return m && m[3].length > 0 && m[3].endsWith(m[2]) ? `${m[1]}${m[2]}${m[2]}${m[3]}${m[2]}` : arg
  })
  let chosen: { command: keyof typeof COMMANDS; args: Record<string, unknown> } | undefined
  const parser = yargs(argv)
    .scriptName('postgres-backup-action')
    .parserConfiguration({ 'boolean-negation': false, 'camel-case-expansion': false })
    .option('verbose', { type: 'boolean', describe: 'Show debug output', default: false })
    .strict()
    .demandCommand(1, 'Give a command: backup, restore, verify or check.')
    .epilogue(EPILOGUE)
    .exitProcess(false)
    .fail((message, error) => {
      throw error ?? new InputError('command line', message, undefined, 'cli')
    })
  for (const [command, spec] of Object.entries(COMMANDS) as Array<
    [keyof typeof COMMANDS, (typeof COMMANDS)[keyof typeof COMMANDS]]
  >) {
    parser.command(
      command,
      spec.describe,
      y => {
        for (const input of spec.options) {
          // secrets: from the environment only (listed in the help's epilogue)
          if (ENV_FALLBACK[input]) continue
          y.option(input, {
            type: BOOLEAN_INPUTS.has(input) ? 'boolean' : 'string',
            describe:
              input === Inputs.InstallClient
                ? `${forCli(helpOf(input, command))} On the command line it is off unless given: --install-client runs apt-get with sudo on this machine.`
                : forCli(helpOf(input, command))
          })
        }
        y.epilogue(EPILOGUE)
        if (command === 'backup') {
          y.option('output-dir', {
            type: 'string',
            default: 'backups',
            describe: 'Directory the dump and its manifest are written to'
          })
        }
        return y
      },
      args => {
        chosen = { command, args: args as Record<string, unknown> }
      }
    )
  }
  try {
    await parser.parseAsync()
  } catch (error) {
    const hint =
      negationHint(argv) + actionOnlyHint(argv) + positionalHint(argv, (error as Error).message)
    const message = forCli((error as Error).message)
    process.stderr.write(`${hint ? `${sentence(message)}${hint}` : message}\n`)
    return EXIT_CODES.setting
  }
  if (!chosen) return EXIT_CODES.ok // --help or --version was printed
  const { command, args } = chosen

  // secrets are redacted from everything printed here; there is no runner to mask them
  setSecretMasker(() => undefined)
  const terminal = terminalLog({ verbose: Boolean(args.verbose), redact })
  // the warnings of a run that succeeds are counted in its last line (trial u41 F3: a table
  // restored open to anon, said only in the middle of the log, then "✔ Restored")
  let warned = 0
  useLog(
    phaseLog({
      ...terminal,
      // info too: the installer's and the engine's progress lines name inputs as a workflow sets them
      info: message => terminal.info(forCli(message)),
      warning: message => {
        warned++
        terminal.warning(forCli(message))
      },
      notice: message => terminal.notice(forCli(message))
    })
  )
  const read: InputReader = name => {
    if (name === Inputs.Mode) return command
    const value = args[name]
    if (value === '' && AUTO_INPUTS.has(name)) return 'true'
    if (value !== undefined && value !== '') return String(value)
    // a workflow's runner is a throw-away machine; this one is the user's: nothing is installed
    // with sudo unless asked (--install-client)
    if (name === Inputs.InstallClient) return 'false'
    // GITHUB_TOKEN is read by check only: the other commands work on local files
    if (name === Inputs.GithubToken && command !== 'check') return ''
    const env = ENV_FALLBACK[name]
    return env ? (process.env[env] ?? '') : ''
  }
  for (const input of Object.keys(ENV_FALLBACK) as Inputs[]) registerSecret(read(input))
  // every piece of what could be a URL's password, if it is not percent-encoded
  for (const input of [Inputs.DatabaseUrl, Inputs.VerifyDatabaseUrl]) {
    registerSecrets(databaseUrlSecrets(read(input).trim()))
  }
  if (
    (command === 'restore' || command === 'verify') &&
    [Inputs.BackupFile, Inputs.BackupUri, Inputs.S3Uri].every(input => read(input).trim() === '')
  ) {
    // the action would fetch an artifact of this repository; the command line restores files
    process.stderr.write(
      `\n✖ ${command} needs --backup-file: the backup to ${command === 'verify' ? 'verify' : 'restore'} (a .dump, .sql, .sql.gz, .zip, an encrypted .age, or the folder the backup command wrote, e.g. --backup-file backups/). To restore a workflow's artifact, download it first: gh run download <run-id> -n database-backup.zip -D backup (the artifact is named <artifact-name>.zip), then --backup-file backup/. A backup in S3: --backup-uri s3://bucket/key.dump.zst (its manifest and globals file beside it are read too), or --s3-uri s3://bucket/prefix/ for the newest there.\n`
    )
    return EXIT_CODES.setting
  }
  try {
    const inputs = getInputs(read)
    const unitless = maxAgeNotice(read)
    if (unitless) log.notice(unitless)
    recordRunShape(
      inputs.mode,
      inputs.mode === 'restore' || inputs.mode === 'verify' ? inputs.singleTransaction : undefined
    )
    if (inputs.mode === 'check') {
      const result = await check(inputs)
      say(
        `\n✔ Fresh: ${result.checked}, made ${result.manifest.createdAt} (${formatAge(result.ageSeconds)} ago; max-age ${formatAge(result.maxAgeSeconds)}), ${formatBytes(result.manifest.file.sizeBytes)}\n  sha256 ${result.manifest.file.sha256}`
      )
      return EXIT_CODES.ok
    }
    const connection = parseDatabaseUrl(inputs.databaseUrl)
    registerSecrets(connection.secrets)
    if (connection.fromEnvironment) {
      log.info(
        `Taken from the environment, as psql would (the URL does not set them): ${connection.fromEnvironment.join(', ')}.`
      )
    }
    const urlInput = inputs.mode === 'verify' ? Inputs.VerifyDatabaseUrl : Inputs.DatabaseUrl
    const notice = droppedParametersNotice(urlInput, connection.dropped, 'cli', inputs.mode)
    if (notice) log.notice(notice)
    const unnamed = defaultDatabaseNotice(urlInput, connection, 'cli')
    const masked = maskedWordWarning(urlInput, connection, 'cli')
    if (masked) log.warning(masked)
    if (unnamed) log.notice(unnamed)
    if (inputs.mode === 'backup') {
      // before the dump, as pg_dump -f fails at once on a path it cannot write (attacker a98 F6)
      const outputDirectory = writableOutputDirectory(args['output-dir'])
      const result = await backup(inputs, connection, { outputDirectory })
      const m = result.manifest
      say(
        `\n✔ ${result.localPath} — ${formatBytes(m.file.sizeBytes)} (${formatBytes(m.rawSizeBytes)} uncompressed), ${plural(m.rowCounts.tables.length, 'table')}, ${formatDuration(result.durationSeconds)}\n  sha256 ${m.file.sha256}`
      )
      return EXIT_CODES.ok
    }
    if (inputs.source.kind !== 'file' && inputs.source.kind !== 's3') {
      throw new InputError(
        Inputs.BackupFile,
        'is required: the command line restores local files (download an artifact from the Actions page first).'
      )
    }
    const result =
      inputs.mode === 'verify'
        ? await verify(inputs, connection)
        : await restore(inputs, connection)
    // verify says what it proved: compared exactly, by the manifest's counts, or only loaded (u8 F9)
    const unproved =
      'equality' in result ? (result as VerifyResult).equality.notCompared : undefined
    // what was not proved follows the counts, as a sentence of its own (trial u30 F7: it stood
    // between the verdict and the file's name)
    const [verdict, caveat] =
      inputs.mode !== 'verify'
        ? ['Restored', '']
        : unproved === undefined
          ? ['Verified', '']
          : result.manifest
            ? [
                "Verified by the manifest's row counts",
                ` Only the counts were checked: not compared exactly (${unproved}).`
              ]
            : [
                'Loaded without error',
                // no manifest: not even counts (trial u54 F3: "counts only" beside "Nothing was compared")
                ` Nothing was compared: the backup has no manifest, and it was not compared exactly (${unproved.replace(/[:;] counts only/, '')}).`
              ]
    say(
      `\n✔ ${verdict} ${result.restoredFrom}: ${plural(restoredTables(result).length, 'table')}, ${plural(result.rowsRestored, 'row')}${keptTail(result)}, ${formatDuration(result.durationSeconds)}.${caveat}${warnedLine(warned)}`
    )
    return EXIT_CODES.ok
  } catch (caught) {
    const signal = cancelledBy()
    // what became of its server sessions is said, as the action says it (run())
    if (signal) return cancelSettled().then(() => cancelledExit(signal))
    const error = describeForInputs(caught, 'cli', command)
    const message = forCli((error as Error)?.message ?? String(error))
    // after the COMMIT: what the action's summary says, the target holds the restored data
    const after = committedAftermath()
    const said =
      after && !/\bcommitted\b/i.test(message) ? `${sentence(message)} ${after}` : message
    process.stderr.write(`\n✖ ${redact(said)}\n`)
    return exitCodeFor(error)
  }
}

function isEntryPoint(): boolean {
  try {
    return realpathSync(process.argv[1] ?? '') === realpathSync(fileURLToPath(import.meta.url))
  } catch {
    return false
  }
}

/**
 * For `--no-<option>` of an option that takes true/false (the command line reads no negations:
 * --no-owner and --no-privileges are options of their own), the form it takes: " Give
 * --single-transaction false (not --no-single-transaction)."; '' when there is none.
 */
export function negationHint(argv: string[]): string {
  const hints = argv.flatMap(arg => {
    const m = /^--no-([a-z-]+)(?:=.*)?$/.exec(arg)
    const name = m?.[1] as Inputs | undefined
    if (!name || !(BOOLEAN_INPUTS.has(name) || AUTO_INPUTS.has(name))) return []
    if (Object.values(Inputs).includes(`no-${name}` as Inputs)) return []
    return [`--${name} false (not ${arg.replace(/=.*$/, '')})`]
  })
  return hints.length > 0 ? ` Give ${hints.join(', ')}.` : ''
}

/**
 * After the ✔ line's tables and rows: the counted tables whose rows the restore kept (the
 * target's, not restored), which those numbers leave out (trial u53 F3).
 */
export function keptTail(result: Pick<RestoreResult, 'tables' | 'kept'>): string {
  const kept = result.tables.length - restoredTables(result).length
  return kept > 0 ? ` (and ${plural(kept, 'table')} that kept the target's rows)` : ''
}

/** The last line's word on the warnings above it, when there were any. */
export function warnedLine(warned: number): string {
  return warned === 0
    ? ''
    : ` With ${plural(warned, 'warning')} above (what was left out or needs doing): read ${warned === 1 ? 'it' : 'them'} before relying on the result.`
}

/**
 * A file named without its option (`restore b3.zip`: trial u40 F7), which yargs calls an unknown
 * argument: the option that takes it, for the commands that read a backup file.
 */
export function positionalHint(argv: string[], message: string): string {
  const command = argv[0]
  if (command !== 'restore' && command !== 'verify') return ''
  const unknown = /Unknown arguments?: (.+)$/m.exec(message)?.[1]?.split(', ') ?? []
  const file = unknown.find(a => !a.startsWith('-') && argv.slice(1).includes(a))
  if (!file) return ''
  return ` A backup file is given with --backup-file: ${command} --backup-file ${shellWord(file)}.`
}

/**
 * Options that are inputs of the action which the command does not take on the command line
 * (--retention-days for backup: the artifact's; trial u18 F7): what they are and what to do.
 */
export function actionOnlyHint(argv: string[]): string {
  const command = argv[0] as keyof typeof COMMANDS
  const spec = COMMANDS[command]
  if (!spec) return ''
  const hints = argv.flatMap(arg => {
    const name = /^--([a-z0-9-]+)(?:=.*)?$/.exec(arg)?.[1] as Inputs | undefined
    if (!name || !Object.values(Inputs).includes(name) || spec.options.includes(name)) return []
    if (ENV_FALLBACK[name]) return [] // a secret: its own message (the environment)
    if (command === 'check' && name === Inputs.BackupFile)
      return [
        `--${name}: check looks for the newest backup where workflows keep them (a workflow's artifacts, with --repository and GITHUB_TOKEN, or S3 with --s3-uri); a backup file or folder here is checked by verify --backup-file (restored into a scratch database given by VERIFY_DATABASE_URL)`
      ]
    const why =
      name === Inputs.RetentionDays ||
      name === Inputs.RetentionSchedule ||
      name === Inputs.ArtifactName ||
      name === Inputs.Overwrite
        ? `it sets the workflow artifact the action uploads; ${command} on the command line writes files into --output-dir, kept until you delete them`
        : `the action takes it, ${command} on the command line does not (${command} --help lists what it takes)`
    return [`--${name}: ${why}`]
  })
  return hints.length > 0 ? ` ${hints.join('. ')}.` : ''
}

/** A cancelled run's message and exit code (130 for SIGINT, 143 for SIGTERM). */
function cancelledExit(signal: NodeJS.Signals): number {
  process.stderr.write(`\n✖ ${redact(forCli(cancellationError(signal).message))}\n`)
  return signal === 'SIGINT' ? 130 : 143
}

if (isEntryPoint()) {
  // `npm run cli -- …` runs it in the package's folder: paths given relative to the folder the
  // user ran npm in (INIT_CWD) are read from there, as from the installed command
  if (process.env.npm_lifecycle_event === 'cli' && process.env.INIT_CWD) {
    process.chdir(process.env.INIT_CWD)
  }
  const running = main(process.argv.slice(2))
  // the programs it runs have process groups of their own, out of reach of the terminal's
  // Ctrl-C: they are stopped (psql's transaction then rolls back) before it goes
  stopOnSignals(running, async (signal, outcome) => {
    process.exit(outcome === 'unfinished' ? cancelledExit(signal) : await running)
  })
  running.then(code => {
    process.exitCode = code
    // the outcome is printed: nothing left behind (a child that never started, a socket kept
    // alive) may hold the terminal (attacker a28 A2: a hang after a failed start). The timer
    // does not keep Node alive itself.
    setTimeout(() => {
      killAllChildren()
      removeWorkDirsNow()
      process.exit(code)
    }, EXIT_GRACE_MS).unref()
  })
}

/**
 * The backup's --output-dir, resolved, made where missing (each missing level, as mkdir -p) and
 * found writable (a file created and removed in it) before anything connects: a path that cannot
 * hold the backup fails at once, named, not after the whole dump (attacker a98 F6: bare ENOTDIR,
 * EEXIST or ENOENT at the end; /proc spun). Given twice: refused (yargs would join the two).
 * Errors: SettingError (exit code 2).
 */
export function writableOutputDirectory(value: unknown): string {
  const fail = (why: string): never => {
    throw new SettingError(
      undefined,
      `--output-dir ${why}. Give a directory this user may write to (it is made where missing), once.`
    )
  }
  if (Array.isArray(value)) fail(`is given ${value.length} times (${value.join(', ')})`)
  const given = String(value ?? 'backups')
  if (given.trim() === '') fail('is empty')
  const dir = path.resolve(given)
  // the nearest level that exists must be a directory; the missing ones are made one by one
  const missing: string[] = []
  let at = dir
  for (;;) {
    let isDirectory: boolean | undefined
    try {
      isDirectory = statSync(at).isDirectory()
    } catch (error) {
      if (!['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? ''))
        fail(
          `${dir}: ${at} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`
        )
    }
    if (isDirectory === false)
      fail(`${at === dir ? dir : `${dir}: ${at}`} is a file, not a directory`)
    if (isDirectory === true) break
    missing.unshift(at)
    const up = path.dirname(at)
    if (up === at) break
    at = up
  }
  for (const level of missing) {
    try {
      mkdirSync(level)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST')
        fail(
          `${dir}: ${level} cannot be made (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`
        )
    }
  }
  const probe = path.join(dir, `.postgres-backup-action-${process.pid}.probe`)
  try {
    closeSync(openSync(probe, 'wx', 0o600))
    unlinkSync(probe)
  } catch (error) {
    fail(
      `${dir} cannot be written (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`
    )
  }
  return dir
}
