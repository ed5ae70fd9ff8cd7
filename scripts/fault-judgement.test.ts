import { describe, expect, it } from 'vitest';
import { controlText, judgeFaultRun } from './fault-judgement.ts';

const base = {
  fault: 'spf-without-ip',
  expected: ['DNS-03', 'FN-04'],
  exitCode: 1,
  elapsedMs: 1,
  because: { 'DNS-03': /SPF/ },
  texts: { 'DNS-03': 'SPF fails' },
};

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
    expect(judgeFaultRun({ ...base, fault: 'clean', expected: [], because: {}, exitCode: 0, outcomes: { 'DNS-03': 'pass' } }).ok).toBe(
      true,
    );
    expect(judgeFaultRun({ ...base, fault: 'clean', expected: [], because: {}, exitCode: 1, outcomes: { 'DNS-03': 'fail' } }).ok).toBe(
      false,
    );
  });
});

describe('the right reason', () => {
  const red = { ...base, outcomes: { 'DNS-03': 'fail', 'FN-04': 'fail' } };

  it('accepts a failing control whose words name the real cause', () => {
    const j = judgeFaultRun({
      ...red,
      because: { 'DNS-03': /does not authorise|ip4:/i },
      texts: { 'DNS-03': 'SPF for mailgoat.ai gives softfail\nSet TXT spf.mailgoat.ai to "v=spf1 ip4:91.98.35.3 ~all"' },
    });
    expect(j.rightReason).toBe(true);
    expect(j.ok, j.problems.join('; ')).toBe(true);
  });

  it('refuses a control that failed for another cause, quoting what it said', () => {
    const j = judgeFaultRun({ ...red, because: { 'DNS-03': /ip4:/ }, texts: { 'DNS-03': 'SPF needs 11 lookups\nRemove includes' } });
    expect(j.rightReason).toBe(false);
    expect(j.ok).toBe(false);
    expect(j.wrongReason).toEqual([{ id: 'DNS-03', wanted: 'ip4:', said: 'SPF needs 11 lookups' }]);
    expect(j.problems.join(';')).toContain('wrong reason: DNS-03');
  });

  it('refuses a named control that was only blocked: blocked says nothing of the cause', () => {
    const j = judgeFaultRun({
      ...base,
      outcomes: { 'DNS-03': 'fail', 'FN-04': 'blocked' },
      because: { 'FN-04': /DKIM/ },
      texts: { 'FN-04': 'blocked by FN-02 (DKIM)' },
    });
    expect(j.wrongReason.map((w) => w.id)).toEqual(['FN-04']);
    expect(j.wrongReason[0]!.said).toBe('blocked');
  });

  it('calls a fault without any cause in the oracle a problem of the oracle', () => {
    const j = judgeFaultRun({ ...red, because: {} });
    expect(j.problems).toContain('the oracle names no cause for this fault');
    expect(j.ok).toBe(false);
  });
});

describe('controlText', () => {
  it('joins the summary, the remediation and every verdict that did not pass', () => {
    const text = controlText({
      summary: 's',
      remediation: 'r',
      verdicts: [
        { outcome: 'pass', summary: 'fine', remediation: 'none' },
        { outcome: 'fail', summary: 'bad', remediation: 'fix it' },
      ],
    });
    expect(text.split('\n')).toEqual(['s', 'r', 'bad', 'fix it']);
    expect(controlText(undefined)).toBe('');
  });
});
