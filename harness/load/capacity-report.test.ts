import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { describeKnee, renderCapacityChart, renderCapacityTable, type CapacityTransportResult } from './capacity-report.ts';

const row = (transport: string, offeredRate: number, p95Ms: number | undefined, verdict = 'ok') => ({
  transport,
  offeredRate,
  sent: offeredRate * 10,
  acceptedRate: offeredRate,
  errors: 0,
  delivered: offeredRate * 10,
  lost: 0,
  p50Ms: p95Ms && p95Ms / 2,
  p95Ms,
  p99Ms: p95Ms,
  verdict,
});
const api: CapacityTransportResult = {
  transport: 'api',
  steps: [row('api', 5, 400), row('api', 10, 900), row('api', 20, 9000, 'p95 9000 ms over the 5000 ms target')],
  knee: { kneeRate: 10, firstBadStep: 2, reason: 'p95 9000 ms over the 5000 ms target' },
};
const smtp: CapacityTransportResult = { transport: 'smtp', steps: [], knee: {}, skipped: 'no SMTP credential (POSTAL_SMTP_KEY)' };

describe('renderCapacityTable', () => {
  it('has one row per step with the measured figures, and says why a transport was skipped', () => {
    const table = renderCapacityTable([api, smtp]).split('\n');
    expect(table).toHaveLength(2 + 3 + 1);
    expect(table[4]).toBe('| api | 20 | 200 | 20.0 | 0 | 200 | 0 | 4500 | 9000 | 9000 | p95 9000 ms over the 5000 ms target |');
    expect(table[5]).toContain('skipped: no SMTP credential');
  });

  it('prints a dash for a percentile nobody measured (nothing delivered)', () => {
    expect(
      renderCapacityTable([{ transport: 'api', steps: [row('api', 5, undefined, 'nothing was delivered')], knee: { firstBadStep: 0 } }]),
    ).toContain('| — | — | — |');
  });
});

describe('describeKnee', () => {
  it('names the knee and what broke after it', () => {
    expect(describeKnee(api)).toBe('api: knee at about 10.0 msg/s; the next step failed: p95 9000 ms over the 5000 ms target');
    expect(describeKnee({ ...api, knee: { firstBadStep: 0, reason: 'x' } })).toMatch(/below the first step/);
    expect(describeKnee({ ...api, knee: { kneeRate: 20 } })).toMatch(/no knee within the ramp/);
    expect(describeKnee(smtp)).toMatch(/not measured/);
  });
});

describe('renderCapacityChart', () => {
  it('is well-formed SVG with one point per measured step in each panel, and the target line', () => {
    const svg = renderCapacityChart([api, smtp], { title: 'Capacity <embedded>', p95TargetMs: 5000 });
    const parsed = new XMLParser({ ignoreAttributes: false }).parse(svg);
    expect(parsed.svg).toBeDefined();
    expect(svg.match(/<circle class="step"/g)).toHaveLength(6);
    expect(svg).toContain('class="target"');
    expect(svg).toContain('Capacity &lt;embedded&gt;');
    expect(svg).toContain('api — knee ≈ 10.0 msg/s');
  });

  it('leaves out a step with no latency from the latency panel (nothing delivered)', () => {
    const svg = renderCapacityChart(
      [{ transport: 'api', steps: [row('api', 5, 300), row('api', 10, undefined)], knee: { kneeRate: 5, firstBadStep: 1 } }],
      { title: 't', p95TargetMs: 1000 },
    );
    expect(svg.match(/<circle class="step"/g)).toHaveLength(3);
  });
});
