/**
 * FN-04, second half: the message must carry a passing DKIM signature made with the domain's own key
 * (d=<From domain>, s=<the deployment's selector>). Postal falls back to its install-wide key when its
 * check of the domain's DKIM record fails; that signature may still pass and even align (a return-path
 * host under the same domain), but it means the published record is not the key Postal holds.
 */
import { fail, verdictFrom, type Finding } from './findings.ts';
import type { Verdict } from './verdict.ts';

export interface DomainSignatureInput {
  provider: string;
  fromDomain: string;
  expectedSelector: string;
  /** Signatures as re-verified from the received message. */
  signatures: Array<{ result: string; domain: string; selector?: string }>;
}

export function checkDomainSignature(input: DomainSignatureInput): Verdict {
  const domain = input.fromDomain.toLowerCase();
  const selector = input.expectedSelector.toLowerCase();
  const own = input.signatures.find((s) => s.domain.toLowerCase() === domain && (s.selector ?? '').toLowerCase() === selector);
  // Stryker disable next-line ArrayDeclaration: equivalent, verdictFrom keeps only entries with a fail/warn outcome, so a seeded placeholder changes nothing
  const findings: Finding[] = [];
  const seen = input.signatures.map((s) => `${s.result} d=${s.domain} s=${s.selector ?? '?'}`).join(', ') || 'no DKIM signature';
  // Mail submitted over SMTP is signed by the mail server that owns the SMTP credential, not the one the API keys belong to.
  const bySmtp = / by SMTP$/.test(input.provider)
    ? `Only mail submitted over SMTP: the SMTP credential belongs to a mail server whose copy of ${domain} has not passed Postal's DNS check (a second server in the organization) — create the SMTP credential on the mail server the API keys belong to, or run that server's DNS check. Otherwise: `
    : '';
  const publish = `${bySmtp}Publish the DKIM record Postal shows for ${domain} at ${input.expectedSelector}._domainkey.${domain} exactly as shown, then run Postal's DNS check for the domain (web UI: Domains → ${domain} → Check my records; or \`postal console\`: Domain.find_by(name: "${domain}").check_dns). Postal signs with d=${domain} only while that check says OK, and never checks a new domain by itself`;
  if (!own) {
    const fallback = input.signatures.find((s) => s.result === 'pass');
    findings.push(
      fail(
        fallback
          ? `${input.provider}: signed by ${fallback.domain} (s=${fallback.selector ?? '?'}), not by ${domain}'s own key (s=${input.expectedSelector}) — Postal is using its fallback key`
          : `${input.provider}: no DKIM signature by ${domain} with selector ${input.expectedSelector}`,
        publish,
      ),
    );
  } else if (own.result !== 'pass') {
    findings.push(fail(`${input.provider}: the signature by ${domain} (s=${input.expectedSelector}) does not verify (${own.result})`, publish));
  }
  return verdictFrom({
    findings,
    passSummary: `${input.provider}: signed with ${domain}'s own key (d=${domain}, s=${input.expectedSelector})`,
    expected: `DKIM-Signature d=${domain}; s=${input.expectedSelector}, passing`,
    observed: seen,
    evidence: [{ label: `DKIM signatures at ${input.provider}`, detail: input.signatures }],
  });
}
