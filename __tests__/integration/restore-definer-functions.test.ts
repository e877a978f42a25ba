/**
 * A SECURITY DEFINER function or procedure of the backup over the tables the target keeps
 * (attacker a86 F3): whoever may execute it (PUBLIC by default) reads or writes those tables with
 * its owner's rights, with no GRANT on them — what the net refuses for a view of the backup's
 * granted to others (restore-replaced-views.test.ts). Not refused (a Supabase app's RPC functions
 * over auth.users are made so, and psql -f restores them the same): the restore warns after the
 * load, naming each routine, who may execute it and the kept tables its owner may read. No
 * warning for one nobody else may execute, a trigger function no trigger runs on a table others
 * may write (one that does is warned: attacker a88 F4), a restore into an empty database,
 * or the target's own function created again as it was (clean over itself). And the net's
 * exception for a view "the same as the one it replaces" does not pass one with an INSTEAD OF
 * trigger of the backup's.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { type TestServer, startPostgres } from '../../dev/postgres.js'
import type { RestoreOptions } from '../../src/types.js'
import { embeddedBinDir } from '../support/embedded.js'
import { rewriteArchiveToc } from '../support/archive-writer.js'
import { useHarness } from '../support/harness.js'
import { testRestoreInputs } from '../support/inputs.js'
import { failure } from '../support/non-empty.js'

const harness = useHarness({ name: 'restore-definer-functions' })
let server: TestServer
const suffix = Math.random().toString(16).slice(2, 8)
/** A Neon-like owner (no superuser) and two roles of the application. */
const OWNER = `owner_${suffix}`
const ANON = `anon_${suffix}`
const OTHER = `other_${suffix}`
const PASSWORD = 'owner-pw'

/** The target's own table, which no backup here brings. */
const TARGET = `CREATE TABLE public.secrets (id int PRIMARY KEY, secret text);
  INSERT INTO public.secrets VALUES (1, 'TOPSECRET'), (2, 'public-info');`

/** A plain script as pg_dump starts one, then `sql`. */
function script(name: string, sql: string): string {
  const file = path.join(harness.work, `${name}.sql`)
  writeFileSync(
    file,
    `SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
${sql}
`
  )
  return file
}

/** a86 F3's function: the target's secrets for whoever calls it. */
const PEEK = `CREATE FUNCTION public.peek() RETURNS TABLE(id int, secret text) LANGUAGE sql SECURITY DEFINER SET search_path = ''
  AS $$SELECT id, secret FROM public.secrets$$;`

async function database(sql: string): Promise<string> {
  const db = `definer_${Math.random().toString(16).slice(2, 8)}`
  await server.query('postgres', `CREATE DATABASE ${db} OWNER ${OWNER}`)
  await server.query(db, `SET ROLE ${OWNER}; GRANT USAGE ON SCHEMA public TO ${ANON}; ${sql}`)
  return db
}

function inputs(db: string, file: string, overrides: Partial<RestoreOptions> = {}): RestoreOptions {
  return testRestoreInputs(
    server.url(db, { user: OWNER, password: PASSWORD }),
    { kind: 'file', path: file },
    { allowNonEmpty: true, ...overrides }
  )
}

/** The restore's warnings about SECURITY DEFINER routines. */
async function definerWarnings(options: RestoreOptions): Promise<string[]> {
  const result = await harness.restore(options)
  return result.warnings.filter(w => w.startsWith('SECURITY DEFINER'))
}

beforeAll(async () => {
  server = harness.server
  await server.query(
    'postgres',
    `CREATE ROLE ${OWNER} LOGIN PASSWORD '${PASSWORD}' CREATEDB CREATEROLE;
     CREATE ROLE ${ANON} NOLOGIN; CREATE ROLE ${OTHER} NOLOGIN;`
  )
}, 60_000)

describe('a SECURITY DEFINER routine of the backup over the target’s kept tables: restored, and warned by name (attacker a86 F3)', () => {
  it('a86 F3: public.peek() executable by PUBLIC (no GRANT at all) reading public.secrets', async () => {
    const db = await database(TARGET)
    const warnings = await definerWarnings(inputs(db, script('peek', PEEK)))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(
      `function public.peek() (executable by PUBLIC; owner ${OWNER}, who may read public.secrets)`
    )
    expect(warnings[0]).toContain('REVOKE EXECUTE ON FUNCTION public.peek() FROM PUBLIC;')
    expect(warnings[0]).toMatch(/restore the backup into an empty database/)
    expect(warnings[0]).not.toMatch(/trial u|attacker a/)
    // restored, as psql -f restores it: the role reads the secrets through it
    expect(
      await server.query(db, `SET ROLE ${ANON}; SELECT secret FROM public.peek() ORDER BY id`)
    ).toEqual([{ secret: 'TOPSECRET' }, { secret: 'public-info' }])
  })

  it('a range type’s subtype_diff, closed to PUBLIC, that PostgreSQL calls unchecked (attacker a89 F2)', async () => {
    const db = await database(TARGET)
    const warnings = await definerWarnings(
      inputs(
        db,
        script(
          'range',
          `CREATE FUNCTION public.leak_diff(a double precision, b double precision) RETURNS double precision
  LANGUAGE sql IMMUTABLE SECURITY DEFINER SET search_path = ''
  AS $$SELECT b - a + (SELECT count(*) FROM public.secrets WHERE secret IS NULL)$$;
REVOKE ALL ON FUNCTION public.leak_diff(double precision, double precision) FROM PUBLIC;
CREATE TYPE public.floatrange AS RANGE (subtype = double precision, subtype_diff = public.leak_diff);`
        )
      )
    )
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(
      'function public.leak_diff(double precision,double precision) (called with no EXECUTE check for whoever uses the range type public.floatrange'
    )
    expect(warnings[0]).toContain(
      'ALTER FUNCTION public.leak_diff(double precision,double precision) SECURITY INVOKER;'
    )
    expect(warnings[0]).not.toMatch(/REVOKE EXECUTE ON FUNCTION public\.leak_diff/)
  })

  it('a procedure', async () => {
    const db = await database(TARGET)
    const warnings = await definerWarnings(
      inputs(
        db,
        script(
          'procedure',
          `CREATE PROCEDURE public.count_secrets(INOUT n bigint) LANGUAGE sql SECURITY DEFINER SET search_path = ''
  AS $$SELECT count(*) FROM public.secrets$$;`
        )
      )
    )
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('procedure public.count_secrets(bigint) (executable by PUBLIC;')
    expect(warnings[0]).toContain(
      'REVOKE EXECUTE ON PROCEDURE public.count_secrets(bigint) FROM PUBLIC;'
    )
  })

  it('granted to one role only, PUBLIC revoked: that role named', async () => {
    const db = await database(TARGET)
    const warnings = await definerWarnings(
      inputs(
        db,
        script(
          'one-role',
          `${PEEK}
REVOKE ALL ON FUNCTION public.peek() FROM PUBLIC;
GRANT ALL ON FUNCTION public.peek() TO ${ANON};`
        )
      )
    )
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(`function public.peek() (executable by ${ANON}; owner ${OWNER}`)
    expect(warnings[0]).not.toMatch(/executable by PUBLIC;|FROM PUBLIC/)
    expect(warnings[0]).toContain(`REVOKE EXECUTE ON FUNCTION public.peek() FROM ${ANON};`)
  })
})

describe('a SECURITY DEFINER trigger function run by a trigger on a table others may write (attacker a88 F4)', () => {
  /** A trigger of the backup's that copies the target's secrets into a table ANON reads. */
  const LEAK = (grant: string): string => `CREATE TABLE public.inbox (id int, note text);
CREATE TABLE public.outbox (secret text);
CREATE FUNCTION public.on_inbox() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = ''
  AS $$BEGIN INSERT INTO public.outbox SELECT secret FROM public.secrets; RETURN NEW; END$$;
CREATE TRIGGER inbox_written AFTER INSERT ON public.inbox FOR EACH ROW EXECUTE FUNCTION public.on_inbox();
GRANT SELECT ON public.outbox TO ${ANON};
${grant}`

  it('INSERT on the table granted to a role: warned, naming the trigger, the table, who may write it and ALTER FUNCTION … SECURITY INVOKER', async () => {
    const db = await database(TARGET)
    const warnings = await definerWarnings(
      inputs(db, script('trigger-leak', LEAK(`GRANT INSERT ON public.inbox TO ${ANON};`)))
    )
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(
      `function public.on_inbox() (run for whoever writes a table by its trigger inbox_written on public.inbox (writable by ${ANON}); owner ${OWNER}, who may read public.secrets)`
    )
    expect(warnings[0]).toContain('ALTER FUNCTION public.on_inbox() SECURITY INVOKER;')
    expect(warnings[0]).not.toContain('REVOKE EXECUTE ON FUNCTION public.on_inbox()')
    // restored, as psql -f restores it: the role's insert copies the secrets where it reads them
    expect(
      await server.query(
        db,
        `SET ROLE ${ANON}; INSERT INTO public.inbox VALUES (1, 'hi'); SELECT secret FROM public.outbox ORDER BY 1`
      )
    ).toEqual([{ secret: 'TOPSECRET' }, { secret: 'public-info' }])
  })

  it('UPDATE of one column granted to a role: warned', async () => {
    const db = await database(TARGET)
    const warnings = await definerWarnings(
      inputs(db, script('trigger-column', LEAK(`GRANT UPDATE (note) ON public.inbox TO ${OTHER};`)))
    )
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(`trigger inbox_written on public.inbox (writable by ${OTHER})`)
  })

  it('written through a partitioned parent, an updatable view or a rule granted to a role (attacker a91 F4): warned, naming who may write', async () => {
    const db = await database(TARGET)
    const warnings = await definerWarnings(
      inputs(
        db,
        script(
          'trigger-routes',
          `CREATE TABLE public.outbox (secret text);
GRANT SELECT ON public.outbox TO ${ANON};
CREATE FUNCTION public.on_write() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = ''
  AS $$BEGIN INSERT INTO public.outbox SELECT secret FROM public.secrets; RETURN NEW; END$$;
CREATE TABLE public.parted (id int) PARTITION BY RANGE (id);
CREATE TABLE public.part1 PARTITION OF public.parted FOR VALUES FROM (0) TO (100);
CREATE TRIGGER part1_written AFTER INSERT ON public.part1 FOR EACH ROW EXECUTE FUNCTION public.on_write();
GRANT INSERT ON public.parted TO ${ANON};
CREATE TABLE public.base (id int);
CREATE VIEW public.base_v AS SELECT id FROM public.base;
CREATE TRIGGER base_written AFTER INSERT ON public.base FOR EACH ROW EXECUTE FUNCTION public.on_write();
GRANT INSERT ON public.base_v TO ${OTHER};`
        )
      )
    )
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(`trigger part1_written on public.part1 (writable by ${ANON})`)
    expect(warnings[0]).toContain(`trigger base_written on public.base (writable by ${OTHER})`)
    // restored, as psql -f restores it: the role's insert through the parent runs it
    expect(
      await server.query(
        db,
        `SET ROLE ${ANON}; INSERT INTO public.parted VALUES (1); SELECT count(*)::int AS n FROM public.outbox`
      )
    ).toEqual([{ n: 2 }])
  })

  it('the table only readable by others: no warning', async () => {
    const db = await database(TARGET)
    expect(
      await definerWarnings(
        inputs(db, script('trigger-read', LEAK(`GRANT SELECT ON public.inbox TO ${ANON};`)))
      )
    ).toEqual([])
  })
})

describe('an aggregate over a SECURITY DEFINER support function (attacker a88 F1)', () => {
  /**
   * PostgreSQL checks EXECUTE of an aggregate's support functions against the aggregate's owner,
   * and runs a SECURITY DEFINER one with its owner's rights: whoever may execute the aggregate
   * (PUBLIC by default) runs it, however closed the function itself is.
   */
  const aggregate = (
    definer: boolean
  ): string => `CREATE FUNCTION public.leak_step(s text, x text) RETURNS text LANGUAGE sql${definer ? ' SECURITY DEFINER' : ''}
    SET search_path TO 'pg_catalog' AS $$SELECT string_agg(secret, ',' ORDER BY id) FROM public.secrets$$;
CREATE AGGREGATE public.leak(text) (SFUNC = public.leak_step, STYPE = text);
REVOKE ALL ON FUNCTION public.leak_step(s text, x text) FROM PUBLIC;`

  it('its sfunc SECURITY DEFINER, EXECUTE on it revoked from PUBLIC: warned, naming the aggregate and the function', async () => {
    const db = await database(TARGET)
    const warnings = await definerWarnings(inputs(db, script('aggregate', aggregate(true))))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(
      `aggregate public.leak(text) over the SECURITY DEFINER function public.leak_step(text,text) (executable by PUBLIC; its owner ${OWNER}, who may read public.secrets)`
    )
    expect(warnings[0]).toContain('REVOKE EXECUTE ON FUNCTION public.leak(text) FROM PUBLIC;')
    expect(warnings[0]).not.toMatch(/[:;] function public\.leak_step/)
    // restored, as psql -f restores it: the role cannot call the function, yet reads through the aggregate
    await expect(
      server.query(db, `SET ROLE ${ANON}; SELECT public.leak_step('a', 'b')`)
    ).rejects.toThrow(/permission denied/)
    expect(
      await server.query(
        db,
        `SET ROLE ${ANON}; SELECT public.leak(x) AS v FROM (VALUES ('a')) t(x)`
      )
    ).toEqual([{ v: 'TOPSECRET,public-info' }])
  })

  it('the same aggregate over a function that is not SECURITY DEFINER: no warning', async () => {
    const db = await database(TARGET)
    expect(
      await definerWarnings(inputs(db, script('aggregate-invoker', aggregate(false))))
    ).toEqual([])
  })

  it('the aggregate closed to PUBLIC too: no warning', async () => {
    const db = await database(TARGET)
    expect(
      await definerWarnings(
        inputs(
          db,
          script(
            'aggregate-closed',
            `${aggregate(true)}\nREVOKE ALL ON FUNCTION public.leak(text) FROM PUBLIC;`
          )
        )
      )
    ).toEqual([])
  })
})

