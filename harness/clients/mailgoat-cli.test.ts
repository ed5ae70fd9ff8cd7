import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type CliContractInput, type CliContractRuns, checkCliContract } from '../checks/cli-contract-check.ts';
import type { Verdict } from '../checks/verdict.ts';
import { loadDeployment } from '../../core/deployment/load-deployment.ts';
import type { TargetDescriptor } from '../targets/target.ts';
import { manualClock, pollUntil } from '../../core/poll.ts';
import { listInbox } from './inbox-reader.ts';
import { runCli, runMailgoatContract } from './mailgoat-cli.ts';

const here = dirname(fileURLToPath(import.meta.url));
const fakes = join(here, 'testing', 'fake-mailgoat');
const fake = (name: string) => `${process.execPath} ${join(fakes, `${name}.mjs`)}`;
const deployment = loadDeployment(join(here, '..', '..', 'fixtures', 'deployment.json'));
/** The name the harness must not give the CLI, and the address URL it must (the CLI has no world DNS). */
const WEB_URL = 'https://postal.mailgoat.test';
const SERVER = 'https://127.0.0.10';
/** A real (throwaway) root: Node warns about, and ignores, an extra CA file it cannot parse. */
async function throwawayRoot(): Promise<string> {
  x509.cryptoProvider.set(webcrypto as unknown as Crypto);
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({ serialNumber: '01', name: 'CN=fake world CA', notBefore: new Date(Date.now() - 86_400_000), notAfter: new Date(Date.now() + 86_400_000), signingAlgorithm: algorithm, keys, extensions: [new x509.BasicConstraintsExtension(true, 0, true)] });
  return `${cert.toString('pem')}\n`;
}
const CA_PEM = await throwawayRoot();
const RUN_TOKEN = 'run-fn06-unit';

/** Key-shaped like Postal's (24 alphanumerics), so masking would catch them if a check quoted one. */
const accounts = deployment.agents.slice(0, 3).map((a, i) => ({ agentId: a.id, address: a.address, apiKey: `Key${i}Ab3dEf5hIj7lMn9pQr1t` }));
const recipientAgent = deployment.agents[1]!;
const dbOf = (agentId: string) => `/world/mailgoat/${agentId}/.mailgoat/inbox/messages.db`;

interface FakeState {
  serverUrl: string;
  caPem?: string;
  validKeys: string[];
  agents: Record<string, string>;
  /** database path → the address whose mail the world's receiver writes there */
  databases: Record<string, string>;
  nextId: number;
  messages: Array<{ id: number; subject: string; to: string[]; delivered: boolean }>;
  configsSeen: Array<{ fileMode: number; folderMode: number; server: string; fromAddress: string }>;
  keysSeen: string[];
  pids: number[];
}

const target: TargetDescriptor = {
  env: 'local',
  label: 'fake MailGoat CLI',
  domain: deployment.domain,
  mailHost: deployment.server.mailHost,
  webHost: deployment.server.webHost,
  serverIp: '127.0.0.1',
  publicServerIp: deployment.server.ip,
  dns: { primary: { label: 'none', server: '127.0.0.1' }, reverse: { label: 'none', server: '127.0.0.1' }, resolvers: [] },
  hostResolver: 'system',
  trustedCaPem: CA_PEM,
  postal: { webUrl: WEB_URL, cliServerUrl: SERVER, smtp: { host: '127.0.0.1', port: 25 }, healthUrls: [], expectedVersion: '3.3.2' },
  accounts,
  inboxReader: { kind: 'command', template: `${process.execPath} ${join(fakes, 'inbox-reader.mjs')} {agent}` },
  inboxDatabases: Object.fromEntries(deployment.agents.map((a) => [a.id, dbOf(a.id)])),
  seeds: [],
  relayProbeRecipient: 'probe@example.net',
  spoofProbeDomain: 'example.net',
  timeouts: { dnsMs: 500, connectMs: 2_000, deliveryMs: 1_500, propagationMs: 500 },
  limitations: [],
};

