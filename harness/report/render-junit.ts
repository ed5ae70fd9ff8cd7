import { CATALOG } from '../controls/catalog.ts';
import type { ReportInput } from './report-input.ts';

const xml = (text: string): string =>
  text
    .replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!)
    // XML 1.0 forbids most control characters.
    // eslint-disable-next-line no-control-regex -- removing those control characters is the point
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '');

/** JUnit XML with one testcase per catalog control, grouped by area, for CI dashboards. */
export function renderJunit(input: ReportInput): string {
  const areas = [...new Set(CATALOG.map((c) => c.area))];
  const suites = areas.map((area) => {
    const controls = CATALOG.filter((c) => c.area === area);
    let failures = 0;
    let skipped = 0;
    let time = 0;
    const cases = controls.map((c) => {
      const r = input.registry.get(c.id);
      const seconds = (r?.durationMs ?? 0) / 1000;
      time += seconds;
      const open = `    <testcase classname="postal-qa.${area}" name="${xml(`${c.id} ${c.title}`)}" time="${seconds.toFixed(3)}">`;
      if (!r) {
        skipped++;
        return `${open}\n      <skipped message="${input.registry.missingLabel()}"/>\n    </testcase>`;
      }
      const out = `\n      <system-out>${xml(r.verdicts.map((v) => `${v.outcome}: ${v.summary}`).join('\n'))}</system-out>`;
      if (r.outcome === 'fail' || r.outcome === 'error') {
        failures++;
        return `${open}\n      <failure message="${xml(r.summary)}" type="${r.outcome}">${xml(r.remediation ?? '')}</failure>${out}\n    </testcase>`;
      }
      if (r.outcome === 'blocked' || r.outcome === 'skipped') {
        skipped++;
        return `${open}\n      <skipped message="${xml(`${r.outcome}: ${r.reason ?? r.summary}`)}"/>${out}\n    </testcase>`;
      }
      return `${open}${out}\n    </testcase>`;
    });
    return `  <testsuite name="${area}" tests="${controls.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${time.toFixed(3)}" timestamp="${input.startedAt.toISOString()}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="postal-qa">\n${suites.join('\n')}\n</testsuites>\n`;
}
