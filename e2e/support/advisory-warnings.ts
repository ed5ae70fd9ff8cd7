/**
 * The controls that warn on any Postal 3.3.2 as installed, the world included: API keys are server-wide (INF-06),
 * no MTA-STS, TLS-RPT, CAA, DNSSEC or DANE (DNS-10…DNS-14), AUTH offered before STARTTLS (SEC-04), CBC suites
 * (SEC-05). A whole run that "passes" passes everything else; these may warn and nothing more.
 */
export const ADVISORY_WARNINGS: readonly string[] = ['INF-06', 'DNS-10', 'DNS-11', 'DNS-12', 'DNS-13', 'DNS-14', 'SEC-04', 'SEC-05'];

/** `results.json`'s controls that did not pass, less the advisory warnings, as "<id>: <outcome>". */
export function notPassedBeyondAdvisories(controls: ReadonlyArray<{ id: string; outcome: string }>): string[] {
  return controls
    .filter((c) => c.outcome !== 'pass' && !(c.outcome === 'warn' && ADVISORY_WARNINGS.includes(c.id)))
    .map((c) => `${c.id}: ${c.outcome}`);
}
