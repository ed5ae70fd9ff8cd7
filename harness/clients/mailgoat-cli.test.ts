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
import { createServer } from 'node:net';
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
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=fake world CA',
    notBefore: new Date(Date.now() - 86_400_000),
    notAfter: new Date(Date.now() + 86_400_000),
    signingAlgorithm: algorithm,
    keys,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true)],
  });
  return `${cert.toString('pem')}\n`;
}
const CA_PEM = await throwawayRoot();
const RUN_TOKEN = 'run-fn06-unit';

/** Key-shaped like Postal's (24 alphanumerics), so masking would catch them if a check quoted one. */
const accounts = deployment.agents
  .slice(0, 3)
  .map((a, i) => ({ agentId: a.id, address: a.address, apiKey: `Key${i}Ab3dEf5hIj7lMn9pQr1t` }));
const recipientAgent = deployment.agents[1]!;

interface FakeState {
  serverUrl: string;
  caPem?: string;
  validKeys: string[];
  agents: Record<string, string>;
  /** database path → what the fake's `inbox serve` stored there */
  databases: Record<string, Array<{ id: string; subject: string }>>;
  nextId: number;
  messages: Array<{
    id: number;
    token: string;
    messageId: string;
    from: string;
    subject: string;
    body: string;
    timestamp: string;
    to: string[];
    delivered: boolean;
  }>;
  configsSeen: Array<{ fileMode: number; folderMode: number; server: string; fromAddress: string }>;
  keysSeen: string[];
  pids: number[];
}

/** A free port on the loopback address, for the recipient's `inbox serve`. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
const SERVE = { host: '127.0.0.1', port: await freePort() };

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
  mailgoatInboxServe: SERVE,
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
    databases: {},
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

/**
 * Postal's part, while the mail-flow probe waits: each message the fake sent to the recipient (unless it is
 * one that never gets delivered) is posted, as a Hash payload, to the recipient's endpoint — the CLI's own
 * `inbox serve`; it has arrived once that answered 2xx. The wait runs to its deadline on a clock that moves only when slept on.
 */
