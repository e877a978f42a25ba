/**
 * The manifest is input from outside (issue 14.8): whoever can put a backup where the action
 * reads it writes its manifest too. parseManifest checks every field before anything uses it.
 */
import { describe, expect, it } from '@jest/globals'
import {
  COLUMNS_BUDGET_BYTES,
  ManifestError,
  type ManifestTable,
  backupManifest,
  listColumns,
  manifestJson,
  parseManifest
} from '../../src/manifest.js'
import type { BackupOptions } from '../../src/types.js'

const SHA = 'a'.repeat(64)

/** A manifest as the action writes it. */
function good(): Record<string, unknown> {
  const options = {
    format: 'custom',
    compression: 'zstd',
    compressionLevel: 3,
    filters: {
      tables: [],
      excludeTables: [],
      excludeTableData: [],
      schemas: [],
      excludeSchemas: []
    }
  } as unknown as BackupOptions
  const manifest = backupManifest(options, {
    createdAt: new Date('2026-12-01T02:00:00Z'),
    github: { repository: 'octo-org/app', runId: '123', runAttempt: '1', workflow: 'nightly' },
    database: {
      name: 'shop',
      host: 'db.example.com',
      port: 5432,
      sizeBytes: 1000,
      locale: {
        encoding: 'UTF8',
        provider: 'icu',
        collate: 'C.UTF-8',
        ctype: 'C.UTF-8',
        locale: 'de-DE'
      },
      session: { TimeZone: 'Asia/Tokyo', bytea_output: 'hex', quote_all_identifiers: 'off' }
    },
    server: { version: '17.2', versionNum: 170002, major: 17 },
    pgDump: { version: '17.2', major: 17 },
    file: { name: 'shop-20261201T020000Z.dump.zst', sizeBytes: 10, sha256: SHA },
    rawSizeBytes: 20,
    rowCounts: {
      method: 'exact',
      sameSnapshot: true,
      tables: [{ schema: 'public', name: 'items', rows: 3 }],
      totalRows: 3
    },
    objects: { tables: 1, views: 0, materializedViews: 0, sequences: 0, indexes: 1, functions: 0 },
    extensions: [{ name: 'citext', version: '1.6', schema: 'extensions' }],
    pgDumpArgs: []
  })
  return JSON.parse(manifestJson(manifest)) as Record<string, unknown>
}

/** Sets `path` (dots and [n]) in a copy of the good manifest. */
function hostile(path: string, value: unknown): Record<string, unknown> {
  const m = good()
  const parts = path.split('.').flatMap(p => p.split(/\[(\d+)\]/).filter(Boolean))
  let at: Record<string, unknown> = m
  for (const part of parts.slice(0, -1)) at = at[part] as Record<string, unknown>
  const last = parts[parts.length - 1]
  if (value === undefined) delete at[last]
  else at[last] = value
  return m
}

