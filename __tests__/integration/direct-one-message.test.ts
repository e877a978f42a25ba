/**
 * pg_restore -d sends each entry's SQL as one message, which the server parses whole before any
 * of it runs; psql (and the gate, which reads as psql does) goes statement by statement. An entry
 * that switches standard_conforming_strings off and then hides a statement in a '…\'…' literal
 * reads as one SELECT to the gate, but runs the hidden statement on the direct load. Such an
 * archive, and any with a literal whose end depends on that setting, is loaded by the gated psql
 * path: nothing hidden runs, and the rows are those of the source. A real 18 client and server.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { tableChecksums } from '../../dev/fixtures.js'
import { type TestServer, startPostgres } from '../../dev/postgres.js'
import { type LoadPlan, loadBackup } from '../../src/postgres/load.js'
import { rewriteArchiveToc } from '../support/archive-writer.js'
import { provisionedClient } from '../support/clients.js'
import { LOAD_OPTIONS, capturedLog } from '../support/direct-load.js'
import { embeddedBinDir } from '../support/embedded.js'

const client = provisionedClient(18)
const describeHere =
  'missing' in client
    ? (title: string, fn: () => void): void => describe.skip(`${title} — ${client.missing}`, fn)
    : describe

describeHere('an entry the server parses whole (pg_restore -d) differently from psql', () => {
  let server: TestServer
  let work: string
  let source: Buffer
  let n = 0

  beforeAll(async () => {
    if ('missing' in client) return
    work = mkdtempSync(path.join(os.tmpdir(), 'direct-one-message-'))
    // the server (user postgres when root) writes the PROGRAM's file here if the attack works
    chmodSync(work, 0o777)
    server = await startPostgres({ binDir: embeddedBinDir(18) })
    await server.createDatabase('scs_src')
    await server.query(
      'scs_src',
      `CREATE TABLE public.t (id integer PRIMARY KEY, v text);
       INSERT INTO public.t SELECT i, 'row ' || i FROM generate_series(1, 50) AS i;
       COMMENT ON TABLE public.t IS 'the table';`
    )
    source = execFileSync(path.join(client.binDir, 'pg_dump'), ['-Fc', '-Z0'], {
      env: server.env('scs_src'),
      maxBuffer: 1 << 28
    })
  }, 120_000)

  afterAll(async () => {
    await server?.stop()
    if (work) rmSync(work, { recursive: true, force: true })
  })

  function plan(): LoadPlan {
    if ('missing' in client) throw new Error(client.missing)
    return {
      format: 'custom',
      decoding: { compression: 'none' },
      client: {
        binDir: client.binDir,
        versionText: `pg_restore (PostgreSQL) ${client.version}`,
        version: client.version,
        major: client.major
      }
    }
  }

  /** The archive with the COMMENT entry's text replaced, loaded into a new database. */
  async function loadWithComment(
    defn: string
  ): Promise<{ database: string; out: string; result: unknown }> {
    const crafted = rewriteArchiveToc(source, entries =>
      entries.map(e => (e.desc === 'COMMENT' ? { ...e, defn } : e))
    )
    const file = path.join(work, `crafted-${++n}.dump`)
    writeFileSync(file, crafted)
    const database = await server.createDatabase()
    let result: unknown
    const out = await capturedLog(async () => {
      result = await loadBackup(
        { path: file },
        plan(),
        { env: server.env(database) as Record<string, string>, database, serverMajor: 18 },
        { ...LOAD_OPTIONS },
        mkdtempSync(path.join(work, 'work-'))
      ).catch((e: unknown) => e)
    })
    return { database, out, result }
  }

  async function exists(database: string, table: string): Promise<boolean> {
    const r = await server.query<{ n: number }>(
      database,
      `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public' AND tablename = '${table}'`
    )
    return r[0].n > 0
  }

  const hidden = (statement: string): string =>
    `SET standard_conforming_strings = off;\nSELECT 'x\\'; ${statement}; --';\n`

  it('the unmodified archive still loads directly (the control)', async () => {
    const { database, out, result } = await loadWithComment(
      "COMMENT ON TABLE public.t IS 'the table';\n"
    )
    expect(result).toEqual({ skipped: [], direct: true })
    expect(out).toMatch(/Loading with pg_restore -d directly/)
    expect(await tableChecksums(server, database)).toEqual(await tableChecksums(server, 'scs_src'))
  }, 120_000)

  it("SET standard_conforming_strings = off, then a COPY … TO PROGRAM in a literal: psql path, the program never runs (psql reads the gate's statements: a syntax error, nothing kept)", async () => {
    const mark = path.join(work, 'PWNED')
    const { database, out, result } = await loadWithComment(
      hidden(`COPY (SELECT 'pwned') TO PROGRAM 'touch ${mark}'`)
    )
    expect(out).not.toMatch(/Loading with pg_restore -d directly/)
    expect(out).toMatch(
      /Loading through the script gate into psql: the entry \d+ \(COMMENT\), its definition: a statement that changes \(or may change\) standard_conforming_strings/
    )
    expect(existsSync(mark)).toBe(false)
    // psql reads what the gate read: one string up to the quote before "pwned", then a syntax
    // error (as psql by hand); the one transaction keeps nothing
    expect((result as Error).message).toMatch(/syntax error at or near "'\) TO PROGRAM '"/)
    expect(await exists(database, 't')).toBe(false)
  }, 120_000)

  it('a hidden COMMIT and CREATE TABLE: psql path, no hidden table, nothing half-committed', async () => {
    const { database, out } = await loadWithComment(
      hidden('COMMIT; CREATE TABLE public.hidden_scs (id integer)') + 'SELECT 1/0;\n'
    )
    expect(out).toMatch(/Loading through the script gate into psql: the entry \d+ \(COMMENT\)/)
    expect(await exists(database, 'hidden_scs')).toBe(false)
    // psql runs the SELECT 1/0 after the SELECT: the one transaction keeps nothing
    expect(await exists(database, 't')).toBe(false)
  }, 120_000)

  it("a literal that ends elsewhere with standard_conforming_strings off ('x\\'): psql path, rows equal", async () => {
    const { database, out } = await loadWithComment(
      "COMMENT ON TABLE public.t IS 'the table';\nSELECT 'x\\' AS a, ' ; CREATE TABLE public.hidden_lit (id integer); --';\n"
    )
    expect(out).toMatch(
      /Loading through the script gate into psql: the entry \d+ \(COMMENT\), its definition: a string literal that ends elsewhere/
    )
    expect(await exists(database, 'hidden_lit')).toBe(false)
    expect(await tableChecksums(server, database)).toEqual(await tableChecksums(server, 'scs_src'))
  }, 120_000)
})
