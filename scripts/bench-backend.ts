/**
 * The loopback artifact backend of `npm run bench` (dev/artifact-backend.ts) in a process of its
 * own, so that its CPU time is measured apart from the action's and the benchmark's. Started by
 * scripts/bench.ts with fork(); it talks over the IPC channel only:
 *
 *   → { type: 'ready', pid, env }                      once listening (env: what a step needs)
 *   ← { id, op: 'extract', name, file }                 the newest artifact `name`: its dump
 *   → { id, ok: true, zipBytes, rawSizeBytes, entry }     entry written into `file`, decompressed
 *                                                        (zstd or gzip) as pg_restore reads it
 *   ← { id, op: 'close' }                               stops the server and exits
 *   → { id, ok: false, error }                          on any failure
 *
 * It exits when its parent goes away (the IPC channel closes), so it never outlives the benchmark.
 */
import { createWriteStream } from 'node:fs'
import { Readable, type Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import zlib from 'node:zlib'
import { startArtifactBackend, unzipEntries } from '../dev/artifact-backend.js'

interface Request {
  id: number
  op: 'extract' | 'close'
  name?: string
  file?: string
}

const send = (message: unknown): void => void process.send?.(message)

if (!process.send) {
  console.error('scripts/bench-backend.ts is started by scripts/bench.ts (fork), not by hand')
  process.exit(2)
}

const backend = await startArtifactBackend()
process.on('disconnect', () => void backend.close().finally(() => process.exit(0)))

async function extract(name: string, file: string): Promise<Record<string, unknown>> {
  const artifact = backend.findArtifact(`${name}.zip`) ?? backend.findArtifact(name)
  if (!artifact) throw new Error(`no artifact named ${name} in the loopback backend`)
  const entries = await unzipEntries(artifact.bytes)
  const manifestBytes = entries.get('manifest.json')
  if (!manifestBytes) throw new Error(`artifact ${name} has no manifest.json`)
  const manifest = JSON.parse(manifestBytes.toString('utf8')) as {
    file: { name: string }
    rawSizeBytes: number
  }
  const dump = entries.get(manifest.file.name)
  if (!dump) throw new Error(`artifact ${name} lacks ${manifest.file.name}`)
  const stages: Transform[] = manifest.file.name.endsWith('.zst')
    ? [zlib.createZstdDecompress()]
    : manifest.file.name.endsWith('.gz')
      ? [zlib.createGunzip()]
      : []
  await pipeline([Readable.from([dump]), ...stages, createWriteStream(file, { mode: 0o600 })])
  entries.clear()
  return {
    zipBytes: artifact.bytes.length,
    rawSizeBytes: manifest.rawSizeBytes,
    entry: manifest.file.name
  }
}

process.on('message', (message: Request) => {
  void (async () => {
    try {
      if (message.op === 'close') {
        await backend.close()
        send({ id: message.id, ok: true })
        process.disconnect()
        return
      }
      if (message.op === 'extract' && message.name && message.file) {
        send({ id: message.id, ok: true, ...(await extract(message.name, message.file)) })
        return
      }
      throw new Error(`unknown request ${JSON.stringify(message)}`)
    } catch (error) {
      send({
        id: message.id,
        ok: false,
        error: error instanceof Error ? error.message : String(error)
      })
    }
  })()
})

send({ type: 'ready', pid: process.pid, env: backend.env() })
