/**
 * How a mailbox provider files a message, decided from the authentication results and the spam
 * verdict — the rules Gmail and Outlook publish for bulk senders, reduced to what the world needs:
 *
 *   DMARC fails and the domain's policy is reject      → refuse: 550 5.7.26
 *   DMARC fails and the policy is quarantine            → Junk
 *   spam score ≥ the threshold (5)                      → Junk
 *   otherwise                                           → Inbox
 *
 * Simplification: DMARC `pct` is treated as 100 (every failing message gets the policy), so the
 * outcome is the same on every run.
 */
import type { SpamVerdict } from '../../core/spam/spam-scorer.ts';

export interface DmarcOutcome {
  /** mailauth's dmarc.status.result: pass, fail, none, temperror, permerror… */
  result: string;
  /** the policy that applies to the From domain (p, or sp for a subdomain): none, quarantine, reject */
  policy?: string;
  /** the From domain that DMARC judged */
  domain?: string;
}

export type ProviderDecision =
  | { action: 'reject'; code: 550; enhanced: '5.7.26'; message: string; reasons: string[] }
  | { action: 'deliver'; folder: 'INBOX' | 'Junk'; reasons: string[] };

export function decideFiling(input: {
  dmarc: DmarcOutcome;
  spam: SpamVerdict;
  spamThreshold?: number;
  providerName: string;
}): ProviderDecision {
  const threshold = input.spamThreshold ?? 5;
  const { dmarc, spam } = input;
  const policy = (dmarc.policy ?? 'none').toLowerCase();
  const dmarcFailed = dmarc.result === 'fail';
  if (dmarcFailed && policy === 'reject') {
    const domain = dmarc.domain ?? 'the sender domain';
    return {
      action: 'reject',
      code: 550,
      enhanced: '5.7.26',
      message: `Unauthenticated email from ${domain} is not accepted due to domain's DMARC policy (p=reject); ${input.providerName} refuses it`,
      reasons: [`dmarc=fail with policy reject for ${domain}`],
    };
  }
  const reasons: string[] = [];
  if (dmarcFailed && policy === 'quarantine') reasons.push(`dmarc=fail with policy quarantine for ${dmarc.domain ?? 'the sender domain'}`);
  if (spam.score >= threshold) reasons.push(`spam score ${spam.score} ≥ ${threshold}`);
  if (reasons.length > 0) return { action: 'deliver', folder: 'Junk', reasons };
  return { action: 'deliver', folder: 'INBOX', reasons: [`dmarc=${dmarc.result}`, `spam score ${spam.score} < ${threshold}`] };
}
