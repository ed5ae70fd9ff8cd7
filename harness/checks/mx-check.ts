/**
 * DNS-01 — MX: every expected host is an MX of the domain at the expected priority. Extra MX hosts
 * (mail for the domain may go somewhere the deployment does not know) are a warning. Pure.
 */
import type { DnsObservation } from './dns-observation.ts';
import { normaliseName } from './dns-observation.ts';
import { describeObservation, fail, type Finding, observationEvidence, resolverErrorFinding, verdictFrom, warn } from './findings.ts';
import { parseMxAnswer } from './replay-resolver.ts';
import type { Verdict } from './verdict.ts';

export interface MxCheckInput {
  domain: string;
  /** MX lookup of the domain. */
  observation: DnsObservation;
  expected: { priority: number; host: string }[];
}

export function checkMx(input: MxCheckInput): Verdict {
  const domain = normaliseName(input.domain);
  const { observation } = input;
  const expected = input.expected.map((e) => ({ priority: e.priority, host: normaliseName(e.host) }));
  // Stryker disable next-line ArrayDeclaration: equivalent, verdictFrom keeps only entries with a fail/warn outcome, so a seeded placeholder changes nothing
  const findings: Finding[] = [];
  const expectedText = expected.map((e) => `MX ${domain} ${e.priority} ${e.host}`).join(', ');
  // Stryker disable next-line StringLiteral: equivalent, done() without a summary is only called after a fail finding, so this pass summary is never shown
  const done = (passSummary = ''): Verdict =>
    verdictFrom({
      findings,
      passSummary,
      expected: expectedText,
      observed: describeObservation(observation),
      evidence: [observationEvidence(observation)],
    });

  if (normaliseName(observation.name) !== domain || observation.type !== 'MX') {
    findings.push(
      fail(`the observation is ${observation.type} ${observation.name}, not MX ${domain}`, `Look up MX ${domain} and check that`),
    );
    return done();
  }
  if (observation.status === 'error') {
    findings.push(resolverErrorFinding(observation));
    return done();
  }

  const observed = observation.status === 'ok' ? observation.answers.map(parseMxAnswer) : [];
  for (const want of expected) {
    const found = observed.filter((o) => o.exchange === want.host);
    if (found.length === 0) {
      findings.push(
        fail(
          `${want.host} is not an MX of ${domain}: mail for ${domain} does not reach it`,
          `Add MX ${domain} ${want.priority} ${want.host}`,
        ),
      );
    } else if (!found.some((o) => o.priority === want.priority)) {
      const now = found.map((o) => o.priority).join('/');
      findings.push(
        fail(
          `MX ${domain} → ${want.host} has priority ${now}, expected ${want.priority}`,
          `Change MX ${domain} ${now} ${want.host} to MX ${domain} ${want.priority} ${want.host}`,
        ),
      );
    }
  }
  for (const extra of observed.filter((o) => !expected.some((e) => e.host === o.exchange))) {
    findings.push(
      warn(
        `MX ${domain} also lists ${extra.exchange} (priority ${extra.priority}), which the deployment does not know: some mail may go there`,
        `Remove MX ${domain} ${extra.priority} ${extra.exchange} (or add it to dns.mx in the deployment file)`,
      ),
    );
  }
  return done(`MX ${domain}: ${observed.map((o) => `${o.priority} ${o.exchange}`).join(', ')}`);
}
