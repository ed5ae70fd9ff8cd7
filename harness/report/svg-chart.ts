/**
 * Two small SVG charts written by hand (no chart library: the report must render offline and stay a
 * few kilobytes). Pure: data in, SVG text out. Every label is XML-escaped because control titles and
 * axis names are free text.
 */
export interface Bar {
  label: string;
  value: number;
  /** Fill colour, e.g. to paint a failed control red. */
  color?: string;
  /** Tooltip text (SVG <title>). */
  note?: string;
}

export interface BarChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  /** Unit appended to the value printed at the end of each bar, e.g. "ms". */
  unit: string;
}

export const FONT = 'font-family="sans-serif" font-size="12"';

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** A round axis maximum at or above `max` (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^n) so tick labels read well. */
/** The opening of every chart: the svg element, its title for screen readers, a white ground and the heading. */
export function svgFrame(width: number, height: number, title: string): string[] {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(title)}">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-family="sans-serif" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
  ];
}

export function niceCeiling(max: number): number {
  if (!(max > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (step * magnitude >= max) return step * magnitude;
  return 10 * magnitude;
}

/** Horizontal bars, one per item, top to bottom in the given order, with a value axis at the bottom. */
export function renderHorizontalBarChart(bars: Bar[], options: BarChartOptions): string {
  const rowHeight = 22;
  const left = 170;
  const plotWidth = 520;
  const top = 40;
  const plotHeight = Math.max(1, bars.length) * rowHeight;
  const width = left + plotWidth + 90;
  const height = top + plotHeight + 60;
  const axisMax = niceCeiling(Math.max(0, ...bars.map((b) => b.value)));
  const x = (value: number) => left + (Math.max(0, value) / axisMax) * plotWidth;

  const out: string[] = [];
  out.push(...svgFrame(width, height, options.title));
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    const tx = left + tick * plotWidth;
    out.push(`<line x1="${tx}" y1="${top}" x2="${tx}" y2="${top + plotHeight}" stroke="#e0e0e0"/>`);
    out.push(`<text x="${tx}" y="${top + plotHeight + 16}" text-anchor="middle" ${FONT}>${formatNumber(axisMax * tick)}</text>`);
  }
  bars.forEach((bar, i) => {
    const y = top + i * rowHeight;
    const barWidth = x(bar.value) - left;
    out.push(`<g class="bar">`);
    out.push(`<text x="${left - 6}" y="${y + 15}" text-anchor="end" ${FONT}>${escapeXml(bar.label)}</text>`);
    out.push(
      `<rect x="${left}" y="${y + 3}" width="${barWidth.toFixed(1)}" height="${rowHeight - 6}" fill="${escapeXml(bar.color ?? '#4a78c2')}">${bar.note ? `<title>${escapeXml(bar.note)}</title>` : ''}</rect>`,
    );
    out.push(
      `<text x="${(left + barWidth + 4).toFixed(1)}" y="${y + 15}" ${FONT}>${formatNumber(bar.value)} ${escapeXml(options.unit)}</text>`,
    );
    out.push(`</g>`);
  });
  out.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotHeight}" stroke="#333"/>`);
  out.push(`<line x1="${left}" y1="${top + plotHeight}" x2="${left + plotWidth}" y2="${top + plotHeight}" stroke="#333"/>`);
  out.push(
    `<text class="x-label" x="${left + plotWidth / 2}" y="${top + plotHeight + 40}" text-anchor="middle" ${FONT}>${escapeXml(options.xLabel)}</text>`,
  );
  out.push(
    `<text class="y-label" x="14" y="${top + plotHeight / 2}" text-anchor="middle" transform="rotate(-90 14 ${top + plotHeight / 2})" ${FONT}>${escapeXml(options.yLabel)}</text>`,
  );
  out.push('</svg>', '');
  return out.join('\n');
}

export interface Bin {
  from: number;
  to: number;
  count: number;
}

/** Equal-width bins over [min, max] (default: the samples' own range); the last bin includes max. */
export function binSamples(samples: number[], binCount: number, range?: { min: number; max: number }): Bin[] {
  if (samples.length === 0) return [];
  const min = range?.min ?? Math.min(...samples);
  const max = range?.max ?? Math.max(...samples);
  const width = max > min ? (max - min) / binCount : 1;
  const bins: Bin[] = Array.from({ length: max > min ? binCount : 1 }, (_, i) => ({
    from: min + i * width,
    to: min + (i + 1) * width,
    count: 0,
  }));
  for (const s of samples) bins[Math.min(bins.length - 1, Math.max(0, Math.floor((s - min) / width)))]!.count++;
  return bins;
}

