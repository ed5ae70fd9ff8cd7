/**
 * Small helpers shared by the pure checks: a check collects findings (each a fail or a warn with
 * its own remediation) and turns them into one Verdict, worst first.
 */
import type { DnsObservation } from './dns-observation.ts';
import type { EvidenceItem, Verdict } from './verdict.ts';

export interface Finding {
  outcome: 'fail' | 'warn';
  summary: string;
  remediation: string;
}

export function fail(summary: string, remediation: string): Finding {
  return { outcome: 'fail', summary, remediation };
}

export function warn(summary: string, remediation: string): Finding {
  return { outcome: 'warn', summary, remediation };
}

/**
 * The findings of a check's rules, in the rules' order: each rule gives one finding, several, or none
 * (undefined), so a check can list its rules one per line.
 */
export function collectFindings(...rules: (Finding | Finding[] | undefined)[]): Finding[] {
  return rules.filter((rule) => rule !== undefined).flat();
}

export interface VerdictParts {
  findings: Finding[];
  passSummary: string;
  expected?: string;
  observed?: string;
  evidence: EvidenceItem[];
}

/** fail if any finding fails, warn if any warns, else pass; summaries and remediations worst first. */
export function verdictFrom(parts: VerdictParts): Verdict {
  const fails = parts.findings.filter((f) => f.outcome === 'fail');
  const warns = parts.findings.filter((f) => f.outcome === 'warn');
  const ordered = [...fails, ...warns];
  const base = {
    ...(parts.expected !== undefined ? { expected: parts.expected } : {}),
    ...(parts.observed !== undefined ? { observed: parts.observed } : {}),
    evidence: parts.evidence,
  };
  if (ordered.length === 0) return { outcome: 'pass', summary: parts.passSummary, ...base };
  const remediation = [...new Set(ordered.map((f) => f.remediation).filter((r) => r.length > 0))].join('; ');
  return {
    outcome: fails.length > 0 ? 'fail' : 'warn',
    summary: ordered.map((f) => f.summary).join('; '),
    ...base,
    remediation,
  };
}

/** The evidence item every DNS check shows: what was asked, of whom, and what came back. */
export function observationEvidence(observation: DnsObservation): EvidenceItem {
  return {
    label: `${observation.type} ${observation.name} @ ${observation.resolver}`,
    detail: {
      name: observation.name,
      type: observation.type,
      resolver: observation.resolver,
      status: observation.status,
      answers: observation.answers,
      ...(observation.error ? { error: observation.error } : {}),
    },
  };
}

/** "ok: a, b" / "NXDOMAIN" / "no TXT records" / "error: …" — one line for Verdict.observed. */
export function describeObservation(observation: DnsObservation): string {
  switch (observation.status) {
    case 'ok':
      return observation.answers.map((a) => (observation.type === 'TXT' ? `"${a}"` : a)).join(', ');
    case 'nxdomain':
      return `NXDOMAIN (${observation.name} does not exist)`;
    case 'nodata':
      return `no ${observation.type} records at ${observation.name}`;
    case 'error':
      return `error: ${observation.error ?? 'query failed'}`;
  }
}

/** A fail finding for a question the resolver could not answer (timeout, refused, servfail). */
export function resolverErrorFinding(observation: DnsObservation): Finding {
  return fail(
    `${observation.type} ${observation.name} could not be resolved by ${observation.resolver}: ${observation.error ?? 'query failed'}`,
    `Make ${observation.resolver} answer ${observation.type} ${observation.name} (check the server is up and authoritative zones are loaded), then re-run`,
  );
}
