/**
 * A backup of a database as users have it at 2 AM (issue 16): a read-only backup role, an
 * extension with its own tables, a table another session holds locked, filters with quoted
 * names. The action must never be weaker, slower to fail or less permissive than pg_dump run by
 * hand: every assertion is on what arrived (the artifact, its manifest), what the log says and
 * how long it took.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import pg from 'pg'
import { type ArtifactBackend, unzipEntries } from '../../dev/artifact-backend.js'
import type { TestServer } from '../../dev/postgres.js'
import { parseList } from '../../src/inputs.js'
import { type Log, actionLog, useLog } from '../../src/log.js'
import { backupSummaryMarkdown } from '../../src/summary.js'
import type { Manifest } from '../../src/manifest.js'
import type { BackupOptions } from '../../src/types.js'
import { useHarness } from '../support/harness.js'
import { testBackupInputs } from '../support/inputs.js'
import { installProbeExtension } from '../support/probe-extension.js'

const harness = useHarness({ name: 'backup-busy-test' })
let server: TestServer
let backend: ArtifactBackend
let db: string
let extensionAvailable = false
const READER_PASSWORD = 'reader-pw-16'

const lines: string[] = []
const capture: Log = {
  info: m => void lines.push(m),
  warning: m => void lines.push(`warning: ${m}`),
  notice: m => void lines.push(`notice: ${m}`),
  debug: () => undefined,
  group: async (name, fn) => {
    lines.push(`▸ ${name}`)
    return fn()
  },
  progressStyle: 'lines',
  progress: () => undefined
}

beforeAll(async () => {
  ;({ server, backend } = harness)
  useLog(capture)
  db = await server.createDatabase('busy')
  await server.query(
    db,
    `CREATE SCHEMA app;
     CREATE TABLE app.orders (id int PRIMARY KEY, total numeric);
     INSERT INTO app.orders SELECT g, g * 1.5 FROM generate_series(1, 250) g;
     CREATE TABLE app."logs, archived" (id int, line text);
     INSERT INTO app."logs, archived" SELECT g, 'line ' || g FROM generate_series(1, 40) g;
     CREATE TABLE app.busy (id int);
     INSERT INTO app.busy SELECT generate_series(1, 7);
     CREATE ROLE reader LOGIN PASSWORD '${READER_PASSWORD}';
     GRANT USAGE ON SCHEMA app TO reader;
     GRANT SELECT ON ALL TABLES IN SCHEMA app TO reader;`
  )
  // the database holds only the app's schema: public is dropped so the reader can dump it all
  await server.query(db, 'DROP SCHEMA public CASCADE')
  extensionAvailable = installProbeExtension(server.binDir)
  if (extensionAvailable) {
    await server.query(
      db,
      `CREATE SCHEMA ext;
       CREATE EXTENSION pgbk16_probe SCHEMA ext;
       INSERT INTO ext.ext_settings VALUES ('mine', '3', false);
       GRANT USAGE ON SCHEMA ext TO reader;
       GRANT SELECT ON ext.ext_settings TO reader;`
    )
  }
}, 120_000)

afterAll(() => {
  useLog(actionLog)
})

function inputs(overrides: Partial<BackupOptions> = {}, url = server.url(db)): BackupOptions {
  return testBackupInputs(url, {
    artifactName: `busy-${Math.random().toString(36).slice(2, 8)}`,
    ...overrides
  })
}

async function arrived(name: string): Promise<{ manifest: Manifest; dump: Buffer }> {
  const stored = backend.findArtifact(name, backend.currentRunId)
  if (!stored) throw new Error(`artifact ${name} did not arrive`)
  const entries = await unzipEntries(stored.bytes)
  const manifest = JSON.parse(entries.get('manifest.json')!.toString('utf8')) as Manifest
  return { manifest, dump: zlib.zstdDecompressSync(entries.get(manifest.file.name)!) }
}

function counts(manifest: Manifest): Record<string, number | null> {
  return Object.fromEntries(manifest.rowCounts.tables.map(t => [`${t.schema}.${t.name}`, t.rows]))
}

/** A session that holds `table` ACCESS EXCLUSIVE (a migration at 2 AM) until release(). */
async function holdLock(
  table: string,
  applicationName: string
): Promise<{ pid: number; release: () => Promise<void> }> {
  const client = new pg.Client({
    connectionString: server.url(db, { params: { application_name: applicationName } })
  })
  await client.connect()
  const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid
  await client.query('BEGIN')
  await client.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`)
  let released = false
  return {
    pid,
    release: async () => {
      if (released) return
      released = true
      await client.query('ROLLBACK').catch(() => undefined)
      await client.end()
    }
  }
}

describe('a read-only backup role, an extension with its own tables (16.2)', () => {
  it("counts exactly the tables whose data pg_dump dumped, not the extension's internal ones", async () => {
    if (!extensionAvailable) return
    const before = lines.length
    const result = await harness.backup(
      inputs({}, server.url(db, { user: 'reader', password: READER_PASSWORD }))
    )
    const { manifest } = await arrived(result.artifact!.name)
    // the internal table is not in the dump, so it is not counted; the configuration table is
    // counted with the condition pg_dump dumps it with (1 of its 3 rows)
    expect(counts(manifest)).toEqual({
      'app.busy': 7,
      'app.logs, archived': 40,
      'app.orders': 250,
      'ext.ext_settings': 1
    })
    expect(manifest.rowCounts.totalRows).toBe(298)
    expect(lines.slice(before).join('\n')).not.toMatch(/could not be counted/)
  })
})

describe('filters with quoted names (16.6)', () => {
  it('keeps a comma inside quotes in one pattern and warns about an exclude that matches nothing', async () => {
    const before = lines.length
    const excludeTableData = parseList('app."logs, archived", app.no_such_table\n app.ord*')
    expect(excludeTableData).toEqual(['app."logs, archived"', 'app.no_such_table', 'app.ord*'])
    const result = await harness.backup(
      inputs({
        format: 'plain',
        filters: {
          tables: [],
          excludeTables: [],
          excludeTableData,
          schemas: [],
          excludeSchemas: ['no_such_schema']
        }
      })
    )
    const { manifest, dump } = await arrived(result.artifact!.name)
    const sql = dump.toString('utf8')
    expect(sql).toContain('CREATE TABLE app."logs, archived"')
    expect(sql).not.toContain('line 17')
    expect(sql).not.toMatch(/COPY app\.orders/)
    expect(counts(manifest)).toMatchObject({ 'app.busy': 7 })
    expect(Object.keys(counts(manifest))).not.toContain('app.logs, archived')
    const log = lines.slice(before)
    const warnings = log.filter(l => l.startsWith('warning: '))
    expect(warnings).toHaveLength(2)
    expect(warnings[0]).toMatch(
      /exclude pattern 'app\.no_such_table' \(pg_dump --exclude-table-data\) matches no table/
    )
    expect(warnings[1]).toMatch(/exclude pattern 'no_such_schema' \(pg_dump --exclude-schema\)/)
  })
})

describe('a table another session holds locked (16.1)', () => {
  it("fails as soon as pg_dump's --lock-wait-timeout says, naming the table and the session", async () => {
    const holder = await holdLock('app.busy', 'nightly-migration')
    // on a build that waits for the lock, the wait ends when the holder lets go
    const letGo = setTimeout(() => void holder.release(), 40_000)
    const before = lines.length
    const artifactsBefore = backend.artifacts().length
    const started = Date.now()
    try {
      const error = (await harness
        .backup(inputs({ pgDumpArgs: ['--lock-wait-timeout=3s'] }))
        .catch((e: unknown) => e)) as Error
      const seconds = (Date.now() - started) / 1000
      expect(error).toBeInstanceOf(Error)
      expect(error.message).toMatch(/pg_dump gave up waiting for a lock \(--lock-wait-timeout=3s\)/)
      expect(error.message).toContain('app.busy is locked by')
      expect(error.message).toContain(`pid ${holder.pid}`)
      expect(error.message).toContain("application_name 'nightly-migration'")
      expect(error.message).toMatch(/idle in transaction since \d{4}-\d\d-\d\dT/)
      // pg_dump by hand gives up after 3 s; the action adds no wait of its own
      expect(seconds).toBeLessThan(15)
      expect(backend.artifacts().length).toBe(artifactsBefore)
      expect(lines.slice(before).join('\n')).toMatch(
        new RegExp(
          `pg_dump waits for a lock on app\\.busy: pid ${holder.pid} \\(application_name 'nightly-migration'`
        )
      )
    } finally {
      clearTimeout(letGo)
      await holder.release()
    }
  })

  it('does not fail a dump pg_dump made when a count cannot get its lock: it says which and why', async () => {
    // pg_dump holds app.busy ACCESS SHARE while it dumps; the "migration" queues for ACCESS
    // EXCLUSIVE behind it and gets it when pg_dump ends — the count after the dump then waits
    await server.query(
      db,
      `CREATE TABLE app.big AS SELECT g AS id, repeat('x', 200) AS pad FROM generate_series(1, 400000) g;
       GRANT SELECT ON app.big TO reader`
    )
    const migration = new pg.Client({
      connectionString: server.url(db, { params: { application_name: 'late-migration' } })
    })
    await migration.connect()
    const migrationPid = (await migration.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'))
      .rows[0].pid
    let stop = false
    const queued = (async () => {
      // wait until pg_dump holds its lock on app.busy, then queue behind it
      while (!stop) {
        const held = await server.query(
          db,
          `SELECT 1 FROM pg_locks l JOIN pg_stat_activity a USING (pid)
            WHERE a.application_name = 'postgres-backup-action' AND a.backend_type = 'client backend'
              AND a.query LIKE 'COPY%' AND l.relation = 'app.busy'::regclass AND l.granted`
        )
        if (held.length > 0) break
        await new Promise(resolve => setTimeout(resolve, 10))
      }
      if (stop) return
      await migration.query('BEGIN')
      await migration.query('LOCK TABLE app.busy IN ACCESS EXCLUSIVE MODE')
    })()
    const before = lines.length
    const started = Date.now()
    try {
      const result = await harness.backup(inputs({ format: 'plain', lockTimeoutMs: 2000 }))
      const seconds = (Date.now() - started) / 1000
      const { manifest, dump } = await arrived(result.artifact!.name)
      expect(dump.toString('utf8')).toMatch(/COPY app\.busy/)
      const busy = manifest.rowCounts.tables.find(t => t.name === 'busy')!
      expect(busy.rows).toBeNull()
      expect(busy.uncounted).toMatch(
        /its lock was not granted within \d+\.\d s \(lock timeout 2\.0 s\)/
      )
      expect(busy.uncounted).toContain(`pid ${migrationPid} (application_name 'late-migration'`)
      expect(counts(manifest)).toMatchObject({ 'app.orders': 250, 'app.big': 400000 })
      expect(manifest.rowCounts.totalRows).toBeNull()
      const summary = backupSummaryMarkdown(result)
      expect(summary).toMatch(/\*\*Not counted\*\*/)
      // (names in the summary are escaped as text: no code spans, quotes as entities)
      expect(summary).toMatch(/- app\.busy: its lock was not granted within .*late-migration/)
      expect(lines.slice(before).join('\n')).toMatch(
        /warning: The rows of app\.busy were not counted: its lock was not granted/
      )
      expect(seconds).toBeLessThan(60)
    } finally {
      stop = true
      await queued.catch(() => undefined)
      await migration.query('ROLLBACK').catch(() => undefined)
      await migration.end()
      await server.query(db, 'DROP TABLE app.big')
    }
  })
})

/**
 * A pg_dump that pauses mid-stream (a throttled server, rows that compress 50:1, a long pause
 * between tables): the real pg_dump of the server, its output held back for `pauseMs` after
 * `afterBytes` bytes. pg_restore beside it is the real one.
 */
function pausingPgDump(dir: string, afterBytes: number, pauseMs: number): string {
  mkdirSync(dir, { recursive: true })
  const script = path.join(dir, 'pg_dump')
  writeFileSync(
    script,
    `#!${process.execPath}
const { spawn } = require('node:child_process')
const real = ${JSON.stringify(path.join(server.binDir, 'pg_dump'))}
const child = spawn(real, process.argv.slice(2), { stdio: ['ignore', 'pipe', 'inherit'] })
let sent = 0
let paused = false
child.stdout.on('data', chunk => {
  if (!paused && sent + chunk.length > ${afterBytes}) {
    paused = true
    child.stdout.pause()
    process.stdout.write(chunk)
    setTimeout(() => child.stdout.resume(), ${pauseMs})
  } else if (!process.stdout.write(chunk)) {
    child.stdout.pause()
    process.stdout.once('drain', () => child.stdout.resume())
  }
  sent += chunk.length
})
child.on('close', code => process.stdout.end(() => process.exit(code ?? 1)))
`
  )
  chmodSync(script, 0o755)
  symlinkSync(path.join(server.binDir, 'pg_restore'), path.join(dir, 'pg_restore'))
  return dir
}

describe('a dump that pauses mid-stream (16.8)', () => {
  it("completes the artifact although no block finished for longer than the client's stall limit", async () => {
    await server.query(
      db,
      `CREATE TABLE app.wide AS SELECT g AS id, md5(g::text) || md5((g * 7)::text) AS pad
         FROM generate_series(1, 120000) g;
       GRANT SELECT ON app.wide TO reader`
    )
    const saved = process.env.ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS
    // the client's watchdog shortened to 1.5 s; pg_dump pauses 6 s after 2 MB
    process.env.ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS = '1500'
    const binDir = pausingPgDump(path.join(harness.work, 'pausing-bin'), 2_000_000, 6000)
    const before = lines.length
    try {
      const result = await harness.backup(
        inputs({ pgBinDir: binDir, compression: 'none', format: 'custom' })
      )
      expect(process.env.ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS).toBe('1500')
      const stored = backend.findArtifact(result.artifact!.name, backend.currentRunId)!
      const entries = await unzipEntries(stored.bytes)
      const manifest = JSON.parse(entries.get('manifest.json')!.toString('utf8')) as Manifest
      const dump = entries.get(manifest.file.name)!
      expect(dump.length).toBe(manifest.file.sizeBytes)
      expect(dump.length).toBeGreaterThan(4_000_000)
      expect(counts(manifest)).toMatchObject({ 'app.wide': 120000, 'app.orders': 250 })
      // the archive is whole: pg_restore lists it, data for app.wide included
      const file = path.join(harness.work, 'paused.dump')
      writeFileSync(file, dump)
      const listed = execFileSync(path.join(server.binDir, 'pg_restore'), ['--list', file], {
        encoding: 'utf8'
      })
      expect(listed).toMatch(/TABLE DATA app wide/)
      expect(lines.slice(before).join('\n')).not.toMatch(/stalled/i)
    } finally {
      if (saved === undefined) delete process.env.ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS
      else process.env.ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS = saved
      await server.query(db, 'DROP TABLE app.wide')
    }
  })

  it('still fails, within the stall limit, when the artifact storage stops taking blocks', async () => {
    await server.query(
      db,
      `CREATE TABLE app.wide AS SELECT g AS id, md5(g::text) || md5((g * 7)::text) AS pad
         FROM generate_series(1, 400000) g`
    )
    const saved = process.env.ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS
    process.env.ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS = '2000'
    // the storage takes the first block's bytes and then does not answer for a minute
    backend.faults.delayNext('blob:stageBlock', 2, 60_000)
    const finalized = (): number => backend.artifacts().filter(a => a.finalized).length
    const before = finalized()
    const started = Date.now()
    try {
      const error = (await harness
        .backup(inputs({ compression: 'none', format: 'custom' }))
        .catch((e: unknown) => e)) as Error
      const seconds = (Date.now() - started) / 1000
      expect(error).toBeInstanceOf(Error)
      expect(error.message).toMatch(
        /Upload progress stalled: the artifact storage took none of the backup's bytes for \d+ s \(ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS: 2000 ms\)/
      )
      // the dump up to the stall, the limit (2 s), and as long again for the client to let go —
      // not the storage's 60 s (a backup without the action's own watchdog would then complete)
      expect(seconds).toBeLessThan(45)
      // nothing was finalized: the backup left no artifact behind
      expect(finalized()).toBe(before)
      expect(process.env.ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS).toBe('2000')
    } finally {
      backend.faults.reset()
      if (saved === undefined) delete process.env.ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS
      else process.env.ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS = saved
      await server.query(db, 'DROP TABLE app.wide')
    }
  })
})
