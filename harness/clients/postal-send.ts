/**
 * The three ways the agents send through Postal, each with the same message: the HTTP API's send/message
 * (fields), send/raw (a MIME message the client built) and SMTP submission to Postal's SMTP server with an
 * SMTP credential (AUTH, STARTTLS when offered). Each answer says what Postal took or why it refused;
 * a refusal is evidence, never thrown.
 */
import { textOf } from '../../core/text-of.ts';
import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { ProbeContent } from '../messages/probe-message.ts';
import { messageIdFor } from './postal-delivery-status.ts';
import type { PostalApi } from './postal-api-client.ts';

export type SendPath = 'send/message' | 'send/raw' | 'SMTP';
export const SEND_PATHS: readonly SendPath[] = ['send/message', 'send/raw', 'SMTP'];

export interface SendOutcome {
  /** Postal's numeric id for the recipient (the API answers it; SMTP does not). */
  postalId?: number;
  /** The Message-ID header the message carries, without <>. */
  messageIdHeader?: string;
  /** Why it was not taken: the API's status and code, the SMTP reply, or the transport error. */
  error?: string;
  /** Postal's SMTP answer after DATA, or the API's status. */
  response?: string;
}

export interface Outgoing {
  from: string;
  to: string;
  content: Pick<ProbeContent, 'subject' | 'text' | 'html' | 'attachments'>;
  tag?: string;
}

const apiError = (answer: { status: string; httpStatus: number; data: Record<string, unknown> }): string =>
  `${answer.status} ${textOf(answer.data.code ?? answer.data.message ?? '')}${answer.httpStatus >= 500 ? ` (HTTP ${answer.httpStatus})` : ''}`.trim();

/** How long Postal may take to take a message: one network step, and a second more per MB it carries. */
export function sendTimeoutMs(stepMs: number, content: Outgoing['content']): number {
  const bytes = content.attachments.reduce((n, a) => n + a.content.length, 0) + content.text.length + content.html.length;
  return stepMs + Math.ceil(bytes / (1024 * 1024)) * 1000;
}

export async function sendMessage(
  postal: PostalApi,
  apiKey: string,
  message: Outgoing,
  options: { timeoutMs?: number } = {},
): Promise<SendOutcome> {
  const { content } = message;
  try {
    const answer = await postal.call(
      'send/message',
      apiKey,
      {
        to: [message.to],
        from: message.from,
        subject: content.subject,
        plain_body: content.text,
        ...(content.html ? { html_body: content.html } : {}),
        ...(content.attachments.length
          ? {
              attachments: content.attachments.map((a) => ({
                name: a.filename,
                content_type: a.contentType,
                data: a.content.toString('base64'),
              })),
            }
          : {}),
        ...(message.tag ? { tag: message.tag } : {}),
      },
      options,
    );
    if (answer.status !== 'success') return { error: apiError(answer) };
    return {
      postalId: messageIdFor(answer, message.to),
      messageIdHeader: typeof answer.data.message_id === 'string' ? answer.data.message_id : undefined,
      response: 'success',
    };
  } catch (error) {
    return { error: `no answer from the API: ${(error as Error).message}` };
  }
}

/** The message as an agent's own mail library builds it for send/raw. */
export async function composeMime(message: Outgoing, messageIdHeader: string): Promise<Buffer> {
  const { content } = message;
  return new MailComposer({
    from: message.from,
    to: message.to,
    subject: content.subject,
    text: content.text,
    ...(content.html ? { html: content.html } : {}),
    attachments: content.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
    messageId: `<${messageIdHeader}>`,
    date: new Date(),
  })
    .compile()
    .build();
}

export async function sendRaw(postal: PostalApi, apiKey: string, message: Outgoing): Promise<SendOutcome> {
  const messageIdHeader = `${randomUUID()}@${message.from.split('@')[1]}`;
  try {
    const raw = await composeMime(message, messageIdHeader);
    const answer = await postal.call('send/raw', apiKey, { mail_from: message.from, rcpt_to: [message.to], data: raw.toString('base64') });
    if (answer.status !== 'success') return { error: apiError(answer) };
    return { postalId: messageIdFor(answer, message.to), messageIdHeader, response: 'success' };
  } catch (error) {
    return { error: `no answer from the API: ${(error as Error).message}` };
  }
}

export interface SmtpSubmission {
  /** An address (the caller resolved the name); servername is the name on the certificate. */
  host: string;
  port: number;
  servername: string;
  /** Postal's SMTP credential key: AUTH PLAIN's password (Postal ignores the user name). */
  credential: string;
}

export async function sendSmtp(
  server: SmtpSubmission,
  message: Outgoing,
  options: { ca?: string; timeoutMs: number; heloName?: string },
): Promise<SendOutcome> {
  const messageIdHeader = `${randomUUID()}@${message.from.split('@')[1]}`;
  const { content } = message;
  const transport = nodemailer.createTransport({
    host: server.host,
    port: server.port,
    secure: false,
    // Postal offers STARTTLS when smtp_server.tls_enabled; AUTH works without it (as Postal allows).
    opportunisticTLS: true,
    ...(options.heloName ? { name: options.heloName } : {}),
    auth: { user: 'postal-qa', pass: server.credential },
    tls: { ca: options.ca, servername: server.servername },
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs * 6,
  });
  try {
    const info = await transport.sendMail({
      from: message.from,
      to: message.to,
      subject: content.subject,
      text: content.text,
      ...(content.html ? { html: content.html } : {}),
      attachments: content.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
      messageId: `<${messageIdHeader}>`,
    });
    return { messageIdHeader, response: info.response };
  } catch (error) {
    const e = error as Error & { response?: string; responseCode?: number };
    // The credential is the password: never part of what is kept.
    return { error: (e.response ?? e.message).split(server.credential).join('[credential]') };
  } finally {
    transport.close();
  }
}
