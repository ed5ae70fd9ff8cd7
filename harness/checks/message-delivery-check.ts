/**
 * FN-01, FN-02, FN-07 — each message sent arrived, at its recipient, intact: the subject and a
 * SHA-256 of the body as received equal what was sent. The client normalises the body the same way
 * on both sides (line endings, trailing whitespace) before hashing; this check only compares.
 */
import { fail, type Finding, verdictFrom } from './findings.ts';
import type { Verdict } from './verdict.ts';

export interface SentMessage {
  /** The run token (or a per-message id derived from it) that finds the message at the recipient. */
  id: string;
  from: string;
  to: string;
  subject: string;
  bodySha256: string;
  /** What Postal's own records say of a message that did not arrive (messages/deliveries), when known. */
  postalDelivery?: string;
}

export interface ObservedMessage {
  id: string;
  /** Where it was found (the inbox owner's address). */
  to: string;
  found: boolean;
  subject?: string;
  bodySha256?: string;
  /** Send to arrival. */
  elapsedMs?: number;
  /** e.g. "ceo inbox", "gmail.test INBOX". */
  where?: string;
}

export interface MessageDeliveryInput {
  expected: SentMessage[];
  observed: ObservedMessage[];
}

export function checkMessageDelivery(input: MessageDeliveryInput): Verdict {
  // Stryker disable next-line ArrayDeclaration: equivalent, verdictFrom keeps only entries with a fail/warn outcome, so a seeded placeholder changes nothing
  const findings: Finding[] = [];
  const rows: Array<Record<string, unknown>> = [];
  const missing: string[] = [];
  const corrupted: string[] = [];

  if (input.expected.length === 0) findings.push(fail('no message was sent', 'Send the test messages and check again'));
  for (const sent of input.expected) {
    const seen = input.observed.filter((o) => o.id === sent.id && o.found);
    const atRecipient = seen.find((o) => o.to.toLowerCase() === sent.to.toLowerCase());
    const label = `${sent.from} → ${sent.to}`;
    const row: Record<string, unknown> = { id: sent.id, from: sent.from, to: sent.to, arrived: atRecipient !== undefined };
    rows.push(row);

    const elsewhere = seen.filter((o) => o !== atRecipient).map((o) => o.where ?? o.to);
    if (elsewhere.length > 0) {
      row.alsoAt = elsewhere;
      findings.push(fail(`${label} (${sent.id}) was found at ${elsewhere.join(', ')}${atRecipient ? ' as well' : ' instead'}`, `Check the Routes for ${sent.to}: each address must point at its own inbox endpoint only (see INF-05)`));
    }
    if (!atRecipient) {
      if (elsewhere.length === 0) {
        missing.push(label);
        findings.push(
          fail(
            `${label} (${sent.id}) did not arrive${sent.postalDelivery ? ` — Postal: ${sent.postalDelivery}` : ''}`,
            `Look the message up in Postal (messages/message with the id the API returned, then messages/deliveries): Held means a hold or spam rule, SoftFail/HardFail shows the receiving side's answer for ${sent.to}`,
          ),
        );
      }
      continue;
    }
    if (atRecipient.where) row.where = atRecipient.where;
    if (atRecipient.elapsedMs !== undefined) row.elapsedMs = atRecipient.elapsedMs;
    const problems: string[] = [];
    if (atRecipient.subject !== sent.subject) problems.push(`subject "${atRecipient.subject ?? ''}" instead of "${sent.subject}"`);
    if (atRecipient.bodySha256?.toLowerCase() !== sent.bodySha256.toLowerCase()) problems.push(atRecipient.bodySha256 ? 'body differs (SHA-256 mismatch)' : 'no body');
    row.intact = problems.length === 0;
    if (problems.length > 0) {
      corrupted.push(label);
      row.problems = problems;
      findings.push(
        fail(
          `${label} (${sent.id}) arrived altered: ${problems.join(', ')}`,
          'Compare the raw message at the recipient with what was sent: a content filter, disclaimer or tracking rewrite, or the inbox endpoint itself (Postal\'s "strip replies" option on the HTTP endpoint trims the plain body)',
        ),
      );
    }
  }

  const intact = rows.filter((r) => r.intact === true).length;
  const elapsed = rows.map((r) => r.elapsedMs).filter((v): v is number => typeof v === 'number');
  return verdictFrom({
    findings,
    passSummary: `${intact}/${input.expected.length} messages arrived intact${elapsed.length ? ` (slowest ${Math.max(...elapsed)} ms)` : ''}`,
    expected: `${input.expected.length} messages, each at its recipient with subject and body unchanged`,
    observed: `${intact} intact, ${corrupted.length} altered, ${missing.length} missing`,
    evidence: [{ label: 'messages', detail: rows }],
  });
}
