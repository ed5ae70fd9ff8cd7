import { spawn } from 'node:child_process';
import { runProcess } from '../../core/process/run-process.ts';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as netConnect } from 'node:net';
import type { CliContractInput, CliRun, CliStep } from '../checks/cli-contract-check.ts';
import type { Deployment } from '../../core/deployment/deployment-schema.ts';
import { probeBody, probeSubject } from '../messages/probe-message.ts';
import type { TargetDescriptor } from '../targets/target.ts';

/**
 * MailGoat documents these as overrides of the config file (1.2.0 reads them in no command, but a later
 * version may): one left in the harness's env would defeat the per-agent configs and the wrong-key probe.
 */
const OVERRIDES = ['MAILGOAT_SERVER', 'MAILGOAT_EMAIL', 'MAILGOAT_FROM_ADDRESS', 'MAILGOAT_API_KEY', 'MAILGOAT_PROFILE'];
const MAX_OUTPUT = 4 * 1024 * 1024;

/**
 * Runs the CLI once with HOME pointing at one agent's config, as MailGoat's contract says. The CLI
 * runs in its own process group so a timeout kills whatever it started too (`npx`, a shell wrapper);
 * stdin is closed so a CLI that prompts fails instead of hanging. Exit code null means it was killed.
 */
export async function runCli(
  command: string,
  args: string[],
  home: string,
  timeoutMs: number,
  extraEnv: Record<string, string> = {},
): Promise<CliRun> {
  const [program, ...prefix] = command.trim().split(/\s+/);
  const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv, HOME: home };
  for (const name of OVERRIDES) delete env[name];
  const run = await runProcess(program!, [...prefix, ...args], { env, timeoutMs, group: true, maxOutput: MAX_OUTPUT });
  if (run.startError) {
    // Could not start at all (ENOENT, EACCES): the shell's "command not found" status.
    return {
      exitCode: 127,
      stdout: run.stdout,
      stderr: `${run.stderr}could not run ${program}: ${run.startError.code ?? run.startError.message}`,
    };
  }
  if (run.code !== null && !run.timedOut && !run.overflowed) return { exitCode: run.code, stdout: run.stdout, stderr: run.stderr };
  const why =
    run.timedOut || run.overflowed
      ? `killed after ${timeoutMs} ms or ${MAX_OUTPUT} bytes of output`
      : `killed by ${run.signal ?? 'a signal'}`;
  return { exitCode: null, stdout: run.stdout, stderr: `${run.stderr}${run.stderr && !run.stderr.endsWith('\n') ? '\n' : ''}${why}` };
}

function agentHome(root: string, name: string, config: Record<string, string>): string {
  const home = join(root, name);
  const folder = join(home, '.mailgoat');
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  chmodSync(folder, 0o700);
  const file = join(folder, 'config.json');
  writeFileSync(file, JSON.stringify(config, null, 2), { mode: 0o600 });
  chmodSync(file, 0o600);
  return home;
}

/** Shaped like a real Postal key (24 alphanumerics with letters and digits) so a CLI cannot refuse it locally without asking Postal, and masking recognises it. */
function wrongApiKey(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return `Wk7${[...randomBytes(21)].map((b) => alphabet[b % alphabet.length]).join('')}`;
}

/**
 * The CA file a Node CLI is given as NODE_EXTRA_CA_CERTS: the target's CA (the world's, made per run),
 * after whatever extra CAs the harness itself was given, so a user's own setting keeps working.
 */
function trustFile(root: string, caPem: string | undefined): Record<string, string> {
  if (!caPem) return {};
  let inherited = '';
  try {
    if (process.env.NODE_EXTRA_CA_CERTS) inherited = readFileSync(process.env.NODE_EXTRA_CA_CERTS, 'utf8');
  } catch {
    // Unreadable: Node itself would only warn about it.
  }
  const file = join(root, 'trusted-ca.pem');
  writeFileSync(file, `${inherited.trimEnd()}${inherited ? '\n' : ''}${caPem}`);
  return { NODE_EXTRA_CA_CERTS: file };
}

/** A long-running CLI command (`inbox serve`) in its own process group, until stopped. */
export interface CliServer {
  args: string[];
  /** what it printed so far, and its exit code once it ended */
  result(): CliRun;
  /** resolves true once `host:port` accepts connections, false when it exited first or the deadline passed */
  listening(host: string, port: number, timeoutMs: number): Promise<boolean>;
  stop(): Promise<void>;
}

