/**
 * A command-line entry run to its end as a user runs it (`npm test`, the harness behind it): a deadline that
 * SIGKILLs it so a hang fails the test instead of the suite, stdout and stderr captured apart, and the command
 * line of every process seen below it while it ran (sampled every 100 ms: a world lives for seconds, so it
 * cannot pass unseen).
 */
import { runProcess } from '../../core/process/run-process.ts';
import { commandLine, descendantsOf } from './cli-process.ts';

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Killed at the deadline. */
  timedOut: boolean;
  /** Command lines of every process seen below the CLI while it ran. */
  seen: string[];
}

export async function runCli(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; deadlineMs: number },
): Promise<CliRun> {
  const seen = new Set<string>();
  let sampler: NodeJS.Timeout | undefined;
  try {
    const run = await runProcess(command, args, {
      cwd: options.cwd,
      env: options.env,
      timeoutMs: options.deadlineMs,
      onSpawn: (child) => {
        sampler = setInterval(() => {
          for (const p of descendantsOf(child.pid!)) seen.add(commandLine(p.pid));
        }, 100);
      },
    });
    if (run.startError) throw run.startError;
    return { code: run.code, signal: run.signal, stdout: run.stdout, stderr: run.stderr, timedOut: run.timedOut, seen: [...seen] };
  } finally {
    clearInterval(sampler);
  }
}
