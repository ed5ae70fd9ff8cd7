import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type CliContractInput, type CliContractRuns, checkCliContract } from '../checks/cli-contract-check.ts';
import type { Verdict } from '../checks/verdict.ts';
import { loadDeployment } from '../../core/deployment/load-deployment.ts';
import type { TargetDescriptor } from '../targets/target.ts';
import { pollUntil } from '../../core/poll.ts';
import { listInbox } from './inbox-reader.ts';
import { runCli, runMailgoatContract } from './mailgoat-cli.ts';

const here = dirname(fileURLToPath(import.meta.url));
const fakes = join(here, 'testing', 'fake-mailgoat');
const fake = (name: string) => `${process.execPath} ${join(fakes, `${name}.mjs`)}`;
const deployment = loadDeployment(join(here, '..', '..', 'fixtures', 'deployment.json'));
const SERVER = 'https://postal.mailgoat.test';
const RUN_TOKEN = 'run-fn06-unit';

/** Key-shaped like Postal's (24 alphanumerics), so masking would catch them if a check quoted one. */
const accounts = deployment.agents.slice(0, 3).map((a, i) => ({ agentId: a.id, address: a.address, apiKey: `Key${i}Ab3dEf5hIj7lMn9pQr1t` }));

interface FakeState {
  serverUrl: string;
  validKeys: string[];
  agents: Record<string, string>;
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
  postal: { webUrl: SERVER, smtp: { host: '127.0.0.1', port: 25 }, healthUrls: [], expectedVersion: '3.3.2' },
  accounts,
  inboxReader: { kind: 'command', template: `${process.execPath} ${join(fakes, 'inbox-reader.mjs')} {agent}` },
  seeds: [],
  relayProbeRecipient: 'probe@example.net',
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
    validKeys: accounts.map((a) => a.apiKey),
    agents: Object.fromEntries(deployment.agents.map((a) => [a.id, a.address])),
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
const waitForArrival = async (agentId: string, subject: string) => {
  const polled = await pollUntil(
    async () => (await listInbox(target.inboxReader!, agentId, RUN_TOKEN, undefined as never, target.timeouts.connectMs)).some((e) => e.subject === subject),
    Boolean,
    { timeoutMs: target.timeouts.deliveryMs, intervalMs: 100 },
  );
  return { arrived: polled.value };
};

const contract = (name: string, extra: { cliTimeoutMs?: number } = {}) =>
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

describe('runMailgoatContract + checkCliContract against fake CLIs', () => {
  it('passes a CLI that honours the contract, with a 600 config in a 700 folder per agent', async () => {
    const runs = runsOf(await contract('correct'));
    const verdict = judged(runs);
    expect(verdict.outcome, verdict.summary).toBe('pass');
    expect(runs.recipient).toBe(deployment.agents[1]!.address);
    expect(runs.read.ref).toBe('4711');
    expect(runs.badKeySend.exitCode).toBe(4);

    const seen = state();
    expect(seen.configsSeen.length).toBe(4);
    for (const config of seen.configsSeen) {
      expect(config.fileMode.toString(8)).toBe('600');
      expect(config.folderMode.toString(8)).toBe('700');
      expect(config.server).toBe(SERVER);
    }
    expect(seen.configsSeen.map((c) => c.fromAddress)).toEqual([accounts[0]!.address, deployment.agents[1]!.address, deployment.agents[1]!.address, accounts[0]!.address]);
    // The wrong key looks like a real one, so the CLI has to ask Postal to find out.
    expect(seen.keysSeen.at(-1)).toMatch(/^(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9]{24}$/);
    expect(accounts.map((a) => a.apiKey)).not.toContain(seen.keysSeen.at(-1));
    expectNoKeys(verdict);
  });

  it('fails MailGoat 1.2.0 on both known defects, naming each', async () => {
    const runs = runsOf(await contract('mailgoat-1.2.0'));
    const verdict = judged(runs);
    expect(verdict.outcome).toBe('fail');
    expect(runs.arrived).toBe(true);
    expect(runs.read.ref).toMatch(/^<.+@rp\./);
    expect(verdict.summary).toContain("`send` with a wrong API key exited 0 while printing Postal's error (error InvalidServerAPIKey)");
    expect(verdict.summary).toContain('never checks the `status` field');
    expect(verdict.summary).toContain("the id `inbox list` shows is the Message-ID header, but Postal's messages/message only accepts the numeric message id");
    expect(verdict.remediation).toMatch(/store Postal's numeric id/);
    expect(verdict.remediation).toMatch(/exit non-zero/);
    // Postal echoes the wrong key back in data.token; the verdict quotes that output masked.
    expect(runs.badKeySend.stdout).toContain(state().keysSeen.at(-1)!);
    expectNoKeys(verdict);
  });

  it('fails a CLI whose send reports success but whose message never arrives', async () => {
    const started = Date.now();
    const runs = runsOf(await contract('never-delivers'));
    const verdict = judged(runs);
    expect(verdict.outcome).toBe('fail');
    expect(runs.send.exitCode).toBe(0);
    expect(runs.arrived).toBe(false);
    expect(verdict.summary).toContain(`did not reach ${runs.recipient}'s inbox`);
    expect(verdict.summary).toContain('`inbox list --json` does not show the message');
    // Nothing listed: read falls back to the id send gave, so read itself is still tested.
    expect(runs.read.ref).toBe('4711');
    expect(Date.now() - started).toBeGreaterThanOrEqual(target.timeouts.deliveryMs);
    expectNoKeys(verdict);
  });

  // Known gap in checkCliContract (postalError): it reads any top-level `status` other than "success" as Postal's
  // error envelope, but MailGoat's `read --json` prints the MessageDetails, whose `status` expansion is an object.
  // A correct real CLI therefore fails FN-06. Fix: only a *string* `status` is an envelope. Flip to `it` when fixed.
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

  it('ignores MAILGOAT_* overrides in the harness environment, which would defeat the per-agent configs', async () => {
    vi.stubEnv('MAILGOAT_API_KEY', accounts[0]!.apiKey);
    vi.stubEnv('MAILGOAT_FROM_ADDRESS', 'intruder@mailgoat.ai');
    const runs = runsOf(await contract('correct'));
    expect(judged(runs).outcome).toBe('pass');
    expect(runs.badKeySend.exitCode).toBe(4);
  });

  it('fails, with the exit code, a CLI that cannot read its config or cannot start', async () => {
    const wrongServer = { ...target, postal: { ...target.postal!, webUrl: 'https://elsewhere.test' } };
    const runs = runsOf(await runMailgoatContract({ command: fake('correct'), target: wrongServer, deployment, runToken: RUN_TOKEN, cliTimeoutMs: 5_000, waitForArrival }));
    expect(runs.send.exitCode).toBe(3);
    expect(judged(runs).summary).toContain('`send --json` exited 3');

    const notThere = await runCli('/nonexistent/mailgoat', ['send'], dir, 2_000);
    expect(notThere).toMatchObject({ exitCode: 127 });
    expect(notThere.stderr).toContain('ENOENT');
    const noConfig = await runCli(fake('correct'), ['inbox', 'list', '--json'], dir, 5_000);
    expect(noConfig.exitCode).toBe(2);
    expect(noConfig.stderr).toMatch(/config/);
  });

  it('kills a CLI that hangs, and everything it started, and reports it as killed', async () => {
    const started = Date.now();
    const runs = runsOf(await contract('read-hangs', { cliTimeoutMs: 1_500 }));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(runs.read.exitCode).toBeNull();
    expect(runs.read.stderr).toMatch(/killed after 1500 ms/);
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
