/**
 * allow-non-empty promises that nothing already in the target is overwritten. A script statement
 * that can write to relations other than those the guard checks — rows written through the
 * script's own view or rule, a trigger created before the data it fires on, a function called at
 * top level, DO, CALL — or that sets a sequence by a built name (setval is not transactional) is
 * refused before anything runs, into a target that holds rows: the target's rows and sequence
 * stay as they were. pg_dump's own output (schema and data, --inserts, --data-only, large
 * objects, setval by literal) still restores next to the target's tables.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { cpSync, readdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { runTool } from '../../dev/fixtures.js'
import type { TestServer } from '../../dev/postgres.js'
import { useHarness } from '../support/harness.js'
import { testRestoreInputs } from '../support/inputs.js'
import { failure, useNonEmptyTargets } from '../support/non-empty.js'

const harness = useHarness({ name: 'allow-non-empty-hazards' })
let server: TestServer

const USERS = `CREATE TABLE public.users (id serial PRIMARY KEY, name text);
  INSERT INTO public.users (name) VALUES ('alice'), ('bob');`

const { write, file, target, runRestore, pgDump } = useNonEmptyTargets(harness, USERS)

beforeAll(() => {
  ;({ server } = harness)
})

/** The users' rows and the next value of their sequence (read without advancing it). */
async function state(database: string): Promise<unknown> {
  const rows = await server.query(database, 'SELECT id, name FROM public.users ORDER BY id')
  const seq = await server.query(database, 'SELECT last_value, is_called FROM public.users_id_seq')
  return { rows, seq }
}

/** The attacker's function (attacker 8's evil.inc): empties public.users when called. */
const EVIL = `CREATE FUNCTION public.evil() RETURNS int LANGUAGE plpgsql AS $$BEGIN EXECUTE 'DELETE FROM public.' || 'users'; RETURN 1; END$$;
CREATE TABLE public.mine (x int);`

