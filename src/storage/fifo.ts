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
import { constants, openSync } from 'node:fs'
import { Socket } from 'node:net'
import { Transform } from 'node:stream'
import { log } from '../log.js'
import { runChild, startChild } from '../process.js'

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
