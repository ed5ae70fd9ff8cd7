import { describe, expect, it } from 'vitest';
import { controlReads, outcomesFor, planGroups, type GroupableFault } from './fault-groups.ts';

const f = (name: string, red: string[], surfaces: string[] = [`postal:${name}`]): GroupableFault => ({ name, red, surfaces });
/** The worlds planned for `faults`, four at most each, with what MailGoat's controls read. */
const groupsOf = (faults: GroupableFault[]): string[][] =>
  planGroups(faults, { maxPerGroup: 4, reads: controlReads('mailgoat.ai') }).groups;

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

  it('keeps a fault judged on FN-08 (reports mailed to the domain) out of a world whose MX another fault moves', () => {
    const faults = [
      f('mx-elsewhere', ['DNS-01', 'DNS-09'], ['zone:mailgoat.ai']),
      f('dkim-fallback-signing', ['DNS-04', 'FN-04', 'FN-08']),
      f('route-mode-hold', ['INF-05']),
    ];
    expect(planGroups(faults, { maxPerGroup: 4 }).groups).toEqual([['dkim-fallback-signing', 'mx-elsewhere', 'route-mode-hold']]);
    expect(planGroups(faults, { maxPerGroup: 4, reads: controlReads('MailGoat.ai') }).groups).toEqual([
      ['dkim-fallback-signing'],
      ['mx-elsewhere', 'route-mode-hold'],
    ]);
  });

  it('keeps a fault judged on a control out of a world where another fault breaks what that control needs healthy', () => {
    const faults = [
      f('web-down', ['INF-01', 'INF-02', 'FN-01']),
      f('dmarc-report-foreign-domain', ['FN-08']),
      f('dane-tlsa-stale-after-renewal', ['DNS-14']),
      f('caa-forbids-issuance', ['DNS-12']),
    ];
    // (relay faults the same way: SEC-01 follows an accepted attempt out through Postal.)
    expect(groupsOf([f('postal-resolver-down', ['INF-05', 'FN-02']), f('relay-source-route', ['SEC-01'])])).toEqual([
      ['postal-resolver-down'],
      ['relay-source-route'],
    ]);
    // (nor can spoofed mail reach an agent without a worker.)
    expect(groupsOf([f('worker-down', ['INF-03', 'INF-05']), f('spoof-reject-domain-delivered', ['SEC-07'])])).toEqual([
      ['worker-down'],
      ['spoof-reject-domain-delivered'],
    ]);
    // (and an MTA-STS policy cannot be fetched from a web host that is down.)
    expect(groupsOf([f('web-down', ['INF-01']), f('mta-sts-broken', ['DNS-10'])])).toEqual([['mta-sts-broken'], ['web-down']]);
    const reads = { reads: controlReads('mailgoat.ai') };
    expect(planGroups(faults, { maxPerGroup: 4, ...reads }).groups).toEqual([
      ['web-down', 'caa-forbids-issuance'],
      ['dane-tlsa-stale-after-renewal', 'dmarc-report-foreign-domain'],
    ]);
    // Either order of arrival: the check runs both ways.
    expect(planGroups([...faults].reverse(), { maxPerGroup: 4, ...reads }).groups).toEqual([
      ['web-down', 'caa-forbids-issuance'],
      ['dane-tlsa-stale-after-renewal', 'dmarc-report-foreign-domain'],
    ]);
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
