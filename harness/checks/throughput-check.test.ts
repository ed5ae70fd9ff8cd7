import { describe, expect, it } from 'vitest';
import { checkThroughput, type ThroughputInput } from './throughput-check.ts';

const target = { messagesPerSecond: 10, durationSeconds: 10 };
const base: ThroughputInput = {
  target,
  sent: 100,
  errors: [],
  elapsedMs: 9_950,
  arrived: 100,
  arrivalWindowMs: 9_000,
  notArrived: [],
  recipient: 'team@mailgoat.ai',
};
const held = {
  trail: {
    outgoing: {
      id: 9,
      direction: 'outgoing' as const,
      status: 'Held',
      attempts: 0,
      details: 'Message held because send limit (100) has been reached.',
    },
  },
};

describe('checkThroughput: the rate of messages that arrived', () => {
  it('passes when every accepted message arrived at the target rate for the target duration', () => {
    const verdict = checkThroughput(base);
    expect(verdict.outcome).toBe('pass');
    expect(verdict.summary).toBe('10.05 messages/s delivered over 9.9 s (100 of 100 arrived, target 10/s × 10 s), no errors');
    expect(verdict.expected).toBe('≥ 10 messages/s delivered for 10 s, every accepted message arrived, 0 errors');
    expect(verdict.evidence[0]?.detail).toEqual({
      sent: 100,
      arrived: 100,
      elapsedMs: 9_950,
      arrivalWindowMs: 9_000,
      messagesPerSecond: 10.05,
      target,
      planned: 100,
    });
  });

  it("counts Held messages against the run and names Postal's reason, though the API accepted them", () => {
    const verdict = checkThroughput({
      ...base,
      sent: 120,
      arrived: 104,
      elapsedMs: 10_000,
      notArrived: [...Array(10).fill(held), ...Array(6).fill({})],
    });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toBe(
      '16 of 120 accepted messages did not arrive (10× Held: Message held because send limit (100) has been reached., 6× not looked up)',
    );
    expect(verdict.remediation).toMatch(/send limit \(messages per hour\)/);
    expect(verdict.evidence[2]?.detail).toEqual([
      { what: 'Held: Message held because send limit (100) has been reached.', count: 10 },
      { what: 'not looked up', count: 6 },
    ]);
    expect(checkThroughput({ ...base, arrived: 99, notArrived: [{ trail: { error: 'timeout' } }] }).summary).toMatch(
      /1× unknown \(Postal could not be asked\)/,
    );
    expect(checkThroughput({ ...base, arrived: 99, notArrived: [{ trail: {} }] }).summary).toMatch(/1× unknown\)/);
    const incoming = {
      trail: {
        outgoing: held.trail.outgoing,
        inbound: { id: 10, direction: 'incoming' as const, status: 'SoftFail', attempts: 2, details: 'Received a 503 from http://x' },
      },
    };
    expect(checkThroughput({ ...base, arrived: 99, notArrived: [incoming] }).summary).toMatch(
      /1× incoming SoftFail: Received a 503 from http:\/\/x/,
    );
  });

  it('judges the rate over the longer of the send and arrival windows: a constant delay is no loss, a late flush no gain', () => {
    expect(checkThroughput({ ...base, arrivalWindowMs: 9_900 }).outcome).toBe('pass');
    const slow = checkThroughput({ ...base, arrivalWindowMs: 20_000 });
    expect(slow.summary).toBe('5 messages/s delivered, below the target of 10/s');
    expect(slow.remediation).toMatch(/worker\.threads/);
    expect(checkThroughput({ ...base, arrivalWindowMs: undefined }).outcome).toBe('pass');
  });

  it('fails on any send error, grouped by code', () => {
    const verdict = checkThroughput({
      ...base,
      sent: 98,
      arrived: 98,
      errors: [
        { status: 'transport', code: 'UND_ERR_HEADERS_TIMEOUT' },
        { status: 'transport', code: 'UND_ERR_HEADERS_TIMEOUT' },
      ],
      elapsedMs: 9_500,
      arrivalWindowMs: 9_000,
    });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toBe('2 sends failed (2× transport UND_ERR_HEADERS_TIMEOUT)');
    expect(verdict.evidence[1]?.detail).toEqual([{ error: 'transport UND_ERR_HEADERS_TIMEOUT', count: 2 }]);
    expect(checkThroughput({ ...base, errors: [{ status: 'error' }] }).summary).toBe('1 send failed (1× error)');
  });

  it('fails a burst that did not last the duration, and a run where nothing arrived', () => {
    expect(checkThroughput({ ...base, elapsedMs: 2_000, arrivalWindowMs: 2_000 }).summary).toMatch(
      /lasted 2\.0 s of the 10 s target: a burst/,
    );
    const none = checkThroughput({ ...base, arrived: 0, notArrived: [] });
    expect(none.summary).toBe('nothing arrived (100 accepted, 0 refused, in 9.9 s)');
    expect(none.remediation).toBe('See FN-01: mail to team@mailgoat.ai must arrive before it can be counted');
    expect(checkThroughput({ ...base, sent: 0, arrived: 0, elapsedMs: 0 }).remediation).toBe(
      'Check the API accepts a single send (INF-06) and re-run',
    );
  });
});

describe('checkThroughput under --max-messages', () => {
  it('judges a capped run over the window the cap allows: never red for the cap, but says what was not proven', () => {
    const verdict = checkThroughput({
      ...base,
      sent: 20,
      arrived: 20,
      elapsedMs: 1_700,
      arrivalWindowMs: 1_600,
      cap: { maxMessages: 20, windowSeconds: 20 / 12 },
    });
    expect(verdict.outcome).toBe('warn');
    expect(verdict.summary).toBe('capped by --max-messages=20: the rate was judged over 1.67 s, not the 10 s target');
    expect(verdict.remediation).toMatch(/--max-messages=100 or more/);
  });
  it('still fails a capped run that is slow or a burst', () => {
    expect(
      checkThroughput({
        ...base,
        sent: 20,
        arrived: 20,
        elapsedMs: 4_000,
        arrivalWindowMs: 3_000,
        cap: { maxMessages: 20, windowSeconds: 20 / 12 },
      }).outcome,
    ).toBe('fail');
    expect(
      checkThroughput({
        ...base,
        sent: 20,
        arrived: 20,
        elapsedMs: 300,
        arrivalWindowMs: 300,
        cap: { maxMessages: 20, windowSeconds: 20 / 12 },
      }).summary,
    ).toMatch(/burst/);
  });
});
