/**
 * SEC-05 — TLS on the web host (443) and the MX (25, STARTTLS) asked version by version: TLS 1.0 or 1.1
 * offered is a FAIL (both deprecated, RFC 8996); no TLS 1.2 or 1.3 is a FAIL. The best version, weak suite
 * groups and client-initiated renegotiation are advisories, graded as testssl.sh grades them. What this
 * client cannot offer (SSLv3, RC4, DES, EXPORT under OpenSSL 3) is said, never counted as refused.
 */
import { fail, type Finding, verdictFrom, warn } from './findings.ts';
import type { Verdict } from './verdict.ts';

export type Offer = 'accepted' | 'refused' | 'untestable';

export interface EndpointTls {
  endpoint: string;
  /** 'web' is the TLS proxy in front of Postal's web process; 'smtp' is Postal's own smtp process */
  service: 'web' | 'smtp';
  versions: Record<'SSLv3' | 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3', Offer>;
  weakSuites: Array<{ id: string; label: string; grade: string; offer: Offer; cipher?: string }>;
  renegotiation: Offer;
  error?: string;
}

const VERSION_NAME = { TLSv1: 'TLS 1.0', 'TLSv1.1': 'TLS 1.1' } as const;

const FIX = {
  smtp: "Postal's smtp process takes its TLS settings from postal.yml: set smtp_server.ssl_version so only TLS 1.2+ is negotiated (remove a TLSv1 / TLSv1_1 value) and leave tls_ciphers unset (or a modern list) — the image's OpenSSL then refuses TLS 1.0/1.1 — and restart the smtp container",
  web: 'Restrict the TLS proxy to TLS 1.2 and 1.3 (Caddy: the default; `protocols tls1.2 tls1.3` in a tls block) and restart it',
} as const;
const SUITE_FIX = {
  smtp: 'Set smtp_server.tls_ciphers in postal.yml to a modern list (e.g. Mozilla\'s "intermediate": ECDHE with AES-GCM or ChaCha20) and restart the smtp container',
  web: "Use the TLS proxy's default suites (Caddy's are modern) instead of a custom cipher list",
} as const;

export function checkTlsProtocols(input: { endpoints: EndpointTls[]; notProbed?: Array<{ endpoint: string; reason: string }> }): Verdict {
  // Stryker disable next-line ArrayDeclaration: equivalent, verdictFrom keeps only entries with a fail/warn outcome, so a seeded placeholder changes nothing
  const findings: Finding[] = [];
  const notes: string[] = [];
  if (input.endpoints.length === 0)
    findings.push(fail('no TLS endpoint was probed', 'Probe the web host (443) and the MX (25, STARTTLS) and check again'));
  for (const e of input.endpoints) {
    if (e.error) {
      findings.push(
        fail(
          `the TLS versions of ${e.endpoint} could not be probed: ${e.error}`,
          'Check the endpoint answers TLS (INF-04, SEC-03) and re-run',
        ),
      );
      continue;
    }
    const legacy = (['TLSv1', 'TLSv1.1'] as const).filter((v) => e.versions[v] === 'accepted');
    if (legacy.length)
      findings.push(
        fail(
          `${e.endpoint} offers ${legacy.map((v) => VERSION_NAME[v]).join(' and ')}: deprecated (RFC 8996), testssl.sh grades it NOT ok`,
          FIX[e.service],
        ),
      );
    const modern = (['TLSv1.3', 'TLSv1.2'] as const).filter((v) => e.versions[v] === 'accepted');
    if (modern.length === 0) findings.push(fail(`${e.endpoint} offers neither TLS 1.2 nor TLS 1.3`, FIX[e.service]));
    for (const s of e.weakSuites.filter((w) => w.offer === 'accepted')) {
      findings.push(
        warn(`${e.endpoint} accepts ${s.label}${s.cipher ? ` (${s.cipher})` : ''}: testssl.sh grades it ${s.grade}`, SUITE_FIX[e.service]),
      );
    }
    if (e.renegotiation === 'accepted') {
      findings.push(
        warn(
          `${e.endpoint} allows client-initiated renegotiation: testssl.sh reports it as a potential DoS (NOT ok)`,
          e.service === 'smtp'
            ? "Postal's image (OpenSSL 3) refuses client-initiated renegotiation by default: check what terminates TLS on port 25"
            : 'Use a TLS proxy that refuses client-initiated renegotiation (Caddy does)',
        ),
      );
    }
    const best = modern[0] ?? legacy.at(-1);
    const untestable = [
      ...(e.versions.SSLv3 === 'untestable' ? ['SSLv3'] : []),
      ...e.weakSuites.filter((w) => w.offer === 'untestable').map((w) => w.id),
    ];
    notes.push(
      `${e.endpoint}: best ${best ?? 'none'}${modern.includes('TLSv1.3') ? '' : ' (no TLS 1.3)'}, TLS 1.0/1.1 refused${untestable.length ? `; not testable by this client: ${untestable.join(', ')}` : ''}`,
    );
  }
  for (const n of input.notProbed ?? []) notes.push(`${n.endpoint} not probed: ${n.reason}`);
  return verdictFrom({
    findings,
    passSummary: notes.join('; '),
    expected: 'TLS 1.0 and 1.1 refused, TLS 1.2 or 1.3 offered on every endpoint; no weak suites, no client-initiated renegotiation',
    observed: input.endpoints
      .map(
        (e) =>
          `${e.endpoint}: ${
            Object.entries(e.versions)
              .filter(([, o]) => o === 'accepted')
              .map(([v]) => v)
              .join(', ') || 'nothing'
          }`,
      )
      .join('; '),
    evidence: input.endpoints.map((e) => ({
      label: `tls versions ${e.endpoint}`,
      detail: { versions: e.versions, weakSuites: e.weakSuites, renegotiation: e.renegotiation, ...(e.error ? { error: e.error } : {}) },
    })),
  });
}
