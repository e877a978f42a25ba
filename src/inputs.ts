/**
 * Every input of the action: names in one enum, parsed and validated in one place into the
 * engine's typed options (types.ts). Nothing deeper in the engine reads `core.getInput` or the
 * environment for inputs; and only here (for the front doors, main.ts and cli.ts) does an engine
 * error about an option become an error about an input: describeForInputs().
 */
import * as core from '@actions/core'
import { parseArgsStringToArgv } from 'string-argv'
import { isAgeIdentity, isAgeRecipient } from './age-keys.js'
import { EngineError, type EngineErrorOptions, type OptionName, withServerHint } from './errors.js'
import { type RetentionSchedule, parseRetentionSchedule } from './retention.js'
import { parseDuration } from './duration.js'
import { parseHeartbeatUrl } from './heartbeat.js'
import { parseS3Uri } from './s3-uri.js'
import { restoreNamesValue } from './sql-names.js'
import {
  type BackupOptions,
  type BackupSource,
  COMPRESSIONS,
  type CheckOptions,
  COMPRESSION_LEVELS,
  ARTIFACT_FROM,
  type ArtifactFrom,
  type ClientOptions,
  type DecryptionKeys,
  type EncryptionKeys,
  FORMATS,
  FORMAT_LETTERS,
  MODES,
  type Mode,
  ROW_COUNT_METHODS,
  type RestoreOptions,
  type S3Settings
} from './types.js'

export enum Inputs {
  Mode = 'mode',
  DatabaseUrl = 'database-url',
  ArtifactName = 'artifact-name',
  RetentionDays = 'retention-days',
  Format = 'format',
  Compression = 'compression',
  CompressionLevel = 'compression-level',
  Tables = 'tables',
  ExcludeTables = 'exclude-tables',
  ExcludeTableData = 'exclude-table-data',
  Schemas = 'schemas',
  ExcludeSchemas = 'exclude-schemas',
  PgDumpArgs = 'pg-dump-args',
  Overwrite = 'overwrite',
  RowCounts = 'row-counts',
  Jobs = 'jobs',
  PgBinDir = 'pg-bin-dir',
  PostgresVersion = 'postgres-version',
  InstallClient = 'install-client',
  ConnectTimeout = 'connect-timeout',
  LockTimeout = 'lock-timeout',
  RunId = 'run-id',
  ArtifactId = 'artifact-id',
  Repository = 'repository',
  GithubToken = 'github-token',
  BackupFile = 'backup-file',
  Clean = 'clean',
  AllowNonEmpty = 'allow-non-empty',
  DataOnly = 'data-only',
  CleanDropDependents = 'clean-drop-dependents',
  NoOwner = 'no-owner',
  NoPrivileges = 'no-privileges',
  SingleTransaction = 'single-transaction',
  EncryptionRecipients = 'encryption-recipients',
  EncryptionPassphrase = 'encryption-passphrase',
  DecryptionIdentity = 'decryption-identity',
  AllowUnencryptedPublic = 'allow-unencrypted-public',
  VerifyDatabaseUrl = 'verify-database-url',
  S3Uri = 's3-uri',
  S3Endpoint = 's3-endpoint',
  S3ForcePathStyle = 's3-force-path-style',
  S3Region = 's3-region',
  Artifact = 'artifact',
  RetentionSchedule = 'retention-schedule',
  BackupUri = 'backup-uri',
  HeartbeatUrl = 'heartbeat-url',
  RowLossThreshold = 'row-loss-threshold',
  FailOnRowLoss = 'fail-on-row-loss',
  MaxAge = 'max-age',
  // whose backup a restore trusts (issue 14)
  ArtifactFrom = 'artifact-from',
  ArtifactWorkflow = 'artifact-workflow',
  SigningKey = 'signing-key',
  // roles (issue 20 item 4)
  Globals = 'globals',
  CreateRoles = 'create-roles'
}

/** What getInputs() gives: the options of the mode the inputs ask for. */
export type ActionInputs = BackupOptions | RestoreOptions | CheckOptions

/**
 * Where a message is shown: the action's step (inputs, secrets, the workflow) or the command
 * line (options, environment variables). The one place that words an input's name and picks an
 * error's wording for it is here: inputLabel and describeForInputs.
 */
export type FrontDoor = 'action' | 'cli'

/** The environment variables the CLI reads secret inputs from (never the command line). */
export const SECRET_ENV: Partial<Record<Inputs, string>> = {
  [Inputs.DatabaseUrl]: 'DATABASE_URL',
  [Inputs.VerifyDatabaseUrl]: 'VERIFY_DATABASE_URL',
  [Inputs.EncryptionPassphrase]: 'BACKUP_ENCRYPTION_PASSPHRASE',
  [Inputs.DecryptionIdentity]: 'BACKUP_DECRYPTION_IDENTITY',
  [Inputs.SigningKey]: 'BACKUP_SIGNING_KEY',
  // check only: to find and read the newest backup artifact through GitHub's API
  [Inputs.GithubToken]: 'GITHUB_TOKEN'
}

/** An input as users of that front door know it: "Input 'tables'", or "--tables" / "DATABASE_URL". */
export function inputLabel(input: Inputs | string, door: FrontDoor = 'action'): string {
  if (door === 'action') return `Input '${input}'`
  const env = SECRET_ENV[input as Inputs]
  if (env) return `Environment variable ${env}`
  return Object.values(Inputs).includes(input as Inputs) ? `--${input}` : input
}

/** An input as an option or environment variable of the command line: "--clean", "DATABASE_URL". */
function cliName(input: Inputs): string {
  return SECRET_ENV[input] ?? `--${input}`
}

/**
 * A value as one word of a POSIX shell's command line: as it is when it holds nothing the shell
 * reads specially, else in single quotes (a quote inside as '\''). Advice printed for the command
 * line is pasted into a shell (attacker a74 F7: `--schemas "Q""s","a,b"` lost its quotes there).
 */
