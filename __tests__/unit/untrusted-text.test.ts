/**
 * Text that did not come from the action (table and file names from an archive or a manifest,
 * the server's error texts) reaching the runner's log and the job summary (issue 14.6): no line
 * of the log can be a workflow command, and nothing in the summary renders as HTML, a link, an
 * image, code or an extra table cell.
 */
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { actionLog, neutraliseCommands, neutraliseControls } from '../../src/log.js'
import type { RestoreResult } from '../../src/modes/restore.js'
import type { BackupResult } from '../../src/modes/backup.js'
import {
  backupSummaryMarkdown,
  failureSummaryMarkdown,
  restoreSummaryMarkdown,
  skippedMarkdown,
  text
} from '../../src/summary.js'

/** Names an attacker would give a table, a file or an artifact. */
const HOSTILE = [
  'orders\n::add-mask::abc',
  'x\r::set-output name=restored-from::evil',
  'x\n  ::warning file=a.ts::injected',
  'x\u2028::error::injected',
  'y\n##[error]legacy',
  // the runner's older parser finds "##[" anywhere in a line (attacker a59 F2)
  't ##[error]INJECTED-LEGACY-ERROR',
  'u ##[set-output name=restored-from;]attacker-value',
  'v ##[stop-commands]tok',
  // U+0085 (NEL) before '::': .NET's TrimStart() strips it (attacker a60 F4)
  'r\n\u0085::error title=a60::pwned-by-role',
  '<img src=x onerror=alert(1)>',
  '[click](https://evil.example/)',
  '![i](https://evil.example/i.png)',
  '`code` and ```fence',
  'a|b|c',
  '**bold** _it_ ~~s~~ <details><summary>x</summary>',
  'https://evil.example/autolink www.evil.example',
  '&lt;script&gt;'
]

describe("the runner's log", () => {
  let written: string
  let spy: ReturnType<typeof jest.spyOn>
  beforeEach(() => {
    written = ''
    spy = jest.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array) => {
      written += String(chunk)
      return true
    }) as typeof process.stdout.write)
  })
  afterEach(() => spy.mockRestore())

  it.each(HOSTILE)('no line of an info or progress line is a workflow command: %j', name => {
    actionLog.info(`Restoring table ${name} from ${name}`)
    actionLog.progress(`copied ${name}`)
    const lines = written.split(/\r\n|\r|\n|\u2028|\u2029/)
    expect(lines.filter(l => /^[\s\u0085]*::|##\[/.test(l))).toEqual([])
    // the text itself is all there, to read
    expect(written.replace(/\u200b/g, '')).toContain(name.replace(/\r/g, '\r'))
  })

  it('leaves the rest of a message alone', () => {
    expect(neutraliseCommands('a::b\nc :: d')).toBe('a::b\nc :: d')
  })

  it('shows a terminal the control characters, never acts on them', () => {
    expect(neutraliseControls('a\x1b[2Jb\x07\tc\nd\re')).toBe('a\\x1b[2Jb\\x07\tc\nd\\x0de')
  })
})

/** The cells of each table row of `md` (split on pipes that are not backslash-escaped). */
function cells(md: string): number[] {
  return md
    .split('\n')
    .filter(l => l.startsWith('|') && !/^\|[-:| ]+\|$/.test(l))
    .map(l => l.split(/(?<!\\)\|/).length - 2)
}

