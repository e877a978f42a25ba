/**
 * What restore says before and after its load about the target (modes/restore.ts): tables
 * clean replaces that hold rows newer than the backup, grants to roles the target lacks.
 */
import { describe, expect, it } from '@jest/globals'
import type { Manifest } from '../../src/manifest.js'
import {
  actAsWarning,
  forRoleDefaultsWarning,
  lackingRolesWarning,
  newerMajorNote,
  newerFeatures,
  newerRows
} from '../../src/modes/restore.js'
import type { ExistingTable } from '../../src/postgres/target.js'

const table = (name: string, rows: number, extra: Partial<ExistingTable> = {}): ExistingTable => ({
  schema: 'sales',
  name,
  rows,
  estimated: false,
  ...extra
})

const manifest = {
  rowCounts: {
    tables: [
      { schema: 'sales', name: 'customers', rows: 1000 },
      { schema: 'sales', name: 'orders', rows: 4000 },
      { schema: 'sales', name: 'notes', rows: null }
    ]
  }
} as unknown as Manifest

describe('newerRows (trial u19 F4)', () => {
  it('names the replaced tables holding more rows now than the backup has', () => {
    expect(
      newerRows(
        [
          table('customers', 1001),
          table('orders', 4000),
          table('notes', 7),
          table('big', 99, { estimated: true })
        ],
        manifest
      )
    ).toBe(
      "clean replaces 1 table of the target that holds more rows now than the backup has: sales.customers (1001 now, 1000 in the backup). Rows added since the backup was made are gone after this restore (the restore puts the backup's rows back, as pg_restore --clean does); a backup of the target made first (mode: backup) keeps them."
    )
  })

  it('says nothing without a manifest, for estimates, partitioned parents, or fewer rows', () => {
    expect(newerRows([table('customers', 1001)], undefined)).toBeUndefined()
    expect(
      newerRows(
        [
          table('customers', 1001, { estimated: true }),
          table('orders', 5000, { partitioned: true }),
          table('orders', 3000)
        ],
        manifest
      )
    ).toBeUndefined()
  })
})

describe('lackingRolesWarning (trial u19 F5)', () => {
  it('names the missing roles once, with the grants left out and what to do', () => {
    const warning = lackingRolesWarning([
      {
        reason: 'GRANT not restored: role "readonly" does not exist in the target',
        count: 10,
        samples: []
      },
      {
        reason: 'default privileges not restored: role "readonly" does not exist in the target',
        count: 1,
        samples: []
      },
      { reason: 'owner not set: role "app" does not exist in the target', count: 3, samples: [] }
    ])
    expect(warning).toBe(
      'The target lacks the role "readonly": 11 grants of the backup to it (GRANT, default privileges, row-level security policies) were not restored, so that role has no access to the restored objects here. Create it (CREATE ROLE "readonly" NOLOGIN;) and restore again with clean: true, or restore with create-roles: true from a backup made with globals: true.'
    )
    expect(
      lackingRolesWarning([
        { reason: 'owner not set: role "app" does not exist in the target', count: 1, samples: [] }
      ])
    ).toBeUndefined()
  })

  it("gives the backup's own GRANTs to run once the role exists, where each was kept (trial u44 F4)", () => {
    const grants = [
      'GRANT SELECT ON TABLE public.orders TO app_readonly;',
      'GRANT SELECT ON TABLE public.customers TO app_readonly;'
    ]
    const group = {
      reason: 'GRANT not restored: role "app_readonly" does not exist in the target',
      count: 2,
      samples: grants.map((text, i) => ({ line: i + 1, text })),
      statements: grants
    }
    expect(lackingRolesWarning([group])).toBe(
      `The target lacks the role "app_readonly": 2 grants of the backup to it (GRANT, default privileges, row-level security policies) were not restored, so that role has no access to the restored objects here. Create it (CREATE ROLE "app_readonly" NOLOGIN;), then run the backup's 2 GRANTs to it: ${grants.join(' ')}; or create it and restore again with clean: true, or restore with create-roles: true from a backup made with globals: true.`
    )
    // with its policies too: those come back only with clean
    expect(
      lackingRolesWarning([
        group,
        {
          reason: 'policy not restored: role "app_readonly" does not exist in the target',
          count: 1,
          samples: []
        }
      ])
    ).toContain(
      'GRANT SELECT ON TABLE public.customers TO app_readonly; (its default privileges and policies come back only with a restore again with clean: true); or create it'
    )
    // more than were kept: not given
    expect(lackingRolesWarning([{ ...group, count: 7 }])).not.toContain('then run')
  })

  it('of a backup made with globals: true, says that create-roles needs nothing more (trial u24 F4)', () => {
    const warning = lackingRolesWarning(
      [
        {
          reason: 'GRANT not restored: role "analytics" does not exist in the target',
          count: 2,
          samples: []
        }
      ],
      true
    )
    expect(warning).toMatch(
      /or restore with create-roles: true \(this backup holds its roles: it was made with globals: true\)\.$/
    )
    expect(warning).not.toContain('from a backup made with')
  })
})

