import { describe, expect, it } from '@jest/globals'
import {
  InputError,
  Inputs,
  defaultDatabaseNotice,
  describeForInputs,
  droppedParametersNotice
} from '../../src/inputs.js'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { ConnectionOptions } from 'node:tls'
import {
  authPolicy,
  connectAttempts,
  databaseUrlSecrets,
  describeConnection,
  libpqEnvironment,
  parseDatabaseUrl,
  passwordFileEntry,
  passwordFromFile,
  pgClientConfig,
  refuseAuthentication,
  tlsOptions
} from '../../src/postgres/connection.js'

describe('parseDatabaseUrl', () => {
  it('decodes a percent-encoded user, password and database', () => {
    const url = 'postgresql://us%40er:p%40ss%3Aw%2Frd%23@db.example.com:6543/my%20db'
    const c = parseDatabaseUrl(url)
    expect(c).toMatchObject({
      host: 'db.example.com',
      port: 6543,
      user: 'us@er',
      password: 'p@ss:w/rd#',
      database: 'my db',
      params: {}
    })
    // the URL, the decoded password and its encoded forms are all masked
    expect(c.secrets).toEqual(expect.arrayContaining([url, 'p@ss:w/rd#', 'p%40ss%3Aw%2Frd%23']))
  })

  it('decodes every percent-escape of the database name', () => {
    expect(parseDatabaseUrl('postgresql://u:p@h/a%3Db%2Fc%23d%20e').database).toBe('a=b/c#d e')
  })

  it('accepts postgres:// and defaults the port', () => {
    const c = parseDatabaseUrl('postgres://u:p@localhost/app')
    expect(c.port).toBe(5432)
    expect(c.database).toBe('app')
  })

  it('keeps libpq parameters such as sslmode and sslrootcert', () => {
    const c = parseDatabaseUrl(
      'postgresql://u:p@h/d?sslmode=verify-full&sslrootcert=/etc/ca.pem&application_name=nightly&connect_timeout=5'
    )
    expect(c.params).toEqual({
      sslmode: 'verify-full',
      sslrootcert: '/etc/ca.pem',
      application_name: 'nightly',
      connect_timeout: '5'
    })
  })

  it('understands Unix socket hosts, encoded or in ?host=', () => {
    expect(parseDatabaseUrl('postgresql://u@%2Fvar%2Frun%2Fpostgresql/app').host).toBe(
      '/var/run/postgresql'
    )
    const c = parseDatabaseUrl('postgresql:///app?host=/tmp/sock&user=me')
    expect(c.host).toBe('/tmp/sock')
    expect(c.user).toBe('me')
    expect(describeConnection(c)).toBe('me@/tmp/sock:5432/app')
  })

  it('?host= replaces the hosts and keeps the ports the URL wrote, as libpq (attacker a26 A1)', () => {
    const hostsOf = (url: string): string[] =>
      parseDatabaseUrl(url).hosts.map(h => `${h.host}:${h.port}`)
    // psql: "connection to server at "localhost", port 55431" — not 5432, another server
    expect(hostsOf('postgresql://app:pw@127.0.0.1:55431/tgt?host=localhost')).toEqual([
      'localhost:55431'
    ])
    expect(hostsOf('postgresql://u@a:6543,b:6544/d?host=x,y')).toEqual(['x:6543', 'y:6544'])
    // psql: 127.0.0.1 port 5432, then 127.0.0.2 port 6544
    expect(hostsOf('postgresql://u@a,b:6544/d?host=127.0.0.1,127.0.0.2')).toEqual([
      '127.0.0.1:5432',
      '127.0.0.2:6544'
    ])
    expect(hostsOf('postgresql://u@a/d?host=x')).toEqual(['x:5432'])
    expect(hostsOf('postgresql://u@a:6543/d?host=x&port=7000')).toEqual(['x:7000'])
    expect(() => parseDatabaseUrl('postgresql://u@a:6543,b:6544/d?host=x')).toThrow(
      /has 2 ports for 1 hosts/
    )
  })

  it('reads the connection service file as libpq does: the string first, then the service, then the environment', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pg-service-'))
    const user = path.join(dir, 'user.conf')
    writeFileSync(
      user,
      [
        '# a comment',
        '[other]',
        'host=wrong.example',
        '[prod] ignored after the bracket',
        'host=db.example.com',
        'port=6543',
        'dbname=shop',
        'user=svc_user',
        'password=S3rvice-pw',
        'sslmode=verify-full',
        '',
        '[stage]',
        'host=stage.example.com'
      ].join('\n')
    )
    const system = path.join(dir, 'sys')
    mkdirSync(system)
    writeFileSync(path.join(system, 'pg_service.conf'), '[sys]\nhost=sys.example.com\nport=7000\n')
    const env = { PGSERVICEFILE: user, PGSYSCONFDIR: system, PGSSLMODE: 'disable' }
    const c = parseDatabaseUrl('postgresql:///?service=prod', env)
    expect(c.hosts).toEqual([{ host: 'db.example.com', port: 6543 }])
    expect(c.database).toBe('shop')
    expect(c.user).toBe('svc_user')
    expect(c.password).toBe('S3rvice-pw')
    expect(c.secrets).toContain('S3rvice-pw')
    // the service ranks above PGSSLMODE; its name is not passed on (children get it expanded)
    expect(c.params).toEqual({ sslmode: 'verify-full' })
    expect(libpqEnvironment(c).PGSERVICE).toBeUndefined()
    expect(libpqEnvironment(c).PGHOST).toBe('db.example.com')
    // what the string gives wins over the service
    const mine = parseDatabaseUrl('postgresql://me:pw@mine.example/app?service=prod&port=5433', env)
    expect(mine.hosts).toEqual([{ host: 'mine.example', port: 5433 }])
    expect([mine.user, mine.password, mine.database]).toEqual(['me', 'pw', 'app'])
    expect(mine.params.sslmode).toBe('verify-full')
    const kv = parseDatabaseUrl('service=prod dbname=other', env)
    expect([kv.host, kv.database]).toEqual(['db.example.com', 'other'])
    // PGSERVICE, and the system file when the user's does not define the service
    expect(parseDatabaseUrl('postgresql:///app', { ...env, PGSERVICE: 'stage' }).host).toBe(
      'stage.example.com'
    )
    expect(parseDatabaseUrl('postgresql:///app?service=sys', env).hosts).toEqual([
      { host: 'sys.example.com', port: 7000 }
    ])
    expect(() => parseDatabaseUrl('postgresql:///app?service=nope', env)).toThrow(
      /names the connection service 'nope', which neither .*user\.conf nor .*pg_service\.conf defines/
    )
    writeFileSync(user, '[bad]\nhost=h\nthis line has no equals S3cret\n[nested]\nservice=prod\n')
    const bad = (() => {
      try {
        parseDatabaseUrl('postgresql:///app?service=bad', env)
      } catch (error) {
        return (error as Error).message
      }
      return ''
    })()
    expect(bad).toMatch(/user\.conf, line 3, is no keyword=value line/)
    expect(bad).not.toContain('S3cret')
    expect(() => parseDatabaseUrl('postgresql:///app?service=nested', env)).toThrow(
      /names another service/
    )
  })

  it('service files as libpq reads them: the first value of a keyword, a line ending at a NUL, CRLF, an empty HOME, an empty service name (attacker a28)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pg-service-'))
    const file = path.join(dir, 'svc.conf')
    writeFileSync(
      file,
      '[dup]\r\nhost=127.0.0.1\r\nport=5491\r\nuser=alice\r\ndbname=alicedb\r\nuser=bob\r\ndbname=bobdb\r\n' +
        '[nul]\nhost=h\nuser=bob\npassword=Sup3rSecretPw\0tail\n' +
        '[empty]\nhost=h\nuser=\n'
    )
    const env = { PGSERVICEFILE: file, PGSYSCONFDIR: dir }
    const dup = parseDatabaseUrl('service=dup', env)
    // psql: 5491|alice|alicedb
    expect([dup.hosts, dup.user, dup.database]).toEqual([
      [{ host: '127.0.0.1', port: 5491 }],
      'alice',
      'alicedb'
    ])
    expect(parseDatabaseUrl('service=nul', env).password).toBe('Sup3rSecretPw')
    // user= given empty: the OS user, not PGUSER (psql: root, not alice)
    const me = os.userInfo().username
    expect(parseDatabaseUrl('service=empty', { ...env, PGUSER: 'alice' }).user).toBe(me)
    expect(parseDatabaseUrl("host=h user='' dbname=d", { PGUSER: 'alice' }).user).toBe(me)
    expect(parseDatabaseUrl("host=h user=bob dbname=''", { PGDATABASE: 'alicedb' }).database).toBe(
      'bob'
    )
    // an empty HOME is the passwd entry's home, never the working directory
    const cwd = process.cwd()
    const ws = mkdtempSync(path.join(os.tmpdir(), 'pg-ws-'))
    writeFileSync(path.join(ws, '.pg_service.conf'), '[prod]\nhost=evil.example\n')
    process.chdir(ws)
    try {
      expect(() =>
        parseDatabaseUrl('postgresql://u@/db?service=prod', { HOME: '', PGSYSCONFDIR: dir })
      ).toThrow(/names the connection service 'prod', which neither/)
    } finally {
      process.chdir(cwd)
    }
    // PGSERVICE set empty: libpq looks for "[]"
    expect(() =>
      parseDatabaseUrl('postgresql://u@h/db', {
        PGSERVICE: '',
        PGSERVICEFILE: file,
        PGSYSCONFDIR: dir
      })
    ).toThrow(/names the connection service '', which neither/)
    // a NUL elsewhere is refused without its value
    expect(() => parseDatabaseUrl("host=h user=u password='pw\0x' dbname=d", {})).toThrow(
      /NUL character in password \(its value is not shown/
    )
  })

  it('a URL without a user or database: PGUSER / PGDATABASE, else the OS user, as libpq — for this process and pg_dump alike (attacker a27 A4)', () => {
    const withEnv = parseDatabaseUrl('postgresql://127.0.0.1:55427', {
      PGUSER: 'other',
      PGDATABASE: 'db2'
    })
    expect([withEnv.user, withEnv.database]).toEqual(['other', 'db2'])
    expect(withEnv.fromEnvironment).toEqual(['PGUSER', 'PGDATABASE'])
    expect(libpqEnvironment(withEnv)).toMatchObject({ PGUSER: 'other', PGDATABASE: 'db2' })
    const bare = parseDatabaseUrl('postgresql://127.0.0.1:55427', {})
    const me = os.userInfo().username
    expect([bare.user, bare.database, bare.databaseDefaulted]).toEqual([me, me, true])
    expect(libpqEnvironment(bare).PGUSER).toBe(me)
    // the string's own user wins, and names the database
    const given = parseDatabaseUrl('postgresql://app@127.0.0.1', { PGUSER: 'other' })
    expect([given.user, given.database]).toEqual(['app', 'app'])
  })

  it('brackets IPv6 hosts in descriptions', () => {
    expect(describeConnection(parseDatabaseUrl('postgresql://u:p@[::1]:5433/d'))).toBe(
      'u@[::1]:5433/d'
    )
  })

  it.each([
    ['mysql://u:p@h/d', /not a PostgreSQL URL \(scheme 'mysql'\)/],
    ['db.example.com:5432/app', /not a PostgreSQL URL/],
    ['postgresql://u:p@h:abc/d', /invalid port 'abc'/],
    ['postgresql://u:p@h:70000/d', /could not be parsed|invalid port/],
    ['postgresql://u:p@h/d?sslmode=sometimes', /sslmode='sometimes'/],
    ['postgresql://u:p@h/d?frobnicate=1', /does not know: frobnicate\./],
    ['postgresql://u:p@h/d?ssl=yes', /ssl=yes; libpq accepts only ssl=true/],
    ['postgresql://u:p@h/d?sslmode=no-verify', /node-postgres's no-verify is libpq's require/],
    ['postgresql://u:p@h/d?sslrootcert=system&sslmode=require', /only with sslmode=verify-full/],
    ['postgresql://u:p@h/d?sslnegotiation=direct', /sslnegotiation=direct with sslmode=prefer/],
    ['postgresql://u:p@h/d?channel_binding=always', /channel_binding='always'/],
    ['postgresql://u:p@h/d?require_auth=md5,!password', /mixes methods and !methods/],
    ['postgresql://u:p@h/d?require_auth=kerberos', /unknown method 'kerberos'/],
    ['postgresql://u:p@h/d?gssencmode=require', /cannot use GSSAPI/],
    ['postgresql://u:p@a,b/d?hostaddr=127.0.0.1', /1 hostaddr values for 2 hosts/],
    ['postgresql://u:p@h/d?hostaddr=db.internal', /not an IP address/],
    [
      'postgresql://u:p@/d?hostaddr=10.0.0.5&sslmode=verify-full',
      /hostaddr without host, and sslmode=verify-full.*Add host=<the name on its certificate>/
    ],
    ['postgresql://u:p@h/d?sslpassword=x', /cannot be passed on to pg_dump.*sslpassword/]
  ])('rejects %s with a message naming database-url', (url, message) => {
    let error: unknown
    try {
      parseDatabaseUrl(url)
    } catch (e) {
      error = describeForInputs(e)
    }
    expect(error).toBeInstanceOf(InputError)
    expect((error as Error).message).toMatch(/^Input 'database-url': /)
    expect((error as Error).message).toMatch(message)
    expect((error as Error).message).not.toContain(':p@')
  })
})

