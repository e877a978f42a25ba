/**
 * allow-non-empty's refusal of a schema the backup creates that a session's search_path would
 * search (restore.ts refuseRoleNamedSchemas): a role's name ("$user") or a schema named in the
 * target's search_path settings (pg_db_role_setting), however the script names the schema
 * (attacker a68 F3).
 */
import { describe, expect, it } from '@jest/globals'
import { refuseRoleNamedSchemas } from '../../src/modes/restore.js'
import { PsqlLexer } from '../../src/postgres/psql-lexer.js'
import { PlainDumpObjects } from '../../src/postgres/plain-sql.js'

function references(script: string): PlainDumpObjects {
  const objects = new PlainDumpObjects()
  const lexer = new PsqlLexer()
  for (const e of [...lexer.write(Buffer.from(script)), ...lexer.end()])
    if (e.kind === 'statement') objects.see(e)
  return objects
}

const FACTS = {
  roles: ['app', 'postgres', 'web', 'Odd Role'],
  currentUser: 'app',
  schemas: [
    { name: 'public', owner: 'app', relations: 1 },
    { name: 'keep', owner: 'app', relations: 1 }
  ],
  objectOwners: ['app'],
  searchPaths: [
    { role: 'web', path: 'reporting, public' },
    { database: 'shop', path: '"$user", public, "Shared"' },
    { role: 'batch', database: 'shop', path: 'jobs' }
  ]
}

/** The refusal's message, or undefined when the restore goes on. */
function refusal(script: string, facts: Partial<typeof FACTS> = {}): string | undefined {
  try {
    refuseRoleNamedSchemas(
      { database: 'shop' },
      { references: references(script) },
      {
        ...FACTS,
        ...facts
      }
    )
    return undefined
  } catch (error) {
    return (error as Error).message
  }
}

describe('refuseRoleNamedSchemas', () => {
  it.each([
    ['CREATE SCHEMA app;', 'app'],
    ['CREATE SCHEMA AUTHORIZATION app;\nCREATE TABLE users (id int);', 'app'],
    ['CREATE SCHEMA IF NOT EXISTS AUTHORIZATION web;', 'web'],
    ['CREATE SCHEMA AUTHORIZATION "Odd Role";', 'Odd Role'],
    ['CREATE SCHEMA AUTHORIZATION CURRENT_USER;\nCREATE TABLE users (id int);', 'app'],
    ['CREATE SCHEMA AUTHORIZATION session_user;', 'app'],
    ['CREATE SCHEMA s1;\nCREATE TABLE s1.users (id int);\nALTER SCHEMA s1 RENAME TO app;', 'app']
  ])('a role-named schema: %s', (script, schema) => {
    expect(refusal(script)).toMatch(
      new RegExp(
        `the backup creates schema "${schema}", which is the name of a role of the target's server[^]*"\\$user", public[^]*Nothing was changed\\. Restore into an empty database; create the schema in the target first`
      )
    )
  })

  it.each([
    [
      'CREATE SCHEMA reporting;\nCREATE TABLE reporting.users (id int);',
      'reporting',
      /role web in every database has search_path = reporting, public \(ALTER ROLE web SET search_path\)/
    ],
    [
      'CREATE SCHEMA "Shared";',
      'Shared',
      /every role in database shop has search_path = "\$user", public, "Shared" \(ALTER DATABASE shop SET search_path\)/
    ],
    [
      'CREATE SCHEMA jobs AUTHORIZATION app;',
      'jobs',
      /role batch in database shop has search_path = jobs \(ALTER ROLE batch IN DATABASE shop SET search_path\)/
    ],
    ['CREATE SCHEMA s1;\nALTER SCHEMA s1 RENAME TO reporting;', 'reporting', /role web/]
  ])('a schema on a configured search_path: %s', (script, schema, setting) => {
    const message = refusal(script)
    expect(message).toMatch(
      new RegExp(
        `the backup creates schema "${schema}", which is on the search_path of roles of the target's server`
      )
    )
    expect(message).toMatch(setting)
    expect(message).toMatch(/Nothing was changed\. Restore into an empty database/)
  })

  it('goes on: a schema nobody searches, one the target has, a target that holds nothing', () => {
    expect(refusal('CREATE SCHEMA reports;\nCREATE TABLE reports.users (id int);')).toBeUndefined()
    expect(refusal('CREATE SCHEMA AUTHORIZATION keep;')).toBeUndefined()
    expect(
      refusal('CREATE SCHEMA AUTHORIZATION app;', {
        schemas: [{ name: 'public', owner: 'app', relations: 0 }],
        objectOwners: []
      })
    ).toBeUndefined()
    expect(
      refusal('CREATE SCHEMA reporting;', {
        schemas: [...FACTS.schemas, { name: 'reporting', owner: 'app', relations: 0 }]
      })
    ).toBeUndefined()
  })
})