const HAZARDS: Array<[string, string, RegExp]> = [
  [
    "a view of the target's table, written through",
    `CREATE VIEW public.v AS SELECT * FROM public.users;
INSERT INTO public.v VALUES (999, 'mallory');
UPDATE public.v SET name = 'pwned';`,
    /INSERT INTO public\.v .*a view the script creates/
  ],
  [
    "a rule on the script's table that deletes the target's rows",
    `CREATE TABLE public.mine (x int);
CREATE RULE r AS ON INSERT TO public.mine DO ALSO DELETE FROM public.users;
INSERT INTO public.mine VALUES (1);`,
    /CREATE RULE r AS ON INSERT .*a rule other than ON SELECT/
  ],
  [
    'a trigger created before the data it fires on',
    `CREATE TABLE public.mine (x int);
CREATE FUNCTION public.f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN DELETE FROM public.users; RETURN NEW; END$$;
CREATE TRIGGER t BEFORE INSERT ON public.mine FOR EACH ROW EXECUTE FUNCTION public.f();
COPY public.mine (x) FROM stdin;
1
\\.
`,
    /COPY public\.mine .*after the script created a trigger/
  ],
  [
    'a function called at top level',
    `CREATE FUNCTION public.f() RETURNS int LANGUAGE sql AS $$DELETE FROM public.users RETURNING 1$$;
SELECT public.f();`,
    /SELECT public\.f\(\).*not one of pg_dump's own calls/
  ],
  ['a DO block', `DO $$BEGIN DELETE FROM public.users; END$$;`, /a DO block/],
  [
    'CALL',
    `CREATE PROCEDURE public.p() LANGUAGE sql AS $$DELETE FROM public.users$$;
CALL public.p();`,
    /CALL runs a procedure/
  ],
  [
    'setval of a built name (concat)',
    `SELECT pg_catalog.setval(pg_catalog.concat('public.users', '_id_seq')::regclass, 1, false);`,
    /setval\(\) of a sequence that is not a literal name/
  ],
  [
    'setval of pg_get_serial_sequence(concat(…))',
    `CREATE TABLE public.e (id serial, x int);
SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence(pg_catalog.concat('public.','users'),'id'), 1, false);`,
    /setval\(\) of a sequence that is not a literal name/
  ],
  [
    'setval of an oid from pg_class',
    `SELECT pg_catalog.setval(c.oid::regclass, 1, false) FROM pg_catalog.pg_class c WHERE c.relkind = 'S' AND c.relname LIKE 'users%';`,
    /setval\(\) of a sequence that is not a literal name/
  ],
  [
    "ALTER SEQUENCE of the target's sequence",
    `ALTER SEQUENCE public.users_id_seq RESTART WITH 1;`,
    /ALTER SEQUENCE of a sequence the script does not create/
  ],
  [
    'a function in an INSERT',
    `CREATE TABLE public.mine (x int);
CREATE FUNCTION public.f() RETURNS int LANGUAGE sql AS $$DELETE FROM public.users RETURNING 1$$;
INSERT INTO public.mine VALUES (public.f());`,
    /an INSERT of anything but literal VALUES/
  ],
  [
    'CREATE TABLE … AS a function',
    `CREATE FUNCTION public.f() RETURNS int LANGUAGE sql AS $$DELETE FROM public.users RETURNING 1$$;
CREATE TABLE public.mine AS SELECT public.f() AS x;`,
    /CREATE TABLE … AS/
  ],
  // the leading-comment bypass (attacker 8: F1, F3): tests go by the lexed statement
  ...(
    [
      ['CREATE RULE', 'CREATE RULE r AS ON INSERT TO public.mine DO ALSO SELECT public.evil();'],
      [
        'CREATE TRIGGER',
        'CREATE TRIGGER t BEFORE INSERT ON public.mine FOR EACH ROW EXECUTE FUNCTION public.trg();'
      ]
    ] as const
  ).map(([kind, create]): [string, string, RegExp] => [
    `/**/ ${kind}, then a row written`,
    `${EVIL}
/* hidden */ ${create}
INSERT INTO public.mine VALUES (1);`,
    kind === 'CREATE RULE' ? /a rule other than ON SELECT/ : /after the script created a trigger/
  ]),
  [
    '/**/ CREATE VIEW of the target table, written through',
    `/**/ CREATE VIEW public.uv AS SELECT * FROM public.users;
INSERT INTO public.uv VALUES (3, 'mallory');`,
    /INSERT INTO public\.uv .*a view the script creates/
  ],
  [
    '/**/ CREATE TABLE … AS',
    `${EVIL}\n/**/ CREATE TABLE public.t2 AS SELECT public.evil() AS x;`,
    /CREATE TABLE … AS/
  ],
  // not what pg_dump writes (F2, F4, F5, the operator): an allow-list
  [
    'DECLARE … CURSOR + FETCH',
    `${EVIL}\nDECLARE c CURSOR FOR SELECT public.evil();\nFETCH c;`,
    /a DECLARE statement is not one pg_dump writes/
  ],
  ['(SELECT f())', `${EVIL}\n(SELECT public.evil());`, /starts with "\("/],
  [
    "a sub-select of the script's view in INSERT VALUES",
    `${EVIL}\nCREATE VIEW public.ev AS SELECT public.evil() AS x;\nINSERT INTO public.mine VALUES ((SELECT x FROM public.ev));`,
    /an INSERT of anything but literal VALUES/
  ],
  [
    "a sub-select of the script's view in UPDATE",
    `${EVIL}\nCREATE VIEW public.ev AS SELECT public.evil() AS x;\nUPDATE public.mine SET x = (SELECT x FROM public.ev);`,
    /UPDATE with a condition, a sub-query or an expression/
  ],
  [
    "the script's operator in INSERT VALUES",
    `${EVIL}
CREATE FUNCTION public.evilop(int, int) RETURNS int LANGUAGE sql AS $$SELECT public.evil()$$;
CREATE OPERATOR public.%%% (FUNCTION = public.evilop, LEFTARG = int, RIGHTARG = int);
INSERT INTO public.mine VALUES (1 OPERATOR(public.%%%) 2), (1 %%% 2);`,
    /an INSERT of anything but literal VALUES/
  ],
  [
    'COPY … WHERE f()',
    `${EVIL}\nCOPY public.mine (x) FROM stdin WHERE public.evil() = 1;\n1\n\\.\n`,
    /COPY … WHERE/
  ],
  [
    'ALTER TABLE … TYPE … USING f()',
    `${EVIL}\nINSERT INTO public.mine VALUES (1);\nALTER TABLE public.mine ALTER COLUMN x TYPE bigint USING public.evil();`,
    /ALTER TABLE … USING/
  ],
  // what attaches to the target's own table (F6, F7, F17) or turns the script's into a view (F24)
  [
    "CREATE TABLE … INHERITS (the target's table with rows)",
    `CREATE TABLE public.kid () INHERITS (public.users);\nINSERT INTO public.kid VALUES (9, 'injected');`,
    /inherits from public\.users, a table the script does not create/
  ],
  [
    "CREATE TRIGGER on the target's table",
    `${EVIL}
CREATE FUNCTION public.trg() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN PERFORM public.evil(); RETURN NEW; END$$;
CREATE TRIGGER t AFTER INSERT ON public.users FOR EACH ROW EXECUTE FUNCTION public.trg();`,
    /a trigger on public\.users, a table the script does not create/
  ],
  [
    "an ON SELECT rule on the script's table, then written into",
    `CREATE TABLE public.x (id int, name text);
CREATE RULE "_RETURN" AS ON SELECT TO public.x DO INSTEAD SELECT * FROM public.users;
INSERT INTO public.x VALUES (3, 'mallory');`,
    /INSERT INTO public\.x .*a view the script creates/
  ],
  [
    'CREATE SCHEMA … CREATE TRIGGER',
    `${EVIL}
CREATE FUNCTION public.trg() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN PERFORM public.evil(); RETURN NEW; END$$;
CREATE SCHEMA app CREATE TABLE t (x int) CREATE TRIGGER tg BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION public.trg();
INSERT INTO app.t VALUES (1);`,
    /schema elements/
  ],
  // F11: pg_dump's own call, its '…'::text cast resolved to the backup's domain after its search_path
  [
    "a DOMAIN public.text whose CHECK runs code, reached by pg_dump's '…'::text",
    `${EVIL}
CREATE FUNCTION public.evilchk(t pg_catalog.text) RETURNS boolean LANGUAGE plpgsql AS $$BEGIN PERFORM public.evil(); RETURN true; END$$;
CREATE DOMAIN public.text AS pg_catalog.text CHECK (public.evilchk(VALUE));
SET search_path = public, pg_catalog;
SELECT pg_catalog.set_config('application_name', 'x'::text, false);`,
    /creates a type named text[^]*pg_catalog\.text/
  ],
  // F11b: a domain's DEFAULT, evaluated for every row by ADD COLUMN
  [
    'ALTER TABLE … ADD COLUMN of a domain whose DEFAULT runs code',
    `${EVIL}
CREATE DOMAIN public.dom AS integer DEFAULT public.evil();
COPY public.mine (x) FROM stdin;
1
\\.
ALTER TABLE public.mine ADD COLUMN y public.dom;`,
    /ADD COLUMN of the domain public\.dom, which the script creates/
  ]
]

