/**
 * Roles (issue 20 item 4) through the action's entry (src/main.ts run(), as the runner runs it,
 * against the loopback artifact backend): `globals: true` stores pg_dumpall --globals-only
 * --no-role-passwords beside the dump (as a superuser and as a non-superuser owner of the
 * database, on the system's PostgreSQL 15); `create-roles: true` creates the roles a fresh
 * server lacks in the restore's transaction, so owners and grants come back; a hostile globals
 * file is refused before anything runs; without create-roles a restore behaves as before.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { type ArtifactBackend, unzipEntries } from '../../dev/artifact-backend.js'
import { type TestServer, quoteLiteral, startPostgres } from '../../dev/postgres.js'
import { useHarness } from '../support/harness.js'
import { useInProcessStep } from '../support/step.js'
import { S3RVER_CREDENTIALS } from '../support/s3-server.js'
import { type ManagedDatabase, rdsLikeSource, rdsLikeTarget } from '../support/managed.js'
import { embeddedBinDir } from '../support/embedded.js'
import { provisionedBinDir } from '../support/clients.js'

const harness = useHarness({ name: 'roles-test', s3Buckets: ['backups'] })
const runStep = useInProcessStep(harness, () => ({
  AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
  AWS_REGION: 'us-east-1',
  AWS_EC2_METADATA_DISABLED: 'true'
}))
let server: TestServer
let backend: ArtifactBackend
let database: string
const OWNER_PASSWORD = 'owner-pass-7f3a9c1e'

beforeAll(async () => {
  ;({ server, backend } = harness)
  database = await server.createDatabase('roles_db')
  await server.query(
    'postgres',
    `CREATE ROLE roles_owner LOGIN CREATEROLE PASSWORD ${quoteLiteral(OWNER_PASSWORD)};
     CREATE ROLE "Roles Reader" NOLOGIN;
     CREATE ROLE roles_repl NOLOGIN REPLICATION;
     GRANT "Roles Reader" TO roles_owner;
     ALTER ROLE roles_owner SET work_mem = '8MB';
     ALTER DATABASE roles_db OWNER TO roles_owner;`
  )
  await server.query(
    database,
    `CREATE TABLE public.accounts (id integer PRIMARY KEY, name text);
     INSERT INTO public.accounts SELECT i, 'a' || i FROM generate_series(1, 12) AS i;
     ALTER TABLE public.accounts OWNER TO roles_owner;
     GRANT SELECT ON public.accounts TO "Roles Reader";`
  )
}, 60_000)

interface GlobalsManifest {
  file: { name: string }
  globals?: { name: string; sizeBytes: number; sha256: string; roles: string[] }
}

/** The artifact of the last backup step, as a zip file and its entries. */
async function storedBackup(name: string): Promise<{
  zip: string
  entries: Map<string, Buffer>
  manifest: GlobalsManifest
}> {
  const stored = backend.findArtifact(`${name}.zip`)
  expect(stored).toBeDefined()
  const zip = path.join(harness.work, `${name}-${backend.currentRunId}.zip`)
  writeFileSync(zip, stored!.bytes)
  const entries = await unzipEntries(stored!.bytes)
  const manifest = JSON.parse(entries.get('manifest.json')!.toString()) as GlobalsManifest
  return { zip, entries, manifest }
}

const ownerUrl = (db: string): string =>
  server.url(db, { user: 'roles_owner', password: OWNER_PASSWORD }).replace(/\?.*$/, '')

