/**
 * The words of a change to what belongs to the whole server (cluster-state.ts, attacker a68 F2):
 * each field that changed, before and after; roles and settings new or gone; databases and
 * tablespaces only as changed (none can be made or dropped inside a transaction: a new one is
 * another session's).
 */
import { describe, expect, it } from '@jest/globals'
import {
  type ClusterState,
  clusterChanges,
  clusterCheck
} from '../../src/postgres/cluster-state.js'

const before: ClusterState = {
  database: {
    '16384': { name: 'shop', owner: 'app', 'connection limit': -1, comment: null },
    '16390': { name: 'other', owner: 'app', 'connection limit': -1, comment: null }
  },
  role: { '10': { name: 'postgres', superuser: true }, '16385': { name: 'app', superuser: false } },
  setting: {},
  membership: {},
  tablespace: { '1663': { name: 'pg_default', owner: 'postgres' } }
}

describe('clusterChanges', () => {
  it('names each changed field without its values (the new one chosen by code, the old one a secret: attackers a105 H3, a106 F6); what is new without its name; nothing when equal', () => {
    expect(clusterChanges(before, structuredClone(before))).toEqual([])
    const after = structuredClone(before)
    after.database['16390'] = { name: 'gone_t2', owner: 'app', 'connection limit': 0, comment: 'x' }
    after.role['16400'] = { name: 'backdoor', superuser: true }
    after.role['16385'].superuser = true
    after.setting['of role app in every database'] = { settings: '{work_mem=64kB}' }
    expect(clusterChanges(before, after)).toEqual([
      'database "other": name changed, connection limit changed, comment changed',
      'role "app": superuser changed',
      'role: a new one (what it is withheld from the log: code the load ran can choose its name)',
      'setting: a new one (what it is withheld from the log: code the load ran can choose its name)'
    ])
  })

  it("a database or tablespace made or dropped meanwhile is another session's, not counted; a role dropped is", () => {
    const after = structuredClone(before)
    delete after.database['16390']
    after.database['16500'] = { name: 'created_meanwhile', owner: 'app' }
    after.tablespace['20000'] = { name: 'fast', owner: 'postgres' }
    delete after.role['16385']
    expect(clusterChanges(before, after)).toEqual(['role "app": gone'])
  })

  it("the restoring role's own membership revoked takes rights only from it: not counted; one given to it is", () => {
    const was = structuredClone(before)
    was.membership['app in reader (granted by postgres)'] = { 'restoring role': true }
    was.membership['alice in reader (granted by postgres)'] = { 'restoring role': false }
    const after = structuredClone(was)
    delete after.membership['app in reader (granted by postgres)']
    after.membership['app in pg_execute_server_program (granted by postgres)'] = {
      'restoring role': true
    }
    delete after.membership['alice in reader (granted by postgres)']
    expect(clusterChanges(was, after)).toEqual([
      'membership alice in reader (granted by postgres): gone',
      'membership: a new one (what it is withheld from the log: code the load ran can choose its name)'
    ])
    // a membership of a role that is new: its name would be in the log
    after.role['16500'] = { name: 'leak SECRET', superuser: false }
    after.membership['leak SECRET in reader (granted by app)'] = { 'restoring role': false }
    expect(clusterChanges(was, after).join('\n')).not.toMatch(/SECRET/)
  })

  it("the check's statement carries the state and the roles it leaves out, quoted", () => {
    const sql = clusterCheck(before, ['new "role"', 'b\\c'])
    expect(sql).toMatch(/^DO \$cluster\$/)
    expect(sql).toContain('{"new \\"role\\"","b\\\\c"}')
    expect(sql).toContain(JSON.stringify(before))
    expect(sql).toContain("'{database,tablespace}'")
  })
})
