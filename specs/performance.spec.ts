/**
 * Performance — "delivery fast enough for the agents". Load against a live server needs --allow-load
 * and is capped by --max-messages; the embedded world and local replica take it freely.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, describe } from 'vitest';
import { checkLatency, percentile } from '../harness/checks/latency-check.ts';
import { checkThroughput } from '../harness/checks/throughput-check.ts';
import { listInbox } from '../harness/clients/inbox-reader.ts';
import { control } from '../harness/controls/control.ts';
import { probeBody, probeSubject } from '../harness/controls/mail-probe.ts';
import { currentTarget, type RunContext } from '../harness/controls/run-context.ts';
import { NO_INBOX_READER } from '../harness/controls/skip-reasons.ts';
import { clientsFor, requirePostal } from '../harness/controls/target-clients.ts';
import { pollUntil } from '../harness/poll.ts';
import type { TargetDescriptor } from '../harness/targets/target.ts';

const clients = clientsFor(currentTarget());
afterAll(() => clients.close());

/** Above the target rate by a margin, so a server that just keeps up passes and one that lags fails. */
const PACE_MARGIN = 1.2;

function loadRefusal(target: TargetDescriptor, run: RunContext): string | undefined {
  if (!run.load.allowed) return `load against ${target.env} needs --allow-load (capped by --max-messages=${run.load.maxMessages})`;
  return undefined;
}

/** Sends `count` messages at `perSecond`, each at its own scheduled instant, and waits for every answer. */
async function sendPaced(count: number, perSecond: number, send: (i: number) => Promise<void>): Promise<number> {
  const started = Date.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const due = started + (i * 1000) / perSecond;
    const wait = due - Date.now();
    if (wait > 0) await delay(wait); // pacing the load, not waiting for an outcome
    inFlight.push(send(i));
  }
  await Promise.all(inFlight);
  return Date.now() - started;
}

describe('Performance', () => {
  control('PERF-01', async ({ target, deployment, run }) => {
    const refusal = loadRefusal(target, run);
    if (refusal) return { verdicts: [], skip: refusal };
    const postal = requirePostal(clients);
    const sender = target.accounts[0]!;
    const { messagesPerSecond, durationSeconds } = deployment.thresholds.throughput;
    const pace = messagesPerSecond * PACE_MARGIN;
    const count = Math.min(Math.ceil(pace * durationSeconds), run.load.maxMessages);
    const recipient = deployment.agents.find((a) => a.id === deployment.catchAll) ?? deployment.agents[0]!;
    const errors: Array<{ status: string; code?: string }> = [];
    const elapsedMs = await sendPaced(count, pace, async (i) => {
      try {
        const answer = await postal.call('send/message', sender.apiKey, {
          to: [recipient.address],
          from: sender.address,
          subject: probeSubject(run.runToken, `PERF-01 ${i + 1}/${count}`),
          plain_body: probeBody(run.runToken, `throughput ${i + 1}`),
          tag: 'postal-qa-load',
        });
        if (answer.status !== 'success') errors.push({ status: answer.status, code: String(answer.data.code ?? '') });
      } catch (error) {
        errors.push({ status: 'transport-error', code: (error as Error).message });
      }
    });
    return {
      verdicts: [checkThroughput({ target: { messagesPerSecond, durationSeconds }, sent: count - errors.length, errors, elapsedMs })],
      facts: { throughput: { paced: pace, sent: count - errors.length, errors: errors.length, elapsedMs, achieved: Math.round(((count - errors.length) / (elapsedMs / 1000)) * 10) / 10, target: messagesPerSecond, durationSeconds, capped: count === run.load.maxMessages } },
    };
  });

  control('PERF-02', async ({ target, deployment, run }) => {
    const refusal = loadRefusal(target, run);
    if (refusal) return { verdicts: [], skip: refusal };
    const postal = requirePostal(clients);
    const reader = target.inboxReader;
    if (!reader) return { verdicts: [], skip: NO_INBOX_READER };
    const sender = target.accounts[0]!;
    const recipient = deployment.agents.find((a) => a.id !== deployment.catchAll && a.address !== sender.address) ?? deployment.agents[1]!;
    const count = Math.min(30, run.load.maxMessages);
    const sentAt = new Map<string, number>();
    await sendPaced(count, 5, async (i) => {
      const subject = probeSubject(run.runToken, `PERF-02 latency ${i + 1}/${count}`);
      sentAt.set(subject, Date.now());
      await postal.call('send/message', sender.apiKey, { to: [recipient.address], from: sender.address, subject, plain_body: probeBody(run.runToken, `latency ${i + 1}`) });
    });
    const polled = await pollUntil(
      async () => (await listInbox(reader, recipient.id, run.runToken, clients.http, target.timeouts.connectMs).catch(() => [])).filter((e) => e.subject && sentAt.has(e.subject)),
      (entries) => entries.length >= count,
      { timeoutMs: target.timeouts.deliveryMs + deployment.thresholds.latency.p95Ms, intervalMs: 250 },
    );
    // The receiver's own arrival stamp, so polling intervals never inflate the figures.
    const samplesMs = polled.value.map((e) => Date.parse(e.receivedAt ?? '') - sentAt.get(e.subject!)!).filter(Number.isFinite);
    return {
      verdicts: [checkLatency({ samplesMs, p95TargetMs: deployment.thresholds.latency.p95Ms, lost: count - polled.value.length })],
      facts: {
        latency: samplesMs.length
          ? { samples: samplesMs.length, samplesMs, p50: percentile(samplesMs, 50), p95: percentile(samplesMs, 95), p99: percentile(samplesMs, 99), max: Math.max(...samplesMs), targetP95: deployment.thresholds.latency.p95Ms, lost: count - polled.value.length }
          : { samples: 0, lost: count },
      },
    };
  });
});
