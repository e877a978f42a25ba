/**
 * process.ts, the one way the engine runs a program, against real programs (sh, cat, head,
 * sleep): what its environment holds, the rule for a child that stops reading, the stderr tail
 * in the error, and stopping every child with what it started.
 */
import { describe, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { Readable, Transform } from 'node:stream'
import {
  ChildProcessError,
  STDERR_TAIL,
  checkedOutput,
  childEnvironment,
  findProgram,
  liveChildren,
  runChild,
  startChild,
  stopAllChildren
} from '../../src/process.js'

/** `count` chunks of 64 KiB, then the end. */
function bytes(count: number): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < count; i++) yield Buffer.alloc(64 * 1024, 'x')
    })()
  )
}

/** Running (a zombie waiting for its parent to reap it is not). */
const alive = (pid: number): boolean => {
  try {
    return !/^\d+ \(.*\) [ZX]/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return false
  }
}

describe('childEnvironment', () => {
  it('passes the allow-list and what the caller adds, nothing else', () => {
    const env = childEnvironment(
      { PGPASSWORD: 'given' },
      {
        base: {
          PATH: '/usr/bin',
          HOME: '/home/runner',
          LC_ALL: 'C.UTF-8',
          'INPUT_DATABASE-URL': 'postgresql://u:secret@h/d',
          ACTIONS_RUNTIME_TOKEN: 'token',
          PGHOST: 'inherited',
          AWS_SECRET_ACCESS_KEY: 'key',
          RUNNER_TRACKING_ID: 'github_5f0c'
        }
      }
    )
    expect(env).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/runner',
      LC_ALL: 'C.UTF-8',
      PGPASSWORD: 'given',
      // the runner finds the job's leftover processes by it
      RUNNER_TRACKING_ID: 'github_5f0c'
    })
  })

  it('is what a child sees', async () => {
    const env = childEnvironment({ EXTRA: 'yes' }, { base: { ...process.env, SECRET: 's' } })
    const seen = await runChild('sh', ['-c', 'echo "${EXTRA}:${SECRET}"'], { env })
    expect(seen).toBe('yes:\n')
  })
})

