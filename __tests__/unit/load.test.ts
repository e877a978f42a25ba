/**
 * Loading helpers without a server: the script gate over a pg_dump script (what it drops for each
 * option, COPY data untouched, any chunking), what a plain dump creates, and the loaders' command
 * lines.
 */
import { describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { sameBytesAsChecked } from '../../src/pipeline/digest.js'
import { notePartialLoad } from '../../src/postgres/commit.js'
import { PlainDumpObjects } from '../../src/postgres/plain-sql.js'
import { ownersAndPrivilegesNote } from '../../src/modes/restore-plan.js'
import { ScriptGate } from '../../src/postgres/script-gate.js'
import {
  afterLoadFailure,
  alreadyExists,
  buildPsqlArgs,
  explainLoadFailure,
  cutErrorValue,
  failedStatement,
  reorderedScript,
  inArchiveEntries,
  LoadError,
  ownerChangeDenied,
  privilegeHint,
  psqlSupportsRestrict,
  reportedLines,
  WITHHELD_ERROR,
  withholdCodeErrors,
  withUnseenNamesCut,
  subsetHint
} from '../../src/postgres/load.js'

type Tag = 'restrict' | 'timeout' | 'owner' | 'privileges'

const KEY = 'Yyw7Dh4ZaW0Kdh9DiYrHWwHXE3aUVjqyHUpOANq5d8gI5udj9RsDePgpsgHnEYe'

/**
 * A plain dump as pg_dump 18 writes it (\restrict, SET transaction_timeout), one entry per line;
 * a tag marks the lines a filter option drops. COPY rows look like statements on purpose.
 */
const DUMP: Array<[string, Tag?]> = [
  ['--'],
  ['-- PostgreSQL database dump'],
  ['--'],
  [''],
  [`\\restrict ${KEY}`, 'restrict'],
  [''],
  ['-- Dumped from database version 18.1'],
  ['-- Dumped by pg_dump version 18.1'],
  [''],
  ['SET statement_timeout = 0;'],
  ['SET lock_timeout = 0;'],
  ['SET idle_in_transaction_session_timeout = 0;'],
  ['SET transaction_timeout = 0;', 'timeout'],
  ["SET client_encoding = 'UTF8';"],
  ['SET standard_conforming_strings = on;'],
  ["SELECT pg_catalog.set_config('search_path', '', false);"],
  ['SET check_function_bodies = false;'],
  ['SET xmloption = content;'],
  ['SET client_min_messages = warning;'],
  ['SET row_security = off;'],
  [''],
  ['--'],
  ['-- Name: sales; Type: SCHEMA; Schema: -; Owner: alice'],
  ['--'],
  [''],
  ['CREATE SCHEMA sales;'],
  [''],
  [''],
  ['ALTER SCHEMA sales OWNER TO alice;', 'owner'],
  [''],
  ['--'],
  ['-- Name: greet(text, timestamp with time zone); Type: FUNCTION; Schema: public; Owner: alice'],
  ['--'],
  [''],
  [
    "CREATE FUNCTION public.greet(who text DEFAULT 'world, (and you)'::text, at timestamp with time zone DEFAULT now()) RETURNS text"
  ],
  ['    LANGUAGE sql'],
  ["    AS $$SELECT 'hello ' || who$$;"],
  [''],
  [''],
  ['ALTER FUNCTION public.greet(who text, at timestamp with time zone) OWNER TO alice;', 'owner'],
  [''],
  ["SET default_tablespace = '';"],
  [''],
  ['SET default_table_access_method = heap;'],
  [''],
  ['--'],
  ['-- Name: notes; Type: TABLE; Schema: public; Owner: alice'],
  ['--'],
  [''],
  ['CREATE TABLE public.notes ('],
  ['    id integer NOT NULL,'],
  ['    body text'],
  [');'],
  [''],
  [''],
  ['ALTER TABLE public.notes OWNER TO alice;', 'owner'],
  [''],
  ['--'],
  ['-- Name: t; Type: TABLE; Schema: sales; Owner: alice'],
  ['--'],
  [''],
  ['CREATE TABLE sales.t ('],
  ['    v text'],
  [');'],
  [''],
  [''],
  ['ALTER TABLE sales.t OWNER TO alice;', 'owner'],
  [''],
  ['--'],
  ['-- Data for Name: notes; Type: TABLE DATA; Schema: public; Owner: alice'],
  ['--'],
  [''],
  ['COPY public.notes (id, body) FROM stdin;'],
  ['1\tSET transaction_timeout = 0;'],
  ['2\tGRANT x'],
  ['3\tline\\nbreak'],
  ['4\t\\\\restrict abc'],
  ['\\.'],
  [''],
  [''],
  ['--'],
  ['-- Data for Name: t; Type: TABLE DATA; Schema: sales; Owner: alice'],
  ['--'],
  [''],
  ['COPY sales.t (v) FROM stdin;'],
  // rows of a one-column table: each line is exactly what a filter would drop at top level
  ['SET transaction_timeout = 0;'],
  ['GRANT x'],
  ['GRANT SELECT ON TABLE public.notes TO app;'],
  ['REVOKE ALL ON SCHEMA public FROM PUBLIC;'],
  ['ALTER TABLE public.notes OWNER TO alice;'],
  ['ALTER DEFAULT PRIVILEGES FOR ROLE alice GRANT SELECT ON TABLES TO bob;'],
  ['\\\\restrict abc'],
  ['\\\\.'],
  ['COPY public.notes (id, body) FROM stdin;'],
  ['\\N'],
  ['\\.'],
  [''],
  ['COPY sales.empty (v) FROM stdin;'],
  ['\\.'],
  [''],
  [''],
  ['--'],
  ['-- Name: FUNCTION greet(who text, at timestamp with time zone); Type: ACL; Schema: public'],
  ['--'],
  [''],
  [
    'REVOKE ALL ON FUNCTION public.greet(who text, at timestamp with time zone) FROM PUBLIC;',
    'privileges'
  ],
  [
    'GRANT ALL ON FUNCTION public.greet(who text, at timestamp with time zone) TO bob;',
    'privileges'
  ],
  [''],
  [''],
  ['--'],
  ['-- Name: TABLE notes; Type: ACL; Schema: public; Owner: alice'],
  ['--'],
  [''],
  ['GRANT SELECT ON TABLE public.notes TO app;', 'privileges'],
  [''],
  [''],
  ['--'],
  ['-- Name: DEFAULT PRIVILEGES FOR TABLES; Type: DEFAULT ACL; Schema: sales; Owner: alice'],
  ['--'],
  [''],
  [
    'ALTER DEFAULT PRIVILEGES FOR ROLE alice IN SCHEMA sales GRANT SELECT ON TABLES TO bob;',
    'privileges'
  ],
  [''],
  [''],
  ['--'],
  ['-- PostgreSQL database dump complete'],
  ['--'],
  [''],
  [`\\unrestrict ${KEY}`, 'restrict'],
  ['']
]

const dumpText = DUMP.map(([line]) => `${line}\n`).join('')

interface GateCase {
  dropRestrict: boolean
  serverMajor: number
  noOwner: boolean
  noPrivileges: boolean
}

const NONE: GateCase = { dropRestrict: false, serverMajor: 18, noOwner: false, noPrivileges: false }

const DROPPED_BY: Record<Tag, (o: GateCase) => boolean> = {
  restrict: o => o.dropRestrict,
  timeout: o => o.serverMajor < 17,
  owner: o => o.noOwner,
  privileges: o => o.noPrivileges
}

/** `bytes` in chunks of `size` (or of the sizes of `size`, in turn). */
function chunked(bytes: Buffer, size: number | number[]): Buffer[] {
  const sizes = Array.isArray(size) ? size : [size]
  const chunks: Buffer[] = []
  for (let i = 0, n = 0; i < bytes.length; n++) {
    const s = sizes[n % sizes.length]
    chunks.push(Buffer.from(bytes.subarray(i, i + s)))
    i += s
  }
  return chunks
}

/** The script through the restore's gate, without a transaction of its own (output = script). */
async function filtered(
  input: Buffer,
  size: number | number[],
  options: GateCase
): Promise<{ output: Buffer; dropped: number }> {
  const out: Buffer[] = []
  const gate = new ScriptGate({ psqlMajor: 18, transaction: false, ...options })
  await pipeline(
    Readable.from(chunked(input, size)),
    gate,
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        out.push(chunk)
        callback()
      }
    })
  )
  return { output: Buffer.concat(out), dropped: gate.skipped.length }
}

