import { describe, expect, it } from 'vitest';
import { errorObs, nxObs, okObs } from './fake-observations.ts';
import { checkPtr } from './ptr-check.ts';

const IP = '91.98.35.3';
const REV = '3.35.98.91.in-addr.arpa';
const base = { ip: IP, expectedHost: 'mail.mailgoat.ai' };
const forwardOk = [okObs('A', 'mail.mailgoat.ai', [IP])];

describe('checkPtr', () => {
  it('passes when the PTR is the host, it resolves back, and HELO matches', () => {
    const verdict = checkPtr({
      ...base,
      ptrObservation: okObs('PTR', REV, ['mail.mailgoat.ai']),
      forwardObservations: forwardOk,
      heloHost: 'mail.mailgoat.ai',
    });
    expect(verdict.outcome).toBe('pass');
    expect(verdict.summary).toBe('91.98.35.3 ↔ mail.mailgoat.ai (forward-confirmed)');
    expect(verdict.evidence.map((e) => e.label)).toEqual([`PTR ${REV} @ 127.0.0.53:53`, 'A mail.mailgoat.ai @ 127.0.0.53:53', 'helo']);
  });

  it('fails when the PTR names another host (the provider default)', () => {
    const verdict = checkPtr({
      ...base,
      ptrObservation: okObs('PTR', REV, ['static.3.35.98.91.clients.your-server.de']),
      forwardObservations: [okObs('A', 'static.3.35.98.91.clients.your-server.de', [IP]), ...forwardOk],
    });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toMatch(/the PTR of 91\.98\.35\.3 is static\.3\.35\.98\.91\.clients\.your-server\.de, not mail\.mailgoat\.ai/);
    expect(verdict.remediation).toBe('Ask the hosting provider to set the PTR of 91.98.35.3 to mail.mailgoat.ai');
  });

  it('fails when the PTR name does not resolve back to the IP', () => {
    const other = checkPtr({
      ...base,
      ptrObservation: okObs('PTR', REV, ['mail.mailgoat.ai']),
      forwardObservations: [okObs('A', 'mail.mailgoat.ai', ['203.0.113.9'])],
    });
    expect(other.outcome).toBe('fail');
    expect(other.summary).toMatch(/resolves to 203\.0\.113\.9, not back to 91\.98\.35\.3/);
    expect(other.remediation).toBe('Add A mail.mailgoat.ai 91.98.35.3');
    const none = checkPtr({
      ...base,
      ptrObservation: okObs('PTR', REV, ['mail.mailgoat.ai']),
      forwardObservations: [nxObs('A', 'mail.mailgoat.ai')],
    });
    expect(none.outcome).toBe('fail');
    expect(none.summary).toMatch(/does not resolve/);
    const unasked = checkPtr({ ...base, ptrObservation: okObs('PTR', REV, ['mail.mailgoat.ai']), forwardObservations: [] });
    expect(unasked.outcome).toBe('fail');
  });

  it('fails with no PTR, or a resolver error', () => {
    const verdict = checkPtr({ ...base, ptrObservation: nxObs('PTR', REV), forwardObservations: forwardOk });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toMatch(/has no PTR record/);
    expect(verdict.remediation).toBe('Ask the hosting provider to set the PTR of 91.98.35.3 to mail.mailgoat.ai');
    expect(checkPtr({ ...base, ptrObservation: errorObs('PTR', REV), forwardObservations: forwardOk }).outcome).toBe('fail');
  });

  it('fails on more than one PTR name', () => {
    const verdict = checkPtr({
      ...base,
      ptrObservation: okObs('PTR', REV, ['mail.mailgoat.ai', 'other.example.net']),
      forwardObservations: forwardOk,
    });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toMatch(/2 PTR names/);
  });

  it('warns when HELO differs from the PTR name', () => {
    const verdict = checkPtr({
      ...base,
      ptrObservation: okObs('PTR', REV, ['mail.mailgoat.ai']),
      forwardObservations: forwardOk,
      heloHost: 'postal.mailgoat.ai',
    });
    expect(verdict.outcome).toBe('warn');
    expect(verdict.remediation).toMatch(/dns\.helo_hostname to mail\.mailgoat\.ai/);
  });
});

describe('checkPtr remediationIp', () => {
  it('names the production IP while checking the embedded one', () => {
    const verdict = checkPtr({
      ip: '127.0.0.10',
      remediationIp: IP,
      expectedHost: 'mail.mailgoat.ai',
      ptrObservation: nxObs('PTR', '10.0.0.127.in-addr.arpa'),
      forwardObservations: [],
    });
    expect(verdict.remediation).toBe('Ask the hosting provider to set the PTR of 91.98.35.3 to mail.mailgoat.ai');
  });
});
