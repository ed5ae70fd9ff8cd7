/**
 * A system daemon (spamd, Dovecot) run by the world as a child in its own process group.
 *
 * Both daemons fork workers, so killing the leader alone can leave children holding ports.
 * The child is spawned detached (its own group) and every group still alive is SIGKILLed from a
 * synchronous process 'exit' handler, so a crashed test run or a `process.exit()` leaves nothing
 * behind. A SIGKILL of node itself cannot be caught: for that, every group is also registered with
 * the reaper (process/reaper.ts), which SIGKILLs what is left when the world's pipe closes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { pollUntil } from '../../core/poll.ts';
import { reaperWatch } from '../process/reaper.ts';

export interface DaemonOptions {
  /** a short label for error messages, e.g. "spamd 127.0.0.60:783" */
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** every line the daemon writes to stdout or stderr */
  onLine?: (line: string) => void;
  /** how many recent output lines to keep for error messages */
  keepLines?: number;
  /** synchronous cleanup (e.g. removing a runtime folder) also run when node exits abnormally */
  cleanupOnExit?: () => void;
}

export interface DaemonExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Daemon {
  readonly pid: number;
  /** settles when the leader exits (or fails to spawn) */
  readonly exited: Promise<DaemonExit>;
  /** true until the leader has exited */
  readonly running: boolean;
  /** the last lines of output, for error messages */
  recentOutput(): string;
  /** SIGTERM the group, SIGKILL it after `graceMs`; resolves when the leader is gone. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

const liveGroups = new Set<number>();
const cleanups = new Set<() => void>();
let exitHandlerInstalled = false;

function installExitHandler(): void {
  if (exitHandlerInstalled) return;
  exitHandlerInstalled = true;
  process.on('exit', () => {
    for (const pgid of liveGroups) killGroup(pgid, 'SIGKILL');
    liveGroups.clear();
    for (const cleanup of cleanups) {
      try {
        cleanup();
      } catch {
        // best effort while exiting
      }
    }
    cleanups.clear();
  });
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone (ESRCH)
  }
}

export function startDaemon(options: DaemonOptions): Daemon {
  installExitHandler();
  const keep = options.keepLines ?? 40;
  const lines: string[] = [];
  const child: ChildProcess = spawn(options.command, options.args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: options.env ?? process.env,
  });
  let running = true;
  const cleanup = options.cleanupOnExit;
  if (cleanup) cleanups.add(cleanup);
  const exited = new Promise<DaemonExit>((resolve) => {
    child.once('error', (error) => {
      running = false;
      lines.push(`spawn failed: ${error.message}`);
      resolve({ code: null, signal: null });
    });
    child.once('exit', (code, signal) => {
      running = false;
      resolve({ code, signal });
    });
  });
  const pid = child.pid;
  if (pid !== undefined) {
    liveGroups.add(pid);
    reaperWatch.group(pid);
    // Workers may outlive a leader that died on its own; reap the whole group once it has.
    void exited.then(() => {
      killGroup(pid, 'SIGKILL');
      liveGroups.delete(pid);
      reaperWatch.groupGone(pid);
    });
  }

  const collect = (stream: NodeJS.ReadableStream | null): void => {
    if (!stream) return;
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      partial += chunk;
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        if (lines.length > keep) lines.shift();
        options.onLine?.(line);
      }
    });
  };
  collect(child.stdout);
  collect(child.stderr);

  let stopping: Promise<void> | undefined;
  return {
    pid: pid ?? -1,
    exited,
    get running() {
      return running;
    },
    recentOutput: () => lines.join('\n'),
    stop(graceMs = 3000) {
      stopping ??= (async () => {
        if (!running || pid === undefined) return;
        killGroup(pid, 'SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        const forced = new Promise<void>((resolve) => {
          timer = setTimeout(() => {
            killGroup(pid, 'SIGKILL');
            resolve();
          }, graceMs);
        });
        await Promise.race([exited, forced]);
        await exited;
        clearTimeout(timer);
        // Workers still exiting may hold the listening socket a moment after the leader is gone.
        killGroup(pid, 'SIGKILL');
        await waitForGroupGone(pid, graceMs);
      })().finally(() => {
        if (cleanup) cleanups.delete(cleanup);
      });
      return stopping;
    },
  };
}

/**
 * true while any live (non-zombie) process is in the group. Reads /proc on Linux, where a zombie
 * reparented to init would otherwise look alive until init reaps it; elsewhere asks kill(0).
 */
export function groupAlive(pgid: number): boolean {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // fields after the parenthesised command: state ppid pgrp …
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') return true;
    } catch {
      // the process ended while we looked
    }
  }
  return false;
}

async function waitForGroupGone(pgid: number, timeoutMs: number): Promise<void> {
  await pollUntil(
    () => Promise.resolve(groupAlive(pgid)),
    (alive) => !alive,
    { timeoutMs, intervalMs: 20, maxIntervalMs: 100 },
  );
}

/** Polls `probe` until it resolves true, the daemon exits, or the deadline passes. */
export async function waitUntilReady(
  daemon: Daemon,
  probe: () => Promise<boolean>,
  { timeoutMs, intervalMs = 50, what }: { timeoutMs: number; intervalMs?: number; what: string },
): Promise<void> {
  const polled = await pollUntil(
    async () => (daemon.running ? ((await probe().catch(() => false)) ? 'ready' : 'waiting') : 'exited'),
    (state) => state !== 'waiting',
    { timeoutMs, intervalMs, maxIntervalMs: 200 },
  );
  if (polled.value === 'ready') return;
  if (polled.value === 'exited') {
    const exit = await daemon.exited;
    throw new Error(
      `${what} exited before it was ready (code ${exit.code}, signal ${exit.signal}). Last output:\n${daemon.recentOutput()}`,
    );
  }
  throw new Error(`${what} not ready after ${timeoutMs} ms. Last output:\n${daemon.recentOutput()}`);
}
