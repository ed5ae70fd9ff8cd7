/**
 * `send/message` and `send/raw` as LegacyAPI::SendController and OutgoingMessagePrototype do them:
 * the first validation error only, one message per recipient, the From domain authenticated against
 * the server's verified domain.
 */
import { apiError, parameterError, success, type ApiResult } from './api-result.ts';
import { isBlank, isObject, rubyDecode64, type ApiParams } from './api-params.ts';
import { composeApiMessage } from './compose-message.ts';
import { messageIdOf, messageSubject, parseHeaders, stripName } from './mail-headers.ts';
import type { MessageStore, StoredMessage } from './message-store.ts';
import type { PostalConfig } from './postal-config.ts';
import { textOf } from '../../core/text-of.ts';

export const SEND_ERROR_MESSAGES: Record<string, string> = {
  NoRecipients: 'There are no recipients defined to receive this message',
  NoContent: 'There is no content defined for this e-mail',
  TooManyToAddresses: 'The maximum number of To addresses has been reached (maximum 50)',
  TooManyCCAddresses: 'The maximum number of CC addresses has been reached (maximum 50)',
  TooManyBCCAddresses: 'The maximum number of BCC addresses has been reached (maximum 50)',
  FromAddressMissing: 'The From address is missing and is required',
  UnauthenticatedFromAddress: 'The From address is not authorised to send mail from this server',
  AttachmentMissingName: 'An attachment is missing a name',
  AttachmentMissingData: 'An attachment is missing data',
};

const MAX_ADDRESSES = 50;

export interface SendContext {
  config: PostalConfig;
  store: MessageStore;
  enqueue(message: StoredMessage): void;
  clientIp: string;
  /** The agent whose API credential sent the request (message.credential, for Credential#hold). */
  credentialAgent?: string;
  /** the PTR name of the client's address, or the address (the Received line) */
  hostnameOf?(ip: string): Promise<string>;
}

/** `@to.is_a?(String) ? split(/,\s*\/) : to_a` */
function addressList(value: unknown): string[] {
  if (typeof value === 'string') return value.split(/,\s*/).filter((a) => a !== '');
  if (Array.isArray(value)) return value.map((v) => (v === null ? 'null' : textOf(v)));
  return [];
}

const str = (value: unknown): string | undefined => (value === undefined || value === null ? undefined : textOf(value));

export async function sendMessage(params: ApiParams, ctx: SendContext): Promise<ApiResult> {
  const to = addressList(params.to);
  const cc = addressList(params.cc);
  const bcc = addressList(params.bcc);
  const from = str(params.from);
  const attachments = (Array.isArray(params.attachments) ? params.attachments : []).filter(isObject).map((a) => ({
    name: a.name,
    contentType: isBlank(a.content_type) ? 'application/octet-stream' : String(a.content_type),
    data: a.data,
  }));

  const errors: string[] = [];
  if (to.length === 0 && cc.length === 0 && bcc.length === 0) errors.push('NoRecipients');
  if (to.length > MAX_ADDRESSES) errors.push('TooManyToAddresses');
  if (cc.length > MAX_ADDRESSES) errors.push('TooManyCCAddresses');
  if (bcc.length > MAX_ADDRESSES) errors.push('TooManyBCCAddresses');
  if (isBlank(params.plain_body) && isBlank(params.html_body)) errors.push('NoContent');
  if (isBlank(from)) errors.push('FromAddressMissing');
  const domain = ctx.config.authenticatedDomainFor(from);
  if (domain === null) errors.push('UnauthenticatedFromAddress');
  for (const a of attachments) {
    if (isBlank(a.name)) {
      if (!errors.includes('AttachmentMissingName')) errors.push('AttachmentMissingName');
    } else if (isBlank(a.data)) {
      if (!errors.includes('AttachmentMissingData')) errors.push('AttachmentMissingData');
    }
  }
  const first = errors[0];
  if (first) return apiError(first, { message: SEND_ERROR_MESSAGES[first] });

  const { raw, messageId } = await composeApiMessage({
    from: from!,
    sender: str(params.sender),
    to,
    cc,
    subject: str(params.subject),
    replyTo: str(params.reply_to),
    // Fault: a signature template appended to every message sent through the API.
    plainBody:
      ctx.config.faults.outgoingFooter && str(params.plain_body)
        ? `${str(params.plain_body)}${ctx.config.faults.outgoingFooter}`
        : str(params.plain_body),
    htmlBody: str(params.html_body),
    headers: isObject(params.headers) ? params.headers : undefined,
    attachments: attachments.map((a) => ({ name: String(a.name), contentType: a.contentType, data: rubyDecode64(a.data) })),
    returnPathDomain: ctx.config.returnPathDomain,
    webHost: ctx.config.webHost,
    clientIp: ctx.clientIp,
    now: ctx.config.now(),
    clientHostname: ctx.hostnameOf ? await ctx.hostnameOf(ctx.clientIp) : ctx.clientIp,
  });

  const messages: Record<string, { id: number; token: string }> = {};
  for (const address of [...to, ...cc, ...bcc]) {
    const rcptTo = stripName(address);
    if (rcptTo === '') continue;
    const message = ctx.store.create({
      scope: 'outgoing',
      rcptTo,
      mailFrom: stripName(from!),
      raw,
      subject: str(params.subject) ?? null,
      messageId,
      tag: str(params.tag) ?? null,
      bounce: Boolean(params.bounce),
      receivedWithSsl: true,
      credential: { type: 'API', ...(ctx.credentialAgent ? { agentId: ctx.credentialAgent } : {}) },
    });
    messages[rcptTo] = { id: message.id, token: message.token };
    ctx.enqueue(message);
  }
  return success({ message_id: messageId, messages });
}

export function sendRaw(params: ApiParams, ctx: SendContext): ApiResult {
  if (!Array.isArray(params.rcpt_to)) return parameterError('`rcpt_to` parameter is required but is missing');
  if (isBlank(params.mail_from)) return parameterError('`mail_from` parameter is required but is missing');
  if (isBlank(params.data)) return parameterError('`data` parameter is required but is missing');

  const raw = rubyDecode64(params.data);
  const headers = parseHeaders(raw);
  // Postal renders this one without a message
  if (ctx.config.authenticatedDomainFromHeaders(headers) === null) return apiError('UnauthenticatedFromAddress');

  const messageId = messageIdOf(headers);
  const subject = messageSubject(headers);
  const result: { message_id: string | null; messages: Record<string, { id: number; token: string }> } = { message_id: null, messages: {} };
  for (const rcpt of [...new Set(params.rcpt_to.map((r) => String(r)))]) {
    const message = ctx.store.create({
      scope: 'outgoing',
      rcptTo: rcpt,
      mailFrom: String(params.mail_from),
      raw,
      subject,
      messageId,
      bounce: Boolean(params.bounce),
      receivedWithSsl: true,
      credential: { type: 'API', ...(ctx.credentialAgent ? { agentId: ctx.credentialAgent } : {}) },
    });
    if (result.message_id === null) result.message_id = messageId;
    result.messages[rcpt] = { id: message.id, token: message.token };
    ctx.enqueue(message);
  }
  return success(result);
}
