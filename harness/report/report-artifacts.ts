/**
 * What a run produces beside the reports — the Allure HTML and the web UI screenshots — gathered at
 * the edge (cli.ts, after the specs, while the target is still open) and rendered as one section.
 * Links are relative to the report folder so the folder can be moved or archived whole.
 */
import { rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { TargetDescriptor } from '../targets/target.ts';
import { generateAllureHtml } from './allure-html.ts';
import type { Chart } from './report-charts.ts';
import { takeScreenshots } from './web-screenshots.ts';

export interface ReportArtifacts {
  allureHtml: { ok: true; href: string } | { ok: false; reason: string };
  screenshots: { taken: Array<{ label: string; href: string }>; notes: string[] };
}

/** Where write-reports.ts puts the charts, relative to the report folder. */
export const CHARTS_DIR = join('test-results', 'charts');
export const SCREENSHOTS_DIR = join('test-results', 'screenshots');

/** `specsRan`: false when the run stopped before vitest started — the allure-results are then an older run's. */
export async function collectArtifacts(target: TargetDescriptor | undefined, reportDir: string, secrets: string[], specsRan: boolean): Promise<ReportArtifacts> {
  const link = (path: string) => relative(reportDir, path).split('\\').join('/');
  const shots = await takeScreenshots(target, join(reportDir, SCREENSHOTS_DIR)).catch((error: Error) => ({ taken: [], notes: [`no screenshot: ${error.message}`] }));
  const htmlDir = join(reportDir, 'allure-report');
  let html: Awaited<ReturnType<typeof generateAllureHtml>>;
  if (specsRan) html = await generateAllureHtml(join(reportDir, 'allure-results'), htmlDir, secrets).catch((error: Error) => ({ ok: false as const, reason: error.message }));
  else {
    rmSync(htmlDir, { recursive: true, force: true });
    html = { ok: false, reason: 'the specs did not run' };
  }
  return {
    allureHtml: html.ok ? { ok: true, href: link(html.path) } : html,
    screenshots: { taken: shots.taken.map((s) => ({ label: s.label, href: link(s.path) })), notes: shots.notes },
  };
}

/** The report's "Attachments" section: links to the HTML, the screenshots and the charts. Pure. */
export function renderArtifacts(artifacts: ReportArtifacts | undefined, charts: Chart[]): string[] {
  const out = ['## Attachments', ''];
  if (!artifacts) out.push('- Allure HTML and screenshots: not produced (the run stopped before they could be made).');
  else {
    out.push(artifacts.allureHtml.ok ? `- Allure HTML report (one file, opens offline): [${artifacts.allureHtml.href}](${artifacts.allureHtml.href})` : `- Allure HTML report: not generated — ${artifacts.allureHtml.reason}.`);
    for (const shot of artifacts.screenshots.taken) out.push(`- Screenshot, ${shot.label}: [${shot.href}](${shot.href})`);
    for (const note of artifacts.screenshots.notes) out.push(`- ${note}`);
  }
  for (const chart of charts) out.push(`- Chart, ${chart.caption}: [${CHARTS_DIR}/${chart.file}](${CHARTS_DIR}/${chart.file})`);
  out.push('');
  for (const shot of artifacts?.screenshots.taken ?? []) out.push(`![${shot.label}](${shot.href})`, '');
  return out;
}
