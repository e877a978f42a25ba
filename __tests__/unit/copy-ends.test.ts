/**
 * Where a table's rows end as psql reads them (copy-ends.ts, attacker a59 F1): the scan finds
 * psql's end-of-data line however the bytes are cut into pieces, as a line-by-line reading does.
 */
import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { CopyEndScan, type CopyEndProblem, tarMemberSize } from '../../src/postgres/copy-ends.js'
import { plainTarMembers } from '../../src/postgres/load.js'

/** What psql's handleCopyIn reads: the first line "\.\n" or "\.\r\n" ends the rows. */
function reference(data: string): CopyEndProblem | undefined {
  let at = 0
  for (;;) {
    if (at >= data.length) return { at: data.length, what: 'unended' }
    const nl = data.indexOf('\n', at)
    const line = nl < 0 ? data.slice(at) : data.slice(at, nl + 1)
    at += line.length
    if (line === '\\.\n' || line === '\\.\r\n') break
    if (nl < 0) return { at: data.length, what: 'unended' }
  }
  const rest = data.slice(at)
  const bad = rest.search(/[^\r\n]/)
  return bad < 0 ? undefined : { at: at + bad, what: 'early' }
}

function scanned(data: string, cuts: number[]): CopyEndProblem | undefined {
  const bytes = Buffer.from(data, 'latin1')
  const scan = new CopyEndScan()
  let from = 0
  for (const cut of [...cuts, bytes.length]) {
    // a piece of a larger buffer: the scan reads only [from, cut)
    scan.feed(bytes, from, Math.max(from, cut))
    from = Math.max(from, cut)
  }
  return scan.end()
}

describe('CopyEndScan', () => {
  it.each([
    ['1\tone\n2\ttwo\n\\.\n\n\n', undefined],
    ['\\.\n\n\n', undefined],
    ['1\ta\\\\.\n\\.\n\n', undefined],
    ['1\tx\r\n\\.\r\n\r\n', undefined],
    ['1\tn1\n\\.\nCREATE TABLE pwned (i int);\n\\.\n\n\n', { at: 8, what: 'early' }],
    ['\\.\nDO $$ $$;\n', { at: 3, what: 'early' }],
    ['1\tn1\n', { at: 5, what: 'unended' }],
    ['1\tn1\n\\.', { at: 7, what: 'unended' }],
    ['1\t\\.\n', { at: 5, what: 'unended' }],
    ['\\\\.\n', { at: 4, what: 'unended' }],
    ['1\n\\.\n\n  ', { at: 6, what: 'early' }]
  ])('%j', (data, problem) => {
    expect(reference(data)).toEqual(problem)
    for (let cut = 0; cut <= data.length; cut++) expect(scanned(data, [cut])).toEqual(problem)
  })

  it('agrees with a line-by-line reading on random blocks cut at random places', () => {
    let seed = 7
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648
      return seed % n
    }
    const atoms = ['\n', '\\', '.', '\r', 'a', '\t', '\\.\n', '\\\\.']
    for (let round = 0; round < 3000; round++) {
      let data = ''
      for (let n = random(30); n > 0; n--) data += atoms[random(atoms.length)]
      if (random(2) === 0) data += '\\.\n\n\n'
      const cuts = Array.from({ length: random(4) }, () => random(data.length + 1)).sort(
        (a, b) => a - b
      )
      expect([data, scanned(data, cuts)]).toEqual([data, reference(data)])
    }
  })
})

describe('tarMemberSize: the size pg_restore reads, only where tar reads the same (attacker a60 F3)', () => {
  const header = (field: Buffer | string): Buffer => {
    const h = Buffer.alloc(512)
    Buffer.from(field as string, typeof field === 'string' ? 'latin1' : undefined).copy(h, 124)
    return h
  }
  it.each([
    ['00000001750 ', 1000], // pg_dump's (print_tar_number)
    ['00000001750\0', 1000], // GNU tar's
    ['1750', 1000],
    ['\t1750 \0', undefined], // tar: 1000; pg_restore: 0
    ['   1750\0', undefined],
    ['1750x', undefined],
    ['', undefined]
  ] as const)('%j', (field, size) => {
    expect(tarMemberSize(header(field))).toBe(size)
  })

  it('base-256 only as pg_restore reads it (first byte exactly 0x80)', () => {
    const big = Buffer.alloc(12)
    big[0] = 0x80
    big.writeUInt32BE(5_000_000_000 % 2 ** 32, 8)
    big[7] = Math.floor(5_000_000_000 / 2 ** 32)
    expect(tarMemberSize(header(big))).toBe(5_000_000_000)
    const negative = Buffer.alloc(12, 0xff)
    expect(tarMemberSize(header(negative))).toBeUndefined()
  })

  it('plainTarMembers refuses a tar with such a member before pg_restore reads it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tar-size-'))
    writeFileSync(path.join(dir, 'toc.dat'), 'x'.repeat(1000))
    const file = path.join(dir, 'a.tar')
    expect(spawnSync('tar', ['--format=ustar', '-cf', file, '-C', dir, 'toc.dat']).status).toBe(0)
    const bytes = readFileSync(file)
    Buffer.from('\t1750 \0', 'latin1').copy(bytes, 124)
    writeFileSync(file, bytes)
    await expect(plainTarMembers(file)).rejects.toThrow(
      /a member whose size field pg_restore and tar read differently \("toc\.dat": "\\t1750 /
    )
  })
})
