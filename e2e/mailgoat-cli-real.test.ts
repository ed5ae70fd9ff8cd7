/**
 * FN-06 with real MailGoat CLI builds in the embedded world, run the way an agent runs them: a config per
 * agent with `server: https://<Postal's address>` (the world's certificate carries the address), the world CA
 * in NODE_EXTRA_CA_CERTS, and the recipient's endpoint being the CLI's own `inbox serve` on the agents' host,
 * fed by the Postal stand-in's signed posts — nothing patched, no world-written database.
 * The builds are made outside this project (their code is never copied here) and named as commands:
 *   MAILGOAT_CLI_REAL        MailGoat 1.2.0 (e.g. "node <its checkout>/dist/index.js"): fails FN-06, naming its three
 *                            defects by what it did (a wrong key exits 0; its inbox lists the Message-ID, which read
 *                            cannot open; `inbox list --json --db-path X` ignores both options)
 *   MAILGOAT_CLI_REAL_FIXED  the same source with those three defects fixed: passes FN-06
 * Each is skipped, saying so, when its variable is not set. A net of its own (e2e/support/loopback-net.ts; run under the shared lock).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDeployment } from '../core/deployment/load-deployment.ts';
import { pollUntil } from '../core/poll.ts';
import { checkCliContract, type CliContractRuns } from '../harness/checks/cli-contract-check.ts';
import { runMailgoatContract } from '../harness/clients/mailgoat-cli.ts';
import { describeEmbeddedTarget, startEmbeddedWorld } from '../harness/targets/embedded.ts';
import type { WorldProcess } from '../harness/targets/embedded-world.ts';
import type { TargetDescriptor } from '../harness/targets/target.ts';
import { loopbackNet } from './support/loopback-net.ts';

const ROOT = new URL('../', import.meta.url).pathname;
const CLI_120 = process.env.MAILGOAT_CLI_REAL?.trim() ?? '';
const CLI_FIXED = process.env.MAILGOAT_CLI_REAL_FIXED?.trim() ?? '';
const NET = loopbackNet(import.meta.url);
const deployment = loadDeployment(join(ROOT, 'fixtures', 'deployment.json'));

describe.skipIf(!CLI_120 && !CLI_FIXED)(
  `FN-06 with real MailGoat CLI builds${CLI_120 || CLI_FIXED ? '' : ' — skipped: set MAILGOAT_CLI_REAL (1.2.0) and/or MAILGOAT_CLI_REAL_FIXED (its defects fixed) to the command that runs each'}`,
  () => {
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

    /** The mail-flow probe's job, over the world's listing: has the recipient's endpoint (the CLI's inbox serve) taken the message? */
    const waitForArrival = async (agentId: string, subject: string) => {
      const reader = target.inboxReader;
      if (reader?.kind !== 'http') throw new Error('the embedded target lists inboxes over HTTP');
      const polled = await pollUntil(
        async () => {
          const response = await fetch(reader.urls[agentId]!, { signal: AbortSignal.timeout(target.timeouts.connectMs) });
          return ((await response.json()) as Array<{ subject: string | null }>).some((m) => m.subject === subject);
        },
        Boolean,
        { timeoutMs: target.timeouts.deliveryMs, intervalMs: 200 },
      );
      return { arrived: polled.value };
    };

    /** Postal asked with the number (the probe's lookup): does it hold that message? */
    const lookup = async (id: number, apiKey: string) => {
      const dispatcher = new Agent({ connect: { ca: target.trustedCaPem } });
      try {
        const answer = await request(`https://${world!.description.postalAddress}/api/v1/messages/message`, {
          method: 'POST',
          dispatcher,
          headers: { 'content-type': 'application/json', 'x-server-api-key': apiKey },
          body: JSON.stringify({ id, _expansions: [] }),
        });
        const json = (await answer.body.json()) as { status: string; data: { code?: string } };
        return json.status === 'success'
          ? 'found'
          : json.data.code === 'MessageNotFound'
            ? 'not-found'
            : `${json.status} ${json.data.code ?? ''}`;
      } finally {
        await dispatcher.close();
      }
    };

    const contract = async (command: string, runToken: string): Promise<CliContractRuns> => {
      // What a user passes as NODE_EXTRA_CA_CERTS: the world CA, on disk.
      expect(readFileSync(world!.description.caFile, 'utf8')).toBe(world!.description.caPem);
      expect(target.mailgoatInboxServe).toEqual({ host: `${NET}.41` });
      const input = await runMailgoatContract({
        command,
        target,
        deployment,
        runToken,
        waitForArrival,
        lookup,
        inboxServe: target.mailgoatInboxServe!,
      });
      if (!input.configured) throw new Error(input.reason);
      return input;
    };

    it.skipIf(!CLI_120)(
      "fails MailGoat 1.2.0, its own inbox serve being the recipient's endpoint, naming the status, read and inbox-option defects by what it did",
      async () => {
        const runs = await contract(CLI_120, `run-fn06-real120-${process.pid}`);
        // Its inbox serve listened where Postal's route posts, and the message reached it.
        expect(runs.serve).toMatchObject({ listening: true, at: `${NET}.41:${deployment.inboxEndpoint.basePort + 1}` });
        expect(runs.send.exitCode, runs.send.stderr).toBe(0);
        const sent = JSON.parse(runs.send.stdout) as { message_id: string; messages: Record<string, { id: number }> };
        expect(typeof sent.messages[runs.recipient]?.id).toBe('number');
        expect(runs.arrived).toBe(true);
        // Its inbox keys the message by the Message-ID; the documented listing form ignores --json and --db-path (a table).
        const listed = (JSON.parse(runs.inboxBare.stdout) as Array<Record<string, unknown>>).find((m) => m.subject === runs.subject);
        expect(String(listed?.id)).not.toMatch(/^\d+$/);
        expect(() => JSON.parse(runs.inboxList.stdout)).toThrow();
        // read <Message-ID>: Postal 3.3.2 answers a string id with HTTP 500; 1.2.0 retries and exits non-zero.
        expect(runs.read?.ref).toBe(String(listed?.id));
        expect(runs.read?.exitCode).not.toBe(0);
        // A wrong key: Postal's data printed, exit 0.
        expect(runs.badKeySend.exitCode).toBe(0);
        expect(JSON.parse(runs.badKeySend.stdout)).toMatchObject({ code: 'InvalidServerAPIKey' });

        const result = checkCliContract(runs);
        if (result.skipped) throw new Error(result.reason);
        const { verdict } = result;
        console.log(`FN-06 with MailGoat 1.2.0: ${verdict.outcome.toUpperCase()} — ${verdict.summary}`);
        expect(verdict.outcome).toBe('fail');
        const findings = verdict.summary.split('; ');
        expect(findings.map((f) => f.split(':')[0])).toEqual(['status defect', 'inbox-option defect', 'read defect']);
        for (const account of target.accounts) expect(JSON.stringify(verdict)).not.toContain(account.apiKey);
      },
      180_000,
    );

    it.skipIf(!CLI_FIXED)(
      'passes the same CLI with its three defects fixed',
      async () => {
        const runs = await contract(CLI_FIXED, `run-fn06-realfixed-${process.pid}`);
        const result = checkCliContract(runs);
        if (result.skipped) throw new Error(result.reason);
        console.log(`FN-06 with the fixed CLI: ${result.verdict.outcome.toUpperCase()} — ${result.verdict.summary}`);
        expect(result.verdict.outcome, result.verdict.summary).toBe('pass');
        expect(runs.read).toMatchObject({ exitCode: 0, postalLookup: 'found' });
        expect(runs.read?.ref).toMatch(/^\d+$/);
        expect(runs.badKeySend.exitCode).toBe(2);
      },
      180_000,
    );
  },
);
