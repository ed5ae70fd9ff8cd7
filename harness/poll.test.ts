import { describe, expect, it } from 'vitest';
import { pollUntil } from './poll.ts';

describe('pollUntil', () => {
  it('returns as soon as the answer settles', async () => {
    let n = 0;
    const result = await pollUntil(async () => ++n, (v) => v >= 3, { timeoutMs: 5_000, intervalMs: 1 });
    expect(result).toMatchObject({ value: 3, settled: true, attempts: 3 });
  });

  it('gives up at the deadline with the last answer, unsettled', async () => {
    const result = await pollUntil(async () => 'stale', (v) => v === 'fresh', { timeoutMs: 50, intervalMs: 10 });
    expect(result.settled).toBe(false);
    expect(result.value).toBe('stale');
    expect(result.elapsedMs).toBeGreaterThanOrEqual(50);
    expect(result.elapsedMs).toBeLessThan(1_000);
  });
});
