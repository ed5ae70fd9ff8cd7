/**
 * SEC-03 — STARTTLS on the MX: EHLO lists STARTTLS and the upgrade handshake completes over
 * TLS 1.2 or newer. An untrusted certificate only warns here: MTAs deliver with opportunistic TLS
 * anyway; the certificate itself is judged by tls-certificate-check when the control wants that too.
 */
import { fail, type Finding, verdictFrom, warn } from './findings.ts';
import { scrubSecrets } from './secret-scrub.ts';
import type { Verdict } from './verdict.ts';

export interface StarttlsInput {
  /** EHLO reply lines without the code, e.g. ["mail.mailgoat.ai", "SIZE 14680064", "STARTTLS", "AUTH CRAM-MD5 PLAIN LOGIN"]. */
  ehloCapabilities: string[];
  /** The STARTTLS upgrade, when it was attempted. */
  handshake?: { ok: boolean; protocol?: string; authorized?: boolean; error?: string };
  /** The MX host, for messages. */
  host?: string;
}

const OLD_PROTOCOLS = new Set(['SSLv3', 'TLSv1', 'TLSv1.1']);

export function checkStarttls(input: StarttlsInput): Verdict {
  // Stryker disable next-line ArrayDeclaration: equivalent, verdictFrom keeps only entries with a fail/warn outcome, so a seeded placeholder changes nothing
  const findings: Finding[] = [];
  const host = input.host ?? 'the MX';
  const offered = input.ehloCapabilities.some((c) => c.trim().split(/\s+/)[0]?.toUpperCase() === 'STARTTLS');
  const h = input.handshake;
  const enable =
    'Set smtp_server.tls_enabled: true with tls_certificate_path / tls_private_key_path pointing at a certificate for the MX host in postal.yml, then restart smtp';

  if (!offered) {
    findings.push(fail(`${host} does not offer STARTTLS: mail to it travels in clear text`, enable));
  } else if (!h) {
    findings.push(fail(`STARTTLS is offered by ${host} but the handshake was not attempted`, 'Attempt STARTTLS and check again'));
  } else if (!h.ok) {
    const error = scrubSecrets(h.error ?? 'unknown error');
    // A protocol-version failure is the server's TLS versions, not its certificate files.
    const versions = /protocol version|unsupported protocol|no protocols available|version too low|tlsv1 alert protocol/i.test(error);
    findings.push(
      fail(
        `STARTTLS is offered by ${host} but the handshake fails: ${error}`,
        versions
          ? `${host} offers no TLS version a modern client accepts (TLS 1.2 or 1.3): set smtp_server.ssl_version in postal.yml to allow TLS 1.2 and 1.3 (Postal's default "SSLv23" negotiates the best both sides have), then restart smtp`
          : `Check the certificate and key files Postal reads (smtp_server.tls_certificate_path, tls_private_key_path): readable by uid 999, key matching the certificate. ${enable}`,
      ),
    );
  } else {
    if (h.protocol !== undefined && OLD_PROTOCOLS.has(h.protocol)) {
      findings.push(
        fail(
          `STARTTLS on ${host} negotiated ${h.protocol}; TLS 1.2 or newer is required`,
          'Restrict smtp_server.ssl_version / the TLS settings of the smtp server to TLS 1.2+',
        ),
      );
    }
    if (h.authorized === false) {
      findings.push(
        warn(
          `the STARTTLS certificate of ${host} is not trusted`,
          `Use a certificate from a public CA for ${host} (senders that enforce MTA-STS refuse an untrusted one)`,
        ),
      );
    }
  }

  return verdictFrom({
    findings,
    passSummary: `${host} offers STARTTLS and the handshake succeeds${h?.protocol ? ` (${h.protocol})` : ''}`,
    expected: 'EHLO lists STARTTLS; handshake ok with TLS ≥ 1.2',
    observed: `${offered ? 'STARTTLS offered' : 'no STARTTLS'}${h ? `; handshake ${h.ok ? `ok (${h.protocol ?? '?'}${h.authorized === false ? ', untrusted' : ''})` : `failed`}` : ''}`,
    evidence: [
      { label: 'ehlo capabilities', detail: input.ehloCapabilities },
      ...(h
        ? [
            {
              label: 'starttls handshake',
              detail: {
                ok: h.ok,
                protocol: h.protocol ?? null,
                authorized: h.authorized ?? null,
                ...(h.error ? { error: scrubSecrets(h.error) } : {}),
              },
            },
          ]
        : []),
    ],
  });
}
