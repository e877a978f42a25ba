/**
 * Which large objects a backup creates, unlinks and opens, read as pg_restore and the server read
 * them: only pg_dump's own statements, whole, create or unlink one (never a call's text in a
 * string, a comment or a function's body: attacker a103 F1); a BLOB METADATA entry is a list of
 * OIDs, one per line, or refused (a103 F2, F3: pg_restore pastes each line into SQL); lo_open is
 * read where the statement calls it, not in a function's body (a103 F6).
 */
import { describe, expect, it } from '@jest/globals'
import { RestoreError, archiveReferences, referenceColumns } from '../../src/modes/restore-plan.js'
import { openedLargeObjects } from '../../src/postgres/plain-sql.js'
import type { ArchiveToc, TocEntry } from '../../src/postgres/toc.js'
import { tocEntry } from '../support/toc-entry.js'

const NONE = { tables: [], schemas: [] }

function toc(entries: TocEntry[]): ArchiveToc {
  return { entries, encoding: 'UTF8', standardConformingStrings: true } as unknown as ArchiveToc
}

describe('BLOB METADATA: one OID per line, as pg_dump writes it', () => {
  it('creates the OIDs it lists', () => {
    const refs = archiveReferences(
      NONE,
      toc([tocEntry('BLOB METADATA', null, '26500..26501', { defn: '26500\n26501\n' })])
    )
    expect([...refs.largeObjectOids]).toEqual(['26500', '26501'])
  })

  it.each([
    [
      'a last line without its line break, which pg_restore does not create (a103 F2)',
      '26500\n 16500'
    ],
    ['a number spelled otherwise', '26500\n016500\n'],
    [
      'SQL in a line, which pg_restore pastes into lo_create(…) (a103 F3)',
      "26501'); DROP TABLE public.keep; SELECT pg_catalog.lo_create('26502\n"
    ],
    ['nothing', '']
  ])('refuses %s', (_what, defn) => {
    expect(() =>
      archiveReferences(NONE, toc([tocEntry('BLOB METADATA', null, '26500', { defn })]))
    ).toThrow(RestoreError)
    expect(() =>
      archiveReferences(NONE, toc([tocEntry('BLOB METADATA', null, '26500', { defn })]))
    ).toThrow(/not the list of large object OIDs pg_dump writes there.*Nothing was restored/)
  })
})

describe('what pg_restore pastes into SQL from the table of contents (attacker a104)', () => {
  it('a BLOB entry named by anything but an OID is refused (G7: ALTER LARGE OBJECT <tag> OWNER TO …)', () => {
    for (const tag of [
      '26500 OWNER TO postgres; DROP TABLE public.keep; ALTER LARGE OBJECT 26500',
      '26500 (x',
      '026500'
    ])
      expect(() =>
        archiveReferences(
          NONE,
          toc([tocEntry('BLOB', null, tag, { defn: `SELECT pg_catalog.lo_create('26500');\n` })])
        )
      ).toThrow(/is named ".*", not the OID pg_dump names a large object by.*Nothing was restored/)
  })

  it('a BLOB entry whose lo_create is only in a comment does not create it (G7)', () => {
    const refs = archiveReferences(
      NONE,
      toc([
        tocEntry('BLOB', null, '26500', {
          defn: "-- SELECT pg_catalog.lo_create('26500');\n/*\nSELECT pg_catalog.lo_create('26500');\n*/\n"
        })
      ])
    )
    expect([...refs.openedOids.keys()]).toEqual(['26500'])
  })

  it('the GRANTs of a group of large objects: only GRANT and REVOKE without quotes (G1)', () => {
    const acl = (defn: string): TocEntry =>
      tocEntry('ACL', null, 'LARGE OBJECTS 26500..26501', { defn })
    expect(() =>
      archiveReferences(
        NONE,
        toc([
          acl(
            'GRANT SELECT ON LARGE OBJECT 26500 TO app;\nREVOKE ALL ON LARGE OBJECT 26500 FROM "we ird";\nSET SESSION AUTHORIZATION "grantor";\nGRANT SELECT ON LARGE OBJECT 26500 TO other;\nRESET SESSION AUTHORIZATION;\n'
          )
        ])
      )
    ).not.toThrow()
    for (const defn of [
      "COMMENT ON TABLE public.t IS 'x; DROP TABLE public.keep; --';\n",
      "GRANT SELECT ON LARGE OBJECT 26500 TO app; -- ; SELECT lo_put(16500, 0, 'x')\n",
      'GRANT SELECT ON LARGE OBJECT 26500 TO "a;b";\n'
    ])
      expect(() => archiveReferences(NONE, toc([acl(defn)]))).toThrow(
        /not the GRANT or REVOKE pg_dump writes there: pg_restore splits that entry at each ";"/
      )
  })
})