export function shellWord(value: string): string {
  return /^[\w./@:+,=%-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`
}

const escapeForPattern = (text: string): string => text.replace(/[-.]/g, '\\$&')
const INPUT_NAMES = Object.values(Inputs)
  .sort((a, b) => b.length - a.length)
  .map(escapeForPattern)
  .join('|')
/** `'clean: true'`, `clean: true`, `jobs: 4`, `single-transaction: false` */
const SETTING = new RegExp(
  `'(${INPUT_NAMES}): ((?:"(?:[^"]|"")*"|[^'\\s"])+)'|(?<![-\\w'./])(${INPUT_NAMES}): (true|false|auto|current|\\d+\\w*)(?![\\w-])`,
  'g'
)
/** A list's value in a message: names, a double-quoted one with spaces or commas too */
const NAME_VALUE = `(?:"(?:[^"]|"")*"|[^\\s'\`),;"])+`
const LIST_VALUE = `${NAME_VALUE}(?:,${NAME_VALUE})*`
/**
 * `(exclude-schemas: auth)`, `e.g. exclude-schemas: auth,storage`: a setting with any value (a
 * list, a name) where a message shows it as an example — in parentheses, or after "e.g."
 */
const EXAMPLE_SETTING = new RegExp(
  `(\\(|e\\.g\\. )(${INPUT_NAMES}): (${LIST_VALUE})(?=[),;]|, |\\.?\\s|\\.?$)`,
  'g'
)
/** `Input 'postgres-version'`: the action's label of an input, in an engine's message */
const INPUT_WORDS = new RegExp(`Input '(${INPUT_NAMES})'`, 'g')
/** "set the `schemas` input": advice to set an input */
const INPUT_SET = new RegExp(`set the \`(${INPUT_NAMES})\` input`, 'g')
/** `'tables'`: an input's name quoted */
const QUOTED = new RegExp(`'(${INPUT_NAMES})'`, 'g')
/** a hyphenated input name as a word of a sentence ("in decryption-identity"); one-word names
 * (clean, jobs) are words of English too and are rendered only as settings, quoted, or compared */
const BARE = new RegExp(
  `(?<![-\\w'./$])(${Object.values(Inputs)
    .filter(name => name.includes('-'))
    .sort((a, b) => b.length - a.length)
    .map(escapeForPattern)
    .join('|')})(?![\\w-])`,
  'g'
)
/** `tables: as pg_restore --table does, …`: a message labelled with the input it is about */
const LABEL = new RegExp(`^(${INPUT_NAMES}): (?!(?:true|false|auto|current|\\d))`)
/** `jobs > 1` */
const COMPARED = new RegExp(`(?<![-\\w'./])(${INPUT_NAMES}) ([<>]=?) `, 'g')
/**
 * Advice that only a workflow can follow, and what a terminal's user does instead: the one place
 * a message's workflow wording becomes the terminal's (secrets, github-token, permissions,
 * GitHub's runners).
 */
const WORKFLOW_ADVICE: Array<[RegExp, string]> = [
  [/ in the workspace \(e\.g\. after actions\/checkout or a download step\)/g, ''],
  // the mode is the command on the command line (trial u46: "--mode backup" was refused)
  // whole, as the same command line runs it (trial u47 F4: "<folder>" was no command to paste)
  [
    /\(mode: backup\)/g,
    '(the backup command, with the same DATABASE_URL: node dist/cli/index.js backup --output-dir backups)'
  ],
  [/ \(AGE-SECRET-KEY-1…, from a secret\)/g, ' (AGE-SECRET-KEY-1…)'],
  [/ \(a services: postgres container is empty in every job\)/g, ''],
  [/only backups your workflow made are restored/g, 'only backups made with that key are restored'],
  // database-url missing (getInputs)
  [
    /is required \(it is empty\)\. Store the connection URL \(postgresql:\/\/user:password@host:5432\/dbname\) as a repository secret and pass it with `database-url: \$\{\{ secrets\.DATABASE_URL \}\}`\. A secret that does not exist [^.]*\./g,
    "is not set. Set it to the connection URL, e.g. DATABASE_URL='postgresql://user:password@host:5432/dbname' before the command (the environment, never the command line)."
  ],
  // verify-database-url missing (getInputs)
  [
    /is required in verify mode: the URL of a scratch database the backup is restored into \(e\.g\. a `services: postgres` container in the same job\)\./g,
    'is required by verify: set it to the URL of a scratch database the backup is restored into (e.g. one made with createdb on a local server).'
  ],
  // github-token empty, or refused (storage/artifact.ts)
  [
    /is empty\. Backups of other runs are looked up through GitHub's API: pass a token \(the default is the workflow's own token, \$\{\{ github\.token \}\}\) and give the workflow 'permissions: actions: read'\./g,
    "is not set. The backups are looked up through GitHub's API: set it to a token that may read the repository's Actions artifacts, e.g. GITHUB_TOKEN=$(gh auth token). A backup in S3 needs no token: --s3-uri s3://bucket/prefix/ (the newest there) or --backup-uri s3://bucket/key."
  ],
  [
    /Add 'permissions: \{ actions: read, contents: read \}' to the workflow, or for another repository pass a token with actions: read on it\./g,
    "Give a token with read access to its Actions (a fine-grained token with 'Actions: read', or gh auth token for an account that may read them)."
  ],
  // connecting (postgres/session.ts: explainConnectError): this machine, not GitHub's runners
  [/password in the secret/g, 'password in the URL'],
  [
    / GitHub-hosted runners have no IPv6: if the host resolves only to IPv6 \(e\.g\. a Supabase direct host\), use the provider's IPv4 session pooler URL\./g,
    " Check this machine's network route to it (IPv6 only? use the provider's IPv4 endpoint or pooler)."
  ],
  [/GitHub's runners/g, 'this machine'],
  // a host that resolves only to IPv6 (postgres/diagnostics.ts)
  [
    /, and GitHub-hosted runners have no IPv6: the connection will likely fail\./g,
    ': the connection fails where this machine has no IPv6 route.'
  ],
  // a missing client and install-client (postgres/clients.ts, postgres/install.ts)
  [/ and point the action at it, e\.g\. on Ubuntu:/g, ', e.g. on Ubuntu:'],
  [
    /to let the action install (\S+) itself \(Linux runners with apt-get\)/g,
    'to let the command install $1 itself (Linux with apt-get)'
  ],
  // check: the repository (inputs.ts) and S3 credentials (storage/s3.ts)
  [
    /; leave it empty for this repository\./g,
    '; the command line has no repository of its own: give the one whose artifacts to check (with GITHUB_TOKEN), or check a backup in S3 with --s3-uri s3://bucket/prefix/ (the newest there) or --backup-uri s3://bucket/key.'
  ],
  [
    /add aws-actions\/configure-aws-credentials before this step \(with OIDC: 'permissions: id-token: write' and role-to-assume, no stored keys\), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY \(and AWS_SESSION_TOKEN\) from secrets in env\./g,
    'set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), or AWS_PROFILE, in the environment.'
  ],
  [/\bThe runner must be able to reach\b/g, 'This machine must be able to reach'],
  [/\bthe runner user\b/g, 'the user'],
  [/\bthis runner\b/g, 'this machine']
]

/**
 * A message as users of that front door read it. The action's wording names inputs and their
 * settings as a workflow writes them ("set 'clean: true'", "in decryption-identity"); the command
 * line's names the option or environment variable instead ("--clean", "--jobs 1",
 * "BACKUP_DECRYPTION_IDENTITY"). Every message the CLI shows (errors, warnings, notices, help)
 * passes through this, so no message needs a wording of its own for each door.
 */
export function renderForDoor(text: string, door: FrontDoor): string {
  if (door === 'action') return text
  let out = text
  for (const [pattern, replacement] of WORKFLOW_ADVICE) out = out.replace(pattern, replacement)
  out = out.replace(EXAMPLE_SETTING, (match, before: string, name: Inputs, value: string) =>
    SECRET_ENV[name] || /^(true|false|auto|current|\d+\w*)$/.test(value)
      ? match
      : `${before}${cliName(name)} ${shellWord(value)}`
  )
  out = out.replace(SETTING, (_match, qName, qValue, name, value) => {
    const input = (qName ?? name) as Inputs
    const setting = (qValue ?? value) as string
    if (SECRET_ENV[input]) return `${cliName(input)}=${setting}`
    return setting === 'true' ? cliName(input) : `${cliName(input)} ${shellWord(setting)}`
  })
  // a label before the setting forms: "tables: 'orders' names 2 tables" (trial u46)
  out = out.replace(LABEL, (_match, name: Inputs) => `${cliName(name)}: `)
  out = out.replace(INPUT_WORDS, (_match, name: Inputs) => cliName(name))
  out = out.replace(INPUT_SET, (_match, name: Inputs) => `give ${cliName(name)}`)
  out = out.replace(QUOTED, (_match, name: Inputs) => cliName(name))
  out = out.replace(COMPARED, (_match, name: Inputs, op: string) => `${cliName(name)} ${op} `)
  return out.replace(BARE, (_match, name: Inputs) => cliName(name))
}

/**
 * The notice for max-age without a unit, which means hours (as it always has: workflows that say
 * `max-age: 26` keep working) and which a reader of `max-age: 8` may take for days; undefined
 * when it has a unit, is empty, or the mode does not read it. The front doors log it.
 */
export function maxAgeNotice(read: InputReader = readActionInput): string | undefined {
  if (!['check', 'verify'].includes(read(Inputs.Mode).trim() || 'backup')) return undefined
  const text = read(Inputs.MaxAge).trim()
  if (!/^\d+$/.test(text)) return undefined
  return `max-age: ${text} has no unit and is read as ${text} hours; write ${text}h to say so (or e.g. ${text}d for days, units s, m, h, d, w).`
}

/** A bad input: the message names the input and says what to do. */
export class InputError extends EngineError {
  constructor(
    readonly input: Inputs | string,
    /** What is wrong and what to do, without the input's name. */
    readonly detail: string,
    options?: EngineErrorOptions,
    readonly door: FrontDoor = 'action'
  ) {
    super(
      `${inputLabel(input, door)}: ${renderForDoor(detail, door)}`,
      'setting',
      undefined,
      options
    )
    this.name = 'InputError'
  }
}

/** The input that sets each option the engine may name in an error. */
const INPUT_OF: Record<OptionName, Inputs> = {
  databaseUrl: Inputs.DatabaseUrl,
  backedUpDatabaseUrl: Inputs.DatabaseUrl,
  artifactName: Inputs.ArtifactName,
  tables: Inputs.Tables,
  schemas: Inputs.Schemas,
  pgBinDir: Inputs.PgBinDir,
  postgresVersion: Inputs.PostgresVersion,
  githubToken: Inputs.GithubToken,
  backupFile: Inputs.BackupFile,
  encryptionRecipients: Inputs.EncryptionRecipients,
  artifactFrom: Inputs.ArtifactFrom,
  artifactWorkflow: Inputs.ArtifactWorkflow,
  verifyDatabaseUrl: Inputs.VerifyDatabaseUrl,
  createRoles: Inputs.CreateRoles,
  dataOnly: Inputs.DataOnly
}

/**
 * An engine error as the action's users should read it: one about an option becomes an
 * InputError naming the input ("Input 'database-url': …"); any other error is returned as it is.
 * The front doors (main.ts, cli.ts) pass every error through this once.
 */
export function describeForInputs<T>(
  error: T,
  door: FrontDoor = 'action',
  /** The run's mode: verify connects to its scratch database, verify-database-url's. */
  mode?: string
): T | InputError {
  return describedForDoor(withServerHint(error), door, mode)
}

function describedForDoor<T>(error: T, door: FrontDoor, mode?: string): T | InputError {
  if (error instanceof InputError) {
    if (error.door === door) return error
    return new InputError(error.input, error.detail, { cause: error.cause }, door)
  }
  if (!(error instanceof EngineError) || !error.option) return error
  // verify runs the restore's engine on its scratch database: a connection's error there is
  // verify-database-url's (trial u30 F1: it named database-url, which the step did not set);
  // the one about the backed-up database itself is backedUpDatabaseUrl's (database-url)
  const option =
    mode === 'verify' && error.option === 'databaseUrl' ? 'verifyDatabaseUrl' : error.option
  return new InputError(INPUT_OF[option], error.message, { cause: error }, door)
}

/**
 * The notice for ORM-only parameters left out of a URL (connection.ts: ORM_ONLY_PARAMS), one
 * line naming them all, with what to use instead where there is something; undefined when none.
 */
/**
 * Words every log of the action is full of (program paths, its own wording): a password that is
 * one of them, or part of one, is masked there too, garbling the log.
 */
const LOG_WORDS = [
  '/usr/lib/postgresql/',
  'pg_dump',
  'pg_dumpall',
  'pg_restore',
  'psql',
  'database',
  'backup',
  'restore',
  'verify',
  'scratch',
  'manifest',
  'public',
  'table',
  'rows',
  'localhost',
  'password'
]

/**
 * The warning for a URL whose password is the user's name, the database's (or part of either), or
 * a word the log is full of (postgres:postgres, as a services: container is often set up): the password is a
 * secret, masked wherever it appears, so the log shows *** for every such word. The message never
 * holds the password.
 */
export function maskedWordWarning(
  input: Inputs,
  connection: { user?: string; password?: string; database: string },
  door: FrontDoor = 'action'
): string | undefined {
  const password = connection.password
  if (!password) return undefined
  const lower = password.toLowerCase()
  const reason =
    password === connection.user
      ? "is the user's name"
      : password === connection.database
        ? "is the database's name"
        : // a short one inside the role's or the database's name: the SQL the refusals give to
          // copy then names the role as app_*** (trial u45 F8: password rw, role app_rw); said
          // before the common words, as the likelier cause (attacker a73 F10)
          connection.user?.includes(password)
          ? "is part of the user's name"
          : connection.database.includes(password)
            ? "is part of the database's name"
            : LOG_WORDS.some(word => word.includes(lower))
              ? 'is a word the log is full of'
              : undefined
  if (!reason) return undefined
  return `${inputLabel(input, door)}: its password ${reason}. A password is masked wherever it appears, so the ${door === 'cli' ? 'output' : 'log'} shows *** in place of that word everywhere (program paths, table names, messages). Give the database a password that is no ordinary word${door === 'cli' ? '' : " (for a services: container, its POSTGRES_PASSWORD and the URL's password)"} to keep the ${door === 'cli' ? 'output' : 'log'} readable.`
}

/**
 * The notice for a URL that names no database: libpq (and so psql, pg_dump and the action) then
 * uses the database named like the user, which is rarely the application's.
 */
export function defaultDatabaseNotice(
  input: Inputs,
  connection: { database: string; databaseDefaulted?: boolean; keywordValue?: boolean },
  door: FrontDoor = 'action'
): string | undefined {
  if (!connection.databaseDefaulted) return undefined
  return `${inputLabel(input, door)} names no database, so — as psql and pg_dump do — the database named after the user is used: '${connection.database}'. If the application's data is elsewhere, ${connection.keywordValue ? 'add dbname=<database name>' : 'end the URL with /<database name>'}.`
}

export function droppedParametersNotice(
  input: Inputs,
  dropped: Record<string, string>,
  door: FrontDoor = 'action',
  mode?: Mode
): string | undefined {
  // a backup through pgbouncer=true fails with its own error (diagnostics.ts): not a notice too
  const fails =
    mode === 'backup' && dropped.pgbouncer !== undefined && dropped.pgbouncer !== 'false'
  const names = Object.keys(dropped).filter(name => !(fails && name === 'pgbouncer'))
  if (names.length === 0) return undefined
  const hints: string[] = []
  if (dropped.schema !== undefined) {
    hints.push(
      `schema=… sets the app's search_path and does not choose what is backed up: to back up only that schema, ${door === 'cli' ? `give --${Inputs.Schemas} ${shellWord(restoreNamesValue([dropped.schema]))}` : `set the '${Inputs.Schemas}' input (schemas: ${restoreNamesValue([dropped.schema])})`}`
    )
  }
  if (names.includes('pgbouncer') && dropped.pgbouncer !== 'false') {
    hints.push(
      'pgbouncer=true says the URL goes through PgBouncer in transaction mode, which pg_dump cannot use: give the direct URL (Prisma: directUrl / DIRECT_URL) or a session-mode pool'
    )
  }
  return `${inputLabel(input, door)}: left out ${names.join(', ')} — ${names.length === 1 ? 'a parameter' : 'parameters'} of ORMs or drivers (Prisma, node-postgres …) that libpq does not know and that change nothing for pg_dump.${hints.length > 0 ? ` Note: ${hints.join('; ')}.` : ''}`
}

/** Reads one input as the runner passes it (INPUT_<NAME>), trimmed. */
export type InputReader = (name: Inputs) => string

export const readActionInput: InputReader = name => core.getInput(name)

/**
 * heartbeat-url (read by the front door before the other inputs, so that a run whose other
 * inputs are bad still pings its failure): undefined when empty, else an http(s) URL.
 */
export function getHeartbeatUrl(read: InputReader = readActionInput): URL | undefined {
  return asInput(Inputs.HeartbeatUrl, () => parseHeartbeatUrl(read(Inputs.HeartbeatUrl)))
}

/**
 * pg_dump options that would change where it connects, where it writes or which
 * format it writes: the action owns those, so `pg-dump-args` may not set them.
 */
const RESERVED_PG_DUMP_OPTIONS: Record<string, string> = {
  '-h': 'the host comes from database-url',
  '--host': 'the host comes from database-url',
  '-p': 'the port comes from database-url',
  '--port': 'the port comes from database-url',
  '-U': 'the user comes from database-url',
  '--username': 'the user comes from database-url',
  '-d': 'the database comes from database-url',
  '--dbname': 'the database comes from database-url',
  '-w': 'the password comes from database-url',
  '--no-password': 'the password comes from database-url',
  '-W': 'the password comes from database-url',
  '--password': 'the password comes from database-url',
  '-f': 'the action writes the output file itself',
  '--file': 'the action writes the output file itself',
  '-F': "use the 'format' input",
  '--format': "use the 'format' input",
  '-Z': "use the 'compression' and 'compression-level' inputs",
  '--compress': "use the 'compression' and 'compression-level' inputs",
  '-j': "use the 'jobs' input",
  '--jobs': "use the 'jobs' input",
  '--snapshot': 'the action exports its own snapshot so that row counts match the dump',
  '-t': "use the 'tables' input",
  '--table': "use the 'tables' input",
  '-T': "use the 'exclude-tables' input",
  '--exclude-table': "use the 'exclude-tables' input",
  '-n': "use the 'schemas' input",
  '--schema': "use the 'schemas' input",
  '-N': "use the 'exclude-schemas' input",
  '--exclude-schema': "use the 'exclude-schemas' input",
  '--exclude-table-data': "use the 'exclude-table-data' input",
  '-V': 'not a dump option',
  '--version': 'not a dump option',
  '-?': 'not a dump option',
  '--help': 'not a dump option',
  '--': 'what follows it is taken for the database name, which comes from database-url'
}

/**
 * Splits a list input: one item per line or comma-separated; blanks dropped. A comma inside
 * double quotes belongs to the name (`public."logs, archived"` is one item, as in pg_dump's
 * patterns); a line ends an item even inside an unclosed quote.
 */
export function parseList(value: string): string[] {
  const items: string[] = []
  let item = ''
  let quoted = false
  for (const ch of value) {
    if (ch === '"') quoted = !quoted
    if (ch === '\n' || (ch === ',' && !quoted)) {
      items.push(item)
      item = ''
      quoted = false
    } else {
      item += ch
    }
  }
  items.push(item)
  return items.map(i => i.trim()).filter(i => i.length > 0)
}

/**
 * Splits a list of names or pg_dump patterns (tables, schemas, exclude-*): one item per line or
 * comma-separated, blanks dropped, each item trimmed. Inside double quotes a comma or a new line
 * belongs to the name (`public."logs, archived"`, `"a<newline>b"`), and `""` is a quote in it, as
 * psql and pg_dump write names; a quote left open is refused, naming the input.
 */
export function parseNameList(input: Inputs, value: string): string[] {
  const items: string[] = []
  let item = ''
  let quoted = false
  for (const ch of value) {
    if (ch === '"') quoted = !quoted
    if (!quoted && (ch === '\n' || ch === ',')) {
      items.push(item)
      item = ''
    } else {
      item += ch
    }
  }
  if (quoted) {
    throw new InputError(
      input,
      `a double quote is not closed in '${item.trim()}': a quoted name ends with another " (write a quote that is part of the name as ""), e.g. "My Table", public."x, y".`
    )
  }
  items.push(item)
  return items.map(i => i.trim()).filter(i => i.length > 0)
}

/**
 * A name of restore's `tables` or `schemas` as its parts (`schema.table`: two). Without double
 * quotes the item is one exact name, as pg_restore --table / --schema takes it (no case folding,
 * a dot is part of it). With them it is read as SQL writes a name: `"a "`, `"My Table"`,
 * `public."x, y"`, `"we""ird"` — each part quoted whole (`""` a quote in it) or an unquoted word
 * kept exactly as written, parts separated by dots outside quotes.
 */
export function restoreNameParts(input: Inputs, item: string): string[] {
  if (!item.includes('"')) return [item]
  const parts: string[] = []
  const bad = (why: string): InputError =>
    new InputError(
      input,
      `'${item}' ${why}; write a name that needs quotes whole in double quotes, as SQL writes it ("My Table", public."x, y", "we""ird"), or give it without quotes as it is spelt.`
    )
  const chars = [...item]
  let i = 0
  for (;;) {
    while (i < chars.length && /\s/.test(chars[i])) i++
    let part = ''
    if (chars[i] === '"') {
      i++
      for (;;) {
        if (i >= chars.length) throw bad('has a double quote that is not closed')
        if (chars[i] === '"') {
          if (chars[i + 1] === '"') {
            part += '"'
            i += 2
            continue
          }
          i++
          break
        }
        part += chars[i++]
      }
      if (part === '') throw bad('has an empty quoted name ("")')
      while (i < chars.length && /\s/.test(chars[i])) i++
      if (i < chars.length && chars[i] !== '.') throw bad('has text right after a quoted name')
    } else {
      while (i < chars.length && chars[i] !== '.') {
        if (chars[i] === '"') throw bad('has a double quote inside an unquoted name')
        part += chars[i++]
      }
      part = part.trim()
      if (part === '') throw bad('has an empty part')
    }
    parts.push(part)
    if (i >= chars.length) return parts
    i++ // the dot
  }
}

export function parseBoolean(name: Inputs, value: string, fallback: boolean): boolean {
  const v = value.trim().toLowerCase()
  if (v === '') return fallback
  if (['true', 'yes', '1', 'on'].includes(v)) return true
  if (['false', 'no', '0', 'off'].includes(v)) return false
  throw new InputError(name, `'${value}' is not a boolean; use true or false.`)
}

/** true/false (force), or 'auto' (empty: the fallback): for no-owner and no-privileges. */
export function parseBooleanOrAuto(name: Inputs, value: string): boolean | 'auto' {
  const v = value.trim().toLowerCase()
  if (v === '' || v === 'auto') return 'auto'
  if (['true', 'yes', '1', 'on'].includes(v)) return true
  if (['false', 'no', '0', 'off'].includes(v)) return false
  throw new InputError(name, `'${value}' is not one of auto, true or false.`)
}

export function parseWholeNumber(
  name: Inputs,
  value: string,
  fallback: number,
  range: { min: number; max?: number }
): number {
  const v = value.trim()
  if (v === '') return fallback
  if (!/^\d+$/.test(v)) {
    throw new InputError(name, `'${value}' is not a whole number; ${describeRange(range)}.`)
  }
  const n = Number(v)
  if (n < range.min || (range.max !== undefined && n > range.max)) {
    throw new InputError(name, `${n} is out of range; ${describeRange(range)}.`)
  }
  return n
}

function describeRange(range: { min: number; max?: number }): string {
  return range.max === undefined
    ? `give a whole number of at least ${range.min}`
    : `give a whole number from ${range.min} to ${range.max}`
}

function parseChoice<T extends string>(
  name: Inputs,
  value: string,
  choices: readonly T[],
  fallback: T
): T {
  const v = value.trim().toLowerCase()
  if (v === '') return fallback
  if ((choices as readonly string[]).includes(v)) return v as T
  throw new InputError(name, `'${value}' is not one of: ${choices.join(', ')}.`)
}

/** Splits `pg-dump-args` like a shell would (quotes, escapes) but never runs a shell. */
export function parsePgDumpArgs(value: string): string[] {
  const args = parseArgsStringToArgv(value)
  for (const arg of args) {
    if (!arg.startsWith('-') || arg === '-') {
      throw new InputError(
        Inputs.PgDumpArgs,
        `'${arg}' is not an option; pg-dump-args takes options only (the database comes from database-url). Use --option=value for options with values.`
      )
    }
    const option = reservedOptionName(arg)
    if (option) {
      const given = arg.split('=')[0]
      throw new InputError(
        Inputs.PgDumpArgs,
        `'${option}'${given !== option && arg.startsWith('--') ? ` (given as '${given}', which pg_dump reads as ${option} or as ambiguous)` : ''} cannot be passed to pg_dump here: ${RESERVED_PG_DUMP_OPTIONS[option]}.`
      )
    }
  }
  return args
}

/**
 * The reserved option `arg` sets, as pg_dump's getopt_long reads it: a long option may be given
 * by any prefix of its name (--t=x is --table=x, --hos is --host), which pg_dump takes for that
 * option when it is the only one with that prefix and refuses as ambiguous otherwise; so any
 * prefix of a reserved name is refused (no option of pg_dump that is not reserved is itself a
 * prefix of a reserved one). A bare `--` ends the options: what follows is the database name.
 */
function reservedOptionName(arg: string): string | undefined {
  if (arg.startsWith('--')) {
    const name = arg.split('=')[0]
    if (name === '--') return '--'
    return Object.keys(RESERVED_PG_DUMP_OPTIONS).find(
      reserved => reserved.startsWith('--') && reserved.startsWith(name)
    )
  }
  // short options may be bundled (-vh host): check every letter up to one that takes a value
  for (const letter of arg.slice(1)) {
    const option = `-${letter}`
    if (option in RESERVED_PG_DUMP_OPTIONS) return option
  }
  return undefined
}

export function parseMode(value: string): Mode {
  return parseChoice(Inputs.Mode, value, MODES, 'backup')
}

export function getInputs(read: InputReader = readActionInput): ActionInputs {
  const mode = parseMode(read(Inputs.Mode))
  if (mode === 'check') return getCheckInputs(read)
  if (mode === 'verify') {
    const scratch = read(Inputs.VerifyDatabaseUrl).trim()
    if (scratch === '') {
      throw new InputError(
        Inputs.VerifyDatabaseUrl,
        'is required in verify mode: the URL of a scratch database the backup is restored into (e.g. a `services: postgres` container in the same job). Never your production database.'
      )
    }
    const production = read(Inputs.DatabaseUrl).trim()
    if (production !== '' && production === scratch) {
      throw new InputError(
        Inputs.VerifyDatabaseUrl,
        'is the same as database-url; verify restores into a scratch database, never into the one backed up.'
      )
    }
    const maxAge = read(Inputs.MaxAge).trim()
    return {
      ...getRestoreInputs(read, scratch),
      mode: 'verify',
      maxAgeSeconds:
        maxAge === '' ? undefined : asInput(Inputs.MaxAge, () => parseDuration(maxAge)),
      ...(production !== '' ? { backedUpDatabaseUrl: production } : {})
    }
  }
  const databaseUrl = read(Inputs.DatabaseUrl).trim()
  if (databaseUrl === '') {
    throw new InputError(
      Inputs.DatabaseUrl,
      'is required (it is empty). Store the connection URL (postgresql://user:password@host:5432/dbname) as a repository secret and pass it with `database-url: ${{ secrets.DATABASE_URL }}`. A secret that does not exist — a name spelled otherwise than in Settings → Secrets and variables → Actions, or an environment secret in a job without that `environment:`, or a workflow run from a fork — reads as empty, with no error of its own.'
    )
  }
  if (mode === 'restore') {
    return getRestoreInputs(read, databaseUrl)
  }
  return getBackupInputs(read, databaseUrl)
}

function getBackupInputs(read: InputReader, databaseUrl: string): BackupOptions {
  const artifactName = read(Inputs.ArtifactName).trim() || 'database-backup'
  validateArtifactName(artifactName)
  const given = read(Inputs.Format)
  const format = parseChoice(
    Inputs.Format,
    FORMAT_LETTERS[given.trim().toLowerCase()] ?? given,
    FORMATS,
    'custom'
  )
  const compression = parseChoice(
    Inputs.Compression,
    read(Inputs.Compression),
    COMPRESSIONS,
    'zstd'
  )
  const levels = COMPRESSION_LEVELS[compression]
  const levelInput = read(Inputs.CompressionLevel)
  if (compression === 'none' && levelInput.trim() !== '') {
    throw new InputError(
      Inputs.CompressionLevel,
      "has no meaning with 'compression: none'; remove it or choose zstd or gzip."
    )
  }
  const compressionLevel = parseWholeNumber(Inputs.CompressionLevel, levelInput, levels.default, {
    min: levels.min,
    max: levels.max
  })
  const jobs = parseWholeNumber(Inputs.Jobs, read(Inputs.Jobs), 1, { min: 1, max: 64 })
  if (jobs > 1 && format !== 'directory') {
    throw new InputError(
      Inputs.Jobs,
      `parallel dumps need 'format: directory' (pg_dump --jobs works only with it); got format '${format}'.`
    )
  }
  return {
    mode: 'backup',
    databaseUrl,
    artifactName,
    retentionDays: parseWholeNumber(Inputs.RetentionDays, read(Inputs.RetentionDays), 30, {
      min: 1,
      max: MAX_RETENTION_DAYS
    }),
    format,
    compression,
    compressionLevel,
    filters: {
      tables: parseNameList(Inputs.Tables, read(Inputs.Tables)),
      excludeTables: parseNameList(Inputs.ExcludeTables, read(Inputs.ExcludeTables)),
      excludeTableData: parseNameList(Inputs.ExcludeTableData, read(Inputs.ExcludeTableData)),
      schemas: parseNameList(Inputs.Schemas, read(Inputs.Schemas)),
      excludeSchemas: parseNameList(Inputs.ExcludeSchemas, read(Inputs.ExcludeSchemas))
    },
    pgDumpArgs: parsePgDumpArgs(read(Inputs.PgDumpArgs)),
    overwrite: parseBoolean(Inputs.Overwrite, read(Inputs.Overwrite), false),
    rowCounts: parseChoice(Inputs.RowCounts, read(Inputs.RowCounts), ROW_COUNT_METHODS, 'exact'),
    jobs,
    ...parseClientInputs(read),
    encryption: parseEncryption(read),
    ...parseSigningKey(read),
    allowUnencryptedPublic: parseBoolean(
      Inputs.AllowUnencryptedPublic,
      read(Inputs.AllowUnencryptedPublic),
      false
    ),
    ...parseBackupDestinations(read),
    globals: parseBoolean(Inputs.Globals, read(Inputs.Globals), false),
    changes: parseChangeInputs(read)
  }
}

/**
 * The comparison with the previous backup of the same name: needs the repository and a token
 * that may read its artifacts (github-token, default the workflow's own); without them, none.
 */
function parseChangeInputs(read: InputReader): BackupOptions['changes'] {
  const rowLossPercent = parseWholeNumber(
    Inputs.RowLossThreshold,
    read(Inputs.RowLossThreshold),
    50,
    { min: 0, max: 100 }
  )
  const failOnRowLoss = parseBoolean(Inputs.FailOnRowLoss, read(Inputs.FailOnRowLoss), false)
  const repository = read(Inputs.Repository).trim() || process.env.GITHUB_REPOSITORY || ''
  const token = read(Inputs.GithubToken).trim()
  if (token === '' || !/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repository)) {
    if (failOnRowLoss) {
      throw new InputError(
        Inputs.FailOnRowLoss,
        "needs the previous backup, found through GitHub's API: keep github-token (default ${{ github.token }}) and give the workflow permissions: actions: read."
      )
    }
    return undefined
  }
  return { repository, token, rowLossPercent, failOnRowLoss }
}

