/**
 * FN-01, FN-02, FN-07 — each message sent arrived at its recipient, exactly once, intact, in time. The
 * recipient's copy (the agent's inbox entry, the provider's message over IMAP) is compared with what was
 * sent, decoded part by part (content-comparison.ts). A message that did not arrive is told apart by
 * why: refused when it was sent (the API's or SMTP server's answer: it never existed), still on its way
 * after the deadline (late, with its time, when it arrived later), or stopped in Postal (its record).
 */
import { compareContent, type ReceivedContent } from './content-comparison.ts';
import { describeTrail, sendErrorCause, trailCause, type PostalTrail } from './delivery-causes.ts';
import { fail, type Finding, verdictFrom, warn } from './findings.ts';
import type { ExpectedContent } from './message-content.ts';
import type { Verdict } from './verdict.ts';

export interface SentMessage {
  /** Names the message in evidence; unique within one check. */
  id: string;
  /** The sending agent (or "outside"). */
  from: string;
  to: string;
  /** The agent whose inbox it must reach, when it is one. */
  toAgent?: string;
  /** How it was sent: send/message, send/raw, SMTP, from outside. */
  path?: string;
  content: ExpectedContent;
  /** Refused when it was sent (API status and code, SMTP reply, transport error): it never existed. */
  sendError?: string;
  /** Postal's record of a message that did not arrive in time. */
  trail?: PostalTrail;
}

export interface ObservedMessage {
  id: string;
  /** Where it was found (the inbox owner's address). */
  to: string;
  found: boolean;
  /** How many copies of it the recipient holds (1 unless delivered twice). */
  copies?: number;
  content?: ReceivedContent;
  /** Send to arrival. */
  elapsedMs?: number;
  /** e.g. "ceo inbox", "Gmail INBOX". */
  where?: string;
  /** The recipient's mailbox could not be read at the last look. */
  readerError?: string;
}

export interface MessageDeliveryInput {
  expected: SentMessage[];
  observed: ObservedMessage[];
  /** The delivery deadline: a message that arrived after it is late (warned, with its time), not lost. */
  deadlineMs?: number;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

export function checkMessageDelivery(input: MessageDeliveryInput): Verdict {
  // Stryker disable next-line ArrayDeclaration: equivalent, verdictFrom keeps only entries with a fail/warn outcome, so a seeded placeholder changes nothing
  const findings: Finding[] = [];
  const rows: Array<Record<string, unknown>> = [];
  let missing = 0;
  let altered = 0;
  let late = 0;

  if (input.expected.length === 0) findings.push(fail('no message was sent', 'Send the test messages and check again'));
  for (const sent of input.expected) {
    const seen = input.observed.filter((o) => o.id === sent.id && o.found);
    const atRecipient = seen.find((o) => o.to.toLowerCase() === sent.to.toLowerCase());
    const label = `${sent.from} → ${sent.to}${sent.path ? ` (${sent.path})` : ''}`;
    const row: Record<string, unknown> = {
      id: sent.id,
      from: sent.from,
      to: sent.to,
      ...(sent.path ? { path: sent.path } : {}),
      arrived: atRecipient !== undefined,
    };
    rows.push(row);
    const who = { to: sent.to, agent: sent.toAgent };

    if (sent.sendError !== undefined) {
      missing++;
      const cause = sendErrorCause(sent.sendError, { agent: sent.from, to: sent.to, ...(sent.path ? { path: sent.path } : {}) });
      row.sendError = sent.sendError;
      findings.push(fail(`${label} (${sent.id}) was never sent: ${cause.cause}`, cause.remediation));
      continue;
    }

    const elsewhere = seen.filter((o) => o !== atRecipient).map((o) => o.where ?? o.to);
    if (elsewhere.length > 0) {
      row.alsoAt = elsewhere;
      findings.push(
        fail(
          `${label} (${sent.id}) was found at ${elsewhere.join(', ')}${atRecipient ? ' as well' : ' instead'}`,
          `Check the Routes for ${sent.to}: each address must point at its own inbox endpoint only (see INF-05)`,
        ),
      );
    }
    if (!atRecipient) {
      if (elsewhere.length > 0) continue;
      missing++;
      const unread = input.observed.find((o) => o.id === sent.id && o.readerError)?.readerError;
      if (unread) {
        findings.push(
          fail(
            `${label} (${sent.id}) is unproven: the recipient's mailbox could not be read (${unread})`,
            `Make the recipient's mailbox readable (its inbox listing, IMAP login) and check again`,
          ),
        );
        continue;
      }
      const record = describeTrail(sent.trail);
      if (record) row.postal = record;
      const cause = trailCause(sent.trail, who);
      findings.push(
        fail(
          `${label} (${sent.id}) did not arrive${input.deadlineMs ? ` within ${seconds(input.deadlineMs)}` : ''}: ${cause.cause}`,
          cause.remediation,
        ),
      );
      continue;
    }
    if (atRecipient.where) row.where = atRecipient.where;
    if (atRecipient.elapsedMs !== undefined) row.elapsedMs = atRecipient.elapsedMs;
    const copies = atRecipient.copies ?? 1;
    if (copies > 1) {
      row.copies = copies;
      findings.push(
        fail(
          `${label} (${sent.id}) arrived ${copies} times at ${atRecipient.where ?? sent.to}`,
          `The recipient holds ${copies} copies of one message: an agent acts on each. Look for a second route or an additional endpoint that delivers ${sent.to} again (Postal creates one message per route endpoint and per additional endpoint), or a retry after a timeout`,
        ),
      );
    }
    if (input.deadlineMs !== undefined && atRecipient.elapsedMs !== undefined && atRecipient.elapsedMs > input.deadlineMs) {
      late++;
      row.late = true;
      findings.push(
        warn(
          `${label} (${sent.id}) arrived late: after ${seconds(atRecipient.elapsedMs)}, the deadline is ${seconds(input.deadlineMs)}`,
          'Late, not lost: PERF-02 judges the delay; look for a slow queue (postal_message_queue_latency on the worker /metrics) or a slow inbox endpoint',
        ),
      );
    }
    const comparison = compareContent(sent.content, atRecipient.content ?? {});
    row.intact = comparison.problems.length === 0;
    if (comparison.problems.length > 0) {
      altered++;
      row.problems = comparison.problems;
      findings.push(
        fail(
          `${label} (${sent.id}) arrived altered: ${comparison.problems.join(', ')} — ${comparison.causes.map((c) => c.cause).join('; ')}`,
          comparison.causes.map((c) => c.remediation).join(' '),
        ),
      );
    }
    if (comparison.unverified.length > 0) {
      row.notCompared = comparison.unverified;
      findings.push(
        warn(
          `${label} (${sent.id}): the recipient's copy does not show its ${comparison.unverified.join(', ')}, so they were not compared`,
          'Give the harness a reader that shows the whole message (for agent inboxes: a listing with the HTML part and attachments)',
        ),
      );
    }
  }

  const intact = rows.filter((r) => r.intact === true).length;
  const elapsed = rows.map((r) => r.elapsedMs).filter((v): v is number => typeof v === 'number');
  return verdictFrom({
    findings,
    passSummary: `${intact}/${input.expected.length} messages arrived once and intact${elapsed.length ? ` (slowest ${Math.max(...elapsed)} ms)` : ''}`,
    expected: `${input.expected.length} messages, each once at its recipient with subject, text, HTML and attachments unchanged`,
    observed: `${intact} intact, ${altered} altered, ${missing} missing, ${late} late`,
    evidence: [{ label: 'messages', detail: rows }],
  });
}
