import { describe, expect, it } from '@jest/globals'
import {
  type DatabaseLocale,
  archiveDatabaseLocale,
  localeChange
} from '../../src/postgres/locale.js'

/** pg_dump's DATABASE entries (15, 17 and 18 write them alike), as the archives hold them. */
const DEFN = {
  icuGerman:
    "CREATE DATABASE icu WITH TEMPLATE = template0 ENCODING = 'UTF8' LOCALE_PROVIDER = icu LOCALE = 'C.UTF-8' ICU_LOCALE = 'de-DE';\n",
  libcSplit:
    "CREATE DATABASE lib WITH TEMPLATE = template0 ENCODING = 'UTF8' LOCALE_PROVIDER = libc LC_COLLATE = 'C' LC_CTYPE = 'C.UTF-8';\n",
  latin1:
    "CREATE DATABASE lat WITH TEMPLATE = template0 ENCODING = 'LATIN1' LOCALE_PROVIDER = libc LOCALE = 'C';\n",
  builtin:
    "CREATE DATABASE b WITH TEMPLATE = template0 ENCODING = 'UTF8' LOCALE_PROVIDER = builtin LOCALE = 'C.UTF-8' BUILTIN_LOCALE = 'C.UTF-8';\n",
  // pg_dump 14 and older: no provider
  old: "CREATE DATABASE o WITH TEMPLATE = template0 ENCODING = 'UTF8' LOCALE = 'en_US.UTF-8';\n",
  quoted:
    "CREATE DATABASE q WITH TEMPLATE = template0 ENCODING = 'UTF8' LOCALE_PROVIDER = libc LOCALE = 'it''s';\n",
  serbian:
    "CREATE DATABASE s WITH TEMPLATE = template0 ENCODING = 'UTF8' LOCALE_PROVIDER = libc LOCALE = 'sr_RS.UTF-8@latin';\n",
  icuKeywords:
    "CREATE DATABASE k WITH TEMPLATE = template0 ENCODING = 'UTF8' LOCALE_PROVIDER = icu LOCALE = 'C.UTF-8' ICU_LOCALE = 'de-DE-u-co-phonebk';\n"
} as const

const libc = (collate: string, ctype = collate, encoding = 'UTF8'): DatabaseLocale => ({
  encoding,
  provider: 'libc',
  collate,
  ctype
})

describe('archiveDatabaseLocale: the locale of pg_dump’s DATABASE entry', () => {
  it('reads the provider, LC_COLLATE/LC_CTYPE (or LOCALE for both), ICU_LOCALE / BUILTIN_LOCALE and the encoding', () => {
    expect(archiveDatabaseLocale(DEFN.icuGerman)).toEqual({
      encoding: 'UTF8',
      provider: 'icu',
      collate: 'C.UTF-8',
      ctype: 'C.UTF-8',
      locale: 'de-DE'
    })
    expect(archiveDatabaseLocale(DEFN.libcSplit)).toEqual(libc('C', 'C.UTF-8'))
    expect(archiveDatabaseLocale(DEFN.latin1)).toEqual(libc('C', 'C', 'LATIN1'))
    expect(archiveDatabaseLocale(DEFN.builtin)).toMatchObject({
      provider: 'builtin',
      locale: 'C.UTF-8'
    })
    expect(archiveDatabaseLocale(DEFN.old)).toEqual(libc('en_US.UTF-8'))
    expect(archiveDatabaseLocale(DEFN.serbian)?.collate).toBe('sr_RS.UTF-8@latin')
    expect(archiveDatabaseLocale(DEFN.icuKeywords)?.locale).toBe('de-DE-u-co-phonebk')
  })

  it('is undefined when a name is not one (a crafted entry): nothing of it is quoted into advice', () => {
    const crafted = [
      DEFN.quoted,
      "CREATE DATABASE q WITH ENCODING = 'UTF8' LOCALE_PROVIDER = icu LOCALE = 'C' ICU_LOCALE = 'de'' TEMPLATE template0; DROP DATABASE prod; --';\n",
      "CREATE DATABASE q WITH ENCODING = 'UTF8' LOCALE = 'en_US.UTF-8\nDROP TABLE x';\n",
      "CREATE DATABASE q WITH ENCODING = 'UTF8'' OWNER x' LOCALE = 'C';\n",
      "CREATE DATABASE q WITH LC_COLLATE = 'C' LC_CTYPE = 'C COLLATE x';\n",
      `CREATE DATABASE q WITH LOCALE = '${'a'.repeat(101)}';\n`
    ]
    for (const defn of crafted) {
      expect(archiveDatabaseLocale(defn)).toBeUndefined()
      expect(localeChange(archiveDatabaseLocale(defn), libc('C.UTF-8'), 'app')).toBeUndefined()
    }
  })

  it('is undefined without an entry, or for an entry that names no locale', () => {
    expect(archiveDatabaseLocale(undefined)).toBeUndefined()
    expect(archiveDatabaseLocale(null)).toBeUndefined()
    expect(archiveDatabaseLocale("CREATE DATABASE x WITH ENCODING = 'UTF8';")).toBeUndefined()
    expect(archiveDatabaseLocale('SELECT 1;')).toBeUndefined()
  })
})

