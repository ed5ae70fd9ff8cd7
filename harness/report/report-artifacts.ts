/**
 * What a run produces beside the reports — the Allure HTML and the web UI screenshots, made side by side at
 * the edge (cli.ts) after the specs, while the target is still open: the screenshots into the run's own
 * folder, copied into the report when taken; render-artifacts.ts shows them. Links are relative to the
 * report folder so the folder can be moved or archived whole.
 */
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import type { TargetDescriptor } from '../targets/target.ts';
import { generateAllureHtml } from './allure-html.ts';
import type { ReportArtifacts } from './render-artifacts.ts';
import { takeScreenshots, type Screenshots } from './web-screenshots.ts';

export type { ReportArtifacts } from './render-artifacts.ts';

export const SCREENSHOTS_DIR = join('test-results', 'screenshots');

/**
 * Chromium needs only the target open: it runs beside the Allure HTML (a second or two of one core each),
 * into `dir` (outside the report until collectArtifacts copies what it took). Never rejects.
 */
export function startScreenshots(target: TargetDescriptor | undefined, dir: string): Promise<Screenshots> {
  return takeScreenshots(target, dir).catch((error: Error) => ({ taken: [], notes: [`no screenshot: ${error.message}`] }));
}

/** `specsRan`: false when the run stopped before vitest started — the allure-results are then an older run's. */
export async function collectArtifacts(
  screenshots: Promise<Screenshots> | undefined,
  reportDir: string,
  secrets: string[],
  specsRan: boolean,
): Promise<ReportArtifacts> {
  const link = (path: string) => relative(reportDir, path).split('\\').join('/');
  const htmlDir = join(reportDir, 'allure-report');
  let making: ReturnType<typeof generateAllureHtml>;
  if (specsRan)
    making = generateAllureHtml(join(reportDir, 'allure-results'), htmlDir, secrets).catch((error: Error) => ({
      ok: false as const,
      reason: error.message,
    }));
  else {
    rmSync(htmlDir, { recursive: true, force: true });
    making = Promise.resolve({ ok: false, reason: 'the specs did not run' });
  }
  const [shots, html] = await Promise.all([
    screenshots ?? Promise.resolve({ taken: [], notes: ['no screenshot: the specs did not run'] }),
    making,
  ]);
  const into = join(reportDir, SCREENSHOTS_DIR);
  if (shots.taken.length > 0) mkdirSync(into, { recursive: true });
  const taken = shots.taken.map((s) => {
    const path = join(into, basename(s.path));
    copyFileSync(s.path, path);
    return { label: s.label, href: link(path) };
  });
  return { allureHtml: html.ok ? { ok: true, href: link(html.path) } : html, screenshots: { taken, notes: shots.notes } };
}
