/**
 * A capacity run on paper: the per-step table (Markdown) and a chart (SVG) of accepted rate and p95
 * latency against the offered rate, one line per transport, with the p95 target and each knee marked.
 * Pure: results in, text out, so the figures in the table and the chart are the measured ones.
 */
import { escapeXml, niceCeiling } from '../report/svg-chart.ts';
import type { Knee } from './knee.ts';

export interface CapacityStepRow {
  transport: string;
  offeredRate: number;
  sent: number;
  acceptedRate: number;
  errors: number;
  delivered: number;
  lost: number;
  p50Ms?: number;
  p95Ms?: number;
  p99Ms?: number;
  verdict: string;
}

export interface CapacityTransportResult {
  transport: string;
  steps: CapacityStepRow[];
  knee: Knee;
  /** why this transport was not ramped at all, if it was not */
  skipped?: string;
}

const ms = (value?: number): string => (value === undefined ? '—' : `${Math.round(value)}`);

export function renderCapacityTable(results: CapacityTransportResult[]): string {
  const lines = [
    '| transport | offered msg/s | sent | accepted msg/s | errors | delivered | lost | p50 ms | p95 ms | p99 ms | step |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const result of results) {
    if (result.skipped) lines.push(`| ${result.transport} | — | — | — | — | — | — | — | — | — | skipped: ${result.skipped} |`);
    for (const s of result.steps) {
      lines.push(
        `| ${s.transport} | ${s.offeredRate} | ${s.sent} | ${s.acceptedRate.toFixed(1)} | ${s.errors} | ${s.delivered} | ${s.lost} | ${ms(s.p50Ms)} | ${ms(s.p95Ms)} | ${ms(s.p99Ms)} | ${s.verdict} |`,
      );
    }
  }
  return lines.join('\n');
}

export function describeKnee(result: CapacityTransportResult): string {
  if (result.skipped) return `${result.transport}: not measured (${result.skipped})`;
  const { knee } = result;
  if (knee.firstBadStep === undefined) {
    return knee.kneeRate === undefined
      ? `${result.transport}: no step ran`
      : `${result.transport}: no knee within the ramp — it took ${knee.kneeRate.toFixed(1)} msg/s cleanly, the highest rate tried (raise --max-steps or the cap to find it)`;
  }
  const where = knee.kneeRate === undefined ? 'below the first step' : `at about ${knee.kneeRate.toFixed(1)} msg/s`;
  return `${result.transport}: knee ${where}; the next step failed: ${knee.reason}`;
}

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];