describe('backup with globals: true', () => {
  it('as the superuser: the roles file is beside the dump, described in the manifest, without passwords', async () => {
    const step = await runStep({
      'database-url': server.url(database),
      'artifact-name': 'roles-su',
      globals: 'true'
    })
    expect(step.error).toBeUndefined()
    const { entries, manifest } = await storedBackup('roles-su')
    const name = `${manifest.file.name}.globals.sql`
    expect(manifest.globals?.name).toBe(name)
    const sql = entries.get(name)!
    expect(sql).toBeDefined()
    expect(manifest.globals!.sizeBytes).toBe(sql.length)
    expect(manifest.globals!.sha256).toBe(createHash('sha256').update(sql).digest('hex'))
    expect(manifest.globals!.roles).toEqual(
      expect.arrayContaining(['Roles Reader', 'roles_owner', 'roles_repl', 'postgres'])
    )
    expect(sql.toString()).toContain('CREATE ROLE roles_owner;')
    expect(sql.toString()).not.toMatch(/PASSWORD|SCRAM-SHA|md5[0-9a-f]{32}/)
    expect(step.outputs['roles-backed-up']).toBe(String(manifest.globals!.roles.length))
    expect(step.summary).toMatch(/\| Roles \| \d+ in /)
  }, 120_000)

  it('as a non-superuser owner of the database (PostgreSQL 15): the same roles', async () => {
    const step = await runStep({
      'database-url': ownerUrl(database),
      'artifact-name': 'roles-owner',
      globals: 'true'
    })
    expect(step.error).toBeUndefined()
    const { manifest } = await storedBackup('roles-owner')
    expect(manifest.globals!.roles).toEqual(
      expect.arrayContaining(['Roles Reader', 'roles_owner', 'roles_repl', 'postgres'])
    )
  }, 120_000)

  it('where pg_dumpall cannot run (none beside pg_dump): the backup succeeds, and says what is missing', async () => {
    const bin = path.join(harness.work, 'bin-without-pg_dumpall')
    mkdirSync(bin)
    for (const program of ['pg_dump', 'pg_restore', 'psql']) {
      symlinkSync(path.join(server.binDir, program), path.join(bin, program))
    }
    const step = await runStep({
      'database-url': server.url(database),
      'artifact-name': 'roles-missing',
      'pg-bin-dir': bin,
      globals: 'true'
    })
    expect(step.error).toBeUndefined()
    const { entries, manifest } = await storedBackup('roles-missing')
    expect(entries.has(manifest.file.name)).toBe(true)
    expect(manifest.globals).toBeUndefined()
    expect([...entries.keys()].filter(k => k.includes('globals'))).toEqual([])
    expect(step.stdout).toMatch(
      /::warning::globals: true — the roles were not backed up: could not start pg_dumpall/
    )
    expect(step.summary).toMatch(/\| Roles \| not backed up: could not start pg_dumpall/)
    expect(step.outputs['roles-backed-up']).toBe('')
  }, 120_000)

  it('without globals: no roles file, no manifest field', async () => {
    const step = await runStep({ 'database-url': server.url(database), 'artifact-name': 'plain' })
    expect(step.error).toBeUndefined()
    const { entries, manifest } = await storedBackup('plain')
    expect(manifest.globals).toBeUndefined()
    expect([...entries.keys()].filter(k => k.includes('globals'))).toEqual([])
    expect(step.outputs['roles-backed-up']).toBe('')
  }, 120_000)
})

