import type { SpamVerdict } from '../../core/spam/spam-scorer.ts';
import type { SpamScoreInput } from '../checks/spam-score-check.ts';
import type { Reverified } from '../clients/mail-reverify.ts';

/** What FN-05's mail-tester-style score reads from one received message, its SpamAssassin report and its PTR. */
export function spamScoreInput(
  reverified: Reverified,
  spam: SpamVerdict,
  ptrOk: boolean,
  threshold: number,
  blocklisted = false,
): SpamScoreInput {
  const passing = reverified.dkim.filter((k) => k.result === 'pass');
  return {
    spamAssassin: { score: spam.score, rules: spam.rules },
    spf: reverified.spf.result,
    dkim: passing.length ? 'pass' : (reverified.dkim[0]?.result ?? 'none'),
    dmarc: reverified.dmarc.result,
    aligned: passing.some((k) => k.aligned !== false && k.aligned !== undefined && k.aligned !== ''),
    ptrOk,
    hasMessageId: reverified.hasMessageId,
    hasDate: reverified.hasDate,
    threshold,
    blocklisted,
  };
}