describe('actAsWarning (trial u35 F7)', () => {
  it('names the roles the restoring role may not act as, with the GRANT that lets it', () => {
    const warning = actAsWarning(
      [
        {
          reason:
            'owner not set: shop_owner may not act as "shop_etl" (needs membership or superuser)',
          count: 3,
          samples: []
        },
        {
          reason:
            'default privileges not restored: shop_owner may not act as "shop_etl", "We""ird" (needs membership or superuser)',
          count: 1,
          samples: []
        },
        {
          reason:
            'owner not set: shop_owner may not act as "rdsadmin" (needs membership or superuser)',
          count: 2,
          samples: []
        },
        { reason: 'owner not set: role "app" does not exist in the target', count: 1, samples: [] }
      ],
      { currentUser: 'shop_owner', superusers: ['rdsadmin'] }
    )
    expect(warning).toContain('shop_owner may not act as the role shop_etl ')
    expect(warning).toContain("3 owners of the backup's objects (ALTER … OWNER TO) were not set")
    expect(warning).toContain('run GRANT shop_etl TO shop_owner; (')
    // default privileges are forRoleDefaultsWarning's
    expect(warning).not.toContain('We')
    expect(warning).toContain('PostgreSQL 16 and later')
    // a superuser's role (the platform's) is no GRANT away
    expect(warning).not.toContain('rdsadmin')
    expect(
      actAsWarning(
        [
          {
            reason:
              'owner not set: postgres may not act as "supabase_admin" (needs membership or superuser)',
            count: 9,
            samples: []
          }
        ],
        { currentUser: 'postgres', superusers: ['supabase_admin'] }
      )
    ).toBeUndefined()
  })
})

