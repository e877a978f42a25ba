/**
 * A backup that leaves out (exclude-tables, exclude-schemas) a table that what it keeps needs —
 * a foreign key onto it, a view over it, a partition of it — or whose rows it leaves out
 * (exclude-table-data) while a foreign key onto them stays with its rows: pg_dump dumps it without
 * a word and every restore in one transaction stops there (trial u49 F4). The backup warns of
 * each (and still succeeds, as pg_dump by hand does); the restore of such a backup says the
 * backup left the table out and what to do; the "permission denied" advice names the role and
 * says that leaving a referenced table out breaks the restore (u49 F1).
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import type { TestServer } from '../../dev/postgres.js'
import { useHarness } from '../support/harness.js'
import { NO_FILTERS, testBackupInputs, testRestoreInputs } from '../support/inputs.js'
import { provisionedBinDir } from '../support/clients.js'
import { logOf } from '../support/log-capture.js'
import { currentRunArtifact } from '../support/sources.js'
import type { DumpFilters, DumpFormat } from '../../src/types.js'

const harness = useHarness({ name: 'backup-left-out' })
let server: TestServer
let db: string
const PASSWORD = 'left-out-pass-4321'

beforeAll(async () => {
  server = harness.server
  db = await server.createDatabase('left_out_src')
  await server.query(
    'postgres',
    `DO $$BEGIN CREATE ROLE app_rw LOGIN PASSWORD '${PASSWORD}'; EXCEPTION WHEN duplicate_object THEN NULL; END$$;`
  )
  await server.query(
    db,
    `CREATE TABLE public.skus (sku text PRIMARY KEY, name text);
     CREATE TABLE public.order_items (id integer PRIMARY KEY, sku text,
       CONSTRAINT order_items_sku_fk FOREIGN KEY (sku) REFERENCES public.skus (sku));
     INSERT INTO public.skus VALUES ('a', 'A'), ('b', 'B');
     INSERT INTO public.order_items VALUES (1, 'a'), (2, 'b');
     CREATE TABLE public.logs (id integer, msg text);
     CREATE VIEW public.recent_logs AS SELECT id, msg FROM public.logs;
     CREATE SCHEMA ref;
     CREATE TABLE ref.countries (code text PRIMARY KEY);
     INSERT INTO ref.countries VALUES ('fr');
     CREATE TABLE public.addresses (id integer PRIMARY KEY, country text REFERENCES ref.countries);
     INSERT INTO public.addresses VALUES (1, 'fr');
     CREATE TABLE public.notes (id integer);
     GRANT SELECT ON public.order_items, public.logs, public.recent_logs, public.addresses,
       public.notes TO app_rw;
     GRANT USAGE ON SCHEMA ref TO app_rw;
     GRANT SELECT ON ref.countries TO app_rw;`
  )
  // what else a kept object needs (attacker a81 F10, F11): pg_depend
  await server.query(
    db,
    `CREATE SCHEMA util;
     CREATE FUNCTION util.code() RETURNS text LANGUAGE sql AS $$SELECT 'c'$$;
     CREATE FUNCTION util.stamp() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
     CREATE FUNCTION util.visible() RETURNS boolean LANGUAGE sql STABLE AS $$SELECT true$$;
     CREATE DOMAIN util.email AS text CHECK (VALUE LIKE '%@%');
     CREATE SEQUENCE public.ticket_no;
     CREATE TABLE public.tickets (id bigint DEFAULT nextval('public.ticket_no'),
       code text DEFAULT util.code());
     CREATE TABLE public.addr (street text);
     CREATE TABLE public.people (name text, home public.addr);
     CREATE TABLE public.contacts (id integer, mail util.email);
     CREATE TRIGGER contacts_stamp BEFORE INSERT ON public.contacts
       FOR EACH ROW EXECUTE FUNCTION util.stamp();
     CREATE POLICY contacts_visible ON public.contacts USING (util.visible());
     CREATE SCHEMA lonely;
     CREATE FUNCTION lonely.f() RETURNS integer LANGUAGE sql AS $$SELECT 1$$;
     CREATE TABLE lonely.t (x integer);
     CREATE TABLE public.serials (id serial, n integer);
     CREATE TABLE public.empty_ref (id integer PRIMARY KEY);
     CREATE TABLE public.empty_child (r integer REFERENCES public.empty_ref);
     GRANT USAGE ON SCHEMA util, lonely TO app_rw;
     GRANT SELECT ON public.ticket_no, public.tickets, public.addr, public.people, public.contacts,
       lonely.t, public.serials, public.serials_id_seq, public.empty_ref, public.empty_child
       TO app_rw;`
  )
}, 60_000)

const filters = (f: Partial<DumpFilters>): DumpFilters => ({ ...NO_FILTERS, ...f })

async function backUp(name: string, f: Partial<DumpFilters>, format: DumpFormat = 'custom') {
  return logOf(() =>
    harness.backup(
      testBackupInputs(server.url(db), { artifactName: name, filters: filters(f), format })
    )
  )
}

async function restoreError(name: string): Promise<string> {
  const target = await server.createDatabase()
  const error = await harness
    .restore(testRestoreInputs(server.url(target), currentRunArtifact(harness.backend, name)))
    .then(
      () => undefined,
      (e: unknown) => e as Error
    )
  return error?.message ?? ''
}

describe('exclude-tables of a table a kept foreign key references', () => {
  it('warns (log and result.warnings), and the backup succeeds', async () => {
    const { lines, result } = await backUp('fk-excluded', { excludeTables: ['public.skus'] })
    const warning =
      "This backup will not restore in one transaction into a database without public.skus: public.order_items's foreign key order_items_sku_fk references public.skus, which the backup leaves out (exclude-tables) — pg_restore stops there (relation \"public.skus\" does not exist). Leave out public.order_items too, or back up public.skus as well (remove it from exclude-tables; a role that may read it). Leaving out only public.skus's rows (exclude-table-data) does not serve while public.order_items's rows refer to them: the key is checked as the restore adds it."
    expect(result.warnings).toEqual([warning])
    expect(lines).toContain(`::warning::${warning}`)
    expect(result.manifest.rowCounts.tables.map(t => t.name)).not.toContain('skus')
  })

  it.each(['custom', 'plain'] as const)(
    'a restore of it (%s) fails, saying the backup left the table out and what to do; nothing kept',
    async format => {
      const name = `fk-excluded-${format}`
      await backUp(name, { excludeTables: ['public.skus'] }, format)
      const message = await restoreError(name)
      expect(message).toContain('relation "public.skus" does not exist')
      expect(message).toContain(
        "The backup left public.skus out (the backup has no table, view or sequence public.skus: it was made with exclude-tables or exclude-schemas, or as a role that could not read it), and the backup's entry FK CONSTRAINT public.order_items order_items_sku_fk needs it"
      )
      expect(message).toMatch(
        /Create it in the target first \(public\.skus: [^]* or restore with single-transaction: false, which loads everything but that constraint [^]* then add the constraint by hand/
      )
      expect(message).toContain('Nothing was kept')
    }
  )
})

describe('other things the backup keeps that need what it leaves out', () => {
  it('a view over an excluded table: warned; its restore says the table was left out', async () => {
    const { result } = await backUp('view-excluded', { excludeTables: ['public.logs'] })
    expect(result.warnings).toEqual([
      'This backup will not restore in one transaction into a database without public.logs: view public.recent_logs selects from public.logs, which the backup leaves out (exclude-tables) — pg_restore stops there (relation "public.logs" does not exist). Leave out public.recent_logs too, or back up public.logs as well (remove it from exclude-tables; a role that may read it).'
    ])
    const message = await restoreError('view-excluded')
    expect(message).toContain(
      "The backup left public.logs out (the backup has no table, view or sequence public.logs: it was made with exclude-tables or exclude-schemas, or as a role that could not read it), and the backup's entry VIEW public.recent_logs needs it"
    )
    expect(message).toContain('which loads everything but that entry')
  })

  it('exclude-schemas of a schema whose table a kept foreign key references: warned', async () => {
    const { result } = await backUp('schema-excluded', { excludeSchemas: ['ref'] })
    expect(result.warnings).toEqual([
      expect.stringMatching(
        /^This backup will not restore in one transaction into a database without ref\.countries: public\.addresses's foreign key addresses_country_fkey references ref\.countries, which the backup leaves out \(exclude-schemas leaves out its schema, ref\) — pg_restore stops there[^]*remove its schema from exclude-schemas/
      )
    ])
    const message = await restoreError('schema-excluded')
    expect(message).toContain('schema "ref" does not exist')
    expect(message).toContain(
      "The backup left schema ref out (the backup has no schema ref: it was made with exclude-schemas, or with schemas that leave it out, or as a role that could not use it), and the backup's entry FK CONSTRAINT public.addresses addresses_country_fkey needs it"
    )
  })

  it("exclude-table-data of a referenced table while the referencing table's rows stay: warned", async () => {
    const { result } = await backUp('data-excluded', { excludeTableData: ['public.skus'] })
    expect(result.warnings).toEqual([
      expect.stringMatching(
        /^This backup will not restore in one transaction: public\.order_items's foreign key order_items_sku_fk references public\.skus, whose rows the backup leaves out \(exclude-table-data\), while the backup keeps public\.order_items's rows/
      )
    ])
    // and so it is: the key is checked as it is added (pg_restore by hand fails the same way)
    expect(await restoreError('data-excluded')).toMatch(
      /violates foreign key constraint "order_items_sku_fk"/
    )
  })
})

const WAYS_UTIL =
  'or back up function util.code() as well (remove its schema from exclude-schemas; a role that may read it).'

describe('defaults, constraints, triggers, policies, columns that need what is left out (a81 F10)', () => {
  it("exclude-tables of a sequence a kept column's default calls nextval of: warned", async () => {
    const { result } = await backUp('sequence-excluded', { excludeTables: ['public.ticket_no'] })
    expect(result.warnings).toEqual([
      'This backup will not restore in one transaction into a database without sequence public.ticket_no: table public.tickets\'s default of column id needs sequence public.ticket_no, which the backup leaves out (exclude-tables) — pg_restore stops there (relation "public.ticket_no" does not exist). Leave out public.tickets too (exclude-tables), change its default of column id so that it does not need sequence public.ticket_no, or back up sequence public.ticket_no as well (remove it from exclude-tables; a role that may read it).'
    ])
    const message = await restoreError('sequence-excluded')
    expect(message).toContain(
      "The backup left public.ticket_no out (the backup has no table, view or sequence public.ticket_no: it was made with exclude-tables or exclude-schemas, or as a role that could not read it), and the backup's entry TABLE public.tickets needs it"
    )
  })

  it('exclude-tables of a table whose row type a kept column has: warned; the restore names the type', async () => {
    const { result } = await backUp('row-type-excluded', { excludeTables: ['public.addr'] })
    expect(result.warnings).toEqual([
      'This backup will not restore in one transaction into a database without row type public.addr: table public.people\'s column home needs row type public.addr, which the backup leaves out (exclude-tables) — pg_restore stops there (type "public.addr" does not exist). Leave out public.people too (exclude-tables), change its column home so that it does not need row type public.addr, or back up table public.addr as well (remove it from exclude-tables; a role that may read it).'
    ])
    const message = await restoreError('row-type-excluded')
    expect(message).toContain('type "public.addr" does not exist')
    expect(message).toContain(
      "The backup left type public.addr out (the backup has no type, domain or table public.addr, whose row type it would be: it was made with exclude-tables or exclude-schemas), and the backup's entry TABLE public.people needs it"
    )
  })

  it('exclude-schemas of a schema whose functions and domain kept tables use: each warned; the restore names the schema', async () => {
    const { result } = await backUp('functions-excluded', { excludeSchemas: ['util'] })
    const how =
      'which the backup leaves out (exclude-schemas leaves out its schema, util) — pg_restore stops there (schema "util" does not exist).'
    expect(result.warnings).toEqual([
      `This backup will not restore in one transaction into a database without domain util.email: table public.contacts's column mail needs domain util.email, ${how} Leave out public.contacts too (exclude-tables), change its column mail so that it does not need domain util.email, or back up domain util.email as well (remove its schema from exclude-schemas; a role that may read it).`,
      `This backup will not restore in one transaction into a database without function util.stamp(): table public.contacts's trigger contacts_stamp needs function util.stamp(), ${how} Leave out public.contacts too (exclude-tables), change its trigger contacts_stamp so that it does not need function util.stamp(), or back up function util.stamp() as well (remove its schema from exclude-schemas; a role that may read it).`,
      `This backup will not restore in one transaction into a database without function util.visible(): table public.contacts's policy contacts_visible needs function util.visible(), ${how} Leave out public.contacts too (exclude-tables), change its policy contacts_visible so that it does not need function util.visible(), or back up function util.visible() as well (remove its schema from exclude-schemas; a role that may read it).`,
      `This backup will not restore in one transaction into a database without function util.code(): table public.tickets's default of column code needs function util.code(), ${how} Leave out public.tickets too (exclude-tables), change its default of column code so that it does not need function util.code(), ${WAYS_UTIL}`
    ])
    const message = await restoreError('functions-excluded')
    expect(message).toContain('schema "util" does not exist')
    expect(message).toMatch(
      /The backup left schema util out \(the backup has no schema util: [^]*\), and the backup's entry TABLE public\.(contacts|tickets) needs it[^]*CREATE SCHEMA util;/
    )
    expect(message).not.toContain('its tables, with their rows')
  })
})

describe('a kept parent whose partitions or children a selection leaves out (attacker a98 F9)', () => {
  beforeAll(async () => {
    await server.query(
      db,
      `CREATE TABLE public.ev (id integer, d date) PARTITION BY RANGE (d);
       CREATE TABLE public.ev_2024 PARTITION OF public.ev FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
       CREATE TABLE public.ev_2025 PARTITION OF public.ev FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
       INSERT INTO public.ev SELECT g, DATE '2024-06-01' + (g % 400) FROM generate_series(1, 1000) g;
       CREATE TABLE public.animal (name text);
       CREATE TABLE public.dog (breed text) INHERITS (public.animal);
       INSERT INTO public.animal VALUES ('generic');
       INSERT INTO public.dog VALUES ('rex', 'collie'), ('fido', 'pug');
       GRANT SELECT ON public.ev, public.ev_2024, public.ev_2025, public.animal, public.dog TO app_rw;
       CREATE SCHEMA parts;
       CREATE TABLE public.pe (id integer) PARTITION BY RANGE (id);
       CREATE TABLE public.pe_a PARTITION OF public.pe FOR VALUES FROM (0) TO (100);
       CREATE TABLE parts.pe_b PARTITION OF public.pe FOR VALUES FROM (100) TO (200);
       INSERT INTO public.pe SELECT g FROM generate_series(0, 199) g;
       GRANT USAGE ON SCHEMA parts TO app_rw;
       GRANT SELECT ON public.pe, public.pe_a, parts.pe_b TO app_rw;`
    )
  })

  it('schemas keeping a parent whose partition is in a schema left out: no "none of its rows" (its other partitions are kept); the partition kept alone is warned the other way (attacker a100 F6, F8)', async () => {
    const kept = await backUp('partitions-schemas', { schemas: ['public'] })
    expect((kept.result.warnings ?? []).filter(w => w.includes('public.pe'))).toEqual([])
    const alone = await backUp('partition-alone', { schemas: ['parts'] })
    expect(alone.result.warnings).toEqual([
      'This backup will not restore in one transaction into a database without public.pe: parts.pe_b is a partition of public.pe, which the backup leaves out (its schema public is not in schemas) — pg_restore stops there (relation "public.pe" does not exist). Leave out parts.pe_b too, or back up public.pe as well (add its schema to schemas).'
    ])
  })

  it('tables naming a partitioned table with pg-dump-args --table-and-children: no warning (attacker a100 F7)', async () => {
    const { result } = await logOf(() =>
      harness.backup(
        testBackupInputs(server.url(db), {
          artifactName: 'partitions-and-children',
          filters: filters({ tables: ['public.ev'] }),
          pgDumpArgs: ['--table-and-children=public.ev'],
          // (pg_dump 16 or newer)
          pgBinDir: provisionedBinDir(17)
        })
      )
    )
    expect(result.warnings ?? []).toEqual([])
  })

  it('tables naming a partitioned table only: warned, with its partitions and the ways to take them', async () => {
    const { result } = await backUp('partitions-left', { tables: ['public.ev'] })
    expect(result.manifest.rowCounts.tables).toEqual([])
    expect(result.warnings).toEqual([
      "The backup keeps the partitioned table public.ev but not its 2 partitions public.ev_2024, public.ev_2025 (not in tables): a partitioned table holds no rows of its own, so the backup holds none of public.ev's rows — pg_dump --table takes the table named, not its partitions (the same by hand). Add them to tables, or with a pg_dump 16 or newer pass pg-dump-args: --table-and-children=public.ev."
    ])
  })

  it('tables naming an inheritance parent only: warned, the children named', async () => {
    const { result } = await backUp('children-left', { tables: ['public.animal'] })
    expect(result.manifest.rowCounts.tables.map(t => `${t.name}=${t.rows}`)).toEqual(['animal=1'])
    expect(result.warnings).toEqual([
      'The backup keeps public.animal but not the table that inherits from it, public.dog (not in tables): its rows, which a query of public.animal reads too, are not in the backup — pg_dump --table takes the table named only (the same by hand). Add it to tables, or with a pg_dump 16 or newer pass pg-dump-args: --table-and-children=public.animal.'
    ])
  })

  it.each([
    ['the parent with its partitions', { tables: ['public.ev', 'public.ev_20*'] }],
    ['partitions left out on purpose (exclude-tables)', { excludeTables: ['public.ev_2024'] }]
  ])('%s: no such warning', async (label, f) => {
    const { result } = await backUp(`partitions-kept-${label.length}`, f)
    expect((result.warnings ?? []).filter(w => w.includes('public.ev'))).toEqual([])
  })
})

describe("a selection leaves the database's large objects out (trial u62 F2)", () => {
  it('warned with the option that keeps them; with --blobs kept, no warning', async () => {
    const objects = await server.createDatabase('left_out_objects')
    await server.query(
      objects,
      `CREATE TABLE public.documents (id integer, blob oid);
       INSERT INTO public.documents VALUES (1, lo_from_bytea(0, 'pdf'));`
    )
    const backUpObjects = (name: string, pgDumpArgs: string[]) =>
      harness.backup(
        testBackupInputs(server.url(objects), {
          artifactName: name,
          filters: filters({ schemas: ['public'] }),
          pgDumpArgs
        })
      )
    const left = await backUpObjects('objects-left', [])
    expect(left.warnings).toEqual([
      "The backup holds none of the database's 1 large object: pg_dump leaves large objects out when tables or schemas select what it dumps (the same by hand), and a column that refers to one (an oid, lo) refers to nothing after a restore. To keep them, pass pg-dump-args: --blobs."
    ])
    const kept = await backUpObjects('objects-kept', ['--blobs'])
    expect(kept.warnings).toBeUndefined()
  })
})

describe('nothing kept needs what is left out', () => {
  it.each([
    ['an unreferenced table', { excludeTables: ['public.notes'] }],
    [
      'a referenced table with what references it',
      { excludeTables: ['public.skus', 'public.order_items'] }
    ],
    ['the rows of both ends of a key', { excludeTableData: ['public.skus', 'public.order_items'] }],
    ['a schema nothing kept uses', { excludeSchemas: ['lonely'] }],
    [
      'a sequence a kept table owns (pg_dump keeps it)',
      { excludeTables: ['public.serials_id_seq'] }
    ],
    [
      'the rows of a referenced table while the referencing table is empty (a81 F11)',
      { excludeTableData: ['public.empty_ref'] }
    ]
  ])('%s: no warning', async (_label, f) => {
    const { lines, result } = await backUp(
      `none-${Object.values(f).flat().length}-${_label.length}`,
      f
    )
    expect(result.warnings).toBeUndefined()
    expect(lines).toContain(
      'Nothing the backup keeps (foreign keys, views, partitions, defaults, constraints, indexes, triggers, policies, column types, functions) needs what it leaves out.'
    )
  })
})

describe('a role that may not read a table kept tables reference (u49 F1)', () => {
  it('names the role in the GRANT and says leaving the table out breaks the restore', async () => {
    const error = await harness
      .backup(
        testBackupInputs(server.url(db, { user: 'app_rw', password: PASSWORD }), {
          artifactName: 'denied-referenced',
          filters: filters({ excludeTables: ['public.logs'] })
        })
      )
      .then(
        () => undefined,
        (e: unknown) => e as Error
      )
    expect(error?.message).toContain('permission denied for table skus')
    expect(error?.message).toContain(
      'The role app_rw may not read this of what the backup includes (pg_dump stops at the first one; by hand too): table public.skus. Nothing was uploaded. Let it read them, as their owner: GRANT SELECT ON public.skus TO app_rw. Leaving out public.skus (referenced by a foreign key of public.order_items) makes a backup that does not restore — grant it, or leave out the tables that refer to it too (exclude-tables: public.skus,public.order_items)'
    )
    expect(error?.message).not.toMatch(/leave that table out/)
  })
})
