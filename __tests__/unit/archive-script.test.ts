/**
 * archiveAsScript (load.ts) with a real pg_restore: a zstd-compressed archive reaches pg_restore
 * through `zstd -d` writing straight into its stdin (the action carries only the compressed
 * bytes). The script must be the one pg_restore writes of the archive itself, and must never end
 * as if whole when zstd failed — also when zstd fails only after writing the whole archive,
 * where pg_restore itself exits 0.
 */
import { afterAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { archiveAsScript } from '../../src/postgres/load.js'
import { findZstdCommand } from '../../src/pipeline/compress.js'
import { liveChildren } from '../../src/process.js'
import { writeArchive } from '../support/archive-writer.js'
import { debianClients } from '../support/clients.js'

const client = debianClients()[0]
const zstd = findZstdCommand()
const dir = mkdtempSync(path.join(os.tmpdir(), 'archive-script-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const OPTIONS = { tables: [], schemas: [], noOwner: false, noPrivileges: false }

/** A custom archive of `count` tables (schema only), as pg_dump 15 lays it out. */
function archive(count: number): Buffer {
  const entries = Array.from({ length: count }, (_, i) => ({
    dumpId: i + 1,
    tag: `t${i}`,
    desc: 'TABLE',
    section: 2,
    defn: `CREATE TABLE public.t${i} (id integer, note text);\n`,
    dropStmt: `DROP TABLE public.t${i};\n`,
    namespace: 'public',
    owner: 'app',
    dataState: 3,
    dataOffset: 0,
    dependencies: []
  }))
  return writeArchive({ minor: 14, entries })
}

function compressed(name: string, content: Buffer): string {
  const plain = path.join(dir, name)
  writeFileSync(plain, content)
  execFileSync(zstd!, ['-q', '-f', '-3', plain, '-o', `${plain}.zst`])
  return `${plain}.zst`
}

/** The script, the \restrict key (random per run) blanked; or the error it failed with. */
async function script(
  input: Parameters<typeof archiveAsScript>[2]
): Promise<{ text?: string; error?: Error }> {
  const chunks: Buffer[] = []
  const { stdout, done } = archiveAsScript(path.join(client.binDir, 'pg_restore'), OPTIONS, input)
  const [read, exited] = await Promise.allSettled([
    pipeline(
      stdout,
      new Writable({
        write: (chunk: Buffer, _encoding, callback) => {
          chunks.push(chunk)
          callback()
        }
      })
    ),
    done
  ])
  const failed = [read, exited].find(r => r.status === 'rejected')
  if (failed) return { error: failed.reason as Error }
  return {
    text: Buffer.concat(chunks)
      .toString('utf8')
      .replace(/^\\(un)?restrict \S+$/gm, '\\$1restrict KEY')
  }
}

describe('archiveAsScript of a zstd archive (zstd -d into pg_restore)', () => {
  it('writes the script pg_restore writes of the archive file itself', async () => {
    expect(client && zstd).toBeTruthy()
    const content = archive(3000)
    const file = compressed('tables.dump', content)
    const direct = await script({ path: path.join(dir, 'tables.dump') })
    const piped = await script({ file: { path: file }, decoding: { compression: 'zstd' } })
    expect(direct.error).toBeUndefined()
    expect(piped.error).toBeUndefined()
    expect(piped.text).toContain('CREATE TABLE public.t2999 (id integer, note text);')
    expect(piped.text).toBe(direct.text)
    expect(liveChildren()).toBe(0)
  })

  it('fails when zstd fails after writing the whole archive, though pg_restore exits 0', async () => {
    // a whole frame holding the archive, then bytes that are no zstd frame: zstd writes the
    // archive, then fails ("unsupported format") without writing more, and pg_restore exits 0
    const file = compressed('then-garbage.dump', archive(200))
    const bytes = Buffer.concat([readFileSync(file), Buffer.from('garbage!garbage!')])
    const broken = path.join(dir, 'then-garbage-broken.dump.zst')
    writeFileSync(broken, bytes)
    const result = await script({ file: { path: broken }, decoding: { compression: 'zstd' } })
    expect(result.text).toBeUndefined()
    expect(result.error?.message).toMatch(/zstd.*unsupported format/)
    expect(liveChildren()).toBe(0)
  })

  it('fails on a truncated stream, with zstd named', async () => {
    const file = compressed('cut.dump', archive(2000))
    const bytes = readFileSync(file)
    const cut = path.join(dir, 'cut-short.dump.zst')
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)))
    const result = await script({ file: { path: cut }, decoding: { compression: 'zstd' } })
    expect(result.text).toBeUndefined()
    expect(result.error?.message).toMatch(/zstd|pg_restore/)
    expect(liveChildren()).toBe(0)
  })

  it("reports pg_restore's own failure, not zstd's broken pipe, when pg_restore stops reading", async () => {
    // no archive: pg_restore reads the first bytes and fails; zstd then writes into a closed pipe
    const file = compressed('no-archive.dump', Buffer.alloc(4 * 1024 * 1024, 'x'))
    const result = await script({ file: { path: file }, decoding: { compression: 'zstd' } })
    expect(result.text).toBeUndefined()
    expect(result.error?.message).toMatch(/pg_restore.*does not appear to be a valid archive/)
    expect(liveChildren()).toBe(0)
  })

  it('takes zstd stopped by the broken pipe when pg_restore read what it needed and exited 0 (as when the action fed it)', async () => {
    // bytes after the archive, which pg_restore never reads: more than a pipe holds
    const content = Buffer.concat([archive(50), Buffer.alloc(4 * 1024 * 1024, 'x')])
    const file = compressed('trailing.dump', content)
    const piped = await script({ file: { path: file }, decoding: { compression: 'zstd' } })
    const direct = await script({ path: path.join(dir, 'trailing.dump') })
    expect(piped.error).toBeUndefined()
    expect(piped.text).toContain('CREATE TABLE public.t49 (id integer, note text);')
    expect(piped.text).toBe(direct.text)
    expect(liveChildren()).toBe(0)
  })
})
