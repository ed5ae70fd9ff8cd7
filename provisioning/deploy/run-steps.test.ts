import { describe, expect, it } from 'vitest';
import { runSteps, StepFailed, type Step } from './run-steps.ts';

/** A step over a set of wanted items: the smallest thing with state, to drive the runner. */
function setStep(id: string, have: Set<string>, want: string[], options: { breakApply?: boolean } = {}): Step<Set<string>> {
  return {
    id,
    title: `step ${id}`,
    observe: () => Promise.resolve(new Set(have)),
    plan: (observed) =>
      want
        .filter((w) => !observed.has(w))
        .map((w) => ({ what: `add ${w}`, apply: () => Promise.resolve(void (options.breakApply ? undefined : have.add(w))) })),
    postcondition: (observed) => want.filter((w) => !observed.has(w)).map((w) => `${w} missing`),
  };
}

describe('runSteps', () => {
  it('applies what is missing, then a second run changes nothing', async () => {
    const have = new Set(['a']);
    const lines: string[] = [];
    const first = await runSteps([setStep('s', have, ['a', 'b', 'c'])], { dryRun: false, log: (l) => lines.push(l) });
    expect(first.changed).toBe(2);
    expect(lines).toEqual(['[1/1] step s', '  add b…', '  add c…', '  ok (2 changed)']);
    const second = await runSteps([setStep('s', have, ['a', 'b', 'c'])], { dryRun: false, log: () => undefined });
    expect(second.changed).toBe(0);
  });

  it('a dry run lists the plan and changes nothing', async () => {
    const have = new Set<string>();
    const lines: string[] = [];
    const summary = await runSteps([setStep('s', have, ['x'])], { dryRun: true, log: (l) => lines.push(l) });
    expect(summary.changed).toBe(1);
    expect(lines).toContain('  would add x');
    expect(have.size).toBe(0);
  });

  it('stops at a step whose postcondition fails, naming what is wrong, and runs no later step', async () => {
    const later = new Set<string>();
    const run = runSteps([setStep('broken', new Set(), ['x'], { breakApply: true }), setStep('later', later, ['y'])], {
      dryRun: false,
      log: () => undefined,
    });
    await expect(run).rejects.toThrow(StepFailed);
    await expect(run).rejects.toThrow('x missing');
    expect(later.size).toBe(0);
  });

  it('resumes: a run stopped after the first step picks up at the second', async () => {
    const one = new Set<string>();
    const two = new Set<string>();
    await expect(
      runSteps([setStep('1', one, ['a']), setStep('2', two, ['b'], { breakApply: true })], { dryRun: false, log: () => undefined }),
    ).rejects.toThrow();
    const again = await runSteps([setStep('1', one, ['a']), setStep('2', two, ['b'])], { dryRun: false, log: () => undefined });
    expect(again.perStep).toEqual([
      { id: '1', changed: 0 },
      { id: '2', changed: 1 },
    ]);
  });
});
