/**
 * Recognising a backup by its content, not its name: the compression by magic bytes, then the
 * dump format from the first decompressed bytes (custom archive, directory tar, or SQL text).
 * The name counts only to refuse: text named like an archive (.dump) that is no pg_dump script.
 */
import type { Compression, DecryptionKeys } from '../types.js'
import { CheckError } from '../errors.js'
import { detectCompression, unreadCompression } from './compress.js'
import {
  type BackupFile,
  type Decoding,
  fileName,
  firstBytes,
  openDecoded,
  readStart
} from './decode.js'
import { DecryptionError, isAgeEncrypted } from './encrypt.js'
import { redactSql } from '../postgres/sql-redact.js'

/** Start of age's ASCII armor (the whole line is longer than the 32 bytes read first). */
const AGE_ARMOR_HEADER = '-----BEGIN AGE ENCRYPTED FILE'

/** A zip's local file header signature (PK\x03\x04). */
const ZIP_LOCAL_HEADER = Buffer.from([0x50, 0x4b, 0x03, 0x04])

export type DetectedFormat = 'custom' | 'plain' | 'directory-tar'

export class FormatError extends CheckError {
  override name = 'FormatError'
}

/** The first `bytes` bytes of the decoded (decrypted, decompressed) content. */
export async function decodedStart(
  file: BackupFile,
  decoding: Decoding,
  bytes = 8192
): Promise<Buffer> {
  try {
    return await firstBytes(openDecoded(file, decoding), bytes)
  } catch (error) {
    if (error instanceof DecryptionError) throw error
    throw new FormatError(
      `the ${decoding.compression} data cannot be ${decoding.decryption ? 'decrypted or ' : ''}decompressed: ${(error as Error).message}`
    )
  }
}

export function detectFormat(start: Buffer): DetectedFormat | undefined {
  if (start.subarray(0, 5).toString('latin1') === 'PGDMP') return 'custom'
  if (start.length >= 262 && start.subarray(257, 262).toString('latin1') === 'ustar') {
    return 'directory-tar'
  }
  if (start.length === 0) return undefined
  // SQL text: no NUL bytes, and valid UTF-8 apart from a character cut at the end
  if (start.includes(0)) return undefined
  const text = start.toString('utf8')
  const replacement = (text.match(/\uFFFD/g) ?? []).length
  if (replacement <= 3) return 'plain'
  // or text in another encoding psql reads (LATIN1, WIN1252, EUC_JP, SJIS…: pg_dump of such a
  // database writes SET client_encoding = 'LATIN1'; and its rows as they are, trial u27 F1):
  // hardly a control character, and pg_dump's header, a client_encoding line or mostly ASCII —
  // what is not (random or compressed bytes) is no script
  let controls = 0
  let ascii = 0
  for (const byte of start) {
    if (byte < 0x20 ? !TEXT_CONTROLS.has(byte) : byte === 0x7f) controls++
    else if (byte < 0x80) ascii++
  }
  if (controls > 3 && controls * 100 > start.length) return undefined
  const head = start.toString('latin1')
  if (ascii * 2 >= start.length || ENCODING_LINE.test(head) || isPgDumpScript(start)) return 'plain'
  return undefined
}

/** Tab, line feed, vertical tab, form feed, carriage return, escape: found in SQL text. */
const TEXT_CONTROLS = new Set([0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1b])

/** A script's own client encoding: SET client_encoding = '…'; or psql's \encoding. */
const ENCODING_LINE = /^\s*(SET\s+client_encoding\b|\\encoding\s)/im

/**
 * UTF-16 text (an SQL script Windows PowerShell 5 wrote for pg_dump … > file, or an editor saved
 * as "Unicode"): by its byte-order mark, or ASCII with a NUL after (LE) or before (BE) each
 * character. psql reads no UTF-16 (it is no client encoding).
 */
export function utf16Text(start: Buffer): { order: 'LE' | 'BE'; bom: boolean } | undefined {
  if (
    start.length >= 2 &&
    start[0] === 0xff &&
    start[1] === 0xfe &&
    !(start[2] === 0 && start[3] === 0)
  )
    return { order: 'LE', bom: true }
  if (start.length >= 2 && start[0] === 0xfe && start[1] === 0xff) return { order: 'BE', bom: true }
  const pairs = Math.min(64, start.length >> 1)
  if (pairs < 4) return undefined
  const asciiAt = (i: number, zero: number): boolean =>
    start[i + zero] === 0 && start[i + 1 - zero] >= 0x09 && start[i + 1 - zero] < 0x80
  let le = 0
  let be = 0
  for (let i = 0; i < pairs * 2; i += 2) {
    if (asciiAt(i, 1)) le++
    if (asciiAt(i, 0)) be++
  }
  if (le === pairs) return { order: 'LE', bom: false }
  if (be === pairs) return { order: 'BE', bom: false }
  return undefined
}

export interface Detected {
  compression: Compression
  format: DetectedFormat
  encrypted: boolean
}