describe("libpq's environment for what the URL does not set (u8 F4)", () => {
  it('takes PGSSLMODE, PGSSLROOTCERT, PGPASSWORD and PGPASSFILE as psql does; the URL wins; never where it connects', () => {
    const env = {
      PGSSLMODE: 'verify-full',
      PGSSLROOTCERT: '/etc/ca.pem',
      PGPASSWORD: 'from-env-pw',
      PGPASSFILE: '/tmp/pgpass',
      PGHOST: 'elsewhere.example.com',
      PGDATABASE: 'other'
    }
    const c = parseDatabaseUrl('postgresql://app@db.example.com/shop', env)
    expect({
      host: c.host,
      database: c.database,
      password: c.password,
      params: c.params,
      fromEnvironment: c.fromEnvironment
    }).toEqual({
      host: 'db.example.com',
      database: 'shop',
      password: 'from-env-pw',
      params: { sslmode: 'verify-full', sslrootcert: '/etc/ca.pem', passfile: '/tmp/pgpass' },
      fromEnvironment: ['PGSSLMODE', 'PGSSLROOTCERT', 'PGPASSFILE', 'PGPASSWORD']
    })
    expect(c.secrets).toContain('from-env-pw')
    const own = parseDatabaseUrl('postgresql://app:url-pw@db.example.com/shop?sslmode=require', env)
    expect([own.password, own.params.sslmode]).toEqual(['url-pw', 'require'])
    expect(
      parseDatabaseUrl('postgresql://app@db.example.com/shop', {}).fromEnvironment
    ).toBeUndefined()
    // an environment value is checked as the URL's would be
    expect(() =>
      parseDatabaseUrl('postgresql://app@db.example.com/shop', { PGSSLMODE: 'no-verify' })
    ).toThrow(/sslmode='no-verify'/)
  })
})

