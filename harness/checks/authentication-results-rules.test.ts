// Alignment rules (relaxed, strict, "some passing signature aligned"), each side's findings with
// their exact fixes, and the evidence the check keeps.
import { describe, expect, it } from 'vitest';
import { type AuthenticationResultsInput, checkAuthenticationResults, dkimAligned } from './authentication-results-check.ts';

const HEADER =
  'mx.gmail.test; dkim=pass header.d=mailgoat.ai header.s=qpMdyI; spf=pass smtp.mailfrom=x@PSRP.mailgoat.ai; dmarc=pass header.from=mailgoat.ai';
const good: AuthenticationResultsInput = {
  provider: 'gmail.test',
  authenticationResults: HEADER,
  reverify: {
    spf: { result: 'PASS', domain: 'PSRP.mailgoat.ai' },
    dkim: [{ result: 'Pass', domain: 'MailGoat.ai', selector: 'qpMdyI', aligned: true }],
    dmarc: { result: 'PASS' },
  },
  fromDomain: 'MailGoat.ai',
};
const SPF_FIX = (domain: string) =>
  `Authorise the server's IP in the SPF record of ${domain} (Postal sends with MAIL FROM on the return-path domain: psrp.mailgoat.ai when its CNAME is set, else dns.return_path_domain); see DNS-03`;
const DKIM_FIX =
  'Make the published DKIM key the one Postal signs with (DNS-04; read s= from the received message), and check nothing rewrites the message after signing';
const ALIGN_FIX =
  'Postal signs with its install-wide key (d=<return path domain>) whenever the DKIM check of mailgoat.ai is not OK. Publish mailgoat.ai\'s DKIM record exactly as Postal shows it (Domains → mailgoat.ai → DNS records: TXT <selector>._domainkey.mailgoat.ai), press "Check my records" until DKIM is OK, and Postal then signs with d=mailgoat.ai';
const DMARC_FIX =
  'DMARC passes only with an SPF or DKIM pass aligned with mailgoat.ai: fix DKIM alignment (Postal signing with d=mailgoat.ai), or an aligned return path (CNAME psrp.mailgoat.ai)';
const reverified = (over: Partial<AuthenticationResultsInput['reverify']>) =>
  checkAuthenticationResults({ ...good, reverify: { ...good.reverify, ...over } });

describe('dkimAligned', () => {
  it('in strict mode wants the very domain, in any case and with a trailing dot', () => {
    expect(dkimAligned('MailGoat.ai.', 'mailgoat.AI', 'strict')).toBe(true);
    expect(dkimAligned('mailgoat.ai', 'mail.mailgoat.ai', 'strict')).toBe(false);
    expect(dkimAligned('mail.mailgoat.ai', 'mailgoat.ai', 'strict')).toBe(false);
    expect(dkimAligned('mail.mailgoat.ai', 'mailgoat.ai', 'relaxed')).toBe(true);
  });
});

describe('checkAuthenticationResults alignment', () => {
  it('passes when some passing signature is aligned, even next to an unaligned one, naming the aligned one', () => {
    const verdict = reverified({
      dkim: [
        { result: 'pass', domain: 'rp.postal.example' },
        { result: 'pass', domain: 'mailgoat.ai' },
      ],
    });
    expect(verdict.outcome).toBe('pass');
    expect(verdict.summary).toBe('gmail.test: SPF, DKIM (d=mailgoat.ai, aligned) and DMARC pass, as recorded and re-verified');
    expect(verdict.observed).toBe(
      'recorded: spf=pass dkim=pass(d=mailgoat.ai, aligned) dmarc=pass; re-verified: spf=pass dkim=pass(d=rp.postal.example, not aligned),pass(d=mailgoat.ai, aligned) dmarc=pass',
    );
  });

  it('does not count an aligned signature that fails', () => {
    const verdict = reverified({
      dkim: [
        { result: 'fail', domain: 'mailgoat.ai' },
        { result: 'pass', domain: 'rp.postal.example' },
      ],
    });
    expect(verdict.summary).toBe('re-verified: DKIM passes only for d=rp.postal.example, not aligned with From mailgoat.ai');
    expect(verdict.remediation).toBe(ALIGN_FIX);
  });

  it('applies strict alignment when asked: a subdomain signature then fails', () => {
    const input = {
      ...good,
      authenticationResults: HEADER.replace('header.d=mailgoat.ai', 'header.d=mail.mailgoat.ai'),
      reverify: { ...good.reverify, dkim: [{ result: 'pass', domain: 'mail.mailgoat.ai', selector: 's1' }] },
    };
    expect(checkAuthenticationResults(input).summary).toBe(
      'gmail.test: SPF, DKIM (d=mail.mailgoat.ai, aligned) and DMARC pass, as recorded and re-verified',
    );
    const strict = checkAuthenticationResults({ ...input, alignment: 'strict' });
    expect(strict.summary).toBe(
      'as recorded by gmail.test: DKIM passes only for d=mail.mailgoat.ai s=qpMdyI, not aligned with From mailgoat.ai; re-verified: DKIM passes only for d=mail.mailgoat.ai s=s1, not aligned with From mailgoat.ai',
    );
    expect(strict.evidence[0]?.detail).toMatchObject({ alignment: 'strict' });
  });

  it('takes the signing domain from header.i when header.d is missing, and none from neither', () => {
    expect(
      checkAuthenticationResults({ ...good, authenticationResults: HEADER.replace('header.d=mailgoat.ai', 'header.i=@mailgoat.ai') })
        .outcome,
    ).toBe('pass');
    const anonymous = checkAuthenticationResults({
      ...good,
      authenticationResults: HEADER.replace('header.d=mailgoat.ai header.s=qpMdyI', 'header.b=x'),
    });
    expect(anonymous.summary).toBe('as recorded by gmail.test: DKIM passes only for d=?, not aligned with From mailgoat.ai');
    expect(anonymous.observed).toMatch(/^recorded: spf=pass dkim=pass dmarc=pass;/);
  });
});

