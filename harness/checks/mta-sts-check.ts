/**
 * DNS-10 — MTA-STS (RFC 8461) as internet.nl and checkdmarc test it: the `_mta-sts` TXT record and the
 * policy at https://mta-sts.<domain>/.well-known/mta-sts.txt. An advisory while nothing is published
 * (a warning); once published it must work: a broken policy in `enforce` mode makes senders that honour it
 * refuse to deliver, so it is a FAIL.
 */
import { describeObservation, fail, type Finding, observationEvidence, verdictFrom, warn } from './findings.ts';
import type { DnsObservation } from './dns-observation.ts';
import type { Verdict } from './verdict.ts';

export interface MtaStsInput {
  domain: string;
  txt: DnsObservation;
  /** the domain's MX hosts */
  mxHosts: string[];
  /** the policy fetch, when the TXT record was published */
  policy?: { url: string; status?: number; body?: string; error?: string };
}

export interface MtaStsPolicy {
  version?: string;
  mode?: string;
  mx: string[];
  maxAge?: number;
}

/** RFC 8461 §3.2: `key: value` lines, `mx` repeated. */
export function parseMtaStsPolicy(body: string): MtaStsPolicy {
  const policy: MtaStsPolicy = { mx: [] };
  for (const line of body.split(/\r?\n/)) {
    const m = /^([a-z_]+):\s*(.*?)\s*$/i.exec(line);
    if (!m) continue;
    const [key, value] = [m[1]!.toLowerCase(), m[2]!];
    if (key === 'version') policy.version = value;
    else if (key === 'mode') policy.mode = value;
    else if (key === 'mx') policy.mx.push(value.toLowerCase());
    else if (key === 'max_age') policy.maxAge = /^\d{1,10}$/.test(value) ? Number(value) : NaN;
  }
  return policy;
}

/** An mx pattern: a host, or `*.` and exactly one more label. */
export function mxPatternMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase().replace(/\.$/, '');
  const h = host.toLowerCase().replace(/\.$/, '');
  if (!p.startsWith('*.')) return p === h;
  const rest = h.slice(h.indexOf('.') + 1);
  return h.includes('.') && rest === p.slice(2);
}

const PUBLISH = (domain: string) =>
  `To have senders insist on TLS to your MX: serve https://mta-sts.${domain}/.well-known/mta-sts.txt ("version: STSv1", "mode: testing", one "mx:" line per MX host, "max_age: 604800") with a valid certificate, publish TXT _mta-sts.${domain} "v=STSv1; id=<yyyymmddNN>", and move to "mode: enforce" once TLS-RPT reports are clean`;

export function checkMtaSts(input: MtaStsInput): Verdict {
  // Stryker disable next-line ArrayDeclaration: equivalent, verdictFrom keeps only entries with a fail/warn outcome, so a seeded placeholder changes nothing
  const findings: Finding[] = [];
  const name = `_mta-sts.${input.domain}`;
  const records = input.txt.answers.filter((a) => /^v=STSv1(;|\s|$)/i.test(a));
  const evidence = [observationEvidence(input.txt)];
  let summary = '';
  if (input.txt.status === 'error') {
    findings.push(
      warn(
        `the MTA-STS record ${name} could not be read: ${input.txt.error ?? 'error'}`,
        "Check the domain's DNS answers (DNS-07) and re-run",
      ),
    );
  } else if (records.length === 0) {
    findings.push(
      warn(
        `no MTA-STS policy is published for ${input.domain} (no v=STSv1 TXT at ${name}): senders may deliver without TLS when an attacker strips STARTTLS`,
        PUBLISH(input.domain),
      ),
    );
  } else if (records.length > 1) {
    findings.push(fail(`${records.length} MTA-STS records at ${name}: senders ignore them all`, `Keep one TXT "v=STSv1; id=…" at ${name}`));
  } else if (!/(?:^|;)\s*id=[A-Za-z0-9]{1,32}\s*(;|$)/.test(records[0]!)) {
    findings.push(
      fail(
        `the MTA-STS record "${records[0]}" at ${name} has no valid id= (1–32 letters and digits)`,
        `Publish TXT ${name} "v=STSv1; id=<yyyymmddNN>" (change the id whenever the policy changes)`,
      ),
    );
  }
  const p = input.policy;
  if (records.length === 1 && p) {
    evidence.push({
      label: `MTA-STS policy ${p.url}`,
      detail: { status: p.status ?? null, ...(p.error ? { error: p.error } : {}), body: p.body?.slice(0, 600) ?? null },
    });
    const fetchFix = `Serve the policy at ${p.url} over HTTPS with a valid certificate for mta-sts.${input.domain} (the TLS proxy can serve it as another site), answering 200 with text/plain`;
    if (p.error !== undefined || p.status !== 200 || p.body === undefined) {
      findings.push(
        fail(
          `MTA-STS is published for ${input.domain} but its policy cannot be fetched from ${p.url}: ${p.error ?? `HTTP ${p.status}`}`,
          fetchFix,
        ),
      );
    } else {
      const policy = parseMtaStsPolicy(p.body);
      const problems = [
        ...(policy.version !== 'STSv1' ? [`version is ${policy.version ?? 'missing'}, not STSv1`] : []),
        ...(!['enforce', 'testing', 'none'].includes(policy.mode ?? '') ? [`mode is ${policy.mode ?? 'missing'}`] : []),
        ...(policy.maxAge === undefined || Number.isNaN(policy.maxAge) || policy.maxAge > 31_557_600
          ? ['max_age is missing or not 0–31557600']
          : []),
      ];
      const uncovered = input.mxHosts.filter((h) => !policy.mx.some((pattern) => mxPatternMatches(pattern, h)));
      if (problems.length) findings.push(fail(`the MTA-STS policy at ${p.url} is malformed: ${problems.join('; ')}`, fetchFix));
      if (uncovered.length && policy.mode === 'enforce') {
        findings.push(
          fail(
            `the MTA-STS policy of ${input.domain} is in enforce mode but does not list its MX ${uncovered.join(', ')} (it lists ${policy.mx.join(', ') || 'none'}): senders that honour MTA-STS refuse to deliver`,
            `Add "mx: ${uncovered[0]}" to the policy at ${p.url} (or fix the MX), change the id in TXT ${name}, and watch the TLS-RPT reports`,
          ),
        );
      } else if (uncovered.length) {
        findings.push(
          warn(
            `the MTA-STS policy of ${input.domain} does not list its MX ${uncovered.join(', ')} (mode ${policy.mode}): it would fail once enforced`,
            `Add "mx: ${uncovered[0]}" to the policy at ${p.url}`,
          ),
        );
      }
      if (policy.mode === 'none')
        findings.push(warn(`the MTA-STS policy of ${input.domain} is "mode: none" (withdrawn)`, PUBLISH(input.domain)));
      if (policy.maxAge !== undefined && policy.maxAge < 86_400)
        findings.push(
          warn(`the MTA-STS max_age is ${policy.maxAge} s: RFC 8461 advises weeks (604800 or more)`, 'Raise max_age to 604800 or more'),
        );
      summary = `MTA-STS published for ${input.domain}: mode ${policy.mode}, mx ${policy.mx.join(', ')}, max_age ${policy.maxAge}`;
    }
  }
  return verdictFrom({
    findings,
    passSummary: summary || `MTA-STS published for ${input.domain}`,
    expected: `one TXT "v=STSv1; id=…" at ${name} and a valid policy listing every MX`,
    observed: describeObservation(input.txt),
    evidence,
  });
}
