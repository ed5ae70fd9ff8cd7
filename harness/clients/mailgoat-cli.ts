import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliContractRuns, CliRun } from '../checks/cli-contract-check.ts';
import type { Deployment } from '../config/deployment-schema.ts';
import { pollUntil } from '../poll.ts';
import type { TargetDescriptor } from '../targets/target.ts';
import type { HttpClient } from './http-client.ts';
import { listInbox } from './inbox-reader.ts';
import { probeBody, probeSubject } from '../controls/mail-probe.ts';

/** Runs the CLI with HOME pointing at a folder holding one agent's config, as MailGoat's contract says. */
function runCli(command: string, args: string[], home: string, timeoutMs: number): Promise<CliRun> {
  const [program, ...prefix] = command.split(/\s+/);
  return new Promise((resolve) => {
    execFile(program!, [...prefix, ...args], { env: { ...process.env, HOME: home }, timeout: timeoutMs }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as NodeJS.ErrnoException & { code?: unknown }).code === 'number' ? Number((error as { code?: unknown }).code) : error.killed ? null : 1) : 0;
      resolve({ exitCode: code, stdout, stderr });
    });
  });
}

function agentHome(root: string, name: string, config: Record<string, string>): string {
  const home = join(root, name);
  const folder = join(home, '.mailgoat');
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const file = join(folder, 'config.json');
  writeFileSync(file, JSON.stringify(config, null, 2), { mode: 0o600 });
  chmodSync(file, 0o600);
  return home;
}

/**
 * Drives the MailGoat CLI through its contract end to end: send → the message reaches the recipient →
 * `inbox list` shows it → `read` opens it; and `send` with a wrong key. Returns what each step printed,
 * for the pure check to judge. MAILGOAT_INBOX_DB (with {agent}) points `inbox list` at the agent's inbox database.
 */
export async function runMailgoatContract(options: {
  command: string;
  target: TargetDescriptor;
  deployment: Deployment;
  runToken: string;
  http: HttpClient;
}): Promise<CliContractRuns> {
  const { target, deployment, runToken } = options;
  const sender = target.accounts[0];
  const recipient = deployment.agents.find((a) => a.id !== deployment.catchAll && a.address !== sender?.address) ?? deployment.agents[1]!;
  if (!sender || !target.postal) throw new Error('FN-06 needs an agent API key and the Postal URL from the target');
  const root = mkdtempSync(join(tmpdir(), 'postal-qa-mailgoat-'));
  const timeoutMs = Math.max(target.timeouts.connectMs * 3, 15_000);
  try {
    const server = target.postal.webUrl;
    const senderHome = agentHome(root, 'sender', { server, fromAddress: sender.address, fromName: sender.agentId, api_key: sender.apiKey });
    const recipientKey = target.accounts.find((a) => a.agentId === recipient.id)?.apiKey ?? sender.apiKey;
    const recipientHome = agentHome(root, 'recipient', { server, fromAddress: recipient.address, fromName: recipient.id, api_key: recipientKey });
    const badHome = agentHome(root, 'bad-key', { server, fromAddress: sender.address, fromName: sender.agentId, api_key: 'WrongKeyWrongKeyWrongKey' });
    const subject = probeSubject(runToken, 'FN-06 MailGoat CLI');

    const send = await runCli(options.command, ['send', '--to', recipient.address, '--subject', subject, '--body', probeBody(runToken, 'FN-06'), '--json'], senderHome, timeoutMs);
    const reader = target.inboxReader;
    const arrived = reader
      ? (await pollUntil(
          async () => (await listInbox(reader, recipient.id, runToken, options.http, target.timeouts.connectMs).catch(() => [])).some((e) => e.subject === subject),
          Boolean,
          { timeoutMs: target.timeouts.deliveryMs, intervalMs: 250 },
        )).value
      : false;
    const dbTemplate = process.env.MAILGOAT_INBOX_DB;
    const listArgs = ['inbox', 'list', '--json', ...(dbTemplate ? ['--db-path', dbTemplate.replace('{agent}', recipient.id)] : [])];
    const inboxList = await runCli(options.command, listArgs, recipientHome, timeoutMs);
    let ref: string | undefined;
    try {
      const entries = JSON.parse(inboxList.stdout) as Array<{ id: string | number; subject?: string }>;
      ref = String(entries.find((e) => e.subject === subject)?.id ?? '');
    } catch {
      ref = undefined;
    }
    const read = { ...(await runCli(options.command, ['read', ref || '0', '--json'], recipientHome, timeoutMs)), ref };
    const badKeySend = await runCli(options.command, ['send', '--to', recipient.address, '--subject', `${subject} (wrong key)`, '--body', 'postal-qa wrong-key probe', '--json'], badHome, timeoutMs);
    return { configured: true, recipient: recipient.address, subject, send, arrived, inboxList, read, badKeySend };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
