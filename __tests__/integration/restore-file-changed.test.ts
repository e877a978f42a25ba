/**
 * A local script without a manifest is read twice: whole by the check of the backup, then again
 * by the load. Written in place between the two reads (cut at a statement's end, emptied, a byte
 * changed, statements appended), the load's read is not the bytes checked: nothing commits, and
 * the restore fails as a check (attacker a37 F3). The file is changed from the restore's own hook
 * that runs after the checks, just before the load (RestoreDependencies.beforeLoad).
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import {
  appendFileSync,
  closeSync,
  openSync,
  readFileSync,
  truncateSync,
  writeFileSync,
  writeSync
} from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { runTool } from '../../dev/fixtures.js'
import type { TestServer } from '../../dev/postgres.js'
import type { EngineError } from '../../src/errors.js'
import type { RestoreOptions } from '../../src/types.js'
import { useHarness } from '../support/harness.js'
import { testRestoreInputs } from '../support/inputs.js'

const harness = useHarness({ name: 'restore-file-changed' })
let server: TestServer
let script: Buffer
let recipient: string
let identity: string

const ROWS = 20_000

beforeAll(async () => {
  server = harness.server
  const source = await server.createDatabase()
  await server.query(
    source,
    `CREATE TABLE public.t (id integer PRIMARY KEY, note text NOT NULL);
     INSERT INTO public.t SELECT i, 'row-' || i FROM generate_series(1, ${ROWS}) i;`
  )
  const file = path.join(harness.work, 'base.sql')
  await runTool(path.join(server.binDir, 'pg_dump'), ['-Fp', '-f', file], server.env(source))
  script = readFileSync(file)
  const keyFile = path.join(harness.work, 'key.txt')
  execFileSync('age-keygen', ['-o', keyFile], { stdio: 'ignore' })
  const keyText = readFileSync(keyFile, 'utf8')
  identity = keyText.split('\n').find(l => l.startsWith('AGE-SECRET-KEY-1'))!
  recipient = /# public key: (age1\S+)/.exec(keyText)![1]
}, 60_000)

/** The script cut right after its CREATE TABLE of t: a whole statement, no rows after it. */
function cutAfterCreate(bytes: Buffer): Buffer {
  const create = bytes.indexOf('CREATE TABLE public.t (')
  expect(create).toBeGreaterThan(0)
  const end = bytes.indexOf(');\n', create) + 3
  return bytes.subarray(0, end)
}

type Encoding = 'none' | 'gzip' | 'zstd' | 'gzip+age'

function encode(bytes: Buffer, encoding: Encoding): Buffer {
  if (encoding === 'none') return bytes
  if (encoding === 'zstd') return zlib.zstdCompressSync(bytes)
  const gz = zlib.gzipSync(bytes)
  if (encoding === 'gzip') return gz
  return execFileSync('age', ['-r', recipient], { input: gz })
}

const SUFFIX: Record<Encoding, string> = {
  none: '.sql',
  gzip: '.sql.gz',
  zstd: '.sql.zst',
  'gzip+age': '.sql.gz.age'
}

let n = 0

/**
 * Restores a copy of the script (encoded) into a fresh database, with `change` applied to the
 * file in place after the checks, before the load; the error, and the target's tables.
 */
async function restoreChanged(
  change: (file: string) => void,
  encoding: Encoding = 'none',
  overrides: Partial<RestoreOptions> = {}
): Promise<{ error: EngineError | undefined; tables: string[] }> {
  const file = path.join(harness.work, `cur-${++n}${SUFFIX[encoding]}`)
  writeFileSync(file, encode(script, encoding))
  const target = await server.createDatabase()
  let changed = false
  const error = await harness
    .restore(
      testRestoreInputs(
        server.url(target),
        { kind: 'file', path: file },
        {
          ...(encoding === 'gzip+age'
            ? { decryption: { identities: [identity], passphrases: [] } }
            : {}),
          ...overrides
        }
      ),
      {
        beforeLoad: async () => {
          change(file)
          changed = true
        }
      }
    )
    .then(
      () => undefined,
      (e: unknown) => e as EngineError
    )
  expect(changed).toBe(true)
  const rows = await server.query<{ relname: string }>(
    target,
    `SELECT c.relname FROM pg_catalog.pg_class c
       JOIN pg_catalog.pg_namespace s ON s.oid = c.relnamespace
      WHERE s.nspname = 'public' AND c.relkind = 'r' ORDER BY 1`
  )
  const tables = rows.map(r => r.relname)
  await server.dropDatabase(target)
  return { error, tables }
}

