import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { ControlResult } from '../controls/control-result.ts';
import { controlDurationChart, latencyChart } from './report-charts.ts';
import { binSamples, niceCeiling } from './svg-chart.ts';

function result(id: string, durationMs: number, extra: Partial<ControlResult> = {}): ControlResult {
  return {
    id,
    title: `${id} <title> & "quotes"`,
    area: 'dns',
    severity: 'high',
    outcome: 'pass',
    summary: '',
    verdicts: [],
    startedAt: '',
    durationMs,
    ...extra,
  };
}

const parse = (svg: string) =>
  new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(svg) as { svg: Record<string, unknown> };
const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const texts = (svg: string) => asArray(parse(svg).svg.text as Array<{ '#text': string; class?: string }>).map((t) => String(t['#text']));

describe('control duration chart', () => {
  const results = [result('DNS-01', 4), result('FN-01', 5109, { outcome: 'fail' }), result('SEC-<3>', 165)];
  const chart = controlDurationChart(results)!;

  it('is well-formed XML even when labels carry markup characters', () => {
    expect(XMLValidator.validate(chart.svg)).toBe(true);
    expect(parse(chart.svg).svg.xmlns).toBe('http://www.w3.org/2000/svg');
  });

  it('draws one bar per control, labelled with its id and duration', () => {
    const bars = asArray(parse(chart.svg).svg.g as Array<{ rect: unknown; text: Array<{ '#text': string }> }>);
    expect(bars).toHaveLength(3);
    expect(bars.map((b) => b.text[0]!['#text'])).toEqual(['DNS-01', 'FN-01', 'SEC-<3>']);
    expect(bars[1]!.text[1]!['#text']).toBe('5109 ms');
    // The longest control gets the longest bar; a failed one is red.
    const widths = bars.map((b) => Number((b.rect as { width: string }).width));
    expect(Math.max(...widths)).toBe(widths[1]);
    expect((bars[1]!.rect as { fill: string }).fill).toBe('#c8362e');
  });

  it('labels both axes', () => {
    expect(texts(chart.svg)).toEqual(expect.arrayContaining(['duration (ms)', 'control']));
  });

  it('is absent when no control ran', () => {
    expect(controlDurationChart([])).toBeUndefined();
  });
});

describe('delivery latency chart', () => {
  it('draws a histogram of the samples with percentile and target markers and labelled axes', () => {
    const samplesMs = [120, 130, 150, 900, 1000, 4000];
    const chart = latencyChart(
      result('PERF-02', 1, { facts: { latency: { samples: 6, samplesMs, p50: 150, p95: 4000, p99: 4000, targetP95: 2000 } } }),
    )!;
    expect(XMLValidator.validate(chart.svg)).toBe(true);
    const rects = asArray(parse(chart.svg).svg.rect as Array<{ class?: string; title?: string }>).filter((r) => r.class === 'bin');
    expect(rects).toHaveLength(25);
    const counted = rects.map((r) => Number(/: (\d+)$/.exec(String(r.title))![1])).reduce((a, b) => a + b, 0);
    expect(counted).toBe(samplesMs.length);
    expect(texts(chart.svg)).toEqual(expect.arrayContaining(['latency (ms)', 'messages', 'p50 150 ms', 'target p95 2000 ms']));
  });

  it('is absent when PERF-02 recorded no samples (old results, a lost run)', () => {
    expect(latencyChart(result('PERF-02', 1, { facts: { latency: { samples: 0, lost: 10 } } }))).toBeUndefined();
    expect(latencyChart(undefined)).toBeUndefined();
  });
});

describe('chart helpers', () => {
  it('bins every sample once, the maximum in the last bin', () => {
    const bins = binSamples([0, 5, 10], 2);
    expect(bins.map((b) => b.count)).toEqual([1, 2]);
    expect(binSamples([7, 7], 5)).toEqual([{ from: 7, to: 8, count: 2 }]);
    expect(binSamples([3, 9], 2, { min: 0, max: 10 }).map((b) => [b.from, b.count])).toEqual([
      [0, 1],
      [5, 1],
    ]);
  });

  it('rounds axis maxima up to a round number close above', () => {
    expect([niceCeiling(0), niceCeiling(7), niceCeiling(5109), niceCeiling(200), niceCeiling(23686)]).toEqual([1, 8, 6000, 200, 25000]);
  });
});
