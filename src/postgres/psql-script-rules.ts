/**
 * Pure rules over the psql lexer's events (psql-lexer.ts): what a restore refuses before anything
 * runs, and what kind of statement each is (for the skip rules of a restore into a managed target).
 *
 * A backup is data, never code: psql runs backslash meta-commands on the machine that restores
 * (\! runs a shell, \o |cmd and \copy … program run programs, backquotes in arguments run
 * shells), so a script may hold only what pg_dump writes: SQL, COPY data, \restrict KEY and
 * \unrestrict KEY, and \connect (pg_dump -C, pg_dumpall: reported as its own code, the caller
 * decides). Also refused: COPY … PROGRAM (a program on the server), psql variable references psql
 * would replace, statements psql and the server would read differently ("\;", several statements
 * in one query, COPY data counted differently), calls of the server's file functions (lo_export,
 * pg_read_file, pg_ls_dir, …) in a statement that runs them, calls of functions that act outside the
 * restore's one transaction (dblink's own connections, pg_terminate_backend, pg_reload_conf, …),
 * settings that change how psql lexes in a way the
 * lexer cannot follow, and transaction control that ends the restore's one transaction (pg_dump's
 * own "BEGIN;" and "COMMIT;" around large objects are marked droppable).
 */
import type {
  MetaCommandEvent,
  PsqlScriptEvent,
  SqlToken,
  StatementEvent,
  StatementPart
} from './psql-lexer.js'
import { canonicalEncoding, isByteSafeEncoding } from './psql-lexer.js'
import { blockCommentEnd, redactSql } from './sql-redact.js'
import { dollarTagEnd, stringConstantAt } from './sql-string.js'

export type RefusalCode =
  /** A meta-command pg_dump never writes. */
  | 'meta-command'
  /** \connect / \c: pg_dump -C and pg_dumpall write it; the caller decides. */
  | 'connect'
  /** COPY … TO/FROM PROGRAM. */
  | 'copy-program'
  /** COPY … TO/FROM 'file' (a file on the database server). */
  | 'copy-file'
  /** A call of a server-side file function (lo_export, pg_read_file, pg_ls_dir, …). */
  | 'file-function'
  /**
   * A call of a function whose effect no rollback of the restore's transaction undoes: a
   * connection of its own (dblink_exec, dblink_connect, …), another session ended or cancelled
   * (pg_terminate_backend), the whole server acted on (pg_reload_conf, pg_promote, a replication
   * slot, statistics reset, …).
   */
  | 'outside-transaction'
  /**
   * A DO block whose code the checks above cannot read as the server will: a string constant
   * whose escapes the server would refuse, a LANGUAGE other than plpgsql, a DO of more than its
   * code and LANGUAGE. Or a query a function runs now from its text argument (query_to_xml(…),
   * ts_stat(…), ts_rewrite(…, …)) given as anything but a string constant the check can read.
   */
  | 'unreadable-code'
  /**
   * ALTER EXTENSION … ADD or … DROP (in a DO block's code too): an object made a member of an
   * extension or taken out of one; pg_dump writes it only with --binary-upgrade (attacker a88 F2).
   */
  | 'extension-member'
  /** A statement of nothing but ";" (psql stops reading after COPY data followed by one). */
  | 'empty-statement'
  /** COPY in binary format (pg_dump never writes it; psql would read binary data to the end). */
  | 'copy-binary'
  /** A COPY whose direction or target the lexer cannot tell. */
  | 'copy-unclear'
  /** psql and the server would disagree on whether COPY data follows. */
  | 'copy-mismatch'
  /** A psql variable psql defines (:USER, :'DBNAME', :{?x} …): psql would replace it. */
  | 'variable'
  /** "\;" or "\:" in SQL. */
  | 'backslash-escape'
  /** One psql query holding several statements (not a CREATE FUNCTION … BEGIN ATOMIC body). */
  | 'joined-statements'
  /** BEGIN, COMMIT, END, ROLLBACK, ABORT, START TRANSACTION, PREPARE TRANSACTION, … PREPARED. */
  | 'transaction-control'
  /** A change of standard_conforming_strings the lexer cannot follow. */
  | 'setting'
  /** A '…\'…' literal that ends elsewhere if standard_conforming_strings changes (strict mode). */
  | 'ambiguous-literal'
  /** A change of client_encoding the lexer cannot follow, or to an encoding it does not model. */
  | 'encoding'
  /** Input the lexer cannot follow (a NUL byte, …). */
  | 'unsupported'
  /** The file is a custom-format archive, not a script. */
  | 'custom-format'

export interface Refusal {
  code: RefusalCode
  /** Where the refused event starts (1-based line, 0-based byte offset). */
  line: number
  offset: number
  /** The command as written (meta-command with its arguments, or the statement's start). */
  command: string
  /** For the log and job summary: line, command, why, and what to do. */
  message: string
  /** For 'transaction-control': which statement. */
  transaction?: TransactionStatement
  /** pg_dump's own "BEGIN;" / "COMMIT;" around large objects: the restore may drop it instead. */
  droppable?: boolean
}

export interface RefusalOptions {
  /** Variables the caller defines for psql (-v NAME=…), besides psql's own. */
  definedVariables?: readonly string[]
  /**
   * Also refuse plain string literals whose end depends on standard_conforming_strings ('a\'…').
   * A script can change that setting where no text shows it (set_config() called by a function it
   * created), and psql follows the server; with this, such a change cannot make psql read the
   * script differently from the lexer. Worth it when the psql in use has no safe \restrict (psql
   * 15.18 runs a `backquote` in \unrestrict's argument even while restricted); pg_dump writes such
   * a literal only for a value ending in a backslash.
   */
  refuseAmbiguousLiterals?: boolean
}

export type TransactionStatement =
  | 'BEGIN'
  | 'START TRANSACTION'
  | 'COMMIT'
  | 'END'
  | 'ROLLBACK'
  | 'ABORT'
  | 'PREPARE TRANSACTION'
  | 'COMMIT PREPARED'
  | 'ROLLBACK PREPARED'
  | 'SAVEPOINT'
  | 'RELEASE'
  | 'ROLLBACK TO'

export interface TransactionControl {
  statement: TransactionStatement
  /** It ends (or cannot run inside) the transaction the restore runs in. */
  endsTransaction: boolean
}

/** Meta-commands pg_dump writes. */
export type MetaCommandKind = 'restrict' | 'unrestrict' | 'connect' | 'other'

export type StatementKind =
  | 'extension'
  | 'schema'
  | 'owner'
  | 'privileges'
  | 'default-privileges'
  | 'policy'
  | 'event-trigger'
  | 'publication'
  | 'set'
  | 'database'
  | 'role'
  | 'copy'
  | 'table'
  | 'large-object'
  | 'transaction'
  | 'savepoint'
  | 'empty'
  | 'other'

export interface StatementClass {
  kind: StatementKind
  /** Leading words, upper-cased. */
  keywords: string[]
  /**
   * extension: its name; set: the parameter (lower-case); owner: the object type (e.g. 'TABLE');
   * transaction/savepoint: the statement; large-object: the function; table: the table name.
   */
  detail?: string
}

const MAX_SHOWN = 100

/** The command as written, one line, control characters escaped, at most MAX_SHOWN characters. */
function shown(text: string): string {
  // eslint-disable-next-line no-control-regex -- escaping control characters is the point
  const one = redactSql(text.slice(0, MAX_SHOWN * 4 + 256)).replace(/[\u0000-\u001f\u007f]/g, c =>
    c === '\n'
      ? '\\n'
      : c === '\r'
        ? '\\r'
        : c === '\t'
          ? '\\t'
          : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`
  )
  return one.length > MAX_SHOWN ? `${one.slice(0, MAX_SHOWN)}…` : one
}

function metaText(e: MetaCommandEvent): string {
  // \set and \setenv: the variable's name, never its value (\setenv PGPASSWORD x, or \set pw x
  // used later as PASSWORD :'pw': attacker a27 A2)
  if (e.name === 'set' || e.name === 'setenv') {
    const name = /^\s*(\S+)/.exec(e.argText)?.[1]
    const valued = name !== undefined && e.argText.trim().length > name.length
    const command = e.argText.includes('`') ? ' (a shell command in backquotes)' : ''
    return shown(`\\${e.name}${name ? ` ${name}` : ''}${valued ? ` …${command}` : ''}`)
  }
  return shown(`\\${e.name}${e.argText}`)
}