/** check: the backup to look at (never a local file) and how old it may be (default 26h). */
function getCheckInputs(read: InputReader): CheckOptions {
  const source = parseBackupSource(read)
  if (source.kind === 'file') {
    throw new InputError(
      Inputs.BackupFile,
      "cannot be checked by mode: check, which reads the newest backup's manifest in the artifacts or S3; restore or verify a local file instead."
    )
  }
  const maxAge = read(Inputs.MaxAge).trim() || '26h'
  return {
    mode: 'check',
    source,
    maxAgeSeconds: asInput(Inputs.MaxAge, () => parseDuration(maxAge)),
    ...parseSigningKey(read)
  }
}

/**
 * The backup's filters that pg_dump applies and a restore has no equivalent of here: given on a
 * restore or verify they would be ignored, so they are refused (never an input ignored silently).
 */
const BACKUP_ONLY_FILTERS = [
  Inputs.ExcludeTables,
  Inputs.ExcludeSchemas,
  Inputs.ExcludeTableData
] as const

function refuseBackupOnlyFilters(read: InputReader): void {
  for (const input of BACKUP_ONLY_FILTERS) {
    if (read(input).trim() === '') continue
    throw new InputError(
      input,
      `applies to backups only (pg_dump leaves those objects out when dumping); a restore or verify would ignore it. To restore part of a backup, name what to restore with '${Inputs.Schemas}' or '${Inputs.Tables}' (archive formats); to leave objects out for good, set ${input} on the backup step. Remove it here.`
    )
  }
}

