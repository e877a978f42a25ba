/** Jest runs TypeScript as native ESM (the @actions/* packages are ESM-only). */
export default {
  clearMocks: true,
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1'
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.test.json' }]
  },
  testMatch: ['**/__tests__/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testTimeout: 120000,
  // every test makes an assertion; skipped tests are listed with their reasons after the run
  setupFilesAfterEnv: ['<rootDir>/__tests__/support/setup.ts'],
  reporters: ['default', '<rootDir>/__tests__/support/skipped-reporter.js'],
  verbose: true
}