/** How pg_dump writes \restrict / \unrestrict: one key of letters and digits, nothing else. */
const KEY = /^[A-Za-z0-9]+$/

/** Which of pg_dump's meta-commands this is, or 'other'. */
export function metaCommandKind(e: MetaCommandEvent): MetaCommandKind {
  if (e.name === 'c' || e.name === 'connect') return 'connect'
  if (e.name !== 'restrict' && e.name !== 'unrestrict') return 'other'
  const plain =
    e.args.length === 1 &&
    KEY.test(e.args[0]) &&
    e.argText.trim() === e.args[0] &&
    !e.backquote &&
    e.variables.length === 0
  if (!plain) return 'other'
  return e.name
}

/** psql's own variables are upper-case (AUTOCOMMIT, DBNAME, USER, LAST_ERROR_MESSAGE, …). */
const PSQL_VARIABLE = /^[A-Z_][A-Z0-9_]*$/

/**
 * Why the restore must refuse this event, or undefined when it may pass. Pure; the caller keeps
 * the order (the first refusal wins: the lexer is exact up to it).
 */
export function refusal(event: PsqlScriptEvent, options: RefusalOptions = {}): Refusal | undefined {
  const at = { line: event.line, offset: event.offset }
  switch (event.kind) {
    case 'metaCommand': {
      const kind = metaCommandKind(event)
      const command = metaText(event)
      if (kind === 'restrict' || kind === 'unrestrict') return undefined
      if (kind === 'connect')
        return {
          code: 'connect',
          ...at,
          command,
          message: `line ${event.line}: "${command}" connects psql to another database; a script that does this was made by pg_dump --create or pg_dumpall, and is restored into the database of database-url only if the restore handles it`
        }
      return {
        code: 'meta-command',
        ...at,
        command,
        message: `line ${event.line}: the psql meta-command "${command}" is not something pg_dump writes, and psql would run it on this machine; the script is refused before anything runs. Restore only scripts made by pg_dump (or remove the line if you trust it)`
      }
    }
    case 'statement':
      return statementRefusal(event, options)
    case 'unsupported':
      return {
        code: 'unsupported',
        ...at,
        command: '',
        message: event.message + '; the script is refused before anything runs'
      }
    case 'halt':
      if (event.reason === 'custom-format-archive')
        return {
          code: 'custom-format',
          ...at,
          command: 'PGDMP',
          message:
            'line 1: this is a pg_dump custom-format archive, not an SQL script; restore it as an archive (pg_restore), not with psql'
        }
      return undefined // \q was refused as a meta-command
    default:
      return undefined
  }
}

function statementRefusal(e: StatementEvent, options: RefusalOptions): Refusal | undefined {
  const at = { line: e.line, offset: e.offset }
  const refuse = (code: RefusalCode, why: string, extra: Partial<Refusal> = {}): Refusal => {
    const command = shown(e.text)
    const outcome = extra.droppable
      ? 'the restore drops it (its own transaction covers what it wrapped)'
      : 'the script is refused before anything runs'
    return {
      code,
      ...at,
      command,
      message: `line ${e.line}: ${why} ("${command}"); ${outcome}`,
      ...extra
    }
  }
  if (/^[\s;]*$/.test(e.text))
    return refuse(
      'empty-statement',
      'an empty statement (";" alone), which pg_dump never writes; after COPY data psql can stop reading the script at one'
    )
  const defined = new Set(options.definedVariables ?? [])
  for (const v of e.variables) {
    if (v.form === 'test' || PSQL_VARIABLE.test(v.name) || defined.has(v.name))
      return {
        ...refuse(
          'variable',
          `psql would replace the variable reference :${v.form === 'literal' ? `'${v.name}'` : v.form === 'identifier' ? `"${v.name}"` : v.form === 'test' ? `{?${v.name}}` : v.name} with its value; pg_dump never writes one`
        ),
        line: v.line,
        offset: v.offset
      }
  }
  if (e.backslashEscapes > 0)
    return refuse(
      'backslash-escape',
      'psql turns "\\;" or "\\:" into ";" or ":" and sends several statements as one query; pg_dump never writes that'
    )
  const atomicBody = e.parts.length > 1 && isAtomicBody(e)
  if (e.parts.length > 1 && !atomicBody)
    return refuse(
      'joined-statements',
      'psql would send several statements as one query (it does not end a statement inside CREATE FUNCTION … BEGIN … END), so they cannot be checked one by one'
    )
  if (e.psqlCopyIn !== undefined && e.psqlCopyIn !== e.serverCopyIn)
    return refuse(
      'copy-mismatch',
      `psql would read ${e.psqlCopyIn} COPY data block(s) after this statement but the server would take ${e.serverCopyIn}`
    )
  for (const part of e.parts) {
    const copy = part.copy
    if (copy) {
      if (copy.target === 'program')
        return refuse(
          'copy-program',
          `COPY … ${copy.direction === 'from' ? 'FROM' : 'TO'} PROGRAM runs a program on the database server; pg_dump never writes it`
        )
      if (copy.target === 'file')
        return refuse(
          'copy-file',
          `COPY … ${copy.direction === 'from' ? 'FROM' : 'TO'} a file reads or writes a file on the database server; pg_dump never writes it`
        )
      if (copy.direction === 'unknown' || copy.target === 'unknown')
        return refuse('copy-unclear', 'a COPY statement whose source or destination cannot be told')
      if (
        copy.binaryHint &&
        copy.direction === 'from' &&
        (copy.target === 'stdin' || copy.target === 'stdout')
      )
        return refuse(
          'copy-binary',
          'COPY … FROM STDIN in binary format; pg_dump writes text COPY data only'
        )
    }
  }
  const code = doBlockCode(e)
  if (code && 'unreadable' in code)
    return refuse(
      'unreadable-code',
      `a DO block runs its code now, and this check cannot read that code as the server will: ${code.unreadable}; pg_dump never writes a DO block (psql by hand would run it). Restore only scripts made by pg_dump (or remove the statement if you trust it), or write its code in PL/pgSQL as one dollar-quoted string ($$…$$)`
    )
  const member = extensionMembership(e)
  if (member)
    return refuse(
      'extension-member',
      `${member} makes an object a member of the extension, or takes one out of it (a member is left out of every later pg_dump of the database); pg_dump never writes it (but with --binary-upgrade, for pg_upgrade) (psql by hand would run it). Restore only scripts made by pg_dump (or remove the statement if you trust it), or run it by hand with psql if you mean it`
    )
  const query = queryArgumentCode(e)
  if (query && 'unreadable' in query)
    return refuse(
      'unreadable-code',
      `${query.call} runs the query given to it as text now, and this check cannot read that query as the server will: ${query.unreadable}; pg_dump never writes a call of it (psql by hand would run it). Restore only scripts made by pg_dump (or remove the statement if you trust it), or write the query as one string constant ('…' or $$…$$)`
    )
  const fileFound = fileFunctionCall(e)
  if (fileFound) {
    const fileCall = fileFound.call
    const where = fileFound.via ? ` (in the query ${fileFound.via} runs now)` : ''
    return refuse(
      'file-function',
      fileCall.endsWith('()')
        ? `${fileCall}${where} reads or writes a file (or lists a directory) on the database server; pg_dump never writes a call of it. Restore only scripts made by pg_dump (or remove the statement if you trust it)`
        : `${fileCall}${where} reads the database server's configuration files (postgresql.conf, pg_hba.conf or pg_ident.conf); pg_dump never writes a query of it. Restore only scripts made by pg_dump (or remove the statement if you trust it)`
    )
  }
  const outside = outsideTransactionCall(e)
  if (outside)
    return refuse(
      'outside-transaction',
      `${outside.call}${outside.via ? ` (in the query ${outside.via} runs now)` : ''} ${OUTSIDE_WHY[outside.kind]}, outside the one transaction the restore runs in: no rollback undoes it, and the restore promises that a failed restore keeps nothing. pg_dump never writes a call of it (psql by hand would run it). Restore only scripts made by pg_dump (or remove the statement if you trust it)${outside.kind === 'connection' ? "; as a superuser dblink connects without a password: restore as the database's owner without superuser, as managed services do" : ''}`
    )
  if (options.refuseAmbiguousLiterals && e.ambiguousLiterals > 0)
    return refuse(
      'ambiguous-literal',
      "a string literal here ends at a different place if standard_conforming_strings is off ('…\\'…': pg_dump --inserts writes it for a value ending in a backslash), which a script can switch without this check seeing it; psql before 17 is refused such a literal (the check's second line of defence, \\restrict, is not safe there), psql 17 and newer read it: restore with 'postgres-version: 17' or newer (with 'install-client: true', the default on a runner) or such a client in 'pg-bin-dir', or make the backup without --inserts / --column-inserts (COPY data needs no quotes)"
    )
  const eff = e.effects
  if (eff?.standardConformingStrings === 'unknown')
    return refuse(
      'setting',
      'this statement changes (or may change) standard_conforming_strings in a way psql follows but this check cannot (RESET ALL, RESET standard_conforming_strings and SET standard_conforming_strings = on, off or DEFAULT it follows). Remove the statement from the script (as the last statement it changes nothing that follows), or write it as SET standard_conforming_strings = on; (or off), then restore again'
    )
  if (eff?.clientEncoding !== undefined) {
    const enc = eff.clientEncoding === 'unknown' ? undefined : canonicalEncoding(eff.clientEncoding)
    if (!enc)
      return refuse(
        'encoding',
        "this statement changes (or may change) client_encoding in a way psql follows but this check cannot (RESET ALL, RESET client_encoding and SET client_encoding = 'UTF8' or another name, or DEFAULT, it follows). Remove the statement from the script (as the last statement it changes nothing that follows), or write it as SET client_encoding = 'UTF8'; (or the file's encoding), then restore again"
      )
    if (!isByteSafeEncoding(enc))
      return refuse(
        'encoding',
        `client_encoding ${enc} is not supported: in it a character can contain the bytes of "\\" or "'"; convert the dump to UTF8`
      )
  }
  // a BEGIN ATOMIC body's parts are not statements of their own (its last part is END)
  for (const part of atomicBody ? e.parts.slice(0, 1) : e.parts) {
    const tx = transactionControl(part)
    if (tx?.endsTransaction) {
      const droppable = isPgDumpTransaction(e, tx.statement)
      return refuse(
        'transaction-control',
        `${tx.statement} would end the transaction the whole restore runs in, so a later error would leave part of the backup committed${droppable ? " (pg_dump's own BEGIN/COMMIT around large objects)" : ''}`,
        { transaction: tx.statement, ...(droppable ? { droppable: true } : {}) }
      )
    }
  }
  return undefined
}