describe('startChild', () => {
  it('keeps the error lines a long echo after them pushed out of the stderr tail (psql --echo-errors of a large DO block)', async () => {
    const child = startChild('sh', [
      '-c',
      'echo "psql:<stdin>:9: ERROR:  restore net: objects of the target changed: x" >&2; echo "CONTEXT:  PL/pgSQL function inline_code_block line 2 at RAISE" >&2; head -c 200000 /dev/zero | tr "\\0" "y" >&2; echo >&2; exit 3'
    ])
    const error = (await child.done.catch((e: unknown) => e)) as ChildProcessError
    expect(error).toBeInstanceOf(ChildProcessError)
    expect(error.stderr).toMatch(
      /^psql:<stdin>:9: ERROR: {2}restore net: objects of the target changed: x\nCONTEXT: {2}PL\/pgSQL function inline_code_block line 2 at RAISE\n/
    )
    expect(error.stderr.length).toBeLessThan(STDERR_TAIL + 1000)
    expect(child.stderr()).toBe(error.stderr)
  })

  it('takes a child that stops reading by its exit status', async () => {
    // head reads one line and exits 0: the rest of the input meets a closed pipe
    const head = await runChild('head', ['-c', '10'], { stdin: bytes(64) })
    expect(head).toBe('xxxxxxxxxx')
    // sh exits 3 without reading: the error is its exit status, not the broken pipe
    const error = await runChild('sh', ['-c', 'exit 3'], { stdin: bytes(64) }).catch(e => e)
    expect(error).toBeInstanceOf(ChildProcessError)
    expect(error.message).toBe('sh exited with code 3')
  })

  it('with feedToEnd, reads the rest of the feed after a child that stopped reading exits 0, not after one that fails', async () => {
    /** 64 chunks of 64 KiB through a stage that counts what passes it (verify's digest). */
    const counted = (): { feed: Readable; seen: () => number } => {
      let seen = 0
      const feed = bytes(64).pipe(
        new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            seen += chunk.length
            callback(null, chunk)
          }
        })
      )
      return { feed, seen: () => seen }
    }
    const whole = counted()
    const head = startChild('head', ['-c', '10'], { stdin: whole.feed, feedToEnd: true })
    head.stdout.resume()
    await head.done
    expect(whole.seen()).toBe(64 * 64 * 1024)
    // without it, the feed stops where the child stopped reading (the pipe's buffer and a chunk)
    const cut = counted()
    const again = startChild('head', ['-c', '10'], { stdin: cut.feed })
    again.stdout.resume()
    await again.done
    expect(cut.seen()).toBeLessThan(64 * 64 * 1024)
    // a child that stopped reading and failed: its exit status, and the feed stops
    const failing = counted()
    const error = await runChild('sh', ['-c', 'head -c 10 > /dev/null; sleep 0.2; exit 3'], {
      stdin: failing.feed,
      feedToEnd: true
    }).catch((e: Error) => e)
    expect(error).toBeInstanceOf(ChildProcessError)
    expect((error as Error).message).toBe('sh exited with code 3')
    expect(failing.seen()).toBeLessThan(64 * 64 * 1024)
  })

  it('with feedToEnd, a child that stalls near the end gets the whole feed: nothing queued for it is dropped as the feed ends', async () => {
    // the child stops reading while more than the pipe holds is still to come, so the last chunk
    // waits in the stdin socket's queue as the feed ends on this side; it must still reach the
    // child (pg_restore once got "end of file" in the middle of the archive when the queue was
    // dropped with the socket). Chunks below the socket's high-water mark (16 KiB), an odd
    // number of them: the last write is queued and still says "go on", as with Node's zstd
    // decoder's chunks and its last, shorter one
    const chunks = 513
    const small = Readable.from(
      (function* () {
        for (let i = 0; i < chunks; i++) yield Buffer.alloc(8 * 1024, 'x')
      })()
    )
    const count = await runChild(
      'sh',
      ['-c', 'a=$(head -c 3000000 | wc -c); sleep 0.5; b=$(wc -c); echo $((a + b))'],
      { stdin: small, feedToEnd: true }
    )
    expect(Number(count.trim())).toBe(chunks * 8 * 1024)
  })

  it('fails with the feed when the stream feeding it fails, and stops the child', async () => {
    const broken = new Readable({
      read() {
        this.destroy(new Error('the backup is damaged'))
      }
    })
    const child = startChild('cat', [], { stdin: broken })
    child.stdout.resume()
    await expect(child.done).rejects.toThrow('the backup is damaged')
    expect(alive(child.pid!)).toBe(false)
  })

  it('keeps the tail of stderr for the error, and gives it line by line', async () => {
    const lines: string[] = []
    const script = `i=0; while [ $i -lt 3000 ]; do echo "line $i of the log" >&2; i=$((i+1)); done; exit 7`
    const error = await runChild('sh', ['-c', script], {
      onStderrLine: line => lines.push(line)
    }).catch(e => e)
    expect(lines).toHaveLength(3000)
    expect(lines[2999]).toBe('line 2999 of the log')
    expect(error).toMatchObject({ program: 'sh', code: 7, signal: null })
    expect(error.stderr.length).toBeLessThanOrEqual(STDERR_TAIL)
    expect(error.stderr).toMatch(/line 2999 of the log\n$/)
    expect(error.message).toMatch(/^sh exited with code 7: .*line 2999 of the log$/s)
  })

  it('says when a program cannot be started', async () => {
    const error = await runChild('/nonexistent/pg_dump', ['--version']).catch(e => e)
    expect(error).toBeInstanceOf(ChildProcessError)
    expect(error.message).toMatch(/^could not run \/nonexistent\/pg_dump: .*ENOENT/)
  })

  it('gives an output that ends only once the child exited 0', async () => {
    const ok = checkedOutput(startChild('sh', ['-c', 'echo whole']))
    expect(Buffer.concat(await ok.toArray()).toString()).toBe('whole\n')
    const failed = checkedOutput(startChild('sh', ['-c', 'echo partial; exit 2']))
    await expect(failed.toArray()).rejects.toThrow('sh exited with code 2')
  })

  it('is done once killed by a signal, with its output still unread', async () => {
    // a backup once waited forever here: zstd was killed after pg_dump failed, while its output
    // waited for the upload to read it; its stdout never ended, so it never counted as exited
    const child = startChild('head', ['-c', '4000000', '/dev/zero'])
    const output = checkedOutput(child)
    // nobody reads: the output and the child's stdout fill up to their limits
    await new Promise(resolve => setTimeout(resolve, 300))
    output.on('error', () => undefined)
    child.kill('SIGKILL')
    const settled = await Promise.race([
      child.done.then(
        () => 'resolved',
        (error: Error) => error.message
      ),
      new Promise(resolve => setTimeout(() => resolve('still waiting after 5 s'), 5000))
    ])
    expect(settled).toMatch(/^head was killed by SIG(KILL|TERM)/)

    // exited 0 by itself, its last bytes in the pipe, then its output given up (destroyed)
    const exited = startChild('head', ['-c', '150000', '/dev/zero'])
    const given = checkedOutput(exited).on('error', () => undefined)
    await new Promise(resolve => setTimeout(resolve, 300))
    given.destroy(new Error('the backup failed elsewhere'))
    const settledToo = await Promise.race([
      exited.done.then(() => 'resolved'),
      new Promise(resolve => setTimeout(() => resolve('still waiting after 5 s'), 5000))
    ])
    expect(settledToo).toBe('resolved')
  })
})

