import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRedactor } from './redact.ts';
import type { ReportInput } from './report-input.ts';
import { renderJson } from './render-json.ts';
import { renderJunit } from './render-junit.ts';
import { renderMarkdown } from './render-markdown.ts';
import { CHARTS_DIR } from './render-artifacts.ts';
import { reportCharts } from './report-charts.ts';

export interface WrittenReports {
  markdown: string;
  json: string;
  junit: string;
}

/** Writes every report through the redactor; the one place that turns results into files. */
export function writeReports(input: ReportInput, reportDir: string, secrets: string[]): WrittenReports {
  const redact = createRedactor(secrets);
  mkdirSync(join(reportDir, 'test-results'), { recursive: true });
  const paths = {
    markdown: join(reportDir, 'QA-TEST-REPORT.md'),
    json: join(reportDir, 'test-results', 'results.json'),
    junit: join(reportDir, 'junit.xml'),
  };
  // Charts first: the report links them. Old charts go, so a chart this run could not draw is never shown.
  const charts = reportCharts(input.registry.all());
  rmSync(join(reportDir, CHARTS_DIR), { recursive: true, force: true });
  if (charts.length > 0) mkdirSync(join(reportDir, CHARTS_DIR), { recursive: true });
  for (const chart of charts) writeFileSync(join(reportDir, CHARTS_DIR, chart.file), redact(chart.svg));
  writeFileSync(paths.markdown, redact(renderMarkdown(input, charts)));
  writeFileSync(paths.json, redact(renderJson(input)));
  writeFileSync(paths.junit, redact(renderJunit(input)));
  for (const path of Object.values(paths)) chmodSync(path, 0o644);
  return paths;
}
