/**
 * DNS-07 — propagation: for every question, every resolver asked gives the same answer set.
 * A resolver that errored fails the check with its error. Pure.
 */
import type { DnsObservation, DnsRecordType } from './dns-observation.ts';
import { normaliseName } from './dns-observation.ts';
import { fail, type Finding, verdictFrom } from './findings.ts';
import type { EvidenceItem, Verdict } from './verdict.ts';

export interface ResolverAgreementInput {
  questions: { name: string; type: DnsRecordType }[];
  observations: DnsObservation[];
}

/** One comparable line per resolver: the sorted answers, or NXDOMAIN / NODATA / ERROR. */
function answerSet(o: DnsObservation): string {
  if (o.status === 'ok') return JSON.stringify([...o.answers].sort());
  return o.status.toUpperCase();
}

function said(o: DnsObservation): string[] | string {
  if (o.status === 'ok') return [...o.answers].sort();
  if (o.status === 'error') return `error: ${o.error ?? 'query failed'}`;
  return o.status.toUpperCase();
}

export function checkResolverAgreement(input: ResolverAgreementInput): Verdict {
  const evidence: EvidenceItem[] = [];
  // Stryker disable next-line ArrayDeclaration: equivalent, verdictFrom keeps only entries with a fail/warn outcome, so a seeded placeholder changes nothing
  const findings: Finding[] = [];
  const resolversSeen = new Set<string>();

  for (const question of input.questions) {
    const name = normaliseName(question.name);
    const label = `${question.type} ${name}`;
    // Last observation per resolver wins (a poll may ask the same question several times).
    const byResolver = new Map<string, DnsObservation>();
    for (const o of input.observations) {
      if (o.type === question.type && normaliseName(o.name) === name) byResolver.set(o.resolver, o);
    }
    evidence.push({ label: `${label} by resolver`, detail: Object.fromEntries([...byResolver].map(([r, o]) => [r, said(o)])) });
    byResolver.forEach((_o, r) => resolversSeen.add(r));

    if (byResolver.size === 0) {
      findings.push(fail(`${label}: no resolver's answer was observed`, `Ask every resolver ${label}, then re-run`));
      continue;
    }
    for (const [resolver, o] of byResolver) {
      if (o.status === 'error') {
        findings.push(
          fail(
            `${label}: resolver ${resolver} failed (${o.error ?? 'query failed'})`,
            `Make ${resolver} answer ${label} (is it reachable? does it reach the authoritative servers?)`,
          ),
        );
      }
    }
    const answered = [...byResolver].filter(([, o]) => o.status !== 'error');
    const groups = new Map<string, string[]>();
    for (const [resolver, o] of answered) groups.set(answerSet(o), [...(groups.get(answerSet(o)) ?? []), resolver]);
    if (groups.size > 1) {
      const parts = [...groups].map(([, resolvers]) => {
        const o = byResolver.get(resolvers[0] ?? '');
        const what = o ? said(o) : '?';
        return `${resolvers.join(', ')} say ${Array.isArray(what) ? `[${what.join(', ')}]` : what}`;
      });
      findings.push(
        fail(
          `${label}: resolvers disagree — ${parts.join('; ')}`,
          `Make every authoritative nameserver serve the same ${label}; resolvers still giving the old answer pick up the new one after the record's TTL (re-run then)`,
        ),
      );
    }
  }

  return verdictFrom({
    findings,
    passSummary: `${input.questions.length} question(s), ${resolversSeen.size} resolver(s): all agree`,
    expected: `every resolver gives the same answers to ${input.questions.map((q) => `${q.type} ${normaliseName(q.name)}`).join(', ')}`,
    observed: `${resolversSeen.size} resolver(s): ${[...resolversSeen].join(', ')}`,
    evidence,
  });
}
