/**
 * Tables whose names hold what `pg_restore --list` prints otherwise (a line break or carriage
 * return as a space) or what splits its text (a tab, a trailing space, '::'): each is counted
 * and listed in the manifest under its true name, and the restore's row-count check counts it
 * (attacker report: a table named "a\nb" was left out of the row counts and the manifest, so a
 * restore that brought back its 1000 rows said "The 1 table matches the manifest's row counts").
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { unzipEntries } from '../../dev/artifact-backend.js'
import type { TestServer } from '../../dev/postgres.js'
import type { Manifest } from '../../src/manifest.js'
import type { DumpFormat } from '../../src/types.js'
import { useHarness } from '../support/harness.js'
import { logOf } from '../support/log-capture.js'
import { currentRunArtifact } from '../support/sources.js'
import { testBackupInputs, testRestoreInputs } from '../support/inputs.js'

const harness = useHarness({ name: 'backup-odd-table-names' })
let server: TestServer
let db: string

/** Each table's name, and the rows it holds. */
const TABLES: Array<[string, number]> = [
  ['a\nb', 1000],
  ['c\rd', 11],
  ['e\tf', 12],
  ['trailing ', 13],
  ['evil\n::error::x', 14],
  ['q"uo\\te', 15],
  ['t', 2]
]

const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`

beforeAll(async () => {
  server = harness.server
  db = await server.createDatabase('odd_names_src')
  await server.query(
    db,
    TABLES.map(
      ([name, rows]) =>
        `CREATE TABLE public.${quoteIdent(name)} (id int);
         INSERT INTO public.${quoteIdent(name)} SELECT generate_series(1, ${rows});`
    ).join('\n')
  )
}, 60_000)

const expected = TABLES.map(([name, rows]) => ({ schema: 'public', name, rows })).sort(
  (a, b) => a.schema.localeCompare(b.schema) || a.name.localeCompare(b.name)
)
const key = (t: { schema: string; name: string }): string => JSON.stringify([t.schema, t.name])

describe.each<DumpFormat>(['custom', 'directory', 'tar', 'plain'])(
  'tables with a line break, CR, tab or trailing space in their names (%s)',
  format => {
    it('are counted in the manifest under their true names, and the restore checks their rows', async () => {
      const name = `odd-names-${format}`
      const result = await harness.backup(
        testBackupInputs(server.url(db), { artifactName: name, format })
      )
      const listed = result.manifest.rowCounts.tables.map(t => ({
        schema: t.schema,
        name: t.name,
        rows: t.rows
      }))
      expect(new Map(listed.map(t => [key(t), t.rows]))).toEqual(
        new Map(expected.map(t => [key(t), t.rows]))
      )
      expect(listed).toHaveLength(TABLES.length)
      expect(result.manifest.rowCounts.totalRows).toBe(
        TABLES.reduce((sum, [, rows]) => sum + rows, 0)
      )

      const target = await server.createDatabase()
      const restored = await harness.restore(
        testRestoreInputs(server.url(target), currentRunArtifact(harness.backend, name))
      )
      const counted = new Map(restored.tables.map(t => [key(t), [t.rows, t.expected]]))
      for (const t of expected) expect(counted.get(key(t))).toEqual([t.rows, t.rows])
      expect(restored.tables).toHaveLength(TABLES.length)
    })
  }
)

describe('a manifest that leaves out a table whose data the archive holds (a backup made before the fix)', () => {
  it("the restore counts that table too and warns the manifest's counts do not cover it", async () => {
    const name = 'odd-names-unlisted'
    await harness.backup(testBackupInputs(server.url(db), { artifactName: name }))
    const real = harness.backend.findArtifact(`${name}.zip`, harness.backend.currentRunId)!
    const entries = await unzipEntries(real.bytes)
    const manifest = JSON.parse(entries.get('manifest.json')!.toString()) as Manifest
    // what the backup wrote before: the tables whose names hold a line break left out
    manifest.rowCounts.tables = manifest.rowCounts.tables.filter(t => !t.name.includes('\n'))
    manifest.rowCounts.totalRows = manifest.rowCounts.tables.reduce((n, t) => n + (t.rows ?? 0), 0)
    await harness.backend.seedArtifact({
      name: `${name}-old.zip`,
      runId: harness.backend.currentRunId,
      files: {
        [manifest.file.name]: entries.get(manifest.file.name)!,
        'manifest.json': JSON.stringify(manifest, null, 2)
      }
    })
    const target = await server.createDatabase()
    const { lines, result } = await logOf(() =>
      harness.restore(
        testRestoreInputs(server.url(target), currentRunArtifact(harness.backend, `${name}-old`))
      )
    )
    const counted = new Map(result.tables.map(t => [key(t), [t.rows, t.expected]]))
    expect(counted.get(key({ schema: 'public', name: 'a\nb' }))).toEqual([1000, undefined])
    expect(counted.get(key({ schema: 'public', name: 'evil\n::error::x' }))).toEqual([
      14,
      undefined
    ])
    expect(counted.get(key({ schema: 'public', name: 't' }))).toEqual([2, 2])
    expect(lines).toMatch(
      /The backup holds data for 2 tables its manifest does not list[^]*"public"\."a\\nb" \(1000 rows restored\)/
    )
    expect(lines).toContain('2 tables the manifest does not list (1014 rows) were counted too.')
  })
})
