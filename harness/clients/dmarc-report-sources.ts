/**
 * Where DMARC aggregate reports land, read as their owner would: the agent inbox that receives the rua
 * address (listed like the suite lists inboxes; each message's attachments asked of Postal's
 * messages/message, which the listing's Postal id names), an IMAP mailbox, or a folder of files.
 * Each message or file that cannot be taken is one line, never a thrown error that loses the rest.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ImapFlow as ImapFlowClient } from 'imapflow';
import { reportFilesOfMessage, type ReportFile } from '../dmarc/read-reports.ts';
import type { InboxEntry } from './inbox-reader.ts';
import type { PostalApi } from './postal-api-client.ts';

export interface CollectedFiles {
  files: ReportFile[];
  /** One line per message or file that could not be taken. */
  refused: string[];
}

const REPORT_NAME = /\.(xml|xml\.gz|gz|zip)$/i;
const REPORT_TYPES = /^(application\/(gzip|x-gzip|zip|x-zip-compressed|xml)|text\/xml)$/i;
/** Bigger than any report message; a larger one is refused unread. */
const MAX_MESSAGE_BYTES = 25 * 1024 * 1024;

const recipients = (entry: InboxEntry): string[] =>
  [...(Array.isArray(entry.to) ? entry.to : entry.to ? [entry.to] : []), ...(entry.rcptTo ? [entry.rcptTo] : [])].map((a) =>
    a.toLowerCase(),
  );

/** The inbox entries addressed to one of the rua addresses. */
export function entriesFor(entries: InboxEntry[], addresses: string[]): InboxEntry[] {
  const wanted = new Set(addresses.map((a) => a.toLowerCase()));
  return entries.filter((e) => recipients(e).some((r) => wanted.has(r)));
}

/** One listed message's report attachments, through Postal's API (cached by id: a message does not change). */
export async function filesOfInboxEntry(entry: InboxEntry, postal: PostalApi, apiKey: string): Promise<CollectedFiles> {
  const label = `inbox message ${entry.id} from ${entry.from ?? 'an unknown sender'} ("${(entry.subject ?? '').slice(0, 80)}")`;
  const id = typeof entry.id === 'number' ? entry.id : /^\d+$/.test(String(entry.id)) ? Number(entry.id) : undefined;
  if (id === undefined) {
    return {
      files: [],
      refused: [
        `${label} has no Postal message id (an inbox that lists Message-IDs, as MailGoat 1.2.0's does): read the reports with DMARC_REPORTS_IMAP or DMARC_REPORTS_DIR`,
      ],
    };
  }
  const answer = await postal.call<{ attachments?: Array<{ filename?: string; content_type?: string; data?: string; size?: number }> }>(
    'messages/message',
    apiKey,
    { id, _expansions: ['attachments'] },
  );
  if (answer.status !== 'success')
    return {
      files: [],
      refused: [
        `${label}: Postal's messages/message answered ${answer.status} ${JSON.stringify((answer.data as Record<string, unknown>).code ?? '')}`.trim(),
      ],
    };
  const attachments = (answer.data.attachments ?? []).filter(
    (a) => REPORT_NAME.test(a.filename ?? '') || REPORT_TYPES.test(a.content_type ?? ''),
  );
  if (attachments.length === 0)
    return { files: [], refused: [`${label} has no report attachment (gzip, zip or XML): not a DMARC aggregate report`] };
  return {
    files: attachments.map((a) => ({
      origin: label,
      name: a.filename ?? `(unnamed ${a.content_type})`,
      bytes: Buffer.from(a.data ?? '', 'base64'),
    })),
    refused: [],
  };
}

export interface ImapMailbox {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  password: string;
  mailbox: string;
  servername?: string;
}

/** Every message of the mailbox received since `since`, each one's report attachments. */
export async function filesFromImap(imap: ImapMailbox, options: { since: Date; ca?: string; timeoutMs: number }): Promise<CollectedFiles> {
  // Loaded when a report mailbox is first read: only the worker that reads reports pays for it.
  const { ImapFlow } = await import('imapflow');
  const client: ImapFlowClient = new ImapFlow({
    host: imap.host,
    port: imap.port,
    secure: imap.secure,
    doSTARTTLS: imap.secure ? undefined : true,
    auth: { user: imap.user, pass: imap.password },
    tls: { ca: options.ca, servername: imap.servername },
    servername: imap.servername,
    logger: false,
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
  });
  await client.connect();
  const out: CollectedFiles = { files: [], refused: [] };
  try {
    const lock = await client.getMailboxLock(imap.mailbox);
    try {
      const uids = await client.search({ since: options.since }, { uid: true });
      for (const uid of Array.isArray(uids) ? uids : []) {
        const message = await client.fetchOne(String(uid), { size: true, envelope: true }, { uid: true });
        const label = `IMAP ${imap.mailbox} message ${uid}`;
        if (!message) continue;
        if ((message.size ?? 0) > MAX_MESSAGE_BYTES) {
          out.refused.push(
            `${label} from ${message.envelope?.from?.[0]?.address ?? 'an unknown sender'} is ${Math.round((message.size ?? 0) / 1024 / 1024)} MB, over the 25 MB a report message may be: not read`,
          );
          continue;
        }
        const full = await client.fetchOne(String(uid), { source: true }, { uid: true });
        if (!full || !full.source) continue;
        const { files, refused } = await reportFilesOfMessage(full.source, label);
        out.files.push(...files);
        if (refused) out.refused.push(refused);
      }
    } finally {
      lock.release();
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
  return out;
}

/** Report files (.xml, .xml.gz, .gz, .zip) and saved messages (.eml) in a folder, not recursing. */
export async function filesFromDir(dir: string): Promise<CollectedFiles> {
  const out: CollectedFiles = { files: [], refused: [] };
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const stat = statSync(path);
    if (!stat.isFile()) continue;
    if (stat.size > MAX_MESSAGE_BYTES) {
      out.refused.push(`${path} is ${Math.round(stat.size / 1024 / 1024)} MB, over the 25 MB a report file may be: not read`);
      continue;
    }
    if (/\.eml$/i.test(name)) {
      const { files, refused } = await reportFilesOfMessage(readFileSync(path), path);
      out.files.push(...files);
      if (refused) out.refused.push(refused);
    } else if (REPORT_NAME.test(name)) {
      out.files.push({ origin: dir, name, bytes: readFileSync(path) });
    }
  }
  return out;
}
