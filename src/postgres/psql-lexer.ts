/**
 * A streaming model of how psql reads a SQL script: which statements it sends to the server (byte
 * for byte), which backslash meta-commands it runs and with which arguments, and which lines are
 * COPY data. The restore feeds plain scripts (and `pg_restore -f -` output) to
 * `psql -X -v ON_ERROR_STOP=1 -f -`; this lexer lets the action see the script exactly as psql
 * will, so that anything pg_dump never writes can be refused before psql gets to it
 * (psql-script-rules.ts) and statements can be classified.
 *
 * Modelled on psql's own code (PostgreSQL 15.18 and 18.6 sources, read, not copied):
 *  - src/bin/psql/input.c gets_fromFile: input is read in lines ending at "\n" only; the "\n" is
 *    dropped and a "\r" before it stays in the line (the SQL lexer treats "\r" as a newline);
 *  - src/bin/psql/mainloop.c MainLoop: a UTF-8 byte-order mark is dropped from line 1 when the
 *    client encoding is UTF8; a first line starting "PGDMP" stops psql; empty lines outside quotes
 *    are skipped; lines are joined by "\n" once the query buffer holds something, and that "\n" is
 *    taken back when a backslash command follows on a line that added nothing else; a statement is
 *    sent at a ";" the lexer reports, at a sending meta-command (\g …), and at end of input;
 *  - src/fe_utils/psqlscan.l: one line at a time, in the state the previous line left (strings,
 *    E'' strings with backslash escapes, B''/X''/N''/U&'' strings, string continuation over a
 *    newline, $tag$ quotes, "" and U&"" identifiers, -- comments ending at "\n" or "\r", nested
 *    slash-star comments, number and identifier token extents, ( ) depth, the CREATE FUNCTION
 *    BEGIN … END depth, "\;" and "\:", :var / :'var' / :"var" / :{?var} references); a ";" ends a
 *    statement only at paren depth 0 outside a BEGIN … END body; leading white space and comments
 *    of a statement are not sent;
 *  - src/bin/psql/psqlscanslash.l and command.c HandleSlashCmds/exec_command: where a
 *    meta-command's name and arguments end (white space, an unquoted backslash, the end of the
 *    line for whole-line commands such as \! and \copy, "|" for \o \w \g), quoting in arguments
 *    ('…' with escapes, "…", `…` backquotes), the "\\" separator, the rest of the line dropped
 *    after an unknown or refused command, \restrict/\unrestrict;
 *  - src/bin/psql/copy.c handleCopyIn: COPY … FROM STDIN data starts on the line after the one
 *    whose ";" sent the COPY and ends at a line that is exactly "\." + "\n" or "\." + "\r\n", or at
 *    end of input; psql then goes on with the rest of the COPY statement's own line.
 *
 * What the server decides psql learns from the server: whether a statement is COPY FROM STDIN
 * (decided here from the text as the server's grammar does: the first FROM or TO at paren depth
 * 0 after COPY, not after a ".", followed by STDIN or STDOUT), standard_conforming_strings and
 * client_encoding (modelled for the plain `SET name = value` forms; any other mention of them is
 * reported as an unknown change), and whether a statement fails. The events are exactly psql's up
 * to and including the first event psql-script-rules.ts refuses, for a psql run with
 * ON_ERROR_STOP=1 against a server that accepts every statement; after a refused event they are
 * the lexer's best effort.
 *
 * COPY data is passed through with Buffer.indexOf (one native search per line), never a byte
 * loop in JavaScript; data events are zero-copy views of the chunks written.
 */

/** Where an event starts: 1-based line number (lines end at "\n") and 0-based byte offset. */
export interface ScriptPosition {
  line: number
  offset: number
}

/** A psql variable reference in SQL text or in a meta-command's arguments. */
export interface VariableReference extends ScriptPosition {
  name: string
  /** :name (plain), :'name' (literal), :"name" (identifier), :{?name} (test). */
  form: 'plain' | 'literal' | 'identifier' | 'test'
}

/** A token of a statement at parenthesis depth 0 (those inside parentheses are not kept). */
export interface SqlToken {
  type: 'ident' | 'qident' | 'string' | 'number' | 'param' | 'op' | 'punct' | 'variable'
  /** Byte range in the statement's `sql`. */
  start: number
  end: number
  /** The token's text (decoded like the statement; computed when read). */
  readonly text: string
}

/** What a COPY statement reads or writes, as the server's grammar decides it. */
export interface CopyTarget {
  direction: 'from' | 'to' | 'unknown'
  target: 'stdin' | 'stdout' | 'program' | 'file' | 'unknown'
  /** The word "binary" appears anywhere in the statement (BINARY, FORMAT binary, …). */
  binaryHint: boolean
}

/**
 * One statement as the server sees it. psql sends one query string per statement event, but the
 * server splits that string at every ";" (at paren depth 0) — psql does not end a statement at a
 * ";" inside CREATE FUNCTION … BEGIN … END or after "\;" — so a statement event can hold several
 * parts.
 */
export interface StatementPart {
  /** Byte range in the statement's `sql` (without the ";" that ends the part). */
  start: number
  end: number
  /** Tokens at paren depth 0, at most MAX_PART_TOKENS. */
  tokens: SqlToken[]
  tokensTruncated: boolean
  /** Leading unquoted words, upper-cased (e.g. ['CREATE', 'TABLE']), at most 6. */
  keywords: string[]
  /** For COPY statements. */
  copy?: CopyTarget
}

/** A change of a setting psql lexes by, as far as the statement's text shows it. */
export interface SettingEffects {
  /** New standard_conforming_strings, or 'unknown' when the text changes or may change it otherwise. */
  standardConformingStrings?: boolean | 'unknown'
  /** New client_encoding (PostgreSQL's name, e.g. 'UTF8'), or 'unknown'. */
  clientEncoding?: string | 'unknown'
}

export interface StatementEvent extends ScriptPosition {
  kind: 'statement'
  /** The exact bytes psql sends to the server. */
  sql: Buffer
  /** `sql` decoded (UTF-8 when the client encoding is UTF8, else byte-per-character; computed when read). */
  readonly text: string
  /** What made psql send it: a ";", a sending meta-command (\g, \gexec, …), or end of input. */
  terminator: 'semicolon' | 'meta' | 'eof'
  /**
   * Byte offset just after the statement's last byte in the script: after its ";", or the end of
   * the input ('eof'), or after the sending meta-command ('meta'). With `offset`, the exact range
   * of the script psql reads as this statement (leading white space and comments not included).
   */
  end: number
  parts: StatementPart[]
  /** COPY data blocks psql reads after sending it (see PsqlLexerOptions.copyDecision). */
  copyIn: number
  /** Parts the server runs as COPY … FROM STDIN (its grammar: CopyInResponse). */
  serverCopyIn: number
  /** COPY … FROM STDIN counted by psql's own heuristic (psql 17.12+/18.6+; undefined before). */
  psqlCopyIn?: number
  variables: VariableReference[]
  /** Number of "\;" and "\:" in the statement (psql puts ";" / ":" into the text). */
  backslashEscapes: number
  /** standard_conforming_strings the statement's first line was lexed with. */
  standardConformingStrings: boolean
  /**
   * Plain '…' literals that would end somewhere else had standard_conforming_strings the other
   * value (a quote after an odd run of backslashes: '…\'…'). 0 means the statement lexes the same
   * either way, so a change of that setting the lexer cannot see (set_config() inside a function,
   * …) cannot make psql and the lexer disagree about it.
   */
  ambiguousLiterals: number
  /**
   * Backslashes inside plain '…' literals: 0 means the statement's literals have the same ends
   * and values under either standard_conforming_strings.
   */
  plainLiteralBackslashes: number
  /**
   * The client_encoding (PostgreSQL's name) the statement's first line was lexed with: psql's
   * encoding when it read that line.
   */
  clientEncoding: string
  effects?: SettingEffects
}

export interface MetaCommandEvent extends ScriptPosition {
  kind: 'metaCommand'
  /** The command name as psql reads it (after the backslash, up to white space or a backslash). */
  name: string
  /** Arguments as psql's argument lexer yields them (quotes processed, variables unexpanded). */
  args: string[]
  /** The raw argument text: from after the name to where psql stopped reading arguments. */
  argText: string
  /** The arguments are the rest of the line (\!, \copy, \o |cmd, …). */
  wholeLine: boolean
  /** A `backquoted` part: psql runs it as a shell command when it reads the argument. */
  backquote: boolean
  variables: VariableReference[]
  /**
   * psql would not run it: 'unknown' command, or 'restricted' (after \restrict only \unrestrict
   * runs), or 'error' (a missing or wrong argument psql refuses) — psql reports an error (with
   * ON_ERROR_STOP it stops) and drops the rest of the line.
   */
  rejected?: 'unknown' | 'restricted' | 'error'
  /** What it does with the query buffer: sends it (\g …), or resets it (\r). */
  queryBuffer?: 'sent' | 'reset'
  /** Byte offset just after the last byte psql read as part of the command (its line's "\n" excluded). */
  end: number
}

export interface CopyDataEvent extends ScriptPosition {
  kind: 'copyData'
  /** A view of the written chunk (valid while the caller keeps the chunk unchanged). */
  data: Buffer
}

export interface CopyEndEvent extends ScriptPosition {
  kind: 'copyEnd'
  /** 'marker': a line "\." ended the data (position = that line); 'eof': the input ended. */
  end: 'marker' | 'eof'
  /** The end-of-data line, "\\.\n" or "\\.\r\n" (psql 15 sends it to the server, 18 does not). */
  marker?: string
  /** Data bytes and lines (the marker line not counted). */
  bytes: number
  lines: number
  /** The COPY statement or \copy meta-command whose data this was. */
  source: 'COPY' | '\\copy'
}

/** psql stops reading here. */
export interface HaltEvent extends ScriptPosition {
  kind: 'halt'
  /** 'custom-format-archive': line 1 starts with PGDMP; 'quit': \q. */
  reason: 'custom-format-archive' | 'quit'
}

/** Input this model cannot follow; nothing after it is lexed. */
export interface UnsupportedEvent extends ScriptPosition {
  kind: 'unsupported'
  reason: 'nul-byte' | 'client-encoding'
  message: string
}

export type PsqlScriptEvent =
  StatementEvent | MetaCommandEvent | CopyDataEvent | CopyEndEvent | HaltEvent | UnsupportedEvent

export interface PsqlLexerOptions {
  /**
   * Major version of the psql that will read the script (13–18; default 18). Decides comment
   * echoing (15+), \v as white space and the number syntax of 16+, the BEGIN … END tracking of
   * 18, the meta-commands it knows, and how \unrestrict reads its argument. 13 and 14 are
   * modelled from their sources, 15, 17 and 18 are checked against real psql.
   */
  psqlMajor?: number
  /** The connection's client encoding when psql starts (default 'UTF8'). */
  clientEncoding?: string
  /** The connection's standard_conforming_strings (default true, the server default). */
  standardConformingStrings?: boolean
  /** How \unrestrict reads its key (default: whole line for 17+, one argument before). */
  unrestrictArgument?: 'whole-line' | 'normal'
  /** Who decides that COPY data follows (default: 'psql' for 17+, 'server' before). */
  copyDecision?: 'server' | 'psql'
  /**
   * Lex the client-only encodings (SJIS, BIG5, GBK, UHC, GB18030, JOHAB, SHIFT_JIS_2004) as psql
   * does (psqlscan_prepare_buffer: each character's bytes after its first read as 0xFF, the
   * statements' text kept as written). Off (default): a script in one stops the lexing
   * (`unsupported`, reason 'client-encoding'), as the restore's gate wants.
   */
  multiByteEncodings?: boolean
}

/** Error for invalid options. */
export class PsqlLexerError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'PsqlLexerError'
  }
}

/** At most this many depth-0 tokens are kept per statement part. */
export const MAX_PART_TOKENS = 256

/** The statement bytes tokens are cut from, known once the statement is sent. */
class TokenSource {
  sql: Buffer | undefined
  constructor(readonly utf8: boolean) {}
  decode(a: number, b: number): string {
    const sql = this.sql
    if (!sql) return ''
    return this.utf8
      ? sql.toString('utf8', a, Math.min(b, sql.length))
      : sql.toString('latin1', a, Math.min(b, sql.length))
  }
}

