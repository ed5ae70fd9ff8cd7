/**
 * Breaking the world on purpose turns the right controls red (issue 4): the worker is stopped, INF-03 and
 * FN-01 must fail or be blocked, and nothing the fault does not touch may go red. The full matrix of every
 * fault is `npm run faults`; this is its smallest honest sample, run with the project's own tests.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { controlText, judgeFaultRun, type ControlWords } from '../scripts/fault-judgement.ts';
import { expectedReasons, expectedRed } from '../scripts/fault-oracle.ts';
import { harnessCommand, PROJECT_ROOT } from '../scripts/harness-command.ts';
import { loopbackNet } from './support/loopback-net.ts';

describe('a stopped worker', () => {
  it('turns INF-03 and FN-01 red and nothing unrelated', () => {
    const reportDir = mkdtempSync(join(tmpdir(), 'postal-qa-fault-'));
    const harness = harnessCommand(['--fault=worker-down', `--report-dir=${reportDir}`]);
    const run = spawnSync(harness.command, harness.args, {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      timeout: 180_000,
      env: { ...process.env, POSTAL_QA_WORLD_NET: loopbackNet(import.meta.url) },
    });
    const results = JSON.parse(readFileSync(join(reportDir, 'test-results', 'results.json'), 'utf8')) as {
      controls: Array<{ id: string; outcome: string } & ControlWords>;
    };
    const outcomes = Object.fromEntries(results.controls.map((c) => [c.id, c.outcome]));
    const texts = Object.fromEntries(results.controls.map((c) => [c.id, controlText(c)]));
    expect(run.status, run.stdout + run.stderr).toBe(1);
    expect(outcomes['INF-03']).toBe('fail');
    expect(['fail', 'blocked']).toContain(outcomes['FN-01']);
    const judgement = judgeFaultRun({
      fault: 'worker-down',
      expected: [...expectedRed('worker-down')],
      because: expectedReasons('worker-down'),
      exitCode: run.status,
      outcomes,
      texts,
      elapsedMs: 0,
    });
    expect(judgement.unrelated).toEqual([]);
    expect(judgement.wrongReason).toEqual([]);
    expect(judgement.ok, judgement.problems.join('; ')).toBe(true);
    // Everything outside the mail flow still passed: DNS and security do not depend on the worker.
    for (const id of ['DNS-01', 'DNS-03', 'DNS-06', 'SEC-02', 'SEC-03', 'INF-01']) expect(outcomes[id], id).toBe('pass');
    // SEC-01 carries each relay attempt to where it would land: with no worker nothing lands, so it
    // cannot prove "not a relay" and says why (a warning pointing at the queue), never a pass or a fail.
    expect(outcomes['SEC-01']).toBe('warn');
    expect(texts['SEC-01']).toMatch(/stuck queue\? see INF-03/);
    expect(readFileSync(join(reportDir, 'QA-TEST-REPORT.md'), 'utf8')).toContain('Fault injected on purpose: worker-down');
  }, 200_000);
});