function getRestoreInputs(read: InputReader, databaseUrl: string): RestoreOptions {
  refuseBackupOnlyFilters(read)
  const singleTransaction = parseBoolean(
    Inputs.SingleTransaction,
    read(Inputs.SingleTransaction),
    true
  )
  const jobs = parseWholeNumber(Inputs.Jobs, read(Inputs.Jobs), 1, { min: 1, max: 64 })
  if (jobs > 1 && singleTransaction) {
    throw new InputError(
      Inputs.Jobs,
      `a parallel restore (jobs: ${jobs}) cannot run in one transaction; set 'single-transaction: false' to give up the all-or-nothing restore, or use jobs: 1.`
    )
  }
  const clean = parseBoolean(Inputs.Clean, read(Inputs.Clean), false)
  const dataOnly = parseDataOnly(read, clean)
  return {
    mode: 'restore',
    databaseUrl,
    source: parseBackupSource(read),
    clean,
    allowNonEmpty: parseBoolean(Inputs.AllowNonEmpty, read(Inputs.AllowNonEmpty), false),
    dataOnly,
    cleanDropDependents: parseCleanDropDependents(read, clean),
    noOwner: parseBooleanOrAuto(Inputs.NoOwner, read(Inputs.NoOwner)),
    noPrivileges: parseBooleanOrAuto(Inputs.NoPrivileges, read(Inputs.NoPrivileges)),
    singleTransaction,
    jobs,
    ...parseRestoreSelection(read),
    ...parseClientInputs(read),
    decryption: parseDecryption(read),
    ...parseSigningKey(read),
    createRoles: parseBoolean(Inputs.CreateRoles, read(Inputs.CreateRoles), false)
  }
}