const SIZES: Array<number | number[]> = [1, 2, 3, 7, 64, 4096, 1 << 20, [1, 5, 2, 13, 3, 64, 1]]

const OPTION_SETS: Array<[string, GateCase]> = [
  ['nothing', NONE],
  ['\\restrict', { ...NONE, dropRestrict: true }],
  ['transaction_timeout', { ...NONE, serverMajor: 16 }],
  ['owners', { ...NONE, noOwner: true }],
  ['privileges', { ...NONE, noPrivileges: true }],
  ['everything', { dropRestrict: true, serverMajor: 13, noOwner: true, noPrivileges: true }]
]

describe('ScriptGate over a pg_dump 18 script', () => {
  describe.each(OPTION_SETS)('dropping %s', (_name, options) => {
    // a statement left out leaves its line end behind
    const expected = DUMP.map(([line, tag]) =>
      tag && DROPPED_BY[tag](options) ? '\n' : `${line}\n`
    ).join('')
    const droppedLines = DUMP.filter(([, tag]) => tag && DROPPED_BY[tag](options)).length

    it.each(SIZES.map(size => [JSON.stringify(size), size] as const))(
      'in chunks of %s bytes: drops exactly the tagged statements',
      async (_label, size) => {
        const { output, dropped } = await filtered(Buffer.from(dumpText), size, options)
        expect(output.toString('utf8')).toBe(expected)
        expect(dropped).toBe(droppedLines)
      }
    )
  })

  it('keeps every COPY row byte for byte, also when rows look like statements', async () => {
    const everything = OPTION_SETS[OPTION_SETS.length - 1][1]
    const { output } = await filtered(Buffer.from(dumpText), 7, everything)
    const text = output.toString('utf8')
    const copy = (table: string): string => {
      const start = text.indexOf(`COPY ${table} `)
      return text.slice(start, text.indexOf('\n\\.\n', start) + 4)
    }
    expect(copy('sales.t')).toBe(
      [
        'COPY sales.t (v) FROM stdin;',
        'SET transaction_timeout = 0;',
        'GRANT x',
        'GRANT SELECT ON TABLE public.notes TO app;',
        'REVOKE ALL ON SCHEMA public FROM PUBLIC;',
        'ALTER TABLE public.notes OWNER TO alice;',
        'ALTER DEFAULT PRIVILEGES FOR ROLE alice GRANT SELECT ON TABLES TO bob;',
        '\\\\restrict abc',
        '\\\\.',
        'COPY public.notes (id, body) FROM stdin;',
        '\\N',
        '\\.',
        ''
      ].join('\n')
    )
    expect(copy('public.notes')).toContain('1\tSET transaction_timeout = 0;\n2\tGRANT x\n')
    expect(text).toContain('COPY sales.empty (v) FROM stdin;\n\\.\n')
    // the top-level statements are gone
    expect(text).not.toMatch(/^\\(un)?restrict /m)
    expect(text.match(/^SET transaction_timeout = 0;$/gm)).toHaveLength(1) // the COPY row
    expect(text.match(/^GRANT /gm)).toHaveLength(2) // both COPY rows
  })

  it('keeps binary-looking and multi-byte COPY data split anywhere, CRLF or not', async () => {
    for (const eol of ['\n', '\r\n']) {
      const rows = Array.from(
        { length: 300 },
        (_, i) => `${i}\t${'ünï✓😀\\\\.'.repeat(i % 7)}\\t\\n`
      )
      const data = `COPY public.x (id, v) FROM stdin;${eol}${rows.join(eol)}${eol}\\.${eol}`
      const input = `SET transaction_timeout = 0;${eol}${data}SET transaction_timeout = 0;${eol}`
      for (const size of [1, 2, 3, 5, 64, 4096]) {
        const { output, dropped } = await filtered(Buffer.from(input), size, {
          ...NONE,
          serverMajor: 16
        })
        expect(output.toString('utf8')).toBe(`${eol}${data}${eol}`)
        expect(dropped).toBe(2)
      }
    }
  })

  it('filters a last line without a newline', async () => {
    const input = `SELECT 1;\n\\unrestrict ${KEY}`
    for (const size of [1, 4, 4096]) {
      const restrict = await filtered(Buffer.from(input), size, { ...NONE, dropRestrict: true })
      expect(restrict.output.toString()).toBe('SELECT 1;\n')
      expect(restrict.dropped).toBe(1)
      const kept = await filtered(Buffer.from(input), size, NONE)
      expect(kept.output.toString()).toBe(input)
    }
  })
})

/** A gate that only reads (what the restore's plan does before anything runs). */
const SCAN = { psqlMajor: 18, transaction: true }

/** Reads `dump` whole through the objects' scanner. */
async function scan(objects: PlainDumpObjects, dump: string): Promise<void> {
  await pipeline(
    Readable.from([Buffer.from(dump)]),
    objects.scanner(SCAN),
    new Writable({ write: (_c, _e, cb) => cb() })
  )
}

describe('PlainDumpObjects', () => {
  it.each(SIZES.map(size => [JSON.stringify(size), size] as const))(
    'reads what the dump creates and fills, in chunks of %s bytes',
    async (_label, size) => {
      const objects = new PlainDumpObjects()
      const out: Buffer[] = []
      await pipeline(
        Readable.from(chunked(Buffer.from(dumpText), size)),
        objects.scanner(SCAN),
        new Writable({
          write(chunk: Buffer, _encoding, callback) {
            out.push(chunk)
            callback()
          }
        })
      )
      // the scanner passes the script (between the BEGIN and COMMIT of a gate)
      expect(Buffer.concat(out).toString('utf8')).toContain(dumpText.slice(dumpText.indexOf('SET')))
      expect(objects.complete).toBe(true)
      expect(objects.madeByPgDump).toBe(true)
      expect(objects.schemas).toEqual(['sales'])
      expect(objects.copyTables).toEqual([
        { schema: 'public', name: 'notes' },
        { schema: 'sales', name: 't' },
        { schema: 'sales', name: 'empty' }
      ])
      expect(objects.drops).toEqual([
        'DROP SCHEMA IF EXISTS sales CASCADE;',
        // DROP FUNCTION takes no DEFAULT clauses: they are left out
        'DROP FUNCTION IF EXISTS public.greet(who text, at timestamp with time zone) CASCADE;',
        'DROP TABLE IF EXISTS public.notes CASCADE;',
        'DROP TABLE IF EXISTS sales.t CASCADE;'
      ])
    }
  )

  it('drops quoted names, procedures and argument lists with parentheses', async () => {
    const objects = new PlainDumpObjects()
    const dump = [
      'CREATE SCHEMA "Audit Log";',
      'CREATE TABLE "Audit Log"."Events" (',
      '    id bigint',
      ');',
      'CREATE MATERIALIZED VIEW public.device_daily AS',
      ' SELECT 1;',
      'CREATE FUNCTION "Audit Log".record_change() RETURNS trigger',
      '    LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;',
      'CREATE PROCEDURE public.p(IN a numeric, INOUT b integer DEFAULT (1 + 2)) LANGUAGE sql',
      '    AS $$SELECT 1$$;',
      "CREATE FUNCTION public.q(a text DEFAULT ')'::text, VARIADIC b integer[] DEFAULT '{}'::integer[]) RETURNS integer",
      '    LANGUAGE sql AS $$SELECT 1$$;',
      'CREATE TYPE public.order_status AS ENUM (',
      "    'new'",
      ');',
      'CREATE SEQUENCE sales.invoice_number_seq',
      '    START WITH 1;',
      '',
      '--',
      '-- PostgreSQL database dump complete',
      ''
    ].join('\n')
    await scan(objects, dump)
    expect(objects.schemas).toEqual(['Audit Log'])
    expect(objects.drops).toEqual([
      'DROP SCHEMA IF EXISTS "Audit Log" CASCADE;',
      'DROP TABLE IF EXISTS "Audit Log"."Events" CASCADE;',
      'DROP MATERIALIZED VIEW IF EXISTS public.device_daily CASCADE;',
      'DROP FUNCTION IF EXISTS "Audit Log".record_change() CASCADE;',
      'DROP PROCEDURE IF EXISTS public.p(IN a numeric, INOUT b integer) CASCADE;',
      'DROP FUNCTION IF EXISTS public.q(a text, VARIADIC b integer[]) CASCADE;',
      'DROP TYPE IF EXISTS public.order_status CASCADE;',
      'DROP SEQUENCE IF EXISTS sales.invoice_number_seq CASCADE;'
    ])
    expect(objects.complete).toBe(true)
  })

  it('newTables: the tables a CREATE TABLE would fail on where they exist, not those IF NOT EXISTS or dropped or renamed first', async () => {
    const objects = new PlainDumpObjects()
    const dump = [
      'CREATE TABLE public.plain (id integer);',
      'CREATE UNLOGGED TABLE public."Quoted" (id integer);',
      'CREATE TABLE public.Folded (id integer);',
      'CREATE TABLE IF NOT EXISTS public.maybe (id integer);',
      'DROP TABLE IF EXISTS public.replaced;',
      'CREATE TABLE public.replaced (id integer);',
      'ALTER TABLE public.old RENAME TO old_before;',
      'CREATE TABLE public.old (id integer);',
      'DROP SCHEMA IF EXISTS gone CASCADE;',
      'CREATE TABLE gone.t (id integer);',
      'CREATE TABLE public.plain (id integer);',
      ''
    ].join('\n')
    await scan(objects, dump)
    expect(objects.newTables).toEqual([
      { schema: 'public', name: 'plain' },
      { schema: 'public', name: 'Quoted' },
      { schema: 'public', name: 'folded' }
    ])
  })

  it('a COPY whose quoted table name spans lines names that table, not its first line (one table each)', async () => {
    const objects = new PlainDumpObjects()
    const dump = [
      'COPY public."a',
      'b" (v) FROM stdin;',
      'x',
      '\\.',
      'COPY public."a',
      'c" (v) FROM stdin;',
      'y',
      '\\.',
      'COPY public.a (v) FROM stdin;',
      'z',
      '\\.',
      'INSERT INTO public."i',
      'j" VALUES (1);',
      ''
    ].join('\n')
    await scan(objects, dump)
    expect(objects.copyTables).toEqual([
      { schema: 'public', name: 'a\nb' },
      { schema: 'public', name: 'a\nc' },
      { schema: 'public', name: 'a' }
    ])
    expect(objects.copyBlocks.map(b => [b.schema, b.name, b.qualified])).toEqual([
      ['public', 'a\nb', true],
      ['public', 'a\nc', true],
      ['public', 'a', true]
    ])
    expect(objects.insertTables).toEqual([{ schema: 'public', name: 'i\nj' }])
    expect(objects.unlistedCopy).toBe(false)
  })

  it('a hand-written script: neither made by pg_dump nor complete', async () => {
    const objects = new PlainDumpObjects()
    await pipeline(
      Readable.from([Buffer.from('CREATE TABLE t (id int);\nINSERT INTO t VALUES (1);\n')]),
      objects.scanner(SCAN),
      new Writable({ write: (_c, _e, cb) => cb() })
    )
    expect(objects.complete).toBe(false)
    expect(objects.madeByPgDump).toBe(false)
    expect(objects.copyTables).toEqual([])
  })
})

