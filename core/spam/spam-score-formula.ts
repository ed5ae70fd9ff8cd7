/**
 * The mail-tester-style score out of 10, from evidence anyone can check: FN-05's estimate from the seed
 * copies, and what the world's mail-tester stand-in scores with (world/mail-tester/). The formula is
 * exported (the report prints it) and every point taken off is a row.
 *
 *   score = clamp(0, 10, min(10, 10 − SpamAssassin total) − fixed deductions), rounded to 0.1
 *
 * SpamAssassin's negative rules add points back, but never above 10 — and the cap applies before
 * the fixed deductions, so a bonus rule cannot hide a failed SPF/DKIM/DMARC.
 */
export interface SpamAssassinRule {
  rule: string;
  points: number;
  description?: string;
}

export interface SpamScoreFacts {
  /** SpamAssassin's report for the message as received: total score and the rules that fired. */
  spamAssassin: { score: number; rules: SpamAssassinRule[] };
  /** SPF result for the message: pass, fail, softfail, neutral, none, temperror, permerror. */
  spf: string;
  /** Best DKIM result: pass when at least one signature verifies. */
  dkim: string;
  dmarc: string;
  /** A passing DKIM signature's d= is aligned with the From domain. */
  aligned: boolean;
  /** The sending IP has a PTR that resolves back to it (FCrDNS). */
  ptrOk: boolean;
  hasMessageId: boolean;
  hasDate: boolean;
  /** Listed on a DNS blocklist (Spamhaus, Barracuda…), when the client checked. */
  blocklisted?: boolean;
}

export interface ScoreDeduction {
  /** "SpamAssassin" for a rule, "authentication", "reverse DNS", "headers", "reputation" for fixed deductions. */
  source: string;
  /** The rule name or the fixed item, e.g. "URIBL_BLOCKED", "SPF_NOT_PASS". */
  item: string;
  /** Points taken off (negative) or given back (positive). */
  points: number;
  description: string;
  /** What removes the deduction; empty for SpamAssassin bonuses. */
  fix: string;
}

export interface SpamScore {
  score: number;
  deductions: ScoreDeduction[];
}

export const SPAM_SCORE_FORMULA =
  'score = 10 − SpamAssassin points (negative rules add back, capped at 10) − fixed deductions: ' +
  'SPF fail/permerror −1, SPF softfail/neutral/none/temperror −0.5, DKIM not pass −1, DMARC not pass −1, ' +
  'DKIM not aligned with From −1, missing or not forward-confirmed PTR −1, missing Message-ID −0.5, missing Date −0.5, ' +
  'listed on a blocklist −3; floored at 0, rounded to one decimal';

const round1 = (n: number) => Math.round(n * 10) / 10;
/** 0.05 of slack: SpamAssassin prints each rule and the total rounded separately. */
const ROUNDING_SLACK = 0.05;

function fixedDeductions(input: SpamScoreFacts): ScoreDeduction[] {
  const out: ScoreDeduction[] = [];
  const spf = input.spf.toLowerCase();
  if (spf === 'fail' || spf === 'permerror') {
    out.push({
      source: 'authentication',
      item: 'SPF_FAIL',
      points: -1,
      description: `SPF ${spf}`,
      fix: 'Authorise the sending IP in the SPF of the return-path domain (DNS-03)',
    });
  } else if (spf !== 'pass') {
    out.push({
      source: 'authentication',
      item: 'SPF_NOT_PASS',
      points: -0.5,
      description: `SPF ${spf}`,
      fix: 'Authorise the sending IP in the SPF of the return-path domain (DNS-03)',
    });
  }
  if (input.dkim.toLowerCase() !== 'pass') {
    out.push({
      source: 'authentication',
      item: 'DKIM_NOT_PASS',
      points: -1,
      description: `DKIM ${input.dkim}`,
      fix: 'Publish the key Postal signs with (DNS-04)',
    });
  }
  if (input.dmarc.toLowerCase() !== 'pass') {
    out.push({
      source: 'authentication',
      item: 'DMARC_NOT_PASS',
      points: -1,
      description: `DMARC ${input.dmarc}`,
      fix: 'Get an aligned SPF or DKIM pass (FN-04)',
    });
  }
  if (!input.aligned) {
    out.push({
      source: 'authentication',
      item: 'DKIM_NOT_ALIGNED',
      points: -1,
      description: 'DKIM d= is not aligned with the From domain',
      fix: "Verify the domain's DKIM record in Postal so it signs with d=<From domain> (FN-04)",
    });
  }
  if (!input.ptrOk) {
    out.push({
      source: 'reverse DNS',
      item: 'NO_FCRDNS',
      points: -1,
      description: 'the sending IP has no PTR that resolves back to it',
      fix: 'Ask the provider for a PTR to the mail host (DNS-06)',
    });
  }
  if (!input.hasMessageId) {
    out.push({
      source: 'headers',
      item: 'MISSING_MESSAGE_ID',
      points: -0.5,
      description: 'no Message-ID header',
      fix: 'Send through an API/client that sets Message-ID (Postal adds one to send/message mail)',
    });
  }
  if (!input.hasDate) {
    out.push({
      source: 'headers',
      item: 'MISSING_DATE',
      points: -0.5,
      description: 'no Date header',
      fix: 'Set a Date header on every message',
    });
  }
  if (input.blocklisted) {
    out.push({
      source: 'reputation',
      item: 'BLOCKLISTED',
      points: -3,
      description: 'the sending IP or domain is on a blocklist',
      fix: 'Find the listing (e.g. Spamhaus lookup), fix the cause, request delisting; with a new IP, warm up slowly',
    });
  }
  return out;
}

/** The formula of SPAM_SCORE_FORMULA, with each deduction as a row (SpamAssassin rows first). */
export function mailTesterScore(input: SpamScoreFacts): SpamScore {
  const sa = input.spamAssassin;
  const rows: ScoreDeduction[] = sa.rules
    .filter((r) => r.points !== 0)
    .map((r) => ({
      source: 'SpamAssassin',
      item: r.rule,
      points: -r.points,
      description: r.description ?? '',
      fix: r.points > 0 ? `Remove what triggers ${r.rule}${r.description ? ` (${r.description})` : ''}` : '',
    }));
  const listed = sa.rules.reduce((sum, r) => sum + r.points, 0);
  const unlisted = sa.score - listed;
  if (Math.abs(unlisted) > ROUNDING_SLACK) {
    rows.push({
      source: 'SpamAssassin',
      item: 'UNLISTED',
      points: -round1(unlisted),
      description: 'SpamAssassin total not explained by the listed rules',
      fix: unlisted > 0 ? 'Read the full SpamAssassin report for the missing rules' : '',
    });
  }
  const afterSpamAssassin = Math.min(10, 10 - sa.score);
  const fixed = fixedDeductions(input);
  const total = afterSpamAssassin + fixed.reduce((sum, d) => sum + d.points, 0);
  return { score: round1(Math.max(0, Math.min(10, total))), deductions: [...rows, ...fixed] };
}
