import { runForOutput } from '../../core/process/run-process.ts';
import type { InboxReader } from '../targets/target.ts';
import type { HttpClient } from './http-client.ts';

/** One entry of an agent's inbox, in the shape of `mailgoat inbox list --json` (extra fields optional). */
export interface InboxEntry {
  id: string | number;
  from?: string;
  to?: string[] | string;
  subject?: string;
  timestamp?: string | number;
  snippet?: string;
  plainBody?: string;
  signatureValid?: boolean;
  receivedAt?: string;
  messageId?: string;
  /** The HTML part as the agent received it (null: none); absent when the listing does not show it. */
  htmlBody?: string | null;
  /** Each attachment the agent received, by SHA-256; absent when the listing does not show them. */
  attachments?: Array<{ filename: string; contentType?: string; size: number; sha256: string }>;
  /** How many attachments Postal counted (its attachment_quantity), shown even when it passed none on. */
  attachmentQuantity?: number;
  /** The envelope recipient (the world's receivers list it): differs from `to` when the catch-all delivered it. */
  rcptTo?: string;
}

/**
 * Lists an agent's inbox the way the deployment exposes it: the world's receivers over HTTP, or a
 * command (e.g. `ssh host mailgoat inbox list --json`) against a live server.
 */
export async function listInbox(
  reader: InboxReader,
  agentId: string,
  token: string,
  http: HttpClient,
  timeoutMs: number,
): Promise<InboxEntry[]> {
  if (reader.kind === 'http') {
    const base = reader.urls[agentId];
    if (!base) throw new Error(`the target lists no inbox for agent ${agentId}`);
    const url = `${base}${base.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
    const response = await http.request(url, { timeoutMs });
    if (response.status !== 200) throw new Error(`GET ${url} answered HTTP ${response.status}`);
    return filterByToken(JSON.parse(response.body) as InboxEntry[], token);
  }
  // A shell runs the command, so a quoted `ssh host 'mailgoat inbox …'` works as the user wrote it;
  // the agent id is the only thing substituted, and agent ids are plain local parts.
  if (!/^[A-Za-z0-9._-]+$/.test(agentId)) throw new Error(`agent id "${agentId}" is not a plain local part`);
  const { stdout } = await runForOutput('/bin/sh', ['-c', reader.template.replace(/\{agent\}/g, agentId)], {
    timeoutMs,
    killSignal: 'SIGTERM',
    maxOutput: 16 * 1024 * 1024,
  });
  return filterByToken(JSON.parse(stdout) as InboxEntry[], token);
}

function filterByToken(entries: InboxEntry[], token: string): InboxEntry[] {
  return entries.filter((e) => [e.subject, e.snippet, e.plainBody].some((text) => text?.includes(token)));
}

/**
 * An agent's whole inbox, not only this run's messages: what arrived at an address nobody's run writes to
 * (the DMARC rua address's reports). Same reader as the suite's.
 */
export async function listWholeInbox(reader: InboxReader, agentId: string, http: HttpClient, timeoutMs: number): Promise<InboxEntry[]> {
  if (reader.kind === 'http') {
    const url = reader.urls[agentId];
    if (!url) throw new Error(`the target lists no inbox for agent ${agentId}`);
    const response = await http.request(url, { timeoutMs });
    if (response.status !== 200) throw new Error(`GET ${url} answered HTTP ${response.status}`);
    return JSON.parse(response.body) as InboxEntry[];
  }
  if (!/^[A-Za-z0-9._-]+$/.test(agentId)) throw new Error(`agent id "${agentId}" is not a plain local part`);
  const { stdout } = await runForOutput('/bin/sh', ['-c', reader.template.replace(/\{agent\}/g, agentId)], {
    timeoutMs,
    killSignal: 'SIGTERM',
    maxOutput: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout) as InboxEntry[];
}
