/**
 * The backup path end to end against a real PostgreSQL server and the real @actions/artifact
 * client talking to the loopback artifact backend. Every assertion is on what arrived.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { type ArtifactBackend, unzipEntries } from '../../dev/artifact-backend.js'
import { seedSample, tableChecksums } from '../../dev/fixtures.js'
import type { TestServer } from '../../dev/postgres.js'
import type { BackupOptions, Compression, DumpFormat } from '../../src/types.js'
import type { Manifest } from '../../src/manifest.js'
import { useHarness } from '../support/harness.js'
import { logOf } from '../support/log-capture.js'
import { comparingRuns, testBackupInputs } from '../support/inputs.js'

const harness = useHarness({ name: 'backup-test' })
let server: TestServer
let backend: ArtifactBackend
let source: string
let sourceCounts: Record<string, number>
let ordinaryTables: string[]
let tempRoot: string

beforeAll(async () => {
  ;({ server, backend, tempRoot } = harness)
  source = await server.createDatabase('shop')
  sourceCounts = await seedSample(server, source)
  ordinaryTables = (
    await server.query<{ t: string }>(
      source,
      `SELECT n.nspname || '.' || c.relname AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`
    )
  ).map(r => r.t)
}, 60_000)

function inputs(overrides: Partial<BackupOptions> = {}): BackupOptions {
  return testBackupInputs(server.url(source), {
    artifactName: `backup-${Math.random().toString(36).slice(2, 8)}`,
    ...overrides
  })
}

async function runBackup(overrides: Partial<BackupOptions> = {}) {
  return harness.backup(inputs(overrides))
}

interface Arrived {
  manifest: Manifest
  dump: Buffer
  zipDigest: string
  expiresAt?: Date
}

async function arrived(name: string): Promise<Arrived> {
  const stored = backend.findArtifact(name, backend.currentRunId)
  if (!stored) throw new Error(`artifact ${name} did not arrive`)
  const entries = await unzipEntries(stored.bytes)
  const manifest = JSON.parse(entries.get('manifest.json')!.toString('utf8')) as Manifest
  const dump = entries.get(manifest.file.name)
  if (!dump)
    throw new Error(`the zip has no ${manifest.file.name}: ${[...entries.keys()].join(', ')}`)
  expect([...entries.keys()].sort()).toEqual([manifest.file.name, 'manifest.json'].sort())
  return {
    manifest,
    dump,
    zipDigest: createHash('sha256').update(stored.bytes).digest('hex'),
    expiresAt: stored.expiresAt
  }
}

function decompress(bytes: Buffer, compression: Compression): Buffer {
  if (compression === 'zstd') return zlib.zstdDecompressSync(bytes)
  if (compression === 'gzip') return zlib.gunzipSync(bytes)
  return bytes
}

/** Restores what arrived into a fresh database with the stock tools, as a user would by hand. */
async function restoreByHand(a: Arrived): Promise<string> {
  const target = await server.createDatabase()
  const raw = decompress(a.dump, a.manifest.compression.algorithm)
  const dir = mkdtempSync(path.join(tempRoot, 'restore-'))
  const env = server.env(target)
  let result
  if (a.manifest.format === 'plain') {
    result = spawnSync(path.join(server.binDir, 'psql'), ['-X', '-q', '-v', 'ON_ERROR_STOP=1'], {
      env,
      input: raw
    })
  } else if (a.manifest.format === 'custom' || a.manifest.format === 'tar') {
    // pg_restore reads a tar-format archive (pg_dump -Ft) as it is
    const file = path.join(dir, `backup.${a.manifest.format === 'tar' ? 'tar' : 'dump'}`)
    writeFileSync(file, raw)
    result = spawnSync(
      path.join(server.binDir, 'pg_restore'),
      ['--exit-on-error', '-d', target, file],
      { env }
    )
  } else {
    const tar = path.join(dir, 'backup.tar')
    writeFileSync(tar, raw)
    const unpacked = path.join(dir, 'unpacked')
    spawnSync('mkdir', [unpacked])
    expect(spawnSync('tar', ['-xf', tar, '-C', unpacked]).status).toBe(0)
    expect(readdirSync(unpacked)).toContain('toc.dat')
    result = spawnSync(
      path.join(server.binDir, 'pg_restore'),
      ['--exit-on-error', '-d', target, unpacked],
      { env }
    )
  }
  expect({ status: result.status, stderr: result.stderr?.toString() }).toEqual({
    status: 0,
    stderr: ''
  })
  return target
}

