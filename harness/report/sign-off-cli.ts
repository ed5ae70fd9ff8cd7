/**
 * `npm run sign-off -- --by=<name> [--report-dir=reports]`: records who approved the report in the
 * folder (its hashes, verdict, date) in SIGN-OFF.md and marks the report as signed. Refuses, exit 1,
 * unless the report is a complete PASS (every control passed or waived). Exit 2: usage or missing files.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  parseSignOffs,
  refusal,
  renderSignOffBlock,
  reportSha256,
  sha256,
  SIGN_OFF_FILE_HEADER,
  signOffRow,
  withSignOffBlock,
  type SignableResults,
} from './sign-off.ts';

const USAGE = 'usage: npm run sign-off -- --by=<name> [--report-dir=reports]';

export function signOff(argv: string[], now = new Date()): { code: number; line: string } {
  const flags = new Map<string, string>();
  for (const arg of argv) {
    const m = /^--(by|report-dir)=(.*)$/s.exec(arg);
    if (!m) return { code: 2, line: `unknown argument ${arg}; ${USAGE}` };
    flags.set(m[1]!, m[2]!.trim());
  }
  const by = flags.get('by');
  if (!by) return { code: 2, line: `--by is required: the name of who signs off; ${USAGE}` };
  const dir = flags.get('report-dir') || 'reports';
  const reportPath = join(dir, 'QA-TEST-REPORT.md');
  const resultsPath = join(dir, 'test-results', 'results.json');
  if (!existsSync(reportPath) || !existsSync(resultsPath))
    return { code: 2, line: `no report in ${dir} (${reportPath} and ${resultsPath}): run npm test first` };

  const report = readFileSync(reportPath, 'utf8');
  const resultsText = readFileSync(resultsPath, 'utf8');
  let results: SignableResults;
  try {
    results = JSON.parse(resultsText) as SignableResults;
    if (typeof results.verdict !== 'string' || !Array.isArray(results.controls)) throw new Error('no verdict or controls');
  } catch (error) {
    return { code: 2, line: `${resultsPath} is not a postal-qa results.json (${(error as Error).message})` };
  }
  const refused = refusal(results);
  if (refused) return { code: 1, line: `refused: ${refused}` };

  const record = {
    by,
    date: now.toISOString().slice(0, 10),
    verdict: results.verdict,
    reportSha256: reportSha256(report),
    resultsSha256: sha256(resultsText),
  };
  const ledger = join(dir, 'SIGN-OFF.md');
  const already = existsSync(ledger) ? parseSignOffs(readFileSync(ledger, 'utf8')) : [];
  if (already.some((s) => s.reportSha256 === record.reportSha256 && s.by === by))
    return { code: 0, line: `${by} already signed off this report (${record.reportSha256})` };
  if (!existsSync(ledger)) writeFileSync(ledger, SIGN_OFF_FILE_HEADER);
  appendFileSync(ledger, signOffRow(record));
  const signed = withSignOffBlock(report, renderSignOffBlock(results.verdict, results.reason ?? '', record));
  if (signed) writeFileSync(reportPath, signed);
  return { code: 0, line: `signed off by ${by}: ${reportPath} sha256 ${record.reportSha256}, recorded in ${ledger}` };
}

// Run as a command (npm run sign-off), not when a test imports signOff.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const { code, line } = signOff(process.argv.slice(2));
  (code === 0 ? console.log : console.error)(`postal-qa sign-off: ${line}`);
  process.exit(code);
}