describe('URLs as users paste them', () => {
  it('reads what libpq reads: "#", "?" and ":" in a password before the only "@"', () => {
    for (const [url, password] of [
      ['postgresql://app:pa#ss@db.example.com/app', 'pa#ss'],
      ['postgresql://app:pa?ss@db.example.com/app', 'pa?ss'],
      ['postgresql://app:a:b:c@db.example.com/app', 'a:b:c']
    ]) {
      const c = parseDatabaseUrl(url)
      expect(c).toMatchObject({ host: 'db.example.com', user: 'app', password, database: 'app' })
    }
  })

  it('reads several hosts, ssl=true, query overrides and percent-encoded parts', () => {
    const c = parseDatabaseUrl(
      'postgresql://u%40x:p%2Fw@a.example.com:5433,[::1],%2Ftmp%2Fsock:5434/d%2Fb?ssl=true&target_session_attrs=read-write&dbname=other'
    )
    expect(c.hosts).toEqual([
      { host: 'a.example.com', port: 5433 },
      { host: '::1', port: 5432 },
      { host: '/tmp/sock', port: 5434 }
    ])
    expect(c).toMatchObject({ user: 'u@x', password: 'p/w', database: 'other' })
    expect(c.params).toEqual({ sslmode: 'require', target_session_attrs: 'read-write' })
    const env = libpqEnvironment(c, { base: {} })
    expect(env).toMatchObject({ PGHOST: 'a.example.com,::1,/tmp/sock', PGPORT: '5433,5432,5434' })
    expect(parseDatabaseUrl('postgresql://h/d?sslrootcert=system').params.sslmode).toBe(
      'verify-full'
    )
  })

  // a password written as is: libpq would take the host (and print it) from a piece of it
  const unencoded: Array<[string, string]> = [
    ['postgresql://app:Pa@2025#x@db.example.com/db', 'Pa@2025#x'],
    ['postgresql://app:Pa@2025#x@127.0.0.1:5432/db?sslmode=require', 'Pa@2025#x'],
    ['postgresql://app:Qz/9xK7@db.example.com:5432/db', 'Qz/9xK7'],
    ['postgresql://app:Pa@20?25Kz@db.example.com/db', 'Pa@20?25Kz'],
    [
      'postgresql://app:Zx9@Qw#7/Lp?Rt@db.example.com:6543/postgres?pgbouncer=true',
      'Zx9@Qw#7/Lp?Rt'
    ],
    ['postgresql://deploy:hunter2@@db.example.com/app', 'hunter2@'],
    ['postgres://u:1234/5678@h.example.com/db', '1234/5678'],
    ['postgresql://app:sEcr@9tQ@h/db?application_name=a@b', 'sEcr@9tQ']
  ]

  it.each(unencoded)('refuses %s with a percent-encoding message', (url, password) => {
    let error: unknown
    try {
      parseDatabaseUrl(url)
    } catch (e) {
      error = describeForInputs(e)
    }
    expect(error).toBeInstanceOf(InputError)
    const message = (error as Error).message
    expect(message).toMatch(/^Input 'database-url': cannot be read as written/)
    expect(message).toMatch(/@ → %40, # → %23, \/ → %2F/)
    for (const piece of substrings(password, 4)) expect(message).not.toContain(piece)
    // masked before anything is printed: the URL and the password as meant (its pieces between
    // separators are not printed: the refusal above holds none, and nothing runs after it)
    const secrets = databaseUrlSecrets(url)
    const redacted = [url, password]
      .map(text =>
        secrets.sort((a, b) => b.length - a.length).reduce((t, s) => t.split(s).join('***'), text)
      )
      .join(' ')
    for (const piece of substrings(password, 4)) expect(redacted).not.toContain(piece)
  })

  it('masks no one- or two-character fragment of an unencoded password: the error explaining it stays readable', () => {
    const url = 'postgresql://weird:p@ss#w/rd@127.0.0.1:55432/shop'
    const secrets = databaseUrlSecrets(url)
    expect(secrets.filter(s => s.length < 4)).toEqual([])
    expect(secrets).toContain('p@ss#w/rd')
    let message = ''
    try {
      parseDatabaseUrl(url)
    } catch (e) {
      message = (describeForInputs(e) as Error).message
    }
    const redacted = secrets
      .sort((a, b) => b.length - a.length)
      .reduce((t, s) => t.split(s).join('***'), message)
    expect(redacted).toMatch(/^Input 'database-url': cannot be read as written/)
    expect(redacted).toContain('Percent-encode the user name and password')
  })

  it.each([
    // an '@' in the query's first name (…?@host/db?sslmode=require), and a bad percent-escape in
    // what would be the database name: the parsed "password" p is a one-letter fragment
    ['postgresql://postgres.x:p@ss:w/rd#1%x?@host:5432/shop?sslmode=require', 'p@ss:w/rd#1%x?'],
    ['postgresql://u:p@ss:w/rd#1%x?@h.pooler.supabase.com:5432/shop', 'p@ss:w/rd#1%x?'],
    ['postgresql://u:ab#%zz@host/db', 'ab#%zz']
  ])(
    'never masks a fragment shorter than 4 characters of a URL it refuses (%s): ::add-mask::p would mask every "p" of the log',
    (url, password) => {
      const secrets = databaseUrlSecrets(url)
      expect(secrets).toContain(url)
      expect(secrets).toContain(password)
      expect(secrets.filter(s => s.length < 4)).toEqual([])
      expect(() => parseDatabaseUrl(url)).toThrow(/database-url|percent/i)
    }
  )

  it.each([
    ['postgresql://u:ab@host/db', 'ab'],
    ['postgresql://u:p@host/db?sslmode=require', 'p'],
    // refused for another reason than the password: still read as written, still the password
    ['postgresql://u:ab@host/db?sslmode=bogus', 'ab']
  ])('masks a short password read as written (%s): it is the secret itself', (url, password) => {
    expect(databaseUrlSecrets(url)).toContain(password)
  })

  it('names an unencoded @ before a query (?@host/db?sslmode=…) as such', () => {
    expect(() =>
      parseDatabaseUrl('postgresql://postgres.x:p@ss:w/rd#1%x?@host:5432/shop?sslmode=require')
    ).toThrow(/unencoded '@' with a '\?'/)
  })

  it.each([
    ['postgresql://app:pass#word@x@127.0.0.1:9/db', 'pass#word@x'],
    ['postgresql://user:host#dbname/x@127.0.0.1:9/db', 'host#dbname/x']
  ])(
    'masks %s as a whole, not the words of its pieces: the explanation stays whole',
    (url, password) => {
      const secrets = databaseUrlSecrets(url)
      expect(secrets).toContain(password)
      let message = ''
      try {
        parseDatabaseUrl(url)
      } catch (e) {
        message = (describeForInputs(e) as Error).message
      }
      const redacted = secrets
        .sort((a, b) => b.length - a.length)
        .reduce((t, s) => t.split(s).join('***'), message)
      expect(redacted).not.toContain('***')
      expect(redacted).toContain(
        'Percent-encode the user name and password in the URL: @ → %40, # → %23, / → %2F, ? → %3F, : → %3A, % → %25 (postgresql://user:p%40ss%23word@host:5432/dbname;'
      )
      expect(redacted).not.toContain(password)
    }
  )

  it('notes a URL that names no database (libpq then uses the user name), and only then', () => {
    const unnamed = parseDatabaseUrl('postgresql://app:secret-pw@db.example.com:5432')
    expect(unnamed.database).toBe('app')
    expect(defaultDatabaseNotice(Inputs.DatabaseUrl, unnamed)).toMatch(
      /^Input 'database-url' names no database[^]*'app'[^]*\/<database name>/
    )
    for (const named of [
      'postgresql://app:secret-pw@db.example.com:5432/shop',
      'postgresql://app:secret-pw@db.example.com/shop?sslmode=require'
    ]) {
      expect(defaultDatabaseNotice(Inputs.DatabaseUrl, parseDatabaseUrl(named))).toBeUndefined()
    }
  })

  it('drops ORM-only parameters with one notice naming them all, and names every unknown one at once', () => {
    const c = parseDatabaseUrl(
      'postgresql://u:p@h/d?pgbouncer=true&connection_limit=1&schema=public&pool_timeout=10&connect_timeout=15&sslaccept=accept_invalid_certs&socket_timeout=30&sslmode=require'
    )
    expect(c.params).toEqual({ connect_timeout: '15', sslmode: 'require' })
    expect(Object.keys(c.dropped)).toEqual([
      'pgbouncer',
      'connection_limit',
      'schema',
      'pool_timeout',
      'sslaccept',
      'socket_timeout'
    ])
    const notice = droppedParametersNotice(Inputs.DatabaseUrl, c.dropped)
    expect(notice).toMatch(
      /^Input 'database-url': left out pgbouncer, connection_limit, schema, pool_timeout, sslaccept, socket_timeout — parameters/
    )
    expect(notice).toMatch(/set the 'schemas' input \(schemas: public\)/)
    expect(notice).toMatch(/direct URL/)
    expect(droppedParametersNotice(Inputs.DatabaseUrl, {})).toBeUndefined()
    // a backup through pgbouncer=true fails with its own error: no notice that contradicts it
    // (trial u18 F3); pgbouncer=false changes nothing and is said as such
    const backup = droppedParametersNotice(Inputs.DatabaseUrl, c.dropped, 'action', 'backup')
    expect(backup).toMatch(/left out connection_limit, schema,/)
    expect(backup).not.toMatch(/pgbouncer/)
    expect(
      droppedParametersNotice(Inputs.DatabaseUrl, { pgbouncer: 'true' }, 'action', 'backup')
    ).toBeUndefined()
    expect(
      droppedParametersNotice(Inputs.DatabaseUrl, { pgbouncer: 'false' }, 'action', 'backup')
    ).toMatch(/left out pgbouncer — a parameter .* change nothing for pg_dump\.$/)

    let error: unknown
    try {
      parseDatabaseUrl(
        'postgresql://u:p@h/d?frobnicate=1&connection_limit=3&sslaccept=strict&currentSchema=x&zzz=2'
      )
    } catch (e) {
      error = e
    }
    expect((error as Error).message).toMatch(
      /does not know: frobnicate, sslaccept \(sslaccept=strict asks for a checked certificate: use sslmode=verify-full.*\), currentSchema \(.*`schemas` input[^)]*\), zzz\./
    )
  })
})