function expectInert(md: string): void {
  expect(md).not.toMatch(/<(?!\/?(details|summary)>)[a-z!/]/i) // no tag but the summary's own
  expect(md).not.toMatch(/(?<!\\)\]\(/) // no link or image
  expect(md).not.toMatch(/(?<!\\)`/) // no code span (outside the error's fence)
  expect(md).not.toMatch(/(?<!\\)https?:/) // no autolink
  expect(md).not.toMatch(/[\r\u2028]/)
}

describe('the job summary', () => {
  const tables = HOSTILE.map((name, i) => ({ schema: 'public', name, rows: i, expected: i }))

  it('shows every name as text, in a cell of its own', () => {
    const result = {
      restoredFrom: `artifact ${HOSTILE.join(' ')}`,
      format: 'plain',
      compression: 'zstd',
      manifest: {
        file: { name: HOSTILE[5], sizeBytes: 1, sha256: 'ab' },
        database: { name: `app_db ${HOSTILE[6]}`, host: 'h', port: 5432 },
        createdAt: HOSTILE[0]
      },
      tables,
      skipped: [],
      rowsRestored: 3,
      serverVersion: HOSTILE[9],
      clientVersion: '17.6',
      durationSeconds: 1
    } as unknown as RestoreResult
    const md = restoreSummaryMarkdown(result)
    expectInert(md)
    expect(cells(md)).toEqual([...Array(8).fill(2), 3, ...tables.map(() => 3)])
    expect(md).toContain('&#60;img src=x onerror=alert(1)&#62;')
    expect(md).toContain('\\[click\\](https\\://evil.example/)')
    expect(md).toContain('app_db') // a name as people read it
  })

  it('a backup summary: names escaped, the artifact link only to an http(s) URL', () => {
    const result = {
      artifact: { name: HOSTILE[6], url: 'javascript:alert(1)', id: 7 },
      retentionDays: 5,
      manifest: {
        file: { name: HOSTILE[7], sizeBytes: 10, sha256: 'ab' },
        database: { name: HOSTILE[8], host: HOSTILE[9], port: 5432, sizeBytes: 1 },
        format: 'custom',
        compression: { algorithm: 'zstd', level: 3 },
        rawSizeBytes: 20,
        rowCounts: { method: 'exact', tables, totalRows: 3, sameSnapshot: true },
        durationSeconds: 1,
        server: { version: HOSTILE[4] },
        pgDump: { version: '17.6' }
      }
    } as unknown as BackupResult
    const md = backupSummaryMarkdown(result)
    expect(md).toContain('](#)')
    expectInert(md.replace('](#)', ''))
    expect(cells(md)).toEqual([...Array(14).fill(2), 2, ...tables.map(() => 2)])
  })

  it('a backup summary says whether the backup is encrypted and signed, and warns when it no longer is encrypted (trial u37 F1, F6)', () => {
    const base = {
      artifact: { name: 'db', id: 7 },
      retentionDays: 30,
      manifest: {
        file: { name: 'db.dump.zst', sizeBytes: 212_582, sha256: 'ab' },
        database: { name: 'db', host: 'h', port: 5432, sizeBytes: 1 },
        format: 'custom',
        compression: { algorithm: 'zstd', level: 3 },
        rawSizeBytes: 20,
        rowCounts: { method: 'exact', tables, totalRows: 3, sameSnapshot: true },
        durationSeconds: 1,
        server: { version: '17.6' },
        pgDump: { version: '17.6' }
      }
    }
    const clear = backupSummaryMarkdown({
      ...base,
      encryptionDropped: 'This backup is not encrypted, but the previous one was'
    } as unknown as BackupResult)
    expect(clear).toContain('| Encryption | none |')
    expect(clear).toContain('| Signature | none |')
    expect(clear).toContain(
      '> [!WARNING]\n> This backup is not encrypted, but the previous one was.'
    )
    const sealed = backupSummaryMarkdown({
      ...base,
      signed: true,
      manifest: {
        ...base.manifest,
        encryption: { algorithm: 'age', mode: 'recipients', recipients: ['age1a', 'age1b'] },
        changes: {
          previous: { createdAt: '2026-12-04T02:17:00Z', fileSizeBytes: 348_585, totalRows: 3 },
          sizeDeltaBytes: 212_582 - 348_585,
          rowsDelta: 0,
          appeared: [],
          vanished: [],
          shrunk: [],
          largest: [],
          rowLossPercent: 50
        }
      }
    } as unknown as BackupResult)
    expect(sealed).toContain('| Encryption | age, to 2 public keys |')
    expect(sealed).toContain('| Signature | the manifest is signed (signing-key) |')
    expect(sealed).not.toContain('[!WARNING]')
    // the size's change in the units of the sizes beside it (trial u38 F3: "-136003 B")
    expect(sealed).toContain('| File size | 340.4 KB | 207.6 KB | -132.8 KB |')
  })

  it('skipped statements from the script stay in their cell', () => {
    const md = skippedMarkdown([
      {
        reason: 'comment',
        count: 2,
        samples: [
          { line: 3, text: 'COMMENT ON TABLE "a|b" IS \'x\n::add-mask::y\'' },
          { line: 9, text: '<img src=x> `z` [l](https://e/)' }
        ]
      }
    ])
    expect(cells(md)).toEqual([3, 3])
    // in a code span, where nothing renders
    expect(md).toMatch(/`[^`]*<img src=x>[^`]*`/)
    expect(md.replace(/`[^`]*`/g, '')).not.toMatch(/<img|\]\(/)
  })

  it("a failure's message stays inside its fence", () => {
    const md = failureSummaryMarkdown(
      { mode: 'restore', load: 'interrupted', singleTransaction: true },
      new Error('ERROR: relation "x\n```\n<img src=x>\n[a](https://e/)" does not exist')
    )
    const fences = md.split('\n').filter(l => l.startsWith('```'))
    expect(fences).toEqual(['```', '```'])
  })

  it('text() escapes what Markdown or HTML would act on', () => {
    expect(text('a|b')).toBe('a\\|b')
    expect(text('<b>')).toBe('&#60;b&#62;')
    expect(text('line\nbreak')).toBe('line break')
  })
})
