/**
 * The restore's job summary: the "Skipped while restoring" section lists what the restore left
 * out, by reason, with counts and sample statements (issue 15 items 2 and 7), and never a secret.
 */
import type { Manifest } from '../../src/manifest.js'
import { describe, expect, it } from '@jest/globals'
import type { RestoreResult } from '../../src/modes/restore.js'
import { keptTail } from '../../src/cli.js'
import { comparisonHeadline, differenceLines } from '../../src/postgres/compare.js'
import { groupSkipped } from '../../src/postgres/target-policy.js'
import { clearSecrets, registerSecret } from '../../src/secrets.js'
import {
  equalityMarkdown,
  failureSummaryMarkdown,
  phaseTimesMarkdown,
  plainText,
  restoreSummaryMarkdown,
  restoredTables,
  text,
  skippedMarkdown
} from '../../src/summary.js'

const RESULT: RestoreResult = {
  restoredFrom: 'file shop.dump',
  format: 'custom',
  compression: 'zstd',
  tables: [{ schema: 'public', name: 'orders', rows: 3 }],
  rowsRestored: 3,
  serverVersion: '15.18',
  clientVersion: '17.12',
  durationSeconds: 2,
  skipped: [],
  kept: [],
  warnings: []
}

const SKIPPED = [
  ...Array.from({ length: 7 }, (_, i) => ({
    line: 100 + i,
    reason: 'GRANT not restored: role "app_readonly" does not exist in the target',
    text: `GRANT SELECT ON TABLE public.t${i} TO app_readonly;`
  })),
  {
    line: 12,
    reason: 'extension "citext" belongs to "supabase_admin" in the target',
    text: "COMMENT ON EXTENSION citext IS 'a | b `c`';"
  }
]

describe('restore summary: Skipped while restoring', () => {
  it('lists each reason with its count and up to 5 statements with their lines', () => {
    const md = restoreSummaryMarkdown({ ...RESULT, skipped: groupSkipped(SKIPPED) })
    expect(md).toContain('### Skipped while restoring')
    expect(md).toContain('8 statements of the backup were left out')
    const one = restoreSummaryMarkdown({ ...RESULT, skipped: groupSkipped(SKIPPED.slice(7)) })
    expect(one).toContain('1 statement of the backup was left out') // (trial u38 F3)
    expect(md).toContain(
      '| GRANT not restored: role "app_readonly" does not exist in the target | 7 | 100: `GRANT SELECT ON TABLE public.t0 TO app_readonly;`<br>'
    )
    expect(md).toContain(
      '104: `GRANT SELECT ON TABLE public.t4 TO app_readonly;`<br>… and 2 more |'
    )
    expect(md).not.toContain('public.t5')
    // a table cell: pipes escaped, backquotes cannot end the code span
    expect(md).toContain("12: `COMMENT ON EXTENSION citext IS 'a \\| b 'c'';`")
  })

  it('lists at most 50 created roles and says how many more', () => {
    const created = Array.from({ length: 3000 }, (_, i) => `role_${i}`)
    const md = restoreSummaryMarkdown({
      ...RESULT,
      roles: { created, existing: [], skipped: [] }
    })
    expect(md).toMatch(/\| Roles created \| 3000: role_0, role_1, .*role_49, … and 2950 more \|/)
    expect(md).not.toContain('role_50,')
    expect(md.length).toBeLessThan(5000)
  })

  it('has no section when nothing was skipped', () => {
    expect(restoreSummaryMarkdown(RESULT)).not.toContain('Skipped')
    expect(skippedMarkdown([])).toBe('')
  })
})

describe('restore summary: server versions', () => {
  it("shows the backup's server version (from its manifest) beside the target's", () => {
    const manifest = {
      file: { name: 'shop.dump.zst' },
      database: { name: 'shop' },
      createdAt: '2026-12-02T06:07:27Z',
      server: { version: '18.4', major: 18 }
    } as unknown as Manifest
    const md = restoreSummaryMarkdown({ ...RESULT, manifest, serverVersion: '17.10' })
    expect(md).toContain('| Backup of server | PostgreSQL 18.4 |')
    expect(md).toContain('| Target server | 17.10 |')
    // the database restored into, and the compression labelled (trial u54 F5)
    const named = restoreSummaryMarkdown({ ...RESULT, targetDatabase: 'staging' })
    expect(named).toContain('| Target database | staging |')
    expect(named).toMatch(/\| Format \| \w+, compression \w+ \|/)
    expect(restoreSummaryMarkdown(RESULT)).toContain('| Backup of server | unknown (no manifest) |')
  })
})

