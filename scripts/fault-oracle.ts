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
  // INF-05 names the API's HTTP 500 and the database behind it, not a missing route.
  'database-down': expect(NEEDS_DATABASE, { 'INF-03': /postal-mariadb/, 'INF-05': /server error \(HTTP 500\)/ }),
  // The providers' aggregate reports say it as well: the server's mail not SPF-aligned (FN-08).
  'spf-without-ip': expect(['DNS-03', 'FN-04', 'FN-08'], {
    'DNS-03': /ip4:91\.98\.35\.3/,
    'FN-04': /Authorise the server's IP in the SPF record/,
    'FN-08': /not SPF-aligned/,
  }),
  'spf-too-many-lookups': expect(['DNS-03'], { 'DNS-03': /11 DNS-querying terms, over the limit of 10/ }),
  'two-spf-records': expect(['DNS-03'], { 'DNS-03': /2 SPF records/ }),
  'dkim-missing': expect(['DNS-04', 'FN-04'], { 'DNS-04': /no DKIM key record/, 'FN-04': /fallback key/ }),
  // DNS-04 compares the published record with the one Postal holds: an old key is caught in DNS too.
  'dkim-old-key': expect(['DNS-04', 'FN-04'], { 'DNS-04': /does not match the record/, 'FN-04': /fallback key/ }),
  // The return-path CNAME then names another host than Postal's return-path domain, so MAIL FROM is foreign
  // too: DMARC fails on both identifiers and the mail-tester score loses its points (FN-05).
  // The providers' aggregate reports say it as well: the server's mail not DKIM-aligned (FN-08).
  'dkim-fallback-signing': expect(['DNS-04', 'FN-04', 'FN-05', 'FN-08'], {
    'FN-04': /not aligned with From/,
    'FN-05': /dkimAlignment/,
    'FN-08': /not DKIM-aligned/,
  }),
  'dmarc-missing': expect(['DNS-05', 'FN-04'], { 'DNS-05': /no DMARC record/, 'FN-04': /dmarc=none/ }),
  'dmarc-malformed': expect(['DNS-05', 'FN-04'], { 'DNS-05': /does not start with "v=DMARC1"/ }),
  // The providers' aggregate reports of the refused mail say it too (FN-08: not DKIM-aligned).
  'dmarc-reject-misaligned': expect(['DNS-04', 'FN-02', 'FN-03', 'FN-04', 'FN-05', 'FN-08'], {
    'FN-02': /5\.7\.26/,
    'FN-08': /not DKIM-aligned/,
  }),
  'ptr-missing': expect(['DNS-06'], { 'DNS-06': /has no PTR record/ }),
  'ptr-mismatch': expect(['DNS-06'], { 'DNS-06': /PTR of \S+ is static\.3\.35\.98\.91\.clients\.your-server\.de, not mail\.mailgoat\.ai/ }),
  // The rua address is asked at the MX, which is not Postal's: DNS-09 names the MX (reports cannot reach Postal).
  'mx-elsewhere': expect(['DNS-01', 'DNS-07', 'DNS-09', ...INTERNAL_MAIL], {
    'DNS-01': /not an MX of mailgoat\.ai/,
    'DNS-09': /MX is mx\.old-provider\.example, not the mail host/,
    'INF-05': /No SMTP servers were available/,
  }),
  'stale-resolver': expect(['DNS-07'], { 'DNS-07': /resolvers disagree/ }),
  'worker-down': expect(['INF-03', ...INTERNAL_MAIL, ...EXTERNAL_MAIL], { 'INF-03': /service worker is exited/ }),
  'smtp-health-down': expect(['INF-03'], { 'INF-03': /smtp health endpoint/ }),
  // No API: this run sends nothing, so no DMARC report of it can arrive; FN-08 says none has (skipped), as on a new server.
  'web-down': expect(
    ALL_BUT_DNS.filter((id) => id !== 'FN-08'),
    { 'INF-01': /:443 is not reachable/ },
  ),
  // The MX down: the rua address cannot be asked either (DNS-09, pointing at the SMTP server, not a route); no
  // DMARC report can arrive, which FN-08 reports as none yet (skipped), as on a server that has just gone live.
  'smtp-down': expect([...ALL_BUT_DNS.filter((id) => id !== 'FN-08'), 'DNS-09'], {
    'INF-01': /:25 is not reachable/,
    'DNS-09': /start Postal's SMTP server/,
  }),
  'route-missing': expect(INTERNAL_MAIL, { 'INF-05': /Route "dev2" is missing/ }),
  // FN-01 is blocked by INF-06 here; when it runs on a refused key it names the refusal (message-delivery-check.test.ts).
  'api-key-revoked': expect(['INF-06', 'FN-01', 'FN-02', 'FN-03', 'FN-04', 'FN-05', 'FN-06', 'PERF-01', 'PERF-02'], {
    'INF-06': /growth .*refused: InvalidServerAPIKey/,
  }),
  // TLS 1.0 only: SEC-03, SEC-05 and the SMTP paths (agents' submission, the outside sender) name ssl_version, not
  // the certificate files (SEC-06, the certificate, is blocked by SEC-03); Postal's own hop to its MX retries without
  // TLS (smtp_sender.rb), so mail between agents arrives.
  'smtp-tls-version-old': expect(['SEC-03', 'SEC-05', 'SEC-06', ...EXTERNAL_MAIL, 'FN-07'], {
    'SEC-03': /offers no TLS version a modern client accepts[\s\S]*smtp_server\.ssl_version/,
    'SEC-05': /offers neither TLS 1\.2 nor TLS 1\.3[\s\S]*smtp_server\.ssl_version/,
    'FN-02': /failed on the TLS version[\s\S]*smtp_server\.ssl_version/,
    'FN-07': /failed on the TLS version[\s\S]*smtp_server\.ssl_version/,
  }),
  // The footer changes what the agents wrote: FN-02 now reads the providers' copies and says so (FN-03…05 are blocked).
  'spammy-signature': expect(['FN-01', ...EXTERNAL_MAIL, 'PERF-01', 'PERF-02'], {
    'FN-01': /text was added to the message \("Partner offer/,
    'FN-02': /text was added to the message \("Partner offer/,
  }),
  'outbound-25-blocked': expect(['INF-07', 'FN-02', 'FN-03', 'FN-04', 'FN-05'], { 'INF-07': /port 25/ }),
  'ip-blocklisted': expect(['DNS-08', 'FN-02', 'FN-03', 'FN-04', 'FN-05'], { 'DNS-08': /listed/ }),
  // Postal's record of the incoming message (its MX's leg to qa's endpoint), not the outgoing hop's 250.
  'inbox-5xx': expect(INTERNAL_MAIL, { 'INF-05': /qa@mailgoat\.ai: \S+ answered HTTP 503/ }),
  // Late is not lost: INF-05, FN-01 and FN-07 warn with the time, PERF-02 fails on it.
  'slow-delivery': expect(['PERF-02'], { 'PERF-02': /p95 latency \d+ ms is above the target/ }),

  // Issue 21: faults from Postal's issue tracker, its source and the checkers' lists.
  'webhook-utf8-mangled': expect(['FN-01', 'FN-07', 'PERF-01', 'PERF-02'], {
    'FN-01': /UTF-8 decoded as Latin-1/,
    'FN-07': /UTF-8 decoded as Latin-1/,
  }),
  'outgoing-non-ascii-stripped': expect(['FN-01', ...EXTERNAL_MAIL, 'PERF-01', 'PERF-02'], {
    'FN-02': /non-ASCII characters were stripped/,
    'FN-01': /non-ASCII characters were stripped/,
  }),
  'endpoint-strip-replies': expect(['FN-01', 'FN-07', 'PERF-01', 'PERF-02'], {
    'FN-01': /"Strip replies" on/,
    'FN-07': /"Strip replies" on/,
  }),
  'endpoint-without-attachments': expect(['FN-01', 'FN-07', 'PERF-01', 'PERF-02'], {
    'FN-01': /"Include attachments" off/,
    'FN-07': /"Include attachments" off/,
  }),
  'click-tracking-on': expect(['FN-01', ...EXTERNAL_MAIL, 'PERF-01', 'PERF-02'], {
    'FN-02': /rewritten to track\.mailgoat\.ai \(click tracking\)/,
    'FN-01': /click tracking/,
  }),
  'duplicate-endpoint': expect(INTERNAL_MAIL, { 'INF-05': /reached dev1's inbox 2 times/ }),
  'additional-endpoint-leak': expect(INTERNAL_MAIL, { 'INF-05': /dev2@mailgoat\.ai also landed with team/ }),
  'message-size-limit-low': expect(['FN-01', 'PERF-01', 'PERF-02'], { 'FN-01': /552 Message too large \(maximum size 5MB\)/ }),
  'route-wrong-endpoint': expect(INTERNAL_MAIL, { 'INF-05': /points at team's endpoint/ }),
  'route-mode-hold': expect(INTERNAL_MAIL, { 'INF-05': /route for qa@mailgoat\.ai is set to Hold/ }),
  'route-mode-accept': expect(INTERNAL_MAIL, { 'INF-05': /route for devrel@mailgoat\.ai is set to Accept/ }),
  'route-mode-reject': expect(INTERNAL_MAIL, { 'INF-05': /route for bizops@mailgoat\.ai is set to Reject/ }),
  'endpoint-wrong-port': expect(INTERNAL_MAIL, { 'INF-05': /could not connect to \S+:1\// }),
  'endpoint-raw-format': expect(INTERNAL_MAIL, { 'INF-05': /growth's inbox endpoint refuses .*HTTP 400: check the endpoint's format/ }),
  'endpoint-formdata-encoding': expect(INTERNAL_MAIL, {
    'INF-05': /marketing's inbox endpoint refuses .*HTTP 400: check the endpoint's format/,
  }),
  // Late, not lost: INF-05 and FN-01 only warn; PERF-02, which covers every agent's path, names qa's.
  'slow-webhook': expect(['PERF-02'], { 'PERF-02': /slowest: \S+→qa/ }),
  'spam-threshold-quarantine': expect(INTERNAL_MAIL, { 'INF-05': /Message placed into quarantine/ }),
  'send-limit-reached': expect(['PERF-01'], { 'PERF-01': /Held: Message held because send limit \(100\)/ }),
  'recipient-suppressed': expect(EXTERNAL_MAIL, { 'FN-02': /on the suppression list/ }),
  'outbound-spam-threshold-low': expect([...INTERNAL_MAIL, ...EXTERNAL_MAIL], {
    'INF-05': /Message is likely spam/,
    'FN-02': /Message is likely spam/,
  }),
  'api-credential-hold': expect(['FN-01', 'PERF-01', 'PERF-02'], { 'FN-01': /Credential is configured to hold/ }),
  'server-development-mode': expect([...INTERNAL_MAIL, ...EXTERNAL_MAIL], { 'INF-05': /Development mode/, 'FN-02': /Development mode/ }),
  'server-suspended': expect(['INF-05', 'INF-06', 'FN-01', ...EXTERNAL_MAIL, 'FN-06', 'FN-07', 'PERF-01', 'PERF-02'], {
    'INF-05': /the mail server is suspended/,
    'INF-06': /ServerSuspended/,
  }),
  'smtp-credential-revoked': expect(EXTERNAL_MAIL, { 'FN-02': /refused the SMTP credential \(535/ }),
  'smtp-credential-unchecked-server': expect(['FN-04'], { 'FN-04': /SMTP credential belongs to a mail server/ }),
  'helo-localhost': expect(EXTERNAL_MAIL, { 'FN-02': /greets \S+ as localhost \(HELO\)/ }),
  'smtp-hostname-default': expect(EXTERNAL_MAIL, { 'FN-02': /banner names postal\.example\.com.*postal\.smtp_hostname/s }),
  'outbound-plaintext': expect(EXTERNAL_MAIL, { 'FN-02': /without TLS although it offers STARTTLS/ }),
  'clock-skew': expect(['FN-04'], { 'FN-04': /in the future of the receiving clock/ }),
  'dkim-body-length': expect(['FN-04'], { 'FN-04': /carries l=\d+ \(a body length\)/ }),
  // The proxy's certificate: INF-04 names it, INF-02 (the web UI) points there, everything that uses the API is blocked.
  'web-certificate-expired': expect(
    ['INF-02', 'INF-04', 'INF-05', 'INF-06', 'SEC-02', 'FN-01', ...EXTERNAL_MAIL, 'FN-06', 'FN-07', 'PERF-01', 'PERF-02'],
    { 'INF-04': /expired/, 'INF-02': /certificate is refused/ },
  ),
  // Postal's mail carries MAIL FROM on the return-path host, so only the apex's own record is broken.
  'spf-include-typo': expect(['DNS-03'], { 'DNS-03': /include:sfp\.mailgoat\.ai has no SPF record/ }),
  'dmarc-two-records': expect(['DNS-05', 'FN-04'], { 'DNS-05': /2 DMARC records/, 'FN-04': /dmarc=none/ }),
  'dkim-record-truncated': expect(['DNS-04', 'FN-04'], { 'DNS-04': /does not decode to a public key/, 'FN-04': /fallback key/ }),
  'dkim-testing-flag': expect(['DNS-04', 'FN-04'], { 'DNS-04': /t=y/, 'FN-04': /fallback key/ }),
  'mx-missing': expect(['DNS-01', 'DNS-07', 'DNS-09', ...INTERNAL_MAIL], {
    'DNS-01': /not an MX of mailgoat\.ai/,
    'DNS-09': /not the mail host mail\.mailgoat\.ai \(DNS-01\)/,
    'INF-05': /No SMTP servers were available for mailgoat\.ai/,
  }),
  'domain-on-dbl': expect(['DNS-08'], { 'DNS-08': /mailgoat\.ai is listed on Spamhaus DBL/ }),
  'postal-resolver-down': expect([...INTERNAL_MAIL, ...EXTERNAL_MAIL], {
    'INF-05': /DNS error looking up mailgoat\.ai/,
    'FN-02': /DNS error looking up gmail\.test/,
  }),
  // dmarc@ (the rua address) has no route of its own: without the catch-all Postal refuses it (DNS-09).
  'catch-all-missing': expect([...INTERNAL_MAIL, 'DNS-09'], {
    'INF-05': /no catch-all route/,
    'DNS-09': /dmarc@mailgoat\.ai refuses mail.*530/,
  }),
  'open-relay': expect(['SEC-01'], { 'SEC-01': /open relay/ }),
  // SEC-06 (the SMTP certificate) and SEC-05's SMTP versions stand on STARTTLS: blocked by SEC-03.
  'starttls-off': expect(['SEC-03', 'SEC-06'], { 'SEC-03': /does not offer STARTTLS/ }),
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
  'smtp-auth-any-password': expect(['SEC-01', 'SEC-04'], {
    'SEC-04': /granted AUTH PLAIN .*with a wrong password .*anyone can send/,
    'SEC-01': /AUTH with a wrong password was granted/,
  }),
  // A key that may send as any domain fails INF-06 too, which blocks everything that sends through the API.
  'domain-use-for-any': expect(['SEC-04', 'INF-06', 'FN-01', 'FN-02', 'FN-03', 'FN-04', 'FN-05', 'FN-06', 'PERF-01', 'PERF-02'], {
    'INF-06': /API key may send From \S+@foreign-domain\.invalid, a domain the server does not own.*use_for_any/s,
    'SEC-04': /SMTP credential sent a message From \S+@foreign-domain\.invalid, a domain the server does not own.*use_for_any/s,
  }),
  'smtp-cert-expired': expect(['SEC-06'], {
    'SEC-06': /certificate of mail\.mailgoat\.ai:25 expired on .*smtp_server\.tls_certificate_path.*renew it with the web certificate/s,
  }),
  'smtp-cert-expiring': expect(['SEC-06'], {
    'SEC-06': /certificate of mail\.mailgoat\.ai:25 expires on \S+, in 3 days.*renew it with the web certificate/s,
  }),
  'smtp-cert-wrong-name': expect(['SEC-06'], {
    'SEC-06':
      /certificate of mail\.mailgoat\.ai:25 is for postal\.mailgoat\.ai, not mail\.mailgoat\.ai.*smtp_server\.tls_certificate_path/s,
  }),
  'smtp-tls-legacy-versions': expect(['SEC-05'], {
    'SEC-05': /mail\.mailgoat\.ai:25 \(STARTTLS\) offers TLS 1\.0 and TLS 1\.1: deprecated.*smtp_server\.ssl_version/s,
  }),
  'spoof-own-domain-delivered': expect(['SEC-07'], {
    'SEC-07':
      /qa received a message From ceo@mailgoat\.ai \(an agent of the domain\), sent from outside without authentication, unmarked.*checks neither SPF nor DMARC/s,
  }),
  'spoof-reject-domain-delivered': expect(['SEC-07'], {
    'SEC-07': /qa received a message From billing@sender\.test \(DMARC p=reject\).*unmarked.*DMARC policy/s,
  }),
  'mta-sts-broken': expect(['DNS-10'], {
    'DNS-10': /MTA-STS policy of mailgoat\.ai is in enforce mode but does not list its MX mail\.mailgoat\.ai/,
  }),
  'tls-rpt-malformed': expect(['DNS-11'], { 'DNS-11': /has a rua that is neither mailto: nor https: \(tls-reports@mailgoat\.ai\)/ }),
  'caa-forbids-issuance': expect(['DNS-12'], { 'DNS-12': /allow no CA to issue \(issue ";"\): the next automatic renewal/ }),
  // The world's resolvers do not validate DNSSEC: only DNS-13 sees the bogus zone (on the Internet, validating providers would also refuse the mail).
  'dnssec-expired-signatures': expect(['DNS-13'], {
    'DNS-13': /RRSIG signatures over MX \(MX mailgoat\.ai\).* expired on .*Re-sign mailgoat\.ai's zone/s,
  }),
  'dane-tlsa-stale-after-renewal': expect(['DNS-14'], {
    'DNS-14':
      /TLSA records at _25\._tcp\.mail\.mailgoat\.ai \(3 1 1 [0-9a-f]{16}…\) match none of the certificates mail\.mailgoat\.ai presents on STARTTLS.*renewed with a new key/s,
  }),
  'dnssec-ds-mismatch': expect(['DNS-13'], {
    'DNS-13': /the DS at the parent of mailgoat\.ai names key tag \d+, but the zone's DNSKEYs are key tag \d+ \(a DS mismatch\)/,
  }),
  'relay-after-starttls': expect(['SEC-01'], {
    'SEC-01': /open relay: outside sender to an outside mailbox after STARTTLS .*arrived at.*TLS is encryption, not authentication/s,
  }),
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
