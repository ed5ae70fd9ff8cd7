/**
 * Commands on the server through an exec transport in place of SSH: a command prefix that runs its last
 * argument as a shell command where the server is, e.g. `docker exec -i <container> /bin/bash -c` on a
 * Docker host, or `docker-compose -p <project> exec -T postal <shell>` (the local target, harness/targets/local.ts).
 * Phase 1 and phase 2 run over it unchanged: the same steps, scripts and postconditions as over SSH.
 *
 * As over SSH, secrets travel on stdin, never on the command line. The prefix is the operator's (flag --exec
 * or PROVISION_EXEC) and is split into words as a shell would, without running a shell.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { ConfigError } from '../../core/config-error.ts';
import type { RemoteSession } from './ssh-session.ts';

export interface ExecOptions {
  /** the prefix: program and arguments; the command is appended as one more argument */
  argv: string[];
  /** where the commands go, for progress lines (no secret in it) */
  describe?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** per command (default 10 min, as over SSH) */
  timeoutMs?: number;
}

/** Every exec child still running, so a stop signal can end them. */
const liveChildren = new Set<ChildProcess>();

/** On a stop signal: every exec still running is ended. */
export function killLiveExecs(): void {
  for (const child of liveChildren) child.kill('SIGTERM');
  liveChildren.clear();
}

/**
 * Splits a command prefix into words as sh does for plain words, '…' and "…" (with \" and \\ inside double
 * quotes, and \ before any character outside quotes); no expansion of any kind.
 */
export function splitCommand(text: string, namedBy: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) word += text[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new ConfigError(`${namedBy}: an unclosed ${quote} in "${text}"`);
  if (inWord) words.push(word);
  if (words.length === 0)
    throw new ConfigError(
      `${namedBy}: empty; expected a command that runs its last argument as a shell command on the server, e.g. "docker exec -i postal-server /bin/bash -c"`,
    );
  return words;
}

export function openExecSession(options: ExecOptions): RemoteSession {
  const [program, ...prefix] = options.argv;
  if (!program) throw new ConfigError('exec transport: no command given');
  const describe = options.describe ?? options.argv.join(' ');
  return {
    describe,
    close() {},
    run(command, runOptions = {}) {
      const timeoutMs = runOptions.timeoutMs ?? options.timeoutMs ?? 600_000;
      return new Promise((resolve, reject) => {
        const child = spawn(program, [...prefix, command], {
          stdio: ['pipe', 'pipe', 'pipe'],
          ...(options.env ? { env: options.env } : {}),
          ...(options.cwd ? { cwd: options.cwd } : {}),
        });
        liveChildren.add(child);
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
        const timer = setTimeout(() => {
          child.kill('SIGTERM');
          reject(new Error(`${describe}: no answer within ${Math.round(timeoutMs / 1000)} s`));
        }, timeoutMs);
        child.on('error', (error) => {
          clearTimeout(timer);
          liveChildren.delete(child);
          reject(
            new Error(
              `${program} could not be started (${(error as NodeJS.ErrnoException).code ?? error.message}): check the exec command (PROVISION_EXEC)`,
            ),
          );
        });
        child.on('close', (code, signal) => {
          clearTimeout(timer);
          liveChildren.delete(child);
          resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
        });
        child.stdin.on('error', () => undefined);
        child.stdin.end(runOptions.stdin ?? '');
      });
    },
  };
}
