/**
 * DNS-11 — SMTP TLS reporting (RFC 8460): TXT `_smtp._tls.<domain>` "v=TLSRPTv1; rua=mailto:…" so senders
 * report TLS failures (what tells you an MTA-STS or certificate problem costs mail). Advisory while absent
 * (a warning); a published record that senders cannot read is a FAIL.
 */
import { describeObservation, fail, type Finding, observationEvidence, verdictFrom, warn } from './findings.ts';
import type { DnsObservation } from './dns-observation.ts';
import type { Verdict } from './verdict.ts';

export function checkTlsRpt(input: { domain: string; txt: DnsObservation; rua?: string }): Verdict {
  // Stryker disable next-line ArrayDeclaration: equivalent, verdictFrom keeps only entries with a fail/warn outcome, so a seeded placeholder changes nothing
  const findings: Finding[] = [];
  const name = `_smtp._tls.${input.domain}`;
  const example = `v=TLSRPTv1; rua=mailto:${input.rua ?? `tls-reports@${input.domain}`}`;
  const records = input.txt.answers.filter((a) => /^v=TLSRPTv1/i.test(a.trim()));
  if (input.txt.status === 'error') {
    findings.push(
      warn(
        `the TLS-RPT record ${name} could not be read: ${input.txt.error ?? 'error'}`,
        "Check the domain's DNS answers (DNS-07) and re-run",
      ),
    );
  } else if (records.length === 0) {
    findings.push(
      warn(`no TLS-RPT record at ${name}: no sender will tell you when TLS to your MX fails`, `Publish TXT ${name} "${example}"`),
    );
  } else if (records.length > 1) {
    findings.push(fail(`${records.length} TLS-RPT records at ${name}: senders ignore them all`, `Keep one: TXT ${name} "${example}"`));
  } else {
    const record = records[0]!.trim();
    const rua = /(?:^|;)\s*rua=([^;]*)/i.exec(record)?.[1]?.trim();
    const uris = rua ? rua.split(',').map((u) => u.trim()) : [];
    const bad = uris.filter((u) => !/^mailto:[^@\s]+@[^@\s]+\.[a-z]{2,63}$/i.test(u) && !/^https:\/\/\S+$/i.test(u));
    if (!/^v=TLSRPTv1\s*;/.test(record))
      findings.push(fail(`the TLS-RPT record "${record}" at ${name} must start exactly "v=TLSRPTv1;"`, `Publish TXT ${name} "${example}"`));
    else if (uris.length === 0)
      findings.push(fail(`the TLS-RPT record "${record}" at ${name} has no rua=: reports go nowhere`, `Publish TXT ${name} "${example}"`));
    else if (bad.length)
      findings.push(
        fail(
          `the TLS-RPT record "${record}" at ${name} has a rua that is neither mailto: nor https: (${bad.join(', ')}): senders cannot send reports`,
          `Publish TXT ${name} "${example}"`,
        ),
      );
  }
  return verdictFrom({
    findings,
    passSummary: `TLS-RPT published at ${name}: ${records[0] ?? ''}`,
    expected: `one TXT "${example}" at ${name}`,
    observed: describeObservation(input.txt),
    evidence: [observationEvidence(input.txt)],
  });
}
