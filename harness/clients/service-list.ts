import { runForOutput } from '../../core/process/run-process.ts';
import type { ComposeServiceRow } from '../checks/service-health-check.ts';
import type { HttpClient } from './http-client.ts';

/**
 * `docker compose ps --format json` (or `docker ps -a --format json`) rows, from wherever the target exposes them: a command
 * (e.g. `ssh root@host docker compose -p postal ps --format json`) or, in the world, an HTTP URL.
 * Compose prints either one JSON array or one object per line, depending on its version.
 */
export async function readServiceList<Row = ComposeServiceRow>(
  source: { kind: 'http'; url: string } | { kind: 'command'; command: string },
  http: HttpClient,
  timeoutMs: number,
): Promise<Row[]> {
  let text: string;
  if (source.kind === 'http') {
    const response = await http.request(source.url, { timeoutMs });
    if (response.status !== 200) throw new Error(`GET ${source.url} answered HTTP ${response.status}`);
    text = response.body;
  } else {
    // Through a shell, so a quoted `ssh host 'docker …'` works as the user wrote it.
    text = (await runForOutput('/bin/sh', ['-c', source.command], { timeoutMs, killSignal: 'SIGTERM' })).stdout;
  }
  return parseComposePs(text) as Row[];
}

export function parseComposePs(text: string): ComposeServiceRow[] {
  const trimmed = text.trim();
  if (!trimmed) return [];
  if (trimmed.startsWith('[')) return JSON.parse(trimmed) as ComposeServiceRow[];
  return trimmed
    .split(/\r?\n/)
    .filter(Boolean)
    .map((line) => JSON.parse(line) as ComposeServiceRow);
}
