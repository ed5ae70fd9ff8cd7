import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { ComposeServiceRow } from '../checks/service-health-check.ts';
import type { HttpClient } from './http-client.ts';

const run = promisify(execFile);

/**
 * `docker compose ps --format json` rows, from wherever the target exposes them: a command
 * (e.g. `ssh root@host docker compose -p postal ps --format json`) or, in the world, an HTTP URL.
 * Compose prints either one JSON array or one object per line, depending on its version.
 */
export async function readServiceList(
  source: { kind: 'http'; url: string } | { kind: 'command'; command: string },
  http: HttpClient,
  timeoutMs: number,
): Promise<ComposeServiceRow[]> {
  let text: string;
  if (source.kind === 'http') {
    const response = await http.request(source.url, { timeoutMs });
    if (response.status !== 200) throw new Error(`GET ${source.url} answered HTTP ${response.status}`);
    text = response.body;
  } else {
    const [command, ...args] = source.command.split(/\s+/);
    text = (await run(command!, args, { timeout: timeoutMs })).stdout;
  }
  return parseComposePs(text);
}

export function parseComposePs(text: string): ComposeServiceRow[] {
  const trimmed = text.trim();
  if (!trimmed) return [];
  if (trimmed.startsWith('[')) return JSON.parse(trimmed) as ComposeServiceRow[];
  return trimmed.split(/\r?\n/).filter(Boolean).map((line) => JSON.parse(line) as ComposeServiceRow);
}
