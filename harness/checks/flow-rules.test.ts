// Inbox placement and latency: exact findings, fixes, evidence and boundaries (delivery: message-delivery-check.test.ts).
import { describe, expect, it } from 'vitest';
import { checkInboxPlacement } from './inbox-placement-check.ts';
import { checkLatency, DEFAULT_BUCKETS_MS, latencyHistogram, percentile } from './latency-check.ts';

describe('checkInboxPlacement', () => {
  it('passes with exact texts and evidence', () => {
    const placements = [
      { provider: 'gmail.test', mailbox: 'INBOX' as const },
      { provider: 'outlook.test', mailbox: 'INBOX' as const, spamScore: 1 },
    ];
    expect(checkInboxPlacement(placements)).toEqual({
      outcome: 'pass',
      summary: 'Inbox at gmail.test, outlook.test',
      expected: 'INBOX at every provider',
      observed: 'gmail.test: INBOX, outlook.test: INBOX',
      evidence: [{ label: 'placement', detail: placements }],
    });
  });

  it('fails Junk (with or without a score), a missing message and an empty check, with exact fixes', () => {
    const junk = checkInboxPlacement([
      { provider: 'gmail.test', mailbox: 'Junk', spamScore: 0 },
      { provider: 'outlook.test', mailbox: 'Junk' },
    ]);
    expect(junk.summary).toBe('gmail.test put the message in Junk (spam score 0); outlook.test put the message in Junk');
    expect(junk.remediation).toBe(
      'See FN-04 and FN-05 for the reasons the provider had: fix failing or unaligned SPF/DKIM/DMARC, the PTR, and the spam deductions; a new IP also needs a gradual warm-up',
    );
    const missing = checkInboxPlacement([{ provider: 'gmail.test', mailbox: 'missing' }]);
    expect(missing.summary).toBe('the message never reached gmail.test (neither Inbox nor Junk)');
    expect(missing.remediation).toBe("See FN-02: check Postal's delivery attempts to gmail.test (messages/deliveries) for the refusal");
    expect(checkInboxPlacement([])).toMatchObject({
      outcome: 'fail',
      summary: 'no provider was checked',
      remediation: 'Check the seed mailboxes of each provider',
      observed: 'nothing checked',
    });
  });
});

describe('latency helpers', () => {
  it('takes percentiles at the nearest rank, at the edges of (0, 100]', () => {
    expect(percentile([30, 10, 20, 40], 25)).toBe(10);
    expect(percentile([30, 10, 20, 40], 26)).toBe(20);
    expect(percentile([30, 10, 20, 40], 0.1)).toBe(10);
    expect(() => percentile([1], 100.1)).toThrow('percentile 100.1 is outside (0, 100]');
    expect(() => percentile([1], -1)).toThrow(RangeError);
    expect(() => percentile([], 50)).toThrow('percentile of no samples');
    expect(percentile([100, 9, 1000], 100)).toBe(1000);
  });

  it('sorts and de-duplicates bucket bounds, and uses the default ones', () => {
    expect(latencyHistogram([1, 5, 6], [5, 1, 5])).toEqual([
      { label: '≤ 1 ms', upToMs: 1, count: 1 },
      { label: '≤ 5 ms', upToMs: 5, count: 1 },
      { label: '> 5 ms', upToMs: null, count: 1 },
    ]);
    expect(latencyHistogram([1], [])).toEqual([{ label: '> 0 ms', upToMs: null, count: 1 }]);
    expect(DEFAULT_BUCKETS_MS).toEqual([100, 250, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000]);
    expect(latencyHistogram([60_001]).map((b) => b.count)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  });
});

describe('checkLatency', () => {
  const twenty = Array.from({ length: 20 }, (_, i) => (i + 1) * 100); // 100 … 2000 ms

  it('passes with exact texts and evidence, and at exactly the target', () => {
    const verdict = checkLatency({ samplesMs: twenty, p95TargetMs: 1900, lost: 0 });
    expect(verdict).toMatchObject({
      outcome: 'pass',
      summary: 'p50 1000 ms, p95 1900 ms, p99 2000 ms over 20 messages (target p95 ≤ 1900 ms), none lost',
      expected: 'p95 ≤ 1900 ms, 0 lost',
      observed: 'p50 1000 ms, p95 1900 ms, p99 2000 ms, 0 lost of 20',
    });
    expect(verdict.evidence[0]).toEqual({
      label: 'latency percentiles',
      detail: { samples: 20, lost: 0, p50: 1000, p95: 1900, p99: 2000, max: 2000, p95TargetMs: 1900, method: 'nearest rank' },
    });
    expect(verdict.evidence[1]).toEqual({ label: 'latency histogram', detail: latencyHistogram(twenty) });
  });

  it('warns below the minimum sample count, not at it', () => {
    const few = checkLatency({ samplesMs: twenty.slice(0, 19), p95TargetMs: 10_000, lost: 0 });
    expect(few.summary).toBe('only 19 samples: a p95 from fewer than 20 is little more than the maximum');
    expect(few.remediation).toBe('Time at least 20 messages');
    expect(checkLatency({ samplesMs: [1, 2], p95TargetMs: 10_000, lost: 0, minSamples: 2 }).outcome).toBe('pass');
  });

  it('fails p95 over the target with the exact fix', () => {
    const verdict = checkLatency({ samplesMs: twenty, p95TargetMs: 1899, lost: 0 });
    expect(verdict.remediation).toBe(
      'Postal v3 workers poll the database queue about every 5 s: raise worker.threads (or run more worker processes), and check the inbox endpoints answer quickly (a slow endpoint holds a worker thread)',
    );
  });

  it('fails lost messages with the exact fix, counting them in the total', () => {
    const verdict = checkLatency({ samplesMs: twenty, p95TargetMs: 10_000, lost: 2 });
    expect(verdict.summary).toBe('2 of 22 messages never arrived');
    expect(verdict.remediation).toBe(
      'Look the lost messages up in Postal (messages/message, messages/deliveries): Held or SoftFail entries show where they stopped; a queue backlog shows in postal_message_queue_latency on the worker /metrics',
    );
    expect(verdict.observed).toBe('p50 1000 ms, p95 1900 ms, p99 2000 ms, 2 lost of 22');
  });

  it('fails invalid samples, quoting at most three, and keeps 0 ms as valid', () => {
    const verdict = checkLatency({ samplesMs: [...twenty, Number.NaN, -1, Infinity, -2, 0], p95TargetMs: 10_000, lost: 0 });
    expect(verdict.summary).toBe('4 latency samples are not valid durations (NaN, -1, Infinity)');
    expect(verdict.remediation).toBe('Measure each latency as arrival time − send time in ms');
    expect(verdict.evidence[0]?.detail).toMatchObject({ samples: 21, p50: 1000 });
  });

  it('fails when nothing arrived', () => {
    const verdict = checkLatency({ samplesMs: [], p95TargetMs: 10_000, lost: 3 });
    expect(verdict.summary).toBe('3 of 3 messages never arrived; no message arrived, so there is no latency to measure');
    expect(verdict.remediation).toMatch(/; See FN-01: mail must flow before it can be timed$/);
    expect(verdict.observed).toBe('no samples, 3 lost');
    expect(verdict.evidence[0]?.detail).toEqual({ samples: 0, lost: 3, p95TargetMs: 10_000, method: 'nearest rank' });
  });
});
