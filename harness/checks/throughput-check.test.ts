import { describe, expect, it } from 'vitest';
import { checkThroughput } from './throughput-check.ts';

const target = { messagesPerSecond: 10, durationSeconds: 10 };

describe('checkThroughput', () => {
  it('passes at the target rate for the target duration with no errors', () => {
    const verdict = checkThroughput({ target, sent: 100, errors: [], elapsedMs: 9_950 });
    expect(verdict.outcome).toBe('pass');
    expect(verdict.summary).toBe('10.05 messages/s for 9.9 s (100 messages, target 10/s × 10 s), no errors');
  });

  it('fails below the target rate', () => {
    const verdict = checkThroughput({ target, sent: 70, errors: [], elapsedMs: 10_000 });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toBe('7 messages/s sustained, below the target of 10/s');
    expect(verdict.remediation).toMatch(/worker\.threads/);
  });

  it('fails on any error, grouped by code', () => {
    const verdict = checkThroughput({ target, sent: 98, errors: [{ status: 'transport', code: 'UND_ERR_HEADERS_TIMEOUT' }, { status: 'transport', code: 'UND_ERR_HEADERS_TIMEOUT' }], elapsedMs: 9_500 });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toBe('2 sends failed (2× transport UND_ERR_HEADERS_TIMEOUT)');
    expect(verdict.evidence[1]?.detail).toEqual([{ error: 'transport UND_ERR_HEADERS_TIMEOUT', count: 2 }]);
  });

  it('fails a burst that did not last the duration, and a run that sent nothing', () => {
    expect(checkThroughput({ target, sent: 100, errors: [], elapsedMs: 2_000 }).summary).toMatch(/lasted 2\.0 s of the 10 s target/);
    expect(checkThroughput({ target, sent: 0, errors: [], elapsedMs: 0 }).outcome).toBe('fail');
  });
});

describe('checkThroughput under --max-messages', () => {
  const target = { messagesPerSecond: 10, durationSeconds: 10 };
  it('judges a capped run over the window the cap allows: never red for the cap, but says what was not proven', () => {
    // 20 messages at 12/s: a 1.67 s window.
    const verdict = checkThroughput({ target, sent: 20, errors: [], elapsedMs: 1_700, cap: { maxMessages: 20, windowSeconds: 20 / 12 } });
    expect(verdict.outcome).toBe('warn');
    expect(verdict.summary).toBe('capped by --max-messages=20: the rate was judged over 1.67 s, not the 10 s target');
    expect(verdict.remediation).toMatch(/--max-messages=100 or more/);
  });
  it('still fails a capped run that is slow or erring', () => {
    expect(checkThroughput({ target, sent: 20, errors: [], elapsedMs: 4_000, cap: { maxMessages: 20, windowSeconds: 20 / 12 } }).outcome).toBe('fail');
    expect(checkThroughput({ target, sent: 19, errors: [{ status: 'error', code: 'ServerError' }], elapsedMs: 1_700, cap: { maxMessages: 20, windowSeconds: 20 / 12 } }).outcome).toBe('fail');
    // Shorter than even the capped window: still a burst.
    expect(checkThroughput({ target, sent: 20, errors: [], elapsedMs: 300, cap: { maxMessages: 20, windowSeconds: 20 / 12 } }).summary).toMatch(/burst/);
  });
  it('without a cap a short run is still a burst', () => {
    expect(checkThroughput({ target, sent: 20, errors: [], elapsedMs: 1_700 }).summary).toMatch(/lasted 1\.7 s of the 10 s target: a burst/);
  });
});
