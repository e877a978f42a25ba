/**
 * A backup whose table has a foreign key onto a table the backup does not hold (Supabase's
 * public.profiles → auth.users with schemas: public, a plain pg_dump --schema=public, a tables
 * selection) restores only where the referenced rows exist (trial u53 F1, F2). The backup warns
 * of each such key; a restore that fails on one says which table the target keeps, the key it
 * lacks, and the ways out that work for the restoring role — never a cause that is not true, nor
 * a selection that clean then refuses.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import path from 'node:path'
import { type TestServer, startPostgres } from '../../dev/postgres.js'
import type { DumpFilters } from '../../src/types.js'
import { useHarness } from '../support/harness.js'
import { testBackupInputs, testRestoreInputs } from '../support/inputs.js'
import {
  type ManagedDatabase,
  actionRoundTrip,
  dumpByHand,
  managedChecksums,
  supabaseLikeSource,
  supabaseLikeTarget
} from '../support/managed.js'

let supabase: TestServer
const harness = useHarness({ name: 'outside-key' })
const { actionBackup, actionRestore } = actionRoundTrip(harness, 'outside')

beforeAll(async () => {
  supabase = await startPostgres()
}, 120_000)

afterAll(async () => {
  await supabase?.stop()
})

const filters = (over: Partial<DumpFilters>): DumpFilters => ({
  tables: [],
  excludeTables: [],
  excludeTableData: [],
  schemas: [],
  excludeSchemas: [],
  ...over
})

async function failure(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => {
      throw new Error('the restore succeeded')
    },
    (e: Error) => e
  )
}

describe('Supabase, schemas: public (u53 F2)', () => {
  let source: ManagedDatabase

  beforeAll(async () => {
    source = await supabaseLikeSource(supabase)
  }, 60_000)

  it('the backup warns of each foreign key onto auth.users, with the way out', async () => {
    const result = await harness.backup(
      testBackupInputs(source.url, {
        artifactName: 'outside-warn',
        filters: filters({ schemas: ['public'] })
      })
    )
    const keys = (result.warnings ?? []).filter(w => /restores only into a database whose/.test(w))
    expect(keys).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^This backup restores only into a database whose auth\.users holds the rows public\.profiles refers to: public\.profiles's foreign key profiles_id_fkey references auth\.users, which the backup leaves out \(its schema auth is not in schemas\) .* Back up the whole database \(no schemas or tables\) to take auth\.users's rows too/
        ),
        expect.stringMatching(
          /public\.todos's foreign key todos_user_id_fkey references auth\.users/
        )
      ])
    )
  })

  it("the restore of that backup into a new project names auth.users, the key, and the backup's selection", async () => {
    const backup = await actionBackup(source.url, { filters: filters({ schemas: ['public'] }) })
    const target = await supabaseLikeTarget(supabase)
    const before = await managedChecksums(target)
    const error = await failure(actionRestore(target, backup))
    expect(error.message).toMatch(
      /The foreign key (profiles_id_fkey|todos_user_id_fkey|documents_owner_id_fkey) of public\.\w+ references auth\.users, which this restore does not create: the backup does not hold it: it was made with schemas: public; so the key was checked against the target's own auth\.users \(0 rows\), which lacks keys \(\w+\) that rows of public\.\w+ refer to/
    )
    expect(error.message).toMatch(/Ways out: back up the whole database \(no schemas/)
    expect(error.message).not.toMatch(/were not loaded because/)
    expect(await managedChecksums(target)).toEqual(before)
  })

  it('a plain pg_dump --schema=public file: the same message', async () => {
    const file = path.join(harness.tempRoot, 'public.sql')
    await dumpByHand(source, file, { format: 'plain', args: ['--schema=public'] })
    const target = await supabaseLikeTarget(supabase)
    const error = await failure(actionRestore(target, { kind: 'file', path: file }))
    expect(error.message).toMatch(
      /references auth\.users, which this restore does not create: the backup does not hold it \(a backup of some schemas or tables only, as pg_dump --schema=public writes\); so the key was checked against the target's own auth\.users \(0 rows\), which lacks keys \(\w+\)/
    )
    expect(error.message).toMatch(/Ways out: back up the whole database/)
  })
})

describe('Supabase, over a project that lacks users the backup has (u53 F1 step 4)', () => {
  it('clean + clean-drop-dependents + schemas: public: not sent to schemas: public,auth; the DELETEs and the whole restore', async () => {
    const source = await supabaseLikeSource(supabase)
    const first = await actionBackup(source.url)
    const target = await supabaseLikeTarget(supabase)
    await actionRestore(target, first)
    // a user signs up in the source after the copy: the trigger makes the profile
    await source.instance.admin.query(
      source.database,
      `INSERT INTO auth.users (instance_id, id, aud, role, email, raw_user_meta_data, created_at, updated_at)
       VALUES ('00000000-0000-0000-0000-000000000000', 'aaaaaaaa-0000-4000-8000-000000000001', 'authenticated',
               'authenticated', 'new@example.com', '{"full_name": "New"}', now(), now())`
    )
    const second = await actionBackup(source.url)
    const error = await failure(
      actionRestore(target, second, {
        clean: true,
        cleanDropDependents: true,
        schemas: ['public']
      })
    )
    expect(error.message).toMatch(
      /references auth\.users, which this restore does not create: the backup holds it \(4 rows\), but this restore's selection \(schemas: public\) leaves it out; so the key was checked against the target's own auth\.users \(3 rows\), which lacks keys \(id\)/
    )
    expect(error.message).toMatch(
      /Adding auth to the selection does not serve: the restoring role does not own auth\.users \(\w+ does\), so clean cannot drop it/
    )
    expect(error.message).toMatch(/DELETE FROM auth\.users;/)
    expect(error.message).toMatch(/then restore the whole backup without clean\./)
    expect(error.message).not.toMatch(/schemas: public,auth/)
    expect(error.message).not.toMatch(/were not loaded because the target's auth\.users holds/)
  })
})

describe('a tables selection whose foreign key points at a table left out', () => {
  it('the backup warns; a restore-time schemas selection that fails on such a key says to add its schema', async () => {
    const db = 'outside_tables'
    await harness.server.query('postgres', `CREATE DATABASE ${db}`)
    await harness.server.query(
      db,
      `CREATE TABLE public.customers (id int PRIMARY KEY);
       CREATE TABLE public.orders (id int PRIMARY KEY, customer_id int NOT NULL REFERENCES public.customers);
       INSERT INTO public.customers SELECT g FROM generate_series(1, 3) g;
       INSERT INTO public.orders SELECT g, g FROM generate_series(1, 3) g;`
    )
    const result = await harness.backup(
      testBackupInputs(harness.server.url(db), {
        artifactName: 'outside-tables',
        filters: filters({ tables: ['public.orders'] })
      })
    )
    expect(result.warnings ?? []).toEqual([
      expect.stringMatching(
        /^This backup restores only into a database whose public\.customers holds the rows public\.orders refers to: public\.orders's foreign key orders_customer_id_fkey references public\.customers, which the backup leaves out \(it is not in tables\)/
      )
    ])
    // a restore-time schemas selection (pg_restore --table brings no foreign keys): orders' key
    // onto a table of a schema it leaves out, which the target holds empty
    const split = 'outside_split'
    await harness.server.query('postgres', `CREATE DATABASE ${split}`)
    await harness.server.query(
      split,
      `CREATE SCHEMA ref; CREATE TABLE ref.customers (id int PRIMARY KEY);
       CREATE TABLE public.orders (id int PRIMARY KEY, customer_id int NOT NULL REFERENCES ref.customers);
       INSERT INTO ref.customers SELECT g FROM generate_series(1, 3) g;
       INSERT INTO public.orders SELECT g, g FROM generate_series(1, 3) g;`
    )
    const whole = await actionBackup(harness.server.url(split))
    const target = 'outside_split_target'
    await harness.server.query('postgres', `CREATE DATABASE ${target}`)
    await harness.server.query(
      target,
      'CREATE SCHEMA ref; CREATE TABLE ref.customers (id int PRIMARY KEY)'
    )
    const error = await failure(
      harness.restore(
        testRestoreInputs(harness.server.url(target), whole, {
          schemas: ['public'],
          allowNonEmpty: true
        })
      )
    )
    expect(error.message).toMatch(
      /The foreign key orders_customer_id_fkey of public\.orders references ref\.customers, which this restore does not create: the backup holds it \(3 rows\), but this restore's selection \(schemas: public\) leaves it out; so the key was checked against the target's own ref\.customers, which lacks keys \(customer_id\) .*Ways out: add its schema to the selection \(schemas: public,ref\), or restore the whole backup/
    )
  })
})
