/**
 * A load that fails on a foreign key onto rows the restore withheld (the provider's table that
 * holds rows in the target) says why (F6), and a data-only load's key failure says where the
 * rows go; another error gets no note.
 */
import { describe, expect, it } from '@jest/globals'
import { foreignKeyNote } from '../../src/modes/restore.js'
import type { ProviderSchema } from '../../src/postgres/target-policy.js'

const auth = (rows: number): ProviderSchema => ({
  name: 'auth',
  owner: 'supabase_admin',
  tables: [{ name: 'users', columns: [], rows, insertable: true }],
  relations: [],
  functions: [],
  types: [],
  constraints: [],
  triggers: [],
  policies: []
})

const FAILED =
  'psql: ERROR: insert or update on table "orders" violates foreign key constraint "orders_user_id_fkey" | DETAIL: Key (user_id)=(6f1c) is not present in table "users".'

describe('foreignKeyNote', () => {
  it('names the provider table whose rows were kept, and what to do', () => {
    expect(foreignKeyNote(FAILED, {}, { providerSchemas: [auth(1)] })).toBe(
      " Note: the backup's rows of auth.users were not loaded because the target's auth.users holds 1 row (the provider's table: its rows are kept), so rows that refer to the backup's are refused by orders_user_id_fkey: restore into a project nobody has used yet, or delete the target's rows (DELETE FROM auth.users;) and restore again."
    )
  })

  it('data-only: the target keys the rows go under', () => {
    expect(foreignKeyNote(FAILED, { dataOnly: true }, { providerSchemas: [auth(0)] })).toMatch(
      /^ Note: data-only loads the backup's rows into the target's tables under the target's own foreign keys \(orders_user_id_fkey\): a row refers to one of "users" that is in neither the backup nor the target — or that comes later in the archive/
    )
  })

  it('no note where the load was never to fill the table (schemas: public): not the cause (u53 F1 step 6)', () => {
    const plan = { tableData: [{ schema: 'public', name: 'orders' }] }
    expect(foreignKeyNote(FAILED, {}, { providerSchemas: [auth(3000)] }, plan)).toBe('')
    // a platform's bookkeeping table the load was to fill keeps the target's rows: said
    const bookkeeping = { ...auth(2), owner: 'supabase_admin' }
    bookkeeping.tables = [{ name: 'schema_migrations', columns: [], rows: 2, insertable: true }]
    expect(
      foreignKeyNote(
        FAILED.replace('"users"', '"schema_migrations"'),
        {},
        { providerSchemas: [bookkeeping] },
        { tableData: [{ schema: 'auth', name: 'schema_migrations' }] }
      )
    ).toMatch(/^ Note: the backup's rows of auth\.schema_migrations were not loaded because/)
  })

  it("no note for a plain script that has no rows of the table (pg_dump --schema=public: trial u57 F2, the note advised deleting the project's own users)", () => {
    const plain = { copyTables: [{ schema: 'public', name: 'orders' }], insertTables: [] }
    expect(
      foreignKeyNote(
        FAILED,
        {},
        { providerSchemas: [auth(2)] },
        {
          plain: plain as unknown as NonNullable<Parameters<typeof foreignKeyNote>[3]>['plain']
        }
      )
    ).toBe('')
  })

  it('no note for another error, or a table the target kept no rows of', () => {
    expect(foreignKeyNote('psql: ERROR: duplicate key', {}, { providerSchemas: [auth(1)] })).toBe(
      ''
    )
    expect(foreignKeyNote(FAILED, {}, { providerSchemas: [auth(0)] })).toBe('')
  })
})
