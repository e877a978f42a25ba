import { describe, expect, it } from '@jest/globals'
import { InputError, describeForInputs } from '../../src/inputs.js'
import {
  describeConnection,
  libpqEnvironment,
  parseDatabaseUrl,
  pgClientConfig
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

  it('brackets IPv6 hosts in descriptions', () => {
    expect(describeConnection(parseDatabaseUrl('postgresql://u:p@[::1]:5433/d'))).toBe(
      'u@[::1]:5433/d'
    )
  })

  it.each([
    ['mysql://u:p@h/d', /not a PostgreSQL URL \(scheme 'mysql'\)/],
    ['db.example.com:5432/app', /not a PostgreSQL URL/],
    ['postgresql://u:p@h:abc/d', /could not be parsed/],
    ['postgresql://u:p@h:70000/d', /could not be parsed|invalid port/],
    ['postgresql://u:p@h/d?sslmode=sometimes', /sslmode='sometimes'/],
    ['postgresql://u:p@h/d?frobnicate=1', /unknown connection parameter 'frobnicate'/]
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
