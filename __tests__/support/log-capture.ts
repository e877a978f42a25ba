/**
 * The engine's log as a test reads it: the action's log goes to stdout through @actions/core.
 */

/** Lines the engine logs while `fn` runs (written through, as always), and its result. */
export async function logOf<T>(fn: () => Promise<T>): Promise<{ lines: string; result: T }> {
  const written: string[] = []
  const write = process.stdout.write.bind(process.stdout)
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    written.push(String(chunk))
    return (write as (...args: unknown[]) => boolean)(chunk, ...rest)
  }) as typeof process.stdout.write
  try {
    const result = await fn()
    return { lines: written.join(''), result }
  } finally {
    process.stdout.write = write
  }
}
