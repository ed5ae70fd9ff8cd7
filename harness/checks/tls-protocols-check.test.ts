import { describe, expect, it } from 'vitest';
import { checkTlsProtocols, type EndpointTls } from './tls-protocols-check.ts';

const endpoint = (over: Partial<EndpointTls> = {}): EndpointTls => ({
  endpoint: 'mail.mailgoat.ai:25 (STARTTLS)',
  service: 'smtp',
  versions: { SSLv3: 'untestable', TLSv1: 'refused', 'TLSv1.1': 'refused', 'TLSv1.2': 'accepted', 'TLSv1.3': 'accepted' },
  weakSuites: [
    { id: 'null', label: 'NULL ciphers (no encryption)', grade: 'NOT ok', offer: 'refused' },
    { id: 'rc4', label: 'RC4 ciphers', grade: 'NOT ok', offer: 'untestable' },
  ],
  renegotiation: 'refused',
  ...over,
});
const run = (...endpoints: EndpointTls[]) => checkTlsProtocols({ endpoints });

describe('checkTlsProtocols', () => {
  it('passes TLS 1.2 and 1.3 only, naming the best version and what this client could not test', () => {
    const verdict = run(
      endpoint(),
      endpoint({ endpoint: 'postal.mailgoat.ai:443', service: 'web', versions: { ...endpoint().versions, 'TLSv1.3': 'refused' } }),
    );
    expect(verdict.outcome).toBe('pass');
    expect(verdict.summary).toBe(
      'mail.mailgoat.ai:25 (STARTTLS): best TLSv1.3, TLS 1.0/1.1 refused; not testable by this client: SSLv3, rc4; postal.mailgoat.ai:443: best TLSv1.2 (no TLS 1.3), TLS 1.0/1.1 refused; not testable by this client: SSLv3, rc4',
    );
    expect(verdict.observed).toBe('mail.mailgoat.ai:25 (STARTTLS): TLSv1.2, TLSv1.3; postal.mailgoat.ai:443: TLSv1.2');
  });

  it("fails TLS 1.0 or 1.1 offered, with Postal's own setting for the MX and the proxy's for the web host", () => {
    const smtp = run(endpoint({ versions: { ...endpoint().versions, TLSv1: 'accepted', 'TLSv1.1': 'accepted' } }));
    expect(smtp.outcome).toBe('fail');
    expect(smtp.summary).toBe(
      'mail.mailgoat.ai:25 (STARTTLS) offers TLS 1.0 and TLS 1.1: deprecated (RFC 8996), testssl.sh grades it NOT ok',
    );
    expect(smtp.remediation).toMatch(/smtp_server\.ssl_version/);
    const web = run(
      endpoint({ endpoint: 'postal.mailgoat.ai:443', service: 'web', versions: { ...endpoint().versions, 'TLSv1.1': 'accepted' } }),
    );
    expect(web.summary).toMatch(/^postal\.mailgoat\.ai:443 offers TLS 1\.1: /);
    expect(web.remediation).toMatch(/protocols tls1\.2 tls1\.3/);
  });

  it('fails an endpoint with neither TLS 1.2 nor 1.3, and one that could not be probed', () => {
    expect(
      run(
        endpoint({ versions: { SSLv3: 'untestable', TLSv1: 'refused', 'TLSv1.1': 'refused', 'TLSv1.2': 'refused', 'TLSv1.3': 'refused' } }),
      ).summary,
    ).toBe('mail.mailgoat.ai:25 (STARTTLS) offers neither TLS 1.2 nor TLS 1.3');
    const broken = run(endpoint({ error: 'connection refused' }));
    expect(broken.outcome).toBe('fail');
    expect(broken.summary).toBe('the TLS versions of mail.mailgoat.ai:25 (STARTTLS) could not be probed: connection refused');
    expect(run().summary).toBe('no TLS endpoint was probed');
    expect(
      checkTlsProtocols({
        endpoints: [endpoint()],
        notProbed: [{ endpoint: 'mail.mailgoat.ai:25', reason: 'STARTTLS is not offered (SEC-03)' }],
      }).summary,
    ).toMatch(/; mail\.mailgoat\.ai:25 not probed: STARTTLS is not offered \(SEC-03\)$/);
  });

  it('warns weak suites and client-initiated renegotiation as testssl.sh grades them', () => {
    const verdict = run(
      endpoint({
        weakSuites: [
          { id: 'cbc', label: 'obsoleted CBC ciphers', grade: 'low', offer: 'accepted', cipher: 'ECDHE-ECDSA-AES256-SHA384' },
          { id: 'null', label: 'NULL ciphers', grade: 'NOT ok', offer: 'accepted' },
        ],
        renegotiation: 'accepted',
      }),
    );
    expect(verdict.outcome).toBe('warn');
    expect(verdict.summary).toBe(
      'mail.mailgoat.ai:25 (STARTTLS) accepts obsoleted CBC ciphers (ECDHE-ECDSA-AES256-SHA384): testssl.sh grades it low; mail.mailgoat.ai:25 (STARTTLS) accepts NULL ciphers: testssl.sh grades it NOT ok; mail.mailgoat.ai:25 (STARTTLS) allows client-initiated renegotiation: testssl.sh reports it as a potential DoS (NOT ok)',
    );
    expect(verdict.remediation).toMatch(/smtp_server\.tls_ciphers.*OpenSSL 3\) refuses client-initiated renegotiation/s);
    expect(run(endpoint({ service: 'web', renegotiation: 'accepted' })).remediation).toMatch(/Caddy does/);
    expect(run(endpoint({ renegotiation: 'untestable' })).outcome).toBe('pass');
  });
});
