import { describe, expect, it } from 'vitest';
import { findKnee, judgeStep, type StepMeasurement } from './knee.ts';

const step = (offeredRate: number, over: Partial<StepMeasurement> = {}): StepMeasurement => ({
  offeredRate,
  acceptedRate: offeredRate,
  sent: offeredRate * 10,
  errors: 0,
  lost: 0,
  p95Ms: 800,
  ...over,
});
const criteria = { p95TargetMs: 5000 };

describe('judgeStep', () => {
  it('passes a step that keeps up within the target', () => {
    expect(judgeStep(step(10), criteria)).toEqual({ ok: true });
  });

  it('fails on p95 over the target, not at it', () => {
    expect(judgeStep(step(10, { p95Ms: 5000 }), criteria).ok).toBe(true);
    expect(judgeStep(step(10, { p95Ms: 5001 }), criteria)).toEqual({ ok: false, reason: 'p95 5001 ms over the 5000 ms target' });
  });

  it('fails on any refused send or lost message', () => {
    expect(judgeStep(step(10, { errors: 1 }), criteria)).toMatchObject({ ok: false, reason: '1 of 100 sends refused' });
    expect(judgeStep(step(10, { lost: 2 }), criteria)).toMatchObject({ ok: false, reason: expect.stringMatching(/2 accepted message/) });
  });

  it('fails when nothing arrived', () => {
    expect(judgeStep(step(10, { p95Ms: undefined }), criteria)).toMatchObject({ ok: false, reason: 'nothing was delivered' });
  });

  it('fails when the server accepts clearly less than offered (senders queued)', () => {
    expect(judgeStep(step(10, { acceptedRate: 9 }), criteria).ok).toBe(true);
    expect(judgeStep(step(10, { acceptedRate: 8.9 }), criteria)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/accepted 8\.9 msg\/s of 10/),
    });
    expect(judgeStep(step(10, { acceptedRate: 8.9 }), { ...criteria, minAcceptedShare: 0.8 }).ok).toBe(true);
  });
});

describe('findKnee', () => {
  it('is the last clean step before the first bad one', () => {
    const knee = findKnee([step(5), step(10), step(20, { p95Ms: 9000 }), step(40)], criteria);
    expect(knee).toEqual({ kneeRate: 10, firstBadStep: 2, reason: 'p95 9000 ms over the 5000 ms target' });
  });

  it('has no knee rate when the first step is already bad', () => {
    expect(findKnee([step(5, { errors: 3 })], criteria)).toEqual({ firstBadStep: 0, reason: '3 of 50 sends refused' });
  });

  it('reports the highest clean rate and no bad step when the ramp never reached the knee', () => {
    expect(findKnee([step(5), step(10)], criteria)).toEqual({ kneeRate: 10 });
    expect(findKnee([], criteria)).toEqual({});
  });
});