/** Rewrites the file in place (same inode, O_TRUNC) with `bytes`. */
const rewrite = (bytes: Buffer) => (file: string) => writeFileSync(file, bytes)

function expectRefused(
  { error, tables }: { error: EngineError | undefined; tables: string[] },
  read: RegExp
): void {
  expect(error).toBeInstanceOf(Error)
  expect(error!.name).toBe('BackupChangedError')
  expect(error!.kind).toBe('check')
  expect(error!.message).toMatch(/cur-\d+\.sql\S* changed while it was being restored/)
  expect(error!.message).toMatch(/it was checked as \d+ bytes \(sha256 [0-9a-f]{64}\)/)
  expect(error!.message).toMatch(read)
  expect(error!.message).toMatch(/Nothing was restored \(the load stopped before its COMMIT\)/)
  expect(error!.message).toMatch(/Restore from a copy nobody writes to/)
  // the target untouched: not even the CREATE TABLE the cut script still holds
  expect(tables).toEqual([])
}

describe('a local script written in place between its check and its load', () => {
  it('an unchanged file restores (the load read the bytes checked)', async () => {
    const { error, tables } = await restoreChanged(() => undefined)
    expect(error).toBeUndefined()
    expect(tables).toEqual(['t'])
  }, 60_000)

  it('cut right after a CREATE TABLE (a statement boundary): refused, nothing created', async () => {
    const cut = cutAfterCreate(script)
    expectRefused(
      await restoreChanged(file => truncateSync(file, cut.length)),
      new RegExp(`read for the load as ${cut.length} bytes`)
    )
  }, 60_000)

  it('truncated to 0 bytes: refused', async () => {
    expectRefused(
      await restoreChanged(file => truncateSync(file, 0)),
      /read for the load as 0 bytes \(sha256 e3b0c442/
    )
  }, 60_000)

  it('a byte changed in place, same size: refused', async () => {
    const at = script.indexOf(`row-${ROWS / 2}\n`)
    expect(at).toBeGreaterThan(0)
    expectRefused(
      await restoreChanged(file => {
        const fd = openSync(file, 'r+')
        try {
          writeSync(fd, 'R', at)
        } finally {
          closeSync(fd)
        }
      }),
      new RegExp(`read for the load as ${script.length} bytes`)
    )
  }, 60_000)

  it('statements appended: refused', async () => {
    const more = 'CREATE TABLE public.extra (id integer);\n'
    expectRefused(
      await restoreChanged(file => appendFileSync(file, more)),
      new RegExp(`read for the load as ${script.length + more.length} bytes`)
    )
  }, 60_000)

  it.each<Encoding>(['gzip', 'zstd', 'gzip+age'])(
    'a %s file rewritten in place with the script cut after a CREATE TABLE: refused',
    async encoding => {
      const cut = encode(cutAfterCreate(script), encoding)
      expectRefused(
        await restoreChanged(rewrite(cut), encoding),
        new RegExp(`read for the load as ${cut.length} bytes`)
      )
    },
    60_000
  )

  it('without a single transaction: refused, and says what ran stays', async () => {
    const cut = cutAfterCreate(script)
    const { error } = await restoreChanged(file => truncateSync(file, cut.length), 'none', {
      singleTransaction: false
    })
    expect(error?.name).toBe('BackupChangedError')
    expect(error!.message).toMatch(/changed while it was being restored/)
    expect(error!.message).toMatch(/stays in the target \(single-transaction: false\)/)
    expect(error!.message).not.toMatch(/Nothing was restored/)
  }, 60_000)
})
