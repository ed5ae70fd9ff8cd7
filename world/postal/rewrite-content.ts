/**
 * A message recomposed with its text and HTML parts changed (and its envelope headers, subject, ids and
 * attachments kept): how the world stands in for what rewrites mail on its way out — Postal's click
 * tracking (message_parser.rb replaces links with its tracking domain and adds an open pixel) or a Postal
 * version that strips characters it cannot encode (postalserver/postal issue 2816). Only faults use it.
 */
import { simpleParser } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer';

export interface ContentRewrite {
  text?: (text: string) => string;
  html?: (html: string) => string;
}

export async function rewriteContent(raw: Buffer, rewrite: ContentRewrite): Promise<Buffer> {
  const mail = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true });
  const header = (name: string): string | undefined => {
    const value = mail.headers.get(name);
    return typeof value === 'string' ? value : undefined;
  };
  const addresses = (value: typeof mail.to): string | undefined =>
    value === undefined ? undefined : (Array.isArray(value) ? value : [value]).map((a) => a.text).join(', ');
  return new MailComposer({
    from: mail.from?.text,
    to: addresses(mail.to),
    cc: addresses(mail.cc),
    subject: mail.subject,
    messageId: mail.messageId,
    date: mail.date,
    ...(header('x-postal-tag') ? { headers: { 'X-Postal-Tag': header('x-postal-tag')! } } : {}),
    ...(mail.text !== undefined ? { text: rewrite.text ? rewrite.text(mail.text) : mail.text } : {}),
    ...(typeof mail.html === 'string' ? { html: rewrite.html ? rewrite.html(mail.html) : mail.html } : {}),
    attachments: mail.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
  })
    .compile()
    .build();
}

/** Issue 2816: what a Postal that cannot encode a character does with it — drops it. */
export const stripNonAscii = (text: string): string => text.replace(/[^\p{ASCII}]/gu, '');

/** message_parser.rb: every link through the tracking host, and an open pixel before </body>. */
export function trackLinks(trackHost: string, token: string): (html: string) => string {
  let n = 0;
  return (html) =>
    html
      .replace(/href="(https?:\/\/[^"]+)"/gi, () => `href="https://${trackHost}/${token}/${(n++).toString(36)}${token.slice(0, 4)}"`)
      .replace(/<\/body>/i, `<p><img src="https://${trackHost}/img/${token}" alt="" width="1" height="1"></p></body>`);
}
