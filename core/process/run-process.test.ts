import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eventually } from '../poll.ts';
import { describeEnd, runProcess } from './run-process.ts';

const node = process.execPath;

/** True while the process `pid` runs (not a zombie waiting to be reaped). */
function running(pid: number): boolean {
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('runProcess', () => {
  it('captures stdout and stderr apart, and the exit code', async () => {
    const outcome = await runProcess(node, ['-e', 'process.stdout.write("out"); process.stderr.write("err"); process.exit(3)'], {
      timeoutMs: 30_000,
    });
    expect(outcome).toMatchObject({ code: 3, signal: null, stdout: 'out', stderr: 'err', timedOut: false, overflowed: false });
    expect(outcome.startError).toBeUndefined();
    expect(describeEnd(outcome, 30_000)).toBe('exit 3');
  });

  it('hands the input to stdin and closes it; without input stdin is empty', async () => {
    const echo = ['-e', 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => process.stdout.write(`[${s}]`))'];
    expect((await runProcess(node, echo, { timeoutMs: 30_000, input: 'hello' })).stdout).toBe('[hello]');
    expect((await runProcess(node, echo, { timeoutMs: 30_000 })).stdout).toBe('[]');
  });

  it('runs in the given folder with the given environment', async () => {
    const outcome = await runProcess(node, ['-e', 'process.stdout.write(process.cwd() + " " + process.env.RUN_PROCESS_TEST)'], {
      timeoutMs: 30_000,
      cwd: '/',
      env: { RUN_PROCESS_TEST: 'yes' },
    });
    expect(outcome.stdout).toBe('/ yes');
  });

  it('reports the signal that ended the program', async () => {
    const outcome = await runProcess('/bin/sh', ['-c', 'kill -TERM $$'], { timeoutMs: 30_000 });
    expect(outcome).toMatchObject({ code: null, signal: 'SIGTERM', timedOut: false });
    expect(describeEnd(outcome, 30_000)).toBe('killed by SIGTERM');
  });

  it('kills the program at the deadline, and with group everything it started', async () => {
    // The shell prints its background child's pid, then waits for it: only the deadline ends it.
    const outcome = await runProcess('/bin/sh', ['-c', 'sleep 60 & echo $!; wait'], { timeoutMs: 1_500, group: true });
    expect(outcome).toMatchObject({ code: null, signal: 'SIGKILL', timedOut: true });
    expect(describeEnd(outcome, 1_500)).toBe('killed after 1500 ms');
    const sleeper = Number(outcome.stdout.trim());
    expect(sleeper).toBeGreaterThan(0);
    await eventually('the background sleep killed with its group', () => Promise.resolve(running(sleeper) ? undefined : true), {
      timeoutMs: 10_000,
      intervalMs: 50,
    });
  });

  it('with group, kills what the program left running when it exits', async () => {
    const outcome = await runProcess('/bin/sh', ['-c', 'sleep 60 >/dev/null 2>&1 & echo $!'], { timeoutMs: 30_000, group: true });
    expect(outcome).toMatchObject({ code: 0, timedOut: false });
    const sleeper = Number(outcome.stdout.trim());
    await eventually('the left-over sleep killed', () => Promise.resolve(running(sleeper) ? undefined : true), {
      timeoutMs: 10_000,
      intervalMs: 50,
    });
  });

  it('with killOnExit, kills the program (its group) when this process exits first, process.exit included', async () => {
    // A process that starts `sleep 60` beside its work, then exits at once (as a hard stop does), printing the pid.
    const script = `
      import { runProcess } from ${JSON.stringify(new URL('./run-process.ts', import.meta.url).href)};
      void runProcess('/bin/sh', ['-c', 'sleep 60'], {
        timeoutMs: 60_000, group: true, killOnExit: true,
        onSpawn: (child) => { process.stdout.write(String(child.pid)); process.exit(0); },
      });`;
    const outcome = await runProcess(node, ['--import', 'tsx', '--input-type=module', '-e', script], { timeoutMs: 30_000 });
    expect(outcome, outcome.stderr).toMatchObject({ code: 0 });
    const shell = Number(outcome.stdout.trim());
    expect(shell).toBeGreaterThan(0);
    await eventually('the program killed with the process that started it', () => Promise.resolve(running(shell) ? undefined : true), {
      timeoutMs: 10_000,
      intervalMs: 50,
    });
    // Without killOnExit the same program outlives it: the test above is not passing by accident.
    const outliving = await runProcess(
      node,
      ['--import', 'tsx', '--input-type=module', '-e', script.replace('killOnExit: true', 'killOnExit: false')],
      {
        timeoutMs: 30_000,
      },
    );
    const survivor = Number(outliving.stdout.trim());
    expect(running(survivor)).toBe(true);
    process.kill(-survivor, 'SIGKILL');
  });

  it('kills a program that prints more than maxOutput, or keeps the newest output when asked', async () => {
    const flood = ['-e', 'for (let i = 0; i < 1000; i++) process.stdout.write("0123456789"); setTimeout(() => {}, 60_000)'];
    const killed = await runProcess(node, flood, { timeoutMs: 30_000, maxOutput: 1_000 });
    expect(killed).toMatchObject({ overflowed: true, timedOut: false, signal: 'SIGKILL' });
    expect(describeEnd(killed, 30_000)).toBe('killed for printing too much');
    const kept = await runProcess(node, ['-e', 'for (let i = 0; i < 1000; i++) process.stdout.write(String(i % 10))'], {
      timeoutMs: 30_000,
      maxOutput: 10,
      overflow: 'keep-newest',
    });
    expect(kept).toMatchObject({ code: 0, overflowed: false, stdout: '0123456789' });
  });

  it('says when the program could not start', async () => {
    const outcome = await runProcess('/nonexistent/postal-qa-program', [], { timeoutMs: 30_000 });
    expect(outcome.code).toBeNull();
    expect(outcome.startError?.code).toBe('ENOENT');
    expect(describeEnd(outcome, 30_000)).toBe('could not start: ENOENT');
  });

  it('calls onSpawn with the running child', async () => {
    let pid: number | undefined;
    await runProcess(node, ['-e', ''], { timeoutMs: 30_000, onSpawn: (child) => (pid = child.pid) });
    expect(pid).toBeGreaterThan(0);
  });
});
