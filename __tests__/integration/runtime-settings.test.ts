/**
 * psql re-reads client_encoding and standard_conforming_strings from the server after every
 * statement (ParameterStatus) and lexes each new line with them; pg_restore -d's server parses
 * each entry with the session's settings of the moment. A backup can change both at run time
 * without naming them: set_config() with a built name in a function (called directly, by a
 * trigger during COPY, by an event trigger on later DDL, by a CHECK), EXECUTE of a built SET, or
 * a ROLLBACK TO that undoes a SET the gate followed. Then a literal the gate read as one string
 * is, for psql, a string, a meta-command and a comment (\! runs a shell on the runner), or, for
 * the server, several statements (a hidden COMMIT). None of it may run: no marker file, nothing
 * committed, the target as it was. And a statement that only reads the settings restores as
 * psql by hand restores it. A real PostgreSQL 15 server; psql 15 (Debian) and the real 17 and
 * 18 clients.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { type TestServer, startPostgres } from '../../dev/postgres.js'
import { type LoadPlan, loadBackup } from '../../src/postgres/load.js'
import { type SyntheticEntry, rewriteArchiveToc } from '../support/archive-writer.js'
import { type RealClient, debianClients, provisionedClient } from '../support/clients.js'
import { LOAD_OPTIONS, capturedLog } from '../support/direct-load.js'

const clients: RealClient[] = []
for (const c of debianClients()) if (c.major === 15) clients.push(c)
for (const major of [17, 18]) {
  const c = provisionedClient(major)
  if (!('missing' in c)) clients.push(c)
}
const missing = [17, 18].flatMap(m => {
  const c = provisionedClient(m)
  return 'missing' in c ? [c.missing] : []
})

let server: TestServer
let work: string
let n = 0
let f12 = 0

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'runtime-settings-'))
  chmodSync(work, 0o777)
  server = await startPostgres({ major: 15 })
}, 120_000)

afterAll(async () => {
  await server?.stop()
  if (work) rmSync(work, { recursive: true, force: true })
})

function planFor(client: RealClient, format: LoadPlan['format']): LoadPlan {
  return {
    format,
    decoding: { compression: 'none' },
    client: {
      binDir: client.binDir,
      versionText: `psql (PostgreSQL) ${client.version}`,
      version: client.version,
      major: client.major
    }
  }
}

async function load(
  client: RealClient,
  format: LoadPlan['format'],
  bytes: Buffer,
  env: Record<string, string> = {}
): Promise<{ database: string; out: string; result: unknown }> {
  const file = path.join(work, `in-${++n}.${format === 'plain' ? 'sql' : 'dump'}`)
  writeFileSync(file, bytes)
  const database = await server.createDatabase()
  let result: unknown
  const out = await capturedLog(async () => {
    result = await loadBackup(
      { path: file },
      planFor(client, format),
      {
        env: { ...(server.env(database) as Record<string, string>), ...env },
        database,
        serverMajor: 15
      },
      { ...LOAD_OPTIONS },
      mkdtempSync(path.join(work, 'work-'))
    ).catch((e: unknown) => e)
  })
  return { database, out, result }
}

async function tables(database: string): Promise<string[]> {
  const r = await server.query<{ t: string }>(
    database,
    `SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`
  )
  return r.map(x => x.t)
}

/** A function that switches a setting at run time without naming it (set_config, built name). */
const switcher = (name: string, returns = 'void', body = ''): string =>
  `CREATE FUNCTION public.${name}() RETURNS ${returns} LANGUAGE plpgsql AS $$BEGIN PERFORM pg_catalog.set_config('standard_' || 'conforming_strings', 'off', false); ${body} END$$;`

const sjisSwitcher = (name: string): string =>
  `CREATE FUNCTION public.${name}() RETURNS void LANGUAGE plpgsql AS $$BEGIN EXECUTE 'SET client_' || 'encoding = ''SJIS'''; END$$;`

/**
 * For the gate (standard_conforming_strings on): one string. For psql with it off: 'x'' a
 * string, then ";", then a meta-command running a shell ("#" comments the quote out for sh).
 */
