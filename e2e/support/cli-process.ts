/**
 * Running the project's command-line entries (`npm run world`, `npm test`) as a user would, as a child
 * process in its own process group (what a terminal's job is), and watching what they leave behind:
 * every descendant process is recorded while it runs, so a test can prove none survived the stop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { eventually as eventuallyWithin } from '../../core/poll.ts';
import { describeEnd, runProcess } from '../../core/process/run-process.ts';
import { createSocket } from 'node:dgram';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export interface ProcessIdentity {
  pid: number;
  comm: string;
  /** clock ticks since boot at which the process started: tells a reused pid apart */
  startTime: string;
}

interface Stat extends ProcessIdentity {
  ppid: number;
  /** R, S, D, Z (exited, waiting for its parent — or init, once orphaned — to reap it), … */
  state: string;
}

function stat(pid: number): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    const fields = text.slice(close + 2).split(' ');
    // after "pid (comm)": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
    // cutime cstime priority nice num_threads itrealvalue starttime
    return { pid, comm: text.slice(text.indexOf('(') + 1, close), state: fields[0]!, ppid: Number(fields[1]), startTime: fields[19]! };
  } catch {
    return undefined;
  }
}

/** The command line of a process ("" once it is gone). */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** Every process below `root` (children, their children, …), from /proc. */
export function descendantsOf(root: number): ProcessIdentity[] {
  const children = new Map<number, Stat[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = stat(Number(name));
    if (s) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  }
  const found: ProcessIdentity[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push({ pid: child.pid, comm: child.comm, startTime: child.startTime });
      queue.push(child.pid);
    }
  }
  return found;
}

/**
 * Those of `processes` still running (same pid and start time). A zombie has exited: it holds no port
 * or file, and a daemon's orphaned workers stay zombies until init gets round to reaping them.
 */
export function stillRunning(processes: ProcessIdentity[]): ProcessIdentity[] {
  return processes.filter((p) => {
    const now = stat(p.pid);
    return now?.startTime === p.startTime && now.state !== 'Z';
  });
}

export interface CliProcess {
  child: ChildProcess;
  /** everything written to stdout and stderr so far */
  output(): string;
  /** resolves with the output once `pattern` appears in it; rejects at the deadline or if the process ends first */
  waitFor(pattern: string | RegExp, timeoutMs: number): Promise<string>;
  /** the child's own exit */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** stdout and stderr closed: every process that inherited them (tsx, the world) has exited too */
  closed: Promise<void>;
  /** every descendant seen so far (sampled by `sampleDescendants`) */
  seen: Map<number, ProcessIdentity>;
  sampleDescendants(): ProcessIdentity[];
  /** sends the signal to the whole process group, like a terminal's Ctrl-C */
  signalGroup(signal: NodeJS.Signals): void;
  /** last resort for a test that failed midway: SIGKILL the group and every descendant seen */
  kill(): void;
}

export function startCli(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): CliProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer): void => {
    text += chunk.toString('utf8');
    for (const listener of listeners) listener();
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const closed = Promise.all([new Promise((r) => child.stdout.once('close', r)), new Promise((r) => child.stderr.once('close', r))]).then(
    () => undefined,
  );
  let ended = false;
  void closed.then(() => {
    ended = true;
    for (const listener of listeners) listener();
  });
  const seen = new Map<number, ProcessIdentity>();

  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // the group is gone
    }
  };
  return {
    child,
    output: () => text,
    waitFor(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text)) done(() => resolve(text));
          else if (ended) done(() => reject(new Error(`${command} ended before printing ${String(pattern)}; its output:\n${text}`)));
        };
        const timer = setTimeout(
          () => done(() => reject(new Error(`no ${String(pattern)} from ${command} within ${timeoutMs} ms; its output:\n${text}`))),
          timeoutMs,
        );
        const done = (settle: () => void): void => {
          clearTimeout(timer);
          listeners.delete(check);
          settle();
        };
        listeners.add(check);
        check();
      });
    },
    exited,
    closed,
    seen,
    sampleDescendants() {
      const now = descendantsOf(child.pid!);
      for (const p of now) seen.set(p.pid, p);
      return now;
    },
    signalGroup,
    kill() {
      for (const p of stillRunning([...seen.values(), ...descendantsOf(child.pid!)])) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
      signalGroup('SIGKILL');
    },
  };
}

/** Runs a command-line tool (dig, swaks, curl) with a deadline; never throws on a non-zero exit. */
export async function runTool(
  command: string,
  args: string[],
  timeoutMs = 15_000,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = await runProcess(command, args, { timeoutMs, killSignal: 'SIGTERM', maxOutput: 16 * 1024 * 1024 });
  if (run.code === null || run.startError) throw new Error(`${command} ${args.join(' ')}: ${describeEnd(run, timeoutMs)}\n${run.stderr}`);
  return { code: run.code, stdout: run.stdout, stderr: run.stderr };
}

/** True when `address:port` can be bound again (TCP, and UDP when asked): nothing of a stopped world holds it. */
export async function canBind(address: string, port: number, protocol: 'tcp' | 'udp'): Promise<boolean> {
  if (protocol === 'tcp') {
    const server = createServer();
    return new Promise((resolve) => {
      server.once('error', () => resolve(false));
      server.listen({ host: address, port, exclusive: true }, () => server.close(() => resolve(true)));
    });
  }
  const socket = createSocket('udp4');
  return new Promise((resolve) => {
    socket.once('error', () => resolve(false));
    socket.bind({ address, port, exclusive: true }, () => socket.close(() => resolve(true)));
  });
}

/** Polls `probe` until it returns a value (not undefined) or the deadline passes. */
export function eventually<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, intervalMs = 200): Promise<T> {
  return eventuallyWithin(what, probe, { timeoutMs, intervalMs, maxIntervalMs: intervalMs });
}
