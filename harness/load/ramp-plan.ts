/**
 * The send rates a capacity run tries, step by step: a geometric ramp from a start rate, each step long
 * enough to be a rate rather than a burst, and never more messages in all than the run's cap (the live
 * server's --max-messages). A step the cap would cut short is shortened, and the ramp ends after it.
 */
export interface RampOptions {
  /** messages per second of the first step */
  startRate: number;
  /** each step's rate is the previous one's times this (> 1) */
  factor: number;
  /** at most this many steps */
  maxSteps: number;
  /** how long each step sends */
  stepSeconds: number;
  /** the cap on messages over the whole ramp (per transport) */
  maxMessages: number;
}

export interface RampStep {
  index: number;
  /** offered rate, messages per second */
  rate: number;
  /** messages the step sends */
  count: number;
  /** true when the cap shortened this step */
  capped: boolean;
}

export function planRamp(options: RampOptions): RampStep[] {
  const { startRate, factor, maxSteps, stepSeconds, maxMessages } = options;
  if (!(startRate > 0)) throw new RangeError(`start rate must be above 0 (got ${startRate})`);
  if (!(factor > 1)) throw new RangeError(`ramp factor must be above 1 (got ${factor})`);
  if (!(stepSeconds > 0)) throw new RangeError(`step length must be above 0 s (got ${stepSeconds})`);
  if (!Number.isInteger(maxSteps) || maxSteps < 1) throw new RangeError(`steps must be a positive integer (got ${maxSteps})`);
  if (!Number.isInteger(maxMessages) || maxMessages < 1)
    throw new RangeError(`the message cap must be a positive integer (got ${maxMessages})`);
  const steps: RampStep[] = [];
  let left = maxMessages;
  for (let index = 0; index < maxSteps && left > 0; index++) {
    // Rates are rounded to 0.1 msg/s so the table reads cleanly; every step still rises.
    const rate = Math.round(startRate * factor ** index * 10) / 10;
    const wanted = Math.max(1, Math.round(rate * stepSeconds));
    const count = Math.min(wanted, left);
    steps.push({ index, rate, count, capped: count < wanted });
    left -= count;
  }
  return steps;
}
