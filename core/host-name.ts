/**
 * Host names as RFC 1123 §2.1 has them (letters, digits and hyphens; labels of 1–63 characters that
 * neither start nor end with a hyphen; at most 253 characters), the one rule for every field that ends
 * up in a URL, a zone or a connection: a space, an underscore or a line break is refused up front,
 * never met as "Invalid URL" or a DNS error halfway through a run.
 */
import { isIP } from 'node:net';

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

export function isHostName(text: string): boolean {
  const name = text.endsWith('.') ? text.slice(0, -1) : text;
  return name.length >= 1 && name.length <= 253 && name.split('.').every((label) => LABEL.test(label));
}

/** A host name with at least two labels whose last is alphabetic (mail.example.com). */
export function isFullyQualified(text: string): boolean {
  return isHostName(text) && /\.[a-z]{2,63}\.?$/i.test(text);
}

/** A host name or an IP address (IPv6 without brackets). */
export function isHostOrAddress(text: string): boolean {
  return isIP(text) !== 0 || isHostName(text);
}

/** The first control character (a line break, a tab, NUL…) in `text`, as its 1-based column. */
export function controlCharacterColumn(text: string): number | undefined {
  // eslint-disable-next-line no-control-regex -- finding control characters is this function's purpose
  const at = text.search(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
  return at < 0 ? undefined : at + 1;
}

/** 127.0.0.0/8, ::1 and localhost: the only places an API key may travel over plain HTTP without asking. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return bare === '::1' || bare === '0:0:0:0:0:0:0:1';
}