/** pg_dump writes "BEGIN;" and "COMMIT;" alone around large objects. */
function isPgDumpTransaction(e: StatementEvent, statement: TransactionStatement): boolean {
  return (
    (statement === 'BEGIN' || statement === 'COMMIT') &&
    e.parts.length === 1 &&
    e.text === `${statement};`
  )
}

const BODY_STATEMENTS = new Set([
  'SELECT',
  'INSERT',
  'UPDATE',
  'DELETE',
  'MERGE',
  'WITH',
  'VALUES',
  'TABLE',
  'RETURN'
])

function startsBodyStatement(tokens: SqlToken[], from: number): boolean {
  const t = tokens[from]
  if (!t) return false
  if (t.type === 'punct' && t.text === '(') return true
  return t.type === 'ident' && BODY_STATEMENTS.has(t.text.toUpperCase())
}

/**
 * The one legitimate way a psql query holds several statements: CREATE [OR REPLACE] FUNCTION or
 * PROCEDURE with a SQL-standard body, as pg_dump writes it:
 * `CREATE FUNCTION … BEGIN ATOMIC stmt; stmt; … END;` — every part but the last a body statement
 * (SELECT, INSERT, UPDATE, DELETE, MERGE, WITH, VALUES, TABLE, RETURN), the last part END alone.
 * Anything else that psql joins (an identifier named begin, case or end in a CREATE FUNCTION
 * statement) is refused: the server would run the joined statements unchecked.
 */
function isAtomicBody(e: StatementEvent): boolean {
  const parts = e.parts
  const kw = parts[0].keywords
  const routine =
    kw[0] === 'CREATE' &&
    (kw[1] === 'FUNCTION' ||
      kw[1] === 'PROCEDURE' ||
      (kw[1] === 'OR' && kw[2] === 'REPLACE' && (kw[3] === 'FUNCTION' || kw[3] === 'PROCEDURE')))
  if (!routine || parts.some(p => p.tokensTruncated)) return false
  const first = parts[0].tokens
  let atomicAt = -1
  for (let k = 0; k + 1 < first.length; k++) {
    if (isWord(first[k], 'BEGIN') && isWord(first[k + 1], 'ATOMIC')) {
      if (atomicAt >= 0) return false
      atomicAt = k + 2
    }
  }
  if (atomicAt < 0 || !startsBodyStatement(first, atomicAt)) return false
  for (let p = 1; p < parts.length - 1; p++)
    if (!startsBodyStatement(parts[p].tokens, 0)) return false
  const last = parts[parts.length - 1].tokens
  return last.length === 1 && isWord(last[0], 'END')
}

function isWord(t: SqlToken | undefined, word: string): boolean {
  return t !== undefined && t.type === 'ident' && t.text.toUpperCase() === word
}

/**
 * The server's functions that read, write or list files and directories of the database server
 * (core, and adminpack's): a call of one in a script runs as the restoring role, like
 * COPY … TO/FROM a file. pg_dump's own large-object calls (lo_create, lo_open, lowrite, lo_close,
 * lo_unlink) touch no file and are not among them.
 */
const FILE_FUNCTIONS = new Set([
  'lo_import',
  'lo_export',
  'pg_read_file',
  'pg_read_binary_file',
  'pg_stat_file',
  'pg_ls_dir',
  'pg_ls_logdir',
  'pg_ls_waldir',
  'pg_ls_tmpdir',
  'pg_ls_archive_statusdir',
  'pg_ls_replslotdir',
  'pg_ls_summariesdir',
  'pg_ls_logicalmapdir',
  'pg_ls_logicalsnapdir',
  'pg_file_write',
  'pg_file_rename',
  'pg_file_unlink',
  'pg_file_sync',
  'pg_logdir_ls',
  'pg_file_read',
  'pg_file_length',
  // the server's configuration files, read (and the path of its log file)
  'pg_show_all_file_settings',
  'pg_hba_file_rules',
  'pg_ident_file_mappings',
  'pg_current_logfile'
])

/**
 * The system views over the server's configuration files (postgresql.conf and its includes,
 * pg_hba.conf, pg_ident.conf): a query of one copies their lines wherever the statement puts them.
 */
const FILE_VIEWS = new Set(['pg_file_settings', 'pg_hba_file_rules', 'pg_ident_file_mappings'])

/** Text that may name one of FILE_FUNCTIONS (or a U&"…" that may). */
const FILE_FUNCTION_WORDS =
  /lo_import|lo_export|pg_read_|pg_stat_file|pg_ls_|pg_file_|pg_logdir_ls|pg_hba_|pg_ident_|pg_show_all_file|pg_current_logfile|u&/i

/** CREATE … of these defines (a call in it, a default, a check, a body, runs later if ever). */
const DEFINING_CREATE = new Set([
  'FUNCTION',
  'PROCEDURE',
  'AGGREGATE',
  'CAST',
  'OPERATOR',
  'TYPE',
  'TRANSFORM',
  'VIEW',
  'RULE',
  'POLICY',
  'TRIGGER',
  'EVENT',
  'DOMAIN',
  'STATISTICS',
  'CONVERSION',
  'LANGUAGE'
])

/** ALTER … of these names a routine or changes a definition, and runs none. */
const DEFINING_ALTER = new Set([
  'FUNCTION',
  'PROCEDURE',
  'ROUTINE',
  'AGGREGATE',
  'EXTENSION',
  'OPERATOR',
  'POLICY',
  'VIEW'
])

/**
 * The statement only defines or names things (GRANT … ON FUNCTION pg_catalog.pg_read_file(text),
 * which pg_dump writes for a system function's changed privileges; a view or a routine whose body
 * calls one, run later if ever, like a function body in a string): a call in it does not run now.
 */