const scsMeta = (mark: string): string => `SELECT 'x\\'' ; \\! touch ${mark} #';`
/**
 * For the gate (UTF8): one E'' string ("ā" is C4 81). For psql in SJIS: 81 5C is one character,
 * so the quote after it ends the string, then a meta-command.
 */
const sjisMeta = (mark: string): string => `SELECT E'ā\\' ; \\! touch ${mark} #';`

const HEAD = `SET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\nCREATE TABLE public.t (id integer);\nINSERT INTO public.t VALUES (1), (2);\n`

const ATTACKS: Array<[string, (mark: string) => string]> = [
  [
    'a function calls set_config with a built name (standard_conforming_strings off), then \\!',
    m => `${switcher('f')}\nSELECT public.f();\n${scsMeta(m)}\n`
  ],
  [
    'a function EXECUTEs a built SET client_encoding (SJIS), then \\!',
    m => `${sjisSwitcher('g')}\nSELECT public.g();\n${sjisMeta(m)}\n`
  ],
  [
    'a row trigger switches the setting during COPY, then \\!',
    m =>
      `${switcher('tf', 'trigger', 'RETURN NEW;')}\nCREATE TRIGGER tr BEFORE INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION public.tf();\nCOPY public.t (id) FROM stdin;\n3\n\\.\n${scsMeta(m)}\n`
  ],
  [
    'an event trigger switches the setting on later DDL, then \\!',
    m =>
      `${switcher('ef', 'event_trigger')}\nCREATE EVENT TRIGGER et ON ddl_command_end EXECUTE FUNCTION public.ef();\nCREATE TABLE public.u (id integer);\n${scsMeta(m)}\n`
  ],
  [
    'ROLLBACK TO undoes a SET the gate followed, then \\!',
    m =>
      `SAVEPOINT s;\nSET standard_conforming_strings = off;\nROLLBACK TO SAVEPOINT s;\nSELECT 'x\\' ; \\! touch ${m} #';\n`
  ],
  [
    'a SET and a statement on the same line: the server parses the rest of the line with the new value',
    () =>
      `SET standard_conforming_strings = off; SELECT 'x\\''; CREATE TABLE public.hidden (id integer); --';\n`
  ],
  // psql reads the rest of a COPY's line after its data, with the settings the line began with;
  // the rows' trigger switched them on the server meanwhile (re-attack a43)
  [
    'after COPY … FROM stdin; on its line: a literal that ends elsewhere for the server hides a COPY … PROGRAM',
    m =>
      `${switcher('trg', 'trigger', 'RETURN NEW;')}\nCREATE TRIGGER tr BEFORE INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION public.trg();\nCOPY public.t (id) FROM stdin; SELECT 'a\\''; COPY (SELECT 1) TO PROGRAM 'touch ${m}'; --';\n3\n\\.\n`
  ],
  [
    'after COPY … FROM stdin; on its line: a dollar quote going on after the data, then \\!',
    m =>
      `${switcher('trg', 'trigger', 'RETURN NEW;')}\nCREATE TRIGGER tr BEFORE INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION public.trg();\nCOPY public.t (id) FROM stdin; SELECT $q$\n3\n\\.\n$q$, 'a\\'' \\! touch ${m} #\n--'\n;\n`
  ],
  [
    'a hidden COMMIT after a run-time switch, then an error (half committed?)',
    () =>
      `${switcher('f')}\nSELECT public.f();\nSELECT 'x\\''; COMMIT; CREATE TABLE public.hidden (id integer); --';\nSELECT 1/0;\n`
  ]
]

