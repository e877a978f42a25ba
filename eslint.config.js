import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'

/**
 * The layers of src/, bottom up; nothing imports upward (README, "Layout"):
 *  1. vocabulary: types, errors, and the parsers of values users write (retention, s3-uri,
 *     age-keys, sql-names);
 *  2. engine: log, process, manifest, postgres/, pipeline/, storage/;
 *  3. modes/: orchestration of one mode each;
 *  4. front doors: main (the action, with inputs, secrets, summary) and cli.
 */
const FRONT_DOORS = [
  '**/inputs.js',
  '**/main.js',
  '**/cli.js',
  '**/index.js',
  '**/summary.js',
  '**/secrets.js',
  '**/heartbeat.js'
]
const MODES = ['**/modes/*']
const ENGINE = [
  '**/postgres/*',
  '**/pipeline/*',
  '**/storage/*',
  '**/log.js',
  '**/process.js',
  '**/manifest.js',
  '**/manifest-changes.js'
]
const VOCABULARY = [
  'src/types.ts',
  'src/errors.ts',
  'src/retention.ts',
  'src/s3-uri.ts',
  'src/age-keys.ts',
  'src/duration.ts',
  'src/sql-names.ts'
]

const layer = (files, forbidden, message) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', { patterns: [{ group: forbidden, message }] }]
  }
})

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'build/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node, ...globals.jest }
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'off'
    }
  },
  layer(
    VOCABULARY,
    [...FRONT_DOORS, ...MODES, ...ENGINE],
    'The vocabulary (types, errors, value parsers) is the bottom layer: it imports nothing of the engine, the modes or the front doors.'
  ),
  layer(
    [
      'src/postgres/**',
      'src/pipeline/**',
      'src/storage/**',
      'src/log.ts',
      'src/process.ts',
      'src/manifest.ts',
      'src/manifest-changes.ts'
    ],
    [...FRONT_DOORS, ...MODES],
    'The engine does not import the modes or the front doors (inputs, main, cli, summary, secrets): take typed options, throw EngineErrors naming the option, log through log.ts.'
  ),
  layer(
    ['src/modes/**'],
    FRONT_DOORS,
    'A mode takes typed options (types.ts) and is run by the front doors; it does not import them.'
  ),
  layer(
    ['src/inputs.ts'],
    [...MODES, ...ENGINE],
    'inputs.ts only parses inputs into typed options: it may use the vocabulary (types, errors, value parsers), not the engine or the modes.'
  )
)
