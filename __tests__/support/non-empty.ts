/**
 * Typed fixtures for the suites that restore next to a target's own objects (allow-non-empty,
 * clean): scripts and dumps written into the suite's directory, targets made from one SQL text,
 * the engine's restore with allow-non-empty, and a refusal read back as its error.
 */
import path from 'node:path'
import { writeFileSync } from 'node:fs'
import { runTool } from '../../dev/fixtures.js'
import type { RestoreResult } from '../../src/modes/restore.js'
import type { BackupSource, RestoreOptions } from '../../src/types.js'
import type { Harness } from './harness.js'
import { testRestoreInputs } from './inputs.js'

export interface NonEmptyTargets {
  /** Writes `text` to a new script file in the suite's directory; its path. */
  write(text: string): string
  /** A new path in the suite's directory, `<prefix>-<n>.<ext>`. */
  file(prefix: string, ext: string): string
  /** A new database on the harness's server holding the suite's target SQL. */
  target(): Promise<string>
  /** The engine's restore of `source` into `target` with allow-non-empty, `overrides` on top. */
  runRestore(
    target: string,
    source: BackupSource,
    overrides?: Partial<RestoreOptions>
  ): Promise<RestoreResult>
  /** The harness server's pg_dump of `database` with `args` (which name the output). */
  pgDump(database: string, args: string[]): Promise<void>
}

/** Fixtures for targets that hold `targetSql` (run on a new database by target()). */
export function useNonEmptyTargets(harness: Harness, targetSql: string): NonEmptyTargets {
  let count = 0
  const file = (prefix: string, ext: string): string =>
    path.join(harness.work, `${prefix}-${++count}.${ext}`)
  return {
    write(text) {
      const p = file('script', 'sql')
      writeFileSync(p, text)
      return p
    },
    file,
    async target() {
      const db = await harness.server.createDatabase()
      await harness.server.query(db, targetSql)
      return db
    },
    runRestore(target, source, overrides = {}) {
      return harness.restore(
        testRestoreInputs(harness.server.url(target), source, {
          allowNonEmpty: true,
          ...overrides
        })
      )
    },
    async pgDump(database, args) {
      const { server } = harness
      await runTool(path.join(server.binDir, 'pg_dump'), args, server.env(database))
    }
  }
}

/** The error `promise` rejects with; undefined when it fulfils. */
export function failure(promise: Promise<unknown>): Promise<Error | undefined> {
  return promise.then(
    () => undefined,
    (e: unknown) => e as Error
  )
}
