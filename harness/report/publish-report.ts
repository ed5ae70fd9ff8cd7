/**
 * The last steps of every run: the report files rendered into the staging folder, every file there
 * swept for secrets, and the whole report published at once (report-folder.ts). Synchronous, so a
 * hard stop can still leave its INTERRUPTED report.
 */
import { cpSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { redactFolder } from './redact.ts';
import type { ReportFolder } from './report-folder.ts';
import { runVerdict, type ReportInput, type RunVerdict } from './report-input.ts';
import { writeReports, type WrittenReports } from './write-reports.ts';

/** Writes the report files into `staging`; with `runDir`, the evidence and Allure results gathered there first. */
export function stageReport(input: ReportInput, staging: string, runDir: string | undefined, secrets: string[]): WrittenReports {
  if (runDir && existsSync(join(runDir, 'report'))) cpSync(join(runDir, 'report'), staging, { recursive: true });
  if (runDir && existsSync(join(runDir, 'allure-results')))
    cpSync(join(runDir, 'allure-results'), join(staging, 'allure-results'), { recursive: true });
  const written = writeReports(input, staging, secrets);
  // Whatever a worker wrote unmasked (an Allure result, an evidence file) is masked before anyone can read it.
  redactFolder(staging, secrets);
  return written;
}

export interface PublishedReport extends WrittenReports {
  verdict: RunVerdict;
  reason: string;
}

/** Renders the report into the folder's staging area and publishes it; the paths returned are the published ones. */
export function publishReport(input: ReportInput, folder: ReportFolder, runDir: string | undefined, secrets: string[]): PublishedReport {
  const staging = folder.staging();
  const written = stageReport(input, staging, runDir, secrets);
  folder.publish();
  const final = (path: string): string => join(folder.dir, relative(staging, path));
  return { markdown: final(written.markdown), json: final(written.json), junit: final(written.junit), ...runVerdict(input) };
}

const PROBLEMS: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'not permitted',
  EIO: 'an I/O error',
};

/** One line for a report that could not be written: what stopped it, and that the previous report stands. */
export function reportWriteProblem(dir: string, error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  const what = e.code ? `${PROBLEMS[e.code] ?? 'a file could not be written'} (${e.code})` : (e.message ?? String(error)).split('\n')[0];
  return `--report-dir=${dir}: the report could not be written: ${what}; the previous report there is left as it was`;
}
