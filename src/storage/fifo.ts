/**
 * Named pipes for the live upload, where the artifact client cannot be handed the zip's stream
 * (artifact-zip.ts handOverOnRead: node:fs cannot be patched for it, as under jest): it then
 * reads the backup's zip from a pipe while the dump is still being written into it.
 *
 * Why the pipe is widened: the client reads the pipe with 8 MiB buffers, one allocated per read,
 * and a read returns what the pipe holds: 64 KiB writes into a 64 KiB pipe would cost an 8 MiB
 * buffer per 64 KiB, and garbage collection would take more CPU than the dump (measured: 9 s
 * instead of 5 s on the 500 MB bench database). So the zip is written in 1 MiB pieces into a
 * pipe widened to 1 MiB (the most an unprivileged process may set, /proc/sys/fs/pipe-max-size).
 * Node has no fcntl(): perl, which GitHub's runners have, sets F_SETPIPE_SZ (1031) on the pipe,
 * which then keeps that size while the action holds its writing end. Without perl (or mkfifo)
 * the zip is written to a file and uploaded after the dump.
 */
import { closeSync, constants, openSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { Socket } from 'node:net'
import path from 'node:path'
import { Transform } from 'node:stream'
import { log } from '../log.js'
import { runChild, startChild } from '../process.js'
import { makeWorkDir } from './local.js'

export const PIPE_SIZE = 1024 * 1024

/** A named pipe at `file` (mode 0600); false when the system cannot make one. */
export async function makeFifo(file: string): Promise<boolean> {
  if (process.platform === 'win32') return false
  return runChild('mkfifo', ['-m', '600', file]).then(
    () => true,
    () => false
  )
}

let perlWorks: Promise<boolean> | undefined

/** Whether pipes can be widened here (Linux, with perl); checked once. */
export function canWidenPipes(): Promise<boolean> {
  perlWorks ??=
    process.platform === 'linux'
      ? runChild('perl', ['-e', '1']).then(
          () => true,
          () => false
        )
      : Promise.resolve(false)
  return perlWorks
}

/** Sets the pipe's buffer to PIPE_SIZE; needs the pipe open for writing (else it blocks). */
export function widenPipe(fifo: string): void {
  const perl = startChild(
    'perl',
    [
      '-e',
      'open(my $f, "+<", $ARGV[0]) or exit 1; fcntl($f, 1031, $ARGV[1] + 0) or exit 2',
      fifo,
      String(PIPE_SIZE)
    ],
    { stdout: 'ignore' }
  )
  perl.done.catch((error: Error) => log.debug(`could not widen the upload pipe (${error.message})`))
}

/** Joins chunks into pieces of at least `size` bytes (the last one may be smaller). */
export function coalesce(size: number): Transform {
  let held: Buffer[] = []
  let heldBytes = 0
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      held.push(chunk)
      heldBytes += chunk.length
      if (heldBytes < size) return callback()
      const piece = Buffer.concat(held, heldBytes)
      held = []
      heldBytes = 0
      callback(null, piece)
    },
    flush(callback) {
      callback(null, heldBytes > 0 ? Buffer.concat(held, heldBytes) : undefined)
    }
  })
}

/**
 * Reads the pipe to its end without waiting for a writer to appear (non-blocking open): frees a
 * writer that is blocked on a pipe the client no longer reads.
 */
export function drain(fifo: string): Socket | undefined {
  let fd: number
  try {
    fd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch {
    return undefined // removed already
  }
  const reader = new Socket({ fd, readable: true, writable: false })
  reader.on('error', () => reader.destroy())
  // a pipe whose writer is gone already never signals its end: it must not keep Node running
  reader.unref()
  reader.resume()
  return reader
}

/** Bytes of the one buffer a {@link ReusedBufferPipe} reads into (a Linux pipe holds 64 KiB). */
const REUSED_READ_BYTES = 64 * 1024

/**
 * A pipe this process reads into one buffer of its own, reused for every read: for a child's
 * output it reads through and drops (verify's pg_dump of the scratch database, digested). A
 * child's stdout stream allocates a Buffer per read, garbage until the next collection, which V8
 * lets grow by some 64 MB of Buffers first; this reads gigabytes in 64 KiB.
 */
export interface ReusedBufferPipe {
  /** The writing end: the child's stdout (StartOptions.stdout); {@link closeWriter} once it started. */
  readonly writer: Socket
  /** This process's copy of the writing end closed (the end comes when the child's is closed). */
  closeWriter(): void
  /** The next bytes read, valid only until the next call; null at the end. */
  next(): Promise<Buffer | null>
  /** Stops reading (closes the reading end, and the writing end if still open). */
  close(): void
}

/**
 * A {@link ReusedBufferPipe}: a named pipe in a work directory of its own (under `tempRoot`, else
 * RUNNER_TEMP or the system's), opened at both ends and removed at once (the descriptors stay). Undefined where no named pipe can be made
 * (Windows, no mkfifo): then read the child's stdout.
 */
export async function reusedBufferPipe(tempRoot?: string): Promise<ReusedBufferPipe | undefined> {
  if (process.platform === 'win32') return undefined
  const dir = await makeWorkDir('pg-pipe-', tempRoot)
  let readFd: number | undefined
  let writeFd: number | undefined
  try {
    const fifo = path.join(dir, 'pipe')
    if (!(await makeFifo(fifo))) return undefined
    // the reading end first (non-blocking: no writer yet), then the writing end
    readFd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK)
    writeFd = openSync(fifo, constants.O_WRONLY)
  } catch {
    for (const fd of [readFd, writeFd]) if (fd !== undefined) closeSync(fd)
    return undefined
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
  const buffer = Buffer.allocUnsafe(REUSED_READ_BYTES)
  let ready: Buffer | undefined
  let ended = false
  let failed: Error | undefined
  let waiter:
    { resolve: (chunk: Buffer | null) => void; reject: (error: Error) => void } | undefined
  const reader = new Socket({
    fd: readFd,
    readable: true,
    writable: false,
    onread: {
      buffer,
      // one read at a time: paused until the chunk's reader asks for the next (the buffer is reused)
      callback: (bytes: number, into: Uint8Array) => {
        const chunk = Buffer.from(into.buffer, into.byteOffset, bytes)
        if (waiter) {
          const w = waiter
          waiter = undefined
          w.resolve(chunk)
        } else ready = chunk
        return false
      }
    }
  })
  reader.on('end', () => {
    ended = true
    waiter?.resolve(null)
    waiter = undefined
  })
  reader.on('error', (error: Error) => {
    failed = error
    waiter?.reject(error)
    waiter = undefined
  })
  const writer = new Socket({ fd: writeFd, readable: false, writable: true })
  writer.on('error', () => undefined)
  return {
    writer,
    closeWriter: () => writer.destroy(),
    next: () => {
      if (failed) return Promise.reject(failed)
      if (ready) {
        const chunk = ready
        ready = undefined
        return Promise.resolve(chunk)
      }
      if (ended) return Promise.resolve(null)
      return new Promise((resolve, reject) => {
        waiter = { resolve, reject }
        reader.resume()
      })
    },
    close: () => {
      writer.destroy()
      reader.destroy()
    }
  }
}