describe('localeChange: the target orders, compares, case-maps or encodes text otherwise', () => {
  it('ICU de-DE into libc C.UTF-8: warns, naming both and the CREATE DATABASE options that keep it', () => {
    const text = localeChange(archiveDatabaseLocale(DEFN.icuGerman), libc('C.UTF-8'), 'app')
    expect(text).toContain(
      "The target database 'app' has the libc locale 'C.UTF-8', the backed-up database had the ICU locale 'de-DE': its text sorts and compares by the target's"
    )
    expect(text).toContain(
      "CREATE DATABASE … TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'de-DE' LOCALE 'C.UTF-8'"
    )
  })

  it('libc de_DE into en_US, en_US into ICU en-US: warns', () => {
    expect(localeChange(libc('de_DE.UTF-8'), libc('en_US.UTF-8'), 'app')).toMatch(
      /sorts and compares/
    )
    expect(
      localeChange(libc('en_US.UTF-8'), { ...libc('C'), provider: 'icu', locale: 'en-US' }, 'app')
    ).toMatch(
      /has the ICU locale 'en-US', the backed-up database had the libc locale 'en_US\.UTF-8'/
    )
  })

  it('only the ctype differs: says what changes (case, classes), not the order', () => {
    const text = localeChange(libc('C', 'de_DE.UTF-8'), libc('C', 'en_US.UTF-8'), 'app')
    expect(text).toMatch(/changes case and matches character classes by the target's/)
    expect(text).toContain("LC_COLLATE 'C' LC_CTYPE 'de_DE.UTF-8'")
  })

  it('another encoding: says the text is converted and what fails', () => {
    expect(localeChange(libc('C', 'C', 'UTF8'), libc('C', 'C', 'LATIN1'), 'app')).toMatch(
      /^Its encoding is LATIN1, the backup's UTF8: the text is converted as it loads, and a character LATIN1 lacks fails the load/
    )
  })

  it('no warning where text behaves alike: the same locale, C / POSIX / C.UTF-8 (code point order), a codeset spelled otherwise, a backup that does not say', () => {
    expect(localeChange(libc('en_US.UTF-8'), libc('en_US.UTF-8'), 'app')).toBeUndefined()
    expect(localeChange(libc('C'), libc('C.UTF-8'), 'app')).toBeUndefined()
    expect(localeChange(libc('POSIX'), libc('C.utf8'), 'app')).toBeUndefined()
    expect(localeChange(libc('de_DE.UTF-8'), libc('de_DE.utf8'), 'app')).toBeUndefined()
    expect(
      localeChange(archiveDatabaseLocale(DEFN.builtin), libc('C.UTF-8'), 'app')
    ).toBeUndefined()
    expect(
      localeChange(
        archiveDatabaseLocale(DEFN.icuGerman),
        { ...libc('C'), provider: 'icu', locale: 'de-DE' },
        'app'
      )
    ).toBeUndefined()
    expect(localeChange(undefined, libc('C'), 'app')).toBeUndefined()
  })
})