function definesOnly(part: StatementPart): boolean {
  const k = part.keywords
  const w0 = k[0]
  if (w0 === 'GRANT' || w0 === 'REVOKE' || w0 === 'COMMENT' || w0 === 'SECURITY' || w0 === 'DROP')
    return true
  if (w0 === 'ALTER' && (k[1] === 'TABLE' || k[1] === 'DOMAIN') && !part.tokensTruncated) {
    // pg_dump's separate column default (ALTER TABLE ONLY s.t ALTER COLUMN c SET DEFAULT …) and
    // its NOT VALID checks (ALTER TABLE|DOMAIN … ADD CONSTRAINT … CHECK (…) NOT VALID) run
    // nothing now; a USING (rows converted), an ADD that validates rows or the like may
    const t = part.tokens
    const n = t.length
    if (
      t.some(x => ['USING', 'VALIDATE', 'ATTACH', 'TYPE', 'SPLIT', 'MERGE'].some(w => isWord(x, w)))
    )
      return false
    const adds = t.filter(x => isWord(x, 'ADD')).length
    if (adds > 0) return adds === 1 && isWord(t[n - 2], 'NOT') && isWord(t[n - 1], 'VALID')
    return t.some((x, j) => isWord(x, 'SET') && isWord(t[j + 1], 'DEFAULT'))
  }
  if (w0 === 'ALTER') return DEFINING_ALTER.has(k[1])
  if (w0 !== 'CREATE') return false
  let i = 1
  if (k[1] === 'OR' && k[2] === 'REPLACE') i = 3
  while (
    [
      'TEMP',
      'TEMPORARY',
      'RECURSIVE',
      'UNLOGGED',
      'GLOBAL',
      'LOCAL',
      'TRUSTED',
      'PROCEDURAL',
      'CONSTRAINT',
      'UNIQUE',
      'DEFAULT'
    ].includes(k[i])
  )
    i++
  if (DEFINING_CREATE.has(k[i])) return true
  if (part.tokensTruncated) return false
  const t = part.tokens
  // CREATE TABLE … AS runs its query, a partition's bound (FOR VALUES) is computed now; a
  // table's defaults and checks run later (like a trigger's)
  if (k[i] === 'TABLE')
    return !t.some((x, j) => isWord(x, 'AS') || (isWord(x, 'FOR') && isWord(t[j + 1], 'VALUES')))
  // pg_dump writes a materialized view WITH NO DATA (REFRESH fills it)
  if (k[i] === 'MATERIALIZED' && k[i + 1] === 'VIEW') {
    const n = t.length
    return isWord(t[n - 3], 'WITH') && isWord(t[n - 2], 'NO') && isWord(t[n - 1], 'DATA')
  }
  return false
}

interface CallToken {
  kind: 'word' | 'qword' | 'string' | 'punct'
  /** word: lower case; qword: the name (U&"…" decoded); punct: the character. */
  value: string
  /** U&"…" before its escapes were decoded. */
  unicodeRaw?: string
  /** string: its value as the server reads it (a DO block's code); none when `error`. */
  body?: string
  /** string: why its value cannot be told for sure (an escape the server refuses, …). */
  error?: string
}

/**
 * The server's tokens of a statement as far as a call needs them: names, string literals (and
 * dollar-quoted bodies) skipped whole, comments dropped. `std`: standard_conforming_strings, by
 * which a plain '…' ends (a backslash escapes the quote when off).
 */
function callTokens(text: string, std: boolean): CallToken[] {
  const out: CallToken[] = []
  const n = text.length
  let i = 0
  const isStart = (c: number): boolean =>
    (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c >= 0x80
  const isPart = (c: number): boolean => isStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x24
  /** From just after an opening quote: the index past the closing one (n when none). */
  const stringEnd = (from: number, backslash: boolean): number => {
    let j = from
    while (j < n) {
      const c = text.charCodeAt(j)
      if (backslash && c === 0x5c) j += 2
      else if (c === 0x27) {
        if (text.charCodeAt(j + 1) === 0x27) j += 2
        else return j + 1
      } else j++
    }
    return n
  }
  const quotedIdent = (from: number): [string, number] => {
    let j = from
    let v = ''
    while (j < n) {
      const q = text.indexOf('"', j)
      if (q < 0) return [v + text.slice(j), n]
      v += text.slice(j, q)
      if (text.charCodeAt(q + 1) === 0x22) {
        v += '"'
        j = q + 2
      } else return [v, q + 1]
    }
    return [v, n]
  }
  while (i < n) {
    const c = text.charCodeAt(i)
    const c1 = text.charCodeAt(i + 1)
    if (c === 0x2d && c1 === 0x2d) {
      // to the end of the line, which a CR ends as well as a LF (attacker a86 F4: a call after
      // "-- c\r" in DO code ran, unseen)
      let end = i + 2
      while (end < n && text.charCodeAt(end) !== 0x0a && text.charCodeAt(end) !== 0x0d) end++
      i = end < n ? end + 1 : n
    } else if (c === 0x2f && c1 === 0x2a) {
      i = blockCommentEnd(text, i)
    } else if (
      c === 0x27 ||
      ((c === 0x45 || c === 0x65) && c1 === 0x27) ||
      ((c === 0x55 || c === 0x75) && c1 === 0x26 && text.charCodeAt(i + 2) === 0x27)
    ) {
      // '…', E'…', U&'…' [UESCAPE '…'] (continued on the next lines): the value the server reads
      const k = stringConstantAt(text, i, std)!
      out.push({
        kind: 'string',
        value: k.value ?? '',
        ...(k.value !== undefined ? { body: k.value } : { error: k.error })
      })
      i = k.end
    } else if ((c === 0x4e || c === 0x6e) && c1 === 0x27) {
      i = stringEnd(i + 2, !std) // N'…'
      out.push({ kind: 'string', value: '' })
    } else if ((c === 0x42 || c === 0x62 || c === 0x58 || c === 0x78) && c1 === 0x27) {
      i = stringEnd(i + 2, false) // B'…', X'…'
      out.push({ kind: 'string', value: '' })
    } else if ((c === 0x55 || c === 0x75) && c1 === 0x26 && text.charCodeAt(i + 2) === 0x22) {
      const [raw, end] = quotedIdent(i + 3) // U&"…"
      out.push({ kind: 'qword', value: raw, unicodeRaw: raw })
      i = end
    } else if (c === 0x22) {
      const [v, end] = quotedIdent(i + 1)
      out.push({ kind: 'qword', value: v })
      i = end
    } else if (c === 0x24 && dollarTagEnd(text, i) > i) {
      const k = stringConstantAt(text, i, std)!
      out.push({ kind: 'string', value: '', body: k.value ?? text.slice(dollarTagEnd(text, i)) })
      i = k.end
    } else if (isStart(c)) {
      const from = i
      while (i < n && isPart(text.charCodeAt(i))) i++
      out.push({ kind: 'word', value: text.slice(from, i).toLowerCase() })
    } else if (c >= 0x30 && c <= 0x39) {
      // a number (and what the server reads as its trailing junk): no name, no "$" (a tag may follow)
      while (i < n && /[0-9A-Za-z_.]/.test(text[i])) i++
      out.push({ kind: 'punct', value: '0' })
    } else if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) {
      i++
    } else {
      out.push({ kind: 'punct', value: text[i] })
      i++
    }
  }
  // U&"…" [UESCAPE '…']: decoded with its escape character; the clause is no token of the name
  for (let j = 0; j < out.length; j++) {
    const raw = out[j].unicodeRaw
    if (raw === undefined) continue
    let escape = '\\'
    if (
      out[j + 1]?.kind === 'word' &&
      out[j + 1].value === 'uescape' &&
      out[j + 2]?.kind === 'string'
    ) {
      escape = out[j + 2].value
      out.splice(j + 1, 2)
    }
    out[j].value = decodeUnicodeName(raw, escape)
  }
  return out
}

/** U&"…"'s escapes (\XXXX, \+XXXXXX, \\) decoded with `escape`; unreadable ones kept as written. */
export function decodeUnicodeName(raw: string, escape: string): string {
  if (escape.length !== 1) return raw
  let v = ''
  for (let j = 0; j < raw.length; j++) {
    if (raw[j] !== escape) {
      v += raw[j]
      continue
    }
    if (raw[j + 1] === escape) {
      v += escape
      j++
      continue
    }
    const long = raw[j + 1] === '+'
    const hex = long ? raw.slice(j + 2, j + 8) : raw.slice(j + 1, j + 5)
    if (!/^[0-9A-Fa-f]+$/.test(hex) || hex.length !== (long ? 6 : 4)) {
      v += raw[j]
      continue
    }
    const code = parseInt(hex, 16)
    v += code <= 0x10ffff ? String.fromCodePoint(code) : ''
    j += long ? 7 : 4
  }
  return v
}

/**
 * Functions whose effect stays whatever becomes of the transaction that calls them, by what they
 * reach: 'connection' — dblink's, which open (or use) a connection of their own, to this server
 * or another, where what they run commits by itself (and as a superuser, with no password);
 * 'session' — another session ended or interrupted (one of the action's own among them);
 * 'server' — the whole server: its configuration reloaded, its log rotated, its WAL switched or
 * marked, a backup started, a standby promoted or its replay paused, replication slots and
 * origins, the statistics reset. pg_dump never writes a call of any of them.
 */
