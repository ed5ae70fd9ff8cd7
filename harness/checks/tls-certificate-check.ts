/**
 * INF-04 (and SEC-03's certificate) — a TLS endpoint presents a certificate a browser or MTA
 * accepts: a chain to a trusted root, a name matching the host (RFC 6125 wildcards), far enough
 * from expiry, over TLS 1.2 or newer. The client records what the handshake showed; this check judges it.
 */
import { collectFindings, fail, type Finding, verdictFrom, warn } from './findings.ts';
import type { Verdict } from './verdict.ts';

export interface TlsCertificateInput {
  host: string;
  port: number;
  /** Set when no TLS handshake took place (a black hole, a plain-text port): nothing about a certificate can be said. */
  handshakeError?: string;
  /** `socket.authorized`: the chain verified against the trusted roots. */
  authorized: boolean;
  /** `socket.authorizationError`, e.g. "UNABLE_TO_VERIFY_LEAF_SIGNATURE". */
  authorizationError?: string;
  /** DNS names (and IPs) the certificate is for: bare names or Node's "DNS:name" / "IP Address:ip" form. */
  subjectAltNames: string[];
  /** ISO 8601 end of validity (`new Date(cert.valid_to).toISOString()`). */
  validTo: string;
  /** ISO 8601 start of validity, when known. */
  validFrom?: string;
  /** ISO 8601 time of the observation (the check is pure: it does not read the clock). */
  now: string;
  /** `socket.getProtocol()`, e.g. "TLSv1.3". */
  protocol?: string;
  issuer?: string;
  /** Fail at or below this many days left. Default 14. */
  minDaysLeft?: number;
  /** Warn below this many days left: ACME clients (Caddy, certbot) renew 30 days before expiry, so less means renewal is failing. Default 30. */
  warnDaysLeft?: number;
  /** What to do, when the certificate is not the web proxy's (SMTP_CERTIFICATE_REMEDY for Postal's smtp process). */
  remedy?: CertificateRemedy;
}

/** The fixes a finding names, for one kind of endpoint. */
export interface CertificateRemedy {
  /** how to put a right certificate in place */
  reissue(host: string): string;
  /** why renewal failed and how to make it happen */
  renew: string;
  /** how to turn off TLS below 1.2 */
  protocol: string;
  /** how to make the endpoint answer TLS at all */
  handshake(endpoint: string, port: number): string;
}

/** Postal's smtp process reads its own certificate file; nothing renews it unless someone made it so. */
export const SMTP_CERTIFICATE_REMEDY: CertificateRemedy = {
  reissue: (host) =>
    `Postal's smtp process reads its certificate from smtp_server.tls_certificate_path (key: tls_private_key_path) in postal.yml, a file apart from the web proxy's: put a certificate for ${host} from a public CA there (the full chain), restart the smtp container`,
  renew:
    'renew it with the web certificate: nothing renews smtp_server.tls_certificate_path by itself (Caddy renews only its own copy) — add a deploy hook that copies the renewed certificate for the mail host there and restarts the smtp container, or point the path at the file the ACME client renews',
  protocol:
    "Set smtp_server.ssl_version / tls_ciphers in postal.yml so TLS 1.0 and 1.1 are refused (the image's OpenSSL defaults allow TLS 1.2+ only), and restart the smtp container",
  handshake: (endpoint) =>
    `Make STARTTLS on ${endpoint} complete: smtp_server.tls_enabled true, with readable tls_certificate_path / tls_private_key_path files whose key matches the certificate`,
};

const WEB_CERTIFICATE_REMEDY: CertificateRemedy = {
  reissue: (host) =>
    `Issue a certificate for ${host} from a public CA (Caddy does this automatically when ${host} resolves to the server and ports 80/443 are open) and serve the full chain`,
  renew: "automatic renewal is not working: read the proxy's logs (ACME challenge on port 80 blocked?)",
  protocol: 'Disable TLS 1.0/1.1 in the TLS proxy (Caddy does by default) and re-test',
  handshake: (endpoint, port) =>
    `Make ${endpoint} answer TLS: check the TLS proxy (Caddy) runs and listens on ${port}, and that nothing else holds the port`,
};

