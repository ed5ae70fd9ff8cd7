import { describe, expect, it } from 'vitest';
import { checkStarttls, type StarttlsInput } from './starttls-check.ts';

const caps = ['mail.mailgoat.ai', 'SIZE 14680064', 'STARTTLS', 'AUTH CRAM-MD5 PLAIN LOGIN', 'ENHANCEDSTATUSCODES'];
const good: StarttlsInput = {
  host: 'mail.mailgoat.ai',
  ehloCapabilities: caps,
  handshake: { ok: true, protocol: 'TLSv1.3', authorized: true },
};
const ENABLE =
  'Set smtp_server.tls_enabled: true with tls_certificate_path / tls_private_key_path pointing at a certificate for the MX host in postal.yml, then restart smtp';

describe('checkStarttls', () => {
  it('passes when offered and the handshake succeeds, with its evidence', () => {
    expect(checkStarttls(good)).toEqual({
      outcome: 'pass',
      summary: 'mail.mailgoat.ai offers STARTTLS and the handshake succeeds (TLSv1.3)',
      expected: 'EHLO lists STARTTLS; handshake ok with TLS ≥ 1.2',
      observed: 'STARTTLS offered; handshake ok (TLSv1.3)',
      evidence: [
        { label: 'ehlo capabilities', detail: caps },
        { label: 'starttls handshake', detail: { ok: true, protocol: 'TLSv1.3', authorized: true } },
      ],
    });
  });

  it('reads the capability keyword, in any case and with surrounding space, and accepts TLS 1.2', () => {
    const verdict = checkStarttls({ ehloCapabilities: ['  starttls  extra'], handshake: { ok: true, protocol: 'TLSv1.2' } });
    expect(verdict.outcome).toBe('pass');
    expect(verdict.summary).toBe('the MX offers STARTTLS and the handshake succeeds (TLSv1.2)');
    expect(checkStarttls({ ehloCapabilities: ['STARTTLS'], handshake: { ok: true } })).toMatchObject({
      outcome: 'pass',
      summary: 'the MX offers STARTTLS and the handshake succeeds',
      observed: 'STARTTLS offered; handshake ok (?)',
      evidence: [
        { label: 'ehlo capabilities', detail: ['STARTTLS'] },
        { label: 'starttls handshake', detail: { ok: true, protocol: null, authorized: null } },
      ],
    });
  });

  it('fails when STARTTLS is not offered, even when a capability merely mentions it', () => {
    const verdict = checkStarttls({ ...good, ehloCapabilities: ['mail.mailgoat.ai', 'X-STARTTLS', 'NOSTARTTLS'], handshake: undefined });
    expect(verdict).toEqual({
      outcome: 'fail',
      summary: 'mail.mailgoat.ai does not offer STARTTLS: mail to it travels in clear text',
      remediation: ENABLE,
      expected: 'EHLO lists STARTTLS; handshake ok with TLS ≥ 1.2',
      observed: 'no STARTTLS',
      evidence: [{ label: 'ehlo capabilities', detail: ['mail.mailgoat.ai', 'X-STARTTLS', 'NOSTARTTLS'] }],
    });
    expect(checkStarttls({ ehloCapabilities: [] }).outcome).toBe('fail');
  });

  it('fails when the handshake fails, quoting the error scrubbed, with the exact fix', () => {
    const verdict = checkStarttls({ ...good, handshake: { ok: false, error: 'wrong version number password=hunter22' } });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toBe(
      'STARTTLS is offered by mail.mailgoat.ai but the handshake fails: wrong version number password=[masked:20d2fe5e]',
    );
    expect(verdict.remediation).toBe(
      `Check the certificate and key files Postal reads (smtp_server.tls_certificate_path, tls_private_key_path): readable by uid 999, key matching the certificate. ${ENABLE}`,
    );
    expect(verdict.observed).toBe('STARTTLS offered; handshake failed');
    expect(verdict.evidence[1]).toEqual({
      label: 'starttls handshake',
      detail: { ok: false, protocol: null, authorized: null, error: 'wrong version number password=[masked:20d2fe5e]' },
    });
    expect(checkStarttls({ ...good, handshake: { ok: false } }).summary).toBe(
      'STARTTLS is offered by mail.mailgoat.ai but the handshake fails: unknown error',
    );
  });

  it('names the TLS versions, not the certificate files, when the handshake fails on the protocol version', () => {
    for (const error of ['error:0A000102:SSL routines::unsupported protocol', 'tlsv1 alert protocol version', 'no protocols available']) {
      const verdict = checkStarttls({ ...good, handshake: { ok: false, error } });
      expect(verdict.remediation).toBe(
        'mail.mailgoat.ai offers no TLS version a modern client accepts (TLS 1.2 or 1.3): set smtp_server.ssl_version in postal.yml to allow TLS 1.2 and 1.3 (Postal\'s default "SSLv23" negotiates the best both sides have), then restart smtp',
      );
    }
  });

  it('fails when the handshake was not attempted', () => {
    const verdict = checkStarttls({ ...good, handshake: undefined });
    expect(verdict.summary).toBe('STARTTLS is offered by mail.mailgoat.ai but the handshake was not attempted');
    expect(verdict.remediation).toBe('Attempt STARTTLS and check again');
    expect(verdict.observed).toBe('STARTTLS offered');
  });

  it('fails every protocol older than TLS 1.2', () => {
    for (const protocol of ['SSLv3', 'TLSv1', 'TLSv1.1']) {
      const verdict = checkStarttls({ ...good, handshake: { ok: true, protocol } });
      expect(verdict.outcome).toBe('fail');
      expect(verdict.summary).toBe(`STARTTLS on mail.mailgoat.ai negotiated ${protocol}; TLS 1.2 or newer is required`);
      expect(verdict.remediation).toBe('Restrict smtp_server.ssl_version / the TLS settings of the smtp server to TLS 1.2+');
    }
  });

  it('warns on an untrusted certificate', () => {
    const verdict = checkStarttls({ ...good, handshake: { ok: true, protocol: 'TLSv1.3', authorized: false } });
    expect(verdict.outcome).toBe('warn');
    expect(verdict.summary).toBe('the STARTTLS certificate of mail.mailgoat.ai is not trusted');
    expect(verdict.remediation).toBe(
      'Use a certificate from a public CA for mail.mailgoat.ai (senders that enforce MTA-STS refuse an untrusted one)',
    );
    expect(verdict.observed).toBe('STARTTLS offered; handshake ok (TLSv1.3, untrusted)');
  });
});
