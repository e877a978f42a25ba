/**
 * Files users bring that hold roles (u7): a roles-only file is named as such with what to do,
 * a pg_dump script with one role statement is not called a pg_dumpall file, a whole cluster
 * still is — and no message quotes a password of the file.
 */
import { describe, expect, it } from '@jest/globals'
import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { ScriptGate } from '../../src/postgres/script-gate.js'

async function gate(
  script: string,
  chunk = 64 * 1024
): Promise<{ out: string; error?: Error; skipped: ScriptGate['skipped'] }> {
  const g = new ScriptGate({ psqlMajor: 18, transaction: true, source: 'the SQL script f.sql' })
  const buf = Buffer.from(script)
  const chunks: Buffer[] = []
  for (let i = 0; i < buf.length; i += chunk) chunks.push(buf.subarray(i, i + chunk))
  const out: Buffer[] = []
  const sink = new Writable({
    write: (c: Buffer, _e, cb) => {
      out.push(c)
      cb()
    }
  })
  try {
    await pipeline(Readable.from(chunks), g, sink)
    return { out: Buffer.concat(out).toString('utf8'), skipped: g.skipped }
  } catch (error) {
    return { out: Buffer.concat(out).toString('utf8'), error: error as Error, skipped: g.skipped }
  }
}

const SCRAM =
  'SCRAM-SHA-256$4096:hs8x/nDXFLothX4S19jwEg==$OiNm7B+UfyeU3v5mCK+ddPMjOcsd4tJgWWhMFX2pJ0M=:hZWY06GP3MBPeuOkVUjcqq3IGINKnixdaRtsYBP+MjA='

/** supabase db dump --role-only, as /tmp/u7/mv/roles.sql. */
const SUPABASE_ROLES = `SET statement_timeout = 0;
SET lock_timeout = 0;
CREATE ROLE mover;
ALTER ROLE mover WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB LOGIN NOREPLICATION NOBYPASSRLS PASSWORD '${SCRAM}';

RESET ALL;
`

/** pg_dumpall 17 --roles-only (header, \\restrict, roles, memberships). */
const DUMPALL_ROLES = `--
-- PostgreSQL database cluster dump
--

\\restrict abc123

SET default_transaction_read_only = off;

SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;

--
-- Roles
--

CREATE ROLE app;
ALTER ROLE app WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB LOGIN NOREPLICATION NOBYPASSRLS PASSWORD 'md5a1b2c3d4e5f60718293a4b5c6d7e8f90';
CREATE ROLE postgres;
ALTER ROLE postgres WITH SUPERUSER INHERIT CREATEROLE CREATEDB LOGIN REPLICATION BYPASSRLS;

--
-- Role memberships
--

GRANT pg_read_all_data TO app WITH INHERIT TRUE GRANTED BY postgres;
COMMENT ON ROLE app IS 'the app';
CREATE TABLESPACE fast OWNER postgres LOCATION '/mnt/fast';

\\unrestrict abc123

--
-- PostgreSQL database cluster dump complete
--

`

/** A whole cluster: roles, then a database each after \\connect. */
const CLUSTER = `--
-- PostgreSQL database cluster dump
--

SET default_transaction_read_only = off;
CREATE ROLE app;
ALTER ROLE app WITH LOGIN PASSWORD 'Cl4ster-S3cret';

\\connect template1

CREATE TABLE t (a int);
`

