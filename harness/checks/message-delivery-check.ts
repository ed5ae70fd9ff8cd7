/**
 * FN-01, FN-02, FN-07 — each message sent arrived at its recipient, exactly once, intact, in time. The
 * recipient's copy (the agent's inbox entry, the provider's message over IMAP) is compared with what was
 * sent, decoded part by part (content-comparison.ts). A message that did not arrive is told apart by
 * why: refused when it was sent (the API's or SMTP server's answer: it never existed), still on its way
 * after the deadline (late, with its time, when it arrived later), or stopped in Postal (its record).
 */
import { compareContent, type ContentComparison, type ReceivedContent } from './content-comparison.ts';
import { describeTrail, sendErrorCause, trailCause, type PostalTrail } from './delivery-causes.ts';
import { collectFindings, fail, type Finding, verdictFrom, warn } from './findings.ts';
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

/** One sent message and what was found of it. */
interface Delivery {
  sent: SentMessage;
  /** "from → to (path)": how findings name the message. */
  label: string;
  /** The copy at its recipient, compared with what was sent, when it is there. */
  arrival: { copy: ObservedMessage; comparison: ContentComparison } | undefined;
  /** Where else it was found (another inbox). */
  elsewhere: string[];
  /** Why the recipient's mailbox could not be read at the last look. */
  unread: string | undefined;
  deadlineMs: number | undefined;
}

function deliveryOf(sent: SentMessage, input: MessageDeliveryInput): Delivery {
  const seen = input.observed.filter((o) => o.id === sent.id && o.found);
  const atRecipient = seen.find((o) => o.to.toLowerCase() === sent.to.toLowerCase());
  return {
    sent,
    label: `${sent.from} → ${sent.to}${sent.path ? ` (${sent.path})` : ''}`,
    arrival: atRecipient ? { copy: atRecipient, comparison: compareContent(sent.content, atRecipient.content ?? {}) } : undefined,
    elsewhere: seen.filter((o) => o !== atRecipient).map((o) => o.where ?? o.to),
    unread: input.observed.find((o) => o.id === sent.id && o.readerError)?.readerError,
    deadlineMs: input.deadlineMs,
  };
}

/** Refused when it was sent, or reached no inbox at all (found only elsewhere is not missing). */
function isMissing({ sent, arrival, elsewhere }: Delivery): boolean {
  return sent.sendError !== undefined || (!arrival && elsewhere.length === 0);
}

function isLate(deadlineMs: number | undefined, copy: ObservedMessage): boolean {
  return deadlineMs !== undefined && copy.elapsedMs !== undefined && copy.elapsedMs > deadlineMs;
}

/** Rule: something was sent at all. */
function nothingSent(expected: SentMessage[]): Finding | undefined {
  if (expected.length > 0) return undefined;
  return fail('no message was sent', 'Send the test messages and check again');
}

/** Rule: the message was accepted when it was sent (when it was not, no other rule applies). */
function neverSent({ sent, label }: Delivery, sendError: string): Finding {
  const cause = sendErrorCause(sendError, { agent: sent.from, to: sent.to, ...(sent.path ? { path: sent.path } : {}) });
  return fail(`${label} (${sent.id}) was never sent: ${cause.cause}`, cause.remediation);
}

/** Rule: no inbox but the recipient's holds the message. */
function foundElsewhere({ sent, label, arrival, elsewhere }: Delivery): Finding | undefined {
  if (elsewhere.length === 0) return undefined;
  return fail(
    `${label} (${sent.id}) was found at ${elsewhere.join(', ')}${arrival ? ' as well' : ' instead'}`,
    `Check the Routes for ${sent.to}: each address must point at its own inbox endpoint only (see INF-05)`,
  );
}

/** Rule: a message found nowhere is unproven when its mailbox could not be read, else lost, with why. */
function notArrived({ sent, label, unread, deadlineMs }: Delivery): Finding {
  if (unread) {
    return fail(
      `${label} (${sent.id}) is unproven: the recipient's mailbox could not be read (${unread})`,
      `Make the recipient's mailbox readable (its inbox listing, IMAP login) and check again`,
    );
  }
  const cause = trailCause(sent.trail, { to: sent.to, agent: sent.toAgent });
  return fail(
    `${label} (${sent.id}) did not arrive${deadlineMs ? ` within ${seconds(deadlineMs)}` : ''}: ${cause.cause}`,
    cause.remediation,
  );
}

/** Rule: the recipient holds one copy. */
function arrivedTwice({ sent, label }: Delivery, copy: ObservedMessage): Finding | undefined {
  const copies = copy.copies ?? 1;
  if (copies <= 1) return undefined;
  return fail(
    `${label} (${sent.id}) arrived ${copies} times at ${copy.where ?? sent.to}`,
    `The recipient holds ${copies} copies of one message: an agent acts on each. Look for a second route or an additional endpoint that delivers ${sent.to} again (Postal creates one message per route endpoint and per additional endpoint), or a retry after a timeout`,
  );
}

