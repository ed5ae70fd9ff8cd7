/**
 * Free text a check copies into evidence (CLI output, error messages, SMTP replies) may carry a
 * secret the check was never told about: Postal echoes a wrong API key back in `data.token`, and a
 * CLI prints whatever Postal answered. Checks pass such text through here before quoting it.
 * Structured fields (hashes, ids) are not scrubbed: they are chosen by the check, not quoted.
 */
import { createHash } from 'node:crypto';

/** Postal credential keys are 24 alphanumerics; anything that long with letters and digits is treated as one. */
const KEY_SHAPED = /\b(?=[A-Za-z0-9]*[0-9])(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{20,40}\b/g;
/** A value next to a key-ish name, however it is shaped. */
export const KEYISH_VALUE = /((?:api[_-]?key|x-server-api-key|token|password|secret)["']?\s*[:=]\s*["']?)([^"'\s,;}]{4,})/gi;

/**
 * A secret is replaced whole: no character of it survives (showing its first and last characters
 * would hand out part of it). The short sha256 fingerprint lets a reader see that two masked values
 * are the same secret, without being able to read either.
 */
export function maskValue(value: string): string {
  return `[masked:${createHash('sha256').update(value).digest('hex').slice(0, 8)}]`;
}

export function scrubSecrets(text: string): string {
  return text
    .replace(KEYISH_VALUE, (_, prefix: string, value: string) => `${prefix}${maskValue(value)}`)
    .replace(KEY_SHAPED, (value) => maskValue(value));
}

/** Scrubbed, and cut to `max` characters so a runaway output does not swamp the report. */
export function quoteOutput(text: string | undefined, max = 600): string {
  const clean = scrubSecrets((text ?? '').trim());
  return clean.length > max ? `${clean.slice(0, max)}… (${clean.length - max} more characters)` : clean;
}