describe('restore into a fresh server', () => {
  let zip: string
  let fresh: TestServer[] = []
  const newServer = async (): Promise<TestServer> => {
    const s = await startPostgres()
    fresh.push(s)
    return s
  }

  beforeAll(async () => {
    const step = await runStep({
      'database-url': server.url(database),
      'artifact-name': 'roles-source',
      globals: 'true'
    })
    expect(step.error).toBeUndefined()
    ;({ zip } = await storedBackup('roles-source'))
  }, 120_000)

  afterAll(async () => {
    await Promise.all(fresh.map(s => s.stop()))
    fresh = []
  })

  const ownership = async (target: TestServer, db: string) => ({
    owner: (
      await target.query<{ owner: string }>(
        db,
        `SELECT tableowner AS owner FROM pg_tables WHERE tablename = 'accounts'`
      )
    )[0]?.owner,
    readerMaySelect: (
      await target.query<{ ok: boolean }>(
        db,
        `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'Roles Reader')
                AND has_table_privilege('Roles Reader', 'public.accounts', 'SELECT') AS ok`
      )
    )[0]?.ok,
    roles: (
      await target.query<{ rolname: string; rolreplication: boolean; rolcanlogin: boolean }>(
        'postgres',
        `SELECT rolname, rolreplication, rolcanlogin FROM pg_roles WHERE rolname LIKE 'roles_%' OR rolname = 'Roles Reader'`
      )
    )
      .map(
        r => `${r.rolname}${r.rolreplication ? ' REPLICATION' : ''}${r.rolcanlogin ? ' LOGIN' : ''}`
      )
      .sort(),
    passwords: (
      await target.query<{ n: string }>(
        'postgres',
        `SELECT count(*) AS n FROM pg_authid WHERE rolname LIKE 'roles_%' AND rolpassword IS NOT NULL`
      )
    )[0]?.n
  })

  it('create-roles: true (as the superuser) creates the missing roles; owner and grants are restored', async () => {
    const target = await newServer()
    const db = await target.createDatabase('restored')
    const step = await runStep(
      {
        mode: 'restore',
        'database-url': target.url(db),
        'backup-file': zip,
        'create-roles': 'true',
        'no-owner': 'false',
        'no-privileges': 'false'
      },
      false
    )
    expect(step.error).toBeUndefined()
    const got = await ownership(target, db)
    expect(got.owner).toBe('roles_owner')
    expect(got.readerMaySelect).toBe(true)
    expect(got.roles).toEqual(['Roles Reader', 'roles_owner LOGIN', 'roles_repl REPLICATION'])
    expect(got.passwords).toBe('0')
    // membership of a created role in a created role
    const member = await target.query<{ ok: boolean }>(
      'postgres',
      `SELECT pg_has_role('roles_owner', 'Roles Reader', 'MEMBER') AS ok`
    )
    expect(member[0].ok).toBe(true)
    expect(step.outputs['roles-created'].split(',')).toEqual(
      expect.arrayContaining(['Roles Reader', 'roles_owner', 'roles_repl'])
    )
    expect(step.summary).toMatch(/\| Roles created \| .*roles_owner/)
  }, 180_000)

  it('as a non-superuser with CREATEROLE: REPLICATION is left out and listed, the rest created', async () => {
    const target = await newServer()
    await target.query(
      'postgres',
      `CREATE ROLE restorer LOGIN CREATEROLE PASSWORD 'restorer-pass-1234';`
    )
    const db = await target.createDatabase('restored')
    await target.query('postgres', `ALTER DATABASE restored OWNER TO restorer`)
    await target.query(db, `ALTER SCHEMA public OWNER TO restorer`)
    const step = await runStep(
      {
        mode: 'restore',
        'database-url': target
          .url(db, { user: 'restorer', password: 'restorer-pass-1234' })
          .replace(/\?.*$/, ''),
        'backup-file': zip,
        'create-roles': 'true'
      },
      false
    )
    expect(step.error).toBeUndefined()
    const got = await ownership(target, db)
    expect(got.roles).toEqual(['Roles Reader', 'roles_owner LOGIN', 'roles_repl'])
    expect(got.readerMaySelect).toBe(true)
    expect(step.summary).toMatch(/roles_repl\\?: REPLICATION not given/)
    expect(step.stdout).toMatch(/::warning::create-roles: roles_repl: REPLICATION not given/)
  }, 180_000)

  it('without create-roles: no role is created, the restore goes on as before', async () => {
    const target = await newServer()
    const db = await target.createDatabase('restored')
    const step = await runStep(
      { mode: 'restore', 'database-url': target.url(db), 'backup-file': zip },
      false
    )
    expect(step.error).toBeUndefined()
    const got = await ownership(target, db)
    expect(got.roles).toEqual([])
    expect(got.owner).toBe('postgres')
    expect(step.outputs['roles-created']).toBe('')
    const rows = await target.query<{ n: string }>(db, 'SELECT count(*) AS n FROM public.accounts')
    expect(rows[0].n).toBe('12')
  }, 180_000)

  it('a failed restore leaves no role behind (the roles are created in its transaction)', async () => {
    const target = await newServer()
    const db = await target.createDatabase('restored')
    // an index of the name of the backup's primary key: the load fails at its last statements,
    // long after the roles were created
    await target.query(
      db,
      'CREATE TABLE public.other (id integer); CREATE INDEX accounts_pkey ON public.other (id)'
    )
    const step = await runStep(
      {
        mode: 'restore',
        'database-url': target.url(db),
        'backup-file': zip,
        'create-roles': 'true',
        'allow-non-empty': 'true'
      },
      false
    )
    expect(step.error?.message).toMatch(/accounts_pkey/)
    const got = await ownership(target, db)
    expect(got.roles).toEqual([])
  }, 180_000)

  it('encrypted and copied to S3: the roles file is encrypted too, and a restore from S3 creates the roles', async () => {
    // a key pair (age-keygen): a passphrase's scrypt takes seconds per file on a busy machine
    const keyFile = path.join(harness.work, 'roles.key')
    expect(spawnSync('age-keygen', ['-o', keyFile]).status).toBe(0)
    const keyText = readFileSync(keyFile, 'utf8')
    const identity = keyText.split('\n').find(l => l.startsWith('AGE-SECRET-KEY-1'))!
    const recipient = /# public key: (age1\S+)/.exec(keyText)![1]
    const backup = await runStep({
      'database-url': server.url(database),
      'artifact-name': 'roles-s3',
      globals: 'true',
      'encryption-recipients': recipient,
      's3-uri': 's3://backups/roles/',
      's3-endpoint': harness.s3.endpoint,
      's3-force-path-style': 'true'
    })
    expect(backup.error).toBeUndefined()
    const { entries, manifest } = await storedBackup('roles-s3')
    expect(manifest.globals!.name).toBe(`${manifest.file.name}.globals.sql.age`)
    const stored = entries.get(manifest.globals!.name)!
    expect(stored.subarray(0, 21).toString()).toBe('age-encryption.org/v1')
    expect(stored.toString('latin1')).not.toContain('CREATE ROLE')
    const target = await newServer()
    const db = await target.createDatabase('restored')
    const step = await runStep(
      {
        mode: 'restore',
        'database-url': target.url(db),
        'backup-uri': backup.outputs['s3-uri'],
        's3-endpoint': harness.s3.endpoint,
        's3-force-path-style': 'true',
        artifact: 'false',
        'decryption-identity': identity,
        'create-roles': 'true'
      },
      false
    )
    expect(step.error).toBeUndefined()
    const got = await ownership(target, db)
    expect(got.owner).toBe('roles_owner')
    expect(got.roles).toEqual(['Roles Reader', 'roles_owner LOGIN', 'roles_repl REPLICATION'])
  }, 180_000)

  /** The backup as an extracted folder whose globals file is `sql` (the manifest made to match). */
  const tamperedBackup = async (sql: string): Promise<string> => {
    const { entries, manifest } = await storedBackup('roles-source')
    const dir = mkdtempSync(path.join(harness.work, 'tampered-'))
    const data = Buffer.from(sql)
    manifest.globals = {
      ...manifest.globals!,
      sizeBytes: data.length,
      sha256: createHash('sha256').update(data).digest('hex')
    }
    for (const [name, bytes] of entries) {
      if (name === 'manifest.json' || name === manifest.globals.name) continue
      writeFileSync(path.join(dir, name), bytes)
    }
    writeFileSync(path.join(dir, manifest.globals.name), data)
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest))
    return dir
  }

  describe('a hostile globals file is refused before anything runs', () => {
    const tampered = tamperedBackup
    let target: TestServer
    beforeAll(async () => {
      target = await newServer()
    }, 60_000)

    it.each([
      ['a meta-command', `CREATE ROLE x1;\n\\! touch /tmp/roles-pwned\n`, /meta-command \\!/],
      [
        'ALTER ROLE of an existing role',
        `CREATE ROLE x2;\nALTER ROLE postgres WITH NOSUPERUSER;\n`,
        /ALTER ROLE "postgres" WITH … of a role the file does not create/
      ],
      ['DROP ROLE', `CREATE ROLE x3;\nDROP ROLE app;\n`, /a statement other than CREATE ROLE/],
      ['a password', `CREATE ROLE x4;\nALTER ROLE x4 WITH LOGIN PASSWORD 'pw';\n`, /a password/],
      [
        'a second statement hidden after CREATE ROLE',
        `CREATE ROLE x5; SELECT pg_sleep(0);\n`,
        /a statement other than CREATE ROLE/
      ],
      [
        // with standard_conforming_strings off, \' would end a literal the action rebuilt as '…'
        'SQL hidden in VALID UNTIL',
        `CREATE ROLE x6;\nALTER ROLE x6 WITH LOGIN VALID UNTIL 'infinity\\''; GRANT pg_execute_server_program TO x6; CREATE TABLE public.injected(); --';\n`,
        /VALID UNTIL 'infinity\\'; GRANT pg_execute_server_prog', not 'infinity', '-infinity' or an ISO timestamp/
      ]
    ])(
      '%s',
      async (_what, sql, message) => {
        const db = await target.createDatabase()
        const step = await runStep(
          {
            mode: 'restore',
            'database-url': target.url(db),
            'backup-file': await tampered(sql),
            'create-roles': 'true'
          },
          false
        )
        expect(step.error?.message).toMatch(message)
        const roles = await target.query<{ rolname: string }>(
          'postgres',
          `SELECT rolname FROM pg_roles WHERE rolname ~ '^x[0-9]$' OR rolname LIKE 'roles_%'`
        )
        expect(roles).toEqual([])
        const su = await target.query<{ rolsuper: boolean }>(
          'postgres',
          `SELECT rolsuper FROM pg_roles WHERE rolname = 'postgres'`
        )
        expect(su[0].rolsuper).toBe(true)
        const tables = await target.query(db, `SELECT 1 FROM pg_tables WHERE schemaname = 'public'`)
        expect(tables).toEqual([])
      },
      120_000
    )
  })

  describe('a globals file that asks for more than its own roles', () => {
    let target: TestServer
    beforeAll(async () => {
      target = await newServer()
    }, 60_000)

    it('as the superuser: a created role is never made a member of an existing role (postgres, pg_*), nor given CREATEROLE before 16', async () => {
      const db = await target.createDatabase()
      const sql = `CREATE ROLE y_app;
ALTER ROLE y_app WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB NOLOGIN NOREPLICATION NOBYPASSRLS;
CREATE ROLE y_evil;
ALTER ROLE y_evil WITH NOSUPERUSER INHERIT CREATEROLE CREATEDB LOGIN NOREPLICATION NOBYPASSRLS VALID UNTIL 'infinity';
GRANT postgres TO y_evil WITH ADMIN OPTION GRANTED BY postgres;
GRANT pg_execute_server_program TO y_evil;
GRANT pg_write_server_files TO y_evil;
GRANT y_app TO y_evil WITH ADMIN OPTION GRANTED BY postgres;
`
      const step = await runStep(
        {
          mode: 'restore',
          'database-url': target.url(db),
          'backup-file': await tamperedBackup(sql),
          'create-roles': 'true'
        },
        false
      )
      expect(step.error).toBeUndefined()
      const rows = await target.query<{
        rolname: string
        rolcreaterole: boolean
        memberof: string[] | null
        admin_of: string[] | null
      }>(
        'postgres',
        `SELECT r.rolname, r.rolcreaterole,
                (SELECT array_agg(g.rolname::text ORDER BY g.rolname) FROM pg_roles g
                  WHERE g.oid <> r.oid AND pg_has_role(r.oid, g.oid, 'MEMBER')) AS memberof,
                (SELECT array_agg(g.rolname::text ORDER BY g.rolname) FROM pg_roles g
                  WHERE g.oid <> r.oid AND pg_has_role(r.oid, g.oid, 'MEMBER WITH ADMIN OPTION')) AS admin_of
           FROM pg_roles r WHERE r.rolname LIKE 'y\\_%' ORDER BY r.rolname`
      )
      // the target is PostgreSQL 15: CREATEROLE there lets a role grant itself pg_* roles
      expect(rows).toEqual([
        { rolname: 'y_app', rolcreaterole: false, memberof: null, admin_of: null },
        { rolname: 'y_evil', rolcreaterole: false, memberof: ['y_app'], admin_of: ['y_app'] }
      ])
      for (const role of ['postgres', 'pg_execute_server_program', 'pg_write_server_files']) {
        expect(step.stdout).toContain(
          `::warning::create-roles: GRANT ${role} TO y_evil: "${role}" exists, and a restore grants only roles it creates (grant it by hand`
        )
      }
      expect(step.stdout).toMatch(/::warning::create-roles: y_evil: CREATEROLE not given/)
    }, 120_000)

    it('the literals the action builds read the same with standard_conforming_strings off', async () => {
      const values = ['infinity', "it's", 'a\\b', "infinity\\'; SELECT 1; --", "\\'\\\\''"]
      const rows = await target.query<{ v: string }>(
        'postgres',
        `SET standard_conforming_strings = off; SET escape_string_warning = off;
         ${values.map(v => `SELECT ${quoteLiteral(v)}::text AS v`).join(' UNION ALL ')}`
      )
      expect(rows.map(r => r.v)).toEqual(values)
    }, 60_000)

    it('jobs: 2 with thousands of roles: their statements reach psql on its stdin (no E2BIG)', async () => {
      const db = await target.createDatabase()
      const names = Array.from(
        { length: 3000 },
        (_, i) => `z_role_with_a_reasonably_long_name_${String(i).padStart(5, '0')}`
      )
      const sql = names
        .map(
          n =>
            `CREATE ROLE ${n};\nALTER ROLE ${n} WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB NOLOGIN NOREPLICATION NOBYPASSRLS;\n`
        )
        .join('')
      expect(sql.length).toBeGreaterThan(300_000)
      const step = await runStep(
        {
          mode: 'restore',
          'database-url': target.url(db),
          'backup-file': await tamperedBackup(sql),
          'create-roles': 'true',
          jobs: '2',
          'single-transaction': 'false'
        },
        false
      )
      expect(step.error).toBeUndefined()
      const rows = await target.query<{ n: string }>(
        'postgres',
        `SELECT count(*) AS n FROM pg_roles WHERE rolname LIKE 'z\\_role\\_%'`
      )
      expect(rows[0].n).toBe('3000')
      // the log line lists at most 50 names
      const line = step.stdout.split('\n').find(l => l.startsWith('Creating 3000 roles'))
      expect(line).toMatch(/z_role_with_a_reasonably_long_name_00049 and 2950 more \(no passwords/)
      expect(line).not.toContain('_00050')
    }, 180_000)
  })

  it('jobs: 2: the roles created first stay when the restore fails later, and the error names them', async () => {
    const target = await newServer()
    const db = await target.createDatabase('restored')
    await target.query(
      db,
      'CREATE TABLE public.other (id integer); CREATE INDEX accounts_pkey ON public.other (id)'
    )
    const step = await runStep(
      {
        mode: 'restore',
        'database-url': target.url(db),
        'backup-file': zip,
        'create-roles': 'true',
        'allow-non-empty': 'true',
        jobs: '2',
        'single-transaction': 'false'
      },
      false
    )
    expect(step.error?.message).toMatch(/accounts_pkey/)
    expect(step.error?.message).toMatch(
      /The 3 roles create-roles created first \(jobs > 1 creates them in a transaction of their own\) stay in the target: Roles Reader, roles_owner, roles_repl\./
    )
    expect(step.summary).toMatch(/stay in the target: Roles Reader, roles_owner, roles_repl/)
    const got = await ownership(target, db)
    expect(got.roles).toEqual(['Roles Reader', 'roles_owner LOGIN', 'roles_repl REPLICATION'])
  }, 180_000)

  it('create-roles with a backup made without globals fails before the target is touched', async () => {
    const plain = await storedBackup('plain')
    const target = await newServer()
    const db = await target.createDatabase('restored')
    const step = await runStep(
      {
        mode: 'restore',
        'database-url': target.url(db),
        'backup-file': plain.zip,
        'create-roles': 'true'
      },
      false
    )
    expect(step.error?.message).toMatch(
      /^Input 'create-roles': the backup was made without globals: true/
    )
    const tables = await target.query(db, `SELECT 1 FROM pg_tables WHERE schemaname = 'public'`)
    expect(tables).toEqual([])
  }, 120_000)
})

