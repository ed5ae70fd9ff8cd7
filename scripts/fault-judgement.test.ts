import { describe, expect, it } from 'vitest';
import { judgeFaultRun } from './fault-judgement.ts';

const base = { fault: 'spf-without-ip', expected: ['DNS-03', 'FN-04'], exitCode: 1, elapsedMs: 1 };

describe('judgeFaultRun', () => {
  it('accepts a fault whose expected controls fail and nothing else', () => {
    expect(judgeFaultRun({ ...base, outcomes: { 'DNS-03': 'fail', 'FN-04': 'fail', 'DNS-01': 'pass' } }).ok).toBe(true);
  });

  it('calls a fault undetected when its controls only pass or are blocked', () => {
    const j = judgeFaultRun({ ...base, outcomes: { 'DNS-03': 'pass', 'FN-04': 'blocked' } });
    expect(j.detected).toBe(false);
    expect(j.problems).toContain('UNDETECTED');
  });

  it('flags an unrelated red control and an expected control that stayed green', () => {
    const j = judgeFaultRun({ ...base, outcomes: { 'DNS-03': 'fail', 'FN-04': 'pass', 'SEC-01': 'fail' } });
    expect(j.ok).toBe(false);
    expect(j.unrelated).toEqual(['SEC-01']);
    expect(j.missed).toEqual(['FN-04']);
  });

  it('requires the clean run to exit 0 with nothing red', () => {
    expect(judgeFaultRun({ ...base, fault: 'clean', expected: [], exitCode: 0, outcomes: { 'DNS-03': 'pass' } }).ok).toBe(true);
    expect(judgeFaultRun({ ...base, fault: 'clean', expected: [], exitCode: 1, outcomes: { 'DNS-03': 'fail' } }).ok).toBe(false);
  });
});