describe('checkAuthenticationResults findings', () => {
  it('fails SPF with the domain it was judged for, or the return path in general', () => {
    const withDomain = reverified({ spf: { result: 'SoftFail', domain: 'PSRP.mailgoat.ai' } });
    expect(withDomain.summary).toBe('re-verified: spf=softfail for psrp.mailgoat.ai');
    expect(withDomain.remediation).toBe(SPF_FIX('psrp.mailgoat.ai'));
    const without = reverified({ spf: { result: 'none' } });
    expect(without.summary).toBe('re-verified: spf=none');
    expect(without.remediation).toBe(SPF_FIX('the envelope (return-path) domain'));
    const recorded = checkAuthenticationResults({
      ...good,
      authenticationResults: 'mx.gmail.test; spf=fail; dkim=pass header.d=mailgoat.ai; dmarc=pass',
    });
    expect(recorded.summary).toBe('as recorded by gmail.test: spf=fail');
    const missing = checkAuthenticationResults({
      ...good,
      authenticationResults: 'mx.gmail.test; dkim=pass header.d=mailgoat.ai; dmarc=pass',
    });
    expect(missing.summary).toBe('as recorded by gmail.test: spf=missing');
  });

  it('fails without any passing DKIM signature, listing what there is', () => {
    const verdict = reverified({ dkim: [] });
    expect(verdict.summary).toBe('re-verified: no passing DKIM signature (none)');
    expect(verdict.remediation).toBe(DKIM_FIX);
    const recorded = checkAuthenticationResults({
      ...good,
      authenticationResults: 'mx.gmail.test; spf=pass; dkim=fail header.b=x; dkim=neutral header.d=x.example; dmarc=pass',
    });
    expect(recorded.summary).toBe('as recorded by gmail.test: no passing DKIM signature (dkim=fail, dkim=neutral d=x.example)');
    expect(recorded.observed).toBe(
      'recorded: spf=pass dkim=fail,neutral(d=x.example, not aligned) dmarc=pass; re-verified: spf=pass dkim=pass(d=mailgoat.ai, aligned) dmarc=pass',
    );
  });

  it('fails DMARC with the exact fix, and reads the first result of a method', () => {
    const verdict = reverified({ dmarc: { result: 'FAIL' } });
    expect(verdict.summary).toBe('re-verified: dmarc=fail');
    expect(verdict.remediation).toBe(DMARC_FIX);
    expect(checkAuthenticationResults({ ...good, authenticationResults: `${HEADER}; dmarc=fail; spf=fail` }).outcome).toBe('pass');
  });

  it('fails a header with no results, judging only the re-verified side', () => {
    const verdict = checkAuthenticationResults({
      ...good,
      authenticationResults: 'mx.gmail.test; none',
      reverify: { ...good.reverify, dmarc: { result: 'fail' } },
    });
    expect(verdict.summary).toBe(
      'gmail.test recorded no authentication results (no readable Authentication-Results header); re-verified: dmarc=fail',
    );
    expect(verdict.remediation).toBe(`Read the Authentication-Results header gmail.test added to the received message; ${DMARC_FIX}`);
    expect(verdict.observed).toBe('recorded: nothing; re-verified: spf=pass dkim=pass(d=mailgoat.ai, aligned) dmarc=fail');
  });
});

describe('checkAuthenticationResults evidence', () => {
  it("keeps both sides, mailauth's own alignment answer and the header (cut at 2000 characters)", () => {
    const long = `${HEADER}; x=${'y'.repeat(3000)}`;
    const verdict = checkAuthenticationResults({
      ...good,
      authenticationResults: long,
      reverify: {
        ...good.reverify,
        dkim: [
          { result: 'pass', domain: 'mailgoat.ai', aligned: 'mailgoat.ai' },
          { result: 'pass', domain: 'x.example' },
        ],
      },
    });
    expect(verdict.expected).toBe('spf=pass dkim=pass (d aligned with mailgoat.ai) dmarc=pass');
    expect(verdict.evidence).toEqual([
      {
        label: 'authentication results at gmail.test',
        detail: {
          provider: 'gmail.test',
          fromDomain: 'mailgoat.ai',
          alignment: 'relaxed',
          authservId: 'mx.gmail.test',
          recorded: {
            spf: 'pass',
            spfDomain: 'psrp.mailgoat.ai',
            dkim: [{ result: 'pass', domain: 'mailgoat.ai', selector: 'qpMdyI', aligned: true }],
            dmarc: 'pass',
          },
          reverified: {
            spf: 'pass',
            spfDomain: 'psrp.mailgoat.ai',
            dkim: [
              { result: 'pass', domain: 'mailgoat.ai', aligned: true, mailauthAligned: 'mailgoat.ai' },
              { result: 'pass', domain: 'x.example', aligned: false, mailauthAligned: null },
            ],
            dmarc: 'pass',
          },
          header: long.slice(0, 2000),
        },
      },
    ]);
  });
});
