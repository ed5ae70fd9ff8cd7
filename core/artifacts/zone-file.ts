/**
 * A small reader for RFC 1035 master files ("BIND zone files"): enough for what
 * `generate-zone.ts` writes and for what a person edits by hand.
 *
 * Supported: `$ORIGIN`, `$TTL` (plain seconds or BIND units like `1h30m`), `;` comments,
 * `@`, relative and absolute names, a blank owner meaning "the previous owner",
 * optional TTL and class (IN only) in either order, parenthesised multi-line values,
 * several quoted strings in one TXT value, and the types A AAAA MX TXT CNAME PTR NS SOA CAA.
 * Not supported (reported as errors): `$INCLUDE`, `$GENERATE`, other classes and types.
 */
import { isIPv4, isIPv6 } from 'node:net';

export const DNS_RECORD_TYPES = ['A', 'AAAA', 'MX', 'TXT', 'CNAME', 'PTR', 'NS', 'SOA', 'CAA'] as const;
export type DnsRecordType = (typeof DNS_RECORD_TYPES)[number];

/**
 * One resource record.
 * `name` is absolute, lower-case, without the trailing dot.
 * `data`: A/AAAA the address; MX `"<prio> <host>"`; TXT the joined string (chunks concatenated);
 * CNAME/PTR/NS the target host (absolute, lower-case, no trailing dot);
 * SOA `"<mname> <rname> <serial> <refresh> <retry> <expire> <minimum>"`.
 */
export interface DnsRecord {
  name: string;
  type: DnsRecordType;
  ttl: number;
  data: string;
}

export class ZoneFileError extends Error {
  readonly line: number;
  constructor(line: number, message: string) {
    super(`zone file line ${line}: ${message}`);
    this.name = 'ZoneFileError';
    this.line = line;
  }
}

export interface ParseZoneFileOptions {
  /** Origin before any `$ORIGIN` (absolute name, with or without trailing dot). */
  origin?: string;
  /** TTL used when neither `$TTL` nor an earlier record gave one. Default 3600. */
  defaultTtl?: number;
}

interface Token {
  text: string;
  quoted: boolean;
}

interface LogicalLine {
  line: number;
  /** the physical line began with white space: the owner is omitted */
  blankOwner: boolean;
  tokens: Token[];
}

const CLASSES = new Set(['IN', 'CH', 'HS', 'CS']);

/** Lower-cases and strips the trailing dot. */
export function normalizeName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/** Parses a zone file. Throws `ZoneFileError` (naming the line) on the first problem. */
export function parseZoneFile(text: string, options: ParseZoneFileOptions = {}): DnsRecord[] {
  let origin: string | undefined = options.origin === undefined ? undefined : normalizeName(options.origin);
  let dollarTtl: number | undefined;
  let lastTtl: number | undefined;
  let previousOwner: string | undefined;
  const records: DnsRecord[] = [];

  for (const logical of logicalLines(text)) {
    const { line, tokens } = logical;
    const first = tokens[0];
    if (!first) continue;

    if (!logical.blankOwner && !first.quoted && first.text.startsWith('$')) {
      const directive = first.text.toUpperCase();
      const arg = tokens[1];
      if (directive === '$ORIGIN') {
        if (!arg || arg.quoted) throw new ZoneFileError(line, '$ORIGIN needs a domain name');
        if (tokens.length > 2) throw new ZoneFileError(line, `unexpected "${tokens[2]!.text}" after $ORIGIN`);
        origin = resolveName(arg.text, origin, line);
      } else if (directive === '$TTL') {
        if (!arg || arg.quoted) throw new ZoneFileError(line, '$TTL needs a value');
        if (tokens.length > 2) throw new ZoneFileError(line, `unexpected "${tokens[2]!.text}" after $TTL`);
        const ttl = parseTtl(arg.text);
        if (ttl === undefined) throw new ZoneFileError(line, `bad $TTL "${arg.text}"`);
        dollarTtl = ttl;
      } else {
        throw new ZoneFileError(line, `unsupported directive ${first.text}`);
      }
      continue;
    }

    let i = 0;
    let owner: string;
    if (logical.blankOwner) {
      if (previousOwner === undefined) throw new ZoneFileError(line, 'record has no owner name and no previous owner to reuse');
      owner = previousOwner;
    } else {
      if (first.quoted) throw new ZoneFileError(line, 'owner name cannot be a quoted string');
      owner = resolveName(first.text, origin, line);
      i = 1;
    }

    let ttl: number | undefined;
    let type: DnsRecordType | undefined;
    for (; i < tokens.length; i++) {
      const token = tokens[i]!;
      if (token.quoted) break;
      const upper = token.text.toUpperCase();
      if (ttl === undefined && /^\d/.test(token.text)) {
        const parsed = parseTtl(token.text);
        if (parsed === undefined) throw new ZoneFileError(line, `bad TTL "${token.text}"`);
        ttl = parsed;
        continue;
      }
      if (CLASSES.has(upper)) {
        if (upper !== 'IN') throw new ZoneFileError(line, `class ${upper} is not supported (only IN)`);
        continue;
      }
      if ((DNS_RECORD_TYPES as readonly string[]).includes(upper)) {
        type = upper as DnsRecordType;
        i++;
        break;
      }
      throw new ZoneFileError(line, `unknown or unsupported record type "${token.text}" (supported: ${DNS_RECORD_TYPES.join(' ')})`);
    }
    if (!type) throw new ZoneFileError(line, 'missing record type');

    const rdata = tokens.slice(i);
    const data = parseRdata(type, rdata, origin, line);
    const recordTtl = ttl ?? dollarTtl ?? lastTtl ?? options.defaultTtl ?? 3600;
    if (ttl !== undefined) lastTtl = ttl;
    previousOwner = owner;
    records.push({ name: owner, type, ttl: recordTtl, data });
  }
  return records;
}