const DAY_MS = 86_400_000;
const OLD_PROTOCOLS = new Set(['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1']);

function altNames(entries: string[]): { dns: string[]; ip: string[] } {
  const dns: string[] = [];
  const ip: string[] = [];
  for (const raw of entries.flatMap((e) => e.split(','))) {
    const entry = raw.trim();
    if (entry.length === 0) continue;
    const m = /^(DNS|IP Address|IP):(.*)$/i.exec(entry);
    if (!m) dns.push(entry.toLowerCase());
    else if (m[1]!.toUpperCase() === 'DNS') dns.push(m[2]!.trim().toLowerCase());
    else ip.push(m[2]!.trim().toLowerCase());
  }
  return { dns, ip };
}

/** RFC 6125 §6.4.3: a `*` only as the whole left-most label, matching exactly one label (never the apex). */
export function certificateNameMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase().replace(/\.$/, '');
  const h = host.toLowerCase().replace(/\.$/, '');
  if (!p.startsWith('*.')) return p === h;
  const suffix = p.slice(1); // ".example.com"
  if (suffix.split('.').length < 3) return false; // "*.com" is never valid
  if (!h.endsWith(suffix)) return false;
  const label = h.slice(0, h.length - suffix.length);
  return label.length > 0 && !label.includes('.');
}

const CHAIN_ADVICE: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the server presents a self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'the chain ends in a self-signed root nobody trusts',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the server does not send the intermediate certificate(s)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the issuer is not a trusted CA (or the intermediate is missing)',
  CERT_HAS_EXPIRED: 'the certificate has expired',
  CERT_NOT_YET_VALID: 'the certificate is not valid yet (check the server clock)',
};

/**
 * Rule: the validity dates can be read, the certificate is valid now and for more than minDaysLeft days
 * (warn under warnDaysLeft: renewal should already have happened).
 */
function validityProblems(
  input: TlsCertificateInput,
  {
    endpoint,
    reissue,
    renew,
    minDaysLeft,
    warnDaysLeft,
  }: { endpoint: string; reissue: string; renew: string; minDaysLeft: number; warnDaysLeft: number },
): { daysLeft: number | undefined; findings: Finding[] } {
  const now = Date.parse(input.now);
  const validTo = Date.parse(input.validTo);
  const validFrom = input.validFrom !== undefined ? Date.parse(input.validFrom) : undefined;
  if (Number.isNaN(now) || Number.isNaN(validTo) || (validFrom !== undefined && Number.isNaN(validFrom))) {
    return {
      daysLeft: undefined,
      findings: [
        fail(
          `the validity dates of ${endpoint} could not be read (validTo "${input.validTo}", now "${input.now}")`,
          'Record validTo/now as ISO 8601 dates',
        ),
      ],
    };
  }
  const daysLeft = Math.floor((validTo - now) / DAY_MS);
  const until = new Date(validTo).toISOString().slice(0, 10);
  const notYetValid =
    validFrom !== undefined && validFrom > now
      ? fail(
          `the certificate of ${endpoint} is not valid before ${new Date(validFrom).toISOString()}`,
          'Check the clock of the server and of the CA; re-issue if the dates are wrong',
        )
      : undefined;
  let expiry: Finding | undefined;
  if (validTo <= now) {
    expiry = fail(`the certificate of ${endpoint} expired on ${until}`, `${reissue}; then ${renew}`);
  } else if (daysLeft <= minDaysLeft) {
    expiry = fail(
      `the certificate of ${endpoint} expires on ${until}, in ${daysLeft} days (must be more than ${minDaysLeft})`,
      `Renew it now; ${renew}`,
    );
  } else if (daysLeft < warnDaysLeft) {
    expiry = warn(
      `the certificate of ${endpoint} expires in ${daysLeft} days (${until}): renewal should already have happened`,
      `Check the renewal: ${renew}`,
    );
  }
  return { daysLeft, findings: collectFindings(notYetValid, expiry) };
}