describe('PlainDumpObjects on a truncated pg_dump script', () => {
  it('sees the header but not the trailer, wherever the cut falls', async () => {
    const bytes = Buffer.from(dumpText)
    for (const cut of [
      40,
      bytes.indexOf('COPY sales.t'),
      bytes.indexOf('\\.\n'),
      bytes.indexOf('-- PostgreSQL database dump complete') - 4
    ]) {
      const objects = new PlainDumpObjects()
      // a cut inside COPY data or a meta-command fails the scan itself (both are refused)
      await pipeline(
        Readable.from(chunked(bytes.subarray(0, cut), 64)),
        objects.scanner(SCAN),
        new Writable({ write: (_c, _e, cb) => cb() })
      ).catch(() => undefined)
      expect(objects.madeByPgDump).toBe(true)
      expect(objects.complete).toBe(false)
    }
  })
})

describe('buildPsqlArgs', () => {
  it('reads the script from stdin, stops on the first error, echoes the failed statement, quiet, no psqlrc, no -1', () => {
    // the transaction is the gate's (BEGIN; … COMMIT; in the script), never psql's own:
    // --single-transaction would COMMIT whatever psql read when its input ends early
    expect(buildPsqlArgs()).toEqual([
      '-X',
      '-q',
      '--no-password',
      '--echo-errors',
      '-v',
      'ON_ERROR_STOP=1',
      '-f',
      '-'
    ])
  })
})

describe('psqlSupportsRestrict', () => {
  it.each([
    ['13.21', false],
    ['13.22', true],
    ['14.18', false],
    ['14.19', true],
    ['15.13', false],
    ['15.14', true],
    ['15.18', true],
    ['16.9', false],
    ['16.10', true],
    ['17.5', false],
    ['17.6', true],
    ['18.0', true],
    ['18', true],
    ['12.22', false],
    ['11.9', false]
  ])('psql %s: %s', (version, expected) => {
    expect(psqlSupportsRestrict(version)).toBe(expected)
  })
})

