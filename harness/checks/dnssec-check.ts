/**
 * DNS-13 — DNSSEC as internet.nl ("DNSSEC existence", "DNSSEC validity") and checkdmarc (`dnssec`) test
 * it: is the domain's zone signed, and do the records the suite relies on (MX, SPF, DMARC, DKIM, the
 * mail host's A) validate from a trust anchor through the DS at the parent. Unsigned is an advisory
 * (a warning); signed but broken is a FAIL: validating resolvers (1.1.1.1, 8.8.8.8, 9.9.9.9 and most
 * providers' own) answer SERVFAIL for bogus data, so the domain's MX, SPF and DKIM vanish for them.
 */
import { fail, type Finding, verdictFrom, warn } from './findings.ts';
import type { Verdict } from './verdict.ts';

/** The outcome of one validated look-up (RFC 4035 §4.3's security statuses, or a transport error). */
export type DnssecStatus = 'secure' | 'insecure' | 'bogus' | 'indeterminate' | 'error';

export interface DnssecLookup {
  name: string;
  type: string;
  /** what the suite uses the answer for, e.g. "MX", "SPF", "DMARC", "DKIM" */
  purpose: string;
  status: DnssecStatus;
  /** the validator's reasons when not secure, or the transport error */
  reasons: string[];
  /** expiration (seconds since the epoch) of each RRSIG over the answer, as served */
  rrsigExpirations: number[];
}

export interface DnssecInput {
  domain: string;
  /** the resolver asked, e.g. "1.1.1.1:53" */
  resolver: string;
  /** which trust anchor validated: "IANA's root anchors" or "DNSSEC_TRUST_ANCHOR" */
  anchor: string;
  /** seconds since the epoch when the answers were read */
  now: number;
  /** key tags named by the DS RRset at the parent; error when it could not be read */
  ds: { keyTags: number[]; error?: string };
  /** key tags of the zone's DNSKEY RRset */
  dnskey: { keyTags: number[]; error?: string };
  /** empty when the zone publishes neither DS nor DNSKEY (nothing to validate) */
  lookups: DnssecLookup[];
}

const CHECKER = 'internet.nl reports "DNSSEC existence: failed" (and checkdmarc dnssec: false)';

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

function label(lookup: DnssecLookup): string {
  return `${lookup.purpose} (${lookup.type} ${lookup.name})`;
}

/** A missing or mismatched key at the parent: the cause of every bogus answer below it. */
function chainFindings(input: DnssecInput): Finding[] {
  const { domain, ds, dnskey } = input;
  if (ds.keyTags.length === 0) {
    return [
      warn(
        `${domain} publishes DNSKEY (key tag ${dnskey.keyTags.join(', ')}) but its parent has no DS for it: validators treat the zone as unsigned (insecure), so nothing is protected and DANE cannot be used`,
        `Publish the DS record of ${domain}'s key signing key at the registrar (the DNS host shows it where DNSSEC is enabled)`,
      ),
    ];
  }
  if (!ds.keyTags.some((tag) => dnskey.keyTags.includes(tag))) {
    const keys = dnskey.keyTags.length ? `the zone's DNSKEYs are key tag ${dnskey.keyTags.join(', ')}` : 'the zone serves no DNSKEY at all';
    return [
      fail(
        `the DS at the parent of ${domain} names key tag ${ds.keyTags.join(', ')}, but ${keys} (a DS mismatch): every validating resolver answers SERVFAIL for the domain, its MX, SPF and DKIM included, so mail to and from it fails for them`,
        `Replace the DS at the registrar with the DS of ${domain}'s current key signing key (or, if DNSSEC was turned off at the DNS host, remove the DS at the registrar first)`,
      ),
    ];
  }
  return [];
}

