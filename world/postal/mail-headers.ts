/**
 * Header reading the way Postal's SMTP server does it: a map of lower-cased names to every value
 * (unfolded), read from the header block only — cheap enough to run on every message.
 */
import libmime from 'libmime';

export type HeaderMap = Map<string, string[]>;

export function headerBlock(raw: Buffer): string {
  const text = raw.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  return end === -1 ? text : text.slice(0, end);
}

export function parseHeaders(raw: Buffer): HeaderMap {
  const headers: HeaderMap = new Map();
  const lines = headerBlock(raw).split(/\r?\n/);
  let current: { name: string; value: string } | undefined;
  const flush = (): void => {
    if (!current) return;
    const list = headers.get(current.name) ?? [];
    list.push(current.value.trim());
    headers.set(current.name, list);
  };
  for (const line of lines) {
    if (/^[ \t]/.test(line) && current) {
      current.value += ` ${line.trim()}`;
      continue;
    }
    flush();
    const colon = line.indexOf(':');
    current = colon > 0 ? { name: line.slice(0, colon).trim().toLowerCase(), value: line.slice(colon + 1) } : undefined;
  }
  flush();
  return headers;
}

export function lastHeader(headers: HeaderMap, name: string): string | null {
  const values = headers.get(name.toLowerCase());
  return values && values.length > 0 ? values[values.length - 1]! : null;
}

/**
 * A header value as Postal reads it (message.rb#headers: the Mail gem's `field.decoded`): RFC 2047
 * encoded-words decoded, and 8-bit bytes (read as latin1 by headerBlock) taken as the UTF-8 they are.
 */
export function decodedHeader(value: string | null): string | null {
  if (value === null) return null;
  const text = /[\x80-\xff]/.test(value) ? Buffer.from(value, 'latin1').toString('utf8') : value;
  try {
    return libmime.decodeWords(text);
  } catch {
    return text;
  }
}

/** Message#subject: the decoded Subject, at most 200 characters (message.rb: `headers["subject"]&.last.to_s[0, 200]`). */
export function messageSubject(headers: HeaderMap): string | null {
  const subject = decodedHeader(lastHeader(headers, 'subject'));
  return subject === null ? null : subject.slice(0, 200);
}

/** `Name <a@b>` or `a@b` → `a@b` (Postal::Helpers.strip_name_from_address). */
export function stripName(address: string): string {
  const angle = /<([^>]*)>/.exec(address);
  return (angle ? angle[1]! : address).trim();
}

/** The addresses of an address-list header value (display names and groups dropped). */
export function addressesIn(value: string): string[] {
  const found = value.match(/[^\s<>,;:"()]+@[^\s<>,;:"()]+/g) ?? [];
  return found.map((a) => a.trim());
}

export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at === -1 ? '' : address.slice(at + 1).toLowerCase();
}

/** Prepends header lines to a raw message (Postal adds its headers at the top). */
export function prependHeaders(raw: Buffer, lines: string[]): Buffer {
  return Buffer.concat([Buffer.from(lines.map((l) => `${l}\r\n`).join(''), 'utf8'), raw]);
}

/** Message-ID without the angle brackets, or null. */
export function messageIdOf(headers: HeaderMap): string | null {
  const value = lastHeader(headers, 'message-id');
  if (!value) return null;
  return value.replace(/^\s*<|>\s*$/g, '').trim() || null;
}
