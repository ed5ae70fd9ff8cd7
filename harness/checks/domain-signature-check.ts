/**
 * FN-04, second half: the message must carry a passing DKIM signature made with the domain's own key:
 * d=<From domain> and the selector Postal generated for it (`<dkim_identifier>-<6 characters>`, learnt from
 * provisioning's postal-state.json). Postal signs d=<domain> only with the domain's key, while its DNS check
 * says OK; otherwise it signs with its install-wide fallback key (d=<return path domain>, s=<identifier>),
 * which may still pass and even align but means the published record is not the key Postal holds.
 * Without Postal's selector, any selector of Postal's form is taken as the domain's own (Postal makes no other).
 */
import { fail, verdictFrom, type Finding } from './findings.ts';
import type { Verdict } from './verdict.ts';

export interface DomainSignatureInput {
  provider: string;
  fromDomain: string;
  /** The selector Postal generated for the domain, when learnt; absent: any `<dkimIdentifier>-…` selector. */
  expectedSelector?: string;
  /** postal.yml `dns.dkim_identifier`: every selector Postal makes starts with it. */
  dkimIdentifier: string;
  /** Signatures as re-verified from the received message. */
  signatures: Array<{ result: string; domain: string; selector?: string }>;
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function checkDomainSignature(input: DomainSignatureInput): Verdict {
  const domain = input.fromDomain.toLowerCase();
  const expected = input.expectedSelector?.toLowerCase();
  const postalForm = new RegExp(`^${escape(input.dkimIdentifier)}-[a-z][a-z0-9]{4}[a-z]$`, 'i');
  const byDomain = input.signatures.filter((s) => s.domain.toLowerCase() === domain);
  // Stryker disable next-line StringLiteral: equivalent, a missing selector matches neither Postal's form nor a learnt selector whatever it is replaced with
  const own = byDomain.find((s) =>
    expected === undefined ? postalForm.test(s.selector ?? '') : (s.selector ?? '').toLowerCase() === expected,
  );
  const label = input.expectedSelector ?? `${input.dkimIdentifier}-…`;
  // Stryker disable next-line ArrayDeclaration: equivalent, verdictFrom keeps only entries with a fail/warn outcome, so a seeded placeholder changes nothing
  const findings: Finding[] = [];
  const seen = input.signatures.map((s) => `${s.result} d=${s.domain} s=${s.selector ?? '?'}`).join(', ') || 'no DKIM signature';
  // Mail submitted over SMTP is signed by the mail server that owns the SMTP credential, not the one the API keys belong to.
  const bySmtp = / by SMTP$/.test(input.provider)
    ? `Only mail submitted over SMTP: the SMTP credential belongs to a mail server whose copy of ${domain} has not passed Postal's DNS check (a second server in the organization) — create the SMTP credential on the mail server the API keys belong to, or run that server's DNS check. Otherwise: `
    : '';
  const publish = `${bySmtp}Publish the DKIM record Postal shows for ${domain} at ${label}._domainkey.${domain} exactly as shown (postal-dns-records.txt), then run Postal's DNS check for the domain (npm run provision -- --phase=2; web UI: Domains → ${domain} → Check my records; or \`postal console\`: Domain.find_by(name: "${domain}").check_dns). Postal signs with d=${domain} only while that check says OK, and never checks a new domain by itself`;
  if (!own) {
    // Only with a learnt selector: without one, any passing selector of Postal's form would have been taken as the domain's own.
    // Stryker disable next-line StringLiteral: equivalent, a missing selector never matches Postal's form
    const otherPostalSelector = byDomain.find((s) => s.result === 'pass' && postalForm.test(s.selector ?? ''));
    const fallback = input.signatures.find((s) => s.result === 'pass' && s.domain.toLowerCase() !== domain);
    if (otherPostalSelector) {
      findings.push(
        fail(
          `${input.provider}: signed by ${domain} with s=${otherPostalSelector.selector}, but Postal's state names s=${input.expectedSelector}: the postal-state.json the suite read is not this Postal's (stale, or another server's)`,
          `Run npm run provision again (it reads Postal's selector back into postal-state.json), or point POSTAL_STATE_FILE at this server's`,
        ),
      );
    } else {
      findings.push(
        fail(
          fallback
            ? `${input.provider}: signed by ${fallback.domain} (s=${fallback.selector ?? '?'}), not by ${domain}'s own key (s=${label}) — Postal is using its fallback key`
            : `${input.provider}: no DKIM signature by ${domain} with selector ${label}`,
          publish,
        ),
      );
    }
  } else if (own.result !== 'pass') {
    findings.push(fail(`${input.provider}: the signature by ${domain} (s=${own.selector}) does not verify (${own.result})`, publish));
  }
  const unlearnt =
    expected === undefined ? " (Postal's selector was not learnt — no postal-state.json — so any selector of Postal's form counts)" : '';
  return verdictFrom({
    findings,
    passSummary: `${input.provider}: signed with ${domain}'s own key (d=${domain}, s=${own?.selector ?? label})${unlearnt}`,
    expected: `DKIM-Signature d=${domain}; s=${label}, passing`,
    observed: seen,
    evidence: [{ label: `DKIM signatures at ${input.provider}`, detail: input.signatures }],
  });
}