function expectCountsMatchDatabase(manifest: Manifest, only?: string[]): void {
  const counted = Object.fromEntries(
    manifest.rowCounts.tables.map(t => [`${t.schema}.${t.name}`, t.rows])
  )
  const expected = Object.fromEntries((only ?? ordinaryTables).map(t => [t, sourceCounts[t] ?? 0]))
  expect(counted).toEqual(expected)
  expect(manifest.rowCounts.totalRows).toBe(Object.values(expected).reduce((a, b) => a + b, 0))
}

describe.each<[DumpFormat, Compression]>([
  ['custom', 'zstd'],
  ['custom', 'gzip'],
  ['plain', 'zstd'],
  ['plain', 'none'],
  ['directory', 'gzip'],
  ['tar', 'zstd']
])('format %s, compression %s', (format, compression) => {
  let result: Awaited<ReturnType<typeof runBackup>>
  let a: Arrived
  let lines: string

  beforeAll(async () => {
    ;({ result, lines } = await logOf(() =>
      runBackup({
        format,
        compression,
        compressionLevel: compression === 'gzip' ? 6 : compression === 'zstd' ? 3 : 0,
        retentionDays: 7
      })
    ))
    a = await arrived(result.artifact!.name)
  })

  it('says what checked the dump (trial u13 F6: nothing for a directory archive)', () => {
    const tables = `data for ${a.manifest.rowCounts.tables.length} tables.`
    expect(lines).toContain(
      {
        custom: `pg_restore --list accepts the archive: `,
        directory: `pg_restore --list accepts the directory archive: `,
        tar: `pg_restore --list accepts the archive: `,
        plain: `Plain dump is complete; it holds ${tables}`
      }[format]
    )
    if (format !== 'plain') expect(lines).toMatch(new RegExp(`\\d+ entries, ${tables}`))
  })

  it('uploads the dump and its manifest, checksummed, kept retention-days', () => {
    expect(createHash('sha256').update(a.dump).digest('hex')).toBe(a.manifest.file.sha256)
    expect(a.manifest.file.sizeBytes).toBe(a.dump.length)
    expect(result.artifact!.digest).toBe(a.zipDigest)
    const expected = Date.now() + 7 * 24 * 3600 * 1000
    expect(Math.abs(a.expiresAt!.getTime() - expected)).toBeLessThan(10 * 60 * 1000)
    expect(a.manifest.format).toBe(format)
    expect(a.manifest.compression.algorithm).toBe(compression)
    expect(a.manifest.server.major).toBe(server.major)
    expect(a.manifest.database.name).toBe('shop')
    expect(a.manifest.rawSizeBytes).toBe(decompress(a.dump, compression).length)
    const ext = { custom: '.dump', plain: '.sql', directory: '.dir.tar', tar: '.tar' }[format]
    const cext = { zstd: '.zst', gzip: '.gz', none: '' }[compression]
    expect(a.manifest.file.name).toMatch(
      new RegExp(`^shop-\\d{8}T\\d{6}Z${ext.replace('.', '\\.')}${cext.replace('.', '\\.')}$`)
    )
  })

  it("records the exact row count of every table, taken in the dump's snapshot", () => {
    expect(a.manifest.rowCounts.method).toBe('exact')
    expect(a.manifest.rowCounts.sameSnapshot).toBe(true)
    expectCountsMatchDatabase(a.manifest)
  })

  it("lists the database's extensions, what a restore's target must offer (trial u58 F4)", async () => {
    const rows = await server.query<{ name: string; version: string; schema: string }>(
      source,
      `SELECT e.extname AS name, e.extversion AS version, n.nspname AS schema
         FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace ORDER BY 1`
    )
    expect(rows.length).toBeGreaterThan(0)
    expect(a.manifest.extensions).toEqual(rows)
    expect(a.manifest.extensions).toContainEqual(expect.objectContaining({ name: 'plpgsql' }))
  })

  it('restores by hand into a database equal to the source', async () => {
    const target = await restoreByHand(a)
    expect(await tableChecksums(server, target)).toEqual(await tableChecksums(server, source))
    await server.dropDatabase(target)
  })

  it('keeps secrets out of the manifest', () => {
    const text = JSON.stringify(a.manifest)
    expect(text).not.toContain(server.password)
    expect(text).not.toContain(encodeURIComponent(server.password))
  })
})

