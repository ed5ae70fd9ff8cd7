import { describe, expect, it } from 'vitest';
import { errorObs, nodataObs, okObs } from './fake-observations.ts';
import { checkMx } from './mx-check.ts';

const base = { domain: 'mailgoat.ai', expected: [{ priority: 10, host: 'mail.mailgoat.ai' }] };

describe('checkMx', () => {
  it('passes when every expected host is there at its priority', () => {
    const verdict = checkMx({ ...base, observation: okObs('MX', 'mailgoat.ai', ['10 mail.mailgoat.ai']) });
    expect(verdict.outcome).toBe('pass');
    expect(verdict.evidence[0]?.detail).toMatchObject({
      name: 'mailgoat.ai',
      type: 'MX',
      resolver: '127.0.0.53:53',
      answers: ['10 mail.mailgoat.ai'],
    });
  });

  it('fails when the expected host is missing', () => {
    const verdict = checkMx({ ...base, observation: okObs('MX', 'mailgoat.ai', ['10 mx.other-provider.com']) });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toMatch(/mail\.mailgoat\.ai is not an MX of mailgoat\.ai/);
    expect(verdict.remediation).toContain('Add MX mailgoat.ai 10 mail.mailgoat.ai');
    expect(verdict.remediation).toContain('Remove MX mailgoat.ai 10 mx.other-provider.com');
  });

  it('fails when there are no MX records or the resolver errored', () => {
    const none = checkMx({ ...base, observation: nodataObs('MX', 'mailgoat.ai') });
    expect(none.outcome).toBe('fail');
    expect(none.remediation).toBe('Add MX mailgoat.ai 10 mail.mailgoat.ai');
    expect(checkMx({ ...base, observation: errorObs('MX', 'mailgoat.ai') }).outcome).toBe('fail');
  });

  it('fails on a wrong priority', () => {
    const verdict = checkMx({ ...base, observation: okObs('MX', 'mailgoat.ai', ['20 mail.mailgoat.ai']) });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.remediation).toBe('Change MX mailgoat.ai 20 mail.mailgoat.ai to MX mailgoat.ai 10 mail.mailgoat.ai');
  });

  it('warns on an extra MX host', () => {
    const verdict = checkMx({ ...base, observation: okObs('MX', 'mailgoat.ai', ['10 mail.mailgoat.ai', '20 backup.example.net']) });
    expect(verdict.outcome).toBe('warn');
    expect(verdict.summary).toMatch(/also lists backup\.example\.net/);
  });
});
