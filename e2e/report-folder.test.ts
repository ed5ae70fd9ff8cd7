/**
 * One report folder, one run at a time: a second run into a folder another run is writing is refused in
 * one line before it starts anything (its world never starts, the first run's report is the first run's),
 * and each run's allure-results are its own — a second run never piles its results onto the first's.
 * Two nets of its own (e2e/support/loopback-net.ts), one per run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { harnessCommand, PROJECT_ROOT } from '../scripts/harness-command.ts';
import { commandLine, startCli } from './support/cli-process.ts';
import { loopbackNet } from './support/loopback-net.ts';

const FIRST_NET = loopbackNet(import.meta.url, 0);
const SECOND_NET = loopbackNet(import.meta.url, 1);

const root = mkdtempSync(join(tmpdir(), 'postal-qa-report-folder-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const env = (net: string): NodeJS.ProcessEnv => ({ ...process.env, POSTAL_QA_WORLD_NET: net, POSTAL_QA_ARTIFACTS: 'off', NO_COLOR: '1' });
const allureResults = (dir: string): string[] => readdirSync(join(dir, 'allure-results')).filter((f) => f.endsWith('-result.json'));

describe('a report folder is owned by one run', () => {
  it('a second run into a folder the first is writing is refused in one line and starts nothing; the first finishes its own report', async () => {
    const reportDir = join(root, 'shared');
    const first = harnessCommand([`--report-dir=${reportDir}`, '--only=DNS-01']);
    const a = startCli(first.command, first.args, { cwd: PROJECT_ROOT, env: env(FIRST_NET) });
    try {
      await a.waitFor(/\bRUN\b/, 120_000);
      const second = harnessCommand([`--report-dir=${reportDir}`, '--only=DNS-02']);
      const b = startCli(second.command, second.args, { cwd: PROJECT_ROOT, env: env(SECOND_NET) });
      const sampler = setInterval(() => b.sampleDescendants(), 100);
      const bExit = await b.exited;
      await b.closed;
      clearInterval(sampler);
      expect(bExit.code, b.output()).toBe(2);
      expect(b.output().trimEnd().split('\n')).toEqual([
        expect.stringMatching(/^postal-qa: --report-dir=.*shared: another postal-qa run \(pid \d+\) is writing its report there/),
      ]);
      expect([...b.seen.values()].map((p) => commandLine(p.pid)).filter((c) => c.includes('world/main.ts'))).toEqual([]);

      const aExit = await a.exited;
      await a.closed;
      expect(aExit.code, a.output()).toBe(0);
      const results = JSON.parse(readFileSync(join(reportDir, 'test-results', 'results.json'), 'utf8')) as {
        command: string;
        controls: Array<{ id: string; outcome: string }>;
      };
      expect(results.command).toContain('--only=DNS-01');
      expect(results.controls.find((c) => c.id === 'DNS-01')?.outcome).toBe('pass');
      expect(readdirSync(reportDir).filter((n) => n.startsWith('.postal-qa'))).toEqual([]);
    } finally {
      a.kill();
    }
  }, 300_000);

  it("each run's allure-results are its own: the second run into a folder holds as many results as the first", () => {
    const reportDir = join(root, 'sequential');
    const counts: number[] = [];
    for (const only of ['DNS-01', 'DNS-02']) {
      const harness = harnessCommand([`--report-dir=${reportDir}`, `--only=${only}`]);
      const result = spawnSync(harness.command, harness.args, {
        cwd: PROJECT_ROOT,
        encoding: 'utf8',
        timeout: 240_000,
        env: env(FIRST_NET),
      });
      expect(result.status, result.stderr).toBe(0);
      counts.push(allureResults(reportDir).length);
      const passed = allureResults(reportDir)
        .map((f) => JSON.parse(readFileSync(join(reportDir, 'allure-results', f), 'utf8')) as { name: string; status: string })
        .filter((r) => r.status === 'passed');
      expect(passed.map((r) => r.name.split(' ')[0])).toEqual([only]);
    }
    expect(counts[0]).toBeGreaterThan(0);
    expect(counts[1]).toBe(counts[0]);
  }, 600_000);
});
