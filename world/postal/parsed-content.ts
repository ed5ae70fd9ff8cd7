/**
 * A message's content as Postal's `parse_content` extracts it (plain body, HTML body, attachments),
 * parsed once per raw message and cached.
 */
import { simpleParser } from 'mailparser';

export interface ParsedContent {
  plainBody: string | null;
  htmlBody: string | null;
  attachments: Array<{ filename: string; contentType: string; content: Buffer }>;
}

const cache = new WeakMap<Buffer, Promise<ParsedContent>>();

export function parseContent(raw: Buffer): Promise<ParsedContent> {
  let parsed = cache.get(raw);
  if (!parsed) {
    parsed = simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true }).then((mail) => ({
      plainBody: mail.text ?? null,
      htmlBody: typeof mail.html === 'string' ? mail.html : null,
      attachments: mail.attachments.map((a) => ({ filename: a.filename ?? '', contentType: a.contentType, content: a.content })),
    }));
    cache.set(raw, parsed);
  }
  return parsed;
}
