import { describe, expect, it } from 'vitest';
import { checkA } from './a-record-check.ts';
import { errorObs, nxObs, okObs } from './fake-observations.ts';

const base = { host: 'mail.mailgoat.ai', expectedIp: '91.98.35.3' };

describe('checkA', () => {
  it('passes when the host resolves to the IP', () => {
    const verdict = checkA({ ...base, observation: okObs('A', 'mail.mailgoat.ai', ['91.98.35.3']) });
    expect(verdict.outcome).toBe('pass');
    expect(verdict.expected).toBe('A mail.mailgoat.ai 91.98.35.3');
  });

  it('fails when it resolves elsewhere', () => {
    const verdict = checkA({ ...base, observation: okObs('A', 'mail.mailgoat.ai', ['203.0.113.9']) });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.remediation).toBe('Set A mail.mailgoat.ai to 91.98.35.3 (replacing 203.0.113.9)');
  });

  it('fails when it does not resolve, or the resolver errored', () => {
    const missing = checkA({ ...base, observation: nxObs('A', 'mail.mailgoat.ai') });
    expect(missing.outcome).toBe('fail');
    expect(missing.remediation).toBe('Add A mail.mailgoat.ai 91.98.35.3');
    expect(checkA({ ...base, observation: errorObs('A', 'mail.mailgoat.ai') }).outcome).toBe('fail');
  });

  it('warns on an extra address', () => {
    const verdict = checkA({ ...base, observation: okObs('A', 'mail.mailgoat.ai', ['91.98.35.3', '203.0.113.9']) });
    expect(verdict.outcome).toBe('warn');
    expect(verdict.remediation).toBe('Remove A mail.mailgoat.ai 203.0.113.9');
  });
});

describe('checkA remediationIp', () => {
  it('names the production IP while checking the embedded one', () => {
    const verdict = checkA({
      host: 'mail.mailgoat.ai',
      expectedIp: '127.0.0.10',
      remediationIp: '91.98.35.3',
      observation: okObs('A', 'mail.mailgoat.ai', ['127.0.0.99']),
    });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.remediation).toBe('Set A mail.mailgoat.ai to 91.98.35.3 (replacing 127.0.0.99)');
  });
});
