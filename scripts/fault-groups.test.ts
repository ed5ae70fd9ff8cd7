import { describe, expect, it } from 'vitest';
import { outcomesFor, planGroups, type GroupableFault } from './fault-groups.ts';

const f = (name: string, red: string[], surfaces: string[] = [`postal:${name}`]): GroupableFault => ({ name, red, surfaces });

describe('planGroups', () => {
  it('shares a world only between faults with disjoint red sets and disjoint surfaces, largest red sets first', () => {
    const faults = [
      f('dkim-missing', ['DNS-04', 'FN-04'], ['zone:dkim']),
      f('route-mode-hold', ['INF-05', 'FN-01', 'PERF-01']),
      f('dkim-old-key', ['DNS-04', 'FN-04'], ['zone:dkim']),
      f('open-relay', ['SEC-01']),
      f('ptr', ['DNS-06'], ['zone:ptr']),
      f('ptr2', ['DNS-07'], ['zone:ptr']),
    ];
    expect(planGroups(faults, { maxPerGroup: 4 }).groups).toEqual([
      ['route-mode-hold', 'dkim-missing', 'open-relay', 'ptr'],
      ['dkim-old-key', 'ptr2'],
    ]);
  });

  it('keeps to the size cap, runs every fault alone with solo or a cap of one, and is deterministic', () => {
    const faults = ['a', 'b', 'c'].map((n) => f(n, [n]));
    expect(planGroups(faults, { maxPerGroup: 2 }).groups).toEqual([['a', 'b'], ['c']]);
    expect(planGroups(faults, { maxPerGroup: 4, solo: true }).groups).toEqual([['a'], ['b'], ['c']]);
    expect(planGroups(faults, { maxPerGroup: 1 }).groups).toEqual([['a'], ['b'], ['c']]);
    expect(planGroups([...faults].reverse(), { maxPerGroup: 4 }).groups).toEqual([['a', 'b', 'c']]);
  });
});

describe('outcomesFor', () => {
  it("judges a member on its own controls and on every control no member expects red, not on the others'", () => {
    const group = [f('hold', ['INF-05', 'FN-01']), f('dkim', ['DNS-04', 'FN-04'])];
    const outcomes = { 'INF-05': 'fail', 'FN-01': 'blocked', 'DNS-04': 'fail', 'FN-04': 'fail', 'SEC-01': 'fail', 'DNS-01': 'pass' };
    expect(outcomesFor('hold', group, outcomes)).toEqual({ 'INF-05': 'fail', 'FN-01': 'blocked', 'SEC-01': 'fail', 'DNS-01': 'pass' });
    expect(outcomesFor('dkim', group, outcomes)).toEqual({ 'DNS-04': 'fail', 'FN-04': 'fail', 'SEC-01': 'fail', 'DNS-01': 'pass' });
    expect(outcomesFor('alone', [f('alone', ['SEC-01'])], outcomes)).toEqual(outcomes);
  });
});
