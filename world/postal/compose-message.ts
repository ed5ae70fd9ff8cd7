/**
 * The RFC 5322 message Postal's `OutgoingMessagePrototype#raw_message` builds for `send/message`
 * (app/models/outgoing_message_prototype.rb:151-183), laid out as the Ruby `mail` gem writes it — the bytes a
 * real Postal 3.3.2 sent, seen side by side with the stand-in's:
 * - headers in the gem's order: Received (ReceivedHeader, `by <web_hostname> with HTTP`, time `+0000`), Date,
 *   From, Sender, Reply-To, To, Cc, Message-ID (`<uuid@<return path domain>>`), Subject, Mime-Version,
 *   Content-Type, Content-Transfer-Encoding, then the API's custom `headers`;
 * - always multipart: multipart/mixed (with `charset=UTF-8`) → multipart/alternative → text/plain (and
 *   text/html), then the attachments; each part's parameters folded onto lines of their own, an empty
 *   preamble after every multipart's headers, boundaries `--==_mimepart_<hex>_<hex>`;
 * - 7bit for ASCII text, quoted-printable for other text, base64 for attachments.
 * Attachments' layout was not observed on a real Postal (the gem's usual form is followed).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { encodeWords } from 'nodemailer/lib/mime-funcs';
import { encode as qpEncode, wrap as qpWrap } from 'nodemailer/lib/qp';
import { textOf } from '../../core/text-of.ts';

export interface ComposeInput {
  from: string;
  sender?: string;
  to: string[];
  cc: string[];
  subject?: string;
  replyTo?: string;
  plainBody?: string;
  htmlBody?: string;
  headers?: Record<string, unknown>;
  attachments: Array<{ name: string; contentType: string; data: Buffer }>;
  returnPathDomain: string;
  /** postal.yml web_hostname: the `by` of the Received line */
  webHost: string;
  clientIp: string;
  /** the PTR name of the client's address, or the address itself (DNSResolver#ip_to_hostname) */
  clientHostname?: string;
  now?: Date;
}

const CRLF = '\r\n';
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');

/** Ruby's `Time#rfc2822` of a UTC time, zone "+0000" (the mail gem's Date, ReceivedHeader's time). */
export function rfc2822(date: Date, zone = '+0000'): string {
  return `${DAYS[date.getUTCDay()]}, ${two(date.getUTCDate())} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} ${zone}`;
}

/** The mail gem's boundary: "--==_mimepart_" and a random tag. */
const boundary = (): string => `--==_mimepart_${randomBytes(7).toString('hex').slice(0, 13)}_${randomBytes(6).toString('hex')}`;

// eslint-disable-next-line no-control-regex -- ASCII includes its control characters: the range is the point
const isAscii = (text: string): boolean => /^[\x00-\x7f]*$/.test(text);

/** A header value: ASCII as given; anything else as an encoded word (the gem encodes non-ASCII text). */
const headerValue = (value: string): string => (isAscii(value) ? value : encodeWords(value, 'Q', 52));

/** A text part's body, lines ending CRLF, and its transfer encoding. */
function textBody(text: string): { encoding: string; body: string } {
  const crlf = text.replace(/\r?\n/g, CRLF);
  const longLine = crlf.split(CRLF).some((line) => line.length > 998);
  if (isAscii(crlf) && !longLine) return { encoding: '7bit', body: crlf };
  return { encoding: 'quoted-printable', body: qpWrap(qpEncode(Buffer.from(text, 'utf8')), 76).replace(/\r?\n/g, CRLF) };
}

function textPart(type: 'text/plain' | 'text/html', text: string): string {
  const { encoding, body } = textBody(text);
  return `Content-Type: ${type};${CRLF} charset=UTF-8${CRLF}Content-Transfer-Encoding: ${encoding}${CRLF}${CRLF}${body}`;
}

function attachmentPart(a: ComposeInput['attachments'][number]): string {
  const name = a.name.replace(/"/g, '');
  const data = a.data.toString('base64').replace(/.{1,60}/g, (line) => `${line}${CRLF}`);
  return `Content-Type: ${a.contentType};${CRLF} filename=${name}${CRLF}Content-Transfer-Encoding: base64${CRLF}Content-Disposition: attachment;${CRLF} filename=${name}${CRLF}${CRLF}${data}`;
}

/** A multipart body: empty preamble, each part after its delimiter, the close delimiter. */
function multipart(mark: string, parts: string[]): string {
  return `${CRLF}${parts.map((p) => `--${mark}${CRLF}${p}${CRLF}`).join('')}--${mark}--${CRLF}`;
}

export function composeApiMessage(input: ComposeInput): Promise<{ raw: Buffer; messageId: string }> {
  const messageId = `${randomUUID()}@${input.returnPathDomain}`;
  const now = input.now ?? new Date();
  const headers: string[] = [
    `Received: from api (${input.clientHostname ?? input.clientIp} [${input.clientIp}]) by ${input.webHost} with HTTP; ${rfc2822(now)}`,
    `Date: ${rfc2822(now)}`,
    `From: ${headerValue(input.from)}`,
  ];
  if (input.sender) headers.push(`Sender: ${headerValue(input.sender)}`);
  if (input.replyTo) headers.push(`Reply-To: ${headerValue(input.replyTo)}`);
  if (input.to.length > 0) headers.push(`To: ${headerValue(input.to.join(', '))}`);
  if (input.cc.length > 0) headers.push(`Cc: ${headerValue(input.cc.join(', '))}`);
  headers.push(`Message-ID: <${messageId}>`);
  if (input.subject) headers.push(`Subject: ${headerValue(input.subject)}`);

  const alternativeMark = boundary();
  const alternatives = [
    ...(input.plainBody ? [textPart('text/plain', input.plainBody)] : []),
    ...(input.htmlBody ? [textPart('text/html', input.htmlBody)] : []),
  ];
  const alternative = `Content-Type: multipart/alternative;${CRLF} boundary="${alternativeMark}"${CRLF}Content-Transfer-Encoding: 7bit${CRLF}${CRLF}${multipart(alternativeMark, alternatives)}`;
  const mixedMark = boundary();
  headers.push(
    'Mime-Version: 1.0',
    `Content-Type: multipart/mixed;${CRLF} boundary="${mixedMark}";${CRLF} charset=UTF-8`,
    'Content-Transfer-Encoding: 7bit',
  );
  // The API's custom headers, after the gem's own (mail[key] = value).
  for (const [key, value] of Object.entries(input.headers ?? {})) {
    if (value === undefined || value === null || !/^[\x21-\x39\x3b-\x7e]+$/.test(key)) continue;
    headers.push(`${key}: ${headerValue(textOf(value))}`);
  }
  const body = multipart(mixedMark, [alternative, ...input.attachments.map(attachmentPart)]);
  return Promise.resolve({ raw: Buffer.from(`${headers.join(CRLF)}${CRLF}${CRLF}${body}`, 'utf8'), messageId });
}
