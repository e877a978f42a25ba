/**
 * A random token of this process, in the errors the restore's own checks raise before COMMIT
 * (the net's, the cluster check's): their message is read back from psql's stderr and shown,
 * while an error a function of the backup raised is withheld. A function can raise any text,
 * the check's words included (attacker a106 F12: "restore net: objects of the target
 * changed: " followed by a large object's content, printed as the restore's verdict); it cannot
 * know this token, which reaches the server only in the check's own statement, after the load.
 */
import { randomBytes } from 'node:crypto'

export const MARKER_TOKEN = randomBytes(9).toString('base64url')
