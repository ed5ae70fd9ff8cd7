/**
 * FN-06 with the real MailGoat CLI 1.2.0 in the embedded world, run the way a new user would run it:
 * a config per agent with `server: https://<Postal's address>` (the world's certificate carries the
 * address) and the world CA in NODE_EXTRA_CA_CERTS — no world DNS, nothing patched. The CLI is built
 * outside this project (its code is never copied here): /work/ext/mailgoat, or MAILGOAT_CLI_REAL naming
 * its dist/index.js. Without it the test is skipped, saying so.
 * 1.2.0 reaches Postal and still fails FN-06: a wrong key exits 0 (status defect), `read` cannot open
 * the Message-ID its inbox lists (read defect), `inbox list --json --db-path X` ignores both options.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDeployment } from '../core/deployment/load-deployment.ts';
import { pollUntil } from '../core/poll.ts';
import { checkCliContract, type CliContractRuns } from '../harness/checks/cli-contract-check.ts';
import { runMailgoatContract } from '../harness/clients/mailgoat-cli.ts';
import { describeEmbeddedTarget, startEmbeddedWorld } from '../harness/targets/embedded.ts';
import type { WorldProcess } from '../harness/targets/embedded-world.ts';
import type { TargetDescriptor } from '../harness/targets/target.ts';

const ROOT = new URL('../', import.meta.url).pathname;
const CLI = process.env.MAILGOAT_CLI_REAL || '/work/ext/mailgoat/dist/index.js';
const HAVE_CLI = existsSync(CLI);
const NET = '127.0.17';
const RUN_TOKEN = `run-fn06-real-${process.pid}`;
const deployment = loadDeployment(join(ROOT, 'fixtures', 'deployment.json'));

describe.skipIf(!HAVE_CLI)(`FN-06 with the real MailGoat CLI ${HAVE_CLI ? `(${CLI})` : `— skipped: no build at ${CLI}; set MAILGOAT_CLI_REAL to its dist/index.js`}`, () => {
  let world: WorldProcess | undefined;
  let artifacts: string;
  let target: TargetDescriptor;

  beforeAll(async () => {
    artifacts = mkdtempSync(join(tmpdir(), 'postal-qa-fn06-real-'));
    world = await startEmbeddedWorld({ deploymentPath: join(ROOT, 'fixtures', 'deployment.json'), net: NET, artifactsDir: artifacts });
    target = (await describeEmbeddedTarget(world.description, deployment, {})).descriptor;
  }, 120_000);

  afterAll(async () => {
    await world?.stop();
    rmSync(artifacts, { recursive: true, force: true });
  }, 60_000);

  /** The mail-flow probe's job, over the world's listing: has the recipient's receiver accepted the message? */
  const waitForArrival = async (agentId: string, subject: string) => {
    const reader = target.inboxReader;
    if (reader?.kind !== 'http') throw new Error('the embedded target lists inboxes over HTTP');
    const polled = await pollUntil(
      async () => {
        const response = await fetch(`${reader.urls[agentId]}?token=${encodeURIComponent(RUN_TOKEN)}`, { signal: AbortSignal.timeout(target.timeouts.connectMs) });
        return ((await response.json()) as Array<{ subject: string | null }>).some((m) => m.subject === subject);
      },
      Boolean,
      { timeoutMs: target.timeouts.deliveryMs, intervalMs: 200 },
    );
    return { arrived: polled.value };
  };

  it('reaches Postal by address, sees the message in the world-written inbox database, and fails naming the status, read and inbox-option defects', async () => {
    expect(target.postal?.cliServerUrl).toBe(`https://${NET}.10`);
    // What a user passes as NODE_EXTRA_CA_CERTS: the world CA, on disk.
    expect(readFileSync(world!.description.caFile, 'utf8')).toBe(world!.description.caPem);
    const input = await runMailgoatContract({ command: `${process.execPath} ${CLI}`, target, deployment, runToken: RUN_TOKEN, waitForArrival });
    if (!input.configured) throw new Error(input.reason);
    const runs: CliContractRuns = input;

    // The CLI got through TLS to Postal: a numeric id for the recipient, and the message arrived.
    expect(runs.send.exitCode, runs.send.stderr).toBe(0);
    const sent = JSON.parse(runs.send.stdout) as { message_id: string; messages: Record<string, { id: number }> };
    expect(typeof sent.messages[runs.recipient]?.id).toBe('number');
    expect(runs.arrived).toBe(true);

    // The world wrote the recipient's database as `inbox serve` 1.2.0 would: the CLI's own listing shows it, keyed by the Message-ID.
    // (The world's live settings name it by template: MAILGOAT_INBOX_DB, {agent} substituted.)
    expect(runs.inboxDatabase).toBe(target.mailgoatInboxDbTemplate!.replace(/\{agent\}/g, deployment.agents.find((a) => a.address === runs.recipient)!.id));
    expect(runs.inboxBare.exitCode).toBe(0);
    const listed = (JSON.parse(runs.inboxBare.stdout) as Array<Record<string, unknown>>).find((m) => m.subject === runs.subject);
    expect(listed).toMatchObject({ id: sent.message_id, to: [runs.recipient], read: false });
    expect(String(listed!.snippet)).toContain(RUN_TOKEN);
    // The documented form ignores --json and --db-path: the default database of this HOME, which is empty.
    expect(runs.inboxList.stdout).toContain('No messages found in local cache.');

    // read <listed id> reaches Postal, which cannot find a Message-ID; the CLI exits 0 anyway.
    expect(runs.read?.ref).toBe(sent.message_id);
    expect(runs.read?.exitCode).toBe(0);
    // Postal reads the id with to_i: a Message-ID finds nothing — unless its uuid starts with digits, and then
    // it opens whatever message has that number. Either way `read` cannot open what the inbox lists by design.
    const readOut = JSON.parse(runs.read!.stdout) as { code?: string; id?: unknown };
    const leadingDigits = /^\d+/.exec(sent.message_id)?.[0];
    if (readOut.code !== undefined || leadingDigits === undefined) expect(readOut).toMatchObject({ code: 'MessageNotFound', id: sent.message_id });
    else expect(readOut.id).toBe(Number(leadingDigits));
    // A wrong key: Postal's data printed, exit 0.
    expect(runs.badKeySend.exitCode).toBe(0);
    expect(JSON.parse(runs.badKeySend.stdout)).toMatchObject({ code: 'InvalidServerAPIKey' });

    const result = checkCliContract(runs);
    if (result.skipped) throw new Error(result.reason);
    const { verdict } = result;
    console.log(`FN-06 with MailGoat 1.2.0: ${verdict.outcome.toUpperCase()} — ${verdict.summary}`);
    expect(verdict.outcome).toBe('fail');
    const findings = verdict.summary.split('; ');
    expect(findings.filter((f) => f.startsWith('status defect: '))).toHaveLength(1);
    expect(findings.filter((f) => f.startsWith('read defect: '))).toHaveLength(1);
    expect(findings.filter((f) => f.startsWith('inbox-option defect: '))).toHaveLength(1);
    expect(findings).toHaveLength(3);
    for (const account of target.accounts) expect(JSON.stringify(verdict)).not.toContain(account.apiKey);
  }, 120_000);
});