function parseRdata(type: DnsRecordType, rdata: Token[], origin: string | undefined, line: number): string {
  const expectCount = (n: number, what: string): void => {
    if (rdata.length !== n) throw new ZoneFileError(line, `${type} needs ${what} (got ${rdata.length === 0 ? 'nothing' : rdata.map((t) => t.text).join(' ')})`);
  };
  switch (type) {
    case 'A': {
      expectCount(1, 'one IPv4 address');
      const address = rdata[0]!.text;
      if (!isIPv4(address)) throw new ZoneFileError(line, `"${address}" is not an IPv4 address`);
      return address;
    }
    case 'AAAA': {
      expectCount(1, 'one IPv6 address');
      const address = rdata[0]!.text.toLowerCase();
      if (!isIPv6(address)) throw new ZoneFileError(line, `"${address}" is not an IPv6 address`);
      return address;
    }
    case 'MX': {
      expectCount(2, 'a priority and a host');
      const priority = rdata[0]!.text;
      if (!/^\d+$/.test(priority) || Number(priority) > 65535) throw new ZoneFileError(line, `bad MX priority "${priority}"`);
      return `${Number(priority)} ${resolveName(rdata[1]!.text, origin, line)}`;
    }
    case 'CNAME':
    case 'PTR':
    case 'NS': {
      expectCount(1, 'one host name');
      if (rdata[0]!.quoted) throw new ZoneFileError(line, `${type} target cannot be a quoted string`);
      return resolveName(rdata[0]!.text, origin, line);
    }
    case 'TXT': {
      if (rdata.length === 0) throw new ZoneFileError(line, 'TXT needs at least one string');
      return rdata.map((t) => t.text).join('');
    }
    case 'CAA': {
      // RFC 8659: flags, tag, value — kept as `0 issue "letsencrypt.org"`.
      expectCount(3, 'flags, a tag and a value');
      const [flags, tag, value] = rdata as [Token, Token, Token];
      if (!/^\d+$/.test(flags.text) || Number(flags.text) > 255) throw new ZoneFileError(line, `bad CAA flags "${flags.text}"`);
      if (!/^[a-z0-9]+$/i.test(tag.text)) throw new ZoneFileError(line, `bad CAA tag "${tag.text}"`);
      return `${Number(flags.text)} ${tag.text.toLowerCase()} "${value.text}"`;
    }
    case 'SOA': {
      expectCount(7, 'mname rname serial refresh retry expire minimum');
      const [mname, rname, ...numbers] = rdata.map((t) => t.text);
      const values = numbers.map((n) => {
        const v = parseTtl(n);
        if (v === undefined) throw new ZoneFileError(line, `bad SOA number "${n}"`);
        return v;
      });
      return [resolveName(mname!, origin, line), resolveName(rname!, origin, line), ...values].join(' ');
    }
  }
}

