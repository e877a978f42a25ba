/**
 * pgbk16_probe: a tiny extension of the tests, written into a server's share directory.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import path from 'node:path'

/**
 * A tiny extension with an internal table (a member pg_dump does not dump) and a configuration
 * table whose rows pg_dump dumps only WHERE NOT builtin. Written into the server's share
 * directory when it is writable (the test of extensions is skipped otherwise).
 */
export function installProbeExtension(binDir: string): boolean {
  try {
    const share = execFileSync(path.join(binDir, 'pg_config'), ['--sharedir'], {
      encoding: 'utf8'
    }).trim()
    const dir = path.join(share, 'extension')
    const control = path.join(dir, 'pgbk16_probe.control')
    if (!existsSync(control)) {
      writeFileSync(
        path.join(dir, 'pgbk16_probe--1.0.sql'),
        `CREATE TABLE ext_internal (id int PRIMARY KEY, note text);
INSERT INTO ext_internal VALUES (1, 'a'), (2, 'b'), (3, 'c');
CREATE TABLE ext_settings (key text PRIMARY KEY, value text, builtin boolean NOT NULL DEFAULT false);
INSERT INTO ext_settings VALUES ('a', '1', true), ('b', '2', true);
SELECT pg_catalog.pg_extension_config_dump('ext_settings', 'WHERE NOT builtin');
`
      )
      writeFileSync(
        control,
        "comment = 'test extension with its own tables (postgres-backup-action tests)'\ndefault_version = '1.0'\nrelocatable = false\nschema = ext\n"
      )
    }
    return true
  } catch {
    return false
  }
}
