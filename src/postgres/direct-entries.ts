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
import { lexPsqlScript } from './psql-lexer.js'
import type { TocEntry } from './toc.js'

/**
 * Text that may define or reach code able to change standard_conforming_strings or
 * client_encoding at run time: a routine (FUNCTION, PROCEDURE, DO, a LANGUAGE or EXTENSION, a
 * RULE or TRIGGER), set_config, pg_reload_conf, the built-ins that run a query given as text
 * (query_to_xml…, cursor_to_xml…, ts_stat), the catalog of functions, and U&"…" identifiers
 * (which can spell any of these without their letters). Matched on the raw text, comments and
 * literals included: more than needed, never less.
 */
const MAY_RUN_CODE =
  /\b(?:function|procedure|do|language|extension|rule|trigger|set_config|pg_reload_conf|query_to_xml\w*|cursor_to_xml\w*|ts_stat|pg_proc)\b|u&"/i

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

/** The first reason the entries' text must not reach the server as pg_restore -d sends it. */
export function directTextHazard(
  entries: readonly TocEntry[],
  options: { clean?: boolean; psqlMajor?: number } = {}
): string | undefined {
  const runtime = runtimeSettingsHazard(entries, options.clean === true, options.psqlMajor ?? 18)
  if (runtime) return runtime
  for (const entry of entries) {
    // a data entry's COPY statement: the direct load takes only pg_dump's own (isPgDumpDataEntry)
    const texts: [string, string | null][] = [['definition', entry.defn]]
    if (options.clean) texts.push(['drop statement', entry.dropStmt])
    for (const [field, sql] of texts) {
      if (!sql) continue
      const hazard = textHazard(sql, options.psqlMajor)
      if (hazard) return `the entry ${entry.dumpId} (${entry.desc}), its ${field}: ${hazard}`
    }
  }
  return undefined
}

function textHazard(sql: string, psqlMajor = 18): string | undefined {
  // the setting changes only how a backslash inside a plain '…' literal reads: a text without
  // a backslash lexes the same under both (the second pass could find nothing the first did not)
  const settings = sql.includes('\\') ? [true, false] : [true]
  for (const standardConformingStrings of settings) {
    let events
    try {
      events = [...lexPsqlScript(sql, { psqlMajor, standardConformingStrings })]
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
 * guarded psql path instead (the script gate checks both settings before such text). In the
 * order pg_restore runs them: clean's drop statements (last entry first), then the entries.
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
    if (!code && MAY_RUN_CODE.test(sql)) code = entry
  }
  return undefined
}
