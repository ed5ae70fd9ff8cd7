/**
 * `messages/message` and `messages/deliveries` as LegacyAPI::MessagesController: the message is found
 * by its numeric id only (`id.to_i`), `_expansions` is `true` or a list of names.
 */
import { createHash } from 'node:crypto';
import { apiError, parameterError, success, type ApiResult } from './api-result.ts';
import { isBlank, rubyToI, type ApiParams } from './api-params.ts';
import { parseHeaders } from './mail-headers.ts';
import type { MessageStore, StoredMessage } from './message-store.ts';
import { parseContent } from './parsed-content.ts';
import { rubyBase64 } from './random-token.ts';

function findMessage(params: ApiParams, store: MessageStore): { message?: StoredMessage; result?: ApiResult } {
  const id = params.id;
  if (isBlank(id)) return { result: parameterError('`id` parameter is required but is missing') };
  if (!(typeof id === 'string' || (typeof id === 'number' && Number.isInteger(id)))) {
    return { result: parameterError('`id` parameter must be a string or integer') };
  }
  const message = store.get(rubyToI(id));
  if (!message) return { result: apiError('MessageNotFound', { message: 'No message found matching provided ID', id }) };
  return { message };
}

export async function getMessage(params: ApiParams, store: MessageStore): Promise<ApiResult> {
  const { message, result } = findMessage(params, store);
  if (!message) return result!;
  const expansions = params._expansions;
  const wants = (name: string): boolean => expansions === true || (Array.isArray(expansions) && expansions.includes(name));
  const hash: Record<string, unknown> = { id: message.id, token: message.token };

  if (wants('status')) {
    hash.status = { status: message.status, last_delivery_attempt: message.lastDeliveryAttempt, held: message.held, hold_expiry: message.holdExpiry };
  }
  if (wants('details')) {
    hash.details = {
      rcpt_to: message.rcptTo,
      mail_from: message.mailFrom,
      subject: message.subject,
      message_id: message.messageId,
      timestamp: message.timestamp,
      direction: message.scope,
      size: message.raw.length,
      bounce: message.bounce,
      bounce_for_id: null,
      bounce_type: null,
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
