/**
 * A database's locale across a restore (trial u29 F5): pg_restore loads into the target as it
 * was created and says nothing when it sorts text otherwise than the backed-up database. The
 * restore warns, naming both locales and the CREATE DATABASE options that keep the backup's;
 * restored into a database made so, the rows come back in the source's order.
 */
import { describe, expect, it } from '@jest/globals'
import { useHarness } from '../support/harness.js'
import { testBackupInputs, testRestoreInputs } from '../support/inputs.js'

const harness = useHarness({ name: 'locale' })

/** Words whose order differs between ICU de-DE (ä next to a, case folded) and code point order. */
const WORDS = ['Zebra', 'apfel', 'Äpfel', 'zucker', 'Bär', 'baum']

async function ordered(database: string): Promise<string[]> {
  const rows = await harness.server.query(database, 'SELECT w FROM words ORDER BY w')
  return rows.map(r => String(r.w))
}

describe('a backup of an ICU de-DE database', () => {
  it('restored into a database of another locale: warns, naming both and how to keep it; into one made as it says, the rows sort as in the source', async () => {
    const server = harness.server
    const source = `locale_src_${Math.random().toString(36).slice(2, 8)}`
    await server.query(
      'postgres',
      `CREATE DATABASE ${source} TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'de-DE' LOCALE 'C.UTF-8'`
    )
    await server.query(
      source,
      `CREATE TABLE words (w text PRIMARY KEY);
       INSERT INTO words VALUES ${WORDS.map(w => `('${w}')`).join(', ')};`
    )
    const inSource = await ordered(source)
    const name = `locale-${source}`
    await harness.backup(testBackupInputs(server.url(source), { artifactName: name }))
    const artifact = {
      kind: 'artifact',
      name,
      runId: 'current',
      repository: harness.backend.repository,
      token: harness.backend.githubToken
    } as const

    // the server's default locale (libc): the restore warns; the rows arrive, ordered otherwise
    const plain = await server.createDatabase()
    const result = await harness.restore(testRestoreInputs(server.url(plain), artifact))
    const warning = result.warnings.find(w => /backed-up database had the ICU locale/.test(w))
    expect(warning).toMatch(
      /^The target database '[^']+' has the libc locale '[^']+', the backed-up database had the ICU locale 'de-DE': its text sorts and compares by the target's/
    )
    expect(warning).toContain(
      "CREATE DATABASE … TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'de-DE' LOCALE 'C.UTF-8'"
    )
    expect((await ordered(plain)).sort()).toEqual([...inSource].sort())
    expect(await ordered(plain)).not.toEqual(inSource)

    // done as the warning says: no warning, and the source's order
    const kept = `locale_dst_${Math.random().toString(36).slice(2, 8)}`
    await server.query(
      'postgres',
      `CREATE DATABASE ${kept} TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'de-DE' LOCALE 'C.UTF-8'`
    )
    const again = await harness.restore(testRestoreInputs(server.url(kept), artifact))
    expect(again.warnings.filter(w => /locale/.test(w))).toEqual([])
    expect(await ordered(kept)).toEqual(inSource)

    // a plain script carries no DATABASE entry: the manifest's locale says it
    await harness.backup(
      testBackupInputs(server.url(source), {
        artifactName: `${name}-plain`,
        format: 'plain',
        compression: 'gzip'
      })
    )
    const fromPlain = await harness.restore(
      testRestoreInputs(server.url(await server.createDatabase()), {
        ...artifact,
        name: `${name}-plain`
      })
    )
    expect(fromPlain.warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/the backed-up database had the ICU locale 'de-DE'/)
      ])
    )
  })
})