describe('allow-non-empty: statements that write past the guard are refused before anything runs', () => {
  it.each(HAZARDS)('%s', async (_name, script, message) => {
    const db = await target()
    const before = await state(db)
    const error = await failure(runRestore(db, { kind: 'file', path: write(script) }))
    expect(error?.message).toMatch(message)
    expect(error?.message).toMatch(/Restore into an empty database, or set 'clean: true'/)
    expect(await state(db)).toEqual(before)
    await server.dropDatabase(db)
  })

  it("a view of the target's, written through", async () => {
    const db = await target()
    await server.query(db, 'CREATE VIEW public.tv AS SELECT * FROM public.users')
    const before = await state(db)
    const script = write("INSERT INTO public.tv VALUES (99, 'x');\nUPDATE tv SET name = 'pwned';\n")
    const error = await failure(runRestore(db, { kind: 'file', path: script }))
    expect(error?.message).toMatch(/public\.tv, a view of the target/)
    expect(await state(db)).toEqual(before)
    await server.dropDatabase(db)
  })

  it('restores the same script into an empty database (no rows to protect)', async () => {
    const db = await server.createDatabase()
    await runRestore(db, {
      kind: 'file',
      path: write(
        HAZARDS[0][1]
          .replace(/public\.users/g, 'public.u2')
          .replace('CREATE VIEW', 'CREATE TABLE public.u2 (id int, name text);\nCREATE VIEW')
      )
    })
    expect(await server.query(db, 'SELECT id, name FROM public.u2')).toEqual([
      { id: 999, name: 'pwned' }
    ])
    await server.dropDatabase(db)
  })
})

