/**
 * The target's own DDL audit event trigger fills its log as the restore's statements run: the net
 * (the target's own objects proven unchanged before COMMIT) rolls the restore back, and the error
 * says the rows came from the target's event trigger and how to restore anyway — not that the
 * backup is suspect (trial u43 F3).
 */
import { describe, expect, it } from '@jest/globals'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { useHarness } from '../support/harness.js'
import { testRestoreInputs } from '../support/inputs.js'

const harness = useHarness({ name: 'event-trigger-net' })

describe("a target with a DBA's DDL audit event trigger", () => {
  it('the net names the event trigger that wrote its log, and the statements that let the restore run', async () => {
    const server = harness.server
    const target = await server.createDatabase()
    await server.query(
      target,
      `CREATE SCHEMA audit;
       CREATE TABLE audit.ddl_log (at timestamptz DEFAULT now(), tag text, object text);
       CREATE FUNCTION audit.log_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$
       BEGIN INSERT INTO audit.ddl_log (tag, object) SELECT command_tag, object_identity FROM pg_event_trigger_ddl_commands(); END $$;
       CREATE EVENT TRIGGER audit_ddl ON ddl_command_end EXECUTE FUNCTION audit.log_ddl();`
    )
    const file = path.join(harness.work, 'app.sql')
    writeFileSync(
      file,
      'CREATE TABLE public.items (id integer PRIMARY KEY, name text);\nCOPY public.items (id, name) FROM stdin;\n1\tone\n\\.\n'
    )
    const failed = await harness
      .restore(testRestoreInputs(server.url(target), { kind: 'file', path: file }))
      .then(
        () => undefined,
        (error: Error) => error
      )
    expect(failed?.message).toMatch(
      /^the restore changed objects of the target that the backup does not own — audit\.ddl_log: /
    )
    expect(failed?.message).toContain(
      "The target's own event trigger audit_ddl (audit.log_ddl(), which writes audit.ddl_log) fires on every DDL statement of the restore"
    )
    expect(failed?.message).toContain('ALTER EVENT TRIGGER audit_ddl DISABLE;')
    expect(failed?.message).not.toMatch(
      /The backup holds statements that act on the target's own objects/
    )
    // the way it names: disabled, the restore passes; enabled again after
    await server.query(target, 'ALTER EVENT TRIGGER audit_ddl DISABLE')
    await harness.restore(testRestoreInputs(server.url(target), { kind: 'file', path: file }))
    await server.query(target, 'ALTER EVENT TRIGGER audit_ddl ENABLE')
    expect(await server.query(target, 'SELECT count(*)::int AS n FROM public.items')).toEqual([
      { n: 1 }
    ])
    await server.dropDatabase(target)
  }, 60_000)
})
