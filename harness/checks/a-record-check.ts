/**
 * DNS-02 — A: the host resolves to the deployment's IP. Other addresses beside it are a warning
 * (some clients would reach another machine). Pure.
 */
import type { DnsObservation } from './dns-observation.ts';
import { normaliseName } from './dns-observation.ts';
import { describeObservation, fail, type Finding, observationEvidence, resolverErrorFinding, verdictFrom, warn } from './findings.ts';
import type { Verdict } from './verdict.ts';

export interface ACheckInput {
  host: string;
  /** A lookup of the host. */
  observation: DnsObservation;
  expectedIp: string;
  /** The IP to name in remediations when it differs from the checked one (embedded world vs production). */
  remediationIp?: string;
}

export function checkA(input: ACheckInput): Verdict {
  const host = normaliseName(input.host);
  const { observation, expectedIp } = input;
  const fixIp = input.remediationIp ?? expectedIp;
  // Stryker disable next-line ArrayDeclaration: equivalent, verdictFrom keeps only entries with a fail/warn outcome, so a seeded placeholder changes nothing
  const findings: Finding[] = [];
  // Stryker disable next-line StringLiteral: equivalent, done() without a summary is only called after a fail finding, so this pass summary is never shown
  const done = (passSummary = ''): Verdict =>
    verdictFrom({
      findings,
      passSummary,
      expected: `A ${host} ${expectedIp}`,
      observed: describeObservation(observation),
      evidence: [observationEvidence(observation)],
    });

  if (normaliseName(observation.name) !== host || observation.type !== 'A') {
    findings.push(fail(`the observation is ${observation.type} ${observation.name}, not A ${host}`, `Look up A ${host} and check that`));
    return done();
  }
  if (observation.status === 'error') {
    findings.push(resolverErrorFinding(observation));
    return done();
  }
  const answers = observation.status === 'ok' ? observation.answers : [];
  if (answers.length === 0) {
    findings.push(fail(`${host} has no A record`, `Add A ${host} ${fixIp}`));
  } else if (!answers.includes(expectedIp)) {
    findings.push(
      fail(`${host} resolves to ${answers.join(', ')}, not ${expectedIp}`, `Set A ${host} to ${fixIp} (replacing ${answers.join(', ')})`),
    );
  } else {
    for (const other of answers.filter((a) => a !== expectedIp)) {
      findings.push(
        warn(
          `${host} also resolves to ${other}: some clients will reach that address instead of ${expectedIp}`,
          `Remove A ${host} ${other}`,
        ),
      );
    }
  }
  return done(`A ${host} ${expectedIp}`);
}
