/**
 * One step's delivery latencies as the capacity table shows them: nearest-rank p50/p95/p99 (the same
 * percentile PERF-02 uses) and the worst, plus how many messages never arrived — a lost message is not a
 * fast one, so it is counted apart instead of being left out silently.
 */
import { percentile } from '../checks/latency-check.ts';

export interface LatencySummary {
  delivered: number;
  lost: number;
  p50Ms?: number;
  p95Ms?: number;
  p99Ms?: number;
  maxMs?: number;
}

/** `latenciesMs`: one entry per message sent; undefined for one that never arrived. */
export function summariseLatencies(latenciesMs: Array<number | undefined>): LatencySummary {
  const samples = latenciesMs.filter((ms): ms is number => typeof ms === 'number' && Number.isFinite(ms));
  const lost = latenciesMs.length - samples.length;
  if (samples.length === 0) return { delivered: 0, lost };
  return {
    delivered: samples.length,
    lost,
    p50Ms: percentile(samples, 50),
    p95Ms: percentile(samples, 95),
    p99Ms: percentile(samples, 99),
    maxMs: Math.max(...samples),
  };
}