describe('filters', () => {
  it('backs up only the chosen tables and counts only those', async () => {
    const result = await runBackup({
      filters: {
        tables: ['public.customers'],
        excludeTables: [],
        excludeTableData: [],
        schemas: [],
        excludeSchemas: []
      }
    })
    const a = await arrived(result.artifact!.name)
    expectCountsMatchDatabase(a.manifest, ['public.customers'])
  })

  it('leaves out excluded table data and records no count for it', async () => {
    const result = await runBackup({
      format: 'plain',
      filters: {
        tables: [],
        excludeTables: [],
        excludeTableData: ['public.measurements'],
        schemas: [],
        excludeSchemas: []
      }
    })
    const a = await arrived(result.artifact!.name)
    expectCountsMatchDatabase(
      a.manifest,
      ordinaryTables.filter(t => t !== 'public.measurements')
    )
    expect(decompress(a.dump, 'zstd').toString('utf8')).toContain(
      'CREATE TABLE public.measurements'
    )
  })

  it('plain with pg_dump --inserts: the tables its INSERTs fill are counted in the manifest (trial u22 F2: none were)', async () => {
    const result = await runBackup({ format: 'plain', pgDumpArgs: ['--inserts'] })
    const a = await arrived(result.artifact!.name)
    // a table without rows has no INSERT: not listed, as pg_dump --inserts writes nothing for it
    const filled = ordinaryTables.filter(t => (sourceCounts[t] ?? 0) > 0)
    expect(filled.length).toBeGreaterThan(1)
    expectCountsMatchDatabase(a.manifest, filled)
  })

  it('with pg_dump --serializable-deferrable (and its prefix --ser): dumps, its counts taken beside it (attacker a98 F3: the action’s repeatable-read snapshot failed the dump)', async () => {
    for (const arg of ['--serializable-deferrable', '--ser']) {
      const result = await runBackup({ pgDumpArgs: [arg] })
      const a = await arrived(result.artifact!.name)
      expectCountsMatchDatabase(a.manifest, ordinaryTables)
      // such a pg_dump imports no snapshot: the counts are not said to be in its
      expect(a.manifest.rowCounts.sameSnapshot).toBe(false)
    }
  })

  it('fails naming the tables input when a pattern matches nothing, uploading nothing', async () => {
    const before = backend.artifacts().length
    const error = await runBackup({
      filters: {
        tables: ['public.no_such_table'],
        excludeTables: [],
        excludeTableData: [],
        schemas: [],
        excludeSchemas: []
      }
    }).catch(e => e)
    expect(String(error.message)).toMatch(
      /^Input 'tables': the pattern 'public.no_such_table' matches no table/
    )
    expect(backend.artifacts().length).toBe(before)
    expect(readdirSync(tempRoot).filter(f => f.startsWith('pg-backup-'))).toEqual([])
  })
})