describe('explainLoadFailure', () => {
  it.each([
    [
      'psql:<stdin>:25: ERROR:  unrecognized configuration parameter "transaction_timeout"',
      /pg_restore 17 and newer send it.*dump with the server’s own major/
    ],
    ['psql:<stdin>:5: error: invalid command \\restrict', /newer psql/],
    [
      'pg_restore: error: could not execute query: ERROR:  role "alice" does not exist',
      /the role "alice", which the target lacks: restore with 'create-roles: true' from a backup made with 'globals: true'.*CREATE ROLE "alice" NOLOGIN;/
    ],
    [
      'psql: ERROR:  permission denied to create extension "pg_stat_statements"\nHINT:  Must be superuser to create this extension.',
      /Only a superuser may create the extension "pg_stat_statements" in the target: enable pg_stat_statements there first \(Supabase: Dashboard → Database → Extensions; elsewhere CREATE EXTENSION "pg_stat_statements" as the provider's admin role — Neon: a role made in its console or API \(a member of neon_superuser; owning the database is not enough\); RDS: a member of rds_superuser — or a superuser\)/
    ],
    [
      'psql: ERROR:  must be owner of table objects',
      /Only the owner of the table objects \(or a superuser\) may do this/
    ],
    [
      'psql: ERROR:  permission denied for schema rdsadmin_util',
      /may not create objects in the schema rdsadmin_util of the target/
    ],
    ['ERROR:  relation "customers" already exists', /clean: true/],
    // pg_dump --clean without --if-exists into a database without its objects (attacker a106 F10)
    [
      'psql:<stdin>:22: ERROR:  relation "public.docs" does not exist\nSTATEMENT:  ALTER TABLE ONLY public.docs DROP CONSTRAINT docs_pkey;',
      /drops what it creates before creating it \(pg_dump --clean writes a DROP before each CREATE\) without --if-exists.*Make the dump with pg_dump --clean --if-exists/
    ],
    [
      "psql:<stdin>:30: ERROR:  large object 16500 does not exist\nSTATEMENT:  SELECT pg_catalog.lo_unlink('16500');",
      /without --if-exists/
    ],
    [
      'pg_restore: error: unsupported version (1.16) in file header',
      /newer format than this pg_restore reads/
    ]
  ])('%s', (stderr, hint) => {
    const error = explainLoadFailure('/usr/lib/postgresql/15/bin/psql', 3, null, `${stderr}\n`)
    expect(error.message).toMatch(hint)
    expect(error.message).toMatch(/^psql exited with code 3: /)
    expect(error.stderr).toContain(stderr)
  })
})

describe('the failed statement (psql --echo-errors, pg_restore "Command was:")', () => {
  it.each([
    [
      'psql:<stdin>:37: ERROR:  must be superuser to create an operator family\npsql:<stdin>:37: STATEMENT:  CREATE OPERATOR FAMILY public.rev_int_ops USING btree;\n',
      'CREATE OPERATOR FAMILY public.rev_int_ops USING btree;'
    ],
    [
      'pg_restore: error: could not execute query: ERROR:  permission denied to create extension "dblink"\nHINT:  Must have CREATE privilege on current database to create this extension.\nCommand was: CREATE EXTENSION IF NOT EXISTS dblink WITH SCHEMA public;\n',
      'CREATE EXTENSION IF NOT EXISTS dblink WITH SCHEMA public;'
    ],
    // values, bodies and options (a user mapping's password) are cut off
    [
      "psql:<stdin>:9: STATEMENT:  INSERT INTO public.t VALUES (1, 'secret');\n",
      'INSERT INTO public.t VALUES ( …'
    ],
    // numbers are values too (a card number in an INSERT of pg_dump --inserts); names keep theirs
    [
      'psql:<stdin>:9: STATEMENT:  INSERT INTO public.t6 VALUES (1, 5500000000000004);\n',
      'INSERT INTO public.t6 VALUES ( …'
    ],
    [
      'psql:<stdin>:9: STATEMENT:  ALTER TABLE public."2fa" ALTER COLUMN n SET DEFAULT -.5;\n',
      'ALTER TABLE public."2fa" ALTER COLUMN n SET DEFAULT …'
    ],
    [
      'psql:<stdin>:9: STATEMENT:  CREATE FUNCTION public.f() RETURNS integer LANGUAGE sql AS $$select 1$$;\n',
      'CREATE FUNCTION public.f() RETURNS integer LANGUAGE sql AS …'
    ],
    ['psql:<stdin>:9: ERROR:  syntax error\n', undefined]
  ])('%s', (stderr, statement) => {
    expect(failedStatement(stderr)).toBe(statement)
    const message = explainLoadFailure('psql', 3, null, stderr).message
    if (statement) expect(message).toContain(`(failed statement: ${statement})`)
    else expect(message).not.toContain('failed statement')
    // a value cut is said, with where to read it (trial u63 F1)
    expect(message.includes('"…" stands for what the log withholds')).toBe(
      statement?.includes('…') ?? false
    )
  })

  it('is cut at 160 characters', () => {
    const long = `CREATE TABLE public.${'x'.repeat(300)} (id integer);`
    expect(failedStatement(`psql:<stdin>:1: STATEMENT:  ${long}\n`)).toBe(`${long.slice(0, 160)}…`)
  })
})

describe('the failed statement, not a notice before it', () => {
  const stderr = [
    'psql:<stdin>:812: WARNING:  wal_level is insufficient to publish logical changes',
    'HINT:  Set wal_level to "logical" before creating subscriptions.',
    'psql:<stdin>:840: ERROR:  permission denied to change owner of event trigger "issue_pg_cron_access"',
    'HINT:  The owner of an event trigger must be a superuser.',
    ''
  ].join('\n')

  it("the message carries only the error's own HINT", () => {
    const message = explainLoadFailure('psql', 3, null, stderr).message
    expect(message).toMatch(
      /^psql exited with code 3: psql:<stdin>:840: ERROR: {2}permission denied to change owner of event trigger "issue_pg_cron_access" \| HINT: {2}The owner of an event trigger must be a superuser\./
    )
    expect(message).not.toMatch(/wal_level/)
    expect(message).toMatch(/Only a superuser may create or own an event trigger/)
    expect(message).not.toMatch(/keep no-owner/)
  })

  it("the archive's entry is the one of the ERROR's line", () => {
    const entries: Record<number, string> = {
      812: 'PUBLICATION supabase_realtime',
      840: 'EVENT TRIGGER issue_pg_cron_access'
    }
    const error = inArchiveEntries(
      new LoadError('psql failed', stderr, false, {
        program: 'psql',
        code: 3,
        signal: null
      }),
      { entryAt: n => entries[n] }
    ) as Error
    expect(error.message).toMatch(/\(in the archive's entry EVENT TRIGGER issue_pg_cron_access\)/)
    expect(error.message).not.toMatch(/PUBLICATION|wal_level/)
  })
})

describe('load errors: DETAIL and CONTEXT kept, without the rows; the hint that fits the error', () => {
  const secret = 'ghp_S3cretTok3nValue'

  it('a GRANT or REVOKE the role may not run: no-privileges named as a way out (attacker a55)', () => {
    const stderr = [
      'pg_restore: error: could not execute query: ERROR:  permission denied for function pg_control_system',
      'Command was: REVOKE ALL ON FUNCTION pg_catalog.pg_control_system() FROM PUBLIC;',
      ''
    ].join('\n')
    expect(explainLoadFailure('pg_restore', 1, null, stderr).message).toMatch(
      /lacks a privilege this statement needs[^]*'no-privileges: true' leaves out every GRANT and REVOKE/
    )
    // another statement: not said
    const other = stderr.replace('REVOKE ALL ON FUNCTION', 'SELECT').replace(' FROM PUBLIC', '')
    expect(explainLoadFailure('pg_restore', 1, null, other).message).not.toMatch(/no-privileges/)
  })

  it("a duplicate key of a system catalog's index: another session made the same object meanwhile, not the backup's rows (trial u35 F4)", () => {
    const stderr = [
      `pg_restore: error: could not execute query: ERROR:  duplicate key value violates unique constraint "pg_namespace_nspname_index"`,
      'DETAIL:  Key (nspname)=(rdsadmin) already exists.',
      'Command was: CREATE SCHEMA rdsadmin;',
      ''
    ].join('\n')
    const message = explainLoadFailure('pg_restore', 1, null, stderr).message
    expect(message).toMatch(
      /Another session created an object of the same name while the restore ran/
    )
    expect(message).not.toMatch(/the backup holds duplicate rows itself/)
  })

  it("a duplicate key of the backup's own rows: the key named, not its value, and no advice to clean", () => {
    const stderr = [
      `psql:<stdin>:29: ERROR:  duplicate key value violates unique constraint "notes_pkey"`,
      `DETAIL:  Key (id, note)=(3, ${secret}) already exists.`,
      `psql:<stdin>:29: STATEMENT:  INSERT INTO public.notes VALUES (3, '${secret}');`,
      ''
    ].join('\n')
    const message = explainLoadFailure('psql', 3, null, stderr).message
    expect(message).toContain('DETAIL:  Key (id, note)=(…) already exists.')
    expect(message).toContain('"…" stands for what the log withholds')
    expect(message).toContain(
      "look the row up in the target by the key's columns the message names"
    )
    expect(message).toContain('duplicate key value violates unique constraint "notes_pkey"')
    expect(message).toMatch(/the backup holds duplicate rows itself/)
    // the target's own key, a migration's since the backup (trial u64 F4), is a cause too
    expect(message).toMatch(/the target has a unique key or index the backup's table did not have/)
    expect(message).not.toContain('clean')
    expect(message).not.toContain(secret)
  })

  it("pg_restore --jobs: the leader's 'worker process died' line is not in the message", () => {
    const stderr = [
      'pg_restore: error: could not execute query: ERROR:  relation "public.items" does not exist',
      'Command was: ALTER TABLE ONLY sales.orders',
      '    ADD CONSTRAINT orders_item_id_fkey FOREIGN KEY (item_id) REFERENCES public.items(id);',
      'pg_restore: error: a worker process died unexpectedly',
      ''
    ].join('\n')
    const message = explainLoadFailure('pg_restore', 1, null, stderr, 'FK CONSTRAINT x').message
    expect(message).toContain('relation "public.items" does not exist')
    expect(message).not.toContain('worker process')
  })

  it('an object the target already has: the advice to clean', () => {
    const stderr = 'psql:<stdin>:9: ERROR:  relation "notes" already exists\n'
    expect(explainLoadFailure('psql', 3, null, stderr).message).toMatch(/set 'clean: true'/)
  })

  it('a CHECK function failing during COPY: the function and the COPY line named, the row cut; the backup fails anywhere', () => {
    const stderr = [
      'psql:<stdin>:41: ERROR:  relation "skus" does not exist',
      'LINE 1: SELECT EXISTS (SELECT 1 FROM skus WHERE sku = $1)',
      '                                     ^',
      'QUERY:  SELECT EXISTS (SELECT 1 FROM skus WHERE sku = $1)',
      'CONTEXT:  SQL function "sku_known" during inlining',
      `COPY stock, line 1: "1\t${secret}\t5"`,
      ''
    ].join('\n')
    const message = explainLoadFailure('psql', 3, null, stderr).message
    expect(message).toContain('CONTEXT:  SQL function "sku_known" during inlining')
    expect(message).toContain('CONTEXT:  COPY stock, line 1')
    expect(message).toMatch(/fails to load into any database, as pg_restore or psql by hand shows/)
    expect(message).not.toContain('clean')
    expect(message).not.toContain(secret)
    // how to load it all the same, on restore day (trial u49 F3, F6): a script, mended in the file
    expect(message).toContain(
      'To load this one all the same: a plain SQL script can be mended in the file — add SET search_path = public (the schemas it names) to the CREATE FUNCTION of sku_known'
    )
    // an archive: its sections, the function given a search_path between them
    const archive = explainLoadFailure('psql', 3, null, stderr, 'TABLE DATA public.stock').message
    expect(archive).toContain(
      'pg_restore --section=pre-data -d TARGET FILE; then in TARGET ALTER FUNCTION sku_known SET search_path = public'
    )
    expect(archive).toContain('pg_restore --section=data --section=post-data -d TARGET FILE')
  })

  it('a COPY CONTEXT on its own line: cut after the line number (and the column)', () => {
    const stderr = [
      'psql:<stdin>:41: ERROR:  invalid input syntax for type integer',
      `CONTEXT:  COPY stock, line 7, column qty: "${secret}"`,
      ''
    ].join('\n')
    const message = explainLoadFailure('psql', 3, null, stderr).message
    expect(message).toContain('CONTEXT:  COPY stock, line 7, column qty')
    expect(message).not.toContain(secret)
  })

  it('a row value spanning lines (and looking like an error) stays out', () => {
    const stderr = [
      'psql:<stdin>:12: ERROR:  new row for relation "t" violates check constraint "t_n_check"',
      `DETAIL:  Failing row contains (1, first line`,
      `ERROR:  ${secret}`,
      `more ${secret}).`,
      `psql:<stdin>:12: STATEMENT:  INSERT INTO public.t VALUES (1, 'first line`,
      ''
    ].join('\n')
    const message = explainLoadFailure('psql', 3, null, stderr).message
    expect(message).toContain('DETAIL:  Failing row contains (…).')
    expect(message).toContain('violates check constraint "t_n_check"')
    expect(message).toMatch(
      /stands for what the log withholds: .*run pg_restore or psql by hand with the backup on your own machine \(into a scratch database\)/
    )
    expect(message).not.toContain(secret)
  })

  it('says only what the mode of the restore leaves', () => {
    expect(afterLoadFailure({ singleTransaction: true, jobs: 1 })).toBe(
      'Nothing was kept: the restore ran in one transaction, which was rolled back.'
    )
    const parallel = afterLoadFailure({ singleTransaction: false, jobs: 2 })
    expect(parallel).toMatch(
      /without a single transaction \(jobs: 2\): what loaded before the error stays/
    )
    expect(parallel).not.toMatch(/Nothing was kept|one transaction \(the default\)/)
    expect(afterLoadFailure({ singleTransaction: false, jobs: 1 })).toMatch(
      /\(single-transaction: false\)/
    )
  })

  it('clean is advised only where an object already exists, not for a key duplicated among the backup rows', () => {
    const options = { singleTransaction: false, jobs: 1 }
    const duplicated = [
      'pg_restore: error: could not execute query: ERROR:  could not create unique index "f_pkey"',
      'DETAIL:  Key (public.f(id))=(1) is duplicated.',
      ''
    ].join('\n')
    expect(afterLoadFailure(options, duplicated)).not.toMatch(/clean/)
    expect(afterLoadFailure(options, duplicated)).toMatch(
      /what loaded before the error stays: remove it before restoring again\.$/
    )
    const exists = 'psql: ERROR:  relation "notes" already exists\n'
    expect(afterLoadFailure(options, exists)).toMatch(/restore again with clean: true\.$/)
    expect(reportedLines(duplicated)).toContain('DETAIL:  Key (public.f(id))=(…) is duplicated.')
  })

  it("a failure without a single transaction says what the target's default privileges gave what loaded, as a cancel does (attacker a74 F4)", () => {
    notePartialLoad('The default privileges gave what loaded more.')
    try {
      const exists = 'psql: ERROR:  relation "notes" already exists\n'
      expect(afterLoadFailure({ singleTransaction: false, jobs: 1 }, exists)).toMatch(
        /restore again with clean: true\. The default privileges gave what loaded more\.$/
      )
      const duplicated = 'psql: ERROR:  duplicate key value violates unique constraint "t_pkey"\n'
      expect(afterLoadFailure({ singleTransaction: false, jobs: 2 }, duplicated)).toMatch(
        /\(jobs: 2\): what loaded before the error stays: remove it before restoring again\. The default privileges gave what loaded more\.$/
      )
      // a rolled-back transaction kept nothing: nothing to say
      expect(afterLoadFailure({ singleTransaction: true, jobs: 1 })).not.toMatch(
        /default privileges/
      )
      // notes add up: the parts clean-drop-dependents took too (attacker a76 F4)
      notePartialLoad('The parts are gone now.')
      expect(afterLoadFailure({ singleTransaction: false, jobs: 2 })).toMatch(
        /The default privileges gave what loaded more\. The parts are gone now\.$/
      )
    } finally {
      notePartialLoad(undefined)
    }
  })

  it.each([
    [
      'ERROR:  invalid input syntax for type integer: "4111-1111"',
      'ERROR:  invalid input syntax for type integer: …'
    ],
    [
      'ERROR:  invalid input value for enum mood: "4111-1111"',
      'ERROR:  invalid input value for enum mood: …'
    ],
    ['ERROR:  malformed array literal: "{4111-1111"', 'ERROR:  malformed array literal: …'],
    [
      'ERROR:  value "41111111" is out of range for type smallint',
      'ERROR:  value "…" is out of range for type smallint'
    ],
    ['ERROR:  relation "skus" does not exist', 'ERROR:  relation "skus" does not exist']
  ])('an ERROR line keeps the names, not a value it quotes: %s', (line, shown) => {
    expect(cutErrorValue(line)).toBe(shown)
    expect(reportedLines(`psql:<stdin>:3: ${line}\n`).join('\n')).toBe(`psql:<stdin>:3: ${shown}`)
  })

  it('a value quoted in a DETAIL, HINT or CONTEXT is cut: JSON tokens, statements (attacker a29 A2)', () => {
    const json = [
      'psql:s9.sql:4: ERROR:  invalid input syntax for type json',
      'DETAIL:  Token "sk_live_JSONSECRET12345" is invalid.',
      'CONTEXT:  JSON data, line 1: {"api_key": sk_live_JSONSECRET12345...',
      'COPY cfg, line 1, column v: "{"api_key": sk_live_JSONSECRET12345, "x": 1}"',
      ''
    ].join('\n')
    const shown = reportedLines(json).join('\n')
    expect(shown).not.toContain('JSONSECRET')
    expect(shown).toContain('DETAIL:  Token …')
    expect(shown).toContain('CONTEXT:  JSON data, line 1: …')
    expect(shown).toContain('CONTEXT:  COPY cfg, line 1, column v')
    const hinted = [
      'psql:x.sql:2: ERROR:  column "x" does not exist',
      'HINT:  Perhaps you meant to reference the column "t.sk_live_HINTCOL".',
      'CONTEXT:  SQL statement "UPDATE t SET v = \'sk_live_STMT\'"',
      ''
    ].join('\n')
    // a column's name is a name (the statement's, not a row's): kept; the statement's text is not
    expect(reportedLines(hinted).join('\n')).not.toMatch(/sk_live_STMT/)
    expect(reportedLines(hinted)).toContain(
      'HINT:  Perhaps you meant to reference the column "t.sk_live_HINTCOL".'
    )
    expect(reportedLines(hinted)).toContain('CONTEXT:  SQL statement …')
  })

  it("an error raised inside a function, while the target keeps rows: its text, DETAIL, HINT and the functions' names withheld, the COPY line kept (attacker a97 F1)", () => {
    const pgRestore = [
      'pg_restore: error: COPY failed for table "t": ERROR:  relation "ceo@example.com" does not exist',
      'DETAIL:  ceo@example.com',
      'HINT:  ceo@example.com',
      'CONTEXT:  SQL function "look" statement 1',
      'COPY t, line 1',
      ''
    ].join('\n')
    const psql = [
      'psql:s.sql:9: ERROR:  bad ceo@example.com',
      'CONTEXT:  PL/pgSQL function "ceo@example.com"() line 1 at RAISE',
      'SQL statement "SELECT ""ceo@example.com""()"',
      'PL/pgSQL function public.chk(integer) line 5 at EXECUTE',
      'COPY raised, line 1',
      'psql:s.sql:12: ERROR:  current transaction is aborted',
      ''
    ].join('\n')
    withholdCodeErrors(true)
    try {
      expect(reportedLines(pgRestore)).toEqual([
        `pg_restore: error: COPY failed for table "t": ERROR:  ${WITHHELD_ERROR}`,
        'CONTEXT:  COPY t, line 1'
      ])
      expect(reportedLines(psql)).toEqual([
        `psql:s.sql:9: ERROR:  ${WITHHELD_ERROR}`,
        'CONTEXT:  COPY raised, line 1',
        'psql:s.sql:12: ERROR:  current transaction is aborted'
      ])
    } finally {
      withholdCodeErrors(false)
    }
    // a load into a target that keeps no rows: as psql shows it (names, and the RAISE's words)
    expect(reportedLines(psql)).toContain('psql:s.sql:9: ERROR:  bad ceo@example.com')
    expect(reportedLines(pgRestore)).toContain('CONTEXT:  SQL function "look" statement 1')
  })

  it('while the target keeps rows, a name an error quotes that its failed statement does not hold is cut; one it holds stays (attacker a99 F1)', () => {
    const cast = [
      'psql:f1a.sql:13: ERROR:  relation "ceo@example.com,cfo@example.com" does not exist',
      'CONTEXT:  COPY looked, line 1',
      'psql:f1a.sql:13: STATEMENT:  COPY public.looked (id) FROM stdin;',
      ''
    ].join('\n')
    const missingType = [
      'psql:s.sql:40: ERROR:  type "vector" does not exist',
      'LINE 3:     embedding public.vector(1536)',
      'psql:s.sql:40: STATEMENT:  CREATE TABLE public.items (',
      '    id bigint NOT NULL,',
      '    embedding public.vector(1536)',
      ');',
      ''
    ].join('\n')
    const restored = [
      'pg_restore: error: could not execute query: ERROR:  role "app_owner" does not exist',
      'Command was: ALTER TABLE public.t OWNER TO app_owner;',
      ''
    ].join('\n')
    withholdCodeErrors(true)
    try {
      expect(reportedLines(cast)).toEqual([
        'psql:f1a.sql:13: ERROR:  relation "…" does not exist',
        'CONTEXT:  COPY looked, line 1'
      ])
      expect(reportedLines(missingType)[0]).toBe(
        'psql:s.sql:40: ERROR:  type "vector" does not exist'
      )
      expect(reportedLines(restored)[0]).toBe(
        'pg_restore: error: could not execute query: ERROR:  role "app_owner" does not exist'
      )
      // no statement to compare with: every quoted name cut
      expect(
        reportedLines('psql:x.sql:1: ERROR:  role "ceo@example.com" does not exist\n')
      ).toEqual(['psql:x.sql:1: ERROR:  role "…" does not exist'])
    } finally {
      withholdCodeErrors(false)
    }
    expect(reportedLines(cast)[0]).toContain('ceo@example.com')
  })

  it('while the target keeps rows, any quoted text of an error is cut unless the statement holds it or it is a name of the target or the backup (attacker a101 F1)', () => {
    const violated = [
      'psql:s.sql:30: ERROR:  insert or update on table "order_items" violates foreign key constraint "order_items_sku_fk"',
      'DETAIL:  Key (sku)=(zz) is not present in table "skus".',
      'psql:s.sql:30: STATEMENT:  ALTER TABLE ONLY public.order_items ADD CONSTRAINT order_items_sku_fk FOREIGN KEY (sku) REFERENCES public.skus(sku);',
      ''
    ].join('\n')
    const zoned = [
      'psql:s.sql:9: ERROR:  time zone "ceo@example.com,cfo@example.com" not recognized',
      'CONTEXT:  COPY zoned, line 1',
      'psql:s.sql:9: STATEMENT:  COPY public.zoned (id) FROM stdin;',
      ''
    ].join('\n')
    const duplicate = [
      'psql:s.sql:12: ERROR:  duplicate key value violates unique constraint "users_pkey"',
      'DETAIL:  Key (id)=(1) already exists.',
      'CONTEXT:  COPY users, line 1',
      'psql:s.sql:12: STATEMENT:  COPY auth.users (id) FROM stdin;',
      ''
    ].join('\n')
    withholdCodeErrors(true, [], ['users_pkey', 'auth', 'users'])
    try {
      expect(reportedLines(violated)[0]).toBe(
        'psql:s.sql:30: ERROR:  insert or update on table "order_items" violates foreign key constraint "order_items_sku_fk"'
      )
      expect(reportedLines(zoned)[0]).toBe('psql:s.sql:9: ERROR:  time zone "…" not recognized')
      // the target's own constraint (a name of its catalog before the load)
      expect(reportedLines(duplicate)[0]).toBe(
        'psql:s.sql:12: ERROR:  duplicate key value violates unique constraint "users_pkey"'
      )
      expect(
        withUnseenNamesCut(
          'ERROR:  relation "auth.users" does not exist',
          undefined,
          new Set(['auth', 'users'])
        )
      ).toBe('ERROR:  relation "auth.users" does not exist')
      expect(
        withUnseenNamesCut("ERROR:  invalid value 'a@b.c' for x", undefined, new Set(['x']))
      ).toBe("ERROR:  invalid value '…' for x")
    } finally {
      withholdCodeErrors(false)
    }
  })

  it('while the target keeps rows, a value that closes its quotes early, makes a DETAIL line of its own or is a number is cut too (attacker a102 F1)', () => {
    const lines = (stderr: string): string => {
      withholdCodeErrors(true, [], ['users', 'zoned'])
      try {
        return reportedLines(stderr).join('\n')
      } finally {
        withholdCodeErrors(false)
      }
    }
    for (const stderr of [
      'psql:s.sql:9: ERROR:  time zone "" ceo@example.com,cfo@example.com "" not recognized\n',
      'psql:s.sql:9: ERROR:  time zone "users" ceo "users" not recognized\n',
      'psql:s.sql:9: ERROR:  time zone "\nDETAIL:  ceo@example.com,cfo@example.com " not recognized\nCONTEXT:  COPY zoned, line 1\n',
      'psql:s.sql:9: ERROR:  requested character too large for encoding: 8514031\n'
    ]) {
      const shown = lines(stderr)
      expect(shown).not.toMatch(/ceo|cfo|8514031/)
      expect(shown).toMatch(/ERROR: {2}(?:time zone|requested character too large for encoding:) /)
    }
  })

  it("what looks like a secret in a RAISE's message, DETAIL and HINT is cut; its words stay (attackers a29 A2, a30 A5)", () => {
    const raised = [
      'psql:s8.sql:1: ERROR:  bad',
      'DETAIL:  sk_live_DETAILSECRET8',
      'HINT:  sk_live_HINTSECRET8',
      'CONTEXT:  PL/pgSQL function inline_code_block line 1 at RAISE',
      ''
    ].join('\n')
    const shown = reportedLines(raised)
    expect(shown.join('\n')).not.toMatch(/SECRET8/)
    expect(shown).toEqual([
      'psql:s8.sql:1: ERROR:  bad',
      'DETAIL:  …',
      'HINT:  …',
      'CONTEXT:  PL/pgSQL function inline_code_block line 1 at RAISE'
    ])
    // a trigger's RAISE EXCEPTION 'bad key %', NEW.api_key as COPY loads a row (a30 A5)
    const trigger = [
      'psql:s6.sql:6: ERROR:  bad key sk_live_LEAKME123',
      'CONTEXT:  PL/pgSQL function trg() line 1 at RAISE',
      'COPY k, line 1: "1\tsk_live_LEAKME123"',
      ''
    ].join('\n')
    expect(reportedLines(trigger)).toEqual([
      'psql:s6.sql:6: ERROR:  bad key …',
      'CONTEXT:  PL/pgSQL function trg() line 1 at RAISE',
      'CONTEXT:  COPY k, line 1'
    ])
    // the same through pg_restore -d: its own line carries the server's message
    const restored = [
      'pg_restore: error: COPY failed for table "k": ERROR:  bad key sk_live_LEAKME123',
      'CONTEXT:  PL/pgSQL function trg() line 1 at RAISE',
      ''
    ].join('\n')
    expect(reportedLines(restored)[0]).toBe(
      'pg_restore: error: COPY failed for table "k": ERROR:  bad key …'
    )
    // other secret shapes a function may format in
    const shapes = [
      'psql:x.sql:2: ERROR:  refused: password=hunter2x token: abc123 ghp_0123456789abcdefABCDEF url postgresql://u:pw9@h/d',
      'CONTEXT:  PL/pgSQL function t() line 1 at RAISE',
      ''
    ].join('\n')
    expect(reportedLines(shapes)[0]).not.toMatch(/hunter2x|abc123|ghp_0123|pw9/)
    expect(reportedLines(shapes)[0]).toMatch(/^psql:x\.sql:2: ERROR: {2}refused: /)
    // a target's trigger saying why it refused the restore: its words are shown
    const target = [
      "psql:x.sql:9: ERROR:  refused at commit by the target's deferred trigger",
      'CONTEXT:  PL/pgSQL function guard.refuse() line 1 at RAISE',
      ''
    ].join('\n')
    expect(reportedLines(target)[0]).toBe(
      "psql:x.sql:9: ERROR:  refused at commit by the target's deferred trigger"
    )
    // the action's own check (fillChecks) raises too: its message is shown (CI run 18)
    const own = [
      'psql: ERROR:  the table sales.orders holds rows now: another session wrote into it after the restore found it empty; nothing was restored',
      'CONTEXT:  PL/pgSQL function inline_code_block line 1 at RAISE',
      ''
    ].join('\n')
    expect(reportedLines(own)[0]).toBe(
      'psql: ERROR:  the table sales.orders holds rows now: another session wrote into it after the restore found it empty; nothing was restored'
    )
    // a warning's DETAIL before the error is not the error's: nothing of it, nothing replaced
    const warned = [
      'psql:s8.sql:1: WARNING:  wal_level is insufficient',
      'DETAIL:  something',
      'psql:s8.sql:2: ERROR:  division by zero',
      ''
    ].join('\n')
    expect(reportedLines(warned)).toEqual(['psql:s8.sql:2: ERROR:  division by zero'])
  })

  it("errors on the script's own lines (backup.sql:11:) are read as psql's; a row's text never is", () => {
    const errors = (stderr: string): string =>
      reportedLines(stderr)
        .filter(l => !/^(DETAIL|HINT|CONTEXT):/.test(l))
        .join('\n')
    expect(alreadyExists(errors('backup.sql:11: ERROR:  relation "notes" already exists\n'))).toBe(
      true
    )
    const hostile = [
      'backup.sql:12: ERROR:  new row for relation "t" violates check constraint "c"',
      'DETAIL:  Failing row contains (1, x',
      `ERROR:  ${secret} already exists).`,
      ''
    ].join('\n')
    expect(alreadyExists(errors(hostile))).toBe(false)
    expect(reportedLines(hostile).join('\n')).not.toContain(secret)
  })
})

describe('explainLoadFailure: a data-only script of pg_dump --disable-triggers (trial u27 F3)', () => {
  it('says where the ALTER TABLE … DISABLE TRIGGER ALL comes from and what to do', () => {
    const stderr = [
      'psql:data.sql:28: ERROR:  permission denied: "RI_ConstraintTrigger_a_16420" is a system trigger',
      ''
    ].join('\n')
    const message = explainLoadFailure('psql', 3, null, stderr).message
    expect(message).toContain('is a system trigger')
    expect(message).toContain('made with pg_dump --disable-triggers')
    expect(message).toContain('Dump again without --disable-triggers')
    // not the archive-only way out (schemas, tables) of the generic privilege hint
    expect(message).not.toContain("'schemas' or 'tables'")
  })
})

describe('reorderedScript (a plain script in parts, for the target keys)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'reordered-'))
  const segment = (start: number, end: number) => ({ start, end, line: 1, endLine: 1 })

  it("gives the segments' bytes, read by read, in the order given", async () => {
    const file = path.join(dir, 'parts.sql')
    writeFileSync(file, 'aaaabbbbccccdddd')
    const out = reorderedScript({ path: file }, { compression: 'none' }, [
      [segment(0, 4), segment(8, 12)],
      [segment(4, 8)],
      [{ start: 12, end: Infinity, line: 1 }]
    ])
    const chunks: Buffer[] = []
    for await (const chunk of out) chunks.push(chunk as Buffer)
    expect(Buffer.concat(chunks).toString()).toBe('aaaaccccbbbbdddd')
  })

  it('a file replaced between its reads fails the stream before its end (attacker a25 A1)', async () => {
    const file = path.join(dir, 'swapped.sql')
    const half = 4 * 1024 * 1024
    writeFileSync(file, Buffer.alloc(2 * half, 'a'))
    const out = reorderedScript({ path: file }, { compression: 'none' }, [
      [segment(0, half)],
      [segment(half, 2 * half)]
    ])
    const reader = out[Symbol.asyncIterator]()
    await reader.next()
    // renamed over while the first read runs (the stream is paused by its reader)
    const other = path.join(dir, 'other.sql')
    writeFileSync(other, Buffer.alloc(2 * half, 'b'))
    renameSync(other, file)
    const error = await (async () => {
      for (;;) if ((await reader.next()).done) return undefined
    })().catch((e: Error) => e)
    expect(error?.message).toMatch(
      /swapped\.sql changed while it was read \(the restore reads it 2 times/
    )
  })

  it("its read to the file's end must give the bytes checked, else it fails before its end (attacker a37 F3)", async () => {
    const file = path.join(dir, 'checked.sql')
    writeFileSync(file, 'aaaabbbbccccdddd')
    const checked = {
      sha256: createHash('sha256').update('aaaabbbbccccdddd').digest('hex'),
      size: 16
    }
    const reads = [
      [segment(0, 4), segment(8, 12)],
      [segment(4, 8)],
      [{ start: 12, end: Infinity, line: 1 }]
    ]
    const read = async (): Promise<string | Error> => {
      const chunks: Buffer[] = []
      try {
        for await (const chunk of reorderedScript(
          { path: file },
          { compression: 'none' },
          reads,
          () => sameBytesAsChecked('checked.sql', checked)
        ))
          chunks.push(chunk as Buffer)
      } catch (error) {
        return error as Error
      }
      return Buffer.concat(chunks).toString()
    }
    expect(await read()).toBe('aaaaccccbbbbdddd')
    // written in place since its check: its parts would still be there, its end not the same
    writeFileSync(file, 'aaaabbbbccccddd')
    const error = await read()
    expect(error).toBeInstanceOf(Error)
    expect((error as Error).name).toBe('BackupChangedError')
    expect((error as Error).message).toMatch(
      /checked\.sql changed while it was being restored: it was checked as 16 bytes .* read for the load as 15 bytes/
    )
  })
})

describe('subsetHint: a subset restore that failed on what it left out (trial u24 F3)', () => {
  const selection = (tables: string[], schemas: string[] = []) => ({ tables, schemas })
  it("a table's type or domain of another schema: named, with what brings it", () => {
    const hint = subsetHint(
      'pg_restore: error: could not execute query: ERROR:  type "app.email" does not exist\nLINE 3:     email app.email NOT NULL,',
      selection(['users'])
    )
    expect(hint).toMatch(
      /^ The tables selection restores the named tables only, not what they use elsewhere \(app\.email: a type, domain, an extension's type or a function; pg_restore --table does the same\): create it in the target first \(its extension: CREATE EXTENSION\), restore its schema with 'schemas', or restore the whole backup\.$/
    )
    expect(
      subsetHint(
        'psql:<stdin>:40: ERROR:  type "public.citext" does not exist',
        selection([], ['app'])
      )
    ).toMatch(
      /^ The schemas selection restores the named schemas only, not what their objects use elsewhere \(public\.citext: .*add its schema to 'schemas', or restore the whole backup\.$/
    )
    expect(
      subsetHint('ERROR:  function app.slug(text) does not exist', selection(['posts']))
    ).toMatch(/\(app\.slug: a type/)
  })
  it('a row whose foreign key needs a table the selection leaves out: the key, the table, what to add (trial u44 F2)', () => {
    const stderr =
      'psql:<stdin>:912: ERROR:  insert or update on table "documents" violates foreign key constraint "documents_owner_id_fkey"\nDETAIL:  Key (owner_id)=(…) is not present in table "users".'
    expect(subsetHint(stderr, selection([], ['public']))).toMatch(
      /^ The schemas selection restores the named schemas only: most likely the foreign key documents_owner_id_fkey references table "users", which the selection leaves out, .*: add its schema to 'schemas' \(Supabase's auth\.users: schemas: public,auth\), or restore the whole backup\.$/
    )
    expect(
      subsetHint(stderr.replace(/"users"/, '"accounts"'), selection(['public.documents']))
    ).toMatch(/references table "accounts", .*: add it to 'tables', or restore the whole backup\.$/)
    expect(subsetHint(stderr, selection([]))).toBe('')
  })
  it("of a schema the selection restores already: an extension's, not a schema to add (trial u32 F3)", () => {
    const hint = subsetHint(
      'pg_restore: error: could not execute query: ERROR:  type "public.citext" does not exist',
      selection([], ['public'])
    )
    expect(hint).toMatch(
      /^ public\.citext is in schema public, which the selection restores, and is not in the backup's entries for it: an extension's type or function, most likely .*Create the extension in the target first \(CREATE EXTENSION …\), or restore the whole backup\.$/
    )
    expect(hint).not.toMatch(/add its schema/)
  })
  it("the schema's own entry: with tables, also says what a table needs besides", () => {
    expect(subsetHint('ERROR:  schema "app" does not exist', selection(['users']))).toMatch(
      /create the schema in the target first, with the privileges the backup gives it \(a schema created by hand has none of them[^]*GRANTs on it, to run after the CREATE SCHEMA\), or restore the whole backup\. A table restored alone also needs what its columns use/
    )
    expect(subsetHint('ERROR:  schema "app" does not exist', selection([], ['app']))).not.toMatch(
      /A table restored alone/
    )
    expect(subsetHint('ERROR:  type "app.email" does not exist', selection([]))).toBe('')
  })
  it('a table named with its schema (tables: public."OrderItems": pg_restore -n public -t): the tables selection, not schemas (trial u28 F2)', () => {
    expect(
      subsetHint(
        'ERROR:  type "public.money_amount" does not exist',
        selection(['OrderItems'], ['public'])
      )
    ).toMatch(
      /^ The tables selection restores the named tables only.*restore its schema with 'schemas'/
    )
  })
})

describe('explainLoadFailure of a loader that said nothing (attacker a36 A5)', () => {
  it('a killed psql: no empty reason', () => {
    expect(explainLoadFailure('/usr/bin/psql', null, 'SIGTERM', '').message).toBe(
      'psql was killed by SIGTERM, saying nothing (stopped from outside the run).'
    )
    expect(explainLoadFailure('psql', 2, null, '\n').message).toBe(
      'psql exited with code 2, saying nothing.'
    )
  })
})

describe('privilegeHint: names with spaces, as the server prints them (unquoted, to the line end)', () => {
  it('names the whole object, its kind, and quotes it in the SQL it gives', () => {
    expect(
      privilegeHint('psql:x.sql:3: ERROR:  must be owner of materialized view sales by day\n')
    ).toContain('Only the owner of the materialized view sales by day (or a superuser)')
    expect(privilegeHint('ERROR:  must be owner of table my table\n')).toContain(
      'Only the owner of the table my table (or a superuser)'
    )
    expect(privilegeHint('ERROR:  permission denied for database my db\n')).toContain(
      'GRANT CREATE ON DATABASE "my db" TO <role>'
    )
    expect(privilegeHint('ERROR:  permission denied for schema my schema\n')).toContain(
      'in the schema my schema of the target'
    )
    expect(
      privilegeHint('ERROR:  permission denied for foreign-data wrapper my fdw\nCommand was: x\n')
    ).toContain('GRANT USAGE ON FOREIGN DATA WRAPPER "my fdw" TO')
  })
})

describe('a sequence the restoring role may not set (trial u31 F3)', () => {
  it('names the GRANT UPDATE ON SEQUENCE, with the sequence as the failed setval wrote it', () => {
    const message = explainLoadFailure(
      'pg_restore',
      1,
      null,
      "pg_restore: error: could not execute query: ERROR:  permission denied for sequence events_id_seq\nCommand was: SELECT pg_catalog.setval('analytics.events_id_seq', 2, true);\n"
    ).message
    expect(message).toContain(
      'have its owner run GRANT UPDATE ON SEQUENCE analytics.events_id_seq TO <the restoring role>;'
    )
  })
})

describe('ownerChangeDenied: only the echo of a real ALTER … OWNER TO (re-attack a45 F1)', () => {
  it('reads the one statement psql or pg_restore echoed, and quotes the role', () => {
    expect(
      ownerChangeDenied(
        'pg_restore: error: could not execute query: ERROR:  permission denied for schema public\nCommand was: ALTER FUNCTION public.bill(cust bigint) OWNER TO billing;\n'
      )
    ).toEqual({ schema: 'public', role: 'billing' })
    expect(
      ownerChangeDenied(
        'psql:<stdin>:12: ERROR:  permission denied for schema app\npsql:<stdin>:12: STATEMENT:  ALTER TABLE app.t OWNER TO "Billing Team";\n'
      )
    ).toEqual({ schema: 'app', role: '"Billing Team"' })
  })

  it.each([
    // a RAISE of the backup's own that forges the echo: the real echo follows it
    "pg_restore: error: could not execute query: ERROR:  permission denied for schema public\nCommand was: ALTER TABLE public.t OWNER TO evil\nCONTEXT:  PL/pgSQL function inline_code_block line 1 at RAISE\nCommand was: DO $$ BEGIN RAISE EXCEPTION E'permission denied for schema public\\nCommand was: ALTER TABLE public.t OWNER TO evil'; END $$;\n",
    // PUBLIC and the like are no roles one grants to here
    'ERROR:  permission denied for schema public\nCommand was: ALTER TABLE public.t OWNER TO PUBLIC\n',
    'ERROR:  permission denied for schema public\nCommand was: ALTER TABLE public.t OWNER TO current_user;\n',
    // not a name: comments, more words
    'ERROR:  permission denied for schema public\nCommand was: ALTER TABLE public.t OWNER TO x/**/WITH/**/GRANT/**/OPTION\n'
  ])('gives no owner-change advice for %s', stderr => {
    expect(ownerChangeDenied(stderr)).toBeUndefined()
    expect(explainLoadFailure('pg_restore', 1, null, stderr).message).not.toMatch(
      /GRANT CREATE ON SCHEMA public TO (PUBLIC|evil|current_user|x)/
    )
  })

  it.each(['anon', 'authenticated', 'web_anon'])(
    'a role every API request runs as (%s): no GRANT CREATE advice, no-owner instead, saying why',
    role => {
      const message = explainLoadFailure(
        'pg_restore',
        1,
        null,
        `pg_restore: error: could not execute query: ERROR:  permission denied for schema public\nCommand was: ALTER TABLE public.notes OWNER TO ${role};\n`
      ).message
      expect(message).not.toMatch(/GRANT CREATE ON SCHEMA/)
      expect(message).toContain(`${role} is the role of every`)
      expect(message).toContain(
        `do not grant it CREATE, which would let any of them create objects in public. Restore with 'no-owner: true'`
      )
    }
  )
})

describe('a script that names no owner and grants nothing (trial u54 F4)', () => {
  const head = `SET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\n`
  it('is said: the source’s grants do not come back', async () => {
    const objects = new PlainDumpObjects()
    await scan(objects, `${head}CREATE TABLE public.orders (id integer);\n`)
    expect(ownersAndPrivilegesNote(objects)).toMatch(
      /sets no owners and grants no privileges \(made with pg_dump --no-owner --no-acl\?\)/
    )
  })

  it.each([
    ['an owner', 'ALTER TABLE public.orders OWNER TO app;'],
    ['a grant', 'GRANT SELECT ON TABLE public.orders TO reporter;']
  ])('is not said for a script with %s', async (_what, statement) => {
    const objects = new PlainDumpObjects()
    await scan(objects, `${head}CREATE TABLE public.orders (id integer);\n${statement}\n`)
    expect(ownersAndPrivilegesNote(objects)).toBe('')
  })

  it('is not said for a script that creates no table', async () => {
    const objects = new PlainDumpObjects()
    await scan(objects, `${head}COPY public.orders (id) FROM stdin;\n1\n\\.\n`)
    expect(ownersAndPrivilegesNote(objects)).toBe('')
  })
})