describe('forRoleDefaultsWarning (trial u36 F1)', () => {
  const statement =
    'ALTER DEFAULT PRIVILEGES FOR ROLE neondb_owner IN SCHEMA app GRANT SELECT ON TABLES TO app_reader;'
  it('names what the skipped defaults gave, and gives them again for the restoring role', () => {
    const missing = {
      reason:
        'default privileges not restored: their role "neondb_owner" does not exist in the target',
      count: 1,
      samples: [{ line: 40, text: statement }],
      statements: [statement]
    }
    const warning = forRoleDefaultsWarning([missing], { currentUser: 'app_owner', superusers: [] })
    expect(warning).toContain('(ALTER DEFAULT PRIVILEGES FOR ROLE neondb_owner) was not restored')
    expect(warning).toContain(
      'ALTER DEFAULT PRIVILEGES FOR ROLE app_owner IN SCHEMA app GRANT SELECT ON TABLES TO app_reader;'
    )
    // not counted as grants to the owner role (it was: "1 grant of the backup to it")
    expect(lackingRolesWarning([missing])).toBeUndefined()
    // the same when the role exists and the restoring role may not act as it
    expect(
      forRoleDefaultsWarning(
        [
          {
            reason:
              'default privileges not restored: app_owner may not act as "Neon Owner" (needs membership or superuser)',
            count: 2,
            samples: [
              {
                line: 3,
                text: 'ALTER DEFAULT PRIVILEGES FOR USER "Neon Owner" GRANT USAGE ON SEQUENCES TO app_reader;'
              }
            ],
            // as written: the display's shortening collapses a quoted name's spaces (a60 F5)
            statements: [
              'ALTER DEFAULT PRIVILEGES FOR USER "Neon Owner" GRANT USAGE ON SEQUENCES TO "app  reader";\n'
            ]
          }
        ],
        { currentUser: 'App Owner', superusers: [] }
      )
    ).toContain(
      'ALTER DEFAULT PRIVILEGES FOR ROLE "App Owner" GRANT USAGE ON SEQUENCES TO "app  reader";'
    )
  })

  it("leaves a superuser's (a platform's) and grantees' problems to the skip list", () => {
    expect(
      forRoleDefaultsWarning(
        [
          {
            reason:
              'default privileges not restored: neondb_owner may not act as "cloud_admin" (needs membership or superuser)',
            count: 4,
            samples: [
              {
                line: 9,
                text: 'ALTER DEFAULT PRIVILEGES FOR ROLE cloud_admin IN SCHEMA public GRANT ALL ON TABLES TO neon_superuser WITH GRANT OPTION;'
              }
            ],
            statements: [
              'ALTER DEFAULT PRIVILEGES FOR ROLE cloud_admin IN SCHEMA public GRANT ALL ON TABLES TO neon_superuser WITH GRANT OPTION;'
            ]
          },
          {
            reason:
              'default privileges not restored: role "app_readonly" does not exist in the target',
            count: 1,
            samples: [{ line: 12, text: statement.replace('app_reader', 'app_readonly') }]
          }
        ],
        { currentUser: 'neondb_owner', superusers: ['cloud_admin'] }
      )
    ).toBeUndefined()
  })

  it("a Neon backup into a plain server: cloud_admin's defaults are the platform's (not given again, no GRANT cloud_admin); one to a role the target lacks is not given, the role named (trial u44 F3)", () => {
    const platform =
      'ALTER DEFAULT PRIVILEGES FOR ROLE cloud_admin IN SCHEMA public GRANT ALL ON SEQUENCES TO neon_superuser WITH GRANT OPTION;'
    const toReader =
      'ALTER DEFAULT PRIVILEGES FOR ROLE neondb_owner IN SCHEMA public GRANT SELECT ON TABLES TO app_readonly;'
    const toApp =
      'ALTER DEFAULT PRIVILEGES FOR ROLE neondb_owner IN SCHEMA public GRANT SELECT ON TABLES TO app_rw;'
    const facts = { currentUser: 'appowner', superusers: [], roles: ['appowner', 'app_rw'] }
    const group = (role: string, statements: string[]) => ({
      reason: `default privileges not restored: their role "${role}" does not exist in the target`,
      count: statements.length,
      samples: statements.map((text, i) => ({ line: i + 1, text })),
      statements
    })
    expect(forRoleDefaultsWarning([group('cloud_admin', [platform])], facts)).toBeUndefined()
    const warning = forRoleDefaultsWarning(
      [group('cloud_admin', [platform]), group('neondb_owner', [toReader, toApp])],
      facts
    )!
    expect(warning).toContain(
      'ALTER DEFAULT PRIVILEGES FOR ROLE appowner IN SCHEMA public GRANT SELECT ON TABLES TO app_rw;'
    )
    expect(warning).not.toContain('TO app_readonly;')
    expect(warning).toContain(
      'those to app_readonly, a role the target lacks, only once it exists (CREATE ROLE … NOLOGIN first)'
    )
    expect(warning).not.toMatch(/cloud_admin|neon_superuser/)
    expect(warning).toContain('(GRANT neondb_owner TO appowner;)')
  })
})

describe('newerMajorNote', () => {
  const backup = { version: '18.1', major: 18, from: 'archive header' } as Parameters<
    typeof newerMajorNote
  >[0]
  const target = { version: '17.6 (Debian)', major: 17 }

  it('in one transaction a failing object keeps nothing; without one what loaded stays (trial u43 F17)', () => {
    expect(newerMajorNote(backup, target)).toContain('each stopping the load and keeping nothing')
    const parallel = newerMajorNote(backup, target, false, false)
    expect(parallel).toContain(
      'each stopping the load where what loaded before it stays (no single transaction)'
    )
    expect(parallel).not.toContain('keeping nothing')
  })

  it("names only features of the majors between the target's and the backup's (trial u58 F1)", () => {
    const from17 = { ...backup!, version: '17.10', major: 17 }
    const into15 = newerMajorNote(from17, { version: '15.18', major: 15 })!
    // a 17 backup cannot hold what 18 added; what 16 added can break a 15 target
    expect(into15).toContain('PostgreSQL 16–17: e.g. JSON_TABLE')
    expect(into15).toMatch(/any_value\(\).* in 16\)/)
    expect(into15).not.toMatch(/uuidv7|VIRTUAL/)
    const into17 = newerMajorNote(backup, target)!
    expect(into17).toMatch(/PostgreSQL 18: e\.g\. uuidv7\(\).* in 18\)/)
    expect(into17).not.toMatch(/JSON_TABLE|any_value/)
    expect(newerFeatures(13, 14)).toBe('multirange types, BEGIN ATOMIC function bodies in 14')
    expect(newerFeatures(17, 17)).toBeUndefined()
  })
})
