import { describe, expect, it } from 'vitest';
import { manualClock } from '../../core/poll.ts';
import type { ControlOutcome } from '../controls/control-result.ts';
import { awaitEnded, awaitPrerequisites, type PrerequisiteSources } from './prerequisite-wait.ts';

/** Outcomes that appear at given moments of a manual clock, as another spec file's controls would record them. */
function world(arrivals: Record<string, { at: number; outcome: ControlOutcome }>, options: { notRun?: string[]; stopAt?: number } = {}) {
  const clock = manualClock();
  const sources: PrerequisiteSources = {
    runs: (id) => !(options.notRun ?? []).includes(id),
    outcomeOf: (id) => {
      const arrival = arrivals[id];
      return arrival && clock.now() >= arrival.at ? arrival.outcome : undefined;
    },
    interrupted: () => options.stopAt !== undefined && clock.now() >= options.stopAt,
  };
  return { clock, sources };
}

describe('awaitPrerequisites', () => {
  it('clears at once when every prerequisite has passed', async () => {
    const { clock, sources } = world({ 'INF-01': { at: 0, outcome: 'pass' } });
    expect(await awaitPrerequisites(['INF-01'], sources, { timeoutMs: 60_000, clock })).toEqual({ kind: 'clear', waitedMs: 0 });
  });

  it('waits for a prerequisite still running in another file, then clears', async () => {
    const { clock, sources } = world({ 'INF-05': { at: 1_200, outcome: 'pass' }, 'INF-06': { at: 300, outcome: 'warn' } });
    const decision = await awaitPrerequisites(['INF-05', 'INF-06'], sources, { timeoutMs: 60_000, clock });
    expect(decision.kind).toBe('clear');
    expect(decision.waitedMs).toBeGreaterThanOrEqual(1_200);
    // Looks are at most 250 ms apart: the control starts soon after its prerequisite ends.
    expect(decision.waitedMs).toBeLessThan(1_200 + 250);
  });

  it.each<[ControlOutcome]>([['fail'], ['error'], ['blocked']])('is blocked by a prerequisite that ended %s, named', async (outcome) => {
    const { clock, sources } = world({ 'INF-05': { at: 0, outcome: 'pass' }, 'INF-06': { at: 500, outcome } });
    expect(await awaitPrerequisites(['INF-05', 'INF-06'], sources, { timeoutMs: 60_000, clock })).toMatchObject({
      kind: 'blocked',
      by: 'INF-06',
      reason: 'prerequisite INF-06 did not pass',
    });
  });

  it('names the first blocking prerequisite in catalog order, whichever ended first', async () => {
    const { clock, sources } = world({ 'INF-05': { at: 900, outcome: 'fail' }, 'INF-06': { at: 10, outcome: 'fail' } });
    expect(await awaitPrerequisites(['INF-05', 'INF-06'], sources, { timeoutMs: 60_000, clock })).toMatchObject({ by: 'INF-05' });
  });

  it.each<[ControlOutcome]>([['warn'], ['skipped'], ['waived']])('does not block on a prerequisite that ended %s', async (outcome) => {
    const { clock, sources } = world({ 'FN-01': { at: 100, outcome } });
    expect((await awaitPrerequisites(['FN-01'], sources, { timeoutMs: 60_000, clock })).kind).toBe('clear');
  });

  it('neither waits for nor blocks on a prerequisite this run does not hold (--only, a file filter)', async () => {
    const { clock, sources } = world({}, { notRun: ['FN-01'] });
    expect(await awaitPrerequisites(['FN-01'], sources, { timeoutMs: 60_000, clock })).toEqual({ kind: 'clear', waitedMs: 0 });
  });

  it('is blocked, saying so, by a prerequisite that never records an outcome', async () => {
    const { clock, sources } = world({ 'INF-01': { at: 0, outcome: 'pass' } });
    const decision = await awaitPrerequisites(['INF-01', 'INF-02'], sources, { timeoutMs: 30_000, clock });
    expect(decision).toMatchObject({ kind: 'blocked', by: 'INF-02' });
    expect(decision.kind === 'blocked' && decision.reason).toBe(
      'prerequisite INF-02 recorded no outcome within 30 s (its spec file stopped or hung)',
    );
    expect(decision.waitedMs).toBe(30_000);
  });

  it('stops waiting when the run is interrupted', async () => {
    const { clock, sources } = world({ 'FN-01': { at: 50_000, outcome: 'pass' } }, { stopAt: 2_000 });
    const decision = await awaitPrerequisites(['FN-01'], sources, { timeoutMs: 600_000, clock });
    expect(decision.kind).toBe('interrupted');
    expect(decision.waitedMs).toBeLessThan(2_000 + 250);
  });
});

describe('awaitEnded (a control that must not overlap other areas)', () => {
  it('waits until every control of this run has ended, failed ones included', async () => {
    const { clock, sources } = world(
      { 'SEC-01': { at: 400, outcome: 'fail' }, 'SEC-05': { at: 3_700, outcome: 'warn' } },
      { notRun: ['SEC-02'] },
    );
    const ended = await awaitEnded(['SEC-01', 'SEC-02', 'SEC-05'], sources, { timeoutMs: 60_000, clock });
    expect(ended.kind).toBe('ended');
    expect(ended.waitedMs).toBeGreaterThanOrEqual(3_700);
    expect(ended.waitedMs).toBeLessThan(3_700 + 250);
  });

  it('gives up at the deadline (a hung file), saying so, and stops at once on an interruption', async () => {
    const hung = world({});
    expect(await awaitEnded(['SEC-05'], hung.sources, { timeoutMs: 20_000, clock: hung.clock })).toEqual({
      kind: 'timed-out',
      waitedMs: 20_000,
    });
    const stopped = world({}, { stopAt: 1_000 });
    expect((await awaitEnded(['SEC-05'], stopped.sources, { timeoutMs: 20_000, clock: stopped.clock })).kind).toBe('interrupted');
  });
});
