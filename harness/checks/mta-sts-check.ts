/**
 * DNS-10 — MTA-STS (RFC 8461) as internet.nl and checkdmarc test it: the `_mta-sts` TXT record and the
 * policy at https://mta-sts.<domain>/.well-known/mta-sts.txt. An advisory while nothing is published
 * (a warning); once published it must work: a broken policy in `enforce` mode makes senders that honour it
 * refuse to deliver, so it is a FAIL.
 */
import { collectFindings, describeObservation, fail, type Finding, observationEvidence, verdictFrom, warn } from './findings.ts';
import type { DnsObservation } from './dns-observation.ts';
import type { EvidenceItem, Verdict } from './verdict.ts';

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

/** Rule: one well-formed v=STSv1 TXT record (none published is an advisory). */
function recordFinding(input: MtaStsInput, name: string, records: string[]): Finding | undefined {
  if (input.txt.status === 'error') {
    return warn(
      `the MTA-STS record ${name} could not be read: ${input.txt.error ?? 'error'}`,
      "Check the domain's DNS answers (DNS-07) and re-run",
    );
  } else if (records.length === 0) {
    return warn(
      `no MTA-STS policy is published for ${input.domain} (no v=STSv1 TXT at ${name}): senders may deliver without TLS when an attacker strips STARTTLS`,
      PUBLISH(input.domain),
    );
  } else if (records.length > 1) {
    return fail(`${records.length} MTA-STS records at ${name}: senders ignore them all`, `Keep one TXT "v=STSv1; id=…" at ${name}`);
  } else if (!/(?:^|;)\s*id=[A-Za-z0-9]{1,32}\s*(;|$)/.test(records[0]!)) {
    return fail(
      `the MTA-STS record "${records[0]}" at ${name} has no valid id= (1–32 letters and digits)`,
      `Publish TXT ${name} "v=STSv1; id=<yyyymmddNN>" (change the id whenever the policy changes)`,
    );
  }
  return undefined;
}

type PolicyFetch = NonNullable<MtaStsInput['policy']>;

const fetchFixFor = (domain: string, url: string) =>
  `Serve the policy at ${url} over HTTPS with a valid certificate for mta-sts.${domain} (the TLS proxy can serve it as another site), answering 200 with text/plain`;

function policyEvidence(p: PolicyFetch): EvidenceItem {
  return {
    label: `MTA-STS policy ${p.url}`,
    detail: { status: p.status ?? null, ...(p.error ? { error: p.error } : {}), body: p.body?.slice(0, 600) ?? null },
  };
}

/** Rule: a published policy can be fetched. */
function policyUnfetched(input: MtaStsInput, p: PolicyFetch | undefined): Finding | undefined {
  if (p && (p.error !== undefined || p.status !== 200 || p.body === undefined))
    return fail(
      `MTA-STS is published for ${input.domain} but its policy cannot be fetched from ${p.url}: ${p.error ?? `HTTP ${p.status}`}`,
      fetchFixFor(input.domain, p.url),
    );
  return undefined;
}

/** A fetched policy, parsed, with what its rules need. */
interface FetchedPolicy {
  url: string;
  policy: MtaStsPolicy;
}

function fetchedPolicy(p: PolicyFetch | undefined): FetchedPolicy | undefined {
  if (!p || p.error !== undefined || p.status !== 200 || p.body === undefined) return undefined;
  return { url: p.url, policy: parseMtaStsPolicy(p.body) };
}

/** Rule: version STSv1, a known mode, max_age in range. */
function malformedPolicy(input: MtaStsInput, f: FetchedPolicy | undefined): Finding | undefined {
  if (!f) return undefined;
  const { policy } = f;
  const problems = [
    ...(policy.version !== 'STSv1' ? [`version is ${policy.version ?? 'missing'}, not STSv1`] : []),
    ...(!['enforce', 'testing', 'none'].includes(policy.mode ?? '') ? [`mode is ${policy.mode ?? 'missing'}`] : []),
    ...(policy.maxAge === undefined || Number.isNaN(policy.maxAge) || policy.maxAge > 31_557_600
      ? ['max_age is missing or not 0–31557600']
      : []),
  ];
  if (!problems.length) return undefined;
  return fail(`the MTA-STS policy at ${f.url} is malformed: ${problems.join('; ')}`, fetchFixFor(input.domain, f.url));
}

/** Rule: the policy lists every MX (a fail once enforced, a warning before). */
function uncoveredMx(input: MtaStsInput, name: string, f: FetchedPolicy | undefined): Finding | undefined {
  if (!f) return undefined;
  const { policy } = f;
  const uncovered = input.mxHosts.filter((h) => !policy.mx.some((pattern) => mxPatternMatches(pattern, h)));
  if (uncovered.length && policy.mode === 'enforce') {
    return fail(
      `the MTA-STS policy of ${input.domain} is in enforce mode but does not list its MX ${uncovered.join(', ')} (it lists ${policy.mx.join(', ') || 'none'}): senders that honour MTA-STS refuse to deliver`,
      `Add "mx: ${uncovered[0]}" to the policy at ${f.url} (or fix the MX), change the id in TXT ${name}, and watch the TLS-RPT reports`,
    );
  } else if (uncovered.length) {
    return warn(
      `the MTA-STS policy of ${input.domain} does not list its MX ${uncovered.join(', ')} (mode ${policy.mode}): it would fail once enforced`,
      `Add "mx: ${uncovered[0]}" to the policy at ${f.url}`,
    );
  }
  return undefined;
}

/** Rule: "mode: none" withdraws the policy. */
function withdrawnPolicy(input: MtaStsInput, f: FetchedPolicy | undefined): Finding | undefined {
  if (f?.policy.mode !== 'none') return undefined;
  return warn(`the MTA-STS policy of ${input.domain} is "mode: none" (withdrawn)`, PUBLISH(input.domain));
}

/** Rule: max_age of a day or more (RFC 8461 advises weeks). */
function shortMaxAge(f: FetchedPolicy | undefined): Finding | undefined {
  const maxAge = f?.policy.maxAge;
  if (maxAge !== undefined && maxAge < 86_400)
    return warn(`the MTA-STS max_age is ${maxAge} s: RFC 8461 advises weeks (604800 or more)`, 'Raise max_age to 604800 or more');
  return undefined;
}

export function checkMtaSts(input: MtaStsInput): Verdict {
  const name = `_mta-sts.${input.domain}`;
  const records = input.txt.answers.filter((a) => /^v=STSv1(;|\s|$)/i.test(a));
  const p = records.length === 1 ? input.policy : undefined;
  const fetched = fetchedPolicy(p);
  const findings = collectFindings(
    recordFinding(input, name, records),
    policyUnfetched(input, p),
    malformedPolicy(input, fetched),
    uncoveredMx(input, name, fetched),
    withdrawnPolicy(input, fetched),
    shortMaxAge(fetched),
  );
  const evidence = [observationEvidence(input.txt), ...(p ? [policyEvidence(p)] : [])];
  const summary = fetched
    ? `MTA-STS published for ${input.domain}: mode ${fetched.policy.mode}, mx ${fetched.policy.mx.join(', ')}, max_age ${fetched.policy.maxAge}`
    : '';
  return verdictFrom({
    findings,
    passSummary: summary || `MTA-STS published for ${input.domain}`,
    expected: `one TXT "v=STSv1; id=…" at ${name} and a valid policy listing every MX`,
    observed: describeObservation(input.txt),
    evidence,
  });
}
