/**
 * A reader for the Authentication-Results header (RFC 8601) as mailbox providers write it:
 * `mx.google.com; spf=pass (…) smtp.mailfrom=x; dkim=pass header.i=@d header.s=s; dmarc=pass (p=NONE) header.from=d`.
 * Comments may nest and hold `;`, values may be quoted, and `=` may have spaces around it; all are handled.
 */
export interface AuthResultEntry {
  /** spf, dkim, dmarc, arc, iprev, auth… (lower-case). */
  method: string;
  /** pass, fail, softfail, neutral, none, temperror, permerror, policy… (lower-case). */
  result: string;
  reason?: string;
  /** "ptype.property" → value, e.g. "header.d" → "mailgoat.ai" (ptype and property lower-case). */
  properties: Record<string, string>;
}

export interface ParsedAuthenticationResults {
  authservId: string;
  results: AuthResultEntry[];
}

/** Drops comments (nested, outside quoted strings) and unfolds lines. */
function stripComments(text: string): string {
  let out = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && (quoted || depth > 0)) {
      if (depth === 0) out += c + (text[i + 1] ?? '');
      i++;
      continue;
    }
    if (depth === 0 && c === '"') quoted = !quoted;
    if (!quoted && c === '(') {
      depth++;
      continue;
    }
    if (!quoted && c === ')' && depth > 0) {
      depth--;
      if (depth === 0) out += ' ';
      continue;
    }
    if (depth === 0) out += c;
  }
  return out.replace(/\r?\n[ \t]+/g, ' ');
}

/** Splits on `sep` outside quoted strings. */
function splitOutsideQuotes(text: string, sep: RegExp): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && quoted) {
      current += c + (text[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (!quoted && sep.test(c)) {
      parts.push(current);
      current = '';
      continue;
    }
    current += c;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

const unquote = (v: string) => (v.startsWith('"') && v.endsWith('"') && v.length >= 2 ? v.slice(1, -1).replace(/\\(.)/g, '$1') : v);

export function parseAuthenticationResults(header: string): ParsedAuthenticationResults {
  const body = stripComments(header.replace(/^\s*Authentication-Results\s*:/i, '')).replace(/\s*=\s*/g, '=');
  const [first = '', ...resinfos] = splitOutsideQuotes(body, /;/);
  const authservId = first.split(/\s+/)[0] ?? '';
  const results: AuthResultEntry[] = [];
  for (const resinfo of resinfos) {
    const [head = '', ...rest] = splitOutsideQuotes(resinfo, /\s/);
    const m = /^([A-Za-z0-9_-]+)(?:\/\d+)?=(.+)$/.exec(head);
    if (!m) continue; // "none", or something we cannot read: not a result
    const entry: AuthResultEntry = { method: m[1]!.toLowerCase(), result: unquote(m[2]!).toLowerCase(), properties: {} };
    for (const token of rest) {
      const eq = token.indexOf('=');
      if (eq <= 0) continue;
      const name = token.slice(0, eq).toLowerCase();
      const value = unquote(token.slice(eq + 1));
      if (name === 'reason') entry.reason = value;
      else entry.properties[name] = value;
    }
    results.push(entry);
  }
  return { authservId, results };
}

/** The signing domain of a DKIM result: header.d, else the domain of header.i. */
export function dkimDomainOf(entry: AuthResultEntry): string | undefined {
  const d = entry.properties['header.d'];
  if (d) return d.toLowerCase();
  const i = entry.properties['header.i'];
  return i ? i.slice(i.lastIndexOf('@') + 1).toLowerCase() || undefined : undefined;
}
