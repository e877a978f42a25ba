/**
 * The restore's script gate without a server: what it refuses (before psql would see a byte of
 * it), what it drops, that everything else passes byte for byte under any chunking, where it
 * writes BEGIN/COMMIT, and the policy hook.
 */
import { describe, expect, it } from '@jest/globals'
import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { CheckError } from '../../src/errors.js'
import {
  ScriptGate,
  type ScriptGateOptions,
  settingsCheck
} from '../../src/postgres/script-gate.js'
import {
  explainLoadFailure,
  inArchiveEntries,
  inScriptLines,
  LoadError
} from '../../src/postgres/load.js'

interface Run {
  out: string
  error?: Error
  gate: ScriptGate
}

/** The script through a gate in chunks of `chunk` bytes. */
async function gate(
  script: string | Buffer,
  options: Partial<ScriptGateOptions> = {},
  chunk = 64 * 1024
): Promise<Run> {
  const g = new ScriptGate({ psqlMajor: 18, transaction: true, ...options })
  const buf = typeof script === 'string' ? Buffer.from(script) : script
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
    return { out: Buffer.concat(out).toString('utf8'), gate: g }
  } catch (error) {
    return { out: Buffer.concat(out).toString('utf8'), error: error as Error, gate: g }
  }
}

const KEY = 'Yyw7Dh4ZaW0Kdh9DiYrHWwHXE3aUVjqyHUpOANq5d8gI5udj9RsDePgpsgHnEYe'

/** pg_dump 18's plain output in miniature: \restrict, transaction_timeout, COPY, large objects. */
function dump(eol = '\n'): string {
  return [
    '--',
    '-- PostgreSQL database dump',
    '--',
    '',
    `\\restrict ${KEY}`,
    '',
    'SET statement_timeout = 0;',
    'SET transaction_timeout = 0;',
    "SELECT pg_catalog.set_config('search_path', '', false);",
    '',
    'CREATE TABLE public.t (',
    '    id integer,',
    '    v text',
    ');',
    'ALTER TABLE public.t OWNER TO alice;',
    '',
    'COPY public.t (id, v) FROM stdin;',
    '1\tSELECT 1;',
    '2\t\\\\! touch /tmp/nothing',
    '\\.',
    '',
    'BEGIN;',
    '',
    "SELECT pg_catalog.lo_open('16385', 131072);",
    'SELECT pg_catalog.lo_close(0);',
    '',
    'COMMIT;',
    '',
    'GRANT SELECT ON TABLE public.t TO bob;',
    '',
    '--',
    '-- PostgreSQL database dump complete',
    '--',
    '',
    `\\unrestrict ${KEY}`,
    ''
  ].join(eol)
}

