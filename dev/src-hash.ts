/**
 * Whether dist/ was built from the sources as they are: `npm run package` records a hash of the
 * content of src/ in dist/src.sha256 (`tsx dev/src-hash.ts > dist/src.sha256`), and the demo
 * compares it with the sources now. Content, not modification times: git sets the times of every
 * file it checks out, so on a fresh clone src/ can look newer than dist/ when it is not.
 * Run directly, it prints the hash of `<root>/src` (root: the working directory).
 */
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, readdirSync, realpathSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** sha256 over each file of `dir` (its path below `dir` and its content's sha256), in path order. */
export function sourceHash(dir: string): string {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter(entry => entry.isFile())
    .map(entry =>
      path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/')
    )
    .sort()
  const hash = createHash('sha256')
  for (const file of files) {
    const content = createHash('sha256')
      .update(readFileSync(path.join(dir, file)))
      .digest('hex')
    hash.update(`${file}\0${content}\n`)
  }
  return hash.digest('hex')
}

/**
 * 'current': dist/src.sha256 names the sources as they are; 'stale': it names other sources;
 * 'unknown': dist/ records no hash (built before it did, or by hand).
 */
export function distState(root: string): 'current' | 'stale' | 'unknown' {
  const recorded = path.join(root, 'dist', 'src.sha256')
  if (!existsSync(recorded)) return 'unknown'
  return readFileSync(recorded, 'utf8').trim() === sourceHash(path.join(root, 'src'))
    ? 'current'
    : 'stale'
}

function isEntryPoint(): boolean {
  try {
    return realpathSync(process.argv[1] ?? '') === realpathSync(fileURLToPath(import.meta.url))
  } catch {
    return false
  }
}

if (isEntryPoint()) process.stdout.write(`${sourceHash(path.resolve('src'))}\n`)
