/**
 * The input validation at its edges: every number input accepts its first and last allowed value
 * and refuses the ones just outside, naming the input and the range; booleans, choices, the
 * PostgreSQL version and artifact names likewise (found by npm run mutate: a `<` made `<=`
 * passed every test before).
 */
import { describe, expect, it } from '@jest/globals'
import {
  type ActionInputs,
  InputError,
  Inputs,
  getInputs,
  parseBoolean,
  parsePgDumpArgs,
  parsePostgresVersion,
  parseWholeNumber
} from '../../src/inputs.js'

type RawInputs = Partial<Record<Inputs, string>>
const URL = 'postgresql://app:s3cret@db.example.com:5432/app'

function inputs(raw: RawInputs): ActionInputs {
  return getInputs(name => raw[name] ?? (name === Inputs.DatabaseUrl ? URL : ''))
}

function refusal(raw: RawInputs): InputError {
  try {
    inputs(raw)
  } catch (error) {
    expect(error).toBeInstanceOf(InputError)
    return error as InputError
  }
  throw new Error(`accepted: ${JSON.stringify(raw)}`)
}

describe('number inputs: first and last value accepted, the next ones refused', () => {
  const cases: Array<
    [Inputs, RawInputs, number, number | undefined, (i: ActionInputs) => number | undefined]
  > = [
    // GitHub keeps artifacts at most 400 days (private repositories; 90 in public ones)
    [Inputs.RetentionDays, {}, 1, 400, i => (i.mode === 'backup' ? i.retentionDays : -1)],
    [Inputs.Jobs, { [Inputs.Format]: 'directory' }, 1, 64, i => ('jobs' in i ? i.jobs : -1)],
    [
      Inputs.ConnectTimeout,
      {},
      1,
      600,
      i => ('connectTimeoutSeconds' in i ? i.connectTimeoutSeconds : -1)
    ],
    [
      Inputs.CompressionLevel,
      { [Inputs.Compression]: 'zstd' },
      1,
      19,
      i => (i.mode === 'backup' ? i.compressionLevel : -1)
    ],
    [
      Inputs.CompressionLevel,
      { [Inputs.Compression]: 'gzip' },
      1,
      9,
      i => (i.mode === 'backup' ? i.compressionLevel : -1)
    ]
  ]

  it.each(cases)('%s %j', (name, base, min, max, pick) => {
    expect(pick(inputs({ ...base, [name]: String(min) }))).toBe(min)
    expect(refusal({ ...base, [name]: String(min - 1) }).message).toMatch(
      new RegExp(`^Input '${name}': ${min - 1} is out of range; give a whole number `)
    )
    if (max === undefined) {
      expect(pick(inputs({ ...base, [name]: '100000' }))).toBe(100000)
      return
    }
    expect(pick(inputs({ ...base, [name]: String(max) }))).toBe(max)
    expect(refusal({ ...base, [name]: String(max + 1) }).message).toBe(
      `Input '${name}': ${max + 1} is out of range; give a whole number from ${min} to ${max}.`
    )
  })

  it('parseWholeNumber: the range is inclusive at both ends, and the fallback is for empty only', () => {
    const range = { min: 3, max: 5 }
    expect([3, 4, 5].map(n => parseWholeNumber(Inputs.Jobs, ` ${n} `, 9, range))).toEqual([3, 4, 5])
    expect(parseWholeNumber(Inputs.Jobs, '  ', 9, range)).toBe(9)
    expect(() => parseWholeNumber(Inputs.Jobs, '2', 9, range)).toThrow(
      "Input 'jobs': 2 is out of range; give a whole number from 3 to 5."
    )
    expect(() => parseWholeNumber(Inputs.Jobs, '6', 9, range)).toThrow(/6 is out of range/)
    expect(() => parseWholeNumber(Inputs.Jobs, '4.5', 9, range)).toThrow(
      "Input 'jobs': '4.5' is not a whole number; give a whole number from 3 to 5."
    )
    expect(() => parseWholeNumber(Inputs.Jobs, '-4', 9, { min: 1 })).toThrow(
      "Input 'jobs': '-4' is not a whole number; give a whole number of at least 1."
    )
    expect(parseWholeNumber(Inputs.Jobs, '0', 9, { min: 0 })).toBe(0)
  })
})

describe('other inputs at their edges', () => {
  it('parseBoolean: every spelling, any case, the fallback for empty only', () => {
    for (const t of ['true', 'YES', '1', 'On'])
      expect(parseBoolean(Inputs.Clean, t, false)).toBe(true)
    for (const f of ['false', 'No', '0', 'OFF'])
      expect(parseBoolean(Inputs.Clean, f, true)).toBe(false)
    expect(parseBoolean(Inputs.Clean, ' ', true)).toBe(true)
    expect(parseBoolean(Inputs.Clean, '', false)).toBe(false)
    expect(() => parseBoolean(Inputs.Clean, 'si', false)).toThrow(
      "Input 'clean': 'si' is not a boolean; use true or false."
    )
  })

  it('parsePostgresVersion: auto or a major of 10 and later', () => {
    expect(parsePostgresVersion('')).toBeUndefined()
    expect(parsePostgresVersion(' AUTO ')).toBeUndefined()
    expect(parsePostgresVersion('10')).toBe(10)
    expect(parsePostgresVersion('16.4')).toBe(16)
    expect(parsePostgresVersion('18')).toBe(18)
    for (const bad of ['9', '9.6', 'sixteen', '16a', '.16']) {
      expect(() => parsePostgresVersion(bad)).toThrow(
        `Input 'postgres-version': '${bad}' is not a PostgreSQL major version; use auto or a major such as 16.`
      )
    }
  })

  it('artifact-name: each character GitHub refuses is named; others pass', () => {
    const forbidden = ['"', ':', '<', '>', '|', '*', '?', '\r', '\n', '\\', '/']
    expect(forbidden).toHaveLength(11)
    for (const c of forbidden) {
      expect(refusal({ [Inputs.ArtifactName]: `a${c}b` }).message).toBe(
        `Input 'artifact-name': 'a${c}b' contains ${JSON.stringify(c)}, which artifact names cannot contain.`
      )
    }
    expect(refusal({ [Inputs.ArtifactName]: 'a:b/c' }).message).toContain('":" "/"')
    const ok = inputs({ [Inputs.ArtifactName]: 'nightly-db_backup.2026 (main)' })
    expect(ok.mode === 'backup' && ok.artifactName).toBe('nightly-db_backup.2026 (main)')
  })

  it('pg-dump-args: long options by any prefix, short ones bundled', () => {
    expect(parsePgDumpArgs('--no-comments -v --lock-wait-timeout=5s')).toEqual([
      '--no-comments',
      '-v',
      '--lock-wait-timeout=5s'
    ])
    expect(() => parsePgDumpArgs('--file=x')).toThrow(/'--file' cannot be passed to pg_dump here/)
    expect(() => parsePgDumpArgs('--fil=x')).toThrow(
      /'--file' \(given as '--fil'.*cannot be passed/
    )
    expect(() => parsePgDumpArgs('-vf x')).toThrow(/'-f' cannot be passed/)
    expect(() => parsePgDumpArgs('x')).toThrow(/'x' is not an option/)
    // pg_dump's getopt_long takes any unambiguous prefix, and the action refuses any prefix of an
    // option it reserves (an ambiguous one is refused by pg_dump itself)
    expect(() => parsePgDumpArgs('--fi=x')).toThrow(/'--file' \(given as '--fi'.*cannot be passed/)
    expect(() => parsePgDumpArgs('--f')).toThrow(/cannot be passed/)
  })
})
