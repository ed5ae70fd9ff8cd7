/**
 * FN-05 through mail-tester itself: its JSON report (`https://www.mail-tester.com/<id>&format=json`),
 * read defensively, because mail-tester documents the shape only in outline:
 * - `status: false` with the reason in `title`: no report yet (or an error);
 * - the score a person sees is `displayedMark` ("9.6/10"); each test's `mark` is ≤ 0 (what it took off);
 * - the main tests are objects (`spamAssassin`, `signature`, `body`, `blacklists`, `links`, each with
 *   `title`, `mark`, `statusClass`, …), some with subtests; SpamAssassin's rules carry `code` and `score`;
 * - `messageInfo` holds the subject, reception date and bounce address.
 * Anything else is ignored; a report that yields no score is "unreadable", never a pass.
 */
import { fail, type Finding, verdictFrom, warn } from './findings.ts';
import type { Verdict } from './verdict.ts';

export interface MailTesterDeduction {
  /** Where in the report, e.g. "signature.subtests.dkim". */
  path: string;
  title: string;
  /** What mail-tester took off (negative). */
  points: number;
}

export interface MailTesterRule {
  code: string;
  score: number;
  description: string;
}

export type MailTesterReport =
  | { state: 'pending'; title: string }
  | { state: 'unreadable'; why: string }
  | {
      state: 'ready';
      score: number;
      /** displayedMark as mail-tester shows it, when it had one. */
      shown?: string;
      title: string;
      subject?: string;
      deductions: MailTesterDeduction[];
      rules: MailTesterRule[];
    };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A number, or a numeric string ("-1.5", "9,6"): mail-tester's marks come as either. */
export function numberIn(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || !/^\s*[+-]?\d+(?:[.,]\d+)?\s*$/.test(value)) return undefined;
  return Number(value.trim().replace(',', '.'));
}

const ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
  '&nbsp;': ' ',
  '&#10003;': '✓',
  '&#10003': '✓',
};

