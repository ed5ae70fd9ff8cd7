import { describe, expect, it } from 'vitest';
import { summariseLatencies } from './latency-summary.ts';

describe('summariseLatencies', () => {
  it('gives nearest-rank percentiles over 100 samples', () => {
    const samples = Array.from({ length: 100 }, (_, i) => (i + 1) * 10);
    expect(summariseLatencies(samples)).toEqual({ delivered: 100, lost: 0, p50Ms: 500, p95Ms: 950, p99Ms: 990, maxMs: 1000 });
  });

  it('counts a message that never arrived as lost, not as fast', () => {
    const summary = summariseLatencies([100, undefined, 300, undefined]);
    expect(summary).toMatchObject({ delivered: 2, lost: 2, p50Ms: 100, p95Ms: 300 });
  });

  it('has no percentiles when nothing arrived (broken delivery)', () => {
    expect(summariseLatencies([undefined, undefined])).toEqual({ delivered: 0, lost: 2 });
  });

  it('a single slow message moves p99 but not p50', () => {
    const summary = summariseLatencies([...Array.from({ length: 99 }, () => 100), 30_000]);
    expect(summary.p50Ms).toBe(100);
    expect(summary.p99Ms).toBe(100);
    expect(summary.maxMs).toBe(30_000);
  });
});