const OUTSIDE_FUNCTIONS = new Map<string, OutsideKind>([
  ...[
    'dblink',
    'dblink_exec',
    'dblink_connect',
    'dblink_connect_u',
    'dblink_disconnect',
    'dblink_open',
    'dblink_fetch',
    'dblink_close',
    'dblink_send_query',
    'dblink_get_result',
    'dblink_is_busy',
    'dblink_cancel_query',
    'dblink_error_message',
    'dblink_get_notify',
    'dblink_get_connections'
  ].map(n => [n, 'connection'] as const),
  ...['pg_terminate_backend', 'pg_cancel_backend'].map(n => [n, 'session'] as const),
  ...[
    'pg_reload_conf',
    'pg_rotate_logfile',
    'pg_promote',
    'pg_switch_wal',
    'pg_switch_xlog',
    'pg_create_restore_point',
    'pg_backup_start',
    'pg_backup_stop',
    'pg_start_backup',
    'pg_stop_backup',
    'pg_wal_replay_pause',
    'pg_wal_replay_resume',
    'pg_create_physical_replication_slot',
    'pg_create_logical_replication_slot',
    'pg_copy_physical_replication_slot',
    'pg_copy_logical_replication_slot',
    'pg_drop_replication_slot',
    'pg_replication_slot_advance',
    'pg_logical_slot_get_changes',
    'pg_logical_slot_get_binary_changes',
    'pg_replication_origin_advance',
    'pg_replication_origin_session_setup',
    'pg_stat_reset',
    'pg_stat_reset_shared',
    'pg_stat_reset_single_table_counters',
    'pg_stat_reset_single_function_counters',
    'pg_stat_reset_slru',
    'pg_stat_reset_replication_slot',
    'pg_stat_reset_subscription_stats',
    'pg_stat_reset_backend_stats'
  ].map(n => [n, 'server'] as const)
])

type OutsideKind = 'connection' | 'session' | 'server'

const OUTSIDE_WHY: Record<OutsideKind, string> = {
  connection:
    'opens a connection of its own (dblink), to this server or another: what it runs there commits by itself',
  session:
    "ends or interrupts another session of the server (an application's, or one of the restore's own)",
  server:
    'acts on the whole server (its configuration, log, WAL, replication slots, standby or statistics)'
}

/** Text that may name one of OUTSIDE_FUNCTIONS (or a U&"…" that may). */
const OUTSIDE_WORDS =
  /dblink|pg_terminate_backend|pg_cancel_backend|pg_reload_conf|pg_rotate_logfile|pg_promote|pg_switch_|pg_create_restore_point|pg_backup_|_backup\b|pg_wal_replay_|replication_slot|pg_logical_slot_|pg_replication_origin_|pg_stat_reset|u&/i

/**
 * The first call of one of OUTSIDE_FUNCTIONS in a statement that runs it now, as written
 * ("public.dblink_exec()"), and what it reaches; undefined for none. Read as fileFunctionCall
 * reads calls: not in a literal, a comment, a function's body (run later if ever: see
 * superuserRisk), not a table or column so named, not in a statement that only defines (a view,
 * a routine, a column default) — but in a DO block's code, which runs now. dblink's functions live in whatever schema
 * the extension was created in: a call is one however qualified; the system's in pg_catalog.
 */
export function outsideTransactionCall(
  e: StatementEvent
): { call: string; kind: OutsideKind; via?: string } | undefined {
  const code = doBlockCode(e)
  // a DO block runs its code now: a call written in it is one too (one built at run time, in
  // EXECUTE's string, is not seen: see superuserRisk)
  const direct = code
    ? doCall(e, code, OUTSIDE_FUNCTIONS, false)
    : OUTSIDE_WORDS.test(e.text)
      ? runCall(e, OUTSIDE_FUNCTIONS, name => OUTSIDE_FUNCTIONS.get(name) === 'connection')
      : undefined
  // and so is one in the query a function runs from its string argument (a84 F2)
  const found = direct ? { call: direct } : queryCall(e, OUTSIDE_FUNCTIONS, false)
  if (!found) return undefined
  const name = found.call.slice(found.call.lastIndexOf('.') + 1, -2)
  return { ...found, kind: OUTSIDE_FUNCTIONS.get(name)! }
}

/** Words after which a name followed by "(" is a table's, with its column list. */
const TABLE_BEFORE = new Set(['into', 'references', 'table', 'copy', 'only'])

/**
 * The first call of a server-side file function in a statement that runs it now, as written
 * (e.g. "pg_catalog.lo_export()"), or a query of a configuration file's view ("pg_hba_file_rules"),
 * or undefined. A name followed by "(" — white space and comments
 * between — outside literals and dollar-quoted bodies is a call, however qualified, quoted or
 * cased; a column or table so named is none (INSERT INTO lo_export (…), REFERENCES lo_export(id)).
 */
export function fileFunctionCall(e: StatementEvent): { call: string; via?: string } | undefined {
  const code = doBlockCode(e)
  const direct = code
    ? doCall(e, code, FILE_FUNCTIONS, true)
    : // a name is written out but in U&"…" (whose escapes may spell it): most statements end here
      FILE_FUNCTION_WORDS.test(e.text)
      ? runCall(e, FILE_FUNCTIONS, () => false, true)
      : undefined
  return direct ? { call: direct } : queryCall(e, FILE_FUNCTIONS, true)
}

/**
 * The system's functions that run a query given to them as text at once (through SPI, as a
 * SELECT, with the session's standard_conforming_strings): which argument is the query (from 0)
 * and, where another form of the function with the name runs none, how many arguments the one
 * that does takes. Not cursor_to_xml (a cursor opened by a statement the checks read), nor
 * table_to_xml, schema_to_xml, database_to_xml (a table's or a schema's rows by name).
 */
const QUERY_FUNCTIONS = new Map<string, { arg: number; args?: number }>([
  ['query_to_xml', { arg: 0 }],
  ['query_to_xmlschema', { arg: 0 }],
  ['query_to_xml_and_xmlschema', { arg: 0 }],
  ['ts_stat', { arg: 0 }],
  // ts_rewrite(tsquery, text) runs its second; ts_rewrite(tsquery, tsquery, tsquery) none
  ['ts_rewrite', { arg: 1, args: 2 }]
])

/**
 * pg_catalog's functions that read rows the query calling them names nowhere (PostgreSQL records
 * no dependency on the table): those of QUERY_FUNCTIONS (a query given as text), and those that
 * read a cursor's, a table's, a schema's or the database's rows (cursor_to_xml, table_to_xml,
 * schema_to_xml, database_to_xml and their _and_xmlschema forms). By name, with the number of
 * arguments where another form runs none (ts_rewrite). What a materialized view or a stored
 * generated column of the backup may call to copy a kept table's rows (unchanged.ts,
 * copiedRowsQuery; attacker a90 F1).
 */
export const ROW_READING_CATALOG_FUNCTIONS: ReadonlyMap<string, { args?: number }> = new Map([
  ...[...QUERY_FUNCTIONS].map(([name, f]): [string, { args?: number }] => [
    name,
    f.args === undefined ? {} : { args: f.args }
  ]),
  ...[
    'cursor_to_xml',
    'table_to_xml',
    'table_to_xml_and_xmlschema',
    'schema_to_xml',
    'schema_to_xml_and_xmlschema',
    'database_to_xml',
    'database_to_xml_and_xmlschema'
  ].map((name): [string, { args?: number }] => [name, {}])
])

/** Text that may name one of QUERY_FUNCTIONS (or a U&"…" that may). */
const QUERY_FUNCTION_WORDS = /query_to_xml|ts_stat|ts_rewrite|u&/i

/** The queries a statement runs now through QUERY_FUNCTIONS, or why one cannot be read. */
export type QueryArgumentCode =
  { code: Array<{ via: string; query: string }> } | { call: string; unreadable: string }

/**
 * The queries that calls of QUERY_FUNCTIONS in a statement that runs them now (see
 * fileFunctionCall; in a DO block's code too) run at once, as the server reads their string
 * constant (sql-string.ts), and those such a query runs in turn; or, for the first call whose
 * query is no string constant (built with ||, format(), a column, a variable) or one whose value
 * cannot be told for sure, the call and why: what it runs is known only when it runs. Undefined
 * when the statement runs no such call (or is a DO whose code cannot be read: refused as such).
 * pg_dump never writes a call of them.
 */
