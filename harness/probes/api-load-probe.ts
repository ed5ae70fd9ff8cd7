/**
 * Load on Postal's send API at a set pace (PERF-01): every message at its own scheduled instant, each
 * answer counted. The pace is the plan's, the count the run's cap: a capped run says so in its facts.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { probeBody, probeSubject } from '../controls/mail-probe.ts';
import type { ProbeContext } from './probe-context.ts';
import { textOf } from '../../core/text-of.ts';

export interface LoadOutcome {
  sent: number;
  errors: Array<{ status: string; code?: string }>;
  elapsedMs: number;
}

export interface ApiLoadProbe {
  /** Sends `count` messages at `perSecond` from the first agent to `to`, tagged as load. */
  sendAtPace(count: number, perSecond: number, to: string): Promise<LoadOutcome>;
}

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

export function apiLoadProbe(context: ProbeContext): ApiLoadProbe {
  return {
    async sendAtPace(count, perSecond, to) {
      const postal = context.postal();
      const sender = context.target.accounts[0];
      if (!sender) throw new Error('the target gives no agent API key');
      context.willSend(count, `${count} load messages at ${perSecond}/s`);
      const errors: LoadOutcome['errors'] = [];
      const elapsedMs = await atPace(count, perSecond, async (i) => {
        try {
          const answer = await postal.call('send/message', sender.apiKey, {
            to: [to],
            from: sender.address,
            subject: probeSubject(context.run.runToken, `PERF-01 ${i + 1}/${count}`),
            plain_body: probeBody(context.run.runToken, `throughput ${i + 1}`),
            tag: 'postal-qa-load',
          });
          if (answer.status !== 'success') errors.push({ status: answer.status, code: textOf(answer.data.code) });
        } catch (error) {
          errors.push({ status: 'transport-error', code: (error as Error).message });
        }
      });
      return { sent: count - errors.length, errors, elapsedMs };
    },
  };
}
