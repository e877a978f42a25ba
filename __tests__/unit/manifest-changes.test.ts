import { describe, expect, it } from '@jest/globals'
import type { Manifest, ManifestTable } from '../../src/manifest.js'
import {
  changeWarnings,
  compareManifests,
  describeMove,
  encryptionDropped
} from '../../src/manifest-changes.js'
import { plural } from '../../src/log.js'

/** Typed fixture: a manifest with these tables (rows) and file size. */
function manifest(tables: Record<string, number | null>, sizeBytes: number): Manifest {
  const list: ManifestTable[] = Object.entries(tables).map(([t, rows]) => {
    const [schema, name] = t.split('.')
    return { schema, name, rows }
  })
  const counted = list.every(t => t.rows !== null)
  return {
    schemaVersion: 1,
    tool: { name: 'postgres-backup-action', version: '0.2.0' },
    createdAt: '2026-11-30T02:17:00.000Z',
    github: { runId: '41' },
    database: { name: 'shop', host: 'db', port: 5432, sizeBytes: 1 },
    server: { version: '17.2', versionNum: 170002, major: 17 },
    pgDump: { version: '17.2', major: 17 },
    format: 'custom',
    compression: { algorithm: 'zstd', level: 3, by: 'action' },
    file: { name: 'shop.dump.zst', sizeBytes, sha256: 'a'.repeat(64) },
    rawSizeBytes: sizeBytes * 4,
    durationSeconds: 3,
    rowCounts: {
      method: 'exact',
      sameSnapshot: true,
      tables: list,
      totalRows: counted ? list.reduce((n, t) => n + t.rows!, 0) : null
    },
    filters: {
      tables: [],
      excludeTables: [],
      excludeTableData: [],
      schemas: [],
      excludeSchemas: []
    },
    pgDumpArgs: []
  }
}

describe('compareManifests', () => {
  it('names tables that appeared, vanished and lost more than the threshold; sizes and totals', () => {
    const before = manifest(
      { 'public.a': 100, 'public.b': 10, 'public.gone': 5, 'public.c': 0 },
      1000
    )
    const after = manifest({ 'public.a': 49, 'public.b': 6, 'public.new': 3, 'public.c': 7 }, 900)
    const c = compareManifests(after, before, 50)
    expect(c).toMatchObject({
      previous: {
        createdAt: '2026-11-30T02:17:00.000Z',
        runId: '41',
        fileSizeBytes: 1000,
        totalRows: 115
      },
      sizeDeltaBytes: -100,
      rowsDelta: 65 - 115,
      appeared: ['public.new'],
      vanished: ['public.gone'],
      // 51% lost is over 50%; 40% is not; an empty table that grew is no loss
      shrunk: [{ table: 'public.a', before: 100, after: 49 }]
    })
    expect(c.largest.map(t => t.table)).toEqual(['public.a', 'public.c', 'public.b'])
    expect(changeWarnings(c)).toEqual([
      '1 table of the previous backup (2026-11-30T02:17:00.000Z) is not in this one: public.gone',
      'public.a lost 51% of its rows since the previous backup (100 → 49; threshold 50%)'
    ])
  })

  it('exactly at the threshold is no warning; 0 flags any loss; uncounted rows compare nothing', () => {
    const before = manifest({ 'public.a': 100 }, 10)
    expect(compareManifests(manifest({ 'public.a': 50 }, 10), before, 50).shrunk).toEqual([])
    expect(compareManifests(manifest({ 'public.a': 99 }, 10), before, 0).shrunk).toHaveLength(1)
    const uncounted = compareManifests(manifest({ 'public.a': null }, 10), before, 0)
    expect(uncounted).toMatchObject({ shrunk: [], largest: [], rowsDelta: null })
    expect(changeWarnings(uncounted)).toEqual([])
  })
})

describe('plural: every count the action shows', () => {
  it('is singular for exactly one, plural otherwise (also 0, strings and irregular nouns)', () => {
    expect(plural(1, 'table')).toBe('1 table')
    expect(plural(0, 'table')).toBe('0 tables')
    expect(plural(2, 'entry', 'entries')).toBe('2 entries')
    expect(plural('1', 'row')).toBe('1 row')
    expect(plural(1n, 'row')).toBe('1 row')
    expect(plural('uncounted', 'row')).toBe('uncounted rows')
  })
})

