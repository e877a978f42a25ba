/**
 * secrets.ts's default masker: a registered secret is announced to the runner with the
 * ::add-mask:: workflow command on stdout (what makes the runner mask it in the log), once.
 */
import { expect, it } from '@jest/globals'
import { clearSecrets, registerSecret } from '../../src/secrets.js'

it('announces a new secret to the runner with ::add-mask::, once', () => {
  clearSecrets()
  const write = process.stdout.write.bind(process.stdout)
  let stdout = ''
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')
    return true
  }) as typeof process.stdout.write
  try {
    registerSecret('Runner-Mask-Me')
    registerSecret('Runner-Mask-Me')
  } finally {
    process.stdout.write = write
    clearSecrets()
  }
  expect(stdout.split('\n').filter(l => l.startsWith('::add-mask::'))).toEqual([
    '::add-mask::Runner-Mask-Me'
  ])
})
