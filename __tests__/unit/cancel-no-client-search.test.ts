/**
 * After a cancel, nothing looks for a client, installs one or plans a restore: its programs are
 * refused (no new program starts), and the refusal read as a missing client logged "No suitable
 * pg_restore is installed …; installing postgresql-client-15", apt's advice and "could not run
 * timeout" after a SIGINT during a restore that loaded while the artifact downloaded (trial u26
 * F2). The run ends with the cancel's own error. (A file of its own: the cancel is for the
 * whole process.)
 */
import { describe, expect, it, jest } from '@jest/globals'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { chooseRestoreClient, discoverClients } from '../../src/postgres/clients.js'
import type { ClientInstaller } from '../../src/postgres/install.js'
import { cancelChildren } from '../../src/process.js'
import { planRestore } from '../../src/modes/restore-plan.js'
import type { FetchedBackup } from '../../src/storage/fetch.js'
import { testRestoreInputs } from '../support/inputs.js'

describe('a cancelled run', () => {
  it('discovers, installs and plans nothing: the cancel is the error', async () => {
    await cancelChildren('SIGINT')
    const installer = jest.fn<ClientInstaller>()
    const said: string[] = []
    await expect(
      chooseRestoreClient('pg_restore', 15, 15, {
        dirs: [mkdtempSync(path.join(tmpdir(), 'no-client-'))],
        installClient: true,
        installer,
        log: line => said.push(line)
      })
    ).rejects.toThrow('the run was cancelled (SIGINT)')
    expect(installer).not.toHaveBeenCalled()
    expect(said).toEqual([])
    // pg-bin-dir: its probe stopped by the cancel says nothing of the directory (attacker a58 F3)
    await expect(
      chooseRestoreClient('pg_restore', 15, 15, { pgBinDir: '/usr/lib/postgresql/15/bin' })
    ).rejects.toThrow('the run was cancelled (SIGINT)')
    await expect(discoverClients('pg_restore', ['/usr/lib/postgresql/15/bin'])).rejects.toThrow(
      'the run was cancelled (SIGINT)'
    )
    const dir = mkdtempSync(path.join(tmpdir(), 'cancel-plan-'))
    const file = path.join(dir, 'backup.sql')
    writeFileSync(file, 'SELECT 1;\n')
    const inputs = testRestoreInputs('postgresql://u:pw-long@127.0.0.1:9/db', {
      kind: 'file',
      path: file
    } as never)
    await expect(
      planRestore(
        { ...inputs, installClient: true },
        { dump: { path: file } } as unknown as FetchedBackup,
        [],
        installer
      )
    ).rejects.toThrow('the run was cancelled (SIGINT)')
    expect(installer).not.toHaveBeenCalled()
  })
})
