/**
 * What Postal 3.3.2 publishes and checks for a sending domain, as its source does it
 * (app/models/domain.rb `dkim_record`; app/models/concerns/has_dns_checks.rb). The Postal stand-in
 * decides how to sign from these checks, and DNS-04 predicts from them what Postal will decide:
 * both follow the source, and tests pin each rule to it (world/postal/fidelity-ledger.ts).
 */

export type PostalDnsStatus = 'OK' | 'Missing' | 'Invalid';

/** Domain#dkim_record: exactly this string, the key as base64 SubjectPublicKeyInfo, no `k=rsa`, a trailing `;`. */
export function postalDkimRecord(publicKeySpkiBase64: string): string {
  return `v=DKIM1; t=s; h=sha256; p=${publicKeySpkiBase64};`;
}

/**
 * HasDNSChecks#check_dkim_record: exactly one TXT at the selector, compared with the record Postal
 * holds after trimming and adding a missing trailing `;` — nothing else is normalised.
 */
export function checkPostalDkimRecord(name: string, records: string[], expected: string): { status: PostalDnsStatus; error?: string } {
  if (records.length === 0) return { status: 'Missing', error: `No TXT records were returned for ${name}` };
  const first = records[0]!.trim();
  const sanitised = first.endsWith(';') ? first : `${first};`;
  if (records.length > 1) return { status: 'Invalid', error: `There are ${records.length} records for at ${name}. There should only be one.` };
  if (sanitised !== expected) return { status: 'Invalid', error: `The DKIM record at ${name} does not match the record we have provided. Please check it has been copied correctly.` };
  return { status: 'OK' };
}

/** HasDNSChecks#check_return_path_record: one CNAME at `<prefix>.<domain>` naming exactly `dns.return_path_domain`. */
export function checkPostalReturnPath(name: string, cnames: string[], returnPathDomain: string): { status: PostalDnsStatus; error?: string } {
  const found = cnames.map((c) => c.toLowerCase().replace(/\.$/, ''));
  if (found.length === 0) return { status: 'Missing', error: `There is no return path record at ${name}` };
  if (found.length === 1 && found[0] === returnPathDomain.toLowerCase()) return { status: 'OK' };
  return { status: 'Invalid', error: `There is a CNAME record at ${name} but it points to ${found[0]} which is incorrect. It should point to ${returnPathDomain}.` };
}