describe("a call's text is no call", () => {
  it("pg_dump 15's BLOB entry creates its large object; a comment naming lo_create does not (a103 F1)", () => {
    const refs = archiveReferences(
      NONE,
      toc([
        tocEntry('BLOB', null, '16400', { defn: "SELECT pg_catalog.lo_create('16400');\n" }),
        tocEntry('COMMENT', 'public', 'TABLE t', {
          defn: "COMMENT ON TABLE public.t IS 'lo_unlink(16500) lo_create(16500)';\n"
        }),
        tocEntry('FUNCTION', 'public', 'helper()', {
          defn: "CREATE FUNCTION public.helper() RETURNS text LANGUAGE sql AS $$ SELECT 'lo_unlink(16501) lo_create(16501)'::text $$;\n"
        }),
        tocEntry('TABLE', 'public', 't', {
          defn: "CREATE TABLE public.t (o oid DEFAULT pg_catalog.lo_create('16502'));\n"
        })
      ])
    )
    expect([...refs.largeObjectOids]).toEqual(['16400'])
    expect([...refs.unlinkedOids]).toEqual([])
  })

  it.each([
    ["SELECT pg_catalog.lo_open('16500', 131072);", ['16500']],
    ["SELECT pg_catalog.lo_open(' 16500', 131072);", ['16500']],
    ["SELECT lo_open('+016500'::oid, 131072);", ['16500']],
    ['SELECT "lo_open"(16500, 131072);', ['*']],
    ['SELECT lo_open((SELECT 16500)::oid, 131072);', ['*']],
    ['SELECT lo_open(oid, 131072) FROM pg_largeobject_metadata;', ['*']],
    ["SELECT pg_catalog.lo_open(pg_catalog.lo_create('16500'), 131072);", []],
    // only that call alone creates what it opens (a104 G5b)
    ['SELECT lo_open(lo_create(0)::int8 * 0 + 16500, 131072);', ['*']],
    // a function's body: its code, not this statement's call (a103 F6: a false refusal)
    [
      'CREATE FUNCTION public.put(o oid) RETURNS integer LANGUAGE sql AS $$ SELECT lo_open(o, 131072) $$;',
      []
    ],
    ["COMMENT ON TABLE public.t IS 'lo_open(16500, 131072)';", []]
  ])('%s opens %j', (text, oids) => {
    expect(openedLargeObjects(text)).toEqual(oids)
  })
})

describe('the columns of a restored table that can refer to a large object (trial u65 F2)', () => {
  it('oid and lo columns as pg_dump writes them, quoted names included; not oid[] nor a column named oid', () => {
    const defn = `CREATE TABLE public.files (
    id integer NOT NULL,
    oid integer,
    content oid NOT NULL,
    "Scan ""2""" oid,
    doc public.lo,
    "Other" "my schema".lo,
    many oid[],
    lobby text
);
`
    expect(referenceColumns('public', 'files', defn)).toEqual([
      { schema: 'public', table: 'files', column: 'content', type: 'oid' },
      { schema: 'public', table: 'files', column: 'Scan "2"', type: 'oid' },
      { schema: 'public', table: 'files', column: 'doc', type: 'public.lo' },
      { schema: 'public', table: 'files', column: 'Other', type: '"my schema".lo' }
    ])
    expect(referenceColumns('public', 'v', 'CREATE VIEW public.v AS\n SELECT 1 AS x;\n')).toEqual(
      []
    )
  })
})