describe('a managed-like instance (the RDS replica of support/managed.ts): the master user is no superuser', () => {
  let source: ManagedDatabase
  let target: ManagedDatabase
  const servers: TestServer[] = []

  beforeAll(async () => {
    const [a, b] = await Promise.all([startPostgres(), startPostgres()])
    servers.push(a, b)
    ;[source, target] = await Promise.all([rdsLikeSource(a), rdsLikeTarget(b)])
  }, 120_000)

  afterAll(async () => {
    await Promise.all(servers.map(s => s.stop()))
  })

  it("backs up the instance's roles as the master user and creates the app's roles in a new instance", async () => {
    const backup = await runStep({
      'database-url': source.url,
      'artifact-name': 'roles-rds',
      globals: 'true'
    })
    expect(backup.error).toBeUndefined()
    const { zip, manifest } = await storedBackup('roles-rds')
    expect(manifest.globals!.roles).toEqual(
      expect.arrayContaining(['app_rw', 'app_readonly', 'rdsadmin', 'rds_superuser', 'postgres'])
    )
    const step = await runStep(
      { mode: 'restore', 'database-url': target.url, 'backup-file': zip, 'create-roles': 'true' },
      false
    )
    expect(step.error).toBeUndefined()
    expect(step.outputs['roles-created'].split(',').sort()).toEqual(['app_readonly', 'app_rw'])
    // the grants to the created read-only role are restored (before: "role does not exist")
    const granted = await target.instance.admin.query<{ ok: boolean }>(
      target.database,
      `SELECT has_table_privilege('app_readonly', 'public.customers', 'SELECT') AS ok`
    )
    expect(granted[0].ok).toBe(true)
    // the existing master user was not made a member of the created role
    const member = await target.instance.admin.query<{ ok: boolean }>(
      'postgres',
      `SELECT pg_has_role('postgres', 'app_rw', 'MEMBER') AS ok`
    )
    expect(member[0].ok).toBe(false)
    expect(step.summary).toMatch(
      /GRANT app_rw TO postgres\\?: &#34;postgres&#34; exists and is not altered/
    )
  }, 240_000)
})