export function checkTlsCertificate(input: TlsCertificateInput): Verdict {
  const minDaysLeft = input.minDaysLeft ?? 14;
  const warnDaysLeft = input.warnDaysLeft ?? 30;
  const endpoint = `${input.host}:${input.port}`;
  const remedy = input.remedy ?? WEB_CERTIFICATE_REMEDY;
  // Stryker disable next-line ArrayDeclaration: equivalent, verdictFrom keeps only entries with a fail/warn outcome, so a seeded placeholder changes nothing
  const findings: Finding[] = [];
  if (input.handshakeError !== undefined) {
    return verdictFrom({
      findings: [fail(`no TLS handshake took place with ${endpoint}: ${input.handshakeError}`, remedy.handshake(endpoint, input.port))],
      passSummary: '',
      expected: `a TLS handshake with ${endpoint}`,
      observed: `no handshake: ${input.handshakeError}`,
      evidence: [{ label: 'handshake', detail: { endpoint, error: input.handshakeError } }],
    });
  }
  const reissue = remedy.reissue(input.host);

  // Node verifies the chain first and only then the name, so ERR_TLS_CERT_ALTNAME_INVALID means the
  // chain itself was trusted: report it as the name mismatch it is, not as an untrusted chain.
  const nameRejected = input.authorizationError === 'ERR_TLS_CERT_ALTNAME_INVALID';
  if (!input.authorized && !nameRejected) {
    const code = input.authorizationError ?? 'unknown error';
    findings.push(
      fail(`the certificate chain of ${endpoint} is not trusted: ${code}${CHAIN_ADVICE[code] ? ` (${CHAIN_ADVICE[code]})` : ''}`, reissue),
    );
  }

  const { dns, ip } = altNames(input.subjectAltNames);
  const isIp = /^[0-9.]+$|:/.test(input.host);
  const matched = isIp ? ip.find((a) => a === input.host.toLowerCase()) : dns.find((n) => certificateNameMatches(n, input.host));
  if (!matched || nameRejected) {
    findings.push(
      fail(
        `the certificate of ${endpoint} is for ${[...dns, ...ip].join(', ') || 'no names'}, not ${input.host}`,
        `${reissue}; make the proxy serve it for ${input.host}`,
      ),
    );
  }

  const validity = validityProblems(input, { endpoint, reissue, renew: remedy.renew, minDaysLeft, warnDaysLeft });
  const { daysLeft } = validity;
  findings.push(...validity.findings);

  if (input.protocol !== undefined && OLD_PROTOCOLS.has(input.protocol)) {
    findings.push(fail(`${endpoint} negotiated ${input.protocol}; TLS 1.2 or newer is required`, remedy.protocol));
  }

  return verdictFrom({
    findings,
    passSummary: `${endpoint} presents a trusted certificate for ${matched ?? input.host}, ${daysLeft ?? '?'} days left${input.protocol ? `, ${input.protocol}` : ''}`,
    expected: `trusted chain, name ${input.host}, more than ${minDaysLeft} days left, TLS ≥ 1.2`,
    observed: `${input.authorized ? 'trusted' : `untrusted (${input.authorizationError ?? '?'})`}, names ${[...dns, ...ip].join(', ') || 'none'}, ${daysLeft ?? '?'} days left, ${input.protocol ?? 'protocol unknown'}`,
    evidence: [
      {
        label: `tls ${endpoint}`,
        detail: {
          authorized: input.authorized,
          ...(input.authorizationError ? { authorizationError: input.authorizationError } : {}),
          subjectAltNames: [...dns, ...ip],
          ...(input.issuer ? { issuer: input.issuer } : {}),
          ...(input.validFrom ? { validFrom: input.validFrom } : {}),
          validTo: input.validTo,
          observedAt: input.now,
          daysLeft: daysLeft ?? null,
          protocol: input.protocol ?? null,
        },
      },
    ],
  });
}
