import { setTimeout as delay } from 'node:timers/promises';

/** Time as the poll sees it: injected in tests so no test waits on, or measures, the real clock. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = { now: () => Date.now(), sleep: (ms) => delay(ms) };

export interface PollResult<T> {
  value: T;
  settled: boolean;
  attempts: number;
  elapsedMs: number;
}

export interface PollOptions {
  timeoutMs: number;
  /** First pause between attempts; it doubles up to maxIntervalMs. */
  intervalMs?: number;
  maxIntervalMs?: number;
  clock?: Clock;
  /** Called before each pause: what a long wait prints as progress. */
  onWait?: (progress: { attempts: number; elapsedMs: number; timeoutMs: number }) => void;
}

/**
 * Asks again until the answer is the one we want or the deadline passes, and returns the last
 * answer either way — eventual truths (propagation, delivery, readiness) are polled, never slept on.
 */
export async function pollUntil<T>(
  attempt: () => Promise<T>,
  settled: (value: T) => boolean,
  options: PollOptions,
): Promise<PollResult<T>> {
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  const deadline = started + options.timeoutMs;
  const maxInterval = options.maxIntervalMs ?? 5_000;
  let interval = options.intervalMs ?? 100;
  let attempts = 0;
  for (;;) {
    attempts++;
    const value = await attempt();
    if (settled(value)) return { value, settled: true, attempts, elapsedMs: clock.now() - started };
    const remaining = deadline - clock.now();
    if (remaining <= 0) return { value, settled: false, attempts, elapsedMs: clock.now() - started };
    options.onWait?.({ attempts, elapsedMs: clock.now() - started, timeoutMs: options.timeoutMs });
    await clock.sleep(Math.min(interval, remaining));
    interval = Math.min(interval * 2, maxInterval);
  }
}

/**
 * Like pollUntil, but for a probe that either gives a value or throws: resolves with the first value,
 * or rejects at the deadline naming what was awaited and the last error seen.
 */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, options: PollOptions): Promise<T> {
  let lastError: unknown;
  const polled = await pollUntil(
    async () => {
      try {
        return await probe();
      } catch (error) {
        lastError = error;
        return undefined;
      }
    },
    (value) => value !== undefined,
    options,
  );
  if (polled.settled) return polled.value as T;
  throw new Error(`${what}: not within ${options.timeoutMs} ms${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`);
}

/** A clock that only moves when slept on, for tests: sleeping advances time at once. */
export function manualClock(start = 0): Clock & { advance(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    sleep: (ms) => {
      now += ms;
      return Promise.resolve();
    },
    advance: (ms) => {
      now += ms;
    },
  };
}
