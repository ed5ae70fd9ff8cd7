/**
 * The fault oracle: for each named fault of the world, the controls that must turn red (fail, or be
 * blocked by a failing prerequisite) — and, by omission, every control that must stay green — and, for the
 * controls that must fail outright, the words of the fault's real cause that the control's summary or
 * remediation must contain (`because`). A control that goes red for another reason sends the operator after
 * the wrong cause: the fault matrix counts that as a failure of the harness. The world knows how to break
 * itself; only the fault matrix knows what the harness must see and say.
 */
import { CATALOG } from '../harness/controls/catalog.ts';

/** Mail between agents, and everything that stands on it (blocked when it fails). */
const INTERNAL_MAIL = ['INF-05', 'FN-01', 'FN-07', 'PERF-01', 'PERF-02'];
/** Mail to the providers, and the controls that read what arrived there. */
const EXTERNAL_MAIL = ['FN-02', 'FN-03', 'FN-04', 'FN-05'];
/**
 * With a container down, INF-01 fails and every control that needs the server's services is blocked; DNS still
 * answers, and the host's own outbound port 25 (INF-07, asked on the server, not of a container) is unaffected.
 */
const ALL_BUT_DNS = CATALOG.filter((c) => c.area !== 'dns' && c.id !== 'INF-07').map((c) => c.id);

/** The database down: Postal's API and queue fail, so everything that sends mail or asks the API is red; ports, TLS, DNS and relay rules still answer. */
const NEEDS_DATABASE = ['INF-03', 'INF-05', 'INF-06', 'SEC-02', ...EXTERNAL_MAIL, 'FN-01', 'FN-06', 'FN-07', 'PERF-01', 'PERF-02'];

export interface FaultExpectation {
  /** The controls that must turn red (fail, or blocked by a failing prerequisite). */
  red: readonly string[];
  /**
   * Per control that must fail outright: a pattern of the words naming the fault's real cause, matched against
   * the control's summary and remediation (and every failing verdict's). At least one control per fault.
   */
  because: Readonly<Record<string, RegExp>>;
}

const expect = (red: readonly string[], because: Record<string, RegExp>): FaultExpectation => ({ red, because });

