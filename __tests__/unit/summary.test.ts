/**
 * The restore's job summary: the "Skipped while restoring" section lists what the restore left
 * out, by reason, with counts and sample statements (issue 15 items 2 and 7), and never a secret.
 */
import { describe, expect, it } from '@jest/globals'
import type { RestoreResult } from '../../src/modes/restore.js'
import { groupSkipped } from '../../src/postgres/target-policy.js'
import { restoreSummaryMarkdown, skippedMarkdown } from '../../src/summary.js'

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

  it('has no section when nothing was skipped', () => {
    expect(restoreSummaryMarkdown(RESULT)).not.toContain('Skipped')
    expect(skippedMarkdown([])).toBe('')
  })
})