describe('artifact names', () => {
  it('refuses an existing name before dumping, and replaces it with overwrite', async () => {
    const first = await runBackup({ artifactName: 'nightly' })
    const error = await runBackup({ artifactName: 'nightly' }).catch(e => e)
    expect(String(error.message)).toMatch(
      /^Input 'artifact-name': an artifact named 'nightly.zip' already exists/
    )
    const second = await runBackup({ artifactName: 'nightly', overwrite: true })
    expect(second.artifact!.id).not.toBe(first.artifact!.id)
    expect(first.artifact!.name).toBe('nightly.zip')
    const live = backend
      .artifacts()
      .filter(x => x.name === 'nightly.zip' && !x.deleted && x.runId === backend.currentRunId)
    expect(live.map(x => x.id)).toEqual([second.artifact!.id])
    // the temporary copy it was held as first is gone
    expect(backend.findArtifact('nightly.replacing.zip', backend.currentRunId)).toBeUndefined()
    expect((await arrived('nightly.zip')).manifest.file.sha256).toBe(second.manifest.file.sha256)
  })

  const liveIn = (name: string) =>
    backend
      .artifacts()
      .filter(x => x.name === name && x.finalized && !x.deleted && x.runId === backend.currentRunId)
      .map(x => x.id)

  it('overwrite with an upload that fails: the artifact it was to replace survives, whole (issue 14.5)', async () => {
    const first = await runBackup({ artifactName: 'kept' })
    const before = await arrived('kept.zip')
    backend.faults.quotaExceeded(1)
    const error = (await runBackup({ artifactName: 'kept', overwrite: true }).catch(
      (e: Error) => e
    )) as Error
    expect(error).toBeInstanceOf(Error)
    expect(error.message).toMatch(/storage quota/)
    expect(error.message).toMatch(/the artifact 'kept.zip' it was to replace is kept, unchanged/)
    expect(liveIn('kept.zip')).toEqual([first.artifact!.id])
    const after = await arrived('kept.zip')
    expect(after.zipDigest).toBe(before.zipDigest)
    expect(liveIn('kept.replacing.zip')).toEqual([])
  })

  it('overwrite whose second upload fails: the new backup is kept under the temporary name, and the error says which', async () => {
    await runBackup({ artifactName: 'swapped' })
    let creates = 0
    backend.faults.failNext(req => req.endpoint === 'CreateArtifact' && ++creates === 2, 1, 400, {
      code: 'invalid_argument',
      msg: 'injected'
    })
    const error = (await runBackup({ artifactName: 'swapped', overwrite: true }).catch(
      (e: Error) => e
    )) as Error
    const [held] = liveIn('swapped.replacing.zip')
    expect(held).toBeDefined()
    expect(error.message).toMatch(
      new RegExp(
        `kept as artifact 'swapped.replacing.zip' \\(id ${held}\\) — restore it with artifact-id: ${held}`
      )
    )
    // a whole backup is in the run: the zip with the dump and its manifest
    const kept = await arrived('swapped.replacing.zip')
    expect(createHash('sha256').update(kept.dump).digest('hex')).toBe(kept.manifest.file.sha256)
  })
})

describe('a column a migration dropped (trial u38 F2)', () => {
  it("the manifest lists each table's columns, and the next backup names the column it lacks", async () => {
    const db = await server.createDatabase('dropping')
    await server.query(
      db,
      `CREATE TABLE public.users (id integer PRIMARY KEY, name text, email text);
       INSERT INTO public.users VALUES (1, 'Ada', 'ada@example.com');`
    )
    const { changes, nextRun } = comparingRuns(backend)
    nextRun()
    const first = await harness.backup(
      testBackupInputs(server.url(db), { artifactName: 'dropping', changes })
    )
    expect(first.manifest.rowCounts.tables).toEqual([
      expect.objectContaining({ name: 'users', columns: ['id', 'name', 'email'] })
    ])
    await server.query(db, 'ALTER TABLE public.users DROP COLUMN name')
    nextRun()
    const { lines, result } = await logOf(() =>
      harness.backup(testBackupInputs(server.url(db), { artifactName: 'dropping', changes }))
    )
    expect(result.manifest.changes?.columnsGone).toEqual([
      { table: 'public.users', columns: ['name'] }
    ])
    expect(lines).toMatch(
      /::warning::public\.users lost 1 column since the previous backup \(.*\): name/
    )
  }, 60_000)
})

describe("retention-days above the repository's maximum (trial u37 F2)", () => {
  it('the artifact is kept the maximum, and the result and its notice say so', async () => {
    process.env.GITHUB_RETENTION_DAYS = '90'
    try {
      const { lines, result } = await logOf(() =>
        harness.backup(
          testBackupInputs(server.url(source), { artifactName: 'kept-long', retentionDays: 400 })
        )
      )
      expect(result.retentionDays).toBe(90)
      expect(lines).toContain(
        '::notice::retention-days is 400; the artifact is kept 90 days, the most this repository allows'
      )
      const stored = backend.findArtifact('kept-long.zip', backend.currentRunId)!
      const expected = Date.now() + 90 * 24 * 3600 * 1000
      expect(Math.abs(stored.expiresAt!.getTime() - expected)).toBeLessThan(10 * 60 * 1000)
    } finally {
      delete process.env.GITHUB_RETENTION_DAYS
    }
  }, 60_000)
})

