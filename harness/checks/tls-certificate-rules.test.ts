// The certificate check's lines: name matching, the expiry boundaries, chain advice, IP names, exact texts.
import { describe, expect, it } from 'vitest';
import { SMTP_CERTIFICATE_REMEDY, certificateNameMatches, checkTlsCertificate, type TlsCertificateInput } from './tls-certificate-check.ts';

const NOW = '2025-06-01T12:00:00.000Z';
const inDays = (days: number) => new Date(Date.parse(NOW) + days * 86_400_000).toISOString();
const good: TlsCertificateInput = {
  host: 'postal.mailgoat.ai',
  port: 443,
  authorized: true,
  subjectAltNames: ['DNS:postal.mailgoat.ai'],
  validTo: inDays(80),
  now: NOW,
  protocol: 'TLSv1.3',
};
const REISSUE =
  'Issue a certificate for postal.mailgoat.ai from a public CA (Caddy does this automatically when postal.mailgoat.ai resolves to the server and ports 80/443 are open) and serve the full chain';

describe('certificateNameMatches', () => {
  it.each([
    ['mail.mailgoat.ai', 'gmail.mailgoat.ai'],
    ['mail.mailgoat.ai', 'mail.mailgoat.ai.evil'],
    ['*.mailgoat.ai', 'xmailgoat.ai'],
    ['*.mailgoat.ai', '.mailgoat.ai'],
    ['*.mailgoat.ai', 'a.b.mailgoat.ai'],
    ['*.ai', 'mailgoat.ai'],
    ['a*.mailgoat.ai', 'ab.mailgoat.ai'],
  ])('%s does not match %s', (pattern, host) => {
    expect(certificateNameMatches(pattern, host)).toBe(false);
  });

  it.each([
    ['mail.mailgoat.ai', 'MAIL.mailgoat.ai.'],
    ['*.mailgoat.ai', 'Postal.MailGoat.ai'],
    ['*.MAILGOAT.ai.', 'postal.mailgoat.ai'],
    ['*.co.uk', 'example.co.uk'],
  ])('%s matches %s', (pattern, host) => {
    expect(certificateNameMatches(pattern, host)).toBe(true);
  });
});

