/**
 * lock-timeout against pg_dump's header: every plain script and every script pg_restore writes
 * begins with `SET lock_timeout = 0;`, which undoes the PGOPTIONS=-c lock_timeout=… the action
 * gives psql and pg_restore. A statement of the backup's own (after the header) that waits for a
 * lock another session holds must still end after lock-timeout, naming that session, with the
 * target unchanged — for a plain script (psql through the gate) and for a custom archive (the
 * direct path, pg_restore -d, when it is taken).
 */
import { beforeAll, describe, expect, it, jest } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import type { TestServer } from '../../dev/postgres.js'
import { rewriteArchiveToc } from '../support/archive-writer.js'
import { useHarness } from '../support/harness.js'
import { testRestoreInputs } from '../support/inputs.js'

const harness = useHarness({ name: 'lock-timeout-header' })
let server: TestServer
const dumps: Record<'custom' | 'plain', string> = { custom: '', plain: '' }

async function logOf<T>(fn: () => Promise<T>): Promise<{ lines: string; error?: Error }> {
  const written: string[] = []
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    written.push(String(chunk))
    return true
  })
  try {
    await fn()
    return { lines: written.join('') }
  } catch (error) {
    return { lines: written.join(''), error: error as Error }
  } finally {
    spy.mockRestore()
  }
}

beforeAll(async () => {
  server = harness.server
  const source = await server.createDatabase('header_src')
  await server.query(
    source,
    "CREATE TABLE public.mine (id integer PRIMARY KEY); INSERT INTO public.mine VALUES (1); COMMENT ON TABLE public.mine IS 'the backup''s'"
  )
  dumps.custom = path.join(harness.work, 'source.dump')
  dumps.plain = path.join(harness.work, 'source.sql')
  execFileSync(path.join(server.binDir, 'pg_dump'), ['-Fc', '-f', dumps.custom, source], {
    env: server.env(source)
  })
  execFileSync(path.join(server.binDir, 'pg_dump'), ['-f', dumps.plain, source], {
    env: server.env(source)
  })
  // the backup's COMMENT turned onto the target's own table (allow-non-empty lets it run):
  // COMMENT takes SHARE UPDATE EXCLUSIVE on it, after the header's SET lock_timeout = 0
  const plain = readFileSync(dumps.plain, 'utf8')
  expect(plain).toMatch(/^SET lock_timeout = 0;$/m)
  writeFileSync(
    dumps.plain,
    plain.replace('COMMENT ON TABLE public.mine IS', 'COMMENT ON TABLE public.other IS')
  )
  writeFileSync(
    dumps.custom,
    rewriteArchiveToc(readFileSync(dumps.custom), es =>
      es.map(e =>
        e.desc === 'COMMENT' && e.tag === 'TABLE mine'
          ? {
              ...e,
              tag: 'TABLE other',
              defn: String(e.defn).replace('public.mine', 'public.other')
            }
          : e
      )
    )
  )
}, 120_000)

describe.each<['plain' | 'custom']>([['plain'], ['custom']])('a %s backup', format => {
  it("a session locking the target's table the backup's statement reaches: the restore fails after lock-timeout naming it; target unchanged", async () => {
    const target = await server.createDatabase()
    await server.query(
      target,
      "CREATE TABLE public.other (v text); INSERT INTO public.other VALUES ('kept')"
    )
    const app = new pg.Client({
      connectionString: server.url(target, { params: { application_name: 'the-app' } })
    })
    await app.connect()
    try {
      await app.query('BEGIN')
      // the action's own checks read the table (ACCESS SHARE): they pass; COMMENT waits
      await app.query('LOCK TABLE public.other IN SHARE UPDATE EXCLUSIVE MODE')
      const started = Date.now()
      const { error, lines } = await logOf(() =>
        harness.restore(
          testRestoreInputs(
            server.url(target),
            { kind: 'file', path: dumps[format] },
            { allowNonEmpty: true, lockTimeoutMs: 2000 }
          )
        )
      )
      const seconds = (Date.now() - started) / 1000
      const pid = (await app.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid
      expect({ name: error?.name, message: error?.message }).toMatchObject({
        name: 'LockTimeoutError',
        message: expect.stringMatching(
          new RegExp(
            `^The restore waited 2\\.0 s \\(lock-timeout\\) for a lock held by pid ${pid} \\(application_name 'the-app'`
          )
        )
      })
      expect(lines).toMatch(/Waiting for a lock held by pid \d+ \(application_name 'the-app'/)
      expect(seconds).toBeLessThan(30)
    } finally {
      await app.query('ROLLBACK').catch(() => undefined)
      await app.end()
    }
    // nothing of the backup's stayed; the target's table is as it was
    expect(
      await server.query(
        target,
        "SELECT to_regclass('public.mine') IS NULL AS gone, obj_description('public.other'::regclass) AS comment, (SELECT string_agg(v, ',') FROM public.other) AS v"
      )
    ).toEqual([{ gone: true, comment: null, v: 'kept' }])
    await server.dropDatabase(target)
  }, 120_000)
})
