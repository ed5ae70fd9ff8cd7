import { describe, expect, it } from 'vitest';
import { mailTesterScore, type SpamScoreFacts } from '../../core/spam/spam-score-formula.ts';
import { mailTesterJson, notReceivedJson, onlyTest } from './mail-tester-json.ts';

const clean: SpamScoreFacts = {
  spamAssassin: { score: 0, rules: [] },
  spf: 'pass',
  dkim: 'pass',
  dmarc: 'pass',
  aligned: true,
  ptrOk: true,
  hasMessageId: true,
  hasDate: true,
  blocklisted: false,
};
const at = new Date('2026-12-02T11:40:03.456Z');
const json = (facts: Partial<SpamScoreFacts>) =>
  mailTesterJson({ id: 't-1', subject: 's', receivedAt: at, bounceAddress: 'b@x.test', facts: { ...clean, ...facts } }) as Record<
    string,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests read the stand-in's JSON fields by name
    any
  >;

describe('mailTesterJson', () => {
  it("shows the formula's score, and its marks add up to what was taken off", () => {
    const cases: Array<Partial<SpamScoreFacts>> = [
      {},
      { spf: 'softfail' },
      { spf: 'fail', dkim: 'fail', dmarc: 'fail', aligned: false },
      { ptrOk: false, hasMessageId: false, hasDate: false },
      { spamAssassin: { score: 2.4, rules: [{ rule: 'URIBL_BLOCKED', points: 2.4 }] } },
      { spamAssassin: { score: -1.2, rules: [{ rule: 'DKIM_VALID', points: -1.2 }] }, dmarc: 'fail' },
      { blocklisted: true, spamAssassin: { score: 9, rules: [] } },
    ];
    for (const facts of cases) {
      const report = json(facts);
      const { score } = mailTesterScore({ ...clean, ...facts });
      expect(report.displayedMark).toBe(`${score}/10`);
      expect(Math.max(0, Math.round((10 + report.mark) * 10) / 10)).toBe(score);
      for (const test of ['spamAssassin', 'signature', 'body', 'blacklists', 'links']) expect(report[test].mark).toBeLessThanOrEqual(0);
    }
  });

  it('marks a passed test with a check mark and success, a failed one with its points and failure or warning', () => {
    const report = json({ dkim: 'fail', spf: 'softfail' });
    expect(report.signature.subtests.dmarc).toMatchObject({ mark: 0, displayedMark: '&#10003', status: true, statusClass: 'success' });
    expect(report.signature.subtests.dkim).toMatchObject({
      mark: -1,
      displayedMark: -1,
      status: false,
      statusClass: 'failure',
      title: 'DKIM fail',
    });
    expect(report.signature.subtests.spf).toMatchObject({ mark: -0.5, statusClass: 'warning' });
    expect(report.signature).toMatchObject({ mark: -1.5, title: 'You are not properly authenticated' });
    expect(report.messageInfo).toEqual({ subject: 's', receptionDate: '2026-12-02 11:40:03', bounceAddress: 'b@x.test' });
    expect(json({}).title).toBe('Wow! Perfect, you can send');
    expect(json({ dmarc: 'fail', aligned: false }).title).toBe('Good stuff. Your email is almost perfect');
    expect(json({ blocklisted: true }).title).toBe('You need to fix what is listed below');
  });

  it('answers status false for an id without a message, and &test= keeps one main test', () => {
    expect(notReceivedJson('x-1')).toMatchObject({ status: false, id: 'x-1' });
    const full = json({});
    expect(Object.keys(onlyTest(full, 'links'))).toEqual(['status', 'id', 'title', 'mark', 'displayedMark', 'messageInfo', 'links']);
    expect(onlyTest(full, 'nonsense')).toBe(full);
  });
});
