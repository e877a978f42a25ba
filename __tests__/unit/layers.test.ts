/**
 * The import rule of src/'s layers (eslint.config.js): nothing imports upward. ESLint runs the
 * rule over the real tree in `npm run lint`; here it is shown to fire, on imports it must refuse,
 * and to let the downward ones pass.
 */
import { describe, expect, it } from '@jest/globals'
import { ESLint } from 'eslint'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const eslint = new ESLint({ cwd: root })

async function refusals(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: path.join(root, file) })
  return result.messages.filter(m => m.ruleId === 'no-restricted-imports').map(m => m.message)
}

describe('layers', () => {
  it.each([
    ['src/postgres/x.ts', "import { InputError } from '../inputs.js'"],
    ['src/storage/x.ts', "import { restore } from '../modes/restore.js'"],
    ['src/pipeline/x.ts', "import { redact } from '../secrets.js'"],
    ['src/process.ts', "import { main } from './cli.js'"],
    ['src/types.ts', "import type { Log } from './log.js'"],
    ['src/errors.ts', "import { connect } from './postgres/session.js'"],
    ['src/modes/x.ts', "import { getInputs } from '../inputs.js'"],
    ['src/inputs.ts', "import { createS3Client } from './storage/s3.js'"]
  ])('%s may not %s', async (file, source) => {
    expect(await refusals(file, `${source}\nexport {}\n`)).toHaveLength(1)
  })

  it.each([
    ['src/postgres/x.ts', "import { SettingError } from '../errors.js'"],
    ['src/modes/x.ts', "import { connect } from '../postgres/session.js'"],
    ['src/main.ts', "import { backup } from './modes/backup.js'"],
    ['src/inputs.ts', "import { parseS3Uri } from './s3-uri.js'"]
  ])('%s may %s', async (file, source) => {
    expect(await refusals(file, `${source}\nexport {}\n`)).toEqual([])
  })
})