describe('ScriptGate passes', () => {
  it.each([1, 2, 3, 7, 64, 65536])(
    'the exact bytes of what it keeps, BEGIN after \\restrict, COMMIT last (chunks of %i)',
    async chunk => {
      const r = await gate(dump(), { serverMajor: 18 }, chunk)
      expect(r.error).toBeUndefined()
      // pg_dump's own BEGIN/COMMIT are gone, the rest is the script byte for byte
      const expected = dump()
        .replace('\n\nBEGIN;\n', '\n\n\n')
        .replace('\n\nCOMMIT;\n', '\n\n\n')
        .replace(`${KEY}\n\nSET statement`, `${KEY}\n\nBEGIN;\nSET statement`)
      expect(r.out).toBe(`${expected}\nCOMMIT;\n`)
      expect(r.gate.facts).toMatchObject({ madeByPgDump: true, complete: true })
      expect(r.gate.skipped.map(s => s.text)).toEqual(['BEGIN;', 'COMMIT;'])
    }
  )

  it('CRLF scripts alike: COPY data ends at "\\.\\r\\n", the trailer is seen', async () => {
    for (const chunk of [1, 5, 65536]) {
      const r = await gate(dump('\r\n'), { serverMajor: 16 }, chunk)
      expect(r.error).toBeUndefined()
      expect(r.gate.facts.complete).toBe(true)
      expect(r.out).toContain('2\t\\\\! touch /tmp/nothing\r\n\\.\r\n')
      expect(r.out).not.toContain('transaction_timeout')
      expect(r.gate.skipped.map(s => s.line)).toEqual([8, 22, 27])
    }
  })

  it.each([
    ['after the last ";"', (d: string) => d.replace('TO bob;\n', 'TO bob; /* a */\n')],
    [
      'nested, on a line of its own',
      (d: string) => d.replace('TO bob;\n', 'TO bob;\n/* a /* b */ c */\n')
    ],
    ['after a -- comment', (d: string) => d.replace('TO bob;\n', 'TO bob;\n-- x\n/* y */\n')]
  ])(
    'a /* … */ comment %s keeps the trailer in what psql sends at the end: still seen (attacker a36 A2)',
    async (_where, edit) => {
      // pg_dump 18's, which ends on \\unrestrict, and before (the trailer last)
      const before18 = (d: string): string => d.replace(`\\unrestrict ${KEY}\n`, '')
      for (const script of [edit(dump()), before18(edit(dump()))])
        for (const chunk of [1, 7, 65536]) {
          const r = await gate(script, { serverMajor: 18 }, chunk)
          expect(r.error).toBeUndefined()
          expect(r.gate.facts.complete).toBe(true)
        }
      // and cut before the trailer: not complete
      const cut = edit(dump()).split('-- PostgreSQL database dump complete')[0]
      expect((await gate(cut, { serverMajor: 18 })).gate.facts.complete).toBe(false)
    }
  )

  it("lock-timeout replaces the script's SET lock_timeout (pg_dump's header: 0), lines kept", async () => {
    const script =
      "SET statement_timeout = 0;\nSET lock_timeout = 0;\nSET LOCAL\n  lock_timeout = '1h';\nSELECT 1;\n"
    for (const chunk of [1, 7, 65536]) {
      const r = await gate(script, { lockTimeoutMs: 2000 }, chunk)
      expect(r.error).toBeUndefined()
      expect(r.out).toBe(
        'BEGIN;\nSET statement_timeout = 0;\nSET lock_timeout = 2000;\nSET lock_timeout = 2000;\n\nSELECT 1;\n\nCOMMIT;\n'
      )
      expect(r.gate.scriptLine(6)).toBe(5)
    }
    // 0 (wait forever) or unset: the script's own passes
    for (const lockTimeoutMs of [0, undefined]) {
      const r = await gate(script, { lockTimeoutMs }, 5)
      expect(r.out).toBe(`BEGIN;\n${script}\nCOMMIT;\n`)
    }
  })

  it('a UTF-8 byte-order mark stays first', async () => {
    const r = await gate('\ufeffSELECT 1;\n')
    expect(r.out).toBe('\ufeffBEGIN;\nSELECT 1;\n\nCOMMIT;\n')
  })

  it('drops owners, privileges, transaction_timeout and \\restrict as asked, and lists them', async () => {
    const r = await gate(dump(), {
      serverMajor: 15,
      noOwner: true,
      noPrivileges: true,
      dropRestrict: true
    })
    expect(r.error).toBeUndefined()
    expect(r.out).not.toMatch(/OWNER TO|GRANT|transaction_timeout|restrict/)
    expect(r.out).toContain('COPY public.t (id, v) FROM stdin;\n1\tSELECT 1;\n')
    expect(r.gate.skipped.map(s => s.reason)).toEqual([
      expect.stringContaining('\\restrict'),
      expect.stringContaining('transaction_timeout'),
      'owners are not restored (no-owner)',
      expect.stringContaining('BEGIN'),
      expect.stringContaining('COMMIT'),
      'privileges are not restored (no-privileges)',
      expect.stringContaining('\\restrict')
    ])
    expect(r.out.startsWith('--\n-- PostgreSQL database dump\n--\n\n\n\nBEGIN;\nSET')).toBe(true)
  })

  it('writes the drops (clean) right after BEGIN', async () => {
    const r = await gate('SELECT 1;\n', { before: ['DROP TABLE IF EXISTS a CASCADE;'] })
    expect(r.out).toBe('BEGIN;\nDROP TABLE IF EXISTS a CASCADE;\nSELECT 1;\n\nCOMMIT;\n')
  })

  it('writes the statements of `after` (the net) after the script, just before COMMIT', async () => {
    const r = await gate('SELECT 1', {
      after: ['SET LOCAL search_path = pg_catalog;', 'DO $$BEGIN END$$;']
    })
    expect(r.out).toBe(
      'BEGIN;\nSELECT 1\n;\nSET LOCAL search_path = pg_catalog;\nDO $$BEGIN END$$;\nCOMMIT;\n'
    )
    expect(r.gate.scriptLine(r.out.split('\n').indexOf('DO $$BEGIN END$$;') + 1)).toBeUndefined()
  })

  it('ends a last statement without ";" before COMMIT', async () => {
    const r = await gate('SELECT 1')
    expect(r.out).toBe('BEGIN;\nSELECT 1\n;\nCOMMIT;\n')
  })

  it("without a transaction of its own, the script's transaction control passes", async () => {
    const r = await gate('BEGIN;\nSELECT 1;\nCOMMIT;\n', { transaction: false })
    expect(r.error).toBeUndefined()
    expect(r.out).toBe('BEGIN;\nSELECT 1;\nCOMMIT;\n')
  })
})

