/**
 * PERF-01 — sustained throughput, counted where it matters: messages that ARRIVED in the recipient's
 * inbox, not messages the API accepted. The rate is arrivals over the longer of the send window and the
 * arrival window (a constant delay does not lower a rate; a stuck queue that flushes at the end does not
 * raise it). Every accepted message that did not arrive counts against the run and is named by what
 * Postal recorded (Held by a send limit, still queued, bounced…); not one send may fail. A burst that
 * finishes early measures nothing sustained, so the duration is part of the verdict.
 */
import { trailCause } from './delivery-causes.ts';
import { collectFindings, fail, type Finding, verdictFrom, warn } from './findings.ts';
import type { PostalTrail } from './delivery-causes.ts';
import type { Verdict } from './verdict.ts';

export interface ThroughputInput {
  target: { messagesPerSecond: number; durationSeconds: number };
  /** Messages the API accepted (status "success"). */
  sent: number;
  /** One entry per failed send: Postal's status and code, or the transport error as code. */
  errors: Array<{ status: string; code?: string }>;
  /** Wall time from the first send to the last answer. */
  elapsedMs: number;
  /** Messages found in the recipient's inbox. */
  arrived: number;
  /** First to last arrival, by the receiver's stamps. */
  arrivalWindowMs?: number;
  /** Accepted messages that did not arrive by the deadline, with what Postal recorded of each. */
  notArrived: Array<{ trail?: PostalTrail }>;
  /** The inbox they were sent to, for the remediation. */
  recipient: string;
  /**
   * Set when --max-messages cut the run short: the rate is judged over the window the cap allows
   * (cap ÷ pace), never failed for being short, and the verdict says the target duration was not proven.
   */
  cap?: { maxMessages: number; windowSeconds: number };
}

/** A paced sender finishes its last send one interval before the nominal end; 10 % covers that and timer jitter. */
const DURATION_TOLERANCE = 0.9;
const round2 = (n: number) => Math.round(n * 100) / 100;

/** "Held: Message held because send limit (100) has been reached." — what Postal says, without the per-message parts. */
function statusOf(trail: PostalTrail | undefined): string {
  if (!trail) return 'not looked up';
  const leg = trail.inbound ?? trail.outgoing;
  if (!leg) return trail.error ? 'unknown (Postal could not be asked)' : 'unknown';
  return `${leg.direction === 'incoming' ? 'incoming ' : ''}${leg.status}${leg.details ? `: ${leg.details.replace(/\d+(\.\d+)?/g, (n) => (n.length > 5 ? '…' : n))}` : ''}`;
}

const SCALE =
  'Give Postal more capacity: raise worker.threads in postal.yml (default 2) and the web server threads, add CPU (about 10 messages/s on 2 vCPU is typical), and check the database is not the bottleneck';

/** What the run measured, for the rules. */
interface Measured {
  seconds: number;
  rate: number;
  planned: number;
  missingTable: Array<{ what: string; count: number }>;
  errorTable: Array<{ error: string; count: number }>;
}

/** Equal entries counted, most frequent first. */
function countGroups(list: string[]): Array<{ what: string; count: number }> {
  const groups = new Map<string, number>();
  for (const key of list) groups.set(key, (groups.get(key) ?? 0) + 1);
  return [...groups].map(([what, n]) => ({ what, count: n })).sort((a, b) => b.count - a.count);
}

/** Rule: something must arrive. */
function nothingArrived(input: ThroughputInput, m: Measured): Finding | undefined {
  if (input.arrived !== 0) return undefined;
  return fail(
    `nothing arrived (${input.sent} accepted, ${input.errors.length} refused, in ${m.seconds.toFixed(1)} s)`,
    input.sent === 0
      ? 'Check the API accepts a single send (INF-06) and re-run'
      : `See FN-01: mail to ${input.recipient} must arrive before it can be counted`,
  );
}

/** Rule: the delivered rate reaches the target. */
function belowTarget(input: ThroughputInput, m: Measured): Finding | undefined {
  const { messagesPerSecond } = input.target;
  if (input.arrived === 0) return undefined;
  return m.rate < messagesPerSecond ? fail(`${m.rate} messages/s delivered, below the target of ${messagesPerSecond}/s`, SCALE) : undefined;
}

