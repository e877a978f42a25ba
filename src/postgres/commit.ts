/**
 * Whether this process let a restore's one transaction commit: the script gate wrote its COMMIT
 * to psql, or the direct load released the held-back end of the archive to pg_restore -d, which
 * commits once it read it. From then on a cancel or failure can no longer promise a rollback (a
 * COMMIT with deferred constraints or triggers can take seconds on the server): the front doors
 * read it for what a failed or cancelled run may say of the target (main.ts failureContext).
 */
let sent = false
/**
 * The loader ended on a statement error (psql's exit code 3 with ON_ERROR_STOP; pg_restore's
 * error from the server with its connection intact): the server rolled the transaction back, even
 * when the COMMIT had been sent (psql stops at the first failing statement, and an error AT the
 * COMMIT, a deferred constraint, is a rollback too).
 */
let rolledBack = false

/** The load let its transaction commit (see above). */
export function markCommitSent(): void {
  sent = true
}

export function commitSent(): boolean {
  return sent
}

/** The loader's statement error rolled its transaction back (see above). */
export function markRolledBack(): void {
  rolledBack = true
}

/**
 * A cancelled loader's transaction, asked about on the server once its session ended
 * (txid_status), had committed: its COMMIT was sent and the server finished it (a COMMIT waiting
 * for a synchronous standby commits locally when its session ends; attacker a36 A4).
 */
let committed = false

/** The server says the loader's transaction committed (see above). */
export function markCommitted(): void {
  committed = true
}

/**
 * What a failed or cancelled load's one transaction came to: 'rolled-back' when the COMMIT was
 * never sent or a statement error ended it, 'committed' when the server said so after the
 * loader's session ended, 'unknown' when the loader was stopped or lost after the COMMIT was sent
 * (the server may have committed).
 */
export function commitOutcome(): 'rolled-back' | 'committed' | 'unknown' {
  if (!sent || rolledBack) return 'rolled-back'
  return committed ? 'committed' : 'unknown'
}

/**
 * What a load without a single transaction leaves undone when it stops before its end, besides
 * its objects and rows (restore.ts: the target's default privileges not yet taken back from the
 * backup's objects: trial u46, whose cancel said nothing of it); said with an interrupted load.
 * Set before the load (resetCommitMark at its start keeps it); run() clears it.
 */
let partialNote: string | undefined

/** Adds `note` to what an interrupted load says (undefined: nothing, as at a run's start). */
export function notePartialLoad(note: string | undefined): void {
  partialNote = note === undefined ? undefined : partialNote ? `${partialNote} ${note}` : note
}

export function partialLoadNote(): string | undefined {
  return partialNote
}

/** A new run: nothing sent yet. */
export function resetCommitMark(): void {
  sent = false
  rolledBack = false
  committed = false
}

/**
 * pg_restore -d reading an archive's files itself (a directory archive): nothing this process
 * feeds it can hold its commit back or mark it. Run with --verbose it names each data entry as it
 * starts ("processing data for table …", LC_MESSAGES=C); once it started the last of its
 * `dataEntries` TABLE DATA entries (at once when there are none) only statements remain before
 * its COMMIT, which may come at any moment: marked then ("may have committed"), not later. The
 * watcher for its stderr lines.
 */
export function markCommitAfterData(dataEntries: number): (line: string) => void {
  let left = dataEntries
  if (left === 0) markCommitSent()
  return line => {
    if (left > 0 && /^pg_restore: processing data for table /.test(line) && --left === 0)
      markCommitSent()
  }
}
