/** Checks the test harness itself: throw-away server, sample data and comparison helpers. */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import { rowCounts, schemaDump, seedSample, tableChecksums } from '../../dev/fixtures.js'
import { quoteLiteral, startPostgres, type TestServer } from '../../dev/postgres.js'

let server: TestServer
let source: string
let expected: Record<string, number>

beforeAll(async () => {
  server = await startPostgres()
  source = await server.createDatabase()
  expected = await seedSample(server, source)
}, 60_000)

afterAll(async () => {
  await server?.stop()
})

/** `pg_dump <from> | psql <to>`, password via PGPASSWORD only. */
function copyDatabase(from: string, to: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const dump = spawn(path.join(server.binDir, 'pg_dump'), [], {
      env: server.env(from),
      stdio: ['ignore', 'pipe', 'pipe']
    })
    const restore = spawn(
      path.join(server.binDir, 'psql'),
      ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-o', '/dev/null'],
      { env: server.env(to), stdio: ['pipe', 'ignore', 'pipe'] }
    )
    let stderr = ''
    dump.stderr.on('data', chunk => (stderr += `pg_dump: ${chunk}`))
    restore.stderr.on('data', chunk => (stderr += `psql: ${chunk}`))
    dump.stdout.pipe(restore.stdin)
    const exit = (child: typeof dump | typeof restore): Promise<number | null> =>
      new Promise((res, rej) => {
        child.on('error', rej)
        child.on('close', code => res(code))
      })
    Promise.all([exit(dump), exit(restore)])
      .then(([dumpCode, restoreCode]) => {
        if (dumpCode === 0 && restoreCode === 0 && stderr === '') resolve()
        else reject(new Error(`copy failed (pg_dump ${dumpCode}, psql ${restoreCode}):\n${stderr}`))
      })
      .catch(reject)
  })
}

describe('test harness', () => {
  test('quoteLiteral: a value with quotes and backslashes reads back the same, whatever standard_conforming_strings is', async () => {
    const value = "it's a \\ back\\'slash\\"
    const client = new pg.Client({ connectionString: server.url() })
    client.on('error', () => undefined)
    await client.connect()
    try {
      for (const setting of ['on', 'off']) {
        // a statement of its own: the server reads a query string with the setting it has then
        await client.query(`SET standard_conforming_strings = ${setting}`)
        const { rows } = await client.query<{ v: string }>(
          `SELECT ${quoteLiteral(value)}::text AS v`
        )
        expect(rows[0].v).toBe(value)
      }
    } finally {
      await client.end()
    }
  })

  test('seedSample reports the row counts the database really has', async () => {
    expect(await rowCounts(server, source)).toEqual(expected)
    expect(expected['public.measurements']).toBeGreaterThanOrEqual(1000)
    expect(expected['sales.refunds']).toBe(0)
  })

  test('a pg_dump | psql copy has identical data and schema', async () => {
    const copy = await server.createDatabase()
    await copyDatabase(source, copy)

    const [sourceSums, copySums] = await Promise.all([
      tableChecksums(server, source),
      tableChecksums(server, copy)
    ])
    expect(Object.keys(sourceSums).sort()).toEqual(Object.keys(expected).sort())
    expect(copySums).toEqual(sourceSums)
    for (const [table, rows] of Object.entries(expected)) expect(copySums[table].rows).toBe(rows)

    const [sourceSchema, copySchema] = await Promise.all([
      schemaDump(server, source),
      schemaDump(server, copy)
    ])
    expect(copySchema).toEqual(sourceSchema)
    expect(sourceSchema).toContain('CREATE TABLE "Audit Log"."Events"')
    expect(sourceSchema).toContain('CREATE MATERIALIZED VIEW public.device_daily')
    expect(sourceSchema).not.toMatch(/^(--|SET |\\restrict)/m)

    const [seq] = await server.query<{ last_value: string }>(
      copy,
      'SELECT last_value FROM sales.invoice_number_seq'
    )
    expect(seq.last_value).toBe('4242')
    await server.dropDatabase(copy)
  })

  test('a changed row changes the checksum', async () => {
    const before = await tableChecksums(server, source)
    await server.query(source, "UPDATE public.texts SET body = body || ' ' WHERE label = 'ascii'")
    try {
      const after = await tableChecksums(server, source)
      expect(after['public.texts'].rows).toBe(before['public.texts'].rows)
      expect(after['public.texts'].md5).not.toBe(before['public.texts'].md5)
      expect({ ...after, 'public.texts': null }).toEqual({ ...before, 'public.texts': null })
    } finally {
      await server.query(source, "UPDATE public.texts SET body = rtrim(body) WHERE label = 'ascii'")
    }
  })

  test('the password needs percent-encoding and url() connects with pg', async () => {
    expect(server.password).toMatch(/[@:/%]/)
    expect(encodeURIComponent(server.password)).not.toBe(server.password)
    const url = server.url(source, { params: { application_name: 'harness test' } })
    expect(url).not.toContain(server.password)

    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      const { rows } = await client.query(
        "SELECT current_user AS who, current_database() AS db, current_setting('application_name') AS app"
      )
      expect(rows[0]).toEqual({ who: 'postgres', db: source, app: 'harness test' })
    } finally {
      await client.end()
    }
  })

  test('the app role can log in but is no superuser and cannot read the sample', async () => {
    const url = server.url(source, { user: server.appUser, password: server.appPassword })
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      const { rows } = await client.query("SELECT current_setting('is_superuser') AS su")
      expect(rows[0].su).toBe('off')
      await expect(client.query('SELECT count(*) FROM public.customers')).rejects.toThrow(
        /permission denied/
      )
    } finally {
      await client.end()
    }
    const wrong = new pg.Client({ connectionString: server.url(source, { password: 'wrong' }) })
    await expect(wrong.connect()).rejects.toThrow(/password authentication failed/)
  })

  test('a second server starts independently and stop() removes it, idempotently', async () => {
    const started = Date.now()
    const other = await startPostgres({ binDir: server.binDir })
    const elapsed = Date.now() - started
    try {
      expect(other.port).not.toBe(server.port)
      expect(other.major).toBe(server.major)
      expect(other.version).toBe(server.version)
      expect(await other.query('postgres', 'SELECT 1 AS one')).toEqual([{ one: 1 }])
      expect(existsSync(other.dataDir)).toBe(true)
    } finally {
      await Promise.all([other.stop(), other.stop()])
    }
    await other.stop()
    expect(existsSync(other.dataDir)).toBe(false)
    expect(existsSync(other.socketDir)).toBe(false)
    expect(elapsed).toBeLessThan(15_000)
  })
})