/**
 * restore's `tables` and `schemas` as pg_restore --table / --schema take them: exact names
 * (restoreNameParts). A table named with its schema (`public."x, y"`) is pg_restore's --schema
 * and --table together, which select the tables of those names in those schemas: taken when
 * every table is named in one schema (and `schemas` is empty or that schema), refused otherwise
 * rather than restore more or less than named.
 */
function parseRestoreSelection(read: InputReader): { tables: string[]; schemas: string[] } {
  const schemas = parseNameList(Inputs.Schemas, read(Inputs.Schemas)).map(item => {
    const parts = restoreNameParts(Inputs.Schemas, item)
    if (parts.length !== 1)
      throw new InputError(
        Inputs.Schemas,
        `'${item}' is not one schema's name: quote a name holding a dot whole ("my.schema").`
      )
    return parts[0]
  })
  const named = parseNameList(Inputs.Tables, read(Inputs.Tables)).map(item => {
    const parts = restoreNameParts(Inputs.Tables, item)
    if (parts.length > 2)
      throw new InputError(
        Inputs.Tables,
        `'${item}' has more than a schema and a table name: quote a name holding a dot whole ("my.table").`
      )
    return {
      item,
      schema: parts.length === 2 ? parts[0] : undefined,
      name: parts[parts.length - 1]
    }
  })
  const tables = named.map(t => t.name)
  const qualified = new Set(named.flatMap(t => (t.schema === undefined ? [] : [t.schema])))
  if (qualified.size === 0) return { tables, schemas }
  const [schema] = qualified
  if (
    qualified.size === 1 &&
    named.every(t => t.schema !== undefined) &&
    (schemas.length === 0 || (schemas.length === 1 && schemas[0] === schema))
  )
    return { tables, schemas: [schema] }
  throw new InputError(
    Inputs.Tables,
    `names tables with their schema (${named
      .filter(t => t.schema !== undefined)
      .map(t => t.item)
      .join(
        ', '
      )}) as well as ${qualified.size > 1 ? 'other schemas' : named.some(t => t.schema === undefined) ? 'without one' : `schemas: ${schemas.join(', ')}`}: a restore selects its tables as pg_restore --schema with --table does (each name in every schema given), so name tables of one schema only (all with that schema, or without it and the schema in 'schemas'), and restore those of another schema in a step of its own.`
  )
}

