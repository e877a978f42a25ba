/**
 * The psql lexer equals real psql. Every script below runs through real psql 15 (Debian), 17
 * and 18 (provisioned) against a real PostgreSQL 15 server behind a wire recorder; the queries
 * and COPY data the server received (byte for byte), the connections, and the order of queries
 * and \echo output on psql's stdout must be exactly the lexer's events (support/psql-oracle.ts).
 *
 * Scripts: the hand-written hostile ones (support/psql-scripts.ts, \echo MARK-n where an attack
 * would run \!), deterministic random scripts (support/psql-fuzz.ts), and real pg_dump 15/17/18
 * and pg_dumpall output of a rich schema (support/fixtures.ts seedSample plus large objects,
 * BEGIN ATOMIC bodies, an extension, policies, a publication, an event trigger, backslashes in
 * data, defaults and comments, odd names) in several formats, and of a LATIN1 database. For the
 * real dumps the rules (psql-script-rules.ts) must refuse nothing but pg_dump's own BEGIN/COMMIT
 * around large objects (droppable) and \connect (pg_dump -C, pg_dumpall).
 */
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { lexPsqlScript, type PsqlLexerOptions } from '../../src/postgres/psql-lexer.js'
import { classifyStatement, refusals } from '../../src/postgres/psql-script-rules.js'
import { debianClients, provisionedClient, type RealClient } from '../support/clients.js'
import { seedSample } from '../../dev/fixtures.js'
import { startWireRecorder, type WireRecorder } from '../support/pg-wire-recorder.js'
import { startPostgres, type TestServer } from '../../dev/postgres.js'
import { compareWithPsql, runPsqlRecorded } from '../support/psql-oracle.js'
import { randomScript } from '../support/psql-fuzz.js'
import { SCRIPT_SETUP, TRICKY_SCRIPTS } from '../support/psql-scripts.js'

/** Objects pg_dump writes in ways a psql reader must get right, on top of seedSample. */
const EXTRAS = String.raw`
CREATE EXTENSION IF NOT EXISTS citext;
CREATE TABLE public.ci (name citext);
INSERT INTO public.ci VALUES ('Ab'), ('aB');
CREATE FUNCTION public.atomic_f(a int) RETURNS int LANGUAGE sql
  BEGIN ATOMIC SELECT a + 1; SELECT CASE WHEN a > 0 THEN a ELSE 0 END; END;
CREATE PROCEDURE public.atomic_p() LANGUAGE sql BEGIN ATOMIC INSERT INTO public.ci VALUES ('p'); END;
CREATE FUNCTION public."weird$fn"() RETURNS text LANGUAGE plpgsql
  AS $body$ BEGIN RETURN $$it's \ a $x$ tag$$; END $body$;
COMMENT ON TABLE public.ci IS 'C:\path\ends\with\';
CREATE TABLE public.esc (v text DEFAULT E'tab\there\\', w text DEFAULT 'a\b');
INSERT INTO public.esc VALUES (E'line1\nline2\\.', E'\\.'), (E'\r\n\\.\r\n', 'x;y');
SELECT lo_from_bytea(0, 'large object data'::bytea);
SELECT lo_from_bytea(0, decode(repeat('ab', 5000), 'hex'));
DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'reader') THEN CREATE ROLE reader; END IF; END$$;
GRANT SELECT ON public.ci TO reader;
ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO reader;
ALTER TABLE public.ci ENABLE ROW LEVEL SECURITY;
CREATE POLICY p ON public.ci TO reader USING (true);
CREATE PUBLICATION pub FOR TABLE public.ci;
CREATE FUNCTION public.et_fn() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$;
CREATE EVENT TRIGGER et ON ddl_command_start EXECUTE FUNCTION public.et_fn();
CREATE TABLE public."weird ""name"";" (";" int, "\" text);
INSERT INTO public."weird ""name"";" VALUES (1, '\'), (2, E'\\.\n');
CREATE TABLE public.arr (a int[], lo int, hi int);
CREATE VIEW public.v_slice AS SELECT a[lo:hi] AS s, (ARRAY[1,2,3])[1:2] AS t FROM public.arr;
`

/** pg_dump formats of the rich database. */
const DUMP_VARIANTS: [string, string[]][] = [
  ['plain', []],
  ['inserts', ['--inserts', '--rows-per-insert=3']],
  ['no-owner', ['--no-owner', '--no-privileges']],
  ['clean', ['--clean', '--if-exists']],
  ['create', ['--create']]
]

const FUZZ_SEEDS = 60

/** Runs a client program and returns its stdout bytes (a dump in its own encoding). */
function dumpBytes(program: string, args: string[], env: NodeJS.ProcessEnv): Buffer {
  const r = spawnSync(program, args, { env, maxBuffer: 1 << 30 })
  if (r.status !== 0)
    throw new Error(`${program} ${args.join(' ')} failed: ${r.stderr?.toString()}`)
  return r.stdout
}

