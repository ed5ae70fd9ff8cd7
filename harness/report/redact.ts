import { KEYISH_VALUE, maskValue } from '../checks/secret-scrub.ts';

/**
 * Masks secrets in anything we write. Known secrets are masked by value; on top of that, any value
 * next to a key-ish name (api key, token, password, secret) is masked, because a secret we were never
 * told about must not leak either (Postal echoes a wrong key back in `data.token`). The same masking
 * the checks apply to text they quote (secret-scrub.ts), without its "anything key-shaped" rule, which
 * would also eat DKIM keys and signatures the report must show.
 */
export function createRedactor(secrets: Iterable<string>): (text: string) => string {
  const known = [...new Set([...secrets].filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length);
  return (text: string) => {
    let out = text;
    for (const secret of known) out = out.split(secret).join(maskValue(secret));
    return out.replace(KEYISH_VALUE, (_, prefix: string, value: string) => `${prefix}${maskValue(value)}`);
  };
}

