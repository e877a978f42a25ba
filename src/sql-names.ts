/**
 * Names as users write them: in SQL (double quotes) and in the list inputs (restore's tables and
 * schemas). Vocabulary: imported by the inputs, the modes and the engine alike.
 */

/**
 * Names as a value of restore's `tables` or `schemas` takes them back (for advice to set it): a
 * name with a comma, a new line, a double quote or spaces at an end is written in double quotes.
 */
export function restoreNamesValue(names: readonly string[]): string {
  return names.map(n => (/[,"\r\n]|^\s|\s$/.test(n) || n === '' ? sqlQuoted(n) : n)).join(',')
}

/** A name in double quotes, its quotes doubled: `"My Table"`, `"we""ird"`. */
export function sqlQuoted(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}
