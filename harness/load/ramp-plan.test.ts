import { describe, expect, it } from 'vitest';
import { planRamp } from './ramp-plan.ts';

describe('planRamp', () => {
  it('rises geometrically, each step sending rate × step length', () => {
    const steps = planRamp({ startRate: 5, factor: 2, maxSteps: 4, stepSeconds: 10, maxMessages: 10_000 });
    expect(steps.map((s) => [s.rate, s.count, s.capped])).toEqual([
      [5, 50, false],
      [10, 100, false],
      [20, 200, false],
      [40, 400, false],
    ]);
  });

  it('never plans more messages than the cap: the step that reaches it is shortened and is the last', () => {
    const steps = planRamp({ startRate: 5, factor: 2, maxSteps: 10, stepSeconds: 10, maxMessages: 200 });
    expect(steps.reduce((n, s) => n + s.count, 0)).toBe(200);
    expect(steps.map((s) => s.count)).toEqual([50, 100, 50]);
    expect(steps.at(-1)!.capped).toBe(true);
  });

  it('refuses settings that cannot make a ramp', () => {
    const ok = { startRate: 5, factor: 2, maxSteps: 3, stepSeconds: 10, maxMessages: 100 };
    expect(() => planRamp({ ...ok, factor: 1 })).toThrow(/factor must be above 1/);
    expect(() => planRamp({ ...ok, startRate: 0 })).toThrow(/start rate/);
    expect(() => planRamp({ ...ok, maxMessages: 0 })).toThrow(/cap/);
    expect(() => planRamp({ ...ok, maxSteps: 1.5 })).toThrow(/steps/);
    expect(() => planRamp({ ...ok, stepSeconds: -1 })).toThrow(/step length/);
  });
});