function substrings(text: string, length: number): string[] {
  const out: string[] = []
  for (let i = 0; i + length <= text.length; i++) out.push(text.slice(i, i + length))
  return out
}

describe('libpqEnvironment', () => {
  const c = parseDatabaseUrl(
    'postgresql://app:s3cr%3Ait@db:5433/prod?sslmode=require&options=-c%20statement_timeout%3D0'
  )

  it('carries the connection in PG* variables and the password only in PGPASSWORD', () => {
    const env = libpqEnvironment(c, {
      base: {
        PATH: '/usr/bin',
        PGSERVICE: 'inherited',
        PGHOST: 'elsewhere',
        'INPUT_DATABASE-URL': 'postgresql://app:s3cr%3Ait@db:5433/prod',
        'INPUT_ENCRYPTION-PASSPHRASE': 'secret passphrase'
      },
      connectTimeoutSeconds: 10
    })
    expect(env).toEqual({
      PATH: '/usr/bin',
      PGHOST: 'db',
      PGPORT: '5433',
      PGDATABASE: 'prod',
      PGUSER: 'app',
      PGPASSWORD: 's3cr:it',
      PGSSLMODE: 'require',
      PGOPTIONS: '-c statement_timeout=0',
      PGCONNECT_TIMEOUT: '10',
      PGAPPNAME: 'postgres-backup-action'
    })
  })

  it('maps sslmode onto the pg driver like libpq does', () => {
    expect(pgClientConfig(c, { connectTimeoutSeconds: 3 })).toMatchObject({
      host: 'db',
      port: 5433,
      ssl: { rejectUnauthorized: false },
      connectionTimeoutMillis: 3000
    })
    const plain = parseDatabaseUrl('postgresql://u:p@h/d?sslmode=disable')
    expect(pgClientConfig(plain, { connectTimeoutSeconds: 3 }).ssl).toBe(false)
  })
})