export function queryArgumentCode(e: StatementEvent): QueryArgumentCode | undefined {
  const std = e.standardConformingStrings
  const code = doBlockCode(e)
  let texts: string[]
  if (code) {
    if ('unreadable' in code) return undefined
    texts = code.code
  } else {
    if (!QUERY_FUNCTION_WORDS.test(e.text)) return undefined
    if (bindsRoutine(e.parts[0]) || definesOnly(e.parts[0])) return undefined
    texts = [e.text]
  }
  const queries: Array<{ via: string; query: string }> = []
  for (const text of texts) {
    const plpgsql = code !== undefined && /execute/i.test(text)
    if (!plpgsql && !QUERY_FUNCTION_WORDS.test(text)) continue
    const t = callTokens(text, std)
    const why =
      (plpgsql ? readExecuteLiterals(t, std, queries) : undefined) ??
      readQueryArguments(t, std, queries, 0)
    if (why) return why
  }
  return queries.length > 0 ? { code: queries } : undefined
}

/**
 * PL/pgSQL's EXECUTE of a string constant alone (EXECUTE '…' [INTO …] [USING …]) in a DO
 * block's code: a query run now, as written (one built at run time, EXECUTE 'a' || b, is not
 * read: see superuserRisk). Its queries added to `queries`, or why one cannot be read.
 */
function readExecuteLiterals(
  t: CallToken[],
  std: boolean,
  queries: Array<{ via: string; query: string }>
): { call: string; unreadable: string } | undefined {
  for (let j = 0; j + 1 < t.length; j++) {
    if (!(t[j].kind === 'word' && t[j].value === 'execute' && t[j + 1].kind === 'string')) continue
    const after = t[j + 2]
    const alone =
      after === undefined ||
      (after.kind === 'punct' && after.value === ';') ||
      (after.kind === 'word' && (after.value === 'into' || after.value === 'using'))
    if (!alone) continue
    const literal = t[j + 1]
    if (literal.body === undefined)
      return {
        call: 'EXECUTE',
        unreadable: `its query is a string whose value cannot be told for sure (${literal.error ?? "B'…', X'…' or N'…'"})`
      }
    queries.push({ via: 'EXECUTE', query: literal.body })
    const why = readQueryArguments(callTokens(literal.body, std), std, queries, 1)
    if (why) return why
  }
  return undefined
}

/** Where a name at `j` starts with its qualification (schema.name, db.schema.name): its first token. */
function qualifiedStart(t: readonly { kind: string; value: string }[], j: number): number {
  let first = j
  while (
    first >= 2 &&
    t[first - 1].kind === 'punct' &&
    t[first - 1].value === '.' &&
    (t[first - 2].kind === 'word' || t[first - 2].kind === 'qword')
  )
    first -= 2
  return first
}

/** The queries of the calls of QUERY_FUNCTIONS among `t`, added to `queries`; or why one cannot be read. */
function readQueryArguments(
  t: CallToken[],
  std: boolean,
  queries: Array<{ via: string; query: string }>,
  depth: number
): { call: string; unreadable: string } | undefined {
  for (let j = 0; j < t.length; j++) {
    const name = t[j]
    if (name.kind !== 'word' && name.kind !== 'qword') continue
    const fn = QUERY_FUNCTIONS.get(name.value.toLowerCase())
    if (!fn || !(t[j + 1]?.kind === 'punct' && t[j + 1].value === '(')) continue
    const first = qualifiedStart(t, j)
    const before = t[first - 1]
    if (before?.kind === 'word' && TABLE_BEFORE.has(before.value)) continue // a table so named
    const args = callArguments(t, j + 1)
    if (fn.args !== undefined && args.length !== fn.args) continue
    const arg = args[fn.arg]
    if (arg === undefined) continue // too few arguments: the server's error
    const written: string[] = []
    for (let k = first; k <= j; k += 2) written.push(t[k].value.toLowerCase())
    const call = `${written.join('.')}()`
    if (depth > MAX_DO_DEPTH)
      return { call, unreadable: `it holds such calls nested more than ${MAX_DO_DEPTH} deep` }
    // a string constant, perhaps cast ('…'::text); anything else is computed when it runs
    const literal =
      arg[0]?.kind === 'string' &&
      arg.slice(1).every(x => x.kind === 'word' || (x.kind === 'punct' && x.value === ':'))
    if (!literal)
      return {
        call,
        unreadable:
          'its query is no string constant (it is built with || or format(), read from a column, a variable or a function), so what it runs is known only when it runs'
      }
    if (arg[0].body === undefined)
      return {
        call,
        unreadable: `its query is a string whose value cannot be told for sure (${arg[0].error ?? "B'…', X'…' or N'…'"})`
      }
    queries.push({ via: call, query: arg[0].body })
    const why = readQueryArguments(callTokens(arg[0].body, std), std, queries, depth + 1)
    if (why) return why
  }
  return undefined
}

/** The arguments of the call whose "(" is t[open], each its tokens (nested brackets kept whole). */
function callArguments(t: CallToken[], open: number): CallToken[][] {
  const args: CallToken[][] = []
  let current: CallToken[] = []
  let depth = 0
  for (let k = open + 1; k < t.length; k++) {
    const x = t[k]
    if (x.kind === 'punct' && (x.value === '(' || x.value === '[')) depth++
    else if (x.kind === 'punct' && (x.value === ')' || x.value === ']')) {
      if (depth === 0) break
      depth--
    } else if (depth === 0 && x.kind === 'punct' && x.value === ',') {
      args.push(current)
      current = []
      continue
    }
    current.push(x)
  }
  if (current.length > 0 || args.length > 0) args.push(current)
  return args
}

/**
 * The first call of one of `names` in a query a function of QUERY_FUNCTIONS runs now (see
 * queryArgumentCode), as written, and that function; undefined for none.
 */
function queryCall(
  e: StatementEvent,
  names: { has(name: string): boolean },
  views: boolean
): { call: string; via: string } | undefined {
  const queries = queryArgumentCode(e)
  if (!queries || !('code' in queries)) return undefined
  for (const { via, query } of queries.code) {
    const call = firstCall(callTokens(query, e.standardConformingStrings), names, views)
    if (call) return { call, via }
  }
  return undefined
}

/** The first call of one of `names` in a DO block's code (see doBlockCode), as written. */
function doCall(
  e: StatementEvent,
  code: DoBlockCode,
  names: { has(name: string): boolean },
  views: boolean
): string | undefined {
  if ('unreadable' in code) return undefined // refused as such (statementRefusal)
  for (const body of code.code) {
    // PL/pgSQL reads its code with the session's standard_conforming_strings
    const call = firstCall(callTokens(body, e.standardConformingStrings), names, views)
    if (call) return call
  }
  return undefined
}

/**
 * ALTER EXTENSION name ADD … or … DROP …, as written ("ALTER EXTENSION tcn ADD"), when the
 * statement is one, or a DO block's code (see doBlockCode) holds one — as a statement of its own
 * or in a string constant (EXECUTE '…', nested as deep as DO blocks are read); undefined for none.
 * One built at run time (EXECUTE 'ALTER ' || …) or in a function's body is not seen: the
 * SECURITY DEFINER warning counts a member as an extension's own only where it was one before the
 * load (definerFunctionsWarning).
 */
export function extensionMembership(e: StatementEvent): string | undefined {
  const std = e.standardConformingStrings
  if (!/extension/i.test(e.text)) return undefined
  const code = doBlockCode(e)
  if (!code) return alterExtension(callTokens(e.text, std), 0)
  if ('unreadable' in code) return undefined // refused as such (statementRefusal)
  const read = (text: string, depth: number): string | undefined => {
    if (!/extension/i.test(text)) return undefined
    const t = callTokens(text, std)
    for (let j = 0; j < t.length; j++) {
      const found = alterExtension(t, j)
      if (found) return found
      const body = t[j].kind === 'string' ? t[j].body : undefined
      const inner = body !== undefined && depth < MAX_DO_DEPTH ? read(body, depth + 1) : undefined
      if (inner) return inner
    }
    return undefined
  }
  for (const body of code.code) {
    const found = read(body, 0)
    if (found) return found
  }
  return undefined
}

