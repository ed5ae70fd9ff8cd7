import { setTimeout as delay } from 'node:timers/promises';

export interface PollResult<T> {
  value: T;
  settled: boolean;
  attempts: number;
  elapsedMs: number;
}

/**
 * Asks again until the answer is the one we want or the deadline passes, and returns the last
 * answer either way — eventual truths (propagation, delivery) are polled, never slept on.
 */
export async function pollUntil<T>(
  attempt: () => Promise<T>,
  settled: (value: T) => boolean,
  options: { timeoutMs: number; intervalMs?: number },
): Promise<PollResult<T>> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  let interval = options.intervalMs ?? 100;
  let attempts = 0;
  for (;;) {
    attempts++;
    const value = await attempt();
    if (settled(value)) return { value, settled: true, attempts, elapsedMs: Date.now() - started };
    const remaining = deadline - Date.now();
    if (remaining <= 0) return { value, settled: false, attempts, elapsedMs: Date.now() - started };
    await delay(Math.min(interval, remaining));
    interval = Math.min(interval * 2, 5_000);
  }
}
