import { describe, expect, it } from 'vitest';
import { checkLatency, latencyHistogram, percentile } from './latency-check.ts';

const hundred = Array.from({ length: 100 }, (_, i) => (i + 1) * 10); // 10 … 1000 ms

describe('percentile', () => {
  it('uses the nearest rank', () => {
    expect(percentile(hundred, 50)).toBe(500);
    expect(percentile(hundred, 95)).toBe(950);
    expect(percentile(hundred, 99)).toBe(990);
    expect(percentile(hundred, 100)).toBe(1000);
    expect(percentile([3, 1, 2], 50)).toBe(2);
    expect(percentile([7], 95)).toBe(7);
  });

  it('refuses no samples and impossible percentiles', () => {
    expect(() => percentile([], 50)).toThrow(RangeError);
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});

describe('latencyHistogram', () => {
  it('counts samples into inclusive buckets with an overflow bucket', () => {
    expect(latencyHistogram([50, 100, 101, 900, 5000], [100, 1000])).toEqual([
      { label: '≤ 100 ms', upToMs: 100, count: 2 },
      { label: '≤ 1000 ms', upToMs: 1000, count: 2 },
      { label: '> 1000 ms', upToMs: null, count: 1 },
    ]);
  });
});

describe('checkLatency', () => {
  it('passes when p95 is within the target and nothing was lost', () => {
    const verdict = checkLatency({ samplesMs: hundred, p95TargetMs: 10_000, lost: 0 });
    expect(verdict.outcome).toBe('pass');
    expect(verdict.summary).toBe('p50 500 ms, p95 950 ms, p99 990 ms over 100 messages (target p95 ≤ 10000 ms), none lost');
    const histogram = verdict.evidence.find((e) => e.label === 'latency histogram')?.detail as Array<{ count: number }>;
    expect(histogram.reduce((n, b) => n + b.count, 0)).toBe(100);
  });

  it('fails when p95 is above the target', () => {
    const verdict = checkLatency({ samplesMs: hundred, p95TargetMs: 900, lost: 0 });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toBe('p95 latency 950 ms is above the target of 900 ms');
    // The slowest paths are named (PERF-02 covers every agent's path).
    expect(checkLatency({ samplesMs: hundred, p95TargetMs: 900, lost: 0, slowest: ['dev3→qa 1000 ms'] }).summary).toBe(
      'p95 latency 950 ms is above the target of 900 ms (slowest: dev3→qa 1000 ms)',
    );
    expect(verdict.remediation).toMatch(/worker\.threads/);
  });

  it('fails when a message was lost, even if the rest were fast', () => {
    const verdict = checkLatency({ samplesMs: hundred, p95TargetMs: 10_000, lost: 1 });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toBe('1 of 101 messages never arrived');
  });

  it('fails with no samples or invalid ones; warns with too few', () => {
    expect(checkLatency({ samplesMs: [], p95TargetMs: 10_000, lost: 0 }).outcome).toBe('fail');
    expect(checkLatency({ samplesMs: [...hundred, Number.NaN, -5], p95TargetMs: 10_000, lost: 0 }).summary).toMatch(
      /2 latency samples are not valid/,
    );
    const few = checkLatency({ samplesMs: [100, 200, 300], p95TargetMs: 10_000, lost: 0 });
    expect(few.outcome).toBe('warn');
    expect(few.summary).toMatch(/only 3 samples/);
  });
});