export function startCliServer(command: string, args: string[], home: string, extraEnv: Record<string, string> = {}): CliServer {
  const [program, ...prefix] = command.trim().split(/\s+/);
  const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv, HOME: home };
  for (const name of OVERRIDES) delete env[name];
  let stdout = '';
  let stderr = '';
  let exitCode: number | null | undefined;
  const child = spawn(program!, [...prefix, ...args], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code) => {
      exitCode = code;
      resolve();
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      stderr += `could not run ${program}: ${error.code ?? error.message}`;
      exitCode = 127;
      resolve();
    });
  });
  child.stdout?.on('data', (chunk: Buffer) => (stdout = `${stdout}${chunk.toString('utf8')}`.slice(-MAX_OUTPUT)));
  child.stderr?.on('data', (chunk: Buffer) => (stderr = `${stderr}${chunk.toString('utf8')}`.slice(-MAX_OUTPUT)));
  const signal = (name: NodeJS.Signals): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, name);
    } catch {
      // Already gone.
    }
  };
  return {
    args,
    result: () => ({ exitCode: exitCode ?? null, stdout, stderr }),
    async listening(host, port, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline && exitCode === undefined) {
        if (await accepts(host, port)) return true;
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 100))]);
      }
      return false;
    },
    async stop() {
      if (exitCode === undefined) {
        signal('SIGTERM');
        const timer = setTimeout(() => signal('SIGKILL'), 2_000);
        await exited;
        clearTimeout(timer);
      }
      // Whatever it started goes with it.
      signal('SIGKILL');
    },
  };
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Drives the MailGoat CLI through its contract end to end, as an agent runs it: the recipient's HTTP endpoint
 * is the CLI's own `inbox serve` (started here with the recipient's config, where Postal's route for it
 * posts: MAILGOAT_INBOX_SERVE, on the recipient's endpoint port), fed by Postal's signed posts; then
 * send → the message reaches the recipient → the CLI's inbox lists it → `read <listed id>` opens it; and
 * `send` with a wrong key. Returns what each step printed, for the pure check (checkCliContract) to judge.
 * An empty command means no CLI is configured.
 * The listing runs twice, with the database that `inbox serve` writes (its default in the recipient's HOME,
 * also given as --db-path): `inbox list --json --db-path X` (documented) and `inbox --json --db-path X` (the
 * only form 1.2.0 honours). Without MAILGOAT_INBOX_SERVE, X is MAILGOAT_INBOX_DB (an agent's running serve).
 * `read` gets only an id a listing showed: nothing listed, no read (send's id would hide the read defect).
 * Postal is then asked, with that number, whether it has the message (`lookup`): a numeric id that Postal
 * finds but `read` cannot open is a CLI that does not pass it as a number.
 * `waitForArrival` is the target's mail-flow probe: it reads the recipient's inbox until the deadline.
 */
export async function runMailgoatContract(options: {
  command: string | undefined;
  target: TargetDescriptor;
  deployment: Deployment;
  runToken: string;
  waitForArrival: (agentId: string, subject: string) => Promise<{ arrived: boolean; readerError?: string }>;
  /** MAILGOAT_INBOX_DB: the recipient's inbox database, `{agent}` replaced by its id (without MAILGOAT_INBOX_SERVE). */
  inboxDbTemplate?: string;
  /** MAILGOAT_INBOX_SERVE: where the control runs `inbox serve` for the recipient (port: its endpoint's, by default). */
  inboxServe?: { host: string; port?: number };
  /** Postal's messages/message for a numeric id (with the recipient's key): 'found', 'not-found', or what went wrong. */
  lookup?: (id: number, apiKey: string) => Promise<string>;
  /** One CLI invocation's deadline; by default three network steps, at least 15 s (a Node CLI's start-up counts). */
  cliTimeoutMs?: number;
}): Promise<CliContractInput> {
  const { target, deployment, runToken } = options;
  const command = options.command?.trim();
  if (!command)
    return { configured: false, reason: 'no MailGoat CLI configured: set MAILGOAT_CLI (e.g. "node path/to/mailgoat/dist/index.js")' };
  const sender = target.accounts[0];
  if (!sender || !target.postal) throw new Error('FN-06 needs an agent API key and the Postal URL from the target');
  const recipient = deployment.agents.find((a) => a.id !== deployment.catchAll && a.address !== sender.address) ?? deployment.agents[1]!;
  const timeoutMs = options.cliTimeoutMs ?? Math.max(target.timeouts.connectMs * 3, 15_000);
  // mkdtemp makes the root 0700: no other user can read the keys in the configs below it.
  const root = mkdtempSync(join(tmpdir(), 'postal-qa-mailgoat-'));
  let server: CliServer | undefined;
  try {
    const env = trustFile(root, target.trustedCaPem);
    const cli = (args: string[], home: string) => runCli(command, args, home, timeoutMs, env);
    const serverUrl = target.postal.cliServerUrl ?? target.postal.webUrl;
    const senderHome = agentHome(root, 'sender', {
      server: serverUrl,
      fromAddress: sender.address,
      fromName: sender.agentId,
      api_key: sender.apiKey,
    });
    const recipientKey = target.accounts.find((a) => a.agentId === recipient.id)?.apiKey ?? sender.apiKey;
    const recipientHome = agentHome(root, 'recipient', {
      server: serverUrl,
      fromAddress: recipient.address,
      fromName: recipient.id,
      api_key: recipientKey,
    });
    const badHome = agentHome(root, 'bad-key', {
      server: serverUrl,
      fromAddress: sender.address,
      fromName: sender.agentId,
      api_key: wrongApiKey(),
    });
    const subject = probeSubject(runToken, 'FN-06 MailGoat CLI');
    const body = probeBody(runToken, 'FN-06');

    // The recipient's endpoint: the CLI's own inbox serve, writing its default database in the recipient's HOME.
    let serve: (CliStep & { listening: boolean; at: string }) | undefined;
    let inboxDatabase: string | undefined;
    if (options.inboxServe) {
      const port = options.inboxServe.port ?? deployment.inboxEndpoint.basePort + deployment.agents.findIndex((a) => a.id === recipient.id);
      inboxDatabase = join(recipientHome, '.mailgoat', 'inbox', 'messages.db');
      const args = [
        'inbox',
        'serve',
        '--host',
        options.inboxServe.host,
        '--port',
        String(port),
        '--path',
        deployment.inboxEndpoint.path,
        '--db-path',
        inboxDatabase,
      ];
      const at = `${options.inboxServe.host}:${port}`;
      if (await accepts(options.inboxServe.host, port)) {
        // Something else already answers there: whatever it is, it is not the CLI under test.
        serve = { exitCode: null, stdout: '', stderr: `${at} is already taken: something else listens there`, args, listening: false, at };
      } else {
        server = startCliServer(command, args, recipientHome, env);
        const listening = await server.listening(options.inboxServe.host, port, timeoutMs);
        serve = { ...server.result(), args, listening, at };
      }
    } else {
      inboxDatabase = (options.inboxDbTemplate ?? target.mailgoatInboxDbTemplate)?.replace(/\{agent\}/g, recipient.id);
    }

    const send = await cli(['send', '--to', recipient.address, '--subject', subject, '--body', body, '--json'], senderHome);
    const { arrived } = await options.waitForArrival(recipient.id, subject);
    const dbArgs = inboxDatabase ? ['--db-path', inboxDatabase] : [];
    const listArgs = ['inbox', 'list', '--json', ...dbArgs];
    const bareArgs = ['inbox', '--json', ...dbArgs];
    const inboxList = { ...(await cli(listArgs, recipientHome)), args: listArgs };
    const inboxBare = { ...(await cli(bareArgs, recipientHome)), args: bareArgs };
    const ref = listedId(inboxList.stdout, subject) ?? listedId(inboxBare.stdout, subject);
    let read: (CliRun & { ref: string; postalLookup?: string }) | undefined;
    if (ref !== undefined) {
      const run = await cli(['read', ref, '--json'], recipientHome);
      const postalLookup = /^\d+$/.test(ref) && options.lookup ? await options.lookup(Number(ref), recipientKey) : undefined;
      read = { ...run, ref, ...(postalLookup ? { postalLookup } : {}) };
    }
    const badKeySend = await cli(
      ['send', '--to', recipient.address, '--subject', `${subject} (wrong key)`, '--body', 'postal-qa wrong-key probe', '--json'],
      badHome,
    );
    if (server && serve) serve = { ...serve, ...server.result() };
    return {
      configured: true,
      recipient: recipient.address,
      subject,
      body,
      ...(inboxDatabase ? { inboxDatabase } : {}),
      ...(serve ? { serve } : {}),
      send,
      arrived,
      inboxList,
      inboxBare,
      ...(read ? { read } : {}),
      badKeySend,
    };
  } finally {
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

/** The id of the entry with this subject in a JSON listing, as a user would pick it. */
function listedId(stdout: string, subject: string): string | undefined {
  try {
    const entries: unknown = JSON.parse(stdout);
    if (!Array.isArray(entries)) return undefined;
    const hit = entries.find((e: unknown) => typeof e === 'object' && e !== null && (e as { subject?: unknown }).subject === subject) as
      { id?: unknown } | undefined;
    return typeof hit?.id === 'number' || typeof hit?.id === 'string' ? String(hit.id) : undefined;
  } catch {
    return undefined;
  }
}