describe('an extension’s member made by the backup (attacker a88 F2)', () => {
  /** a88 F2: a trusted extension the owner may create, then the backup's function made its member. */
  const EMAILS = `CREATE EXTENSION IF NOT EXISTS tcn WITH SCHEMA public;
CREATE FUNCTION public.emails() RETURNS text LANGUAGE sql SECURITY DEFINER SET search_path TO 'pg_catalog'
  AS $$SELECT string_agg(secret, ',' ORDER BY id) FROM public.secrets$$;`
  const unchanged = async (db: string): Promise<void> =>
    expect(
      await server.query(
        db,
        "SELECT (SELECT count(*) FROM pg_extension WHERE extname = 'tcn')::int AS ext, (SELECT count(*) FROM pg_proc WHERE proname = 'emails')::int AS fn"
      )
    ).toEqual([{ ext: 0, fn: 0 }])

  it('ALTER EXTENSION tcn ADD FUNCTION in a plain script: refused before anything runs, the target unchanged', async () => {
    const db = await database(TARGET)
    const error = await failure(
      harness.restore(
        inputs(
          db,
          script('ext-add', `${EMAILS}\nALTER EXTENSION tcn ADD FUNCTION public.emails();`)
        )
      )
    )
    expect(error?.message).toMatch(
      /line 7: ALTER EXTENSION tcn ADD makes an object a member of the extension, or takes one out of it .*; pg_dump never writes it \(but with --binary-upgrade, for pg_upgrade\)/
    )
    expect(error?.message).toContain('("ALTER EXTENSION tcn ADD FUNCTION public.emails();")')
    await unchanged(db)
  })

  it('… DROP, and in a DO block’s EXECUTE: refused too', async () => {
    const db = await database(TARGET)
    const error = await failure(
      harness.restore(
        inputs(
          db,
          script(
            'ext-do',
            `${EMAILS}\nDO $$BEGIN EXECUTE 'ALTER EXTENSION "tcn" DROP FUNCTION public.triggered_change_notification()'; END$$;`
          )
        )
      )
    )
    expect(error?.message).toMatch(/ALTER EXTENSION "tcn" DROP makes an object a member/)
    await unchanged(db)
  })

  it('made a member by a function the script calls: refused before anything runs, as code pg_dump never writes over kept rows (with clean too; attacker a95)', async () => {
    const db = await database(TARGET)
    const error = await failure(
      harness.restore(
        inputs(
          db,
          script(
            'ext-hidden',
            `${EMAILS}
CREATE FUNCTION public.hide() RETURNS void LANGUAGE plpgsql
  AS $$BEGIN EXECUTE 'ALTER EXTENSION tcn ADD FUNCTION public.emails()'; END$$;
SELECT public.hide();`
          ),
          { allowNonEmpty: false, clean: true }
        )
      )
    )
    expect(error?.message).toMatch(/^the backup has 1 statement pg_dump never writes/)
    expect(error?.message).toContain('"SELECT public.hide();"')
    expect(error?.message).toContain('The target keeps tables with rows (public.secrets)')
    await unchanged(db)
  })
})

describe('no warning', () => {
  it('EXECUTE revoked from PUBLIC and granted to nobody', async () => {
    const db = await database(TARGET)
    expect(
      await definerWarnings(
        inputs(db, script('nobody', `${PEEK}\nREVOKE ALL ON FUNCTION public.peek() FROM PUBLIC;`))
      )
    ).toEqual([])
  })

  it('a SECURITY DEFINER trigger function (Supabase’s handle_new_user)', async () => {
    const db = await database(TARGET)
    expect(
      await definerWarnings(
        inputs(
          db,
          script(
            'trigger',
            `CREATE TABLE public.profiles (id int PRIMARY KEY, note text);
CREATE FUNCTION public.handle_new_user() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = ''
  AS $$BEGIN INSERT INTO public.profiles (id) VALUES (NEW.id); RETURN NEW; END$$;`
          )
        )
      )
    ).toEqual([])
  })

  it('a new Supabase-like project: its auth.users empty, only the migrations’ bookkeeping holds rows', async () => {
    const admin = `supabase_${suffix}admin`
    const db = await database('')
    await server.query(
      db,
      `CREATE ROLE ${admin} NOLOGIN SUPERUSER;
       CREATE SCHEMA auth AUTHORIZATION ${admin};
       CREATE TABLE auth.users (id int PRIMARY KEY);
       CREATE TABLE auth.schema_migrations (version text PRIMARY KEY);
       INSERT INTO auth.schema_migrations VALUES ('20240101'), ('20240102');
       ALTER TABLE auth.users OWNER TO ${admin}; ALTER TABLE auth.schema_migrations OWNER TO ${admin};
       GRANT USAGE ON SCHEMA auth TO ${OWNER}; GRANT ALL ON ALL TABLES IN SCHEMA auth TO ${OWNER};`
    )
    const rpc = script(
      'rpc',
      `CREATE FUNCTION public.user_count() RETURNS bigint LANGUAGE sql SECURITY DEFINER SET search_path = ''
  AS $$SELECT count(*) FROM auth.users$$;`
    )
    expect(await definerWarnings(inputs(db, rpc))).toEqual([])
    // once the project has users, they are the target's: the same function is named
    const used = await database('')
    await server.query(
      used,
      `CREATE SCHEMA auth AUTHORIZATION ${admin};
       CREATE TABLE auth.users (id int PRIMARY KEY); INSERT INTO auth.users VALUES (1);
       ALTER TABLE auth.users OWNER TO ${admin};
       GRANT USAGE ON SCHEMA auth TO ${OWNER}; GRANT ALL ON ALL TABLES IN SCHEMA auth TO ${OWNER};`
    )
    const warnings = await definerWarnings(inputs(used, rpc))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('who may read auth.users)')
  })

  it('a restore into an empty database (no tables of the target’s)', async () => {
    const db = await database('')
    expect(
      await definerWarnings(
        inputs(
          db,
          script(
            'empty',
            `CREATE TABLE public.secrets (id int PRIMARY KEY, secret text);
${PEEK}`
          ),
          { allowNonEmpty: false }
        )
      )
    ).toEqual([])
  })
})

describe('clean over itself: the target’s own SECURITY DEFINER function, created again as it was', () => {
  let source: string
  let dump: string
  const API = `CREATE SCHEMA api;
    GRANT USAGE ON SCHEMA api TO ${ANON};
    CREATE FUNCTION api.peek() RETURNS TABLE(id int, secret text) LANGUAGE sql SECURITY DEFINER SET search_path = ''
      AS $$SELECT id, secret FROM public.secrets$$;
    CREATE TABLE api.notes (id int);
    INSERT INTO api.notes VALUES (1);`
  beforeAll(async () => {
    source = await database(`${TARGET} ${API}`)
    dump = path.join(harness.work, 'api.dump')
    execFileSync(path.join(server.binDir, 'pg_dump'), ['-Fc', '-n', 'api', '-f', dump, source], {
      env: server.env(source, { user: OWNER, password: PASSWORD })
    })
  }, 60_000)

  const copy = async (sql: string): Promise<string> => {
    const db = `definer_${Math.random().toString(16).slice(2, 8)}`
    await server.query('postgres', `CREATE DATABASE ${db} TEMPLATE ${source} OWNER ${OWNER}`)
    if (sql) await server.query(db, `SET ROLE ${OWNER}; ${sql}`)
    return db
  }
  const clean = (db: string): RestoreOptions =>
    inputs(db, dump, { allowNonEmpty: false, clean: true, schemas: ['api'] })

  it('the same function, owner and privileges: no warning', async () => {
    expect(await definerWarnings(clean(await copy('')))).toEqual([])
  })

  it('the target had no such function: warned', async () => {
    const warnings = await definerWarnings(clean(await copy('DROP FUNCTION api.peek()')))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('function api.peek() (executable by PUBLIC;')
  })

  it('the target’s was executable by fewer roles (PUBLIC revoked): warned', async () => {
    const warnings = await definerWarnings(
      clean(await copy('REVOKE EXECUTE ON FUNCTION api.peek() FROM PUBLIC'))
    )
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('function api.peek() (executable by PUBLIC;')
  })
})

describe('clean over itself: the target’s own aggregate over a SECURITY DEFINER function, created again as it was (a88 F1)', () => {
  let source: string
  let dump: string
  beforeAll(async () => {
    source = await database(`${TARGET}
      CREATE SCHEMA agg;
      GRANT USAGE ON SCHEMA agg TO ${ANON};
      CREATE FUNCTION agg.step(s text, x text) RETURNS text LANGUAGE sql SECURITY DEFINER SET search_path = ''
        AS $$SELECT string_agg(secret, ',') FROM public.secrets$$;
      REVOKE ALL ON FUNCTION agg.step(text, text) FROM PUBLIC;
      CREATE AGGREGATE agg.secrets(text) (SFUNC = agg.step, STYPE = text);
      CREATE TABLE agg.notes (id int);
      INSERT INTO agg.notes VALUES (1);`)
    dump = path.join(harness.work, 'agg.dump')
    execFileSync(path.join(server.binDir, 'pg_dump'), ['-Fc', '-n', 'agg', '-f', dump, source], {
      env: server.env(source, { user: OWNER, password: PASSWORD })
    })
  }, 60_000)

  const copy = async (sql: string): Promise<string> => {
    const db = `definer_${Math.random().toString(16).slice(2, 8)}`
    await server.query('postgres', `CREATE DATABASE ${db} TEMPLATE ${source} OWNER ${OWNER}`)
    if (sql) await server.query(db, `SET ROLE ${OWNER}; ${sql}`)
    return db
  }
  const clean = (db: string): RestoreOptions =>
    inputs(db, dump, { allowNonEmpty: false, clean: true, schemas: ['agg'] })

  it('the same aggregate and support function: no warning', async () => {
    expect(await definerWarnings(clean(await copy('')))).toEqual([])
  })

  it('the target’s support function was no SECURITY DEFINER: warned', async () => {
    const warnings = await definerWarnings(
      clean(await copy('ALTER FUNCTION agg.step(text, text) SECURITY INVOKER'))
    )
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(
      'aggregate agg.secrets(text) over the SECURITY DEFINER function agg.step(text,text) (executable by PUBLIC;'
    )
  })
})

describe('the net’s "same as the view it replaces": not one with an INSTEAD OF trigger of the backup’s (attacker a86 F3)', () => {
  let source: string
  let dump: string
  beforeAll(async () => {
    source = await database(`${TARGET}
      CREATE SCHEMA rep; GRANT USAGE ON SCHEMA rep TO ${ANON};
      CREATE VIEW rep.v AS SELECT id FROM public.secrets;
      GRANT ALL ON rep.v TO ${ANON};
      CREATE FUNCTION rep.leak() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = ''
        AS $$BEGIN UPDATE public.secrets SET secret = 'pwned' WHERE id = NEW.id; RETURN NEW; END$$;
      CREATE TRIGGER leak INSTEAD OF INSERT ON rep.v FOR EACH ROW EXECUTE FUNCTION rep.leak();`)
    dump = path.join(harness.work, 'rep.dump')
    execFileSync(path.join(server.binDir, 'pg_dump'), ['-Fc', '-n', 'rep', '-f', dump, source], {
      env: server.env(source, { user: OWNER, password: PASSWORD })
    })
  }, 60_000)

  it('the target’s view had no trigger: refused, the target unchanged', async () => {
    const db = `definer_${Math.random().toString(16).slice(2, 8)}`
    await server.query('postgres', `CREATE DATABASE ${db} TEMPLATE ${source} OWNER ${OWNER}`)
    await server.query(db, `SET ROLE ${OWNER}; DROP TRIGGER leak ON rep.v`)
    const error = await failure(
      harness.restore(inputs(db, dump, { allowNonEmpty: false, clean: true, schemas: ['rep'] }))
    )
    expect(error?.message).toMatch(
      /public\.secrets: the view rep\.v reads it and is granted to other roles/
    )
    expect(
      await server.query(db, "SELECT count(*)::int AS n FROM pg_trigger WHERE tgname = 'leak'")
    ).toEqual([{ n: 0 }])
  })
})