describe('PostgreSQL 17 (pg_dumpall 17 writes membership options)', () => {
  const servers: TestServer[] = []
  afterAll(async () => {
    await Promise.all(servers.map(s => s.stop()))
  })

  it('a membership WITH INHERIT FALSE, SET FALSE is created with those options, never broader', async () => {
    const [a, b] = await Promise.all([
      startPostgres({ binDir: embeddedBinDir(17) }),
      startPostgres({ binDir: embeddedBinDir(17) })
    ])
    servers.push(a, b)
    const db = await a.createDatabase('seventeen')
    await a.query(
      'postgres',
      `CREATE ROLE s_owner NOLOGIN; CREATE ROLE s_group NOLOGIN;
       GRANT s_group TO s_owner WITH ADMIN OPTION, INHERIT FALSE, SET FALSE;`
    )
    await a.query(db, `CREATE TABLE public.t (id int); ALTER TABLE public.t OWNER TO s_owner;`)
    const pgBinDir = provisionedBinDir(17)
    const backup = await runStep({
      'database-url': a.url(db),
      'artifact-name': 'roles-17',
      'pg-bin-dir': pgBinDir,
      globals: 'true'
    })
    expect(backup.error).toBeUndefined()
    const { zip } = await storedBackup('roles-17')
    const target = await b.createDatabase('restored')
    const step = await runStep(
      {
        mode: 'restore',
        'database-url': b.url(target),
        'backup-file': zip,
        'pg-bin-dir': pgBinDir,
        'create-roles': 'true'
      },
      false
    )
    expect(step.error).toBeUndefined()
    const rows = await b.query<{
      admin_option: boolean
      inherit_option: boolean
      set_option: boolean
    }>(
      'postgres',
      `SELECT m.admin_option, m.inherit_option, m.set_option FROM pg_auth_members m
         WHERE m.roleid = 's_group'::regrole AND m.member = 's_owner'::regrole`
    )
    expect(rows).toEqual([{ admin_option: true, inherit_option: false, set_option: false }])
    const owner = await b.query<{ owner: string }>(
      target,
      `SELECT tableowner AS owner FROM pg_tables WHERE tablename = 't'`
    )
    expect(owner[0].owner).toBe('s_owner')
  }, 240_000)

  it("moving day as a CREATEROLE owner: a role it made is not one it may act as; the warning's GRANT is what sets the owners (trial u35 F7)", async () => {
    const [a, b] = await Promise.all([
      startPostgres({ binDir: embeddedBinDir(17) }),
      startPostgres({ binDir: embeddedBinDir(17) })
    ])
    servers.push(a, b)
    const source = await a.createDatabase('shop')
    await a.query('postgres', `CREATE ROLE shop_etl NOLOGIN;`)
    await a.query(
      source,
      `CREATE TABLE public.orders (id int PRIMARY KEY); INSERT INTO public.orders VALUES (1), (2);
       ALTER TABLE public.orders OWNER TO shop_etl;`
    )
    const pgBinDir = provisionedBinDir(17)
    const backup = await runStep({
      'database-url': a.url(source),
      'artifact-name': 'moving-17',
      'pg-bin-dir': pgBinDir
    })
    expect(backup.error).toBeUndefined()
    const { zip } = await storedBackup('moving-17')
    // the new server: the app's owner may create roles and databases, nothing more
    await b.query(
      'postgres',
      `CREATE ROLE mover LOGIN CREATEROLE CREATEDB PASSWORD 'mover-pass-1';`
    )
    const target = await b.createDatabase('shop')
    await b.query('postgres', `ALTER DATABASE shop OWNER TO mover`)
    await b.query(target, `ALTER SCHEMA public OWNER TO mover`)
    const moverUrl = b.url(target, { user: 'mover', password: 'mover-pass-1' }).replace(/\?.*$/, '')
    await b.query(target, `SET ROLE mover; CREATE ROLE shop_etl NOLOGIN;`)
    const owner = async (): Promise<string> =>
      (
        await b.query<{ owner: string }>(
          target,
          `SELECT tableowner AS owner FROM pg_tables WHERE tablename = 'orders'`
        )
      )[0].owner
    const first = await runStep(
      { mode: 'restore', 'database-url': moverUrl, 'backup-file': zip, 'pg-bin-dir': pgBinDir },
      false
    )
    expect(first.error).toBeUndefined()
    expect(await owner()).toBe('mover')
    const warning = first.stdout
      .split('\n')
      .find(l => l.startsWith('::warning::mover may not act as the role shop_etl'))
    expect(warning).toContain('run GRANT shop_etl TO mover; (the role needs CREATE on the schemas')
    // what the warning says, as the role it names
    await b.query(
      target,
      `SET ROLE mover; GRANT shop_etl TO mover; GRANT CREATE ON SCHEMA public TO shop_etl;`
    )
    const second = await runStep(
      {
        mode: 'restore',
        'database-url': moverUrl,
        'backup-file': zip,
        'pg-bin-dir': pgBinDir,
        clean: 'true'
      },
      false
    )
    expect(second.error).toBeUndefined()
    expect(await owner()).toBe('shop_etl')
    expect(second.stdout).not.toContain('may not act as the role')
  }, 240_000)
})