describe.each(clients.map(c => [`psql ${c.version}`, c] as const))(
  'a plain script through %s',
  (_name, client) => {
    it.each(ATTACKS)(
      '%s: refused or stopped; no shell, nothing committed',
      async (_title, attack) => {
        const mark = path.join(work, `pwned-${++n}`)
        const { database, result } = await load(
          client,
          'plain',
          Buffer.from(`${HEAD}${attack(mark)}INSERT INTO public.t VALUES (4);\n`)
        )
        expect(existsSync(mark)).toBe(false)
        expect(result).toBeInstanceOf(Error)
        // the gate's check stopped psql (psql before 17: the literal is refused up front)
        expect((result as Error).message).toMatch(
          /after COPY/.test(_title)
            ? /text after "COPY … FROM stdin;" on its line/
            : /on the same line/.test(_title)
              ? // refused before anything runs: psql reads the rest of the line with the old value
                /a statement follows, on the same line, one that sets standard_conforming_strings|ends at a different place if standard_conforming_strings is off/
              : client.major >= 17 || /SJIS/.test(_title)
                ? /The script changed standard_conforming_strings or client_encoding while it ran \(now (on|off), (UTF8|SJIS)\)/
                : /while it ran|ends at a different place if standard_conforming_strings is off/
        )
        expect(await tables(database)).toEqual([])
      },
      120_000
    )

    // psql lexes a line with the settings it had when the line began: a switch hidden on the
    // line before, undone by a SET at the start of the next one, left the rest of that line read
    // otherwise than the gate's check (run after the SET) could see (re-attack a42 F1)
    it.each<[string, (mark: string) => string, Record<string, string>]>([
      [
        'a hidden switch to SJIS, then "SET client_encoding = \'UTF8\';" and a literal on the same line',
        m =>
          `${sjisSwitcher('g')}\nSELECT public.g();\nSET client_encoding = 'UTF8'; SELECT 'あ'' \\! touch ${m} #\n--'\n;\n`,
        {}
      ],
      [
        'a hidden standard_conforming_strings off, then "SET standard_conforming_strings = on;" and a literal on the same line',
        m =>
          `${switcher('f')}\nSELECT public.f();\nSET standard_conforming_strings = on; SELECT 'a\\'' \\! touch ${m} #\n--'\n;\n`,
        {}
      ],
      [
        'a connection in SJIS (PGCLIENTENCODING), then "SET client_encoding = \'UTF8\';" and a literal on the same line',
        m => `SET client_encoding = 'UTF8'; SELECT 'あ'' \\! touch ${m} #\n--'\n;\n`,
        { PGCLIENTENCODING: 'SJIS' }
      ]
    ])(
      '%s: no shell; restored as the gate read it, or stopped',
      async (_title, attack, env) => {
        const mark = path.join(work, `pwned-${++n}`)
        const { database, result } = await load(
          client,
          'plain',
          Buffer.from(`${HEAD}${attack(mark)}INSERT INTO public.t VALUES (4);\n`),
          env
        )
        expect(existsSync(mark)).toBe(false)
        if (result instanceof Error) expect(await tables(database)).toEqual([])
        else
          expect(await server.query(database, 'SELECT id FROM public.t ORDER BY id')).toEqual([
            { id: 1 },
            { id: 2 },
            { id: 4 }
          ])
      },
      120_000
    )

    it('a connection in LATIN1 (PGCLIENTENCODING) and a script without SET client_encoding: its LATIN1 text restores as by hand', async () => {
      const script = Buffer.concat([
        Buffer.from(
          'CREATE TABLE public.t (id integer, v text);\nINSERT INTO public.t VALUES (1, '
        ),
        Buffer.from("'caf\xe9 \\ x');\n", 'latin1')
      ])
      const { database, result } = await load(client, 'plain', script, {
        PGCLIENTENCODING: 'LATIN1'
      })
      expect(result).not.toBeInstanceOf(Error)
      expect(await server.query(database, 'SELECT v FROM public.t')).toEqual([{ v: 'café \\ x' }])
    }, 120_000)

    it('a view that only reads the settings restores as by hand', async () => {
      const script = `${HEAD}CREATE VIEW public.v AS SELECT pg_catalog.current_setting('client_encoding') AS e, pg_catalog.current_setting('standard_conforming_strings') AS s;\nCOMMENT ON TABLE public.t IS 'standard_conforming_strings';\n`
      const { database, result } = await load(client, 'plain', Buffer.from(script))
      expect(result).not.toBeInstanceOf(Error)
      expect(await tables(database)).toEqual(['t'])
      const rows = await server.query<{ e: string; s: string }>(database, 'SELECT * FROM public.v')
      expect(rows).toEqual([{ e: 'UTF8', s: 'on' }])
    }, 120_000)

    it('functions that switch nothing, and text with backslashes and non-ASCII after them, restore', async () => {
      const script = `${HEAD}CREATE FUNCTION public.h() RETURNS text LANGUAGE plpgsql AS $$BEGIN RETURN 'ok'; END$$;\nSELECT public.h();\nCOMMENT ON TABLE public.t IS E'caf\\u00e9 ā \\\\ done';\nINSERT INTO public.t VALUES (5);\n`
      const { database, result } = await load(client, 'plain', Buffer.from(script))
      expect(result).not.toBeInstanceOf(Error)
      const rows = await server.query<{ c: string }>(
        database,
        `SELECT obj_description('public.t'::regclass) AS c`
      )
      expect(rows).toEqual([{ c: 'café ā \\ done' }])
      expect(await server.query(database, 'SELECT id FROM public.t ORDER BY id')).toEqual([
        { id: 1 },
        { id: 2 },
        { id: 5 }
      ])
    }, 120_000)
  }
)

