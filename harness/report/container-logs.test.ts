import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CONTAINER_LOGS_DIR, logsWanted, writeContainerLogs } from './container-logs.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('logsWanted', () => {
  it('is true when a control failed, errored or was blocked, false for a run that passed, warned or skipped', () => {
    expect(logsWanted([{ outcome: 'pass' }, { outcome: 'skipped' }, { outcome: 'warn' }, { outcome: 'waived' }])).toBe(false);
    for (const bad of ['fail', 'error', 'blocked'] as const) expect(logsWanted([{ outcome: 'pass' }, { outcome: bad }])).toBe(true);
  });
});

describe('writeContainerLogs', () => {
  it("writes each container's log with the run's secrets masked, linked relative to the report folder", () => {
    const reportDir = mkdtempSync(join(tmpdir(), 'container-logs-'));
    dirs.push(reportDir);
    const secret = 'Zq8wPp3LmN0xYt7Kc2Rb5Vd1';
    const links = writeContainerLogs(
      reportDir,
      [{ name: 'postal-qa-local-1_postal_1', text: `started\nkey ${secret} accepted\npassword=hunter22\n` }],
      [secret],
    );
    expect(links).toEqual([{ name: 'postal-qa-local-1_postal_1', href: `${CONTAINER_LOGS_DIR}/postal-qa-local-1_postal_1.log` }]);
    const text = readFileSync(join(reportDir, links[0]!.href), 'utf8');
    expect(text).toContain('started');
    expect(text).not.toContain(secret);
    expect(text).not.toContain('hunter22');
  });

  it('leaves no stale logs of an earlier run when there is nothing to attach', () => {
    const reportDir = mkdtempSync(join(tmpdir(), 'container-logs-'));
    dirs.push(reportDir);
    writeContainerLogs(reportDir, [{ name: 'old', text: 'x' }], []);
    expect(writeContainerLogs(reportDir, [], [])).toEqual([]);
    expect(existsSync(join(reportDir, CONTAINER_LOGS_DIR))).toBe(false);
  });
});
