/**
 * INF-02 — Postal is running: the SMTP greeting is Postal's (`220 <host> ESMTP Postal/<trace>`),
 * the web UI answers `GET /login` with 200, and — when the target can tell — the version is the
 * deployed one. Another MTA answering on 25 (a distribution Postfix/Exim) fails here, by name.
 */
import { fail, type Finding, verdictFrom, warn } from './findings.ts';
import type { EvidenceItem, Verdict } from './verdict.ts';

export interface PostalRunningInput {
  /** The first reply line(s) of an SMTP connection to port 25. */
  smtpBanner?: string;
  /** Why no banner was read (timeout, refused). */
  smtpError?: string;
  /** HTTP status of GET https://<web host>/login. */
  loginStatus?: number;
  /** The first few hundred characters of the /login page. */
  loginBodySnippet?: string;
  loginError?: string;
  /** The running version, when the target can tell (`postal version`, a container label). */
  version?: string;
  expectedVersion: string;
}

const OTHER_MTAS: Array<[RegExp, string]> = [
  [/postfix/i, 'Postfix'],
  [/exim/i, 'Exim'],
  [/sendmail/i, 'Sendmail'],
  [/microsoft|exchange/i, 'Exchange'],
  [/haraka/i, 'Haraka'],
];

export function checkPostalRunning(input: PostalRunningInput): Verdict {
  // Stryker disable next-line ArrayDeclaration: equivalent, verdictFrom keeps only entries with a fail/warn outcome, so a seeded placeholder changes nothing
  const findings: Finding[] = [];
  const evidence: EvidenceItem[] = [];
  const banner = input.smtpBanner?.trim();
  const notes: string[] = [];

  evidence.push({ label: 'smtp banner', detail: { banner: banner ?? null, ...(input.smtpError ? { error: input.smtpError } : {}) } });
  if (banner === undefined || banner.length === 0) {
    findings.push(
      fail(
        `no SMTP banner was read${input.smtpError ? `: ${input.smtpError}` : ''}`,
        'Start the Postal smtp process (`postal start`, `docker compose -p postal ps` should show smtp running) and check INF-01',
      ),
    );
  } else if (!/^220[ -]/.test(banner)) {
    findings.push(
      fail(
        `the SMTP server greets with "${banner}" instead of 220: it refuses connections`,
        'Read the smtp container logs (`docker compose -p postal logs smtp`)',
      ),
    );
  } else if (!/ESMTP Postal\b/.test(banner)) {
    const other = OTHER_MTAS.find(([re]) => re.test(banner))?.[1];
    findings.push(
      fail(
        `port 25 answers "${banner}", which is ${other ?? 'not Postal'}: another MTA holds the port`,
        other
          ? `Stop and disable ${other} on the host (\`systemctl disable --now ${other.toLowerCase()}\`) so Postal's smtp process can bind port 25, then restart Postal`
          : "Make sure port 25 is served by Postal's smtp process (no other MTA or proxy in front of it), then restart Postal",
      ),
    );
  }

  evidence.push({
    label: 'GET /login',
    detail: {
      status: input.loginStatus ?? null,
      ...(input.loginBodySnippet !== undefined ? { bodySnippet: input.loginBodySnippet.slice(0, 300) } : {}),
      ...(input.loginError ? { error: input.loginError } : {}),
    },
  });
  if (input.loginStatus === undefined) {
    findings.push(
      fail(
        `the web UI did not answer /login${input.loginError ? `: ${input.loginError}` : ''}`,
        // A refused certificate is not a stopped web process: the fix is the certificate.
        /certificate|CERT_|self[- ]signed|TLS|SSL/i.test(input.loginError ?? '')
          ? "The web host's TLS certificate is refused (expired, wrong name or untrusted): renew it on the proxy in front of Postal web (Caddy renews it when it can reach Let's Encrypt on ports 80/443), see INF-04"
          : 'Start Postal web (`postal start`) and the TLS proxy in front of it, and check INF-01 and INF-04',
      ),
    );
  } else if (input.loginStatus !== 200) {
    findings.push(
      fail(
        `GET /login answered ${input.loginStatus}, not 200`,
        input.loginStatus >= 500
          ? 'Postal web is failing: read `docker compose -p postal logs web` (database unreachable, missing rails.secret_key, migrations not run: `postal upgrade`)'
          : 'Point the proxy for the web host at Postal web (127.0.0.1:5000 by default) and make sure /login is not blocked',
      ),
    );
  } else if (input.loginBodySnippet !== undefined && !/postal/i.test(input.loginBodySnippet)) {
    findings.push(
      warn(
        "/login answered 200 but the page does not look like Postal's",
        'Check that the web host is proxied to Postal web and not to another site',
      ),
    );
  }

  const version = input.version?.trim().replace(/^v/, '');
  const expected = input.expectedVersion.trim().replace(/^v/, '');
  evidence.push({ label: 'version', detail: { running: version ?? 'unknown', expected } });
  if (version === undefined || version.length === 0) {
    notes.push('version not reported by this target');
  } else if (version !== expected) {
    findings.push(
      warn(
        `Postal ${version} is running, the deployment expects ${expected}`,
        `Pin the image to ghcr.io/postalserver/postal:${expected} in the compose file and run \`postal upgrade\`, or update the deployment file`,
      ),
    );
  }

  return verdictFrom({
    findings,
    passSummary: `Postal answers on SMTP and web${version ? `, version ${version}` : ''}${notes.length ? ` (${notes.join('; ')})` : ''}`,
    expected: `banner "220 <host> ESMTP Postal/…", /login 200, version ${expected}`,
    observed: `banner ${banner ? `"${banner}"` : 'none'}, /login ${input.loginStatus ?? 'no answer'}, version ${version ?? 'unknown'}`,
    evidence,
  });
}