class Token implements SqlToken {
  private decoded: string | undefined
  constructor(
    readonly type: SqlToken['type'],
    readonly start: number,
    readonly end: number,
    private readonly source: TokenSource
  ) {}
  get text(): string {
    return (this.decoded ??= this.source.decode(this.start, this.end))
  }
}

class Statement implements StatementEvent {
  readonly kind = 'statement'
  private decoded: string | undefined
  effects?: SettingEffects
  psqlCopyIn?: number
  end = 0
  clientEncoding = 'UTF8'
  plainLiteralBackslashes = 0
  constructor(
    readonly line: number,
    readonly offset: number,
    readonly sql: Buffer,
    private readonly utf8: boolean,
    readonly terminator: StatementEvent['terminator'],
    readonly parts: StatementPart[],
    readonly copyIn: number,
    readonly serverCopyIn: number,
    readonly variables: VariableReference[],
    readonly backslashEscapes: number,
    readonly standardConformingStrings: boolean,
    readonly ambiguousLiterals: number
  ) {}
  get text(): string {
    return (this.decoded ??= this.sql.toString(this.utf8 ? 'utf8' : 'latin1'))
  }
}

// ---------------------------------------------------------------------------------------------
// encodings

/** PostgreSQL encodings by cleaned alias (src/common/encnames.c): lower-case, letters and digits. */
const ENCODING_ALIASES: Record<string, string> = {
  abc: 'WIN1258',
  alt: 'WIN866',
  big5: 'BIG5',
  euccn: 'EUC_CN',
  eucjis2004: 'EUC_JIS_2004',
  eucjp: 'EUC_JP',
  euckr: 'EUC_KR',
  euctw: 'EUC_TW',
  gb18030: 'GB18030',
  gbk: 'GBK',
  iso88591: 'LATIN1',
  iso885910: 'LATIN6',
  iso885913: 'LATIN7',
  iso885914: 'LATIN8',
  iso885915: 'LATIN9',
  iso885916: 'LATIN10',
  iso88592: 'LATIN2',
  iso88593: 'LATIN3',
  iso88594: 'LATIN4',
  iso88595: 'ISO_8859_5',
  iso88596: 'ISO_8859_6',
  iso88597: 'ISO_8859_7',
  iso88598: 'ISO_8859_8',
  iso88599: 'LATIN5',
  johab: 'JOHAB',
  koi8: 'KOI8R',
  koi8r: 'KOI8R',
  koi8u: 'KOI8U',
  latin1: 'LATIN1',
  latin10: 'LATIN10',
  latin2: 'LATIN2',
  latin3: 'LATIN3',
  latin4: 'LATIN4',
  latin5: 'LATIN5',
  latin6: 'LATIN6',
  latin7: 'LATIN7',
  latin8: 'LATIN8',
  latin9: 'LATIN9',
  mskanji: 'SJIS',
  muleinternal: 'MULE_INTERNAL',
  shiftjis: 'SJIS',
  shiftjis2004: 'SHIFT_JIS_2004',
  sjis: 'SJIS',
  sqlascii: 'SQL_ASCII',
  tcvn: 'WIN1258',
  tcvn5712: 'WIN1258',
  uhc: 'UHC',
  unicode: 'UTF8',
  utf8: 'UTF8',
  vscii: 'WIN1258',
  win: 'WIN1251',
  win1250: 'WIN1250',
  win1251: 'WIN1251',
  win1252: 'WIN1252',
  win1253: 'WIN1253',
  win1254: 'WIN1254',
  win1255: 'WIN1255',
  win1256: 'WIN1256',
  win1257: 'WIN1257',
  win1258: 'WIN1258',
  win866: 'WIN866',
  win874: 'WIN874',
  win932: 'SJIS',
  win936: 'GBK',
  win949: 'UHC',
  win950: 'BIG5',
  windows1250: 'WIN1250',
  windows1251: 'WIN1251',
  windows1252: 'WIN1252',
  windows1253: 'WIN1253',
  windows1254: 'WIN1254',
  windows1255: 'WIN1255',
  windows1256: 'WIN1256',
  windows1257: 'WIN1257',
  windows1258: 'WIN1258',
  windows866: 'WIN866',
  windows874: 'WIN874',
  windows932: 'SJIS',
  windows936: 'GBK',
  windows949: 'UHC',
  windows950: 'BIG5'
}

/**
 * Client-only encodings: a multi-byte character can contain the bytes of "\" or "'", so psql
 * lexes them character-wise (psqlscan.l psqlscan_prepare_buffer). Not modelled.
 */
const UNSAFE_ENCODINGS = new Set([
  'SJIS',
  'SHIFT_JIS_2004',
  'BIG5',
  'GBK',
  'UHC',
  'GB18030',
  'JOHAB'
])

/** PostgreSQL's name of an encoding (pg_char_to_encoding's matching), or undefined. */
export function canonicalEncoding(name: string): string | undefined {
  const cleaned = name.toLowerCase().replace(/[^a-z0-9]/g, '')
  return ENCODING_ALIASES[cleaned]
}

/** Whether psql lexes text in this encoding byte by byte (every server encoding). */
export function isByteSafeEncoding(canonical: string): boolean {
  return !UNSAFE_ENCODINGS.has(canonical)
}

/**
 * The byte length of the character at `buf[i]` in a client-only encoding, as PostgreSQL's
 * pg_encoding_mblen reads it (src/common/wchar.c: pg_sjis_mblen, pg_big5_mblen, pg_gbk_mblen,
 * pg_uhc_mblen, pg_gb18030_mblen, pg_johab_mblen).
 */
function multiByteLength(encoding: string, buf: Buffer, i: number): number {
  const c = buf[i]
  if (c < 0x80) return 1
  switch (encoding) {
    case 'SJIS':
    case 'SHIFT_JIS_2004':
      // half-width katakana are one byte
      return c >= 0xa1 && c <= 0xdf ? 1 : 2
    case 'GB18030': {
      const next = buf[i + 1]
      return next !== undefined && next >= 0x30 && next <= 0x39 ? 4 : 2
    }
    case 'JOHAB':
      // pg_euc_mblen: SS2 two bytes, SS3 three
      return c === 0x8f ? 3 : 2
    default:
      // BIG5, GBK, UHC
      return 2
  }
}

/**
 * A line as psql's lexer reads it in a client-only encoding (psqlscan_prepare_buffer): each
 * character's first byte as it is, the bytes after it as 0xFF, so that a "\\" or "'" inside a
 * character is never read as one.
 */
