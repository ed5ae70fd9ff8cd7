/**
 * When the stand-in's worker picks a queued message up: at once by default; with Postal's poll
 * (app/lib/worker/process.rb: each thread takes one message per tick, ticks again at once after work and after
 * work_sleep_time when it found none) a message queued to an idle worker waits for the next tick.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StoredMessage } from './message-store.ts';
import { DEFAULT_RETRY, POSTAL_WORKER_POLL, Worker, type WorkerOptions } from './worker.ts';

const message = (id: number): StoredMessage => ({ id, scope: 'incoming', attempts: 0, queuedAt: Date.now() }) as unknown as StoredMessage;
const metrics = { observe: () => undefined, inc: () => undefined } as unknown as WorkerOptions['metrics'];

/** A worker whose processing only records when each message was taken, and finishes when told. */
function worker(poll?: WorkerOptions['poll']) {
  const w = new Worker({ metrics, retry: DEFAULT_RETRY, ...(poll ? { poll } : {}) } as unknown as WorkerOptions);
  const taken: Array<{ id: number; at: number }> = [];
  const finish = new Map<number, () => void>();
  (w as unknown as { process: (m: StoredMessage) => Promise<void> }).process = (m) => {
    taken.push({ id: m.id, at: Date.now() });
    return new Promise<void>((resolve) => finish.set(m.id, resolve));
  };
  return { w, taken, finish: (id: number) => finish.get(id)!() };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(0);
});
afterEach(() => vi.useRealTimers());

describe("the stand-in's worker", () => {
  it("is Postal 3.3.2's: 2 threads, 5 s between idle ticks", () => {
    expect(POSTAL_WORKER_POLL).toEqual({ threads: 2, workSleepMs: 5_000 });
  });

  it('without a poll, takes a message as soon as it is queued', async () => {
    const { w, taken, finish } = worker();
    w.enqueue(message(1));
    expect(taken).toEqual([{ id: 1, at: 0 }]);
    finish(1);
    await w.stop();
  });

  it("with Postal's poll, an idle worker takes a message at its next tick, and after work looks again at once", async () => {
    const { w, taken, finish } = worker({ threads: 1, workSleepMs: 5_000 });
    await vi.advanceTimersByTimeAsync(1_500);
    w.enqueue(message(1));
    w.enqueue(message(2));
    await vi.advanceTimersByTimeAsync(3_499);
    expect(taken).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(taken).toEqual([{ id: 1, at: 5_000 }]);
    // One thread, one message per tick: the second waits for the first to finish, then goes at once.
    await vi.advanceTimersByTimeAsync(700);
    expect(taken).toHaveLength(1);
    finish(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(taken).toEqual([
      { id: 1, at: 5_000 },
      { id: 2, at: 5_700 },
    ]);
    finish(2);
    // Nothing left: the next look is a full sleep later.
    await vi.advanceTimersByTimeAsync(100);
    w.enqueue(message(3));
    await vi.advanceTimersByTimeAsync(4_899);
    expect(taken).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(taken.at(-1)).toEqual({ id: 3, at: 10_700 });
    finish(3);
    await w.stop();
  });

  it('each thread takes one message: two threads work on two at once, a third waits', async () => {
    const { w, taken, finish } = worker({ threads: 2, workSleepMs: 5_000 });
    for (const id of [1, 2, 3]) w.enqueue(message(id));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(taken.map((t) => t.id)).toEqual([1, 2]);
    finish(2);
    await vi.advanceTimersByTimeAsync(0);
    expect(taken.map((t) => t.id)).toEqual([1, 2, 3]);
    finish(1);
    finish(3);
    await w.stop();
  });

  it('paused, takes nothing; resumed, its threads tick at once; stopped, its sleeping threads end', async () => {
    const { w, taken, finish } = worker({ threads: 2, workSleepMs: 5_000 });
    w.pause();
    w.enqueue(message(1));
    await vi.advanceTimersByTimeAsync(20_000);
    expect(taken).toEqual([]);
    w.resume();
    await vi.advanceTimersByTimeAsync(0);
    expect(taken).toEqual([{ id: 1, at: 20_000 }]);
    const stopped = w.stop();
    finish(1);
    await stopped;
    w.enqueue(message(2));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(taken).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});