describe('the target’s own SECURITY DEFINER routine, as it was, calling what the restore replaced (attacker a88 F3)', () => {
  /** The target's helper, closed to others, and its definer function over it, executable by PUBLIC. */
  const F3 = `${TARGET}
    CREATE FUNCTION public.fmt(t text) RETURNS text LANGUAGE sql AS $$SELECT lower(t)$$;
    CREATE FUNCTION public.my_secret(uid int) RETURNS text LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog
      AS $$SELECT public.fmt(secret) FROM public.secrets WHERE id = uid$$;
    REVOKE ALL ON FUNCTION public.fmt(text) FROM PUBLIC;`
  /** a88 F3's backup: the helper, reading every row. */
  const helper = (body: string): string =>
    script(
      `helper-${Math.random().toString(16).slice(2, 8)}`,
      `CREATE FUNCTION public.fmt(t text) RETURNS text LANGUAGE sql AS $$${body}$$;
REVOKE ALL ON FUNCTION public.fmt(t text) FROM PUBLIC;`
    )
  const LEAK = "SELECT string_agg(secret, ',' ORDER BY id) FROM public.secrets"
  const clean = { allowNonEmpty: false, clean: true }

  it('a88 F3: clean replaces public.fmt, which the target’s public.my_secret calls: warned, naming both', async () => {
    const db = await database(F3)
    const warnings = await definerWarnings(inputs(db, helper(LEAK), clean))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(
      `function public.my_secret(integer) (executable by PUBLIC; owner ${OWNER}) calls the replaced public.fmt(text)`
    )
    expect(warnings[0]).toContain(
      'REVOKE EXECUTE ON FUNCTION public.my_secret(integer) FROM PUBLIC;'
    )
    // restored, as psql -f restores it: the role reads every row through the target's function
    expect(await server.query(db, `SET ROLE ${ANON}; SELECT public.my_secret(2) AS v`)).toEqual([
      { v: 'TOPSECRET,public-info' }
    ])
  })

  it("a101 F3: an operator the backup creates, which the target's routine without a pinned search_path resolves before pg_catalog's: warned, naming both", async () => {
    const db = await database(`${TARGET}
      CREATE FUNCTION public.by_secret(e varchar) RETURNS int LANGUAGE plpgsql SECURITY DEFINER
        AS $$DECLARE r int; BEGIN SELECT id INTO r FROM public.secrets WHERE secret = e; RETURN r; END$$;`)
    const operator = script(
      'a101-f3-operator',
      `CREATE FUNCTION public.eq_hook(a text, b character varying) RETURNS boolean LANGUAGE sql AS $$SELECT pg_catalog.texteq(a, b::text)$$;
CREATE OPERATOR public.= (FUNCTION = public.eq_hook, LEFTARG = text, RIGHTARG = character varying);`
    )
    const warnings = await definerWarnings(inputs(db, operator))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(
      `function public.by_secret(character varying) (executable by PUBLIC; owner ${OWNER}) calls the new operator public.=(text,character varying)`
    )
    // a routine whose search_path is pinned to pg_catalog is not reached
    const pinned = await database(`${TARGET}
      CREATE FUNCTION public.by_secret(e varchar) RETURNS int LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog
        AS $$DECLARE r int; BEGIN SELECT id INTO r FROM public.secrets WHERE secret = e; RETURN r; END$$;`)
    expect(await definerWarnings(inputs(pinned, operator))).toEqual([])
  })

  it('a102 F4: the operator LIKE runs (~~), which the routine never writes: warned', async () => {
    const db = await database(`${TARGET}
      CREATE FUNCTION public.find_like(e varchar) RETURNS int LANGUAGE plpgsql SECURITY DEFINER
        AS $$DECLARE r int; BEGIN SELECT id INTO r FROM public.secrets WHERE secret LIKE e; RETURN r; END$$;`)
    const like = script(
      'a102-f4-like',
      `CREATE FUNCTION public.like_hook(a text, b character varying) RETURNS boolean LANGUAGE sql AS $$SELECT pg_catalog.textlike(a, b::text)$$;
CREATE OPERATOR public.~~ (FUNCTION = public.like_hook, LEFTARG = text, RIGHTARG = character varying);`
    )
    const warnings = await definerWarnings(inputs(db, like))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(
      `function public.find_like(character varying) (executable by PUBLIC; owner ${OWNER}) calls the new operator public.~~(text,character varying)`
    )
  })

  it('the helper replaced by the same definition (clean over itself): no warning', async () => {
    const db = await database(F3)
    expect(await definerWarnings(inputs(db, helper('SELECT lower(t)'), clean))).toEqual([])
  })

  it('the definer function executable by nobody else: no warning', async () => {
    const db = await database(`${F3} REVOKE ALL ON FUNCTION public.my_secret(int) FROM PUBLIC;`)
    expect(await definerWarnings(inputs(db, helper(LEAK), clean))).toEqual([])
  })

  describe('an archive of the schema, clean (both routines created again as they were)', () => {
    let source: string
    /** A BEGIN ATOMIC body (pg_depend), and a plain one calling the helper unqualified by its search_path. */
    const RPC = `${TARGET}
      CREATE SCHEMA rpc; GRANT USAGE ON SCHEMA rpc TO ${ANON};
      CREATE FUNCTION rpc.fmt(t text) RETURNS text LANGUAGE sql AS $$SELECT lower(t)$$;
      REVOKE ALL ON FUNCTION rpc.fmt(text) FROM PUBLIC;
      CREATE FUNCTION rpc.atomic_secret(uid int) RETURNS text LANGUAGE sql SECURITY DEFINER SET search_path = ''
        BEGIN ATOMIC SELECT rpc.fmt(secret) FROM public.secrets WHERE id = uid; END;
      CREATE FUNCTION rpc.plain_secret(uid int) RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = rpc, pg_catalog
        AS $$BEGIN RETURN fmt((SELECT secret FROM public.secrets WHERE id = uid)); END$$;`
    const dump = (db: string, name: string): string => {
      const file = path.join(harness.work, `${name}.dump`)
      execFileSync(path.join(server.binDir, 'pg_dump'), ['-Fc', '-n', 'rpc', '-f', file, db], {
        env: server.env(db, { user: OWNER, password: PASSWORD })
      })
      return file
    }
    beforeAll(async () => {
      source = await database(RPC)
    }, 60_000)
    const copy = async (): Promise<string> => {
      const db = `definer_${Math.random().toString(16).slice(2, 8)}`
      await server.query('postgres', `CREATE DATABASE ${db} TEMPLATE ${source} OWNER ${OWNER}`)
      return db
    }
    const restore = (db: string, file: string): RestoreOptions =>
      inputs(db, file, { allowNonEmpty: false, clean: true, schemas: ['rpc'] })

    it('the backup’s rpc.fmt reads every row: warned, naming both routines', async () => {
      const changed = await copy()
      await server.query(
        changed,
        `SET ROLE ${OWNER}; CREATE OR REPLACE FUNCTION rpc.fmt(t text) RETURNS text LANGUAGE sql AS $$${LEAK}$$`
      )
      const file = dump(changed, 'rpc-changed')
      const db = await copy()
      const warnings = await definerWarnings(restore(db, file))
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toContain(
        `function rpc.atomic_secret(integer) (executable by PUBLIC; owner ${OWNER}) calls the replaced rpc.fmt(text)`
      )
      expect(warnings[0]).toContain(
        `function rpc.plain_secret(integer) (executable by PUBLIC; owner ${OWNER}) calls the replaced rpc.fmt(text)`
      )
      expect(await server.query(db, `SET ROLE ${ANON}; SELECT rpc.atomic_secret(2) AS v`)).toEqual([
        { v: 'TOPSECRET,public-info' }
      ])
    })

    it('the archive of the target itself: no warning', async () => {
      const file = dump(source, 'rpc-same')
      expect(await definerWarnings(restore(await copy(), file))).toEqual([])
    })
  })
})

describe('a view of the backup’s granted to others over a provider’s kept table (trial u55 F1)', () => {
  /** A Supabase-like target: auth.users (a superuser's schema) holds a user. */
  async function project(): Promise<string> {
    const admin = `supabase_${suffix}admin`
    await server.query(
      'postgres',
      `DO $$BEGIN CREATE ROLE ${admin} NOLOGIN SUPERUSER; EXCEPTION WHEN duplicate_object THEN NULL; END$$`
    )
    const db = await database('')
    await server.query(
      db,
      `CREATE SCHEMA auth AUTHORIZATION ${admin};
       CREATE TABLE auth.users (id int PRIMARY KEY, email text); INSERT INTO auth.users VALUES (1, 'ceo@example.com');
       ALTER TABLE auth.users OWNER TO ${admin};
       GRANT USAGE ON SCHEMA auth TO ${OWNER}; GRANT ALL ON ALL TABLES IN SCHEMA auth TO ${OWNER};`
    )
    return db
  }

  async function viewWarnings(db: string, sql: string): Promise<string[]> {
    const result = await harness.restore(inputs(db, script('views', sql)))
    return result.warnings.filter(w => w.startsWith('Views over'))
  }

  it('a view over auth.users granted to a role: warned, naming the chain and the REVOKE', async () => {
    const db = await project()
    const warnings = await viewWarnings(
      db,
      `CREATE VIEW public.user_directory AS SELECT id, email FROM auth.users;
GRANT SELECT ON TABLE public.user_directory TO ${ANON};`
    )
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(
      `view public.user_directory (public.user_directory → auth.users; readable by ${ANON})`
    )
    expect(warnings[0]).toContain(`REVOKE ALL ON TABLE public.user_directory FROM ${ANON};`)
    // restored, as pg_restore restores it: the role reads the provider's rows through it
    expect(
      await server.query(db, `SET ROLE ${ANON}; SELECT email FROM public.user_directory`)
    ).toEqual([{ email: 'ceo@example.com' }])
  })

  it('through a chain: the granted outer view named with its chain', async () => {
    const db = await project()
    const warnings = await viewWarnings(
      db,
      `CREATE VIEW public.inner_v AS SELECT id, email FROM auth.users;
CREATE VIEW public.outer_v AS SELECT email FROM public.inner_v;
GRANT SELECT ON TABLE public.outer_v TO ${ANON};`
    )
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(
      `view public.outer_v (public.outer_v → public.inner_v → auth.users; readable by ${ANON})`
    )
    expect(warnings[0]).not.toContain('view public.inner_v (')
  })

  it('not granted to anyone: no warning', async () => {
    const db = await project()
    expect(
      await viewWarnings(db, `CREATE VIEW public.user_directory AS SELECT id FROM auth.users;`)
    ).toEqual([])
  })
})

