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

/** The first reason the entries' text must not reach the server as pg_restore -d sends it. */
export function directTextHazard(
  entries: readonly TocEntry[],
  options: { clean?: boolean; psqlMajor?: number } = {}
): string | undefined {
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
