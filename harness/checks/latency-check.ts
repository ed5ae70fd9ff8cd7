/**
 * PERF-02 — send-to-inbox latency as a distribution, not an average: p50/p95/p99 by the
 * nearest-rank method (every percentile is a latency that was actually observed), a histogram, and
 * a verdict on p95 against the target. A lost message is worse than a slow one, so any loss fails.
 */
import { fail, type Finding, verdictFrom, warn } from './findings.ts';
import type { Verdict } from './verdict.ts';

export interface LatencyInput {
  /** Send-to-arrival latency of each message that arrived. */
  samplesMs: number[];
  p95TargetMs: number;
  /** Messages sent that never arrived before the deadline. */
  lost: number;
  /** Below this many samples p95 is too coarse to trust: warn. Default 20. */
  minSamples?: number;
  /** The slowest paths ("ceo→qa 12000 ms"), named when p95 is over the target. */
  slowest?: string[];
}

export interface HistogramBucket {
  /** e.g. "≤ 500 ms", "> 30000 ms". */
  label: string;
  upToMs: number | null;
  count: number;
}

/** Nearest-rank percentile (p in (0, 100]): the smallest sample with at least p % of samples at or below it. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) throw new RangeError('percentile of no samples');
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile ${p} is outside (0, 100]`);
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.ceil((p / 100) * sorted.length) - 1]!;
}

export const DEFAULT_BUCKETS_MS = [100, 250, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000];

/** Counts per bucket (upper bounds inclusive), plus an overflow bucket. */
export function latencyHistogram(samples: number[], boundsMs: number[] = DEFAULT_BUCKETS_MS): HistogramBucket[] {
  const bounds = [...new Set(boundsMs)].sort((a, b) => a - b);
  const buckets: HistogramBucket[] = bounds.map((b) => ({ label: `≤ ${b} ms`, upToMs: b, count: 0 }));
  const overflow: HistogramBucket = { label: `> ${bounds[bounds.length - 1] ?? 0} ms`, upToMs: null, count: 0 };
  for (const s of samples) (buckets.find((b) => s <= (b.upToMs ?? Infinity)) ?? overflow).count++;
  return [...buckets, overflow];
}

export function checkLatency(input: LatencyInput): Verdict {
  const minSamples = input.minSamples ?? 20;
  // Stryker disable next-line ArrayDeclaration: equivalent, verdictFrom keeps only entries with a fail/warn outcome, so a seeded placeholder changes nothing
  const findings: Finding[] = [];
  const invalid = input.samplesMs.filter((s) => !Number.isFinite(s) || s < 0);
  const samples = input.samplesMs.filter((s) => Number.isFinite(s) && s >= 0);
  const total = samples.length + input.lost;

  if (invalid.length > 0)
    findings.push(
      fail(
        `${invalid.length} latency samples are not valid durations (${invalid.slice(0, 3).join(', ')})`,
        'Measure each latency as arrival time − send time in ms',
      ),
    );
  if (input.lost > 0) {
    findings.push(
      fail(
        `${input.lost} of ${total} messages never arrived`,
        'Look the lost messages up in Postal (messages/message, messages/deliveries): Held or SoftFail entries show where they stopped; a queue backlog shows in postal_message_queue_latency on the worker /metrics',
      ),
    );
  }
  const stats =
    samples.length > 0
      ? { p50: percentile(samples, 50), p95: percentile(samples, 95), p99: percentile(samples, 99), max: Math.max(...samples) }
      : undefined;
  if (!stats) {
    findings.push(fail('no message arrived, so there is no latency to measure', 'See FN-01: mail must flow before it can be timed'));
  } else {
    if (stats.p95 > input.p95TargetMs) {
      findings.push(
        fail(
          `p95 latency ${stats.p95} ms is above the target of ${input.p95TargetMs} ms${input.slowest?.length ? ` (slowest: ${input.slowest.join(', ')})` : ''}`,
          'Postal v3 workers poll the database queue about every 5 s: raise worker.threads (or run more worker processes), and check the inbox endpoints answer quickly (a slow endpoint holds a worker thread)',
        ),
      );
    }
    if (samples.length < minSamples) {
      findings.push(
        warn(
          `only ${samples.length} samples: a p95 from fewer than ${minSamples} is little more than the maximum`,
          `Time at least ${minSamples} messages`,
        ),
      );
    }
  }

  return verdictFrom({
    findings,
    passSummary: `p50 ${stats?.p50} ms, p95 ${stats?.p95} ms, p99 ${stats?.p99} ms over ${samples.length} messages (target p95 ≤ ${input.p95TargetMs} ms), none lost`,
    expected: `p95 ≤ ${input.p95TargetMs} ms, 0 lost`,
    observed: stats
      ? `p50 ${stats.p50} ms, p95 ${stats.p95} ms, p99 ${stats.p99} ms, ${input.lost} lost of ${total}`
      : `no samples, ${input.lost} lost`,
    evidence: [
      {
        label: 'latency percentiles',
        detail: { samples: samples.length, lost: input.lost, ...(stats ?? {}), p95TargetMs: input.p95TargetMs, method: 'nearest rank' },
      },
      { label: 'latency histogram', detail: latencyHistogram(samples) },
    ],
  });
}
