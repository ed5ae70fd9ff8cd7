import { describe, expect, it } from 'vitest';
import { checkDnssec, type DnssecInput, type DnssecLookup } from './dnssec-check.ts';

const NOW = 1_800_000_000;
const lookup = (purpose: string, over: Partial<DnssecLookup> = {}): DnssecLookup => ({
  name: 'mailgoat.ai',
  type: purpose === 'MX' ? 'MX' : 'TXT',
  purpose,
  status: 'secure',
  reasons: [],
  rrsigExpirations: [NOW + 86_400],
  ...over,
});
const input = (over: Partial<DnssecInput> = {}): DnssecInput => ({
  domain: 'mailgoat.ai',
  resolver: '1.1.1.1:53',
  anchor: "IANA's root anchors",
  now: NOW,
  ds: { keyTags: [4242] },
  dnskey: { keyTags: [4242] },
  lookups: [lookup('MX'), lookup('SPF')],
  ...over,
});

describe('checkDnssec (DNS-13)', () => {
  it('passes a signed zone whose records all validate, naming them and the anchor', () => {
    const v = checkDnssec(input());
    expect(v.outcome).toBe('pass');
    expect(v.summary).toBe("mailgoat.ai is signed and validates from IANA's root anchors: MX, SPF secure");
    expect(v.observed).toBe('DS key tag 4242; DNSKEY key tag 4242; MX secure, SPF secure');
    expect(v.evidence.map((e) => e.label)).toEqual([
      'DS mailgoat.ai and DNSKEY @ 1.1.1.1:53',
      'MX mailgoat.ai @ 1.1.1.1:53',
      'TXT mailgoat.ai @ 1.1.1.1:53',
    ]);
    expect(v.evidence[1]!.detail).toEqual({ purpose: 'MX', status: 'secure', reasons: [], rrsigExpirations: ['2027-01-16T08:00:00Z'] });
  });

  it('warns an unsigned domain with what internet.nl says and what to do', () => {
    const v = checkDnssec(input({ ds: { keyTags: [] }, dnskey: { keyTags: [] }, lookups: [] }));
    expect(v.outcome).toBe('warn');
    expect(v.summary).toBe(
      'mailgoat.ai is not signed with DNSSEC (no DS at its parent, no DNSKEY): internet.nl reports "DNSSEC existence: failed" (and checkdmarc dnssec: false); its MX, SPF, DKIM and DMARC records can be forged by an attacker on the resolver\'s path, and DANE for its MX is impossible',
    );
    expect(v.remediation).toBe(
      "Enable DNSSEC at mailgoat.ai's DNS host (it signs the zone and re-signs it) and publish the DS record it shows at the registrar; then check with https://internet.nl/mail/mailgoat.ai/",
    );
    expect(v.observed).toBe('no DS, no DNSKEY');
  });

  it('warns when the DNSSEC records could not be read, with the error', () => {
    const v = checkDnssec(
      input({
        ds: { keyTags: [], error: 'DS mailgoat.ai from DNS server 1.1.1.1:53: no answer within 2000 ms' },
        dnskey: { keyTags: [] },
        lookups: [],
      }),
    );
    expect(v.outcome).toBe('warn');
    expect(v.summary).toBe(
      'the DNSSEC records of mailgoat.ai could not be read: DS mailgoat.ai from DNS server 1.1.1.1:53: no answer within 2000 ms',
    );
    expect(v.remediation).toBe('Check that 1.1.1.1:53 answers DS and DNSKEY questions, and re-run');
    const dnskeyError = checkDnssec(input({ ds: { keyTags: [] }, dnskey: { keyTags: [], error: 'boom' }, lookups: [] }));
    expect(dnskeyError.summary).toMatch(/could not be read: boom$/);
  });

  it('warns a zone with DNSKEY but no DS (insecure), whatever its look-ups say', () => {
    const v = checkDnssec(input({ ds: { keyTags: [] }, lookups: [lookup('MX', { status: 'bogus', reasons: ['x'] })] }));
    expect(v.outcome).toBe('warn');
    expect(v.summary).toBe(
      'mailgoat.ai publishes DNSKEY (key tag 4242) but its parent has no DS for it: validators treat the zone as unsigned (insecure), so nothing is protected and DANE cannot be used',
    );
    expect(v.remediation).toBe(
      "Publish the DS record of mailgoat.ai's key signing key at the registrar (the DNS host shows it where DNSSEC is enabled)",
    );
  });

  it('fails a DS that names no key of the zone', () => {
    const v = checkDnssec(
      input({
        ds: { keyTags: [1111, 2222] },
        lookups: [lookup('MX', { status: 'bogus', reasons: ['Failed to verify zone mailgoat.ai.', 'No DNSKEY matched specified DS(s)'] })],
      }),
    );
    expect(v.outcome).toBe('fail');
    expect(v.summary).toMatch(
      /^the DS at the parent of mailgoat\.ai names key tag 1111, 2222, but the zone's DNSKEYs are key tag 4242 \(a DS mismatch\): every validating resolver answers SERVFAIL/,
    );
    expect(v.remediation).toMatch(/^Replace the DS at the registrar with the DS of mailgoat\.ai's current key signing key/);
    expect(v.summary).not.toMatch(/do not validate/);
    const noKey = checkDnssec(input({ dnskey: { keyTags: [] }, lookups: [] }));
    expect(noKey.outcome).toBe('fail');
    expect(noKey.summary).toMatch(/names key tag 4242, but the zone serves no DNSKEY at all/);
  });

  it('fails expired signatures with the earliest expiry, without blaming the DS', () => {
    const expired = (purpose: string, at: number) =>
      lookup(purpose, { status: 'bogus', reasons: ['No valid DNSKEY RRSig was found'], rrsigExpirations: [at] });
    const v = checkDnssec(input({ lookups: [expired('MX', NOW - 10), expired('SPF', NOW - 86_400), lookup('DMARC')] }));
    expect(v.outcome).toBe('fail');
    expect(v.summary).toBe(
      "the RRSIG signatures over MX (MX mailgoat.ai), SPF (TXT mailgoat.ai) expired on 2027-01-14T08:00:00Z: validating resolvers reject the answers (SERVFAIL), so the domain's mail records vanish for them",
    );
    expect(v.remediation).toMatch(/^Re-sign mailgoat\.ai's zone and keep it re-signed/);
  });

  it('does not call a signature expired while any one over the answer is still valid, or when none was served', () => {
    const v = checkDnssec(
      input({ lookups: [lookup('MX', { rrsigExpirations: [NOW - 1, NOW + 1] }), lookup('SPF', { rrsigExpirations: [] })] }),
    );
    expect(v.outcome).toBe('pass');
    const atNow = checkDnssec(input({ lookups: [lookup('MX', { rrsigExpirations: [NOW] })] }));
    expect(atNow.outcome).toBe('pass');
  });

  it("fails other bogus answers with the validator's reasons", () => {
    const v = checkDnssec(
      input({ lookups: [lookup('MX'), lookup('DKIM', { status: 'bogus', reasons: ['Query response does not have a valid signature'] })] }),
    );
    expect(v.outcome).toBe('fail');
    expect(v.summary).toBe(
      'DKIM (TXT mailgoat.ai) do not validate (bogus: Query response does not have a valid signature): validating resolvers answer SERVFAIL for them',
    );
    expect(v.remediation).toBe(
      "Sign mailgoat.ai's zone again with the key the DS at the parent names, and check it with https://dnsviz.net/d/mailgoat.ai/dnssec/",
    );
    expect(checkDnssec(input({ lookups: [lookup('MX', { status: 'bogus' })] })).summary).toMatch(/\(bogus: no reason given\)/);
  });

  it('warns look-ups that are neither secure nor bogus', () => {
    const v = checkDnssec(
      input({ lookups: [lookup('MX', { status: 'error', reasons: ['no answer'] }), lookup('SPF', { status: 'indeterminate' })] }),
    );
    expect(v.outcome).toBe('warn');
    expect(v.summary).toBe(
      'MX (MX mailgoat.ai): error (no answer); SPF (TXT mailgoat.ai): indeterminate — not proven secure from 1.1.1.1:53',
    );
    expect(v.remediation).toBe(
      'Check the zone with https://dnsviz.net/d/mailgoat.ai/dnssec/ and ask a resolver that passes DNSSEC records through (DNS_RESOLVERS)',
    );
  });
});