describe('stopAllChildren', () => {
  it('stops every child and the processes it started (its process group)', async () => {
    // a shell that starts a worker of its own, as pg_dump --jobs does
    const child = startChild('sh', ['-c', 'sleep 60 & echo $!; wait'])
    const worker = Number(
      await new Promise<string>(resolve => child.stdout.once('data', d => resolve(String(d))))
    )
    expect(liveChildren()).toBeGreaterThanOrEqual(1)
    expect(alive(worker)).toBe(true)
    const started = Date.now()
    await stopAllChildren(1000)
    await expect(child.done).rejects.toMatchObject({ signal: 'SIGTERM' })
    // a worker left running would hold the shell's pipes open until it ends (60 s)
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(liveChildren()).toBe(0)
    // the worker got the signal too (it may take a moment to be reaped by init)
    for (let i = 0; i < 50 && alive(worker); i++) await new Promise(r => setTimeout(r, 20))
    expect(alive(worker)).toBe(false)
  })

  it('kills what ignores SIGTERM after the grace period', async () => {
    const child = startChild('sh', ['-c', "trap '' TERM; echo ready; while :; do sleep 1; done"])
    await new Promise(resolve => child.stdout.once('data', resolve))
    const started = Date.now()
    await stopAllChildren(300)
    expect(Date.now() - started).toBeGreaterThanOrEqual(250)
    await expect(child.done).rejects.toMatchObject({ signal: 'SIGKILL' })
  })
})

describe('a child whose parent died without stopping it (SIGKILL: attacker a41 F4)', () => {
  it.each([
    ['by its path', '/bin/sleep'],
    ['by a name found on PATH', 'sleep'],
    // pg-bin-dir: pgb (attacker a44 F1: findProgram looked for it on the PATH, found nothing)
    ['by a path relative to the working directory', 'bin/sleep']
  ] as const)(
    'a program started %s ends with it (SIGTERM from the kernel: setpriv --pdeathsig)',
    async (_what, program) => {
      const dir = mkdtempSync(path.join(tmpdir(), 'process-test-'))
      const script = path.join(dir, 'parent.mts')
      const processTs = path.resolve('src/process.ts')
      writeFileSync(
        script,
        `import { startChild } from ${JSON.stringify(processTs)}
const child = startChild(${JSON.stringify(program)}, ['60'])
console.log(child.pid)
setInterval(() => undefined, 1000)
`
      )
      symlinkSync('/bin', path.join(dir, 'bin'))
      const parent = spawn(
        process.execPath,
        [
          '--import',
          pathToFileURL(path.resolve('node_modules/tsx/dist/esm/index.mjs')).href,
          script
        ],
        { stdio: ['ignore', 'pipe', 'inherit'], cwd: dir }
      )
      const pid = Number(
        await new Promise<string>(resolve => parent.stdout.once('data', d => resolve(String(d))))
      )
      try {
        expect(alive(pid)).toBe(true)
        parent.kill('SIGKILL')
        await new Promise(resolve => parent.once('close', resolve))
        for (let i = 0; i < 100 && alive(pid); i++) await new Promise(r => setTimeout(r, 20))
        expect(alive(pid)).toBe(false)
      } finally {
        try {
          process.kill(pid, 'SIGKILL')
        } catch {
          // gone
        }
        rmSync(dir, { recursive: true, force: true })
      }
    },
    30_000
  )
})

describe('findProgram', () => {
  it('looks on the PATH of the environment given', () => {
    expect(findProgram('sh')).toMatch(/\/sh$/)
    expect(findProgram('sh', { PATH: '/nonexistent' })).toBeUndefined()
    expect(findProgram('/bin/sh', { PATH: '' })).toBe('/bin/sh')
  })

  it('takes an empty PATH entry for the working directory, as spawn does, and no directory for a program (re-attack a45)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'find-program-'))
    const cwd = process.cwd()
    try {
      symlinkSync('/bin/sleep', path.join(dir, 'nap'))
      mkdirSync(path.join(dir, 'pg_dump'))
      process.chdir(dir)
      for (const PATH of [':/nonexistent', '/nonexistent:', '/nonexistent::/x'])
        expect(findProgram('nap', { PATH })).toBe(path.join(dir, 'nap'))
      expect(findProgram('nap', { PATH: '/nonexistent' })).toBeUndefined()
      // a folder named like the program is not it (spawn would fail with EACCES, named so)
      expect(findProgram('pg_dump', { PATH: dir })).toBeUndefined()
      expect(findProgram('./pg_dump')).toBeUndefined()
    } finally {
      process.chdir(cwd)
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
