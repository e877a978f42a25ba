/**
 * Every error the front doors report keeps PostgreSQL's HINT (user trial 6, F6): node-pg's
 * DatabaseError carries it apart from its message, and an error the action words from it (its
 * cause) must not lose it.
 */
import { describe, expect, it } from '@jest/globals'
import { EngineError } from '../../src/errors.js'
import { describeForInputs } from '../../src/inputs.js'

/** A server error as node-pg gives it: message, code and hint apart. */
function serverError(message: string, hint?: string): Error {
  return Object.assign(new Error(message), { code: '53200', hint })
}

describe('describeForInputs keeps the server HINT', () => {
  it('of an error worded from a server error (its cause)', () => {
    const error = new EngineError('the drop failed: out of shared memory.', 'failure', undefined, {
      cause: serverError(
        'out of shared memory',
        'You might need to increase max_locks_per_transaction.'
      )
    })
    expect((describeForInputs(error) as Error).message).toBe(
      "the drop failed: out of shared memory. PostgreSQL's HINT: You might need to increase max_locks_per_transaction."
    )
  })

  it('once: a message that holds it already is left as it is', () => {
    const hint = 'You might need to increase max_locks_per_transaction.'
    const error = new EngineError(`out of shared memory (HINT: ${hint})`, 'failure', undefined, {
      cause: serverError('out of shared memory', hint)
    })
    expect((describeForInputs(error) as Error).message).toBe(`out of shared memory (HINT: ${hint})`)
  })

  it('an error without a server HINT is unchanged', () => {
    const error = new EngineError('plain failure.', 'failure', undefined, {
      cause: serverError('x')
    })
    expect((describeForInputs(error) as Error).message).toBe('plain failure.')
  })
})
