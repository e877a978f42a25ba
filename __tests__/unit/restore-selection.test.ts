/**
 * A subset restore's names (src/modes/restore-plan.ts checkSelection) against an archive's TOC:
 * each of `tables` and `schemas` must select something, as pg_restore --table / --schema read
 * them, or the restore would restore nothing and succeed.
 */
import { describe, expect, it } from '@jest/globals'
import { SettingError } from '../../src/errors.js'
import { checkSelection } from '../../src/modes/restore-plan.js'
import type { TocEntry } from '../../src/postgres/toc.js'

let nextId = 1

function entry(desc: string, namespace: string | null, tag: string): TocEntry {
  return {
    dumpId: nextId++,
    hadDumper: desc === 'TABLE DATA',
    tableoid: 0,
    oid: 0,
    tag,
    desc,
    section: desc === 'TABLE DATA' ? 'data' : 'pre-data',
    defn: null,
    dropStmt: null,
    copyStmt: null,
    namespace,
    tablespace: null,
    tableam: null,
    relkind: null,
    owner: 'app',
    withOids: false,
    dependencies: [],
    extra: { format: 'custom', dataState: 'no-data', dataOffset: 0 },
    tocOffset: 0
  }
}

const toc = {
  entries: [
    entry('SCHEMA', null, 'sales'),
    entry('TABLE', 'public', 'items'),
    entry('TABLE DATA', 'public', 'items'),
    entry('TABLE', 'sales', 'orders'),
    entry('VIEW', 'sales', 'order_totals'),
    entry('SEQUENCE', 'public', 'items_id_seq'),
    entry('FUNCTION', 'public', 'total(integer)'),
    entry('SCHEMA', null, 'Mixed')
  ]
}

function refusal(tables: string[], schemas: string[]): string | undefined {
  try {
    checkSelection({ tables, schemas }, toc)
    return undefined
  } catch (error) {
    expect(error).toBeInstanceOf(SettingError)
    return (error as Error).message
  }
}

describe('checkSelection', () => {
  it('passes names that select something: tables, views, sequences; schemas with objects', () => {
    expect(refusal(['items'], [])).toBeUndefined()
    expect(refusal(['order_totals', 'items_id_seq'], [])).toBeUndefined()
    expect(refusal([], ['sales'])).toBeUndefined()
    expect(refusal(['orders'], ['sales'])).toBeUndefined()
    expect(refusal([], [])).toBeUndefined()
  })

  it('refuses a table that is not there, naming it', () => {
    expect(refusal(['nosuch'], [])).toMatch(
      /'nosuch' is no table, view or sequence of this backup \(names are exact/
    )
    // a function is no table for pg_restore --table
    expect(refusal(['total(integer)'], [])).toMatch(/is no table, view or sequence/)
  })

  it('refuses a table outside the schemas given', () => {
    expect(refusal(['items'], ['sales'])).toMatch(
      /'items' is no table, view or sequence of this backup in the schemas given \(sales\)/
    )
  })

  it('a schema-qualified name: says to give the bare name and the schema in schemas', () => {
    expect(refusal(['public.items'], [])).toMatch(
      /'public\.items': give the table's name without its schema, as pg_restore --table takes it \('items'\), and its schema in 'schemas' \('public'\)/
    )
  })

  it('refuses a schema with nothing in it in this backup, with a near name when case differs', () => {
    expect(refusal([], ['nosuch'])).toMatch(/'nosuch' is no schema with objects in this backup/)
    // SCHEMA entries have no namespace: "Mixed" holds nothing here, "mixed" is a hint only
    expect(refusal([], ['mixed'])).toMatch(/'mixed' is no schema with objects in this backup/)
  })
})
