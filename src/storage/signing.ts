/**
 * Authenticated backups (signing-key): a backup signs its manifest — HMAC-SHA-256 with a secret
 * key over the manifest's exact bytes and the dump's sha256 — and stores the signature beside
 * it (`manifest.json.sig` in the artifact's zip, `<file>.manifest.json.sig` in S3 and locally).
 * A restore or verify given the key refuses, before anything is decoded, a backup that has no
 * signature, whose signature does not match, or whose dump is not the one the manifest names.
 * Encryption alone proves nothing about who made a backup: the recipients' keys are public.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { CheckError } from '../errors.js'

/** The signature's file name beside manifest.json. */
export const SIGNATURE_FILE = 'manifest.json.sig'
/** The signature's prefix: its scheme and version. */
const SCHEME = 'hmac-sha256-v1'
/** Bound on what is read as a signature. */
export const MAX_SIGNATURE_BYTES = 256

export class SignatureError extends CheckError {
  override name = 'SignatureError'
}

function mac(key: string, manifestBytes: Buffer, sha256: string): Buffer {
  return createHmac('sha256', Buffer.from(key, 'utf8'))
    .update(`postgres-backup-action manifest signature v1\nsha256:${sha256}\n`)
    .update(manifestBytes)
    .digest()
}

/**
 * The signature file's text for `manifestBytes` (the manifest exactly as stored) of a dump
 * whose sha256 (hex) is `sha256`: `hmac-sha256-v1:<64 hex>` and a newline.
 */
export function signManifest(key: string, manifestBytes: Buffer | string, sha256: string): string {
  const bytes = Buffer.isBuffer(manifestBytes) ? manifestBytes : Buffer.from(manifestBytes, 'utf8')
  return `${SCHEME}:${mac(key, bytes, sha256).toString('hex')}\n`
}

/**
 * Checks a backup against the key: its manifest bytes, the signature stored beside them (undefined
 * when there is none) and the sha256 of the dump as it was read. `what` names the backup.
 * Throws a SignatureError; nothing of the backup has been decoded when it does.
 */
export function checkSignature(
  key: string,
  backup: {
    what: string
    manifestBytes?: Buffer
    manifestSha256?: string
    signature?: Buffer
    dumpSha256?: string
  },
  /** What the key is checked for: a restore (the default) or mode: check (the manifest only). */
  purpose: 'restore' | 'check' = 'restore'
): void {
  const { what } = backup
  const only =
    purpose === 'restore'
      ? 'only backups signed with that key are restored'
      : 'only backups signed with that key count'
  const outcome =
    purpose === 'restore'
      ? 'Nothing was restored.'
      : 'The check fails: a restore with this signing-key would refuse this backup.'
  if (!backup.manifestBytes || !backup.manifestSha256) {
    throw new SignatureError(
      `${what} has no manifest, so it carries no signature; with signing-key set ${only}. ${outcome}`
    )
  }
  if (!backup.signature) {
    throw new SignatureError(
      `${what} is not signed (no ${SIGNATURE_FILE} beside its manifest); with signing-key set ${only} — a backup made without signing-key, or put there by someone else. ${outcome}`
    )
  }
  const text = backup.signature.subarray(0, MAX_SIGNATURE_BYTES).toString('utf8').trim()
  const match = new RegExp(`^${SCHEME}:([0-9a-f]{64})$`).exec(text)
  const expected = mac(key, backup.manifestBytes, backup.manifestSha256)
  if (!match || !timingSafeEqual(Buffer.from(match[1], 'hex'), expected)) {
    throw new SignatureError(
      `${what}'s signature does not match its manifest under this signing-key: it was signed with another key, or its manifest or signature was changed. ${outcome}`
    )
  }
  if (backup.dumpSha256 === undefined || backup.dumpSha256 !== backup.manifestSha256) {
    throw new SignatureError(
      `${what}'s dump is not the one its signed manifest names (sha256 ${backup.dumpSha256 ?? 'unknown'} ≠ ${backup.manifestSha256}). ${outcome}`
    )
  }
}