interface Psql {
  client: RealClient
  /** How that psql reads, for the lexer. */
  options: PsqlLexerOptions
  /** psql sends the "\." line with COPY data (before 18). */
  markerSent: boolean
  psqlCountsCopies: boolean
}

function psqls(): Psql[] | string {
  const found: RealClient[] = debianClients().filter(c => c.major === 15)
  if (found.length === 0)
    return 'Debian’s PostgreSQL 15 client is missing (apt-get install postgresql-client-15)'
  for (const major of [17, 18]) {
    const c = provisionedClient(major)
    if ('missing' in c) return c.missing
    found.push(c)
  }
  return found.map(client => ({
    client,
    options: { psqlMajor: client.major },
    markerSent: client.major < 18,
    psqlCountsCopies: client.major >= 17
  }))
}

describe('psql lexer equals real psql 15, 17 and 18', () => {
  const clients = psqls()
  let server: TestServer
  let recorder: WireRecorder

  beforeAll(async () => {
    server = await startPostgres({ major: 15 })
    recorder = await startWireRecorder({ host: '127.0.0.1', port: server.port })
  })

  afterAll(async () => {
    await recorder?.close()
    await server?.stop()
  })

  const available = (): Psql[] => {
    if (typeof clients === 'string') throw new Error(clients)
    return clients
  }

  /** Runs `script` through every psql into a fresh database (prepared by `setup`) and compares. */
  async function expectSameAsPsql(
    script: Buffer,
    setup: (db: string) => Promise<void>,
    options: { clientEncoding?: string; allowStop?: boolean } = {}
  ): Promise<number> {
    let compared = 0
    for (const psql of available()) {
      const db = await server.createDatabase()
      try {
        await setup(db)
        const env = { ...server.env(db), PGCLIENTENCODING: options.clientEncoding ?? 'UTF8' }
        const run = await runPsqlRecorded(psql.client.binDir, script, env, recorder)
        const events = lexPsqlScript(script, {
          ...psql.options,
          clientEncoding: options.clientEncoding
        })
        const c = compareWithPsql(events, run, psql)
        if (c.diff)
          throw new Error(
            `psql ${psql.client.version}: ${c.diff}\npsql stderr:\n${run.stderr.slice(0, 2000)}`
          )
        if (c.stoppedAt && !options.allowStop)
          throw new Error(`psql ${psql.client.version}: stopped: ${c.stoppedAt}`)
        compared += c.compared
      } finally {
        await server.dropDatabase(db)
      }
    }
    return compared
  }

  describe('hostile and tricky scripts', () => {
    it.each(TRICKY_SCRIPTS.map(t => [t.name, t] as const))('%s', async (_name, t) => {
      const compared = await expectSameAsPsql(
        Buffer.from(t.script, 'utf8'),
        db => server.query(db, SCRIPT_SETUP).then(() => undefined),
        // a table named "from": psql 17/18 drop the connection where the server starts a COPY
        // they did not count (the lexer reports it; the rules refuse it)
        { clientEncoding: t.clientEncoding, allowStop: t.name === 'copy-schema-from' }
      )
      expect(compared).toBeGreaterThan(0)
    })

    it('hostile meta-commands in them are all seen by the rules', () => {
      const echoes = TRICKY_SCRIPTS.flatMap(t =>
        refusals(lexPsqlScript(t.script, { clientEncoding: t.clientEncoding })).filter(r =>
          r.command.startsWith('\\echo')
        )
      )
      expect(echoes.length).toBeGreaterThan(40)
    })
  })

  it(`random scripts (${FUZZ_SEEDS} seeds)`, async () => {
    let compared = 0
    let stopped = 0
    for (let seed = 1; seed <= FUZZ_SEEDS; seed++) {
      const script = Buffer.from(randomScript(seed, 60))
      for (const psql of available()) {
        const run = await runPsqlRecorded(psql.client.binDir, script, server.env(fuzzDb), recorder)
        const c = compareWithPsql(lexPsqlScript(script, psql.options), run, psql)
        if (c.diff) throw new Error(`seed ${seed}, psql ${psql.client.version}: ${c.diff}`)
        if (c.stoppedAt) stopped++
        compared += c.compared
      }
    }
    // a COPY the server refuses (not valid SQL around it) ends a comparison early, rarely
    expect(stopped).toBeLessThan(FUZZ_SEEDS * 0.1 * 3)
    expect(compared).toBeGreaterThan(FUZZ_SEEDS * 10)
  }, 300_000)

  let fuzzDb: string
  beforeAll(async () => {
    fuzzDb = await server.createDatabase()
    await server.query(fuzzDb, 'CREATE TABLE fz (t text)')
  })

  describe('real pg_dump and pg_dumpall output', () => {
    let source: string
    const dumps = new Map<string, Buffer>()

    beforeAll(async () => {
      source = await server.createDatabase('lexsrc')
      await seedSample(server, source)
      await server.query(source, EXTRAS)
      for (const psql of available()) {
        const bin = psql.client.binDir
        for (const [name, args] of DUMP_VARIANTS) {
          dumps.set(
            `pg_dump ${psql.client.major} ${name}`,
            dumpBytes(path.join(bin, 'pg_dump'), args, server.env(source))
          )
        }
        dumps.set(
          `pg_dumpall ${psql.client.major}`,
          dumpBytes(path.join(bin, 'pg_dumpall'), ['--no-role-passwords'], server.env('postgres'))
        )
      }
    }, 300_000)

    const cases = [15, 17, 18].flatMap(major => [
      ...DUMP_VARIANTS.map(([name]) => `pg_dump ${major} ${name}`),
      `pg_dumpall ${major}`
    ])

    it.each(cases)(
      '%s',
      async name => {
        const script = dumps.get(name)!
        const events = lexPsqlScript(script)
        // the rules: only pg_dump's own BEGIN/COMMIT around large objects, and \connect
        const refused = refusals(events)
        const connects = refused.filter(r => r.code === 'connect').map(r => r.command)
        if (name.startsWith('pg_dumpall'))
          expect(connects).toEqual(
            expect.arrayContaining(['\\connect template1', '\\connect lexsrc'])
          )
        else expect(connects).toEqual(name.includes('create') ? ['\\connect lexsrc'] : [])
        expect(
          refused.filter(r => r.code !== 'connect').map(r => [r.code, r.droppable, r.command])
        ).toEqual([
          ['transaction-control', true, 'BEGIN;'],
          ['transaction-control', true, 'COMMIT;']
        ])
        const kinds = new Set(
          events.flatMap(e => (e.kind === 'statement' ? [classifyStatement(e).kind] : []))
        )
        for (const kind of [
          'extension',
          'schema',
          'table',
          'set',
          'large-object',
          'policy',
          'publication',
          'event-trigger'
        ])
          expect(kinds).toContain(kind)
        if (!name.includes('inserts')) expect(kinds).toContain('copy')
        if (!name.includes('no-owner'))
          for (const kind of ['owner', 'privileges', 'default-privileges'])
            expect(kinds).toContain(kind)

        const compared = await expectSameAsPsql(script, async () => {
          // pg_dump --create recreates the source database and connects to it: let it
          if (name.includes('create')) await server.dropDatabase(source)
        })
        expect(compared).toBeGreaterThan(100)
        if (name.includes('create')) {
          // the script made the database again, rows included
          expect(await server.query(source, 'SELECT count(*)::int AS n FROM public.ci')).toEqual([
            { n: 2 }
          ])
        }
      },
      300_000
    )

    it('a LATIN1 database: SET client_encoding in the dump, LATIN1 bytes in data and statements', async () => {
      const latin1 = 'lexlatin1'
      await server.query(
        'postgres',
        `CREATE DATABASE ${latin1} TEMPLATE template0 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C'`
      )
      try {
        await server.query(
          latin1,
          "CREATE TABLE t (v text DEFAULT 'é\\'); INSERT INTO t VALUES ('Zoë'), (E'ÿ\\\\.'); COMMENT ON TABLE t IS 'naïve'"
        )
        const script = dumpBytes(path.join(available()[0].client.binDir, 'pg_dump'), [], {
          ...server.env(latin1),
          PGCLIENTENCODING: 'LATIN1'
        })
        expect(script.toString('latin1')).toContain("SET client_encoding = 'LATIN1';")
        expect(script.includes(Buffer.from('Zo\xeb', 'latin1'))).toBe(true)
        const events = lexPsqlScript(script)
        expect(
          events.some(e => e.kind === 'statement' && e.effects?.clientEncoding === 'LATIN1')
        ).toBe(true)
        expect(refusals(events)).toEqual([])
        await expectSameAsPsql(script, async () => undefined)
      } finally {
        await server.dropDatabase(latin1)
      }
    }, 300_000)

    it('a pg_dump script psql itself misreads: a BEGIN ATOMIC body naming a column "begin"', async () => {
      const db = await server.createDatabase()
      try {
        await server.query(
          db,
          'CREATE TABLE begin_t ("begin" int); INSERT INTO begin_t VALUES (1);' +
            ' CREATE FUNCTION uses_begin() RETURNS SETOF int LANGUAGE sql BEGIN ATOMIC SELECT b.begin FROM begin_t b; END;' +
            " CREATE TABLE after_t (x text); INSERT INTO after_t VALUES ('\\x');"
        )
        const dump = dumpBytes(
          path.join(available()[0].client.binDir, 'pg_dump'),
          [],
          server.env(db)
        )
        // pg_dump writes "SELECT b.begin" unquoted (begin is an unreserved keyword); psql counts
        // it as BEGIN and joins everything after into one query, COPY data included
        const events = lexPsqlScript(dump)
        const joined = refusals(events).filter(r => r.code === 'joined-statements')
        expect(joined).toHaveLength(1)
        expect(joined[0].command).toMatch(/^CREATE FUNCTION public\.uses_begin\(\)/)
        await expectSameAsPsql(dump, async () => undefined, { allowStop: true })
      } finally {
        await server.dropDatabase(db)
      }
    }, 300_000)
  })
})