describe('parseManifest', () => {
  it("accepts the action's own manifests", () => {
    expect(parseManifest(good())).toEqual(good())
  })

  it('accepts a manifest without the optional parts (github, objects, retention, encryption)', () => {
    const m = good()
    for (const key of ['github', 'objects', 'retention', 'encryption', 'tool', 'database']) {
      delete m[key]
    }
    expect(() => parseManifest(m)).not.toThrow()
  })

  const cases: Array<[string, unknown, RegExp]> = [
    // what chooses the client (and with install-client what apt installs)
    ['pgDump.major', 1e9, /pgDump\.major is 1000000000, outside 7–99/],
    ['pgDump.major', '17; rm -rf /', /pgDump\.major is missing or not a whole number/],
    ['pgDump.major', 17.5, /pgDump\.major is missing or not a whole number/],
    ['pgDump.major', -1, /pgDump\.major is -1/],
    ['pgDump', undefined, /pgDump is missing or not an object/],
    // file names that would leave the directory or confuse the log
    ['file.name', '../../.bashrc', /file\.name is not in the expected format/],
    ['file.name', 'a/b.dump', /file\.name is not in the expected format/],
    ['file.name', 'a\\b.dump', /file\.name is not in the expected format/],
    ['file.name', 'x.dump\n::add-mask::', /file\.name is not in the expected format/],
    ['file.name', '..', /file\.name is not in the expected format/],
    ['file.name', 'x'.repeat(300), /file\.name is longer than 255/],
    ['file.name', 42, /file\.name is missing or not a string/],
    ['file.sha256', 'A'.repeat(64), /file\.sha256 is not in the expected format/],
    ['file.sizeBytes', -5, /file\.sizeBytes is -5/],
    ['file.sizeBytes', 2 ** 60, /file\.sizeBytes is missing or not a whole number/],
    ['format', 'zip', /format is not one of custom, plain, directory, tar/],
    ['compression.algorithm', 'lz4; id', /compression\.algorithm is not one of/],
    ['compression.level', 99, /compression\.level is 99, outside/],
    ['compression', 'zstd', /compression is missing or not an object/],
    ['rowCounts.tables', {}, /rowCounts\.tables is missing or not a list/],
    ['rowCounts.tables[0].rows', -1, /rowCounts\.tables\[0\]\.rows is -1/],
    [
      'rowCounts.tables[0].rows',
      '3',
      /rowCounts\.tables\[0\]\.rows is missing or not a whole number/
    ],
    [
      'rowCounts.tables[0].name',
      'x'.repeat(1000),
      /rowCounts\.tables\[0\]\.name is longer than 256/
    ],
    ['rowCounts.tables[0].schema', 'pub\0lic', /rowCounts\.tables\[0\]\.schema contains a NUL/],
    ['rowCounts.tables[0]', 'public.items', /rowCounts\.tables\[0\] is missing or not an object/],
    ['rowCounts.method', 'guess', /rowCounts\.method is not one of exact, estimate, none/],
    ['createdAt', '2026-13-45T99:00:00Z', /createdAt is not a date/],
    ['createdAt', 'yesterday', /createdAt is not in the expected format/],
    ['database.port', 70000, /database\.port is 70000, outside 0–65535/],
    // quoted into the restore's warning: names only
    [
      'database.locale.locale',
      "de-DE'; DROP",
      /database\.locale\.locale is not in the expected format/
    ],
    [
      'database.locale.collate',
      'C\n::error::x',
      /database\.locale\.collate is not in the expected format/
    ],
    ['database.locale', 'C', /database\.locale is missing or not an object/],
    // passed on in PGOPTIONS to verify's pg_dump: one word, no option of its own
    [
      'database.session.TimeZone',
      'UTC -c log_statement=all',
      /database\.session\.TimeZone is not in the expected format/
    ],
    [
      'database.session.bytea_output',
      'hex\\ x',
      /database\.session\.bytea_output is not in the expected format/
    ],
    ['database.locale', { collate: 'C' }, /database\.locale\.provider is missing or not a string/],
    // compared with the scratch database's before verify writes: each in its own shape
    [
      'database.identity',
      {
        systemIdentifier: '1; x',
        startedAt: '2026-12-01 02:00:00+00',
        port: '5432',
        oid: '1',
        name: 'a'
      },
      /database\.identity\.systemIdentifier is not in the expected format/
    ],
    [
      'database.identity',
      { startedAt: 'now', port: '5432', oid: '1', name: 'a' },
      /database\.identity\.startedAt is not in the expected format/
    ],
    [
      'database.identity',
      { startedAt: '2026-12-01 02:00:00+00', port: '5432', name: 'a' },
      /database\.identity\.oid is missing or not a string/
    ],
    ['server.major', 'seventeen', /server\.major is missing or not a whole number/],
    ['github.repository', 'evil', /github\.repository is not in the expected format/],
    ['github.runId', '1 OR 1=1', /github\.runId is not in the expected format/],
    [
      'encryption',
      { algorithm: 'age', mode: 'recipients', recipients: ['not-a-key'] },
      /encryption\.recipients\[0\] is not an age public key/
    ],
    [
      'encryption',
      { algorithm: 'rot13', mode: 'recipients', recipients: [] },
      /encryption\.algorithm is not one of age/
    ],
    ['objects.views', -3, /objects\.views is -3/],
    ['extensions', [{ name: 'citext', version: 1.6 }], /extensions\[0\]\.version is missing/],
    ['extensions', 'citext', /extensions is missing or not a list/],
    [
      'retention',
      { tier: 'forever', days: 1 },
      /retention\.tier is not one of daily, weekly, monthly/
    ],
    ['filters.tables', ['x'.repeat(2000)], /filters\.tables\[0\] is longer than 1000/],
    ['pgDumpArgs', 'not a list', /pgDumpArgs is missing or not a list/],
    ['durationSeconds', Number.NaN, /durationSeconds is missing or not a number/]
  ]
  for (const [path, value, message] of cases) {
    it(`refuses ${path} = ${JSON.stringify(value)?.slice(0, 40)}`, () => {
      const error = (() => {
        try {
          parseManifest(hostile(path, value))
        } catch (e) {
          return e as Error
        }
        return undefined
      })()
      expect(error).toBeInstanceOf(ManifestError)
      expect(error!.message).toMatch(message)
    })
  }

  it('refuses a list too long to be one of ours (a manifest bomb)', () => {
    const m = good()
    ;(m.rowCounts as { tables: unknown[] }).tables = new Array(1_000_001).fill({
      schema: 'public',
      name: 't',
      rows: 0
    })
    expect(() => parseManifest(m)).toThrow(
      /rowCounts\.tables has 1000001 entries, more than 1000000/
    )
  })

  it('refuses a table listed twice in rowCounts.tables or rowSecurity.tables, naming it (attacker a37 F5)', () => {
    const m = good()
    const counts = m.rowCounts as { tables: unknown[]; totalRows: number }
    counts.tables = [
      { schema: 'public', name: 'items', rows: 3 },
      { schema: 'public', name: 'other', rows: 0 },
      { schema: 'public', name: 'items', rows: 2 }
    ]
    counts.totalRows = 5
    let error: Error | undefined
    try {
      parseManifest(m)
    } catch (e) {
      error = e as Error
    }
    expect(error).toBeInstanceOf(ManifestError)
    expect(error!.message).toBe(
      'manifest field rowCounts.tables[2] names the table "public"."items" again (as rowCounts.tables[0] does); the action\'s manifest lists each table once, and a table listed twice would be counted twice'
    )
    // the same name in another schema, or in another case, is another table
    counts.tables = [
      { schema: 'public', name: 'items', rows: 3 },
      { schema: 'shop', name: 'items', rows: 1 },
      { schema: 'public', name: 'Items', rows: 1 }
    ]
    expect(() => parseManifest(m)).not.toThrow()
    const rls = good()
    rls.rowSecurity = {
      role: 'app',
      tables: [
        { schema: 'public', name: 'items' },
        { schema: 'public', name: 'items' }
      ]
    }
    expect(() => parseManifest(rls)).toThrow(
      /^manifest field rowSecurity\.tables\[1\] names the table "public"\."items" again \(as rowSecurity\.tables\[0\] does\)/
    )
    rls.rowSecurity = { role: 'app', tables: [{ schema: 'public', name: 'items' }] }
    expect(() => parseManifest(rls)).not.toThrow()
  })

  it('refuses what is not an object, and other schema versions', () => {
    for (const value of [null, [], 'manifest', 42]) {
      expect(() => parseManifest(value)).toThrow(/manifest is not an object/)
    }
    expect(() => parseManifest({ ...good(), schemaVersion: 2 })).toThrow(
      /schemaVersion 2 is not supported/
    )
  })
})