/** signing-key: a secret of at least 32 characters (e.g. openssl rand -hex 32), or none. */
function parseSigningKey(read: InputReader): { signingKey?: string } {
  const key = read(Inputs.SigningKey).trim()
  if (key === '') return {}
  if (key.length < 32 || /\s/.test(key)) {
    throw new InputError(
      Inputs.SigningKey,
      `is ${/\s/.test(key) ? 'not one word' : `${key.length} characters long`}; give a random secret of at least 32 characters without spaces (e.g. the output of 'openssl rand -hex 32'), stored as a repository secret, the same for the backup and the restore.`
    )
  }
  return { signingKey: key }
}

/** Recipients (age1…, one per line or comma-separated) or a passphrase; never both. */
export function parseEncryption(read: InputReader): EncryptionKeys | undefined {
  const given = read(Inputs.EncryptionRecipients)
  const recipients = keyLines(given)
  // set, but only comments: a backup meant to be encrypted would go out in the clear (trial u37
  // F1: the key file's "# public key: age1…" line pasted whole); age -R says "no recipients"
  if (recipients.length === 0 && given.trim() !== '') {
    const key = /age1[0-9a-z]+/.exec(given)?.[0]
    throw new InputError(
      Inputs.EncryptionRecipients,
      `holds no age public key: only comment lines (starting with #), which are ignored as in an age recipients file. ${key ? `Give the key without the comment before it: '${key.slice(0, 12)}…' on a line of its own (age-keygen's key file writes it after '# public key: ').` : 'Give the public keys (age1…), one per line; age-keygen prints the public key of the key it makes.'}`
    )
  }
  const passphrase = read(Inputs.EncryptionPassphrase)
  if (recipients.length > 0 && passphrase !== '') {
    throw new InputError(
      Inputs.EncryptionPassphrase,
      "cannot be combined with 'encryption-recipients'; use public keys (recommended) or a passphrase."
    )
  }
  for (const r of recipients) {
    if (isAgeIdentity(r)) {
      throw new InputError(
        Inputs.EncryptionRecipients,
        'holds a secret key (AGE-SECRET-KEY-1…). Give only public keys (age1…); keep the secret key for restores, in a secret of its own.'
      )
    }
    if (!isAgeRecipient(r)) {
      throw new InputError(
        Inputs.EncryptionRecipients,
        `${/^(age1|ssh-|ecdsa-)/i.test(r) ? `'${r.slice(0, 12)}…'` : `a value of ${r.length} characters (not shown: it may be a secret pasted here)`} is not an age public key (age1…). Create one with 'age-keygen -o key.txt'; its public key is printed and written in the file.`
      )
    }
  }
  if (recipients.length > 0) return { kind: 'recipients', recipients }
  if (passphrase !== '') {
    if (passphrase.length < 12) {
      throw new InputError(
        Inputs.EncryptionPassphrase,
        'is shorter than 12 characters; an offline attacker could guess it. Use a long random passphrase, or public keys (encryption-recipients).'
      )
    }
    return { kind: 'passphrase', passphrase }
  }
  return undefined
}

/**
 * The keys of an age key or recipients file as an input holds them: a line starting with # is a
 * comment (whole: a comma in it separates nothing), others hold one key or several separated by
 * commas.
 */
export function keyLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map(line => line.trim())
    .filter(line => line !== '' && !line.startsWith('#'))
    .flatMap(line => parseList(line))
    .map(key => key.trim())
    .filter(key => key !== '')
}

