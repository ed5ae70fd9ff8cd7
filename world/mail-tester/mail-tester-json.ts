/**
 * The report of the world's mail-tester stand-in, in mail-tester's JSON shape as far as it is known
 * (its API page "Structure and examples", and what clients of the real API read):
 * - top level: `status`, `id`, `title`, `mark` (total taken off, ≤ 0), `displayedMark` ("9.5/10"), `messageInfo`;
 * - the five main tests `spamAssassin`, `signature`, `body`, `blacklists`, `links`, each with the common
 *   variables `title`, `mark` (≤ 0), `displayedMark` (✓ when nothing was taken off), `status`,
 *   `statusClass` (failure, warning, neutral, success), `description`, `messages`;
 * - subtests under `subtests`, SpamAssassin's rules under `rules` keyed by code, lists under `blacklists.blacklists`.
 * The points are the documented formula's (core/spam/spam-score-formula.ts), not mail-tester's secret
 * weights: what the world proves is the path (send, poll, parse, judge), not mail-tester's scoring.
 */
import { mailTesterScore, type ScoreDeduction, type SpamScoreFacts } from '../../core/spam/spam-score-formula.ts';

export interface ReceivedForMailTester {
  /** The address's local part: the test id. */
  id: string;
  subject: string;
  receivedAt: Date;
  bounceAddress: string;
  facts: SpamScoreFacts;
  /** The list that lists the sending IP, when one does. */
  listedOn?: { name: string; zone: string };
}

const CHECK_MARK = '&#10003';
const round1 = (n: number): number => Math.round(n * 10) / 10;
/** MySQL's DATETIME, as the API page says receptionDate is written. */
const mysqlDate = (d: Date): string => d.toISOString().slice(0, 19).replace('T', ' ');

interface TestNode {
  title: string;
  mark: number;
  displayedMark: number | string;
  status: boolean;
  statusClass: 'failure' | 'warning' | 'neutral' | 'success';
  description: string;
  messages: string;
  [more: string]: unknown;
}

function test(title: string, mark: number, description: string, messages = ''): TestNode {
  const taken = round1(mark);
  return {
    title,
    mark: taken,
    displayedMark: taken >= 0 ? CHECK_MARK : taken,
    status: taken >= 0,
    statusClass: taken >= 0 ? 'success' : taken <= -1 ? 'failure' : 'warning',
    description,
    messages,
  };
}

const sum = (nodes: Record<string, TestNode>): number => round1(Object.values(nodes).reduce((total, node) => total + node.mark, 0));
const pointsFor = (deductions: ScoreDeduction[], ...items: string[]): number =>
  deductions.filter((d) => items.includes(d.item)).reduce((total, d) => total + d.points, 0);
const adviceFor = (deductions: ScoreDeduction[], ...items: string[]): string =>
  deductions
    .filter((d) => items.includes(d.item))
    .map((d) => `<p>${d.description}: ${d.fix}</p>`)
    .join('');