describe('describeMove: the previous backup of another server, database or major (u7 F7)', () => {
  const base = manifest({ 'public.t': 1 }, 10)
  it('says nothing when both came from the same server and version', () => {
    expect(describeMove(base, base)).toBeUndefined()
    expect(compareManifests(base, base, 50).moved).toBeUndefined()
  })
  it('names both servers and the major upgrade', () => {
    const moved: Manifest = {
      ...base,
      database: { ...base.database, name: 'up17', host: 'db2' },
      server: { version: '18.4', versionNum: 180004, major: 18 }
    }
    expect(compareManifests(moved, base, 50).moved).toBe(
      'the previous backup came from another database and another major: PostgreSQL 17.2, shop@db:5432 → 18.4, up17@db2:5432 (a major upgrade); the comparison is between the two'
    )
    const minor: Manifest = { ...base, server: { ...base.server, version: '17.3' } }
    expect(describeMove(minor, base)).toBe(
      'the previous backup came from another server version: PostgreSQL 17.2, shop@db:5432 → 17.3, shop@db:5432; the comparison is between the two'
    )
  })
})

describe('encryptionDropped: a backup in the clear after an encrypted one (trial u37 F1)', () => {
  const encrypted = (mode: 'recipients' | 'passphrase'): Manifest => ({
    ...manifest({ 'public.a': 1 }, 10),
    encryption: {
      algorithm: 'age',
      mode,
      recipients: mode === 'recipients' ? ['age1one', 'age1two'] : []
    }
  })
  const clear = manifest({ 'public.a': 1 }, 10)

  it('warns when the previous backup was encrypted and this one is not, naming how it was', () => {
    expect(encryptionDropped(clear, encrypted('recipients'))).toMatch(
      /^This backup is not encrypted, but the previous one \(2026-11-30T02:17:00.000Z\) was \(age, 2 public keys\): check encryption-recipients and encryption-passphrase/
    )
    expect(encryptionDropped(clear, encrypted('passphrase'))).toContain('(age, a passphrase)')
  })

  it('says nothing when both are encrypted, both are not, or only this one is', () => {
    expect(encryptionDropped(encrypted('passphrase'), encrypted('recipients'))).toBeUndefined()
    expect(encryptionDropped(clear, clear)).toBeUndefined()
    expect(encryptionDropped(encrypted('recipients'), clear)).toBeUndefined()
  })
})

describe('columns a migration dropped (trial u38 F2)', () => {
  const withColumns = (columns: Record<string, string[] | undefined>): Manifest => {
    const m = manifest(Object.fromEntries(Object.keys(columns).map(t => [t, 5])), 10)
    m.rowCounts.tables = m.rowCounts.tables.map(t => {
      const names = columns[`${t.schema}.${t.name}`]
      return names ? { ...t, columns: names } : t
    })
    return m
  }

  it('names the columns of the previous backup this one lacks, as a warning', () => {
    const before = withColumns({
      'public.users': ['id', 'name', 'email'],
      'public.orders': ['id', 'total']
    })
    const after = withColumns({ 'public.users': ['id', 'email'], 'public.orders': ['id', 'total'] })
    const changes = compareManifests(after, before, 50)
    expect(changes.columnsGone).toEqual([{ table: 'public.users', columns: ['name'] }])
    expect(changeWarnings(changes)).toEqual([
      'public.users lost 1 column since the previous backup (2026-11-30T02:17:00.000Z): name (dropped or renamed; their values are in the previous backup)'
    ])
  })

  it('a column added, reordered, or a manifest without columns (an older backup): nothing', () => {
    const before = withColumns({ 'public.users': ['id', 'name'] })
    const after = withColumns({ 'public.users': ['name', 'id', 'created_at'] })
    expect(compareManifests(after, before, 50).columnsGone).toBeUndefined()
    const older = withColumns({ 'public.users': undefined })
    expect(compareManifests(after, older, 50).columnsGone).toBeUndefined()
    expect(compareManifests(older, before, 50).columnsGone).toBeUndefined()
  })

  it('a recorded changes object of another shape is not trusted to hold lists', () => {
    const changes = compareManifests(manifest({}, 1), manifest({}, 1), 50)
    const odd = { ...changes, columnsGone: [{ table: 'x', columns: 'not a list' }, null] }
    expect(changeWarnings(odd as unknown as typeof changes)).toEqual([])
  })
})