/** Rule: it arrived within the deadline (late is warned, not lost). */
function arrivedLate({ sent, label, deadlineMs }: Delivery, copy: ObservedMessage): Finding | undefined {
  if (deadlineMs === undefined || copy.elapsedMs === undefined || copy.elapsedMs <= deadlineMs) return undefined;
  return warn(
    `${label} (${sent.id}) arrived late: after ${seconds(copy.elapsedMs)}, the deadline is ${seconds(deadlineMs)}`,
    'Late, not lost: PERF-02 judges the delay; look for a slow queue (postal_message_queue_latency on the worker /metrics) or a slow inbox endpoint',
  );
}

/** Rule: the recipient's copy is what was sent. */
function arrivedAltered({ sent, label }: Delivery, comparison: ContentComparison): Finding | undefined {
  if (comparison.problems.length === 0) return undefined;
  return fail(
    `${label} (${sent.id}) arrived altered: ${comparison.problems.join(', ')} — ${comparison.causes.map((c) => c.cause).join('; ')}`,
    comparison.causes.map((c) => c.remediation).join(' '),
  );
}

/** Rule: every part could be compared (a reader that hides parts is warned). */
function partsNotCompared({ sent, label }: Delivery, comparison: ContentComparison): Finding | undefined {
  if (comparison.unverified.length === 0) return undefined;
  return warn(
    `${label} (${sent.id}): the recipient's copy does not show its ${comparison.unverified.join(', ')}, so they were not compared`,
    'Give the harness a reader that shows the whole message (for agent inboxes: a listing with the HTML part and attachments)',
  );
}

/** One message's rules in order: one never sent, or not at its recipient, stops early. */
function messageFindings(delivery: Delivery): Finding[] {
  const { sent, arrival } = delivery;
  if (sent.sendError !== undefined) return [neverSent(delivery, sent.sendError)];
  if (!arrival) return collectFindings(foundElsewhere(delivery), delivery.elsewhere.length > 0 ? undefined : notArrived(delivery));
  return collectFindings(
    foundElsewhere(delivery),
    arrivedTwice(delivery, arrival.copy),
    arrivedLate(delivery, arrival.copy),
    arrivedAltered(delivery, arrival.comparison),
    partsNotCompared(delivery, arrival.comparison),
  );
}

/** The evidence row of one message: where it was found, how long it took, what differed. */
function messageRow(delivery: Delivery): Record<string, unknown> {
  const { sent, arrival, elsewhere } = delivery;
  const row: Record<string, unknown> = {
    id: sent.id,
    from: sent.from,
    to: sent.to,
    ...(sent.path ? { path: sent.path } : {}),
    arrived: arrival !== undefined,
  };
  if (sent.sendError !== undefined) return { ...row, sendError: sent.sendError };
  if (elsewhere.length > 0) row.alsoAt = elsewhere;
  if (!arrival) {
    const record = elsewhere.length > 0 || delivery.unread ? undefined : describeTrail(sent.trail);
    return record ? { ...row, postal: record } : row;
  }
  const { copy: atRecipient, comparison } = arrival;
  const copies = atRecipient.copies ?? 1;
  return {
    ...row,
    ...(atRecipient.where ? { where: atRecipient.where } : {}),
    ...(atRecipient.elapsedMs !== undefined ? { elapsedMs: atRecipient.elapsedMs } : {}),
    ...(copies > 1 ? { copies } : {}),
    ...(isLate(delivery.deadlineMs, atRecipient) ? { late: true } : {}),
    intact: comparison.problems.length === 0,
    ...(comparison.problems.length > 0 ? { problems: comparison.problems } : {}),
    ...(comparison.unverified.length > 0 ? { notCompared: comparison.unverified } : {}),
  };
}

export function checkMessageDelivery(input: MessageDeliveryInput): Verdict {
  const deliveries = input.expected.map((sent) => deliveryOf(sent, input));
  const rows = deliveries.map(messageRow);
  const intact = rows.filter((r) => r.intact === true).length;
  const altered = rows.filter((r) => r.problems !== undefined).length;
  const missing = deliveries.filter(isMissing).length;
  const late = rows.filter((r) => r.late === true).length;
  const elapsed = rows.map((r) => r.elapsedMs).filter((v): v is number => typeof v === 'number');
  return verdictFrom({
    findings: collectFindings(nothingSent(input.expected), ...deliveries.map(messageFindings)),
    passSummary: `${intact}/${input.expected.length} messages arrived once and intact${elapsed.length ? ` (slowest ${Math.max(...elapsed)} ms)` : ''}`,
    expected: `${input.expected.length} messages, each once at its recipient with subject, text, HTML and attachments unchanged`,
    observed: `${intact} intact, ${altered} altered, ${missing} missing, ${late} late`,
    evidence: [{ label: 'messages', detail: rows }],
  });
}
