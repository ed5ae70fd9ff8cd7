import { describe, expect, it } from 'vitest';
import { certificateNameMatches, checkTlsCertificate, type TlsCertificateInput } from './tls-certificate-check.ts';

const NOW = '2025-06-01T12:00:00.000Z';
const inDays = (days: number) => new Date(Date.parse(NOW) + days * 86_400_000).toISOString();
const good: TlsCertificateInput = {
  host: 'postal.mailgoat.ai',
  port: 443,
  authorized: true,
  subjectAltNames: ['DNS:postal.mailgoat.ai', 'DNS:mail.mailgoat.ai'],
  validTo: inDays(80),
  now: NOW,
  protocol: 'TLSv1.3',
};

describe('certificateNameMatches', () => {
  it('follows RFC 6125 wildcard rules', () => {
    expect(certificateNameMatches('*.mailgoat.ai', 'postal.mailgoat.ai')).toBe(true);
    expect(certificateNameMatches('*.mailgoat.ai', 'mailgoat.ai')).toBe(false);
    expect(certificateNameMatches('*.mailgoat.ai', 'a.b.mailgoat.ai')).toBe(false);
    expect(certificateNameMatches('*.ai', 'mailgoat.ai')).toBe(false);
    expect(certificateNameMatches('POSTAL.mailgoat.ai.', 'postal.mailgoat.ai')).toBe(true);
  });
});

describe('checkTlsCertificate', () => {
  it('passes for a trusted, matching, long-lived certificate over TLS 1.3', () => {
    const verdict = checkTlsCertificate(good);
    expect(verdict.outcome).toBe('pass');
    expect(verdict.summary).toBe('postal.mailgoat.ai:443 presents a trusted certificate for postal.mailgoat.ai, 80 days left, TLSv1.3');
  });

  it("passes with a wildcard name and Node's comma-joined subjectaltname", () => {
    expect(checkTlsCertificate({ ...good, subjectAltNames: ['DNS:*.mailgoat.ai, DNS:mailgoat.ai'] }).outcome).toBe('pass');
  });

  it('fails on an untrusted chain, explaining the error code', () => {
    const verdict = checkTlsCertificate({ ...good, authorized: false, authorizationError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toMatch(/not trusted: UNABLE_TO_VERIFY_LEAF_SIGNATURE \(the server does not send the intermediate/);
    expect(verdict.remediation).toMatch(/serve the full chain/);
  });

  it('fails on a name mismatch', () => {
    const verdict = checkTlsCertificate({ ...good, subjectAltNames: ['DNS:*.other.example', 'DNS:mailgoat.ai'] });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toBe('the certificate of postal.mailgoat.ai:443 is for *.other.example, mailgoat.ai, not postal.mailgoat.ai');
  });

  it("reports Node's ERR_TLS_CERT_ALTNAME_INVALID as a name mismatch, not an untrusted chain", () => {
    const verdict = checkTlsCertificate({
      ...good,
      authorized: false,
      authorizationError: 'ERR_TLS_CERT_ALTNAME_INVALID',
      subjectAltNames: ['DNS:mail.mailgoat.ai'],
    });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toBe('the certificate of postal.mailgoat.ai:443 is for mail.mailgoat.ai, not postal.mailgoat.ai');
  });

  it('fails when expired, or with 14 days or fewer left; warns under 30', () => {
    expect(checkTlsCertificate({ ...good, validTo: inDays(-1) }).summary).toMatch(/expired on 2025-05-31/);
    const soon = checkTlsCertificate({ ...good, validTo: inDays(14) });
    expect(soon.outcome).toBe('fail');
    expect(soon.summary).toMatch(/in 14 days \(must be more than 14\)/);
    const warning = checkTlsCertificate({ ...good, validTo: inDays(20) });
    expect(warning.outcome).toBe('warn');
    expect(warning.summary).toMatch(/expires in 20 days/);
  });

  it('fails when not yet valid or dates are unreadable', () => {
    expect(checkTlsCertificate({ ...good, validFrom: inDays(2) }).outcome).toBe('fail');
    expect(checkTlsCertificate({ ...good, validTo: 'Jun 31 garbage' }).outcome).toBe('fail');
  });

  it('fails below TLS 1.2', () => {
    const verdict = checkTlsCertificate({ ...good, protocol: 'TLSv1.1' });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toMatch(/negotiated TLSv1\.1/);
  });
});
