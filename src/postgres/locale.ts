/**
 * The backed-up database's encoding and locale against the target's. pg_restore loads into the
 * database as it was created, without a word: its text then sorts and compares by the target's
 * collation (ORDER BY, <, BETWEEN, text indexes), case-maps by its ctype, and is converted to its
 * encoding. The archive knows the source's: pg_dump writes a DATABASE entry with them whether or
 * not --create was given (`CREATE DATABASE … ENCODING = 'UTF8' LOCALE_PROVIDER = icu LOCALE =
 * 'C.UTF-8' ICU_LOCALE = 'de-DE';`). A plain script carries none unless made with --create.
 */
import type pg from 'pg'

/** A database's encoding and locale, as pg_database and pg_dump's DATABASE entry give them. */
export interface DatabaseLocale {
  /** "UTF8", "LATIN1"… */
  encoding?: string
  /** libc, icu or builtin (servers before 15: libc). */
  provider: string
  /** LC_COLLATE (libc's collation; a database of another provider has one too). */
  collate?: string
  /** LC_CTYPE. */
  ctype?: string
  /** ICU_LOCALE (icu) or BUILTIN_LOCALE (builtin, PostgreSQL 17+). */
  locale?: string
}

/**
 * What a locale, encoding or provider name may be to be quoted into the warning and its
 * `CREATE DATABASE` advice (de_DE.UTF-8, en-US-u-co-phonebk, sr_RS@latin): the backup's names
 * come from the file being restored, and a crafted one could carry other SQL into what a user
 * pastes.
 */
export const LOCALE_NAME = /^[\w.@+=-]{0,100}$/

const literal = (defn: string, key: string): string | undefined => {
  const m = new RegExp(`\\b${key} = '((?:[^']|'')*)'`).exec(defn)
  return m ? m[1].replace(/''/g, "'") : undefined
}

/**
 * The locale of pg_dump's DATABASE entry (`defn`); undefined when there is none, it names no
 * locale (a hand-made archive), or a name is not one (LOCALE_NAME).
 */
export function archiveDatabaseLocale(defn: string | null | undefined): DatabaseLocale | undefined {
  if (!defn || !/^CREATE DATABASE /.test(defn)) return undefined
  const both = literal(defn, 'LOCALE')
  const collate = literal(defn, 'LC_COLLATE') ?? both
  const ctype = literal(defn, 'LC_CTYPE') ?? both
  const provider = /\bLOCALE_PROVIDER = (\w+)/.exec(defn)?.[1] ?? 'libc'
  const locale = literal(defn, 'ICU_LOCALE') ?? literal(defn, 'BUILTIN_LOCALE')
  if (collate === undefined && locale === undefined) return undefined
  const encoding = literal(defn, 'ENCODING')
  // a name that is not one (quotes, spaces, line breaks): the entry is not pg_dump's, no advice
  if ([encoding, collate, ctype, locale].some(n => n !== undefined && !LOCALE_NAME.test(n)))
    return undefined
  return {
    encoding,
    provider,
    ...(collate !== undefined ? { collate } : {}),
    ...(ctype !== undefined ? { ctype } : {}),
    ...(locale !== undefined ? { locale } : {})
  }
}

const PROVIDERS: Record<string, string> = { c: 'libc', i: 'icu', b: 'builtin' }

/** The connected database's encoding and locale (any server version: absent columns are null). */
export async function readDatabaseLocale(client: pg.Client): Promise<DatabaseLocale> {
  const { rows } = await client.query<{
    encoding: string
    collate: string
    ctype: string
    provider: string | null
    locale: string | null
  }>(
    `SELECT pg_catalog.pg_encoding_to_char(d.encoding) AS encoding, d.datcollate::text AS collate,
            d.datctype::text AS ctype, pg_catalog.to_jsonb(d) ->> 'datlocprovider' AS provider,
            coalesce(pg_catalog.to_jsonb(d) ->> 'datlocale', pg_catalog.to_jsonb(d) ->> 'daticulocale') AS locale
       FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()`
  )
  const row = rows[0]
  return {
    encoding: row.encoding,
    provider: PROVIDERS[row.provider ?? 'c'] ?? row.provider ?? 'libc',
    collate: row.collate,
    ctype: row.ctype,
    ...(row.locale ? { locale: row.locale } : {})
  }
}

