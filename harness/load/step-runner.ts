/**
 * One step of a capacity ramp: send the step's messages at its rate (each at its own scheduled instant,
 * like PERF-01), note when each was sent and whether the server accepted it, then read the inboxes until
 * every accepted message has arrived or the step's deadline passes. Latency is the receiver's arrival
 * stamp minus the send instant (as PERF-02), so polling intervals never inflate it.
 */
import { pollUntil } from '../../core/poll.ts';
import { atPace } from './at-pace.ts';
import type { StepMeasurement } from './knee.ts';
import { summariseLatencies, type LatencySummary } from './latency-summary.ts';

export interface StepInput<M extends { subject: string; to: string }> {
  rate: number;
  messages: M[];
  /** resolves when the server accepted the message; throws (with the server's words) when it refused it */
  send(message: M): Promise<void>;
  /** the arrival instants (epoch ms) of the step's messages found so far, by subject */
  arrivals(recipients: string[]): Promise<Map<string, number>>;
  /** how long to wait for deliveries after the last send */
  deliveryDeadlineMs: number;
}

export interface StepResult extends StepMeasurement, LatencySummary {
  elapsedMs: number;
  /** the first few refusals, verbatim, for the report */
  errorSamples: string[];
}

export async function runStep<M extends { subject: string; to: string }>(input: StepInput<M>): Promise<StepResult> {
  const sentAt = new Array<number>(input.messages.length);
  const accepted = new Array<boolean>(input.messages.length).fill(false);
  const errorSamples: string[] = [];
  let errors = 0;
  let lastAccepted = 0;
  const started = Date.now();
  await atPace(input.messages.length, input.rate, async (i) => {
    sentAt[i] = Date.now();
    try {
      await input.send(input.messages[i]!);
      accepted[i] = true;
      lastAccepted = Math.max(lastAccepted, Date.now());
    } catch (error) {
      errors++;
      if (errorSamples.length < 3) errorSamples.push((error as Error).message.slice(0, 200));
    }
  });
  const elapsedMs = Math.max(1, (lastAccepted || Date.now()) - started);
  const acceptedCount = accepted.filter(Boolean).length;
  const recipients = [...new Set(input.messages.map((m) => m.to))];
  const wanted = new Set(input.messages.filter((_, i) => accepted[i]).map((m) => m.subject));
  const polled = await pollUntil(
    () => input.arrivals(recipients).catch(() => new Map<string, number>()),
    (found) => [...wanted].every((subject) => found.has(subject)),
    { timeoutMs: input.deliveryDeadlineMs, intervalMs: 250, maxIntervalMs: 1_000 },
  );
  const latencies = input.messages.flatMap((m, i) => {
    if (!accepted[i]) return [];
    const arrived = polled.value.get(m.subject);
    return [arrived === undefined ? undefined : Math.max(0, arrived - sentAt[i]!)];
  });
  const summary = summariseLatencies(latencies);
  return {
    offeredRate: input.rate,
    acceptedRate: Math.round((acceptedCount / (elapsedMs / 1000)) * 10) / 10,
    sent: input.messages.length,
    errors,
    elapsedMs,
    errorSamples,
    ...summary,
  };
}
