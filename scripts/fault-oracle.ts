/**
 * The fault oracle: for each named fault of the world, the controls that must turn red (fail, or be
 * blocked by a failing prerequisite) — and, by omission, every control that must stay green. The world
 * knows how to break itself; only the fault matrix knows what the harness must see.
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

export const FAULT_ORACLE: Readonly<Record<string, readonly string[]>> = {
  'domain-never-dns-checked': ['FN-04'],
  'dkim-record-k-rsa': ['DNS-04', 'FN-04'],
  'dkim-selector-without-prefix': ['DNS-04', 'FN-04'],
  'database-down': NEEDS_DATABASE,
  'spf-without-ip': ['DNS-03', 'FN-04'],
  'spf-too-many-lookups': ['DNS-03'],
  'two-spf-records': ['DNS-03'],
  'dkim-missing': ['DNS-04', 'FN-04'],
  // DNS-04 compares the published record with the one Postal holds: an old key is caught in DNS too.
  'dkim-old-key': ['DNS-04', 'FN-04'],
  // The return-path CNAME then names another host than Postal's return-path domain, so MAIL FROM is foreign
  // too: DMARC fails on both identifiers and the mail-tester score loses its points (FN-05).
  'dkim-fallback-signing': ['DNS-04', 'FN-04', 'FN-05'],
  'dmarc-missing': ['DNS-05', 'FN-04'],
  'dmarc-malformed': ['DNS-05', 'FN-04'],
  'dmarc-reject-misaligned': ['DNS-04', 'FN-02', 'FN-03', 'FN-04', 'FN-05'],
  'ptr-missing': ['DNS-06'],
  'ptr-mismatch': ['DNS-06'],
  'mx-elsewhere': ['DNS-01', 'DNS-07', ...INTERNAL_MAIL],
  'stale-resolver': ['DNS-07'],
  'worker-down': ['INF-03', ...INTERNAL_MAIL, ...EXTERNAL_MAIL],
  'smtp-health-down': ['INF-03'],
  'web-down': ALL_BUT_DNS,
  'smtp-down': ALL_BUT_DNS,
  'route-missing': INTERNAL_MAIL,
  'api-key-revoked': ['INF-06', 'FN-01', 'FN-02', 'FN-03', 'FN-04', 'FN-05', 'FN-06', 'PERF-01', 'PERF-02'],
  // dmarc@ (the rua address) has no route of its own: without the catch-all Postal refuses it (DNS-09).
  'catch-all-missing': [...INTERNAL_MAIL, 'DNS-09'],
  'open-relay': ['SEC-01'],
  'starttls-off': ['SEC-03'],
  'spammy-signature': ['FN-01', 'FN-05', 'PERF-01', 'PERF-02'],
  'outbound-25-blocked': ['INF-07', 'FN-02', 'FN-03', 'FN-04', 'FN-05'],
  'ip-blocklisted': ['DNS-08', 'FN-02', 'FN-03', 'FN-04', 'FN-05'],
  'inbox-5xx': INTERNAL_MAIL,
  'slow-delivery': ['PERF-02'],
  'dmarc-report-malformed': ['FN-08'],
  'dmarc-report-foreign-domain': ['FN-08'],
  'dmarc-unknown-source': ['FN-08'],
};

/** The controls a fault must turn red; throws for a fault the oracle does not know (a new fault needs its row). */
export function expectedRed(fault: string): readonly string[] {
  const expected = FAULT_ORACLE[fault];
  if (!expected) throw new Error(`the fault oracle has no row for "${fault}": add one to scripts/fault-oracle.ts`);
  return expected;
}
