/**
 * The net's statements and its message (src/postgres/unchanged.ts); the net itself against real
 * PostgreSQL: __tests__/integration/restore-net.test.ts.
 */
import { describe, expect, it } from '@jest/globals'
import {
  NET_MARKER,
  changedObjectsMessage,
  namedIn,
  unchangedCheck
} from '../../src/postgres/unchanged.js'

describe('changedObjectsMessage', () => {
  it("names what psql's ERROR line says changed, and that nothing was restored", () => {
    const stderr = `psql:<stdin>:40: ERROR:  ${NET_MARKER}public.users: 2 rows deleted by the restore's own transaction; public.users: gets a trigger\nCONTEXT:  PL/pgSQL function inline_code_block line 80 at RAISE\n`
    expect(changedObjectsMessage(stderr)).toBe(
      "the restore changed objects of the target that the backup does not own — public.users: 2 rows deleted by the restore's own transaction; public.users: gets a trigger. Checked in the restore's own transaction before its COMMIT (a change by another session meanwhile is named too): it was rolled back, nothing was restored — but for what went through a connection of its own (dblink, postgres_fdw: committed by itself, which no rollback undoes). The backup holds statements that act on the target's own objects (a trigger, rule, view, function or inheritance of the backup, or SQL in its data) — which a backup of this very database does too when the restore brings a part of it next to the rest (a view of the backup over a table the target keeps, granted to other roles, where the target had no such view or granted it to fewer roles): restore it into an empty database and look at what it does there; if it is a backup pg_dump made of this database that you trust, restore it by hand (pg_restore --single-transaction --exit-on-error -d <url> <archive>), which does not check this."
    )
  })

  it('suggests the by-hand command of the selection (u52 F2: -t for a schema), and names no internal trial', () => {
    const stderr = `psql:<stdin>:40: ERROR:  ${NET_MARKER}public.accounts: the view analytics.v reads it\n`
    const command = (selection: Parameters<typeof changedObjectsMessage>[1]): string =>
      /\((pg_restore [^)]*)\)/.exec(changedObjectsMessage(stderr, selection) ?? '')?.[1] ?? ''
    expect(command({ schemas: ['analytics'], tables: [], clean: true })).toBe(
      'pg_restore --single-transaction --exit-on-error --clean -n analytics -d <url> <archive>'
    )
    expect(command({ schemas: [], tables: ['events', 'shop.orders'], clean: false })).toBe(
      'pg_restore --single-transaction --exit-on-error -n shop -t events -t orders -d <url> <archive>'
    )
    expect(command({ schemas: ["it's"], tables: [] })).toBe(
      `pg_restore --single-transaction --exit-on-error -n 'it'\\''s' -d <url> <archive>`
    )
    expect(command({ schemas: [], tables: [], clean: true })).toBe(
      'pg_restore --single-transaction --exit-on-error --clean -d <url> <archive>'
    )
    expect(changedObjectsMessage(stderr, { schemas: ['analytics'] })).toMatch(
      /restore that part by hand/
    )
    expect(changedObjectsMessage(stderr)).not.toMatch(/trial|attacker/)
  })

  it("is not fooled by the check's own text quoted in another error", () => {
    const stderr = `psql:<stdin>:40: ERROR:  syntax error at or near "x"\nLINE 3: ... RAISE EXCEPTION '%', $msg$${NET_MARKER}$msg$ x\n`
    expect(changedObjectsMessage(stderr)).toBeUndefined()
    expect(
      changedObjectsMessage('psql:<stdin>:3: ERROR:  relation "t" already exists\n')
    ).toBeUndefined()
  })

  it('track_counts off: refuses to vouch', () => {
    const stderr =
      'psql:<stdin>:40: ERROR:  restore net: track_counts is off in the restore session, so the restore cannot prove that it wrote no rows into tables of the target it does not own\n'
    expect(changedObjectsMessage(stderr)).toMatch(
      /^the restore cannot check its own transaction: track_counts is off .*nothing was restored/
    )
  })
})

describe('unchangedCheck', () => {
  it('pins search_path, then one DO block holding the recorded set; names survive any quoting', () => {
    const [close, immediate, session, role, path, timeout, block] = unchangedCheck({
      relations: [{ oid: 16384, name: `"a$want$b"."it's"`, kind: 'r', fp: { name: 'x' } }],
      largeObjects: [424242]
    })
    // hold cursors closed, deferred triggers fired before the check; it runs as the role that connected
    expect([close, immediate, session, role]).toEqual([
      'CLOSE ALL;',
      'SET CONSTRAINTS ALL IMMEDIATE;',
      'RESET SESSION AUTHORIZATION;',
      'RESET ROLE;'
    ])
    expect(path).toBe('SET LOCAL search_path = pg_catalog, pg_temp;')
    // a statement_timeout the backup's code set would cancel the check (attacker a105 L2)
    expect(timeout).toBe('SET LOCAL statement_timeout = 0;')
    expect(block).toMatch(/^DO \$net\$[\s\S]*\$net\$;$/)
    // the name contains $want$: the literal's tag is another one
    expect(block).toContain(`want pg_catalog.jsonb := $want0$`)
    expect(block).toContain(`{"424242":null}`)
  })
})

describe('namedIn', () => {
  it('matches a dependent by its whole name only', () => {
    const text =
      'drop cascades to view public.users_v\ndrop cascades to default value for column x of table "My".t'
    expect(namedIn(text, 'public', 'users')).toBe(false)
    expect(namedIn(text, 'public', 'users_v')).toBe(true)
    expect(namedIn(text, 'My', 't')).toBe(true)
    expect(namedIn(text, 'y', 't')).toBe(false)
    expect(namedIn('drop cascades to table public.users', 'public', 'users')).toBe(true)
  })
})
