/**
 * The body Postal's HTTPSender posts for an endpoint with format `Hash` (encoding BodyAsJSON), field for
 * field — including its quirks: `reply_to` is the whole header array (not `.last`), and attachment
 * data is Ruby's `Base64.encode64` (a newline every 60 characters).
 */
import type { ManifestEndpoint } from '../../core/artifacts/accounts-manifest.ts';
import { decodedHeader, lastHeader, parseHeaders } from './mail-headers.ts';
import type { StoredMessage } from './message-store.ts';
import { parseContent } from './parsed-content.ts';
import { rubyBase64 } from './random-token.ts';

export function spamStatus(message: StoredMessage): 'NotChecked' | 'NotSpam' | 'Spam' {
  if (!message.inspection.inspected) return 'NotChecked';
  return message.inspection.spam ? 'Spam' : 'NotSpam';
}

/** Format RawMessage (http_sender.rb): the message itself, base64 (Ruby's encode64), and little else. */
export function rawMessagePayload(message: StoredMessage): Record<string, unknown> {
  return {
    id: message.id,
    rcpt_to: message.rcptTo,
    mail_from: message.mailFrom,
    message: rubyBase64(message.raw),
    base64: true,
    size: message.raw.length,
  };
}

/** UTF-8 text read as Latin-1: what a Postal version with issue 2462 passes to the endpoint. */
const latin1 = (text: string | null): string | null => (text === null ? null : Buffer.from(text, 'utf8').toString('latin1'));

export async function hashPayload(
  message: StoredMessage,
  endpoint: ManifestEndpoint,
  options: { mojibake?: boolean } = {},
): Promise<Record<string, unknown>> {
  const headers = parseHeaders(message.raw);
  const parsed = await parseContent(message.raw);
  const content = options.mojibake ? { ...parsed, plainBody: latin1(parsed.plainBody), htmlBody: latin1(parsed.htmlBody) } : parsed;
  const hash: Record<string, unknown> = {
    id: message.id,
    rcpt_to: message.rcptTo,
    mail_from: message.mailFrom,
    token: message.token,
    subject: options.mojibake ? latin1(message.subject) : message.subject,
    message_id: message.messageId,
    timestamp: message.timestamp,
    // The messages table's size column is a varchar: the payload carries a String (3.3.2 http_sender.rb).
    size: String(message.raw.length),
    spam_status: spamStatus(message),
    bounce: message.bounce,
    received_with_ssl: message.receivedWithSsl,
    to: decodedHeader(lastHeader(headers, 'to')),
    cc: decodedHeader(lastHeader(headers, 'cc')),
    from: decodedHeader(lastHeader(headers, 'from')),
    date: decodedHeader(lastHeader(headers, 'date')),
    in_reply_to: decodedHeader(lastHeader(headers, 'in-reply-to')),
    references: decodedHeader(lastHeader(headers, 'references')),
    html_body: content.htmlBody,
    attachment_quantity: content.attachments.length,
    auto_submitted: decodedHeader(lastHeader(headers, 'auto-submitted')),
    reply_to: headers.get('reply-to') ?? null,
  };
  if (endpoint.stripReplies) {
    const [body, replies] = separateReplies(content.plainBody ?? '');
    hash.plain_body = body;
    hash.replies_from_plain_body = replies;
  } else {
    hash.plain_body = content.plainBody;
  }
  if (endpoint.includeAttachments) {
    hash.attachments = content.attachments.map((a) => ({
      filename: a.filename,
      content_type: a.contentType,
      size: a.content.length,
      data: rubyBase64(a.content),
    }));
  }
  return hash;
}

/** A small take on Postal's ReplySeparator: cut at the first "On … wrote:" line or quoted block. */
function separateReplies(text: string): [string, string | null] {
  const match = /^(On .+wrote:|-{2,}\s*Original Message\s*-{2,}|>)/m.exec(text);
  if (!match) return [text.trim(), null];
  return [text.slice(0, match.index).trim(), text.slice(match.index).trim()];
}
