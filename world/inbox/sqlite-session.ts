/**
 * One long-lived Debian `sqlite3` shell on one database, fed scripts over stdin.
 *
 * Why not a process per write: spawning from the world's big Node process costs tens of milliseconds of
 * its main thread (fork of a large address space), which capped end-to-end delivery near 20 messages/s.
 * One shell per database pays that once. `-bail` makes the shell exit on the first error, so a failed
 * script is never mistaken for a later one's success: the session rejects with what sqlite3 said and the
 * next script starts a fresh shell. A shell whose parent dies reads EOF and exits by itself.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export interface SqliteSession {
  readonly path: string;
  /** Runs `script` (statements and dot-commands); resolves with what it printed once sqlite3 has run all of it. */
  run(script: string, timeoutMs?: number): Promise<string>;
  /** Ends the shell (stdin closed); resolves when it has exited. Idempotent; a later run starts a new shell. */
  close(): Promise<void>;
}

interface Pending {
  marker: string;
  resolve(output: string): void;
  reject(error: Error): void;
}

export function sqliteSession(path: string): SqliteSession {
  let child: ChildProcessWithoutNullStreams | undefined;
  let exited: Promise<void> = Promise.resolve();
  let stdout = '';
  let stderr = '';
  let pending: Pending | undefined;
  // One script at a time: the marker tells where a script's output ends.
  let queue: Promise<unknown> = Promise.resolve();

  const fail = (error: Error): void => {
    const waiting = pending;
    pending = undefined;
    waiting?.reject(error);
  };

  const start = (): ChildProcessWithoutNullStreams => {
    const shell = spawn('sqlite3', ['-bail', '-batch', path], { stdio: ['pipe', 'pipe', 'pipe'] });
    stdout = '';
    stderr = '';
    shell.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (!pending) return;
      const end = stdout.indexOf(`${pending.marker}\n`);
      if (end < 0) return;
      const output = stdout.slice(0, end);
      stdout = stdout.slice(end + pending.marker.length + 1);
      const done = pending;
      pending = undefined;
      done.resolve(output);
    });
    shell.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    shell.stdin.on('error', () => {});
    exited = new Promise<void>((resolve) => {
      shell.on('error', (error: NodeJS.ErrnoException) => {
        if (child === shell) child = undefined;
        fail(new Error(`cannot run sqlite3 (Debian package sqlite3): ${error.code ?? error.message}`));
        resolve();
      });
      shell.on('close', (code, signal) => {
        if (child === shell) child = undefined;
        fail(new Error(`sqlite3 ${path} ${signal ? `killed (${signal})` : `exited ${code}`}: ${stderr.trim()}`));
        resolve();
      });
    });
    return shell;
  };

  const runNow = (script: string, timeoutMs: number): Promise<string> =>
    new Promise<string>((resolve, reject) => {
      const shell = (child ??= start());
      const marker = `--postal-qa-done-${randomBytes(6).toString('hex')}--`;
      const timer = setTimeout(() => {
        shell.kill('SIGKILL');
        fail(new Error(`sqlite3 ${path} killed (SIGKILL) after ${timeoutMs} ms: ${stderr.trim()}`));
      }, timeoutMs);
      pending = {
        marker,
        resolve: (output) => {
          clearTimeout(timer);
          resolve(output);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      shell.stdin.write(`${script.endsWith('\n') ? script : `${script}\n`}.print ${marker}\n`);
    });

  return {
    path,
    run(script, timeoutMs = 10_000) {
      const result = queue.then(() => runNow(script, timeoutMs));
      queue = result.catch(() => undefined);
      return result;
    },
    async close() {
      await queue;
      const shell = child;
      child = undefined;
      shell?.stdin.end();
      await exited;
    },
  };
}
