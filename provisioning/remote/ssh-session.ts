/**
 * Commands on the server over SSH, through the system's OpenSSH client (`ssh`, Debian's openssh-client).
 * Why the system client rather than an npm library: it is the client operators already trust and
 * configure (agent, ProxyJump, ~/.ssh/config keep working), it is maintained with the OS's security
 * updates, and pinning is its own `StrictHostKeyChecking=yes` against a known_hosts file we name — no
 * host-key verification code of ours to get wrong. A host not in that file is refused, never trusted on
 * first use. `BatchMode=yes`: no password or passphrase prompt can hang a non-interactive run.
 *
 * Secrets travel on stdin, never on the command line (which the server may log and `ps` shows).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostSpec } from './host-spec.ts';

export interface RemoteResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RemoteSession {
  /** where the commands go, for progress lines (no secret in it) */
  readonly describe: string;
  run(command: string, options?: { stdin?: string; timeoutMs?: number }): Promise<RemoteResult>;
  /** ends the shared connection; idempotent */
  close(): void;
}

export interface SshOptions {
  target: HostSpec;
  /** private key file (ssh -i); absent: the user's agent and default keys */
  identity?: string;
  /** the pinned host keys: only a host key in this file is accepted */
  knownHosts: string;
  /** per command, the whole round trip (default 10 min: a first `apt-get install docker-ce` is slow) */
  timeoutMs?: number;
  connectTimeoutS?: number;
}

/**
 * One SSH connection for the whole run (OpenSSH multiplexing: ControlMaster, a socket in a private
 * folder): a provisioning run sends some thirty commands, and a key exchange each costs seconds on a
 * busy machine. ControlPersist ends the master by itself if we are killed outright.
 */
export function sshArgs(options: SshOptions, command: string, controlPath?: string): string[] {
  const { target } = options;
  return [
    ...(controlPath ? ['-o', 'ControlMaster=auto', '-o', `ControlPath=${controlPath}`, '-o', 'ControlPersist=60'] : []),
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `UserKnownHostsFile=${options.knownHosts}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    `ConnectTimeout=${options.connectTimeoutS ?? 15}`,
    '-o',
    'ServerAliveInterval=15',
    '-o',
    'LogLevel=ERROR',
    ...(options.identity ? ['-i', options.identity, '-o', 'IdentitiesOnly=yes'] : []),
    '-p',
    String(target.port),
    '-l',
    target.user,
    target.host,
    '--',
    command,
  ];
}

/** Every ssh child still running, so a stop signal can end them (no ssh is left behind a stopped run). */
const liveChildren = new Set<import('node:child_process').ChildProcess>();

const openControlDirs = new Set<string>();

/** Asks the master connection to exit and removes its private folder. */
function closeMaster(options: SshOptions, controlPath: string, controlDir: string): void {
  if (existsSync(controlPath))
    spawnSync('ssh', ['-o', `ControlPath=${controlPath}`, '-O', 'exit', '-p', String(options.target.port), options.target.host], {
      stdio: 'ignore',
      timeout: 10_000,
    });
  rmSync(controlDir, { recursive: true, force: true });
  openControlDirs.delete(controlDir);
}

/** On a stop signal: every ssh still running is ended, and every master connection with it. */
export function killLiveSessions(): void {
  for (const child of liveChildren) child.kill('SIGTERM');
  liveChildren.clear();
  for (const dir of openControlDirs) {
    const path = join(dir, 'cm');
    if (existsSync(path)) spawnSync('ssh', ['-o', `ControlPath=${path}`, '-O', 'exit', 'x'], { stdio: 'ignore', timeout: 10_000 });
    rmSync(dir, { recursive: true, force: true });
  }
  openControlDirs.clear();
}

export function openSshSession(options: SshOptions): RemoteSession {
  const describe = `${options.target.user}@${options.target.host}:${options.target.port}`;
  const controlDir = mkdtempSync(join(tmpdir(), 'postal-qa-ssh-'));
  const controlPath = join(controlDir, 'cm');
  openControlDirs.add(controlDir);
  let closed = false;
  return {
    describe,
    close() {
      if (closed) return;
      closed = true;
      closeMaster(options, controlPath, controlDir);
    },
    run(command, runOptions = {}) {
      const timeoutMs = runOptions.timeoutMs ?? options.timeoutMs ?? 600_000;
      return new Promise((resolve, reject) => {
        const child = spawn('ssh', sshArgs(options, command, closed ? undefined : controlPath), { stdio: ['pipe', 'pipe', 'pipe'] });
        liveChildren.add(child);
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
        const timer = setTimeout(() => {
          child.kill('SIGTERM');
          reject(new Error(`ssh ${describe}: no answer within ${Math.round(timeoutMs / 1000)} s`));
        }, timeoutMs);
        child.on('error', (error) => {
          clearTimeout(timer);
          reject(new Error(`ssh could not be started (${(error as NodeJS.ErrnoException).code ?? error.message}); install openssh-client`));
        });
        child.on('close', (code) => {
          clearTimeout(timer);
          liveChildren.delete(child);
          // 255 is ssh's own failure (connection, host key, authentication), not the command's.
          if (code === 255) {
            const why = stderr.trim().split('\n').at(-1) ?? 'connection failed';
            reject(
              new Error(
                `ssh ${describe}: ${why}${/host key/i.test(stderr) ? ' — the host key is not the pinned one (check PROVISION_KNOWN_HOSTS)' : ''}`,
              ),
            );
            return;
          }
          resolve({ code: code ?? 1, stdout, stderr });
        });
        child.stdin.on('error', () => undefined);
        child.stdin.end(runOptions.stdin ?? '');
      });
    },
  };
}