describe('restore summary: the tables whose rows the target kept (trial u53 F3)', () => {
  const KEPT: RestoreResult = {
    ...RESULT,
    tables: [
      { schema: 'public', name: 'orders', rows: 3, expected: 3 },
      { schema: 'auth', name: 'schema_migrations', rows: 5, expected: 3 },
      { schema: 'storage', name: 'migrations', rows: 2, expected: 2 }
    ],
    rowsRestored: 3,
    kept: [
      {
        schema: 'auth',
        name: 'schema_migrations',
        targetRows: 5,
        backupRows: 3,
        reason: 'the target held rows already'
      },
      {
        schema: 'storage',
        name: 'migrations',
        targetRows: 2,
        backupRows: 2,
        reason: 'the target held rows already'
      }
    ]
  }

  it('are marked in the rows table, and the header counts only the tables restored', () => {
    const md = restoreSummaryMarkdown(KEPT)
    expect(md).toContain(
      "| Tables / rows | 1 / 3 (besides, 2 tables kept the target's rows: not restored, not compared) |"
    )
    expect(md).toContain('| public.orders | 3 | 3 |')
    expect(md).toContain(
      "| auth.schema_migrations | 5 (kept: the target's rows, not restored; not compared) | 3 (the backup's, not loaded) |"
    )
    expect(md).toContain(
      "| storage.migrations | 2 (kept: the target's rows, not restored; not compared) | 2 (the backup's, not loaded) |"
    )
    expect(md).not.toContain('| auth.schema_migrations | 5 | 3 |')
    expect(restoredTables(KEPT).map(t => `${t.schema}.${t.name}`)).toEqual(['public.orders'])
  })

  it('a kept table the restore did not count changes nothing; without kept tables, as before', () => {
    const uncounted: RestoreResult = {
      ...RESULT,
      kept: [{ ...KEPT.kept[0], schema: 'vault', name: 'secrets' }]
    }
    expect(restoreSummaryMarkdown(uncounted)).toContain('| Tables / rows | 1 / 3 |')
    expect(restoreSummaryMarkdown(RESULT)).toContain('| Tables / rows | 1 / 3 |')
    expect(restoreSummaryMarkdown(RESULT)).toContain('| public.orders | 3 | — |')
  })

  it("the command line's last line counts the same", () => {
    expect(keptTail(KEPT)).toBe(" (and 2 tables that kept the target's rows)")
    expect(keptTail(RESULT)).toBe('')
  })
})

