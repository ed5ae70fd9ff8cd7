import { describe, expect, it } from 'vitest';
import { checkDmarc } from './dmarc-check.ts';
import { errorObs, nxObs, okObs } from './fake-observations.ts';

const NAME = '_dmarc.mailgoat.ai';
const base = { domain: 'mailgoat.ai', expected: { policy: 'none' as const, rua: 'mailto:dmarc@mailgoat.ai' } };
const run = (...answers: string[]) => checkDmarc({ ...base, observation: okObs('TXT', NAME, answers) });

describe('checkDmarc', () => {
  it('passes for the MailGoat record', () => {
    const verdict = run('v=DMARC1; p=none; rua=mailto:dmarc@mailgoat.ai');
    expect(verdict.outcome).toBe('pass');
    expect(verdict.summary).toBe('DMARC at _dmarc.mailgoat.ai: p=none, rua=mailto:dmarc@mailgoat.ai');
    expect(verdict.evidence[0]?.detail).toMatchObject({ name: NAME, type: 'TXT', resolver: '127.0.0.53:53' });
  });

  it('passes with other valid tags and unrelated TXT at the name', () => {
    expect(run('v=DMARC1; p=none; rua=mailto:dmarc@mailgoat.ai!10m; adkim=r; aspf=s; pct=100; fo=1:d;', 'something-else=1').outcome).toBe(
      'pass',
    );
  });

  it('fails without p=', () => {
    const verdict = run('v=DMARC1; rua=mailto:dmarc@mailgoat.ai');
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toMatch(/no p= \(policy\) tag/);
    expect(verdict.remediation).toBe('Set TXT _dmarc.mailgoat.ai to "v=DMARC1; p=none; rua=mailto:dmarc@mailgoat.ai"');
  });

  it('fails on two DMARC records', () => {
    const verdict = run('v=DMARC1; p=none; rua=mailto:dmarc@mailgoat.ai', 'v=DMARC1; p=reject');
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toMatch(/2 DMARC records/);
    expect(verdict.remediation).toMatch(/^Delete all but one TXT starting "v=DMARC1" at _dmarc\.mailgoat\.ai/);
  });

  it('fails when v=DMARC1 is not first', () => {
    const verdict = run('p=none; v=DMARC1; rua=mailto:dmarc@mailgoat.ai');
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toMatch(/does not start with "v=DMARC1"/);
    expect(verdict.remediation).toBe('Set TXT _dmarc.mailgoat.ai to "v=DMARC1; p=none; rua=mailto:dmarc@mailgoat.ai"');
  });

  it('fails on a bad pct, a bad policy, bad alignment, an invalid rua', () => {
    const cases: [string, RegExp][] = [
      ['v=DMARC1; p=none; pct=150; rua=mailto:dmarc@mailgoat.ai', /pct=150/],
      ['v=DMARC1; p=none; pct=abc; rua=mailto:dmarc@mailgoat.ai', /pct=abc/],
      ['v=DMARC1; p=block; rua=mailto:dmarc@mailgoat.ai', /p=block at .* is not one of/],
      ['v=DMARC1; p=none; adkim=x; rua=mailto:dmarc@mailgoat.ai', /adkim=x/],
      ['v=DMARC1; p=none; rua=dmarc@mailgoat.ai', /rua=dmarc@mailgoat\.ai at .* has invalid mailto URIs: dmarc@mailgoat\.ai/],
      ['v=DMARC1; p=none; rua=mailto:dmarc@mailgoat.ai; garbage', /not a tag=value pair/],
      ['v=DMARC1; p=none; p=reject; rua=mailto:dmarc@mailgoat.ai', /appears more than once/],
    ];
    for (const [record, why] of cases) {
      const verdict = run(record);
      expect(verdict.outcome, record).toBe('fail');
      expect(verdict.summary, record).toMatch(why);
    }
    // the suggested record drops the invalid tag rather than repeating it
    expect(run('v=DMARC1; p=none; pct=150; adkim=s; rua=mailto:dmarc@mailgoat.ai').remediation).toBe(
      'Set TXT _dmarc.mailgoat.ai to "v=DMARC1; p=none; rua=mailto:dmarc@mailgoat.ai; adkim=s"',
    );
  });

  it('fails when there is no record, or the resolver errored', () => {
    const missing = checkDmarc({ ...base, observation: nxObs('TXT', NAME) });
    expect(missing.outcome).toBe('fail');
    expect(missing.remediation).toBe('Add TXT _dmarc.mailgoat.ai "v=DMARC1; p=none; rua=mailto:dmarc@mailgoat.ai"');
    expect(run('v=spf1 -all').outcome).toBe('fail');
    expect(checkDmarc({ ...base, observation: errorObs('TXT', NAME, 'ESERVFAIL') }).outcome).toBe('fail');
  });

  it('warns on a different policy, a missing or different rua, unknown tags', () => {
    const cases: [string, RegExp][] = [
      ['v=DMARC1; p=reject; rua=mailto:dmarc@mailgoat.ai', /p=reject, the deployment expects p=none/],
      ['v=DMARC1; p=none', /no rua=/],
      ['v=DMARC1; p=none; rua=mailto:reports@example.com', /expects rua=mailto:dmarc@mailgoat\.ai/],
      ['v=DMARC1; p=none; rua=mailto:dmarc@mailgoat.ai; foo=bar', /unknown tags .*: foo/],
    ];
    for (const [record, why] of cases) {
      const verdict = run(record);
      expect(verdict.outcome, record).toBe('warn');
      expect(verdict.summary, record).toMatch(why);
      expect(verdict.remediation, record).toMatch(/^Set TXT _dmarc\.mailgoat\.ai to "v=DMARC1; p=none; rua=mailto:dmarc@mailgoat\.ai/);
    }
  });
});