/** Two panels side by side: accepted rate vs offered, and p95 latency vs offered (target dashed). */
export function renderCapacityChart(results: CapacityTransportResult[], options: { title: string; p95TargetMs: number }): string {
  const panelWidth = 380;
  const panelHeight = 240;
  const left = 60;
  const top = 50;
  const gap = 90;
  const width = left + panelWidth * 2 + gap + 40;
  const height = top + panelHeight + 80;
  const measured = results.filter((r) => !r.skipped && r.steps.length > 0);
  const allSteps = measured.flatMap((r) => r.steps);
  const xMax = niceCeiling(Math.max(1, ...allSteps.map((s) => s.offeredRate)));
  const rateMax = niceCeiling(Math.max(1, ...allSteps.map((s) => Math.max(s.acceptedRate, s.offeredRate))));
  const latencyMax = niceCeiling(Math.max(options.p95TargetMs, ...allSteps.map((s) => s.p95Ms ?? 0)));
  const px = (panel: number, value: number): number => left + panel * (panelWidth + gap) + (value / xMax) * panelWidth;
  const py = (value: number, max: number): number => top + panelHeight - (Math.max(0, value) / max) * panelHeight;
  const fmt = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(1));

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(options.title)}">`,
  );
  out.push(`<title>${escapeXml(options.title)}</title>`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(
    `<text x="${width / 2}" y="22" text-anchor="middle" font-family="sans-serif" font-size="15" font-weight="bold">${escapeXml(options.title)}</text>`,
  );
  const panels = [
    { name: 'accepted msg/s', max: rateMax, value: (s: CapacityStepRow) => s.acceptedRate },
    { name: 'p95 delivery latency, ms', max: latencyMax, value: (s: CapacityStepRow) => s.p95Ms },
  ];
  panels.forEach((panel, p) => {
    const x0 = px(p, 0);
    out.push(`<g class="panel">`);
    for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
      const y = py(panel.max * tick, panel.max);
      out.push(`<line x1="${x0}" y1="${y}" x2="${x0 + panelWidth}" y2="${y}" stroke="#e0e0e0"/>`);
      out.push(
        `<text x="${x0 - 6}" y="${y + 4}" text-anchor="end" font-family="sans-serif" font-size="11">${fmt(panel.max * tick)}</text>`,
      );
      const x = px(p, xMax * tick);
      out.push(
        `<text x="${x}" y="${top + panelHeight + 16}" text-anchor="middle" font-family="sans-serif" font-size="11">${fmt(xMax * tick)}</text>`,
      );
    }
    out.push(
      `<text x="${x0 + panelWidth / 2}" y="${top - 10}" text-anchor="middle" font-family="sans-serif" font-size="12">${escapeXml(panel.name)}</text>`,
    );
    out.push(
      `<text x="${x0 + panelWidth / 2}" y="${top + panelHeight + 34}" text-anchor="middle" font-family="sans-serif" font-size="12">offered msg/s</text>`,
    );
    if (p === 0)
      out.push(
        `<line class="ideal" x1="${px(0, 0)}" y1="${py(0, panel.max)}" x2="${px(0, xMax)}" y2="${py(xMax, panel.max)}" stroke="#999999" stroke-dasharray="4 4"/>`,
      );
    if (p === 1)
      out.push(
        `<line class="target" x1="${x0}" y1="${py(options.p95TargetMs, panel.max)}" x2="${x0 + panelWidth}" y2="${py(options.p95TargetMs, panel.max)}" stroke="#d62728" stroke-dasharray="6 4"><title>p95 target ${options.p95TargetMs} ms</title></line>`,
      );
    measured.forEach((result, r) => {
      const colour = COLOURS[r % COLOURS.length]!;
      const points = result.steps.flatMap((s) => {
        const v = panel.value(s);
        return v === undefined ? [] : [{ x: px(p, s.offeredRate), y: py(Math.min(v, panel.max), panel.max), s, v }];
      });
      if (points.length > 1)
        out.push(
          `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${points.map((pt) => `${pt.x.toFixed(1)},${pt.y.toFixed(1)}`).join(' ')}"/>`,
        );
      for (const pt of points) {
        out.push(
          `<circle class="step" cx="${pt.x.toFixed(1)}" cy="${pt.y.toFixed(1)}" r="3.5" fill="${colour}"><title>${escapeXml(`${result.transport}: offered ${pt.s.offeredRate} msg/s → ${fmt(pt.v)} (${pt.s.verdict})`)}</title></circle>`,
        );
      }
    });
    out.push(`</g>`);
  });
  measured.forEach((result, r) => {
    const y = top + panelHeight + 56 + 0;
    const x = left + r * 260;
    const kneeText =
      result.knee.kneeRate !== undefined
        ? `knee ≈ ${result.knee.kneeRate.toFixed(1)} msg/s${result.knee.firstBadStep === undefined ? ' (not reached)' : ''}`
        : 'knee below the first step';
    out.push(`<rect x="${x}" y="${y - 10}" width="12" height="12" fill="${COLOURS[r % COLOURS.length]}"/>`);
    out.push(
      `<text x="${x + 18}" y="${y}" font-family="sans-serif" font-size="12">${escapeXml(`${result.transport} — ${kneeText}`)}</text>`,
    );
  });
  out.push('</svg>');
  return out.join('\n');
}
