/**
 * TOC entries for unit tests of what the engine reads off an archive's table of contents
 * (clean's drop list, restore's selection and data-only checks, verify's comparison).
 */
import type { TocEntry } from '../../src/postgres/toc.js'

let nextId = 1

/**
 * An entry of `desc` (TABLE, TABLE DATA, SCHEMA, …) named `namespace`.`tag`, with a new dumpId
 * (1, 2, … in each test file) and the rest as pg_dump writes an entry of a custom archive: a
 * TABLE DATA entry has a data dumper and is in the data section, every other one in pre-data;
 * no SQL, owner 'app'. `more` sets any field (defn, dropStmt, copyStmt, dependencies, extra…).
 */
export function tocEntry(
  desc: string,
  namespace: string | null,
  tag: string,
  more: Partial<TocEntry> = {}
): TocEntry {
  const data = desc === 'TABLE DATA'
  return {
    dumpId: nextId++,
    hadDumper: data,
    tableoid: 0,
    oid: 0,
    tag,
    desc,
    section: data ? 'data' : 'pre-data',
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
    tocOffset: 0,
    ...more
  }
}