/** Identities (AGE-SECRET-KEY-1…, as in an age key file; # comments ignored) and/or the passphrase. */
export function parseDecryption(read: InputReader): DecryptionKeys {
  const given = read(Inputs.DecryptionIdentity)
  const identities = keyLines(given)
  if (identities.length === 0 && given.trim() !== '') {
    throw new InputError(
      Inputs.DecryptionIdentity,
      'holds no age secret key: only comment lines (starting with #). Give the whole key file made by age-keygen: its AGE-SECRET-KEY-1… line with the comments.'
    )
  }
  for (const identity of identities) {
    if (!isAgeIdentity(identity)) {
      throw new InputError(
        Inputs.DecryptionIdentity,
        'is not an age secret key (AGE-SECRET-KEY-1…): give the contents of the key file made by age-keygen.'
      )
    }
  }
  const passphrase = read(Inputs.EncryptionPassphrase)
  return { identities, passphrases: passphrase === '' ? [] : [passphrase] }
}

function parseS3Settings(read: InputReader): S3Settings {
  const endpoint = read(Inputs.S3Endpoint).trim()
  if (endpoint !== '' && !/^https?:\/\/[^\s/]+/.test(endpoint)) {
    throw new InputError(
      Inputs.S3Endpoint,
      `'${endpoint}' is not an http(s) URL, e.g. https://<account>.r2.cloudflarestorage.com.`
    )
  }
  const region = read(Inputs.S3Region).trim()
  return {
    endpoint: endpoint || undefined,
    forcePathStyle: read(Inputs.S3ForcePathStyle).trim()
      ? parseBoolean(Inputs.S3ForcePathStyle, read(Inputs.S3ForcePathStyle), false)
      : undefined,
    region: region || undefined
  }
}

function parseS3Location(name: Inputs, value: string): { bucket: string; prefix: string } {
  return asInput(name, () => parseS3Uri(value))
}

/** Runs a parser of a value that throws a SettingError naming no option, for the input `name`. */
function asInput<T>(name: Inputs, parse: () => T): T {
  try {
    return parse()
  } catch (error) {
    if (error instanceof EngineError && error.kind === 'setting' && !error.option) {
      throw new InputError(name, error.message, { cause: error })
    }
    throw error
  }
}

function parseBackupDestinations(
  read: InputReader
): Pick<BackupOptions, 's3' | 'artifact' | 'retentionSchedule'> {
  const s3Uri = read(Inputs.S3Uri).trim()
  const s3 =
    s3Uri === '' ? undefined : { ...parseS3Location(Inputs.S3Uri, s3Uri), ...parseS3Settings(read) }
  const artifact = parseBoolean(Inputs.Artifact, read(Inputs.Artifact), true)
  if (!artifact && !s3) {
    throw new InputError(
      Inputs.Artifact,
      "is false and no s3-uri is set: the backup would go nowhere. Set s3-uri, or leave 'artifact' at true."
    )
  }
  const scheduleText = read(Inputs.RetentionSchedule).trim()
  const retentionSchedule: RetentionSchedule | undefined =
    scheduleText === ''
      ? undefined
      : asInput(Inputs.RetentionSchedule, () => parseRetentionSchedule(scheduleText))
  return { s3, artifact, retentionSchedule }
}

