/**
 * Recognising a backup by content: compression by magic bytes, then the dump format from the
 * decompressed start; names never count. Files that are neither are refused with a clear message.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import zlib from 'node:zlib'
import type { BackupFile } from '../../src/pipeline/decode.js'
import { FormatError, detectBackup, detectFormat, utf16Text } from '../../src/pipeline/detect.js'

let dir: string

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'detect-test-'))
})

afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

let counter = 0
function file(content: Buffer | string, name = `file-${counter++}`): BackupFile {
  const p = path.join(dir, `${counter++}-${name}`)
  writeFileSync(p, content)
  return { path: p }
}

const zstd = (b: Buffer | string): Buffer => zlib.zstdCompressSync(Buffer.from(b))
const gzip = (b: Buffer | string): Buffer => zlib.gzipSync(Buffer.from(b))

const SQL = [
  '--',
  '-- PostgreSQL database dump',
  '--',
  '',
  'SET statement_timeout = 0;',
  'CREATE TABLE public.t (id integer, v text);',
  'COPY public.t (id, v) FROM stdin;',
  '1\tünïcødé ✓ 😀',
  '\\.',
  ''
].join('\n')

/** The start of a custom-format archive: "PGDMP", version 1.14, sizes, format 1 (custom), … */
const CUSTOM = Buffer.concat([
  Buffer.from('PGDMP'),
  Buffer.from([1, 14, 0, 4, 8, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
  Buffer.alloc(2000, 0x5a)
])

/** A tar archive (directory format inside): one 512-byte header with "ustar" at 257. */
function tarOf(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(512)
  header.write(name, 0, 'latin1')
  header.write('0000600\0', 100, 'latin1')
  header.write('0000000\0', 108, 'latin1')
  header.write('0000000\0', 116, 'latin1')
  header.write(content.length.toString(8).padStart(11, '0') + '\0', 124, 'latin1')
  header.write('00000000000\0', 136, 'latin1')
  header.write('        ', 148, 'latin1')
  header.write('0', 156, 'latin1')
  header.write('ustar\x0000', 257, 'latin1')
  let sum = 0
  for (const b of header) sum += b
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1')
  const body = Buffer.alloc(Math.ceil(content.length / 512) * 512)
  content.copy(body)
  return Buffer.concat([header, body, Buffer.alloc(1024)])
}

describe('detectBackup', () => {
  it.each<[string, () => Buffer | string, string, string]>([
    ['SQL text', () => SQL, 'none', 'plain'],
    ['gzip SQL', () => gzip(SQL), 'gzip', 'plain'],
    ['zstd SQL', () => zstd(SQL), 'zstd', 'plain'],
    ['custom archive', () => CUSTOM, 'none', 'custom'],
    ['zstd custom archive', () => zstd(CUSTOM), 'zstd', 'custom'],
    ['gzip custom archive', () => gzip(CUSTOM), 'gzip', 'custom'],
    ['directory tar', () => tarOf('toc.dat', CUSTOM), 'none', 'directory-tar'],
    ['zstd directory tar', () => zstd(tarOf('toc.dat', CUSTOM)), 'zstd', 'directory-tar'],
    // a multi-byte character cut at the 8 KiB boundary is still text
    ['long UTF-8 text', () => `-- ${'€'.repeat(5000)}\nSELECT 1;\n`, 'none', 'plain'],
    [
      'a hand-written script',
      () => 'create table t (id int);\ninsert into t values (1);',
      'none',
      'plain'
    ]
  ])('%s', async (_name, content, compression, format) => {
    expect(await detectBackup(file(content()))).toMatchObject({ compression, format })
  })

  it('goes by content, not by the file name', async () => {
    expect(await detectBackup(file(zstd(SQL), 'backup.sql.gz'))).toMatchObject({
      compression: 'zstd',
      format: 'plain'
    })
    expect(await detectBackup(file(gzip(CUSTOM), 'backup.sql'))).toMatchObject({
      compression: 'gzip',
      format: 'custom'
    })
    // pg_dump's SQL script named .dump by hand (pg_dump > db.dump): psql -f restores it
    expect(await detectBackup(file(SQL, 'backup.dump.zst'))).toMatchObject({
      compression: 'none',
      format: 'plain'
    })
  })

  it.each<[string, () => Buffer, RegExp]>([
    [
      'backup.dump.zst',
      () => zstd('<!DOCTYPE html>\n<html><body>Not Found</body></html>\n'),
      /an HTML page starting "<!DOCTYPE html>"/
    ],
    [
      'backup.dump',
      () => Buffer.from('create table t (id int);\nselect 1;\n'),
      /text starting "create table t \(id int\);"/
    ],
    ['backup.dump.gz', () => gzip('{"error": "expired"}\n'), /JSON or other text starting/]
  ])(
    'refuses %s that is text but no pg_dump archive, naming what it is',
    async (name, content, what) => {
      const p = file(content(), name)
      await expect(detectBackup(p)).rejects.toThrow(FormatError)
      await expect(detectBackup(p)).rejects.toThrow(
        /the name says a pg_dump archive \(\.dump\), but the content/
      )
      await expect(detectBackup(p)).rejects.toThrow(what)
    }
  )

  it('runs the same text named .sql as a script', async () => {
    expect(await detectBackup(file('create table t (id int);\n', 'backup.sql'))).toMatchObject({
      format: 'plain'
    })
  })

  it('reads a backup in place: a byte range inside a larger file (a stored zip entry)', async () => {
    const content = gzip(CUSTOM)
    const before = Buffer.alloc(1000, 0x50)
    const whole = file(Buffer.concat([before, content, Buffer.alloc(500, 0xee)]))
    const inside = { ...whole, range: { offset: before.length, length: content.length } }
    expect(await detectBackup(inside)).toMatchObject({ compression: 'gzip', format: 'custom' })
    // read whole, the same file is no backup at all
    await expect(detectBackup(whole)).rejects.toThrow(FormatError)
  })

  it.each<[string, () => Buffer, RegExp]>([
    [
      'a PNG image',
      () =>
        Buffer.concat([
          Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
          Buffer.from('IHDR'),
          Buffer.alloc(100, 0)
        ]),
      /neither a pg_dump archive .* nor an SQL script/
    ],
    [
      'random high bytes without NULs',
      () => Buffer.from(Array.from({ length: 4096 }, (_, i) => 0x80 + ((i * 37) % 127))),
      /neither a pg_dump archive/
    ],
    ['gzip of binary data', () => gzip(Buffer.alloc(4096, 0)), /neither a pg_dump archive/],
    ['an empty file', () => Buffer.alloc(0), /empty/],
    [
      'a zip (an artifact zipped again; trial u18 F5)',
      () =>
        Buffer.concat([Buffer.from([0x50, 0x4b, 3, 4, 20, 0, 0, 0, 0, 0]), Buffer.alloc(200, 0)]),
      /is itself a zip \(a zip inside a zip.*give the inner \.zip, or the files it holds, as backup-file/
    ],
    [
      'gzip magic over garbage',
      () => Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.alloc(200, 0xee)]),
      /gzip data cannot be .*decompressed/
    ],
    [
      'zstd magic over garbage',
      () => Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), Buffer.alloc(200, 0xee)]),
      /zstd data cannot be .*decompressed/
    ]
  ])('refuses %s with a FormatError', async (_name, content, message) => {
    const p = file(content())
    await expect(detectBackup(p)).rejects.toThrow(FormatError)
    await expect(detectBackup(p)).rejects.toThrow(message)
  })

  it('names bzip2, xz and lz4, which are not read, and the command that converts the file', async () => {
    const bzip2 = file(Buffer.from('BZh91AY&SY\x00\x01\x02\x03 some compressed bytes', 'latin1'))
    await expect(detectBackup(bzip2)).rejects.toThrow(FormatError)
    await expect(detectBackup(bzip2)).rejects.toThrow(
      /compressed with bzip2, which the action does not read \(it reads gzip and zstd/
    )
    await expect(detectBackup(bzip2)).rejects.toThrow(/convert it: bzip2 -dc \S+ \| zstd -o /)
    const xz = file(
      Buffer.concat([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0]), Buffer.alloc(64, 1)])
    )
    await expect(detectBackup(xz)).rejects.toThrow(/compressed with xz.*xz -dc /)
    const lz4 = file(Buffer.concat([Buffer.from([0x04, 0x22, 0x4d, 0x18]), Buffer.alloc(64, 1)]))
    await expect(detectBackup(lz4)).rejects.toThrow(/compressed with lz4.*lz4 -dc /)
  })
})