export interface Marker {
  label: string;
  value: number;
  color: string;
}

/** Vertical-bar histogram with optional vertical markers (percentiles, the target). */
export function renderHistogram(bins: Bin[], markers: Marker[], options: Omit<BarChartOptions, 'unit'>): string {
  const left = 60;
  const top = 40;
  const plotWidth = 640;
  const plotHeight = 240;
  const width = left + plotWidth + 30;
  const height = top + plotHeight + 80;
  const domainMin = Math.min(...bins.map((b) => b.from), ...markers.map((m) => m.value));
  const domainMax = Math.max(...bins.map((b) => b.to), ...markers.map((m) => m.value));
  const span = domainMax > domainMin ? domainMax - domainMin : 1;
  const x = (value: number) => left + ((value - domainMin) / span) * plotWidth;
  const countMax = niceCeiling(Math.max(1, ...bins.map((b) => b.count)));
  const y = (count: number) => top + plotHeight - (count / countMax) * plotHeight;

  const out: string[] = [];
  out.push(...svgFrame(width, height, options.title));
  // Counts are whole messages: no "2.5" tick.
  for (const count of new Set([0, Math.round(countMax / 2), countMax])) {
    out.push(`<text x="${left - 6}" y="${y(count) + 4}" text-anchor="end" ${FONT}>${count}</text>`);
  }
  for (const bin of bins) {
    const bx = x(bin.from);
    const bw = Math.max(1, x(bin.to) - bx - 1);
    out.push(
      `<rect class="bin" x="${bx.toFixed(1)}" y="${y(bin.count).toFixed(1)}" width="${bw.toFixed(1)}" height="${(top + plotHeight - y(bin.count)).toFixed(1)}" fill="#4a78c2"><title>${formatNumber(bin.from)}–${formatNumber(bin.to)}: ${bin.count}</title></rect>`,
    );
  }
  // Marker labels go in a legend under the axis: close percentiles would print over each other and over the bars.
  let legendX = left;
  for (const m of markers) {
    const mx = x(m.value).toFixed(1);
    out.push(
      `<line x1="${mx}" y1="${top}" x2="${mx}" y2="${top + plotHeight}" stroke="${escapeXml(m.color)}" stroke-width="2" stroke-dasharray="5 3"/>`,
    );
    out.push(
      `<line x1="${legendX}" y1="${top + plotHeight + 58}" x2="${legendX + 18}" y2="${top + plotHeight + 58}" stroke="${escapeXml(m.color)}" stroke-width="2" stroke-dasharray="5 3"/>`,
    );
    out.push(
      `<text class="marker" x="${legendX + 22}" y="${top + plotHeight + 62}" ${FONT} fill="${escapeXml(m.color)}">${escapeXml(m.label)}</text>`,
    );
    legendX += 22 + m.label.length * 7 + 18;
  }
  out.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotHeight}" stroke="#333"/>`);
  out.push(`<line x1="${left}" y1="${top + plotHeight}" x2="${left + plotWidth}" y2="${top + plotHeight}" stroke="#333"/>`);
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    out.push(
      `<text x="${(left + tick * plotWidth).toFixed(1)}" y="${top + plotHeight + 16}" text-anchor="middle" ${FONT}>${formatNumber(domainMin + span * tick)}</text>`,
    );
  }
  out.push(
    `<text class="x-label" x="${left + plotWidth / 2}" y="${top + plotHeight + 40}" text-anchor="middle" ${FONT}>${escapeXml(options.xLabel)}</text>`,
  );
  out.push(
    `<text class="y-label" x="14" y="${top + plotHeight / 2}" text-anchor="middle" transform="rotate(-90 14 ${top + plotHeight / 2})" ${FONT}>${escapeXml(options.yLabel)}</text>`,
  );
  out.push('</svg>', '');
  return out.join('\n');
}

function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : n >= 100 ? String(Math.round(n)) : n.toFixed(1);
}
