/**
 * Whatever stops a run, nothing of its world is left behind and the report is written whenever the
 * harness can still write it. Driven from outside as a user, CI or a supervisor would: `npm test` in a
 * process group of its own (a terminal's job), signals and SIGKILLs sent to the processes that get them
 * in real life, then /proc and the world's ports are read to prove every process and port is gone.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually } from '../core/poll.ts';
import { commandLine, startCli, stillRunning, type CliProcess, type ProcessIdentity } from './support/cli-process.ts';
import { cleanEnv } from './support/clean-env.ts';
import { loopbackNet } from './support/loopback-net.ts';
import { expectNothingLeft, listenersOn } from './support/nothing-left.ts';

const ROOT = new URL('../', import.meta.url).pathname;
const NET = loopbackNet(import.meta.url);
const GONE_WITHIN_MS = 10_000;

const reportRoot = mkdtempSync(join(tmpdir(), 'postal-qa-lifecycle-'));
afterAll(() => rmSync(reportRoot, { recursive: true, force: true }));
let runs = 0;

interface StartedRun {
  run: CliProcess;
  reportDir: string;
  harness: ProcessIdentity;
  world: ProcessIdentity;
  daemons: ProcessIdentity[];
}

/** `npm test` until the specs start (the world is up by then), with every process of the run recorded. */
async function startRun(): Promise<StartedRun> {
  const reportDir = join(reportRoot, `run-${++runs}`);
  const run = startCli('npm', ['test', '--', `--report-dir=${reportDir}`], {
    cwd: ROOT,
    env: cleanEnv({ POSTAL_QA_WORLD_NET: NET, FORCE_COLOR: '0', NO_COLOR: '1' }),
  });
  try {
    await run.waitFor(/\bRUN\b/, 90_000);
    const processes = run.sampleDescendants();
    const find = (pattern: RegExp, what: string): ProcessIdentity => {
      const found = processes.find((p) => pattern.test(commandLine(p.pid)));
      if (!found)
        throw new Error(`no ${what} among the run's processes:\n${processes.map((p) => `${p.pid} ${commandLine(p.pid)}`).join('\n')}`);
      return found;
    };
    const daemons = processes.filter((p) => /spamd|dovecot/.test(p.comm));
    expect(daemons.length, 'spamd and both Dovecots run under the world').toBeGreaterThanOrEqual(3);
    return { run, reportDir, harness: find(/harness\/cli\.ts/, 'harness'), world: find(/world\/main\.ts/, 'world process'), daemons };
  } catch (error) {
    run.kill();
    throw error;
  }
}

/** Every process the run started has ended and nothing listens on its world's net. */
const expectRunGone = (started: StartedRun): Promise<void> =>
  expectNothingLeft({ processes: [...started.run.seen.values()], net: NET, timeoutMs: GONE_WITHIN_MS });

function expectInterruptedReport(started: StartedRun): void {
  const markdown = join(started.reportDir, 'QA-TEST-REPORT.md');
  expect(existsSync(markdown), started.run.output()).toBe(true);
  expect(readFileSync(markdown, 'utf8')).toContain('The run was interrupted');
  expect(readFileSync(join(started.reportDir, 'test-results', 'results.json'), 'utf8')).toContain('"interrupted": true');
}

async function exitOf(run: CliProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const exit = await Promise.race([
    run.exited,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still running 60 s after the stop:\n${run.output()}`)), 60_000)),
  ]);
  await run.closed;
  return exit;
}

describe('a run of npm test stopped from outside', () => {
  it('SIGTERM to npm alone (a CI time-out): the harness exits 143, the report written, nothing left', async () => {
    const started = await startRun();
    try {
      started.run.child.kill('SIGTERM');
      // npm passes the signal to its `sh -c`, which dies of it without passing it on: the harness sees
      // its launcher go (or the signal, where the shell passes it on), stops the same way, and npm ends by the signal.
      expect(await exitOf(started.run), started.run.output()).toEqual({ code: null, signal: 'SIGTERM' });
      expect(started.run.output()).toMatch(/postal-qa: stopped \((SIGTERM received|launcher sh \(pid \d+\) exited)\); exit 143/);
      expectInterruptedReport(started);
      await expectRunGone(started);
    } finally {
      started.run.kill();
    }
  }, 180_000);

  it('Ctrl-C (SIGINT to the whole job), 10 times out of 10: the harness exits 130, the report written, nothing left', async () => {
    for (let attempt = 1; attempt <= 10; attempt++) {
      const started = await startRun();
      try {
        started.run.signalGroup('SIGINT');
        const exit = await exitOf(started.run);
        expect(exit.signal ?? exit.code, `attempt ${attempt}:\n${started.run.output()}`).toBeTruthy();
        expect(started.run.output(), `attempt ${attempt}`).toContain('postal-qa: stopped (SIGINT received); exit 130');
        expectInterruptedReport(started);
        await expectRunGone(started);
      } finally {
        started.run.kill();
      }
    }
  }, 900_000);

  it('SIGKILL of the harness process: its world stops itself within 10 s', async () => {
    const started = await startRun();
    try {
      process.kill(started.harness.pid, 'SIGKILL');
      await expectRunGone(started);
    } finally {
      started.run.kill();
    }
  }, 180_000);

  it('SIGKILL of the world process: its daemons (spamd, both Dovecots) are gone within 10 s', async () => {
    const started = await startRun();
    try {
      process.kill(started.world.pid, 'SIGKILL');
      await eventually(
        'spamd and Dovecot gone',
        () =>
          Promise.resolve().then(() => {
            const left = stillRunning(started.daemons);
            if (left.length) throw new Error(`still running: ${left.map((p) => `${p.pid} ${p.comm}`).join(', ')}`);
            return true;
          }),
        { timeoutMs: GONE_WITHIN_MS, intervalMs: 100, maxIntervalMs: 250 },
      );
      // spamd (783) and Dovecot (143) listen no more.
      expect(listenersOn(NET).filter((listener) => /:(783|143)\/tcp$/.test(listener))).toEqual([]);
    } finally {
      started.run.kill();
    }
  }, 180_000);
});