describe('detectFormat', () => {
  it.each<[string, Buffer, string | undefined]>([
    ['PGDMP', Buffer.from('PGDMP\x01\x0e\x00', 'latin1'), 'custom'],
    ['empty', Buffer.alloc(0), undefined],
    ['text', Buffer.from('SELECT 1;\n'), 'plain'],
    ['text with a NUL', Buffer.from('SELECT 1;\0\n'), undefined],
    ['ustar too short', Buffer.from('x'.repeat(200)), 'plain'],
    [
      'invalid UTF-8',
      Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x28, 0x8c, 0xbc]),
      undefined
    ],
    // text in another client encoding (trial u27 F1): pg_dump of a LATIN1 database
    [
      'LATIN1 text with its SET client_encoding line',
      Buffer.from(
        "SET client_encoding = 'LATIN1';\nCOPY t (a) FROM stdin;\n" +
          'M\xfcller Caf\xe9 Se\xf1or\n'.repeat(20),
        'latin1'
      ),
      'plain'
    ],
    [
      'WIN1252 text, mostly ASCII',
      Buffer.from('SELECT 1; -- \x80 \xe9\xe8\xe0 \x93x\x94\n'.repeat(9), 'latin1'),
      'plain'
    ],
    [
      'SJIS rows after a client_encoding line, little ASCII',
      Buffer.concat([
        Buffer.from("SET client_encoding = 'SJIS';\n"),
        Buffer.from(Array.from({ length: 600 }, (_, i) => (i % 2 ? 0x82 : 0x9f)))
      ]),
      'plain'
    ],
    [
      'high bytes with no SQL around them',
      Buffer.from(Array.from({ length: 400 }, (_, i) => 0xa0 + (i % 90))),
      undefined
    ],
    [
      'control characters among LATIN1 bytes',
      Buffer.from('SELECT 1;\x01\x02\x03\x04\x05\xe9\xe9\xe9\xe9\n', 'latin1'),
      undefined
    ],
    ['UTF-16LE text', Buffer.from('SELECT 1;\n', 'utf16le'), undefined]
  ])('%s', (_name, start, expected) => {
    expect(detectFormat(start)).toBe(expected)
  })
})

