/**
 * A signal at any moment ends the run with 128 + its number and a report whose verdict is INTERRUPTED
 * — during start-up too (while the modules load, while the world starts), never "configuration error",
 * never the previous run's report left looking current. A hard stop (a second Ctrl-C, SIGQUIT) does not
 * wait for anything, and still leaves its INTERRUPTED report. The harness runs as `npm test` runs it, in
 * a process group of its own (a terminal's job); nothing of its world may be left afterwards.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually } from '../core/poll.ts';
import { harnessCommand, PROJECT_ROOT } from '../scripts/harness-command.ts';
import { startCli, type CliProcess } from './support/cli-process.ts';
import { cleanEnv } from './support/clean-env.ts';
import { loopbackNet } from './support/loopback-net.ts';
import { expectNothingLeft } from './support/nothing-left.ts';

const NET = loopbackNet(import.meta.url);
const root = mkdtempSync(join(tmpdir(), 'postal-qa-signals-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let runs = 0;

const PREVIOUS = '# QA Test Report — the previous run\n\n**Verdict: PASS** — all 27 controls passed.\n';

function start(args: string[]): { run: CliProcess; reportDir: string } {
  const reportDir = join(root, `run-${++runs}`);
  mkdirSync(reportDir);
  writeFileSync(join(reportDir, 'QA-TEST-REPORT.md'), PREVIOUS);
  const harness = harnessCommand([`--report-dir=${reportDir}`, ...args]);
  const run = startCli(harness.command, harness.args, {
    cwd: PROJECT_ROOT,
    env: cleanEnv({ POSTAL_QA_WORLD_NET: NET, POSTAL_QA_ARTIFACTS: 'off', NO_COLOR: '1' }),
  });
  return { run, reportDir };
}

/**
 * Resolves once the process catches SIGHUP and SIGQUIT (/proc's SigCgt; Node itself catches SIGINT and
 * SIGTERM from its start, only to re-raise them, but neither of these): Node runs its first line of
 * JavaScript, harness/early-signals.mjs. Before that, Node itself is starting, and a signal ends it the
 * way it ends any program (a shell still reports 128 + n; nothing of the run had begun).
 */
async function catchingSignals(pid: number): Promise<void> {
  const wanted = (1n << 0n) | (1n << 2n);
  await eventually(
    'the harness catching SIGHUP and SIGQUIT (early-signals.mjs loaded)',
    () =>
      Promise.resolve().then(() => {
        const mask = /^SigCgt:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
        if (!mask || (BigInt(`0x${mask}`) & wanted) !== wanted) throw new Error(`SigCgt ${mask}`);
        return true;
      }),
    { timeoutMs: 30_000, intervalMs: 5, maxIntervalMs: 5 },
  );
}

/** Samples the run's processes until it ends, so none can start and outlive it unseen. */
async function finish(run: CliProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const sampler = setInterval(() => run.sampleDescendants(), 50);
  const exit = await Promise.race([
    run.exited,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still running 90 s after the signal:\n${run.output()}`)), 90_000)),
  ]);
  await run.closed;
  clearInterval(sampler);
  return exit;
}

/** No process of the run, no listener on its net, and not the world's own folder (its keys, its CA): it goes with it. */
const expectRunGone = (run: CliProcess): Promise<void> =>
  expectNothingLeft({ processes: [...run.seen.values()], net: NET, tempFolders: [`postal-qa-world-${NET}-`] });

function expectInterrupted(reportDir: string, why: string, output: string): void {
  const report = readFileSync(join(reportDir, 'QA-TEST-REPORT.md'), 'utf8');
  expect(report, output).toContain(`**Verdict: INTERRUPTED** — the run was interrupted (${why})`);
  expect(report).not.toContain('Configuration error');
  const results = JSON.parse(readFileSync(join(reportDir, 'test-results', 'results.json'), 'utf8')) as {
    verdict: string;
    interrupted: boolean;
    configError: unknown;
  };
  expect(results).toMatchObject({ verdict: 'INTERRUPTED', interrupted: true, configError: null });
}

const EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGQUIT: 131 };

describe('a signal at any moment of a run', () => {
  // From the harness's first line of JavaScript: while tsx and the harness load (~0.3-2 s), while the
  // world starts (~2-10 s), while the specs run.
  const moments = [0, 300, 1_000, 2_500, 4_000, 7_000];
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it.each(moments)(
      `${signal} to the job %i ms after its first line of JavaScript: exit ${EXIT[signal]}, an INTERRUPTED report, nothing left`,
      async (delayMs) => {
        const { run, reportDir } = start(['--only=dns']);
        try {
          await catchingSignals(run.child.pid!);
          await new Promise((resolve) => setTimeout(resolve, delayMs));
          run.signalGroup(signal);
          const exit = await finish(run);
          expect(exit, run.output()).toEqual({ code: EXIT[signal], signal: null });
          expect(run.output()).not.toMatch(/configuration error|internal error|\n\s+at /);
          expectInterrupted(reportDir, `${signal} received`, run.output());
          await expectRunGone(run);
        } finally {
          run.kill();
        }
      },
      150_000,
    );
  }

  it('a second Ctrl-C while the specs run: stopped at once, exit 130, the INTERRUPTED report written, nothing left', async () => {
    // Every delivery waits 6 s in the world's queue: after the first Ctrl-C, FN-01 (already waiting for its
    // ring) would keep the gentle stop going for seconds — the second Ctrl-C must not wait for it.
    const { run, reportDir } = start(['--only=FN-01', '--fault=slow-delivery']);
    try {
      await run.waitFor(/\bRUN\b/, 90_000);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      run.sampleDescendants();
      run.signalGroup('SIGINT');
      await run.waitFor('a second signal stops at once', 10_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      run.signalGroup('SIGINT');
      const exit = await finish(run);
      expect(exit, run.output()).toEqual({ code: 130, signal: null });
      expect(run.output()).toContain('SIGINT received again: stopped at once; the INTERRUPTED report is in');
      expectInterrupted(reportDir, 'SIGINT received', run.output());
      await expectRunGone(run);
    } finally {
      run.kill();
    }
  }, 150_000);

  it.each([
    ['while the specs run', true],
    ['at start-up', false],
  ])(
    'SIGQUIT %s: stopped at once, exit 131, an INTERRUPTED report, nothing left',
    async (_when, afterStart) => {
      const { run, reportDir } = start(['--only=fn']);
      try {
        if (afterStart) await run.waitFor(/\bRUN\b/, 90_000);
        else await new Promise((resolve) => setTimeout(resolve, 1_500));
        run.sampleDescendants();
        run.signalGroup('SIGQUIT');
        const exit = await finish(run);
        expect(exit, run.output()).toEqual({ code: 131, signal: null });
        expectInterrupted(reportDir, 'SIGQUIT received', run.output());
        await expectRunGone(run);
      } finally {
        run.kill();
      }
    },
    150_000,
  );
});
