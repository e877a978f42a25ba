/**
 * What keeps an archive off the direct `pg_restore -d` load for the way its text reaches the
 * server. pg_restore -d sends each entry's SQL as ONE simple-query message: the server parses all
 * of it under the settings at the entry's start (standard_conforming_strings, client_encoding),
 * before any of its statements runs. The gate reads `pg_restore -f -` as psql would, statement by
 * statement, following a SET inside the entry. The two readings agree only when no statement of
 * an entry changes a setting the lexer goes by with statements after it, and no string literal
 * ends elsewhere under the other standard_conforming_strings ('…\'…': a change the lexer cannot
 * see, set_config() in a function called, would make them disagree). Such an archive is loaded by
 * the gated psql path, which sends statement by statement as the gate read them.
 */
import {
  type PsqlScriptEvent,
  type StatementEvent,
  type StatementPart,
  lexPsqlScript,
  lexedAlikeByEveryMajor
} from './psql-lexer.js'
import type { TocEntry } from './toc.js'

/**
 * An entry's text as archiveReferences lexed it (psql 18, standard_conforming_strings on), kept
 * only for a text every major lexes alike (lexedAlikeByEveryMajor): the checks below read it as
 * the client's major without lexing it again. Held until directTextHazard read it (or as long as
 * the entry).
 */
const sharedLexes = new WeakMap<TocEntry, { sql: string; events: PsqlScriptEvent[] }>()

/** Records an entry's lex for the checks below (see sharedLexes); checked again here. */
export function shareEntryLex(entry: TocEntry, sql: string, events: PsqlScriptEvent[]): void {
  if (lexedAlikeByEveryMajor(sql)) sharedLexes.set(entry, { sql, events })
}

/** lexPsqlScript(sql, { psqlMajor }) (standard_conforming_strings on), or the entry's shared lex. */
function lexEntryText(
  sql: string,
  psqlMajor: number,
  entry: TocEntry | undefined
): PsqlScriptEvent[] {
  const shared = entry && sharedLexes.get(entry)
  if (shared && shared.sql === sql) return shared.events
  return lexPsqlScript(sql, { psqlMajor })
}

/**
 * Whether text of an entry may run code when the server executes it (and so change
 * standard_conforming_strings or client_encoding at run time where no text shows it:
 * `UPDATE pg_settings`, set_config() with a built name, a trigger during COPY, a CHECK validated,
 * an index expression, an event trigger on later DDL, REFRESH …). Decided by an ALLOW-list of
 * statement shapes that only define or name things (what pg_dump's entries mostly are: CREATE of
 * a schema, type, function, view, table; COMMENT, GRANT, REVOKE, ALTER … OWNER TO, a column's
 * DEFAULT, pg_dump's own search_path and setval calls, SET of a plain setting): anything else, and
 * text that cannot be lexed, may run code — CREATE EXTENSION too (its script may reach the
 * archive's functions through the search_path), and LANGUAGE/TRANSFORM (their handlers).
 */
export function mayRunCode(sql: string, psqlMajor = 18, entry?: TocEntry): boolean {
  let statements: StatementEvent[]
  try {
    const events = lexEntryText(sql, psqlMajor, entry)
    if (events.some(e => e.kind !== 'statement')) return true
    statements = events as StatementEvent[]
  } catch {
    return true
  }
  return statements.some(s =>
    s.parts.some(part => !inertPart(part, s.sql.subarray(part.start, part.end).toString()))
  )
}

/** CREATE … of these runs nothing: it defines (a routine's body runs only when called). */
const INERT_CREATE = new Set([
  'SCHEMA',
  'TYPE',
  'DOMAIN',
  'FUNCTION',
  'PROCEDURE',
  'AGGREGATE',
  'OPERATOR',
  'CAST',
  'COLLATION',
  'CONVERSION',
  'TEXT',
  'VIEW',
  'RECURSIVE',
  'TRIGGER',
  'CONSTRAINT',
  'RULE',
  'POLICY',
  'PUBLICATION',
  'STATISTICS',
  'SEQUENCE',
  'FOREIGN',
  'SERVER',
  'ACCESS',
  'ROLE',
  'USER',
  'GROUP'
])

/** SET of these changes nothing the lexer or the server's parsing goes by. */
const INERT_SETTINGS = new Set([
  'statement_timeout',
  'lock_timeout',
  'idle_in_transaction_session_timeout',
  'transaction_timeout',
  'client_min_messages',
  'check_function_bodies',
  'xmloption',
  'row_security',
  'default_tablespace',
  'default_table_access_method',
  'default_with_oids',
  'search_path'
])