describe('utf16Text', () => {
  it.each<[string, Buffer, ReturnType<typeof utf16Text>]>([
    [
      'LE with its byte-order mark',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('SET x = 1;', 'utf16le')]),
      { order: 'LE', bom: true }
    ],
    [
      'BE with its byte-order mark',
      Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('SET x = 1;', 'utf16le').swap16()]),
      { order: 'BE', bom: true }
    ],
    [
      'LE without one',
      Buffer.from('CREATE TABLE t (a int);\n', 'utf16le'),
      { order: 'LE', bom: false }
    ],
    [
      'BE without one',
      Buffer.from('CREATE TABLE t (a int);\n', 'utf16le').swap16(),
      { order: 'BE', bom: false }
    ],
    ['UTF-8 text', Buffer.from('CREATE TABLE t (a int);\n'), undefined],
    [
      'UTF-32LE (its mark is FF FE 00 00)',
      Buffer.from([0xff, 0xfe, 0, 0, 0x53, 0, 0, 0]),
      undefined
    ],
    ['binary with NULs', Buffer.from([0x89, 0x50, 0, 0, 0, 13, 0x49, 0x48, 0, 1, 2, 3]), undefined]
  ])('%s', (_name, start, expected) => {
    expect(utf16Text(start)).toEqual(expected)
  })
})