let lastWait: { settled: boolean; elapsedMs: number } | undefined;
const waitForArrival = async (_agentId: string, subject: string) => {
  const polled = await pollUntil(
    async () => {
      const message = state().messages.find((m) => m.subject === subject && m.delivered);
      if (!message) return false;
      const response = await fetch(`http://${SERVE.host}:${SERVE.port}${deployment.inboxEndpoint.path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'Postal/3.3.2' },
        body: JSON.stringify({
          id: message.id,
          rcpt_to: message.to[0],
          mail_from: message.from,
          token: message.token,
          subject,
          message_id: message.messageId,
          timestamp: Date.parse(message.timestamp) / 1000,
          plain_body: message.body,
        }),
        signal: AbortSignal.timeout(2_000),
      }).catch(() => undefined);
      return response?.ok === true;
    },
    Boolean,
    { timeoutMs: target.timeouts.deliveryMs, intervalMs: 100, clock: manualClock() },
  );
  lastWait = { settled: polled.settled, elapsedMs: polled.elapsedMs };
  return { arrived: polled.value };
};

/** Postal asked with the number, as the probe does: does it hold that message? */
const lookup = (id: number) => Promise.resolve(state().messages.some((m) => m.id === id) ? 'found' : 'not-found');

const contract = (
  name: string,
  extra: { cliTimeoutMs?: number; target?: TargetDescriptor; inboxDbTemplate?: string; inboxServe?: { host: string; port?: number } } = {},
) =>
  runMailgoatContract({
    command: fake(name),
    target,
    deployment,
    runToken: RUN_TOKEN,
    cliTimeoutMs: 5_000,
    waitForArrival,
    lookup,
    inboxServe: SERVE,
    ...extra,
  });

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
  it("passes a CLI that honours the contract: its own inbox serve is the recipient's endpoint, configured with the address URL, trusting the target CA, a 600 config in a 700 folder per agent", async () => {
    const runs = runsOf(await contract('correct'));
    const verdict = judged(runs);
    expect(verdict.outcome, verdict.summary).toBe('pass');
    expect(runs.recipient).toBe(recipientAgent.address);
    const db = runs.inboxDatabase!;
    expect(db).toMatch(/\/recipient\/\.mailgoat\/inbox\/messages\.db$/);
    expect(runs.serve).toMatchObject({
      listening: true,
      at: `${SERVE.host}:${SERVE.port}`,
      args: ['inbox', 'serve', '--host', SERVE.host, '--port', String(SERVE.port), '--path', '/webhooks/postal', '--db-path', db],
    });
    expect(runs.serve?.stdout).toContain('Webhook inbox server started');
    expect(runs.inboxList.args).toEqual(['inbox', 'list', '--json', '--db-path', db]);
    expect(runs.inboxBare.args).toEqual(['inbox', '--json', '--db-path', db]);
    // The inbox serve stored Postal's numeric id; read sends it as a number, and Postal has it.
    expect(runs.read).toMatchObject({ ref: '4711', postalLookup: 'found', exitCode: 0 });
    expect(runs.badKeySend.exitCode).toBe(2);

    const seen = state();
    // send, read, wrong-key send: the inbox commands read only their database, no config.
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
    // The inbox serve was stopped with the run.
    await expect(fetch(`http://${SERVE.host}:${SERVE.port}/webhooks/postal`, { method: 'POST' })).rejects.toThrow();
  });

  it('fails MailGoat 1.2.0 naming its status, read and inbox-option defects apart, by what it did', async () => {
    const runs = runsOf(await contract('mailgoat-1.2.0'));
    const verdict = judged(runs);
    expect(verdict.outcome).toBe('fail');
    expect(runs.arrived).toBe(true);
    expect(runs.serve?.listening).toBe(true);
    // The documented form ignores --json and --db-path: a table of the default database (where 1.2.0's serve wrote).
    expect(runs.inboxList.stdout).toMatch(/^│ [0-9a-f-]{36}@rp\./);
    expect(runs.read?.ref).toMatch(/^[0-9a-f-]{36}@rp\./);
    // Postal 3.3.2 answers the string id with HTTP 500; 1.2.0 retries and exits 4.
    expect(runs.read?.exitCode).toBe(4);
    expect(runs.read?.postalLookup).toBeUndefined();
    expect(namedDefects(verdict)).toEqual(DEFECTS);
    expect(verdict.summary).toContain("`send --json` with a wrong API key (InvalidServerAPIKey) exited 0 while printing Postal's error");
    expect(verdict.summary).toContain('never checks the `status` field');
    expect(verdict.summary).toMatch(
      /read defect: the inbox lists "[0-9a-f-]{36}@rp\.[^"]+", not Postal's numeric id, and `read [^`]+` exited 4: /,
    );
    expect(verdict.summary).toContain("Postal's messages/message finds a message by its numeric id only");
    expect(verdict.remediation).toMatch(/store Postal's numeric id/);
    expect(verdict.remediation).toMatch(/exit non-zero/);
    expect(verdict.remediation).toMatch(/declare --json, --db-path/);
    // Postal echoes the wrong key back in data.token, and 1.2.0 prints it: the verdict quotes that output masked.
    expect(JSON.parse(runs.badKeySend.stdout)).toEqual({
      message: 'The API token provided in X-Server-API-Key was not valid.',
      token: state().keysSeen.at(-1),
      code: 'InvalidServerAPIKey',
    });
    expectNoKeys(verdict);
  });

  it.each([
    ['ignoresPostalStatus', ['status defect: ']],
    ['inboxIdIsMessageId', ['read defect: ']],
    ['sendsIdAsString', ['read defect: ']],
    ['parentOwnsInboxOptions', ['inbox-option defect: ']],
  ])('names only the defect a CLI has: %s', async (trait, expected) => {
    vi.stubEnv('FAKE_MAILGOAT_TRAITS', trait);
    const runs = runsOf(await contract('with-traits'));
    const verdict = judged(runs);
    expect(verdict.outcome).toBe('fail');
    expect(namedDefects(verdict)).toEqual(expected);
    // A CLI that lists Postal's number but sends it as a string: Postal has the message, read cannot open it.
    if (trait === 'sendsIdAsString') {
      expect(runs.read).toMatchObject({ ref: '4711', postalLookup: 'found', exitCode: 4 });
      expect(verdict.summary).toMatch(
        /^read defect: Postal has message 4711 \(messages\/message with the number finds it\), but `read 4711 --json` exited 4: .*the CLI does not pass the id as a number$/,
      );
      expect(verdict.remediation).toContain('as a JSON number');
    }
  });

  it('fails a CLI whose send reports success but whose message never arrives, and reads nothing else instead', async () => {
    const runs = runsOf(await contract('never-delivers'));
    const verdict = judged(runs);
    expect(verdict.outcome).toBe('fail');
    expect(runs.send.exitCode).toBe(0);
    expect(runs.arrived).toBe(false);
    expect(verdict.summary).toContain(`did not reach ${runs.recipient}'s inbox`);
    expect(verdict.summary).toContain(`the inbox does not show the message "${runs.subject}"`);
    expect(verdict.remediation).toContain(`posts to ${SERVE.host}:${SERVE.port}, where the CLI's \`inbox serve\` listened`);
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

  it("fails when the recipient's inbox serve cannot listen where Postal posts (the address is taken), naming it", async () => {
    // Something else holds the address (and never answers HTTP: it hangs up).
    const taken = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => taken.listen(SERVE.port, SERVE.host, resolve));
    try {
      const runs = runsOf(await contract('correct'));
      expect(runs.serve?.listening).toBe(false);
      const verdict = judged(runs);
      expect(verdict.summary).toMatch(
        new RegExp(
          `^\`inbox serve\` did not listen on ${SERVE.host}:${SERVE.port} \\(not started or not answering: ${SERVE.host}:${SERVE.port} is already taken`,
        ),
      );
      expect(verdict.remediation).toContain('MAILGOAT_INBOX_SERVE');
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
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

  it("without MAILGOAT_INBOX_SERVE, lists the database of the recipient's running inbox serve (MAILGOAT_INBOX_DB)", async () => {
    const { mailgoatInboxServe: _none, ...bare } = target;
    const template = '/srv/agents/{agent}/.mailgoat/inbox/messages.db';
    const runs = runsOf(
      await runMailgoatContract({
        command: fake('correct'),
        target: bare,
        deployment,
        runToken: RUN_TOKEN,
        cliTimeoutMs: 5_000,
        waitForArrival: () => Promise.resolve({ arrived: true }),
        inboxDbTemplate: template,
      }),
    );
    expect(runs.serve).toBeUndefined();
    expect(runs.inboxBare.args).toEqual(['inbox', '--json', '--db-path', `/srv/agents/${recipientAgent.id}/.mailgoat/inbox/messages.db`]);
  });

  it('fails, with the exit code and what the CLI said, a CLI that cannot reach Postal, cannot read its config or cannot start', async () => {
    const byName = runsOf(await contract('correct', { target: { ...target, postal: { ...target.postal!, cliServerUrl: undefined } } }));
    expect(byName.send.exitCode).toBe(3);
    const verdict = judged(byName);
    expect(verdict.summary).toContain(
      '`send --json` exited 3: {"status":"error","message":"Network error: cannot reach https://postal.mailgoat.test',
    );
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
    const survivors = await pollUntil(
      () => Promise.resolve(pids.filter(alive)),
      (left) => left.length === 0,
      { timeoutMs: 3_000, intervalMs: 50 },
    );
    expect(survivors.value).toEqual([]);
  });
});
