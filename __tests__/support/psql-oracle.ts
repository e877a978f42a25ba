/**
 * Real psql as the oracle for the psql lexer (src/postgres/psql-lexer.ts): runs a script through
 * a real psql binary against a real server behind the wire recorder, and compares what psql did
 * (the queries and COPY data the server received, the \echo output and the order of both) with
 * the lexer's events for the same script.
 *
 * psql runs as `psql -X -q -e -o /dev/null -f -` with the script on stdin (as the restore runs
 * it), without ON_ERROR_STOP so that one failing statement does not hide the rest: -e echoes
 * every query to stdout just before it is sent, and \echo writes to stdout too, so stdout gives
 * the interleaving of statements and meta-commands, while the recorder gives the bytes.
 */
import { spawn } from 'node:child_process'
import path from 'node:path'
import type { PsqlScriptEvent } from '../../src/postgres/psql-lexer.js'
import type { WireEntry, WireRecorder } from './pg-wire-recorder.js'

export interface PsqlRun {
  code: number | null
  stdout: Buffer
  stderr: string
  entries: WireEntry[]
}

/** Runs `script` through `<binDir>/psql` connected to the recorder. */
export async function runPsqlRecorded(
  binDir: string,
  script: Buffer,
  env: NodeJS.ProcessEnv,
  recorder: WireRecorder,
  extraArgs: string[] = []
): Promise<PsqlRun> {
  recorder.clear()
  const child = spawn(
    path.join(binDir, 'psql'),
    ['-X', '-q', '-e', '-o', '/dev/null', ...extraArgs, '-f', '-'],
    {
      env: {
        ...env,
        PGHOST: '127.0.0.1',
        PGPORT: String(recorder.port),
        PGSSLMODE: 'disable',
        PGGSSENCMODE: 'disable'
      },
      stdio: ['pipe', 'pipe', 'pipe']
    }
  )
  const out: Buffer[] = []
  const err: Buffer[] = []
  child.stdout.on('data', (c: Buffer) => out.push(c))
  child.stderr.on('data', (c: Buffer) => err.push(c))
  child.stdin.on('error', () => undefined)
  child.stdin.end(script)
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', c => resolve(c))
  })
  // the recorder sees the last bytes before psql's exit is reported, but give it a moment
  await new Promise(r => setTimeout(r, 20))
  return {
    code,
    stdout: Buffer.concat(out),
    stderr: Buffer.concat(err).toString('utf8'),
    entries: recorder.entries().filter(e => e.type !== 'copyDone')
  }
}

export interface OracleOptions {
  /** psql sends the "\." line with the COPY data (15 and 17; 18 does not). */
  markerSent: boolean
  /**
   * psql reads COPY data blocks by its own count (17.12+, 18.6+): a block the server refused is
   * read and dropped. Otherwise (15.18) psql reads data only when the server starts a COPY.
   */
  psqlCountsCopies: boolean
}

export interface Comparison {
  /** The first difference between psql and the lexer, if any. */
  diff?: string
  /**
   * Set when the comparison stopped early because the server refused a COPY … FROM STDIN the
   * lexer (rightly, by its text) took for one: psql then reads the data lines as script, which the
   * lexer's contract (ON_ERROR_STOP=1) leaves out. Everything before it was compared.
   */
  stoppedAt?: string
  /** Statements, COPY blocks and \echo commands compared. */
  compared: number
}

/**
 * Compares psql's run with the lexer's events, in one pass: the queries and COPY data the server
 * received (bytes), new connections, and stdout (the -e echo of each query and the \echo
 * output) in psql's order.
 */