describe('PostgreSQL 17: create-roles as a CREATEROLE non-superuser (attacker a69 F3)', () => {
  const servers: TestServer[] = []
  afterAll(async () => {
    await Promise.all(servers.map(s => s.stop()))
  })

  it("the membership PostgreSQL 16+ gives the creator in each role it creates is the restore's own, not a change to the whole server", async () => {
    const [a, b, c] = await Promise.all([
      startPostgres({ binDir: embeddedBinDir(17) }),
      startPostgres({ binDir: embeddedBinDir(17) }),
      startPostgres({ binDir: embeddedBinDir(17) })
    ])
    servers.push(a, b, c)
    const source = await a.createDatabase('shop')
    await a.query('postgres', `CREATE ROLE shop_app NOLOGIN; CREATE ROLE shop_ro NOLOGIN;`)
    await a.query(
      source,
      `CREATE TABLE public.orders (id int PRIMARY KEY); INSERT INTO public.orders VALUES (1), (2);
       ALTER TABLE public.orders OWNER TO shop_app; GRANT SELECT ON public.orders TO shop_ro;`
    )
    const pgBinDir = provisionedBinDir(17)
    const backup = await runStep({
      'database-url': a.url(source),
      'artifact-name': 'creator-17',
      'pg-bin-dir': pgBinDir,
      globals: 'true'
    })
    expect(backup.error).toBeUndefined()
    const { zip } = await storedBackup('creator-17')
    // one transaction (checked before its COMMIT), and jobs: 2 (compared after the load)
    for (const [target, extra] of [
      [b, {}],
      [c, { jobs: '2', 'single-transaction': 'false' }]
    ] as const) {
      await target.query('postgres', `CREATE ROLE mover LOGIN CREATEROLE PASSWORD 'mover-pass-2';`)
      const db = await target.createDatabase('shop')
      await target.query('postgres', `ALTER DATABASE shop OWNER TO mover`)
      await target.query(db, `ALTER SCHEMA public OWNER TO mover`)
      const step = await runStep(
        {
          mode: 'restore',
          'database-url': target
            .url(db, { user: 'mover', password: 'mover-pass-2' })
            .replace(/\?.*$/, ''),
          'backup-file': zip,
          'pg-bin-dir': pgBinDir,
          'create-roles': 'true',
          ...extra
        },
        false
      )
      expect(step.error).toBeUndefined()
      expect(await target.query(db, 'SELECT count(*)::int AS n FROM public.orders')).toEqual([
        { n: 2 }
      ])
      // what made the check speak: the creator's membership in each role it created
      const creator = await target.query<{ role: string }>(
        'postgres',
        `SELECT r.rolname AS role FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid
          WHERE m.member = 'mover'::regrole ORDER BY 1`
      )
      expect(creator.map(r => r.role)).toEqual(expect.arrayContaining(['shop_app', 'shop_ro']))
    }
  }, 240_000)
})

