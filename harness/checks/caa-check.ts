/**
 * DNS-12 — CAA for the web host (RFC 8659), as internet.nl tests it: the records found climbing from the host
 * to the domain. None is an advisory (any CA may issue: a warning); records that let no CA issue — `issue ";"`
 * alone, or a critical tag a CA does not know — stop the next automatic renewal, and the web certificate
 * (INF-04) runs out: a FAIL.
 */
import { fail, type Finding, verdictFrom, warn } from './findings.ts';
import type { DnsObservation } from './dns-observation.ts';
import type { Verdict } from './verdict.ts';

const KNOWN_TAGS = new Set(['issue', 'issuewild', 'iodef', 'contactemail', 'contactphone', 'issuevmc', 'issuemail']);

export function checkCaa(input: { host: string; observations: DnsObservation[] }): Verdict {
  // Stryker disable next-line ArrayDeclaration: equivalent, verdictFrom keeps only entries with a fail/warn outcome, so a seeded placeholder changes nothing
  const findings: Finding[] = [];
  const found = input.observations.find((o) => o.status === 'ok' && o.answers.length > 0);
  const records = (found?.answers ?? []).map((a) => {
    const m = /^(\d+)\s+(\S+)\s+"(.*)"$/.exec(a);
    return { flags: Number(m?.[1] ?? 0), tag: (m?.[2] ?? '').toLowerCase(), value: m?.[3] ?? a };
  });
  const issuers = records.filter((r) => r.tag === 'issue').map((r) => r.value.split(';')[0]!.trim());
  const errors = input.observations.filter((o) => o.status === 'error');
  if (!found) {
    if (errors.length)
      findings.push(
        warn(
          `the CAA records for ${input.host} could not be read: ${errors[0]!.error ?? 'error'}`,
          "Check the domain's DNS answers (DNS-07) and re-run",
        ),
      );
    else
      findings.push(
        warn(
          `no CAA record for ${input.host} or its parents: any CA may issue a certificate for it`,
          `Publish CAA at ${input.observations.at(-1)?.name ?? input.host} naming the CA that issues the web certificate, e.g. 0 issue "letsencrypt.org" (Caddy's default CA), and 0 iodef "mailto:…"`,
        ),
      );
  } else {
    const critical = records.filter((r) => r.flags & 128 && !KNOWN_TAGS.has(r.tag));
    if (critical.length)
      findings.push(
        fail(
          `the CAA records at ${found.name} carry a critical tag no CA knows (${critical.map((r) => r.tag).join(', ')}): every CA must refuse to issue`,
          `Remove the critical flag (128) or the unknown tag from the CAA records at ${found.name}`,
        ),
      );
    if (issuers.length > 0 && issuers.every((i) => i === '')) {
      findings.push(
        fail(
          `the CAA records at ${found.name} allow no CA to issue (issue ";"): the next automatic renewal of ${input.host}'s certificate will be refused and INF-04 will fail when it expires`,
          `Name the CA the TLS proxy uses: CAA 0 issue "letsencrypt.org" at ${found.name} (Caddy also uses ZeroSSL: 0 issue "sectigo.com")`,
        ),
      );
    }
  }
  return verdictFrom({
    findings,
    passSummary: `CAA at ${found?.name ?? input.host}: ${issuers.length ? `issue ${issuers.join(', ')}` : 'no issue tag (any CA)'}`,
    expected: 'CAA naming the CA that issues the web certificate',
    observed: found ? found.answers.join('; ') : 'no CAA records',
    evidence: input.observations.map((o) => ({
      label: `CAA ${o.name}`,
      detail: { status: o.status, answers: o.answers, ...(o.error ? { error: o.error } : {}) },
    })),
  });
}
