import { describe, expect, it } from '@jest/globals'
import { setvalMovesBack } from '../../src/postgres/data-only.js'

describe('setvalMovesBack: a data-only restore never moves a sequence of no table back', () => {
  const ascending = { next: '1000', increment: '1' }
  it.each([
    // [where the target stands, setval's value, is_called, moves back?]
    [ascending, '1042', true, false], // next 1043 after the target's 1000
    [ascending, '999', true, false], // next 1000: what the target hands out next anyway
    [ascending, '998', true, true], // next 999: before the target's 1000
    [ascending, '1000', false, false], // next 1000
    [ascending, '999', false, true],
    [{ next: '5001', increment: '1' }, '1042', true, true],
    [{ next: '10', increment: '5' }, '5', true, false], // next 10
    [{ next: '10', increment: '5' }, '4', true, true], // next 9
    // descending: values go down, so a larger next value moves it back
    [{ next: '-10', increment: '-1' }, '-20', true, false],
    [{ next: '-10', increment: '-1' }, '-5', true, true],
    [{ next: '-10', increment: '-1' }, '-10', false, false],
    // near bigint's limits, no precision lost
    [{ next: '9223372036854775806', increment: '1' }, '9223372036854775805', true, false],
    [{ next: '9223372036854775807', increment: '1' }, '9223372036854775805', true, true]
  ])('at %j, setval(%s, %s): moves back %s', (at, value, isCalled, back) => {
    expect(setvalMovesBack(at, value, isCalled)).toBe(back)
  })
})