function resolveName(name: string, origin: string | undefined, line: number): string {
  if (name === '@') {
    if (origin === undefined) throw new ZoneFileError(line, '"@" used before any $ORIGIN');
    return origin;
  }
  if (name.endsWith('.')) {
    const abs = normalizeName(name);
    validateName(abs, name, line);
    return abs;
  }
  if (origin === undefined) throw new ZoneFileError(line, `relative name "${name}" used before any $ORIGIN (end it with "." or add $ORIGIN)`);
  const abs = origin === '' ? name.toLowerCase() : `${name.toLowerCase()}.${origin}`;
  validateName(abs, name, line);
  return abs;
}

function validateName(abs: string, written: string, line: number): void {
  if (abs === '') return; // the root
  const labels = abs.split('.');
  if (abs.length > 253 || labels.some((l) => l.length === 0 || l.length > 63)) {
    throw new ZoneFileError(line, `"${written}" is not a valid domain name`);
  }
  if (!/^[a-z0-9_*.-]+$/.test(abs)) throw new ZoneFileError(line, `"${written}" is not a valid domain name`);
}

/** `3600`, `1h`, `1h30m`, `2d`, `1w` → seconds; undefined when malformed. */
export function parseTtl(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const m = text.toLowerCase().match(/^(\d+[smhdw])+$/);
  if (!m) return undefined;
  const unit: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  let total = 0;
  for (const [, n, u] of text.toLowerCase().matchAll(/(\d+)([smhdw])/g)) total += Number(n) * unit[u!]!;
  return total;
}

/** Splits the text into logical lines: comments dropped, parentheses joined, quotes kept together. */
function* logicalLines(text: string): Generator<LogicalLine> {
  const lines = text.split(/\r?\n/);
  let current: LogicalLine | undefined;
  let depth = 0;
  for (let index = 0; index < lines.length; index++) {
    const physical = lines[index]!;
    const lineNo = index + 1;
    if (depth === 0) {
      current = { line: lineNo, blankOwner: /^[ \t]/.test(physical), tokens: [] };
    }
    let pos = 0;
    while (pos < physical.length) {
      const ch = physical[pos]!;
      if (ch === ' ' || ch === '\t') {
        pos++;
      } else if (ch === ';') {
        break;
      } else if (ch === '(') {
        depth++;
        pos++;
      } else if (ch === ')') {
        if (depth === 0) throw new ZoneFileError(lineNo, '")" without a matching "("');
        depth--;
        pos++;
      } else if (ch === '"') {
        let value = '';
        pos++;
        let closed = false;
        while (pos < physical.length) {
          const c = physical[pos]!;
          if (c === '\\') {
            const digits = physical.slice(pos + 1, pos + 4);
            if (/^\d{3}$/.test(digits)) {
              value += String.fromCharCode(Number(digits));
              pos += 4;
            } else if (pos + 1 < physical.length) {
              value += physical[pos + 1];
              pos += 2;
            } else {
              throw new ZoneFileError(lineNo, 'backslash at the end of a line inside a quoted string');
            }
          } else if (c === '"') {
            closed = true;
            pos++;
            break;
          } else {
            value += c;
            pos++;
          }
        }
        if (!closed) throw new ZoneFileError(lineNo, 'unterminated quoted string (a quoted string must close on the same line)');
        current!.tokens.push({ text: value, quoted: true });
      } else {
        let end = pos;
        while (end < physical.length && !' \t;()"'.includes(physical[end]!)) end++;
        current!.tokens.push({ text: physical.slice(pos, end), quoted: false });
        pos = end;
      }
    }
    if (depth === 0 && current) {
      if (current.tokens.length > 0) yield current;
      current = undefined;
    }
  }
  if (depth > 0) throw new ZoneFileError(current?.line ?? lines.length, '"(" is never closed');
}

/** `91.98.35.3` → `3.35.98.91.in-addr.arpa` */
export function reverseName(ipv4: string): string {
  return `${ipv4.split('.').reverse().join('.')}.in-addr.arpa`;
}

/** `91.98.35.3` → `35.98.91.in-addr.arpa` (the /24 reverse zone) */
export function reverseZone24(ipv4: string): string {
  return `${ipv4.split('.').slice(0, 3).reverse().join('.')}.in-addr.arpa`;
}

/** true when `name` equals `zone` or lies below it */
export function isInZone(name: string, zone: string): boolean {
  return zone === '' || name === zone || name.endsWith(`.${zone}`);
}