/** mail-tester's titles and messages are HTML: plain text, one line, bounded. */
export function plainText(value: unknown, max = 200): string {
  if (typeof value !== 'string') return '';
  const text = value
    .replace(/<[^>]*>/g, ' ')
    .replace(/&#10003;?|&[a-z]+;|&#\d+;/gi, (entity) => ENTITIES[entity.toLowerCase()] ?? ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

const round1 = (n: number): number => Math.round(n * 10) / 10;
const MAX_DEPTH = 6;

/** Tests that took points off and have no deducting test below them (a parent's mark sums its subtests'). */
function deductionsIn(node: unknown, path: string, depth: number, out: MailTesterDeduction[]): boolean {
  if (depth > MAX_DEPTH) return false;
  const children: Array<[string, unknown]> = Array.isArray(node)
    ? node.map((v, i) => [String(i), v])
    : isObject(node)
      ? Object.entries(node)
      : [];
  let below = false;
  for (const [key, child] of children) {
    if (typeof child === 'object' && child !== null) below = deductionsIn(child, path ? `${path}.${key}` : key, depth + 1, out) || below;
  }
  if (below || !isObject(node) || path === '') return below;
  const mark = numberIn(node.mark);
  if (mark === undefined || mark >= 0) return false;
  out.push({ path, title: plainText(node.title) || plainText(node.description) || path, points: round1(mark) });
  return true;
}

function rulesIn(spamAssassin: unknown): MailTesterRule[] {
  if (!isObject(spamAssassin)) return [];
  const list = spamAssassin.rules ?? spamAssassin.rule;
  const entries = Array.isArray(list) ? list : isObject(list) ? Object.values(list) : [];
  const rules: MailTesterRule[] = [];
  for (const entry of entries) {
    if (!isObject(entry)) continue;
    const score = numberIn(entry.score);
    const code = typeof entry.code === 'string' ? entry.code : '';
    if (!code || score === undefined || score === 0) continue;
    rules.push({ code, score, description: plainText(entry.description) || plainText(entry.suggestion) || plainText(entry.solution) });
  }
  return rules.sort((a, b) => b.score - a.score);
}

/** The score as mail-tester shows it ("9.6/10"), else 10 + the total mark (≤ 0 by mail-tester's documentation). */
function scoreOf(report: Record<string, unknown>): { score: number; shown?: string } | { why: string } {
  const shown = typeof report.displayedMark === 'string' ? report.displayedMark : undefined;
  const fraction = shown === undefined ? null : /(-?\d+(?:[.,]\d+)?)\s*\/\s*10\b/.exec(shown);
  if (fraction) return { score: Number(fraction[1]!.replace(',', '.')), shown };
  const mark = numberIn(report.mark);
  if (mark === undefined)
    return {
      why: `no score in it: no displayedMark like "9.6/10" and no numeric mark (keys: ${Object.keys(report).slice(0, 12).join(', ') || 'none'})`,
    };
  if (mark > 0)
    return { why: `its mark is ${mark}, but mail-tester's marks are ≤ 0 (points taken off) and there is no displayedMark to read instead` };
  return { score: 10 + mark };
}

export function parseMailTesterReport(json: unknown): MailTesterReport {
  if (!isObject(json))
    return {
      state: 'unreadable',
      why: `expected a JSON object, got ${Array.isArray(json) ? 'an array' : json === null ? 'null' : typeof json}`,
    };
  if (json.status === false || json.status === 'false' || json.status === 0)
    return { state: 'pending', title: plainText(json.title) || '(no title)' };
  const score = scoreOf(json);
  if ('why' in score) return { state: 'unreadable', why: score.why };
  const deductions: MailTesterDeduction[] = [];
  deductionsIn(json, '', 0, deductions);
  const info = isObject(json.messageInfo) ? json.messageInfo : {};
  return {
    state: 'ready',
    score: round1(Math.max(0, Math.min(10, score.score))),
    ...(score.shown !== undefined ? { shown: score.shown } : {}),
    title: plainText(json.title),
    ...(typeof info.subject === 'string' ? { subject: info.subject } : {}),
    deductions: deductions.sort((a, b) => a.points - b.points),
    rules: rulesIn(json.spamAssassin),
  };
}

const FIXES: Array<[RegExp, string]> = [
  [/spf/i, 'Authorise the sending IP in the SPF record (DNS-03)'],
  [/dkim/i, 'Publish the key Postal signs with and verify the domain in Postal (DNS-04, FN-04)'],
  [/dmarc/i, 'Publish a DMARC record and get an aligned SPF or DKIM pass (DNS-05, FN-04)'],
  [/rdns|reverse|ptr/i, 'Ask the provider for a PTR to the mail host that resolves back (DNS-06)'],
  [/blacklist|blocklist/i, 'Find the listing, fix its cause and request delisting (DNS-08)'],
  [/spamassassin/i, 'Remove what triggers the SpamAssassin rules listed'],
  [/unsubscribe/i, 'Add List-Unsubscribe headers (RFC 8058) to bulk mail'],
  [/link/i, 'Fix or remove the broken links'],
];

const fixFor = (d: MailTesterDeduction): string =>
  FIXES.find(([pattern]) => pattern.test(d.path))?.[1] ?? `Read mail-tester's advice on ${d.path}`;

export interface MailTesterObservation {
  /** The address the message was sent to. */
  address: string;
  /** The report a person opens (the JSON URL without &format=json). */
  reportUrl: string;
  /** The last answer read, parsed; absent when none could be read. */
  report?: MailTesterReport;
  /** Why the last attempt to read the report failed (HTTP status, network error). */
  fetchError?: string;
  waitedMs: number;
  /** The run's token: the report must be for a message whose subject carries it. */
  subjectToken: string;
  /** A new address this run (MAIL_TESTER_USER), or one given address reused from run to run (MAIL_TESTER_ADDRESS). */
  freshAddress: boolean;
  /** Why the message never left, when Postal refused it. */
  sendError?: string;
}

type ReadyReport = Extract<MailTesterReport, { state: 'ready' }>;

/** This run's report, ready to judge, or the one finding that says why there is none. */
function readyReport(observation: MailTesterObservation): { report: ReadyReport } | { problem: Finding } {
  const { report, address, reportUrl } = observation;
  const waited = `${Math.round(observation.waitedMs / 1000)} s`;
  if (observation.sendError)
    return {
      problem: fail(
        `the message to mail-tester (${address}) was not sent: ${observation.sendError}`,
        'Fix sending through the API first (INF-05, FN-01)',
      ),
    };
  if (!report)
    return {
      problem: fail(
        `mail-tester's report could not be read at ${reportUrl}: ${observation.fetchError ?? 'no answer'}`,
        'Check MAIL_TESTER_URL and that this machine reaches it; the message was sent, so the report can still be opened by hand',
      ),
    };
  if (report.state === 'pending') {
    return {
      problem: fail(
        `mail-tester had no report for ${address} after ${waited}: "${report.title}"`,
        `Check Postal delivered to ${address} (its message log), then open ${reportUrl}`,
      ),
    };
  }
  if (report.state === 'unreadable')
    return {
      problem: fail(
        `mail-tester's answer at ${reportUrl} could not be read: ${report.why}`,
        `Open ${reportUrl} and compare it with docs/controls.md, "FN-05 with mail-tester"`,
      ),
    };
  if (report.subject !== undefined && !report.subject.includes(observation.subjectToken)) {
    return {
      problem: fail(
        `the report at ${reportUrl} is for another message (subject "${plainText(report.subject, 120)}"), not this run's`,
        'Use MAIL_TESTER_USER (a new address each run), or a new MAIL_TESTER_ADDRESS from mail-tester.com',
      ),
    };
  }
  return { report };
}

export function checkMailTesterReport(observation: MailTesterObservation, threshold: number): Verdict {
  const evidence = [
    { label: 'mail-tester report', detail: { address: observation.address, url: observation.reportUrl, waitedMs: observation.waitedMs } },
    ...(observation.report ? [{ label: 'mail-tester answer', detail: observation.report }] : []),
  ];
  const judged = readyReport(observation);
  if ('problem' in judged) {
    return verdictFrom({
      findings: [judged.problem],
      passSummary: '',
      expected: `≥ ${threshold}/10 from mail-tester`,
      observed: judged.problem.summary,
      evidence,
    });
  }
  const { report } = judged;
  // Stryker disable next-line ArrayDeclaration: equivalent, verdictFrom keeps only entries with a fail/warn outcome
  const findings: Finding[] = [];
  if (report.subject === undefined && !observation.freshAddress) {
    findings.push(
      warn(
        `the report at ${observation.reportUrl} names no subject, so it cannot be confirmed as this run's message (MAIL_TESTER_ADDRESS is reused between runs)`,
        'Use MAIL_TESTER_USER so every run has a new address',
      ),
    );
  }
  const taken = report.deductions.map((d) => `${d.path} ${d.points}`);
  if (report.score < threshold) {
    const fixes = [...new Set(report.deductions.map(fixFor))];
    findings.push(
      fail(
        `mail-tester score ${report.score}/10 is below ${threshold} (${taken.slice(0, 5).join(', ') || 'no deduction itemised'})`,
        [...fixes, `mail-tester's own advice: ${observation.reportUrl}`].join('; '),
      ),
    );
  }
  return verdictFrom({
    findings,
    passSummary: `mail-tester score ${report.score}/10 (threshold ${threshold})${taken.length ? `; deductions: ${taken.join(', ')}` : ''}`,
    expected: `≥ ${threshold}/10 from mail-tester`,
    observed: `${report.score}/10`,
    evidence,
  });
}
