/**
 * The action's own connection (node-postgres, session.ts connect) against real psql 15 and 18
 * with the same URL, on a loopback PostgreSQL with TLS (a CA made here with openssl) and pg_hba
 * methods password, md5 and scram-sha-256: for every sslmode × channel_binding × method ×
 * certificate case, the action must not connect where psql refuses, must use TLS where psql does,
 * and must never let the server authenticate a password method psql did not (the server log's
 * "connection authenticated … method=…" and "connection authorized … SSL enabled" lines).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawn, spawnSync } from 'node:child_process'
import {
  chmodSync,
  chownSync,
  copyFileSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { type TestServer, quoteLiteral, startPostgres } from '../../dev/postgres.js'
import { parseDatabaseUrl } from '../../src/postgres/connection.js'
import { connect } from '../../src/postgres/session.js'
import { provisionedBinDir } from '../support/clients.js'
import { embeddedBinDir } from '../support/embedded.js'

const PSQL: Record<string, string> = {
  '15': '/usr/lib/postgresql/15/bin/psql',
  '18': path.join(provisionedBinDir(18), 'psql')
}
const METHODS = ['password', 'md5', 'scram-sha-256'] as const
const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full']
const CHANNEL_BINDING = ['disable', 'prefer', 'require']
/** good: host name in the certificate, trusted CA; wrong-name: an IP the certificate does not name; untrusted: another CA. */
const CERTS = ['good', 'wrong-name', 'untrusted'] as const

interface Outcome {
  ok: boolean
  /** What the server log says about the attempt: "ssl", "method=password" … */
  log: string[]
  error?: string
}

let server: TestServer
let dir: string
let logFile: string
const passwords: Record<string, string> = {}

function openssl(args: string[]): void {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`)
}

beforeAll(async () => {
  server = await startPostgres()
  dir = mkdtempSync(path.join(os.tmpdir(), 'conn-sec-'))
  logFile = logOf(server)
  for (const ca of ['ca', 'other-ca']) {
    openssl([
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${ca}`,
      '-keyout',
      `${ca}.key`,
      '-out',
      `${ca}.crt`
    ])
  }
  openssl([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=db.test',
    '-keyout',
    'server.key',
    '-out',
    'server.csr'
  ])
  writeFileSync(path.join(dir, 'san.ext'), 'subjectAltName=DNS:db.test\n')
  openssl([
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    'san.ext',
    '-out',
    'server.crt'
  ])
  // a client certificate for role u_cert (pg_hba method cert)
  openssl([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=u_cert',
    '-keyout',
    'client.key',
    '-out',
    'client.csr'
  ])
  openssl([
    'x509',
    '-req',
    '-in',
    'client.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-out',
    'client.crt'
  ])
  chmodSync(path.join(dir, 'client.key'), 0o600)
  copyFileSync(path.join(dir, 'ca.crt'), path.join(dir, 'root-ca.crt'))
  await configure(server)
}, 120_000)

/** TLS with the test CA's certificate, log_connections, pg_hba by role, the roles. */
async function configure(target: TestServer): Promise<void> {
  const owner = statSync(target.dataDir)
  for (const file of ['server.crt', 'server.key', 'root-ca.crt']) {
    const copy = path.join(target.dataDir, file)
    writeFileSync(copy, readFileSync(path.join(dir, file)), { mode: 0o600 })
    chownSync(copy, owner.uid, owner.gid)
  }
  const hba = [
    'local all all scram-sha-256',
    ...METHODS.map(m => `host all u_${m.replace(/-/g, '_')} 127.0.0.1/32 ${m}`),
    'hostssl all u_cert 127.0.0.1/32 cert',
    'host all all 127.0.0.1/32 scram-sha-256',
    ''
  ].join('\n')
  writeFileSync(path.join(target.dataDir, 'pg_hba.conf'), hba)
  for (const m of METHODS) {
    const role = `u_${m.replace(/-/g, '_')}`
    passwords[role] ??= `Pw-${m}-${Math.random().toString(36).slice(2, 8)}`
    await target.query(
      'postgres',
      `SET password_encryption = ${quoteLiteral(m === 'md5' ? 'md5' : 'scram-sha-256')}; CREATE ROLE ${role} LOGIN PASSWORD ${quoteLiteral(passwords[role])}`
    )
  }
  for (const setting of [
    'ssl = on',
    "ssl_cert_file = 'server.crt'",
    "ssl_key_file = 'server.key'",
    "ssl_ca_file = 'root-ca.crt'",
    'log_connections = on'
  ]) {
    await target.query('postgres', `ALTER SYSTEM SET ${setting}`)
  }
  await target.query('postgres', 'CREATE ROLE u_cert LOGIN')
  await target.query('postgres', 'SELECT pg_reload_conf()')
  await new Promise(resolve => setTimeout(resolve, 500))
}

