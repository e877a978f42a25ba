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
        "The backup left public.skus out (its table is not in the backup: it was made with exclude-tables or exclude-schemas, or as a role that could not read it), and the backup's entry FK CONSTRAINT public.order_items order_items_sku_fk needs it"
      )
      expect(message).toMatch(
        /Create public\.skus in the target first [^]* or restore with single-transaction: false, which loads everything but that constraint [^]* then add the constraint by hand/
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
      "The backup left public.logs out (its table is not in the backup: it was made with exclude-tables or exclude-schemas, or as a role that could not read it), and the backup's entry VIEW public.recent_logs needs it"
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
      "The backup left schema ref out (it is not in the backup: it was made with exclude-schemas, or as a role that could not use it), and the backup's entry FK CONSTRAINT public.addresses addresses_country_fkey needs it"
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

describe('nothing kept needs what is left out', () => {
  it.each([
    ['an unreferenced table', { excludeTables: ['public.notes'] }],
    [
      'a referenced table with what references it',
      { excludeTables: ['public.skus', 'public.order_items'] }
    ],
    ['the rows of both ends of a key', { excludeTableData: ['public.skus', 'public.order_items'] }]
  ])('%s: no warning', async (_label, f) => {
    const { lines, result } = await backUp(
      `none-${Object.values(f).flat().length}-${_label.length}`,
      f
    )
    expect(result.warnings).toBeUndefined()
    expect(lines).toContain(
      'Nothing the backup keeps (foreign keys, views, partitions) needs what it leaves out.'
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
