/**
 * FN-03 — at each mailbox provider the message sits in the Inbox, not Junk. The client finds the
 * run token over IMAP in INBOX and the provider's junk folder; this check judges the placements.
 */
import { fail, type Finding, verdictFrom } from './findings.ts';
import type { Verdict } from './verdict.ts';

export interface InboxPlacement {
  /** e.g. "gmail.test", "Gmail (seed@gmail.com)". */
  provider: string;
  mailbox: 'INBOX' | 'Junk' | 'missing';
  /** The provider's spam verdict when it gives one (X-Spam-Score, X-MS-Exchange-Organization-SCL…). */
  spamScore?: number;
}

export function checkInboxPlacement(placements: InboxPlacement[]): Verdict {
  // Stryker disable next-line ArrayDeclaration: equivalent, verdictFrom keeps only entries with a fail/warn outcome, so a seeded placeholder changes nothing
  const findings: Finding[] = [];
  if (placements.length === 0) findings.push(fail('no provider was checked', 'Check the seed mailboxes of each provider'));
  for (const p of placements) {
    if (p.mailbox === 'Junk') {
      findings.push(
        fail(
          `${p.provider} put the message in Junk${p.spamScore !== undefined ? ` (spam score ${p.spamScore})` : ''}`,
          'See FN-04 and FN-05 for the reasons the provider had: fix failing or unaligned SPF/DKIM/DMARC, the PTR, and the spam deductions; a new IP also needs a gradual warm-up',
        ),
      );
    } else if (p.mailbox === 'missing') {
      findings.push(
        fail(
          `the message never reached ${p.provider} (neither Inbox nor Junk)`,
          `See FN-02: check Postal's delivery attempts to ${p.provider} (messages/deliveries) for the refusal`,
        ),
      );
    }
  }
  const inbox = placements.filter((p) => p.mailbox === 'INBOX');
  return verdictFrom({
    findings,
    passSummary: `Inbox at ${inbox.map((p) => p.provider).join(', ')}`,
    expected: 'INBOX at every provider',
    observed: placements.map((p) => `${p.provider}: ${p.mailbox}`).join(', ') || 'nothing checked',
    evidence: [{ label: 'placement', detail: placements }],
  });
}
