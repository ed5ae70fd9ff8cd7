/**
 * `messages/message` and `messages/deliveries` as LegacyAPI::MessagesController: the message is found
 * by an Integer id only; any other non-blank id (a String, even "123") raises in the message database
 * (HTTP 500); `_expansions` is `true` or a list of names.
 */
import { createHash } from 'node:crypto';
import { apiError, parameterError, success, UnhandledServerError, type ApiResult } from './api-result.ts';
import { isBlank, type ApiParams } from './api-params.ts';
import { parseHeaders } from './mail-headers.ts';
import type { MessageStore, StoredMessage } from './message-store.ts';
import { parseContent } from './parsed-content.ts';
import { rubyBase64 } from './random-token.ts';
import { textOf } from '../../core/text-of.ts';

function findMessage(params: ApiParams, store: MessageStore): { message?: StoredMessage; result?: ApiResult } {
  const id = params.id;
  if (isBlank(id)) return { result: parameterError('`id` parameter is required but is missing') };
  // Message.find_one (lib/postal/message_db/message.rb:11) makes `{id: query.to_i}` of an Integer only;
  // anything else reaches Database#hash_to_sql as the where clause, and a String (or Float, true, …) has
  // no `map`: NoMethodError, HTTP 500. So a Message-ID never finds a message, and neither does "123".
  if (typeof id !== 'number' || !Number.isInteger(id)) {
    throw new UnhandledServerError(
      `NoMethodError: undefined method \`map' for ${JSON.stringify(id)}:${typeof id === 'string' ? 'String' : typeof id === 'number' ? 'Float' : 'Object'}`,
    );
  }
  const message = store.get(id);
  if (!message) return { result: apiError('MessageNotFound', { message: 'No message found matching provided ID', id }) };
  return { message };
}

/**
 * Which expansions a call asked for. Postal 3.3.2 calls `expansions.include?("status")` on whatever came:
 * an Array or a String (a substring test) work, anything else — missing, true, false — raises
 * NoMethodError: HTTP 500 (upstream issue 2932). 3.3.3 (commit 39f704c) made `true` mean all, missing none.
 */
function expansionTest(expansions: unknown, version: string): (name: string) => boolean {
  if (Array.isArray(expansions)) return (name) => expansions.includes(name);
  if (isVersionBefore(version, '3.3.3')) {
    if (typeof expansions === 'string') return (name) => expansions.includes(name);
    throw new UnhandledServerError(
      `NoMethodError: undefined method \`include?' for ${expansions === undefined ? 'nil' : textOf(expansions)}`,
    );
  }
  return () => expansions === true;
}

function isVersionBefore(version: string, than: string): boolean {
  const [a, b] = [version, than].map((v) => v.split('.').map(Number));
  for (let i = 0; i < 3; i++) if ((a![i] ?? 0) !== (b![i] ?? 0)) return (a![i] ?? 0) < (b![i] ?? 0);
  return false;
}

export async function getMessage(params: ApiParams, store: MessageStore, version: string): Promise<ApiResult> {
  // The message is looked up before the expansions are read: an unknown id is MessageNotFound in every version.
  const { message, result } = findMessage(params, store);
  if (!message) return result!;
  const wants = expansionTest(params._expansions, version);
  const hash: Record<string, unknown> = { id: message.id, token: message.token };

  if (wants('status')) {
    hash.status = {
      status: message.status,
      last_delivery_attempt: message.lastDeliveryAttempt,
      held: message.held,
      hold_expiry: message.holdExpiry,
    };
  }
  if (wants('details')) {
    hash.details = {
      rcpt_to: message.rcptTo,
      mail_from: message.mailFrom,
      subject: message.subject,
      message_id: message.messageId,
      timestamp: message.timestamp,
      direction: message.scope,
      // A varchar column in the message database: Postal answers it as a String.
      size: String(message.raw.length),
      bounce: message.bounce,
      // An integer column defaulting to 0 (seen on a real 3.3.2: `bounce_for_id: 0`); 3.3.2 has no bounce_type.
      bounce_for_id: 0,
      tag: message.tag,
      received_with_ssl: message.receivedWithSsl,
    };
  }
  if (wants('inspection')) {
    const i = message.inspection;
    hash.inspection = { inspected: i.inspected, spam: i.spam, spam_score: i.spamScore, threat: i.threat, threat_details: i.threatDetails };
  }
  const needsContent = wants('plain_body') || wants('html_body') || wants('attachments');
  const content = needsContent ? await parseContent(message.raw) : undefined;
  if (wants('plain_body')) hash.plain_body = content!.plainBody;
  if (wants('html_body')) hash.html_body = content!.htmlBody;
  if (wants('attachments')) {
    hash.attachments = content!.attachments.map((a) => ({
      filename: a.filename,
      content_type: a.contentType,
      data: rubyBase64(a.content),
      size: a.content.length,
      hash: createHash('sha1').update(a.content).digest('hex'),
    }));
  }
  if (wants('headers')) hash.headers = Object.fromEntries(parseHeaders(message.raw));
  if (wants('raw_message')) hash.raw_message = rubyBase64(message.raw);
  if (wants('activity_entries')) hash.activity_entries = { loads: [], clicks: [] };
  return success(hash);
}

export function getDeliveries(params: ApiParams, store: MessageStore): ApiResult {
  const { message, result } = findMessage(params, store);
  if (!message) return result!;
  return success(
    message.deliveries.map((d) => ({
      id: d.id,
      status: d.status,
      details: d.details,
      output: d.output === null ? null : d.output.trim(),
      sent_with_ssl: d.sent_with_ssl,
      log_id: d.log_id,
      time: d.time,
      timestamp: d.timestamp,
    })),
  );
}
