/**
 * What restore-plan.ts reads off an archive's TOC before anything runs: a subset restore's names
 * (checkSelection: each of `tables` and `schemas` must select something, as pg_restore --table /
 * --schema read them, or the restore would restore nothing and succeed), and the tables and
 * sequences a backup fills without creating them (archiveDataOnly: from the entries' SQL, not
 * their tags).
 */
import { describe, expect, it } from '@jest/globals'
import { SettingError } from '../../src/errors.js'
import {
  archiveDataOnly,
  checkSelection,
  unnamedOwnedSequences
} from '../../src/modes/restore-plan.js'
import type { ArchiveToc, TocEntry } from '../../src/postgres/toc.js'
import { tocEntry } from '../support/toc-entry.js'

const entry = tocEntry

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

  it('a name a typo away from one of the backup: suggests it (trial u33 F4)', () => {
    expect(refusal(['order'], [])).toMatch(
      /'order' is no table, view or sequence of this backup \(names are exact[^)]*\)\. Did you mean 'orders'\? Nothing was restored\./
    )
    expect(refusal(['Items'], [])).toMatch(/Did you mean 'items'\?/)
    expect(refusal(['nosuch'], [])).not.toMatch(/Did you mean/)
  })

  it('refuses a table outside the schemas given', () => {
    expect(refusal(['items'], ['sales'])).toMatch(
      /'items' is no table, view or sequence of this backup in the schemas given \(sales\)/
    )
  })

  it('a schema-qualified name: says to give the bare name and the schema in schemas', () => {
    expect(refusal(['public.items'], [])).toMatch(
      /'public\.items': give the table's name without its schema, as pg_restore --table takes it \('items'\), and its schema in 'schemas' \('public'\)[^]*or both in double quotes as SQL writes them \(tables: "public"\."items"\)/
    )
  })

  it('refuses a schema with nothing in it in this backup, with a near name when case differs', () => {
    expect(refusal([], ['nosuch'])).toMatch(/'nosuch' is no schema with objects in this backup/)
    // SCHEMA entries have no namespace: "Mixed" holds nothing here, "mixed" is a hint only
    expect(refusal([], ['mixed'])).toMatch(/'mixed' is no schema with objects in this backup/)
    // a typo: the near schema of the backup (re-trial u42 F4)
    expect(refusal([], ['publc'])).toMatch(/Did you mean 'public'\?/)
    expect(refusal([], ['nosuch'])).not.toMatch(/Did you mean/)
  })
})

describe('archiveDataOnly', () => {
  const archive = (entries: TocEntry[]): ArchiveToc => ({ entries }) as unknown as ArchiveToc
  const names = (toc: ArchiveToc, kind: 'TABLE' | 'SEQUENCE'): string[] =>
    archiveDataOnly({ tables: [], schemas: [] }, toc, kind).map(t => `${t.schema}.${t.name}`)

  it("a whole backup (pg_dump's own entries) fills only what it creates", () => {
    const toc = archive([
      entry('TABLE', 'public', 'items', {
        defn: 'CREATE TABLE public.items (\n    id integer\n);\n'
      }),
      entry('SEQUENCE', 'public', 'items_id_seq', {
        defn: 'CREATE SEQUENCE public.items_id_seq\n    START WITH 1;\n'
      }),
      entry('TABLE DATA', 'public', 'items', { copyStmt: 'COPY public.items (id) FROM stdin;\n' }),
      entry('SEQUENCE SET', 'public', 'items_id_seq', {
        defn: "SELECT pg_catalog.setval('public.items_id_seq', 3, true);\n"
      })
    ])
    expect(names(toc, 'TABLE')).toEqual([])
    expect(names(toc, 'SEQUENCE')).toEqual([])
  })

  it('a --data-only backup: its tables and sequences', () => {
    const toc = archive([
      entry('TABLE DATA', 'public', 'items', { copyStmt: 'COPY public.items (id) FROM stdin;\n' }),
      entry('SEQUENCE SET', 'public', 'items_id_seq', {
        defn: "SELECT pg_catalog.setval('public.items_id_seq', 3, true);\n"
      })
    ])
    expect(names(toc, 'TABLE')).toEqual(['public.items'])
    expect(names(toc, 'SEQUENCE')).toEqual(['public.items_id_seq'])
  })

  it("a TABLE entry tagged as the target's table whose SQL creates another: that table is not created", () => {
    const toc = archive([
      entry('TABLE', 'public', 'victim', { defn: 'CREATE TABLE public.decoy (a text);\n' }),
      entry('TABLE DATA', 'public', 'victim', { copyStmt: 'COPY public.victim (a) FROM stdin;\n' })
    ])
    expect(names(toc, 'TABLE')).toEqual(['public.victim'])
  })

  it('a data entry whose COPY names another table than its tag: both count as filled', () => {
    const toc = archive([
      entry('TABLE', 'public', 'decoy', { defn: 'CREATE TABLE public.decoy (a text);\n' }),
      entry('TABLE DATA', 'public', 'decoy', { copyStmt: 'COPY public.victim (a) FROM stdin;\n' })
    ])
    expect(names(toc, 'TABLE')).toEqual(['public.victim'])
  })

  it('a SEQUENCE SET whose setval names another sequence than its tag', () => {
    const toc = archive([
      entry('SEQUENCE', 'public', 's', { defn: 'CREATE SEQUENCE public.s;\n' }),
      entry('SEQUENCE SET', 'public', 's', {
        defn: "SELECT pg_catalog.setval('public.victim_seq', 1, false);\n"
      })
    ])
    expect(names(toc, 'SEQUENCE')).toEqual(['public.victim_seq'])
  })
})

