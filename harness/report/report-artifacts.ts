/**
 * What a run produces beside the reports — the Allure HTML and the web UI screenshots — gathered at
 * the edge (cli.ts, after the specs, while the target is still open); render-artifacts.ts shows them.
 * Links are relative to the report folder so the folder can be moved or archived whole.
 */
import { rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { TargetDescriptor } from '../targets/target.ts';
import { generateAllureHtml } from './allure-html.ts';
import type { ReportArtifacts } from './render-artifacts.ts';
import { takeScreenshots } from './web-screenshots.ts';

export type { ReportArtifacts } from './render-artifacts.ts';

export const SCREENSHOTS_DIR = join('test-results', 'screenshots');

/** `specsRan`: false when the run stopped before vitest started — the allure-results are then an older run's. */
export async function collectArtifacts(
  target: TargetDescriptor | undefined,
  reportDir: string,
  secrets: string[],
  specsRan: boolean,
): Promise<ReportArtifacts> {
  const link = (path: string) => relative(reportDir, path).split('\\').join('/');
  const shots = await takeScreenshots(target, join(reportDir, SCREENSHOTS_DIR)).catch((error: Error) => ({
    taken: [],
    notes: [`no screenshot: ${error.message}`],
  }));
  const htmlDir = join(reportDir, 'allure-report');
  let html: Awaited<ReturnType<typeof generateAllureHtml>>;
  if (specsRan)
    html = await generateAllureHtml(join(reportDir, 'allure-results'), htmlDir, secrets).catch((error: Error) => ({
      ok: false as const,
      reason: error.message,
    }));
  else {
    rmSync(htmlDir, { recursive: true, force: true });
    html = { ok: false, reason: 'the specs did not run' };
  }
  return {
    allureHtml: html.ok ? { ok: true, href: link(html.path) } : html,
    screenshots: { taken: shots.taken.map((s) => ({ label: s.label, href: link(s.path) })), notes: shots.notes },
  };
}