/** C, POSIX, C.UTF-8, C.utf8: code point order, one and the same for the comparison. */
function libcName(name: string | undefined): string | undefined {
  if (name === undefined) return undefined
  if (/^(?:C|POSIX)(?:\.utf-?8)?$/i.test(name)) return 'C'
  // de_DE.UTF-8 and de_DE.utf8 are one locale
  return name.replace(
    /\.([^@]+)/,
    (_m, codeset: string) => `.${codeset.toLowerCase().replace(/-/g, '')}`
  )
}

/** What orders and compares text: "libc:de_DE.utf8", "icu:de-DE", "C". */
function collation(l: DatabaseLocale): string | undefined {
  if (l.provider === 'icu') return l.locale && `icu:${l.locale}`
  if (l.provider === 'builtin') return libcName(l.locale) === 'C' ? 'C' : `builtin:${l.locale}`
  const name = libcName(l.collate)
  return name === 'C' || name === undefined ? name : `libc:${name}`
}

/** What upper(), lower() and regular expressions' classes go by (libc's LC_CTYPE). */
function characterTypes(l: DatabaseLocale): string | undefined {
  if (l.provider === 'icu') return collation(l)
  if (l.provider === 'builtin') return collation(l)
  return libcName(l.ctype)
}

/** "ICU locale 'de-DE'", "libc locale 'de_DE.UTF-8'", "libc LC_COLLATE 'C', LC_CTYPE 'en_US.UTF-8'". */
export function describeLocale(l: DatabaseLocale): string {
  if (l.provider === 'icu') return `ICU locale '${l.locale}'`
  if (l.provider === 'builtin') return `builtin locale '${l.locale}'`
  return l.collate === l.ctype
    ? `libc locale '${l.collate}'`
    : `libc LC_COLLATE '${l.collate}', LC_CTYPE '${l.ctype}'`
}

/** The CREATE DATABASE options that give a new database the backup's locale. */
function createOptions(l: DatabaseLocale): string {
  const encoding = l.encoding ? `ENCODING '${l.encoding}' ` : ''
  if (l.provider === 'icu')
    return `${encoding}LOCALE_PROVIDER icu ICU_LOCALE '${l.locale}'${l.collate ? ` LOCALE '${l.collate}'` : ''}`
  if (l.provider === 'builtin')
    return `${encoding}LOCALE_PROVIDER builtin BUILTIN_LOCALE '${l.locale}'`
  return l.collate === l.ctype
    ? `${encoding}LOCALE '${l.collate}'`
    : `${encoding}LC_COLLATE '${l.collate}' LC_CTYPE '${l.ctype}'`
}

/**
 * A warning when the target orders, compares or case-maps text otherwise than the backed-up
 * database, or has another encoding; undefined when they agree (C, POSIX and C.UTF-8 collate
 * alike: by code point) or the backup does not say.
 */
export function localeChange(
  backup: DatabaseLocale | undefined,
  target: DatabaseLocale,
  database: string
): string | undefined {
  if (!backup) return undefined
  const parts: string[] = []
  const sorts = collation(backup) !== undefined && collation(backup) !== collation(target)
  const cases =
    characterTypes(backup) !== undefined && characterTypes(backup) !== characterTypes(target)
  if (sorts || cases)
    parts.push(
      `the target database '${database}' has the ${describeLocale(target)}, the backed-up database had the ${describeLocale(backup)}: its text ${sorts ? 'sorts and compares' : 'changes case and matches character classes'} by the target's (${sorts ? 'ORDER BY, <, BETWEEN, indexes on text' : 'upper(), lower(), ILIKE, regular expressions'}), so the app may see ${sorts ? 'rows in another order' : 'other matches'} than before`
    )
  if (backup.encoding && target.encoding && backup.encoding !== target.encoding)
    parts.push(
      `its encoding is ${target.encoding}, the backup's ${backup.encoding}: the text is converted as it loads, and a character ${target.encoding} lacks fails the load (as with pg_restore)`
    )
  if (parts.length === 0) return undefined
  const text = parts.join('; and ')
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}. pg_restore restores into the database as it was created, without a word. To keep the backup's, restore into a database created with it: CREATE DATABASE … TEMPLATE template0 ${createOptions(backup)} (on a managed service the locale is chosen when the database or project is created).`
}
