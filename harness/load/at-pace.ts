/** Paced sending, shared by the load probes and the capacity ramp's steps. */
import { setTimeout as delay } from 'node:timers/promises';

/** Runs `send(i)` at its scheduled instant (start + i/perSecond) and waits for every answer. */
export async function atPace(count: number, perSecond: number, send: (i: number) => Promise<void>): Promise<number> {
  const started = Date.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const wait = started + (i * 1000) / perSecond - Date.now();
    if (wait > 0) await delay(wait); // pacing the load, not waiting for an outcome
    inFlight.push(send(i));
  }
  await Promise.all(inFlight);
  return Date.now() - started;
}
