/**
 * The command line's --help: each option's first sentence of its action.yml description
 * (cli.ts firstSentence), cut at the sentence's end, not at an abbreviation's full stop.
 */
import { describe, expect, it } from '@jest/globals'
import { firstSentence } from '../../src/cli.js'

describe('firstSentence', () => {
  it('cuts at the end of the sentence, not at "e.g." or "i.e." (trial u19 F7)', () => {
    expect(
      firstSentence(
        'Extra pg_dump options, split like a shell would but never run by a shell,\n e.g. "--no-owner --no-privileges". Options for the connection are refused.'
      )
    ).toBe(
      'Extra pg_dump options, split like a shell would but never run by a shell, e.g. "--no-owner --no-privileges".'
    )
    expect(firstSentence('One thing, i.e. another. Then more.')).toBe('One thing, i.e. another.')
  })

  it("gives the command's part of a description (Backup: …, Restore: …)", () => {
    expect(
      firstSentence('Backup: only these tables. Restore: only these, e.g. t1.', 'restore')
    ).toBe('Restore: only these, e.g. t1.')
  })
})
