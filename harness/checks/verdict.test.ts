import { describe, expect, it } from 'vitest';
import { type CheckOutcome, combineVerdicts, type Verdict } from './verdict.ts';

const verdict = (outcome: CheckOutcome): Verdict => ({ outcome, summary: outcome, evidence: [] });
const combine = (...outcomes: CheckOutcome[]) => combineVerdicts(outcomes.map(verdict));

describe('combineVerdicts', () => {
  it('passes only when every check passes (and when there is nothing to combine)', () => {
    expect(combine('pass', 'pass')).toBe('pass');
    expect(combine()).toBe('pass');
  });

  it('is worst-of: one fail makes a fail wherever it stands, whatever else warns', () => {
    expect(combine('fail')).toBe('fail');
    expect(combine('pass', 'warn', 'fail')).toBe('fail');
    expect(combine('fail', 'warn', 'pass')).toBe('fail');
  });

  it('warns when something warns and nothing fails', () => {
    expect(combine('warn')).toBe('warn');
    expect(combine('pass', 'warn')).toBe('warn');
    expect(combine('warn', 'pass')).toBe('warn');
  });
});