// a script without pg_dump's SET header, and a target whose sessions start with the other
// setting (database-url's options, the role's ALTER ROLE … SET): the connection is named, not the
// script (attacker a65 F2: "the script changed …" for a role's client_encoding), exit code 2
describe('sessions that start with standard_conforming_strings off or client_encoding SJIS, a script that sets neither', () => {
  // the newest psql: before 17 a literal that reads otherwise with the setting off is refused up front
  const newest = clients.reduce((a, b) => (b.major > a.major ? b : a))
  it.each<[string, (mark: string) => string, 'options' | 'role']>([
    ['standard_conforming_strings off from the options', scsMeta, 'options'],
    ['client_encoding SJIS from the role in that database', sjisMeta, 'role']
  ])(
    '%s: stopped before the literal, no shell, nothing kept, the connection named',
    async (_t, meta, how) => {
      const mark = path.join(work, `pwned-${++n}`)
      const script = Buffer.from(`CREATE TABLE public.t (id integer);\n${meta(mark)}\n`)
      let database = ''
      const out =
        how === 'options'
          ? await load(newest, 'plain', script, { PGOPTIONS: '-c standard_conforming_strings=off' })
          : await (async () => {
              // the role's setting in the next database the helper creates: set it on each new one
              const role = (server.env('postgres') as Record<string, string>).PGUSER ?? 'postgres'
              const r = await loadWith(async db => {
                await server.query(
                  'postgres',
                  `ALTER ROLE ${role} IN DATABASE ${db} SET client_encoding = 'SJIS'`
                )
              })
              return r
            })()
      database = out.database
      expect(existsSync(mark)).toBe(false)
      const error = out.result as Error & { kind?: string; option?: string }
      expect(error.message).toMatch(
        /the session reads with standard_conforming_strings (on|off) and client_encoding (UTF8|SJIS), which the script did not set with a SET statement[^]*Most likely the target's sessions start so: database-url's options/
      )
      expect(error.message).not.toMatch(/The script changed/)
      expect({ kind: error.kind, option: error.option }).toEqual({
        kind: 'setting',
        option: 'databaseUrl'
      })
      expect(await tables(database)).toEqual([])

      /** load() into a database set up by `prepare` first. */
      async function loadWith(prepare: (db: string) => Promise<void>) {
        const file = path.join(work, `in-${++n}.sql`)
        writeFileSync(file, script)
        const db = await server.createDatabase()
        await prepare(db)
        let result: unknown
        await capturedLog(async () => {
          result = await loadBackup(
            { path: file },
            planFor(newest, 'plain'),
            // no PGCLIENTENCODING (the test servers' env sets UTF8): the role's setting applies
            {
              env: Object.fromEntries(
                Object.entries(server.env(db) as Record<string, string>).filter(
                  ([k]) => k !== 'PGCLIENTENCODING'
                )
              ),
              database: db,
              serverMajor: 15
            },
            { ...LOAD_OPTIONS },
            mkdtempSync(path.join(work, 'work-'))
          ).catch((e: unknown) => e)
        })
        return { database: db, result }
      }
    },
    120_000
  )
})