function parseBackupSource(read: InputReader): BackupSource {
  const backupUri = read(Inputs.BackupUri).trim()
  const s3Uri = read(Inputs.S3Uri).trim()
  if (
    backupUri !== '' ||
    (s3Uri !== '' &&
      read(Inputs.BackupFile).trim() === '' &&
      read(Inputs.ArtifactId).trim() === '' &&
      read(Inputs.RunId).trim() === '')
  ) {
    // backup-uri: that object; s3-uri alone (no backup-file, artifact-id or run-id): the newest
    // backup under the prefix. `artifact` is a backup setting (where a backup goes as well)
    if (backupUri !== '') {
      const { bucket, prefix } = parseS3Location(Inputs.BackupUri, backupUri)
      const key = prefix.replace(/\/$/, '')
      if (key === '') {
        throw new InputError(
          Inputs.BackupUri,
          `'${backupUri}' names a bucket, not a backup object; give s3://bucket/path/to/file.dump.zst, or s3-uri for the newest backup under a prefix.`
        )
      }
      return { kind: 's3', bucket, key, prefix: '', settings: parseS3Settings(read) }
    }
    const { bucket, prefix } = parseS3Location(Inputs.S3Uri, s3Uri)
    return { kind: 's3', bucket, prefix, settings: parseS3Settings(read) }
  }
  const file = read(Inputs.BackupFile).trim()
  const idText = read(Inputs.ArtifactId).trim()
  const runText = read(Inputs.RunId).trim()
  if (file !== '') {
    const other = idText !== '' ? Inputs.ArtifactId : runText !== '' ? Inputs.RunId : undefined
    if (other) {
      throw new InputError(
        Inputs.BackupFile,
        `cannot be combined with '${other}': restore from either a local file or an artifact.`
      )
    }
    return { kind: 'file', path: file }
  }
  const repository = read(Inputs.Repository).trim() || process.env.GITHUB_REPOSITORY || ''
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repository)) {
    throw new InputError(
      Inputs.Repository,
      `'${repository}' is not owner/name (e.g. octo-org/app); leave it empty for this repository.`
    )
  }
  const token = read(Inputs.GithubToken).trim()
  if (idText !== '') {
    if (runText !== '') {
      throw new InputError(
        Inputs.ArtifactId,
        "cannot be combined with 'run-id': an artifact id names one artifact already."
      )
    }
    if (!/^\d+$/.test(idText)) {
      throw new InputError(
        Inputs.ArtifactId,
        `'${idText}' is not an artifact id (a number, as in the artifact's URL).`
      )
    }
    return { kind: 'artifact-id', id: Number(idText), repository, token }
  }
  const name = read(Inputs.ArtifactName).trim() || 'database-backup'
  validateArtifactName(name)
  let runId: 'latest' | 'current' | number
  if (runText === '' || runText.toLowerCase() === 'latest') runId = 'latest'
  else if (runText.toLowerCase() === 'current') runId = 'current'
  else if (/^\d+$/.test(runText)) runId = Number(runText)
  else {
    throw new InputError(
      Inputs.RunId,
      `'${runText}' is not a workflow run id; give the number from the run's URL, 'current' for this run, or leave it empty for the latest backup.`
    )
  }
  const fromText = read(Inputs.ArtifactFrom).trim().toLowerCase() || 'default-branch'
  if (!(ARTIFACT_FROM as readonly string[]).includes(fromText)) {
    throw new InputError(
      Inputs.ArtifactFrom,
      `'${fromText}' is not one of ${ARTIFACT_FROM.join(', ')}. 'default-branch' (the default) restores only backups made by this repository's own workflows on its default branch (push, schedule, workflow_dispatch); 'any-branch' also other branches; 'any' every run, pull requests from forks included.`
    )
  }
  const workflow = read(Inputs.ArtifactWorkflow).trim().replace(/^\.\//, '')
  if (workflow !== '' && !/^(?:\.github\/workflows\/)?[\w.-]+\.ya?ml$/.test(workflow)) {
    throw new InputError(
      Inputs.ArtifactWorkflow,
      `'${workflow}' is not a workflow file: give its file name (backup.yml) or its path (.github/workflows/backup.yml), as the run's page shows it, or leave it empty.`
    )
  }
  return {
    kind: 'artifact',
    name,
    runId,
    repository,
    token,
    from: fromText as ArtifactFrom,
    ...(workflow !== '' ? { workflow } : {})
  }
}

/** The inputs every mode shares: which PostgreSQL client to use, and how long to wait. */
function parseClientInputs(read: InputReader): ClientOptions {
  const pgBinDir = read(Inputs.PgBinDir).trim()
  return {
    pgBinDir: pgBinDir === '' ? undefined : pgBinDir,
    postgresVersion: parsePostgresVersion(read(Inputs.PostgresVersion)),
    installClient: parseBoolean(Inputs.InstallClient, read(Inputs.InstallClient), true),
    connectTimeoutSeconds: parseWholeNumber(
      Inputs.ConnectTimeout,
      read(Inputs.ConnectTimeout),
      10,
      {
        min: 1,
        max: 600
      }
    ),
    lockTimeoutMs: parseLockTimeout(read(Inputs.LockTimeout))
  }
}

/**
 * `data-only`: load only the backup's rows (pg_restore --data-only) into the target's existing
 * empty tables. Not with clean: clean drops the tables the rows go into.
 */
function parseDataOnly(read: InputReader, clean: boolean): boolean {
  const value = parseBoolean(Inputs.DataOnly, read(Inputs.DataOnly), false)
  if (value && clean)
    throw new InputError(
      Inputs.DataOnly,
      "cannot be combined with 'clean: true': clean drops and recreates the backup's tables, data-only loads rows into the target's own tables as they are. Empty those tables first (TRUNCATE) and restore with data-only alone, or restore with clean alone."
    )
  return value
}

/** `clean-drop-dependents`: only meaningful with clean (an error otherwise: it would do nothing). */
function parseCleanDropDependents(read: InputReader, clean: boolean): boolean {
  const value = parseBoolean(Inputs.CleanDropDependents, read(Inputs.CleanDropDependents), false)
  if (value && !clean) {
    throw new InputError(
      Inputs.CleanDropDependents,
      "it only applies with 'clean: true' (it lets clean also drop objects outside the backup that depend on the backup's objects); set clean: true too, or remove it."
    )
  }
  return value
}

/** Time units PostgreSQL accepts in a time setting such as lock_timeout (guc.c), in ms. */
const GUC_TIME_UNITS: Record<string, number> = {
  us: 0.001,
  ms: 1,
  s: 1000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000
}

/**
 * `lock-timeout` as PostgreSQL's lock_timeout setting reads it: a number with an optional unit
 * (us, ms, s, min, h, d; no unit = milliseconds), e.g. `30s`, `2min`, `1500`; `0` waits forever.
 * Returns whole milliseconds (default 30 s).
 */
export function parseLockTimeout(value: string): number {
  const v = value.trim()
  if (v === '') return 30_000
  const m = /^(\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?$/.exec(v)
  const ms = m ? Math.round(Number(m[1]) * GUC_TIME_UNITS[m[2] ?? 'ms']) : NaN
  if (!m || !Number.isFinite(ms) || ms > 2_147_483_647 || (ms === 0 && Number(m[1]) !== 0)) {
    throw new InputError(
      Inputs.LockTimeout,
      `'${value}' is not a time PostgreSQL's lock_timeout accepts; use a number with a unit (ms, s, min, h, d), e.g. 30s or 2min, or 0 to wait forever (at most 24 days).`
    )
  }
  return ms
}

export function parsePostgresVersion(value: string): number | undefined {
  const v = value.trim().toLowerCase()
  if (v === '' || v === 'auto') return undefined
  const major = /^(\d+)(?:\.\d+)*$/.exec(v)
  if (!major || Number(major[1]) < 10) {
    throw new InputError(
      Inputs.PostgresVersion,
      `'${value}' is not a PostgreSQL major version; use auto or a major such as 16.`
    )
  }
  return Number(major[1])
}

/**
 * The longest retention any repository can be set to keep artifacts (GitHub: up to 90 days for
 * public repositories, 400 for private ones and organizations); the client caps a longer one at
 * the repository's own maximum.
 */
export const MAX_RETENTION_DAYS = 400

/**
 * The artifact's file (`<name>.zip`, see artifactZipName) is written on the runner's disk, whose
 * file names hold at most 255 bytes (NAME_MAX on Linux, macOS and NTFS alike).
 */
const MAX_FILE_NAME_BYTES = 255

/** The characters GitHub refuses in artifact names (same list as @actions/artifact). */
const FORBIDDEN_NAME_CHARACTERS = ['"', ':', '<', '>', '|', '*', '?', '\r', '\n', '\\', '/']

function validateArtifactName(name: string): void {
  const file = /\.zip$/i.test(name) ? name : `${name}.zip`
  const bytes = Buffer.byteLength(file, 'utf8')
  if (bytes > MAX_FILE_NAME_BYTES) {
    throw new InputError(
      Inputs.ArtifactName,
      `is ${[...name].length} characters long: its file '<name>.zip' would take ${bytes} bytes, and a file name holds at most ${MAX_FILE_NAME_BYTES}; give a shorter name (at most ${MAX_FILE_NAME_BYTES - 4} bytes, e.g. 251 ASCII characters).`
    )
  }
  const bad = FORBIDDEN_NAME_CHARACTERS.filter(c => name.includes(c))
  if (bad.length > 0) {
    throw new InputError(
      Inputs.ArtifactName,
      `'${name}' contains ${bad.map(c => JSON.stringify(c)).join(' ')}, which artifact names cannot contain.`
    )
  }
}