/** pg_dump's own calls: its search_path, a sequence's value (both literal). */
const PG_DUMP_SELECT =
  /^SELECT\s+pg_catalog\.(?:set_config\('search_path',\s*'[^'\\]*',\s*false\)|setval\('(?:[^'\\]|'')*',\s*-?\d+,\s*(?:true|false)\))\s*$/

/** A comma outside parentheses (part.tokens are those at depth 0): several clauses. */
function topLevelComma(part: StatementPart): boolean {
  return part.tokens.some(t => t.text === ',')
}

function inertPart(part: StatementPart, text: string): boolean {
  const [first, second] = part.keywords
  const words = part.tokens.filter(t => t.type === 'ident').map(t => t.text.toUpperCase())
  const has = (...seq: string[]): boolean =>
    words.some((_, i) => seq.every((w, j) => words[i + j] === w))
  if (part.tokensTruncated) return false
  switch (first) {
    case 'COMMENT':
    case 'GRANT':
    case 'REVOKE':
      return true
    case 'SECURITY':
      return second === 'LABEL'
    case 'CREATE': {
      const kind = part.keywords.slice(1).find(w => !['OR', 'REPLACE', 'UNLOGGED'].includes(w))
      if (kind === 'TABLE') return !has('AS') && !has('FOR', 'VALUES') && !has('EXECUTE')
      if (kind === 'MATERIALIZED') return has('WITH', 'NO', 'DATA')
      if (kind === 'EVENT') return false
      // the initial state goes through the state type's input function (a domain: its CHECK)
      if (kind === 'AGGREGATE' && /INITCOND/i.test(text)) return false
      return kind !== undefined && INERT_CREATE.has(kind)
    }
    case 'ALTER':
      if (has('OWNER', 'TO')) return true
      if (second === 'DEFAULT') return true // ALTER DEFAULT PRIVILEGES
      if (second === 'SEQUENCE') return has('OWNED', 'BY')
      // one subcommand only: in `ADD COLUMN y int DEFAULT f(), ALTER COLUMN x SET DEFAULT 0`
      // the first evaluates f() at once (a non-volatile default is stored for the rows)
      if (second === 'TABLE')
        return (
          !topLevelComma(part) &&
          !has('ADD', 'COLUMN') &&
          !has('TYPE') &&
          (has('SET', 'DEFAULT') ||
            has('ADD', 'GENERATED') ||
            has('ROW', 'LEVEL', 'SECURITY') ||
            has('REPLICA', 'IDENTITY'))
        )
      return false
    case 'SET': {
      const name = part.keywords.slice(1).find(w => !['SESSION', 'LOCAL'].includes(w))
      return name !== undefined && INERT_SETTINGS.has(name.toLowerCase())
    }
    case 'SELECT':
      return PG_DUMP_SELECT.test(text.trim())
    default:
      return false
  }
}

/**
 * ASCII, without a backslash in a plain '…' literal: the server parses it the same under either
 * standard_conforming_strings and in every client encoding (a backslash in a comment, an E'…'
 * literal or a dollar-quoted body reads the same).
 */
function isNeutralText(sql: string, psqlMajor: number): boolean {
  // eslint-disable-next-line no-control-regex -- any character outside ASCII
  if (/[^\x00-\x7f]/.test(sql)) return false
  if (!sql.includes('\\')) return true
  try {
    return lexPsqlScript(sql, { psqlMajor }).every(
      e => e.kind !== 'statement' || e.plainLiteralBackslashes === 0
    )
  } catch {
    return false
  }
}

/**
 * A byte above 127 right before a backslash: the only place a switch of client_encoding can move
 * where a literal ends. In every client encoding PostgreSQL accepts, bytes below 128 are ASCII
 * and the lead byte of a multi-byte character is above 127; of the ASCII bytes a trail byte can be
 * (SJIS, BIG5, GBK, GB18030, UHC, JOHAB), only the backslash changes how a literal reads (the
 * quote and the dollar sign are never trail bytes). So text without this pair splits into the same
 * statements under every client encoding; what standard_conforming_strings changes is checked
 * by textHazard (ambiguousLiterals) for every entry.
 */
export function backslashAfterHighByte(sql: string): boolean {
  for (let i = sql.indexOf('\\'); i > 0; i = sql.indexOf('\\', i + 1))
    if (sql.charCodeAt(i - 1) > 0x7f) return true
  return false
}

/**
 * The first reason the entries' text must not reach the server as pg_restore -d sends it. The
 * entries' shared lexes are read here only: they are forgotten afterwards (a schema-heavy
 * archive's, some 6 MB of tokens for 3,000 entries, would otherwise stay on the heap through
 * the load); a second call lexes again.
 */
export function directTextHazard(
  entries: readonly TocEntry[],
  options: { clean?: boolean; psqlMajor?: number } = {}
): string | undefined {
  try {
    return entriesHazard(entries, options)
  } finally {
    for (const entry of entries) sharedLexes.delete(entry)
  }
}

function entriesHazard(
  entries: readonly TocEntry[],
  options: { clean?: boolean; psqlMajor?: number }
): string | undefined {
  const runtime = runtimeSettingsHazard(entries, options.clean === true, options.psqlMajor ?? 18)
  if (runtime) return runtime
  for (const entry of entries) {
    // a data entry's COPY statement: the direct load takes only pg_dump's own (isPgDumpDataEntry)
    const texts: [string, string | null][] = [['definition', entry.defn]]
    if (options.clean) texts.push(['drop statement', entry.dropStmt])
    for (const [field, sql] of texts) {
      if (!sql) continue
      const hazard = textHazard(sql, options.psqlMajor, entry)
      if (hazard) return `the entry ${entry.dumpId} (${entry.desc}), its ${field}: ${hazard}`
    }
  }
  return undefined
}

function textHazard(sql: string, psqlMajor = 18, entry?: TocEntry): string | undefined {
  // the setting changes only how a backslash inside a plain '…' literal reads: a text without
  // a backslash lexes the same under both (the second pass could find nothing the first did not)
  const settings = sql.includes('\\') ? [true, false] : [true]
  for (const standardConformingStrings of settings) {
    let events
    try {
      events = standardConformingStrings
        ? lexEntryText(sql, psqlMajor, entry)
        : lexPsqlScript(sql, { psqlMajor, standardConformingStrings })
    } catch {
      return 'its text cannot be read as psql would'
    }
    const statements = events.filter(e => e.kind === 'statement')
    // pg_dump's COPY … FROM stdin is a data entry's COPY statement alone, never SQL of its own
    if (statements.some(e => e.serverCopyIn > 0 || e.copyIn > 0))
      return 'a COPY … FROM STDIN inside SQL that pg_restore -d sends as one message'
    // a meta-command, COPY data, an encoding psql lexes otherwise (nothing after it lexed), …:
    // psql would not send the text as the server reads it
    const other = events.find(e => e.kind !== 'statement')
    if (other)
      return `text psql reads otherwise than as SQL statements (${other.kind === 'unsupported' ? other.message : other.kind})`
    for (const [i, e] of statements.entries()) {
      if (e.ambiguousLiterals > 0)
        return "a string literal that ends elsewhere under the other standard_conforming_strings ('…\\'…'); the server parses the entry whole, under the setting at its start"
      if (e.effects && i < statements.length - 1)
        return 'a statement that changes (or may change) standard_conforming_strings or client_encoding, with statements after it that the server parses before it runs'
    }
  }
  return undefined
}

/**
 * pg_restore -d sends each entry as the session's settings are at that moment, and code of the
 * archive can change them at run time where no text shows it (set_config() with a built name,
 * EXECUTE, in a trigger during the data, an event trigger on later DDL, a CHECK): the server
 * would then parse a later entry otherwise than the gate read it ('…\'…' or a multi-byte
 * character that swallows a quote: a hidden statement, a COMMIT). An entry whose text is not
 * neutral (a byte above 127, a backslash in a plain literal) after text that may run such code is loaded by the
 * guarded psql path instead (the script gate checks both settings before such text), and so is
 * one with a backslash right after a byte above 127 wherever it stands (backslashAfterHighByte:
 * it does not rely on the allow-list of mayRunCode). In the order pg_restore runs them: clean's
 * drop statements (last entry first), then the entries.
 */
function runtimeSettingsHazard(
  entries: readonly TocEntry[],
  clean: boolean,
  psqlMajor: number
): string | undefined {
  const texts: [TocEntry, string, string | null][] = []
  if (clean) for (const e of [...entries].reverse()) texts.push([e, 'drop statement', e.dropStmt])
  for (const e of entries) {
    texts.push([e, 'definition', e.defn])
    texts.push([e, 'COPY statement', e.copyStmt])
  }
  let code: TocEntry | undefined
  for (const [entry, field, sql] of texts) {
    if (!sql) continue
    if (code && !isNeutralText(sql, psqlMajor))
      return `the entry ${entry.dumpId} (${entry.desc}), its ${field}: text with a backslash or non-ASCII bytes after the entry ${code.dumpId} (${code.desc}), which may run code that changes standard_conforming_strings or client_encoding at run time; the server would parse it with the settings of that moment`
    // whatever ran before (an allow-list of what cannot run code has missed shapes twice: an
    // ALTER TABLE's second subcommand, an aggregate's INITCOND through a domain's CHECK)
    if (backslashAfterHighByte(sql))
      return `the entry ${entry.dumpId} (${entry.desc}), its ${field}: a backslash right after a byte above 127, which a multi-byte client encoding (SJIS, BIG5, GBK, GB18030, UHC, JOHAB) reads as one character with it: code of the archive that switched client_encoding at run time would make the server read the rest otherwise than the gate read it`
    if (!code && mayRunCode(sql, psqlMajor, entry)) code = entry
  }
  return undefined
}
