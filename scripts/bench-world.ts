/**
 * npm run bench:world -- [--net=127.0.83] [--requests=1000] [--concurrency=32] [--e2e=500] [--seed=100] [--postal-spamd=on|off]
 * Starts `npm run world` on its own net (a separate process, as a user runs it) and measures:
 *   (a) API send/message requests per second (concurrent keep-alive clients), with p50/p95 latency;
 *   (b) end-to-end messages per second from the API call until each message is listed by an agent's
 *       inbox receiver (internal mail ceo@ → several agents);
 *   (c) the same into a mailbox provider's seed INBOX over IMAP.
 * Targets from issue 3: ≥ 300 API requests/s, ≥ 100 delivered messages/s. A measurement, not a test:
 * exits 0 whether or not a target is met (1 only if the world could not be measured at all).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ImapFlow } from 'imapflow';
import { Agent, request } from 'undici';
import { readCredentialsFile } from '../core/artifacts/api-keys-file.ts';
import { startCli } from '../e2e/cli-process.ts';

const TARGET_API_RPS = 300;
const TARGET_DELIVERED_PS = 100;
const ROOT = new URL('../', import.meta.url).pathname;

const { values } = parseArgs({
  options: {
    net: { type: 'string', default: '127.0.83' },
    requests: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '32' },
    e2e: { type: 'string', default: '500' },
    seed: { type: 'string', default: '100' },
    'postal-spamd': { type: 'string', default: 'on' },
  },
  strict: true,
});
const net = values.net;
const counts = { requests: Number(values.requests), concurrency: Number(values.concurrency), e2e: Number(values.e2e), seed: Number(values.seed) };

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const fmt = (n: number, digits = 1): string => n.toFixed(digits);
const verdict = (value: number, target: number): string => (value >= target ? `MET (target ≥ ${target})` : `MISSED (target ≥ ${target})`);

async function runPool(total: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, total) }, async () => {
      while (next < total) await task(next++);
    }),
  );
}

async function pollUntil(what: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function main(): Promise<number> {
  const out = mkdtempSync(join(tmpdir(), 'postal-qa-bench-'));
  const world = startCli(join(ROOT, 'node_modules/.bin/tsx'), ['world/main.ts', `--net=${net}`, `--out=${out}`, `--postal-spamd=${values['postal-spamd']}`], { cwd: ROOT });
  try {
    const printed = await world.waitFor('World ready.', 60_000);
    const started = /Started in ([\d.]+) s/.exec(printed)?.[1];
    const listings = new Map([...printed.matchAll(/^\s+(\S+@mailgoat\.ai)\s+(http:\/\/\S+\/messages)/gm)].map((m) => [m[1]!, m[2]!]));
    const seedPassword = /seed seed@gmail\.test\s+login seed@gmail\.test\s+password (\S+)/.exec(printed)?.[1];
    const ca = readFileSync(join(out, 'world-ca.pem'), 'utf8');
    const ceoKey = readCredentialsFile(join(out, 'postal-api-keys.txt')).apiKeys.get('ceo@mailgoat.ai')!;
    const agent = new Agent({ connect: { ca, servername: 'postal.mailgoat.ai' }, connections: counts.concurrency, keepAliveTimeout: 30_000 });
    const api = `https://${net}.10`;

    const send = async (to: string, subject: string): Promise<number> => {
      const t0 = performance.now();
      const response = await request(`${api}/api/v1/send/message`, {
        method: 'POST',
        dispatcher: agent,
        headers: { host: 'postal.mailgoat.ai', 'x-server-api-key': ceoKey, 'content-type': 'application/json' },
        body: JSON.stringify({ from: 'ceo@mailgoat.ai', to: [to], subject, plain_body: `Benchmark message ${subject}.\nNothing to see here.` }),
        headersTimeout: 10_000,
        bodyTimeout: 10_000,
      });
      const body = (await response.body.json()) as { status: string; data: unknown };
      if (body.status !== 'success') throw new Error(`send/message: ${JSON.stringify(body)}`);
      return performance.now() - t0;
    };
    const inboxCount = async (url: string, token: string): Promise<number> => {
      const response = await request(`${url}?token=${token}`, { headersTimeout: 5_000, bodyTimeout: 5_000 });
      return ((await response.body.json()) as unknown[]).length;
    };

    console.log(`bench:world — ${cpus().length} cores (${availableParallelism()} available), ${cpus()[0]?.model ?? 'unknown CPU'}; world started in ${started} s on ${net}.0/24; Postal inspects incoming mail with spamd: ${values['postal-spamd']}`);

    // (a) API requests per second. Recipients are agents, so the worker's delivery work runs alongside, as in real use.
    const recipients = ['qa@mailgoat.ai', 'dev1@mailgoat.ai', 'dev2@mailgoat.ai', 'dev3@mailgoat.ai', 'product@mailgoat.ai'];
    await send(recipients[0]!, 'warm-up');
    const latencies: number[] = [];
    const tokenA = `bencha${Date.now().toString(36)}`;
    const a0 = performance.now();
    await runPool(counts.requests, counts.concurrency, async (i) => void latencies.push(await send(recipients[i % recipients.length]!, `${tokenA} #${i}`)));
    const aSeconds = (performance.now() - a0) / 1000;
    latencies.sort((x, y) => x - y);
    const apiRps = counts.requests / aSeconds;
    console.log(`(a) API send/message: ${counts.requests} requests, ${counts.concurrency} concurrent clients, ${fmt(aSeconds, 2)} s → ${fmt(apiRps)} req/s; latency p50 ${fmt(percentile(latencies, 50))} ms, p95 ${fmt(percentile(latencies, 95))} ms — ${verdict(apiRps, TARGET_API_RPS)}`);
    // Let (a)'s deliveries drain so (b) measures its own messages only.
    const drainStart = performance.now();
    await pollUntil('the API burst delivered', 300_000, async () => {
      let n = 0;
      for (const to of recipients) n += await inboxCount(listings.get(to)!, tokenA);
      return n >= counts.requests;
    });
    console.log(`    (its ${counts.requests} messages were all in the inboxes ${fmt((performance.now() - a0) / 1000, 2)} s after the first call; drain ${fmt((performance.now() - drainStart) / 1000, 2)} s after the last)`);

    // (b) end to end into agent inboxes.
    const tokenB = `benchb${Date.now().toString(36)}`;
    const b0 = performance.now();
    await runPool(counts.e2e, counts.concurrency, async (i) => void (await send(recipients[i % recipients.length]!, `${tokenB} #${i}`)));
    const bSent = (performance.now() - b0) / 1000;
    await pollUntil('the end-to-end batch delivered', 300_000, async () => {
      let n = 0;
      for (const to of recipients) n += await inboxCount(listings.get(to)!, tokenB);
      return n >= counts.e2e;
    });
    const bSeconds = (performance.now() - b0) / 1000;
    const e2eRate = counts.e2e / bSeconds;
    console.log(`(b) end to end, API → agent inbox (${recipients.length} agents): ${counts.e2e} messages in ${fmt(bSeconds, 2)} s (API calls done after ${fmt(bSent, 2)} s) → ${fmt(e2eRate)} msg/s — ${verdict(e2eRate, TARGET_DELIVERED_PS)}`);

    // (c) end to end into a provider's seed mailbox (DKIM signing, SMTP with STARTTLS, mailauth, SpamAssassin, Maildir, IMAP).
    if (counts.seed > 0 && seedPassword) {
      const tokenC = `benchc${Date.now().toString(36)}`;
      const imap = new ImapFlow({ host: `${net}.20`, port: 143, secure: false, logger: false, auth: { user: 'seed@gmail.test', pass: seedPassword }, tls: { ca, servername: 'mx.gmail.test' } });
      await imap.connect();
      try {
        const c0 = performance.now();
        await runPool(counts.seed, counts.concurrency, async (i) => void (await send('seed@gmail.test', `${tokenC} #${i}`)));
        await pollUntil('the seed batch in the Gmail INBOX', 300_000, async () => {
          const status = await imap.status('INBOX', { messages: true });
          return status !== false && (status.messages ?? 0) >= counts.seed;
        });
        const cSeconds = (performance.now() - c0) / 1000;
        const seedRate = counts.seed / cSeconds;
        console.log(`(c) end to end, API → seed@gmail.test INBOX over IMAP: ${counts.seed} messages in ${fmt(cSeconds, 2)} s → ${fmt(seedRate)} msg/s — ${verdict(seedRate, TARGET_DELIVERED_PS)}`);
      } finally {
        await imap.logout().catch(() => imap.close());
      }
    }
    await agent.close();
    return 0;
  } catch (error) {
    console.error(`bench:world: ${(error as Error).message}`);
    return 1;
  } finally {
    world.child.kill('SIGTERM');
    await Promise.race([world.closed, new Promise((r) => setTimeout(r, 15_000))]);
    world.kill();
    rmSync(out, { recursive: true, force: true });
  }
}

main().then((code) => process.exit(code));
