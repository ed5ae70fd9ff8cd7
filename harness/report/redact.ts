/**
 * Masks secrets in anything we write. Known secrets are masked by value; on top of that, anything
 * shaped like a Postal credential (24 alphanumerics) next to a key-ish word is masked, because a
 * secret we were never told about must not leak either (Postal echoes a wrong key back in `data.token`).
 */
const KEYISH = /((?:api[_-]?key|x-server-api-key|token|password|secret|key)["']?\s*[:=]\s*["']?)([A-Za-z0-9]{16,})/gi;

export function maskSecret(secret: string): string {
  if (secret.length <= 4) return '****';
  return `${secret.slice(0, 2)}${'*'.repeat(Math.min(secret.length - 4, 20))}${secret.slice(-2)}`;
}

export function createRedactor(secrets: Iterable<string>): (text: string) => string {
  const known = [...new Set([...secrets].filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length);
  return (text: string) => {
    let out = text;
    for (const secret of known) out = out.split(secret).join(maskSecret(secret));
    return out.replace(KEYISH, (_, prefix: string, value: string) => `${prefix}${maskSecret(value)}`);
  };
}

/** Deep-redacts a JSON-able value by redacting its serialisation. */
export function redactJson<T>(value: T, redact: (text: string) => string): T {
  return JSON.parse(redact(JSON.stringify(value))) as T;
}
