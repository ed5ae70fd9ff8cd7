/**
 * INF-02 — Postal is running: the SMTP greeting is Postal's (`220 <host> ESMTP Postal/<trace>`),
 * the web UI answers `GET /login` with 200, and — when the target can tell — the version is the
 * deployed one. Another MTA answering on 25 (a distribution Postfix/Exim) fails here, by name.
 */
import { collectFindings, fail, type Finding, verdictFrom, warn } from './findings.ts';
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

/** Rule: port 25 greets with Postal's 220 banner (no banner, a refusal, another MTA each fail). */
function bannerFinding(banner: string | undefined, smtpError: string | undefined): Finding | undefined {
  if (banner === undefined || banner.length === 0) {
    return fail(
      `no SMTP banner was read${smtpError ? `: ${smtpError}` : ''}`,
      'Start the Postal smtp process (`postal start`, `docker compose -p postal ps` should show smtp running) and check INF-01',
    );
  }
  if (!/^220[ -]/.test(banner)) {
    return fail(
      `the SMTP server greets with "${banner}" instead of 220: it refuses connections`,
      'Read the smtp container logs (`docker compose -p postal logs smtp`)',
    );
  }
  if (/ESMTP Postal\b/.test(banner)) return undefined;
  const other = OTHER_MTAS.find(([re]) => re.test(banner))?.[1];
  return fail(
    `port 25 answers "${banner}", which is ${other ?? 'not Postal'}: another MTA holds the port`,
    other
      ? `Stop and disable ${other} on the host (\`systemctl disable --now ${other.toLowerCase()}\`) so Postal's smtp process can bind port 25, then restart Postal`
      : "Make sure port 25 is served by Postal's smtp process (no other MTA or proxy in front of it), then restart Postal",
  );
}

/** Rule: the web UI answers GET /login with 200 and a page that looks like Postal's. */
function loginFinding({ loginStatus, loginError, loginBodySnippet }: PostalRunningInput): Finding | undefined {
  if (loginStatus === undefined) {
    return fail(
      `the web UI did not answer /login${loginError ? `: ${loginError}` : ''}`,
      // A refused certificate is not a stopped web process: the fix is the certificate.
      /certificate|CERT_|self[- ]signed|TLS|SSL/i.test(loginError ?? '')
        ? "The web host's TLS certificate is refused (expired, wrong name or untrusted): renew it on the proxy in front of Postal web (Caddy renews it when it can reach Let's Encrypt on ports 80/443), see INF-04"
        : 'Start Postal web (`postal start`) and the TLS proxy in front of it, and check INF-01 and INF-04',
    );
  }
  if (loginStatus !== 200) {
    return fail(
      `GET /login answered ${loginStatus}, not 200`,
      loginStatus >= 500
        ? 'Postal web is failing: read `docker compose -p postal logs web` (database unreachable, missing rails.secret_key, migrations not run: `postal upgrade`)'
        : 'Point the proxy for the web host at Postal web (127.0.0.1:5000 by default) and make sure /login is not blocked',
    );
  }
  if (loginBodySnippet === undefined || /postal/i.test(loginBodySnippet)) return undefined;
  return warn(
    "/login answered 200 but the page does not look like Postal's",
    'Check that the web host is proxied to Postal web and not to another site',
  );
}

/** Rule: the running version, when the target tells it, is the deployed one. */
function versionFinding(version: string | undefined, expected: string): Finding | undefined {
  if (version === undefined || version.length === 0 || version === expected) return undefined;
  return warn(
    `Postal ${version} is running, the deployment expects ${expected}`,
    `Pin the image to ghcr.io/postalserver/postal:${expected} in the compose file and run \`postal upgrade\`, or update the deployment file`,
  );
}

function loginEvidence({ loginStatus, loginBodySnippet, loginError }: PostalRunningInput): EvidenceItem {
  return {
    label: 'GET /login',
    detail: {
      status: loginStatus ?? null,
      ...(loginBodySnippet !== undefined ? { bodySnippet: loginBodySnippet.slice(0, 300) } : {}),
      ...(loginError ? { error: loginError } : {}),
    },
  };
}

export function checkPostalRunning(input: PostalRunningInput): Verdict {
  const banner = input.smtpBanner?.trim();
  const version = input.version?.trim().replace(/^v/, '');
  const expected = input.expectedVersion.trim().replace(/^v/, '');
  const notes = version === undefined || version.length === 0 ? ['version not reported by this target'] : [];
  return verdictFrom({
    findings: collectFindings(bannerFinding(banner, input.smtpError), loginFinding(input), versionFinding(version, expected)),
    passSummary: `Postal answers on SMTP and web${version ? `, version ${version}` : ''}${notes.length ? ` (${notes.join('; ')})` : ''}`,
    expected: `banner "220 <host> ESMTP Postal/…", /login 200, version ${expected}`,
    observed: `banner ${banner ? `"${banner}"` : 'none'}, /login ${input.loginStatus ?? 'no answer'}, version ${version ?? 'unknown'}`,
    evidence: [
      { label: 'smtp banner', detail: { banner: banner ?? null, ...(input.smtpError ? { error: input.smtpError } : {}) } },
      loginEvidence(input),
      { label: 'version', detail: { running: version ?? 'unknown', expected } },
    ],
  });
}
