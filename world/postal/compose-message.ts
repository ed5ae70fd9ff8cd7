/**
 * The RFC 5322 message Postal's `OutgoingMessagePrototype` builds for `send/message`, composed with
 * nodemailer's MailComposer: custom headers, To/Cc (never Bcc), From, Sender, Subject, Reply-To,
 * a multipart/alternative body, attachments, a `Received: from api (...) by Postal with HTTP` line
 * and `Message-ID: <uuid@return-path-domain>`.
 */
import { randomUUID } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';

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
  clientIp: string;
  /** The host's clock (a skewed one under the clock-skew fault); now when absent. */
  date?: Date;
}

export async function composeApiMessage(input: ComposeInput): Promise<{ raw: Buffer; messageId: string }> {
  const messageId = `${randomUUID()}@${input.returnPathDomain}`;
  const date = input.date ?? new Date();
  const headers: Array<{ key: string; value: string }> = [];
  for (const [key, value] of Object.entries(input.headers ?? {})) {
    if (value === undefined || value === null) continue;
    headers.push({ key, value: String(value) });
  }
  headers.push({ key: 'Received', value: `from api (${input.clientIp} [${input.clientIp}]) by Postal with HTTP; ${date.toUTCString().replace('GMT', '+0000')}` });

  const composer = new MailComposer({
    from: input.from,
    sender: input.sender,
    to: input.to.length > 0 ? input.to : undefined,
    cc: input.cc.length > 0 ? input.cc : undefined,
    subject: input.subject,
    replyTo: input.replyTo,
    text: input.plainBody || undefined,
    html: input.htmlBody || undefined,
    attachments: input.attachments.map((a) => ({ filename: a.name, contentType: a.contentType, content: a.data })),
    headers,
    messageId: `<${messageId}>`,
    date,
  });
  const raw = await composer.compile().build();
  return { raw, messageId };
}