describe('listColumns: the column lists within a budget (attacker a64 F1)', () => {
  it("keeps a wide schema's manifest under its reader's 4 MiB, listing what fits", () => {
    // 4,000 tables of 81 columns: some 5 MB of column lists unbudgeted
    const tables: ManifestTable[] = Array.from({ length: 4000 }, (_, i) => ({
      schema: `tenant_${Math.floor(i / 80)}`,
      name: `table_${i % 80}`,
      rows: 1
    }))
    const names = Array.from({ length: 81 }, (_, c) => `column_number_${c}`)
    const columns = new Map(tables.map(t => [JSON.stringify([t.schema, t.name]), names]))
    const unlisted = listColumns(tables, columns, COLUMNS_BUDGET_BYTES)
    const listed = tables.filter(t => t.columns !== undefined).length
    expect(listed).toBeGreaterThan(100)
    expect(unlisted).toBe(4000 - listed)
    const written = JSON.stringify({ rowCounts: { tables } }, null, 2)
    expect(Buffer.byteLength(written)).toBeLessThan(4 * 1024 * 1024)
    // the lists' share of it is within the budget
    const bare = JSON.stringify(
      { rowCounts: { tables: tables.map(({ columns: _c, ...t }) => t) } },
      null,
      2
    )
    expect(Buffer.byteLength(written) - Buffer.byteLength(bare)).toBeLessThanOrEqual(
      COLUMNS_BUDGET_BYTES + tables.length * 32
    )
  })

  it('a table not read gets none; a small schema gets all', () => {
    const tables: ManifestTable[] = [
      { schema: 'public', name: 'a', rows: 1 },
      { schema: 'public', name: 'b', rows: 2 }
    ]
    expect(listColumns(tables, new Map([['["public","a"]', ['id', 'x']]]), 1000)).toBe(0)
    expect(tables.map(t => t.columns)).toEqual([['id', 'x'], undefined])
  })
})
