import { describe, expect, it } from 'vitest';
import { type AuthenticationResultsInput, checkAuthenticationResults, dkimAligned } from './authentication-results-check.ts';

const header = (dkimD: string, results = { spf: 'pass', dkim: 'pass', dmarc: 'pass' }) =>
  `mx.gmail.test; dkim=${results.dkim} header.i=@${dkimD} header.s=qpMdyI header.b=AbC; spf=${results.spf} (gmail.test: domain of x@psrp.mailgoat.ai designates 91.98.35.3 as permitted sender) smtp.mailfrom=x@psrp.mailgoat.ai; dmarc=${results.dmarc} (p=NONE) header.from=mailgoat.ai`;

const good: AuthenticationResultsInput = {
  provider: 'gmail.test',
  authenticationResults: header('mailgoat.ai'),
  reverify: {
    spf: { result: 'pass', domain: 'psrp.mailgoat.ai' },
    dkim: [{ result: 'pass', domain: 'mailgoat.ai', selector: 'qpMdyI', aligned: 'mailgoat.ai' }],
    dmarc: { result: 'pass', policy: 'none' },
  },
  fromDomain: 'mailgoat.ai',
};

describe('dkimAligned', () => {
  it('uses organisational domains from the Public Suffix List', () => {
    expect(dkimAligned('mailgoat.ai', 'mailgoat.ai')).toBe(true);
    expect(dkimAligned('mailgoat.ai', 'mail.mailgoat.ai')).toBe(true);
    expect(dkimAligned('mailgoat.ai', 'postal.example')).toBe(false);
    expect(dkimAligned('shop.example.co.uk', 'other.co.uk')).toBe(false);
    expect(dkimAligned('mailgoat.ai', 'mail.mailgoat.ai', 'strict')).toBe(false);
  });
});

describe('checkAuthenticationResults', () => {
  it('passes when all three pass, recorded and re-verified, with d= aligned', () => {
    const verdict = checkAuthenticationResults(good);
    expect(verdict.outcome).toBe('pass');
    expect(verdict.summary).toBe('gmail.test: SPF, DKIM (d=mailgoat.ai, aligned) and DMARC pass, as recorded and re-verified');
    expect(verdict.observed).toBe(
      'recorded: spf=pass dkim=pass(d=mailgoat.ai, aligned) dmarc=pass; re-verified: spf=pass dkim=pass(d=mailgoat.ai, aligned) dmarc=pass',
    );
  });

  it("fails a passing DKIM signature whose d= is not aligned (Postal's fallback key)", () => {
    const verdict = checkAuthenticationResults({
      ...good,
      authenticationResults: header('rp.postal.example'),
      reverify: { ...good.reverify, dkim: [{ result: 'pass', domain: 'rp.postal.example', selector: 'postal', aligned: false }] },
    });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toContain(
      'as recorded by gmail.test: DKIM passes only for d=rp.postal.example s=qpMdyI, not aligned with From mailgoat.ai',
    );
    expect(verdict.summary).toContain('re-verified: DKIM passes only for d=rp.postal.example s=postal');
    expect(verdict.remediation).toMatch(/Publish mailgoat\.ai's DKIM record exactly as Postal shows it/);
  });

  it('fails when the provider recorded a failure the harness does not see', () => {
    const verdict = checkAuthenticationResults({
      ...good,
      authenticationResults: header('mailgoat.ai', { spf: 'softfail', dkim: 'pass', dmarc: 'pass' }),
    });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toBe('as recorded by gmail.test: spf=softfail for psrp.mailgoat.ai');
    expect(verdict.remediation).toMatch(/SPF record of psrp\.mailgoat\.ai/);
  });

  it('fails when re-verification disagrees with the provider', () => {
    const verdict = checkAuthenticationResults({
      ...good,
      reverify: { ...good.reverify, dkim: [{ result: 'fail', domain: 'mailgoat.ai' }], dmarc: { result: 'fail' } },
    });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toContain('re-verified: no passing DKIM signature (dkim=fail d=mailgoat.ai)');
    expect(verdict.summary).toContain('re-verified: dmarc=fail');
  });

  it('fails without a readable header, and when the header lacks a method', () => {
    expect(checkAuthenticationResults({ ...good, authenticationResults: 'mx.gmail.test; none' }).summary).toMatch(
      /recorded no authentication results/,
    );
    const noDmarc = checkAuthenticationResults({
      ...good,
      authenticationResults: 'mx.gmail.test; spf=pass smtp.mailfrom=x@psrp.mailgoat.ai; dkim=pass header.d=mailgoat.ai',
    });
    expect(noDmarc.summary).toBe('as recorded by gmail.test: dmarc=missing');
  });
});
