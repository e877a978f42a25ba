/**
 * exclude-tables, exclude-schemas and exclude-table-data are pg_dump's: a restore or verify has
 * no equivalent, so it refuses them by name instead of ignoring them (user trial 6, F8).
 */
import { describe, expect, it } from '@jest/globals'
import { InputError, Inputs, getInputs } from '../../src/inputs.js'

const URL = 'postgresql://u:p@127.0.0.1:5432/db'
const reader = (values: Record<string, string>) => (name: string) => values[name] ?? ''

function refusal(values: Record<string, string>): Error | undefined {
  try {
    getInputs(reader(values))
    return undefined
  } catch (error) {
    return error as Error
  }
}

describe.each(['restore', 'verify'])('%s refuses the backup-only filters', mode => {
  const base: Record<string, string> =
    mode === 'restore'
      ? { mode, [Inputs.DatabaseUrl]: URL, [Inputs.Repository]: 'octo-org/app' }
      : { mode, [Inputs.VerifyDatabaseUrl]: URL, [Inputs.Repository]: 'octo-org/app' }
  it.each([Inputs.ExcludeSchemas, Inputs.ExcludeTables, Inputs.ExcludeTableData])(
    '%s: named, with what applies to a restore',
    input => {
      const error = refusal({ ...base, [input]: 'storage,auth' })
      expect(error).toBeInstanceOf(InputError)
      expect(error?.message).toMatch(
        new RegExp(`^Input '${input}': applies to backups only[^]*'schemas' or 'tables'`)
      )
    }
  )

  it('without them the inputs parse', () => {
    expect(refusal(base)).toBeUndefined()
  })
})

it('a backup takes them', () => {
  const inputs = getInputs(
    reader({ [Inputs.DatabaseUrl]: URL, [Inputs.ExcludeSchemas]: 'storage' })
  )
  expect(inputs.mode === 'backup' && inputs.filters.excludeSchemas).toEqual(['storage'])
})
