/**
 * The Allure HTML report, one self-contained file (`allure awesome --single-file`, Allure 3's npm
 * CLI), rendered offline from the run's allure-results. It must never break the run: any failure is
 * returned as one line for the QA report.
 */
import { runProcess } from '../../core/process/run-process.ts';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Allure 3's awesome template always embeds Google Analytics (gtag.js; ALLURE_NO_ANALYTICS only
 * reaches the allure2 plugin). A QA report opened on a reviewer's machine must not call out to a
 * tracker, and "offline" must hold: the tag and its config script are cut out.
 */
export function withoutAnalytics(html: string): string {
  return html.replace(
    /<script[^>]*src="https:\/\/www\.googletagmanager\.com\/[^"]*"[^>]*><\/script>\s*(<script>(?:(?!<\/script>)[\s\S])*gtag\((?:(?!<\/script>)[\s\S])*<\/script>)?/g,
    '',
  );
}

/** A script or stylesheet the page would fetch from the network. */
export function remoteResource(html: string): string | undefined {
  return /<(?:script|link)\b[^>]*(?:src|href)="(https?:\/\/[^"]+)"/i.exec(html)?.[1];
}

export type AllureHtml = { ok: true; path: string } | { ok: false; reason: string };

function allureCli(): string {
  // The package exports no package.json; its CLI sits beside dist/.
  return join(dirname(createRequire(import.meta.url).resolve('allure')), '..', 'cli.js');
}

export async function generateAllureHtml(resultsDir: string, outDir: string, secrets: string[], timeoutMs = 120_000): Promise<AllureHtml> {
  // A stale HTML from an earlier run must never be linked as this run's.
  rmSync(outDir, { recursive: true, force: true });
  const files = existsSync(resultsDir) ? readdirSync(resultsDir).filter((f) => f.endsWith('-result.json')) : [];
  if (files.length === 0) return { ok: false, reason: `no Allure results in ${resultsDir}` };
  // The HTML embeds the raw results, which no redactor has seen: refuse rather than publish a secret.
  const known = secrets.filter((s) => s.length >= 4);
  for (const file of readdirSync(resultsDir)) {
    const text = readFileSync(join(resultsDir, file), 'utf8');
    if (known.some((s) => text.includes(s)))
      return { ok: false, reason: `${join(resultsDir, file)} contains a secret of the run, so no HTML was rendered from it` };
  }
  let cli: string;
  try {
    cli = allureCli();
  } catch {
    return { ok: false, reason: 'the allure package is not installed (npm ci)' };
  }
  const args = [cli, 'awesome', resultsDir, '--single-file', '--output', outDir, '--report-name', 'Postal QA'];
  const run = await runProcess(process.execPath, args, {
    timeoutMs,
    env: { ...process.env, NO_COLOR: '1', ALLURE_NO_ANALYTICS: 'true' },
    maxOutput: 4_000,
    overflow: 'keep-newest',
  });
  const outcome = {
    code: run.code,
    output: `${run.stdout}${run.stderr}`.slice(-2000),
    error: run.startError ? run.startError.message : run.signal ? `stopped by ${run.signal} after ${timeoutMs} ms` : undefined,
  };
  const path = join(outDir, 'index.html');
  if (outcome.code === 0 && existsSync(path)) {
    const html = withoutAnalytics(readFileSync(path, 'utf8'));
    const remote = remoteResource(html);
    if (remote) {
      rmSync(outDir, { recursive: true, force: true });
      return { ok: false, reason: `the generated HTML would load ${remote} from the network, so it was removed` };
    }
    writeFileSync(path, html);
    return { ok: true, path };
  }
  const last = outcome.output.trim().split('\n').pop()?.trim();
  return { ok: false, reason: `allure awesome failed (${outcome.error ?? `exit ${outcome.code}`}${last ? `: ${last}` : ''})` };
}
