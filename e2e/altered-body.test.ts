/**
 * FN-02 judges the copy that ARRIVED (issue 21): a world whose Postal strips the characters it cannot
 * encode from outgoing mail (postalserver/postal issue 2816) delivers every seed message with its text and
 * HTML parts changed — FN-02 must fail and say so, while the same world run clean passes it. A world
 * mutation of its own, not a unit test on fabricated input: the copy is read over IMAP from the provider.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { harnessCommand, PROJECT_ROOT } from '../scripts/harness-command.ts';
import { cleanEnv } from './support/clean-env.ts';
import { loopbackNet } from './support/loopback-net.ts';

const NET = loopbackNet(import.meta.url);

function runFn02(fault: string | undefined): {
  status: number | null;
  control: { outcome: string; summary: string; remediation?: string };
  output: string;
} {
  const reportDir = mkdtempSync(join(tmpdir(), 'postal-qa-altered-'));
  const harness = harnessCommand(['--only=FN-02', `--report-dir=${reportDir}`, ...(fault ? [`--fault=${fault}`] : [])]);
  const run = spawnSync(harness.command, harness.args, {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    timeout: 240_000,
    env: cleanEnv({ POSTAL_QA_WORLD_NET: NET, POSTAL_QA_ARTIFACTS: 'off' }),
  });
  const results = JSON.parse(readFileSync(join(reportDir, 'test-results', 'results.json'), 'utf8')) as {
    controls: Array<{ id: string; outcome: string; summary: string; remediation?: string }>;
  };
  return { status: run.status, control: results.controls.find((c) => c.id === 'FN-02')!, output: run.stdout + run.stderr };
}

describe('FN-02 on a body altered in transit', () => {
  it('fails, naming what changed in the copy the provider received, and passes the unaltered world', () => {
    const altered = runFn02('outgoing-non-ascii-stripped');
    expect(altered.status, altered.output).toBe(1);
    expect(altered.control.outcome).toBe('fail');
    expect(altered.control.summary).toMatch(
      /\(Gmail by send\/message\) arrived altered: text differs, HTML part differs — non-ASCII characters were stripped from the message/,
    );
    // Every path and provider: what arrived is what is judged.
    expect(altered.control.summary.match(/arrived altered/g)).toHaveLength(6);
    expect(altered.control.remediation).toMatch(/issue 2816/);
    const clean = runFn02(undefined);
    expect(clean.control.outcome, clean.control.summary).toBe('pass');
    expect(clean.control.summary).toMatch(/^6\/6 messages arrived once and intact/);
  }, 500_000);
});
