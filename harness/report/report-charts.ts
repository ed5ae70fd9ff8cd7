/**
 * The report's charts, built from the run's results: how long each control took, and PERF-02's
 * delivery latency distribution. Pure; write-reports.ts writes them beside results.json.
 */
import type { ControlResult } from '../controls/control-result.ts';
import { binSamples, niceCeiling, renderHistogram, renderHorizontalBarChart, type Marker } from './svg-chart.ts';

export interface Chart {
  /** File name under test-results/charts/. */
  file: string;
  /** Alt text and caption in the Markdown report. */
  caption: string;
  svg: string;
}

const OUTCOME_COLOR: Record<string, string> = {
  pass: '#3a9d5d',
  warn: '#d9a400',
  waived: '#8a8a8a',
  fail: '#c8362e',
  error: '#c8362e',
  blocked: '#8a8a8a',
  skipped: '#b0b0b0',
};

export function controlDurationChart(results: ControlResult[]): Chart | undefined {
  if (results.length === 0) return undefined;
  const bars = results.map((r) => ({
    label: r.id,
    value: r.durationMs,
    color: OUTCOME_COLOR[r.outcome] ?? '#4a78c2',
    note: `${r.id} ${r.title}: ${r.outcome}, ${r.durationMs} ms`,
  }));
  return {
    file: 'control-durations.svg',
    caption: 'Time each control took (green pass, red fail/error, grey blocked/skipped/waived)',
    svg: renderHorizontalBarChart(bars, { title: 'Time each control took', xLabel: 'duration (ms)', yLabel: 'control', unit: 'ms' }),
  };
}

interface LatencyFacts {
  samplesMs?: unknown;
  p50?: number;
  p95?: number;
  p99?: number;
  targetP95?: number;
}

export function latencyChart(perf02: ControlResult | undefined): Chart | undefined {
  const facts = perf02?.facts?.latency as LatencyFacts | undefined;
  const samples = Array.isArray(facts?.samplesMs)
    ? facts.samplesMs.filter((s): s is number => typeof s === 'number' && Number.isFinite(s))
    : [];
  if (samples.length === 0) return undefined;
  const markers: Marker[] = [];
  if (facts?.p50 !== undefined) markers.push({ label: `p50 ${facts.p50} ms`, value: facts.p50, color: '#2b6cb0' });
  if (facts?.p95 !== undefined) markers.push({ label: `p95 ${facts.p95} ms`, value: facts.p95, color: '#6b46c1' });
  if (facts?.p99 !== undefined) markers.push({ label: `p99 ${facts.p99} ms`, value: facts.p99, color: '#805ad5' });
  if (facts?.targetP95 !== undefined) markers.push({ label: `target p95 ${facts.targetP95} ms`, value: facts.targetP95, color: '#c8362e' });
  return {
    file: 'delivery-latency.svg',
    caption: `PERF-02 delivery latency, send to inbox (${samples.length} messages)`,
    // From 0, so the distribution is seen against the target and not only against itself.
    svg: renderHistogram(binSamples(samples, 25, { min: 0, max: niceCeiling(Math.max(...samples, facts?.targetP95 ?? 0)) }), markers, {
      title: `Delivery latency, send to inbox (${samples.length} messages)`,
      xLabel: 'latency (ms)',
      yLabel: 'messages',
    }),
  };
}

export function reportCharts(results: ControlResult[]): Chart[] {
  return [controlDurationChart(results), latencyChart(results.find((r) => r.id === 'PERF-02'))].filter((c): c is Chart => c !== undefined);
}
