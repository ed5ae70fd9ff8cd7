/**
 * Performance — "delivery fast enough for the agents". Load against a live server needs --allow-load
 * and is capped by --max-messages; the embedded world and local replica take it freely.
 */
import { describe } from 'vitest';
import { checkLatency, percentile } from '../harness/checks/latency-check.ts';
import { checkThroughput } from '../harness/checks/throughput-check.ts';
import type { Deployment } from '../core/deployment/deployment-schema.ts';
import { control, type ControlFindings } from '../harness/runner/control.ts';
import { withLoadLock } from '../harness/controls/load-lock.ts';
import type { Probes } from '../harness/probes/probes.ts';
import { probeMessage } from '../harness/messages/probe-message.ts';
import type { RunContext } from '../harness/config/run-context.ts';
import { readOnlyRefusal } from '../harness/probes/probe-unavailable.ts';

/** Above the target rate by a margin, so a server that just keeps up passes and one that lags fails. */
const PACE_MARGIN = 1.2;
const LATENCY_SAMPLES = 30;
/** Five messages a second: a steady trickle, well under the throughput target, so latency is not queueing. */
const SEND_INTERVAL_MS = 200;

const loadRefusal = (run: RunContext, env: string): string | undefined =>
  run.readOnly
    ? readOnlyRefusal('load')
    : run.load.allowed
      ? undefined
      : `load against ${env} needs --allow-load (capped by --max-messages=${run.load.maxMessages})`;

describe('Performance', () => {
  // Latency first, on a server that is not still working off the throughput burst: the plan's target is
  // for the agents' everyday mail, and a queue left by PERF-01 would measure the test, not the server.
  // It runs beside the last functionality controls (their everyday mail), once FN-01 has passed.
  control('PERF-02', async ({ probes, deployment, run }) => {
    const refusal = loadRefusal(run, probes.target.env);
    if (refusal) return { verdicts: [], skip: refusal };
    // A trickle of five messages a second: no load of its own to keep from the neighbours.
    return latency(probes, deployment, run);
  });

  // The paced load runs alone, once every other area has ended: its burst must not delay their mail, nor a
  // send limit it reaches hold it, and nothing else shares the queue it measures.
  control(
    'PERF-01',
    async ({ probes, deployment, run }) => {
      const refusal = loadRefusal(run, probes.target.env);
      if (refusal) return { verdicts: [], skip: refusal };
      return withLoadLock(() => throughput(probes, deployment, run), LOAD_LOCK_WAIT_MS);
    },
    { after: ['infrastructure', 'dns', 'security', 'functionality'] },
  );
});

/** How long PERF-01 waits for another run's throughput test to end (the fault matrix runs worlds side by side). */
const LOAD_LOCK_WAIT_MS = 90_000;

async function latency(probes: Probes, deployment: Deployment, run: RunContext): Promise<ControlFindings> {
  // Every agent's path: agent i writes to agent i+1 (the catch-all included), round the ring until the samples are taken.
  const agents = deployment.agents;
  const count = Math.min(LATENCY_SAMPLES, run.load.maxMessages);
  const messages = Array.from({ length: count }, (_, i) => {
    const from = agents[i % agents.length]!;
    const to = agents[(i + 1) % agents.length]!;
    // The agents' kind of mail (scripts, HTML, a link, an attachment): their everyday latency.
    return {
      id: `latency-${i + 1}`,
      fromAgentId: from.id,
      to: to.address,
      toAgentId: to.id,
      content: probeMessage(run.runToken, `PERF-02 latency ${i + 1}/${count} ${from.id} to ${to.id}`),
    };
  });
  const observed = await probes.mail.sendAsAgents(messages, {
    intervalMs: SEND_INTERVAL_MS,
    deadlineMs: probes.target.timeouts.deliveryMs + deployment.thresholds.latency.p95Ms,
  });
  // The receiver's own arrival stamp, so polling intervals never inflate the figures.
  const samples = observed.fates.flatMap((f) =>
    f.arrivals
      .filter((a) => a.agentId === f.message.toAgentId)
      .slice(0, 1)
      .map((a) => ({ ms: a.elapsedMs, path: `${f.message.fromAgentId}→${f.message.toAgentId}` })),
  );
  const samplesMs = samples.map((s) => s.ms).filter((ms): ms is number => Number.isFinite(ms));
  const lost = count - samplesMs.length;
  const slowest = [...samples]
    .sort((a, b) => (b.ms ?? 0) - (a.ms ?? 0))
    .slice(0, 3)
    .map((s) => `${s.path} ${s.ms} ms`);
  const latency = samplesMs.length
    ? {
        samples: samplesMs.length,
        samplesMs,
        p50: percentile(samplesMs, 50),
        p95: percentile(samplesMs, 95),
        p99: percentile(samplesMs, 99),
        max: Math.max(...samplesMs),
        targetP95: deployment.thresholds.latency.p95Ms,
        lost,
        slowest,
      }
    : { samples: 0, lost };
  return { verdicts: [checkLatency({ samplesMs, p95TargetMs: deployment.thresholds.latency.p95Ms, lost, slowest })], facts: { latency } };
}

async function throughput(probes: Probes, deployment: Deployment, run: RunContext): Promise<ControlFindings> {
  const { messagesPerSecond, durationSeconds } = deployment.thresholds.throughput;
  const pace = messagesPerSecond * PACE_MARGIN;
  const count = Math.min(Math.ceil(pace * durationSeconds), run.load.maxMessages);
  const recipient = deployment.agents.find((a) => a.id === deployment.catchAll) ?? deployment.agents[0]!;
  const outcome = await probes.load.sendAtPace(count, pace, recipient.address, recipient.id);
  const { sent, errors, elapsedMs, arrived, arrivalWindowMs } = outcome;
  const achieved = Math.round((arrived / (Math.max(elapsedMs, arrivalWindowMs ?? 0) / 1000)) * 10) / 10;
  const capped = count < Math.ceil(pace * durationSeconds);
  return {
    verdicts: [
      checkThroughput({
        target: { messagesPerSecond, durationSeconds },
        ...outcome,
        recipient: recipient.address,
        ...(capped ? { cap: { maxMessages: run.load.maxMessages, windowSeconds: count / pace } } : {}),
      }),
    ],
    facts: {
      throughput: {
        paced: pace,
        sent,
        arrived,
        notArrived: outcome.notArrived.length,
        errors: errors.length,
        elapsedMs,
        arrivalWindowMs: arrivalWindowMs ?? null,
        achieved,
        target: messagesPerSecond,
        durationSeconds,
        capped,
      },
    },
  };
}
