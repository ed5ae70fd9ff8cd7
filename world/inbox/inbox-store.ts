/**
 * One agent's inbox, in memory: what the receiver accepted, and the listing the embedded Target
 * reads like `mailgoat inbox list --json`. Bounded, so a long benchmark cannot exhaust memory.
 */
import { createHash } from 'node:crypto';
import addressparser from 'nodemailer/lib/addressparser';
import type { PostalHashPayload } from './postal-hash-payload.ts';

export interface StoredInboxMessage {
  /** Postal's numeric message id — the one `messages/message` accepts */
  id: number;
  receivedAt: string;
  read: boolean;
  /** always true: a message whose signature failed is refused, never stored */
  signatureValid: true;
  payload: PostalHashPayload;
}

export interface InboxListEntry {
  id: number;
  /** the Message-ID header, as Postal reports it */
  messageId: string | null;
  from: string | null;
  /** addresses of the To header; the envelope recipient when the header is empty */
  to: string[];
  /** the envelope recipient: differs from `to` when the catch-all route delivered it */
  rcptTo: string;
  mailFrom: string | null;
  subject: string | null;
  /** when Postal received the message (ISO 8601) */
  timestamp: string | null;
  /** when this receiver accepted it (ISO 8601) */
  receivedAt: string;
  read: boolean;
  snippet: string;
  plainBody: string | null;
  /** the HTML part as Postal passed it on (null: none) */
  htmlBody: string | null;
  /** the attachments Postal passed on (only when the endpoint includes them), by SHA-256 of their decoded data */
  attachments: Array<{ filename: string; contentType: string | null; size: number; sha256: string }>;
  /** how many attachments the message had, as Postal counted them (attachment_quantity) */
  attachmentQuantity: number | null;
  spamStatus: string | null;
  spamScore?: number;
  signatureValid: true;
  /** Postal's per-message token (not the run token the `token` filter matches) */
  token: string | null;
}

export interface InboxQuery {
  /** a run token that must occur in the subject or the plain body */
  token?: string;
  /** only messages received at or after this instant */
  since?: Date;
  unread?: boolean;
  limit?: number;
}

export type StoreOutcome = 'stored' | 'duplicate';

const SNIPPET_LENGTH = 120;

function isoTimestamp(value: PostalHashPayload['timestamp']): string | null {
  if (value === null || value === undefined) return null;
  const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toISOString();
}

function snippetOf(payload: PostalHashPayload): string {
  const source = payload.plain_body ?? payload.html_body?.replace(/<[^>]*>/g, ' ') ?? '';
  const flat = source.replace(/\s+/g, ' ').trim();
  return flat.length > SNIPPET_LENGTH ? `${flat.slice(0, SNIPPET_LENGTH - 1)}…` : flat;
}

// A listing is asked for again and again while a test or benchmark waits; the To header is parsed once per message.
const recipientsCache = new WeakMap<PostalHashPayload, string[]>();

function recipientsOf(payload: PostalHashPayload): string[] {
  const known = recipientsCache.get(payload);
  if (known) return [...known];
  const recipients = parseRecipients(payload);
  recipientsCache.set(payload, recipients);
  return recipients;
}

// Attachments are decoded and hashed once per message, not on every listing.
const attachmentsCache = new WeakMap<PostalHashPayload, InboxListEntry['attachments']>();

function attachmentsOf(payload: PostalHashPayload): InboxListEntry['attachments'] {
  const known = attachmentsCache.get(payload);
  if (known) return known;
  const list = (payload.attachments ?? []).map((a) => {
    const data = Buffer.from(a.data ?? '', 'base64');
    return {
      filename: a.filename ?? '',
      contentType: a.content_type ?? null,
      size: data.length,
      sha256: createHash('sha256').update(data).digest('hex'),
    };
  });
  attachmentsCache.set(payload, list);
  return list;
}

function parseRecipients(payload: PostalHashPayload): string[] {
  const parsed = payload.to
    ? addressparser(payload.to, { flatten: true })
        .map((a) => a.address)
        .filter(Boolean)
    : [];
  return parsed.length > 0 ? parsed : [payload.rcpt_to];
}

export function toListEntry(message: StoredInboxMessage): InboxListEntry {
  const { payload } = message;
  return {
    id: message.id,
    messageId: payload.message_id ?? null,
    from: payload.from ?? null,
    to: recipientsOf(payload),
    rcptTo: payload.rcpt_to,
    mailFrom: payload.mail_from ?? null,
    subject: payload.subject ?? null,
    timestamp: isoTimestamp(payload.timestamp),
    receivedAt: message.receivedAt,
    read: message.read,
    snippet: snippetOf(payload),
    plainBody: payload.plain_body ?? null,
    htmlBody: payload.html_body ?? null,
    attachments: attachmentsOf(payload),
    attachmentQuantity: typeof payload.attachment_quantity === 'number' ? payload.attachment_quantity : null,
    spamStatus: payload.spam_status ?? null,
    ...(typeof payload.spam_score === 'number' ? { spamScore: payload.spam_score } : {}),
    signatureValid: true,
    token: payload.token ?? null,
  };
}

export class InboxStore {
  /** keyed by id and Postal token: a restarted stand-in reuses ids, never tokens */
  private readonly byDelivery = new Map<string, StoredInboxMessage>();
  private readonly latestById = new Map<number, StoredInboxMessage>();

  constructor(private readonly maxMessages = 20_000) {}

  get size(): number {
    return this.byDelivery.size;
  }

  /** Postal retries a delivery whose answer it did not see; the same message is kept once. */
  add(payload: PostalHashPayload, receivedAt = new Date()): StoreOutcome {
    const key = `${payload.id}:${payload.token ?? ''}`;
    if (this.byDelivery.has(key)) return 'duplicate';
    if (this.byDelivery.size >= this.maxMessages) {
      const oldest = this.byDelivery.entries().next();
      if (!oldest.done) {
        this.byDelivery.delete(oldest.value[0]);
        if (this.latestById.get(oldest.value[1].id) === oldest.value[1]) this.latestById.delete(oldest.value[1].id);
      }
    }
    const message: StoredInboxMessage = {
      id: payload.id,
      receivedAt: receivedAt.toISOString(),
      read: false,
      signatureValid: true,
      payload,
    };
    this.byDelivery.set(key, message);
    this.latestById.set(payload.id, message);
    return 'stored';
  }

  get(id: number): StoredInboxMessage | undefined {
    return this.latestById.get(id);
  }

  markRead(id: number): void {
    const message = this.latestById.get(id);
    if (message) message.read = true;
  }

  /** Newest first, like an inbox. */
  list(query: InboxQuery = {}): InboxListEntry[] {
    const since = query.since?.getTime();
    const out: InboxListEntry[] = [];
    const all = [...this.byDelivery.values()];
    for (let i = all.length - 1; i >= 0; i--) {
      const message = all[i]!;
      if (since !== undefined && Date.parse(message.receivedAt) < since) continue;
      if (query.unread && message.read) continue;
      if (
        query.token &&
        !(message.payload.subject ?? '').includes(query.token) &&
        !(message.payload.plain_body ?? '').includes(query.token)
      )
        continue;
      out.push(toListEntry(message));
      if (query.limit !== undefined && out.length >= query.limit) break;
    }
    return out;
  }
}