export const FAULT_ORACLE: Readonly<Record<string, FaultExpectation>> = {
  'domain-never-dns-checked': expect(['FN-04'], { 'FN-04': /DNS check/i }),
  'dkim-record-k-rsa': expect(['DNS-04', 'FN-04'], { 'DNS-04': /Invalid/, 'FN-04': /fallback key/ }),
  'dkim-selector-without-prefix': expect(['DNS-04', 'FN-04'], { 'DNS-04': /no DKIM key record at postal-/, 'FN-04': /fallback key/ }),
  'database-down': expect(NEEDS_DATABASE, { 'INF-03': /postal-mariadb/ }),
  'spf-without-ip': expect(['DNS-03', 'FN-04'], { 'DNS-03': /ip4:91\.98\.35\.3/, 'FN-04': /Authorise the server's IP in the SPF record/ }),
  'spf-too-many-lookups': expect(['DNS-03'], { 'DNS-03': /11 DNS-querying terms, over the limit of 10/ }),
  'two-spf-records': expect(['DNS-03'], { 'DNS-03': /2 SPF records/ }),
  'dkim-missing': expect(['DNS-04', 'FN-04'], { 'DNS-04': /no DKIM key record/, 'FN-04': /fallback key/ }),
  // DNS-04 compares the published record with the one Postal holds: an old key is caught in DNS too.
  'dkim-old-key': expect(['DNS-04', 'FN-04'], { 'DNS-04': /does not match the record/, 'FN-04': /fallback key/ }),
  // The return-path CNAME then names another host than Postal's return-path domain, so MAIL FROM is foreign
  // too: DMARC fails on both identifiers and the mail-tester score loses its points (FN-05).
  'dkim-fallback-signing': expect(['DNS-04', 'FN-04', 'FN-05'], { 'FN-04': /not aligned with From/, 'FN-05': /dkimAlignment/ }),
  'dmarc-missing': expect(['DNS-05', 'FN-04'], { 'DNS-05': /no DMARC record/, 'FN-04': /dmarc=none/ }),
  'dmarc-malformed': expect(['DNS-05', 'FN-04'], { 'DNS-05': /does not start with "v=DMARC1"/ }),
  'dmarc-reject-misaligned': expect(['DNS-04', 'FN-02', 'FN-03', 'FN-04', 'FN-05'], { 'FN-02': /5\.7\.26/ }),
  'ptr-missing': expect(['DNS-06'], { 'DNS-06': /has no PTR record/ }),
  'ptr-mismatch': expect(['DNS-06'], { 'DNS-06': /PTR of \S+ is static\.3\.35\.98\.91\.clients\.your-server\.de, not mail\.mailgoat\.ai/ }),
  'mx-elsewhere': expect(['DNS-01', 'DNS-07', ...INTERNAL_MAIL], { 'DNS-01': /not an MX of mailgoat\.ai/, 'INF-05': /No SMTP servers were available/ }),
  'stale-resolver': expect(['DNS-07'], { 'DNS-07': /resolvers disagree/ }),
  'worker-down': expect(['INF-03', ...INTERNAL_MAIL, ...EXTERNAL_MAIL], { 'INF-03': /service worker is exited/ }),
  'smtp-health-down': expect(['INF-03'], { 'INF-03': /smtp health endpoint/ }),
  'web-down': expect(ALL_BUT_DNS, { 'INF-01': /:443 is not reachable/ }),
  'smtp-down': expect(ALL_BUT_DNS, { 'INF-01': /:25 is not reachable/ }),
  'route-missing': expect(INTERNAL_MAIL, { 'INF-05': /Create the Route "dev2"/ }),
  'api-key-revoked': expect(['INF-06', 'FN-01', 'FN-02', 'FN-03', 'FN-04', 'FN-05', 'FN-06', 'PERF-01', 'PERF-02'], { 'INF-06': /growth .*refused: InvalidServerAPIKey/ }),
  // dmarc@ (the rua address) has no route of its own: without the catch-all Postal refuses it (DNS-09).
  'catch-all-missing': expect([...INTERNAL_MAIL, 'DNS-09'], { 'INF-05': /catch-all/, 'DNS-09': /dmarc@mailgoat\.ai refuses mail.*530/ }),
  'open-relay': expect(['SEC-01'], { 'SEC-01': /open relay/ }),
  // SEC-06 (the SMTP certificate) and SEC-05's SMTP versions stand on STARTTLS: blocked by SEC-03.
  'starttls-off': expect(['SEC-03', 'SEC-06'], { 'SEC-03': /does not offer STARTTLS/ }),
  'spammy-signature': expect(['FN-01', 'FN-05', 'PERF-01', 'PERF-02'], { 'FN-01': /arrived altered: body differs/, 'FN-05': /spamAssassin/ }),
  'outbound-25-blocked': expect(['INF-07', 'FN-02', 'FN-03', 'FN-04', 'FN-05'], { 'INF-07': /port 25/ }),
  'ip-blocklisted': expect(['DNS-08', 'FN-02', 'FN-03', 'FN-04', 'FN-05'], { 'DNS-08': /listed/ }),
  'inbox-5xx': expect(INTERNAL_MAIL, { 'INF-05': /503/ }),
  'slow-delivery': expect(['PERF-02'], { 'PERF-02': /p95/ }),
  'dmarc-report-malformed': expect(['FN-08'], { 'FN-08': /report could not be read.*outlook\.test.*not well-formed XML/ }),
  'dmarc-report-foreign-domain': expect(['FN-08'], { 'FN-08': /report for example\.org .*not mailgoat\.ai/ }),
  'dmarc-unknown-source': expect(['FN-08'], { 'FN-08': /not in the deployment .*failed DMARC and were delivered.*spoofing/ }),
  // SEC-01 follows each accepted relay form to the outside mailbox: the summary names the form that got through.
  'relay-percent-hack': expect(['SEC-01'], { 'SEC-01': /open relay: percent hack on the domain .*arrived at seed@gmail\.test/ }),
  'relay-source-route': expect(['SEC-01'], { 'SEC-01': /open relay: source route through the domain .*arrived at/ }),
  'relay-bang-path': expect(['SEC-01'], { 'SEC-01': /open relay: bang path on the domain .*arrived at/ }),
  'relay-quoted-local-part': expect(['SEC-01'], { 'SEC-01': /open relay: quoted local part on the domain .*arrived at/ }),
  'relay-double-at': expect(['SEC-01'], { 'SEC-01': /open relay: double @ on the domain .*arrived at/ }),
  // A wrong password granted opens relaying too: SEC-01's attempts after the refused AUTH get through.
  'smtp-auth-any-password': expect(['SEC-01', 'SEC-04'], { 'SEC-04': /granted AUTH PLAIN .*with a wrong password .*anyone can send/, 'SEC-01': /AUTH with a wrong password was granted/ }),
  // A key that may send as any domain fails INF-06 too, which blocks everything that sends through the API.
  'domain-use-for-any': expect(['SEC-04', 'INF-06', 'FN-01', 'FN-02', 'FN-03', 'FN-04', 'FN-05', 'FN-06', 'PERF-01', 'PERF-02'], {
    'INF-06': /API key may send From \S+@foreign-domain\.invalid, a domain the server does not own.*use_for_any/s, 'SEC-04': /SMTP credential sent a message From \S+@foreign-domain\.invalid, a domain the server does not own.*use_for_any/s }),
  'smtp-cert-expired': expect(['SEC-06'], { 'SEC-06': /certificate of mail\.mailgoat\.ai:25 expired on .*smtp_server\.tls_certificate_path.*renew it with the web certificate/s }),
  'smtp-cert-expiring': expect(['SEC-06'], { 'SEC-06': /certificate of mail\.mailgoat\.ai:25 expires on \S+, in 3 days.*renew it with the web certificate/s }),
  'smtp-cert-wrong-name': expect(['SEC-06'], { 'SEC-06': /certificate of mail\.mailgoat\.ai:25 is for postal\.mailgoat\.ai, not mail\.mailgoat\.ai.*smtp_server\.tls_certificate_path/s }),
  'smtp-tls-legacy-versions': expect(['SEC-05'], { 'SEC-05': /mail\.mailgoat\.ai:25 \(STARTTLS\) offers TLS 1\.0 and TLS 1\.1: deprecated.*smtp_server\.ssl_version/s }),
  'spoof-own-domain-delivered': expect(['SEC-07'], { 'SEC-07': /qa received a message From ceo@mailgoat\.ai \(an agent of the domain\), sent from outside without authentication, unmarked.*checks neither SPF nor DMARC/s }),
  'spoof-reject-domain-delivered': expect(['SEC-07'], { 'SEC-07': /qa received a message From billing@sender\.test \(DMARC p=reject\).*unmarked.*DMARC policy/s }),
  'mta-sts-broken': expect(['DNS-10'], { 'DNS-10': /MTA-STS policy of mailgoat\.ai is in enforce mode but does not list its MX mail\.mailgoat\.ai/ }),
  'tls-rpt-malformed': expect(['DNS-11'], { 'DNS-11': /has a rua that is neither mailto: nor https: \(tls-reports@mailgoat\.ai\)/ }),
  'caa-forbids-issuance': expect(['DNS-12'], { 'DNS-12': /allow no CA to issue \(issue ";"\): the next automatic renewal/ }),
  // The world's resolvers do not validate DNSSEC: only DNS-13 sees the bogus zone (on the Internet, validating providers would also refuse the mail).
  'dnssec-expired-signatures': expect(['DNS-13'], { 'DNS-13': /RRSIG signatures over MX \(MX mailgoat\.ai\).* expired on .*Re-sign mailgoat\.ai's zone/s }),
  'dane-tlsa-stale-after-renewal': expect(['DNS-14'], { 'DNS-14': /TLSA records at _25\._tcp\.mail\.mailgoat\.ai \(3 1 1 [0-9a-f]{16}…\) match none of the certificates mail\.mailgoat\.ai presents on STARTTLS.*renewed with a new key/s }),
  'dnssec-ds-mismatch': expect(['DNS-13'], { 'DNS-13': /the DS at the parent of mailgoat\.ai names key tag \d+, but the zone's DNSKEYs are key tag \d+ \(a DS mismatch\)/ }),
  'relay-after-starttls': expect(['SEC-01'], { 'SEC-01': /open relay: outside sender to an outside mailbox after STARTTLS .*arrived at.*TLS is encryption, not authentication/s }),
};

function expectation(fault: string): FaultExpectation {
  const expected = FAULT_ORACLE[fault];
  if (!expected) throw new Error(`the fault oracle has no row for "${fault}": add one to scripts/fault-oracle.ts`);
  return expected;
}

/** The controls a fault must turn red; throws for a fault the oracle does not know (a new fault needs its row). */
export function expectedRed(fault: string): readonly string[] {
  return expectation(fault).red;
}

/** Per failing control, the words of the fault's real cause it must say. */
export function expectedReasons(fault: string): Readonly<Record<string, RegExp>> {
  return expectation(fault).because;
}