describe('checkTlsCertificate', () => {
  it('passes with exact texts and evidence', () => {
    expect(
      checkTlsCertificate({
        ...good,
        issuer: "Let's Encrypt R11",
        validFrom: NOW,
        subjectAltNames: ['DNS:*.mailgoat.ai, IP Address:91.98.35.3'],
      }),
    ).toEqual({
      outcome: 'pass',
      summary: 'postal.mailgoat.ai:443 presents a trusted certificate for *.mailgoat.ai, 80 days left, TLSv1.3',
      expected: 'trusted chain, name postal.mailgoat.ai, more than 14 days left, TLS ≥ 1.2',
      observed: 'trusted, names *.mailgoat.ai, 91.98.35.3, 80 days left, TLSv1.3',
      evidence: [
        {
          label: 'tls postal.mailgoat.ai:443',
          detail: {
            authorized: true,
            subjectAltNames: ['*.mailgoat.ai', '91.98.35.3'],
            issuer: "Let's Encrypt R11",
            validFrom: NOW,
            validTo: inDays(80),
            observedAt: NOW,
            daysLeft: 80,
            protocol: 'TLSv1.3',
          },
        },
      ],
    });
    const { protocol: _, ...noProtocol } = good;
    expect(checkTlsCertificate(noProtocol).summary).toBe(
      'postal.mailgoat.ai:443 presents a trusted certificate for postal.mailgoat.ai, 80 days left',
    );
    expect(checkTlsCertificate(noProtocol).observed).toBe('trusted, names postal.mailgoat.ai, 80 days left, protocol unknown');
  });

  it('reads bare names, DNS: in any case, and IP: / IP Address: entries for an IP host', () => {
    expect(checkTlsCertificate({ ...good, subjectAltNames: [' Postal.MailGoat.ai ', ''] }).outcome).toBe('pass');
    expect(checkTlsCertificate({ ...good, subjectAltNames: ['dns: POSTAL.mailgoat.ai'] }).outcome).toBe('pass');
    for (const entry of ['IP Address:91.98.35.3', 'ip: 91.98.35.3']) {
      expect(checkTlsCertificate({ ...good, host: '91.98.35.3', subjectAltNames: [entry] }).outcome).toBe('pass');
    }
    expect(checkTlsCertificate({ ...good, host: '2001:db8::1', subjectAltNames: ['IP Address:2001:DB8::1'] }).outcome).toBe('pass');
    // A DNS name spelled like the IP is not an IP name, and an IP name does not serve a DNS host.
    expect(checkTlsCertificate({ ...good, host: '91.98.35.3', subjectAltNames: ['DNS:91.98.35.3'] }).outcome).toBe('fail');
    expect(checkTlsCertificate({ ...good, subjectAltNames: ['IP:postal.mailgoat.ai'] }).outcome).toBe('fail');
  });

  it('fails a name mismatch with the exact fix', () => {
    const verdict = checkTlsCertificate({ ...good, subjectAltNames: ['DNS:mail.mailgoat.ai', 'IP Address:91.98.35.3'] });
    expect(verdict.summary).toBe('the certificate of postal.mailgoat.ai:443 is for mail.mailgoat.ai, 91.98.35.3, not postal.mailgoat.ai');
    expect(verdict.remediation).toBe(`${REISSUE}; make the proxy serve it for postal.mailgoat.ai`);
    expect(checkTlsCertificate({ ...good, subjectAltNames: [] }).summary).toBe(
      'the certificate of postal.mailgoat.ai:443 is for no names, not postal.mailgoat.ai',
    );
    expect(checkTlsCertificate({ ...good, subjectAltNames: [] }).observed).toBe('trusted, names none, 80 days left, TLSv1.3');
  });

  it('reports a name rejected by Node as a name mismatch only, not an untrusted chain', () => {
    const verdict = checkTlsCertificate({ ...good, authorized: false, authorizationError: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    expect(verdict.summary).toBe('the certificate of postal.mailgoat.ai:443 is for postal.mailgoat.ai, not postal.mailgoat.ai');
    expect(verdict.observed).toBe('untrusted (ERR_TLS_CERT_ALTNAME_INVALID), names postal.mailgoat.ai, 80 days left, TLSv1.3');
  });

  it.each([
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'the server presents a self-signed certificate'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'the chain ends in a self-signed root nobody trusts'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'the server does not send the intermediate certificate(s)'],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'the issuer is not a trusted CA (or the intermediate is missing)'],
    ['CERT_HAS_EXPIRED', 'the certificate has expired'],
    ['CERT_NOT_YET_VALID', 'the certificate is not valid yet (check the server clock)'],
  ])('explains an untrusted chain (%s)', (code, advice) => {
    const verdict = checkTlsCertificate({ ...good, authorized: false, authorizationError: code });
    expect(verdict.summary).toBe(`the certificate chain of postal.mailgoat.ai:443 is not trusted: ${code} (${advice})`);
    expect(verdict.remediation).toBe(REISSUE);
  });

  it('names an unknown or missing chain error as it is', () => {
    expect(checkTlsCertificate({ ...good, authorized: false, authorizationError: 'OTHER' }).summary).toBe(
      'the certificate chain of postal.mailgoat.ai:443 is not trusted: OTHER',
    );
    expect(checkTlsCertificate({ ...good, authorized: false }).summary).toBe(
      'the certificate chain of postal.mailgoat.ai:443 is not trusted: unknown error',
    );
    expect(checkTlsCertificate({ ...good, authorized: false }).observed).toBe(
      'untrusted (?), names postal.mailgoat.ai, 80 days left, TLSv1.3',
    );
  });

  it('draws the expiry lines at 0, 14 and 30 days (and the configured ones)', () => {
    const at = (days: number, extra: Partial<TlsCertificateInput> = {}) =>
      checkTlsCertificate({ ...good, validTo: inDays(days), ...extra }).outcome;
    expect([-1, 0, 0.5, 14, 14.9, 15, 29, 29.9, 30].map((d) => at(d))).toEqual([
      'fail',
      'fail',
      'fail',
      'fail',
      'fail',
      'warn',
      'warn',
      'warn',
      'pass',
    ]);
    expect([5, 6, 9, 10].map((d) => at(d, { minDaysLeft: 5, warnDaysLeft: 10 }))).toEqual(['fail', 'warn', 'warn', 'pass']);
  });

  it('says when it expired, when it expires, and what to do', () => {
    const expired = checkTlsCertificate({ ...good, validTo: '2025-05-01T00:00:00.000Z' });
    expect(expired.summary).toBe('the certificate of postal.mailgoat.ai:443 expired on 2025-05-01');
    expect(expired.remediation).toBe(
      `${REISSUE}; then automatic renewal is not working: read the proxy's logs (ACME challenge on port 80 blocked?)`,
    );
    const soon = checkTlsCertificate({ ...good, validTo: inDays(10) });
    expect(soon.summary).toBe('the certificate of postal.mailgoat.ai:443 expires on 2025-06-11, in 10 days (must be more than 14)');
    expect(soon.remediation).toBe(
      "Renew it now; automatic renewal is not working: read the proxy's logs (ACME challenge on port 80 blocked?)",
    );
    const warned = checkTlsCertificate({ ...good, validTo: inDays(20) });
    expect(warned.summary).toBe(
      'the certificate of postal.mailgoat.ai:443 expires in 20 days (2025-06-21): renewal should already have happened',
    );
    expect(warned.remediation).toBe(
      "Check the renewal: automatic renewal is not working: read the proxy's logs (ACME challenge on port 80 blocked?)",
    );
  });

  it("names Postal's own certificate file and its renewal for the SMTP certificate, judged by the same lines", () => {
    const smtp = {
      ...good,
      host: 'mail.mailgoat.ai',
      port: 25,
      subjectAltNames: ['DNS:mail.mailgoat.ai'],
      remedy: SMTP_CERTIFICATE_REMEDY,
    };
    const expired = checkTlsCertificate({ ...smtp, validTo: '2025-05-01T00:00:00.000Z' });
    expect(expired.outcome).toBe('fail');
    expect(expired.remediation).toMatch(
      /^Postal's smtp process reads its certificate from smtp_server\.tls_certificate_path .* for mail\.mailgoat\.ai .*; then renew it with the web certificate: nothing renews smtp_server\.tls_certificate_path by itself/,
    );
    expect(checkTlsCertificate({ ...smtp, validTo: inDays(3) }).remediation).toMatch(/^Renew it now; renew it with the web certificate/);
    expect(checkTlsCertificate({ ...smtp, validTo: inDays(20) }).outcome).toBe('warn');
    const wrongName = checkTlsCertificate({ ...smtp, subjectAltNames: ['DNS:postal.mailgoat.ai'] });
    expect(wrongName.summary).toBe('the certificate of mail.mailgoat.ai:25 is for postal.mailgoat.ai, not mail.mailgoat.ai');
    expect(wrongName.remediation).toMatch(/smtp_server\.tls_certificate_path/);
    expect(checkTlsCertificate({ ...smtp, protocol: 'TLSv1' }).remediation).toMatch(/smtp_server\.ssl_version/);
    expect(checkTlsCertificate({ ...smtp, handshakeError: 'no STARTTLS' }).remediation).toMatch(
      /^Make STARTTLS on mail\.mailgoat\.ai:25 complete: smtp_server\.tls_enabled true/,
    );
  });

  it('fails a certificate not valid yet, but not one valid from now', () => {
    const early = checkTlsCertificate({ ...good, validFrom: inDays(1) });
    expect(early.summary).toBe('the certificate of postal.mailgoat.ai:443 is not valid before 2025-06-02T12:00:00.000Z');
    expect(early.remediation).toBe('Check the clock of the server and of the CA; re-issue if the dates are wrong');
    expect(checkTlsCertificate({ ...good, validFrom: NOW }).outcome).toBe('pass');
  });

  it('fails dates it cannot read', () => {
    for (const input of [{ validTo: 'soon' }, { now: 'now' }, { validFrom: 'then' }]) {
      const verdict = checkTlsCertificate({ ...good, ...input });
      expect(verdict.outcome).toBe('fail');
      expect(verdict.remediation).toBe('Record validTo/now as ISO 8601 dates');
      expect(verdict.observed).toMatch(/, \? days left, /);
    }
    expect(checkTlsCertificate({ ...good, validTo: 'soon' }).summary).toBe(
      `the validity dates of postal.mailgoat.ai:443 could not be read (validTo "soon", now "${NOW}")`,
    );
  });

  it('fails every protocol older than TLS 1.2', () => {
    for (const protocol of ['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1']) {
      const verdict = checkTlsCertificate({ ...good, protocol });
      expect(verdict.summary).toBe(`postal.mailgoat.ai:443 negotiated ${protocol}; TLS 1.2 or newer is required`);
      expect(verdict.remediation).toBe('Disable TLS 1.0/1.1 in the TLS proxy (Caddy does by default) and re-test');
    }
    expect(checkTlsCertificate({ ...good, protocol: 'TLSv1.2' }).outcome).toBe('pass');
  });
});
