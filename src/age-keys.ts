/**
 * age keys as users write them: public keys (age1…, "recipients") and secret keys
 * (AGE-SECRET-KEY-1…, "identities"). Their form is checked, and that age would accept them
 * (bech32 checksum, key length), so a mistyped key fails as a setting, not mid-run.
 */
import { bech32 } from '@scure/base'

export function isAgeRecipient(text: string): boolean {
  if (!/^age1[0-9a-z]{20,}$/.test(text)) return false
  return bech32Prefix(text)?.startsWith('age') ?? false
}

export function isAgeIdentity(text: string): boolean {
  if (!/^AGE-SECRET-KEY-(PQ-)?1[0-9A-Z]{20,}$/.test(text)) return false
  return bech32Prefix(text)?.startsWith('age-secret-key-') ?? false
}

/** The bech32 prefix when the checksum is right (age keys are bech32, without length limit). */
function bech32Prefix(text: string): string | undefined {
  try {
    return bech32.decode(text.toLowerCase() as `${string}1${string}`, false).prefix
  } catch {
    return undefined
  }
}
