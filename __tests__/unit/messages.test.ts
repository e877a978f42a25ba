/**
 * How messages are joined: an error's own message before the action's next sentence, and a
 * fetch failure with its cause (not only "fetch failed").
 */
import { describe, expect, it } from '@jest/globals'
import { type AddressInfo, createServer } from 'node:net'
import { sentence } from '../../src/errors.js'
import { withCause } from '../../src/heartbeat.js'

describe('sentence', () => {
  it.each([
    ['unexpected end of file', 'unexpected end of file.'],
    ['it is truncated.', 'it is truncated.'],
    ['bad header (zstd)', 'bad header (zstd).'],
    ['really? ', 'really?']
  ])('%s', (text, expected) => {
    expect(sentence(text)).toBe(expected)
  })
})

describe('withCause', () => {
  it('a refused connection: the code and the address, not only "fetch failed"', async () => {
    // a port that was just free: nothing listens there
    const server = createServer()
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    await new Promise(resolve => server.close(resolve))
    const error = await fetch(`http://127.0.0.1:${port}/ping`).then(
      () => undefined,
      (e: unknown) => e as Error
    )
    expect(error?.name).toBe('TypeError')
    expect(error!.message).toBe('fetch failed')
    const text = withCause(error!)
    expect(text).toMatch(/^fetch failed: .*ECONNREFUSED/)
    expect(text).toContain(`127.0.0.1:${port}`)
  })

  it('an error without a cause stays as it is', () => {
    expect(withCause(new Error('HTTP 500'))).toBe('HTTP 500')
  })
})