describe('ScriptGate: files that hold roles', () => {
  it.each([1, 7, 64 * 1024])(
    'supabase db dump --role-only: a roles-only file, what to do, nothing passes (chunks of %d)',
    async chunk => {
      const r = await gate(SUPABASE_ROLES, chunk)
      const message = r.error?.message ?? ''
      expect(message).toMatch(
        /^the SQL script f\.sql holds only roles \(line 3: "CREATE ROLE mover;", and 1 more statement on roles up to line 4; no database, no table\): a roles-only file \(supabase db dump --role-only/
      )
      expect(message).toContain('psql -v ON_ERROR_STOP=1 -f FILE "$DATABASE_URL"')
      expect(message).toContain('CREATEROLE')
      expect(message).not.toMatch(/awk|creates roles and databases/)
      expect(message).not.toContain('hs8x')
      expect(r.out).not.toMatch(/ROLE|SCRAM/)
    }
  )

  it('pg_dumpall --roles-only / --globals-only (its header): a roles-only file', async () => {
    const r = await gate(DUMPALL_ROLES)
    const message = r.error?.message ?? ''
    expect(message).toMatch(
      /holds only roles \(its header: "-- PostgreSQL database cluster dump", then 5 statements on roles or tablespaces and no database\): a roles-only file/
    )
    expect(message).not.toContain('a1b2c3d4e5f6')
    expect(r.out).toBe('')
  })

  it('a whole cluster stays a pg_dumpall file (its awk advice), its password not quoted', async () => {
    const r = await gate(CLUSTER)
    expect(r.error?.message).toMatch(/is a pg_dumpall file \(line 1: its header\)/)
    expect(r.error?.message).toContain('awk')
    const noHeader = await gate(
      CLUSTER.replace(/^--\n-- PostgreSQL database cluster dump\n--\n/, '')
    )
    expect(noHeader.error?.message).toMatch(
      /is a pg_dumpall file \(line 3: "CREATE ROLE app;"\), a dump of a whole cluster/
    )
    expect(noHeader.error?.message).not.toContain('Cl4ster-S3cret')
    expect(noHeader.out).not.toMatch(/ROLE|CREATE TABLE/)
  })

  it('roles first, then a database: says where to split', async () => {
    const r = await gate(
      `SET lock_timeout = 0;\nCREATE ROLE webuser WITH LOGIN PASSWORD 'Pl41n-S3cret-pw';\nGRANT webuser TO postgres;\n\nCREATE TABLE public.t (a int);\n`
    )
    const message = r.error?.message ?? ''
    expect(message).toMatch(
      /starts with roles \(line 2: "CREATE ROLE webuser WITH LOGIN PASSWORD '…';", and 1 more statement on roles up to line 3\) and then holds a database's objects \(line 5: "CREATE TABLE public\.t \(a int\);"\)/
    )
    expect(message).toContain('head -n 4 FILE > roles.sql')
    expect(message).toContain('tail -n +5 FILE > database.sql')
    expect(message).not.toContain('Pl41n')
    expect(r.out).not.toContain('ROLE')
  })

  it('pg_dumpall --globals-only, then a pg_dump (one file, psql -f runs it): split where the pg_dump begins, not a whole cluster (trial u29 F2)', async () => {
    const globals = [
      '--',
      '-- PostgreSQL database cluster dump',
      '--',
      '',
      '\\restrict aaaa',
      '',
      'SET default_transaction_read_only = off;',
      '',
      'CREATE ROLE billing;',
      "ALTER ROLE billing WITH NOSUPERUSER PASSWORD 'Gl0bal-S3cret';",
      '',
      '\\unrestrict aaaa',
      '',
      '--',
      '-- PostgreSQL database cluster dump complete',
      '--',
      ''
    ]
    const dump = [
      '--',
      '-- PostgreSQL database dump',
      '--',
      '',
      '\\restrict bbbb',
      '',
      'SET statement_timeout = 0;',
      "SELECT pg_catalog.set_config('search_path', '', false);",
      '',
      'CREATE TABLE public.t (a integer);',
      '',
      '\\unrestrict bbbb',
      ''
    ]
    const r = await gate([...globals, ...dump].join('\n'))
    const message = r.error?.message ?? ''
    const at = globals.length + 1
    expect(message).not.toContain('is a pg_dumpall file')
    expect(message).toContain(`Split the file at line ${at}: head -n ${at - 1} FILE > roles.sql`)
    expect(message).toContain(`tail -n +${at} FILE > database.sql`)
    expect(message).not.toContain('Gl0bal-S3cret')
    expect(r.out).not.toMatch(/ROLE|CREATE TABLE/)
  })

  it.each([
    ["ALTER ROLE ghost_user WITH PASSWORD 'Pl41n-Tw0-secret';", 'Pl41n-Tw0-secret'],
    ["CREATE USER lk5u PASSWORD 'Pl41n-Thr33' IN ROLE nonexistent_role;", 'Pl41n-Thr33'],
    ['DROP ROLE IF EXISTS old_role;', undefined],
    // a10 #5: a membership (no ON) as a superuser restores it would commit
    ['GRANT owner TO app;', undefined],
    ['REVOKE pg_read_server_files FROM app;', undefined]
  ])(
    'a pg_dump script with %s among its objects: the statement named and why, no pg_dumpall, no password',
    async (statement, secret) => {
      const script = `--\n-- PostgreSQL database dump\n--\n\nSET statement_timeout = 0;\nCREATE TABLE public.t (a int);\n${statement}\nCREATE TABLE public.u (a int);\n`
      const r = await gate(script)
      const message = r.error?.message ?? ''
      expect(message).toMatch(
        /^the SQL script f\.sql, line 7: ".*" creates, changes or drops a role\. Roles belong to the whole server, not to a database: pg_dump never writes such a statement/
      )
      expect(message).not.toMatch(/is a pg_dumpall file|creates roles and databases|awk/)
      if (secret) expect(message).not.toContain(secret)
      expect(r.out).not.toContain('ROLE')
    }
  )

  it('a CREATE ROLE with a password as the first statement of a roles file (u7 lk3): never quoted', async () => {
    const r = await gate(
      "SET statement_timeout = 0;\nCREATE ROLE webuser WITH LOGIN PASSWORD 'Pl41n-S3cret-pw';\nRESET ALL;\n"
    )
    expect(r.error?.message).toMatch(
      /holds only roles \(line 2: "CREATE ROLE webuser WITH LOGIN PASSWORD '…';"; no database, no table\)/
    )
    expect(r.error?.message).not.toContain('Pl41n')
  })
})