describe("allow-non-empty: pg_dump's own output still restores next to the target's rows", () => {
  let source: string
  beforeAll(async () => {
    source = await server.createDatabase()
    await server.query(
      source,
      `CREATE TABLE public.docs (id serial PRIMARY KEY, blob oid, body text);
       INSERT INTO public.docs (blob, body) VALUES (lo_from_bytea(0, 'hello'), 'one'), (NULL, 'two');
       CREATE VIEW public.docs_v AS SELECT id, body FROM public.docs;
       CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
       CREATE TRIGGER docs_touch BEFORE INSERT ON public.docs FOR EACH ROW EXECUTE FUNCTION public.touch();
       CREATE MATERIALIZED VIEW public.docs_m AS SELECT count(*) AS n FROM public.docs;`
    )
  })

  it.each([
    ['schema and data', [] as string[]],
    ['--inserts', ['--inserts']],
    ['--column-inserts', ['--column-inserts']],
    ['--clean --if-exists (its lo_unlink of its own large object)', ['--clean', '--if-exists']]
  ])('%s', async (_name, args) => {
    const dumped = file('dump', 'sql')
    await pgDump(source, ['-Fp', '-f', dumped, ...args])
    const db = await target()
    const before = await state(db)
    await runRestore(db, { kind: 'file', path: dumped })
    expect(await state(db)).toEqual(before)
    expect(await server.query(db, 'SELECT body FROM public.docs ORDER BY id')).toEqual([
      { body: 'one' },
      { body: 'two' }
    ])
    expect(await server.query(db, 'SELECT n FROM public.docs_m')).toEqual([{ n: '2' }])
    await server.dropDatabase(db)
  })

  it('--data-only into the empty tables of a target with rows elsewhere', async () => {
    const dumped = file('dump', 'sql')
    await pgDump(source, ['-Fp', '--data-only', '-t', 'public.docs', '-f', dumped])
    const db = await target()
    await server.query(db, 'CREATE TABLE public.docs (id serial PRIMARY KEY, blob oid, body text)')
    const before = await state(db)
    await runRestore(db, { kind: 'file', path: dumped })
    expect(await state(db)).toEqual(before)
    expect(await server.query(db, 'SELECT body FROM public.docs ORDER BY id')).toEqual([
      { body: 'one' },
      { body: 'two' }
    ])
    expect(await server.query(db, 'SELECT last_value FROM public.docs_id_seq')).toEqual([
      { last_value: '2' }
    ])
    await server.dropDatabase(db)
  })
})

