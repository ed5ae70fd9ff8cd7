import { describe, expect, it } from 'vitest';
import { eventually, manualClock, pollUntil } from './poll.ts';

describe('pollUntil', () => {
  it('returns as soon as the answer settles', async () => {
    let n = 0;
    const result = await pollUntil(
      () => Promise.resolve(++n),
      (v) => v >= 3,
      { timeoutMs: 5_000, intervalMs: 1, clock: manualClock() },
    );
    expect(result).toMatchObject({ value: 3, settled: true, attempts: 3 });
  });

  it('gives up at the deadline with the last answer, unsettled, having waited exactly the deadline', async () => {
    const clock = manualClock(1_000);
    const result = await pollUntil(
      () => Promise.resolve('stale'),
      (v) => v === 'fresh',
      { timeoutMs: 50, intervalMs: 10, clock },
    );
    expect(result).toMatchObject({ value: 'stale', settled: false, elapsedMs: 50 });
    // 10 + 20 + 20 (the last pause is cut to the time remaining), then one last look at the deadline.
    expect(result.attempts).toBe(4);
  });

  it('doubles the pause up to its ceiling and reports progress before each pause', async () => {
    const pauses: number[] = [];
    const clock = manualClock();
    const sleeping = { ...clock, sleep: (ms: number) => (pauses.push(ms), clock.sleep(ms)) };
    const progress: number[] = [];
    await pollUntil(
      () => Promise.resolve(0),
      () => false,
      { timeoutMs: 1_000, intervalMs: 100, maxIntervalMs: 300, clock: sleeping, onWait: (p) => progress.push(p.elapsedMs) },
    );
    expect(pauses).toEqual([100, 200, 300, 300, 100]);
    expect(progress).toEqual([0, 100, 300, 600, 900]);
  });
});

describe('eventually', () => {
  it('resolves with the first value and names what it waited for when none comes', async () => {
    let n = 0;
    await expect(
      eventually('the third try', () => Promise.resolve(++n >= 3 ? n : undefined), { timeoutMs: 100, intervalMs: 1, clock: manualClock() }),
    ).resolves.toBe(3);
    await expect(
      eventually('a banner', () => Promise.reject(new Error('ECONNREFUSED')), { timeoutMs: 30, intervalMs: 10, clock: manualClock() }),
    ).rejects.toThrow('a banner: not within 30 ms (last error: ECONNREFUSED)');
  });
});
