/**
 * FN-05 — the mail-tester-style score (core/spam/spam-score-formula.ts) of one received message,
 * judged against the threshold; every deduction is a row of the evidence table.
 */
import { mailTesterScore, SPAM_SCORE_FORMULA, type SpamScoreFacts } from '../../core/spam/spam-score-formula.ts';
import { fail, type Finding, verdictFrom } from './findings.ts';
import type { Verdict } from './verdict.ts';

export { mailTesterScore, SPAM_SCORE_FORMULA };
export type { ScoreDeduction, SpamAssassinRule, SpamScore } from '../../core/spam/spam-score-formula.ts';

export interface SpamScoreInput extends SpamScoreFacts {
  /** Minimum acceptable score, e.g. 8. */
  threshold: number;
}

export function checkSpamScore(input: SpamScoreInput): Verdict {
  const { score, deductions } = mailTesterScore(input);
  // Stryker disable next-line ArrayDeclaration: equivalent, verdictFrom keeps only entries with a fail/warn outcome, so a seeded placeholder changes nothing
  const findings: Finding[] = [];
  const taken = deductions.filter((d) => d.points < 0).sort((a, b) => a.points - b.points);
  const fixes = [...new Set(taken.map((d) => d.fix).filter((f) => f.length > 0))];

  if (!Number.isFinite(input.spamAssassin.score)) {
    findings.push(fail('SpamAssassin gave no score', 'Check spamd is reachable from the client and re-run'));
  } else if (score < input.threshold) {
    findings.push(
      fail(
        `spam score ${score}/10 is below ${input.threshold} (${taken
          .slice(0, 5)
          .map((d) => `${d.item} ${d.points}`)
          .join(', ')})`,
        fixes.join('; '),
      ),
    );
  }

  return verdictFrom({
    findings,
    passSummary: `spam score ${score}/10 (threshold ${input.threshold})${taken.length ? `; deductions: ${taken.map((d) => `${d.item} ${d.points}`).join(', ')}` : ''}`,
    expected: `≥ ${input.threshold}/10`,
    observed: `${score}/10`,
    evidence: [
      { label: 'formula', detail: SPAM_SCORE_FORMULA },
      { label: 'deductions', detail: deductions.map(({ fix: _fix, ...row }) => row) },
      { label: 'score', detail: { score, threshold: input.threshold, spamAssassinScore: input.spamAssassin.score } },
    ],
  });
}
