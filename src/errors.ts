/**
 * One error base for the engine. Every error the engine throws on purpose is an EngineError: it
 * says what went wrong and what to do, and carries
 *  - a kind, which the front doors map to an outcome (the CLI's exit code: EXIT_CODES), and
 *  - for a setting that cannot work, the option it is about (the engine's field name, e.g.
 *    'databaseUrl'); only the front doors turn that into the name users gave it ("Input
 *    'database-url': …", see describeForInputs in inputs.ts).
 */

/**
 * setting: an option cannot work as given (fix the option); check: the backup failed a check
 * (digest, format, row counts — it is damaged or not what it claims); failure: anything else.
 */
export type ErrorKind = 'setting' | 'check' | 'failure'

/** The command line's exit codes: 0 done, 1 failed, 2 bad input, 3 the backup failed a check. */
export const EXIT_CODES = { ok: 0, failure: 1, setting: 2, check: 3 } as const

/** Options an engine error may be about, by the field name of the typed options. */
export type OptionName =
  | 'databaseUrl'
  /** database-url in verify mode: the backed-up database (databaseUrl is the scratch one there). */
  | 'backedUpDatabaseUrl'
  | 'artifactName'
  | 'tables'
  | 'schemas'
  | 'pgBinDir'
  | 'postgresVersion'
  | 'githubToken'
  | 'backupFile'
  | 'encryptionRecipients'
  | 'artifactFrom'
  | 'artifactWorkflow'
  | 'verifyDatabaseUrl'
  | 'createRoles'
  | 'dataOnly'

/**
 * An error's options: its cause. A message has one wording, the action's (inputs, workflows);
 * the command line's is made from it by the front door (inputs.ts: renderForDoor).
 */
export type EngineErrorOptions = ErrorOptions

export class EngineError extends Error {
  constructor(
    message: string,
    readonly kind: ErrorKind = 'failure',
    /** The option to fix, when one setting is the cause. */
    readonly option?: OptionName,
    options?: EngineErrorOptions
  ) {
    super(message, options)
    this.name = 'EngineError'
  }
}

/** An option that cannot work as given; the message says why and what to give instead. */
export class SettingError extends EngineError {
  constructor(option: OptionName | undefined, message: string, options?: EngineErrorOptions) {
    super(message, 'setting', option, options)
    this.name = 'SettingError'
  }
}

/** A value that cannot be used (an S3 URI, a schedule); the caller says which option holds it. */
export class ValueError extends SettingError {
  constructor(message: string) {
    super(undefined, message)
    this.name = 'ValueError'
  }
}

/** The backup failed a check: it is damaged, truncated, or not what its manifest says. */
export class CheckError extends EngineError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'check', undefined, options)
    this.name = 'CheckError'
  }
}

/** The exit code for an error: by its kind, 1 for anything that is not an EngineError. */
export function exitCodeFor(error: unknown): number {
  return error instanceof EngineError ? EXIT_CODES[error.kind] : EXIT_CODES.failure
}

/**
 * `text` as a sentence: a full stop added when it ends without one (an error's message joined
 * before another sentence: "unexpected end of file. Nothing was restored.").
 */
export function sentence(text: string): string {
  const t = text.trimEnd()
  return /[.!?]$/.test(t) ? t : `${t}.`
}

/**
 * PostgreSQL's HINT of the server error under `error` (itself or a cause: node-pg's
 * DatabaseError carries it apart from its message), when its message does not already hold it.
 */
export function serverHint(error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : ''
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 8; depth++) {
    const hint = (e as { hint?: unknown }).hint
    if (typeof hint === 'string' && hint.trim() !== '' && !message.includes(hint.trim()))
      return hint.trim()
    e = e.cause
  }
  return undefined
}

/**
 * The error with the server's HINT kept (the front doors pass every error through it once): an
 * error the action words itself from a server error must not lose PostgreSQL's own advice.
 */
export function withServerHint<T>(error: T): T {
  const hint = serverHint(error)
  if (hint !== undefined && error instanceof Error)
    error.message = `${error.message.replace(/\s+$/, '')} PostgreSQL's HINT: ${hint}`
  return error
}
