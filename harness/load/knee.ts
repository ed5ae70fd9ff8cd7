/**
 * Where a server stops keeping up: the knee of a capacity ramp. A step is past the knee when its p95
 * delivery latency is over the target, when anything failed (a refused send, a message lost), or when the
 * server accepted clearly less than was offered (it is queueing the senders). The knee is the last step
 * before the first such step — the highest rate the server took cleanly.
 */
export interface StepMeasurement {
  /** offered rate, messages per second */
  offeredRate: number;
  /** messages the server accepted per second over the step */
  acceptedRate: number;
  sent: number;
  /** refused sends (API error, SMTP reply ≥ 400, transport error) */
  errors: number;
  /** accepted but never delivered before the step's deadline */
  lost: number;
  p95Ms?: number;
}

export interface KneeCriteria {
  p95TargetMs: number;
  /** accepted/offered below this is "not keeping up" (default 0.9) */
  minAcceptedShare?: number;
}

export type StepJudgement = { ok: true } | { ok: false; reason: string };

export function judgeStep(step: StepMeasurement, criteria: KneeCriteria): StepJudgement {
  const share = criteria.minAcceptedShare ?? 0.9;
  if (step.errors > 0) return { ok: false, reason: `${step.errors} of ${step.sent} sends refused` };
  if (step.lost > 0) return { ok: false, reason: `${step.lost} accepted message(s) not delivered in time` };
  if (step.p95Ms === undefined) return { ok: false, reason: 'nothing was delivered' };
  if (step.p95Ms > criteria.p95TargetMs)
    return { ok: false, reason: `p95 ${Math.round(step.p95Ms)} ms over the ${criteria.p95TargetMs} ms target` };
  if (step.acceptedRate < step.offeredRate * share) {
    return {
      ok: false,
      reason: `accepted ${step.acceptedRate.toFixed(1)} msg/s of ${step.offeredRate} offered (below ${Math.round(share * 100)} %)`,
    };
  }
  return { ok: true };
}

export interface Knee {
  /** the last clean step's accepted rate; undefined when even the first step was past the knee */
  kneeRate?: number;
  /** index of the first step past the knee; undefined when the ramp ended before reaching it */
  firstBadStep?: number;
  reason?: string;
}

export function findKnee(steps: StepMeasurement[], criteria: KneeCriteria): Knee {
  let kneeRate: number | undefined;
  for (const [index, step] of steps.entries()) {
    const judgement = judgeStep(step, criteria);
    if (!judgement.ok) return { ...(kneeRate !== undefined ? { kneeRate } : {}), firstBadStep: index, reason: judgement.reason };
    kneeRate = step.acceptedRate;
  }
  return kneeRate !== undefined ? { kneeRate } : {};
}
