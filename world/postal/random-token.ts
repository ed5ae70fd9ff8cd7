import { randomInt } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Random alphanumerics, as Postal's `SecureRandom.alphanumeric` / `Nifty::Utils::RandomString` make them. */
export function randomAlphanumeric(length: number, alphabet: 'mixed' | 'upper' = 'mixed'): string {
  const chars = alphabet === 'upper' ? UPPER_ALNUM : ALNUM;
  let out = '';
  for (let i = 0; i < length; i++) out += chars[randomInt(chars.length)];
  return out;
}

/** Ruby's `Base64.encode64`: 60 characters a line, each line ending in "\n" (Postal uses it in payloads). */
export function rubyBase64(data: Buffer): string {
  const flat = data.toString('base64');
  if (flat.length === 0) return '';
  return flat.replace(/(.{60})/g, '$1\n').replace(/\n?$/, '\n');
}

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * A domain's `dkim_identifier_string` (app/models/domain.rb:58, nifty-utils' random_string, length 6):
 * a letter, four letters or digits, a letter — e.g. "YsUd4X", as a real 3.3.2 made it.
 */
export function randomSelectorString(): string {
  const letter = (): string => LETTERS[randomInt(LETTERS.length)]!;
  return `${letter()}${randomAlphanumeric(4)}${letter()}`;
}
