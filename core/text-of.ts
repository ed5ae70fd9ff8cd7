/**
 * A value from a JSON answer as text for a message: strings as they are, numbers and booleans printed,
 * nothing (undefined, null) as '', anything else as JSON — never "[object Object]".
 */
export function textOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? '';
}