describe("a backup's default privileges of a role the target lacks (trial u36 F1)", () => {
  const servers: TestServer[] = []
  afterAll(async () => {
    await Promise.all(servers.map(s => s.stop()))
  })

  it('are one warning with the same statements for the restoring role, which give the grantee its grants again', async () => {
    const [a, b] = await Promise.all([startPostgres(), startPostgres()])
    servers.push(a, b)
    const source = await a.createDatabase('neondb')
    await a.query(
      'postgres',
      `CREATE ROLE neon_owner NOLOGIN; CREATE ROLE app_reader NOLOGIN;
       ALTER DATABASE neondb OWNER TO neon_owner;`
    )
    await a.query(
      source,
      `CREATE SCHEMA app AUTHORIZATION neon_owner;
       SET ROLE neon_owner;
       CREATE TABLE app.items (id int PRIMARY KEY); INSERT INTO app.items VALUES (1);
       ALTER DEFAULT PRIVILEGES FOR ROLE neon_owner IN SCHEMA app GRANT SELECT ON TABLES TO app_reader;`
    )
    const backup = await runStep({ 'database-url': a.url(source), 'artifact-name': 'defaults-u36' })
    expect(backup.error).toBeUndefined()
    const { zip } = await storedBackup('defaults-u36')
    // the new server: its own owner, the reader made, the old owner not
    await b.query(
      'postgres',
      `CREATE ROLE app_owner LOGIN PASSWORD 'app-owner-pass-1'; CREATE ROLE app_reader NOLOGIN;`
    )
    const target = await b.createDatabase('neondb')
    await b.query('postgres', `ALTER DATABASE neondb OWNER TO app_owner`)
    await b.query(target, `ALTER SCHEMA public OWNER TO app_owner`)
    const url = b
      .url(target, { user: 'app_owner', password: 'app-owner-pass-1' })
      .replace(/\?.*$/, '')
    const step = await runStep(
      { mode: 'restore', 'database-url': url, 'backup-file': zip, 'no-privileges': 'false' },
      false
    )
    expect(step.error).toBeUndefined()
    const warnings = step.stdout.split('\n').filter(l => l.startsWith('::warning::'))
    // not "a grant to neon_owner" (it counted so): the defaults are neon_owner's own
    expect(warnings.join('\n')).not.toMatch(/lacks the role "neon_owner"/)
    const warning = warnings.find(l => l.includes('default privilege statement of the backup'))
    const again =
      /(ALTER DEFAULT PRIVILEGES FOR ROLE app_owner IN SCHEMA app GRANT SELECT ON TABLES\s+TO app_reader;)/.exec(
        warning ?? ''
      )
    expect(again).not.toBeNull()
    // what it says to run, as the restoring role: a table it makes later is app_reader's to read
    await b.query(target, `SET ROLE app_owner; ${again![1]} CREATE TABLE app.later (id int);`)
    const reads = await b.query<{ ok: boolean }>(
      target,
      `SELECT has_table_privilege('app_reader', 'app.later', 'SELECT') AS ok`
    )
    expect(reads[0].ok).toBe(true)
  }, 240_000)
})