/** ALTER EXTENSION name ADD|DROP at t[j], as written; undefined where there is none. */
function alterExtension(t: CallToken[], j: number): string | undefined {
  const [alter, extension, name, action] = t.slice(j, j + 4)
  if (
    !(alter?.kind === 'word' && alter.value === 'alter') ||
    !(extension?.kind === 'word' && extension.value === 'extension') ||
    !(name?.kind === 'word' || name?.kind === 'qword') ||
    !(action?.kind === 'word' && (action.value === 'add' || action.value === 'drop'))
  )
    return undefined
  return `ALTER EXTENSION ${name.kind === 'qword' ? `"${name.value.replace(/"/g, '""')}"` : name.value} ${action.value.toUpperCase()}`
}

export type DoBlockCode = { code: string[] } | { unreadable: string }

/** How deep DO blocks written in a DO block's code are read. */
const MAX_DO_DEPTH = 8

/**
 * The code a DO statement runs now, as the server reads it (sql-string.ts: '…' with the
 * session's standard_conforming_strings, E'…', U&'…' UESCAPE, $tag$…$tag$, continued on the next
 * line), PL/pgSQL, and the code of each DO written in that code (PL/pgSQL runs one as a statement
 * of its own); or why it cannot be told for sure: a string the server would read otherwise or
 * refuse, a LANGUAGE other than plpgsql, anything but string constants and LANGUAGE. Undefined
 * for a statement that is no DO. pg_dump never writes DO.
 */
export function doBlockCode(e: StatementEvent): DoBlockCode | undefined {
  if (e.parts.length !== 1 || e.parts[0].keywords[0] !== 'DO') return undefined
  const t = callTokens(e.text, e.standardConformingStrings)
  const at = t.findIndex(x => x.kind === 'word' && x.value === 'do')
  const code: string[] = []
  const why = readDoBlock(t, at, e.standardConformingStrings, code, 0)
  return why === undefined ? { code } : { unreadable: why }
}

/** The DO at t[at] (its code added to `code`), or why it cannot be read. */
function readDoBlock(
  t: CallToken[],
  at: number,
  std: boolean,
  code: string[],
  depth: number
): string | undefined {
  if (depth > MAX_DO_DEPTH) return `it holds DO blocks nested more than ${MAX_DO_DEPTH} deep`
  let language: string | undefined
  const bodies: string[] = []
  for (let j = at + 1; j < t.length; j++) {
    const x = t[j]
    if (x.kind === 'punct' && x.value === ';') break
    if (x.kind === 'word' && x.value === 'language') {
      const l = t[++j]
      // a word is lower-cased by the server, a string or quoted name is the language's name as is
      if (l?.kind === 'word' || l?.kind === 'qword') language = l.value
      else if (l?.kind === 'string' && l.body !== undefined) language = l.body
      else return 'its LANGUAGE cannot be read'
      continue
    }
    if (x.kind !== 'string') return 'it holds more than its code and LANGUAGE'
    if (x.body === undefined)
      return `its code is a string whose value cannot be told for sure (${x.error ?? "B'…', X'…' or N'…'"})`
    bodies.push(x.body)
  }
  // the server takes one string (parts continued across lines are one): two are not its reading
  if (bodies.length > 1) return 'it holds more than one string for its code'
  if (language !== undefined && language !== 'plpgsql')
    return `its code is in LANGUAGE ${language}, which this check cannot read`
  for (const body of bodies) {
    code.push(body)
    const inner = callTokens(body, std)
    for (let k = 0; k < inner.length; k++) {
      const next = inner[k + 1]
      if (
        inner[k].kind === 'word' &&
        inner[k].value === 'do' &&
        (next?.kind === 'string' || (next?.kind === 'word' && next.value === 'language'))
      ) {
        const why = readDoBlock(inner, k, std, code, depth + 1)
        if (why) return depth === 0 ? `a DO block in its code: ${why}` : why
      }
    }
  }
  return undefined
}

/**
 * The first call of one of `names` in a statement that runs it now (see fileFunctionCall), as
 * written; `anySchema`: a name that counts however qualified when an operator, cast or aggregate
 * binds it or it is altered (else only pg_catalog's or an unqualified one); `views`: the
 * configuration files' views count too.
 */
function runCall(
  e: StatementEvent,
  names: { has(name: string): boolean },
  anySchema: (name: string) => boolean,
  views = false
): string | undefined {
  const bound = bindsRoutine(e.parts[0])
  if (!bound && definesOnly(e.parts[0])) return undefined
  const t = callTokens(e.text, e.standardConformingStrings)
  // an operator, cast or aggregate made of one, or the function itself altered (IMMUTABLE for an
  // index that calls it on every row: attacker a38): named, not called, it runs when used
  if (bound) {
    // the system's (pg_catalog.x, or x unqualified: pg_catalog comes first), not a function of
    // the backup's own schema that has the name (ALTER FUNCTION public.pg_ls_dir(text) OWNER TO …)
    const named = t.findIndex(
      (x, j) =>
        (x.kind === 'word' || x.kind === 'qword') &&
        names.has(x.value.toLowerCase()) &&
        !(
          !anySchema(x.value.toLowerCase()) &&
          t[j - 1]?.kind === 'punct' &&
          t[j - 1].value === '.' &&
          t[j - 2]?.value.toLowerCase() !== 'pg_catalog'
        )
    )
    // otherwise it only defines (a routine of the backup's own with that name: nothing runs)
    return named >= 0 ? `${t[named].value.toLowerCase()}()` : undefined
  }
  return firstCall(t, names, views)
}

/** The first call of one of `names` among tokens `t` (or a query of a file view), as written. */
function firstCall(
  t: CallToken[],
  names: { has(name: string): boolean },
  views: boolean
): string | undefined {
  for (let j = 0; j < t.length; j++) {
    const name = t[j]
    if (name.kind !== 'word' && name.kind !== 'qword') continue
    const view = views ? readsFileView(t, j) : undefined
    if (view) return view
    if (j + 1 >= t.length || !names.has(name.value.toLowerCase())) continue
    if (!(t[j + 1].kind === 'punct' && t[j + 1].value === '(')) continue
    const first = qualifiedStart(t, j)
    const before = t[first - 1]
    if (before?.kind === 'word' && TABLE_BEFORE.has(before.value)) continue
    const written: string[] = []
    for (let k = first; k <= j; k += 2) written.push(t[k].value.toLowerCase())
    return `${written.join('.')}()`
  }
  return undefined
}

/**
 * The system's view over a configuration file at token `j`, read by the statement (FROM, JOIN or
 * TABLE of it, or of pg_catalog.<view> anywhere), as written; undefined for a name of the
 * backup's own (public.pg_file_settings) or a column so named.
 */
function readsFileView(t: CallToken[], j: number): string | undefined {
  const name = t[j]
  if (!FILE_VIEWS.has(name.value.toLowerCase())) return undefined
  if (t[j + 1]?.kind === 'punct' && t[j + 1].value === '(') return undefined // a call: FILE_FUNCTIONS
  const before = t[j - 1]
  if (before?.kind === 'punct' && before.value === '.') {
    const schema = t[j - 2]
    const qualified =
      (schema?.kind === 'word' || schema?.kind === 'qword') &&
      schema.value.toLowerCase() === 'pg_catalog' &&
      !(t[j - 3]?.kind === 'punct' && t[j - 3].value === '.')
    return qualified ? `pg_catalog.${name.value.toLowerCase()}` : undefined
  }
  if (before?.kind !== 'word' && !(before?.kind === 'punct' && before.value === ','))
    return undefined
  if (before.kind === 'word' && !['from', 'join', 'table'].includes(before.value)) return undefined
  // after a comma: one of a FROM list (a FROM before it in the statement)
  if (before.kind === 'punct' && !t.slice(0, j).some(x => x.kind === 'word' && x.value === 'from'))
    return undefined
  return name.value.toLowerCase()
}

/** CREATE of an operator, cast or aggregate (which name a routine to run), or ALTER of a routine. */
function bindsRoutine(part: StatementPart): boolean {
  const k = part.keywords
  if (k[0] === 'ALTER') return ['FUNCTION', 'PROCEDURE', 'ROUTINE', 'AGGREGATE'].includes(k[1])
  if (k[0] !== 'CREATE') return false
  const i = k[1] === 'OR' && k[2] === 'REPLACE' ? 3 : 1
  return ['OPERATOR', 'CAST', 'AGGREGATE'].includes(k[i])
}

