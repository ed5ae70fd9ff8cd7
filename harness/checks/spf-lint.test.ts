import { describe, expect, it } from 'vitest';
import { lintSpfRecords } from './spf-lint.ts';

describe('lintSpfRecords (checkdmarc-style SPF warnings)', () => {
  it('says nothing about a sound record, a redirect after all, or a record without all', () => {
    expect(lintSpfRecords([{ name: 'mailgoat.ai', record: 'v=spf1 a mx include:spf.mailgoat.ai ~all' }])).toEqual([]);
    expect(lintSpfRecords([{ name: 'mailgoat.ai', record: 'v=spf1 ip4:1.2.3.4 -all exp=explain.mailgoat.ai' }])).toEqual([]);
    expect(lintSpfRecords([{ name: 'mailgoat.ai', record: 'v=spf1 include:spf.mailgoat.ai' }])).toEqual([]);
  });

  it('warns the ptr mechanism, in any record of the tree', () => {
    expect(
      lintSpfRecords([
        { name: 'mailgoat.ai', record: 'v=spf1 ~all' },
        { name: 'spf.mailgoat.ai', record: 'v=spf1 ptr:mailgoat.ai ?ptr ~all' },
      ]),
    ).toEqual([
      {
        outcome: 'warn',
        summary:
          'the SPF record of spf.mailgoat.ai uses ptr:mailgoat.ai, ?ptr: RFC 7208 §5.5 says ptr SHOULD NOT be used (checkdmarc warns; slow, and large receivers may skip it)',
        remediation: 'In TXT spf.mailgoat.ai replace ptr:mailgoat.ai, ?ptr with ip4:/ip6: terms for the sending hosts',
      },
    ]);
  });

  it('warns mechanisms after all, which are never evaluated', () => {
    expect(lintSpfRecords([{ name: 'mailgoat.ai', record: 'v=spf1 a ~all include:spf.mailgoat.ai ip4:1.2.3.4' }])).toEqual([
      {
        outcome: 'warn',
        summary:
          'in the SPF record of mailgoat.ai, include:spf.mailgoat.ai ip4:1.2.3.4 come after "~all" and are never evaluated (RFC 7208 §5.1; checkdmarc warns)',
        remediation: 'In TXT mailgoat.ai move include:spf.mailgoat.ai ip4:1.2.3.4 before "~all"',
      },
    ]);
  });
});

describe('checkSpf carries the lint once nothing fails', () => {
  it('warns ptr in a record that passes', async () => {
    const { checkSpf } = await import('./spf-check.ts');
    const { okObs } = await import('./fake-observations.ts');
    const ip = '91.98.35.3';
    const snapshot = [
      okObs('TXT', 'mailgoat.ai', [`v=spf1 ip4:${ip} include:spf.mailgoat.ai ptr ~all`]),
      okObs('TXT', 'spf.mailgoat.ai', [`v=spf1 ip4:${ip} ~all`]),
    ];
    const verdict = await checkSpf({ domain: 'mailgoat.ai', snapshot, ip, expectedInclude: 'spf.mailgoat.ai' });
    expect(verdict.outcome).toBe('warn');
    expect(verdict.summary).toMatch(/^the SPF record of mailgoat\.ai uses ptr: RFC 7208 §5\.5/);
  });
});
