/**
 * The backup's schemas that are the user's (restore.ts ownSchemas), which clean's refusal and the
 * schemas restore's warning advise restoring: not the provider's, not a schema of the target
 * another role owns (attacker a73 F7: the advice named the schema clean could not drop in, and
 * following it refused again), not PostgreSQL's; a platform's name only where it is the target's
 * provider schema (a73 F7: auth was left out on a target without one).
 */
import { describe, expect, it } from '@jest/globals'
import { ownSchemas } from '../../src/modes/restore.js'
import { parseArchiveToc } from '../../src/postgres/toc.js'
import { tocEntry } from '../support/toc-entry.js'

const entries = [
  tocEntry('SCHEMA', null, 'billing'),
  tocEntry('TABLE', 'billing', 'invoices'),
  tocEntry('TABLE', 'public', 'notes'),
  tocEntry('TABLE', 'auth', 'users'),
  tocEntry('TABLE', 'we,ird', 'x'),
  tocEntry('TABLE', 'storage', 'objects')
]
const plan = {
  tocRead: { toc: { entries } as unknown as ReturnType<typeof parseArchiveToc> }
} as unknown as Parameters<typeof ownSchemas>[0]

const facts = (more: Partial<Parameters<typeof ownSchemas>[1]> = {}) => ({
  providerSchemas: [],
  schemas: [],
  settableRoles: ['app'],
  superuser: false,
  ...more
})

describe('ownSchemas', () => {
  it("every schema the backup puts objects in, on a target with none of them (auth included: it is no provider's there)", () => {
    expect(ownSchemas(plan, facts())).toEqual(['auth', 'billing', 'public', 'storage', 'we,ird'])
  })

  it("leaves out the target's provider schemas and a schema another role owns", () => {
    expect(
      ownSchemas(
        plan,
        facts({
          providerSchemas: [
            { name: 'auth', owner: 'supabase_admin' },
            { name: 'storage', owner: 'supabase_admin' }
          ] as Parameters<typeof ownSchemas>[1]['providerSchemas'],
          schemas: [
            { name: 'we,ird', owner: 'prov', relations: 1 },
            { name: 'billing', owner: 'app', relations: 1 },
            { name: 'public', owner: 'pg_database_owner', relations: 0 }
          ]
        })
      )
    ).toEqual(['billing', 'public'])
  })

  it("leaves out a platform's schema the target has, whoever owns it (supabase_migrations: the platform's bookkeeping)", () => {
    expect(
      ownSchemas(plan, facts({ schemas: [{ name: 'storage', owner: 'app', relations: 1 }] }))
    ).toEqual(['auth', 'billing', 'public', 'we,ird'])
  })
})