/** Transaction control by the leading words of a statement part, or undefined. */
export function transactionControl(part: StatementPart): TransactionControl | undefined {
  const k = part.keywords
  const w0 = k[0]
  switch (w0) {
    case 'BEGIN':
      return { statement: 'BEGIN', endsTransaction: true }
    case 'START':
      return k[1] === 'TRANSACTION'
        ? { statement: 'START TRANSACTION', endsTransaction: true }
        : undefined
    case 'END':
      return { statement: 'END', endsTransaction: true }
    case 'ABORT':
      return { statement: 'ABORT', endsTransaction: true }
    case 'COMMIT':
      return k[1] === 'PREPARED'
        ? { statement: 'COMMIT PREPARED', endsTransaction: true }
        : { statement: 'COMMIT', endsTransaction: true }
    case 'PREPARE':
      return k[1] === 'TRANSACTION'
        ? { statement: 'PREPARE TRANSACTION', endsTransaction: true }
        : undefined
    case 'SAVEPOINT':
      return { statement: 'SAVEPOINT', endsTransaction: false }
    case 'RELEASE':
      return { statement: 'RELEASE', endsTransaction: false }
    case 'ROLLBACK': {
      if (k[1] === 'PREPARED') return { statement: 'ROLLBACK PREPARED', endsTransaction: true }
      // ROLLBACK [WORK | TRANSACTION] TO [SAVEPOINT] name stays inside the transaction
      const rest = k[1] === 'WORK' || k[1] === 'TRANSACTION' ? k[2] : k[1]
      if (rest === 'TO') return { statement: 'ROLLBACK TO', endsTransaction: false }
      return { statement: 'ROLLBACK', endsTransaction: true }
    }
    default:
      return undefined
  }
}

/** The words of the first part, skipping the optional ones of ALTER … OWNER TO. */
function hasOwnerTo(tokens: SqlToken[]): boolean {
  for (let k = 0; k + 1 < tokens.length; k++)
    if (isWord(tokens[k], 'OWNER') && isWord(tokens[k + 1], 'TO')) return true
  return false
}

function unquote(t: SqlToken | undefined): string | undefined {
  if (!t) return undefined
  if (t.type === 'ident') return t.text.toLowerCase()
  if (t.type === 'qident' && t.text.startsWith('"')) return t.text.slice(1, -1).replace(/""/g, '"')
  return undefined
}

/** The kind of a statement (its first part) for the restore's skip rules. */
export function classifyStatement(e: StatementEvent): StatementClass {
  return classifyPart(e.parts[0])
}

/** The kind of one statement part, by its leading words. */
export function classifyPart(part: StatementPart): StatementClass {
  const k = part.keywords
  const t = part.tokens
  const keywords = k.slice()
  if (t.length === 0) return { kind: 'empty', keywords }
  const tx = transactionControl(part)
  if (tx)
    return {
      kind: tx.endsTransaction ? 'transaction' : 'savepoint',
      keywords,
      detail: tx.statement
    }
  const [w0, w1, w2] = k
  if (w0 === 'COPY') return { kind: 'copy', keywords }
  if ((w0 === 'CREATE' || w0 === 'ALTER' || w0 === 'DROP') && w1 === 'EXTENSION')
    return {
      kind: 'extension',
      keywords,
      // CREATE EXTENSION IF NOT EXISTS name; DROP EXTENSION IF EXISTS name
      detail: extensionName(t, w2 === 'IF' ? (w0 === 'DROP' ? 4 : 5) : 2)
    }
  if (w0 === 'COMMENT' && w1 === 'ON' && w2 === 'EXTENSION')
    return { kind: 'extension', keywords, detail: unquote(t[3]) }
  if (w0 === 'ALTER' && w1 === 'DEFAULT' && w2 === 'PRIVILEGES')
    return { kind: 'default-privileges', keywords }
  if (w0 === 'GRANT' || w0 === 'REVOKE') return { kind: 'privileges', keywords }
  if (w0 === 'ALTER' && hasOwnerTo(t)) {
    const type: string[] = []
    for (let i = 1; i < k.length && i < 4; i++) {
      if (['ONLY', 'IF'].includes(k[i])) break
      type.push(k[i])
      if (
        ![
          'MATERIALIZED',
          'FOREIGN',
          'TEXT',
          'SEARCH',
          'EVENT',
          'LARGE',
          'ACCESS',
          'OPERATOR'
        ].includes(k[i])
      )
        break
    }
    return { kind: 'owner', keywords, detail: type.join(' ') }
  }
  if (w0 === 'CREATE' && w1 === 'SCHEMA') return { kind: 'schema', keywords }
  if (w0 === 'CREATE' && w1 === 'POLICY') return { kind: 'policy', keywords }
  if (w0 === 'CREATE' && w1 === 'EVENT' && w2 === 'TRIGGER')
    return { kind: 'event-trigger', keywords }
  if ((w0 === 'CREATE' || w0 === 'ALTER') && w1 === 'PUBLICATION')
    return { kind: 'publication', keywords }
  if ((w0 === 'CREATE' || w0 === 'ALTER') && w1 === 'DATABASE')
    return { kind: 'database', keywords }
  // (CREATE USER MAPPING is a foreign server's, not a role)
  if (
    (w0 === 'CREATE' || w0 === 'ALTER') &&
    (w1 === 'ROLE' || (w1 === 'USER' && w2 !== 'MAPPING') || w1 === 'GROUP')
  )
    return { kind: 'role', keywords }
  if (w0 === 'SET') {
    let i = 1
    if (w1 === 'SESSION' || w1 === 'LOCAL') i = 2
    if (isWord(t[i], 'SESSION') && isWord(t[i + 1], 'AUTHORIZATION'))
      return { kind: 'set', keywords, detail: 'session_authorization' }
    if (w1 === 'SESSION' && isWord(t[2], 'AUTHORIZATION'))
      return { kind: 'set', keywords, detail: 'session_authorization' }
    if (isWord(t[i], 'TIME') && isWord(t[i + 1], 'ZONE'))
      return { kind: 'set', keywords, detail: 'timezone' }
    if (isWord(t[i], 'NAMES')) return { kind: 'set', keywords, detail: 'client_encoding' }
    const name: string[] = []
    for (let j = i; j < t.length; j++) {
      const v = unquote(t[j])
      if (v === undefined) break
      name.push(v)
      if (!(t[j + 1]?.type === 'punct' && t[j + 1].text === '.')) break
      j++
    }
    return { kind: 'set', keywords, detail: name.join('.') || undefined }
  }
  if (w0 === 'SELECT') {
    // SELECT pg_catalog.set_config('search_path', '', false) / SELECT pg_catalog.lo_open(…)
    let i = 1
    if (isWord(t[1], 'PG_CATALOG') && t[2]?.type === 'punct' && t[2].text === '.') i = 3
    const fn = t[i]?.type === 'ident' ? t[i].text.toLowerCase() : ''
    const call = t[i + 1]?.type === 'punct' && t[i + 1].text === '('
    if (call && (fn.startsWith('lo_') || fn === 'lowrite' || fn === 'loread'))
      return { kind: 'large-object', keywords, detail: fn }
    if (call && fn === 'set_config') return { kind: 'set', keywords, detail: 'set_config' }
  }
  if (w0 === 'CREATE') {
    let i = 1
    while (
      i < k.length &&
      ['UNLOGGED', 'TEMP', 'TEMPORARY', 'FOREIGN', 'GLOBAL', 'LOCAL'].includes(k[i])
    )
      i++
    if (k[i] === 'TABLE') {
      let j = i + 1
      if (isWord(t[j], 'IF') && isWord(t[j + 1], 'NOT') && isWord(t[j + 2], 'EXISTS')) j += 3
      return { kind: 'table', keywords, detail: qualifiedName(t, j) }
    }
  }
  return { kind: 'other', keywords }
}

function extensionName(t: SqlToken[], at: number): string | undefined {
  return unquote(t[at])
}

/** A possibly qualified name starting at tokens[at], as written. */
function qualifiedName(t: SqlToken[], at: number): string | undefined {
  const parts: string[] = []
  for (let j = at; j < t.length; j += 2) {
    if (t[j].type !== 'ident' && t[j].type !== 'qident') break
    parts.push(t[j].text)
    if (!(t[j + 1]?.type === 'punct' && t[j + 1].text === '.')) break
  }
  return parts.length ? parts.join('.') : undefined
}

/** Every refusal of a whole script's events (for reports); restores stop at the first. */
export function refusals(
  events: Iterable<PsqlScriptEvent>,
  options: RefusalOptions = {}
): Refusal[] {
  const out: Refusal[] = []
  for (const e of events) {
    const r = refusal(e, options)
    if (r) out.push(r)
  }
  return out
}
