import { describe, expect, it } from 'vitest';
import type { ControlResult } from '../controls/control-result.ts';
import { spamScoreTable } from './render-fact-tables.ts';
import { ResultRegistry } from './result-registry.ts';

const fn05 = (facts: Record<string, unknown>): ResultRegistry => {
  const registry = new ResultRegistry();
  const result: ControlResult = {
    id: 'FN-05',
    title: 'Spam score',
    area: 'functionality',
    severity: 'high',
    outcome: 'pass',
    summary: 'ok',
    verdicts: [],
    startedAt: '2026-12-02T00:00:00.000Z',
    durationMs: 1,
    facts,
  };
  registry.record(result);
  return registry;
};
const estimate = {
  provider: 'Gmail',
  score: 9,
  spamAssassinScore: 1,
  deductions: [{ source: 'SpamAssassin', item: 'X', points: -1, description: 'a|b' }],
};

describe('the spam score table', () => {
  it("puts mail-tester's score and deductions first, and the formula's estimate after it, shown as not judged", () => {
    const text = spamScoreTable(
      fn05({
        formula: 'F',
        threshold: 8,
        spamScores: [estimate],
        mailTester: {
          address: 'm-1@mail-tester.com',
          reportUrl: 'https://www.mail-tester.com/m-1',
          score: 8.5,
          shown: '8,5/10',
          deductions: [{ path: 'signature.subtests.dkim', title: 'DKIM | not valid', points: -1 }],
          rules: [{ code: 'MISSING_MID', score: 0.5, description: '' }],
        },
      }),
    ).join('\n');
    expect(text).toContain("Judged by mail-tester's own score (its JSON API).");
    expect(text).toContain(
      '**mail-tester: 8.5/10** (shown as 8,5/10), sent to m-1@mail-tester.com; report: https://www.mail-tester.com/m-1',
    );
    expect(text).toContain('| signature.subtests.dkim | -1 | DKIM \\| not valid |');
    expect(text).toContain('SpamAssassin rules mail-tester lists: MISSING_MID +0.5.');
    expect(text.indexOf('mail-tester: 8.5/10')).toBeLessThan(text.indexOf('Estimate from the seed copies'));
    expect(text).toContain('**Gmail: 9/10** (SpamAssassin 1 points)');
  });

  it('says when mail-tester gave no score, and when there is no estimate', () => {
    const text = spamScoreTable(
      fn05({
        formula: 'F',
        threshold: 8,
        spamScores: [],
        estimateNote: 'no spamd',
        mailTester: { address: 'm-1@mail-tester.com', reportUrl: 'https://www.mail-tester.com/m-1', state: 'pending' },
      }),
    ).join('\n');
    expect(text).toContain('**mail-tester: no score** (pending; sent to m-1@mail-tester.com, report https://www.mail-tester.com/m-1).');
    expect(text).toContain('No estimate: no spamd.');
    const clean = spamScoreTable(
      fn05({
        formula: 'F',
        threshold: 8,
        spamScores: [],
        mailTester: { address: 'a', reportUrl: 'u', score: 10, shown: '10/10', deductions: [], rules: [] },
      }),
    ).join('\n');
    expect(clean).toContain('**mail-tester: 10/10**, sent to a; report: u');
    expect(clean).toContain('mail-tester took nothing off.');
  });

  it("without mail-tester, shows the formula's scores alone", () => {
    const text = spamScoreTable(fn05({ formula: 'F', threshold: 8, spamScores: [estimate] })).join('\n');
    expect(text).not.toContain('mail-tester');
    expect(text).toContain('Formula: F. Threshold: 8/10.');
    expect(text).toContain('| SpamAssassin | X | -1 | a\\|b |');
  });
});