function lookupFindings(input: DnssecInput): Finding[] {
  const findings: Finding[] = [];
  const expired = input.lookups.filter((l) => l.rrsigExpirations.length > 0 && l.rrsigExpirations.every((e) => e < input.now));
  if (expired.length) {
    const first = Math.min(...expired.flatMap((l) => l.rrsigExpirations));
    findings.push(
      fail(
        `the RRSIG signatures over ${expired.map(label).join(', ')} expired on ${iso(first)}: validating resolvers reject the answers (SERVFAIL), so the domain's mail records vanish for them`,
        `Re-sign ${input.domain}'s zone and keep it re-signed: its signer stopped refreshing signatures (a manual signer whose cron stopped, or a zone moved to a host that does not sign); if it cannot be fixed now, remove the DS at the registrar so the zone is merely unsigned`,
      ),
    );
  }
  const bogus = input.lookups.filter((l) => l.status === 'bogus' && !expired.includes(l));
  if (bogus.length) {
    findings.push(
      fail(
        `${bogus.map(label).join(', ')} do not validate (bogus: ${bogus[0]!.reasons.join(': ') || 'no reason given'}): validating resolvers answer SERVFAIL for them`,
        `Sign ${input.domain}'s zone again with the key the DS at the parent names, and check it with https://dnsviz.net/d/${input.domain}/dnssec/`,
      ),
    );
  }
  const unsure = input.lookups.filter((l) => l.status !== 'secure' && l.status !== 'bogus' && !expired.includes(l));
  if (unsure.length) {
    findings.push(
      warn(
        `${unsure.map((l) => `${label(l)}: ${l.status}${l.reasons.length ? ` (${l.reasons.join(': ')})` : ''}`).join('; ')} — not proven secure from ${input.resolver}`,
        `Check the zone with https://dnsviz.net/d/${input.domain}/dnssec/ and ask a resolver that passes DNSSEC records through (DNS_RESOLVERS)`,
      ),
    );
  }
  return findings;
}

export function checkDnssec(input: DnssecInput): Verdict {
  // Stryker disable next-line ArrayDeclaration: equivalent, verdictFrom keeps only fail/warn entries
  const findings: Finding[] = [];
  const { domain, ds, dnskey } = input;
  const readError = ds.error ?? dnskey.error;
  const signed = ds.keyTags.length > 0 || dnskey.keyTags.length > 0;
  if (!signed && readError) {
    findings.push(
      warn(
        `the DNSSEC records of ${domain} could not be read: ${readError}`,
        `Check that ${input.resolver} answers DS and DNSKEY questions, and re-run`,
      ),
    );
  } else if (!signed) {
    findings.push(
      warn(
        `${domain} is not signed with DNSSEC (no DS at its parent, no DNSKEY): ${CHECKER}; its MX, SPF, DKIM and DMARC records can be forged by an attacker on the resolver's path, and DANE for its MX is impossible`,
        `Enable DNSSEC at ${domain}'s DNS host (it signs the zone and re-signs it) and publish the DS record it shows at the registrar; then check with https://internet.nl/mail/${domain}/`,
      ),
    );
  } else {
    const chain = chainFindings(input);
    findings.push(...chain);
    // A broken or unanchored chain is the cause of every look-up's status: they say nothing more.
    if (chain.length === 0) findings.push(...lookupFindings(input));
  }
  const secure = input.lookups.filter((l) => l.status === 'secure');
  return verdictFrom({
    findings,
    passSummary: `${domain} is signed and validates from ${input.anchor}: ${secure.map((l) => l.purpose).join(', ')} secure`,
    expected: 'a DS at the parent matching the zone key, and every mail record validating (secure)',
    observed: signed
      ? `DS key tag ${ds.keyTags.join(', ') || 'none'}; DNSKEY key tag ${dnskey.keyTags.join(', ') || 'none'}; ${input.lookups.map((l) => `${l.purpose} ${l.status}`).join(', ')}`
      : 'no DS, no DNSKEY',
    evidence: [
      { label: `DS ${domain} and DNSKEY @ ${input.resolver}`, detail: { ds, dnskey, anchor: input.anchor } },
      ...input.lookups.map((l) => ({
        label: `${l.type} ${l.name} @ ${input.resolver}`,
        detail: { purpose: l.purpose, status: l.status, reasons: l.reasons, rrsigExpirations: l.rrsigExpirations.map(iso) },
      })),
    ],
  });
}
