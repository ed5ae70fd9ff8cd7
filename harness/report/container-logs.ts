/**
 * A target that runs containers (local) hands over every container's log when a control failed, so the
 * report shows what Postal and MariaDB said while it failed. The logs are masked like every other output:
 * the run's known secrets, then anything key-shaped after a key-ish name.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ControlResult } from '../controls/control-result.ts';
import { createRedactor } from './redact.ts';

export const CONTAINER_LOGS_DIR = join('test-results', 'container-logs');
const FAILING = new Set(['fail', 'error', 'blocked']);

/** Logs are attached when a control failed, errored or was blocked — and only then. */
export function logsWanted(results: Array<Pick<ControlResult, 'outcome'>>): boolean {
  return results.some((r) => FAILING.has(r.outcome));
}

export interface ContainerLog {
  /** the container (service) name */
  name: string;
  text: string;
}

/** Writes one masked file per container under the report folder; returns links relative to it. */
export function writeContainerLogs(reportDir: string, logs: ContainerLog[], secrets: string[]): Array<{ name: string; href: string }> {
  const dir = join(reportDir, CONTAINER_LOGS_DIR);
  rmSync(dir, { recursive: true, force: true });
  if (logs.length === 0) return [];
  mkdirSync(dir, { recursive: true });
  const redact = createRedactor(secrets);
  return logs.map((log) => {
    const path = join(dir, `${log.name.replace(/[^A-Za-z0-9._-]/g, '_')}.log`);
    writeFileSync(path, redact(log.text));
    return { name: log.name, href: relative(reportDir, path).split('\\').join('/') };
  });
}
