/**
 * Work run in the background holds its info lines until its result is used (trial u39 F5: the
 * previous backup's lookup printed "Chose artifact …" after the backup's own error); warnings
 * and the lines of other work are shown at once.
 */
import { afterEach, describe, expect, it } from '@jest/globals'
import { type Log, actionLog, holdingLines, log, useLog } from '../../src/log.js'

const shown: string[] = []
const recording: Log = {
  ...actionLog,
  info: message => void shown.push(`info: ${message}`),
  warning: message => void shown.push(`warning: ${message}`)
}

afterEach(() => {
  useLog(actionLog)
  shown.length = 0
})

describe('holdingLines', () => {
  it("holds the work's info lines, across awaits and timers, and returns them; others pass", async () => {
    useLog(recording)
    const background = holdingLines(async () => {
      log.info('looking up')
      await new Promise(resolve => setTimeout(resolve, 20))
      log.info('Chose artifact 7')
      log.warning('a warning is shown at once')
      return 42
    })
    log.info('the run goes on')
    const { result, lines } = await background
    expect(result).toBe(42)
    expect(lines).toEqual(['looking up', 'Chose artifact 7'])
    expect(shown).toEqual(['info: the run goes on', 'warning: a warning is shown at once'])
    log.info('after')
    expect(shown.at(-1)).toBe('info: after')
  })

  it('a failure of the work is thrown, its lines not shown', async () => {
    useLog(recording)
    await expect(
      holdingLines(async () => {
        log.info('held')
        throw new Error('no')
      })
    ).rejects.toThrow('no')
    expect(shown).toEqual([])
  })
})