describe("the action's own connection, as libpq would open it", () => {
  const attempts = (url: string): Array<[string, string | undefined]> =>
    connectAttempts(parseDatabaseUrl(url))[0].map(a => [a.ssl ? 'tls' : 'plain', a.fallBackOn])

  it('tries TLS and clear text in the order sslmode says', () => {
    expect(attempts('postgresql://u:p@h/d?sslmode=disable')).toEqual([['plain', undefined]])
    expect(attempts('postgresql://u:p@h/d?sslmode=allow')).toEqual([
      ['plain', 'server-refused'],
      ['tls', undefined]
    ])
    expect(attempts('postgresql://u:p@h/d')).toEqual([
      ['tls', 'tls-refused-or-failed'],
      ['plain', undefined]
    ])
    expect(attempts('postgresql://u:p@h/d?sslmode=require')).toEqual([['tls', undefined]])
    expect(attempts('postgresql://u@%2Ftmp%2Fsock/d')).toEqual([['plain', undefined]])
    expect(() => attempts('postgresql://u@%2Ftmp%2Fsock/d?sslmode=require')).toThrow(
      /Unix socket .* sslmode=require/
    )
  })

  it('checks the certificate chain for verify-ca, and the host name (not hostaddr) for verify-full only', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'conn-unit-'))
    const ca = path.join(dir, 'ca.pem')
    writeFileSync(ca, 'not read as a certificate here')
    const full = parseDatabaseUrl(
      `postgresql://u:p@db.example.com/d?sslmode=verify-full&sslrootcert=${ca}&hostaddr=10.0.0.5`
    )
    const [attempt] = connectAttempts(full)[0]
    expect(attempt).toMatchObject({ host: '10.0.0.5', name: 'db.example.com' })
    const tls = attempt.ssl as ConnectionOptions
    expect(tls).toMatchObject({ rejectUnauthorized: true, servername: 'db.example.com' })
    expect(tls.ca).toBe('not read as a certificate here')
    const cert = { subject: { CN: 'other.example.com' }, subjectaltname: 'DNS:other.example.com' }
    expect(tls.checkServerIdentity!('10.0.0.5', cert as never)?.message).toMatch(
      /Host: db\.example\.com\. is not in the cert's altnames/
    )
    const ok = { subject: { CN: 'db.example.com' }, subjectaltname: 'DNS:db.example.com' }
    expect(tls.checkServerIdentity!('10.0.0.5', ok as never)).toBeUndefined()
    const verifyCa = tlsOptions(
      parseDatabaseUrl(`postgresql://u:p@h/d?sslmode=verify-ca&sslrootcert=${ca}`),
      'h'
    )
    expect(verifyCa.rejectUnauthorized).toBe(true)
    expect(verifyCa.checkServerIdentity!('h', cert as never)).toBeUndefined()
    // libpq: require with a root certificate checks the chain as verify-ca does
    expect(
      tlsOptions(parseDatabaseUrl(`postgresql://u:p@h/d?sslmode=require&sslrootcert=${ca}`), 'h')
        .rejectUnauthorized
    ).toBe(true)
    expect(() =>
      tlsOptions(parseDatabaseUrl('postgresql://u:p@h/d?sslmode=verify-full'), 'h')
    ).toThrow(/no sslrootcert, and the root certificate file .* does not exist/)
    rmSync(dir, { recursive: true, force: true })
  })

  it('refuses an authentication request the URL does not allow, before the password is sent', () => {
    const policy = (url: string): ReturnType<typeof authPolicy> => authPolicy(parseDatabaseUrl(url))
    const cb = policy('postgresql://u:p@h/d?channel_binding=require')
    expect(refuseAuthentication(cb, 'password', false)).toMatch(
      /cleartext password; the password was not sent/
    )
    expect(refuseAuthentication(cb, 'md5', false)).toMatch(/md5 password/)
    expect(refuseAuthentication(cb, 'scram-sha-256', false)).toMatch(
      /SCRAM without channel binding/
    )
    expect(refuseAuthentication(cb, 'none', false)).toMatch(/without channel binding/)
    expect(refuseAuthentication(cb, 'scram-sha-256', true)).toBeUndefined()
    const scramOnly = policy('postgresql://u:p@h/d?require_auth=scram-sha-256')
    expect(refuseAuthentication(scramOnly, 'password', false)).toMatch(
      /require_auth does not allow/
    )
    expect(refuseAuthentication(scramOnly, 'none', false)).toMatch(/no authentication/)
    expect(refuseAuthentication(scramOnly, 'scram-sha-256', false)).toBeUndefined()
    const notClear = policy('postgresql://u:p@h/d?require_auth=!password,!md5')
    expect(refuseAuthentication(notClear, 'md5', false)).toMatch(/method md5/)
    expect(refuseAuthentication(notClear, 'none', false)).toBeUndefined()
    expect(refuseAuthentication(policy('postgresql://u:p@h/d'), 'password', false)).toBeUndefined()
  })
})

