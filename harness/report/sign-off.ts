/**
 * Sign-off: who approved which report. A row in SIGN-OFF.md names the approver, the date, the
 * verdict and the sha256 of QA-TEST-REPORT.md and results.json; the report's own sign-off block says
 * whether it is signed. Pure: sign-off-cli.ts does the reading and writing.
 *
 * The report hash covers the report with its sign-off block blanked, so that writing "Signed off by …"
 * into the block afterwards does not change the hash that was signed.
 */
import { createHash } from 'node:crypto';

export const SIGN_OFF_START = '<!-- sign-off:start -->';
export const SIGN_OFF_END = '<!-- sign-off:end -->';

export interface SignOff {
  by: string;
  date: string;
  verdict: string;
  reportSha256: string;
  resultsSha256: string;
}

/** What sign-off needs from results.json. */
export interface SignableResults {
  verdict: string;
  reason?: string;
  controls: Array<{ id: string; outcome: string }>;
  notImplemented?: string[];
  notRun?: string[];
}

const ACCEPTED = new Set(['pass', 'warn', 'waived']);

export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The sha256 of a report, its sign-off block blanked (see the file comment). */
export function reportSha256(markdown: string): string {
  const start = markdown.indexOf(SIGN_OFF_START);
  const end = markdown.indexOf(SIGN_OFF_END);
  const stable = start !== -1 && end > start ? markdown.slice(0, start + SIGN_OFF_START.length) + markdown.slice(end) : markdown;
  return sha256(stable);
}

/** undefined when the report may be signed off; otherwise the one-line reason it may not. */
export function refusal(results: SignableResults): string | undefined {
  if (results.verdict === 'INCOMPLETE') return `an INCOMPLETE report cannot be signed off${results.reason ? `: ${results.reason}` : ''}`;
  const open = [...(results.notImplemented ?? []), ...(results.notRun ?? [])];
  if (open.length > 0) return `${open.length} control(s) have no result (${open.join(', ')}); only a complete run can be signed off`;
  const notPassed = results.controls.filter((c) => !ACCEPTED.has(c.outcome));
  if (notPassed.length > 0) {
    return `verdict ${results.verdict}: ${notPassed.map((c) => `${c.id} ${c.outcome}`).join(', ')} — sign-off needs every control passed or waived (fixtures/waivers.json)`;
  }
  if (results.verdict !== 'PASS') return `verdict ${results.verdict}: only a PASS report can be signed off`;
  return undefined;
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

export const SIGN_OFF_FILE_HEADER = [
  '# Sign-offs',
  '',
  'One row per approval, appended by `npm run sign-off -- --by=<name>`. The report hash is the sha256 of QA-TEST-REPORT.md with the text between its sign-off markers removed; the results hash is the sha256 of test-results/results.json as written.',
  '',
  '| Date | Signed off by | Verdict | QA-TEST-REPORT.md sha256 | results.json sha256 |',
  '|---|---|---|---|---|',
  '',
].join('\n');

export function signOffRow(s: SignOff): string {
  return `| ${s.date} | ${cell(s.by)} | ${s.verdict} | ${s.reportSha256} | ${s.resultsSha256} |\n`;
}

/** The rows of SIGN-OFF.md (anything that is not a row of ours is ignored). */
export function parseSignOffs(text: string): SignOff[] {
  const rows: SignOff[] = [];
  for (const line of text.split('\n')) {
    const m = /^\| (\S+) \| (.+?) \| (\w+) \| ([0-9a-f]{64}) \| ([0-9a-f]{64}) \|$/.exec(line.trim());
    if (m) rows.push({ date: m[1]!, by: m[2]!.replace(/\\\|/g, '|'), verdict: m[3]!, reportSha256: m[4]!, resultsSha256: m[5]! });
  }
  return rows;
}

/** The sign-off block of the report: the state, and how to sign when it is not signed. */
export function renderSignOffBlock(verdict: string, reason: string, signedOff: SignOff | undefined): string[] {
  const out = [SIGN_OFF_START];
  if (signedOff) {
    out.push(
      `**Signed off by ${cell(signedOff.by)} on ${signedOff.date}** for this report's hash (report sha256 \`${signedOff.reportSha256}\`, results.json sha256 \`${signedOff.resultsSha256}\`; recorded in SIGN-OFF.md).`,
    );
  } else {
    out.push(
      verdict === 'PASS'
        ? "**Not signed off.** All success criteria were met by measurement; the lead engineer signs off with `npm run sign-off -- --by=<name>`, which records this report's sha256 in SIGN-OFF.md."
        : `**Not signed off** — and it cannot be: ${reason}. Sign-off needs a PASS verdict (every control passed or waived).`,
    );
  }
  out.push(SIGN_OFF_END);
  return out;
}

/** The report with its sign-off block replaced; undefined when the report has no block (an old report). */
export function withSignOffBlock(markdown: string, block: string[]): string | undefined {
  const start = markdown.indexOf(SIGN_OFF_START);
  const end = markdown.indexOf(SIGN_OFF_END);
  if (start === -1 || end < start) return undefined;
  return markdown.slice(0, start) + block.join('\n') + markdown.slice(end + SIGN_OFF_END.length);
}