describe('data-only with tables: the sequences of the tables named, not named themselves (trial u14 F3)', () => {
  // as pg_dump 15 writes them: serial (OWNED BY), identity (the SEQUENCE entry's ALTER TABLE)
  const seqs = {
    entries: [
      entry('TABLE', 'public', 'todos'),
      entry('SEQUENCE', 'public', 'todos_id_seq', {
        defn: 'CREATE SEQUENCE public.todos_id_seq\n    AS integer;\n'
      }),
      entry('SEQUENCE OWNED BY', 'public', 'todos_id_seq', {
        defn: 'ALTER SEQUENCE public.todos_id_seq OWNED BY public.todos.id;\n'
      }),
      entry('TABLE', 'public', 'Users'),
      entry('SEQUENCE', 'public', 'Users_id_seq', {
        defn: 'ALTER TABLE public."Users" ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (\n    SEQUENCE NAME public."Users_id_seq"\n);\n'
      }),
      entry('TABLE', 'public', 'notes'),
      entry('SEQUENCE OWNED BY', 'public', 'notes_id_seq', {
        defn: 'ALTER SEQUENCE public.notes_id_seq OWNED BY public.notes.id;\n'
      }),
      entry('TABLE DATA', 'public', 'todos'),
      entry('TABLE DATA', 'public', 'Users'),
      entry('SEQUENCE SET', 'public', 'todos_id_seq', {
        defn: "SELECT pg_catalog.setval('public.todos_id_seq', 42, true);\n"
      }),
      entry('SEQUENCE SET', 'public', 'Users_id_seq')
    ]
  }
  const selection = (tables: string[], dataOnly = true) => ({ tables, schemas: [], dataOnly })

  it('names them with their table; a sequence without a value in the archive, or named, is not', () => {
    expect(unnamedOwnedSequences(selection(['todos', 'Users', 'notes']), seqs)).toEqual([
      {
        sequence: 'todos_id_seq',
        table: 'todos',
        schema: 'public',
        setval: "SELECT pg_catalog.setval('public.todos_id_seq', 42, true);\n"
      },
      { sequence: 'Users_id_seq', table: 'Users', schema: 'public' }
    ])
    expect(unnamedOwnedSequences(selection(['todos', 'todos_id_seq']), seqs)).toEqual([])
  })

  it('nothing without data-only, or without tables', () => {
    expect(unnamedOwnedSequences(selection(['todos'], false), seqs)).toEqual([])
    expect(unnamedOwnedSequences(selection([]), seqs)).toEqual([])
  })
})