let dir: string;
let statePath: string;
const state = (): FakeState => JSON.parse(readFileSync(statePath, 'utf8')) as FakeState;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'postal-qa-fake-mailgoat-'));
  statePath = join(dir, 'state.json');
  const initial: FakeState = {
    serverUrl: SERVER,
    caPem: CA_PEM,
    validKeys: accounts.map((a) => a.apiKey),
    agents: Object.fromEntries(deployment.agents.map((a) => [a.id, a.address])),
    databases: Object.fromEntries(deployment.agents.map((a) => [dbOf(a.id), a.address])),
    nextId: 4711,
    messages: [],
    configsSeen: [],
    keysSeen: [],
    pids: [],
  };
  writeFileSync(statePath, JSON.stringify(initial));
  vi.stubEnv('FAKE_MAILGOAT_STATE', statePath);
});

afterEach(() => {
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

/** What the mail-flow probe does for the contract: read the recipient's inbox until the deadline. */
/** The last wait's outcome, read by tests that must know the wait ran to its deadline (on a clock that only moves when slept on). */
let lastWait: { settled: boolean; elapsedMs: number } | undefined;
const waitForArrival = async (agentId: string, subject: string) => {
  const polled = await pollUntil(
    async () => (await listInbox(target.inboxReader!, agentId, RUN_TOKEN, undefined as never, target.timeouts.connectMs)).some((e) => e.subject === subject),
    Boolean,
    { timeoutMs: target.timeouts.deliveryMs, intervalMs: 100, clock: manualClock() },
  );
  lastWait = { settled: polled.settled, elapsedMs: polled.elapsedMs };
  return { arrived: polled.value };
};

const contract = (name: string, extra: { cliTimeoutMs?: number; target?: TargetDescriptor; inboxDbTemplate?: string } = {}) =>
  runMailgoatContract({ command: fake(name), target, deployment, runToken: RUN_TOKEN, cliTimeoutMs: 5_000, waitForArrival, ...extra });

const runsOf = (input: CliContractInput): CliContractRuns => {
  if (!input.configured) throw new Error(`unexpectedly not configured: ${input.reason}`);
  return input;
};

function judged(input: CliContractInput): Verdict {
  const result = checkCliContract(input);
  if (result.skipped) throw new Error(`unexpectedly skipped: ${result.reason}`);
  return result.verdict;
}

/** No key the fake was handed — valid or the harness's wrong one — may reach the verdict. */
function expectNoKeys(verdict: Verdict) {
  const text = JSON.stringify(verdict);
  const keys = new Set([...state().keysSeen, ...accounts.map((a) => a.apiKey)]);
  expect(keys.size).toBeGreaterThanOrEqual(accounts.length + 1);
  for (const key of keys) expect(text).not.toContain(key);
}

/** The finding summaries, one per defect or failed step. */
const findingsOf = (verdict: Verdict) => verdict.summary.split('; ');
const DEFECTS = ['status defect: ', 'read defect: ', 'inbox-option defect: '];
const namedDefects = (verdict: Verdict) => DEFECTS.filter((d) => findingsOf(verdict).some((f) => f.startsWith(d)));

describe('runMailgoatContract + checkCliContract against fake CLIs', () => {
  it('passes a CLI that honours the contract, configured with the address URL, trusting the target CA, a 600 config in a 700 folder per agent', async () => {
    const runs = runsOf(await contract('correct'));
    const verdict = judged(runs);
    expect(verdict.outcome, verdict.summary).toBe('pass');
    expect(runs.recipient).toBe(recipientAgent.address);
    expect(runs.inboxDatabase).toBe(dbOf(recipientAgent.id));
    expect(runs.inboxList.args).toEqual(['inbox', 'list', '--json', '--db-path', dbOf(recipientAgent.id)]);
    expect(runs.inboxBare.args).toEqual(['inbox', '--json', '--db-path', dbOf(recipientAgent.id)]);
    expect(runs.read?.ref).toBe('4711');
    expect(runs.badKeySend.exitCode).toBe(2);

    const seen = state();
    // send, read, wrong-key send: the inbox listing reads only its database, no config.
    expect(seen.configsSeen.length).toBe(3);
    for (const config of seen.configsSeen) {
      expect(config.fileMode.toString(8)).toBe('600');
      expect(config.folderMode.toString(8)).toBe('700');
      expect(config.server).toBe(SERVER);
    }
    expect(seen.configsSeen.map((c) => c.fromAddress)).toEqual([accounts[0]!.address, recipientAgent.address, accounts[0]!.address]);
    // The wrong key looks like a real one, so the CLI has to ask Postal to find out.
    expect(seen.keysSeen.at(-1)).toMatch(/^(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9]{24}$/);
    expect(accounts.map((a) => a.apiKey)).not.toContain(seen.keysSeen.at(-1));
    expectNoKeys(verdict);
  });

  it('fails MailGoat 1.2.0 naming its status, read and inbox-option defects apart', async () => {
    const runs = runsOf(await contract('mailgoat-1.2.0'));
    const verdict = judged(runs);
    expect(verdict.outcome).toBe('fail');
    expect(runs.arrived).toBe(true);
    expect(runs.inboxList.stdout).toBe('No messages found in local cache.\n');
    expect(runs.read?.ref).toMatch(/^[0-9a-f-]{36}@rp\./);
    expect(runs.read?.exitCode).toBe(0);
    expect(JSON.parse(runs.read!.stdout)).toEqual({ message: 'No message found matching provided ID', id: runs.read!.ref, code: 'MessageNotFound' });
    expect(namedDefects(verdict)).toEqual(DEFECTS);
    expect(verdict.summary).toContain('`send --json` with a wrong API key (InvalidServerAPIKey) exited 0 while printing Postal\'s error');
    expect(verdict.summary).toContain('never checks the `status` field');
    expect(verdict.summary).toContain("Postal's messages/message finds a message by its numeric id");
    expect(verdict.remediation).toMatch(/store Postal's numeric id/);
    expect(verdict.remediation).toMatch(/exit non-zero/);
    expect(verdict.remediation).toMatch(/declare --json, --db-path/);
    // Postal echoes the wrong key back in data.token, and 1.2.0 prints it: the verdict quotes that output masked.
    expect(JSON.parse(runs.badKeySend.stdout)).toEqual({ message: 'The API token provided in X-Server-API-Key was not valid.', token: state().keysSeen.at(-1), code: 'InvalidServerAPIKey' });
    expectNoKeys(verdict);
  });

  it.each([
    ['ignoresPostalStatus', ['status defect: ']],
    ['inboxIdIsMessageId', ['status defect: ', 'read defect: ']],
    ['parentOwnsInboxOptions', ['inbox-option defect: ']],
  ])('names only the defect a CLI has: %s', async (trait, expected) => {
    vi.stubEnv('FAKE_MAILGOAT_TRAITS', trait);
    const verdict = judged(await contract('with-traits'));
    expect(verdict.outcome).toBe('fail');
    // A Message-ID read that Postal refuses makes even a status-checking CLI exit non-zero: the read defect alone.
    expect(namedDefects(verdict)).toEqual(trait === 'inboxIdIsMessageId' ? ['read defect: '] : expected);
  });

  it('fails a CLI whose send reports success but whose message never arrives, and reads nothing else instead', async () => {
    const runs = runsOf(await contract('never-delivers'));
    const verdict = judged(runs);
    expect(verdict.outcome).toBe('fail');
    expect(runs.send.exitCode).toBe(0);
    expect(runs.arrived).toBe(false);
    expect(verdict.summary).toContain(`did not reach ${runs.recipient}'s inbox`);
    expect(verdict.summary).toContain(`the inbox does not show the message "${runs.subject}"`);
    // Nothing listed: no read with send's id, which would hide a read defect.
    expect(runs.read).toBeUndefined();
    // It waited the whole delivery deadline before calling the message lost.
    expect(lastWait).toEqual({ settled: false, elapsedMs: target.timeouts.deliveryMs });
    expectNoKeys(verdict);
  });

  it('passes a fixed MailGoat whose read --json prints the status expansion', async () => {
    const verdict = judged(await contract('mailgoat-fixed'));
    expect(verdict.outcome, verdict.summary).toBe('pass');
  });

  it('is skipped — never passed — when no CLI is configured', async () => {
    for (const command of [undefined, '', '   ']) {
      const input = await runMailgoatContract({ command, target, deployment, runToken: RUN_TOKEN, waitForArrival });
      expect(input.configured).toBe(false);
      const result = checkCliContract(input);
      expect(result.skipped).toBe(true);
      if (result.skipped) expect(result.reason).toMatch(/MAILGOAT_CLI/);
    }
    expect(state().configsSeen).toEqual([]);
  });

  it('clears MAILGOAT_* overrides in the harness environment, which would defeat the per-agent configs', async () => {
    vi.stubEnv('MAILGOAT_API_KEY', accounts[0]!.apiKey);
    vi.stubEnv('MAILGOAT_EMAIL', 'intruder@mailgoat.ai');
    vi.stubEnv('MAILGOAT_SERVER', WEB_URL);
    const runs = runsOf(await contract('correct'));
    expect(judged(runs).outcome).toBe('pass');
    expect(runs.badKeySend.exitCode).toBe(2);
  });

  it('uses MAILGOAT_INBOX_DB when the target names no database', async () => {
    const { inboxDatabases: _none, ...bare } = target;
    const runs = runsOf(await contract('correct', { target: bare, inboxDbTemplate: '/world/mailgoat/{agent}/.mailgoat/inbox/messages.db' }));
    expect(runs.inboxBare.args).toEqual(['inbox', '--json', '--db-path', dbOf(recipientAgent.id)]);
    expect(judged(runs).outcome).toBe('pass');
  });

  it('fails, with the exit code and what the CLI said, a CLI that cannot reach Postal, cannot read its config or cannot start', async () => {
    const byName = runsOf(await contract('correct', { target: { ...target, postal: { ...target.postal!, cliServerUrl: undefined } } }));
    expect(byName.send.exitCode).toBe(3);
    const verdict = judged(byName);
    expect(verdict.summary).toContain('`send --json` exited 3: {"status":"error","message":"Network error: cannot reach https://postal.mailgoat.test');
    expect(verdict.summary).toContain('`send` with a wrong API key exited 3 without saying the key was refused');

    const untrusted = runsOf(await contract('correct', { target: { ...target, trustedCaPem: undefined } }));
    expect(untrusted.send.stderr).toContain('self-signed certificate in certificate chain');

    const notThere = await runCli('/nonexistent/mailgoat', ['send'], dir, 2_000);
    expect(notThere).toMatchObject({ exitCode: 127 });
    expect(notThere.stderr).toContain('ENOENT');
    const noConfig = await runCli(fake('correct'), ['send', '--json'], dir, 5_000);
    expect(noConfig.exitCode).toBe(2);
    expect(JSON.parse(noConfig.stderr ?? '')).toMatchObject({ status: 'error', message: expect.stringMatching(/^Config file not found/) });
  });

  it('kills a CLI that hangs, and everything it started, and reports it as killed', async () => {
    const runs = runsOf(await contract('read-hangs', { cliTimeoutMs: 1_500 }));
    expect(runs.read?.exitCode).toBeNull();
    expect(runs.read?.stderr).toMatch(/killed after 1500 ms/);
    const verdict = judged(runs);
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toContain('was killed (timeout)');
    const { pids } = state();
    expect(pids.length).toBe(2);
    // SIGKILL is delivered at once, but the orphan is reaped by init in its own time: a zombie counts as gone.
    const alive = (pid: number) => {
      try {
        return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      } catch {
        return false;
      }
    };
    const survivors = await pollUntil(async () => pids.filter(alive), (left) => left.length === 0, { timeoutMs: 3_000, intervalMs: 50 });
    expect(survivors.value).toEqual([]);
  });
});
