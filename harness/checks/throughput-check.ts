/**
 * PERF-01 — sustained throughput, counted where it matters: messages that ARRIVED in the recipient's
 * inbox, not messages the API accepted. The rate is arrivals over the longer of the send window and the
 * arrival window (a constant delay does not lower a rate; a stuck queue that flushes at the end does not
 * raise it). Every accepted message that did not arrive counts against the run and is named by what
 * Postal recorded (Held by a send limit, still queued, bounced…); not one send may fail. A burst that
 * finishes early measures nothing sustained, so the duration is part of the verdict.
 */
import { trailCause } from './delivery-causes.ts';
import { fail, type Finding, verdictFrom, warn } from './findings.ts';
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

export function checkThroughput(input: ThroughputInput): Verdict {
  const { messagesPerSecond, durationSeconds } = input.target;
  // Stryker disable next-line ArrayDeclaration: equivalent, verdictFrom keeps only entries with a fail/warn outcome, so a seeded placeholder changes nothing
  const findings: Finding[] = [];
  const seconds = input.elapsedMs / 1000;
  const windowSeconds = Math.max(seconds, (input.arrivalWindowMs ?? 0) / 1000);
  const rate = windowSeconds > 0 ? round2(input.arrived / windowSeconds) : 0;
  const planned = Math.ceil(messagesPerSecond * durationSeconds);
  const scale =
    'Give Postal more capacity: raise worker.threads in postal.yml (default 2) and the web server threads, add CPU (about 10 messages/s on 2 vCPU is typical), and check the database is not the bottleneck';

  const count = (list: string[]): Array<{ what: string; count: number }> => {
    const groups = new Map<string, number>();
    for (const key of list) groups.set(key, (groups.get(key) ?? 0) + 1);
    return [...groups].map(([what, n]) => ({ what, count: n })).sort((a, b) => b.count - a.count);
  };
  const errorTable = count(input.errors.map((e) => `${e.status}${e.code ? ` ${e.code}` : ''}`)).map((g) => ({
    error: g.what,
    count: g.count,
  }));
  const missingTable = count(input.notArrived.map((m) => statusOf(m.trail)));

  if (input.arrived === 0) {
    findings.push(
      fail(
        `nothing arrived (${input.sent} accepted, ${input.errors.length} refused, in ${seconds.toFixed(1)} s)`,
        input.sent === 0
          ? 'Check the API accepts a single send (INF-06) and re-run'
          : `See FN-01: mail to ${input.recipient} must arrive before it can be counted`,
      ),
    );
  } else {
    if (rate < messagesPerSecond) findings.push(fail(`${rate} messages/s delivered, below the target of ${messagesPerSecond}/s`, scale));
    const window = input.cap ? Math.min(durationSeconds, input.cap.windowSeconds) : durationSeconds;
    if (seconds < window * DURATION_TOLERANCE) {
      findings.push(
        fail(
          `the run lasted ${seconds.toFixed(1)} s of the ${round2(window)} s ${input.cap ? 'the cap allows' : 'target'}: a burst, not a sustained rate`,
          `Send at ${messagesPerSecond}/s for the full ${round2(window)} s (${Math.ceil(messagesPerSecond * window)} messages)`,
        ),
      );
    }
    if (input.cap && input.cap.windowSeconds < durationSeconds * DURATION_TOLERANCE) {
      findings.push(
        warn(
          `capped by --max-messages=${input.cap.maxMessages}: the rate was judged over ${round2(input.cap.windowSeconds)} s, not the ${durationSeconds} s target`,
          `To prove the sustained rate, re-run with --max-messages=${planned} or more (it sends that many messages to the catch-all)`,
        ),
      );
    }
  }
  if (input.notArrived.length > 0) {
    const worst = input.notArrived.find((m) => statusOf(m.trail) === missingTable[0]!.what);
    const cause = trailCause(worst?.trail, { to: input.recipient });
    findings.push(
      fail(
        `${input.notArrived.length} of ${input.sent} accepted messages did not arrive (${missingTable.map((g) => `${g.count}× ${g.what}`).join(', ')})`,
        cause.remediation,
      ),
    );
  }
  if (input.errors.length > 0) {
    findings.push(
      fail(
        `${input.errors.length} send${input.errors.length === 1 ? '' : 's'} failed (${errorTable.map((e) => `${e.count}× ${e.error}`).join(', ')})`,
        `Look at the errors by code: transport errors or timeouts mean the web process is saturated (${scale.charAt(0).toLowerCase()}${scale.slice(1)}); Postal error codes name the rejected request`,
      ),
    );
  }

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
