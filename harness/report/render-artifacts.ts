/** The report's "Attachments" section: what the run produced beside the Markdown, linked. Pure. */
import type { Chart } from './report-charts.ts';

export interface ReportArtifacts {
  allureHtml: { ok: true; href: string } | { ok: false; reason: string };
  screenshots: { taken: Array<{ label: string; href: string }>; notes: string[] };
}

/** Where write-reports.ts puts the charts, relative to the report folder. */
export const CHARTS_DIR = 'test-results/charts';

/** The report's "Attachments" section: links to the HTML, the screenshots and the charts. Pure. */
export function renderArtifacts(
  artifacts: ReportArtifacts | undefined,
  charts: Chart[],
  containerLogs: Array<{ name: string; href: string }> = [],
): string[] {
  const out = ['## Attachments', ''];
  if (!artifacts) out.push('- Allure HTML and screenshots: not produced (the run stopped before they could be made).');
  else {
    out.push(
      artifacts.allureHtml.ok
        ? `- Allure HTML report (one file, opens offline): [${artifacts.allureHtml.href}](${artifacts.allureHtml.href})`
        : `- Allure HTML report: not generated — ${artifacts.allureHtml.reason}.`,
    );
    for (const shot of artifacts.screenshots.taken) out.push(`- Screenshot, ${shot.label}: [${shot.href}](${shot.href})`);
    for (const note of artifacts.screenshots.notes) out.push(`- ${note}`);
  }
  for (const chart of charts) out.push(`- Chart, ${chart.caption}: [${CHARTS_DIR}/${chart.file}](${CHARTS_DIR}/${chart.file})`);
  for (const log of containerLogs) out.push(`- Container log, ${log.name} (attached because a control failed): [${log.href}](${log.href})`);
  out.push('');
  for (const shot of artifacts?.screenshots.taken ?? []) out.push(`![${shot.label}](${shot.href})`, '');
  return out;
}
