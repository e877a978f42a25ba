/**
 * Benchmark: throughput of the psql lexer (src/postgres/psql-lexer.ts) over pg_dump-like plain
 * scripts, fed in 64 KiB chunks as a stream would deliver them. Goal: > 500 MB/s over COPY-heavy
 * input (COPY data goes through Buffer.indexOf, one native search per line).
 *
 * Usage: npx tsx scripts/bench-psql-lexer.ts [MiB per shape, default 512]
 * Prints MB/s per input shape (best of 3 runs), by wall-clock time and by this process's CPU time
 * (steadier on a shared machine; it includes the garbage collector's threads), and the events.
 */
import { PsqlLexer } from '../src/postgres/psql-lexer.js'
import { refusal } from '../src/postgres/psql-script-rules.js'

const CHUNK = 64 * 1024

/** A script of about `bytes` bytes: `tables` COPY blocks whose rows come from `row(i)`. */
function copyScript(bytes: number, row: (i: number) => string): Buffer[] {
  const header = Buffer.from(
    '\\restrict k\nSET standard_conforming_strings = on;\nCREATE TABLE public.t (id integer, v text);\n'
  )
  // one block of rows, reused: the lexer sees the same bytes a real dump would have
  let block = ''
  for (let i = 0; block.length < 4 * 1024 * 1024; i++) block += row(i)
  const rows = Buffer.from(block)
  const parts: Buffer[] = [header]
  let total = header.length
  let table = 0
  while (total < bytes) {
    const copy = Buffer.from(`COPY public.t${table++} (id, v) FROM stdin;\n`)
    parts.push(copy, rows, Buffer.from('\\.\n\n'))
    total += copy.length + rows.length + 3
  }
  parts.push(Buffer.from('\\unrestrict k\n'))
  return parts
}

/** INSERT statements instead of COPY (pg_dump --inserts): every byte goes through the SQL lexer. */
function insertScript(bytes: number): Buffer[] {
  let block = ''
  for (let i = 0; block.length < 4 * 1024 * 1024; i++)
    block += `INSERT INTO public.t VALUES (${i}, 'row ${i} with ''quotes'' and a \\ backslash', E'esc\\n${i}');\n`
  const rows = Buffer.from(block)
  const parts: Buffer[] = []
  for (let total = 0; total < bytes; total += rows.length) parts.push(rows)
  return parts
}

/** The script as 64 KiB chunks, cut regardless of lines. */
function chunks(parts: Buffer[]): Buffer[] {
  const all = Buffer.concat(parts)
  const out: Buffer[] = []
  for (let p = 0; p < all.length; p += CHUNK)
    out.push(all.subarray(p, Math.min(all.length, p + CHUNK)))
  return out
}

function run(input: Buffer[]): {
  seconds: number
  cpu: number
  bytes: number
  events: Record<string, number>
} {
  const lexer = new PsqlLexer({ psqlMajor: 18 })
  const events: Record<string, number> = {}
  let bytes = 0
  const start = process.hrtime.bigint()
  const cpu0 = process.cpuUsage()
  const count = (es: ReturnType<PsqlLexer['write']>): void => {
    for (const e of es) {
      events[e.kind] = (events[e.kind] ?? 0) + 1
      if (e.kind !== 'copyData') refusal(e)
    }
  }
  for (const c of input) {
    bytes += c.length
    count(lexer.write(c))
  }
  count(lexer.end())
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  const cpu = process.cpuUsage(cpu0)
  return { seconds, cpu: (cpu.user + cpu.system) / 1e6, bytes, events }
}

const mib = Number(process.argv[2] ?? 512)
const size = mib * 1024 * 1024
const shapes: [string, Buffer[]][] = [
  [
    'COPY, 60-byte rows',
    chunks(
      copyScript(
        size,
        i => `${i}\tdevice-${i % 17}\t${(i * 7919) % 100000}\t2024-01-01 00:00:00+00\n`
      )
    )
  ],
  ['COPY, 1 KiB rows', chunks(copyScript(size, i => `${i}\t${'x'.repeat(1000)}\\\\.${i % 10}\n`))],
  ['COPY, CRLF rows', chunks(copyScript(size, i => `${i}\tcrlf row ${i}\r\n`))],
  ['INSERT statements (--inserts)', chunks(insertScript(Math.min(size, 128 * 1024 * 1024)))]
]
for (const [name, input] of shapes) {
  let best = Infinity
  let bestCpu = Infinity
  let last: ReturnType<typeof run> | undefined
  for (let k = 0; k < 3; k++) {
    last = run(input)
    best = Math.min(best, last.seconds)
    bestCpu = Math.min(bestCpu, last.cpu)
  }
  const mb = last!.bytes / 1e6
  console.log(
    `${name.padEnd(32)} ${(mb / best).toFixed(0).padStart(6)} MB/s wall ${(mb / bestCpu).toFixed(0).padStart(6)} MB/s cpu  (${mb.toFixed(0)} MB; ${Object.entries(
      last!.events
    )
      .map(([k, v]) => `${v} ${k}`)
      .join(', ')})`
  )
}