describe("a Unix socket's directory without the server's socket (trial u46)", () => {
  it('names the socket file, the port and the directory, not a bare ENOENT', async () => {
    const { explainConnectError } = await import('../../src/postgres/session.js')
    const socket = parseDatabaseUrl('postgresql://app:pw-long-enough@localhost:55747/r1?host=/tmp/')
    const missing = explainConnectError(
      { code: 'ENOENT', message: 'connect ENOENT /tmp/.s.PGSQL.55747' },
      socket,
      10
    ).message
    expect(missing).toMatch(
      /no server's socket \/tmp\/\.s\.PGSQL\.55747: nothing listens on port 55747 in the directory \/tmp\/?\. Check the port and the socket directory/
    )
    expect(missing).not.toMatch(/connect ENOENT/)
    const refused = explainConnectError(
      { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED /tmp/.s.PGSQL.55747' },
      socket,
      10
    ).message
    expect(refused).toMatch(/nothing accepts connections on the socket \/tmp\/\.s\.PGSQL\.55747\./)
  })
})

describe('a connection error, worded for where it is shown', () => {
  it("the action speaks of GitHub's runners and the secret; the CLI of this machine and DATABASE_URL", async () => {
    const { explainConnectError } = await import('../../src/postgres/session.js')
    const { describeForInputs } = await import('../../src/inputs.js')
    const connection = parseDatabaseUrl('postgresql://app:pw-long-enough@db.example:5432/shop')
    for (const [code, action, terminal] of [
      ['ETIMEDOUT', "admits GitHub's runners", 'admits this machine'],
      ['28P01', 'password in the secret', 'password in the URL'],
      ['EHOSTUNREACH', 'GitHub-hosted runners have no IPv6', "this machine's network route"]
    ]) {
      const error = explainConnectError({ code, message: 'x' }, connection, 10)
      const forAction = (describeForInputs(error) as Error).message
      const forCli = (describeForInputs(error, 'cli') as Error).message
      expect(forAction).toMatch(/^Input 'database-url': could not connect to /)
      expect(forAction).toContain(action)
      expect(forCli).toMatch(/^Environment variable DATABASE_URL: could not connect to /)
      expect(forCli).toContain(terminal)
      expect(forCli).not.toMatch(/GitHub|secret|Input '/)
    }
    // advice in the form the user gave (u9 F2): quoting for keyword/value, not percent-encoding
    const kv = parseDatabaseUrl("host=db.example user=app password='pw long enough' dbname=shop")
    const wrong = explainConnectError({ code: '28P01', message: 'x' }, kv, 10).message
    expect(wrong).toContain("quote a password with spaces or quotes: password='it''s' is wrong")
    expect(wrong).not.toContain('percent-encode')
    const tls = explainConnectError(
      { message: 'self-signed certificate' },
      { ...connection, fromEnvironment: ['PGSSLMODE'] },
      10
    ).message
    expect(tls).toContain('Check sslmode and sslrootcert (taken from PGSSLMODE in the environment)')
    // a server without TLS and sslmode=require: the setting that fits it (trial u33 F3)
    const plainServer = explainConnectError(
      { message: 'The server does not support SSL connections' },
      connection,
      10
    ).message
    expect(plainServer).toContain(
      'This server takes no TLS connections: sslmode=disable (or prefer) connects to it in the clear'
    )
    // a server's error that speaks of a timeout is the server's, not "no answer" (attacker a36 A3)
    const cut = explainConnectError(
      { code: '57014', message: 'canceling statement due to statement timeout' },
      connection,
      10
    ).message
    expect(cut).toContain(
      'the server cancelled a statement: canceling statement due to statement timeout. A statement_timeout'
    )
    expect(cut).not.toContain('no answer')
    const bad = explainConnectError(
      { code: '22023', message: 'invalid value for parameter "statement_timeout": "x"' },
      connection,
      10
    ).message
    expect(bad).toMatch(/: invalid value for parameter "statement_timeout": "x"$/)
    expect(
      explainConnectError(
        { message: 'Connection terminated due to connection timeout' },
        connection,
        10
      ).message
    ).toContain('no answer from db.example:5432 within 10 s')
  })
})

describe("libpq's keyword/value form (host=… dbname=…), as psql and pg_dump read it (a10 #12)", () => {
  const refusal = (text: string): string => {
    try {
      parseDatabaseUrl(text, {})
    } catch (e) {
      return (describeForInputs(e, 'cli') as Error).message
    }
    throw new Error(`accepted: ${text}`)
  }

  it('gives the connection the URL with the same settings gives', () => {
    const kv = parseDatabaseUrl(
      'host=db.example.com port=6543 user=app password=s3cr3t-pw dbname=shop sslmode=require application_name=nightly',
      {}
    )
    const url = parseDatabaseUrl(
      'postgresql://app:s3cr3t-pw@db.example.com:6543/shop?sslmode=require&application_name=nightly',
      {}
    )
    const shape = (c: typeof kv) => ({
      hosts: c.hosts,
      database: c.database,
      user: c.user,
      password: c.password,
      params: c.params,
      dropped: c.dropped
    })
    expect(shape(kv)).toEqual(shape(url))
    expect(kv.keywordValue).toBe(true)
    expect(describeConnection(kv)).toBe('app@db.example.com:6543/shop')
    expect(libpqEnvironment(kv, { base: {} })).toEqual(libpqEnvironment(url, { base: {} }))
    expect(kv.secrets).toEqual(expect.arrayContaining(['s3cr3t-pw']))
  })

  it.each([
    // spaces around '=', tabs and newlines between settings
    ['host = h  port =5433\tuser= u \n dbname = d password = pw', { port: 5433, password: 'pw' }],
    // single quotes: spaces, \' and \\ inside; the written form is masked too
    [
      "host=h user=u dbname='my db' password='a b\\'c\\\\d'",
      { database: 'my db', password: "a b'c\\d" }
    ],
    // a backslash escapes in an unquoted value too; a quote inside an unquoted value is kept
    ["host=h user=u dbname=d password=it\\ s'x", { password: "it s'x" }],
    // an empty value '' (libpq: no password, so the environment's PGPASSWORD is not taken)
    [
      "host=h user=u dbname=d password='' options=''",
      { password: undefined, params: { options: '' } }
    ],
    // a keyword given twice: the last one counts
    ['host=h user=u dbname=a dbname=b', { database: 'b' }],
    // a quoted value may be followed by the next keyword without a space
    ["host='h'user='u'dbname='d'", { host: 'h', user: 'u', database: 'd' }]
  ])('reads %j', (text, expected) => {
    const c = parseDatabaseUrl(text, { PGPASSWORD: 'from-env' })
    expect(c).toMatchObject({ host: 'h', user: 'u', database: 'd', ...expected })
    expect(c.password).toBe('password' in expected ? expected.password : 'from-env')
  })

  it('masks the password as read and as written (quoted, escaped)', () => {
    const text = "host=h user=u dbname=d password='a b\\'c\\\\d-long'"
    const c = parseDatabaseUrl(text, {})
    expect(c.secrets).toEqual(expect.arrayContaining([text, "a b'c\\d-long", "a b\\'c\\\\d-long"]))
    expect(databaseUrlSecrets(text)).toEqual(expect.arrayContaining([text, "a b'c\\d-long"]))
    // and nothing else: the values of the keywords after it are printed as they are
    const secrets = databaseUrlSecrets(`${text} sslmode=disable application_name=nightly`)
    for (const word of ['nightly', 'disable', 'host', 'dbname', 'password']) {
      expect(secrets.filter(s => s.includes(word))).toEqual([
        `${text} sslmode=disable application_name=nightly`
      ])
    }
  })

  it('reads several hosts and ports, as the URL does', () => {
    const c = parseDatabaseUrl(
      'host=a.example.com,b.example.com port=5432,5433 user=u dbname=d target_session_attrs=read-write',
      {}
    )
    expect(c.hosts).toEqual([
      { host: 'a.example.com', port: 5432 },
      { host: 'b.example.com', port: 5433 }
    ])
    expect(libpqEnvironment(c, { base: {} })).toMatchObject({
      PGHOST: 'a.example.com,b.example.com',
      PGPORT: '5432,5433',
      PGTARGETSESSIONATTRS: 'read-write'
    })
    expect(refusal('host=a,b,c port=1,2 dbname=d')).toMatch(/3 ports|2 ports for 3 hosts/)
  })

  it("without dbname uses the user's name, as psql does, and says how to name one", () => {
    const c = parseDatabaseUrl('host=h user=app password=pw-1234', {})
    expect([c.database, c.databaseDefaulted]).toEqual(['app', true])
    expect(defaultDatabaseNotice(Inputs.DatabaseUrl, c)).toMatch(
      /names no database[^]*'app'[^]*add dbname=<database name>\.$/
    )
  })

  it('takes PGSSLMODE and PGPASSWORD from the environment for what it does not set, as psql does', () => {
    const c = parseDatabaseUrl('host=h user=u dbname=d', {
      PGSSLMODE: 'require',
      PGPASSWORD: 'env-pw'
    })
    expect([c.params.sslmode, c.password, c.fromEnvironment]).toEqual([
      'require',
      'env-pw',
      ['PGSSLMODE', 'PGPASSWORD']
    ])
  })

  it.each([
    // libpq: invalid connection option "frobnicate" (all of them named here, once)
    [
      'host=h dbname=d frobnicate=1 zzz=2',
      /does not know: frobnicate, zzz \(psql: invalid connection option\)/
    ],
    // an ORM's parameter is no libpq keyword (only a URL's query drops them)
    ['host=h dbname=d connection_limit=1', /does not know: connection_limit/],
    ['host=h dbname=d ssl=true', /does not know: ssl /],
    ['host=h dbname=d =x', /does not know: '' \(an '=' with no keyword/],
    ['host=h dbname d', /a word without '=': 'dbname' after the value of host\./],
    ['host=h port=abc dbname=d', /invalid port 'abc' \(a number from 1 to 65535\)\.$/],
    ['user=u dbname=d', /has no host .*Add host=/],
    ['hostaddr=10.0.0.5 dbname=d sslmode=verify-full', /hostaddr without host/],
    ['host=h dbname=d sslmode=sometimes', /sslmode='sometimes'/],
    ['host=h dbname=d sslpassword=x', /cannot be passed on to pg_dump.*sslpassword/]
  ])('refuses %j, naming the keyword', (text, message) => {
    const error = refusal(text)
    expect(error).toMatch(/^Environment variable DATABASE_URL: /)
    expect(error).toMatch(message)
  })

  const PASSWORD = 'Zq7 secret-Xw9'
  it.each([
    // unterminated quote after password=
    [`host=h user=u dbname=d password='${PASSWORD}`, PASSWORD, /opening quote is never closed/],
    [`host=h user=u password='${PASSWORD} dbname=d`, PASSWORD, /opening quote is never closed/],
    // a password with a space, unquoted: the word after it has no '=' or is no keyword
    [
      `host=h user=u password=${PASSWORD} dbname=d`,
      PASSWORD,
      /right after the password's value, a word without '='/
    ],
    [
      `host=h user=u password=${PASSWORD}=x dbname=d`,
      `${PASSWORD}=x`,
      /right after the password's value, a keyword libpq does not know/
    ],
    // a quote closed too early (an unescaped ' inside the quoted password)
    [
      `host=h user=u password='Zq7'secret-Xw9' dbname=d`,
      "Zq7'secret-Xw9",
      /right after the password's value/
    ],
    // refused further on: the values printed are never the password's
    [`host=h port=x user=u password='${PASSWORD}' dbname=d`, PASSWORD, /invalid port 'x'/]
  ])('refuses %j without a piece of the password', (text, meant, message) => {
    const error = refusal(text)
    expect(error).toMatch(message)
    expect(error).toMatch(/password='correct horse\\'s staple'|invalid port/)
    for (const word of ['Zq7', 'secret', 'Xw9']) expect(error).not.toContain(word)
    // and the front doors mask the password as meant before anything is printed
    const masked = databaseUrlSecrets(text)
      .sort((a, b) => b.length - a.length)
      .reduce((t, s) => t.split(s).join('***'), `${text} | ${meant}`)
    expect(masked).not.toContain('secret')
    // and only it: the message stays readable
    const shown = databaseUrlSecrets(text)
      .sort((a, b) => b.length - a.length)
      .reduce((t, s) => t.split(s).join('***'), error)
    expect(shown).toBe(error)
  })

  // a password with a space, unquoted, whose second half reads as a known keyword's value
  // (a11 #6): libpq refuses that value, and psql prints it; the action names the keyword only
  it.each([
    ['sslmode', /has sslmode=… after the password's value \(not shown/],
    ['port', /has an invalid port after the password's value \(not shown/],
    ['connect_timeout', /has connect_timeout=… after the password's value \(not shown/],
    ['channel_binding', /has channel_binding=… after the password's value \(not shown/],
    ['target_session_attrs', /has target_session_attrs=… after the password's value/],
    ['require_auth', /require_auth with an unknown method \(after the password's value/],
    ['hostaddr', /has hostaddr=… after the password's value \(not shown/]
  ])(
    'a refused %s= right after an unquoted password: its value is not printed (a11 #6)',
    (key, message) => {
      const text = `host=h user=u password=Hunter2 ${key}=Tr0ub4dor&3 dbname=d`
      const error = refusal(text)
      expect(error).toMatch(message)
      expect(error).toContain("password='correct horse\\'s staple'")
      expect(error).not.toContain('Tr0ub4dor')
      // any keyword after it too: the password may be 'Hunter2 connect_timeout=1 …=Tr0ub4dor&3'
      const later = refusal(`host=h user=u password=Hunter2 connect_timeout=1 ${key}=Tr0ub4dor&3`)
      expect(later).toMatch(message)
      expect(later).not.toContain('Tr0ub4dor')
      // the same value before the password is named, as before
      expect(refusal(`host=h user=u ${key}=Tr0ub4dor&3 password=Hunter2 dbname=d`)).toContain(
        'Tr0ub4dor'
      )
    }
  )

  it('reads port and connect_timeout as libpq does: a sign and spaces around the number (a11 #7)', () => {
    const c = parseDatabaseUrl("host=h port='+5433' dbname=d connect_timeout=' -1 '")
    expect(c.port).toBe(5433)
    expect(libpqEnvironment(c, { base: {} }).PGPORT).toBe('5433')
    expect(parseDatabaseUrl("host=h port=' 5434 ' dbname=d").port).toBe(5434)
    expect(
      parseDatabaseUrl('postgresql://u:p@h/d?connect_timeout=%2B10').params.connect_timeout
    ).toBe('+10')
    expect(refusal('host=h port=-5432 dbname=d')).toMatch(/invalid port '-5432'/)
    expect(refusal('host=h port=5432x dbname=d')).toMatch(/invalid port '5432x'/)
    expect(refusal('host=h dbname=d connect_timeout=1.5')).toMatch(
      /connect_timeout='1\.5'; it is a whole number of seconds/
    )
  })

  it('never prints a word that is no keyword: a URL without its scheme holds the password', () => {
    for (const text of [
      'app:Qv8secretKm@db.example.com/shop?sslmode=require',
      'host=h app:Qv8secretKm@db.example.com/shop dbname=d'
    ]) {
      const error = refusal(text)
      expect(error).toMatch(/(no keyword|without '=') \(not shown: it may hold a password/)
      expect(error).not.toContain('secret')
    }
  })

  it('refuses a connection string pasted as dbname=, never printing it (u9 F1)', () => {
    for (const text of [
      "host=127.0.0.1 dbname='postgresql://postgres:Sup3rS3cretPw@db.example.com:5432/postgres'",
      "host=h dbname='host=db password=Sup3rS3cretPw dbname=shop'"
    ]) {
      const error = refusal(text)
      expect(error).toMatch(/has dbname= holding a connection string .*its value is not shown/)
      expect(error).not.toContain('Sup3r')
    }
  })

  it('reads a text without an = as before: no connection string', () => {
    expect(refusal('db.example.com:5432/app')).toMatch(
      /is not a PostgreSQL URL; expected postgresql:\/\/.*or libpq's keyword\/value form host=/
    )
    // a URL of another scheme is read as a URL (libpq would complain about '=' instead)
    expect(refusal('mysql://u:p@h/d?x=1')).toMatch(/scheme 'mysql'/)
  })
})

describe('hostaddr without host (psql connects to the address)', () => {
  it.each([
    ['postgresql://u:p@/d?hostaddr=10.0.0.5&port=6543', [{ host: '10.0.0.5', port: 6543 }]],
    ['hostaddr=10.0.0.5 user=u dbname=d', [{ host: '10.0.0.5', port: 5432 }]],
    [
      'hostaddr=10.0.0.5,::1 port=5432,5433 user=u dbname=d',
      [
        { host: '10.0.0.5', port: 5432 },
        { host: '::1', port: 5433 }
      ]
    ]
  ])('%s: connects to the addresses, names them as the hosts', (url, hosts) => {
    const connection = parseDatabaseUrl(url, {})
    expect(connection.hosts).toEqual(hosts)
    expect(connectAttempts(connection).map(list => list[0].host)).toEqual(hosts.map(h => h.host))
    const env = libpqEnvironment(connection)
    expect(env.PGHOSTADDR).toBe(hosts.map(h => h.host).join(','))
  })
})

describe('a DATABASE_URL pasted with its quotes (trial u18 F2)', () => {
  it.each([
    '"postgresql://app:S3cr%40t@127.0.0.1:5432/shop"',
    "'postgres://app:pw-xyz@db.example.com/shop?sslmode=require'",
    ' `postgresql://app:pw-xyz@h/d` '
  ])('%s: says so, without the password', url => {
    let error: unknown
    try {
      parseDatabaseUrl(url)
    } catch (e) {
      error = e
    }
    expect((error as Error).message).toMatch(
      /^is wrapped in quotes \(.….*\): the quotes are part of the value.*Store the secret without them\.$/
    )
    expect((error as Error).message).not.toMatch(/S3cr|pw-xyz/)
  })
})

describe('libpq parameters no environment variable carries (attacker a44 F2: refused, psql takes them)', () => {
  it('keepalives…, tcp_user_timeout and fallback_application_name reach the clients through a service file of the run', () => {
    const c = parseDatabaseUrl(
      'postgresql://app:pw-long-enough@db.example.com/shop?keepalives=1&keepalives_idle=30&keepalives_interval=10&keepalives_count=3&tcp_user_timeout=10000&fallback_application_name=my%20app&sslmode=require'
    )
    expect(c.serviceParams).toEqual({
      keepalives: '1',
      keepalives_idle: '30',
      keepalives_interval: '10',
      keepalives_count: '3',
      tcp_user_timeout: '10000',
      fallback_application_name: 'my app'
    })
    expect(c.params).toEqual({ sslmode: 'require' })
    const env = libpqEnvironment(c)
    expect(env.PGSERVICE).toBe('postgres-backup-action')
    const file = env.PGSERVICEFILE!
    expect(readFileSync(file, 'utf8')).toBe(
      '[postgres-backup-action]\nkeepalives=1\nkeepalives_idle=30\nkeepalives_interval=10\nkeepalives_count=3\ntcp_user_timeout=10000\nfallback_application_name=my app\n'
    )
    expect(statSync(file).mode & 0o777).toBe(0o600)
    // the password is never in it
    expect(readFileSync(file, 'utf8')).not.toContain('pw-long-enough')
    // the same parameters: the same file
    expect(libpqEnvironment(parseDatabaseUrl(c.secrets[0])).PGSERVICEFILE).toBe(file)
    // the action's own session: keepalives as libpq takes them
    expect(pgClientConfig(c, { connectTimeoutSeconds: 5 })).toMatchObject({
      keepAlive: true,
      keepAliveInitialDelayMillis: 30_000
    })
    expect(
      pgClientConfig(parseDatabaseUrl('postgresql://h/d?keepalives=0'), {
        connectTimeoutSeconds: 5
      })
    ).toMatchObject({ keepAlive: false })
    // keepalives=0: libpq reads no keepalives_* then (attacker a46 F3: refused a URL psql takes)
    expect(
      parseDatabaseUrl('postgresql://h/d?keepalives=0&keepalives_idle=abc1').serviceParams
    ).toEqual({ keepalives: '0', keepalives_idle: 'abc1' })
    // without them: no service
    expect(libpqEnvironment(parseDatabaseUrl('postgresql://h/d')).PGSERVICEFILE).toBeUndefined()
  })

  it.each([
    [
      'postgresql://h/d?keepalives_idle=soon',
      /keepalives_idle='soon'.*whole number \(0 or more\) of seconds/
    ],
    ['postgresql://h/d?tcp_user_timeout=1.5', /whole number \(0 or more\) of milliseconds/],
    // libpq fails its setsockopt at connect: here, before anything connects (attacker a46 F2)
    ['postgresql://h/d?keepalives_idle=-5', /keepalives_idle='-5'/],
    // a line break would start another parameter in the service file (sslmode=disable)
    [
      'postgresql://h/d?fallback_application_name=x%0Asslmode%3Ddisable',
      /line break in fallback_application_name's value/
    ]
  ])('%s is refused, naming the parameter', (url, message) => {
    expect(() => parseDatabaseUrl(url)).toThrow(message)
  })
})

describe('a password file read as libpq reads it (attacker a87 F2)', () => {
  it('ends the password at an unescaped colon, as psql does', () => {
    expect(passwordFileEntry('127.0.0.1:5432:*:owner:p@ss:w/o%rd #?x y')?.password).toBe('p@ss')
    expect(passwordFileEntry('h:1:d:u:a\\:b\\\\c')?.password).toBe('a:b\\c')
    expect(passwordFileEntry('h:1:d:u:')?.password).toBe('')
  })

  it('skips a line with fewer than four key fields', () => {
    expect(passwordFileEntry('h:1:d:u')).toBeUndefined()
    expect(passwordFileEntry('just a password')).toBeUndefined()
  })

  it('matches "*" as any value but an escaped star only as a star', () => {
    const [host, , , user] = passwordFileEntry('*:1:d:\\*:pw')!.fields
    expect(host.matches('db.example.com')).toBe(true)
    expect(user.matches('owner')).toBe(false)
    expect(user.matches('*')).toBe(true)
    const [escapedHost] = passwordFileEntry('a\\:b:1:d:u:pw')!.fields
    expect(escapedHost.matches('a:b')).toBe(true)
  })

  it('gives the connection the password libpq would send from the file', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pgpass-'))
    try {
      const file = path.join(dir, 'pgpass')
      writeFileSync(
        file,
        '# comment\nother:5432:*:owner:nope\r\n127.0.0.1:5432:app:owner:p@ss:w/o%rd\n',
        { mode: 0o600 }
      )
      const connection = parseDatabaseUrl(`postgresql://owner@127.0.0.1:5432/app?passfile=${file}`)
      expect(passwordFromFile(connection, '127.0.0.1', 5432)).toBe('p@ss')
      expect(passwordFromFile(connection, '127.0.0.1', 5433)).toBeUndefined()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