function maskedLine(encoding: string, line: Buffer): Buffer {
  let i = 0
  while (i < line.length && line[i] < 0x80) i++
  if (i === line.length) return line
  const out = Buffer.from(line)
  while (i < line.length) {
    let len = multiByteLength(encoding, line, i)
    i++
    while (--len > 0 && i < line.length) out[i++] = 0xff
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// character classes

const C_SPACE = 1 // [ \t\n\r\f] (+ \v for 16+, added per dialect)
const C_IDENT_START = 2 // [A-Za-z\200-\377_]
const C_IDENT_CONT = 4 // [A-Za-z\200-\377_0-9$]
const C_DOLQ_CONT = 8 // [A-Za-z\200-\377_0-9]
const C_OP = 16 // [~!@#^&|`?+\-*/%<>=]
const C_DIGIT = 32

const CLASS = new Uint8Array(256)
for (let c = 0; c < 256; c++) {
  const ch = String.fromCharCode(c)
  let k = 0
  if (' \t\n\r\f'.includes(ch) && c < 128) k |= C_SPACE
  const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c >= 128 || c === 95
  const digit = c >= 48 && c <= 57
  if (letter) k |= C_IDENT_START | C_IDENT_CONT | C_DOLQ_CONT
  if (digit) k |= C_IDENT_CONT | C_DOLQ_CONT | C_DIGIT
  if (c === 36) k |= C_IDENT_CONT
  if ('~!@#^&|`?+-*/%<>='.includes(ch) && c < 128) k |= C_OP
  CLASS[c] = k
}

const BS = 0x5c // \
const QUOTE = 0x27 // '
const DQUOTE = 0x22 // "
const DOLLAR = 0x24
const NL = 0x0a
const CR = 0x0d
const VT = 0x0b
const DOT = 0x2e
const SEMI = 0x3b
const COLON = 0x3a
const NEWLINE_BUF = Buffer.from('\n')

const isDigit = (c: number): boolean => c >= 48 && c <= 57
const isHex = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102)
const lower = (c: number): number => (c >= 65 && c <= 90 ? c + 32 : c)

// ---------------------------------------------------------------------------------------------
// dialects

interface Dialect {
  major: number
  /** psql 15+: "--" comments inside a statement are sent; 13/14 drop them. */
  echoDashComments: boolean
  /** psql 16+: \v is white space (SQL and backslash lexers). */
  verticalTab: boolean
  /** Number syntax: 'v14' (no junk rules), 'v15' (junk rules), 'v16' (underscores, 0x/0o/0b). */
  numbers: 'v14' | 'v15' | 'v16'
  /** BEGIN … END / COPY keyword tracking: 'v15' (4 words, counted inside parens) or 'v18'. */
  identTracking: 'v15' | 'v18'
  unrestrictWholeLine: boolean
  /**
   * Who decides that COPY data follows: 'server' (psql reads data when the server answers
   * CopyInResponse: 15.18 and older) or 'psql' (17.12, 18.6: psql counts COPY … FROM STDIN by its
   * own text heuristic, reads that many data blocks even if the server refused, and aborts the
   * connection if the server starts a COPY it did not count).
   */
  copyDecision: 'server' | 'psql'
  knownCommands: Set<string>
  sendCommands: Set<string>
}

const COMMON_COMMANDS = [
  'a',
  'C',
  'c',
  'connect',
  'cd',
  'conninfo',
  'copyright',
  'crosstabview',
  'e',
  'edit',
  'ef',
  'ev',
  'echo',
  'qecho',
  'warn',
  'elif',
  'else',
  'endif',
  'encoding',
  'errverbose',
  'f',
  'g',
  'gx',
  'gdesc',
  'getenv',
  'gexec',
  'gset',
  'h',
  'help',
  'H',
  'html',
  'i',
  'include',
  'ir',
  'include_relative',
  'if',
  'l',
  'list',
  'l+',
  'list+',
  'o',
  'out',
  'p',
  'print',
  'password',
  'prompt',
  'pset',
  'q',
  'quit',
  'r',
  'reset',
  'restrict',
  's',
  'set',
  'setenv',
  'sf',
  'sf+',
  'sv',
  'sv+',
  't',
  'T',
  'timing',
  'unrestrict',
  'unset',
  'w',
  'write',
  'watch',
  'x',
  'z',
  '!',
  '?'
]
const COMMANDS_16 = ['bind']
const COMMANDS_17 = ['lx', 'listx', 'lx+', 'listx+', 'l+x', 'list+x', 'zS', 'zx', 'zSx', 'zxS']
const COMMANDS_18 = [
  'bind_named',
  'close_prepared',
  'endpipeline',
  'flush',
  'flushrequest',
  'getresults',
  'parse',
  'sendpipeline',
  'startpipeline',
  'syncpipeline'
]
const SEND_COMMANDS = ['g', 'gx', 'gdesc', 'gexec', 'gset', 'crosstabview', 'watch']
const SEND_COMMANDS_18 = [
  'close_prepared',
  'flush',
  'flushrequest',
  'getresults',
  'parse',
  'sendpipeline',
  'startpipeline',
  'syncpipeline',
  'endpipeline'
]
/** Commands whose (first) argument is the rest of the line (OT_WHOLE_LINE). */
const WHOLE_LINE_COMMANDS = new Set(['!', 'ef', 'ev', 'h', 'help', 'sf', 'sf+', 'sv', 'sv+'])
/** Commands whose first argument is a file or "|command" (OT_FILEPIPE). */
const FILEPIPE_COMMANDS = new Set(['o', 'out', 'w', 'write', 'g', 'gx'])

// words psqlscan.l tracks (pg_strcasecmp: ASCII case-insensitive)
const W_NONE = 0
const W_CREATE = 1
const W_FUNCTION = 2
const W_PROCEDURE = 3
const W_OR = 4
const W_REPLACE = 5
const W_COPY = 6
const W_FROM = 7
const W_STDIN = 8
const W_STDOUT = 9
const W_BEGIN = 10
const W_CASE = 11
const W_END = 12
const TRACKED: [string, number][] = [
  ['create', W_CREATE],
  ['function', W_FUNCTION],
  ['procedure', W_PROCEDURE],
  ['or', W_OR],
  ['replace', W_REPLACE],
  ['copy', W_COPY],
  ['from', W_FROM],
  ['stdin', W_STDIN],
  ['stdout', W_STDOUT],
  ['begin', W_BEGIN],
  ['case', W_CASE],
  ['end', W_END]
]

/** Tracked words by length. */
const TRACKED_BY_LENGTH: [string, number][][] = []
for (const [w, id] of TRACKED) (TRACKED_BY_LENGTH[w.length] ??= []).push([w, id])

/** Which tracked word buf[a, b) is (W_NONE for any other), compared byte-wise without allocating. */
function trackedWord(buf: Buffer, a: number, b: number): number {
  const candidates = TRACKED_BY_LENGTH[b - a]
  if (!candidates) return W_NONE
  const first = lower(buf[a])
  for (const [w, id] of candidates) {
    if (w.charCodeAt(0) !== first) continue
    let k = 1
    while (k < w.length && lower(buf[a + k]) === w.charCodeAt(k)) k++
    if (k === w.length) return id
  }
  return W_NONE
}

/** The previous statement of a lexer that sent none (never written to). */
const NO_BYTES = Buffer.alloc(0)

/** The dialects built so far, by their options: a lexer is made per archive entry (thousands). */
const DIALECTS = new Map<string, Readonly<Dialect>>()
/** The dialect of options that set none of its settings (an archive's entries: one lexer each). */
let defaultDialect: Readonly<Dialect> | undefined

function dialectFor(options: PsqlLexerOptions): Readonly<Dialect> {
  if (
    options.psqlMajor === undefined &&
    options.copyDecision === undefined &&
    options.unrestrictArgument === undefined
  )
    return (defaultDialect ??= keyedDialect(options))
  return keyedDialect(options)
}

function keyedDialect(options: PsqlLexerOptions): Readonly<Dialect> {
  const key = `${String(options.psqlMajor)}|${String(options.copyDecision)}|${String(options.unrestrictArgument)}`
  let dialect = DIALECTS.get(key)
  if (!dialect) {
    dialect = Object.freeze(newDialect(options))
    DIALECTS.set(key, dialect)
  }
  return dialect
}

function newDialect(options: PsqlLexerOptions): Dialect {
  const major = options.psqlMajor ?? 18
  if (!Number.isInteger(major) || major < 13 || major > 18)
    throw new PsqlLexerError(
      `psqlMajor must be a PostgreSQL major version from 13 to 18 (psql's lexer of that version is modelled), got ${String(options.psqlMajor)}`
    )
  const known = new Set(COMMON_COMMANDS)
  if (major >= 16) COMMANDS_16.forEach(c => known.add(c))
  if (major >= 17) COMMANDS_17.forEach(c => known.add(c))
  if (major >= 18) COMMANDS_18.forEach(c => known.add(c))
  const send = new Set(SEND_COMMANDS)
  if (major >= 18) SEND_COMMANDS_18.forEach(c => send.add(c))
  return {
    major,
    echoDashComments: major >= 15,
    verticalTab: major >= 16,
    numbers: major >= 16 ? 'v16' : major === 15 ? 'v15' : 'v14',
    identTracking: major >= 17 ? 'v18' : 'v15',
    copyDecision: options.copyDecision ?? (major >= 17 ? 'psql' : 'server'),
    unrestrictWholeLine:
      (options.unrestrictArgument ?? (major >= 17 ? 'whole-line' : 'normal')) === 'whole-line',
    knownCommands: known,
    sendCommands: send
  }
}

// ---------------------------------------------------------------------------------------------
// lexer states (psqlscan.l start conditions)

const enum S {
  INITIAL,
  XB,
  XC,
  XD,
  XH,
  XQ,
  XQS,
  XE,
  XDOLQ,
  XUI,
  XUS
}

const enum Scan {
  EOL,
  SEMI,
  BACKSLASH
}

interface PartBuilder {
  start: number
  tokens: SqlToken[]
  truncated: boolean
}

/** A line being scanned; kept while COPY data interrupts it. */
interface LineState {
  /** The line as the lexer reads it (masked in a client-only encoding: maskedLine). */
  buf: Buffer
  /** The line as written, where `buf` is masked: what the statements' text is taken from. */
  out?: Buffer
  pos: number
  /** Absolute offset of buf[0] and its line number. */
  offset: number
  line: number
  std: boolean
}

/** White space of the SQL lexer by byte (read only): without and with \v (psql 16+). */
const SPACE_MASK = spaceMask(false)
const SPACE_MASK_VT = spaceMask(true)

function spaceMask(verticalTab: boolean): Uint8Array {
  const mask = new Uint8Array(256)
  for (let c = 0; c < 256; c++) mask[c] = CLASS[c] & C_SPACE ? 1 : 0
  if (verticalTab) mask[VT] = 1
  return mask
}

/**
 * psql's reading of a script, fed with Buffer chunks cut anywhere. `write` and `end` return the
 * events completed so far, in the order psql would act on them. Not reusable after `end`.
 *
 * Errors: `PsqlLexerError` for invalid options or a write after `end`. Everything about the input
 * is reported as events (an `unsupported` event for input it cannot follow).
 */
export class PsqlLexer {
  private readonly dialect: Readonly<Dialect>
  /** {@link PsqlLexerOptions.multiByteEncodings}. */
  private readonly multiByte: boolean
  private readonly spaceMask: Uint8Array
  private readonly connectionEncoding: string
  private readonly connectionStd: boolean
  private events: PsqlScriptEvent[] = []
  private ended = false
  private stopped = false

  // input cursor
  private nextOffset = 0
  private nextLine = 1
  private partial: Buffer[] = []
  private partialLen = 0
  private mode: 'line' | 'copy' = 'line'
  private suspended: LineState | undefined
  private cur: LineState | undefined

  // settings psql lexes by (read at each line's start, like psql_scan_setup)
  private std: boolean
  private encoding: string
  private pendingStd: boolean | undefined
  private pendingEncoding: string | undefined

  // psqlscan.l state
  private state: S = S.INITIAL
  private stateBeforeStrStop: S = S.INITIAL
  private xcdepth = 0
  private dolqstart: Buffer | undefined
  private parenDepth = 0
  private beginDepth = 0
  private identCount = 0
  private idents = new Uint8Array(8)
  /** psql's copy_stdin_count for the statement being read. */
  private psqlCopyCount = 0

  // query buffer
  private qb: Buffer[] = []
  private qbLen = 0
  private pendBuf: Buffer | undefined
  private pendStart = 0
  private pendEnd = 0
  private addedNlPos = -1
  private stmtStart: ScriptPosition | undefined
  private stmtStd = true
  /** The client encoding the statement's first line was lexed with. */
  private stmtEncoding = 'UTF8'
  private variables: VariableReference[] = []
  private backslashEscapes = 0
  private ambiguousLiterals = 0
  private plainLiteralBackslashes = 0
  /** The string being read started with a plain quote (or N''), whose lexing depends on std strings. */
  private plainLiteral = false
  private parts: { start: number; end: number; tokens: SqlToken[]; truncated: boolean }[] = []
  private part: PartBuilder = { start: 0, tokens: [], truncated: false }
  /** The token being read (for depth-0 tokens only): its type, or undefined, and start. */
  private tokType: SqlToken['type'] | undefined
  private tokStart = 0
  private tokenSource = new TokenSource(true)
  /** qbLen at a string's closing quote, while the lexer looks for a continuation. */
  private tokEnd = -1
  private previous: { sql: Buffer; parts: StatementPart[] } = { sql: NO_BYTES, parts: [] }

  // psql state
  private restrictKey: string | undefined

  // COPY data
  private copyQueue: ('COPY' | '\\copy')[] = []
  private copySource: 'COPY' | '\\copy' = 'COPY'
  private copyAtLineStart = true
  private copyCarry: Buffer | undefined
  private copyCarryOffset = 0
  private copyBytes = 0
  private copyLines = 0

  constructor(options: PsqlLexerOptions = {}) {
    this.dialect = dialectFor(options)
    this.multiByte = options.multiByteEncodings === true
    this.spaceMask = this.dialect.verticalTab ? SPACE_MASK_VT : SPACE_MASK
    const enc = canonicalEncoding(options.clientEncoding ?? 'UTF8')
    if (!enc)
      throw new PsqlLexerError(
        `clientEncoding "${options.clientEncoding}" is not a PostgreSQL encoding name`
      )
    if (!isByteSafeEncoding(enc) && !this.multiByte)
      throw new PsqlLexerError(
        `clientEncoding ${enc} is not supported: in it a multi-byte character can contain the bytes of "\\" or "'", which psql lexes character-wise; convert the script to UTF8`
      )
    this.connectionEncoding = enc
    this.encoding = enc
    this.tokenSource = new TokenSource(enc === 'UTF8')
    this.connectionStd = options.standardConformingStrings ?? true
    this.std = this.connectionStd
    this.stmtStd = this.std
    this.stmtEncoding = enc
  }

  /** The psql major version modelled. */
  get psqlMajor(): number {
    return this.dialect.major
  }

  /** Feeds the next bytes of the script; returns the events they complete. */
  write(chunk: Buffer | Uint8Array): PsqlScriptEvent[] {
    if (this.ended) throw new PsqlLexerError('write after end')
    const buf = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length)
    let pos = 0
    while (pos < buf.length && !this.stopped) {
      if (this.mode === 'copy') {
        pos = this.copyConsume(buf, pos)
        continue
      }
      const nl = buf.indexOf(NL, pos)
      if (nl < 0) {
        this.partial.push(buf.subarray(pos))
        this.partialLen += buf.length - pos
        break
      }
      let line: Buffer
      if (this.partialLen > 0) {
        this.partial.push(buf.subarray(pos, nl))
        line = Buffer.concat(this.partial, this.partialLen + nl - pos)
        this.partial = []
        this.partialLen = 0
      } else line = buf.subarray(pos, nl)
      pos = nl + 1
      const offset = this.nextOffset
      const lineNo = this.nextLine
      this.nextOffset += line.length + 1
      this.nextLine++
      this.startLine(line, offset, lineNo)
    }
    return this.take()
  }

  /**
   * The offset (in bytes from the start of input) up to which everything read so far is white
   * space and comments between statements — psql's query buffer empty, no quote, block comment
   * or COPY data open, every line up to it whole — or undefined while it is not so. What lies
   * before it can be handed on without waiting for the next statement (psql drops it: a reader
   * that holds the text between statements would otherwise hold a run of comment lines whole).
   */
  idleUpTo(): number | undefined {
    if (this.stopped || this.ended || this.mode !== 'line' || this.suspended || this.cur)
      return undefined
    if (this.qbLen > 0 || this.stmtStart !== undefined || this.state !== S.INITIAL) return undefined
    if (this.xcdepth > 0 || this.parenDepth > 0 || this.beginDepth > 0) return undefined
    return this.nextOffset
  }

  /** Ends the input: psql's end-of-file handling; returns the remaining events. */
  end(): PsqlScriptEvent[] {
    if (this.ended) throw new PsqlLexerError('end called twice')
    this.ended = true
    while (!this.stopped && this.mode === 'copy') this.copyAtEof()
    if (!this.stopped && this.partialLen > 0) {
      const line = Buffer.concat(this.partial, this.partialLen)
      this.partial = []
      this.partialLen = 0
      const offset = this.nextOffset
      const lineNo = this.nextLine
      this.nextOffset += line.length
      this.startLine(line, offset, lineNo)
      // the line may have started COPY data that the end of input ends at once
      while (!this.stopped && this.mode === 'copy') this.copyAtEof()
    }
    if (!this.stopped && this.qbLen > 0) {
      this.sendStatement('eof')
      while (!this.stopped && this.mode === 'copy') this.copyAtEof()
    }
    return this.take()
  }

  private take(): PsqlScriptEvent[] {
    const out = this.events
    this.events = []
    return out
  }

  private emit(event: PsqlScriptEvent): void {
    this.events.push(event)
  }

  private unsupported(
    reason: UnsupportedEvent['reason'],
    message: string,
    at: ScriptPosition
  ): void {
    this.emit({ kind: 'unsupported', reason, message, ...at })
    this.stopped = true
  }

  private decode(buf: Buffer): string {
    return this.encoding === 'UTF8' ? buf.toString('utf8') : buf.toString('latin1')
  }

  // -------------------------------------------------------------------------------------------
  // lines (MainLoop)

  private startLine(raw: Buffer, offset: number, lineNo: number): void {
    let buf = raw
    let start = offset
    // apply what the previous statements changed (psql reads these at psql_scan_setup)
    if (this.pendingStd !== undefined) {
      this.std = this.pendingStd
      this.pendingStd = undefined
    }
    if (this.pendingEncoding !== undefined) {
      this.encoding = this.pendingEncoding
      this.pendingEncoding = undefined
      if (!isByteSafeEncoding(this.encoding) && !this.multiByte) {
        this.unsupported(
          'client-encoding',
          `line ${lineNo}: the script switched client_encoding to ${this.encoding}, in which psql lexes multi-byte characters that can contain "\\" or "'"; this is not modelled`,
          { line: lineNo, offset }
        )
        return
      }
    }
    if (lineNo === 1) {
      if (
        this.encoding === 'UTF8' &&
        buf.length >= 3 &&
        buf[0] === 0xef &&
        buf[1] === 0xbb &&
        buf[2] === 0xbf
      ) {
        buf = buf.subarray(3)
        start += 3
      }
      if (buf.length >= 5 && buf.toString('latin1', 0, 5) === 'PGDMP') {
        this.emit({ kind: 'halt', reason: 'custom-format-archive', line: lineNo, offset: start })
        this.stopped = true
        return
      }
    }
    const nul = buf.indexOf(0)
    if (nul >= 0) {
      this.unsupported(
        'nul-byte',
        `line ${lineNo}: a NUL byte (psql drops the rest of the line after one; pg_dump never writes one)`,
        { line: lineNo, offset: offset + nul }
      )
      return
    }

    if (buf.length === 0 && !this.inQuote()) return
    if (this.qbLen > 0) {
      this.appendRaw(NEWLINE_BUF)
      this.addedNlPos = this.qbLen
    } else this.addedNlPos = -1
    this.cur = isByteSafeEncoding(this.encoding)
      ? { buf, pos: 0, offset: start, line: lineNo, std: this.std }
      : {
          buf: maskedLine(this.encoding, buf),
          out: buf,
          pos: 0,
          offset: start,
          line: lineNo,
          std: this.std
        }
    this.runLine()
  }

  private inQuote(): boolean {
    return this.state !== S.INITIAL && this.state !== S.XQS
  }

  /** Scans the current line until its end or until COPY data interrupts it. */
  private runLine(): void {
    const ln = this.cur!
    while (!this.stopped) {
      const r = this.lexSql(ln)
      if (r === Scan.EOL) break
      if (r === Scan.SEMI) {
        this.sendStatement('semicolon')
        this.addedNlPos = -1
      } else {
        // backslash command
        if (this.qbLen === this.addedNlPos) this.dropLastNewline()
        this.addedNlPos = -1
        const quit = this.metaCommand(ln)
        if (quit) return
      }
      if (this.mode === 'copy') {
        this.suspended = ln
        return
      }
    }
    this.cur = undefined
  }

  // -------------------------------------------------------------------------------------------
  // query buffer

  private appendRaw(b: Buffer): void {
    this.flushPending()
    this.qb.push(b)
    this.qbLen += b.length
  }

  private flushPending(): void {
    if (this.pendBuf) {
      this.qb.push(this.pendBuf.subarray(this.pendStart, this.pendEnd))
      this.pendBuf = undefined
    }
  }

  /** ECHO: appends ln.buf[a, b) to the query buffer. */
  private echo(ln: LineState, a: number, b: number): void {
    if (b <= a) return
    if (this.qbLen === 0 && this.stmtStart === undefined) {
      this.stmtStart = { line: ln.line, offset: ln.offset + a }
      this.stmtStd = ln.std
      this.stmtEncoding = this.encoding
    }
    const text = ln.out ?? ln.buf
    if (this.pendBuf === text && this.pendEnd === a) this.pendEnd = b
    else {
      this.flushPending()
      this.pendBuf = text
      this.pendStart = a
      this.pendEnd = b
    }
    this.qbLen += b - a
  }

  /** Appends bytes psql generates itself (";" of "\;", "FALSE" of :{?x}). */
  private echoGenerated(ln: LineState, at: number, text: string): void {
    if (this.qbLen === 0 && this.stmtStart === undefined) {
      this.stmtStart = { line: ln.line, offset: ln.offset + at }
      this.stmtStd = ln.std
      this.stmtEncoding = this.encoding
    }
    this.appendRaw(Buffer.from(text, 'latin1'))
  }

  private dropLastNewline(): void {
    // the newline was appended with appendRaw as the last piece
    this.flushPending()
    const last = this.qb[this.qb.length - 1]
    if (last === NEWLINE_BUF) this.qb.pop()
    else this.qb[this.qb.length - 1] = last.subarray(0, last.length - 1)
    this.qbLen--
  }

  private queryBytes(): Buffer {
    this.flushPending()
    const sql = this.qb.length === 1 ? this.qb[0] : Buffer.concat(this.qb, this.qbLen)
    this.qb = sql.length > 0 ? [sql] : []
    return sql
  }

  private resetQueryBuffer(): void {
    this.qb = []
    this.qbLen = 0
    this.pendBuf = undefined
    this.stmtStart = undefined
    this.variables = []
    this.backslashEscapes = 0
    this.ambiguousLiterals = 0
    this.plainLiteralBackslashes = 0
    this.parts = []
    this.part = { start: 0, tokens: [], truncated: false }
    this.tokType = undefined
    this.tokEnd = -1
    this.tokenSource = new TokenSource(this.encoding === 'UTF8')
  }

  /** psql_scan_reset. */
  private resetScanner(): void {
    this.state = S.INITIAL
    this.parenDepth = 0
    this.xcdepth = 0
    this.dolqstart = undefined
    this.beginDepth = 0
    this.identCount = 0
    this.psqlCopyCount = 0
  }

  // -------------------------------------------------------------------------------------------
  // tokens and parts (for classification; psql itself keeps none of this)

  private beginToken(type: SqlToken['type']): void {
    if (this.parenDepth !== 0) return
    this.tokType = type
    this.tokStart = this.qbLen
  }

  private endToken(): void {
    const type = this.tokType
    if (type === undefined) return
    this.tokType = undefined
    const end = this.tokEnd >= 0 ? this.tokEnd : this.qbLen
    this.tokEnd = -1
    const p = this.part
    if (p.tokens.length >= MAX_PART_TOKENS) {
      p.truncated = true
      return
    }
    p.tokens.push(new Token(type, this.tokStart, end, this.tokenSource))
  }

  /** A ";" at paren depth 0 that does not end the statement (BEGIN … END body, or "\;"). */
  private splitPart(semicolonAt: number): void {
    this.parts.push({
      start: this.part.start,
      end: semicolonAt,
      tokens: this.part.tokens,
      truncated: this.part.truncated
    })
    this.part = { start: semicolonAt + 1, tokens: [], truncated: false }
  }

  // -------------------------------------------------------------------------------------------
  // identifier tracking (psqlscan.l psqlscan_track_identifier / the identifier rule of 15)

  private trackIdentifier(buf: Buffer, a: number, b: number): void {
    const word = trackedWord(buf, a, b)
    if (this.dialect.identTracking === 'v18') {
      if (this.parenDepth !== 0) return
      if (this.identCount === 0) this.idents.fill(0)
      if (this.identCount < 8) {
        if (
          word === W_CREATE ||
          word === W_FUNCTION ||
          word === W_PROCEDURE ||
          word === W_OR ||
          word === W_REPLACE
        )
          this.idents[this.identCount] = lower(buf[a])
        else if (word === W_COPY || word === W_FROM || word === W_STDIN || word === W_STDOUT)
          this.idents[this.identCount] = lower(buf[a]) - 32
        this.identCount++
      }
    } else {
      if (this.identCount === 0) this.idents.fill(0)
      if (
        word === W_CREATE ||
        word === W_FUNCTION ||
        word === W_PROCEDURE ||
        word === W_OR ||
        word === W_REPLACE
      ) {
        if (this.identCount < 4) this.idents[this.identCount] = lower(buf[a])
      }
      this.identCount++
      if (this.parenDepth !== 0) return
    }
    if (word < W_BEGIN) return
    const d = this.idents
    const createRoutine =
      d[0] === 0x63 /* c */ &&
      (d[1] === 0x66 /* f */ ||
        d[1] === 0x70 /* p */ ||
        (d[1] === 0x6f /* o */ && d[2] === 0x72 /* r */ && (d[3] === 0x66 || d[3] === 0x70)))
    if (!createRoutine) return
    if (word === W_BEGIN) this.beginDepth++
    else if (word === W_CASE) {
      if (this.beginDepth >= 1) this.beginDepth++
    } else if (this.beginDepth > 0) this.beginDepth-- // W_END
  }

  /**
   * psqlscan_is_copy_from_stdin: COPY, then within the first 8 words FROM followed by STDIN or
   * STDOUT. Like psql, it looks at the words array as it is: a statement with no word outside
   * parentheses (";" alone, "(SELECT 1);") still holds the previous statement's words, so after a
   * COPY … FROM STDIN psql counts it as one more.
   */
  private isCopyFromStdin(): boolean {
    if (this.dialect.identTracking !== 'v18') return false
    const d = this.idents
    if (d[0] !== 0x43 /* C */) return false
    for (let k = 1; k < 7; k++) {
      if (d[k] !== 0x46 /* F */) continue
      return d[k + 1] === 0x53 /* S */
    }
    return false
  }

  // -------------------------------------------------------------------------------------------
  // the SQL lexer (psqlscan.l), one line

  private lexSql(ln: LineState): Scan {
    const L = ln.buf
    const n = L.length
    let i = ln.pos
    const space = this.spaceMask
    for (;;) {
      if (i >= n) {
        ln.pos = n
        return Scan.EOL
      }
      switch (this.state) {
        case S.INITIAL: {
          const c = L[i]
          const k = CLASS[c]
          if (space[c]) {
            let j = i + 1
            while (j < n && space[L[j]]) j++
            if (this.qbLen > 0) this.echo(ln, i, j)
            i = j
            continue
          }
          if (c === 0x2d /* - */ && L[i + 1] === 0x2d) {
            let j = i + 2
            while (j < n && L[j] !== NL && L[j] !== CR) j++
            if (this.qbLen > 0 && this.dialect.echoDashComments) this.echo(ln, i, j)
            i = j
            continue
          }
          if (c === 0x2f /* / */ && L[i + 1] === 0x2a /* * */) {
            this.xcdepth = 0
            this.state = S.XC
            this.echo(ln, i, i + 2)
            i += 2
            continue
          }
          if (c === QUOTE) {
            this.beginToken('string')
            this.state = ln.std ? S.XQ : S.XE
            this.plainLiteral = true
            this.echo(ln, i, i + 1)
            i++
            continue
          }
          if (c === DQUOTE) {
            this.beginToken('qident')
            this.state = S.XD
            this.echo(ln, i, i + 1)
            i++
            continue
          }
          if (k & C_IDENT_START) {
            // string prefixes, when the letter starts a token (always, here)
            const n1 = L[i + 1]
            if (n1 === QUOTE) {
              const lc = lower(c)
              let next: S | undefined
              if (lc === 0x62 /* b */) next = S.XB
              else if (lc === 0x78 /* x */) next = S.XH
              else if (lc === 0x65 /* e */) next = S.XE
              else if (lc === 0x6e /* n */) next = ln.std ? S.XQ : S.XE // yyless(1), then xqstart
              if (next !== undefined) {
                this.beginToken('string')
                this.state = next
                this.plainLiteral = lc === 0x6e
                this.echo(ln, i, i + 2)
                i += 2
                continue
              }
            } else if (n1 === 0x26 /* & */ && lower(c) === 0x75 /* u */) {
              const n2 = L[i + 2]
              if (n2 === QUOTE || n2 === DQUOTE) {
                this.beginToken(n2 === QUOTE ? 'string' : 'qident')
                this.state = n2 === QUOTE ? S.XUS : S.XUI
                this.echo(ln, i, i + 3)
                i += 3
                continue
              }
              // xufailed: "u&" thrown back to "u", which is not an identifier token
              this.beginToken('op')
              this.echo(ln, i, i + 1)
              this.endToken()
              i++
              continue
            }
            let j = i + 1
            while (j < n && CLASS[L[j]] & C_IDENT_CONT) j++
            this.beginToken('ident')
            this.trackIdentifier(L, i, j)
            this.echo(ln, i, j)
            this.endToken()
            i = j
            continue
          }
          if (k & C_DIGIT || (c === DOT && isDigit(L[i + 1] ?? 0))) {
            const j = this.scanNumber(L, i)
            this.beginToken('number')
            this.echo(ln, i, j)
            this.endToken()
            i = j
            continue
          }
          if (c === DOLLAR) {
            const n1 = L[i + 1] ?? -1
            if (isDigit(n1)) {
              // {param} / {param_junk}
              let j = i + 2
              while (j < n && isDigit(L[j])) j++
              if (this.dialect.numbers !== 'v14' && j < n && CLASS[L[j]] & C_IDENT_START) {
                j++
                while (j < n && CLASS[L[j]] & C_IDENT_CONT) j++
              }
              this.beginToken('param')
              this.echo(ln, i, j)
              this.endToken()
              i = j
              continue
            }
            if (n1 === DOLLAR || (n1 >= 0 && CLASS[n1] & C_IDENT_START)) {
              let j = i + 1
              while (j < n && CLASS[L[j]] & C_DOLQ_CONT) j++
              if (j < n && L[j] === DOLLAR) {
                this.beginToken('string')
                this.dolqstart = L.subarray(i, j + 1)
                this.state = S.XDOLQ
                this.echo(ln, i, j + 1)
                i = j + 1
                continue
              }
              // {dolqfailed}: throw back all but the "$"
            }
            this.beginToken('op')
            this.echo(ln, i, i + 1)
            this.endToken()
            i++
            continue
          }
          if (c === COLON) {
            const n1 = L[i + 1] ?? -1
            if (n1 === COLON || n1 === 0x3d /* = */) {
              this.beginToken('op')
              this.echo(ln, i, i + 2)
              this.endToken()
              i += 2
              continue
            }
            if (n1 >= 0 && CLASS[n1] & C_DOLQ_CONT) {
              let j = i + 2
              while (j < n && CLASS[L[j]] & C_DOLQ_CONT) j++
              this.variable(ln, i, L.toString('latin1', i + 1, j), 'plain')
              this.beginToken('variable')
              this.echo(ln, i, j)
              this.endToken()
              i = j
              continue
            }
            if (n1 === QUOTE || n1 === DQUOTE) {
              let j = i + 2
              while (j < n && CLASS[L[j]] & C_DOLQ_CONT) j++
              if (j > i + 2 && L[j] === n1) {
                this.variable(
                  ln,
                  i,
                  L.toString('latin1', i + 2, j),
                  n1 === QUOTE ? 'literal' : 'identifier'
                )
                this.beginToken('variable')
                this.echo(ln, i, j + 1)
                this.endToken()
                i = j + 1
                continue
              }
            } else if (n1 === 0x7b /* { */ && L[i + 2] === 0x3f /* ? */) {
              let j = i + 3
              while (j < n && CLASS[L[j]] & C_DOLQ_CONT) j++
              if (j > i + 3 && L[j] === 0x7d /* } */) {
                this.variable(ln, i, L.toString('latin1', i + 3, j), 'test')
                // psqlscan_test_variable: the reference becomes TRUE or FALSE (assumed unset)
                this.beginToken('variable')
                this.echoGenerated(ln, i, 'FALSE')
                this.endToken()
                i = j + 1
                continue
              }
            }
            this.beginToken('punct')
            this.echo(ln, i, i + 1)
            this.endToken()
            i++
            continue
          }
          if (c === 0x28 /* ( */) {
            if (this.parenDepth === 0) {
              this.beginToken('punct')
              this.echo(ln, i, i + 1)
              this.endToken()
            } else this.echo(ln, i, i + 1)
            this.parenDepth++
            i++
            continue
          }
          if (c === 0x29 /* ) */) {
            if (this.parenDepth > 0) this.parenDepth--
            this.beginToken('punct')
            this.echo(ln, i, i + 1)
            this.endToken()
            i++
            continue
          }
          if (c === SEMI) {
            const at = this.qbLen
            this.echo(ln, i, i + 1)
            i++
            if (this.parenDepth === 0 && this.beginDepth === 0) {
              if (this.isCopyFromStdin()) this.psqlCopyCount++
              this.identCount = 0
              ln.pos = i
              this.partEndAt = at
              return Scan.SEMI
            }
            if (this.parenDepth === 0) this.splitPart(at)
            continue
          }
          if (c === BS) {
            const n1 = L[i + 1]
            if (n1 === SEMI || n1 === COLON) {
              // "\;" and "\:" put ";" or ":" into the query buffer
              const at = this.qbLen
              this.backslashEscapes++
              this.echoGenerated(ln, i, n1 === SEMI ? ';' : ':')
              if (n1 === SEMI) {
                if (this.dialect.identTracking === 'v18') {
                  if (this.parenDepth === 0 && this.beginDepth === 0) {
                    if (this.isCopyFromStdin()) this.psqlCopyCount++
                    this.identCount = 0
                  }
                } else this.identCount = 0
                if (this.parenDepth === 0) this.splitPart(at)
              }
              i += 2
              continue
            }
            ln.pos = i + 1
            this.metaAt = i
            return Scan.BACKSLASH
          }
          if (k & C_OP) {
            let j = i + 1
            while (j < n && CLASS[L[j]] & C_OP) j++
            // {operator}: stop at an embedded comment start, drop trailing + and -
            let nchars = j - i
            for (let p = i; p + 1 < j; p++) {
              if ((L[p] === 0x2f && L[p + 1] === 0x2a) || (L[p] === 0x2d && L[p + 1] === 0x2d)) {
                nchars = p - i
                break
              }
            }
            if (nchars > 1 && (L[i + nchars - 1] === 0x2b || L[i + nchars - 1] === 0x2d)) {
              let ic = nchars - 2
              for (; ic >= 0; ic--) {
                const ch = L[i + ic]
                if ('~!@#^&|`?%'.includes(String.fromCharCode(ch))) break
              }
              if (ic < 0) {
                do nchars--
                while (nchars > 1 && (L[i + nchars - 1] === 0x2b || L[i + nchars - 1] === 0x2d))
              }
            }
            this.beginToken('op')
            this.echo(ln, i, i + nchars)
            this.endToken()
            i += nchars
            continue
          }
          // {self} / {other} / "." / ".."
          const len = c === DOT && L[i + 1] === DOT ? 2 : 1
          this.beginToken(c === 0x2c || c === DOT ? 'punct' : 'op')
          this.echo(ln, i, i + len)
          this.endToken()
          i += len
          continue
        }
        case S.XC: {
          const c = L[i]
          if (c === 0x2f && L[i + 1] === 0x2a) {
            this.xcdepth++
            this.echo(ln, i, i + 2)
            i += 2
            continue
          }
          if (c === 0x2a) {
            let j = i + 1
            while (j < n && L[j] === 0x2a) j++
            if (j < n && L[j] === 0x2f) {
              if (this.xcdepth <= 0) this.state = S.INITIAL
              else this.xcdepth--
              j++
            }
            this.echo(ln, i, j)
            i = j
            continue
          }
          let j = i + 1
          while (j < n && L[j] !== 0x2a && L[j] !== 0x2f) j++
          this.echo(ln, i, j)
          i = j
          continue
        }
        case S.XQ:
        case S.XUS: {
          const q = L.indexOf(QUOTE, i)
          if (this.state === S.XQ && this.plainLiteral) {
            // a backslash of a plain literal: a different value with the other setting
            const until = q < 0 ? n : q
            for (let k = L.indexOf(BS, i); k >= 0 && k < until; k = L.indexOf(BS, k + 1))
              this.plainLiteralBackslashes++
          }
          if (q < 0) {
            this.echo(ln, i, n)
            i = n
            continue
          }
          if (this.state === S.XQ && this.plainLiteral && L[q - 1] === BS) {
            // with standard_conforming_strings off this quote would be escaped
            let run = 0
            for (let k = q - 1; k >= 0 && L[k] === BS; k--) run++
            if (run % 2 === 1) this.ambiguousLiterals++
          }
          if (L[q + 1] === QUOTE) {
            this.echo(ln, i, q + 2)
            i = q + 2
            continue
          }
          this.echo(ln, i, q + 1)
          this.stateBeforeStrStop = this.state
          this.state = S.XQS
          this.tokEnd = this.qbLen
          i = q + 1
          continue
        }
        case S.XE: {
          let j = i
          while (j < n && L[j] !== QUOTE && L[j] !== BS) j++
          if (j >= n) {
            this.echo(ln, i, n)
            i = n
            continue
          }
          if (L[j] === BS) {
            // with standard_conforming_strings on, a plain literal would end at this quote
            if (this.plainLiteral && L[j + 1] === QUOTE) this.ambiguousLiterals++
            if (this.plainLiteral) this.plainLiteralBackslashes++
            const e = Math.min(j + 2, n)
            this.echo(ln, i, e)
            i = e
            continue
          }
          if (L[j + 1] === QUOTE) {
            this.echo(ln, i, j + 2)
            i = j + 2
            continue
          }
          this.echo(ln, i, j + 1)
          this.stateBeforeStrStop = S.XE
          this.state = S.XQS
          this.tokEnd = this.qbLen
          i = j + 1
          continue
        }
        case S.XB:
        case S.XH: {
          const q = L.indexOf(QUOTE, i)
          if (q < 0) {
            this.echo(ln, i, n)
            i = n
            continue
          }
          this.echo(ln, i, q + 1)
          this.stateBeforeStrStop = this.state
          this.state = S.XQS
          this.tokEnd = this.qbLen
          i = q + 1
          continue
        }
        case S.XQS: {
          const m = this.quoteContinue(L, i)
          if (m > 0) {
            this.echo(ln, i, m)
            this.state = this.stateBeforeStrStop
            this.tokEnd = -1
            i = m
            continue
          }
          this.state = S.INITIAL
          this.endToken()
          continue
        }
        case S.XD:
        case S.XUI: {
          const q = L.indexOf(DQUOTE, i)
          if (q < 0) {
            this.echo(ln, i, n)
            i = n
            continue
          }
          if (L[q + 1] === DQUOTE) {
            this.echo(ln, i, q + 2)
            i = q + 2
            continue
          }
          this.echo(ln, i, q + 1)
          this.state = S.INITIAL
          this.endToken()
          i = q + 1
          continue
        }
        case S.XDOLQ: {
          const d = L.indexOf(DOLLAR, i)
          if (d < 0) {
            this.echo(ln, i, n)
            i = n
            continue
          }
          const n1 = L[d + 1] ?? -1
          if (n1 === DOLLAR || (n1 >= 0 && CLASS[n1] & C_IDENT_START)) {
            let j = d + 1
            while (j < n && CLASS[L[j]] & C_DOLQ_CONT) j++
            if (j < n && L[j] === DOLLAR) {
              if (this.dolqstart && L.subarray(d, j + 1).equals(this.dolqstart)) {
                this.echo(ln, i, j + 1)
                this.dolqstart = undefined
                this.state = S.INITIAL
                this.endToken()
                i = j + 1
                continue
              }
              // not our tag: keep the final "$" for rescanning
              this.echo(ln, i, j)
              i = j
              continue
            }
            this.echo(ln, i, j)
            i = j
            continue
          }
          this.echo(ln, i, d + 1)
          i = d + 1
          continue
        }
      }
    }
  }

  /** Set at each SEMI / BACKSLASH result. */
  private partEndAt = 0
  private metaAt = 0

  /**
   * {quotecontinue} at L[i]: white space containing a newline (comments allowed), then a quote.
   * Returns the index after the quote, or 0.
   */
  private quoteContinue(L: Buffer, i: number): number {
    const n = L.length
    const space = this.spaceMask
    const nonNl = (c: number): boolean => space[c] === 1 && c !== NL && c !== CR
    let j = i
    // {non_newline_whitespace}*
    for (;;) {
      if (j < n && nonNl(L[j])) {
        j++
        continue
      }
      if (L[j] === 0x2d && L[j + 1] === 0x2d) {
        j += 2
        while (j < n && L[j] !== NL && L[j] !== CR) j++
        continue
      }
      break
    }
    if (j >= n || (L[j] !== NL && L[j] !== CR)) return 0
    j++
    // {special_whitespace}*: white space, or a comment followed by a newline
    for (;;) {
      if (j < n && space[L[j]]) {
        j++
        continue
      }
      if (L[j] === 0x2d && L[j + 1] === 0x2d) {
        let e = j + 2
        while (e < n && L[e] !== NL && L[e] !== CR) e++
        if (e < n) {
          j = e + 1
          continue
        }
        return 0
      }
      break
    }
    return j < n && L[j] === QUOTE ? j + 1 : 0
  }

  /** End of the number token starting at L[i] (a digit, or "." before a digit). */
  private scanNumber(L: Buffer, i: number): number {
    const n = L.length
    const mode = this.dialect.numbers
    const us = mode === 'v16'
    const decint = (p: number): number => {
      // {decinteger}: digit (_? digit)* — or digit+ before 16; returns p when none
      if (!(p < n && isDigit(L[p]))) return p
      let q = p + 1
      for (;;) {
        if (q < n && isDigit(L[q])) q++
        else if (us && L[q] === 0x5f && q + 1 < n && isDigit(L[q + 1])) q += 2
        else break
      }
      return q
    }
    const identEnd = (p: number): number => {
      if (!(p < n && CLASS[L[p]] & C_IDENT_START)) return -1
      let q = p + 1
      while (q < n && CLASS[L[q]] & C_IDENT_CONT) q++
      return q
    }
    let best = i
    const consider = (e: number): void => {
      if (e > best) best = e
    }
    // exponent after a number ending at p: {real}, {realfail} (and 14's realfail1/2)
    const exponent = (p: number): void => {
      if (!(L[p] === 0x45 || L[p] === 0x65)) return
      const s = L[p + 1]
      if (s === 0x2b || s === 0x2d) {
        const d = decint(p + 2)
        if (d > p + 2) {
          consider(d)
          if (mode !== 'v14') consider(identEnd(d))
        } else if (mode !== 'v14') consider(p + 2) // {realfail}
        return
      }
      const d = decint(p + 1)
      if (d > p + 1) {
        consider(d)
        if (mode !== 'v14') consider(identEnd(d))
      }
    }
    if (L[i] === DOT) {
      const d = decint(i + 1)
      consider(d)
      if (mode !== 'v14') consider(identEnd(d))
      exponent(d)
      return best
    }
    const d = decint(i)
    consider(d)
    if (mode !== 'v14') consider(identEnd(d))
    if (us && L[i] === 0x30) {
      const r = lower(L[i + 1] ?? 0)
      const ok =
        r === 0x78
          ? isHex
          : r === 0x6f
            ? (c: number) => c >= 48 && c <= 55
            : r === 0x62
              ? (c: number) => c === 48 || c === 49
              : undefined
      if (ok) {
        let q = i + 2
        for (;;) {
          if (q < n && ok(L[q])) q++
          else if (L[q] === 0x5f && q + 1 < n && ok(L[q + 1])) q += 2
          else break
        }
        consider(q > i + 2 ? q : L[i + 2] === 0x5f ? i + 3 : i + 2)
      }
    }
    if (L[d] === DOT) {
      if (L[d + 1] === DOT) {
        // {numericfail}: "1..": the ".." is thrown back; longer matches cannot start this way
        return best > d + 2 ? best : d
      }
      const f = decint(d + 1)
      consider(f)
      if (mode !== 'v14') consider(identEnd(f))
      exponent(f)
    }
    exponent(d)
    return best
  }

  private variable(ln: LineState, at: number, name: string, form: VariableReference['form']): void {
    this.variables.push({ name, form, line: ln.line, offset: ln.offset + at })
  }

  // -------------------------------------------------------------------------------------------
  // statements

  /**
   * Sends the query buffer (or, for a sending meta-command with an empty buffer, the previous
   * statement again: copy_previous_query).
   */
  private sendStatement(terminator: StatementEvent['terminator'], resend?: ScriptPosition): void {
    const endAt = terminator === 'semicolon' ? this.partEndAt : this.qbLen
    if (terminator !== 'semicolon' && this.tokType !== undefined) this.endToken()
    this.parts.push({
      start: this.part.start,
      end: endAt,
      tokens: this.part.tokens,
      truncated: this.part.truncated
    })
    const sql = resend ? this.previous.sql : this.queryBytes()
    const at = resend ??
      this.stmtStart ?? {
        line: this.cur?.line ?? this.nextLine,
        offset: this.cur?.offset ?? this.nextOffset
      }
    if (!resend) this.tokenSource.sql = sql
    const parts: StatementPart[] = resend
      ? this.previous.parts
      : this.parts.map(p => this.finishPart(sql, p))
    let serverCopyIn = 0
    for (const p of parts)
      if (
        p.copy &&
        p.copy.direction === 'from' &&
        (p.copy.target === 'stdin' || p.copy.target === 'stdout')
      )
        serverCopyIn++
    let psqlCopyIn: number | undefined
    if (this.dialect.copyDecision === 'psql') {
      if (terminator === 'meta') psqlCopyIn = this.copyCountOf(sql)
      else {
        // psql_scan_count_copy_from_stdin: the part after the last ";" counts too
        if (terminator === 'eof' && this.identCount > 0 && this.isCopyFromStdin())
          this.psqlCopyCount++
        psqlCopyIn = this.psqlCopyCount
      }
    }
    const copyIn = psqlCopyIn ?? serverCopyIn
    const effects = settingEffects(parts, sql, {
      std: this.connectionStd,
      encoding: this.connectionEncoding
    })
    const event = new Statement(
      at.line,
      at.offset,
      sql,
      this.encoding === 'UTF8',
      terminator,
      parts,
      copyIn,
      serverCopyIn,
      this.variables,
      this.backslashEscapes,
      this.stmtStd,
      this.ambiguousLiterals
    )
    if (psqlCopyIn !== undefined) event.psqlCopyIn = psqlCopyIn
    event.clientEncoding = this.stmtEncoding
    event.plainLiteralBackslashes = this.plainLiteralBackslashes
    if (effects) event.effects = effects
    event.end =
      terminator === 'eof'
        ? this.nextOffset
        : this.cur
          ? this.cur.offset + this.cur.pos
          : this.nextOffset
    this.emit(event)
    this.previous = { sql, parts }
    this.resetQueryBuffer()
    if (terminator !== 'semicolon') this.resetScanner()
    else this.psqlCopyCount = 0
    if (
      effects?.standardConformingStrings !== undefined &&
      effects.standardConformingStrings !== 'unknown'
    )
      this.pendingStd = effects.standardConformingStrings
    if (effects?.clientEncoding !== undefined && effects.clientEncoding !== 'unknown')
      this.pendingEncoding = effects.clientEncoding
    for (let k = 0; k < copyIn; k++) this.copyQueue.push('COPY')
    if (this.copyQueue.length > 0) this.startCopy()
  }

  /**
   * SendQuery(query, -1) of psql 17.12+/18.6+ for a query sent by a meta-command: a fresh lexer
   * scans the whole query text as one buffer and counts. Upstream 18.6 scans once, up to the first
   * ";"; Debian's 17.12 and 18.6 (the binaries checked here) carry a patch that goes on over every
   * ";" (v2-0001-psql-count-every-COPY-FROM-STDIN-when-scanning-a-query-string), modelled here. It
   * stops at a backslash either way.
   */
  private copyCountOf(sql: Buffer): number {
    const probe = new PsqlLexer({
      psqlMajor: this.dialect.major,
      clientEncoding: this.encoding,
      standardConformingStrings: this.std,
      copyDecision: 'psql',
      multiByteEncodings: this.multiByte
    })
    const ln: LineState = isByteSafeEncoding(this.encoding)
      ? { buf: sql, pos: 0, offset: 0, line: 1, std: this.std }
      : { buf: maskedLine(this.encoding, sql), out: sql, pos: 0, offset: 0, line: 1, std: this.std }
    while (probe.lexSql(ln) === Scan.SEMI);
    return probe.psqlCopyCount + (probe.identCount > 0 && probe.isCopyFromStdin() ? 1 : 0)
  }

  private finishPart(
    sql: Buffer,
    p: { start: number; end: number; tokens: SqlToken[]; truncated: boolean }
  ): StatementPart {
    const keywords: string[] = []
    for (const t of p.tokens) {
      if (t.type !== 'ident' || keywords.length >= 6) break
      keywords.push(sql.toString('latin1', t.start, Math.min(t.end, sql.length)).toUpperCase())
    }
    const part: StatementPart = {
      start: p.start,
      end: Math.min(p.end, sql.length),
      tokens: p.tokens,
      tokensTruncated: p.truncated,
      keywords
    }
    if (keywords[0] === 'COPY') part.copy = copyTarget(part, sql)
    return part
  }

  // -------------------------------------------------------------------------------------------
  // meta-commands (psqlscanslash.l, command.c HandleSlashCmds)

  /** Handles the backslash command at this.metaAt; returns true when psql stops (\q). */
  private metaCommand(ln: LineState): boolean {
    const L = ln.buf
    const n = L.length
    const space = this.spaceMask
    const at = this.metaAt
    let i = at + 1
    // xslashcmd: the name ends at white space or a backslash
    let j = i
    while (j < n && !space[L[j]] && L[j] !== BS) j++
    const name = this.decode(L.subarray(i, j))
    i = j
    const argsStart = i
    const d = this.dialect
    const args: string[] = []
    const vars: VariableReference[] = []
    let backquote = false
    let wholeLine = false
    let rejected: MetaCommandEvent['rejected']
    const known =
      d.knownCommands.has(name) ||
      name.toLowerCase() === 'copy' ||
      name.startsWith('d') ||
      name.startsWith('lo_')
    const scanArg = (type: 'normal' | 'filepipe'): string | undefined => {
      const r = this.slashOption(ln, i, type, vars)
      i = r.end
      if (r.backquote) backquote = true
      if (r.wholeLine) wholeLine = true
      return r.value
    }
    const restOfLine = (): string => {
      // xslashwholeline: leading white space dropped
      let p = i
      while (p < n && space[L[p]]) p++
      const value = this.decode(L.subarray(p, n))
      i = n
      wholeLine = true
      return value
    }
    if (this.restrictKey !== undefined && name !== 'unrestrict') rejected = 'restricted'
    else if (!known) rejected = 'unknown'
    else if (WHOLE_LINE_COMMANDS.has(name) || name.toLowerCase() === 'copy') {
      const v = restOfLine()
      if (v.length > 0) args.push(v)
    } else if (name === 'unrestrict' && d.unrestrictWholeLine) {
      let v = restOfLine()
      v = v.replace(/[;\s]+$/, '') // whole-line mode with semicolon = true
      if (v.length > 0) args.push(v)
    } else {
      let first = true
      for (;;) {
        const v = scanArg(first && FILEPIPE_COMMANDS.has(name) ? 'filepipe' : 'normal')
        first = false
        if (v === undefined) break
        args.push(v)
      }
    }
    let queryBuffer: MetaCommandEvent['queryBuffer']
    let quit = false
    let copyFromStdin = false
    if (!rejected) {
      switch (name) {
        case 'restrict': {
          const key = args[0] === undefined ? '' : stripSemicolons(args[0])
          if (key === '') rejected = 'error'
          else this.restrictKey = key
          break
        }
        case 'unrestrict': {
          const key =
            args[0] === undefined ? '' : d.unrestrictWholeLine ? args[0] : stripSemicolons(args[0])
          if (key === '' || this.restrictKey === undefined || key !== this.restrictKey)
            rejected = 'error'
          else this.restrictKey = undefined
          break
        }
        case 'c':
        case 'connect':
          // a new connection: the server's defaults from the next line on
          this.pendingStd = this.connectionStd
          this.pendingEncoding = this.connectionEncoding
          break
        case 'r':
        case 'reset':
          queryBuffer = 'reset'
          break
        case 'q':
        case 'quit':
          quit = true
          break
        case 'encoding': {
          const enc = args[0] === undefined ? undefined : canonicalEncoding(args[0])
          if (enc) this.pendingEncoding = enc
          break
        }
        default:
          if (d.sendCommands.has(name)) queryBuffer = 'sent'
          if (name.toLowerCase() === 'copy' && args[0] !== undefined && slashCopyFromStdin(args[0]))
            copyFromStdin = true
      }
    }
    if (rejected) {
      // HandleSlashCmds: after an error the rest of the line is thrown away
      if (i < n) {
        restOfLine()
      }
    }
    const argText = this.decode(L.subarray(argsStart, i))
    // xslashend: a trailing "\\" is eaten
    if (i + 1 < n && L[i] === BS && L[i + 1] === BS) i += 2
    ln.pos = i
    const event: MetaCommandEvent = {
      kind: 'metaCommand',
      line: ln.line,
      offset: ln.offset + at,
      name,
      args,
      argText,
      wholeLine,
      backquote,
      variables: vars,
      end: ln.offset + i
    }
    if (rejected) event.rejected = rejected
    if (queryBuffer) event.queryBuffer = queryBuffer
    this.emit(event)
    if (queryBuffer === 'reset') {
      this.resetQueryBuffer()
      this.resetScanner()
    } else if (queryBuffer === 'sent') {
      if (this.qbLen === 0) {
        // copy_previous_query: an empty buffer sends the previous statement again
        this.sendStatement('meta', { line: ln.line, offset: ln.offset + at })
      } else this.sendStatement('meta')
    }
    if (quit) {
      // MainLoop sends what the buffer holds before it exits
      if (this.qbLen > 0) this.sendStatement('eof')
      this.emit({ kind: 'halt', reason: 'quit', line: ln.line, offset: ln.offset + at })
      this.stopped = true
      return true
    }
    if (copyFromStdin) {
      this.copyQueue.push('\\copy')
      this.startCopy()
    }
    return false
  }

  /**
   * psql_scan_slash_option for OT_NORMAL / OT_FILEPIPE: one argument from L[i]. value is
   * undefined when there is none (end of line, or a backslash).
   */
  private slashOption(
    ln: LineState,
    start: number,
    type: 'normal' | 'filepipe',
    vars: VariableReference[]
  ): { value: string | undefined; end: number; backquote: boolean; wholeLine: boolean } {
    const L = ln.buf
    const n = L.length
    const space = this.spaceMask
    let i = start
    while (i < n && space[L[i]]) i++
    if (i >= n) return { value: undefined, end: i, backquote: false, wholeLine: false }
    if (type === 'filepipe' && L[i] === 0x7c /* | */) {
      return { value: this.decode(L.subarray(i, n)), end: n, backquote: false, wholeLine: true }
    }
    const out: number[] = []
    let quoted = false
    let backquote = false
    for (;;) {
      if (i >= n) break
      const c = L[i]
      if (space[c] || c === BS) break
      if (c === QUOTE) {
        quoted = true
        i++
        let closed = false
        while (i < n) {
          const q = L[i]
          if (q === QUOTE) {
            if (L[i + 1] === QUOTE) {
              out.push(QUOTE)
              i += 2
              continue
            }
            i++
            closed = true
            break
          }
          if (q === BS && i + 1 < n) {
            const e = L[i + 1]
            const simple: Record<number, number> = {
              0x6e: 10,
              0x74: 9,
              0x62: 8,
              0x72: 13,
              0x66: 12
            }
            if (simple[e] !== undefined) {
              out.push(simple[e])
              i += 2
            } else if (e >= 0x30 && e <= 0x37) {
              let p = i + 1
              let v = 0
              while (p < n && p < i + 4 && L[p] >= 0x30 && L[p] <= 0x37) v = v * 8 + L[p++] - 0x30
              out.push(v & 0xff)
              i = p
            } else if (e === 0x78 && isHex(L[i + 2] ?? 0)) {
              let p = i + 2
              let v = 0
              while (p < n && p < i + 4 && isHex(L[p]))
                v = v * 16 + parseInt(String.fromCharCode(L[p++]), 16)
              out.push(v)
              i = p
            } else {
              out.push(e)
              i += 2
            }
            continue
          }
          out.push(q)
          i++
        }
        if (!closed) return { value: undefined, end: n, backquote, wholeLine: false }
        continue
      }
      if (c === 0x60 /* ` */) {
        quoted = true
        backquote = true
        const q = L.indexOf(0x60, i + 1)
        if (q < 0) return { value: undefined, end: n, backquote, wholeLine: false }
        // variables inside backquotes are expanded by psql before the shell runs
        this.collectVariables(ln, i + 1, q, vars)
        for (let p = i; p <= q; p++) out.push(L[p])
        i = q + 1
        continue
      }
      if (c === DQUOTE) {
        quoted = true
        const q = L.indexOf(DQUOTE, i + 1)
        if (q < 0) return { value: undefined, end: n, backquote, wholeLine: false }
        for (let p = i; p <= q; p++) out.push(L[p])
        i = q + 1
        continue
      }
      if (c === COLON) {
        const n1 = L[i + 1] ?? -1
        if (n1 >= 0 && CLASS[n1] & C_DOLQ_CONT) {
          let j = i + 2
          while (j < n && CLASS[L[j]] & C_DOLQ_CONT) j++
          vars.push({
            name: L.toString('latin1', i + 1, j),
            form: 'plain',
            line: ln.line,
            offset: ln.offset + i
          })
          quoted = true
          for (let p = i; p < j; p++) out.push(L[p])
          i = j
          continue
        }
        if (n1 === QUOTE || n1 === DQUOTE) {
          let j = i + 2
          while (j < n && CLASS[L[j]] & C_DOLQ_CONT) j++
          if (j > i + 2 && L[j] === n1) {
            vars.push({
              name: L.toString('latin1', i + 2, j),
              form: n1 === QUOTE ? 'literal' : 'identifier',
              line: ln.line,
              offset: ln.offset + i
            })
            quoted = true
            for (let p = i; p <= j; p++) out.push(L[p])
            i = j + 1
            continue
          }
        } else if (n1 === 0x7b && L[i + 2] === 0x3f) {
          let j = i + 3
          while (j < n && CLASS[L[j]] & C_DOLQ_CONT) j++
          if (j > i + 3 && L[j] === 0x7d) {
            vars.push({
              name: L.toString('latin1', i + 3, j),
              form: 'test',
              line: ln.line,
              offset: ln.offset + i
            })
            for (const ch of Buffer.from('FALSE')) out.push(ch)
            i = j + 1
            continue
          }
        }
      }
      out.push(c)
      i++
    }
    if (out.length === 0 && !quoted)
      return { value: undefined, end: i, backquote, wholeLine: false }
    return { value: this.decode(Buffer.from(out)), end: i, backquote, wholeLine: false }
  }

  private collectVariables(ln: LineState, a: number, b: number, vars: VariableReference[]): void {
    const L = ln.buf
    for (let p = a; p < b; p++) {
      if (L[p] !== COLON) continue
      const n1 = L[p + 1]
      if (n1 !== undefined && CLASS[n1] & C_DOLQ_CONT) {
        let j = p + 2
        while (j < b && CLASS[L[j]] & C_DOLQ_CONT) j++
        vars.push({
          name: L.toString('latin1', p + 1, j),
          form: 'plain',
          line: ln.line,
          offset: ln.offset + p
        })
        p = j - 1
      } else if (n1 === QUOTE) {
        let j = p + 2
        while (j < b && CLASS[L[j]] & C_DOLQ_CONT) j++
        if (j > p + 2 && L[j] === QUOTE) {
          vars.push({
            name: L.toString('latin1', p + 2, j),
            form: 'literal',
            line: ln.line,
            offset: ln.offset + p
          })
          p = j
        }
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // COPY data (copy.c handleCopyIn)

  private startCopy(): void {
    this.copySource = this.copyQueue.shift()!
    this.mode = 'copy'
    this.copyAtLineStart = true
    this.copyBytes = 0
    this.copyLines = 0
  }

  /** The end of COPY data: the rest of the interrupted line, or the next COPY of that line. */
  private finishCopy(event: CopyEndEvent): void {
    this.emit(event)
    this.mode = 'line'
    if (this.copyQueue.length > 0) {
      this.startCopy()
      return
    }
    const ln = this.suspended
    this.suspended = undefined
    if (ln) {
      this.cur = ln
      this.runLine()
    }
  }

  private copyData(data: Buffer, offset: number, line: number): void {
    if (data.length === 0) return
    this.copyBytes += data.length
    this.emit({ kind: 'copyData', data, line, offset })
  }

  /** Consumes COPY data from buf[pos…]; returns where it stopped. */
  private copyConsume(buf: Buffer, pos: number): number {
    const start = pos
    if (this.copyCarry) {
      // bytes held back because they might begin the end-of-data line
      const carry = this.copyCarry
      const joined = Buffer.concat([carry, buf.subarray(pos, Math.min(buf.length, pos + 4))])
      const m = endMarker(joined, 0)
      if (m === 0) {
        // still undecided: only possible when the chunk was tiny
        this.copyCarry = joined
        this.nextOffset += buf.length - pos
        return buf.length
      }
      this.copyCarry = undefined
      const carryOffset = this.copyCarryOffset
      if (m > 0) {
        const used = m - carry.length
        this.nextOffset += used
        this.nextLine++
        this.finishCopy({
          kind: 'copyEnd',
          end: 'marker',
          marker: joined.toString('latin1', 0, m),
          bytes: this.copyBytes,
          lines: this.copyLines,
          source: this.copySource,
          line: this.nextLine - 1,
          offset: carryOffset
        })
        return pos + used
      }
      // not a marker: the carried bytes are data
      this.copyData(carry, carryOffset, this.nextLine)
      this.copyAtLineStart = false
    }
    const n = buf.length
    let lineStart = this.copyAtLineStart ? start : -1
    let search = start
    const base = this.nextOffset - start // absolute offset of buf[0]
    const firstLine = this.nextLine
    let lines = 0
    for (;;) {
      if (lineStart >= 0) {
        const m = endMarker(buf, lineStart)
        if (m > 0) {
          // data before the marker line, then the end
          const dataEnd = lineStart
          if (buf.indexOf(0, start) >= 0 && buf.indexOf(0, start) < dataEnd)
            return this.copyNul(buf, start, base)
          this.copyData(buf.subarray(start, dataEnd), base + start, firstLine)
          this.copyLines += lines
          this.nextLine = firstLine + lines + 1
          this.nextOffset = base + lineStart + m
          this.finishCopy({
            kind: 'copyEnd',
            end: 'marker',
            marker: buf.toString('latin1', lineStart, lineStart + m),
            bytes: this.copyBytes,
            lines: this.copyLines,
            source: this.copySource,
            line: firstLine + lines,
            offset: base + lineStart
          })
          return lineStart + m
        }
        if (m === 0) {
          // the chunk ends inside what may be the marker line: hold it back
          const nul = buf.indexOf(0, start)
          if (nul >= 0 && nul < lineStart) return this.copyNul(buf, start, base)
          this.copyData(buf.subarray(start, lineStart), base + start, firstLine)
          this.copyLines += lines
          this.nextLine = firstLine + lines
          this.copyCarry = Buffer.from(buf.subarray(lineStart))
          this.copyCarryOffset = base + lineStart
          this.nextOffset = base + n
          return n
        }
      }
      const nl = buf.indexOf(NL, search)
      if (nl < 0) {
        const nul = buf.indexOf(0, start)
        if (nul >= 0) return this.copyNul(buf, start, base)
        this.copyData(buf.subarray(start, n), base + start, firstLine)
        this.copyLines += lines
        this.nextLine = firstLine + lines
        this.nextOffset = base + n
        this.copyAtLineStart = false
        return n
      }
      lines++
      lineStart = nl + 1
      search = nl + 1
      if (lineStart >= n) {
        const nul = buf.indexOf(0, start)
        if (nul >= 0) return this.copyNul(buf, start, base)
        this.copyData(buf.subarray(start, n), base + start, firstLine)
        this.copyLines += lines
        this.nextLine = firstLine + lines
        this.nextOffset = base + n
        this.copyAtLineStart = true
        return n
      }
    }
  }

  private copyNul(buf: Buffer, start: number, base: number): number {
    const nul = buf.indexOf(0, start)
    let line = this.nextLine
    for (let p = buf.indexOf(NL, start); p >= 0 && p < nul; p = buf.indexOf(NL, p + 1)) line++
    this.unsupported(
      'nul-byte',
      `line ${line}: a NUL byte in COPY data (psql drops the rest of the line after one; pg_dump never writes one)`,
      { line, offset: base + nul }
    )
    return buf.length
  }

  /** End of input while COPY data is being read. */
  private copyAtEof(): void {
    if (this.copyCarry) {
      this.copyData(this.copyCarry, this.copyCarryOffset, this.nextLine)
      this.copyCarry = undefined
    }
    this.finishCopy({
      kind: 'copyEnd',
      end: 'eof',
      bytes: this.copyBytes,
      lines: this.copyLines,
      source: this.copySource,
      line: this.nextLine,
      offset: this.nextOffset
    })
  }
}

/**
 * Whether buf[p…] is the end-of-data line: the length of "\\.\n" (3) or "\\.\r\n" (4), -1 when
 * it is not, 0 when buf ends before that can be decided.
 */
function endMarker(buf: Buffer, p: number): number {
  const n = buf.length
  if (p >= n) return 0
  if (buf[p] !== BS) return -1
  if (p + 1 >= n) return 0
  if (buf[p + 1] !== DOT) return -1
  if (p + 2 >= n) return 0
  if (buf[p + 2] === NL) return 3
  if (buf[p + 2] !== CR) return -1
  if (p + 3 >= n) return 0
  return buf[p + 3] === NL ? 4 : -1
}

function stripSemicolons(value: string): string {
  return value.replace(/;+$/, '')
}

/** Whether a \copy argument reads from psql's input (FROM STDIN or FROM PSTDIN). */
function slashCopyFromStdin(arg: string): boolean {
  // copy.c parse_slash_copy: table or (query), then FROM or TO, then the file
  let depth = 0
  const words = arg.match(/"(?:[^"]|"")*"|'(?:[^']|'')*'|[()]|[^\s()"']+/g) ?? []
  for (let k = 0; k < words.length; k++) {
    const w = words[k]
    if (w === '(') depth++
    else if (w === ')') depth = Math.max(0, depth - 1)
    else if (depth === 0 && k > 0 && /^(from|to)$/i.test(w)) {
      const target = (words[k + 1] ?? '').toLowerCase()
      return w.toLowerCase() === 'from' && (target === 'stdin' || target === 'pstdin')
    }
  }
  return false
}

/** COPY's direction and target from its depth-0 tokens (gram.y CopyStmt). */
function copyTarget(part: StatementPart, sql: Buffer): CopyTarget {
  const toks = part.tokens
  const binaryHint = /binary/i.test(sql.toString('latin1', part.start, part.end))
  for (let k = 1; k < toks.length; k++) {
    const t = toks[k]
    if (t.type !== 'ident') continue
    const w = t.text.toUpperCase()
    if (w !== 'FROM' && w !== 'TO') continue
    const prev = toks[k - 1]
    if (prev.type === 'punct' && prev.text === '.') continue // s.from is a table name
    const direction = w === 'FROM' ? 'from' : 'to'
    const next = toks[k + 1]
    let target: CopyTarget['target'] = 'unknown'
    if (next) {
      if (next.type === 'ident') {
        const v = next.text.toUpperCase()
        if (v === 'STDIN') target = 'stdin'
        else if (v === 'STDOUT') target = 'stdout'
        else if (v === 'PROGRAM') target = 'program'
      } else if (next.type === 'string') target = 'file'
    }
    return { direction, target, binaryHint }
  }
  return {
    direction: 'unknown',
    target: 'unknown',
    binaryHint
  }
}

/** guc.c parse_bool: on/off/true/false/yes/no/1/0 and unique prefixes, any case. */
export function parsePgBool(value: string): boolean | undefined {
  const v = value.toLowerCase()
  if (v.length === 0) return undefined
  if ('true'.startsWith(v)) return true
  if ('false'.startsWith(v)) return false
  if ('yes'.startsWith(v)) return true
  if ('no'.startsWith(v)) return false
  if (v === 'on') return true
  if (v.length >= 2 && 'off'.startsWith(v)) return false
  if (v === '1') return true
  if (v === '0') return false
  return undefined
}

/** The value of a simple string or word token, or undefined. */
function simpleValue(t: SqlToken | undefined): string | undefined {
  if (!t) return undefined
  if (t.type === 'ident' || t.type === 'number') return t.text
  if (t.type === 'string' && /^'(?:[^'\\]|'')*'$/.test(t.text))
    return t.text.slice(1, -1).replace(/''/g, "'")
  return undefined
}

/**
 * What a statement does to standard_conforming_strings and client_encoding, as far as its text
 * shows: `SET [SESSION] name {=|TO} value` and `SET NAMES value` are modelled; any other SET or
 * RESET of either setting, RESET ALL and DISCARD ALL are 'unknown'. A statement that only names
 * them (current_setting('client_encoding'), a comment, a function's body) changes nothing here:
 * a change at run time that no text shows (set_config() with a built name, EXECUTE, a trigger)
 * is the script gate's to catch (it asserts the settings before each statement they could make
 * psql or the server read otherwise).
 */
function settingEffects(
  parts: StatementPart[],
  sql: Buffer,
  /**
   * The session's reset values: what it started with (psql sets neither; the server's
   * configuration, the database's and role's settings and the connection's options decide), which
   * RESET and SET … TO DEFAULT bring back and the server reports (ParameterStatus) for psql to follow.
   */
  reset: { std: boolean; encoding: string }
): SettingEffects | undefined {
  let interesting = false
  for (const part of parts) {
    const w = part.keywords[0]
    if (w === 'SET' || w === 'RESET' || w === 'DISCARD') interesting = true
  }
  if (!interesting) return undefined
  const text = sql.toString('latin1')
  let effects: SettingEffects | undefined
  const set = (key: keyof SettingEffects, value: boolean | string): void => {
    effects = { ...effects, [key]: value }
  }
  const lowerText = text.toLowerCase()
  for (const part of parts) {
    const toks = part.tokens
    const kw = part.keywords
    const partText = lowerText.slice(part.start, part.end)
    let modelledStd = false
    let modelledEnc = false
    if (kw[0] === 'SET' && !part.tokensTruncated) {
      let k = 1
      let local = false
      const w1 = toks[1]?.type === 'ident' ? toks[1].text.toUpperCase() : ''
      if (
        w1 === 'SESSION' &&
        !(toks[2]?.type === 'ident' && toks[2].text.toUpperCase() === 'AUTHORIZATION')
      )
        k = 2
      else if (w1 === 'LOCAL') {
        k = 2
        local = true
      }
      const nameTok = toks[k]
      const name =
        nameTok?.type === 'ident'
          ? nameTok.text.toLowerCase()
          : nameTok?.type === 'qident' && /^"[^"]*"$/.test(nameTok.text)
            ? nameTok.text.slice(1, -1)
            : ''
      if (name === 'names' && nameTok.type === 'ident' && toks.length === k + 2) {
        const v = simpleValue(toks[k + 1])
        const enc =
          v !== undefined && v.toUpperCase() !== 'DEFAULT' ? canonicalEncoding(v) : undefined
        const value =
          v?.toUpperCase() === 'DEFAULT' && toks[k + 1]?.type === 'ident' ? reset.encoding : enc
        set('clientEncoding', local || !value ? 'unknown' : value)
        modelledEnc = true
      } else if (name === 'standard_conforming_strings' || name === 'client_encoding') {
        const op = toks[k + 1]
        const isAssign =
          op &&
          ((op.type === 'op' && op.text === '=') ||
            (op.type === 'ident' && op.text.toUpperCase() === 'TO'))
        const v = isAssign && toks.length === k + 3 ? simpleValue(toks[k + 2]) : undefined
        // SET … TO DEFAULT (the word, not the string 'default'): the reset value
        const toDefault = v?.toUpperCase() === 'DEFAULT' && toks[k + 2]?.type === 'ident'
        if (name === 'standard_conforming_strings') {
          const b = toDefault ? reset.std : v !== undefined ? parsePgBool(v) : undefined
          set('standardConformingStrings', local || b === undefined ? 'unknown' : b)
          modelledStd = true
        } else {
          const enc = toDefault
            ? reset.encoding
            : v !== undefined && v.toUpperCase() !== 'DEFAULT'
              ? canonicalEncoding(v)
              : undefined
          set('clientEncoding', local || !enc ? 'unknown' : enc)
          modelledEnc = true
        }
      }
    }
    const resetAll =
      (kw[0] === 'RESET' && kw[1] === 'ALL') || (kw[0] === 'DISCARD' && kw[1] === 'ALL')
    if (resetAll) {
      // both back to the session's reset values, which the server reports and psql follows
      set('standardConformingStrings', reset.std)
      set('clientEncoding', reset.encoding)
      modelledStd = true
      modelledEnc = true
    } else if (kw[0] === 'RESET' && !part.tokensTruncated && toks.length === 2) {
      // RESET standard_conforming_strings / RESET client_encoding (the name alone, then ";")
      const nameTok = toks[1]
      const name =
        nameTok?.type === 'ident'
          ? nameTok.text.toLowerCase()
          : nameTok?.type === 'qident' && /^"[^"]*"$/.test(nameTok.text)
            ? nameTok.text.slice(1, -1)
            : ''
      if (name === 'standard_conforming_strings') {
        set('standardConformingStrings', reset.std)
        modelledStd = true
      } else if (name === 'client_encoding') {
        set('clientEncoding', reset.encoding)
        modelledEnc = true
      }
    }
    // another SET or RESET naming either setting (SET LOCAL, RESET, a value the lexer cannot
    // read): psql follows it, the lexer cannot
    const sets = kw[0] === 'SET' || kw[0] === 'RESET'
    if (sets && !modelledStd && partText.includes('standard_conforming_strings'))
      set('standardConformingStrings', 'unknown')
    if (
      sets &&
      !modelledEnc &&
      (partText.includes('client_encoding') || (kw[0] === 'SET' && kw.includes('NAMES')))
    )
      set('clientEncoding', 'unknown')
  }
  return effects
}

