import { describe, expect, it } from 'vitest';
import { CATALOG } from '../harness/controls/catalog.ts';
import { faultNames } from '../harness/targets/embedded.ts';
import { FAULT_ORACLE, expectedReasons, expectedRed } from './fault-oracle.ts';

const ids = new Set(CATALOG.map((c) => c.id));

describe('the fault oracle', () => {
  it('has a row for every named fault of the world, and none for a fault the world lacks', () => {
    expect(Object.keys(FAULT_ORACLE).sort()).toEqual([...faultNames()].sort());
  });

  it.each(faultNames())('%s: names the real cause for at least one control it turns red, and only catalog controls', (fault) => {
    const red = expectedRed(fault);
    const because = Object.keys(expectedReasons(fault));
    expect(because.length).toBeGreaterThan(0);
    for (const id of [...red, ...because]) expect(ids.has(id), id).toBe(true);
    for (const id of because) expect(red, `${fault}: ${id} has a cause but is not expected red`).toContain(id);
  });

  it('throws for a fault without a row', () => {
    expect(() => expectedRed('no-such-fault')).toThrow(/no row for "no-such-fault"/);
  });
});
