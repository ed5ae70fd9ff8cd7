import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { InboxReader } from '../targets/target.ts';
import type { HttpClient } from './http-client.ts';

const run = promisify(execFile);

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
}

/**
 * Lists an agent's inbox the way the deployment exposes it: the world's receivers over HTTP, or a
 * command (e.g. `ssh host mailgoat inbox list --json`) against a live server.
 */
export async function listInbox(reader: InboxReader, agentId: string, token: string, http: HttpClient, timeoutMs: number): Promise<InboxEntry[]> {
  if (reader.kind === 'http') {
    const base = reader.urls[agentId];
    if (!base) throw new Error(`the target lists no inbox for agent ${agentId}`);
    const url = `${base}${base.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
    const response = await http.request(url, { timeoutMs });
    if (response.status !== 200) throw new Error(`GET ${url} answered HTTP ${response.status}`);
    return filterByToken(JSON.parse(response.body) as InboxEntry[], token);
  }
  const [command, ...args] = reader.template.replace(/\{agent\}/g, agentId).split(/\s+/);
  const { stdout } = await run(command!, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
  return filterByToken(JSON.parse(stdout) as InboxEntry[], token);
}

function filterByToken(entries: InboxEntry[], token: string): InboxEntry[] {
  return entries.filter((e) => [e.subject, e.snippet, e.plainBody].some((text) => text?.includes(token)));
}
