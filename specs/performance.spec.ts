/**
 * Performance — "delivery fast enough for the agents". Load against a live server needs --allow-load
 * and is capped by --max-messages; the embedded world and local replica take it freely.
 */
import { describe } from 'vitest';
import { checkLatency, percentile } from '../harness/checks/latency-check.ts';
import { checkThroughput } from '../harness/checks/throughput-check.ts';
import { control } from '../harness/runner/control.ts';
import { probeBody, probeSubject } from '../harness/messages/probe-message.ts';
import type { RunContext } from '../harness/config/run-context.ts';
import { readOnlyRefusal } from '../harness/probes/probe-unavailable.ts';

/** Above the target rate by a margin, so a server that just keeps up passes and one that lags fails. */
const PACE_MARGIN = 1.2;
const LATENCY_SAMPLES = 30;
/** Five messages a second: a steady trickle, well under the throughput target, so latency is not queueing. */
const SEND_INTERVAL_MS = 200;

const loadRefusal = (run: RunContext, env: string): string | undefined =>
  run.readOnly ? readOnlyRefusal('load') : run.load.allowed ? undefined : `load against ${env} needs --allow-load (capped by --max-messages=${run.load.maxMessages})`;

describe('Performance', () => {
  // Latency first, on a server that is not still working off the throughput burst: the plan's target is
  // for the agents' everyday mail, and a queue left by PERF-01 would measure the test, not the server.
  control('PERF-02', async ({ probes, deployment, run }) => {
    const refusal = loadRefusal(run, probes.target.env);
    if (refusal) return { verdicts: [], skip: refusal };
    const from = deployment.agents[0]!;
    const to = deployment.agents.find((a) => a.id !== deployment.catchAll && a.id !== from.id) ?? deployment.agents[1]!;
    const count = Math.min(LATENCY_SAMPLES, run.load.maxMessages);
    const messages = Array.from({ length: count }, (_, i) => ({ id: `latency-${i + 1}`, fromAgentId: from.id, to: to.address, toAgentId: to.id, subject: probeSubject(run.runToken, `PERF-02 latency ${i + 1}/${count}`), body: probeBody(run.runToken, `latency ${i + 1}`) }));
    const observed = await probes.mail.sendAsAgents(messages, { intervalMs: SEND_INTERVAL_MS, deadlineMs: probes.target.timeouts.deliveryMs + deployment.thresholds.latency.p95Ms });
    // The receiver's own arrival stamp, so polling intervals never inflate the figures.
    const samplesMs = observed.fates.flatMap((f) => f.arrivals.filter((a) => a.agentId === to.id).map((a) => a.elapsedMs)).filter((ms): ms is number => Number.isFinite(ms));
    const lost = count - samplesMs.length;
    const latency = samplesMs.length ? { samples: samplesMs.length, samplesMs, p50: percentile(samplesMs, 50), p95: percentile(samplesMs, 95), p99: percentile(samplesMs, 99), max: Math.max(...samplesMs), targetP95: deployment.thresholds.latency.p95Ms, lost } : { samples: 0, lost };
    return { verdicts: [checkLatency({ samplesMs, p95TargetMs: deployment.thresholds.latency.p95Ms, lost })], facts: { latency } };
  });

  control('PERF-01', async ({ probes, deployment, run }) => {
    const refusal = loadRefusal(run, probes.target.env);
    if (refusal) return { verdicts: [], skip: refusal };
    const { messagesPerSecond, durationSeconds } = deployment.thresholds.throughput;
    const pace = messagesPerSecond * PACE_MARGIN;
    const count = Math.min(Math.ceil(pace * durationSeconds), run.load.maxMessages);
    const recipient = deployment.agents.find((a) => a.id === deployment.catchAll) ?? deployment.agents[0]!;
    const { sent, errors, elapsedMs } = await probes.load.sendAtPace(count, pace, recipient.address);
    const achieved = Math.round((sent / (elapsedMs / 1000)) * 10) / 10;
    const capped = count < Math.ceil(pace * durationSeconds);
    return {
      verdicts: [checkThroughput({ target: { messagesPerSecond, durationSeconds }, sent, errors, elapsedMs, ...(capped ? { cap: { maxMessages: run.load.maxMessages, windowSeconds: count / pace } } : {}) })],
      facts: { throughput: { paced: pace, sent, errors: errors.length, elapsedMs, achieved, target: messagesPerSecond, durationSeconds, capped } },
    };
  });
});
