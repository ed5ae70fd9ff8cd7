import { describe, expect, it } from 'vitest';
import { checkSpamScore, mailTesterScore, SPAM_SCORE_FORMULA, type SpamScoreInput } from './spam-score-check.ts';

const clean: SpamScoreInput = {
  spamAssassin: {
    score: 0.1,
    rules: [
      { rule: 'HTML_MESSAGE', points: 0.001, description: 'HTML included in message' },
      { rule: 'SPF_HELO_NONE', points: 0.001 },
      { rule: 'DKIM_VALID', points: -0.1 },
      { rule: 'URIBL_BLOCKED', points: 0.2 },
    ],
  },
  spf: 'pass',
  dkim: 'pass',
  dmarc: 'pass',
  aligned: true,
  ptrOk: true,
  hasMessageId: true,
  hasDate: true,
  threshold: 8,
};

describe('mailTesterScore', () => {
  it('starts at 10 and takes off SpamAssassin points', () => {
    expect(mailTesterScore(clean).score).toBe(9.9);
  });

  it('lets negative SpamAssassin points add back, but never above 10, and never hide fixed deductions', () => {
    const bonus = { ...clean, spamAssassin: { score: -2, rules: [{ rule: 'RCVD_IN_DNSWL_HI', points: -2 }] } };
    expect(mailTesterScore(bonus).score).toBe(10);
    expect(mailTesterScore({ ...bonus, spf: 'fail' }).score).toBe(9);
  });

  it('applies every fixed deduction and floors at 0', () => {
    const worst = {
      ...clean,
      spf: 'softfail',
      dkim: 'fail',
      dmarc: 'fail',
      aligned: false,
      ptrOk: false,
      hasMessageId: false,
      hasDate: false,
      blocklisted: true,
    };
    const { score, deductions } = mailTesterScore(worst);
    expect(deductions.filter((d) => d.source !== 'SpamAssassin').map((d) => [d.item, d.points])).toEqual([
      ['SPF_NOT_PASS', -0.5],
      ['DKIM_NOT_PASS', -1],
      ['DMARC_NOT_PASS', -1],
      ['DKIM_NOT_ALIGNED', -1],
      ['NO_FCRDNS', -1],
      ['MISSING_MESSAGE_ID', -0.5],
      ['MISSING_DATE', -0.5],
      ['BLOCKLISTED', -3],
    ]);
    expect(score).toBe(1.4); // 9.9 − 8.5
    expect(mailTesterScore({ ...worst, spamAssassin: { score: 8, rules: [] } }).score).toBe(0);
  });

  it('lists the part of the SpamAssassin total its rules do not explain', () => {
    const { deductions } = mailTesterScore({ ...clean, spamAssassin: { score: 3, rules: [{ rule: 'BAYES_50', points: 0.8 }] } });
    expect(deductions.map((d) => [d.item, d.points])).toEqual([
      ['BAYES_50', -0.8],
      ['UNLISTED', -2.2],
    ]);
  });

  it('documents the formula', () => {
    expect(SPAM_SCORE_FORMULA).toMatch(/^score = 10 − SpamAssassin points/);
  });
});

describe('checkSpamScore', () => {
  it('passes a clean message, listing every rule in the evidence', () => {
    const verdict = checkSpamScore(clean);
    expect(verdict.outcome).toBe('pass');
    expect(verdict.summary).toMatch(/^spam score 9\.9\/10 \(threshold 8\); deductions: URIBL_BLOCKED -0\.2/);
    const rows = verdict.evidence.find((e) => e.label === 'deductions')?.detail as Array<{ item: string }>;
    expect(rows.map((r) => r.item)).toEqual(['HTML_MESSAGE', 'SPF_HELO_NONE', 'DKIM_VALID', 'URIBL_BLOCKED']);
  });

  it('fails below the threshold, naming the deductions and their fixes', () => {
    const verdict = checkSpamScore({
      ...clean,
      aligned: false,
      ptrOk: false,
      spamAssassin: {
        score: 1.2,
        rules: [{ rule: 'RDNS_NONE', points: 1.2, description: 'Delivered to internal network by a host with no rDNS' }],
      },
    });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toBe('spam score 6.8/10 is below 8 (RDNS_NONE -1.2, DKIM_NOT_ALIGNED -1, NO_FCRDNS -1)');
    expect(verdict.remediation).toMatch(/Remove what triggers RDNS_NONE/);
    expect(verdict.remediation).toMatch(/DNS-06/);
  });

  it('passes at the threshold even with deductions, listing them in the summary', () => {
    const verdict = checkSpamScore({ ...clean, hasDate: false, threshold: 9.4 });
    expect(verdict.outcome).toBe('pass');
    expect(verdict.summary).toBe(
      'spam score 9.4/10 (threshold 9.4); deductions: MISSING_DATE -0.5, URIBL_BLOCKED -0.2, HTML_MESSAGE -0.001, SPF_HELO_NONE -0.001',
    );
  });

  it('fails without a SpamAssassin score', () => {
    expect(checkSpamScore({ ...clean, spamAssassin: { score: Number.NaN, rules: [] } }).outcome).toBe('fail');
  });
});