afterAll(async () => {
  await server?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

function logOf(target: TestServer): string {
  return path.join(path.dirname(target.dataDir), 'server.log')
}

function logSize(): number {
  return statSync(logFile).size
}

/** What the server logged for the attempts since `from`, for `role`. */
function logSince(from: number, role: string): string[] {
  const text = readFileSync(logFile).subarray(from).toString('utf8')
  const facts: string[] = []
  for (const line of text.split('\n')) {
    if (!line.includes(role) && !/connection authenticated/.test(line)) continue
    const method = /connection authenticated: .*method=([\w-]+)/.exec(line)
    if (method && line.includes(`identity="${role}"`)) facts.push(`method=${method[1]}`)
    if (/connection authorized: user=/.test(line) && line.includes(`user=${role}`)) {
      facts.push(/SSL enabled/.test(line) ? 'authorized ssl' : 'authorized plain')
    }
  }
  return facts.sort()
}

function urlFor(
  role: string,
  sslmode: string,
  channelBinding: string,
  cert: (typeof CERTS)[number]
): string {
  const host = cert === 'wrong-name' ? '127.0.0.1' : 'db.test'
  const params = new URLSearchParams({
    sslmode,
    channel_binding: channelBinding,
    sslrootcert: path.join(dir, cert === 'untrusted' ? 'other-ca.crt' : 'ca.crt'),
    connect_timeout: '5'
  })
  if (host === 'db.test') params.set('hostaddr', '127.0.0.1')
  return `postgresql://${role}:${encodeURIComponent(passwords[role])}@${host}:${server.port}/postgres?${params}`
}

function runPsql(psql: string, url: string): Promise<{ ok: boolean; error: string }> {
  return new Promise(resolve => {
    const child = spawn(psql, ['-X', '-w', '-At', '-c', 'SELECT 1', url], {
      env: { PATH: process.env.PATH, HOME: dir, LANG: 'C' },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let err = ''
    child.stderr.on('data', d => (err += d))
    child.on('close', code => resolve({ ok: code === 0, error: err.trim() }))
  })
}

async function settle(): Promise<void> {
  // the server writes its log lines asynchronously to the attempt's end
  await new Promise(resolve => setTimeout(resolve, 60))
}

async function viaPsql(major: string, url: string, role: string): Promise<Outcome> {
  const from = logSize()
  const r = await runPsql(PSQL[major], url)
  await settle()
  return { ok: r.ok, error: r.error, log: logSince(from, role) }
}

async function viaAction(url: string, role: string): Promise<Outcome> {
  const from = logSize()
  let ok = false
  let error: string | undefined
  try {
    const client = await connect(parseDatabaseUrl(url), 5)
    await client.query('SELECT 1')
    await client.end()
    ok = true
  } catch (e) {
    error = (e as Error).message
  }
  await settle()
  return { ok, error, log: logSince(from, role) }
}

describe("the action's connection is never weaker than psql's with the same URL", () => {
  const cases = METHODS.flatMap(method =>
    SSL_MODES.flatMap(sslmode =>
      CHANNEL_BINDING.flatMap(cb => CERTS.map(cert => ({ method, sslmode, cb, cert })))
    )
  )

  it(`agrees with psql 15 and 18 in ${cases.length} cases (sslmode × channel_binding × method × certificate)`, async () => {
    const unsafe: string[] = []
    const different: string[] = []
    const table: string[] = []
    for (const { method, sslmode, cb, cert } of cases) {
      const role = `u_${method.replace(/-/g, '_')}`
      const url = urlFor(role, sslmode, cb, cert)
      const action = await viaAction(url, role)
      const psql = { '15': await viaPsql('15', url, role), '18': await viaPsql('18', url, role) }
      const name = `${method} sslmode=${sslmode} channel_binding=${cb} cert=${cert}`
      table.push(
        `${name}: action ${action.ok ? 'ok' : 'refused'} [${action.log}] psql15 ${psql['15'].ok ? 'ok' : 'refused'} [${psql['15'].log}] psql18 ${psql['18'].ok ? 'ok' : 'refused'} [${psql['18'].log}]`
      )
      for (const major of ['15', '18'] as const) {
        const p = psql[major]
        // never connects where psql refuses, never lets the server see a method psql did not
        if (action.ok && !p.ok)
          unsafe.push(`${name}: psql ${major} refused (${p.error}), the action connected`)
        for (const fact of action.log) {
          if (fact.startsWith('method=') && !p.log.includes(fact)) {
            unsafe.push(`${name}: the action authenticated with ${fact}, psql ${major} did not`)
          }
        }
        if (action.ok && p.ok && action.log.join() !== p.log.join()) {
          // both connected: in the same way (TLS or not, the same method)
          different.push(`${name}: action [${action.log}] psql ${major} [${p.log}]`)
        }
        if (!action.ok && p.ok)
          different.push(`${name}: the action refused (${action.error}), psql ${major} connected`)
      }
    }
    expect(unsafe).toEqual([])
    expect(different).toEqual([])
    // the matrix holds the cases that matter: channel_binding=require never lets a cleartext
    // or MD5 password through, verify-full checks the name, verify-ca does not
    const row = (n: string): string => table.find(t => t.startsWith(`${n}:`)) ?? n
    expect(row('password sslmode=require channel_binding=require cert=good')).toMatch(
      /^[^[]*action refused \[\]/
    )
    expect(row('md5 sslmode=verify-full channel_binding=require cert=good')).toMatch(
      /^[^[]*action refused \[\]/
    )
    expect(row('scram-sha-256 sslmode=verify-full channel_binding=require cert=good')).toMatch(
      /action ok \[authorized ssl,method=scram-sha-256\]/
    )
    expect(row('password sslmode=verify-ca channel_binding=prefer cert=wrong-name')).toMatch(
      /action ok \[authorized ssl/
    )
    expect(row('password sslmode=verify-full channel_binding=prefer cert=wrong-name')).toMatch(
      /action refused \[\]/
    )
    expect(row('password sslmode=verify-ca channel_binding=prefer cert=untrusted')).toMatch(
      /action refused \[\]/
    )
    expect(row('password sslmode=prefer channel_binding=prefer cert=untrusted')).toMatch(
      /action ok \[authorized plain/
    )
  }, 600_000)

  it('agrees with psql 18 on require_auth, sslrootcert=system, sslnegotiation, several hosts, target_session_attrs, client certificates (sslcert, sslkey, sslcertmode)', async () => {
    const base = (role: string, host = `db.test:${server.port}`): string =>
      `postgresql://${role}:${encodeURIComponent(passwords[role])}@${host}/postgres`
    const ca = encodeURIComponent(path.join(dir, 'ca.crt'))
    const tls = `hostaddr=127.0.0.1&sslrootcert=${ca}&connect_timeout=5`
    const closed = await freePortNumber()
    const local = (role: string): string => base(role, `127.0.0.1:${server.port}`)
    const cases: Array<[string, string]> = [
      ['u_password', `${base('u_password')}?${tls}&sslmode=require&require_auth=scram-sha-256`],
      ['u_password', `${base('u_password')}?${tls}&sslmode=require&require_auth=!password`],
      ['u_password', `${base('u_password')}?${tls}&sslmode=require&require_auth=password`],
      ['u_md5', `${base('u_md5')}?${tls}&sslmode=verify-full&require_auth=scram-sha-256,password`],
      ['u_md5', `${base('u_md5')}?${tls}&sslmode=verify-full&require_auth=md5`],
      [
        'u_scram_sha_256',
        `${base('u_scram_sha_256')}?${tls}&sslmode=verify-full&require_auth=scram-sha-256`
      ],
      [
        'u_scram_sha_256',
        `${base('u_scram_sha_256')}?${tls}&sslmode=verify-full&require_auth=!scram-sha-256`
      ],
      [
        'u_scram_sha_256',
        `${base('u_scram_sha_256')}?hostaddr=127.0.0.1&sslrootcert=system&connect_timeout=5`
      ],
      [
        'u_scram_sha_256',
        `${base('u_scram_sha_256')}?${tls}&sslmode=require&sslnegotiation=direct`
      ],
      [
        'u_scram_sha_256',
        `${base('u_scram_sha_256', `127.0.0.1:${closed},127.0.0.1:${server.port}`)}?sslmode=require&connect_timeout=5`
      ],
      [
        'u_scram_sha_256',
        `${local('u_scram_sha_256')}?target_session_attrs=standby&connect_timeout=5`
      ],
      [
        'u_scram_sha_256',
        `${local('u_scram_sha_256')}?target_session_attrs=read-write&connect_timeout=5`
      ],
      [
        'u_scram_sha_256',
        `${local('u_scram_sha_256')}?target_session_attrs=prefer-standby&connect_timeout=5`
      ]
    ]
    const cert = `sslcert=${encodeURIComponent(path.join(dir, 'client.crt'))}&sslkey=${encodeURIComponent(path.join(dir, 'client.key'))}`
    const certUser = `postgresql://u_cert@db.test:${server.port}/postgres?${tls}`
    cases.push(
      ['u_cert', `${certUser}&sslmode=require&${cert}`],
      ['u_cert', `${certUser}&sslmode=verify-full&${cert}`],
      ['u_cert', `${certUser}&sslmode=require`],
      ['u_cert', `${certUser}&sslmode=require&sslcertmode=disable&${cert}`]
    )
    const differences: string[] = []
    const seen: string[] = []
    for (const [role, url] of cases) {
      const action = await viaAction(url, role)
      const psql = await viaPsql('18', url, role)
      const name = url.replace(/\/\/[^@]*@/, '//…@')
      seen.push(`${name}: ${action.ok ? 'ok' : 'refused'}`)
      if (action.ok !== psql.ok || action.log.join() !== psql.log.join()) {
        differences.push(
          `${name}: action ${action.ok} [${action.log}] ${action.error ?? ''} / psql 18 ${psql.ok} [${psql.log}] ${psql.error}`
        )
      }
    }
    expect(differences).toEqual([])
    expect(seen.filter(s => s.endsWith(': ok'))).toHaveLength(8)
  }, 300_000)
})

describe('a certificate for another name, sslmode=verify-full', () => {
  it("names the certificate's names, as psql does (u11 F4: Node's message listed none)", async () => {
    const role = 'u_scram_sha_256'
    const url = urlFor(role, 'verify-full', 'prefer', 'wrong-name')
    const action = await viaAction(url, role)
    expect(action.ok).toBe(false)
    expect(action.error).toMatch(
      /TLS failed: the server's certificate is for 'db\.test', not '127\.0\.0\.1', the host name sslmode=verify-full checks it against\. Put the certificate's name in the URL as the host \(with hostaddr=<its IP address>/
    )
    const psql = await runPsql(path.join(server.binDir, 'psql'), url)
    expect(psql.ok).toBe(false)
    expect(psql.error).toMatch(
      /server certificate for "db\.test".* does not match host name "127\.0\.0\.1"/
    )
  })
})

describe('direct TLS (sslnegotiation=direct) on a PostgreSQL 18 server', () => {
  it('agrees with psql 18', async () => {
    const first = { server, logFile }
    const v18 = await startPostgres({ binDir: embeddedBinDir(18) })
    try {
      await configure(v18)
      server = v18
      logFile = logOf(v18)
      const role = 'u_scram_sha_256'
      const base = `postgresql://${role}:${encodeURIComponent(passwords[role])}`
      const ca = `sslrootcert=${encodeURIComponent(path.join(dir, 'ca.crt'))}&connect_timeout=5`
      const named = `${base}@db.test:${v18.port}/postgres?hostaddr=127.0.0.1&${ca}`
      const byIp = `${base}@127.0.0.1:${v18.port}/postgres?${ca}`
      const cases = [
        `${named}&sslmode=require&sslnegotiation=direct`,
        `${named}&sslmode=verify-full&sslnegotiation=direct&channel_binding=require`,
        `${byIp}&sslmode=verify-full&sslnegotiation=direct`,
        `${byIp}&sslmode=verify-ca&sslnegotiation=direct`,
        `${named}&sslmode=verify-full&sslnegotiation=postgres`
      ]
      const differences: string[] = []
      const seen: string[] = []
      for (const url of cases) {
        const action = await viaAction(url, role)
        const psql = await viaPsql('18', url, role)
        const name = url.replace(/\/\/[^@]*@/, '//…@')
        seen.push(`${action.ok ? 'ok' : 'refused'} [${action.log}]`)
        if (action.ok !== psql.ok || action.log.join() !== psql.log.join()) {
          differences.push(
            `${name}: action ${action.ok} [${action.log}] ${action.error ?? ''} / psql 18 ${psql.ok} [${psql.log}] ${psql.error}`
          )
        }
      }
      expect(differences).toEqual([])
      expect(seen).toEqual([
        'ok [authorized ssl,method=scram-sha-256]',
        'ok [authorized ssl,method=scram-sha-256]',
        'refused []',
        'ok [authorized ssl,method=scram-sha-256]',
        'ok [authorized ssl,method=scram-sha-256]'
      ])
    } finally {
      ;({ server, logFile } = first)
      await v18.stop()
    }
  }, 300_000)
})

function freePortNumber(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo
      srv.close(() => resolve(port))
    })
    srv.on('error', reject)
  })
}

describe("the URL's connect_timeout bounds the action's own connections, as libpq's for pg_dump by hand", () => {
  it('a host that never answers: ?connect_timeout=2 gives up in about 2 s, not the input’s 10 (attacker a94 F3)', async () => {
    // accepts the TCP connection and never says a word, as a stalled server or a proxy
    const silent = net.createServer(() => undefined)
    await new Promise<void>(resolve => silent.listen(0, '127.0.0.1', resolve))
    const { port } = silent.address() as net.AddressInfo
    try {
      const started = Date.now()
      const error = await connect(
        parseDatabaseUrl(`postgresql://u:p@127.0.0.1:${port}/db?sslmode=disable&connect_timeout=2`),
        10
      ).then(
        () => undefined,
        (e: unknown) => e as Error
      )
      const took = Date.now() - started
      expect(error?.message).toContain(`no answer from 127.0.0.1:${port} within 2 s`)
      expect(took).toBeLessThan(6_000)
      // without it, the input's bound (here 1 s) stands
      const input = await connect(
        parseDatabaseUrl(`postgresql://u:p@127.0.0.1:${port}/db?sslmode=disable`),
        1
      ).then(
        () => undefined,
        (e: unknown) => e as Error
      )
      expect(input?.message).toContain(`no answer from 127.0.0.1:${port} within 1 s`)
    } finally {
      silent.close()
    }
  }, 60_000)
})