describe('the direct path (pg_restore -d): a run-time switch, then an entry the server parses otherwise', () => {
  const client = debianClients().find(c => c.major === 15)
  let source: Buffer

  beforeAll(async () => {
    if (!client) return
    await server.createDatabase('src')
    // a CHECK calls the switcher for every row the data entry writes (client_encoding SJIS)
    await server.query(
      'src',
      `CREATE FUNCTION public.sw(integer) RETURNS boolean LANGUAGE plpgsql AS $$BEGIN EXECUTE 'SET client_' || 'encoding = ''SJIS'''; RETURN true; END$$;
       CREATE TABLE public.t (id integer PRIMARY KEY CHECK (public.sw(id)), v text);
       INSERT INTO public.t SELECT i, 'row ' || i FROM generate_series(1, 20) AS i;
       CREATE INDEX t_v ON public.t (v);
       COMMENT ON INDEX public.t_v IS 'the index';`
    )
    source = execFileSync(path.join(client.binDir, 'pg_dump'), ['-Fc', '-Z0'], {
      env: server.env('src'),
      maxBuffer: 1 << 28
    })
  }, 120_000)

  it('an index comment (post-data) that SJIS reads as two statements: no hidden table', async () => {
    if (!client) throw new Error('no Debian PostgreSQL 15 client')
    const crafted = rewriteArchiveToc(source, entries =>
      entries.map(e =>
        e.desc === 'COMMENT' && String(e.tag ?? '').startsWith('INDEX')
          ? {
              ...e,
              defn: "COMMENT ON INDEX public.t_v IS E'ā\\'; CREATE TABLE public.hidden (id integer); --';\n"
            }
          : e
      )
    )
    const { database, out, result } = await load(client, 'custom', crafted)
    expect(out).not.toMatch(/Loading with pg_restore -d directly/)
    expect(out).toMatch(
      /Loading through the script gate into psql: the entry \d+ \(COMMENT\), its definition: text with a backslash or non-ASCII bytes after the entry \d+ \(TABLE DATA\)/
    )
    expect((result as Error).message).toMatch(/while it ran \(now on, SJIS\)/)
    expect(await tables(database)).toEqual([])
  }, 120_000)

  // attacker 7: pg_settings' update rule switches client_encoding with no function of the
  // archive's own and no word a deny-list knew; a later comment then hid a table and a COMMIT
  it('an UPDATE of pg_settings before an entry SJIS reads as more statements: no hidden table, no commit', async () => {
    if (!client) throw new Error('no Debian PostgreSQL 15 client')
    await server.createDatabase('src_settings')
    await server.query(
      'src_settings',
      `CREATE TABLE public.a (id integer);
       COMMENT ON TABLE public.a IS 'one';
       COMMENT ON COLUMN public.a.id IS 'two';`
    )
    const plain = execFileSync(path.join(client.binDir, 'pg_dump'), ['-Fc', '-Z0'], {
      env: server.env('src_settings'),
      maxBuffer: 1 << 28
    })
    const crafted = rewriteArchiveToc(plain, entries =>
      entries.map(e =>
        e.desc !== 'COMMENT'
          ? e
          : String(e.tag ?? '').startsWith('TABLE')
            ? {
                ...e,
                defn: "UPDATE pg_catalog.pg_settings SET setting = 'SJIS' WHERE name = 'client_encoding';\n"
              }
            : {
                ...e,
                defn: "SELECT E'ā\\'; CREATE TABLE public.hidden AS SELECT 1 AS x; COMMIT; --';\n"
              }
      )
    )
    const { database, out } = await load(client, 'custom', crafted)
    expect(out).not.toMatch(/Loading with pg_restore -d directly/)
    expect(out).toMatch(/after the entry \d+ \(COMMENT\), which may run code/)
    expect(await tables(database)).toEqual([])
  }, 120_000)

  // attacker 8 (F12): code in shapes the allow-list took for definitions — an ALTER TABLE's
  // second subcommand, an aggregate's INITCOND through a domain's CHECK (pg_dump's own text)
  it.each([
    [
      'a default evaluated by ALTER TABLE … ADD COLUMN, beside a SET DEFAULT',
      `CREATE FUNCTION public.flip() RETURNS integer LANGUAGE plpgsql STABLE AS $$BEGIN PERFORM pg_catalog.set_config('client_' || 'encoding', 'SJIS', false); RETURN 1; END$$;
       CREATE TABLE public.mine (x integer);
       COMMENT ON TABLE public.mine IS 'one';`,
      (e: SyntheticEntry): SyntheticEntry =>
        e.desc === 'TABLE'
          ? {
              ...e,
              defn: 'CREATE TABLE public.mine (x integer);\nALTER TABLE public.mine ADD COLUMN y integer DEFAULT public.flip(), ALTER COLUMN x SET DEFAULT 0;\n'
            }
          : e
    ],
    [
      "an aggregate's INITCOND through a domain's CHECK (as pg_dump wrote it)",
      `CREATE FUNCTION public.flipb(integer) RETURNS boolean LANGUAGE plpgsql AS $$BEGIN PERFORM pg_catalog.set_config('client_' || 'encoding', 'SJIS', false); RETURN true; END$$;
       CREATE DOMAIN public.dd AS integer CHECK (public.flipb(VALUE));
       CREATE FUNCTION public.sf(public.dd, integer) RETURNS public.dd LANGUAGE sql AS 'SELECT $1';
       CREATE AGGREGATE public.agg(integer) (SFUNC = public.sf, STYPE = public.dd, INITCOND = '1');
       CREATE TABLE public.mine (x integer);
       COMMENT ON TABLE public.mine IS 'one';`,
      (e: SyntheticEntry): SyntheticEntry => e
    ]
  ])(
    '%s, then a comment SJIS reads as more statements: not direct, no hidden table, no commit',
    async (_label, sql, change) => {
      if (!client) throw new Error('no Debian PostgreSQL 15 client')
      const name = `src_f12_${++f12}`
      await server.createDatabase(name)
      await server.query(name, sql)
      const plain = execFileSync(path.join(client.binDir, 'pg_dump'), ['-Fc', '-Z0', '-O'], {
        env: server.env(name),
        maxBuffer: 1 << 28
      })
      const crafted = rewriteArchiveToc(plain, entries =>
        entries.map(e =>
          e.desc === 'COMMENT'
            ? {
                ...e,
                defn: "COMMENT ON TABLE public.mine IS E'ā\\'; CREATE TABLE public.hidden AS SELECT 1 AS x; COMMIT; --';\n"
              }
            : change(e)
        )
      )
      const { database, out } = await load(client, 'custom', crafted)
      expect(out).not.toMatch(/Loading with pg_restore -d directly/)
      expect(out).toMatch(/Loading through the script gate into psql: the entry \d+ \(COMMENT\)/)
      expect(await tables(database)).toEqual([])
    },
    120_000
  )

  it('a backslash right after a non-ASCII character with nothing that runs code: the psql path restores it as by hand', async () => {
    if (!client) throw new Error('no Debian PostgreSQL 15 client')
    await server.createDatabase('src_pair')
    await server.query(
      'src_pair',
      `CREATE TABLE public.mine (x integer);
       INSERT INTO public.mine VALUES (1), (2);
       COMMENT ON TABLE public.mine IS 'ā\\ done';`
    )
    const archive = execFileSync(path.join(client.binDir, 'pg_dump'), ['-Fc', '-Z0', '-O'], {
      env: server.env('src_pair'),
      maxBuffer: 1 << 28
    })
    const { database, out, result } = await load(client, 'custom', archive)
    expect(result).not.toBeInstanceOf(Error)
    expect(out).toMatch(/a backslash right after a byte above 127/)
    expect(
      await server.query(database, `SELECT obj_description('public.mine'::regclass) AS c`)
    ).toEqual([{ c: 'ā\\ done' }])
    expect(await server.query(database, 'SELECT x FROM public.mine ORDER BY x')).toEqual([
      { x: 1 },
      { x: 2 }
    ])
  }, 120_000)
})

it('the real 17 and 18 clients are provisioned', () => {
  expect(missing).toEqual([])
})
