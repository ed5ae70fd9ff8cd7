/**
 * One way to run a program to its end: spawn it, give it a deadline, capture what it prints, and say how it
 * ended (exit code, signal, killed at the deadline, too much output, could not start). A program that may
 * start others (a shell, npx, ssh) runs in a process group of its own so the deadline kills them too.
 * Daemons with a lifecycle of their own (the world's spamd, Dovecot) are not run this way.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface RunProcessOptions {
  /** How long the program may run: then it (its group, with `group`) gets `killSignal`. */
  timeoutMs: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed; without it stdin is empty (a program that prompts reads EOF). */
  input?: string | Buffer;
  /**
   * Run in a process group of its own: the deadline and too much output kill the whole group, and whatever
   * the program left running in its group (holding its output open) is killed when it exits.
   */
  group?: boolean;
  /** Default SIGKILL: the deadline is not a request. */
  killSignal?: NodeJS.Signals;
  /** At most this many characters of stdout and stderr together (default 16 MiB). */
  maxOutput?: number;
  /** Beyond maxOutput: 'kill' the program (default), or keep only the newest characters of each stream. */
  overflow?: 'kill' | 'keep-newest';
  /** Called once it runs (to sample its processes, say). */
  onSpawn?: (child: ChildProcess) => void;
  /**
   * Killed (its group, with `group`) if this process exits first — a hard stop's process.exit included: for a
   * program that must not outlive us (a browser taking the report's screenshots when a second Ctrl-C stops the run).
   */
  killOnExit?: boolean;
}

export interface ProcessOutcome {
  /** The exit code; null when a signal ended it or it never started. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Killed at the deadline. */
  timedOut: boolean;
  /** Killed for printing more than maxOutput. */
  overflowed: boolean;
  /** Could not start at all (ENOENT, EACCES). */
  startError?: NodeJS.ErrnoException;
}

const DEFAULT_MAX_OUTPUT = 16 * 1024 * 1024;

export function runProcess(command: string, args: readonly string[], options: RunProcessOptions): Promise<ProcessOutcome> {
  const maxOutput = options.maxOutput ?? DEFAULT_MAX_OUTPUT;
  const killSignal = options.killSignal ?? 'SIGKILL';
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(command, [...args], {
        cwd: options.cwd,
        env: options.env ?? process.env,
        detached: options.group === true,
        stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      });
    } catch (error) {
      resolve({
        code: null,
        signal: null,
        stdout: '',
        stderr: '',
        timedOut: false,
        overflowed: false,
        startError: error as NodeJS.ErrnoException,
      });
      return;
    }
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let overflowed = false;
    let startError: NodeJS.ErrnoException | undefined;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;

    const kill = (signal: NodeJS.Signals): void => {
      try {
        if (options.group && child.pid !== undefined) process.kill(-child.pid, signal);
        else child.kill(signal);
      } catch {
        // Already gone.
      }
    };
    const killAtOurExit = (): void => kill('SIGKILL');
    if (options.killOnExit) process.once('exit', killAtOurExit);
    const timer = setTimeout(() => {
      // Exited already, but something still holds its output open: that is killed, the exit stands.
      if (!exit) timedOut = true;
      kill(killSignal);
    }, options.timeoutMs);

    const keep = (text: string, chunk: Buffer, other: string): string => {
      const next = text + chunk.toString('utf8');
      if (next.length + other.length <= maxOutput) return next;
      if (options.overflow === 'keep-newest') return next.slice(-Math.max(0, maxOutput - other.length));
      if (!overflowed) {
        overflowed = true;
        kill(killSignal);
      }
      return next;
    };
    child.stdout!.on('data', (chunk: Buffer) => (stdout = keep(stdout, chunk, stderr)));
    child.stderr!.on('data', (chunk: Buffer) => (stderr = keep(stderr, chunk, stdout)));
    if (child.stdin) {
      child.stdin.on('error', () => {}); // a program that exits without reading its input
      child.stdin.end(options.input);
    }
    child.once('spawn', () => options.onSpawn?.(child));
    child.once('error', (error: NodeJS.ErrnoException) => {
      startError = error;
    });
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      // Whatever it left in its group (holding its output open) goes with it.
      if (options.group && !timedOut && !overflowed) kill('SIGKILL');
    });
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      process.removeListener('exit', killAtOurExit);
      const end = exit ?? { code, signal };
      resolve({
        code: startError ? null : end.code,
        signal: end.signal,
        stdout,
        stderr,
        timedOut,
        overflowed,
        ...(startError ? { startError } : {}),
      });
    });
  });
}

/** How a run ended, in words for an error or evidence: "exit 3", "killed by SIGTERM", "killed after 5000 ms". */
export function describeEnd(outcome: ProcessOutcome, timeoutMs: number): string {
  if (outcome.startError) return `could not start: ${outcome.startError.code ?? outcome.startError.message}`;
  if (outcome.timedOut) return `killed after ${timeoutMs} ms`;
  if (outcome.overflowed) return 'killed for printing too much';
  if (outcome.code !== null) return `exit ${outcome.code}`;
  return `killed by ${outcome.signal ?? 'a signal'}`;
}

/**
 * Runs it for what it prints: stdout and stderr when it exits 0; otherwise it throws the way Node's execFile
 * does ("Command failed: <command line>" and its stderr), saying when the deadline or too much output killed it.
 */
export async function runForOutput(
  command: string,
  args: readonly string[],
  options: RunProcessOptions,
): Promise<{ stdout: string; stderr: string }> {
  const run = await runProcess(command, args, options);
  if (run.startError) throw run.startError;
  if (run.code === 0 && !run.timedOut && !run.overflowed) return { stdout: run.stdout, stderr: run.stderr };
  const why = run.timedOut || run.overflowed ? ` (${describeEnd(run, options.timeoutMs)})` : '';
  throw new Error(`Command failed: ${[command, ...args].join(' ')}${why}\n${run.stderr}`);
}