describe("allow-non-empty: an archive's data entry holding SQL (pg_dump --inserts) goes through the same checks (attacker 8, F8)", () => {
  let dumped: string
  beforeAll(async () => {
    const src = await server.createDatabase()
    await server.query(src, `${EVIL}\nINSERT INTO public.mine VALUES (1);`)
    dumped = file('inserts', 'dir')
    await pgDump(src, ['-Fd', '--inserts', '-Z0', '-O', '-x', '-f', dumped, src])
  })

  /** A copy of the folder whose one data file holds `sql` instead of pg_dump's INSERT. */
  function withData(sql: string): string {
    const dir = file('inserts', 'dir')
    copyFolder(dumped, dir)
    const data = readdirSync(dir).filter(f => /^\d+\.dat$/.test(f))
    expect(data).toHaveLength(1)
    writeFileSync(path.join(dir, data[0]), `${sql}\n`)
    return dir
  }

  it.each([
    ['a function call', 'SELECT public.evil();', /not one of pg_dump's own calls/],
    [
      "a DELETE of the target's table",
      'DELETE FROM public.users;',
      /public\.users, which is not the table of one of the archive's data entries/
    ],
    [
      "an INSERT into the target's table",
      "INSERT INTO public.users VALUES (3, 'mallory');",
      /public\.users, which is not the table of one of the archive's data entries/
    ],
    [
      'an INSERT of a sub-select',
      'INSERT INTO public.mine VALUES ((SELECT public.evil()));',
      /an INSERT of anything but literal VALUES/
    ]
  ])('%s: refused, the target exactly as before', async (_name, sql, message) => {
    const db = await target()
    const before = await state(db)
    const error = await failure(runRestore(db, { kind: 'file', path: withData(sql) }))
    expect(error?.message).toMatch(/a statement its table of contents does not show/)
    expect(error?.message).toMatch(message)
    expect(await state(db)).toEqual(before)
    expect(await server.query(db, "SELECT to_regclass('public.mine')::text AS t")).toEqual([
      { t: null }
    ])
    await server.dropDatabase(db)
  })

  it("pg_dump's own --inserts archive restores next to the target's rows", async () => {
    const db = await target()
    const before = await state(db)
    await runRestore(db, { kind: 'file', path: dumped })
    expect(await state(db)).toEqual(before)
    expect(await server.query(db, 'SELECT x FROM public.mine')).toEqual([{ x: 1 }])
    await server.dropDatabase(db)
  })
})

/** Copies a folder (the archive's files). */
function copyFolder(from: string, to: string): void {
  cpSync(from, to, { recursive: true })
}

describe("allow-non-empty: a backup's schema named like a role of the target (F20)", () => {
  // the backup's app.users would shadow the target's public.users for the role app, whose
  // search_path is the default "$user", public
  const SHADOW = `CREATE SCHEMA app;
CREATE TABLE app.users (id integer, name text);
INSERT INTO app.users VALUES (1, 'from the backup');
`
  let archive: string
  beforeAll(async () => {
    const src = await server.createDatabase()
    await server.query(src, SHADOW)
    archive = file('shadow', 'dump')
    await pgDump(src, ['-Fc', '-f', archive])
  })

  /** What app's unqualified "users" reads in `db`, as app (the role's own search_path). */
  async function usersAsApp(db: string): Promise<unknown> {
    const out = await runTool(
      path.join(server.binDir, 'psql'),
      ['-X', '-At', '-c', 'SELECT name FROM users ORDER BY id'],
      server.env(db, { user: server.appUser, password: server.appPassword })
    )
    return out.trim().split('\n')
  }

  it.each([
    ['a plain script', () => write(SHADOW)],
    ['a custom archive', () => archive]
  ])(
    '%s into a target with objects: refused before loading, naming the schema and the role; the target exactly as before',
    async (_name, made) => {
      const db = await target()
      await server.query(db, `GRANT SELECT ON public.users TO ${server.appUser}`)
      const before = await state(db)
      const error = await failure(runRestore(db, { kind: 'file', path: made() }))
      expect(error?.message).toMatch(
        /the backup creates schema "app", which is the name of a role of the target's server[^]*"\$user", public[^]*Nothing was changed\. Restore into an empty database; create the schema in the target first/
      )
      expect(await state(db)).toEqual(before)
      expect(await server.query(db, "SELECT to_regnamespace('app') IS NULL AS absent")).toEqual([
        { absent: true }
      ])
      expect(await usersAsApp(db)).toEqual(['alice', 'bob'])
      await server.dropDatabase(db)
    }
  )

  it('into an empty database: restored (nothing to shadow)', async () => {
    const db = await server.createDatabase()
    await runRestore(db, { kind: 'file', path: archive })
    expect(await server.query(db, 'SELECT name FROM app.users')).toEqual([
      { name: 'from the backup' }
    ])
    await server.dropDatabase(db)
  })

  it('into a target that has the schema already: restored next to its objects', async () => {
    const db = await target()
    await server.query(db, 'CREATE SCHEMA app')
    const before = await state(db)
    await runRestore(db, { kind: 'file', path: archive })
    expect(await state(db)).toEqual(before)
    expect(await server.query(db, 'SELECT name FROM app.users')).toEqual([
      { name: 'from the backup' }
    ])
    await server.dropDatabase(db)
  })

  it("a schema named like no role: restored next to the target's objects", async () => {
    const db = await target()
    const before = await state(db)
    await runRestore(db, {
      kind: 'file',
      path: write(SHADOW.replace(/\bapp\b/g, 'reports'))
    })
    expect(await state(db)).toEqual(before)
    expect(await server.query(db, 'SELECT name FROM reports.users')).toEqual([
      { name: 'from the backup' }
    ])
    await server.dropDatabase(db)
  })

  // attacker a68 F3: the schema's name left implicit (AUTHORIZATION role, CURRENT_USER: the
  // restoring role's), or given by a rename, and an unqualified CREATE TABLE landing in it
  it.each([
    [
      'CREATE SCHEMA AUTHORIZATION app, then an unqualified CREATE TABLE',
      (app: string) => `CREATE SCHEMA AUTHORIZATION ${app};
CREATE TABLE users (id integer, name text);
INSERT INTO users VALUES (99, 'mallory');
`,
      (app: string) => app
    ],
    [
      'create schema if not exists authorization app (lower case)',
      (app: string) => `create schema if not exists authorization ${app};
create table ${app}.users (id integer, name text);
`,
      (app: string) => app
    ],
    [
      'ALTER SCHEMA s1 RENAME TO app',
      (app: string) => `CREATE SCHEMA s1;
CREATE TABLE s1.users (id integer, name text);
INSERT INTO s1.users VALUES (99, 'mallory');
ALTER SCHEMA s1 RENAME TO ${app};
`,
      (app: string) => app
    ],
    [
      'CREATE SCHEMA AUTHORIZATION CURRENT_USER (the restoring role)',
      (_app: string) => `CREATE SCHEMA AUTHORIZATION CURRENT_USER;
CREATE TABLE users (id integer, name text);
`,
      (app: string) => app
    ]
  ])(
    "%s, restored as that role: refused naming the schema; the role still reads the target's users",
    async (_name, script, schema) => {
      // the target's own: app's database and table, app restoring (the reporter's setup: the
      // unqualified CREATE TABLE lands in app's new schema, the session's "$user")
      const db = await target()
      await server.query(
        db,
        `ALTER DATABASE "${db}" OWNER TO ${server.appUser}; ALTER TABLE public.users OWNER TO ${server.appUser}`
      )
      const before = await state(db)
      const error = await failure(
        harness.restore(
          testRestoreInputs(
            server.url(db, { user: server.appUser, password: server.appPassword }),
            { kind: 'file', path: write(script(server.appUser)) },
            { allowNonEmpty: true }
          )
        )
      )
      expect(error?.message).toMatch(
        new RegExp(
          `the backup creates schema "${schema(server.appUser)}", which is the name of a role of the target's server[^]*Nothing was changed\\. Restore into an empty database; create the schema in the target first`
        )
      )
      expect(await state(db)).toEqual(before)
      expect(
        await server.query(
          db,
          `SELECT to_regnamespace('"${schema(server.appUser)}"') IS NULL AS absent`
        )
      ).toEqual([{ absent: true }])
      expect(await usersAsApp(db)).toEqual(['alice', 'bob'])
      await server.dropDatabase(db)
    }
  )

  // attacker a68 F3: a role's configured search_path (ALTER ROLE … SET search_path), not only
  // the default "$user", public; the database's own setting too
  it.each([
    ['a plain script', 'sql'],
    ['a custom archive', 'dump']
  ])(
    "%s creating a schema on a role's or the database's search_path setting: refused, naming the schema and the setting",
    async (_name, format) => {
      const role = `a68web_${Math.random().toString(16).slice(2, 8)}`
      const src = await server.createDatabase()
      await server.query(
        src,
        `CREATE SCHEMA reporting; CREATE TABLE reporting.users (id integer, name text);
         INSERT INTO reporting.users VALUES (99, 'mallory');
         CREATE SCHEMA "Shared"; CREATE TABLE "Shared".accounts (id integer);`
      )
      const dumped = file('search-path', format)
      await pgDump(src, [...(format === 'dump' ? ['-Fc'] : []), '-f', dumped])
      await server.dropDatabase(src)
      const db = await target()
      await server.query('postgres', `CREATE ROLE ${role} LOGIN PASSWORD 'pw-${role}'`)
      try {
        await server.query(
          db,
          `ALTER ROLE ${role} SET search_path = reporting, public;
           ALTER DATABASE "${db}" SET search_path = "$user", public, "Shared";
           GRANT SELECT ON public.users TO ${role}`
        )
        const before = await state(db)
        const error = await failure(runRestore(db, { kind: 'file', path: dumped }))
        expect(error?.message).toMatch(
          /the backup creates schemas "(?:reporting|Shared)", "(?:reporting|Shared)", which are on the search_path of roles of the target's server/
        )
        expect(error?.message).toContain(
          `role ${role} in every database has search_path = reporting, public (ALTER ROLE ${role} SET search_path)`
        )
        expect(error?.message).toMatch(
          /every role in database \S+ has search_path = "\$user", public, "Shared" \(ALTER DATABASE \S+ SET search_path\)/
        )
        expect(await state(db)).toEqual(before)
        // what the role's unqualified users reads: still the target's
        const out = await runTool(
          path.join(server.binDir, 'psql'),
          ['-X', '-At', '-c', 'SELECT name FROM users ORDER BY id'],
          server.env(db, { user: role, password: `pw-${role}` })
        )
        expect(out.trim().split('\n')).toEqual(['alice', 'bob'])
      } finally {
        await server.dropDatabase(db)
        await server.query('postgres', `DROP ROLE ${role}`)
      }
    }
  )
})
