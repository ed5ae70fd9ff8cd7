/**
 * A line chart of values over time (the DMARC pass rate per monitor run), in the style of svg-chart.ts
 * and with its escaping: pure, data in, a few kilobytes of SVG out, rendered offline.
 */
import { escapeXml, FONT, svgFrame } from './svg-chart.ts';

export interface LineSeries {
  label: string;
  color: string;
  /** x: milliseconds since the epoch; y: the value (e.g. a percentage). */
  points: Array<{ x: number; y: number; note?: string }>;
}

export function renderLineChart(series: LineSeries[], options: { title: string; yLabel: string; yMax: number; unit: string }): string {
  const left = 60;
  const top = 40;
  const plotWidth = 640;
  const plotHeight = 240;
  const width = left + plotWidth + 30;
  const height = top + plotHeight + 90;
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const xMin = Math.min(...xs, Date.now());
  const xMax = Math.max(...xs, xMin + 1);
  const span = xMax > xMin ? xMax - xMin : 1;
  const x = (v: number) => (xs.length <= 1 ? left + plotWidth / 2 : left + ((v - xMin) / span) * plotWidth);
  const y = (v: number) => top + plotHeight - (Math.max(0, Math.min(v, options.yMax)) / options.yMax) * plotHeight;
  const out: string[] = [];
  out.push(...svgFrame(width, height, options.title));
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    const ty = y(options.yMax * tick);
    out.push(`<line x1="${left}" y1="${ty.toFixed(1)}" x2="${left + plotWidth}" y2="${ty.toFixed(1)}" stroke="#e0e0e0"/>`);
    out.push(
      `<text x="${left - 6}" y="${(ty + 4).toFixed(1)}" text-anchor="end" ${FONT}>${Math.round(options.yMax * tick)}${escapeXml(options.unit)}</text>`,
    );
  }
  const stamp = (v: number) => new Date(v).toISOString().slice(0, 16).replace('T', ' ');
  out.push(`<text x="${left}" y="${top + plotHeight + 16}" ${FONT}>${stamp(xMin)}</text>`);
  if (xs.length > 1) out.push(`<text x="${left + plotWidth}" y="${top + plotHeight + 16}" text-anchor="end" ${FONT}>${stamp(xMax)}</text>`);
  for (const s of series) {
    if (s.points.length === 0) continue;
    const path = s.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.x).toFixed(1)} ${y(p.y).toFixed(1)}`).join(' ');
    out.push(`<path class="series" d="${path}" fill="none" stroke="${escapeXml(s.color)}" stroke-width="2"/>`);
    for (const p of s.points) {
      out.push(
        `<circle class="point" cx="${x(p.x).toFixed(1)}" cy="${y(p.y).toFixed(1)}" r="3" fill="${escapeXml(s.color)}"><title>${escapeXml(`${s.label} ${stamp(p.x)} UTC: ${Math.round(p.y * 10) / 10}${options.unit}${p.note ? ` (${p.note})` : ''}`)}</title></circle>`,
      );
    }
  }
  let legendX = left;
  for (const s of series) {
    out.push(
      `<line x1="${legendX}" y1="${top + plotHeight + 52}" x2="${legendX + 18}" y2="${top + plotHeight + 52}" stroke="${escapeXml(s.color)}" stroke-width="2"/>`,
    );
    out.push(`<text class="legend" x="${legendX + 22}" y="${top + plotHeight + 56}" ${FONT}>${escapeXml(s.label)}</text>`);
    legendX += 22 + s.label.length * 7 + 18;
  }
  out.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotHeight}" stroke="#333"/>`);
  out.push(`<line x1="${left}" y1="${top + plotHeight}" x2="${left + plotWidth}" y2="${top + plotHeight}" stroke="#333"/>`);
  out.push(
    `<text class="y-label" x="14" y="${top + plotHeight / 2}" text-anchor="middle" transform="rotate(-90 14 ${top + plotHeight / 2})" ${FONT}>${escapeXml(options.yLabel)}</text>`,
  );
  out.push('</svg>', '');
  return out.join('\n');
}
