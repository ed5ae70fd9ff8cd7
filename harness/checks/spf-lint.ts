/**
 * The SPF warnings checkdmarc gives that DNS-03's rules above do not already make findings of: the
 * deprecated `ptr` mechanism (RFC 7208 §5.5: "SHOULD NOT be used"; slow, and some receivers skip it) and
 * terms after `all` (RFC 7208 §5.1: never evaluated — usually an include added at the end by mistake).
 * Advisory: both leave SPF working for the server's own address, so they warn.
 */
import { type Finding, warn } from './findings.ts';
import { parseSpfTerms } from './spf-record.ts';

export function lintSpfRecords(records: Array<{ name: string; record: string }>): Finding[] {
  const findings: Finding[] = [];
  for (const { name, record } of records) {
    const terms = parseSpfTerms(record);
    const ptr = terms.filter((t) => t.kind === 'mechanism' && t.name === 'ptr');
    if (ptr.length) {
      findings.push(
        warn(
          `the SPF record of ${name} uses ${ptr.map((t) => t.raw).join(', ')}: RFC 7208 §5.5 says ptr SHOULD NOT be used (checkdmarc warns; slow, and large receivers may skip it)`,
          `In TXT ${name} replace ${ptr.map((t) => t.raw).join(', ')} with ip4:/ip6: terms for the sending hosts`,
        ),
      );
    }
    const all = terms.findIndex((t) => t.kind === 'mechanism' && t.name === 'all');
    const after = all < 0 ? [] : terms.slice(all + 1).filter((t) => t.kind === 'mechanism');
    if (after.length) {
      findings.push(
        warn(
          `in the SPF record of ${name}, ${after.map((t) => t.raw).join(' ')} come after "${terms[all]!.raw}" and are never evaluated (RFC 7208 §5.1; checkdmarc warns)`,
          `In TXT ${name} move ${after.map((t) => t.raw).join(' ')} before "${terms[all]!.raw}"`,
        ),
      );
    }
  }
  return findings;
}
