/**
 * Rewrites the bundles `npm run package` wrote into dist/ (and dist/cli/) in ASCII. V8 keeps each
 * module's source text in the heap for as long as the process runs, one byte per character when
 * all of it is Latin-1 and two bytes otherwise: one `—` in a message doubles it (the artifact
 * client's chunk: 3.9 MB on disk, 7.9 MB of heap; some 6.6 MB of the action's peak RSS in all,
 * issue 19). acorn's tokenizer finds where each character stands: in a string, a template, a
 * regular expression or a name it becomes its `\uXXXX` escape (the same character there); in a
 * comment too (nothing either way); between tokens it is white space (a no-break space), and
 * becomes a space. A raw template (a tagged one) or a character after a backslash would change:
 * a bundle with either is refused, left as it was (exit 1). Run by `npm run package`.
 */
import { tokenizer, tokTypes, type Token } from 'acorn'
import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'

const NON_ASCII = /[\u0080-\uffff]/g

/** A UTF-16 code unit's escape, as JavaScript reads it in strings, templates, regexps and names. */
function escape(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`
}

/** Whether a token ends an expression a template after it would be tagged by. */
function tags(token: Token | undefined): boolean {
  if (!token) return false
  const t = token.type
  return (
    t === tokTypes.name ||
    t === tokTypes.parenR ||
    t === tokTypes.bracketR ||
    t === tokTypes.backQuote ||
    t === tokTypes.privateId
  )
}

/** `source` (a module) in ASCII, meaning the same; throws (naming `file`) where it would not. */
export function asciiOnly(source: string, file: string): string {
  if (!NON_ASCII.test(source)) return source
  const where = (at: number): string =>
    `${file}:${source.slice(0, at).split('\n').length}: a character outside ASCII`
  // the token (or comment) each stretch of the source is, in order
  const spans: Array<{ start: number; end: number; kind: 'escape' | 'raw' }> = []
  let previous: Token | undefined
  const tagged: boolean[] = []
  for (const token of tokenizer(source, {
    ecmaVersion: 'latest',
    sourceType: 'module',
    allowHashBang: true,
    onComment: (_block, _text, start, end) => spans.push({ start, end, kind: 'escape' })
  })) {
    if (token.type === tokTypes.backQuote) {
      // an opening backquote after something that can be a tag starts a raw-readable template
      if (tagged.length > 0 && previous?.type === tokTypes.template) tagged.pop()
      else tagged.push(tags(previous))
    }
    const kind = token.type === tokTypes.template && tagged.at(-1) ? 'raw' : 'escape'
    spans.push({ start: token.start, end: token.end, kind })
    previous = token
  }
  spans.sort((a, b) => a.start - b.start)
  let out = ''
  let at = 0
  for (const span of [...spans, { start: source.length, end: source.length, kind: 'escape' }]) {
    // between tokens and comments: white space
    out += source.slice(at, span.start).replace(NON_ASCII, ' ')
    const text = source.slice(span.start, span.end)
    out += text.replace(NON_ASCII, (char, offset: number) => {
      if (span.kind === 'raw') throw new Error(`${where(span.start)} in a tagged template`)
      if ((/\\*$/.exec(text.slice(0, offset))?.[0].length ?? 0) % 2 === 1)
        throw new Error(`${where(span.start + offset)} after a backslash`)
      return escape(char)
    })
    at = Math.max(at, span.end)
  }
  return out
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dist = path.resolve(process.argv[2] ?? 'dist')
  const files = readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter(f =>
    f.endsWith('.js')
  )
  // all checked before any is written: a refusal leaves dist/ as ncc wrote it
  const rewritten = files.map(file => {
    const full = path.join(dist, file)
    const source = readFileSync(full, 'utf8')
    return { full, source, ascii: asciiOnly(source, path.relative(process.cwd(), full)) }
  })
  let escaped = 0
  for (const { full, source, ascii } of rewritten) {
    if (ascii === source) continue
    escaped += source.match(NON_ASCII)?.length ?? 0
    writeFileSync(full, ascii)
  }
  console.log(
    `ascii-bundle: ${escaped} characters outside ASCII rewritten in ${files.length} files`
  )
}
