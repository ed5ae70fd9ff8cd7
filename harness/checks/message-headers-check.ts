/**
 * FN-02, the header block of the copy the provider received: exactly one From and one Date (RFC 5322
 * §3.6), and a Message-ID (Gmail refuses mail without one since 2022; SpamAssassin and rspamd score it).
 * Postal adds no Message-ID to mail submitted without one (postalserver/postal issues 153 and 1123), so a
 * client that omits it sends mail without.
 */
import { fail, type Finding, verdictFrom } from './findings.ts';
import type { Verdict } from './verdict.ts';

export interface MessageHeadersInput {
  /** e.g. "Gmail by SMTP". */
  copy: string;
  /** How many times each field occurs in the received copy (lower-case names). */
  counts: Record<string, number>;
}

export function checkMessageHeaders(input: MessageHeadersInput): Verdict {
  // Stryker disable next-line ArrayDeclaration: equivalent, verdictFrom keeps only entries with a fail/warn outcome, so a seeded placeholder changes nothing
  const findings: Finding[] = [];
  const count = (name: string): number => input.counts[name] ?? 0;
  for (const [name, field] of [
    ['from', 'From'],
    ['date', 'Date'],
  ] as const) {
    if (count(name) !== 1) {
      findings.push(
        fail(
          `${input.copy} has ${count(name)} ${field} header${count(name) === 1 ? '' : 's'}; a message has exactly one`,
          `Make the agents' mail carry exactly one ${field} header (RFC 5322 §3.6): fix the client that composes it; Postal passes submitted headers on unchanged`,
        ),
      );
    }
  }
  if (count('message-id') === 0) {
    findings.push(
      fail(
        `${input.copy} has no Message-ID`,
        "Give every message a Message-ID where it is composed (the agents' mail library, for send/raw and SMTP): Postal adds none (postalserver/postal issue 153), and Gmail refuses mail without one",
      ),
    );
  } else if (count('message-id') > 1) {
    findings.push(
      fail(
        `${input.copy} has ${count('message-id')} Message-ID headers`,
        'Keep one Message-ID per message: the client and a relay both add one',
      ),
    );
  }
  return verdictFrom({
    findings,
    passSummary: `${input.copy}: one From, one Date, one Message-ID`,
    expected: 'From ×1, Date ×1, Message-ID ×1',
    observed: `From ×${count('from')}, Date ×${count('date')}, Message-ID ×${count('message-id')}`,
    evidence: [
      { label: `header fields of ${input.copy}`, detail: { from: count('from'), date: count('date'), messageId: count('message-id') } },
    ],
  });
}