/** Rule: the run lasts the target duration (or what the cap allows): a burst measures nothing sustained. */
function burst(input: ThroughputInput, m: Measured): Finding | undefined {
  const { messagesPerSecond, durationSeconds } = input.target;
  if (input.arrived === 0) return undefined;
  const window = input.cap ? Math.min(durationSeconds, input.cap.windowSeconds) : durationSeconds;
  if (m.seconds >= window * DURATION_TOLERANCE) return undefined;
  return fail(
    `the run lasted ${m.seconds.toFixed(1)} s of the ${round2(window)} s ${input.cap ? 'the cap allows' : 'target'}: a burst, not a sustained rate`,
    `Send at ${messagesPerSecond}/s for the full ${round2(window)} s (${Math.ceil(messagesPerSecond * window)} messages)`,
  );
}

/** Rule: a cap that cuts the run short is said, with the count that would prove the target. */
function capped(input: ThroughputInput, m: Measured): Finding | undefined {
  const { durationSeconds } = input.target;
  if (input.arrived === 0 || !input.cap || input.cap.windowSeconds >= durationSeconds * DURATION_TOLERANCE) return undefined;
  return warn(
    `capped by --max-messages=${input.cap.maxMessages}: the rate was judged over ${round2(input.cap.windowSeconds)} s, not the ${durationSeconds} s target`,
    `To prove the sustained rate, re-run with --max-messages=${m.planned} or more (it sends that many messages to the catch-all)`,
  );
}

/** Rule: every accepted message arrives; the commonest reason it did not names the fix. */
function notArrived(input: ThroughputInput, m: Measured): Finding | undefined {
  if (input.notArrived.length === 0) return undefined;
  const worst = input.notArrived.find((x) => statusOf(x.trail) === m.missingTable[0]!.what);
  const cause = trailCause(worst?.trail, { to: input.recipient });
  return fail(
    `${input.notArrived.length} of ${input.sent} accepted messages did not arrive (${m.missingTable.map((g) => `${g.count}× ${g.what}`).join(', ')})`,
    cause.remediation,
  );
}

/** Rule: not one send fails. */
function sendsFailed(input: ThroughputInput, m: Measured): Finding | undefined {
  if (input.errors.length === 0) return undefined;
  return fail(
    `${input.errors.length} send${input.errors.length === 1 ? '' : 's'} failed (${m.errorTable.map((e) => `${e.count}× ${e.error}`).join(', ')})`,
    `Look at the errors by code: transport errors or timeouts mean the web process is saturated (${SCALE.charAt(0).toLowerCase()}${SCALE.slice(1)}); Postal error codes name the rejected request`,
  );
}

export function checkThroughput(input: ThroughputInput): Verdict {
  const { messagesPerSecond, durationSeconds } = input.target;
  const seconds = input.elapsedMs / 1000;
  const windowSeconds = Math.max(seconds, (input.arrivalWindowMs ?? 0) / 1000);
  const rate = windowSeconds > 0 ? round2(input.arrived / windowSeconds) : 0;
  const planned = Math.ceil(messagesPerSecond * durationSeconds);
  const errorTable = countGroups(input.errors.map((e) => `${e.status}${e.code ? ` ${e.code}` : ''}`)).map((g) => ({
    error: g.what,
    count: g.count,
  }));
  const missingTable = countGroups(input.notArrived.map((x) => statusOf(x.trail)));
  const m: Measured = { seconds, rate, planned, missingTable, errorTable };
  const findings = collectFindings(
    nothingArrived(input, m),
    belowTarget(input, m),
    burst(input, m),
    capped(input, m),
    notArrived(input, m),
    sendsFailed(input, m),
  );

  return verdictFrom({
    findings,
    passSummary: `${rate} messages/s delivered over ${windowSeconds.toFixed(1)} s (${input.arrived} of ${input.sent} arrived, target ${messagesPerSecond}/s × ${durationSeconds} s), no errors`,
    expected: `≥ ${messagesPerSecond} messages/s delivered for ${durationSeconds} s, every accepted message arrived, 0 errors`,
    observed: `${rate} messages/s delivered, ${input.arrived} arrived of ${input.sent} accepted, ${input.errors.length} errors`,
    evidence: [
      {
        label: 'throughput',
        detail: {
          sent: input.sent,
          arrived: input.arrived,
          elapsedMs: input.elapsedMs,
          arrivalWindowMs: input.arrivalWindowMs ?? null,
          messagesPerSecond: rate,
          target: input.target,
          planned,
        },
      },
      { label: 'errors', detail: errorTable },
      { label: 'not arrived', detail: missingTable },
    ],
  });
}
