/**
 * Postal 3.3.2's own DKIM signer, DKIMHeader (app/lib/dkim_header.rb), ported line for line so the
 * stand-in's signatures look like a real Postal's on the wire: tags `a, c, d, s, t, bh, h, b` in that
 * order (no `q=`, no `x=`), the header names in `h=` lower-cased and in message order (every instance of a
 * listed header, top to bottom, no oversigning), folded with CRLF + TAB after each tag group, and `b=`
 * cut into 72-character lines. Canonicalisation is relaxed/relaxed as that file implements it.
 */
import { createHash, createSign } from 'node:crypto';

/** dkim_header.rb:36-40: the header fields Postal signs when present (case-insensitive). */
const SIGNED =
  /^(from|sender|reply-to|subject|date|message-id|to|cc|mime-version|content-type|content-transfer-encoding|resent-to|resent-cc|resent-from|resent-sender|resent-message-id|in-reply-to|references|list-id|list-help|list-owner|list-unsubscribe|list-unsubscribe-post|list-subscribe|list-post):/i;

export interface DkimHeaderInput {
  domainName: string;
  selector: string;
  privateKeyPem: string;
  /** seconds since the epoch for t= (Time.now.utc.to_i) */
  time?: number;
  /** Not Postal's: an l= body-length tag, as a relay that re-signs adds it (the dkim-body-length fault). */
  bodyLength?: boolean;
}

/** dkim_header.rb:17: headers and body split at the first empty line, line ends made CRLF. */
function split(raw: string): { headers: string; body: string } {
  const crlf = raw.replace(/\r?\n/g, '\r\n');
  const at = crlf.indexOf('\r\n\r\n');
  return at < 0 ? { headers: crlf, body: '' } : { headers: crlf.slice(0, at), body: crlf.slice(at + 4) };
}

/** dkim_header.rb:49-75 (normalize_header): RFC 6376 §3.4.2 relaxed header canonicalisation. */
function normalizeHeader(content: string): string {
  const colon = content.indexOf(':');
  const key = content.slice(0, colon).toLowerCase();
  const value = content
    .slice(colon + 1)
    .replace(/\r?\n[ \t]+/g, ' ')
    .replace(/[ \t]+/g, ' ')
    .replace(/[ \t]*$/, '')
    .replace(/^[ \t]*/, '');
  return `${key}:${value}`;
}

/** dkim_header.rb:77-99 (normalized_body): RFC 6376 §3.4.4 relaxed body canonicalisation, as Postal does it. */
function normalizeBody(body: string): string {
  return `${body
    .replace(/[ \t]+/g, ' ')
    .replace(/ \r\n/g, '\r\n')
    .replace(/[ \r\n]*$/, '')}\r\n`;
}

/** Ruby's `String#scan(/.{1,72}/)`. */
const chunks = (text: string, size: number): string[] => text.match(new RegExp(`.{1,${size}}`, 'g')) ?? [];

/** The `DKIM-Signature: …` header line (folded, without a trailing CRLF) for `raw`, as DKIMHeader#dkim_header. */
export function postalDkimHeader(raw: Buffer | string, input: DkimHeaderInput): string {
  const { headers, body } = split(Buffer.isBuffer(raw) ? raw.toString('latin1') : raw);
  // dkim_header.rb:27-29: unfold (a CRLF followed by whitespace becomes one space), one header a line.
  const lines = headers.replace(/\r?\n[ \t\r\n\f\v]/g, ' ').split(/\r?\n/);
  const normalized = lines.filter((h) => SIGNED.test(h)).map(normalizeHeader);
  const names = normalized.map((h) => h.split(':')[0]!.trim());
  const bodyHash = createHash('sha256')
    .update(Buffer.from(normalizeBody(body), 'latin1'))
    .digest('base64');
  const properties = [
    'a=rsa-sha256; c=relaxed/relaxed;',
    `d=${input.domainName};`,
    `s=${input.selector}; t=${input.time ?? Math.floor(Date.now() / 1000)};`,
    `bh=${bodyHash};`,
    ...(input.bodyLength ? [`l=${Buffer.byteLength(normalizeBody(body), 'latin1')};`] : []),
    `h=${names.join(':')};`,
    'b=',
  ];
  const signable = [...normalized, `dkim-signature:v=1; ${properties.join(' ')}`].join('\r\n');
  const signature = createSign('sha256').update(Buffer.from(signable, 'latin1')).sign(input.privateKeyPem, 'base64');
  return `DKIM-Signature: v=1; ${properties.join('\r\n\t')}${chunks(signature, 72).join('\r\n\t')}`;
}
