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

/**
 * Secrets shorter than this occur in ordinary text by chance (a password "2024" in a size or a
 * date): the step's outputs, which are made of sizes, digests, names and versions and never of a
 * URL or a key, keep such text as it is (see redactOutput), and the run warns (shortSecrets).
 */
export const SHORT_SECRET = 8

/** Replaces every known secret in `text` by ***, longest first. */
export function redact(text: string, minLength = 1): string {
  let out = text
  for (const secret of [...known].sort((a, b) => b.length - a.length)) {
    if (secret.length < minLength) continue
    out = out.split(secret).join('***')
  }
  return out
}

/** An output's value: redacted of every secret but the short ones (SHORT_SECRET). */
export function redactOutput(text: string): string {
  return redact(text, SHORT_SECRET)
}

/** How many of `secrets` are short enough to occur in ordinary text (SHORT_SECRET). */
export function shortSecrets(secrets: Iterable<string>): number {
  return [...secrets].filter(s => s.length > 0 && s.length < SHORT_SECRET).length
}

/** For tests: forget the secrets of an earlier run in the same process. */
export function clearSecrets(): void {
  known.clear()
}
