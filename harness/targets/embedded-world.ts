/**
 * Starts the embedded world as a process of its own (world/main.ts --ipc) and waits for its
 * description. The world is a system apart: the harness talks to it through protocols, and to its
 * process only to learn its addresses and to say stop. The world stops itself when this process
 * goes away, however it goes (IPC channel closed, launcher gone), so a SIGKILLed harness leaves nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../core/config-error.ts';
import type { WorldDescription, WorldMessage } from '../../world/world-description.ts';

const WORLD_MAIN = fileURLToPath(new URL('../../world/main.ts', import.meta.url));
const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface WorldProcessOptions {
  deploymentPath: string;
  /** the world's own folder for what it generates (never provisioning's output folder) */
  artifactsDir: string;
  /** provisioning's output folder, read for keys to reuse (default: artifacts/ where the harness runs) */
  seedFrom?: string;
  /** `artifactsDir` is this run's alone: the world removes it when it exits, however the run ended */
  temporaryArtifactsDir?: boolean;
  net: string;
  zoneFile?: string;
  faults: string[];
  /** How long the world may take to start (spamd compiles its rules in about 2 s; default 120 s for a busy machine). */
  startTimeoutMs?: number;
  /** How long it may take to stop before it is killed. */
  stopTimeoutMs?: number;
  postalSpamd?: boolean;
  /** Postal inspects with rspamd (postal.yml `rspamd.enabled`) */
  postalRspamd?: boolean;
}

/**
 * The world died of a stop signal before it was ready: the job it belongs to was stopped (a Ctrl-C or a
 * SIGTERM to the whole group, which the world takes before its own handlers are in place). An
 * interruption, never a configuration error.
 */
export class WorldInterrupted extends Error {
  override readonly name = 'WorldInterrupted';
  constructor(readonly signal: NodeJS.Signals) {
    super(`the world was stopped by ${signal} while it started`);
  }
}

export interface WorldProcess {
  description: WorldDescription;
  startedMs: number;
  pid: number;
  /** Asks the world to stop and waits for its process to end; SIGKILL after the stop deadline. Idempotent. */
  stop(): Promise<void>;
}

export async function startWorldProcess(options: WorldProcessOptions): Promise<WorldProcess> {
  const args = [
    '--import',
    'tsx',
    WORLD_MAIN,
    '--ipc',
    // The world runs in the project's folder: every path resolved where the user gave it.
    `--deployment=${resolve(options.deploymentPath)}`,
    `--out=${resolve(options.artifactsDir)}`,
    `--seed-from=${resolve(options.seedFrom ?? 'artifacts')}`,
    ...(options.temporaryArtifactsDir ? ['--temporary-out'] : []),
    `--net=${options.net}`,
    ...(options.zoneFile ? [`--zone-file=${resolve(options.zoneFile)}`] : []),
    ...(options.faults.length ? [`--fault=${options.faults.join(',')}`] : []),
    ...(options.postalSpamd === true ? ['--postal-spamd=on'] : []),
    ...(options.postalRspamd ? ['--postal-rspamd=on'] : []),
  ];
  const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString('utf8'));
    if (output.length > 50) output.shift();
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let killedBy: NodeJS.Signals | null = null;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code, signal) => ((killedBy = signal), resolve(code ?? (signal ? 128 : null)))),
  );

  // Two minutes: spamd and two Dovecots start in seconds, but a 2-core machine running several worlds (the fault
  // matrix) has been seen to need more than one.
  const ready = await waitForReady(
    child,
    exited,
    options.startTimeoutMs ?? 120_000,
    () => output.join(''),
    () => killedBy,
  );
  let stopping: Promise<void> | undefined;
  return {
    description: ready.description,
    startedMs: ready.startedMs,
    pid: child.pid!,
    stop: () => (stopping ??= stopWorld(child, exited, options.stopTimeoutMs ?? 15_000)),
  };
}

function waitForReady(
  child: ChildProcess,
  exited: Promise<number | null>,
  timeoutMs: number,
  output: () => string,
  killedBy: () => NodeJS.Signals | null,
): Promise<{ description: WorldDescription; startedMs: number }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the world did not start within ${timeoutMs / 1000} s; its last output:\n${output().slice(-2000)}`));
    }, timeoutMs);
    child.on('message', (message: WorldMessage) => {
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolve(message);
      } else if (message.type === 'error') {
        clearTimeout(timer);
        reject(message.kind === 'config' ? new ConfigError(message.message) : new Error(`the world could not start: ${message.message}`));
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      const signal = killedBy();
      if (signal && ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'].includes(signal)) reject(new WorldInterrupted(signal));
      reject(new Error(`the world exited (code ${code}) before it was ready; its last output:\n${output().slice(-2000)}`));
    });
  });
}

async function stopWorld(child: ChildProcess, exited: Promise<number | null>, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  if (child.connected) child.send({ type: 'stop' }, () => undefined);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}
