/**
 * Secrets known to this run: masked in the runner's log with core.setSecret (the CLI has no
 * runner: setSecretMasker), and redacted from every text the action writes itself (job summary,
 * error messages, outputs, the terminal's log).
 */
import * as core from '@actions/core'

const known = new Set<string>()
let mask: (secret: string) => void = secret => core.setSecret(secret)

/**
 * How a new secret is announced: to the runner (core.setSecret, the default), or not at all
 * (the CLI, which only redacts what it prints itself).
 */
export function setSecretMasker(masker: (secret: string) => void): void {
  mask = masker
}

export function registerSecret(secret: string | undefined): void {
  if (!secret) return
  if (!known.has(secret)) {
    known.add(secret)
    mask(secret)
  }
}

export function registerSecrets(secrets: Iterable<string>): void {
  for (const s of secrets) registerSecret(s)
}

/** Replaces every known secret in `text` by ***, longest first. */
export function redact(text: string): string {
  let out = text
  for (const secret of [...known].sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join('***')
  }
  return out
}

/** For tests: forget the secrets of an earlier run in the same process. */
export function clearSecrets(): void {
  known.clear()
}