export function mailTesterJson(received: ReceivedForMailTester): Record<string, unknown> {
  const { facts } = received;
  const { score, deductions } = mailTesterScore(facts);
  const fixed = deductions.filter((d) => d.source !== 'SpamAssassin');
  const spamAssassinMark = round1(-Math.max(0, facts.spamAssassin.score));

  const signature = {
    spf: test(
      facts.spf === 'pass' ? 'Your server is authorized to use this domain (SPF)' : `SPF ${facts.spf}`,
      pointsFor(fixed, 'SPF_FAIL', 'SPF_NOT_PASS'),
      'Sender Policy Framework',
      adviceFor(fixed, 'SPF_FAIL', 'SPF_NOT_PASS'),
    ),
    dkim: test(
      facts.dkim === 'pass' ? 'Your message is signed with DKIM' : `DKIM ${facts.dkim}`,
      pointsFor(fixed, 'DKIM_NOT_PASS'),
      'DomainKeys Identified Mail',
      adviceFor(fixed, 'DKIM_NOT_PASS'),
    ),
    dkimAlignment: test(
      facts.aligned ? 'The DKIM signature is aligned with your From domain' : 'The DKIM signature is not aligned with your From domain',
      pointsFor(fixed, 'DKIM_NOT_ALIGNED'),
      'DKIM alignment',
      adviceFor(fixed, 'DKIM_NOT_ALIGNED'),
    ),
    dmarc: test(
      facts.dmarc === 'pass' ? 'Your message passed the DMARC test' : `DMARC ${facts.dmarc}`,
      pointsFor(fixed, 'DMARC_NOT_PASS'),
      'Domain-based Message Authentication',
      adviceFor(fixed, 'DMARC_NOT_PASS'),
    ),
    rDns: test(
      facts.ptrOk ? 'Your server has a reverse DNS that resolves back' : 'Your server has no forward-confirmed reverse DNS',
      pointsFor(fixed, 'NO_FCRDNS'),
      'Reverse DNS',
      adviceFor(fixed, 'NO_FCRDNS'),
    ),
  };
  const body = {
    messageId: test(
      facts.hasMessageId ? 'Your message has a Message-ID' : 'Your message has no Message-ID',
      pointsFor(fixed, 'MISSING_MESSAGE_ID'),
      'Message-ID header',
      adviceFor(fixed, 'MISSING_MESSAGE_ID'),
    ),
    date: test(
      facts.hasDate ? 'Your message has a Date' : 'Your message has no Date',
      pointsFor(fixed, 'MISSING_DATE'),
      'Date header',
      adviceFor(fixed, 'MISSING_DATE'),
    ),
  };
  const blacklistMark = pointsFor(fixed, 'BLOCKLISTED');
  const total = round1(spamAssassinMark + sum(signature) + sum(body) + blacklistMark);

  return {
    status: true,
    id: received.id,
    title:
      score >= 9
        ? 'Wow! Perfect, you can send'
        : score >= 8
          ? 'Good stuff. Your email is almost perfect'
          : 'You need to fix what is listed below',
    description: "The world's mail-tester stand-in: the documented formula, in mail-tester's shape",
    mark: total,
    displayedMark: `${score}/10`,
    messageInfo: { subject: received.subject, receptionDate: mysqlDate(received.receivedAt), bounceAddress: received.bounceAddress },
    spamAssassin: {
      ...test(
        spamAssassinMark < 0 ? `SpamAssassin gives ${facts.spamAssassin.score} points` : 'SpamAssassin likes you',
        spamAssassinMark,
        'SpamAssassin',
      ),
      score: facts.spamAssassin.score,
      threshold: 5,
      rules: Object.fromEntries(
        facts.spamAssassin.rules.map((r) => [r.rule, { code: r.rule, score: r.points, description: r.description ?? '' }]),
      ),
    },
    signature: {
      ...test(
        sum(signature) < 0 ? 'You are not properly authenticated' : 'You are properly authenticated',
        sum(signature),
        'Authentication',
      ),
      subtests: signature,
    },
    body: {
      ...test(sum(body) < 0 ? 'Your message could be improved' : 'Your message is well formatted', sum(body), 'Formatting'),
      subtests: body,
    },
    blacklists: {
      ...test(
        received.listedOn ? `You're blocklisted on ${received.listedOn.name}` : "You're not blocklisted",
        blacklistMark,
        'Blocklists',
        adviceFor(fixed, 'BLOCKLISTED'),
      ),
      blacklists: received.listedOn
        ? { [received.listedOn.zone]: { name: received.listedOn.name, dns: received.listedOn.zone, statusCode: 1, hitMark: blacklistMark } }
        : {},
    },
    links: test('No broken links', 0, 'Links'),
  };
}

/** What the stand-in answers for a test id it has no message for, like mail-tester: status false, the reason in title. */
export function notReceivedJson(id: string): Record<string, unknown> {
  return { status: false, id, title: `No message for ${id} yet: send one, then ask again (world mail-tester stand-in)` };
}

const MAIN_TESTS = ['spamAssassin', 'signature', 'body', 'blacklists', 'links'] as const;

/** `&test=<key>`: mail-tester returns only that main test (with the summary fields). */
export function onlyTest(report: Record<string, unknown>, key: string): Record<string, unknown> {
  if (!(MAIN_TESTS as readonly string[]).includes(key)) return report;
  const { status, id, title, mark, displayedMark, messageInfo } = report;
  return { status, id, title, mark, displayedMark, messageInfo, [key]: report[key] };
}