describe('a backend that cannot list artifacts', () => {
  it('does not stop the backup: the name check is a courtesy, the upload still arrives', async () => {
    backend.faults.failNext('ListArtifacts', 1, 400, {
      code: 'malformed',
      msg: 'not supported here'
    })
    const { lines, result } = await logOf(() => runBackup({ artifactName: 'no-listing' }))
    const a = await arrived(result.artifact!.name)
    expect(a.manifest.file.sha256).toBe(result.manifest.file.sha256)
    // said once, in its own group (the lookup runs beside the connection; its word comes after)
    const said = lines.match(
      /Could not check whether an artifact named 'no-listing\.zip' exists[^\n]*/g
    )
    expect(said).toHaveLength(1)
    expect(said![0]).toMatch(/going on: the upload will say so if it does\.$/)
    expect(lines.indexOf('::group::Check the artifact name')).toBeGreaterThan(
      lines.indexOf('::group::Choose pg_dump')
    )
    expect(lines.indexOf(said![0])).toBeGreaterThan(
      lines.indexOf('::group::Check the artifact name')
    )
  })
})

describe('a backend that does not answer the artifact-name lookup', () => {
  it('goes on once the lookup took too long: warned once, in its group, and the upload arrives (attacker a94 F2)', async () => {
    backend.faults.delayNext('ListArtifacts', 1, 8_000)
    const started = Date.now()
    const { lines, result } = await logOf(() =>
      harness.backup(inputs({ artifactName: 'slow-listing' }), { lookupTimeoutMs: 500 })
    )
    const a = await arrived(result.artifact!.name)
    expect(a.manifest.file.sha256).toBe(result.manifest.file.sha256)
    // not held for the delay (8 s) the lookup waits out
    expect(Date.now() - started).toBeLessThan(7_000)
    const said = lines.match(
      /Could not check whether an artifact named 'slow-listing\.zip' exists[^\n]*/g
    )
    expect(said).toHaveLength(1)
    expect(said![0]).toContain("GitHub's artifact service did not answer in 1 s")
    expect(lines.indexOf(said![0])).toBeGreaterThan(
      lines.indexOf('::group::Check the artifact name')
    )
  }, 60_000)
})

describe('row counts', () => {
  it('uses planner estimates when asked', async () => {
    await server.query(source, 'ANALYZE')
    const result = await runBackup({ rowCounts: 'estimate' })
    const a = await arrived(result.artifact!.name)
    expect(a.manifest.rowCounts.method).toBe('estimate')
    const big = a.manifest.rowCounts.tables.find(
      t => `${t.schema}.${t.name}` === 'public.measurements'
    )
    expect(big?.rows).toBe(sourceCounts['public.measurements'])
  })

  it("records each table's size: pg_table_size where counted (never analyzed too), the catalog's where it knows one, none where it does not (trial u12 F4)", async () => {
    const db = await server.createDatabase()
    // autovacuum has not seen them: relpages 0, reltuples -1 in the catalog
    await server.query(
      db,
      `CREATE TABLE public.fresh (id int, body text) WITH (autovacuum_enabled = off);
       INSERT INTO public.fresh SELECT g, repeat('x', 500) FROM generate_series(1, 3000) g;
       CREATE TABLE public.analyzed (id int) WITH (autovacuum_enabled = off);
       INSERT INTO public.analyzed SELECT generate_series(1, 5000);
       ANALYZE public.analyzed;`
    )
    const sizes = Object.fromEntries(
      (
        await server.query<{ name: string; size: string; pages: string }>(
          db,
          `SELECT relname AS name, pg_table_size(oid)::text AS size,
                  (relpages::bigint * current_setting('block_size')::bigint)::text AS pages
             FROM pg_class WHERE relname IN ('fresh', 'analyzed')`
        )
      ).map(r => [r.name, { size: Number(r.size), pages: Number(r.pages) }])
    )
    expect(sizes.fresh.size).toBeGreaterThan(1_000_000)
    const manifestSizes = async (rowCounts: BackupOptions['rowCounts']) => {
      const result = await harness.backup(
        testBackupInputs(server.url(db), { artifactName: `sizes-${rowCounts}`, rowCounts })
      )
      return Object.fromEntries(
        result.manifest.rowCounts.tables.map(t => [t.name, t.sizeBytes ?? 'none'])
      )
    }
    expect(await manifestSizes('exact')).toEqual({
      analyzed: sizes.analyzed.size,
      fresh: sizes.fresh.size
    })
    expect(await manifestSizes('estimate')).toEqual({
      analyzed: sizes.analyzed.pages,
      fresh: 'none'
    })
  })
})
