/**
 * A REVOKE the script makes under another role's session (SET SESSION AUTHORIZATION, which only
 * a superuser may take) runs as the restoring role, as psql by hand runs it after the SET fails:
 * left out, the grantee kept what the backup took from it, under a ✔ (attacker a69 F4). A GRANT
 * there is still left out where the restore cannot make it as the backup's grantor.
 */
import { describe, expect, it } from '@jest/globals'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { useHarness } from '../support/harness.js'
import { testRestoreInputs } from '../support/inputs.js'

const harness = useHarness({ name: 'revoke-authorization' })

const ROLE = 'revoke_restorer'
const PASSWORD = 'revoke-pw-69'

describe('a REVOKE under a superuser’s SET SESSION AUTHORIZATION, restored by a role that is not one', () => {
  it('runs as the restoring role: the grantee may no longer read the table, as after psql by hand', async () => {
    const server = harness.server
    await server.query(
      'postgres',
      `DO $$BEGIN CREATE ROLE ${ROLE} LOGIN PASSWORD '${PASSWORD}'; EXCEPTION WHEN duplicate_object THEN NULL; END$$;
       DO $$BEGIN CREATE ROLE revoke_app NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END$$;`
    )
    const target = await server.createDatabase()
    await server.query('postgres', `ALTER DATABASE ${target} OWNER TO ${ROLE}`)
    await server.query(target, `ALTER SCHEMA public OWNER TO ${ROLE}`)
    const file = path.join(harness.work, 'revoke.sql')
    writeFileSync(
      file,
      `SET statement_timeout = 0;
SELECT pg_catalog.set_config('search_path', '', false);
CREATE TABLE public.payroll (name text, salary integer);
COPY public.payroll (name, salary) FROM stdin;
ceo\t1000000
\\.
GRANT SELECT ON TABLE public.payroll TO revoke_app;
SET SESSION AUTHORIZATION postgres;
REVOKE SELECT ON TABLE public.payroll FROM revoke_app;
RESET SESSION AUTHORIZATION;
`
    )
    await harness.restore(
      testRestoreInputs(server.url(target, { user: ROLE, password: PASSWORD }), {
        kind: 'file',
        path: file
      })
    )
    expect(
      await server.query(
        target,
        "SELECT has_table_privilege('revoke_app', 'public.payroll', 'SELECT') AS may"
      )
    ).toEqual([{ may: false }])
    expect(await server.query(target, 'SELECT count(*)::int AS n FROM public.payroll')).toEqual([
      { n: 1 }
    ])
  }, 60_000)
})
