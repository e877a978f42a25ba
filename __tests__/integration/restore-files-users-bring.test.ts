/**
 * Restore day with files users bring (user trial 7): Supabase's three files (roles.sql, a schema
 * and a data dump, each ending "RESET ALL;") restore as psql by hand does them; a roles-only file
 * is named as such with what to do; no message, log line or summary quotes a password of the
 * file; a LATIN1 script without SET client_encoding fails with the way out.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { runTool, tableChecksums } from '../../dev/fixtures.js'
import type { TestServer } from '../../dev/postgres.js'
import { type Log, actionLog, useLog } from '../../src/log.js'
import type { RestoreOptions } from '../../src/types.js'
import { useHarness } from '../support/harness.js'
import { testRestoreInputs } from '../support/inputs.js'

const harness = useHarness({ name: 'restore-files-users-bring' })
let server: TestServer

const lines: string[] = []
const capture: Log = {
  ...actionLog,
  info: m => void lines.push(m),
  warning: m => void lines.push(`warning: ${m}`),
  notice: m => void lines.push(`notice: ${m}`),
  debug: () => undefined,
  group: async (_name, fn) => fn(),
  progressStyle: 'lines',
  progress: () => undefined
}

beforeAll(() => {
  server = harness.server
  useLog(capture)
})
afterAll(() => useLog(actionLog))

function restore(target: string, file: string, overrides: Partial<RestoreOptions> = {}) {
  return harness.restore(
    testRestoreInputs(server.url(target), { kind: 'file', path: file }, overrides)
  )
}

const failure = (p: Promise<unknown>): Promise<Error | undefined> =>
  p.then(
    () => undefined,
    (e: unknown) => e as Error
  )

async function psql(database: string, sql: string): Promise<void> {
  await runTool(
    path.join(server.binDir, 'psql'),
    ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', server.url(database)],
    server.env(database),
    sql
  )
}

function write(name: string, text: string | Buffer): string {
  const file = path.join(harness.work, name)
  writeFileSync(file, text)
  return file
}

const SCRAM =
  'SCRAM-SHA-256$4096:hs8x/nDXFLothX4S19jwEg==$OiNm7B+UfyeU3v5mCK+ddPMjOcsd4tJgWWhMFX2pJ0M=:hZWY06GP3MBPeuOkVUjcqq3IGINKnixdaRtsYBP+MjA='

describe("Supabase's db dump files: roles.sql, schema.sql, data.sql (each ends RESET ALL;)", () => {
  let source: string
  let schema: string
  let data: string
  beforeAll(async () => {
    source = await server.createDatabase('u7_supabase_src')
    await psql(
      source,
      `CREATE TABLE public.customers (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text, note text);
       CREATE TABLE public.orders (id serial PRIMARY KEY, customer int REFERENCES public.customers, total numeric);
       INSERT INTO public.customers (name, note) SELECT 'c' || g, 'back\\slash ' || g FROM generate_series(1, 20) g;
       INSERT INTO public.orders (customer, total) SELECT 1 + g % 20, g * 1.5 FROM generate_series(1, 50) g;`
    )
    const dump = (args: string[]) =>
      runTool(path.join(server.binDir, 'pg_dump'), args, server.env(source))
    // as supabase db dump writes them: pg_dump's output, then echo "RESET ALL;"
    schema = write(
      'schema.sql',
      `${await dump(['--schema-only', '--no-owner', '--no-privileges'])}\nRESET ALL;\n`
    )
    data = write(
      'data.sql',
      `SET session_replication_role = replica;\n\n${await dump(['--data-only', '--inserts', '--no-owner'])}\nRESET ALL;\n`
    )
  }, 60_000)

  it('schema then data (allow-non-empty) restore as psql -f by hand does, the rows identical', async () => {
    const target = await server.createDatabase()
    lines.length = 0
    await restore(target, schema)
    const result = await restore(target, data, { allowNonEmpty: true })
    expect(result.rowsRestored).toBe(70)
    expect(await tableChecksums(server, target)).toEqual(await tableChecksums(server, source))
    await server.dropDatabase(target)
  }, 60_000)

  it.each([
    ['RESET standard_conforming_strings;'],
    ['SET standard_conforming_strings TO DEFAULT;'],
    ['SET standard_conforming_strings = DEFAULT;\nRESET client_encoding;']
  ])(
    '%s, then more statements with a backslash: followed as psql follows it',
    async reset => {
      const target = await server.createDatabase()
      const file = write(
        'reset.sql',
        `SET standard_conforming_strings = off;\nCREATE TABLE public.t (v text);\nINSERT INTO public.t VALUES (E'a\\\\b');\n${reset}\nINSERT INTO public.t VALUES ('c\\d');\n`
      )
      await restore(target, file)
      expect(
        (await server.query(target, 'SELECT v FROM public.t ORDER BY v')).map(r => r.v)
      ).toEqual(['a\\b', 'c\\d'])
      await server.dropDatabase(target)
    },
    60_000
  )

  it('roles.sql (supabase db dump --role-only): named a roles-only file, what to do; its verifier never shown', async () => {
    const roles = write(
      'roles.sql',
      `SET statement_timeout = 0;\nSET lock_timeout = 0;\nCREATE ROLE mover;\nALTER ROLE mover WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB LOGIN NOREPLICATION NOBYPASSRLS PASSWORD '${SCRAM}';\n\nRESET ALL;\n`
    )
    for (const createRoles of [false, true]) {
      const target = await server.createDatabase()
      lines.length = 0
      const error = await failure(restore(target, roles, { createRoles }))
      expect(error?.message).toMatch(
        /the SQL script roles\.sql holds only roles \(line 3: "CREATE ROLE mover;", and 1 more statement on roles up to line 4; no database, no table\): a roles-only file \(supabase db dump --role-only, pg_dumpall --roles-only or --globals-only\)/
      )
      expect(error?.message).toContain('psql -v ON_ERROR_STOP=1 -f FILE "$DATABASE_URL"')
      expect(error?.message).not.toMatch(/awk|creates roles and databases/)
      expect(`${error?.message}\n${lines.join('\n')}`).not.toContain('hs8x')
      expect(await server.query(target, "SELECT 1 FROM pg_roles WHERE rolname = 'mover'")).toEqual(
        []
      )
      await server.dropDatabase(target)
    }
  }, 60_000)
})

describe('a password in a statement of the file is never quoted (u7 lk3, lk4, lk5)', () => {
  it.each([
    [
      'CREATE ROLE',
      "CREATE ROLE webuser WITH LOGIN PASSWORD 'Pl41n-S3cret-pw';",
      'Pl41n-S3cret-pw'
    ],
    ['ALTER ROLE', "ALTER ROLE ghost_user WITH PASSWORD 'Pl41n-Tw0-secret';", 'Pl41n-Tw0-secret'],
    [
      'CREATE USER',
      "CREATE USER lk5u PASSWORD 'Pl41n-Thr33' IN ROLE nonexistent_role;",
      'Pl41n-Thr33'
    ]
  ])(
    '%s in a pg_dump script: refused, naming the statement, the password cut',
    async (_k, statement, secret) => {
      const target = await server.createDatabase()
      const file = write(
        'pw.sql',
        `--\n-- PostgreSQL database dump\n--\n\nSET statement_timeout = 0;\nCREATE TABLE public.t (a int);\n${statement}\nCREATE TABLE public.u (a int);\n\n--\n-- PostgreSQL database dump complete\n--\n\n`
      )
      lines.length = 0
      const error = await failure(restore(target, file))
      expect(error?.message).toMatch(/line 7: ".*PASSWORD '…'.*" creates, changes or drops a role/)
      expect(error?.message).not.toMatch(/pg_dumpall file|creates roles and databases/)
      expect(`${error?.message}\n${lines.join('\n')}`).not.toContain(secret)
      await server.dropDatabase(target)
    },
    60_000
  )
})

describe('a LATIN1 script without SET client_encoding (u7 F14)', () => {
  const body = (encoding: string) =>
    Buffer.concat([
      Buffer.from(
        `${encoding}CREATE TABLE public.people (id int, name text);\nCOPY public.people (id, name) FROM stdin;\n1\t`
      ),
      Buffer.from('Jos\xe9 M\xfcller', 'latin1'),
      Buffer.from('\n\\.\n')
    ])

  it('fails with the way out (SET client_encoding, or iconv); with the line it restores', async () => {
    const target = await server.createDatabase()
    const error = await failure(restore(target, write('latin1.sql', body(''))))
    expect(error?.message).toMatch(/invalid byte sequence for encoding "UTF8"/)
    expect(error?.message).toContain(
      "Put SET client_encoding = 'LATIN1'; (or the file's real encoding) as its first line"
    )
    expect(error?.message).toContain('iconv -f LATIN1 -t UTF-8 FILE')
    // the advice works
    await restore(target, write('latin1-set.sql', body("SET client_encoding = 'LATIN1';\n")))
    expect(await server.query(target, 'SELECT name FROM public.people')).toEqual([
      { name: 'José Müller' }
    ])
    await server.dropDatabase(target)
  }, 60_000)
})

describe('scripts in other encodings (trial u27 F1, F2)', () => {
  it('a plain pg_dump of a LATIN1 database (accents in its first 8 KiB) restores as psql -1 -f does', async () => {
    const source = 'u27_latin1_src'
    await server.query(
      'postgres',
      `CREATE DATABASE ${source} TEMPLATE template0 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C'`
    )
    await psql(
      source,
      `CREATE TABLE public.people (id int PRIMARY KEY, name text);
       DO $$ BEGIN EXECUTE format('COMMENT ON TABLE public.people IS %L', 'Kunden: M' || chr(252) || 'ller, Caf' || chr(233)); END $$;
       INSERT INTO public.people SELECT g, 'M' || chr(252) || 'ller Caf' || chr(233) || ' Se' || chr(241) || 'or ' || g FROM generate_series(1, 400) g;`
    )
    const dumped = path.join(harness.work, 'latin1db.sql')
    await runTool(
      path.join(server.binDir, 'pg_dump'),
      ['-d', server.url(source), '-f', dumped],
      // pg_dump writes the database's own encoding unless told another
      { ...server.env(source), PGCLIENTENCODING: 'LATIN1' }
    )
    const { readFileSync } = await import('node:fs')
    const head = readFileSync(dumped).subarray(0, 8192)
    expect(head.toString('latin1')).toContain("SET client_encoding = 'LATIN1';")
    // what made the check refuse it: more than a few bytes that are no UTF-8
    expect((head.toString('utf8').match(/\uFFFD/g) ?? []).length).toBeGreaterThan(3)
    const byHand = await server.createDatabase()
    await runTool(
      path.join(server.binDir, 'psql'),
      ['-X', '-q', '-1', '-v', 'ON_ERROR_STOP=1', '-d', server.url(byHand), '-f', dumped],
      server.env(byHand)
    )
    for (const file of [
      dumped,
      write('latin1db.sql.gz', (await import('node:zlib')).gzipSync(readFileSync(dumped)))
    ]) {
      const target = await server.createDatabase()
      await restore(target, file)
      expect(await tableChecksums(server, target)).toEqual(await tableChecksums(server, byHand))
      expect(await server.query(target, 'SELECT name FROM public.people WHERE id = 7')).toEqual([
        { name: 'Müller Café Señor 7' }
      ])
      await server.dropDatabase(target)
    }
    await server.dropDatabase(byHand)
  }, 90_000)

  it('a WIN1252 script without SET client_encoding ("ANSI", accents early) fails with the way out, not as no script', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => `${i}\tJos\xe9 M\xfcller \x80${i}`).join('\n')
    const text = Buffer.from(
      `CREATE TABLE public.people (id int, name text);\nCOPY public.people (id, name) FROM stdin;\n${rows}\n\\.\n`,
      'latin1'
    )
    const target = await server.createDatabase()
    const error = await failure(restore(target, write('ansi.sql', text)))
    expect(error?.message).toMatch(/invalid byte sequence for encoding "UTF8"/)
    expect(error?.message).toContain('iconv -f LATIN1 -t UTF-8 FILE')
    expect(
      await server.query(
        target,
        "SELECT count(*)::int AS n FROM pg_catalog.pg_class WHERE relname = 'people'"
      )
    ).toEqual([{ n: 0 }])
    await server.dropDatabase(target)
  }, 60_000)

  it('a UTF-16 script (PowerShell 5: pg_dump … > db.sql) is named as such with the iconv that converts it', async () => {
    const sql =
      "CREATE TABLE public.people (id int, name text);\nINSERT INTO public.people VALUES (1, 'José');\n"
    const target = await server.createDatabase()
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(sql, 'utf16le')])
    let error = await failure(restore(target, write('ps.sql', le)))
    expect(error?.message).toContain('is text in UTF-16 (little-endian, with a byte-order mark)')
    expect(error?.message).toContain('iconv -f UTF-16 -t UTF-8 ps.sql > ps.utf8.sql')
    const be = Buffer.from(sql, 'utf16le').swap16()
    const { gzipSync } = await import('node:zlib')
    error = await failure(restore(target, write('be.sql.gz', gzipSync(be))))
    expect(error?.message).toContain('is text in UTF-16 (big-endian)')
    expect(error?.message).toContain(
      'gzip -dc be.sql.gz | iconv -f UTF-16BE -t UTF-8 > be.utf8.sql'
    )
    // the conversion the message gives restores it
    await restore(target, write('ps.utf8.sql', Buffer.from(le.subarray(2).toString('utf16le'))))
    expect(await server.query(target, 'SELECT name FROM public.people')).toEqual([{ name: 'José' }])
    await server.dropDatabase(target)
  }, 60_000)
})