/** Compression, format and encryption of a backup file, by content. */
export async function detectBackup(file: BackupFile, keys?: DecryptionKeys): Promise<Detected> {
  const magic = await readStart(file, 32)
  if (magic.length === 0) throw new FormatError('the backup file is empty')
  if (magic.toString('latin1').startsWith(AGE_ARMOR_HEADER)) {
    // text, so it would pass for an SQL script: say what it is instead
    const name = shellWord(fileName(file))
    throw new FormatError(
      `the backup is an ASCII-armored age file (age -a / --armor), which the action does not read; give the binary form: decrypt it and encrypt it again without -a (age -d -i key.txt ${name} | age -r age1… -o ${shellWord(withoutSuffix(fileName(file), /\.(age|asc|pem)$/i))}.age, or with a passphrase: age -d ${name} | age -p -o ….age), and restore that.`
    )
  }
  const encrypted = isAgeEncrypted(magic)
  let head = magic
  let decryption: DecryptionKeys | undefined
  if (encrypted) {
    if (!keys || keys.identities.length + keys.passphrases.length === 0) {
      throw new DecryptionError(
        'the backup is encrypted with age; give its key in decryption-identity (AGE-SECRET-KEY-1…, from a secret) or its passphrase in encryption-passphrase.'
      )
    }
    decryption = keys
    head = await decodedStart(file, { compression: 'none', decryption }, 16)
  }
  const compression = detectCompression(head)
  if (compression === 'unknown-compressed') {
    const kind = unreadCompression(head) ?? 'bzip2'
    const name = fileName(file)
    const base = shellWord(
      withoutSuffix(encrypted ? withoutSuffix(name, /\.age$/i) : name, /\.(bz2|bzip2|xz|lz4)$/i)
    )
    const decompress = { bzip2: 'bzip2 -dc', xz: 'xz -dc', lz4: 'lz4 -dc' }[kind]
    const input = encrypted
      ? `age -d -i key.txt ${shellWord(name)} | ${decompress}`
      : `${decompress} ${shellWord(name)}`
    throw new FormatError(
      `the backup file is compressed with ${kind}, which the action does not read (it reads gzip and zstd, and uncompressed files); convert it: ${input} | zstd -o ${base}.zst (or ${input} > ${base}), and restore that.`
    )
  }
  const start = await decodedStart(file, { compression, decryption })
  const format = detectFormat(start)
  if (!format) {
    // an artifact's zip zipped again (a download of a download), or a zip in an artifact
    if (start.subarray(0, 4).equals(ZIP_LOCAL_HEADER))
      throw new FormatError(
        `the backup ${fileName(file)} is itself a zip (a zip inside a zip: a downloaded artifact zipped again?): unzip the outer one (unzip -l shows what it holds) and give the inner .zip, or the files it holds, as backup-file.`
      )
    const utf16 = utf16Text(start)
    if (utf16) {
      const name = shellWord(fileName(file))
      const decode = [
        ...(encrypted ? [`age -d -i key.txt ${name}`] : []),
        ...(compression === 'none'
          ? []
          : [`${compression === 'gzip' ? 'gzip' : 'zstd'} -dc${encrypted ? '' : ` ${name}`}`])
      ]
      const iconv = `iconv -f UTF-16${utf16.bom ? '' : utf16.order} -t UTF-8${decode.length === 0 ? ` ${name}` : ''}`
      const base = shellWord(
        withoutSuffix(fileName(file), /(\.sql)?(\.(gz|zst))?(\.age)?$/i) + '.utf8.sql'
      )
      throw new FormatError(
        `the backup ${fileName(file)} is text in UTF-16 (${utf16.order === 'LE' ? 'little' : 'big'}-endian${utf16.bom ? ', with a byte-order mark' : ''}), which neither psql nor the action reads (psql by hand fails at its first byte: "invalid byte sequence"): an SQL script saved as UTF-16, as Windows PowerShell 5 writes pg_dump … > file. Convert it to UTF-8: ${[...decode, iconv].join(' | ')} > ${base}, and restore that; or dump again with pg_dump -f FILE, which writes the file itself.`
      )
    }
    throw new FormatError(
      'the backup is neither a pg_dump archive (custom, directory or tar format) nor an SQL script; is it the right file?'
    )
  }
  if (format === 'plain' && namedAsArchive(fileName(file)) && !isPgDumpScript(start)) {
    throw new FormatError(
      `the name says a pg_dump archive (.dump), but the content${compression === 'none' ? '' : ` (${compression}-decompressed)`} does not start with an archive's PGDMP header: it is ${describeText(start)}, not a pg_dump archive and not a pg_dump SQL script. Give the file pg_dump --format=custom wrote; if it is an SQL script after all, name it .sql.`
    )
  }
  return { compression, format, encrypted }
}

/** A name like a custom archive's (.dump, .dump.gz, .dump.zst, each maybe .age). */
export function namedAsArchive(name: string): boolean {
  return /\.dump(\.(gz|zst))?(\.age)?$/i.test(name)
}

/**
 * An SQL script pg_dump wrote (its header comment, or the SET lines it starts with): named .dump
 * by hand (pg_dump > db.dump) it is still what psql -f would restore.
 */
function isPgDumpScript(start: Buffer): boolean {
  const head = start.subarray(0, 2048).toString('utf8')
  return (
    /^--\s*PostgreSQL database (cluster )?dump\b/m.test(head) ||
    /^SET statement_timeout = 0;$/m.test(head)
  )
}

/** What text that is no backup looks like, for the message (its first line, quoted, escaped). */
function describeText(start: Buffer): string {
  const text = start.toString('utf8').replace(/^\uFEFF/, '')
  const kind = /^\s*<(!doctype html|html)/i.test(text)
    ? 'an HTML page'
    : /^\s*[[{]/.test(text)
      ? 'JSON or other text'
      : 'text'
  const firstLine = redactSql(text.trimStart().split(/\r?\n/, 1)[0] ?? '')
  const shown = firstLine.length > 60 ? `${firstLine.slice(0, 60)}…` : firstLine
  return `${kind} starting ${JSON.stringify(shown)}`
}

/** `name` without the suffix `re` matches (the name itself when it would be empty). */
function withoutSuffix(name: string, re: RegExp): string {
  const out = name.replace(re, '')
  return out === '' ? name : out
}

/** A file name as a shell word: as it is when plain, else in single quotes. */
function shellWord(name: string): string {
  return /^[\w.,+@%/-]+$/.test(name) ? name : `'${name.replace(/'/g, `'\\''`)}'`
}