describe('ScriptGate refuses before psql sees a byte of it', () => {
  const hostile: Array<[string, string, RegExp]> = [
    ['\\! shell', 'SELECT 1;\n\\! touch /tmp/x\n', /line 2: the psql meta-command "\\! touch/],
    ['\\copy to program', "SELECT 1;\n\\copy t to program 'sh -c id'\n", /line 2: .*\\copy/],
    ['\\o |cmd', 'SELECT 1;\n\\o |touch /tmp/x\nSELECT 2;\n', /line 2: .*\\o/],
    ['a backquote', 'SELECT 1;\n\\set x `touch /tmp/x`\n', /line 2: .*\\set/],
    ['a meta-command after COPY data', 'COPY t FROM stdin;\n1\n\\.\n\\! id\n', /line 4: .*\\!/],
    ['COPY … PROGRAM', "SELECT 1;\nCOPY t TO PROGRAM 'id';\n", /line 2: COPY … TO PROGRAM/],
    ['COPY … FROM PROGRAM, lower case', "copy t from program 'id';\n", /FROM PROGRAM/],
    ['"\\;"', 'SELECT 1\\; SELECT 2;\n', /line 1: psql turns "\\;"/],
    ['ROLLBACK', 'SELECT 1;\nROLLBACK;\nSELECT 2;\n', /line 2: ROLLBACK would end/],
    ['COMMIT with work', 'COMMIT WORK;\n', /line 1: COMMIT would end/],
    ['END', 'END;\n', /line 1: END would end/],
    ['START TRANSACTION', 'START TRANSACTION;\n', /line 1: START TRANSACTION/],
    ['a psql variable', 'SELECT :USER;\n', /variable reference :USER/],
    ['a custom-format archive', 'PGDMP\u0001\u000e\n', /custom-format archive/]
  ]
  it.each(hostile)('%s', async (_name, script, message) => {
    for (const chunk of [1, 4, 65536]) {
      const r = await gate(script, {}, chunk)
      expect(r.error).toBeInstanceOf(CheckError)
      expect(r.error?.message).toMatch(message)
      // nothing of the refused event, and no COMMIT, reached psql
      expect(r.out).not.toMatch(/touch|PROGRAM|COMMIT;\n$|\\;|ROLLBACK|END;|START|:USER/)
    }
  })

  it('a backquote in \\restrict or \\unrestrict (psql 15.18 runs it even while restricted)', async () => {
    for (const line of ['\\restrict `touch /tmp/x`', '\\unrestrict `touch /tmp/x`']) {
      const r = await gate(`\\restrict abc\nSELECT 1;\n${line}\n`, { psqlMajor: 15 })
      expect(r.error?.message).toMatch(/line 3: the psql meta-command "\\(un)?restrict `touch/)
      expect(r.out).not.toContain('touch')
    }
  })

  it('with psql before 17, a literal that ends elsewhere if standard_conforming_strings is off', async () => {
    const script = "SELECT 'a\\';\n"
    const old = await gate(script, { psqlMajor: 15 })
    expect(old.error?.message).toMatch(/line 1: a string literal here ends at a different place/)
    // and the ways past it (trial u22 F1: none was said)
    expect(old.error?.message).toMatch(
      /restore with 'postgres-version: 17' or newer .* or make the backup without --inserts/
    )
    expect(old.out).toBe('')
    const current = await gate(script, { psqlMajor: 17 })
    expect(current.error).toBeUndefined()
    // psql 17+: passed, after the check that the settings are still those it was read with
    // (the script set neither setting: the check's error then names the session's start)
    expect(current.out).toBe(`BEGIN;\n${settingsCheck(true, 'UTF8', false)}\n${script}\nCOMMIT;\n`)
  })

  it('refuses COPY to or from a file on the server, and an empty statement (COMMIT;; after COPY data made psql stop reading)', async () => {
    const copyTo = await gate("COPY (SELECT 1) TO '/tmp/x';\n")
    expect(copyTo.error?.message).toMatch(
      /line 1: COPY … TO a file reads or writes a file on the database server/
    )
    const copyFrom = await gate("COPY public.t FROM '/etc/passwd';\n")
    expect(copyFrom.error?.message).toMatch(/COPY … FROM a file/)
    const stop = await gate(
      'CREATE TABLE z (a int);\nCOPY z (a) FROM stdin;\n1\n\\.\nCOMMIT;;\nCREATE TABLE after (a int);\n'
    )
    expect(stop.error?.message).toMatch(/line 5: an empty statement \(";" alone\)/)
    expect(stop.out).not.toContain('after')
  })

  it("refuses a call of the server's file functions, and passes pg_dump's large-object calls (attacker a37 F1)", async () => {
    for (const [script, line, name] of [
      ["SELECT 1;\nSELECT pg_catalog.lo_export(424242,'/tmp/x');\n", 2, 'pg_catalog.lo_export'],
      ["SELECT pg_catalog.lo_import('/etc/passwd', 525252);\n", 1, 'pg_catalog.lo_import'],
      [
        "CREATE TABLE x AS SELECT pg_catalog.pg_read_file('/etc/hostname');\n",
        1,
        'pg_catalog.pg_read_file'
      ],
      ['SELECT "LO_EXPORT" /* x */ (1, \'/tmp/x\');\n', 1, 'lo_export'],
      // a DO block runs its code now (b8: read as the outside-transaction rule reads it)
      ["SELECT 1;\nDO $$ BEGIN PERFORM lo_export(1, '/tmp/x'); END $$;\n", 2, 'lo_export']
    ] as const) {
      for (const chunk of [1, 7, 65536]) {
        const r = await gate(script, {}, chunk)
        expect(r.error).toBeInstanceOf(CheckError)
        expect(r.error?.message).toMatch(
          `line ${line}: ${name}() reads or writes a file (or lists a directory) on the database server; pg_dump never writes a call of it`
        )
        expect(r.error?.message).toMatch(/the script is refused before anything runs\.$/)
        // nothing of the refused statement, and no COMMIT, reached psql
        expect(r.out).not.toMatch(/lo_export|lo_import|pg_read_file|COMMIT/i)
      }
    }
    const own =
      "SELECT pg_catalog.lo_create('16385');\nSELECT pg_catalog.lo_open('16385', 131072);\nSELECT pg_catalog.lowrite(0, '\\x68656c6c6f');\nSELECT pg_catalog.lo_close(0);\nDO $$ BEGIN RAISE NOTICE 'lo_export(1, x)'; END $$;\n"
    const passed = await gate(own)
    expect(passed.error).toBeUndefined()
    // (with the gate's settings checks after statements that may run code)
    for (const statement of own.trimEnd().split('\n')) expect(passed.out).toContain(statement)
    expect(passed.out).toMatch(/\nCOMMIT;\n$/)
  })

  it('a pg_dumpall file by its header and by CREATE ROLE', async () => {
    const header = await gate('--\n-- PostgreSQL database cluster dump\n--\n\nSET a = 1;\n')
    expect(header.error?.message).toMatch(/is a pg_dumpall file \(line 1: its header\)/)
    expect(header.out).toBe('')
    const role = await gate('SET a = 1;\nCREATE ROLE app;\nALTER ROLE app WITH LOGIN;\n')
    // roles only (pg_dumpall --roles-only, supabase db dump --role-only): named as such
    expect(role.error?.message).toMatch(
      /holds only roles \(line 2: "CREATE ROLE app;", and 1 more statement on roles up to line 3; no database, no table\): a roles-only file/
    )
    expect(role.out).not.toContain('ROLE')
    const connect = await gate('SET a = 1;\n\\connect other\n')
    expect(connect.error?.message).toMatch(/pg_dumpall file .*connect other/)
    // pg_dump writes user mappings of foreign servers: those are no roles
    const mapping =
      'CREATE USER MAPPING FOR public SERVER s;\nALTER USER MAPPING FOR public SERVER s OPTIONS (a 1);\nDROP USER MAPPING IF EXISTS FOR public SERVER s;\n'
    const mapped = await gate(mapping)
    expect(mapped.error).toBeUndefined()
    expect(mapped.out).toBe(`BEGIN;\n${mapping}\nCOMMIT;\n`)
  })

  it("a pg_dump --create script: its header left out and listed, the content kept (pg_restore's way without --create)", async () => {
    const script = `SET statement_timeout = 0;
SELECT pg_catalog.set_config('search_path', '', false);
CREATE DATABASE shop WITH TEMPLATE = template0 ENCODING = 'UTF8';
ALTER DATABASE shop OWNER TO app;
\\connect shop
SET statement_timeout = 0;
COMMENT ON DATABASE shop IS 'the shop';
ALTER DATABASE shop CONNECTION LIMIT = 10;
ALTER DATABASE shop SET search_path TO 'public', 'pg_catalog';
GRANT CONNECT ON DATABASE shop TO app;
\\connect shop
SET statement_timeout = 0;
CREATE TABLE t (a int);
`
    const r = await gate(script)
    expect(r.error).toBeUndefined()
    expect(r.out).not.toMatch(/DATABASE|connect/)
    expect(r.out).toContain('CREATE TABLE t (a int);')
    expect(r.gate.skipped.map(s => [s.line, s.reason])).toEqual([
      [
        3,
        expect.stringMatching(
          /^not restored: DATABASE shop itself \(CREATE DATABASE and its owner\): the script was made by pg_dump --create/
        )
      ],
      [4, expect.stringMatching(/^not restored: DATABASE shop itself/)],
      [
        7,
        expect.stringMatching(
          /^not restored: COMMENT ON DATABASE shop IS 'the shop'; — a property of the backed-up database/
        )
      ],
      [
        8,
        expect.stringMatching(
          /^not restored: ALTER DATABASE shop CONNECTION LIMIT = 10; — a property/
        )
      ],
      [
        9,
        expect.stringMatching(
          /^not restored: ALTER DATABASE shop SET search_path TO 'public', 'pg_catalog'; — a setting of the backed-up database/
        )
      ],
      [
        10,
        expect.stringMatching(/^not restored: GRANT CONNECT ON DATABASE shop TO app; — a property/)
      ]
    ])
    // a name with other characters: "\\encoding SQL_ASCII" and the connection-string form
    const quoted = await gate(
      `CREATE DATABASE "My Shop" WITH TEMPLATE = template0;\n\\encoding SQL_ASCII\n\\connect -reuse-previous=on "dbname='My Shop'"\nCREATE TABLE t (a int);\n`
    )
    expect(quoted.error).toBeUndefined()
    expect(quoted.out.replace(/\n+/g, '\n').trimStart()).toBe(
      'BEGIN;\nCREATE TABLE t (a int);\nCOMMIT;\n'
    )
    expect(
      (await gate(`CREATE DATABASE "Shop";\n\\connect "Shop"\nSELECT 1;\n`)).error
    ).toBeUndefined()
    // pg_dump --clean --create: its DROP DATABASE is left out and listed too (never run)
    const clean = await gate(
      `SET a = 1;\nDROP DATABASE IF EXISTS shop;\nCREATE DATABASE shop;\n\\connect shop\nCREATE TABLE t (a int);\n`
    )
    expect(clean.error).toBeUndefined()
    expect(clean.out).not.toMatch(/DATABASE/)
    expect(clean.gate.skipped[0].reason).toMatch(
      /^not restored: DROP DATABASE shop \(pg_dump --clean --create\): the target database is never dropped/
    )
  })

  it('any other \\connect or CREATE DATABASE stays refused, before anything reaches psql', async () => {
    for (const [script, message] of [
      [
        '\\connect shop\nSELECT 1;\n',
        /creates or connects to a database other than as pg_dump --create writes it/
      ],
      [
        'CREATE DATABASE shop;\n\\connect other\nSELECT 1;\n',
        /"\\connect other" is not the one "\\connect" pg_dump --create writes after CREATE DATABASE shop/
      ],
      [
        'CREATE DATABASE shop;\n\\c shop\nSELECT 1;\n',
        /is not the one "\\connect" pg_dump --create writes/
      ],
      ['CREATE DATABASE "Shop";\n\\connect Shop\nSELECT 1;\n', /is not the one "\\connect"/],
      [
        'CREATE DATABASE "My Shop";\n\\connect "My Shop"\nSELECT 1;\n',
        /is not the one "\\connect"/
      ],
      [
        'CREATE DATABASE shop;\n\\connect shop\nCREATE TABLE t (a int);\n\\connect shop\n',
        /is not the one "\\connect"/
      ],
      [
        'CREATE DATABASE shop;\nCREATE TABLE t (a int);\n\\connect shop\n',
        /comes between CREATE DATABASE shop and its "\\connect"/
      ],
      [
        'CREATE TABLE t (a int);\nCREATE DATABASE shop;\n\\connect shop\n',
        /creates or connects to a database other than/
      ],
      [
        'CREATE DATABASE shop;\n\\connect shop\nCREATE DATABASE other;\n',
        /creates or connects to a database other than/
      ],
      [
        'CREATE DATABASE shop;\n\\connect shop\nALTER DATABASE other SET a = 1;\n',
        /changes the target database itself/
      ],
      [
        'CREATE DATABASE shop;\n\\encoding LATIN1\n\\connect shop\n',
        /meta-command "\\encoding LATIN1"/
      ],
      [
        'CREATE DATABASE shop;\n\\encoding SQL_ASCII\nSELECT 1;\n',
        /meta-command "\\encoding SQL_ASCII"/
      ],
      ['DROP DATABASE shop;\nSELECT 1;\n', /creates or connects to a database other than/],
      [
        'DROP DATABASE shop;\nCREATE DATABASE other;\n\\connect other\nSELECT 1;\n',
        /creates or connects to a database other than/
      ],
      ['DROP DATABASE shop;\nDROP DATABASE other;\nSELECT 1;\n', /pg_dumpall file/]
    ] as const) {
      const r = await gate(script)
      expect({ script, error: r.error?.message }).toEqual({
        script,
        error: expect.stringMatching(message)
      })
      expect(r.out).not.toMatch(/SELECT 1|CREATE TABLE/)
    }
  })

  it('ALTER DATABASE, GRANT/REVOKE/COMMENT/SECURITY LABEL ON DATABASE anywhere (pg_dump writes them only with --create)', async () => {
    for (const statement of [
      'ALTER DATABASE shop SET search_path = evil, public;',
      'alter  database "shop" owner to mallory;',
      'ALTER DATABASE shop RENAME TO old_shop;',
      // attacker 8 (F11): who may connect or create schemas, the database's comment
      'GRANT ALL ON DATABASE shop TO PUBLIC;',
      'REVOKE CONNECT ON DATABASE shop FROM PUBLIC;',
      'grant create on  database "shop" to mallory;',
      "COMMENT ON DATABASE shop IS 'owned';",
      "SECURITY LABEL FOR dummy ON DATABASE shop IS 'x';"
    ]) {
      const r = await gate(`CREATE TABLE t (a int);\n${statement}\nSELECT 1;\n`)
      expect({ statement, error: r.error?.message }).toEqual({
        statement,
        error: expect.stringMatching(/line 2: ".*" changes the target database itself/i)
      })
      expect(r.out).not.toMatch(/DATABASE/i)
      expect(r.out).not.toContain('COMMIT')
    }
    // ALTER of objects in it, and ALTER DEFAULT PRIVILEGES, are not the database
    const other = await gate(
      "ALTER TABLE t ADD COLUMN b int;\nGRANT SELECT ON TABLE t TO PUBLIC;\nCOMMENT ON TABLE t IS 'on database';\n"
    )
    expect(other.error).toBeUndefined()
  })

  it('what belongs to the whole server, and writes into the system catalogs, anywhere (attacker a65 F1: psql runs them, pg_dump never writes them)', async () => {
    for (const [statement, message] of [
      ["COMMENT ON ROLE app IS 'x';", /belongs to the whole server/],
      ["comment on tablespace ts is 'x';", /belongs to the whole server/],
      ["SECURITY LABEL FOR dummy ON ROLE app IS 'x';", /belongs to the whole server/],
      ['GRANT CREATE ON TABLESPACE ts TO app;', /belongs to the whole server/],
      ['REVOKE ALL ON TABLESPACE ts FROM PUBLIC;', /belongs to the whole server/],
      ['GRANT SET ON PARAMETER log_statement TO app;', /belongs to the whole server/],
      ['ALTER TABLESPACE ts OWNER TO app;', /belongs to the whole server/],
      ['DROP TABLESPACE ts;', /belongs to the whole server/],
      ["ALTER SYSTEM SET shared_preload_libraries = 'evil';", /belongs to the whole server/],
      ['REASSIGN OWNED BY app TO mallory;', /belongs to the whole server/],
      ['DROP OWNED BY app;', /belongs to the whole server/],
      [
        "UPDATE pg_catalog.pg_database SET datallowconn = false WHERE datname = 'other';",
        /writes rows of the system catalog pg_catalog\.pg_database/
      ],
      ["update pg_authid set rolsuper = true where rolname = 'app';", /system catalog pg_authid/],
      ['DELETE FROM "pg_catalog"."pg_auth_members";', /system catalog pg_catalog\.pg_auth_members/],
      [
        "INSERT INTO pg_catalog.pg_description VALUES (1, 2, 0, 'x');",
        /system catalog pg_catalog\.pg_description/
      ],
      [
        'TRUNCATE TABLE public.t, ONLY pg_catalog.pg_shdescription;',
        /pg_catalog\.pg_shdescription/
      ],
      [
        'WITH x AS (UPDATE pg_catalog.pg_authid SET rolsuper = true RETURNING 1) SELECT 1;',
        /system catalog pg_catalog\.pg_authid/
      ],
      [
        'CREATE RULE r AS ON INSERT TO public.t DO ALSO DELETE FROM pg_catalog.pg_db_role_setting;',
        /system catalog pg_catalog\.pg_db_role_setting/
      ],
      ['COPY pg_catalog.pg_authid FROM stdin;\n\\.', /system catalog pg_catalog\.pg_authid/],
      // re-attack a66 F3: a database's name before the schema's, a Unicode-escaped name
      [
        "UPDATE shop.pg_catalog.pg_authid SET rolsuper = true WHERE rolname = 'app';",
        /system catalog pg_catalog\.pg_authid/
      ],
      [
        'UPDATE U&"\\0070g_catalog".pg_authid AS a SET rolsuper = true WHERE a.rolname = \'app\';',
        /system catalog pg_catalog\.pg_authid/
      ],
      [
        'delete from u&"!0070g_catalog" UESCAPE \'!\' . pg_auth_members;',
        /system catalog pg_catalog\.pg_auth_members/
      ],
      // re-attack a67 F3: relation_expr's other shapes, and a view over a catalog
      [
        "UPDATE pg_catalog.pg_authid * SET rolsuper = true WHERE rolname = 'app';",
        /system catalog pg_catalog\.pg_authid/
      ],
      [
        "UPDATE ONLY (pg_catalog.pg_authid) SET rolsuper = true WHERE rolname = 'app';",
        /system catalog pg_catalog\.pg_authid/
      ],
      [
        'DELETE FROM ONLY (pg_catalog.pg_auth_members);',
        /system catalog pg_catalog\.pg_auth_members/
      ],
      [
        "CREATE VIEW public.va AS SELECT oid, rolname, rolsuper FROM pg_catalog.pg_authid;\nUPDATE public.va SET rolsuper = true WHERE rolname = 'app';",
        /writes rows through the view public\.va, which the script creates over a system catalog/
      ],
      [
        'CREATE OR REPLACE TEMP VIEW va AS SELECT * FROM pg_catalog.pg_database;\nDELETE FROM va;',
        /writes rows through the view va, which the script creates over a system catalog/
      ]
    ] as const) {
      const r = await gate(`CREATE TABLE t (a int);\n${statement}\nSELECT 1;\n`)
      expect({ statement, error: r.error?.message }).toEqual({
        statement,
        error: expect.stringMatching(message)
      })
      expect(r.out).not.toContain('COMMIT')
    }
    // what pg_dump writes of the same words is not refused: columns and arguments named update
    // or truncate (unreserved: pg_dump leaves them unquoted; re-attack a66 F2)
    const columns = await gate(
      'CREATE TABLE public.t2 (id int PRIMARY KEY, update pg_lsn, truncate pg_snapshot);\nCREATE FUNCTION public.f(update pg_lsn) RETURNS int LANGUAGE sql AS $$SELECT 1$$;\nCREATE TABLE public.t3 (update pg_catalog.pg_lsn, delete int);\n'
    )
    expect(columns.error).toBeUndefined()
    // a view of the script's, and rows into a table (not through it)
    const besideView = await gate(
      'CREATE VIEW reporting.t AS SELECT 1 AS a;\nCREATE TABLE public.u (a int);\nINSERT INTO public.u VALUES (1);\nCOPY public.u (a) FROM stdin;\n2\n\\.\n'
    )
    expect(besideView.error).toBeUndefined()
    const other = await gate(
      "CREATE TABLE public.pg_notes (a int) TABLESPACE pg_default;\nCOPY public.pg_notes (a) FROM stdin;\n1\n\\.\nUPDATE public.t SET a = 1;\nGRANT UPDATE ON TABLE public.t TO app;\nCREATE TABLE public.u (a int REFERENCES public.t ON UPDATE CASCADE);\nCOMMENT ON TABLE public.t IS 'on role';\nSET default_tablespace = '';\n"
    )
    expect(other.error).toBeUndefined()
    // an escape beyond Unicode (U+FFFFFF) is no name the server reads: the gate reads on (the
    // server refuses it: "invalid Unicode escape value"), it does not fail on it itself
    const beyond = await gate(
      'CREATE TABLE public.t4 (a int);\nUPDATE U&"\\+FFFFFFx".t4 SET a = 1;\nSELECT 1;\n'
    )
    expect(beyond.error).toBeUndefined()
    expect(beyond.out).toContain('UPDATE U&"\\+FFFFFFx".t4 SET a = 1;')
  })

  it('a COPY whose data never ends (truncated)', async () => {
    const r = await gate('COPY t FROM stdin;\n1\n2\n')
    expect(r.error?.message).toMatch(/ends inside the data of a COPY statement/)
    expect(r.out).not.toContain('COMMIT')
  })
})

describe('ScriptGate policy hook', () => {
  it('skips and refuses what the policy says, and lists the skipped statements', async () => {
    const r = await gate(
      'CREATE EXTENSION citext;\nCOMMENT ON EXTENSION citext IS $$x$$;\nSELECT 1;\n',
      {
        policy: (_e, cls) =>
          cls.kind === 'extension' && cls.keywords[0] === 'COMMENT'
            ? { keep: false, reason: `must be owner of extension ${cls.detail}` }
            : { keep: true }
      }
    )
    expect(r.error).toBeUndefined()
    expect(r.out).toBe('BEGIN;\nCREATE EXTENSION citext;\n\nSELECT 1;\n\nCOMMIT;\n')
    expect(r.gate.skipped).toEqual([
      {
        line: 2,
        reason: 'must be owner of extension citext',
        text: 'COMMENT ON EXTENSION citext IS $$x$$;'
      }
    ])
    const refused = await gate('CREATE POLICY p ON t TO ghost;\n', {
      policy: () => ({ refuse: 'the role "ghost" does not exist: create it first' })
    })
    expect(refused.error?.message).toMatch(/line 1: the role "ghost" does not exist/)
    expect(refused.out).toBe('')
  })
})

describe('ScriptGate: a COPY the policy skips', () => {
  it('leaves out its data and end marker too, counts its rows, and keeps the next COPY whole', async () => {
    const script =
      'COPY auth.schema_migrations (version) FROM stdin;\n1\n2\n3\n\\.\n' +
      'COPY public.todos (id, task) FROM stdin;\n1\tone\n2\ttwo\\nlines\n\\.\n' +
      'SELECT 1;\n'
    const r = await gate(script, {
      policy: (e, cls) =>
        cls.kind === 'copy' && e.text.includes('auth.')
          ? { keep: false, reason: 'kept the target rows', table: 'auth.schema_migrations' }
          : { keep: true }
    })
    expect(r.error).toBeUndefined()
    expect(r.out).toBe(
      '\nBEGIN;\nCOPY public.todos (id, task) FROM stdin;\n1\tone\n2\ttwo\\nlines\n\\.\nSELECT 1;\n\nCOMMIT;\n'
    )
    expect(r.gate.skipped).toEqual([
      {
        line: 1,
        reason: 'kept the target rows',
        text: 'COPY auth.schema_migrations (version) FROM stdin;',
        table: 'auth.schema_migrations',
        rows: 3
      }
    ])
  })

  it('CRLF data and a COPY with no rows', async () => {
    const script =
      'COPY vault.secrets (id) FROM stdin;\r\n\\.\r\nCOPY auth.x (a) FROM stdin;\r\na\r\n\\.\r\nSELECT 2;\r\n'
    const r = await gate(script, {
      policy: (_e, cls) =>
        cls.kind === 'copy' ? { keep: false, reason: 'provider', table: 't' } : { keep: true }
    })
    expect(r.error).toBeUndefined()
    // white space between the statements left out passes (psql skips it)
    expect(r.out).toBe('\r\n\r\nBEGIN;\nSELECT 2;\r\n\nCOMMIT;\n')
    expect(r.gate.skipped.map(s => s.rows)).toEqual([0, 1])
  })
})

describe("ScriptGate: psql's line numbers mapped back to the script's", () => {
  const script = [
    '-- a script of ones own', // 1
    'CREATE TABLE public.a (id int);', // 2
    'SET transaction_timeout = 0;', // 3: left out for a server before 17
    'SET transaction_timeout = 0; CREATE TABLE public.b (id int);', // 4
    '', // 5
    'SELECT 1/0;', // 6
    'CREATE TABLE public.c (id int);' // 7
  ].join('\n')

  it.each([64 * 1024, 7, 1])(
    'each output line names the line of the script it came from (chunks of %i bytes); the gate’s BEGIN; none',
    async chunk => {
      const {
        out,
        gate: g,
        error
      } = await gate(script, { serverMajor: 15, before: ['DROP TABLE IF EXISTS public.x;'] }, chunk)
      expect(error).toBeUndefined()
      expect(g.skipped.map(s => s.line)).toEqual([3, 4])
      const lines = out.split('\n')
      const at = (text: string): number => lines.findIndex(l => l.includes(text)) + 1
      expect(g.scriptLine(at('-- a script'))).toBe(1)
      expect(g.scriptLine(at('BEGIN;'))).toBeUndefined()
      expect(g.scriptLine(at('DROP TABLE IF EXISTS public.x'))).toBeUndefined()
      expect(g.scriptLine(at('public.a'))).toBe(2)
      expect(g.scriptLine(at('public.b'))).toBe(4)
      expect(g.scriptLine(at('SELECT 1/0'))).toBe(6)
      expect(g.scriptLine(at('public.c'))).toBe(7)
      // psql counts the BEGIN; and drops: its line of SELECT 1/0 is not the script's
      expect(at('SELECT 1/0')).not.toBe(6)
    }
  )

  it("a psql error names the user's file and line, not <stdin> and psql's own count", async () => {
    const { out, gate: g } = await gate(script, { serverMajor: 15 })
    const psqlLine = out.split('\n').findIndex(l => l.includes('SELECT 1/0')) + 1
    const stderr = `psql:<stdin>:${psqlLine}: ERROR:  division by zero\n`
    const mapped = inScriptLines(
      explainLoadFailure('/usr/bin/psql', 3, null, stderr),
      g,
      'backup.sql.gz'
    )
    expect(mapped.message).toContain('backup.sql.gz:6: ERROR:  division by zero')
    expect(mapped.message).not.toContain('<stdin>')
    expect(mapped.stderr).toBe('backup.sql.gz:6: ERROR:  division by zero\n')
  })

  it("an archive's error names its entry (kind, schema, name), not <stdin> nor the statement's first line", async () => {
    const archiveScript = [
      '--',
      '-- PostgreSQL database dump',
      '--',
      '',
      "SET client_encoding = 'UTF8';",
      '',
      '--',
      '-- Name: mood; Type: TYPE; Schema: public; Owner: app',
      '--',
      '',
      'CREATE TYPE public.mood AS ENUM (',
      "    'sad',",
      "    'happy'",
      ');',
      '',
      '--',
      '-- Data for Name: stock; Type: TABLE DATA; Schema: public; Owner: app',
      '--',
      '',
      'COPY public.stock (id, note) FROM stdin;',
      '1\t-- Name: x; Type: SECRET; Schema: s; Owner: o',
      '\\.',
      '',
      '--',
      '-- PostgreSQL database dump complete',
      '--',
      ''
    ].join('\n')
    const { out, gate: g } = await gate(archiveScript, { serverMajor: 15 })
    const lines = out.split('\n')
    const typeEnd = lines.findIndex(l => l === ');') + 1
    const stderr = [
      `psql:<stdin>:${typeEnd}: ERROR:  type "mood" already exists`,
      `psql:<stdin>:${typeEnd}: STATEMENT:  CREATE TYPE public.mood AS ENUM (`,
      "    'sad',",
      ''
    ].join('\n')
    const mapped = inArchiveEntries(explainLoadFailure('/usr/bin/psql', 3, null, stderr), g)
    expect(mapped).toBeInstanceOf(LoadError)
    const { message } = mapped as LoadError
    expect(message).toContain(
      `psql: ERROR:  type "mood" already exists (in the archive's entry TYPE public.mood)`
    )
    expect(message).not.toContain('<stdin>')
    expect(message).not.toContain('failed statement')
    // a row that looks like a header is data, not an entry
    const copyEnd = lines.findIndex(l => l === '\\.') + 1
    const copyError = explainLoadFailure(
      'psql',
      3,
      null,
      `psql:<stdin>:${copyEnd}: ERROR:  invalid input syntax for type integer\nCONTEXT:  COPY stock, line 1\n`
    )
    const copyMessage = (inArchiveEntries(copyError, g) as LoadError).message
    expect(copyMessage).toContain("(in the archive's entry TABLE DATA public.stock)")
    expect(copyMessage).not.toContain('SECRET')
  })
})

describe('ScriptGate: a last line without a line end keeps its line number', () => {
  it('"/etc/passwd" alone (no newline): psql\'s error on the ";" the gate adds names backup.sql:1', async () => {
    const { out, gate: g } = await gate('/etc/passwd', { serverMajor: 15 })
    const lines = out.split('\n')
    expect(lines).toEqual(['BEGIN;', '/etc/passwd', ';', 'COMMIT;', ''])
    const stderr = `psql:<stdin>:3: ERROR:  syntax error at or near "/"\n`
    const mapped = inScriptLines(
      explainLoadFailure('/usr/bin/psql', 3, null, stderr),
      g,
      'backup.sql'
    )
    expect(mapped.stderr).toBe('backup.sql:1: ERROR:  syntax error at or near "/"\n')
    // the gate's own COMMIT; stays its own
    expect(g.scriptLine(4)).toBeUndefined()
  })

  it.each([
    ['hello world\nthis is not sql\n', 2],
    ['hello world\nthis is not sql\n\n\n', 4],
    ['SELECT 1;\nhello\n-- a comment\n', 3],
    ['SELECT 1;\r\nhello\r\n', 2]
  ])(
    'a last statement without ";" in %j: its error names the line psql -f names (%i), never one past the end',
    async (script, line) => {
      const { out, gate: g } = await gate(script, { serverMajor: 15 })
      const semicolon = out.split('\n').findIndex(l => l === ';') + 1
      expect(semicolon).toBeGreaterThan(1)
      const stderr = `psql:<stdin>:${semicolon}: ERROR:  syntax error at or near "hello"\n`
      const mapped = inScriptLines(
        explainLoadFailure('/usr/bin/psql', 3, null, stderr),
        g,
        'backup.sql'
      )
      expect(mapped.stderr).toBe(`backup.sql:${line}: ERROR:  syntax error at or near "hello"\n`)
    }
  )
})

describe('ScriptGate checks the settings before text whose reading depends on them', () => {
  const on = settingsCheck(true, 'UTF8')
  const off = settingsCheck(false, 'UTF8')
  // before the script SETs either: the check's error says the session reads so (attacker a65 F2)
  const onUnset = settingsCheck(true, 'UTF8', false)

  it('the check is ASCII without a backslash, so psql and the server read it alike in any setting', () => {
    for (const check of [on, off, onUnset, settingsCheck(true, 'LATIN1')]) {
      expect(/^[\x20-\x7e]*$/.test(check)).toBe(true)
      expect(check).not.toContain('\\')
      expect(check.trimStart()).toMatch(/^SELECT .*;$/)
    }
  })

  it.each([1, 5, 64 * 1024])(
    'none for ASCII text; one before a non-ASCII statement or a plain literal with a backslash, with the settings it was read with (chunks of %i)',
    async chunk => {
      const script = [
        "CREATE FUNCTION public.f() RETURNS void LANGUAGE sql AS $$SELECT E'\\\\d'$$;",
        "SELECT public.f(); COMMENT ON TABLE t IS 'café';",
        'SET standard_conforming_strings = off;',
        "SELECT 'a\\\\b';",
        "SELECT E'x\\\\y';",
        '-- à comment',
        'SELECT 1;',
        ''
      ].join('\n')
      const r = await gate(script, {}, chunk)
      expect(r.error).toBeUndefined()
      expect(r.gate.settingChecks).toBe(3)
      expect(r.out).toBe(
        [
          'BEGIN;',
          "CREATE FUNCTION public.f() RETURNS void LANGUAGE sql AS $$SELECT E'\\\\d'$$;",
          `SELECT public.f();\n${onUnset}\n COMMENT ON TABLE t IS 'café';`,
          // on a line of its own, and the text it checks begins a new line: psql lexes a line
          // with the settings it had when the line began (re-attack a42 F1)
          `SET standard_conforming_strings = off;\n${off}\n`,
          "SELECT 'a\\\\b';",
          `SELECT E'x\\\\y';\n${off}\n`,
          '-- à comment',
          'SELECT 1;',
          '',
          'COMMIT;',
          ''
        ].join('\n')
      )
    }
  )

  it('a byte-order mark stays first; non-ASCII comments at the end are checked before COMMIT', async () => {
    const r = await gate('\ufeffSELECT 1;\n-- fin été\n')
    expect(r.out).toBe(`\ufeffBEGIN;\nSELECT 1;\n${onUnset}\n\n-- fin été\n\nCOMMIT;\n`)
    expect(r.gate.settingChecks).toBe(1)
  })
})

describe('a long run of comment lines between statements (attacker a105 M2)', () => {
  it('is handed on as it comes, not held until the next statement; the script passes whole', async () => {
    const g = new ScriptGate({ psqlMajor: 18, transaction: true })
    const out: Buffer[] = []
    let written = 0
    g.on('data', (c: Buffer) => {
      out.push(c)
      written += c.length
    })
    const write = (text: string): Promise<void> =>
      new Promise((resolve, reject) => g.write(Buffer.from(text), e => (e ? reject(e) : resolve())))
    await write('CREATE TABLE public.t (id integer);\n')
    const line = `-- padding ${'x'.repeat(100)}\n`
    const piece = line.repeat(Math.ceil((1024 * 1024) / line.length))
    for (let i = 0; i < 24; i++) await write(piece)
    // 24 MiB of comments read, no statement since: most of them already on their way to psql
    expect(written).toBeGreaterThan(12 * 1024 * 1024)
    await write('CREATE TABLE public.u (id integer);\n-- PostgreSQL database dump complete\n')
    await new Promise<void>((resolve, reject) =>
      g.end((e?: Error | null) => (e ? reject(e) : resolve()))
    )
    const text = Buffer.concat(out).toString('utf8')
    expect(text).toContain('CREATE TABLE public.t (id integer);')
    expect(text).toContain('CREATE TABLE public.u (id integer);')
    expect(text.split('-- padding').length - 1).toBe(24 * Math.ceil((1024 * 1024) / line.length))
    expect(text.trimEnd()).toMatch(/COMMIT;$/)
  })
})
