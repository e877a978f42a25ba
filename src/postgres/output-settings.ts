/**
 * The session settings pg_dump leaves as it finds them that change the text it writes: TimeZone
 * (every timestamptz in the rows, and in defaults, checks and partition bounds), bytea_output
 * (bytea rows: hex or escape), lc_monetary (money rows), quote_all_identifiers (the definitions
 * the server deparses) and standard_conforming_strings (its string literals). pg_dump pins
 * DateStyle, IntervalStyle, extra_float_digits and search_path itself; these it takes from the
 * role, the database or the URL's options. A backup records them (the manifest's
 * database.session), and verify dumps its scratch database with the same: otherwise a source in
 * Asia/Tokyo compared with a scratch database in UTC differs in every timestamptz row and
 * definition (attacker a50 F1, F6, F8).
 */
import type pg from 'pg'

/** The settings, by their names in pg_settings. */
export const OUTPUT_SETTINGS = [
  'TimeZone',
  'bytea_output',
  'lc_monetary',
  'quote_all_identifiers',
  'standard_conforming_strings'
] as const

export type OutputSettings = Partial<Record<(typeof OUTPUT_SETTINGS)[number], string>>

/**
 * What a value may be to be passed on in PGOPTIONS (`-c TimeZone=Asia/Tokyo`): a zone
 * (America/Argentina/Buenos_Aires, Etc/GMT+5, <+09>-09), a locale (de_DE.UTF-8), on/off/hex —
 * no white space or backslash, which PGOPTIONS would split or escape.
 */
export const SETTING_VALUE = /^[\w/+:<>.,@=-]{1,100}$/

/** The connected session's settings (see above); those of other values are left out. */
export async function readOutputSettings(client: pg.Client): Promise<OutputSettings> {
  const { rows } = await client.query<{ name: string; setting: string }>(
    'SELECT name, setting FROM pg_catalog.pg_settings WHERE name = ANY($1::text[])',
    [OUTPUT_SETTINGS]
  )
  const settings: OutputSettings = {}
  for (const r of rows) {
    const name = OUTPUT_SETTINGS.find(n => n === r.name)
    if (name && SETTING_VALUE.test(r.setting)) settings[name] = r.setting
  }
  return settings
}

/**
 * Of `wanted` (a backup's), the settings the connected server takes (a zone or locale it lacks
 * is left out, not a failed connection) and that differ from its session's own, as PGOPTIONS
 * words (`-c TimeZone=Asia/Tokyo`), with their names.
 */
export async function outputOptions(
  client: pg.Client,
  wanted: OutputSettings | undefined
): Promise<{ options: string[]; names: string[] }> {
  const options: string[] = []
  const names: string[] = []
  if (!wanted) return { options, names }
  const own = await readOutputSettings(client)
  for (const name of OUTPUT_SETTINGS) {
    const value = wanted[name]
    if (value === undefined || !SETTING_VALUE.test(value) || value === own[name]) continue
    // the server takes it (a zone, a locale it has): tried in a transaction rolled back
    await client.query('BEGIN')
    const taken = await client
      .query('SELECT pg_catalog.set_config($1, $2, true)', [name, value])
      .then(
        () => true,
        () => false
      )
    await client.query('ROLLBACK')
    if (!taken) continue
    options.push(`-c ${name}=${value}`)
    names.push(`${name} ${value}`)
  }
  return { options, names }
}
