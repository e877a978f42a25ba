/**
 * `npm run package` rewrites the bundles in ASCII (dev/ascii-bundle.ts): V8 keeps a module's
 * source in the heap two bytes per character once one character is outside Latin-1 (issue 19,
 * the peak RSS). The rewritten module must mean exactly the same: the values that come back from
 * running it are compared, not the text.
 */
import { describe, expect, it } from '@jest/globals'
import { readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import vm from 'node:vm'
import { asciiOnly } from '../../dev/ascii-bundle.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

/** What a script's last expression gives, as JSON. */
function evaluate(source: string): unknown {
  return JSON.parse(vm.runInNewContext(`JSON.stringify((() => { ${source} })())`) as string)
}

describe('dist/ in ASCII (dev/ascii-bundle.ts)', () => {
  it('strings, templates, regular expressions, names and comments mean the same', () => {
    const source = [
      '// a comment — with “quotes” and ✅',
      '/* a block … comment */',
      "const dash = 'a — b', quoted = \"“q”\", emoji = '✅ 😀'",
      'const part = `→ ${dash} ←`, nested = `x${`— ${1 + 1} —`}y`',
      'const re = /[—–]+/g, unicode = /😀|é/u, astral = /^.$/u',
      'const café = 1; const obj = { naïve: café + 1 }',
      'const nbsp = 1\u00a0+\u00a02 // NBSP as white space between tokens',
      'return [dash, quoted, emoji, part, nested, "a——b–c".replace(re, "-"), unicode.test("😀"),',
      '  unicode.test("é"), astral.test("😀"), obj.naïve, café, nbsp, 7 / 2 / 1, `${"é"}`.length]'
    ].join('\n')
    const ascii = asciiOnly(source, 'sample.js')
    expect(ascii).not.toMatch(/[\u0080-\uffff]/)
    expect(evaluate(ascii)).toEqual(evaluate(source))
    expect(evaluate(ascii)).toEqual([
      'a — b',
      '“q”',
      '✅ 😀',
      '→ a — b ←',
      'x— 2 —y',
      'a-b-c',
      true,
      true,
      true,
      2,
      1,
      3,
      3.5,
      1
    ])
  })

  it('a source already in ASCII is given back as it was', () => {
    const source = 'const a = "plain"; export default a\n'
    expect(asciiOnly(source, 'plain.js')).toBe(source)
  })

  it('refuses what an escape would change: a tagged (raw) template, a backslash before the character', () => {
    expect(() => asciiOnly('const s = String.raw`a — b`', 'raw.js')).toThrow(
      /raw\.js:1: a character outside ASCII in a tagged template/
    )
    expect(() => asciiOnly('const s = tag`x`, t = `${s}`\nconst u = f()`—`', 'tag.js')).toThrow(
      /tag\.js:2: .*tagged template/
    )
    expect(() => asciiOnly("const s = 'a\\—b'", 'slash.js')).toThrow(
      /slash\.js:1: a character outside ASCII after a backslash/
    )
    // an untagged template after a template's end is not taken for a tagged one
    expect(evaluate(asciiOnly('const a = `x`; const b = `—`; return a + b', 'two.js'))).toBe('x—')
  })

  it('the committed bundles are in ASCII (npm run package rewrote them)', () => {
    const dist = path.join(root, 'dist')
    const files = readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter(f =>
      f.endsWith('.js')
    )
    expect(files).toContain('index.js')
    const outside = files.filter(f =>
      /[\u0080-\uffff]/.test(readFileSync(path.join(dist, f), 'utf8'))
    )
    expect(outside).toEqual([])
  })
})