export function compareWithPsql(
  events: PsqlScriptEvent[],
  run: PsqlRun,
  options: OracleOptions
): Comparison {
  // server messages can arrive between two pieces of COPY data: merge what psql sent
  const actual: WireEntry[] = []
  for (const e of run.entries) {
    if (e.type === 'parameter' || e.type === 'copyFail' || e.type === 'error') continue
    const last = actual[actual.length - 1]
    if (e.type === 'copyData' && last?.type === 'copyData' && last.connection === e.connection)
      actual[actual.length - 1] = { ...last, data: Buffer.concat([last.data, e.data]) }
    else actual.push(e)
  }
  let a = 0
  let out = 0
  let compared = 0
  const show = (b: Buffer): string =>
    JSON.stringify(
      b.length > 300 ? `${b.toString('latin1', 0, 300)}…(${b.length} bytes)` : b.toString('latin1')
    )
  /** Where two byte strings first differ, with some context. */
  const firstDiff = (x: Buffer, y: Buffer): string => {
    let k = 0
    while (k < x.length && k < y.length && x[k] === y[k]) k++
    const from = Math.max(0, k - 60)
    return `first difference at byte ${k} of ${x.length}/${y.length}: lexer ${show(x.subarray(from, k + 60))}, psql ${show(y.subarray(from, k + 60))}`
  }
  const nextWire = (): WireEntry | undefined => {
    while (a < actual.length && actual[a].type === 'copyIn') a++
    return actual[a++]
  }
  const stdout = (want: Buffer, what: string): string | undefined => {
    const got = run.stdout.subarray(out, out + want.length)
    if (!got.equals(want))
      return `stdout at byte ${out}: lexer expects ${show(want)} (${what}), psql printed ${show(run.stdout.subarray(out, out + want.length + 40))}`
    out += want.length
    return undefined
  }
  const first = nextWire()
  if (first?.type !== 'connect') return { diff: `psql did not connect: ${run.stderr}`, compared }
  let copy: Buffer[] | undefined
  /** For each COPY block to come: whether psql sends it (false: read and dropped). */
  const sent: boolean[] = []
  for (const e of events) {
    if (e.kind === 'statement') {
      const w = nextWire()
      if (w?.type !== 'query')
        return {
          diff: `statement at line ${e.line} ${show(e.sql)}: psql sent ${w ? describeActual(w) : 'nothing'}`,
          compared
        }
      if (!w.sql.equals(e.sql))
        return { diff: `statement at line ${e.line}: ${firstDiff(e.sql, w.sql)}`, compared }
      const d = stdout(Buffer.concat([e.sql, Buffer.from('\n')]), `statement at line ${e.line}`)
      if (d) return { diff: d, compared }
      compared++
      // how many COPYs the server started for this query
      let started = 0
      for (let p = a; p < actual.length; p++) {
        const t = actual[p].type
        if (t === 'query' || t === 'connect' || t === 'parse') break
        if (t === 'copyIn') started++
      }
      if (options.psqlCountsCopies) {
        // psql drops the connection when the server starts a COPY it did not count (the lexer
        // reports psqlCopyIn != serverCopyIn, which the rules refuse)
        if (started > e.copyIn) {
          if (e.psqlCopyIn === e.serverCopyIn)
            return {
              diff: `statement at line ${e.line}: the server started ${started} COPY, the lexer expected ${e.copyIn}`,
              compared
            }
          return {
            stoppedAt: `psql dropped the connection at the unexpected COPY at line ${e.line}`,
            compared
          }
        }
      } else if (started < e.copyIn) {
        return {
          stoppedAt: `the server refused the COPY at line ${e.line}`,
          compared
        }
      }
      for (let k = 0; k < e.copyIn; k++) sent.push(k < started)
    } else if (e.kind === 'copyData') (copy ??= []).push(e.data)
    else if (e.kind === 'copyEnd') {
      if (e.source === 'COPY' && sent.shift() !== false) {
        const parts = copy ?? []
        if (options.markerSent && e.marker) parts.push(Buffer.from(e.marker, 'latin1'))
        const data = Buffer.concat(parts)
        if (data.length > 0) {
          const w = nextWire()
          if (w?.type !== 'copyData')
            return {
              diff: `COPY data ending at line ${e.line}: psql sent ${w ? describeActual(w) : 'nothing'}`,
              compared
            }
          if (!w.data.equals(data))
            return {
              diff: `COPY data ending at line ${e.line}: ${firstDiff(data, w.data)}`,
              compared
            }
        }
        compared++
      }
      copy = undefined
    } else if (e.kind === 'metaCommand' && !e.rejected) {
      if (e.name === 'c' || e.name === 'connect') {
        const w = nextWire()
        if (w?.type !== 'connect')
          return {
            diff: `\\connect at line ${e.line}: psql sent ${w ? describeActual(w) : 'nothing'}`,
            compared
          }
      } else if (e.name === 'echo') {
        const d = stdout(Buffer.from(`${e.args.join(' ')}\n`, 'utf8'), `\\echo at line ${e.line}`)
        if (d) return { diff: d, compared }
        compared++
      }
    }
  }
  const rest = nextWire()
  if (rest)
    return { diff: `psql sent more than the lexer expects: ${describeActual(rest)}`, compared }
  if (out !== run.stdout.length)
    return {
      diff: `stdout has more than the lexer expects: ${show(run.stdout.subarray(out, out + 200))}`,
      compared
    }
  return { compared }
}

function describeActual(a: WireEntry): string {
  if (a.type === 'query' || a.type === 'parse')
    return `${a.type} ${JSON.stringify(a.sql.toString('latin1'))}`
  if (a.type === 'copyData')
    return `COPY data ${JSON.stringify(a.data.toString('latin1').slice(0, 200))}`
  if (a.type === 'connect') return `a new connection (database ${a.database})`
  return a.type
}
