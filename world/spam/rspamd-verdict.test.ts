import { describe, expect, it } from 'vitest';
import { postalRspamdVerdict, rspamdErrorVerdict } from './rspamd-verdict.ts';

describe("postalRspamdVerdict: rspamd's answer as Postal 3.3.2 scores it", () => {
  it('sums the scores of the symbols that have a description, ignoring rspamd’s own total', () => {
    const verdict = postalRspamdVerdict(
      {
        score: 99,
        action: 'reject',
        symbols: {
          HFILTER_HOSTNAME_UNKNOWN: { name: 'HFILTER_HOSTNAME_UNKNOWN', score: 2.5, description: 'Unknown client hostname' },
          MIME_GOOD: { name: 'MIME_GOOD', score: -0.1, description: 'Known content-type' },
          DMARC_DNSFAIL: { name: 'DMARC_DNSFAIL', score: 4 },
          BLANK: { name: 'BLANK', score: 3, description: '   ' },
        },
      },
      5,
    );
    expect(verdict.score).toBe(2.4);
    expect(verdict.symbols).toEqual(['HFILTER_HOSTNAME_UNKNOWN', 'MIME_GOOD']);
    expect(verdict.isSpam).toBe(false);
  });

  it('calls a message spam only above the threshold (score > threshold, as Postal compares)', () => {
    const at = (score: number) => postalRspamdVerdict({ symbols: { X: { name: 'X', score, description: 'x' } } }, 5);
    expect(at(5).isSpam).toBe(false);
    expect(at(5.01).isSpam).toBe(true);
  });

  it('scores 0 with no checks when symbols is missing or not a hash', () => {
    for (const answer of [null, {}, { symbols: [] }, { symbols: 'x' }])
      expect(postalRspamdVerdict(answer, 5)).toMatchObject({ score: 0, symbols: [] });
  });

  it('counts a symbol with a non-numeric score as 0 points', () => {
    expect(postalRspamdVerdict({ symbols: { X: { name: 'X', score: 'lots', description: 'x' } } }, 5).score).toBe(0);
  });

  it('records an unreachable rspamd as one ERROR check worth nothing', () => {
    expect(rspamdErrorVerdict('Error when scanning with rspamd (got 500)', 5)).toMatchObject({
      score: 0,
      symbols: ['ERROR'],
      rules: [{ rule: 'ERROR', points: 0 }],
    });
  });
});