describe('verify failure summary', () => {
  const comparison = {
    objectsCompared: 40,
    objectsEqual: 38,
    tablesCompared: 5,
    tablesEqual: 4,
    largeObjects: 2,
    largeObjectsEqual: true,
    materializedViewsCompared: 3,
    materializedViewsEqual: 1,
    materializedViewsNotCompared: 1,
    notCompared: ['materialized view s.m (owned by x): its rows not checked against its query'],
    differences: [
      ...Array.from({ length: 12 }, (_, i) => ({
        object: `TABLE DATA s.t${i}`,
        what: 'differs: 3 rows restored, 3 in the backup'
      })),
      { object: 'FUNCTION s.f()', what: 'is in the restored database only' },
      { object: 'ACL on TABLE t', what: 'is missing', expectedBecause: 'no-privileges: true' }
    ]
  }
  const error = Object.assign(new Error('the restored database differs from the backup: …'), {
    details: {
      objects: [{ kind: 'tables' as const, expected: 5, actual: 5 }],
      equality: { comparison }
    }
  })

  it('shows what was compared, what was not and why, and the first ten differences by name', () => {
    const md = failureSummaryMarkdown({ mode: 'verify', load: 'committed' }, error)
    expect(md).toContain('## ❌ Database verify failed')
    expect(md).toMatch(/\| Tables \| 5 \| 5 \|/)
    expect(md).toMatch(/\| Schema entries \(owner, definition, ACL, COMMENT\) \| 40 \| 38 \| 2 \|/)
    expect(md).toMatch(/\| Table data \(sha256 of the COPY text\) \| 5 \| 4 \| 1 \|/)
    // of 3: 1 equal, 1 not compared (neither equal nor different), 1 different
    expect(md).toMatch(/\| Materialized views' contents \([^|]*\) \| 3 \| 1 \| 1 \| 1 \|/)
    expect(md).toMatch(/\| Table data \(sha256 of the COPY text\) \| 5 \| 4 \| 1 \| 0 \|/)
    expect(md).toMatch(
      /\| Entries and table data only in the restored database \| — \| — \| 1 \| — \|/
    )
    expect(md).toMatch(/\*\*Not compared\*\*: materialized view s\.m \(owned by x\)/)
    expect(md).toContain('**13 differences, not explained** (the first 10; all in the log)')
    const listed = md.match(/^- TABLE DATA s\.t\d+ differs/gm) ?? []
    expect(listed).toHaveLength(10)
    expect(md).not.toContain('s.t10')
    expect(md).toMatch(/differs, expected because no-privileges: true: 1/)
  })

  it('is the error alone for a failure without a comparison', () => {
    const md = failureSummaryMarkdown(
      { mode: 'verify', load: 'committed' },
      new Error('row counts differ')
    )
    expect(md).toContain('row counts differ')
    expect(md).not.toContain('| Schema objects |')
    expect(md).not.toContain('not explained')
  })
})

describe("the summary's phase durations (issue 20 item 9)", () => {
  it('one row per phase in the order they began, seconds to a tenth; the unfinished one marked', () => {
    const md = phaseTimesMarkdown([
      { name: 'Fetch the backup', seconds: 1.26, finished: true },
      { name: 'Restore', seconds: 12, finished: true },
      { name: 'Verify row counts', seconds: 0.04, finished: false }
    ])
    const rows = md.trim().split('\n')
    expect(rows).toEqual([
      '| Phase | s |',
      '|---|---:|',
      '| Fetch the backup | 1.3 |',
      '| Restore | 12.0 |',
      '| Verify row counts (unfinished: the run ended here) | 0.0 |'
    ])
  })

  it('nothing when the run got to no phase; names are escaped text and never a secret', () => {
    expect(phaseTimesMarkdown([])).toBe('')
    registerSecret('Ph4se-secret-pw')
    try {
      const md = phaseTimesMarkdown([
        { name: 'Connect to a|b <i> Ph4se-secret-pw', seconds: 2, finished: true }
      ])
      expect(md).toContain('| Connect to a\\|b &#60;i&#62; *** | 2.0 |')
      expect(md).not.toContain('Ph4se-secret-pw')
    } finally {
      clearSecrets()
    }
  })
})

describe('verify as a non-superuser: every owner differs, as expected', () => {
  const differences = Array.from({ length: 30 }, (_, i) => ({
    object: `TABLE public.t${i}`,
    what: `is owned by me, in the backup by postgres`,
    expectedBecause: 'no-owner: true (owners not restored)'
  }))
  const comparison = {
    objectsCompared: 30,
    objectsEqual: 0,
    objectsDifferExpected: 30,
    tablesCompared: 3,
    tablesEqual: 3,
    largeObjects: 0,
    largeObjectsEqual: true,
    materializedViewsCompared: 0,
    materializedViewsEqual: 0,
    materializedViewsNotCompared: 0,
    notCompared: [],
    differences
  }

  it('the headline counts them as differing, expected; the log groups them in one line', () => {
    expect(comparisonHeadline(comparison)).toBe(
      'Objects: 30 compared, 0 equal, 30 differ (all expected). Tables: 3 compared, 3 equal. Large objects: 0, equal.'
    )
    expect(differenceLines(differences)).toEqual([
      {
        warning: false,
        text: '30 differences, expected because no-owner: true (owners not restored): TABLE public.t0; TABLE public.t1; TABLE public.t2, and 27 more.'
      }
    ])
  })

  it('an object with several expected differences is named once, with its count (u31 F6)', () => {
    const database = 'locale differs: libc C.UTF-8 in the backup, ICU de-DE restored'
    expect(
      differenceLines([
        {
          object: 'DATABASE <database>',
          what: database,
          expectedBecause: 'it is a scratch database'
        },
        {
          object: 'DATABASE <database>',
          what: 'owner differs',
          expectedBecause: 'it is a scratch database'
        },
        {
          object: 'TABLE public.t',
          what: 'owner differs',
          expectedBecause: 'it is a scratch database'
        }
      ])
    ).toEqual([
      {
        warning: false,
        text: '3 differences in 2 objects, expected because it is a scratch database: DATABASE <database> (2); TABLE public.t.'
      }
    ])
  })

  it("the summary's Differ column says they are expected", () => {
    expect(equalityMarkdown({ comparison })).toMatch(
      /\| Schema entries \(owner, definition, ACL, COMMENT\) \| 30 \| 0 \| 30 \(all expected\) \| 0 \|/
    )
    // a table's data that differs as expected (compared on the backup's columns: u9 F8)
    const data = {
      ...comparison,
      tablesEqual: 2,
      differences: [
        ...differences,
        {
          object: 'TABLE DATA auth.users',
          what: 'differs: 20 rows restored, 20 in the backup; the first difference is in rows 1–16',
          expectedBecause: "the restored table has 1 column the backup's has not (phone)"
        }
      ]
    }
    expect(equalityMarkdown({ comparison: data })).toMatch(
      /\| Table data \(sha256 of the COPY text\) \| 3 \| 2 \| 1 \(all expected\) \| 0 \|/
    )
  })
})

describe('the summary as plain text for a terminal (the demo)', () => {
  it("undoes text()'s entities and escapes: what a reader of the rendered summary sees", () => {
    const value = `the database's views' contents: a_b <x> & "q" | \\ *bold* www.example.com _x_ @me`
    expect(text(value)).toContain('&#39;')
    expect(plainText(`| table | ${text(value)} |`)).toBe(`| table | ${value} |`)
  })
})

describe('describeAftermath: what a failed or cancelled restore may say of its target', () => {
  it('claims a rollback only while the COMMIT was not yet sent', async () => {
    const { describeAftermath } = await import('../../src/summary.js')
    const base = { mode: 'restore', singleTransaction: true }
    expect(describeAftermath({ ...base, load: 'interrupted' })).toMatch(
      /which was not committed: the target keeps what it held before/
    )
    const committing = describeAftermath({ ...base, load: 'committing' })
    expect(committing).toMatch(
      /had reached its end \(its COMMIT sent, or due once the statements left ran\) when this happened: the server may have finished it/
    )
    expect(committing).not.toMatch(/keeps what it held before/)
    expect(
      describeAftermath({ mode: 'verify', singleTransaction: true, load: 'committing' })
    ).toMatch(/the scratch database may hold the restored data/)
  })

  it('a cancel after the commit (during the row counts) says the check was cut short, not failed (attacker a36 A1)', async () => {
    const { describeAftermath } = await import('../../src/summary.js')
    const base = { mode: 'restore', singleTransaction: true, load: 'committed' } as const
    const cancelled = describeAftermath({ ...base, cancelled: true })
    expect(cancelled).toMatch(
      /^The load had been committed when the run was cancelled: the target holds the restored data; what follows the load \(its row counts checked against the backup's\) was cut short, so it is unchecked, not failed\./
    )
    expect(cancelled).not.toMatch(/did not pass/)
    // the error may be the row counts' or the step's outputs' (trial u48 F6: "did not pass the
    // check above" when only writing the outputs failed)
    expect(describeAftermath(base)).toMatch(
      /holds the restored data; the error above came after the load, in what follows it \(its checks, or writing the step's outputs and summary\)\./
    )
  })

  it('the command line says it after its error, which is all it prints (attacker a84 F3: "✖ write EPIPE" alone)', async () => {
    const { describeAftermath } = await import('../../src/summary.js')
    const { committedAftermath, phaseLog, recordRunShape } = await import('../../src/main.js')
    const { LOAD_PHASE } = await import('../../src/types.js')
    expect(
      describeAftermath({ mode: 'restore', singleTransaction: true, load: 'committed' }, 'cli')
    ).toMatch(
      /^The load had been committed when this failed: the target holds the restored data; this error came after the load, in what follows it \(its checks: the restored rows counted against the backup's\), which did not run to its end\./
    )
    const quiet = {
      info: () => undefined,
      warning: () => undefined,
      notice: () => undefined,
      debug: () => undefined,
      progress: () => undefined,
      progressStyle: 'lines' as const,
      group: <T>(_name: string, fn: () => Promise<T>) => fn()
    }
    const phases = phaseLog(quiet)
    recordRunShape('restore', true)
    await phases.group('Check the backup', async () => undefined)
    expect(committedAftermath()).toBeUndefined() // nothing loaded: the error says all
    await phases.group(LOAD_PHASE, async () => undefined)
    await phases
      .group('Verify row counts', () => Promise.reject(new Error('write EPIPE')))
      .catch(() => undefined)
    expect(committedAftermath()).toMatch(
      /^The load had been committed when this failed: the target holds the restored data; this error came after the load.*did not run to its end\.$/
    )
  })

  it("an interrupted load without a single transaction says what it left undone besides (trial u46: the target's default privileges not yet taken back)", async () => {
    const { describeAftermath } = await import('../../src/summary.js')
    const said = describeAftermath({
      mode: 'restore',
      singleTransaction: false,
      load: 'interrupted',
      partialNote: "The target's default privileges of app may have given …"
    })
    expect(said).toMatch(
      /may hold part of the backup\. The target's default privileges of app may have given …/
    )
  })
})

describe('the load gate tells when it writes its COMMIT', () => {
  it('once, at the end of its input, and only with a transaction', async () => {
    const { ScriptGate } = await import('../../src/postgres/script-gate.js')
    const { Readable, Writable } = await import('node:stream')
    const { pipeline } = await import('node:stream/promises')
    const run = async (transaction: boolean): Promise<string[]> => {
      const events: string[] = []
      const gate = new ScriptGate({
        psqlMajor: 15,
        transaction,
        onCommit: () => events.push('commit')
      })
      const sink = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          if (chunk.toString().includes('CREATE')) events.push('statement')
          callback()
        }
      })
      await pipeline(Readable.from([Buffer.from('CREATE TABLE t (a int);\n')]), gate, sink)
      return events
    }
    expect(await run(true)).toEqual(['statement', 'commit'])
    expect(await run(false)).toEqual(['statement'])
  })
})

describe('describeAftermath of a failed backup (u6): what reached storage', () => {
  it('says a partial artifact was uploaded then deleted, not "Nothing was uploaded"', async () => {
    const { describeAftermath } = await import('../../src/summary.js')
    expect(describeAftermath({ mode: 'backup' })).toBe(
      'Nothing was uploaded. Temporary files were removed.'
    )
    const undone =
      "An artifact 'x.zip' (id 7) holding the partial dump was uploaded while it was written, then deleted: none is left in the run."
    expect(describeAftermath({ mode: 'backup', undone })).toBe(
      `${undone} Temporary files were removed.`
    )
  })
})

describe("a session ended under the action's own query (attacker a84 F3)", () => {
  it.each([
    [Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }), true],
    [new Error('Connection terminated unexpectedly'), true],
    [new Error('Client has encountered a connection error and is not queryable'), true],
    [
      Object.assign(new Error('terminating connection due to administrator command'), {
        code: '57P01'
      }),
      true
    ],
    [Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), true],
    [new Error('relation "public.t" does not exist'), false],
    [Object.assign(new Error('canceling statement due to user request'), { code: '57014' }), false]
  ])('%s: %s', async (error, ended) => {
    const { sessionEndedError } = await import('../../src/postgres/session.js')
    expect(sessionEndedError(error)).toBe(ended)
  })
})
