/**
 * Every test (setupFilesAfterEnv in jest.config.js): no test passes by doing nothing — each must
 * make at least one assertion (in its body or in a helper it calls; hooks' checks throw errors).
 */
import { beforeEach, expect } from '@jest/globals'

beforeEach(() => {
  expect.hasAssertions()
})
