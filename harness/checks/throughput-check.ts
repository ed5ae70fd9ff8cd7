/**
 * PERF-01 — sustained send rate through the API: the run lasted (about) the target duration, the
 * achieved rate of accepted messages is at least the target, and not one send failed. A burst
 * that finishes early measures nothing sustained, so the duration is part of the verdict.
 */
import { fail, type Finding, verdictFrom, warn } from './findings.ts';
import type { Verdict } from './verdict.ts';

export interface ThroughputInput {
  target: { messagesPerSecond: number; durationSeconds: number };
  /** Messages the API accepted (status "success"). */
  sent: number;
  /** One entry per failed send: Postal's status and code, or the transport error as code. */
  errors: Array<{ status: string; code?: string }>;
  /** Wall time from the first send to the last answer. */
  elapsedMs: number;
  /**
   * Set when --max-messages cut the run short: the rate is judged over the window the cap allows
   * (cap ÷ pace), never failed for being short, and the verdict says the target duration was not proven.
   */
  cap?: { maxMessages: number; windowSeconds: number };
}

/** A paced sender finishes its last send one interval before the nominal end; 10 % covers that and timer jitter. */
const DURATION_TOLERANCE = 0.9;
const round2 = (n: number) => Math.round(n * 100) / 100;

export function checkThroughput(input: ThroughputInput): Verdict {
  const { messagesPerSecond, durationSeconds } = input.target;
  // Stryker disable next-line ArrayDeclaration: equivalent, verdictFrom keeps only entries with a fail/warn outcome, so a seeded placeholder changes nothing
  const findings: Finding[] = [];
  const seconds = input.elapsedMs / 1000;
  const rate = seconds > 0 ? round2(input.sent / seconds) : 0;
  const planned = Math.ceil(messagesPerSecond * durationSeconds);
  const scale = 'Give Postal more capacity: raise worker.threads in postal.yml (default 2) and the web server threads, add CPU (about 10 messages/s on 2 vCPU is typical), and check the database is not the bottleneck';

  const groups = new Map<string, number>();
  for (const e of input.errors) {
    const key = `${e.status}${e.code ? ` ${e.code}` : ''}`;
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  const errorTable = [...groups].map(([error, count]) => ({ error, count })).sort((a, b) => b.count - a.count);

  if (input.sent === 0 || seconds <= 0) {
    findings.push(fail(`nothing was sent (${input.sent} messages in ${seconds.toFixed(1)} s)`, 'Check the API accepts a single send (INF-06) and re-run'));
  } else {
    if (rate < messagesPerSecond) {
      findings.push(fail(`${rate} messages/s sustained, below the target of ${messagesPerSecond}/s`, scale));
    }
    const window = input.cap ? Math.min(durationSeconds, input.cap.windowSeconds) : durationSeconds;
    if (seconds < window * DURATION_TOLERANCE) {
      findings.push(fail(`the run lasted ${seconds.toFixed(1)} s of the ${round2(window)} s ${input.cap ? 'the cap allows' : 'target'}: a burst, not a sustained rate`, `Send at ${messagesPerSecond}/s for the full ${round2(window)} s (${Math.ceil(messagesPerSecond * window)} messages)`));
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
    passSummary: `${rate} messages/s for ${seconds.toFixed(1)} s (${input.sent} messages, target ${messagesPerSecond}/s × ${durationSeconds} s), no errors`,
    expected: `≥ ${messagesPerSecond} messages/s for ${durationSeconds} s, 0 errors`,
    observed: `${rate} messages/s for ${seconds.toFixed(1)} s, ${input.sent} accepted, ${input.errors.length} errors`,
    evidence: [
      { label: 'throughput', detail: { sent: input.sent, elapsedMs: input.elapsedMs, messagesPerSecond: rate, target: input.target, planned } },
      { label: 'errors', detail: errorTable },
    ],
  });
}