/**
 * Lexes a whole script at once (see PsqlLexer).
 */
export function lexPsqlScript(
  script: Buffer | string,
  options: PsqlLexerOptions = {}
): PsqlScriptEvent[] {
  const lexer = new PsqlLexer(options)
  const buf = typeof script === 'string' ? Buffer.from(script, 'utf8') : script
  return [...lexer.write(buf), ...lexer.end()]
}

/** Lexes a stream of chunks (e.g. a Readable), yielding events as they complete. */
export async function* psqlScriptEvents(
  source: AsyncIterable<Buffer | Uint8Array | string>,
  options: PsqlLexerOptions = {}
): AsyncGenerator<PsqlScriptEvent> {
  const lexer = new PsqlLexer(options)
  for await (const chunk of source) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk
    yield* lexer.write(buf)
  }
  yield* lexer.end()
}

/** Whether `sql` holds `lower` (lower-case ASCII letters) at `at`, in any case: /^word/i. */
function wordAt(sql: string, at: number, lower: string): boolean {
  if (at + lower.length > sql.length) return false
  for (let k = 0; k < lower.length; k++)
    if ((sql.charCodeAt(at + k) | 0x20) !== lower.charCodeAt(k)) return false
  return true
}

/**
 * Whether psql of every modelled major (13 to 18) lexes `sql` alike (the same events, but for
 * psqlCopyIn, which 17+ counts and older ones leave unset: 0 against undefined for a text
 * without COPY): then one lex serves the checks that read an archive entry as different majors
 * (restore-plan.ts archiveReferences as 18, the direct load's text checks as the client's).
 * Conservative, by bytes alone: true only for ASCII text without what the majors read
 * otherwise — a backslash (meta-commands and their arguments), a "$" (dollar quotes, $1 and
 * 15's parameter junk), "--" (14 drops such comments from a statement, 15+ sends them), a
 * vertical tab (white space from 16), the words BEGIN and COPY in any case (BEGIN ATOMIC
 * tracking, COPY … FROM STDIN counting: 18's rules differ from 15's), and a number token
 * followed by a letter or "_" or holding ".." (junk rules from 15; underscores, 0x/0o/0b from
 * 16). psql-lexer-majors.test.ts checks it against the lexer itself on random texts.
 */
export function lexedAlikeByEveryMajor(sql: string): boolean {
  const n = sql.length
  for (let i = 0; i < n; i++) {
    const c = sql.charCodeAt(i)
    if (c > 0x7f || c === 0x0b || c === 0x5c /* \ */ || c === 0x24 /* $ */) return false
    if (c === 0x2d /* - */ && sql.charCodeAt(i + 1) === 0x2d) return false
    if ((c | 0x20) === 0x62 /* b */ && wordAt(sql, i, 'begin')) return false
    if ((c | 0x20) === 0x63 /* c */ && wordAt(sql, i, 'copy')) return false
    if (c >= 0x30 && c <= 0x39 && !(i > 0 && CLASS[sql.charCodeAt(i - 1)] & C_IDENT_CONT)) {
      // a number token starts here (or continues after a "."): its digits and dots
      let j = i
      while (j < n && ((sql.charCodeAt(j) >= 0x30 && sql.charCodeAt(j) <= 0x39) || sql[j] === '.'))
        j++
      const next = sql.charCodeAt(j)
      if (j < n && (CLASS[next] & C_IDENT_START || next === 0x24)) return false
      if (sql.slice(i, j).includes('..')) return false
      i = j - 1
    }
  }
  return true
}
