import { describe, expect, it } from 'vitest';
import { errorObs, nxObs, okObs } from './fake-observations.ts';
import { checkResolverAgreement } from './resolver-agreement-check.ts';

const R1 = '1.1.1.1:53';
const R2 = '8.8.8.8:53';
const R3 = '9.9.9.9:53';
const questions = [
  { name: 'mailgoat.ai', type: 'TXT' as const },
  { name: 'mail.mailgoat.ai', type: 'A' as const },
];

describe('checkResolverAgreement', () => {
  it('passes when every resolver gives the same answer set (order does not matter)', () => {
    const observations = [R1, R2, R3].flatMap((r, i) => [
      okObs('TXT', 'mailgoat.ai', i % 2 ? ['b', 'v=spf1 ~all'] : ['v=spf1 ~all', 'b'], r),
      okObs('A', 'mail.mailgoat.ai', ['91.98.35.3'], r),
    ]);
    const verdict = checkResolverAgreement({ questions, observations });
    expect(verdict.outcome).toBe('pass');
    expect(verdict.summary).toBe('2 question(s), 3 resolver(s): all agree');
    expect(verdict.evidence[1]).toEqual({
      label: 'A mail.mailgoat.ai by resolver',
      detail: { [R1]: ['91.98.35.3'], [R2]: ['91.98.35.3'], [R3]: ['91.98.35.3'] },
    });
  });

  it('fails on disagreement, naming each resolver and what it said', () => {
    const observations = [
      okObs('A', 'mail.mailgoat.ai', ['91.98.35.3'], R1),
      okObs('A', 'mail.mailgoat.ai', ['91.98.35.3'], R2),
      okObs('A', 'mail.mailgoat.ai', ['203.0.113.9'], R3),
    ];
    const verdict = checkResolverAgreement({ questions: [questions[1]!], observations });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toBe(`A mail.mailgoat.ai: resolvers disagree — ${R1}, ${R2} say [91.98.35.3]; ${R3} say [203.0.113.9]`);
    expect(verdict.remediation).toMatch(/same A mail\.mailgoat\.ai/);
  });

  it('fails when one resolver has no record yet (NXDOMAIN vs answer)', () => {
    const observations = [okObs('TXT', 'mailgoat.ai', ['v=spf1 ~all'], R1), nxObs('TXT', 'mailgoat.ai', R2)];
    const verdict = checkResolverAgreement({ questions: [questions[0]!], observations });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toContain(`${R2} say NXDOMAIN`);
  });

  it('fails when a resolver errored, with its error', () => {
    const observations = [okObs('A', 'mail.mailgoat.ai', ['91.98.35.3'], R1), errorObs('A', 'mail.mailgoat.ai', 'ETIMEOUT', R2)];
    const verdict = checkResolverAgreement({ questions: [questions[1]!], observations });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toMatch(new RegExp(`resolver ${R2.replace(/\./g, '\\.')} failed \\(ETIMEOUT`));
  });

  it('fails when a question was never observed', () => {
    expect(checkResolverAgreement({ questions, observations: [] }).outcome).toBe('fail');
  });
});