describe('what the load copies out of a kept table into a materialized view or a stored generated column granted to others (attacker a90)', () => {
  /** A Supabase-like target: auth.users (a superuser's schema), holding a user where `rows`. */
  async function project(rows = true): Promise<string> {
    const admin = `supabase_${suffix}admin`
    await server.query(
      'postgres',
      `DO $$BEGIN CREATE ROLE ${admin} NOLOGIN SUPERUSER; EXCEPTION WHEN duplicate_object THEN NULL; END$$`
    )
    const db = await database('')
    await server.query(
      db,
      `CREATE SCHEMA auth AUTHORIZATION ${admin};
       CREATE TABLE auth.users (id int PRIMARY KEY, email text);
       ${rows ? "INSERT INTO auth.users VALUES (1, 'ceo@example.com');" : ''}
       ALTER TABLE auth.users OWNER TO ${admin};
       GRANT USAGE ON SCHEMA auth TO ${OWNER}; GRANT ALL ON ALL TABLES IN SCHEMA auth TO ${OWNER};`
    )
    return db
  }

  /** a90 F1: a materialized view filled through a function, and one through query_to_xml. */
  const F1 = `CREATE FUNCTION public.emails() RETURNS TABLE(id int, email text) LANGUAGE sql STABLE
  AS $$ SELECT id, email FROM auth.users $$;
CREATE MATERIALIZED VIEW public.m_leak AS SELECT * FROM public.emails() WITH NO DATA;
GRANT SELECT ON TABLE public.m_leak TO ${ANON};
REFRESH MATERIALIZED VIEW public.m_leak;
CREATE MATERIALIZED VIEW public.m_xml AS SELECT pg_catalog.query_to_xml('select * from auth.users', true, false, '') AS x WITH NO DATA;
GRANT SELECT ON TABLE public.m_xml TO ${ANON};
REFRESH MATERIALIZED VIEW public.m_xml;`

  /** a90 F2: a stored generated column computed through a function over auth.users. */
  const F2 = `CREATE FUNCTION public.all_emails(x int) RETURNS text LANGUAGE sql IMMUTABLE
  AS $$ SELECT string_agg(email, ',') FROM auth.users WHERE x IS NOT NULL $$;
CREATE TABLE public.notes (id int, body text, stuff text GENERATED ALWAYS AS (public.all_emails(id)) STORED);
INSERT INTO public.notes (id, body) VALUES (1, 'hello');
GRANT SELECT ON TABLE public.notes TO ${ANON};`

  async function copyWarnings(db: string, name: string, sql: string): Promise<string[]> {
    const result = await harness.restore(inputs(db, script(name, sql)))
    return result.warnings.filter(w => w.startsWith('Copies of'))
  }

  it('F1: materialized views filled through a function and through query_to_xml over auth.users, granted to a role: warned, naming each, the function and auth.users; the role reads the rows', async () => {
    const db = await project()
    const warnings = await copyWarnings(db, 'a90-f1', F1)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(
      `materialized view public.m_leak (its query calls public.emails(), which reads auth.users; readable by ${ANON})`
    )
    expect(warnings[0]).toMatch(
      new RegExp(
        `materialized view public\\.m_xml \\(its query calls query_to_xml\\(text,boolean,boolean,text\\), which runs a query given as text, or reads rows named at run time; readable by ${ANON}\\)`
      )
    )
    expect(warnings[0]).toContain(`REVOKE ALL ON TABLE public.m_leak FROM ${ANON};`)
    expect(warnings[0]).toContain('REFRESH MATERIALIZED VIEW public.m_leak;')
    expect(warnings[0]).toContain('pg_restore and psql by hand restore them the same')
    // restored, as pg_restore restores them: the role reads the provider's rows through them
    expect(await server.query(db, `SET ROLE ${ANON}; SELECT id, email FROM public.m_leak`)).toEqual(
      [{ id: 1, email: 'ceo@example.com' }]
    )
    const [xml] = await server.query<{ x: string }>(
      db,
      `SET ROLE ${ANON}; SELECT x::text AS x FROM public.m_xml`
    )
    expect(xml.x).toContain('<email>ceo@example.com</email>')
    await expect(
      server.query(db, `SET ROLE ${ANON}; SELECT email FROM auth.users`)
    ).rejects.toThrow(/permission denied/)
  })

  it('a91 F5: a function spelling auth.users with a comment inside the name, or with U&"…": warned as what cannot be told; the role reads the rows', async () => {
    const db = await project()
    const warnings = await copyWarnings(
      db,
      'a91-f5',
      `CREATE FUNCTION public.fc() RETURNS SETOF text LANGUAGE sql STABLE AS $$ SELECT email FROM auth/**/.users $$;
CREATE FUNCTION public.fn() RETURNS SETOF text LANGUAGE sql STABLE AS $$ SELECT email FROM auth.--
users $$;
CREATE FUNCTION public.fu() RETURNS SETOF text LANGUAGE sql STABLE AS $$ SELECT email FROM auth.U&"\\0075sers" $$;
CREATE MATERIALIZED VIEW public.m_c AS SELECT * FROM public.fc() e WITH NO DATA;
CREATE MATERIALIZED VIEW public.m_n AS SELECT * FROM public.fn() e WITH NO DATA;
CREATE MATERIALIZED VIEW public.m_u AS SELECT * FROM public.fu() e WITH NO DATA;
GRANT SELECT ON TABLE public.m_c, public.m_n, public.m_u TO ${ANON};
REFRESH MATERIALIZED VIEW public.m_c;
REFRESH MATERIALIZED VIEW public.m_n;
REFRESH MATERIALIZED VIEW public.m_u;`
    )
    expect(warnings).toHaveLength(1)
    for (const [view, fn] of [
      ['m_c', 'fc'],
      ['m_n', 'fn'],
      ['m_u', 'fu']
    ])
      expect(warnings[0]).toMatch(
        new RegExp(
          `materialized view public\\.${view} \\(its query calls public\\.${fn}\\(\\), which (reads auth\\.users and )?spells a name in a way the restore does not read`
        )
      )
    expect(await server.query(db, `SET ROLE ${ANON}; SELECT e AS email FROM public.m_u e`)).toEqual(
      [{ email: 'ceo@example.com' }]
    )
  })

  it('a91 F1: a materialized view through a function three calls from auth.users: warned, naming the first and the one that reads', async () => {
    const db = await project()
    const warnings = await copyWarnings(
      db,
      'a91-f1',
      `CREATE FUNCTION public.h3() RETURNS SETOF text LANGUAGE sql STABLE AS $$ SELECT email FROM auth.users $$;
CREATE FUNCTION public.h2() RETURNS SETOF text LANGUAGE sql STABLE AS $$ SELECT * FROM public.h3() $$;
CREATE FUNCTION public.h1() RETURNS SETOF text LANGUAGE sql STABLE AS $$ SELECT * FROM public.h2() $$;
CREATE MATERIALIZED VIEW public.mv_deep AS SELECT h1 AS s FROM public.h1() WITH NO DATA;
GRANT SELECT ON TABLE public.mv_deep TO ${ANON};
REFRESH MATERIALIZED VIEW public.mv_deep;`
    )
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(
      `materialized view public.mv_deep (its query calls public.h1(), which calls public.h3(), which reads auth.users; readable by ${ANON})`
    )
    expect(await server.query(db, `SET ROLE ${ANON}; SELECT s FROM public.mv_deep`)).toEqual([
      { s: 'ceo@example.com' }
    ])
  })

  it('a91 F6: a bare name the function’s search_path resolves to the backup’s own table first is not the target’s kept table of that name in a later schema: restored; the other order refused by the net', async () => {
    const items = (path: string): string => `CREATE TABLE public.items (name text);
INSERT INTO public.items VALUES ('public item');
CREATE FUNCTION public.item_names() RETURNS SETOF text LANGUAGE sql STABLE SET search_path = ${path}
  AS $$ SELECT name FROM items $$;
CREATE MATERIALIZED VIEW public.mv_items AS SELECT * FROM public.item_names() n WITH NO DATA;
GRANT SELECT ON TABLE public.mv_items TO ${ANON};
REFRESH MATERIALIZED VIEW public.mv_items;`
    const target = `CREATE SCHEMA priv; CREATE TABLE priv.items (name text); INSERT INTO priv.items VALUES ('private item');`
    const db = await database(target)
    const result = await harness.restore(inputs(db, script('a91-f6', items('public, priv'))))
    expect(result.warnings.filter(w => w.startsWith('Copies of'))).toEqual([])
    expect(await server.query(db, `SET ROLE ${ANON}; SELECT n FROM public.mv_items n`)).toEqual([
      { n: 'public item' }
    ])
    const other = await database(target)
    const error = await failure(
      harness.restore(inputs(other, script('a91-f6-priv', items('priv, public'))))
    )
    expect(error?.message).toMatch(
      /priv\.items: the materialized view public\.mv_items copies its rows through the function public\.item_names\(\)/
    )
    expect(await server.query(other, "SELECT to_regclass('public.items') IS NULL AS gone")).toEqual(
      [{ gone: true }]
    )
  })

  it('F2: a stored generated column computed through a function over auth.users, the table granted to a role: warned; the role reads the value', async () => {
    const db = await project()
    const warnings = await copyWarnings(db, 'a90-f2', F2)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(
      `generated column stuff of public.notes (its expression calls public.all_emails(integer), which reads auth.users; readable by ${ANON})`
    )
    expect(warnings[0]).toContain('UPDATE public.notes SET stuff = DEFAULT;')
    expect(
      await server.query(db, `SET ROLE ${ANON}; SELECT body, stuff FROM public.notes`)
    ).toEqual([{ body: 'hello', stuff: 'ceo@example.com' }])
  })

  it('F3: the same over the table the net fingerprints (allow-non-empty): refused, the target unchanged', async () => {
    const db = await database(TARGET)
    const error = await failure(
      harness.restore(
        inputs(
          db,
          script(
            'a90-f3',
            `CREATE FUNCTION public.sec() RETURNS TABLE(id int, secret text) LANGUAGE sql STABLE
  AS $$ SELECT id, secret FROM public.secrets $$;
CREATE MATERIALIZED VIEW public.m_sec AS SELECT * FROM public.sec() WITH NO DATA;
GRANT SELECT ON TABLE public.m_sec TO ${ANON};
REFRESH MATERIALIZED VIEW public.m_sec;
CREATE FUNCTION public.all_sec(x int) RETURNS text LANGUAGE plpgsql IMMUTABLE SET search_path = public
  AS $$ BEGIN RETURN (SELECT string_agg(secret, ',') FROM secrets WHERE x IS NOT NULL); END $$;
CREATE TABLE public.notes2 (id int, body text, stuff text GENERATED ALWAYS AS (public.all_sec(id)) STORED);
INSERT INTO public.notes2 (id, body) VALUES (1, 'hello');
GRANT SELECT (id, stuff) ON TABLE public.notes2 TO ${ANON};
CREATE MATERIALIZED VIEW public.m_xml AS SELECT pg_catalog.query_to_xml('select * from public.secrets', true, false, '') AS x WITH NO DATA;
GRANT SELECT ON TABLE public.m_xml TO ${ANON};
REFRESH MATERIALIZED VIEW public.m_xml;`
          )
        )
      )
    )
    expect(error?.message).toMatch(
      /^the restore changed objects of the target that the backup does not own/
    )
    expect(error?.message).toContain(
      'public.secrets: the materialized view public.m_sec copies its rows through the function public.sec() and is granted to or owned by other roles, who would read them through it'
    )
    expect(error?.message).toContain(
      'public.secrets: the generated column stuff of public.notes2 copies its rows through the function public.all_sec(integer) and is granted to or owned by other roles'
    )
    expect(error?.message).toMatch(
      /the target's tables: the materialized view public\.m_xml is filled through the function query_to_xml\(text,boolean,boolean,text\), which runs a query given as text, or reads rows named at run time, and is granted to or owned by other roles/
    )
    expect(error?.message).toMatch(/it was rolled back, nothing was restored/)
    expect(
      await server.query(
        db,
        `SELECT to_regclass('public.m_sec') AS m, to_regclass('public.notes2') AS n, to_regprocedure('public.sec()') AS f,
           (SELECT string_agg(secret, ',' ORDER BY id) FROM public.secrets) AS rows`
      )
    ).toEqual([{ m: null, n: null, f: null, rows: 'TOPSECRET,public-info' }])
  })

  /** A materialized view and a generated column over the backup's own table only. */
  const OWN = `CREATE TABLE public.posts (id int PRIMARY KEY, title text);
INSERT INTO public.posts VALUES (1, 'hello world');
CREATE FUNCTION public.titles() RETURNS TABLE(id int, title text) LANGUAGE sql STABLE
  AS $$ SELECT id, title FROM public.posts $$;
CREATE MATERIALIZED VIEW public.m_titles AS SELECT * FROM public.titles() WITH NO DATA;
GRANT SELECT ON TABLE public.m_titles TO ${ANON};
REFRESH MATERIALIZED VIEW public.m_titles;
CREATE FUNCTION public.first_title(x int) RETURNS text LANGUAGE sql IMMUTABLE
  AS $$ SELECT title FROM public.posts WHERE id = x $$;
CREATE TABLE public.comments (id int, post int, title text GENERATED ALWAYS AS (public.first_title(post)) STORED);
INSERT INTO public.comments (id, post) VALUES (1, 1);
GRANT SELECT ON TABLE public.comments TO ${ANON};`

  it('a materialized view and a generated column granted to a role, through functions over the backup’s own table only: no warning, and the net lets them through', async () => {
    const provider = await project()
    expect(await copyWarnings(provider, 'own', OWN)).toEqual([])
    expect(
      await server.query(provider, `SET ROLE ${ANON}; SELECT title FROM public.m_titles`)
    ).toEqual([{ title: 'hello world' }])
    const guarded = await database(TARGET)
    expect(await copyWarnings(guarded, 'own-net', OWN)).toEqual([])
    expect(
      await server.query(guarded, `SET ROLE ${ANON}; SELECT title FROM public.comments`)
    ).toEqual([{ title: 'hello world' }])
  })

  it('F1 and F2 into a target that keeps no table (auth.users without rows): no warning', async () => {
    const db = await project(false)
    expect(await copyWarnings(db, 'a90-empty', `${F1}\n${F2}`)).toEqual([])
  })

  /**
   * a93 F2: a column DEFAULT over auth.users that COPY computes for each row, the column left out
   * of its list (`table`, `column`: the kept table and what it reads).
   */
  const DEFAULTED = (
    table = 'auth.users',
    column = 'email'
  ): string => `SET check_function_bodies = false;
CREATE FUNCTION public.grab() RETURNS text LANGUAGE sql AS $$ SELECT string_agg(${column}, ',') FROM ${table} $$;
CREATE TABLE public.notes5 (id integer NOT NULL, body text DEFAULT public.grab());
GRANT SELECT ON TABLE public.notes5 TO ${ANON};
COPY public.notes5 (id) FROM stdin;
1
\\.`

  it('a93 F2: a column DEFAULT computed through a function over auth.users for rows written without it, the table granted to a role: warned, naming the column and the function; the role reads the value', async () => {
    const db = await project()
    const warnings = await copyWarnings(db, 'a93-f2', DEFAULTED())
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(
      `DEFAULT of column body of public.notes5 (its expression calls public.grab(), which reads auth.users; readable by ${ANON})`
    )
    expect(warnings[0]).toContain(`REVOKE ALL ON TABLE public.notes5 FROM ${ANON};`)
    expect(await server.query(db, `SET ROLE ${ANON}; SELECT id, body FROM public.notes5`)).toEqual([
      { id: 1, body: 'ceo@example.com' }
    ])
  })

  it('a93 F2 over the table the net fingerprints (allow-non-empty): refused, naming the table, the DEFAULT and the function; the target unchanged', async () => {
    const db = await database(TARGET)
    const error = await failure(
      harness.restore(inputs(db, script('a93-f2-net', DEFAULTED('public.secrets', 'secret'))))
    )
    expect(error?.message).toMatch(
      /^the restore changed objects of the target that the backup does not own/
    )
    expect(error?.message).toContain(
      'public.secrets: the DEFAULT of column body of public.notes5 copies its rows through the function public.grab() and is granted to or owned by other roles'
    )
    expect(
      await server.query(
        db,
        `SELECT to_regclass('public.notes5') AS t, to_regprocedure('public.grab()') AS f,
           (SELECT string_agg(secret, ',' ORDER BY id) FROM public.secrets) AS rows`
      )
    ).toEqual([{ t: null, f: null, rows: 'TOPSECRET,public-info' }])
  })

  /** a97 F2: the copy's table given to anon as its owner, no GRANT. */
  const OWNED = (table = 'auth.users', column = 'email'): string =>
    DEFAULTED(table, column).replace(
      `GRANT SELECT ON TABLE public.notes5 TO ${ANON};`,
      `ALTER TABLE public.notes5 OWNER TO ${ANON};`
    )

  it('a97 F2: a column DEFAULT over auth.users of a table owned by another role than the restoring one (no GRANT): warned, naming the owner and how to take it back; the owner reads the rows', async () => {
    const db = await project()
    // as on Supabase, where postgres is a member of anon: it may give anon its objects
    await server.query(db, `GRANT CREATE ON SCHEMA public TO ${ANON}; GRANT ${ANON} TO ${OWNER}`)
    const warnings = await copyWarnings(db, 'a97-f2', OWNED()).finally(() =>
      server.query('postgres', `REVOKE ${ANON} FROM ${OWNER}`)
    )
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(
      `DEFAULT of column body of public.notes5 (its expression calls public.grab(), which reads auth.users; readable by ${ANON} (its owner))`
    )
    expect(warnings[0]).toContain(`ALTER TABLE public.notes5 OWNER TO CURRENT_USER;`)
    expect(warnings[0]).not.toContain(`REVOKE ALL ON TABLE public.notes5 FROM ;`)
    expect(await server.query(db, `SET ROLE ${ANON}; SELECT id, body FROM public.notes5`)).toEqual([
      { id: 1, body: 'ceo@example.com' }
    ])
  })

  it('a97 F2 over the table the net fingerprints (allow-non-empty): refused, naming the table, the DEFAULT and the function; the target unchanged', async () => {
    const db = await database(`${TARGET} GRANT CREATE ON SCHEMA public TO ${ANON};`)
    await server.query('postgres', `GRANT ${ANON} TO ${OWNER}`)
    const error = await failure(
      harness.restore(inputs(db, script('a97-f2-net', OWNED('public.secrets', 'secret'))))
    ).finally(() => server.query('postgres', `REVOKE ${ANON} FROM ${OWNER}`))
    expect(error?.message).toContain(
      'public.secrets: the DEFAULT of column body of public.notes5 copies its rows through the function public.grab() and is granted to or owned by other roles'
    )
    expect(
      await server.query(
        db,
        `SELECT to_regclass('public.notes5') AS t, (SELECT string_agg(secret, ',' ORDER BY id) FROM public.secrets) AS rows`
      )
    ).toEqual([{ t: null, rows: 'TOPSECRET,public-info' }])
  })

  it('a99 F4: the same DEFAULT of a table granted to nobody, read through a view over it and through its inheritance parent granted to a role: warned, naming both ways and their REVOKEs; the role reads the rows', async () => {
    const db = await project()
    const sql = DEFAULTED().replace(
      `GRANT SELECT ON TABLE public.notes5 TO ${ANON};`,
      `CREATE TABLE public.parent5 (id integer NOT NULL, body text);
ALTER TABLE public.notes5 INHERIT public.parent5;
GRANT SELECT ON TABLE public.parent5 TO ${ANON};`
    )
    const warnings = await copyWarnings(
      db,
      'a99-f4',
      `${sql}\nCREATE VIEW public.v5 AS SELECT id, body FROM public.notes5;\nGRANT SELECT ON TABLE public.v5 TO ${OTHER};`
    )
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(
      `DEFAULT of column body of public.notes5 (its expression calls public.grab(), which reads auth.users; readable by ${ANON} (through public.parent5), ${OTHER} (through public.v5))`
    )
    expect(warnings[0]).toContain(`REVOKE ALL ON TABLE public.v5 FROM ${OTHER};`)
    expect(warnings[0]).toContain(`REVOKE ALL ON TABLE public.parent5 FROM ${ANON};`)
    expect(await server.query(db, `SET ROLE ${ANON}; SELECT body FROM public.parent5`)).toEqual([
      { body: 'ceo@example.com' }
    ])
  })

  it("a97 F3, a99 F2: a backup's GRANT CREATE (or ALL) on a schema of the target that keeps tables, or ALTER SCHEMA … OWNER TO another role: restored as psql -f does, and warned with the statements that undo it; to the restoring role: no warning (a99 F3, trial u61 F1: refusing it rolled back a whole load)", async () => {
    const grants = `CREATE TABLE public.notes7 (id int);
GRANT USAGE, CREATE ON SCHEMA kept TO ${ANON};
GRANT ALL ON SCHEMA kept TO ${OWNER};
ALTER SCHEMA public OWNER TO ${ANON};`
    const db = await database(`${TARGET} CREATE SCHEMA kept;`)
    await server.query('postgres', `GRANT ${ANON} TO ${OWNER}`)
    const result = await harness
      .restore(inputs(db, script('a97-f3', grants)))
      .finally(() => server.query('postgres', `REVOKE ${ANON} FROM ${OWNER}`))
    const warning = result.warnings.find(w => w.startsWith('Schemas of the target:'))
    expect(warning).toContain(
      `the right to create objects in schemas where the target keeps its tables (the backup's GRANT CREATE or GRANT ALL ON SCHEMA, or ALTER SCHEMA … OWNER TO): kept → ${ANON}; public → ${ANON} (now its owner).`
    )
    expect(warning).toContain(
      `If that is not meant, run: REVOKE CREATE ON SCHEMA kept FROM ${ANON}; ALTER SCHEMA public OWNER TO pg_database_owner;`
    )
    // the restoring role given CREATE: not named
    expect(warning).not.toContain(OWNER)
    expect(
      await server.query(
        db,
        `SELECT pg_get_userbyid(n.nspowner) AS owner, has_schema_privilege('${ANON}', 'kept', 'CREATE') AS kept
           FROM pg_namespace n WHERE n.nspname = 'public'`
      )
    ).toEqual([{ owner: ANON, kept: true }])
    // into a database that keeps no tables: the same grants, no warning
    const empty = await database('CREATE SCHEMA kept;')
    await server.query('postgres', `GRANT ${ANON} TO ${OWNER}`)
    const quiet = await harness
      .restore(inputs(empty, script('a97-f3-empty', grants)))
      .finally(() => server.query('postgres', `REVOKE ${ANON} FROM ${OWNER}`))
    expect(quiet.warnings.filter(w => w.startsWith('Schemas of the target:'))).toEqual([])
  })

  /**
   * a97 F1: a CHECK's function that reads auth.users and fails with what it read: in a RAISE,
   * and as the name of a relation it looks up (no RAISE), over two tables.
   */
  const RAISING = `SET check_function_bodies = false;
CREATE FUNCTION public.chk(x int) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE v text;
BEGIN
  EXECUTE 'SELECT string_agg(email, '','') FROM au' || 'th.users' INTO v;
  RAISE EXCEPTION 'bad %', coalesce(v, 'nobody');
END $$;
CREATE FUNCTION public.look(x int) RETURNS boolean LANGUAGE sql AS $$
  SELECT (SELECT quote_ident(coalesce(string_agg(email, ' '), 'nobody')) FROM auth.users)::regclass IS NOT NULL $$;
CREATE FUNCTION public.emails(x int) RETURNS text LANGUAGE sql AS $$
  SELECT coalesce(string_agg(email, ','), 'nobody') FROM auth.users WHERE x IS NOT NULL $$;
CREATE TABLE public.raised (id int CHECK (public.chk(id)));
CREATE TABLE public.looked (id int CHECK (public.look(id)));
CREATE TABLE public.casted (id int CHECK ((public.emails(id))::regclass IS NOT NULL));
CREATE TABLE public.zoned (id int CHECK (timezone(public.emails(id), now()) IS NOT NULL));
CREATE TABLE public.configured (id int CHECK (set_config('x.' || public.emails(id), 'v', true) IS NOT NULL));
CREATE TABLE public.timed (id int CHECK (to_timestamp(public.emails(id), 'Month') IS NOT NULL));
CREATE TABLE public.sized (id int CHECK (pg_size_bytes(public.emails(id)) IS NOT NULL));
COPY public.%TABLE% (id) FROM stdin;
1
\\.`

  it("a97 F1, a99 F1, a101 F1: a function of the backup's that fails with the rows it read over a target keeping them: its text withheld from the error, a name its statement does not hold cut; into a database that keeps none, shown as psql shows it", async () => {
    const db = await project()
    // a101 F1: built-ins that quote the value they were given (no function in the CONTEXT)
    const quoting: Record<string, RegExp> = {
      casted: /ERROR: {2}(?:relation|schema) "…" does not exist/,
      zoned: /ERROR: {2}time zone "…" not recognized/,
      configured: /ERROR: {2}invalid configuration parameter name "…"/,
      timed: /ERROR: {2}invalid value "…" for "…"/,
      sized: /ERROR: {2}invalid size: "…"/
    }
    for (const table of ['raised', 'looked', ...Object.keys(quoting)]) {
      const error = await failure(
        harness.restore(inputs(db, script(`a97-f1-${table}`, RAISING.replace('%TABLE%', table))))
      )
      // a99 F1: the cast in the CHECK itself, no function in the CONTEXT: the name cut
      expect(error?.message).toMatch(
        quoting[table] ?? /ERROR: {2}\(its text withheld: raised inside a function the load ran/
      )
      expect(error?.message).toContain(`COPY ${table}, line 1`)
      expect(error?.message).not.toContain('ceo@example.com')
      expect(error?.message).not.toContain('ceo')
    }
    const fresh = await project(false)
    const shown = await failure(
      harness.restore(inputs(fresh, script('a97-f1-fresh', RAISING.replace('%TABLE%', 'raised'))))
    )
    expect(shown?.message).toContain('ERROR:  bad nobody')
    expect(shown?.message).toContain(
      'CONTEXT:  PL/pgSQL function public.chk(integer) line 5 at RAISE'
    )
  })

  /** DEFAULTs that read no table: a sequence, the time, a random UUID, the caller (auth.uid()). */
  const PLAIN_DEFAULTS = `CREATE FUNCTION public.uid() RETURNS text LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('request.jwt.claim.sub', true), '') $$;
CREATE FUNCTION public.me() RETURNS text LANGUAGE sql STABLE AS $$ SELECT public.uid() $$;
CREATE SEQUENCE public.notes6_id_seq;
CREATE TABLE public.notes6 (id integer NOT NULL DEFAULT nextval('public.notes6_id_seq'::regclass),
  at timestamptz DEFAULT now(), u uuid DEFAULT gen_random_uuid(), owner text DEFAULT public.uid(),
  o2 text DEFAULT coalesce(public.me(), 'nobody'), body text);
GRANT SELECT ON TABLE public.notes6 TO ${ANON};
COPY public.notes6 (body) FROM stdin;
hello
\\.`

  it('column DEFAULTs that read no table (nextval, now(), gen_random_uuid(), an auth.uid()-like function), the table granted to a role: no warning, and the net lets them through', async () => {
    const provider = await project()
    expect(await copyWarnings(provider, 'plain-defaults', PLAIN_DEFAULTS)).toEqual([])
    const guarded = await database(TARGET)
    expect(await copyWarnings(guarded, 'plain-defaults-net', PLAIN_DEFAULTS)).toEqual([])
    expect(
      await server.query(guarded, `SET ROLE ${ANON}; SELECT id, owner, o2, body FROM public.notes6`)
    ).toEqual([{ id: 1, owner: null, o2: 'nobody', body: 'hello' }])
  })
  /**
   * a91 F1's route: a CHECK constraint whose PL/pgSQL function INSERTs the kept table's rows into
   * a table granted to a role; COPY evaluates it for each row as the restoring role.
   */
  const CHECKED = (
    table = 'auth.users',
    column = 'email'
  ): string => `CREATE TABLE public.leak2 (s text);
GRANT SELECT ON TABLE public.leak2 TO ${ANON};
CREATE FUNCTION public.chk2(x int) RETURNS boolean LANGUAGE plpgsql
  AS $$ BEGIN INSERT INTO public.leak2 SELECT ${column} FROM ${table}; RETURN true; END $$;
CREATE TABLE public.t2 (x int CHECK (public.chk2(x)));
COPY public.t2 (x) FROM stdin;
1
\\.`

  /** The same through a domain's CHECK (a column of an array of it). */
  const DOMAIN = `CREATE TABLE public.leak3 (s text);
GRANT SELECT ON TABLE public.leak3 TO ${ANON};
CREATE FUNCTION public.chk3(x int) RETURNS boolean LANGUAGE plpgsql
  AS $$ BEGIN INSERT INTO public.leak3 SELECT email FROM auth.users; RETURN true; END $$;
CREATE DOMAIN public.checked AS int CHECK (public.chk3(VALUE));
CREATE TABLE public.t3 (x public.checked[]);
COPY public.t3 (x) FROM stdin;
{1}
\\.`

  /**
   * The same through an index expression: an IMMUTABLE-declared PL/pgSQL function (which may not
   * INSERT itself) calling one that does, evaluated by CREATE INDEX over every row.
   */
  const INDEXED = `CREATE TABLE public.leak4 (s text);
GRANT SELECT ON TABLE public.leak4 TO ${ANON};
CREATE FUNCTION public.keep4(x int) RETURNS void LANGUAGE plpgsql
  AS $$ BEGIN INSERT INTO public.leak4 SELECT email FROM auth.users; END $$;
CREATE FUNCTION public.ix4(x int) RETURNS int LANGUAGE plpgsql IMMUTABLE
  AS $$ BEGIN PERFORM public.keep4(x); RETURN x; END $$;
CREATE TABLE public.t4 (x int);
COPY public.t4 (x) FROM stdin;
1
\\.
CREATE INDEX t4_ix ON public.t4 ((public.ix4(x)));`

  /** A CHECK that only reads a kept table, as Supabase apps check a user exists. */
  const USER_EXISTS = (
    table = 'auth.users'
  ): string => `CREATE FUNCTION public.user_exists(x int) RETURNS boolean LANGUAGE plpgsql STABLE
  AS $$ DECLARE found_ boolean; BEGIN SELECT true INTO found_ FROM ${table} WHERE id = x; RETURN EXISTS (SELECT FROM ${table} WHERE id = x); END $$;
CREATE TABLE public.profiles (user_id int CHECK (public.user_exists(user_id)), name text);
GRANT SELECT ON TABLE public.profiles TO ${ANON};
COPY public.profiles (user_id, name) FROM stdin;
1\tceo
\\.`

  /** The role's rows of `table`. */
  const rowsOf = (db: string, table: string): Promise<Array<{ s: string }>> =>
    server.query<{ s: string }>(db, `SET ROLE ${ANON}; SELECT s FROM ${table} ORDER BY s`)

  it('a91 F1: a CHECK constraint whose function INSERTs auth.users’ rows into a table granted to a role: warned, naming the constraint, its table, the function and auth.users; the role reads the rows', async () => {
    const db = await project()
    const warnings = await copyWarnings(db, 'a91-check', CHECKED())
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/^Copies of the target's kept tables written elsewhere by the load/)
    expect(warnings[0]).toContain(
      'CHECK constraint t2_x_check of public.t2 (calls public.chk2(integer), which reads auth.users; public.chk2(integer) runs INSERT)'
    )
    expect(warnings[0]).toContain('ALTER TABLE public.t2 DROP CONSTRAINT t2_x_check;')
    expect(warnings[0]).toContain('pg_restore and psql by hand restore them the same')
    expect(warnings[0]).not.toMatch(/trial u|attacker a/)
    // the route is real: the load's COPY ran the CHECK as the restoring role
    expect(await rowsOf(db, 'public.leak2')).toEqual([{ s: 'ceo@example.com' }])
  })

  it('a91 F1 through a domain’s CHECK (a column of an array of the domain): warned, naming the domain’s constraint and the column; the role reads the rows', async () => {
    const db = await project()
    const warnings = await copyWarnings(db, 'a91-domain', DOMAIN)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(
      'CHECK constraint checked_check of the domain public.checked (column x of public.t3) (calls public.chk3(integer), which reads auth.users; public.chk3(integer) runs INSERT)'
    )
    expect(warnings[0]).toContain('ALTER DOMAIN public.checked DROP CONSTRAINT checked_check;')
    expect(await rowsOf(db, 'public.leak3')).toEqual([{ s: 'ceo@example.com' }])
  })

  it('a91 F1 through an index expression: an IMMUTABLE function calling one that INSERTs: warned, naming the index and the chain; the role reads the rows', async () => {
    const db = await project()
    const warnings = await copyWarnings(db, 'a91-index', INDEXED)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(
      'index public.t4_ix of public.t4 (calls public.ix4(integer), which calls public.keep4(integer), which reads auth.users; public.keep4(integer) runs INSERT)'
    )
    expect(warnings[0]).toContain('DROP INDEX public.t4_ix;')
    expect(await rowsOf(db, 'public.leak4')).toEqual([{ s: 'ceo@example.com' }])
  })

  it('a91 F1 over the table the net fingerprints (allow-non-empty): refused, naming the table, the constraint and the function; the target unchanged', async () => {
    const db = await database(TARGET)
    const error = await failure(
      harness.restore(inputs(db, script('a91-check-net', CHECKED('public.secrets', 'secret'))))
    )
    expect(error?.message).toMatch(
      /^the restore changed objects of the target that the backup does not own/
    )
    expect(error?.message).toContain(
      'public.secrets: the CHECK constraint t2_x_check of public.t2 runs the function public.chk2(integer) for each row the load writes, which reads it, and public.chk2(integer) runs INSERT'
    )
    expect(error?.message).toMatch(/it was rolled back, nothing was restored/)
    expect(
      await server.query(
        db,
        `SELECT to_regclass('public.leak2') AS l, to_regclass('public.t2') AS t,
           (SELECT string_agg(secret, ',' ORDER BY id) FROM public.secrets) AS rows`
      )
    ).toEqual([{ l: null, t: null, rows: 'TOPSECRET,public-info' }])
  })

  it('a CHECK that only reads a kept table (user_exists): no warning, and the net lets it through', async () => {
    const provider = await project()
    expect(await copyWarnings(provider, 'user-exists', USER_EXISTS())).toEqual([])
    expect(
      await server.query(provider, `SET ROLE ${ANON}; SELECT name FROM public.profiles`)
    ).toEqual([{ name: 'ceo' }])
    const guarded = await database(TARGET)
    expect(await copyWarnings(guarded, 'user-exists-net', USER_EXISTS('public.secrets'))).toEqual(
      []
    )
  })

  /**
   * a92 F1's routes: the CHECK's function reads the kept table and hands each row to what
   * PostgreSQL runs without a body naming it — a user-defined operator's function, a variable of
   * a domain whose CHECK calls a function, a cast's function — which INSERTs it.
   */
  const OPERATOR_ROUTE = (
    table = 'auth.users',
    column = 'email'
  ): string => `CREATE TABLE public.leak5 (s text);
GRANT SELECT ON TABLE public.leak5 TO ${ANON};
CREATE FUNCTION public.w5(a text, b int) RETURNS boolean LANGUAGE plpgsql
  AS $$ BEGIN INSERT INTO public.leak5 VALUES (a); RETURN true; END $$;
CREATE OPERATOR public.##> (LEFTARG = text, RIGHTARG = int, FUNCTION = public.w5);
CREATE FUNCTION public.viaop(x int) RETURNS boolean LANGUAGE plpgsql
  AS $$ DECLARE r record; BEGIN FOR r IN SELECT ${column} AS v FROM ${table} LOOP PERFORM r.v OPERATOR(public.##>) 0; END LOOP; RETURN true; END $$;
CREATE TABLE public.t5 (x int CHECK (public.viaop(x)));
COPY public.t5 (x) FROM stdin;
1
\\.`

  const DOMAIN_ROUTE = `CREATE TABLE public.leak6 (s text);
GRANT SELECT ON TABLE public.leak6 TO ${ANON};
CREATE FUNCTION public.w6(a text) RETURNS boolean LANGUAGE plpgsql
  AS $$ BEGIN INSERT INTO public.leak6 VALUES (a); RETURN true; END $$;
CREATE DOMAIN public.sink AS text CHECK (public.w6(VALUE));
CREATE FUNCTION public.viadom(x int) RETURNS boolean LANGUAGE plpgsql
  AS $$ DECLARE r record; v public.sink; BEGIN FOR r IN SELECT email FROM auth.users LOOP v := r.email; END LOOP; RETURN true; END $$;
CREATE TABLE public.t6 (x int CHECK (public.viadom(x)));
COPY public.t6 (x) FROM stdin;
1
\\.`

  const CAST_ROUTE = `CREATE TABLE public.leak7 (s text);
GRANT SELECT ON TABLE public.leak7 TO ${ANON};
CREATE TYPE public.tag AS (s text);
CREATE FUNCTION public.w7(a text) RETURNS public.tag LANGUAGE plpgsql
  AS $$ BEGIN INSERT INTO public.leak7 VALUES (a); RETURN ROW(a)::public.tag; END $$;
CREATE CAST (text AS public.tag) WITH FUNCTION public.w7(text);
CREATE FUNCTION public.viacast(x int) RETURNS boolean LANGUAGE plpgsql
  AS $$ DECLARE r record; BEGIN FOR r IN SELECT email FROM auth.users LOOP PERFORM r.email::public.tag; END LOOP; RETURN true; END $$;
CREATE TABLE public.t7 (x int CHECK (public.viacast(x)));
COPY public.t7 (x) FROM stdin;
1
\\.`

  it('a92 F1: a CHECK whose function hands auth.users’ rows to a user-defined operator whose function INSERTs: warned, naming the operator and its function; the role reads the rows', async () => {
    const db = await project()
    const warnings = await copyWarnings(db, 'a92-operator', OPERATOR_ROUTE())
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/^Copies of the target's kept tables written elsewhere by the load/)
    expect(warnings[0]).toContain(
      'CHECK constraint t5_x_check of public.t5 (calls public.viaop(integer), which reads auth.users; public.w5(text,integer) runs INSERT, run by the operator public.##>(text,integer))'
    )
    expect(warnings[0]).toContain('ALTER TABLE public.t5 DROP CONSTRAINT t5_x_check;')
    // the route is real: the operator's function ran for each of auth.users' rows
    expect(await rowsOf(db, 'public.leak5')).toEqual([{ s: 'ceo@example.com' }])
  })

  it('a93 c4: a CHECK whose function over auth.users runs an aggregate whose transition function INSERTs: warned, naming the transition function; the role reads the rows', async () => {
    const db = await project()
    const warnings = await copyWarnings(
      db,
      'a93-aggregate',
      `CREATE TABLE public.leak9 (s text);
GRANT SELECT ON TABLE public.leak9 TO ${ANON};
CREATE FUNCTION public.sf9(acc text, v text) RETURNS text LANGUAGE plpgsql
  AS $$ BEGIN INSERT INTO public.leak9 VALUES (v); RETURN coalesce(acc, '') || v; END $$;
CREATE AGGREGATE public.agg9(text) (SFUNC = public.sf9, STYPE = text);
CREATE FUNCTION public.ok9(i integer) RETURNS boolean LANGUAGE sql
  AS $$ SELECT public.agg9(email) IS NOT NULL OR i IS NOT NULL FROM auth.users $$;
CREATE TABLE public.t9 (x integer CHECK (public.ok9(x)));
COPY public.t9 (x) FROM stdin;
1
\\.`
    )
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/^Copies of the target's kept tables written elsewhere by the load/)
    expect(warnings[0]).toContain('CHECK constraint t9_x_check of public.t9')
    expect(warnings[0]).toContain('public.sf9(text,text) runs INSERT')
    // the route is real: the aggregate's transition function ran for each of auth.users' rows
    expect(await rowsOf(db, 'public.leak9')).toEqual([{ s: 'ceo@example.com' }])
  })

  it('a95 F5, F6, F9: through a view the CHECK’s function reads (its function, its operator, its ordered-set aggregate’s final function) and through an operator’s negator: warned; the role reads the rows', async () => {
    const writes = (name: string, args: string, result: string, value: string): string =>
      `CREATE FUNCTION public.${name}(${args}) RETURNS ${result} LANGUAGE plpgsql VOLATILE
  AS $$ BEGIN INSERT INTO public.leak9 SELECT email FROM auth.users; RETURN ${value}; END $$;`
    const table = (check: string): string => `CREATE TABLE public.t9 (x integer CHECK (${check}));
COPY public.t9 (x) FROM stdin;
1
\\.`
    const LEAK = `CREATE TABLE public.leak9 (s text);
GRANT SELECT ON TABLE public.leak9 TO ${ANON};`
    const cases: Array<[string, string, string]> = [
      [
        'a95-f9-function',
        `${writes('evil9', '', 'integer', '1')}
CREATE VIEW public.v9 AS SELECT public.evil9() AS p;
CREATE FUNCTION public.ok9(integer) RETURNS boolean LANGUAGE sql AS $$ SELECT (SELECT p FROM public.v9) IS NOT NULL $$;
${table('public.ok9(x)')}`,
        'public.evil9() runs INSERT'
      ],
      [
        'a95-f5-operator',
        `${writes('eq9', 'integer, integer', 'boolean', 'true')}
CREATE OPERATOR public.=== (FUNCTION = public.eq9, LEFTARG = integer, RIGHTARG = integer);
CREATE VIEW public.vv9 AS SELECT 1 AS x WHERE 1 OPERATOR(public.===) 1;
CREATE VIEW public.v9 AS SELECT x FROM public.vv9;
CREATE FUNCTION public.ok9(integer) RETURNS boolean LANGUAGE sql AS $$ SELECT EXISTS (SELECT FROM public.v9) $$;
${table('public.ok9(x)')}`,
        'public.eq9(integer,integer) runs INSERT'
      ],
      [
        'a95-f6-negator',
        `${writes('ne9', 'integer, integer', 'boolean', 'true')}
CREATE FUNCTION public.same9(integer, integer) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN RETURN $1 OPERATOR(pg_catalog.=) $2; END $$;
CREATE OPERATOR public.#%# (FUNCTION = public.ne9, LEFTARG = integer, RIGHTARG = integer);
CREATE OPERATOR public.@@@ (FUNCTION = public.same9, LEFTARG = integer, RIGHTARG = integer, NEGATOR = OPERATOR(public.#%#));
CREATE FUNCTION public.ok9(integer) RETURNS boolean LANGUAGE sql AS $$ SELECT NOT ($1 OPERATOR(public.@@@) 0) $$;
${table('public.ok9(x)')}`,
        'public.ne9(integer,integer) runs INSERT'
      ],
      [
        'a95-f9-aggregate',
        `CREATE FUNCTION public.st9(integer[], integer) RETURNS integer[] LANGUAGE sql IMMUTABLE AS $$ SELECT $1 || $2 $$;
${writes('fin9', 'integer[], integer, integer', 'integer', '1')}
CREATE AGGREGATE public.pick9(integer ORDER BY integer) (SFUNC = public.st9, STYPE = integer[], FINALFUNC = public.fin9, FINALFUNC_EXTRA, FINALFUNC_MODIFY = READ_ONLY);
CREATE VIEW public.v9 AS SELECT public.pick9(1) WITHIN GROUP (ORDER BY x) AS p FROM (VALUES (1)) v(x);
CREATE FUNCTION public.ok9(integer) RETURNS boolean LANGUAGE sql AS $$ SELECT (SELECT p FROM public.v9) IS NOT NULL $$;
${table('public.ok9(x)')}`,
        'public.fin9(integer[],integer,integer) runs INSERT'
      ]
    ]
    for (const [name, sql, writer] of cases) {
      const db = await project()
      const warnings = await copyWarnings(db, name, `${LEAK}\n${sql}`)
      expect([name, warnings.length]).toEqual([name, 1])
      expect(warnings[0]).toContain('CHECK constraint t9_x_check of public.t9')
      expect(warnings[0]).toContain(writer)
      // the route is real: the load ran it as the restoring role
      expect([name, await rowsOf(db, 'public.leak9')]).toEqual([name, [{ s: 'ceo@example.com' }]])
    }
  })

  it('a95 F10: a DEFAULT no other role reads, computed for a COPY that leaves its column out, whose function INSERTs auth.users’ rows elsewhere: warned with the ALTER … DROP DEFAULT; the role reads the rows', async () => {
    const db = await project()
    const warnings = await copyWarnings(
      db,
      'a95-f10',
      `CREATE TABLE public.leak9 (s text);
GRANT SELECT ON TABLE public.leak9 TO ${ANON};
CREATE FUNCTION public.w9() RETURNS integer LANGUAGE sql VOLATILE
  AS $$ INSERT INTO public.leak9 SELECT email FROM auth.users; SELECT 1 $$;
CREATE TABLE public.t9 (x integer, d integer DEFAULT public.w9());
COPY public.t9 (x) FROM stdin;
1
\\.`
    )
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/^Copies of the target's kept tables written elsewhere by the load/)
    expect(warnings[0]).toContain('DEFAULT of column d of public.t9 (calls public.w9()')
    expect(warnings[0]).toContain('ALTER TABLE public.t9 ALTER COLUMN d DROP DEFAULT;')
    expect(await rowsOf(db, 'public.leak9')).toEqual([{ s: 'ceo@example.com' }])
  })

  it('a96 F1, F4: a materialized view no other role reads whose query’s function INSERTs (REFRESH after the data, as pg_dump writes it), and a CHECK’s function that spells what it read in sequences’ nextval: warned; the role reads it', async () => {
    const db = await project()
    const refreshed = await copyWarnings(
      db,
      'a96-f1',
      `CREATE TABLE public.leak9 (s text);
GRANT SELECT ON TABLE public.leak9 TO ${ANON};
CREATE FUNCTION public.w9() RETURNS integer LANGUAGE plpgsql VOLATILE
  AS $$ BEGIN INSERT INTO public.leak9 SELECT email FROM auth.users; RETURN 1; END $$;
CREATE MATERIALIZED VIEW public.mv9 AS SELECT public.w9() AS n WITH NO DATA;
REFRESH MATERIALIZED VIEW public.mv9;`
    )
    expect(refreshed).toHaveLength(1)
    expect(refreshed[0]).toContain('materialized view public.mv9 (calls public.w9()')
    expect(refreshed[0]).toContain('DROP MATERIALIZED VIEW public.mv9;')
    expect(await rowsOf(db, 'public.leak9')).toEqual([{ s: 'ceo@example.com' }])
    const db2 = await project()
    const spelled = await copyWarnings(
      db2,
      'a96-f4',
      `CREATE SEQUENCE public.s9;
GRANT SELECT ON SEQUENCE public.s9 TO ${ANON};
CREATE FUNCTION public.ok9(integer) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE e text; k int;
BEGIN
  SELECT email INTO e FROM auth.users WHERE id = 1;
  FOR k IN 1..ascii(substr(e, 1, 1)) LOOP PERFORM nextval('public.s9'); END LOOP;
  RETURN true;
END $$;
CREATE TABLE public.t9 (x integer CHECK (public.ok9(x)));
COPY public.t9 (x) FROM stdin;
1
\\.`
    )
    expect(spelled).toHaveLength(1)
    expect(spelled[0]).toContain('CHECK constraint t9_x_check of public.t9')
    expect(spelled[0]).toContain('runs NEXTVAL')
    // 'c' of ceo@example.com
    expect(
      await server.query(db2, `SET ROLE ${ANON}; SELECT last_value::int AS v FROM public.s9`)
    ).toEqual([{ v: 99 }])
  })

  it('a92 F1: … to a variable of a domain whose CHECK calls a function that INSERTs: warned, naming the domain’s constraint and its function; the role reads the rows', async () => {
    const db = await project()
    const warnings = await copyWarnings(db, 'a92-domain', DOMAIN_ROUTE)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(
      'CHECK constraint t6_x_check of public.t6 (calls public.viadom(integer), which reads auth.users; public.w6(text) runs INSERT, run by the CHECK constraint sink_check of the domain public.sink)'
    )
    // the variable's NULL start is checked too
    expect(await rowsOf(db, 'public.leak6')).toEqual([{ s: 'ceo@example.com' }, { s: null }])
  })

  it('… to an argument of a domain, the function named in the body and the domain only in its signature: warned, naming the domain’s constraint; the role reads the rows (b26)', async () => {
    const db = await project()
    const warnings = await copyWarnings(
      db,
      'a92-domain-argument',
      DOMAIN_ROUTE.replace(
        'CREATE FUNCTION public.viadom',
        () => `CREATE FUNCTION public.take(a public.sink) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN RETURN a IS NOT NULL; END $$;
CREATE FUNCTION public.viadom`
      ).replace(
        'DECLARE r record; v public.sink; BEGIN FOR r IN SELECT email FROM auth.users LOOP v := r.email; END LOOP;',
        'DECLARE r record; BEGIN FOR r IN SELECT email FROM auth.users LOOP PERFORM public.take(r.email); END LOOP;'
      )
    )
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(
      'CHECK constraint t6_x_check of public.t6 (calls public.viadom(integer), which reads auth.users; public.w6(text) runs INSERT, run by the CHECK constraint sink_check of the domain public.sink)'
    )
    expect(await rowsOf(db, 'public.leak6')).toEqual([{ s: 'ceo@example.com' }])
  })

  it('… to a cast (CREATE CAST … WITH FUNCTION) whose function INSERTs: warned, naming the cast and its function; the role reads the rows', async () => {
    const db = await project()
    const warnings = await copyWarnings(db, 'a92-cast', CAST_ROUTE)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(
      'CHECK constraint t7_x_check of public.t7 (calls public.viacast(integer), which reads auth.users; public.w7(text) runs INSERT, run by the cast from text to public.tag)'
    )
    expect(await rowsOf(db, 'public.leak7')).toEqual([{ s: 'ceo@example.com' }])
  })

  it('a92 F1b: the operator route over the table the net fingerprints (allow-non-empty): refused, naming the operator; the target unchanged', async () => {
    const db = await database(TARGET)
    const error = await failure(
      harness.restore(
        inputs(db, script('a92-operator-net', OPERATOR_ROUTE('public.secrets', 'secret')))
      )
    )
    expect(error?.message).toMatch(
      /^the restore changed objects of the target that the backup does not own/
    )
    expect(error?.message).toContain(
      'public.secrets: the CHECK constraint t5_x_check of public.t5 runs the function public.viaop(integer) for each row the load writes, which reads it, and public.w5(text,integer) runs INSERT, run by the operator public.##>(text,integer)'
    )
    expect(error?.message).toMatch(/it was rolled back, nothing was restored/)
    expect(
      await server.query(
        db,
        `SELECT to_regclass('public.leak5') AS l, to_regclass('public.t5') AS t, to_regprocedure('public.w5(text,integer)') AS f,
           (SELECT count(*)::int FROM pg_catalog.pg_operator WHERE oprname = '##>') AS ops,
           (SELECT string_agg(secret, ',' ORDER BY id) FROM public.secrets) AS rows`
      )
    ).toEqual([{ l: null, t: null, f: null, ops: 0, rows: 'TOPSECRET,public-info' }])
  })

  /**
   * An application's own operator and domain (and cast) whose functions neither read a kept
   * table nor write, used by a CHECK's function that reads one: nothing new reachable writes.
   */
  const QUIET_TYPES = (
    table = 'auth.users',
    column = 'email'
  ): string => `CREATE FUNCTION public.same_text(a text, b text) RETURNS boolean LANGUAGE sql IMMUTABLE
  AS $$ SELECT lower(a) = lower(b) $$;
CREATE OPERATOR public.=~= (LEFTARG = text, RIGHTARG = text, FUNCTION = public.same_text);
CREATE FUNCTION public.filled(a text) RETURNS boolean LANGUAGE sql IMMUTABLE
  AS $$ SELECT length(a) > 0 $$;
CREATE DOMAIN public.nonempty AS text CHECK (public.filled(VALUE));
CREATE TYPE public.label AS (s text);
CREATE FUNCTION public.to_label(a text) RETURNS public.label LANGUAGE sql IMMUTABLE
  AS $$ SELECT ROW(upper(a))::public.label $$;
CREATE CAST (text AS public.label) WITH FUNCTION public.to_label(text);
CREATE FUNCTION public.known(x int, e text) RETURNS boolean LANGUAGE plpgsql STABLE
  AS $$ DECLARE m public.nonempty := e; l public.label := e::public.label;
  BEGIN RETURN EXISTS (SELECT FROM ${table} u WHERE u.id = x AND u.${column} OPERATOR(public.=~=) m AND l IS NOT NULL); END $$;
CREATE TABLE public.members (user_id int, email public.nonempty, CHECK (public.known(user_id, email)));
GRANT SELECT ON TABLE public.members TO ${ANON};
COPY public.members (user_id, email) FROM stdin;
1\t${table === 'auth.users' ? 'CEO@example.com' : 'topsecret'}
\\.`

  it('an operator, a domain with a CHECK and a cast of the backup’s that neither read nor write, used by a CHECK’s function over a kept table: no warning, and the net lets it through', async () => {
    const provider = await project()
    expect(await copyWarnings(provider, 'quiet-types', QUIET_TYPES())).toEqual([])
    expect(
      await server.query(provider, `SET ROLE ${ANON}; SELECT email FROM public.members`)
    ).toEqual([{ email: 'CEO@example.com' }])
    const guarded = await database(TARGET)
    expect(
      await copyWarnings(guarded, 'quiet-types-net', QUIET_TYPES('public.secrets', 'secret'))
    ).toEqual([])
    expect(
      await server.query(guarded, `SET ROLE ${ANON}; SELECT email FROM public.members`)
    ).toEqual([{ email: 'topsecret' }])
  })

  /**
   * The target's own operator and cast whose functions run SQL built at run time (EXECUTE),
   * outside any extension: what they read cannot be told. They ran for no chain that does not use
   * them; b23 counted them as run by every chain, so a CHECK that only reads a kept table was
   * warned, and refused by the net over the target's guarded tables (builder b26).
   */
  const LOOSE = `CREATE FUNCTION public.loose_lt(a text, b text) RETURNS boolean LANGUAGE plpgsql
  AS $$ DECLARE r boolean; BEGIN EXECUTE 'SELECT $1 < $2' INTO r USING a, b; RETURN r; END $$;
CREATE OPERATOR public.<<~ (LEFTARG = text, RIGHTARG = text, FUNCTION = public.loose_lt);
CREATE TYPE public.code AS (s text);
CREATE FUNCTION public.to_code(a text) RETURNS public.code LANGUAGE plpgsql
  AS $$ DECLARE r public.code; BEGIN EXECUTE 'SELECT ROW($1)' INTO r USING a; RETURN r; END $$;
CREATE CAST (text AS public.code) WITH FUNCTION public.to_code(text);`

  it('the target’s own operator and cast running SQL built at run time, which the CHECK’s function over a kept table does not use: no warning, and the net lets it through (b26)', async () => {
    const provider = await project()
    await server.query(provider, `SET ROLE ${OWNER}; ${LOOSE}`)
    expect(await copyWarnings(provider, 'loose-unused', USER_EXISTS())).toEqual([])
    expect(
      await server.query(provider, `SET ROLE ${ANON}; SELECT user_id, name FROM public.profiles`)
    ).toEqual([{ user_id: 1, name: 'ceo' }])
    const guarded = await database(`${TARGET}\n${LOOSE}`)
    expect(await copyWarnings(guarded, 'loose-unused-net', USER_EXISTS('public.secrets'))).toEqual(
      []
    )
    expect(
      await server.query(guarded, `SET ROLE ${ANON}; SELECT user_id, name FROM public.profiles`)
    ).toEqual([{ user_id: 1, name: 'ceo' }])
  })

  /** A CHECK's function that hands the kept table's rows to that operator, or to that cast. */
  const LOOSE_USED = (
    how: 'operator' | 'cast'
  ): string => `CREATE FUNCTION public.ranked(x int) RETURNS boolean LANGUAGE plpgsql STABLE
  AS $$ BEGIN RETURN EXISTS (SELECT FROM public.secrets s WHERE s.id = x AND ${how === 'operator' ? "s.secret OPERATOR(public.<<~) 'zzz'" : 's.secret::public.code IS NOT NULL'}); END $$;
CREATE TABLE public.scores (user_id int CHECK (public.ranked(user_id)), name text);
GRANT SELECT ON TABLE public.scores TO ${ANON};
COPY public.scores (user_id, name) FROM stdin;
1\tceo
\\.`

  it('… used by the CHECK’s function over the table the net fingerprints (the operator, the cast): refused, naming the operator or the cast; the target unchanged (b26)', async () => {
    for (const how of ['operator', 'cast'] as const) {
      const db = await database(`${TARGET}\n${LOOSE}`)
      const error = await failure(
        harness.restore(inputs(db, script(`loose-used-${how}`, LOOSE_USED(how))))
      )
      expect(error?.message).toMatch(
        /^the restore changed objects of the target that the backup does not own/
      )
      expect(error?.message).toContain(
        how === 'operator'
          ? "the target's tables: the CHECK constraint scores_user_id_check of public.scores runs the function public.ranked(integer) (which calls public.loose_lt(text,text) (run by the operator public.<<~(text,text))) for each row the load writes, which runs SQL it builds at run time"
          : "the target's tables: the CHECK constraint scores_user_id_check of public.scores runs the function public.ranked(integer) (which calls public.to_code(text) (run by the cast from text to public.code)) for each row the load writes, which runs SQL it builds at run time"
      )
      expect(error?.message).toMatch(/it was rolled back, nothing was restored/)
      expect(
        await server.query(
          db,
          `SELECT to_regclass('public.scores') AS t, to_regprocedure('public.ranked(integer)') AS f,
             (SELECT string_agg(secret, ',' ORDER BY id) FROM public.secrets) AS rows`
        )
      ).toEqual([{ t: null, f: null, rows: 'TOPSECRET,public-info' }])
    }
  })

  it('the CHECK, domain and index routes into a target that keeps no table (auth.users without rows): no warning', async () => {
    const db = await project(false)
    expect(await copyWarnings(db, 'a91-empty', `${CHECKED()}\n${DOMAIN}\n${INDEXED}`)).toEqual([])
  })

  /**
   * a93 F4: a big schema (2000 LANGUAGE sql functions, 1000 operators over them: each operator's
   * function is followed, and matched against each chain's bodies by its name) and a CHECK whose chain goes through a function with a
   * quoted mixed-case name to one that reads auth.users and INSERTs. The copies query followed
   * each function against every function's name (2 s here, 14 s at 6000/3000; now about 0.1 s):
   * what it finds is the same.
   */
  const MANY = (): string => {
    const chars = '~!@#%^&|'
    const op = (i: number): string =>
      `~|${[0, 1, 2, 3].map(k => chars[Math.floor(i / 8 ** k) % 8]).join('')}`
    const functions = Array.from(
      { length: 2000 },
      (_, i) =>
        `CREATE FUNCTION public.f${i}(a text, b integer) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT length(a) > b + ${i} $$;`
    )
    const operators = Array.from(
      { length: 1000 },
      (_, i) =>
        `CREATE OPERATOR public.${op(i)} (FUNCTION = public.f${i}, LEFTARG = text, RIGHTARG = integer);`
    )
    return `SET check_function_bodies = false;
${functions.join('\n')}
${operators.join('\n')}
CREATE TABLE public.leak8 (s text);
GRANT SELECT ON TABLE public.leak8 TO ${ANON};
CREATE FUNCTION public.w8(x int) RETURNS boolean LANGUAGE plpgsql
  AS $$ BEGIN INSERT INTO public.leak8 SELECT email FROM auth.users; RETURN true; END $$;
CREATE FUNCTION public."Mid"(x int) RETURNS boolean LANGUAGE sql AS $$ SELECT public.w8(x) $$;
CREATE FUNCTION public.okf(x int) RETURNS boolean LANGUAGE sql AS $$ SELECT public.f1(x::text, 0) OR public."Mid"(x) $$;
CREATE TABLE public.t8 (x int CHECK (public.okf(x)));
COPY public.t8 (x) FROM stdin;
1
\\.`
  }

  it('a93 F4: a schema of 2000 functions and 1000 operators, a CHECK whose chain goes through a quoted name to a function over auth.users that INSERTs: warned, naming the chain; the role reads the rows', async () => {
    const db = await project()
    const warnings = await copyWarnings(db, 'a93-f4', MANY())
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(
      'CHECK constraint t8_x_check of public.t8 (calls public.okf(integer), which calls public.w8(integer), which reads auth.users; public.w8(integer) runs INSERT)'
    )
    expect(await rowsOf(db, 'public.leak8')).toEqual([{ s: 'ceo@example.com' }])
  })
})

describe('a PostgreSQL 13 target (pg_proc has no prosqlbody before 14)', () => {
  let old: TestServer
  beforeAll(async () => {
    old = await startPostgres({ binDir: embeddedBinDir(13) })
  }, 120_000)
  afterAll(async () => {
    await old?.stop()
  })

  it('the after-load checks read its catalogs: the target’s own definer function kept, a new one warned, a materialized view through a function over the kept table refused by the net', async () => {
    expect(old.major).toBe(13)
    const db = await old.createDatabase('definer13')
    await old.query(
      db,
      `ALTER DATABASE definer13 OWNER TO ${old.appUser};
       GRANT CREATE ON SCHEMA public TO ${old.appUser};
       SET ROLE ${old.appUser};
       ${TARGET}
       CREATE FUNCTION public.mine() RETURNS int LANGUAGE sql SECURITY DEFINER AS $$SELECT 1$$;`
    )
    const url = old.url(db, { user: old.appUser, password: old.appPassword })
    const options = (name: string, sql: string): RestoreOptions =>
      testRestoreInputs(url, { kind: 'file', path: script(name, sql) }, { allowNonEmpty: true })
    const restored = await harness.restore(options('pg13-peek', PEEK))
    expect(restored.warnings.filter(w => w.startsWith('SECURITY DEFINER'))).toEqual([
      expect.stringContaining('function public.peek() (executable by PUBLIC')
    ])
    expect(await old.query(db, 'SELECT count(*)::int AS n FROM public.peek()')).toEqual([{ n: 2 }])
    // the net's walk of what a materialized view copies reads pg_proc too
    await expect(
      harness.restore(
        options(
          'pg13-copy',
          `CREATE FUNCTION public.sec() RETURNS TABLE(id int, secret text) LANGUAGE sql STABLE AS $$SELECT id, secret FROM public.secrets$$;
CREATE MATERIALIZED VIEW public.m_sec AS SELECT * FROM public.sec() WITH NO DATA;
GRANT SELECT ON public.m_sec TO PUBLIC;
REFRESH MATERIALIZED VIEW public.m_sec;`
        )
      )
    ).rejects.toThrow(
      /materialized view public\.m_sec copies its rows through the function public\.sec\(\)/
    )
    expect(await old.query(db, "SELECT to_regclass('public.m_sec') IS NULL AS gone")).toEqual([
      { gone: true }
    ])
  })
})

/**
 * attacker a93 F3: a trigger or rule the backup creates before the rows it loads into its table
 * fires on them as the restoring role, and copied auth.users' emails into a table anon reads
 * (psql -f and pg_restore by hand run it the same). pg_dump creates every trigger and rule after
 * all the data: into a target that keeps tables with rows (a Supabase project's auth.users), one
 * created before is refused before anything runs, naming it; pg_dump's own output restores.
 */
describe('a trigger or rule created before the rows it fires on, into a target that keeps tables with rows: refused before anything runs (attacker a93 F3)', () => {
  async function project(): Promise<string> {
    const admin = `supabase_${suffix}admin`
    await server.query(
      'postgres',
      `DO $$BEGIN CREATE ROLE ${admin} NOLOGIN SUPERUSER; EXCEPTION WHEN duplicate_object THEN NULL; END$$`
    )
    const db = await database(
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${OWNER} IN SCHEMA public GRANT ALL ON TABLES TO ${ANON};`
    )
    await server.query(
      db,
      `CREATE SCHEMA auth AUTHORIZATION ${admin};
       CREATE TABLE auth.users (id int PRIMARY KEY, email text); INSERT INTO auth.users VALUES (1, 'ceo@example.com');
       ALTER TABLE auth.users OWNER TO ${admin};
       GRANT USAGE ON SCHEMA auth TO ${OWNER}; GRANT ALL ON ALL TABLES IN SCHEMA auth TO ${OWNER};`
    )
    return db
  }

  /** Nothing of the backup's in public, auth.users as it was. */
  async function unchanged(db: string): Promise<void> {
    expect(
      await server.query(
        db,
        `SELECT (SELECT count(*)::int FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                  WHERE n.nspname = 'public') AS relations,
                (SELECT string_agg(email, ',') FROM auth.users) AS emails`
      )
    ).toEqual([{ relations: 0, emails: 'ceo@example.com' }])
  }

  const refused = async (db: string, file: string): Promise<string> => {
    const error = await failure(harness.restore(inputs(db, file, { allowNonEmpty: false })))
    expect(error?.message).toMatch(/^the backup creates 1 trigger or rule before the rows it loads/)
    expect(error?.message).toContain('(auth.users)')
    expect(error?.message).toContain('Nothing was changed.')
    expect(error?.message).toContain(
      'Move each CREATE TRIGGER and CREATE RULE after the data of its table, as pg_dump writes them'
    )
    await unchanged(db)
    return error!.message
  }

  const NOTES = `SET check_function_bodies = false;
CREATE TABLE public.leak (e text);
CREATE TABLE public.notes (id integer NOT NULL, body text);`

  it('c2: a BEFORE INSERT row trigger that sets a column from auth.users, then COPY', async () => {
    const message = await refused(
      await project(),
      script(
        'a93-f3-c2',
        `${NOTES}
CREATE FUNCTION public.tg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.body := (SELECT string_agg(email, ',') FROM auth.users); RETURN NEW; END $$;
CREATE TRIGGER t BEFORE INSERT ON public.notes FOR EACH ROW EXECUTE FUNCTION public.tg();
COPY public.notes (id, body) FROM stdin;
1\tx
\\.`
      )
    )
    expect(message).toContain(
      'trigger t on public.notes, created by "CREATE TRIGGER t BEFORE INSERT ON public.notes FOR EACH ROW EXECUTE FUNCTION public.tg();" before "COPY public.notes (id, body) FROM stdin;"'
    )
  })

  /** Refused as code pg_dump never writes over kept rows; the statement named. */
  const refusedCode = async (db: string, file: string, statement: string): Promise<void> => {
    const error = await failure(harness.restore(inputs(db, file, { allowNonEmpty: false })))
    expect(error?.message).toMatch(/^the backup has \d+ statements? pg_dump never writes/)
    expect(error?.message).toContain(statement)
    expect(error?.message).toContain('The target keeps tables with rows (auth.users)')
    expect(error?.message).toContain('Nothing was changed.')
    await unchanged(db)
  }

  it('a95 F1, F2, F3 and plainer: a DO block or a function called before the data that creates the trigger, CREATE SCHEMA with a trigger inside, an INSERT … SELECT FROM auth.users: refused, naming the statement', async () => {
    const grab = `CREATE FUNCTION public.grab() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.body := (SELECT string_agg(email, ',') FROM auth.users); RETURN NEW; END $$;`
    const rows = `COPY public.notes (id, body) FROM stdin;
1\tx
\\.`
    await refusedCode(
      await project(),
      script(
        'a95-f1',
        `${NOTES}
${grab}
DO $$ BEGIN EXECUTE 'CREATE TRIGGER t BEFORE INSERT ON public.notes FOR EACH ROW EXECUTE FUNCTION public.grab()'; END $$;
${rows}`
      ),
      '"DO $$ BEGIN EXECUTE \'CREATE TRIGGER t BEFORE INSERT ON public.notes'
    )
    await refusedCode(
      await project(),
      script(
        'a95-f2',
        `${NOTES}
${grab}
CREATE FUNCTION public.mk() RETURNS void LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'CREATE TRIGGER t BEFORE INSERT ON public.notes FOR EACH ROW EXECUTE FUNCTION public.grab()'; END $$;
SELECT public.mk();
${rows}`
      ),
      '"SELECT public.mk();"'
    )
    await refusedCode(
      await project(),
      script(
        'a95-f3',
        `SET check_function_bodies = false;
CREATE FUNCTION public.grab() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.body := (SELECT string_agg(email, ',') FROM auth.users); RETURN NEW; END $$;
CREATE SCHEMA s2 CREATE TABLE notes (id integer, body text) CREATE TRIGGER t BEFORE INSERT ON notes FOR EACH ROW EXECUTE FUNCTION public.grab();
COPY s2.notes (id, body) FROM stdin;
1\tx
\\.`
      ),
      'CREATE SCHEMA s2 CREATE TABLE notes'
    )
    await refusedCode(
      await project(),
      script(
        'insert-select',
        `CREATE TABLE public.leak (e text);
INSERT INTO public.leak SELECT email FROM auth.users;`
      ),
      '"INSERT INTO public.leak SELECT email FROM auth.users;"'
    )
  })

  it('a96 F2, F3: ALTER TABLE … USING a function, ADD COLUMN … DEFAULT over rows, a partition bound that calls a function, a CHECK dropped after the rows loaded: refused, naming the statement', async () => {
    const w = `CREATE TABLE public.leak (e text);
CREATE FUNCTION public.w(integer) RETURNS integer LANGUAGE sql VOLATILE AS $$ INSERT INTO public.leak SELECT email FROM auth.users; SELECT $1 $$;`
    const rows = `CREATE TABLE public.items (id integer);
COPY public.items (id) FROM stdin;
1
\\.`
    await refusedCode(
      await project(),
      script(
        'a96-f2-using',
        `SET check_function_bodies = false;
${w}
${rows}
ALTER TABLE public.items ALTER COLUMN id TYPE bigint USING public.w(id);`
      ),
      '"ALTER TABLE public.items ALTER COLUMN id TYPE bigint USING public.w(id);"'
    )
    await refusedCode(
      await project(),
      script(
        'a96-f2-default',
        `SET check_function_bodies = false;
${w}
${rows}
ALTER TABLE public.items ADD COLUMN d integer DEFAULT public.w(1);`
      ),
      '"ALTER TABLE public.items ADD COLUMN d integer DEFAULT public.w(1);"'
    )
    await refusedCode(
      await project(),
      script(
        'a96-f2-bound',
        `SET check_function_bodies = false;
${w}
CREATE TABLE public.pt (x integer) PARTITION BY LIST (x);
CREATE TABLE public.pt1 PARTITION OF public.pt FOR VALUES IN (public.w(1));`
      ),
      'CREATE TABLE public.pt1 PARTITION OF public.pt FOR VALUES IN (public.w(1));'
    )
    await refusedCode(
      await project(),
      script(
        'a96-f3-drop',
        `SET check_function_bodies = false;
${w}
CREATE FUNCTION public.ok(integer) RETURNS boolean LANGUAGE sql AS $$ SELECT public.w($1) IS NOT NULL $$;
CREATE TABLE public.items (id integer CONSTRAINT c CHECK (public.ok(id)));
COPY public.items (id) FROM stdin;
1
\\.
ALTER TABLE public.items DROP CONSTRAINT c;`
      ),
      '"ALTER TABLE public.items DROP CONSTRAINT c;" (it drops after the script wrote rows'
    )
  })

  it('a95 F8: a row-security policy (FORCE) whose WITH CHECK copies auth.users, created before the INSERTs into its table: refused, naming it', async () => {
    const db = await project()
    const error = await failure(
      harness.restore(
        inputs(
          db,
          script(
            'a95-f8',
            `SET check_function_bodies = false;
CREATE TABLE public.leak (e text);
CREATE FUNCTION public.chk() RETURNS boolean LANGUAGE sql VOLATILE AS $$ INSERT INTO public.leak SELECT email FROM auth.users; SELECT true $$;
CREATE TABLE public.items (id integer);
ALTER TABLE public.items ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.items FORCE ROW LEVEL SECURITY;
CREATE POLICY p ON public.items USING (true) WITH CHECK (public.chk());
INSERT INTO public.items VALUES (1);`
          ),
          { allowNonEmpty: false }
        )
      )
    )
    expect(error?.message).toMatch(/^the backup creates 1 trigger, rule or policy before the rows/)
    expect(error?.message).toContain(
      'policy p on public.items, created by "CREATE POLICY p ON public.items USING (true) WITH CHECK (public.chk());" before "INSERT INTO public.items VALUES (1);"'
    )
    expect(error?.message).toContain('CREATE RULE and CREATE POLICY after the data of its table')
    await unchanged(db)
  })

  it('c3: a rule DO ALSO INSERT … SELECT email FROM auth.users, then INSERT', async () => {
    const message = await refused(
      await project(),
      script(
        'a93-f3-c3',
        `${NOTES}
CREATE RULE r AS ON INSERT TO public.notes DO ALSO INSERT INTO public.leak SELECT email FROM auth.users;
INSERT INTO public.notes VALUES (1, 'x');`
      )
    )
    expect(message).toContain(
      `rule r on public.notes, created by "CREATE RULE r AS ON INSERT TO public.notes DO ALSO INSERT INTO public.leak SELECT email FROM auth.users;" before "INSERT INTO public.notes VALUES (1, 'x');"`
    )
  })

  it('a statement-level AFTER INSERT trigger that copies auth.users into another table, then COPY', async () => {
    const message = await refused(
      await project(),
      script(
        'a93-f3-stmt',
        `${NOTES}
CREATE FUNCTION public.st() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO public.leak SELECT email FROM auth.users; RETURN NULL; END $$;
CREATE TRIGGER s AFTER INSERT ON public.notes FOR EACH STATEMENT EXECUTE FUNCTION public.st();
COPY public.notes (id, body) FROM stdin;
1\tx
\\.`
      )
    )
    expect(message).toContain('trigger s on public.notes')
  })

  /** A source whose trigger reads auth.users' emails (empty in the source), and its archive. */
  async function archive(): Promise<string> {
    const source = await database(`SET check_function_bodies = false;
      CREATE TABLE public.notes (id integer NOT NULL, body text);
      INSERT INTO public.notes VALUES (1, 'x');
      CREATE FUNCTION public.tg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.body := (SELECT string_agg(email, ',') FROM auth.users); RETURN NEW; END $$;
      CREATE TRIGGER t BEFORE INSERT ON public.notes FOR EACH ROW EXECUTE FUNCTION public.tg();`)
    const dump = path.join(harness.work, `a93-f3-${source}.dump`)
    execFileSync(path.join(server.binDir, 'pg_dump'), ['-Fc', '-f', dump, source], {
      env: server.env(source, { user: OWNER, password: PASSWORD })
    })
    return dump
  }

  it("an archive whose TOC lists the TRIGGER entry before the table's TABLE DATA (pg_restore follows the TOC's order): refused, naming the entry", async () => {
    const dump = await archive()
    const moved = path.join(harness.work, 'a93-f3-moved.dump')
    writeFileSync(
      moved,
      rewriteArchiveToc(readFileSync(dump), es => {
        const [trigger] = es.splice(
          es.findIndex(e => e.desc === 'TRIGGER'),
          1
        )
        es.splice(
          es.findIndex(e => e.desc === 'TABLE DATA'),
          0,
          trigger
        )
        return es
      })
    )
    const error = await failure(
      harness.restore(
        testRestoreInputs(
          server.url(await project(), { user: OWNER, password: PASSWORD }),
          { kind: 'file', path: moved },
          {}
        )
      )
    )
    expect(error?.message).toMatch(
      /^the backup creates 1 trigger or rule before the rows it loads into its table, so it fires on those rows with the restoring role's rights: trigger t on public\.notes \(archive entry \d+\), created by "CREATE TRIGGER t BEFORE INSERT ON public\.notes/
    )
  })

  it("pg_dump's own output of a database with triggers and rules (plain and custom) restores into the project, its rows as they were", async () => {
    const source = await database(`CREATE TABLE public.notes (id integer PRIMARY KEY, body text);
      CREATE TABLE public.log (e text);
      CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO public.log VALUES ('fired'); RETURN NEW; END $$;
      CREATE TRIGGER t BEFORE INSERT OR UPDATE ON public.notes FOR EACH ROW EXECUTE FUNCTION public.touch();
      CREATE TRIGGER s AFTER INSERT ON public.notes FOR EACH STATEMENT EXECUTE FUNCTION public.touch();
      CREATE RULE r AS ON INSERT TO public.notes DO ALSO INSERT INTO public.log VALUES ('rule');
      CREATE VIEW public.v AS SELECT id FROM public.notes;
      INSERT INTO public.notes VALUES (1, 'a'), (2, 'b');`)
    const env = server.env(source, { user: OWNER, password: PASSWORD })
    const plain = path.join(harness.work, `a93-f3-own-${source}.sql`)
    const custom = path.join(harness.work, `a93-f3-own-${source}.dump`)
    execFileSync(path.join(server.binDir, 'pg_dump'), ['-f', plain, source], { env })
    execFileSync(path.join(server.binDir, 'pg_dump'), ['-Fc', '-f', custom, source], { env })
    for (const file of [plain, custom]) {
      const db = await project()
      await harness.restore(
        testRestoreInputs(
          server.url(db, { user: OWNER, password: PASSWORD }),
          { kind: 'file', path: file },
          {}
        )
      )
      // the rows as the source had them: no trigger or rule fired during the load
      expect(
        await server.query(
          db,
          `SELECT (SELECT string_agg(body, ',' ORDER BY id) FROM public.notes) AS notes,
                  (SELECT count(*)::int FROM public.log) AS log,
                  (SELECT count(*)::int FROM pg_catalog.pg_trigger WHERE tgrelid = 'public.notes'::regclass) AS triggers`
        )
      ).toEqual([{ notes: 'a,b', log: 5, triggers: 2 }])
    }
  })

  it('into a database that keeps no tables (a fresh one): restored, as psql -f restores it', async () => {
    const db = await database('')
    await harness.restore(
      inputs(
        db,
        script(
          'a93-f3-fresh',
          `CREATE TABLE public.notes (id integer NOT NULL, body text);
CREATE FUNCTION public.tg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.body := 'fired'; RETURN NEW; END $$;
CREATE TRIGGER t BEFORE INSERT ON public.notes FOR EACH ROW EXECUTE FUNCTION public.tg();
COPY public.notes (id, body) FROM stdin;
1\tx
\\.`
        ),
        { allowNonEmpty: false }
      )
    )
    expect(await server.query(db, 'SELECT id, body FROM public.notes')).toEqual([
      { id: 1, body: 'fired' }
    ])
  })
})
