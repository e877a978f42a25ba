/**
 * Whether this process let a restore's one transaction commit: the script gate wrote its COMMIT
 * to psql, or the direct load released the held-back end of the archive to pg_restore -d, which
 * commits once it read it. From then on a cancel or failure can no longer promise a rollback (a
 * COMMIT with deferred constraints or triggers can take seconds on the server): the front doors
 * read it for what a failed or cancelled run may say of the target (main.ts failureContext).
 */
let sent = false

/** The load let its transaction commit (see above). */
export function markCommitSent(): void {
  sent = true
}

export function commitSent(): boolean {
  return sent
}

/** A new run: nothing sent yet. */
export function resetCommitMark(): void {
  sent = false
}
